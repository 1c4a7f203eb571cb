//! Resource-level extension points: every resource and module of the built-in templates sits
//! in a named block, a team template that overrides one block changes only that resource,
//! every block can be extended with `super()` without changing a byte, and the README lists
//! every block.

use crate::common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use mlgen::testing::BUILTIN;

/// Blocks that are not about one resource: the file header, the end of a module's main file,
/// the tags of the variable files and the whole parameter file.
const FILE_BLOCKS: [&str; 4] = ["header", "extra", "tags", "document"];

/// One `{% block %}` … `{% endblock %}` of a template: its name and the byte range from the
/// start of its opening tag to the start of its closing tag.
struct Block<'a> {
    name: &'a str,
    start: usize,
    end: usize,
}

/// Every block of `source`, in the order they open.
fn blocks(source: &str) -> Vec<Block<'_>> {
    let mut blocks = Vec::new();
    let mut open: Vec<Block> = Vec::new();
    let mut from = 0;
    while let Some(at) = source[from..].find("{%") {
        let start = from + at;
        let end = start + source[start..].find("%}").expect("every tag is closed");
        let inner = source[start + 2..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let mut words = inner.split_whitespace();
        match words.next() {
            Some("block") => open.push(Block {
                name: words.next().expect("a block has a name"),
                start,
                end: start,
            }),
            Some("endblock") => {
                let mut block = open.pop().expect("endblock closes an open block");
                block.end = start;
                blocks.push(block);
            }
            _ => {}
        }
        from = end + 2;
    }
    assert!(open.is_empty(), "every block is closed");
    blocks.sort_by_key(|b| b.start);
    blocks
}

/// The innermost block around `offset`.
fn innermost<'a>(blocks: &'a [Block<'a>], offset: usize) -> Option<&'a Block<'a>> {
    blocks
        .iter()
        .filter(|b| b.start < offset && offset < b.end)
        .min_by_key(|b| b.end - b.start)
}

/// The lines of `source` that declare a resource or a module, with their byte offsets:
/// `resource "type" "name" {` and `module "name" {` in Terraform, `resource name 'type' = …`
/// and `module name 'path' = …` in Bicep. Bicep's `existing` references and Terraform's `data`
/// sources create nothing and are not counted.
fn declarations<'a>(template: &str, source: &'a str) -> Vec<(usize, &'a str)> {
    let bicep = template.starts_with("bicep/");
    let mut found = Vec::new();
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let text = line.trim_end();
        let declares = if bicep {
            (text.starts_with("resource ") || text.starts_with("module ")) && text.contains("' = ")
        } else {
            (text.starts_with("resource \"") || text.starts_with("module \""))
                && text.ends_with('{')
        };
        if declares {
            found.push((offset, text));
        }
        offset += line.len();
    }
    found
}

#[test]
fn every_resource_and_module_sits_in_a_block_of_its_own() {
    let mut count = 0;
    for (template, source) in BUILTIN {
        let blocks = blocks(source);
        let mut per_block: BTreeMap<(usize, &str), Vec<&str>> = BTreeMap::new();
        for (offset, line) in declarations(template, source) {
            count += 1;
            let block = innermost(&blocks, offset)
                .unwrap_or_else(|| panic!("{template}: `{line}` is in no block"));
            assert!(
                !FILE_BLOCKS.contains(&block.name),
                "{template}: `{line}` is in no block of its own (only in `{}`)",
                block.name
            );
            let lines = per_block.entry((block.start, block.name)).or_default();
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
        // One resource per block; a loop is one block, and so are alternative forms of the
        // same resource (`if` … `else`, e.g. the azurerm 4.x and 5.x DNS zone links).
        for ((start, name), lines) in per_block {
            let end = blocks.iter().find(|b| b.start == start).unwrap().end;
            let body = &source[start..end];
            assert!(
                lines.len() == 1 || body.contains("{%- for ") || body.contains("{% for "),
                "{template}: block `{name}` declares several resources: {lines:?}"
            );
        }
    }
    assert!(
        count >= 60,
        "the patterns above find the declarations: {count}"
    );
}

/// The Terraform and Bicep registries of the example `multi-cluster`, replaced by team blocks.
const TEAM_REGISTRY_TF: &str = r#"resource "azurerm_container_registry" "this" {
  name                          = var.container_registry_name
  location                      = var.location
  resource_group_name           = var.resource_group_name
  sku                           = "Premium"
  admin_enabled                 = false
  public_network_access_enabled = false
  tags                          = var.tags
}
"#;

const TEAM_REGISTRY_BICEP: &str =
    "resource containerRegistry 'Microsoft.ContainerRegistry/registries@2025-11-01' = {
  name: containerRegistryName
  location: location
  sku: {
    name: 'Premium'
  }
}
";

