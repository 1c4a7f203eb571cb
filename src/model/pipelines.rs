//! The delivery pipelines as the templates need them: every default applied, the environments
//! in deployment order, and for each the files its jobs read (variable, backend and parameter
//! files, by their path from the repository root), its approval gates and its sign-in.
//!
//! Like the rest of the model this never fails: an environment the validator will reject
//! (unknown, repeated in `order`) is left out, and a missing service connection is an empty
//! name the validator reports before anything is rendered.

use serde::Serialize;

use crate::layout::join;
use crate::spec::pipelines::{self as spec, Provider};
use crate::spec::{Spec, Target};

/// The branch that deploys when the spec names none.
pub const DEFAULT_DEPLOY_BRANCH: &str = "main";
/// Weekdays at 06:00 UTC: before a working day starts, drift is on the table.
pub const DEFAULT_DRIFT_SCHEDULE: &str = "0 6 * * 1-5";
/// The Terraform release the pipelines install when the spec names none (the one mlgen's own
/// output is validated with).
pub const DEFAULT_TERRAFORM_VERSION: &str = "1.11.4";
/// The spec's path the pipelines check when the spec names none: the file `mlgen init` writes
/// and every command reads by default.
pub const DEFAULT_SPEC_PATH: &str = "mlgen.yaml";
/// The tenant-id variable when an environment names none: one tenant is the common case.
pub const DEFAULT_TENANT_VARIABLE: &str = "AZURE_TENANT_ID";

/// Everything the pipeline templates read (`pipelines` in their context).
#[derive(Debug, Clone, Serialize)]
pub struct Pipelines {
    /// GitHub Actions settings, when `github` is a provider.
    pub github: Option<Github>,
    /// Azure Pipelines settings, when `azure_devops` is a provider.
    pub azure_devops: Option<AzureDevops>,
    /// The branch whose pushes deploy.
    pub deploy_branch: String,
    /// Its full ref (`refs/heads/main`), as both CI systems compare it.
    pub deploy_ref: String,
    /// The drift job's cron schedule (UTC).
    pub drift_schedule: String,
    /// The Terraform release to install.
    pub terraform_version: String,
    /// The mlgen release the drift gate installs: this one, so the gate renders exactly what
    /// was committed.
    pub mlgen_version: String,
    /// The spec's path from the repository root.
    pub spec_path: String,
    /// The Terraform root folder (`main`), from the repository root.
    pub terraform_dir: String,
    /// `-chdir=<terraform_dir>`.
    pub terraform_chdir: String,
    /// The Bicep entry point (`main/main.bicep`), from the repository root.
    pub bicep_template: String,
    /// True when the pipelines deploy the Terraform output.
    pub terraform: bool,
    /// True when the pipelines deploy the Bicep output.
    pub bicep: bool,
    /// The environments in deployment order.
    pub stages: Vec<Stage>,
}

/// GitHub settings shared by every environment.
#[derive(Debug, Clone, Serialize)]
pub struct Github {
    /// `owner/name`.
    pub repository: String,
    /// The repository as OIDC subjects name it: `owner/name`, or with the spec's numeric ids
    /// GitHub's immutable form `owner@<owner_id>/name@<repository_id>`.
    pub subject_repository: String,
    /// True when `subject_repository` is the immutable form.
    pub immutable_subjects: bool,
}

/// Azure DevOps settings shared by every environment.
#[derive(Debug, Clone, Serialize)]
pub struct AzureDevops {
    /// The organization, if the spec names it.
    pub organization: Option<String>,
    /// The project, if the spec names it.
    pub project: Option<String>,
}

/// One environment in deployment order.
#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    /// The environment's name (also the job and stage id suffix: names are lowercase letters
    /// and digits, which both CI systems accept in ids).
    pub name: String,
    /// The environment deployed just before this one.
    pub previous: Option<String>,
    /// Its Terraform variable file, from the Terraform root (`dev.tfvars`).
    pub tfvars: String,
    /// Its backend file, from the Terraform root (`dev.backend.hcl`).
    pub backend: String,
    /// Its saved plan, from the Terraform root (`dev.tfplan`).
    pub plan: String,
    /// Its Bicep parameter file, from the repository root (`main/dev.bicepparam`).
    pub bicepparam: String,
    /// The name of its subscription deployment (`mlgen-fraud-dev`): stable, so each run
    /// replaces the last entry in the deployment history instead of adding one.
    pub deployment: String,
    /// GitHub Actions settings.
    pub github: GithubStage,
    /// Azure Pipelines settings.
    pub azure_devops: AzureDevopsStage,
}

/// GitHub Actions settings of one environment.
#[derive(Debug, Clone, Serialize)]
pub struct GithubStage {
    /// The GitHub environment that gates its deployments.
    pub environment: String,
    /// Repository variable holding the deploying identity's client id.
    pub client_id: String,
    /// Repository variable holding the read-only planning identity's client id.
    pub plan_client_id: String,
    /// Repository variable holding the tenant id.
    pub tenant_id: String,
    /// Repository variable holding the subscription id.
    pub subscription_id: String,
}

