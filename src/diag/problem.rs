//! Every problem mlgen reports in a spec, and the one place each is put into words.
//!
//! The detectors (the YAML reader, the schema pass, the semantic rules) find a problem and build
//! a [`Problem`] holding what the sentence needs: names, numbers, address ranges, the key path.
//! This module turns it into the message and the help line of a
//! [`Diagnostic`](super::Diagnostic); the detectors hold no message text. The variants follow a
//! spec from top to bottom, so the list reads as the catalogue of mlgen's diagnostics (as
//! `just`'s `CompileErrorKind` is of its errors). Where a rule of the catalog in
//! [`crate::rules`] words a limit (`rule.wording()`, `rule.check_name()`), the variant carries
//! that wording rather than repeating it.

use std::fmt;

use jsonschema::JsonType;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization as _;

use super::{Severity, key_path};
use crate::cidr::Cidr;
use crate::layout::FolderProblem;
use crate::rules;

/// One problem in a spec, with the data its message needs.
///
/// A variant nothing constructs is a message mlgen never prints, so dead code is an error here:
/// the catalogue lists exactly what the validator reports.
#[deny(dead_code)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Problem {
    // The file as YAML (the bounded reader, before any key is looked at).
    /// The YAML parser refused the text.
    YamlSyntax { info: String },
    /// A tab in a line's indentation, which YAML forbids.
    TabIndent,
    /// A flow collection (`[` or `{`) never closed, or closed by the other bracket.
    Unclosed { open: char, close: char },
    /// Mappings and sequences nested deeper than the reader allows.
    TooDeep { max: usize },
    /// A `---` starting a second document.
    SecondDocument,
    /// A scalar value longer than the reader allows.
    ValueTooLong { bytes: usize, max: usize },
    /// A mapping key longer than the reader allows.
    KeyTooLong { bytes: usize, max: usize },
    /// More aliases (`*name`) than the reader allows.
    TooManyAliases { max: usize },
    /// An alias to no anchor.
    UnknownAnchor,
    /// An alias to a mapping or list used as a key.
    AliasAsKey,
    /// A mapping or list used as a key.
    CollectionAsKey,
    /// More values than the reader allows, aliases expanded.
    TooManyValues { max: usize },
    /// More text than the reader allows, aliases expanded.
    TooMuchText { max: usize },
    /// Keys so long for their nesting that their paths outgrow the span index.
    KeyPathsTooLong { max: usize },
    /// A key written twice in one mapping (`mapping` is the document for top-level keys).
    DuplicateKey { key: String, mapping: KeyPath },

    // The document as a whole.
    /// A `version` other than 1, the only spec format there is.
    UnsupportedVersion { found: Found },
    /// A spec with nothing in it.
    EmptySpec,
    /// A document that is a list or a scalar rather than a mapping.
    NotAMapping { found: Found },
    /// No `extra` at all, where the team templates' `extra.schema.json` needs one (`required`
    /// lists the keys it requires in it).
    ExtraMissing { required: Vec<String> },

    // Any key: what the JSON Schema refuses.
    /// A key the schema does not know, with the closest known one and the known ones.
    UnknownKey {
        key: String,
        mapping: KeyPath,
        suggestion: Option<String>,
        expected: Vec<String>,
    },
    /// A required key left out.
    MissingKey { key: String, mapping: KeyPath },
    /// A value of the wrong type (several types when the schema allows several).
    WrongType {
        at: KeyPath,
        expected: Vec<JsonType>,
        found: Found,
    },
    /// A value outside a fixed list, with the closest choice.
    NotOneOf {
        at: KeyPath,
        choices: Vec<String>,
        found: Found,
        suggestion: Option<String>,
    },
    /// A string not matching its pattern: `rule` is the catalog's wording of the pattern, when a
    /// rule has it; `suggestion` the canonical range a mis-spelt address range likely means;
    /// `description` the schema's own words for the value (a team schema's, where no rule
    /// words the pattern).
    NoMatch {
        at: KeyPath,
        rule: Option<String>,
        pattern: String,
        found: Found,
        suggestion: Option<Cidr>,
        description: Option<String>,
    },
    /// A number below the schema's minimum.
    BelowMinimum {
        at: KeyPath,
        limit: Value,
        found: Found,
    },
    /// A number above the schema's maximum.
    AboveMaximum {
        at: KeyPath,
        limit: Value,
        found: Found,
    },
    /// A list shorter than the schema allows.
    TooFewItems { at: KeyPath, limit: u64 },
    /// A list longer than mlgen renders.
    TooManyItems { at: KeyPath, limit: u64 },
    /// A list holding the same item twice.
    RepeatedItem { at: KeyPath },
    /// A number not above an exclusive minimum.
    NotAboveMinimum {
        at: KeyPath,
        limit: Value,
        found: Found,
    },
    /// A number not below an exclusive maximum.
    NotBelowMaximum {
        at: KeyPath,
        limit: Value,
        found: Found,
    },
    /// A number that is not a multiple of the schema's `multipleOf`.
    NotMultiple { at: KeyPath, of: f64, found: Found },
    /// A string shorter than the schema allows, in characters.
    TooShort {
        at: KeyPath,
        limit: u64,
        found: Found,
    },
    /// A string longer than the schema allows, in characters.
    TooLong {
        at: KeyPath,
        limit: u64,
        found: Found,
    },
    /// A string not in the schema's `format` (`email`, `uri`, `date`, …).
    BadFormat {
        at: KeyPath,
        format: String,
        found: Found,
    },
    /// A value other than the schema's `const`.
    NotConstant {
        at: KeyPath,
        expected: Found,
        found: Found,
    },
    /// A mapping with fewer keys than the schema allows.
    TooFewKeys { at: KeyPath, limit: u64 },
    /// A mapping with more keys than the schema allows.
    TooManyKeys { at: KeyPath, limit: u64 },
    /// Any other schema error, in jsonschema's words (team schemas use any keyword).
    Schema { at: KeyPath, detail: String },
    /// What the schema accepts but the spec's types cannot hold, in serde's words.
    Unreadable { at: KeyPath, detail: String },

    // `project`.
    /// A `project.location` that is not an Azure region, with the closest region.
    UnknownRegion {
        location: String,
        suggestion: Option<String>,
    },
    /// A name derived from `project` that breaks Azure's rule for it (`problem` is the rule's
    /// own sentence, [`rules::Rule::check_name`]).
    DerivedName { problem: String },
    /// A tag name too short or too long, in UTF-16 code units as Azure counts.
    TagNameLength {
        min: usize,
        max: usize,
        found: usize,
    },
    /// A tag name holding a character Azure refuses in tag names.
    TagNameCharacter { tag: String, character: char },
    /// A tag value too long.
    TagValueLength {
        at: KeyPath,
        max: usize,
        found: usize,
    },
    /// A tag that is one of mlgen's own tags spelt another way.
    TagClashesWithOwn { tag: String, own: String },
    /// Two tags that are one tag to Azure.
    TagClash {
        tag: String,
        first: String,
        first_line: usize,
    },
    /// More tags, mlgen's own included, than Azure allows.
    TooManyTags { count: usize, max: usize },
    /// A `project.environment` missing from a written `environments` list.
    BaseEnvironmentUnlisted { base: String, listed: Vec<String> },

    // `layout`.
    /// An output folder that is unsafe or taken by another module.
    Layout {
        field: &'static str,
        problem: FolderProblem,
    },

    // `mlops`.
    /// Zone-redundant storage in a region without availability zones (`default` when the
    /// replication is mlgen's default rather than written).
    ZonesNeeded {
        replication: &'static str,
        default: bool,
        location: String,
    },
    /// A compute cluster whose `max_nodes` is below its `min_nodes`.
    ClusterSizes {
        cluster: KeyPath,
        min: u32,
        max: u32,
    },
    /// Two compute clusters with one name (case-insensitively).
    DuplicateCluster {
        index: usize,
        name: String,
        first: usize,
    },
    /// A compute instance whose name a cluster or an earlier instance already has.
    DuplicateInstance {
        index: usize,
        name: String,
        owner: ComputeOwner,
    },
    /// No public access and no private endpoints: no client can reach the workspace.
    WorkspaceUnreachable,
    /// A `vm_size` not in mlgen's table of Azure ML sizes (a warning: the table may be older
    /// than the size), with the closest size in the table.
    UnknownVmSize {
        at: KeyPath,
        size: String,
        suggestion: Option<String>,
    },
    /// A `vm_size` in the table but spelt in another case than Azure's (a warning: Azure
    /// ignores the case, but the plan shows a change whenever Azure reports its own spelling).
    VmSizeCase {
        at: KeyPath,
        size: String,
        azure: String,
    },

    // `network` (and an environment's `network` override, at `network`).
    /// Private endpoints with a container registry SKU that has none.
    PrivateEndpointsNeedPremium,
    /// A virtual network's prefix outside what Azure allows.
    AddressSpacePrefix {
        network: KeyPath,
        prefix: u8,
        min: u8,
        max: u8,
    },
    /// An address range that does not parse (`detail` is [`Cidr::parse`]'s reason).
    BadRange {
        network: KeyPath,
        key: &'static str,
        detail: String,
    },
    /// An address space too small to carve the two subnets from.
    AddressSpaceTooSmall { network: KeyPath, space: Cidr },
    /// A subnet outside the address space.
    SubnetOutside {
        network: KeyPath,
        key: &'static str,
        subnet: Cidr,
        space: Cidr,
    },
    /// A subnet smaller than Azure allows.
    SubnetTooSmall {
        network: KeyPath,
        key: &'static str,
        prefix: u8,
        max: u8,
    },
    /// The private-endpoint subnet overlapping the training subnet.
    SubnetsOverlap {
        network: KeyPath,
        key: &'static str,
        subnet: Cidr,
        training: Cidr,
    },

    // `templates`.
    /// An empty team template folder.
    TemplatesEmpty,
    /// An absolute team template folder.
    TemplatesAbsolute { folder: String },
    /// A team template folder with a backslash.
    TemplatesBackslash { folder: String },
    /// A team template folder with a `..` part.
    TemplatesEscape { folder: String },

    // `environments` and `overrides`.
    /// An environment whose derived names break Azure's rules (`problem` as in
    /// [`Problem::DerivedName`]).
    EnvironmentName { env: String, problem: String },
    /// Overrides for an environment not in the list.
    UnknownEnvironment {
        env: String,
        environments: Vec<String>,
        suggestion: Option<String>,
    },
    /// An override for a compute cluster the spec does not have.
    UnknownOverrideCluster {
        overrides: KeyPath,
        cluster: String,
        suggestion: Option<String>,
    },
    /// An override leaving a cluster's `max_nodes` below its `min_nodes`.
    OverrideClusterSizes {
        overrides: KeyPath,
        cluster: String,
        env: String,
        min: u32,
        max: u32,
    },
    /// Pipeline settings for an environment the spec does not have.
    PipelineUnknownEnvironment {
        env: String,
        environments: Vec<String>,
        suggestion: Option<String>,
    },
    /// `pipelines.order` naming an environment the spec does not have.
    PipelineOrderUnknown {
        env: String,
        environments: Vec<String>,
        suggestion: Option<String>,
    },
    /// `pipelines.order` naming an environment twice.
    PipelineOrderRepeated { env: String },
    /// `pipelines.order` leaving environments out.
    PipelineOrderMissing { missing: Vec<String> },
    /// Azure DevOps is a provider and an environment has no service connection.
    MissingServiceConnection { env: String },
    /// GitHub is a provider and `pipelines.github.repository` is missing.
    MissingGithubRepository,
    /// Terraform pipelines without a remote state backend.
    PipelinesNeedBackend,
    /// Settings for a CI system that is not among `pipelines.providers`.
    PipelineProviderUnlisted { at: KeyPath, provider: String },
    /// `pipelines.targets` naming a target the spec does not render.
    PipelineTargetUnlisted { target: String },
    /// One of `pipelines.github.owner_id` and `repository_id` without the other.
    GithubIdsIncomplete {
        given: &'static str,
        missing: &'static str,
    },
    /// Pipelines that deploy both targets because `pipelines.targets` is left out (a warning).
    PipelinesDeployBothTargets,
}

