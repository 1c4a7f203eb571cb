//! The architecture diagram: which resources a spec creates, in which module, and how the
//! modules are wired, built from the resolved [`Model`] (never from the templates) and printed
//! as a Mermaid flowchart (the generated README's diagram, `mlgen graph`) or as Graphviz DOT
//! (`mlgen graph --format dot`).
//!
//! Every resource the built-in templates create is a node, grouped by module folder; a
//! resource that only links two others (a role assignment, a diagnostic setting, a DNS zone
//! link or zone group, a NAT or security group association) is an edge between them, so the
//! diagram stays readable. Role assignments and diagnostic settings come from the catalog, as
//! they do in the templates. The diagram shows the base environment; other environments differ
//! only in names, sizes and ranges.
//!
//! Node ids are fixed identifiers (`kv`, `cc_0`, …), never spec text; labels hold spec values
//! and are escaped for the format they land in, so a value can never become diagram syntax.
//! Output is deterministic: same model, same text.

use std::fmt::Write as _;

use crate::catalog::{self, Kind};
use crate::model::Model;
use crate::spec::{AzureName as _, Target};

/// The shape a node is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A module (Terraform `module`, Bicep `module`).
    Module,
    /// An Azure resource.
    Resource,
    /// Who acts: a managed identity or the workspace's admins.
    Principal,
}

/// One box of the diagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// A safe identifier, the same in both formats.
    pub id: String,
    /// Label lines: what the node is, then its name and details (spec text, unescaped).
    pub lines: Vec<String>,
    /// How it is drawn.
    pub shape: Shape,
}

/// The resources of one module folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// A safe identifier (`main`, `shared`, `mlops`, `network`).
    pub id: &'static str,
    /// The folder it is rendered into (spec text, unescaped).
    pub folder: String,
    /// Its nodes, the module itself first.
    pub nodes: Vec<Node>,
}

/// One arrow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// Node id it starts at.
    pub from: String,
    /// Node id it points to.
    pub to: String,
    /// What it means (unescaped), if anything needs saying.
    pub label: Option<String>,
    /// Dotted: a module input (wiring); solid: a relation between resources.
    pub wiring: bool,
}

/// The whole diagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    /// Module folders with their resources, root module first.
    pub groups: Vec<Group>,
    /// Arrows, in a fixed order.
    pub edges: Vec<Edge>,
}

/// Most compute clusters (and, separately, instances) drawn one node each; more are drawn as
/// one node with their count.
pub const MAX_LISTED_COMPUTE: usize = 12;

/// Ids of the module nodes.
const MAIN: &str = "mod_main";
const SHARED: &str = "mod_shared";
const MLOPS: &str = "mod_mlops";
const NETWORK: &str = "mod_network";

/// Node id of a catalog resource kind (the blob service is part of the storage account).
fn node_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Workspace => "mlw",
        Kind::Storage | Kind::Blob => "st",
        Kind::Registry => "cr",
        Kind::KeyVault => "kv",
        Kind::AppInsights => "appi",
        Kind::StorageBlobEndpoint => "pe_storage_blob",
        Kind::StorageFileEndpoint => "pe_storage_file",
        Kind::VirtualNetwork => "vnet",
    }
}

fn node(id: &str, shape: Shape, lines: &[&str]) -> Node {
    Node {
        id: id.to_owned(),
        lines: lines.iter().map(|l| (*l).to_owned()).collect(),
        shape,
    }
}

/// One node per cluster (or instance), each titled `what` with the lines `details` gives, ids
/// `<prefix>_0`, `<prefix>_1`, …; past [`MAX_LISTED_COMPUTE`] a single `<prefix>_all` node with
/// their count instead.
fn compute_nodes<T>(
    items: &[T],
    (prefix, what, plural): (&str, &str, &str),
    details: impl Fn(&T) -> Vec<String>,
) -> Vec<Node> {
    if items.len() > MAX_LISTED_COMPUTE {
        let title = format!("{what}s");
        let count = format!("{} {plural}", items.len());
        return vec![node(
            &format!("{prefix}_all"),
            Shape::Resource,
            &[&title, &count],
        )];
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let details = details(item);
            let mut lines = vec![what];
            lines.extend(details.iter().map(String::as_str));
            node(&format!("{prefix}_{i}"), Shape::Resource, &lines)
        })
        .collect()
}

