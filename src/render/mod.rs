//! Rendering: a [`Model`] and a [`TemplateSet`] in, a [`Tree`] of output files out.
//!
//! Pure: no filesystem access, so the same call backs `render`, `check` and the snapshot tests.
//! A template named `<target>/<role>/<file>.tera` becomes `<layout folder of role>/<file>`,
//! where role is `shared`, `mlops` or `main`; any other `<target>/<path>.tera` becomes `<path>`
//! relative to the output root. `[environment]` in a file name is replaced by the environment.
//! Templates whose file name starts with `_` are partials (included, never written).

mod bicep;
mod format;
mod terraform;

pub use bicep::quote as quote_bicep;
pub use format::{Syntax, format};
pub use terraform::quote as quote_hcl;

use std::fmt;

use tera::{Context, Tera};

use crate::environments::Environment;
use crate::model::Model;
use crate::templates::{Layer, TemplateSet};
use crate::tree::Tree;

/// A template failed to parse or render; names the template file and what went wrong.
#[derive(Debug)]
pub struct TemplateError {
    /// The template's name (and its file, for team templates).
    pub template: String,
    /// Tera's explanation, including the line where Tera knows it.
    pub message: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "template {}: {}", self.template, self.message)
    }
}

impl std::error::Error for TemplateError {}

/// Compiled templates, ready to render any model.
pub struct Renderer {
    tera: Tera,
    /// Output templates, in name order.
    outputs: Vec<Output>,
}

/// An output template and how to name it.
struct Output {
    name: String,
    /// For error messages: the name and the file it came from.
    described: String,
    /// For the manifest: the name and its layer, the same on every machine.
    origin: String,
    /// The template text, to find the line an error is about.
    source: String,
}

impl Renderer {
    /// Compiles every template of the set; the first syntax error is returned.
    pub fn new(templates: &TemplateSet) -> Result<Self, TemplateError> {
        let mut tera = Tera::default();
        tera.autoescape_on(Vec::new());
        terraform::register_filters(&mut tera);
        bicep::register_filters(&mut tera);
        // Built-ins stay reachable as `builtin/<name>` for team templates that extend them.
        // Without a team layer nothing can refer to them, and compiling every built-in a
        // second time would double the start-up of each run.
        let has_team_layer = templates.iter().any(|(_, t)| t.layer != Layer::Builtin);
        let builtins = crate::templates::BUILTIN
            .iter()
            .filter(|_| has_team_layer)
            .map(|(name, source)| {
                (
                    format!("{}{name}", crate::templates::BUILTIN_PREFIX),
                    (*source).to_owned(),
                )
            });
        let sources: Vec<(String, String)> = templates
            .iter()
            .map(|(name, t)| (name.to_owned(), t.source.clone()))
            .chain(builtins)
            .collect();
        tera.add_raw_templates(sources).map_err(|err| {
            let name = templates
                .iter()
                .find(|(name, _)| err.to_string().contains(&format!("'{name}'")))
                .map_or_else(|| "?".to_owned(), |(name, t)| describe(name, &t.layer));
            TemplateError {
                template: name,
                message: chain(&err),
            }
        })?;
        let outputs = templates
            .iter()
            .filter(|(name, _)| !file_name(name).starts_with('_'))
            .map(|(name, t)| Output {
                name: name.to_owned(),
                described: describe(name, &t.layer),
                origin: format!(
                    "{name} ({})",
                    if t.layer == Layer::Builtin {
                        "built-in"
                    } else {
                        "team"
                    }
                ),
                source: t.source.clone(),
            })
            .collect();
        Ok(Self { tera, outputs })
    }

    /// Renders every output template of the model's targets.
    pub fn render(&self, model: &Model, spec_file: &str) -> Result<Tree, TemplateError> {
        let mut context = Context::from_serialize(model).map_err(|e| TemplateError {
            template: "(context)".into(),
            message: chain(&e),
        })?;
        context.insert("spec_file", spec_file);
        context.insert("catalog", &crate::catalog::catalog());
        // The workspace grants each target renders: Bicep always uses identity-based
        // datastores, Terraform only where its azurerm pin allows (see `catalog::When`).
        let private_endpoints = model.network.private_endpoints;
        context.insert(
            "workspace_roles",
            &std::collections::BTreeMap::from([
                (
                    "terraform",
                    crate::catalog::granted_workspace_roles(
                        model.terraform.identity_storage,
                        private_endpoints,
                    ),
                ),
                (
                    "bicep",
                    crate::catalog::granted_workspace_roles(true, private_endpoints),
                ),
            ]),
        );
        context.insert("arm_guid_namespace", crate::naming::ARM_GUID_NAMESPACE);
        context.insert("names_suffix_length", &crate::naming::SUFFIX_LENGTH);
        // Templates that are not per-environment see the base environment.
        if let Some(base) = model.environments.first() {
            context.insert("environment", base);
        }
        let mut tree = Tree::default();
        for target in &model.targets {
            let prefix = format!("{}/", target.name());
            for output in self.outputs.iter().filter(|o| o.name.starts_with(&prefix)) {
                // `[environment]` templates are rendered once per environment, with that
                // environment's names, tags, clusters and network in place of the base ones.
                let environments: Vec<Option<&Environment>> =
                    if output.name.contains(ENVIRONMENT_PLACEHOLDER) {
                        model.environments.iter().map(Some).collect()
                    } else {
                        vec![None]
                    };
                for environment in environments {
                    // Only per-environment templates need a context of their own.
                    let env_context;
                    let context = match environment {
                        Some(env) => {
                            env_context = environment_context(&context, model, env)?;
                            &env_context
                        }
                        None => &context,
                    };
                    let text = self.tera.render(&output.name, context).map_err(|e| {
                        let message = chain(&e);
                        let line = locate(&message, &output.source)
                            .map_or_else(String::new, |l| format!(", line {l}"));
                        TemplateError {
                            template: format!("{}{line}", output.described),
                            message,
                        }
                    })?;
                    // A template that renders to nothing writes no file (e.g. a backend file
                    // for a spec without a backend).
                    if text.trim().is_empty() {
                        continue;
                    }
                    let env_name =
                        environment.map_or(model.project.environment.as_str(), |e| e.name.as_str());
                    let path = output_path(&output.name[prefix.len()..], model, env_name);
                    if !is_safe_output(&path) {
                        return Err(TemplateError {
                            template: output.described.clone(),
                            message: format!("would write {path:?}, outside the output directory"),
                        });
                    }
                    let text = post_process(&path, &text);
                    tree.insert_from(path, text, output.origin.clone())
                        .map_err(|path| TemplateError {
                            template: output.described.clone(),
                            message: format!("another template already produces {path}"),
                        })?;
                }
            }
        }
        Ok(tree)
    }
}

