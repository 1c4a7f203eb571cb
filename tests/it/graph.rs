//! The generated README's diagram and `mlgen graph`, read back as structure.
//!
//! The Mermaid text is parsed (subgraphs, node declarations, edges, entity codes) and checked
//! against the model and against the rendered Terraform of every example: every resource
//! block the templates write is a node (`for_each` counted per element), every resource that
//! only links two others (role assignment, diagnostic setting, DNS zone link, association)
//! is an edge between the nodes it links, every module call and every `module.X.Y` passed to
//! a module is an edge, and each group is its layout folder. The DOT output is parsed too and
//! must hold exactly the same groups, nodes and edges.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::fs;

use common::terraform as tf;
use mlgen::catalog;
use mlgen::graph::Graph;
use mlgen::model::Model;

/// A diagram read back: groups (id, title, node ids), nodes (id → label lines), edges.
#[derive(Debug, Default, PartialEq, Eq)]
struct Parsed {
    groups: Vec<(String, String, Vec<String>)>,
    nodes: BTreeMap<String, Vec<String>>,
    edges: Vec<ParsedEdge>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ParsedEdge {
    from: String,
    to: String,
    label: Option<String>,
    dashed: bool,
}

impl Parsed {
    /// The node ids of group `id`.
    fn group(&self, id: &str) -> &[String] {
        self.groups
            .iter()
            .find(|(g, _, _)| g == id)
            .map_or(&[], |(_, _, nodes)| nodes.as_slice())
    }

    /// Nodes whose first label line starts with `title`.
    fn titled(&self, title: &str) -> Vec<&str> {
        self.nodes
            .iter()
            .filter(|(_, lines)| lines[0].starts_with(title))
            .map(|(id, _)| id.as_str())
            .collect()
    }

