//! `history`: one connector's timeline across every complete snapshot.

use std::io::Write;

use anyhow::{Context, Result};
use clap::Args;

use super::Outcome;
use crate::history::{self, Timeline};
use crate::home::Home;
use crate::store::Store;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The connector's exact name (e.g. salesforce, twilio-output)
    #[arg(value_name = "CONNECTOR")]
    pub connector: String,

    /// Also follow this operation (its exact name, e.g. find_records) through every version: when it was added,
    /// removed or changed, with the schema changes
    #[arg(long, value_name = "OP")]
    pub operation: Option<String>,

    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    pub format: HistoryFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HistoryFormat {
    Human,
    Json,
}

pub fn run_history(home: &Home, args: HistoryArgs) -> Result<Outcome> {
    let db = home.existing_db()?;
    let mut store =
        Store::open_read_only(&db).with_context(|| format!("opening {}", db.display()))?;
    let timeline = history::timeline(&mut store, &args.connector, args.operation.as_deref())?;
    let mut out = super::stdout();
    match args.format {
        HistoryFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &timeline)?;
            writeln!(out)?;
        }
        HistoryFormat::Human => render_human(&timeline, &mut out)?,
    }
    out.flush()?;
    Ok(Outcome::Success)
}

/// One line per event, date first, in snapshot order; an operation change lists its schema changes beneath it.
fn render_human(timeline: &Timeline, out: &mut dyn Write) -> std::io::Result<()> {
    for event in &timeline.events {
        writeln!(
            out,
            "{}  snapshot {:<4} {:<19} {}",
            event.date.as_deref().unwrap_or("-"),
            event.snapshot,
            event.code.as_str(),
            event.message
        )?;
        for change in &event.schema_changes {
            let pointer = if change.pointer.is_empty() {
                "/"
            } else {
                &change.pointer
            };
            writeln!(
                out,
                "      {:<8} {:<6} {:<28} {pointer}  {}",
                if change.breaking { "BREAKING" } else { "ok" },
                change.direction.as_str(),
                change.kind,
                change.message
            )?;
        }
    }
    let what = match &timeline.operation {
        Some(op) => format!("{} (operation {op})", timeline.connector),
        None => timeline.connector.clone(),
    };
    writeln!(
        out,
        "{} event{} for {what} across {} complete snapshot{}",
        timeline.events.len(),
        if timeline.events.len() == 1 { "" } else { "s" },
        timeline.snapshots,
        if timeline.snapshots == 1 { "" } else { "s" }
    )
}
