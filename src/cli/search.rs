//! `search` and `index`: full-text search over every operation in the catalog, and the index that makes it fast.
//!
//! The index is a cache of the store. `search` brings it up to date by itself when it is missing or behind (under
//! the writer lock); `index` does only that, or rebuilds it from scratch; a successful `crawl` updates it.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;

use super::Outcome;
use crate::home::Home;
use crate::index::{
    self, Highlighted, IndexError, SearchIndex, SearchRequest, UpdateSummary, VersionScope,
};
use crate::model::Version;
use crate::store::{SnapshotInfo, Store};

/// How long `search` waits for another run (the end of a crawl updating the index) to release the writer lock.
const LOCK_WAIT: Duration = Duration::from_secs(60);

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

    /// Search this complete snapshot (default: the latest complete one)
    #[arg(long, value_name = "ID")]
    pub snapshot: Option<i64>,

    /// Show at most this many hits
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub limit: u32,

    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    pub format: SearchFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SearchFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Build the index from scratch from catalog.db instead of adding what it lacks
    #[arg(long)]
    pub rebuild: bool,

    /// Print one JSON summary object on stdout
    #[arg(long)]
    pub json: bool,
}

pub fn run_search(home: &Home, args: SearchArgs) -> Result<Outcome> {
    let text = args.query.join(" ");
    index::check_query(&text)?;
    let db = home.existing_db()?;
    let mut store =
        Store::open_read_only(&db).with_context(|| format!("opening {}", db.display()))?;
    let latest = store.complete_snapshot(None)?;
    let search_index = current_index(home, &mut store, &latest)?;
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
    let results = search_index.search(&mut store, &request)?;

    let mut out = super::stdout();
    if args.format == SearchFormat::Json {
        let hits: Vec<JsonHit<'_>> = results
            .hits
            .iter()
            .map(|h| JsonHit {
                connector: &h.connector,
                version: &h.version,
                operation: &h.operation,
                title: &h.title,
                score: (f64::from(h.score) * 10_000.0).round() / 10_000.0,
                snippet: render(&h.snippet, Marks::Stars),
            })
            .collect();
        let body = JsonResults {
            query: &text,
            total: results.total,
            unmatched_terms: &results.unmatched_terms,
            hits,
        };
        serde_json::to_writer_pretty(&mut out, &body)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(Outcome::Success);
    }
    let scope = match &versions {
        VersionScope::Newest => {
            "; newest version of each connector only, --all-versions for older ones"
        }
        VersionScope::All => "; every version",
        VersionScope::Exactly(_) => "",
    };
    if results.hits.is_empty() {
        let mut err = std::io::stderr().lock();
        writeln!(
            err,
            "no matches for {text:?} in snapshot {}{scope}",
            results.snapshot
        )?;
        out.flush()?;
        return Ok(Outcome::Success);
    }
    if !results.unmatched_terms.is_empty() {
        let words: Vec<String> = results
            .unmatched_terms
            .iter()
            .map(|w| format!("{w:?}"))
            .collect();
        writeln!(
            out,
            "no operation mentions {}; results match the other words",
            words.join(" or ")
        )?;
    }
    let marks = if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        Marks::Ansi
    } else {
        Marks::Stars
    };
    for hit in &results.hits {
        writeln!(
            out,
            "{} {}  {}  {}",
            hit.connector, hit.version, hit.operation, hit.title
        )?;
        if !hit.snippet.text.is_empty() {
            writeln!(out, "    {}", render(&hit.snippet, marks))?;
        }
    }
    writeln!(
        out,
        "{} of {} matches in snapshot {}{scope}",
        results.hits.len(),
        results.total,
        results.snapshot
    )?;
    out.flush()?;
    Ok(Outcome::Success)
}

/// `search --format json`, fields in this order.
#[derive(serde::Serialize)]
struct JsonResults<'a> {
    query: &'a str,
    total: usize,
    /// Words of the query that no operation in scope matches (empty when all matched).
    unmatched_terms: &'a [String],
    hits: Vec<JsonHit<'a>>,
}

#[derive(serde::Serialize)]
struct JsonHit<'a> {
    connector: &'a str,
    version: &'a str,
    operation: &'a str,
    title: &'a str,
    score: f64,
    /// Matches marked `**like this**`.
    snippet: String,
}

