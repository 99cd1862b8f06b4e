//! The catalog diff: from the complete snapshot A to the complete snapshot B.
//!
//! Cheap comparisons come first: a connector version whose stored state is the same in both snapshots is skipped
//! whole, and an operation whose three blob ids are equal is skipped without loading anything. Only what changed
//! is decompressed and schema-diffed, so two nights of a 20,000-operation catalog diff in well under a second.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::Value;

use super::schema::{Direction, SchemaChange, diff_schemas};
use super::{
    Change, Code, OperationUpgrade, Report, ServiceRef, SnapshotRef, TextDiff, Upgrade, fingerprint,
};
use crate::model::Version;
use crate::store::{BlobId, Catalog, CatalogEntry, OperationEntry, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "snapshot {from} is not older than snapshot {to}: diff compares an older snapshot with a newer one"
    )]
    Order { from: i64, to: i64 },
}

/// Diffs complete snapshot `from` (older) against complete snapshot `to` (newer).
///
/// Operations are loaded only for the connector versions that need them (a changed state, a new version and the
/// version it upgrades from), blobs only where their ids differ, and the schema diffs of all those pairs run on
/// every core before the changes are assembled in order.
pub fn diff_snapshots(store: &mut Store, from: i64, to: i64) -> Result<Report, DiffError> {
    if from >= to {
        return Err(DiffError::Order { from, to });
    }
    let started = std::time::Instant::now();
    let mut a = store.catalog_without_operations(from)?;
    let mut b = store.catalog_without_operations(to)?;
    let pairs = Pairs::of(&a, &b);
    for &i in &pairs.a_needed {
        store.load_operations(&mut a.entries[i])?;
    }
    for &i in &pairs.b_needed {
        store.load_operations(&mut b.entries[i])?;
    }
    tracing::debug!("catalogs {from} and {to} loaded in {:?}", started.elapsed());
    let started = std::time::Instant::now();
    let memo = compare_all(store, &pairs.operation_pairs(&a, &b))?;
    tracing::debug!(
        "{} operation pairs compared in {:?}",
        memo.len(),
        started.elapsed()
    );
    let mut differ = Differ {
        store,
        changes: Vec::new(),
        memo,
    };
    differ.run(&a, &b)?;
    let mut changes = differ.changes;
    changes.sort_by(|x, y| {
        (
            x.connector.as_str(),
            version_key(&x.version),
            x.code,
            x.operation.as_deref(),
        )
            .cmp(&(
                y.connector.as_str(),
                version_key(&y.version),
                y.code,
                y.operation.as_deref(),
            ))
    });
    Ok(Report::new(
        SnapshotRef::of(&a.snapshot),
        SnapshotRef::of(&b.snapshot),
        changes,
    ))
}

fn version_key(version: &Option<String>) -> Option<Version> {
    version.as_deref().and_then(|v| v.parse().ok())
}

struct Differ<'s> {
    store: &'s mut Store,
    changes: Vec<Change>,
    /// Comparisons computed up front (in parallel), by pair.
    memo: HashMap<PairKey, Option<OperationComparison>>,
}

/// Identifies a comparison: the blob ids of both operations, and whether text diffs were asked for.
type PairKey = ([BlobId; 3], [BlobId; 3], bool);

fn ids(op: &OperationEntry) -> [BlobId; 3] {
    [op.meta, op.input_schema, op.output_schema]
}

/// Which entries need their operations, and which operations get compared: the same matching `Differ::run` does.
struct Pairs {
    a_needed: Vec<usize>,
    b_needed: Vec<usize>,
    /// (entry in A, entry in B, with text diffs)
    entries: Vec<(usize, usize, bool)>,
}

impl Pairs {
    fn of(a: &Catalog, b: &Catalog) -> Pairs {
        let a_keys = keys(a);
        let a_newest = newest_by_name(a);
        let mut entries = Vec::new();
        for (bi, e) in b.entries.iter().enumerate() {
            match a_keys.get(&(e.name.clone(), e.version.clone())) {
                Some(&ai) if a.entries[ai].state != e.state => entries.push((ai, bi, true)),
                Some(_) => {}
                None => {
                    if let Some(&ai) = a_newest.get(e.name.as_str()) {
                        entries.push((ai, bi, false));
                    }
                }
            }
        }
        let mut a_needed: Vec<usize> = entries.iter().map(|p| p.0).collect();
        a_needed.sort_unstable();
        a_needed.dedup();
        let mut b_needed: Vec<usize> = entries.iter().map(|p| p.1).collect();
        // A changed version's new operations need their titles too.
        b_needed.sort_unstable();
        b_needed.dedup();
        Pairs {
            a_needed,
            b_needed,
            entries,
        }
    }

