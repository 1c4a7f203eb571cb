//! Rendering: a [`Model`] and a [`TemplateSet`] in, a [`Tree`] of output files out.
//!
//! Pure: no filesystem access, so the same call backs `render`, `check` and the snapshot tests.
//! A template named `<target>/<role>/<file>.tera` becomes `<layout folder of role>/<file>`,
//! where role is `shared`, `mlops` or `main`; any other `<target>/<path>.tera` becomes `<path>`
//! relative to the output root. `[environment]` in a file name is replaced by the environment.
//! Templates whose file name starts with `_` are partials (included, never written).
//! `common/<path>.tera` templates (the README) are rendered once whatever the targets, after
//! the others, which they describe: they see the model and `docs` (see `docs.rs`), no target's
//! context.
//!
//! Every template renders in the `sandbox` module: no access to the host, no recursion, bounded
//! output, and no output path that is hidden or leaves the output directory.

mod args;
mod bicep;
mod blocks;
mod docs;
mod format;
mod markdown;
mod pipeline_docs;
mod sandbox;
mod target_context;
mod terraform;
mod yaml;

pub use format::{Syntax, format};

use std::collections::BTreeMap;
use std::fmt;

use tera::{Context, Tera};

use crate::model::Environment;
use crate::model::Model;
use crate::spec::Target;
use crate::spec::pipelines::Provider;
use crate::templates::{Layer, Template, TemplateSet};
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
    /// The targets whose templates were compiled.
    targets: Vec<Target>,
    /// The CI systems whose pipeline templates were compiled.
    providers: Vec<Provider>,
    /// Output templates, in name order.
    outputs: Vec<Output>,
    /// What each template may render, to find the template a render error is in.
    graph: sandbox::Graph,
    /// Every template by name: how to name it in errors, and its text.
    sources: BTreeMap<String, (String, String)>,
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
    /// Compiles every template of the set; the first syntax error is returned, and so is any
    /// template nested too deeply for Tera's parser or recursing through includes, extends,
    /// imports or macro calls (see the `sandbox` module).
    ///
    /// Only the templates of `targets` (and any outside a target's folder) are compiled: a
    /// Terraform-only spec never pays for parsing the Bicep templates.
    pub fn new(templates: &TemplateSet, targets: &[Target]) -> Result<Self, TemplateError> {
        Self::with_providers(templates, targets, &Provider::ALL)
    }

    /// [`Renderer::new`] for the pipelines of `providers` only: a spec without pipelines
    /// never pays for parsing theirs.
    pub fn with_providers(
        templates: &TemplateSet,
        targets: &[Target],
        providers: &[Provider],
    ) -> Result<Self, TemplateError> {
        let wanted = |name: &str| {
            let top = name.split('/').next().unwrap_or("");
            if let Some(target) = Target::ALL.iter().find(|t| t.name() == top) {
                return targets.contains(target);
            }
            if let Some(provider) = Provider::ALL.iter().find(|p| p.name() == top) {
                return providers.contains(provider);
            }
            top != PIPELINE_PARTIALS || !providers.is_empty()
        };
        let selected: Vec<(&str, &Template)> =
            templates.iter().filter(|(name, _)| wanted(name)).collect();
        let mut tera = Tera::default();
        tera.autoescape_on(Vec::new());
        sandbox::register(&mut tera);
        terraform::register_filters(&mut tera);
        bicep::register_filters(&mut tera);
        markdown::register_filters(&mut tera);
        yaml::register_filters(&mut tera);
        for (name, t) in selected.iter().copied() {
            if let Err(offset) = sandbox::nesting_within_limit(&t.source) {
                let line = t.source[..offset].matches('\n').count() + 1;
                return Err(TemplateError {
                    template: format!("{}, line {line}", describe(name, &t.layer)),
                    message: format!(
                        "tags and brackets nest more than {} levels deep",
                        sandbox::MAX_NESTING
                    ),
                });
            }
        }
        // Built-ins stay reachable as `builtin/<name>` for team templates that extend them.
        // Without a team layer nothing can refer to them, and compiling every built-in a
        // second time would double the start-up of each run.
        let has_team_layer = selected
            .iter()
            .copied()
            .any(|(_, t)| t.layer != Layer::Builtin);
        let builtins = crate::templates::BUILTIN
            .iter()
            .filter(|(name, _)| has_team_layer && wanted(name))
            .map(|(name, source)| {
                (
                    format!("{}{name}", crate::templates::BUILTIN_PREFIX),
                    (*source).to_owned(),
                )
            });
        let sources: Vec<(String, String)> = selected
            .iter()
            .copied()
            .map(|(name, t)| (name.to_owned(), t.source.clone()))
            .chain(builtins)
            .collect();
        tera.add_raw_templates(sources)
            .and_then(|()| blocks::register_nested(&mut tera))
            .map_err(|err| {
                let message = chain(&err);
                TemplateError {
                    template: first_named(&message, &selected)
                        .unwrap_or_else(|| "(team templates)".to_owned()),
                    message,
                }
            })?;
        let graph = sandbox::check_graph(&tera).map_err(|err| {
            // Built-ins alone never recurse (a unit test checks), so a team template is
            // involved: blame the first one, with its file.
            let blamed = err
                .units()
                .find_map(|unit| {
                    selected
                        .iter()
                        .copied()
                        .find(|(name, t)| *name == unit.template() && t.layer != Layer::Builtin)
                })
                .map_or_else(
                    || "(team templates)".to_owned(),
                    |(name, t)| describe(name, &t.layer),
                );
            TemplateError {
                template: blamed,
                message: err.to_string(),
            }
        })?;
        let outputs = selected
            .iter()
            .copied()
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
        let sources = selected
            .iter()
            .copied()
            .map(|(name, t)| {
                (
                    name.to_owned(),
                    (describe(name, &t.layer), t.source.clone()),
                )
            })
            .chain(
                crate::templates::BUILTIN
                    .iter()
                    .filter(|(name, _)| wanted(name))
                    .map(|(name, source)| {
                        let name = format!("{}{name}", crate::templates::BUILTIN_PREFIX);
                        let described = describe(&name, &Layer::Builtin);
                        (name, (described, (*source).to_owned()))
                    }),
            )
            .collect();
        Ok(Self {
            tera,
            targets: targets.to_vec(),
            providers: providers.to_vec(),
            outputs,
            graph,
            sources,
        })
    }

    /// Renders every output template of the model's targets.
    pub fn render(&self, model: &Model, spec_file: &str) -> Result<Tree, TemplateError> {
        let missing = model
            .targets
            .iter()
            .filter(|t| !self.targets.contains(t))
            .map(|t| t.name())
            .chain(
                providers(model)
                    .into_iter()
                    .filter(|p| !self.providers.contains(p))
                    .map(Provider::name),
            )
            .next();
        if let Some(missing) = missing {
            return Err(TemplateError {
                template: "(renderer)".into(),
                message: format!("the {missing} templates were not compiled for this renderer"),
            });
        }
        // Tera's renderer recurses once per nested tag, include and macro call. The sandbox
        // bounds both, and this thread's stack holds the deepest rendering those bounds allow,
        // whatever thread the caller runs on (test threads get 2 MiB).
        std::thread::scope(|scope| {
            std::thread::Builder::new()
                .name("mlgen-render".into())
                .stack_size(sandbox::RENDER_STACK_BYTES)
                .spawn_scoped(scope, || self.render_here(model, spec_file))
                .map_err(|err| TemplateError {
                    template: "(renderer)".into(),
                    message: format!("could not start the rendering thread: {err}"),
                })?
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }

    fn render_here(&self, model: &Model, spec_file: &str) -> Result<Tree, TemplateError> {
        let mut context = base_context(model, spec_file)?;
        let mut tree = Tree::default();
        let mut budget = sandbox::MAX_RUN_BYTES;
        for target in &model.targets {
            let spelling: &dyn target_context::Spelling = match target {
                Target::Terraform => &terraform::Terraform,
                Target::Bicep => &bicep::Bicep,
            };
            target_context::insert(&mut context, model, spelling);
            let prefix = format!("{}/", target.name());
            self.render_outputs(&prefix, &mut context, model, &mut tree, &mut budget)?;
        }
        // The pipelines deploy what the targets wrote, and see no target's context.
        target_context::remove(&mut context);
        for provider in providers(model) {
            let prefix = format!("{}/", provider.name());
            self.render_outputs(&prefix, &mut context, model, &mut tree, &mut budget)?;
        }
        // The target-independent files (the README) come last, since they describe the
        // others.
        context.insert("docs", &docs::docs(model, &tree));
        self.render_outputs(COMMON_PREFIX, &mut context, model, &mut tree, &mut budget)?;
        Ok(tree)
    }

    /// Renders every output template whose name starts with `prefix` into `tree`.
    fn render_outputs(
        &self,
        prefix: &str,
        context: &mut Context,
        model: &Model,
        tree: &mut Tree,
        budget: &mut usize,
    ) -> Result<(), TemplateError> {
        for output in self.outputs.iter().filter(|o| o.name.starts_with(prefix)) {
            let mut emit = |text: String, env_name: &str| -> Result<(), TemplateError> {
                // A template that renders to nothing writes no file (e.g. a backend file
                // for a spec without a backend).
                if text.trim().is_empty() {
                    return Ok(());
                }
                let path = output_path(&output.name, prefix, model, env_name);
                if let Err(problem) = check_output(&path) {
                    return Err(TemplateError {
                        template: output.described.clone(),
                        message: format!("would write {path:?}: {problem}"),
                    });
                }
                let text = post_process(&path, &text);
                tree.insert_from(path, text, output.origin.clone())
                    .map_err(|path| TemplateError {
                        template: output.described.clone(),
                        message: format!("another template already produces {path}"),
                    })
            };
            if !output.name.contains(ENVIRONMENT_PLACEHOLDER) {
                let text = self.render_one(output, context, budget)?;
                emit(text, &model.project.environment)?;
                continue;
            }
            // `[environment]` templates are rendered once per environment, with that
            // environment's names, tags, clusters and network in place of the base ones.
            // The context is changed in place and put back afterwards: copying it for each
            // environment would copy every environment's clusters each time (quadratic).
            for env in &model.environments {
                use_environment(context, model, env)?;
                let text = self.render_one(output, context, budget)?;
                emit(text, &env.name)?;
            }
            use_base(context, model);
        }
        Ok(())
    }

    /// One output template, within the size limits: at most [`sandbox::MAX_FILE_BYTES`], and
    /// at most what is left of the run's `budget`, which it reduces.
    fn render_one(
        &self,
        output: &Output,
        context: &Context,
        budget: &mut usize,
    ) -> Result<String, TemplateError> {
        let mut writer = sandbox::CappedWriter::new(sandbox::MAX_FILE_BYTES.min(*budget));
        let rendered = self.tera.render_to(&output.name, context, &mut writer);
        if writer.exceeded {
            let message = if *budget < sandbox::MAX_FILE_BYTES {
                format!(
                    "the rendered files together exceed {} MiB, mlgen's limit for one run",
                    sandbox::MAX_RUN_BYTES >> 20
                )
            } else {
                format!(
                    "renders more than {} MiB, mlgen's limit for one file",
                    sandbox::MAX_FILE_BYTES >> 20
                )
            };
            return Err(TemplateError {
                template: output.described.clone(),
                message,
            });
        }
        rendered.map_err(|e| {
            let message = chain(&e);
            // Tera names no line for render errors; find it in the template, or else in a
            // template it includes, extends or imports: a variable name (in backticks) first,
            // then a filter, function or template name (in single quotes), which would
            // otherwise find the include line of the partial the variable is missing in.
            let sources: Vec<(&str, &str)> =
                std::iter::once((output.described.as_str(), output.source.as_str()))
                    .chain(
                        sandbox::reachable(&self.graph, &output.name)
                            .into_iter()
                            .filter_map(|name| self.sources.get(name))
                            .map(|(d, s)| (d.as_str(), s.as_str())),
                    )
                    .collect();
            let located = ['`', '\''].into_iter().find_map(|quote| {
                sources.iter().find_map(|(described, source)| {
                    locate(&message, source, quote).map(|line| format!("{described}, line {line}"))
                })
            });
            TemplateError {
                template: located.unwrap_or_else(|| output.described.clone()),
                message,
            }
        })?;
        *budget -= writer.bytes.len();
        String::from_utf8(writer.bytes).map_err(|_| TemplateError {
            template: output.described.clone(),
            message: "rendered text that is not UTF-8".into(),
        })
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

/// The folder of the templates rendered once whatever the targets (the README).
const COMMON_PREFIX: &str = "common/";

/// The folder of the partials every CI system's pipelines share.
const PIPELINE_PARTIALS: &str = "pipelines";

/// The model and what every template sees besides it, with the base environment in place.
fn base_context(model: &Model, spec_file: &str) -> Result<Context, TemplateError> {
    let mut context = Context::from_serialize(model).map_err(context_error)?;
    // The file name goes into a comment line of every file; a newline in it would end the
    // comment and let the name inject code.
    context.insert("spec_file", &sandbox::printable(spec_file));
    // The catalog as it is, for team templates; the built-ins read each target's joins.
    context.insert("catalog", &crate::catalog::catalog());
    context.insert("rules", &crate::rules::views());
    context.insert("arm_guid_namespace", crate::naming::ARM_GUID_NAMESPACE);
    context.insert("names_suffix_length", &crate::naming::SUFFIX_LENGTH);
    // Templates that are not per-environment see the base environment.
    use_base(&mut context, model);
    Ok(context)
}

/// The file-name placeholder of per-environment templates.
const ENVIRONMENT_PLACEHOLDER: &str = "[environment]";

/// Puts one environment's values in place of the base environment's: its names, tags,
/// clusters and network, and the environment itself.
fn use_environment(
    context: &mut Context,
    model: &Model,
    env: &Environment,
) -> Result<(), TemplateError> {
    let mut project = model.project.clone();
    project.environment.clone_from(&env.name);
    project.tags.clone_from(&env.tags);
    context.insert("project", &project);
    context.insert("names", &env.names);
    context.insert("compute_clusters", &env.compute_clusters);
    context.insert("network", &env.network);
    context.insert("environment", &tera::to_value(env).map_err(context_error)?);
    Ok(())
}

/// Puts back what [`use_environment`] replaced: the model's own values and the base environment.
fn use_base(context: &mut Context, model: &Model) {
    context.insert("project", &model.project);
    context.insert("names", &model.names);
    context.insert("compute_clusters", &model.compute_clusters);
    context.insert("network", &model.network);
    if let Some(base) = model.environments.first() {
        context.insert("environment", base);
    }
}

fn context_error(err: impl std::error::Error) -> TemplateError {
    TemplateError {
        template: "(context)".into(),
        message: chain(&err),
    }
}

/// The first line of `source` holding a name Tera's message quotes with `quote` (Tera reports
/// no line for render errors): backticks hold variable names, single quotes filter, function
/// and template names.
fn locate(message: &str, source: &str, quote: char) -> Option<usize> {
    message
        .split(quote)
        .skip(1)
        .step_by(2)
        .filter(|q| !q.is_empty() && !q.contains('\n'))
        .find_map(|name| source.lines().position(|line| line.contains(name)))
        .map(|index| index + 1)
}

/// A relative path that stays inside the output directory and is not hidden: no `..`, no
/// absolute path, no drive, no backslash, no empty part, and no part starting with `.` (which
/// would let a template write `.git/config` or mlgen's own `.mlgen/` manifest), except the
/// output root's `.gitignore` and GitHub's workflows ([`crate::manifest::is_allowed_hidden`]). Layout folders are
/// validated already (rule `layout-escape`); this guards the file names templates add.
fn check_output(path: &str) -> Result<(), &'static str> {
    if path.is_empty() || path.starts_with('/') || path.contains(['\\', ':']) {
        return Err("outside the output directory");
    }
    for part in path.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return Err("outside the output directory");
        }
        if part.starts_with('.') && !crate::manifest::is_allowed_hidden(path) {
            return Err("templates may not write hidden files or folders");
        }
    }
    Ok(())
}

