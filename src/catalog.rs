//! What every target creates beyond the spec's own resources, described once: the role
//! assignments (least privilege), the private endpoints and the diagnostic settings. Each
//! entry names the resource it concerns by kind (`storage`, `registry`, …); the templates of
//! each target turn that kind into their own reference, so Terraform and Bicep can never
//! disagree on which roles, endpoints or logs exist.

use serde::Serialize;

/// One role granted to an identity on a resource.
#[derive(Debug, Clone, Serialize)]
pub struct RoleGrant {
    /// Identifier-safe label, unique within its list.
    pub label: &'static str,
    /// Built-in role name.
    pub role: &'static str,
    /// Built-in role definition ID (the same in every tenant).
    pub role_id: &'static str,
    /// The resource kind it is granted on.
    pub scope: &'static str,
    /// Why, as recorded on the assignment.
    pub description: &'static str,
}

/// One private endpoint of the mlops module.
#[derive(Debug, Clone, Serialize)]
pub struct PrivateEndpoint {
    /// Identifier-safe label.
    pub label: &'static str,
    /// The resource kind it exposes.
    pub resource: &'static str,
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
    /// The resource kind whose logs it sends.
    pub resource: &'static str,
    /// Suffix of the setting's name after `diag-<resource name>`.
    pub suffix: &'static str,
    /// Whether the resource has logs (the storage account itself has metrics only).
    pub logs: bool,
    /// The metric category sent.
    pub metric: &'static str,
}

/// Roles of the workspace's system identity.
pub const WORKSPACE_ROLES: &[RoleGrant] = &[
    RoleGrant {
        label: "storage_blob",
        role: "Storage Blob Data Contributor",
        role_id: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        scope: "storage",
        description: "Workspace identity: datastores, run artifacts and snapshots in blob storage.",
    },
    RoleGrant {
        label: "storage_file",
        role: "Storage File Data Privileged Contributor",
        role_id: "69566ab7-960f-475b-8e7c-b3118f30c6bd",
        scope: "storage",
        description: "Workspace identity: the notebooks and code file share over Entra ID.",
    },
    RoleGrant {
        label: "storage_keys",
        role: "Reader and Data Access",
        role_id: "c12c1c16-33a1-487b-954d-41c89c60f349",
        scope: "storage",
        description: "Workspace identity: lists the account keys its default datastores use.",
    },
    RoleGrant {
        label: "registry",
        role: "AcrPush",
        role_id: "8311e382-0749-4cb8-b61a-304f252e45ec",
        scope: "registry",
        description: "Workspace identity: pushes the environment images it builds.",
    },
    RoleGrant {
        label: "key_vault",
        role: "Key Vault Secrets Officer",
        role_id: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
        scope: "key_vault",
        description: "Workspace identity: datastore and connection secrets.",
    },
];

/// Roles of every compute cluster's and instance's identity.
pub const COMPUTE_ROLES: &[RoleGrant] = &[
    RoleGrant {
        label: "registry",
        role: "AcrPull",
        role_id: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
        scope: "registry",
        description: "pulls environment images",
    },
    RoleGrant {
        label: "key_vault",
        role: "Key Vault Secrets User",
        role_id: "4633458b-17de-408a-b874-0445c86b69e6",
        scope: "key_vault",
        description: "reads datastore secrets",
    },
];

/// The role `admins` get on the workspace.
pub const ADMIN_ROLE: RoleGrant = RoleGrant {
    label: "admins",
    role: "AzureML Data Scientist",
    role_id: "f6c7c914-8db3-469d-8ca1-694a8f32e121",
    scope: "workspace",
    description: "uses the workspace: jobs, data, models, endpoints; no compute or workspace changes",
};

/// Private endpoints of the mlops module (the Key Vault's lives in the shared module).
pub const PRIVATE_ENDPOINTS: &[PrivateEndpoint] = &[
    PrivateEndpoint {
        label: "workspace",
        resource: "workspace",
        subresource: "amlworkspace",
        zones: &["amlworkspace", "notebooks"],
    },
    PrivateEndpoint {
        label: "storage_blob",
        resource: "storage",
        subresource: "blob",
        zones: &["blob"],
    },
    PrivateEndpoint {
        label: "storage_file",
        resource: "storage",
        subresource: "file",
        zones: &["file"],
    },
    PrivateEndpoint {
        label: "registry",
        resource: "registry",
        subresource: "registry",
        zones: &["registry"],
    },
];

/// Diagnostic settings of the mlops module (the Key Vault's lives in the shared module).
pub const DIAGNOSTICS: &[DiagnosticSetting] = &[
    DiagnosticSetting {
        label: "workspace",
        resource: "workspace",
        suffix: "",
        logs: true,
        metric: "AllMetrics",
    },
    DiagnosticSetting {
        label: "storage",
        resource: "storage",
        suffix: "",
        logs: false,
        metric: "Transaction",
    },
    DiagnosticSetting {
        label: "storage_blob",
        resource: "blob",
        suffix: "-blob",
        logs: true,
        metric: "Transaction",
    },
    DiagnosticSetting {
        label: "registry",
        resource: "registry",
        suffix: "",
        logs: true,
        metric: "AllMetrics",
    },
];

/// The catalog as template context.
#[derive(Debug, Clone, Serialize)]
pub struct Catalog {
    /// See [`WORKSPACE_ROLES`].
    pub workspace_roles: &'static [RoleGrant],
    /// See [`COMPUTE_ROLES`].
    pub compute_roles: &'static [RoleGrant],
    /// See [`ADMIN_ROLE`].
    pub admin_role: RoleGrant,
    /// See [`PRIVATE_ENDPOINTS`].
    pub private_endpoints: &'static [PrivateEndpoint],
    /// See [`DIAGNOSTICS`].
    pub diagnostics: &'static [DiagnosticSetting],
    /// See [`PRIVATE_DNS_ZONES`].
    pub private_dns_zones: &'static [PrivateDnsZone],
}

/// The whole catalog.
pub fn catalog() -> Catalog {
    Catalog {
        workspace_roles: WORKSPACE_ROLES,
        compute_roles: COMPUTE_ROLES,
        admin_role: ADMIN_ROLE,
        private_endpoints: PRIVATE_ENDPOINTS,
        diagnostics: DIAGNOSTICS,
        private_dns_zones: PRIVATE_DNS_ZONES,
    }
}
