//! Validation: a spec's text in, a typed [`Spec`] or every diagnostic out.
//!
//! Three passes, each reporting all it finds: YAML syntax (one position, from the parser),
//! the JSON Schema (each error's instance path mapped back to the YAML key or value through the
//! span index), then the semantic rules the schema cannot express (Azure naming rules for every
//! derived name, regions, `max_nodes >= min_nodes`, unique clusters, safe layout folders,
//! address ranges). A later pass runs only when the earlier ones were clean, because it needs
//! their result. Nothing here panics on user input and nothing here touches the filesystem.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use crate::diag::{Diagnostic, key_path, sort_and_dedup};
use crate::layout::{self, LayoutError};
use crate::load::{SourceFile, SpanIndex, parse, pointer_segment};
use crate::model::{self, Model};
use crate::rules;
use crate::spec::{Spec, Target};

/// Validates a spec file's text; returns the typed spec or all its diagnostics, sorted.
///
/// Semantic rules run even when the schema found errors: the offending nodes are pruned (so
/// their defaults apply) and every rule that reads a pruned node is skipped, so one run shows
/// everything that is knowably wrong without inventing follow-on errors.
pub fn validate(source: &SourceFile) -> Result<Spec, Vec<Diagnostic>> {
    let (value, spans) = parse(source).map_err(|d| vec![d])?;
    let ctx = Located {
        source,
        spans: &spans,
    };
    if value.is_null() {
        return Err(vec![ctx.make(
            (1, 1),
            "",
            "the spec is empty".into(),
            Some(minimal_spec_help()),
        )]);
    }
    let errors: Vec<ValidationError<'_>> = validator().iter_errors(&value).collect();
    let mut diagnostics: Vec<Diagnostic> =
        errors.iter().flat_map(|e| schema_error(e, &ctx)).collect();
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
        match serde_json::from_value::<Spec>(rest) {
            Ok(spec) => {
                diagnostics.extend(semantic_diagnostics(
                    &spec,
                    &Model::from_spec(&spec),
                    &pruned,
                    &ctx,
                ));
                if diagnostics.is_empty() {
                    return Ok(spec);
                }
            }
            // The schema accepted everything kept, so this is what the schema cannot express.
            Err(err) if diagnostics.is_empty() => {
                diagnostics.push(ctx.at_value("", format!("invalid spec: {err}"), None));
            }
            Err(_) => {}
        }
    }
    sort_and_dedup(&mut diagnostics);
    Err(diagnostics)
}

/// Pointers removed from the document before the semantic pass.
struct Pruned(Vec<String>);

impl Pruned {
    /// True when `pointer` was removed, or lies inside or around something removed.
    fn touches(&self, pointer: &str) -> bool {
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
                .map(|k| format!("{pointer}/{}", pointer_segment(k)))
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
    let key = key.replace("~1", "/").replace("~0", "~");
    if let Some(Value::Object(map)) = value.pointer_mut(parent) {
        map.remove(&key);
    }
}

/// The source and its span index: turns pointers into positioned diagnostics.
struct Located<'a> {
    source: &'a SourceFile,
    spans: &'a SpanIndex,
}

impl Located<'_> {
    fn make(
        &self,
        (line, column): (usize, usize),
        pointer: &str,
        message: String,
        help: Option<String>,
    ) -> Diagnostic {
        let mut d = self.source.diagnostic_at(line, column, pointer, message);
        d.help = help;
        d
    }

    /// At the value of `pointer` (or its nearest located ancestor).
    fn at_value(&self, pointer: &str, message: String, help: Option<String>) -> Diagnostic {
        let pos = self.spans.nearest(pointer).map_or((1, 1), |s| s.value);
        self.make(pos, pointer, message, help)
    }

    /// At the key of `pointer`, falling back to its value.
    fn at_key(&self, pointer: &str, message: String, help: Option<String>) -> Diagnostic {
        let pos = self
            .spans
            .nearest(pointer)
            .map_or((1, 1), |s| s.key.unwrap_or(s.value));
        self.make(pos, pointer, message, help)
    }
}

fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(crate::schema::schema_value)
}

fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::draft202012::new(schema())
            .expect("the generated schema is a valid draft 2020-12 schema")
    })
}

fn minimal_spec_help() -> String {
    "a minimal spec is `version: 1` and `project: {name: myproject}`; `mlgen init` writes a starter"
        .into()
}

