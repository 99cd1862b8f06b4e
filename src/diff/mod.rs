//! What changed between two complete snapshots: connectors, versions, services, deprecations and operations, each
//! change a typed value with a stable code, a severity, the place it concerns and a fingerprint.
//!
//! The nightly report and the CI gate stand on these verdicts. This module computes; it never formats for people
//! (that is [`crate::report`]) and never reads anything but the store. Deprecation comes from
//! [`crate::model::standings`], the same rule the audit uses.

mod catalog;
pub mod schema;
mod summary;

use std::collections::BTreeMap;

use serde::Serialize;
use strum::IntoEnumIterator;

pub use crate::findings::{DiffCode as Code, Severity, SnapshotRef};
use crate::findings::{SeverityOverrides, serialize_diff_severity, serialize_diff_snapshot};

pub use catalog::{DiffError, OperationComparison, compare_operation, diff_snapshots};

/// The diff of two complete snapshots, with configured severities applied.
pub fn report_between(
    store: &mut crate::store::Store,
    from: i64,
    to: i64,
    severity: &SeverityOverrides,
) -> Result<Report, DiffError> {
    let mut report = diff_snapshots(store, from, to)?;
    report.override_severities(severity);
    Ok(report)
}
pub use schema::{Direction, SchemaChange, diff_schemas};
pub use summary::{CatalogSummary, DeprecatedVersion};

/// A service by name and integer version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceRef {
    pub name: String,
    pub version: i64,
}

/// One catalog change from snapshot A to snapshot B.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub code: Code,
    #[serde(serialize_with = "serialize_diff_severity")]
    pub severity: Severity,
    pub connector: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceRef>,
    pub message: String,
    /// Short hash of the identifying fields (code, connector, version, operation, service): the same in every run.
    pub fingerprint: String,
    /// `operation-changed` only: whether any part of the change breaks a pinned workflow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaking: Option<bool>,
    /// `operation-changed` only: which fields of the operation changed (`title`, `description`, `inputSchema`, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// `operation-changed` only: the direction-aware schema changes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schema_changes: Vec<SchemaChange>,
    /// `operation-changed` only: unified diffs of the pretty-printed schemas, cut to the changed hunks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub text_diffs: Vec<TextDiff>,
    /// `connector-version-added` only, when the connector already had versions: what moving up would take.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upgrade: Option<Upgrade>,
}

/// A unified diff of one pretty-printed schema.
#[derive(Debug, Clone, Serialize)]
pub struct TextDiff {
    pub direction: Direction,
    pub unified: String,
}

/// What moving from the previous newest version to a new version takes.
#[derive(Debug, Clone, Serialize)]
pub struct Upgrade {
    /// The previous newest version of the connector (in snapshot A).
    pub from_version: String,
    pub operations_added: Vec<String>,
    pub operations_removed: Vec<String>,
    pub operations_changed: Vec<OperationUpgrade>,
    /// True when some operation was removed or changed in a breaking way.
    pub breaking: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct OperationUpgrade {
    pub operation: String,
    pub breaking: bool,
    pub schema_changes: Vec<SchemaChange>,
}

/// Everything that changed from `from` to `to`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    #[serde(serialize_with = "serialize_diff_snapshot")]
    pub from: SnapshotRef,
    #[serde(serialize_with = "serialize_diff_snapshot")]
    pub to: SnapshotRef,
    /// Count per code (every code present, zero included), plus `breaking`: breaking `operation-changed` changes.
    pub summary: BTreeMap<String, u64>,
    pub changes: Vec<Change>,
}

impl Report {
    pub fn new(from: SnapshotRef, to: SnapshotRef, changes: Vec<Change>) -> Report {
        let mut summary: BTreeMap<String, u64> =
            Code::iter().map(|c| (c.as_str().to_owned(), 0)).collect();
        let mut breaking = 0;
        for change in &changes {
            *summary.entry(change.code.as_str().to_owned()).or_default() += 1;
            if change.code == Code::OperationChanged && change.breaking == Some(true) {
                breaking += 1;
            }
        }
        summary.insert("breaking".into(), breaking);
        Report {
            from,
            to,
            summary,
            changes,
        }
    }

    pub fn count(&self, code: Code) -> u64 {
        self.summary.get(code.as_str()).copied().unwrap_or(0)
    }

    pub fn breaking(&self) -> u64 {
        self.summary.get("breaking").copied().unwrap_or(0)
    }

    /// Applies per-code severity overrides (from configuration).
    pub fn override_severities(&mut self, overrides: &SeverityOverrides) {
        for change in &mut self.changes {
            if let Some(&severity) = overrides.get(&crate::findings::Code::Diff(change.code)) {
                change.severity = severity;
            }
        }
    }
}

pub use crate::findings::fingerprint;
