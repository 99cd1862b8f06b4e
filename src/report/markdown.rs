//! The Markdown report, made to be posted where people read it (a GitHub comment holds 65,536 characters): the
//! headline counts, then each section grouped by connector, most severe first, with the same schema change in many
//! operations folded into one entry, and schema text diffs collapsed.
//!
//! When the whole report is longer than the budget (`max_chars`, 60,000 by default), the schema text diffs go
//! first; if that is not enough, connectors are kept in the report's order while they fit, so breaking changes,
//! new service versions, deprecations and retirements come before new connectors and other changes. The headline,
//! the policy's "Sunsets within N days" and every section's heading and counts always stay. A last line says what was left out and where the full
//! report is. Catalog text is escaped so it can neither inject HTML nor break the layout.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::RenderOptions;
use super::view::{
    self, ConnectorGroup, Entry, SectionId, SectionView, count_text, message_parts, place_names,
    places_phrase,
};
use crate::diff::{Change, Report, Upgrade};

/// How many names a folded entry shows before "and N more".
const NAMES_SHOWN: usize = 5;

/// How much of a section a block shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Detail {
    /// Entries and schema text diffs.
    Full,
    /// Entries, no text diffs.
    Entries,
}

pub fn render(report: &Report, options: &RenderOptions<'_>, out: &mut dyn Write) -> io::Result<()> {
    let text = render_to_string(report, options);
    out.write_all(text.as_bytes())
}

/// The report within `options.max_chars` characters (0: no limit).
pub fn render_to_string(report: &Report, options: &RenderOptions<'_>) -> String {
    let sections = view::sections(report);
    let head = headline(report);
    let sunsets = view::sunsets(report)
        .map(|view| sunsets_section(&view))
        .unwrap_or_default();
    let full = assemble(&head, &sunsets, &sections, |_| Detail::Full);
    let budget = options.max_chars;
    if budget == 0 || chars(&full) <= budget {
        return full;
    }
    let body = assemble(&head, &sunsets, &sections, |_| Detail::Entries);
    let note = footer("the schema text diffs", options, budget);
    if chars(&body) + chars(&note) <= budget {
        return body + &note;
    }
    cut_to_fit(&head, &sunsets, &sections, options, budget)
}

/// "Sunsets within N days": never cut, like the headline (a policy lists a few dozen entries at most).
fn sunsets_section(view: &view::SunsetsView<'_>) -> String {
    let mut text = format!(
        "## {}

{}

",
        view.heading,
        escape(&view.note)
    );
    for sunset in view.sunsets {
        let _ = write!(
            text,
            "- {} versions {} — sunset {} ({}): {}",
            code_span(&sunset.connector),
            escape(&sunset.versions.join(", ")),
            escape(&sunset.sunset),
            view::days_left_text(sunset.days_left),
            escape(&sunset.reason)
        );
        if let Some(replacement) = &sunset.replacement {
            let _ = write!(
                text,
                "; move to {}",
                escape(&view::replacement_text(replacement))
            );
        }
        if let Some(source) = sunset.source.as_deref() {
            let _ = match view::link_target(source) {
                Some(url) => write!(text, " · [announcement]({url})"),
                None => write!(text, " · announced in {}", code_span(source)),
            };
        }
        let _ = writeln!(text, " · policy entry {}", sunset.entry);
    }
    text.push('\n');
    text
}

/// Calls `each` with the blocks of the report in order: `sunsets` (when not empty) goes before the first section
/// [`view::sunsets_go_before`] names, or last.
fn in_order<'s, 'v>(
    sunsets: &str,
    sections: &'s [SectionView<'v>],
    mut each: impl FnMut(Block<'s, 'v, '_>),
) {
    let mut pending = (!sunsets.is_empty()).then_some(sunsets);
    for section in sections {
        if view::sunsets_go_before(section.section)
            && let Some(text) = pending.take()
        {
            each(Block::Sunsets(text));
        }
        each(Block::Section(section));
    }
    if let Some(text) = pending {
        each(Block::Sunsets(text));
    }
}

enum Block<'s, 'v, 't> {
    Sunsets(&'t str),
    Section(&'s SectionView<'v>),
}

