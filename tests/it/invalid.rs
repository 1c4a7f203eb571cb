//! One fixture per class of bad input; the snapshot is exactly what `mlgen validate` prints.

use crate::common;

#[test]
fn every_invalid_fixture_reports_its_diagnostics() {
    insta::glob!("../fixtures/invalid", "*.yaml", |path| {
        let name = path.file_stem().unwrap().to_str().unwrap();
        let relative = std::path::PathBuf::from(common::relative(path));
        let err = mlgen::validate_spec_file(&relative).expect_err("fixture must be invalid");
        let invalid = err
            .downcast_ref::<mlgen::SpecInvalid>()
            .expect("a spec error, not an I/O error");
        let text: String = invalid
            .diagnostics
            .iter()
            .map(ToString::to_string)
            .collect();
        common::snapshot_settings(name, path).bind(|| {
            insta::assert_snapshot!("diagnostics", text);
        });
    });
}
