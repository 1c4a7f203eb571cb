//! YAML specifics of rendering: the filter the pipeline templates print every spec value with.
//!
//! A value becomes a single-quoted YAML scalar, where only `'` needs escaping (doubled), so no
//! value can end the string, start a comment, a mapping or a new line of YAML. What YAML
//! cannot neutralise are the CI systems' own expressions, which they expand inside any
//! string: GitHub's `${{ }}` and Azure Pipelines' `$( )`, `$[ ]` and `${{ }}`. The filter
//! refuses those outright (the spec's patterns already keep `$` out of every pipeline value;
//! this guards what team templates pass), and control characters with them.

use tera::Tera;

/// `text` as a single-quoted YAML scalar, or why it cannot be one safely.
pub(crate) fn quoted(text: &str) -> Result<String, String> {
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Err(format!(
            "refuses to write control character U+{:04X} into a pipeline",
            u32::from(c)
        ));
    }
    for opener in ["${{", "$(", "$["] {
        if text.contains(opener) {
            return Err(format!(
                "refuses to write `{opener}` into a pipeline, where it would be expanded as an expression"
            ));
        }
    }
    Ok(format!("'{}'", text.replace('\'', "''")))
}

pub(super) fn register_filters(tera: &mut Tera) {
    tera.register_filter("yaml", super::args::text_filter("yaml", quoted));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_stay_strings_and_expressions_are_refused() {
        assert_eq!(quoted("dev").unwrap(), "'dev'");
        assert_eq!(
            quoted("it's # not: a comment").unwrap(),
            "'it''s # not: a comment'"
        );
        assert_eq!(quoted("").unwrap(), "''");
        assert_eq!(quoted("$HOME and $").unwrap(), "'$HOME and $'");
        for bad in [
            "${{ secrets.X }}",
            "$(System.AccessToken)",
            "$[ variables.x ]",
            "a\nb",
            "a\u{7f}",
        ] {
            assert!(quoted(bad).is_err(), "{bad:?}");
        }
    }
}
