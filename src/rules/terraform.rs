//! The catalog in Terraform: each rule as a condition on any expression, and as a whole
//! `validation {}` block for the place in a variable it applies to. Terraform's `regex` is RE2
//! (no lookahead), and `&&` does not short-circuit, so a condition never depends on one part
//! guarding another: parts that can fail on a bad value are inside `can()` or `try()`.

use super::rule::{Kind, Rule, Text};
use crate::quote::hcl as quote_hcl;

/// Where in a variable a rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place<'a> {
    /// The variable's value.
    Value,
    /// The variable's value, which may be `null` (unset).
    Optional,
    /// Every key of a map; the loop names each value `each`.
    Keys {
        /// Name of the loop's value variable.
        each: &'a str,
    },
    /// One field of every element (the values of a map, the items of a list).
    Field {
        /// The field.
        field: &'a str,
        /// Name of the loop variable.
        each: &'a str,
    },
    /// Every element (the values of a map, the items of a list).
    Items {
        /// Name of the loop variable.
        each: &'a str,
    },
}

/// The condition `rule` puts on the value of the expression `x`. `other` is the second map of
/// a [`Kind::DistinctKeys`] rule.
pub fn condition(rule: &Rule, x: &str, other: Option<&str>) -> Result<String, String> {
    let quoted = |s: &str| quote_hcl(s);
    Ok(match &rule.kind {
        Kind::Text(text) => {
            let (lengths, shape) = text_parts(rule, text, x);
            join(lengths.into_iter().chain(shape))
        }
        Kind::OneOf(allowed) => {
            let values: Vec<String> = allowed.list().iter().map(|v| quoted(v)).collect();
            format!("contains([{}], {x})", values.join(", "))
        }
        Kind::Whole { min, max } => {
            let mut parts = vec![format!("{x} >= {min}")];
            parts.extend(max.map(|max| format!("{x} <= {max}")));
            parts.push(format!("floor({x}) == {x}"));
            join(parts)
        }
        Kind::Cidr {
            min_prefix,
            max_prefix,
        } => {
            let prefix = format!("tonumber(split(\"/\", {x})[1])");
            let mut canonical = vec![format!("cidrsubnet({x}, 0, 0) == {x}")];
            if *min_prefix > 0 {
                canonical.push(format!("{prefix} >= {min_prefix}"));
            }
            if *max_prefix < 32 {
                canonical.push(format!("{prefix} <= {max_prefix}"));
            }
            format!("{} && try({}, false)", matches(rule, x), join(canonical))
        }
        Kind::ResourceId(_) | Kind::Guid => matches(rule, x),
        Kind::Tags { max, name, value } => {
            let Kind::Text(name_text) = &name.kind else {
                return Err(format!(
                    "rule `{}`: tag names must be a text rule",
                    rule.key
                ));
            };
            let Kind::Text(value_text) = &value.kind else {
                return Err(format!(
                    "rule `{}`: tag values must be a text rule",
                    rule.key
                ));
            };
            let (name_lengths, name_shape) = text_parts(name, name_text, "k");
            let (value_lengths, value_shape) = text_parts(value, value_text, "v");
            let each = join(
                name_lengths
                    .into_iter()
                    .chain(value_lengths)
                    .chain(name_shape)
                    .chain(value_shape),
            );
            format!("length({x}) <= {max} && alltrue([for k, v in {x} : {each}])")
        }
        Kind::AtLeast { field, other } => format!("{x}.{field} >= {x}.{other}"),
        Kind::DistinctKeys => {
            let other = other.ok_or_else(|| {
                format!(
                    "rule `{}` compares two maps: name the other one with `other`",
                    rule.key
                )
            })?;
            let folded = |map: &str| format!("[for name in keys({map}) : lower(name)]");
            format!(
                "length(setintersection({}, {})) == 0",
                folded(x),
                folded(other)
            )
        }
    })
}

/// The `validation {}` block for `rule` at `place` in `variable "var"`; `other` names the
/// second variable of a [`Kind::DistinctKeys`] rule. The message is the rule's wording.
pub fn validation(
    rule: &Rule,
    var: &str,
    place: Place<'_>,
    other: Option<&str>,
) -> Result<String, String> {
    let subject = format!("var.{var}");
    let other = other.map(|o| format!("var.{o}"));
    let other = other.as_deref();
    let for_each =
        |each: &str, inner: String| format!("alltrue([for {each} in {subject} : {inner}])");
    let condition = match place {
        Place::Value => condition(rule, &subject, other)?,
        Place::Optional => {
            let inner = condition(rule, &subject, other)?;
            let safe = if inner.starts_with("can(") && !inner.contains(" && ") {
                inner
            } else {
                format!("try({inner}, false)")
            };
            format!("{subject} == null || {safe}")
        }
        Place::Keys { .. } if matches!(rule.kind, Kind::DistinctKeys) => {
            condition(rule, &subject, other)?
        }
        Place::Keys { each } => for_each(&format!("name, {each}"), condition(rule, "name", other)?),
        Place::Field { field, each } => {
            for_each(each, condition(rule, &format!("{each}.{field}"), other)?)
        }
        Place::Items { each } => for_each(each, condition(rule, each, other)?),
    };
    let who = match (place, rule.kind) {
        (_, Kind::AtLeast { field, .. }) | (Place::Field { field, .. }, _) => field.to_owned(),
        (Place::Value | Place::Optional, _) => var.to_owned(),
        (Place::Keys { .. }, _) => {
            let mut what = rule.what.chars();
            let first = what.next().map(|c| c.to_uppercase().to_string());
            format!("{}{}s", first.unwrap_or_default(), what.as_str())
        }
        (Place::Items { .. }, _) => format!("Each {var} entry"),
    };
    let message = format!("{who} must be {}.", rule.plain_wording());
    Ok(format!(
        "validation {{\ncondition = {condition}\nerror_message = {}\n}}",
        quote_hcl(&message)
    ))
}

/// The length conditions and the character conditions of a text rule (the length is part of
/// the pattern when there is one).
fn text_parts(rule: &Rule, text: &Text, x: &str) -> (Vec<String>, Vec<String>) {
    let mut lengths = Vec::new();
    let mut shape = Vec::new();
    if text.shape.is_some() {
        shape.push(matches(rule, x));
    } else {
        if text.min > 0 {
            lengths.push(format!("length({x}) >= {}", text.min));
        }
        if let Some(max) = text.max {
            lengths.push(format!("length({x}) <= {max}"));
        }
    }
    if let Some(class) = text.forbidden_chars {
        shape.push(format!("!can(regex({}, {x}))", quote_hcl(&class.regex())));
    }
    for substring in text.forbidden_substrings {
        shape.push(format!("!strcontains({x}, {})", quote_hcl(substring)));
    }
    for ending in text.forbidden_endings {
        shape.push(format!("!endswith({x}, {})", quote_hcl(ending)));
    }
    (lengths, shape)
}

fn matches(rule: &Rule, x: &str) -> String {
    let pattern = rule.re2_pattern().unwrap_or_default();
    format!("can(regex({}, {x}))", quote_hcl(&pattern))
}

fn join(parts: impl IntoIterator<Item = String>) -> String {
    parts.into_iter().collect::<Vec<_>>().join(" && ")
}
