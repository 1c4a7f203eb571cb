//! What the README says about the delivery pipelines: the identities each CI system signs in
//! with, the exact federated-credential subjects to create for them, the Azure roles each
//! needs (and no more), and the commands that create the Terraform state storage. Built here
//! rather than in the template so every command is spelled as shell words in one place.

use serde::Serialize;

use super::docs::shell_word;
use crate::catalog;
use crate::model::Model;
use crate::model::pipelines::{Github, Pipelines, Stage};

/// GitHub's OIDC token issuer.
const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";
/// The audience Entra ID expects in federated tokens (azure/login's default).
const AUDIENCE: &str = "api://AzureADTokenExchange";
/// Role Based Access Control Administrator: assigns roles, and (with a condition) only some.
const RBAC_ADMINISTRATOR: &str = "f58310d9-a9f6-439a-9e8d-f62e7b41a168";

/// The README's `docs.pipelines`.
#[derive(Debug, Serialize)]
pub(super) struct PipelineDocs {
    /// The roles the Terraform and Bicep code assigns, each once, by name.
    roles: Vec<Role>,
    /// The condition that limits the deploying identity's role assignments to `roles`.
    condition: String,
    /// `az role assignment create …` granting the deploying identity Role Based Access
    /// Control Administrator under that condition.
    rbac_command: String,
    /// `az role definition create …` of the planning identity's what-if role, with Bicep.
    what_if_role_command: Option<String>,
    /// `az provider register …` for every resource provider the code needs: the planning
    /// identity cannot register them, and the first plan needs them.
    register: Vec<String>,
    /// GitHub's identities, when GitHub is a provider.
    github: Option<GithubDocs>,
    /// Azure DevOps' service connections, when Azure DevOps is a provider.
    azure_devops: Option<AzureDevopsDocs>,
    /// Commands that create the Terraform state storage, with a backend and Terraform.
    state: Option<StateDocs>,
}

#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct Role {
    name: &'static str,
    id: &'static str,
}

#[derive(Debug, Serialize)]
struct GithubDocs {
    issuer: &'static str,
    audience: &'static str,
    /// True when the subjects are GitHub's immutable form (the spec gave the numeric ids).
    immutable: bool,
    /// Repository variables to set, each once, with what they hold.
    variables: Vec<Variable>,
    /// Per environment: the deploying and the planning identity.
    identities: Vec<Identity>,
}

#[derive(Debug, Serialize)]
struct Variable {
    name: String,
    holds: String,
}

#[derive(Debug, Serialize)]
struct Identity {
    env: String,
    /// `deploy` or `plan`.
    purpose: &'static str,
    /// The repository variable holding its client id.
    variable: String,
    /// The GitHub environment its jobs run in (deploy only).
    github_environment: Option<String>,
    /// The federated-credential subjects it needs, exactly.
    subjects: Vec<String>,
    /// `az identity federated-credential create …`, one per subject.
    commands: Vec<String>,
}

#[derive(Debug, Serialize)]
struct AzureDevopsDocs {
    connections: Vec<Connection>,
    /// `dev.azure.com/<org>/<project>`, or placeholders.
    organization: String,
    project: String,
}

#[derive(Debug, Serialize)]
struct Connection {
    env: String,
    purpose: &'static str,
    name: String,
    environment: Option<String>,
    /// The subject of a connection that still uses the Azure DevOps issuer.
    legacy_subject: String,
}

#[derive(Debug, Serialize)]
struct StateDocs {
    /// Commands creating the resource group, the account and its container.
    create: Vec<String>,
    /// Per environment, the commands that create its (empty) state, run once by someone who
    /// may write state: the planning identity cannot, and every deployment starts with a plan.
    first_state: Vec<String>,
    /// The container's resource id with the state subscription left as a placeholder.
    scope: String,
}

