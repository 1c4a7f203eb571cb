//! Terraform and Bicep describe the same infrastructure: for every example that renders both
//! targets, the set of (Azure resource type, resource name) pairs is identical. Names are
//! resolved the way each tool would: Terraform through variable defaults, `<env>.tfvars`, module
//! arguments and `for_each`; Bicep through param defaults, `main.bicepparam`, module params and
//! `for` loops. A resource added to one target only makes this test fail. The rules values must
//! follow (names' lengths and characters, allowed values, ranges) are not its concern: both
//! targets take them from the rule catalog, and `tests/rules.rs` proves they agree.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::bicep::{Lit, parse_literal};
use hcl::eval::{Context, Evaluate};
use mlgen::Tree;

/// (Azure resource type, name).
type Inventory = BTreeSet<(String, String)>;

/// azurerm resource types and the Azure types they create.
const AZURERM_TYPES: &[(&str, &str)] = &[
    (
        "azurerm_monitor_diagnostic_setting",
        "Microsoft.Insights/diagnosticSettings",
    ),
    (
        "azurerm_role_assignment",
        "Microsoft.Authorization/roleAssignments",
    ),
    (
        "azurerm_machine_learning_compute_instance",
        "Microsoft.MachineLearningServices/workspaces/computes",
    ),
    (
        "azurerm_private_endpoint",
        "Microsoft.Network/privateEndpoints",
    ),
    (
        "azurerm_private_dns_zone",
        "Microsoft.Network/privateDnsZones",
    ),
    (
        "azurerm_private_dns_zone_virtual_network_link",
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    ),
    (
        "azurerm_virtual_network",
        "Microsoft.Network/virtualNetworks",
    ),
    (
        "azurerm_subnet",
        "Microsoft.Network/virtualNetworks/subnets",
    ),
    (
        "azurerm_network_security_group",
        "Microsoft.Network/networkSecurityGroups",
    ),
    ("azurerm_public_ip", "Microsoft.Network/publicIPAddresses"),
    ("azurerm_nat_gateway", "Microsoft.Network/natGateways"),
    (
        "azurerm_application_insights",
        "Microsoft.Insights/components",
    ),
    (
        "azurerm_container_registry",
        "Microsoft.ContainerRegistry/registries",
    ),
    ("azurerm_key_vault", "Microsoft.KeyVault/vaults"),
    (
        "azurerm_log_analytics_workspace",
        "Microsoft.OperationalInsights/workspaces",
    ),
    (
        "azurerm_machine_learning_compute_cluster",
        "Microsoft.MachineLearningServices/workspaces/computes",
    ),
    (
        "azurerm_machine_learning_workspace",
        "Microsoft.MachineLearningServices/workspaces",
    ),
    (
        "azurerm_resource_group",
        "Microsoft.Resources/resourceGroups",
    ),
    (
        "azurerm_storage_account",
        "Microsoft.Storage/storageAccounts",
    ),
    (
        "azurerm_user_assigned_identity",
        "Microsoft.ManagedIdentity/userAssignedIdentities",
    ),
];

/// Bicep child resources that azurerm configures inside their parent resource.
const INLINE_IN_TERRAFORM: &[&str] = &[
    "Microsoft.Storage/storageAccounts/blobServices",
    "Microsoft.Storage/storageAccounts/fileServices",
    "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
];

/// azurerm resources that Bicep declares inside their parent resource.
const INLINE_IN_BICEP: &[&str] = &["Microsoft.Network/virtualNetworks/subnets"];

/// azurerm resources that only link two others (a property on one of them in Bicep).
const TERRAFORM_ASSOCIATIONS: &[&str] = &[
    "azurerm_nat_gateway_public_ip_association",
    "azurerm_subnet_nat_gateway_association",
    "azurerm_subnet_network_security_group_association",
];

/// Resource types identified by their description, since their names are generated GUIDs.
const DESCRIBED: &str = "Microsoft.Authorization/roleAssignments";

