//! What changed between two complete snapshots: connectors, versions, services, deprecations and operations, each
//! change a typed value with a stable code, a severity, the place it concerns and a fingerprint.
//!
//! The nightly report and the CI gate stand on these verdicts. This module computes; it never formats for people
//! (that is [`crate::report`]) and never reads anything but the store (a deprecation policy is handed to it
//! already loaded, in [`SunsetOptions`]). Deprecation comes from [`crate::model::standings`], the same rule the
//! audit uses.

mod catalog;
pub mod schema;
mod summary;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use strum::IntoEnumIterator;

pub use crate::findings::{DiffCode as Code, Severity, SnapshotRef};
use crate::findings::{SeverityOverrides, serialize_diff_severity, serialize_diff_snapshot};
use crate::policy::{Declared, Policy, PolicyReport, Replacement};

pub use catalog::{DiffError, OperationComparison, compare_operation, diff_snapshots};

/// The diff of two complete snapshots, with configured severities applied and, when a deprecation policy is in
/// effect, its sunsets near `to`'s catalog.
pub fn report_between(
    store: &mut crate::store::Store,
    from: i64,
    to: i64,
    severity: &SeverityOverrides,
    sunsets: Option<&SunsetOptions>,
) -> Result<Report, DiffError> {
    let mut report = diff_snapshots(store, from, to)?;
    report.override_severities(severity);
    if let Some(options) = sunsets {
        let catalog = store.catalog_without_operations(to)?;
        report.policy = Some(options.policy.report(options.today, options.within));
        report.sunsets = options
            .policy
            .sunsets_within(&catalog, options.within, options.today)
            .into_iter()
            .map(Sunset::from)
            .collect();
    }
    Ok(report)
}

/// What the "Sunsets within N days" part of a report is computed with: the policy in effect, the window and the
/// day it counts from.
#[derive(Debug, Clone)]
pub struct SunsetOptions {
    pub policy: Policy,
    /// Days ahead (`--sunset-within`, 30 by default).
    pub within: i64,
    /// `--today`, else today's UTC date.
    pub today: NaiveDate,
}

/// A policy entry in force whose sunset is at most the window away (not past), with the versions of the newer
/// snapshot's catalog it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sunset {
    /// 1-based index of the entry in the policy file.
    pub entry: usize,
    pub connector: String,
    /// The versions of the newer snapshot the entry matches, oldest first (never empty).
    pub versions: Vec<String>,
    /// The entry's requirement, as `versions <10.0` or `service versions <4`.
    pub requirement: String,
    /// `YYYY-MM-DD`.
    pub sunset: String,
    /// Days from the report's `policy.today` to the sunset (0 on the day).
    pub days_left: i64,
    pub reason: String,
    pub replacement: Option<Replacement>,
    /// Where Tray announced it (a URL, as written in the policy).
    pub source: Option<String>,
}

impl From<Declared> for Sunset {
    fn from(d: Declared) -> Sunset {
        Sunset {
            entry: d.entry,
            connector: d.connector,
            versions: d.affected,
            requirement: d.versions,
            sunset: d.sunset,
            days_left: d.days_left,
            reason: d.reason,
            replacement: d.replacement,
            source: d.source,
        }
    }
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
    pub summary: Summary,
    pub changes: Vec<Change>,
    /// The deprecation policy the sunsets come from; `null` when none is in effect.
    pub policy: Option<PolicyReport>,
    /// The policy's sunsets within `policy.sunset_within` days, by sunset then entry; empty without a policy.
    pub sunsets: Vec<Sunset>,
}

/// The counts of a report, computed once when the report is made: every view (JSON, Markdown, HTML, the nightly
/// index) shows these numbers and no other.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Summary {
    /// Changes per code, every code present (zero included), under the code's name.
    #[serde(flatten)]
    pub by_code: BTreeMap<String, u64>,
    /// `operation-changed` changes that are breaking.
    pub breaking: u64,
    /// Every change that breaks steps pinned to an existing version: the breaking `operation-changed` changes plus
    /// the `operation-removed` ones. What `--fail-on-breaking` gates on, and the "Breaking changes" section lists.
    #[serde(default)]
    pub breaking_changes: u64,
    /// Connectors with at least one change.
    #[serde(default)]
    pub connectors_changed: u64,
}

impl Summary {
    pub fn of(changes: &[Change]) -> Summary {
        let mut by_code: BTreeMap<String, u64> =
            Code::iter().map(|c| (c.as_str().to_owned(), 0)).collect();
        let mut breaking = 0;
        let mut connectors = std::collections::BTreeSet::new();
        for change in changes {
            *by_code.entry(change.code.as_str().to_owned()).or_default() += 1;
            if change.is_breaking_operation_change() {
                breaking += 1;
            }
            connectors.insert(change.connector.as_str());
        }
        let removed = by_code
            .get(Code::OperationRemoved.as_str())
            .copied()
            .unwrap_or(0);
        Summary {
            by_code,
            breaking,
            breaking_changes: breaking + removed,
            connectors_changed: connectors.len() as u64,
        }
    }

    /// Changes of `code`.
    pub fn count(&self, code: Code) -> u64 {
        self.by_code.get(code.as_str()).copied().unwrap_or(0)
    }
}

impl Change {
    /// An `operation-changed` change that breaks steps.
    pub fn is_breaking_operation_change(&self) -> bool {
        self.code == Code::OperationChanged && self.breaking == Some(true)
    }

    /// A change listed under "Breaking changes": a breaking operation change, or an operation removed from a
    /// version that stayed.
    pub fn is_breaking_change(&self) -> bool {
        self.is_breaking_operation_change() || self.code == Code::OperationRemoved
    }
}

impl Report {
    pub fn new(from: SnapshotRef, to: SnapshotRef, changes: Vec<Change>) -> Report {
        Report {
            from,
            to,
            summary: Summary::of(&changes),
            changes,
            policy: None,
            sunsets: Vec::new(),
        }
    }

    pub fn count(&self, code: Code) -> u64 {
        self.summary.count(code)
    }

    /// Breaking `operation-changed` changes.
    pub fn breaking(&self) -> u64 {
        self.summary.breaking
    }

    /// Every breaking change (see [`Summary::breaking_changes`]).
    pub fn breaking_changes(&self) -> u64 {
        self.summary.breaking_changes
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
