//! The Azure decisions of issue 10 that a snapshot alone would not defend: the globally unique
//! names' suffix is the same expression of the subscription in both targets, the workspace and
//! compute run as user-assigned identities granted their roles before they exist, and every
//! role grant is documented in docs/azure.md with its source.

mod common;

use std::fs;

fn render(yaml: &str) -> mlgen::tree::Tree {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mlgen.yaml");
    fs::write(&path, yaml).unwrap();
    mlgen::render_spec_file(&path).unwrap()
}

#[test]
fn both_targets_hash_the_subscription_into_the_global_names_the_same_way() {
    let tree = render("version: 1\nproject: {name: churn}\ntargets: [terraform, bicep]\n");
    let bicep = tree.get("main/main.bicep").unwrap();
    // ARM's guid() is UUIDv5 of its arguments joined with `-` in this namespace, so Terraform's
    // uuidv5() over "<subscription>-<resource group>" gives the same hex (.ci/global-names
    // checks Terraform's plan against that formula).
    assert!(bicep.contains(
        "var globalSuffix = empty(globalNameSuffix) ? substring(replace(guid(toLower(subscription().subscriptionId), resourceGroupName), '-', ''), 0, 4) : globalNameSuffix\n"
    ), "{bicep}");
    let main_tf = tree.get("main/main.tf").unwrap();
    assert!(main_tf.contains(
        "global_name_suffix = coalesce(var.global_name_suffix, substr(replace(uuidv5(\"11fb06fb-712d-4ddd-98c7-e71bbd588830\", \"${lower(data.azurerm_client_config.current.subscription_id)}-${var.resource_group_name}\"), \"-\", \"\"), 0, 4))\n"
    ), "{main_tf}");
    // The prefixes are the same in both targets' variable files, and no suffix is fixed.
    let tfvars = tree.get("main/dev.tfvars").unwrap();
    let params = tree.get("main/main.bicepparam").unwrap();
    assert!(
        tfvars.contains("storage_account_name_prefix     = \"stchurndev\"\n"),
        "{tfvars}"
    );
    assert!(
        params.contains("param storageAccountNamePrefix = 'stchurndev'\n"),
        "{params}"
    );
    assert!(!tfvars.contains("global_name_suffix") && !params.contains("globalNameSuffix"));
}

#[test]
fn project_suffix_fixes_the_global_names_in_both_targets() {
    let tree =
        render("version: 1\nproject: {name: churn, suffix: x7k2}\ntargets: [terraform, bicep]\n");
    assert!(
        tree.get("main/dev.tfvars")
            .unwrap()
            .contains("global_name_suffix              = \"x7k2\"\n")
    );
    assert!(
        tree.get("main/main.bicepparam")
            .unwrap()
            .contains("param globalNameSuffix = 'x7k2'\n")
    );
}

#[test]
fn workspace_and_compute_get_their_roles_before_they_exist() {
    let tree = render("version: 1\nproject: {name: churn}\nterraform: {azurerm_major: 5}\n");
    let mlops = tree.get("infrastructure/mlops/main.tf").unwrap();
    let workspace = &mlops[mlops
        .find("resource \"azurerm_machine_learning_workspace\"")
        .unwrap()..];
    let workspace = &workspace[..workspace.find("\n}\n").unwrap()];
    for role in mlgen::catalog::WORKSPACE_ROLES
        .iter()
        .filter(|r| r.before_workspace)
    {
        assert!(
            workspace.contains(&format!(
                "azurerm_role_assignment.workspace_{},",
                role.label
            )),
            "{workspace}"
        );
    }
    assert!(
        workspace.contains(
            "primary_user_assigned_identity = azurerm_user_assigned_identity.workspace.id"
        )
    );
    assert!(workspace.contains("storage_account_access_type    = \"Identity\""));
    assert!(
        !mlops.contains("SystemAssigned"),
        "no identity Azure ML would grant roles itself"
    );
    assert!(mlops.contains("shared_access_key_enabled        = false"));
    let cluster = &mlops[mlops
        .find("resource \"azurerm_machine_learning_compute_cluster\"")
        .unwrap()..];
    for role in mlgen::catalog::COMPUTE_ROLES {
        assert!(cluster.contains(&format!("azurerm_role_assignment.compute_{},", role.label)));
    }
    assert!(cluster.contains("node_public_ip_enabled        = false"));
}

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
