//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

pub mod bicep;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `path` relative to the crate root, with `/` separators, for stable snapshot text.
pub fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Every example spec, sorted.
pub fn example_specs() -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path().join("mlgen.yaml"))
        .filter(|p| p.is_file())
        .collect();
    specs.sort();
    specs
}

/// insta settings for one snapshot per input file: stored in `snapshots/`, named
/// `<snapshot>@<suffix>.snap`, recording the input file instead of the expression.
pub fn snapshot_settings(suffix: &str, input: &Path) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("snapshots"));
    settings.set_snapshot_suffix(suffix);
    settings.set_input_file(input);
    settings.set_omit_expression(true);
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// Runs `mlgen ARGS…` in `cwd`; returns (exit code, stdout, stderr).
pub fn run_in<S: AsRef<OsStr>>(cwd: &Path, args: &[S]) -> (i32, String, String) {
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

/// The spec of the example called `name`.
pub fn example(name: &str) -> PathBuf {
    root().join("examples").join(name).join("mlgen.yaml")
}

/// Runs `mlgen ARGS…` in the crate root.
pub fn run<S: AsRef<OsStr>>(args: &[S]) -> (i32, String, String) {
    run_in(&root(), args)
}

/// Runs `mlgen COMMAND SPEC -o OUT EXTRA…`.
pub fn run_on(command: &str, spec: &Path, out: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args: Vec<&OsStr> = vec![
        OsStr::new(command),
        spec.as_os_str(),
        OsStr::new("-o"),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    run(&args)
}

/// Runs `mlgen ARGS…` in the crate root with extra environment variables; returns (exit code,
/// `None` when killed by a signal; stdout; stderr).
pub fn run_env<S: AsRef<OsStr>>(args: &[S], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let output = assert_cmd::Command::cargo_bin("mlgen")
        .unwrap()
        .current_dir(root())
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (
        output.status.code(),
        text(output.stdout),
        text(output.stderr),
    )
}

/// Runs `mlgen render SPEC -o OUT` with extra environment variables; (exit code, stderr).
pub fn render_with_env(spec: &Path, out: &Path, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let args = [
        OsStr::new("render"),
        spec.as_os_str(),
        OsStr::new("-o"),
        out.as_os_str(),
    ];
    let (code, _, stderr) = run_env(&args, env);
    (code, stderr)
}
