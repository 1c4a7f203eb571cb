//! One rule of the catalog: what it constrains, how it is worded, how Rust checks it, and the
//! regular expressions the schema and Terraform take from it.
//!
//! Lengths, character classes, allowed values and ranges are stored once, as data; the wording
//! states them through placeholders, the patterns are built from them, and Rust checks them
//! directly, so none of these can say something the others do not.

use serde_json::Value;

use crate::cidr::Cidr;

/// A character class, written as the body of a regular-expression class (`a-z0-9-`): ranges
/// `x-y`, single characters (`-` first or last is itself), `\\` for a backslash and `\p{Cc}` for
/// control characters. The same text goes into every regular-expression dialect the rules are
/// spelled in (RE2 for Terraform, ECMA-262 for the schema), and [`Class::contains`] reads it for
/// Rust. Classes are spelled out in ASCII (`A-Za-z0-9_`, never `\w`): `\w` is ASCII in RE2 and
/// ECMA-262 but Unicode in the Rust engine that validates the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Class(pub &'static str);

impl Class {
    /// True when `c` is in the class.
    pub fn contains(self, c: char) -> bool {
        let mut rest = self.0;
        while let Some(first) = rest.chars().next() {
            if let Some(after) = rest.strip_prefix(r"\p{Cc}") {
                if c.is_control() {
                    return true;
                }
                rest = after;
                continue;
            }
            let (low, after) = if first == '\\' {
                let escaped = rest[1..].chars().next().expect("a character after `\\`");
                (escaped, &rest[1 + escaped.len_utf8()..])
            } else {
                (first, &rest[first.len_utf8()..])
            };
            if let Some((high, r)) = after
                .strip_prefix('-')
                .and_then(|r| r.chars().next().map(|high| (high, r)))
            {
                if (low..=high).contains(&c) {
                    return true;
                }
                rest = &r[high.len_utf8()..];
            } else {
                if low == c {
                    return true;
                }
                rest = after;
            }
        }
        false
    }

    /// `[…]`.
    pub fn regex(self) -> String {
        format!("[{}]", self.0)
    }
}

/// The characters of a text and where they may stand: `prefix`, then one `first` character,
/// then any number of `rest`, then one `last` character, within the rule's length.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Literal start (`Standard_`).
    pub prefix: &'static str,
    /// The character after the prefix.
    pub first: Option<Class>,
    /// Every character between `first` and `last`.
    pub rest: Class,
    /// The final character.
    pub last: Option<Class>,
}

/// A text rule.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    /// Fewest characters.
    pub min: usize,
    /// Most characters, if limited.
    pub max: Option<usize>,
    /// Which characters stand where; `None`: any character not forbidden.
    pub shape: Option<Shape>,
    /// Characters that may appear nowhere.
    pub forbidden_chars: Option<Class>,
    /// Substrings that may appear nowhere (`--`). RE2 has no lookahead, so Terraform checks
    /// these apart from the pattern; the schema's ECMA-262 pattern states them as `(?!.*--)`.
    pub forbidden_substrings: &'static [&'static str],
    /// Endings that are refused (`.`).
    pub forbidden_endings: &'static [&'static str],
}

impl Text {
    /// A text of `min` to `max` characters of the given shape and nothing else forbidden.
    pub const fn shaped(min: usize, max: Option<usize>, shape: Shape) -> Self {
        Self {
            min,
            max,
            shape: Some(shape),
            forbidden_chars: None,
            forbidden_substrings: &[],
            forbidden_endings: &[],
        }
    }
}

/// Allowed values, each `prefix` + one of `values` (Bicep's storage SKUs are `Standard_` and
/// the replication).
#[derive(Debug, Clone, Copy)]
pub struct Allowed {
    /// Common start of every value.
    pub prefix: &'static str,
    /// The values after the prefix.
    pub values: &'static [&'static str],
}

impl Allowed {
    /// Every allowed value, in order.
    pub fn list(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|v| format!("{}{v}", self.prefix))
            .collect()
    }
}

