//! The template context of one target: the model, plus the catalog joined with that target's
//! way of referring to resources. Each entry arrives in the templates with its references,
//! names and DNS zones already resolved, so a template loops and spells syntax but never looks
//! anything up or compares strings. `terraform.rs` and `bicep.rs` each supply a [`Spelling`].

use std::collections::BTreeMap;

use serde::Serialize;
use tera::Context;

use crate::catalog::{self, Kind, PrivateDnsZone, RoleGrant};
use crate::model::Model;
use crate::naming;

/// How one target refers to the catalog's resources.
pub(super) trait Spelling {
    /// The expression that stands for `kind` where a role's scope or an endpoint's or
    /// diagnostic setting's target goes: a resource ID (Terraform) or a symbol (Bicep).
    fn reference(&self, kind: Kind) -> &'static str;
    /// A string literal of `prefix`, then the name of `kind`'s resource (interpolated: it is
    /// only known at deployment), then `suffix`.
    fn name_literal(&self, prefix: &str, kind: Kind, suffix: &str) -> String;
    /// Whether the workspace's default datastores use Entra ID in this target's output.
    fn identity_storage(&self, model: &Model) -> bool;
}

/// A role grant with the target's reference to its scope.
#[derive(Debug, Serialize)]
struct Grant {
    #[serde(flatten)]
    grant: &'static RoleGrant,
    /// The target's expression of the scope (replaces the catalog's kind).
    scope: &'static str,
}

/// A private endpoint with its name, target and DNS zones resolved.
#[derive(Debug, Serialize)]
struct Endpoint {
    label: &'static str,
    subresource: &'static str,
    /// The endpoint's (and its connection's) name, as a string literal.
    name: String,
    /// The target's expression of the exposed resource.
    target: &'static str,
    /// The zones its records go into.
    zones: Vec<&'static PrivateDnsZone>,
}

/// A diagnostic setting with its name and target resolved.
#[derive(Debug, Serialize)]
struct Diagnostic {
    label: &'static str,
    /// The setting's name, as a string literal.
    name: String,
    /// The target's expression of the monitored resource.
    target: &'static str,
    logs: bool,
    metric: &'static str,
}

/// Every key [`insert`] sets, so [`remove`] can take them out again.
const KEYS: &[&str] = &[
    "workspace_roles",
    "compute_roles",
    "admin_roles",
    "private_endpoints",
    "diagnostics",
    "secondary_names",
    "studio_cors",
    "mlops_dns_zones",
];

/// Takes out what [`insert`] put in, leaving the target-independent context: cheaper than
/// building it again, which serialises the whole model (every environment's clusters).
pub(super) fn remove(context: &mut Context) {
    for key in KEYS {
        context.remove(key);
    }
}

/// Inserts the joined catalog into `context` (the keys in [`KEYS`]).
pub(super) fn insert(context: &mut Context, model: &Model, spelling: &dyn Spelling) {
    let grants = |list: Vec<&'static RoleGrant>| -> Vec<Grant> {
        list.into_iter()
            .map(|grant| Grant {
                grant,
                scope: spelling.reference(grant.scope),
            })
            .collect()
    };
    let workspace_roles = catalog::granted_workspace_roles(
        spelling.identity_storage(model),
        model.network.private_endpoints,
    );
    context.insert("workspace_roles", &grants(workspace_roles));
    context.insert(
        "compute_roles",
        &grants(catalog::COMPUTE_ROLES.iter().collect()),
    );
    context.insert(
        "admin_roles",
        &grants(catalog::ADMIN_ROLES.iter().collect()),
    );
    let endpoints: Vec<Endpoint> = catalog::PRIVATE_ENDPOINTS
        .iter()
        .map(|pe| Endpoint {
            label: pe.label,
            subresource: pe.subresource,
            name: spelling.name_literal(
                naming::PRIVATE_ENDPOINT_PREFIX,
                pe.resource,
                &naming::private_endpoint_suffix(pe.subresource),
            ),
            target: spelling.reference(pe.resource),
            zones: pe
                .zones
                .iter()
                .filter_map(|key| catalog::PRIVATE_DNS_ZONES.iter().find(|z| z.key == *key))
                .collect(),
        })
        .collect();
    context.insert("private_endpoints", &endpoints);
    let diagnostics: Vec<Diagnostic> = catalog::DIAGNOSTICS
        .iter()
        .map(|d| Diagnostic {
            label: d.label,
            name: spelling.name_literal(naming::DIAGNOSTIC_SETTING_PREFIX, d.resource, d.suffix),
            target: spelling.reference(d.resource),
            logs: d.logs,
            metric: d.metric,
        })
        .collect();
    context.insert("diagnostics", &diagnostics);
    // The shared and network modules' secondary names, as string literals by label.
    let secondary: BTreeMap<&str, String> = naming::SECONDARY
        .iter()
        .map(|s| (s.label, spelling.name_literal(s.prefix, s.of, s.suffix)))
        .collect();
    context.insert("secondary_names", &secondary);
    context.insert("studio_cors", &catalog::STUDIO_CORS);
    context.insert("mlops_dns_zones", &catalog::mlops_dns_zones());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remove_takes_out_exactly_what_insert_put_in() {
        // Private endpoints on, so every joined list has entries.
        let spec: crate::spec::Spec = serde_yaml::from_str(
            "version: 1\nproject: {name: churn}\nnetwork: {private_endpoints: true}\n",
        )
        .unwrap();
        let model = Model::from_spec(&spec);
        let base = Context::from_serialize(&model).unwrap();
        for spelling in [
            &super::super::terraform::Terraform as &dyn Spelling,
            &super::super::bicep::Bicep,
        ] {
            let mut context = base.clone();
            insert(&mut context, &model, spelling);
            assert_ne!(context.clone().into_json(), base.clone().into_json());
            for key in KEYS {
                assert!(context.contains_key(key), "insert no longer sets {key}");
            }
            remove(&mut context);
            assert_eq!(context.into_json(), base.clone().into_json());
        }
    }
}
