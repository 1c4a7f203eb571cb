//! The bounded YAML reader: text in, a JSON value and a span for every node out, in one pass
//! over yaml-rust2's marked events, in time and memory linear in the input.
//!
//! A spec comes from a repository that takes pull requests, so the reader refuses, with the
//! position where the limit was crossed, what no spec needs and a parser would otherwise pay
//! for: nesting deeper than [`MAX_DEPTH`] (block or flow), more than [`MAX_NODES`] nodes or
//! [`MAX_TEXT_BYTES`] of text once aliases are expanded (the "billion laughs"), more than
//! [`MAX_ALIASES`] aliases, scalars longer than [`MAX_SCALAR_BYTES`], keys longer than
//! [`MAX_KEY_BYTES`]. Aliases are expanded by copying an already-built value whose size is
//! known, so the budget is charged before the copy is made. Plain scalars are resolved with
//! YAML 1.2's core schema (`yes` stays a string), as `serde_yaml` did.

use std::collections::HashMap;

use serde_json::Value;
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

use super::{SourceFile, Span, SpanIndex};
use crate::diag::{Diagnostic, KeyPath, Problem};
use crate::pointer;

/// Deepest nesting of mappings and sequences, block or flow. A spec is 5 levels deep.
pub(crate) const MAX_DEPTH: usize = 64;
/// Most nodes (keys, values, items) in the document with every alias expanded. A spec with
/// 1,000 compute clusters has about 10,000.
pub(crate) const MAX_NODES: usize = 200_000;
/// Most text (scalars and keys, in bytes) in the document with every alias expanded: twice the
/// largest spec file ([`super::MAX_SPEC_BYTES`]), so aliases can at most double it.
pub(crate) const MAX_TEXT_BYTES: usize = 8 * 1024 * 1024;
/// Most aliases (`*name`) in one document.
pub(crate) const MAX_ALIASES: usize = 1_000;
/// Longest scalar value: descriptions and `extra` values fit many times over.
pub(crate) const MAX_SCALAR_BYTES: usize = 64 * 1024;
/// Longest mapping key: Azure tag names, the longest keys a spec has, stop at 512 characters.
pub(crate) const MAX_KEY_BYTES: usize = 2 * 1024;

/// Parses `source` as one YAML document into a JSON value and its span index.
#[allow(clippy::result_large_err)] // one diagnostic, built once per run
pub(crate) fn parse(source: &SourceFile) -> Result<(Value, SpanIndex), Diagnostic> {
    let fail = |(line, column): (usize, usize), problem: Problem| {
        source.diagnostic_at(line, column, "", &problem)
    };
    if let Some(at) = too_deep_flow(&source.text) {
        return Err(fail(at, Problem::TooDeep { max: MAX_DEPTH }));
    }
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(&source.text);
    let mut documents = 0;
    loop {
        let (event, mark) = parser.next_token().map_err(|e| syntax_error(source, &e))?;
        let at = (mark.line(), mark.col() + 1);
        match event {
            Event::StreamEnd => break,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err(fail(at, Problem::SecondDocument));
                }
            }
            event => builder.event(event, at).map_err(|m| fail(at, m))?,
        }
    }
    Ok((builder.root.unwrap_or(Value::Null), builder.index))
}

/// The parser's error, made specific where the parser's own position misleads: a tab in the
/// indentation is reported where the scalar around it starts (or a line earlier), and an
/// unclosed `[` or `{` where the parser gives up, often at the end of the file.
fn syntax_error(source: &SourceFile, err: &ScanError) -> Diagnostic {
    let mark: &Marker = err.marker();
    let line = mark.line().max(1);
    let (at, problem) = if let Some(at) = err
        .info()
        .contains("tab")
        .then(|| indentation_tab(&source.text, line))
        .flatten()
    {
        (at, Problem::TabIndent)
    } else if let Some((at, open)) =
        unclosed_flow(&source.text).filter(|(at, _)| *at <= (line, mark.col() + 1))
    {
        let close = if open == '[' { ']' } else { '}' };
        (at, Problem::Unclosed { open, close })
    } else {
        (
            (line, mark.col() + 1),
            Problem::YamlSyntax {
                info: err.info().to_owned(),
            },
        )
    };
    source.diagnostic_at(at.0, at.1, "", &problem)
}

