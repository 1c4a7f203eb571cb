//! The delivery pipelines (issue 14): every file, folder and environment a pipeline names
//! exists in the tree rendered beside it; jobs run in deployment order behind their gates with
//! least privilege and pinned actions; team templates replace one job; and the files follow
//! the tree's rules (drift check, orphans, `--target`, escaping).

use std::collections::BTreeSet;

use serde_yaml::Value;

use crate::common;

/// The example, and variations of it that move every path a pipeline names: the Terraform
/// root at the output root or deeper, one environment only, a custom order, one target.
fn specs() -> Vec<(String, String)> {
    let example = std::fs::read_to_string(common::example("pipelines")).unwrap();
    let vary = |from: &str, to: &str| {
        assert!(
            example.contains(from),
            "the example no longer holds {from:?}"
        );
        example.replacen(from, to, 1)
    };
    let single = "version: 1\nproject: {name: solo, environment: prod}\ntargets: [bicep, terraform]\n\
        backend: {resource_group_name: rg-s, storage_account_name: stsolostate}\n\
        pipelines:\n  providers: [github, azure_devops]\n  github: {repository: o/r}\n  \
        environments: {prod: {azure_devops: {service_connection: solo}}}\n";
    vec![
        ("example".into(), example.clone()),
        (
            "main at the root".into(),
            vary(
                "environments: [dev, prod]\n",
                "environments: [dev, prod]\nlayout: {main: ., shared: shared, mlops: mlops}\n",
            ),
        ),
        (
            "main deeper".into(),
            vary(
                "environments: [dev, prod]\n",
                "environments: [dev, prod]\nlayout: {main: infra/live/main}\n",
            ),
        ),
        (
            "order".into(),
            vary(
                "  deploy_branch: main\n",
                "  deploy_branch: release/v2\n  order: [prod, dev]\n",
            ),
        ),
        (
            "bicep only".into(),
            vary("  targets: [terraform, bicep]\n", "  targets: [bicep]\n"),
        ),
        ("single environment".into(), single.into()),
    ]
}

fn pipeline_files(tree: &mlgen::Tree) -> Vec<(&str, &str)> {
    tree.iter()
        .filter(|(path, _)| {
            path.starts_with(".github/workflows/") || path.starts_with("azure-pipelines/")
        })
        .collect()
}

/// The word after `flag` on `line` (`-var-file=dev.tfvars` → `dev.tfvars`), unquoted.
fn after<'a>(line: &'a str, flag: &str) -> Option<&'a str> {
    let at = line.find(flag)? + flag.len();
    line[at..]
        .split_whitespace()
        .next()
        .map(|w| w.trim_matches(['\'', '"']))
}

/// The value of `KEY: 'value'` (or `value: 'value'` after `- name: KEY`) in `text`.
fn setting(text: &str, key: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    lines.iter().enumerate().find_map(|(i, line)| {
        let line = line.trim();
        if let Some(value) = line.strip_prefix(&format!("{key}: ")) {
            return Some(value.trim_matches('\'').to_owned());
        }
        (line == format!("- name: {key}"))
            .then(|| lines.get(i + 1))
            .flatten()
            .and_then(|next| next.trim().strip_prefix("value: "))
            .map(|v| v.trim_matches('\'').to_owned())
    })
}

