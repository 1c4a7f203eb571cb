//! Layout of rendered code: indentation by bracket depth for Terraform and Bicep alike, plus,
//! for Terraform, the `=` alignment of `terraform fmt`.
//!
//! Templates are written for readability, not for alignment; [`format`] then applies the two
//! layout rules of hclwrite (the library behind `terraform fmt`): indentation by bracket depth,
//! and `=` aligned across each run of consecutive single-line attributes, measured in grapheme
//! clusters. Bicep gets the same indentation (its formatter also indents two spaces per open
//! bracket) and no alignment. Doing this in mlgen means a template never has to count spaces,
//! team templates included. Spacing *within* a line is left as written, so templates use
//! canonical spacing (`a = { b = 1 }`); heredocs, `'''` strings and multi-line `/* */` comments
//! are copied verbatim.

use unicode_segmentation::UnicodeSegmentation;

/// What one line contributes to the layout.
#[derive(Debug, Default, PartialEq, Eq)]
struct LineShape {
    /// Net change in bracket depth (`{[(` minus `}])`, outside strings and comments).
    net_brackets: i32,
    /// Byte offset of the assignment `=` when the line is a single-line attribute.
    assign_at: Option<usize>,
    /// Heredoc end marker if the line opens one.
    heredoc: Option<String>,
    /// True when the line opens a `/* … */` comment it does not close.
    opens_block_comment: bool,
}

/// The language being laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Terraform (HCL native syntax): `"` strings with `${`/`%{` templates, `#` comments,
    /// heredocs, aligned `=`.
    Hcl,
    /// Bicep: `'` strings with `${` interpolation, `//` comments, `'''` multi-line strings.
    Bicep,
}

