//! The SQLite catalog store: snapshots of the connector catalog, content-addressed.
//!
//! Every other part of trayscope reads the catalog through this module, and only complete snapshots are ever handed
//! out. It must never let a half-written snapshot become visible, and never open a database written by a newer
//! trayscope (its schema could mean something this binary does not know).

mod blob;
mod history;
mod lookup;
mod pick;
mod prune;
mod write;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use serde_json::Value;

pub use blob::{Hash, canonical_json, hash_bytes, hex};
pub use history::Sighting;
pub use prune::{PruneOutcome, PruneStats, Retention, Selection};
pub use write::{SnapshotCounts, SnapshotWriter, Stored, WriteStats};

use crate::model::{self, Service, Version};

/// The schema version this binary writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 1;

const SCHEMA_SQL: &str = include_str!("../../schema.sql");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "{path} was written by a newer trayscope (catalog schema version {found}; this trayscope knows up to \
         {known}). Upgrade trayscope, or point --home at another directory."
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{path}: no snapshot {id}")]
    NoSuchSnapshot { path: PathBuf, id: i64 },
    #[error("{path}: snapshot {id} is {status}, not complete")]
    NotComplete {
        path: PathBuf,
        id: i64,
        status: String,
    },
    #[error("{path}: no complete snapshot yet{}", match running {
        Some((id, started)) => format!(
            ": snapshot {id}, started {started}, is still running (a crawl in progress; try again when it ends, \
             or if no crawl is running, it was killed: run `trayscope crawl` again)"
        ),
        None => " (run `trayscope crawl` first)".to_owned(),
    })]
    NoCompleteSnapshot {
        path: PathBuf,
        /// The newest `running` snapshot and when it started, if any.
        running: Option<(i64, String)>,
    },
    #[error(
        "{path}: {what} needs two complete snapshots, and there {}; run `trayscope crawl` (or `nightly`) again \
         later to take another, or pick two with --from and --to",
        match complete.as_slice() {
            [] => "are none yet".to_owned(),
            [one] => format!("is only one (snapshot {one})"),
            many => format!("are {} ({})", many.len(), many.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")),
        }
    )]
    NotEnoughSnapshots {
        path: PathBuf,
        what: &'static str,
        complete: Vec<i64>,
    },
    #[error(
        "{path}: snapshot {from} is not older than snapshot {to}; --from must name the older one"
    )]
    WrongOrder { path: PathBuf, from: i64, to: i64 },
    #[error("{path}: will not prune snapshot {id}: {why}")]
    WontPrune { path: PathBuf, id: i64, why: String },
    #[error("{path}: stored data is damaged: {what}")]
    Corrupt { path: PathBuf, what: String },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Lifecycle of a snapshot; only `Complete` ones are read by diff, search, audit and export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Running,
    Complete,
    Failed,
}

impl Status {
    fn parse(s: &str) -> Option<Status> {
        match s {
            "running" => Some(Status::Running),
            "complete" => Some(Status::Complete),
            "failed" => Some(Status::Failed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Complete => "complete",
            Status::Failed => "failed",
        }
    }
}

/// One row of `snapshots`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SnapshotInfo {
    pub id: i64,
    pub status: Status,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub source: String,
    pub trayscope_version: String,
    pub connectors: Option<i64>,
    pub connector_versions: Option<i64>,
    pub operations: Option<i64>,
    pub requests: Option<i64>,
    pub retries: Option<i64>,
    pub error: Option<String>,
}

/// A blob's row id: equal ids mean equal content, so comparing ids is the fast path of every diff.
pub type BlobId = i64;

/// One connector version as a snapshot saw it.
#[derive(Debug, Clone)]
pub struct CatalogEntry {
    /// The `connector_versions` row: equal ids across snapshots mean nothing in this version changed.
    pub state: i64,
    pub name: String,
    pub version: Version,
    pub title: String,
    pub description: String,
    pub service: Service,
    pub declared_deprecated: bool,
    pub element: BlobId,
    pub operations: Vec<OperationEntry>,
}

/// One operation of a connector version; its text and schemas are in blobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationEntry {
    pub name: String,
    pub meta: BlobId,
    pub input_schema: BlobId,
    pub output_schema: BlobId,
}

/// A complete snapshot's catalog, in listing order.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub snapshot: SnapshotInfo,
    pub entries: Vec<CatalogEntry>,
}

