//! The committed schema is the one the code generates, and every example satisfies it.
//! `MLGEN_UPDATE_SCHEMA=1 cargo test --test schema` rewrites the file.

mod common;

#[test]
fn committed_schema_is_up_to_date() {
    let path = common::root().join("schemas/mlgen.schema.json");
    let generated = mlgen::schema::schema_text();
    if std::env::var_os("MLGEN_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schemas/mlgen.schema.json is stale: run `MLGEN_UPDATE_SCHEMA=1 cargo test --test schema` and commit it"
    );
}

#[test]
fn examples_validate_against_the_committed_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("schemas/mlgen.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    for spec in common::example_specs() {
        let yaml: serde_json::Value =
            serde_yaml::from_str(&std::fs::read_to_string(&spec).unwrap()).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&yaml)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", spec.display());
    }
}
