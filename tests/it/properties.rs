//! Properties of the whole pipeline over generated inputs rather than hand-picked ones:
//! every valid spec renders, deterministically; Terraform parses and every tag value reads
//! back exactly, Bicep keeps every value literal; `check` right after `render` is clean; and
//! no input at all — arbitrary bytes, arbitrary YAML — makes validation panic or hang.

use crate::common;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use hcl::eval::{Context, Evaluate};
use proptest::prelude::*;
use serde_json::{Value, json};

use common::bicep::{self, Lit};
use mlgen::Renderer;
use mlgen::TemplateSet;
use mlgen::spec::Target;
use mlgen::testing::SourceFile;

/// The built-in templates of both targets, compiled once for every case: compiling them is
/// most of the cost of a render, and what is under test is rendering, not compiling.
static RENDERER: LazyLock<Renderer> = LazyLock::new(|| {
    Renderer::new(&TemplateSet::builtin(), &Target::ALL).expect("built-in templates compile")
});

/// A tag value: anything Azure accepts, biased towards what could break quoting.
fn tag_value() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => any::<char>().prop_map(String::from),
        1 => prop_oneof![
            Just("${"), Just("%{"), Just("$${"), Just("%%{"), Just("}"), Just("'"), Just("\""), Just("\\"),
            Just("\n"), Just("\r\n"), Just("\t"), Just("\\u{41}"), Just("#"), Just(": "), Just("- "),
        ]
        .prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..24)
        .prop_map(|pieces| pieces.concat())
        .prop_filter("Azure tag values are at most 256 characters", |s| {
            s.encode_utf16().count() <= 256
        })
}

