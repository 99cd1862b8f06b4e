//! Pruning: dropping old snapshots and freeing whatever only they used.
//!
//! A snapshot is a list of connector version states, and states and blobs are shared by every snapshot that saw
//! them, so deleting a snapshot frees nothing by itself. After the snapshots go, everything no remaining snapshot
//! reaches goes too: states no snapshot lists (with their operations), blobs no state or operation refers to, and
//! services no state uses. zstd dictionaries stay (they are small, and any blob may need one).
//!
//! All of it happens in one IMMEDIATE transaction, so a reader sees the catalog before the prune or after it, never
//! between. This module must never delete the latest complete snapshot or a `running` one, and never delete
//! anything a remaining snapshot still reaches. Callers hold the home's writer lock.

use chrono::{DateTime, Utc};
use rusqlite::TransactionBehavior;

use super::{Result, SnapshotInfo, Status, Store, StoreError};

/// Which snapshots to drop. A complete snapshot goes when either rule says so; see [`Store::select_for_prune`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Retention {
    /// Keep this many of the newest complete snapshots (at least 1).
    pub keep: Option<usize>,
    /// Drop complete snapshots that started before this instant.
    pub started_before: Option<DateTime<Utc>>,
}

/// What a [`Retention`] does to a list of snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selection {
    /// Snapshots to delete, oldest first.
    pub delete: Vec<i64>,
    /// Snapshots that remain (whatever their status), oldest first.
    pub keep: Vec<i64>,
}

/// [`Store::select_for_prune`] on a list of snapshots (any order); the error names a snapshot whose start time
/// cannot be read.
fn select(snapshots: &[SnapshotInfo], rule: &Retention) -> Result<Selection, String> {
    let mut ordered: Vec<&SnapshotInfo> = snapshots.iter().collect();
    ordered.sort_by_key(|s| s.id);
    let complete: Vec<&SnapshotInfo> = ordered
        .iter()
        .copied()
        .filter(|s| s.status == Status::Complete)
        .collect();
    let latest = complete.last().map(|s| s.id);
    let mut doomed = std::collections::BTreeSet::new();
    if let Some(keep) = rule.keep {
        let cut = complete.len().saturating_sub(keep.max(1));
        doomed.extend(complete[..cut].iter().map(|s| s.id));
    }
    if let Some(cutoff) = rule.started_before {
        for s in &complete {
            let started = DateTime::parse_from_rfc3339(&s.started_at).map_err(|e| {
                format!(
                    "snapshot {} has started_at {:?}, which is not an RFC 3339 time ({e})",
                    s.id, s.started_at
                )
            })?;
            if started.with_timezone(&Utc) < cutoff {
                doomed.insert(s.id);
            }
        }
    }
    if let Some(latest) = latest {
        doomed.remove(&latest);
    }
    let oldest_kept_complete = complete
        .iter()
        .map(|s| s.id)
        .find(|id| !doomed.contains(id));
    if let Some(oldest) = oldest_kept_complete {
        for s in &ordered {
            if s.status == Status::Failed && s.id < oldest {
                doomed.insert(s.id);
            }
        }
    }
    let (delete, keep): (Vec<i64>, Vec<i64>) = ordered
        .iter()
        .map(|s| s.id)
        .partition(|id| doomed.contains(id));
    Ok(Selection { delete, keep })
}

/// What a prune removed (or, dry, would remove).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct PruneStats {
    pub snapshots: u64,
    /// `connector_versions` rows no remaining snapshot lists.
    pub connector_version_states: u64,
    pub operations: u64,
    pub blobs: u64,
    /// Stored (compressed) bytes of the removed blobs.
    pub blob_bytes: u64,
    pub services: u64,
    /// The removed states' ids, ascending: the search index drops their documents.
    pub removed_states: Vec<i64>,
}