    fn has_edge(&self, from: &str, to: &str, label: impl Fn(Option<&str>) -> bool) -> bool {
        self.edges
            .iter()
            .any(|e| e.from == from && e.to == to && label(e.label.as_deref()))
    }
}

fn is_identifier(id: &str) -> bool {
    id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Mermaid's entity codes decoded: `#quot;` and `#<decimal>;`.
fn mermaid_decode(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('#') {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        let end = tail
            .find(';')
            .unwrap_or_else(|| panic!("unterminated entity in {text:?}"));
        let code = &tail[..end];
        if code == "quot" {
            out.push('"');
        } else {
            let n: u32 = code
                .parse()
                .unwrap_or_else(|_| panic!("unknown entity #{code}; in {text:?}"));
            out.push(char::from_u32(n).unwrap());
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The text between `open` and `close` at the start of `text`, and what follows.
fn quoted<'a>(text: &'a str, open: &str, close: &str) -> (&'a str, &'a str) {
    let inner = text
        .strip_prefix(open)
        .unwrap_or_else(|| panic!("expected {open:?} in {text:?}"));
    let end = inner
        .find(close)
        .unwrap_or_else(|| panic!("expected {close:?} in {text:?}"));
    let label = &inner[..end];
    assert!(!label.contains('"'), "a raw quote in a label: {text:?}");
    (label, &inner[end + close.len()..])
}

/// `FROM -->…` or `FROM -.->…`: the start node, whether the arrow is dashed, and the rest.
fn edge_start(line: &str) -> Option<(&str, bool, &str)> {
    let (from, rest) = line.split_once(' ')?;
    if !is_identifier(from) {
        return None;
    }
    if let Some(rest) = rest.strip_prefix("-.->") {
        Some((from, true, rest))
    } else {
        rest.strip_prefix("-->").map(|rest| (from, false, rest))
    }
}

/// Parses the flowchart mlgen writes; panics on any line it does not recognise.
fn parse_mermaid(text: &str) -> Parsed {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("flowchart TB"));
    let mut parsed = Parsed::default();
    let mut open: Option<(String, String, Vec<String>)> = None;
    for line in lines {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("subgraph ") {
            let id_end = rest.find('[').expect("a subgraph title");
            let (title, after) = quoted(&rest[id_end..], "[\"", "\"]");
            assert!(after.is_empty(), "{line}");
            assert!(open.is_none(), "nested subgraph: {line}");
            open = Some((rest[..id_end].to_owned(), mermaid_decode(title), Vec::new()));
        } else if line == "end" {
            parsed
                .groups
                .push(open.take().expect("end closes a subgraph"));
        } else if let Some((from, dashed, rest)) = edge_start(line) {
            let (label, to) = if rest.starts_with('|') {
                let (label, after) = quoted(rest, "|\"", "\"| ");
                (Some(mermaid_decode(label)), after)
            } else {
                (
                    None,
                    rest.strip_prefix(' ').expect("a space before the target"),
                )
            };
            parsed.edges.push(ParsedEdge {
                from: from.to_owned(),
                to: to.to_owned(),
                label,
                dashed,
            });
        } else {
            let id_end = line
                .find(['[', '('])
                .unwrap_or_else(|| panic!("unparsed line {line:?}"));
            let (id, shape) = line.split_at(id_end);
            let (label, after) = [("[[\"", "\"]]"), ("([\"", "\"])"), ("[\"", "\"]")]
                .iter()
                .find(|(o, _)| shape.starts_with(o))
                .map_or_else(
                    || panic!("unknown shape {line:?}"),
                    |(o, c)| quoted(shape, o, c),
                );
            assert!(after.is_empty(), "{line}");
            let lines = label.split("<br/>").map(mermaid_decode).collect();
            assert!(
                parsed.nodes.insert(id.to_owned(), lines).is_none(),
                "node {id} declared twice"
            );
            open.as_mut()
                .expect("every node sits in a module folder")
                .2
                .push(id.to_owned());
        }
    }
    assert!(open.is_none(), "unclosed subgraph");
    for id in parsed.nodes.keys().map(String::as_str) {
        assert!(is_identifier(id), "node id {id:?}");
        assert!(
            ![
                "end",
                "graph",
                "subgraph",
                "flowchart",
                "style",
                "class",
                "click"
            ]
            .contains(&id),
            "{id} is a Mermaid keyword"
        );
    }
    for e in &parsed.edges {
        for end in [&e.from, &e.to] {
            assert!(parsed.nodes.contains_key(end), "edge to undeclared {end}");
        }
    }
    parsed
}

/// DOT's escapes in a quoted string decoded; `\n` separates label lines.
fn dot_lines(text: &str) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => lines.push(String::new()),
                Some(c @ ('"' | '\\')) => lines.last_mut().unwrap().push(c),
                other => panic!("unexpected escape {other:?} in {text:?}"),
            },
            '"' => panic!("raw quote in {text:?}"),
            c => lines.last_mut().unwrap().push(c),
        }
    }
    lines
}

/// `key="…"` out of a DOT attribute list.
fn dot_attribute<'a>(attributes: &'a str, key: &str) -> Option<&'a str> {
    let start = attributes.find(&format!("{key}=\""))? + key.len() + 2;
    let bytes = attributes.as_bytes();
    let mut end = start;
    while bytes[end] != b'"' || bytes[end - 1] == b'\\' && bytes[end - 2] != b'\\' {
        end += 1;
    }
    Some(&attributes[start..end])
}

/// Parses the DOT mlgen writes into the same structure as the Mermaid.
fn parse_dot(text: &str) -> Parsed {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("digraph mlgen {"));
    let mut parsed = Parsed::default();
    let mut open: Option<(String, String, Vec<String>)> = None;
    let mut closed = false;
    for line in lines {
        let line = line.trim();
        assert!(!closed, "text after the graph: {line}");
        if line.starts_with("rankdir=") || line.starts_with("node [") || line.starts_with("edge [")
        {
            continue;
        }
        if let Some(rest) = line.strip_prefix("subgraph cluster_") {
            let id = rest.strip_suffix(" {").expect("a cluster opens a block");
            open = Some((id.to_owned(), String::new(), Vec::new()));
        } else if let Some(rest) = line.strip_prefix("label=\"") {
            let title = rest.strip_suffix("\";").expect("a cluster label");
            let group = open.as_mut().expect("a label inside a cluster");
            group.1 = dot_lines(title).join("\n");
        } else if line == "}" {
            match open.take() {
                Some(group) => parsed.groups.push(group),
                None => closed = true,
            }
        } else if let Some((from, rest)) = line.split_once(" -> ") {
            let (to, attributes) = match rest.split_once(" [") {
                Some((to, attributes)) => (to, attributes.strip_suffix("];").unwrap()),
                None => (rest.strip_suffix(';').unwrap(), ""),
            };
            parsed.edges.push(ParsedEdge {
                from: from.to_owned(),
                to: to.to_owned(),
                label: dot_attribute(attributes, "label").map(|l| dot_lines(l).join("\n")),
                dashed: attributes.contains("style=dashed"),
            });
        } else {
            let (id, attributes) = line
                .split_once(" [")
                .unwrap_or_else(|| panic!("unparsed line {line:?}"));
            let label = dot_attribute(attributes, "label").expect("every node has a label");
            parsed.nodes.insert(id.to_owned(), dot_lines(label));
            open.as_mut()
                .expect("every node sits in a cluster")
                .2
                .push(id.to_owned());
        }
    }
    assert!(closed, "the graph is closed");
    parsed
}

