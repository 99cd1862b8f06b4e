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

pub use reports::{
    Night, check_writable, refresh_index, reported_snapshots, scan, stem, write_night, write_whole,
};

use crate::crawl::{self, CrawlError, CrawlOptions, CrawlSummary, Progress};
use crate::diff::{self, CatalogSummary, DiffError, SunsetOptions};
use crate::findings::SeverityOverrides;
use crate::home::{Home, HomeError};
use crate::index::{IndexError, UpdateSummary};
pub use crate::report::WrittenNight;
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
    /// The Markdown report's budget in characters (0: no limit).
    pub max_chars: usize,
    /// The deprecation policy whose near sunsets the reports list, when one is in effect. The command loads it
    /// before calling [`run`], so that a policy that cannot be used stops the night before anything is crawled.
    pub sunsets: Option<SunsetOptions>,
    pub progress: &'a dyn Progress,
}

/// Which snapshots [`write_reports`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// Every complete snapshot newer than the newest one reported in the directory, oldest first; when the
    /// directory holds no report yet, only the latest complete snapshot. What `nightly` does.
    Pending,
    /// This complete snapshot.
    One(i64),
    /// Every complete snapshot in the store.
    All,
}

/// How reports are written: where, with which severities, the Markdown budget, and the policy's sunsets.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub dir: PathBuf,
    pub severity: SeverityOverrides,
    pub max_chars: usize,
    /// The policy in effect, if any: each diff report lists its sunsets near the report's newer snapshot, counted
    /// from `today` (the day the report is written, not the night it describes).
    pub sunsets: Option<SunsetOptions>,
}

/// Writes the reports of the snapshots `which` names, oldest first, each against the complete snapshot before it
/// (a catalog summary when there is none), then rebuilds `index.html` from what is on disk. This is the one way
/// reports are made: `nightly` and `report` both call it. A failure stops at that snapshot; the ones before it
/// stay written, and the next run picks up from there.
pub fn write_reports(
    store: &mut Store,
    options: &ReportOptions,
    which: Which,
) -> Result<Vec<WrittenNight>, NightlyError> {
    let complete = store.complete_snapshot_ids()?;
    let ids: Vec<i64> = match which {
        Which::One(id) => vec![store.complete_snapshot(Some(id))?.id],
        Which::All => complete,
        Which::Pending => match reported_snapshots(&options.dir).last() {
            Some(&newest) => complete.into_iter().filter(|&id| id > newest).collect(),
            None => complete.last().copied().into_iter().collect(),
        },
    };
    let mut written = Vec::with_capacity(ids.len());
    for id in ids {
        written.push(write_one(store, options, id)?);
    }
    refresh_index(&options.dir)?;
    Ok(written)
}

fn write_one(
    store: &mut Store,
    options: &ReportOptions,
    id: i64,
) -> Result<WrittenNight, NightlyError> {
    let info = store.complete_snapshot(Some(id))?;
    let stem = stem(info.id, info.finished_at.as_deref());
    let (files, from, breaking, breaking_changes) = match store.previous_complete(info.id)? {
        Some(from) => {
            let report = diff::report_between(
                store,
                from,
                info.id,
                &options.severity,
                options.sunsets.as_ref(),
            )?;
            let files = write_night(
                &options.dir,
                &stem,
                info.id,
                &Night::Diff(&report),
                options.max_chars,
            )?;
            (
                files,
                Some(from),
                report.breaking(),
                report.breaking_changes(),
            )
        }
        None => {
            let summary = CatalogSummary::of(&store.catalog(info.id)?);
            let files = write_night(
                &options.dir,
                &stem,
                info.id,
                &Night::First(&summary),
                options.max_chars,
            )?;
            (files, None, 0, 0)
        }
    };
    Ok(WrittenNight {
        snapshot: info.id,
        from,
        breaking,
        breaking_changes,
        files,
        html_report: options.dir.join(format!("{stem}.html")),
    })
}

/// What a night did.
#[derive(Debug)]
pub struct NightOutcome {
    pub crawl: CrawlSummary,
    /// The reports written, oldest first: the night's own snapshot last, after any earlier night whose reports
    /// had not been written (a run that failed after its crawl).
    pub nights: Vec<WrittenNight>,
    /// The search index update after the crawl: its failure does not fail the night.
    pub index: Result<UpdateSummary, IndexError>,
}

impl NightOutcome {
    /// The reports of the snapshot this night crawled.
    pub fn tonight(&self) -> Option<&WrittenNight> {
        self.nights
            .iter()
            .find(|night| night.snapshot == self.crawl.snapshot)
    }
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
    let mut store = Store::open_read_only(&home.db_path())?;
    let nights = write_reports(
        &mut store,
        &ReportOptions {
            dir: options.reports.clone(),
            severity: options.severity.clone(),
            max_chars: options.max_chars,
            sunsets: options.sunsets.clone(),
        },
        Which::Pending,
    )?;
    drop(writer);
    Ok(NightOutcome {
        crawl: crawled.summary,
        nights,
        index: crawled.index,
    })
}
