//! What every target creates beyond the spec's own resources, described once: the role
//! assignments (each scoped to one resource, each with the Microsoft page that asks for it),
//! the private endpoints, the Studio CORS rules and the diagnostic settings. Each
//! entry names the resource it concerns by kind (`storage`, `registry`, …); the templates of
//! each target turn that kind into their own reference, so Terraform and Bicep can never
//! disagree on which roles, endpoints or logs exist.

use serde::Serialize;

/// A resource the catalog's entries refer to. Each target spells its own reference to it
/// (`render::terraform`, `render::bicep`), so an entry names the resource once for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The Machine Learning workspace.
    Workspace,
    /// The storage account.
    Storage,
    /// The storage account's blob service.
    Blob,
    /// The container registry.
    Registry,
    /// The Key Vault (from the shared module).
    KeyVault,
    /// The Application Insights component (from the shared module).
    AppInsights,
    /// The storage account's blob private endpoint.
    StorageBlobEndpoint,
    /// The storage account's file private endpoint.
    StorageFileEndpoint,
    /// The virtual network (network module).
    VirtualNetwork,
}

/// One role granted to an identity on a resource.
#[derive(Debug, Clone, Serialize)]
pub struct RoleGrant {
    /// Identifier-safe label, unique within its list.
    pub label: &'static str,
    /// Built-in role name.
    pub role: &'static str,
    /// Built-in role definition ID (the same in every tenant).
    pub role_id: &'static str,
    /// The resource it is granted on.
    pub scope: Kind,
    /// Why, as recorded on the assignment.
    pub description: &'static str,
    /// When the grant exists.
    pub when: When,
    /// True when it must exist before the workspace (or compute) that relies on it.
    pub before_workspace: bool,
    /// Microsoft's documentation that asks for it.
    pub source: &'static str,
}

/// The condition under which a grant exists, read by the templates of each target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// Always.
    Always,
    /// Only when the workspace's default datastores use Entra ID instead of account keys.
    IdentityStorage,
    /// Only with `network.private_endpoints`.
    PrivateEndpoints,
}

impl When {
    /// Whether a grant with this condition exists for output that uses identity-based
    /// datastores (`identity_storage`) and private endpoints (`private_endpoints`) or not.
    pub fn holds(self, identity_storage: bool, private_endpoints: bool) -> bool {
        match self {
            Self::Always => true,
            Self::IdentityStorage => identity_storage,
            Self::PrivateEndpoints => private_endpoints,
        }
    }
}

/// The workspace identity's grants that exist in one target's output.
pub fn granted_workspace_roles(
    identity_storage: bool,
    private_endpoints: bool,
) -> Vec<&'static RoleGrant> {
    WORKSPACE_ROLES
        .iter()
        .filter(|role| role.when.holds(identity_storage, private_endpoints))
        .collect()
}

/// One private endpoint of the mlops module.
#[derive(Debug, Clone, Serialize)]
pub struct PrivateEndpoint {
    /// Identifier-safe label.
    pub label: &'static str,
    /// The resource it exposes.
    pub resource: Kind,
    /// The sub-resource (group ID).
    pub subresource: &'static str,
    /// The private DNS zones (by key) its records go into.
    pub zones: &'static [&'static str],
}

/// One private DNS zone of the network module.
#[derive(Debug, Clone, Serialize)]
pub struct PrivateDnsZone {
    /// The key other modules look the zone up by.
    pub key: &'static str,
    /// The zone name (Azure public cloud).
    pub name: &'static str,
    /// Name of the Bicep output carrying its ID.
    pub output: &'static str,
}

/// The private DNS zones of the private endpoints' sub-resources.
pub const PRIVATE_DNS_ZONES: &[PrivateDnsZone] = &[
    PrivateDnsZone {
        key: "amlworkspace",
        name: "privatelink.api.azureml.ms",
        output: "amlworkspaceDnsZoneId",
    },
    PrivateDnsZone {
        key: "notebooks",
        name: "privatelink.notebooks.azure.net",
        output: "notebooksDnsZoneId",
    },
    PrivateDnsZone {
        key: "vault",
        name: "privatelink.vaultcore.azure.net",
        output: "vaultDnsZoneId",
    },
    PrivateDnsZone {
        key: "blob",
        name: "privatelink.blob.core.windows.net",
        output: "blobDnsZoneId",
    },
    PrivateDnsZone {
        key: "file",
        name: "privatelink.file.core.windows.net",
        output: "fileDnsZoneId",
    },
    PrivateDnsZone {
        key: "registry",
        name: "privatelink.azurecr.io",
        output: "registryDnsZoneId",
    },
];

