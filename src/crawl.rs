//! A crawl: list every connector version, fetch every version's operations, write one complete snapshot.
//!
//! Fetches run concurrently (bounded); one writer thread owns the database and writes everything in a single
//! transaction that also marks the snapshot complete. Any failure — a version that 404s, one that still fails after
//! the retries, a refused token, a write error, an interrupt — stops the crawl, rolls the content back and records
//! the snapshot as failed. A crawl never completes with a hole in it.
//!
//! [`crawl_and_index`] also keeps the search index current: a [`LiveIndex`] indexes each connector version as the
//! writer thread stores it (on its own thread, while the crawl waits on the rate limiter), and commits the index
//! only after the snapshot has committed. A failed crawl leaves the index as it was.

use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::Ordering;
use std::time::Instant;

use futures_util::StreamExt;

use crate::home::{Home, HomeError, LockGuard};
use crate::index::{Committing, Feeder, IndexError, LiveIndex, UpdateSummary};
use crate::model::{ConnectorVersion, Operation};
use crate::source::{Source, SourceError};
use crate::store::{SnapshotCounts, Store, StoreError, WriteStats};

#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    #[error(transparent)]
    Home(#[from] HomeError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("snapshot {snapshot} failed: {error}")]
    Source { snapshot: i64, error: SourceError },
    #[error("snapshot {snapshot} failed: interrupted")]
    Interrupted { snapshot: i64 },
    #[error("snapshot {snapshot} failed while writing: {error}")]
    Write { snapshot: i64, error: StoreError },
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

/// How a crawl runs.
#[derive(Debug, Clone)]
pub struct CrawlOptions {
    /// Operations requests in flight at once.
    pub concurrency: usize,
}

impl Default for CrawlOptions {
    fn default() -> Self {
        CrawlOptions { concurrency: 8 }
    }
}

/// Told about a crawl's progress (a progress bar, or nothing).
pub trait Progress: Send + Sync {
    fn listed(&self, _connector_versions: u64) {}
    fn fetched(&self, _connector: &str, _version: &str) {}
    fn finished(&self) {}
}

/// Progress that shows nothing.
pub struct Silent;
impl Progress for Silent {}

/// What a successful crawl did. Serialises to the `crawl --json` summary (plus `stored`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct CrawlSummary {
    pub snapshot: i64,
    pub connectors: u64,
    pub connector_versions: u64,
    pub operations: u64,
    pub requests: u64,
    pub retries: u64,
    pub duration_ms: u64,
    #[serde(skip)]
    pub stored: WriteStats,
}

/// What [`crawl_and_index`] did.
#[derive(Debug)]
pub struct Crawled {
    pub summary: CrawlSummary,
    /// How the search index was brought up to date. An error here leaves the snapshot complete and safe (the index
    /// is a cache of the store): the index still covers an earlier snapshot, and `trayscope index --rebuild` or the
    /// next crawl mends it. Its `duration_ms` is the time the index took after the snapshot committed.
    pub index: Result<UpdateSummary, IndexError>,
}

/// Connector versions fetched over HTTP and waiting for the writer. The writer stalls once per first crawl, for the
/// second or so it takes to train the zstd dictionary; a queue this deep lets the fetchers keep the rate limiter's
/// pace through that stall (a paced slot that passes unused is lost for good: with a queue of 32 the first crawl at
/// 100 requests/s took 1.09 × the physical limit, with 256 1.02 ×). It fills only while the writer is behind, up to
/// about 115 MB more at most on the real catalog; a crawl from a directory keeps a queue of 32.
const WRITE_QUEUE: usize = 256;

enum Message {
    Version {
        position: usize,
        connector: Box<ConnectorVersion>,
        operations: Vec<Operation>,
    },
    Finish(SnapshotCounts),
}

/// Crawls `source` into a new snapshot in `home`, whose writer lock the caller holds (`_writer`). `interrupt`
/// resolving (e.g. Ctrl-C) stops the crawl cleanly. The search index is left alone (see [`crawl_and_index`]).
pub async fn crawl(
    home: &Home,
    writer: &LockGuard,
    source: &Source,
    options: &CrawlOptions,
    progress: &dyn Progress,
    interrupt: impl Future<Output = ()>,
) -> Result<CrawlSummary, CrawlError> {
    let (summary, _) = run(home, writer, source, options, progress, interrupt, false).await?;
    Ok(summary)
}

