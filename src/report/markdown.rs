//! The Markdown report: headline counts, then one section per kind of change, with the schema diffs of changed
//! operations as fenced `diff` blocks. Catalog text is escaped so it can neither inject HTML nor break the layout.

use std::io::{self, Write};

use super::{Section, headline, place, sections};
use crate::diff::{Change, Code, Report, SchemaChange};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "# Tray catalog changes: snapshot {} → {}\n",
        report.from.id, report.to.id
    )?;
    writeln!(
        out,
        "From snapshot {} ({}) to snapshot {} ({}).\n",
        report.from.id,
        report.from.finished_at.as_deref().unwrap_or("unfinished"),
        report.to.id,
        report.to.finished_at.as_deref().unwrap_or("unfinished")
    )?;
    let counts: Vec<String> = headline(report)
        .into_iter()
        .map(|(label, n)| {
            if n > 0 {
                format!("**{n}** {label}")
            } else {
                format!("{n} {label}")
            }
        })
        .collect();
    writeln!(out, "{}\n", counts.join(" · "))?;
    if report.changes.is_empty() {
        writeln!(out, "Nothing changed.")?;
        return Ok(());
    }
    for section in sections(report) {
        if section.changes.is_empty() {
            continue;
        }
        render_section(&section, out)?;
    }
    Ok(())
}

fn render_section(section: &Section<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## {} ({})\n", section.title, section.changes.len())?;
    // A list first, then the changed operations as subsections: Markdown needs the list closed before a heading.
    let (operations, others): (Vec<&Change>, Vec<&Change>) = section
        .changes
        .iter()
        .partition(|c| c.code == Code::OperationChanged);
    for change in &others {
        writeln!(
            out,
            "- **{}** `{}`: {}",
            escape(&place(change)),
            change.code.as_str(),
            escape(&change.message)
        )?;
        if let Some(upgrade) = &change.upgrade {
            render_upgrade(upgrade, out)?;
        }
    }
    if !others.is_empty() {
        writeln!(out)?;
    }
    for change in operations {
        render_operation_change(change, out)?;
    }
    Ok(())
}

fn render_upgrade(upgrade: &crate::diff::Upgrade, out: &mut dyn Write) -> io::Result<()> {
    let list = |names: &[String]| {
        names
            .iter()
            .map(|n| code_span(n))
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(
        out,
        "  - upgrading from {}{}:",
        escape(&upgrade.from_version),
        if upgrade.breaking {
            " is breaking"
        } else {
            " is not breaking"
        }
    )?;
    if !upgrade.operations_added.is_empty() {
        writeln!(
            out,
            "    - operations added: {}",
            list(&upgrade.operations_added)
        )?;
    }
    if !upgrade.operations_removed.is_empty() {
        writeln!(
            out,
            "    - operations removed: {}",
            list(&upgrade.operations_removed)
        )?;
    }
    for op in &upgrade.operations_changed {
        writeln!(
            out,
            "    - {} changed{}:",
            code_span(&op.operation),
            if op.breaking { " (breaking)" } else { "" }
        )?;
        for c in &op.schema_changes {
            writeln!(out, "      - {}", schema_change_line(c))?;
        }
    }
    Ok(())
}

fn render_operation_change(change: &Change, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "### {}\n", escape(&place(change)))?;
    writeln!(out, "{}\n", escape(&change.message))?;
    if !change.fields.is_empty() {
        let fields: Vec<String> = change.fields.iter().map(|f| code_span(f)).collect();
        writeln!(out, "Changed: {}\n", fields.join(", "))?;
    }
    for c in &change.schema_changes {
        writeln!(out, "- {}", schema_change_line(c))?;
    }
    if !change.schema_changes.is_empty() {
        writeln!(out)?;
    }
    for diff in &change.text_diffs {
        writeln!(
            out,
            "<details><summary>{} schema diff</summary>\n",
            diff.direction.as_str()
        )?;
        let fence = fence_for(&diff.unified);
        writeln!(
            out,
            "{fence}diff\n{}{fence}\n",
            ensure_newline(&diff.unified)
        )?;
        writeln!(out, "</details>\n")?;
    }
    Ok(())
}

fn schema_change_line(c: &SchemaChange) -> String {
    let pointer = if c.pointer.is_empty() {
        "/"
    } else {
        &c.pointer
    };
    format!(
        "{} {} `{}` at {}: {}",
        if c.breaking {
            "**breaking**"
        } else {
            "non-breaking"
        },
        c.direction.as_str(),
        c.kind,
        code_span(pointer),
        escape(&c.message)
    )
}

/// Escapes Markdown and inline HTML in untrusted text, and keeps it on one line.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            _ => out.push(ch),
        }
    }
    out
}

/// A code span that holds any text: the fence is longer than any run of backticks inside.
fn code_span(text: &str) -> String {
    let longest = longest_run(text, '`');
    let fence = "`".repeat(longest + 1);
    let text = crate::report::printable(&text.replace(['\n', '\r'], " ")).into_owned();
    if longest > 0 || text.starts_with(' ') || text.ends_with(' ') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// A code fence longer than any run of backticks in the block, so catalog text cannot close it.
fn fence_for(text: &str) -> String {
    "`".repeat(longest_run(text, '`').max(2) + 1)
}

fn longest_run(text: &str, ch: char) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == ch {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

fn ensure_newline(text: &str) -> String {
    if text.ends_with('\n') {
        text.to_owned()
    } else {
        format!("{text}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_text_cannot_inject_html_or_markup() {
        let hostile = "<script>alert(1)</script> **bold** [link](http://x) | col";
        let escaped = escape(hostile);
        assert!(!escaped.contains("<script>"));
        assert!(escaped.contains("&lt;script&gt;"));
        assert!(escaped.contains("\\*\\*bold\\*\\*"));
        assert!(escaped.contains("\\[link\\]"));
        assert!(escaped.contains("\\|"));
    }

    #[test]
    fn code_spans_and_fences_outgrow_backticks_inside() {
        assert_eq!(code_span("plain"), "`plain`");
        assert_eq!(code_span("a`b"), "`` a`b ``");
        assert_eq!(fence_for("x ``` y"), "````");
        assert_eq!(fence_for("none"), "```");
    }
}
