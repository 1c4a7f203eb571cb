//! The spec file (`mlgen.yaml`) exactly as a user writes it.
//!
//! These types mirror the YAML one to one: every field a user may leave out is an `Option`, and
//! no defaults are applied here (that is `model`'s job), so the JSON Schema generated from them
//! with schemars documents precisely what may be written. Unknown keys are rejected both by serde
//! (`deny_unknown_fields`) and by the schema (`additionalProperties: false`). Patterns and ranges
//! come from the rule catalog in [`crate::rules`], which the validator, the error messages and the
//! Terraform and Bicep output share.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::rules;

pub mod pipelines;

/// The root of `mlgen.yaml`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "mlgen spec", extend("$id" = rules::SCHEMA_ID))]
pub struct Spec {
    /// Version of the spec format. Must be 1.
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// The project every resource belongs to.
    pub project: Project,
    /// Which infrastructure-as-code languages to generate (default: `[terraform]`).
    #[schemars(length(min = 1), extend("uniqueItems" = true))]
    pub targets: Option<Vec<Target>>,
    /// Output folders, relative to the output directory.
    pub layout: Option<Layout>,
    /// Resources shared by several modules: Key Vault, Log Analytics, Application Insights.
    pub shared: Option<Shared>,
    /// The Machine Learning workspace and its storage, registry and compute.
    pub mlops: Option<Mlops>,
    /// Networking.
    pub network: Option<Network>,
    /// A team template folder layered over the built-in templates, relative to this file
    /// (`--templates` on the command line takes precedence).
    pub templates: Option<String>,
    /// Terraform settings.
    pub terraform: Option<TerraformSettings>,
    /// Object IDs of the users or groups that administer the workspace (granted
    /// `AzureML Data Scientist` on it).
    #[schemars(length(max = 100), inner(regex(pattern = rules::OBJECT_ID.schema_pattern())))]
    pub admins: Option<Vec<String>>,
    /// Environments to render variable files for (default: `[project.environment]`). Each gets
    /// `main/<env>.tfvars`, `main/<env>.bicepparam` and, with `backend`, `main/<env>.backend.hcl`.
    #[schemars(length(min = 1, max = 20), extend("uniqueItems" = true), inner(regex(pattern = rules::ENVIRONMENT.schema_pattern())))]
    pub environments: Option<Vec<String>>,
    /// Per-environment changes to the base spec, keyed by environment name.
    pub overrides: Option<BTreeMap<String, EnvironmentOverride>>,
    /// Remote Terraform state in an Azure storage account, one state file per environment.
    pub backend: Option<Backend>,
    /// Free-form values for team templates (`{{ extra.cost_center }}`). A team folder may ship
    /// `extra.schema.json`, a JSON Schema that `extra` is then validated against.
    pub extra: Option<serde_json::Map<String, serde_json::Value>>,
    /// Delivery pipelines (GitHub Actions, Azure Pipelines) that check, plan and deploy the
    /// rendered infrastructure per environment, signing in without secrets.
    pub pipelines: Option<pipelines::Pipelines>,
}

/// Project identity: used in every resource name and tag.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// Short project name, part of every resource name: 2-12 lowercase letters and digits,
    /// starting with a letter.
    #[schemars(regex(pattern = rules::PROJECT_NAME.schema_pattern()))]
    pub name: String,
    /// Environment name (default `dev`): 1-8 lowercase letters and digits, starting with a letter.
    #[schemars(regex(pattern = rules::ENVIRONMENT.schema_pattern()))]
    pub environment: Option<String>,
    /// Azure region (default `westeurope`), e.g. `westeurope`, `eastus2`.
    #[schemars(regex(pattern = rules::LOCATION.schema_pattern()))]
    pub location: Option<String>,
    /// Tags added to every taggable resource (default `{}`). Values may hold any character;
    /// names may not hold `< > % & \ ? /`.
    pub tags: Option<BTreeMap<String, String>>,
    /// Suffix of the globally unique names (storage account, Key Vault, container registry):
    /// 1-8 lowercase letters and digits. Default: 4 characters hashed from name and
    /// environment. Set it when one of those names is already taken in Azure.
    #[schemars(regex(pattern = rules::GLOBAL_NAME_SUFFIX.schema_pattern()))]
    pub suffix: Option<String>,
}