/// [`crawl`], and the search index in `home` brought up to date with the new snapshot, indexing each connector
/// version while the crawl runs. The caller holds `home`'s writer lock until this returns.
pub async fn crawl_and_index(
    home: &Home,
    writer: &LockGuard,
    source: &Source,
    options: &CrawlOptions,
    progress: &dyn Progress,
    interrupt: impl Future<Output = ()>,
) -> Result<Crawled, CrawlError> {
    let (summary, committing) =
        run(home, writer, source, options, progress, interrupt, true).await?;
    let index = match committing {
        Some(committing) => committing.wait(),
        None => Store::open_read_only(&home.db_path())
            .map_err(IndexError::from)
            .and_then(|mut store| crate::index::update(&home.index_dir(), &mut store)),
    };
    Ok(Crawled { summary, index })
}

async fn run(
    home: &Home,
    _writer: &LockGuard,
    source: &Source,
    options: &CrawlOptions,
    progress: &dyn Progress,
    interrupt: impl Future<Output = ()>,
    index: bool,
) -> Result<(CrawlSummary, Option<Committing>), CrawlError> {
    let started = Instant::now();
    let mut store = Store::open(&home.db_path())?;
    let interrupted = store.fail_interrupted()?;
    if interrupted > 0 {
        tracing::warn!("{interrupted} earlier crawl(s) had been interrupted; marked failed");
    }
    let snapshot = store.begin_snapshot(&source.describe())?;
    let live = index.then(|| LiveIndex::start(&home.index_dir(), &home.db_path()));
    let feeder = live.as_ref().map(LiveIndex::feeder);
    let queue = match source {
        // Reading files has no pace to keep: a short queue bounds memory.
        Source::Dir { .. } => 32,
        Source::Http(_) => WRITE_QUEUE,
    };
    let (sender, receiver) = tokio::sync::mpsc::channel::<Message>(queue);
    let writer = std::thread::Builder::new()
        .name("trayscope-writer".into())
        .spawn(move || {
            let result = write_loop(&mut store, snapshot, receiver, feeder);
            (store, result)
        })
        .map_err(|e| CrawlError::Write {
            snapshot,
            error: StoreError::Corrupt {
                path: home.db_path(),
                what: format!("cannot start the writer thread: {e}"),
            },
        })?;

    let fetched = fetch_all(source, options, progress, &sender, interrupt).await;
    let requests_and_retries = match source {
        Source::Http(client) => (
            client.counters().requests.load(Ordering::Relaxed),
            client.counters().retries.load(Ordering::Relaxed),
        ),
        Source::Dir { .. } => (fetched.as_ref().map_or(0, |f| f.connector_versions + 1), 0),
    };
    let fetch_result = match fetched {
        Ok(counts) => {
            let counts = SnapshotCounts {
                requests: requests_and_retries.0,
                retries: requests_and_retries.1,
                ..counts
            };
            // If the writer already stopped, its own error says why; it is collected below.
            let _ = sender.send(Message::Finish(counts)).await;
            Ok(counts)
        }
        Err(e) => Err(e),
    };
    drop(sender);
    progress.finished();

    let (mut store, written) = match writer.join() {
        Ok(pair) => pair,
        Err(_) => {
            return Err(CrawlError::Write {
                snapshot,
                error: StoreError::Corrupt {
                    path: home.db_path(),
                    what: "the writer thread panicked".into(),
                },
            });
        }
    };
    let outcome = match (fetch_result, written) {
        (Ok(counts), Ok(Some(stats))) => Ok((counts, stats)),
        (Err(Stop::Source(error)), _) => Err(CrawlError::Source { snapshot, error }),
        (Err(Stop::Interrupted), _) => Err(CrawlError::Interrupted { snapshot }),
        (_, Err(error)) => Err(CrawlError::Write { snapshot, error }),
        (Err(Stop::WriterGone), Ok(_)) | (Ok(_), Ok(None)) => Err(CrawlError::Write {
            snapshot,
            error: StoreError::Corrupt {
                path: home.db_path(),
                what: "the writer stopped early".into(),
            },
        }),
    };
    match outcome {
        Ok((counts, stored)) => {
            let duration_ms = started.elapsed().as_millis() as u64;
            // The snapshot is committed: the index may now commit too, on its thread, beside the WAL checkpoint.
            let committing = live.map(|live| live.commit(snapshot));
            store.checkpoint()?;
            let summary = CrawlSummary {
                snapshot,
                connectors: counts.connectors,
                connector_versions: counts.connector_versions,
                operations: counts.operations,
                requests: counts.requests,
                retries: counts.retries,
                duration_ms,
                stored,
            };
            Ok((summary, committing))
        }
        Err(error) => {
            // Nothing of this crawl reaches the index: dropping the live index abandons what it added.
            drop(live);
            store.fail_snapshot(snapshot, &error.to_string())?;
            store.checkpoint()?;
            Err(error)
        }
    }
}

