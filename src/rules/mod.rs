//! The rule catalog: every Azure naming and value rule mlgen knows (names, lengths, character
//! classes, allowed values, numeric ranges), each stated once, with its wording and sample
//! values, plus the Azure regions.
//!
//! Everything that checks a value reads it from here:
//! - the validator: the schema's patterns and ranges (schemars attributes in `spec` call
//!   [`Rule::schema_pattern`] and read the limits), the derived-name checks and the range checks
//!   of `validate`, and the wording of diagnostics ([`describe_pattern`]);
//! - Terraform: every `validation {}` block is `{{ tf_validation(rule=…, var=…) }}`, spelled by
//!   [`terraform`] (an RE2 pattern, plus `strcontains`, `endswith`, `contains`, ranges with
//!   `floor(x) == x`, `cidrsubnet` for canonical ranges);
//! - Bicep: every `@minLength`/`@maxLength`/`@allowed`/`@minValue`/`@maxValue` is
//!   `{{ bicep_decorators(rule=…) }}`, spelled by [`bicep`]. Bicep has no decorator for a
//!   regular expression, forbidden characters or a relation between values: a Bicep file
//!   checks only a rule's [`Limits`] and states the rest in `@description`.
//!
//! A test renders every rule for Terraform and evaluates its condition on the rule's samples
//! with the real `terraform console`, checks the schema pattern on them with the JSON Schema
//! validator, parses the Bicep decorators back, and checks that no built-in template writes a
//! validation block or decorator of its own (`tests/it/rules.rs`).
//!
//! Lengths count characters (Unicode scalar values). Terraform's `length` counts grapheme
//! clusters and Azure mostly UTF-16 units; they differ only beyond ASCII, which every name rule
//! refuses anyway, so samples probe length limits with ASCII.

mod regions;
mod rule;

pub mod bicep;
pub mod pipelines;
pub mod terraform;

use std::collections::BTreeMap;

use serde::Serialize;

pub use regions::{has_availability_zones, is_region, region_names};
pub use rule::{Allowed, Class, Kind, Limits, Problem, Rule, Shape, Text};

/// `$id` of the published schema; also what `mlgen init` puts in the yaml-language-server line.
pub const SCHEMA_ID: &str =
    "https://raw.githubusercontent.com/mlgen-dev/mlgen/main/schemas/mlgen.schema.json";

/// Most compute clusters (and, separately, instances) a spec may list. Workspaces hold a few
/// dozen; the bound keeps a commit hook's time and memory small whatever a spec says (1000
/// clusters render in about 0.05 s).
pub const MAX_COMPUTE: u32 = 1000;

// ------------------------------------------------------------------ spec values

/// `project.name`: part of every resource name.
pub static PROJECT_NAME: Rule = Rule {
    key: "project_name",
    what: "project name",
    kind: Kind::Text(Text::shaped(
        2,
        Some(12),
        Shape {
            prefix: "",
            first: Some(Class("a-z")),
            rest: Class("a-z0-9"),
            last: None,
        },
    )),
    wording: "{len} lowercase letters and digits, starting with a letter",
    valid: &["ab", "churn", "a1b2c3d4e5f6"],
    invalid: &["a", "1abc", "abcdefghijklm", "Churn", "ch-urn", "churn\n"],
};

/// `project.environment` and `environments[]`.
pub static ENVIRONMENT: Rule = Rule {
    key: "environment",
    what: "environment name",
    kind: Kind::Text(Text::shaped(
        1,
        Some(8),
        Shape {
            prefix: "",
            first: Some(Class("a-z")),
            rest: Class("a-z0-9"),
            last: None,
        },
    )),
    wording: "{len} lowercase letters and digits, starting with a letter",
    valid: &["d", "dev", "staging1"],
    invalid: &["", "1dev", "staging12", "Dev", "dev-1"],
};

/// `project.suffix`, Terraform's `global_name_suffix` and Bicep's `globalNameSuffix`: the end
/// of the globally unique names.
pub static GLOBAL_NAME_SUFFIX: Rule = Rule {
    key: "global_name_suffix",
    what: "name suffix",
    kind: Kind::Text(Text::shaped(
        1,
        Some(8),
        Shape {
            prefix: "",
            first: None,
            rest: Class("a-z0-9"),
            last: None,
        },
    )),
    wording: "{len} lowercase letters and digits",
    valid: &["x", "x1", "0a1b2c3d"],
    invalid: &["", "abcdefghi", "X1", "a-b"],
};

/// `project.location`: the shape of an Azure region name (membership is checked separately).
pub static LOCATION: Rule = Rule {
    key: "location",
    what: "region name",
    kind: Kind::Text(Text::shaped(
        1,
        None,
        Shape {
            prefix: "",
            first: Some(Class("a-z")),
            rest: Class("a-z0-9"),
            last: None,
        },
    )),
    wording: "an Azure region name such as `westeurope` (lowercase, no spaces)",
    valid: &["westeurope", "eastus2", "x"],
    invalid: &["", "West Europe", "2east", "west-europe"],
};

