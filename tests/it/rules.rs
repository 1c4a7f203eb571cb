//! The rule catalog and its three spellings agree: for every rule's samples, the Rust check,
//! the schema pattern and the Terraform condition (rendered by `tf_validation` and evaluated by
//! the real `terraform console`) give the same verdict; the Bicep decorators rendered by
//! `bicep_decorators` parse back to the rule's limits; and every validation block and decorator
//! in the built-in output comes from the catalog.

use crate::common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;

use mlgen::rules::{self, Kind, Limits, Rule};
use mlgen::testing::quote_hcl;
use serde_json::Value;

/// Renders `template` (a team template written to `<target>/probe.<ext>.tera`) for a minimal
/// spec and returns the probe file.
fn render_probe(target: &str, ext: &str, template: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let team = dir.path().join("team").join(target);
    fs::create_dir_all(&team).unwrap();
    fs::write(team.join(format!("probe.{ext}.tera")), template).unwrap();
    let spec = dir.path().join("mlgen.yaml");
    fs::write(
        &spec,
        "version: 1\nproject:\n  name: probe\ntargets: [terraform, bicep]\ntemplates: team\n",
    )
    .unwrap();
    let tree = mlgen::render_spec_file(&spec).unwrap_or_else(|e| panic!("{e:#}"));
    tree.get(&format!("probe.{ext}")).unwrap().to_owned()
}

/// One way a rule is applied to a variable, and how a sample becomes that variable's value.
struct Variant {
    /// Suffix of the variable name.
    tag: &'static str,
    /// Extra `tf_validation` arguments.
    args: &'static str,
    /// The variable's value built from the sample expression.
    wrap: fn(&str) -> String,
}

const VALUE: Variant = Variant {
    tag: "v",
    args: "",
    wrap: |x| x.to_owned(),
};
const OPTIONAL: Variant = Variant {
    tag: "o",
    args: ", optional=true",
    wrap: |x| x.to_owned(),
};
const KEYS: Variant = Variant {
    tag: "k",
    args: ", keys=true, as=\"e\"",
    wrap: |x| format!("{{ ({x}) = {{}} }}"),
};
const ITEMS: Variant = Variant {
    tag: "i",
    args: ", items=true, as=\"e\"",
    wrap: |x| format!("[{x}]"),
};
const FIELD: Variant = Variant {
    tag: "f",
    args: ", field=\"f\", as=\"e\"",
    wrap: |x| format!("[{{ f = {x} }}]"),
};

fn variants(rule: &Rule) -> &'static [Variant] {
    match rule.kind {
        Kind::Text(_) => &[VALUE, OPTIONAL, KEYS, ITEMS, FIELD],
        Kind::OneOf(_) | Kind::Cidr { .. } | Kind::Guid | Kind::ResourceId(_) => {
            &[VALUE, KEYS, ITEMS, FIELD]
        }
        Kind::Whole { .. } => &[VALUE, ITEMS, FIELD],
        Kind::AtLeast { .. } => &[VALUE, ITEMS],
        Kind::Tags { .. } => &[VALUE],
        Kind::DistinctKeys => &[],
    }
}

/// Every sample of every rule with the verdict the catalog lists it under.
fn samples(rule: &Rule) -> impl Iterator<Item = (&'static str, bool)> {
    let valid = rule.valid.iter().map(|s| (*s, true));
    valid.chain(rule.invalid.iter().map(|s| (*s, false)))
}

/// `value` as a Terraform expression: exactly that value, through `jsondecode`.
fn hcl_value(value: &Value) -> String {
    format!("jsondecode({})", quote_hcl(&value.to_string()))
}

/// The `condition = …` of every `variable "<name>"` block of rendered Terraform.
fn conditions(tf: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current = None;
    for line in tf.lines() {
        if let Some(rest) = line.strip_prefix("variable \"") {
            current = Some(rest.split('"').next().unwrap().to_owned());
        } else if let Some(condition) = line.trim_start().strip_prefix("condition") {
            let expr = condition
                .trim_start()
                .strip_prefix("= ")
                .unwrap()
                .to_owned();
            out.entry(current.clone().unwrap()).or_default().push(expr);
        }
    }
    out
}

