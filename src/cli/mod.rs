//! The command layer: clap arguments, turned into calls on the library, rendered to stdout.
//!
//! This is the only place that uses `anyhow`, reads the environment and writes to stdout. Each subcommand has one
//! Args struct. Errors are returned (with context saying what was being done) and printed once by `main`.

mod audit;
mod crawl;
mod diff;
mod history;
mod nightly;
mod prune;
mod search;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::config::{self, Settings};
use crate::home::Home;
use crate::store::Store;

/// What a command concluded, mapped to the exit code by `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: a gate found something.
    GateFailed,
}

#[derive(Debug, Parser)]
#[command(
    name = "trayscope",
    version,
    about = "Track Tray connector versions, deprecations and schema changes before they break your workflows",
    after_help = "Examples:\n  TRAY_TOKEN=… trayscope crawl --region eu1\n  trayscope crawl --from-dir examples/catalog/2026-11-26\n  trayscope snapshots"
)]
pub struct Cli {
    /// Directory holding trayscope's state (catalog.db, index/)
    #[arg(
        long,
        global = true,
        env = "TRAYSCOPE_HOME",
        default_value = ".trayscope",
        value_name = "DIR"
    )]
    pub home: PathBuf,

    /// Settings file [default: <home>/trayscope.toml when it exists]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// More log output on stderr (-v info, -vv debug)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Snapshot the whole connector catalog (every connector version and its operations) into catalog.db
    #[command(
        after_help = "Examples:\n  TRAY_TOKEN=… trayscope crawl --region eu1\n  trayscope crawl --token-file ~/.tray-token --json\n  trayscope crawl --from-dir examples/catalog/2026-11-25"
    )]
    Crawl(crawl::CrawlArgs),
    /// List snapshots
    #[command(after_help = "Example:\n  trayscope snapshots --json")]
    Snapshots(crawl::SnapshotsArgs),
    /// Write a complete snapshot back out in the API's directory layout
    #[command(after_help = "Example:\n  trayscope export --snapshot 3 --out catalog-3/")]
    Export(crawl::ExportArgs),
    /// Compare two complete snapshots: new and retired versions, deprecations, direction-aware schema changes
    #[command(
        after_help = "Examples:\n  trayscope diff                          # latest complete snapshot against the one before\n  trayscope diff --from 3 --to 7 --format html --out changes.html"
    )]
    Diff(diff::DiffArgs),
    /// The cron job: crawl, update the index, diff against the previous snapshot and write dated reports
    #[command(
        after_help = "Examples:\n  trayscope nightly --region eu1                      # reports/<date>-<snapshot>.{md,json,html}\n  trayscope nightly --from-dir examples/catalog/2026-11-26 --reports out/ --wait 10m"
    )]
    Nightly(nightly::NightlyArgs),
    /// Compare two JSON Schema files, classifying each change breaking or not for the direction
    #[command(
        name = "schema-diff",
        after_help = "Example:\n  trayscope schema-diff old.json new.json --direction input --format json --fail-on-breaking"
    )]
    SchemaDiff(diff::SchemaDiffArgs),
    /// Check Tray workflow and project exports against a snapshot; fail CI on deprecated or retired pins
    #[command(
        after_help = "Examples:\n  trayscope audit exports/                                  # human output, fails on errors\n  trayscope audit exports/ --format sarif --out audit.sarif\n  trayscope audit exports/ --format github --fail-on warning\n  trayscope audit exports/ --emit-connector-mapping mapping.json\n\nExit codes: 0 nothing at or above --fail-on, 1 the gate failed, 2 the audit could not be done."
    )]
    Audit(audit::AuditArgs),
    /// Full-text search over every operation: names, titles, descriptions and schema fields, best match first
    #[command(
        after_help = "Examples:\n  trayscope search which connector can send an SMS\n  trayscope search 'slack send mesage' --all-versions\n  trayscope search '\"find records\"' --connector salesforce --format json\n\nExit codes: 0 searched (also when nothing matched), 2 bad query, no snapshot or unusable index."
    )]
    Search(search::SearchArgs),
    /// Bring the search index up to date with catalog.db, or rebuild it from scratch
    #[command(after_help = "Examples:\n  trayscope index\n  trayscope index --rebuild --json")]
    Index(search::IndexArgs),
    /// Delete old snapshots and free what only they used (the latest complete snapshot always stays)
    #[command(
        after_help = "Examples:\n  trayscope prune --keep 30 --dry-run\n  trayscope prune --older-than 90d --json\n\nExit codes: 0 pruned (or nothing to prune), 2 no catalog, bad flags, or another run holds the writer lock."
    )]
    Prune(prune::PruneArgs),
    /// One connector's timeline across snapshots: versions appearing, superseded and vanishing, operation changes
    #[command(
        after_help = "Examples:\n  trayscope history hubspot\n  trayscope history salesforce --operation find_records --format json\n\nExit codes: 0 printed, 2 a connector or operation in no complete snapshot, or no catalog."
    )]
    History(history::HistoryArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell)
    #[command(
        after_help = "Examples:\n  trayscope completions bash > ~/.local/share/bash-completion/completions/trayscope\n  trayscope completions zsh > \"${fpath[1]}/_trayscope\"\n  trayscope completions fish > ~/.config/fish/completions/trayscope.fish"
    )]
    Completions {
        /// The shell to complete for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<Outcome> {
    init_tracing(cli.verbose);
    let home = Home::new(&cli.home);
    let settings = || -> Result<Settings> {
        Ok(config::load(cli.config.as_deref(), home.dir(), &|name| {
            std::env::var(name).ok()
        })?)
    };
    match cli.command {
        Command::Crawl(args) => crawl::run_crawl(&home, &settings()?, args),
        Command::Snapshots(args) => crawl::run_snapshots(&home, args),
        Command::Export(args) => crawl::run_export(&home, args),
        Command::Nightly(args) => nightly::run_nightly(&home, &settings()?, args),
        Command::Diff(args) => diff::run_diff(&home, &settings()?, args),
        Command::SchemaDiff(args) => diff::run_schema_diff(args),
        Command::Audit(args) => audit::run_audit(&home, &settings()?, args),
        Command::Search(args) => search::run_search(&home, args),
        Command::Index(args) => search::run_index(&home, args),
        Command::Prune(args) => prune::run_prune(&home, args),
        Command::History(args) => history::run_history(&home, args),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut out = stdout();
            clap_complete::generate(shell, &mut command, "trayscope", &mut out);
            std::io::Write::flush(&mut out)?;
            Ok(Outcome::Success)
        }
    }
}

fn init_tracing(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    // Only our own crate logs at the chosen level: dependency internals stay at warn.
    let filter = tracing_subscriber::EnvFilter::try_from_env("TRAYSCOPE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("warn,trayscope={level}")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Standard output, buffered: reports are written in many small pieces, and unbuffered each would be a system
/// call. Callers flush before they return, so a write error is reported rather than lost on drop.
pub fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(64 << 10, std::io::stdout().lock())
}

/// Opens the catalog of `home`, which must exist.
pub fn open_existing(home: &Home) -> Result<Store> {
    let path = home.existing_db()?;
    Store::open(&path).with_context(|| format!("opening {}", path.display()))
}

/// Writes a file whole or not at all: rendered in memory, then [`crate::nightly::write_whole`].
pub fn write_atomically(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<()> {
    let mut bytes = Vec::new();
    write(&mut bytes)?;
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    crate::nightly::write_whole(path, &bytes)?;
    Ok(())
}
