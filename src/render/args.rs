//! Reading the named arguments of mlgen's Tera functions and the input of its text filters,
//! with errors that name the function or filter and the argument.

use std::collections::HashMap;

use tera::Value;

use crate::rules::{self, Rule};

/// The arguments of one call of `function`.
pub(super) struct Args<'a> {
    function: &'static str,
    args: &'a HashMap<String, Value>,
}

impl<'a> Args<'a> {
    pub(super) fn new(function: &'static str, args: &'a HashMap<String, Value>) -> Self {
        Self { function, args }
    }

    /// A string argument, if given.
    pub(super) fn text(&self, key: &str) -> tera::Result<Option<&'a str>> {
        match self.args.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.wrong(key, "a string", other)),
        }
    }

    /// A boolean argument; false when absent.
    pub(super) fn flag(&self, key: &str) -> tera::Result<bool> {
        match self.args.get(key) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(self.wrong(key, "true or false", other)),
        }
    }

    /// The catalog rule named by `rule`.
    pub(super) fn rule(&self) -> tera::Result<&'static Rule> {
        let key = self.text("rule")?.ok_or_else(|| self.missing("rule"))?;
        rules::get(key).ok_or_else(|| {
            let known: Vec<&str> = rules::ALL.iter().map(|r| r.key).collect();
            tera::Error::msg(format!(
                "{}: no rule `{key}` in the catalog (rules: {})",
                self.function,
                known.join(", ")
            ))
        })
    }

    /// The error for a required argument that is absent.
    pub(super) fn missing(&self, key: &str) -> tera::Error {
        tera::Error::msg(format!(
            "{}: the argument `{key}` is required",
            self.function
        ))
    }

    fn wrong(&self, key: &str, expected: &str, found: &Value) -> tera::Error {
        tera::Error::msg(format!(
            "{}: `{key}` must be {expected}, not {found}",
            self.function
        ))
    }
}

/// A filter's input as text: a string as it is, a number or boolean as written; anything else
/// is an error naming the filter.
pub(super) fn filter_text(filter: &str, value: &Value) -> tera::Result<String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(_) | Value::Bool(_) => Ok(value.to_string()),
        other => Err(tera::Error::msg(format!(
            "the {filter} filter takes a string, not {other}"
        ))),
    }
}

/// A filter that turns text into text: `f` applied to [`filter_text`].
pub(super) fn text_filter(
    name: &'static str,
    f: impl Fn(&str) -> Result<String, String> + Send + Sync + 'static,
) -> impl tera::Filter {
    move |value: &Value, _: &HashMap<String, Value>| {
        f(&filter_text(name, value)?)
            .map(Value::String)
            .map_err(tera::Error::msg)
    }
}