#[test]
fn terraform_and_bicep_create_the_same_resources() {
    let mut compared = 0;
    for spec in common::example_specs() {
        let tree = mlgen::render_spec_file(&spec).unwrap();
        let has = |ext: &str| tree.iter().any(|(p, _)| p.ends_with(ext));
        if !(has(".tf") && has(".bicep")) {
            continue;
        }
        let model = mlgen::model::Model::from_spec(&mlgen::validate_spec_file(&spec).unwrap());
        // The base environment: Terraform's `<env>.tfvars`, Bicep's `main.bicepparam`.
        let terraform = terraform_inventory(&tree, &model.project.environment);
        let mut bicep = bicep_inventory(&tree);
        // The one intended difference: Bicep always uses identity-based datastores, Terraform
        // only when the azurerm pin excludes 4.55 (which lacks storage_account_access_type).
        if !model.terraform.identity_storage {
            for role in mlgen::catalog::WORKSPACE_ROLES
                .iter()
                .filter(|r| r.when == mlgen::catalog::When::IdentityStorage)
            {
                assert!(bicep.remove(&(DESCRIBED.into(), role.description.into())));
            }
        }
        // Every compute cluster is in the inventory under its own name.
        let computes = "Microsoft.MachineLearningServices/workspaces/computes";
        for cluster in &model.compute_clusters {
            assert!(
                terraform.contains(&(computes.into(), cluster.name.clone())),
                "{}",
                spec.display()
            );
        }
        let only_terraform: Vec<_> = terraform.difference(&bicep).collect();
        let only_bicep: Vec<_> = bicep.difference(&terraform).collect();
        assert!(
            only_terraform.is_empty() && only_bicep.is_empty(),
            "{}: Terraform and Bicep inventories differ\nonly in Terraform: {only_terraform:#?}\nonly in Bicep: {only_bicep:#?}",
            spec.display()
        );
        assert!(terraform.contains(&(
            "Microsoft.KeyVault/vaults".into(),
            model.names.key_vault.clone()
        )));
        compared += 1;
    }
    assert!(compared >= 1, "no example renders both targets");
}

// ---------------------------------------------------------------- Terraform

fn terraform_inventory(tree: &Tree, environment: &str) -> Inventory {
    let main_dir = folder_of(tree, "versions.tf");
    let root = parse_tf_folder(tree, &main_dir);
    let mut vars = variable_defaults(&root);
    for (path, text) in tree
        .iter()
        .filter(|(p, _)| *p == format!("{main_dir}/{environment}.tfvars"))
    {
        let body = hcl::parse(text).unwrap_or_else(|e| panic!("{path}: {e}"));
        for attr in body.attributes() {
            vars.insert(
                attr.key().to_owned(),
                attr.expr().evaluate(&Context::new()).unwrap(),
            );
        }
    }
    // The globally unique names' suffix is computed at plan time from the subscription (a
    // data source); the model shows it as its placeholder, and so does this inventory.
    let suffix = vars
        .get("global_name_suffix")
        .filter(|v| !v.is_null())
        .cloned()
        .unwrap_or_else(|| hcl::Value::from(mlgen::naming::SUFFIX_PLACEHOLDER));
    let locals = object(BTreeMap::from([("global_name_suffix".to_owned(), suffix)]));
    let root_ctx = context_with(&[("var", object(vars)), ("local", locals)]);
    let mut inventory = resources(&root, &root_ctx);
    for module in root.blocks().filter(|b| b.identifier() == "module") {
        let source = module
            .body()
            .attributes()
            .find(|a| a.key() == "source")
            .unwrap();
        let hcl::Expression::String(source) = source.expr() else {
            panic!("literal source")
        };
        let dir = join(&main_dir, source);
        let body = parse_tf_folder(tree, &dir);
        let mut module_vars = variable_defaults(&body);
        for arg in module.body().attributes().filter(|a| a.key() != "source") {
            // Arguments that reference resources (IDs) are unknown before apply; names are not.
            if let Ok(value) = arg.expr().evaluate(&root_ctx) {
                module_vars.insert(arg.key().to_owned(), value);
            }
        }
        inventory.extend(resources(
            &body,
            &context_with(&[("var", object(module_vars))]),
        ));
    }
    inventory.retain(|(kind, _)| !INLINE_IN_BICEP.contains(&kind.as_str()));
    inventory
}

fn resources(body: &hcl::Body, ctx: &Context) -> Inventory {
    let mut ctx = ctx.clone();
    let locals: BTreeMap<String, hcl::Value> = body
        .blocks()
        .filter(|b| b.identifier() == "locals")
        .flat_map(|b| b.body().attributes())
        .filter_map(|a| Some((a.key().to_owned(), a.expr().evaluate(&ctx).ok()?)))
        .collect();
    ctx.declare_var("local", object(locals));
    let mut out = Inventory::new();
    for block in body.blocks().filter(|b| b.identifier() == "resource") {
        let kind = block.labels()[0].as_str();
        if TERRAFORM_ASSOCIATIONS.contains(&kind) {
            continue;
        }
        let azure = AZURERM_TYPES
            .iter()
            .find(|(t, _)| *t == kind)
            .unwrap_or_else(|| panic!("unmapped {kind}"))
            .1;
        let attr = |key: &str| {
            block
                .body()
                .attributes()
                .find(|a| a.key() == key)
                .map(|a| a.expr().clone())
        };
        let name = if azure == DESCRIBED {
            attr("description")
        } else {
            attr("name")
        }
        .unwrap();
        match attr("for_each").map(|f| f.evaluate(&ctx)) {
            Some(Ok(hcl::Value::Object(items))) => {
                for (key, value) in items {
                    let mut each = ctx.clone();
                    each.declare_var(
                        "each",
                        object(BTreeMap::from([
                            ("key".into(), hcl::Value::from(key)),
                            ("value".into(), value),
                        ])),
                    );
                    out.insert((azure.into(), string(&name.evaluate(&each).unwrap())));
                }
            }
            // A for_each over another resource: instances share a name that does not use `each`.
            Some(_) | None => {
                out.insert((azure.into(), string(&name.evaluate(&ctx).unwrap())));
            }
        }
    }
    out
}