/// The README's pipeline context, or `None` without pipelines.
pub(super) fn pipeline_docs(model: &Model) -> Option<PipelineDocs> {
    let pipelines = model.pipelines.as_ref()?;
    let roles = assigned_roles(model);
    let condition = condition(&roles);
    Some(PipelineDocs {
        rbac_command: [
            "az role assignment create",
            "--assignee-object-id '<deploying identity object id>'",
            "--assignee-principal-type ServicePrincipal",
            &format!("--role {RBAC_ADMINISTRATOR}"),
            "--scope '/subscriptions/<subscription id>'",
            &format!("--condition {}", shell_word(&condition)),
            "--condition-version 2.0",
        ]
        .join(" "),
        condition,
        what_if_role_command: pipelines.bicep.then(|| what_if_role(&model.project.name)),
        roles,
        register: catalog::RESOURCE_PROVIDERS
            .iter()
            .map(|namespace| format!("az provider register --namespace {namespace} --wait"))
            .collect(),
        github: pipelines.github.as_ref().map(|g| github(pipelines, g)),
        azure_devops: pipelines.azure_devops.as_ref().map(|a| {
            let organization = a.organization.as_deref().unwrap_or("<organization>");
            let project = a.project.as_deref().unwrap_or("<project>");
            AzureDevopsDocs {
                connections: connections(pipelines, organization, project),
                organization: organization.to_owned(),
                project: project.to_owned(),
            }
        }),
        state: state(model, pipelines),
    })
}

