//! Terraform and Bicep describe the same infrastructure: for every example that renders both
//! targets and each of its environments, the hand-written resources of the templates — the
//! resource group, Key Vault (with its private endpoint and diagnostic setting), Log
//! Analytics, Application Insights, storage with its blob and file services, registry,
//! identities, workspace, compute clusters and instances, and the network — are the same
//! (Azure resource type, resource name) pairs in both. Names are resolved the way each tool
//! would: Terraform through variable defaults, `<env>.tfvars`, module arguments and
//! `for_each`; Bicep through param defaults, the `.bicepparam` file, module params and `for`
//! loops. So a hand-written resource added to one target only, or named differently in one
//! (a template, a module's wiring or a variable file), fails this test.
//!
//! The resources rendered from the catalog are left out: each target renders the role
//! assignments, the mlops module's private endpoints (with their DNS zone groups) and its
//! diagnostic settings from one Rust list each (`src/catalog.rs`), joined with the target's
//! references and names (`naming.rs`) in `src/render/target_context.rs`, so both get the same
//! entries by construction; `src/templates.rs` refuses string decisions in templates. The
//! private DNS zones stay in: their list is the catalog's, but each target declares them in a
//! hand-written block (a `for_each`, a `for` loop) that the zone links loop over too. The
//! rules values must follow are not this test's concern either: `tests/it/rules.rs` proves both
//! targets take them from the rule catalog.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use common::bicep::{self, Lit, Statement};
use common::terraform as tf;
use hcl::eval::{Context, Evaluate};
use mlgen::Tree;
use mlgen::catalog;

/// (Azure resource type, name).
type Inventory = BTreeSet<(String, String)>;

const ROLE_ASSIGNMENTS: &str = "Microsoft.Authorization/roleAssignments";
const PRIVATE_ENDPOINTS: &str = "Microsoft.Network/privateEndpoints";
const DIAGNOSTIC_SETTINGS: &str = "Microsoft.Insights/diagnosticSettings";

/// The Azure type an azurerm resource type creates; `None` for the azurerm resources that
/// only link two others (a property of one of them in Bicep).
fn azure_type(azurerm: &str) -> Option<&'static str> {
    Some(match azurerm {
        "azurerm_resource_group" => "Microsoft.Resources/resourceGroups",
        "azurerm_key_vault" => "Microsoft.KeyVault/vaults",
        "azurerm_log_analytics_workspace" => "Microsoft.OperationalInsights/workspaces",
        "azurerm_application_insights" => "Microsoft.Insights/components",
        "azurerm_storage_account" => "Microsoft.Storage/storageAccounts",
        "azurerm_container_registry" => "Microsoft.ContainerRegistry/registries",
        "azurerm_user_assigned_identity" => "Microsoft.ManagedIdentity/userAssignedIdentities",
        "azurerm_machine_learning_workspace" => "Microsoft.MachineLearningServices/workspaces",
        "azurerm_machine_learning_compute_cluster"
        | "azurerm_machine_learning_compute_instance" => {
            "Microsoft.MachineLearningServices/workspaces/computes"
        }
        "azurerm_virtual_network" => "Microsoft.Network/virtualNetworks",
        "azurerm_subnet" => "Microsoft.Network/virtualNetworks/subnets",
        "azurerm_network_security_group" => "Microsoft.Network/networkSecurityGroups",
        "azurerm_public_ip" => "Microsoft.Network/publicIPAddresses",
        "azurerm_nat_gateway" => "Microsoft.Network/natGateways",
        "azurerm_private_dns_zone" => "Microsoft.Network/privateDnsZones",
        "azurerm_private_dns_zone_virtual_network_link" => {
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks"
        }
        "azurerm_private_endpoint" => PRIVATE_ENDPOINTS,
        "azurerm_monitor_diagnostic_setting" => DIAGNOSTIC_SETTINGS,
        "azurerm_role_assignment" => ROLE_ASSIGNMENTS,
        "azurerm_nat_gateway_public_ip_association"
        | "azurerm_subnet_nat_gateway_association"
        | "azurerm_subnet_network_security_group_association" => return None,
        other => panic!("unmapped {other}"),
    })
}

