//! One-line summaries of what a writing command did (crawl, index update, nightly, prune), for people and for
//! cron logs, and the prune's JSON. Like every renderer, these only show values.

use super::WrittenNight;
use super::text::{human_bytes, id_list, plural};
use crate::crawl::CrawlSummary;
use crate::index::UpdateSummary;
use crate::store::PruneOutcome;

/// `snapshot 3 complete: 1027 connectors, 1294 connector versions, 21247 operations in 51.9s (1295 requests, 0 retries)`.
pub fn describe_crawl(summary: &CrawlSummary) -> String {
    format!(
        "snapshot {} complete: {}, {}, {} in {:.1}s ({}, {})",
        summary.snapshot,
        plural(summary.connectors, "connector"),
        plural(summary.connector_versions, "connector version"),
        plural(summary.operations, "operation"),
        summary.duration_ms as f64 / 1000.0,
        plural(summary.requests, "request"),
        plural(summary.retries, "retry").replace("retrys", "retries")
    )
}

/// `search index updated through snapshot 3: 2 new connector version states (17 documents) in 0.04s; …`.
pub fn describe_index_update(summary: &UpdateSummary) -> String {
    let verb = if summary.rebuilt {
        "rebuilt"
    } else {
        "updated"
    };
    format!(
        "search index {verb} through snapshot {}: {} ({}) in {:.2}s; {}, {:.1} MB",
        summary.snapshot,
        plural(summary.added_states, "new connector version state"),
        plural(summary.added_documents, "document"),
        summary.duration_ms as f64 / 1000.0,
        plural(summary.documents, "document"),
        summary.bytes as f64 / 1_000_000.0
    )
}

/// `snapshot 4: 1294 connector versions, 21247 operations; compared with snapshot 3: 4 breaking changes →
/// reports/….html`, plus how many earlier nights were reported too.
pub fn describe_night(crawl: &CrawlSummary, nights: &[WrittenNight]) -> String {
    let tonight = nights.iter().find(|n| n.snapshot == crawl.snapshot);
    let what = match tonight {
        Some(WrittenNight {
            from: Some(from),
            breaking_changes,
            ..
        }) => format!(
            "compared with snapshot {from}: {}",
            plural(*breaking_changes, "breaking change")
        ),
        Some(_) => "first snapshot, catalog summary".to_owned(),
        None => "no report".to_owned(),
    };
    let mut line = format!(
        "snapshot {}: {}, {}; {what}",
        crawl.snapshot,
        plural(crawl.connector_versions, "connector version"),
        plural(crawl.operations, "operation"),
    );
    if let Some(tonight) = tonight {
        line.push_str(&format!(" → {}", tonight.html_report.display()));
    }
    let earlier = nights.len() - usize::from(tonight.is_some());
    if earlier > 0 {
        line.push_str(&format!(
            " (also reported {} that had none)",
            plural(earlier as u64, "earlier snapshot")
        ));
    }
    line
}

/// `deleted 3 snapshots (1, 2, 3), keeping 4; freed 10 connector version states, 12 blobs (3.9 kB); catalog.db 118.8 kB → 106.5 kB`,
/// or `nothing to prune; keeping snapshots 4, 5`.
pub fn describe_prune(outcome: &PruneOutcome) -> String {
    let kept = id_list(&outcome.selection.keep);
    if outcome.selection.delete.is_empty() {
        return format!("nothing to prune; keeping snapshots {kept}");
    }
    let (verb, freed) = if outcome.dry_run {
        ("would delete", "would free")
    } else {
        ("deleted", "freed")
    };
    let stats = &outcome.stats;
    let size = if outcome.dry_run {
        format!("catalog.db is {}", human_bytes(outcome.db_bytes_before))
    } else {
        format!(
            "catalog.db {} → {}",
            human_bytes(outcome.db_bytes_before),
            human_bytes(outcome.db_bytes_after)
        )
    };
    format!(
        "{verb} {} ({}), keeping {kept}; {freed} {}, {} ({}); {size}",
        plural(outcome.selection.delete.len() as u64, "snapshot"),
        id_list(&outcome.selection.delete),
        plural(stats.connector_version_states, "connector version state"),
        plural(stats.blobs, "blob"),
        human_bytes(stats.blob_bytes),
    )
}

/// `prune --format json`, fields in this order: `{"dry_run", "deleted_snapshots", "kept_snapshots",
/// "connector_version_states", "blobs", "bytes_freed", "db_bytes_before", "db_bytes_after"}`.
#[derive(serde::Serialize)]
pub struct PruneJson<'a> {
    dry_run: bool,
    deleted_snapshots: &'a [i64],
    kept_snapshots: &'a [i64],
    connector_version_states: u64,
    blobs: u64,
    bytes_freed: u64,
    db_bytes_before: u64,
    db_bytes_after: u64,
}

pub fn prune_json(outcome: &PruneOutcome) -> PruneJson<'_> {
    PruneJson {
        dry_run: outcome.dry_run,
        deleted_snapshots: &outcome.selection.delete,
        kept_snapshots: &outcome.selection.keep,
        connector_version_states: outcome.stats.connector_version_states,
        blobs: outcome.stats.blobs,
        bytes_freed: outcome.stats.blob_bytes,
        db_bytes_before: outcome.db_bytes_before,
        db_bytes_after: outcome.db_bytes_after,
    }
}
