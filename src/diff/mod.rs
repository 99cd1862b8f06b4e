//! What changed between two complete snapshots: connectors, versions, services, deprecations and operations, each
//! change a typed value with a stable code, a severity, the place it concerns and a fingerprint.
//!
//! The nightly report and the CI gate stand on these verdicts. This module computes; it never formats for people
//! (that is [`crate::report`]) and never reads anything but the store. Deprecation comes from
//! [`crate::model::standings`], the same rule the audit uses.

mod catalog;
pub mod schema;

use std::collections::BTreeMap;

use serde::Serialize;

pub use catalog::{DiffError, OperationComparison, compare_operation, diff_snapshots};
pub use schema::{Direction, SchemaChange, diff_schemas};

/// How much a change matters. Ordered: `Info < Warning < Error`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The stable code of a catalog change.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    ConnectorAdded,
    ConnectorRemoved,
    ConnectorVersionAdded,
    ConnectorVersionRemoved,
    ServiceVersionAdded,
    ConnectorVersionDeprecated,
    OperationAdded,
    OperationRemoved,
    OperationChanged,
}

impl Code {
    pub const ALL: [Code; 9] = [
        Code::ConnectorAdded,
        Code::ConnectorRemoved,
        Code::ConnectorVersionAdded,
        Code::ConnectorVersionRemoved,
        Code::ServiceVersionAdded,
        Code::ConnectorVersionDeprecated,
        Code::OperationAdded,
        Code::OperationRemoved,
        Code::OperationChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::ConnectorAdded => "connector-added",
            Code::ConnectorRemoved => "connector-removed",
            Code::ConnectorVersionAdded => "connector-version-added",
            Code::ConnectorVersionRemoved => "connector-version-removed",
            Code::ServiceVersionAdded => "service-version-added",
            Code::ConnectorVersionDeprecated => "connector-version-deprecated",
            Code::OperationAdded => "operation-added",
            Code::OperationRemoved => "operation-removed",
            Code::OperationChanged => "operation-changed",
        }
    }

    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// The severity a change of this code has unless configuration overrides it. `operation-changed` is `error`
    /// when breaking (Tray changed a version under pinned workflows) and `info` otherwise.
    pub fn default_severity(self, breaking: bool) -> Severity {
        match self {
            Code::ConnectorRemoved | Code::ConnectorVersionRemoved | Code::OperationRemoved => {
                Severity::Error
            }
            Code::OperationChanged if breaking => Severity::Error,
            Code::ConnectorVersionDeprecated => Severity::Warning,
            _ => Severity::Info,
        }
    }
}

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

/// A snapshot a report compares.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotRef {
    pub snapshot: i64,
    pub finished_at: Option<String>,
}

/// Everything that changed from `from` to `to`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub from: SnapshotRef,
    pub to: SnapshotRef,
    /// Count per code (every code present, zero included), plus `breaking`: breaking `operation-changed` changes.
    pub summary: BTreeMap<String, u64>,
    pub changes: Vec<Change>,
}

impl Report {
    pub fn new(from: SnapshotRef, to: SnapshotRef, changes: Vec<Change>) -> Report {
        let mut summary: BTreeMap<String, u64> = Code::ALL
            .iter()
            .map(|c| (c.as_str().to_owned(), 0))
            .collect();
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
    pub fn override_severities(&mut self, overrides: &BTreeMap<Code, Severity>) {
        for change in &mut self.changes {
            if let Some(&severity) = overrides.get(&change.code) {
                change.severity = severity;
            }
        }
    }
}

/// The fingerprint of a change: 16 hex digits of BLAKE3 over its identifying fields.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut hasher = blake3::Hasher::new();
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    crate::store::hex(&hasher.finalize().as_bytes()[..8])
}
