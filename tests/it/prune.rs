//! `trayscope prune`: which snapshots go, that everything a remaining snapshot reaches survives (exports stay
//! byte-identical), that what only pruned snapshots used is freed, and that diff, search and the index keep working.
//! Row counts are read straight from catalog.db.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use rusqlite::{Connection, OpenFlags};
use serde_json::Value;

use crate::common::{Scratch, fixture, generated_catalog, stderr, write_catalog};

fn night(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/catalog")
        .join(name)
}

fn crawled(dirs: &[PathBuf]) -> Scratch {
    let s = Scratch::new();
    for dir in dirs {
        s.crawl_dir(dir);
    }
    s
}

/// Nights 25, 26, 25 again and 26 again: snapshots 1–4, where 3 and 4 share every state with 1 and 2.
fn four_nights() -> Scratch {
    crawled(&[
        night("2026-11-25"),
        night("2026-11-26"),
        night("2026-11-25"),
        night("2026-11-26"),
    ])
}

fn prune(s: &Scratch, args: &[&str]) -> Output {
    s.cmd().arg("prune").args(args).output().unwrap()
}

/// `prune ARGS --json`, which must succeed.
fn prune_json(s: &Scratch, args: &[&str]) -> Value {
    let out = s
        .cmd()
        .arg("prune")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "prune {args:?} failed: {}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).expect("prune --json prints JSON")
}

fn ids(value: &Value) -> Vec<i64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect()
}

fn db(s: &Scratch) -> Connection {
    Connection::open_with_flags(
        s.home().join("catalog.db"),
        OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap()
}

/// Rows in every table of the catalog.
fn counts(s: &Scratch) -> BTreeMap<&'static str, i64> {
    let conn = db(s);
    [
        "snapshots",
        "snapshot_members",
        "connector_versions",
        "operations",
        "blobs",
        "services",
        "zstd_dicts",
    ]
    .into_iter()
    .map(|table| {
        let n: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        (table, n)
    })
    .collect()
}