/// Child resources azurerm configures as a nested block of their parent: (azurerm type,
/// block, Azure type). The child is named by the block's `name`, else Azure's `default`.
const TERRAFORM_CHILDREN: &[(&str, &str, &str)] = &[
    (
        "azurerm_storage_account",
        "blob_properties",
        "Microsoft.Storage/storageAccounts/blobServices",
    ),
    (
        "azurerm_storage_account",
        "share_properties",
        "Microsoft.Storage/storageAccounts/fileServices",
    ),
    (
        "azurerm_private_endpoint",
        "private_dns_zone_group",
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    ),
];

/// Child resources Bicep declares inside their parent: (Azure type of the parent, property
/// listing the children, Azure type of a child).
const BICEP_CHILDREN: &[(&str, &str, &str)] = &[(
    "Microsoft.Network/virtualNetworks",
    "properties.subnets",
    "Microsoft.Network/virtualNetworks/subnets",
)];

#[test]
fn terraform_and_bicep_create_the_same_hand_written_resources() {
    let mut compared = 0;
    for spec in common::example_specs() {
        let tree = mlgen::render_spec_file(&spec).unwrap();
        let has = |ext: &str| tree.iter().any(|(p, _)| common::has_extension(p, ext));
        if !(has("tf") && has("bicep")) {
            continue;
        }
        let model = mlgen::model::Model::from_spec(&mlgen::validate_spec_file(&spec).unwrap());
        let terraform_root = folder_of(&tree, "versions.tf");
        let bicep_root = folder_of(&tree, "main.bicepparam");
        let mut unread: BTreeSet<&str> = common::files_in(&tree, &bicep_root, "bicepparam")
            .map(|(p, _)| p)
            .collect();
        for (index, environment) in model.environments.iter().enumerate() {
            let env = &environment.name;
            let tfvars = format!("{terraform_root}/{env}.tfvars");
            let terraform = terraform_inventory(&tree, &terraform_root, &tfvars);
            // `main.bicepparam` is the base environment's; with `environments`, each
            // environment also has its own.
            let mut params = vec![format!("{bicep_root}/{env}.bicepparam")];
            if index == 0 {
                params.push(format!("{bicep_root}/main.bicepparam"));
            }
            for params in params.iter().filter(|p| unread.remove(p.as_str())) {
                let bicep = bicep_inventory(&tree, &bicep_root, params);
                let only_terraform: Vec<_> = terraform.difference(&bicep).collect();
                let only_bicep: Vec<_> = bicep.difference(&terraform).collect();
                assert!(
                    only_terraform.is_empty() && only_bicep.is_empty(),
                    "{}: {tfvars} and {params} create different hand-written resources\nonly in Terraform: {only_terraform:#?}\nonly in Bicep: {only_bicep:#?}",
                    spec.display()
                );
                compared += 1;
            }
            // The names were resolved, not skipped: the environment's own are there.
            let computes = "Microsoft.MachineLearningServices/workspaces/computes";
            let expected = environment
                .compute_clusters
                .iter()
                .map(|c| (computes, c.name.as_str()))
                .chain([(
                    "Microsoft.KeyVault/vaults",
                    environment.names.key_vault.as_str(),
                )]);
            for (kind, name) in expected {
                assert!(
                    terraform.contains(&(kind.into(), name.into())),
                    "{}: {env}: no {kind} {name}",
                    spec.display()
                );
            }
        }
        assert!(
            unread.is_empty(),
            "{}: {unread:?} belong to no environment",
            spec.display()
        );
    }
    assert!(compared >= 1, "no example renders both targets");
}

