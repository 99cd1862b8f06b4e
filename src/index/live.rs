//! Indexing while a crawl runs. A crawl spends nearly all its time waiting on the rate limiter, with the CPU idle;
//! indexing each connector version as it is stored puts the index work into those waits, so that when the snapshot
//! commits, all that is left is one cheap tantivy commit instead of a whole index update.
//!
//! How it runs:
//! - One thread (`trayscope-index`) owns a tantivy writer and its own read-only connection to the store. At start
//!   it removes leftover `index.new-*`/`index.old-*` directories, opens the index and catches up on complete
//!   snapshots it lacks; an index that is missing, unusable or built from another catalog is started afresh in
//!   `<index>.new-<pid>` from every complete snapshot, to replace the old one at the commit.
//! - The crawl's writer thread hands it each connector version right after storing it ([`Feeder::stored`]): the
//!   operations as crawled (their JSON is still in memory, nothing is read back) with the state and blob ids the
//!   store gave them. States the index already holds are skipped.
//! - Nothing becomes visible before the snapshot does: [`LiveIndex::commit`] must only be called once the
//!   snapshot's SQLite transaction has committed, and the one tantivy commit carries the new [`Manifest`]. A crawl
//!   that fails drops the [`LiveIndex`]: the writer is dropped uncommitted (tantivy discards what was added), a fresh
//!   directory is removed, and the index still covers, and shows, only the previous snapshot.
//! - The last commit is cheap: a fresh index, which nobody reads before it is renamed into place, is committed
//!   every few thousand documents during the crawl, so the last commit only writes the rest. (An index in place has
//!   only the crawl's new connector versions to write, a few hundred documents on a typical night.)
//! - The index is a cache, so its failures never fail a crawl: if the index side stops for any reason (an error, a
//!   panic), the crawl goes on unhindered and [`Committing::wait`] brings the index up to date the ordinary way
//!   ([`super::update`]) once the snapshot is committed.
//!
//! The caller holds the home's writer lock for the whole crawl and until [`Committing::wait`] returns (or the
//! [`LiveIndex`] is dropped), as for every other index write.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;
use std::time::Instant;

use tantivy::indexer::NoMergePolicy;
use tantivy::{Index, IndexWriter, Searcher, Term};

use super::build::{
    AddError, Batch, StateOf, UpdateSummary, commit, live_documents, parent_and_name,
    remove_leftovers, replace_dir, update,
};
use super::{Fields, IndexError, Manifest, Result, SearchIndex, size_on_disk, tokenizer};
use crate::model::{ConnectorVersion, Operation};
use crate::store::{Status, Store, StoreError, Stored};

/// Connector versions waiting for the index thread. Each holds a version's operations as parsed JSON (up to a few
/// MB for the largest connectors); when the index thread falls behind, the crawl's writer waits.
const QUEUE: usize = 16;
/// A fresh index (in its own directory, read by no one until it is put in place) is committed every this many
/// documents while the crawl runs, so that the final commit only has the last few to write. An index in place is
/// committed only once, with the snapshot: documents of a crawl that may still fail must never be committed there.
const FRESH_COMMIT_EVERY: u64 = 4_000;
/// Indexing memory of the crawl's writer: one tantivy thread (documents arrive at the crawl's pace, and one thread
/// makes one segment per commit rather than one per thread).
const MEMORY: usize = 64 << 20;
/// An index with this many committed segments or more has them merged into one, in the background, while the
/// crawl runs (the index's commit waits for the merge only if the whole crawl was shorter than it).
const MERGE_AT_SEGMENTS: usize = 8;

enum Feed {
    Stored(Box<StoredVersion>),
    Commit {
        snapshot: i64,
        reply: SyncSender<Result<UpdateSummary>>,
    },
}

struct StoredVersion {
    connector: Box<ConnectorVersion>,
    operations: Vec<Operation>,
    stored: Stored,
}

