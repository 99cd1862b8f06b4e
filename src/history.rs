//! One connector's timeline across every complete snapshot: when each version appeared, when its service was
//! superseded, when it vanished, and (for one operation) each change to that operation with its date.
//!
//! It answers "since when?" without diffing whole catalogs night by night: the store hands over only this
//! connector's rows ([`Store::connector_sightings`]), and an operation's blobs are loaded only when its blob ids
//! differ between two sightings of a version. Deprecation is [`model::standings`] and an operation change is
//! [`diff::compare_operation`], the same verdicts the diff and the audit give. This module computes; it never
//! formats for people, and it never reads a snapshot that is not complete.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::Value;

use crate::diff::{self, SchemaChange, ServiceRef};
use crate::model::{self, Version, VersionFacts};
use crate::store::{OperationEntry, Sighting, Status, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "no complete snapshot lists a connector named {name:?} (searched {snapshots} complete snapshot{s}); names \
         are exact, e.g. `twilio-output`: find the name with `trayscope search {name}`",
        s = if *snapshots == 1 { "" } else { "s" }
    )]
    UnknownConnector { name: String, snapshots: usize },
    #[error(
        "connector {connector} has no operation named {operation:?} in any complete snapshot; its operations: {known}"
    )]
    UnknownOperation {
        connector: String,
        operation: String,
        known: String,
    },
}

/// The stable code of a timeline event. Within one snapshot, events of one version come in this order.
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
    strum::EnumIter,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum EventCode {
    /// The version is listed, for the first time or again after it vanished.
    VersionAppeared,
    /// The version became deprecated by [`model::standings`]: a newer version uses a higher service version (or
    /// Tray declared it deprecated).
    ServiceSuperseded,
    OperationAdded,
    OperationRemoved,
    OperationChanged,
    /// The version is no longer listed: retired.
    VersionVanished,
}

impl EventCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The version whose newer service version deprecated another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Supersession {
    pub version: String,
    pub service: ServiceRef,
}

/// One thing that happened to the connector, in one snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub snapshot: i64,
    /// When the snapshot finished (RFC 3339, UTC).
    pub date: Option<String>,
    pub code: EventCode,
    pub version: String,
    /// The version's service: on `version-*` and `service-superseded` events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceRef>,
    pub message: String,
    /// `service-superseded` only: the newest version on the higher service version. Absent when Tray declared the
    /// version deprecated instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<Supersession>,
    /// `operation-*` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// `operation-*` only: whether steps using the operation may break (a removal always does).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaking: Option<bool>,
    /// `operation-changed` only: which fields of the operation changed (`title`, `description`, `inputSchema`, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// `operation-changed` only: the direction-aware schema changes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schema_changes: Vec<SchemaChange>,
}

/// A connector's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    pub connector: String,
    pub operation: Option<String>,
    /// Complete snapshots the timeline spans (all of them, whether or not they list the connector).
    pub snapshots: usize,
    /// In snapshot order; within a snapshot, by version and then by [`EventCode`] order.
    pub events: Vec<Event>,
    /// The deprecation policy's entries about the connector (announced and sunset dates, and the versions of the
    /// latest complete snapshot each matches), by sunset; empty without a policy.
    pub declared: Vec<crate::policy::Declared>,
}

impl Timeline {
    /// Adds what the deprecation `policy` declares about the connector, as of `today`.
    pub fn declare(
        &mut self,
        store: &mut Store,
        policy: &crate::policy::Policy,
        today: chrono::NaiveDate,
    ) -> Result<(), HistoryError> {
        let latest = store.complete_snapshot(None)?;
        let catalog = store.catalog(latest.id)?;
        self.declared = policy.declared(&catalog, Some(&self.connector), today);
        Ok(())
    }
}

