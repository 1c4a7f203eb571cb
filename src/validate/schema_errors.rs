//! JSON Schema errors as diagnostics: each error's instance path is mapped back to the YAML key
//! or value it is about, and its kind becomes a [`Problem`] holding the key, what was expected
//! and what was found, and the likely fix where there is one (the closest known key or choice).

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use super::Located;
use crate::cidr::Cidr;
use crate::diag::{Diagnostic, Found, KeyPath, Problem, suggest};
use crate::pointer;
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
    let at = || KeyPath::new(pointer.as_str());
    let instance = error.instance();
    let found = || Found::of(instance);
    let problem = match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            return unexpected
                .iter()
                .map(|name| {
                    let expected = expected_keys(error, schema_root);
                    let suggestion =
                        suggest(name, expected.iter().map(String::as_str)).map(str::to_owned);
                    let child = format!("{pointer}/{}", pointer::escape(name));
                    let problem = Problem::UnknownKey {
                        key: name.clone(),
                        mapping: at(),
                        suggestion,
                        expected,
                    };
                    ctx.at_key(&child, &problem)
                })
                .collect();
        }
        ValidationErrorKind::Required { property } => {
            let problem = Problem::MissingKey {
                key: property.as_str().unwrap_or_default().to_owned(),
                mapping: at(),
            };
            return vec![ctx.at_key(&pointer, &problem)];
        }
        ValidationErrorKind::Type { .. } if pointer.is_empty() => {
            Problem::NotAMapping { found: found() }
        }
        ValidationErrorKind::Type { kind } => Problem::WrongType {
            at: at(),
            expected: match kind {
                TypeKind::Single(t) => vec![*t],
                TypeKind::Multiple(ts) => ts.iter().collect(),
            },
            found: found(),
        },
        ValidationErrorKind::Enum { options } => {
            let choices: Vec<String> = options
                .as_array()
                .into_iter()
                .flatten()
                .map(describe_plain)
                .collect();
            let suggestion = instance
                .as_str()
                .and_then(|s| suggest(s, choices.iter().map(String::as_str)))
                .map(str::to_owned);
            Problem::NotOneOf {
                at: at(),
                choices,
                found: found(),
                suggestion,
            }
        }
        ValidationErrorKind::Pattern { pattern } => Problem::NoMatch {
            at: at(),
            rule: rules::describe_pattern(pattern),
            pattern: pattern.clone(),
            found: found(),
            // A range the schema's shape refuses (`/016`, ` 10.0.0.0/16`) usually has an
            // obvious canonical form.
            suggestion: (*pattern == rules::IPV4_CIDR.schema_pattern())
                .then(|| instance.as_str().and_then(Cidr::suggestion))
                .flatten(),
            // A regular expression says little to a reader; the schema's description of the
            // value, where it has one, says what is meant.
            description: rules::describe_pattern(pattern)
                .is_none()
                .then(|| description(error, schema_root))
                .flatten(),
        },
        // The schema words `version` as a range of one number; say what it is.
        ValidationErrorKind::Minimum { .. } | ValidationErrorKind::Maximum { .. }
            if within.is_empty() && pointer == "/version" =>
        {
            Problem::UnsupportedVersion { found: found() }
        }
        ValidationErrorKind::Minimum { limit } => Problem::BelowMinimum {
            at: at(),
            limit: limit.clone(),
            found: found(),
        },
        ValidationErrorKind::Maximum { limit } => Problem::AboveMaximum {
            at: at(),
            limit: limit.clone(),
            found: found(),
        },
        ValidationErrorKind::MinItems { limit } => Problem::TooFewItems {
            at: at(),
            limit: *limit,
        },
        ValidationErrorKind::MaxItems { limit } => Problem::TooManyItems {
            at: at(),
            limit: *limit,
        },
        ValidationErrorKind::UniqueItems => Problem::RepeatedItem { at: at() },
        // What the built-in schema never uses but a team's `extra.schema.json` may.
        ValidationErrorKind::ExclusiveMinimum { limit } => Problem::NotAboveMinimum {
            at: at(),
            limit: limit.clone(),
            found: found(),
        },
        ValidationErrorKind::ExclusiveMaximum { limit } => Problem::NotBelowMaximum {
            at: at(),
            limit: limit.clone(),
            found: found(),
        },
        ValidationErrorKind::MultipleOf { multiple_of } => Problem::NotMultiple {
            at: at(),
            of: *multiple_of,
            found: found(),
        },
        ValidationErrorKind::MinLength { limit } => Problem::TooShort {
            at: at(),
            limit: *limit,
            found: found(),
        },
        ValidationErrorKind::MaxLength { limit } => Problem::TooLong {
            at: at(),
            limit: *limit,
            found: found(),
        },
        ValidationErrorKind::Format { format } => Problem::BadFormat {
            at: at(),
            format: format.clone(),
            found: found(),
        },
        ValidationErrorKind::Constant { expected_value } => Problem::NotConstant {
            at: at(),
            expected: Found::of(expected_value),
            found: found(),
        },
        ValidationErrorKind::MinProperties { limit } => Problem::TooFewKeys {
            at: at(),
            limit: *limit,
        },
        ValidationErrorKind::MaxProperties { limit } => Problem::TooManyKeys {
            at: at(),
            limit: *limit,
        },
        _ => Problem::Schema {
            at: at(),
            detail: error.to_string(),
        },
    };
    vec![ctx.at_value(&pointer, &problem)]
}

/// A value as a spec writes it: a string without quotes, anything else as JSON.
fn describe_plain(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

/// The `description` of the schema node an error's keyword sits in.
fn description(error: &ValidationError<'_>, schema_root: &Value) -> Option<String> {
    let schema_path = error.schema_path().as_str();
    let parent = &schema_path[..schema_path.rfind('/')?];
    resolve(schema_root, parent)?
        .get("description")?
        .as_str()
        .map(str::to_owned)
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
