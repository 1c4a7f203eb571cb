//! The command dispatcher: runs one parsed command line, prints its results and errors, and
//! turns the outcome into the exit code (0 ok, 1 drift, 2 bad input or failure). The only
//! place that writes to stdout and stderr.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::CommandFactory as _;

use crate::cli::{
    CheckArgs, Cli, ColorChoice, Command, Format, GraphArgs, GraphFormat, InputArgs, OutputArgs,
    RenderArgs, TargetArg, TemplatesCommand, ValidateArgs,
};
use crate::diff::{self, Drift, FileState};
use crate::journal::{self, Known};
use crate::pipeline::{
    RenderOptions, SpecInvalid, load_model, load_spec, render_spec, render_spec_and_keep,
};
use crate::report::{self, Style};
use crate::spec::{Spec, Target};
use crate::write::{self, Fault, WriteOptions};
use crate::{annotations, graph, init, schema, templates, timings, watchdog};

/// Most diagnostics printed: a spec with thousands of problems has one mistake repeated, and
/// megabytes of output help nobody (the count of the rest is printed).
const MAX_PRINTED_DIAGNOSTICS: usize = 100;

/// How a run reports, decided from the command line and the environment before it runs.
#[derive(Debug, Clone, Copy)]
struct Reporting {
    /// `--format json`: results and errors are JSON documents on stdout.
    json: bool,
    /// In GitHub Actions: spec problems and drift are also printed as annotations.
    github: bool,
    /// The command writes files, so a failure says that nothing was written.
    writes: bool,
}

impl Reporting {
    fn of(cli: &Cli) -> Self {
        let (json, writes) = match &cli.command {
            Command::Check(args) => (args.format == Format::Json, false),
            Command::Validate(args) => (args.format == Format::Json, false),
            Command::Render(args) => (false, !args.dry_run),
            _ => (false, false),
        };
        Self {
            json,
            // GitHub sets it to `true` in every step of a workflow.
            github: std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true"),
            writes,
        }
    }
}

/// Runs one command; prints results and errors; returns the exit code (0, 1 or 2).
pub fn run(cli: Cli) -> ExitCode {
    if let Some(conflict) = format_conflict(&cli) {
        // Printed as clap prints its own usage errors, with the same exit code.
        let _ = conflict.print();
        return ExitCode::from(2);
    }
    let reporting = Reporting::of(&cli);
    match execute(cli, reporting) {
        Ok(code) => code,
        Err(err) => {
            if err.downcast_ref::<write::Killed>().is_some() {
                // An injected fault: die as `kill -9` would, with nothing cleaned up.
                std::process::abort();
            }
            report_error(&err, reporting);
            ExitCode::from(2)
        }
    }
}

/// `--format json` prints one document, so it excludes the flags that choose another view. Checked
/// here rather than by clap, which can only make `--format` conflict whatever its value, and
/// `--format text --stat` is fine.
fn format_conflict(cli: &Cli) -> Option<clap::Error> {
    let (name, format, others) = match &cli.command {
        Command::Check(args) => (
            "check",
            args.format,
            vec![
                ("--stat", args.view.stat),
                ("--name-only", args.view.name_only),
                ("--quiet", cli.quiet),
            ],
        ),
        Command::Validate(args) => ("validate", args.format, vec![("--quiet", cli.quiet)]),
        _ => return None,
    };
    let (flag, _) = others.into_iter().find(|(_, given)| *given)?;
    (format == Format::Json).then(|| {
        let message = format!("the argument '--format json' cannot be used with '{flag}'");
        let mut command = Cli::command();
        // Built, so the subcommand's usage line reads `mlgen check …`, as in clap's own errors.
        command.build();
        match command.find_subcommand_mut(name) {
            Some(sub) => sub.error(clap::error::ErrorKind::ArgumentConflict, message),
            None => command.error(clap::error::ErrorKind::ArgumentConflict, message),
        }
    })
}

