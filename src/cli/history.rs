//! `history`: one connector's timeline across every complete snapshot.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::Context;
use super::args::{FormatArgs, HumanOrJson};
use super::crawl::open;
use super::output::{Outcome, emit};
use trayscope::{history, report};

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The connector's exact name (e.g. salesforce, twilio-output)
    #[arg(value_name = "CONNECTOR")]
    pub connector: String,

    /// Also follow this operation (its exact name, e.g. find_records) through every version: when it was added,
    /// removed or changed, with the schema changes
    #[arg(long, value_name = "OP")]
    pub operation: Option<String>,

    /// Deprecation policy (TOML) whose announced and sunset dates to show [default: `deprecations` in
    /// trayscope.toml, else deprecations.toml in the home, when present]
    #[arg(long, value_name = "FILE")]
    pub deprecations: Option<PathBuf>,

    #[command(flatten)]
    pub format: FormatArgs,

    /// Write the timeline to this file instead of stdout (written whole or not at all)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run_history(cx: &Context, args: HistoryArgs) -> Result<Outcome> {
    let policy = cx.policy(args.deprecations.as_deref())?;
    let mut store = open(cx)?;
    let mut timeline = history::timeline(&mut store, &args.connector, args.operation.as_deref())?;
    if let Some(policy) = &policy {
        timeline.declare(&mut store, policy, cx.today)?;
    }
    emit(args.out.as_deref(), Outcome::Success, |out| {
        match args.format.get() {
            HumanOrJson::Json => {
                serde_json::to_writer_pretty(&mut *out, &timeline)
                    .map_err(std::io::Error::other)?;
                writeln!(out)
            }
            HumanOrJson::Human => report::render_history(&timeline, out),
        }
    })
}