/// One schema error as diagnostics (an unknown-keys error yields one per key).
fn schema_error(error: &ValidationError<'_>, ctx: &Located<'_>) -> Vec<Diagnostic> {
    let pointer = error.instance_path().as_str().to_owned();
    let key = key_path(&pointer);
    let instance = error.instance();
    let found = describe_value(instance);
    let one = |message: String, help: Option<String>| vec![ctx.at_value(&pointer, message, help)];
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => unexpected
            .iter()
            .map(|name| {
                let expected = expected_keys(error);
                let help = rules::suggest(name, expected.iter().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?"))
                    .or_else(|| {
                        (!expected.is_empty())
                            .then(|| format!("expected one of: {}", expected.join(", ")))
                    });
                let child = format!("{pointer}/{}", pointer_segment(name));
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
                .and_then(|s| rules::suggest(s, choices.iter().map(String::as_str)))
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
            let rule = rules::describe_pattern(pattern)
                .map_or_else(|| format!("match `{pattern}`"), str::to_owned);
            one(format!("`{key}` must be {rule}, found {found}"), None)
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
        ValidationErrorKind::UniqueItems => one(format!("`{key}` lists the same item twice"), None),
        _ => one(format!("`{key}`: {error}"), None),
    }
}

fn article(type_name: &str) -> String {
    match type_name {
        "integer" | "object" | "array" => format!("an {type_name}"),
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
fn expected_keys(error: &ValidationError<'_>) -> Vec<String> {
    // The schema path of an additionalProperties error ends in `/additionalProperties`; its
    // sibling `properties` lists the known keys.
    let schema_path = error.schema_path().as_str();
    let parent = schema_path
        .strip_suffix("/additionalProperties")
        .unwrap_or(schema_path);
    resolve(schema(), parent)
        .and_then(|n| n.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default()
}

/// Follows a schema pointer, stepping through `$ref`s as jsonschema does.
fn resolve<'a>(root: &'a Value, pointer: &str) -> Option<&'a Value> {
    let mut node = root;
    for segment in pointer.split('/').skip(1) {
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            node = root.pointer(reference.strip_prefix('#')?)?;
        }
        if segment == "$ref" {
            continue;
        }
        node = node.get(segment.replace("~1", "/").replace("~0", "~"))?;
    }
    if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        node = root.pointer(reference.strip_prefix('#')?)?;
    }
    Some(node)
}

fn semantic_diagnostics(
    spec: &Spec,
    model: &Model,
    pruned: &Pruned,
    ctx: &Located<'_>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let location = &model.project.location;
    if !pruned.touches("/project/location") && !rules::is_region(location) {
        let help = rules::suggest(location, rules::region_names())
            .map(|s| format!("did you mean `{s}`?"))
            .or_else(|| Some("`az account list-locations -o table` lists the region names".into()));
        let message =
            format!("`project.location`: `{location}` is not an Azure region mlgen knows");
        out.push(ctx.at_value("/project/location", message, help));
    }

    let replication = &model.storage_account.replication;
    let zonal = ["ZRS", "GZRS", "RAGZRS"].contains(&replication.as_str());
    let location_known = rules::is_region(location);
    if zonal
        && location_known
        && !rules::has_availability_zones(location)
        && !pruned.touches("/mlops/storage_account")
    {
        let written = spec
            .mlops
            .as_ref()
            .and_then(|m| m.storage_account.as_ref())
            .is_some_and(|s| s.replication.is_some());
        let at = if written {
            "/mlops/storage_account/replication"
        } else {
            "/project/location"
        };
        let message = format!(
            "`mlops.storage_account.replication`: {replication}{} needs a region with availability zones, and `{location}` has none",
            if written { "" } else { " (the default)" }
        );
        let help =
            Some("use `replication: LRS` or `GRS`, or a region with availability zones".into());
        out.push(ctx.at_value(at, message, help));
    }

    if !pruned.touches("/project/name") && !pruned.touches("/project/environment") {
        for (name, rule) in model.names.with_rules() {
            if let Err(problem) = rule.check(name) {
                let help = Some("shorten `project.name` or `project.environment`".into());
                out.push(ctx.at_value("/project/name", format!("`project.name`: {problem}"), help));
            }
        }
    }

    let clusters = spec
        .mlops
        .as_ref()
        .and_then(|m| m.compute_clusters.as_ref());
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, cluster) in clusters.into_iter().flatten().enumerate() {
        let here = format!("/mlops/compute_clusters/{i}");
        let (min_at, max_at) = (format!("{here}/min_nodes"), format!("{here}/max_nodes"));
        let min = cluster.min_nodes.unwrap_or(model::DEFAULT_MIN_NODES);
        let max = cluster.max_nodes.unwrap_or(model::DEFAULT_MAX_NODES);
        if max < min && !pruned.touches(&min_at) && !pruned.touches(&max_at) {
            let at = if cluster.max_nodes.is_some() {
                max_at
            } else {
                min_at
            };
            let message = format!(
                "`{}`: max_nodes ({max}) is less than min_nodes ({min})",
                key_path(&here)
            );
            out.push(ctx.at_value(&at, message, None));
        }
        if let Some(first) = seen.insert(cluster.name.to_ascii_lowercase(), i) {
            let message = format!(
                "`{}.name`: cluster name `{}` is already used by `mlops.compute_clusters[{first}]`",
                key_path(&here),
                cluster.name
            );
            let help = Some(
                "compute cluster names are case-insensitive and must be unique in a workspace"
                    .into(),
            );
            out.push(ctx.at_value(&format!("{here}/name"), message, help));
        }
    }

    for LayoutError { field, message } in layout::check(&model::raw_layout(spec)) {
        let at = format!("/layout/{field}");
        if !pruned.touches(&at) {
            out.push(ctx.at_value(&at, format!("`layout.{field}`: {message}"), None));
        }
    }

    if let Some(i) = model
        .targets
        .iter()
        .position(|t| *t == Target::Bicep)
        .filter(|_| !pruned.touches("/targets"))
    {
        let at = spec
            .targets
            .iter()
            .flatten()
            .position(|t| *t == Target::Bicep)
            .unwrap_or(i);
        let message =
            "`targets`: the bicep target is not available in this version of mlgen yet".into();
        out.push(ctx.at_value(
            &format!("/targets/{at}"),
            message,
            Some("use `targets: [terraform]`".into()),
        ));
    }

    if let Some(network) = &spec.network {
        if network.private_endpoints == Some(true) {
            let at = "/network/private_endpoints";
            if model.container_registry.sku != "Premium"
                && !pruned.touches("/mlops/container_registry")
            {
                let message = "`network.private_endpoints`: private endpoints need `mlops.container_registry.sku: Premium`";
                out.push(ctx.at_value(at, message.into(), None));
            }
            let message = "`network.private_endpoints`: private networking is not available in this version of mlgen yet";
            out.push(ctx.at_value(
                at,
                message.into(),
                Some("remove the key or set it to false".into()),
            ));
        }
        if let Some(Err(problem)) = network.address_space.as_deref().map(check_cidr) {
            let message = format!("`network.address_space`: {problem}");
            out.push(ctx.at_value("/network/address_space", message, None));
        }
    }

    for (tag, value) in spec.project.tags.iter().flatten() {
        let at = format!("/project/tags/{}", pointer_segment(tag));
        if tag.chars().count() > 512 {
            let message =
                "`project.tags`: a tag name may be at most 512 characters long (Azure limit)"
                    .into();
            out.push(ctx.at_key(&at, message, None));
        }
        if value.chars().count() > 256 {
            let message = format!(
                "`{}`: a tag value may be at most 256 characters long (Azure limit)",
                key_path(&at)
            );
            out.push(ctx.at_value(&at, message, None));
        }
    }
    if model.project.tags.len() > 50 {
        let message = format!(
            "`project.tags`: {} tags including mlgen's own; Azure allows 50 per resource",
            model.project.tags.len()
        );
        out.push(ctx.at_key("/project/tags", message, None));
    }
    out
}

