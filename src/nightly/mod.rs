//! The nightly job teams put in cron: crawl → index → diff against the previous complete snapshot → dated reports.
//!
//! [`run`] is the whole job, so the command layer only parses flags and shows the outcome. It holds the home's
//! writer lock for the whole run (a second run waits up to `wait`, or stops at once saying so), checks that the
//! reports directory is writable before it crawls (a night must never be crawled and then go unreported), and
//! writes no report when the crawl fails. A failed index update does not fail the night: the snapshot and its reports stand,
//! and the outcome says how to repair the index.

mod reports;

use std::path::PathBuf;
use std::time::Duration;

pub use reports::{Night, check_writable, scan, stem, write_night, write_whole};

use crate::crawl::{self, CrawlError, CrawlOptions, CrawlSummary, Progress};
use crate::diff::{self, CatalogSummary, DiffError};
use crate::findings::SeverityOverrides;
use crate::home::{Home, HomeError};
use crate::index::{self, IndexError, UpdateSummary};
use crate::source::Source;
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum NightlyError {
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "cannot write reports to {path}: {error} (nothing was crawled; fix the directory or pass --reports DIR)"
    )]
    ReportsDir {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "another trayscope run holds the lock {path} (a crawl or nightly job is still running); {}",
        if waited.is_zero() {
            "not starting a second writer. Pass --wait 10m to wait for it".to_owned()
        } else {
            format!("still held after waiting {}", crate::report::human_duration(*waited))
        }
    )]
    Locked { path: PathBuf, waited: Duration },
    #[error(transparent)]
    Home(HomeError),
    #[error(transparent)]
    Crawl(#[from] CrawlError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Diff(#[from] DiffError),
}

/// How a night runs.
pub struct NightlyOptions<'a> {
    pub source: Source,
    pub crawl: CrawlOptions,
    /// Where the reports go.
    pub reports: PathBuf,
    /// How long to wait for another run to release the writer lock (zero: fail at once).
    pub wait: Duration,
    /// `[severity]` from the configuration.
    pub severity: SeverityOverrides,
    pub progress: &'a dyn Progress,
}

/// What a night did.
#[derive(Debug)]
pub struct NightOutcome {
    pub crawl: CrawlSummary,
    /// The snapshot compared with, `None` on the first night (a catalog summary was written instead).
    pub from: Option<i64>,
    /// Breaking changes in the night's diff (0 on a first night).
    pub breaking: u64,
    /// Every file written, the dated HTML report first among them by name.
    pub reports: Vec<PathBuf>,
    /// The dated HTML report.
    pub html_report: PathBuf,
    /// The search index update after the crawl: its failure does not fail the night.
    pub index: Result<UpdateSummary, IndexError>,
}

/// Runs one night.
pub fn run(home: &Home, options: &NightlyOptions<'_>) -> Result<NightOutcome, NightlyError> {
    let writer = match home.lock_writer(options.wait) {
        Ok(writer) => writer,
        Err(HomeError::Locked { path }) => {
            return Err(NightlyError::Locked {
                path,
                waited: options.wait,
            });
        }
        Err(other) => return Err(NightlyError::Home(other)),
    };
    check_writable(&options.reports)?;
    let crawled = crawl::crawl_blocking(
        home,
        &writer,
        &options.source,
        &options.crawl,
        options.progress,
    )?;
    let index = index::update_after_crawl(home, &writer);

    let mut store = Store::open_read_only(&home.db_path())?;
    let info = store.complete_snapshot(Some(crawled.snapshot))?;
    let stem = stem(info.id, info.finished_at.as_deref());
    let (reports, from, breaking) = match store.previous_complete(info.id)? {
        Some(from) => {
            let report = diff::report_between(&mut store, from, info.id, &options.severity)?;
            let written = write_night(&options.reports, &stem, &Night::Diff(&report))?;
            (written, Some(from), report.breaking())
        }
        None => {
            let summary = CatalogSummary::of(&store.catalog(info.id)?);
            let written = write_night(&options.reports, &stem, &Night::First(&summary))?;
            (written, None, 0)
        }
    };
    drop(writer);
    Ok(NightOutcome {
        crawl: crawled,
        from,
        breaking,
        reports,
        html_report: options.reports.join(format!("{stem}.html")),
        index,
    })
}
