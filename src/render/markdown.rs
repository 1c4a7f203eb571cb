//! Markdown specifics of rendering: the filters the generated README uses to print spec values
//! safely. A tag value, a file name or the spec's name must stay text: never a link, an HTML
//! tag, emphasis, a table cell break, a code span's end or GitHub math.

use std::fmt::Write as _;

use tera::Tera;

use super::args::text_filter;

/// `text` as inline Markdown text that renders as exactly `text`: Markdown punctuation is
/// backslash-escaped, `<`, `>` and `&` become entities (no HTML, no autolink), and control
/// characters become numeric entities, so even a newline cannot end a table row or start a
/// block.
pub(crate) fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            // `-`, `+`, `.` and `#` matter only at the start of a line, `:` in autolinks.
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '{' | '}' | '|' | '~' | '!' | '#'
            | '$' | '+' | '-' | '.' | ':' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// `text` as a Markdown code span (backticks included) that shows exactly `text`: the fence
/// is one backtick longer than the longest run inside, padded with a space where the text
/// starts or ends with a backtick. Control characters, which a code span cannot show, become
/// U+FFFD.
pub(crate) fn code(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// `text` inside an HTML comment: `--` (which could end it) is broken up and control
/// characters are dropped, so the comment ends only where the template ends it.
pub(crate) fn comment(text: &str) -> String {
    let mut out: String = text.chars().filter(|c| !c.is_control()).collect();
    while out.contains("--") {
        out = out.replace("--", "- -");
    }
    out
}

/// Registers `md` (inline text), `md_code` (a code span) and `md_comment` (inside
/// `<!-- … -->`).
pub(super) fn register_filters(tera: &mut Tera) {
    tera.register_filter("md", text_filter("md", |t| Ok(text(t))));
    tera.register_filter("md_code", text_filter("md_code", |t| Ok(code(t))));
    tera.register_filter("md_comment", text_filter("md_comment", |t| Ok(comment(t))));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_never_becomes_markup() {
        assert_eq!(text("plain words"), "plain words");
        assert_eq!(
            text("<script>a|b</script>"),
            "&lt;script&gt;a\\|b&lt;/script&gt;"
        );
        assert_eq!(text("[x](http://e)"), "\\[x\\]\\(http\\://e\\)");
        assert_eq!(text("*a* `b` $c$"), "\\*a\\* \\`b\\` \\$c\\$");
        assert_eq!(text("l1\nl2"), "l1&#10;l2");
        assert_eq!(text("é€"), "é€");
    }

    #[test]
    fn code_spans_hold_any_backticks() {
        assert_eq!(code("main/main.tf"), "`main/main.tf`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x``"), "``` `x`` ```");
        assert_eq!(code("a\nb"), "`a\u{FFFD}b`");
    }

    #[test]
    fn comments_end_only_where_the_template_ends_them() {
        assert_eq!(comment("a-->b"), "a- ->b");
        assert_eq!(comment("a---b"), "a- - -b");
        assert_eq!(comment("x\ny"), "xy");
    }
}
