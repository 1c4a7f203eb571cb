//! Reading a spec: file → text → YAML value, plus an index from JSON pointers to source
//! positions.
//!
//! `serde_yaml` parses the document (and reports syntax errors and duplicate keys with their
//! position); yaml-rust2's event parser, which carries a marker on every event, builds the
//! [`SpanIndex`] that lets later stages point at the exact key or value a problem is about.
//! This is the only module that knows YAML; everything after it sees `serde_json::Value`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde_json::Value;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diag::Diagnostic;

/// Largest spec mlgen reads. Real specs are a few KiB; this stops a stray multi-GB file from
/// being pulled into memory by a commit hook.
pub const MAX_SPEC_BYTES: u64 = 4 * 1024 * 1024;

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
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let size = match std::fs::metadata(path) {
            Ok(metadata) => metadata.len(),
            // The usual first-run mistake: say how to get a spec, not just that there is none.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
                "spec {} not found: pass the spec's path, or run `mlgen init` to write a starter spec",
                path.display()
            ),
            Err(e) => {
                return Err(e).with_context(|| format!("reading spec {}", path.display()));
            }
        };
        anyhow::ensure!(
            size <= MAX_SPEC_BYTES,
            "spec {} is {size} bytes; mlgen reads specs of at most {MAX_SPEC_BYTES} bytes",
            path.display()
        );
        let bytes =
            std::fs::read(path).with_context(|| format!("reading spec {}", path.display()))?;
        let text = String::from_utf8(bytes)
            .map_err(|e| anyhow::anyhow!("spec {} is not valid UTF-8: {e}", path.display()))?;
        Ok(Self {
            path: path.to_owned(),
            text,
        })
    }

    /// A diagnostic at a 1-based line and column of this file.
    pub fn diagnostic_at(
        &self,
        line: usize,
        column: usize,
        pointer: &str,
        message: String,
    ) -> Diagnostic {
        Diagnostic {
            path: self.path.display().to_string(),
            line,
            column,
            pointer: pointer.to_owned(),
            message,
            help: None,
            source_line: self
                .text
                .lines()
                .nth(line.saturating_sub(1))
                .map(str::to_owned),
        }
    }
}

/// Where a node sits in the source: its key (for mapping values) and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Line and column of the key, for values inside a mapping.
    pub key: Option<(usize, usize)>,
    /// Line and column where the value starts.
    pub value: (usize, usize),
}

/// JSON pointer → [`Span`] for every node of the document.
#[derive(Debug, Default)]
pub struct SpanIndex {
    spans: HashMap<String, Span>,
    /// Position of the first key that repeats an earlier key of the same mapping.
    first_duplicate: Option<(usize, usize)>,
}

impl SpanIndex {
    /// The span of `pointer`, or of its nearest ancestor that has one.
    pub fn nearest(&self, pointer: &str) -> Option<Span> {
        let mut p = pointer;
        loop {
            if let Some(span) = self.spans.get(p) {
                return Some(*span);
            }
            p = &p[..p.rfind('/')?];
        }
    }

    /// The span of exactly `pointer`.
    pub fn get(&self, pointer: &str) -> Option<Span> {
        self.spans.get(pointer).copied()
    }
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn pointer_segment(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Parses the text as YAML into a JSON value and its span index.
#[allow(clippy::result_large_err)] // one diagnostic, built once per run
pub fn parse(source: &SourceFile) -> Result<(Value, SpanIndex), Diagnostic> {
    if let Some((line, column)) = too_deep(&source.text) {
        let message =
            format!("invalid YAML: nested more than {MAX_FLOW_DEPTH} levels deep; a spec never is");
        return Err(source.diagnostic_at(line, column, "", message));
    }
    let spans = index_spans(&source.text);
    let yaml: serde_yaml::Value = serde_yaml::from_str(&source.text).map_err(|err| {
        let (mut line, mut column) = err.location().map_or((1, 1), |l| (l.line(), l.column()));
        let raw = err.to_string();
        // The position is printed in front already; drop serde_yaml's copy of it.
        let raw = raw.replacen(&format!(" at line {line} column {column}"), "", 1);
        let message = match raw.split_once("duplicate entry with key ") {
            Some((path, key)) => {
                // serde_yaml places a duplicate at its mapping; the span index knows the repeat.
                if let Some(at) = spans.first_duplicate {
                    (line, column) = at;
                }
                let place = path.trim_end_matches(": ");
                let place = if place.is_empty() {
                    String::new()
                } else {
                    format!(" in `{place}`")
                };
                format!("duplicate key {key}{place}; a key may appear only once in a mapping")
            }
            None => format!("invalid YAML: {raw}"),
        };
        source.diagnostic_at(line, column, "", message)
    })?;
    Ok((to_json(yaml), spans))
}

/// Deepest flow nesting (`[[[…` / `{{{…`) accepted. YAML parsers take time quadratic in the
/// nesting depth (`serde_yaml` needs 44 s for 100,000 levels before it reports its own recursion
/// limit), so such input is refused by this linear scan before any parser sees it.
pub const MAX_FLOW_DEPTH: usize = 64;

/// Position of the first flow opener beyond [`MAX_FLOW_DEPTH`]. Counts only `[`/`{` where a
/// flow collection can start (line start, after `: `, `- `, `,`, `[`, `{`), outside quotes
/// and comments, so plain scalars such as `a[b` never count.
fn too_deep(text: &str) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    for (line_index, line) in text.lines().enumerate() {
        let mut quote: Option<char> = None;
        let mut previous = ' ';
        let mut at_value_start = true;
        for (column, c) in line.chars().enumerate() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None => match c {
                    '#' if previous == ' ' || column == 0 => break,
                    '"' | '\'' if at_value_start => quote = Some(c),
                    '[' | '{' if at_value_start => {
                        depth += 1;
                        if depth > MAX_FLOW_DEPTH {
                            return Some((line_index + 1, column + 1));
                        }
                    }
                    ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                },
            }
            at_value_start = match c {
                '[' | '{' | ',' => true,
                ' ' => at_value_start || matches!(previous, ':' | '-' | ','),
                _ => false,
            };
            previous = c;
        }
    }
    None
}