pub fn run_index(home: &Home, args: IndexArgs) -> Result<Outcome> {
    let db = home.existing_db()?;
    let _lock = home.try_lock_writer()?;
    let mut store =
        Store::open_read_only(&db).with_context(|| format!("opening {}", db.display()))?;
    let dir = home.index_dir();
    let summary = if args.rebuild {
        index::rebuild(&dir, &mut store)
    } else {
        index::update(&dir, &mut store)
    }
    .with_context(|| format!("building the search index in {}", dir.display()))?;
    let mut out = super::stdout();
    if args.json {
        serde_json::to_writer(&mut out, &summary)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}", describe(&summary))?;
    }
    out.flush()?;
    Ok(Outcome::Success)
}

/// Called by `crawl` once its snapshot is complete, with how the index was brought up to date. A failure there does
/// not fail the crawl (the snapshot is already safe in catalog.db); it is reported with the way out.
pub fn report_index_after_crawl(result: &std::result::Result<UpdateSummary, IndexError>) {
    match result {
        Ok(summary) => tracing::info!("{}", describe(summary)),
        Err(error) => eprintln!(
            "warning: the snapshot is complete, but updating the search index failed: {error}; run \
             `trayscope index --rebuild`"
        ),
    }
}

/// The index, brought up to date first when it is missing, unusable or behind the store's latest snapshot.
fn current_index(home: &Home, store: &mut Store, latest: &SnapshotInfo) -> Result<SearchIndex> {
    let dir = home.index_dir();
    let why = match SearchIndex::open(&dir) {
        Ok(existing) if existing.is_current(latest) => return Ok(existing),
        Ok(existing) => format!(
            "covers snapshot {}, the latest is {}",
            existing.manifest().snapshot,
            latest.id
        ),
        Err(IndexError::Missing { .. }) => "is missing".to_owned(),
        Err(IndexError::Unusable { why, .. }) => why,
        Err(other) => return Err(other.into()),
    };
    let _lock = home.lock_writer(LOCK_WAIT).with_context(|| {
        format!("the search index {why} and cannot be updated now; run `trayscope index` when the other run ends")
    })?;
    let summary = index::update(&dir, store).with_context(|| {
        format!(
            "the search index {why}, and updating it failed (run `trayscope index --rebuild` to start over)"
        )
    })?;
    if summary.rebuilt {
        tracing::warn!("the search index {why}; {}", describe(&summary));
    } else {
        tracing::info!("the search index {why}; {}", describe(&summary));
    }
    Ok(SearchIndex::open(&dir)?)
}

fn describe(summary: &UpdateSummary) -> String {
    let verb = if summary.rebuilt {
        "rebuilt"
    } else {
        "updated"
    };
    format!(
        "search index {verb} through snapshot {}: {} new connector version states ({} documents) in {:.2}s; {} \
         documents, {:.1} MB",
        summary.snapshot,
        summary.added_states,
        summary.added_documents,
        summary.duration_ms as f64 / 1000.0,
        summary.documents,
        summary.bytes as f64 / 1_000_000.0
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marks {
    /// `**word**`: pipes, files and JSON.
    Stars,
    /// Bold on a terminal.
    Ansi,
}

/// The snippet with its matches marked, on one line.
fn render(snippet: &Highlighted, marks: Marks) -> String {
    let (open, close) = match marks {
        Marks::Stars => ("**", "**"),
        Marks::Ansi => ("\x1b[1m", "\x1b[0m"),
    };
    let mut out = String::with_capacity(snippet.text.len() + 8 * snippet.ranges.len());
    let mut at = 0;
    for range in &snippet.ranges {
        if range.start < at || range.end > snippet.text.len() {
            continue;
        }
        out.push_str(&snippet.text[at..range.start]);
        out.push_str(open);
        out.push_str(&snippet.text[range.clone()]);
        out.push_str(close);
        at = range.end;
    }
    out.push_str(&snippet.text[at..]);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_are_starred_and_whitespace_folded() {
        let snippet = Highlighted {
            text: "Send a\n message".into(),
            ranges: vec![0..4, 8..15],
        };
        assert_eq!(render(&snippet, Marks::Stars), "**Send** a **message**");
    }
}
