//! The nightly job's other pages: the first night's catalog summary (Markdown, JSON, HTML) and `index.html`, the list
//! of every night's report with a chart of changes per night. Like every renderer, these only show values.

use std::io::{self, Write};

use super::Format;
use super::html::{escape as html, page_end, page_start};
use super::markdown::escape as md;
use std::path::PathBuf;

use serde_json::Value;

use crate::diff::CatalogSummary;

/// One snapshot's reports, written.
#[derive(Debug, Clone)]
pub struct WrittenNight {
    pub snapshot: i64,
    /// The snapshot compared with, `None` for a catalog summary (no earlier complete snapshot).
    pub from: Option<i64>,
    /// Breaking `operation-changed` changes (0 for a catalog summary).
    pub breaking: u64,
    /// Every breaking change: breaking operation changes and operations removed.
    pub breaking_changes: u64,
    pub files: Vec<PathBuf>,
    /// The dated HTML report.
    pub html_report: PathBuf,
}

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
    /// The entry for a night report's JSON (a diff report or a first night's catalog summary). A diff's counts are
    /// the report's own headline ([`super::view::headline`] over its `summary`), so a row says what the report says.
    pub fn from_report_json(
        stem: String,
        date: String,
        snapshot: i64,
        value: &Value,
    ) -> NightEntry {
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
                        "deprecated versions".into(),
                        value["deprecated"].as_array().map_or(0, |a| a.len() as u64),
                    ),
                ],
                total_changes: 0,
                breaking: 0,
            };
        }
        let summary: crate::diff::Summary =
            serde_json::from_value(value["summary"].clone()).unwrap_or_default();
        // Reports written before `breaking_changes` existed: breaking operation changes plus removals.
        let summary = if value["summary"].get("breaking_changes").is_none() {
            crate::diff::Summary {
                breaking_changes: summary.breaking
                    + summary.count(crate::diff::Code::OperationRemoved),
                ..summary
            }
        } else {
            summary
        };
        NightEntry {
            stem,
            date,
            snapshot,
            from: value["from"]["snapshot"].as_i64(),
            counts: super::view::headline(&summary)
                .into_iter()
                .map(|c| (super::view::count_text(&c), c.n))
                .collect(),
            total_changes: summary.by_code.values().sum(),
            breaking: summary.breaking_changes,
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
        "<div class=\"scroll\"><table>\n<thead><tr><th>night</th><th>snapshot</th><th>changes</th><th>details</th><th>report</th></tr></thead>\n<tbody>"
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
            .map(|(text, n)| {
                if night.from.is_some() {
                    html(text)
                } else {
                    format!("{n} {}", html(text))
                }
            })
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
    writeln!(out, "</tbody>\n</table></div>")?;
    page_end(out)
}

/// Columns of changes per night, oldest on the left, dated underneath; the breaking part of each column in the error
/// colour. A night without changes is drawn as a zero (a flat mark on the axis), never left out, and a first night
/// (a catalog summary, nothing to compare with) as a hollow mark. The SVG scales with its container.
fn chart(nights: &[NightEntry], out: &mut dyn Write) -> io::Result<()> {
    const SHOWN: usize = 60;
    let shown: Vec<&NightEntry> = nights.iter().take(SHOWN).collect();
    let max = shown
        .iter()
        .map(|n| n.total_changes)
        .max()
        .unwrap_or(0)
        .max(1);
    let (bar, gap, height, left, base) = (14usize, 4usize, 110.0f64, 40usize, 120.0f64);
    let width = (shown.len() * (bar + gap) + left + 10).max(320);
    writeln!(
        out,
        "<h2>Changes per night</h2>\n<svg class=\"nights\" role=\"img\" aria-label=\"changes per night, oldest on the left\" width=\"{width}\" height=\"170\" viewBox=\"0 0 {width} 170\">"
    )?;
    writeln!(
        out,
        "<line class=\"axis\" x1=\"{left}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\"/><text x=\"{}\" y=\"14\" text-anchor=\"end\">{max}</text><text x=\"{}\" y=\"{base}\" text-anchor=\"end\">0</text>",
        width - 5,
        left - 6,
        left - 6
    )?;
    // Dates under the first and last columns and every eighth one between, so that labels never overlap.
    let label_every = 8;
    let count = shown.len();
    for (i, night) in shown.iter().rev().enumerate() {
        let x = left + 4 + i * (bar + gap);
        let total = (night.total_changes as f64 / max as f64 * height).round();
        let breaking =
            (night.breaking.min(night.total_changes) as f64 / max as f64 * height).round();
        let what = match night.from {
            None => "first snapshot, catalog summary".to_owned(),
            Some(_) => format!(
                "{}, {}",
                super::plural(night.total_changes, "change"),
                super::plural(night.breaking, "breaking change")
            ),
        };
        let mark = if night.from.is_none() {
            format!(
                "<rect class=\"first\" x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"3\"/>",
                base - 3.0
            )
        } else if night.total_changes == 0 {
            format!(
                "<rect class=\"zero\" x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"2\"/>",
                base - 2.0
            )
        } else {
            format!(
                "<rect x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{total}\"/><rect class=\"breaking\" x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{breaking}\"/>",
                base - total,
                base - breaking
            )
        };
        writeln!(
            out,
            "<g><title>{} (snapshot {}): {what}</title>{mark}</g>",
            html(&night.date),
            night.snapshot,
        )?;
        if i == 0 || i + 1 == count || i % label_every == 0 {
            writeln!(
                out,
                "<text class=\"date\" x=\"{}\" y=\"{}\" text-anchor=\"end\" transform=\"rotate(-40 {} {})\">{}</text>",
                x + bar,
                base + 14.0,
                x + bar,
                base + 14.0,
                html(night.date.get(5..).unwrap_or(&night.date))
            )?;
        }
    }
    writeln!(out, "</svg>")?;
    writeln!(
        out,
        "<p class=\"muted\">Oldest night on the left, newest on the right (the table lists newest first){}. Blue: \
         changes; red: breaking changes; a flat mark: no change that night; a hollow mark: a first snapshot.</p>",
        if nights.len() > SHOWN {
            format!("; the last {SHOWN} nights")
        } else {
            String::new()
        }
    )
}

/// The index table and the breaking part of the chart, on top of the shared page style.
const INDEX_STYLE: &str = "\n.scroll { overflow-x: auto; } table { border-collapse: collapse; width: 100%; } \
td, th { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; } \
td:first-child { white-space: nowrap; } tr.breaking td:first-child { border-left: 3px solid var(--err); } \
svg.nights { max-width: 100%; height: auto; display: block; } svg rect.breaking { fill: var(--err); } \
svg rect.zero { fill: var(--muted); } svg rect.first { fill: none; stroke: var(--muted); } \
svg line.axis { stroke: var(--line); } svg text.date { font-size: 10px; fill: var(--muted); } \
@media (max-width: 600px) { table, tbody, tr, td { display: block; } thead { display: none; } \
tr { border-bottom: 1px solid var(--line); padding: .4rem 0; } td { border: 0; padding: .1rem .5rem; } \
td:nth-child(3)::before { content: 'changes: '; color: var(--muted); } }";