impl Graph {
    /// The diagram of `model`'s resources and module wiring.
    pub fn from_model(model: &Model) -> Self {
        let names = &model.names;
        let private = model.network.private_endpoints;
        let mut edges = Vec::new();
        let mut edge = |from: &str, to: &str, label: Option<String>, wiring: bool| {
            edges.push(Edge {
                from: from.to_owned(),
                to: to.to_owned(),
                label,
                wiring,
            });
        };
        // The name of a module input in each rendered target, e.g. `kv_id / kvId`.
        let input = |terraform: &str, bicep: &str| -> Option<String> {
            let spelled: Vec<&str> = model
                .targets
                .iter()
                .map(|t| match t {
                    Target::Terraform => terraform,
                    Target::Bicep => bicep,
                })
                .collect();
            Some(spelled.join(" / "))
        };

        let main = Group {
            id: "main",
            folder: model.layout.main.clone(),
            nodes: vec![
                node(MAIN, Shape::Module, &["root module"]),
                node(
                    "rg",
                    Shape::Resource,
                    &[
                        "Resource group",
                        &names.resource_group,
                        &model.project.location,
                    ],
                ),
            ],
        };
        edge(MAIN, "rg", None, false);

        let mut shared_nodes = vec![
            node(SHARED, Shape::Module, &["module shared"]),
            node("kv", Shape::Resource, &["Key Vault", &names.key_vault]),
            node(
                "log",
                Shape::Resource,
                &["Log Analytics workspace", &names.log_analytics_workspace],
            ),
            node(
                "appi",
                Shape::Resource,
                &["Application Insights", &names.application_insights],
            ),
        ];
        let secondary = |label: &str| -> String {
            names
                .secondary()
                .into_iter()
                .find(|(l, _, _)| l == label)
                .map(|(_, name, _)| name)
                .unwrap_or_default()
        };
        if private {
            shared_nodes.push(node(
                "pe_kv",
                Shape::Resource,
                &["Private endpoint", &secondary("key_vault_private_endpoint")],
            ));
        }
        let shared = Group {
            id: "shared",
            folder: model.layout.shared.clone(),
            nodes: shared_nodes,
        };

        let mut mlops_nodes = vec![
            node(MLOPS, Shape::Module, &["module ml"]),
            node(
                "mlw",
                Shape::Resource,
                &[
                    "Machine Learning workspace",
                    &names.machine_learning_workspace,
                ],
            ),
            node(
                "st",
                Shape::Resource,
                &[
                    "Storage account",
                    &names.storage_account,
                    &model.storage_account.sku_name,
                ],
            ),
            node(
                "cr",
                Shape::Resource,
                &[
                    "Container registry",
                    &names.container_registry,
                    model.container_registry.sku.azure_name(),
                ],
            ),
            node(
                "id_ws",
                Shape::Principal,
                &["Managed identity (workspace)", &names.workspace_identity],
            ),
            node(
                "id_compute",
                Shape::Principal,
                &["Managed identity (compute)", &names.compute_identity],
            ),
        ];
        // Each cluster and instance is a node, up to a point: Mermaid refuses diagrams over
        // 50 000 characters or 500 edges, so beyond that they are one node each.
        let mut compute = Vec::new();
        let clusters = compute_nodes(
            &model.compute_clusters,
            ("cc", "Compute cluster", "clusters"),
            |c| {
                let size = format!("{}, {}-{} nodes", c.vm_size, c.min_nodes, c.max_nodes);
                vec![c.name.clone(), size]
            },
        );
        let instances = compute_nodes(
            &model.compute_instances,
            ("ci", "Compute instance", "instances"),
            |c| {
                // The assigned user's object ID is not shown: it identifies a person.
                let mut lines = vec![c.name.clone(), c.vm_size.clone()];
                if c.assigned_user.is_some() {
                    lines.push("assigned to one user".to_owned());
                }
                lines
            },
        );
        for n in clusters.into_iter().chain(instances) {
            compute.push(n.id.clone());
            mlops_nodes.push(n);
        }
        if private {
            for pe in catalog::PRIVATE_ENDPOINTS {
                let name = names.private_endpoint(pe).unwrap_or_default();
                mlops_nodes.push(node(
                    &format!("pe_{}", pe.label),
                    Shape::Resource,
                    &["Private endpoint", &name],
                ));
            }
        }
        if !model.admins.is_empty() {
            let count = match model.admins.len() {
                1 => "1 object ID".to_owned(),
                n => format!("{n} object IDs"),
            };
            mlops_nodes.push(node("admins", Shape::Principal, &["Admins", &count]));
        }
        let mlops = Group {
            id: "mlops",
            folder: model.layout.mlops.clone(),
            nodes: mlops_nodes,
        };

        // Module wiring: the root module calls each module, and passes the shared module's
        // outputs (and the network's) to the others.
        edge(MAIN, SHARED, Some(model.sources.shared.clone()), true);
        edge(MAIN, MLOPS, Some(model.sources.mlops.clone()), true);
        if private {
            edge(MAIN, NETWORK, Some(model.sources.network.clone()), true);
        }
        edge("kv", MLOPS, input("kv_id", "kvId"), true);
        edge(
            "appi",
            MLOPS,
            input("appinsights_id", "appInsightsId"),
            true,
        );
        edge(
            "log",
            MLOPS,
            input("log_analytics_workspace_id", "logAnalyticsWorkspaceId"),
            true,
        );
        if private {
            edge(
                "snet_pe",
                SHARED,
                input("private_endpoint_subnet_id", "privateEndpointSubnetId"),
                true,
            );
            edge(
                "dns_vault",
                SHARED,
                input("key_vault_private_dns_zone_id", "keyVaultPrivateDnsZoneId"),
                true,
            );
            edge(
                "snet_training",
                MLOPS,
                input("training_subnet_id", "trainingSubnetId"),
                true,
            );
            edge(
                "snet_pe",
                MLOPS,
                input("private_endpoint_subnet_id", "privateEndpointSubnetId"),
                true,
            );
            edge(
                NETWORK,
                MLOPS,
                input("private_dns_zone_ids", "<zone>DnsZoneId"),
                true,
            );
        }

        // What the resources use.
        edge("appi", "log", Some("workspace-based".into()), false);
        for (to, what) in [
            ("st", "storage"),
            ("cr", "registry"),
            ("kv", "key vault"),
            ("appi", "insights"),
            ("id_ws", "identity"),
        ] {
            edge("mlw", to, Some(what.into()), false);
        }
        for id in &compute {
            edge(id, "mlw", None, false);
            edge(id, "id_compute", Some("identity".into()), false);
            if private {
                edge(id, "snet_training", Some("runs in".into()), false);
            }
        }

        // Role assignments, one arrow per identity and resource, naming every role.
        let roles = role_edges(model, private);
        for (from, to, label) in roles {
            edge(from, to, Some(label), false);
        }

        // Diagnostic settings: every monitored resource sends to Log Analytics.
        let mut monitored = vec!["kv"];
        for d in catalog::DIAGNOSTICS {
            let id = node_of(d.resource);
            if !monitored.contains(&id) {
                monitored.push(id);
            }
        }
        for id in monitored {
            edge(id, "log", Some("diagnostics".into()), false);
        }

        let mut groups = vec![main, shared, mlops];
        if private {
            groups.push(network_group(model, &mut edge));
            // Private endpoints: what each exposes, where it sits, which zones it registers in.
            edge("pe_kv", "kv", Some("exposes".into()), false);
            edge("pe_kv", "snet_pe", None, false);
            edge("pe_kv", "dns_vault", Some("DNS".into()), false);
            for pe in catalog::PRIVATE_ENDPOINTS {
                let id = format!("pe_{}", pe.label);
                edge(&id, node_of(pe.resource), Some("exposes".into()), false);
                edge(&id, "snet_pe", None, false);
                for zone in pe.zones {
                    edge(&id, &format!("dns_{zone}"), Some("DNS".into()), false);
                }
            }
        }
        Self { groups, edges }
    }

