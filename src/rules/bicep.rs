//! The catalog in Bicep: the decorators of a param. Bicep can state a rule's lengths
//! (`@minLength`, `@maxLength`), allowed values (`@allowed`) and range (`@minValue`,
//! `@maxValue`), not a regular expression, forbidden characters or a relation; `@description`
//! states the whole rule in words where a param's description gives it.

use super::rule::{Kind, Limits, Rule};
use crate::quote::bicep as quote_bicep;

/// How a param relates to its rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Use<'a> {
    /// `@description('<description>: <wording>.')` before the limits.
    pub description: Option<&'a str>,
    /// An empty string means "not set" (no `@minLength`).
    pub optional: bool,
    /// The param is the start of a name that ends with [`super::GLOBAL_NAME_SUFFIX`]: its
    /// lengths leave room for the shortest and the longest suffix.
    pub before_suffix: bool,
}

/// The limits a param has under `rule` used as `how`.
pub fn limits(rule: &Rule, how: Use<'_>) -> Limits {
    let mut limits = rule.limits();
    if how.before_suffix {
        let (shortest, longest) = super::GLOBAL_NAME_SUFFIX.length_range();
        let longest = longest.unwrap_or(shortest);
        limits.min_length = limits
            .min_length
            .map(|min| min.saturating_sub(longest).max(1));
        limits.max_length = limits.max_length.map(|max| max - shortest);
    }
    if how.optional {
        limits.min_length = None;
    }
    limits
}

/// The decorators of a param under `rule`, one per line, without a trailing newline.
pub fn decorators(rule: &Rule, how: Use<'_>) -> Result<String, String> {
    let limits = limits(rule, how);
    if limits.is_empty() {
        return Err(format!(
            "Bicep has no decorator for rule `{}` ({}); state it in the param's description",
            rule.key,
            match rule.kind {
                Kind::Tags { .. } => "a map of tags",
                Kind::AtLeast { .. } | Kind::DistinctKeys => "a relation between values",
                _ => "a pattern",
            }
        ));
    }
    let mut lines = Vec::new();
    if let Some(description) = how.description {
        let text = format!("{description}: {}.", rule.plain_wording());
        lines.push(format!("@description({})", quote_bicep(&text)));
    }
    lines.extend(limits.min_length.map(|n| format!("@minLength({n})")));
    lines.extend(limits.max_length.map(|n| format!("@maxLength({n})")));
    if let Some(allowed) = &limits.allowed {
        lines.push("@allowed([".to_owned());
        lines.extend(allowed.iter().map(|v| quote_bicep(v)));
        lines.push("])".to_owned());
    }
    lines.extend(limits.min_value.map(|n| format!("@minValue({n})")));
    lines.extend(limits.max_value.map(|n| format!("@maxValue({n})")));
    Ok(lines.join("\n"))
}
