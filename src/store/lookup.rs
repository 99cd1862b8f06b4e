//! Finding one operation in one complete snapshot without loading the catalog: the reads `validate`, `call` and
//! their suggestions need ([`crate::validate`]).
//!
//! Each read touches one snapshot's membership rows and one connector's operations, so a lookup stays a few
//! milliseconds whatever the catalog's size. Like every read here, it must never hand out rows of a snapshot that
//! is not complete, and never take a write lock.

use super::{OperationEntry, Result, Store, StoreError};
use crate::model::Version;

impl Store {
    /// Every version of connector `name` in the complete snapshot `snapshot`, as (state, version), in listing
    /// order. Empty when the snapshot does not list the connector (or is not complete).
    pub fn versions_in_snapshot(&self, snapshot: i64, name: &str) -> Result<Vec<(i64, Version)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT cv.id, cv.version
                 FROM snapshots sn
                 JOIN snapshot_members m ON m.snapshot = sn.id
                 JOIN connector_versions cv ON cv.id = m.connector_version
                 WHERE sn.id = ?1 AND sn.status = 'complete' AND cv.name = ?2
                 ORDER BY m.position",
            )
            .map_err(self.err())?;
        let mut rows = stmt
            .query(rusqlite::params![snapshot, name])
            .map_err(self.err())?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(self.err())? {
            let state: i64 = row.get(0).map_err(self.err())?;
            let text: String = row.get(1).map_err(self.err())?;
            let version = text.parse().map_err(|_| StoreError::Corrupt {
                path: self.path.clone(),
                what: format!("connector version row {state} has version {text:?}"),
            })?;
            out.push((state, version));
        }
        Ok(out)
    }

    /// The distinct connector names the complete snapshot `snapshot` lists, sorted.
    pub fn connector_names_in_snapshot(&self, snapshot: i64) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT cv.name
                 FROM snapshots sn
                 JOIN snapshot_members m ON m.snapshot = sn.id
                 JOIN connector_versions cv ON cv.id = m.connector_version
                 WHERE sn.id = ?1 AND sn.status = 'complete'
                 ORDER BY cv.name",
            )
            .map_err(self.err())?;
        let names = stmt
            .query_map([snapshot], |r| r.get::<_, String>(0))
            .map_err(self.err())?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(self.err())?;
        Ok(names)
    }

    /// Operation `name` of the connector version state `state`, if it has one.
    pub fn operation_of_state(&self, state: i64, name: &str) -> Result<Option<OperationEntry>> {
        use rusqlite::OptionalExtension;
        self.conn
            .prepare_cached(
                "SELECT meta, input_schema, output_schema FROM operations
                 WHERE connector_version = ?1 AND name = ?2 ORDER BY position LIMIT 1",
            )
            .and_then(|mut stmt| {
                stmt.query_row(rusqlite::params![state, name], |row| {
                    Ok(OperationEntry {
                        name: name.to_owned(),
                        meta: row.get(0)?,
                        input_schema: row.get(1)?,
                        output_schema: row.get(2)?,
                    })
                })
                .optional()
            })
            .map_err(self.err())
    }
}
