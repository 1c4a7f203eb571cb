//! Azure resource names: how mlgen derives them and the rules Azure enforces on them.
//!
//! Names follow the Cloud Adoption Framework abbreviations (`rg-`, `kv-`, `log-`, `appi-`,
//! `mlw-`, `st`, `cr`). Storage accounts, key vaults and registries need globally unique names,
//! so they carry a short suffix hashed from the project and environment: deterministic (the same
//! spec always yields the same names, so `check` never sees churn) yet different per project.
//! This module is the only place names are made; the validator checks every derived name
//! against [`NameRule`]s before anything is rendered.

use serde::Serialize;

/// Every Azure resource name a spec derives (compute clusters are named in the spec itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Names {
    /// Resource group.
    pub resource_group: String,
    /// Key Vault (globally unique).
    pub key_vault: String,
    /// Log Analytics workspace.
    pub log_analytics_workspace: String,
    /// Application Insights component.
    pub application_insights: String,
    /// Machine Learning workspace.
    pub machine_learning_workspace: String,
    /// Storage account (globally unique).
    pub storage_account: String,
    /// Container registry (globally unique).
    pub container_registry: String,
    /// Virtual network (with private endpoints).
    pub virtual_network: String,
}

impl Names {
    /// Derives all names from the project name and environment; `suffix` replaces the hashed
    /// suffix of the globally unique names.
    pub fn derive(project: &str, environment: &str, suffix: Option<&str>) -> Self {
        let suffix = suffix.map_or_else(|| unique_suffix(project, environment), str::to_owned);
        Self {
            resource_group: format!("rg-{project}-{environment}"),
            key_vault: format!("kv-{project}-{environment}-{suffix}"),
            log_analytics_workspace: format!("log-{project}-{environment}"),
            application_insights: format!("appi-{project}-{environment}"),
            machine_learning_workspace: format!("mlw-{project}-{environment}"),
            storage_account: format!("st{project}{environment}{suffix}"),
            container_registry: format!("cr{project}{environment}{suffix}"),
            virtual_network: format!("vnet-{project}-{environment}"),
        }
    }

    /// Each name with the rule it must satisfy, in a stable order.
    pub fn with_rules(&self) -> [(&str, &'static NameRule); 8] {
        [
            (&self.resource_group, &RESOURCE_GROUP),
            (&self.key_vault, &KEY_VAULT),
            (&self.log_analytics_workspace, &LOG_ANALYTICS_WORKSPACE),
            (&self.application_insights, &APPLICATION_INSIGHTS),
            (
                &self.machine_learning_workspace,
                &MACHINE_LEARNING_WORKSPACE,
            ),
            (&self.storage_account, &STORAGE_ACCOUNT),
            (&self.container_registry, &CONTAINER_REGISTRY),
            (&self.virtual_network, &VIRTUAL_NETWORK),
        ]
    }
}

/// Four base-36 characters from a 64-bit FNV-1a hash of `project/environment`.
///
/// FNV-1a is written out here rather than taken from `std::hash` because std's hashers are not
/// guaranteed stable across Rust releases, and a changed suffix would rename (recreate) storage.
fn unique_suffix(project: &str, environment: &str) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in format!("{project}/{environment}").bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (0..4)
        .map(|i| char::from(DIGITS[((hash >> (i * 9)) % 36) as usize]))
        .collect()
}

/// Azure's naming rule for one resource type.
#[derive(Debug)]
pub struct NameRule {
    /// Human name of the resource type.
    pub resource: &'static str,
    /// Shortest allowed name.
    pub min: usize,
    /// Longest allowed name.
    pub max: usize,
    /// The allowed characters and shape, in words.
    pub shape: &'static str,
    is_valid_shape: fn(&str) -> bool,
}

impl NameRule {
    /// `Err` with a sentence naming the broken rule.
    pub fn check(&self, name: &str) -> Result<(), String> {
        let len = name.chars().count();
        if len < self.min || len > self.max {
            return Err(format!(
                "the derived {} name `{name}` is {len} characters long; Azure allows {}-{}",
                self.resource, self.min, self.max
            ));
        }
        if !(self.is_valid_shape)(name) {
            return Err(format!(
                "the derived {} name `{name}` is not allowed by Azure: {}",
                self.resource, self.shape
            ));
        }
        Ok(())
    }
}

fn is_alnum_or(extra: &'static str) -> impl Fn(char) -> bool {
    move |c: char| c.is_ascii_alphanumeric() || extra.contains(c)
}

