//! Writing a rendered [`Tree`] to disk: only files whose content changes are written, each
//! atomically (a temporary file in the same folder, then a rename), so an interrupted run never
//! leaves a half-written file. Every obstacle (a folder where a file should go, a file where a
//! folder should go) is found before the first write, so a doomed render writes nothing.

use std::fs;
use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;

use crate::tree::Tree;

/// What a render did to each file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    /// Files that did not exist.
    pub created: Vec<String>,
    /// Files whose content changed.
    pub updated: Vec<String>,
    /// Files already up to date.
    pub unchanged: Vec<String>,
}

/// Writes `tree` under `out` (created if missing).
pub fn write_tree(tree: &Tree, out: &Path) -> anyhow::Result<WriteReport> {
    let mut report = WriteReport::default();
    let mut pending = Vec::new();
    for (path, content) in tree.iter() {
        let target = out.join(path);
        check_parents(out, path)?;
        match fs::symlink_metadata(&target) {
            Ok(meta) if meta.is_dir() => anyhow::bail!(
                "{} is a folder; mlgen needs to write a file there",
                target.display()
            ),
            Ok(meta) if meta.file_type().is_symlink() => anyhow::bail!(
                "{} is a symbolic link; mlgen does not write through links",
                target.display()
            ),
            Ok(_) => {
                let current =
                    fs::read(&target).with_context(|| format!("reading {}", target.display()))?;
                if current == content.as_bytes() {
                    report.unchanged.push(path.to_owned());
                } else {
                    report.updated.push(path.to_owned());
                    pending.push((target, content));
                }
            }
            Err(_) => {
                report.created.push(path.to_owned());
                pending.push((target, content));
            }
        }
    }
    for (target, content) in pending {
        write_atomically(&target, content)?;
    }
    Ok(report)
}

/// Every existing ancestor of `relative` inside `out` must be a real folder.
fn check_parents(out: &Path, relative: &str) -> anyhow::Result<()> {
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
    Ok(())
}

fn write_atomically(target: &Path, content: &str) -> anyhow::Result<()> {
    let dir = target.parent().unwrap_or_else(|| Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("creating folder {}", dir.display()))?;
    let file_name = target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("file");
    let temp = dir.join(format!(".{file_name}.mlgen-tmp"));
    let result = (|| -> std::io::Result<()> {
        let mut file = fs::File::create(&temp)?;
        file.write_all(content.as_bytes())?;
        file.sync_all()?;
        fs::rename(&temp, target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result.with_context(|| format!("writing {}", target.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> Tree {
        let mut t = Tree::default();
        for (p, c) in files {
            t.insert((*p).to_owned(), (*c).to_owned()).unwrap();
        }
        t
    }

    #[test]
    fn writes_only_what_changes() {
        let dir = tempfile::tempdir().unwrap();
        let first = write_tree(&tree(&[("a/x.tf", "1\n"), ("b.tf", "2\n")]), dir.path()).unwrap();
        assert_eq!(first.created, ["a/x.tf", "b.tf"]);
        let second = write_tree(&tree(&[("a/x.tf", "1\n"), ("b.tf", "3\n")]), dir.path()).unwrap();
        assert_eq!(
            (second.unchanged, second.updated),
            (vec!["a/x.tf".to_owned()], vec!["b.tf".to_owned()])
        );
        assert_eq!(fs::read_to_string(dir.path().join("b.tf")).unwrap(), "3\n");
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains("mlgen-tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn an_obstacle_stops_everything_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("main"), "a file, not a folder").unwrap();
        let err =
            write_tree(&tree(&[("a.tf", "1\n"), ("main/b.tf", "2\n")]), dir.path()).unwrap_err();
        assert!(err.to_string().contains("is not a folder"), "{err}");
        assert!(!dir.path().join("a.tf").exists());
    }
}
