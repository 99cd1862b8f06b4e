//! GitHub Actions workflow commands: one `::error`, `::warning` or `::notice` annotation per finding, located in
//! the export file (and line), then a plain summary line.

use std::io::{self, Write};

use super::count;
use crate::audit::{Report, Severity};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for finding in &report.findings {
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut properties = format!("file={}", property(&finding.file));
        if let Some(line) = finding.line {
            properties.push_str(&format!(",line={line}"));
        }
        properties.push_str(&format!(
            ",title={}",
            property(&format!("trayscope {}", finding.code.as_str()))
        ));
        let context = match (&finding.workflow, &finding.step) {
            (Some(w), Some(s)) => format!("{} / {}: ", w.title, s),
            _ => String::new(),
        };
        writeln!(
            out,
            "::{command} {properties}::{}",
            data(&format!("{context}{}", finding.message))
        )?;
    }
    let s = &report.summary;
    writeln!(
        out,
        "trayscope audit: {}, {}, {} ({} suppressed) in {} and {}; gate {} (--fail-on {})",
        count(s.errors, "error", "errors"),
        count(s.warnings, "warning", "warnings"),
        count(s.notes, "note", "notes"),
        s.suppressed,
        count(report.files_scanned, "file", "files"),
        count(report.steps_scanned, "step", "steps"),
        if s.failed { "failed" } else { "passed" },
        s.fail_on.as_str()
    )
}

/// Escapes a command's message (GitHub's `escapeData`), after every other control character has been made
/// printable: nothing in an export can end the command's line or reach the terminal raw.
fn data(text: &str) -> String {
    let escaped = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    crate::report::printable(&escaped).into_owned()
}

/// Escapes a command property (GitHub's `escapeProperty`).
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_text_is_escaped_as_github_does() {
        assert_eq!(data("50%\nnext"), "50%25%0Anext");
        assert_eq!(property("a:b,c.json"), "a%3Ab%2Cc.json");
        let hostile = data("ghost\n::error file=x::X\u{1b}]0;t\u{7}");
        assert!(
            !hostile.contains('\n') && !hostile.chars().any(char::is_control),
            "{hostile}"
        );
    }
}
