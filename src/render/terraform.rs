//! Terraform specifics of rendering: the `hcl` filter templates use to quote spec values, and
//! the canonical `terraform fmt` layout applied to every `.tf` and `.tfvars` output.

use std::collections::HashMap;

use tera::{Tera, Value};

use super::hcl;

/// Registers `hcl`: `{{ value | hcl }}` is `value` as a safely escaped, quoted HCL string.
pub(super) fn register_filters(tera: &mut Tera) {
    tera.register_filter("hcl", |value: &Value, _: &HashMap<String, Value>| {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(_) | Value::Bool(_) => value.to_string(),
            other => {
                return Err(tera::Error::msg(format!(
                    "the hcl filter quotes strings, not {other}"
                )));
            }
        };
        Ok(Value::String(hcl::quote(&text)))
    });
}

/// Formats Terraform files; other files only get a single trailing newline.
pub(super) fn post_process(path: &str, text: &str) -> String {
    if [".tf", ".tfvars", ".hcl"]
        .iter()
        .any(|ext| path.ends_with(ext))
    {
        hcl::format(text)
    } else {
        let mut out = text.trim_end_matches('\n').to_owned();
        out.push('\n');
        out
    }
}
