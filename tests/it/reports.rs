//! The nightly reports people read: never a lost night, `report` regenerating them from the store, counts that agree
//! in every view, Markdown that fits a GitHub comment, folding at scale, and the index page.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::common::{Scratch, generated_catalog, stderr, write_catalog};
use crate::fake_tray::Catalog;

fn examples(night: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/catalog")
        .join(night)
}

fn nightly(s: &Scratch, night: &Path, reports: &Path) -> std::process::Output {
    s.cmd()
        .arg("nightly")
        .arg("--reports")
        .arg(reports)
        .arg("--from-dir")
        .arg(night)
        .output()
        .unwrap()
}

/// [`nightly`], which must succeed.
fn nightly_ok(s: &Scratch, night: &Path, reports: &Path) {
    let out = nightly(s, night, reports);
    assert!(out.status.success(), "{}", stderr(&out));
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The JSON reports in `dir` by snapshot id.
fn json_reports(dir: &Path) -> BTreeMap<i64, Value> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".json")?;
            let id: i64 = stem.rsplit_once('-')?.1.parse().ok()?;
            Some((id, read_json(&e.path())))
        })
        .collect()
}

fn has_change(report: &Value, code: &str, connector: &str, operation: Option<&str>) -> bool {
    report["changes"].as_array().unwrap().iter().any(|c| {
        c["code"] == code
            && c["connector"] == connector
            && operation.is_none_or(|op| c["operation"] == op)
    })
}

#[test]
fn a_night_whose_reports_cannot_be_written_is_not_crawled_and_its_changes_reach_the_next_report() {
    let s = Scratch::new();
    let reports = s.path("reports");
    nightly_ok(&s, &examples("2026-11-25"), &reports);

    // The middle night: --reports names a file, so nothing can be written there.
    let blocked = s.path("not-a-dir");
    std::fs::write(&blocked, "x").unwrap();
    let out = nightly(&s, &examples("2026-11-26"), &blocked);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("not-a-dir"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing was crawled"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.snapshots().len(), 1, "the middle night crawled nothing");

    // The next night reports what the middle night would have: jira's delete_issue is gone.
    let out = nightly(&s, &examples("2026-11-26"), &reports);
    assert!(out.status.success(), "{}", stderr(&out));
    let newest = json_reports(&reports).into_iter().next_back().unwrap().1;
    assert!(has_change(
        &newest,
        "operation-removed",
        "jira",
        Some("delete_issue")
    ));
}

#[test]
fn a_snapshot_without_reports_is_reported_by_the_next_nightly_oldest_first() {
    let s = Scratch::new();
    let reports = s.path("reports");
    nightly_ok(&s, &examples("2026-11-25"), &reports);
    // A night whose reports went missing after its crawl (here: a crawl with no nightly at all).
    s.crawl_dir(&examples("2026-11-26"));
    let out = nightly(&s, &examples("2026-11-26"), &reports);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("also reported 1 earlier snapshot that had none"),
        "{}",
        stderr(&out)
    );
    let by_id = json_reports(&reports);
    assert_eq!(by_id.keys().copied().collect::<Vec<_>>(), [1, 2, 3]);
    // Snapshot 2 holds the real changes, against 1; snapshot 3 (the same catalog again) none.
    assert_eq!(by_id[&2]["from"]["snapshot"], 1);
    assert!(has_change(
        &by_id[&2],
        "operation-removed",
        "jira",
        Some("delete_issue")
    ));
    assert_eq!(by_id[&3]["changes"], json!([]));
    // latest.* is the newest night.
    assert_eq!(read_json(&reports.join("latest.json")), by_id[&3]);
    let index = std::fs::read_to_string(reports.join("index.html")).unwrap();
    assert!(
        index.contains("2 → 3") && index.contains("1 → 2"),
        "{index}"
    );
}

#[test]
fn report_all_rebuilds_a_deleted_reports_directory_and_report_one_keeps_latest_newest() {
    let s = Scratch::new();
    let reports = s.path("reports");
    nightly_ok(&s, &examples("2026-11-25"), &reports);
    nightly_ok(&s, &examples("2026-11-26"), &reports);
    let before = json_reports(&reports);
    let latest_md = std::fs::read_to_string(reports.join("latest.md")).unwrap();
    std::fs::remove_dir_all(&reports).unwrap();

    let out = s
        .cmd()
        .args(["report", "--all", "--reports"])
        .arg(&reports)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        json_reports(&reports),
        before,
        "the same reports, from the store"
    );
    assert_eq!(
        std::fs::read_to_string(reports.join("latest.md")).unwrap(),
        latest_md
    );
    for file in ["index.html", "latest.html", "latest.json"] {
        assert!(reports.join(file).is_file(), "{file}");
    }

    // Rewriting an older night does not make it the latest.
    let out = s
        .cmd()
        .args(["report", "--snapshot", "1", "--format", "json", "--reports"])
        .arg(&reports)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let written: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(written[0]["snapshot"], 1);
    assert_eq!(
        std::fs::read_to_string(reports.join("latest.md")).unwrap(),
        latest_md
    );
    // A snapshot that is not there is exit 2.
    let out = s
        .cmd()
        .args(["report", "--snapshot", "99", "--reports"])
        .arg(&reports)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Numbers after labels in the Markdown headline: `**7 operations changed (3 breaking)**`.
