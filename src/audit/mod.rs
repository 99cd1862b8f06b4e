//! The audit: which of a team's Tray workflow exports pin retired, deprecated or outdated connector versions, call
//! operations that do not exist, or leave required inputs unset — judged against one complete snapshot.
//!
//! It exists so that CI can gate on what Tray never tells anyone (Tray publishes no deprecation flag and never
//! upgrades a pinned version). Its findings are typed values ([`Finding`]) with a stable code, a severity, the place
//! they concern and a fingerprint; the renderers in [`render`] only show them.
//!
//! This module must never let the gate pass because it could not read something: an unreadable or malformed
//! export, a missing or invalid ignore file, or a missing snapshot is an [`AuditError`] (exit 2), never "no
//! findings". It only reads the store; the deprecation rule is [`crate::model::standings`], never its own.

mod deprecation;
mod export;
mod ignore;
mod judge;
mod locate;
pub mod render;
mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Serialize;

pub use deprecation::{Deprecation, DeprecationSource, stale_entries};
pub use export::{
    ExportFile, ExportKind, ExportPath, Step, Workflow, discover, parse_export, read_exports,
};
pub use ignore::{
    Applied, DEFAULT_IGNORE_FILE, EntryStatus, IgnoreEntry, IgnoreFile, IgnoreStatus,
};
pub use judge::Judge;
pub use values::{StepValues, literal_input};

use crate::findings::SeverityOverrides;
pub use crate::findings::{AuditCode as Code, Severity, SnapshotRef, fingerprint};
use crate::policy::Policy;
use crate::store::{Store, StoreError};
use strum::IntoEnumIterator;

/// Why an audit could not be done. Every variant means exit 2: nothing was judged.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: no such file or directory")]
    NotFound { path: String },
    #[error("{path}: no *.json files found (point PATH at the directory holding the Tray exports)")]
    NoExports { path: String },
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not valid JSON: {message} (line {line}, column {column})")]
    Json {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Export {
        path: String,
        line: Option<usize>,
        message: String,
    },
    #[error("{} export files could not be read:\n  {}", .0.len(), list(.0))]
    Exports(Vec<AuditError>),
    #[error("ignore file {path}: {message}")]
    Ignore { path: String, message: String },
}

/// The first errors, one per line; a directory of thousands of broken files should not flood the terminal.
fn list(errors: &[AuditError]) -> String {
    const SHOWN: usize = 20;
    let mut lines: Vec<String> = errors.iter().take(SHOWN).map(ToString::to_string).collect();
    if errors.len() > SHOWN {
        lines.push(format!("… and {} more", errors.len() - SHOWN));
    }
    lines.join("\n  ")
}

pub type Result<T, E = AuditError> = std::result::Result<T, E>;

/// The lowest severity that fails the gate, or `Never`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Error => "error",
            FailOn::Warning => "warning",
            FailOn::Note => "note",
            FailOn::Never => "never",
        }
    }

    /// Parses `error`, `warning`, `note` (or `info`, the same level) or `never`.
    pub fn parse(text: &str) -> Option<FailOn> {
        match text {
            "error" => Some(FailOn::Error),
            "warning" => Some(FailOn::Warning),
            "note" | "info" => Some(FailOn::Note),
            "never" => Some(FailOn::Never),
            _ => None,
        }
    }

    /// Whether a finding of `severity` fails the gate.
    pub fn gates(self, severity: Severity) -> bool {
        match self {
            FailOn::Error => severity >= Severity::Error,
            FailOn::Warning => severity >= Severity::Warning,
            FailOn::Note => true,
            FailOn::Never => false,
        }
    }
}

/// A workflow by id and title.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct WorkflowRef {
    pub id: String,
    pub title: String,
}

