//! The command line as a user and a CI job see it: exit codes, messages, and what is (not)
//! written.

use crate::common;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

fn invalid(name: &str) -> PathBuf {
    common::root()
        .join("tests/fixtures/invalid")
        .join(format!("{name}.yaml"))
}

use common::{example, render_with_env, run, run_env, run_in, run_in_env, run_on};

/// Every file under `dir` (relative path → content), including mlgen's `.mlgen/` folder.
fn files_under(dir: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let path = common::relative(e.path().strip_prefix(dir).unwrap());
            (
                path,
                String::from_utf8_lossy(&fs::read(e.path()).unwrap()).into_owned(),
            )
        })
        .collect()
}

/// The generated files under `dir`: everything but the manifest.
fn generated_under(dir: &Path) -> BTreeMap<String, String> {
    let mut files = files_under(dir);
    files.retain(|path, _| !path.starts_with(".mlgen/"));
    files
}

/// Asserts two file maps are equal, printing paths rather than whole contents on failure.
fn assert_same_files(actual: &BTreeMap<String, String>, expected: &BTreeMap<String, String>) {
    assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (path, content) in expected {
        assert!(actual[path] == *content, "{path} differs");
    }
}

/// A file under `out` as mlgen prints it when run from the crate root (`out` is a temporary
/// folder elsewhere, so the joined path).
fn shown(out: &Path, path: &str) -> String {
    out.join(path).display().to_string()
}

fn render_into(spec: &Path, out: &Path) {
    let (code, _, stderr) = run_on("render", spec, out, &[]);
    assert_eq!(code, 0, "{stderr}");
}

fn check(spec: &Path, out: &Path) -> (i32, String, String) {
    run_on("check", spec, out, &[])
}

#[test]
fn help_lists_commands_and_exit_codes() {
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    for word in [
        "render",
        "check",
        "validate",
        "schema",
        "init",
        "Exit codes:",
        "1  check found drift",
    ] {
        assert!(out.contains(word), "{word} missing from:\n{out}");
    }
}

#[test]
fn render_writes_the_tree_and_check_is_then_clean() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("repo");
    let spec = example("minimal");
    let (code, stdout, _) = run_on("render", &spec, &out, &[]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("13 files") && stdout.contains("13 created"),
        "{stdout}"
    );
    let rendered: BTreeMap<String, String> = mlgen::render_spec_file(&spec)
        .unwrap()
        .iter()
        .map(|(p, c)| (p.to_owned(), c.to_owned()))
        .collect();
    assert_same_files(&generated_under(&out), &rendered);
    assert!(out.join(".mlgen/manifest.json").is_file());

    let (code, stdout, _) = check(&spec, &out);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("13 in sync, 0 modified, 0 missing"),
        "{stdout}"
    );

    let (_, again, _) = run_on("render", &spec, &out, &[]);
    assert!(
        again.contains("0 created, 0 updated, 13 unchanged"),
        "{again}"
    );
}

/// The line of a Terraform file that sets `key` (its first word), as rendered.
fn line_setting<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find(|line| line.split_whitespace().next() == Some(key))
        .unwrap_or_else(|| panic!("no line sets {key}:\n{text}"))
}

/// `check` after a hand edit and a deletion exits 1 and prints each file's state, a unified
/// diff from the file on disk to what the spec renders, the counts and the command that
/// updates the files.
#[test]
fn check_reports_edited_and_missing_files_with_diffs() {
    let dir = tempfile::tempdir().unwrap();
    let spec = example("minimal");
    render_into(&spec, dir.path());
    let edited = dir.path().join("infrastructure/shared/main.tf");
    let text = fs::read_to_string(&edited).unwrap();
    let original = line_setting(&text, "purge_protection_enabled");
    let by_hand = format!("{original} # edited");
    fs::write(&edited, text.replacen(original, &by_hand, 1)).unwrap();
    fs::remove_file(dir.path().join("main/dev.tfvars")).unwrap();

    let (code, stdout, _) = check(&spec, dir.path());
    assert_eq!(code, 1);
    for expected in [
        &format!(
            "modified: {}",
            shown(dir.path(), "infrastructure/shared/main.tf")
        ),
        &format!(
            "--- {} (on disk)",
            shown(dir.path(), "infrastructure/shared/main.tf")
        ),
        &format!(
            "+++ {} (rendered from spec)",
            shown(dir.path(), "infrastructure/shared/main.tf")
        ),
        &format!("\n-{by_hand}\n"),
        &format!("\n+{original}\n"),
        &format!("missing: {}", shown(dir.path(), "main/dev.tfvars")),
        "11 in sync, 1 modified, 1 missing",
        "to update the files run: mlgen render",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected} missing from:\n{stdout}"
        );
    }
}

/// The `location` line of the variable file `CHURN` renders, before and after `location:
/// northeurope` is added to it: what a diff of that change shows.
fn location_change() -> (String, String) {
    let line = |spec: &str| {
        let tree = common::render_yaml(spec);
        line_setting(tree.get("main/dev.tfvars").unwrap(), "location").to_owned()
    };
    let (before, after) = (
        line(CHURN),
        line(&format!("{CHURN}  location: northeurope\n")),
    );
    assert!(before.contains("westeurope") && after.contains("northeurope"));
    (before, after)
}

/// A changed spec is drift: `check` exits 1 and its diff takes the old value out and puts the
/// new one in.
#[test]
fn a_spec_change_is_drift() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("mlgen.yaml");
    fs::write(&spec, CHURN).unwrap();
    render_into(&spec, dir.path());
    let (before, after) = location_change();
    fs::write(&spec, format!("{CHURN}  location: northeurope\n")).unwrap();
    let (code, stdout, _) = check(&spec, dir.path());
    assert_eq!(code, 1);
    assert!(stdout.contains(&format!("\n-{before}\n")), "{stdout}");
    assert!(stdout.contains(&format!("\n+{after}\n")), "{stdout}");
}

