//! The rules a JSON Schema cannot express, one function each: Azure regions and availability
//! zones, Azure's naming rules for every derived name, cluster sizes and uniqueness, safe layout
//! folders, a team template folder inside the spec's folder, networking that this version
//! cannot render yet, a workspace no client can reach, canonical address ranges, Azure's
//! tag limits (tag names being case-insensitive among them), and (as warnings) VM sizes
//! missing from mlgen's table.
//!
//! Every rule reads the typed spec (what the user wrote, for positions) and the model (what will
//! be rendered), and skips itself when the schema pass pruned one of its inputs, so a rule never
//! reports a follow-on error of a problem already reported.
//!
//! A rule reports a [`Problem`] with the facts it found; `diag::problem` words every one.

use std::collections::BTreeMap;

use unicode_normalization::UnicodeNormalization as _;

use super::{Located, Pruned};
use crate::cidr::Cidr;
use crate::diag::{ComputeOwner, Diagnostic, KeyPath, Problem, suggest};
use crate::layout::{self, FolderProblem, LayoutError};
use crate::model::{self, Model};
use crate::pointer::escape as pointer_segment;
use crate::rules;
use crate::spec::AzureName as _;
use crate::spec::Spec;
use crate::spec::pipelines::{Pipelines, Provider};
use crate::vm_sizes;

/// A tag name as Azure compares it: case-insensitively, and (for people reading the spec)
/// with the same characters however they are composed.
fn fold_tag(name: &str) -> String {
    let composed: String = name.nfc().collect();
    composed.to_lowercase().nfc().collect()
}

/// The table's size closest to `size`, compared without the `Standard_` every size starts
/// with (which would otherwise make far-off sizes look close).
fn suggest_size(size: &str) -> Option<String> {
    const PREFIX: &str = "Standard_";
    let bare = size.strip_prefix(PREFIX).unwrap_or(size);
    suggest(
        bare,
        vm_sizes::sizes().map(|s| s.strip_prefix(PREFIX).unwrap_or(s)),
    )
    .map(|s| format!("{PREFIX}{s}"))
}

/// Every semantic problem of a spec.
pub(super) fn diagnostics(
    spec: &Spec,
    model: &Model,
    pruned: &Pruned,
    ctx: &Located<'_>,
) -> Vec<Diagnostic> {
    let check = Check {
        spec,
        model,
        pruned,
        ctx,
    };
    let mut out = Vec::new();
    check.region(&mut out);
    check.zones(&mut out);
    check.names(&mut out);
    check.clusters(&mut out);
    check.layout(&mut out);
    check.templates(&mut out);
    check.network(&mut out);
    check.reachable(&mut out);
    check.tags(&mut out);
    check.environments(&mut out);
    check.instances(&mut out);
    check.vm_sizes(&mut out);
    check.pipelines(&mut out);
    out
}

struct Check<'a> {
    spec: &'a Spec,
    model: &'a Model,
    pruned: &'a Pruned,
    ctx: &'a Located<'a>,
}