fn markdown_headline(md: &str) -> BTreeMap<String, u64> {
    let line = md.lines().find(|l| l.starts_with("**")).unwrap_or("");
    line.split(" · ")
        .map(|part| {
            let part = part.trim_matches('*');
            let part = part.split(" in ").next().unwrap().trim_end_matches('*');
            let (n, label) = part.split_once(' ').unwrap();
            let label = label.split(" (").next().unwrap();
            (label.to_owned(), n.parse().unwrap())
        })
        .collect()
}

/// `Title (N)` headings.
fn headings(text: &str, open: &str, close: &str) -> BTreeMap<String, u64> {
    text.match_indices(open)
        .filter_map(|(i, _)| {
            let rest = &text[i + open.len()..];
            let heading = &rest[..rest.find(close)?];
            let (title, n) = heading.rsplit_once(" (")?;
            Some((title.to_owned(), n.trim_end_matches(')').parse().ok()?))
        })
        .collect()
}

/// Checks that every view of a diff shows the numbers of its JSON summary.
fn assert_counts_agree(s: &Scratch, reports: &Path) {
    let (id, json) = json_reports(reports).into_iter().next_back().unwrap();
    let summary = &json["summary"];
    let n = |key: &str| summary[key].as_u64().unwrap();
    let stem = std::fs::read_dir(reports)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|f| f.ends_with(&format!("-{id}.json")))
        .unwrap()
        .trim_end_matches(".json")
        .to_owned();
    let md = std::fs::read_to_string(reports.join(format!("{stem}.md"))).unwrap();
    let html = std::fs::read_to_string(reports.join(format!("{stem}.html"))).unwrap();
    let index = std::fs::read_to_string(reports.join("index.html")).unwrap();

    let expected_labels = [
        ("breaking changes", n("breaking_changes")),
        ("operations changed", n("operation-changed")),
        ("operations removed", n("operation-removed")),
        ("operations added", n("operation-added")),
        ("new connectors", n("connector-added")),
        ("new versions", n("connector-version-added")),
        ("new service versions", n("service-version-added")),
        ("deprecated versions", n("connector-version-deprecated")),
        ("retired versions", n("connector-version-removed")),
        ("retired connectors", n("connector-removed")),
    ];
    let headline = markdown_headline(&md);
    for (label, count) in expected_labels {
        if count == 0 {
            continue;
        }
        let singular = label
            .replacen("s ", " ", 1)
            .trim_end_matches('s')
            .to_owned();
        let shown = headline
            .get(label)
            .or_else(|| headline.get(&singular))
            .copied();
        assert_eq!(
            shown,
            Some(count),
            "Markdown headline for {label}: {headline:?}"
        );
    }
    // HTML cards carry the summary key they show.
    for (key, value) in summary.as_object().unwrap() {
        let card = format!("data-key=\"{key}\"><b>");
        if let Some(i) = html.find(&card) {
            let rest = &html[i + card.len()..];
            let shown: u64 = rest[..rest.find('<').unwrap()].parse().unwrap();
            assert_eq!(shown, value.as_u64().unwrap(), "HTML card {key}");
        }
    }
    let sections = [
        ("Breaking changes", n("breaking_changes")),
        ("New service versions", n("service-version-added")),
        (
            "Deprecated connector versions",
            n("connector-version-deprecated"),
        ),
        (
            "Retired connectors and versions",
            n("connector-version-removed") + n("connector-removed"),
        ),
        (
            "New connectors and versions",
            n("connector-added") + n("connector-version-added"),
        ),
        (
            "Other changes",
            n("operation-changed") - n("breaking") + n("operation-added"),
        ),
    ];
    let md_sections = headings(&md, "\n## ", "\n");
    let html_sections = headings(&html, "<h2>", "</h2>");
    for (title, count) in sections {
        if count == 0 {
            assert!(!md_sections.contains_key(title), "{title} shown empty");
            continue;
        }
        assert_eq!(
            md_sections.get(title),
            Some(&count),
            "Markdown section {title}"
        );
        assert_eq!(
            html_sections.get(title),
            Some(&count),
            "HTML section {title}"
        );
    }
    // The index row says what the report's headline says.
    assert!(
        index.contains(&format!("{} breaking change", n("breaking_changes"))),
        "index.html: {index}"
    );
    let changes = json["changes"].as_array().unwrap().len();
    assert!(index.contains(&format!("<td>{changes}</td>")), "{index}");
    assert!(!md.contains(" 1 operations") && !md.contains("**1 operations"));
    assert!(!html.contains(">1</b>operations"));
    let _ = s;
}

