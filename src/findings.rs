//! One vocabulary for everything trayscope reports: one [`Severity`], every public code ([`DiffCode`],
//! [`AuditCode`], and the [`Code`] umbrella over both that configuration uses), one [`fingerprint`] function and
//! one [`SnapshotRef`].
//!
//! Codes are part of the public contract (JSON, SARIF rule ids, `[severity]` keys in `trayscope.toml`), so their
//! names are derived in one way (`strum`, kebab-case) and listed together in a snapshot test: a reviewer sees every
//! public code in one place, and a rename cannot slip through. This module holds values and names only: it never
//! decides a verdict and never formats for people.

use std::str::FromStr;

use serde::{Serialize, Serializer};
use strum::{EnumIter, EnumString, IntoEnumIterator, IntoStaticStr};

/// How much a finding matters. Ordered: `Note < Warning < Error`.
///
/// The lowest level has two spellings, kept from the first releases: the diff's JSON calls it `info`, the audit's
/// (like SARIF) `note`. Both are accepted wherever a severity is read (`[severity]`, `--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    /// The audit's (and SARIF's) spelling: `note`, `warning`, `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// The diff's spelling: `info`, `warning`, `error`.
    pub fn as_diff_str(self) -> &'static str {
        match self {
            Severity::Note => "info",
            other => other.as_str(),
        }
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(text: &str) -> Result<Severity, String> {
        match text {
            "note" | "info" => Ok(Severity::Note),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "expected note (or info), warning or error, found {other:?}"
            )),
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// Serializes as `note`/`warning`/`error` (the audit's JSON).
impl Serialize for Severity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Serializes a severity as `info`/`warning`/`error` (the diff's JSON): `#[serde(serialize_with = …)]`.
pub fn serialize_diff_severity<S: Serializer>(
    severity: &Severity,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(severity.as_diff_str())
}

/// The stable code of a catalog change (`trayscope diff`, the nightly report).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    EnumIter,
    EnumString,
    IntoStaticStr,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum DiffCode {
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

impl DiffCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The severity a change of this code has unless configuration overrides it. `operation-changed` is `error`
    /// when breaking (Tray changed a version under pinned workflows) and `note` (`info`) otherwise.
    pub fn default_severity(self, breaking: bool) -> Severity {
        match self {
            DiffCode::ConnectorRemoved
            | DiffCode::ConnectorVersionRemoved
            | DiffCode::OperationRemoved => Severity::Error,
            DiffCode::OperationChanged if breaking => Severity::Error,
            DiffCode::ConnectorVersionDeprecated => Severity::Warning,
            _ => Severity::Note,
        }
    }
}

/// The stable code of an audit finding (`trayscope audit`; SARIF rule ids).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    EnumIter,
    EnumString,
    IntoStaticStr,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum AuditCode {
    RetiredConnectorVersion,
    DeprecatedConnectorVersion,
    OperationMissing,
    MissingRequiredInput,
    /// A literal value a step sends that its pinned operation's input schema rejects.
    InvalidInputValue,
    OutdatedConnectorVersion,
    UnknownConnector,
    UpgradeImpact,
    /// An ignore entry whose `until` date has passed: it no longer suppresses anything.
    IgnoreExpired,
    /// An ignore entry that matched no finding.
    IgnoreStale,
    /// A deprecation policy entry that matches no version in the snapshot (and whose sunset has not passed).
    PolicyStale,
}

impl AuditCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The severity a finding of this code has unless configuration overrides it.
    pub fn severity(self) -> Severity {
        match self {
            AuditCode::RetiredConnectorVersion
            | AuditCode::DeprecatedConnectorVersion
            | AuditCode::OperationMissing
            | AuditCode::MissingRequiredInput
            | AuditCode::InvalidInputValue => Severity::Error,
            AuditCode::OutdatedConnectorVersion
            | AuditCode::UnknownConnector
            | AuditCode::IgnoreExpired
            | AuditCode::PolicyStale => Severity::Warning,
            AuditCode::UpgradeImpact | AuditCode::IgnoreStale => Severity::Note,
        }
    }

    /// Whether the code is about a workflow step (and so can be ignored), rather than about the ignore file.
    pub fn is_about_a_step(self) -> bool {
        !matches!(
            self,
            AuditCode::IgnoreExpired | AuditCode::IgnoreStale | AuditCode::PolicyStale
        )
    }

    /// One line saying what the code means (SARIF rule descriptions, JUnit, docs).
    pub fn summary(self) -> &'static str {
        match self {
            AuditCode::RetiredConnectorVersion => {
                "The connector is in the catalog but the pinned version no longer is, or the deprecation \
                 policy's sunset for it has passed."
            }
            AuditCode::DeprecatedConnectorVersion => {
                "The pinned version's service version is superseded by a newer one of the same connector, Tray \
                 marks it deprecated, or the deprecation policy announces its sunset."
            }
            AuditCode::OperationMissing => {
                "The step's operation does not exist in its pinned version."
            }
            AuditCode::MissingRequiredInput => {
                "The pinned operation requires inputs that the step does not set (and that have no default)."
            }
            AuditCode::InvalidInputValue => {
                "A literal value the step sends does not fit the pinned operation's input schema (jsonpath and \
                 other dynamic values are not checked)."
            }
            AuditCode::OutdatedConnectorVersion => "A newer version of the connector exists.",
            AuditCode::UnknownConnector => {
                "The connector is not in the catalog at all: a private connector, or a typo."
            }
            AuditCode::UpgradeImpact => {
                "Moving the step to the newest version would take work: its operation is gone there, it \
                 requires inputs the step does not set, or it rejects a literal value the step sends."
            }
            AuditCode::IgnoreExpired => {
                "An ignore entry's `until` date has passed: it no longer suppresses anything."
            }
            AuditCode::IgnoreStale => "An ignore entry matched no finding: it can be removed.",
            AuditCode::PolicyStale => {
                "A deprecation policy entry matches no version in the snapshot and its sunset has not passed: \
                 a typo, or versions Tray already removed."
            }
        }
    }
}

