//! The `mlgen` binary: parse the command line, run, exit with its code.

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    mlgen::run(mlgen::cli::Cli::parse())
}
