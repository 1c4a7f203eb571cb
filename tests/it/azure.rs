//! The Azure decisions of issue 10 that a snapshot alone would not defend: the globally unique
//! names' suffix is the same function of the subscription and resource group in both targets,
//! the workspace and compute run as user-assigned identities granted their roles before they
//! exist, and every role grant is documented in docs/azure.md with its source.

use crate::common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;

use hcl::eval::{Context, Evaluate, FuncArgs, FuncDef, ParamType};
use sha2::{Digest, Sha256};

use common::bicep::{self, Lit};
use common::terraform as tf;

/// The namespace Azure Resource Manager's `guid()` hashes in (ARM template function docs),
/// written out here rather than taken from mlgen, so a wrong constant in mlgen is caught.
const ARM_NAMESPACE: &str = "11fb06fb-712d-4ddd-98c7-e71bbd588830";

/// Stands in for UUID version 5 (SHA-1 of namespace and name): the same function on both
/// sides is all this test needs. `.ci/global-names` checks the real `uuidv5()` against ARM.
fn uuid5(namespace: &str, name: &str) -> String {
    let hash = Sha256::digest(format!("{}\0{name}", namespace.to_lowercase()));
    let hex = hash[..16].iter().fold(String::new(), |mut hex, b| {
        write!(hex, "{b:02x}").unwrap();
        hex
    });
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// ARM's `guid(a, b, …)`: UUID version 5 of the arguments joined with `-`.
fn arm_guid(args: &[&str]) -> String {
    uuid5(ARM_NAMESPACE, &args.join("-"))
}

/// The suffix Terraform's `locals.global_name_suffix` of the root `main.tf` evaluates to.
// The Terraform functions take `FuncArgs` and return a `Result`: hcl-rs's signature.
#[allow(clippy::needless_pass_by_value, clippy::unnecessary_wraps)]
fn terraform_suffix(
    tree: &mlgen::Tree,
    subscription: &str,
    resource_group: &str,
    chosen: Option<&str>,
) -> String {
    fn string(args: &FuncArgs, i: usize) -> &str {
        args[i].as_str().unwrap()
    }
    fn coalesce(args: FuncArgs) -> Result<hcl::Value, String> {
        // Terraform's coalesce skips null and empty strings.
        Ok(args
            .iter()
            .find(|v| !v.is_null() && v.as_str() != Some(""))
            .cloned()
            .unwrap_or(hcl::Value::Null))
    }
    fn substr(args: FuncArgs) -> Result<hcl::Value, String> {
        let offset = usize::try_from(args[1].as_u64().unwrap()).unwrap();
        let length = usize::try_from(args[2].as_u64().unwrap()).unwrap();
        Ok(string(&args, 0)
            .chars()
            .skip(offset)
            .take(length)
            .collect::<String>()
            .into())
    }
    fn replace(args: FuncArgs) -> Result<hcl::Value, String> {
        Ok(string(&args, 0)
            .replace(string(&args, 1), string(&args, 2))
            .into())
    }
    fn uuidv5(args: FuncArgs) -> Result<hcl::Value, String> {
        Ok(uuid5(string(&args, 0), string(&args, 1)).into())
    }
    fn lower(args: FuncArgs) -> Result<hcl::Value, String> {
        Ok(string(&args, 0).to_lowercase().into())
    }
    let body = tf::file(tree, "main/main.tf");
    let locals = tf::block(&body, "locals", &[]);
    let expr = tf::attr(locals, "global_name_suffix").expect("locals.global_name_suffix");
    let mut ctx = Context::new();
    let object = |pairs: Vec<(&str, hcl::Value)>| {
        hcl::Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    };
    ctx.declare_var(
        "var",
        object(vec![
            (
                "global_name_suffix",
                chosen.map_or(hcl::Value::Null, Into::into),
            ),
            ("resource_group_name", resource_group.into()),
        ]),
    );
    ctx.declare_var(
        "data",
        object(vec![(
            "azurerm_client_config",
            object(vec![(
                "current",
                object(vec![("subscription_id", subscription.into())]),
            )]),
        )]),
    );
    let strings = |n: usize| vec![ParamType::String; n];
    ctx.declare_func(
        "coalesce",
        FuncDef::builder()
            .variadic_param(ParamType::Any)
            .build(coalesce),
    );
    ctx.declare_func(
        "substr",
        FuncDef::new(
            substr,
            [ParamType::String, ParamType::Number, ParamType::Number],
        ),
    );
    ctx.declare_func("replace", FuncDef::new(replace, strings(3)));
    ctx.declare_func("uuidv5", FuncDef::new(uuidv5, strings(2)));
    ctx.declare_func("lower", FuncDef::new(lower, strings(1)));
    let value = expr
        .evaluate(&ctx)
        .unwrap_or_else(|e| panic!("{}: {e}", tf::text(expr)));
    tf::string(&value).to_owned()
}

/// The suffix Bicep's `var globalSuffix` of the root `main.bicep` evaluates to.
fn bicep_suffix(
    tree: &mlgen::Tree,
    subscription: &str,
    resource_group: &str,
    chosen: Option<&str>,
) -> String {
    let statements = bicep::statements(tree.get("main/main.bicep").unwrap());
    let expr = bicep::find(&statements, "var", "globalSuffix").value();
    let scope = BTreeMap::from([
        (
            "globalNameSuffix".to_owned(),
            Lit::Str(chosen.unwrap_or_default().to_owned()),
        ),
        (
            "resourceGroupName".to_owned(),
            Lit::Str(resource_group.to_owned()),
        ),
    ]);
    let text = |lit: &Lit| lit.as_str().unwrap().to_owned();
    let number = |lit: &Lit| lit.as_expr().unwrap().parse::<usize>().unwrap();
    let call = |name: &str, args: Vec<Lit>| match name {
        "empty" => Lit::Other(text(&args[0]).is_empty().to_string()),
        "substring" => Lit::Str(
            text(&args[0])
                .chars()
                .skip(number(&args[1]))
                .take(number(&args[2]))
                .collect(),
        ),
        "replace" => Lit::Str(text(&args[0]).replace(&text(&args[1]), &text(&args[2]))),
        "toLower" => Lit::Str(text(&args[0]).to_lowercase()),
        "guid" => {
            let args: Vec<String> = args.iter().map(text).collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            Lit::Str(arm_guid(&args))
        }
        "subscription" => Lit::Obj(BTreeMap::from([(
            "subscriptionId".to_owned(),
            Lit::Str(subscription.to_owned()),
        )])),
        other => panic!("function {other} is not modelled"),
    };
    let Lit::Str(suffix) = bicep::evaluate(expr.as_expr().unwrap(), &scope, &call) else {
        panic!("globalSuffix is a string")
    };
    suffix
}

/// Subscriptions (one written in capitals, as the portal may show it) and resource groups.
const DEPLOYMENTS: [(&str, &str); 3] = [
    ("0b1f6471-1bf0-4dda-aec3-111122223333", "rg-churn-dev"),
    ("0B1F6471-1BF0-4DDA-AEC3-111122223333", "rg-churn-dev"),
    ("c3a1d0e2-9f8b-4c7d-a6e5-444455556666", "rg-churn-prod"),
];

/// Both targets derive the global names' suffix the same way: for each subscription (in any
/// letter case) and resource group, Terraform's `local.global_name_suffix` and Bicep's
/// `globalSuffix` evaluate to the first 4 hex digits of ARM's `guid()` of the lowercased
/// subscription and the resource group. Both variable files give the same name prefixes and
/// fix no suffix.
#[test]
fn both_targets_hash_the_subscription_into_the_global_names_the_same_way() {
    let tree =
        common::render_yaml("version: 1\nproject: {name: churn}\ntargets: [terraform, bicep]\n");
    for (subscription, resource_group) in DEPLOYMENTS {
        let expected: String = arm_guid(&[&subscription.to_lowercase(), resource_group])
            .replace('-', "")[..4]
            .to_owned();
        assert_eq!(
            terraform_suffix(&tree, subscription, resource_group, None),
            expected,
            "Terraform, {subscription} {resource_group}"
        );
        assert_eq!(
            bicep_suffix(&tree, subscription, resource_group, None),
            expected,
            "Bicep, {subscription} {resource_group}"
        );
    }
    let (first, _) = DEPLOYMENTS[0];
    assert_ne!(
        terraform_suffix(&tree, first, "rg-churn-dev", None),
        terraform_suffix(&tree, first, "rg-churn-prod", None),
        "the resource group is part of the suffix"
    );

    // The prefixes are the same in both targets' variable files, and no suffix is fixed.
    let tfvars = tf::values(&tf::file(&tree, "main/dev.tfvars"));
    let params = bicep::params(tree.get("main/main.bicepparam").unwrap());
    let prefixes: Vec<(&String, &hcl::Value)> = tfvars
        .iter()
        .filter(|(key, _)| key.ends_with("_name_prefix"))
        .collect();
    assert_eq!(
        prefixes.len(),
        3,
        "Key Vault, storage and registry: {prefixes:?}"
    );
    for (key, value) in prefixes {
        let camel: String = key
            .split('_')
            .enumerate()
            .map(|(i, word)| {
                let mut chars = word.chars();
                match (i, chars.next()) {
                    (0, _) | (_, None) => word.to_owned(),
                    (_, Some(first)) => first.to_uppercase().chain(chars).collect(),
                }
            })
            .collect();
        assert_eq!(
            params.get(&camel).and_then(Lit::as_str),
            value.as_str(),
            "{key} and {camel}"
        );
    }
    assert_eq!(tfvars["storage_account_name_prefix"], "stchurndev".into());
    assert!(!tfvars.contains_key("global_name_suffix"));
    assert!(!params.contains_key("globalNameSuffix"));
}

/// `project.suffix` fixes the suffix in both targets: each variable file sets it, and with it
/// both expressions give exactly it, whatever the subscription.
#[test]
fn project_suffix_fixes_the_global_names_in_both_targets() {
    let tree = common::render_yaml(
        "version: 1\nproject: {name: churn, suffix: x7k2}\ntargets: [terraform, bicep]\n",
    );
    let tfvars = tf::values(&tf::file(&tree, "main/dev.tfvars"));
    let params = bicep::params(tree.get("main/main.bicepparam").unwrap());
    assert_eq!(tfvars["global_name_suffix"], "x7k2".into());
    assert_eq!(params["globalNameSuffix"].as_str(), Some("x7k2"));
    for (subscription, resource_group) in DEPLOYMENTS {
        assert_eq!(
            terraform_suffix(&tree, subscription, resource_group, Some("x7k2")),
            "x7k2"
        );
        assert_eq!(
            bicep_suffix(&tree, subscription, resource_group, Some("x7k2")),
            "x7k2"
        );
    }
}

/// The workspace and compute run as user-assigned identities holding their roles before they
/// exist: every role the catalog grants before the workspace is a role assignment to the
/// workspace identity that the workspace `depends_on`, and every compute role one to the
/// compute identity that each cluster depends on. The workspace names its identity as primary
/// and reaches storage by identity; no resource uses a system-assigned identity (Azure ML would
/// grant that one roles itself); storage refuses shared keys; clusters get no public IPs.
#[test]
fn workspace_and_compute_get_their_roles_before_they_exist() {
    let tree =
        common::render_yaml("version: 1\nproject: {name: churn}\nterraform: {azurerm_major: 5}\n");
    let mlops = tf::file(&tree, "infrastructure/mlops/main.tf");
    let grant = |label: &str, role: &str, identity: &str| {
        let assignment = tf::resource(&mlops, "azurerm_role_assignment", label);
        assert_eq!(tf::value(assignment, "role_definition_name"), role.into());
        assert_eq!(
            tf::expr(assignment, "principal_id"),
            format!("azurerm_user_assigned_identity.{identity}.principal_id"),
            "{label}"
        );
        format!("azurerm_role_assignment.{label}")
    };

    let workspace = tf::resource(&mlops, "azurerm_machine_learning_workspace", "this");
    let depends_on = tf::list(workspace, "depends_on");
    for role in mlgen::catalog::WORKSPACE_ROLES
        .iter()
        .filter(|r| r.before_workspace)
    {
        let assignment = grant(&format!("workspace_{}", role.label), role.role, "workspace");
        assert!(
            depends_on.contains(&assignment),
            "{assignment}: {depends_on:?}"
        );
    }
    assert_eq!(
        tf::expr(workspace, "primary_user_assigned_identity"),
        "azurerm_user_assigned_identity.workspace.id"
    );
    let identity = tf::block(workspace, "identity", &[]);
    assert_eq!(
        tf::list(identity, "identity_ids"),
        ["azurerm_user_assigned_identity.workspace.id"]
    );
    assert_eq!(
        tf::value(workspace, "storage_account_access_type"),
        "Identity".into()
    );

    let cluster = tf::resource(&mlops, "azurerm_machine_learning_compute_cluster", "this");
    let depends_on = tf::list(cluster, "depends_on");
    for role in mlgen::catalog::COMPUTE_ROLES {
        let assignment = grant(&format!("compute_{}", role.label), role.role, "compute");
        assert!(
            depends_on.contains(&assignment),
            "{assignment}: {depends_on:?}"
        );
    }
    assert_eq!(
        tf::list(tf::block(cluster, "identity", &[]), "identity_ids"),
        ["azurerm_user_assigned_identity.compute.id"]
    );
    assert_eq!(tf::value(cluster, "node_public_ip_enabled"), false.into());

    let mut identities = 0;
    for resource in tf::blocks(&mlops, "resource") {
        for identity in tf::blocks(resource.body(), "identity") {
            identities += 1;
            assert_eq!(
                tf::value(identity.body(), "type"),
                "UserAssigned".into(),
                "{:?}",
                tf::labels(resource)
            );
        }
    }
    assert!(identities >= 2, "workspace and cluster identities");
    let storage = tf::resource(&mlops, "azurerm_storage_account", "this");
    assert_eq!(
        tf::value(storage, "shared_access_key_enabled"),
        false.into()
    );
}

/// Every role the catalog grants names its Azure role and its source in docs/azure.md.
#[test]
fn every_role_grant_is_documented_with_its_source() {
    let doc = fs::read_to_string(common::root().join("docs/azure.md")).unwrap();
    let catalog = mlgen::catalog::catalog();
    for role in catalog
        .workspace_roles
        .iter()
        .chain(catalog.compute_roles)
        .chain(catalog.admin_roles)
    {
        assert!(doc.contains(role.role), "docs/azure.md lacks {}", role.role);
        assert!(
            doc.contains(role.source),
            "docs/azure.md lacks {}",
            role.source
        );
    }
}
