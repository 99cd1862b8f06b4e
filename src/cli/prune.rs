//! `prune`: drop old snapshots and whatever only they used, give the space back, and keep the search index in step.

use std::io::Write;

use anyhow::{Context, Result};
use chrono::{TimeDelta, Utc};
use clap::{ArgGroup, Args};

use super::{Outcome, open_existing};
use crate::home::Home;
use crate::index;
use crate::store::{PruneStats, Retention};

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("rule").required(true).multiple(true).args(["keep", "older_than"])))]
pub struct PruneArgs {
    /// Keep the N newest complete snapshots and delete older ones
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep: Option<u32>,

    /// Delete snapshots that started longer ago than this: a whole number and h, d or w (12h, 90d, 2w)
    #[arg(long, value_name = "DURATION", value_parser = parse_age)]
    pub older_than: Option<TimeDelta>,

    /// Say what would be deleted and freed, and change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Print one JSON object on stdout
    #[arg(long)]
    pub json: bool,
}

/// `--older-than`: a duration in hours, days or weeks (minutes and seconds are refused: `3m` reads too easily as
/// months for a retention rule), at least one.
pub fn parse_age(text: &str) -> std::result::Result<TimeDelta, String> {
    let refuse = |why: &str| {
        format!(
            "{text:?} is not an age{why}: expected a whole number followed by h (hours), d (days) or w (weeks), \
             such as 12h, 90d or 2w"
        )
    };
    if !text.ends_with(['h', 'd', 'w']) {
        return Err(refuse(""));
    }
    let duration = crate::config::parse_duration(text).map_err(|e| {
        if e.ends_with("too long") {
            refuse(" (too large)")
        } else {
            refuse("")
        }
    })?;
    if duration.is_zero() {
        return Err(refuse(" (it must be at least 1)"));
    }
    TimeDelta::from_std(duration).map_err(|_| refuse(" (too large)"))
}

/// `prune --json`, fields in this order.
#[derive(serde::Serialize)]
struct JsonSummary<'a> {
    dry_run: bool,
    deleted_snapshots: &'a [i64],
    kept_snapshots: &'a [i64],
    connector_version_states: u64,
    blobs: u64,
    bytes_freed: u64,
    db_bytes_before: u64,
    db_bytes_after: u64,
}

pub fn run_prune(home: &Home, args: PruneArgs) -> Result<Outcome> {
    let db = home.existing_db()?;
    let _lock = home.try_lock_writer()?;
    let mut store = open_existing(home)?;
    let started_before = match args.older_than {
        Some(age) => Some(
            Utc::now()
                .checked_sub_signed(age)
                .context("--older-than reaches back before any representable time")?,
        ),
        None => None,
    };
    let rule = Retention {
        keep: args.keep.map(|n| n as usize),
        started_before,
    };
    let selection = store
        .select_for_prune(&rule)
        .context("choosing the snapshots to prune")?;
    let db_bytes_before = store.disk_bytes();
    let stats = if selection.delete.is_empty() {
        PruneStats::default()
    } else {
        store
            .prune(&selection.delete, args.dry_run)
            .with_context(|| format!("pruning {}", db.display()))?
    };
    if !args.dry_run && !selection.delete.is_empty() {
        update_index(home, &mut store, &stats);
        if let Err(error) = store.vacuum() {
            eprintln!(
                "warning: the snapshots were deleted, but giving the space back (VACUUM) failed: {error}; later \
                 crawls reuse the free space, and the next prune tries again"
            );
        }
    }
    let db_bytes_after = if args.dry_run {
        db_bytes_before
    } else {
        store.disk_bytes()
    };

    let mut out = super::stdout();
    if args.json {
        let summary = JsonSummary {
            dry_run: args.dry_run,
            deleted_snapshots: &selection.delete,
            kept_snapshots: &selection.keep,
            connector_version_states: stats.connector_version_states,
            blobs: stats.blobs,
            bytes_freed: stats.blob_bytes,
            db_bytes_before,
            db_bytes_after,
        };
        serde_json::to_writer(&mut out, &summary)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(Outcome::Success);
    }
    let kept = list(&selection.keep);
    if selection.delete.is_empty() {
        writeln!(out, "nothing to prune; keeping snapshots {kept}")?;
        out.flush()?;
        return Ok(Outcome::Success);
    }
    let (verb, freed) = if args.dry_run {
        ("would delete", "would free")
    } else {
        ("deleted", "freed")
    };
    write!(
        out,
        "{verb} {} ({}), keeping {kept}; {freed} {} connector version state{}, {} blob{} ({})",
        plural(selection.delete.len() as u64, "snapshot"),
        list(&selection.delete),
        stats.connector_version_states,
        if stats.connector_version_states == 1 {
            ""
        } else {
            "s"
        },
        stats.blobs,
        if stats.blobs == 1 { "" } else { "s" },
        human_bytes(stats.blob_bytes)
    )?;
    if args.dry_run {
        writeln!(out, "; catalog.db is {}", human_bytes(db_bytes_before))?;
    } else {
        writeln!(
            out,
            "; catalog.db {} → {}",
            human_bytes(db_bytes_before),
            human_bytes(db_bytes_after)
        )?;
    }
    out.flush()?;
    Ok(Outcome::Success)
}

