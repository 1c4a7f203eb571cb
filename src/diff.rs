//! Drift: a rendered [`Tree`] compared with the files on disk and the manifest of what mlgen
//! wrote before. Every file is in sync, missing, modified (by the spec or templates, or by hand
//! since mlgen wrote it) or orphaned (generated earlier, no longer produced); each difference
//! carries a unified diff whose `-` side is the disk and `+` side the rendering, as
//! `just --fmt --check` does. Read-only: `write` applies a drift, `check` reports it. Files
//! are read only as regular files inside the output directory, never through a link (see
//! [`crate::safe_fs`]); a path that is not such a file is an error naming it.

use std::path::Path;

use anyhow::Context as _;
use similar::TextDiff;

use crate::journal::Known;
use crate::manifest::sha256;
use crate::safe_fs;
use crate::tree::Tree;

/// The state of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// On disk exactly as rendered.
    InSync,
    /// Rendered but not on disk.
    Missing,
    /// On disk with other content. `by_hand`: the disk content is not what mlgen last wrote
    /// (or mlgen never wrote the file), so overwriting it would lose someone's edit.
    Modified {
        /// Edited since mlgen wrote it, or never written by mlgen.
        by_hand: bool,
        /// Not in mlgen's manifest (nor an interrupted render's journal): someone else's file
        /// at a path mlgen renders. Reports say so rather than "edited by hand".
        never_written: bool,
    },
    /// Written by an earlier render and no longer produced. `by_hand` as for `Modified`.
    Orphaned {
        /// Edited since mlgen wrote it.
        by_hand: bool,
    },
}

impl FileState {
    /// The word reports use.
    pub fn label(self) -> &'static str {
        match self {
            Self::InSync => "in sync",
            Self::Missing => "missing",
            Self::Modified { .. } => "modified",
            Self::Orphaned { .. } => "orphaned",
        }
    }

    /// True when applying the change would overwrite or delete a hand edit.
    pub fn is_hand_edit(self) -> bool {
        matches!(
            self,
            Self::Modified { by_hand: true, .. } | Self::Orphaned { by_hand: true }
        )
    }
}

/// One file's drift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDrift {
    /// Path relative to the output directory.
    pub path: String,
    /// Its state.
    pub state: FileState,
    /// Unified diff from disk to rendering (empty when in sync).
    pub diff: String,
}

/// Every rendered or orphaned file, in path order.
#[derive(Debug, Clone, Default)]
pub struct Drift {
    /// The files.
    pub files: Vec<FileDrift>,
}

impl Drift {
    /// True when every file is in sync.
    pub fn is_clean(&self) -> bool {
        self.files.iter().all(|f| f.state == FileState::InSync)
    }

    /// How many files are in the state with this label.
    pub fn count(&self, label: &str) -> usize {
        self.files
            .iter()
            .filter(|f| f.state.label() == label)
            .count()
    }

    /// Files whose change would lose a hand edit.
    pub fn hand_edits(&self) -> impl Iterator<Item = &FileDrift> {
        self.files.iter().filter(|f| f.state.is_hand_edit())
    }
}

/// Compares `tree` with the files under `out`, using what mlgen knows it wrote (the manifest,
/// and an interrupted render's journal) to tell hand edits and orphans apart.
pub fn compare(tree: &Tree, out: &Path, known: &Known) -> anyhow::Result<Drift> {
    compare_with(tree, out, known, true)
}

/// [`compare`] without the unified diffs (each `diff` is empty): what a render needs to decide
/// what to write. A fresh render would otherwise build a diff of every new file and drop it.
pub(crate) fn states(tree: &Tree, out: &Path, known: &Known) -> anyhow::Result<Drift> {
    compare_with(tree, out, known, false)
}