/// What a rule constrains.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A string of limited length and characters.
    Text(Text),
    /// One of a list of strings (case-sensitive).
    OneOf(Allowed),
    /// A whole number in a range.
    Whole {
        /// Smallest value.
        min: u32,
        /// Largest value, if limited.
        max: Option<u32>,
    },
    /// An IPv4 range in canonical CIDR notation (plain decimal numbers, no host bits) with a
    /// prefix length between `min_prefix` and `max_prefix`.
    Cidr {
        /// Shortest prefix (largest range).
        min_prefix: u8,
        /// Longest prefix (smallest range).
        max_prefix: u8,
    },
    /// An Azure resource ID (letter case ignored, as Azure does), of the given
    /// `Namespace/type` or of any type.
    ResourceId(Option<&'static str>),
    /// An Entra object ID: a GUID in its 8-4-4-4-12 hexadecimal form.
    Guid,
    /// A map of tags: at most `max` entries, names and values each following a rule.
    Tags {
        /// Most tags.
        max: usize,
        /// Rule of every name.
        name: &'static super::Rule,
        /// Rule of every value.
        value: &'static super::Rule,
    },
    /// An object whose number `field` is at least its number `other`.
    AtLeast {
        /// The larger field.
        field: &'static str,
        /// The smaller field.
        other: &'static str,
    },
    /// A map whose keys, ignoring letter case, are none of another map's keys. Samples are
    /// `[[keys…], [other keys…]]`.
    DistinctKeys,
}

/// The limits Bicep decorators can state: lengths, allowed values and numeric ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits {
    /// `@minLength`.
    pub min_length: Option<usize>,
    /// `@maxLength`.
    pub max_length: Option<usize>,
    /// `@allowed`.
    pub allowed: Option<Vec<String>>,
    /// `@minValue`.
    pub min_value: Option<u32>,
    /// `@maxValue`.
    pub max_value: Option<u32>,
}

impl Limits {
    /// True when no decorator states anything.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Why a text breaks its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Too short or too long; the length in characters.
    Length(usize),
    /// Characters or shape.
    Shape,
}

/// One value rule: names, lengths, character classes, allowed values, numeric ranges.
#[derive(Debug)]
pub struct Rule {
    /// The catalog key templates name it by (`key_vault_name`).
    pub key: &'static str,
    /// What is constrained, in words (`Key Vault name`): derived-name diagnostics say "the
    /// derived Key Vault name …", Terraform messages about map keys "Key Vault names must be …".
    pub what: &'static str,
    /// The constraint.
    pub kind: Kind,
    /// What a valid value is, as the noun phrase after "must be". `{min}`, `{max}` and `{len}`
    /// (`{min}-{max}`) stand for the rule's limits (characters, or prefix lengths of a CIDR
    /// rule); empty for the kinds worded from their data (allowed values, ranges, tags,
    /// relations). Examples go in backticks, which diagnostics keep and Terraform and Bicep
    /// drop.
    pub wording: &'static str,
    /// Values the rule accepts. Text-like kinds: the string itself; others: JSON.
    pub valid: &'static [&'static str],
    /// Values the rule refuses, same notation.
    pub invalid: &'static [&'static str],
}

impl Rule {
    /// What a valid value is, in words, with examples in backticks (for diagnostics).
    pub fn wording(&self) -> String {
        match self.kind {
            Kind::OneOf(allowed) => one_of(&allowed.list()),
            Kind::Whole {
                min,
                max: Some(max),
            } => format!("a whole number from {min} to {max}"),
            Kind::Whole { min, max: None } => format!("a whole number of at least {min}"),
            Kind::Tags { max, name, value } => format!(
                "a map of at most {max} tags, with names of {} and values of {}",
                name.wording(),
                value.wording()
            ),
            Kind::AtLeast { other, .. } => format!("at least {other}"),
            Kind::Text(Text { min, max, .. }) => fill(self.wording, min, max),
            Kind::Cidr {
                min_prefix,
                max_prefix,
            } => fill(
                self.wording,
                usize::from(min_prefix),
                Some(usize::from(max_prefix)),
            ),
            Kind::ResourceId(_) | Kind::Guid | Kind::DistinctKeys => self.wording.to_owned(),
        }
    }