/// The connector version states a snapshot lists.
fn states_of(s: &Scratch, snapshot: i64) -> Vec<i64> {
    let conn = db(s);
    let mut stmt = conn
        .prepare(
            "SELECT connector_version FROM snapshot_members WHERE snapshot = ?1 ORDER BY position",
        )
        .unwrap();
    stmt.query_map([snapshot], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Every file under `root` as bytes, by relative path.
fn file_bytes(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn snapshot_ids(s: &Scratch) -> Vec<(i64, String)> {
    s.snapshots()
        .iter()
        .map(|v| {
            (
                v["id"].as_i64().unwrap(),
                v["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn keep_two_drops_older_snapshots_but_no_state_they_share_with_newer_ones() {
    let s = four_nights();
    let before_3 = file_bytes(&s.export(Some(3), "before-3"));
    let before_4 = file_bytes(&s.export(Some(4), "before-4"));
    let before = counts(&s);

    let summary = prune_json(&s, &["--keep", "2"]);
    assert_eq!(ids(&summary["deleted_snapshots"]), [1, 2]);
    assert_eq!(ids(&summary["kept_snapshots"]), [3, 4]);
    assert_eq!(summary["dry_run"], false);
    // Nights 3 and 4 are the same content as 1 and 2: nothing but the snapshot rows can go.
    assert_eq!(summary["connector_version_states"], 0);
    assert_eq!(summary["blobs"], 0);
    assert_eq!(summary["bytes_freed"], 0);

    let after = counts(&s);
    assert_eq!(after["snapshots"], 2);
    assert_eq!(
        after["snapshot_members"],
        before["snapshot_members"] - 21 - 22
    );
    for table in ["connector_versions", "operations", "blobs", "services"] {
        assert_eq!(after[table], before[table], "{table}");
    }
    assert_eq!(file_bytes(&s.export(Some(3), "after-3")), before_3);
    assert_eq!(file_bytes(&s.export(Some(4), "after-4")), before_4);
}

#[test]
fn keep_one_frees_what_only_the_pruned_snapshots_used() {
    let s = four_nights();
    let kept_states = states_of(&s, 4);
    let before_4 = file_bytes(&s.export(Some(4), "before-4"));
    let before = counts(&s);
    let http_55 = |s: &Scratch| -> i64 {
        db(s)
            .query_row(
                "SELECT count(*) FROM connector_versions WHERE name = 'http-client' AND version = '5.5'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(http_55(&s), 1);

    let summary = prune_json(&s, &["--keep", "1"]);
    assert_eq!(ids(&summary["deleted_snapshots"]), [1, 2, 3]);
    assert_eq!(ids(&summary["kept_snapshots"]), [4]);
    let states = summary["connector_version_states"].as_i64().unwrap();
    let blobs = summary["blobs"].as_i64().unwrap();
    // Night 25's own states: http-client 5.5 and the 9 versions that C4–C12 changed (examples/README.md).
    assert_eq!(states, 10, "{summary}");
    assert!(blobs > 0, "{summary}");
    assert!(summary["bytes_freed"].as_u64().unwrap() > 0);
    assert!(
        summary["db_bytes_after"].as_u64().unwrap() <= summary["db_bytes_before"].as_u64().unwrap(),
        "{summary}"
    );

    let after = counts(&s);
    assert_eq!(after["snapshots"], 1);
    assert_eq!(after["snapshot_members"], 22);
    assert_eq!(
        after["connector_versions"],
        before["connector_versions"] - states
    );
    assert_eq!(after["connector_versions"], 22);
    assert_eq!(after["blobs"], before["blobs"] - blobs);
    assert!(after["operations"] < before["operations"]);
    assert_eq!(after["operations"], 98);
    assert_eq!(after["zstd_dicts"], before["zstd_dicts"]);
    assert_eq!(http_55(&s), 0);
    // Every state the kept snapshot lists survives, and exports exactly as before.
    assert_eq!(states_of(&s, 4), kept_states);
    assert_eq!(file_bytes(&s.export(Some(4), "after-4")), before_4);
    // Nothing dangles.
    let conn = db(&s);
    let dangling: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(dangling, 0);
    let unreferenced: i64 = conn
        .query_row(
            "SELECT count(*) FROM blobs WHERE id NOT IN (SELECT element FROM connector_versions
               UNION SELECT meta FROM operations UNION SELECT input_schema FROM operations
               UNION SELECT output_schema FROM operations)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unreferenced, 0);
}

#[test]
fn the_file_shrinks_when_most_of_the_catalog_was_only_in_pruned_snapshots() {
    let s = Scratch::new();
    let big = s.path("big");
    write_catalog(&generated_catalog(300), &big);
    s.crawl_dir(&big);
    s.crawl_dir(&fixture("tiny"));
    let summary = prune_json(&s, &["--keep", "1"]);
    assert_eq!(ids(&summary["deleted_snapshots"]), [1]);
    let before = summary["db_bytes_before"].as_u64().unwrap();
    let after = summary["db_bytes_after"].as_u64().unwrap();
    assert!(after * 4 < before, "{summary}");
    let on_disk = std::fs::metadata(s.home().join("catalog.db"))
        .unwrap()
        .len();
    let wal = std::fs::metadata(s.home().join("catalog.db-wal")).map_or(0, |m| m.len());
    assert_eq!(on_disk + wal, after);
    // The tiny night is all that is left, and it is whole.
    let out = s.export(None, "tiny-again");
    assert_eq!(
        crate::common::json_tree(&out),
        crate::common::json_tree(&fixture("tiny"))
    );
}

#[test]
fn diff_search_and_the_index_keep_working_on_what_remains() {
    // Snapshot 1 is the search fixture, whose states nothing later shares; 2 and 3 are the sample nights.
    let s = crawled(&[fixture("search"), night("2026-11-25"), night("2026-11-26")]);
    let diff_before = diff_json(&s, &["--from", "2", "--to", "3"]);
    let search_before: Vec<(u64, Vec<String>)> = QUERIES.iter().map(|q| found(&s, q)).collect();
    let documents_before = index_json(&s, &[])["documents"].as_u64().unwrap();

    let summary = prune_json(&s, &["--keep", "2"]);
    assert_eq!(ids(&summary["deleted_snapshots"]), [1]);
    assert!(summary["connector_version_states"].as_u64().unwrap() > 0);

    // The default diff is now between the two remaining snapshots, and says the same.
    let diff_after = diff_json(&s, &[]);
    assert_eq!(diff_after["from"]["snapshot"], 2);
    assert_eq!(diff_after["to"]["snapshot"], 3);
    assert_eq!(diff_after["changes"], diff_before["changes"]);
    assert_eq!(diff_after["summary"], diff_before["summary"]);
    let search_after: Vec<(u64, Vec<String>)> = QUERIES.iter().map(|q| found(&s, q)).collect();
    assert_eq!(search_after, search_before);
    // A pruned snapshot is gone for search too.
    let out = s
        .cmd()
        .args(["search", "send", "--snapshot", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    // The index lost exactly the pruned states' documents: it equals one built from scratch.
    let updated = index_json(&s, &[]);
    assert_eq!(updated["added_documents"], 0, "{updated}");
    let documents_after = updated["documents"].as_u64().unwrap();
    assert!(documents_after < documents_before);
    let rebuilt = index_json(&s, &["--rebuild"]);
    assert_eq!(rebuilt["documents"].as_u64().unwrap(), documents_after);
    assert_eq!(
        QUERIES.iter().map(|q| found(&s, q)).collect::<Vec<_>>(),
        search_before
    );
}

#[test]
fn a_new_state_that_reuses_a_pruned_states_id_is_indexed() {
    // Snapshot 2's own states have the highest row ids; pruning them lets the next crawl give those ids out again.
    let s = crawled(&[
        night("2026-11-25"),
        night("2026-11-26"),
        night("2026-11-25"),
    ]);
    // One segment holding every state, so the pruned ones are deleted inside a segment that stays (a segment
    // whose documents are all deleted is dropped whole).
    index_json(&s, &["--rebuild"]);
    let summary = prune_json(&s, &["--keep", "1"]);
    assert!(summary["connector_version_states"].as_u64().unwrap() > 0);
    s.crawl_dir(&fixture("search"));
    let hits = search(&s, "teams send message");
    assert!(
        hits["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["connector"] == "teams"),
        "{hits}"
    );
    let updated = index_json(&s, &[])["documents"].as_u64().unwrap();
    let rebuilt = index_json(&s, &["--rebuild"])["documents"]
        .as_u64()
        .unwrap();
    assert_eq!(updated, rebuilt);
}

const QUERIES: [&str; 3] = ["find records", "send message", "create ticket"];

fn search(s: &Scratch, query: &str) -> Value {
    let out = s
        .cmd()
        .args([
            "search",
            query,
            "--all-versions",
            "--limit",
            "50",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// What a search found, whatever the scores: removing documents changes BM25's corpus statistics, so scores move a
/// little while the operations found must not.
fn found(s: &Scratch, query: &str) -> (u64, Vec<String>) {
    let result = search(s, query);
    let mut hits: Vec<String> = result["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| format!("{} {} {}", h["connector"], h["version"], h["operation"]))
        .collect();
    hits.sort();
    (result["total"].as_u64().unwrap(), hits)
}

fn diff_json(s: &Scratch, args: &[&str]) -> Value {
    let out = s
        .cmd()
        .args(["diff", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn index_json(s: &Scratch, args: &[&str]) -> Value {
    let out = s
        .cmd()
        .args(["index", "--json"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Moves snapshot `id`'s start back by `days`.
fn backdate(s: &Scratch, id: i64, days: i64) {
    let conn = Connection::open(s.home().join("catalog.db")).unwrap();
    let started: String = conn
        .query_row(
            "SELECT started_at FROM snapshots WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    let earlier =
        chrono::DateTime::parse_from_rfc3339(&started).unwrap() - chrono::Duration::days(days);
    conn.execute(
        "UPDATE snapshots SET started_at = ?2 WHERE id = ?1",
        rusqlite::params![
            id,
            earlier
                .to_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        ],
    )
    .unwrap();
}

#[test]
fn older_than_drops_what_started_before_the_cutoff() {
    let s = four_nights();
    let out = prune(&s, &["--older-than", "1h"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("nothing to prune"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(snapshot_ids(&s).len(), 4);

    backdate(&s, 1, 100);
    backdate(&s, 2, 91);
    backdate(&s, 3, 89);
    let summary = prune_json(&s, &["--older-than", "90d"]);
    assert_eq!(ids(&summary["deleted_snapshots"]), [1, 2]);
    // Either rule is enough: --keep 3 alone would keep 3 now, --older-than 12w drops it.
    let summary = prune_json(&s, &["--keep", "3", "--older-than", "12w", "--dry-run"]);
    assert_eq!(ids(&summary["deleted_snapshots"]), [3]);
}

#[test]
fn a_duration_that_is_not_one_is_refused_saying_what_is_expected() {
    let s = four_nights();
    for bad in ["90", "90x", "1.5d", "-2w", "d", "90 days", "0d", ""] {
        let out = prune(&s, &[&format!("--older-than={bad}")]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            stderr(&out).contains("whole number followed by h (hours), d (days) or w (weeks)"),
            "{bad}: {}",
            stderr(&out)
        );
    }
    for args in [&[][..], &["--keep", "0"][..], &["--dry-run"][..]] {
        let out = prune(&s, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    assert_eq!(snapshot_ids(&s).len(), 4);
}

/// A failed crawl (a listed version without its operations file), recorded as a failed snapshot.
fn failed_crawl(s: &Scratch) {
    let dir = s.path("broken");
    if !dir.exists() {
        write_catalog(&generated_catalog(4), &dir);
        std::fs::remove_file(dir.join("operations/connector-000/1.0.json")).unwrap();
    }
    let out = s
        .cmd()
        .args(["crawl", "--from-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn the_latest_complete_snapshot_and_running_ones_always_stay() {
    let s = Scratch::new();
    failed_crawl(&s); // 1 failed
    s.crawl_dir(&night("2026-11-25")); // 2
    failed_crawl(&s); // 3 failed
    s.crawl_dir(&night("2026-11-26")); // 4
    failed_crawl(&s); // 5 failed
    // 6: a crawl that was killed (its row stays running until the next crawl).
    Connection::open(s.home().join("catalog.db"))
        .unwrap()
        .execute(
            "INSERT INTO snapshots (status, started_at, source, trayscope_version)
             VALUES ('running', '2020-01-01T00:00:00.000Z', 'killed', '0')",
            [],
        )
        .unwrap();
    for id in 1..=5 {
        backdate(&s, id, 365);
    }

    let summary = prune_json(&s, &["--older-than", "1d"]);
    // Everything is old, but 4 is the latest complete snapshot; 5 failed after it; 6 is running.
    assert_eq!(ids(&summary["deleted_snapshots"]), [1, 2, 3]);
    assert_eq!(ids(&summary["kept_snapshots"]), [4, 5, 6]);
    assert_eq!(
        snapshot_ids(&s),
        [
            (4, "complete".to_owned()),
            (5, "failed".to_owned()),
            (6, "running".to_owned())
        ]
    );
    let again = prune_json(&s, &["--keep", "1", "--older-than", "1h"]);
    assert_eq!(ids(&again["deleted_snapshots"]), Vec::<i64>::new());
    let out = prune(&s, &["--keep", "1"]);
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("nothing to prune; keeping snapshots 4, 5, 6"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(s.complete_snapshots().len(), 1);
    s.export(Some(4), "still-there");
}

#[test]
fn dry_run_reports_what_a_real_run_does_and_changes_nothing() {
    let s = four_nights();
    let before = counts(&s);
    let before_1 = file_bytes(&s.export(Some(1), "before-1"));
    let dry = prune_json(&s, &["--keep", "1", "--dry-run"]);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(counts(&s), before);
    assert_eq!(file_bytes(&s.export(Some(1), "after-dry-1")), before_1);
    let out = prune(&s, &["--keep", "1", "--dry-run"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(
            "would delete 3 snapshots (1, 2, 3), keeping 4; would free 10 connector version states"
        ),
        "{text}"
    );
    assert_eq!(counts(&s), before);

    let real = prune_json(&s, &["--keep", "1"]);
    for key in [
        "deleted_snapshots",
        "kept_snapshots",
        "connector_version_states",
        "blobs",
        "bytes_freed",
    ] {
        assert_eq!(dry[key], real[key], "{key}");
    }
    assert_ne!(counts(&s), before);
}

#[test]
fn a_held_writer_lock_makes_prune_exit_2_and_change_nothing() {
    let s = four_nights();
    let before = counts(&s);
    let home = trayscope::home::Home::new(s.home());
    let lock = home.try_lock_writer().unwrap();
    let out = prune(&s, &["--keep", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("another trayscope run holds"),
        "{}",
        stderr(&out)
    );
    assert_eq!(counts(&s), before);
    drop(lock);
    assert!(prune(&s, &["--keep", "1"]).status.success());
}

#[test]
fn prune_without_a_catalog_says_how_to_start() {
    let s = Scratch::new();
    let out = prune(&s, &["--keep", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("trayscope crawl"), "{}", stderr(&out));
}

#[test]
fn history_covers_only_what_remains() {
    let s = four_nights();
    prune_json(&s, &["--keep", "2"]);
    let out = s
        .cmd()
        .args(["history", "http-client", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let timeline: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(timeline["snapshots"], 2);
    let events: Vec<(i64, &str, &str)> = timeline["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["snapshot"].as_i64().unwrap(),
                e["code"].as_str().unwrap(),
                e["version"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            (3, "version-appeared", "5.5"),
            (3, "version-appeared", "5.6"),
            (4, "version-vanished", "5.5")
        ]
    );
}