/// A tag name: any characters Azure allows in a name.
fn tag_name() -> impl Strategy<Value = String> {
    prop::collection::vec(
        any::<char>().prop_filter("allowed in tag names", |c| {
            !c.is_control() && !"<>%&\\?/".contains(*c)
        }),
        1..16,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn cluster() -> impl Strategy<Value = Value> {
    (
        "[a-z][a-z0-9-]{1,12}[a-z0-9]",
        prop::bool::ANY,
        0u32..3,
        1u32..12,
        60u32..4000,
    )
        .prop_map(|(name, low_priority, min, extra, idle)| {
            json!({
                "name": name,
                "vm_size": "Standard_DS3_v2",
                "vm_priority": if low_priority { "low_priority" } else { "dedicated" },
                "min_nodes": min,
                "max_nodes": min + extra,
                "idle_seconds_before_scale_down": idle,
            })
        })
}

/// A valid spec using every key.
fn spec() -> impl Strategy<Value = Value> {
    (
        ("[a-z][a-z0-9]{1,5}", "[a-z][a-z0-9]{0,3}", prop::sample::select(vec!["westeurope", "eastus2", "swedencentral"])),
        prop::collection::btree_map(tag_name(), tag_value(), 0..6),
        prop::sample::subsequence(vec!["terraform", "bicep"], 1..=2),
        prop::collection::vec(cluster(), 0..4),
        (prop::bool::ANY, prop::sample::select(vec![4u32, 5]), prop::bool::ANY),
    )
        .prop_map(|((name, env, location), tags, targets, clusters, (private, major, prod))| {
            let mut seen = std::collections::BTreeSet::new();
            let clusters: Vec<Value> =
                clusters.into_iter().filter(|c| seen.insert(c["name"].as_str().unwrap().to_owned())).collect();
            let mut spec = json!({
                "version": 1,
                "project": { "name": name, "environment": env, "location": location, "tags": tags },
                "targets": targets,
                "shared": {
                    "key_vault": { "sku": "premium", "purge_protection": true, "soft_delete_retention_days": 30 },
                    "log_analytics": { "retention_days": 60 },
                    "application_insights": { "application_type": "other" },
                },
                "mlops": {
                    "workspace": { "public_network_access": !private, "high_business_impact": true },
                    "storage_account": { "replication": "GZRS" },
                    "container_registry": { "sku": "Premium" },
                    "compute_clusters": clusters,
                    "compute_instances": [{ "name": "ci-dev", "assigned_user": "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" }],
                },
                "network": { "private_endpoints": private, "address_space": "10.4.0.0/16" },
                "terraform": { "azurerm_major": major },
                "admins": ["6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"],
                "extra": { "anything": [1, "two"] },
            });
            if prod {
                spec["environments"] = json!([env, "prod"]);
                spec["overrides"] = json!({ "prod": { "network": { "address_space": "10.5.0.0/16" } } });
                spec["backend"] = json!({ "resource_group_name": "rg-state", "storage_account_name": "ststate" });
            }
            spec
        })
}

fn write_spec(dir: &std::path::Path, spec: &Value) -> std::path::PathBuf {
    let path = dir.join("mlgen.yaml");
    std::fs::write(&path, serde_yaml::to_string(spec).unwrap()).unwrap();
    path
}

/// The tags a spec's resources get: mlgen's own, then the spec's.
fn expected_tags(spec: &Value) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::from([
        (
            "environment".to_owned(),
            spec["project"]["environment"].as_str().unwrap().to_owned(),
        ),
        ("managed-by".to_owned(), "mlgen".to_owned()),
        (
            "project".to_owned(),
            spec["project"]["name"].as_str().unwrap().to_owned(),
        ),
    ]);
    for (k, v) in spec["project"]["tags"].as_object().unwrap() {
        tags.insert(k.clone(), v.as_str().unwrap().to_owned());
    }
    tags
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    /// Every valid spec renders; rendering it again gives the same tree; every Terraform file
    /// parses and the tags read back as exactly the spec's strings in both targets; and
    /// `check` right after writing the tree is clean.
    #[test]
    fn every_valid_spec_renders_literally_and_deterministically(spec in spec()) {
        let dir = tempfile::tempdir().unwrap();
        let path = write_spec(dir.path(), &spec);
        let tree = mlgen::render_spec_with(&path, &RENDERER).unwrap_or_else(|e| panic!("{e:#}\n{}", serde_yaml::to_string(&spec).unwrap()));
        prop_assert_eq!(&tree, &mlgen::render_spec_with(&path, &RENDERER).unwrap(), "deterministic");
        let tags = expected_tags(&spec);
        let env = spec["project"]["environment"].as_str().unwrap();

        if let Some(tfvars) = tree.get(&format!("main/{env}.tfvars")) {
            // Terraform: every file parses, and the tags evaluate to exactly the spec's strings.
            for (file, text) in tree.iter().filter(|(p, _)| matches!(p.rsplit('.').next(), Some("tf" | "tfvars"))) {
                prop_assert!(hcl::parse(text).is_ok(), "{file} does not parse:\n{text}");
            }
            let body = hcl::parse(tfvars).unwrap();
            let attr = body.attributes().find(|a| a.key() == "tags").unwrap();
            let hcl::Value::Object(read) = attr.expr().evaluate(&Context::new()).unwrap() else { panic!("tags object") };
            let read: BTreeMap<String, String> = read.into_iter().map(|(k, v)| (k, v.as_str().unwrap().to_owned())).collect();
            prop_assert_eq!(&read, &tags);
        }
        if let Some(params) = tree.get("main/main.bicepparam") {
            // Bicep: the tag object holds string literals (no interpolation) that decode to
            // exactly the spec's strings.
            let Some(Lit::Obj(read)) = bicep::params(params).remove("tags") else { panic!("tags object") };
            let read: BTreeMap<String, String> = read
                .into_iter()
                .map(|(key, v)| {
                    let Lit::Str(value) = v else { panic!("tag {key} is no string literal: {v:?}") };
                    (key, value)
                })
                .collect();
            prop_assert_eq!(&read, &tags);
        }

        // `check` right after `render` is clean.
        let out = dir.path().join("out");
        mlgen::testing::render_into(&tree, &out, &mlgen::testing::WriteOptions::default()).unwrap();
        let known = mlgen::testing::Known::read(&out).unwrap();
        prop_assert!(mlgen::testing::compare(&tree, &out, &known).unwrap().is_clean());
    }

}

/// The shared renderer renders exactly what the command line does (templates compiled for the
/// spec's own targets), so the property above speaks for `mlgen render`.
#[test]
fn the_shared_renderer_renders_like_the_command_line() {
    for spec in common::example_specs()
        .iter()
        .filter(|s| !s.starts_with(common::root().join("examples/team")))
    {
        assert_eq!(
            mlgen::render_spec_with(spec, &RENDERER).unwrap(),
            mlgen::render_spec_file(spec).unwrap(),
            "{}",
            spec.display()
        );
    }
}

proptest! {
    // The fuzzing half: cheap cases, many of them.
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let lines = mlgen::testing::yaml_lines(&text).count().max(1);
        let source = SourceFile { path: "fuzz.yaml".into(), text };
        if let Err(diagnostics) = mlgen::testing::validate(&source) {
            prop_assert!(!diagnostics.is_empty());
            for d in diagnostics {
                prop_assert!(d.line >= 1 && d.line <= lines + 1 && d.column >= 1, "{d}");
            }
        }
    }

    #[test]
    fn arbitrary_yaml_never_panics(value in yaml_value()) {
        let text = serde_yaml::to_string(&value).unwrap();
        let source = SourceFile { path: "fuzz.yaml".into(), text };
        match mlgen::testing::validate(&source) {
            Ok(valid) => prop_assert!(!valid.model.project.name.is_empty()),
            Err(diagnostics) => prop_assert!(!diagnostics.is_empty()),
        }
    }

    #[test]
    fn mutated_valid_specs_never_panic(spec in spec(), cut in 0usize..4000, junk in "[ :\\-\\[\\]{}'\"#&*!|>%@`\\n]{0,4}") {
        let mut text = serde_yaml::to_string(&spec).unwrap();
        let at = text.char_indices().map(|(i, _)| i).nth(cut % text.chars().count().max(1)).unwrap_or(0);
        text.insert_str(at, &junk);
        let source = SourceFile { path: "fuzz.yaml".into(), text };
        if let Err(diagnostics) = mlgen::testing::validate(&source) {
            prop_assert!(!diagnostics.is_empty());
        }
    }
}

