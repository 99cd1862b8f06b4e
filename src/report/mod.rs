//! Renders a diff [`Report`] as Markdown, JSON or one self-contained HTML page.
//!
//! Renderers only show what the diff computed: they never compute verdicts of their own, so every format says the
//! same thing. Every piece of catalog text is untrusted (a connector description can hold anything): each renderer
//! escapes it for its format. Sections come in one order everywhere: breaking changes, new service versions,
//! deprecated, retired, new connectors and versions, then the rest.

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

use std::io::{self, Write};

use crate::diff::{Change, Code, Report};

pub use history::render_history;
pub use nights::{NightEntry, render_catalog_summary, render_nights_index};
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

/// Writes `report` in `format`.
pub fn render(report: &Report, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Markdown => markdown::render(report, out),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
            writeln!(out)
        }
        Format::Html => html::render(report, out),
        Format::Human => human::render(report, out),
    }
}

/// A report section: a heading and the changes it shows, in the order every format uses.
pub struct Section<'a> {
    pub id: &'static str,
    pub title: &'static str,
    pub changes: Vec<&'a Change>,
}

/// Splits a report's changes into its sections. Each change appears in exactly one section.
pub fn sections(report: &Report) -> Vec<Section<'_>> {
    let pick = |f: &dyn Fn(&Change) -> bool| -> Vec<&Change> {
        report.changes.iter().filter(|c| f(c)).collect()
    };
    let breaking = |c: &Change| c.code == Code::OperationChanged && c.breaking == Some(true);
    vec![
        Section {
            id: "breaking",
            title: "Breaking changes inside existing versions",
            changes: pick(&|c| breaking(c) || c.code == Code::OperationRemoved),
        },
        Section {
            id: "services",
            title: "New service versions",
            changes: pick(&|c| c.code == Code::ServiceVersionAdded),
        },
        Section {
            id: "deprecated",
            title: "Deprecated connector versions",
            changes: pick(&|c| c.code == Code::ConnectorVersionDeprecated),
        },
        Section {
            id: "retired",
            title: "Retired connectors and versions",
            changes: pick(&|c| {
                matches!(
                    c.code,
                    Code::ConnectorRemoved | Code::ConnectorVersionRemoved
                )
            }),
        },
        Section {
            id: "new",
            title: "New connectors and versions",
            changes: pick(&|c| {
                matches!(c.code, Code::ConnectorAdded | Code::ConnectorVersionAdded)
            }),
        },
        Section {
            id: "other",
            title: "Other changes",
            changes: pick(&|c| {
                c.code == Code::OperationAdded
                    || (c.code == Code::OperationChanged && c.breaking != Some(true))
            }),
        },
    ]
}

/// The headline counts, in display order: (label, count).
pub fn headline(report: &Report) -> Vec<(&'static str, u64)> {
    vec![
        ("breaking operation changes", report.breaking()),
        ("operations removed", report.count(Code::OperationRemoved)),
        (
            "new service versions",
            report.count(Code::ServiceVersionAdded),
        ),
        (
            "deprecated versions",
            report.count(Code::ConnectorVersionDeprecated),
        ),
        (
            "retired versions",
            report.count(Code::ConnectorVersionRemoved),
        ),
        ("new connectors", report.count(Code::ConnectorAdded)),
        ("new versions", report.count(Code::ConnectorVersionAdded)),
        ("operations added", report.count(Code::OperationAdded)),
        (
            "operations changed",
            report
                .count(Code::OperationChanged)
                .saturating_sub(report.breaking()),
        ),
    ]
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