/// Prints a failure: on stderr always; as JSON on stdout under `--format json`; spec
/// problems as annotations too in GitHub Actions.
fn report_error(err: &anyhow::Error, reporting: Reporting) {
    if let Some(invalid) = err.downcast_ref::<SpecInvalid>() {
        let shown = invalid.diagnostics.iter().take(MAX_PRINTED_DIAGNOSTICS);
        for d in shown.clone() {
            eprint!("{d}");
        }
        let hidden = invalid
            .diagnostics
            .len()
            .saturating_sub(MAX_PRINTED_DIAGNOSTICS);
        if hidden > 0 {
            eprintln!("… and {hidden} more problems, not shown; fix these first");
        }
        let written = if reporting.writes {
            "; nothing was written"
        } else {
            ""
        };
        eprintln!("error: {invalid}{written}");
        // A closed stdout cannot be reported anywhere better than stderr already was.
        let stdout = &mut std::io::stdout().lock();
        if reporting.json {
            let json = report::validation_json(&invalid.path, &invalid.diagnostics);
            let _ = stdout.write_all(json.as_bytes());
        } else if reporting.github {
            for d in shown {
                let _ = stdout.write_all(annotations::diagnostic(d).as_bytes());
            }
        }
    } else {
        eprintln!("error: {err:#}");
        if reporting.json {
            let json = report::error_json(&format!("{err:#}"));
            let _ = std::io::stdout().lock().write_all(json.as_bytes());
        }
    }
}

/// Prints a valid spec's warnings to stderr (even with `--quiet`, as cargo does), as many as
/// errors would be; in GitHub Actions as warning annotations too.
fn print_warnings(warnings: &[crate::Diagnostic], reporting: Reporting) {
    for d in warnings.iter().take(MAX_PRINTED_DIAGNOSTICS) {
        eprint!("{d}");
        if reporting.github && !reporting.json {
            // A closed stdout cannot be reported anywhere better than stderr already was.
            let _ = std::io::stdout()
                .lock()
                .write_all(annotations::diagnostic(d).as_bytes());
        }
    }
    let hidden = warnings.len().saturating_sub(MAX_PRINTED_DIAGNOSTICS);
    if hidden > 0 {
        eprintln!("… and {hidden} more warnings, not shown");
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
fn drift_of(output: &OutputArgs, reporting: Reporting) -> anyhow::Result<(Drift, bool)> {
    let (_, tree, warnings) = render_spec_and_keep(&output.input.spec, &options(&output.input))?;
    print_warnings(&warnings, reporting);
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

/// `out` as the user reaches it from the current directory: an absolute path inside it becomes
/// relative and `./` goes, so printed paths (and GitHub annotations, which want
/// repository-relative paths) read as the user would type them.
fn from_cwd(out: &Path) -> PathBuf {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| out.strip_prefix(cwd).ok())
        .unwrap_or(out);
    let clean: PathBuf = relative
        .components()
        .filter(|c| *c != std::path::Component::CurDir)
        .collect();
    if clean.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        clean
    }
}

/// How `check` and `render --dry-run` show the drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Diffs,
    Stat,
    Names,
    Quiet,
}

impl View {
    fn of(stat: bool, name_only: bool, quiet: bool) -> Self {
        match (stat, name_only, quiet) {
            (_, _, true) => Self::Quiet,
            (true, _, _) => Self::Stat,
            (_, true, _) => Self::Names,
            _ => Self::Diffs,
        }
    }
}