/// YAML → JSON. Non-string keys become their text, so `1: x` is reported as a bad key later
/// rather than failing here; tags are dropped; non-finite floats become strings, which the
/// schema then rejects with a type error.
fn to_json(yaml: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                // JSON Schema counts 4.0 as an integer; make serde agree.
                #[allow(clippy::cast_possible_truncation, clippy::float_cmp)]
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    return Value::from(f as i64);
                }
                serde_json::Number::from_f64(f)
                    .map_or_else(|| Value::String(n.to_string()), Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (key_text(k), to_json(v)))
                .collect(),
        ),
        Y::Tagged(tagged) => to_json(tagged.value),
    }
}

fn key_text(key: serde_yaml::Value) -> String {
    match key {
        serde_yaml::Value::String(s) => s,
        other => serde_yaml::to_string(&other)
            .map_or_else(|_| "?".to_owned(), |s| s.trim_end().to_owned()),
    }
}

/// Builds the span index from yaml-rust2 events. If yaml-rust2 cannot parse something
/// `serde_yaml` accepted, the index is simply partial and diagnostics fall back to ancestors.
fn index_spans(text: &str) -> SpanIndex {
    let mut builder = SpanBuilder::default();
    let _ = Parser::new_from_str(text).load(&mut builder, false);
    SpanIndex {
        spans: builder.spans,
        first_duplicate: builder.first_duplicate,
    }
}

/// Where a value starts. An empty value (`tags:` with nothing after it) is reported by the
/// parser at the next token, which may be a sibling key or past the end of the file; a value
/// that starts on a later line at or left of its key's column is such a stand-in, so the key's
/// own position is used instead.
fn value_position(key: Option<(usize, usize)>, at: (usize, usize)) -> (usize, usize) {
    match key {
        Some(k) if at.0 > k.0 && at.1 <= k.1 => k,
        _ => at,
    }
}

enum Frame {
    Map {
        pointer: String,
        pending_key: Option<(String, (usize, usize))>,
        in_complex_key: bool,
        has_keys: bool,
    },
    Seq {
        pointer: String,
        next_index: usize,
    },
}

#[derive(Default)]
struct SpanBuilder {
    stack: Vec<Frame>,
    spans: HashMap<String, Span>,
    first_duplicate: Option<(usize, usize)>,
    /// Nesting depth inside a complex (non-scalar) mapping key, whose contents are not indexed.
    skip_depth: usize,
}

impl SpanBuilder {
    /// Pointer and key position for the next value, advancing the parent's state.
    fn next_value_slot(&mut self) -> Option<(String, Option<(usize, usize)>)> {
        match self.stack.last_mut() {
            None => Some((String::new(), None)),
            Some(Frame::Seq {
                pointer,
                next_index,
            }) => {
                let slot = format!("{pointer}/{next_index}");
                *next_index += 1;
                Some((slot, None))
            }
            Some(Frame::Map {
                pointer,
                pending_key,
                ..
            }) => {
                let (key, at) = pending_key.take()?;
                let slot = format!("{pointer}/{}", pointer_segment(&key));
                if self.spans.contains_key(&slot) && self.first_duplicate.is_none() {
                    self.first_duplicate = Some(at);
                }
                Some((slot, Some(at)))
            }
        }
    }

    /// True when the next node is a mapping key.
    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame::Map {
                pending_key: None,
                ..
            })
        )
    }
}

