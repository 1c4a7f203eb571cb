//! Azure resource names: how mlgen derives them and the rules Azure enforces on them.
//!
//! Names follow the Cloud Adoption Framework abbreviations (`rg-`, `kv-`, `log-`, `appi-`,
//! `mlw-`, `st`, `cr`, `id-`). Storage accounts, key vaults and registries need names unique
//! across all of Azure, so they end with a suffix that only the deployment can know: four hex
//! characters of a name-based UUID of the subscription ID and the resource group name. Bicep
//! computes it with `guid()` and Terraform with `uuidv5()` over the same input and namespace,
//! so both targets name the same resources identically, the same spec in two subscriptions
//! never collides, and a redeployment into the same subscription never renames anything.
//! `project.suffix` replaces the hashed suffix. This module is the only place names are made;
//! the validator checks every derived name against its rule in [`crate::rules`] before anything
//! is rendered (with [`SUFFIX_PLACEHOLDER`] standing in for a suffix not known until deployment).

use serde::Serialize;

use crate::catalog::{self, Kind};
use crate::rules::{self, Rule};

/// Length of the deployment-time suffix of the globally unique names.
pub const SUFFIX_LENGTH: usize = 4;
/// Stands in for the deployment-time suffix in names shown before deployment.
pub const SUFFIX_PLACEHOLDER: &str = "xxxx";
/// The namespace Azure Resource Manager's `guid()` hashes its arguments in (UUID version 5 of
/// the arguments joined with `-`). Terraform's `uuidv5()` with this namespace gives the same
/// value, as the Azure Verified Modules rely on for role assignment names
/// (Azure/terraform-azure-avm-utl-interfaces, `main.role_assignments.tf`).
pub const ARM_GUID_NAMESPACE: &str = "11fb06fb-712d-4ddd-98c7-e71bbd588830";

/// Private endpoints are named `pe-<resource name>-<sub-resource>`.
pub const PRIVATE_ENDPOINT_PREFIX: &str = "pe-";
/// Diagnostic settings are named `diag-<resource name>` (plus a suffix for a sub-service).
pub const DIAGNOSTIC_SETTING_PREFIX: &str = "diag-";

/// The part of a private endpoint's name after the resource's name.
pub fn private_endpoint_suffix(subresource: &str) -> String {
    format!("-{subresource}")
}

/// A name made from another resource's name: `prefix`, that name, `suffix`. Modules receive
/// the other name as an input (for the globally unique ones it is only known at deployment),
/// so each target spells it as an interpolation; [`Names::secondary`] spells it out for the
/// validator.
#[derive(Debug, Clone, Copy)]
pub struct Secondary {
    /// What the context and templates call it.
    pub label: &'static str,
    /// Text before the other name.
    pub prefix: &'static str,
    /// The resource whose name it is made from.
    pub of: Kind,
    /// Text after the other name.
    pub suffix: &'static str,
    /// Azure's rule for the name.
    pub rule: &'static Rule,
}

/// The secondary names of the shared and network modules (the mlops module's private
/// endpoints and diagnostic settings are named from the catalog with the prefixes above).
pub static SECONDARY: &[Secondary] = &[
    Secondary {
        label: "key_vault_private_endpoint",
        prefix: PRIVATE_ENDPOINT_PREFIX,
        of: Kind::KeyVault,
        suffix: "-vault",
        rule: &rules::PRIVATE_ENDPOINT,
    },
    Secondary {
        label: "key_vault_diagnostic_setting",
        prefix: DIAGNOSTIC_SETTING_PREFIX,
        of: Kind::KeyVault,
        suffix: "",
        rule: &rules::DIAGNOSTIC_SETTING,
    },
    Secondary {
        label: "nat_public_ip",
        prefix: "pip-",
        of: Kind::VirtualNetwork,
        suffix: "-nat",
        rule: &rules::NETWORK_RESOURCE,
    },
    Secondary {
        label: "nat_gateway",
        prefix: "ng-",
        of: Kind::VirtualNetwork,
        suffix: "",
        rule: &rules::NETWORK_RESOURCE,
    },
    Secondary {
        label: "training_nsg",
        prefix: "nsg-",
        of: Kind::VirtualNetwork,
        suffix: "-training",
        rule: &rules::NETWORK_RESOURCE,
    },
    Secondary {
        label: "private_endpoints_nsg",
        prefix: "nsg-",
        of: Kind::VirtualNetwork,
        suffix: "-private-endpoints",
        rule: &rules::NETWORK_RESOURCE,
    },
    Secondary {
        label: "dns_zone_link",
        prefix: "link-",
        of: Kind::VirtualNetwork,
        suffix: "",
        rule: &rules::NETWORK_RESOURCE,
    },
];

