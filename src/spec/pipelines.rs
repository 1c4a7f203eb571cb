//! The spec's `pipelines` section exactly as written: which CI systems get delivery pipelines,
//! the branch that deploys, and per environment how each system signs in to Azure and which
//! approval gate guards it. Only names are written here, never an identifier or a credential:
//! GitHub reads the ids from repository variables the spec names, Azure DevOps from a
//! workload-identity service connection.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::rules::pipelines as shape;

/// Delivery pipelines for the rendered infrastructure.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pipelines {
    /// The CI systems to write pipelines for: `github` (GitHub Actions, in
    /// `.github/workflows/`) and `azure_devops` (Azure Pipelines, in `azure-pipelines/`).
    #[schemars(length(min = 1), extend("uniqueItems" = true))]
    pub providers: Vec<Provider>,
    /// The targets the pipelines deploy (default: every one of `targets`). With both, two
    /// pipelines deploy the same resources with two tools; a team normally picks one.
    #[schemars(length(min = 1), extend("uniqueItems" = true))]
    pub targets: Option<Vec<crate::spec::Target>>,
    /// The branch whose pushes deploy (default `main`); pull requests into it plan.
    #[schemars(length(max = shape::GIT_BRANCH.max_len), regex(pattern = shape::GIT_BRANCH.pattern))]
    pub deploy_branch: Option<String>,
    /// Environments in deployment order (default: the order of `environments`); each is
    /// deployed only after the one before it succeeded. Must name every environment once.
    #[schemars(length(min = 1))]
    pub order: Option<Vec<String>>,
    /// When the drift job compares Azure with the code, as five cron fields in UTC (default
    /// `0 6 * * 1-5`, weekdays at 06:00).
    #[schemars(length(max = shape::CRON.max_len), regex(pattern = shape::CRON.pattern))]
    pub drift_schedule: Option<String>,
    /// The Terraform release the pipelines install (default `1.11.4`).
    #[schemars(length(max = shape::TERRAFORM_VERSION.max_len), regex(pattern = shape::TERRAFORM_VERSION.pattern))]
    pub terraform_version: Option<String>,
    /// Where the spec is, from the output directory (the repository root), for the
    /// pipelines' `mlgen check` (default: the spec's file name).
    #[schemars(length(max = shape::SPEC_PATH.max_len), regex(pattern = shape::SPEC_PATH.pattern))]
    pub spec_path: Option<String>,
    /// GitHub settings shared by every environment.
    pub github: Option<GithubSettings>,
    /// Azure DevOps settings shared by every environment.
    pub azure_devops: Option<AzureDevopsSettings>,
    /// How each environment connects to Azure and which gate guards it, keyed by environment
    /// name.
    pub environments: Option<BTreeMap<String, PipelineEnvironment>>,
}

/// A CI system mlgen writes pipelines for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)] // variant docs would turn the schema's `enum` into a `oneOf`
pub enum Provider {
    Github,
    AzureDevops,
}

impl Provider {
    /// Every provider.
    pub const ALL: [Self; 2] = [Self::Github, Self::AzureDevops];

    /// The name used in specs and as the template folder.
    pub fn name(self) -> &'static str {
        match self {
            Self::Github => "github",
            Self::AzureDevops => "azure_devops",
        }
    }
}

/// GitHub settings shared by every environment.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GithubSettings {
    /// The repository the workflows run in, as `owner/name`: part of every OIDC
    /// subject the README lists for the federated credentials.
    #[schemars(length(max = shape::GITHUB_REPOSITORY.max_len), regex(pattern = shape::GITHUB_REPOSITORY.pattern))]
    pub repository: String,
    /// The owner's numeric id (`gh api repos/OWNER/NAME --jq .owner.id`). With
    /// `repository_id`, the README prints GitHub's immutable subjects
    /// (`repo:owner@<owner_id>/name@<repository_id>:…`), the default for repositories created,
    /// renamed or transferred since mid-2026.
    #[schemars(range(min = 1))]
    pub owner_id: Option<u64>,
    /// The repository's numeric id (`gh api repos/OWNER/NAME --jq .id`); see `owner_id`.
    #[schemars(range(min = 1))]
    pub repository_id: Option<u64>,
}