/// The template a load error is about: the one Tera quotes first (as `'name'` or `` `name` ``),
/// with its file.
fn first_named(message: &str, templates: &[(&str, &Template)]) -> Option<String> {
    templates
        .iter()
        .filter_map(|(name, t)| {
            [format!("'{name}'"), format!("`{name}`")]
                .iter()
                .filter_map(|quoted| message.find(quoted.as_str()))
                .min()
                .map(|at| (at, describe(name, &t.layer)))
        })
        .min_by_key(|(at, _)| *at)
        .map(|(_, described)| described)
}

/// The CI systems the model has pipelines for, in template-folder order.
pub(crate) fn providers(model: &Model) -> Vec<Provider> {
    let Some(pipelines) = &model.pipelines else {
        return Vec::new();
    };
    [
        pipelines.github.as_ref().map(|_| Provider::Github),
        pipelines
            .azure_devops
            .as_ref()
            .map(|_| Provider::AzureDevops),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// True for the files of a [`pipeline_folder`].
fn is_pipeline_file(path: &str) -> bool {
    Provider::ALL.into_iter().any(|provider| {
        path.strip_prefix(pipeline_folder(provider))
            .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// Where a CI system reads its pipelines: GitHub only from `.github/workflows`; Azure
/// Pipelines from any path a pipeline is created with.
fn pipeline_folder(provider: Provider) -> &'static str {
    match provider {
        Provider::Github => crate::manifest::GITHUB_WORKFLOWS,
        Provider::AzureDevops => "azure-pipelines",
    }
}

/// `terraform/shared/main.tf.tera` → `infrastructure/shared/main.tf`;
/// `github/mlgen-terraform.yml.tera` → `.github/workflows/mlgen-terraform.yml`.
fn output_path(name: &str, prefix: &str, model: &Model, environment: &str) -> String {
    let relative = &name[prefix.len()..];
    let relative = relative.strip_suffix(".tera").unwrap_or(relative);
    let relative = relative.replace(ENVIRONMENT_PLACEHOLDER, environment);
    let provider = Provider::ALL
        .into_iter()
        .find(|p| prefix.strip_suffix('/') == Some(p.name()));
    if let Some(provider) = provider {
        return crate::layout::join(pipeline_folder(provider), &relative);
    }
    let (role, rest) = relative.split_once('/').unwrap_or(("", &relative));
    let folder = match role {
        "shared" => &model.layout.shared,
        "mlops" => &model.layout.mlops,
        "main" => &model.layout.main,
        "network" => &model.layout.network,
        _ => return relative.clone(),
    };
    crate::layout::join(folder, rest)
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
    fn output_paths_stay_inside_the_output_directory_and_visible() {
        for good in [
            "main/main.tf",
            "main.tf",
            "a/b/c.bicep",
            "a/b.c.d",
            ".gitignore",
            ".github/workflows/mlgen-terraform.yml",
        ] {
            assert_eq!(check_output(good), Ok(()), "{good}");
        }
        for bad in [
            "../x.tf",
            "a/../../x",
            "/etc/passwd",
            "C:/x",
            "a\\b",
            "a//b",
            "./a",
            "a/",
            "",
        ] {
            assert_eq!(
                check_output(bad),
                Err("outside the output directory"),
                "{bad}"
            );
        }
        for hidden in [
            ".git/config",
            "main/.mlgen/manifest.json",
            "main/.env",
            ".tf",
            "main/.gitignore",
            ".gitignore/x",
            ".github/x.yml",
            ".github/workflows/.hidden.yml",
            ".github/workflows/sub/x.yml",
            ".github/workflows",
            "a/.github/workflows/x.yml",
        ] {
            assert_eq!(
                check_output(hidden),
                Err("templates may not write hidden files or folders"),
                "{hidden}"
            );
        }
    }

    #[test]
    fn render_errors_are_located_by_the_quoted_name() {
        let source = "a\nb = {{ x.y }}\n";
        assert_eq!(
            locate("Variable `x.y` not found in context", source, '`'),
            Some(2)
        );
        assert_eq!(locate("no quoted name", source, '`'), None);
        let source = "a\nb = {{ x | shout }}\n";
        assert_eq!(locate("Filter 'shout' not found", source, '\''), Some(2));
    }
}