impl Catalog {
    /// Every version of `name` in this catalog, in listing order.
    pub fn versions_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a CatalogEntry> + 'a {
        self.entries.iter().filter(move |e| e.name == name)
    }

    /// The deprecation rule ([`model::standings`]) applied to every entry, in entry order.
    pub fn standings(&self) -> Vec<model::Standing> {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            by_name.entry(&e.name).or_default().push(i);
        }
        let mut out = vec![
            model::Standing {
                latest: true,
                outdated: false,
                deprecated: false
            };
            self.entries.len()
        ];
        for indices in by_name.values() {
            let facts: Vec<model::VersionFacts<'_>> = indices
                .iter()
                .map(|&i| model::VersionFacts {
                    version: &self.entries[i].version,
                    service_version: self.entries[i].service.version,
                    declared_deprecated: self.entries[i].declared_deprecated,
                })
                .collect();
            for (&i, standing) in indices.iter().zip(model::standings(&facts)) {
                out[i] = standing;
            }
        }
        out
    }
}

/// An open catalog database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    decoder: BlobDecoder,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`, applying the schema or its migrations.
    pub fn open(path: &Path) -> Result<Store> {
        let at = |source| StoreError::Sqlite {
            path: path.to_owned(),
            source,
        };
        let mut conn = Connection::open(path).map_err(at)?;
        configure(&conn).map_err(at)?;
        migrate(&mut conn, path)?;
        Ok(Store {
            conn,
            path: path.to_owned(),
            decoder: BlobDecoder::new(path),
        })
    }

    /// Opens an existing database for reading only; it is never created or migrated.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        let at = |source| StoreError::Sqlite {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(at)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(at)?;
        schema_version(&conn, path)?;
        Ok(Store {
            conn,
            path: path.to_owned(),
            decoder: BlobDecoder::new(path),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |source| StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Records that a crawl of `source` started; the snapshot stays invisible until [`SnapshotWriter::finish`].
    pub fn begin_snapshot(&mut self, source: &str) -> Result<i64> {
        let now = now_rfc3339();
        self.conn
            .execute(
                "INSERT INTO snapshots (status, started_at, source, trayscope_version) VALUES ('running', ?1, ?2, ?3)",
                params![now, source, env!("CARGO_PKG_VERSION")],
            )
            .map_err(self.err())?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Starts writing the content of a running snapshot, in one transaction that [`SnapshotWriter::finish`] commits.
    pub fn write_snapshot(&mut self, snapshot: i64) -> Result<SnapshotWriter<'_>> {
        SnapshotWriter::new(self, snapshot)
    }

    /// Marks a snapshot failed, with the reason. Its content was never committed.
    pub fn fail_snapshot(&mut self, snapshot: i64, error: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE snapshots SET status = 'failed', finished_at = ?2, error = ?3 WHERE id = ?1 AND status = 'running'",
                params![snapshot, now_rfc3339(), error],
            )
            .map_err(self.err())?;
        Ok(())
    }

    /// Marks every `running` snapshot failed. Call only while holding the crawl lock: then no crawl is running, so a
    /// `running` row is one whose process was killed.
    pub fn fail_interrupted(&mut self) -> Result<usize> {
        self.conn
            .execute(
                "UPDATE snapshots SET status = 'failed', finished_at = ?1,
                        error = 'interrupted: the crawl stopped before it finished' WHERE status = 'running'",
                params![now_rfc3339()],
            )
            .map_err(self.err())
    }

    /// Every snapshot, oldest first.
    pub fn snapshots(&self) -> Result<Vec<SnapshotInfo>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, status, started_at, finished_at, source, trayscope_version, connectors,
                        connector_versions, operations, requests, retries, error
                 FROM snapshots ORDER BY id",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], snapshot_from_row)
            .map_err(self.err())?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(self.err())?;
        Ok(rows)
    }

    pub fn snapshot(&self, id: i64) -> Result<SnapshotInfo> {
        self.conn
            .query_row(
                "SELECT id, status, started_at, finished_at, source, trayscope_version, connectors,
                        connector_versions, operations, requests, retries, error
                 FROM snapshots WHERE id = ?1",
                [id],
                snapshot_from_row,
            )
            .optional()
            .map_err(self.err())?
            .ok_or_else(|| StoreError::NoSuchSnapshot {
                path: self.path.clone(),
                id,
            })
    }

    /// The complete snapshot `id`, or the latest complete one when `id` is `None`.
    pub fn complete_snapshot(&self, id: Option<i64>) -> Result<SnapshotInfo> {
        match id {
            Some(id) => {
                let info = self.snapshot(id)?;
                if info.status != Status::Complete {
                    return Err(StoreError::NotComplete {
                        path: self.path.clone(),
                        id,
                        status: info.status.as_str().into(),
                    });
                }
                Ok(info)
            }
            None => {
                let id: Option<i64> = self
                    .conn
                    .query_row(
                        "SELECT max(id) FROM snapshots WHERE status = 'complete'",
                        [],
                        |r| r.get(0),
                    )
                    .map_err(self.err())?;
                match id {
                    Some(id) => self.snapshot(id),
                    None => Err(StoreError::NoCompleteSnapshot {
                        path: self.path.clone(),
                        running: self.newest_running()?,
                    }),
                }
            }
        }
    }

    /// Ids of every complete snapshot, oldest first.
    pub fn complete_snapshot_ids(&self) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM snapshots WHERE status = 'complete' ORDER BY id")
            .map_err(self.err())?;
        let ids = stmt
            .query_map([], |r| r.get(0))
            .map_err(self.err())?
            .collect::<std::result::Result<Vec<i64>, _>>()
            .map_err(self.err())?;
        Ok(ids)
    }

    /// The whole catalog of a complete snapshot, in listing order (element and schemas stay in blobs).
    pub fn catalog(&self, snapshot: i64) -> Result<Catalog> {
        let mut catalog = self.catalog_without_operations(snapshot)?;
        let mut index_of_state: HashMap<i64, Vec<usize>> = HashMap::new();
        for (i, entry) in catalog.entries.iter().enumerate() {
            index_of_state.entry(entry.state).or_default().push(i);
        }
        let mut stmt = self
            .conn
            .prepare(
                "SELECT o.connector_version, o.name, o.meta, o.input_schema, o.output_schema
                 FROM snapshot_members m JOIN operations o ON o.connector_version = m.connector_version
                 WHERE m.snapshot = ?1 ORDER BY o.connector_version, o.position",
            )
            .map_err(self.err())?;
        let mut rows = stmt.query([snapshot]).map_err(self.err())?;
        while let Some(row) = rows.next().map_err(self.err())? {
            let state: i64 = row.get(0).map_err(self.err())?;
            let op = operation_from_row(row, 1).map_err(self.err())?;
            if let Some(indices) = index_of_state.get(&state) {
                for &i in indices {
                    catalog.entries[i].operations.push(op.clone());
                }
            }
        }
        Ok(catalog)
    }

    /// A complete snapshot's connector versions, in listing order, with no operations loaded (see
    /// [`Store::load_operations`]): what a reader that needs only a few versions' operations starts from.
    pub fn catalog_without_operations(&self, snapshot: i64) -> Result<Catalog> {
        let info = self.complete_snapshot(Some(snapshot))?;
        let mut entries: Vec<CatalogEntry> = Vec::new();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT cv.id, cv.name, cv.version, cv.title, cv.description, cv.element,
                        s.service_id, s.name, s.version, cv.declared_deprecated
                 FROM snapshot_members m
                 JOIN connector_versions cv ON cv.id = m.connector_version
                 JOIN services s ON s.id = cv.service
                 WHERE m.snapshot = ?1 ORDER BY m.position",
            )
            .map_err(self.err())?;
        let mut rows = stmt.query([snapshot]).map_err(self.err())?;
        while let Some(row) = rows.next().map_err(self.err())? {
            let state: i64 = row.get(0).map_err(self.err())?;
            let version_text: String = row.get(2).map_err(self.err())?;
            let version = version_text.parse().map_err(|_| StoreError::Corrupt {
                path: self.path.clone(),
                what: format!("connector version row {state} has version {version_text:?}"),
            })?;
            entries.push(CatalogEntry {
                state,
                name: row.get(1).map_err(self.err())?,
                version,
                title: row.get(3).map_err(self.err())?,
                description: row.get(4).map_err(self.err())?,
                element: row.get(5).map_err(self.err())?,
                declared_deprecated: row.get(9).map_err(self.err())?,
                service: Service {
                    id: row.get(6).map_err(self.err())?,
                    name: row.get(7).map_err(self.err())?,
                    version: row.get(8).map_err(self.err())?,
                },
                operations: Vec::new(),
            });
        }
        Ok(Catalog {
            snapshot: info,
            entries,
        })
    }

    /// Fills in the operations of `entry` (one primary-key range read).
    pub fn load_operations(&self, entry: &mut CatalogEntry) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT name, meta, input_schema, output_schema FROM operations
                 WHERE connector_version = ?1 ORDER BY position",
            )
            .map_err(self.err())?;
        entry.operations = stmt
            .query_map([entry.state], |row| operation_from_row(row, 0))
            .map_err(self.err())?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(self.err())?;
        Ok(())
    }

    /// The JSON value stored in blob `id`.
    pub fn json(&mut self, id: BlobId) -> Result<Value> {
        let bytes = self.blob_bytes(id)?;
        serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            what: format!("blob {id} is not JSON: {e}"),
        })
    }

    /// The canonical JSON bytes stored in blob `id`.
    pub fn blob_bytes(&mut self, id: BlobId) -> Result<Vec<u8>> {
        let encoded = self.encoded_blob(id)?;
        self.ensure_dictionary(encoded.dict_id)?;
        self.decoder.bytes(&encoded)
    }

    /// Blob `id` as stored (compressed): fetch here, decode anywhere with a [`BlobDecoder`].
    pub fn encoded_blob(&self, id: BlobId) -> Result<EncodedBlob> {
        let (raw_len, codec, dict_id, data) = self
            .conn
            .prepare_cached("SELECT raw_len, codec, dict_id, data FROM blobs WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            })
            .optional()
            .map_err(self.err())?
            .ok_or_else(|| StoreError::Corrupt {
                path: self.path.clone(),
                what: format!("blob {id} is missing"),
            })?;
        Ok(EncodedBlob {
            id,
            raw_len,
            codec,
            dict_id,
            data,
        })
    }

    /// A decoder holding every dictionary, for decoding blobs away from the store (one per thread).
    pub fn blob_decoder(&mut self) -> Result<BlobDecoder> {
        let ids: Vec<i64> = self
            .conn
            .prepare("SELECT id FROM zstd_dicts")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(self.err())?;
        for id in ids {
            self.ensure_dictionary(Some(id))?;
        }
        Ok(self.decoder.clone())
    }

    fn ensure_dictionary(&mut self, dict_id: Option<i64>) -> Result<()> {
        let Some(id) = dict_id else { return Ok(()) };
        if self.decoder.dictionaries.contains_key(&id) {
            return Ok(());
        }
        let dict: Vec<u8> = self
            .conn
            .query_row("SELECT data FROM zstd_dicts WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(self.err())?
            .ok_or_else(|| StoreError::Corrupt {
                path: self.path.clone(),
                what: format!("zstd dictionary {id} is missing"),
            })?;
        self.decoder
            .dictionaries
            .insert(id, std::sync::Arc::new(dict));
        Ok(())
    }

    /// Bytes the database and its WAL take on disk.
    pub fn checkpoint(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(self.err())
    }
}

/// A blob as stored: compressed bytes and how to decode them.
#[derive(Debug, Clone)]
pub struct EncodedBlob {
    pub id: BlobId,
    raw_len: i64,
    codec: i64,
    dict_id: Option<i64>,
    data: Vec<u8>,
}

/// Decodes blobs. Holds the dictionaries and one decompression context per dictionary, made on first use and kept:
/// creating a zstd context costs more than decompressing a typical small blob. A clone shares the dictionaries and
/// makes its own contexts, so each thread can decode on its own.
pub struct BlobDecoder {
    path: PathBuf,
    dictionaries: HashMap<i64, std::sync::Arc<Vec<u8>>>,
    contexts: HashMap<Option<i64>, zstd::bulk::Decompressor<'static>>,
}

impl Clone for BlobDecoder {
    fn clone(&self) -> Self {
        BlobDecoder {
            path: self.path.clone(),
            dictionaries: self.dictionaries.clone(),
            contexts: HashMap::new(),
        }
    }
}

impl BlobDecoder {
    fn new(path: &Path) -> BlobDecoder {
        BlobDecoder {
            path: path.to_owned(),
            dictionaries: HashMap::new(),
            contexts: HashMap::new(),
        }
    }

    fn corrupt(&self, id: BlobId, what: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            what: format!("blob {id}: {what}"),
        }
    }

    /// The canonical JSON bytes of a blob.
    pub fn bytes(&mut self, blob: &EncodedBlob) -> Result<Vec<u8>> {
        let capacity = usize::try_from(blob.raw_len)
            .map_err(|_| self.corrupt(blob.id, format!("length {}", blob.raw_len)))?;
        let dict_id = match blob::Codec::from_i64(blob.codec) {
            Some(blob::Codec::Raw) => return Ok(blob.data.clone()),
            Some(blob::Codec::Zstd) => None,
            Some(blob::Codec::ZstdDict) => Some(
                blob.dict_id
                    .ok_or_else(|| self.corrupt(blob.id, "no dictionary"))?,
            ),
            None => return Err(self.corrupt(blob.id, format!("unknown codec {}", blob.codec))),
        };
        if !self.contexts.contains_key(&dict_id) {
            let context = match dict_id {
                Some(d) => {
                    let dict = self.dictionaries.get(&d).ok_or_else(|| {
                        self.corrupt(blob.id, format!("dictionary {d} not loaded"))
                    })?;
                    zstd::bulk::Decompressor::with_dictionary(dict)
                }
                None => zstd::bulk::Decompressor::new(),
            }
            .map_err(|e| self.corrupt(blob.id, e))?;
            self.contexts.insert(dict_id, context);
        }
        let result = match self.contexts.get_mut(&dict_id) {
            Some(context) => context.decompress(&blob.data, capacity),
            None => return Err(self.corrupt(blob.id, "no decompression context")),
        };
        result.map_err(|e| self.corrupt(blob.id, e))
    }

    /// The JSON value of a blob.
    pub fn json(&mut self, blob: &EncodedBlob) -> Result<Value> {
        let bytes = self.bytes(blob)?;
        serde_json::from_slice(&bytes).map_err(|e| self.corrupt(blob.id, format!("not JSON: {e}")))
    }
}

