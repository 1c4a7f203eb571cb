//! Template sources: the built-in templates compiled into the binary, optionally overlaid by a
//! team folder (`--templates DIR`, or `templates:` in the spec) in which a file with the same
//! relative name replaces the built-in one and a new name adds a template.
//!
//! Names are `/`-separated paths relative to the template root, e.g.
//! `terraform/shared/main.tf.tera`. Every built-in is also reachable as `builtin/<name>`, so a
//! team template can `{% extends "builtin/terraform/shared/main.tf.tera" %}` and override one
//! block instead of copying the whole file. A team folder may also hold `extra.schema.json`, a
//! JSON Schema for the spec's `extra` values. This module only gathers sources; turning them
//! into output paths is `render`'s job.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// Prefix under which every built-in template stays reachable for `extends` and `include`.
pub(crate) const BUILTIN_PREFIX: &str = "builtin/";

/// File name of a team folder's JSON Schema for `extra`.
pub(crate) const EXTRA_SCHEMA_FILE: &str = "extra.schema.json";

/// Built-in templates: (name, source). A unit test checks that this lists every file under
/// `templates/`, so a new template cannot be forgotten.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "azure_devops/_after_previous.tera",
        include_str!("../templates/azure_devops/_after_previous.tera"),
    ),
    (
        "azure_devops/_azure_cli.tera",
        include_str!("../templates/azure_devops/_azure_cli.tera"),
    ),
    (
        "azure_devops/_deploying.tera",
        include_str!("../templates/azure_devops/_deploying.tera"),
    ),
    (
        "azure_devops/_install_terraform.tera",
        include_str!("../templates/azure_devops/_install_terraform.tera"),
    ),
    (
        "azure_devops/_mlgen_check.tera",
        include_str!("../templates/azure_devops/_mlgen_check.tera"),
    ),
    (
        "azure_devops/_summary.tera",
        include_str!("../templates/azure_devops/_summary.tera"),
    ),
    (
        "azure_devops/mlgen-bicep.yml.tera",
        include_str!("../templates/azure_devops/mlgen-bicep.yml.tera"),
    ),
    (
        "azure_devops/mlgen-drift.yml.tera",
        include_str!("../templates/azure_devops/mlgen-drift.yml.tera"),
    ),
    (
        "azure_devops/mlgen-terraform.yml.tera",
        include_str!("../templates/azure_devops/mlgen-terraform.yml.tera"),
    ),
    (
        "bicep/_common_params.tera",
        include_str!("../templates/bicep/_common_params.tera"),
    ),
    (
        "bicep/_compute_clusters_param.tera",
        include_str!("../templates/bicep/_compute_clusters_param.tera"),
    ),
    (
        "bicep/_compute_depends_on.tera",
        include_str!("../templates/bicep/_compute_depends_on.tera"),
    ),
    (
        "bicep/_header.tera",
        include_str!("../templates/bicep/_header.tera"),
    ),
    (
        "bicep/_studio_cors.tera",
        include_str!("../templates/bicep/_studio_cors.tera"),
    ),
    (
        "bicep/main/[environment].bicepparam.tera",
        include_str!("../templates/bicep/main/[environment].bicepparam.tera"),
    ),
    (
        "bicep/main/main.bicep.tera",
        include_str!("../templates/bicep/main/main.bicep.tera"),
    ),
    (
        "bicep/main/main.bicepparam.tera",
        include_str!("../templates/bicep/main/main.bicepparam.tera"),
    ),
    (
        "bicep/mlops/main.bicep.tera",
        include_str!("../templates/bicep/mlops/main.bicep.tera"),
    ),
    (
        "bicep/network/main.bicep.tera",
        include_str!("../templates/bicep/network/main.bicep.tera"),
    ),
    (
        "bicep/shared/main.bicep.tera",
        include_str!("../templates/bicep/shared/main.bicep.tera"),
    ),
    (
        "common/README.md.tera",
        include_str!("../templates/common/README.md.tera"),
    ),
    (
        "github/_after_previous.tera",
        include_str!("../templates/github/_after_previous.tera"),
    ),
    (
        "github/_azure_env.tera",
        include_str!("../templates/github/_azure_env.tera"),
    ),
    (
        "github/_azure_login.tera",
        include_str!("../templates/github/_azure_login.tera"),
    ),
    (
        "github/_checkout.tera",
        include_str!("../templates/github/_checkout.tera"),
    ),
    (
        "github/_deploying.tera",
        include_str!("../templates/github/_deploying.tera"),
    ),
    (
        "github/_mlgen_check.tera",
        include_str!("../templates/github/_mlgen_check.tera"),
    ),
    (
        "github/_require_ids.tera",
        include_str!("../templates/github/_require_ids.tera"),
    ),
    (
        "github/_setup_terraform.tera",
        include_str!("../templates/github/_setup_terraform.tera"),
    ),
    (
        "github/_summary.tera",
        include_str!("../templates/github/_summary.tera"),
    ),
    (
        "github/mlgen-bicep.yml.tera",
        include_str!("../templates/github/mlgen-bicep.yml.tera"),
    ),
    (
        "github/mlgen-drift.yml.tera",
        include_str!("../templates/github/mlgen-drift.yml.tera"),
    ),
    (
        "github/mlgen-terraform.yml.tera",
        include_str!("../templates/github/mlgen-terraform.yml.tera"),
    ),
    (
        "pipelines/_header.tera",
        include_str!("../templates/pipelines/_header.tera"),
    ),
    (
        "pipelines/_readme.md.tera",
        include_str!("../templates/pipelines/_readme.md.tera"),
    ),
    (
        "terraform/.gitignore.tera",
        include_str!("../templates/terraform/.gitignore.tera"),
    ),
    (
        "terraform/_common_variables.tera",
        include_str!("../templates/terraform/_common_variables.tera"),
    ),
    (
        "terraform/_compute_clusters_variable.tera",
        include_str!("../templates/terraform/_compute_clusters_variable.tera"),
    ),
    (
        "terraform/_compute_depends_on.tera",
        include_str!("../templates/terraform/_compute_depends_on.tera"),
    ),
    (
        "terraform/_header.tera",
        include_str!("../templates/terraform/_header.tera"),
    ),
    (
        "terraform/_studio_cors.tera",
        include_str!("../templates/terraform/_studio_cors.tera"),
    ),
    (
        "terraform/main/[environment].backend.hcl.tera",
        include_str!("../templates/terraform/main/[environment].backend.hcl.tera"),
    ),
    (
        "terraform/main/[environment].tfvars.tera",
        include_str!("../templates/terraform/main/[environment].tfvars.tera"),
    ),
    (
        "terraform/main/main.tf.tera",
        include_str!("../templates/terraform/main/main.tf.tera"),
    ),
    (
        "terraform/main/outputs.tf.tera",
        include_str!("../templates/terraform/main/outputs.tf.tera"),
    ),
    (
        "terraform/main/variables.tf.tera",
        include_str!("../templates/terraform/main/variables.tf.tera"),
    ),
    (
        "terraform/main/versions.tf.tera",
        include_str!("../templates/terraform/main/versions.tf.tera"),
    ),
    (
        "terraform/mlops/main.tf.tera",
        include_str!("../templates/terraform/mlops/main.tf.tera"),
    ),
    (
        "terraform/mlops/outputs.tf.tera",
        include_str!("../templates/terraform/mlops/outputs.tf.tera"),
    ),
    (
        "terraform/mlops/variables.tf.tera",
        include_str!("../templates/terraform/mlops/variables.tf.tera"),
    ),
    (
        "terraform/network/main.tf.tera",
        include_str!("../templates/terraform/network/main.tf.tera"),
    ),
    (
        "terraform/network/outputs.tf.tera",
        include_str!("../templates/terraform/network/outputs.tf.tera"),
    ),
    (
        "terraform/network/variables.tf.tera",
        include_str!("../templates/terraform/network/variables.tf.tera"),
    ),
    (
        "terraform/shared/main.tf.tera",
        include_str!("../templates/terraform/shared/main.tf.tera"),
    ),
    (
        "terraform/shared/outputs.tf.tera",
        include_str!("../templates/terraform/shared/outputs.tf.tera"),
    ),
    (
        "terraform/shared/variables.tf.tera",
        include_str!("../templates/terraform/shared/variables.tf.tera"),
    ),
];