/// The declarations each target renders from the catalog's private endpoint and diagnostic
/// setting lists: (Azure type, Terraform label, Bicep symbol). With every role assignment
/// (all of them come from the catalog's role lists) they are left out of the comparison.
fn catalog_declarations() -> Vec<(&'static str, String, String)> {
    let endpoints = catalog::PRIVATE_ENDPOINTS.iter().map(|pe| {
        let symbol = format!("{}PrivateEndpoint", pe.label);
        (PRIVATE_ENDPOINTS, pe.label.to_owned(), symbol)
    });
    let diagnostics = catalog::DIAGNOSTICS.iter().map(|d| {
        let symbol = format!("{}Diagnostics", d.label);
        (DIAGNOSTIC_SETTINGS, d.label.to_owned(), symbol)
    });
    endpoints.chain(diagnostics).collect()
}

// ---------------------------------------------------------------- Terraform

/// The hand-written resources Terraform creates with the root module in `root` and the
/// variable file `tfvars`.
fn terraform_inventory(tree: &Tree, root: &str, tfvars: &str) -> Inventory {
    let main = tf_folder(tree, root);
    let mut vars = variable_defaults(&main);
    vars.extend(tf::values(&tf::file(tree, tfvars)));
    // The globally unique names' suffix is computed at plan time from the subscription (a
    // data source); the model shows it as its placeholder, and so does this inventory.
    let suffix = vars
        .get("global_name_suffix")
        .filter(|v| !v.is_null())
        .cloned()
        .unwrap_or_else(|| mlgen::naming::SUFFIX_PLACEHOLDER.into());
    let locals = BTreeMap::from([("global_name_suffix".to_owned(), suffix)]);
    let mut inventory = resources(&main, vars.clone(), locals.clone());
    let ctx = context(vars, locals);
    for module in tf::blocks(&main, "module") {
        let source = tf::value(module.body(), "source");
        let body = tf_folder(tree, &common::join(root, tf::string(&source)));
        let mut module_vars = variable_defaults(&body);
        for arg in module.body().attributes().filter(|a| a.key() != "source") {
            // Arguments that reference resources (IDs) are unknown before apply; names are not.
            if let Ok(value) = arg.expr().evaluate(&ctx) {
                module_vars.insert(arg.key().to_owned(), value);
            }
        }
        inventory.extend(resources(&body, module_vars, BTreeMap::new()));
    }
    inventory
}

/// The hand-written resources of one module, given its variables and the locals known only
/// at plan time.
fn resources(
    body: &hcl::Body,
    vars: BTreeMap<String, hcl::Value>,
    mut locals: BTreeMap<String, hcl::Value>,
) -> Inventory {
    let ctx = context(vars.clone(), locals.clone());
    for local in tf::blocks(body, "locals").flat_map(|b| b.body().attributes()) {
        if locals.contains_key(local.key()) {
            continue;
        }
        if let Ok(value) = local.expr().evaluate(&ctx) {
            locals.insert(local.key().to_owned(), value);
        }
    }
    let ctx = context(vars, locals);
    let catalog = catalog_declarations();
    let mut out = Inventory::new();
    for block in tf::blocks(body, "resource") {
        let [kind, label] = tf::labels(block)[..] else {
            panic!("resource labels")
        };
        let Some(azure) = azure_type(kind) else {
            continue;
        };
        if azure == ROLE_ASSIGNMENTS || catalog.iter().any(|(t, l, _)| *t == azure && l == label) {
            continue;
        }
        let name = |body: &hcl::Body, ctx: &Context| {
            let expr =
                tf::attr(body, "name").unwrap_or_else(|| panic!("{kind}.{label} has no name"));
            let value = expr
                .evaluate(ctx)
                .unwrap_or_else(|e| panic!("{kind}.{label}: name {}: {e}", tf::text(expr)));
            tf::string(&value).to_owned()
        };
        let mut add = |ctx: &Context| {
            out.insert((azure.into(), name(block.body(), ctx)));
            for (_, nested, child) in TERRAFORM_CHILDREN.iter().filter(|(t, ..)| *t == kind) {
                for nested in tf::blocks(block.body(), nested) {
                    let child_name = match tf::attr(nested.body(), "name") {
                        Some(_) => name(nested.body(), ctx),
                        None => "default".to_owned(),
                    };
                    out.insert(((*child).into(), child_name));
                }
            }
        };
        match tf::attr(block.body(), "for_each").map(|f| f.evaluate(&ctx)) {
            Some(Ok(hcl::Value::Object(items))) => {
                for (key, value) in items {
                    let mut each = ctx.clone();
                    let item =
                        BTreeMap::from([("key".into(), key.into()), ("value".into(), value)]);
                    each.declare_var("each", object(item));
                    add(&each);
                }
            }
            // A for_each over another resource: instances share a name that does not use `each`.
            Some(_) | None => add(&ctx),
        }
    }
    out
}

