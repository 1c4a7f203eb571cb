//! Diagnostics: one problem in a spec, located by file, line and column, and printed the way
//! compilers do (`FILE:LINE:COL: message`, the source line, a caret, an optional help line).
//!
//! A diagnostic always carries the JSON pointer of the offending node as well, so it stays
//! actionable even where no position could be found. Rendering is plain text without colour;
//! the caller decides where it goes. What a diagnostic says comes from `Problem`, the
//! catalogue of every problem mlgen reports (`problem.rs`), never from the code that finds it.

mod problem;

use std::fmt;

pub(crate) use problem::{ComputeOwner, Found, KeyPath, Problem};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The spec is invalid: nothing is rendered or written, and the exit code is 2.
    Error,
    /// Worth a look, but the spec is valid: rendering goes on and the exit code is unchanged.
    Warning,
}

/// One problem in a spec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The spec file as the user named it.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// JSON pointer of the node the problem is about (`""` for the whole document).
    pub pointer: String,
    /// What is wrong, naming the key.
    pub message: String,
    /// How to fix it, when mlgen knows.
    pub help: Option<String>,
    /// The source line the position is on, for the caret snippet.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// True for an error (as opposed to a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key: position first, then text, so output is stable.
    fn sort_key(&self) -> (usize, usize, &str) {
        (self.line, self.column, &self.message)
    }
}

/// Sorts diagnostics by position and drops exact repeats.
pub(crate) fn sort_and_dedup(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup();
}

/// The dotted, human form of a JSON pointer: `/mlops/compute_clusters/0/name` →
/// `mlops.compute_clusters[0].name`.
pub(crate) fn key_path(pointer: &str) -> String {
    let mut out = String::new();
    for segment in crate::pointer::segments(pointer) {
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            if segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                out.push_str(&segment);
            } else {
                out.push_str(&format!("{segment:?}"));
            }
        }
    }
    if out.is_empty() {
        "(document)".to_owned()
    } else {
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Errors keep the bare `FILE:LINE:COL: message` form; a warning says so where
        // compilers do, so editors and problem matchers tell the two apart.
        let label = match self.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        writeln!(
            f,
            "{}:{}:{}: {label}{}",
            self.path,
            self.line,
            self.column,
            shorten(&self.message, MAX_MESSAGE_CHARS)
        )?;
        if let Some(line) = &self.source_line {
            let (shown, column) = window(line, self.column);
            let number = self.line.to_string();
            let pad = " ".repeat(number.len());
            let before: String = shown.chars().take(column.saturating_sub(1)).collect();
            let indent: String = before
                .chars()
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let width = token_width(&shown, column).min(SNIPPET_WIDTH);
            writeln!(f, "{pad} |")?;
            writeln!(f, "{number} | {shown}")?;
            writeln!(f, "{pad} | {indent}{}", "^".repeat(width))?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "  = help: {help}")?;
        }
        Ok(())
    }
}

/// Longest message printed: messages quote the offending value, which may be megabytes long.
const MAX_MESSAGE_CHARS: usize = 400;

/// `text` cut to `max` characters, saying how much was left out.
pub(crate) fn shorten(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => text.into(),
        Some((cut, _)) => {
            let rest = text[cut..].chars().count();
            format!("{}… ({rest} more characters)", &text[..cut]).into()
        }
    }
}

/// Longest stretch of a source line a snippet shows.
const SNIPPET_WIDTH: usize = 100;

/// The part of `line` a snippet shows, and the column within it: long lines are cut around
/// the column with `…` at the cut ends.
fn window(line: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= SNIPPET_WIDTH {
        return (line.to_owned(), column);
    }
    let start = column
        .saturating_sub(1)
        .saturating_sub(SNIPPET_WIDTH / 4)
        .min(chars.len());
    let end = (start + SNIPPET_WIDTH).min(chars.len());
    let mut shown = String::new();
    let mut column = column - start;
    if start > 0 {
        shown.push('…');
        column += 1;
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, column)
}

/// Width of the token starting at the 1-based `column` of `line`: a quoted string up to its
/// closing quote, a flow collection up to its closing bracket (only the bracket when it is not
/// closed on this line), a tab alone, otherwise up to `: `, ` #` or the end of the line — and,
/// inside a flow collection (`{name: x}`), also up to the `,`, `]` or `}` that ends the value.
fn token_width(line: &str, column: usize) -> usize {
    let before: Vec<char> = line.chars().take(column.saturating_sub(1)).collect();
    let in_flow = flow_depth(&before) > 0;
    let rest: Vec<char> = line.chars().skip(column.saturating_sub(1)).collect();
    let end = match rest.first() {
        Some(&q @ ('"' | '\'')) => rest
            .iter()
            .skip(1)
            .position(|&c| c == q)
            .map_or(rest.len(), |i| i + 2),
        Some(&open @ ('[' | '{')) => {
            let close = if open == '[' { ']' } else { '}' };
            let mut depth = 0usize;
            rest.iter()
                .position(|&c| {
                    if c == open {
                        depth += 1;
                    } else if c == close {
                        depth -= 1;
                    }
                    depth == 0
                })
                .map_or(1, |i| i + 1)
        }
        Some('\t') => 1,
        _ => (0..rest.len())
            .find(|&i| {
                (rest[i] == ':' && rest.get(i + 1).is_none_or(|c| c.is_whitespace()))
                    || (rest[i] == '#' && i > 0 && rest[i - 1].is_whitespace())
                    || (in_flow && matches!(rest[i], ',' | ']' | '}'))
            })
            .unwrap_or(rest.len()),
    };
    let token: String = rest[..end].iter().collect();
    token.trim_end().chars().count().max(1)
}