    /// [`Rule::wording`] without the backticks, for Terraform messages and Bicep descriptions.
    pub fn plain_wording(&self) -> String {
        self.wording().replace('`', "")
    }

    /// Whether `value` satisfies the rule (the Rust side of the agreement the tests check).
    pub fn accepts(&self, value: &Value) -> bool {
        match (&self.kind, value) {
            (Kind::Whole { min, max }, Value::Number(n)) => n.as_f64().is_some_and(|n| {
                n.fract() == 0.0
                    && n >= f64::from(*min)
                    && max.is_none_or(|max| n <= f64::from(max))
            }),
            (Kind::Tags { max, name, value }, Value::Object(tags)) => {
                tags.len() <= *max
                    && tags.iter().all(|(k, v)| {
                        name.check_text(k).is_ok()
                            && v.as_str().is_some_and(|v| value.check_text(v).is_ok())
                    })
            }
            (Kind::AtLeast { field, other }, Value::Object(object)) => {
                match (
                    object.get(*field).and_then(Value::as_f64),
                    object.get(*other).and_then(Value::as_f64),
                ) {
                    (Some(a), Some(b)) => a >= b,
                    _ => false,
                }
            }
            (Kind::DistinctKeys, Value::Array(pair)) => {
                let folded = |i: usize| -> Vec<String> {
                    pair[i]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_lowercase)
                        .collect()
                };
                let others = folded(1);
                !folded(0).iter().any(|key| others.contains(key))
            }
            (_, Value::String(text)) => self.check_text(text).is_ok(),
            _ => false,
        }
    }

    /// Checks a string against a string rule; `Err` says whether its length or its characters
    /// are wrong. A rule for other values refuses every string.
    pub fn check_text(&self, value: &str) -> Result<(), Problem> {
        match &self.kind {
            Kind::Text(text) => check_text(text, value),
            Kind::OneOf(allowed) => allowed
                .list()
                .iter()
                .any(|v| v == value)
                .then_some(())
                .ok_or(Problem::Shape),
            Kind::Cidr {
                min_prefix,
                max_prefix,
            } => match Cidr::parse(value) {
                Ok(cidr) if (*min_prefix..=*max_prefix).contains(&cidr.prefix) => Ok(()),
                _ => Err(Problem::Shape),
            },
            Kind::ResourceId(provider) => is_resource_id(value, *provider)
                .then_some(())
                .ok_or(Problem::Shape),
            Kind::Guid => is_guid(value).then_some(()).ok_or(Problem::Shape),
            Kind::Whole { .. } | Kind::Tags { .. } | Kind::AtLeast { .. } | Kind::DistinctKeys => {
                Err(Problem::Shape)
            }
        }
    }

    /// Checks a name mlgen derives; `Err` is a sentence for a diagnostic.
    pub fn check_name(&self, name: &str) -> Result<(), String> {
        let what = self.what;
        match self.check_text(name) {
            Ok(()) => Ok(()),
            Err(Problem::Length(len)) => {
                let (min, max) = self.length_range();
                let allowed =
                    max.map_or_else(|| format!("at least {min}"), |max| format!("{min}-{max}"));
                Err(format!(
                    "the derived {what} `{name}` is {len} characters long; Azure allows {allowed}"
                ))
            }
            Err(Problem::Shape) => Err(format!(
                "the derived {what} `{name}` is not allowed by Azure, which needs {}",
                self.wording()
            )),
        }
    }

    /// The smallest value of a whole-number rule (for the schema's `minimum`).
    ///
    /// # Panics
    /// For a rule of another kind.
    pub fn min_value(&self) -> u32 {
        match self.kind {
            Kind::Whole { min, .. } => min,
            _ => panic!("rule `{}` is not a whole-number rule", self.key),
        }
    }

    /// The largest value of a whole-number rule, `u32::MAX` when unlimited (for the schema's
    /// `maximum`).
    ///
    /// # Panics
    /// For a rule of another kind.
    pub fn max_value(&self) -> u32 {
        match self.kind {
            Kind::Whole { max, .. } => max.unwrap_or(u32::MAX),
            _ => panic!("rule `{}` is not a whole-number rule", self.key),
        }
    }

    /// Shortest and longest text the rule allows, in characters.
    pub fn length_range(&self) -> (usize, Option<usize>) {
        match self.kind {
            Kind::Text(Text { min, max, .. }) => (min, max),
            // `0.0.0.0/0` to `255.255.255.255/32`.
            Kind::Cidr { .. } => (9, Some(18)),
            Kind::Guid => (36, Some(36)),
            Kind::ResourceId(_) => (1, None),
            _ => (0, None),
        }
    }

    /// What Bicep decorators can say of the rule. Regular expressions, forbidden characters and
    /// relations between values are beyond Bicep's decorators; the Bicep output states those
    /// only in `@description`.
    pub fn limits(&self) -> Limits {
        match self.kind {
            Kind::Text(_) | Kind::Cidr { .. } | Kind::Guid | Kind::ResourceId(_) => {
                let (min, max) = self.length_range();
                Limits {
                    min_length: (min > 0).then_some(min),
                    max_length: max,
                    ..Limits::default()
                }
            }
            Kind::OneOf(allowed) => Limits {
                allowed: Some(allowed.list()),
                ..Limits::default()
            },
            Kind::Whole { min, max } => Limits {
                min_value: Some(min),
                max_value: max,
                ..Limits::default()
            },
            Kind::Tags { .. } | Kind::AtLeast { .. } | Kind::DistinctKeys => Limits::default(),
        }
    }

    /// The pattern in RE2 syntax (Terraform's `regex`), for the kinds a pattern states: the
    /// shape and length of a shaped text, a CIDR's form, a GUID, a resource ID.
    pub fn re2_pattern(&self) -> Option<String> {
        match &self.kind {
            Kind::Text(Text {
                min,
                max,
                shape: Some(shape),
                ..
            }) => Some(shape_pattern(shape, *min, *max, None)),
            Kind::Cidr { .. } => Some(CIDR_PATTERN.to_owned()),
            Kind::Guid => Some(GUID_PATTERN.to_owned()),
            Kind::ResourceId(provider) => Some(resource_id_pattern(*provider)),
            _ => None,
        }
    }

    /// The pattern for the JSON Schema (ECMA-262), which states the whole rule: the RE2 pattern
    /// plus a lookahead for each forbidden substring (`(?!.*--)`, after the first character).
    ///
    /// # Panics
    /// For a rule a pattern cannot state (see [`Rule::try_schema_pattern`]): the schema test
    /// catches such a use.
    pub fn schema_pattern(&self) -> String {
        self.try_schema_pattern()
            .unwrap_or_else(|| panic!("rule `{}` cannot be stated as a schema pattern", self.key))
    }

    /// [`Rule::schema_pattern`], or `None` for a rule a pattern cannot state: forbidden
    /// characters or endings, unshaped text, ranges, lists and relations are for the semantic
    /// checks and the kinds the schema states itself (`enum`, `minimum`).
    pub fn try_schema_pattern(&self) -> Option<String> {
        match &self.kind {
            Kind::Text(Text {
                min,
                max,
                shape: Some(shape),
                forbidden_chars: None,
                forbidden_substrings,
                forbidden_endings: [],
            }) => {
                let lookahead = forbidden_substrings
                    .iter()
                    .fold(String::new(), |out, s| out + "(?!.*" + &escape(s) + ")");
                Some(shape_pattern(shape, *min, *max, Some(&lookahead)))
            }
            Kind::Cidr { .. } | Kind::Guid => self.re2_pattern(),
            _ => None,
        }
    }
}