    /// The operation pairs (same name) of every entry pair whose blob ids differ.
    fn operation_pairs<'c>(
        &self,
        a: &'c Catalog,
        b: &'c Catalog,
    ) -> Vec<(&'c OperationEntry, &'c OperationEntry, bool)> {
        let mut out = Vec::new();
        for &(ai, bi, text) in &self.entries {
            let new: HashMap<&str, &OperationEntry> = b.entries[bi]
                .operations
                .iter()
                .map(|o| (o.name.as_str(), o))
                .collect();
            for old in &a.entries[ai].operations {
                if let Some(new) = new.get(old.name.as_str())
                    && ids(old) != ids(new)
                {
                    out.push((old, *new, text));
                }
            }
        }
        out
    }
}

fn keys(c: &Catalog) -> BTreeMap<(String, Version), usize> {
    c.entries
        .iter()
        .enumerate()
        .map(|(i, e)| ((e.name.clone(), e.version.clone()), i))
        .collect()
}

/// Fetches what differs in every pair (one pass over the store), then decodes and compares each distinct part on
/// every core, each thread taking the next part when it is done with one. Parts are shared: many versions of a
/// connector carry the same schema change, and it is diffed once.
fn compare_all(
    store: &mut Store,
    pairs: &[(&OperationEntry, &OperationEntry, bool)],
) -> Result<HashMap<PairKey, Option<OperationComparison>>, StoreError> {
    let mut parts: Vec<Part> = Vec::new();
    let mut seen: HashSet<Part> = HashSet::new();
    for &(old, new, text) in pairs {
        for part in parts_of(old, new, text) {
            if seen.insert(part) {
                parts.push(part);
            }
        }
    }
    let mut encoded = Vec::with_capacity(parts.len());
    for part in &parts {
        let (a, b) = part.blobs();
        encoded.push((store.encoded_blob(a)?, store.encoded_blob(b)?));
    }
    let decoder = store.blob_decoder()?;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(parts.len().max(1));
    let results: Vec<Result<Vec<(Part, PartResult)>, StoreError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let mut decoder = decoder.clone();
                let (parts, encoded, next) = (&parts, &encoded, &next);
                scope.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let (Some(part), Some((a, b))) = (parts.get(i), encoded.get(i)) else {
                            break;
                        };
                        done.push((*part, part.compare(&decoder.json(a)?, &decoder.json(b)?)));
                    }
                    Ok(done)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut done: HashMap<Part, PartResult> = HashMap::with_capacity(parts.len());
    for result in results {
        done.extend(result?);
    }
    Ok(pairs
        .iter()
        .map(|&(old, new, text)| {
            let key = (ids(old), ids(new), text);
            let results: Vec<&PartResult> = parts_of(old, new, text)
                .iter()
                .filter_map(|p| done.get(p))
                .collect();
            (key, assemble(&results))
        })
        .collect())
}