/// One diagnostic setting of the mlops module.
#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticSetting {
    /// Identifier-safe label.
    pub label: &'static str,
    /// The resource whose logs it sends.
    pub resource: Kind,
    /// Suffix of the setting's name after `diag-<resource name>`.
    pub suffix: &'static str,
    /// Whether the resource has logs (the storage account itself has metrics only).
    pub logs: bool,
    /// The metric category sent.
    pub metric: &'static str,
}

// Built-in role definition IDs, the same in every tenant
// (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const STORAGE_BLOB_DATA_CONTRIBUTOR: &str = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
const STORAGE_FILE_DATA_PRIVILEGED_CONTRIBUTOR: &str = "69566ab7-960f-475b-8e7c-b3118f30c6bd";

/// Microsoft's list of the roles a user-assigned workspace identity needs.
const UAI_DOC: &str = "https://learn.microsoft.com/azure/machine-learning/how-to-identity-based-service-authentication#user-assigned-managed-identity";

/// Roles of the workspace's user-assigned identity: Microsoft's documented set for a
/// user-assigned workspace identity, each scoped to the one resource it concerns. Azure ML
/// creates role assignments itself only for a system-assigned identity, so none of these can
/// collide with one of Azure's (409 `RoleAssignmentExists`). Those with `before_workspace`
/// exist before the workspace is created; the others need the resource they are scoped to.
pub const WORKSPACE_ROLES: &[RoleGrant] = &[
    RoleGrant {
        label: "storage",
        role: "Contributor",
        role_id: CONTRIBUTOR,
        scope: Kind::Storage,
        description: "Workspace identity: manages its storage account (Microsoft's baseline).",
        when: When::Always,
        before_workspace: true,
        source: UAI_DOC,
    },
    RoleGrant {
        label: "storage_blob",
        role: "Storage Blob Data Contributor",
        role_id: STORAGE_BLOB_DATA_CONTRIBUTOR,
        scope: Kind::Storage,
        description: "Workspace identity: datastores, run artifacts and snapshots in blob storage.",
        when: When::Always,
        before_workspace: true,
        source: UAI_DOC,
    },
    RoleGrant {
        label: "storage_file",
        role: "Storage File Data Privileged Contributor",
        role_id: STORAGE_FILE_DATA_PRIVILEGED_CONTRIBUTOR,
        scope: Kind::Storage,
        description: "Workspace identity: the code and notebooks file share without account keys.",
        when: When::IdentityStorage,
        before_workspace: true,
        source: "https://learn.microsoft.com/azure/machine-learning/how-to-disable-local-auth-storage",
    },
    RoleGrant {
        label: "key_vault",
        role: "Contributor",
        role_id: CONTRIBUTOR,
        scope: Kind::KeyVault,
        description: "Workspace identity: manages its Key Vault (Microsoft's baseline).",
        when: When::Always,
        before_workspace: true,
        source: UAI_DOC,
    },
    RoleGrant {
        label: "key_vault_data",
        role: "Key Vault Administrator",
        role_id: "00482a5a-887f-4fb3-b363-3b7fe8e74483",
        scope: Kind::KeyVault,
        description: "Workspace identity: secrets of datastores and connections (RBAC vault).",
        when: When::Always,
        before_workspace: true,
        source: UAI_DOC,
    },
    RoleGrant {
        label: "registry",
        role: "Contributor",
        role_id: CONTRIBUTOR,
        scope: Kind::Registry,
        description: "Workspace identity: builds and pushes environment images.",
        when: When::Always,
        before_workspace: true,
        source: UAI_DOC,
    },
    RoleGrant {
        label: "app_insights",
        role: "Contributor",
        role_id: CONTRIBUTOR,
        scope: Kind::AppInsights,
        description: "Workspace identity: its Application Insights component.",
        when: When::Always,
        before_workspace: true,
        source: UAI_DOC,
    },
    RoleGrant {
        label: "workspace",
        role: "Contributor",
        role_id: CONTRIBUTOR,
        scope: Kind::Workspace,
        description: "Workspace identity: its own workspace (Microsoft's baseline).",
        when: When::Always,
        before_workspace: false,
        source: UAI_DOC,
    },
    RoleGrant {
        label: "storage_blob_endpoint",
        role: "Reader",
        role_id: READER,
        scope: Kind::StorageBlobEndpoint,
        description: "Workspace identity: lets Studio use storage behind its private endpoint.",
        when: When::PrivateEndpoints,
        before_workspace: false,
        source: "https://learn.microsoft.com/azure/machine-learning/how-to-enable-studio-virtual-network",
    },
    RoleGrant {
        label: "storage_file_endpoint",
        role: "Reader",
        role_id: READER,
        scope: Kind::StorageFileEndpoint,
        description: "Workspace identity: lets Studio use storage behind its private endpoint.",
        when: When::PrivateEndpoints,
        before_workspace: false,
        source: "https://learn.microsoft.com/azure/machine-learning/how-to-enable-studio-virtual-network",
    },
];

