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
    /// Output templates with their description (name and origin) for error messages.
    outputs: Vec<(String, String)>,
}

impl Renderer {
    /// Compiles every template of the set; the first syntax error is returned.
    pub fn new(templates: &TemplateSet) -> Result<Self, TemplateError> {
        let mut tera = Tera::default();
        tera.autoescape_on(Vec::new());
        terraform::register_filters(&mut tera);
        bicep::register_filters(&mut tera);
        let sources: Vec<(String, String)> = templates
            .iter()
            .map(|(name, t)| (name.to_owned(), t.source.clone()))
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
            .map(|(name, t)| (name.to_owned(), describe(name, &t.layer)))
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
        let mut tree = Tree::default();
        for target in &model.targets {
            let prefix = format!("{}/", target.name());
            for (name, described) in self.outputs.iter().filter(|(n, _)| n.starts_with(&prefix)) {
                let text = self
                    .tera
                    .render(name, &context)
                    .map_err(|e| TemplateError {
                        template: described.clone(),
                        message: chain(&e),
                    })?;
                let path = output_path(&name[prefix.len()..], model);
                let text = post_process(&path, &text);
                tree.insert_from(path, text, described.clone())
                    .map_err(|path| TemplateError {
                        template: described.clone(),
                        message: format!("another template already produces {path}"),
                    })?;
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

/// `shared/main.tf.tera` → `infrastructure/shared/main.tf`.
fn output_path(relative: &str, model: &Model) -> String {
    let relative = relative.strip_suffix(".tera").unwrap_or(relative);
    let relative = relative.replace("[environment]", &model.project.environment);
    let (role, rest) = relative.split_once('/').unwrap_or(("", &relative));
    let folder = match role {
        "shared" => &model.layout.shared,
        "mlops" => &model.layout.mlops,
        "main" => &model.layout.main,
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
