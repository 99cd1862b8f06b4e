//! The human format: findings grouped by file, workflow and step, then a summary and the gate verdict.

use std::io::{self, Write};

use super::{HumanStyle, count};
use crate::audit::{Finding, Report, Severity};
use crate::report::printable;

struct Paint {
    color: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }

    fn dim(&self, text: &str) -> String {
        self.wrap("2", text)
    }

    fn severity(&self, severity: Severity) -> String {
        let label = format!("{:<7}", severity.as_str());
        match severity {
            Severity::Error => self.wrap("1;31", &label),
            Severity::Warning => self.wrap("33", &label),
            Severity::Note => self.wrap("36", &label),
        }
    }
}

pub fn render(report: &Report, style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
    let paint = Paint { color: style.color };
    let mut file: Option<&str> = None;
    let mut workflow: Option<&str> = None;
    let mut step: Option<(&str, Option<&str>)> = None;
    for finding in &report.findings {
        if file != Some(finding.file.as_str()) {
            if file.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{}", paint.bold(&printable(&finding.file)))?;
            file = Some(&finding.file);
            workflow = None;
            step = None;
        }
        let workflow_id = finding.workflow.as_ref().map(|w| w.id.as_str());
        if let Some(w) = &finding.workflow
            && workflow != workflow_id
        {
            writeln!(
                out,
                "  workflow {:?} {}",
                w.title,
                paint.dim(&format!("({})", printable(&w.id)))
            )?;
            workflow = workflow_id;
            step = None;
        }
        if finding.workflow.is_some() {
            let key = (finding.step.as_deref().unwrap_or(""), workflow_id);
            if step != Some(key) {
                writeln!(out, "    {}", step_heading(finding, &paint))?;
                step = Some(key);
            }
            writeln!(
                out,
                "      {} {}  {}",
                paint.severity(finding.severity),
                paint.dim(&format!("{:<28}", finding.code.as_str())),
                printable(&finding.message)
            )?;
        } else {
            let line = finding
                .line
                .map(|l| format!("line {l}"))
                .unwrap_or_default();
            writeln!(
                out,
                "  {} {} {}  {}",
                paint.dim(&line),
                paint.severity(finding.severity),
                paint.dim(&format!("{:<14}", finding.code.as_str())),
                printable(&finding.message)
            )?;
        }
    }
    if !report.findings.is_empty() {
        writeln!(out)?;
    }
    let s = &report.summary;
    let mut scanned = format!(
        "{}, {}, {} against snapshot {}",
        count(report.files_scanned, "file", "files"),
        count(report.workflows_scanned, "workflow", "workflows"),
        count(report.steps_scanned, "step", "steps"),
        report.snapshot.id
    );
    if report.literal_values + report.dynamic_values > 0 {
        scanned.push_str(&format!(
            " ({} checked, {} left to run time)",
            count(report.literal_values, "literal value", "literal values"),
            count(report.dynamic_values, "dynamic value", "dynamic values")
        ));
    }
    let total = s.errors + s.warnings + s.notes;
    if total == 0 {
        write!(out, "no findings in {scanned}")?;
    } else {
        write!(
            out,
            "{} ({}, {}, {}) in {scanned}",
            count(total, "finding", "findings"),
            count(s.errors, "error", "errors"),
            count(s.warnings, "warning", "warnings"),
            count(s.notes, "note", "notes"),
        )?;
    }
    match &report.ignore {
        Some(ignore) if s.suppressed > 0 => writeln!(
            out,
            "; {} suppressed by {}",
            s.suppressed,
            printable(&ignore.file)
        )?,
        _ => writeln!(out)?,
    }
    let gating = report.findings.iter().filter(|f| f.gating).count();
    if s.failed {
        writeln!(
            out,
            "{}",
            paint.wrap(
                "1;31",
                &format!(
                    "gate failed: {} at or above --fail-on {}",
                    count(gating as u64, "finding", "findings"),
                    s.fail_on.as_str()
                )
            )
        )
    } else {
        writeln!(
            out,
            "{}",
            paint.wrap(
                "32",
                &format!("gate passed (--fail-on {})", s.fail_on.as_str())
            )
        )
    }
}

fn step_heading(finding: &Finding, paint: &Paint) -> String {
    let mut heading = paint.bold(&printable(finding.step.as_deref().unwrap_or("?")));
    let mut place = Vec::new();
    if let Some(line) = finding.line {
        place.push(format!("line {line}"));
    }
    if let Some(location) = finding.location.as_deref().filter(|l| !l.is_empty()) {
        place.push(format!("in {location}"));
    }
    if !place.is_empty() {
        heading.push_str(&paint.dim(&printable(&format!(" ({})", place.join(", ")))));
    }
    heading.push_str(&format!(
        "  {} {}",
        printable(&finding.connector),
        printable(finding.version.as_deref().unwrap_or(""))
    ));
    if let Some(operation) = &finding.operation {
        heading.push_str(&format!(" {}", printable(operation)));
    }
    heading
}
