//! The nightly job's other pages: the first night's catalog summary (Markdown, JSON, HTML) and `index.html`, the list
//! of every night's report with a chart of changes per night. Like every renderer, these only show values.

use std::io::{self, Write};

use super::Format;
use super::html::{escape as html, page_end, page_start};
use super::markdown::escape as md;
use serde_json::Value;

use crate::diff::CatalogSummary;

/// One night's report as `index.html` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NightEntry {
    pub stem: String,
    pub date: String,
    pub snapshot: i64,
    /// `None` for a first night (a catalog summary).
    pub from: Option<i64>,
    /// Headline counts of a diff, in display order.
    pub counts: Vec<(String, u64)>,
    pub total_changes: u64,
    pub breaking: u64,
}

impl NightEntry {
    /// The entry for a night report's JSON (a diff report or a first night's catalog summary).
    pub fn from_report_json(
        stem: String,
        date: String,
        snapshot: i64,
        value: &Value,
    ) -> NightEntry {
        let count = |key: &str| value["summary"][key].as_u64().unwrap_or(0);
        if value["kind"] == "catalog-summary" {
            return NightEntry {
                stem,
                date,
                snapshot,
                from: None,
                counts: vec![
                    (
                        "connector versions".into(),
                        value["connector_versions"].as_u64().unwrap_or(0),
                    ),
                    (
                        "deprecated".into(),
                        value["deprecated"].as_array().map_or(0, |a| a.len() as u64),
                    ),
                ],
                total_changes: 0,
                breaking: 0,
            };
        }
        let counts: Vec<(String, u64)> = [
            ("breaking", "breaking"),
            ("deprecated", "connector-version-deprecated"),
            ("retired", "connector-version-removed"),
            ("new versions", "connector-version-added"),
            ("new service versions", "service-version-added"),
            ("operations changed", "operation-changed"),
        ]
        .into_iter()
        .map(|(label, key)| (label.to_owned(), count(key)))
        .collect();
        NightEntry {
            stem,
            date,
            snapshot,
            from: value["from"]["snapshot"].as_i64(),
            counts,
            total_changes: value["changes"].as_array().map_or(0, |a| a.len() as u64),
            breaking: count("breaking"),
        }
    }
}

pub fn render_catalog_summary(
    summary: &CatalogSummary,
    format: Format,
    out: &mut dyn Write,
) -> io::Result<()> {
    let when = summary
        .snapshot
        .finished_at
        .as_deref()
        .unwrap_or("unfinished");
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, summary).map_err(io::Error::other)?;
            writeln!(out)
        }
        Format::Markdown | Format::Human => {
            writeln!(out, "# Tray catalog: snapshot {}\n", summary.snapshot.id)?;
            writeln!(
                out,
                "First snapshot ({when}): nothing to compare with yet. The next night's report lists what changed.\n"
            )?;
            writeln!(
                out,
                "**{}** connectors · **{}** connector versions · **{}** operations · **{}** services · **{}** outdated versions · **{}** deprecated versions\n",
                summary.connectors,
                summary.connector_versions,
                summary.operations,
                summary.services,
                summary.outdated_versions,
                summary.deprecated.len()
            )?;
            if !summary.deprecated.is_empty() {
                writeln!(
                    out,
                    "## Deprecated connector versions ({})\n",
                    summary.deprecated.len()
                )?;
                for d in &summary.deprecated {
                    writeln!(
                        out,
                        "- **{} {}**: service {} v{} is superseded; newest version {}",
                        md(&d.connector),
                        md(&d.version),
                        md(&d.service),
                        d.service_version,
                        md(&d.latest)
                    )?;
                }
            }
            Ok(())
        }
        Format::Html => {
            let title = format!("Tray catalog: snapshot {}", summary.snapshot.id);
            page_start(&title, "", out)?;
            writeln!(
                out,
                "<p class=\"muted\">First snapshot ({}): nothing to compare with yet. The next night's report lists what changed.</p>",
                html(when)
            )?;
            writeln!(out, "<div class=\"cards\">")?;
            for (label, n) in [
                ("connectors", summary.connectors),
                ("connector versions", summary.connector_versions),
                ("operations", summary.operations),
                ("services", summary.services),
                ("outdated versions", summary.outdated_versions),
                ("deprecated versions", summary.deprecated.len() as u64),
            ] {
                writeln!(out, "<div class=\"card\"><b>{n}</b>{label}</div>")?;
            }
            writeln!(out, "</div>")?;
            if !summary.deprecated.is_empty() {
                writeln!(
                    out,
                    "<h2>Deprecated connector versions ({})</h2>\n<ul class=\"changes\">",
                    summary.deprecated.len()
                )?;
                for d in &summary.deprecated {
                    writeln!(
                        out,
                        "<li><b>{} {}</b>: service {} v{} is superseded; newest version {}</li>",
                        html(&d.connector),
                        html(&d.version),
                        html(&d.service),
                        d.service_version,
                        html(&d.latest)
                    )?;
                }
                writeln!(out, "</ul>")?;
            }
            page_end(out)
        }
    }
}