fn compare_with(tree: &Tree, out: &Path, known: &Known, diffs: bool) -> anyhow::Result<Drift> {
    let unified_diff = |path: &str, on_disk: &str, rendered: &str| {
        if diffs {
            unified_diff(path, on_disk, rendered)
        } else {
            String::new()
        }
    };
    let edited = |path: &str, bytes: &[u8]| !known.wrote(path, &sha256(bytes));
    let tracked: std::collections::BTreeSet<&str> = known.paths().collect();
    let mut files = Vec::new();
    for (path, rendered) in tree.iter() {
        let (state, diff) = match read(out, path)? {
            Some(bytes) if bytes == rendered.as_bytes() => (FileState::InSync, String::new()),
            Some(bytes) => {
                let state = FileState::Modified {
                    by_hand: edited(path, &bytes),
                    never_written: !tracked.contains(path),
                };
                (
                    state,
                    unified_diff(path, &String::from_utf8_lossy(&bytes), rendered),
                )
            }
            None => (FileState::Missing, unified_diff(path, "", rendered)),
        };
        files.push(FileDrift {
            path: path.to_owned(),
            state,
            diff,
        });
    }
    for path in known.paths() {
        if tree.get(path).is_some() {
            continue;
        }
        // An orphan already deleted by hand needs nothing more.
        if let Some(bytes) = read(out, path)? {
            let state = FileState::Orphaned {
                by_hand: edited(path, &bytes),
            };
            files.push(FileDrift {
                path: path.to_owned(),
                state,
                diff: unified_diff(path, &String::from_utf8_lossy(&bytes), ""),
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Drift { files })
}

fn read(out: &Path, path: &str) -> anyhow::Result<Option<Vec<u8>>> {
    match safe_fs::read_inside(out, path) {
        Ok(bytes) => Ok(bytes),
        // A file where a folder should be is reported by `write` before anything is written.
        Err(safe_fs::ReadError::Unsafe(safe_fs::Unsafe::NotAFolder(_))) => Ok(None),
        Err(err) => Err(err).with_context(|| format!("reading {}", out.join(path).display())),
    }
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
        let mut before = Tree::default();
        for (path, content) in [
            ("same.tf", "a\n"),
            ("spec-changed.tf", "a\nb\n"),
            ("hand.tf", "h\n"),
            ("old.tf", "o\n"),
            ("old-edited.tf", "o\n"),
        ] {
            before.insert(path.into(), content.into()).unwrap();
            std::fs::write(dir.path().join(path), content).unwrap();
        }
        let manifest = crate::manifest::Manifest::from_tree(&before);
        let known = Known::new(Some(&manifest), None);
        std::fs::write(dir.path().join("hand.tf"), "edited\n").unwrap();
        std::fs::write(dir.path().join("old-edited.tf"), "edited\n").unwrap();
        std::fs::write(dir.path().join("stranger.tf"), "not ours\n").unwrap();

        let mut now = Tree::default();
        for (path, content) in [
            ("same.tf", "a\n"),
            ("spec-changed.tf", "a\nc\n"),
            ("hand.tf", "h2\n"),
            ("stranger.tf", "ours\n"),
            ("new.tf", "n\n"),
        ] {
            now.insert(path.into(), content.into()).unwrap();
        }
        let drift = compare(&now, dir.path(), &known).unwrap();
        let state = |p: &str| drift.files.iter().find(|f| f.path == p).map(|f| f.state);
        assert_eq!(state("same.tf"), Some(FileState::InSync));
        assert_eq!(
            state("spec-changed.tf"),
            Some(FileState::Modified {
                by_hand: false,
                never_written: false
            })
        );
        assert_eq!(
            state("hand.tf"),
            Some(FileState::Modified {
                by_hand: true,
                never_written: false
            })
        );
        assert_eq!(
            state("stranger.tf"),
            Some(FileState::Modified {
                by_hand: true,
                never_written: true
            })
        );
        assert_eq!(state("new.tf"), Some(FileState::Missing));
        assert_eq!(
            state("old.tf"),
            Some(FileState::Orphaned { by_hand: false })
        );
        assert_eq!(
            state("old-edited.tf"),
            Some(FileState::Orphaned { by_hand: true })
        );
        assert_eq!(drift.hand_edits().count(), 3);
        let diff = &drift
            .files
            .iter()
            .find(|f| f.path == "spec-changed.tf")
            .unwrap()
            .diff;
        assert!(
            diff.contains(
                "--- spec-changed.tf (on disk)\n+++ spec-changed.tf (rendered from spec)\n"
            ),
            "{diff}"
        );
        assert!(diff.contains("-b\n+c\n"), "{diff}");
    }
}