/// Every role the code may assign: the workspace's, the compute's and (with admins) the
/// admins' grants, each role once. Identity-based storage counts as on: the Bicep output
/// always uses it, so its roles may be assigned whichever target deploys.
fn assigned_roles(model: &Model) -> Vec<Role> {
    let private = model.network.private_endpoints;
    let has_compute = !model.compute_clusters.is_empty() || !model.compute_instances.is_empty();
    let mut roles: Vec<Role> = catalog::WORKSPACE_ROLES
        .iter()
        .filter(|g| g.when.holds(true, private))
        .chain(catalog::COMPUTE_ROLES.iter().filter(|_| has_compute))
        .chain(
            catalog::ADMIN_ROLES
                .iter()
                .filter(|_| !model.admins.is_empty()),
        )
        .map(|g| Role {
            name: g.role,
            id: g.role_id,
        })
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

/// The ABAC condition of "Delegate Azure role assignment management to others with
/// conditions": role assignments may be written and deleted only for `roles`. Writing and
/// deleting read the role from different attribute sources, hence two clauses.
fn condition(roles: &[Role]) -> String {
    let mut ids: Vec<&str> = roles.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    let ids = ids.join(", ");
    format!(
        "((!(ActionMatches{{'Microsoft.Authorization/roleAssignments/write'}})) OR \
         (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] \
         ForAnyOfAnyValues:GuidEquals {{{ids}}})) AND \
         ((!(ActionMatches{{'Microsoft.Authorization/roleAssignments/delete'}})) OR \
         (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] \
         ForAnyOfAnyValues:GuidEquals {{{ids}}}))"
    )
}

/// The custom role that lets a read-only identity run what-if: Reader does not include the
/// two deployment actions, and `--validation-level ProviderNoRbac` then checks only read
/// access to the resources.
fn what_if_role(project: &str) -> String {
    let definition = serde_json::json!({
        "Name": format!("mlgen what-if ({project})"),
        "Description": "Preview subscription deployments without the right to deploy.",
        "Actions": [
            "Microsoft.Resources/deployments/whatIf/action",
            "Microsoft.Resources/deployments/validate/action",
        ],
        "AssignableScopes": ["/subscriptions/<subscription id of each environment>"],
    });
    format!(
        "az role definition create --role-definition {}",
        shell_word(&definition.to_string())
    )
}

fn github(pipelines: &Pipelines, settings: &Github) -> GithubDocs {
    let repository = &settings.subject_repository;
    let mut variables: Vec<Variable> = Vec::new();
    let mut add = |name: &str, holds: String| {
        if !variables.iter().any(|v| v.name == name) {
            variables.push(Variable {
                name: name.to_owned(),
                holds,
            });
        }
    };
    for stage in &pipelines.stages {
        let g = &stage.github;
        add(&g.tenant_id, "the Entra tenant id".into());
        add(
            &g.subscription_id,
            format!("the subscription of `{}`", stage.name),
        );
        add(
            &g.plan_client_id,
            format!("the client id of `{}`'s planning identity", stage.name),
        );
        add(
            &g.client_id,
            format!("the client id of `{}`'s deploying identity", stage.name),
        );
    }
    let deploy_ref = &pipelines.deploy_ref;
    let identities = pipelines
        .stages
        .iter()
        .flat_map(|stage| {
            let g = &stage.github;
            let plan = vec![
                format!("repo:{repository}:pull_request"),
                format!("repo:{repository}:ref:{deploy_ref}"),
            ];
            let deploy = vec![format!("repo:{repository}:environment:{}", g.environment)];
            [
                identity(stage, "plan", &g.plan_client_id, None, plan),
                identity(
                    stage,
                    "deploy",
                    &g.client_id,
                    Some(g.environment.clone()),
                    deploy,
                ),
            ]
        })
        .collect();
    GithubDocs {
        issuer: GITHUB_ISSUER,
        audience: AUDIENCE,
        immutable: settings.immutable_subjects,
        variables,
        identities,
    }
}

fn identity(
    stage: &Stage,
    purpose: &'static str,
    variable: &str,
    github_environment: Option<String>,
    subjects: Vec<String>,
) -> Identity {
    let commands = subjects
        .iter()
        .enumerate()
        .map(|(i, subject)| {
            [
                "az identity federated-credential create".to_owned(),
                format!(
                    "--name {}",
                    shell_word(&format!("github-{}-{purpose}-{}", stage.name, i + 1))
                ),
                format!(
                    "--identity-name {}",
                    shell_word(&format!("<{}-{purpose}-identity>", stage.name))
                ),
                "--resource-group '<its resource group>'".to_owned(),
                format!("--issuer {}", shell_word(GITHUB_ISSUER)),
                format!("--subject {}", shell_word(subject)),
                format!("--audiences {}", shell_word(AUDIENCE)),
            ]
            .join(" ")
        })
        .collect();
    Identity {
        env: stage.name.clone(),
        purpose,
        variable: variable.to_owned(),
        github_environment,
        subjects,
        commands,
    }
}

fn connections(pipelines: &Pipelines, org: &str, project: &str) -> Vec<Connection> {
    let mut out = Vec::new();
    for stage in &pipelines.stages {
        let a = &stage.azure_devops;
        let mut add = |purpose, name: &str, environment: Option<String>| {
            out.push(Connection {
                env: stage.name.clone(),
                purpose,
                name: name.to_owned(),
                environment,
                legacy_subject: format!("sc://{org}/{project}/{name}"),
            });
        };
        add("plan", &a.plan_service_connection, None);
        add("deploy", &a.service_connection, Some(a.environment.clone()));
    }
    out
}

/// The state storage of the backend: one account and container for every environment, one
/// state blob each (`<project>-<env>.tfstate`), Entra ID only, versioned and soft-deleted.
fn state(model: &Model, pipelines: &Pipelines) -> Option<StateDocs> {
    if !pipelines.terraform {
        return None;
    }
    let backend = model.environments.first()?.backend.as_ref()?;
    let rg = shell_word(&backend.resource_group_name);
    let account = shell_word(&backend.storage_account_name);
    let container = shell_word(&backend.container_name);
    let location = shell_word(&model.project.location);
    let sku = if crate::rules::has_availability_zones(&model.project.location) {
        "Standard_ZRS"
    } else {
        "Standard_GRS"
    };
    Some(StateDocs {
        create: vec![
            format!("az group create --name {rg} --location {location}"),
            format!(
                "az storage account create --name {account} --resource-group {rg} \
                 --location {location} --sku {sku} --kind StorageV2 --min-tls-version TLS1_2 \
                 --https-only true --allow-blob-public-access false \
                 --allow-shared-key-access false"
            ),
            format!(
                "az storage account blob-service-properties update --account-name {account} \
                 --resource-group {rg} --enable-versioning true --enable-delete-retention true \
                 --delete-retention-days 30 --enable-container-delete-retention true \
                 --container-delete-retention-days 30"
            ),
            // On the management plane: the account takes no shared keys, and an Owner has no
            // data-plane role for `az storage container create --auth-mode login`.
            format!(
                "az storage container-rm create --name {container} --storage-account {account} \
                 --resource-group {rg}"
            ),
        ],
        first_state: pipelines
            .stages
            .iter()
            .map(|stage| {
                format!(
                    "terraform {} init -reconfigure -backend-config={} && terraform {} state list",
                    shell_word(&pipelines.terraform_chdir),
                    shell_word(&stage.backend),
                    shell_word(&pipelines.terraform_chdir),
                )
            })
            .collect(),
        scope: format!(
            "/subscriptions/<state subscription>/resourceGroups/{}/providers/Microsoft.Storage/storageAccounts/{}/blobServices/default/containers/{}",
            backend.resource_group_name, backend.storage_account_name, backend.container_name
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(yaml: &str) -> PipelineDocs {
        let spec: crate::spec::Spec = serde_yaml::from_str(yaml).unwrap();
        pipeline_docs(&Model::from_spec(&spec)).unwrap()
    }

    #[test]
    fn subjects_are_exact_per_identity() {
        let d = docs(
            "version: 1\nproject: {name: fraud}\nenvironments: [dev, prod]\n\
             backend: {resource_group_name: rg-s, storage_account_name: sts}\n\
             pipelines: {providers: [github], deploy_branch: release/v1, github: {repository: o/r},\n\
             environments: {prod: {github: {environment: production}}}}\n",
        );
        let g = d.github.unwrap();
        let subjects: Vec<(&str, &str, &[String])> = g
            .identities
            .iter()
            .map(|i| (i.env.as_str(), i.purpose, i.subjects.as_slice()))
            .collect();
        assert_eq!(subjects[0].0, "dev");
        assert_eq!(
            subjects[0].2,
            [
                "repo:o/r:pull_request",
                "repo:o/r:ref:refs/heads/release/v1"
            ]
        );
        assert_eq!(subjects[3].2, ["repo:o/r:environment:production"]);
        assert!(g.identities[3].commands[0].contains("--subject repo:o/r:environment:production"));
        let names: Vec<&str> = g.variables.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "AZURE_TENANT_ID",
                "AZURE_SUBSCRIPTION_ID_DEV",
                "AZURE_PLAN_CLIENT_ID_DEV",
                "AZURE_CLIENT_ID_DEV",
                "AZURE_SUBSCRIPTION_ID_PROD",
                "AZURE_PLAN_CLIENT_ID_PROD",
                "AZURE_CLIENT_ID_PROD"
            ]
        );
        let state = d.state.unwrap();
        assert!(
            state.create[3].contains("container-rm create --name tfstate --storage-account sts")
        );
        assert_eq!(
            state.first_state[1],
            "terraform -chdir=main init -reconfigure -backend-config=prod.backend.hcl && terraform -chdir=main state list"
        );
    }

    #[test]
    fn the_condition_names_exactly_the_assigned_roles() {
        let d = docs(
            "version: 1\nproject: {name: fraud}\nbackend: {resource_group_name: rg-s, storage_account_name: sts}\n\
             pipelines: {providers: [azure_devops], environments: {dev: {azure_devops: {service_connection: c}}}}\n",
        );
        let names: Vec<&str> = d.roles.iter().map(|r| r.name).collect();
        assert!(
            names.contains(&"Contributor") && names.contains(&"AcrPull"),
            "{names:?}"
        );
        assert!(
            !names.contains(&"AzureML Data Scientist"),
            "no admins, no admin role"
        );
        for role in &d.roles {
            assert_eq!(d.condition.matches(role.id).count(), 2, "{}", role.name);
        }
        let c = d.azure_devops.unwrap();
        let subjects: Vec<&str> = c
            .connections
            .iter()
            .map(|c| c.legacy_subject.as_str())
            .collect();
        assert_eq!(
            subjects,
            [
                "sc://<organization>/<project>/c-plan",
                "sc://<organization>/<project>/c"
            ],
            "a planning connection of its own by default"
        );
    }
}