/// Azure Pipelines settings of one environment.
#[derive(Debug, Clone, Serialize)]
pub struct AzureDevopsStage {
    /// The workload-identity service connection that deploys (empty when missing: a
    /// validation error).
    pub service_connection: String,
    /// The service connection that plans.
    pub plan_service_connection: String,
    /// The Azure DevOps environment that gates its deployments.
    pub environment: String,
}

impl Pipelines {
    /// The pipelines of `spec`, or `None` without a `pipelines` section.
    pub fn from_spec(
        spec: &Spec,
        project: &str,
        main: &str,
        targets: &[Target],
        has_environments: bool,
    ) -> Option<Self> {
        let section = spec.pipelines.as_ref()?;
        let listed = |p: Provider| section.providers.contains(&p);
        let deployed = |t: Target| {
            targets.contains(&t)
                && section
                    .targets
                    .as_ref()
                    .is_none_or(|only| only.contains(&t))
        };
        let names = deployment_order(spec);
        let stages = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let settings = section.environments.as_ref().and_then(|e| e.get(name));
                let bicepparam = if has_environments {
                    format!("{name}.bicepparam")
                } else {
                    "main.bicepparam".to_owned()
                };
                Stage {
                    name: name.clone(),
                    previous: i.checked_sub(1).map(|p| names[p].clone()),
                    tfvars: format!("{name}.tfvars"),
                    backend: format!("{name}.backend.hcl"),
                    plan: format!("{name}.tfplan"),
                    bicepparam: join(main, &bicepparam),
                    deployment: format!("mlgen-{project}-{name}"),
                    github: github_stage(name, settings.and_then(|s| s.github.as_ref())),
                    azure_devops: azure_devops_stage(
                        name,
                        settings.and_then(|s| s.azure_devops.as_ref()),
                    ),
                }
            })
            .collect();
        let deploy_branch = section
            .deploy_branch
            .clone()
            .unwrap_or_else(|| DEFAULT_DEPLOY_BRANCH.to_owned());
        Some(Self {
            // A missing repository is an empty name the validator reports.
            github: listed(Provider::Github).then(|| github(section.github.as_ref())),
            azure_devops: listed(Provider::AzureDevops).then(|| {
                let ado = section.azure_devops.as_ref();
                AzureDevops {
                    organization: ado.and_then(|a| a.organization.clone()),
                    project: ado.and_then(|a| a.project.clone()),
                }
            }),
            deploy_ref: format!("refs/heads/{deploy_branch}"),
            deploy_branch,
            drift_schedule: section
                .drift_schedule
                .clone()
                .unwrap_or_else(|| DEFAULT_DRIFT_SCHEDULE.to_owned()),
            terraform_version: section
                .terraform_version
                .clone()
                .unwrap_or_else(|| DEFAULT_TERRAFORM_VERSION.to_owned()),
            mlgen_version: env!("CARGO_PKG_VERSION").to_owned(),
            spec_path: section
                .spec_path
                .clone()
                .unwrap_or_else(|| DEFAULT_SPEC_PATH.to_owned()),
            terraform_dir: main.to_owned(),
            terraform_chdir: format!("-chdir={main}"),
            bicep_template: join(main, "main.bicep"),
            terraform: deployed(Target::Terraform),
            bicep: deployed(Target::Bicep),
            stages,
        })
    }
}

/// The environments in the order they deploy: `pipelines.order`, else `environments`, else
/// the one environment; names the spec does not have, and repeats, are left out.
pub fn deployment_order(spec: &Spec) -> Vec<String> {
    let known = super::environments::listed(spec);
    let wanted = spec
        .pipelines
        .as_ref()
        .and_then(|p| p.order.clone())
        .unwrap_or_else(|| known.clone());
    let mut order: Vec<String> = Vec::new();
    for name in wanted {
        if known.contains(&name) && !order.contains(&name) {
            order.push(name);
        }
    }
    order
}

/// GitHub's settings; a missing repository is an empty name the validator reports.
fn github(settings: Option<&spec::GithubSettings>) -> Github {
    let repository = settings.map(|g| g.repository.clone()).unwrap_or_default();
    let ids = settings.and_then(|g| g.owner_id.zip(g.repository_id));
    let subject_repository = match (ids, repository.split_once('/')) {
        (Some((owner_id, repository_id)), Some((owner, name))) => {
            format!("{owner}@{owner_id}/{name}@{repository_id}")
        }
        _ => repository.clone(),
    };
    Github {
        immutable_subjects: subject_repository != repository,
        subject_repository,
        repository,
    }
}

