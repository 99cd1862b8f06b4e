//! The deprecation policy (`deprecations.toml`): the fixture catalog and export in `tests/fixtures/policy/` audited
//! on a fixed date (2027-02-15) with a policy covering each rule, in every format; the policy's file lookup and
//! validation; the connector mapping; `history`.

use std::process::Output;

use serde_json::Value;

use crate::common::{Scratch, fixture, stderr};

const TODAY: &str = "2027-02-15";

/// A scratch directory with the fixture catalog crawled, the export in `exports/` and the policy files beside it.
fn setup() -> Scratch {
    let s = Scratch::new();
    s.crawl_dir(&fixture("policy/catalog"));
    let exports = s.path("exports");
    std::fs::create_dir_all(&exports).unwrap();
    std::fs::copy(
        fixture("policy/exports/quarter-close.workflow.json"),
        exports.join("quarter-close.workflow.json"),
    )
    .unwrap();
    for name in ["deprecations.toml", "invalid.toml"] {
        std::fs::copy(fixture("policy").join(name), s.path(name)).unwrap();
    }
    s
}

fn run(s: &Scratch, args: &[&str]) -> Output {
    s.cmd()
        .env("TRAYSCOPE_TODAY", TODAY)
        .args(args)
        .output()
        .unwrap()
}

fn audit_json(s: &Scratch, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["audit", "exports", "--format", "json"];
    args.extend_from_slice(extra);
    let out = run(s, &args);
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(&out)
        )
    });
    (out.status.code().unwrap(), report)
}

/// The finding of `code` on `step`, if any.
fn finding<'a>(report: &'a Value, step: &str, code: &str) -> Option<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["step"] == step && f["code"] == code)
}

fn codes_of(report: &Value, step: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["step"] == step)
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_policy_entry_deprecates_what_the_catalog_calls_merely_outdated() {
    let s = setup();
    let (_, without) = audit_json(&s, &[]);
    assert_eq!(
        codes_of(&without, "sheets-1"),
        ["outdated-connector-version"]
    );
    assert!(without["policy"].is_null());

    let (code, report) = audit_json(&s, &["--deprecations", "deprecations.toml"]);
    assert_eq!(code, 1);
    assert_eq!(report["policy"]["file"], "deprecations.toml");
    assert_eq!(report["policy"]["today"], TODAY);
    let sheets = finding(&report, "sheets-1", "deprecated-connector-version").unwrap();
    assert_eq!(sheets["severity"], "error");
    let d = &sheets["deprecation"];
    assert_eq!(d["source"], "policy");
    assert_eq!(d["sunset"], "2027-06-01");
    assert_eq!(d["days_left"], 106);
    assert_eq!(d["reason"], "Sheets API v3 shutdown");
    assert_eq!(d["policy_entry"], 1);
    assert_eq!(
        d["announcement"],
        "https://tray.io/documentation/release-notes/2026-11/"
    );
    assert_eq!(
        d["replacement"],
        serde_json::json!({"connector": "sheets-next", "version": "1.0"})
    );
    // The range form `<10.0` compares numerically: 10.0 is not below it, 8.6 is.
    assert!(finding(&report, "sheets-2", "deprecated-connector-version").is_some());
    assert!(codes_of(&report, "sheets-3").is_empty());
    // Findings that are not about deprecation carry no deprecation object.
    let outdated = finding(&report, "sheets-1", "outdated-connector-version").unwrap();
    assert!(outdated["deprecation"].is_null());
}

#[test]
fn service_version_entries_deprecate_even_the_newest_version() {
    let s = setup();
    let (_, report) = audit_json(&s, &["--deprecations", "deprecations.toml"]);
    let mailer = finding(&report, "mailer-1", "deprecated-connector-version").unwrap();
    assert_eq!(mailer["deprecation"]["source"], "policy");
    assert_eq!(mailer["deprecation"]["days_left"], 14);
    // mailer 2.1 is the newest version and there is no replacement: nowhere to point at.
    assert!(mailer["deprecation"]["replacement"].is_null());
    assert!(
        mailer["message"]
            .as_str()
            .unwrap()
            .contains("sunset 2027-03-01, 14 days left"),
        "{mailer}"
    );
}

