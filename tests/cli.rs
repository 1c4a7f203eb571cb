//! The command line as a user and a CI job see it: exit codes, messages, and what is (not)
//! written.

mod common;

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

fn example(name: &str) -> PathBuf {
    common::root()
        .join("examples")
        .join(name)
        .join("mlgen.yaml")
}

fn invalid(name: &str) -> PathBuf {
    common::root()
        .join("tests/fixtures/invalid")
        .join(format!("{name}.yaml"))
}

/// Runs `mlgen ARGS…` in `cwd`; returns (exit code, stdout, stderr).
fn run_in<S: AsRef<OsStr>>(cwd: &Path, args: &[S]) -> (i32, String, String) {
    let output = assert_cmd::Command::cargo_bin("mlgen")
        .unwrap()
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (
        output.status.code().unwrap_or(-1),
        text(output.stdout),
        text(output.stderr),
    )
}

/// Runs `mlgen ARGS…` in the crate root.
fn run<S: AsRef<OsStr>>(args: &[S]) -> (i32, String, String) {
    run_in(&common::root(), args)
}

/// Every file under `dir`, relative, sorted, with content.
fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                common::relative(e.path().strip_prefix(dir).unwrap()),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn render_into(spec: &Path, out: &Path) {
    let (code, _, stderr) = run(&[
        OsStr::new("render"),
        spec.as_os_str(),
        OsStr::new("-o"),
        out.as_os_str(),
    ]);
    assert_eq!(code, 0, "{stderr}");
}

fn check(spec: &Path, out: &Path) -> (i32, String, String) {
    run(&[
        OsStr::new("check"),
        spec.as_os_str(),
        OsStr::new("-o"),
        out.as_os_str(),
    ])
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
    let (code, stdout, _) = run(&[
        OsStr::new("render"),
        spec.as_os_str(),
        OsStr::new("-o"),
        out.as_os_str(),
    ]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("11 files") && stdout.contains("11 created"),
        "{stdout}"
    );
    let rendered: Vec<(String, Vec<u8>)> = mlgen::render_spec_file(&spec)
        .unwrap()
        .iter()
        .map(|(p, c)| (p.to_owned(), c.as_bytes().to_vec()))
        .collect();
    assert_eq!(files_under(&out), rendered);

    let (code, stdout, _) = check(&spec, &out);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("11 in sync, 0 modified, 0 missing"),
        "{stdout}"
    );

    let (_, again, _) = run(&[
        OsStr::new("render"),
        spec.as_os_str(),
        OsStr::new("-o"),
        out.as_os_str(),
    ]);
    assert!(
        again.contains("0 created, 0 updated, 11 unchanged"),
        "{again}"
    );
}

#[test]
fn check_reports_edited_and_missing_files_with_diffs() {
    let dir = tempfile::tempdir().unwrap();
    let spec = example("minimal");
    render_into(&spec, dir.path());
    let edited = dir.path().join("infrastructure/shared/main.tf");
    let text = fs::read_to_string(&edited).unwrap().replace(
        "purge_protection_enabled      = var",
        "purge_protection_enabled      = false && var",
    );
    fs::write(&edited, text).unwrap();
    fs::remove_file(dir.path().join("main/dev.tfvars")).unwrap();

    let (code, stdout, _) = check(&spec, dir.path());
    assert_eq!(code, 1);
    for expected in [
        "modified: infrastructure/shared/main.tf",
        "--- infrastructure/shared/main.tf (on disk)",
        "+++ infrastructure/shared/main.tf (rendered from spec)",
        "-  purge_protection_enabled      = false && var",
        "+  purge_protection_enabled      = var",
        "missing: main/dev.tfvars",
        "9 in sync, 1 modified, 1 missing",
        "to update the files run: mlgen render",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected} missing from:\n{stdout}"
        );
    }
}

#[test]
fn a_spec_change_is_drift() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("mlgen.yaml");
    fs::write(&spec, "version: 1\nproject:\n  name: churn\n").unwrap();
    render_into(&spec, dir.path());
    fs::write(
        &spec,
        "version: 1\nproject:\n  name: churn\n  location: northeurope\n",
    )
    .unwrap();
    let (code, stdout, _) = check(&spec, dir.path());
    assert_eq!(code, 1);
    assert!(
        stdout.contains("-location                        = \"westeurope\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("+location                        = \"northeurope\""),
        "{stdout}"
    );
}

#[test]
fn invalid_spec_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("keep.txt"), "user file").unwrap();
    let before = files_under(dir.path());
    for command in ["render", "check"] {
        let spec = invalid("range");
        let (code, _, stderr) = run(&[
            OsStr::new(command),
            spec.as_os_str(),
            OsStr::new("-o"),
            dir.path().as_os_str(),
        ]);
        assert_eq!(code, 2, "{command}");
        assert!(
            stderr.contains(
                "range.yaml:6:33: `shared.key_vault.soft_delete_retention_days` must be at least 7"
            ),
            "{stderr}"
        );
        assert!(
            stderr.contains("error: 4 problems in") && stderr.contains("nothing was written"),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert_eq!(files_under(dir.path()), before);
    let fresh = dir.path().join("never-created");
    let spec = invalid("layout-escape");
    let (code, _, _) = run(&[
        OsStr::new("render"),
        spec.as_os_str(),
        OsStr::new("-o"),
        fresh.as_os_str(),
    ]);
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
        stderr.starts_with("error: reading spec mlgen.yaml"),
        "{stderr}"
    );
    assert_eq!(run(&["render", "--target", "pulumi"]).0, 2);
    assert_eq!(run(&["frobnicate"]).0, 2);
}

#[test]
fn target_flag_renders_one_of_the_spec_targets() {
    let dir = tempfile::tempdir().unwrap();
    let spec = example("multi-cluster");
    let (code, stdout, _) = run(&[
        OsStr::new("render"),
        spec.as_os_str(),
        OsStr::new("-o"),
        dir.path().as_os_str(),
        OsStr::new("--target"),
        OsStr::new("bicep"),
    ]);
    assert_eq!(code, 0);
    assert!(stdout.contains("4 files"), "{stdout}");
    let files: Vec<String> = files_under(dir.path())
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert!(
        files
            .iter()
            .all(|p| matches!(p.rsplit('.').next(), Some("bicep" | "bicepparam"))),
        "{files:?}"
    );
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
    assert!(
        stderr.contains("--target bicep is not among the spec's targets"),
        "{stderr}"
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
    assert_eq!(schema, mlgen::schema::schema_text());
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
