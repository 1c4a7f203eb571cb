//! The context of the target-independent files at the output root (`common/` templates, the
//! generated README): the architecture diagram from [`crate::graph`], the rendered files by
//! folder, and the parts of each target's deploy commands, already spelled as shell words, so
//! the template only writes sentences around them.

use serde::Serialize;

use crate::model::Model;
use crate::spec::Target;
use crate::tree::Tree;

/// Everything the README needs beyond the model.
#[derive(Debug, Serialize)]
pub(super) struct Docs {
    /// The Mermaid flowchart, exactly what `mlgen graph` prints.
    diagram: String,
    /// File names rendered into each layout folder, and the paths of the others.
    files: Files,
    /// How to deploy the Terraform output, when it is rendered.
    terraform: Option<TerraformDeploy>,
    /// How to deploy the Bicep output, when it is rendered.
    bicep: Option<BicepDeploy>,
    /// How to set up the delivery pipelines, when the spec has them.
    pipelines: Option<super::pipeline_docs::PipelineDocs>,
}

/// File names by layout folder; `other` holds every other path, relative to the output root.
#[derive(Debug, Default, Serialize)]
struct Files {
    main: Vec<String>,
    shared: Vec<String>,
    mlops: Vec<String>,
    network: Vec<String>,
    /// Pipeline files, by their path from the output root.
    pipelines: Vec<String>,
    other: Vec<String>,
}

#[derive(Debug, Serialize)]
struct TerraformDeploy {
    /// `-chdir=<main folder>`, as one shell word.
    chdir: String,
    environments: Vec<TerraformEnvironment>,
    /// True when several environments share local state: each needs a workspace of its own.
    workspaces: bool,
}

#[derive(Debug, Serialize)]
struct TerraformEnvironment {
    name: String,
    /// `-var-file=<env>.tfvars` (relative to the main folder, as `-chdir` makes every path).
    var_file: String,
    /// `-backend-config=<env>.backend.hcl`, with a remote-state backend.
    backend_config: Option<String>,
}

#[derive(Debug, Serialize)]
struct BicepDeploy {
    /// `--location <region>`, as shell words: where the subscription deployment is recorded.
    location: String,
    /// `--template-file <main folder>/main.bicep`, relative to the output root.
    template_file: String,
    environments: Vec<BicepEnvironment>,
}

#[derive(Debug, Serialize)]
struct BicepEnvironment {
    name: String,
    /// `--parameters <main folder>/<file>.bicepparam`.
    parameters: String,
}

/// The README's context for `model`, whose other files are already in `tree`.
pub(super) fn docs(model: &Model, tree: &Tree) -> Docs {
    let layout = &model.layout;
    let mut files = Files::default();
    for (path, _) in tree.iter() {
        let (folder, name) = path.rsplit_once('/').unwrap_or((".", path));
        let list = if super::is_pipeline_file(path) {
            files.pipelines.push(path.to_owned());
            continue;
        } else if folder == layout.main {
            &mut files.main
        } else if folder == layout.shared {
            &mut files.shared
        } else if folder == layout.mlops {
            &mut files.mlops
        } else if folder == layout.network {
            &mut files.network
        } else {
            files.other.push(path.to_owned());
            continue;
        };
        list.push(name.to_owned());
    }
    let in_main = |file: &str| crate::layout::join(&layout.main, file);
    let terraform = model
        .targets
        .contains(&Target::Terraform)
        .then(|| TerraformDeploy {
            chdir: shell_word(&format!("-chdir={}", layout.main)),
            workspaces: model.environments.len() > 1
                && model.environments.iter().all(|e| e.backend.is_none()),
            environments: model
                .environments
                .iter()
                .map(|env| TerraformEnvironment {
                    name: env.name.clone(),
                    var_file: shell_word(&format!("-var-file={}.tfvars", env.name)),
                    backend_config: env
                        .backend
                        .as_ref()
                        .map(|_| shell_word(&format!("-backend-config={}.backend.hcl", env.name))),
                })
                .collect(),
        });
    let bicep = model.targets.contains(&Target::Bicep).then(|| BicepDeploy {
        location: format!("--location {}", shell_word(&model.project.location)),
        template_file: format!("--template-file {}", shell_word(&in_main("main.bicep"))),
        environments: model
            .environments
            .iter()
            // Without `environments:` only the base environment has a parameter file,
            // `main.bicepparam`; with them every environment has `<env>.bicepparam`.
            .filter(|_| model.has_environments)
            .map(|env| BicepEnvironment {
                name: env.name.clone(),
                parameters: format!(
                    "--parameters {}",
                    shell_word(&in_main(&format!("{}.bicepparam", env.name)))
                ),
            })
            .chain((!model.has_environments).then(|| BicepEnvironment {
                name: model.project.environment.clone(),
                parameters: format!("--parameters {}", shell_word(&in_main("main.bicepparam"))),
            }))
            .collect(),
    });
    Docs {
        diagram: crate::graph::Graph::from_model(model).mermaid(),
        files,
        terraform,
        bicep,
        pipelines: super::pipeline_docs::pipeline_docs(model),
    }
}

/// `word` as one POSIX shell word: as it is when it holds only characters no shell treats
/// specially, else single-quoted.
pub(super) fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@+%".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(
            shell_word("-chdir=infrastructure/main"),
            "-chdir=infrastructure/main"
        );
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word("$(x)"), "'$(x)'");
        assert_eq!(shell_word(""), "''");
    }
}
