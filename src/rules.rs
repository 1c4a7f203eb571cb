//! The value rules of the spec in one place: regular expressions, the human wording of each, and
//! the Azure regions mlgen knows.
//!
//! The schema (via schemars attributes in `spec`), the validator and the diagnostics all read
//! these constants, so a rule and its error message can never drift apart.

/// `$id` of the published schema; also what `mlgen init` puts in the yaml-language-server line.
pub const SCHEMA_ID: &str =
    "https://raw.githubusercontent.com/mlgen-dev/mlgen/main/schemas/mlgen.schema.json";

/// `project.name`: part of every resource name.
pub const PROJECT_NAME: &str = "^[a-z][a-z0-9]{1,11}$";
/// `project.environment`.
pub const ENVIRONMENT: &str = "^[a-z][a-z0-9]{0,7}$";
/// Most compute clusters (and, separately, instances) a spec may list. Workspaces hold a few
/// dozen; the bound keeps a commit hook's time and memory small whatever a spec says (1000
/// clusters render in about 0.05 s).
pub const MAX_COMPUTE: u32 = 1000;

/// Object IDs (`admins`, `assigned_user`).
pub const GUID: &str =
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
/// `mlops.compute_instances[].name`.
pub const INSTANCE_NAME: &str = "^[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$";
/// `backend.resource_group_name`.
pub const RESOURCE_GROUP: &str = r"^[-\w.()]{0,89}[-\w()]$";
/// `backend.storage_account_name`.
pub const STORAGE_ACCOUNT: &str = "^[a-z0-9]{3,24}$";
/// `backend.container_name`.
pub const CONTAINER: &str = "^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$";
/// `project.suffix`.
pub const SUFFIX: &str = "^[a-z0-9]{1,8}$";
/// `project.location`: the shape of an Azure region name (membership is checked separately).
pub const LOCATION: &str = "^[a-z][a-z0-9]*$";
/// `mlops.compute_clusters[].name`.
pub const CLUSTER_NAME: &str = "^[A-Za-z][A-Za-z0-9-]{1,30}[A-Za-z0-9]$";
/// `mlops.compute_clusters[].vm_size`.
pub const VM_SIZE: &str = "^Standard_[A-Za-z0-9_]+$";
/// `network.address_space` (the octet and prefix ranges are checked semantically).
pub const IPV4_CIDR: &str = r"^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$";

/// What a pattern means, in words, for diagnostics.
pub fn describe_pattern(pattern: &str) -> Option<&'static str> {
    Some(match pattern {
        PROJECT_NAME => "2-12 lowercase letters and digits, starting with a letter",
        ENVIRONMENT => "1-8 lowercase letters and digits, starting with a letter",
        SUFFIX => "1-8 lowercase letters and digits",
        GUID => "an object ID such as `00000000-0000-0000-0000-000000000000`",
        INSTANCE_NAME => {
            "3-24 letters, digits and hyphens, starting with a letter and ending with a letter or digit"
        }
        RESOURCE_GROUP => {
            "a resource group name (1-90 letters, digits, `_-.()`, not ending with `.`)"
        }
        STORAGE_ACCOUNT => "3-24 lowercase letters and digits",
        CONTAINER => "3-63 lowercase letters, digits and single hyphens",
        LOCATION => "an Azure region name such as `westeurope` (lowercase, no spaces)",
        CLUSTER_NAME => {
            "3-32 letters, digits and hyphens, starting with a letter and ending with a letter or digit"
        }
        VM_SIZE => "an Azure VM size such as `Standard_DS3_v2`",
        IPV4_CIDR => "an IPv4 address range in CIDR notation such as `10.0.0.0/16`",
        _ => return None,
    })
}

/// Public Azure regions (ARM names) that offer Azure Machine Learning, each with whether it has
/// availability zones (zone-redundant storage and registries are only possible there).
const REGIONS: &[(&str, bool)] = &[
    ("australiacentral", false),
    ("australiacentral2", false),
    ("australiaeast", true),
    ("australiasoutheast", false),
    ("austriaeast", true),
    ("belgiumcentral", true),
    ("brazilsouth", true),
    ("brazilsoutheast", false),
    ("canadacentral", true),
    ("canadaeast", false),
    ("centralindia", true),
    ("centralus", true),
    ("chilecentral", true),
    ("eastasia", true),
    ("eastus", true),
    ("eastus2", true),
    ("francecentral", true),
    ("francesouth", false),
    ("germanynorth", false),
    ("germanywestcentral", true),
    ("indonesiacentral", true),
    ("israelcentral", true),
    ("italynorth", true),
    ("japaneast", true),
    ("japanwest", true),
    ("jioindiawest", false),
    ("koreacentral", true),
    ("koreasouth", false),
    ("malaysiawest", true),
    ("mexicocentral", true),
    ("newzealandnorth", true),
    ("northcentralus", false),
    ("northeurope", true),
    ("norwayeast", true),
    ("norwaywest", false),
    ("polandcentral", true),
    ("qatarcentral", true),
    ("southafricanorth", true),
    ("southafricawest", false),
    ("southcentralus", true),
    ("southeastasia", true),
    ("southindia", false),
    ("spaincentral", true),
    ("swedencentral", true),
    ("switzerlandnorth", true),
    ("switzerlandwest", false),
    ("uaecentral", false),
    ("uaenorth", true),
    ("uksouth", true),
    ("ukwest", false),
    ("westcentralus", false),
    ("westeurope", true),
    ("westindia", false),
    ("westus", false),
    ("westus2", true),
    ("westus3", true),
];

/// Every region name mlgen knows, sorted.
pub fn region_names() -> impl Iterator<Item = &'static str> {
    REGIONS.iter().map(|(name, _)| *name)
}

/// True when `region` is a region mlgen knows.
pub fn is_region(region: &str) -> bool {
    REGIONS.iter().any(|(name, _)| *name == region)
}

/// True when `region` offers availability zones.
pub fn has_availability_zones(region: &str) -> bool {
    REGIONS
        .iter()
        .any(|(name, zones)| *name == region && *zones)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_sorted_and_unique() {
        assert!(REGIONS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(has_availability_zones("westeurope") && !has_availability_zones("westus"));
        assert!(is_region("westus") && !is_region("mars"));
    }
}