/// Indexing running beside a crawl. Dropping it without [`LiveIndex::commit`] abandons what was added.
pub struct LiveIndex {
    dir: PathBuf,
    db: PathBuf,
    sender: Option<SyncSender<Feed>>,
    thread: Option<JoinHandle<Result<()>>>,
}

/// Hands connector versions, as they are stored, to a [`LiveIndex`]. For the thread that writes the store.
pub struct Feeder {
    sender: Option<SyncSender<Feed>>,
}

/// A [`LiveIndex`] whose snapshot is committed, committing in turn.
pub struct Committing {
    dir: PathBuf,
    db: PathBuf,
    requested: Instant,
    reply: Option<Receiver<Result<UpdateSummary>>>,
    thread: Option<JoinHandle<Result<()>>>,
}

impl LiveIndex {
    /// Starts indexing for a crawl into the index directory `dir`, reading the store at `db` (which must exist).
    /// Never fails: if the index thread cannot start, the index is updated after the crawl instead.
    pub fn start(dir: &Path, db: &Path) -> LiveIndex {
        let (sender, receiver) = sync_channel(QUEUE);
        let thread = {
            let dir = dir.to_owned();
            let db = db.to_owned();
            std::thread::Builder::new()
                .name("trayscope-index".into())
                .spawn(move || run(&dir, &db, receiver))
        };
        let (sender, thread) = match thread {
            Ok(thread) => (Some(sender), Some(thread)),
            Err(e) => {
                tracing::debug!(
                    "cannot start the index thread ({e}); the index is updated after the crawl"
                );
                (None, None)
            }
        };
        LiveIndex {
            dir: dir.to_owned(),
            db: db.to_owned(),
            sender,
            thread,
        }
    }

    /// A handle for the thread that stores the crawl's connector versions.
    pub fn feeder(&self) -> Feeder {
        Feeder {
            sender: self.sender.clone(),
        }
    }

    /// Commits the index with `snapshot`'s manifest. Call only once `snapshot` is committed and complete in the
    /// store, and after every [`Feeder`] is done (dropped). The commit runs on the index thread: do other work, then
    /// [`Committing::wait`].
    pub fn commit(mut self, snapshot: i64) -> Committing {
        let requested = Instant::now();
        let (reply, replied) = sync_channel(1);
        if let Some(sender) = self.sender.take() {
            // A send fails only when the index thread has stopped; `wait` then updates the index itself.
            let _ = sender.send(Feed::Commit { snapshot, reply });
        }
        Committing {
            dir: std::mem::take(&mut self.dir),
            db: std::mem::take(&mut self.db),
            requested,
            reply: Some(replied),
            thread: self.thread.take(),
        }
    }
}

