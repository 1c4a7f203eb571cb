//! mlgen turns one small YAML spec into a complete Terraform tree for an Azure Machine
//! Learning workspace and its associated resources.
//!
//! The pipeline is `load → validate → model → render → (write | diff)`; each stage takes the
//! previous stage's output and nothing global. Only [`run`] touches stdout, stderr and exit
//! codes. Library users (and the tests) call [`render_spec_file`] or [`validate_spec_file`].

pub mod catalog;
pub mod cidr;
pub mod cli;
pub mod diag;
pub mod diff;
pub mod environments;
pub mod init;
pub mod layout;
pub mod load;
pub mod manifest;
pub mod model;
pub mod naming;
pub mod render;
pub mod report;
pub mod rules;
pub mod safe_fs;
pub mod schema;
pub mod spec;
pub mod templates;
pub mod tree;
pub mod validate;
pub mod write;

use std::fmt;
use std::io::Write as _;

use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{
    CheckArgs, Cli, ColorChoice, Command, Format, InputArgs, OutputArgs, RenderArgs, TargetArg,
    TemplatesCommand,
};
use crate::diag::Diagnostic;
use crate::diff::Drift;
use crate::load::SourceFile;
use crate::manifest::Manifest;
use crate::model::Model;
use crate::render::Renderer;
use crate::report::Style;
use crate::spec::{Spec, Target};
use crate::templates::TemplateSet;
use crate::tree::Tree;

/// The spec is invalid; carries every diagnostic. `run` maps it to exit code 2.
#[derive(Debug)]
pub struct SpecInvalid {
    /// The spec file.
    pub path: PathBuf,
    /// All problems, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for SpecInvalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.diagnostics.len();
        write!(
            f,
            "{n} problem{} in {}",
            if n == 1 { "" } else { "s" },
            self.path.display()
        )
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
    load_spec(path, &RenderOptions::default()).map(|(spec, _)| spec)
}

/// Reads and validates a spec file, loads the template layers it renders with (the built-ins,
/// then `--templates` or else the spec's `templates:` folder) and validates the spec's `extra`
/// values against the team folder's `extra.schema.json` if it has one.
pub fn load_spec(path: &Path, options: &RenderOptions) -> anyhow::Result<(Spec, TemplateSet)> {
    let source = SourceFile::read(path)?;
    let invalid = |diagnostics| SpecInvalid {
        path: path.to_owned(),
        diagnostics,
    };
    let spec = validate::validate(&source).map_err(invalid)?;
    let team_dir = options.templates.clone().or_else(|| {
        // A spec's `templates:` is relative to the spec file, so hooks and CI agree.
        let dir = path.parent().unwrap_or_else(|| Path::new(""));
        spec.templates.as_ref().map(|t| dir.join(t))
    });
    let templates = match &team_dir {
        Some(dir) => TemplateSet::with_overlay(dir)?,
        None => TemplateSet::builtin(),
    };
    if let Some((file, schema)) = templates.extra_schema() {
        let diagnostics = validate::validate_extra(&source, schema)
            .with_context(|| format!("{}", file.display()))?;
        if !diagnostics.is_empty() {
            return Err(invalid(diagnostics).into());
        }
    }
    Ok((spec, templates))
}

/// Validates and renders a spec file with its template layers.
pub fn render_spec_file(path: &Path) -> anyhow::Result<Tree> {
    render_spec(path, &RenderOptions::default())
}

/// Validates and renders a spec file.
pub fn render_spec(path: &Path, options: &RenderOptions) -> anyhow::Result<Tree> {
    let (spec, templates) = load_spec(path, options)?;
    let mut model = Model::from_spec(&spec);
    if let Some(target) = options.target {
        anyhow::ensure!(
            model.targets.contains(&target),
            "--target {} is not among the spec's targets",
            target.name()
        );
        model.targets = vec![target];
    }
    let spec_file = path
        .file_name()
        .map_or_else(|| "mlgen.yaml".into(), |n| n.to_string_lossy().into_owned());
    let tree = Renderer::new(&templates)?.render(&model, &spec_file)?;
    Ok(tree)
}

/// Runs one command; prints results and errors; returns the exit code (0, 1 or 2).
pub fn run(cli: Cli) -> ExitCode {
    match execute(cli) {
        Ok(code) => code,
        Err(err) => {
            if let Some(invalid) = err.downcast_ref::<SpecInvalid>() {
                for d in &invalid.diagnostics {
                    eprint!("{d}");
                }
                eprintln!("error: {invalid}; nothing was written");
            } else {
                eprintln!("error: {err:#}");
            }
            ExitCode::from(2)
        }
    }
}

