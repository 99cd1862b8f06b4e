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