/// An enum of the spec with the spelling Azure (and so every generated file) uses for it; the
/// model keeps the enum and serialises it with [`azure_name`](AzureName::azure_name).
pub trait AzureName: Copy {
    /// Azure's spelling.
    fn azure_name(self) -> &'static str;
}

/// An output language: `terraform` (Terraform with the azurerm provider) or `bicep`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)] // variant docs would turn the schema's `enum` into a `oneOf`
pub enum Target {
    Terraform,
    Bicep,
}

impl Target {
    /// Every target.
    pub const ALL: [Self; 2] = [Self::Terraform, Self::Bicep];

    /// The name used in specs, on the command line and as the template folder.
    pub fn name(self) -> &'static str {
        match self {
            Self::Terraform => "terraform",
            Self::Bicep => "bicep",
        }
    }
}

/// Output folders, each relative to the output directory.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Folder of the shared module (default `infrastructure/shared`).
    pub shared: Option<String>,
    /// Folder of the mlops module (default `infrastructure/mlops`).
    pub mlops: Option<String>,
    /// Folder of the root module that wires both (default `main`).
    pub main: Option<String>,
    /// Folder of the network module, rendered with private endpoints (default
    /// `infrastructure/network`).
    pub network: Option<String>,
}

/// Shared resources.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Shared {
    /// Key Vault settings.
    pub key_vault: Option<KeyVault>,
    /// Log Analytics workspace settings.
    pub log_analytics: Option<LogAnalytics>,
    /// Application Insights settings.
    pub application_insights: Option<ApplicationInsights>,
}

/// Key Vault settings.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyVault {
    /// Pricing tier (default `standard`).
    pub sku: Option<KeyVaultSku>,
    /// Purge protection (default `true`). Once enabled Azure never lets it be turned off.
    pub purge_protection: Option<bool>,
    /// Days a deleted vault stays recoverable (default 90).
    #[schemars(range(min = rules::KEY_VAULT_RETENTION_DAYS.min_value(), max = rules::KEY_VAULT_RETENTION_DAYS.max_value()))]
    pub soft_delete_retention_days: Option<u32>,
}

/// Key Vault pricing tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum KeyVaultSku {
    Standard,
    Premium,
}

impl AzureName for KeyVaultSku {
    fn azure_name(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Premium => "premium",
        }
    }
}

/// Log Analytics workspace settings.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogAnalytics {
    /// Days logs are kept (default 30).
    #[schemars(range(min = rules::LOG_ANALYTICS_RETENTION_DAYS.min_value(), max = rules::LOG_ANALYTICS_RETENTION_DAYS.max_value()))]
    pub retention_days: Option<u32>,
}

/// Application Insights settings.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationInsights {
    /// Application type (default `web`).
    pub application_type: Option<ApplicationType>,
}

/// Application Insights application type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum ApplicationType {
    Web,
    Other,
}

impl AzureName for ApplicationType {
    fn azure_name(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Other => "other",
        }
    }
}

/// The Machine Learning side.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mlops {
    /// Machine Learning workspace settings.
    pub workspace: Option<Workspace>,
    /// Storage account settings.
    pub storage_account: Option<StorageAccount>,
    /// Container registry settings.
    pub container_registry: Option<ContainerRegistry>,
    /// Compute clusters (default: one `cpu-cluster`; `[]` means none). At most 1000.
    #[schemars(length(max = rules::MAX_COMPUTE))]
    pub compute_clusters: Option<Vec<ComputeCluster>>,
    /// Compute instances (personal development VMs; default none). At most 1000.
    #[schemars(length(max = rules::MAX_COMPUTE))]
    pub compute_instances: Option<Vec<ComputeInstance>>,
}