/// Every `.tf` file of the folder `dir`, as one body.
fn tf_folder(tree: &Tree, dir: &str) -> hcl::Body {
    common::files_in(tree, dir, "tf")
        .flat_map(|(path, _)| tf::file(tree, path))
        .collect()
}

fn variable_defaults(body: &hcl::Body) -> BTreeMap<String, hcl::Value> {
    tf::blocks(body, "variable")
        .filter(|b| tf::attr(b.body(), "default").is_some())
        .map(|b| (tf::labels(b)[0].to_owned(), tf::value(b.body(), "default")))
        .collect()
}

fn context(
    vars: BTreeMap<String, hcl::Value>,
    locals: BTreeMap<String, hcl::Value>,
) -> Context<'static> {
    let mut ctx = Context::new();
    ctx.declare_var("var", object(vars));
    ctx.declare_var("local", object(locals));
    ctx
}

fn object(map: BTreeMap<String, hcl::Value>) -> hcl::Value {
    hcl::Value::Object(map.into_iter().collect())
}

// ---------------------------------------------------------------- Bicep

/// The hand-written resources Bicep creates with the entry point `main.bicep` in `root` and
/// the parameter file `params`.
fn bicep_inventory(tree: &Tree, root: &str, params: &str) -> Inventory {
    let main = bicep_file(tree, &format!("{root}/main.bicep"));
    let mut given = bicep::params(tree.get(params).unwrap());
    // As in Terraform: the deployment-time suffix, shown as the model's placeholder.
    let suffix = match given.get("globalNameSuffix") {
        Some(Lit::Str(s)) if !s.is_empty() => s.clone(),
        _ => mlgen::naming::SUFFIX_PLACEHOLDER.to_owned(),
    };
    given.insert("globalSuffix".to_owned(), Lit::Str(suffix));
    let scope = bicep_scope(&main, given);
    let mut inventory = declarations(&main, &scope);
    for module in main.iter().filter(|s| s.keyword == "module") {
        let body = bicep_file(tree, &common::join(root, module.quoted()));
        let mut passed = BTreeMap::new();
        if let Some(Lit::Obj(params)) = module.value().get("params") {
            for (key, value) in params {
                // Module outputs (IDs) are known only at deployment; names are not.
                if value.as_expr().is_some_and(|e| e.contains(".outputs.")) {
                    continue;
                }
                passed.insert(key.clone(), eval(value, &scope));
            }
        }
        inventory.extend(declarations(&body, &bicep_scope(&body, passed)));
    }
    inventory
}

fn bicep_file(tree: &Tree, path: &str) -> Vec<Statement> {
    bicep::statements(
        tree.get(path)
            .unwrap_or_else(|| panic!("{path} is not rendered")),
    )
}

/// The values a Bicep file's expressions see: `given` params, the other params' defaults and
/// the file's vars (those not given).
fn bicep_scope(file: &[Statement], mut scope: BTreeMap<String, Lit>) -> BTreeMap<String, Lit> {
    for statement in file
        .iter()
        .filter(|s| s.keyword == "param" || s.keyword == "var")
    {
        if scope.contains_key(&statement.name) {
            continue;
        }
        if let Some(value) = &statement.value {
            let value = eval(value, &scope);
            scope.insert(statement.name.clone(), value);
        }
    }
    scope
}

