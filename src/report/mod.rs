//! Renders a diff [`Report`] as Markdown, JSON or one self-contained HTML page.
//!
//! Renderers only show what the diff computed: they never compute verdicts of their own, so every format says the
//! same thing. Every piece of catalog text is untrusted (a connector description can hold anything): each renderer
//! escapes it for its format. Sections come in one order everywhere: breaking changes, new service versions, the
//! deprecation policy's sunsets, deprecated, retired, new connectors and versions, then the rest.

mod history;
mod html;
mod human;
mod markdown;
mod nights;
mod schema_diff;
mod search;
mod snapshots;
mod summary;
mod text;
pub mod view;

use std::io::{self, Write};

use crate::diff::{Change, Report};

pub use history::render_history;
pub use nights::{NightEntry, WrittenNight, render_catalog_summary, render_nights_index};
pub use schema_diff::{render_schema_diff_human, render_schema_diff_json};
pub use search::{Marks, render_search_human, render_search_json, search_scope_note};
pub use snapshots::{render_snapshots_human, render_snapshots_json};
pub use summary::{
    PruneJson, describe_crawl, describe_index_update, describe_night, describe_prune, prune_json,
};
pub use text::{human_bytes, human_duration, id_list, plural, printable, printable_lines};

/// An output format of `trayscope diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Json,
    Html,
    /// Plain text for a terminal: the headline, then one line per change.
    Human,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Json => "json",
            Format::Html => "html",
            Format::Human => "txt",
        }
    }
}

/// How a report is rendered, beyond its format.
#[derive(Debug, Clone)]
pub struct RenderOptions<'a> {
    /// The Markdown report's budget in characters (0: no limit). A GitHub comment holds 65,536.
    pub max_chars: usize,
    /// Where the full report is, for the line a shortened Markdown report ends with.
    pub full_report: &'a str,
}

/// The default Markdown budget: a GitHub comment (65,536 characters) with room to spare.
pub const DEFAULT_MAX_CHARS: usize = 60_000;

impl Default for RenderOptions<'_> {
    fn default() -> Self {
        RenderOptions {
            max_chars: DEFAULT_MAX_CHARS,
            full_report: "in the JSON and HTML formats of this report",
        }
    }
}

/// Writes `report` in `format`.
pub fn render(
    report: &Report,
    format: Format,
    options: &RenderOptions<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Markdown => markdown::render(report, options, out),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
            writeln!(out)
        }
        Format::Html => html::render(report, out),
        Format::Human => human::render(report, out),
    }
}

/// "connector 1.0 · operation" — where a change is.
pub fn place(change: &Change) -> String {
    let mut text = change.connector.clone();
    if let Some(version) = &change.version {
        text.push(' ');
        text.push_str(version);
    }
    if let Some(op) = &change.operation {
        text.push_str(" · ");
        text.push_str(op);
    }
    text
}