#[test]
fn every_path_file_and_folder_a_pipeline_names_is_in_the_tree() {
    for (label, yaml) in specs() {
        let tree = common::render_yaml(&yaml);
        let files: BTreeSet<&str> = tree.iter().map(|(p, _)| p).collect();
        let folder_has = |dir: &str, file: &str| files.contains(common::join(dir, file).as_str());
        let pipelines = pipeline_files(&tree);
        assert!(!pipelines.is_empty(), "{label}: no pipeline rendered");
        let mut named: BTreeSet<String> = BTreeSet::new();
        for (path, text) in &pipelines {
            // GitHub sets TEMPLATE_FILE itself; Azure Pipelines maps it from `$(templateFile)`.
            let template_file =
                setting(text, "TEMPLATE_FILE").and_then(|value| match value.strip_prefix("$(") {
                    Some(macro_name) => setting(text, macro_name.trim_end_matches(')')),
                    None => Some(value),
                });
            if let Some(template) = &template_file {
                assert!(
                    files.contains(template.as_str()),
                    "{label}: {path} deploys {template}, not in the tree"
                );
                named.insert(template.clone());
            }
            for line in text.lines() {
                if let Some(dir) = after(line, "terraform -chdir=") {
                    assert!(
                        folder_has(dir, "main.tf"),
                        "{label}: {path}: -chdir={dir} holds no main.tf"
                    );
                    assert!(
                        folder_has(dir, "versions.tf"),
                        "{label}: {path}: -chdir={dir} is not the root module"
                    );
                    for flag in ["-var-file=", "-backend-config="] {
                        if let Some(file) = after(line, flag) {
                            assert!(
                                folder_has(dir, file),
                                "{label}: {path}: {flag}{file} not in {dir}"
                            );
                            named.insert(common::join(dir, file));
                        }
                    }
                }
                for flag in ["--parameters ", "build-params --file "] {
                    if let Some(file) = after(line, flag) {
                        assert!(
                            files.contains(file),
                            "{label}: {path}: {flag}{file} not in the tree"
                        );
                        named.insert(file.to_owned());
                    }
                }
                if line.contains("--template-file") {
                    assert!(
                        line.contains("--template-file \"$TEMPLATE_FILE\"")
                            && template_file.is_some(),
                        "{label}: {path}: {line}"
                    );
                }
                // Plan files travel with the lock file of the root module they were made in.
                let word = line.trim();
                if word.ends_with(".tfplan") && !word.contains(' ') {
                    let dir = common::parent(word);
                    assert!(
                        folder_has(dir, "main.tf"),
                        "{label}: {path}: uploads {word} from outside the root module"
                    );
                }
            }
        }
        // Every environment's files are used: nothing rendered for an environment is left
        // undeployed.
        for (file, _) in tree.iter() {
            let deployable = file.ends_with(".tfvars")
                || file.ends_with(".backend.hcl")
                || file.ends_with(".bicepparam");
            let base_bicepparam =
                file.ends_with("main.bicepparam") && yaml.contains("environments: [dev");
            let bicep_only = yaml.contains("targets: [bicep]") && !file.ends_with(".bicepparam");
            if deployable && !base_bicepparam && !bicep_only {
                assert!(named.contains(file), "{label}: no pipeline deploys {file}");
            }
        }
    }
}

fn parse(text: &str) -> Value {
    serde_yaml::from_str(text).unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"))
}

fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value:?}"))
}

fn list(value: &Value) -> Vec<String> {
    value
        .as_sequence()
        .map(|s| s.iter().map(|v| text(v).to_owned()).collect())
        .unwrap_or_default()
}