impl fmt::Display for Problem {
    /// The message: what is wrong, naming the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        #[allow(clippy::enum_glob_use)] // every arm names a variant; the prefix is noise
        use Problem::*;
        match self {
            YamlSyntax { info } => write!(f, "invalid YAML: {info}"),
            TabIndent => write!(
                f,
                "invalid YAML: a tab in the indentation; YAML allows only spaces there"
            ),
            Unclosed { open, close } => {
                write!(
                    f,
                    "invalid YAML: this `{open}` is never closed with `{close}`"
                )
            }
            TooDeep { max } => write!(
                f,
                "invalid YAML: nested more than {max} levels deep; a spec never is"
            ),
            SecondDocument => write!(
                f,
                "a spec is one YAML document; a second document starts here"
            ),
            ValueTooLong { bytes, max } => write!(
                f,
                "a value of {bytes} bytes; mlgen reads values of at most {max} bytes"
            ),
            KeyTooLong { bytes, max } => write!(
                f,
                "a key of {bytes} bytes; mlgen reads keys of at most {max} bytes"
            ),
            TooManyAliases { max } => {
                write!(f, "more than {max} aliases; a spec never needs that many")
            }
            UnknownAnchor => write!(f, "an alias to an unknown anchor"),
            AliasAsKey => write!(
                f,
                "a mapping key must be plain text, not an alias to a collection"
            ),
            CollectionAsKey => write!(f, "a mapping key must be plain text, not a collection"),
            TooManyValues { max } => write!(
                f,
                "the spec expands to more than {max} values (aliases included); a spec never does"
            ),
            TooMuchText { max } => write!(
                f,
                "the spec expands to more than {max} bytes of text (aliases included); a spec never does"
            ),
            KeyPathsTooLong { max } => write!(
                f,
                "the spec's keys are too long for their nesting: more than {max} bytes of key paths"
            ),
            DuplicateKey { key, mapping } => {
                write!(f, "duplicate key {key:?}")?;
                if !mapping.is_document() {
                    write!(f, " in `{mapping}`")?;
                }
                write!(f, "; a key may appear only once in a mapping")
            }

            UnsupportedVersion { found } => write!(
                f,
                "`version` must be 1, the spec format this mlgen reads, found {found}"
            ),
            ExtraMissing { .. } => write!(
                f,
                "missing key `extra` in the spec, which the team templates' `extra.schema.json` requires"
            ),
            EmptySpec => write!(f, "the spec is empty"),
            NotAMapping { found } => write!(
                f,
                "the spec must be a mapping of keys such as `version:` and `project:`, found {found}"
            ),

            UnknownKey { key, mapping, .. } => {
                write!(f, "unknown key `{key}` in {}", Place(mapping))
            }
            MissingKey { key, mapping } => {
                write!(f, "missing required key `{key}` in {}", Place(mapping))
            }
            WrongType {
                at,
                expected,
                found,
            } => {
                let expected: Vec<&str> = expected.iter().map(|&t| article(t)).collect();
                let found = match found {
                    Found::Text(_) => format!("the string {found}"),
                    _ => found.to_string(),
                };
                write!(f, "`{at}` must be {}, found {found}", expected.join(" or "))
            }
            NotOneOf {
                at, choices, found, ..
            } => write!(
                f,
                "`{at}` must be one of {}, found {found}",
                choices.join(", ")
            ),
            NoMatch {
                at,
                rule,
                pattern,
                found,
                ..
            } => match rule {
                Some(rule) => write!(f, "`{at}` must be {rule}, found {found}"),
                None => write!(f, "`{at}` must match `{pattern}`, found {found}"),
            },
            BelowMinimum { at, limit, found } => {
                write!(f, "`{at}` must be at least {limit}, found {found}")
            }
            AboveMaximum { at, limit, found } => {
                write!(f, "`{at}` must be at most {limit}, found {found}")
            }
            TooFewItems { at, limit: 1 } => write!(f, "`{at}` needs at least one item"),
            TooFewItems { at, limit } => write!(f, "`{at}` needs at least {limit} items"),
            TooManyItems { at, limit } => write!(
                f,
                "`{at}` lists more than {limit} items; mlgen renders at most {limit}"
            ),
            RepeatedItem { at } => write!(f, "`{at}` lists the same item twice"),
            NotAboveMinimum { at, limit, found } => {
                write!(f, "`{at}` must be more than {limit}, found {found}")
            }
            NotBelowMaximum { at, limit, found } => {
                write!(f, "`{at}` must be less than {limit}, found {found}")
            }
            NotMultiple { at, of, found } => {
                write!(
                    f,
                    "`{at}` must be a multiple of {}, found {found}",
                    Number(*of)
                )
            }
            TooShort { at, limit, found } => write!(
                f,
                "`{at}` must be at least {limit} character{} long, found {found}",
                plural(*limit)
            ),
            TooLong { at, limit, found } => write!(
                f,
                "`{at}` must be at most {limit} character{} long, found {found}",
                plural(*limit)
            ),
            BadFormat { at, format, found } => {
                write!(f, "`{at}` must be a valid `{format}`, found {found}")
            }
            NotConstant {
                at,
                expected,
                found,
            } => write!(f, "`{at}` must be {expected}, found {found}"),
            TooFewKeys { at, limit } => {
                write!(f, "`{at}` needs at least {limit} key{}", plural(*limit))
            }
            TooManyKeys { at, limit } => {
                write!(f, "`{at}` may have at most {limit} key{}", plural(*limit))
            }
            Schema { at, detail } | Unreadable { at, detail } => write!(f, "`{at}`: {detail}"),

            UnknownRegion { location, .. } => write!(
                f,
                "`project.location`: `{location}` is not an Azure region mlgen knows"
            ),
            DerivedName { problem } => write!(f, "`project.name`: {problem}"),
            TagNameLength { min, max, found } => write!(
                f,
                "`project.tags`: tag names must be {min}-{max} characters long (Azure limit), found {found}"
            ),
            TagNameCharacter { tag, character } => write!(
                f,
                "`project.tags`: tag name {tag:?} contains {character:?}, which Azure does not allow in tag names"
            ),
            TagValueLength { at, max, found } => write!(
                f,
                "`{at}`: tag values may be at most {max} characters long (Azure limit), found {found}"
            ),
            TagClashesWithOwn { tag, own } => {
                let (tag, own, why) = tag_clash(tag, own);
                write!(
                    f,
                    "`project.tags`: tag {tag} is the same Azure tag as {own}, which mlgen sets itself: {why}"
                )
            }
            TagClash {
                tag,
                first,
                first_line,
            } => {
                let (tag, first, why) = tag_clash(tag, first);
                write!(
                    f,
                    "`project.tags`: tag {tag} is the same Azure tag as {first} on line {first_line}: {why}"
                )
            }
            TooManyTags { count, max } => write!(
                f,
                "`project.tags`: {count} tags including mlgen's own; Azure allows {max} per resource"
            ),
            BaseEnvironmentUnlisted { base, listed } => write!(
                f,
                "`project.environment`: `{base}` is not one of `environments` ({})",
                listed.join(", ")
            ),

            Layout { field, problem } => {
                write!(f, "`layout.{field}`: ")?;
                match problem {
                    FolderProblem::Empty => write!(
                        f,
                        "an empty folder name; write `.` for the output directory itself"
                    ),
                    FolderProblem::Absolute { folder } => write!(
                        f,
                        "`{folder}` is absolute; folders are relative to the output directory"
                    ),
                    FolderProblem::Backslash { folder } => write!(
                        f,
                        "`{folder}` contains a backslash; use `/` between folders"
                    ),
                    FolderProblem::LeavesOutput { folder } => write!(
                        f,
                        "`{folder}` leaves the output directory (`..` is not allowed)"
                    ),
                    FolderProblem::Hidden { folder, part } => write!(
                        f,
                        "`{folder}` contains the hidden folder `{part}`, which Terraform tooling skips"
                    ),
                    FolderProblem::Reserved { folder, part } => write!(
                        f,
                        "`{folder}`: `{part}` is a reserved device name on Windows"
                    ),
                    FolderProblem::Characters { folder } => write!(
                        f,
                        "`{folder}`: folder names may only use letters, digits, `.`, `_` and `-`"
                    ),
                    FolderProblem::Clash { folder, other } => write!(
                        f,
                        "`{folder}` is also the {other} folder; each module needs its own folder"
                    ),
                }
            }

            ZonesNeeded {
                replication,
                default,
                location,
            } => {
                let default = if *default { " (the default)" } else { "" };
                write!(
                    f,
                    "`mlops.storage_account.replication`: {replication}{default} needs a region with availability zones, and `{location}` has none"
                )
            }
            ClusterSizes { cluster, min, max } => write!(
                f,
                "`{cluster}`: max_nodes ({max}) is less than min_nodes ({min})"
            ),
            DuplicateCluster { index, name, first } => write!(
                f,
                "`mlops.compute_clusters[{index}].name`: cluster name `{name}` is already used by `mlops.compute_clusters[{first}]`"
            ),
            DuplicateInstance { index, name, owner } => {
                write!(
                    f,
                    "`mlops.compute_instances[{index}].name`: `{name}` is already used by "
                )?;
                match owner {
                    ComputeOwner::Cluster => write!(f, "a compute cluster"),
                    ComputeOwner::Instance(first) => {
                        write!(f, "`mlops.compute_instances[{first}]`")
                    }
                }
            }
            WorkspaceUnreachable => write!(
                f,
                "`mlops.workspace.public_network_access`: false without \
                 `network.private_endpoints` locks every client (Studio, CLI, SDK) out of the \
                 workspace"
            ),

            UnknownVmSize { at, size, .. } => write!(
                f,
                "`{at}`: `{size}` is not an Azure Machine Learning VM size mlgen knows"
            ),
            VmSizeCase { at, size, azure } => {
                write!(f, "`{at}`: Azure spells `{size}` as `{azure}`")
            }

            PrivateEndpointsNeedPremium => write!(
                f,
                "`network.private_endpoints`: private endpoints need `mlops.container_registry.sku: Premium`"
            ),
            AddressSpacePrefix {
                network,
                prefix,
                min,
                max,
            } => write!(
                f,
                "`{network}.address_space`: prefix /{prefix} is outside the /{min}-/{max} Azure allows for a virtual network"
            ),
            BadRange {
                network,
                key,
                detail,
            } => write!(f, "`{network}.{key}`: {detail}"),
            AddressSpaceTooSmall { network, space } => write!(
                f,
                "`{network}.address_space`: {space} is too small for two subnets"
            ),
            SubnetOutside {
                network,
                key,
                subnet,
                space,
            } => write!(
                f,
                "`{network}.{key}`: {subnet} is not inside the address space {space}"
            ),
            SubnetTooSmall {
                network,
                key,
                prefix,
                max,
            } => write!(
                f,
                "`{network}.{key}`: /{prefix} is smaller than the /{max} Azure needs for a subnet"
            ),
            SubnetsOverlap {
                network,
                key,
                subnet,
                training,
            } => write!(
                f,
                "`{network}.{key}`: {subnet} overlaps the training subnet {training}"
            ),

            TemplatesEmpty => write!(
                f,
                "`templates`: the folder is empty; write `.` for the spec's own folder"
            ),
            TemplatesAbsolute { folder } => write!(
                f,
                "`templates`: `{folder}` is absolute; the team template folder must be inside the spec's folder"
            ),
            TemplatesBackslash { folder } => write!(
                f,
                "`templates`: `{folder}` contains a backslash; use `/` between folders"
            ),
            TemplatesEscape { folder } => write!(
                f,
                "`templates`: `{folder}` can leave the spec's folder (`..` is not allowed)"
            ),

            EnvironmentName { env, problem } => {
                write!(f, "`environments`: in environment `{env}`, {problem}")
            }
            UnknownEnvironment {
                env, environments, ..
            } => write!(
                f,
                "`overrides`: unknown environment `{env}`; the environments are {}",
                environments.join(", ")
            ),
            UnknownOverrideCluster {
                overrides, cluster, ..
            } => write!(
                f,
                "`{overrides}.compute_clusters`: unknown compute cluster `{cluster}`"
            ),
            OverrideClusterSizes {
                overrides,
                cluster,
                env,
                min,
                max,
            } => write!(
                f,
                "`{overrides}.compute_clusters.{cluster}`: max_nodes ({max}) is less than min_nodes ({min}) in environment `{env}`"
            ),
            PipelineUnknownEnvironment {
                env, environments, ..
            } => write!(
                f,
                "`pipelines.environments`: unknown environment `{env}`; the environments are {}",
                environments.join(", ")
            ),
            PipelineOrderUnknown {
                env, environments, ..
            } => write!(
                f,
                "`pipelines.order`: unknown environment `{env}`; the environments are {}",
                environments.join(", ")
            ),
            PipelineOrderRepeated { env } => write!(
                f,
                "`pipelines.order` names `{env}` more than once; each environment deploys once"
            ),
            PipelineOrderMissing { missing } => write!(
                f,
                "`pipelines.order` leaves out {}; every environment must have its place in the deployment order",
                code_list(missing)
            ),
            MissingServiceConnection { env } => write!(
                f,
                "`pipelines.environments.{env}.azure_devops.service_connection` is missing: Azure DevOps deploys environment `{env}` through a service connection"
            ),
            MissingGithubRepository => write!(
                f,
                "`pipelines.github.repository` is missing: the federated credentials of the GitHub workflows name the repository they run in"
            ),
            PipelinesNeedBackend => write!(
                f,
                "`pipelines` deploy Terraform with remote state, and the spec has no `backend`"
            ),
            PipelineProviderUnlisted { at, provider } => write!(
                f,
                "`{at}` configures `{provider}`, which is not among `pipelines.providers`"
            ),
            PipelineTargetUnlisted { target } => write!(
                f,
                "`pipelines.targets` names `{target}`, which is not among the spec's `targets`"
            ),
            GithubIdsIncomplete { given, missing } => write!(
                f,
                "`pipelines.github.{given}` without `{missing}`: an immutable subject needs both ids"
            ),
            PipelinesDeployBothTargets => write!(
                f,
                "`pipelines` deploy with Terraform and with Bicep: both would deploy the same resources, and their role assignments collide"
            ),
        }
    }
}