/// Where a template came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layer {
    /// Compiled into mlgen.
    Builtin,
    /// A file of a team template folder.
    Team(PathBuf),
}

/// One template source.
#[derive(Debug, Clone)]
pub struct Template {
    /// The template text.
    pub source: String,
    /// Its origin.
    pub layer: Layer,
}

/// All templates by name, after layering.
#[derive(Debug, Clone)]
pub struct TemplateSet {
    templates: BTreeMap<String, Template>,
    /// The team folder's schema for `extra`: (file, schema).
    extra_schema: Option<(PathBuf, serde_json::Value)>,
}

impl TemplateSet {
    /// The built-in templates only.
    pub fn builtin() -> Self {
        let templates = BUILTIN
            .iter()
            .map(|(name, source)| {
                (
                    (*name).to_owned(),
                    Template {
                        source: (*source).to_owned(),
                        layer: Layer::Builtin,
                    },
                )
            })
            .collect();
        Self {
            templates,
            extra_schema: None,
        }
    }

    /// The built-ins with the `.tera` files of `dir` layered over them. Symbolic links are
    /// refused (they could pull in files from outside the folder); every problem is reported.
    pub fn with_overlay(dir: &Path) -> anyhow::Result<Self> {
        let mut set = Self::builtin();
        anyhow::ensure!(
            dir.is_dir(),
            "template folder {} does not exist or is not a folder",
            dir.display()
        );
        let mut problems = Vec::new();
        for entry in walkdir::WalkDir::new(dir)
            .follow_links(false)
            .sort_by_file_name()
        {
            let entry =
                entry.with_context(|| format!("reading template folder {}", dir.display()))?;
            let path = entry.path();
            if entry.path_is_symlink() {
                problems.push(format!(
                    "{}: symbolic links are not allowed in a template folder",
                    path.display()
                ));
                continue;
            }
            let relative = path.strip_prefix(dir).unwrap_or(path);
            let Some(name) = relative.to_str().map(|s| s.replace('\\', "/")) else {
                problems.push(format!(
                    "{}: template names must be valid UTF-8",
                    path.display()
                ));
                continue;
            };
            if !entry.file_type().is_file() {
                continue;
            }
            if name == EXTRA_SCHEMA_FILE {
                match read_schema(path) {
                    Ok(schema) => set.extra_schema = Some((path.to_owned(), schema)),
                    Err(err) => problems.push(format!("{}: {err:#}", path.display())),
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "tera") {
                continue;
            }
            if name.starts_with(BUILTIN_PREFIX) {
                problems.push(format!(
                    "{}: `{BUILTIN_PREFIX}` is reserved for the built-in templates",
                    path.display()
                ));
                continue;
            }
            match read_text(path) {
                Ok(source) => {
                    set.templates.insert(
                        name,
                        Template {
                            source,
                            layer: Layer::Team(path.to_owned()),
                        },
                    );
                }
                Err(err) => problems.push(format!("{}: {err:#}", path.display())),
            }
        }
        anyhow::ensure!(
            problems.is_empty(),
            "bad template folder:\n  {}",
            problems.join("\n  ")
        );
        Ok(set)
    }

    /// Templates in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Template)> {
        self.templates.iter().map(|(n, t)| (n.as_str(), t))
    }