impl Differ<'_> {
    fn run(&mut self, a: &Catalog, b: &Catalog) -> Result<(), StoreError> {
        let a_keys = keys(a);
        let b_keys = keys(b);
        let a_names: BTreeSet<&str> = a.entries.iter().map(|e| e.name.as_str()).collect();
        let b_names: BTreeSet<&str> = b.entries.iter().map(|e| e.name.as_str()).collect();

        for name in b_names.difference(&a_names) {
            let versions: Vec<String> =
                b.versions_of(name).map(|e| e.version.to_string()).collect();
            self.push(
                Code::ConnectorAdded,
                name,
                None,
                None,
                None,
                format!(
                    "new connector {name} ({})",
                    plural(versions.len(), "version", &versions.join(", "))
                ),
            );
        }
        for name in a_names.difference(&b_names) {
            self.push(
                Code::ConnectorRemoved,
                name,
                None,
                None,
                None,
                format!(
                    "connector {name} is no longer listed: every workflow using it stops working"
                ),
            );
        }

        // Versions added, with what upgrading from the previous newest version would take.
        let a_newest = newest_by_name(a);
        for ((name, version), &bi) in &b_keys {
            if a_keys.contains_key(&(name.clone(), version.clone())) {
                continue;
            }
            let entry = &b.entries[bi];
            let upgrade = match a_newest.get(name.as_str()) {
                Some(&ai) => Some(self.upgrade(&a.entries[ai], entry)?),
                None => None,
            };
            let mut message = format!(
                "{name} {version} is new (service {} v{})",
                entry.service.name, entry.service.version
            );
            if let Some(upgrade) = &upgrade {
                message.push_str(&format!(
                    "; from {}: {} added, {} removed, {} changed{}",
                    upgrade.from_version,
                    upgrade.operations_added.len(),
                    upgrade.operations_removed.len(),
                    upgrade.operations_changed.len(),
                    if upgrade.breaking { " (breaking)" } else { "" }
                ));
            }
            let mut change = self.change(
                Code::ConnectorVersionAdded,
                name,
                Some(version.to_string()),
                None,
                None,
                message,
            );
            change.upgrade = upgrade;
            self.changes.push(change);
        }
        for (name, version) in a_keys.keys() {
            if !b_keys.contains_key(&(name.clone(), version.clone())) {
                self.push(
                    Code::ConnectorVersionRemoved,
                    name,
                    Some(version.to_string()),
                    None,
                    None,
                    format!("{name} {version} was retired: workflows pinned to it stop working"),
                );
            }
        }

        // Services that reached a version higher than any they had in A.
        let top_service = |c: &Catalog| -> BTreeMap<String, i64> {
            let mut top = BTreeMap::new();
            for e in &c.entries {
                let slot = top
                    .entry(e.service.name.clone())
                    .or_insert(e.service.version);
                *slot = (*slot).max(e.service.version);
            }
            top
        };
        let a_top = top_service(a);
        for (service, &version) in &top_service(b) {
            let Some(&before) = a_top.get(service) else {
                continue;
            };
            if version <= before {
                continue;
            }
            let users: Vec<&CatalogEntry> = b
                .entries
                .iter()
                .filter(|e| &e.service.name == service && e.service.version == version)
                .collect();
            let newest = users.iter().max_by(|x, y| x.version.cmp(&y.version));
            let connector = newest.map_or(service.as_str(), |e| e.name.as_str());
            let used_by: Vec<String> = users
                .iter()
                .map(|e| format!("{} {}", e.name, e.version))
                .collect();
            self.push(
                Code::ServiceVersionAdded,
                connector,
                newest.map(|e| e.version.to_string()),
                None,
                Some(ServiceRef {
                    name: service.clone(),
                    version,
                }),
                format!(
                    "service {service} v{version} is new (was v{before}); used by {}",
                    used_by.join(", ")
                ),
            );
        }

        // Deprecated in B but not in A (the one rule in model::standings).
        let a_deprecated: BTreeSet<(String, Version)> = a
            .entries
            .iter()
            .zip(a.standings())
            .filter(|(_, s)| s.deprecated)
            .map(|(e, _)| (e.name.clone(), e.version.clone()))
            .collect();
        let b_top = top_service(b);
        for (entry, standing) in b.entries.iter().zip(b.standings()) {
            if !standing.deprecated
                || a_deprecated.contains(&(entry.name.clone(), entry.version.clone()))
            {
                continue;
            }
            let newer = b
                .versions_of(&entry.name)
                .filter(|e| e.service.version > entry.service.version)
                .max_by(|x, y| x.version.cmp(&y.version));
            let reason = match newer {
                Some(n) => format!(
                    "its service {} v{} is superseded by v{} ({} {})",
                    entry.service.name,
                    entry.service.version,
                    b_top
                        .get(&entry.service.name)
                        .copied()
                        .unwrap_or(n.service.version),
                    n.name,
                    n.version
                ),
                None => "Tray declared it deprecated".to_owned(),
            };
            self.push(
                Code::ConnectorVersionDeprecated,
                &entry.name,
                Some(entry.version.to_string()),
                None,
                Some(ServiceRef {
                    name: entry.service.name.clone(),
                    version: entry.service.version,
                }),
                format!("{} {} is deprecated: {reason}", entry.name, entry.version),
            );
        }

        // Operations inside versions present in both: skipped whole when the stored state is the same.
        for ((name, version), &ai) in &a_keys {
            let Some(&bi) = b_keys.get(&(name.clone(), version.clone())) else {
                continue;
            };
            let (ea, eb) = (&a.entries[ai], &b.entries[bi]);
            if ea.state == eb.state {
                continue;
            }
            self.operations_within(ea, eb)?;
        }
        Ok(())
    }

    fn operations_within(&mut self, a: &CatalogEntry, b: &CatalogEntry) -> Result<(), StoreError> {
        let a_ops: BTreeMap<&str, &OperationEntry> =
            a.operations.iter().map(|o| (o.name.as_str(), o)).collect();
        let b_ops: BTreeMap<&str, &OperationEntry> =
            b.operations.iter().map(|o| (o.name.as_str(), o)).collect();
        let version = Some(b.version.to_string());
        for (op, entry) in &b_ops {
            if !a_ops.contains_key(op) {
                let title = self.title_of(entry.meta)?;
                self.push(
                    Code::OperationAdded,
                    &b.name,
                    version.clone(),
                    Some(op.to_string()),
                    None,
                    format!("{} {}: new operation {op} ({title})", b.name, b.version),
                );
            }
        }
        for op in a_ops.keys() {
            if !b_ops.contains_key(op) {
                self.push(
                    Code::OperationRemoved,
                    &b.name,
                    version.clone(),
                    Some(op.to_string()),
                    None,
                    format!(
                        "{} {}: operation {op} was removed without a version bump; steps using it break",
                        b.name, b.version
                    ),
                );
            }
        }
        for (op, old) in &a_ops {
            let Some(new) = b_ops.get(op) else { continue };
            let Some(compared) = self.compare(old, new, true)? else {
                continue;
            };
            let breaking = compared.breaking;
            let mut summary = compared.fields.join(", ");
            if breaking {
                let first = compared.schema_changes.iter().find(|c| c.breaking);
                summary = match first {
                    Some(c) => format!("breaking: {} ({})", c.message, summary),
                    None => format!("breaking ({summary})"),
                };
            }
            let mut change = self.change(
                Code::OperationChanged,
                &b.name,
                version.clone(),
                Some(op.to_string()),
                None,
                format!("{} {}: {op} changed: {summary}", b.name, b.version),
            );
            change.severity = Code::OperationChanged.default_severity(breaking);
            change.breaking = Some(breaking);
            change.fields = compared.fields;
            change.schema_changes = compared.schema_changes;
            change.text_diffs = compared.text_diffs;
            self.changes.push(change);
        }
        Ok(())
    }

    /// The comparison computed up front, or computed now when the pair was not foreseen.
    fn compare(
        &mut self,
        old: &OperationEntry,
        new: &OperationEntry,
        text: bool,
    ) -> Result<Option<OperationComparison>, StoreError> {
        match self.memo.remove(&(ids(old), ids(new), text)) {
            Some(done) => Ok(done),
            None => compare_operation(self.store, old, new, text),
        }
    }

    /// What moving a step from `from` (A's newest version) to `to` (a new version in B) would take.
    fn upgrade(&mut self, from: &CatalogEntry, to: &CatalogEntry) -> Result<Upgrade, StoreError> {
        let old: BTreeMap<&str, &OperationEntry> = from
            .operations
            .iter()
            .map(|o| (o.name.as_str(), o))
            .collect();
        let new: BTreeMap<&str, &OperationEntry> =
            to.operations.iter().map(|o| (o.name.as_str(), o)).collect();
        let operations_added: Vec<String> = new
            .keys()
            .filter(|k| !old.contains_key(*k))
            .map(|k| k.to_string())
            .collect();
        let operations_removed: Vec<String> = old
            .keys()
            .filter(|k| !new.contains_key(*k))
            .map(|k| k.to_string())
            .collect();
        let mut operations_changed = Vec::new();
        for (name, o) in &old {
            let Some(n) = new.get(name) else { continue };
            if let Some(compared) = self.compare(o, n, false)?
                && !compared.schema_changes.is_empty()
            {
                operations_changed.push(OperationUpgrade {
                    operation: name.to_string(),
                    breaking: compared.breaking,
                    schema_changes: compared.schema_changes,
                });
            }
        }
        let breaking =
            !operations_removed.is_empty() || operations_changed.iter().any(|o| o.breaking);
        Ok(Upgrade {
            from_version: from.version.to_string(),
            operations_added,
            operations_removed,
            operations_changed,
            breaking,
        })
    }

    fn title_of(&mut self, meta: BlobId) -> Result<String, StoreError> {
        let meta = self.store.json(meta)?;
        Ok(meta
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned())
    }

    fn change(
        &self,
        code: Code,
        connector: &str,
        version: Option<String>,
        operation: Option<String>,
        service: Option<ServiceRef>,
        message: String,
    ) -> Change {
        let service_text = service
            .as_ref()
            .map(|s| format!("{}@{}", s.name, s.version));
        let print = fingerprint(&[
            code.as_str(),
            connector,
            version.as_deref().unwrap_or(""),
            operation.as_deref().unwrap_or(""),
            service_text.as_deref().unwrap_or(""),
        ]);
        Change {
            code,
            severity: code.default_severity(false),
            connector: connector.to_owned(),
            version,
            operation,
            service,
            message,
            fingerprint: print,
            breaking: None,
            fields: Vec::new(),
            schema_changes: Vec::new(),
            text_diffs: Vec::new(),
            upgrade: None,
        }
    }

    fn push(
        &mut self,
        code: Code,
        connector: &str,
        version: Option<String>,
        operation: Option<String>,
        service: Option<ServiceRef>,
        message: String,
    ) {
        let change = self.change(code, connector, version, operation, service, message);
        self.changes.push(change);
    }
}

