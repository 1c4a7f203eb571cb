//! Bicep specifics of rendering: the `bicep` filter templates use to quote spec values, the
//! `bicep_decorators` function that writes every limit decorator from the rule catalog, and
//! the layout clean-up applied to every `.bicep` and `.bicepparam` output.

use std::collections::HashMap;

use tera::{Tera, Value};

use super::target_context::Spelling;
use crate::catalog::Kind;
use crate::model::Model;
use crate::rules;

/// Bicep's symbols for the mlops, shared and network modules' resources.
pub(super) struct Bicep;

impl Spelling for Bicep {
    fn reference(&self, kind: Kind) -> &'static str {
        match kind {
            Kind::Workspace => "workspace",
            Kind::Storage => "storageAccount",
            Kind::Blob => "blobService",
            Kind::Registry => "containerRegistry",
            Kind::KeyVault => "keyVault",
            Kind::AppInsights => "appInsights",
            Kind::StorageBlobEndpoint => "storage_blobPrivateEndpoint",
            Kind::StorageFileEndpoint => "storage_filePrivateEndpoint",
            Kind::VirtualNetwork => "virtualNetwork",
        }
    }

    fn name_literal(&self, prefix: &str, kind: Kind, suffix: &str) -> String {
        format!("'{prefix}${{{}}}{suffix}'", name_parameter(kind))
    }

    /// Bicep always uses identity-based datastores (its API has no version problem).
    fn identity_storage(&self, _model: &Model) -> bool {
        true
    }
}

/// The module parameter holding `kind`'s name.
fn name_parameter(kind: Kind) -> &'static str {
    match kind {
        Kind::Workspace => "machineLearningWorkspaceName",
        Kind::Storage | Kind::Blob | Kind::StorageBlobEndpoint | Kind::StorageFileEndpoint => {
            "storageAccountName"
        }
        Kind::Registry => "containerRegistryName",
        Kind::KeyVault => "keyVaultName",
        Kind::AppInsights => "applicationInsightsName",
        Kind::VirtualNetwork => "virtualNetworkName",
    }
}

/// `key` as a Bicep object key: bare when it is an identifier (what the Bicep linter prefers),
/// otherwise quoted like any string.
pub(super) fn object_key(key: &str) -> String {
    let mut chars = key.chars();
    let identifier = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if identifier {
        key.to_owned()
    } else {
        crate::quote::bicep(key)
    }
}

/// Registers `bicep` (`{{ value | bicep }}`: a safely escaped Bicep string), `bicep_key`
/// (`{{ key | bicep_key }}`: an object key, bare or quoted) and `bicep_decorators`:
/// `{{ bicep_decorators(rule="key_vault_name", description="Globally unique Key Vault name") }}`
/// is `@description('…: <the rule in words>.')` (when `description` is given), then the
/// `@minLength`/`@maxLength`/`@allowed`/`@minValue`/`@maxValue` of a catalog rule (see
/// [`crate::rules`]). `optional=true`: an empty string means unset (no `@minLength`);
/// `before_suffix=true`: the param is a name up to its globally unique suffix.
pub(super) fn register_filters(tera: &mut Tera) {
    tera.register_function("bicep_decorators", |args: &HashMap<String, Value>| {
        let args = super::args::Args::new("bicep_decorators", args);
        let how = rules::bicep::Use {
            description: args.text("description")?,
            optional: args.flag("optional")?,
            before_suffix: args.flag("before_suffix")?,
        };
        rules::bicep::decorators(args.rule()?, how)
            .map(Value::String)
            .map_err(|e| tera::Error::msg(format!("bicep_decorators: {e}")))
    });
    tera.register_filter(
        "bicep_key",
        |value: &Value, _: &HashMap<String, Value>| match value {
            Value::String(s) => Ok(Value::String(object_key(s))),
            other => Err(tera::Error::msg(format!(
                "the bicep_key filter takes a string, not {other}"
            ))),
        },
    );
    tera.register_filter(
        "bicep",
        super::args::text_filter("bicep", |t| Ok(crate::quote::bicep(t))),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_bare_only_when_they_are_identifiers() {
        assert_eq!(object_key("owner"), "owner");
        assert_eq!(object_key("cost_center2"), "cost_center2");
        assert_eq!(object_key("cost-center"), "'cost-center'");
        assert_eq!(object_key("2x"), "'2x'");
        assert_eq!(object_key("it's"), r"'it\'s'");
    }
}