/// The body of the README's ```` ```mermaid ```` block.
fn readme_mermaid(readme: &str) -> &str {
    let start = readme.find("```mermaid\n").expect("a mermaid block") + "```mermaid\n".len();
    let end = start + readme[start..].find("```\n").expect("the block is closed");
    &readme[start..end]
}

/// The graph node a Terraform expression refers to (a scope, a target, a principal).
fn referenced_node(expr: &str) -> &'static str {
    const REFERENCES: &[(&str, &str)] = &[
        ("azurerm_machine_learning_workspace.this", "mlw"),
        ("azurerm_storage_account.this", "st"),
        ("azurerm_container_registry.this", "cr"),
        ("azurerm_key_vault.this", "kv"),
        ("var.kv_id", "kv"),
        ("var.appinsights_id", "appi"),
        ("azurerm_private_endpoint.storage_blob", "pe_storage_blob"),
        ("azurerm_private_endpoint.storage_file", "pe_storage_file"),
        ("azurerm_user_assigned_identity.workspace", "id_ws"),
        ("azurerm_user_assigned_identity.compute", "id_compute"),
        ("each.value", "admins"),
        ("azurerm_subnet.training", "snet_training"),
        ("azurerm_subnet.private_endpoints", "snet_pe"),
        ("azurerm_network_security_group.training", "nsg_training"),
        ("azurerm_network_security_group.private_endpoints", "nsg_pe"),
    ];
    REFERENCES
        .iter()
        .find(|(address, _)| expr.contains(address))
        .map_or_else(|| panic!("no graph node for {expr}"), |(_, node)| *node)
}

/// How many nodes `count` clusters (or instances) are drawn as: one each, or one for all.
fn drawn_compute(count: usize) -> usize {
    if count > mlgen::graph::MAX_LISTED_COMPUTE {
        1
    } else {
        count
    }
}

