//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

pub mod bicep;
pub mod terraform;

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

/// Runs `mlgen ARGS…` in `cwd` with extra environment variables, as outside GitHub Actions
/// even there (annotations are tested on purpose, by setting `GITHUB_ACTIONS` in `env`).
fn output_of<S: AsRef<OsStr>>(
    cwd: &Path,
    args: &[S],
    env: &[(&str, &str)],
) -> std::process::Output {
    assert_cmd::Command::cargo_bin("mlgen")
        .unwrap()
        .current_dir(cwd)
        .args(args)
        .env_remove("GITHUB_ACTIONS")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

/// Runs `mlgen ARGS…` in `cwd` with extra environment variables; returns (exit code, stdout,
/// stderr).
pub fn run_in_env<S: AsRef<OsStr>>(
    cwd: &Path,
    args: &[S],
    env: &[(&str, &str)],
) -> (i32, String, String) {
    let output = output_of(cwd, args, env);
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (
        output.status.code().unwrap_or(-1),
        text(output.stdout),
        text(output.stderr),
    )
}

/// Runs `mlgen ARGS…` in `cwd`; returns (exit code, stdout, stderr).
pub fn run_in<S: AsRef<OsStr>>(cwd: &Path, args: &[S]) -> (i32, String, String) {
    run_in_env(cwd, args, &[])
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
    let output = output_of(&root(), args, env);
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

/// The built-in templates of both targets, compiled once per test binary: compiling is most
/// of a render's cost, and most tests only need the templates to render.
pub fn renderer() -> &'static mlgen::Renderer {
    static RENDERER: std::sync::OnceLock<mlgen::Renderer> = std::sync::OnceLock::new();
    RENDERER.get_or_init(|| {
        mlgen::Renderer::new(&mlgen::TemplateSet::builtin(), &mlgen::spec::Target::ALL)
            .expect("built-in templates compile")
    })
}

/// Renders the spec `yaml` (written to a temporary `mlgen.yaml`) with [`renderer`].
pub fn render_yaml(yaml: &str) -> mlgen::Tree {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mlgen.yaml");
    std::fs::write(&path, yaml).unwrap();
    mlgen::render_spec_with(&path, renderer()).unwrap_or_else(|e| panic!("{e:#}\n{yaml}"))
}

/// The folder of a tree path (`main/main.tf` → `main`; `main.tf` → `.`).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or(".", |(dir, _)| dir)
}

/// A tree folder joined with a relative path, `..` resolved (`main` + `../infrastructure/x` →
/// `infrastructure/x`); panics on a path that leaves the tree.
pub fn join(dir: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = dir
        .split('/')
        .filter(|p| *p != "." && !p.is_empty())
        .collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts
                    .pop()
                    .unwrap_or_else(|| panic!("{relative} leaves the tree from {dir}"));
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// Whether a tree path has the extension `extension` (`tf`, `bicep`).
pub fn has_extension(path: &str, extension: &str) -> bool {
    Path::new(path).extension().is_some_and(|e| e == extension)
}

/// The files of `tree` directly in folder `dir` with the extension `extension`.
pub fn files_in<'a>(
    tree: &'a mlgen::Tree,
    dir: &'a str,
    extension: &'a str,
) -> impl Iterator<Item = (&'a str, &'a str)> {
    tree.iter()
        .filter(move |(path, _)| parent(path) == dir && has_extension(path, extension))
}