/// How many flow collections (`[`, `{`) are open at the end of `text`, outside quotes.
fn flow_depth(text: &[char]) -> usize {
    let mut depth = 0usize;
    let mut quote = None;
    for &c in text {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            (None, '#') => break,
            // Inside quotes, or any other character.
            _ => {}
        }
    }
    depth
}

/// Longest word "did you mean" looks at: typos are made in keys and names, and comparing a
/// multi-megabyte value with every candidate took half a minute.
const MAX_SUGGEST_CHARS: usize = 64;

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub(crate) fn suggest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    if word.chars().count() > MAX_SUGGEST_CHARS {
        return None;
    }
    let candidates: Vec<&str> = candidates.into_iter().collect();
    // A word in the wrong case (`zrs` for `ZRS`) is the likeliest typo of all, however many
    // letters differ in case.
    if let Some(same) = candidates
        .iter()
        .find(|c| c.to_lowercase() == word.to_lowercase())
    {
        return Some(same);
    }
    candidates
        .into_iter()
        // Optimal string alignment counts a swap of two neighbours as one edit, since `nmae`
        // for `name` is the typical typo.
        .map(|c| (strsim::osa_distance(word, c), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_and_messages_stay_cheap_and_short() {
        let huge = "x".repeat(4_000_000);
        let start = std::time::Instant::now();
        assert_eq!(suggest(&huge, ["name", "xxxx"]), None);
        assert!(start.elapsed().as_millis() < 100);
        let d = Diagnostic {
            severity: Severity::Error,
            path: "s.yaml".into(),
            line: 1,
            column: 1,
            pointer: String::new(),
            message: format!("bad value {huge}"),
            help: None,
            source_line: Some(huge.clone()),
        };
        let text = d.to_string();
        assert!(text.len() < 1_000, "{} bytes", text.len());
        assert!(text.contains("… (3999610 more characters)"), "{text}");
    }

    #[test]
    fn suggests_close_words_only() {
        let regions = crate::rules::region_names;
        assert_eq!(suggest("westeurop", regions()), Some("westeurope"));
        assert_eq!(suggest("mars", regions()), None);
        assert_eq!(suggest("nmae", ["name", "tags"]), Some("name"));
        assert_eq!(suggest("zrs", ["LRS", "ZRS", "GRS"]), Some("ZRS"));
        assert_eq!(
            suggest("STANDARD_ds3_V2", ["Standard_DS3_v2"]),
            Some("Standard_DS3_v2")
        );
    }

    #[test]
    fn key_paths_read_like_yaml() {
        assert_eq!(
            key_path("/mlops/compute_clusters/0/name"),
            "mlops.compute_clusters[0].name"
        );
        assert_eq!(key_path("/project/tags/a~1b"), "project.tags.\"a/b\"");
        assert_eq!(key_path(""), "(document)");
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line = format!("{}^{}", "a".repeat(300), "b".repeat(300));
        let (shown, column) = window(&line, 301);
        assert_eq!(shown.chars().nth(column - 1), Some('^'));
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(shown.chars().count(), SNIPPET_WIDTH + 2);
        assert_eq!(window("short", 2), ("short".to_owned(), 2));
    }

    #[test]
    fn caret_covers_the_token() {
        assert_eq!(token_width("  sizee: 3", 3), 5);
        assert_eq!(token_width("  name: \"a b\" # x", 9), 5);
        assert_eq!(token_width("  name: abc # x", 9), 3);
        assert_eq!(token_width("", 1), 1);
        assert_eq!(token_width("\tname: x", 1), 1);
        assert_eq!(token_width("a: [b, [c]] # x", 4), 8);
        assert_eq!(token_width("a: {b: [c]", 4), 1);
        // A plain value inside a flow collection ends at `,`, `]` or `}`; outside, a comma
        // is part of the value.
        assert_eq!(token_width("project: {name: x}", 17), 1);
        assert_eq!(token_width("  c: [{name: X1, max_nodes: 2}]", 14), 2);
        assert_eq!(token_width("  c: [a, bb]", 10), 2);
        assert_eq!(token_width("name: a,b}", 7), 4);
        assert_eq!(token_width("x: \"{\" y: a,b", 11), 3);
    }

    #[test]
    fn renders_position_snippet_and_help() {
        let mut d = Diagnostic {
            severity: Severity::Error,
            path: "mlgen.yaml".into(),
            line: 3,
            column: 3,
            pointer: "/project/nmae".into(),
            message: "unknown key `nmae` in `project`".into(),
            help: Some("did you mean `name`?".into()),
            source_line: Some("  nmae: churn".into()),
        };
        assert_eq!(
            d.to_string(),
            "mlgen.yaml:3:3: unknown key `nmae` in `project`\n  |\n3 |   nmae: churn\n  |   ^^^^\n  = help: did you mean `name`?\n"
        );
        d.severity = Severity::Warning;
        assert!(
            d.to_string()
                .starts_with("mlgen.yaml:3:3: warning: unknown key `nmae` in `project`\n  |\n3 |"),
            "{d}"
        );
    }
}
