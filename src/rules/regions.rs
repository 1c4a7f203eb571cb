//! The Azure regions mlgen knows: the ARM names of the public regions that offer Azure Machine
//! Learning, and which of them have availability zones.

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