/// Entra object IDs (`admins`, `assigned_user`).
pub static OBJECT_ID: Rule = Rule {
    key: "object_id",
    what: "object ID",
    kind: Kind::Guid,
    wording: "an object ID such as `00000000-0000-0000-0000-000000000000`",
    valid: &[
        "00000000-0000-0000-0000-000000000000",
        "a1B2c3D4-0000-4000-8000-abcdefABCDEF",
    ],
    invalid: &[
        "not-a-guid",
        "00000000-0000-0000-0000-00000000000",
        "00000000000000000000000000000000",
        "{00000000-0000-0000-0000-000000000000}",
        "g0000000-0000-0000-0000-000000000000",
    ],
};

/// `vm_size` of clusters and instances.
pub static VM_SIZE: Rule = Rule {
    key: "vm_size",
    what: "VM size",
    kind: Kind::Text(Text::shaped(
        10,
        None,
        Shape {
            prefix: "Standard_",
            first: None,
            rest: Class("A-Za-z0-9_"),
            last: None,
        },
    )),
    wording: "an Azure VM size such as `Standard_DS3_v2`",
    valid: &["Standard_DS3_v2", "Standard_A"],
    invalid: &["DS3_v2", "Standard_", "standard_DS3_v2", "Standard_DS3-v2"],
};

/// The form of every address range in the spec (their sizes are [`ADDRESS_SPACE`]'s and
/// [`SUBNET`]'s).
pub static IPV4_CIDR: Rule = Rule {
    key: "ipv4_cidr",
    what: "address range",
    kind: Kind::Cidr {
        min_prefix: 0,
        max_prefix: 32,
    },
    wording: "an IPv4 address range in CIDR notation such as `10.0.0.0/16`",
    valid: &["10.0.0.0/16", "0.0.0.0/0", "255.255.255.255/32"],
    invalid: &[
        "10.0.0.1/16",
        "010.0.0.0/16",
        "10.0.0.0/016",
        "10.0.0.0/33",
        "256.0.0.0/8",
        "10.0.0.0",
        " 10.0.0.0/16",
        "::/0",
    ],
};

/// A virtual network's address space.
pub static ADDRESS_SPACE: Rule = Rule {
    key: "address_space",
    what: "address space",
    kind: Kind::Cidr {
        min_prefix: 8,
        max_prefix: 29,
    },
    wording: "a CIDR range from /{min} to /{max} such as `10.0.0.0/16`",
    valid: &["10.0.0.0/16", "10.0.0.0/8", "10.0.0.0/29"],
    invalid: &[
        "10.0.0.0/7",
        "10.0.0.0/30",
        "10.0.0.1/16",
        "010.0.0.0/16",
        "abc",
    ],
};

/// A subnet's range: Azure needs at least a /29.
pub static SUBNET: Rule = Rule {
    key: "subnet_address_prefix",
    what: "subnet range",
    kind: Kind::Cidr {
        min_prefix: 0,
        max_prefix: 29,
    },
    wording: "a CIDR range of /{max} or larger",
    valid: &["10.0.1.0/24", "10.0.0.0/29"],
    invalid: &["10.0.0.0/30", "10.0.1.1/24", "abc", ""],
};

/// `mlops.compute_clusters[].name`.
pub static CLUSTER_NAME: Rule = Rule {
    key: "compute_cluster_name",
    what: "compute cluster name",
    kind: Kind::Text(Text::shaped(
        3,
        Some(32),
        Shape {
            prefix: "",
            first: Some(Class("A-Za-z")),
            rest: Class("A-Za-z0-9-"),
            last: Some(Class("A-Za-z0-9")),
        },
    )),
    wording: "{len} letters, digits and hyphens, starting with a letter and ending with a letter \
              or digit",
    valid: &["cpu", "cpu-cluster", "A{b*31}"],
    invalid: &["ab", "1cpu", "cpu-", "cpu_cluster", "{a*33}"],
};

/// `mlops.compute_instances[].name`.
pub static INSTANCE_NAME: Rule = Rule {
    key: "compute_instance_name",
    what: "compute instance name",
    kind: Kind::Text(Text::shaped(
        3,
        Some(24),
        Shape {
            prefix: "",
            first: Some(Class("A-Za-z")),
            rest: Class("A-Za-z0-9-"),
            last: Some(Class("A-Za-z0-9")),
        },
    )),
    wording: "{len} letters, digits and hyphens, starting with a letter and ending with a letter \
              or digit",
    valid: &["dev", "dev-box-1", "A{b*23}"],
    invalid: &["ab", "1st-instance", "dev-", "dev_box", "{a*25}"],
};

/// Compute clusters and instances share one namespace per workspace, without regard to case.
pub static DISTINCT_COMPUTE_NAMES: Rule = Rule {
    key: "distinct_compute_names",
    what: "compute instance name",
    kind: Kind::DistinctKeys,
    wording: "different from the compute cluster names, ignoring case",
    valid: &[
        r#"[["dev-box"], ["cpu-cluster"]]"#,
        r#"[[], ["cpu-cluster"]]"#,
    ],
    invalid: &[
        r#"[["cpu-cluster"], ["cpu-cluster"]]"#,
        r#"[["dev", "CPU-Cluster"], ["cpu-cluster"]]"#,
    ],
};