#[test]
fn past_its_sunset_a_listed_version_is_retired() {
    let s = setup();
    let (_, report) = audit_json(&s, &["--deprecations", "deprecations.toml"]);
    assert_eq!(
        codes_of(&report, "legacy-1"),
        ["retired-connector-version", "outdated-connector-version"]
    );
    let legacy = finding(&report, "legacy-1", "retired-connector-version").unwrap();
    assert_eq!(legacy["deprecation"]["source"], "policy");
    assert_eq!(legacy["deprecation"]["days_left"], -45);
    // The day before its sunset it was only deprecated.
    let out = s
        .cmd()
        .env("TRAYSCOPE_TODAY", "2027-01-01")
        .args(["audit", "exports", "--format", "json"])
        .args(["--deprecations", "deprecations.toml"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let legacy = finding(&report, "legacy-1", "deprecated-connector-version").unwrap();
    assert_eq!(legacy["deprecation"]["days_left"], 0);
    assert!(finding(&report, "legacy-1", "retired-connector-version").is_none());
}

#[test]
fn an_entry_announced_in_the_future_is_not_in_force_yet() {
    let s = setup();
    let (_, report) = audit_json(&s, &["--deprecations", "deprecations.toml"]);
    assert!(codes_of(&report, "future-1").is_empty());
    let (_, report) = audit_json(
        &s,
        &[
            "--deprecations",
            "deprecations.toml",
            "--today",
            "2027-05-01",
        ],
    );
    let future = finding(&report, "future-1", "deprecated-connector-version").unwrap();
    assert_eq!(future["deprecation"]["days_left"], 244);
}

#[test]
fn catalog_and_api_verdicts_name_their_source() {
    let s = setup();
    let (_, report) = audit_json(&s, &["--deprecations", "deprecations.toml"]);
    let old = finding(&report, "old-1", "deprecated-connector-version").unwrap();
    assert_eq!(old["deprecation"]["source"], "catalog");
    assert!(old["deprecation"]["sunset"].is_null());
    assert!(old["deprecation"]["days_left"].is_null());
    assert_eq!(
        old["deprecation"]["replacement"],
        serde_json::json!({"connector": "old", "version": "4.0"})
    );
    let beta = finding(&report, "beta-1", "deprecated-connector-version").unwrap();
    assert_eq!(beta["deprecation"]["source"], "api");
    // A version gone from the catalog is retired by the catalog; a policy entry about it adds its date.
    let gone = finding(&report, "sheets-4", "retired-connector-version").unwrap();
    assert_eq!(gone["deprecation"]["source"], "catalog");
    assert_eq!(gone["deprecation"]["sunset"], "2026-12-01");
    assert_eq!(gone["deprecation"]["policy_entry"], 6);
}

#[test]
fn a_near_sunset_is_raised_to_error_whatever_the_configured_severity() {
    let s = setup();
    std::fs::create_dir_all(s.home()).unwrap();
    std::fs::write(
        s.home().join("trayscope.toml"),
        "deprecations = \"../deprecations.toml\"\n[severity]\ndeprecated-connector-version = \"warning\"\n",
    )
    .unwrap();
    // The policy comes from `deprecations` in trayscope.toml (relative to it).
    let (_, report) = audit_json(&s, &[]);
    assert_eq!(report["policy"]["sunset_within"], 30);
    let severity = |r: &Value, step: &str| {
        finding(r, step, "deprecated-connector-version").unwrap()["severity"].clone()
    };
    assert_eq!(severity(&report, "sheets-1"), "warning", "106 days left");
    assert_eq!(severity(&report, "mailer-1"), "error", "14 days left");
    let (_, report) = audit_json(&s, &["--sunset-within", "120"]);
    assert_eq!(severity(&report, "sheets-1"), "error");
    let (_, report) = audit_json(&s, &["--sunset-within", "13"]);
    assert_eq!(severity(&report, "mailer-1"), "warning");
    // Catalog verdicts are never raised.
    assert_eq!(severity(&report, "old-1"), "warning");
}

#[test]
fn an_entry_matching_nothing_is_stale_once_unless_its_sunset_passed() {
    let s = setup();
    let (_, report) = audit_json(&s, &["--deprecations", "deprecations.toml"]);
    let stale: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "policy-stale")
        .collect();
    assert_eq!(stale.len(), 1, "{stale:?}");
    assert_eq!(stale[0]["severity"], "warning");
    assert_eq!(stale[0]["file"], "deprecations.toml");
    assert_eq!(stale[0]["line"], 31);
    assert!(
        stale[0]["message"]
            .as_str()
            .unwrap()
            .contains("deprecation entry 5 (sheets versions >=5.0, <5.5"),
        "{}",
        stale[0]
    );
    assert_eq!(report["summary"]["by_code"]["policy-stale"], 1);
}

#[test]
fn the_connector_mapping_follows_the_replacement_to_another_connector() {
    let s = setup();
    let out = run(
        &s,
        &[
            "audit",
            "exports",
            "--deprecations",
            "deprecations.toml",
            "--emit-connector-mapping",
            "mapping.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let mapping: Value =
        serde_json::from_slice(&std::fs::read(s.path("mapping.json")).unwrap()).unwrap();
    let pairs: Vec<(String, String)> = mapping
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                format!("{} {}", m["from"]["name"], m["from"]["version"]),
                format!("{} {}", m["to"]["name"], m["to"]["version"]),
            )
        })
        .map(|(a, b)| (a.replace('"', ""), b.replace('"', "")))
        .collect();
    for expected in [
        ("sheets 9.1", "sheets-next 1.0"),
        ("sheets 8.6", "sheets-next 1.0"),
        ("legacy 1.0", "legacy 1.1"),
        ("old 3.0", "old 4.0"),
    ] {
        assert!(
            pairs.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} not in {pairs:?}"
        );
    }
    // sheets 7.0's entry names no replacement: the newest version.
    assert!(pairs.contains(&("sheets 7.0".into(), "sheets 10.0".into())));
}

