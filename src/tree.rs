//! The rendered output: relative path → file content, kept in path order so that writing,
//! diffing and snapshots are deterministic (the idea of typify's `OutputSpace`).

use std::collections::BTreeMap;

/// Rendered files keyed by their `/`-separated path relative to the output directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    files: BTreeMap<String, String>,
    /// The template (and layer) each file came from.
    origins: BTreeMap<String, String>,
}

impl Tree {
    /// Adds a file; `Err` with the path if two templates produce the same file.
    pub fn insert(&mut self, path: String, content: String) -> Result<(), String> {
        if self.files.contains_key(&path) {
            return Err(path);
        }
        self.files.insert(path, content);
        Ok(())
    }

    /// Adds a file and the template it came from.
    pub fn insert_from(
        &mut self,
        path: String,
        content: String,
        origin: String,
    ) -> Result<(), String> {
        self.insert(path.clone(), content)?;
        self.origins.insert(path, origin);
        Ok(())
    }

    /// The template a file came from, when known.
    pub fn origin(&self, path: &str) -> Option<&str> {
        self.origins.get(path).map(String::as_str)
    }

    /// Files in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().map(|(p, c)| (p.as_str(), c.as_str()))
    }

    /// The content of one file.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when nothing was rendered.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Every file as `=== path ===` followed by its content: one reviewable snapshot.
    pub fn to_snapshot_string(&self) -> String {
        let mut out = String::new();
        for (path, content) in &self.files {
            out.push_str("=== ");
            out.push_str(path);
            out.push_str(" ===\n");
            out.push_str(content);
        }
        out
    }
}