/// An IPv4 CIDR a `VNet` can use: octets 0-255, prefix /8-/29, no host bits set.
fn check_cidr(cidr: &str) -> Result<(), String> {
    let (addr, prefix) = cidr.split_once('/').ok_or("expected ADDRESS/PREFIX")?;
    let octets: Vec<u32> = addr
        .split('.')
        .map(|o| o.parse().map_err(|_| format!("`{o}` is not a number")))
        .collect::<Result<_, _>>()?;
    if octets.len() != 4 || octets.iter().any(|&o| o > 255) {
        return Err(format!("`{addr}` is not an IPv4 address"));
    }
    let prefix: u32 = prefix
        .parse()
        .map_err(|_| format!("`{prefix}` is not a prefix length"))?;
    if !(8..=29).contains(&prefix) {
        return Err(format!(
            "prefix /{prefix} is outside the /8-/29 Azure allows for a virtual network"
        ));
    }
    let bits = octets.iter().fold(0u32, |acc, o| (acc << 8) | o);
    if bits & (u32::MAX >> prefix) != 0 {
        let network = bits & !(u32::MAX >> prefix);
        let dotted = [24, 16, 8, 0]
            .map(|s| ((network >> s) & 0xff).to_string())
            .join(".");
        return Err(format!(
            "`{cidr}` has host bits set; did you mean `{dotted}/{prefix}`?"
        ));
    }
    Ok(())
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
    fn cidr_rules() {
        assert!(check_cidr("10.0.0.0/16").is_ok());
        assert!(check_cidr("10.0.0.0/30").unwrap_err().contains("/8-/29"));
        assert!(
            check_cidr("10.0.1.0/16")
                .unwrap_err()
                .contains("did you mean `10.0.0.0/16`")
        );
        assert!(check_cidr("300.0.0.0/16").is_err());
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
