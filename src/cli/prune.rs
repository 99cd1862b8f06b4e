//! `prune`: drop old snapshots and whatever only they used, give the space back, and keep the search index in step.
//! The policy is [`trayscope::store::Store::prune_by`] and [`trayscope::index::after_prune`].

use anyhow::{Context as _, Result};
use chrono::{TimeDelta, Utc};
use clap::{ArgGroup, Args};

use super::Context;
use super::args::{FormatArgs, HumanOrJson};
use super::crawl::json_line;
use super::output::{self, Outcome, emit};
use trayscope::index::{self, AfterPrune};
use trayscope::report;
use trayscope::store::{Retention, Store};

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("rule").required(true).multiple(true).args(["keep", "older_than"])))]
pub struct PruneArgs {
    /// Keep the N newest complete snapshots and delete older ones
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep: Option<u32>,

    /// Delete snapshots that started longer ago than this: a whole number and h, d or w (12h, 90d, 2w)
    #[arg(long, value_name = "DURATION", value_parser = trayscope::config::parse_age)]
    pub older_than: Option<TimeDelta>,

    /// Say what would be deleted and freed, and change nothing
    #[arg(long)]
    pub dry_run: bool,

    #[command(flatten)]
    pub format: FormatArgs,
}

pub fn run_prune(cx: &Context, args: PruneArgs) -> Result<Outcome> {
    let db = cx.home.existing_db()?;
    let _lock = cx.home.try_lock_writer()?;
    let mut store = Store::open(&db).with_context(|| format!("opening {}", db.display()))?;
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
    let outcome = store
        .prune_by(&rule, args.dry_run)
        .with_context(|| format!("pruning {}", db.display()))?;
    if outcome.deleted_anything() {
        let dir = cx.home.index_dir();
        match index::after_prune(&dir, &mut store, &outcome.stats.removed_states) {
            AfterPrune::Updated(summary) => tracing::info!(
                "search index: {} of pruned connector version states removed{}; {}, {} ms",
                report::plural(summary.removed_documents, "document"),
                if summary.rebuilt { " (rebuilt)" } else { "" },
                report::plural(summary.documents, "document"),
                summary.duration_ms
            ),
            AfterPrune::Removed { error } => output::warn(
                cx.quiet,
                &format!(
                    "the snapshots were deleted, but updating the search index failed: {error}; the index was \
                     removed, and the next search or crawl rebuilds it"
                ),
            ),
            AfterPrune::Stuck {
                error,
                remove_error,
            } => output::warn(
                cx.quiet,
                &format!(
                    "the snapshots were deleted, but updating the search index failed: {error}, and removing {} \
                     failed too: {remove_error}; run `trayscope index --rebuild` before the next crawl",
                    dir.display()
                ),
            ),
        }
    }
    if let Some(error) = &outcome.vacuum_error {
        output::warn(
            cx.quiet,
            &format!(
                "the snapshots were deleted, but giving the space back (VACUUM) failed: {error}; later crawls \
                 reuse the free space, and the next prune tries again"
            ),
        );
    }
    emit(None, Outcome::Success, |out| match args.format.get() {
        HumanOrJson::Json => json_line(out, &report::prune_json(&outcome)),
        HumanOrJson::Human => writeln!(out, "{}", report::describe_prune(&outcome)),
    })
}