/// Azure DevOps settings shared by every environment, for the README's federated-credential
/// subjects (optional: without them the README names the placeholders).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AzureDevopsSettings {
    /// The organization (`dev.azure.com/<organization>`).
    #[schemars(length(max = shape::ADO_ORGANIZATION.max_len), regex(pattern = shape::ADO_ORGANIZATION.pattern))]
    pub organization: Option<String>,
    /// The project the pipelines and service connections belong to.
    #[schemars(length(max = shape::ADO_PROJECT.max_len), regex(pattern = shape::ADO_PROJECT.pattern))]
    pub project: Option<String>,
}

/// One environment's connections and gates.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelineEnvironment {
    /// GitHub Actions: the environment that gates deployments and the repository variables
    /// holding the ids of the identity that deploys.
    pub github: Option<GithubEnvironment>,
    /// Azure DevOps: the service connection that deploys and the environment that gates it.
    pub azure_devops: Option<AzureDevopsEnvironment>,
}

/// GitHub Actions settings of one environment. The ids are read from repository variables
/// (`${{ vars.NAME }}`), not secrets and never the file: pull-request and drift jobs run
/// without a GitHub environment, so environment-level variables would not reach them.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GithubEnvironment {
    /// The GitHub environment whose protection rules approve deployments (default: the
    /// environment's name).
    #[schemars(length(max = shape::GITHUB_ENVIRONMENT.max_len), regex(pattern = shape::GITHUB_ENVIRONMENT.pattern))]
    pub environment: Option<String>,
    /// Variable with the client id of the identity that deploys, from jobs in the GitHub
    /// environment only (default `AZURE_CLIENT_ID_<ENV>`).
    #[schemars(length(max = shape::GITHUB_VARIABLE.max_len), regex(pattern = shape::GITHUB_VARIABLE.pattern))]
    pub client_id: Option<String>,
    /// Variable with the client id of the read-only identity that plans on pull requests and
    /// the deploy branch and runs the drift job (default `AZURE_PLAN_CLIENT_ID_<ENV>`). A pull
    /// request can change its own workflow, so whatever identity it can reach must not be
    /// able to deploy.
    #[schemars(length(max = shape::GITHUB_VARIABLE.max_len), regex(pattern = shape::GITHUB_VARIABLE.pattern))]
    pub plan_client_id: Option<String>,
    /// Variable with the Entra tenant id (default `AZURE_TENANT_ID`).
    #[schemars(length(max = shape::GITHUB_VARIABLE.max_len), regex(pattern = shape::GITHUB_VARIABLE.pattern))]
    pub tenant_id: Option<String>,
    /// Variable with the subscription id (default `AZURE_SUBSCRIPTION_ID_<ENV>`).
    #[schemars(length(max = shape::GITHUB_VARIABLE.max_len), regex(pattern = shape::GITHUB_VARIABLE.pattern))]
    pub subscription_id: Option<String>,
}

/// Azure DevOps settings of one environment.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AzureDevopsEnvironment {
    /// The Azure Resource Manager service connection (workload identity federation) that
    /// deploys this environment. Required for every environment when `azure_devops` is a
    /// provider.
    #[schemars(length(max = shape::ADO_SERVICE_CONNECTION.max_len), regex(pattern = shape::ADO_SERVICE_CONNECTION.pattern))]
    pub service_connection: Option<String>,
    /// The read-only service connection the plan, what-if and drift stages use (default:
    /// `<service_connection>-plan`): pull-request builds run the pull request's own pipeline
    /// file, so what they can sign in as must not be able to deploy.
    #[schemars(length(max = shape::ADO_SERVICE_CONNECTION.max_len), regex(pattern = shape::ADO_SERVICE_CONNECTION.pattern))]
    pub plan_service_connection: Option<String>,
    /// The Azure DevOps environment whose approvals and checks gate deployments (default: the
    /// environment's name).
    #[schemars(length(max = shape::ADO_ENVIRONMENT.max_len), regex(pattern = shape::ADO_ENVIRONMENT.pattern))]
    pub environment: Option<String>,
}
