//! The resolved model: a validated [`Spec`] with every default applied, every name derived and
//! every value spelled the way Azure spells it. Templates of every target read only this.
//!
//! Building the model never fails and never panics, even for a spec that breaks a semantic rule:
//! the validator builds it once, checks the derived names and values on it, and hands it on
//! to rendering. [`resources`] holds the per-resource parts, [`environments`] what differs per
//! environment; this module puts them together.

mod environments;
pub mod pipelines;
mod resources;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::layout;
pub use crate::layout::Layout;
use crate::naming::Names;
use crate::rules;
use crate::spec::{self, AzureName, Spec};

pub use environments::{Backend, Environment, PRODUCTION_NAMES, listed as listed_environments};
pub use resources::{
    ApplicationInsights, ComputeCluster, ComputeInstance, ContainerRegistry, KeyVault,
    LogAnalytics, Network, Project, Sources, StorageAccount, Terraform, Workspace,
};

/// Default environment.
pub const DEFAULT_ENVIRONMENT: &str = "dev";
/// Default Azure region.
pub const DEFAULT_LOCATION: &str = "westeurope";
/// Default `min_nodes` of a compute cluster.
pub const DEFAULT_MIN_NODES: u32 = 0;
/// Default `max_nodes` of a compute cluster.
pub const DEFAULT_MAX_NODES: u32 = 4;
/// Default VM size of a compute cluster.
pub const DEFAULT_VM_SIZE: &str = "Standard_DS3_v2";
/// Default idle time before scale-down, in seconds.
pub const DEFAULT_IDLE_SECONDS: u32 = 120;
/// Name of the cluster a spec gets when it says nothing about compute clusters.
pub const DEFAULT_CLUSTER_NAME: &str = "cpu-cluster";

/// Everything the templates need.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    /// Project identity and tags.
    pub project: Project,
    /// Output languages, sorted, without repeats.
    pub targets: Vec<spec::Target>,
    /// Output folders, normalised.
    pub layout: Layout,
    /// Module `source` paths from the main folder.
    pub sources: Sources,
    /// Derived Azure resource names.
    pub names: Names,
    /// Key Vault settings.
    pub key_vault: KeyVault,
    /// Log Analytics settings.
    pub log_analytics: LogAnalytics,
    /// Application Insights settings.
    pub application_insights: ApplicationInsights,
    /// Machine Learning workspace settings.
    pub workspace: Workspace,
    /// Storage account settings.
    pub storage_account: StorageAccount,
    /// Container registry settings.
    pub container_registry: ContainerRegistry,
    /// Compute clusters, in spec order.
    pub compute_clusters: Vec<ComputeCluster>,
    /// Network settings.
    pub network: Network,
    /// The spec's free-form `extra` values, for team templates.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Every environment to write variable files for, the base environment first.
    pub environments: Vec<Environment>,
    /// True when the spec lists `environments` (then each gets its own Bicep parameter file).
    pub has_environments: bool,
    /// Compute instances.
    pub compute_instances: Vec<ComputeInstance>,
    /// Object IDs granted access to the workspace.
    pub admins: Vec<String>,
    /// Terraform settings.
    pub terraform: Terraform,
    /// The compute cluster that builds environment images (the registry accepts no public
    /// traffic, so its own build agents cannot): the first dedicated cluster, if any, since
    /// a low-priority node can be preempted in the middle of a build.
    pub image_build_compute: Option<String>,
    /// Delivery pipelines, when the spec has a `pipelines` section.
    pub pipelines: Option<pipelines::Pipelines>,
}