/// A value: literals as they are, an expression evaluated in `scope`.
fn eval(value: &Lit, scope: &BTreeMap<String, Lit>) -> Lit {
    match value {
        Lit::Other(expr) => bicep::evaluate(expr, scope, &|name, _| {
            panic!("function {name} is not modelled: {expr}")
        }),
        literal => literal.clone(),
    }
}

/// The hand-written resources a Bicep file declares.
fn declarations(file: &[Statement], scope: &BTreeMap<String, Lit>) -> Inventory {
    let catalog = catalog_declarations();
    let mut left_out = BTreeSet::new();
    let mut out = Inventory::new();
    for resource in file.iter().filter(|s| s.keyword == "resource") {
        if resource.header.split_whitespace().any(|w| w == "existing") {
            continue;
        }
        let azure = resource.quoted().split('@').next().unwrap();
        let body = resource.value();
        let parent = body.get("parent").and_then(Lit::as_expr);
        if azure == ROLE_ASSIGNMENTS
            || catalog
                .iter()
                .any(|(t, _, s)| *t == azure && *s == resource.name)
            || parent.is_some_and(|p| left_out.contains(p))
        {
            left_out.insert(resource.name.as_str());
            continue;
        }
        let name = |value: &Lit, scope: &BTreeMap<String, Lit>| match eval(value, scope) {
            Lit::Str(name) => name,
            other => panic!("{}: a name, not {other:?}", resource.name),
        };
        let mut add = |scope: &BTreeMap<String, Lit>| {
            out.insert((azure.to_owned(), name(body.at("name"), scope)));
            for (_, property, child) in BICEP_CHILDREN.iter().filter(|(t, ..)| *t == azure) {
                let Lit::Arr(children) = body.at(property) else {
                    panic!("{}: {property} is a list", resource.name)
                };
                for child_body in children {
                    out.insert(((*child).to_owned(), name(child_body.at("name"), scope)));
                }
            }
        };
        match &resource.loop_head {
            // `item in list` or `(item, index) in list`.
            Some(head) => {
                let (names, list) = head.split_once(" in ").unwrap();
                let names: Vec<&str> = names
                    .trim_matches(['(', ')'])
                    .split(',')
                    .map(str::trim)
                    .collect();
                let Lit::Arr(items) = eval(&Lit::Other(list.to_owned()), scope) else {
                    panic!("{}: loop over {list}", resource.name)
                };
                for (index, item) in items.into_iter().enumerate() {
                    let mut scope = scope.clone();
                    scope.insert(names[0].to_owned(), item);
                    if let Some(index_name) = names.get(1) {
                        scope.insert((*index_name).to_owned(), Lit::Other(index.to_string()));
                    }
                    add(&scope);
                }
            }
            None => add(scope),
        }
    }
    out
}

// ---------------------------------------------------------------- paths

/// The folder of the tree's one file called `file`.
fn folder_of(tree: &Tree, file: &str) -> String {
    let found: Vec<&str> = tree
        .iter()
        .map(|(p, _)| p)
        .filter(|p| p.rsplit('/').next() == Some(file))
        .collect();
    assert_eq!(found.len(), 1, "one {file}: {found:?}");
    common::parent(found[0]).to_owned()
}

/// `parse_literal` reads the Bicep literals older tests still take apart by hand.
#[test]
fn bicep_literals_parse() {
    let lit = bicep::parse_literal("[\n  {\n    name: 'a\\'b'\n    n: 1\n  }\n]");
    assert_eq!(
        lit,
        Lit::Arr(vec![Lit::Obj(BTreeMap::from([
            ("n".into(), Lit::Other("1".into())),
            ("name".into(), Lit::Str("a'b".into()))
        ]))])
    );
}