/// Line and column of the first tab in a line's indentation, searching from line `from`
/// (1-based) to the end, then from the top: the parser reports a tab where the token around it
/// starts, which may be a line above the tab.
fn indentation_tab(text: &str, from: usize) -> Option<(usize, usize)> {
    let tabs: Vec<(usize, usize)> = super::yaml_lines(text)
        .enumerate()
        .filter_map(|(index, line)| {
            let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
            line[..indent]
                .find('\t')
                .map(|column| (index + 1, line[..column].chars().count() + 1))
        })
        .collect();
    tabs.iter()
        .find(|(line, _)| *line >= from)
        .or_else(|| tabs.first())
        .copied()
}

/// A value with an anchor (`&name`), kept for its aliases with what it costs to copy.
struct Anchored {
    value: Value,
    nodes: usize,
    text_bytes: usize,
}

/// A collection being built.
struct Frame {
    pointer: String,
    anchor: usize,
    /// Budget used when the collection started, to price it for its aliases.
    nodes_before: usize,
    text_before: usize,
    kind: FrameKind,
}

enum FrameKind {
    Map {
        map: serde_json::Map<String, Value>,
        /// The key read, waiting for its value.
        pending_key: Option<(String, (usize, usize))>,
    },
    Seq(Vec<Value>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    index: SpanIndex,
    anchors: HashMap<usize, Anchored>,
    root: Option<Value>,
    nodes: usize,
    text_bytes: usize,
    aliases: usize,
}

impl Builder {
    fn event(&mut self, event: Event, at: (usize, usize)) -> Result<(), Problem> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                if self.expects_key() {
                    return self.key(text, at);
                }
                if text.len() > MAX_SCALAR_BYTES {
                    return Err(Problem::ValueTooLong {
                        bytes: text.len(),
                        max: MAX_SCALAR_BYTES,
                    });
                }
                self.charge(1, text.len())?;
                let value = resolve(text, style, tag.as_ref());
                if anchor > 0 {
                    self.anchors.insert(
                        anchor,
                        Anchored {
                            nodes: 1,
                            text_bytes: value.as_str().map_or(0, str::len),
                            value: value.clone(),
                        },
                    );
                }
                self.place(value, at)
            }
            Event::Alias(id) => {
                self.aliases += 1;
                if self.aliases > MAX_ALIASES {
                    return Err(Problem::TooManyAliases { max: MAX_ALIASES });
                }
                let Some(anchored) = self.anchors.get(&id) else {
                    return Err(Problem::UnknownAnchor);
                };
                let (nodes, bytes) = (anchored.nodes, anchored.text_bytes);
                // Charged before the copy: an over-budget copy is never made.
                self.charge(nodes, bytes)?;
                let value = self.anchors[&id].value.clone();
                if self.expects_key() {
                    return match value {
                        Value::String(key) => self.key(key, at),
                        _ => Err(Problem::AliasAsKey),
                    };
                }
                self.place(value, at)
            }
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                if self.expects_key() {
                    return Err(Problem::CollectionAsKey);
                }
                if self.stack.len() >= MAX_DEPTH {
                    return Err(Problem::TooDeep { max: MAX_DEPTH });
                }
                self.charge(1, 0)?;
                let pointer = self.record_span(at)?;
                let kind = if matches!(event, Event::MappingStart(..)) {
                    FrameKind::Map {
                        map: serde_json::Map::new(),
                        pending_key: None,
                    }
                } else {
                    FrameKind::Seq(Vec::new())
                };
                self.stack.push(Frame {
                    pointer,
                    anchor,
                    nodes_before: self.nodes - 1,
                    text_before: self.text_bytes,
                    kind,
                });
                Ok(())
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let value = match frame.kind {
                    FrameKind::Map { map, .. } => Value::Object(map),
                    FrameKind::Seq(items) => Value::Array(items),
                };
                if frame.anchor > 0 {
                    self.anchors.insert(
                        frame.anchor,
                        Anchored {
                            value: value.clone(),
                            nodes: self.nodes - frame.nodes_before,
                            text_bytes: self.text_bytes - frame.text_before,
                        },
                    );
                }
                self.attach(value);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Counts nodes and text against the budget before anything is built.
    fn charge(&mut self, nodes: usize, text_bytes: usize) -> Result<(), Problem> {
        self.nodes += nodes;
        self.text_bytes += text_bytes;
        if self.nodes > MAX_NODES {
            return Err(Problem::TooManyValues { max: MAX_NODES });
        }
        if self.text_bytes > MAX_TEXT_BYTES {
            return Err(Problem::TooMuchText {
                max: MAX_TEXT_BYTES,
            });
        }
        Ok(())
    }

    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                kind: FrameKind::Map {
                    pending_key: None,
                    ..
                },
                ..
            })
        )
    }

    fn key(&mut self, key: String, at: (usize, usize)) -> Result<(), Problem> {
        if key.len() > MAX_KEY_BYTES {
            return Err(Problem::KeyTooLong {
                bytes: key.len(),
                max: MAX_KEY_BYTES,
            });
        }
        self.charge(1, key.len())?;
        let Some(Frame {
            pointer,
            kind: FrameKind::Map { map, pending_key },
            ..
        }) = self.stack.last_mut()
        else {
            return Ok(());
        };
        if map.contains_key(&key) {
            return Err(Problem::DuplicateKey {
                key,
                mapping: KeyPath::new(pointer.as_str()),
            });
        }
        // A block mapping's start marker sits at its first `:`; its first key is where a
        // reader sees the mapping begin.
        if map.is_empty()
            && let Some(span) = self.index.spans.get_mut(pointer.as_str())
        {
            span.value = span.value.min(at);
        }
        // Reserve the key so a repeat is caught even before its value arrives.
        map.insert(key.clone(), Value::Null);
        *pending_key = Some((key, at));
        Ok(())
    }

    /// Pointer and key position of the next value, without consuming the pending key.
    fn next_slot(&self) -> (String, Option<(usize, usize)>) {
        match self.stack.last() {
            None => (String::new(), None),
            Some(Frame {
                pointer,
                kind: FrameKind::Seq(items),
                ..
            }) => (format!("{pointer}/{}", items.len()), None),
            Some(Frame {
                pointer,
                kind: FrameKind::Map { pending_key, .. },
                ..
            }) => match pending_key {
                Some((key, at)) => (format!("{pointer}/{}", pointer::escape(key)), Some(*at)),
                None => (pointer.clone(), None),
            },
        }
    }

    /// Records the span of the next value, starting at `at`; returns its pointer.
    fn record_span(&mut self, at: (usize, usize)) -> Result<String, Problem> {
        let (pointer, key) = self.next_slot();
        let span = Span {
            key,
            value: value_position(key, at),
        };
        self.index.insert(&pointer, span)?;
        Ok(pointer)
    }

    /// Records the span of a scalar or alias and attaches it to its parent.
    fn place(&mut self, value: Value, at: (usize, usize)) -> Result<(), Problem> {
        self.record_span(at)?;
        self.attach(value);
        Ok(())
    }

    /// Adds a finished value to the collection being built (or makes it the document).
    fn attach(&mut self, value: Value) {
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame {
                kind: FrameKind::Seq(items),
                ..
            }) => items.push(value),
            Some(Frame {
                kind: FrameKind::Map { map, pending_key },
                ..
            }) => {
                if let Some((key, _)) = pending_key.take() {
                    map.insert(key, value);
                }
            }
        }
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

