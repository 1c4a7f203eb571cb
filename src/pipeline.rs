//! The library's pipeline, `read → validate (→ model) → templates → render`, as functions the
//! command dispatcher (`app`), the tests and library users call. Pure apart from
//! reading the spec and the team template folder; writing and comparing happen elsewhere.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::diag::{Diagnostic, sort_and_dedup};
use crate::load::SourceFile;
use crate::model::Model;
use crate::render::Renderer;
use crate::spec::{Spec, Target};
use crate::templates::TemplateSet;
use crate::timings;
use crate::tree::Tree;
use crate::validate::{self, Validated};

/// The spec is invalid; carries every diagnostic. `run` maps it to exit code 2.
#[derive(Debug)]
pub struct SpecInvalid {
    /// The spec file.
    pub path: PathBuf,
    /// All problems, sorted by position: the errors, and the warnings among them.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for SpecInvalid {
    /// `2 problems in mlgen.yaml`, and `, and 1 warning` when there are warnings too.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.diagnostics.iter().filter(|d| d.is_error()).count();
        let warnings = self.diagnostics.len() - errors;
        let plural = |n| if n == 1 { "" } else { "s" };
        write!(
            f,
            "{errors} problem{} in {}",
            plural(errors),
            self.path.display()
        )?;
        if warnings > 0 {
            write!(f, ", and {warnings} warning{}", plural(warnings))?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecInvalid {}

/// How to render a spec.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Restrict to one target (which the spec must list).
    pub target: Option<Target>,
    /// Team template folder to layer over the built-ins.
    pub templates: Option<PathBuf>,
}

/// Reads and validates a spec file (with the team template folder its `templates:` key names).
pub fn validate_spec_file(path: &Path) -> anyhow::Result<Spec> {
    load_spec(path, &RenderOptions::default()).map(|(valid, _)| valid.spec)
}

/// Reads and validates a spec file, checks that it lists the requested target, loads the
/// template layers it renders with (the built-ins, then `--templates` or else the spec's
/// `templates:` folder) and validates the spec's `extra` values against the team folder's
/// `extra.schema.json` if it has one. A valid spec's warnings are in [`Validated::warnings`];
/// an invalid spec's are among its [`SpecInvalid`] diagnostics.
pub fn load_spec(path: &Path, options: &RenderOptions) -> anyhow::Result<(Validated, TemplateSet)> {
    let (source, valid) = read_and_validate(path)?;
    if let Some(target) = options.target {
        let listed = &valid.model.targets;
        anyhow::ensure!(
            listed.contains(&target),
            "--target {name} is not among the targets of {} ({}); add {name} to `targets:` \
             in the spec to render it",
            path.display(),
            listed
                .iter()
                .map(|t| t.name())
                .collect::<Vec<_>>()
                .join(", "),
            name = target.name(),
        );
    }
    let invalid = |diagnostics| SpecInvalid {
        path: path.to_owned(),
        diagnostics,
    };
    let team_dir = match (&options.templates, &valid.spec.templates) {
        // The command line is the user's own choice.
        (Some(dir), _) => Some(dir.clone()),
        // A spec's `templates:` is relative to the spec file, so hooks and CI agree; it comes
        // from the repository, so it must resolve inside the spec's folder, links included.
        (None, Some(relative)) => Some(team_folder_inside(path, relative)?),
        (None, None) => None,
    };
    let _t = timings::stage("templates+extra");
    let templates = match &team_dir {
        Some(dir) => TemplateSet::with_overlay(dir)?,
        None => TemplateSet::builtin(),
    };
    if let Some((file, schema)) = templates.extra_schema() {
        let mut diagnostics = validate::validate_extra(&source, &valid, schema)
            .with_context(|| format!("{}", file.display()))?;
        if !diagnostics.is_empty() {
            diagnostics.extend(valid.warnings);
            sort_and_dedup(&mut diagnostics);
            return Err(invalid(diagnostics).into());
        }
    }
    Ok((valid, templates))
}

/// Reads the spec file and validates it; an invalid spec is a [`SpecInvalid`] error.
fn read_and_validate(path: &Path) -> anyhow::Result<(SourceFile, Validated)> {
    let source = {
        let _t = timings::stage("read");
        SourceFile::read(path)?
    };
    let _t = timings::stage("parse+validate");
    let valid = validate::validate(&source).map_err(|diagnostics| SpecInvalid {
        path: path.to_owned(),
        diagnostics,
    })?;
    Ok((source, valid))
}

/// The spec's `templates:` folder, which must resolve (following links) inside the spec's
/// folder; validation already refused absolute paths and `..`.
fn team_folder_inside(spec: &Path, relative: &str) -> anyhow::Result<PathBuf> {
    let spec_dir = spec.parent().unwrap_or_else(|| Path::new(""));
    let dir = spec_dir.join(relative);
    let real_spec_dir = std::fs::canonicalize(if spec_dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        spec_dir
    })?;
    if let Ok(real) = std::fs::canonicalize(&dir) {
        anyhow::ensure!(
            real.starts_with(&real_spec_dir),
            "{}: `templates: {relative}` leads outside the spec's folder through a symbolic \
             link (to {}); a spec's team folder must be inside its repository",
            spec.display(),
            real.display()
        );
    }
    Ok(dir)
}

