//! Validation: a spec's text in, a typed [`Spec`] or every diagnostic out.
//!
//! Three passes, each reporting all it finds: YAML syntax (one position, from the parser), the
//! JSON Schema ([`schema_errors`]: each error's instance path mapped back to the YAML key or
//! value through the span index), then the rules the schema cannot express ([`semantic`]),
//! some of which only warn: a warning goes out with a valid spec, or among the errors of an
//! invalid one.
//! Nothing here panics on user input and nothing here touches the filesystem.

mod schema_errors;
mod semantic;

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use crate::diag::{Diagnostic, KeyPath, Problem, sort_and_dedup};
use crate::load::{SourceFile, SpanIndex, parse};
use crate::model::Model;
use crate::pointer;
use crate::spec::Spec;

/// A valid spec: the typed spec, the model built from it (once: rendering uses this one), and
/// the parsed document with its span index, for checks that come later (a team folder's
/// `extra` schema) without parsing the text again.
#[derive(Debug)]
pub struct Validated {
    /// The typed spec.
    pub spec: Spec,
    /// The resolved model.
    pub model: Model,
    /// What is worth a look but does not make the spec invalid, sorted by position.
    pub warnings: Vec<Diagnostic>,
    document: Value,
    spans: SpanIndex,
}

/// Validates a spec file's text; returns the typed spec, its model and its warnings, or all its
/// diagnostics (errors and warnings together, in position order: the order a reader fixes them
/// in), sorted.
///
/// Semantic rules run even when the schema found errors: the offending nodes are pruned (so
/// their defaults apply) and every rule that reads a pruned node is skipped, so one run shows
/// everything that is knowably wrong without inventing follow-on errors.
pub fn validate(source: &SourceFile) -> Result<Validated, Vec<Diagnostic>> {
    let (value, spans) = parse(source).map_err(|d| vec![d])?;
    let ctx = Located::new(source, &spans);
    if value.is_null() {
        return Err(vec![ctx.make((1, 1), "", &Problem::EmptySpec)]);
    }
    let errors: Vec<ValidationError<'_>> = validator(&value).iter_errors(&value).collect();
    let mut diagnostics: Vec<Diagnostic> = errors
        .iter()
        .flat_map(|e| schema_errors::schema_error(e, &ctx, "", schema()))
        .collect();
    let pruned = errors
        .iter()
        .map(prunable)
        .collect::<Option<Vec<Vec<String>>>>()
        .map(|p| Pruned(p.concat()));
    if let Some(pruned) = pruned {
        let mut rest = value.clone();
        for pointer in &pruned.0 {
            remove(&mut rest, pointer);
        }
        match serde_path_to_error::deserialize::<_, Spec>(rest) {
            Ok(spec) => {
                let model = Model::from_spec(&spec);
                diagnostics.extend(semantic::diagnostics(&spec, &model, &pruned, &ctx));
                if !diagnostics.iter().any(Diagnostic::is_error) {
                    sort_and_dedup(&mut diagnostics);
                    return Ok(Validated {
                        spec,
                        model,
                        warnings: diagnostics,
                        document: value,
                        spans,
                    });
                }
            }
            // The schema accepted everything kept, so this is what the schema cannot express.
            Err(err) if diagnostics.is_empty() => {
                let pointer = to_pointer(err.path());
                let problem = Problem::Unreadable {
                    at: KeyPath::new(pointer.as_str()),
                    detail: err.inner().to_string(),
                };
                diagnostics.push(ctx.at_value(&pointer, &problem));
            }
            Err(_) => {}
        }
    }
    sort_and_dedup(&mut diagnostics);
    Err(diagnostics)
}

/// Validates the spec's `extra` values against a team template folder's JSON Schema, with the
/// same positioned diagnostics as the spec itself. `Err` when the team schema is not a valid
/// JSON Schema (a problem of the template folder, not of the spec).
pub(crate) fn validate_extra(
    source: &SourceFile,
    validated: &Validated,
    team_schema: &Value,
) -> anyhow::Result<Vec<Diagnostic>> {
    let validator = jsonschema::validator_for(team_schema)
        .map_err(|err| anyhow::anyhow!("it is not a valid JSON Schema: {err}"))?;
    let ctx = Located::new(source, &validated.spans);
    let Some(extra) = validated.document.get("extra") else {
        return Ok(extra_missing(source, &validator));
    };
    let mut diagnostics: Vec<Diagnostic> = validator
        .iter_errors(extra)
        .flat_map(|e| schema_errors::schema_error(&e, &ctx, "/extra", team_schema))
        .collect();
    sort_and_dedup(&mut diagnostics);
    Ok(diagnostics)
}