#[test]
fn github_jobs_deploy_in_order_behind_their_environments_with_least_privilege() {
    let tree = common::render_yaml(&std::fs::read_to_string(common::example("pipelines")).unwrap());
    let envs = [
        (
            "dev",
            "dev",
            "AZURE_PLAN_CLIENT_ID_DEV",
            "AZURE_CLIENT_ID_DEV",
        ),
        (
            "prod",
            "production",
            "FRAUD_PROD_PLAN_CLIENT_ID",
            "FRAUD_PROD_CLIENT_ID",
        ),
    ];
    for (file, plan, apply) in [
        ("mlgen-terraform.yml", "plan", "apply"),
        ("mlgen-bicep.yml", "what-if", "deploy"),
    ] {
        let source = tree.get(&format!(".github/workflows/{file}")).unwrap();
        let doc = parse(source);
        assert_eq!(
            doc["permissions"],
            parse("{}"),
            "{file}: nothing by default"
        );
        let jobs = doc["jobs"].as_mapping().unwrap();
        let mut previous: Option<&str> = None;
        for (env, github_env, plan_var, deploy_var) in envs {
            let plan_job = &doc["jobs"][format!("{plan}-{env}").as_str()];
            let apply_job = &doc["jobs"][format!("{apply}-{env}").as_str()];
            assert!(
                plan_job["environment"].is_null(),
                "{file}: {plan}-{env} must not wait for approval"
            );
            assert_eq!(
                text(&apply_job["environment"]),
                github_env,
                "{file}: {apply}-{env}"
            );
            assert_eq!(
                list(&apply_job["needs"]),
                [format!("{plan}-{env}")],
                "{file}"
            );
            let mut needs = vec!["check".to_owned()];
            needs.extend(previous.map(|p| format!("{apply}-{p}")));
            assert_eq!(
                list(&plan_job["needs"]),
                needs,
                "{file}: {plan}-{env} follows the previous deployment"
            );
            assert!(
                text(&apply_job["if"])
                    .contains("github.event_name == 'push' && github.ref == 'refs/heads/main'"),
                "{file}"
            );
            assert_eq!(
                apply_job["concurrency"]["group"],
                Value::from(format!("mlgen-deploy-{env}"))
            );
            assert_eq!(
                apply_job["concurrency"]["cancel-in-progress"],
                Value::from(false)
            );
            // The planning identity plans, the deploying identity deploys.
            let job_text = |job: &Value| serde_yaml::to_string(job).unwrap();
            assert!(
                job_text(plan_job).contains(&format!("vars.{plan_var} ")),
                "{file}: {plan}-{env} signs in as {plan_var}"
            );
            assert!(
                !job_text(plan_job).contains(&format!("vars.{deploy_var} ")),
                "{file}: {plan}-{env} must not reach {deploy_var}"
            );
            assert!(
                job_text(apply_job).contains(&format!("vars.{deploy_var} ")),
                "{file}: {apply}-{env}"
            );
            previous = Some(env);
        }
        for (name, job) in jobs {
            let name = text(name);
            let permissions = job["permissions"]
                .as_mapping()
                .unwrap_or_else(|| panic!("{file}: {name} sets no permissions"));
            for (scope, level) in permissions {
                let allowed = match text(scope) {
                    "contents" => "read",
                    "id-token" => "write",
                    other => panic!("{file}: {name} asks for {other}"),
                };
                assert_eq!(text(level), allowed, "{file}: {name}");
            }
        }
    }
    // Every action is pinned to a full commit, with its tag in a comment for updaters.
    for (path, source) in pipeline_files(&tree)
        .into_iter()
        .filter(|(p, _)| p.starts_with(".github"))
    {
        for line in source
            .lines()
            .filter(|l| l.trim_start().starts_with("uses:"))
        {
            let reference = line.split_whitespace().nth(1).unwrap();
            let (_, sha) = reference.split_once('@').unwrap();
            assert!(
                sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
                "{path}: {line}"
            );
            assert!(line.contains(" # v"), "{path}: {line} names no version");
        }
        assert!(!source.contains("secrets."), "{path} reads a secret");
    }
}

#[test]
fn azure_devops_stages_deploy_in_order_behind_their_environments() {
    let tree = common::render_yaml(&std::fs::read_to_string(common::example("pipelines")).unwrap());
    let envs = [
        ("dev", "dev", "fraud-dev-plan", "fraud-dev"),
        ("prod", "fraud-production", "fraud-prod-plan", "fraud-prod"),
    ];
    for (file, plan, apply) in [
        ("mlgen-terraform.yml", "plan", "apply"),
        ("mlgen-bicep.yml", "what_if", "deploy"),
    ] {
        let doc = parse(tree.get(&format!("azure-pipelines/{file}")).unwrap());
        let stages = doc["stages"].as_sequence().unwrap();
        let stage = |id: &str| {
            stages
                .iter()
                .find(|s| s["stage"].as_str() == Some(id))
                .unwrap_or_else(|| panic!("{file}: no stage {id}"))
        };
        let mut previous: Option<&str> = None;
        for (env, ado_env, plan_connection, deploy_connection) in envs {
            let plan_stage = stage(&format!("{plan}_{env}"));
            let apply_stage = stage(&format!("{apply}_{env}"));
            let mut needs = vec!["check".to_owned()];
            needs.extend(previous.map(|p| format!("{apply}_{p}")));
            assert_eq!(
                list(&plan_stage["dependsOn"]),
                needs,
                "{file}: {plan}_{env}"
            );
            assert_eq!(
                list(&apply_stage["dependsOn"]),
                [format!("{plan}_{env}")],
                "{file}"
            );
            let deployment = &apply_stage["jobs"][0];
            assert_eq!(
                text(&deployment["environment"]),
                ado_env,
                "{file}: {apply}_{env}"
            );
            assert!(
                plan_stage["jobs"][0]["environment"].is_null(),
                "{file}: {plan}_{env}"
            );
            assert!(text(&apply_stage["condition"]).contains("eq(variables['Build.SourceBranch'], 'refs/heads/main'), in(variables['Build.Reason'], 'IndividualCI', 'BatchedCI')"), "{file}");
            let connections = |stage: &Value| -> Vec<String> {
                let yaml = serde_yaml::to_string(stage).unwrap();
                yaml.lines()
                    .filter_map(|l| l.trim().strip_prefix("azureSubscription: "))
                    .map(str::to_owned)
                    .collect()
            };
            assert_eq!(
                connections(plan_stage),
                [plan_connection],
                "{file}: {plan}_{env}"
            );
            assert_eq!(
                connections(apply_stage),
                [deploy_connection],
                "{file}: {apply}_{env}"
            );
            previous = Some(env);
        }
    }
}

