//! The shapes of the `pipelines` values: names that end up in GitHub Actions workflows and
//! Azure Pipelines, inside YAML strings, `${{ }}` expressions and pipeline conditions.
//!
//! Each pattern is as tight as the CI system's own rule allows, and tighter wherever the wider
//! rule would let a value become syntax: none admits a quote, a `$` (GitHub's `${{ }}`, Azure
//! Pipelines' `$( )` and `$[ ]` macros) or a line break, so the templates can place the values
//! in single-quoted YAML strings and expressions without any escape surviving to the pipeline.
//!
//! Lengths are the schema's `maxLength`, not counted repetitions in the pattern: a `{0,254}`
//! compiles into hundreds of automaton states, and the validator compiles every pattern of
//! the schema on every run, spec with pipelines or not.

/// A pattern of the schema and what it means, in words, for diagnostics.
pub struct Shape {
    /// The schema's ECMA-262 pattern.
    pub pattern: &'static str,
    /// The rule in words: "`x` must be {wording}".
    pub wording: &'static str,
    /// Most characters (the schema's `maxLength`).
    pub max_len: u32,
}

/// `pipelines.github.repository`: GitHub's owner (user or organisation) and repository names.
pub const GITHUB_REPOSITORY: Shape = Shape {
    pattern: "^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$",
    wording: "a GitHub repository as `owner/name`",
    max_len: 140,
};

/// GitHub environments (`pipelines.environments.*.github.environment`): GitHub allows 255
/// characters; spaces and other punctuation are left out because the name is also part of the
/// OIDC subject a federated credential must match exactly.
pub const GITHUB_ENVIRONMENT: Shape = Shape {
    pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
    wording: "a GitHub environment name: up to 255 letters, digits, `.`, `_` and `-`, starting with a letter or digit",
    max_len: 255,
};

/// GitHub configuration variable names (`client_id`, `tenant_id`, `subscription_id`): letters,
/// digits and `_`, not starting with a digit or with `GITHUB_` (GitHub reserves both).
pub const GITHUB_VARIABLE: Shape = Shape {
    pattern: "^(?![Gg][Ii][Tt][Hh][Uu][Bb]_)[A-Za-z_][A-Za-z0-9_]*$",
    wording: "a GitHub variable name: letters, digits and `_`, not starting with a digit or `GITHUB_`",
    max_len: 100,
};

/// `pipelines.deploy_branch`: a Git branch name without the characters Git refuses, `..` or
/// `//`.
pub const GIT_BRANCH: Shape = Shape {
    pattern: "^(?!.*\\.\\.)(?!.*//)(?!.*[./]$)[A-Za-z0-9][A-Za-z0-9._/-]*$",
    wording: "a branch name: letters, digits, `.`, `_`, `-` and `/`, starting with a letter or digit, without `..` or `//`",
    max_len: 100,
};

/// Azure DevOps service connection names.
pub const ADO_SERVICE_CONNECTION: Shape = Shape {
    pattern: "^[A-Za-z0-9][A-Za-z0-9 ._()-]*$",
    wording: "a service connection name: letters, digits, spaces, `.`, `_`, `-` and parentheses, starting with a letter or digit",
    max_len: 100,
};

/// Azure DevOps environment names.
pub const ADO_ENVIRONMENT: Shape = Shape {
    pattern: "^[A-Za-z0-9][A-Za-z0-9 ._-]*$",
    wording: "an Azure DevOps environment name: letters, digits, spaces, `.`, `_` and `-`, starting with a letter or digit",
    max_len: 100,
};

/// Azure DevOps organisation names.
pub const ADO_ORGANIZATION: Shape = Shape {
    pattern: "^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$",
    wording: "an Azure DevOps organization name: letters, digits and `-`, not at either end",
    max_len: 50,
};

/// Azure DevOps project names: the class is spelled apart from [`ADO_ENVIRONMENT`]'s, so that
/// a mismatch names the right rule (diagnostics find the wording by the pattern).
pub const ADO_PROJECT: Shape = Shape {
    pattern: "^[A-Za-z0-9][-A-Za-z0-9 ._]*$",
    wording: "an Azure DevOps project name: letters, digits, spaces, `.`, `_` and `-`, starting with a letter or digit",
    max_len: 64,
};

