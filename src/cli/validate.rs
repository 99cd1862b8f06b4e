//! `validate`: check an input against an operation's stored input schema, offline.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::Args;

use super::Context;
use super::args::{FormatArgs, HumanOrJson};
use super::crawl::open;
use super::output::{self, Outcome, emit};
use trayscope::report::{plural, printable};
use trayscope::validate::{self, OperationRef, Validation};

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The connector's exact name (e.g. slack, twilio-output)
    #[arg(value_name = "CONNECTOR")]
    pub connector: String,

    /// The operation's exact name (e.g. send_message)
    #[arg(value_name = "OPERATION")]
    pub operation: String,

    /// Connector version [default: the newest in the snapshot]
    #[arg(long, value_name = "V")]
    pub version: Option<String>,

    /// The input, a JSON object; `-` or none reads stdin
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,

    /// Snapshot whose schemas to use [default: the latest complete one]
    #[arg(long, value_name = "ID")]
    pub snapshot: Option<i64>,

    #[command(flatten)]
    pub format: FormatArgs,

    /// Write the verdict to this file instead of stdout (written whole or not at all)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run_validate(cx: &Context, args: ValidateArgs) -> Result<Outcome> {
    let mut store = open(cx)?;
    let (input, name) = read_input(cx, args.input.as_deref())?;
    let target = OperationRef {
        connector: args.connector,
        version: args.version,
        operation: args.operation,
        snapshot: args.snapshot,
    };
    let verdict = validate::validate_input(&mut store, &target, &input, &name)?;
    note_relaxed(cx, &verdict);
    emit(
        args.out.as_deref(),
        Outcome::gate(!verdict.valid),
        |out| match args.format.get() {
            HumanOrJson::Json => {
                serde_json::to_writer_pretty(&mut *out, &verdict).map_err(std::io::Error::other)?;
                writeln!(out)
            }
            HumanOrJson::Human => render_human(&verdict, out),
        },
    )
}

/// `valid: slack 9.1 send_message (snapshot 2)`, or the errors, one per line.
fn render_human(verdict: &Validation, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let what = printable(&format!(
        "{} {} `{}` (snapshot {})",
        verdict.connector, verdict.version, verdict.operation, verdict.snapshot
    ))
    .into_owned();
    if verdict.valid {
        return writeln!(out, "valid input for {what}");
    }
    writeln!(
        out,
        "invalid input for {what}: {}",
        plural(verdict.errors.len() as u64, "error")
    )?;
    write_errors(verdict, out)
}

/// One line per error: the message, then where in the schema it failed.
pub fn write_errors(verdict: &Validation, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    for error in &verdict.errors {
        writeln!(
            out,
            "  {}  (schema: {})",
            printable(&error.message),
            printable(&error.schema_pointer)
        )?;
    }
    Ok(())
}

/// Says on stderr where the stored schema had to be relaxed to be used.
pub fn note_relaxed(cx: &Context, verdict: &Validation) {
    if !verdict.relaxed.is_empty() {
        output::warn(
            cx.quiet,
            &format!(
                "the stored input schema names types JSON Schema does not have at {}; any value passes there",
                printable(&verdict.relaxed.join(", "))
            ),
        );
    }
}

/// The input's bytes and the name errors give it: `--input FILE`, or stdin when it is absent or `-`.
pub fn read_input(cx: &Context, path: Option<&Path>) -> Result<(Vec<u8>, String)> {
    match path {
        Some(path) if path != Path::new("-") => {
            let bytes = std::fs::read(path)
                .with_context(|| format!("reading the input {}", path.display()))?;
            Ok((bytes, path.display().to_string()))
        }
        _ => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                output::status(
                    cx.quiet,
                    "reading the input (JSON) from the terminal; end it with Ctrl-D, or pass --input FILE",
                );
            }
            let mut bytes = Vec::new();
            stdin
                .lock()
                .read_to_end(&mut bytes)
                .context("reading the input from stdin")?;
            Ok((bytes, "stdin".to_owned()))
        }
    }
}
