//! `call`: run one operation through Tray's Call Connector endpoint (billable), after checking the input offline.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::Context;
use super::args::{ConnectionArgs, FormatArgs, HumanOrJson};
use super::crawl::open;
use super::output::{self, Outcome, emit};
use super::validate::{note_relaxed, read_input, write_errors};
use trayscope::call::{self, Answer, CallError, CallReport, CallRequest, Drift};
use trayscope::report::{plural, printable, printable_lines};
use trayscope::validate::{self, OperationRef};

#[derive(Debug, Args)]
#[command(
    mut_arg("max_attempts", |a| a.help(
        "Attempts per call; only a 429 or a connection that could not be opened is tried again (a call that may \
         have run never is)"
    )),
    mut_arg("timeout", |a| a.help(
        "Seconds to wait for the answer; a call still unanswered then may have run, and is not repeated"
    ))
)]
pub struct CallArgs {
    /// The connector's exact name (e.g. slack)
    #[arg(value_name = "CONNECTOR")]
    pub connector: String,

    /// The operation's exact name (e.g. send_message)
    #[arg(value_name = "OPERATION")]
    pub operation: String,

    /// The authentication to call with: its id in Tray (a UUID)
    #[arg(long, value_name = "ID", value_parser = non_empty)]
    pub auth_id: String,

    /// Connector version [default: the newest in the latest snapshot]
    #[arg(long, value_name = "V")]
    pub version: Option<String>,

    /// The input, a JSON object; `-` or none reads stdin
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,

    /// Ask Tray to send the operation's output schema with the output (returnOutputSchema)
    #[arg(long)]
    pub return_output_schema: bool,

    /// Send the input without checking it against the stored input schema (for a schema known to be stale)
    #[arg(long)]
    pub no_validate: bool,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub format: FormatArgs,
}

fn non_empty(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        Err("the auth id is empty".to_owned())
    } else {
        Ok(text.to_owned())
    }
}

pub fn run_call(cx: &Context, args: CallArgs) -> Result<Outcome> {
    let client = args.connection.client(&cx.settings, "")?;
    // Without validation the catalog only helps (newest version, drift check); with it, it is required.
    let mut store = if args.no_validate {
        open(cx).ok()
    } else {
        Some(open(cx)?)
    };
    let (bytes, name) = read_input(cx, args.input.as_deref())?;
    let request = CallRequest {
        target: OperationRef {
            connector: args.connector,
            version: args.version,
            operation: args.operation,
            snapshot: None,
        },
        auth_id: args.auth_id,
        input: validate::parse_input(&bytes, &name)?,
        return_output_schema: args.return_output_schema,
        validate: !args.no_validate,
    };
    let answer = match call::call_blocking(store.as_mut(), &client, &request) {
        Ok(CallReport::Answered(answer)) => answer,
        Ok(CallReport::Invalid(verdict)) => {
            note_relaxed(cx, &verdict);
            let mut text = format!(
                "the input does not fit {} {} `{}` (snapshot {}); nothing was sent: {}\n",
                verdict.connector,
                verdict.version,
                verdict.operation,
                verdict.snapshot,
                plural(verdict.errors.len() as u64, "error")
            );
            let mut lines = Vec::new();
            write_errors(&verdict, &mut lines)?;
            text.push_str(&String::from_utf8_lossy(&lines));
            eprintln!("error: {}", printable_lines(text.trim_end()));
            return Ok(Outcome::GateFailed);
        }
        // Tray looked at the request and refused it: like invalid input, the call did not run.
        Err(CallError::Http(error)) if error.is_rejection() => {
            eprintln!("error: {}", printable_lines(&error.to_string()));
            return Ok(Outcome::GateFailed);
        }
        Err(error) => return Err(error.into()),
    };
    report_drift(cx, &answer);
    if !answer.success {
        eprintln!(
            "error: {} {} `{}` ran and failed (outcome \"error\"): {}",
            printable(&answer.connector),
            printable(&answer.version),
            printable(&answer.operation),
            printable_lines(&answer.error_message())
        );
    }
    let shown = match args.format.get() {
        HumanOrJson::Json => Some(&answer.response),
        HumanOrJson::Human if answer.success => Some(&answer.response["output"]),
        HumanOrJson::Human => None,
    };
    let pretty = std::io::stdout().is_terminal();
    emit(None, Outcome::gate(!answer.success), |out| match shown {
        Some(value) => write_json(out, value, pretty),
        None => Ok(()),
    })
}

/// Pretty on a terminal, one line otherwise.
fn write_json(out: &mut dyn Write, value: &serde_json::Value, pretty: bool) -> std::io::Result<()> {
    if pretty {
        serde_json::to_writer_pretty(&mut *out, value)?;
    } else {
        serde_json::to_writer(&mut *out, value)?;
    }
    writeln!(out)
}

/// A warning when the output does not fit the stored output schema.
fn report_drift(cx: &Context, answer: &Answer) {
    match &answer.drift {
        Drift::Mismatches { first, total } => {
            let shown: Vec<&str> = first.iter().map(|e| e.message.as_str()).collect();
            let more = total.saturating_sub(first.len());
            output::warn(
                cx.quiet,
                &printable_lines(&format!(
                    "the output does not fit the stored output schema of {} {} `{}` (snapshot {}): {}{}; the \
                     catalog and the live API disagree, and the next crawl will usually show the change",
                    answer.connector,
                    answer.version,
                    answer.operation,
                    answer.snapshot.unwrap_or_default(),
                    shown.join("; "),
                    if more > 0 {
                        format!(" (and {more} more)")
                    } else {
                        String::new()
                    }
                )),
            );
        }
        Drift::NotChecked(why) if answer.success => {
            tracing::info!("the output was not checked against the catalog: {why}")
        }
        _ => {}
    }
}