fn operation_from_row(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<OperationEntry> {
    Ok(OperationEntry {
        name: row.get(first)?,
        meta: row.get(first + 1)?,
        input_schema: row.get(first + 2)?,
        output_schema: row.get(first + 3)?,
    })
}

fn snapshot_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SnapshotInfo> {
    let status: String = row.get(1)?;
    Ok(SnapshotInfo {
        id: row.get(0)?,
        status: Status::parse(&status).unwrap_or(Status::Failed),
        started_at: row.get(2)?,
        finished_at: row.get(3)?,
        source: row.get(4)?,
        trayscope_version: row.get(5)?,
        connectors: row.get(6)?,
        connector_versions: row.get(7)?,
        operations: row.get(8)?,
        requests: row.get(9)?,
        retries: row.get(10)?,
        error: row.get(11)?,
    })
}

/// Pragmas are set outside any transaction (they are ignored inside one).
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// Brings the schema to [`SCHEMA_VERSION`] in one IMMEDIATE transaction, or refuses a newer database.
///
/// A database already at [`SCHEMA_VERSION`] (every open but the first) is only read: no transaction, no write lock.
/// Readers must never queue behind a crawl that holds the write transaction for minutes (see STYLE.md, "Readers
/// never wait").
fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let at = |source| StoreError::Sqlite {
        path: path.to_owned(),
        source,
    };
    if schema_version(conn, path)? == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(at)?;
    // Read again under the write lock: another process may have created or migrated the schema meanwhile.
    let found = schema_version(&tx, path)?;
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    if found == 0 {
        tx.execute_batch(SCHEMA_SQL).map_err(at)?;
    }
    // Upgrades from older schema versions go here, one step per version, when there are any.
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(at)?;
    tx.commit().map_err(at)
}