/// Compares two stored operations (of one connector version in two snapshots, or of two versions): which fields
/// changed (`title`, `description`, `inputSchema`, …), the direction-aware schema changes and whether any of it
/// breaks a pinned workflow. Equal blob ids are compared without loading anything; `None` when nothing that matters
/// differs. Shared with [`crate::history`], so a timeline and a diff never disagree about a change.
pub fn compare_operation(
    store: &mut Store,
    old: &OperationEntry,
    new: &OperationEntry,
    with_text_diffs: bool,
) -> Result<Option<OperationComparison>, StoreError> {
    let mut results = Vec::new();
    for part in parts_of(old, new, with_text_diffs) {
        let (a, b) = part.blobs();
        results.push(part.compare(&store.json(a)?, &store.json(b)?));
    }
    Ok(assemble(&results.iter().collect::<Vec<_>>()))
}

/// One part of two operations whose blob ids differ: the meta (title, description, …) or one schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Part {
    Meta(BlobId, BlobId),
    Schema {
        old: BlobId,
        new: BlobId,
        direction: Direction,
        text: bool,
    },
}

/// The parts of `old` → `new` that differ, in order: meta, input, output.
fn parts_of(old: &OperationEntry, new: &OperationEntry, text: bool) -> Vec<Part> {
    let mut parts = Vec::with_capacity(3);
    if old.meta != new.meta {
        parts.push(Part::Meta(old.meta, new.meta));
    }
    for (direction, a, b) in [
        (Direction::Input, old.input_schema, new.input_schema),
        (Direction::Output, old.output_schema, new.output_schema),
    ] {
        if a != b {
            parts.push(Part::Schema {
                old: a,
                new: b,
                direction,
                text,
            });
        }
    }
    parts
}