#[test]
fn every_format_shows_the_sunset_and_days_left() {
    let s = setup();
    let wanted = "sunset 2027-03-01, 14 days left";
    for format in ["human", "sarif", "junit", "github"] {
        let out = run(
            &s,
            &[
                "audit",
                "exports",
                "--deprecations",
                "deprecations.toml",
                "--format",
                format,
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(wanted), "{format}:\n{text}");
        assert!(text.contains("policy-stale"), "{format}:\n{text}");
    }
    let out = run(
        &s,
        &[
            "audit",
            "exports",
            "--deprecations",
            "deprecations.toml",
            "--format",
            "sarif",
        ],
    );
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let mailer = results
        .iter()
        .find(|r| {
            r["ruleId"] == "deprecated-connector-version"
                && r["properties"]["connector"] == "mailer"
        })
        .unwrap();
    assert_eq!(mailer["properties"]["deprecation"]["days_left"], 14);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.iter().any(|r| r["id"] == "policy-stale"));
}

#[test]
fn the_home_policy_is_used_when_present_and_silently_absent_otherwise() {
    let s = setup();
    let (_, report) = audit_json(&s, &[]);
    assert!(report["policy"].is_null());
    std::fs::copy(
        s.path("deprecations.toml"),
        s.home().join("deprecations.toml"),
    )
    .unwrap();
    let (_, report) = audit_json(&s, &[]);
    assert_eq!(
        finding(&report, "sheets-1", "deprecated-connector-version").unwrap()["deprecation"]["source"],
        "policy"
    );
    assert!(
        report["policy"]["file"]
            .as_str()
            .unwrap()
            .ends_with("home/deprecations.toml")
    );
}

