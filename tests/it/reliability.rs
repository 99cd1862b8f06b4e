//! Guarantees that hold across commands (`docs/RELIABILITY.md` lists them with these tests): readers never wait on
//! a writer, input is bounded and non-regular files are refused, the audit fails closed, numeric input never
//! panics, redirects are not followed, and the token never reaches stderr or the database.

use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{Scratch, fixture, stderr, write_catalog};
use crate::fake_tray::{Catalog, FakeTray, Fault, Options, Target};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn night(name: &str) -> PathBuf {
    examples().join("catalog").join(name)
}

/// A home with both example nights (snapshots 1 and 2) and a current search index.
fn two_nights() -> Scratch {
    let s = Scratch::new();
    s.crawl_dir(&night("2026-11-25"));
    s.crawl_dir(&night("2026-11-26"));
    s
}

fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

/// Waits (at most 30 s) until some connection holds the write lock of the database at `db`: a `BEGIN IMMEDIATE`
/// with no busy timeout then fails at once with SQLITE_BUSY.
fn wait_for_write_lock(db: &Path) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.busy_timeout(Duration::ZERO).unwrap();
    loop {
        match conn.execute_batch("BEGIN IMMEDIATE; ROLLBACK;") {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy =>
            {
                return true;
            }
            Err(other) => panic!("probing the write lock: {other}"),
            Ok(()) if Instant::now() > deadline => return false,
            Ok(()) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// Waits for a background run, killing it (and failing the test) if it takes more than `limit`.
fn finish(mut child: Child, limit: Duration, what: &str) -> Output {
    let deadline = Instant::now() + limit;
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!("{what} did not finish within {limit:?}: {}", stderr(&out));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs `trayscope ARGS` in the foreground with a cap on how long it may take (for inputs that used to hang).
fn run_capped(s: &Scratch, args: &[&str], limit: Duration) -> Output {
    let child = s
        .background()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    finish(child, limit, &format!("trayscope {args:?}"))
}

/// Every read command, run while a writer holds the database's write transaction: each must succeed, and see only
/// complete snapshots (1 and 2) whatever the writer has half-done.
fn every_read_command_succeeds(s: &Scratch) {
    let started = Instant::now();
    let snapshots = s.snapshots();
    assert!(
        snapshots
            .iter()
            .filter(|r| r["status"] == "complete")
            .map(|r| r["id"].as_i64().unwrap())
            .eq([1, 2]),
        "{snapshots:?}"
    );
    let reads: &[&[&str]] = &[
        &["diff", "--format", "json"],
        &["audit", "--format", "json", "--fail-on", "never"],
        &["history", "slack", "--format", "json"],
        &["search", "send", "message", "--format", "json"],
    ];
    for args in reads {
        let mut cmd = s.cmd();
        cmd.args(*args);
        if args[0] == "audit" {
            cmd.arg(examples().join("exports"));
        }
        let out = cmd.output().unwrap();
        assert_eq!(
            code(&out),
            Some(0),
            "trayscope {args:?} during a write: {}",
            stderr(&out)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        match args[0] {
            "diff" => assert_eq!(
                (&report["from"]["snapshot"], &report["to"]["snapshot"]),
                (&json!(1), &json!(2))
            ),
            "audit" => assert_eq!(report["snapshot"]["id"], 2, "{report}"),
            _ => {}
        }
    }
    let exported = s.export(None, &format!("export-{}", fastish_id()));
    assert!(exported.join("connectors.json").is_file());
    // Not a timed assertion, a message for whoever breaks this: each read used to wait out the 10 s busy timeout.
    eprintln!("reads during a write took {:?}", started.elapsed());
}

/// A distinct directory name per call in one test.
fn fastish_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::SeqCst)
}

/// Starts `trayscope <command> --api-url FAKE` in the background with its first operations request held, and waits
/// until it holds the write transaction.
fn writer_held_open(s: &Scratch, command: &[&str]) -> (FakeTray, Child) {
    let fake = FakeTray::start(Catalog::from_dir(&night("2026-11-26")), Options::default());
    fake.fault(Target::AnyOperations, Fault::Hold, 1);
    let child = s
        .background()
        .env("TRAY_TOKEN", fake.token())
        .args(command)
        .args(["--api-url", &fake.url(), "--rate-limit", "1000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(fake.wait_for_held(1), "the {command:?} never got going");
    assert!(
        wait_for_write_lock(&s.home().join("catalog.db")),
        "the {command:?} never took the write lock"
    );
    (fake, child)
}

#[test]
fn reads_never_wait_on_a_crawl() {
    let s = two_nights();
    let (fake, child) = writer_held_open(&s, &["crawl", "--json"]);
    every_read_command_succeeds(&s);
    assert_eq!(s.snapshots()[2]["status"], "running");
    fake.release();
    let out = finish(child, Duration::from_secs(60), "the crawl");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(s.complete_snapshots().len(), 3);
}

#[test]
fn reads_never_wait_on_a_nightly() {
    let s = two_nights();
    let reports = s.path("reports");
    let (fake, child) = writer_held_open(
        &s,
        &["nightly", "--json", "--reports", reports.to_str().unwrap()],
    );
    every_read_command_succeeds(&s);
    fake.release();
    let out = finish(child, Duration::from_secs(60), "the nightly");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(s.complete_snapshots().len(), 3);
}

/// Prune deletes a snapshot's rows inside one IMMEDIATE transaction; here a test connection does the same and keeps
/// it open, which a real prune cannot be made to do on cue.
#[test]
fn reads_never_wait_on_an_open_prune_transaction() {
    let s = two_nights();
    let s3 = s.crawl_dir(&night("2026-11-26"));
    assert_eq!(s3["snapshot"], 3);
    let conn = rusqlite::Connection::open(s.home().join("catalog.db")).unwrap();
    conn.execute_batch(
        "BEGIN IMMEDIATE;
         DELETE FROM snapshot_members WHERE snapshot = 3;
         DELETE FROM snapshots WHERE id = 3;",
    )
    .unwrap();
    // Readers see all three snapshots: the deletion is not committed.
    let snapshots = s.snapshots();
    assert_eq!(snapshots.len(), 3, "{snapshots:?}");
    let out = s.cmd().args(["diff", "--format", "json"]).output().unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (&report["from"]["snapshot"], &report["to"]["snapshot"]),
        (&json!(2), &json!(3))
    );
    for args in [
        &["history", "slack", "--format", "json"][..],
        &["search", "send", "message"][..],
    ] {
        let out = s.cmd().args(args).output().unwrap();
        assert_eq!(code(&out), Some(0), "{args:?}: {}", stderr(&out));
    }
    let out = s
        .cmd()
        .args(["audit", "--fail-on", "never"])
        .arg(examples().join("exports"))
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    s.export(None, "during-prune");
    conn.execute_batch("ROLLBACK").unwrap();
}

// ---------------------------------------------------------------------------------------------------------------
// Non-regular files and bounded reads

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo");
    assert!(status.success());
}

/// A catalog directory copied from the fixture `tiny`, returned with the path of one operations file in it.
fn tiny_copy(s: &Scratch, rel: &str) -> (PathBuf, PathBuf) {
    let dir = s.path(rel);
    write_catalog(&Catalog::from_dir(&fixture("tiny")), &dir);
    let ops = dir.join("operations/slack/9.1.json");
    assert!(ops.is_file());
    (dir, ops)
}

const CAP: Duration = Duration::from_secs(60);

#[test]
fn from_dir_refuses_a_fifo_naming_it() {
    let s = Scratch::new();
    let (dir, ops) = tiny_copy(&s, "cat");
    std::fs::remove_file(&ops).unwrap();
    mkfifo(&ops);
    let out = run_capped(&s, &["crawl", "--from-dir", dir.to_str().unwrap()], CAP);
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("slack/9.1.json"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.snapshots()[0]["status"], "failed");
}

#[test]
fn from_dir_refuses_a_link_to_dev_zero_naming_it() {
    let s = Scratch::new();
    let (dir, _) = tiny_copy(&s, "cat");
    let listing = dir.join("connectors.json");
    std::fs::remove_file(&listing).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &listing).unwrap();
    let out = run_capped(&s, &["crawl", "--from-dir", dir.to_str().unwrap()], CAP);
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("connectors.json"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn from_dir_accepts_a_byte_order_mark() {
    let s = Scratch::new();
    let (dir, ops) = tiny_copy(&s, "cat");
    for file in [dir.join("connectors.json"), ops] {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(std::fs::read(&file).unwrap());
        std::fs::write(&file, bytes).unwrap();
    }
    let summary = s.crawl_dir(&dir);
    assert_eq!(summary["connector_versions"], 5);
}

fn write_export(path: &Path) {
    std::fs::copy(examples().join("exports/sms-digest.workflow.json"), path).unwrap();
}

#[test]
fn audit_refuses_a_fifo_or_a_device_given_as_a_path() {
    let s = two_nights();
    mkfifo(&s.path("pipe.json"));
    std::os::unix::fs::symlink("/dev/zero", s.path("zero.json")).unwrap();
    for name in ["pipe.json", "zero.json"] {
        let out = run_capped(&s, &["audit", name], CAP);
        assert_eq!(code(&out), Some(2), "{name}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("{name}: not a regular file")),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn audit_fails_closed_on_unreadable_entries_in_a_directory() {
    let s = two_nights();
    let dir = s.path("exports");
    std::fs::create_dir_all(&dir).unwrap();
    write_export(&dir.join("good.workflow.json"));
    std::os::unix::fs::symlink("missing-target.json", dir.join("dangling.json")).unwrap();
    std::os::unix::fs::symlink("loop.json", dir.join("loop.json")).unwrap();
    mkfifo(&dir.join("pipe.json"));
    let out = run_capped(&s, &["audit", "--fail-on", "never", "exports"], CAP);
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    for name in ["dangling.json", "loop.json", "pipe.json"] {
        assert!(
            stderr(&out).contains(&format!("exports/{name}")),
            "{name} is not named: {}",
            stderr(&out)
        );
    }
    assert!(
        !stderr(&out).contains("good.workflow.json"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn audit_names_every_missing_path() {
    let s = two_nights();
    write_export(&s.path("present.json"));
    let out = s
        .cmd()
        .args([
            "audit",
            "first-missing",
            "present.json",
            "second-missing.json",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(2));
    for name in ["first-missing", "second-missing.json"] {
        assert!(
            stderr(&out).contains(&format!("{name}: no such file or directory")),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn the_ignore_file_must_be_a_regular_file() {
    let s = two_nights();
    mkfifo(&s.path("ignore.toml"));
    let exports = examples().join("exports");
    let out = run_capped(
        &s,
        &[
            "audit",
            "--ignore-file",
            "ignore.toml",
            exports.to_str().unwrap(),
        ],
        CAP,
    );
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("ignore.toml"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn schema_diff_refuses_a_fifo_and_a_device() {
    let s = Scratch::new();
    std::fs::write(s.path("old.json"), r#"{"type": "string"}"#).unwrap();
    mkfifo(&s.path("pipe.json"));
    std::os::unix::fs::symlink("/dev/zero", s.path("zero.json")).unwrap();
    for name in ["pipe.json", "zero.json"] {
        let out = run_capped(
            &s,
            &["schema-diff", "old.json", name, "--direction", "input"],
            CAP,
        );
        assert_eq!(code(&out), Some(2), "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains(name), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("not a regular file"),
            "{}",
            stderr(&out)
        );
    }
}

/// Error messages quote what they refuse, but never a whole 200 KB line of it.
#[test]
fn error_messages_cut_long_input_lines() {
    let long = "x".repeat(200_000);
    let short_enough = |out: &Output, what: &str| {
        assert_eq!(code(out), Some(2), "{what}");
        let err = stderr(out);
        assert!(
            err.len() < 3_000,
            "{what}: {} bytes of error: {}…",
            err.len(),
            &err[..300]
        );
        assert!(err.contains('…'), "{what}: the cut is shown: {err}");
    };
    // A TOML line the ignore-file parser quotes back.
    let s = two_nights();
    std::fs::write(
        s.path("ignore.toml"),
        format!("[[ignore]]\nconnector = \"slack\"\nreason = \"r\" {long}\n"),
    )
    .unwrap();
    let out = s
        .cmd()
        .args(["audit", "--ignore-file", "ignore.toml"])
        .arg(examples().join("exports"))
        .output()
        .unwrap();
    short_enough(&out, "ignore file");
    assert!(stderr(&out).contains("ignore.toml"), "{}", &stderr(&out));
    // The same in trayscope.toml.
    std::fs::write(
        s.home().join("trayscope.toml"),
        format!("region = \"us\" {long}\n"),
    )
    .unwrap();
    let out = s.cmd().args(["diff"]).output().unwrap();
    short_enough(&out, "trayscope.toml");
    std::fs::remove_file(s.home().join("trayscope.toml")).unwrap();
    // A catalog value (a version string) the model refuses.
    let mut catalog = Catalog::from_dir(&fixture("tiny"));
    catalog.connectors["elements"][0]["version"] = json!(format!("9.{long}"));
    let s = Scratch::new();
    write_catalog(&catalog, &s.path("cat"));
    let out = s
        .cmd()
        .args(["crawl", "--from-dir"])
        .arg(s.path("cat"))
        .output()
        .unwrap();
    short_enough(&out, "catalog");
    let stored = s.snapshots()[0]["error"].as_str().unwrap().to_owned();
    assert!(stored.len() < 3_000, "{} bytes stored", stored.len());
    // A server's error message.
    let fake = FakeTray::start(Catalog::from_dir(&fixture("tiny")), Options::default());
    fake.fault(Target::Listing, Fault::Message(400, long.clone()), 1);
    let s = Scratch::new();
    short_enough(&crawl_fake(&s, &fake), "server message");
}

// ---------------------------------------------------------------------------------------------------------------
// Numeric input

#[test]
fn an_enormous_wait_is_refused_at_parse_time_not_a_panic() {
    let s = Scratch::new();
    let out = s
        .cmd()
        .args(["nightly", "--wait", "18446744073709551615s", "--reports"])
        .arg(s.path("reports"))
        .arg("--from-dir")
        .arg(fixture("tiny"))
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--wait") && stderr(&out).contains("7d"),
        "{}",
        stderr(&out)
    );
    assert!(!s.home().join("catalog.db").exists(), "nothing ran");
}

#[test]
fn rate_limits_out_of_range_are_refused_at_parse_time() {
    let fake = FakeTray::start(Catalog::from_dir(&fixture("tiny")), Options::default());
    for value in ["1e-300", "1e-19", "0.001", "1e9", "NaN", "inf", "-1"] {
        // The flag.
        let s = Scratch::new();
        let out = s
            .cmd()
            .env("TRAY_TOKEN", fake.token())
            .args(["crawl", "--api-url", &fake.url()])
            .arg(format!("--rate-limit={value}"))
            .output()
            .unwrap();
        assert_eq!(
            code(&out),
            Some(2),
            "--rate-limit {value}: {}",
            stderr(&out)
        );
        assert!(stderr(&out).contains("0.01"), "{value}: {}", stderr(&out));
        // The environment.
        let out = s
            .cmd()
            .env("TRAY_TOKEN", fake.token())
            .env("TRAYSCOPE_RATE_LIMIT", value)
            .args(["crawl", "--api-url", &fake.url()])
            .output()
            .unwrap();
        assert_eq!(
            code(&out),
            Some(2),
            "TRAYSCOPE_RATE_LIMIT={value}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("TRAYSCOPE_RATE_LIMIT"),
            "{}",
            stderr(&out)
        );
        // The file (TOML has no NaN spelled that way: nan, inf).
        let toml_value = match value {
            "NaN" => "nan",
            v => v,
        };
        std::fs::create_dir_all(s.home()).unwrap();
        std::fs::write(
            s.home().join("trayscope.toml"),
            format!("rate_limit = {toml_value}\n"),
        )
        .unwrap();
        let out = s
            .cmd()
            .env("TRAY_TOKEN", fake.token())
            .args(["crawl", "--api-url", &fake.url()])
            .output()
            .unwrap();
        assert_eq!(
            code(&out),
            Some(2),
            "rate_limit = {value}: {}",
            stderr(&out)
        );
        assert!(stderr(&out).contains("rate_limit"), "{}", stderr(&out));
        assert!(
            !s.home().join("catalog.db").exists(),
            "no crawl was started"
        );
    }
    assert_eq!(fake.requests(), 0);
}

#[test]
fn enormous_timeouts_and_backoffs_are_refused_and_the_largest_accepted_do_not_panic() {
    let fake = FakeTray::start(Catalog::from_dir(&fixture("tiny")), Options::default());
    fake.fault(Target::Listing, Fault::Status(500), 1);
    let s = Scratch::new();
    for (flag, value) in [
        ("--timeout", "18446744073709551615"),
        ("--backoff-ms", "18446744073709551615"),
    ] {
        let out = s
            .cmd()
            .env("TRAY_TOKEN", fake.token())
            .args(["crawl", "--api-url", &fake.url(), flag, value])
            .output()
            .unwrap();
        assert_eq!(code(&out), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(flag), "{}", stderr(&out));
    }
    assert!(
        !s.home().join("catalog.db").exists(),
        "refused before crawling"
    );
    let out = s
        .cmd()
        .env("TRAY_TOKEN", fake.token())
        .args([
            "crawl",
            "--api-url",
            &fake.url(),
            "--timeout",
            "86400",
            "--backoff-ms",
            "600000",
            "--max-attempts",
            "1",
        ])
        .output()
        .unwrap();
    // One attempt: the 500 fails the crawl cleanly (exit 2), with no panic on the way.
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert_eq!(s.snapshots()[0]["status"], "failed");
}

// ---------------------------------------------------------------------------------------------------------------
// Redirects, redaction, URLs

fn crawl_fake(s: &Scratch, fake: &FakeTray) -> Output {
    s.cmd()
        .env("TRAY_TOKEN", fake.token())
        .args([
            "crawl",
            "--api-url",
            &fake.url(),
            "--backoff-ms",
            "1",
            "--max-attempts",
            "2",
            "--rate-limit",
            "1000",
        ])
        .output()
        .unwrap()
}

#[test]
fn redirects_are_not_followed() {
    let fake = FakeTray::start(Catalog::from_dir(&fixture("tiny")), Options::default());
    let elsewhere = FakeTray::start(Catalog::from_dir(&fixture("tiny")), Options::default());
    // Same origin (a path on the same server) and another origin: neither is followed.
    let cases = [
        "/core/v1/connectors?moved=1".to_owned(),
        format!("{}/core/v1/connectors", elsewhere.url()),
    ];
    for location in cases {
        fake.fault(Target::Listing, Fault::Redirect(302, location.clone()), 1);
        let s = Scratch::new();
        let before = fake.requests();
        let out = crawl_fake(&s, &fake);
        assert_eq!(code(&out), Some(2), "{location}: {}", stderr(&out));
        assert!(stderr(&out).contains("redirect"), "{}", stderr(&out));
        assert!(stderr(&out).contains(&location), "{}", stderr(&out));
        assert_eq!(
            fake.requests(),
            before + 1,
            "the redirect was not retried or followed"
        );
        assert_eq!(s.snapshots()[0]["status"], "failed");
    }
    assert_eq!(elsewhere.requests(), 0);
}

#[test]
fn the_token_is_redacted_from_server_messages() {
    let token = "s3cr3t-T0KEN-abcdef123456";
    // 400 and 401 fail at once; a 500 is retried (twice here) before it does.
    for (status, times) in [(400, 1), (500, 100), (401, 1)] {
        let fake = FakeTray::start(
            Catalog::from_dir(&fixture("tiny")),
            Options {
                token: token.into(),
                ..Options::default()
            },
        );
        fake.fault(
            Target::AnyOperations,
            Fault::EchoAuthorization(status),
            times,
        );
        let s = Scratch::new();
        let out = crawl_fake(&s, &fake);
        assert_eq!(code(&out), Some(2), "{status}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("Authorization:"), "the message is kept: {err}");
        assert!(!err.contains(token), "{status}: the token on stderr: {err}");
        assert!(err.contains("Bearer ***"), "{err}");
        let snapshots = serde_json::to_string(&s.snapshots()).unwrap();
        assert!(snapshots.contains("Authorization:"), "{snapshots}");
        assert!(
            !snapshots.contains(token),
            "{status}: the token stored: {snapshots}"
        );
        for file in std::fs::read_dir(s.home()).unwrap() {
            let path = file.unwrap().path();
            if path.is_file() {
                let bytes = std::fs::read(&path).unwrap();
                assert!(
                    !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
                    "the token is in {}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn dot_names_cannot_reach_another_endpoint() {
    let mut catalog = Catalog::from_dir(&fixture("tiny"));
    let mut elements = catalog.connectors["elements"].as_array().unwrap().clone();
    let mut dots = elements[0].clone();
    dots["name"] = json!("..");
    let original = (
        elements[0]["name"].as_str().unwrap().to_owned(),
        elements[0]["version"].as_str().unwrap().to_owned(),
    );
    let operations = catalog.operations[&original].clone();
    catalog
        .operations
        .insert(("..".into(), original.1.clone()), operations);
    elements.push(dots);
    catalog.connectors["elements"] = Value::Array(elements);
    let fake = FakeTray::start(catalog, Options::default());
    let s = Scratch::new();
    let out = crawl_fake(&s, &fake);
    // Whatever happens to a version named "..", no request leaves /core/v1/connectors/<name>/versions/….
    for path in fake.paths() {
        assert!(
            path == "/core/v1/connectors" || path.starts_with("/core/v1/connectors/"),
            "{path}"
        );
        assert!(
            !path.split('/').any(|seg| seg == ".." || seg == "."),
            "{path}"
        );
    }
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("\"..\""), "{}", stderr(&out));
}

#[test]
fn an_api_url_with_a_fragment_or_query_is_refused() {
    let fake = FakeTray::start(Catalog::from_dir(&fixture("tiny")), Options::default());
    for suffix in ["/#frag", "/base#", "/?", "/?a=b"] {
        let s = Scratch::new();
        let url = format!("{}{suffix}", fake.url());
        let out = s
            .cmd()
            .env("TRAY_TOKEN", fake.token())
            .args(["crawl", "--api-url", &url])
            .output()
            .unwrap();
        assert_eq!(code(&out), Some(2), "{url}: {}", stderr(&out));
        assert!(stderr(&out).contains("--api-url"), "{}", stderr(&out));
    }
    assert_eq!(fake.requests(), 0);
}