/// Checks the diagram against every resource block of the rendered Terraform.
fn check_terraform_resources(name: &str, tree: &mlgen::Tree, model: &Model, graph: &Parsed) {
    let mut rendered: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut links = 0;
    for (path, text) in tree.iter().filter(|(p, _)| common::has_extension(p, "tf")) {
        let body = tf::parse(path, text);
        for block in tf::blocks(&body, "resource") {
            let labels = tf::labels(block);
            let (kind, body) = (labels[0], block.body());
            let expr = |key: &str| tf::expr(body, key);
            let node_title = match kind {
                "azurerm_resource_group" => Some("Resource group"),
                "azurerm_key_vault" => Some("Key Vault"),
                "azurerm_log_analytics_workspace" => Some("Log Analytics workspace"),
                "azurerm_application_insights" => Some("Application Insights"),
                "azurerm_storage_account" => Some("Storage account"),
                "azurerm_container_registry" => Some("Container registry"),
                "azurerm_user_assigned_identity" => Some("Managed identity"),
                "azurerm_machine_learning_workspace" => Some("Machine Learning workspace"),
                "azurerm_machine_learning_compute_cluster" => Some("Compute cluster"),
                "azurerm_machine_learning_compute_instance" => Some("Compute instance"),
                "azurerm_private_endpoint" => Some("Private endpoint"),
                "azurerm_virtual_network" => Some("Virtual network"),
                "azurerm_subnet" => Some("Subnet"),
                "azurerm_public_ip" => Some("Public IP"),
                "azurerm_nat_gateway" => Some("NAT gateway"),
                "azurerm_network_security_group" => Some("Network security group"),
                "azurerm_private_dns_zone" => Some("Private DNS zone"),
                _ => None,
            };
            // `for_each` resources become one node (or edge) per element.
            let count = match kind {
                "azurerm_machine_learning_compute_cluster" => {
                    drawn_compute(model.compute_clusters.len())
                }
                "azurerm_machine_learning_compute_instance" => {
                    drawn_compute(model.compute_instances.len())
                }
                "azurerm_private_dns_zone" | "azurerm_private_dns_zone_virtual_network_link" => {
                    catalog::PRIVATE_DNS_ZONES.len()
                }
                "azurerm_role_assignment" if expr("principal_id") == "each.value" => {
                    model.admins.len().min(1)
                }
                _ => 1,
            };
            if let Some(title) = node_title {
                *rendered.entry(title).or_default() += count;
                continue;
            }
            if count == 0 {
                continue;
            }
            links += 1;
            let ok = match kind {
                "azurerm_role_assignment" => {
                    let role = tf::value(body, "role_definition_name");
                    let role = tf::string(&role).to_owned();
                    graph.has_edge(
                        referenced_node(&expr("principal_id")),
                        referenced_node(&expr("scope")),
                        |label| {
                            label.is_some_and(|l| {
                                l.split(", ").any(|r| {
                                    r == role || r.starts_with(&format!("{role} (terraform"))
                                })
                            })
                        },
                    )
                }
                "azurerm_monitor_diagnostic_setting" => {
                    graph.has_edge(referenced_node(&expr("target_resource_id")), "log", |l| {
                        l == Some("diagnostics")
                    })
                }
                "azurerm_private_dns_zone_virtual_network_link" => catalog::PRIVATE_DNS_ZONES
                    .iter()
                    .all(|z| graph.has_edge(&format!("dns_{}", z.key), "vnet", |_| true)),
                "azurerm_nat_gateway_public_ip_association" => {
                    graph.has_edge("pip_nat", "ng_nat", |_| true)
                }
                "azurerm_subnet_nat_gateway_association" => {
                    graph.has_edge("ng_nat", "snet_training", |_| true)
                }
                "azurerm_subnet_network_security_group_association" => graph.has_edge(
                    referenced_node(&expr("network_security_group_id")),
                    referenced_node(&expr("subnet_id")),
                    |_| true,
                ),
                other => panic!(
                    "{name}: {path} creates {other}, which the diagram does not show; add it to \
                     src/graph.rs and to this test"
                ),
            };
            assert!(ok, "{name}: {path}: no edge for {kind} {:?}", labels[1]);
        }
    }
    assert!(
        links >= 10,
        "{name}: the link resources were found: {links}"
    );
    let mut drawn: BTreeMap<&'static str, usize> = BTreeMap::new();
    for title in rendered.keys() {
        drawn.insert(title, graph.titled(title).len());
    }
    assert_eq!(rendered, drawn, "{name}: resources rendered vs drawn");
    let all: usize = rendered.values().sum();
    let admins = usize::from(!model.admins.is_empty());
    assert_eq!(
        graph.nodes.len(),
        all + admins + 2 + usize::from(model.network.private_endpoints) + 1,
        "{name}: every node but the modules and admins is a rendered resource"
    );
}

