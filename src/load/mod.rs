//! Reading a spec: file → text → YAML value, plus an index from JSON pointers to source
//! positions.
//!
//! The spec is read as a regular file with a size cap ([`crate::safe_fs`]); a leading UTF-8
//! byte order mark is dropped, as YAML allows. [`yaml`] parses the text in one bounded pass and
//! builds the [`SpanIndex`] that lets later stages point at the exact key or value a problem is
//! about; [`pointer`](mod@pointer) escapes the keys those pointers are made of. This is the
//! only module that knows YAML; everything after it sees `serde_json::Value`.

mod yaml;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub(crate) use yaml::parse;

use crate::diag::{Diagnostic, Problem};
use crate::safe_fs::{self, ReadError};

/// Largest spec mlgen reads. Real specs are a few KiB; this stops a stray multi-GB file from
/// being pulled into memory by a commit hook.
pub(crate) const MAX_SPEC_BYTES: u64 = 4 * 1024 * 1024;

/// Most bytes of JSON pointers the span index may hold: pointers grow with depth times key
/// length, so a deep chain of long keys with many leaves would otherwise cost far more memory
/// than its text. Real specs use a few hundred KiB.
const MAX_INDEX_BYTES: usize = 64 * 1024 * 1024;

/// A spec file's name (as the user wrote it) and text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as given on the command line.
    pub path: PathBuf,
    /// The whole text.
    pub text: String,
}

impl SourceFile {
    /// Reads `path`; IO errors, a too-large file and invalid UTF-8 are plain errors (exit 2).
    /// The spec must be a regular file (not a link, FIFO or device) of at most
    /// [`MAX_SPEC_BYTES`], counted as read.
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let bytes = match safe_fs::read_capped(path, MAX_SPEC_BYTES) {
            Ok(bytes) => bytes,
            // The usual first-run mistake: say how to get a spec, not just that there is none.
            Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
                "spec {} not found: pass the spec's path, or run `mlgen init` to write a starter spec",
                path.display()
            ),
            Err(ReadError::Unsafe(safe_fs::Unsafe::TooLarge(..))) => anyhow::bail!(
                "spec {} is larger than {MAX_SPEC_BYTES} bytes; mlgen reads specs of at most that",
                path.display()
            ),
            Err(e) => anyhow::bail!("spec {}: {e}", path.display()),
        };
        let mut text = String::from_utf8(bytes)
            .map_err(|e| anyhow::anyhow!("spec {} is not valid UTF-8: {e}", path.display()))?;
        // Editors on Windows write a byte order mark; YAML allows one at the start.
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        Ok(Self {
            path: path.to_owned(),
            text,
        })
    }

    /// The diagnostic of `problem` at a 1-based line and column of this file.
    pub(crate) fn diagnostic_at(
        &self,
        line: usize,
        column: usize,
        pointer: &str,
        problem: &Problem,
    ) -> Diagnostic {
        let line_text = yaml_lines(&self.text).nth(line.saturating_sub(1));
        self.diagnostic_on(line, column, line_text, pointer, problem)
    }

    /// [`Self::diagnostic_at`] with the text of that line already at hand.
    pub(crate) fn diagnostic_on(
        &self,
        line: usize,
        column: usize,
        line_text: Option<&str>,
        pointer: &str,
        problem: &Problem,
    ) -> Diagnostic {
        Diagnostic {
            severity: problem.severity(),
            path: self.path.display().to_string(),
            line,
            column,
            pointer: pointer.to_owned(),
            message: problem.message(),
            help: problem.help(),
            source_line: line_text.map(str::to_owned),
        }
    }
}

/// The lines of `text` as YAML counts them: `\r\n`, `\n` and a lone `\r` each end one.
pub fn yaml_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').flat_map(|line| {
        let line = line.strip_suffix('\r').unwrap_or(line);
        line.split('\r')
    })
}

/// Where a node sits in the source: its key (for mapping values) and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    /// Line and column of the key, for values inside a mapping.
    pub key: Option<(usize, usize)>,
    /// Line and column where the value starts.
    pub value: (usize, usize),
}

/// JSON pointer → [`Span`] for every node of the document.
#[derive(Debug, Default)]
pub(crate) struct SpanIndex {
    spans: HashMap<String, Span>,
    /// Bytes of pointers held, against [`MAX_INDEX_BYTES`].
    pointer_bytes: usize,
}

impl SpanIndex {
    /// The span of `pointer`, or of its nearest ancestor that has one.
    pub(crate) fn nearest(&self, pointer: &str) -> Option<Span> {
        let mut p = pointer;
        loop {
            if let Some(span) = self.spans.get(p) {
                return Some(*span);
            }
            p = &p[..p.rfind('/')?];
        }
    }

    /// Records the span of `pointer`; refuses once the index would outgrow its budget.
    fn insert(&mut self, pointer: &str, span: Span) -> Result<(), Problem> {
        self.pointer_bytes += pointer.len();
        if self.pointer_bytes > MAX_INDEX_BYTES {
            return Err(Problem::KeyPathsTooLong {
                max: MAX_INDEX_BYTES,
            });
        }
        self.spans.insert(pointer.to_owned(), span);
        Ok(())
    }

    /// The span of exactly `pointer`.
    pub(crate) fn get(&self, pointer: &str) -> Option<Span> {
        self.spans.get(pointer).copied()
    }
}