impl Model {
    /// Applies defaults and derives names. Infallible: see the module docs.
    pub fn from_spec(spec: &Spec) -> Self {
        let p = &spec.project;
        let environment =
            environments::base_name(spec).unwrap_or_else(|| DEFAULT_ENVIRONMENT.to_owned());
        let mut tags = BTreeMap::from([
            ("environment".to_owned(), environment.clone()),
            ("managed-by".to_owned(), "mlgen".to_owned()),
            ("project".to_owned(), p.name.clone()),
        ]);
        tags.extend(p.tags.clone().unwrap_or_default());

        let mut targets = spec
            .targets
            .clone()
            .unwrap_or_else(|| vec![spec::Target::Terraform]);
        targets.sort();
        targets.dedup();

        let raw = raw_layout(spec);
        let layout = Layout {
            shared: layout::normalize(&raw.shared),
            mlops: layout::normalize(&raw.mlops),
            main: layout::normalize(&raw.main),
            network: layout::normalize(&raw.network),
        };
        let sources = Sources {
            shared: layout::relative_path(&layout.main, &layout.shared),
            mlops: layout::relative_path(&layout.main, &layout.mlops),
            network: layout::relative_path(&layout.main, &layout.network),
        };

        let shared = spec.shared.as_ref();
        let kv = shared.and_then(|s| s.key_vault.as_ref());
        let mlops = spec.mlops.as_ref();
        let clusters = match mlops.and_then(|m| m.compute_clusters.as_ref()) {
            Some(list) => list.iter().map(ComputeCluster::from_spec).collect(),
            None => vec![ComputeCluster::default_cluster()],
        };

        let location = p
            .location
            .clone()
            .unwrap_or_else(|| DEFAULT_LOCATION.to_owned());
        let sku = mlops
            .and_then(|m| m.container_registry.as_ref())
            .and_then(|c| c.sku)
            .unwrap_or(spec::RegistrySku::Premium);
        let replication = mlops
            .and_then(|m| m.storage_account.as_ref())
            .and_then(|s| s.replication)
            .unwrap_or(spec::Replication::ZRS);
        let network_spec = spec.network.as_ref();
        let address_space = network_spec
            .and_then(|n| n.address_space.clone())
            .unwrap_or_else(|| "10.0.0.0/16".to_owned());
        let (training, endpoints) = resources::default_subnets(&address_space);
        let network = Network {
            private_endpoints: network_spec
                .and_then(|n| n.private_endpoints)
                .unwrap_or(false),
            external_private_access: network_spec
                .and_then(|n| n.external_private_access)
                .unwrap_or(false),
            address_space,
            training_subnet: network_spec
                .and_then(|n| n.training_subnet.clone())
                .or(training),
            private_endpoint_subnet: network_spec
                .and_then(|n| n.private_endpoint_subnet.clone())
                .or(endpoints),
        };
        let named_major = spec.terraform.as_ref().and_then(|t| t.azurerm_major);
        let azurerm_major = named_major.unwrap_or(5);
        // Private DNS zone links have no form valid on both majors; without them, and unless
        // the spec names a major, stay open to both.
        let single_major = named_major.is_some() || network.private_endpoints;
        let azurerm_version = match (single_major, azurerm_major) {
            (false, _) => ">= 4.55, < 6.0",
            (true, 4) => ">= 4.55, < 5.0",
            (true, _) => ">= 5.0, < 6.0",
        }
        .to_owned();
        let workspace_spec = mlops.and_then(|m| m.workspace.as_ref());
        // Open by default unless clients have a private way in (contract extension, issue 10:
        // a workspace nobody can reach is of no use; the validator refuses that combination).
        let workspace_public = workspace_spec
            .and_then(|w| w.public_network_access)
            .unwrap_or(!network.private_endpoints && !network.external_private_access);
        let mut model = Self {
            names: Names::derive(&p.name, &environment, p.suffix.as_deref()),
            project: Project {
                name: p.name.clone(),
                environment,
                location: location.clone(),
                tags,
            },
            targets,
            layout,
            sources,
            key_vault: KeyVault {
                sku: kv
                    .and_then(|k| k.sku)
                    .unwrap_or(spec::KeyVaultSku::Standard),
                purge_protection: kv.and_then(|k| k.purge_protection).unwrap_or(true),
                soft_delete_retention_days: kv
                    .and_then(|k| k.soft_delete_retention_days)
                    .unwrap_or(90),
            },
            log_analytics: LogAnalytics {
                retention_days: shared
                    .and_then(|s| s.log_analytics.as_ref())
                    .and_then(|l| l.retention_days)
                    .unwrap_or(30),
            },
            application_insights: ApplicationInsights {
                application_type: shared
                    .and_then(|s| s.application_insights.as_ref())
                    .and_then(|a| a.application_type)
                    .unwrap_or(spec::ApplicationType::Web),
            },
            workspace: Workspace {
                public_network_access: workspace_public,
                high_business_impact: workspace_spec
                    .and_then(|w| w.high_business_impact)
                    .unwrap_or(false),
            },
            storage_account: StorageAccount {
                sku_name: format!("Standard_{}", replication.azure_name()),
                zone_redundant: replication.is_zone_redundant(),
                replication,
                public_network_access: workspace_public && !network.private_endpoints,
            },
            container_registry: ContainerRegistry {
                premium: sku == spec::RegistrySku::Premium,
                zone_redundant: sku == spec::RegistrySku::Premium
                    && rules::has_availability_zones(&location),
                sku,
            },
            compute_clusters: clusters,
            extra: spec.extra.clone().unwrap_or_default(),
            network: network.clone(),
            has_environments: spec.environments.is_some(),
            compute_instances: mlops
                .and_then(|m| m.compute_instances.as_ref())
                .into_iter()
                .flatten()
                .map(|i| ComputeInstance {
                    name: i.name.clone(),
                    vm_size: i
                        .vm_size
                        .clone()
                        .unwrap_or_else(|| DEFAULT_VM_SIZE.to_owned()),
                    assigned_user: i.assigned_user.clone(),
                })
                .collect(),
            admins: spec.admins.clone().unwrap_or_default(),
            terraform: Terraform {
                identity_storage: single_major && azurerm_major == 5,
                azurerm_major,
                azurerm_version,
            },
            environments: Vec::new(),
            image_build_compute: None,
            pipelines: None,
        };
        model.image_build_compute = model
            .compute_clusters
            .iter()
            .find(|c| c.vm_priority == spec::VmPriority::Dedicated)
            .map(|c| c.name.clone());
        model.environments = environments::environments(
            spec,
            &model.project,
            &model.compute_clusters,
            &model.network,
        );
        model.pipelines = pipelines::Pipelines::from_spec(
            spec,
            &model.project.name,
            &model.layout.main,
            &model.targets,
            model.has_environments,
        );
        model
    }
}

