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
        LOCATION => "an Azure region name such as `westeurope` (lowercase, no spaces)",
        CLUSTER_NAME => {
            "3-32 letters, digits and hyphens, starting with a letter and ending with a letter or digit"
        }
        VM_SIZE => "an Azure VM size such as `Standard_DS3_v2`",
        IPV4_CIDR => "an IPv4 address range in CIDR notation such as `10.0.0.0/16`",
        _ => return None,
    })
}

/// Public Azure regions (ARM names) that offer Azure Machine Learning.
pub const AZURE_REGIONS: &[&str] = &[
    "australiacentral",
    "australiacentral2",
    "australiaeast",
    "australiasoutheast",
    "austriaeast",
    "belgiumcentral",
    "brazilsouth",
    "brazilsoutheast",
    "canadacentral",
    "canadaeast",
    "centralindia",
    "centralus",
    "chilecentral",
    "eastasia",
    "eastus",
    "eastus2",
    "francecentral",
    "francesouth",
    "germanynorth",
    "germanywestcentral",
    "indonesiacentral",
    "israelcentral",
    "italynorth",
    "japaneast",
    "japanwest",
    "jioindiawest",
    "koreacentral",
    "koreasouth",
    "malaysiawest",
    "mexicocentral",
    "newzealandnorth",
    "northcentralus",
    "northeurope",
    "norwayeast",
    "norwaywest",
    "polandcentral",
    "qatarcentral",
    "southafricanorth",
    "southafricawest",
    "southcentralus",
    "southeastasia",
    "southindia",
    "spaincentral",
    "swedencentral",
    "switzerlandnorth",
    "switzerlandwest",
    "uaecentral",
    "uaenorth",
    "uksouth",
    "ukwest",
    "westcentralus",
    "westeurope",
    "westindia",
    "westus",
    "westus2",
    "westus3",
];

/// Regions of [`AZURE_REGIONS`] with availability zones. Zone-redundant settings (ZRS storage,
/// a zone-redundant registry) are only possible there.
pub const AVAILABILITY_ZONE_REGIONS: &[&str] = &[
    "australiaeast",
    "austriaeast",
    "belgiumcentral",
    "brazilsouth",
    "canadacentral",
    "centralindia",
    "centralus",
    "chilecentral",
    "eastasia",
    "eastus",
    "eastus2",
    "francecentral",
    "germanywestcentral",
    "indonesiacentral",
    "israelcentral",
    "italynorth",
    "japaneast",
    "japanwest",
    "koreacentral",
    "malaysiawest",
    "mexicocentral",
    "newzealandnorth",
    "northeurope",
    "norwayeast",
    "polandcentral",
    "qatarcentral",
    "southafricanorth",
    "southcentralus",
    "southeastasia",
    "spaincentral",
    "swedencentral",
    "switzerlandnorth",
    "uaenorth",
    "uksouth",
    "westeurope",
    "westus2",
    "westus3",
];

/// True when `region` offers availability zones.
pub fn has_availability_zones(region: &str) -> bool {
    AVAILABILITY_ZONE_REGIONS.contains(&region)
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance counting a swap of two neighbours as one edit (optimal string alignment),
/// since `nmae` for `name` is the typical typo. Inputs are short keys, so O(n*m) is fine.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_sorted_and_unique() {
        assert!(AZURE_REGIONS.windows(2).all(|w| w[0] < w[1]));
        assert!(AVAILABILITY_ZONE_REGIONS.windows(2).all(|w| w[0] < w[1]));
        assert!(
            AVAILABILITY_ZONE_REGIONS
                .iter()
                .all(|r| AZURE_REGIONS.contains(r))
        );
    }

    #[test]
    fn suggests_close_words_only() {
        assert_eq!(
            suggest("westeurop", AZURE_REGIONS.iter().copied()),
            Some("westeurope")
        );
        assert_eq!(suggest("mars", AZURE_REGIONS.iter().copied()), None);
        assert_eq!(suggest("nmae", ["name", "tags"]), Some("name"));
    }
}