#[test]
fn invalid_spec_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("keep.txt"), "user file").unwrap();
    let before = files_under(dir.path());
    for command in ["render", "check"] {
        let spec = invalid("range");
        let (code, _, stderr) = run_on(command, &spec, dir.path(), &[]);
        assert_eq!(code, 2, "{command}");
        assert!(
            stderr.contains(
                "range.yaml:6:33: `shared.key_vault.soft_delete_retention_days` must be at least 7"
            ),
            "{stderr}"
        );
        // Only a command that writes says it wrote nothing.
        let last = stderr.lines().last().unwrap();
        let written = if command == "render" {
            "; nothing was written"
        } else {
            ""
        };
        assert_eq!(
            last,
            format!("error: 4 problems in {}{written}", spec.display()),
            "{command}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert_same_files(&files_under(dir.path()), &before);
    let fresh = dir.path().join("never-created");
    let spec = invalid("layout-escape");
    let (code, _, _) = run_on("render", &spec, &fresh, &[]);
    assert_eq!(code, 2);
    assert!(!fresh.exists());
}

#[test]
fn validate_reports_all_problems_or_valid() {
    let (code, _, stderr) = run(&[OsStr::new("validate"), invalid("unknown-key").as_os_str()]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr.lines().filter(|l| l.contains("unknown key")).count(),
        3,
        "{stderr}"
    );
    let (code, stdout, _) = run(&[OsStr::new("validate"), example("multi-cluster").as_os_str()]);
    assert_eq!(code, 0);
    assert!(stdout.ends_with(": valid\n"), "{stdout}");
}

#[test]
fn missing_spec_and_bad_usage_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run_in(dir.path(), &["render"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: spec mlgen.yaml not found")
            && stderr.contains("run `mlgen init`"),
        "{stderr}"
    );
    assert_eq!(run(&["render", "--target", "pulumi"]).0, 2);
    assert_eq!(run(&["frobnicate"]).0, 2);
}

#[test]
fn target_flag_renders_one_of_the_spec_targets() {
    let dir = tempfile::tempdir().unwrap();
    let spec = example("multi-cluster");
    let (code, stdout, _) = run_on("render", &spec, dir.path(), &["--target", "bicep"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("5 files"), "{stdout}");
    let files: Vec<String> = generated_under(dir.path()).into_keys().collect();
    // The README describes what was rendered; `.gitignore` lists only Terraform's files.
    assert!(
        files
            .iter()
            .all(|p| p == "README.md"
                || matches!(p.rsplit('.').next(), Some("bicep" | "bicepparam"))),
        "{files:?}"
    );
    assert!(files.contains(&"README.md".to_owned()), "{files:?}");
}

#[test]
fn target_flag_must_name_a_spec_target() {
    let (code, _, stderr) = run(&[
        OsStr::new("check"),
        example("minimal").as_os_str(),
        OsStr::new("--target"),
        OsStr::new("bicep"),
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!(
            "error: --target bicep is not among the targets of {} (terraform); add bicep to \
             `targets:` in the spec to render it\n",
            example("minimal").display()
        )
    );
}

#[test]
fn schema_command_prints_the_committed_schema() {
    let committed = fs::read_to_string(common::root().join("schemas/mlgen.schema.json")).unwrap();
    assert_eq!(run(&["schema"]).1, committed);
}

#[test]
fn init_writes_a_valid_starter_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, _) = run(&[
        OsStr::new("init"),
        dir.path().as_os_str(),
        OsStr::new("--name"),
        OsStr::new("churn"),
    ]);
    assert_eq!(code, 0);
    let spec = dir.path().join("mlgen.yaml");
    let text = fs::read_to_string(&spec).unwrap();
    assert!(
        text.starts_with("# yaml-language-server: $schema=./mlgen.schema.json\n"),
        "{text}"
    );
    let schema = fs::read_to_string(dir.path().join("mlgen.schema.json")).unwrap();
    assert_eq!(schema, mlgen::schema_text());
    // The starter spells out every default, so it renders exactly like the minimal spec.
    let minimal = dir.path().join("minimal.yaml");
    fs::write(&minimal, "version: 1\nproject:\n  name: churn\n").unwrap();
    let strip = |p: &Path| {
        mlgen::render_spec_file(p)
            .unwrap()
            .to_snapshot_string()
            .replace("minimal.yaml", "mlgen.yaml")
    };
    assert_eq!(strip(&spec), strip(&minimal));

    fs::write(&spec, "edited by hand").unwrap();
    let (code, _, stderr) = run(&[OsStr::new("init"), dir.path().as_os_str()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(fs::read_to_string(&spec).unwrap(), "edited by hand");

    let other = dir.path().join("other");
    let (code, _, stderr) = run(&[
        OsStr::new("init"),
        other.as_os_str(),
        OsStr::new("--name"),
        OsStr::new("Bad_Name"),
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`project.name` must be 2-12 lowercase letters and digits"),
        "{stderr}"
    );
    assert!(!other.exists());
}

/// A spec in a temporary directory, rendered once into it.
fn rendered_repo(spec_text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("mlgen.yaml");
    fs::write(&spec, spec_text).unwrap();
    render_into(&spec, dir.path());
    (dir, spec)
}

const CHURN: &str = "version: 1\nproject:\n  name: churn\n";

#[test]
fn check_reports_an_orphan_after_the_environment_changes() {
    let (dir, spec) = rendered_repo(CHURN);
    fs::write(&spec, format!("{CHURN}  environment: prod\n")).unwrap();
    let (code, stdout, _) = check(&spec, dir.path());
    assert_eq!(code, 1);
    assert!(
        stdout.contains(&format!(
            "orphaned: {} (generated earlier, no longer produced)",
            shown(dir.path(), "main/dev.tfvars")
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "--- {} (on disk)",
            shown(dir.path(), "main/dev.tfvars")
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "missing: {}",
            shown(dir.path(), "main/prod.tfvars")
        )),
        "{stdout}"
    );
    assert!(stdout.contains("1 missing, 1 orphaned"), "{stdout}");

    // render removes the orphan it generated and records the new tree.
    let (code, stdout, _) = run_on("render", &spec, dir.path(), &[]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("1 created,") && stdout.contains("1 removed"),
        "{stdout}"
    );
    assert!(!dir.path().join("main/dev.tfvars").exists());
    assert_eq!(check(&spec, dir.path()).0, 0);
}

#[test]
fn render_refuses_to_overwrite_a_hand_edit_unless_forced() {
    let (dir, spec) = rendered_repo(CHURN);
    let edited = dir.path().join("main/main.tf");
    let by_hand = fs::read_to_string(&edited).unwrap() + "# my own addition\n";
    fs::write(&edited, &by_hand).unwrap();
    fs::write(&spec, format!("{CHURN}  location: northeurope\n")).unwrap();
    let before = files_under(dir.path());

    let (code, _, stderr) = run_on("render", &spec, dir.path(), &[]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!(
            "error: refusing to overwrite 1 generated file(s) edited by hand since mlgen wrote \
             them: {}\n  `mlgen check` shows the differences; move edits into the spec or a \
             team template, or run `mlgen render --force` to go ahead. Nothing was written.\n",
            shown(dir.path(), "main/main.tf")
        )
    );
    assert_same_files(&files_under(dir.path()), &before);

    let (code, stdout, _) = check(&spec, dir.path());
    assert_eq!(code, 1);
    assert!(
        stdout.contains(&format!(
            "modified: {} (edited by hand since mlgen wrote it)",
            shown(dir.path(), "main/main.tf")
        )),
        "{stdout}"
    );
    assert!(stdout.contains("-# my own addition"), "{stdout}");
    assert!(
        stdout.ends_with(&format!(
            "to update the files run: mlgen render {} -o {} --force\n",
            spec.display(),
            dir.path().display()
        )),
        "{stdout}"
    );

    let (code, stdout, _) = run_on("render", &spec, dir.path(), &["--force"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        !fs::read_to_string(&edited)
            .unwrap()
            .contains("my own addition")
    );
    assert_eq!(check(&spec, dir.path()).0, 0);
}

#[test]
fn a_file_mlgen_never_wrote_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("mlgen.yaml");
    fs::write(&spec, CHURN).unwrap();
    fs::create_dir_all(dir.path().join("main")).unwrap();
    fs::write(
        dir.path().join("main/main.tf"),
        "# the team's own root module\n",
    )
    .unwrap();
    let (code, _, stderr) = run_on("render", &spec, dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("main/main.tf"), "{stderr}");
    assert_eq!(
        fs::read_to_string(dir.path().join("main/main.tf")).unwrap(),
        "# the team's own root module\n"
    );
    assert!(
        !dir.path().join("main/versions.tf").exists(),
        "nothing written"
    );
}

#[test]
fn dry_run_shows_the_changes_and_writes_nothing() {
    let (dir, spec) = rendered_repo(CHURN);
    let (_, after) = location_change();
    fs::write(&spec, format!("{CHURN}  location: northeurope\n")).unwrap();
    let before = files_under(dir.path());
    let (code, stdout, _) = run_on("render", &spec, dir.path(), &["--dry-run"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains(&format!(
            "modified: {}\n",
            shown(dir.path(), "main/dev.tfvars")
        )),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("\n+{after}\n")), "{stdout}");
    assert!(
        stdout.ends_with("dry run: nothing was written\n"),
        "{stdout}"
    );
    assert_same_files(&files_under(dir.path()), &before);
}

#[test]
fn check_speaks_json_for_ci() {
    let (dir, spec) = rendered_repo(CHURN);
    fs::remove_file(dir.path().join("main/outputs.tf")).unwrap();
    let (code, stdout, _) = run_on("check", &spec, dir.path(), &["--format", "json"]);
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["in_sync"], false);
    assert_eq!(report["summary"]["missing"], 1);
    assert_eq!(report["summary"]["in_sync"], 12);
    let missing: Vec<&serde_json::Value> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["state"] == "missing")
        .collect();
    assert_eq!(missing[0]["path"], "main/outputs.tf");
    assert!(
        missing[0]["diff"]
            .as_str()
            .unwrap()
            .starts_with("--- main/outputs.tf (on disk)")
    );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let (dir, spec) = rendered_repo(CHURN);
    fs::write(&spec, format!("{CHURN}  location: northeurope\n")).unwrap();
    let check_with = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec![
            "check",
            spec.to_str().unwrap(),
            "-o",
            dir.path().to_str().unwrap(),
        ];
        all.extend(args);
        // An empty variable counts as unset, so the test does not inherit the caller's choice.
        let unset = [("CLICOLOR_FORCE", ""), ("NO_COLOR", ""), ("CLICOLOR", "")];
        run_env(&all, &[&unset[..], env].concat()).1
    };
    let plain = check_with(&[], &[]);
    assert!(!plain.contains('\x1b'), "not a terminal: no colour");
    let coloured = check_with(&["--color", "always"], &[("NO_COLOR", "1")]);
    assert!(coloured.contains("\x1b[32m+location"), "{coloured}");
    let forced = check_with(&[], &[("CLICOLOR_FORCE", "1")]);
    assert!(forced.contains("\x1b[32m+location"), "{forced}");
    let refused = check_with(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!refused.contains('\x1b'), "NO_COLOR wins: {refused}");
    let never = check_with(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]);
    assert!(!never.contains('\x1b'), "--color never wins: {never}");
}

