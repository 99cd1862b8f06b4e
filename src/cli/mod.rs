//! The command layer, owned by the binary: clap arguments, one library call per command, output rendered through
//! `trayscope::report` or the audit renderers, and the outcome mapped to an exit code by `main`.
//!
//! This is the only place that uses `anyhow`, reads the process environment and writes to stdout. Each command file
//! is parse → call → render; anything that decides lives in the library module named after that concern.

mod args;
mod audit;
mod call;
mod crawl;
mod diff;
mod history;
mod hoist;
mod nightly;
mod output;
mod progress;
mod prune;
mod report;
mod search;
mod validate;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};

use trayscope::config::{self, Settings};
use trayscope::home::Home;

pub use hoist::hoist_search_flags;
pub use output::{ColorChoice, Outcome};

#[derive(Debug, Parser)]
#[command(
    name = "trayscope",
    version = version(),
    long_version = long_version(),
    about = "Track Tray connector versions, deprecations and schema changes before they break your workflows",
    after_help = "Examples:\n  TRAY_TOKEN=… trayscope crawl --region eu1\n  trayscope crawl --from-dir examples/catalog/2026-11-26\n  trayscope snapshots"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes, shown once under "Global options".
#[derive(Debug, clap::Args)]
pub struct Global {
    /// Directory holding trayscope's state (catalog.db, index/)
    #[arg(
        long,
        global = true,
        env = "TRAYSCOPE_HOME",
        default_value = ".trayscope",
        value_name = "DIR",
        help_heading = "Global options"
    )]
    pub home: PathBuf,

    /// Settings file; it must exist [default: <home>/trayscope.toml when it exists]
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        help_heading = "Global options"
    )]
    pub config: Option<PathBuf>,

    /// More log output on stderr (-v info, -vv debug)
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet", help_heading = "Global options")]
    pub verbose: u8,

    /// Only errors on stderr: no progress bar, no summary line, no warnings
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub quiet: bool,

    /// Colour and bold on terminals: auto (only on a terminal, never with NO_COLOR set), always or never
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN", help_heading = "Global options")]
    pub color: ColorChoice,

    /// The date to judge with instead of today's UTC date (YYYY-MM-DD), for tests and rehearsals
    #[arg(long, global = true, hide = true, env = "TRAYSCOPE_TODAY", value_name = "DATE", value_parser = trayscope::policy::parse_today)]
    pub today: Option<chrono::NaiveDate>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Snapshot the whole connector catalog (every connector version and its operations) into catalog.db
    #[command(
        after_help = "Examples:\n  TRAY_TOKEN=… trayscope crawl --region eu1\n  trayscope crawl --token-file ~/.tray-token --format json\n  trayscope crawl --from-dir examples/catalog/2026-11-25"
    )]
    Crawl(crawl::CrawlArgs),
    /// List snapshots
    #[command(after_help = "Example:\n  trayscope snapshots --format json")]
    Snapshots(crawl::SnapshotsArgs),
    /// Write a complete snapshot back out in the API's directory layout
    #[command(after_help = "Example:\n  trayscope export --snapshot 3 --out catalog-3/")]
    Export(crawl::ExportArgs),
    /// Compare two complete snapshots: new and retired versions, deprecations, direction-aware schema changes
    #[command(
        after_help = "Examples:\n  trayscope diff                          # latest complete snapshot against the one before\n  trayscope diff --from 3 --to 7 --format html --out changes.html\n\nExit codes: 0 the diff ran (with --fail-on-breaking: and nothing broke), 1 --fail-on-breaking and something broke, 2 it could not run."
    )]
    Diff(diff::DiffArgs),
    /// The cron job: crawl, update the index, diff against the previous snapshot and write dated reports
    #[command(
        after_help = "Examples:\n  trayscope nightly --region eu1                      # reports/<date>-<snapshot>.{md,json,html}\n  trayscope nightly --from-dir examples/catalog/2026-11-26 --reports out/ --wait 10m"
    )]
    Nightly(nightly::NightlyArgs),
    /// (Re)write the nightly reports of snapshots from the catalog: the ones not reported yet, one, or all
    #[command(
        after_help = "Examples:\n  trayscope report                        # every snapshot the reports directory does not have yet\n  trayscope report --all --reports reports/   # after an upgrade, or a lost reports directory\n  trayscope report --snapshot 7\n\nExit codes: 0 the reports were written, 2 no catalog, an unknown or incomplete snapshot, or an unwritable directory."
    )]
    Report(report::ReportArgs),
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
        after_help = "Examples:\n  trayscope search which connector can send an SMS\n  trayscope search 'slack send mesage' --all-versions\n  trayscope search '\"find records\"' --connector salesforce --format json\n  trayscope search -- -deprecated message --limit 3\n\nExit codes: 0 searched (also when nothing matched), 2 bad query, no snapshot or unusable index."
    )]
    Search(search::SearchArgs),
    /// Bring the search index up to date with catalog.db, or rebuild it from scratch
    #[command(
        after_help = "Examples:\n  trayscope index\n  trayscope index --rebuild --format json"
    )]
    Index(search::IndexArgs),
    /// Delete old snapshots and free what only they used (the latest complete snapshot always stays)
    #[command(
        after_help = "Examples:\n  trayscope prune --keep 30 --dry-run\n  trayscope prune --older-than 90d --format json\n\nExit codes: 0 pruned (or nothing to prune), 2 no catalog, bad flags, or another run holds the writer lock."
    )]
    Prune(prune::PruneArgs),
    /// One connector's timeline across snapshots: versions appearing, superseded and vanishing, operation changes
    #[command(
        after_help = "Examples:\n  trayscope history hubspot\n  trayscope history salesforce --operation find_records --format json\n\nExit codes: 0 printed, 2 a connector or operation in no complete snapshot, or no catalog."
    )]
    History(history::HistoryArgs),
    /// Check an operation's input against its stored input schema, offline: every error at once, with pointers
    #[command(
        after_help = "Examples:\n  trayscope validate slack send_message --input message.json\n  echo '{\"channel\": 42}' | trayscope validate slack send_message --version 9.1 --format json\n\nExit codes: 0 valid, 1 invalid, 2 it could not run (unknown connector, version or operation; input not JSON; no catalog)."
    )]
    Validate(validate::ValidateArgs),
    /// Run one operation through Tray's Call Connector API (billable: one task), after validating its input
    #[command(
        after_help = "Examples:\n  TRAY_TOKEN=… trayscope call slack send_message --auth-id 6f0c… --input message.json\n  trayscope call slack send_message --auth-id 6f0c… --version 9.1 --format json < message.json\n\nOnly a 429 or a connection that could not be opened is retried: a 5xx, a timeout or a cut answer may mean\nthe call ran, and is reported, never repeated.\n\nExit codes: 0 outcome success, 1 invalid input (nothing sent), outcome error, or Tray refused the request\n(HTTP 400), 2 it could not run or may have run (token refused, 404, 5xx, timeout, no catalog, …)."
    )]
    Call(call::CallArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell)
    #[command(
        after_help = "Examples:\n  trayscope completions bash > ~/.local/share/bash-completion/completions/trayscope\n  trayscope completions zsh > \"${fpath[1]}/_trayscope\"\n  trayscope completions fish > ~/.config/fish/completions/trayscope.fish"
    )]
    Completions {
        /// The shell to complete for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write man pages (trayscope.1 and one per command) into a directory
    #[command(after_help = "Example:\n  trayscope man-pages /usr/local/share/man/man1")]
    ManPages {
        /// The directory to write the pages to (created if needed)
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
}

/// What every command gets besides its own arguments.
pub struct Context {
    pub home: Home,
    pub settings: Settings,
    pub quiet: bool,
    pub color: ColorChoice,
    /// `--today` (hidden, for tests), else today's UTC date.
    pub today: chrono::NaiveDate,
}

impl Context {
    /// The deprecation policy: `explicit` (`--deprecations`), else `deprecations` in trayscope.toml (both must
    /// exist), else `deprecations.toml` in the home when present.
    pub fn policy(
        &self,
        explicit: Option<&std::path::Path>,
    ) -> Result<Option<trayscope::policy::Policy>> {
        let base = std::env::current_dir()?;
        let explicit = explicit.or(self.settings.deprecations.as_deref());
        Ok(trayscope::policy::Policy::find(
            explicit,
            self.home.dir(),
            &base,
        )?)
    }
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<Outcome> {
    output::init_logging(cli.global.verbose, cli.global.quiet, cli.global.color);
    let home = Home::new(&cli.global.home);
    // Every command reads the settings, so that a `--config` naming no file is an error whatever the command.
    let settings = config::load(cli.global.config.as_deref(), home.dir(), &|name| {
        std::env::var(name).ok()
    })?;
    let cx = Context {
        home,
        settings,
        quiet: cli.global.quiet,
        color: cli.global.color,
        today: cli
            .global
            .today
            .unwrap_or_else(|| chrono::Utc::now().date_naive()),
    };
    match cli.command {
        Command::Crawl(args) => crawl::run_crawl(&cx, args),
        Command::Snapshots(args) => crawl::run_snapshots(&cx, args),
        Command::Export(args) => crawl::run_export(&cx, args),
        Command::Nightly(args) => nightly::run_nightly(&cx, args),
        Command::Diff(args) => diff::run_diff(&cx, args),
        Command::Report(args) => report::run_report(&cx, args),
        Command::SchemaDiff(args) => diff::run_schema_diff(args),
        Command::Audit(args) => audit::run_audit(&cx, args),
        Command::Search(args) => search::run_search(&cx, args),
        Command::Index(args) => search::run_index(&cx, args),
        Command::Prune(args) => prune::run_prune(&cx, args),
        Command::History(args) => history::run_history(&cx, args),
        Command::Validate(args) => validate::run_validate(&cx, args),
        Command::Call(args) => call::run_call(&cx, args),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            output::emit(None, Outcome::Success, |out| {
                clap_complete::generate(shell, &mut command, "trayscope", out);
                Ok(())
            })
        }
        Command::ManPages { dir } => output::write_man_pages(&dir),
    }
}

/// `0.1.0`, or `0.1.0 (abc1234)` when built from a git checkout (`-dirty` when it had uncommitted changes).
const fn version() -> &'static str {
    match option_env!("TRAYSCOPE_VERSION") {
        Some(version) => version,
        None => env!("CARGO_PKG_VERSION"),
    }
}

fn long_version() -> &'static str {
    match option_env!("TRAYSCOPE_LONG_VERSION") {
        Some(version) => version,
        None => env!("CARGO_PKG_VERSION"),
    }
}
