//! Diff benchmark: two consecutive nights of `../shared/corpus/` crawled into one home, then `trayscope diff` timed
//! in-process and as a whole process in each format (with the size of what each prints, the Markdown at its default
//! 60,000-character budget and without one), against `diff -r` of the two night directories; and `trayscope report`
//! writing the night's three reports and `index.html`, the report half of `nightly`.
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
    for (format, extra) in [
        ("json", None),
        ("markdown", None),
        ("markdown", Some("0")),
        ("html", None),
    ] {
        let args = |cmd: &mut Command| {
            cmd.arg("--home")
                .arg(home.dir())
                .args(["diff", "--format", format]);
            if let Some(max) = extra {
                cmd.args(["--max-chars", max]);
            }
        };
        let mut times = time_process(runs, || {
            let mut cmd = Command::new(&binary);
            args(&mut cmd);
            cmd
        });
        let mut cmd = Command::new(&binary);
        args(&mut cmd);
        let printed = cmd.output().expect("diff").stdout;
        let label = match extra {
            Some(max) => format!("{format} --max-chars {max}"),
            None => format.to_owned(),
        };
        println!(
            "trayscope diff --format {label:<21} process: p50 {:.1} ms  max {:.1} ms  {} bytes, {} characters",
            ms(percentile(&mut times, 0.5)),
            ms(percentile(&mut times, 1.0)),
            printed.len(),
            String::from_utf8_lossy(&printed).chars().count()
        );
    }
    let reports = scratch.path().join("reports");
    let mut times = time_process(runs, || {
        let mut cmd = Command::new(&binary);
        cmd.arg("--home")
            .arg(home.dir())
            .args(["report", "--snapshot", "2", "--reports"])
            .arg(&reports);
        cmd
    });
    println!(
        "trayscope report --snapshot 2 (md + html + json + index.html): p50 {:.1} ms  max {:.1} ms",
        ms(percentile(&mut times, 0.5)),
        ms(percentile(&mut times, 1.0))
    );
    // nightly end to end, once: a home holding the first night crawls the second from its directory, updates the
    // index, diffs and writes the reports.
    let night_home = Home::new(scratch.path().join("night-home"));
    common::crawl(&runtime, &night_home, &common::dir_source(&a), 8);
    let started = Instant::now();
    let status = Command::new(&binary)
        .arg("--home")
        .arg(night_home.dir())
        .args(["-q", "nightly", "--from-dir"])
        .arg(&b)
        .arg("--reports")
        .arg(scratch.path().join("night-reports"))
        .status()
        .expect("nightly");
    assert!(status.success(), "{status}");
    println!(
        "trayscope nightly --from-dir {to_night} (crawl, index, diff, reports), once: {:.0} ms",
        ms(started.elapsed())
    );
    for file in std::fs::read_dir(scratch.path().join("night-reports"))
        .expect("reports")
        .flatten()
    {
        let name = file.file_name().to_string_lossy().into_owned();
        if name.starts_with("latest.") || name == "index.html" {
            println!("  {name}: {} bytes", common::file_size(&file.path()));
        }
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
