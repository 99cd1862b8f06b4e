//! `search` and `index`: full-text search over every operation in the catalog, and the index that makes it fast.
//! When the index is brought up to date is the library's policy ([`trayscope::index::open_current`]).

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Args;

use super::Context;
use super::args::{FormatArgs, HumanOrJson};
use super::crawl::{json_line, open};
use super::output::{Outcome, Stream, emit};
use trayscope::index::{self, SearchRequest, VersionScope};
use trayscope::model::Version;
use trayscope::report::{self, Marks};

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for. Words (typos forgiven in longer ones, the last one matched as a prefix), "quoted
    /// phrases", +required and -excluded words, or field:word with field one of connector, version, operation,
    /// description, field, field_description. Several arguments are joined with spaces
    #[arg(value_name = "QUERY", required = true, num_args = 1..)]
    pub query: Vec<String>,

    /// Only this connector (its name, e.g. twilio-output)
    #[arg(long, value_name = "NAME")]
    pub connector: Option<String>,

    /// Only this connector version (e.g. 9.1); without --connector, that version of any connector
    #[arg(long, value_name = "V", conflicts_with = "all_versions")]
    pub version: Option<Version>,

    /// Search every version of each connector, not only the newest
    #[arg(long)]
    pub all_versions: bool,

    /// Search this complete snapshot [default: the latest complete one]
    #[arg(long, value_name = "ID")]
    pub snapshot: Option<i64>,

    /// Show at most this many hits
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub limit: u32,

    #[command(flatten)]
    pub format: FormatArgs,

    /// Write the results to this file instead of stdout (written whole or not at all)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Build the index from scratch from catalog.db instead of adding what it lacks
    #[arg(long)]
    pub rebuild: bool,

    #[command(flatten)]
    pub format: FormatArgs,
}

pub fn run_search(cx: &Context, args: SearchArgs) -> Result<Outcome> {
    let text = args.query.join(" ");
    index::check_query(&text)?;
    let mut store = open(cx)?;
    let latest = store.complete_snapshot(None)?;
    let current = index::open_current(&cx.home, &mut store, &latest, index::SEARCH_LOCK_WAIT)?;
    if let Some(refresh) = &current.refreshed {
        tracing::info!(
            "the search index {}; {}",
            refresh.why,
            report::describe_index_update(&refresh.summary)
        );
    }
    let versions = match (&args.version, args.all_versions) {
        (Some(v), _) => VersionScope::Exactly(v.clone()),
        (None, true) => VersionScope::All,
        (None, false) => VersionScope::Newest,
    };
    let request = SearchRequest {
        query: &text,
        snapshot: args.snapshot,
        connector: args.connector.as_deref(),
        versions: versions.clone(),
        limit: args.limit as usize,
    };
    let results = current.index.search(&mut store, &request)?;
    let format = args.format.get();
    if format == HumanOrJson::Human && results.hits.is_empty() {
        eprintln!(
            "no matches for {} in snapshot {}{}",
            report::printable(&format!("{text:?}")),
            results.snapshot,
            report::search_scope_note(&versions)
        );
    }
    let marks = if args.out.is_none() && cx.color.enabled(Stream::Stdout) {
        Marks::Ansi
    } else {
        Marks::Stars
    };
    emit(args.out.as_deref(), Outcome::Success, |out| match format {
        HumanOrJson::Json => report::render_search_json(&text, &results, out),
        HumanOrJson::Human => report::render_search_human(&results, &versions, marks, out),
    })
}

pub fn run_index(cx: &Context, args: IndexArgs) -> Result<Outcome> {
    let _lock = cx.home.try_lock_writer()?;
    let mut store = open(cx)?;
    let dir = cx.home.index_dir();
    let summary = if args.rebuild {
        index::rebuild(&dir, &mut store)
    } else {
        index::update(&dir, &mut store)
    }
    .with_context(|| format!("building the search index in {}", dir.display()))?;
    emit(None, Outcome::Success, |out| match args.format.get() {
        HumanOrJson::Json => json_line(out, &summary),
        HumanOrJson::Human => writeln!(out, "{}", report::describe_index_update(&summary)),
    })
}