impl Store {
    /// Which snapshots `rule` drops from this catalog, and which remain:
    ///
    /// - a complete snapshot goes when `keep` leaves it out of the newest N complete ones, or when it started before
    ///   `started_before`;
    /// - the latest complete snapshot always stays, and so does every `running` one (seen under the writer lock,
    ///   that is an interrupted crawl, which the next crawl marks failed);
    /// - a failed snapshot goes when it is older than the oldest complete snapshot that stays. Newer failures stay,
    ///   so recent trouble remains visible in `trayscope snapshots`.
    pub fn select_for_prune(&self, rule: &Retention) -> Result<Selection> {
        let snapshots = self.snapshots()?;
        select(&snapshots, rule).map_err(|what| StoreError::Corrupt {
            path: self.path.clone(),
            what,
        })
    }

    /// Deletes snapshots `ids` and garbage-collects what only they used, in one IMMEDIATE transaction. With `dry_run`
    /// the transaction is rolled back instead of committed: the counts are exactly what a real run removes, and
    /// nothing changes. Refuses (changing nothing) an id that does not exist, the latest complete snapshot and a
    /// running one. Space is given back to the file system only by [`Store::vacuum`].
    pub fn prune(&mut self, ids: &[i64], dry_run: bool) -> Result<PruneStats> {
        // Foreign keys are enforced by hand here: SQLite checks each deleted parent row by scanning its child tables
        // (nothing indexes `snapshot_members` by state or `operations` by blob), which is quadratic on a real
        // catalog. The pragma only takes effect outside a transaction; it is set back on whatever happens, and
        // `foreign_key_check` below vouches for the result before it is committed.
        self.conn
            .pragma_update(None, "foreign_keys", "OFF")
            .map_err(self.err())?;
        let result = self.prune_in_transaction(ids, dry_run);
        let restored = self
            .conn
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(self.err());
        let stats = result?;
        restored?;
        Ok(stats)
    }

