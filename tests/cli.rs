//! The command line as a user and a CI job see it: exit codes, messages, and what is (not)
//! written.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn mlgen() -> Command {
    Command::cargo_bin("mlgen").unwrap()
}

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

/// Every file under `dir`, relative, sorted, with content.
fn snapshot_dir(dir: &Path) -> Vec<(String, Vec<u8>)> {
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

fn stdout_of(cmd: &mut Command) -> String {
    String::from_utf8(cmd.output().unwrap().stdout).unwrap()
}

#[test]
fn help_lists_commands_and_exit_codes() {
    let out = stdout_of(mlgen().arg("--help"));
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
    let assert = mlgen()
        .arg("render")
        .arg(example("minimal"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(0);
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(
        stdout.contains("11 files") && stdout.contains("11 created"),
        "{stdout}"
    );
    let expected = mlgen::render_spec_file(&example("minimal")).unwrap();
    let on_disk = snapshot_dir(&out);
    let rendered: Vec<(String, Vec<u8>)> = expected
        .iter()
        .map(|(p, c)| (p.to_owned(), c.as_bytes().to_vec()))
        .collect();
    assert_eq!(on_disk, rendered);

    let check = stdout_of(
        mlgen()
            .arg("check")
            .arg(example("minimal"))
            .arg("-o")
            .arg(&out),
    );
    assert!(
        check.contains("11 in sync, 0 modified, 0 missing"),
        "{check}"
    );
    mlgen()
        .arg("check")
        .arg(example("minimal"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(0);

    // A second render changes nothing.
    let again = stdout_of(
        mlgen()
            .arg("render")
            .arg(example("minimal"))
            .arg("-o")
            .arg(&out),
    );
    assert!(
        again.contains("0 created, 0 updated, 11 unchanged"),
        "{again}"
    );
}

#[test]
fn check_reports_edited_and_missing_files_with_diffs() {
    let dir = tempfile::tempdir().unwrap();
    mlgen()
        .arg("render")
        .arg(example("minimal"))
        .arg("-o")
        .arg(dir.path())
        .assert()
        .code(0);
    let edited = dir.path().join("infrastructure/shared/main.tf");
    let text = fs::read_to_string(&edited).unwrap().replace(
        "purge_protection_enabled      = var",
        "purge_protection_enabled      = false && var",
    );
    fs::write(&edited, text).unwrap();
    fs::remove_file(dir.path().join("main/dev.tfvars")).unwrap();

    let output = mlgen()
        .arg("check")
        .arg(example("minimal"))
        .arg("-o")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("modified: infrastructure/shared/main.tf"),
        "{stdout}"
    );
    assert!(
        stdout.contains("--- infrastructure/shared/main.tf (on disk)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+++ infrastructure/shared/main.tf (rendered from spec)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("-  purge_protection_enabled      = false && var"),
        "{stdout}"
    );
    assert!(stdout.contains("missing: main/dev.tfvars"), "{stdout}");
    assert!(
        stdout.contains("9 in sync, 1 modified, 1 missing"),
        "{stdout}"
    );
    assert!(
        stdout.contains("to update the files run: mlgen render"),
        "{stdout}"
    );
}

#[test]
fn a_spec_change_is_drift() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("mlgen.yaml");
    fs::write(&spec, "version: 1\nproject:\n  name: churn\n").unwrap();
    mlgen()
        .arg("render")
        .arg(&spec)
        .arg("-o")
        .arg(dir.path())
        .assert()
        .code(0);
    fs::write(
        &spec,
        "version: 1\nproject:\n  name: churn\n  location: northeurope\n",
    )
    .unwrap();
    let output = mlgen()
        .arg("check")
        .arg(&spec)
        .arg("-o")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
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
    let before = snapshot_dir(dir.path());
    for command in ["render", "check"] {
        let output = mlgen()
            .arg(command)
            .arg(invalid("range"))
            .arg("-o")
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{command}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.contains(
                "range.yaml:6:33: `shared.key_vault.soft_delete_retention_days` must be at least 7"
            ),
            "{stderr}"
        );
        assert!(stderr.contains("error: 4 problems in"), "{stderr}");
        assert!(stderr.contains("nothing was written"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert_eq!(snapshot_dir(dir.path()), before);
    let fresh = dir.path().join("never-created");
    mlgen()
        .arg("render")
        .arg(invalid("layout-escape"))
        .arg("-o")
        .arg(&fresh)
        .assert()
        .code(2);
    assert!(!fresh.exists());
}

#[test]
fn validate_reports_all_problems_or_valid() {
    let output = mlgen()
        .arg("validate")
        .arg(invalid("unknown-key"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr.lines().filter(|l| l.contains("unknown key")).count(),
        3,
        "{stderr}"
    );
    let ok = mlgen()
        .arg("validate")
        .arg(example("multi-cluster"))
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
    assert!(String::from_utf8(ok.stdout).unwrap().ends_with(": valid\n"));
}

#[test]
fn missing_spec_and_bad_usage_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let output = mlgen()
        .current_dir(dir.path())
        .arg("render")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("error: reading spec mlgen.yaml"),
        "{stderr}"
    );
    mlgen()
        .arg("render")
        .arg("--target")
        .arg("pulumi")
        .assert()
        .code(2);
    mlgen().arg("frobnicate").assert().code(2);
}

#[test]
fn target_flag_must_name_a_spec_target() {
    let output = mlgen()
        .arg("check")
        .arg(example("minimal"))
        .arg("--target")
        .arg("bicep")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("--target bicep is not among the spec's targets")
    );
}

#[test]
fn schema_command_prints_the_committed_schema() {
    let committed = fs::read_to_string(common::root().join("schemas/mlgen.schema.json")).unwrap();
    assert_eq!(stdout_of(mlgen().arg("schema")), committed);
}

#[test]
fn init_writes_a_valid_starter_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    mlgen()
        .arg("init")
        .arg(dir.path())
        .arg("--name")
        .arg("churn")
        .assert()
        .code(0);
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
    let from_starter = mlgen::render_spec_file(&spec).unwrap();
    let from_minimal = mlgen::render_spec_file(&minimal).unwrap();
    let strip =
        |t: &mlgen::tree::Tree| t.to_snapshot_string().replace("minimal.yaml", "mlgen.yaml");
    assert_eq!(strip(&from_starter), strip(&from_minimal));

    fs::write(&spec, "edited by hand").unwrap();
    let output = mlgen().arg("init").arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("already exists")
    );
    assert_eq!(fs::read_to_string(&spec).unwrap(), "edited by hand");
}
