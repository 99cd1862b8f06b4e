//! `trayscope validate`, `trayscope call` against the fake Tray API, and the audit's literal value check, on the
//! fixtures in `tests/fixtures/validate/` (their README says what each is for).

use std::io::{Read, Write};
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{Scratch, fixture, stderr};
use crate::fake_tray::{CallFault, Catalog, FakeTray, Options};

const TOKEN: &str = "s3cr3t-call-token";
const AUTH: &str = "5f0c2a1e-8b7d-4e6f-9a3b-2c1d0e9f8a7b";

/// A scratch home holding the fixture catalog (snapshot 1).
fn crawled() -> Scratch {
    let s = Scratch::new();
    s.crawl_dir(&fixture("validate/catalog"));
    s
}

fn run(s: &Scratch, args: &[&str], input: &str) -> Output {
    s.cmd()
        .args(args)
        .write_stdin(input.as_bytes().to_vec())
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

fn published(name: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_slice(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("docs")
                .join(name),
        )
        .unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("docs/{name}: {e}"))
}

fn assert_fits(validator: &jsonschema::Validator, value: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{value:#}");
}

// ---- validate ----

#[test]
fn validate_reports_every_error_at_once_and_exits_1() {
    let s = crawled();
    let input =
        r#"{"channel": 42, "as_usr": true, "options": {"retries": -1}, "tags": ["a", "a"]}"#;
    let out = run(&s, &["validate", "notify", "send_message"], input);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "invalid input for notify 2.0 `send_message` (snapshot 1): 6 errors\n\
         \x20 `/as_usr`: not allowed here; did you mean `as_user`?  (schema: /additionalProperties)\n\
         \x20 `/channel`: expected a string, found 42  (schema: /properties/channel/type)\n\
         \x20 `/options`: missing required property `mode`  (schema: /definitions/options/required)\n\
         \x20 `/options/retries`: -1 is less than the minimum 0  (schema: /definitions/options/properties/retries/minimum)\n\
         \x20 `/tags`: the items must all be different  (schema: /properties/tags/uniqueItems)\n\
         \x20 missing required property `text`  (schema: /required)\n"
    );

    let out = run(
        &s,
        &["validate", "notify", "send_message", "--format", "json"],
        input,
    );
    assert_eq!(code(&out), 1);
    let verdict: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_fits(&published("validate.schema.json"), &verdict);
    assert_eq!(verdict["valid"], false);
    assert_eq!(verdict["version"], "2.0");
    assert_eq!(verdict["snapshot"], 1);
    let pointers: Vec<(&str, &str)> = verdict["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["pointer"].as_str().unwrap(),
                e["schema_pointer"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pointers,
        [
            ("/as_usr", "/additionalProperties"),
            ("/channel", "/properties/channel/type"),
            ("/options/mode", "/definitions/options/required"),
            (
                "/options/retries",
                "/definitions/options/properties/retries/minimum"
            ),
            ("/tags", "/properties/tags/uniqueItems"),
            ("/text", "/required"),
        ]
    );
}

#[test]
fn a_valid_input_exits_0_and_the_version_decides_the_schema() {
    let s = crawled();
    // 15 characters: within 1.0's maxLength of 20, beyond 2.0's 10.
    let input = r#"{"channel": "C1", "text": "You are on call", "priority": "low"}"#;
    let out = run(
        &s,
        &["validate", "notify", "send_message", "--version", "1.0"],
        input,
    );
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(
        stdout(&out),
        "valid input for notify 1.0 `send_message` (snapshot 1)\n"
    );
    // Without --version: the newest, 2.0, which rejects both.
    let out = run(
        &s,
        &["validate", "notify", "send_message", "--format", "json"],
        input,
    );
    assert_eq!(code(&out), 1);
    let verdict: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["version"], "2.0");
    assert_eq!(verdict["errors"].as_array().unwrap().len(), 2);

    // --input FILE, --out FILE, and a type JSON Schema does not have (relaxed to "any value", with a warning).
    std::fs::write(
        s.path("upload.json"),
        r#"{"name": "timeline.csv", "file": {"url": "https://x"}}"#,
    )
    .unwrap();
    let out = s
        .cmd()
        .args([
            "validate",
            "notify",
            "upload_file",
            "--format",
            "json",
            "--input",
        ])
        .arg(s.path("upload.json"))
        .arg("--out")
        .arg(s.path("verdict.json"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("warning: the stored input schema names types JSON Schema does not have at /properties/file/type"),
        "{}",
        stderr(&out)
    );
    let verdict: Value =
        serde_json::from_slice(&std::fs::read(s.path("verdict.json")).unwrap()).unwrap();
    assert_fits(&published("validate.schema.json"), &verdict);
    assert_eq!(verdict["relaxed"], json!(["/properties/file/type"]));
    assert_eq!(verdict["valid"], true);
}

#[test]
fn unknown_names_exit_2_and_suggest_close_ones() {
    let s = crawled();
    let cases: &[(&[&str], &str)] = &[
        (
            &["validate", "notfy", "send_message"],
            "snapshot 1 has no connector named \"notfy\" (did you mean notify?)",
        ),
        (
            &["validate", "notify", "send_mesage"],
            "notify 2.0 has no operation \"send_mesage\" in snapshot 1 (did you mean send_message?)",
        ),
        (
            &["validate", "notify", "send_message", "--version", "3.0"],
            "notify has no version 3.0 in snapshot 1; it has 1.0, 2.0",
        ),
        (
            &["validate", "notify", "send_message", "--version", "latest"],
            "--version \"latest\" is not a \"major.minor\" version",
        ),
        (
            &["validate", "notify", "send_message", "--snapshot", "9"],
            "no snapshot 9",
        ),
    ];
    for (args, expected) in cases {
        let out = run(&s, args, "{}");
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn input_that_is_not_json_exits_2_naming_line_and_column() {
    let s = crawled();
    std::fs::write(s.path("bad.json"), "{\n  \"channel\": C1\n}\n").unwrap();
    let out = s
        .cmd()
        .args(["validate", "notify", "send_message", "--input"])
        .arg(s.path("bad.json"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("bad.json: not valid JSON: expected value (line 2, column 14)"),
        "{err}"
    );
    let out = run(
        &s,
        &["validate", "notify", "send_message", "--input", "-"],
        "",
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("stdin: not valid JSON: it is empty"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn validate_without_a_catalog_exits_2() {
    let s = Scratch::new();
    let out = run(&s, &["validate", "notify", "send_message"], "{}");
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("crawl"), "{}", stderr(&out));
}

// ---- call ----

fn fake() -> FakeTray {
    FakeTray::start(
        Catalog::from_dir(&fixture("validate/catalog")),
        Options {
            token: TOKEN.into(),
            ..Options::default()
        },
    )
}

/// `call CONNECTOR OPERATION --auth-id AUTH --api-url FAKE` with fast retries, the token in the environment and
/// `input` on stdin.
fn call(s: &Scratch, fake_url: &str, args: &[&str], input: &str) -> Output {
    let out = s
        .cmd()
        .env("TRAY_TOKEN", TOKEN)
        .args(["call"])
        .args(args)
        .args([
            "--auth-id",
            AUTH,
            "--api-url",
            fake_url,
            "--backoff-ms",
            "1",
        ])
        .write_stdin(input.as_bytes().to_vec())
        .output()
        .unwrap();
    assert!(
        !stdout(&out).contains(TOKEN) && !stderr(&out).contains(TOKEN),
        "the token was printed"
    );
    out
}

const VALID: &str = r#"{"channel": "C1", "text": "deploy ok", "priority": "high"}"#;

#[test]
fn invalid_input_is_never_sent() {
    let s = crawled();
    let fake = fake();
    let out = call(
        &s,
        &fake.url(),
        &["notify", "send_message"],
        r#"{"channel": 42}"#,
    );
    assert_eq!(code(&out), 1);
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.starts_with("error: the input does not fit notify 2.0 `send_message` (snapshot 1); nothing was sent: 2 errors\n"),
        "{err}"
    );
    assert!(
        err.contains("`/channel`: expected a string, found 42"),
        "{err}"
    );
    assert!(err.contains("missing required property `text`"), "{err}");
    assert_eq!(fake.requests(), 0, "{:?}", fake.calls());
    assert!(fake.calls().is_empty());
}

#[test]
fn a_call_sends_trays_body_and_prints_the_output() {
    let s = crawled();
    let fake = fake();
    fake.call_fault(
        CallFault::Output(json!({"ok": true, "ts": "1700000000.0001"})),
        1,
    );
    let out = call(&s, &fake.url(), &["notify", "send_message"], VALID);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Not a terminal: one line.
    assert_eq!(stdout(&out), "{\"ok\":true,\"ts\":\"1700000000.0001\"}\n");
    assert_eq!(stderr(&out), "", "no drift, no noise");
    let calls = fake.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0].path,
        "/core/v1/connectors/notify/versions/2.0/call"
    );
    assert!(calls[0].authorized);
    assert_eq!(
        calls[0].json,
        Some(json!({"operation": "send_message", "authId": AUTH,
                    "input": {"channel": "C1", "text": "deploy ok", "priority": "high"},
                    "returnOutputSchema": false}))
    );

    // --format json: the whole answer; --return-output-schema goes out in the body.
    let out = call(
        &s,
        &fake.url(),
        &[
            "notify",
            "send_message",
            "--version",
            "1.0",
            "--format",
            "json",
            "--return-output-schema",
        ],
        VALID,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["outcome"], "success");
    assert_eq!(answer["outputSchema"]["required"], json!(["ok"]));
    let calls = fake.calls();
    assert_eq!(
        calls[1].path,
        "/core/v1/connectors/notify/versions/1.0/call"
    );
    assert_eq!(calls[1].json.as_ref().unwrap()["returnOutputSchema"], true);
}

#[test]
fn an_error_outcome_exits_1_with_trays_message_escaped() {
    let s = crawled();
    let fake = fake();
    fake.call_fault(
        CallFault::ErrorOutcome("channel_not_found\u{1b}[2J".into()),
        1,
    );
    let out = call(&s, &fake.url(), &["notify", "send_message"], VALID);
    assert_eq!(code(&out), 1);
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("notify 2.0 `send_message` ran and failed (outcome \"error\"): channel_not_found\\u{1b}[2J"),
        "{err}"
    );
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert_eq!(fake.calls().len(), 1);
}

#[test]
fn a_call_that_may_have_run_is_never_retried() {
    let s = crawled();
    let fake = fake();
    fake.call_fault(CallFault::Status(500), 1);
    fake.call_fault(CallFault::CutBody, 1);
    fake.call_fault(CallFault::Slow(Duration::from_secs(30)), 1);
    let expectations = [
        (vec![], "HTTP 500: Injected failure"),
        (vec![], "the answer was cut short"),
        (vec!["--timeout", "1"], "no answer within --timeout 1 s"),
    ];
    for (i, (extra, what)) in expectations.into_iter().enumerate() {
        let mut args = vec!["notify", "send_message", "--max-attempts", "6"];
        args.extend(extra);
        let out = call(&s, &fake.url(), &args, VALID);
        assert_eq!(code(&out), 2, "{what}");
        let err = stderr(&out);
        assert!(err.contains(what), "{err}");
        assert!(
            err.contains("the call may have run (and been billed)"),
            "{err}"
        );
        assert!(err.contains("trayscope does not retry it"), "{err}");
        assert_eq!(fake.calls().len(), i + 1, "{what}: sent once, never again");
    }
}

#[test]
fn a_429_is_retried_because_the_call_did_not_run() {
    let s = crawled();
    let fake = fake();
    fake.call_fault(CallFault::Status(429), 2);
    let out = call(&s, &fake.url(), &["notify", "send_message"], VALID);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let calls = fake.calls();
    assert_eq!(calls.len(), 3);
    assert!(calls.iter().all(|c| c.body == calls[0].body));

    fake.call_fault(CallFault::Status(429), 5);
    let out = call(
        &s,
        &fake.url(),
        &["notify", "send_message", "--max-attempts", "2"],
        VALID,
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("HTTP 429 on each of 2 attempts"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("the call did not run"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fake.calls().len(), 5);
}

#[test]
fn a_connection_that_cannot_be_opened_is_retried_and_nothing_is_sent() {
    let s = crawled();
    // A port nothing listens on any more.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let out = call(
        &s,
        &url,
        &["notify", "send_message", "--max-attempts", "3"],
        VALID,
    );
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("could not connect"), "{err}");
    assert!(err.contains("(3 attempts) — nothing was sent"), "{err}");
}

#[test]
fn a_refused_token_exits_2() {
    let s = crawled();
    let fake = fake();
    let out = s
        .cmd()
        .env("TRAY_TOKEN", "not-the-token")
        .args([
            "call",
            "notify",
            "send_message",
            "--auth-id",
            AUTH,
            "--api-url",
            &fake.url(),
        ])
        .write_stdin(VALID)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("HTTP 401: Unauthorized — the token was refused"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("not-the-token"));
    assert!(!fake.calls()[0].authorized);

    fake.call_fault(CallFault::Status(403), 1);
    let out = call(&s, &fake.url(), &["notify", "send_message"], VALID);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("HTTP 403"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the token was refused"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fake.calls().len(), 2, "refusals are not retried");
}

#[test]
fn a_server_that_quotes_the_token_back_never_gets_it_printed() {
    let s = crawled();
    let fake = fake();
    for status in [400, 500] {
        fake.call_fault(CallFault::EchoAuthorization(status), 1);
        let out = call(&s, &fake.url(), &["notify", "send_message"], VALID);
        let err = stderr(&out);
        assert_ne!(code(&out), 0, "{err}");
        assert!(err.contains("Authorization: Bearer ***"), "{status}: {err}");
        assert!(!err.contains(TOKEN), "{status}: the token leaked: {err}");
    }
}

#[test]
fn no_validate_sends_what_validation_would_stop_and_trays_verdict_decides() {
    let s = crawled();
    let fake = fake();
    // Invalid by the catalog, sent anyway.
    let out = call(
        &s,
        &fake.url(),
        &["notify", "send_message", "--no-validate"],
        r#"{"channel": 42}"#,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        fake.calls()[0].json.as_ref().unwrap()["input"],
        json!({"channel": 42})
    );

    // An operation the catalog does not know goes out with --no-validate; Tray refuses it (400): exit 1.
    let out = call(
        &s,
        &fake.url(),
        &["notify", "brand_new_operation", "--no-validate"],
        "{}",
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("HTTP 400: Unknown operation brand_new_operation — Tray refused the request; the call did not run"),
        "{}",
        stderr(&out)
    );
    // A version Tray does not know: 404, exit 2.
    let out = call(
        &s,
        &fake.url(),
        &[
            "notify",
            "send_message",
            "--no-validate",
            "--version",
            "9.9",
        ],
        VALID,
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("HTTP 404"), "{}", stderr(&out));
    assert_eq!(fake.calls().len(), 3);
}

#[test]
fn call_needs_the_catalog_unless_no_validate_names_the_version() {
    let s = Scratch::new();
    let fake = fake();
    let out = call(&s, &fake.url(), &["notify", "send_message"], VALID);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("crawl"), "{}", stderr(&out));
    let out = call(
        &s,
        &fake.url(),
        &["notify", "send_message", "--no-validate"],
        VALID,
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("name the version with --version"),
        "{}",
        stderr(&out)
    );
    assert!(fake.calls().is_empty());
    let out = call(
        &s,
        &fake.url(),
        &[
            "notify",
            "send_message",
            "--no-validate",
            "--version",
            "2.0",
        ],
        VALID,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(fake.calls().len(), 1);
}

#[test]
fn output_that_does_not_fit_the_catalog_is_a_drift_warning() {
    let s = crawled();
    let fake = fake();
    fake.call_fault(CallFault::Output(json!({"ok": "yes", "ts": 5})), 1);
    let out = call(&s, &fake.url(), &["notify", "send_message"], VALID);
    assert_eq!(code(&out), 0, "drift is a warning, not a failure");
    assert_eq!(stdout(&out), "{\"ok\":\"yes\",\"ts\":5}\n");
    let err = stderr(&out);
    assert!(
        err.starts_with("warning: the output does not fit the stored output schema of notify 2.0 `send_message` (snapshot 1): `/ok`: expected a boolean, found \"yes\"; `/ts`: expected a string, found 5; the catalog and the live API disagree"),
        "{err}"
    );
    // -q keeps stderr quiet.
    fake.call_fault(CallFault::Output(json!({"ok": "yes"})), 1);
    let out = s
        .cmd()
        .env("TRAY_TOKEN", TOKEN)
        .args([
            "-q",
            "call",
            "notify",
            "send_message",
            "--auth-id",
            AUTH,
            "--api-url",
            &fake.url(),
        ])
        .write_stdin(VALID)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    assert_eq!(stderr(&out), "");
    // Dynamic output is not held to the stored schema.
    fake.call_fault(CallFault::Output(json!({"id": 5})), 1);
    let out = call(
        &s,
        &fake.url(),
        &["mailer", "send_email"],
        r#"{"to": "a@example.com"}"#,
    );
    assert_eq!(code(&out), 0);
    assert_eq!(stderr(&out), "");
}

#[test]
fn the_fake_refuses_a_malformed_call_body() {
    let fake = fake();
    let raw = |body: &str| {
        let mut stream = std::net::TcpStream::connect(fake.addr).unwrap();
        write!(
            stream,
            "POST /core/v1/connectors/notify/versions/2.0/call HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    };
    assert!(raw("{nope").starts_with("HTTP/1.1 400"));
    assert!(raw(r#"{"operation": "send_message", "input": {}}"#).starts_with("HTTP/1.1 400"));
    assert!(
        raw(r#"{"operation": "send_message", "authId": "a", "input": {}}"#)
            .starts_with("HTTP/1.1 200")
    );
    assert_eq!(fake.calls().len(), 3);
}

// ---- audit: literal values ----

/// (step, code, pointer, schema pointer) of every finding.
fn value_rows(report: &Value) -> Vec<(String, String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let text = |v: &Value| v.as_str().unwrap_or("-").to_owned();
            (
                text(&f["step"]),
                text(&f["code"]),
                text(&f["pointer"]),
                text(&f["schema_pointer"]),
            )
        })
        .collect()
}

#[test]
fn audit_reports_the_literal_values_a_schema_rejects() {
    let s = crawled();
    let export = fixture("validate/exports/values.workflow.json");
    let out = s
        .cmd()
        .args(["audit", "--format", "json"])
        .arg(&export)
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_fits(&published("audit.schema.json"), &report);
    let rows = value_rows(&report);
    let expected = [
        (
            "notify-1",
            "invalid-input-value",
            "/as_usr",
            "/additionalProperties",
        ),
        (
            "notify-1",
            "invalid-input-value",
            "/channel",
            "/properties/channel/type",
        ),
        (
            "notify-2",
            "invalid-input-value",
            "/options/retries",
            "/definitions/options/properties/retries/maximum",
        ),
        ("notify-3", "outdated-connector-version", "-", "-"),
        (
            "notify-3",
            "upgrade-impact",
            "/priority",
            "/properties/priority/enum",
        ),
        (
            "notify-3",
            "upgrade-impact",
            "/text",
            "/properties/text/maxLength",
        ),
        ("notify-4", "missing-required-input", "-", "-"),
        (
            "notify-4",
            "invalid-input-value",
            "/options/mode",
            "/definitions/options/required",
        ),
        ("notify-4", "outdated-connector-version", "-", "-"),
        ("notify-4", "upgrade-impact", "-", "-"),
    ];
    let expected: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(rows, expected);
    assert_eq!(report["literal_values"], 12);
    assert_eq!(report["dynamic_values"], 6);
    assert_eq!(report["summary"]["by_code"]["invalid-input-value"], 4);
    let channel = &report["findings"][1];
    assert_eq!(channel["severity"], "error");
    assert_eq!(channel["line"], 22);
    assert_eq!(
        channel["message"],
        "notify 2.0 `send_message` rejects a literal value: `/channel`: expected a string, found 42 (input schema at /properties/channel/type)"
    );
    // One fingerprint per value.
    let fingerprints: std::collections::BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(fingerprints.len(), 10);

    // The other formats carry the pointer too.
    let sarif = s
        .cmd()
        .args(["audit", "--format", "sarif"])
        .arg(&export)
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let result = &log["runs"][0]["results"][1];
    assert_eq!(result["ruleId"], "invalid-input-value");
    assert_eq!(result["properties"]["pointer"], "/channel");
    assert_eq!(
        result["properties"]["schemaPointer"],
        "/properties/channel/type"
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        22
    );
    let github = s
        .cmd()
        .args(["audit", "--format", "github"])
        .arg(&export)
        .output()
        .unwrap();
    assert!(
        stdout(&github).contains("line=22,title=trayscope invalid-input-value::Incident fan-out / notify-1: notify 2.0 `send_message` rejects a literal value: `/channel`"),
        "{}",
        stdout(&github)
    );
    let human = s.cmd().arg("audit").arg(&export).output().unwrap();
    assert!(
        stdout(&human).contains("(12 literal values checked, 6 dynamic values left to run time)"),
        "{}",
        stdout(&human)
    );
}

#[test]
fn value_findings_follow_the_severity_configuration() {
    let s = crawled();
    std::fs::write(
        s.path("trayscope.toml"),
        "[severity]\ninvalid-input-value = \"warning\"\nmissing-required-input = \"warning\"\n",
    )
    .unwrap();
    let out = s
        .cmd()
        .arg("--config")
        .arg(s.path("trayscope.toml"))
        .args(["audit", "--format", "json"])
        .arg(fixture("validate/exports/values.workflow.json"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "nothing left at error: {}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "invalid-input-value")
            .all(|f| f["severity"] == "warning")
    );
    assert_eq!(report["summary"]["errors"], 0);
}
