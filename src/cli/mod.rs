//! The command layer: clap arguments, turned into calls on the library, rendered to stdout.
//!
//! This is the only place that uses `anyhow`, reads the environment and writes to stdout. Each subcommand has one
//! Args struct. Errors are returned (with context saying what was being done) and printed once by `main`.

mod crawl;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

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
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<Outcome> {
    init_tracing(cli.verbose);
    let home = Home::new(&cli.home);
    match cli.command {
        Command::Crawl(args) => crawl::run_crawl(&home, args),
        Command::Snapshots(args) => crawl::run_snapshots(&home, args),
        Command::Export(args) => crawl::run_export(&home, args),
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

/// Opens the catalog of `home`, which must exist.
pub fn open_existing(home: &Home) -> Result<Store> {
    let path = home.existing_db()?;
    Store::open(&path).with_context(|| format!("opening {}", path.display()))
}