fn file_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

fn describe(name: &str, layer: &Layer) -> String {
    match layer {
        Layer::Builtin => format!("{name} (built-in)"),
        Layer::Team(path) => format!("{name} ({})", path.display()),
    }
}

/// The file-name placeholder of per-environment templates.
const ENVIRONMENT_PLACEHOLDER: &str = "[environment]";

/// The base context with one environment's values in place of the base environment's.
fn environment_context(
    base: &Context,
    model: &Model,
    env: &Environment,
) -> Result<Context, TemplateError> {
    let mut context = base.clone();
    let mut project = model.project.clone();
    project.environment.clone_from(&env.name);
    project.tags.clone_from(&env.tags);
    context.insert("project", &project);
    context.insert("names", &env.names);
    context.insert("compute_clusters", &env.compute_clusters);
    context.insert("network", &env.network);
    let env = tera::to_value(env).map_err(|e| TemplateError {
        template: "(context)".into(),
        message: e.to_string(),
    })?;
    context.insert("environment", &env);
    Ok(context)
}

/// The first line of `source` holding a name Tera's message quotes in backticks (Tera reports
/// no line for render errors such as an unknown variable).
fn locate(message: &str, source: &str) -> Option<usize> {
    let quoted = message
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|q| !q.is_empty());
    for name in quoted {
        if let Some(index) = source.lines().position(|line| line.contains(name)) {
            return Some(index + 1);
        }
    }
    None
}

/// A relative path that stays inside the output directory: no `..`, no absolute path, no
/// drive, no backslash, no empty part. Layout folders are validated already; this guards the
/// file names templates contribute.
fn is_safe_output(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains(['\\', ':'])
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// `shared/main.tf.tera` → `infrastructure/shared/main.tf`.
fn output_path(relative: &str, model: &Model, environment: &str) -> String {
    let relative = relative.strip_suffix(".tera").unwrap_or(relative);
    let relative = relative.replace(ENVIRONMENT_PLACEHOLDER, environment);
    let (role, rest) = relative.split_once('/').unwrap_or(("", &relative));
    let folder = match role {
        "shared" => &model.layout.shared,
        "mlops" => &model.layout.mlops,
        "main" => &model.layout.main,
        "network" => &model.layout.network,
        _ => return relative.clone(),
    };
    if folder == "." {
        rest.to_owned()
    } else {
        format!("{folder}/{rest}")
    }
}

/// Lays out Terraform and Bicep files; other files only get a single trailing newline.
fn post_process(path: &str, text: &str) -> String {
    let extension = path.rsplit_once('.').map_or("", |(_, e)| e);
    match extension {
        "tf" | "tfvars" | "hcl" => format(text, Syntax::Hcl),
        "bicep" | "bicepparam" => format(text, Syntax::Bicep),
        _ => {
            let mut out = text.trim_end_matches('\n').to_owned();
            out.push('\n');
            out
        }
    }
}

/// Tera's error with its causes, which hold the useful part (line, variable name).
fn chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths_stay_inside_the_output_directory() {
        for good in ["main/main.tf", "main.tf", "a/b/c.bicep"] {
            assert!(is_safe_output(good), "{good}");
        }
        for bad in [
            "../x.tf",
            "a/../../x",
            "/etc/passwd",
            "C:/x",
            "a\\b",
            "a//b",
            "./a",
            "",
        ] {
            assert!(!is_safe_output(bad), "{bad}");
        }
    }

    #[test]
    fn render_errors_are_located_by_the_quoted_name() {
        let source = "a\nb = {{ x.y }}\n";
        assert_eq!(
            locate("Variable `x.y` not found in context", source),
            Some(2)
        );
        assert_eq!(locate("no quoted name", source), None);
    }
}