// ------------------------------------------------------------------ Azure resource names

/// Resource group (also `backend.resource_group_name`).
pub static RESOURCE_GROUP: Rule = Rule {
    key: "resource_group_name",
    what: "resource group name",
    kind: Kind::Text(Text::shaped(
        1,
        Some(90),
        Shape {
            prefix: "",
            first: None,
            rest: Class("-A-Za-z0-9_.()"),
            last: Some(Class("-A-Za-z0-9_()")),
        },
    )),
    wording: "{len} letters, digits, underscores, hyphens, periods and parentheses, not ending \
              with a period",
    valid: &["rg-churn-dev", "a", "(rg)_x.y-1", "{a*90}"],
    invalid: &["", "rg.", "rg churn", "rg/x", "rg-\u{e9}", "{a*91}"],
};

/// Key Vault (globally unique).
pub static KEY_VAULT: Rule = Rule {
    key: "key_vault_name",
    what: "Key Vault name",
    kind: Kind::Text(Text {
        forbidden_substrings: &["--"],
        ..Text::shaped(
            3,
            Some(24),
            Shape {
                prefix: "",
                first: Some(Class("a-zA-Z")),
                rest: Class("a-zA-Z0-9-"),
                last: Some(Class("a-zA-Z0-9")),
            },
        )
    }),
    wording: "{len} letters, digits and single hyphens, starting with a letter and ending with a \
              letter or digit",
    valid: &["kv-churn-dev-a1b2", "abc", "{a*24}"],
    invalid: &["kv--double", "1kv-abc", "kv-", "ab", "{a*25}", "kv_abc"],
};

/// Log Analytics workspace.
pub static LOG_ANALYTICS_WORKSPACE: Rule = Rule {
    key: "log_analytics_workspace_name",
    what: "Log Analytics workspace name",
    kind: Kind::Text(Text::shaped(
        4,
        Some(63),
        Shape {
            prefix: "",
            first: Some(Class("a-zA-Z0-9")),
            rest: Class("a-zA-Z0-9-"),
            last: Some(Class("a-zA-Z0-9")),
        },
    )),
    wording: "{len} letters, digits and hyphens, starting and ending with a letter or digit",
    valid: &["log-churn-dev", "1abc", "{a*63}"],
    invalid: &["abc", "-abc", "abc-", "log_churn", "{a*64}"],
};

/// Application Insights component.
pub static APPLICATION_INSIGHTS: Rule = Rule {
    key: "application_insights_name",
    what: "Application Insights name",
    kind: Kind::Text(Text {
        min: 1,
        max: Some(260),
        shape: None,
        forbidden_chars: Some(Class(r"%&\\?/")),
        forbidden_substrings: &[],
        forbidden_endings: &[" ", "."],
    }),
    wording: r"{len} characters without % & \ ? /, not ending with a space or period",
    valid: &["appi-churn-dev", "a b", "\u{e9}", "{a*260}"],
    invalid: &["", "a/b", "a%b", r"a\b", "appi.", "appi ", "{a*261}"],
};

/// Machine Learning workspace.
pub static MACHINE_LEARNING_WORKSPACE: Rule = Rule {
    key: "machine_learning_workspace_name",
    what: "Machine Learning workspace name",
    kind: Kind::Text(Text::shaped(
        3,
        Some(33),
        Shape {
            prefix: "",
            first: Some(Class("a-zA-Z0-9")),
            rest: Class("a-zA-Z0-9_-"),
            last: None,
        },
    )),
    wording: "{len} letters, digits, hyphens and underscores, starting with a letter or digit",
    valid: &["mlw-churn-dev", "1a_", "{a*33}"],
    invalid: &["ab", "-abc", "_abc", "mlw.churn", "{a*34}"],
};

/// Storage account (globally unique; also `backend.storage_account_name`).
pub static STORAGE_ACCOUNT: Rule = Rule {
    key: "storage_account_name",
    what: "storage account name",
    kind: Kind::Text(Text::shaped(
        3,
        Some(24),
        Shape {
            prefix: "",
            first: None,
            rest: Class("a-z0-9"),
            last: None,
        },
    )),
    wording: "{len} lowercase letters and digits",
    valid: &["stchurndevxxxx", "abc", "{a*24}"],
    invalid: &["ab", "stChurn", "st-churn", "abc\n", "{a*25}"],
};

/// Container registry (globally unique).
pub static CONTAINER_REGISTRY: Rule = Rule {
    key: "container_registry_name",
    what: "container registry name",
    kind: Kind::Text(Text::shaped(
        5,
        Some(50),
        Shape {
            prefix: "",
            first: None,
            rest: Class("a-zA-Z0-9"),
            last: None,
        },
    )),
    wording: "{len} letters and digits",
    valid: &["crchurndev", "ABCDE", "{a*50}"],
    invalid: &["abcd", "cr-churn", "{a*51}"],
};