fn options(input: &InputArgs) -> RenderOptions {
    RenderOptions {
        target: input.target.map(|t| match t {
            TargetArg::Terraform => Target::Terraform,
            TargetArg::Bicep => Target::Bicep,
        }),
        templates: input.templates.clone(),
    }
}

/// Generated files were edited by hand and `--force` was not given. `run` maps it to exit 2.
#[derive(Debug)]
pub struct HandEdited {
    /// The edited files.
    pub paths: Vec<String>,
}

impl fmt::Display for HandEdited {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refusing to overwrite {} generated file(s) edited by hand since mlgen wrote them: {}\n  \
             `mlgen check` shows the edits; move them into the spec or a team template, or run \
             `mlgen render --force` to discard them. Nothing was written.",
            self.paths.len(),
            self.paths.join(", ")
        )
    }
}

impl std::error::Error for HandEdited {}

/// Renders the spec and compares it with the output directory.
fn drift_of(output: &OutputArgs) -> anyhow::Result<(Tree, Drift)> {
    let tree = render_spec(&output.input.spec, &options(&output.input))?;
    let manifest = Manifest::read(&output.out)?;
    let drift = diff::compare(&tree, &output.out, manifest.as_ref())?;
    Ok((tree, drift))
}

fn style(choice: ColorChoice) -> Style {
    use std::io::IsTerminal as _;
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    Style { color }
}

#[allow(clippy::print_stdout)]
fn execute(cli: Cli) -> anyhow::Result<ExitCode> {
    let stdout = &mut std::io::stdout().lock();
    let style = style(cli.color);
    match cli.command {
        Command::Render(RenderArgs {
            output,
            force,
            dry_run,
        }) => {
            let (tree, drift) = drift_of(&output)?;
            if dry_run {
                write!(stdout, "{}", report::drift_text(&drift, style, false))?;
                writeln!(stdout, "{}", report::summary(&drift))?;
                writeln!(stdout, "dry run: nothing was written")?;
                return Ok(ExitCode::SUCCESS);
            }
            let paths: Vec<String> = drift.hand_edits().map(|f| f.path.clone()).collect();
            if !paths.is_empty() && !force {
                return Err(HandEdited { paths }.into());
            }
            let report = write::apply(&tree, &drift, &output.out)?;
            writeln!(
                stdout,
                "mlgen: {} files in {}: {} created, {} updated, {} unchanged, {} removed",
                tree.len(),
                output.out.display(),
                report.created.len(),
                report.updated.len(),
                report.unchanged.len(),
                report.removed.len()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check(CheckArgs {
            output,
            format,
            verbose,
        }) => {
            let (_, drift) = drift_of(&output)?;
            let (spec, out) = (&output.input.spec, &output.out);
            match format {
                Format::Json => write!(stdout, "{}", report::drift_json(&drift, spec, out))?,
                Format::Text => {
                    write!(stdout, "{}", report::drift_text(&drift, style, verbose))?;
                    writeln!(stdout, "{}", report::summary(&drift))?;
                    if !drift.is_clean() {
                        writeln!(
                            stdout,
                            "to update the files run: {}",
                            report::fix_command(&drift, spec, out)
                        )?;
                    }
                }
            }
            Ok(if drift.is_clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Validate(input) => {
            load_spec(&input.spec, &options(&input))?;
            writeln!(stdout, "{}: valid", input.spec.display())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => {
            write!(stdout, "{}", schema::schema_text())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Templates(TemplatesCommand::List(input)) => {
            let tree = render_spec(&input.spec, &options(&input))?;
            let width = tree
                .iter()
                .map(|(p, _)| p.chars().count())
                .max()
                .unwrap_or(0);
            for (path, _) in tree.iter() {
                writeln!(
                    stdout,
                    "{path:width$}  {}",
                    tree.origin(path).unwrap_or("?")
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Templates(TemplatesCommand::Export { dir }) => {
            let count = templates::export(&dir)?;
            writeln!(
                stdout,
                "mlgen: wrote {count} built-in templates to {}",
                dir.display()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Init(args) => {
            let spec = init::init(&args.dir, &args.name)?;
            writeln!(
                stdout,
                "mlgen: wrote {} and {}",
                spec.display(),
                args.dir.join(init::SCHEMA_FILE).display()
            )?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
