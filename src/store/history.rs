//! Reading one connector across every complete snapshot, for its timeline ([`crate::history`]).
//!
//! A timeline needs only one connector's rows of each snapshot, so it is read in one query filtered by name rather
//! than by loading whole catalogs. This module must never hand out rows of a snapshot that is not complete.

use std::collections::HashMap;

use super::{OperationEntry, Result, Store, StoreError};
use crate::model::{Service, Version};

/// One version of a connector as one complete snapshot listed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sighting {
    pub snapshot: i64,
    /// The `connector_versions` row: equal states mean nothing in the version changed.
    pub state: i64,
    pub version: Version,
    pub service: Service,
    pub declared_deprecated: bool,
}

impl Store {
    /// Every version of connector `name` in every complete snapshot, by snapshot and then listing order.
    pub fn connector_sightings(&self, name: &str) -> Result<Vec<Sighting>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT m.snapshot, cv.id, cv.version, s.service_id, s.name, s.version, cv.declared_deprecated
                 FROM snapshots sn
                 JOIN snapshot_members m ON m.snapshot = sn.id
                 JOIN connector_versions cv ON cv.id = m.connector_version
                 JOIN services s ON s.id = cv.service
                 WHERE sn.status = 'complete' AND cv.name = ?1
                 ORDER BY m.snapshot, m.position",
            )
            .map_err(self.err())?;
        let mut rows = stmt.query([name]).map_err(self.err())?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(self.err())? {
            let state: i64 = row.get(1).map_err(self.err())?;
            let version_text: String = row.get(2).map_err(self.err())?;
            let version = version_text.parse().map_err(|_| StoreError::Corrupt {
                path: self.path.clone(),
                what: format!("connector version row {state} has version {version_text:?}"),
            })?;
            out.push(Sighting {
                snapshot: row.get(0).map_err(self.err())?,
                state,
                version,
                service: Service {
                    id: row.get(3).map_err(self.err())?,
                    name: row.get(4).map_err(self.err())?,
                    version: row.get(5).map_err(self.err())?,
                },
                declared_deprecated: row.get(6).map_err(self.err())?,
            });
        }
        Ok(out)
    }

    /// Operation `operation` in every stored state of connector `connector`, by state; a state without it is absent.
    pub fn operation_in_states(
        &self,
        connector: &str,
        operation: &str,
    ) -> Result<HashMap<i64, OperationEntry>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT o.connector_version, o.meta, o.input_schema, o.output_schema
                 FROM connector_versions cv JOIN operations o ON o.connector_version = cv.id
                 WHERE cv.name = ?1 AND o.name = ?2",
            )
            .map_err(self.err())?;
        let mut rows = stmt.query([connector, operation]).map_err(self.err())?;
        let mut out = HashMap::new();
        while let Some(row) = rows.next().map_err(self.err())? {
            out.insert(
                row.get(0).map_err(self.err())?,
                OperationEntry {
                    name: operation.to_owned(),
                    meta: row.get(1).map_err(self.err())?,
                    input_schema: row.get(2).map_err(self.err())?,
                    output_schema: row.get(3).map_err(self.err())?,
                },
            );
        }
        Ok(out)
    }

    /// The distinct operation names of the given states, sorted (for saying what exists when a name is wrong).
    pub fn operation_names(&self, states: &[i64]) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name FROM operations WHERE connector_version = ?1")
            .map_err(self.err())?;
        let mut names = std::collections::BTreeSet::new();
        for &state in states {
            let found = stmt
                .query_map([state], |r| r.get::<_, String>(0))
                .map_err(self.err())?
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(self.err())?;
            names.extend(found);
        }
        Ok(names.into_iter().collect())
    }
}
