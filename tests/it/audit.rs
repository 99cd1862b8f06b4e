//! `trayscope audit`: the example exports against the example nights (the table in `examples/README.md`), focused
//! fixtures in `tests/fixtures/audit/`, every exit code, every format, the ignore file and the connector mapping.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};

use crate::common::{Scratch, fixture, stderr};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// A scratch home holding both example nights (snapshot 1 = 2026-11-25, 2 = 2026-11-26).
fn both_nights() -> Scratch {
    let s = Scratch::new();
    s.crawl_dir(&examples().join("catalog/2026-11-25"));
    s.crawl_dir(&examples().join("catalog/2026-11-26"));
    s
}

/// Copies a directory of exports into the scratch directory (so paths show relative, as in a team's repo).
fn copy_dir(from: &Path, s: &Scratch, to: &str) -> PathBuf {
    let target = s.path(to);
    std::fs::create_dir_all(&target).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, target.join(path.file_name().unwrap())).unwrap();
        }
    }
    target
}

fn audit(s: &Scratch, args: &[&str]) -> Output {
    s.cmd().arg("audit").args(args).output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

fn json_report(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(out), stderr(out)))
}

/// (file name, workflow title, step, code) of every finding, optionally leaving out some codes.
fn findings(report: &Value, leave_out: &[&str]) -> BTreeSet<(String, String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !leave_out.contains(&f["code"].as_str().unwrap()))
        .map(|f| {
            let file = f["file"].as_str().unwrap();
            (
                file.rsplit('/').next().unwrap().to_owned(),
                f["workflow"]["title"].as_str().unwrap_or("").to_owned(),
                f["step"].as_str().unwrap_or("").to_owned(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn set(rows: &[(&str, &str, &str, &str)]) -> BTreeSet<(String, String, String, String)> {
    rows.iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect()
}

const LEAD: &str = "lead-routing.workflow.json";
const SHEET: &str = "sheet-sync.workflow.json";
const CS: &str = "customer-success.project.json";
const SMS: &str = "sms-digest.workflow.json";

/// The table "Exports and the expected audit (against night 2026-11-26)" of `examples/README.md`.
fn readme_findings_second_night() -> BTreeSet<(String, String, String, String)> {
    set(&[
        (
            LEAD,
            "Inbound lead routing",
            "salesforce-1",
            "missing-required-input",
        ),
        (
            LEAD,
            "Inbound lead routing",
            "slack-1",
            "deprecated-connector-version",
        ),
        (
            LEAD,
            "Inbound lead routing",
            "slack-1",
            "outdated-connector-version",
        ),
        (
            LEAD,
            "Inbound lead routing",
            "http-client-1",
            "retired-connector-version",
        ),
        (
            SHEET,
            "Weekly sheet sync",
            "google-sheets-1",
            "outdated-connector-version",
        ),
        (SHEET, "Weekly sheet sync", "jira-1", "operation-missing"),
        (
            CS,
            "Ticket escalation",
            "zendesk-1",
            "missing-required-input",
        ),
        (
            CS,
            "Ticket escalation",
            "hubspot-1",
            "deprecated-connector-version",
        ),
        (
            CS,
            "Ticket escalation",
            "hubspot-1",
            "outdated-connector-version",
        ),
        (
            CS,
            "Ticket escalation",
            "slack-1",
            "outdated-connector-version",
        ),
        (
            CS,
            "Invoice reconciliation",
            "acme-ledger-1",
            "unknown-connector",
        ),
        (
            CS,
            "Invoice reconciliation",
            "salesforce-1",
            "outdated-connector-version",
        ),
        (
            SMS,
            "Daily pipeline SMS digest",
            "salesforce-1",
            "deprecated-connector-version",
        ),
        (
            SMS,
            "Daily pipeline SMS digest",
            "salesforce-1",
            "outdated-connector-version",
        ),
    ])
}

#[test]
fn example_exports_against_the_second_night_give_the_readme_table() {
    let s = both_nights();
    let exports = copy_dir(&examples().join("exports"), &s, "exports");
    let out = audit(&s, &["--format", "json", exports.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report = json_report(&out);
    assert_eq!(report["snapshot"]["id"], 2);
    assert_eq!(report["files_scanned"], 4);
    assert_eq!(report["workflows_scanned"], 5);
    assert_eq!(report["steps_scanned"], 22);
    assert_eq!(
        findings(&report, &["upgrade-impact"]),
        readme_findings_second_night()
    );
    // Totals in the README: unknown 1, retired 1, deprecated 3, outdated 6, operation missing 1, missing input 2.
    let by_code = &report["summary"]["by_code"];
    assert_eq!(by_code["unknown-connector"], 1);
    assert_eq!(by_code["retired-connector-version"], 1);
    assert_eq!(by_code["deprecated-connector-version"], 3);
    assert_eq!(by_code["outdated-connector-version"], 6);
    assert_eq!(by_code["operation-missing"], 1);
    assert_eq!(by_code["missing-required-input"], 2);
    // The one upgrade that takes work: hubspot 4.0 has no update_contact.
    assert_eq!(
        findings(&report, &[])
            .difference(&readme_findings_second_night())
            .cloned()
            .collect::<Vec<_>>(),
        vec![(
            CS.into(),
            "Ticket escalation".into(),
            "hubspot-1".into(),
            "upgrade-impact".into()
        )]
    );
    assert_eq!(report["summary"]["errors"], 7);
    assert_eq!(report["summary"]["warnings"], 7);
    assert_eq!(report["summary"]["notes"], 1);
    assert_eq!(report["summary"]["failed"], true);
    // A finding names its place: paths relative to the current directory, the step's line, where it nests.
    let slack = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "deprecated-connector-version" && f["connector"] == "slack")
        .unwrap();
    assert_eq!(slack["file"], "exports/lead-routing.workflow.json");
    assert_eq!(slack["line"], 52);
    assert_eq!(slack["location"], "boolean-condition-1/false");
    assert_eq!(slack["version"], "8.1");
    assert_eq!(slack["latest"], "10.0");
    assert_eq!(slack["severity"], "error");
    assert_eq!(slack["gating"], true);
    assert_eq!(
        slack["workflow"],
        json!({"id": "f026924b-f6bb-5cfd-ab8c-a2d7a05cc837", "title": "Inbound lead routing"})
    );
    let zendesk = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "missing-required-input" && f["connector"] == "zendesk")
        .unwrap();
    assert_eq!(zendesk["inputs"], json!(["requester_email"]));
}

#[test]
fn example_exports_against_the_first_night_give_the_readme_contrast() {
    let s = both_nights();
    let exports = copy_dir(&examples().join("exports"), &s, "exports");
    let out = audit(
        &s,
        &[
            "--format",
            "json",
            "--snapshot",
            "1",
            exports.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report = json_report(&out);
    assert_eq!(report["snapshot"]["id"], 1);
    let mut expected = readme_findings_second_night();
    // http-client 5.5 is only outdated; hubspot 3.1 is current; jira delete_issue exists; zendesk needs no email.
    expected.remove(&(
        LEAD.into(),
        "Inbound lead routing".into(),
        "http-client-1".into(),
        "retired-connector-version".into(),
    ));
    expected.insert((
        LEAD.into(),
        "Inbound lead routing".into(),
        "http-client-1".into(),
        "outdated-connector-version".into(),
    ));
    expected.remove(&(
        CS.into(),
        "Ticket escalation".into(),
        "hubspot-1".into(),
        "deprecated-connector-version".into(),
    ));
    expected.remove(&(
        CS.into(),
        "Ticket escalation".into(),
        "hubspot-1".into(),
        "outdated-connector-version".into(),
    ));
    expected.remove(&(
        SHEET.into(),
        "Weekly sheet sync".into(),
        "jira-1".into(),
        "operation-missing".into(),
    ));
    expected.remove(&(
        CS.into(),
        "Ticket escalation".into(),
        "zendesk-1".into(),
        "missing-required-input".into(),
    ));
    assert_eq!(findings(&report, &[]), expected);
}

#[test]
fn nested_steps_and_pins_at_several_versions_are_each_judged() {
    let s = both_nights();
    let file = fixture("audit/exports/escalations.project.json");
    let out = audit(&s, &["--format", "json", file.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report = json_report(&out);
    assert_eq!(report["steps_scanned"], 10);
    let e = "escalations.project.json";
    assert_eq!(
        findings(&report, &[]),
        set(&[
            (
                e,
                "Pager escalation",
                "pagerduty-1",
                "missing-required-input"
            ),
            (
                e,
                "Pager escalation",
                "slack-3",
                "outdated-connector-version"
            ),
            (e, "Pager escalation", "slack-4", "operation-missing"),
            (
                e,
                "Pager escalation",
                "slack-4",
                "outdated-connector-version"
            ),
            (e, "Deal desk", "hubspot-1", "deprecated-connector-version"),
            (e, "Deal desk", "hubspot-1", "outdated-connector-version"),
            (e, "Deal desk", "hubspot-1", "upgrade-impact"),
            (e, "Deal desk", "hubspot-2", "deprecated-connector-version"),
            (e, "Deal desk", "hubspot-2", "outdated-connector-version"),
            (e, "Deal desk", "slack-1", "missing-required-input"),
            (e, "Deal desk", "slakc-1", "unknown-connector"),
            (
                e,
                "Deal desk",
                "google-sheets-1",
                "outdated-connector-version"
            ),
        ])
    );
    let pagerduty = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["step"] == "pagerduty-1")
        .unwrap();
    assert_eq!(
        pagerduty["location"],
        "boolean-condition-1/true/loop-1/_loop/boolean-condition-2/false"
    );
    assert_eq!(pagerduty["inputs"], json!(["title"]));
    // Findings come in file order (by line), worst first within a step.
    let order: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["workflow"]["title"] == "Deal desk")
        .map(|f| {
            (
                f["step"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        order[0],
        ("hubspot-2".into(), "deprecated-connector-version".into())
    );
    assert_eq!(
        order[2],
        ("hubspot-1".into(), "deprecated-connector-version".into())
    );
    assert_eq!(order[4], ("hubspot-1".into(), "upgrade-impact".into()));
}

#[test]
fn schema_refs_defaults_declared_deprecation_and_new_required_inputs() {
    let s = Scratch::new();
    s.crawl_dir(&fixture("audit/catalog"));
    let file = fixture("audit/mini/mini.workflow.json");
    let out = audit(&s, &["--format", "json", file.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report = json_report(&out);
    let rows: Vec<(String, String, Value)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["step"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
                f["inputs"].clone(),
            )
        })
        .collect();
    let row = |step: &str, code: &str, inputs: Value| (step.to_owned(), code.to_owned(), inputs);
    assert_eq!(
        rows,
        vec![
            row("acme-1", "deprecated-connector-version", json!([])),
            // `mode` is required behind a $ref but has a default there: only `body` is missing.
            row("acme-1", "missing-required-input", json!(["body"])),
            row("acme-1", "outdated-connector-version", json!([])),
            row("acme-1", "upgrade-impact", json!(["body", "priority"])),
            row("acme-2", "deprecated-connector-version", json!([])),
            row("acme-2", "outdated-connector-version", json!([])),
            row("acme-2", "upgrade-impact", json!(["priority"])),
            row("beta-1", "deprecated-connector-version", json!([])),
            row("beta-1", "outdated-connector-version", json!([])),
        ]
    );
    let beta = &report["findings"][7];
    assert!(
        beta["message"]
            .as_str()
            .unwrap()
            .contains("Tray marks it deprecated"),
        "{beta}"
    );
}

#[test]
fn exit_codes_follow_fail_on() {
    let s = both_nights();
    let clean = fixture("audit/exports/clean.workflow.json");
    let warnings = fixture("audit/exports/warnings-only.workflow.json");
    let examples = examples().join("exports");
    let out = audit(&s, &[clean.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("no findings in 1 file, 1 workflow, 3 steps"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("gate passed"), "{}", stdout(&out));
    assert_eq!(
        code(&audit(&s, &["--fail-on", "note", clean.to_str().unwrap()])),
        0
    );
    // A warning passes the default gate and fails `--fail-on warning`.
    assert_eq!(code(&audit(&s, &[warnings.to_str().unwrap()])), 0);
    assert_eq!(
        code(&audit(
            &s,
            &["--fail-on", "warning", warnings.to_str().unwrap()]
        )),
        1
    );
    assert_eq!(
        code(&audit(
            &s,
            &["--fail-on", "note", warnings.to_str().unwrap()]
        )),
        1
    );
    // Deprecated and retired pins fail the default gate; `never` reports without failing.
    assert_eq!(code(&audit(&s, &[examples.to_str().unwrap()])), 1);
    let never = audit(&s, &["--fail-on", "never", examples.to_str().unwrap()]);
    assert_eq!(code(&never), 0);
    assert!(
        stdout(&never).contains("15 findings (7 errors, 7 warnings, 1 note)"),
        "{}",
        stdout(&never)
    );
}

#[test]
fn no_catalog_or_no_complete_snapshot_is_exit_2() {
    let s = Scratch::new();
    let file = fixture("audit/exports/clean.workflow.json");
    let out = audit(&s, &[file.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("run `trayscope crawl` first"),
        "{}",
        stderr(&out)
    );
    let s = both_nights();
    let out = audit(&s, &["--snapshot", "9", file.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("no snapshot 9"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_failed_crawl_leaves_no_snapshot_to_audit_against() {
    let s = Scratch::new();
    let broken = s.path("broken-catalog");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(
        broken.join("connectors.json"),
        r#"{"elements": [{"name": "x"}]}"#,
    )
    .unwrap();
    let crawl = s
        .cmd()
        .args(["crawl", "--from-dir"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(code(&crawl), 2);
    let out = audit(
        &s,
        &[fixture("audit/exports/clean.workflow.json")
            .to_str()
            .unwrap()],
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("no complete snapshot"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn malformed_exports_are_exit_2_naming_the_file_and_position() {
    let s = both_nights();
    let truncated = fixture("audit/malformed/truncated.workflow.json");
    let out = audit(&s, &[truncated.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("truncated.workflow.json: not valid JSON"),
        "{err}"
    );
    assert!(err.contains("line 13, column"), "{err}");
    assert!(out.stdout.is_empty());

    let wrong = fixture("audit/wrong-version.workflow.json");
    let out = audit(&s, &[wrong.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("`tray_export_version` is 3; trayscope reads version 4 exports"),
        "{}",
        stderr(&out)
    );

    // One bad file among good ones: the gate must not pass, and every bad file is named.
    let dir = copy_dir(&examples().join("exports"), &s, "exports");
    std::fs::copy(&truncated, dir.join("nested-dir-truncated.json")).unwrap();
    std::fs::write(dir.join("empty.json"), "").unwrap();
    let out = audit(&s, &["--fail-on", "never", dir.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("2 export files could not be read"), "{err}");
    assert!(err.contains("exports/empty.json: not valid JSON"), "{err}");
    assert!(
        err.contains("exports/nested-dir-truncated.json: not valid JSON"),
        "{err}"
    );
}

#[test]
fn missing_paths_empty_directories_and_unreadable_structure_are_exit_2() {
    let s = both_nights();
    let out = audit(&s, &["no-such-dir"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("no-such-dir: no such file or directory"),
        "{}",
        stderr(&out)
    );
    std::fs::create_dir_all(s.path("empty/.hidden")).unwrap();
    std::fs::write(s.path("empty/.hidden/x.json"), "{}").unwrap();
    std::fs::write(s.path("empty/notes.txt"), "hi").unwrap();
    let out = audit(&s, &["empty"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("empty: no *.json files found"),
        "{}",
        stderr(&out)
    );
    std::fs::write(
        s.path("bad-step.json"),
        r#"{"tray_export_version": 4, "export_type": "workflow", "workflows": [{"id": "w", "title": "t",
"steps": {"a": {"connector": {"name": "slack", "version": 9.1}, "operation": "send_message"}}}]}"#,
    )
    .unwrap();
    let out = audit(&s, &["bad-step.json"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains(
            "bad-step.json:2: `workflows[0].steps[\"a\"].connector.version` is 9.1, expected a non-empty string"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn directories_are_searched_recursively() {
    let s = both_nights();
    copy_dir(&examples().join("exports"), &s, "repo/tray/exports");
    copy_dir(&fixture("audit/exports"), &s, "repo/tray/more/deeper");
    std::fs::write(s.path("repo/tray/README.md"), "not json").unwrap();
    let out = audit(&s, &["--format", "json", "--fail-on", "never", "repo"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report = json_report(&out);
    assert_eq!(report["files_scanned"], 7);
    // Naming a file twice (directly and through its directory) audits it once.
    let out = audit(
        &s,
        &[
            "--format",
            "json",
            "--fail-on",
            "never",
            "repo/tray/exports/sms-digest.workflow.json",
            "repo/tray/exports",
        ],
    );
    assert_eq!(json_report(&out)["files_scanned"], 4);
}

fn ignore_run(format: &str) -> (Scratch, Output) {
    let s = both_nights();
    let exports = copy_dir(&examples().join("exports"), &s, "exports");
    let ignore = fixture("audit/ignore/lifecycle.toml");
    let out = audit(
        &s,
        &[
            "--format",
            format,
            "--ignore-file",
            ignore.to_str().unwrap(),
            exports.to_str().unwrap(),
        ],
    );
    (s, out)
}

#[test]
fn ignore_entries_active_expired_and_stale() {
    let (_s, out) = ignore_run("json");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report = json_report(&out);
    let suppressed: BTreeSet<(String, String, String, String)> = report["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["step"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
                f["ignore_entry"].to_string(),
                f["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        suppressed,
        [
            (
                "slack-1".to_owned(),
                "deprecated-connector-version".to_owned(),
                "1".to_owned(),
                "Alerts channel moves to the new bot with the Q1 rewrite".to_owned()
            ),
            (
                "acme-ledger-1".to_owned(),
                "unknown-connector".to_owned(),
                "4".to_owned(),
                "Private connector, not in Tray's public catalog".to_owned()
            ),
        ]
        .into_iter()
        .collect()
    );
    assert_eq!(report["summary"]["suppressed"], 2);
    // The expired entry suppresses nothing: salesforce 7.4's findings are back.
    let active = findings(&report, &[]);
    assert!(active.contains(&(
        SMS.into(),
        "Daily pipeline SMS digest".into(),
        "salesforce-1".into(),
        "deprecated-connector-version".into()
    )));
    assert!(active.contains(&(
        LEAD.into(),
        "Inbound lead routing".into(),
        "slack-1".into(),
        "outdated-connector-version".into()
    )));
    assert!(!active.contains(&(
        LEAD.into(),
        "Inbound lead routing".into(),
        "slack-1".into(),
        "deprecated-connector-version".into()
    )));
    let about_ignore: Vec<(Value, Value, Value, Value)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["workflow"].is_null())
        .map(|f| {
            (
                f["code"].clone(),
                f["severity"].clone(),
                f["line"].clone(),
                f["file"].clone(),
            )
        })
        .collect();
    let ignore_file = json!(fixture("audit/ignore/lifecycle.toml").to_str().unwrap());
    assert_eq!(
        about_ignore,
        vec![
            (
                json!("ignore-expired"),
                json!("warning"),
                json!(12),
                ignore_file.clone()
            ),
            (json!("ignore-stale"), json!("note"), json!(18), ignore_file),
        ]
    );
    let statuses: Vec<(Value, Value)> = report["ignore"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["status"].clone(), e["matched"].clone()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (json!("active"), json!(1)),
            (json!("expired"), json!(2)),
            (json!("stale"), json!(0)),
            (json!("active"), json!(1)),
        ]
    );
    // An expired entry is a warning: it fails `--fail-on warning` like any warning.
    assert_eq!(report["summary"]["by_code"]["ignore-expired"], 1);
}

#[test]
fn the_default_ignore_file_is_read_from_the_current_directory() {
    let s = both_nights();
    let exports = copy_dir(&examples().join("exports"), &s, "exports");
    std::fs::copy(
        fixture("audit/ignore/lifecycle.toml"),
        s.path(".trayscope-ignore.toml"),
    )
    .unwrap();
    let out = audit(&s, &["--format", "json", exports.to_str().unwrap()]);
    let report = json_report(&out);
    assert_eq!(report["ignore"]["file"], ".trayscope-ignore.toml");
    assert_eq!(report["summary"]["suppressed"], 2);
    let out = audit(&s, &[exports.to_str().unwrap()]);
    assert!(
        stdout(&out).contains("2 suppressed by .trayscope-ignore.toml"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains(".trayscope-ignore.toml\n  line 12 warning"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_missing_or_invalid_ignore_file_is_exit_2() {
    let s = both_nights();
    let file = fixture("audit/exports/clean.workflow.json");
    let out = audit(&s, &["--ignore-file", "nope.toml", file.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("ignore file nope.toml: no such file"),
        "{}",
        stderr(&out)
    );
    let invalid = fixture("audit/ignore/no-reason.toml");
    let out = audit(
        &s,
        &[
            "--ignore-file",
            invalid.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("entry 1 (line 1): needs a `reason`"),
        "{}",
        stderr(&out)
    );
    // The default file too: a broken one in the current directory is not silently skipped.
    std::fs::write(
        s.path(".trayscope-ignore.toml"),
        "[[ignore]]\nconnector = 3\n",
    )
    .unwrap();
    let out = audit(&s, &[file.to_str().unwrap()]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
}

#[test]
fn json_output_matches_its_published_schema() {
    let schema: Value = serde_json::from_slice(
        &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/audit.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let validator =
        jsonschema::validator_for(&schema).expect("docs/audit.schema.json is a valid schema");
    assert!(!validator.is_valid(&json!({"findings": [{"code": "deprecated"}]})));
    let (_s, out) = ignore_run("json");
    let report = json_report(&out);
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let s = both_nights();
    let out = audit(
        &s,
        &[
            "--format",
            "json",
            fixture("audit/exports/clean.workflow.json")
                .to_str()
                .unwrap(),
        ],
    );
    let report = json_report(&out);
    assert!(report["ignore"].is_null());
    assert!(validator.is_valid(&report));
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let (_s, out) = ignore_run("sarif");
    assert_eq!(code(&out), 1);
    let log = json_report(&out);
    let schema: Value =
        serde_json::from_slice(&std::fs::read(fixture("sarif/sarif-schema-2.1.0.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    // The check can fail: a run without a tool is not SARIF.
    assert!(!validator.is_valid(&json!({"version": "2.1.0", "runs": [{"results": []}]})));
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules.len(), 11);
    assert!(rules.contains(&"deprecated-connector-version"));
    let results = run["results"].as_array().unwrap();
    // 13 active step findings + 2 about the ignore file + 2 suppressed.
    assert_eq!(results.len(), 17);
    let slack = results
        .iter()
        .find(|r| {
            r["ruleId"] == "outdated-connector-version"
                && r["properties"]["connector"] == "slack"
                && r["properties"]["version"] == "8.1"
        })
        .unwrap();
    assert_eq!(slack["level"], "warning");
    let location = &slack["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "exports/lead-routing.workflow.json"
    );
    assert_eq!(location["region"]["startLine"], 52);
    assert_eq!(
        rules[slack["ruleIndex"].as_u64().unwrap() as usize],
        "outdated-connector-version"
    );
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 2);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "external");
}

#[test]
fn junit_output_fails_the_steps_with_gating_findings() {
    let s = both_nights();
    let exports = copy_dir(&examples().join("exports"), &s, "exports");
    let out = audit(&s, &["--format", "junit", exports.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    let xml = stdout(&out);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"trayscope audit\" tests=\"22\" failures=\"7\""), "{xml}");
    assert_eq!(xml.matches("<testsuite ").count(), 4);
    assert_eq!(xml.matches("<testcase ").count(), 22);
    assert_eq!(xml.matches("<failure ").count(), 7);
    assert!(
        xml.contains(
            "<testsuite name=\"exports/lead-routing.workflow.json\" tests=\"5\" failures=\"3\""
        ),
        "{xml}"
    );
    assert!(
        xml.contains("<failure type=\"retired-connector-version\""),
        "{xml}"
    );
    // Warnings do not fail a step at the default gate; they are still shown.
    assert!(
        xml.contains(
            "<system-out>warning outdated-connector-version: google-sheets 6.0 is outdated"
        ),
        "{xml}"
    );
    assert_eq!(
        xml.matches("<testsuite ").count(),
        xml.matches("</testsuite>").count()
    );
    assert!(xml.trim_end().ends_with("</testsuites>"));
    let out = audit(
        &s,
        &[
            "--format",
            "junit",
            "--fail-on",
            "warning",
            exports.to_str().unwrap(),
        ],
    );
    assert!(stdout(&out).contains("failures=\"11\""), "{}", stdout(&out));
}

#[test]
fn github_output_is_workflow_commands() {
    let s = both_nights();
    let exports = copy_dir(&examples().join("exports"), &s, "exports");
    let out = audit(&s, &["--format", "github", exports.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 16);
    assert!(lines.contains(
        &"::error file=exports/lead-routing.workflow.json,line=62,title=trayscope retired-connector-version::Inbound lead routing / http-client-1: http-client 5.5 is retired: snapshot 2 no longer lists it (the newest version is 5.6)"
    ), "{text}");
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("::error ")).count(),
        7
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("::warning ")).count(),
        7
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("::notice ")).count(),
        1
    );
    assert!(
        lines[15].starts_with("trayscope audit: 7 errors, 7 warnings, 1 note"),
        "{text}"
    );
}

#[test]
fn human_output_groups_by_file_workflow_and_step() {
    let s = both_nights();
    let exports = copy_dir(&examples().join("exports"), &s, "exports");
    let out = audit(&s, &[exports.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(
        !text.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    let cs = text
        .find("exports/customer-success.project.json\n")
        .unwrap();
    let ticket = text
        .find("  workflow \"Ticket escalation\" (8c1bc7d5-de29-562f-a697-5da48620b55a)\n")
        .unwrap();
    let invoice = text.find("  workflow \"Invoice reconciliation\"").unwrap();
    let lead = text.find("exports/lead-routing.workflow.json\n").unwrap();
    assert!(cs < ticket && ticket < invoice && invoice < lead, "{text}");
    assert!(text.contains("    hubspot-1 (line 54, in boolean-condition-1/true)  hubspot 3.1 update_contact\n      error   deprecated-connector-version  hubspot 3.1 is deprecated: its service hubspot v2 is superseded by v3; move to hubspot 4.0\n"), "{text}");
    assert!(
        text.contains("gate failed: 7 findings at or above --fail-on error"),
        "{text}"
    );
}

#[test]
fn out_writes_the_report_to_a_file() {
    let s = both_nights();
    let exports = copy_dir(&examples().join("exports"), &s, "exports");
    let out = audit(
        &s,
        &[
            "--format",
            "sarif",
            "--out",
            "reports/audit.sarif",
            exports.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 1);
    assert!(out.stdout.is_empty());
    let log: Value =
        serde_json::from_slice(&std::fs::read(s.path("reports/audit.sarif")).unwrap()).unwrap();
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 15);
}

#[test]
fn connector_mapping_moves_every_old_pin_to_the_newest_version() {
    let s = both_nights();
    let exports = copy_dir(&examples().join("exports"), &s, "exports");
    let out = audit(
        &s,
        &[
            "--emit-connector-mapping",
            "mapping.json",
            "--format",
            "json",
            exports.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 1);
    let mapping: Value =
        serde_json::from_slice(&std::fs::read(s.path("mapping.json")).unwrap()).unwrap();
    let pair = |name: &str, from: &str, to: &str| json!({"from": {"name": name, "version": from}, "to": {"name": name, "version": to}});
    assert_eq!(
        mapping,
        json!([
            pair("google-sheets", "6.0", "6.1"),
            pair("http-client", "5.5", "5.6"),
            pair("hubspot", "3.1", "4.0"),
            pair("salesforce", "7.4", "8.6"),
            pair("salesforce", "8.5", "8.6"),
            pair("slack", "8.1", "10.0"),
            pair("slack", "9.1", "10.0"),
        ])
    );
}

#[test]
fn fingerprints_are_stable_across_runs_and_unique() {
    let s = both_nights();
    let exports = copy_dir(&examples().join("exports"), &s, "exports");
    let run = || -> Vec<String> {
        json_report(&audit(&s, &["--format", "json", exports.to_str().unwrap()]))["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = run();
    assert_eq!(first, run());
    let unique: BTreeSet<&String> = first.iter().collect();
    assert_eq!(unique.len(), first.len());
}
