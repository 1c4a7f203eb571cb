//! Terraform specifics of rendering: the `hcl` filter templates use to quote spec values, the
//! `tf_validation` function that writes every `validation {}` block from the rule catalog, and
//! the canonical `terraform fmt` layout applied to every `.tf` and `.tfvars` output.

use std::collections::HashMap;

use tera::{Tera, Value};

use super::target_context::Spelling;
use crate::catalog::Kind;
use crate::model::Model;
use crate::rules::{self, terraform::Place};

/// Terraform's references to the mlops, shared and network modules' resources.
pub(super) struct Terraform;

impl Spelling for Terraform {
    fn reference(&self, kind: Kind) -> &'static str {
        match kind {
            Kind::Workspace => "azurerm_machine_learning_workspace.this.id",
            Kind::Storage => "azurerm_storage_account.this.id",
            Kind::Blob => r#""${azurerm_storage_account.this.id}/blobServices/default""#,
            Kind::Registry => "azurerm_container_registry.this.id",
            Kind::KeyVault => "var.kv_id",
            Kind::AppInsights => "var.appinsights_id",
            Kind::StorageBlobEndpoint => "azurerm_private_endpoint.storage_blob.id",
            Kind::StorageFileEndpoint => "azurerm_private_endpoint.storage_file.id",
            Kind::VirtualNetwork => "azurerm_virtual_network.this.id",
        }
    }

    fn name_literal(&self, prefix: &str, kind: Kind, suffix: &str) -> String {
        format!("\"{prefix}${{var.{}}}{suffix}\"", name_variable(kind))
    }

    /// Only where the azurerm pin allows `storage_account_access_type` (see the model).
    fn identity_storage(&self, model: &Model) -> bool {
        model.terraform.identity_storage
    }
}

/// The module variable holding `kind`'s name.
fn name_variable(kind: Kind) -> &'static str {
    match kind {
        Kind::Workspace => "machine_learning_workspace_name",
        Kind::Storage | Kind::Blob | Kind::StorageBlobEndpoint | Kind::StorageFileEndpoint => {
            "storage_account_name"
        }
        Kind::Registry => "container_registry_name",
        Kind::KeyVault => "key_vault_name",
        Kind::AppInsights => "application_insights_name",
        Kind::VirtualNetwork => "virtual_network_name",
    }
}

/// Registers `hcl` (`{{ value | hcl }}`: `value` as a safely escaped, quoted HCL string) and
/// `tf_validation`: `{{ tf_validation(rule="key_vault_name", var="key_vault_name") }}` is the
/// `validation {}` block of a catalog rule (see [`crate::rules`]) for a variable. Where in the
/// variable the rule applies: the value (default), `optional=true` (the value, or `null`),
/// `keys=true` (every map key), `field="vm_priority"` (a field of every element) or
/// `items=true` (every element); `as="c"` names the loop variable, `other="compute_clusters"`
/// is the second map of a rule comparing two.
pub(super) fn register_filters(tera: &mut Tera) {
    tera.register_function("tf_validation", |args: &HashMap<String, Value>| {
        let args = super::args::Args::new("tf_validation", args);
        let rule = args.rule()?;
        let var = args.text("var")?.ok_or_else(|| args.missing("var"))?;
        let each = args.text("as")?.unwrap_or("item");
        let place = match (
            args.flag("optional")?,
            args.flag("keys")?,
            args.text("field")?,
            args.flag("items")?,
        ) {
            (false, false, None, false) => Place::Value,
            (true, false, None, false) => Place::Optional,
            (false, true, None, false) => Place::Keys { each },
            (false, false, Some(field), false) => Place::Field { field, each },
            (false, false, None, true) => Place::Items { each },
            _ => {
                return Err(tera::Error::msg(
                    "tf_validation: give at most one of `optional`, `keys`, `field` and `items`",
                ));
            }
        };
        rules::terraform::validation(rule, var, place, args.text("other")?)
            .map(Value::String)
            .map_err(|e| tera::Error::msg(format!("tf_validation: {e}")))
    });
    tera.register_filter(
        "hcl",
        super::args::text_filter("hcl", |t| Ok(crate::quote::hcl(t))),
    );
}