    /// The team folder's schema for `extra`, if it has one.
    pub fn extra_schema(&self) -> Option<(&Path, &serde_json::Value)> {
        self.extra_schema
            .as_ref()
            .map(|(path, schema)| (path.as_path(), schema))
    }
}

/// Largest team template or schema file: the biggest built-in is 25 KiB.
const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;

/// A team file as UTF-8 text: a regular file, not a link, at most [`MAX_TEMPLATE_BYTES`].
fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes = crate::safe_fs::read_capped(path, MAX_TEMPLATE_BYTES)?;
    String::from_utf8(bytes).context("not valid UTF-8")
}

fn read_schema(path: &Path) -> anyhow::Result<serde_json::Value> {
    let text = read_text(path)?;
    serde_json::from_str(&text).context("not valid JSON")
}

/// Writes the built-in templates under `dir` as a starting point for a team folder. Refuses,
/// writing nothing, when a file there already exists with other content.
pub(crate) fn export(dir: &Path) -> anyhow::Result<usize> {
    let clashes: Vec<String> = BUILTIN
        .iter()
        .filter(|(name, source)| {
            crate::safe_fs::read_capped(&dir.join(name), MAX_TEMPLATE_BYTES)
                .is_ok_and(|existing| existing != source.as_bytes())
        })
        .map(|(name, _)| (*name).to_owned())
        .collect();
    anyhow::ensure!(
        clashes.is_empty(),
        "{} already holds other versions of: {}; export into an empty folder",
        dir.display(),
        clashes.join(", ")
    );
    // Never through a link: a planted `terraform -> ~/.config` must not receive templates.
    for (name, _) in BUILTIN {
        crate::safe_fs::inspect(dir, name)?;
    }
    for (name, source) in BUILTIN {
        crate::safe_fs::replace(dir, name, source.as_bytes(), false)?;
    }
    Ok(BUILTIN.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The model and each target's context carry every decision (issue 12): a built-in
    /// template loops and spells syntax, but never compares or concatenates strings to decide
    /// or build something. (`set_global param_file` names the template's own output file.)
    #[test]
    fn builtin_templates_decide_nothing_by_comparing_strings() {
        for (name, source) in BUILTIN {
            for (number, line) in source.lines().enumerate() {
                let tags: Vec<&str> = line
                    .split("{%")
                    .skip(1)
                    .chain(line.split("{{").skip(1))
                    .collect();
                for tag in tags {
                    let code = tag.split(['%', '}']).next().unwrap_or("");
                    let compares = ["==", "!=", " in "]
                        .iter()
                        .any(|op| code.contains(op) && code.contains('"'));
                    let concatenates = code.contains(" ~ ") && !code.contains("param_file");
                    assert!(
                        !compares && !concatenates,
                        "{name}:{}: `{}` decides or builds with strings; put it in the model",
                        number + 1,
                        line.trim()
                    );
                }
            }
        }
    }

    #[test]
    fn builtin_lists_every_template_file() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut on_disk: Vec<String> = walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(&root)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .replace('\\', "/")
            })
            .collect();
        on_disk.sort();
        let listed: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
        assert_eq!(on_disk, listed);
    }

    #[test]
    fn overlay_replaces_adds_and_reads_the_extra_schema() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("terraform/shared")).unwrap();
        std::fs::write(dir.path().join("terraform/shared/main.tf.tera"), "team").unwrap();
        std::fs::write(dir.path().join("terraform/extra.md.tera"), "new").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
        std::fs::write(dir.path().join(EXTRA_SCHEMA_FILE), r#"{"type": "object"}"#).unwrap();
        let set = TemplateSet::with_overlay(dir.path()).unwrap();
        let get = |n: &str| {
            set.iter()
                .find(|(name, _)| *name == n)
                .map(|(_, t)| t.clone())
        };
        assert_eq!(get("terraform/shared/main.tf.tera").unwrap().source, "team");
        assert!(matches!(
            get("terraform/shared/main.tf.tera").unwrap().layer,
            Layer::Team(_)
        ));
        assert_eq!(get("terraform/extra.md.tera").unwrap().source, "new");
        assert!(get("notes.txt").is_none());
        assert_eq!(
            get("terraform/mlops/main.tf.tera").unwrap().layer,
            Layer::Builtin
        );
        assert_eq!(set.extra_schema().unwrap().1["type"], "object");
    }

    #[test]
    fn export_writes_every_builtin_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(export(dir.path()).unwrap(), BUILTIN.len());
        assert_eq!(
            export(dir.path()).unwrap(),
            BUILTIN.len(),
            "identical files are fine"
        );
        std::fs::write(dir.path().join("terraform/_header.tera"), "# ours").unwrap();
        assert!(
            export(dir.path())
                .unwrap_err()
                .to_string()
                .contains("terraform/_header.tera")
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("terraform/_header.tera")).unwrap(),
            "# ours"
        );
    }
}