/// Any code whose severity configuration can set (`[severity]` in `trayscope.toml`). Diff and audit codes share
/// one namespace: no name is both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    Diff(DiffCode),
    Audit(AuditCode),
}

impl Code {
    /// Every code, diff codes first.
    pub fn all() -> impl Iterator<Item = Code> {
        DiffCode::iter()
            .map(Code::Diff)
            .chain(AuditCode::iter().map(Code::Audit))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Code::Diff(code) => code.as_str(),
            Code::Audit(code) => code.as_str(),
        }
    }
}

impl FromStr for Code {
    type Err = String;

    fn from_str(text: &str) -> Result<Code, String> {
        if let Ok(code) = DiffCode::from_str(text) {
            return Ok(Code::Diff(code));
        }
        if let Ok(code) = AuditCode::from_str(text) {
            return Ok(Code::Audit(code));
        }
        Err(format!(
            "unknown code {text:?} (diff codes: {}; audit codes: {})",
            DiffCode::iter()
                .map(DiffCode::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            AuditCode::iter()
                .map(AuditCode::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// Severity overrides from configuration, by code.
pub type SeverityOverrides = std::collections::BTreeMap<Code, Severity>;

/// The fingerprint of a finding or change: the first 16 hex digits of BLAKE3 over its identifying fields, each
/// prefixed by its length (so no two different field lists hash alike, whatever bytes the fields hold).
pub fn fingerprint(parts: &[&str]) -> String {
    let mut hasher = blake3::Hasher::new();
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.finalize().to_hex()[..16].to_owned()
}

/// A snapshot a report was made from. The diff's JSON shows it as `{"snapshot", "finished_at"}`
/// ([`serialize_diff_snapshot`]), the audit's as `{"id", "finished_at", "source"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotRef {
    pub id: i64,
    pub finished_at: Option<String>,
    pub source: String,
}

impl SnapshotRef {
    pub fn of(info: &crate::store::SnapshotInfo) -> SnapshotRef {
        SnapshotRef {
            id: info.id,
            finished_at: info.finished_at.clone(),
            source: info.source.clone(),
        }
    }
}

/// Serializes a [`SnapshotRef`] in the diff's shape: `{"snapshot": id, "finished_at": …}`.
pub fn serialize_diff_snapshot<S: Serializer>(
    snapshot: &SnapshotRef,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct DiffShape<'a> {
        snapshot: i64,
        finished_at: &'a Option<String>,
    }
    DiffShape {
        snapshot: snapshot.id,
        finished_at: &snapshot.finished_at,
    }
    .serialize(serializer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_separate_fields() {
        assert_eq!(fingerprint(&["a", "b"]), fingerprint(&["a", "b"]));
        assert_ne!(fingerprint(&["ab", ""]), fingerprint(&["a", "b"]));
        assert_ne!(fingerprint(&["a\0", "b"]), fingerprint(&["a", "\0b"]));
        assert_eq!(fingerprint(&["x"]).len(), 16);
        // The value itself is part of the contract (SARIF partialFingerprints, report JSON).
        assert_eq!(fingerprint(&["connector-added", "slack"]).len(), 16);
    }

    #[test]
    fn every_code_round_trips_through_its_name_and_no_name_is_shared() {
        let mut names = std::collections::BTreeSet::new();
        for code in Code::all() {
            assert_eq!(code.as_str().parse::<Code>(), Ok(code));
            assert!(
                names.insert(code.as_str()),
                "{code} is both a diff and an audit code"
            );
        }
        assert!(
            "no-such-code"
                .parse::<Code>()
                .unwrap_err()
                .contains("audit codes")
        );
    }

    #[test]
    fn both_spellings_of_the_lowest_level_are_one_severity() {
        assert_eq!("info".parse::<Severity>(), Ok(Severity::Note));
        assert_eq!("note".parse::<Severity>(), Ok(Severity::Note));
        assert_eq!(Severity::Note.as_diff_str(), "info");
        assert_eq!(Severity::Note.as_str(), "note");
        assert!(Severity::Note < Severity::Warning && Severity::Warning < Severity::Error);
        assert!("fatal".parse::<Severity>().is_err());
    }
}