/// `text` with the part from the line starting with `first` to the next line holding only `}`
/// replaced by `with`.
fn replace_resource(text: &str, first: &str, with: &str) -> String {
    let start = text
        .find(first)
        .unwrap_or_else(|| panic!("{first:?} in {text}"));
    let end = start + text[start..].find("\n}\n").unwrap() + 3;
    format!("{}{with}{}", &text[..start], &text[end..])
}

fn write_team(files: &[(String, String)]) -> tempfile::TempDir {
    let team = tempfile::tempdir().unwrap();
    for (name, source) in files {
        let path = team.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, source).unwrap();
    }
    team
}

fn render_with(spec: &Path, team: &Path) -> mlgen::Tree {
    let options = mlgen::RenderOptions {
        templates: Some(team.to_owned()),
        ..Default::default()
    };
    mlgen::render_spec(spec, &options).unwrap()
}

#[test]
fn overriding_one_block_changes_only_that_resource() {
    let team = write_team(&[
        (
            "terraform/mlops/main.tf.tera".into(),
            format!(
                "{{% extends \"builtin/terraform/mlops/main.tf.tera\" %}}\n\
                 {{% block container_registry %}}\n{TEAM_REGISTRY_TF}{{% endblock container_registry %}}\n"
            ),
        ),
        (
            "bicep/mlops/main.bicep.tera".into(),
            format!(
                "{{% extends \"builtin/bicep/mlops/main.bicep.tera\" %}}\n\
                 {{% block container_registry %}}\n{TEAM_REGISTRY_BICEP}{{% endblock container_registry %}}\n"
            ),
        ),
    ]);
    let spec = common::example("multi-cluster");
    let builtin = mlgen::render_spec_file(&spec).unwrap();
    let layered = render_with(&spec, team.path());
    let changed = [
        (
            "infrastructure/mlops/main.tf",
            "# The registry tier is rendered into this module",
            TEAM_REGISTRY_TF,
        ),
        (
            "infrastructure/mlops/main.bicep",
            "// The registry tier is rendered here",
            TEAM_REGISTRY_BICEP,
        ),
    ];
    assert_eq!(
        builtin.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        layered.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    for (path, text) in builtin.iter() {
        let expected = match changed.iter().find(|(p, _, _)| *p == path) {
            Some((_, first, with)) => replace_resource(text, first, with),
            None => text.to_owned(),
        };
        assert_eq!(layered.get(path).unwrap(), expected, "{path}");
    }
}

#[test]
fn every_block_extended_with_super_renders_identically() {
    // Every block of every built-in overridden at once by `{{ super() }}`: each one must reach
    // the built-in's body, wherever it sits (inside a condition, inside another block).
    let files: Vec<(String, String)> = BUILTIN
        .iter()
        .filter_map(|(name, source)| {
            let blocks = blocks(source);
            (!blocks.is_empty()).then(|| {
                let mut team = format!("{{% extends \"builtin/{name}\" %}}");
                for block in &blocks {
                    let name = block.name;
                    write!(
                        team,
                        "{{% block {name} %}}{{{{ super() }}}}{{% endblock {name} %}}"
                    )
                    .unwrap();
                }
                ((*name).to_owned(), team)
            })
        })
        .collect();
    assert!(files.len() >= 20, "{}", files.len());
    let team = write_team(&files);
    for spec in common::example_specs()
        .iter()
        .filter(|s| !s.starts_with(common::root().join("examples/team")))
    {
        let builtin = mlgen::render_spec_file(spec).unwrap();
        let layered = render_with(spec, team.path());
        assert_eq!(
            builtin.to_snapshot_string(),
            layered.to_snapshot_string(),
            "{}",
            spec.display()
        );
    }
}

/// The README's table of blocks: template → its blocks, in the order written.
fn readme_blocks() -> BTreeMap<String, Vec<String>> {
    let readme = fs::read_to_string(common::root().join("README.md")).unwrap();
    let start = readme
        .find("\n## Team templates\n")
        .expect("README has a team templates section");
    let section = &readme[start + 1..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let quoted = |cell: &str| -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    };
    let mut table = BTreeMap::new();
    for row in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.split('|').collect();
        let blocks = quoted(cells[2]);
        for template in quoted(cells[1]) {
            assert!(
                table.insert(template.clone(), blocks.clone()).is_none(),
                "README lists {template} twice"
            );
        }
    }
    table
}

#[test]
fn the_readme_lists_every_block_of_every_template() {
    let mut documented = readme_blocks();
    for (name, source) in BUILTIN {
        let mut names: Vec<String> = Vec::new();
        for block in blocks(source) {
            if !names.iter().any(|n| n == block.name) {
                names.push(block.name.to_owned());
            }
        }
        if names.is_empty() {
            continue;
        }
        let listed = documented
            .remove(*name)
            .unwrap_or_else(|| panic!("README's table of blocks has no row for {name}: {names:?}"));
        assert_eq!(listed, names, "README's blocks of {name}, in file order");
    }
    assert!(
        documented.is_empty(),
        "README lists templates without blocks or that do not exist: {:?}",
        documented.keys()
    );
}