/// Subnet names, the same in every network.
pub const TRAINING_SUBNET: &str = "snet-training";
/// See [`TRAINING_SUBNET`].
pub const PRIVATE_ENDPOINT_SUBNET: &str = "snet-private-endpoints";

/// Every Azure resource name a spec derives (compute clusters are named in the spec itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Names {
    /// Resource group.
    pub resource_group: String,
    /// Key Vault (globally unique), with the suffix or its placeholder.
    pub key_vault: String,
    /// Log Analytics workspace.
    pub log_analytics_workspace: String,
    /// Application Insights component.
    pub application_insights: String,
    /// Machine Learning workspace.
    pub machine_learning_workspace: String,
    /// Storage account (globally unique), with the suffix or its placeholder.
    pub storage_account: String,
    /// Container registry (globally unique), with the suffix or its placeholder.
    pub container_registry: String,
    /// Virtual network (with private endpoints).
    pub virtual_network: String,
    /// The workspace's user-assigned managed identity.
    pub workspace_identity: String,
    /// The user-assigned managed identity every compute cluster and instance runs as.
    pub compute_identity: String,
    /// Names of the training and private-endpoint subnets.
    pub subnets: Subnets,
    /// Names of the Bicep deployments of the modules.
    pub deployments: Deployments,
    /// The globally unique names without their suffix.
    pub prefixes: GlobalPrefixes,
    /// `project.suffix`, when the spec fixes it; otherwise the deployment derives it.
    pub suffix: Option<String>,
}

/// Subnet names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subnets {
    /// Compute.
    pub training: &'static str,
    /// Private endpoints.
    pub private_endpoints: &'static str,
}

/// Names of the module deployments of the Bicep entry point: `<project>-<env>-<module>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deployments {
    /// The network module.
    pub network: String,
    /// The shared module.
    pub shared: String,
    /// The mlops module.
    pub mlops: String,
}

/// The globally unique names up to their suffix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GlobalPrefixes {
    /// Key Vault.
    pub key_vault: String,
    /// Storage account.
    pub storage_account: String,
    /// Container registry.
    pub container_registry: String,
}

impl Names {
    /// Derives all names from the project name and environment; `suffix` replaces the
    /// deployment-time suffix of the globally unique names.
    pub fn derive(project: &str, environment: &str, suffix: Option<&str>) -> Self {
        let prefixes = GlobalPrefixes {
            key_vault: format!("kv-{project}-{environment}-"),
            storage_account: format!("st{project}{environment}"),
            container_registry: format!("cr{project}{environment}"),
        };
        let end = suffix.unwrap_or(SUFFIX_PLACEHOLDER);
        Self {
            resource_group: format!("rg-{project}-{environment}"),
            key_vault: format!("{}{end}", prefixes.key_vault),
            log_analytics_workspace: format!("log-{project}-{environment}"),
            application_insights: format!("appi-{project}-{environment}"),
            machine_learning_workspace: format!("mlw-{project}-{environment}"),
            storage_account: format!("{}{end}", prefixes.storage_account),
            container_registry: format!("{}{end}", prefixes.container_registry),
            virtual_network: format!("vnet-{project}-{environment}"),
            workspace_identity: format!("id-{project}-{environment}"),
            compute_identity: format!("id-{project}-{environment}-compute"),
            subnets: Subnets {
                training: TRAINING_SUBNET,
                private_endpoints: PRIVATE_ENDPOINT_SUBNET,
            },
            deployments: Deployments {
                network: format!("{project}-{environment}-network"),
                shared: format!("{project}-{environment}-shared"),
                mlops: format!("{project}-{environment}-ml"),
            },
            prefixes,
            suffix: suffix.map(str::to_owned),
        }
    }