/// One audit finding. Step findings concern a (file, workflow, step); ignore-file findings
/// (`ignore-expired`, `ignore-stale`) concern an entry of the ignore file and have no workflow or operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    /// The export (or ignore) file as given on the command line, `/`-separated.
    pub file: String,
    /// 1-based line of the step's key in the file's `steps` object (or of the ignore entry), when found.
    pub line: Option<usize>,
    pub workflow: Option<WorkflowRef>,
    pub step: Option<String>,
    /// Where the step sits in `steps_structure` (`loop-1/_loop/boolean-condition-2/true`); empty at the top level.
    pub location: Option<String>,
    pub connector: String,
    /// The pinned version.
    pub version: Option<String>,
    /// The newest version of the connector in the snapshot (none for an unknown connector).
    pub latest: Option<String>,
    pub operation: Option<String>,
    /// `missing-required-input` and `upgrade-impact`: the required inputs the step does not set.
    pub inputs: Vec<String>,
    /// `invalid-input-value`, and `upgrade-impact` about a value: where the value is in the step's input (a JSON
    /// Pointer: `/channel`, `/options/mode`, `/tags/0`). `None` for every other finding.
    pub pointer: Option<String>,
    /// With `pointer`: the keyword that rejects the value, as a JSON Pointer into the input schema of the pinned
    /// version (`upgrade-impact`: of the newest version), `$ref`s not followed (`/properties/channel/type`).
    pub schema_pointer: Option<String>,
    /// `deprecated-connector-version` and `retired-connector-version`: where the verdict came from (the catalog,
    /// the deprecation policy, Tray's own flag) and when it bites. `None` for every other finding.
    pub deprecation: Option<Deprecation>,
    pub message: String,
    /// Short hash of the identifying fields (code, file, workflow id, step, connector, version, operation, and for
    /// a value also its pointer and schema pointer); the line, message and newest version are left out so that it
    /// survives edits elsewhere and new releases.
    pub fingerprint: String,
    /// Whether this finding, on its own, fails the gate at the chosen `--fail-on`.
    pub gating: bool,
}

impl Finding {
    /// A finding about an entry of a file the user wrote (the ignore file, the deprecation policy) rather than about
    /// a step: no workflow, step, operation or value. It never gates on its own.
    pub(crate) fn about_entry(
        code: Code,
        file: &str,
        line: usize,
        connector: &str,
        message: String,
        fingerprint: String,
    ) -> Finding {
        Finding {
            code,
            severity: code.severity(),
            file: file.to_owned(),
            line: Some(line),
            workflow: None,
            step: None,
            location: None,
            connector: connector.to_owned(),
            version: None,
            latest: None,
            operation: None,
            inputs: Vec::new(),
            pointer: None,
            schema_pointer: None,
            deprecation: None,
            message,
            fingerprint,
            gating: false,
        }
    }
}

/// A finding an ignore entry suppressed, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Suppressed {
    #[serde(flatten)]
    pub finding: Finding,
    /// 1-based index of the ignore entry in the ignore file.
    pub ignore_entry: usize,
    pub reason: String,
}

/// Counts and the gate verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub errors: u64,
    pub warnings: u64,
    pub notes: u64,
    pub suppressed: u64,
    /// Active (unsuppressed) findings per code, every code present.
    pub by_code: BTreeMap<String, u64>,
    pub fail_on: FailOn,
    /// True when some active finding is at or above `fail_on`: exit code 1.
    pub failed: bool,
}

/// `{"from": {...}, "to": {...}}`: one element of Tray's project-import `connectorMapping`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ConnectorMapping {
    pub from: Pin,
    pub to: Pin,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Pin {
    pub name: String,
    pub version: String,
}

/// The ignore file an audit used, with the standing of each entry.
#[derive(Debug, Clone, Serialize)]
pub struct IgnoreReport {
    pub file: String,
    pub entries: Vec<EntryStatus>,
}

/// The deprecation policy an audit used.
pub use crate::policy::PolicyReport;

/// A file's inventory (JUnit lists every step, passing or not).
#[derive(Debug, Clone)]
pub struct AuditedFile {
    pub file: String,
    pub workflows: Vec<AuditedWorkflow>,
}

#[derive(Debug, Clone)]
pub struct AuditedWorkflow {
    pub workflow: WorkflowRef,
    pub steps: Vec<AuditedStep>,
}

#[derive(Debug, Clone)]
pub struct AuditedStep {
    pub name: String,
    pub line: Option<usize>,
}

