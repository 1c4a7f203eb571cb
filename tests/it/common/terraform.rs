//! Reading the Terraform mlgen writes as HCL structure (blocks, attributes, evaluated values),
//! so tests assert what Terraform will see rather than how the text is laid out.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;

use hcl::eval::{Context, Evaluate};
use hcl::{Block, Body, Expression, Value};

/// The file `path` of `tree`, parsed; panics naming the file when it is missing or invalid.
pub fn file(tree: &mlgen::Tree, path: &str) -> Body {
    let text = tree
        .get(path)
        .unwrap_or_else(|| panic!("{path} is not rendered"));
    parse(path, text)
}

/// `text` parsed as HCL; panics naming `path` when it does not parse.
pub fn parse(path: &str, text: &str) -> Body {
    hcl::parse(text).unwrap_or_else(|e| panic!("{path} does not parse: {e}\n{text}"))
}

/// Every block `identifier` of `body` (`resource`, `module`, `output`, …).
pub fn blocks<'a>(body: &'a Body, identifier: &'a str) -> impl Iterator<Item = &'a Block> {
    body.blocks().filter(move |b| b.identifier() == identifier)
}

/// The labels of a block, as strings.
pub fn labels(block: &Block) -> Vec<&str> {
    block.labels().iter().map(hcl::BlockLabel::as_str).collect()
}

/// The body of the one block `identifier` with exactly `labels`; panics if there is none or
/// more than one.
pub fn block<'a>(body: &'a Body, identifier: &str, labels: &[&str]) -> &'a Body {
    let mut found = body
        .blocks()
        .filter(|b| b.identifier() == identifier && self::labels(b) == labels);
    let first = found
        .next()
        .unwrap_or_else(|| panic!("no {identifier} {labels:?}"));
    assert!(
        found.next().is_none(),
        "more than one {identifier} {labels:?}"
    );
    first.body()
}

/// The body of `resource "<kind>" "<name>"`.
pub fn resource<'a>(body: &'a Body, kind: &str, name: &str) -> &'a Body {
    block(body, "resource", &[kind, name])
}

/// The expression of attribute `key`, if the body sets it.
pub fn attr<'a>(body: &'a Body, key: &str) -> Option<&'a Expression> {
    body.attributes()
        .find(|a| a.key() == key)
        .map(hcl::Attribute::expr)
}

/// Attribute `key` evaluated without variables: for literals (strings, numbers, lists, maps).
pub fn value(body: &Body, key: &str) -> Value {
    let expr = attr(body, key).unwrap_or_else(|| panic!("attribute {key} is not set"));
    expr.evaluate(&Context::new())
        .unwrap_or_else(|e| panic!("attribute {key} is not a literal: {e}"))
}

/// Attribute `key` as HCL prints it (`var.location`, `module.shared.key_vault_id`): how an
/// expression that refers to other things is compared, independent of mlgen's layout.
pub fn expr(body: &Body, key: &str) -> String {
    let expr = attr(body, key).unwrap_or_else(|| panic!("attribute {key} is not set"));
    text(expr)
}

/// An expression as HCL prints it.
pub fn text(expr: &Expression) -> String {
    hcl::format::to_string(expr).unwrap()
}

/// The elements of list attribute `key`, each as HCL prints it (`depends_on`, `identity_ids`).
pub fn list(body: &Body, key: &str) -> Vec<String> {
    match attr(body, key) {
        Some(Expression::Array(items)) => items.iter().map(text).collect(),
        Some(other) => panic!("attribute {key} is not a list: {}", text(other)),
        None => panic!("attribute {key} is not set"),
    }
}

/// Every attribute of a body evaluated without variables: a variable file (`.tfvars`,
/// `.backend.hcl`) read as Terraform reads it.
pub fn values(body: &Body) -> BTreeMap<String, Value> {
    body.attributes()
        .map(|a| {
            let value = a
                .expr()
                .evaluate(&Context::new())
                .unwrap_or_else(|e| panic!("{} is not a literal: {e}", a.key()));
            (a.key().to_owned(), value)
        })
        .collect()
}

/// Every attribute of a body as HCL prints its expression: attribute name → expression.
pub fn exprs(body: &Body) -> BTreeMap<String, String> {
    body.attributes()
        .map(|a| (a.key().to_owned(), text(a.expr())))
        .collect()
}

/// A string value, or a panic naming what it was instead.
pub fn string(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
}

/// A map of strings (tags), or a panic.
pub fn string_map(value: &Value) -> BTreeMap<String, String> {
    let Value::Object(map) = value else {
        panic!("not a map: {value}")
    };
    map.iter()
        .map(|(k, v)| (k.clone(), string(v).to_owned()))
        .collect()
}

/// Every `<root>.<name>.<attribute>` reference in `text` (an expression as HCL prints it),
/// e.g. `module.shared.key_vault_id` → `("shared", "key_vault_id")` for root `module`.
pub fn references(text: &str, root: &str) -> Vec<(String, String)> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let prefix = format!("{root}.");
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(&prefix) {
        let start = from + at;
        from = start + prefix.len();
        if text[..start].chars().next_back().is_some_and(ident) {
            continue;
        }
        let rest = &text[from..];
        let name_end = rest.find(|c| !ident(c)).unwrap_or(rest.len());
        let Some(after) = rest[name_end..].strip_prefix('.') else {
            continue;
        };
        let attr_end = after.find(|c| !ident(c)).unwrap_or(after.len());
        found.push((rest[..name_end].to_owned(), after[..attr_end].to_owned()));
    }
    found
}

/// The value at `path` inside nested objects (`["cpu-cluster", "max_nodes"]`); panics naming
/// the missing key.
pub fn at<'a>(value: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(value, |value, key| {
        value
            .as_object()
            .and_then(|map| map.get(*key))
            .unwrap_or_else(|| panic!("no `{key}` of {path:?} in {value}"))
    })
}

/// Every expression in a body and its nested blocks, as HCL prints them.
pub fn all_exprs(body: &Body) -> Vec<String> {
    let mut out: Vec<String> = body.attributes().map(|a| text(a.expr())).collect();
    for block in body.blocks() {
        out.extend(all_exprs(block.body()));
    }
    out
}
