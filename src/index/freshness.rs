//! When the index is brought up to date, and what happens when that fails: the policy every command that touches
//! the index follows (search, crawl, nightly, prune), so none of them decides it for itself.
//!
//! - A search finds the index current and just reads it; only when it is missing, unusable or behind the store does
//!   it take the writer lock (waiting a bounded time) and update it first.
//! - A crawl or nightly updates it after the snapshot is complete; a failure there never fails the crawl (the
//!   snapshot is already safe), it is reported with the way out.
//! - A prune drops the documents of removed states; if that fails, the index is removed rather than left stale,
//!   because a removed state's id can be given out again.

use std::path::Path;
use std::time::Duration;

use super::{IndexError, SearchIndex, UpdateSummary, forget_states, update};
use crate::home::{Home, HomeError};
use crate::store::{SnapshotInfo, Store};

/// How long a search waits for another run (the end of a crawl updating the index) to release the writer lock.
pub const SEARCH_LOCK_WAIT: Duration = Duration::from_secs(60);

/// An index ready to search, and what was done to it first, if anything.
pub struct CurrentIndex {
    pub index: SearchIndex,
    pub refreshed: Option<Refresh>,
}

/// An update a reader had to make before it could search.
#[derive(Debug, Clone)]
pub struct Refresh {
    /// Why the index was not usable as it was ("is missing", "covers snapshot 2, the latest is 3", …).
    pub why: String,
    pub summary: UpdateSummary,
}

/// Why a reader could not bring the index up to date.
#[derive(Debug, thiserror::Error)]
pub enum FreshnessError {
    #[error(
        "the search index {why} and cannot be updated now: {source}; run `trayscope index` when the other run ends"
    )]
    Locked {
        why: String,
        #[source]
        source: HomeError,
    },
    #[error(
        "the search index {why}, and updating it failed (run `trayscope index --rebuild` to start over): {source}"
    )]
    Update {
        why: String,
        #[source]
        source: IndexError,
    },
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// The index of `home`, brought up to date with `latest` first when it is missing, unusable or behind.
pub fn open_current(
    home: &Home,
    store: &mut Store,
    latest: &SnapshotInfo,
    wait: Duration,
) -> std::result::Result<CurrentIndex, FreshnessError> {
    let dir = home.index_dir();
    let why = match SearchIndex::open(&dir) {
        Ok(existing) if existing.is_current(latest) => {
            return Ok(CurrentIndex {
                index: existing,
                refreshed: None,
            });
        }
        Ok(existing) => format!(
            "covers snapshot {}, the latest is {}",
            existing.manifest().snapshot,
            latest.id
        ),
        Err(IndexError::Missing { .. }) => "is missing".to_owned(),
        Err(IndexError::Unusable { why, .. }) => why,
        Err(other) => return Err(other.into()),
    };
    let _lock = home
        .lock_writer(wait)
        .map_err(|source| FreshnessError::Locked {
            why: why.clone(),
            source,
        })?;
    let summary = update(&dir, store).map_err(|source| FreshnessError::Update {
        why: why.clone(),
        source,
    })?;
    Ok(CurrentIndex {
        index: SearchIndex::open(&dir)?,
        refreshed: Some(Refresh { why, summary }),
    })
}

/// What happened to the index after a prune.
#[derive(Debug)]
pub enum AfterPrune {
    /// The removed states' documents were dropped (or there was no usable index to change).
    Updated(super::ForgetSummary),
    /// Updating failed, so the index was removed; the next search or crawl rebuilds it.
    Removed { error: IndexError },
    /// Updating failed and so did removing it: the user must rebuild it before the next crawl.
    Stuck {
        error: IndexError,
        remove_error: std::io::Error,
    },
}

/// Drops the documents of the connector version states a prune removed (the caller holds the writer lock). A stale
/// index never survives: if it cannot be updated, it is removed.
pub fn after_prune(dir: &Path, store: &mut Store, removed_states: &[i64]) -> AfterPrune {
    match forget_states(dir, store, removed_states) {
        Ok(summary) => AfterPrune::Updated(summary),
        Err(error) => match std::fs::remove_dir_all(dir) {
            Ok(()) => AfterPrune::Removed { error },
            Err(remove_error) => AfterPrune::Stuck {
                error,
                remove_error,
            },
        },
    }
}
