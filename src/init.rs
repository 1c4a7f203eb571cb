//! `mlgen init`: a starter spec naming every key (the common ones set to their default, the
//! optional ones commented out with an example), plus the schema file its
//! `yaml-language-server` line points at, so editors validate and complete it offline.

use std::path::{Path, PathBuf};

use std::io::Write as _;

use anyhow::Context as _;

use crate::load::SourceFile;
use crate::safe_fs;
use crate::validate::validate;

/// The starter spec; `__NAME__` is replaced by the project name.
const STARTER: &str = include_str!("starter.yaml");

/// File name of the spec `init` writes.
pub(crate) const SPEC_FILE: &str = "mlgen.yaml";
/// File name of the schema written beside it.
pub(crate) const SCHEMA_FILE: &str = "mlgen.schema.json";

/// The starter spec text for `project_name`.
pub(crate) fn starter(project_name: &str) -> String {
    STARTER.replace("__NAME__", project_name)
}

/// Writes `mlgen.yaml` and `mlgen.schema.json` into `dir`. Refuses (nothing written) when
/// `mlgen.yaml` already exists or the starter would not validate (a bad project name).
pub(crate) fn init(dir: &Path, project_name: &str) -> anyhow::Result<PathBuf> {
    let spec = dir.join(SPEC_FILE);
    let text = starter(project_name);
    // The validator is the one place that knows what a valid name is.
    let source = SourceFile {
        path: spec.clone(),
        text: text.clone(),
    };
    if let Err(diagnostics) = validate(&source) {
        let reasons: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
        anyhow::bail!(
            "--name {project_name:?} does not make a valid spec: {}",
            reasons.join("; ")
        );
    }
    // `symlink_metadata`: a dangling link at the name is something there too.
    anyhow::ensure!(
        std::fs::symlink_metadata(&spec).is_err(),
        "{} already exists; mlgen init never overwrites a spec",
        spec.display()
    );
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    // Neither file is written through a link: the schema is replaced by a new file, and the
    // spec is created exclusively (a link planted since the check above makes it fail).
    safe_fs::replace(
        dir,
        SCHEMA_FILE,
        crate::schema::schema_text().as_bytes(),
        false,
    )?;
    let mut file = safe_fs::create_exclusive(&spec, None)
        .with_context(|| format!("creating {}", spec.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", spec.display()))?;
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys the starter sets or shows commented out (`key:` or `# key:` at any indent).
    fn starter_keys() -> std::collections::BTreeSet<String> {
        starter("demo")
            .lines()
            .map(|line| line.trim_start().trim_start_matches("# ").trim_start())
            .map(|line| line.trim_start_matches("- "))
            .filter_map(|line| line.split_once(':').map(|(key, _)| key.to_owned()))
            .filter(|key| key.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .collect()
    }

    #[test]
    fn starter_names_every_key_of_the_spec_and_of_its_main_sections() {
        let schema: serde_json::Value =
            serde_json::from_str(&crate::schema::schema_text()).unwrap();
        let keys = starter_keys();
        let property_names = |node: &serde_json::Value| -> Vec<String> {
            node["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        let definition = |name: &str| &schema["$defs"][name];
        let mut expected = property_names(&schema);
        for section in [
            "Project",
            "Network",
            "Mlops",
            "Backend",
            "EnvironmentOverride",
            "ComputeInstance",
            "Pipelines",
            "GithubSettings",
            "GithubEnvironment",
            "AzureDevopsEnvironment",
        ] {
            expected.extend(property_names(definition(section)));
        }
        let missing: Vec<&String> = expected.iter().filter(|k| !keys.contains(*k)).collect();
        assert!(
            missing.is_empty(),
            "the starter does not mention {missing:?}"
        );
    }
}
