//! Drift: a rendered [`Tree`] compared with the files on disk, and the unified diff of each
//! difference (disk on the `-` side, the spec's rendering on the `+` side, as `just --fmt
//! --check` does). Read-only.

use std::fs;
use std::path::Path;

use anyhow::Context as _;
use similar::TextDiff;

use crate::tree::Tree;

/// The state of one rendered file on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileState {
    /// Identical to the rendering.
    InSync,
    /// Present with other content; holds the unified diff.
    Modified(String),
    /// Not on disk; holds the diff that would create it.
    Missing(String),
}

/// Every rendered file and its state, in path order.
#[derive(Debug, Clone, Default)]
pub struct Drift {
    /// (path, state) for each rendered file.
    pub files: Vec<(String, FileState)>,
}

impl Drift {
    /// True when every file is in sync.
    pub fn is_clean(&self) -> bool {
        self.files.iter().all(|(_, s)| *s == FileState::InSync)
    }
}

/// Compares `tree` with the files under `out`.
pub fn compare(tree: &Tree, out: &Path) -> anyhow::Result<Drift> {
    let mut drift = Drift::default();
    for (path, rendered) in tree.iter() {
        let target = out.join(path);
        let state = match fs::read(&target) {
            Ok(bytes) if bytes == rendered.as_bytes() => FileState::InSync,
            Ok(bytes) => {
                let on_disk = String::from_utf8_lossy(&bytes);
                FileState::Modified(unified_diff(path, &on_disk, rendered))
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                FileState::Missing(unified_diff(path, "", rendered))
            }
            Err(err) => return Err(err).with_context(|| format!("reading {}", target.display())),
        };
        drift.files.push((path.to_owned(), state));
    }
    Ok(drift)
}

fn unified_diff(path: &str, on_disk: &str, rendered: &str) -> String {
    TextDiff::from_lines(on_disk, rendered)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{path} (on disk)"),
            &format!("{path} (rendered from spec)"),
        )
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("same.tf"), "a\n").unwrap();
        fs::write(dir.path().join("edited.tf"), "a\nb\n").unwrap();
        let mut tree = Tree::default();
        tree.insert("same.tf".into(), "a\n".into()).unwrap();
        tree.insert("edited.tf".into(), "a\nc\n".into()).unwrap();
        tree.insert("gone.tf".into(), "x\n".into()).unwrap();
        let drift = compare(&tree, dir.path()).unwrap();
        assert!(!drift.is_clean());
        let state = |p: &str| drift.files.iter().find(|(f, _)| f == p).unwrap().1.clone();
        assert_eq!(state("same.tf"), FileState::InSync);
        let FileState::Modified(diff) = state("edited.tf") else {
            panic!()
        };
        assert!(
            diff.contains("--- edited.tf (on disk)\n+++ edited.tf (rendered from spec)\n"),
            "{diff}"
        );
        assert!(diff.contains("-b\n+c\n"), "{diff}");
        assert!(matches!(state("gone.tf"), FileState::Missing(_)));
    }
}