#[test]
fn a_named_policy_that_does_not_exist_is_exit_2() {
    let s = setup();
    let out = run(&s, &["audit", "exports", "--deprecations", "nope.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("deprecation policy nope.toml: no such file"),
        "{}",
        stderr(&out)
    );
    std::fs::create_dir_all(s.home()).unwrap();
    std::fs::write(
        s.home().join("trayscope.toml"),
        "deprecations = \"gone.toml\"\n",
    )
    .unwrap();
    let out = run(&s, &["audit", "exports"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("gone.toml: no such file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_invalid_policy_lists_every_problem_and_judges_nothing() {
    let s = setup();
    let out = run(&s, &["audit", "exports", "--deprecations", "invalid.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    for needle in [
        "deprecation policy invalid.toml: 4 problems",
        "`deprecation[1].versions` (line 1): \"before 10\"",
        "expected \"*\" or comparators such as \"<10.0\"",
        "`deprecation[2].replaces` (line 7): unknown key",
        "`deprecation[2].versions` (line 7): give `versions` or `service_versions`, not both",
        "`deprecation[2].sunset` (line 7): expected a date like 2027-03-01, found \"soon\"",
    ] {
        assert!(err.contains(needle), "{needle:?} missing from:\n{err}");
    }
}

#[test]
fn a_bad_today_is_refused() {
    let s = setup();
    let out = s
        .cmd()
        .args(["audit", "exports", "--today", "someday"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("YYYY-MM-DD"), "{}", stderr(&out));
}

#[test]
fn json_with_a_policy_matches_its_published_schema() {
    let schema: Value = serde_json::from_slice(
        &std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/audit.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let s = setup();
    let (_, report) = audit_json(&s, &["--deprecations", "deprecations.toml"]);
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut wrong = report.clone();
    wrong["findings"][0]["deprecation"]["source"] = "rumour".into();
    assert!(!validator.is_valid(&wrong), "the schema checks the source");
}

#[test]
fn history_shows_the_policy_dates_beside_the_catalog_events() {
    let s = setup();
    let out = run(
        &s,
        &["history", "sheets", "--deprecations", "deprecations.toml"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("version-appeared"), "{text}");
    for line in [
        "2026-11-01  announced entry 1   sheets versions <10.0: Sheets API v3 shutdown",
        "2027-06-01  sunset    entry 1   sheets versions <10.0 (106 days left; affects 8.0, 8.6, 9.1; move to \
         sheets-next 1.0)",
        "2026-12-01  sunset    entry 6   sheets versions =7.0 (76 days ago; no version in the latest snapshot)",
    ] {
        assert!(text.contains(line), "{line:?} missing from:\n{text}");
    }
    assert!(
        !text.contains("mailer"),
        "only the connector's entries:\n{text}"
    );
    let out = run(
        &s,
        &[
            "history",
            "mailer",
            "--format",
            "json",
            "--deprecations",
            "deprecations.toml",
        ],
    );
    let timeline: Value = serde_json::from_slice(&out.stdout).unwrap();
    let declared = timeline["declared"].as_array().unwrap();
    assert_eq!(declared.len(), 1);
    assert_eq!(declared[0]["versions"], "service versions <4");
    assert_eq!(declared[0]["affected"], serde_json::json!(["2.0", "2.1"]));
    assert_eq!(declared[0]["days_left"], 14);
    // Without a policy, nothing is declared.
    let out = run(&s, &["history", "mailer", "--format", "json"]);
    let timeline: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(timeline["declared"], serde_json::json!([]));
}

/// Copies the policy fixture catalog to `rel`, without `mailer 2.1`: the night before the fixture catalog.
fn night_before(s: &Scratch, rel: &str) -> std::path::PathBuf {
    let night = s.path(rel);
    let source = fixture("policy/catalog");
    for entry in walk(&source) {
        let to = night.join(entry.strip_prefix(&source).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &to).unwrap();
    }
    std::fs::remove_file(night.join("operations/mailer/2.1.json")).unwrap();
    let listing = night.join("connectors.json");
    let mut connectors: Value = serde_json::from_slice(&std::fs::read(&listing).unwrap()).unwrap();
    connectors["elements"]
        .as_array_mut()
        .unwrap()
        .retain(|c| !(c["name"] == "mailer" && c["version"] == "2.1"));
    std::fs::write(&listing, serde_json::to_vec(&connectors).unwrap()).unwrap();
    night
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Two nights: the fixture catalog without `mailer 2.1` (snapshot 1), then the whole fixture catalog (snapshot 2),
/// with the policy files beside the home.
fn two_nights() -> Scratch {
    let s = Scratch::new();
    s.crawl_dir(&night_before(&s, "night-1"));
    s.crawl_dir(&fixture("policy/catalog"));
    for name in ["deprecations.toml", "invalid.toml"] {
        std::fs::copy(fixture("policy").join(name), s.path(name)).unwrap();
    }
    s
}

fn diff_out(s: &Scratch, extra: &[&str]) -> String {
    let out = run(s, &[&["diff"], extra].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

fn diff_sunsets(s: &Scratch, extra: &[&str]) -> Value {
    let text = diff_out(s, &[&["--format", "json"], extra].concat());
    let report: Value = serde_json::from_str(&text).unwrap();
    report["sunsets"].clone()
}

fn entries_of(sunsets: &Value) -> Vec<u64> {
    sunsets
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["entry"].as_u64().unwrap())
        .collect()
}

#[test]
fn diff_lists_the_policy_sunsets_within_the_window_against_the_newer_snapshot() {
    let s = two_nights();
    let text = diff_out(
        &s,
        &["--format", "json", "--deprecations", "deprecations.toml"],
    );
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        report["policy"],
        serde_json::json!({"file": "deprecations.toml", "entries": 6, "today": TODAY, "sunset_within": 30})
    );
    // Only mailer's entry is within 30 days; its versions are the newer snapshot's (2.1 is new tonight).
    assert_eq!(
        report["sunsets"],
        serde_json::json!([{
            "entry": 2,
            "connector": "mailer",
            "versions": ["2.0", "2.1"],
            "requirement": "service versions <4",
            "sunset": "2027-03-01",
            "days_left": 14,
            "reason": "Mailer API v3 is switched off",
            "replacement": null,
            "source": null,
        }])
    );
    // A wider window takes in sheets (106 days), by sunset; never the entry announced only on 2027-05-01 (future,
    // 319 days), the one past its sunset (legacy), nor the ones matching no version of the catalog.
    let wide = diff_sunsets(
        &s,
        &[
            "--deprecations",
            "deprecations.toml",
            "--sunset-within",
            "400",
        ],
    );
    assert_eq!(entries_of(&wide), [2, 1]);
    assert_eq!(wide[1]["days_left"], 106);
    assert_eq!(
        wide[1]["versions"],
        serde_json::json!(["8.0", "8.6", "9.1"])
    );
    assert_eq!(
        wide[1]["replacement"],
        serde_json::json!({"connector": "sheets-next", "version": "1.0"})
    );
    assert_eq!(
        wide[1]["source"],
        "https://tray.io/documentation/release-notes/2026-11/"
    );
    // One day short of sheets' sunset window; on mailer's sunset day it is still listed, with 0 days left.
    let narrow = diff_sunsets(
        &s,
        &[
            "--deprecations",
            "deprecations.toml",
            "--sunset-within",
            "105",
        ],
    );
    assert_eq!(entries_of(&narrow), [2]);
    let on_the_day = diff_sunsets(
        &s,
        &[
            "--deprecations",
            "deprecations.toml",
            "--today",
            "2027-03-01",
        ],
    );
    assert_eq!(on_the_day[0]["days_left"], 0);
    // Once announced, the future entry is listed when its sunset comes within the window.
    let announced = diff_sunsets(
        &s,
        &[
            "--deprecations",
            "deprecations.toml",
            "--today",
            "2027-12-01",
        ],
    );
    assert_eq!(entries_of(&announced), [4]);
    assert_eq!(announced[0]["days_left"], 30);
}

#[test]
fn diff_json_with_sunsets_matches_its_published_schema() {
    let schema: Value = serde_json::from_str(include_str!("../../docs/diff.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let s = two_nights();
    for extra in [
        &[][..],
        &[
            "--deprecations",
            "deprecations.toml",
            "--sunset-within",
            "120",
        ],
    ] {
        let text = diff_out(&s, &[&["--format", "json"], extra].concat());
        let report: Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{extra:?}: {errors:#?}");
    }
    let text = diff_out(
        &s,
        &["--format", "json", "--deprecations", "deprecations.toml"],
    );
    let mut wrong: Value = serde_json::from_str(&text).unwrap();
    wrong["sunsets"][0]["days_left"] = "soon".into();
    assert!(!validator.is_valid(&wrong), "the schema checks days_left");
}

#[test]
fn markdown_html_and_human_reports_show_the_sunsets_before_the_deprecations() {
    let s = two_nights();
    let md = diff_out(&s, &["--deprecations", "deprecations.toml"]);
    assert!(md.contains("## Sunsets within 30 days (1)\n"), "{md}");
    assert!(
        md.contains(
            "\n- `mailer` versions 2.0, 2.1 — sunset 2027-03-01 (14 days left): Mailer API v3 is switched off · policy \
             entry 2\n"
        ),
        "{md}"
    );
    let at = |heading: &str| {
        md.find(heading)
            .unwrap_or_else(|| panic!("{heading}:\n{md}"))
    };
    assert!(at("## Sunsets within") < at("## New connectors and versions"));
    assert!(
        !md.contains("sheets"),
        "106 days is outside the window:\n{md}"
    );

    let md = diff_out(
        &s,
        &[
            "--deprecations",
            "deprecations.toml",
            "--sunset-within",
            "120",
        ],
    );
    assert!(md.contains("## Sunsets within 120 days (2)\n"), "{md}");
    assert!(
        md.contains(
            "- `sheets` versions 8.0, 8.6, 9.1 — sunset 2027-06-01 (106 days left): Sheets API v3 shutdown; move to \
             sheets-next 1.0 · [announcement](https://tray.io/documentation/release-notes/2026-11/) · policy entry 1\n"
        ),
        "{md}"
    );
    assert!(!md.contains("future") && !md.contains("legacy"), "{md}");

    let html = diff_out(
        &s,
        &["--deprecations", "deprecations.toml", "--format", "html"],
    );
    assert!(
        html.contains("<section id=\"sunsets\">\n<h2>Sunsets within 30 days (1)</h2>"),
        "{html}"
    );
    assert!(html.contains("<a href=\"#sunsets\">"), "{html}");
    assert!(
        html.contains(
            "<code>mailer</code> versions 2.0, 2.1 — sunset <b>2027-03-01</b> (14 days left)"
        ),
        "{html}"
    );
    let human = diff_out(
        &s,
        &["--deprecations", "deprecations.toml", "--format", "human"],
    );
    assert!(
        human.contains("\nSunsets within 30 days (1): 1 policy entry of deprecations.toml, as of 2027-02-15.\n  mailer 2.0, 2.1 — sunset 2027-03-01 (14 days left)"),
        "{human}"
    );
}

#[test]
fn without_a_policy_the_report_has_an_empty_sunsets_list_and_no_section() {
    let s = two_nights();
    let text = diff_out(&s, &["--format", "json"]);
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["sunsets"], serde_json::json!([]));
    assert!(report["policy"].is_null());
    for format in ["markdown", "html", "human"] {
        let text = diff_out(&s, &["--format", format]);
        assert!(!text.contains("Sunsets within"), "{format}:\n{text}");
    }
    // A policy with nothing within the window: the JSON names it, the Markdown has no empty section.
    let text = diff_out(
        &s,
        &[
            "--format",
            "json",
            "--deprecations",
            "deprecations.toml",
            "--sunset-within",
            "5",
        ],
    );
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["sunsets"], serde_json::json!([]));
    assert_eq!(report["policy"]["sunset_within"], 5);
    let md = diff_out(
        &s,
        &[
            "--deprecations",
            "deprecations.toml",
            "--sunset-within",
            "5",
        ],
    );
    assert!(!md.contains("Sunsets within"), "{md}");
    // The policy is found as audit finds it: deprecations.toml in the home.
    std::fs::copy(
        s.path("deprecations.toml"),
        s.home().join("deprecations.toml"),
    )
    .unwrap();
    assert_eq!(entries_of(&diff_sunsets(&s, &[])), [2]);
    // A named policy that does not exist, or an invalid one, is exit 2 with nothing on stdout.
    for bad in ["nope.toml", "invalid.toml"] {
        let out = run(&s, &["diff", "--deprecations", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(out.stdout.is_empty());
        assert!(
            stderr(&out).contains(&format!("deprecation policy {bad}")),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn policy_text_in_the_sunsets_is_escaped_and_only_http_sources_become_links() {
    let s = two_nights();
    std::fs::write(
        s.path("hostile.toml"),
        r#"[[deprecation]]
connector = "mailer"
versions  = "*"
sunset    = 2027-03-01
reason    = "<script>alert(1)</script> **now** [x](y)"
source    = "javascript:alert(1)"
"#,
    )
    .unwrap();
    let md = diff_out(&s, &["--deprecations", "hostile.toml"]);
    assert!(
        md.contains("&lt;script&gt;alert(1)&lt;/script&gt; \\*\\*now\\*\\* \\[x\\](y) · announced in `javascript:alert(1)`"),
        "{md}"
    );
    let html = diff_out(&s, &["--deprecations", "hostile.toml", "--format", "html"]);
    assert!(
        !html.contains("<script>") && !html.contains("href=\"javascript"),
        "{html}"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
}

#[test]
fn nightly_and_report_write_the_sunsets_and_an_unusable_policy_stops_the_night_before_the_crawl() {
    let s = Scratch::new();
    for name in ["deprecations.toml", "invalid.toml"] {
        std::fs::copy(fixture("policy").join(name), s.path(name)).unwrap();
    }
    let night = |dir: &std::path::Path, policy: &str| {
        s.cmd()
            .env("TRAYSCOPE_TODAY", TODAY)
            .args([
                "nightly",
                "--reports",
                "reports",
                "--deprecations",
                policy,
                "--from-dir",
            ])
            .arg(dir)
            .output()
            .unwrap()
    };
    let first = night_before(&s, "night-1");
    for bad in ["invalid.toml", "nope.toml"] {
        let out = night(&first, bad);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("deprecation policy {bad}")),
            "{}",
            stderr(&out)
        );
        assert!(
            !s.home().join("catalog.db").exists(),
            "{bad}: nothing crawled"
        );
        assert!(!s.path("reports").exists(), "{bad}: no report");
    }
    let out = night(&first, "deprecations.toml");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = night(&fixture("policy/catalog"), "deprecations.toml");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let md = std::fs::read_to_string(s.path("reports/latest.md")).unwrap();
    assert!(md.contains("## Sunsets within 30 days (1)"), "{md}");
    assert!(
        md.contains("`mailer` versions 2.0, 2.1 — sunset 2027-03-01 (14 days left)"),
        "{md}"
    );
    let html = std::fs::read_to_string(s.path("reports/latest.html")).unwrap();
    assert!(html.contains("<section id=\"sunsets\">"));
    let json: Value =
        serde_json::from_slice(&std::fs::read(s.path("reports/latest.json")).unwrap()).unwrap();
    assert_eq!(entries_of(&json["sunsets"]), [2]);

    // `report` rewrites the night with its own window, or without a policy.
    let out = run(
        &s,
        &[
            "report",
            "--snapshot",
            "2",
            "--reports",
            "reports",
            "--deprecations",
            "deprecations.toml",
            "--sunset-within",
            "120",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: Value =
        serde_json::from_slice(&std::fs::read(s.path("reports/latest.json")).unwrap()).unwrap();
    assert_eq!(entries_of(&json["sunsets"]), [2, 1]);
    let out = run(&s, &["report", "--snapshot", "2", "--reports", "reports"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let md = std::fs::read_to_string(s.path("reports/latest.md")).unwrap();
    assert!(!md.contains("Sunsets within"), "{md}");
    let out = run(
        &s,
        &[
            "report",
            "--snapshot",
            "2",
            "--reports",
            "reports",
            "--deprecations",
            "invalid.toml",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}