impl Problem {
    /// Whether the problem stops mlgen (an error) or is only worth saying (a warning).
    pub(crate) fn severity(&self) -> Severity {
        match self {
            Self::UnknownVmSize { .. }
            | Self::VmSizeCase { .. }
            | Self::PipelinesDeployBothTargets => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// The message ([`Display`](fmt::Display)).
    pub(crate) fn message(&self) -> String {
        self.to_string()
    }

    /// How to fix it, when mlgen knows.
    pub(crate) fn help(&self) -> Option<String> {
        #[allow(clippy::enum_glob_use)] // as in `fmt`
        use Problem::*;
        match self {
            EmptySpec | NotAMapping { .. } => Some(MINIMAL_SPEC.into()),
            MissingKey { key, mapping } if mapping.is_document() && key == "project" => {
                Some(MINIMAL_SPEC.into())
            }
            UnknownKey {
                suggestion,
                expected,
                ..
            } => did_you_mean(suggestion.as_deref()).or_else(|| {
                (!expected.is_empty()).then(|| format!("expected one of: {}", expected.join(", ")))
            }),
            WrongType {
                expected, found, ..
            } => match (&expected[..], found) {
                ([JsonType::String], Found::Boolean(_) | Found::Number(_)) => Some(format!(
                    "quote the value to make it a string: \"{found:#}\""
                )),
                ([JsonType::Boolean], Found::Text(s)) if s == "true" || s == "false" => {
                    Some(format!("write {s} without quotes"))
                }
                ([JsonType::Integer], Found::Text(s)) if s.parse::<u64>().is_ok() => {
                    Some(format!("write {s} without quotes"))
                }
                _ => None,
            },
            NotOneOf { suggestion, .. }
            | UnknownEnvironment { suggestion, .. }
            | PipelineUnknownEnvironment { suggestion, .. }
            | PipelineOrderUnknown { suggestion, .. }
            | UnknownOverrideCluster { suggestion, .. } => did_you_mean(suggestion.as_deref()),
            NoMatch {
                suggestion,
                description,
                ..
            } => suggestion
                .map(|cidr| format!("did you mean `{cidr}`?"))
                .or_else(|| description.clone()),
            ExtraMissing { required } if required.is_empty() => {
                Some("add `extra:` with the values the team templates need".into())
            }
            ExtraMissing { required } => Some(format!(
                "add `extra:` with {}",
                required
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            UnknownRegion { suggestion, .. } => did_you_mean(suggestion.as_deref()).or_else(|| {
                Some("`az account list-locations -o table` lists the region names".into())
            }),
            DerivedName { .. } => Some(
                "shorten `project.name` or `project.environment`, or set a shorter \
                 `project.suffix`"
                    .into(),
            ),
            TagNameCharacter { .. } => {
                Some(format!("tag names must be {}", rules::TAG_NAME.wording()))
            }
            TagClashesWithOwn { own, .. } => Some(format!(
                "write `{own}` to replace mlgen's value, or choose another name"
            )),
            TagClash { .. } => Some("keep one of the two".into()),
            BaseEnvironmentUnlisted { .. } => Some("add it to `environments`".into()),
            ZonesNeeded { .. } => {
                Some("use `replication: LRS` or `GRS`, or a region with availability zones".into())
            }
            DuplicateCluster { .. } => Some(
                "compute cluster names are case-insensitive and must be unique in a workspace"
                    .into(),
            ),
            DuplicateInstance { .. } => Some(
                "compute clusters and instances share one namespace per workspace; names are \
                 case-insensitive"
                    .into(),
            ),
            WorkspaceUnreachable => Some(
                "set `mlops.workspace.public_network_access: true`, or \
                 `network.private_endpoints: true`, or `network.external_private_access: true` \
                 when clients reach the workspace through private endpoints that mlgen does not \
                 manage"
                    .into(),
            ),
            TemplatesEmpty
            | TemplatesAbsolute { .. }
            | TemplatesBackslash { .. }
            | TemplatesEscape { .. } => Some(
                "write a path relative to the spec file, such as `templates: team-templates`, \
                 or pass `--templates DIR` on the command line"
                    .into(),
            ),
            EnvironmentName { .. } => Some("use a shorter environment name".into()),
            UnknownVmSize { suggestion, .. } => did_you_mean(suggestion.as_deref()).or_else(|| {
                Some(
                    "mlgen's table of sizes may be older than this size; `az ml compute \
                     list-sizes` lists the sizes a region offers"
                        .into(),
                )
            }),
            VmSizeCase { azure, .. } => Some(format!(
                "write `{azure}`: Azure reports its own spelling, so any other shows as a change \
                 in every plan"
            )),
            UnsupportedVersion { .. } => {
                Some("write `version: 1`; format 1 is the only spec format there is".into())
            }
            TabIndent => Some("indent with spaces".into()),
            Unclosed { open, close } => Some(format!(
                "add the `{close}`, or write the {} in block style, one {} per line",
                if *open == '[' { "list" } else { "mapping" },
                if *open == '[' {
                    "`- item`"
                } else {
                    "`key: value`"
                },
            )),
            YamlSyntax { .. }
            | TooDeep { .. }
            | SecondDocument
            | ValueTooLong { .. }
            | KeyTooLong { .. }
            | TooManyAliases { .. }
            | UnknownAnchor
            | AliasAsKey
            | CollectionAsKey
            | TooManyValues { .. }
            | TooMuchText { .. }
            | KeyPathsTooLong { .. }
            | DuplicateKey { .. }
            | MissingKey { .. }
            | BelowMinimum { .. }
            | AboveMaximum { .. }
            | TooFewItems { .. }
            | TooManyItems { .. }
            | RepeatedItem { .. }
            | NotAboveMinimum { .. }
            | NotBelowMaximum { .. }
            | NotMultiple { .. }
            | TooShort { .. }
            | TooLong { .. }
            | BadFormat { .. }
            | NotConstant { .. }
            | TooFewKeys { .. }
            | TooManyKeys { .. }
            | Schema { .. }
            | Unreadable { .. }
            | TagNameLength { .. }
            | TagValueLength { .. }
            | TooManyTags { .. }
            | Layout { .. }
            | ClusterSizes { .. }
            | PrivateEndpointsNeedPremium
            | AddressSpacePrefix { .. }
            | BadRange { .. }
            | AddressSpaceTooSmall { .. }
            | SubnetOutside { .. }
            | SubnetTooSmall { .. }
            | SubnetsOverlap { .. }
            | OverrideClusterSizes { .. } => None,
            PipelineOrderRepeated { env } => Some(format!("keep one `{env}` in `pipelines.order`")),
            PipelineOrderMissing { missing } => Some(format!(
                "add {} to `pipelines.order` where {} should deploy",
                code_list(missing),
                if missing.len() == 1 { "it" } else { "they" }
            )),
            MissingServiceConnection { env } => Some(format!(
                "name the Azure Resource Manager service connection (workload identity \
                 federation) that deploys `{env}`: `service_connection: <name>` under \
                 `pipelines.environments.{env}.azure_devops`"
            )),
            MissingGithubRepository => {
                Some("add `github: {repository: owner/name}` under `pipelines`".into())
            }
            PipelinesNeedBackend => Some(
                "add `backend:` with `resource_group_name` and `storage_account_name`; the \
                 generated README says how to create the state storage"
                    .into(),
            ),
            PipelineProviderUnlisted { provider, .. } => Some(format!(
                "add `{provider}` to `pipelines.providers`, or remove these settings"
            )),
            PipelineTargetUnlisted { target } => Some(format!(
                "add `{target}` to `targets`, or remove it from `pipelines.targets`"
            )),
            GithubIdsIncomplete { missing, .. } => Some(format!(
                "add `{missing}` (`gh api repos/OWNER/NAME --jq '.owner.id, .id'` prints both)"
            )),
            PipelinesDeployBothTargets => Some(
                "name the one that deploys in `pipelines.targets`, such as `targets: [terraform]` \
                 (write both to keep both pipelines)"
                    .into(),
            ),
        }
    }
}

/// `a`, `b` and `c`, each in backticks.
fn code_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The help of a spec with nothing usable in it.
const MINIMAL_SPEC: &str = "a minimal spec is `version: 1` and `project: {name: myproject}`; \
                            `mlgen init` writes a starter";

fn did_you_mean(suggestion: Option<&str>) -> Option<String> {
    suggestion.map(|s| format!("did you mean `{s}`?"))
}

/// Where in the spec a problem is: a JSON pointer, shown as the dotted key path a reader finds
/// in the YAML (`mlops.compute_clusters[0].name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyPath(String);

impl KeyPath {
    /// The key path of a JSON pointer (`""` for the whole document).
    pub(crate) fn new(pointer: impl Into<String>) -> Self {
        Self(pointer.into())
    }

    /// True for the whole document.
    fn is_document(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&key_path(&self.0))
    }
}

/// A mapping named in a message: `the spec` for the document, the key path otherwise.
struct Place<'a>(&'a KeyPath);

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_document() {
            f.write_str("the spec")
        } else {
            write!(f, "`{}`", self.0)
        }
    }
}

