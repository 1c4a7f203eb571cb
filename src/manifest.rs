//! The manifest: what mlgen wrote into an output directory, so later runs can tell a file
//! changed by the spec from a file edited by hand, and can find files mlgen generated earlier
//! that the spec no longer produces (orphans).
//!
//! It lives at `<out>/.mlgen/manifest.json`, is meant to be committed, and records for every
//! generated file the SHA-256 of the content mlgen wrote and the template (and layer) it came
//! from. It is deterministic: sorted keys, no timestamps, no mlgen version, so rendering an
//! unchanged spec never touches it.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::tree::Tree;

/// Where the manifest lives, relative to the output directory.
pub(crate) const PATH: &str = ".mlgen/manifest.json";

/// The manifest file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Format version, 1.
    pub version: u32,
    /// Generated files by path.
    pub files: BTreeMap<String, Entry>,
}

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// SHA-256 (hex) of the content mlgen wrote.
    pub sha256: String,
    /// The template that produced it and its layer, e.g.
    /// `terraform/shared/main.tf.tera (built-in)`.
    pub template: String,
}

impl Manifest {
    /// The manifest describing `tree` as written.
    pub fn from_tree(tree: &Tree) -> Self {
        let files = tree
            .iter()
            .map(|(path, content)| {
                let template = tree.origin(path).unwrap_or("?").to_owned();
                (
                    path.to_owned(),
                    Entry {
                        sha256: sha256(content.as_bytes()),
                        template,
                    },
                )
            })
            .collect();
        Self { version: 1, files }
    }

    /// Reads `<out>/.mlgen/manifest.json`; `None` when there is none.
    pub fn read(out: &Path) -> anyhow::Result<Option<Self>> {
        let path = out.join(PATH);
        let Some(bytes) = crate::safe_fs::read_inside(out, PATH)
            .with_context(|| format!("reading {}", path.display()))?
        else {
            return Ok(None);
        };
        let manifest: Self = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{} is not a manifest mlgen can read; delete it and run `mlgen render --force`",
                path.display()
            )
        })?;
        anyhow::ensure!(
            manifest.version == 1,
            "{}: unknown manifest version {}",
            path.display(),
            manifest.version
        );
        // Orphans listed here get deleted: a path that could leave the output directory is
        // never trusted, whoever edited the file.
        if let Some(bad) = manifest.files.keys().find(|p| !is_safe_relative(p)) {
            anyhow::bail!(
                "{} lists the unsafe path {bad:?}; mlgen only writes inside the output directory",
                path.display()
            );
        }
        Ok(Some(manifest))
    }

    /// The recorded hash of `path`, if mlgen generated it.
    pub fn hash_of(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(|e| e.sha256.as_str())
    }

    /// The file text: pretty JSON with a final newline.
    pub fn to_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a manifest always serializes");
        text.push('\n');
        text
    }
}

/// The folder GitHub reads workflows from, the one hidden folder mlgen writes into.
pub(crate) const GITHUB_WORKFLOWS: &str = ".github/workflows";

/// Hidden paths mlgen may write: the output root's `.gitignore`, which keeps Terraform's
/// local files (state, plans, provider downloads) out of version control, and files directly
/// in [`GITHUB_WORKFLOWS`], where GitHub Actions looks for workflows. Nothing else: no
/// `.git/`, no `.mlgen/` (mlgen's own manifest), no hidden file inside the workflows folder.
pub(crate) fn is_allowed_hidden(path: &str) -> bool {
    path == ".gitignore"
        || path
            .strip_prefix(GITHUB_WORKFLOWS)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|file| {
                !file.is_empty() && !file.contains(['/', '\\', ':']) && !file.starts_with('.')
            })
}

/// A `/`-separated relative path without `..`, empty or hidden parts, or backslashes (hidden
/// parts other than those [`is_allowed_hidden`] allows).
pub(crate) fn is_safe_relative(path: &str) -> bool {
    is_allowed_hidden(path)
        || (!path.is_empty()
            && !path.contains('\\')
            && !path.contains(':')
            && path.split('/').all(|part| {
                !part.is_empty() && part != "." && part != ".." && !part.starts_with('.')
            }))
}

/// Lower-case hex SHA-256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_hashes() {
        let mut tree = Tree::default();
        tree.insert_from(
            "a/b.tf".into(),
            "x\n".into(),
            "terraform/a/b.tf.tera (built-in)".into(),
        )
        .unwrap();
        let manifest = Manifest::from_tree(&tree);
        assert_eq!(manifest.hash_of("a/b.tf"), Some(sha256(b"x\n").as_str()));
        assert_eq!(
            sha256(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Manifest::read(dir.path()).unwrap(), None);
        std::fs::create_dir_all(dir.path().join(".mlgen")).unwrap();
        std::fs::write(dir.path().join(PATH), manifest.to_text()).unwrap();
        assert_eq!(Manifest::read(dir.path()).unwrap(), Some(manifest));
        let escape =
            r#"{"version": 1, "files": {"../../etc/passwd": {"sha256": "x", "template": "t"}}}"#;
        std::fs::write(dir.path().join(PATH), escape).unwrap();
        assert!(
            Manifest::read(dir.path())
                .unwrap_err()
                .to_string()
                .contains("unsafe path")
        );
        std::fs::write(dir.path().join(PATH), "{").unwrap();
        assert!(
            Manifest::read(dir.path())
                .unwrap_err()
                .to_string()
                .contains("not a manifest")
        );
    }

    #[test]
    fn only_the_root_gitignore_may_be_hidden() {
        for safe in ["main/main.tf", ".gitignore", "README.md"] {
            assert!(is_safe_relative(safe), "{safe}");
        }
        for unsafe_path in [
            "main/.gitignore",
            ".gitignore/x",
            ".git/config",
            ".mlgen/manifest.json",
            "../x",
            "",
        ] {
            assert!(!is_safe_relative(unsafe_path), "{unsafe_path}");
        }
    }
}
