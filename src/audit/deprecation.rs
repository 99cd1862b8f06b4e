//! Where a deprecation verdict came from and when it bites: the `deprecation` object every
//! `deprecated-connector-version` and `retired-connector-version` finding carries, and the `policy-stale` findings
//! about the deprecation policy itself.
//!
//! The policy file is parsed and matched in [`crate::policy`]; the catalog's rule is [`crate::model::standings`].
//! This module only turns their answers into values the renderers show; it never decides a verdict.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Code, Finding, fingerprint};
use crate::policy::{Entry, Policy, Replacement};
use crate::store::Catalog;

/// What decided that a version is deprecated or retired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeprecationSource {
    /// Inferred from the catalog: a superseded service version, or a version gone from the listing.
    Catalog,
    /// An entry of the deprecation policy file.
    Policy,
    /// Tray's own response flagged the version (`"deprecated": true`).
    Api,
}

/// The `deprecation` object of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deprecation {
    pub source: DeprecationSource,
    /// The policy's sunset date (`YYYY-MM-DD`), when a policy entry is about the version.
    pub sunset: Option<String>,
    /// Days from the audit's date to the sunset: 0 on the day, negative after it.
    pub days_left: Option<i64>,
    pub reason: String,
    /// Where to move: the policy entry's replacement, else the connector's newest version.
    pub replacement: Option<Replacement>,
    /// 1-based index of the policy entry, when one is about the version.
    pub policy_entry: Option<usize>,
    /// The policy entry's `source` (where Tray announced it).
    pub announcement: Option<String>,
}

impl Deprecation {
    /// A verdict from the policy `entry`.
    pub fn from_policy(
        entry: &Entry,
        today: NaiveDate,
        latest: Option<Replacement>,
    ) -> Deprecation {
        Deprecation {
            source: DeprecationSource::Policy,
            sunset: Some(entry.sunset.to_string()),
            days_left: Some(entry.days_left(today)),
            reason: entry.reason.clone(),
            replacement: entry.replacement.clone().or(latest),
            policy_entry: Some(entry.index),
            announcement: entry.source.clone(),
        }
    }

    /// A verdict from the catalog (or Tray's flag), with what a policy `entry` about the same version adds.
    pub fn inferred(
        source: DeprecationSource,
        reason: String,
        entry: Option<&Entry>,
        today: NaiveDate,
        latest: Option<Replacement>,
    ) -> Deprecation {
        match entry {
            Some(entry) => Deprecation {
                source,
                ..Deprecation::from_policy(entry, today, latest)
            },
            None => Deprecation {
                source,
                sunset: None,
                days_left: None,
                reason,
                replacement: latest,
                policy_entry: None,
                announcement: None,
            },
        }
    }

    /// `sunset 2027-03-01, 14 days left` (or `… 3 days ago`, `… today`), for messages.
    pub fn when(&self) -> Option<String> {
        let (sunset, days) = (self.sunset.as_ref()?, self.days_left?);
        Some(match days {
            0 => format!("sunset {sunset}, today"),
            1 => format!("sunset {sunset}, 1 day left"),
            -1 => format!("sunset {sunset}, 1 day ago"),
            d if d > 0 => format!("sunset {sunset}, {d} days left"),
            d => format!("sunset {sunset}, {} days ago", -d),
        })
    }
}

/// `policy-stale` findings: entries that match no version of `catalog`, unless their sunset has passed (then the
/// versions are gone because the sunset happened).
pub fn stale_entries(policy: &Policy, catalog: &Catalog, today: NaiveDate) -> Vec<Finding> {
    let snapshot = catalog.snapshot.id;
    policy
        .entries
        .iter()
        .filter(|entry| !entry.is_past_sunset(today))
        .filter(|entry| {
            !catalog
                .versions_of(&entry.connector)
                .any(|v| entry.matches(&v.name, &v.version, Some(v.service.version)))
        })
        .map(|entry| {
            let code = Code::PolicyStale;
            let target = entry.target.describe();
            let what = if catalog.versions_of(&entry.connector).next().is_none() {
                format!("snapshot {snapshot} has no connector `{}`", entry.connector)
            } else {
                format!(
                    "no version of {} in snapshot {snapshot} matches",
                    entry.connector
                )
            };
            Finding::about_entry(
                code,
                &policy.display,
                entry.line,
                &entry.connector,
                format!(
                    "deprecation entry {} ({} {target}, sunset {}) matches nothing: {what}; fix or remove it",
                    entry.index, entry.connector, entry.sunset
                ),
                fingerprint(&[code.as_str(), &policy.display, &entry.connector, &target]),
            )
        })
        .collect()
}
