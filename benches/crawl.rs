//! Crawl benchmark: a night of `../shared/corpus/` served over loopback HTTP by the fake Tray API (with a latency
//! per request and Tray's own rate limit of 30/s, bursts to 50), crawled by trayscope at its defaults.
//!
//! Prints wall time against the physical limit (requests ÷ client rate limit), 429s met, the home directory's size
//! against the raw JSON bytes, and what an unchanged second crawl adds. Not a test: it asserts nothing.
//!
//!     cargo bench --bench crawl                       # newest night, 50 ms latency
//!     TRAYSCOPE_BENCH_NIGHT=2022-06-30 TRAYSCOPE_BENCH_LATENCY_MS=120 cargo bench --bench crawl

mod common;

#[path = "../tests/support/fake_tray.rs"]
mod fake_tray;

use common::{corpus_night, dir_size, env_number};
use std::time::{Duration, Instant};

use fake_tray::{Catalog, FakeTray, Options};
use trayscope::api::{ApiClient, ClientOptions, Token};
use trayscope::crawl::CrawlSummary;
use trayscope::home::Home;
use trayscope::source::Source;

fn main() {
    let night = std::env::var("TRAYSCOPE_BENCH_NIGHT").unwrap_or_else(|_| "2024-10-23".into());
    let latency_ms: u64 = env_number("TRAYSCOPE_BENCH_LATENCY_MS", 50);
    let rate_limit: f64 = env_number("TRAYSCOPE_BENCH_RATE", 25.0);
    let concurrency: usize = env_number("TRAYSCOPE_BENCH_CONCURRENCY", 8);
    let root = corpus_night(&night);
    let raw_bytes = dir_size(&root);
    let catalog = Catalog::from_dir(&root);
    let versions = catalog.operations.len();
    println!("night {night}: {versions} connector versions, {raw_bytes} bytes of raw JSON");
    println!(
        "fake Tray: {latency_ms} ms latency per request, server rate limit 30/s (burst 50); client: {rate_limit}/s, concurrency {concurrency}"
    );

    let fake = FakeTray::start(
        catalog,
        Options {
            latency: Duration::from_millis(latency_ms),
            rate_limit: Some((30.0, 50.0)),
            ..Options::default()
        },
    );
    let scratch = tempfile::tempdir().expect("tempdir");
    let home = Home::new(scratch.path().join("home"));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let run = |label: &str| -> CrawlSummary {
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
        let started = Instant::now();
        let summary = common::crawl(&runtime, &home, &Source::Http(client), concurrency);
        let wall = started.elapsed().as_secs_f64();
        let physical = summary.requests as f64 / rate_limit;
        println!(
            "{label}: {wall:.2} s wall for {} requests; physical limit {physical:.2} s; ratio {:.3}; retries {}; 429s from the server {}",
            summary.requests,
            wall / physical,
            summary.retries,
            fake.throttled() - throttled_before
        );
        summary
    };

    let first = run("first crawl ");
    let after_first = dir_size(home.dir());
    println!(
        "home after first crawl: {after_first} bytes = {:.3} × raw JSON ({} new blobs, {} → {} bytes compressed)",
        after_first as f64 / raw_bytes as f64,
        first.stored.new_blobs,
        first.stored.new_blob_raw_bytes,
        first.stored.new_blob_stored_bytes
    );
    let second = run("second crawl");
    let after_second = dir_size(home.dir());
    println!(
        "unchanged second crawl added {} bytes = {:.3}% of the first snapshot ({} connector versions reused, {} new)",
        after_second.saturating_sub(after_first),
        (after_second.saturating_sub(after_first)) as f64 * 100.0 / after_first as f64,
        second.stored.reused_versions,
        second.stored.new_versions
    );

    // The CPU side alone: the same night from disk, no network pacing.
    let dir_home = Home::new(scratch.path().join("dir-home"));
    let started = Instant::now();
    let summary = common::crawl(&runtime, &dir_home, &common::dir_source(&root), concurrency);
    println!(
        "crawl --from-dir of the same night: {:.2} s ({} operations)",
        started.elapsed().as_secs_f64(),
        summary.operations
    );
}