/// The example in a temporary folder, its first line followed by `header` (more spec keys),
/// with a team folder `team/` holding `github/<template>` = `source` when `team` is given.
fn example_with_team(
    header: &str,
    team: Option<(&str, &str)>,
) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("mlgen.yaml");
    let example = std::fs::read_to_string(common::example("pipelines")).unwrap();
    std::fs::write(
        &spec,
        example.replacen("version: 1\n", &format!("version: 1\n{header}"), 1),
    )
    .unwrap();
    if let Some((template, source)) = team {
        let folder = dir.path().join("team/github");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(template), source).unwrap();
    }
    (dir, spec)
}

/// A team replaces one job group through its block, keeping the rest.
#[test]
fn a_team_template_replaces_one_job_group() {
    let (dir, spec) = example_with_team(
        "templates: team\n",
        Some((
            "mlgen-terraform.yml.tera",
            "{% extends \"builtin/github/mlgen-terraform.yml.tera\" %}\n\
             {% block extra_jobs %}\n\n  notify:\n    runs-on: ubuntu-latest\n    needs: [apply-prod]\n    \
             permissions: {}\n    steps:\n      - run: echo deployed\n{% endblock extra_jobs %}\n",
        )),
    );
    let out = dir.path().join("out");
    let (code, _, stderr) = common::run_on("render", &spec, &out, &["-q"]);
    assert_eq!(code, 0, "{stderr}");
    let workflow =
        std::fs::read_to_string(out.join(".github/workflows/mlgen-terraform.yml")).unwrap();
    let doc = parse(&workflow);
    assert_eq!(list(&doc["jobs"]["notify"]["needs"]), ["apply-prod"]);
    assert!(
        doc["jobs"]["apply-prod"]["environment"].is_string(),
        "the built-in jobs stay"
    );
    let manifest = std::fs::read_to_string(out.join(".mlgen/manifest.json")).unwrap();
    assert!(
        manifest.contains("github/mlgen-terraform.yml.tera (team)"),
        "{manifest}"
    );
}

