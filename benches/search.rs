//! Search benchmark: a night of `../shared/corpus/` crawled from its directory, the search index built from it
//! (timed), then a fixed list of realistic queries run in-process and as whole `trayscope search` processes, and
//! `rg -il` over the same night's directory for the same words. Not a test: it asserts nothing.
//!
//!     cargo bench --bench search                      # newest night, 20 in-process and 5 process runs per query
//!     TRAYSCOPE_BENCH_NIGHT=2022-06-30 TRAYSCOPE_BENCH_RUNS=10 cargo bench --bench search
//!
//! ripgrep is not a dependency: install it (`apt-get install ripgrep`) for the comparison; without it the bench
//! says so and skips that part.

mod common;

use common::{corpus_night, dir_size, env_number, file_size, ms, percentile};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use trayscope::home::Home;
use trayscope::index::{self, SearchIndex, SearchRequest, VersionScope};
use trayscope::store::Store;

/// Questions users ask, in the forms they type them: natural language, identifiers, a typo, a phrase, a prefix.
const QUERIES: &[&str] = &[
    "send sms",
    "which connector can send an SMS?",
    "send email with attachment",
    "translate text",
    "weather forecast",
    "create invoice",
    "upload file",
    "sentiment analysis",
    "convert html to pdf",
    "create calendar event",
    "qr code",
    "currency exchange rate",
    "validate phone number",
    "\"pull request\"",
    "shorten url",
    "ip geolocation",
    "externalId",
    "send mesage",
    "get user profile",
    "list channels",
];

/// Words the search drops from natural-language queries; the `rg` side drops them too, for the same words.
const STOPWORDS: &[&str] = &["which", "can", "an", "with", "to", "a", "the"];

fn main() {
    let night = std::env::var("TRAYSCOPE_BENCH_NIGHT").unwrap_or_else(|_| "2024-10-23".into());
    let runs: usize = env_number("TRAYSCOPE_BENCH_RUNS", 20);
    let process_runs: usize = env_number("TRAYSCOPE_BENCH_PROCESS_RUNS", 5);
    let root = corpus_night(&night);
    let raw_bytes = dir_size(&root);
    println!(
        "night {night}: {raw_bytes} bytes of raw JSON in {}",
        root.display()
    );

    let scratch = tempfile::tempdir().expect("tempdir");
    let home = Home::new(scratch.path().join("home"));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let summary = common::crawl(&runtime, &home, &common::dir_source(&root), 8);
    println!(
        "crawled: {} connector versions, {} operations",
        summary.connector_versions, summary.operations
    );

    // The library crawl leaves the index to the command layer; build it here, from scratch, and time it.
    let mut store = Store::open_read_only(&home.db_path()).expect("store");
    let dir = home.index_dir();
    let started = Instant::now();
    let built = index::rebuild(&dir, &mut store).expect("index build");
    let build_time = started.elapsed();
    let index_bytes = index::size_on_disk(&dir);
    let db_bytes = file_size(&home.db_path());
    println!(
        "index build: {:.2} s for {} documents; index {} bytes = {:.3} × raw JSON; catalog.db {} bytes; home {} bytes = {:.3} × raw JSON",
        build_time.as_secs_f64(),
        built.documents,
        index_bytes,
        index_bytes as f64 / raw_bytes as f64,
        db_bytes,
        dir_size(home.dir()),
        dir_size(home.dir()) as f64 / raw_bytes as f64,
    );
    // What every night without changes costs: crawl the same night again, then bring the index up to date.
    common::crawl(&runtime, &home, &common::dir_source(&root), 8);
    let started = Instant::now();
    let unchanged = index::update(&dir, &mut store).expect("index update");
    println!(
        "index update after an unchanged second crawl: {:.3} s ({} documents added; index {} bytes)",
        started.elapsed().as_secs_f64(),
        unchanged.added_documents,
        index::size_on_disk(&dir)
    );

    // In-process: an open index, the query compiled and run, the top 10 with snippets cut from the store.
    let search_index = SearchIndex::open(&dir).expect("open index");
    let request = |query| SearchRequest {
        query,
        snapshot: None,
        connector: None,
        versions: VersionScope::Newest,
        limit: 10,
    };
    println!(
        "\n{:<36} {:>7} {:>10}  top hit",
        "query", "total", "in-process"
    );
    let mut in_process = Vec::new();
    for query in QUERIES {
        let results = search_index
            .search(&mut store, &request(query))
            .expect("search");
        let mut samples = Vec::new();
        for _ in 0..runs {
            let started = Instant::now();
            let _ = search_index.search(&mut store, &request(query));
            samples.push(started.elapsed());
        }
        let top = results
            .hits
            .first()
            .map(|h| format!("{} {} {}", h.connector, h.version, h.operation))
            .unwrap_or_else(|| "-".into());
        println!(
            "{:<36} {:>7} {:>8.2}ms  {top}",
            query,
            results.total,
            ms(percentile(&mut samples.clone(), 0.5))
        );
        in_process.extend(samples);
    }

    let binary = PathBuf::from(env!("CARGO_BIN_EXE_trayscope"));
    let mut process = Vec::new();
    for _ in 0..process_runs {
        for query in QUERIES {
            let started = Instant::now();
            let status = Command::new(&binary)
                .arg("--home")
                .arg(home.dir())
                .args(["search", query, "--limit", "10"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("run trayscope");
            process.push(started.elapsed());
            assert!(status.success(), "trayscope search {query:?} failed");
        }
    }

    let rg_available = Command::new("rg")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let mut rg = Vec::new();
    if rg_available {
        for _ in 0..process_runs {
            for query in QUERIES {
                let mut command = Command::new("rg");
                command.arg("-il");
                for word in words(query) {
                    command.arg("-e").arg(word);
                }
                let started = Instant::now();
                command
                    .arg(&root)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .expect("run rg");
                rg.push(started.elapsed());
            }
        }
    }

    println!(
        "\n{} queries; top 10 hits with snippets; newest version of each connector",
        QUERIES.len()
    );
    println!(
        "in-process search:           p50 {:>7.2} ms   p99 {:>7.2} ms   ({} samples)",
        ms(percentile(&mut in_process, 0.5)),
        ms(percentile(&mut in_process, 0.99)),
        in_process.len()
    );
    println!(
        "`trayscope search` process:  p50 {:>7.2} ms   p99 {:>7.2} ms   ({} samples)",
        ms(percentile(&mut process, 0.5)),
        ms(percentile(&mut process, 0.99)),
        process.len()
    );
    if rg_available {
        println!(
            "`rg -il WORDS DIR` process:  p50 {:>7.2} ms   p99 {:>7.2} ms   ({} samples)",
            ms(percentile(&mut rg, 0.5)),
            ms(percentile(&mut rg, 0.99)),
            rg.len()
        );
        println!(
            "search process p50 / rg p50 = {:.2} (goal ≤ 0.5)",
            ms(percentile(&mut process, 0.5)) / ms(percentile(&mut rg, 0.5))
        );
    } else {
        println!("rg is not installed (apt-get install ripgrep): no comparison with `rg -il`");
    }
}

/// The query's words as `rg` patterns: letters and digits only, lower case, stopwords dropped.
fn words(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .collect()
}
