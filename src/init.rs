//! `mlgen init`: a starter spec listing every key at its default, plus the schema file its
//! `yaml-language-server` line points at, so editors validate and complete it offline.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// The starter spec; `__NAME__` is replaced by the project name.
const STARTER: &str = include_str!("starter.yaml");

/// File name of the spec `init` writes.
pub const SPEC_FILE: &str = "mlgen.yaml";
/// File name of the schema written beside it.
pub const SCHEMA_FILE: &str = "mlgen.schema.json";

/// The starter spec text for `project_name`.
pub fn starter(project_name: &str) -> String {
    STARTER.replace("__NAME__", project_name)
}

/// Writes `mlgen.yaml` and `mlgen.schema.json` into `dir`. Refuses (nothing written) when
/// `mlgen.yaml` already exists or the name is not a valid project name.
pub fn init(dir: &Path, project_name: &str) -> anyhow::Result<PathBuf> {
    let valid = project_name.len() >= 2
        && project_name.len() <= 12
        && project_name.starts_with(|c: char| c.is_ascii_lowercase())
        && project_name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    anyhow::ensure!(
        valid,
        "project name `{project_name}` must be 2-12 lowercase letters and digits, starting with a letter"
    );
    let spec = dir.join(SPEC_FILE);
    anyhow::ensure!(
        !spec.exists(),
        "{} already exists; mlgen init never overwrites a spec",
        spec.display()
    );
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(dir.join(SCHEMA_FILE), crate::schema::schema_text())
        .with_context(|| format!("writing {}", dir.join(SCHEMA_FILE).display()))?;
    std::fs::write(&spec, starter(project_name))
        .with_context(|| format!("writing {}", spec.display()))?;
    Ok(spec)
}