/// User-assigned managed identity.
pub static MANAGED_IDENTITY: Rule = Rule {
    key: "managed_identity_name",
    what: "managed identity name",
    kind: Kind::Text(Text::shaped(
        3,
        Some(128),
        Shape {
            prefix: "",
            first: Some(Class("a-zA-Z0-9")),
            rest: Class("a-zA-Z0-9_-"),
            last: None,
        },
    )),
    wording: "{len} letters, digits, hyphens and underscores, starting with a letter or digit",
    valid: &["id-churn-dev", "id_x", "{a*128}"],
    invalid: &["id", "-id-x", "id.x", "{a*129}"],
};

/// Virtual network.
pub static VIRTUAL_NETWORK: Rule = Rule {
    key: "virtual_network_name",
    what: "virtual network name",
    kind: Kind::Text(Text::shaped(
        2,
        Some(64),
        Shape {
            prefix: "",
            first: Some(Class("a-zA-Z0-9")),
            rest: Class("a-zA-Z0-9_.-"),
            last: Some(Class("a-zA-Z0-9_")),
        },
    )),
    wording: "{len} letters, digits, underscores, periods and hyphens, starting with a letter or \
              digit and ending with a letter, digit or underscore",
    valid: &["vnet-churn-dev", "ab", "v_", "{a*64}"],
    invalid: &["a", "-vnet", "vnet-", "vnet.", "{a*65}"],
};

/// The Microsoft.Network shape: alphanumerics, underscores, periods and hyphens, starting with
/// an alphanumeric and ending with an alphanumeric or underscore.
const NETWORK_SHAPE: Shape = Shape {
    prefix: "",
    first: Some(Class("a-zA-Z0-9")),
    rest: Class("a-zA-Z0-9_.-"),
    last: Some(Class("a-zA-Z0-9_")),
};

/// Private endpoint (`pe-<resource>-<sub-resource>`, derived by mlgen).
pub static PRIVATE_ENDPOINT: Rule = Rule {
    key: "private_endpoint_name",
    what: "private endpoint name",
    kind: Kind::Text(Text::shaped(2, Some(64), NETWORK_SHAPE)),
    wording: "{len} letters, digits, underscores, periods and hyphens, starting with a letter or \
              digit and ending with a letter, digit or underscore",
    valid: &["pe-stchurndevxxxx-blob", "pe", "{a*64}"],
    invalid: &["p", "-pe", "pe-", "{a*65}"],
};

/// Subnets, network security groups, public IPs, NAT gateways and private DNS zone links: the
/// other Microsoft.Network names mlgen derives (`snet-…`, `nsg-…`, `pip-…`, `ng-…`, `link-…`).
/// Azure allows 1-80; a one-character name (first and last character at once) is beyond the
/// shape model, and mlgen never derives one.
pub static NETWORK_RESOURCE: Rule = Rule {
    key: "network_resource_name",
    what: "network resource name",
    kind: Kind::Text(Text::shaped(2, Some(80), NETWORK_SHAPE)),
    wording: "{len} letters, digits, underscores, periods and hyphens, starting with a letter or \
              digit and ending with a letter, digit or underscore",
    valid: &["nsg-vnet-churn-dev-training", "ab", "a_", "{a*80}"],
    invalid: &["a", "-nsg", "nsg.", "{a*81}"],
};

/// Diagnostic setting (`diag-<resource>`, derived by mlgen): Microsoft.Insights
/// `diagnosticSettings` (learn.microsoft.com, "Naming rules and restrictions for Azure
/// resources").
pub static DIAGNOSTIC_SETTING: Rule = Rule {
    key: "diagnostic_setting_name",
    what: "diagnostic setting name",
    kind: Kind::Text(Text {
        min: 1,
        max: Some(260),
        shape: None,
        forbidden_chars: Some(Class(r"*#&+:<>?@%{}\\/\p{Cc}")),
        forbidden_substrings: &[],
        forbidden_endings: &[" ", "."],
    }),
    wording: r"{len} characters without * # & + : < > ? @ % braces \ / or control characters, not ending with a space or period",
    valid: &["diag-stchurndevxxxx-blob", "a", "{a*260}"],
    invalid: &["", "a/b", "a:b", "diag.", "{a*261}"],
};

/// Bicep module deployment (`<project>-<env>-<module>`): Microsoft.Resources `deployments`.
pub static DEPLOYMENT: Rule = Rule {
    key: "deployment_name",
    what: "deployment name",
    kind: Kind::Text(Text::shaped(
        1,
        Some(64),
        Shape {
            prefix: "",
            first: None,
            rest: Class("a-zA-Z0-9_().-"),
            last: None,
        },
    )),
    wording: "{len} letters, digits, underscores, parentheses, hyphens and periods",
    valid: &["churn-dev-ml", "a", "{a*64}"],
    invalid: &["", "a/b", "a b", "{a*65}"],
};

/// Blob container (`backend.container_name`).
pub static STORAGE_CONTAINER: Rule = Rule {
    key: "storage_container_name",
    what: "blob container name",
    kind: Kind::Text(Text {
        forbidden_substrings: &["--"],
        ..Text::shaped(
            3,
            Some(63),
            Shape {
                prefix: "",
                first: Some(Class("a-z0-9")),
                rest: Class("a-z0-9-"),
                last: Some(Class("a-z0-9")),
            },
        )
    }),
    wording: "{len} lowercase letters, digits and single hyphens, starting and ending with a \
              letter or digit",
    valid: &["tfstate", "a-b-c", "{a*63}"],
    invalid: &["ab", "a--b", "-abc", "abc-", "Tfstate", "{a*64}"],
};

