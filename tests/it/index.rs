//! The search index kept by `crawl`: built while the crawl runs, committed only with its snapshot, mended the
//! ordinary way when indexing during the crawl cannot be used, and no leftovers from killed runs.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};
use trayscope::index::SearchIndex;
use trayscope::store::Store;

use crate::common::{Scratch, fixture, generated_catalog, stderr, write_catalog};
use crate::fake_tray::{Catalog, FakeTray, Fault, Options, Target};

fn example_night(night: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/catalog")
        .join(night)
}

/// `crawl --json` from the fake, one request at a time (so versions are stored in listing order).
fn crawl_http(s: &Scratch, fake: &FakeTray) -> Output {
    s.cmd()
        .env("TRAY_TOKEN", fake.token())
        .args(["crawl", "--json", "--api-url", &fake.url()])
        .args([
            "--backoff-ms",
            "5",
            "--max-attempts",
            "1",
            "--rate-limit",
            "1000",
        ])
        .args(["--concurrency", "1"])
        .output()
        .unwrap()
}

fn search_json(s: &Scratch, args: &[&str]) -> Value {
    s.json(&[&["search"], args, &["--format", "json"]].concat())
}

fn index_json(s: &Scratch, extra: &[&str]) -> Value {
    s.json(&[&["index", "--json"], extra].concat())
}

/// The index as it is on disk: (snapshot its manifest covers, documents).
fn on_disk(s: &Scratch) -> (i64, u64) {
    let index = SearchIndex::open(&s.home().join("index")).expect("an index");
    (index.manifest().snapshot, index.documents())
}

/// Names of the entries beside the index that look like a rebuild's or a crawl's work directories.
fn work_dirs(s: &Scratch) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(s.home())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("index."))
        .collect();
    names.sort();
    names
}

/// The search fixture with one more operation in slack 9.1, the first version listed.
fn search_fixture_with_zeppelin() -> Catalog {
    let mut catalog = Catalog::from_dir(&fixture("search"));
    let body = catalog
        .operations
        .get_mut(&("slack".to_owned(), "9.1".to_owned()))
        .unwrap();
    body["elements"].as_array_mut().unwrap().push(json!({
        "name": "launch_zeppelin", "title": "Launch zeppelin", "description": "Launch a zeppelin",
        "inputSchema": {"type": "object", "properties": {"hangar": {"type": "string"}}},
        "outputSchema": {"type": "object"}, "hasDynamicOutput": false}));
    catalog
}

#[test]
fn a_crawl_leaves_the_index_covering_its_snapshot() {
    let s = Scratch::new();
    s.crawl_dir(&example_night("2026-11-25"));
    assert_eq!(on_disk(&s).0, 1);
    s.crawl_dir(&example_night("2026-11-26"));
    let (snapshot, documents) = on_disk(&s);
    assert_eq!(snapshot, 2);
    // Nothing was left for a later update to do.
    let status = index_json(&s, &[]);
    assert_eq!(status["added_documents"], 0, "{status}");
    assert_eq!(status["documents"], documents);
    assert!(work_dirs(&s).is_empty(), "{:?}", work_dirs(&s));
}

#[test]
fn a_failed_crawl_leaves_the_index_as_it_was() {
    let s = Scratch::new();
    let fake = FakeTray::start(Catalog::from_dir(&fixture("search")), Options::default());
    let first = crawl_http(&s, &fake);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = on_disk(&s);
    let answers_before = search_json(&s, &["message", "--all-versions", "--limit", "100"]);

    // New content in the first version listed, then a 404 on the last: the new version is stored and handed to the
    // index before the crawl fails.
    fake.set_catalog(search_fixture_with_zeppelin());
    fake.fault(
        Target::Operations("teams".into(), "2.0".into()),
        Fault::Status(404),
        1,
    );
    let failed = crawl_http(&s, &fake);
    assert_eq!(failed.status.code(), Some(2), "{}", stderr(&failed));
    assert_eq!(on_disk(&s), before, "the index must not change");
    assert!(work_dirs(&s).is_empty(), "{:?}", work_dirs(&s));
    let zeppelin = search_json(&s, &["zeppelin", "--all-versions"]);
    assert_eq!(zeppelin["total"], 0, "{zeppelin}");
    assert_eq!(
        search_json(&s, &["message", "--all-versions", "--limit", "100"]),
        answers_before
    );

    // The next crawl may give the rolled-back row ids out again, to the same content: it is found, once.
    let third = crawl_http(&s, &fake);
    assert!(third.status.success(), "{}", stderr(&third));
    assert_eq!(on_disk(&s).0, 3);
    let zeppelin = search_json(&s, &["zeppelin", "--all-versions"]);
    assert_eq!(zeppelin["total"], 1, "{zeppelin}");
    assert_eq!(zeppelin["hits"][0]["operation"], "launch_zeppelin");
    let during_crawls = on_disk(&s).1;
    let rebuilt = index_json(&s, &["--rebuild"]);
    assert_eq!(rebuilt["documents"], during_crawls);
}

