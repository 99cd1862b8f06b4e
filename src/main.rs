//! The `trayscope` binary: parse arguments, run the command, map its outcome to an exit code.
//!
//! Exit codes: 0 = fine, 1 = a gate found something, 2 = trayscope could not do its job (clap's own usage errors
//! exit 2 as well).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::hoist_search_flags(std::env::args_os().collect());
    match cli::run(cli::Cli::parse_from(args)) {
        Ok(cli::Outcome::Success) => ExitCode::SUCCESS,
        Ok(cli::Outcome::GateFailed) => ExitCode::from(1),
        Err(error) => {
            let message = format!("{error:#}");
            eprintln!("error: {}", trayscope::report::printable_lines(&message));
            ExitCode::from(2)
        }
    }
}
