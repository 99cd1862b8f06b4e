//! `diff` (two snapshots) and `schema-diff` (two schema files).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;

use super::{Outcome, open_existing, write_atomically};
use crate::config::Settings;
use crate::diff::{self, Direction};
use crate::home::Home;
use crate::report::{self, Format};
use crate::store::Store;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Older snapshot (default: the complete snapshot before --to)
    #[arg(long, value_name = "ID")]
    pub from: Option<i64>,

    /// Newer snapshot (default: the latest complete snapshot)
    #[arg(long, value_name = "ID")]
    pub to: Option<i64>,

    /// Output format
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: Format,

    /// Write the report to this file instead of stdout (written whole or not at all)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run_diff(home: &Home, settings: &Settings, args: DiffArgs) -> Result<Outcome> {
    let mut store = open_existing(home)?;
    let Some((from, to)) = snapshot_pair(&store, args.from, args.to)? else {
        bail!(
            "diff needs two complete snapshots and there is only one (or none); crawl again tomorrow, or pass --from \
             and --to"
        )
    };
    let report = diff_report(&mut store, settings, from, to)?;
    match &args.out {
        Some(path) => write_atomically(path, |w| report::render(&report, args.format, w))
            .with_context(|| format!("writing {}", path.display()))?,
        None => {
            let mut out = super::stdout();
            report::render(&report, args.format, &mut out)?;
            out.flush()?;
        }
    }
    Ok(Outcome::Success)
}

/// The snapshots to compare: `--to` or the latest complete one, `--from` or the complete one before it. `None`
/// when there is no older complete snapshot to compare with.
pub fn snapshot_pair(
    store: &Store,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<Option<(i64, i64)>> {
    let complete = store.complete_snapshot_ids()?;
    let to = match to {
        Some(id) => store.complete_snapshot(Some(id))?.id,
        None => match complete.last() {
            Some(&id) => id,
            None => return Ok(None),
        },
    };
    let from = match from {
        Some(id) => store.complete_snapshot(Some(id))?.id,
        None => match complete.iter().rev().find(|&&id| id < to) {
            Some(&id) => id,
            None => return Ok(None),
        },
    };
    Ok(Some((from, to)))
}

/// The diff of two snapshots, with the configured severities.
pub fn diff_report(
    store: &mut Store,
    settings: &Settings,
    from: i64,
    to: i64,
) -> Result<diff::Report> {
    let mut report = diff::diff_snapshots(store, from, to)
        .with_context(|| format!("diffing snapshot {from} → {to}"))?;
    report.override_severities(&settings.diff_severity);
    Ok(report)
}

#[derive(Debug, Args)]
pub struct SchemaDiffArgs {
    /// The old schema (a JSON file)
    pub old: PathBuf,

    /// The new schema (a JSON file)
    pub new: PathBuf,

    /// Which way data flows: input (what a workflow sends) or output (what it reads)
    #[arg(long, value_enum)]
    pub direction: DirectionArg,

    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    pub format: SchemaDiffFormat,

    /// Exit 1 when a change is breaking
    #[arg(long)]
    pub fail_on_breaking: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DirectionArg {
    Input,
    Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaDiffFormat {
    Human,
    Json,
}

fn read_schema(path: &Path) -> Result<serde_json::Value> {
    crate::source::read_json_file(path, crate::files::MAX_SCHEMA_FILE_BYTES)
        .map_err(|e| anyhow::anyhow!("{e}"))
}

pub fn run_schema_diff(args: SchemaDiffArgs) -> Result<Outcome> {
    let old = read_schema(&args.old)?;
    let new = read_schema(&args.new)?;
    let direction = match args.direction {
        DirectionArg::Input => Direction::Input,
        DirectionArg::Output => Direction::Output,
    };
    let changes = diff::diff_schemas(&old, &new, direction);
    let breaking = diff::schema::is_breaking(&changes);
    let mut out = super::stdout();
    match args.format {
        SchemaDiffFormat::Json => {
            let changes: Vec<serde_json::Value> = changes
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "pointer": c.pointer, "kind": c.kind, "breaking": c.breaking, "message": c.message,
                        "old": c.old, "new": c.new,
                    })
                })
                .collect();
            let body = serde_json::json!({
                "direction": direction.as_str(),
                "breaking": breaking,
                "changes": changes,
            });
            serde_json::to_writer_pretty(&mut out, &body)?;
            writeln!(out)?;
        }
        SchemaDiffFormat::Human => {
            if changes.is_empty() {
                writeln!(out, "no changes ({} schema)", direction.as_str())?;
            }
            for c in &changes {
                let pointer = if c.pointer.is_empty() {
                    "/"
                } else {
                    &c.pointer
                };
                writeln!(
                    out,
                    "{:<12} {:<28} {pointer}  {}",
                    if c.breaking { "BREAKING" } else { "ok" },
                    c.kind,
                    c.message
                )?;
            }
            if !changes.is_empty() {
                writeln!(
                    out,
                    "\n{} change(s) to the {} schema; {}",
                    changes.len(),
                    direction.as_str(),
                    if breaking { "breaking" } else { "not breaking" }
                )?;
            }
        }
    }
    out.flush()?;
    Ok(if breaking && args.fail_on_breaking {
        Outcome::GateFailed
    } else {
        Outcome::Success
    })
}
