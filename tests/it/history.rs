//! `trayscope history`: a connector's timeline over the bundled sample nights, whose changes examples/README.md lists
//! (C1–C12), and over a sequence in which versions vanish and come back.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{Scratch, stderr};

fn night(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/catalog")
        .join(name)
}

fn crawled(nights: &[&str]) -> Scratch {
    let s = Scratch::new();
    for name in nights {
        s.crawl_dir(&night(name));
    }
    s
}

fn history(s: &Scratch, args: &[&str]) -> Value {
    s.json(&[&["history"], args, &["--format", "json"]].concat())
}

/// (snapshot, code, version) of every event.
fn outline(timeline: &Value) -> Vec<(i64, String, String)> {
    timeline["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["snapshot"].as_i64().unwrap(),
                e["code"].as_str().unwrap().to_owned(),
                e["version"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn ev(snapshot: i64, code: &str, version: &str) -> (i64, String, String) {
    (snapshot, code.to_owned(), version.to_owned())
}

/// finished_at of each complete snapshot, by id.
fn dates(s: &Scratch) -> std::collections::HashMap<i64, Value> {
    s.complete_snapshots()
        .into_iter()
        .map(|v| (v["id"].as_i64().unwrap(), v["finished_at"].clone()))
        .collect()
}

#[test]
fn hubspot_versions_appear_and_are_superseded_by_service_v3() {
    let s = crawled(&["2026-11-25", "2026-11-26"]);
    let timeline = history(&s, &["hubspot"]);
    assert_eq!(timeline["connector"], "hubspot");
    assert_eq!(timeline["operation"], Value::Null);
    assert_eq!(timeline["snapshots"], 2);
    assert_eq!(
        outline(&timeline),
        [
            ev(1, "version-appeared", "3.0"),
            ev(1, "version-appeared", "3.1"),
            ev(2, "service-superseded", "3.0"),
            ev(2, "service-superseded", "3.1"),
            ev(2, "version-appeared", "4.0"),
        ]
    );
    let events = timeline["events"].as_array().unwrap();
    let dates = dates(&s);
    for e in events {
        assert_eq!(e["date"], dates[&e["snapshot"].as_i64().unwrap()], "{e}");
    }
    let superseded = &events[2];
    assert_eq!(
        superseded["superseded_by"],
        serde_json::json!({"version": "4.0", "service": {"name": "hubspot", "version": 3}})
    );
    assert_eq!(
        superseded["service"],
        serde_json::json!({"name": "hubspot", "version": 2})
    );
    assert!(
        superseded["message"]
            .as_str()
            .unwrap()
            .contains("superseded by v3"),
        "{superseded}"
    );
    assert_eq!(events[4]["service"]["version"], 3);
}

#[test]
fn a_retired_version_vanishes_in_the_snapshot_that_no_longer_lists_it() {
    let s = crawled(&["2026-11-25", "2026-11-26"]);
    assert_eq!(
        outline(&history(&s, &["http-client"])),
        [
            ev(1, "version-appeared", "5.5"),
            ev(1, "version-appeared", "5.6"),
            ev(2, "version-vanished", "5.5"),
        ]
    );
    // salesforce 7.4 is deprecated from the first snapshot on (service v2 < v3); nothing else happens to it.
    let salesforce = history(&s, &["salesforce"]);
    assert_eq!(
        outline(&salesforce),
        [
            ev(1, "version-appeared", "7.4"),
            ev(1, "service-superseded", "7.4"),
            ev(1, "version-appeared", "8.5"),
            ev(1, "version-appeared", "8.6"),
        ]
    );
    assert_eq!(salesforce["events"][1]["superseded_by"]["version"], "8.6");
    assert_eq!(
        outline(&history(&s, &["pagerduty"])),
        [ev(2, "version-appeared", "1.0")]
    );
}

#[test]
fn an_operation_history_dates_the_breaking_enum_change_in_salesforce_8_6() {
    let s = crawled(&["2026-11-25", "2026-11-26"]);
    let timeline = history(&s, &["salesforce", "--operation", "find_records"]);
    assert_eq!(timeline["operation"], "find_records");
    let changed: Vec<&Value> = timeline["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == "operation-changed")
        .collect();
    assert_eq!(changed.len(), 1, "{timeline:#}");
    let change = changed[0];
    assert_eq!(change["version"], "8.6");
    assert_eq!(change["snapshot"], 2);
    assert_eq!(change["date"], dates(&s)[&2]);
    assert_eq!(change["operation"], "find_records");
    assert_eq!(change["breaking"], true);
    assert_eq!(change["fields"], serde_json::json!(["inputSchema"]));
    let removed = change["schema_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "enum-value-removed")
        .expect("an enum-value-removed schema change");
    assert_eq!(removed["direction"], "input");
    assert_eq!(removed["breaking"], true);
    assert_eq!(removed["pointer"], "/properties/conditions_type/enum");
    // Each version that has the operation says so once, when it first appears.
    let added: Vec<&str> = timeline["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == "operation-added")
        .map(|e| e["version"].as_str().unwrap())
        .collect();
    assert_eq!(added, ["7.4", "8.5", "8.6"]);
}

#[test]
fn operations_added_removed_and_retitled_inside_a_version() {
    let s = crawled(&["2026-11-25", "2026-11-26"]);
    let op_events = |connector: &str, op: &str| -> Vec<Value> {
        history(&s, &[connector, "--operation", op])["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["code"].as_str().unwrap().starts_with("operation-"))
            .cloned()
            .collect()
    };
    // C4: slack 10.0 gains set_channel_topic on the second night.
    let topic = op_events("slack", "set_channel_topic");
    assert_eq!(topic.len(), 1);
    assert_eq!(
        (
            &topic[0]["code"],
            &topic[0]["version"],
            &topic[0]["snapshot"]
        ),
        (
            &Value::from("operation-added"),
            &Value::from("10.0"),
            &Value::from(2)
        )
    );
    assert!(
        topic[0]["message"]
            .as_str()
            .unwrap()
            .contains("new operation set_channel_topic"),
        "{}",
        topic[0]
    );
    // C5: jira 3.2 loses delete_issue.
    let deleted = op_events("jira", "delete_issue");
    assert_eq!(deleted.len(), 2);
    assert_eq!(deleted[1]["code"], "operation-removed");
    assert_eq!(deleted[1]["snapshot"], 2);
    assert_eq!(deleted[1]["breaking"], true);
    // C12: google-sheets 6.1 update_row changes title and description only.
    let retitled: Vec<Value> = op_events("google-sheets", "update_row")
        .into_iter()
        .filter(|e| e["code"] == "operation-changed")
        .collect();
    assert_eq!(retitled.len(), 1);
    assert_eq!(retitled[0]["version"], "6.1");
    assert_eq!(retitled[0]["breaking"], false);
    assert_eq!(
        retitled[0]["fields"],
        serde_json::json!(["description", "title"])
    );
    assert!(retitled[0].get("schema_changes").is_none());
}

#[test]
fn a_version_that_vanishes_and_comes_back_appears_again() {
    let s = crawled(&["2026-11-25", "2026-11-26", "2026-11-25"]);
    let http = history(&s, &["http-client"]);
    assert_eq!(
        outline(&http),
        [
            ev(1, "version-appeared", "5.5"),
            ev(1, "version-appeared", "5.6"),
            ev(2, "version-vanished", "5.5"),
            ev(3, "version-appeared", "5.5"),
        ]
    );
    assert!(
        http["events"][3]["message"]
            .as_str()
            .unwrap()
            .contains("after vanishing in snapshot 2"),
        "{}",
        http["events"][3]
    );
    assert_eq!(
        outline(&history(&s, &["hubspot"])),
        [
            ev(1, "version-appeared", "3.0"),
            ev(1, "version-appeared", "3.1"),
            ev(2, "service-superseded", "3.0"),
            ev(2, "service-superseded", "3.1"),
            ev(2, "version-appeared", "4.0"),
            ev(3, "version-vanished", "4.0"),
        ]
    );
    // pagerduty exists only in snapshot 2.
    assert_eq!(
        outline(&history(&s, &["pagerduty"])),
        [
            ev(2, "version-appeared", "1.0"),
            ev(3, "version-vanished", "1.0")
        ]
    );
    // The enum value comes back in 8.6 with night 25: not breaking for inputs.
    let find = history(&s, &["salesforce", "--operation", "find_records"]);
    let changes: Vec<(i64, bool)> = find["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == "operation-changed")
        .map(|e| {
            (
                e["snapshot"].as_i64().unwrap(),
                e["breaking"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(changes, [(2, true), (3, false)]);
}

#[test]
fn human_output_is_one_line_per_event_date_first() {
    let s = crawled(&["2026-11-25", "2026-11-26"]);
    let out = s
        .cmd()
        .args(["history", "salesforce", "--operation", "find_records"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let dates = dates(&s);
    let second = dates[&2].as_str().unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("operation-changed"))
        .expect("an operation-changed line");
    assert!(line.starts_with(second), "{text}");
    assert!(
        line.contains("salesforce 8.6") && line.contains("breaking"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("BREAKING") && l.contains("enum-value-removed")),
        "{text}"
    );
    assert!(
        text.trim_end().ends_with(
            "events for salesforce (operation find_records) across 2 complete snapshots"
        ),
        "{text}"
    );
}

#[test]
fn an_unknown_connector_or_operation_exits_2_naming_it() {
    let s = crawled(&["2026-11-25"]);
    let out = s.cmd().args(["history", "twilio"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("\"twilio\"") && err.contains("trayscope search twilio"),
        "{err}"
    );

    let out = s
        .cmd()
        .args(["history", "salesforce", "--operation", "find_record"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("\"find_record\"") && err.contains("find_records"),
        "{err}"
    );

    let empty = Scratch::new();
    let out = empty.cmd().args(["history", "slack"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("trayscope crawl"), "{}", stderr(&out));
}