/// Arbitrary YAML documents, with spec-like keys mixed in so validation goes deep.
fn yaml_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        prop::sample::select(vec![
            "version",
            "project",
            "name",
            "environment",
            "tags",
            "mlops",
            "compute_clusters",
            "layout",
            "network",
            "overrides",
            "environments",
            "extra",
            "min_nodes",
            "max_nodes",
            "address_space",
            "admins",
        ])
        .prop_map(String::from),
        ".{0,8}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Hostile YAML: deep block and flow nesting, alias fan-out over layers of anchors, long
/// scalars. Each case is one text.
fn hostile_yaml() -> impl Strategy<Value = String> {
    let nesting = (0usize..400, any::<bool>()).prop_map(|(depth, block)| {
        if block {
            format!("extra:\n  deep: {}x\n", "- ".repeat(depth))
        } else {
            format!(
                "extra: {{deep: {}x{}}}\n",
                "[".repeat(depth),
                "]".repeat(depth)
            )
        }
    });
    let aliases = (1usize..14, 1usize..14, 0usize..2000).prop_map(|(layers, fan_out, width)| {
        let mut text = format!("a0: &a0 \"{}\"\n", "l".repeat(width));
        for i in 1..layers {
            let refs = vec![format!("*a{}", i - 1); fan_out].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        text
    });
    let long = (0usize..200_000).prop_map(|n| format!("extra: {{pad: {}}}\n", "p".repeat(n)));
    (nesting, aliases, long, any::<u8>()).prop_map(|(n, a, l, pick)| match pick % 4 {
        0 => format!("version: 1\nproject: {{name: churn}}\n{n}"),
        1 => format!("{a}version: 1\nproject: {{name: churn}}\n"),
        2 => format!("version: 1\nproject: {{name: churn}}\n{l}"),
        _ => format!("{a}{n}"),
    })
}

proptest! {
    // Each case starts a process, so fewer of them.
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    /// The release of hostile YAML stays within a budget: `validate` runs under a 512 MiB
    /// address-space limit (`ulimit -v`; an allocation beyond it aborts the process) and must
    /// answer 0 or 2 within 3 seconds.
    #[cfg(target_os = "linux")]
    #[test]
    fn hostile_yaml_stays_within_a_memory_and_time_budget(text in hostile_yaml()) {
        let dir = tempfile::tempdir().unwrap();
        let spec = dir.path().join("hostile.yaml");
        std::fs::write(&spec, &text).unwrap();
        let binary = assert_cmd::cargo::cargo_bin("mlgen");
        let start = std::time::Instant::now();
        let output = std::process::Command::new("sh")
            .arg("-c")
            .arg("ulimit -v 524288 && exec \"$0\" validate \"$1\"")
            .arg(&binary)
            .arg(&spec)
            .output()
            .unwrap();
        let elapsed = start.elapsed();
        let code = output.status.code();
        prop_assert!(matches!(code, Some(0 | 2)), "exit {code:?}: {}", String::from_utf8_lossy(&output.stderr));
        prop_assert!(elapsed.as_secs_f64() < 3.0, "took {elapsed:?}");
    }
}

/// A small generated tree: some of six files, each with mlgen's header and one of two bodies.
fn small_tree() -> impl Strategy<Value = mlgen::Tree> {
    prop::collection::btree_map(0usize..6, any::<bool>(), 0..6).prop_map(|files| {
        let mut tree = mlgen::Tree::default();
        for (file, variant) in files {
            let path = [
                "a.tf",
                "b/c.tf",
                "b/d.tf",
                "e/f/g.tf",
                "h.tfvars",
                "i/j.bicep",
            ][file];
            let body = format!(
                "# {}t.yaml\nbody {}\n",
                mlgen::testing::HEADER_MARK,
                u8::from(variant)
            );
            tree.insert(path.to_owned(), body).unwrap();
        }
        tree
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    /// A sequence of renders, each interrupted at a random step by a random fault, and each
    /// followed by a clean render of a random tree: the clean render always succeeds without
    /// `--force`, `check` is then clean, and no temporary, journal or lock file is left.
    #[test]
    fn random_interruptions_always_recover(
        sequence in prop::collection::vec((small_tree(), 0usize..20, 0u8..3, small_tree()), 1..5)
    ) {
        use mlgen::testing::{Fault, WriteOptions, render_into};
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        for (interrupted, step, kind, next) in sequence {
            let fault = match kind {
                0 => Fault::Kill,
                1 => Fault::Error(std::io::ErrorKind::StorageFull),
                _ => Fault::Error(std::io::ErrorKind::Other),
            };
            let options = WriteOptions { fault: Some((step, fault)), ..WriteOptions::default() };
            let _ = render_into(&interrupted, out, &options);
            render_into(&next, out, &WriteOptions::default()).map_err(|e| TestCaseError::fail(format!("{e:#}")))?;
            let known = mlgen::testing::Known::read(out).unwrap();
            prop_assert!(mlgen::testing::compare(&next, out, &known).unwrap().is_clean());
            let mut on_disk: Vec<String> = walkdir::WalkDir::new(out)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| !e.file_type().is_dir())
                .map(|e| common::relative(e.path().strip_prefix(out).unwrap()))
                .collect();
            on_disk.sort();
            let mut expected: Vec<String> = next.iter().map(|(p, _)| p.to_owned()).collect();
            expected.push(".mlgen/manifest.json".to_owned());
            expected.sort();
            prop_assert_eq!(on_disk, expected);
        }
    }
}
