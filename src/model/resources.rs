//! The model's parts, one per resource or concern: plain values with every default applied,
//! spec enums kept as enums (serialised in Azure's spelling) and the decisions that follow
//! from them as flags, so templates only spell out syntax. Leaf types: they depend on the spec
//! and on nothing else in the model.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use crate::cidr::Cidr;
use crate::spec::{self, AzureName};

/// Serialises a spec enum the way Azure spells it.
fn azure<S: Serializer, T: AzureName>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value.azure_name())
}

/// Project identity.
#[derive(Debug, Clone, Serialize)]
pub struct Project {
    /// Project name.
    pub name: String,
    /// Environment name.
    pub environment: String,
    /// Azure region.
    pub location: String,
    /// mlgen's standard tags merged with the spec's (the spec wins on a clash).
    pub tags: BTreeMap<String, String>,
}

/// Relative module paths from the main folder.
#[derive(Debug, Clone, Serialize)]
pub struct Sources {
    /// To the shared module.
    pub shared: String,
    /// To the mlops module.
    pub mlops: String,
    /// To the network module.
    pub network: String,
}

/// Key Vault settings.
#[derive(Debug, Clone, Serialize)]
pub struct KeyVault {
    /// `standard` or `premium`.
    #[serde(serialize_with = "azure")]
    pub sku: spec::KeyVaultSku,
    /// Purge protection.
    pub purge_protection: bool,
    /// Soft-delete retention in days.
    pub soft_delete_retention_days: u32,
}

/// Log Analytics settings.
#[derive(Debug, Clone, Serialize)]
pub struct LogAnalytics {
    /// Retention in days.
    pub retention_days: u32,
}

/// Application Insights settings.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationInsights {
    /// `web` or `other`.
    #[serde(serialize_with = "azure")]
    pub application_type: spec::ApplicationType,
}

/// Machine Learning workspace settings.
#[derive(Debug, Clone, Serialize)]
pub struct Workspace {
    /// Public network access.
    pub public_network_access: bool,
    /// High business impact.
    pub high_business_impact: bool,
}

/// Storage account settings.
#[derive(Debug, Clone, Serialize)]
pub struct StorageAccount {
    /// `LRS`, `ZRS`, …
    #[serde(serialize_with = "azure")]
    pub replication: spec::Replication,
    /// The SKU name Bicep spells out: `Standard_` and the replication.
    pub sku_name: String,
    /// Zone-redundant replication (needs a region with availability zones).
    pub zone_redundant: bool,
    /// Reachable from public networks: only when the workspace is and no private endpoint
    /// serves it, because Studio in the user's browser reads and writes it directly.
    pub public_network_access: bool,
}

/// Container registry settings.
#[derive(Debug, Clone, Serialize)]
pub struct ContainerRegistry {
    /// `Basic`, `Standard` or `Premium`.
    #[serde(serialize_with = "azure")]
    pub sku: spec::RegistrySku,
    /// Premium: the tier that can refuse public access and take dedicated data endpoints,
    /// retention, disabled exports and zone redundancy (Azure rejects them below it).
    pub premium: bool,
    /// Zone redundancy: Premium in a region with availability zones.
    pub zone_redundant: bool,
}

/// One compute cluster.
#[derive(Debug, Clone, Serialize)]
pub struct ComputeCluster {
    /// Cluster name.
    pub name: String,
    /// VM size.
    pub vm_size: String,
    /// `Dedicated` or `LowPriority` (Azure's spelling).
    #[serde(serialize_with = "azure")]
    pub vm_priority: spec::VmPriority,
    /// Minimum nodes.
    pub min_nodes: u32,
    /// Maximum nodes.
    pub max_nodes: u32,
    /// Idle seconds before scale-down.
    pub idle_seconds_before_scale_down: u32,
}

/// Network settings.
#[derive(Debug, Clone, Serialize)]
pub struct Network {
    /// Private endpoints on.
    pub private_endpoints: bool,
    /// `VNet` address space.
    pub address_space: String,
    /// Subnet for compute; `None` when the address space is too small for the two default
    /// subnets (the validator reports that, so a rendered model always has one).
    pub training_subnet: Option<String>,
    /// Subnet for private endpoints; `None` as for `training_subnet`.
    pub private_endpoint_subnet: Option<String>,
    /// Clients reach the workspace through a private path mlgen does not manage.
    pub external_private_access: bool,
}

impl Network {
    /// This network with other ranges; subnets not given are derived from the address space
    /// when it changes.
    #[must_use]
    pub fn with_ranges(
        &self,
        address_space: Option<&str>,
        training: Option<&str>,
        endpoints: Option<&str>,
    ) -> Self {
        let space = address_space.unwrap_or(&self.address_space);
        let (default_training, default_endpoints) = if address_space.is_some() {
            default_subnets(space)
        } else {
            (
                self.training_subnet.clone(),
                self.private_endpoint_subnet.clone(),
            )
        };
        Self {
            private_endpoints: self.private_endpoints,
            external_private_access: self.external_private_access,
            address_space: space.to_owned(),
            training_subnet: training.map(str::to_owned).or(default_training),
            private_endpoint_subnet: endpoints.map(str::to_owned).or(default_endpoints),
        }
    }
}

/// The first two subnets of `space`; `None` when it cannot be parsed or split (the validator
/// reports that).
pub(crate) fn default_subnets(space: &str) -> (Option<String>, Option<String>) {
    Cidr::parse(space)
        .ok()
        .and_then(Cidr::default_subnets)
        .map_or((None, None), |(a, b)| {
            (Some(a.to_string()), Some(b.to_string()))
        })
}

/// One compute instance.
#[derive(Debug, Clone, Serialize)]
pub struct ComputeInstance {
    /// Instance name.
    pub name: String,
    /// VM size.
    pub vm_size: String,
    /// Object ID of the assigned user.
    pub assigned_user: Option<String>,
}

/// Terraform settings.
#[derive(Debug, Clone, Serialize)]
pub struct Terraform {
    /// The azurerm major the major-specific forms are written for (4 or 5).
    pub azurerm_major: u32,
    /// The `required_providers` constraint: both majors unless the spec names one or a
    /// major-specific form is used.
    pub azurerm_version: String,
    /// The workspace's default datastores use Entra ID (`storage_account_access_type =
    /// "Identity"`) and the storage account's shared keys are off. azurerm added the argument
    /// in 4.77, so only a pin that excludes 4.55 can use it.
    pub identity_storage: bool,
}

impl ComputeCluster {
    pub(crate) fn from_spec(c: &spec::ComputeCluster) -> Self {
        Self {
            name: c.name.clone(),
            vm_size: c
                .vm_size
                .clone()
                .unwrap_or_else(|| super::DEFAULT_VM_SIZE.to_owned()),
            vm_priority: c.vm_priority.unwrap_or(spec::VmPriority::Dedicated),
            min_nodes: c.min_nodes.unwrap_or(super::DEFAULT_MIN_NODES),
            max_nodes: c.max_nodes.unwrap_or(super::DEFAULT_MAX_NODES),
            idle_seconds_before_scale_down: c
                .idle_seconds_before_scale_down
                .unwrap_or(super::DEFAULT_IDLE_SECONDS),
        }
    }

    pub(crate) fn default_cluster() -> Self {
        Self::from_spec(&spec::ComputeCluster {
            name: super::DEFAULT_CLUSTER_NAME.to_owned(),
            vm_size: None,
            vm_priority: None,
            min_nodes: None,
            max_nodes: None,
            idle_seconds_before_scale_down: None,
        })
    }
}
