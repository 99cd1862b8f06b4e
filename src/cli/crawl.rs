//! `crawl`, `snapshots` and `export`: filling the catalog and reading it back.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Args;

use super::args::{FormatArgs, HumanOrJson, SourceArgs};
use super::output::{self, Outcome, emit};
use super::{Context, progress};
use trayscope::report;
use trayscope::store::Store;
use trayscope::{crawl, index};

#[derive(Debug, Args)]
pub struct CrawlArgs {
    #[command(flatten)]
    pub source: SourceArgs,

    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Args)]
pub struct SnapshotsArgs {
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Snapshot to export [default: the latest complete one]
    #[arg(long, value_name = "ID")]
    pub snapshot: Option<i64>,

    /// Directory to create (it must not exist, or be empty)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    #[command(flatten)]
    pub format: FormatArgs,
}

/// Crawls into a new snapshot, then brings the search index up to date. The summary line goes to stderr (cron logs
/// keep it; `-q` drops it); `--format json` prints the summary object on stdout.
pub fn run_crawl(cx: &Context, args: CrawlArgs) -> Result<Outcome> {
    let source = args.source.source(&cx.settings)?;
    let writer = cx.home.try_lock_writer()?;
    let progress = progress::for_stderr(cx.quiet);
    let crawled = crawl::crawl_blocking(
        &cx.home,
        &writer,
        &source,
        &args.source.crawl_options(&cx.settings),
        progress.as_ref(),
    )
    .with_context(|| format!("crawling {}", source.describe()))?;
    drop(writer);
    report_index_update(cx, &crawled.index);
    let summary = crawled.summary;
    output::status(cx.quiet, &report::describe_crawl(&summary));
    match args.format.get() {
        HumanOrJson::Json => emit(None, Outcome::Success, |out| json_line(out, &summary)),
        HumanOrJson::Human => Ok(Outcome::Success),
    }
}

/// How an index update after a crawl went: INFO when it worked (it is routine), a warning with the way out when it
/// did not (the snapshot is complete either way).
pub fn report_index_update(cx: &Context, result: &Result<index::UpdateSummary, index::IndexError>) {
    match result {
        Ok(summary) => tracing::info!("{}", report::describe_index_update(summary)),
        Err(error) => output::warn(
            cx.quiet,
            &format!(
                "the snapshot is complete, but updating the search index failed: {error}; run `trayscope index \
                 --rebuild`"
            ),
        ),
    }
}

pub fn run_snapshots(cx: &Context, args: SnapshotsArgs) -> Result<Outcome> {
    let store = open(cx)?;
    let snapshots = store.snapshots()?;
    let empty = format!("no snapshots yet in {}", cx.home.db_path().display());
    emit(None, Outcome::Success, |out| match args.format.get() {
        HumanOrJson::Json => report::render_snapshots_json(&snapshots, out),
        HumanOrJson::Human => report::render_snapshots_human(&snapshots, &empty, out),
    })
}

pub fn run_export(cx: &Context, args: ExportArgs) -> Result<Outcome> {
    let mut store = open(cx)?;
    let summary = trayscope::export::export(&mut store, args.snapshot, &args.out)
        .with_context(|| format!("exporting to {}", args.out.display()))?;
    emit(None, Outcome::Success, |out| match args.format.get() {
        HumanOrJson::Json => json_line(out, &summary),
        HumanOrJson::Human => writeln!(
            out,
            "exported snapshot {} ({}, {}) to {}",
            summary.snapshot,
            report::plural(summary.connector_versions, "connector version"),
            report::plural(summary.operations, "operation"),
            args.out.display()
        ),
    })
}

/// The catalog of the home, opened for reading: it must exist. Reading never takes a write lock.
pub fn open(cx: &Context) -> Result<Store> {
    let path = cx.home.existing_db()?;
    Store::open_read_only(&path).with_context(|| format!("opening {}", path.display()))
}

/// One JSON object on one line.
pub fn json_line(
    out: &mut dyn std::io::Write,
    value: &impl serde::Serialize,
) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(std::io::Error::other)?;
    writeln!(out)
}