enum Stop {
    Source(SourceError),
    Interrupted,
    WriterGone,
}

async fn fetch_all(
    source: &Source,
    options: &CrawlOptions,
    progress: &dyn Progress,
    sender: &tokio::sync::mpsc::Sender<Message>,
    interrupt: impl Future<Output = ()>,
) -> Result<SnapshotCounts, Stop> {
    tokio::pin!(interrupt);
    let connectors = tokio::select! {
        listed = source.connectors() => listed.map_err(Stop::Source)?,
        () = &mut interrupt => return Err(Stop::Interrupted),
    };
    progress.listed(connectors.len() as u64);
    let names: HashSet<&str> = connectors.iter().map(|c| c.name.as_str()).collect();
    let mut counts = SnapshotCounts {
        connectors: names.len() as u64,
        connector_versions: connectors.len() as u64,
        ..SnapshotCounts::default()
    };
    let mut fetches = futures_util::stream::iter(connectors.iter().enumerate().map(
        |(position, connector)| async move {
            let operations = source
                .operations(&connector.name, connector.version.as_str())
                .await;
            (position, connector, operations)
        },
    ))
    .buffer_unordered(options.concurrency.max(1));
    loop {
        let next = tokio::select! {
            next = fetches.next() => next,
            () = &mut interrupt => return Err(Stop::Interrupted),
        };
        let Some((position, connector, operations)) = next else {
            break;
        };
        // The first failure ends the crawl; dropping `fetches` cancels the requests still in flight.
        let operations = operations.map_err(Stop::Source)?;
        progress.fetched(&connector.name, connector.version.as_str());
        counts.operations += operations.len() as u64;
        let message = Message::Version {
            position,
            connector: Box::new(connector.clone()),
            operations,
        };
        if sender.send(message).await.is_err() {
            return Err(Stop::WriterGone);
        }
    }
    Ok(counts)
}

/// Runs on the writer thread. `Ok(None)` means the channel closed without `Finish`: the transaction is rolled back.
/// Each version stored is handed to `feeder` (the live index), if any, once the store has given it its ids.
fn write_loop(
    store: &mut Store,
    snapshot: i64,
    mut receiver: tokio::sync::mpsc::Receiver<Message>,
    mut feeder: Option<Feeder>,
) -> Result<Option<WriteStats>, StoreError> {
    let mut writer = store.write_snapshot(snapshot)?;
    while let Some(message) = receiver.blocking_recv() {
        match message {
            Message::Version {
                position,
                connector,
                operations,
            } => {
                let stored = writer.add(position, &connector, &operations)?;
                if let Some(feeder) = &mut feeder {
                    feeder.stored(connector, operations, stored);
                }
            }
            Message::Finish(counts) => return writer.finish(counts).map(Some),
        }
    }
    Ok(None)
}

/// Runs [`crawl_and_index`] to completion on a runtime of its own, for callers that are not async. An interrupt
/// (Ctrl-C, SIGINT) stops the crawl cleanly: the snapshot is recorded as failed, and nothing of it becomes visible.
pub fn crawl_blocking(
    home: &Home,
    writer: &LockGuard,
    source: &Source,
    options: &CrawlOptions,
    progress: &dyn Progress,
) -> Result<Crawled, CrawlError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CrawlError::Runtime)?;
    runtime.block_on(crawl_and_index(
        home,
        writer,
        source,
        options,
        progress,
        async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        },
    ))
}