    /// The name of `kind`'s resource (with the suffix placeholder where the deployment
    /// completes it); `None` for the private endpoints, which have no name of their own here.
    pub fn of(&self, kind: Kind) -> Option<&str> {
        Some(match kind {
            Kind::Workspace => &self.machine_learning_workspace,
            Kind::Storage | Kind::Blob => &self.storage_account,
            Kind::Registry => &self.container_registry,
            Kind::KeyVault => &self.key_vault,
            Kind::AppInsights => &self.application_insights,
            Kind::VirtualNetwork => &self.virtual_network,
            Kind::StorageBlobEndpoint | Kind::StorageFileEndpoint => return None,
        })
    }

    /// The name of the mlops module's private endpoint `pe` (`pe-<resource>-<subresource>`), if
    /// its resource's name is known before deployment.
    pub fn private_endpoint(&self, pe: &catalog::PrivateEndpoint) -> Option<String> {
        let of = self.of(pe.resource)?;
        Some(format!(
            "{PRIVATE_ENDPOINT_PREFIX}{of}{}",
            private_endpoint_suffix(pe.subresource)
        ))
    }

    /// Every secondary name spelled out, with its label and rule: the shared and network
    /// modules' ([`SECONDARY`]) and the mlops module's private endpoints and diagnostic
    /// settings.
    pub fn secondary(&self) -> Vec<(String, String, &'static Rule)> {
        let mut names: Vec<(String, String, &'static Rule)> = SECONDARY
            .iter()
            .filter_map(|s| {
                let of = self.of(s.of)?;
                let name = format!("{}{of}{}", s.prefix, s.suffix);
                Some((s.label.to_owned(), name, s.rule))
            })
            .collect();
        for pe in catalog::PRIVATE_ENDPOINTS {
            if let Some(name) = self.private_endpoint(pe) {
                names.push((
                    format!("{}_private_endpoint", pe.label),
                    name,
                    &rules::PRIVATE_ENDPOINT,
                ));
            }
        }
        for d in catalog::DIAGNOSTICS {
            if let Some(of) = self.of(d.resource) {
                names.push((
                    format!("{}_diagnostic_setting", d.label),
                    format!("{DIAGNOSTIC_SETTING_PREFIX}{of}{}", d.suffix),
                    &rules::DIAGNOSTIC_SETTING,
                ));
            }
        }
        names
    }

    /// Each name, primary and secondary, with the catalog rule it must satisfy, in a stable
    /// order.
    pub fn with_rules(&self) -> Vec<(String, &'static Rule)> {
        let primary: [(&str, &'static Rule); 10] = [
            (&self.resource_group, &rules::RESOURCE_GROUP),
            (&self.key_vault, &rules::KEY_VAULT),
            (
                &self.log_analytics_workspace,
                &rules::LOG_ANALYTICS_WORKSPACE,
            ),
            (&self.application_insights, &rules::APPLICATION_INSIGHTS),
            (
                &self.machine_learning_workspace,
                &rules::MACHINE_LEARNING_WORKSPACE,
            ),
            (&self.storage_account, &rules::STORAGE_ACCOUNT),
            (&self.container_registry, &rules::CONTAINER_REGISTRY),
            (&self.virtual_network, &rules::VIRTUAL_NETWORK),
            (&self.workspace_identity, &rules::MANAGED_IDENTITY),
            (&self.compute_identity, &rules::MANAGED_IDENTITY),
        ];
        let mut all: Vec<(String, &'static Rule)> = primary
            .into_iter()
            .map(|(name, rule)| (name.to_owned(), rule))
            .collect();
        for subnet in [self.subnets.training, self.subnets.private_endpoints] {
            all.push((subnet.to_owned(), &rules::NETWORK_RESOURCE));
        }
        for deployment in [
            &self.deployments.network,
            &self.deployments.shared,
            &self.deployments.mlops,
        ] {
            all.push((deployment.clone(), &rules::DEPLOYMENT));
        }
        for (_, name, rule) in self.secondary() {
            all.push((name, rule));
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_caf_names_with_a_deployment_time_suffix() {
        let names = Names::derive("churn", "dev", None);
        assert_eq!(names.resource_group, "rg-churn-dev");
        assert_eq!(names.machine_learning_workspace, "mlw-churn-dev");
        assert_eq!(names.workspace_identity, "id-churn-dev");
        assert_eq!(names.prefixes.key_vault, "kv-churn-dev-");
        assert_eq!(names.prefixes.storage_account, "stchurndev");
        assert_eq!(names.key_vault, "kv-churn-dev-xxxx");
        assert_eq!(names.storage_account, "stchurndevxxxx");
        assert_eq!(names.container_registry, "crchurndevxxxx");
        assert_eq!(names.suffix, None);
        assert_eq!(SUFFIX_PLACEHOLDER.len(), SUFFIX_LENGTH);
        let chosen = Names::derive("churn", "dev", Some("x1"));
        assert_eq!(
            (chosen.key_vault.as_str(), chosen.storage_account.as_str()),
            ("kv-churn-dev-x1", "stchurndevx1")
        );
        assert_eq!(chosen.suffix.as_deref(), Some("x1"));
    }

    #[test]
    fn every_default_name_passes_its_rule() {
        for (name, rule) in Names::derive("churn", "dev", None).with_rules() {
            assert_eq!(rule.check_name(&name), Ok(()), "{name}");
        }
    }

    #[test]
    fn long_project_and_environment_break_the_key_vault_limit() {
        let names = Names::derive("abcdefghijkl", "abcdefgh", None);
        let err = rules::KEY_VAULT.check_name(&names.key_vault).unwrap_err();
        assert!(
            err.contains("is 29 characters long; Azure allows 3-24"),
            "{err}"
        );
        assert!(
            rules::STORAGE_ACCOUNT
                .check_name(&names.storage_account)
                .is_err()
        );
        assert!(
            rules::CONTAINER_REGISTRY
                .check_name(&names.container_registry)
                .is_ok()
        );
    }

    #[test]
    fn shapes_are_enforced() {
        assert!(rules::KEY_VAULT.check_name("kv--double").is_err());
        assert!(rules::KEY_VAULT.check_name("1kv-abc").is_err());
        assert!(rules::STORAGE_ACCOUNT.check_name("stAbc").is_err());
        assert!(rules::RESOURCE_GROUP.check_name("rg.").is_err());
        assert!(rules::APPLICATION_INSIGHTS.check_name("a/b").is_err());
    }
}

#[cfg(test)]
mod secondary_tests {
    use super::*;

    #[test]
    fn secondary_names_are_made_from_the_primary_ones() {
        let names = Names::derive("churn", "dev", None);
        let secondary: std::collections::BTreeMap<String, String> = names
            .secondary()
            .into_iter()
            .map(|(label, name, _)| (label, name))
            .collect();
        assert_eq!(
            secondary["key_vault_private_endpoint"],
            "pe-kv-churn-dev-xxxx-vault"
        );
        assert_eq!(secondary["training_nsg"], "nsg-vnet-churn-dev-training");
        assert_eq!(
            secondary["storage_blob_private_endpoint"],
            "pe-stchurndevxxxx-blob"
        );
        assert_eq!(
            secondary["storage_blob_diagnostic_setting"],
            "diag-stchurndevxxxx-blob"
        );
        assert_eq!(names.deployments.mlops, "churn-dev-ml");
        assert_eq!(
            secondary.len(),
            SECONDARY.len() + catalog::PRIVATE_ENDPOINTS.len() + catalog::DIAGNOSTICS.len()
        );
    }
}