#[test]
fn a_failed_first_crawl_leaves_no_index_behind() {
    let s = Scratch::new();
    let fake = FakeTray::start(Catalog::from_dir(&fixture("search")), Options::default());
    fake.fault(
        Target::Operations("teams".into(), "2.0".into()),
        Fault::Status(404),
        1,
    );
    let failed = crawl_http(&s, &fake);
    assert_eq!(failed.status.code(), Some(2), "{}", stderr(&failed));
    assert!(!s.home().join("index").exists());
    assert!(work_dirs(&s).is_empty(), "{:?}", work_dirs(&s));
}

#[test]
fn a_missing_or_unusable_index_is_built_during_the_crawl_from_every_snapshot() {
    let s = Scratch::new();
    s.crawl_dir(&example_night("2026-11-25"));
    std::fs::remove_dir_all(s.home().join("index")).unwrap();
    s.crawl_dir(&example_night("2026-11-26"));
    assert_eq!(on_disk(&s).0, 2);
    // The first snapshot is searchable too, as a rebuild would have it.
    let old = search_json(&s, &["message", "--snapshot", "1", "--all-versions"]);
    assert!(old["total"].as_u64().unwrap() > 0, "{old}");
    let during = on_disk(&s).1;
    assert_eq!(index_json(&s, &["--rebuild"])["documents"], during);

    std::fs::write(s.home().join("index/meta.json"), b"{ not json").unwrap();
    s.crawl_dir(&example_night("2026-11-26"));
    assert_eq!(on_disk(&s), (3, during));
    assert_eq!(
        search_json(&s, &["message", "--snapshot", "1", "--all-versions"]),
        old
    );
    assert!(work_dirs(&s).is_empty(), "{:?}", work_dirs(&s));
}

#[test]
fn when_indexing_during_the_crawl_stops_the_index_is_updated_after_it() {
    let s = Scratch::new();
    s.crawl_dir(&fixture("search"));
    let full = on_disk(&s).1;
    // Drop one state's documents while the manifest still says its snapshot is indexed: the crawl's indexer meets
    // a stored version the index should hold and does not, and stops; the ordinary update after the crawl mends it.
    let mut store = Store::open_read_only(&s.home().join("catalog.db")).unwrap();
    let slack_9_1 = store
        .catalog(1)
        .unwrap()
        .entries
        .iter()
        .find(|e| e.name == "slack" && e.version.as_str() == "9.1")
        .unwrap()
        .state;
    let forgot =
        trayscope::index::forget_states(&s.home().join("index"), &mut store, &[slack_9_1]).unwrap();
    assert!(forgot.removed_documents > 0);
    assert!(on_disk(&s).1 < full);

    s.crawl_dir(&fixture("search"));
    assert_eq!(on_disk(&s), (2, full));
    let found = search_json(
        &s,
        &["send_message", "--connector", "slack", "--version", "9.1"],
    );
    assert_eq!(found["total"], 1, "{found}");
}

#[test]
fn leftover_work_directories_are_removed_at_the_next_index_write() {
    let s = Scratch::new();
    s.crawl_dir(&fixture("search"));
    let plant = |name: &str| {
        let dir = s.home().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("meta.json"), b"{}").unwrap();
    };
    for name in ["index.new-4242", "index.old-77", "index.new-notes"] {
        plant(name);
    }
    std::fs::write(s.home().join("index.new-99"), b"a file, not ours").unwrap();
    s.crawl_dir(&fixture("search"));
    assert_eq!(work_dirs(&s), ["index.new-99", "index.new-notes"]);

    plant("index.new-31337");
    index_json(&s, &[]);
    assert_eq!(work_dirs(&s), ["index.new-99", "index.new-notes"]);
    assert_eq!(
        search_json(&s, &["send sms"])["hits"][0]["operation"],
        "send_sms"
    );
}

