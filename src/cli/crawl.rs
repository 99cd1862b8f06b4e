//! `crawl`, `snapshots` and `export`: filling the catalog and reading it back.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;

use super::{Outcome, open_existing, runtime};
use crate::api::{self, ApiClient, ClientOptions, Region, Token};
use crate::config::Settings;
use crate::crawl::{self, CrawlOptions, Progress};
use crate::home::{Home, LockGuard};
use crate::source::Source;

#[derive(Debug, Args)]
pub struct CrawlArgs {
    /// Tray region to crawl [default: us; or `region` in trayscope.toml, TRAYSCOPE_REGION]
    #[arg(long, value_enum)]
    pub region: Option<Region>,

    /// API base URL, overriding --region (plain http only for loopback hosts) [or `api_url`, TRAYSCOPE_API_URL]
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,

    /// Read the API token from this file instead of the TRAY_TOKEN environment variable
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,

    /// Crawl a directory in the API's layout (DIR/connectors.json, DIR/operations/<name>/<version>.json) instead of
    /// the API; no token needed
    #[arg(long, value_name = "DIR", conflicts_with_all = ["api_url", "token_file"])]
    pub from_dir: Option<PathBuf>,

    /// Operations requests in flight at once [default: 8; or `concurrency`, TRAYSCOPE_CONCURRENCY]
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: Option<u16>,

    /// Requests per second, all requests together; Tray allows 30 [default: 25; or `rate_limit`, TRAYSCOPE_RATE_LIMIT]
    #[arg(long, value_parser = positive_f64)]
    pub rate_limit: Option<f64>,

    /// Attempts per request before the crawl fails (429, 5xx, timeouts, dropped connections, cut bodies are retried)
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,

    /// First retry delay in milliseconds; doubles per retry, with jitter
    #[arg(long, default_value_t = 500, value_name = "MS")]
    pub backoff_ms: u64,

    /// Per-request timeout in seconds
    #[arg(long, default_value_t = 60, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,

    /// Largest response body accepted, in MiB
    #[arg(long, default_value_t = 64, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub max_response_mb: u64,

    /// Print one JSON summary object on stdout
    #[arg(long)]
    pub json: bool,
}

const DEFAULT_CONCURRENCY: u16 = 8;
const DEFAULT_RATE_LIMIT: f64 = 25.0;

/// Requests in flight: flag, then environment or file, then the default.
pub fn concurrency(args: &CrawlArgs, settings: &Settings) -> usize {
    usize::from(
        args.concurrency
            .or(settings.concurrency)
            .unwrap_or(DEFAULT_CONCURRENCY),
    )
}

#[derive(Debug, Args)]
pub struct SnapshotsArgs {
    /// Print a JSON array instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Snapshot to export (default: the latest complete one)
    #[arg(long, value_name = "ID")]
    pub snapshot: Option<i64>,

    /// Directory to create (must not exist, or be empty)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

fn positive_f64(text: &str) -> std::result::Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!("{text:?} is not a positive number")),
    }
}

fn read_token(args: &CrawlArgs) -> Result<Token> {
    let raw = match &args.token_file {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("reading the token file {}", path.display()))?,
        None => match std::env::var("TRAY_TOKEN") {
            Ok(value) => value,
            Err(_) => bail!(
                "no API token: set TRAY_TOKEN or pass --token-file PATH (crawling a directory with --from-dir needs none)"
            ),
        },
    };
    Token::new(&raw).map_err(|e| anyhow::anyhow!("{e}"))
}

/// Builds the catalog source a crawl reads from.
pub fn source_from_args(args: &CrawlArgs, settings: &Settings) -> Result<Source> {
    let max_body_bytes = args.max_response_mb << 20;
    if let Some(dir) = &args.from_dir {
        if !dir.is_dir() {
            bail!("--from-dir {}: not a directory", dir.display());
        }
        return Ok(Source::Dir {
            root: dir.clone(),
            max_body_bytes,
        });
    }
    let region = args.region.or(settings.region).unwrap_or(Region::Us);
    let url = args
        .api_url
        .as_deref()
        .or(settings.api_url.as_deref())
        .unwrap_or(region.base_url());
    let base = api::parse_base_url(url)?;
    let token = read_token(args)?;
    let options = ClientOptions {
        rate_limit: args
            .rate_limit
            .or(settings.rate_limit)
            .unwrap_or(DEFAULT_RATE_LIMIT),
        max_attempts: args.max_attempts,
        backoff_base: Duration::from_millis(args.backoff_ms),
        timeout: Duration::from_secs(args.timeout),
        max_body_bytes,
        ..ClientOptions::default()
    };
    Ok(Source::Http(ApiClient::new(base, &token, options)?))
}

