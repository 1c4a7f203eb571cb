//! Blocks inside `if` count as blocks of their template, as in Jinja2.
//!
//! Tera registers only the blocks at a template's top level and inside other blocks (its
//! grammar refuses blocks inside `for` and macros). A child template can still override a
//! block that sits inside a condition, but `{{ super() }}` in that override fails with
//! `Tried to use super() in the top level block` (Keats/tera#674).
//! The built-in templates keep a resource's block inside the condition that decides whether the
//! resource exists (private endpoints, the whole network module), so that a team's override
//! needs no copy of the condition; registering those blocks makes `super()` work there too.

use std::collections::HashMap;

use tera::Tera;
use tera::ast::{Block, Node};

/// Registers every block found inside `if` or `filter` whose name occurs once in its
/// template, then rebuilds Tera's inheritance chains. A name that occurs twice (the same block
/// in an `if` and its `else`) stays unregistered, so each occurrence keeps rendering its own
/// body.
pub(super) fn register_nested(tera: &mut Tera) -> tera::Result<()> {
    let mut changed = false;
    for template in tera.templates.values_mut() {
        let mut found = Vec::new();
        collect(&template.ast, &mut found);
        let mut occurrences: HashMap<&str, usize> = HashMap::new();
        for block in &found {
            *occurrences.entry(block.name.as_str()).or_default() += 1;
        }
        let nested: Vec<Block> = found
            .iter()
            .filter(|b| occurrences[b.name.as_str()] == 1 && !template.blocks.contains_key(&b.name))
            .map(|b| (*b).clone())
            .collect();
        for block in nested {
            changed = true;
            template.blocks.insert(block.name.clone(), block);
        }
    }
    if changed {
        tera.build_inheritance_chains()?;
    }
    Ok(())
}

/// Every block in `nodes`, at any depth. Nesting is bounded by `sandbox::nesting_within_limit` before Tera
/// parses, so this recursion cannot overflow the stack.
fn collect<'a>(nodes: &'a [Node], found: &mut Vec<&'a Block>) {
    for node in nodes {
        match node {
            Node::Block(_, block, _) => {
                found.push(block);
                collect(&block.body, found);
            }
            Node::If(branches, _) => {
                for (_, _, body) in &branches.conditions {
                    collect(body, found);
                }
                if let Some((_, body)) = &branches.otherwise {
                    collect(body, found);
                }
            }
            Node::FilterSection(_, section, _) => collect(&section.body, found),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use tera::Context;

    fn render(templates: &[(&str, &str)], name: &str) -> tera::Result<String> {
        let mut tera = tera::Tera::default();
        tera.add_raw_templates(templates.to_vec())?;
        super::register_nested(&mut tera)?;
        tera.render(name, &Context::new())
    }

    #[test]
    fn super_reaches_a_block_inside_a_condition() {
        let parent = "{% if true %}{% block one %}a{% endblock one %}{% endif %}\
                      {% filter upper %}{% if true %}{% block two %}b{% endblock two %}\
                      {% endif %}{% endfilter %}";
        let child = "{% extends \"parent\" %}\
                     {% block one %}[{{ super() }}]{% endblock one %}\
                     {% block two %}<{{ super() }}>{% endblock two %}";
        let templates = [("parent", parent), ("child", child)];
        assert_eq!(render(&templates, "child").unwrap(), "[a]<B>");
        assert_eq!(render(&templates, "parent").unwrap(), "aB");
    }

    #[test]
    fn a_name_used_in_both_branches_keeps_each_body() {
        let parent = "{% if false %}{% block b %}yes{% endblock b %}\
                      {% else %}{% block b %}no{% endblock b %}{% endif %}";
        assert_eq!(render(&[("parent", parent)], "parent").unwrap(), "no");
        let child = "{% extends \"parent\" %}{% block b %}ours{% endblock b %}";
        let templates = [("parent", parent), ("child", child)];
        assert_eq!(render(&templates, "child").unwrap(), "ours");
    }
}