#[test]
fn crawl_and_index_reports_what_it_indexed() {
    let scratch = Scratch::new();
    let home = trayscope::home::Home::new(scratch.home());
    home.create().unwrap();
    let source = trayscope::source::Source::Dir {
        root: fixture("search"),
        max_body_bytes: 1 << 20,
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let crawl = || {
        let writer = home.try_lock_writer().unwrap();
        runtime
            .block_on(trayscope::crawl::crawl_and_index(
                &home,
                &writer,
                &source,
                &trayscope::crawl::CrawlOptions::default(),
                &trayscope::crawl::Silent,
                std::future::pending(),
            ))
            .unwrap()
    };
    let first = crawl();
    let index = first.index.expect("indexed");
    assert!(index.rebuilt, "a first crawl starts the index afresh");
    assert_eq!(index.snapshot, first.summary.snapshot);
    assert_eq!(index.added_documents, first.summary.operations);
    assert_eq!(index.documents, first.summary.operations);

    let second = crawl();
    let index = second.index.expect("indexed");
    assert!(!index.rebuilt);
    assert_eq!(index.snapshot, second.summary.snapshot);
    assert_eq!(index.added_documents, 0, "an unchanged crawl adds nothing");
    assert_eq!(index.documents, first.summary.operations);
}

#[test]
fn a_fresh_index_committed_in_steps_during_the_crawl_equals_a_rebuild() {
    // 600 versions × 8 operations: more documents than the crawl's indexer holds before it commits a fresh index
    // in its own directory, so the index is built in several commits.
    let s = Scratch::new();
    let root = s.path("catalog");
    write_catalog(&generated_catalog(600), &root);
    s.crawl_dir(&root);
    let segments = tantivy::Index::open_in_dir(s.home().join("index"))
        .unwrap()
        .searchable_segment_ids()
        .unwrap();
    assert!(segments.len() >= 2, "{segments:?}");
    let answers = |s: &Scratch| -> Vec<Value> {
        [
            "operation records",
            "field_3_1",
            "connector 42",
            "long tail",
        ]
        .iter()
        .map(|q| search_json(s, &[q, "--all-versions", "--limit", "50"]))
        .collect()
    };
    let during = answers(&s);
    assert_eq!(during[0]["total"], 4_800);
    let rebuilt = index_json(&s, &["--rebuild"]);
    assert_eq!(rebuilt["documents"], 4_800);
    assert_eq!(answers(&s), during);
}

#[test]
fn segments_piling_up_over_nightly_crawls_are_merged_during_a_later_crawl() {
    // Each crawl that finds new content adds one segment; at eight, the next crawl merges them while it runs.
    let s = Scratch::new();
    let segments = |s: &Scratch| {
        tantivy::Index::open_in_dir(s.home().join("index"))
            .unwrap()
            .searchable_segment_ids()
            .unwrap()
            .len()
    };
    let mut most = 0;
    for n in 10..20 {
        let root = s.path(&format!("catalog-{n}"));
        write_catalog(&generated_catalog(n), &root);
        s.crawl_dir(&root);
        most = most.max(segments(&s));
    }
    assert_eq!(most, 8);
    assert!(segments(&s) <= 3, "{} segments", segments(&s));
    let answers = |s: &Scratch| search_json(s, &["operation", "--all-versions", "--limit", "500"]);
    let merged = answers(&s);
    assert_eq!(merged["total"], 19 * 8);
    index_json(&s, &["--rebuild"]);
    assert_eq!(answers(&s), merged);
}

#[test]
fn a_ref_bomb_in_a_catalog_is_indexed_and_searchable() {
    // The report's schema: 8 definitions, each an allOf of 50 references to the next. Walking every reference
    // again is ~50^8 visits: the index update spun forever holding the writer lock.
    let mut definitions = serde_json::Map::new();
    for level in 0..8 {
        let mut definition =
            json!({"properties": {format!("bomb_level_{level}"): {"type": "string"}}});
        if level < 7 {
            let next = json!({"$ref": format!("#/definitions/d{}", level + 1)});
            definition["allOf"] = Value::Array(vec![next; 50]);
        }
        definitions.insert(format!("d{level}"), definition);
    }
    let bomb = json!({"type": "object", "allOf": vec![json!({"$ref": "#/definitions/d0"}); 50],
                      "definitions": definitions});
    let mut catalog = Catalog::from_dir(&fixture("search"));
    let body = catalog
        .operations
        .get_mut(&("slack".to_owned(), "10.0".to_owned()))
        .unwrap();
    body["elements"].as_array_mut().unwrap().push(json!({
        "name": "detonate", "title": "Detonate", "description": "A schema bomb",
        "inputSchema": bomb, "outputSchema": {"type": "object"}, "hasDynamicOutput": false}));
    let s = Scratch::new();
    let root = s.path("catalog");
    write_catalog(&catalog, &root);
    s.crawl_dir(&root);
    let found = search_json(&s, &["field:bomb_level_7"]);
    assert_eq!(found["hits"][0]["operation"], "detonate", "{found}");
}