fn github_stage(env: &str, settings: Option<&spec::GithubEnvironment>) -> GithubStage {
    let upper = env.to_ascii_uppercase();
    let pick = |value: Option<&String>, default: String| value.cloned().unwrap_or(default);
    GithubStage {
        environment: pick(
            settings.and_then(|s| s.environment.as_ref()),
            env.to_owned(),
        ),
        client_id: pick(
            settings.and_then(|s| s.client_id.as_ref()),
            format!("AZURE_CLIENT_ID_{upper}"),
        ),
        plan_client_id: pick(
            settings.and_then(|s| s.plan_client_id.as_ref()),
            format!("AZURE_PLAN_CLIENT_ID_{upper}"),
        ),
        tenant_id: pick(
            settings.and_then(|s| s.tenant_id.as_ref()),
            DEFAULT_TENANT_VARIABLE.to_owned(),
        ),
        subscription_id: pick(
            settings.and_then(|s| s.subscription_id.as_ref()),
            format!("AZURE_SUBSCRIPTION_ID_{upper}"),
        ),
    }
}

fn azure_devops_stage(
    env: &str,
    settings: Option<&spec::AzureDevopsEnvironment>,
) -> AzureDevopsStage {
    let service_connection = settings
        .and_then(|s| s.service_connection.clone())
        .unwrap_or_default();
    AzureDevopsStage {
        plan_service_connection: settings
            .and_then(|s| s.plan_service_connection.clone())
            .unwrap_or_else(|| format!("{service_connection}-plan")),
        service_connection,
        environment: settings
            .and_then(|s| s.environment.clone())
            .unwrap_or_else(|| env.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipelines(yaml: &str) -> Pipelines {
        let spec: Spec = serde_yaml::from_str(yaml).unwrap();
        let model = crate::model::Model::from_spec(&spec);
        model.pipelines.expect("a pipelines section")
    }

    #[test]
    fn defaults_follow_the_environments_and_name_variables_per_environment() {
        let p = pipelines(
            "version: 1\nproject: {name: fraud}\nenvironments: [dev, prod]\n\
             pipelines: {providers: [github], github: {repository: a/b}}\n",
        );
        let names: Vec<&str> = p.stages.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["dev", "prod"]);
        assert_eq!(p.stages[1].previous.as_deref(), Some("dev"));
        assert_eq!(p.stages[1].github.client_id, "AZURE_CLIENT_ID_PROD");
        assert_eq!(
            p.stages[1].github.plan_client_id,
            "AZURE_PLAN_CLIENT_ID_PROD"
        );
        assert_eq!(p.stages[1].github.tenant_id, "AZURE_TENANT_ID");
        assert_eq!(p.stages[1].github.environment, "prod");
        assert_eq!(p.stages[0].bicepparam, "main/dev.bicepparam");
        assert_eq!(p.deploy_branch, "main");
        assert_eq!(p.drift_schedule, "0 6 * * 1-5");
        assert!(p.azure_devops.is_none());
        assert!(p.terraform && !p.bicep);
    }

    #[test]
    fn order_and_layout_are_followed() {
        let p = pipelines(
            "version: 1\nproject: {name: fraud}\nenvironments: [dev, test, prod]\n\
             layout: {main: .}\n\
             pipelines: {providers: [azure_devops], order: [test, dev, prod]}\n",
        );
        let names: Vec<&str> = p.stages.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["test", "dev", "prod"]);
        assert_eq!(p.bicep_template, "main.bicep");
        assert_eq!(p.stages[0].bicepparam, "test.bicepparam");
        assert_eq!(p.stages[0].azure_devops.service_connection, "");
        assert_eq!(p.stages[0].azure_devops.plan_service_connection, "-plan");
        assert!(p.github.is_none());
    }

    #[test]
    fn pipelines_deploy_the_targets_they_name() {
        let p = pipelines(
            "version: 1\nproject: {name: fraud}\ntargets: [terraform, bicep]\n\
             pipelines: {providers: [azure_devops], targets: [bicep]}\n",
        );
        assert!(p.bicep && !p.terraform);
    }

    #[test]
    fn numeric_ids_make_subjects_immutable() {
        let named = pipelines(
            "version: 1\nproject: {name: fraud}\nbackend: {resource_group_name: r, storage_account_name: sabc}\n\
             pipelines: {providers: [github], github: {repository: contoso/infra}}\n",
        );
        let github = named.github.unwrap();
        assert_eq!(github.subject_repository, "contoso/infra");
        assert!(!github.immutable_subjects);
        let immutable = pipelines(
            "version: 1\nproject: {name: fraud}\nbackend: {resource_group_name: r, storage_account_name: sabc}\n\
             pipelines: {providers: [github], github: {repository: contoso/infra, owner_id: 5544123, repository_id: 821093847}}\n",
        );
        let github = immutable.github.unwrap();
        assert_eq!(github.subject_repository, "contoso@5544123/infra@821093847");
        assert!(github.immutable_subjects);
    }

    #[test]
    fn one_environment_uses_the_main_parameter_file() {
        let p = pipelines(
            "version: 1\nproject: {name: fraud, environment: prod}\n\
             pipelines: {providers: [azure_devops]}\n",
        );
        assert_eq!(p.stages.len(), 1);
        assert_eq!(p.stages[0].name, "prod");
        assert_eq!(p.stages[0].bicepparam, "main/main.bicepparam");
    }
}