    fn prune_in_transaction(&mut self, ids: &[i64], dry_run: bool) -> Result<PruneStats> {
        let path = self.path.clone();
        let at = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(at)?;
        let latest: Option<i64> = tx
            .query_row(
                "SELECT max(id) FROM snapshots WHERE status = 'complete'",
                [],
                |r| r.get(0),
            )
            .map_err(at)?;
        tx.execute_batch(
            "CREATE TEMP TABLE prune_snapshots (id INTEGER PRIMARY KEY);
             CREATE TEMP TABLE prune_states (id INTEGER PRIMARY KEY);
             CREATE TEMP TABLE prune_blobs (id INTEGER PRIMARY KEY, bytes INTEGER NOT NULL);",
        )
        .map_err(at)?;
        for &id in ids {
            let status: Option<String> = tx
                .query_row("SELECT status FROM snapshots WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })
                .map_err(at)?;
            let refuse = |why: &str| StoreError::WontPrune {
                path: path.clone(),
                id,
                why: why.to_owned(),
            };
            match status.as_deref() {
                None => return Err(refuse("there is no such snapshot")),
                Some("running") => {
                    return Err(refuse(
                        "it is running (an interrupted crawl, or one under way)",
                    ));
                }
                _ if Some(id) == latest => {
                    return Err(refuse("it is the latest complete snapshot"));
                }
                _ => {}
            }
            tx.execute(
                "INSERT OR IGNORE INTO prune_snapshots (id) VALUES (?1)",
                [id],
            )
            .map_err(at)?;
        }

        let mut stats = PruneStats::default();
        tx.execute(
            "DELETE FROM snapshot_members WHERE snapshot IN (SELECT id FROM prune_snapshots)",
            [],
        )
        .map_err(at)?;
        stats.snapshots = tx
            .execute(
                "DELETE FROM snapshots WHERE id IN (SELECT id FROM prune_snapshots)",
                [],
            )
            .map_err(at)? as u64;

        // One pass over the memberships that remain, not one per state.
        stats.connector_version_states = tx
            .execute(
                "INSERT INTO prune_states (id)
                 SELECT id FROM connector_versions
                 WHERE id NOT IN (SELECT connector_version FROM snapshot_members)",
                [],
            )
            .map_err(at)? as u64;
        stats.operations = tx
            .execute(
                "DELETE FROM operations WHERE connector_version IN (SELECT id FROM prune_states)",
                [],
            )
            .map_err(at)? as u64;
        tx.execute(
            "DELETE FROM connector_versions WHERE id IN (SELECT id FROM prune_states)",
            [],
        )
        .map_err(at)?;

        // Every blob nothing refers to any more (not only those of the removed states: a sweep also heals any
        // orphan an older trayscope might have left). length() reads the record header, not the data.
        stats.blobs = tx
            .execute(
                "INSERT INTO prune_blobs (id, bytes)
                 SELECT id, length(data) FROM blobs
                 WHERE id NOT IN (SELECT element FROM connector_versions
                                  UNION SELECT meta FROM operations
                                  UNION SELECT input_schema FROM operations
                                  UNION SELECT output_schema FROM operations)",
                [],
            )
            .map_err(at)? as u64;
        let bytes: i64 = tx
            .query_row("SELECT coalesce(sum(bytes), 0) FROM prune_blobs", [], |r| {
                r.get(0)
            })
            .map_err(at)?;
        stats.blob_bytes = bytes.max(0) as u64;
        tx.execute(
            "DELETE FROM blobs WHERE id IN (SELECT id FROM prune_blobs)",
            [],
        )
        .map_err(at)?;
        stats.services = tx
            .execute(
                "DELETE FROM services WHERE id NOT IN (SELECT service FROM connector_versions)",
                [],
            )
            .map_err(at)? as u64;

        stats.removed_states = {
            let mut stmt = tx
                .prepare("SELECT id FROM prune_states ORDER BY id")
                .map_err(at)?;
            stmt.query_map([], |r| r.get(0))
                .map_err(at)?
                .collect::<std::result::Result<Vec<i64>, _>>()
                .map_err(at)?
        };

        let dangling: Option<(String, Option<i64>, String)> = tx
            .query_row("PRAGMA main.foreign_key_check", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .map_err(at)?;
        if let Some((table, row, parent)) = dangling {
            let row = row.map_or(String::new(), |r| format!(" {r}"));
            return Err(StoreError::Corrupt {
                path: path.clone(),
                what: format!(
                    "pruning would leave a {table} row{row} pointing at a missing {parent} row; nothing was changed"
                ),
            });
        }
        tx.execute_batch(
            "DROP TABLE temp.prune_snapshots; DROP TABLE temp.prune_states; DROP TABLE temp.prune_blobs;",
        )
        .map_err(at)?;
        if dry_run {
            tx.rollback().map_err(at)?;
        } else {
            tx.commit().map_err(at)?;
        }
        Ok(stats)
    }

    /// Rewrites the database file without its free pages, then folds the write-ahead log back in and truncates it,
    /// so the space a prune freed goes back to the file system. Takes about as long as copying the file, and needs
    /// that much free space while it runs.
    pub fn vacuum(&mut self) -> Result<()> {
        self.conn.execute_batch("VACUUM").map_err(self.err())?;
        self.checkpoint()
    }

    /// Bytes the database file and its write-ahead log take on disk.
    pub fn disk_bytes(&self) -> u64 {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        [self.path.clone(), wal.into()]
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum()
    }
}

/// What [`Store::prune_by`] did: the selection, the rows removed, and the file's size before and after.
#[derive(Debug)]
pub struct PruneOutcome {
    pub dry_run: bool,
    pub selection: Selection,
    pub stats: PruneStats,
    pub db_bytes_before: u64,
    /// Equal to `db_bytes_before` on a dry run.
    pub db_bytes_after: u64,
    /// `VACUUM` failed (a full disk): the deletion stands, and later crawls reuse the free pages.
    pub vacuum_error: Option<StoreError>,
}

impl PruneOutcome {
    /// Whether snapshots were really deleted (not a dry run, and something to delete): then the caller repairs the
    /// search index.
    pub fn deleted_anything(&self) -> bool {
        !self.dry_run && !self.selection.delete.is_empty()
    }
}

impl Store {
    /// The whole prune policy (the caller holds the writer lock): select by `rule`, delete in one transaction (or
    /// only count, on a dry run), then give the space back with `VACUUM`. A failed `VACUUM` does not undo the
    /// deletion: it is reported in the outcome.
    pub fn prune_by(&mut self, rule: &Retention, dry_run: bool) -> Result<PruneOutcome> {
        let selection = self.select_for_prune(rule)?;
        let db_bytes_before = self.disk_bytes();
        let stats = if selection.delete.is_empty() {
            PruneStats::default()
        } else {
            self.prune(&selection.delete, dry_run)?
        };
        let mut outcome = PruneOutcome {
            dry_run,
            selection,
            stats,
            db_bytes_before,
            db_bytes_after: db_bytes_before,
            vacuum_error: None,
        };
        if outcome.deleted_anything() {
            outcome.vacuum_error = self.vacuum().err();
            outcome.db_bytes_after = self.disk_bytes();
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(id: i64, status: Status, started_at: &str) -> SnapshotInfo {
        SnapshotInfo {
            id,
            status,
            started_at: started_at.into(),
            finished_at: None,
            source: "test".into(),
            trayscope_version: "0".into(),
            connectors: None,
            connector_versions: None,
            operations: None,
            requests: None,
            retries: None,
            error: None,
        }
    }

    fn day(d: u32) -> String {
        format!("2026-11-{d:02}T03:00:00.000Z")
    }

    fn at(d: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&day(d)).unwrap().to_utc()
    }

    /// 1 complete, 2 failed, 3 complete, 4 complete, 5 failed, 6 complete, 7 running.
    fn history() -> Vec<SnapshotInfo> {
        use Status::*;
        [
            (1, Complete),
            (2, Failed),
            (3, Complete),
            (4, Complete),
            (5, Failed),
            (6, Complete),
            (7, Running),
        ]
        .into_iter()
        .map(|(id, status)| snap(id, status, &day(id as u32)))
        .collect()
    }

    #[test]
    fn keep_n_keeps_the_newest_complete_ones_and_later_failures() {
        let s = select(
            &history(),
            &Retention {
                keep: Some(2),
                ..Retention::default()
            },
        )
        .unwrap();
        assert_eq!(s.delete, [1, 2, 3]);
        assert_eq!(s.keep, [4, 5, 6, 7]);
    }

    #[test]
    fn keep_one_never_drops_the_latest_complete_or_a_running_snapshot() {
        let s = select(
            &history(),
            &Retention {
                keep: Some(1),
                ..Retention::default()
            },
        )
        .unwrap();
        assert_eq!(s.delete, [1, 2, 3, 4, 5]);
        assert_eq!(s.keep, [6, 7]);
    }

    #[test]
    fn keeping_more_than_there_are_deletes_nothing() {
        let s = select(
            &history(),
            &Retention {
                keep: Some(10),
                ..Retention::default()
            },
        )
        .unwrap();
        assert!(s.delete.is_empty());
        assert_eq!(s.keep.len(), 7);
    }

    #[test]
    fn older_than_drops_what_started_before_the_cutoff() {
        let s = select(
            &history(),
            &Retention {
                started_before: Some(at(4)),
                ..Retention::default()
            },
        )
        .unwrap();
        // 4 started exactly at the cutoff: not before it.
        assert_eq!(s.delete, [1, 2, 3]);
    }

    #[test]
    fn an_age_that_covers_everything_still_keeps_the_latest_complete_snapshot() {
        let s = select(
            &history(),
            &Retention {
                started_before: Some(at(30)),
                ..Retention::default()
            },
        )
        .unwrap();
        assert_eq!(s.delete, [1, 2, 3, 4, 5]);
        assert_eq!(s.keep, [6, 7]);
    }

    #[test]
    fn either_rule_is_enough_to_drop_a_snapshot() {
        let rule = Retention {
            keep: Some(3),
            started_before: Some(at(4)),
        };
        // keep 3 alone drops 1 (and failure 2); older-than alone drops 1, 2, 3.
        assert_eq!(select(&history(), &rule).unwrap().delete, [1, 2, 3]);
        let rule = Retention {
            keep: Some(1),
            started_before: Some(at(2)),
        };
        assert_eq!(select(&history(), &rule).unwrap().delete, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn failures_newer_than_the_oldest_kept_complete_snapshot_stay() {
        let s = select(
            &history(),
            &Retention {
                keep: Some(3),
                ..Retention::default()
            },
        )
        .unwrap();
        assert_eq!(s.delete, [1, 2]);
        assert!(s.keep.contains(&5));
    }

    #[test]
    fn with_no_complete_snapshot_nothing_goes() {
        let only_failures = vec![
            snap(1, Status::Failed, &day(1)),
            snap(2, Status::Running, &day(2)),
        ];
        let s = select(
            &only_failures,
            &Retention {
                keep: Some(1),
                started_before: Some(at(30)),
            },
        )
        .unwrap();
        assert!(s.delete.is_empty());
    }

    /// A store with complete snapshots of the given slack versions, one snapshot per list, then a running one.
    fn store_with(nights: &[&[&str]]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("catalog.db")).unwrap();
        for versions in nights {
            let id = store.begin_snapshot("test").unwrap();
            let mut writer = store.write_snapshot(id).unwrap();
            for (position, version) in versions.iter().enumerate() {
                let element = serde_json::json!({"name": "slack", "version": version, "title": "Slack",
                    "description": "Slack", "service": {"id": "s", "name": "slack", "version": 1}});
                let connector =
                    crate::model::ConnectorVersion::from_element("test", element).unwrap();
                writer.add(position, &connector, &[]).unwrap();
            }
            writer
                .finish(crate::store::SnapshotCounts::default())
                .unwrap();
        }
        store.begin_snapshot("killed").unwrap();
        (dir, store)
    }

    fn count(store: &Store, table: &str) -> i64 {
        store
            .conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn prune_refuses_the_latest_complete_a_running_and_a_missing_snapshot_changing_nothing() {
        let (_dir, mut store) = store_with(&[&["1.0"], &["1.0", "2.0"]]);
        for (ids, why) in [
            (&[1, 2][..], "latest complete"),
            (&[1, 3][..], "running"),
            (&[1, 9][..], "no such snapshot"),
        ] {
            let err = store.prune(ids, false).unwrap_err().to_string();
            assert!(err.contains(why), "{ids:?}: {err}");
            assert_eq!(count(&store, "snapshots"), 3);
        }
        let fk: i64 = store
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            fk, 1,
            "foreign keys are enforced again after a refused prune"
        );
    }

    #[test]
    fn prune_removes_only_states_no_remaining_snapshot_lists() {
        let (_dir, mut store) = store_with(&[&["1.0", "1.5"], &["1.0", "2.0"]]);
        assert_eq!(count(&store, "connector_versions"), 3);
        let dry = store.prune(&[1], true).unwrap();
        assert_eq!(count(&store, "snapshots"), 3);
        let stats = store.prune(&[1], false).unwrap();
        assert_eq!(dry, stats);
        assert_eq!(stats.snapshots, 1);
        assert_eq!(stats.connector_version_states, 1);
        assert_eq!(stats.blobs, 1, "the element of 1.5");
        assert_eq!(stats.removed_states.len(), 1);
        assert_eq!(count(&store, "connector_versions"), 2);
        assert_eq!(count(&store, "services"), 1);
        assert_eq!(store.catalog(2).unwrap().entries.len(), 2);
        store.vacuum().unwrap();
        assert_eq!(store.catalog(2).unwrap().entries.len(), 2);
    }

    #[test]
    fn an_unreadable_start_time_is_an_error_naming_the_snapshot() {
        let mut snapshots = history();
        snapshots[0].started_at = "yesterday".into();
        let err = select(
            &snapshots,
            &Retention {
                started_before: Some(at(4)),
                ..Retention::default()
            },
        )
        .unwrap_err();
        assert!(
            err.contains("snapshot 1") && err.contains("yesterday"),
            "{err}"
        );
    }
}