impl Check<'_> {
    fn region(&self, out: &mut Vec<Diagnostic>) {
        let location = &self.model.project.location;
        if self.pruned.touches("/project/location") || rules::is_region(location) {
            return;
        }
        let problem = Problem::UnknownRegion {
            location: location.clone(),
            suggestion: suggest(location, rules::region_names()).map(str::to_owned),
        };
        out.push(self.ctx.at_value("/project/location", &problem));
    }

    /// Zone-redundant storage needs a region with availability zones.
    fn zones(&self, out: &mut Vec<Diagnostic>) {
        let location = &self.model.project.location;
        let replication = self.model.storage_account.replication.azure_name();
        if !self.model.storage_account.zone_redundant
            || !rules::is_region(location)
            || rules::has_availability_zones(location)
            || self.pruned.touches("/mlops/storage_account")
        {
            return;
        }
        let written = self
            .spec
            .mlops
            .as_ref()
            .and_then(|m| m.storage_account.as_ref())
            .is_some_and(|s| s.replication.is_some());
        let at = if written {
            "/mlops/storage_account/replication"
        } else {
            "/project/location"
        };
        let problem = Problem::ZonesNeeded {
            replication,
            default: !written,
            location: location.clone(),
        };
        out.push(self.ctx.at_value(at, &problem));
    }

    /// Every derived name must satisfy Azure's rule for its resource type.
    fn names(&self, out: &mut Vec<Diagnostic>) {
        if ["/project/name", "/project/environment", "/project/suffix"]
            .iter()
            .any(|p| self.pruned.touches(p))
        {
            return;
        }
        for (name, rule) in self.model.names.with_rules() {
            if let Err(problem) = rule.check_name(&name) {
                let problem = Problem::DerivedName { problem };
                out.push(self.ctx.at_value("/project/name", &problem));
            }
        }
    }

    fn clusters(&self, out: &mut Vec<Diagnostic>) {
        let clusters = self
            .spec
            .mlops
            .as_ref()
            .and_then(|m| m.compute_clusters.as_ref());
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (i, cluster) in clusters.into_iter().flatten().enumerate() {
            let here = format!("/mlops/compute_clusters/{i}");
            let (min_at, max_at) = (format!("{here}/min_nodes"), format!("{here}/max_nodes"));
            let min = cluster.min_nodes.unwrap_or(model::DEFAULT_MIN_NODES);
            let max = cluster.max_nodes.unwrap_or(model::DEFAULT_MAX_NODES);
            if max < min && !self.pruned.touches(&min_at) && !self.pruned.touches(&max_at) {
                let at = if cluster.max_nodes.is_some() {
                    max_at
                } else {
                    min_at
                };
                let problem = Problem::ClusterSizes {
                    cluster: KeyPath::new(here.as_str()),
                    min,
                    max,
                };
                out.push(self.ctx.at_value(&at, &problem));
            }
            if let Some(first) = seen.insert(cluster.name.to_ascii_lowercase(), i) {
                let problem = Problem::DuplicateCluster {
                    index: i,
                    name: cluster.name.clone(),
                    first,
                };
                out.push(self.ctx.at_value(&format!("{here}/name"), &problem));
            }
        }
    }

    /// Layout problems, each blamed on a folder the user wrote rather than on a default.
    fn layout(&self, out: &mut Vec<Diagnostic>) {
        let raw = model::raw_layout(self.spec);
        let written = |field: &str| self.ctx.has(&format!("/layout/{field}"));
        for LayoutError { field, problem } in layout::check(&raw) {
            let (blamed, problem) = match problem {
                FolderProblem::Clash { other, .. } if !written(field) && written(other) => {
                    let folder = raw
                        .fields()
                        .into_iter()
                        .find(|(f, _)| *f == other)
                        .map_or("", |(_, v)| v);
                    let problem = FolderProblem::Clash {
                        folder: folder.to_owned(),
                        other: field,
                    };
                    (other, problem)
                }
                problem => (field, problem),
            };
            let at = format!("/layout/{blamed}");
            if !self.pruned.touches(&at) {
                let problem = Problem::Layout {
                    field: blamed,
                    problem,
                };
                out.push(self.ctx.at_value(&at, &problem));
            }
        }
    }

    /// The team template folder must lie inside the spec's folder tree: a spec from a pull
    /// request must not make mlgen read templates (and render their text into the output)
    /// from elsewhere on the machine. Lexical, like the layout rule: validation reads no files.
    fn templates(&self, out: &mut Vec<Diagnostic>) {
        const AT: &str = "/templates";
        let Some(folder) = &self.spec.templates else {
            return;
        };
        if self.pruned.touches(AT) {
            return;
        }
        let problem = if folder.trim().is_empty() {
            Problem::TemplatesEmpty
        } else if folder.starts_with(['/', '~']) || folder.get(1..2) == Some(":") {
            Problem::TemplatesAbsolute {
                folder: folder.clone(),
            }
        } else if folder.contains('\\') {
            Problem::TemplatesBackslash {
                folder: folder.clone(),
            }
        } else if folder.split('/').any(|part| part == "..") {
            Problem::TemplatesEscape {
                folder: folder.clone(),
            }
        } else {
            return;
        };
        out.push(self.ctx.at_value(AT, &problem));
    }

    /// Some client must be able to reach the workspace: through its public endpoint, through
    /// mlgen's private endpoints, or through a private path the spec says exists elsewhere.
    fn reachable(&self, out: &mut Vec<Diagnostic>) {
        const AT: &str = "/mlops/workspace/public_network_access";
        let network = &self.model.network;
        if self.model.workspace.public_network_access
            || network.private_endpoints
            || network.external_private_access
            || self.pruned.touches(AT)
            || self.pruned.touches("/network")
        {
            return;
        }
        out.push(self.ctx.at_value(AT, &Problem::WorkspaceUnreachable));
    }

    fn network(&self, out: &mut Vec<Diagnostic>) {
        let Some(network) = &self.spec.network else {
            return;
        };
        if network.private_endpoints == Some(true) {
            let at = "/network/private_endpoints";
            if !self.model.container_registry.premium
                && !self.pruned.touches("/mlops/container_registry")
            {
                out.push(self.ctx.at_value(at, &Problem::PrivateEndpointsNeedPremium));
            }
        }
        self.ranges(&self.model.network, "/network", out);
    }

    /// A network's ranges: a valid address space, subnets inside it that do not overlap.
    /// `at` is where the ranges were written (`/network`, or an environment's override).
    fn ranges(&self, network: &crate::model::Network, at: &str, out: &mut Vec<Diagnostic>) {
        let written = |key: &str| self.ctx.has(&format!("{at}/{key}"));
        let field = |key: &str| {
            if written(key) || !written("address_space") {
                format!("{at}/{key}")
            } else {
                format!("{at}/address_space")
            }
        };
        let rules::Kind::Cidr {
            min_prefix: space_min,
            max_prefix: space_max,
        } = rules::ADDRESS_SPACE.kind
        else {
            unreachable!("the address space rule is a CIDR rule")
        };
        let rules::Kind::Cidr {
            max_prefix: subnet_max,
            ..
        } = rules::SUBNET.kind
        else {
            unreachable!("the subnet rule is a CIDR rule")
        };
        let network_at = || KeyPath::new(at);
        let space = match Cidr::parse(&network.address_space) {
            Ok(space) if (space_min..=space_max).contains(&space.prefix) => space,
            Ok(space) => {
                let problem = Problem::AddressSpacePrefix {
                    network: network_at(),
                    prefix: space.prefix,
                    min: space_min,
                    max: space_max,
                };
                out.push(self.ctx.at_value(&field("address_space"), &problem));
                return;
            }
            Err(detail) => {
                if !self.pruned.touches(&field("address_space")) {
                    let problem = Problem::BadRange {
                        network: network_at(),
                        key: "address_space",
                        detail,
                    };
                    out.push(self.ctx.at_value(&field("address_space"), &problem));
                }
                return;
            }
        };
        let mut subnets = Vec::new();
        for (key, value) in [
            ("training_subnet", &network.training_subnet),
            ("private_endpoint_subnet", &network.private_endpoint_subnet),
        ] {
            let Some(value) = value else {
                let problem = Problem::AddressSpaceTooSmall {
                    network: network_at(),
                    space,
                };
                out.push(self.ctx.at_value(&field("address_space"), &problem));
                return;
            };
            let problem = match Cidr::parse(value) {
                Ok(subnet) if !space.contains(subnet) => Problem::SubnetOutside {
                    network: network_at(),
                    key,
                    subnet,
                    space,
                },
                Ok(subnet) if subnet.prefix > subnet_max => Problem::SubnetTooSmall {
                    network: network_at(),
                    key,
                    prefix: subnet.prefix,
                    max: subnet_max,
                },
                Ok(subnet) => {
                    subnets.push((key, subnet));
                    continue;
                }
                Err(detail) => Problem::BadRange {
                    network: network_at(),
                    key,
                    detail,
                },
            };
            out.push(self.ctx.at_value(&field(key), &problem));
        }
        if let [(_, training), (key, subnet)] = subnets[..]
            && training.overlaps(subnet)
        {
            let problem = Problem::SubnetsOverlap {
                network: network_at(),
                key,
                subnet,
                training,
            };
            out.push(self.ctx.at_value(&field(key), &problem));
        }
    }

    /// Environments: the base one listed, overrides naming known environments and clusters,
    /// and every environment's names and ranges valid.
    fn environments(&self, out: &mut Vec<Diagnostic>) {
        let names: Vec<&str> = self
            .model
            .environments
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        if let (Some(listed), Some(base)) =
            (&self.spec.environments, &self.spec.project.environment)
            && !listed.contains(base)
        {
            let problem = Problem::BaseEnvironmentUnlisted {
                base: base.clone(),
                listed: listed.clone(),
            };
            out.push(self.ctx.at_value("/project/environment", &problem));
        }
        let cluster_names: Vec<&str> = self
            .model
            .compute_clusters
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        for (env, changes) in self.spec.overrides.iter().flatten() {
            let at = format!("/overrides/{}", pointer_segment(env));
            if !names.contains(&env.as_str()) {
                let problem = Problem::UnknownEnvironment {
                    env: env.clone(),
                    environments: names.iter().map(|&n| n.to_owned()).collect(),
                    suggestion: suggest(env, names.iter().copied()).map(str::to_owned),
                };
                out.push(self.ctx.at_key(&at, &problem));
                continue;
            }
            for cluster in changes.compute_clusters.iter().flat_map(|c| c.keys()) {
                if !cluster_names.contains(&cluster.as_str()) {
                    let problem = Problem::UnknownOverrideCluster {
                        overrides: KeyPath::new(at.as_str()),
                        cluster: cluster.clone(),
                        suggestion: suggest(cluster, cluster_names.iter().copied())
                            .map(str::to_owned),
                    };
                    out.push(self.ctx.at_key(
                        &format!("{at}/compute_clusters/{}", pointer_segment(cluster)),
                        &problem,
                    ));
                }
            }
        }
        for env in &self.model.environments {
            let at = format!("/overrides/{}", pointer_segment(&env.name));
            for cluster in &env.compute_clusters {
                if cluster.max_nodes < cluster.min_nodes
                    && self.ctx.has(&format!(
                        "{at}/compute_clusters/{}",
                        pointer_segment(&cluster.name)
                    ))
                {
                    let problem = Problem::OverrideClusterSizes {
                        overrides: KeyPath::new(at.as_str()),
                        cluster: cluster.name.clone(),
                        env: env.name.clone(),
                        min: cluster.min_nodes,
                        max: cluster.max_nodes,
                    };
                    out.push(self.ctx.at_value(
                        &format!("{at}/compute_clusters/{}", pointer_segment(&cluster.name)),
                        &problem,
                    ));
                }
            }
            if env.name != self.model.project.environment {
                for (name, rule) in env.names.with_rules() {
                    if let Err(problem) = rule.check_name(&name) {
                        let problem = Problem::EnvironmentName {
                            env: env.name.clone(),
                            problem,
                        };
                        let position = self
                            .spec
                            .environments
                            .iter()
                            .flatten()
                            .position(|e| *e == env.name)
                            .unwrap_or(0);
                        out.push(
                            self.ctx
                                .at_value(&format!("/environments/{position}"), &problem),
                        );
                    }
                }
                if self.ctx.has(&format!("{at}/network")) {
                    self.ranges(&env.network, &format!("{at}/network"), out);
                }
            }
        }
    }

    /// Pipelines: settings only for environments that exist and providers that are listed,
    /// a deployment order naming each environment once, and every connection a listed
    /// provider needs.
    fn pipelines(&self, out: &mut Vec<Diagnostic>) {
        let Some(section) = &self.spec.pipelines else {
            return;
        };
        if self.pruned.touches("/pipelines/providers") || self.pruned.touches("/environments") {
            return;
        }
        let envs = model::listed_environments(self.spec);
        self.pipeline_environments(section, &envs, out);
        if !self.pruned.touches("/pipelines/order")
            && let Some(order) = &section.order
        {
            Self::pipeline_order(self.ctx, order, &envs, out);
        }
        if section.providers.contains(&Provider::AzureDevops) {
            self.pipeline_connections(section, &envs, out);
        }
        self.pipeline_github(section, out);
        self.pipeline_targets(section, out);
    }

    /// `pipelines.environments`: each an environment of the spec, with settings only for
    /// listed providers.
    fn pipeline_environments(
        &self,
        section: &Pipelines,
        envs: &[String],
        out: &mut Vec<Diagnostic>,
    ) {
        for (env, settings) in section.environments.iter().flatten() {
            let at = format!("/pipelines/environments/{}", pointer_segment(env));
            if !envs.contains(env) {
                let problem = Problem::PipelineUnknownEnvironment {
                    env: env.clone(),
                    environments: envs.to_vec(),
                    suggestion: suggest(env, envs.iter().map(String::as_str)).map(str::to_owned),
                };
                out.push(self.ctx.at_key(&at, &problem));
                continue;
            }
            for (provider, present) in [
                (Provider::Github, settings.github.is_some()),
                (Provider::AzureDevops, settings.azure_devops.is_some()),
            ] {
                if present && !section.providers.contains(&provider) {
                    let at = format!("{at}/{}", provider.name());
                    let problem = Problem::PipelineProviderUnlisted {
                        at: KeyPath::new(at.as_str()),
                        provider: provider.name().to_owned(),
                    };
                    out.push(self.ctx.at_key(&at, &problem));
                }
            }
        }
    }

    /// `pipelines.order`: every environment once, and nothing else.
    fn pipeline_order(
        ctx: &Located<'_>,
        order: &[String],
        envs: &[String],
        out: &mut Vec<Diagnostic>,
    ) {
        let mut seen: Vec<&str> = Vec::new();
        for (i, env) in order.iter().enumerate() {
            let at = format!("/pipelines/order/{i}");
            if !envs.contains(env) {
                let problem = Problem::PipelineOrderUnknown {
                    env: env.clone(),
                    environments: envs.to_vec(),
                    suggestion: suggest(env, envs.iter().map(String::as_str)).map(str::to_owned),
                };
                out.push(ctx.at_value(&at, &problem));
            } else if seen.contains(&env.as_str()) {
                let problem = Problem::PipelineOrderRepeated { env: env.clone() };
                out.push(ctx.at_value(&at, &problem));
            }
            seen.push(env);
        }
        let missing: Vec<String> = envs
            .iter()
            .filter(|e| !order.contains(e))
            .cloned()
            .collect();
        if !missing.is_empty() {
            let problem = Problem::PipelineOrderMissing { missing };
            out.push(ctx.at_key("/pipelines/order", &problem));
        }
    }

    /// Azure DevOps deploys every environment through a service connection the spec names.
    fn pipeline_connections(
        &self,
        section: &Pipelines,
        envs: &[String],
        out: &mut Vec<Diagnostic>,
    ) {
        for env in envs {
            let settings = format!("/pipelines/environments/{}", pointer_segment(env));
            let connection = section
                .environments
                .as_ref()
                .and_then(|e| e.get(env))
                .and_then(|s| s.azure_devops.as_ref())
                .and_then(|a| a.service_connection.as_ref());
            if connection.is_some()
                || self
                    .pruned
                    .touches(&format!("{settings}/azure_devops/service_connection"))
            {
                continue;
            }
            // At the environment's Azure DevOps settings, or the nearest of them written;
            // without any settings for the environment, at the provider that needs them.
            let at = if self.ctx.has(&settings) {
                format!("{settings}/azure_devops")
            } else {
                Self::provider_at(section, Provider::AzureDevops)
            };
            let problem = Problem::MissingServiceConnection { env: env.clone() };
            out.push(self.ctx.at_key(&at, &problem));
        }
    }

    /// GitHub: the repository the subjects name, with both numeric ids or neither.
    fn pipeline_github(&self, section: &Pipelines, out: &mut Vec<Diagnostic>) {
        if let Some(github) = &section.github {
            let incomplete = match (github.owner_id, github.repository_id) {
                (Some(_), None) => Some(("owner_id", "repository_id")),
                (None, Some(_)) => Some(("repository_id", "owner_id")),
                _ => None,
            };
            if let Some((given, missing)) = incomplete {
                let problem = Problem::GithubIdsIncomplete { given, missing };
                out.push(
                    self.ctx
                        .at_key(&format!("/pipelines/github/{given}"), &problem),
                );
            }
        } else if section.providers.contains(&Provider::Github)
            && !self.pruned.touches("/pipelines/github")
        {
            out.push(self.ctx.at_value(
                &Self::provider_at(section, Provider::Github),
                &Problem::MissingGithubRepository,
            ));
        }
    }

    /// The targets the pipelines deploy: rendered ones, with remote state for Terraform, and a
    /// warning when both deploy only because `pipelines.targets` was left out.
    fn pipeline_targets(&self, section: &Pipelines, out: &mut Vec<Diagnostic>) {
        let deployed = self.model.pipelines.as_ref();
        if section.targets.is_none() && deployed.is_some_and(|p| p.terraform && p.bicep) {
            out.push(
                self.ctx
                    .at_key("/pipelines", &Problem::PipelinesDeployBothTargets),
            );
        }
        for (i, target) in section.targets.iter().flatten().enumerate() {
            if !self.model.targets.contains(target) {
                let problem = Problem::PipelineTargetUnlisted {
                    target: target.name().to_owned(),
                };
                out.push(
                    self.ctx
                        .at_value(&format!("/pipelines/targets/{i}"), &problem),
                );
            }
        }
        if deployed.is_some_and(|p| p.terraform)
            && self.spec.backend.is_none()
            && !self.pruned.touches("/backend")
        {
            out.push(
                self.ctx
                    .at_key("/pipelines", &Problem::PipelinesNeedBackend),
            );
        }
    }

    /// The position of `provider` in `pipelines.providers`.
    fn provider_at(section: &Pipelines, provider: Provider) -> String {
        let i = section
            .providers
            .iter()
            .position(|p| *p == provider)
            .unwrap_or(0);
        format!("/pipelines/providers/{i}")
    }

    /// Compute instances: unique names that do not clash with clusters (one namespace per
    /// workspace).
    fn instances(&self, out: &mut Vec<Diagnostic>) {
        let mut seen: BTreeMap<String, ComputeOwner> = self
            .model
            .compute_clusters
            .iter()
            .map(|c| (c.name.to_ascii_lowercase(), ComputeOwner::Cluster))
            .collect();
        for (i, instance) in self
            .spec
            .mlops
            .iter()
            .flat_map(|m| m.compute_instances.iter().flatten())
            .enumerate()
        {
            let at = format!("/mlops/compute_instances/{i}/name");
            if let Some(owner) = seen.insert(
                instance.name.to_ascii_lowercase(),
                ComputeOwner::Instance(i),
            ) {
                let problem = Problem::DuplicateInstance {
                    index: i,
                    name: instance.name.clone(),
                    owner,
                };
                out.push(self.ctx.at_value(&at, &problem));
            }
        }
    }

    /// Every `vm_size` the spec writes (clusters, instances, environment overrides) against
    /// the table of Azure ML sizes: warnings only, since Azure adds sizes faster than mlgen is
    /// released.
    fn vm_sizes(&self, out: &mut Vec<Diagnostic>) {
        let mlops = self.spec.mlops.iter();
        let clusters = mlops
            .clone()
            .flat_map(|m| m.compute_clusters.iter().flatten().enumerate())
            .map(|(i, c)| (format!("/mlops/compute_clusters/{i}/vm_size"), &c.vm_size));
        let instances = mlops
            .flat_map(|m| m.compute_instances.iter().flatten().enumerate())
            .map(|(i, c)| (format!("/mlops/compute_instances/{i}/vm_size"), &c.vm_size));
        let overrides = self
            .spec
            .overrides
            .iter()
            .flatten()
            .flat_map(|(env, changes)| {
                changes
                    .compute_clusters
                    .iter()
                    .flatten()
                    .map(move |(name, c)| {
                        (
                            format!(
                                "/overrides/{}/compute_clusters/{}/vm_size",
                                pointer_segment(env),
                                pointer_segment(name)
                            ),
                            &c.vm_size,
                        )
                    })
            });
        for (at, size) in clusters.chain(instances).chain(overrides) {
            let Some(size) = size else { continue };
            if self.pruned.touches(&at) {
                continue;
            }
            let problem = match vm_sizes::lookup(size) {
                vm_sizes::Lookup::Known => continue,
                vm_sizes::Lookup::OtherCase(azure) => Problem::VmSizeCase {
                    at: KeyPath::new(at.as_str()),
                    size: size.clone(),
                    azure: azure.to_owned(),
                },
                vm_sizes::Lookup::Unknown => Problem::UnknownVmSize {
                    at: KeyPath::new(at.as_str()),
                    size: size.clone(),
                    suggestion: suggest_size(size),
                },
            };
            out.push(self.ctx.at_value(&at, &problem));
        }
    }

    /// Tag names that are one tag to Azure: Azure compares tag names without regard to case,
    /// and two names that differ only in Unicode normalisation look identical to a reviewer.
    /// Terraform and Bicep would send both, and Azure would keep one of them. mlgen's own tags
    /// may be overridden by writing the same name exactly; another spelling is a clash too.
    fn tag_clashes(&self, out: &mut Vec<Diagnostic>) {
        let Some(tags) = &self.spec.project.tags else {
            return;
        };
        if self.pruned.touches("/project/tags") {
            return;
        }
        // mlgen's own tags, whatever the model adds: the model of this spec without its tags.
        let mut bare = self.spec.clone();
        bare.project.tags = None;
        let own = Model::from_spec(&bare).project.tags;
        let position = |tag: &str| {
            self.ctx
                .key_position(&format!("/project/tags/{}", pointer_segment(tag)))
        };
        // In file order, so the second spelling is the one reported.
        let mut written: Vec<(&String, (usize, usize))> =
            tags.keys().map(|tag| (tag, position(tag))).collect();
        written.sort_by_key(|(_, at)| *at);
        let mut seen: BTreeMap<String, (&str, Option<usize>)> = own
            .keys()
            .map(|name| (fold_tag(name), (name.as_str(), None)))
            .collect();
        for (tag, (line, _)) in written {
            let folded = fold_tag(tag);
            let at = format!("/project/tags/{}", pointer_segment(tag));
            match seen.get(&folded) {
                None => {
                    seen.insert(folded, (tag, Some(line)));
                }
                Some((first, None)) if first == tag => {}
                Some((own, None)) => {
                    let problem = Problem::TagClashesWithOwn {
                        tag: tag.clone(),
                        own: (*own).to_owned(),
                    };
                    out.push(self.ctx.at_key(&at, &problem));
                }
                Some((first, Some(first_line))) => {
                    let problem = Problem::TagClash {
                        tag: tag.clone(),
                        first: (*first).to_owned(),
                        first_line: *first_line,
                    };
                    out.push(self.ctx.at_key(&at, &problem));
                }
            }
        }
    }

    /// Azure's tag limits ([`rules::TAGS`]), with lengths counted in UTF-16 code units as Azure
    /// counts them. Values may hold any character (they are escaped when rendered); names may
    /// not hold the few characters Azure refuses.
    fn tags(&self, out: &mut Vec<Diagnostic>) {
        let (min_name, max_name) = rules::TAG_NAME.length_range();
        let max_name = max_name.unwrap_or(usize::MAX);
        let max_value = rules::TAG_VALUE.length_range().1.unwrap_or(usize::MAX);
        let forbidden = |c: char| {
            matches!(
                rules::TAG_NAME.kind,
                rules::Kind::Text(rules::Text { forbidden_chars: Some(class), .. })
                    if class.contains(c)
            )
        };
        for (tag, value) in self.spec.project.tags.iter().flatten() {
            let at = format!("/project/tags/{}", pointer_segment(tag));
            let name_len = tag.encode_utf16().count();
            if name_len < min_name || name_len > max_name {
                let problem = Problem::TagNameLength {
                    min: min_name,
                    max: max_name,
                    found: name_len,
                };
                out.push(self.ctx.at_key(&at, &problem));
            }
            if let Some(character) = tag.chars().find(|&c| forbidden(c)) {
                let problem = Problem::TagNameCharacter {
                    tag: tag.clone(),
                    character,
                };
                out.push(self.ctx.at_key(&at, &problem));
            }
            let value_len = value.encode_utf16().count();
            if value_len > max_value {
                let problem = Problem::TagValueLength {
                    at: KeyPath::new(at.as_str()),
                    max: max_value,
                    found: value_len,
                };
                out.push(self.ctx.at_value(&at, &problem));
            }
        }
        self.tag_clashes(out);
        let count = self.model.project.tags.len();
        let rules::Kind::Tags { max: max_tags, .. } = rules::TAGS.kind else {
            unreachable!("the tags rule is a tags rule")
        };
        if count > max_tags {
            let problem = Problem::TooManyTags {
                count,
                max: max_tags,
            };
            out.push(self.ctx.at_key("/project/tags", &problem));
        }
    }
}