/// Without text diffs, section after section and connector after connector in the report's order (so breaking
/// changes, new services, deprecations and retirements come first), every block that still fits; the headline and
/// every section heading with its counts always stay. The note names what was left out of which section.
fn cut_to_fit(
    head: &str,
    sunsets: &str,
    sections: &[SectionView<'_>],
    options: &RenderOptions<'_>,
    budget: usize,
) -> String {
    let headings: Vec<String> = sections.iter().map(section_heading).collect();
    // Room for every heading, and for the note as long as it can get: every section left out whole.
    let worst: Vec<(usize, usize, SectionId)> = sections
        .iter()
        .map(|s| (s.connectors.len(), s.connectors.len(), s.section))
        .collect();
    let mut room = budget
        .saturating_sub(chars(head))
        .saturating_sub(chars(sunsets))
        .saturating_sub(headings.iter().map(|h| chars(h)).sum())
        .saturating_sub(chars(&footer(&left_out_text(&worst), options, budget)));
    let mut text = head.to_owned();
    let mut left_out = Vec::new();
    let mut headings = headings.iter();
    in_order(sunsets, sections, |block| {
        let section = match block {
            Block::Sunsets(sunsets) => return text.push_str(sunsets),
            Block::Section(section) => section,
        };
        if let Some(heading) = headings.next() {
            text.push_str(heading);
        }
        let mut left = 0;
        for group in &section.connectors {
            let block = connector_block(group, Detail::Entries);
            let size = chars(&block);
            if size <= room {
                room -= size;
                text.push_str(&block);
            } else {
                left += 1;
            }
        }
        if left > 0 {
            left_out.push((left, section.connectors.len(), section.section));
        }
    });
    text + &footer(&left_out_text(&left_out), options, budget)
}

/// What a shortened report left out: the text diffs, and per section how many of its connectors.
fn left_out_text(sections: &[(usize, usize, SectionId)]) -> String {
    if sections.is_empty() {
        return "the schema text diffs".to_owned();
    }
    let parts: Vec<String> = sections
        .iter()
        .map(|(left, of, section)| {
            format!(
                "{left} of {} of \"{}\"",
                super::plural(*of as u64, "connector"),
                section.title()
            )
        })
        .collect();
    format!(
        "the schema text diffs, and {} (their counts are above)",
        parts.join(", ")
    )
}

fn chars(text: &str) -> usize {
    text.chars().count()
}

fn footer(left_out: &str, options: &RenderOptions<'_>, budget: usize) -> String {
    format!(
        "\n---\n\n_This report was shortened to fit {budget} characters: it leaves out {left_out}. The full report \
         is {}._\n",
        options.full_report
    )
}

fn assemble(
    head: &str,
    sunsets: &str,
    sections: &[SectionView<'_>],
    detail: impl Fn(SectionId) -> Detail,
) -> String {
    let mut text = head.to_owned();
    in_order(sunsets, sections, |block| match block {
        Block::Sunsets(sunsets) => text.push_str(sunsets),
        Block::Section(section) => {
            text.push_str(&section_heading(section));
            let detail = detail(section.section);
            for group in &section.connectors {
                text.push_str(&connector_block(group, detail));
            }
        }
    });
    text
}

fn headline(report: &Report) -> String {
    let mut text = format!(
        "# Tray catalog changes: snapshot {} → {}\n\nFrom snapshot {} ({}) to snapshot {} ({}).\n\n",
        report.from.id,
        report.to.id,
        report.from.id,
        report.from.finished_at.as_deref().unwrap_or("unfinished"),
        report.to.id,
        report.to.finished_at.as_deref().unwrap_or("unfinished")
    );
    if report.changes.is_empty() {
        // A blank line before the sunsets, the one section a report without changes can have.
        text.push_str(if report.sunsets.is_empty() {
            "Nothing changed.\n"
        } else {
            "Nothing changed.\n\n"
        });
        return text;
    }
    let counts: Vec<String> = view::headline(&report.summary)
        .iter()
        .filter(|c| c.n > 0)
        .map(|c| format!("**{}**", count_text(c)))
        .collect();
    let _ = writeln!(
        text,
        "{} in {}.\n",
        counts.join(" · "),
        super::plural(report.summary.connectors_changed, "connector")
    );
    text
}

fn section_heading(section: &SectionView<'_>) -> String {
    let mut text = format!("## {}\n\n", section.heading());
    let _ = writeln!(
        text,
        "{} in {}.\n",
        section.breakdown.join(", "),
        super::plural(section.connectors.len() as u64, "connector")
    );
    text
}

fn connector_block(group: &ConnectorGroup<'_>, detail: Detail) -> String {
    let mut text = format!("### {}", escape(group.connector));
    if !group.versions.is_empty() {
        let _ = write!(text, " {}", escape(&group.versions.join(", ")));
    }
    let _ = write!(text, " · {}", super::plural(group.changes as u64, "change"));
    if group.breaking > 0 {
        let _ = write!(text, ", {} breaking", group.breaking);
    }
    text.push_str("\n\n");
    for entry in &group.entries {
        entry_lines(entry, &mut text);
    }
    text.push('\n');
    if detail == Detail::Full && !group.text_diffs.is_empty() {
        let _ = writeln!(
            text,
            "<details><summary>schema diffs ({})</summary>\n",
            group.text_diffs.len()
        );
        for diff in &group.text_diffs {
            let names = place_names(&diff.places);
            let _ = writeln!(
                text,
                "{} schema of {}:\n",
                diff.direction.as_str(),
                name_list(&names)
            );
            let fence = fence_for(diff.unified);
            let _ = writeln!(
                text,
                "{fence}diff\n{}{fence}\n",
                ensure_newline(diff.unified)
            );
        }
        text.push_str("</details>\n\n");
    }
    text
}

fn entry_lines(entry: &Entry<'_>, text: &mut String) {
    match entry {
        Entry::Change(change) => {
            let _ = writeln!(text, "- {}", change_line(change));
            if let Some(upgrade) = &change.upgrade {
                upgrade_lines(upgrade, text);
            }
        }
        Entry::Operations {
            code,
            version,
            operations,
            ..
        } => {
            let names: Vec<String> = operations.iter().map(|s| (*s).to_owned()).collect();
            let what = if *code == crate::diff::Code::OperationRemoved {
                format!(
                    "**{} removed** from {} without a version bump (steps using {} break)",
                    super::plural(operations.len() as u64, "operation"),
                    escape(version),
                    if operations.len() == 1 { "it" } else { "them" }
                )
            } else {
                format!(
                    "{} added to {}",
                    super::plural(operations.len() as u64, "operation"),
                    escape(version)
                )
            };
            let _ = writeln!(text, "- {what}: {}", name_list(&names));
        }
        Entry::Schema(fold) => {
            let _ = writeln!(
                text,
                "- {} — {} {}",
                folded_change_line(fold),
                places_phrase(&fold.places),
                name_list(&place_names(&fold.places))
            );
        }
        Entry::Fields {
            fields,
            breaking,
            places,
        } => {
            let fields: Vec<String> = fields.iter().map(|f| code_span(f)).collect();
            let _ = writeln!(
                text,
                "- {}{} changed {} {}",
                if *breaking { "**breaking** " } else { "" },
                fields.join(", "),
                places_phrase(places),
                name_list(&place_names(places))
            );
        }
    }
}

fn change_line(change: &Change) -> String {
    format!(
        "{} `{}`: {}",
        severity(change),
        change.code.as_str(),
        rich(&change.message)
    )
}

fn severity(change: &Change) -> &'static str {
    match change.severity {
        crate::diff::Severity::Error => "**error**",
        crate::diff::Severity::Warning => "**warning**",
        crate::diff::Severity::Note => "info",
    }
}

fn upgrade_lines(upgrade: &Upgrade, text: &mut String) {
    let list = |names: &[String]| name_list(names);
    let _ = writeln!(
        text,
        "  - upgrading from {} {}",
        escape(&upgrade.from_version),
        if upgrade.breaking {
            "is breaking"
        } else {
            "is not breaking"
        }
    );
    if !upgrade.operations_added.is_empty() {
        let _ = writeln!(
            text,
            "    - operations added: {}",
            list(&upgrade.operations_added)
        );
    }
    if !upgrade.operations_removed.is_empty() {
        let _ = writeln!(
            text,
            "    - operations removed: {}",
            list(&upgrade.operations_removed)
        );
    }
    if let Some((label, changed)) = view::upgrade_changed(upgrade) {
        let _ = writeln!(text, "    - {label}: {}", name_list(&changed));
    }
    for fold in view::fold_upgrade(upgrade) {
        let _ = writeln!(
            text,
            "    - {} — {} {}",
            folded_change_line(&fold),
            places_phrase(&fold.places),
            name_list(&place_names(&fold.places))
        );
    }
}

/// A folded schema change: its verdict, kind, where (one pointer, or the first and how many more) and message.
fn folded_change_line(fold: &view::SchemaFold<'_>) -> String {
    let c = fold.change;
    let first = match fold.pointers.first() {
        Some(p) if !p.is_empty() => p,
        _ => "/",
    };
    let at = match fold.pointers.len() {
        0 | 1 => code_span(first),
        n => format!(
            "{} and {} other",
            code_span(first),
            super::plural(n as u64 - 1, "place")
        ),
    };
    format!(
        "{} {} `{}` at {at}: {}",
        if c.breaking {
            "**breaking**"
        } else {
            "non-breaking"
        },
        c.direction.as_str(),
        c.kind,
        rich(&c.message)
    )
}

/// The first names as code spans, the rest behind a `<details>` that GitHub folds: `a`, `b`, … and 60 more.
fn name_list(names: &[String]) -> String {
    let shown: Vec<String> = names
        .iter()
        .take(NAMES_SHOWN)
        .map(|n| code_span(n))
        .collect();
    let mut text = shown.join(", ");
    if names.len() > NAMES_SHOWN {
        let rest: Vec<String> = names[NAMES_SHOWN..].iter().map(|n| escape(n)).collect();
        let _ = write!(
            text,
            " <details><summary>and {} more</summary>{}</details>",
            names.len() - NAMES_SHOWN,
            rest.join(", ")
        );
    }
    text
}

/// A message with its backticked names as code spans, the rest escaped.
fn rich(message: &str) -> String {
    message_parts(message)
        .into_iter()
        .map(|(code, part)| if code { code_span(part) } else { escape(part) })
        .collect()
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
pub(super) fn code_span(text: &str) -> String {
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

    fn report_with_sunsets(connectors: usize) -> Report {
        let snapshot = |id| crate::diff::SnapshotRef {
            id,
            finished_at: None,
            source: "dir".into(),
        };
        let changes = (0..connectors)
            .map(|i| Change {
                code: crate::diff::Code::ConnectorAdded,
                severity: crate::diff::Severity::Note,
                connector: format!("connector-{i:03}"),
                version: Some("1.0".into()),
                operation: None,
                service: None,
                message: format!(
                    "connector-{i:03} is new: {}",
                    "a long description ".repeat(5)
                ),
                fingerprint: format!("{i:016x}"),
                breaking: None,
                fields: Vec::new(),
                schema_changes: Vec::new(),
                text_diffs: Vec::new(),
                upgrade: None,
            })
            .collect();
        let mut report = Report::new(snapshot(1), snapshot(2), changes);
        report.policy = Some(crate::policy::PolicyReport {
            file: "deprecations.toml".into(),
            entries: 1,
            today: "2027-02-15".into(),
            sunset_within: 1,
        });
        report.sunsets = vec![crate::diff::Sunset {
            entry: 1,
            connector: "mailer".into(),
            versions: vec!["2.0".into(), "2.1".into()],
            requirement: "service versions <4".into(),
            sunset: "2027-02-16".into(),
            days_left: 1,
            reason: "Mailer API v3 is switched off".into(),
            replacement: None,
            source: Some("https://example.com/notes (draft)".into()),
        }];
        report
    }

    #[test]
    fn a_shortened_report_keeps_the_sunsets_whole() {
        let report = report_with_sunsets(200);
        let options = RenderOptions {
            max_chars: 2_000,
            full_report: "elsewhere",
        };
        let text = render_to_string(&report, &options);
        assert!(chars(&text) <= 2_000, "{}", chars(&text));
        assert!(
            text.contains("of \"New connectors and versions\""),
            "it was cut:\n{text}"
        );
        assert!(
            text.contains(
                "## Sunsets within 1 day (1)\n\n1 policy entry of deprecations.toml, as of 2027-02-15.\n\n- `mailer` \
                 versions 2.0, 2.1 — sunset 2027-02-16 (1 day left): Mailer API v3 is switched off · announced in \
                 `https://example.com/notes (draft)` · policy entry 1\n"
            ),
            "{text}"
        );
        // Where deprecations would be: after the headline, before the new connectors.
        assert!(text.find("## Sunsets").unwrap() < text.find("## New connectors").unwrap());
    }

    #[test]
    fn a_report_without_changes_still_shows_its_sunsets() {
        let text = render_to_string(&report_with_sunsets(0), &RenderOptions::default());
        assert!(
            text.contains("Nothing changed.\n\n## Sunsets within 1 day (1)\n"),
            "{text}"
        );
    }

    #[test]
    fn code_spans_and_fences_outgrow_backticks_inside() {
        assert_eq!(code_span("plain"), "`plain`");
        assert_eq!(code_span("a`b"), "`` a`b ``");
        assert_eq!(fence_for("x ``` y"), "````");
        assert_eq!(fence_for("none"), "```");
    }
}