/// Roles of the user-assigned identity every compute cluster and instance runs as. Granted
/// before any compute exists, so the first job never waits for them to propagate; Azure ML
/// grants `AcrPull` itself only to system-assigned compute identities, so none collides.
pub const COMPUTE_ROLES: &[RoleGrant] = &[
    RoleGrant {
        label: "registry",
        role: "AcrPull",
        role_id: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
        scope: Kind::Registry,
        description: "Compute identity: pulls environment images (admin user off).",
        when: When::Always,
        before_workspace: true,
        source: UAI_DOC,
    },
    RoleGrant {
        label: "storage_blob",
        role: "Storage Blob Data Contributor",
        role_id: STORAGE_BLOB_DATA_CONTRIBUTOR,
        scope: Kind::Storage,
        description: "Compute identity: reads job inputs, writes outputs and MLflow artifacts.",
        when: When::Always,
        before_workspace: true,
        source: UAI_DOC,
    },
    RoleGrant {
        label: "key_vault",
        role: "Key Vault Secrets User",
        role_id: "4633458b-17de-408a-b874-0445c86b69e6",
        scope: Kind::KeyVault,
        description: "Compute identity: reads datastore and connection secrets.",
        when: When::Always,
        before_workspace: true,
        source: "https://learn.microsoft.com/azure/key-vault/general/rbac-guide",
    },
];

/// Roles each of `admins` gets: the workspace's data-science role, and the storage data roles
/// Studio needs to upload and browse data and to use notebooks.
pub const ADMIN_ROLES: &[RoleGrant] = &[
    RoleGrant {
        label: "workspace",
        role: "AzureML Data Scientist",
        role_id: "f6c7c914-8db3-469d-8ca1-694a8f32e121",
        scope: Kind::Workspace,
        description: "jobs, data, models, endpoints; no compute or workspace changes",
        when: When::Always,
        before_workspace: false,
        source: "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/ai-machine-learning#azureml-data-scientist",
    },
    RoleGrant {
        label: "storage_blob",
        role: "Storage Blob Data Contributor",
        role_id: STORAGE_BLOB_DATA_CONTRIBUTOR,
        scope: Kind::Storage,
        description: "Studio: upload, browse and preview data",
        when: When::Always,
        before_workspace: false,
        source: "https://learn.microsoft.com/azure/machine-learning/how-to-disable-local-auth-storage",
    },
    RoleGrant {
        label: "storage_file",
        role: "Storage File Data Privileged Contributor",
        role_id: STORAGE_FILE_DATA_PRIVILEGED_CONTRIBUTOR,
        scope: Kind::Storage,
        description: "Studio: notebooks and the file explorer",
        when: When::Always,
        before_workspace: false,
        source: "https://learn.microsoft.com/azure/machine-learning/how-to-disable-local-auth-storage",
    },
];

/// Private endpoints of the mlops module (the Key Vault's lives in the shared module).
pub const PRIVATE_ENDPOINTS: &[PrivateEndpoint] = &[
    PrivateEndpoint {
        label: "workspace",
        resource: Kind::Workspace,
        subresource: "amlworkspace",
        zones: &["amlworkspace", "notebooks"],
    },
    PrivateEndpoint {
        label: "storage_blob",
        resource: Kind::Storage,
        subresource: "blob",
        zones: &["blob"],
    },
    PrivateEndpoint {
        label: "storage_file",
        resource: Kind::Storage,
        subresource: "file",
        zones: &["file"],
    },
    PrivateEndpoint {
        label: "registry",
        resource: Kind::Registry,
        subresource: "registry",
        zones: &["registry"],
    },
];

/// Diagnostic settings of the mlops module (the Key Vault's lives in the shared module).
pub const DIAGNOSTICS: &[DiagnosticSetting] = &[
    DiagnosticSetting {
        label: "workspace",
        resource: Kind::Workspace,
        suffix: "",
        logs: true,
        metric: "AllMetrics",
    },
    DiagnosticSetting {
        label: "storage",
        resource: Kind::Storage,
        suffix: "",
        logs: false,
        metric: "Transaction",
    },
    DiagnosticSetting {
        label: "storage_blob",
        resource: Kind::Blob,
        suffix: "-blob",
        logs: true,
        metric: "Transaction",
    },
    DiagnosticSetting {
        label: "registry",
        resource: Kind::Registry,
        suffix: "",
        logs: true,
        metric: "AllMetrics",
    },
];