/// The layout with defaults applied but not normalised: what the validator checks.
pub fn raw_layout(spec: &Spec) -> Layout {
    let l = spec.layout.as_ref();
    let pick = |v: Option<&String>, default: &str| v.cloned().unwrap_or_else(|| default.to_owned());
    Layout {
        shared: pick(l.and_then(|l| l.shared.as_ref()), layout::DEFAULT_SHARED),
        mlops: pick(l.and_then(|l| l.mlops.as_ref()), layout::DEFAULT_MLOPS),
        main: pick(l.and_then(|l| l.main.as_ref()), layout::DEFAULT_MAIN),
        network: pick(l.and_then(|l| l.network.as_ref()), layout::DEFAULT_NETWORK),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> Spec {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn applies_contract_defaults() {
        let m = Model::from_spec(&spec("version: 1\nproject: {name: churn}\n"));
        assert_eq!(m.project.environment, "dev");
        assert_eq!(m.project.location, "westeurope");
        assert_eq!(m.layout.main, "main");
        assert_eq!(m.sources.shared, "../infrastructure/shared");
        assert_eq!(m.key_vault.sku, spec::KeyVaultSku::Standard);
        assert!(m.key_vault.purge_protection);
        assert_eq!(m.key_vault.soft_delete_retention_days, 90);
        assert_eq!(m.log_analytics.retention_days, 30);
        assert_eq!(m.storage_account.replication, spec::Replication::ZRS);
        assert_eq!(m.storage_account.sku_name, "Standard_ZRS");
        assert!(m.storage_account.zone_redundant && m.container_registry.premium);
        assert_eq!(m.container_registry.sku, spec::RegistrySku::Premium);
        assert!(m.workspace.public_network_access);
        assert!(m.storage_account.public_network_access);
        assert_eq!(m.terraform.azurerm_version, ">= 4.55, < 6.0");
        assert!(!m.terraform.identity_storage);
        assert_eq!(m.image_build_compute.as_deref(), Some("cpu-cluster"));
        assert_eq!(m.compute_clusters.len(), 1);
        assert_eq!(m.compute_clusters[0].name, "cpu-cluster");
        assert_eq!(
            m.compute_clusters[0].vm_priority,
            spec::VmPriority::Dedicated
        );
        assert_eq!(m.targets, vec![spec::Target::Terraform]);
    }

    #[test]
    fn private_paths_close_the_workspace_and_a_named_major_pins_it() {
        let m = Model::from_spec(&spec(
            "version: 1\nproject: {name: churn}\nnetwork: {private_endpoints: true}\n",
        ));
        assert!(!m.workspace.public_network_access);
        assert!(!m.storage_account.public_network_access);
        assert!(m.terraform.identity_storage);
        let m = Model::from_spec(&spec(
            "version: 1\nproject: {name: churn}\nnetwork: {external_private_access: true}\n",
        ));
        assert!(!m.workspace.public_network_access);
        assert!(!m.storage_account.public_network_access);
        let m = Model::from_spec(&spec(
            "version: 1\nproject: {name: churn}\nterraform: {azurerm_major: 5}\n",
        ));
        assert_eq!(m.terraform.azurerm_version, ">= 5.0, < 6.0");
        assert!(m.terraform.identity_storage);
        let m = Model::from_spec(&spec(
            "version: 1\nproject: {name: churn}\nterraform: {azurerm_major: 4}\n",
        ));
        assert_eq!(m.terraform.azurerm_version, ">= 4.55, < 5.0");
        assert!(!m.terraform.identity_storage);
    }

    #[test]
    fn images_build_on_the_first_dedicated_cluster_and_prod_is_production() {
        let m = Model::from_spec(&spec(
            "version: 1\nproject: {name: churn}\nenvironments: [dev, prod]\nmlops:\n  compute_clusters:\n    - {name: spot, vm_priority: low_priority}\n    - {name: steady}\n",
        ));
        assert_eq!(m.image_build_compute.as_deref(), Some("steady"));
        let production: Vec<bool> = m.environments.iter().map(|e| e.production).collect();
        assert_eq!(production, [false, true]);
        let m = Model::from_spec(&spec(
            "version: 1\nproject: {name: churn}\nmlops:\n  compute_clusters:\n    - {name: spot, vm_priority: low_priority}\n",
        ));
        assert_eq!(m.image_build_compute, None);
    }

    #[test]
    fn empty_cluster_list_means_none_and_spec_tags_win() {
        let m = Model::from_spec(&spec(
            "version: 1\nproject: {name: churn, tags: {project: other, owner: me}}\nmlops: {compute_clusters: []}\n",
        ));
        assert!(m.compute_clusters.is_empty());
        assert_eq!(m.project.tags["project"], "other");
        assert_eq!(m.project.tags["owner"], "me");
        assert_eq!(m.project.tags["managed-by"], "mlgen");
    }
}
