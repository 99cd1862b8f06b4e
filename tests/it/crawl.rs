//! `trayscope crawl`, `snapshots` and `export` against the fake Tray API and fixture directories.

use std::process::Output;
use std::time::Duration;

use serde_json::Value;

use crate::common::{
    Scratch, dir_size, fixture, generated_catalog, json_tree, stderr, write_catalog,
};
use crate::fake_tray::{Catalog, FakeTray, Fault, Options, Target};

fn tiny() -> Catalog {
    Catalog::from_dir(&fixture("tiny"))
}

fn start(catalog: Catalog) -> FakeTray {
    FakeTray::start(catalog, Options::default())
}

/// Runs `crawl --json` against the fake with fast retries.
fn crawl_http(s: &Scratch, fake: &FakeTray, extra: &[&str]) -> Output {
    s.cmd()
        .env("TRAY_TOKEN", fake.token())
        .args([
            "crawl",
            "--json",
            "--api-url",
            &fake.url(),
            "--backoff-ms",
            "5",
            "--rate-limit",
            "1000",
        ])
        .args(extra)
        .output()
        .unwrap()
}

fn summary(out: &Output) -> Value {
    assert!(out.status.success(), "crawl failed: {}", stderr(out));
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[test]
fn clean_http_crawl_stores_every_version_and_operation() {
    let fake = start(tiny());
    let s = Scratch::new();
    let summary = summary(&crawl_http(&s, &fake, &[]));
    assert_eq!(summary["snapshot"], 1);
    assert_eq!(summary["connectors"], 3);
    assert_eq!(summary["connector_versions"], 5);
    assert_eq!(summary["operations"], 9);
    assert_eq!(summary["requests"], 6);
    assert_eq!(summary["retries"], 0);
    assert!(summary["duration_ms"].is_u64());
    let snapshots = s.snapshots();
    assert_eq!(snapshots.len(), 1);
    assert_eq!(snapshots[0]["status"], "complete");
    assert_eq!(snapshots[0]["connector_versions"], 5);
    assert_eq!(snapshots[0]["operations"], 9);
    assert!(snapshots[0]["finished_at"].is_string());
    // The odd name went out escaped as one path segment.
    assert!(
        fake.paths().contains(
            &"/core/v1/connectors/odd%2Fname%20with%20space/versions/1.0/operations".to_owned()
        ),
        "{:?}",
        fake.paths()
    );
}

#[test]
fn export_gives_back_every_element_as_served() {
    let fake = start(tiny());
    let s = Scratch::new();
    summary(&crawl_http(&s, &fake, &[]));
    let out = s.export(None, "exported");
    // Same files, same JSON values (unknown fields `icon` and `categories` included).
    assert_eq!(json_tree(&out), json_tree(&fixture("tiny")));
    let listing = std::fs::read_to_string(out.join("connectors.json")).unwrap();
    assert!(listing.contains("https://example.test/slack.svg"));
}

#[test]
fn crawl_export_crawl_round_trips() {
    let s = Scratch::new();
    s.crawl_dir(&fixture("tiny"));
    let first = s.export(Some(1), "first");
    s.crawl_dir(&first);
    let second = s.export(Some(2), "second");
    assert_eq!(json_tree(&first), json_tree(&second));
    // The files are byte-identical too: the export is deterministic.
    let a = std::fs::read(first.join("connectors.json")).unwrap();
    let b = std::fs::read(second.join("connectors.json")).unwrap();
    assert_eq!(a, b);
}

/// Crawling through `fault` must store exactly what a clean crawl stores.
fn crawl_through(target: Target, fault: Fault, times: u32, extra: &[&str]) -> (Value, FakeTray) {
    let clean = Scratch::new();
    clean.crawl_dir(&fixture("tiny"));
    let expected = json_tree(&clean.export(None, "clean"));

    let fake = start(tiny());
    fake.fault(target, fault, times);
    let s = Scratch::new();
    let summary = summary(&crawl_http(&s, &fake, extra));
    assert_eq!(json_tree(&s.export(None, "faulty")), expected);
    assert_eq!(s.complete_snapshots().len(), 1);
    (summary, fake)
}

#[test]
fn crawl_survives_a_burst_of_429s() {
    let (summary, fake) = crawl_through(Target::Any, Fault::Status(429), 4, &[]);
    assert_eq!(summary["retries"], 4);
    assert_eq!(fake.requests(), 6 + 4);
}

#[test]
fn crawl_survives_500s() {
    let (summary, _) = crawl_through(
        Target::Operations("slack".into(), "9.1".into()),
        Fault::Status(500),
        3,
        &[],
    );
    assert_eq!(summary["retries"], 3);
    let (summary, _) = crawl_through(Target::Listing, Fault::Status(503), 2, &[]);
    assert_eq!(summary["retries"], 2);
}

#[test]
fn crawl_survives_slow_answers_by_timing_out_and_retrying() {
    let (summary, _) = crawl_through(
        Target::Operations("slack".into(), "10.0".into()),
        Fault::Slow(Duration::from_secs(3)),
        1,
        &["--timeout", "1"],
    );
    assert_eq!(summary["retries"], 1);
}

#[test]
fn crawl_survives_bodies_cut_in_half() {
    let (summary, _) = crawl_through(Target::AnyOperations, Fault::TruncatedJson, 2, &[]);
    assert_eq!(summary["retries"], 2);
    let (summary, _) = crawl_through(Target::Listing, Fault::CutConnection, 1, &[]);
    assert_eq!(summary["retries"], 1);
    let (summary, _) = crawl_through(Target::AnyOperations, Fault::CutConnection, 2, &[]);
    assert_eq!(summary["retries"], 2);
}

#[test]
fn crawl_survives_dropped_connections() {
    let (summary, _) = crawl_through(Target::Any, Fault::Drop, 3, &[]);
    assert_eq!(summary["retries"], 3);
}

#[test]
fn refused_token_fails_fast_without_showing_it() {
    let fake = FakeTray::start(
        tiny(),
        Options {
            token: "the-right-token".into(),
            ..Options::default()
        },
    );
    let s = Scratch::new();
    let out = s
        .cmd()
        .env("TRAY_TOKEN", "wrong-secret-token")
        .args(["crawl", "--api-url", &fake.url()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("401") && err.contains("token was refused"),
        "{err}"
    );
    assert!(
        !err.contains("wrong-secret-token"),
        "the token leaked: {err}"
    );
    assert_eq!(fake.requests(), 1, "401 must not be retried");
    assert!(s.complete_snapshots().is_empty());
    let snapshots = s.snapshots();
    assert_eq!(snapshots[0]["status"], "failed");
    assert!(!snapshots[0].to_string().contains("wrong-secret-token"));
}

#[test]
fn a_404_for_a_listed_version_fails_the_whole_crawl() {
    let mut catalog = tiny();
    catalog
        .operations
        .remove(&("slack".to_owned(), "9.1".to_owned()));
    let fake = start(catalog);
    let s = Scratch::new();
    let out = crawl_http(&s, &fake, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("404") && err.contains("/connectors/slack/versions/9.1/operations"),
        "{err}"
    );
    assert!(s.complete_snapshots().is_empty());
    let failed = &s.snapshots()[0];
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("slack/versions/9.1"),
        "{failed}"
    );
}

#[test]
fn a_version_that_keeps_failing_fails_the_crawl_after_the_retries() {
    let fake = start(tiny());
    fake.fault(
        Target::Operations("twilio-output".into(), "2.1".into()),
        Fault::Status(500),
        100,
    );
    let s = Scratch::new();
    let out = crawl_http(&s, &fake, &["--max-attempts", "3"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("500") && err.contains("gave up after 3 attempts"),
        "{err}"
    );
    assert!(s.complete_snapshots().is_empty());
}

#[test]
fn has_next_page_fails_the_crawl_saying_why() {
    let fake = start(tiny());
    fake.fault(Target::Listing, Fault::NextPage, 1);
    let s = Scratch::new();
    let out = crawl_http(&s, &fake, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("hasNextPage"), "{}", stderr(&out));
    assert!(s.complete_snapshots().is_empty());
}

#[test]
fn a_failed_crawl_leaves_no_complete_snapshot_and_the_next_crawl_works() {
    let fake = start(tiny());
    let s = Scratch::new();
    summary(&crawl_http(&s, &fake, &[]));
    fake.fault(
        Target::Operations("slack".into(), "8.1".into()),
        Fault::Status(404),
        1,
    );
    assert_eq!(crawl_http(&s, &fake, &[]).status.code(), Some(2));
    assert_eq!(s.complete_snapshots().len(), 1);
    let third = summary(&crawl_http(&s, &fake, &[]));
    assert_eq!(third["snapshot"], 3);
    let statuses: Vec<Value> = s.snapshots().iter().map(|s| s["status"].clone()).collect();
    assert_eq!(statuses, ["complete", "failed", "complete"]);
}

#[test]
fn invalid_elements_are_refused_naming_connector_version_and_field() {
    let mut catalog = tiny();
    let body = catalog
        .operations
        .get_mut(&("slack".to_owned(), "9.1".to_owned()))
        .unwrap();
    body["elements"][1]["inputSchema"] = Value::String("not a schema".into());
    let fake = start(catalog);
    let s = Scratch::new();
    let out = crawl_http(&s, &fake, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("slack") && err.contains("9.1") && err.contains("inputSchema"),
        "{err}"
    );
    assert!(err.contains("list_channels_ddl"), "{err}");

    let mut catalog = tiny();
    catalog.connectors["elements"][2]["version"] = Value::String("v9".into());
    let fake = start(catalog);
    let out = crawl_http(&Scratch::new(), &fake, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("\"v9\""), "{}", stderr(&out));

    let mut catalog = tiny();
    catalog.connectors["elements"][0]
        .as_object_mut()
        .unwrap()
        .remove("service");
    let fake = start(catalog);
    let out = crawl_http(&Scratch::new(), &fake, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`service`"), "{}", stderr(&out));
}

#[test]
fn oversized_bodies_are_refused() {
    let fake = start(generated_catalog(4));
    let s = Scratch::new();
    let out = crawl_http(&s, &fake, &["--max-response-mb", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Shrink the limit under one operations body by serving a huge description.
    let mut catalog = generated_catalog(4);
    let key = catalog.operations.keys().next().unwrap().clone();
    catalog.operations.get_mut(&key).unwrap()["elements"][0]["description"] =
        Value::String("x".repeat(2 << 20));
    fake.set_catalog(catalog);
    let out = crawl_http(&s, &fake, &["--max-response-mb", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("larger than 1048576 bytes"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_token_is_a_clear_error() {
    let s = Scratch::new();
    let out = s
        .cmd()
        .args(["crawl", "--api-url", "http://127.0.0.1:9"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("TRAY_TOKEN"), "{}", stderr(&out));
    assert!(!s.home().join("catalog.db").exists());
}

#[test]
fn token_file_is_read_and_trimmed() {
    let fake = start(tiny());
    let s = Scratch::new();
    let token_file = s.path("token");
    std::fs::write(&token_file, format!("{}\n", fake.token())).unwrap();
    let out = s
        .cmd()
        .args(["crawl", "--json", "--api-url", &fake.url(), "--token-file"])
        .arg(&token_file)
        .output()
        .unwrap();
    assert_eq!(summary(&out)["connector_versions"], 5);
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let s = Scratch::new();
    let out = s
        .cmd()
        .env("TRAY_TOKEN", "x")
        .args(["crawl", "--api-url", "http://api.tray.io"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("loopback"), "{}", stderr(&out));
}

#[test]
fn concurrency_is_bounded() {
    let fake = FakeTray::start(
        generated_catalog(40),
        Options {
            latency: Duration::from_millis(30),
            ..Options::default()
        },
    );
    let s = Scratch::new();
    summary(&crawl_http(&s, &fake, &["--concurrency", "3"]));
    assert!(
        fake.max_in_flight() <= 3,
        "max in flight {}",
        fake.max_in_flight()
    );
    assert!(fake.max_in_flight() >= 2, "requests did not overlap at all");
}

#[test]
fn an_unchanged_second_crawl_grows_the_database_by_under_one_percent() {
    let s = Scratch::new();
    let catalog_dir = s.path("catalog");
    write_catalog(&generated_catalog(500), &catalog_dir);
    s.crawl_dir(&catalog_dir);
    let first = dir_size(&s.home());
    let raw = dir_size(&catalog_dir);
    s.crawl_dir(&catalog_dir);
    let second = dir_size(&s.home());
    let growth = second.saturating_sub(first) as f64 / first as f64;
    assert!(
        growth < 0.01,
        "grew {first} → {second} bytes ({:.2}%)",
        growth * 100.0
    );
    assert!(
        (first as f64) < raw as f64 * 0.35,
        "home {first} bytes for {raw} bytes of raw JSON"
    );
}

#[test]
fn a_killed_crawl_leaves_nothing_visible_and_the_next_crawl_works() {
    let s = Scratch::new();
    let fake = FakeTray::start(
        generated_catalog(60),
        Options {
            latency: Duration::from_millis(50),
            ..Options::default()
        },
    );
    let mut child = s
        .background()
        .env("TRAY_TOKEN", fake.token())
        .args(["crawl", "--api-url", &fake.url(), "--concurrency", "2"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until it is well into the operations, then kill it without warning.
    let got_going = fake.wait_for_requests(10);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(got_going, "the crawl never got going");
    let snapshots = s.snapshots();
    assert_eq!(snapshots.len(), 1);
    assert_eq!(snapshots[0]["status"], "running");
    assert!(s.complete_snapshots().is_empty());
    // Nothing half-written can be read: export refuses.
    let out = s
        .cmd()
        .args(["export", "--out"])
        .arg(s.path("x"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no complete snapshot"));

    let fake_fast = start(generated_catalog(60));
    let after = summary(&crawl_http(&s, &fake_fast, &[]));
    assert_eq!(after["snapshot"], 2);
    let statuses: Vec<Value> = s.snapshots().iter().map(|s| s["status"].clone()).collect();
    assert_eq!(statuses, ["failed", "complete"]);
}

#[test]
fn a_second_crawl_while_one_runs_is_refused() {
    let s = Scratch::new();
    let fake = FakeTray::start(
        generated_catalog(30),
        Options {
            latency: Duration::from_millis(100),
            ..Options::default()
        },
    );
    let mut child = s
        .background()
        .env("TRAY_TOKEN", fake.token())
        .args(["crawl", "--api-url", &fake.url(), "--concurrency", "1"])
        .spawn()
        .unwrap();
    assert!(fake.wait_for_requests(2), "the first crawl never got going");
    let out = s
        .cmd()
        .args(["crawl", "--from-dir"])
        .arg(fixture("tiny"))
        .output()
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("another trayscope run"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn from_dir_reports_a_missing_operations_file_by_path() {
    let s = Scratch::new();
    let dir = s.path("cat");
    write_catalog(&tiny(), &dir);
    std::fs::remove_file(dir.join("operations/twilio-output/2.1.json")).unwrap();
    let out = s
        .cmd()
        .args(["crawl", "--from-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("operations/twilio-output/2.1.json"),
        "{}",
        stderr(&out)
    );

    std::fs::write(
        dir.join("operations/twilio-output/2.1.json"),
        "{\"elements\": [",
    )
    .unwrap();
    let out = s
        .cmd()
        .args(["crawl", "--from-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("line 1, column"), "{}", stderr(&out));
}

#[test]
fn snapshots_without_a_catalog_says_how_to_start() {
    let s = Scratch::new();
    let out = s.cmd().arg("snapshots").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("trayscope crawl"), "{}", stderr(&out));
}

#[test]
fn export_refuses_a_non_empty_directory() {
    let s = Scratch::new();
    s.crawl_dir(&fixture("tiny"));
    std::fs::create_dir_all(s.path("busy")).unwrap();
    std::fs::write(s.path("busy/keep.txt"), "mine").unwrap();
    let out = s
        .cmd()
        .args(["export", "--out"])
        .arg(s.path("busy"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(s.path("busy/keep.txt")).unwrap(),
        "mine"
    );
}
