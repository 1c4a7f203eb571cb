#!/usr/bin/env python3
"""Lint the bash scripts inside CI pipeline files with shellcheck.

Usage: shellcheck-scripts.py [--keep DIR] FILE.yml...

Reads GitHub Actions workflows and Azure Pipelines files and extracts every script body:
  GitHub Actions : `run:` of steps (the steps of these workflows run in bash)
  Azure Pipelines: `bash:` and `script:` steps, `inputs.script` of Bash@3, and
                   `inputs.inlineScript` of AzureCLI@2 with `scriptType: bash`.
Pipeline expressions are replaced by a placeholder `X` before linting, as the CI system
substitutes them before bash sees the text: GitHub `${{ ... }}`, Azure Pipelines template
`${{ ... }}`, runtime `$[ ... ]` and macros `$(name)` (a name of letters, digits, `_`, `.`
and `-` only, so bash command substitutions such as `$(az account show ...)` stay).
Each script goes to its own file with a `#!/usr/bin/env bash` line and shellcheck runs on
all of them; findings are printed with the pipeline file and the YAML path of the script.

Exit status: 0 no findings, 1 findings, 2 usage or tool error. Needs PyYAML and shellcheck
(`SHELLCHECK` in the environment, else `shellcheck` next to this Python, else on PATH).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

GH_EXPR = re.compile(r"\$\{\{.*?\}\}", re.S)
ADO_RUNTIME = re.compile(r"\$\[.*?\]", re.S)
ADO_MACRO = re.compile(r"\$\([A-Za-z0-9_.-]+\)")


def placeholder(text: str, ado: bool) -> str:
    text = GH_EXPR.sub("X", text)
    if ado:
        text = ADO_RUNTIME.sub("X", text)
        text = ADO_MACRO.sub("X", text)
    return text


def is_github(doc: object) -> bool:
    # PyYAML (YAML 1.1) reads the key `on` as the boolean True.
    return isinstance(doc, dict) and "jobs" in doc and ("on" in doc or True in doc)


def github_scripts(doc: dict):
    for job_id, job in (doc.get("jobs") or {}).items():
        for i, step in enumerate((job or {}).get("steps") or []):
            if isinstance(step, dict) and isinstance(step.get("run"), str):
                shell = step.get("shell") or ((job.get("defaults") or {}).get("run") or {}).get(
                    "shell"
                ) or ((doc.get("defaults") or {}).get("run") or {}).get("shell") or "bash"
                if shell.split()[0] in ("bash", "sh"):
                    yield f"jobs.{job_id}.steps[{i}].run", step["run"]


def ado_scripts(node, path="$"):
    if isinstance(node, dict):
        for key in ("bash", "script"):
            if isinstance(node.get(key), str):
                yield f"{path}.{key}", node[key]
        task = node.get("task")
        inputs = node.get("inputs") if isinstance(node.get("inputs"), dict) else {}
        if task == "Bash@3" and isinstance(inputs.get("script"), str):
            yield f"{path}.inputs.script", inputs["script"]
        if (
            isinstance(task, str)
            and task.startswith("AzureCLI@")
            and str(inputs.get("scriptType", "")).lower() == "bash"
            and isinstance(inputs.get("inlineScript"), str)
        ):
            yield f"{path}.inputs.inlineScript", inputs["inlineScript"]
        for key, value in node.items():
            if key in ("bash", "script", "inputs"):
                continue
            yield from ado_scripts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from ado_scripts(value, f"{path}[{i}]")


def find_shellcheck() -> str:
    if os.environ.get("SHELLCHECK"):
        return os.environ["SHELLCHECK"]
    beside = Path(sys.executable).parent / "shellcheck"
    if beside.exists():
        return str(beside)
    found = shutil.which("shellcheck")
    if not found:
        sys.exit("shellcheck-scripts: shellcheck not found (set SHELLCHECK)")
    return found


def main(argv: list[str]) -> int:
    keep = None
    if len(argv) >= 2 and argv[0] == "--keep":
        keep, argv = argv[1], argv[2:]
    if not argv:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    out = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="shellcheck-scripts."))
    out.mkdir(parents=True, exist_ok=True)
    origin: dict[str, str] = {}
    for name in argv:
        doc = yaml.safe_load(Path(name).read_text(encoding="utf-8"))
        ado = not is_github(doc)
        scripts = ado_scripts(doc) if ado else github_scripts(doc)
        for n, (where, body) in enumerate(scripts):
            stem = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")
            script = out / f"{stem}__{n:03d}.sh"
            script.write_text("#!/usr/bin/env bash\n" + placeholder(body, ado), encoding="utf-8")
            origin[str(script)] = f"{name}: {where}"
    if not origin:
        print("shellcheck-scripts: no scripts found", file=sys.stderr)
        return 0
    result = subprocess.run(
        [find_shellcheck(), "--format=gcc", *sorted(origin)], capture_output=True, text=True
    )
    findings = [line for line in result.stdout.splitlines() if line.strip()]
    for line in findings:
        script = line.split(":", 1)[0]
        print(f"{origin.get(script, '?')}: {line}")
    if result.returncode not in (0, 1) or result.stderr.strip():
        print(result.stderr, file=sys.stderr)
        return 2
    print(
        f"shellcheck-scripts: {len(origin)} script(s) in {len(argv)} file(s), "
        f"{len(findings)} finding(s)",
        file=sys.stderr,
    )
    if not keep:
        shutil.rmtree(out)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