/// `a`, `a or b`, `a, b or c`.
fn one_of(values: &[String]) -> String {
    match values {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn fill(template: &str, min: usize, max: Option<usize>) -> String {
    let max = max.map_or_else(String::new, |m| m.to_string());
    template
        .replace("{len}", &format!("{min}-{max}"))
        .replace("{min}", &min.to_string())
        .replace("{max}", &max)
}

fn check_text(text: &Text, value: &str) -> Result<(), Problem> {
    let len = value.chars().count();
    if len < text.min || text.max.is_some_and(|max| len > max) {
        return Err(Problem::Length(len));
    }
    let shaped = text.shape.is_none_or(|shape| {
        let Some(body) = value.strip_prefix(shape.prefix) else {
            return false;
        };
        let mut chars: Vec<char> = body.chars().collect();
        if let Some(first) = shape.first
            && (chars.is_empty() || !first.contains(chars.remove(0)))
        {
            return false;
        }
        if let Some(last) = shape.last
            && !chars.pop().is_some_and(|c| last.contains(c))
        {
            return false;
        }
        chars.iter().all(|&c| shape.rest.contains(c))
    });
    let allowed = shaped
        && text
            .forbidden_chars
            .is_none_or(|class| !value.chars().any(|c| class.contains(c)))
        && !text.forbidden_substrings.iter().any(|s| value.contains(s))
        && !text.forbidden_endings.iter().any(|s| value.ends_with(s));
    allowed.then_some(()).ok_or(Problem::Shape)
}

/// `^prefix[first][rest]{a,b}[last]$`, with `extra` (lookaheads) after the first character.
fn shape_pattern(shape: &Shape, min: usize, max: Option<usize>, extra: Option<&str>) -> String {
    let fixed = shape.prefix.chars().count()
        + usize::from(shape.first.is_some())
        + usize::from(shape.last.is_some());
    let low = min.saturating_sub(fixed);
    let quantifier = match (low, max.map(|m| m - fixed)) {
        (0, None) => "*".to_owned(),
        (1, None) => "+".to_owned(),
        (low, None) => format!("{{{low},}}"),
        (low, Some(high)) if low == high => format!("{{{low}}}"),
        (low, Some(high)) => format!("{{{low},{high}}}"),
    };
    let mut out = format!("^{}", escape(shape.prefix));
    if let Some(first) = shape.first {
        out.push_str(&first.regex());
    }
    out.push_str(extra.unwrap_or_default());
    out.push_str(&shape.rest.regex());
    out.push_str(&quantifier);
    if let Some(last) = shape.last {
        out.push_str(&last.regex());
    }
    out.push('$');
    out
}

/// Characters with a meaning in regular expressions, escaped.
fn escape(literal: &str) -> String {
    literal
        .chars()
        .map(|c| {
            if r"\.+*?()|[]{}^$".contains(c) {
                format!("\\{c}")
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The form of an IPv4 range (the numbers are checked by [`Cidr::parse`] and, in Terraform,
/// by `cidrsubnet`).
const CIDR_PATTERN: &str = r"^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$";

const GUID_PATTERN: &str =
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

fn resource_id_pattern(provider: Option<&str>) -> String {
    let resource = provider.map_or_else(
        || "[^/]+/[^/]+/[^/]+(/[^/]+/[^/]+)*".to_owned(),
        |p| format!("{}/[^/]+", escape(p)),
    );
    format!("(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/{resource}$")
}

fn is_guid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `/subscriptions/…/resourceGroups/…/providers/<Namespace>/<type>/<name>[/<type>/<name>…]`,
/// the literal parts compared as RE2's `(?i)` does: by simple case folding, under which `ſ`
/// is an `s` and the Kelvin sign a `k`.
fn is_resource_id(value: &str, provider: Option<&str>) -> bool {
    let fold = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                '\u{17f}' => 's',
                '\u{212a}' => 'k',
                c => c.to_ascii_lowercase(),
            })
            .collect()
    };
    let Some(path) = value.strip_prefix('/') else {
        return false;
    };
    let parts: Vec<&str> = path.split('/').collect();
    if parts.len() < 6 || parts.iter().any(|p| p.is_empty()) {
        return false;
    }
    let literal = |i: usize, word: &str| fold(parts[i]) == fold(word);
    if !(literal(0, "subscriptions") && literal(2, "resourceGroups") && literal(4, "providers")) {
        return false;
    }
    let resource = &parts[5..];
    match provider {
        Some(provider) => {
            let expected: Vec<&str> = provider.split('/').collect();
            resource.len() == expected.len() + 1
                && resource
                    .iter()
                    .zip(&expected)
                    .all(|(a, b)| fold(a) == fold(b))
        }
        None => resource.len() >= 3 && resource.len() % 2 == 1,
    }
}
