//! `trayscope history`: one connector's timeline as text. (Its JSON is the [`Timeline`] itself.)

use std::io::{self, Write};

use super::text::{plural, printable};
use crate::history::Timeline;

/// One line per event, date first, in snapshot order; an operation change lists its schema changes beneath it,
/// then a count.
pub fn render_history(timeline: &Timeline, out: &mut dyn Write) -> io::Result<()> {
    for event in &timeline.events {
        writeln!(
            out,
            "{}  snapshot {:<4} {:<19} {}",
            event.date.as_deref().unwrap_or("-"),
            event.snapshot,
            event.code.as_str(),
            printable(&event.message)
        )?;
        for change in &event.schema_changes {
            let pointer = if change.pointer.is_empty() {
                "/"
            } else {
                &change.pointer
            };
            writeln!(
                out,
                "      {:<8} {:<6} {:<28} {}  {}",
                if change.breaking { "BREAKING" } else { "ok" },
                change.direction.as_str(),
                change.kind,
                printable(pointer),
                printable(&change.message)
            )?;
        }
    }
    if !timeline.declared.is_empty() {
        writeln!(out, "deprecation policy:")?;
        // Each entry's announcement and sunset, in date order, beside the catalog's events above.
        let mut lines: Vec<(&str, String)> = Vec::new();
        for d in &timeline.declared {
            let about = format!("entry {:<3} {} {}", d.entry, d.connector, d.versions);
            if let Some(announced) = &d.announced {
                lines.push((
                    announced,
                    format!("{:<9} {about}: {}", "announced", d.reason),
                ));
            }
            let when = match d.days_left {
                0 => "today".to_owned(),
                1 => "1 day left".to_owned(),
                n if n > 1 => format!("{n} days left"),
                -1 => "1 day ago".to_owned(),
                n => format!("{} days ago", -n),
            };
            let affects = if d.affected.is_empty() {
                "no version in the latest snapshot".to_owned()
            } else {
                format!("affects {}", d.affected.join(", "))
            };
            let to = d
                .replacement
                .as_ref()
                .map(|r| format!("; move to {} {}", r.connector, r.version))
                .unwrap_or_default();
            let pending = if d.active { "" } else { "; not announced yet" };
            lines.push((
                &d.sunset,
                format!("{:<9} {about} ({when}; {affects}{to}{pending})", "sunset"),
            ));
        }
        lines.sort_by(|a, b| a.0.cmp(b.0));
        for (date, text) in lines {
            writeln!(out, "{date}  {}", printable(&text))?;
        }
    }
    let what = match &timeline.operation {
        Some(op) => format!("{} (operation {op})", timeline.connector),
        None => timeline.connector.clone(),
    };
    writeln!(
        out,
        "{} for {} across {}",
        plural(timeline.events.len() as u64, "event"),
        printable(&what),
        plural(timeline.snapshots as u64, "complete snapshot")
    )
}
