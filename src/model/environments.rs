//! Environments: the base model applied to each environment a spec lists, with that
//! environment's names, tags, cluster sizes, network ranges and state file.
//!
//! A spec without `environments:` has one environment, `project.environment`. Overrides for an
//! unknown environment or cluster are ignored here (the validator reports them), so building
//! environments never fails.

use std::collections::BTreeMap;

use serde::Serialize;

use super::resources::{ComputeCluster, Network, Project};
use crate::naming::Names;
use crate::spec::{self, Spec};

/// One environment, as its variable files need it.
#[derive(Debug, Clone, Serialize)]
pub struct Environment {
    /// Environment name.
    pub name: String,
    /// Derived resource names in this environment.
    pub names: Names,
    /// Tags, with `environment` set to this environment.
    pub tags: BTreeMap<String, String>,
    /// Compute clusters after this environment's overrides.
    pub compute_clusters: Vec<ComputeCluster>,
    /// True when an override changed any cluster (the variable file then carries them).
    pub clusters_overridden: bool,
    /// Network ranges after this environment's overrides.
    pub network: Network,
    /// Remote state settings, when the spec has a backend.
    pub backend: Option<Backend>,
    /// Production: `terraform destroy` keeps the soft-deleted workspace and refuses to delete
    /// a resource group that still holds resources Terraform does not manage.
    pub production: bool,
}

/// Environment names that are production unless an override says otherwise.
pub const PRODUCTION_NAMES: &[&str] = &["prod", "production", "prd", "live"];

/// Remote state of one environment.
#[derive(Debug, Clone, Serialize)]
pub struct Backend {
    /// Resource group of the state storage account.
    pub resource_group_name: String,
    /// Storage account.
    pub storage_account_name: String,
    /// Container.
    pub container_name: String,
    /// State blob name: `<project>-<env>.tfstate`.
    pub key: String,
}

/// The environments of a spec, base environment first.
pub(super) fn environments(
    spec: &Spec,
    project: &Project,
    clusters: &[ComputeCluster],
    network: &Network,
) -> Vec<Environment> {
    let mut names: Vec<String> = vec![project.environment.clone()];
    for name in spec.environments.iter().flatten() {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    names
        .into_iter()
        .map(|name| environment(spec, project, clusters, network, name))
        .collect()
}

/// The environments the spec names, in its order: `environments`, else the one base
/// environment (`project.environment`, else `dev`).
pub fn listed(spec: &Spec) -> Vec<String> {
    match &spec.environments {
        Some(listed) => listed.clone(),
        None => vec![base_name(spec).unwrap_or_else(|| super::DEFAULT_ENVIRONMENT.to_owned())],
    }
}

/// The base environment's name: `project.environment`, else the first of `environments`.
pub(super) fn base_name(spec: &Spec) -> Option<String> {
    spec.project
        .environment
        .clone()
        .or_else(|| spec.environments.as_ref().and_then(|e| e.first().cloned()))
}

fn environment(
    spec: &Spec,
    project: &Project,
    base_clusters: &[ComputeCluster],
    base_network: &Network,
    name: String,
) -> Environment {
    let overrides = spec.overrides.as_ref().and_then(|o| o.get(&name));
    let mut tags = project.tags.clone();
    if spec
        .project
        .tags
        .as_ref()
        .is_none_or(|t| !t.contains_key("environment"))
    {
        tags.insert("environment".to_owned(), name.clone());
    }
    let mut clusters = base_clusters.to_vec();
    let mut clusters_overridden = false;
    for (cluster_name, change) in overrides
        .and_then(|o| o.compute_clusters.as_ref())
        .into_iter()
        .flatten()
    {
        if let Some(cluster) = clusters.iter_mut().find(|c| c.name == *cluster_name) {
            apply_cluster(cluster, change);
            clusters_overridden = true;
        }
    }
    let mut network = base_network.clone();
    if let Some(change) = overrides.and_then(|o| o.network.as_ref()) {
        network = network.with_ranges(
            change.address_space.as_deref(),
            change.training_subnet.as_deref(),
            change.private_endpoint_subnet.as_deref(),
        );
    }
    let backend = spec.backend.as_ref().map(|b| Backend {
        resource_group_name: b.resource_group_name.clone(),
        storage_account_name: b.storage_account_name.clone(),
        container_name: b
            .container_name
            .clone()
            .unwrap_or_else(|| "tfstate".to_owned()),
        key: format!("{}-{name}.tfstate", project.name),
    });
    let production = overrides
        .and_then(|o| o.production)
        .unwrap_or_else(|| PRODUCTION_NAMES.contains(&name.as_str()));
    Environment {
        production,
        names: Names::derive(&project.name, &name, spec.project.suffix.as_deref()),
        name,
        tags,
        compute_clusters: clusters,
        clusters_overridden,
        network,
        backend,
    }
}

fn apply_cluster(cluster: &mut ComputeCluster, change: &spec::ClusterOverride) {
    if let Some(vm_size) = &change.vm_size {
        cluster.vm_size.clone_from(vm_size);
    }
    if let Some(min) = change.min_nodes {
        cluster.min_nodes = min;
    }
    if let Some(max) = change.max_nodes {
        cluster.max_nodes = max;
    }
}