    /// Every node, in group order.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.groups.iter().flat_map(|g| g.nodes.iter())
    }

    /// The Mermaid flowchart (without the Markdown fence): what the generated README shows
    /// and `mlgen graph` prints. Ends with a newline.
    pub fn mermaid(&self) -> String {
        let mut out = String::from("flowchart TB\n");
        for group in &self.groups {
            let _ = writeln!(
                out,
                "    subgraph {}[\"{}\"]",
                group.id,
                mermaid_text(&group.folder)
            );
            for n in &group.nodes {
                let label = n
                    .lines
                    .iter()
                    .map(|l| mermaid_text(l))
                    .collect::<Vec<_>>()
                    .join("<br/>");
                let (open, close) = match n.shape {
                    Shape::Module => ("[[", "]]"),
                    Shape::Resource => ("[", "]"),
                    Shape::Principal => ("([", "])"),
                };
                let _ = writeln!(out, "        {}{open}\"{label}\"{close}", n.id);
            }
            out.push_str("    end\n");
        }
        for e in &self.edges {
            let arrow = if e.wiring { "-.->" } else { "-->" };
            match &e.label {
                Some(label) => {
                    let _ = writeln!(
                        out,
                        "    {} {arrow}|\"{}\"| {}",
                        e.from,
                        mermaid_text(label),
                        e.to
                    );
                }
                None => {
                    let _ = writeln!(out, "    {} {arrow} {}", e.from, e.to);
                }
            }
        }
        out
    }

    /// The same diagram as a Graphviz DOT digraph, one cluster per module folder. Ends with
    /// a newline.
    pub fn dot(&self) -> String {
        let mut out = String::from(
            "digraph mlgen {\n    rankdir=TB;\n    node [fontname=\"Helvetica\", fontsize=10];\n    edge [fontname=\"Helvetica\", fontsize=9];\n",
        );
        for group in &self.groups {
            let _ = writeln!(out, "    subgraph cluster_{} {{", group.id);
            let _ = writeln!(out, "        label=\"{}\";", dot_text(&group.folder));
            for n in &group.nodes {
                let label = n
                    .lines
                    .iter()
                    .map(|l| dot_text(l))
                    .collect::<Vec<_>>()
                    .join("\\n");
                let shape = match n.shape {
                    Shape::Module => "component",
                    Shape::Resource => "box",
                    Shape::Principal => "ellipse",
                };
                let _ = writeln!(out, "        {} [label=\"{label}\", shape={shape}];", n.id);
            }
            out.push_str("    }\n");
        }
        for e in &self.edges {
            let mut attributes = Vec::new();
            if let Some(label) = &e.label {
                attributes.push(format!("label=\"{}\"", dot_text(label)));
            }
            if e.wiring {
                attributes.push("style=dashed".to_owned());
            }
            if attributes.is_empty() {
                let _ = writeln!(out, "    {} -> {};", e.from, e.to);
            } else {
                let _ = writeln!(
                    out,
                    "    {} -> {} [{}];",
                    e.from,
                    e.to,
                    attributes.join(", ")
                );
            }
        }
        out.push_str("}\n");
        out
    }
}

