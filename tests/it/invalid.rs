//! One fixture per class of bad input; the snapshot is exactly the diagnostics `mlgen validate`
//! prints: errors and warnings in position order, or a valid spec's warnings alone.

use std::ffi::OsStr;

use crate::common;

#[test]
fn every_invalid_fixture_reports_its_diagnostics() {
    insta::glob!("../fixtures/invalid", "*.yaml", |path| {
        let name = path.file_stem().unwrap().to_str().unwrap();
        let relative = std::path::PathBuf::from(common::relative(path));
        let diagnostics = match mlgen::load_spec(&relative, &mlgen::RenderOptions::default()) {
            Ok((valid, _)) => {
                assert!(
                    !valid.warnings.is_empty(),
                    "fixture must be invalid or warn"
                );
                valid.warnings
            }
            Err(err) => {
                let invalid = err
                    .downcast_ref::<mlgen::SpecInvalid>()
                    .expect("a spec error, not an I/O error");
                invalid.diagnostics.clone()
            }
        };
        let text: String = diagnostics.iter().map(ToString::to_string).collect();
        common::snapshot_settings(name, path).bind(|| {
            insta::assert_snapshot!("diagnostics", text);
        });
    });
}

/// Warnings never change the outcome: a spec whose only problems are warnings validates and
/// renders (exit 0) with the warnings on stderr; with errors too, both are printed in position
/// order, the summary counts each, and nothing is written.
#[test]
fn warnings_print_but_never_fail() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("mlgen.yaml");
    std::fs::write(
        &spec,
        "version: 1\nproject:\n  name: churn\nmlops:\n  compute_clusters:\n    - name: cpu-cluster\n      vm_size: Standard_DS3_v3\n",
    )
    .unwrap();
    let warning = format!(
        "{}:7:16: warning: `mlops.compute_clusters[0].vm_size`: `Standard_DS3_v3` is not an Azure Machine Learning VM size mlgen knows\n  |\n7 |       vm_size: Standard_DS3_v3\n  |                ^^^^^^^^^^^^^^^\n  = help: did you mean `Standard_DS3_v2`?\n",
        spec.display()
    );
    let (code, stdout, stderr) = common::run(&[OsStr::new("validate"), spec.as_os_str()]);
    assert_eq!((code, stderr.as_str()), (0, warning.as_str()));
    assert_eq!(stdout, format!("{}: valid\n", spec.display()));

    let out = dir.path().join("out");
    let (code, _, stderr) = common::run_on("render", &spec, &out, &[]);
    assert_eq!((code, stderr.as_str()), (0, warning.as_str()));
    assert!(
        out.join("main/main.tf").is_file(),
        "rendered despite the warning"
    );
    let (code, _, stderr) = common::run_on("check", &spec, &out, &[]);
    assert_eq!((code, stderr.as_str()), (0, warning.as_str()));

    std::fs::write(
        &spec,
        "version: 1\nproject:\n  name: churn\n  location: westeurop\nmlops:\n  compute_clusters:\n    - name: cpu-cluster\n      vm_size: Standard_DS3_v3\n      vm_priority: spot\n",
    )
    .unwrap();
    let (code, _, stderr) = common::run(&[OsStr::new("validate"), spec.as_os_str()]);
    assert_eq!(code, 2, "{stderr}");
    let file = spec.display().to_string();
    let heads: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with(&file) || l.starts_with("error:"))
        .collect();
    assert_eq!(
        heads,
        [
            format!("{file}:4:13: `project.location`: `westeurop` is not an Azure region mlgen knows").as_str(),
            format!("{file}:8:16: warning: `mlops.compute_clusters[0].vm_size`: `Standard_DS3_v3` is not an Azure Machine Learning VM size mlgen knows").as_str(),
            format!("{file}:9:20: `mlops.compute_clusters[0].vm_priority` must be one of dedicated, low_priority, found `spot`").as_str(),
            format!("error: 2 problems in {file}, and 1 warning").as_str(),
        ]
    );
}