// ------------------------------------------------------------------ settings

/// Key Vault pricing tier.
pub static KEY_VAULT_SKU: Rule = Rule {
    key: "key_vault_sku",
    what: "Key Vault SKU",
    kind: Kind::OneOf(Allowed {
        prefix: "",
        values: &["standard", "premium"],
    }),
    wording: "",
    valid: &["standard", "premium"],
    invalid: &["Standard", "basic", ""],
};

/// How Bicep creates the Key Vault (`recover` brings back a soft-deleted one).
pub static KEY_VAULT_CREATE_MODE: Rule = Rule {
    key: "key_vault_create_mode",
    what: "Key Vault create mode",
    kind: Kind::OneOf(Allowed {
        prefix: "",
        values: &["default", "recover"],
    }),
    wording: "",
    valid: &["default", "recover"],
    invalid: &["Default", "purge"],
};

/// Days a deleted Key Vault stays recoverable.
pub static KEY_VAULT_RETENTION_DAYS: Rule = Rule {
    key: "key_vault_retention_days",
    what: "Key Vault retention",
    kind: Kind::Whole {
        min: 7,
        max: Some(90),
    },
    wording: "",
    valid: &["7", "90", "30"],
    invalid: &["6", "91", "7.5", "-7"],
};

/// Days Log Analytics keeps data.
pub static LOG_ANALYTICS_RETENTION_DAYS: Rule = Rule {
    key: "log_analytics_retention_days",
    what: "Log Analytics retention",
    kind: Kind::Whole {
        min: 30,
        max: Some(730),
    },
    wording: "",
    valid: &["30", "730", "90"],
    invalid: &["29", "731", "30.5"],
};

/// Application Insights application type.
pub static APPLICATION_INSIGHTS_TYPE: Rule = Rule {
    key: "application_insights_type",
    what: "Application Insights type",
    kind: Kind::OneOf(Allowed {
        prefix: "",
        values: &["web", "other"],
    }),
    wording: "",
    valid: &["web", "other"],
    invalid: &["Web", "java"],
};

const REPLICATIONS: &[&str] = &["LRS", "ZRS", "GRS", "GZRS", "RAGRS", "RAGZRS"];

/// Storage replication (Terraform's `account_replication_type`).
pub static STORAGE_REPLICATION: Rule = Rule {
    key: "storage_replication",
    what: "storage replication",
    kind: Kind::OneOf(Allowed {
        prefix: "",
        values: REPLICATIONS,
    }),
    wording: "",
    valid: &["LRS", "RAGZRS"],
    invalid: &["lrs", "Standard_LRS", "PREMIUM"],
};

/// Storage SKU (Bicep's `sku.name`): the Standard tier with the replication.
pub static STORAGE_SKU: Rule = Rule {
    key: "storage_sku",
    what: "storage SKU",
    kind: Kind::OneOf(Allowed {
        prefix: "Standard_",
        values: REPLICATIONS,
    }),
    wording: "",
    valid: &["Standard_LRS", "Standard_RAGZRS"],
    invalid: &["LRS", "Premium_LRS", "Standard_lrs"],
};

/// Compute cluster VM priority.
pub static VM_PRIORITY: Rule = Rule {
    key: "vm_priority",
    what: "VM priority",
    kind: Kind::OneOf(Allowed {
        prefix: "",
        values: &["Dedicated", "LowPriority"],
    }),
    wording: "",
    valid: &["Dedicated", "LowPriority"],
    invalid: &["dedicated", "low_priority", "Spot"],
};

/// Nodes a cluster keeps running when idle.
pub static MIN_NODES: Rule = Rule {
    key: "min_nodes",
    what: "minimum node count",
    kind: Kind::Whole { min: 0, max: None },
    wording: "",
    valid: &["0", "5"],
    invalid: &["-1", "0.5"],
};

/// Upper bound of a cluster's autoscaler.
pub static MAX_NODES: Rule = Rule {
    key: "max_nodes",
    what: "maximum node count",
    kind: Kind::Whole { min: 1, max: None },
    wording: "",
    valid: &["1", "100"],
    invalid: &["0", "1.5"],
};