/// `pipelines.drift_schedule`: five cron fields, as both CI systems read them.
pub const CRON: Shape = Shape {
    pattern: "^[0-9A-Za-z*/,-]+( [0-9A-Za-z*/,-]+){4}$",
    wording: "a cron schedule of five fields separated by single spaces (minute hour day month weekday, in UTC)",
    max_len: 100,
};

/// `pipelines.terraform_version`: an exact release, so every run installs the same binary.
pub const TERRAFORM_VERSION: Shape = Shape {
    pattern: "^1\\.[0-9]{1,3}\\.[0-9]{1,3}$",
    wording: "an exact Terraform 1.x release such as `1.11.4`",
    max_len: 20,
};

/// `pipelines.spec_path`: a relative path inside the repository.
pub const SPEC_PATH: Shape = Shape {
    pattern: "^(?!.*\\.\\.)(?!/)[A-Za-z0-9_][A-Za-z0-9._/-]*\\.ya?ml$",
    wording: "the spec's path from the output directory, such as `mlgen.yaml` or `infra/mlgen.yaml` (letters, digits, `.`, `_`, `-`, `/`; no `..`)",
    max_len: 200,
};

/// Every pattern above, for [`super::describe_pattern`].
pub const ALL: &[&Shape] = &[
    &GITHUB_REPOSITORY,
    &GITHUB_ENVIRONMENT,
    &GITHUB_VARIABLE,
    &GIT_BRANCH,
    &ADO_SERVICE_CONNECTION,
    &ADO_ENVIRONMENT,
    &ADO_ORGANIZATION,
    &ADO_PROJECT,
    &CRON,
    &TERRAFORM_VERSION,
    &SPEC_PATH,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(shape: &Shape, text: &str) -> bool {
        let schema = serde_json::json!({"type": "string", "pattern": shape.pattern, "maxLength": shape.max_len});
        jsonschema::is_valid(&schema, &serde_json::json!(text))
    }

    #[test]
    fn patterns_accept_real_names_and_refuse_syntax() {
        let cases: &[(&Shape, &[&str], &[&str])] = &[
            (
                &GITHUB_REPOSITORY,
                &["contoso/fraud-infra", "a/b.c_d"],
                &["contoso", "a/b/c", "-a/b", "a/b'", "a/${{x}}"],
            ),
            (
                &GITHUB_ENVIRONMENT,
                &["dev", "Production", "eu.prod-1"],
                &["", "a b", "a'b", "${{ x }}", "-dev"],
            ),
            (
                &GITHUB_VARIABLE,
                &["AZURE_CLIENT_ID", "_X", "a1"],
                &["1X", "GITHUB_TOKEN", "github_x", "A-B", "A B"],
            ),
            (
                &GIT_BRANCH,
                &["main", "release/v1.2", "feature_x-1"],
                &["", "a..b", "a//b", "a/", "a.", "-x", "a b", "a'b", "$(x)"],
            ),
            (
                &ADO_SERVICE_CONNECTION,
                &["fraud-dev", "Azure Sub (1234)", "a.b_c"],
                &["", " a", "a$(b)", "a'b", "a\nb"],
            ),
            (
                &ADO_ENVIRONMENT,
                &["dev", "fraud production"],
                &["", "a$(b)", "a'b", "a(b)"],
            ),
            (
                &ADO_ORGANIZATION,
                &["contoso", "a-b", "a"],
                &["-a", "a-", "a b", "a.b"],
            ),
            (
                &ADO_PROJECT,
                &["fraud", "Fraud Analytics"],
                &["", " a", "a'b"],
            ),
            (
                &CRON,
                &["0 6 * * 1-5", "*/30 * * * *", "0 0 1 JAN MON"],
                &["0 6 * *", "0  6 * * *", "0 6 * * * *", "0 6 * * '1'"],
            ),
            (
                &TERRAFORM_VERSION,
                &["1.11.4", "1.9.0"],
                &["1.11", "v1.11.4", "2.0.0", "1.11.4-beta1"],
            ),
            (
                &SPEC_PATH,
                &["mlgen.yaml", "infra/mlgen.yml"],
                &["../mlgen.yaml", "/mlgen.yaml", "mlgen.json", "a b.yaml"],
            ),
        ];
        for (shape, good, bad) in cases {
            for text in *good {
                assert!(
                    matches(shape, text),
                    "{} should accept {text:?}",
                    shape.pattern
                );
            }
            for text in *bad {
                assert!(
                    !matches(shape, text),
                    "{} should refuse {text:?}",
                    shape.pattern
                );
            }
        }
    }
}
