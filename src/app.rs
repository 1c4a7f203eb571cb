//! The command dispatcher: runs one parsed command line, prints its results and errors, and
//! turns the outcome into the exit code (0 ok, 1 drift, 2 bad input or failure). The only
//! place that writes to stdout and stderr.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{
    CheckArgs, Cli, ColorChoice, Command, Format, GraphArgs, GraphFormat, InputArgs, OutputArgs,
    RenderArgs, TargetArg, TemplatesCommand,
};
use crate::diff::{self, Drift};
use crate::journal::{self, Known};
use crate::pipeline::{
    RenderOptions, SpecInvalid, load_model, load_spec, render_spec, render_spec_and_keep,
};
use crate::report::{self, Style};
use crate::spec::{Spec, Target};
use crate::write::{self, Fault, WriteOptions};
use crate::{graph, init, schema, templates, timings, watchdog};

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
        Command::Graph(GraphArgs { input, format }) => {
            let diagram = graph::Graph::from_model(&load_model(&input.spec, &options(&input))?);
            match format {
                GraphFormat::Mermaid => write!(stdout, "{}", diagram.mermaid())?,
                GraphFormat::Dot => write!(stdout, "{}", diagram.dot())?,
            }
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
