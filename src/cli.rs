//! The command line (clap derive). Every `///` here is help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "Exit codes:
  0  success (for check: everything in sync)
  1  check found drift between the spec and the files on disk
  2  error: invalid spec, template error, I/O error or bad usage

In GitHub Actions (GITHUB_ACTIONS=true), spec problems and drift are also printed as
::error workflow commands, which GitHub shows as annotations on the files.";

/// Generate Azure Machine Learning infrastructure (Terraform and Bicep) from one YAML spec.
#[derive(Debug, Parser)]
#[command(name = "mlgen", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Print nothing on success: no summary, no "valid", no diff (`check -q` answers with its
    /// exit code only, like `git diff --quiet`). Errors are still printed.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// `--color`, on the commands that colour something.
#[derive(Debug, Args)]
pub struct ColorArgs {
    /// Colour diffs: auto (only on a terminal, and not when `NO_COLOR` is set; `CLICOLOR_FORCE`
    /// colours a pipe too), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// How much of the drift to show: `--stat` or `--name-only` (default: a diff per file).
#[derive(Debug, Args)]
pub struct ViewArgs {
    /// Per file its state, path and `+N -M` changed lines (like `git diff --stat`), then the
    /// summary; no diffs.
    #[arg(long, conflicts_with_all = ["name_only", "quiet"])]
    pub stat: bool,
    /// Only the paths of the files that differ, one per line.
    #[arg(long, conflicts_with = "quiet")]
    pub name_only: bool,
}

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[allow(missing_docs)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `--format` values of `check` and `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[allow(missing_docs)]
pub enum Format {
    Text,
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the spec, render it and write the files that change (never a file edited by
    /// hand since mlgen wrote it, unless --force).
    Render(RenderArgs),
    /// Render in memory and compare with the files on disk: in sync, modified, missing or
    /// orphaned, with a diff for each difference (exit 1 on drift). Never writes.
    Check(CheckArgs),
    /// Report every problem in the spec as <FILE:LINE:COL>: message.
    Validate(ValidateArgs),
    /// Print the JSON Schema of the spec.
    Schema,
    /// Write a starter mlgen.yaml (and the schema it references) into DIR.
    Init(InitArgs),
    /// Inspect and export templates.
    #[command(subcommand)]
    Templates(TemplatesCommand),
    /// Print a shell completion script, e.g. `mlgen completions bash > ~/.local/share/bash-completion/completions/mlgen`.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the architecture diagram of the spec (the one in the generated README.md): every
    /// resource by module folder, and how the modules are wired.
    Graph(GraphArgs),
}

/// `graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
    /// mermaid: a Mermaid flowchart (exactly the README's diagram); dot: Graphviz.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
}

/// `--format` values of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[allow(missing_docs)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

/// `mlgen templates …`.
#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Show every output file the spec renders and the template (and layer) it comes from.
    List(InputArgs),
    /// Write the built-in templates into DIR, as a starting point for a team folder.
    Export {
        /// Folder to write into (created if missing); existing different files are never
        /// overwritten.
        dir: PathBuf,
    },
}

/// Which spec, and how to render it.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// The spec file.
    #[arg(default_value = "mlgen.yaml")]
    pub spec: PathBuf,
    /// Only this target, which the spec must list.
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
    /// A team template folder layered over the built-in templates.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

/// The spec and the output directory.
#[derive(Debug, Args)]
pub struct OutputArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
    /// The output directory the layout folders are relative to.
    #[arg(short = 'o', long = "out", default_value = ".", value_name = "DIR")]
    pub out: PathBuf,
}

/// `render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub output: OutputArgs,
    /// Overwrite (or remove) generated files even where they were edited by hand.
    #[arg(long)]
    pub force: bool,
    /// Show what would change, as `check` does, and write nothing; exits 2, as the render
    /// would, when the render would refuse.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub view: DryRunViewArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub color: ColorArgs,
}

/// `--stat` and `--name-only` of `render`, which only a dry run prints.
#[derive(Debug, Args)]
pub struct DryRunViewArgs {
    /// With --dry-run: per file its state, path and `+N -M` changed lines, then the summary.
    #[arg(long, requires = "dry_run", conflicts_with_all = ["name_only", "quiet"])]
    pub stat: bool,
    /// With --dry-run: only the paths of the files that would change, one per line.
    #[arg(long, requires = "dry_run", conflicts_with = "quiet")]
    pub name_only: bool,
}

/// `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub output: OutputArgs,
    /// Report format: text (diffs) or json (for CI; errors are JSON too). In JSON, `path` is
    /// relative to the output directory and `file` to the current directory. json cannot be
    /// combined with --stat, --name-only or --quiet.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also list the files that are in sync.
    #[arg(short, long, conflicts_with = "quiet")]
    pub verbose: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub view: ViewArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub color: ColorArgs,
}

/// `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
    /// Report format: text or json (`{spec, valid, diagnostics: [{file, line, column, pointer,
    /// message, help}]}`, also for an invalid spec; other errors as `{error}`). json cannot be
    /// combined with --quiet.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to write mlgen.yaml into.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Project name for the starter spec.
    #[arg(long, default_value = "myproject")]
    pub name: String,
}

/// `--target` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[allow(missing_docs)]
pub enum TargetArg {
    Terraform,
    Bicep,
}