pub fn run_crawl(home: &Home, settings: &Settings, args: CrawlArgs) -> Result<Outcome> {
    let source = source_from_args(&args, settings)?;
    let writer = home.try_lock_writer()?;
    let summary = crawl_and_index(home, &writer, &source, concurrency(&args, settings))?;
    let tty = std::io::stderr().is_terminal();
    let mut out = super::stdout();
    if args.json {
        serde_json::to_writer(&mut out, &summary)?;
        writeln!(out)?;
    } else if tty {
        eprintln!(
            "snapshot {} complete: {} connectors, {} connector versions, {} operations in {:.1}s ({} requests, {} retries)",
            summary.snapshot,
            summary.connectors,
            summary.connector_versions,
            summary.operations,
            summary.duration_ms as f64 / 1000.0,
            summary.requests,
            summary.retries
        );
    }
    out.flush()?;
    Ok(Outcome::Success)
}

/// Crawls `source` into a new snapshot (the caller holds the writer lock), then brings the search index up to date.
/// A progress bar shows on a terminal; nothing but errors otherwise.
pub fn crawl_and_index(
    home: &Home,
    writer: &LockGuard,
    source: &Source,
    concurrency: usize,
) -> Result<crawl::CrawlSummary> {
    let options = CrawlOptions { concurrency };
    let progress: Box<dyn Progress> = if std::io::stderr().is_terminal() {
        Box::new(Bar::new())
    } else {
        Box::new(crawl::Silent)
    };
    let runtime = runtime()?;
    let crawled = runtime
        .block_on(crawl::crawl_and_index(
            home,
            writer,
            source,
            &options,
            progress.as_ref(),
            async {
                if tokio::signal::ctrl_c().await.is_err() {
                    std::future::pending::<()>().await;
                }
            },
        ))
        .with_context(|| format!("crawling {}", source.describe()))?;
    super::search::report_index_after_crawl(&crawled.index);
    Ok(crawled.summary)
}

/// A progress bar on stderr: connector versions done / total, rate and ETA.
struct Bar(indicatif::ProgressBar);

impl Bar {
    fn new() -> Bar {
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {msg:>12} [{bar:30}] {pos}/{len} versions  {per_sec}  ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message("listing");
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar(bar)
    }
}

impl Progress for Bar {
    fn listed(&self, total: u64) {
        self.0.set_length(total);
        self.0.set_message("crawling");
    }
    fn fetched(&self, _connector: &str, _version: &str) {
        self.0.inc(1);
    }
    fn finished(&self) {
        self.0.finish_and_clear();
    }
}

pub fn run_snapshots(home: &Home, args: SnapshotsArgs) -> Result<Outcome> {
    let store = open_existing(home)?;
    let snapshots = store.snapshots()?;
    let mut out = super::stdout();
    if args.json {
        let rows: Vec<serde_json::Value> = snapshots
            .iter()
            .map(|s| {
                serde_json::json!({
                    "id": s.id,
                    "status": s.status,
                    "started_at": s.started_at,
                    "finished_at": s.finished_at,
                    "connector_versions": s.connector_versions,
                    "operations": s.operations,
                    "source": s.source,
                    "error": s.error,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(Outcome::Success);
    }
    if snapshots.is_empty() {
        writeln!(out, "no snapshots yet in {}", home.db_path().display())?;
        out.flush()?;
        return Ok(Outcome::Success);
    }
    writeln!(
        out,
        "{:>4}  {:<8}  {:<24}  {:<24}  {:>8}  {:>10}  source",
        "id", "status", "started", "finished", "versions", "operations"
    )?;
    for s in &snapshots {
        writeln!(
            out,
            "{:>4}  {:<8}  {:<24}  {:<24}  {:>8}  {:>10}  {}",
            s.id,
            s.status.as_str(),
            s.started_at,
            s.finished_at.as_deref().unwrap_or("-"),
            s.connector_versions.map_or("-".into(), |n| n.to_string()),
            s.operations.map_or("-".into(), |n| n.to_string()),
            s.source
        )?;
        if let Some(error) = &s.error {
            writeln!(out, "      error: {error}")?;
        }
    }
    out.flush()?;
    Ok(Outcome::Success)
}

pub fn run_export(home: &Home, args: ExportArgs) -> Result<Outcome> {
    let mut store = open_existing(home)?;
    let summary = crate::export::export(&mut store, args.snapshot, &args.out)
        .with_context(|| format!("exporting to {}", args.out.display()))?;
    tracing::info!(
        "exported snapshot {} ({} connector versions, {} operations) to {}",
        summary.snapshot,
        summary.connector_versions,
        summary.operations,
        args.out.display()
    );
    Ok(Outcome::Success)
}
