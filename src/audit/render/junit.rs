//! JUnit XML: a test suite per export file, a test case per step. A step with a gating finding fails (its findings
//! in the failure's text); non-gating findings go to the case's `system-out`. Findings about the ignore file or the
//! deprecation policy get a suite per file.

use std::collections::HashMap;
use std::io::{self, Write};

use crate::audit::{Finding, Report};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // Findings per (file, workflow id, step), in report order.
    let mut by_step: HashMap<(&str, &str, &str), Vec<&Finding>> = HashMap::new();
    let mut about_ignore_file: Vec<&Finding> = Vec::new();
    for finding in &report.findings {
        match (&finding.workflow, &finding.step) {
            (Some(w), Some(step)) if finding.code.is_about_a_step() => by_step
                .entry((finding.file.as_str(), w.id.as_str(), step.as_str()))
                .or_default()
                .push(finding),
            _ => about_ignore_file.push(finding),
        }
    }
    let failed = |findings: &[&Finding]| findings.iter().any(|f| f.gating);
    let mut suites = Vec::new();
    let (mut total_tests, mut total_failures) = (0usize, 0usize);
    for file in &report.files {
        let mut cases = String::new();
        let (mut tests, mut failures) = (0usize, 0usize);
        for workflow in &file.workflows {
            for step in &workflow.steps {
                tests += 1;
                let findings = by_step
                    .get(&(
                        file.file.as_str(),
                        workflow.workflow.id.as_str(),
                        step.name.as_str(),
                    ))
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                if failed(findings) {
                    failures += 1;
                }
                push_case(
                    &mut cases,
                    &format!("{} / {}", file.file, workflow.workflow.title),
                    &step.name,
                    &file.file,
                    step.line,
                    findings,
                );
            }
        }
        total_tests += tests;
        total_failures += failures;
        suites.push(suite(&file.file, tests, failures, &cases));
    }
    // Findings about the ignore file or the deprecation policy: a suite per file, in report order.
    let mut about_files: Vec<(&str, Vec<&Finding>)> = Vec::new();
    for finding in about_ignore_file {
        match about_files.iter_mut().find(|(f, _)| *f == finding.file) {
            Some((_, findings)) => findings.push(finding),
            None => about_files.push((finding.file.as_str(), vec![finding])),
        }
    }
    for (file, findings) in &about_files {
        let mut cases = String::new();
        let mut failures = 0;
        for finding in findings {
            if finding.gating {
                failures += 1;
            }
            push_case(
                &mut cases,
                file,
                &format!(
                    "{} line {}",
                    finding.code.as_str(),
                    finding.line.unwrap_or(0)
                ),
                file,
                finding.line,
                std::slice::from_ref(finding),
            );
        }
        total_tests += findings.len();
        total_failures += failures;
        suites.push(suite(file, findings.len(), failures, &cases));
    }
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites name=\"trayscope audit\" tests=\"{total_tests}\" failures=\"{total_failures}\" errors=\"0\">"
    )?;
    for suite in suites {
        out.write_all(suite.as_bytes())?;
    }
    writeln!(out, "</testsuites>")
}

fn suite(name: &str, tests: usize, failures: usize, cases: &str) -> String {
    format!(
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n{cases}  </testsuite>\n",
        escape(name)
    )
}

/// One `<testcase>`: a `<failure>` when some finding gates (all of them in its text); otherwise any findings in
/// `<system-out>`.
fn push_case(
    cases: &mut String,
    classname: &str,
    name: &str,
    file: &str,
    line: Option<usize>,
    findings: &[&Finding],
) {
    cases.push_str(&format!(
        "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\"{}",
        escape(classname),
        escape(name),
        escape(file),
        line.map(|l| format!(" line=\"{l}\"")).unwrap_or_default()
    ));
    if findings.is_empty() {
        cases.push_str("/>\n");
        return;
    }
    cases.push_str(">\n");
    let text: Vec<String> = findings
        .iter()
        .map(|f| format!("{} {}: {}", f.severity.as_str(), f.code.as_str(), f.message))
        .collect();
    let text = escape(&text.join("\n")).replace("&#10;", "\n");
    match findings.iter().find(|f| f.gating) {
        Some(first) => cases.push_str(&format!(
            "      <failure type=\"{}\" message=\"{}\">{text}</failure>\n",
            first.code.as_str(),
            escape(&first.message)
        )),
        None => cases.push_str(&format!("      <system-out>{text}</system-out>\n")),
    }
    cases.push_str("    </testcase>\n");
}

/// Escapes text for XML 1.0 attributes and content, dropping characters XML cannot hold.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_special_and_control_characters_are_escaped_or_dropped() {
        assert_eq!(
            escape("a<b & \"c\"\u{1}\n"),
            "a&lt;b &amp; &quot;c&quot;&#10;"
        );
    }
}
