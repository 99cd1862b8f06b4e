//! Diff benchmark: two consecutive nights of `../shared/corpus/` crawled into one home, then `trayscope diff` timed
//! in-process and as a whole process in each format, against `diff -r` of the two night directories.
//!
//!     cargo bench --bench diff                                    # 2024-03-31 → 2024-10-23
//!     TRAYSCOPE_BENCH_FROM=2022-06-30 TRAYSCOPE_BENCH_TO=2023-06-30 cargo bench --bench diff

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{corpus_night, env_number, ms, percentile};
use trayscope::home::Home;
use trayscope::store::Store;

fn main() {
    let from_night = std::env::var("TRAYSCOPE_BENCH_FROM").unwrap_or_else(|_| "2024-03-31".into());
    let to_night = std::env::var("TRAYSCOPE_BENCH_TO").unwrap_or_else(|_| "2024-10-23".into());
    let runs: usize = env_number("TRAYSCOPE_BENCH_RUNS", 10);
    let (a, b) = (corpus_night(&from_night), corpus_night(&to_night));

    let scratch = tempfile::tempdir().expect("tempdir");
    let home = Home::new(scratch.path().join("home"));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    for dir in [&a, &b] {
        common::crawl(&runtime, &home, &common::dir_source(dir), 8);
    }

    let mut store = Store::open(&home.db_path()).expect("store");
    let mut in_process = Vec::new();
    let mut report = None;
    for _ in 0..runs {
        let started = Instant::now();
        report = Some(trayscope::diff::diff_snapshots(&mut store, 1, 2).expect("diff"));
        in_process.push(started.elapsed());
    }
    let report = report.expect("at least one run");
    println!(
        "{from_night} → {to_night}: {} changes; summary {:?}",
        report.changes.len(),
        report.summary
    );
    println!(
        "diff in-process (catalogs loaded, changes computed):  p50 {:.1} ms  max {:.1} ms  ({runs} runs)",
        ms(percentile(&mut in_process, 0.5)),
        ms(percentile(&mut in_process, 1.0))
    );

    let binary = std::path::PathBuf::from(env!("CARGO_BIN_EXE_trayscope"));
    for format in ["json", "markdown", "html"] {
        let mut times = time_process(runs, || {
            let mut cmd = Command::new(&binary);
            cmd.arg("--home")
                .arg(home.dir())
                .args(["diff", "--format", format]);
            cmd
        });
        println!(
            "trayscope diff --format {format:<8} process:          p50 {:.1} ms  max {:.1} ms",
            ms(percentile(&mut times, 0.5)),
            ms(percentile(&mut times, 1.0))
        );
    }
    let mut times = time_process(runs, || {
        let mut cmd = Command::new("diff");
        cmd.arg("-r").arg(&a).arg(&b);
        cmd
    });
    println!(
        "diff -r {from_night} {to_night}:                 p50 {:.1} ms  max {:.1} ms",
        ms(percentile(&mut times, 0.5)),
        ms(percentile(&mut times, 1.0))
    );
}

fn time_process(runs: usize, command: impl Fn() -> Command) -> Vec<Duration> {
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            let status = command()
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("spawn");
            // `diff -r` exits 1 when the trees differ: that is its success here.
            assert!(status.code().is_some_and(|c| c <= 1), "{status}");
            started.elapsed()
        })
        .collect()
}