/// Scans one trimmed line.
fn shape(line: &str, syntax: Syntax) -> LineShape {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Code,
        Str,
        Interp(i32),
    }
    let hcl = syntax == Syntax::Hcl;
    let quote = if hcl { b'"' } else { b'\'' };
    let bytes = line.as_bytes();
    let mut stack = vec![State::Code];
    let mut net = 0;
    let mut first_equal: Option<(usize, i32)> = None;
    let mut heredoc = None;
    let mut opens_block_comment = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let following = bytes.get(i + 1).copied();
        let state = *stack.last().unwrap_or(&State::Code);
        match state {
            State::Str => match b {
                b'\\' => i += 1,
                b'$' | b'%' if hcl && following == Some(b) && bytes.get(i + 2) == Some(&b'{') => {
                    i += 2;
                }
                b'$' | b'%' if following == Some(b'{') && (hcl || b == b'$') => {
                    stack.push(State::Interp(0));
                    i += 1;
                }
                _ if b == quote => {
                    stack.pop();
                }
                _ => {}
            },
            State::Code | State::Interp(_) => {
                let top_level = state == State::Code;
                match b {
                    b'\'' if !hcl && line[i..].starts_with("\'\'\'") => {
                        // A Bicep multi-line string: verbatim until its closing quotes.
                        if !line[i + 3..].contains("\'\'\'") {
                            heredoc = Some("\'\'\'".to_owned());
                            break;
                        }
                        i += 3 + line[i + 3..].find("\'\'\'").unwrap_or(0) + 2;
                    }
                    _ if b == quote => stack.push(State::Str),
                    b'#' if top_level && hcl => break,
                    b'/' if top_level && following == Some(b'/') => break,
                    b'/' if top_level && following == Some(b'*') => {
                        let Some(end) = line[i + 2..].find("*/") else {
                            opens_block_comment = true;
                            break;
                        };
                        i += end + 3;
                    }
                    b'{' | b'[' | b'(' => {
                        if let State::Interp(depth) = state {
                            stack.pop();
                            stack.push(State::Interp(depth + 1));
                        } else {
                            net += 1;
                        }
                    }
                    b'}' | b']' | b')' => match state {
                        State::Interp(0) if b == b'}' => {
                            stack.pop();
                        }
                        State::Interp(depth) => {
                            stack.pop();
                            stack.push(State::Interp(depth - 1));
                        }
                        _ => net -= 1,
                    },
                    b'=' if top_level && hcl => {
                        let prev = if i > 0 { bytes[i - 1] } else { b' ' };
                        let part_of_operator = matches!(following, Some(b'=' | b'>'))
                            || matches!(prev, b'=' | b'!' | b'<' | b'>');
                        if !part_of_operator && first_equal.is_none() && i > 0 {
                            first_equal = Some((i, net));
                        }
                    }
                    b'<' if top_level && hcl && following == Some(b'<') => {
                        let rest = line[i + 2..].trim_start_matches('-');
                        let marker: String = rest
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        if !marker.is_empty() {
                            heredoc = Some(marker);
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
        i += 1;
    }
    // hclwrite: an `=` starts an alignable cell only if the rest of the line is balanced.
    let assign_at = first_equal
        .filter(|&(_, before)| net - before == 0)
        .map(|(at, _)| at);
    LineShape {
        net_brackets: net,
        assign_at,
        heredoc,
        opens_block_comment,
    }
}

/// Grapheme clusters of a line lead, counted per token the way hclwrite does: a quote
/// character is its own token, so it never merges with a following combining mark.
fn columns(lead: &str) -> usize {
    lead.split_inclusive('"')
        .flat_map(|part| match part.strip_suffix('"') {
            Some(body) => [body, "\""],
            None => [part, ""],
        })
        .map(|piece| piece.graphemes(true).count())
        .sum()
}

/// Lays out `text` (see the module docs): Terraform in `terraform fmt`'s canonical form, Bicep
/// with the same indentation. Also collapses runs of blank lines, drops blank lines at the start
/// of a block and before its closing bracket, and ends the text with exactly one newline.
pub fn format(text: &str, syntax: Syntax) -> String {
    struct Line {
        indent: usize,
        text: String,
        assign_at: Option<usize>,
    }
    let mut lines: Vec<Line> = Vec::new();
    let mut indents: Vec<i32> = Vec::new();
    let mut in_heredoc: Option<String> = None;
    for raw in text.lines() {
        if let Some(marker) = &in_heredoc {
            let closed = if marker == "*/" || marker == "\'\'\'" {
                raw.contains(marker.as_str())
            } else {
                raw.trim() == marker
            };
            if closed {
                in_heredoc = None;
            }
            lines.push(Line {
                indent: 0,
                text: raw.trim_end().to_owned(),
                assign_at: None,
            });
            continue;
        }
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            let after_open = lines
                .last()
                .is_none_or(|l| l.text.is_empty() || l.text.ends_with(['{', '[', '(']));
            if !after_open {
                lines.push(Line {
                    indent: 0,
                    text: String::new(),
                    assign_at: None,
                });
            }
            continue;
        }
        let s = shape(trimmed, syntax);
        if trimmed.starts_with(['}', ']', ')']) {
            while lines.last().is_some_and(|l| l.text.is_empty()) {
                lines.pop();
            }
        }
        let indent = match s.net_brackets {
            n if n > 0 => {
                indents.push(n);
                2 * (indents.len() - 1)
            }
            n if n < 0 => {
                let mut closed = -n;
                while closed > 0 {
                    let Some(top) = indents.last_mut() else { break };
                    if closed >= *top {
                        closed -= *top;
                        indents.pop();
                    } else {
                        *top -= closed;
                        closed = 0;
                    }
                }
                2 * indents.len()
            }
            _ => 2 * indents.len(),
        };
        in_heredoc = if s.opens_block_comment {
            Some("*/".to_owned())
        } else {
            s.heredoc
        };
        lines.push(Line {
            indent,
            text: trimmed.to_owned(),
            assign_at: s.assign_at,
        });
    }
    while lines.last().is_some_and(|l| l.text.is_empty()) {
        lines.pop();
    }

    // Align `=` across each chain of consecutive attribute lines.
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut start = 0;
    while start < lines.len() {
        let mut end = start;
        while end < lines.len() && lines[end].assign_at.is_some() {
            end += 1;
        }
        if end == start {
            let line = &lines[start];
            push_line(&mut out, line.indent, &line.text);
            start += 1;
            continue;
        }
        let chain = &lines[start..end];
        let lead = |l: &Line| l.text[..l.assign_at.unwrap_or(0)].trim_end().to_owned();
        let width = chain
            .iter()
            .map(|l| l.indent + columns(&lead(l)))
            .max()
            .unwrap_or(0);
        for line in chain {
            let at = line.assign_at.unwrap_or(0);
            let key = lead(line);
            let pad = width - line.indent - columns(&key) + 1;
            let value = line.text[at + 1..].trim_start();
            let text = format!(
                "{key}{}={}{value}",
                " ".repeat(pad),
                if value.is_empty() { "" } else { " " }
            );
            push_line(&mut out, line.indent, &text);
        }
        start = end;
    }
    out
}

fn push_line(out: &mut String, indent: usize, text: &str) {
    if !text.is_empty() {
        out.extend(std::iter::repeat_n(' ', indent));
        out.push_str(text);
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape_hcl(line: &str) -> LineShape {
        shape(line, Syntax::Hcl)
    }

    #[test]
    fn lays_out_bicep_by_brackets_without_alignment() {
        let input = "resource x 'T@1' = [for c in cs: {\nname: c.name\nproperties: {\nv: 'it\\'s ${c.v} }'\n}\n}]\n@allowed([\n'a'\n])\nparam p string = 'x' // {\n";
        let want = "resource x 'T@1' = [for c in cs: {\n  name: c.name\n  properties: {\n    v: 'it\\'s ${c.v} }'\n  }\n}]\n@allowed([\n  'a'\n])\nparam p string = 'x' // {\n";
        assert_eq!(format(input, Syntax::Bicep), want);
        assert_eq!(format(want, Syntax::Bicep), want);
        assert_eq!(format("a = 1\nbb = 2\n", Syntax::Bicep), "a = 1\nbb = 2\n");
    }

    #[test]
    fn shapes() {
        assert_eq!(shape_hcl(r#"a = "x""#).assign_at, Some(2));
        assert_eq!(shape_hcl("tags = {").assign_at, None);
        assert_eq!(shape_hcl("tags = {").net_brackets, 1);
        assert_eq!(shape_hcl(r#""a=b" = "${x}}{" # c {"#).assign_at, Some(6));
        assert_eq!(shape_hcl(r#""a=b" = "${x}}{" # c {"#).net_brackets, 0);
        assert_eq!(
            shape_hcl("condition = var.a >= 1 && var.b == 2").assign_at,
            Some(10)
        );
        assert_eq!(shape_hcl("x = [for k, v in m : k => v]").net_brackets, 0);
        assert_eq!(shape_hcl(r#"a = "$${x}""#).net_brackets, 0);
        assert_eq!(shape_hcl("content = <<EOT").heredoc.as_deref(), Some("EOT"));
        assert_eq!(shape_hcl("}").net_brackets, -1);
    }

    #[test]
    fn formats_like_terraform_fmt() {
        let input = "resource \"a\" \"b\" {\nname = \"x\"\nlocation = \"y\"\n\n\ntags = {\n\"k\" = \"v\"\n\"longer\" = \"w\"\n}\nblock {\n}\n\n}\n\n";
        let want = "resource \"a\" \"b\" {\n  name     = \"x\"\n  location = \"y\"\n\n  tags = {\n    \"k\"      = \"v\"\n    \"longer\" = \"w\"\n  }\n  block {\n  }\n}\n";
        assert_eq!(format(input, Syntax::Hcl), want);
        assert_eq!(format(want, Syntax::Hcl), want, "idempotent");
    }

    #[test]
    fn aligns_by_grapheme_clusters() {
        let input = "m = {\n\"é€x\" = 1\n\"ab\" = 2\n}\n";
        assert_eq!(
            format(input, Syntax::Hcl),
            "m = {\n  \"é€x\" = 1\n  \"ab\"  = 2\n}\n"
        );
        assert_eq!(columns("\"\u{301}\""), 3);
    }

    #[test]
    fn block_comments_do_not_count_as_brackets() {
        let input = "a {\n/* { */ b = 1\n/* opens {\n  kept   as is {\n*/\nc = 2\n}\n";
        assert_eq!(
            format(input, Syntax::Hcl),
            "a {\n  /* { */ b = 1\n  /* opens {\n  kept   as is {\n*/\n  c = 2\n}\n"
        );
    }

    #[test]
    fn heredocs_are_verbatim() {
        let input = "a = <<EOT\n  keep   = this\nEOT\nb = 1\n";
        assert_eq!(
            format(input, Syntax::Hcl),
            "a = <<EOT\n  keep   = this\nEOT\nb = 1\n"
        );
    }
}