/// Validates and renders a spec file with its template layers.
pub fn render_spec_file(path: &Path) -> anyhow::Result<Tree> {
    render_spec(path, &RenderOptions::default())
}

/// Validates and renders a spec file.
pub fn render_spec(path: &Path, options: &RenderOptions) -> anyhow::Result<Tree> {
    render_spec_and_keep(path, options).map(|(_, tree, _)| tree)
}

/// Validates a spec file and renders it with templates compiled beforehand: for rendering
/// many specs with the same templates without compiling them each time.
///
/// The renderer must have been built for every target the spec lists, and the spec must not
/// name a team folder (`templates:`): rendering it with other templates would surprise.
///
/// ```
/// use mlgen::Renderer;
/// use mlgen::spec::Target;
/// use mlgen::TemplateSet;
///
/// let renderer = Renderer::new(&TemplateSet::builtin(), &Target::ALL)?;
/// let dir = tempfile::tempdir()?;
/// let spec = dir.path().join("mlgen.yaml");
/// std::fs::write(&spec, "version: 1\nproject: {name: churn}\n")?;
/// let tree = mlgen::render_spec_with(&spec, &renderer)?;
/// assert!(tree.get("main/main.tf").is_some_and(|t| t.contains("module \"shared\"")));
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn render_spec_with(path: &Path, renderer: &Renderer) -> anyhow::Result<Tree> {
    let (_, valid) = read_and_validate(path)?;
    anyhow::ensure!(
        valid.spec.templates.is_none(),
        "{}: the spec names a team template folder; render it with `render_spec`",
        path.display()
    );
    Ok(renderer.render(&valid.model, &spec_file_name(path))?)
}

/// The spec's file name, as the generated headers quote it.
fn spec_file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| "mlgen.yaml".into(), |n| n.to_string_lossy().into_owned())
}

/// [`render_spec`], also returning the spec and its warnings.
pub(crate) fn render_spec_and_keep(
    path: &Path,
    options: &RenderOptions,
) -> anyhow::Result<(Spec, Tree, Vec<Diagnostic>)> {
    let (valid, templates) = load_spec(path, options)?;
    let Validated {
        spec,
        mut model,
        warnings,
        ..
    } = valid;
    restrict_targets(&mut model, options);
    let spec_file = spec_file_name(path);
    let renderer = {
        let _t = timings::stage("compile");
        Renderer::with_providers(
            &templates,
            &model.targets,
            &crate::render::providers(&model),
        )?
    };
    let _t = timings::stage("render");
    let tree = renderer.render(&model, &spec_file)?;
    Ok((spec, tree, warnings))
}

/// Narrows the model to `--target` (which `load_spec` made sure the spec lists).
/// The pipelines follow: `--target bicep` renders no Terraform workflow.
fn restrict_targets(model: &mut Model, options: &RenderOptions) {
    if let Some(target) = options.target {
        model.targets = vec![target];
        if let Some(pipelines) = &mut model.pipelines {
            pipelines.terraform &= target == Target::Terraform;
            pipelines.bicep &= target == Target::Bicep;
        }
    }
}

/// The resolved model of a valid spec, narrowed to `--target`: what `mlgen graph` draws.
pub(crate) fn load_model(path: &Path, options: &RenderOptions) -> anyhow::Result<Model> {
    let (valid, _) = load_spec(path, options)?;
    let mut model = valid.model;
    restrict_targets(&mut model, options);
    Ok(model)
}
