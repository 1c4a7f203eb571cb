//! Applying a [`Drift`] to disk: missing and modified files are written, each atomically (a
//! temporary file in the same folder, then a rename), orphans are removed, files already in
//! sync are not touched, and the manifest is updated last. Every obstacle (a folder where a
//! file should go, a file where a folder should go, a symbolic link) is found before the first
//! write, so a doomed render writes nothing. Whether hand edits may be overwritten is the
//! caller's decision, made before calling [`apply`].

use std::fs;
use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;

use crate::diff::{Drift, FileState};
use crate::manifest::{self, Manifest};
use crate::tree::Tree;

/// What a render did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    /// Files that did not exist.
    pub created: Vec<String>,
    /// Files whose content changed.
    pub updated: Vec<String>,
    /// Files already up to date.
    pub unchanged: Vec<String>,
    /// Orphans removed.
    pub removed: Vec<String>,
}

/// Writes `tree` under `out` according to `drift`, then the manifest.
pub fn apply(tree: &Tree, drift: &Drift, out: &Path) -> anyhow::Result<WriteReport> {
    for file in &drift.files {
        check_path(out, &file.path)?;
    }
    check_path(out, manifest::PATH)?;
    let mut report = WriteReport::default();
    for file in &drift.files {
        let target = out.join(&file.path);
        match file.state {
            FileState::InSync => report.unchanged.push(file.path.clone()),
            FileState::Missing | FileState::Modified { .. } => {
                write_atomically(&target, tree.get(&file.path).unwrap_or_default().as_bytes())?;
                let list = if file.state == FileState::Missing {
                    &mut report.created
                } else {
                    &mut report.updated
                };
                list.push(file.path.clone());
            }
            FileState::Orphaned { .. } => {
                fs::remove_file(&target)
                    .with_context(|| format!("removing {}", target.display()))?;
                remove_empty_parents(out, &file.path);
                report.removed.push(file.path.clone());
            }
        }
    }
    let manifest = Manifest::from_tree(tree).to_text();
    let manifest_path = out.join(manifest::PATH);
    if fs::read(&manifest_path).ok().as_deref() != Some(manifest.as_bytes()) {
        write_atomically(&manifest_path, manifest.as_bytes())?;
    }
    Ok(report)
}

/// The target must not be a folder or a link, and every existing ancestor must be a real folder.
fn check_path(out: &Path, relative: &str) -> anyhow::Result<()> {
    let mut dir = out.to_path_buf();
    let parts: Vec<&str> = relative.split('/').collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        dir.push(part);
        if let Ok(meta) = fs::symlink_metadata(&dir) {
            anyhow::ensure!(
                meta.is_dir(),
                "{} is not a folder; mlgen needs a folder there",
                dir.display()
            );
        }
    }
    let target = out.join(relative);
    if let Ok(meta) = fs::symlink_metadata(&target) {
        anyhow::ensure!(
            !meta.is_dir(),
            "{} is a folder; mlgen needs to write a file there",
            target.display()
        );
        anyhow::ensure!(
            !meta.file_type().is_symlink(),
            "{} is a symbolic link; mlgen does not write through links",
            target.display()
        );
    }
    Ok(())
}

fn write_atomically(target: &Path, content: &[u8]) -> anyhow::Result<()> {
    let dir = target.parent().unwrap_or_else(|| Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("creating folder {}", dir.display()))?;
    let file_name = target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("file");
    let temp = dir.join(format!(".{file_name}.mlgen-tmp"));
    let result = (|| -> std::io::Result<()> {
        let mut file = fs::File::create(&temp)?;
        file.write_all(content)?;
        file.sync_all()?;
        fs::rename(&temp, target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result.with_context(|| format!("writing {}", target.display()))
}

/// Removes the folders of a removed file that are now empty, up to (not including) `out`.
fn remove_empty_parents(out: &Path, relative: &str) {
    let mut parts: Vec<&str> = relative.split('/').collect();
    parts.pop();
    while !parts.is_empty() {
        if fs::remove_dir(out.join(parts.join("/"))).is_err() {
            break; // not empty (or already gone): stop climbing
        }
        parts.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::compare;

    fn tree(files: &[(&str, &str)]) -> Tree {
        let mut t = Tree::default();
        for (p, c) in files {
            t.insert((*p).to_owned(), (*c).to_owned()).unwrap();
        }
        t
    }

    fn render(files: &[(&str, &str)], out: &Path) -> WriteReport {
        let t = tree(files);
        let drift = compare(&t, out, Manifest::read(out).unwrap().as_ref()).unwrap();
        apply(&t, &drift, out).unwrap()
    }

    #[test]
    fn writes_only_what_changes_and_removes_orphans() {
        let dir = tempfile::tempdir().unwrap();
        let first = render(
            &[("a/x.tf", "1\n"), ("b.tf", "2\n"), ("old/gone.tf", "3\n")],
            dir.path(),
        );
        assert_eq!(first.created, ["a/x.tf", "b.tf", "old/gone.tf"]);
        assert!(dir.path().join(manifest::PATH).is_file());
        let second = render(&[("a/x.tf", "1\n"), ("b.tf", "3\n")], dir.path());
        assert_eq!(second.unchanged, ["a/x.tf"]);
        assert_eq!(second.updated, ["b.tf"]);
        assert_eq!(second.removed, ["old/gone.tf"]);
        assert!(
            !dir.path().join("old").exists(),
            "empty folder of the orphan removed"
        );
        assert_eq!(fs::read_to_string(dir.path().join("b.tf")).unwrap(), "3\n");
        let leftovers: Vec<_> = walkdir::WalkDir::new(dir.path())
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains("mlgen-tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn an_obstacle_stops_everything_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("main"), "a file, not a folder").unwrap();
        let t = tree(&[("a.tf", "1\n"), ("main/b.tf", "2\n")]);
        let drift = compare(&t, dir.path(), None).unwrap();
        let err = apply(&t, &drift, dir.path()).unwrap_err();
        assert!(err.to_string().contains("is not a folder"), "{err}");
        assert!(!dir.path().join("a.tf").exists());
        assert!(!dir.path().join(manifest::PATH).exists());
    }
}
