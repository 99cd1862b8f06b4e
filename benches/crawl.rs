//! Crawl benchmark: a night of `../shared/corpus/` served over loopback HTTP by the fake Tray API (with a latency
//! per request), crawled by trayscope, the search index brought up to date as `trayscope crawl` does. The timed span
//! is the crawl **and** the index update: what a user waits for.
//!
//! Two client rates by default: Tray's own limit (the fake answers 429 beyond 30/s, bursts to 50; the client runs at
//! trayscope's default 25/s) and 100/s (against a fake whose limit is 1.2 × that, so the client's pacing is the only
//! bound). Prints wall time against the physical limit (requests ÷ client rate), how much of it came after the
//! snapshot was committed, 429s met, the home directory's size against the raw JSON bytes, and what an unchanged
//! second crawl adds. Not a test: it asserts nothing.
//!
//!     cargo bench --bench crawl                       # newest night, 50 ms latency, 25/s and 100/s
//!     TRAYSCOPE_BENCH_RATES=100 cargo bench --bench crawl
//!     TRAYSCOPE_BENCH_INDEX_AFTER=1 cargo bench --bench crawl   # index after the crawl, as before issue 10
//!     TRAYSCOPE_BENCH_NIGHT=2022-06-30 TRAYSCOPE_BENCH_LATENCY_MS=120 cargo bench --bench crawl

mod common;

#[path = "../tests/support/fake_tray.rs"]
mod fake_tray;

use common::{CrawledAndIndexed, corpus_night, dir_size, env_number};
use std::time::{Duration, Instant};

use fake_tray::{Catalog, FakeTray, Options};
use trayscope::api::{ApiClient, ClientOptions, Token};
use trayscope::home::Home;
use trayscope::source::Source;

/// Tray's limit: 30 requests/s, bursts to 50.
const TRAY_RATE: f64 = 30.0;
const TRAY_BURST: f64 = 50.0;

fn main() {
    let night = std::env::var("TRAYSCOPE_BENCH_NIGHT").unwrap_or_else(|_| "2024-10-23".into());
    let latency_ms: u64 = env_number("TRAYSCOPE_BENCH_LATENCY_MS", 50);
    let concurrency: usize = env_number("TRAYSCOPE_BENCH_CONCURRENCY", 8);
    let rates: Vec<f64> = std::env::var("TRAYSCOPE_BENCH_RATES")
        .unwrap_or_else(|_| "25,100".into())
        .split(',')
        .filter_map(|r| r.trim().parse().ok())
        .filter(|r: &f64| r.is_finite() && *r > 0.0)
        .collect();
    let root = corpus_night(&night);
    let raw_bytes = dir_size(&root);
    let catalog = Catalog::from_dir(&root);
    let versions = catalog.operations.len();
    println!("night {night}: {versions} connector versions, {raw_bytes} bytes of raw JSON");
    println!(
        "index: {}",
        if common::index_after_crawl() {
            "updated after the crawl (crawl::crawl, then index::update)"
        } else {
            "built during the crawl (crawl::crawl_and_index)"
        }
    );
    let scratch = tempfile::tempdir().expect("tempdir");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");

    for rate_limit in rates {
        let server_rate = if rate_limit <= TRAY_RATE {
            TRAY_RATE
        } else {
            rate_limit * 1.2
        };
        println!();
        println!(
            "fake Tray: {latency_ms} ms latency per request, server rate limit {server_rate}/s (burst {TRAY_BURST}); \
             client: {rate_limit}/s, concurrency {concurrency}"
        );
        let fake = FakeTray::start(
            catalog.clone(),
            Options {
                latency: Duration::from_millis(latency_ms),
                rate_limit: Some((server_rate, TRAY_BURST)),
                ..Options::default()
            },
        );
        let home = Home::new(scratch.path().join(format!("home-{rate_limit}")));
        let run = |label: &str| -> CrawledAndIndexed {
            let client = ApiClient::new(
                trayscope::api::parse_base_url(&fake.url()).expect("url"),
                &Token::new(fake.token()).expect("token"),
                ClientOptions {
                    rate_limit,
                    ..ClientOptions::default()
                },
            )
            .expect("client");
            let throttled_before = fake.throttled();
            let done = common::crawl_and_index(&runtime, &home, &Source::Http(client), concurrency);
            let wall = done.total.as_secs_f64();
            let physical = done.summary.requests as f64 / rate_limit;
            println!(
                "{label}: {wall:.2} s wall for {} requests (snapshot committed at {:.2} s, index current {:.2} s \
                 later, {} documents added); physical limit {physical:.2} s; ratio {:.3}; retries {}; 429s from \
                 the server {}",
                done.summary.requests,
                done.crawl.as_secs_f64(),
                (done.total - done.crawl).as_secs_f64(),
                done.index.added_documents,
                wall / physical,
                done.summary.retries,
                fake.throttled() - throttled_before
            );
            done
        };

        let first = run("first crawl ");
        let after_first = dir_size(home.dir());
        println!(
            "home after first crawl: {after_first} bytes = {:.3} × raw JSON ({} new blobs, {} → {} bytes compressed; \
             index {} bytes)",
            after_first as f64 / raw_bytes as f64,
            first.summary.stored.new_blobs,
            first.summary.stored.new_blob_raw_bytes,
            first.summary.stored.new_blob_stored_bytes,
            first.index.bytes
        );
        let second = run("second crawl");
        let after_second = dir_size(home.dir());
        println!(
            "unchanged second crawl added {} bytes = {:.3}% of the first snapshot ({} connector versions reused, {} new)",
            after_second.saturating_sub(after_first),
            (after_second.saturating_sub(after_first)) as f64 * 100.0 / after_first as f64,
            second.summary.stored.reused_versions,
            second.summary.stored.new_versions
        );
    }

    // The CPU side alone: the same night from disk, no network pacing.
    let dir_home = Home::new(scratch.path().join("dir-home"));
    let started = Instant::now();
    let done =
        common::crawl_and_index(&runtime, &dir_home, &common::dir_source(&root), concurrency);
    println!();
    println!(
        "crawl --from-dir of the same night, with the index: {:.2} s ({} operations; snapshot committed at {:.2} s)",
        started.elapsed().as_secs_f64(),
        done.summary.operations,
        done.crawl.as_secs_f64()
    );
}
