//! Writing one snapshot: content-addressed, in one transaction, visible only once finished.
//!
//! Everything a crawl writes goes through [`SnapshotWriter`], inside a single IMMEDIATE transaction that also flips
//! the snapshot to `complete`. Dropping the writer without [`SnapshotWriter::finish`] rolls all of it back. This
//! module must never commit part of a snapshot, and never store a blob twice.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::blob::{
    Codec, DICT_SIZE, DICT_TRAINING_BYTES, Hash, ZSTD_LEVEL, canonical_json, hash_bytes,
};
use super::{BlobId, Result, Store, StoreError, now_rfc3339};
use crate::model::{ConnectorVersion, Operation};

/// What a snapshot added to the database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct WriteStats {
    /// Connector versions whose content was already stored (unchanged since an earlier snapshot).
    pub reused_versions: u64,
    /// Connector versions whose content was new.
    pub new_versions: u64,
    pub new_blobs: u64,
    /// Canonical JSON bytes of the new blobs, before compression.
    pub new_blob_raw_bytes: u64,
    /// Bytes the new blobs take once compressed.
    pub new_blob_stored_bytes: u64,
}

/// Counts that describe a finished crawl, stored on its snapshot row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SnapshotCounts {
    pub connectors: u64,
    pub connector_versions: u64,
    pub operations: u64,
    pub requests: u64,
    pub retries: u64,
}

/// What [`SnapshotWriter::add`] stored for one connector version: enough to index it without reading it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The `connector_versions` row.
    pub state: i64,
    /// For content new in this snapshot, the (meta, input schema, output schema) blobs of each operation, in order;
    /// `None` when the content was already stored by an earlier snapshot.
    pub new_operations: Option<Vec<[BlobId; 3]>>,
}

enum Compression {
    /// No dictionary exists yet: fresh blobs wait here, with ids already given out, until there are enough to train
    /// one. They are written only once compressed, so no page ever holds a raw blob that later shrinks.
    Training {
        pending: Vec<(i64, Hash, Vec<u8>)>,
        ids: HashMap<Hash, i64>,
        bytes: usize,
        next_id: i64,
    },
    Ready {
        compressor: Box<zstd::bulk::Compressor<'static>>,
        dict_id: Option<i64>,
    },
}

pub struct SnapshotWriter<'a> {
    tx: Transaction<'a>,
    path: &'a Path,
    snapshot: i64,
    compression: Compression,
    services: HashMap<(String, String, i64), i64>,
    stats: WriteStats,
}