/// Checks the module calls and the values passed between modules in `main.tf`.
fn check_module_wiring(name: &str, tree: &mlgen::Tree, model: &Model, graph: &Parsed) {
    let main = tf::file(tree, &format!("{}/main.tf", model.layout.main));
    let module_node = |module: &str| match module {
        "shared" => ("mod_shared", "shared"),
        "ml" => ("mod_mlops", "mlops"),
        "network" => ("mod_network", "network"),
        other => panic!("{name}: unknown module {other}"),
    };
    let mut wired = 0;
    for block in tf::blocks(&main, "module") {
        let module = tf::labels(block)[0];
        let (node, _) = module_node(module);
        let source = tf::value(block.body(), "source");
        assert!(
            graph.has_edge("mod_main", node, |l| l == Some(tf::string(&source))),
            "{name}: no edge root → {module} labelled with its source"
        );
        for attribute in block.body().attributes() {
            let expr = tf::text(attribute.expr());
            let Some(from_module) = expr
                .strip_prefix("module.")
                .and_then(|r| r.split('.').next())
            else {
                continue;
            };
            let (from_node, from_group) = module_node(from_module);
            let key = attribute.key();
            let found = graph.edges.iter().any(|e| {
                e.dashed
                    && e.to == node
                    && (e.from == from_node || graph.group(from_group).contains(&e.from))
                    && e.label.as_deref().and_then(|l| l.split(" / ").next()) == Some(key)
            });
            assert!(found, "{name}: no edge for {module}.{key} = {expr}");
            wired += 1;
        }
    }
    assert!(wired >= 3, "{name}: kv_id, appinsights_id, … were found");
    for key in ["kv_id", "appinsights_id"] {
        assert!(
            graph
                .edges
                .iter()
                .any(|e| e.to == "mod_mlops"
                    && e.label.as_deref().is_some_and(|l| l.starts_with(key))),
            "{name}: {key}"
        );
    }
}

#[test]
fn the_diagram_of_every_example_shows_its_resources_and_wiring() {
    let mut private = 0;
    for spec in common::example_specs() {
        let name = common::relative(&spec);
        let tree = mlgen::render_spec_file(&spec).unwrap();
        let model = Model::from_spec(&mlgen::validate_spec_file(&spec).unwrap());
        let readme = tree.get("README.md").expect("every render writes a README");
        let text = readme_mermaid(readme);
        assert_eq!(text, Graph::from_model(&model).mermaid(), "{name}");
        let graph = parse_mermaid(text);

        // Each group is a layout folder, the module itself first.
        let mut folders = vec![
            ("main", &model.layout.main, "mod_main"),
            ("shared", &model.layout.shared, "mod_shared"),
            ("mlops", &model.layout.mlops, "mod_mlops"),
        ];
        if model.network.private_endpoints {
            private += 1;
            folders.push(("network", &model.layout.network, "mod_network"));
        }
        let groups: Vec<(&str, &str, &str)> = graph
            .groups
            .iter()
            .map(|(id, title, nodes)| (id.as_str(), title.as_str(), nodes[0].as_str()))
            .collect();
        let expected: Vec<(&str, &str, &str)> = folders
            .iter()
            .map(|(id, folder, module)| (*id, folder.as_str(), *module))
            .collect();
        assert_eq!(groups, expected, "{name}");

        // Every name the model derives is on a node.
        let labelled: BTreeSet<&str> = graph.nodes.values().flatten().map(String::as_str).collect();
        let names = &model.names;
        let mut wanted: Vec<String> = vec![
            names.resource_group.clone(),
            names.key_vault.clone(),
            names.log_analytics_workspace.clone(),
            names.application_insights.clone(),
            names.machine_learning_workspace.clone(),
            names.storage_account.clone(),
            names.container_registry.clone(),
            names.workspace_identity.clone(),
            names.compute_identity.clone(),
        ];
        if model.compute_clusters.len() <= mlgen::graph::MAX_LISTED_COMPUTE {
            wanted.extend(model.compute_clusters.iter().map(|c| c.name.clone()));
        }
        if model.compute_instances.len() <= mlgen::graph::MAX_LISTED_COMPUTE {
            wanted.extend(model.compute_instances.iter().map(|c| c.name.clone()));
        }
        if model.network.private_endpoints {
            wanted.push(names.virtual_network.clone());
            wanted.push(names.subnets.training.to_owned());
            wanted.push(names.subnets.private_endpoints.to_owned());
            wanted.push(model.network.address_space.clone());
            wanted.extend(model.network.training_subnet.clone());
            wanted.extend(model.network.private_endpoint_subnet.clone());
            wanted.extend(catalog::PRIVATE_DNS_ZONES.iter().map(|z| z.name.to_owned()));
            wanted.extend(
                names
                    .secondary()
                    .into_iter()
                    .filter(|(label, _, _)| {
                        !label.ends_with("diagnostic_setting") && label != "dns_zone_link"
                    })
                    .map(|(_, name, _)| name),
            );
            for id in ["vnet", "snet_training", "snet_pe", "ng_nat", "dns_vault"] {
                assert!(
                    graph.group("network").contains(&id.to_owned()),
                    "{name}: {id}"
                );
            }
        } else {
            assert!(
                graph.nodes.keys().all(|id| !id.starts_with("pe_")
                    && !id.starts_with("dns_")
                    && !id.starts_with("snet_")),
                "{name}: network nodes without private networking"
            );
        }
        for want in &wanted {
            assert!(
                labelled.contains(want.as_str()),
                "{name}: no node shows {want}"
            );
        }

        if tree.iter().any(|(p, _)| common::has_extension(p, "tf")) {
            check_terraform_resources(&name, &tree, &model, &graph);
            check_module_wiring(&name, &tree, &model, &graph);
        }
        if model.targets.contains(&mlgen::spec::Target::Bicep) {
            for key in ["kvId", "appInsightsId"] {
                assert!(
                    graph.edges.iter().any(|e| e.to == "mod_mlops"
                        && e.label
                            .as_deref()
                            .is_some_and(|l| l.split(" / ").any(|p| p == key))),
                    "{name}: the Bicep spelling {key}"
                );
            }
        }
    }
    assert!(private >= 2, "the private-network examples were checked");
}

