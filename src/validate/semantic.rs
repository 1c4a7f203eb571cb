//! The rules a JSON Schema cannot express, one function each: Azure regions and availability
//! zones, Azure's naming rules for every derived name, cluster sizes and uniqueness, safe layout
//! folders, a team template folder inside the spec's folder, networking that this version
//! cannot render yet, a workspace no client can reach, canonical address ranges, and Azure's
//! tag limits (tag names being case-insensitive among them).
//!
//! Every rule reads the typed spec (what the user wrote, for positions) and the model (what will
//! be rendered), and skips itself when the schema pass pruned one of its inputs, so a rule never
//! reports a follow-on error of a problem already reported.

use std::collections::BTreeMap;

use unicode_normalization::UnicodeNormalization as _;

use super::{Located, Pruned};
use crate::cidr::Cidr;
use crate::diag::{Diagnostic, key_path, suggest};
use crate::layout::{self, LayoutError};
use crate::load::pointer::escape as pointer_segment;
use crate::model::{self, Model};
use crate::rules;
use crate::spec::AzureName as _;
use crate::spec::Spec;

/// A tag name as Azure compares it: case-insensitively, and (for people reading the spec)
/// with the same characters however they are composed.
fn fold_tag(name: &str) -> String {
    let composed: String = name.nfc().collect();
    composed.to_lowercase().nfc().collect()
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
        let help = suggest(location, rules::region_names())
            .map(|s| format!("did you mean `{s}`?"))
            .or_else(|| Some("`az account list-locations -o table` lists the region names".into()));
        let message =
            format!("`project.location`: `{location}` is not an Azure region mlgen knows");
        out.push(self.ctx.at_value("/project/location", message, help));
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
        let (at, default) = if written {
            ("/mlops/storage_account/replication", "")
        } else {
            ("/project/location", " (the default)")
        };
        let message = format!(
            "`mlops.storage_account.replication`: {replication}{default} needs a region with availability zones, and `{location}` has none"
        );
        let help =
            Some("use `replication: LRS` or `GRS`, or a region with availability zones".into());
        out.push(self.ctx.at_value(at, message, help));
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
                let help = Some("shorten `project.name` or `project.environment`, or set a shorter `project.suffix`".into());
                out.push(self.ctx.at_value(
                    "/project/name",
                    format!("`project.name`: {problem}"),
                    help,
                ));
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
                let message = format!(
                    "`{}`: max_nodes ({max}) is less than min_nodes ({min})",
                    key_path(&here)
                );
                out.push(self.ctx.at_value(&at, message, None));
            }
            if let Some(first) = seen.insert(cluster.name.to_ascii_lowercase(), i) {
                let message = format!(
                    "`{}.name`: cluster name `{}` is already used by `mlops.compute_clusters[{first}]`",
                    key_path(&here),
                    cluster.name
                );
                let help = Some(
                    "compute cluster names are case-insensitive and must be unique in a workspace"
                        .into(),
                );
                out.push(self.ctx.at_value(&format!("{here}/name"), message, help));
            }
        }
    }

    /// Layout problems, each blamed on a folder the user wrote rather than on a default.
    fn layout(&self, out: &mut Vec<Diagnostic>) {
        let raw = model::raw_layout(self.spec);
        let written = |field: &str| self.ctx.has(&format!("/layout/{field}"));
        for LayoutError {
            field,
            mut message,
            clashes_with,
        } in layout::check(&raw)
        {
            let mut blamed = field;
            if let Some(other) = clashes_with.filter(|other| !written(field) && written(other)) {
                let folder = raw
                    .fields()
                    .into_iter()
                    .find(|(f, _)| *f == other)
                    .map_or("", |(_, v)| v);
                message = layout::clash_message(folder, field);
                blamed = other;
            }
            let at = format!("/layout/{blamed}");
            if !self.pruned.touches(&at) {
                out.push(
                    self.ctx
                        .at_value(&at, format!("`layout.{blamed}`: {message}"), None),
                );
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
            "is empty; write `.` for the spec's own folder".to_owned()
        } else if folder.starts_with(['/', '~']) || folder.get(1..2) == Some(":") {
            format!(
                "`{folder}` is absolute; the team template folder must be inside the spec's folder"
            )
        } else if folder.contains('\\') {
            format!("`{folder}` contains a backslash; use `/` between folders")
        } else if folder.split('/').any(|part| part == "..") {
            format!("`{folder}` can leave the spec's folder (`..` is not allowed)")
        } else {
            return;
        };
        let help = Some(
            "write a path relative to the spec file, such as `templates: team-templates`, or \
             pass `--templates DIR` on the command line"
                .into(),
        );
        out.push(
            self.ctx
                .at_value(AT, format!("`templates`: {problem}"), help),
        );
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
        let message = "`mlops.workspace.public_network_access`: false without \
                       `network.private_endpoints` locks every client (Studio, CLI, SDK) out \
                       of the workspace"
            .to_owned();
        let help = Some(
            "set `mlops.workspace.public_network_access: true`, or `network.private_endpoints: \
             true`, or `network.external_private_access: true` when clients reach the workspace \
             through private endpoints that mlgen does not manage"
                .into(),
        );
        out.push(self.ctx.at_value(AT, message, help));
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
                let message = "`network.private_endpoints`: private endpoints need `mlops.container_registry.sku: Premium`";
                out.push(self.ctx.at_value(at, message.into(), None));
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
        let space = match Cidr::parse(&network.address_space) {
            Ok(space) if (space_min..=space_max).contains(&space.prefix) => space,
            Ok(space) => {
                let message = format!(
                    "`{}.address_space`: prefix /{} is outside the /{space_min}-/{space_max} Azure allows for a virtual network",
                    key_path(at),
                    space.prefix
                );
                out.push(self.ctx.at_value(&field("address_space"), message, None));
                return;
            }
            Err(problem) => {
                if !self.pruned.touches(&field("address_space")) {
                    out.push(self.ctx.at_value(
                        &field("address_space"),
                        format!("`{}.address_space`: {problem}", key_path(at)),
                        None,
                    ));
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
                let message = format!(
                    "`{}.address_space`: {space} is too small for two subnets",
                    key_path(at)
                );
                out.push(self.ctx.at_value(&field("address_space"), message, None));
                return;
            };
            match Cidr::parse(value) {
                Ok(subnet) if !space.contains(subnet) => {
                    let message = format!(
                        "`{}.{key}`: {subnet} is not inside the address space {space}",
                        key_path(at)
                    );
                    out.push(self.ctx.at_value(&field(key), message, None));
                }
                Ok(subnet) if subnet.prefix > subnet_max => {
                    let message = format!(
                        "`{}.{key}`: /{} is smaller than the /{subnet_max} Azure needs for a subnet",
                        key_path(at),
                        subnet.prefix
                    );
                    out.push(self.ctx.at_value(&field(key), message, None));
                }
                Ok(subnet) => subnets.push((key, subnet)),
                Err(problem) => out.push(self.ctx.at_value(
                    &field(key),
                    format!("`{}.{key}`: {problem}", key_path(at)),
                    None,
                )),
            }
        }
        if let [(_, a), (key, b)] = subnets[..]
            && a.overlaps(b)
        {
            let message = format!(
                "`{}.{key}`: {b} overlaps the training subnet {a}",
                key_path(at)
            );
            out.push(self.ctx.at_value(&field(key), message, None));
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
            let message = format!(
                "`project.environment`: `{base}` is not one of `environments` ({})",
                listed.join(", ")
            );
            out.push(self.ctx.at_value(
                "/project/environment",
                message,
                Some("add it to `environments`".into()),
            ));
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
                let help =
                    suggest(env, names.iter().copied()).map(|s| format!("did you mean `{s}`?"));
                let message = format!(
                    "`overrides`: unknown environment `{env}`; the environments are {}",
                    names.join(", ")
                );
                out.push(self.ctx.at_key(&at, message, help));
                continue;
            }
            for cluster in changes.compute_clusters.iter().flat_map(|c| c.keys()) {
                if !cluster_names.contains(&cluster.as_str()) {
                    let help = suggest(cluster, cluster_names.iter().copied())
                        .map(|s| format!("did you mean `{s}`?"));
                    let message = format!(
                        "`{}.compute_clusters`: unknown compute cluster `{cluster}`",
                        key_path(&at)
                    );
                    out.push(self.ctx.at_key(
                        &format!("{at}/compute_clusters/{}", pointer_segment(cluster)),
                        message,
                        help,
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
                    let message = format!(
                        "`{}.compute_clusters.{}`: max_nodes ({}) is less than min_nodes ({}) in environment `{}`",
                        key_path(&at),
                        cluster.name,
                        cluster.max_nodes,
                        cluster.min_nodes,
                        env.name
                    );
                    out.push(self.ctx.at_value(
                        &format!("{at}/compute_clusters/{}", pointer_segment(&cluster.name)),
                        message,
                        None,
                    ));
                }
            }
            if env.name != self.model.project.environment {
                for (name, rule) in env.names.with_rules() {
                    if let Err(problem) = rule.check_name(&name) {
                        let message =
                            format!("`environments`: in environment `{}`, {problem}", env.name);
                        let position = self
                            .spec
                            .environments
                            .iter()
                            .flatten()
                            .position(|e| *e == env.name)
                            .unwrap_or(0);
                        out.push(self.ctx.at_value(
                            &format!("/environments/{position}"),
                            message,
                            Some("use a shorter environment name".into()),
                        ));
                    }
                }
                if self.ctx.has(&format!("{at}/network")) {
                    self.ranges(&env.network, &format!("{at}/network"), out);
                }
            }
        }
    }

    /// Compute instances: unique names that do not clash with clusters (one namespace per
    /// workspace).
    fn instances(&self, out: &mut Vec<Diagnostic>) {
        let mut seen: BTreeMap<String, String> = self
            .model
            .compute_clusters
            .iter()
            .map(|c| (c.name.to_ascii_lowercase(), "a compute cluster".to_owned()))
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
                format!("`mlops.compute_instances[{i}]`"),
            ) {
                let message = format!(
                    "`mlops.compute_instances[{i}].name`: `{}` is already used by {owner}",
                    instance.name
                );
                let help = Some("compute clusters and instances share one namespace per workspace; names are case-insensitive".into());
                out.push(self.ctx.at_value(&at, message, help));
            }
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
            let d = self.ctx.at_key(
                &format!("/project/tags/{}", pointer_segment(tag)),
                String::new(),
                None,
            );
            (d.line, d.column)
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
                Some((first, None)) => {
                    let (tag, first_spelled, why) = tag_clash(tag, first);
                    let message = format!(
                        "`project.tags`: tag {tag} is the same Azure tag as {first_spelled}, which mlgen sets itself: {why}"
                    );
                    let help = Some(format!(
                        "write `{first}` to replace mlgen's value, or choose another name"
                    ));
                    out.push(self.ctx.at_key(&at, message, help));
                }
                Some((first, Some(first_line))) => {
                    let (tag, first, why) = tag_clash(tag, first);
                    let message = format!(
                        "`project.tags`: tag {tag} is the same Azure tag as {first} on line {first_line}: {why}"
                    );
                    let help = Some("keep one of the two".into());
                    out.push(self.ctx.at_key(&at, message, help));
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
                let message = format!(
                    "`project.tags`: tag names must be {min_name}-{max_name} characters long (Azure limit), found {name_len}"
                );
                out.push(self.ctx.at_key(&at, message, None));
            }
            if let Some(c) = tag.chars().find(|&c| forbidden(c)) {
                let message = format!(
                    "`project.tags`: tag name {tag:?} contains {c:?}, which Azure does not allow in tag names"
                );
                let help = Some(format!("tag names must be {}", rules::TAG_NAME.wording()));
                out.push(self.ctx.at_key(&at, message, help));
            }
            let value_len = value.encode_utf16().count();
            if value_len > max_value {
                let message = format!(
                    "`{}`: tag values may be at most {max_value} characters long (Azure limit), found {value_len}",
                    key_path(&at)
                );
                out.push(self.ctx.at_value(&at, message, None));
            }
        }
        self.tag_clashes(out);
        let count = self.model.project.tags.len();
        let rules::Kind::Tags { max: max_tags, .. } = rules::TAGS.kind else {
            unreachable!("the tags rule is a tags rule")
        };
        if count > max_tags {
            let message = format!(
                "`project.tags`: {count} tags including mlgen's own; Azure allows {max_tags} per resource"
            );
            out.push(self.ctx.at_key("/project/tags", message, None));
        }
    }
}