#[test]
fn every_view_of_the_sample_nights_shows_the_json_summary_counts() {
    let s = Scratch::new();
    let reports = s.path("reports");
    nightly_ok(&s, &examples("2026-11-25"), &reports);
    nightly_ok(&s, &examples("2026-11-26"), &reports);
    assert_counts_agree(&s, &reports);
    let html = std::fs::read_to_string(reports.join("latest.html")).unwrap();
    // Names the diff writes between backticks are code in HTML, not literal backticks.
    let text_outside_pre: String = html
        .split("<pre>")
        .map(|p| p.split("</pre>").last().unwrap())
        .collect();
    assert!(
        !text_outside_pre.contains('`'),
        "literal backticks in the HTML"
    );
}

/// Two nights of a generated catalog where one shared change lands in many operations of many versions.
fn large_pair(s: &Scratch) -> (PathBuf, PathBuf) {
    let old = generated_catalog(300);
    let mut new = old.clone();
    for ((name, _), body) in new.operations.iter_mut() {
        let index: usize = name.trim_start_matches("connector-").parse().unwrap();
        for (j, op) in body["elements"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .enumerate()
        {
            // A shared definition gains an output enum value in every operation of a third of the connectors.
            if index.is_multiple_of(3) {
                op["outputSchema"]["properties"]["status"] =
                    json!({"type": "string", "enum": ["open", "closed", "archived"]});
            }
            // Every fifth connector's operations lose an input property (breaking: inputs are closed).
            if index.is_multiple_of(5)
                && let Some(props) = op["inputSchema"]["properties"].as_object_mut()
            {
                let first = props.keys().next().cloned().unwrap();
                props.remove(&first);
            }
            if j == 0 {
                op["description"] = json!(format!("Reworded description of operation {j}"));
            }
        }
    }
    let mut with_status = old.clone();
    for ((name, _), body) in with_status.operations.iter_mut() {
        let index: usize = name.trim_start_matches("connector-").parse().unwrap();
        if index.is_multiple_of(3) {
            for op in body["elements"].as_array_mut().unwrap() {
                op["outputSchema"]["properties"]["status"] =
                    json!({"type": "string", "enum": ["open", "closed"]});
            }
        }
    }
    let (a, b) = (s.path("night-a"), s.path("night-b"));
    write_catalog(&with_status, &a);
    write_catalog(&new, &b);
    let _: &Catalog = &new;
    (a, b)
}

#[test]
fn a_large_pair_is_folded_fits_a_github_comment_and_its_counts_agree() {
    let s = Scratch::new();
    let reports = s.path("reports");
    let (a, b) = large_pair(&s);
    nightly_ok(&s, &a, &reports);
    let out = nightly(&s, &b, &reports);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_counts_agree(&s, &reports);

    let json = json_reports(&reports).into_iter().next_back().unwrap().1;
    let added_status = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["schema_changes"].as_array().cloned().unwrap_or_default())
        .filter(|sc| sc["kind"] == "enum-value-added" && sc["direction"] == "output")
        .count();
    assert!(
        added_status > 100,
        "the pair should repeat one change: {added_status}"
    );

    let md = std::fs::read_to_string(reports.join("latest.md")).unwrap();
    assert!(
        md.chars().count() <= 60_000,
        "{} characters",
        md.chars().count()
    );
    // The repeated change is one entry per connector, naming its operations.
    let lines_with_archived = md
        .lines()
        .filter(|l| l.contains("allowed value \"archived\" added"))
        .count();
    assert!(lines_with_archived > 0, "the change is shown");
    assert!(
        lines_with_archived <= 100,
        "one entry per connector, not one per operation: {lines_with_archived}"
    );
    let archived: Vec<&str> = md
        .lines()
        .filter(|l| l.contains("allowed value \"archived\" added"))
        .collect();
    assert!(
        archived.iter().all(|l| l.contains("in 16 operations of")),
        "each connector's 16 operations (8 in each of 2 versions) named together: {archived:#?}"
    );

    // With no limit, the Markdown is longer; with a small one, it says what it left out.
    let full = s.cmd().args(["diff", "--max-chars", "0"]).output().unwrap();
    assert!(full.stdout.len() > md.len());
    let small = s
        .cmd()
        .args(["diff", "--max-chars", "5000"])
        .output()
        .unwrap();
    let small = String::from_utf8(small.stdout).unwrap();
    assert!(small.chars().count() <= 5_000, "{}", small.chars().count());
    assert!(small.contains("This report was shortened to fit 5000 characters"));
    assert!(small.contains("--format html"), "where the full report is");
    assert!(
        small.contains("## Breaking changes ("),
        "sections keep their counts"
    );
}

#[test]
fn the_index_chart_dates_every_night_and_shows_quiet_nights_as_zero() {
    let s = Scratch::new();
    let reports = s.path("reports");
    let night = examples("2026-11-25");
    for _ in 0..3 {
        nightly_ok(&s, &night, &reports);
    }
    let index = std::fs::read_to_string(reports.join("index.html")).unwrap();
    assert_eq!(
        index.matches("class=\"zero\"").count(),
        2,
        "two quiet nights"
    );
    assert_eq!(index.matches("class=\"first\"").count(), 1);
    assert!(index.contains("class=\"date\""));
    assert!(index.contains("Oldest night on the left"));
    assert!(index.contains("0 changes, 0 breaking changes"));
}