#[test]
fn mermaid_and_dot_hold_the_same_diagram() {
    for example in ["private-network", "minimal", "custom-layout"] {
        let spec = common::example(example);
        let (code, mermaid, stderr) = common::run(&[OsStr::new("graph"), spec.as_os_str()]);
        assert_eq!(code, 0, "{stderr}");
        let (code, dot, stderr) = common::run(&[
            OsStr::new("graph"),
            spec.as_os_str(),
            OsStr::new("--format"),
            OsStr::new("dot"),
        ]);
        assert_eq!(code, 0, "{stderr}");
        let from_mermaid = parse_mermaid(&mermaid);
        let from_dot = parse_dot(&dot);
        assert!(from_dot.nodes.len() > 10 && from_dot.edges.len() > 10);
        assert_eq!(from_mermaid, from_dot, "{example}");
    }
}

#[test]
fn graph_prints_the_readme_diagram_and_exits_2_on_an_invalid_spec() {
    let dir = tempfile::tempdir().unwrap();
    let spec = common::example("custom-layout");
    let (code, _, stderr) = common::run_on("render", &spec, dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let readme = fs::read_to_string(dir.path().join("README.md")).unwrap();
    let (code, stdout, _) = common::run(&[OsStr::new("graph"), spec.as_os_str()]);
    assert_eq!(code, 0);
    assert_eq!(stdout, readme_mermaid(&readme));

    let bad = dir.path().join("bad.yaml");
    fs::write(&bad, "version: 1\nproject: {name: Churn}\n").unwrap();
    for format in ["mermaid", "dot"] {
        let (code, stdout, stderr) = common::run(&[
            OsStr::new("graph"),
            bad.as_os_str(),
            OsStr::new("--format"),
            OsStr::new(format),
        ]);
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(stdout, "");
        assert!(stderr.contains("bad.yaml:2:17"), "{stderr}");
    }
    let (code, _, stderr) = common::run(&[
        OsStr::new("graph"),
        common::example("minimal").as_os_str(),
        OsStr::new("--target"),
        OsStr::new("bicep"),
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--target bicep is not among the targets of"),
        "{stderr}"
    );
}

#[test]
fn escaping_labels_keeps_them_mermaid_and_dot_text() {
    // No valid spec puts syntax into a label (names, sizes and folders are restricted), so
    // the escaping is checked on the functions the diagram uses.
    let hostile = "a\"]; click mlw \"x\" -->|<b>| `c` #quot; \\n\nend";
    let label = mlgen::graph::mermaid_text(hostile);
    // Outside its entity codes, the label holds nothing Mermaid, Markdown or HTML reads.
    let mut plain = String::new();
    let mut rest = label.as_str();
    while let Some(at) = rest.find('#') {
        plain.push_str(&rest[..at]);
        rest = &rest[at + rest[at..].find(';').unwrap() + 1..];
    }
    plain.push_str(rest);
    for c in ['"', '[', ']', ';', '<', '>', '`', '|', '#', '\n', '\\'] {
        assert!(!plain.contains(c), "{c:?} in {label}");
    }
    assert_eq!(mermaid_decode(&label), hostile);
    let dot = mlgen::graph::dot_text(hostile);
    assert_eq!(
        dot_lines(&dot),
        vec![hostile.replace('\n', "U+000A")],
        "one line, quotes and backslashes kept as text"
    );
}

/// The README and `.gitignore` are generated files like the others: in the manifest, checked
/// by `check` (a hand edit is drift), protected from being overwritten by `render`.
#[test]
fn the_readme_and_gitignore_are_checked_like_every_generated_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let spec = common::example("minimal");
    let (code, _, stderr) = common::run_on("render", &spec, out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join(".mlgen/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(
        manifest["files"]["README.md"]["template"],
        "common/README.md.tera (built-in)"
    );
    assert_eq!(
        manifest["files"][".gitignore"]["template"],
        "terraform/.gitignore.tera (built-in)"
    );

    let readme = out.join("README.md");
    let original = fs::read_to_string(&readme).unwrap();
    let edited = original.replace("terraform -chdir=main init\n", "terraform init\n");
    assert_ne!(edited, original);
    fs::write(&readme, &edited).unwrap();
    fs::remove_file(out.join(".gitignore")).unwrap();
    let (code, stdout, _) = common::run_on("check", &spec, out, &[]);
    assert_eq!(code, 1, "{stdout}");
    let shown = |name: &str| out.join(name).display().to_string();
    for expected in [
        format!(
            "modified: {} (edited by hand since mlgen wrote it)",
            shown("README.md")
        )
        .as_str(),
        format!("--- {} (on disk)", shown("README.md")).as_str(),
        format!("+++ {} (rendered from spec)", shown("README.md")).as_str(),
        "\n-terraform init\n",
        "\n+terraform -chdir=main init\n",
        format!("missing: {}", shown(".gitignore")).as_str(),
        "11 in sync, 1 modified, 1 missing",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected} missing from:\n{stdout}"
        );
    }
    // A hand-edited README is never overwritten without --force.
    let (code, _, stderr) = common::run_on("render", &spec, out, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("README.md"), "{stderr}");
    assert_eq!(fs::read_to_string(&readme).unwrap(), edited);
    let (code, _, stderr) = common::run_on("render", &spec, out, &["--force"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(fs::read_to_string(&readme).unwrap(), original);
    assert!(out.join(".gitignore").is_file());
    assert_eq!(common::run_on("check", &spec, out, &[]).0, 0);
}

/// A repository's own `.gitignore` (or README) at the output root is a file mlgen never wrote:
/// `render` refuses to replace it and writes nothing.
#[test]
fn an_existing_gitignore_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    fs::write(out.join(".gitignore"), "target/\n").unwrap();
    let (code, _, stderr) = common::run_on("render", &common::example("minimal"), out, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(".gitignore"), "{stderr}");
    assert_eq!(
        fs::read_to_string(out.join(".gitignore")).unwrap(),
        "target/\n"
    );
    assert!(!out.join("main").exists(), "nothing was written");
}

/// The generated `.gitignore`, read by git itself: Terraform's local files are ignored, the
/// generated code, the variable files and `.terraform.lock.hcl` are not.
#[test]
fn git_ignores_terraforms_local_files_but_not_the_lock_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let spec = common::example("private-network");
    assert_eq!(common::run_on("render", &spec, out, &[]).0, 0);
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .current_dir(out)
            .args(args)
            .output()
            .expect("git runs")
    };
    assert!(git(&["init", "-q"]).status.success());
    let ignored = [
        "main/.terraform/providers/x",
        "main/terraform.tfstate",
        "main/terraform.tfstate.backup",
        "main/.terraform.tfstate.lock.info",
        "main/dev.tfplan",
        "main/crash.log",
        "main/crash.20260101.log",
        "main/override.tf",
        "main/local_override.tf",
        "infrastructure/mlops/override.tf.json",
    ];
    let kept = [
        "main/.terraform.lock.hcl",
        "main/main.tf",
        "main/dev.tfvars",
        "main/prod.backend.hcl",
        "main/dev.bicepparam",
        "README.md",
        ".gitignore",
    ];
    let check = |path: &str| {
        git(&["check-ignore", "-q", "--no-index", path])
            .status
            .code()
    };
    for path in ignored {
        assert_eq!(check(path), Some(0), "{path} is ignored");
    }
    for path in kept {
        assert_eq!(check(path), Some(1), "{path} is not ignored");
    }
}