/// A cluster's autoscaler bounds in order.
pub static NODES_IN_ORDER: Rule = Rule {
    key: "max_nodes_at_least_min_nodes",
    what: "compute cluster",
    kind: Kind::AtLeast {
        field: "max_nodes",
        other: "min_nodes",
    },
    wording: "",
    valid: &[
        r#"{"min_nodes": 0, "max_nodes": 4}"#,
        r#"{"min_nodes": 2, "max_nodes": 2}"#,
    ],
    invalid: &[r#"{"min_nodes": 3, "max_nodes": 2}"#],
};

/// Idle time before a cluster node is released.
pub static IDLE_SECONDS: Rule = Rule {
    key: "idle_seconds_before_scale_down",
    what: "idle time",
    kind: Kind::Whole { min: 60, max: None },
    wording: "",
    valid: &["60", "120"],
    invalid: &["59", "60.5"],
};

// ------------------------------------------------------------------ tags

/// A tag name. Storage accounts allow only 128 characters, and every mlgen tag lands on the
/// storage account too.
pub static TAG_NAME: Rule = Rule {
    key: "tag_name",
    what: "tag name",
    kind: Kind::Text(Text {
        min: 1,
        max: Some(128),
        shape: None,
        forbidden_chars: Some(Class(r"<>%&\\?/\p{Cc}")),
        forbidden_substrings: &[],
        forbidden_endings: &[],
    }),
    wording: r"{len} characters without < > % & \ ? / or control characters",
    valid: &["owner", "cost-center", "\u{e9}", "{a*128}"],
    invalid: &["", "a/b", "a<b", r"a\b", "a\u{7}b", "a\tb", "{a*129}"],
};

/// A tag value.
pub static TAG_VALUE: Rule = Rule {
    key: "tag_value",
    what: "tag value",
    kind: Kind::Text(Text {
        min: 0,
        max: Some(256),
        shape: None,
        forbidden_chars: None,
        forbidden_substrings: &[],
        forbidden_endings: &[],
    }),
    wording: "at most {max} characters",
    valid: &["", "x", "a/b <>", "{a*256}"],
    invalid: &["{a*257}"],
};

/// The tags of a resource.
pub static TAGS: Rule = Rule {
    key: "tags",
    what: "tags",
    kind: Kind::Tags {
        max: 50,
        name: &TAG_NAME,
        value: &TAG_VALUE,
    },
    wording: "",
    valid: &[
        "{}",
        r#"{"owner": "data-platform", "cost-center": ""}"#,
        concat!(
            r#"{"a":"","b":"","c":"","d":"","e":"","f":"","g":"","h":"","i":"","j":"","#,
            r#""k":"","l":"","m":"","n":"","o":"","p":"","q":"","r":"","s":"","t":"","#,
            r#""u":"","v":"","w":"","x":"","y":"","z":"","A":"","B":"","C":"","D":"","#,
            r#""E":"","F":"","G":"","H":"","I":"","J":"","K":"","L":"","M":"","N":"","#,
            r#""O":"","P":"","Q":"","R":"","S":"","T":"","U":"","V":"","W":"","X":""}"#
        ),
    ],
    invalid: &[
        r#"{"": "x"}"#,
        r#"{"a/b": "x"}"#,
        concat!(
            r#"{"a":"","b":"","c":"","d":"","e":"","f":"","g":"","h":"","i":"","j":"","#,
            r#""k":"","l":"","m":"","n":"","o":"","p":"","q":"","r":"","s":"","t":"","#,
            r#""u":"","v":"","w":"","x":"","y":"","z":"","A":"","B":"","C":"","D":"","#,
            r#""E":"","F":"","G":"","H":"","I":"","J":"","K":"","L":"","M":"","N":"","#,
            r#""O":"","P":"","Q":"","R":"","S":"","T":"","U":"","V":"","W":"","X":"","Y":""}"#
        ),
    ],
};

// ------------------------------------------------------------------ resource IDs

/// The Key Vault a workspace uses.
pub static KEY_VAULT_ID: Rule = Rule {
    key: "key_vault_id",
    what: "Key Vault ID",
    kind: Kind::ResourceId(Some("Microsoft.KeyVault/vaults")),
    wording: "a Key Vault resource ID",
    valid: &[
        "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1",
        "/SUBSCRIPTIONS/0000/resourcegroups/rg/providers/microsoft.keyvault/VAULTS/kv1",
        "/\u{17f}ubscriptions/0/resourceGroups/rg/providers/Microsoft.\u{212a}eyVault/vaults/kv",
    ],
    invalid: &[
        "",
        "kv1",
        "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/",
        "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st",
        "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1/keys/k",
        "/subscriptions/0000/resourceGroups/rg/providers/MicrosoftXKeyVault/vaults/kv1",
    ],
};

/// The Application Insights component a workspace uses.
pub static APPLICATION_INSIGHTS_ID: Rule = Rule {
    key: "application_insights_id",
    what: "Application Insights ID",
    kind: Kind::ResourceId(Some("Microsoft.Insights/components")),
    wording: "an Application Insights resource ID",
    valid: &["/subscriptions/0/resourceGroups/rg/providers/Microsoft.Insights/components/appi"],
    invalid: &[
        "appi",
        "/subscriptions/0/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1",
    ],
};

/// Any other resource a module is given (subnets, DNS zones, the Log Analytics workspace).
pub static RESOURCE_ID: Rule = Rule {
    key: "resource_id",
    what: "resource ID",
    kind: Kind::ResourceId(None),
    wording: "a resource ID",
    valid: &[
        "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
        "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/a.b.c",
    ],
    invalid: &[
        "",
        "x",
        "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks",
        "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets",
    ],
};

/// Every rule, in catalog order (the order [`describe_pattern`] searches).
pub static ALL: &[&Rule] = &[
    &PROJECT_NAME,
    &ENVIRONMENT,
    &GLOBAL_NAME_SUFFIX,
    &LOCATION,
    &OBJECT_ID,
    &VM_SIZE,
    &IPV4_CIDR,
    &ADDRESS_SPACE,
    &SUBNET,
    &CLUSTER_NAME,
    &INSTANCE_NAME,
    &DISTINCT_COMPUTE_NAMES,
    &RESOURCE_GROUP,
    &KEY_VAULT,
    &LOG_ANALYTICS_WORKSPACE,
    &APPLICATION_INSIGHTS,
    &MACHINE_LEARNING_WORKSPACE,
    &STORAGE_ACCOUNT,
    &CONTAINER_REGISTRY,
    &MANAGED_IDENTITY,
    &VIRTUAL_NETWORK,
    &PRIVATE_ENDPOINT,
    &NETWORK_RESOURCE,
    &DIAGNOSTIC_SETTING,
    &DEPLOYMENT,
    &STORAGE_CONTAINER,
    &KEY_VAULT_SKU,
    &KEY_VAULT_CREATE_MODE,
    &KEY_VAULT_RETENTION_DAYS,
    &LOG_ANALYTICS_RETENTION_DAYS,
    &APPLICATION_INSIGHTS_TYPE,
    &STORAGE_REPLICATION,
    &STORAGE_SKU,
    &VM_PRIORITY,
    &MIN_NODES,
    &MAX_NODES,
    &NODES_IN_ORDER,
    &IDLE_SECONDS,
    &TAG_NAME,
    &TAG_VALUE,
    &TAGS,
    &KEY_VAULT_ID,
    &APPLICATION_INSIGHTS_ID,
    &RESOURCE_ID,
];

/// The rule templates call `key`.
pub fn get(key: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|rule| rule.key == key)
}