/// Machine Learning workspace settings.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Workspace {
    /// Whether the workspace is reachable from the public internet (default: `true` unless
    /// `network.private_endpoints` or `network.external_private_access` gives clients another
    /// way in). `false` with neither of them locks every client out and is refused.
    pub public_network_access: Option<bool>,
    /// High business impact: less diagnostic data collected by Microsoft (default `false`).
    pub high_business_impact: Option<bool>,
}

/// Storage account settings.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StorageAccount {
    /// Replication (default `ZRS`).
    pub replication: Option<Replication>,
}

/// Storage replication type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[allow(missing_docs, clippy::upper_case_acronyms)]
pub enum Replication {
    LRS,
    ZRS,
    GRS,
    GZRS,
    RAGRS,
    RAGZRS,
}

impl Replication {
    /// True for the zone-redundant types, which need a region with availability zones.
    pub fn is_zone_redundant(self) -> bool {
        matches!(self, Self::ZRS | Self::GZRS | Self::RAGZRS)
    }
}

impl AzureName for Replication {
    /// `account_replication_type`.
    fn azure_name(self) -> &'static str {
        match self {
            Self::LRS => "LRS",
            Self::ZRS => "ZRS",
            Self::GRS => "GRS",
            Self::GZRS => "GZRS",
            Self::RAGRS => "RAGRS",
            Self::RAGZRS => "RAGZRS",
        }
    }
}

/// Container registry settings.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainerRegistry {
    /// Registry tier (default `Premium`; Premium is needed for private endpoints).
    pub sku: Option<RegistrySku>,
}

/// Container registry tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[allow(missing_docs)]
pub enum RegistrySku {
    Basic,
    Standard,
    Premium,
}

impl AzureName for RegistrySku {
    fn azure_name(self) -> &'static str {
        match self {
            Self::Basic => "Basic",
            Self::Standard => "Standard",
            Self::Premium => "Premium",
        }
    }
}

/// One Azure ML compute cluster.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComputeCluster {
    /// Cluster name: 3-32 letters, digits and hyphens, starting with a letter and ending with a
    /// letter or digit; unique within the spec.
    #[schemars(regex(pattern = rules::CLUSTER_NAME.schema_pattern()))]
    pub name: String,
    /// Azure VM size (default `Standard_DS3_v2`).
    #[schemars(regex(pattern = rules::VM_SIZE.schema_pattern()))]
    pub vm_size: Option<String>,
    /// VM priority (default `dedicated`).
    pub vm_priority: Option<VmPriority>,
    /// Nodes kept running when idle (default 0).
    #[schemars(range(min = rules::MIN_NODES.min_value(), max = rules::MIN_NODES.max_value()))]
    pub min_nodes: Option<u32>,
    /// Upper bound of the autoscaler (default 4); at least 1 and at least `min_nodes`.
    #[schemars(range(min = rules::MAX_NODES.min_value(), max = rules::MAX_NODES.max_value()))]
    pub max_nodes: Option<u32>,
    /// Idle time before a node is released, in seconds (default 120, at least 60).
    #[schemars(range(min = rules::IDLE_SECONDS.min_value(), max = rules::IDLE_SECONDS.max_value()))]
    pub idle_seconds_before_scale_down: Option<u32>,
}

/// Compute cluster VM priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum VmPriority {
    Dedicated,
    LowPriority,
}

impl AzureName for VmPriority {
    fn azure_name(self) -> &'static str {
        match self {
            Self::Dedicated => "Dedicated",
            Self::LowPriority => "LowPriority",
        }
    }
}

/// One Azure ML compute instance.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComputeInstance {
    /// Instance name: 3-24 letters, digits and hyphens, starting with a letter; unique in the
    /// region.
    #[schemars(regex(pattern = rules::INSTANCE_NAME.schema_pattern()))]
    pub name: String,
    /// Azure VM size (default `Standard_DS3_v2`).
    #[schemars(regex(pattern = rules::VM_SIZE.schema_pattern()))]
    pub vm_size: Option<String>,
    /// Object ID of the user the instance is assigned to.
    #[schemars(regex(pattern = rules::OBJECT_ID.schema_pattern()))]
    pub assigned_user: Option<String>,
}