/// The value a schema error found, as much of it as a message quotes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Found {
    /// `""`.
    EmptyText,
    /// A key with no value.
    Nothing,
    /// `true` or `false`.
    Boolean(bool),
    /// A number.
    Number(serde_json::Number),
    /// A non-empty string.
    Text(String),
    /// A list.
    List,
    /// A mapping.
    Mapping,
}

impl Found {
    /// What a message says of `value`.
    pub(crate) fn of(value: &Value) -> Self {
        match value {
            Value::String(s) if s.is_empty() => Self::EmptyText,
            Value::Null => Self::Nothing,
            Value::Bool(b) => Self::Boolean(*b),
            Value::Number(n) => Self::Number(n.clone()),
            Value::String(s) => Self::Text(s.clone()),
            Value::Array(_) => Self::List,
            Value::Object(_) => Self::Mapping,
        }
    }
}

impl fmt::Display for Found {
    /// Quoted as in a message (`` the number `3` ``); the alternate form is the value as
    /// written (`3`), for booleans and numbers.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Boolean(b) if f.alternate() => write!(f, "{b}"),
            Self::Number(n) if f.alternate() => write!(f, "{n}"),
            Self::EmptyText => f.write_str("an empty string"),
            Self::Nothing => f.write_str("nothing (an empty value)"),
            Self::Boolean(b) => write!(f, "the boolean `{b}`"),
            Self::Number(n) => write!(f, "the number `{n}`"),
            Self::Text(s) => write!(f, "`{s}`"),
            Self::List => f.write_str("a list"),
            Self::Mapping => f.write_str("a mapping"),
        }
    }
}