/// Drops the removed states' documents from the search index. The prune has already happened, so a failure here
/// does not fail the command, but a stale index must not survive it (a deleted state's id can be given out again):
/// it is removed, and the next search or crawl builds a new one.
fn update_index(home: &Home, store: &mut crate::store::Store, stats: &PruneStats) {
    let dir = home.index_dir();
    match index::forget_states(&dir, store, &stats.removed_states) {
        Ok(summary) => tracing::info!(
            "search index: {} documents of pruned connector version states removed{}; {} documents, {} ms",
            summary.removed_documents,
            if summary.rebuilt { " (rebuilt)" } else { "" },
            summary.documents,
            summary.duration_ms
        ),
        Err(error) => match std::fs::remove_dir_all(&dir) {
            Ok(()) => eprintln!(
                "warning: the snapshots were deleted, but updating the search index failed: {error}; the index \
                 was removed, and the next search or crawl rebuilds it"
            ),
            Err(remove) => eprintln!(
                "warning: the snapshots were deleted, but updating the search index failed: {error}, and removing \
                 {} failed too: {remove}; run `trayscope index --rebuild` before the next crawl",
                dir.display()
            ),
        },
    }
}

fn list(ids: &[i64]) -> String {
    if ids.is_empty() {
        return "none".into();
    }
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn human_bytes(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{:.1} kB", bytes as f64 / 1_000.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_000_000.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_a_whole_number_and_a_unit() {
        assert_eq!(parse_age("12h"), Ok(TimeDelta::hours(12)));
        assert_eq!(parse_age("90d"), Ok(TimeDelta::days(90)));
        assert_eq!(parse_age("2w"), Ok(TimeDelta::weeks(2)));
        assert_eq!(parse_age("1d"), Ok(TimeDelta::hours(24)));
    }

    #[test]
    fn anything_else_is_refused_with_the_expected_form() {
        for bad in [
            "", "d", "90", "90D", "90 d", " 90d", "-1d", "+1d", "1.5d", "90days", "3m", "1y", "0d",
            "9d9", "٩d",
        ] {
            let err = parse_age(bad).unwrap_err();
            assert!(
                err.contains("whole number") && err.contains("90d"),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn an_age_too_large_to_represent_is_an_error_not_a_panic() {
        for huge in [
            "99999999999999999999d",
            "9223372036854775807w",
            "9999999999999h",
        ] {
            let err = parse_age(huge).unwrap_err();
            assert!(err.contains("too large"), "{huge:?}: {err}");
        }
    }
}