/// The network module's folder: the virtual network, its subnets, the NAT gateway, the security groups
/// and the private DNS zones, with the edges between them.
fn network_group(model: &Model, edge: &mut impl FnMut(&str, &str, Option<String>, bool)) -> Group {
    let names = &model.names;
    let network = &model.network;
    let secondary = |label: &str| -> String {
        names
            .secondary()
            .into_iter()
            .find(|(l, _, _)| l == label)
            .map(|(_, name, _)| name)
            .unwrap_or_default()
    };
    let training = network.training_subnet.clone().unwrap_or_default();
    let endpoints = network.private_endpoint_subnet.clone().unwrap_or_default();
    let mut nodes = vec![
        node(NETWORK, Shape::Module, &["module network"]),
        node(
            "vnet",
            Shape::Resource,
            &[
                "Virtual network",
                &names.virtual_network,
                &network.address_space,
            ],
        ),
        node(
            "snet_training",
            Shape::Resource,
            &["Subnet", names.subnets.training, &training],
        ),
        node(
            "snet_pe",
            Shape::Resource,
            &["Subnet", names.subnets.private_endpoints, &endpoints],
        ),
        node(
            "pip_nat",
            Shape::Resource,
            &["Public IP", &secondary("nat_public_ip")],
        ),
        node(
            "ng_nat",
            Shape::Resource,
            &["NAT gateway", &secondary("nat_gateway")],
        ),
        node(
            "nsg_training",
            Shape::Resource,
            &["Network security group", &secondary("training_nsg")],
        ),
        node(
            "nsg_pe",
            Shape::Resource,
            &[
                "Network security group",
                &secondary("private_endpoints_nsg"),
            ],
        ),
    ];
    for zone in catalog::PRIVATE_DNS_ZONES {
        nodes.push(node(
            &format!("dns_{}", zone.key),
            Shape::Resource,
            &["Private DNS zone", zone.name],
        ));
    }
    edge("vnet", "snet_training", None, false);
    edge("vnet", "snet_pe", None, false);
    edge("pip_nat", "ng_nat", None, false);
    edge("ng_nat", "snet_training", Some("outbound".into()), false);
    edge("nsg_training", "snet_training", None, false);
    edge("nsg_pe", "snet_pe", None, false);
    for zone in catalog::PRIVATE_DNS_ZONES {
        edge(
            &format!("dns_{}", zone.key),
            "vnet",
            Some("linked".into()),
            false,
        );
    }
    Group {
        id: "network",
        folder: model.layout.network.clone(),
        nodes,
    }
}