/// `s` after a count other than one.
fn plural(count: u64) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// A `multipleOf` as written: `5`, not `5.0`.
struct Number(f64);

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        #[allow(clippy::cast_possible_truncation, clippy::float_cmp)]
        if self.0.fract() == 0.0 && self.0.abs() < 9.0e15 {
            write!(f, "{}", self.0 as i64)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// A JSON type as a message names it.
fn article(json_type: JsonType) -> &'static str {
    match json_type {
        JsonType::Object => "a mapping",
        JsonType::Array => "a list",
        JsonType::Integer => "an integer",
        JsonType::Null => "empty",
        JsonType::Boolean => "a boolean",
        JsonType::Number => "a number",
        JsonType::String => "a string",
    }
}

/// Why two tag names are one tag, and how to show them so the difference is visible.
fn tag_clash(tag: &str, first: &str) -> (String, String, &'static str) {
    let composed = |s: &str| s.nfc().collect::<String>();
    if composed(tag) == composed(first) {
        // They look identical, so spell out the code points.
        (
            code_points(tag),
            code_points(first),
            "they differ only in how the same letters are encoded (Unicode normalisation)",
        )
    } else {
        (
            format!("`{tag}`"),
            format!("`{first}`"),
            "Azure tag names are case-insensitive",
        )
    }
}

/// A name in backticks followed by its non-ASCII characters as `\u{…}` escapes.
fn code_points(name: &str) -> String {
    let escaped: String = name
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                c.escape_unicode().to_string()
            }
        })
        .collect();
    format!("`{name}` (written `{escaped}`)")
}