/// `condition` with every reference to `var.<name>` replaced by `expr`.
fn substitute(condition: &str, name: &str, expr: &str) -> String {
    let needle = format!("var.{name}");
    let mut out = String::new();
    let mut rest = condition;
    while let Some(at) = rest.find(&needle) {
        let after = &rest[at + needle.len()..];
        assert!(
            !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'),
            "variable names must not prefix each other"
        );
        out.push_str(&rest[..at]);
        out.push_str(&format!("({expr})"));
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Evaluates `expressions` (name → boolean HCL expression) in one `terraform console` run.
fn terraform_verdicts(expressions: &BTreeMap<String, String>) -> BTreeMap<String, bool> {
    let dir = tempfile::tempdir().unwrap();
    let mut tf = String::from("locals {\n  results = {\n");
    for (name, expression) in expressions {
        writeln!(tf, "    {name} = {expression}").unwrap();
    }
    tf.push_str("  }\n}\n");
    fs::write(dir.path().join("main.tf"), &tf).unwrap();
    let output = Command::new("terraform")
        .arg("console")
        .current_dir(dir.path())
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .env("TF_CLI_CONFIG_FILE", dir.path().join("none.tfrc"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"jsonencode(local.results)\n")?;
            child.wait_with_output()
        })
        .expect("terraform console runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "terraform console failed:\n{}\n{stdout}\n--- main.tf\n{tf}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The console prints the JSON text as an HCL string literal.
    let json: String = serde_json::from_str(stdout.trim()).expect("a quoted JSON string");
    serde_json::from_str(&json).unwrap()
}

fn has_terraform() -> bool {
    Command::new("terraform")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_validator_the_schema_and_terraform_agree_on_every_sample() {
    // The probe declares one variable per rule and variant, validated by `tf_validation`.
    let mut template = String::new();
    for (i, rule) in rules::ALL.iter().enumerate() {
        for variant in variants(rule) {
            write!(
                template,
                "variable \"r{i:02}{}\" {{\ntype = any\n{{{{ tf_validation(rule=\"{}\", var=\"r{i:02}{}\"{}) }}}}\n}}\n\n",
                variant.tag, rule.key, variant.tag, variant.args
            )
            .unwrap();
        }
        if matches!(rule.kind, Kind::DistinctKeys) {
            write!(
                template,
                "variable \"r{i:02}a\" {{\ntype = any\n{{{{ tf_validation(rule=\"{}\", var=\"r{i:02}a\", keys=true, other=\"r{i:02}b\") }}}}\n}}\n\n",
                rule.key
            )
            .unwrap();
        }
    }
    let rendered = render_probe("terraform", "tf", &template);
    let conditions = conditions(&rendered);

    let mut expressions = BTreeMap::new();
    let mut expected = BTreeMap::new();
    for (i, rule) in rules::ALL.iter().enumerate() {
        for (j, (sample, listed)) in samples(rule).enumerate() {
            let value = rules::sample_value(rule, sample);
            // The Rust check (what `validate` runs) gives the listed verdict.
            assert_eq!(rule.accepts(&value), listed, "{}: {sample:?}", rule.key);
            // So does the schema, where a pattern states the whole rule, and a pattern that
            // states only the form accepts every valid sample.
            if let (Some(pattern), Value::String(text)) = (rule.try_schema_pattern(), &value) {
                let schema = serde_json::json!({ "type": "string", "pattern": pattern });
                let by_schema = jsonschema::draft202012::new(&schema)
                    .unwrap()
                    .is_valid(&Value::String(text.clone()));
                match rule.kind {
                    Kind::Cidr { .. } => assert!(!listed || by_schema, "{}: {sample:?}", rule.key),
                    _ => assert_eq!(by_schema, listed, "schema of {}: {sample:?}", rule.key),
                }
            }
            let expr = hcl_value(&value);
            for variant in variants(rule) {
                let name = format!("r{i:02}{}", variant.tag);
                let [condition] = conditions[&name].as_slice() else {
                    panic!("{name}: one validation block")
                };
                let key = format!("{name}_{j:02}");
                expressions.insert(
                    key.clone(),
                    substitute(condition, &name, &(variant.wrap)(&expr)),
                );
                expected.insert(key, (rule.key, sample, listed));
            }
            if matches!(rule.kind, Kind::DistinctKeys) {
                let name = format!("r{i:02}a");
                let map = |k: usize| format!("{{ for name in {expr}[{k}] : name => {{}} }}");
                let condition = &conditions[&name][0];
                let condition = substitute(condition, &name, &map(0));
                let key = format!("{name}_{j:02}");
                expressions.insert(
                    key.clone(),
                    substitute(&condition, &format!("r{i:02}b"), &map(1)),
                );
                expected.insert(key, (rule.key, sample, listed));
            }
        }
        if variants(rule).iter().any(|v| v.tag == "o") {
            let name = format!("r{i:02}o");
            let key = format!("{name}_null");
            expressions.insert(
                key.clone(),
                substitute(&conditions[&name][0], &name, "null"),
            );
            expected.insert(key, (rule.key, "null", true));
        }
    }
    if !has_terraform() {
        eprintln!(
            "SKIPPED the Terraform half: `terraform` is not on PATH, so the {} rendered \
             conditions were not evaluated (the Rust and schema verdicts were checked)",
            expressions.len()
        );
        return;
    }
    let verdicts = terraform_verdicts(&expressions);
    let disagreements: Vec<String> = expected
        .iter()
        .filter(|(key, (_, _, listed))| verdicts.get(*key) != Some(listed))
        .map(|(key, (rule, sample, listed))| {
            format!(
                "{key}: rule {rule}, sample {sample:?}: catalog says {listed}, Terraform says {:?}\n  {}",
                verdicts.get(key),
                expressions[key]
            )
        })
        .collect();
    assert!(
        disagreements.is_empty(),
        "Terraform disagrees with the catalog:\n{}",
        disagreements.join("\n")
    );
    assert_eq!(verdicts.len(), expressions.len());
}

/// The decorators above each `param`, by param name.
fn decorators(bicep: &str) -> BTreeMap<String, (Option<String>, Limits)> {
    let mut out = BTreeMap::new();
    let mut description = None;
    let mut limits = Limits::default();
    let mut allowed: Option<Vec<String>> = None;
    let number = |line: &str, name: &str| -> Option<usize> {
        line.strip_prefix(&format!("@{name}("))?
            .strip_suffix(')')?
            .parse()
            .ok()
    };
    for line in bicep.lines() {
        let line = line.trim();
        if let Some(items) = allowed.as_mut() {
            if line == "])" {
                limits.allowed = allowed.take();
            } else {
                items.push(line.trim_matches('\'').to_owned());
            }
        } else if let Some(text) = line.strip_prefix("@description(") {
            description = Some(text.to_owned());
        } else if line == "@allowed([" {
            allowed = Some(Vec::new());
        } else if let Some(n) = number(line, "minLength") {
            limits.min_length = Some(n);
        } else if let Some(n) = number(line, "maxLength") {
            limits.max_length = Some(n);
        } else if let Some(n) = number(line, "minValue") {
            limits.min_value = Some(u32::try_from(n).unwrap());
        } else if let Some(n) = number(line, "maxValue") {
            limits.max_value = Some(u32::try_from(n).unwrap());
        } else if let Some(rest) = line.strip_prefix("param ") {
            let name = rest.split_whitespace().next().unwrap().to_owned();
            out.insert(name, (description.take(), std::mem::take(&mut limits)));
        } else if line.starts_with('@') {
            panic!("unexpected decorator {line}");
        }
    }
    out
}

/// Every way the built-in templates use a rule in Bicep.
const USES: &[(&str, rules::bicep::Use<'static>)] = &[
    (
        "",
        rules::bicep::Use {
            description: None,
            optional: false,
            before_suffix: false,
        },
    ),
    (
        "o",
        rules::bicep::Use {
            description: None,
            optional: true,
            before_suffix: false,
        },
    ),
    (
        "s",
        rules::bicep::Use {
            description: None,
            optional: false,
            before_suffix: true,
        },
    ),
    (
        "d",
        rules::bicep::Use {
            description: Some("Probe"),
            optional: false,
            before_suffix: false,
        },
    ),
];

#[test]
fn bicep_decorators_parse_back_to_each_rules_limits() {
    let with_limits: Vec<&Rule> = rules::ALL
        .iter()
        .copied()
        .filter(|r| !r.limits().is_empty())
        .collect();
    let mut template = String::new();
    for (i, rule) in with_limits.iter().enumerate() {
        for (tag, how) in USES {
            if rules::bicep::limits(rule, *how).is_empty() {
                continue;
            }
            let mut args = format!("rule=\"{}\"", rule.key);
            if let Some(description) = how.description {
                write!(args, ", description=\"{description}\"").unwrap();
            }
            if how.optional {
                args.push_str(", optional=true");
            }
            if how.before_suffix {
                args.push_str(", before_suffix=true");
            }
            writeln!(
                template,
                "{{{{ bicep_decorators({args}) }}}}\nparam p{i:02}{tag} string\n"
            )
            .unwrap();
        }
    }
    let parsed = decorators(&render_probe("bicep", "bicep", &template));
    for (i, rule) in with_limits.iter().enumerate() {
        for (tag, how) in USES {
            if rules::bicep::limits(rule, *how).is_empty() {
                continue;
            }
            let (description, limits) = &parsed[&format!("p{i:02}{tag}")];
            assert_eq!(
                *limits,
                rules::bicep::limits(rule, *how),
                "{} {tag}",
                rule.key
            );
            if how.description.is_none() && !how.optional && !how.before_suffix {
                assert_eq!(*limits, rule.limits(), "{}", rule.key);
            }
            let words = rule
                .plain_wording()
                .replace('\\', "\\\\")
                .replace('\'', "\\'");
            assert_eq!(
                description.as_deref(),
                how.description
                    .map(|_| format!("'Probe: {words}.')"))
                    .as_deref(),
                "{}",
                rule.key
            );
        }
        // Each limit is the rule's: lengths, allowed values, ranges.
        let limits = rule.limits();
        match rule.kind {
            Kind::Text(text) => {
                assert_eq!(limits.max_length, text.max);
                assert_eq!(limits.min_length.unwrap_or(0), text.min);
            }
            Kind::OneOf(allowed) => assert_eq!(limits.allowed, Some(allowed.list())),
            Kind::Whole { min, max } => {
                assert_eq!((limits.min_value, limits.max_value), (Some(min), max));
            }
            _ => {}
        }
    }
    // The prefix of a globally unique name leaves room for the shortest and longest suffix.
    let prefix = rules::bicep::limits(
        &rules::KEY_VAULT,
        rules::bicep::Use {
            before_suffix: true,
            ..Default::default()
        },
    );
    assert_eq!((prefix.min_length, prefix.max_length), (Some(1), Some(23)));
}

#[test]
fn the_models_storage_sku_is_one_the_bicep_param_allows() {
    let Kind::OneOf(replications) = rules::STORAGE_REPLICATION.kind else {
        unreachable!()
    };
    for replication in replications.list() {
        let dir = tempfile::tempdir().unwrap();
        let spec = dir.path().join("mlgen.yaml");
        let yaml = format!(
            "version: 1\nproject:\n  name: probe\nmlops:\n  storage_account:\n    replication: {replication}\n"
        );
        fs::write(&spec, yaml).unwrap();
        let model = mlgen::model::Model::from_spec(&mlgen::validate_spec_file(&spec).unwrap());
        let sku = Value::String(model.storage_account.sku_name.clone());
        assert!(rules::STORAGE_SKU.accepts(&sku), "{sku}");
    }
}

#[test]
fn no_template_writes_a_validation_block_or_decorator_of_its_own() {
    for (name, source) in mlgen::testing::BUILTIN {
        for written in [
            "validation {",
            "validation{",
            "@minLength",
            "@maxLength",
            "@allowed",
            "@minValue",
            "@maxValue",
        ] {
            assert!(
                !source.contains(written),
                "{name} writes `{written}` itself: use tf_validation / bicep_decorators"
            );
        }
    }
}

#[test]
fn every_validation_block_and_decorator_in_the_output_is_a_catalog_rule() {
    let messages: Vec<String> = rules::ALL
        .iter()
        .map(|r| format!(" must be {}.", r.plain_wording()))
        .collect();
    let mut limit_sets: Vec<Limits> = Vec::new();
    for rule in rules::ALL {
        for (_, how) in USES {
            limit_sets.push(rules::bicep::limits(rule, *how));
        }
    }
    let (mut blocks, mut params) = (0, 0);
    for spec in common::example_specs() {
        let tree = mlgen::render_spec_file(&spec).unwrap();
        for (path, text) in tree.iter() {
            if Path::new(path).extension().is_some_and(|e| e == "tf") {
                for line in text.lines() {
                    let Some(message) = line.trim_start().strip_prefix("error_message = ") else {
                        continue;
                    };
                    let message: String = serde_json::from_str(message).unwrap();
                    assert!(
                        messages.iter().any(|m| message.ends_with(m.as_str())),
                        "{path}: {message:?} is no catalog rule's message"
                    );
                    blocks += 1;
                }
                assert_eq!(
                    text.matches("validation {").count(),
                    text.matches("error_message = ").count(),
                    "{path}"
                );
            }
            if Path::new(path).extension().is_some_and(|e| e == "bicep") {
                for (param, (_, limits)) in decorators(text) {
                    if limits.is_empty() {
                        continue;
                    }
                    assert!(
                        limit_sets.contains(&limits),
                        "{path}: the decorators of {param} are no catalog rule's: {limits:?}"
                    );
                    params += 1;
                }
            }
        }
    }
    assert!(
        blocks > 100 && params > 50,
        "{blocks} blocks, {params} params"
    );
}