/// Everything an audit concluded; the renderers show it and compute nothing.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub snapshot: SnapshotRef,
    pub files_scanned: u64,
    pub workflows_scanned: u64,
    pub steps_scanned: u64,
    /// Literal input values checked against the pinned version's input schema.
    pub literal_values: u64,
    /// Dynamic input values (jsonpath, interpolated strings, …) those steps hold, which only a run decides: not
    /// checked.
    pub dynamic_values: u64,
    /// Active findings: by file, then workflow, then step (in file order), then severity (worst first).
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    pub ignore: Option<IgnoreReport>,
    /// The deprecation policy in force, if any.
    pub policy: Option<PolicyReport>,
    pub summary: Summary,
    /// Every audited file, workflow and step, for renderers that list passes too.
    #[serde(skip)]
    pub files: Vec<AuditedFile>,
    /// Every non-newest pin moved to the newest version (`--emit-connector-mapping`).
    #[serde(skip)]
    pub connector_mapping: Vec<ConnectorMapping>,
}

impl Report {
    /// Exit 1 when true.
    pub fn gate_failed(&self) -> bool {
        self.summary.failed
    }
}

/// What to audit and how.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    /// Files and directories (searched recursively for `*.json`).
    pub paths: Vec<PathBuf>,
    /// The snapshot to judge against; the latest complete one when `None`.
    pub snapshot: Option<i64>,
    pub ignore: Option<IgnoreFile>,
    /// The deprecation policy (`deprecations.toml`), if any.
    pub policy: Option<Policy>,
    /// A policy-deprecated pin whose sunset is at most this many days away is raised to `error`, so that the gate
    /// fails before the day, not after.
    pub sunset_within: i64,
    pub fail_on: FailOn,
    /// The date `until` entries, announcements and sunsets are compared with (UTC today, in the command).
    pub today: chrono::NaiveDate,
    /// Paths under this directory are shown relative to it.
    pub base_dir: PathBuf,
    /// Threads that read and parse exports (0 = one per core).
    pub threads: usize,
    /// Severities that configuration (`[severity]` in trayscope.toml) sets instead of a code's default.
    pub severity_overrides: SeverityOverrides,
}

