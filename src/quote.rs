//! String literals of the two target languages: a value in, a quoted Terraform (HCL) or Bicep
//! string out whose content is exactly that value, so a quote, backslash, newline or `${` in a
//! spec value can never become syntax. A leaf module: rendering (the `hcl` and `bicep`
//! filters, the per-target contexts) and the rule catalog (validation messages and
//! descriptions) both spell strings with it.

/// `value` as a quoted HCL string whose content is exactly `value`: quotes and backslashes are
/// escaped, control characters become `\n`, `\t`, … or `\uNNNN`, and the template sequences
/// `${` and `%{` are doubled so that Terraform never evaluates them.
pub fn hcl(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `value` as a single-quoted Bicep string whose content is exactly `value`: `\`, `'` and the
/// interpolation opener `${` are escaped, control characters become `\n`, `\r`, `\t` or
/// `\u{…}`, so a spec value can never become Bicep syntax.
pub(crate) fn bicep(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:X}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hcl_quotes_keep_values_literal() {
        assert_eq!(hcl(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(hcl("${x} %{if} $x %"), r#""$${x} %%{if} $x %""#);
        assert_eq!(hcl("l1\nl2\t\u{7}"), r#""l1\nl2\t\u0007""#);
        assert_eq!(hcl("é€"), "\"é€\"");
    }

    #[test]
    fn bicep_quotes_keep_values_literal() {
        assert_eq!(bicep("it's"), r"'it\'s'");
        assert_eq!(bicep(r"a\b"), r"'a\\b'");
        assert_eq!(bicep("${x} $y {z}"), r"'\${x} $y {z}'");
        assert_eq!(bicep("l1\nl2\u{7}"), r"'l1\nl2\u{7}'");
        assert_eq!(bicep("é€"), "'é€'");
    }
}