/// A scalar's JSON value: quoted and block scalars and `!!str` are strings; plain scalars are
/// resolved by YAML 1.2's core schema (null, booleans, integers, floats).
fn resolve(text: String, style: TScalarStyle, tag: Option<&Tag>) -> Value {
    let core_tag = tag
        .filter(|t| t.handle == "tag:yaml.org,2002:" || t.handle == "!!")
        .map(|t| t.suffix.as_str());
    if style != TScalarStyle::Plain || core_tag == Some("str") {
        return Value::String(text);
    }
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(i) = parse_integer(&text) {
        return Value::from(i);
    }
    if let Some(f) = parse_float(&text) {
        // JSON Schema counts 4.0 as an integer; make serde agree.
        #[allow(clippy::cast_possible_truncation, clippy::float_cmp)]
        if f.fract() == 0.0 && f.abs() < 9.0e15 {
            return Value::from(f as i64);
        }
        // Non-finite numbers stay text, which the schema then rejects with a type error.
        return serde_json::Number::from_f64(f).map_or(Value::String(text), Value::Number);
    }
    Value::String(text)
}

/// Core-schema integers: decimal with an optional sign, `0x` hex, `0o` octal.
fn parse_integer(text: &str) -> Option<i64> {
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok();
    }
    if let Some(octal) = text.strip_prefix("0o") {
        return i64::from_str_radix(octal, 8).ok();
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Core-schema floats: `1.5`, `-2e3`, `.5`, `.inf`, `.nan` and their capitalisations.
fn parse_float(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    match unsigned {
        ".inf" | ".Inf" | ".INF" => {
            return Some(if text.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        ".nan" | ".NaN" | ".NAN" if unsigned == text => return Some(f64::NAN),
        _ => {}
    }
    let looks_numeric = unsigned
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && unsigned.bytes().any(|b| b.is_ascii_digit())
        && unsigned
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.');
    if looks_numeric {
        text.parse().ok()
    } else {
        None
    }
}

/// Position of the first flow opener (`[`, `{`) beyond [`MAX_DEPTH`]. YAML scanners keep a
/// simple-key candidate per open flow level and revisit them on every token, which is
/// quadratic in the depth, so such input is refused by this linear scan before the scanner
/// sees it.
fn too_deep_flow(text: &str) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    flow_brackets(text, |bracket, at| {
        if matches!(bracket, '[' | '{') {
            depth += 1;
            if depth > MAX_DEPTH {
                return Some(at);
            }
        } else {
            depth = depth.saturating_sub(1);
        }
        None
    })
}

/// The innermost `[` or `{` that is never closed (or closed by the other bracket), with its
/// position, for a syntax error that the parser reports only where it gives up.
fn unclosed_flow(text: &str) -> Option<((usize, usize), char)> {
    let mut open: Vec<((usize, usize), char)> = Vec::new();
    let mismatched = flow_brackets(text, |bracket, at| match bracket {
        '[' | '{' => {
            open.push((at, bracket));
            None
        }
        _ => match open.pop() {
            Some((_, '[')) if bracket == ']' => None,
            Some((_, '{')) if bracket == '}' => None,
            // Outside any flow collection a bracket is plain text.
            None => None,
            Some(opener) => Some(opener),
        },
    });
    mismatched.or_else(|| open.pop())
}

/// Calls `visit` with every flow bracket and its position (line, column; 1-based) until it
/// returns something. Counts only `[`/`{` where a flow collection can start (line start, after
/// `: `, `- `, `,`, `[`, `{`), outside quotes and comments, so plain scalars such as `a[b`
/// never count.
fn flow_brackets<T>(
    text: &str,
    mut visit: impl FnMut(char, (usize, usize)) -> Option<T>,
) -> Option<T> {
    for (line_index, line) in text.lines().enumerate() {
        let mut quote: Option<char> = None;
        let mut previous = ' ';
        let mut at_value_start = true;
        for (column, c) in line.chars().enumerate() {
            let at = (line_index + 1, column + 1);
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None => match c {
                    '#' if previous == ' ' || column == 0 => break,
                    '"' | '\'' if at_value_start => quote = Some(c),
                    '[' | '{' if at_value_start => {
                        if let Some(found) = visit(c, at) {
                            return Some(found);
                        }
                    }
                    ']' | '}' => {
                        if let Some(found) = visit(c, at) {
                            return Some(found);
                        }
                    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> SourceFile {
        SourceFile {
            path: "t.yaml".into(),
            text: text.to_owned(),
        }
    }

    fn value(text: &str) -> Value {
        parse(&source(text)).unwrap().0
    }

    fn error(text: &str) -> Diagnostic {
        parse(&source(text)).unwrap_err()
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
    fn resolves_scalars_by_the_core_schema() {
        let v = value(
            "a: 1\nb: -2\nc: 0x10\nd: 1.5\ne: 4.0\nf: true\ng: yes\nh: ~\ni: '1'\nj: !!str 2\nk: .inf\nl: 1e3\nm: 1.2.3\nn: Null\no: +3\n",
        );
        assert_eq!(v["a"], 1);
        assert_eq!(v["b"], -2);
        assert_eq!(v["c"], 16);
        assert_eq!(v["d"], 1.5);
        assert_eq!(v["e"], 4);
        assert_eq!(v["f"], true);
        assert_eq!(v["g"], "yes");
        assert_eq!(v["h"], Value::Null);
        assert_eq!(v["i"], "1");
        assert_eq!(v["j"], "2");
        assert_eq!(v["k"], ".inf");
        assert_eq!(v["l"], 1000);
        assert_eq!(v["m"], "1.2.3");
        assert_eq!(v["n"], Value::Null);
        assert_eq!(v["o"], 3);
        assert_eq!(value(""), Value::Null);
        assert_eq!(value("a: &x {b: 1}\nc: *x\n")["c"]["b"], 1);
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = error("a: 1\nb: c: d\n");
        assert_eq!(
            err.message,
            "invalid YAML: mapping values are not allowed in this context"
        );
        assert_eq!((err.line, err.column), (2, 5));
    }

    #[test]
    fn unclosed_brackets_are_reported_where_they_open() {
        for (text, at, message) in [
            (
                "project:\n  name: [unclosed\n",
                (2, 9),
                "`[` is never closed with `]`",
            ),
            ("a: [1, 2\n", (1, 4), "`[` is never closed with `]`"),
            ("a: {b: 1\nc: 2\n", (1, 4), "`{` is never closed with `}`"),
            ("a: {b: [1, 2}\n", (1, 8), "`[` is never closed with `]`"),
            (
                "a: {b: [1, 2], c: {d: 1}\ne: 1\n",
                (1, 4),
                "`{` is never closed",
            ),
            (
                "name: 'a[' # [\nb: [1, \"]\"\nc: x\n",
                (2, 4),
                "`[` is never closed with `]`",
            ),
        ] {
            let err = error(text);
            assert_eq!((err.line, err.column), at, "{text:?}: {}", err.message);
            assert!(err.message.contains(message), "{text:?}: {}", err.message);
        }
        // Balanced brackets: the parser's own message and position stay.
        let err = error("a: [1 2: 3]\nb: c: d\n");
        assert!(!err.message.contains("never closed"), "{}", err.message);
    }

    #[test]
    fn tabs_in_indentation_are_reported_at_the_tab() {
        for (text, at) in [
            ("project:\n\tname: churn\n", (2, 1)),
            ("project:\n  name: churn\n\tlocation: x\n", (3, 1)),
            ("a:\n  b: 1\n \tc: 2\n", (3, 2)),
            ("a:\n  - b\n\t- c\n", (3, 1)),
        ] {
            let err = error(text);
            assert_eq!(
                err.message,
                "invalid YAML: a tab in the indentation; YAML allows only spaces there",
                "{text:?}"
            );
            assert_eq!((err.line, err.column), at, "{text:?}");
            assert_eq!(err.help.as_deref(), Some("indent with spaces"));
        }
        // A tab inside a block scalar's text is text.
        assert_eq!(value("a: |\n  x\n  \ty\n")["a"], "x\n\ty\n");
    }

    #[test]
    fn duplicate_keys_are_refused_at_the_repeat() {
        let err = error("version: 1\nversion: 2\n");
        assert_eq!(
            err.message,
            "duplicate key \"version\"; a key may appear only once in a mapping"
        );
        assert_eq!((err.line, err.column), (2, 1));
        let err = error("p:\n  l: 1\n  l: 2\n");
        assert_eq!(
            err.message,
            "duplicate key \"l\" in `p`; a key may appear only once in a mapping"
        );
        assert_eq!((err.line, err.column), (3, 3));
    }

    #[test]
    fn one_document_only_and_plain_keys_only() {
        let err = error("a: 1\n---\nb: 2\n");
        assert_eq!((err.line, err.column), (2, 1));
        assert!(err.message.contains("second document"), "{}", err.message);
        let err = error("? [a, b]\n: 1\n");
        assert!(err.message.contains("plain text"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_refused_quickly_in_both_styles() {
        let flow = format!("x: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let block = format!("{}x\n", "- ".repeat(20_000));
        for deep in [flow, block] {
            let start = std::time::Instant::now();
            let err = error(&deep);
            assert!(start.elapsed().as_secs() < 2, "took {:?}", start.elapsed());
            assert!(
                err.message.contains("nested more than 64 levels"),
                "{}",
                err.message
            );
        }
        assert_eq!(error(&"- ".repeat(100)).column, 2 * MAX_DEPTH + 1);
        let fine = format!(
            "x: {}1{}\nname: 'a[[[[' # [[[[\ny: b[[[[[[\n",
            "[".repeat(60),
            "]".repeat(60)
        );
        assert_eq!(too_deep_flow(&fine), None);
    }

    #[test]
    fn alias_bombs_are_refused_before_they_expand() {
        let big = "x".repeat(60_000);
        let wide = format!("a: &a {big}\nb: [{}]\n", vec!["*a"; 20_000].join(", "));
        let start = std::time::Instant::now();
        let err = error(&wide);
        assert!(start.elapsed().as_secs() < 2, "took {:?}", start.elapsed());
        assert!(err.message.contains("bytes of text"), "{}", err.message);
        assert_eq!(err.line, 2);
        let mut laughs = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n".to_owned();
        for i in 1..10 {
            laughs.push_str(&format!(
                "l{i}: &l{i} [{}]\n",
                vec![format!("*l{}", i - 1); 10].join(", ")
            ));
        }
        let err = error(&laughs);
        assert!(
            err.message.contains("more than 200000 values"),
            "{}",
            err.message
        );
        let many = format!("a: &a 1\nb: [{}]\n", vec!["*a"; 1_001].join(", "));
        assert!(error(&many).message.contains("more than 1000 aliases"));
    }

    #[test]
    fn long_scalars_and_keys_are_refused() {
        let long = format!("a: {}\n", "x".repeat(MAX_SCALAR_BYTES + 1));
        assert!(error(&long).message.contains("at most 65536 bytes"));
        // An implicit key stops at 1024 characters by YAML's own rule; an explicit one does not.
        let long_key = format!("? {}\n: 1\n", "k".repeat(MAX_KEY_BYTES + 1));
        assert!(error(&long_key).message.contains("keys of at most"));
    }

    #[test]
    fn empty_values_point_at_their_key() {
        let (_, spans) = parse(&source(
            "project:\n  tags:\n  environment: prod\nmlops:\nlast:\n",
        ))
        .unwrap();
        assert_eq!(spans.get("/project/tags").unwrap().value, (2, 3));
        assert_eq!(spans.get("/mlops").unwrap().value, (4, 1));
        assert_eq!(spans.get("/last").unwrap().value, (5, 1));
        let (_, spans) = parse(&source("list:\n- a\nmap:\n  k: v\n")).unwrap();
        assert_eq!(spans.get("/list/0").unwrap().value, (2, 3));
        assert_eq!(spans.get("/map").unwrap().value, (4, 3));
    }
}