/// `PRAGMA user_version`, refusing a database written by a newer trayscope.
fn schema_version(conn: &Connection, path: &Path) -> Result<i64> {
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|source| StoreError::Sqlite {
            path: path.to_owned(),
            source,
        })?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    Ok(found)
}

/// Now as RFC 3339 UTC with milliseconds, the form every stored time takes.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_from_a_newer_trayscope_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.db");
        drop(Store::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(conn);
        let err = Store::open(&path).unwrap_err().to_string();
        assert!(err.contains("newer trayscope"), "{err}");
        assert!(Store::open_read_only(&path).is_err());
    }

    #[test]
    fn opening_twice_keeps_the_schema_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.db");
        drop(Store::open(&path).unwrap());
        let store = Store::open(&path).unwrap();
        let v: i64 = store
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
    }

    #[test]
    fn opening_a_current_database_never_waits_for_the_write_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.db");
        let mut writer = Store::open(&path).unwrap();
        let id = writer.begin_snapshot("test").unwrap();
        let _open = writer.write_snapshot(id).unwrap();
        // The writer holds the write transaction; an open with no patience at all must still succeed.
        let mut conn = Connection::open(&path).unwrap();
        conn.busy_timeout(std::time::Duration::ZERO).unwrap();
        migrate(&mut conn, &path).unwrap();
        let reader = Store::open(&path).unwrap();
        assert_eq!(reader.snapshots().unwrap().len(), 1);
    }

    #[test]
    fn no_complete_snapshot_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("catalog.db")).unwrap();
        let id = store.begin_snapshot("test").unwrap();
        assert!(matches!(
            store.complete_snapshot(None),
            Err(StoreError::NoCompleteSnapshot { .. })
        ));
        assert!(matches!(
            store.catalog(id),
            Err(StoreError::NotComplete { .. })
        ));
    }
}