impl MarkedEventReceiver for SpanBuilder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let at = (mark.line(), mark.col() + 1);
        let opens = matches!(event, Event::MappingStart(..) | Event::SequenceStart(..));
        let closes = matches!(event, Event::MappingEnd | Event::SequenceEnd);
        if self.skip_depth > 0 {
            self.skip_depth += usize::from(opens);
            self.skip_depth -= usize::from(closes);
            if self.skip_depth == 0
                && let Some(Frame::Map {
                    pending_key,
                    in_complex_key,
                    ..
                }) = self.stack.last_mut()
            {
                *pending_key = Some(("?".to_owned(), at));
                *in_complex_key = false;
            }
            return;
        }
        match event {
            Event::Scalar(ref text, ..) if self.expects_key() => {
                if let Some(Frame::Map {
                    pointer,
                    pending_key,
                    has_keys,
                    ..
                }) = self.stack.last_mut()
                {
                    *pending_key = Some((text.clone(), at));
                    // A block mapping's start marker sits at its first `:`; its first key is
                    // where a reader sees the mapping begin.
                    if !*has_keys {
                        *has_keys = true;
                        if let Some(span) = self.spans.get_mut(pointer.as_str()) {
                            span.value = span.value.min(at);
                        }
                    }
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) if self.expects_key() => {
                if let Some(Frame::Map { in_complex_key, .. }) = self.stack.last_mut() {
                    *in_complex_key = true;
                }
                self.skip_depth = 1;
            }
            Event::Scalar(..) | Event::Alias(..) => {
                if let Some((pointer, key)) = self.next_value_slot() {
                    self.spans.insert(
                        pointer,
                        Span {
                            key,
                            value: value_position(key, at),
                        },
                    );
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if let Some((pointer, key)) = self.next_value_slot() {
                    self.spans.insert(
                        pointer.clone(),
                        Span {
                            key,
                            value: value_position(key, at),
                        },
                    );
                    self.stack
                        .push(if matches!(event, Event::MappingStart(..)) {
                            Frame::Map {
                                pointer,
                                pending_key: None,
                                in_complex_key: false,
                                has_keys: false,
                            }
                        } else {
                            Frame::Seq {
                                pointer,
                                next_index: 0,
                            }
                        });
                }
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> SourceFile {
        SourceFile {
            path: "t.yaml".into(),
            text: text.to_owned(),
        }
    }

    #[test]
    fn indexes_keys_and_values() {
        let text =
            "version: 1\nproject:\n  name: churn\n  tags: {a/b: x}\nlist:\n  - one\n  - k: v\n";
        let (value, spans) = parse(&source(text)).unwrap();
        assert_eq!(value["project"]["name"], "churn");
        assert_eq!(
            spans.get("/project/name"),
            Some(Span {
                key: Some((3, 3)),
                value: (3, 9)
            })
        );
        assert_eq!(spans.get("/project/tags/a~1b").unwrap().value, (4, 15));
        assert_eq!(spans.get("/list/1/k").unwrap().key, Some((7, 5)));
        assert_eq!(spans.nearest("/project/name/deeper").unwrap().value, (3, 9));
        assert_eq!(spans.get("").unwrap().value, (1, 1));
        assert_eq!(spans.get("/project").unwrap().value, (3, 3));
        assert_eq!(spans.get("/list/1").unwrap().value, (7, 5));
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = parse(&source("project:\n  name: [unclosed\n")).unwrap_err();
        assert_eq!(
            err.message,
            "invalid YAML: did not find expected ',' or ']', while parsing a flow sequence at line 2 column 9"
        );
        assert_eq!(err.line, 3);
    }

    #[test]
    fn duplicate_keys_are_syntax_errors() {
        let err = parse(&source("version: 1\nversion: 2\n")).unwrap_err();
        assert_eq!(
            err.message,
            "duplicate key \"version\"; a key may appear only once in a mapping"
        );
        assert_eq!(err.line, 2);
        let err = parse(&source("p:\n  l: 1\n  l: 2\n")).unwrap_err();
        assert_eq!(
            err.message,
            "duplicate key \"l\" in `p`; a key may appear only once in a mapping"
        );
        assert_eq!((err.line, err.column), (3, 3));
    }

    #[test]
    fn deep_nesting_is_refused_quickly() {
        let deep = format!("x: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let start = std::time::Instant::now();
        let err = parse(&source(&deep)).unwrap_err();
        assert!(start.elapsed().as_secs() < 2, "took {:?}", start.elapsed());
        assert_eq!((err.line, err.column), (1, 4 + MAX_FLOW_DEPTH));
        assert!(
            err.message.contains("nested more than 64 levels"),
            "{}",
            err.message
        );
        let fine = format!(
            "x: {}1{}\nname: 'a[[[[' # [[[[\ny: b[[[[[[\n",
            "[".repeat(60),
            "]".repeat(60)
        );
        assert_eq!(too_deep(&fine), None);
    }

    #[test]
    fn empty_values_point_at_their_key() {
        let spans = index_spans("project:\n  tags:\n  environment: prod\nmlops:\nlast:\n");
        assert_eq!(spans.get("/project/tags").unwrap().value, (2, 3));
        assert_eq!(spans.get("/mlops").unwrap().value, (4, 1));
        assert_eq!(spans.get("/last").unwrap().value, (5, 1));
        let spans = index_spans("list:\n- a\nmap:\n  k: v\n");
        assert_eq!(spans.get("/list/0").unwrap().value, (2, 3));
        assert_eq!(spans.get("/map").unwrap().value, (4, 3));
    }

    #[test]
    fn complex_keys_do_not_confuse_the_index() {
        let text = "? [a, b]\n: 1\nname: x\n";
        let spans = index_spans(text);
        assert_eq!(spans.get("/name").unwrap().value, (3, 7));
    }
}
