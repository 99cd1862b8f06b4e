//! `trayscope diff` over the bundled sample nights (whose changes examples/README.md lists one by one), report
//! formats, escaping, and `trayscope schema-diff`.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::common::{Scratch, fixture, write_catalog};
use crate::fake_tray::Catalog;

fn examples(night: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/catalog")
        .join(night)
}

/// A home with the two sample nights crawled (snapshots 1 and 2).
fn two_nights() -> Scratch {
    let s = Scratch::new();
    s.crawl_dir(&examples("2026-11-25"));
    s.crawl_dir(&examples("2026-11-26"));
    s
}

fn diff_json(s: &Scratch, extra: &[&str]) -> Value {
    s.json(&[&["diff", "--format", "json"], extra].concat())
}

/// The one change with this code at this place.
fn find<'a>(
    report: &'a Value,
    code: &str,
    connector: &str,
    version: Option<&str>,
    operation: Option<&str>,
) -> &'a Value {
    let hits: Vec<&Value> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["code"] == code
                && c["connector"] == connector
                && c.get("version").and_then(Value::as_str) == version
                && c.get("operation").and_then(Value::as_str) == operation
        })
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "expected one {code} for {connector} {version:?} {operation:?}; report: {report:#}"
    );
    hits[0]
}

fn kinds(change: &Value) -> Vec<(String, String, bool)> {
    change["schema_changes"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    (
                        c["direction"].as_str().unwrap().to_owned(),
                        c["kind"].as_str().unwrap().to_owned(),
                        c["breaking"].as_bool().unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn sample_nights_diff_change_by_change() {
    let s = two_nights();
    let r = diff_json(&s, &[]);
    assert_eq!(r["from"]["snapshot"], 1);
    assert_eq!(r["to"]["snapshot"], 2);
    assert!(r["from"]["finished_at"].is_string());

    // C1: a new connector, and its version.
    find(&r, "connector-added", "pagerduty", None, None);
    let v = find(
        &r,
        "connector-version-added",
        "pagerduty",
        Some("1.0"),
        None,
    );
    assert!(
        v.get("upgrade").is_none(),
        "a brand-new connector has nothing to upgrade from"
    );

    // C2: hubspot 4.0 on a new service version deprecates 3.0 and 3.1 overnight.
    let added = find(&r, "connector-version-added", "hubspot", Some("4.0"), None);
    assert_eq!(added["severity"], "info");
    assert_eq!(added["upgrade"]["from_version"], "3.1");
    let service = find(&r, "service-version-added", "hubspot", Some("4.0"), None);
    assert_eq!(service["service"], json!({"name": "hubspot", "version": 3}));
    for version in ["3.0", "3.1"] {
        let d = find(
            &r,
            "connector-version-deprecated",
            "hubspot",
            Some(version),
            None,
        );
        assert_eq!(d["severity"], "warning");
        assert_eq!(d["service"]["version"], 2);
    }

    // C3: a retired version.
    let retired = find(
        &r,
        "connector-version-removed",
        "http-client",
        Some("5.5"),
        None,
    );
    assert_eq!(retired["severity"], "error");

    // C4, C5: operations added and removed inside unchanged versions.
    find(
        &r,
        "operation-added",
        "slack",
        Some("10.0"),
        Some("set_channel_topic"),
    );
    let removed = find(
        &r,
        "operation-removed",
        "jira",
        Some("3.2"),
        Some("delete_issue"),
    );
    assert_eq!(removed["severity"], "error");

    // C6, C7: breaking input changes inside existing versions.
    let c6 = find(
        &r,
        "operation-changed",
        "zendesk",
        Some("4.0"),
        Some("create_ticket"),
    );
    assert_eq!(c6["breaking"], true);
    assert_eq!(c6["severity"], "error");
    assert!(
        kinds(c6).iter().any(|(d, _, b)| d == "input" && *b),
        "{c6:#}"
    );
    let c7 = find(
        &r,
        "operation-changed",
        "salesforce",
        Some("8.6"),
        Some("find_records"),
    );
    assert_eq!(c7["breaking"], true);
    assert!(
        kinds(c7)
            .iter()
            .any(|(d, k, b)| d == "input" && k == "enum-value-removed" && *b),
        "{c7:#}"
    );

    // C8, C9: non-breaking input changes.
    for (connector, version, op) in [
        ("postgresql", "2.1", "run_sql_query"),
        ("mailchimp", "3.0", "add_member"),
    ] {
        let c = find(&r, "operation-changed", connector, Some(version), Some(op));
        assert_eq!(c["breaking"], false, "{c:#}");
        assert_eq!(c["severity"], "info");
        assert!(
            kinds(c).iter().all(|(d, _, b)| d == "input" && !*b),
            "{c:#}"
        );
    }

    // C10, C11: output changes, judged the other way round.
    let c10 = find(
        &r,
        "operation-changed",
        "stripe",
        Some("2.4"),
        Some("get_customer"),
    );
    assert_eq!(c10["breaking"], true);
    assert!(
        kinds(c10).iter().any(|(d, _, b)| d == "output" && *b),
        "{c10:#}"
    );
    let c11 = find(
        &r,
        "operation-changed",
        "openai",
        Some("1.2"),
        Some("chat_completion"),
    );
    assert_eq!(c11["breaking"], false, "{c11:#}");
    assert!(kinds(c11).iter().all(|(d, _, b)| d == "output" && !*b));

    // C12: title and description only.
    let c12 = find(
        &r,
        "operation-changed",
        "google-sheets",
        Some("6.1"),
        Some("update_row"),
    );
    assert_eq!(c12["breaking"], false);
    assert_eq!(c12["fields"], json!(["description", "title"]));
    assert!(c12.get("schema_changes").is_none());

    // Nothing else: every change above, and only those.
    let summary = &r["summary"];
    assert_eq!(summary["connector-added"], 1);
    assert_eq!(summary["connector-removed"], 0);
    assert_eq!(summary["connector-version-added"], 2);
    assert_eq!(summary["connector-version-removed"], 1);
    assert_eq!(summary["service-version-added"], 1);
    assert_eq!(summary["connector-version-deprecated"], 2);
    assert_eq!(summary["operation-added"], 1);
    assert_eq!(summary["operation-removed"], 1);
    assert_eq!(summary["operation-changed"], 7);
    assert_eq!(summary["breaking"], 3);
    assert_eq!(r["changes"].as_array().unwrap().len(), 16);
}

#[test]
fn fingerprints_are_stable_across_runs_and_distinct() {
    let s = two_nights();
    let a = diff_json(&s, &[]);
    let b = diff_json(&s, &["--from", "1", "--to", "2"]);
    let prints = |r: &Value| -> Vec<String> {
        r["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["fingerprint"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(prints(&a), prints(&b));
    let mut unique = prints(&a);
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), prints(&a).len());
    assert!(
        prints(&a)
            .iter()
            .all(|p| p.len() == 16 && p.chars().all(|c| c.is_ascii_hexdigit()))
    );
    // And they do not depend on the snapshot ids: a fresh home gives the same ones.
    let other = two_nights();
    assert_eq!(prints(&diff_json(&other, &[])), prints(&a));
}

#[test]
fn the_same_catalog_twice_has_no_changes() {
    let s = Scratch::new();
    s.crawl_dir(&examples("2026-11-26"));
    s.crawl_dir(&examples("2026-11-26"));
    let r = diff_json(&s, &[]);
    assert_eq!(r["changes"], json!([]));
    assert_eq!(r["summary"]["breaking"], 0);
    let md = s.cmd().arg("diff").output().unwrap();
    assert!(String::from_utf8_lossy(&md.stdout).contains("Nothing changed."));
}

#[test]
fn diff_needs_two_complete_snapshots() {
    let s = Scratch::new();
    s.crawl_dir(&examples("2026-11-25"));
    let out = s.cmd().arg("diff").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("two complete snapshots"), "{err}");

    let out = s
        .cmd()
        .args(["diff", "--from", "1", "--to", "9"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no snapshot 9"));
}

#[test]
fn diff_refuses_newer_to_older() {
    let s = two_nights();
    let out = s
        .cmd()
        .args(["diff", "--from", "2", "--to", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not older"));
}

#[test]
fn markdown_report_matches_its_snapshot() {
    let s = two_nights();
    let out = s.cmd().arg("diff").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    insta::with_settings!({filters => vec![
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", "[time]"),
    ]}, {
        insta::assert_snapshot!("sample_nights_markdown", text);
    });
}

#[test]
fn markdown_sections_come_in_order() {
    let s = two_nights();
    let out = s.cmd().arg("diff").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} missing from:\n{text}"))
    };
    let order = [
        at("## Breaking changes"),
        at("## New service versions"),
        at("## Deprecated connector versions"),
        at("## Retired connectors and versions"),
        at("## New connectors and versions"),
        at("## Other changes"),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(text.contains("```diff"), "schema diffs are shown");
}

#[test]
fn html_and_json_reports_go_to_files_whole() {
    let s = two_nights();
    let html = s.path("out/report.html");
    let out = s
        .cmd()
        .args(["diff", "--format", "html", "--out"])
        .arg(&html)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<details class=\"connector\"") && page.contains("<svg"));
    // Self-contained: nothing to fetch.
    assert!(!page.contains("src=") && !page.contains("href=\"http") && !page.contains("<link"));
    assert!(
        page.contains("<b>salesforce</b> 8.6"),
        "grouped by connector"
    );
    assert!(page.contains("<code>find_records</code>"));
}

#[test]
fn hostile_catalog_text_is_escaped_everywhere() {
    let s = Scratch::new();
    let night1 = s.path("n1");
    let night2 = s.path("n2");
    let catalog = Catalog::from_dir(&fixture("tiny"));
    write_catalog(&catalog, &night1);
    let mut changed = catalog.clone();
    let hostile = "<script>alert('x')</script><img src=x onerror=alert(1)> **boom** | `tick`";
    let key = ("slack".to_owned(), "10.0".to_owned());
    changed.operations.get_mut(&key).unwrap()["elements"][0]["description"] = json!(hostile);
    changed.operations.get_mut(&key).unwrap()["elements"][0]["title"] = json!("</details><b>x</b>");
    // Hostile text where reports do show it: a new operation's name and title, and a schema property name (in
    // pointers and in the schema diff).
    let ops = changed.operations.get_mut(&key).unwrap()["elements"]
        .as_array_mut()
        .unwrap();
    ops.push(json!({"name": "<script>op</script>", "title": hostile, "description": hostile,
                    "inputSchema": {"type": "object"}, "outputSchema": {"type": "object"}, "hasDynamicOutput": false}));
    ops[0]["inputSchema"]["properties"]["<img src=x onerror=alert(2)>"] = json!({"type": "string"});
    write_catalog(&changed, &night2);
    s.crawl_dir(&night1);
    s.crawl_dir(&night2);

    let html = String::from_utf8(
        s.cmd()
            .args(["diff", "--format", "html"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(!html.contains("<script>"), "raw script tag in HTML");
    assert!(!html.contains("<img"), "raw img tag in HTML");
    assert!(!html.contains("</details><b>"), "raw markup in HTML");
    assert!(html.contains("&lt;script&gt;"));

    let md = String::from_utf8(s.cmd().arg("diff").output().unwrap().stdout).unwrap();
    let prose = outside_code(&md);
    assert!(
        !prose.contains("<script>") && !prose.contains("<img"),
        "raw HTML in Markdown prose:\n{prose}"
    );
    // Names are shown as code spans, which Markdown never renders as HTML.
    assert!(md.contains("`<script>op</script>`"), "{md}");

    // JSON carries the text as data, unchanged.
    let json = diff_json(&s, &[]);
    let c = find(
        &json,
        "operation-changed",
        "slack",
        Some("10.0"),
        Some("send_message"),
    );
    assert_eq!(c["breaking"], false);
    assert_eq!(c["fields"], json!(["description", "title", "inputSchema"]));
    let added = find(
        &json,
        "operation-added",
        "slack",
        Some("10.0"),
        Some("<script>op</script>"),
    );
    assert!(
        added["message"]
            .as_str()
            .unwrap()
            .contains("<script>alert('x')</script>")
    );
}

fn schema_diff(s: &Scratch, old: Value, new: Value, args: &[&str]) -> std::process::Output {
    std::fs::write(s.path("old.json"), old.to_string()).unwrap();
    std::fs::write(s.path("new.json"), new.to_string()).unwrap();
    s.cmd()
        .arg("schema-diff")
        .arg(s.path("old.json"))
        .arg(s.path("new.json"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn schema_diff_command_reports_direction_aware_verdicts() {
    let s = Scratch::new();
    let old = json!({"type": "object", "properties": {"a": {"type": "string"}}});
    let new = json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]});

    let out = schema_diff(
        &s,
        old.clone(),
        new.clone(),
        &["--direction", "input", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["direction"], "input");
    assert_eq!(body["breaking"], true);
    let change = &body["changes"][0];
    assert_eq!(change["pointer"], "/required");
    assert_eq!(change["breaking"], true);
    assert!(change["kind"].is_string() && change["message"].is_string());

    // The same change read as an output is a new promise: not breaking.
    let out = schema_diff(
        &s,
        old.clone(),
        new.clone(),
        &["--direction", "output", "--format", "json"],
    );
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["breaking"], false);

    // --fail-on-breaking turns the verdict into the exit code.
    let out = schema_diff(
        &s,
        old.clone(),
        new.clone(),
        &["--direction", "input", "--fail-on-breaking"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("BREAKING"));
    let out = schema_diff(
        &s,
        old.clone(),
        new,
        &["--direction", "output", "--fail-on-breaking"],
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn schema_diff_rejects_unreadable_input_with_exit_2() {
    let s = Scratch::new();
    std::fs::write(s.path("old.json"), "{\"type\": ").unwrap();
    std::fs::write(s.path("new.json"), "{}").unwrap();
    let out = s
        .cmd()
        .arg("schema-diff")
        .arg(s.path("old.json"))
        .arg(s.path("new.json"))
        .args(["--direction", "input"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("old.json") && err.contains("line 1"), "{err}");

    let out = s
        .cmd()
        .arg("schema-diff")
        .arg(s.path("missing.json"))
        .arg(s.path("new.json"))
        .args(["--direction", "output"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.json"));
}

/// Markdown with fenced blocks and code spans removed: what a renderer would treat as prose (and raw HTML).
fn outside_code(md: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in md.lines() {
        let trimmed = line.trim_start();
        if let Some(f) = &fence {
            if trimmed.starts_with(f.as_str()) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") {
            fence = Some(trimmed.chars().take_while(|&c| c == '`').collect());
            continue;
        }
        // Drop code spans: text between matching runs of backticks (escaped backticks are not delimiters).
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '\\' && i + 1 < chars.len() {
                out.push(chars[i]);
                out.push(chars[i + 1]);
                i += 2;
                continue;
            }
            if chars[i] == '`' {
                let run = chars[i..].iter().take_while(|&&c| c == '`').count();
                let closer: String = "`".repeat(run);
                let rest: String = chars[i + run..].iter().collect();
                if let Some(end) = rest.find(&closer) {
                    i += run + rest[..end].chars().count() + run;
                    continue;
                }
            }
            out.push(chars[i]);
            i += 1;
        }
        out.push('\n');
    }
    out
}

#[test]
fn diff_json_matches_its_published_schema() {
    let schema: Value = serde_json::from_str(include_str!("../../docs/diff.schema.json"))
        .expect("docs/diff.schema.json is JSON");
    let validator =
        jsonschema::validator_for(&schema).expect("docs/diff.schema.json is a valid schema");
    let s = two_nights();
    let report = diff_json(&s, &[]);
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The schema is strict enough to fail: an unknown code is refused.
    let mut bad = report.clone();
    bad["changes"][0]["code"] = json!("connector-exploded");
    assert!(!validator.is_valid(&bad));
}
