//! Which snapshots a command reads when the user does not say: the latest complete one, and for a diff the
//! complete one before it. One place decides it, so `diff`, `nightly` and `report` agree.

use rusqlite::OptionalExtension;

use super::{Result, Status, Store, StoreError};

impl Store {
    /// The snapshots to compare: `to` or the latest complete one, `from` or the complete one before `to`. Both must
    /// be complete, and `from` older than `to`. Fewer than two complete snapshots is
    /// [`StoreError::NotEnoughSnapshots`], naming how many there are.
    pub fn snapshot_pair(&self, from: Option<i64>, to: Option<i64>) -> Result<(i64, i64)> {
        let complete = self.complete_snapshot_ids()?;
        let not_enough = || StoreError::NotEnoughSnapshots {
            path: self.path.clone(),
            what: "a diff",
            complete: complete.clone(),
        };
        let to = match to {
            Some(id) => self.complete_snapshot(Some(id))?.id,
            None => *complete.last().ok_or_else(not_enough)?,
        };
        let from = match from {
            Some(id) => self.complete_snapshot(Some(id))?.id,
            None => *complete
                .iter()
                .rev()
                .find(|&&id| id < to)
                .ok_or_else(not_enough)?,
        };
        if from >= to {
            return Err(StoreError::WrongOrder {
                path: self.path.clone(),
                from,
                to,
            });
        }
        Ok((from, to))
    }

    /// The complete snapshot before `id`, if any: what a report of `id` compares it with.
    pub fn previous_complete(&self, id: i64) -> Result<Option<i64>> {
        self.conn
            .query_row(
                "SELECT max(id) FROM snapshots WHERE status = 'complete' AND id < ?1",
                [id],
                |r| r.get(0),
            )
            .map_err(self.err())
    }

    /// The newest snapshot still `running` and when it started: a crawl in progress, or one that was killed.
    pub(super) fn newest_running(&self) -> Result<Option<(i64, String)>> {
        self.conn
            .query_row(
                "SELECT id, started_at FROM snapshots WHERE status = ?1 ORDER BY id DESC LIMIT 1",
                [Status::Running.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(self.err())
    }
}
