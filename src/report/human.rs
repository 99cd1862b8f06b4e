//! A diff as plain text for a terminal: the headline counts, then each section's connectors and their (folded)
//! entries, the same sections, counts and folding as the Markdown and HTML reports.

use std::io::{self, Write};

use super::text::printable;
use super::view::{self, Entry, count_text, place_names, places_phrase};
use crate::diff::{Code, Report};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "snapshot {} → {}", report.from.id, report.to.id)?;
    let sunsets = view::sunsets(report);
    if report.changes.is_empty() {
        writeln!(out, "no changes")?;
        return match &sunsets {
            Some(sunsets) => render_sunsets(sunsets, out),
            None => Ok(()),
        };
    }
    let counts: Vec<String> = view::headline(&report.summary)
        .iter()
        .filter(|c| c.n > 0)
        .map(count_text)
        .collect();
    writeln!(out, "{}", counts.join(", "))?;
    let mut pending = sunsets.as_ref();
    for section in view::sections(report) {
        if view::sunsets_go_before(section.section)
            && let Some(sunsets) = pending.take()
        {
            render_sunsets(sunsets, out)?;
        }
        writeln!(
            out,
            "\n{}: {}",
            section.heading(),
            section.breakdown.join(", ")
        )?;
        for group in &section.connectors {
            writeln!(
                out,
                "  {} {}",
                printable(group.connector),
                printable(&group.versions.join(", "))
            )?;
            for entry in &group.entries {
                writeln!(out, "    {}", entry_line(entry))?;
            }
        }
    }
    match pending {
        Some(sunsets) => render_sunsets(sunsets, out),
        None => Ok(()),
    }
}

/// `Sunsets within 30 days (1): 1 policy entry of …`, then one line per entry.
fn render_sunsets(view: &view::SunsetsView<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\n{}: {}", view.heading, printable(&view.note))?;
    for sunset in view.sunsets {
        let mut line = format!(
            "  {} {} — sunset {} ({}): {}",
            printable(&sunset.connector),
            printable(&sunset.versions.join(", ")),
            printable(&sunset.sunset),
            view::days_left_text(sunset.days_left),
            printable(&sunset.reason)
        );
        if let Some(replacement) = &sunset.replacement {
            line.push_str("; move to ");
            line.push_str(&printable(&view::replacement_text(replacement)));
        }
        writeln!(out, "{line} (policy entry {})", sunset.entry)?;
    }
    Ok(())
}

/// `/properties/a`, or `/properties/a and 2 other places`.
fn pointers(pointers: &[&str]) -> String {
    let first = match pointers.first() {
        Some(p) if !p.is_empty() => p,
        _ => "/",
    };
    match pointers.len() {
        0 | 1 => first.to_owned(),
        n => format!("{first} and {}", super::plural(n as u64 - 1, "other place")),
    }
}

fn entry_line(entry: &Entry<'_>) -> String {
    let names = |places| printable(&place_names(places).join(", ")).into_owned();
    match entry {
        Entry::Change(change) => format!(
            "{:<7} {}",
            change.severity.as_diff_str(),
            printable(&change.message)
        ),
        Entry::Operations {
            code,
            severity,
            version,
            operations,
        } => format!(
            "{:<7} {} {} {}: {}",
            severity.as_diff_str(),
            super::plural(operations.len() as u64, "operation"),
            if *code == Code::OperationRemoved {
                "removed from"
            } else {
                "added to"
            },
            printable(version),
            printable(&operations.join(", "))
        ),
        Entry::Schema(fold) => format!(
            "{:<7} {} {} at {}: {} ({} {})",
            if fold.change.breaking {
                "BREAKING"
            } else {
                "ok"
            },
            fold.change.direction.as_str(),
            fold.change.kind,
            printable(&pointers(&fold.pointers)),
            printable(&fold.change.message),
            places_phrase(&fold.places),
            names(&fold.places)
        ),
        Entry::Fields {
            fields,
            breaking,
            places,
        } => format!(
            "{:<7} {} changed {} {}",
            if *breaking { "BREAKING" } else { "ok" },
            printable(&fields.join(", ")),
            places_phrase(places),
            names(places)
        ),
    }
}