#[test]
fn oversized_inputs_are_refused_with_their_limit() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.yaml");
    fs::write(
        &huge,
        format!(
            "version: 1\nproject: {{name: churn}}\nextra: {{pad: \"{}\"}}\n",
            "x".repeat(10 << 20)
        ),
    )
    .unwrap();
    let (code, _, stderr) = run(&[OsStr::new("validate"), huge.as_os_str()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("is larger than 4194304 bytes; mlgen reads specs of at most that"),
        "{stderr}"
    );

    let many = dir.path().join("many.yaml");
    let clusters = (0..1001)
        .map(|i| format!("    - {{name: c{i:04}x}}"))
        .collect::<Vec<_>>()
        .join("\n");
    fs::write(
        &many,
        format!("version: 1\nproject:\n  name: churn\nmlops:\n  compute_clusters:\n{clusters}\n"),
    )
    .unwrap();
    let (code, _, stderr) = run(&[OsStr::new("validate"), many.as_os_str()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`mlops.compute_clusters` lists more than 1000 items"),
        "{stderr}"
    );

    // A "billion laughs" alias bomb is refused by the YAML parser, not expanded.
    let bomb = dir.path().join("bomb.yaml");
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    text.push_str("version: 1\nproject: {name: churn}\nextra: {bomb: *a9}\n");
    fs::write(&bomb, text).unwrap();
    let (code, _, stderr) = run(&[OsStr::new("validate"), bomb.as_os_str()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("bomb.yaml:6:10:") && stderr.contains("more than 200000 values"),
        "{stderr}"
    );
}

/// Temporary files (`.….mlgen-….tmp`) anywhere under `dir`.
fn temporaries_under(dir: &Path) -> Vec<String> {
    files_under(dir)
        .into_keys()
        .filter(|p| p.contains(".mlgen-") && Path::new(p).extension().is_some_and(|e| e == "tmp"))
        .collect()
}

#[test]
fn a_killed_or_failed_render_is_finished_by_the_next_one() {
    let (dir, spec) = rendered_repo(CHURN);
    let before = generated_under(dir.path());
    fs::write(&spec, format!("{CHURN}  environment: prod\n")).unwrap();
    // A real process death (abort) halfway through, then a full disk at another step.
    for fault in ["kill@4", "enospc@3"] {
        let (code, stderr) = render_with_env(&spec, dir.path(), &[("MLGEN_FAULT", fault)]);
        assert_ne!(code, Some(0), "{fault}: {stderr}");
        if fault.starts_with("enospc") {
            assert_eq!(code, Some(2));
            assert!(
                stderr.contains("render stopped after 1 of")
                    && stderr.contains("the tree is partly updated, and")
                    && stderr.contains(".mlgen/journal.json records what this render was doing")
                    && stderr.contains("finishes it without --force"),
                "{stderr}"
            );
        }
        let (code, _, stderr) = check(&spec, dir.path());
        assert_eq!(code, 1);
        assert!(stderr.contains("was interrupted"), "{stderr}");
        // The previous spec renders again without --force, and leaves nothing behind.
        fs::write(&spec, CHURN).unwrap();
        let (code, stdout, stderr) = run_on("render", &spec, dir.path(), &[]);
        assert_eq!(code, 0, "{fault}: {stderr}");
        assert!(
            stdout.contains("finished an interrupted earlier render"),
            "{stdout}"
        );
        assert_same_files(&generated_under(dir.path()), &before);
        assert!(temporaries_under(dir.path()).is_empty());
        assert!(!dir.path().join(".mlgen/journal.json").exists());
        assert!(!dir.path().join(".mlgen/lock").exists());
        assert_eq!(check(&spec, dir.path()).0, 0);
        fs::write(&spec, format!("{CHURN}  environment: prod\n")).unwrap();
    }
}

#[test]
fn a_second_run_waits_for_the_lock_then_gives_up_writing_nothing() {
    let (dir, spec) = rendered_repo(CHURN);
    fs::write(&spec, format!("{CHURN}  environment: prod\n")).unwrap();
    let before = files_under(dir.path());
    let held = fs::File::create(dir.path().join(".mlgen/lock")).unwrap();
    held.lock().unwrap();
    let (code, stderr) = render_with_env(&spec, dir.path(), &[("MLGEN_LOCK_WAIT_MS", "200")]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("another mlgen run is writing"), "{stderr}");
    held.unlock().unwrap();
    let mut after = files_under(dir.path());
    after.remove(".mlgen/lock");
    let mut expected = before;
    expected.remove(".mlgen/lock");
    assert_same_files(&after, &expected);
}

#[cfg(unix)]
#[test]
fn links_and_special_files_are_never_read() {
    let (dir, spec) = rendered_repo(CHURN);
    // A generated path linked to the process environment: `check` must not print it.
    let target = dir.path().join("main/main.tf");
    fs::remove_file(&target).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", &target).unwrap();
    let args = [
        OsStr::new("check"),
        spec.as_os_str(),
        OsStr::new("-o"),
        dir.path().as_os_str(),
    ];
    let (code, stdout, stderr) = run_env(&args, &[("MLGEN_CANARY", "s3cr3t-canary")]);
    let all = format!("{stdout}{stderr}");
    assert_eq!(code, Some(2), "{all}");
    assert!(all.contains("main.tf is a symbolic link"), "{all}");
    assert!(!all.contains("s3cr3t-canary"), "{all}");
    let (code, _, stderr) = run_on("render", &spec, dir.path(), &["--force"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("symbolic link"), "{stderr}");

    // A FIFO or a device as the spec is refused at once, not read forever.
    let fifo = dir.path().join("fifo.yaml");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for special in [fifo.as_path(), Path::new("/dev/zero")] {
        let start = std::time::Instant::now();
        let (code, _, stderr) = run(&[OsStr::new("validate"), special.as_os_str()]);
        assert_eq!(code, 2);
        assert!(stderr.contains("not a regular file"), "{stderr}");
        assert!(start.elapsed().as_secs() < 5);
    }
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("mlgen.yaml");
    fs::write(&spec, format!("\u{feff}{CHURN}")).unwrap();
    let (code, stdout, stderr) = run(&[OsStr::new("validate"), spec.as_os_str()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("valid"));
}

#[cfg(unix)]
#[test]
fn init_and_export_never_write_through_links() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    fs::write(&victim, "keep").unwrap();
    // A link at the spec's name counts as "already there"; one at the schema's is refused.
    for (planted, message) in [
        ("mlgen.yaml", "already exists"),
        ("mlgen.schema.json", "symbolic link"),
    ] {
        let repo = dir.path().join(format!("repo-{planted}"));
        fs::create_dir(&repo).unwrap();
        std::os::unix::fs::symlink(&victim, repo.join(planted)).unwrap();
        let (code, _, stderr) = run(&[OsStr::new("init"), repo.as_os_str()]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(message), "{stderr}");
    }
    // `templates export` into a folder whose `terraform` is a link elsewhere.
    let team = dir.path().join("team");
    let elsewhere = dir.path().join("elsewhere");
    fs::create_dir_all(&team).unwrap();
    fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, team.join("terraform")).unwrap();
    let (code, _, stderr) = run(&[
        OsStr::new("templates"),
        OsStr::new("export"),
        team.as_os_str(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert!(fs::read_dir(&elsewhere).unwrap().next().is_none());
    assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
}

#[cfg(unix)]
#[test]
fn a_spec_team_folder_linked_outside_the_repository_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    let outside = dir.path().join("outside");
    fs::create_dir_all(&repo).unwrap();
    fs::create_dir_all(outside.join("terraform")).unwrap();
    fs::write(outside.join("terraform/leak.md.tera"), "secret").unwrap();
    std::os::unix::fs::symlink(&outside, repo.join("team")).unwrap();
    let spec = repo.join("mlgen.yaml");
    fs::write(&spec, format!("{CHURN}templates: team\n")).unwrap();
    let (code, _, stderr) = run(&[OsStr::new("validate"), spec.as_os_str()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("leads outside the spec's folder"),
        "{stderr}"
    );
}

#[test]
fn thousands_of_problems_are_counted_not_all_printed() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("many.yaml");
    let clusters = (0..5000)
        .map(|i| format!("    - {{name: C{i}, max_nodes: -1}}"))
        .collect::<Vec<_>>()
        .join("\n");
    fs::write(
        &spec,
        format!("{CHURN}mlops:\n  compute_clusters:\n{clusters}"),
    )
    .unwrap();
    let start = std::time::Instant::now();
    let (code, _, stderr) = run(&[OsStr::new("validate"), spec.as_os_str()]);
    assert_eq!(code, 2);
    assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
    assert!(
        stderr.contains("more problems, not shown; fix these first"),
        "{stderr}"
    );
    assert!(
        stderr.lines().count() < 600,
        "{} lines",
        stderr.lines().count()
    );
}

#[test]
fn a_layout_that_puts_a_folder_where_a_file_goes_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("mlgen.yaml");
    fs::write(&spec, format!("{CHURN}layout:\n  mlops: main/main.tf\n")).unwrap();
    let out = dir.path().join("out");
    let (code, _, stderr) = run_on("render", &spec, &out, &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(
            "nothing was written:\n  main/main.tf is rendered both as a file and as a folder"
        ),
        "{stderr}"
    );
    assert!(
        !out.exists(),
        "not even the output folder or .mlgen/ is left"
    );
}

/// Only the requested targets' templates are compiled: a broken Bicep team template cannot
/// stop a Terraform-only render, and is reported as soon as the spec asks for Bicep.
#[test]
fn only_the_requested_targets_templates_are_compiled() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("team/bicep/main")).unwrap();
    fs::write(
        dir.path().join("team/bicep/main/broken.bicep.tera"),
        "{% if %}",
    )
    .unwrap();
    let spec = dir.path().join("mlgen.yaml");
    let out = dir.path().join("out");
    fs::write(&spec, format!("{CHURN}templates: team\n")).unwrap();
    let (code, _, stderr) = run_on("render", &spec, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    fs::write(
        &spec,
        format!("{CHURN}templates: team\ntargets: [terraform, bicep]\n"),
    )
    .unwrap();
    let (code, _, stderr) = run_on("render", &spec, &out, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("bicep/main/broken.bicep.tera"), "{stderr}");
    let (code, _, stderr) = run_on("check", &spec, &out, &["--target", "terraform"]);
    assert_eq!(code, 0, "{stderr}");
}

/// A repository folder holding `mlgen.yaml` (CHURN), not yet rendered.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("mlgen.yaml"), CHURN).unwrap();
    dir
}

const SUBCOMMANDS: [&str; 7] = [
    "render",
    "check",
    "validate",
    "schema",
    "init",
    "templates",
    "completions",
];

/// Whether `program` can be run (it is on the PATH).
fn installed(program: &str) -> bool {
    std::process::Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn completions_for_every_shell_name_every_subcommand_and_parse() {
    let dir = tempfile::tempdir().unwrap();
    // The shell whose syntax checker runs here, when it is installed, and its flag.
    for (shell, checker) in [
        ("bash", Some(("bash", "-n"))),
        ("zsh", Some(("zsh", "-n"))),
        ("fish", Some(("fish", "--no-execute"))),
        ("powershell", None),
    ] {
        let (code, script, stderr) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {stderr}");
        for command in SUBCOMMANDS {
            assert!(script.contains(command), "{shell} lacks {command}");
        }
        if let Some((program, flag)) = checker.filter(|(p, _)| installed(p)) {
            let file = dir.path().join(format!("mlgen.{shell}"));
            fs::write(&file, &script).unwrap();
            let status = std::process::Command::new(program)
                .arg(flag)
                .arg(&file)
                .status()
                .unwrap();
            assert!(
                status.success(),
                "{program} {flag} refuses the {shell} script"
            );
        }
    }
    assert!(installed("bash"), "bash, at least, must check its script");
    assert_eq!(run(&["completions", "tcsh"]).0, 2);
}

#[test]
fn quiet_prints_nothing_on_success_and_keeps_errors_and_exit_codes() {
    let dir = repo();
    let cwd = dir.path();
    let quiet = |args: &[&str]| run_in(cwd, args);
    assert_eq!(
        quiet(&["-q", "validate"]),
        (0, String::new(), String::new())
    );
    assert_eq!(
        quiet(&["render", "-q", "-o", "infra"]),
        (0, String::new(), String::new())
    );
    assert_eq!(
        quiet(&["check", "-q", "-o", "infra"]),
        (0, String::new(), String::new())
    );
    fs::write(
        cwd.join("mlgen.yaml"),
        format!("{CHURN}  environment: prod\n"),
    )
    .unwrap();
    // Drift: only the exit code tells.
    assert_eq!(
        quiet(&["check", "-o", "infra", "--quiet"]),
        (1, String::new(), String::new())
    );
    assert_eq!(
        quiet(&["render", "--dry-run", "-q", "-o", "infra"]),
        (0, String::new(), String::new())
    );
    // Errors are still printed.
    fs::write(cwd.join("mlgen.yaml"), "version: 2\n").unwrap();
    let (code, stdout, stderr) = quiet(&["check", "-q", "-o", "infra"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(
        stderr.ends_with("\nerror: 2 problems in mlgen.yaml\n"),
        "{stderr}"
    );
    // -q says nothing, so it cannot be combined with a request to say something.
    for conflicting in [
        &["check", "-q", "--stat"][..],
        &["check", "-q", "--name-only"],
        &["check", "-q", "--format", "json"],
        &["check", "-q", "-v"],
        &["validate", "-q", "--format", "json"],
    ] {
        let (code, _, stderr) = quiet(conflicting);
        assert_eq!(code, 2, "{conflicting:?}");
        assert!(stderr.contains("cannot be used with"), "{stderr}");
    }
    let (_, help, _) = run(&["--help"]);
    assert!(help.contains("-q, --quiet"), "{help}");
}

/// The tree of CHURN as `check --stat` prints it into an empty `infra`: state, path and
/// line counts (every line added), aligned.
#[test]
fn stat_and_name_only_summarise_a_first_check() {
    let dir = repo();
    let tree = common::render_yaml(CHURN);
    let width = tree.iter().map(|(p, _)| p.len() + 6).max().unwrap();
    let mut expected = String::new();
    for (path, content) in tree.iter() {
        let shown = format!("infra/{path}");
        let lines = content.lines().count();
        expected.push_str(&format!("missing  {shown:width$}  +{lines} -0\n"));
    }
    expected.push_str(&format!(
        "mlgen: 0 in sync, 0 modified, {} missing, 0 orphaned\n\
         to update the files run: mlgen render mlgen.yaml -o infra\n",
        tree.len()
    ));
    let (code, stdout, _) = run_in(dir.path(), &["check", "-o", "infra", "--stat"]);
    assert_eq!(code, 1);
    assert_eq!(stdout, expected);

    let names: String = tree
        .iter()
        .map(|(p, _)| ["infra/", p, "\n"].concat())
        .collect();
    assert_eq!(
        run_in(dir.path(), &["check", "-o", "infra", "--name-only"]),
        (1, names.clone(), String::new())
    );
    assert_eq!(
        run_in(
            dir.path(),
            &["render", "--dry-run", "--name-only", "-o", "infra"]
        ),
        (0, names, String::new())
    );
    let (code, stdout, _) = run_in(
        dir.path(),
        &["render", "--dry-run", "--stat", "-o", "infra"],
    );
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with(&expected.lines().next().unwrap().to_string()),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(" orphaned\ndry run: nothing was written\n"),
        "{stdout}"
    );

    for conflicting in [
        &["check", "--stat", "--name-only"][..],
        &["check", "--stat", "--format", "json"],
        &["check", "--name-only", "--format", "json"],
        &["render", "--stat"],
        &["render", "--name-only"],
    ] {
        let (code, _, stderr) = run_in(dir.path(), conflicting);
        assert_eq!(code, 2, "{conflicting:?}");
        assert!(stderr.starts_with("error: "), "{stderr}");
    }
    assert!(!dir.path().join("infra").exists(), "nothing written");
    // Only `--format json` excludes the other views: text is the default spelled out.
    let (code, stdout, stderr) = run_in(
        dir.path(),
        &["check", "-o", "infra", "--stat", "--format", "text"],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains(" missing, 0 orphaned\n"), "{stdout}");
    let (_, _, stderr) = run_in(dir.path(), &["check", "--stat", "--format", "json"]);
    assert!(
        stderr.starts_with("error: the argument '--format json' cannot be used with '--stat'"),
        "{stderr}"
    );
}

/// `mlgen COMMAND SPEC --format json`, with `-o OUT` for `check`.
fn json_run(command: &str, spec: &Path, out: &Path) -> (i32, String, String) {
    let mut args = vec![OsStr::new(command), spec.as_os_str()];
    if command == "check" {
        args.extend([OsStr::new("-o"), out.as_os_str()]);
    }
    args.extend([OsStr::new("--format"), OsStr::new("json")]);
    run(&args)
}

#[test]
fn validate_speaks_json_and_json_errors_are_json() {
    let (code, stdout, _) = run(&[
        OsStr::new("validate"),
        example("minimal").as_os_str(),
        OsStr::new("--format"),
        OsStr::new("json"),
    ]);
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["valid"], true);
    assert_eq!(report["spec"], example("minimal").display().to_string());
    assert_eq!(report["diagnostics"], serde_json::json!([]));

    let dir = tempfile::tempdir().unwrap();
    for command in ["validate", "check"] {
        let spec = invalid("range");
        let (code, stdout, stderr) = json_run(command, &spec, dir.path());
        assert_eq!(code, 2, "{command}");
        assert!(
            stderr.contains("error: 4 problems in"),
            "stderr as before: {stderr}"
        );
        let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(report["valid"], false);
        assert_eq!(report["spec"], spec.display().to_string());
        let diagnostics = report["diagnostics"].as_array().unwrap();
        assert_eq!(diagnostics.len(), 4);
        let first = diagnostics
            .iter()
            .find(|d| d["line"] == 6)
            .expect("the line-6 problem");
        assert_eq!(first["file"], spec.display().to_string());
        assert_eq!(first["column"], 33);
        assert_eq!(
            first["pointer"],
            "/shared/key_vault/soft_delete_retention_days"
        );
        assert_eq!(
            first["message"],
            "`shared.key_vault.soft_delete_retention_days` must be at least 7, found the number `3`"
        );
        assert!(
            first.get("help").is_some(),
            "help is always present, maybe null"
        );
    }
    // Not a spec problem: `{"error": …}`.
    let missing = dir.path().join("nope.yaml");
    for command in ["validate", "check"] {
        let (code, stdout, stderr) = json_run(command, &missing, dir.path());
        assert_eq!(code, 2);
        let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let error = report["error"].as_str().unwrap();
        assert!(
            error.starts_with("spec ") && error.contains("not found"),
            "{error}"
        );
        assert_eq!(stderr, format!("error: {error}\n"));
        assert_eq!(report.as_object().unwrap().len(), 1);
    }
}

#[test]
fn github_annotations_for_spec_problems_and_drift() {
    let dir = tempfile::tempdir().unwrap();
    // A comma and a colon in the file name are escaped in the `file` property.
    let spec = "team,a:b.yaml";
    fs::write(
        dir.path().join(spec),
        "version: 1\nproject: {name: Bad_1}\n",
    )
    .unwrap();
    let github = [("GITHUB_ACTIONS", "true")];
    let (code, stdout, stderr) = run_in_env(dir.path(), &["validate", spec], &github);
    assert_eq!(code, 2);
    assert_eq!(
        stdout,
        "::error file=team%2Ca%3Ab.yaml,line=2,col=17,title=mlgen%3A invalid spec::\
         `project.name` must be 2-12 lowercase letters and digits, starting with a letter, \
         found `Bad_1`\n"
    );
    assert!(stderr.starts_with("team,a:b.yaml:2:17: "), "{stderr}");
    // Outside GitHub Actions, or when stdout is JSON: no annotations.
    assert_eq!(run_in_env(dir.path(), &["validate", spec], &[]).1, "");
    let (_, json, _) = run_in_env(dir.path(), &["validate", spec, "--format", "json"], &github);
    assert!(
        serde_json::from_str::<serde_json::Value>(&json).is_ok(),
        "{json}"
    );

    fs::write(dir.path().join("mlgen.yaml"), CHURN).unwrap();
    assert_eq!(run_in(dir.path(), &["render", "-q", "-o", "infra"]).0, 0);
    fs::write(
        dir.path().join("mlgen.yaml"),
        format!("{CHURN}  environment: prod\n"),
    )
    .unwrap();
    let (code, stdout, _) = run_in_env(
        dir.path(),
        &["check", "-o", "infra", "--name-only"],
        &github,
    );
    assert_eq!(code, 1);
    let fix = "Run `mlgen render mlgen.yaml -o infra` to update the generated files.";
    assert_eq!(
        stdout,
        format!(
            "infra/README.md\ninfra/main/dev.tfvars\ninfra/main/prod.tfvars\ninfra/main/variables.tf\n\
             ::error file=infra/README.md,line={},title=mlgen%3A modified::\
             infra/README.md differs from what mlgen.yaml renders. {fix}\n\
             ::error file=infra/main/dev.tfvars,title=mlgen%3A orphaned::infra/main/dev.tfvars \
             was generated earlier and is no longer rendered from mlgen.yaml. {fix}\n\
             ::error file=infra/main/prod.tfvars,line=1,title=mlgen%3A missing::\
             infra/main/prod.tfvars is rendered from mlgen.yaml but missing on disk. {fix}\n\
             ::error file=infra/main/variables.tf,line={},title=mlgen%3A modified::\
             infra/main/variables.tf differs from what mlgen.yaml renders. {fix}\n",
            first_difference(
                &fs::read_to_string(dir.path().join("infra/README.md")).unwrap(),
                common::render_yaml(&format!("{CHURN}  environment: prod\n"))
                    .get("README.md")
                    .unwrap()
            ),
            first_difference(
                &fs::read_to_string(dir.path().join("infra/main/variables.tf")).unwrap(),
                common::render_yaml(&format!("{CHURN}  environment: prod\n"))
                    .get("main/variables.tf")
                    .unwrap()
            )
        )
    );
}

/// The 1-based number of the first line where `new` differs from `old`.
fn first_difference(old: &str, new: &str) -> usize {
    old.lines()
        .zip(new.lines())
        .position(|(a, b)| a != b)
        .unwrap()
        + 1
}

#[test]
fn color_belongs_to_the_commands_that_colour() {
    let dir = repo();
    for args in [
        &["--color", "never", "check"][..],
        &["validate", "--color", "never"],
        &["render", "--color"],
        &["schema", "--color", "always"],
    ] {
        let (code, _, stderr) = run_in(dir.path(), args);
        assert_eq!(code, 2, "{args:?}");
        assert!(stderr.starts_with("error: "), "{stderr}");
    }
    let (code, stdout, _) = run_in(
        dir.path(),
        &["render", "--dry-run", "--color", "always", "-o", "infra"],
    );
    assert_eq!(code, 0);
    assert!(stdout.contains("\x1b[32m+"), "{stdout}");
    assert_eq!(run_in(dir.path(), &["check", "--color", "never"]).0, 1);
}

#[test]
fn target_must_be_listed_by_the_spec_everywhere() {
    let dir = repo();
    let expected = "error: --target bicep is not among the targets of mlgen.yaml (terraform); \
                    add bicep to `targets:` in the spec to render it\n";
    for args in [
        &["validate", "--target", "bicep"][..],
        &["render", "--target", "bicep"],
        &["check", "--target", "bicep"],
        &["render", "--dry-run", "--target", "bicep"],
    ] {
        let (code, stdout, stderr) = run_in(dir.path(), args);
        assert_eq!(
            (code, stdout.as_str(), stderr.as_str()),
            (2, "", expected),
            "{args:?}"
        );
    }
    assert_eq!(generated_under(dir.path()).len(), 1, "only the spec");
    let (code, stdout, _) = run_in(dir.path(), &["validate", "--target", "terraform"]);
    assert_eq!((code, stdout.as_str()), (0, "mlgen.yaml: valid\n"));
}

/// A dry run refuses, with the render's own message and exit code, whatever the render
/// refuses: a hand edit, a file mlgen never wrote, an edited orphan.
#[test]
fn dry_run_fails_where_the_render_would() {
    let dir = repo();
    let cwd = dir.path();
    assert_eq!(run_in(cwd, &["render", "-q", "-o", "infra"]).0, 0);
    let append = |path: &str, text: &str| {
        let file = cwd.join("infra").join(path);
        let old = fs::read_to_string(&file).unwrap_or_default();
        fs::write(file, old + text).unwrap();
    };
    append("main/main.tf", "# mine\n");
    append("main/dev.tfvars", "# mine\n");
    fs::write(
        cwd.join("mlgen.yaml"),
        format!("{CHURN}  environment: prod\n"),
    )
    .unwrap();
    append("main/prod.tfvars", "# someone else's\n");
    let before = files_under(cwd);
    let (dry_code, dry_out, dry_err) = run_in(cwd, &["render", "--dry-run", "-o", "infra"]);
    let (code, out, err) = run_in(cwd, &["render", "-o", "infra"]);
    assert_eq!((dry_code, code), (2, 2));
    assert_eq!((dry_out.as_str(), out.as_str()), ("", ""));
    assert_eq!(dry_err, err);
    assert_eq!(
        err,
        "error: refusing to overwrite 1 generated file(s) edited by hand since mlgen wrote them: \
         infra/main/main.tf\n\
         error: refusing to overwrite 1 file(s) that exist but were not written by mlgen: \
         infra/main/prod.tfvars\n\
         error: refusing to remove 1 file(s) no longer generated, edited by hand since mlgen \
         wrote them: infra/main/dev.tfvars; --force keeps them and stops tracking them\n  \
         `mlgen check` shows the differences; move edits into the spec or a team template, or \
         run `mlgen render --force` to go ahead. Nothing was written.\n"
    );
    assert_same_files(&files_under(cwd), &before);

    let (_, stdout, _) = run_in(cwd, &["check", "-o", "infra"]);
    assert!(
        stdout
            .contains("\nmodified: infra/main/prod.tfvars (exists but was not written by mlgen)\n"),
        "{stdout}"
    );
    // With --force the dry run goes ahead, and the render keeps the edited orphan.
    assert_eq!(
        run_in(
            cwd,
            &["render", "--dry-run", "--force", "-q", "-o", "infra"]
        )
        .0,
        0
    );
    let (code, stdout, _) = run_in(cwd, &["render", "--force", "-o", "infra"]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with(
            "mlgen: kept infra/main/dev.tfvars: no longer generated, but not exactly what mlgen \
             wrote; delete it yourself if it is unused\n"
        ),
        "{stdout}"
    );
}

/// Paths are printed as the user reaches them from the current directory; JSON keeps `path`
/// relative to the output directory and adds `file`.
#[test]
fn paths_are_relative_to_the_current_directory() {
    let dir = repo();
    let cwd = dir.path();
    assert_eq!(run_in(cwd, &["render", "-q", "-o", "infra"]).0, 0);
    fs::write(
        cwd.join("mlgen.yaml"),
        format!("{CHURN}  location: northeurope\n"),
    )
    .unwrap();
    // An absolute -o inside the current directory reads as the relative one.
    let absolute = cwd.join("infra").display().to_string();
    for out in ["infra", "./infra", absolute.as_str()] {
        let (code, stdout, _) = run_in(cwd, &["check", "-o", out]);
        assert_eq!(code, 1);
        assert!(
            stdout
                .lines()
                .any(|l| l == "modified: infra/main/dev.tfvars"),
            "{stdout}"
        );
        assert!(
            stdout.ends_with("to update the files run: mlgen render mlgen.yaml -o infra\n"),
            "{stdout}"
        );
    }
    let (_, stdout, _) = run_in(cwd, &["check", "-o", "infra", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let file = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["state"] == "modified" && f["path"] == "main/dev.tfvars")
        .unwrap();
    assert_eq!(file["file"], "infra/main/dev.tfvars");
    assert_eq!(report["out"], "infra");
}

#[test]
fn help_says_terraform_and_bicep() {
    let (_, help, _) = run(&["--help"]);
    assert!(
        help.starts_with(
            "Generate Azure Machine Learning infrastructure (Terraform and Bicep) from one YAML spec\n"
        ),
        "{help}"
    );
}