/// The one diagnostic of a spec without `extra` whose team schema refuses an empty `extra`:
/// about the document as a whole (no snippet, since its first line is not what is wrong),
/// naming the keys the team schema requires.
fn extra_missing(source: &SourceFile, validator: &Validator) -> Vec<Diagnostic> {
    let empty = Value::Object(serde_json::Map::new());
    let errors: Vec<ValidationError<'_>> = validator.iter_errors(&empty).collect();
    if errors.is_empty() {
        return Vec::new();
    }
    let required = errors
        .iter()
        .filter_map(|e| match e.kind() {
            ValidationErrorKind::Required { property } => property.as_str().map(str::to_owned),
            _ => None,
        })
        .collect();
    let problem = Problem::ExtraMissing { required };
    vec![source.diagnostic_on(1, 1, None, "", &problem)]
}

/// A serde path (`mlops.compute_clusters[0].max_nodes`) as a JSON pointer.
fn to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .map(|segment| match segment {
            Segment::Seq { index } => format!("/{index}"),
            Segment::Map { key } => format!("/{}", pointer::escape(key)),
            Segment::Enum { variant } => format!("/{}", pointer::escape(variant)),
            Segment::Unknown => String::new(),
        })
        .collect()
}

/// Pointers removed from the document before the semantic pass.
pub(super) struct Pruned(Vec<String>);

impl Pruned {
    /// True when `pointer` was removed, or lies inside or around something removed.
    pub(super) fn touches(&self, pointer: &str) -> bool {
        self.0.iter().any(|r| {
            r == pointer
                || r.starts_with(&format!("{pointer}/"))
                || pointer.starts_with(&format!("{r}/"))
        })
    }
}

/// What to prune for one schema error: `None` when pruning cannot make the rest valid
/// (a missing key, the whole document, a list item whose removal would renumber its siblings).
fn prunable(error: &ValidationError<'_>) -> Option<Vec<String>> {
    let pointer = error.instance_path().as_str();
    match error.kind() {
        ValidationErrorKind::Required { .. } => None,
        ValidationErrorKind::AdditionalProperties { unexpected } => Some(
            unexpected
                .iter()
                .map(|k| format!("{pointer}/{}", pointer::escape(k)))
                .collect(),
        ),
        _ if pointer.is_empty() => None,
        _ if pointer
            .rsplit('/')
            .next()
            .is_some_and(|last| last.bytes().all(|b| b.is_ascii_digit())) =>
        {
            None
        }
        _ => Some(vec![pointer.to_owned()]),
    }
}

/// Removes the object member at `pointer` (a no-op if it is already gone).
fn remove(value: &mut Value, pointer: &str) {
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return;
    };
    if let Some(Value::Object(map)) = value.pointer_mut(parent) {
        map.remove(&*pointer::unescape(key));
    }
}

/// The source and its span index: turns pointers into positioned diagnostics.
pub(super) struct Located<'a> {
    source: &'a SourceFile,
    spans: &'a SpanIndex,
    /// The source's lines, split once: a spec with thousands of problems would otherwise be
    /// scanned from the top for each one.
    lines: Vec<&'a str>,
}

impl<'a> Located<'a> {
    fn new(source: &'a SourceFile, spans: &'a SpanIndex) -> Self {
        Self {
            source,
            spans,
            lines: crate::load::yaml_lines(&source.text).collect(),
        }
    }

    /// The diagnostic of `problem` at a line and column, about `pointer`.
    pub(super) fn make(
        &self,
        (line, column): (usize, usize),
        pointer: &str,
        problem: &Problem,
    ) -> Diagnostic {
        let line_text = self.lines.get(line.saturating_sub(1)).copied();
        self.source
            .diagnostic_on(line, column, line_text, pointer, problem)
    }

    /// The diagnostic of `problem` at the value of `pointer` (or its nearest located ancestor).
    pub(super) fn at_value(&self, pointer: &str, problem: &Problem) -> Diagnostic {
        let pos = self.spans.nearest(pointer).map_or((1, 1), |s| s.value);
        self.make(pos, pointer, problem)
    }

    /// True when the spec itself holds `pointer` (rather than a default standing in for it).
    pub(super) fn has(&self, pointer: &str) -> bool {
        self.spans.get(pointer).is_some()
    }

    /// The diagnostic of `problem` at the key of `pointer`, falling back to its value.
    pub(super) fn at_key(&self, pointer: &str, problem: &Problem) -> Diagnostic {
        self.make(self.key_position(pointer), pointer, problem)
    }