/// Who already has a compute name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ComputeOwner {
    /// A compute cluster.
    Cluster,
    /// The compute instance at this index.
    Instance(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(pointer: &str) -> KeyPath {
        KeyPath::new(pointer)
    }

    fn cidr(text: &str) -> Cidr {
        Cidr::parse(text).unwrap()
    }

    fn text(s: &str) -> String {
        s.to_owned()
    }

    fn texts(list: &[&str]) -> Vec<String> {
        list.iter().map(|&s| s.to_owned()).collect()
    }

    /// The catalogue as examples: `Variant { fields } => message, help;` for every variant, in
    /// the enum's order. The macro also writes a `match` naming each listed variant, so the
    /// test stops compiling when a variant has no example.
    macro_rules! catalogue {
        ($( $variant:ident $({ $($field:ident : $value:expr),* $(,)? })? => $message:expr, $help:expr; )*) => {{
            #[allow(unreachable_patterns)] // a variant may have several examples
            fn listed(problem: &Problem) {
                match problem {
                    $( Problem::$variant { .. } => {} )*
                }
            }
            let examples: Vec<(Problem, &str, Option<&str>)> = vec![
                $( (Problem::$variant $({ $($field: $value),* })?, $message, $help), )*
            ];
            for (problem, ..) in &examples {
                listed(problem);
            }
            examples
        }};
    }

    #[test]
    #[allow(clippy::too_many_lines)] // the catalogue is one table
    fn every_problem_renders_its_message_and_help() {
        let minimal = Some(
            "a minimal spec is `version: 1` and `project: {name: myproject}`; `mlgen init` writes \
             a starter",
        );
        let templates_help = Some(
            "write a path relative to the spec file, such as `templates: team-templates`, or pass \
             `--templates DIR` on the command line",
        );
        let examples = catalogue! {
            YamlSyntax { info: text("while parsing a flow mapping, did not find expected ',' or '}'") }
                => "invalid YAML: while parsing a flow mapping, did not find expected ',' or '}'", None;
            TabIndent => "invalid YAML: a tab in the indentation; YAML allows only spaces there", Some("indent with spaces");
            Unclosed { open: '[', close: ']' }
                => "invalid YAML: this `[` is never closed with `]`", Some("add the `]`, or write the list in block style, one `- item` per line");
            Unclosed { open: '{', close: '}' }
                => "invalid YAML: this `{` is never closed with `}`", Some("add the `}`, or write the mapping in block style, one `key: value` per line");
            TooDeep { max: 64 }
                => "invalid YAML: nested more than 64 levels deep; a spec never is", None;
            SecondDocument
                => "a spec is one YAML document; a second document starts here", None;
            ValueTooLong { bytes: 70_000, max: 65_536 }
                => "a value of 70000 bytes; mlgen reads values of at most 65536 bytes", None;
            KeyTooLong { bytes: 3_000, max: 2_048 }
                => "a key of 3000 bytes; mlgen reads keys of at most 2048 bytes", None;
            TooManyAliases { max: 1_000 }
                => "more than 1000 aliases; a spec never needs that many", None;
            UnknownAnchor => "an alias to an unknown anchor", None;
            AliasAsKey => "a mapping key must be plain text, not an alias to a collection", None;
            CollectionAsKey => "a mapping key must be plain text, not a collection", None;
            TooManyValues { max: 200_000 }
                => "the spec expands to more than 200000 values (aliases included); a spec never does", None;
            TooMuchText { max: 8_388_608 }
                => "the spec expands to more than 8388608 bytes of text (aliases included); a spec never does", None;
            KeyPathsTooLong { max: 67_108_864 }
                => "the spec's keys are too long for their nesting: more than 67108864 bytes of key paths", None;
            DuplicateKey { key: text("location"), mapping: at("/project") }
                => "duplicate key \"location\" in `project`; a key may appear only once in a mapping", None;
            DuplicateKey { key: text("project"), mapping: at("") }
                => "duplicate key \"project\"; a key may appear only once in a mapping", None;

            UnsupportedVersion { found: Found::Number(2.into()) }
                => "`version` must be 1, the spec format this mlgen reads, found the number `2`",
                Some("write `version: 1`; format 1 is the only spec format there is");
            ExtraMissing { required: texts(&["cost_center", "owner_email"]) }
                => "missing key `extra` in the spec, which the team templates' `extra.schema.json` requires",
                Some("add `extra:` with `cost_center`, `owner_email`");
            ExtraMissing { required: Vec::new() }
                => "missing key `extra` in the spec, which the team templates' `extra.schema.json` requires",
                Some("add `extra:` with the values the team templates need");
            EmptySpec => "the spec is empty", minimal;
            NotAMapping { found: Found::List }
                => "the spec must be a mapping of keys such as `version:` and `project:`, found a list", minimal;

            UnknownKey { key: text("nmae"), mapping: at("/project"), suggestion: Some(text("name")), expected: texts(&["name", "location"]) }
                => "unknown key `nmae` in `project`", Some("did you mean `name`?");
            UnknownKey { key: text("gpu"), mapping: at("/mlops/compute_clusters/0"), suggestion: None, expected: texts(&["max_nodes", "name"]) }
                => "unknown key `gpu` in `mlops.compute_clusters[0]`", Some("expected one of: max_nodes, name");
            UnknownKey { key: text("x"), mapping: at(""), suggestion: None, expected: Vec::new() }
                => "unknown key `x` in the spec", None;
            MissingKey { key: text("project"), mapping: at("") }
                => "missing required key `project` in the spec", minimal;
            MissingKey { key: text("name"), mapping: at("/mlops/compute_clusters/0") }
                => "missing required key `name` in `mlops.compute_clusters[0]`", None;
            WrongType { at: at("/project/tags/cost-center"), expected: vec![JsonType::String], found: Found::Number(1234.into()) }
                => "`project.tags.cost-center` must be a string, found the number `1234`", Some("quote the value to make it a string: \"1234\"");
            WrongType { at: at("/mlops/workspace/public_network_access"), expected: vec![JsonType::Boolean], found: Found::Text(text("false")) }
                => "`mlops.workspace.public_network_access` must be a boolean, found the string `false`", Some("write false without quotes");
            WrongType { at: at("/mlops/compute_clusters/0/max_nodes"), expected: vec![JsonType::Integer], found: Found::Text(text("4")) }
                => "`mlops.compute_clusters[0].max_nodes` must be an integer, found the string `4`", Some("write 4 without quotes");
            WrongType { at: at("/mlops"), expected: vec![JsonType::Object, JsonType::Null], found: Found::Boolean(true) }
                => "`mlops` must be a mapping or empty, found the boolean `true`", None;
            NotOneOf { at: at("/mlops/container_registry/sku"), choices: texts(&["Basic", "Standard", "Premium"]), found: Found::Text(text("premium")), suggestion: Some(text("Premium")) }
                => "`mlops.container_registry.sku` must be one of Basic, Standard, Premium, found `premium`", Some("did you mean `Premium`?");
            NoMatch { at: at("/network/training_subnet"), rule: Some(text("an IPv4 address range in CIDR notation such as `10.0.0.0/16`")), pattern: text("^…$"), found: Found::Text(text("10.0.0.0/016")), suggestion: Some(cidr("10.0.0.0/16")), description: None }
                => "`network.training_subnet` must be an IPv4 address range in CIDR notation such as `10.0.0.0/16`, found `10.0.0.0/016`", Some("did you mean `10.0.0.0/16`?");
            NoMatch { at: at("/extra/code"), rule: None, pattern: text("^[A-Z]+$"), found: Found::EmptyText, suggestion: None, description: None }
                => "`extra.code` must match `^[A-Z]+$`, found an empty string", None;
            NoMatch { at: at("/extra/cost_center"), rule: None, pattern: text("^CC-[0-9]{4}$"), found: Found::Text(text("4711")), suggestion: None, description: Some(text("Contoso cost center, CC- and four digits.")) }
                => "`extra.cost_center` must match `^CC-[0-9]{4}$`, found `4711`", Some("Contoso cost center, CC- and four digits.");
            BelowMinimum { at: at("/shared/key_vault/soft_delete_retention_days"), limit: 7.into(), found: Found::Number(3.into()) }
                => "`shared.key_vault.soft_delete_retention_days` must be at least 7, found the number `3`", None;
            AboveMaximum { at: at("/shared/log_analytics/retention_days"), limit: 730.into(), found: Found::Number(1000.into()) }
                => "`shared.log_analytics.retention_days` must be at most 730, found the number `1000`", None;
            TooFewItems { at: at("/targets"), limit: 1 }
                => "`targets` needs at least one item", None;
            TooManyItems { at: at("/mlops/compute_clusters"), limit: 100 }
                => "`mlops.compute_clusters` lists more than 100 items; mlgen renders at most 100", None;
            RepeatedItem { at: at("/targets") }
                => "`targets` lists the same item twice", None;
            NotAboveMinimum { at: at("/extra/budget"), limit: 0.into(), found: Found::Number(0.into()) }
                => "`extra.budget` must be more than 0, found the number `0`", None;
            NotBelowMaximum { at: at("/extra/share"), limit: 1.into(), found: Found::Number(1.into()) }
                => "`extra.share` must be less than 1, found the number `1`", None;
            NotMultiple { at: at("/extra/disk_gb"), of: 32.0, found: Found::Number(100.into()) }
                => "`extra.disk_gb` must be a multiple of 32, found the number `100`", None;
            NotMultiple { at: at("/extra/step"), of: 0.5, found: Found::Number(serde_json::Number::from_f64(0.7).unwrap()) }
                => "`extra.step` must be a multiple of 0.5, found the number `0.7`", None;
            TooShort { at: at("/extra/team"), limit: 3, found: Found::Text(text("ab")) }
                => "`extra.team` must be at least 3 characters long, found `ab`", None;
            TooLong { at: at("/extra/code"), limit: 1, found: Found::Text(text("ab")) }
                => "`extra.code` must be at most 1 character long, found `ab`", None;
            BadFormat { at: at("/extra/owner"), format: text("email"), found: Found::Text(text("x")) }
                => "`extra.owner` must be a valid `email`, found `x`", None;
            NotConstant { at: at("/extra/tier"), expected: Found::Text(text("gold")), found: Found::Text(text("silver")) }
                => "`extra.tier` must be `gold`, found `silver`", None;
            TooFewKeys { at: at("/extra/labels"), limit: 1 }
                => "`extra.labels` needs at least 1 key", None;
            TooManyKeys { at: at("/extra/labels"), limit: 2 }
                => "`extra.labels` may have at most 2 keys", None;
            Schema { at: at("/extra/team"), detail: text("\"x\" is not a \"email\"") }
                => "`extra.team`: \"x\" is not a \"email\"", None;
            Unreadable { at: at("/project"), detail: text("invalid value") }
                => "`project`: invalid value", None;

            UnknownRegion { location: text("westeurop"), suggestion: Some(text("westeurope")) }
                => "`project.location`: `westeurop` is not an Azure region mlgen knows", Some("did you mean `westeurope`?");
            UnknownRegion { location: text("mars"), suggestion: None }
                => "`project.location`: `mars` is not an Azure region mlgen knows", Some("`az account list-locations -o table` lists the region names");
            DerivedName { problem: text("the derived Key Vault name `kv-customerlife-staging1-xxxx` is 29 characters long; Azure allows 3-24") }
                => "`project.name`: the derived Key Vault name `kv-customerlife-staging1-xxxx` is 29 characters long; Azure allows 3-24",
                Some("shorten `project.name` or `project.environment`, or set a shorter `project.suffix`");
            TagNameLength { min: 1, max: 128, found: 0 }
                => "`project.tags`: tag names must be 1-128 characters long (Azure limit), found 0", None;
            TagNameCharacter { tag: text("cost/center"), character: '/' }
                => "`project.tags`: tag name \"cost/center\" contains '/', which Azure does not allow in tag names",
                Some("tag names must be 1-128 characters without < > % & \\ ? / or control characters");
            TagValueLength { at: at("/project/tags/long"), max: 256, found: 258 }
                => "`project.tags.long`: tag values may be at most 256 characters long (Azure limit), found 258", None;
            TagClashesWithOwn { tag: text("Environment"), own: text("environment") }
                => "`project.tags`: tag `Environment` is the same Azure tag as `environment`, which mlgen sets itself: Azure tag names are case-insensitive",
                Some("write `environment` to replace mlgen's value, or choose another name");
            TagClash { tag: text("owner"), first: text("Owner"), first_line: 5 }
                => "`project.tags`: tag `owner` is the same Azure tag as `Owner` on line 5: Azure tag names are case-insensitive",
                Some("keep one of the two");
            TagClash { tag: text("cafe\u{301}"), first: text("caf\u{e9}"), first_line: 5 }
                => "`project.tags`: tag `cafe\u{301}` (written `cafe\\u{301}`) is the same Azure tag as `caf\u{e9}` (written `caf\\u{e9}`) on line 5: they differ only in how the same letters are encoded (Unicode normalisation)",
                Some("keep one of the two");
            TooManyTags { count: 51, max: 50 }
                => "`project.tags`: 51 tags including mlgen's own; Azure allows 50 per resource", None;
            BaseEnvironmentUnlisted { base: text("test"), listed: texts(&["dev", "prod"]) }
                => "`project.environment`: `test` is not one of `environments` (dev, prod)", Some("add it to `environments`");

            Layout { field: "shared", problem: FolderProblem::Empty }
                => "`layout.shared`: an empty folder name; write `.` for the output directory itself", None;
            Layout { field: "mlops", problem: FolderProblem::Absolute { folder: text("/srv/mlops") } }
                => "`layout.mlops`: `/srv/mlops` is absolute; folders are relative to the output directory", None;
            Layout { field: "main", problem: FolderProblem::Backslash { folder: text("a\\b") } }
                => "`layout.main`: `a\\b` contains a backslash; use `/` between folders", None;
            Layout { field: "shared", problem: FolderProblem::LeavesOutput { folder: text("../etc") } }
                => "`layout.shared`: `../etc` leaves the output directory (`..` is not allowed)", None;
            Layout { field: "shared", problem: FolderProblem::Hidden { folder: text(".git/x"), part: text(".git") } }
                => "`layout.shared`: `.git/x` contains the hidden folder `.git`, which Terraform tooling skips", None;
            Layout { field: "shared", problem: FolderProblem::Reserved { folder: text("a/con"), part: text("con") } }
                => "`layout.shared`: `a/con`: `con` is a reserved device name on Windows", None;
            Layout { field: "shared", problem: FolderProblem::Characters { folder: text("a b") } }
                => "`layout.shared`: `a b`: folder names may only use letters, digits, `.`, `_` and `-`", None;
            Layout { field: "shared", problem: FolderProblem::Clash { folder: text("Main"), other: "main" } }
                => "`layout.shared`: `Main` is also the main folder; each module needs its own folder", None;

            ZonesNeeded { replication: "ZRS", default: true, location: text("westus") }
                => "`mlops.storage_account.replication`: ZRS (the default) needs a region with availability zones, and `westus` has none",
                Some("use `replication: LRS` or `GRS`, or a region with availability zones");
            ZonesNeeded { replication: "GZRS", default: false, location: text("westus") }
                => "`mlops.storage_account.replication`: GZRS needs a region with availability zones, and `westus` has none",
                Some("use `replication: LRS` or `GRS`, or a region with availability zones");
            ClusterSizes { cluster: at("/mlops/compute_clusters/0"), min: 5, max: 2 }
                => "`mlops.compute_clusters[0]`: max_nodes (2) is less than min_nodes (5)", None;
            DuplicateCluster { index: 2, name: text("GPU-Cluster"), first: 0 }
                => "`mlops.compute_clusters[2].name`: cluster name `GPU-Cluster` is already used by `mlops.compute_clusters[0]`",
                Some("compute cluster names are case-insensitive and must be unique in a workspace");
            DuplicateInstance { index: 0, name: text("CPU-cluster"), owner: ComputeOwner::Cluster }
                => "`mlops.compute_instances[0].name`: `CPU-cluster` is already used by a compute cluster",
                Some("compute clusters and instances share one namespace per workspace; names are case-insensitive");
            DuplicateInstance { index: 1, name: text("CI-Alice"), owner: ComputeOwner::Instance(0) }
                => "`mlops.compute_instances[1].name`: `CI-Alice` is already used by `mlops.compute_instances[0]`",
                Some("compute clusters and instances share one namespace per workspace; names are case-insensitive");
            WorkspaceUnreachable
                => "`mlops.workspace.public_network_access`: false without `network.private_endpoints` locks every client (Studio, CLI, SDK) out of the workspace",
                Some("set `mlops.workspace.public_network_access: true`, or `network.private_endpoints: true`, or `network.external_private_access: true` when clients reach the workspace through private endpoints that mlgen does not manage");

            UnknownVmSize { at: at("/mlops/compute_clusters/0/vm_size"), size: text("Standard_DS3_v3"), suggestion: Some(text("Standard_DS3_v2")) }
                => "`mlops.compute_clusters[0].vm_size`: `Standard_DS3_v3` is not an Azure Machine Learning VM size mlgen knows",
                Some("did you mean `Standard_DS3_v2`?");
            UnknownVmSize { at: at("/mlops/compute_instances/0/vm_size"), size: text("Standard_Q9"), suggestion: None }
                => "`mlops.compute_instances[0].vm_size`: `Standard_Q9` is not an Azure Machine Learning VM size mlgen knows",
                Some("mlgen's table of sizes may be older than this size; `az ml compute list-sizes` lists the sizes a region offers");
            VmSizeCase { at: at("/overrides/prod/compute_clusters/cpu-cluster/vm_size"), size: text("Standard_ds3_v2"), azure: text("Standard_DS3_v2") }
                => "`overrides.prod.compute_clusters.cpu-cluster.vm_size`: Azure spells `Standard_ds3_v2` as `Standard_DS3_v2`",
                Some("write `Standard_DS3_v2`: Azure reports its own spelling, so any other shows as a change in every plan");

            PrivateEndpointsNeedPremium
                => "`network.private_endpoints`: private endpoints need `mlops.container_registry.sku: Premium`", None;
            AddressSpacePrefix { network: at("/network"), prefix: 30, min: 8, max: 29 }
                => "`network.address_space`: prefix /30 is outside the /8-/29 Azure allows for a virtual network", None;
            BadRange { network: at("/network"), key: "address_space", detail: text("`10.1.2.0/16` has host bits set; did you mean `10.1.0.0/16`?") }
                => "`network.address_space`: `10.1.2.0/16` has host bits set; did you mean `10.1.0.0/16`?", None;
            AddressSpaceTooSmall { network: at("/network"), space: cidr("10.0.0.0/29") }
                => "`network.address_space`: 10.0.0.0/29 is too small for two subnets", None;
            SubnetOutside { network: at("/overrides/prod/network"), key: "training_subnet", subnet: cidr("10.2.0.0/24"), space: cidr("10.1.0.0/16") }
                => "`overrides.prod.network.training_subnet`: 10.2.0.0/24 is not inside the address space 10.1.0.0/16", None;
            SubnetTooSmall { network: at("/network"), key: "training_subnet", prefix: 30, max: 29 }
                => "`network.training_subnet`: /30 is smaller than the /29 Azure needs for a subnet", None;
            SubnetsOverlap { network: at("/network"), key: "private_endpoint_subnet", subnet: cidr("10.0.1.0/24"), training: cidr("10.0.0.0/23") }
                => "`network.private_endpoint_subnet`: 10.0.1.0/24 overlaps the training subnet 10.0.0.0/23", None;

            TemplatesEmpty => "`templates`: the folder is empty; write `.` for the spec's own folder", templates_help;
            TemplatesAbsolute { folder: text("/etc/mlgen/team-templates") }
                => "`templates`: `/etc/mlgen/team-templates` is absolute; the team template folder must be inside the spec's folder", templates_help;
            TemplatesBackslash { folder: text("team\\templates") }
                => "`templates`: `team\\templates` contains a backslash; use `/` between folders", templates_help;
            TemplatesEscape { folder: text("team/../../x") }
                => "`templates`: `team/../../x` can leave the spec's folder (`..` is not allowed)", templates_help;

            EnvironmentName { env: text("production-eu"), problem: text("the derived Key Vault name `kv-churn-production-eu-xxxx` is 28 characters long; Azure allows 3-24") }
                => "`environments`: in environment `production-eu`, the derived Key Vault name `kv-churn-production-eu-xxxx` is 28 characters long; Azure allows 3-24",
                Some("use a shorter environment name");
            UnknownEnvironment { env: text("prdo"), environments: texts(&["test", "dev", "prod"]), suggestion: Some(text("prod")) }
                => "`overrides`: unknown environment `prdo`; the environments are test, dev, prod", Some("did you mean `prod`?");
            UnknownOverrideCluster { overrides: at("/overrides/prod"), cluster: text("gpu-clustr"), suggestion: Some(text("cpu-cluster")) }
                => "`overrides.prod.compute_clusters`: unknown compute cluster `gpu-clustr`", Some("did you mean `cpu-cluster`?");
            OverrideClusterSizes { overrides: at("/overrides/prod"), cluster: text("cpu-cluster"), env: text("prod"), min: 6, max: 4 }
                => "`overrides.prod.compute_clusters.cpu-cluster`: max_nodes (4) is less than min_nodes (6) in environment `prod`", None;
            PipelineUnknownEnvironment { env: text("stage"), environments: texts(&["dev", "prod"]), suggestion: None }
                => "`pipelines.environments`: unknown environment `stage`; the environments are dev, prod", None;
            PipelineOrderUnknown { env: text("prdo"), environments: texts(&["dev", "prod"]), suggestion: Some(text("prod")) }
                => "`pipelines.order`: unknown environment `prdo`; the environments are dev, prod", Some("did you mean `prod`?");
            PipelineOrderRepeated { env: text("dev") }
                => "`pipelines.order` names `dev` more than once; each environment deploys once", Some("keep one `dev` in `pipelines.order`");
            PipelineOrderMissing { missing: texts(&["test", "prod"]) }
                => "`pipelines.order` leaves out `test` and `prod`; every environment must have its place in the deployment order", Some("add `test` and `prod` to `pipelines.order` where they should deploy");
            MissingServiceConnection { env: text("prod") }
                => "`pipelines.environments.prod.azure_devops.service_connection` is missing: Azure DevOps deploys environment `prod` through a service connection", Some("name the Azure Resource Manager service connection (workload identity federation) that deploys `prod`: `service_connection: <name>` under `pipelines.environments.prod.azure_devops`");
            MissingGithubRepository
                => "`pipelines.github.repository` is missing: the federated credentials of the GitHub workflows name the repository they run in", Some("add `github: {repository: owner/name}` under `pipelines`");
            PipelinesNeedBackend
                => "`pipelines` deploy Terraform with remote state, and the spec has no `backend`", Some("add `backend:` with `resource_group_name` and `storage_account_name`; the generated README says how to create the state storage");
            PipelineProviderUnlisted { at: at("/pipelines/environments/dev/github"), provider: text("github") }
                => "`pipelines.environments.dev.github` configures `github`, which is not among `pipelines.providers`", Some("add `github` to `pipelines.providers`, or remove these settings");
            PipelineTargetUnlisted { target: text("bicep") }
                => "`pipelines.targets` names `bicep`, which is not among the spec's `targets`", Some("add `bicep` to `targets`, or remove it from `pipelines.targets`");
            GithubIdsIncomplete { given: "owner_id", missing: "repository_id" }
                => "`pipelines.github.owner_id` without `repository_id`: an immutable subject needs both ids", Some("add `repository_id` (`gh api repos/OWNER/NAME --jq '.owner.id, .id'` prints both)");
            PipelinesDeployBothTargets
                => "`pipelines` deploy with Terraform and with Bicep: both would deploy the same resources, and their role assignments collide", Some("name the one that deploys in `pipelines.targets`, such as `targets: [terraform]` (write both to keep both pipelines)");
        };
        for (problem, message, help) in examples {
            assert_eq!(problem.message(), message, "{problem:?}");
            assert_eq!(problem.help().as_deref(), help, "{problem:?}");
        }
    }

    #[test]
    fn found_values_are_quoted_as_messages_quote_them() {
        for (value, quoted) in [
            (serde_json::json!(""), "an empty string"),
            (Value::Null, "nothing (an empty value)"),
            (serde_json::json!(false), "the boolean `false`"),
            (serde_json::json!(4.5), "the number `4.5`"),
            (serde_json::json!("four"), "`four`"),
            (serde_json::json!([1]), "a list"),
            (serde_json::json!({"a": 1}), "a mapping"),
        ] {
            assert_eq!(Found::of(&value).to_string(), quoted);
        }
    }
}
