//! The JSON Schema of the spec, generated from the `spec` types with schemars.
//!
//! The generated text is committed as `schemas/mlgen.schema.json` (a test fails when it is
//! stale), printed by `mlgen schema`, and compiled once per run to validate specs. Optional
//! keys are written without a `null` alternative: leaving a key empty (`tags:`) is almost always
//! a mistake, so it is reported rather than silently treated as "use the default".

use schemars::Schema;
use schemars::generate::SchemaSettings;
use schemars::transform::{RecursiveTransform, Transform as _};
use serde_json::Value;

use crate::spec::Spec;

/// The schema as a JSON value.
pub(crate) fn schema_value() -> Value {
    let mut schema = SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<Spec>();
    RecursiveTransform(drop_null_alternative).transform(&mut schema);
    schema.to_value()
}

/// The schema as pretty-printed JSON with a final newline, exactly as committed.
pub fn schema_text() -> String {
    let mut text =
        serde_json::to_string_pretty(&schema_value()).expect("a JSON value always serializes");
    text.push('\n');
    text
}

/// `Option<T>` becomes `T | null` in schemars; keep only `T`.
fn drop_null_alternative(schema: &mut Schema) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(types)) = object.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            object.insert("type".into(), only);
        }
    }
    let null = serde_json::json!({ "type": "null" });
    if let Some(Value::Array(choices)) = object.get("anyOf")
        && choices.len() == 2
        && choices.contains(&null)
    {
        let kept = choices.iter().find(|c| **c != null).cloned();
        object.remove("anyOf");
        if let Some(Value::Object(kept)) = kept {
            object.extend(kept);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_keys_do_not_accept_null() {
        let text = schema_text();
        assert!(!text.contains("\"null\""), "{text}");
        let schema = schema_value();
        assert_eq!(schema["properties"]["project"]["$ref"], "#/$defs/Project");
        assert_eq!(schema["additionalProperties"], false);
    }
}
