//! What every benchmark needs: the corpus nights unpacked, sizes on disk, percentiles, numbers from the environment.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Crawls `source` into `home` in process, taking the home's writer lock for the crawl. Panics on failure: a
/// benchmark has nothing to report without its crawl.
pub fn crawl(
    runtime: &tokio::runtime::Runtime,
    home: &trayscope::home::Home,
    source: &trayscope::source::Source,
    concurrency: usize,
) -> trayscope::crawl::CrawlSummary {
    let writer = home.try_lock_writer().expect("writer lock");
    runtime
        .block_on(trayscope::crawl::crawl(
            home,
            &writer,
            source,
            &trayscope::crawl::CrawlOptions { concurrency },
            &trayscope::crawl::Silent,
            std::future::pending(),
        ))
        .unwrap_or_else(|e| panic!("crawl of {}: {e}", source.describe()))
}

/// A crawl and the search index update that comes with it, timed as one span (what a user waits for).
pub struct CrawledAndIndexed {
    pub summary: trayscope::crawl::CrawlSummary,
    pub index: trayscope::index::UpdateSummary,
    /// From the start until the snapshot was committed to SQLite.
    pub crawl: Duration,
    /// From the start until the index covered the new snapshot.
    pub total: Duration,
}

/// Crawls `source` into `home` and brings the search index up to date, holding the writer lock for both, as
/// `trayscope crawl` does (`crawl::crawl_and_index`: the index is built while the crawl runs). With
/// `TRAYSCOPE_BENCH_INDEX_AFTER=1`, the way it was done before: `crawl::crawl`, then `index::update`. Panics on
/// failure.
pub fn crawl_and_index(
    runtime: &tokio::runtime::Runtime,
    home: &trayscope::home::Home,
    source: &trayscope::source::Source,
    concurrency: usize,
) -> CrawledAndIndexed {
    let writer = home.try_lock_writer().expect("writer lock");
    let options = trayscope::crawl::CrawlOptions { concurrency };
    let started = std::time::Instant::now();
    if index_after_crawl() {
        let summary = runtime
            .block_on(trayscope::crawl::crawl(
                home,
                &writer,
                source,
                &options,
                &trayscope::crawl::Silent,
                std::future::pending(),
            ))
            .unwrap_or_else(|e| panic!("crawl of {}: {e}", source.describe()));
        let crawl = started.elapsed();
        let mut store = trayscope::store::Store::open_read_only(&home.db_path()).expect("store");
        let index = trayscope::index::update(&home.index_dir(), &mut store).expect("index update");
        return CrawledAndIndexed {
            summary,
            index,
            crawl,
            total: started.elapsed(),
        };
    }
    let crawled = runtime
        .block_on(trayscope::crawl::crawl_and_index(
            home,
            &writer,
            source,
            &options,
            &trayscope::crawl::Silent,
            std::future::pending(),
        ))
        .unwrap_or_else(|e| panic!("crawl of {}: {e}", source.describe()));
    let total = started.elapsed();
    let index = crawled.index.expect("index update");
    // The index's `duration_ms` is what it took after the snapshot committed.
    let crawl = total.saturating_sub(Duration::from_millis(index.duration_ms));
    CrawledAndIndexed {
        summary: crawled.summary,
        index,
        crawl,
        total,
    }
}

/// `TRAYSCOPE_BENCH_INDEX_AFTER=1`: index after the crawl instead of during it.
pub fn index_after_crawl() -> bool {
    std::env::var("TRAYSCOPE_BENCH_INDEX_AFTER").is_ok_and(|v| v == "1")
}

/// A directory in the API layout as a crawl source.
pub fn dir_source(root: &Path) -> trayscope::source::Source {
    trayscope::source::Source::Dir {
        root: root.to_owned(),
        max_body_bytes: 64 << 20,
    }
}

/// A number from the environment, or `default`.
pub fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Unpacks `../shared/corpus/powerplatform-<night>.tar.gz` once, under `target/bench-corpus/`.
pub fn corpus_night(night: &str) -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = manifest.join("target/bench-corpus");
    let dir = out.join(night);
    if !dir.join("connectors.json").exists() {
        let archive = manifest.join(format!("../shared/corpus/powerplatform-{night}.tar.gz"));
        assert!(
            archive.exists(),
            "{} not found: the benchmarks need ../shared/corpus",
            archive.display()
        );
        std::fs::create_dir_all(&out).expect("mkdir");
        let status = Command::new("tar")
            .arg("xzf")
            .arg(&archive)
            .arg("-C")
            .arg(&out)
            .status()
            .expect("tar");
        assert!(status.success(), "tar failed on {}", archive.display());
    }
    dir
}

pub fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Total bytes of the files under `root`.
pub fn dir_size(root: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read_dir").flatten() {
            let meta = entry.metadata().expect("metadata");
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                total += meta.len();
            }
        }
    }
    total
}

/// The `q` quantile (0..=1) of `samples`, nearest rank.
pub fn percentile(samples: &mut [Duration], q: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort();
    let rank = ((q * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
    samples[rank - 1]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The release binary the process benchmarks run (built by `cargo bench` itself).
pub fn release_binary() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/trayscope")
}
