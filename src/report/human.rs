//! A diff as plain text for a terminal: the headline counts, then each section's changes one per line, the same
//! sections in the same order as the Markdown and HTML reports.

use std::io::{self, Write};

use super::text::printable;
use super::{headline, place, sections};
use crate::diff::Report;

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "snapshot {} → {}", report.from.id, report.to.id)?;
    let counts: Vec<String> = headline(report)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(label, n)| format!("{n} {label}"))
        .collect();
    if counts.is_empty() {
        return writeln!(out, "no changes");
    }
    writeln!(out, "{}", counts.join(", "))?;
    for section in sections(report) {
        if section.changes.is_empty() {
            continue;
        }
        writeln!(out, "\n{} ({})", section.title, section.changes.len())?;
        for change in section.changes {
            writeln!(
                out,
                "  {:<7} {}  {}",
                change.severity.as_diff_str(),
                printable(&place(change)),
                printable(&change.message)
            )?;
        }
    }
    Ok(())
}
