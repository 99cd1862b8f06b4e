//! `nightly`: the job teams put in cron. Crawl → index → diff against the previous complete snapshot → reports.
//!
//! The whole run holds the home's writer lock, so two overlapping runs never write at once; the second waits up to
//! `--wait` and otherwise stops at once, saying so. A failed crawl writes no report.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use super::crawl::{CrawlArgs, concurrency, crawl_and_index, source_from_args};
use super::diff::{diff_report, snapshot_pair};
use super::{Outcome, open_existing};
use crate::config::Settings;
use crate::home::{Home, HomeError};
use crate::nightly::{self, CatalogSummary, Night};

#[derive(Debug, Args)]
pub struct NightlyArgs {
    #[command(flatten)]
    pub crawl: CrawlArgs,

    /// Directory for the reports [default: reports; or `reports_dir`, TRAYSCOPE_REPORTS]
    #[arg(long, value_name = "DIR")]
    pub reports: Option<PathBuf>,

    /// How long to wait for another run to release the lock (e.g. 30s, 10m); 0 = fail at once
    #[arg(long, default_value = "0", value_name = "DURATION", value_parser = crate::config::parse_duration)]
    pub wait: std::time::Duration,

    /// Exit 1 when the night has breaking changes (the reports are written first)
    #[arg(long)]
    pub fail_on_breaking: bool,
}

pub fn run_nightly(home: &Home, settings: &Settings, args: NightlyArgs) -> Result<Outcome> {
    let reports = args
        .reports
        .clone()
        .or_else(|| settings.reports_dir.clone())
        .unwrap_or_else(|| PathBuf::from("reports"));
    let source = source_from_args(&args.crawl, settings)?;
    let writer = match home.lock_writer(args.wait) {
        Err(HomeError::Locked { path }) => anyhow::bail!(
            "another trayscope run holds the lock {} (waited {:?}); not starting a second writer. Pass --wait to wait \
             for it",
            path.display(),
            args.wait
        ),
        other => other?,
    };
    let crawled = crawl_and_index(home, &writer, &source, concurrency(&args.crawl, settings))?;

    let mut store = open_existing(home)?;
    let info = store.complete_snapshot(Some(crawled.snapshot))?;
    let stem = nightly::stem(info.id, info.finished_at.as_deref());
    let (written, from, breaking) = match snapshot_pair(&store, None, Some(info.id))? {
        Some((from, to)) => {
            let report = diff_report(&mut store, settings, from, to)?;
            let written = nightly::write_night(&reports, &stem, &Night::Diff(&report))?;
            (written, Some(from), report.breaking())
        }
        None => {
            let summary = CatalogSummary::of(&store.catalog(info.id)?);
            let written = nightly::write_night(&reports, &stem, &Night::First(&summary))?;
            (written, None, 0)
        }
    };
    drop(writer);

    let mut out = super::stdout();
    if args.crawl.json {
        let files: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        serde_json::to_writer(
            &mut out,
            &serde_json::json!({
                "snapshot": info.id,
                "from": from,
                "breaking": breaking,
                "crawl": crawled,
                "reports": files,
            }),
        )?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "snapshot {}: {} connector versions, {} operations; {} → {}",
            info.id,
            crawled.connector_versions,
            crawled.operations,
            match from {
                Some(from) => format!("compared with snapshot {from}, {breaking} breaking"),
                None => "first snapshot, catalog summary".to_owned(),
            },
            reports.join(format!("{stem}.html")).display()
        )
        .context("writing the summary")?;
    }
    out.flush()?;
    Ok(if args.fail_on_breaking && breaking > 0 {
        Outcome::GateFailed
    } else {
        Outcome::Success
    })
}