/// Terraform settings.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TerraformSettings {
    /// The azurerm major to write for where no form is valid on both 4.x and 5.x (private DNS
    /// zone links): 4 or 5 (default 5). Without private networking the output works on both.
    #[schemars(range(min = 4, max = 5))]
    pub azurerm_major: Option<u32>,
}

/// What one environment changes.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentOverride {
    /// Cluster changes keyed by cluster name.
    pub compute_clusters: Option<BTreeMap<String, ClusterOverride>>,
    /// Network ranges.
    pub network: Option<NetworkOverride>,
    /// Production environment (default: `true` for `prod`, `production`, `prd` and `live`).
    /// `terraform destroy` of a non-production environment purges the soft-deleted workspace
    /// and deletes the resource group with what Azure created in it, so the same spec applies
    /// again; a production environment keeps both safety nets.
    pub production: Option<bool>,
}

/// Cluster settings an environment may change.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterOverride {
    /// Azure VM size.
    #[schemars(regex(pattern = rules::VM_SIZE.schema_pattern()))]
    pub vm_size: Option<String>,
    /// Nodes kept running when idle.
    #[schemars(range(min = rules::MIN_NODES.min_value(), max = rules::MIN_NODES.max_value()))]
    pub min_nodes: Option<u32>,
    /// Upper bound of the autoscaler.
    #[schemars(range(min = rules::MAX_NODES.min_value(), max = rules::MAX_NODES.max_value()))]
    pub max_nodes: Option<u32>,
}

/// Network ranges an environment may change.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkOverride {
    /// Address space of the `VNet`.
    #[schemars(regex(pattern = rules::IPV4_CIDR.schema_pattern()))]
    pub address_space: Option<String>,
    /// Training subnet.
    #[schemars(regex(pattern = rules::IPV4_CIDR.schema_pattern()))]
    pub training_subnet: Option<String>,
    /// Private-endpoint subnet.
    #[schemars(regex(pattern = rules::IPV4_CIDR.schema_pattern()))]
    pub private_endpoint_subnet: Option<String>,
}

/// Remote state settings (Terraform's azurerm backend).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Backend {
    /// Resource group of the state storage account.
    #[schemars(regex(pattern = rules::RESOURCE_GROUP.schema_pattern()))]
    pub resource_group_name: String,
    /// Storage account holding the state.
    #[schemars(regex(pattern = rules::STORAGE_ACCOUNT.schema_pattern()))]
    pub storage_account_name: String,
    /// Blob container (default `tfstate`).
    #[schemars(regex(pattern = rules::STORAGE_CONTAINER.schema_pattern()))]
    pub container_name: Option<String>,
}

/// Networking settings.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Private endpoints and a `VNet` for every service (default `false`).
    pub private_endpoints: Option<bool>,
    /// Address space of the `VNet` as an IPv4 CIDR (default `10.0.0.0/16`).
    #[schemars(regex(pattern = rules::IPV4_CIDR.schema_pattern()))]
    pub address_space: Option<String>,
    /// Subnet for compute (default: the first /24 of the address space).
    #[schemars(regex(pattern = rules::IPV4_CIDR.schema_pattern()))]
    pub training_subnet: Option<String>,
    /// Subnet for private endpoints (default: the second /24 of the address space).
    #[schemars(regex(pattern = rules::IPV4_CIDR.schema_pattern()))]
    pub private_endpoint_subnet: Option<String>,
    /// Clients reach the workspace through private endpoints or another private path that
    /// mlgen does not manage (default `false`): then a workspace without public access and
    /// without `private_endpoints` is accepted, and storage stays closed to public networks.
    pub external_private_access: Option<bool>,
}