/// What a schema pattern means, in words, for diagnostics: the wording of the first rule whose
/// schema pattern it is.
pub fn describe_pattern(pattern: &str) -> Option<String> {
    ALL.iter()
        .find(|rule| rule.try_schema_pattern().is_some_and(|p| p == pattern))
        .map(|rule| rule.wording())
        .or_else(|| {
            pipelines::ALL
                .iter()
                .find(|shape| shape.pattern == pattern)
                .map(|shape| shape.wording.to_owned())
        })
}

/// A rule as templates see it in `rules.<key>`: its wording without backticks and its limits,
/// for descriptions that state a rule (`{{ rules.vm_priority.wording }}`).
#[derive(Debug, Serialize)]
pub struct RuleView {
    /// [`Rule::plain_wording`].
    pub wording: String,
    /// Smallest value, or shortest length, or shortest CIDR prefix.
    pub min: Option<usize>,
    /// Largest value, or longest length, or longest CIDR prefix, or most tags.
    pub max: Option<usize>,
}

/// Every rule by key, for the template context.
pub fn views() -> BTreeMap<&'static str, RuleView> {
    ALL.iter()
        .map(|rule| {
            let widen = |n: u32| usize::try_from(n).ok();
            let (min, max) = match rule.kind {
                Kind::Whole { min, max } => (widen(min), max.and_then(widen)),
                Kind::Cidr {
                    min_prefix,
                    max_prefix,
                } => (Some(usize::from(min_prefix)), Some(usize::from(max_prefix))),
                Kind::Tags { max, .. } => (None, Some(max)),
                _ => {
                    let (min, max) = rule.length_range();
                    (Some(min), max)
                }
            };
            let view = RuleView {
                wording: rule.plain_wording(),
                min,
                max,
            };
            (rule.key, view)
        })
        .collect()
}

/// A sample value of `rule`: `{x*N}` in it stands for N copies of `x`, and samples of the
/// kinds that are not strings are JSON.
pub fn sample_value(rule: &Rule, sample: &str) -> serde_json::Value {
    let text = expand(sample);
    match rule.kind {
        Kind::Whole { .. } | Kind::Tags { .. } | Kind::AtLeast { .. } | Kind::DistinctKeys => {
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("rule {}: sample {sample}: {e}", rule.key))
        }
        _ => serde_json::Value::String(text),
    }
}

