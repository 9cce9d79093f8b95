//! The `dockgrade` command: parses arguments, runs the command and maps errors to exit codes.

use clap::Parser;
use dockgrade::app;
use dockgrade::cli::Cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    app::init_logging(cli.verbose, cli.quiet);
    ExitCode::from(app::run(cli))
}
