//! Renderers of an audit [`Report`]: human text, JSON, SARIF 2.1.0, JUnit XML and GitHub Actions workflow commands.
//!
//! Renderers only show: every verdict (severity, gating, suppression, counts) is already in the report. They must
//! never compute a finding or decide the gate, so that every format tells the same story.

mod github;
mod human;
mod junit;
mod sarif;

use std::io::{self, Write};

use super::Report;

/// An output format of `trayscope audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Junit,
    Github,
}

/// How to show the human format.
#[derive(Debug, Clone, Copy, Default)]
pub struct HumanStyle {
    /// ANSI colours (a terminal, and NO_COLOR unset).
    pub color: bool,
}

/// Writes `report` in `format`.
pub fn render(
    report: &Report,
    format: Format,
    style: HumanStyle,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, style, out),
        Format::Json => json(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Junit => junit::render(report, out),
        Format::Github => github::render(report, out),
    }
}

/// The JSON format: the report as documented by `docs/audit.schema.json`.
fn json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}

/// The `connectorMapping` array Tray's project import accepts.
pub fn connector_mapping(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &report.connector_mapping)?;
    writeln!(out)
}

/// "1 error", "2 warnings".
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