fn expand(sample: &str) -> String {
    let mut out = String::new();
    let mut rest = sample;
    while let Some(open) = rest.find('{') {
        let repeat = rest[open + 1..].find('}').and_then(|close| {
            let (unit, count) = rest[open + 1..open + 1 + close].split_once('*')?;
            Some((unit, count.parse::<usize>().ok()?, open + 1 + close))
        });
        if let Some((unit, count, close)) = repeat {
            out.push_str(&rest[..open]);
            out.push_str(&unit.repeat(count));
            rest = &rest[close + 1..];
        } else {
            out.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_found() {
        for (i, rule) in ALL.iter().enumerate() {
            assert!(
                ALL[..i].iter().all(|r| r.key != rule.key),
                "{} twice",
                rule.key
            );
            assert!(std::ptr::eq(get(rule.key).unwrap(), *rule));
        }
    }

    #[test]
    fn every_sample_gets_the_verdict_it_is_listed_under() {
        for rule in ALL {
            assert!(
                !rule.valid.is_empty() && !rule.invalid.is_empty(),
                "{}",
                rule.key
            );
            for (samples, expected) in [(rule.valid, true), (rule.invalid, false)] {
                for sample in samples {
                    let value = sample_value(rule, sample);
                    assert_eq!(rule.accepts(&value), expected, "{}: {sample:?}", rule.key);
                }
            }
        }
    }

    #[test]
    fn wording_states_numbers_only_through_placeholders() {
        for rule in ALL {
            let written: String = rule.wording.split('`').step_by(2).collect();
            assert!(
                !written
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit())),
                "{}: write limits as {{min}}, {{max}} or {{len}}",
                rule.key
            );
            assert!(!rule.wording().contains('{'), "{}", rule.key);
        }
    }

    #[test]
    fn patterns_are_the_ones_the_schema_always_had() {
        assert_eq!(PROJECT_NAME.schema_pattern(), "^[a-z][a-z0-9]{1,11}$");
        assert_eq!(ENVIRONMENT.schema_pattern(), "^[a-z][a-z0-9]{0,7}$");
        assert_eq!(LOCATION.schema_pattern(), "^[a-z][a-z0-9]*$");
        assert_eq!(VM_SIZE.schema_pattern(), "^Standard_[A-Za-z0-9_]+$");
        assert_eq!(
            STORAGE_CONTAINER.schema_pattern(),
            "^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$"
        );
        assert_eq!(
            KEY_VAULT.re2_pattern().unwrap(),
            "^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$"
        );
        assert_eq!(
            RESOURCE_GROUP.schema_pattern(),
            "^[-A-Za-z0-9_.()]{0,89}[-A-Za-z0-9_()]$"
        );
    }

    #[test]
    fn shapes_fit_their_lengths_and_schema_patterns_are_plain_ecma() {
        for rule in ALL {
            if let Kind::Text(Text {
                min,
                shape: Some(shape),
                ..
            }) = rule.kind
            {
                let fixed = shape.prefix.len()
                    + usize::from(shape.first.is_some())
                    + usize::from(shape.last.is_some());
                assert!(
                    min >= fixed,
                    "{}: shorter than its fixed characters",
                    rule.key
                );
            }
            if let Some(pattern) = rule.try_schema_pattern() {
                assert!(
                    !pattern.contains(r"\p") && !pattern.contains("(?i)"),
                    "{}",
                    rule.key
                );
            }
        }
    }

    #[test]
    fn classes_read_ranges_escapes_and_literal_hyphens() {
        let class = Class(r"-a-c_\\\p{Cc}x-");
        for c in ['-', 'a', 'b', 'c', '_', '\\', '\u{7}', 'x'] {
            assert!(class.contains(c), "{c:?}");
        }
        for c in ['d', 'A', ' ', '/'] {
            assert!(!class.contains(c), "{c:?}");
        }
    }

    #[test]
    fn derived_name_problems_read_as_sentences() {
        assert_eq!(
            KEY_VAULT.check_name("kv-customerlife-staging1-xxxx"),
            Err(
                "the derived Key Vault name `kv-customerlife-staging1-xxxx` is 29 characters \
                 long; Azure allows 3-24"
                    .into()
            )
        );
        assert_eq!(
            KEY_VAULT.check_name("kv--x"),
            Err(
                "the derived Key Vault name `kv--x` is not allowed by Azure, which needs 3-24 \
                 letters, digits and single hyphens, starting with a letter and ending with a \
                 letter or digit"
                    .into()
            )
        );
    }

    /// The Azure spellings of a spec enum's variants, in declaration order.
    fn azure_names<T>() -> Vec<String>
    where
        T: crate::spec::AzureName + serde::de::DeserializeOwned + schemars::JsonSchema,
    {
        let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap();
        schema["enum"]
            .as_array()
            .expect("an enum of strings")
            .iter()
            .map(|v| {
                serde_json::from_value::<T>(v.clone())
                    .unwrap()
                    .azure_name()
                    .to_owned()
            })
            .collect()
    }

    #[test]
    fn spec_enums_are_the_allowed_values_in_azure_spelling() {
        use crate::spec::{ApplicationType, KeyVaultSku, Replication, VmPriority};
        let values = |rule: &Rule| match rule.kind {
            Kind::OneOf(allowed) => allowed.list(),
            _ => unreachable!(),
        };
        assert_eq!(azure_names::<KeyVaultSku>(), values(&KEY_VAULT_SKU));
        assert_eq!(
            azure_names::<ApplicationType>(),
            values(&APPLICATION_INSIGHTS_TYPE)
        );
        assert_eq!(azure_names::<Replication>(), values(&STORAGE_REPLICATION));
        assert_eq!(azure_names::<VmPriority>(), values(&VM_PRIORITY));
    }

    #[test]
    fn descriptions_of_patterns_find_the_first_rule() {
        assert_eq!(
            describe_pattern(&SUBNET.schema_pattern()).as_deref(),
            Some("an IPv4 address range in CIDR notation such as `10.0.0.0/16`")
        );
        assert_eq!(describe_pattern("^x$"), None);
        assert_eq!(expand("a{b*3}c{d}"), "abbbc{d}");
    }
}
