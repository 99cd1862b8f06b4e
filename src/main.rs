//! The `trayscope` binary: parse arguments, run the command, map its outcome to an exit code.
//!
//! Exit codes: 0 = fine, 1 = a gate found something, 2 = trayscope could not do its job.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = trayscope::cli::Cli::parse();
    match trayscope::cli::run(cli) {
        Ok(trayscope::cli::Outcome::Success) => ExitCode::SUCCESS,
        Ok(trayscope::cli::Outcome::GateFailed) => ExitCode::from(1),
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// `trayscope … | head` closing the pipe early is not an error.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