impl Drop for LiveIndex {
    /// Abandons the crawl's documents: the index thread sees the feed close without a commit, drops its writer and
    /// removes a fresh directory. Waits for that, so the caller's writer lock outlives it.
    fn drop(&mut self) {
        self.sender.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Feeder {
    /// Indexes a connector version just stored (unless the index already holds its state). Never blocks for long
    /// and never fails: if the index thread has stopped, the version is dropped (the index is updated after the
    /// crawl instead).
    pub fn stored(
        &mut self,
        connector: Box<ConnectorVersion>,
        operations: Vec<Operation>,
        stored: Stored,
    ) {
        let Some(sender) = &self.sender else {
            return;
        };
        let message = Feed::Stored(Box::new(StoredVersion {
            connector,
            operations,
            stored,
        }));
        if sender.send(message).is_err() {
            self.sender = None;
        }
    }
}

impl Committing {
    /// Waits for the index commit. If indexing during the crawl stopped on an error, brings the index up to date
    /// now instead ([`super::update`]). `duration_ms` of the summary is the time spent after [`LiveIndex::commit`]:
    /// what the index added to the crawl.
    pub fn wait(mut self) -> Result<UpdateSummary> {
        let replied = self.reply.take().and_then(|reply| reply.recv().ok());
        let mut summary = match replied {
            Some(Ok(summary)) => {
                // The index is committed and every tantivy handle closed; the thread only frees its caches now
                // (tens of milliseconds for a whole catalog), which nobody needs to wait for.
                drop(self.thread.take());
                summary
            }
            Some(Err(error)) => {
                self.join();
                tracing::info!("committing the search index failed ({error}); updating it now");
                self.update_now()?
            }
            None => {
                match self.join() {
                    Some(error) => tracing::info!(
                        "indexing during the crawl stopped ({error}); updating the search index now"
                    ),
                    None => tracing::debug!("no index thread ran; updating the search index now"),
                }
                self.update_now()?
            }
        };
        summary.duration_ms = self.requested.elapsed().as_millis() as u64;
        Ok(summary)
    }

    /// Waits for the index thread to end, and says why it stopped if it failed.
    fn join(&mut self) -> Option<IndexError> {
        match self.thread.take()?.join() {
            Ok(Ok(())) => None,
            Ok(Err(error)) => Some(error),
            Err(_) => Some(IndexError::Unusable {
                path: self.dir.clone(),
                why: "the index thread panicked".into(),
            }),
        }
    }

    fn update_now(&self) -> Result<UpdateSummary> {
        let mut store = Store::open_read_only(&self.db)?;
        update(&self.dir, &mut store)
    }
}

impl Drop for Committing {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The index thread.
fn run(dir: &Path, db: &Path, feed: Receiver<Feed>) -> Result<()> {
    let started = Instant::now();
    let mut store = Store::open_read_only(db)?;
    let fields = Fields::new();
    let mut session = Session::open(dir, &mut store, &fields)?;
    tracing::debug!(
        "index thread: {} ({} documents caught up) in {:.2}s",
        if session.fresh.is_some() {
            "fresh index"
        } else {
            "index opened"
        },
        session.batch.documents,
        started.elapsed().as_secs_f64()
    );
    for message in feed {
        match message {
            Feed::Stored(version) => session.add(&version)?,
            Feed::Commit { snapshot, reply } => {
                tracing::debug!(
                    "index thread: commit asked at {:.2}s, {} documents added",
                    started.elapsed().as_secs_f64(),
                    session.batch.documents
                );
                let committed = session.commit(&mut store, snapshot);
                tracing::debug!(
                    "index thread: committed at {:.2}s",
                    started.elapsed().as_secs_f64()
                );
                let _ = reply.send(committed);
                // `session` (its text caches) and `store` are dropped after the reply, off the crawl's path.
                return Ok(());
            }
        }
    }
    // The feed closed without a commit: the crawl failed. `session` is dropped uncommitted.
    tracing::debug!("index thread: the crawl failed; nothing committed");
    Ok(())
}

/// One crawl's worth of index writes.
struct Session<'f> {
    dir: PathBuf,
    /// `Some(path)` when building a fresh index there, to replace `dir` at the commit.
    fresh: Option<PathBuf>,
    /// Whether `fresh` was put in place (and so must not be removed).
    placed: bool,
    writer: Option<IndexWriter>,
    /// The index as it was (in place only), to tell which states it already holds.
    searcher: Option<Searcher>,
    fields: &'f Fields,
    batch: Batch<'f>,
    /// Documents added when the fresh index was last committed.
    flushed: u64,
}

impl<'f> Session<'f> {
    fn open(dir: &Path, store: &mut Store, fields: &'f Fields) -> Result<Session<'f>> {
        remove_leftovers(dir);
        let (parent, name) = parent_and_name(dir);
        let latest = match store.complete_snapshot(None) {
            Ok(latest) => Some(latest),
            Err(StoreError::NoCompleteSnapshot { .. }) => None,
            Err(other) => return Err(other.into()),
        };
        let existing = match SearchIndex::open(dir) {
            Ok(existing) => {
                let indexed = existing.manifest().snapshot;
                let same_database = store
                    .snapshot(indexed)
                    .is_ok_and(|s| s.status == Status::Complete && existing.manifest().is_of(&s));
                match &latest {
                    Some(latest) if same_database && indexed <= latest.id => Some(existing),
                    _ => {
                        tracing::info!(
                            "the search index at {} was built from another catalog; building it afresh during the crawl",
                            dir.display()
                        );
                        None
                    }
                }
            }
            Err(IndexError::Missing { .. }) => None,
            Err(IndexError::Unusable { why, .. }) => {
                tracing::info!(
                    "building the search index at {} afresh during the crawl: {why}",
                    dir.display()
                );
                None
            }
            Err(other) => return Err(other),
        };
        let indexed = existing.as_ref().map_or(0, |e| e.manifest().snapshot);
        let mut session = match existing {
            Some(existing) => {
                let at = tantivy_at(dir);
                let mut writer = new_live_writer(&existing.index).map_err(at)?;
                writer.set_merge_policy(Box::new(NoMergePolicy));
                let segments = existing.index.searchable_segment_ids().map_err(at)?;
                if segments.len() >= MERGE_AT_SEGMENTS {
                    // Runs on tantivy's merge threads while the crawl waits on the network; it rewrites the
                    // committed segments under the same manifest, so readers see the same documents throughout.
                    drop(writer.merge(&segments));
                }
                Session {
                    dir: dir.to_owned(),
                    fresh: None,
                    placed: false,
                    writer: Some(writer),
                    searcher: Some(existing.reader.searcher()),
                    fields,
                    batch: Batch::new(fields),
                    flushed: 0,
                }
            }
            None => {
                let fresh = parent.join(format!("{name}.new-{}", std::process::id()));
                std::fs::create_dir_all(&fresh).map_err(|source| IndexError::Io {
                    path: fresh.clone(),
                    source,
                })?;
                // From here on, dropping the session removes `fresh`.
                let mut session = Session {
                    dir: dir.to_owned(),
                    fresh: Some(fresh.clone()),
                    placed: false,
                    writer: None,
                    searcher: None,
                    fields,
                    batch: Batch::new(fields),
                    flushed: 0,
                };
                let at = tantivy_at(&fresh);
                let index = Index::create_in_dir(&fresh, fields.schema()).map_err(at)?;
                index
                    .tokenizers()
                    .register(tokenizer::NAME, tokenizer::analyzer());
                let writer = new_live_writer(&index).map_err(at)?;
                writer.set_merge_policy(Box::new(NoMergePolicy));
                session.writer = Some(writer);
                session
            }
        };
        for id in store.complete_snapshot_ids()? {
            if id > indexed {
                session.catch_up(store, id)?;
            }
        }
        Ok(session)
    }

    fn writing_dir(&self) -> &Path {
        self.fresh.as_deref().unwrap_or(&self.dir)
    }

    fn gone(&self) -> IndexError {
        IndexError::Unusable {
            path: self.writing_dir().to_owned(),
            why: "its writer is gone".into(),
        }
    }

    /// Whether the index held `state` before this session, or this session added it.
    fn holds(&mut self, state: i64) -> Result<bool> {
        if self.batch.done.contains(&state) {
            return Ok(true);
        }
        let Some(searcher) = &self.searcher else {
            return Ok(false);
        };
        let term = Term::from_field_u64(self.fields.state, state as u64);
        let live = live_documents(searcher, term).map_err(tantivy_at(&self.dir))? > 0;
        if live {
            self.batch.done.insert(state);
        }
        Ok(live)
    }

    /// Indexes the states of complete snapshot `id` that the index lacks, reading them from the store.
    fn catch_up(&mut self, store: &mut Store, id: i64) -> Result<()> {
        let catalog = store.catalog(id)?;
        for entry in &catalog.entries {
            if self.holds(entry.state)? {
                continue;
            }
            let Some(writer) = &self.writer else {
                return Err(self.gone());
            };
            let added = self.batch.add_state(writer, store, entry);
            added.map_err(|e| e.at(self.writing_dir()))?;
            self.flush_fresh_when_due()?;
        }
        Ok(())
    }

    /// Commits a fresh index every [`FRESH_COMMIT_EVERY`] documents, without a manifest: nobody reads it before the
    /// final commit gives it one and puts it in place, and a crawl that fails removes it.
    fn flush_fresh_when_due(&mut self) -> Result<()> {
        if self.fresh.is_none() || self.batch.documents - self.flushed < FRESH_COMMIT_EVERY {
            return Ok(());
        }
        let Some(writer) = &mut self.writer else {
            return Err(self.gone());
        };
        let flushed = writer.commit().map(|_| ());
        flushed.map_err(tantivy_at(self.writing_dir()))?;
        self.flushed = self.batch.documents;
        Ok(())
    }

    /// Indexes one connector version as the crawl stored it.
    fn add(&mut self, version: &StoredVersion) -> Result<()> {
        let state = version.stored.state;
        if self.holds(state)? {
            return Ok(());
        }
        let Some(blobs) = &version.stored.new_operations else {
            // Content stored by an earlier snapshot belongs to a complete snapshot, which the catch-up indexed.
            // If it is missing all the same, the ordinary update after the crawl finds it.
            return Err(IndexError::Unusable {
                path: self.dir.clone(),
                why: format!(
                    "connector version state {state} ({} {}) is stored but not indexed",
                    version.connector.name, version.connector.version
                ),
            });
        };
        let of = StateOf::of_crawled(state, &version.connector);
        let Some(writer) = &self.writer else {
            return Err(self.gone());
        };
        let added = self
            .batch
            .add_crawled(writer, &of, &version.operations, blobs);
        added.map_err(|e: AddError| e.at(self.writing_dir()))?;
        self.flush_fresh_when_due()
    }

    /// The snapshot is committed in the store: commit the index with its manifest, and put a fresh index in place.
    fn commit(&mut self, store: &mut Store, snapshot: i64) -> Result<UpdateSummary> {
        let manifest = Manifest::of(&store.catalog_without_operations(snapshot)?);
        let Some(mut writer) = self.writer.take() else {
            return Err(self.gone());
        };
        let started = Instant::now();
        let committed = commit(&mut writer, &manifest).and_then(|()| writer.wait_merging_threads());
        committed.map_err(tantivy_at(self.writing_dir()))?;
        tracing::debug!(
            "index thread: tantivy commit took {:.3}s",
            started.elapsed().as_secs_f64()
        );
        self.searcher = None;
        if let Some(fresh) = &self.fresh {
            let (parent, name) = parent_and_name(&self.dir);
            replace_dir(fresh, &self.dir, parent, &name)?;
            self.placed = true;
        }
        let opened = SearchIndex::open(&self.dir)?;
        Ok(UpdateSummary {
            snapshot: manifest.snapshot,
            rebuilt: self.fresh.is_some(),
            added_states: self.batch.states,
            added_documents: self.batch.documents,
            documents: opened.documents(),
            bytes: size_on_disk(&self.dir),
            duration_ms: 0,
        })
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        // Uncommitted documents go with the writer; a fresh directory that was never put in place goes too.
        self.writer.take();
        self.searcher.take();
        if let Some(fresh) = &self.fresh
            && !self.placed
            && let Err(e) = std::fs::remove_dir_all(fresh)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!("could not remove {}: {e}", fresh.display());
        }
    }
}

fn new_live_writer(index: &Index) -> tantivy::Result<IndexWriter> {
    index.writer_with_num_threads(1, MEMORY)
}

fn tantivy_at(path: &Path) -> impl Fn(tantivy::TantivyError) -> IndexError + Copy + '_ {
    move |source| IndexError::Tantivy {
        path: path.to_owned(),
        source,
    }
}