/// Audits the exports under `options.paths` against a complete snapshot.
pub fn audit(store: &mut Store, options: &AuditOptions) -> Result<Report> {
    let started = std::time::Instant::now();
    let info = store.complete_snapshot(options.snapshot)?;
    let catalog = store.catalog(info.id)?;
    tracing::debug!(
        "catalog of snapshot {} loaded in {:?}",
        info.id,
        started.elapsed()
    );
    let started = std::time::Instant::now();
    let files = discover(&options.paths, &options.base_dir)?;
    tracing::debug!(
        "{} export files found in {:?}",
        files.len(),
        started.elapsed()
    );
    let started = std::time::Instant::now();
    let exports = read_exports(&files, options.threads)?;
    tracing::debug!("exports read and parsed in {:?}", started.elapsed());
    let started = std::time::Instant::now();
    let mut judge = Judge::new(&catalog).with_policy(options.policy.as_ref(), options.today);
    let mut findings = Vec::new();
    let mut audited = Vec::with_capacity(exports.len());
    let mut pins: BTreeSet<Pin> = BTreeSet::new();
    let (mut workflows_scanned, mut steps_scanned) = (0u64, 0u64);
    for export in &exports {
        let mut audited_workflows = Vec::with_capacity(export.workflows.len());
        for workflow in &export.workflows {
            workflows_scanned += 1;
            let workflow_ref = WorkflowRef {
                id: workflow.id.clone(),
                title: workflow.title.clone(),
            };
            for step in &workflow.steps {
                steps_scanned += 1;
                judge.judge(store, &export.display, &workflow_ref, step, &mut findings)?;
                pins.insert(Pin {
                    name: step.connector.clone(),
                    version: step.version.clone(),
                });
            }
            audited_workflows.push(AuditedWorkflow {
                workflow: workflow_ref,
                steps: workflow
                    .steps
                    .iter()
                    .map(|s| AuditedStep {
                        name: s.name.clone(),
                        line: s.line,
                    })
                    .collect(),
            });
        }
        audited.push(AuditedFile {
            file: export.display.clone(),
            workflows: audited_workflows,
        });
    }
    let connector_mapping = pins
        .iter()
        .filter_map(|pin| judge.upgrade_target(pin))
        .collect();

    tracing::debug!(
        "{} findings judged in {:?}",
        findings.len(),
        started.elapsed()
    );
    let (mut findings, suppressed, ignore) = match &options.ignore {
        Some(file) => {
            let applied = file.apply(findings, options.today);
            (
                applied.findings,
                applied.suppressed,
                Some(IgnoreReport {
                    file: file.display.clone(),
                    entries: applied.entries,
                }),
            )
        }
        None => (findings, Vec::new(), None),
    };
    if let Some(policy) = &options.policy {
        findings.extend(stale_entries(policy, &catalog, options.today));
    }
    let mut summary = Summary {
        errors: 0,
        warnings: 0,
        notes: 0,
        suppressed: suppressed.len() as u64,
        by_code: Code::iter().map(|c| (c.as_str().to_owned(), 0)).collect(),
        fail_on: options.fail_on,
        failed: false,
    };
    for finding in &mut findings {
        if let Some(&severity) = options
            .severity_overrides
            .get(&crate::findings::Code::Audit(finding.code))
        {
            finding.severity = severity;
        }
        if sunset_is_near(finding, options.sunset_within) {
            finding.severity = Severity::Error;
        }
        finding.gating = options.fail_on.gates(finding.severity);
        summary.failed |= finding.gating;
        match finding.severity {
            Severity::Error => summary.errors += 1,
            Severity::Warning => summary.warnings += 1,
            Severity::Note => summary.notes += 1,
        }
        *summary
            .by_code
            .entry(finding.code.as_str().to_owned())
            .or_default() += 1;
    }
    Ok(Report {
        snapshot: SnapshotRef::of(&info),
        files_scanned: exports.len() as u64,
        workflows_scanned,
        steps_scanned,
        literal_values: judge.literal_values(),
        dynamic_values: judge.dynamic_values(),
        findings,
        suppressed,
        ignore,
        policy: options
            .policy
            .as_ref()
            .map(|p| p.report(options.today, options.sunset_within)),
        summary,
        files: audited,
        connector_mapping,
    })
}

/// A pin the policy deprecates whose sunset is `within` days away or less (and not yet past).
fn sunset_is_near(finding: &Finding, within: i64) -> bool {
    finding.code == Code::DeprecatedConnectorVersion
        && finding.deprecation.as_ref().is_some_and(|d| {
            d.source == DeprecationSource::Policy
                && d.days_left.is_some_and(|n| (0..=within).contains(&n))
        })
}

pub(crate) use crate::files::show_path;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_on_gates_at_and_above_its_level() {
        assert!(FailOn::Error.gates(Severity::Error));
        assert!(!FailOn::Error.gates(Severity::Warning));
        assert!(FailOn::Warning.gates(Severity::Warning));
        assert!(!FailOn::Warning.gates(Severity::Note));
        assert!(FailOn::Note.gates(Severity::Note));
        assert!(!FailOn::Never.gates(Severity::Error));
    }

    #[test]
    fn every_code_serializes_as_its_name() {
        for code in Code::iter() {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::json!(code.as_str())
            );
        }
        assert!("deprecated".parse::<Code>().is_err());
    }

    #[test]
    fn info_is_accepted_as_the_note_level() {
        assert_eq!(FailOn::parse("info"), Some(FailOn::Note));
        assert_eq!(FailOn::parse("never"), Some(FailOn::Never));
        assert_eq!(FailOn::parse("fatal"), None);
    }

    #[test]
    fn many_unreadable_files_are_listed_briefly() {
        let errors: Vec<AuditError> = (0..25)
            .map(|i| AuditError::NotFound {
                path: format!("f{i}.json"),
            })
            .collect();
        let text = AuditError::Exports(errors).to_string();
        assert!(
            text.starts_with("25 export files could not be read:\n  f0.json"),
            "{text}"
        );
        assert!(text.contains("f19.json"), "{text}");
        assert!(!text.contains("f20.json"), "{text}");
        assert!(text.ends_with("… and 5 more"), "{text}");
    }
}
