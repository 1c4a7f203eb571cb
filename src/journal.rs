//! The journal: what a render is about to change, written durably before the first change and
//! removed after the manifest is updated, so an interrupted render (killed, out of disk, an
//! I/O error) can always be finished by the next one.
//!
//! It lives at `<out>/.mlgen/journal.json` and records the content hashes the files had
//! before (the old manifest) and will have after (the new one), and the temporary file names
//! the render may create. While a journal exists, a file holding either hash is mlgen's own, so
//! the next render of the old *or* the new spec overwrites or removes it without `--force`,
//! and the temporary files it lists are deleted. Only the journal and the manifest are synced
//! to disk: the recovery guarantee needs the journal to exist before any file changes, and a
//! killed process loses nothing the kernel already has.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use crate::manifest::{Manifest, is_safe_relative};
use crate::safe_fs;

/// Where the journal lives, relative to the output directory.
pub(crate) const PATH: &str = ".mlgen/journal.json";

/// An unfinished render.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Journal {
    /// Format version, 1.
    pub version: u32,
    /// Hashes before the render: the manifest it started from.
    pub before: BTreeMap<String, String>,
    /// Hashes after the render: the manifest it would write.
    pub after: BTreeMap<String, String>,
    /// Temporary files (relative paths) the render may have created.
    pub temporaries: Vec<String>,
}

impl Journal {
    /// Reads `<out>/.mlgen/journal.json`; `None` when no render was interrupted.
    pub fn read(out: &Path) -> anyhow::Result<Option<Self>> {
        let Some(bytes) = safe_fs::read_inside(out, PATH).context("reading the journal")? else {
            return Ok(None);
        };
        let journal: Self = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{} is not a journal mlgen can read; delete it and run `mlgen render --force`",
                out.join(PATH).display()
            )
        })?;
        anyhow::ensure!(journal.version == 1, "unknown journal version");
        let files = journal.before.keys().chain(journal.after.keys());
        let bad_file = files.into_iter().find(|p| !is_safe_relative(p));
        let bad_temporary = journal.temporaries.iter().find(|p| !is_temporary(p));
        if let Some(bad) = bad_file.or(bad_temporary) {
            anyhow::bail!(
                "{} lists the unsafe path {bad:?}; mlgen only writes inside the output directory",
                out.join(PATH).display()
            );
        }
        Ok(Some(journal))
    }

    /// Writes the journal durably: a new temporary file, synced, renamed into place, and the
    /// folder synced, so the journal exists on disk before anything it describes changes.
    pub fn write(&self, out: &Path) -> anyhow::Result<()> {
        let text = serde_json::to_string(self).expect("a journal always serializes");
        write_durably(out, PATH, text.as_bytes())
    }

    /// Removes the journal once the manifest is written.
    pub fn remove(out: &Path) -> anyhow::Result<()> {
        let path = out.join(PATH);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e).with_context(|| format!("removing {}", path.display())),
        }
        safe_fs::sync_dir(&out.join(crate::lock::STATE_DIR)).context("syncing .mlgen")?;
        Ok(())
    }
}

/// Writes mlgen's state file `out/relative` durably (see [`safe_fs::replace`]).
pub(crate) fn write_durably(out: &Path, relative: &str, bytes: &[u8]) -> anyhow::Result<()> {
    safe_fs::replace(out, relative, bytes, true)
}

/// What mlgen knows it wrote: the manifest's hashes, and while a journal exists, the hashes
/// the interrupted render started from and was writing too. Decides whether a file on disk is
/// mlgen's own (any known hash) or was edited by hand.
#[derive(Debug, Clone, Default)]
pub struct Known {
    hashes: BTreeMap<String, Vec<String>>,
    /// True when an interrupted render's journal was merged in.
    pub interrupted: bool,
}

impl Known {
    /// From the manifest and, if a render was interrupted, its journal.
    pub fn new(manifest: Option<&Manifest>, journal: Option<&Journal>) -> Self {
        let mut known = Self {
            hashes: BTreeMap::new(),
            interrupted: journal.is_some(),
        };
        let recorded = manifest
            .into_iter()
            .flat_map(|m| m.files.iter().map(|(p, e)| (p, &e.sha256)));
        let journaled = journal
            .into_iter()
            .flat_map(|j| j.before.iter().chain(&j.after));
        for (path, hash) in recorded.chain(journaled) {
            let hashes = known.hashes.entry(path.clone()).or_default();
            if !hashes.contains(hash) {
                hashes.push(hash.clone());
            }
        }
        known
    }

    /// Reads the manifest and the journal of `out`.
    pub fn read(out: &Path) -> anyhow::Result<Self> {
        let manifest = Manifest::read(out)?;
        let journal = Journal::read(out)?;
        Ok(Self::new(manifest.as_ref(), journal.as_ref()))
    }

    /// Every path mlgen wrote or was writing.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.hashes.keys().map(String::as_str)
    }

    /// True when `path` holds content mlgen wrote (`sha256` is one of its known hashes).
    pub fn wrote(&self, path: &str, sha256: &str) -> bool {
        self.hashes
            .get(path)
            .is_some_and(|h| h.iter().any(|k| k == sha256))
    }
}

pub(crate) use safe_fs::temporary_name;

/// True for a safe relative path whose file name is one [`temporary_name`] makes.
fn is_temporary(path: &str) -> bool {
    let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
    (folder.is_empty() || is_safe_relative(folder))
        && name.starts_with('.')
        && Path::new(name).extension().is_some_and(|e| e == "tmp")
        && name.contains(".mlgen-")
        && !name.contains(['/', '\\'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_merges_hashes() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Journal::read(dir.path()).unwrap(), None);
        let journal = Journal {
            version: 1,
            before: [("a.tf".to_owned(), "old".to_owned())].into(),
            after: [("a.tf".to_owned(), "new".to_owned())].into(),
            temporaries: vec![temporary_name("a.tf")],
        };
        journal.write(dir.path()).unwrap();
        assert_eq!(Journal::read(dir.path()).unwrap(), Some(journal.clone()));
        let known = Known::read(dir.path()).unwrap();
        assert!(known.interrupted);
        assert!(known.wrote("a.tf", "old") && known.wrote("a.tf", "new"));
        assert!(!known.wrote("a.tf", "other"));
        let hostile = r#"{"version":1,"before":{},"after":{},"temporaries":["../../.bashrc"]}"#;
        std::fs::write(dir.path().join(PATH), hostile).unwrap();
        assert!(Journal::read(dir.path()).is_err());
        Journal::remove(dir.path()).unwrap();
        assert_eq!(Journal::read(dir.path()).unwrap(), None);
    }
}