/// One CORS rule on a storage service, for Azure ML Studio in the user's browser.
#[derive(Debug, Clone, Serialize)]
pub struct CorsRule {
    /// Origins allowed to call it.
    pub origins: &'static [&'static str],
    /// HTTP methods allowed.
    pub methods: &'static [&'static str],
    /// Seconds a browser may cache the preflight answer.
    pub max_age_seconds: u32,
}

/// Azure ML Studio's origins, as the Azure Verified Modules' workspace examples declare them
/// (Azure/terraform-azurerm-avm-res-machinelearningservices-workspace,
/// `examples/private_ai_hub/main.tf`). Declared rather than left to Azure ML, which adds them
/// when the workspace is created: a storage account without them in the code would have
/// them removed again by the next apply.
const STUDIO_ORIGINS: &[&str] = &[
    "https://mlworkspace.azure.ai",
    "https://ml.azure.com",
    "https://*.ml.azure.com",
    "https://ai.azure.com",
    "https://*.ai.azure.com",
];

/// The storage CORS rules Studio needs (the AVM examples' methods: blob with `PATCH`, file
/// without).
pub const STUDIO_CORS: StudioCors = StudioCors {
    blob: CorsRule {
        origins: STUDIO_ORIGINS,
        methods: &["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"],
        max_age_seconds: 1800,
    },
    file: CorsRule {
        origins: STUDIO_ORIGINS,
        methods: &["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"],
        max_age_seconds: 1800,
    },
};

/// Studio's CORS rule for each storage service.
#[derive(Debug, Clone, Serialize)]
pub struct StudioCors {
    /// On the blob service.
    pub blob: CorsRule,
    /// On the file service.
    pub file: CorsRule,
}

/// The private DNS zones the mlops module's endpoints register in, in catalog order: the
/// zones the mlops module needs passed in (the Key Vault's zone serves the shared module).
pub fn mlops_dns_zones() -> Vec<&'static PrivateDnsZone> {
    PRIVATE_DNS_ZONES
        .iter()
        .filter(|zone| {
            PRIVATE_ENDPOINTS
                .iter()
                .any(|pe| pe.zones.contains(&zone.key))
        })
        .collect()
}

/// The catalog as template context.
#[derive(Debug, Clone, Serialize)]
pub struct Catalog {
    /// See [`WORKSPACE_ROLES`].
    pub workspace_roles: &'static [RoleGrant],
    /// See [`COMPUTE_ROLES`].
    pub compute_roles: &'static [RoleGrant],
    /// See [`ADMIN_ROLES`].
    pub admin_roles: &'static [RoleGrant],
    /// See [`PRIVATE_ENDPOINTS`].
    pub private_endpoints: &'static [PrivateEndpoint],
    /// See [`DIAGNOSTICS`].
    pub diagnostics: &'static [DiagnosticSetting],
    /// See [`PRIVATE_DNS_ZONES`].
    pub private_dns_zones: &'static [PrivateDnsZone],
    /// See [`STUDIO_CORS`].
    pub studio_cors: StudioCors,
    /// See [`RESOURCE_PROVIDERS`].
    pub resource_providers: &'static [&'static str],
}

/// The resource providers the output needs registered in a subscription: the Terraform
/// provider block registers them, and the README tells how to register them before the first
/// read-only plan. Microsoft.Network because the workspace's managed network creates private
/// endpoints; Microsoft.AlertsManagement because Application Insights creates its
/// smart-detection alert rules.
pub const RESOURCE_PROVIDERS: &[&str] = &[
    "Microsoft.AlertsManagement",
    "Microsoft.ContainerRegistry",
    "Microsoft.Insights",
    "Microsoft.KeyVault",
    "Microsoft.MachineLearningServices",
    "Microsoft.Network",
    "Microsoft.OperationalInsights",
    "Microsoft.Storage",
];

/// The whole catalog.
pub fn catalog() -> Catalog {
    Catalog {
        workspace_roles: WORKSPACE_ROLES,
        compute_roles: COMPUTE_ROLES,
        admin_roles: ADMIN_ROLES,
        private_endpoints: PRIVATE_ENDPOINTS,
        diagnostics: DIAGNOSTICS,
        private_dns_zones: PRIVATE_DNS_ZONES,
        studio_cors: STUDIO_CORS,
        resource_providers: RESOURCE_PROVIDERS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_follow_the_outputs_storage_mode_and_endpoints() {
        let labels = |identity, endpoints| -> Vec<&str> {
            granted_workspace_roles(identity, endpoints)
                .iter()
                .map(|r| r.label)
                .collect()
        };
        assert!(!labels(false, false).contains(&"storage_file"));
        assert!(labels(true, false).contains(&"storage_file"));
        assert!(!labels(true, false).contains(&"storage_blob_endpoint"));
        assert_eq!(labels(true, true).len(), WORKSPACE_ROLES.len());
    }
}