fn starts_and_ends_alnum(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// Resource group: 1-90 of letters, digits, `_-.()`, not ending in a period.
pub static RESOURCE_GROUP: NameRule = NameRule {
    resource: "resource group",
    min: 1,
    max: 90,
    shape: "letters, digits, underscores, hyphens, periods and parentheses, not ending with a period",
    is_valid_shape: |n| n.chars().all(is_alnum_or("_-.()")) && !n.ends_with('.'),
};

/// Key Vault: 3-24 of letters, digits and single hyphens, starting with a letter.
pub static KEY_VAULT: NameRule = NameRule {
    resource: "Key Vault",
    min: 3,
    max: 24,
    shape: "letters, digits and hyphens, starting with a letter, ending with a letter or digit, \
            no consecutive hyphens",
    is_valid_shape: |n| {
        n.chars().all(is_alnum_or("-"))
            && n.starts_with(|c: char| c.is_ascii_alphabetic())
            && starts_and_ends_alnum(n)
            && !n.contains("--")
    },
};

/// Log Analytics workspace: 4-63 of letters, digits and hyphens, alphanumeric at both ends.
pub static LOG_ANALYTICS_WORKSPACE: NameRule = NameRule {
    resource: "Log Analytics workspace",
    min: 4,
    max: 63,
    shape: "letters, digits and hyphens, starting and ending with a letter or digit",
    is_valid_shape: |n| n.chars().all(is_alnum_or("-")) && starts_and_ends_alnum(n),
};

/// Application Insights: 1-260, none of `%&\?/`, not ending in a space or period.
pub static APPLICATION_INSIGHTS: NameRule = NameRule {
    resource: "Application Insights",
    min: 1,
    max: 260,
    shape: "no `%&\\?/` characters, not ending with a space or period",
    is_valid_shape: |n| !n.contains(['%', '&', '\\', '?', '/']) && !n.ends_with([' ', '.']),
};

/// Machine Learning workspace: 3-33 of letters, digits, `-` and `_`, starting alphanumeric.
pub static MACHINE_LEARNING_WORKSPACE: NameRule = NameRule {
    resource: "Machine Learning workspace",
    min: 3,
    max: 33,
    shape: "letters, digits, hyphens and underscores, starting with a letter or digit",
    is_valid_shape: |n| {
        n.chars().all(is_alnum_or("-_")) && n.starts_with(|c: char| c.is_ascii_alphanumeric())
    },
};

/// Storage account: 3-24 lowercase letters and digits.
pub static STORAGE_ACCOUNT: NameRule = NameRule {
    resource: "storage account",
    min: 3,
    max: 24,
    shape: "lowercase letters and digits only",
    is_valid_shape: |n| {
        n.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    },
};

/// Container registry: 5-50 letters and digits.
pub static CONTAINER_REGISTRY: NameRule = NameRule {
    resource: "container registry",
    min: 5,
    max: 50,
    shape: "letters and digits only",
    is_valid_shape: |n| n.chars().all(|c| c.is_ascii_alphanumeric()),
};

/// Virtual network: 2-64 of letters, digits, `_.-`, starting alphanumeric, ending alphanumeric
/// or `_`.
pub static VIRTUAL_NETWORK: NameRule = NameRule {
    resource: "virtual network",
    min: 2,
    max: 64,
    shape: "letters, digits, underscores, periods and hyphens, starting with a letter or digit",
    is_valid_shape: |n| {
        n.chars().all(is_alnum_or("_.-"))
            && n.starts_with(|c: char| c.is_ascii_alphanumeric())
            && n.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_caf_names_with_a_stable_suffix() {
        let names = Names::derive("churn", "dev", None);
        assert_eq!(names.resource_group, "rg-churn-dev");
        assert_eq!(names.machine_learning_workspace, "mlw-churn-dev");
        let suffix = &names.key_vault["kv-churn-dev-".len()..];
        assert_eq!(suffix.len(), 4);
        assert_eq!(names.storage_account, format!("stchurndev{suffix}"));
        assert_eq!(names.container_registry, format!("crchurndev{suffix}"));
        // Pinned: a changed suffix would make Terraform replace the storage account.
        assert_eq!(unique_suffix("churn", "dev"), suffix);
        assert_eq!(Names::derive("churn", "dev", None), names);
        assert_ne!(unique_suffix("churn", "prod"), suffix);
        let chosen = Names::derive("churn", "dev", Some("x1"));
        assert_eq!(
            (chosen.key_vault.as_str(), chosen.storage_account.as_str()),
            ("kv-churn-dev-x1", "stchurndevx1")
        );
    }

    #[test]
    fn every_default_name_passes_its_rule() {
        for (name, rule) in Names::derive("churn", "dev", None).with_rules() {
            assert_eq!(rule.check(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn long_project_and_environment_break_the_key_vault_limit() {
        let names = Names::derive("abcdefghijkl", "abcdefgh", None);
        let err = KEY_VAULT.check(&names.key_vault).unwrap_err();
        assert!(
            err.contains("is 29 characters long; Azure allows 3-24"),
            "{err}"
        );
        assert!(STORAGE_ACCOUNT.check(&names.storage_account).is_err());
        assert!(CONTAINER_REGISTRY.check(&names.container_registry).is_ok());
    }

    #[test]
    fn shapes_are_enforced() {
        assert!(KEY_VAULT.check("kv--double").is_err());
        assert!(KEY_VAULT.check("1kv-abc").is_err());
        assert!(STORAGE_ACCOUNT.check("stAbc").is_err());
        assert!(RESOURCE_GROUP.check("rg.").is_err());
        assert!(APPLICATION_INSIGHTS.check("a/b").is_err());
    }
}