    /// Line and column of the key of `pointer` (or of its value, or of its nearest located
    /// ancestor).
    pub(super) fn key_position(&self, pointer: &str) -> (usize, usize) {
        self.spans
            .nearest(pointer)
            .map_or((1, 1), |s| s.key.unwrap_or(s.value))
    }
}

pub(super) fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(crate::schema::schema_value)
}

/// The validator for `document`. The `pipelines` section holds most of the schema's patterns,
/// and compiling them nearly doubled the validator's start-up, which every run of every spec
/// pays: a spec without `pipelines` gets a validator whose `pipelines` property accepts
/// anything (it is absent, so nothing is missed), and only one with `pipelines` compiles the
/// whole schema.
fn validator(document: &Value) -> &'static Validator {
    static WHOLE: OnceLock<Validator> = OnceLock::new();
    static WITHOUT_PIPELINES: OnceLock<Validator> = OnceLock::new();
    let compile = |schema: &Value| {
        jsonschema::draft202012::new(schema)
            .expect("the generated schema is a valid draft 2020-12 schema")
    };
    if document.get("pipelines").is_some() {
        WHOLE.get_or_init(|| compile(schema()))
    } else {
        WITHOUT_PIPELINES.get_or_init(|| {
            let mut lean = schema().clone();
            lean["properties"]["pipelines"] = Value::Bool(true);
            compile(&lean)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostics(text: &str) -> Vec<String> {
        let source = SourceFile {
            path: "s.yaml".into(),
            text: text.into(),
        };
        match validate(&source) {
            Ok(_) => Vec::new(),
            Err(ds) => ds
                .iter()
                .map(|d| format!("{}:{}: {}", d.line, d.column, d.message))
                .collect(),
        }
    }

    #[test]
    fn minimal_spec_is_valid() {
        assert!(diagnostics("version: 1\nproject:\n  name: churn\n").is_empty());
    }

    #[test]
    fn reports_every_schema_error_at_its_key() {
        let ds = diagnostics(
            "version: 1\nproject:\n  name: Churn\n  nmae: x\nmlops:\n  compute_clusters:\n    - name: gpu\n      max_nodes: \"4\"\n",
        );
        assert_eq!(ds.len(), 3, "{ds:?}");
        assert!(
            ds[0].starts_with("3:9: `project.name` must be 2-12 lowercase"),
            "{ds:?}"
        );
        assert!(
            ds[1].starts_with("4:3: unknown key `nmae` in `project`"),
            "{ds:?}"
        );
        assert!(
            ds[2].starts_with("8:18: `mlops.compute_clusters[0].max_nodes` must be an integer"),
            "{ds:?}"
        );
    }

    #[test]
    fn any_version_but_1_is_named_as_such() {
        for (version, found) in [("2", "the number `2`"), ("0", "the number `0`")] {
            let ds = diagnostics(&format!("version: {version}\nproject:\n  name: churn\n"));
            assert_eq!(
                ds,
                [format!(
                    "1:10: `version` must be 1, the spec format this mlgen reads, found {found}"
                )]
            );
        }
    }

    #[test]
    fn warnings_go_out_with_a_valid_spec() {
        let source = SourceFile {
            path: "s.yaml".into(),
            text: "version: 1\nproject:\n  name: churn\nmlops:\n  compute_instances:\n    - {name: ci-a, vm_size: Standard_ds3_v2}\n".into(),
        };
        let valid = validate(&source).expect("warnings only");
        let warnings: Vec<(usize, usize, &str)> = valid
            .warnings
            .iter()
            .map(|d| (d.line, d.column, d.message.as_str()))
            .collect();
        assert_eq!(
            warnings,
            [(
                6,
                29,
                "`mlops.compute_instances[0].vm_size`: Azure spells `Standard_ds3_v2` as `Standard_DS3_v2`"
            )]
        );
        assert!(valid.warnings.iter().all(|d| !d.is_error()));
    }

    #[test]
    fn semantic_errors_come_together() {
        let ds = diagnostics(
            "version: 1\nproject:\n  name: churn\n  location: westeurop\nmlops:\n  compute_clusters:\n    - {name: a-1, min_nodes: 3, max_nodes: 2}\n    - {name: A-1}\n",
        );
        assert_eq!(ds.len(), 3, "{ds:?}");
        assert!(ds[0].contains("not an Azure region"));
        assert!(ds[1].contains("max_nodes (2) is less than min_nodes (3)"));
        assert!(ds[2].contains("already used by `mlops.compute_clusters[0]`"));
    }
}