/// One (principal, resource, roles) arrow per identity and scope, roles in catalog order.
/// A role only some targets grant (the workspace's file-share role needs identity-based
/// datastores, which a Terraform pin open to azurerm 4.x cannot have) says which.
fn role_edges(model: &Model, private: bool) -> Vec<(&'static str, &'static str, String)> {
    let per_target: Vec<(Target, Vec<&'static catalog::RoleGrant>)> = model
        .targets
        .iter()
        .map(|&t| {
            let identity_storage = match t {
                Target::Terraform => model.terraform.identity_storage,
                Target::Bicep => true,
            };
            (
                t,
                catalog::granted_workspace_roles(identity_storage, private),
            )
        })
        .collect();
    let mut arrows: Vec<(&'static str, &'static str, Vec<String>)> = Vec::new();
    let mut add = |from: &'static str, to: &'static str, role: String| match arrows
        .iter_mut()
        .find(|(f, t, _)| *f == from && *t == to)
    {
        Some((_, _, roles)) => roles.push(role),
        None => arrows.push((from, to, vec![role])),
    };
    for grant in catalog::WORKSPACE_ROLES {
        let granting: Vec<&str> = per_target
            .iter()
            .filter(|(_, roles)| roles.iter().any(|r| r.label == grant.label))
            .map(|(t, _)| t.name())
            .collect();
        if granting.is_empty() {
            continue;
        }
        let role = if granting.len() == per_target.len() {
            grant.role.to_owned()
        } else {
            format!("{} ({} only)", grant.role, granting.join(", "))
        };
        add("id_ws", node_of(grant.scope), role);
    }
    for grant in catalog::COMPUTE_ROLES {
        add("id_compute", node_of(grant.scope), grant.role.to_owned());
    }
    if !model.admins.is_empty() {
        for grant in catalog::ADMIN_ROLES {
            add("admins", node_of(grant.scope), grant.role.to_owned());
        }
    }
    arrows
        .into_iter()
        .map(|(from, to, roles)| (from, to, roles.join(", ")))
        .collect()
}

/// `text` safe inside a quoted Mermaid label: letters, digits and plain punctuation stay,
/// `"` becomes `#quot;` and every other character Mermaid's entity code `#<decimal>;`, so a
/// spec value can neither end the label nor become Markdown, HTML or Mermaid syntax.
pub fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            c if c.is_ascii_alphanumeric() || " -_.,:/()+=@".contains(c) => out.push(c),
            c => {
                let _ = write!(out, "#{};", u32::from(c));
            }
        }
    }
    out
}

/// `text` safe inside a quoted DOT string: `"` and `\` escaped, control characters replaced
/// by their escaped code point (DOT would read a backslash sequence as a layout command).
pub fn dot_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "U+{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_become_syntax() {
        assert_eq!(mermaid_text(r#"a "b" c"#), "a #quot;b#quot; c");
        assert_eq!(
            mermaid_text("x]; A-->B `<b>` | #"),
            "x#93;#59; A--#62;B #96;#60;b#62;#96; #124; #35;"
        );
        assert_eq!(mermaid_text("é\n"), "#233;#10;");
        assert_eq!(dot_text(r#"say "hi" \l"#), r#"say \"hi\" \\l"#);
        assert_eq!(dot_text("a\nb"), "aU+000Ab");
    }
}