/// Without Terraform there is no `.gitignore`, and the README names only Bicep commands.
#[test]
fn a_bicep_only_render_has_a_readme_and_no_gitignore() {
    let tree = common::render_yaml(
        "version: 1\nproject: {name: churn}\ntargets: [bicep]\nenvironments: [dev, prod]\n",
    );
    assert!(tree.get(".gitignore").is_none());
    let readme = tree.get("README.md").unwrap();
    assert!(!readme.contains("terraform "), "{readme}");
    let commands: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("az deployment sub create"))
        .collect();
    assert_eq!(
        commands,
        [
            "az deployment sub create --location westeurope --template-file main/main.bicep --parameters main/dev.bicepparam",
            "az deployment sub create --location westeurope --template-file main/main.bicep --parameters main/prod.bicepparam",
        ]
    );
}

/// Spec values in the README stay text: a tag full of Markdown and HTML is one table cell.
#[test]
fn spec_values_cannot_inject_markdown_into_the_readme() {
    let tree = common::render_yaml(
        "version: 1\nproject:\n  name: churn\n  tags:\n    note: \"a|b <img src=x> `c` [l](http://x) $m$ **b** \\\\ --> x\"\n",
    );
    let readme = tree.get("README.md").unwrap();
    let row = readme
        .lines()
        .find(|l| l.starts_with("| tags |"))
        .expect("a tags row");
    // Three cell borders, every other pipe escaped.
    let borders = row
        .char_indices()
        .filter(|(i, c)| *c == '|' && (*i == 0 || row.as_bytes()[i - 1] != b'\\'))
        .count();
    assert_eq!(borders, 3, "{row}");
    let html = row.replace("<br>", "");
    assert!(!html.contains('<') && !html.contains('>'), "{row}");
    assert!(
        row.contains(
            r"`note`: a\|b &lt;img src=x&gt; \`c\` \[l\]\(http\://x\) \$m\$ \*\*b\*\* \\ \-\-&gt; x"
        ),
        "{row}"
    );
    // The header comment cannot be closed early by the spec's file name either.
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("a-->b `c`.yaml");
    fs::write(&spec, "version: 1\nproject: {name: churn}\n").unwrap();
    let tree = mlgen::render_spec_file(&spec).unwrap();
    let readme = tree.get("README.md").unwrap();
    let second_line_end = readme.match_indices('\n').nth(1).unwrap().0;
    assert_eq!(readme.find("-->"), Some(second_line_end - 3), "{readme}");
    assert!(
        readme.contains("Generated by mlgen from ``a-->b `c`.yaml``"),
        "{readme}"
    );
}