/// What is known about one version from the snapshots read so far.
struct Track {
    /// Listed in the previous complete snapshot.
    present: bool,
    /// Deprecated when last listed.
    deprecated: bool,
    /// Deprecated at some point before (a `service-superseded` event was given).
    was_deprecated: bool,
    /// The state when last listed.
    state: i64,
    /// The operation asked about, when last listed (`None`: the version did not have it).
    operation: Option<OperationEntry>,
    /// The snapshot it last vanished in, if it did.
    vanished_in: Option<i64>,
    service: ServiceRef,
}

/// The timeline of `connector` (its exact name) across every complete snapshot, with the changes to `operation`
/// when one is given.
pub fn timeline(
    store: &mut Store,
    connector: &str,
    operation: Option<&str>,
) -> Result<Timeline, HistoryError> {
    // Says "no complete snapshot yet" rather than "unknown connector" on an empty catalog.
    store.complete_snapshot(None)?;
    let snapshots: Vec<(i64, Option<String>)> = store
        .snapshots()?
        .into_iter()
        .filter(|s| s.status == Status::Complete)
        .map(|s| (s.id, s.finished_at))
        .collect();
    let sightings = store.connector_sightings(connector)?;
    if sightings.is_empty() {
        return Err(HistoryError::UnknownConnector {
            name: connector.to_owned(),
            snapshots: snapshots.len(),
        });
    }
    let operations = match operation {
        Some(name) => {
            let found = store.operation_in_states(connector, name)?;
            if found.is_empty() {
                let mut states: Vec<i64> = sightings.iter().map(|s| s.state).collect();
                states.sort_unstable();
                states.dedup();
                let known = store.operation_names(&states)?;
                return Err(HistoryError::UnknownOperation {
                    connector: connector.to_owned(),
                    operation: name.to_owned(),
                    known: if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    },
                });
            }
            Some((name, found))
        }
        None => None,
    };

    let mut by_snapshot: HashMap<i64, Vec<&Sighting>> = HashMap::new();
    for sighting in &sightings {
        by_snapshot
            .entry(sighting.snapshot)
            .or_default()
            .push(sighting);
    }
    let mut tracks: BTreeMap<Version, Track> = BTreeMap::new();
    let mut events = Vec::new();
    for (snapshot, date) in &snapshots {
        let listed = by_snapshot.remove(snapshot).unwrap_or_default();
        let facts: Vec<VersionFacts<'_>> = listed
            .iter()
            .map(|s| VersionFacts {
                version: &s.version,
                service_version: s.service.version,
                declared_deprecated: s.declared_deprecated,
            })
            .collect();
        let standings = model::standings(&facts);
        let event = |code: EventCode, version: &Version, message: String| Event {
            snapshot: *snapshot,
            date: date.clone(),
            code,
            version: version.to_string(),
            service: None,
            message,
            superseded_by: None,
            operation: None,
            breaking: None,
            fields: Vec::new(),
            schema_changes: Vec::new(),
        };
        let mut here = Vec::new();
        for (sighting, standing) in listed.iter().zip(&standings) {
            let version = &sighting.version;
            let service = ServiceRef {
                name: sighting.service.name.clone(),
                version: sighting.service.version,
            };
            let first_sight = !tracks.contains_key(version);
            let track = tracks.entry(version.clone()).or_insert_with(|| Track {
                present: false,
                deprecated: false,
                was_deprecated: false,
                state: sighting.state,
                operation: None,
                vanished_in: None,
                service: service.clone(),
            });
            if !track.present {
                let message = match track.vanished_in {
                    Some(gone) => format!(
                        "{connector} {version} is listed again (service {} v{}), after vanishing in snapshot {gone}",
                        service.name, service.version
                    ),
                    None => format!(
                        "{connector} {version} appeared (service {} v{})",
                        service.name, service.version
                    ),
                };
                let mut e = event(EventCode::VersionAppeared, version, message);
                e.service = Some(service.clone());
                here.push(e);
            }
            if standing.deprecated && !track.deprecated {
                let newer = listed
                    .iter()
                    .filter(|n| n.service.version > sighting.service.version)
                    .max_by(|x, y| x.version.cmp(&y.version));
                let reason = match newer {
                    Some(n) => format!(
                        "its service {} v{} is superseded by v{} ({connector} {})",
                        service.name, service.version, n.service.version, n.version
                    ),
                    None => "Tray declared it deprecated".to_owned(),
                };
                let again = if track.was_deprecated { " again" } else { "" };
                let mut e = event(
                    EventCode::ServiceSuperseded,
                    version,
                    format!("{connector} {version} is deprecated{again}: {reason}"),
                );
                e.service = Some(service.clone());
                e.superseded_by = newer.map(|n| Supersession {
                    version: n.version.to_string(),
                    service: ServiceRef {
                        name: n.service.name.clone(),
                        version: n.service.version,
                    },
                });
                here.push(e);
            }
            if let Some((name, found)) = &operations {
                let now = found.get(&sighting.state);
                let before = if first_sight {
                    None
                } else {
                    track.operation.as_ref()
                };
                let change = match (before, now) {
                    (None, Some(added)) => {
                        let title = operation_title(store, added)?;
                        let message = if first_sight {
                            format!("{connector} {version} has operation {name}{title}")
                        } else {
                            format!("{connector} {version}: new operation {name}{title}")
                        };
                        let mut e = event(EventCode::OperationAdded, version, message);
                        e.breaking = Some(false);
                        Some(e)
                    }
                    (Some(_), None) => {
                        let mut e = event(
                            EventCode::OperationRemoved,
                            version,
                            format!(
                                "{connector} {version}: operation {name} was removed; steps using it break"
                            ),
                        );
                        e.breaking = Some(true);
                        Some(e)
                    }
                    (Some(old), Some(new)) if track.state != sighting.state => {
                        diff::compare_operation(store, old, new, false)?.map(|compared| {
                            let mut summary = compared.fields.join(", ");
                            if compared.breaking {
                                summary = match compared.schema_changes.iter().find(|c| c.breaking)
                                {
                                    Some(c) => format!("breaking: {} ({summary})", c.message),
                                    None => format!("breaking ({summary})"),
                                };
                            }
                            let mut e = event(
                                EventCode::OperationChanged,
                                version,
                                format!("{connector} {version}: {name} changed: {summary}"),
                            );
                            e.breaking = Some(compared.breaking);
                            e.fields = compared.fields;
                            e.schema_changes = compared.schema_changes;
                            e
                        })
                    }
                    _ => None,
                };
                if let Some(mut e) = change {
                    e.operation = Some((*name).to_owned());
                    here.push(e);
                }
                track.operation = now.cloned();
            }
            track.present = true;
            track.deprecated = standing.deprecated;
            track.was_deprecated |= standing.deprecated;
            track.state = sighting.state;
            track.service = service;
        }
        for (version, track) in tracks.iter_mut() {
            if track.present && !listed.iter().any(|s| &s.version == version) {
                let mut e = event(
                    EventCode::VersionVanished,
                    version,
                    format!(
                        "{connector} {version} vanished (retired): workflows pinned to it stop working"
                    ),
                );
                e.service = Some(track.service.clone());
                here.push(e);
                track.present = false;
                track.vanished_in = Some(*snapshot);
            }
        }
        here.sort_by(|a, b| {
            (version_key(&a.version), a.code).cmp(&(version_key(&b.version), b.code))
        });
        events.extend(here);
    }
    Ok(Timeline {
        connector: connector.to_owned(),
        operation: operation.map(str::to_owned),
        snapshots: snapshots.len(),
        events,
        declared: Vec::new(),
    })
}

fn version_key(text: &str) -> Option<Version> {
    text.parse().ok()
}

/// ` (Title)` from the operation's meta blob, or nothing when it has none.
fn operation_title(store: &mut Store, op: &OperationEntry) -> Result<String, StoreError> {
    let meta = store.json(op.meta)?;
    Ok(match meta.get("title").and_then(Value::as_str) {
        Some(title) if !title.is_empty() => format!(" ({title})"),
        _ => String::new(),
    })
}