impl<'a> SnapshotWriter<'a> {
    pub(super) fn new(store: &'a mut Store, snapshot: i64) -> Result<Self> {
        let Store { conn, path, .. } = store;
        let path: &'a Path = path;
        let at = |source| StoreError::Sqlite {
            path: path.to_owned(),
            source,
        };
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(at)?;
        let dict: Option<(i64, Vec<u8>)> = tx
            .query_row(
                "SELECT id, data FROM zstd_dicts ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(at)?;
        let compression = match dict {
            Some((id, data)) => Compression::Ready {
                compressor: Box::new(
                    zstd::bulk::Compressor::with_dictionary(ZSTD_LEVEL, &data).map_err(|e| {
                        StoreError::Corrupt {
                            path: path.to_owned(),
                            what: format!("zstd dictionary {id}: {e}"),
                        }
                    })?,
                ),
                dict_id: Some(id),
            },
            None => Compression::Training {
                pending: Vec::new(),
                ids: HashMap::new(),
                bytes: 0,
                next_id: tx
                    .query_row("SELECT coalesce(max(id), 0) + 1 FROM blobs", [], |r| {
                        r.get(0)
                    })
                    .map_err(at)?,
            },
        };
        Ok(SnapshotWriter {
            tx,
            path,
            snapshot,
            compression,
            services: HashMap::new(),
            stats: WriteStats::default(),
        })
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |source| StoreError::Sqlite {
            path: self.path.to_owned(),
            source,
        }
    }

    /// Adds one connector version (with all its operations) at `position` in the listing.
    pub fn add(
        &mut self,
        position: usize,
        connector: &ConnectorVersion,
        operations: &[Operation],
    ) -> Result<Stored> {
        let element = canonical_json(&connector.element);
        let element_hash = hash_bytes(&element);
        let ops: Vec<[(Vec<u8>, Hash); 3]> = operations
            .iter()
            .map(|op| {
                [&op.meta, &op.input_schema, &op.output_schema].map(|v| {
                    let bytes = canonical_json(v);
                    let hash = hash_bytes(&bytes);
                    (bytes, hash)
                })
            })
            .collect();
        let mut hasher = blake3::Hasher::new();
        hasher.update(&element_hash);
        for parts in &ops {
            for (_, hash) in parts {
                hasher.update(hash);
            }
        }
        let content_hash: Hash = hash_bytes(hasher.finalize().as_bytes());

        let existing: Option<i64> = self
            .tx
            .prepare_cached("SELECT id FROM connector_versions WHERE content_hash = ?1")
            .and_then(|mut s| s.query_row([&content_hash[..]], |r| r.get(0)).optional())
            .map_err(self.err())?;
        let (state, new_operations) = match existing {
            Some(id) => {
                self.stats.reused_versions += 1;
                (id, None)
            }
            None => {
                self.stats.new_versions += 1;
                let service = self.service_id(connector)?;
                let element_id = self.blob_id(&element_hash, element)?;
                self.tx
                    .prepare_cached(
                        "INSERT INTO connector_versions (content_hash, name, version, title, description, service,
                                                         element, declared_deprecated, operation_count)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    )
                    .and_then(|mut s| {
                        s.execute(params![
                            &content_hash[..],
                            connector.name,
                            connector.version.as_str(),
                            connector.title,
                            connector.description,
                            service,
                            element_id,
                            connector.declared_deprecated,
                            operations.len() as i64
                        ])
                    })
                    .map_err(self.err())?;
                let state = self.tx.last_insert_rowid();
                let mut blobs = Vec::with_capacity(operations.len());
                for (position, (op, parts)) in operations.iter().zip(ops).enumerate() {
                    let [meta, input, output] = parts.map(|(bytes, hash)| (hash, bytes));
                    let meta = self.blob_id(&meta.0, meta.1)?;
                    let input = self.blob_id(&input.0, input.1)?;
                    let output = self.blob_id(&output.0, output.1)?;
                    self.tx
                        .prepare_cached(
                            "INSERT INTO operations (connector_version, position, name, meta, input_schema, output_schema)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        )
                        .and_then(|mut s| s.execute(params![state, position as i64, op.name, meta, input, output]))
                        .map_err(self.err())?;
                    blobs.push([meta, input, output]);
                }
                (state, Some(blobs))
            }
        };
        self.tx
            .prepare_cached("INSERT INTO snapshot_members (snapshot, position, connector_version) VALUES (?1, ?2, ?3)")
            .and_then(|mut s| s.execute(params![self.snapshot, position as i64, state]))
            .map_err(self.err())?;
        Ok(Stored {
            state,
            new_operations,
        })
    }

    fn service_id(&mut self, connector: &ConnectorVersion) -> Result<i64> {
        let key = (
            connector.service.id.clone(),
            connector.service.name.clone(),
            connector.service.version,
        );
        if let Some(&id) = self.services.get(&key) {
            return Ok(id);
        }
        self.tx
            .prepare_cached(
                "INSERT OR IGNORE INTO services (service_id, name, version) VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut s| s.execute(params![key.0, key.1, key.2]))
            .map_err(self.err())?;
        let id: i64 = self
            .tx
            .prepare_cached(
                "SELECT id FROM services WHERE service_id = ?1 AND name = ?2 AND version = ?3",
            )
            .and_then(|mut s| s.query_row(params![key.0, key.1, key.2], |r| r.get(0)))
            .map_err(self.err())?;
        self.services.insert(key, id);
        Ok(id)
    }

    /// The id of the blob holding `bytes`, storing it (compressed) if it is new.
    fn blob_id(&mut self, hash: &Hash, bytes: Vec<u8>) -> Result<i64> {
        if let Compression::Training { ids, .. } = &self.compression
            && let Some(&id) = ids.get(hash)
        {
            return Ok(id);
        }
        let existing: Option<i64> = self
            .tx
            .prepare_cached("SELECT id FROM blobs WHERE hash = ?1")
            .and_then(|mut s| s.query_row([&hash[..]], |r| r.get(0)).optional())
            .map_err(self.err())?;
        if let Some(id) = existing {
            return Ok(id);
        }
        self.stats.new_blobs += 1;
        self.stats.new_blob_raw_bytes += bytes.len() as u64;
        match &mut self.compression {
            Compression::Training {
                pending,
                ids,
                bytes: total,
                next_id,
            } => {
                let id = *next_id;
                *next_id += 1;
                *total += bytes.len();
                ids.insert(*hash, id);
                pending.push((id, *hash, bytes));
                if *total >= DICT_TRAINING_BYTES {
                    self.train_dictionary()?;
                }
                Ok(id)
            }
            Compression::Ready {
                compressor,
                dict_id,
            } => {
                let compressed = compress(compressor, *dict_id, &bytes);
                self.insert_blob(None, hash, bytes.len(), compressed)
            }
        }
    }

    fn insert_blob(
        &mut self,
        id: Option<i64>,
        hash: &Hash,
        raw_len: usize,
        (codec, dict_id, data): (Codec, Option<i64>, Vec<u8>),
    ) -> Result<i64> {
        self.stats.new_blob_stored_bytes += data.len() as u64;
        self.tx
            .prepare_cached("INSERT INTO blobs (id, hash, raw_len, codec, dict_id, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            .and_then(|mut s| s.execute(params![id, &hash[..], raw_len as i64, codec as i64, dict_id, data]))
            .map_err(self.err())?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Trains a zstd dictionary on the blobs held back so far, then writes them compressed with it. Small catalogs
    /// do not give enough samples; they get plain zstd.
    fn train_dictionary(&mut self) -> Result<()> {
        let pending = match &mut self.compression {
            Compression::Training { pending, .. } => std::mem::take(pending),
            Compression::Ready { .. } => return Ok(()),
        };
        let bytes: usize = pending.iter().map(|(_, _, b)| b.len()).sum();
        let trained = if bytes >= DICT_SIZE * 8 && pending.len() >= 64 {
            let samples: Vec<&[u8]> = pending.iter().map(|(_, _, b)| b.as_slice()).collect();
            zstd::dict::from_samples(&samples, DICT_SIZE).ok()
        } else {
            None
        };
        let corrupt = |e: std::io::Error| StoreError::Corrupt {
            path: self.path.to_owned(),
            what: format!("zstd: {e}"),
        };
        let (compressor, dict_id) = match trained {
            Some(dict) => {
                self.tx
                    .execute(
                        "INSERT INTO zstd_dicts (created_at, data) VALUES (?1, ?2)",
                        params![now_rfc3339(), dict],
                    )
                    .map_err(self.err())?;
                let id = self.tx.last_insert_rowid();
                (
                    zstd::bulk::Compressor::with_dictionary(ZSTD_LEVEL, &dict).map_err(corrupt)?,
                    Some(id),
                )
            }
            None => (
                zstd::bulk::Compressor::new(ZSTD_LEVEL).map_err(corrupt)?,
                None,
            ),
        };
        let mut compressor = Box::new(compressor);
        for (id, hash, raw) in &pending {
            let compressed = compress(&mut compressor, dict_id, raw);
            self.insert_blob(Some(*id), hash, raw.len(), compressed)?;
        }
        self.compression = Compression::Ready {
            compressor,
            dict_id,
        };
        Ok(())
    }

    /// What this snapshot has added so far.
    pub fn stats(&self) -> WriteStats {
        self.stats
    }

    /// Marks the snapshot complete and commits everything at once.
    pub fn finish(mut self, counts: SnapshotCounts) -> Result<WriteStats> {
        self.train_dictionary()?;
        self.tx
            .execute(
                "UPDATE snapshots SET status = 'complete', finished_at = ?2, connectors = ?3, connector_versions = ?4,
                        operations = ?5, requests = ?6, retries = ?7
                 WHERE id = ?1 AND status = 'running'",
                params![
                    self.snapshot,
                    now_rfc3339(),
                    counts.connectors as i64,
                    counts.connector_versions as i64,
                    counts.operations as i64,
                    counts.requests as i64,
                    counts.retries as i64
                ],
            )
            .map_err(self.err())
            .and_then(|changed| {
                if changed == 1 {
                    Ok(())
                } else {
                    Err(StoreError::Corrupt {
                        path: self.path.to_owned(),
                        what: format!("snapshot {} was no longer running when its crawl finished", self.snapshot),
                    })
                }
            })?;
        let stats = self.stats;
        let path = self.path;
        self.tx.commit().map_err(|source| StoreError::Sqlite {
            path: path.to_owned(),
            source,
        })?;
        Ok(stats)
    }
}

/// Compresses a blob, keeping it raw when compression would not make it smaller.
fn compress(
    compressor: &mut zstd::bulk::Compressor<'static>,
    dict_id: Option<i64>,
    raw: &[u8],
) -> (Codec, Option<i64>, Vec<u8>) {
    match compressor.compress(raw) {
        Ok(data) if data.len() < raw.len() => match dict_id {
            Some(id) => (Codec::ZstdDict, Some(id), data),
            None => (Codec::Zstd, None, data),
        },
        _ => (Codec::Raw, None, raw.to_vec()),
    }
}