/// `index.html`: every night, newest first, with links to its three formats and a chart of changes per night.
pub fn render_nights_index(nights: &[NightEntry], out: &mut dyn Write) -> io::Result<()> {
    page_start("trayscope nightly reports", INDEX_STYLE, out)?;
    if nights.is_empty() {
        writeln!(out, "<p>No reports yet.</p>")?;
        return page_end(out);
    }
    chart(nights, out)?;
    writeln!(
        out,
        "<table>\n<thead><tr><th>night</th><th>snapshot</th><th>changes</th><th>details</th><th>report</th></tr></thead>\n<tbody>"
    )?;
    for night in nights {
        let compared = match night.from {
            Some(from) => format!("{from} → {}", night.snapshot),
            None => format!("{} (first)", night.snapshot),
        };
        let details: Vec<String> = night
            .counts
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(label, n)| format!("{n} {}", html(label)))
            .collect();
        let class = if night.breaking > 0 {
            " class=\"breaking\""
        } else {
            ""
        };
        let stem = html(&night.stem);
        writeln!(
            out,
            "<tr{class}><td>{}</td><td>{compared}</td><td>{}</td><td>{}</td><td><a href=\"{stem}.html\">html</a> · <a href=\"{stem}.md\">md</a> · <a href=\"{stem}.json\">json</a></td></tr>",
            html(&night.date),
            if night.from.is_some() {
                night.total_changes.to_string()
            } else {
                "—".into()
            },
            if details.is_empty() {
                "nothing changed".to_owned()
            } else {
                details.join(", ")
            },
        )?;
    }
    writeln!(out, "</tbody>\n</table>")?;
    page_end(out)
}

/// Columns of changes per night, oldest on the left; the breaking part of each column in the error colour.
fn chart(nights: &[NightEntry], out: &mut dyn Write) -> io::Result<()> {
    let shown: Vec<&NightEntry> = nights.iter().take(60).collect();
    let max = shown
        .iter()
        .map(|n| n.total_changes)
        .max()
        .unwrap_or(0)
        .max(1);
    let (bar, gap, height) = (14usize, 4usize, 120.0f64);
    let width = shown.len() * (bar + gap) + 40;
    writeln!(
        out,
        "<h2>Changes per night</h2>\n<svg role=\"img\" aria-label=\"changes per night\" width=\"{width}\" height=\"150\" viewBox=\"0 0 {width} 150\">"
    )?;
    for (i, night) in shown.iter().rev().enumerate() {
        let x = 30 + i * (bar + gap);
        let total = (night.total_changes as f64 / max as f64 * height).round();
        let breaking =
            (night.breaking.min(night.total_changes) as f64 / max as f64 * height).round();
        writeln!(
            out,
            "<g><title>{} (snapshot {}): {} changes, {} breaking</title><rect x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{total}\"/><rect class=\"breaking\" x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{breaking}\"/></g>",
            html(&night.date),
            night.snapshot,
            night.total_changes,
            night.breaking,
            130.0 - total,
            130.0 - breaking,
        )?;
    }
    writeln!(
        out,
        "<text x=\"0\" y=\"14\">{max}</text><text x=\"0\" y=\"130\">0</text></svg>"
    )?;
    writeln!(
        out,
        "<p class=\"muted\">Blue: changes that night; red: breaking operation changes. Newest night on the right.</p>"
    )
}

/// The index table and the breaking part of the chart, on top of the shared page style.
const INDEX_STYLE: &str = "\ntable { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .35rem .6rem; \
border-bottom: 1px solid var(--line); } td:first-child, td:last-child { white-space: nowrap; } \
tr.breaking td:first-child { border-left: 3px solid var(--err); } svg rect.breaking { fill: var(--err); }";
