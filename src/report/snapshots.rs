//! `trayscope snapshots`: every snapshot and its status, as a table or a JSON array.

use std::io::{self, Write};

use super::text::printable;
use crate::store::SnapshotInfo;

/// A table, oldest first, a failed snapshot's error on the line below it. `empty` is said when there is none.
pub fn render_snapshots_human(
    snapshots: &[SnapshotInfo],
    empty: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    if snapshots.is_empty() {
        return writeln!(out, "{empty}");
    }
    writeln!(
        out,
        "{:>4}  {:<8}  {:<24}  {:<24}  {:>8}  {:>10}  source",
        "id", "status", "started", "finished", "versions", "operations"
    )?;
    for s in snapshots {
        writeln!(
            out,
            "{:>4}  {:<8}  {:<24}  {:<24}  {:>8}  {:>10}  {}",
            s.id,
            s.status.as_str(),
            s.started_at,
            s.finished_at.as_deref().unwrap_or("-"),
            s.connector_versions.map_or("-".into(), |n| n.to_string()),
            s.operations.map_or("-".into(), |n| n.to_string()),
            printable(&s.source)
        )?;
        if let Some(error) = &s.error {
            writeln!(out, "      error: {}", printable(error))?;
        }
    }
    Ok(())
}

/// `[{"id", "status", "started_at", "finished_at", "connector_versions", "operations", "source", "error"}]`.
pub fn render_snapshots_json(snapshots: &[SnapshotInfo], out: &mut dyn Write) -> io::Result<()> {
    #[derive(serde::Serialize)]
    struct Row<'a> {
        id: i64,
        status: crate::store::Status,
        started_at: &'a str,
        finished_at: &'a Option<String>,
        connector_versions: Option<i64>,
        operations: Option<i64>,
        source: &'a str,
        error: &'a Option<String>,
    }
    let rows: Vec<Row<'_>> = snapshots
        .iter()
        .map(|s| Row {
            id: s.id,
            status: s.status,
            started_at: &s.started_at,
            finished_at: &s.finished_at,
            connector_versions: s.connector_versions,
            operations: s.operations,
            source: &s.source,
            error: &s.error,
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &rows).map_err(io::Error::other)?;
    writeln!(out)
}