/// What one part comparison found.
enum PartResult {
    Meta {
        fields: Vec<String>,
        breaking: bool,
    },
    Schema {
        direction: Direction,
        changes: Vec<SchemaChange>,
        unified: Option<String>,
    },
}

impl Part {
    fn blobs(&self) -> (BlobId, BlobId) {
        match *self {
            Part::Meta(a, b) | Part::Schema { old: a, new: b, .. } => (a, b),
        }
    }

    /// Compares the part's two loaded values; pure, so parts can be compared on several threads.
    fn compare(&self, a: &Value, b: &Value) -> PartResult {
        match *self {
            Part::Meta(..) => {
                // Meta fields: title, description, hasDynamicOutput, authScopes and anything Tray adds.
                let mut fields = Vec::new();
                let mut breaking = false;
                let keys: BTreeSet<&String> = object_keys(a).chain(object_keys(b)).collect();
                for key in keys {
                    if key == "name" || a.get(key) == b.get(key) {
                        continue;
                    }
                    if key == "authScopes" && scopes_added(a.get(key), b.get(key)) {
                        // A step's existing authentication may lack a newly required scope.
                        breaking = true;
                    }
                    fields.push(key.clone());
                }
                PartResult::Meta { fields, breaking }
            }
            Part::Schema {
                direction, text, ..
            } => {
                let changes = diff_schemas(a, b, direction);
                // Only an equivalent spelling changed ($ref vs inline, reordered lists): no change, and no diff.
                let unified = (text && !changes.is_empty()).then(|| unified_diff(a, b));
                PartResult::Schema {
                    direction,
                    changes,
                    unified,
                }
            }
        }
    }
}

