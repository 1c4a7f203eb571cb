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
pub mod journal;
pub mod layout;
pub mod load;
pub mod lock;
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
mod timings;
pub mod tree;
pub mod validate;
pub mod watchdog;
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
use crate::journal::Known;
use crate::load::SourceFile;
use crate::model::Model;
use crate::render::Renderer;
use crate::report::Style;
use crate::spec::{Spec, Target};
use crate::templates::TemplateSet;
use crate::tree::Tree;
use crate::write::{Fault, WriteOptions};

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
    let source = {
        let _t = timings::stage("read");
        SourceFile::read(path)?
    };
    let invalid = |diagnostics| SpecInvalid {
        path: path.to_owned(),
        diagnostics,
    };
    let spec = {
        let _t = timings::stage("parse+validate");
        validate::validate(&source).map_err(invalid)?
    };
    let team_dir = match (&options.templates, &spec.templates) {
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
        let diagnostics = validate::validate_extra(&source, schema)
            .with_context(|| format!("{}", file.display()))?;
        if !diagnostics.is_empty() {
            return Err(invalid(diagnostics).into());
        }
    }
    Ok((spec, templates))
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
    render_spec_and_keep(path, options).map(|(_, tree)| tree)
}

/// [`render_spec`], also returning the spec.
fn render_spec_and_keep(path: &Path, options: &RenderOptions) -> anyhow::Result<(Spec, Tree)> {
    let (spec, templates) = load_spec(path, options)?;
    let model_stage = timings::stage("model");
    let mut model = Model::from_spec(&spec);
    drop(model_stage);
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
    let renderer = {
        let _t = timings::stage("compile");
        Renderer::new(&templates)?
    };
    let _t = timings::stage("render");
    let tree = renderer.render(&model, &spec_file)?;
    Ok((spec, tree))
}

/// Most diagnostics printed: a spec with thousands of problems has one mistake repeated, and
/// megabytes of output help nobody (the count of the rest is printed).
const MAX_PRINTED_DIAGNOSTICS: usize = 100;

/// Runs one command; prints results and errors; returns the exit code (0, 1 or 2).
pub fn run(cli: Cli) -> ExitCode {
    match execute(cli) {
        Ok(code) => code,
        Err(err) => {
            if err.downcast_ref::<write::Killed>().is_some() {
                // An injected fault: die as `kill -9` would, with nothing cleaned up.
                std::process::abort();
            }
            if let Some(invalid) = err.downcast_ref::<SpecInvalid>() {
                for d in invalid.diagnostics.iter().take(MAX_PRINTED_DIAGNOSTICS) {
                    eprint!("{d}");
                }
                let hidden = invalid
                    .diagnostics
                    .len()
                    .saturating_sub(MAX_PRINTED_DIAGNOSTICS);
                if hidden > 0 {
                    eprintln!("… and {hidden} more problems, not shown; fix these first");
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

pub use write::HandEdited;

/// Renders the spec and compares it with the output directory.
/// Also says whether an interrupted render left a journal.
fn drift_of(output: &OutputArgs) -> anyhow::Result<(Drift, bool)> {
    let tree = render_spec(&output.input.spec, &options(&output.input))?;
    let _t = timings::stage("diff");
    let known = Known::read(&output.out)?;
    let drift = diff::compare(&tree, &output.out, &known)?;
    Ok((drift, known.interrupted))
}

/// The paths a render must never write or remove: the spec and the team template folder.
fn protected_paths(input: &InputArgs, spec: &Spec) -> Vec<PathBuf> {
    let mut paths = vec![input.spec.clone()];
    paths.extend(input.templates.clone());
    if let Some(dir) = &spec.templates {
        let spec_dir = input.spec.parent().unwrap_or_else(|| Path::new(""));
        paths.push(spec_dir.join(dir));
    }
    paths
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect()
}

/// `MLGEN_FAULT=kill@N` or `enospc@N` / `eio@N`: fail the render at step N, to test
/// recovery from outside (a real process death). Not for use otherwise.
fn injected_fault() -> Option<(usize, Fault)> {
    let spec = std::env::var("MLGEN_FAULT").ok()?;
    let (kind, at) = spec.split_once('@')?;
    let fault = match kind {
        "kill" => Fault::Kill,
        "enospc" => Fault::Error(std::io::ErrorKind::StorageFull),
        "eio" => Fault::Error(std::io::ErrorKind::Other),
        _ => return None,
    };
    Some((at.parse().ok()?, fault))
}

fn style(choice: ColorChoice) -> Style {
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        // The conventions clap follows for its own output: a terminal (not `TERM=dumb`), unless
        // `NO_COLOR` or `CLICOLOR=0` is set; `CLICOLOR_FORCE` colours even a pipe.
        ColorChoice::Auto => {
            anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
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
            let watchdog = watchdog::Watchdog::arm("rendering");
            let (spec, tree) = render_spec_and_keep(&output.input.spec, &options(&output.input))?;
            drop(watchdog);
            let write_options = WriteOptions {
                force,
                protected: protected_paths(&output.input, &spec),
                fault: injected_fault(),
            };
            if dry_run {
                let drift = write::plan(&tree, &output.out, &write_options)?;
                write!(stdout, "{}", report::drift_text(&drift, style, false))?;
                writeln!(stdout, "{}", report::summary(&drift))?;
                writeln!(stdout, "dry run: nothing was written")?;
                return Ok(ExitCode::SUCCESS);
            }
            let write_stage = timings::stage("write");
            let report = write::render_into(&tree, &output.out, &write_options)?;
            drop(write_stage);
            if report.recovered {
                writeln!(
                    stdout,
                    "mlgen: finished an interrupted earlier render in {}",
                    output.out.display()
                )?;
            }
            for kept in &report.kept {
                writeln!(
                    stdout,
                    "mlgen: kept {kept}: no longer generated, but not exactly what mlgen wrote; \
                     delete it yourself if it is unused"
                )?;
            }
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
            let watchdog = watchdog::Watchdog::arm("rendering");
            let (drift, interrupted) = drift_of(&output)?;
            drop(watchdog);
            if interrupted {
                eprintln!(
                    "note: a render of {} was interrupted (see {}); `mlgen render` finishes it",
                    output.out.display(),
                    journal::PATH
                );
            }
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
            let watchdog = watchdog::Watchdog::arm("rendering");
            let tree = render_spec(&input.spec, &options(&input))?;
            drop(watchdog);
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