/// Pipeline files are files of the tree like any other: drift shows, `--target` narrows them,
/// and dropping a provider removes its files.
#[test]
fn pipeline_files_follow_the_rules_of_the_tree() {
    let (dir, spec) = example_with_team("", None);
    let example = std::fs::read_to_string(&spec).unwrap();
    let out = dir.path().join("out");
    assert_eq!(common::run_on("render", &spec, &out, &["-q"]).0, 0);
    let workflow = out.join(".github/workflows/mlgen-drift.yml");
    let original = std::fs::read_to_string(&workflow).unwrap();
    assert!(
        original.starts_with("# Generated by mlgen from mlgen.yaml."),
        "header"
    );
    std::fs::write(&workflow, original.replace("0 6 * * 1-5", "0 7 * * 1-5")).unwrap();
    let (code, stdout, _) = common::run_on("check", &spec, &out, &["--name-only"]);
    assert_eq!(
        (code, stdout.trim()),
        (
            1,
            workflow
                .strip_prefix(common::root())
                .map_or_else(
                    |_| workflow.display().to_string(),
                    |p| p.display().to_string()
                )
                .as_str()
        )
    );
    std::fs::write(&workflow, &original).unwrap();

    // Only Bicep: no Terraform workflow, and the drift job checks Bicep alone.
    let only = dir.path().join("bicep");
    assert_eq!(
        common::run_on("render", &spec, &only, &["-q", "--target", "bicep"]).0,
        0
    );
    assert!(!only.join(".github/workflows/mlgen-terraform.yml").exists());
    assert!(!only.join("azure-pipelines/mlgen-terraform.yml").exists());
    let drift = std::fs::read_to_string(only.join(".github/workflows/mlgen-drift.yml")).unwrap();
    assert!(
        drift.contains("bicep-prod:") && !drift.contains("terraform"),
        "{drift}"
    );

    // Without Azure DevOps its pipelines go, as orphans of the last render.
    let github_only = example
        .replacen(
            "providers: [github, azure_devops]",
            "providers: [github]",
            1,
        )
        .replace(
            "      azure_devops:\n        service_connection: fraud-dev\n",
            "      github: {}\n",
        );
    let github_only = github_only[..github_only
        .find("      azure_devops:\n        service_connection: fraud-prod")
        .unwrap()]
        .to_owned();
    let github_only = github_only.replacen(
        "  azure_devops:\n    organization: contoso\n    project: fraud\n",
        "",
        1,
    );
    std::fs::write(&spec, &github_only).unwrap();
    let (code, _, stderr) = common::run_on("render", &spec, &out, &["-q"]);
    assert_eq!(code, 0, "{stderr}\n{github_only}");
    assert!(
        !out.join("azure-pipelines")
            .join("mlgen-terraform.yml")
            .exists()
    );
    assert!(out.join(".github/workflows/mlgen-terraform.yml").exists());
}

/// A team template cannot smuggle a CI expression into a pipeline through the `yaml` filter.
#[test]
fn pipeline_expressions_never_come_from_values() {
    let (dir, spec) = example_with_team(
        "templates: team\nextra: {note: '${{ github.token }}'}\n",
        Some((
            "mlgen-drift.yml.tera",
            "{% extends \"builtin/github/mlgen-drift.yml.tera\" %}\n\
             {% block header %}{{ super() }}\n# {{ extra.note | yaml }}{% endblock header %}\n",
        )),
    );
    let out = dir.path().join("out");
    let (code, _, stderr) = common::run_on("render", &spec, &out, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("refuses to write `${{` into a pipeline"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn the_readme_names_every_subject_and_variable_the_workflows_use() {
    let tree = common::render_yaml(&std::fs::read_to_string(common::example("pipelines")).unwrap());
    let readme = tree.get("README.md").unwrap();
    let mut variables = BTreeSet::new();
    for (_, source) in pipeline_files(&tree) {
        for piece in source.split("vars.").skip(1) {
            variables.insert(
                piece
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .next()
                    .unwrap()
                    .to_owned(),
            );
        }
        for line in source
            .lines()
            .filter(|l| l.trim_start().starts_with("environment: "))
        {
            let name = line
                .trim_start()
                .trim_start_matches("environment: ")
                .trim_matches('\'');
            assert!(
                readme.contains(&format!("`{name}`")),
                "README does not name environment {name}"
            );
        }
    }
    assert_eq!(variables.len(), 7, "{variables:?}");
    for variable in variables {
        assert!(
            readme.contains(&format!("`{variable}`")),
            "README does not name {variable}"
        );
    }
    for subject in [
        "repo:contoso@5544123/fraud-infra@821093847:pull_request",
        "repo:contoso@5544123/fraud-infra@821093847:ref:refs/heads/main",
        "repo:contoso@5544123/fraud-infra@821093847:environment:dev",
        "repo:contoso@5544123/fraud-infra@821093847:environment:production",
        "sc://contoso/fraud/fraud-dev-plan",
        "sc://contoso/fraud/fraud-prod-plan",
    ] {
        assert!(readme.contains(subject), "README lacks {subject}");
    }
}

/// `.github` is the one hidden folder mlgen writes into; a link planted there is refused like
/// any other, and nothing is written.
#[cfg(unix)]
#[test]
fn a_linked_github_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join(".github")).unwrap();
    let (code, _, stderr) = common::run_on("render", &common::example("pipelines"), &out, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(".github is a symbolic link"), "{stderr}");
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1, "only the link");
}