/// Hundreds of clusters stay one node, so the diagram stays within what Mermaid renders
/// (50 000 characters, 500 edges); up to the limit each cluster is its own node.
#[test]
fn many_clusters_are_drawn_as_one_node() {
    let limit = mlgen::graph::MAX_LISTED_COMPUTE;
    for (count, nodes) in [(limit, limit), (limit + 1, 1), (400, 1)] {
        let clusters: Vec<String> = (0..count)
            .map(|i| format!("    - {{name: cluster-{i}}}\n"))
            .collect();
        let clusters = clusters.concat();
        let yaml = format!(
            "version: 1\nproject: {{name: churn}}\nnetwork: {{private_endpoints: true}}\nmlops:\n  compute_clusters:\n{clusters}"
        );
        let tree = common::render_yaml(&yaml);
        let text = readme_mermaid(tree.get("README.md").unwrap());
        let graph = parse_mermaid(text);
        let drawn = graph.titled("Compute cluster");
        assert_eq!(drawn.len(), nodes, "{count} clusters");
        if nodes == 1 {
            assert_eq!(
                graph.nodes["cc_all"],
                ["Compute clusters", &format!("{count} clusters")]
            );
            for to in ["mlw", "id_compute", "snet_training"] {
                assert!(graph.has_edge("cc_all", to, |_| true), "cc_all → {to}");
            }
        }
        assert!(text.len() < 50_000 && graph.edges.len() < 500, "{count}");
    }
}