/// One operation's comparison from its parts' results; `None` when nothing that matters differs.
fn assemble(results: &[&PartResult]) -> Option<OperationComparison> {
    let mut fields = Vec::new();
    let mut schema_changes: Vec<SchemaChange> = Vec::new();
    let mut text_diffs = Vec::new();
    let mut breaking = false;
    for result in results {
        match result {
            PartResult::Meta {
                fields: f,
                breaking: b,
            } => {
                fields.extend(f.iter().cloned());
                breaking |= b;
            }
            PartResult::Schema {
                direction,
                changes,
                unified,
            } => {
                if changes.is_empty() {
                    continue;
                }
                breaking |= changes.iter().any(|c| c.breaking);
                fields.push(
                    match direction {
                        Direction::Input => "inputSchema",
                        Direction::Output => "outputSchema",
                    }
                    .to_owned(),
                );
                if let Some(unified) = unified {
                    text_diffs.push(TextDiff {
                        direction: *direction,
                        unified: unified.clone(),
                    });
                }
                schema_changes.extend(changes.iter().cloned());
            }
        }
    }
    if fields.is_empty() {
        return None;
    }
    Some(OperationComparison {
        fields,
        schema_changes,
        text_diffs,
        breaking,
    })
}

/// How one operation differs between two stored versions of it.
#[derive(Debug, Clone)]
pub struct OperationComparison {
    /// Top-level fields that changed: meta fields (`title`, `description`, `authScopes`, …), then `inputSchema`
    /// and `outputSchema` when they changed in substance (an equivalent spelling is no change).
    pub fields: Vec<String>,
    pub schema_changes: Vec<SchemaChange>,
    /// Unified diffs of the changed schemas, when asked for.
    pub text_diffs: Vec<TextDiff>,
    /// Whether any part of the change breaks a pinned workflow (a breaking schema change, or a new auth scope).
    pub breaking: bool,
}

fn object_keys(value: &Value) -> impl Iterator<Item = &String> {
    value.as_object().into_iter().flat_map(|m| m.keys())
}

fn scopes_added(old: Option<&Value>, new: Option<&Value>) -> bool {
    let set = |v: Option<&Value>| -> BTreeSet<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let (old, new) = (set(old), set(new));
    new.difference(&old).next().is_some()
}

fn newest_by_name(catalog: &Catalog) -> HashMap<&str, usize> {
    let mut newest: HashMap<&str, usize> = HashMap::new();
    for (i, e) in catalog.entries.iter().enumerate() {
        let slot = newest.entry(e.name.as_str()).or_insert(i);
        if e.version > catalog.entries[*slot].version {
            *slot = i;
        }
    }
    newest
}

fn plural(n: usize, word: &str, list: &str) -> String {
    if n == 1 {
        format!("{word} {list}")
    } else {
        format!("{word}s {list}")
    }
}

/// Lines of context kept around each changed hunk.
const CONTEXT_LINES: usize = 3;
/// A schema diff longer than this is cut, saying so: a report must stay readable.
const MAX_DIFF_LINES: usize = 400;

/// A unified diff of the two schemas pretty-printed, cut to the changed hunks.
pub fn unified_diff(old: &Value, new: &Value) -> String {
    let old_text = pretty(old);
    let new_text = pretty(new);
    // Patience anchors on lines that occur once on each side (most lines of a pretty-printed schema carry a
    // property name) and runs Myers only between anchors: several times faster than Myers alone on large schemas.
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .diff_lines(&old_text, &new_text);
    let text = diff
        .unified_diff()
        .context_radius(CONTEXT_LINES)
        .header("old", "new")
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= MAX_DIFF_LINES {
        return text;
    }
    let mut cut = lines[..MAX_DIFF_LINES].join("\n");
    cut.push_str(&format!(
        "\n… {} more lines of diff not shown\n",
        lines.len() - MAX_DIFF_LINES
    ));
    cut
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}