fn parse_tf_folder(tree: &Tree, dir: &str) -> hcl::Body {
    let mut body = hcl::Body::builder();
    for (path, text) in tree
        .iter()
        .filter(|(p, _)| p.rsplit('.').next() == Some("tf") && parent(p) == dir)
    {
        let parsed = hcl::parse(text).unwrap_or_else(|e| panic!("{path}: {e}"));
        body = body
            .add_blocks(parsed.blocks().cloned())
            .add_attributes(parsed.attributes().cloned());
    }
    body.build()
}

fn variable_defaults(body: &hcl::Body) -> BTreeMap<String, hcl::Value> {
    body.blocks()
        .filter(|b| b.identifier() == "variable")
        .filter_map(|b| {
            let default = b.body().attributes().find(|a| a.key() == "default")?;
            Some((
                b.labels()[0].as_str().to_owned(),
                default.expr().evaluate(&Context::new()).ok()?,
            ))
        })
        .collect()
}

fn context_with(vars: &[(&str, hcl::Value)]) -> Context<'static> {
    let mut ctx = Context::new();
    for (name, value) in vars {
        ctx.declare_var(*name, value.clone());
    }
    ctx
}

fn object(map: BTreeMap<String, hcl::Value>) -> hcl::Value {
    hcl::Value::Object(map.into_iter().collect())
}

fn string(value: &hcl::Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("a string name, got {value:?}"))
        .to_owned()
}

// ---------------------------------------------------------------- Bicep

fn bicep_inventory(tree: &Tree) -> Inventory {
    let main_path = tree
        .iter()
        .map(|(p, _)| p)
        .find(|p| p.ends_with("main.bicepparam"))
        .unwrap()
        .to_owned();
    let main_dir = parent(&main_path).to_owned();
    let main = tree.get(&format!("{main_dir}/main.bicep")).unwrap();
    let mut params = param_defaults(main);
    params.extend(param_defaults(tree.get(&main_path).unwrap()));
    // As in Terraform: the deployment-time suffix, shown as the model's placeholder.
    let suffix = match params.get("globalNameSuffix") {
        Some(Lit::Str(s)) if !s.is_empty() => s.clone(),
        _ => mlgen::naming::SUFFIX_PLACEHOLDER.to_owned(),
    };
    params.insert("globalSuffix".to_owned(), Lit::Str(suffix));
    let mut inventory = bicep_resources(main, &params);
    for (symbol_line, block) in blocks_after(main, "module ") {
        let path = symbol_line.split('\'').nth(1).unwrap();
        let file = join(&main_dir, path);
        let module = tree
            .get(&file)
            .unwrap_or_else(|| panic!("module file {file}"));
        let mut module_params = param_defaults(module);
        let passed = block
            .split_once("params: {")
            .map(|(_, p)| p)
            .unwrap_or_default();
        for line in passed.lines() {
            let Some((key, value)) = line.trim().split_once(": ") else {
                continue;
            };
            let value = match parse_literal(value) {
                Lit::Other(reference) => match params.get(&reference) {
                    Some(resolved) => resolved.clone(),
                    None => continue, // e.g. shared.outputs.keyVaultId: known only at deploy time
                },
                Lit::Str(text) if text.contains("${") => Lit::Str(resolve(value, &params)),
                literal => literal,
            };
            module_params.insert(key.to_owned(), value);
        }
        inventory.extend(bicep_resources(module, &module_params));
    }
    inventory.retain(|(kind, _)| !INLINE_IN_TERRAFORM.contains(&kind.as_str()));
    inventory
}

/// Param defaults and `var` values of a Bicep file (or a `.bicepparam`'s `param` lines).
fn param_defaults(file: &str) -> BTreeMap<String, Lit> {
    let mut params = BTreeMap::new();
    let mut offset = 0;
    for line in file.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let Some(rest) = line
            .strip_prefix("param ")
            .or_else(|| line.strip_prefix("var "))
        else {
            continue;
        };
        if let Some(at) = rest.find(" = ") {
            let name = rest[..at].split_whitespace().next().unwrap().to_owned();
            let value_start = start + (line.len() - rest.len()) + at + 3;
            params.insert(name, parse_literal(&balanced_at(file, value_start)));
        }
    }
    params
}

