//! `trayscope nightly` (reports, lock, failures), `trayscope.toml` configuration and shell completions.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Scratch, fixture, generated_catalog};
use crate::fake_tray::{FakeTray, Options};

fn examples(night: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/catalog")
        .join(night)
}

fn nightly(s: &Scratch, night: &Path, extra: &[&str]) -> std::process::Output {
    s.cmd()
        .args(["nightly", "--reports"])
        .arg(s.path("reports"))
        .arg("--from-dir")
        .arg(night)
        .args(extra)
        .output()
        .unwrap()
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn two_nights_write_dated_reports_latest_and_an_index() {
    let s = Scratch::new();
    let first = nightly(&s, &examples("2026-11-25"), &[]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let second = nightly(&s, &examples("2026-11-26"), &[]);
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );

    let reports = s.path("reports");
    let names = files(&reports);
    let snapshots = s.snapshots();
    let stem = |i: usize| {
        format!(
            "{}-{}",
            &snapshots[i]["finished_at"].as_str().unwrap()[..10],
            i + 1
        )
    };
    let mut expected: Vec<String> = Vec::new();
    for i in 0..2 {
        for ext in ["html", "json", "md"] {
            expected.push(format!("{}.{ext}", stem(i)));
        }
    }
    expected.extend(["index.html", "latest.html", "latest.json", "latest.md"].map(String::from));
    expected.sort();
    assert_eq!(names, expected);

    // The first night has nothing to compare with: a catalog summary.
    let summary = read_json(&reports.join(format!("{}.json", stem(0))));
    assert_eq!(summary["kind"], "catalog-summary");
    assert_eq!(summary["connector_versions"], 21);
    assert_eq!(summary["operations"], 92);
    let deprecated: Vec<String> = summary["deprecated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["connector"].as_str().unwrap(),
                d["version"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(deprecated, ["salesforce 7.4", "slack 8.1"]);

    // The second night is the diff of 1 → 2, and latest.* is a copy of it.
    let diff = read_json(&reports.join(format!("{}.json", stem(1))));
    assert_eq!(diff["from"]["snapshot"], 1);
    assert_eq!(diff["to"]["snapshot"], 2);
    assert_eq!(diff["summary"]["breaking"], 3);
    assert_eq!(read_json(&reports.join("latest.json")), diff);
    assert_eq!(
        std::fs::read(reports.join("latest.md")).unwrap(),
        std::fs::read(reports.join(format!("{}.md", stem(1)))).unwrap()
    );

    // index.html lists both nights, newest first, and links to each format.
    let index = std::fs::read_to_string(reports.join("index.html")).unwrap();
    let newest = index.find(&format!("{}.html", stem(1))).unwrap();
    let oldest = index.find(&format!("{}.html", stem(0))).unwrap();
    assert!(newest < oldest, "newest night first");
    assert!(index.contains(&format!("href=\"{}.md\"", stem(1))));
    assert!(index.contains("<svg") && index.contains("3 breaking"));
    assert!(index.contains("1 → 2") && index.contains("1 (first)"));

    // The summary line is on stderr, where cron logs keep it, even though stderr is not a terminal.
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(
        err.contains("compared with snapshot 1: 4 breaking changes"),
        "{err}"
    );
    assert!(second.stdout.is_empty(), "human output leaves stdout empty");
}

#[test]
fn fail_on_breaking_exits_1_after_writing_the_reports() {
    let s = Scratch::new();
    assert!(
        nightly(&s, &examples("2026-11-25"), &["--fail-on-breaking"])
            .status
            .success()
    );
    let out = nightly(
        &s,
        &examples("2026-11-26"),
        &["--fail-on-breaking", "--json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["breaking"], 3);
    assert_eq!(summary["from"], 1);
    assert_eq!(summary["crawl"]["connector_versions"], 22);
    for path in summary["reports"].as_array().unwrap() {
        assert!(Path::new(path.as_str().unwrap()).exists(), "{path}");
    }
    // Nothing breaking the next night: exit 0.
    let out = nightly(&s, &examples("2026-11-26"), &["--fail-on-breaking"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_failed_crawl_writes_no_report() {
    let s = Scratch::new();
    assert!(nightly(&s, &examples("2026-11-25"), &[]).status.success());
    let before = files(&s.path("reports"));
    let broken = s.path("broken");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join("connectors.json"), "{\"elements\": 3}").unwrap();
    let out = nightly(&s, &broken, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("elements"));
    assert_eq!(files(&s.path("reports")), before);
}

/// Holds the home's writer lock from this test process, as a running nightly would.
fn hold_lock(s: &Scratch) -> std::fs::File {
    std::fs::create_dir_all(s.home()).unwrap();
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(s.home().join("writer.lock"))
        .unwrap();
    file.try_lock().unwrap();
    file
}

#[test]
fn a_run_while_another_holds_the_lock_stops_at_once_saying_so() {
    let s = Scratch::new();
    let lock = hold_lock(&s);
    let started = Instant::now();
    let out = nightly(&s, &examples("2026-11-25"), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("another trayscope run holds the lock"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "it should not wait without --wait"
    );
    assert!(!s.path("reports").exists());

    // With --wait it waits, and starts once the other run lets go.
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(700));
        drop(lock);
    });
    let out = nightly(&s, &examples("2026-11-25"), &["--wait", "30s"]);
    releaser.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s.complete_snapshots().len(), 1);
}

#[test]
fn a_lock_left_by_a_killed_run_does_not_block() {
    let s = Scratch::new();
    let fake = FakeTray::start(
        generated_catalog(40),
        Options {
            latency: Duration::from_millis(100),
            ..Options::default()
        },
    );
    let mut child = s
        .background()
        .env("TRAY_TOKEN", fake.token())
        .args([
            "nightly",
            "--concurrency",
            "1",
            "--api-url",
            &fake.url(),
            "--reports",
        ])
        .arg(s.path("reports"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let got_going = fake.wait_for_requests(3);
    // Killed while holding the lock: writer.lock stays on disk, but the OS lock died with the process.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(got_going, "the nightly run never got going");
    assert!(s.home().join("writer.lock").exists());
    let out = nightly(&s, &examples("2026-11-25"), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let statuses: Vec<Value> = s.snapshots().iter().map(|x| x["status"].clone()).collect();
    assert_eq!(statuses, ["failed", "complete"]);
}

#[test]
fn config_file_sets_reports_dir_and_severities_and_flags_win() {
    let s = Scratch::new();
    std::fs::create_dir_all(s.home()).unwrap();
    std::fs::write(
        s.home().join("trayscope.toml"),
        "reports_dir = \"../from-config\"\n[severity]\nconnector-version-deprecated = \"error\"\n",
    )
    .unwrap();
    for night in ["2026-11-25", "2026-11-26"] {
        let out = s
            .cmd()
            .args(["nightly", "--from-dir"])
            .arg(examples(night))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // reports_dir is relative to the file's directory.
    let latest = read_json(&s.path("from-config/latest.json"));
    let deprecated: Vec<&Value> = latest["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["code"] == "connector-version-deprecated")
        .collect();
    assert_eq!(deprecated.len(), 2);
    assert!(deprecated.iter().all(|c| c["severity"] == "error"));

    // The environment overrides the file, and a flag overrides both.
    let out = s
        .cmd()
        .env("TRAYSCOPE_REPORTS", s.path("from-env"))
        .args(["nightly", "--from-dir"])
        .arg(examples("2026-11-26"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(s.path("from-env/latest.json").exists());
    let out = s
        .cmd()
        .env("TRAYSCOPE_REPORTS", s.path("from-env"))
        .args(["nightly", "--reports"])
        .arg(s.path("from-flag"))
        .arg("--from-dir")
        .arg(examples("2026-11-26"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(s.path("from-flag/latest.json").exists());
}

#[test]
fn config_errors_are_reported_together_naming_each_key() {
    let s = Scratch::new();
    let config = s.path("bad.toml");
    std::fs::write(
        &config,
        "region = \"mars\"\nconcurrency = 0\ncolour = true\n[severity]\noperation-changed = \"fatal\"\n",
    )
    .unwrap();
    let out = s
        .cmd()
        .arg("--config")
        .arg(&config)
        .args(["crawl", "--from-dir"])
        .arg(fixture("tiny"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "bad.toml",
        "4 problems",
        "`region`",
        "`concurrency`",
        "`colour`",
        "`severity.operation-changed`",
    ] {
        assert!(err.contains(needle), "{needle:?} missing from: {err}");
    }
    assert!(!s.home().join("catalog.db").exists(), "nothing ran");

    let out = s
        .cmd()
        .arg("--config")
        .arg(s.path("missing.toml"))
        .args(["crawl", "--from-dir"])
        .arg(fixture("tiny"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.toml"));

    let out = s
        .cmd()
        .env("TRAYSCOPE_CONCURRENCY", "many")
        .args(["crawl", "--from-dir"])
        .arg(fixture("tiny"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("TRAYSCOPE_CONCURRENCY"));
}

#[test]
fn config_api_url_is_used_when_no_flag_says_otherwise() {
    // Nothing listens on port 9: the error names the URL the crawl aimed at.
    let s = Scratch::new();
    std::fs::create_dir_all(s.home()).unwrap();
    std::fs::write(
        s.home().join("trayscope.toml"),
        "api_url = \"http://127.0.0.1:9\"\n",
    )
    .unwrap();
    let out = s
        .cmd()
        .env("TRAY_TOKEN", "x")
        .args(["crawl", "--max-attempts", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("http://127.0.0.1:9"),
        "the configured URL is used: {err}"
    );
}

#[test]
fn completions_are_printed_for_each_shell() {
    let s = Scratch::new();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef trayscope"),
        ("fish", "complete -c trayscope"),
    ] {
        let out = s.cmd().args(["completions", shell]).output().unwrap();
        assert!(out.status.success());
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains(marker), "{shell}: {script:.200}");
        assert!(
            script.contains("nightly") && script.contains("schema-diff"),
            "{shell} lists subcommands"
        );
    }
}