/// Prints the drift in the chosen view (the summary with diffs and `--stat`), then the
/// GitHub annotations when asked for.
fn print_drift(
    stdout: &mut impl std::io::Write,
    drift: &Drift,
    output: &OutputArgs,
    view: View,
    style: Style,
    verbose: bool,
    github: bool,
) -> std::io::Result<()> {
    let (spec, out) = (&output.input.spec, &output.out);
    match view {
        View::Quiet => return Ok(()),
        View::Names => write!(stdout, "{}", report::drift_names(drift, out))?,
        View::Diffs | View::Stat => {
            let text = if view == View::Stat {
                report::drift_stat(drift, out, style, verbose)
            } else {
                report::drift_text(drift, out, style, verbose)
            };
            write!(stdout, "{text}")?;
            writeln!(stdout, "{}", report::summary(drift))?;
        }
    }
    if github {
        let fix = report::fix_command(drift, spec, out);
        for file in drift.files.iter().filter(|f| f.state != FileState::InSync) {
            write!(stdout, "{}", annotations::drift(file, out, spec, &fix))?;
        }
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
fn execute(cli: Cli, reporting: Reporting) -> anyhow::Result<ExitCode> {
    let stdout = &mut std::io::stdout().lock();
    let quiet = cli.quiet;
    match cli.command {
        Command::Render(RenderArgs {
            mut output,
            force,
            dry_run,
            view,
            color,
        }) => {
            output.out = from_cwd(&output.out);
            let watchdog = watchdog::Watchdog::arm("rendering");
            let (spec, tree, warnings) =
                render_spec_and_keep(&output.input.spec, &options(&output.input))?;
            drop(watchdog);
            print_warnings(&warnings, reporting);
            let write_options = WriteOptions {
                force,
                protected: protected_paths(&output.input, &spec),
                fault: injected_fault(),
            };
            if dry_run {
                // The render's own checks, so a dry run refuses exactly when the render would.
                let drift = write::plan(&tree, &output.out, &write_options)?;
                let view = View::of(view.stat, view.name_only, quiet);
                let style = style(color.color);
                print_drift(
                    stdout,
                    &drift,
                    &output,
                    view,
                    style,
                    false,
                    reporting.github,
                )?;
                if view != View::Quiet && view != View::Names {
                    writeln!(stdout, "dry run: nothing was written")?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            let write_stage = timings::stage("write");
            let report = write::render_into(&tree, &output.out, &write_options)?;
            drop(write_stage);
            if quiet {
                return Ok(ExitCode::SUCCESS);
            }
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
                    "mlgen: kept {}: no longer generated, but not exactly what mlgen wrote; \
                     delete it yourself if it is unused",
                    report::file_path(&output.out, kept)
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
            mut output,
            format,
            verbose,
            view,
            color,
        }) => {
            output.out = from_cwd(&output.out);
            let watchdog = watchdog::Watchdog::arm("rendering");
            let (drift, interrupted) = drift_of(&output, reporting)?;
            drop(watchdog);
            if interrupted && !quiet {
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
                    let view = View::of(view.stat, view.name_only, quiet);
                    let style = style(color.color);
                    print_drift(
                        stdout,
                        &drift,
                        &output,
                        view,
                        style,
                        verbose,
                        reporting.github,
                    )?;
                    if !drift.is_clean() && matches!(view, View::Diffs | View::Stat) {
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
        Command::Validate(ValidateArgs { input, format }) => {
            let (valid, _) = load_spec(&input.spec, &options(&input))?;
            match format {
                Format::Json => write!(
                    stdout,
                    "{}",
                    report::validation_json(&input.spec, &valid.warnings)
                )?,
                Format::Text => {
                    print_warnings(&valid.warnings, reporting);
                    if !quiet {
                        writeln!(stdout, "{}: valid", input.spec.display())?;
                    }
                }
            }
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
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "mlgen", stdout);
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
            if !quiet {
                writeln!(
                    stdout,
                    "mlgen: wrote {count} built-in templates to {}",
                    dir.display()
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Init(args) => {
            let spec = init::init(&args.dir, &args.name)?;
            if !quiet {
                writeln!(
                    stdout,
                    "mlgen: wrote {} and {}",
                    spec.display(),
                    args.dir.join(init::SCHEMA_FILE).display()
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
