//! SARIF 2.1.0: one rule per code, one result per finding (suppressed ones carry a `suppressions` entry with the
//! ignore file's reason), located in the export file and, when found, the line of the step's key.

use std::io::{self, Write};

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;

use strum::IntoEnumIterator;

use crate::audit::{Code, Deprecation, FailOn, Finding, Report, SnapshotRef, WorkflowRef};

/// Characters a relative URI reference cannot hold as they are (path separators stay).
const URI_PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

// The log is written from borrowed, typed values and without indentation: tens of thousands of results must not
// cost a second tree of JSON values, and the file is for tools (GitHub code scanning caps uploads by size).

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: String,
    short_description: Text<'static>,
    full_description: Text<'static>,
    default_configuration: Configuration,
    help: Text<'static>,
}

#[derive(Serialize)]
struct Text<'a> {
    text: std::borrow::Cow<'a, str>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    snapshot: &'a SnapshotRef,
    files_scanned: u64,
    workflows_scanned: u64,
    steps_scanned: u64,
    literal_values: u64,
    dynamic_values: u64,
    fail_on: FailOn,
    gate_failed: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text<'a>,
    locations: [Location<'a>; 1],
    partial_fingerprints: Fingerprints<'a>,
    properties: ResultProperties<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression; 1]>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    logical_locations: Option<[LogicalLocation<'a>; 1]>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: &'a str,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
struct Fingerprints<'a> {
    /// v2: the fingerprint scheme shared with the diff (length-prefixed fields); v1 values were NUL-separated.
    #[serde(rename = "trayscope/v2")]
    v2: &'a str,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    connector: &'a str,
    version: Option<&'a str>,
    latest: Option<&'a str>,
    operation: Option<&'a str>,
    workflow: Option<&'a WorkflowRef>,
    step: Option<&'a str>,
    inputs: &'a [String],
    /// `invalid-input-value` and value `upgrade-impact`: where the value is in the step's input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pointer: Option<&'a str>,
    #[serde(rename = "schemaPointer", skip_serializing_if = "Option::is_none")]
    schema_pointer: Option<&'a str>,
    /// Deprecated and retired pins: where the verdict came from and when it bites (the audit JSON's object).
    #[serde(skip_serializing_if = "Option::is_none")]
    deprecation: Option<&'a Deprecation>,
    gating: bool,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut results: Vec<SarifResult<'_>> =
        report.findings.iter().map(|f| result(f, None)).collect();
    results.extend(
        report
            .suppressed
            .iter()
            .map(|s| result(&s.finding, Some((s.ignore_entry, s.reason.as_str())))),
    );
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "trayscope",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules: Code::iter().map(rule).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results,
            properties: RunProperties {
                snapshot: &report.snapshot,
                files_scanned: report.files_scanned,
                workflows_scanned: report.workflows_scanned,
                steps_scanned: report.steps_scanned,
                literal_values: report.literal_values,
                dynamic_values: report.dynamic_values,
                fail_on: report.summary.fail_on,
                gate_failed: report.summary.failed,
            },
        }],
    };
    serde_json::to_writer(&mut *out, &log)?;
    writeln!(out)
}

fn rule(code: Code) -> Rule {
    Rule {
        id: code.as_str(),
        name: pascal_case(code.as_str()),
        short_description: Text {
            text: code.summary().into(),
        },
        full_description: Text {
            text: code.summary().into(),
        },
        default_configuration: Configuration {
            level: code.severity().as_str(),
        },
        help: Text {
            text: format!(
                "{} See `trayscope audit --help` and docs/CLI.md.",
                code.summary()
            )
            .into(),
        },
    }
}

fn result<'a>(finding: &'a Finding, suppression: Option<(usize, &str)>) -> SarifResult<'a> {
    let logical = match (&finding.workflow, &finding.step) {
        (Some(workflow), Some(step)) => Some([LogicalLocation {
            name: step,
            fully_qualified_name: format!("{}/{}", workflow.title, step),
            kind: "object",
        }]),
        _ => None,
    };
    SarifResult {
        rule_id: finding.code.as_str(),
        rule_index: Code::iter().position(|c| c == finding.code).unwrap_or(0),
        level: finding.severity.as_str(),
        message: Text {
            text: finding.message.as_str().into(),
        },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: uri(&finding.file),
                },
                region: finding.line.map(|start_line| Region { start_line }),
            },
            logical_locations: logical,
        }],
        partial_fingerprints: Fingerprints {
            v2: &finding.fingerprint,
        },
        properties: ResultProperties {
            connector: &finding.connector,
            version: finding.version.as_deref(),
            latest: finding.latest.as_deref(),
            operation: finding.operation.as_deref(),
            workflow: finding.workflow.as_ref(),
            step: finding.step.as_deref(),
            inputs: &finding.inputs,
            pointer: finding.pointer.as_deref(),
            schema_pointer: finding.schema_pointer.as_deref(),
            deprecation: finding.deprecation.as_ref(),
            gating: finding.gating,
        },
        suppressions: suppression.map(|(entry, reason)| {
            [Suppression {
                kind: "external",
                status: "accepted",
                justification: format!("ignore entry {entry}: {reason}"),
            }]
        }),
    }
}

/// A relative path as a URI reference; an absolute one as a `file://` URI.
fn uri(path: &str) -> String {
    let encoded = utf8_percent_encode(path, URI_PATH).to_string();
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

fn pascal_case(code: &str) -> String {
    code.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("exports/a b#1.json"), "exports/a%20b%231.json");
        assert_eq!(uri("/tmp/x.json"), "file:///tmp/x.json");
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(
            pascal_case("retired-connector-version"),
            "RetiredConnectorVersion"
        );
    }
}
