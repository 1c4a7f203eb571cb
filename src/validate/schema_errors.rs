//! JSON Schema errors as diagnostics: each error's instance path is mapped back to the YAML key
//! or value it is about, and its kind becomes a sentence that names the key, says what was
//! expected and what was found, and suggests a fix where one is likely (`did you mean`).

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use super::{Located, minimal_spec_help};
use crate::cidr::Cidr;
use crate::diag::{Diagnostic, key_path, suggest};
use crate::load::pointer;
use crate::rules;

/// One schema error as diagnostics (an unknown-keys error yields one per key).
///
/// `within` locates the validated value in the spec: `""` for the whole spec, `/extra` when a
/// team schema validates only `extra`; `schema_root` is the schema the error came from.
pub(super) fn schema_error(
    error: &ValidationError<'_>,
    ctx: &Located<'_>,
    within: &str,
    schema_root: &Value,
) -> Vec<Diagnostic> {
    let pointer = format!("{within}{}", error.instance_path().as_str());
    let key = key_path(&pointer);
    let instance = error.instance();
    let found = describe_value(instance);
    let one = |message: String, help: Option<String>| vec![ctx.at_value(&pointer, message, help)];
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => unexpected
            .iter()
            .map(|name| {
                let expected = expected_keys(error, schema_root);
                let help = suggest(name, expected.iter().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?"))
                    .or_else(|| {
                        (!expected.is_empty())
                            .then(|| format!("expected one of: {}", expected.join(", ")))
                    });
                let child = format!("{pointer}/{}", pointer::escape(name));
                let place = if pointer.is_empty() {
                    "the spec".to_owned()
                } else {
                    format!("`{key}`")
                };
                ctx.at_key(&child, format!("unknown key `{name}` in {place}"), help)
            })
            .collect(),
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let place = if pointer.is_empty() {
                "the spec".to_owned()
            } else {
                format!("`{key}`")
            };
            let help = (pointer.is_empty() && name == "project").then(minimal_spec_help);
            vec![ctx.at_key(
                &pointer,
                format!("missing required key `{name}` in {place}"),
                help,
            )]
        }
        ValidationErrorKind::Type { .. } if pointer.is_empty() => one(
            format!(
                "the spec must be a mapping of keys such as `version:` and `project:`, found {found}"
            ),
            Some(minimal_spec_help()),
        ),
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => article(&t.to_string()),
                TypeKind::Multiple(ts) => ts
                    .iter()
                    .map(|t| article(&t.to_string()))
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            let wants = |name: &str| matches!(kind, TypeKind::Single(t) if t.to_string() == name);
            let help = match instance.as_ref() {
                Value::Number(_) | Value::Bool(_) if wants("string") => Some(format!(
                    "quote the value to make it a string: \"{}\"",
                    describe_plain(instance)
                )),
                Value::String(s) if wants("boolean") && ["true", "false"].contains(&s.as_str()) => {
                    Some(format!("write {s} without quotes"))
                }
                Value::String(s) if wants("integer") && s.parse::<u64>().is_ok() => {
                    Some(format!("write {s} without quotes"))
                }
                _ => None,
            };
            let found = match instance.as_ref() {
                Value::String(_) => format!("the string {found}"),
                _ => found,
            };
            one(format!("`{key}` must be {expected}, found {found}"), help)
        }
        ValidationErrorKind::Enum { options } => {
            let choices: Vec<String> = options
                .as_array()
                .into_iter()
                .flatten()
                .map(describe_plain)
                .collect();
            let help = instance
                .as_str()
                .and_then(|s| suggest(s, choices.iter().map(String::as_str)))
                .map(|s| format!("did you mean `{s}`?"));
            one(
                format!(
                    "`{key}` must be one of {}, found {found}",
                    choices.join(", ")
                ),
                help,
            )
        }
        ValidationErrorKind::Pattern { pattern } => {
            let rule =
                rules::describe_pattern(pattern).unwrap_or_else(|| format!("match `{pattern}`"));
            // A range the schema's shape refuses (`/016`, ` 10.0.0.0/16`) usually has an
            // obvious canonical form.
            let help = (*pattern == rules::IPV4_CIDR.schema_pattern())
                .then(|| instance.as_str().and_then(Cidr::suggestion))
                .flatten()
                .map(|cidr| format!("did you mean `{cidr}`?"));
            one(format!("`{key}` must be {rule}, found {found}"), help)
        }
        ValidationErrorKind::Minimum { limit } => one(
            format!("`{key}` must be at least {limit}, found {found}"),
            None,
        ),
        ValidationErrorKind::Maximum { limit } => one(
            format!("`{key}` must be at most {limit}, found {found}"),
            None,
        ),
        ValidationErrorKind::MinItems { limit } => {
            one(format!("`{key}` needs at least {limit} item(s)"), None)
        }
        ValidationErrorKind::MaxItems { limit } => one(
            format!("`{key}` lists more than {limit} items; mlgen renders at most {limit}"),
            None,
        ),
        ValidationErrorKind::UniqueItems => one(format!("`{key}` lists the same item twice"), None),
        _ => one(format!("`{key}`: {error}"), None),
    }
}

fn article(type_name: &str) -> String {
    match type_name {
        "object" => "a mapping".into(),
        "array" => "a list".into(),
        "integer" => "an integer".into(),
        "null" => "empty".into(),
        other => format!("a {other}"),
    }
}

/// How a found value is quoted in a message.
fn describe_value(value: &Value) -> String {
    match value {
        Value::String(s) if s.is_empty() => "an empty string".into(),
        Value::Null => "nothing (an empty value)".into(),
        Value::Bool(b) => format!("the boolean `{b}`"),
        Value::Number(n) => format!("the number `{n}`"),
        Value::String(s) => format!("`{s}`"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

fn describe_plain(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

/// The keys the schema allows where an unknown key was found, for "did you mean".
fn expected_keys(error: &ValidationError<'_>, schema_root: &Value) -> Vec<String> {
    // The schema path of an additionalProperties error ends in `/additionalProperties`; its
    // sibling `properties` lists the known keys.
    let schema_path = error.schema_path().as_str();
    let parent = schema_path
        .strip_suffix("/additionalProperties")
        .unwrap_or(schema_path);
    resolve(schema_root, parent)
        .and_then(|n| n.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default()
}

/// Follows a schema pointer, stepping through `$ref`s as jsonschema does.
fn resolve<'a>(root: &'a Value, pointer: &str) -> Option<&'a Value> {
    let mut node = root;
    for segment in pointer::segments(pointer) {
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            node = root.pointer(reference.strip_prefix('#')?)?;
        }
        if segment == "$ref" {
            continue;
        }
        node = node.get(&*segment)?;
    }
    if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        node = root.pointer(reference.strip_prefix('#')?)?;
    }
    Some(node)
}
