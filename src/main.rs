//! The `ksp` command line: parses the arguments, runs the command, and exits with the code
//! its outcome maps to (0 ok, 1 differences or config and data errors, 2 usage, 3 rendering
//! or writing).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::messages::set_quiet(args.quiet);
    ksp::output::clean_up_on_interrupt();
    ExitCode::from(cli::report(cli::execute(args.command)))
}
