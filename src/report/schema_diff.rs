//! `trayscope schema-diff`: the changes between two schema files, as text or JSON.

use std::io::{self, Write};

use super::text::{plural, printable};
use crate::diff::{Direction, SchemaChange, schema::is_breaking};

/// One line per change (`BREAKING`/`ok`, kind, pointer, message), then a verdict line.
pub fn render_schema_diff_human(
    changes: &[SchemaChange],
    direction: Direction,
    out: &mut dyn Write,
) -> io::Result<()> {
    if changes.is_empty() {
        return writeln!(out, "no changes ({} schema)", direction.as_str());
    }
    for c in changes {
        let pointer = if c.pointer.is_empty() {
            "/"
        } else {
            &c.pointer
        };
        writeln!(
            out,
            "{:<12} {:<28} {}  {}",
            if c.breaking { "BREAKING" } else { "ok" },
            c.kind,
            printable(pointer),
            printable(&c.message)
        )?;
    }
    writeln!(
        out,
        "\n{} to the {} schema; {}",
        plural(changes.len() as u64, "change"),
        direction.as_str(),
        if is_breaking(changes) {
            "breaking"
        } else {
            "not breaking"
        }
    )
}

/// `{"direction", "breaking", "changes": [{"pointer", "kind", "breaking", "message", "old", "new"}]}`.
pub fn render_schema_diff_json(
    changes: &[SchemaChange],
    direction: Direction,
    out: &mut dyn Write,
) -> io::Result<()> {
    #[derive(serde::Serialize)]
    struct Body<'a> {
        direction: &'static str,
        breaking: bool,
        changes: Vec<JsonChange<'a>>,
    }
    #[derive(serde::Serialize)]
    struct JsonChange<'a> {
        pointer: &'a str,
        kind: String,
        breaking: bool,
        message: &'a str,
        old: &'a Option<serde_json::Value>,
        new: &'a Option<serde_json::Value>,
    }
    let body = Body {
        direction: direction.as_str(),
        breaking: is_breaking(changes),
        changes: changes
            .iter()
            .map(|c| JsonChange {
                pointer: &c.pointer,
                kind: c.kind.to_string(),
                breaking: c.breaking,
                message: &c.message,
                old: &c.old,
                new: &c.new,
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &body).map_err(io::Error::other)?;
    writeln!(out)
}
