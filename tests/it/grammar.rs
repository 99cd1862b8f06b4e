//! The command grammar, the same for every command: `--format json` (and the old `--json`) prints JSON of the
//! documented shape, `--config` naming no file is exit 2 for any command, logs through a pipe carry no escape
//! codes, summaries reach cron logs, and the messages people hit say what to do.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

use crate::common::{Scratch, stderr};
use crate::fake_tray::{Catalog, FakeTray, Fault, Options, Target};

fn examples(night: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/catalog")
        .join(night)
}

fn exports() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/exports")
}

/// A home with both sample nights crawled.
fn two_nights() -> Scratch {
    let s = Scratch::new();
    s.crawl_dir(&examples("2026-11-25"));
    s.crawl_dir(&examples("2026-11-26"));
    s
}

/// Runs a command that must print JSON on stdout (its exit code is checked by the caller's `expect`).
fn json_of(s: &Scratch, args: &[&str], expect: i32) -> Value {
    let out = s.cmd().args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(expect),
        "trayscope {args:?}: {}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "trayscope {args:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

#[test]
fn every_printing_command_prints_documented_json_with_format_json() {
    let s = two_nights();
    let night = examples("2026-11-26");
    let night = night.to_str().unwrap();

    let crawl = json_of(&s, &["crawl", "--from-dir", night, "--format", "json"], 0);
    assert_eq!(
        keys(&crawl),
        [
            "connector_versions",
            "connectors",
            "duration_ms",
            "operations",
            "requests",
            "retries",
            "snapshot"
        ]
    );
    let snapshots = json_of(&s, &["snapshots", "--format", "json"], 0);
    assert_eq!(snapshots.as_array().map(Vec::len), Some(3));
    assert_eq!(
        keys(&snapshots[0]),
        [
            "connector_versions",
            "error",
            "finished_at",
            "id",
            "operations",
            "source",
            "started_at",
            "status"
        ]
    );
    let index = json_of(&s, &["index", "--format", "json"], 0);
    assert_eq!(index["snapshot"], 3);
    let prune = json_of(
        &s,
        &["prune", "--keep", "10", "--dry-run", "--format", "json"],
        0,
    );
    assert_eq!(prune["dry_run"], true);
    assert_eq!(prune["deleted_snapshots"], serde_json::json!([]));
    let out = s.path("exported");
    let export = json_of(
        &s,
        &[
            "export",
            "--snapshot",
            "2",
            "--out",
            out.to_str().unwrap(),
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(
        keys(&export),
        ["connector_versions", "operations", "snapshot"]
    );
    assert_eq!(export["snapshot"], 2);
    let diff = json_of(
        &s,
        &["diff", "--from", "1", "--to", "2", "--format", "json"],
        0,
    );
    assert_eq!(
        keys(&diff),
        ["changes", "from", "policy", "summary", "sunsets", "to"]
    );
    assert_eq!(diff["sunsets"], serde_json::json!([]), "no policy here");
    assert_eq!(diff["from"]["snapshot"], 1);
    let search = json_of(&s, &["search", "send", "sms", "--format", "json"], 0);
    assert_eq!(search["query"], "send sms");
    assert!(search["hits"].as_array().is_some_and(|h| !h.is_empty()));
    let history = json_of(&s, &["history", "hubspot", "--format", "json"], 0);
    assert_eq!(history["connector"], "hubspot");
    let input = s.path("input.json");
    std::fs::write(&input, r#"{"channel": "C1", "text": "hi"}"#).unwrap();
    let validate = json_of(
        &s,
        &[
            "validate",
            "slack",
            "send_message",
            "--input",
            input.to_str().unwrap(),
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(
        keys(&validate),
        [
            "connector",
            "errors",
            "operation",
            "relaxed",
            "snapshot",
            "valid",
            "version"
        ]
    );
    let audit = json_of(
        &s,
        &["audit", exports().to_str().unwrap(), "--format", "json"],
        1,
    );
    assert_eq!(audit["summary"]["failed"], true);
    let nightly = json_of(
        &s,
        &[
            "nightly",
            "--from-dir",
            night,
            "--reports",
            s.path("reports").to_str().unwrap(),
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(
        keys(&nightly),
        [
            "breaking",
            "breaking_changes",
            "crawl",
            "from",
            "reported",
            "reports",
            "snapshot"
        ]
    );
    let schema = s.path("schema.json");
    std::fs::write(&schema, r#"{"type": "string"}"#).unwrap();
    let schema = schema.to_str().unwrap();
    let schema_diff = json_of(
        &s,
        &[
            "schema-diff",
            schema,
            schema,
            "--direction",
            "input",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(keys(&schema_diff), ["breaking", "changes", "direction"]);
}

#[test]
fn the_old_json_flag_still_works_where_it_existed() {
    let s = two_nights();
    for args in [
        vec!["snapshots", "--json"],
        vec!["index", "--json"],
        vec!["prune", "--keep", "5", "--dry-run", "--json"],
        vec!["diff", "--json"],
    ] {
        let value = json_of(&s, &args, 0);
        assert!(value.is_object() || value.is_array(), "{args:?}");
    }
    let out = s
        .cmd()
        .args(["snapshots", "--json", "--format", "human"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "--json and --format conflict");
}

#[test]
fn a_config_file_that_does_not_exist_is_exit_2_naming_it_for_every_command() {
    let s = two_nights();
    let missing = s.path("missing.toml");
    let night = examples("2026-11-26");
    let commands: Vec<Vec<&str>> = vec![
        vec!["crawl", "--from-dir", night.to_str().unwrap()],
        vec!["snapshots"],
        vec!["export", "--out", "x"],
        vec!["diff"],
        vec!["nightly", "--from-dir", night.to_str().unwrap()],
        vec!["schema-diff", "a.json", "b.json", "--direction", "input"],
        vec!["audit", "exports"],
        vec!["search", "sms"],
        vec!["index"],
        vec!["prune", "--keep", "1"],
        vec!["history", "hubspot"],
        vec!["validate", "slack", "send_message", "--input", "in.json"],
        vec!["call", "slack", "send_message", "--auth-id", "a"],
        vec!["completions", "bash"],
        vec!["man-pages", "man"],
    ];
    for args in commands {
        let out = s
            .cmd()
            .arg("--config")
            .arg(&missing)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?} printed something");
        assert!(
            stderr(&out).contains("missing.toml"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // Nothing ran: no third snapshot, no export, no reports.
    assert_eq!(s.snapshots().len(), 2);
    assert!(!s.path("x").exists() && !s.path("reports").exists());
}

#[test]
fn logs_written_through_a_pipe_carry_no_escape_codes_unless_asked() {
    let s = Scratch::new();
    let night = examples("2026-11-25");
    let piped = s
        .cmd()
        .args(["-v", "crawl", "--from-dir"])
        .arg(&night)
        .output()
        .unwrap();
    assert!(piped.status.success(), "{}", stderr(&piped));
    let log = stderr(&piped);
    assert!(log.contains("INFO"), "-v shows routine events: {log}");
    assert!(
        !log.contains('\u{1b}'),
        "escape codes in a piped log: {log:?}"
    );

    // The check above could fail: asked for colour, the same log has it.
    let forced = s
        .cmd()
        .args(["-v", "--color", "always", "crawl", "--from-dir"])
        .arg(&night)
        .output()
        .unwrap();
    assert!(stderr(&forced).contains('\u{1b}'));
}

#[test]
fn crawl_and_nightly_print_one_summary_line_on_a_piped_stderr_unless_quiet() {
    let s = Scratch::new();
    let night = examples("2026-11-25");
    let out = s
        .cmd()
        .arg("crawl")
        .arg("--from-dir")
        .arg(&night)
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("snapshot 1 complete: "), "{err}");
    assert!(out.stdout.is_empty());

    let quiet = s
        .cmd()
        .args(["-q", "nightly", "--reports"])
        .arg(s.path("reports"))
        .arg("--from-dir")
        .arg(&night)
        .output()
        .unwrap();
    assert!(quiet.status.success(), "{}", stderr(&quiet));
    assert!(quiet.stderr.is_empty(), "{}", stderr(&quiet));
    assert!(s.path("reports").join("latest.json").is_file());

    let loud = s
        .cmd()
        .args(["nightly", "--reports"])
        .arg(s.path("reports"))
        .arg("--from-dir")
        .arg(&night)
        .output()
        .unwrap();
    let err = stderr(&loud);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("compared with snapshot 2: 0 breaking changes"),
        "{err}"
    );
}

#[test]
fn diff_with_one_snapshot_says_how_many_there_are_and_what_to_run() {
    let s = Scratch::new();
    s.crawl_dir(&examples("2026-11-25"));
    let out = s.cmd().arg("diff").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("is only one (snapshot 1)"), "{err}");
    assert!(err.contains("run `trayscope crawl`"), "{err}");
}

#[test]
fn flags_after_a_query_given_after_the_separator_are_read_as_flags() {
    let s = two_nights();
    let value = json_of(
        &s,
        &[
            "search",
            "--",
            "-deprecated",
            "message",
            "--limit",
            "1",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(value["query"], "-deprecated message");
    assert!(value["hits"].as_array().is_some_and(|h| h.len() <= 1));
}

#[test]
fn the_lock_message_says_how_long_it_waited_and_never_0ns() {
    let s = Scratch::new();
    std::fs::create_dir_all(s.home()).unwrap();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(s.home().join("writer.lock"))
        .unwrap();
    lock.try_lock().unwrap();
    let night = examples("2026-11-25");
    let at_once = s
        .cmd()
        .arg("nightly")
        .arg("--from-dir")
        .arg(&night)
        .output()
        .unwrap();
    let err = stderr(&at_once);
    assert_eq!(at_once.status.code(), Some(2));
    assert!(err.contains("Pass --wait 10m to wait for it"), "{err}");
    assert!(!err.contains("0ns"), "{err}");
    let waited = s
        .cmd()
        .args(["nightly", "--wait", "1s", "--from-dir"])
        .arg(&night)
        .output()
        .unwrap();
    assert!(
        stderr(&waited).contains("still held after waiting 1s"),
        "{}",
        stderr(&waited)
    );
    let too_long = s
        .cmd()
        .args(["nightly", "--wait", "18446744073709551615s", "--from-dir"])
        .arg(&night)
        .output()
        .unwrap();
    assert_eq!(too_long.status.code(), Some(2));
    assert!(
        stderr(&too_long).contains("--wait"),
        "{}",
        stderr(&too_long)
    );
}

#[test]
fn an_empty_token_file_is_named() {
    let s = Scratch::new();
    let token = s.path("token");
    std::fs::write(&token, "  \n").unwrap();
    let out = s
        .cmd()
        .args(["crawl", "--api-url", "http://127.0.0.1:9", "--token-file"])
        .arg(&token)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("the token file {}", token.display())) && err.contains("empty"),
        "{err}"
    );
}

#[test]
fn search_while_the_first_crawl_runs_says_a_crawl_is_in_progress() {
    let fake = FakeTray::start(
        Catalog::from_dir(&examples("2026-11-25")),
        Options::default(),
    );
    fake.fault(
        Target::AnyOperations,
        Fault::Slow(Duration::from_secs(120)),
        1_000,
    );
    let s = Scratch::new();
    let mut crawl = s
        .background()
        .args(["crawl", "--api-url", &fake.url()])
        .env("TRAY_TOKEN", fake.token())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(fake.wait_for_requests(2), "the crawl never started");
    let out = s.cmd().args(["search", "send", "sms"]).output().unwrap();
    let _ = crawl.kill();
    let _ = crawl.wait();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("snapshot 1") && err.contains("still running"),
        "{err}"
    );
}

#[test]
fn a_gate_keeps_its_exit_code_when_its_reader_closes_the_pipe() {
    let s = two_nights();
    let mut child = s
        .background()
        .args(["audit"])
        .arg(exports())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Like `| head -0`: the reader is gone before anything is written.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the gate failed, and a closed pipe must not turn that into success: {}",
        stderr(&out)
    );
    // A command that is not a gate ends 0 the same way.
    let mut child = s
        .background()
        .args(["search", "message"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn version_names_the_commit_when_built_from_a_checkout() {
    let s = Scratch::new();
    let out = s.cmd().arg("--version").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.starts_with("trayscope 0."), "{text}");
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    if let Ok(head) = head
        && head.status.success()
    {
        let commit = String::from_utf8_lossy(&head.stdout).trim().to_owned();
        assert!(text.contains(&commit), "{text} does not name {commit}");
    }
}

#[test]
fn man_pages_are_written_for_every_command() {
    let s = Scratch::new();
    let dir = s.path("man");
    let out = s.cmd().arg("man-pages").arg(&dir).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    for page in ["trayscope.1", "trayscope-audit.1", "trayscope-search.1"] {
        let text = std::fs::read_to_string(dir.join(page)).unwrap();
        assert!(text.contains(".TH"), "{page}: {text}");
    }
    assert!(!dir.join("trayscope-help.1").exists());
}
