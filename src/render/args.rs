//! Reading the named arguments of mlgen's Tera functions, with errors that name the function
//! and the argument.

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