fn bicep_resources(file: &str, params: &BTreeMap<String, Lit>) -> Inventory {
    let mut out = Inventory::new();
    for (header, block) in blocks_after(file, "resource ") {
        if header.contains(" existing = ") {
            continue;
        }
        let kind = header
            .split('\'')
            .nth(1)
            .unwrap()
            .split('@')
            .next()
            .unwrap()
            .to_owned();
        let key = if kind == DESCRIBED {
            "description: "
        } else {
            "name: "
        };
        let name_expr = block
            .lines()
            .find_map(|l| {
                l.strip_prefix(&format!("  {key}"))
                    .or_else(|| l.strip_prefix(&format!("    {key}")))
            })
            .unwrap_or_else(|| panic!("no {key} in {header}"))
            .trim();
        match header.split_once("[for ") {
            Some((_, loop_head)) => {
                let (var, list) = loop_head.split_once(" in ").unwrap();
                let var = var
                    .trim_start_matches('(')
                    .split(',')
                    .next()
                    .unwrap()
                    .trim();
                let list = list.split(':').next().unwrap().trim();
                let Some(Lit::Arr(items)) = params.get(list) else {
                    panic!("loop over {list}")
                };
                for item in items {
                    let mut scope = params.clone();
                    scope.insert(var.to_owned(), item.clone());
                    out.insert((kind.clone(), resolve(name_expr, &scope)));
                }
            }
            None => {
                out.insert((kind, resolve(name_expr, params)));
            }
        }
    }
    out
}

/// A name expression: a string (with `${…}` interpolations), a param, or a loop item's field.
fn resolve(expr: &str, scope: &BTreeMap<String, Lit>) -> String {
    let lookup = |reference: &str| -> String {
        let mut parts = reference.split('.');
        let mut value = scope
            .get(parts.next().unwrap())
            .unwrap_or_else(|| panic!("cannot resolve {reference}"));
        for field in parts {
            let Lit::Obj(fields) = value else {
                panic!("{reference}: not an object")
            };
            value = fields
                .get(field)
                .unwrap_or_else(|| panic!("cannot resolve {reference}"));
        }
        match value {
            Lit::Str(s) => s.clone(),
            other => panic!("{reference} is not a string: {other:?}"),
        }
    };
    match parse_literal(expr) {
        Lit::Str(text) => {
            let mut out = String::new();
            let mut rest = text.as_str();
            while let Some(start) = rest.find("${") {
                out.push_str(&rest[..start]);
                let end = rest[start..].find('}').unwrap() + start;
                out.push_str(&lookup(&rest[start + 2..end]));
                rest = &rest[end + 1..];
            }
            out.push_str(rest);
            out
        }
        Lit::Other(reference) => lookup(&reference),
        other => panic!("unexpected name {other:?}"),
    }
}

/// (header line, body up to the matching close) of every top-level line starting with `keyword`.
fn blocks_after<'a>(file: &'a str, keyword: &str) -> Vec<(&'a str, String)> {
    let lines: Vec<&str> = file.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with(keyword))
    {
        let end = lines[i + 1..]
            .iter()
            .position(|l| l.starts_with('}'))
            .map_or(lines.len(), |p| i + 1 + p);
        out.push((*line, lines[i + 1..end].join("\n")));
    }
    out
}

/// The literal starting at byte `start` of `file`, up to the end of its line or, when it opens
/// brackets, to the line where they balance.
fn balanced_at(file: &str, start: usize) -> String {
    let unbalanced = |t: &str| t.matches(['[', '{']).count() != t.matches([']', '}']).count();
    let mut text = String::new();
    for line in file[start..].lines() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(line);
        if !unbalanced(&text) {
            break;
        }
    }
    text
}

// ---------------------------------------------------------------- paths

fn folder_of(tree: &Tree, file: &str) -> String {
    let path = tree
        .iter()
        .map(|(p, _)| p)
        .find(|p| p.rsplit('/').next() == Some(file))
        .unwrap();
    parent(path).to_owned()
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or(".", |(dir, _)| dir)
}

/// `dir` joined with a relative path, `..` resolved (`main` + `../infrastructure/x` →
/// `infrastructure/x`).
fn join(dir: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = if dir == "." {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

#[test]
fn bicep_literals_parse() {
    let lit = parse_literal("[\n  {\n    name: 'a\\'b'\n    n: 1\n  }\n]");
    assert_eq!(
        lit,
        Lit::Arr(vec![Lit::Obj(BTreeMap::from([
            ("n".into(), Lit::Other("1".into())),
            ("name".into(), Lit::Str("a'b".into()))
        ]))])
    );
    assert_eq!(
        join("main", "../infrastructure/shared"),
        "infrastructure/shared"
    );
    assert_eq!(
        join("infrastructure/main", "../shared/main.bicep"),
        "infrastructure/shared/main.bicep"
    );
}
