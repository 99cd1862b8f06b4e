//! `trayscope search` and `trayscope index` against a real index on disk.
//!
//! `tests/fixtures/search/` is a small catalog built for ranking: slack 9.1 and 10.0 (`send_message`; 10.0 adds
//! `set_channel_topic`), teams 2.0 (`send_message` too), twilio-output `send_sms`, salesforce `find_records` and
//! `upsert_record` (input `external_id_field`), google-sheets `get_rows` (output `rows[].cells`), and a trap,
//! audit-log `list_events`, whose one schema field description is "Send message." but whose name, title and
//! description say nothing of sending. The two bundled example nights test snapshots and rebuilds.

use std::path::PathBuf;
use std::process::{Output, Stdio};

use serde_json::Value;

use crate::common::{Scratch, fixture, stderr};

fn search_fixture() -> PathBuf {
    fixture("search")
}

fn example_night(night: &str) -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/catalog")
        .join(night)
}

fn crawled(dirs: &[PathBuf]) -> Scratch {
    let s = Scratch::new();
    for dir in dirs {
        s.crawl_dir(dir);
    }
    s
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn run(s: &Scratch, args: &[&str]) -> Output {
    s.cmd().arg("search").args(args).output().unwrap()
}

/// `search ARGS --format json`, which must succeed.
fn search_json(s: &Scratch, args: &[&str]) -> Value {
    s.json(&[&["search"], args, &["--format", "json"]].concat())
}

/// (connector, version, operation) of each hit, best first.
fn hits(result: &Value) -> Vec<(String, String, String)> {
    result["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["connector"].as_str().unwrap().to_owned(),
                h["version"].as_str().unwrap().to_owned(),
                h["operation"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn first_hit(s: &Scratch, query: &str) -> (String, String, String) {
    let result = search_json(s, &[query]);
    hits(&result)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no hit for {query:?}"))
}

fn hit(connector: &str, version: &str, operation: &str) -> (String, String, String) {
    (connector.into(), version.into(), operation.into())
}

#[test]
fn the_expected_operation_is_the_first_hit() {
    let s = crawled(&[search_fixture()]);
    let cases = [
        (
            "which connector can send an SMS?",
            hit("twilio-output", "2.1", "send_sms"),
        ),
        // Connector words count: two connectors have send_message.
        ("slack send message", hit("slack", "10.0", "send_message")),
        ("teams send message", hit("teams", "2.0", "send_message")),
        (
            "what does salesforce find_records take?",
            hit("salesforce", "8.6", "find_records"),
        ),
        (
            "where is external_id_field used?",
            hit("salesforce", "8.6", "upsert_record"),
        ),
        // camelCase finds snake_case: both are the words "external id field".
        ("externalIdField", hit("salesforce", "8.6", "upsert_record")),
        ("rows.cells", hit("google-sheets", "6.1", "get_rows")),
        ("Twilio", hit("twilio-output", "2.1", "send_sms")),
        ("version:2.1", hit("twilio-output", "2.1", "send_sms")),
    ];
    for (query, expected) in cases {
        assert_eq!(first_hit(&s, query), expected, "query {query:?}");
    }
}

#[test]
fn a_match_in_the_name_beats_one_buried_in_a_schema_description() {
    let s = crawled(&[search_fixture()]);
    let result = search_json(&s, &["send message", "--limit", "50"]);
    let found = hits(&result);
    let mut best_two = found[..2].to_vec();
    best_two.sort();
    assert_eq!(
        best_two,
        [
            hit("slack", "10.0", "send_message"),
            hit("teams", "2.0", "send_message")
        ]
    );
    // The trap matches too, only lower.
    let trap = found
        .iter()
        .position(|h| h.2 == "list_events")
        .expect("audit-log list_events matches through its field descriptions");
    assert!(trap > 1, "{found:?}");
    assert_eq!(result["total"].as_u64().unwrap() as usize, found.len());
}

#[test]
fn typos_in_longer_words_are_forgiven() {
    let s = crawled(&[search_fixture()]);
    assert_eq!(
        first_hit(&s, "slack send mesage"),
        hit("slack", "10.0", "send_message")
    );
    assert_eq!(
        first_hit(&s, "salesforse upsert"),
        hit("salesforce", "8.6", "upsert_record")
    );
    // A typo with no correct word beside it still finds the word.
    let result = search_json(&s, &["mesage"]);
    assert!(result["total"].as_u64().unwrap() > 0);
    assert!(
        hits(&result)[0].2.contains("message"),
        "{:?}",
        hits(&result)
    );
    // Short words are not stretched: "sns" is not "sms".
    assert_eq!(search_json(&s, &["sns"])["total"], 0);
}

#[test]
fn the_last_word_matches_as_a_prefix_while_being_typed() {
    let s = crawled(&[search_fixture()]);
    assert_eq!(
        first_hit(&s, "channel topi"),
        hit("slack", "10.0", "set_channel_topic")
    );
    // Followed by a space, the word is complete and "topi" matches nothing.
    let result = search_json(&s, &["topi "]);
    assert_eq!(result["total"], 0, "{result}");
    // Unless a star says it is a prefix, anywhere in the query.
    let starred = search_json(&s, &["topi* channel "]);
    assert_eq!(
        hits(&starred)[0],
        hit("slack", "10.0", "set_channel_topic"),
        "{starred}"
    );
}

#[test]
fn quoted_phrases_keep_their_word_order() {
    let s = crawled(&[search_fixture()]);
    let ordered = search_json(&s, &["\"send message\""]);
    assert_eq!(hits(&ordered)[0], hit("slack", "10.0", "send_message"));
    // Reversed, it no longer matches the operation's name, title or description. (Schema field descriptions are
    // indexed without positions: there a phrase matches as all of its words, so the trap still matches.)
    let reversed = search_json(&s, &["\"message send\"", "--limit", "50"]);
    assert!(
        hits(&reversed).iter().all(|h| h.2 == "list_events"),
        "{reversed}"
    );
    let unquoted = search_json(&s, &["message send"]);
    assert!(unquoted["total"].as_u64().unwrap() > 0);
}

#[test]
fn the_newest_version_only_by_default_and_every_version_on_request() {
    let s = crawled(&[search_fixture()]);
    let newest = search_json(&s, &["send_message", "--connector", "slack"]);
    assert_eq!(hits(&newest), vec![hit("slack", "10.0", "send_message")]);
    let all = search_json(
        &s,
        &["send_message", "--connector", "slack", "--all-versions"],
    );
    let mut found = hits(&all);
    found.sort();
    assert_eq!(
        found,
        vec![
            hit("slack", "10.0", "send_message"),
            hit("slack", "9.1", "send_message")
        ]
    );
    // Equal scores: the newest version first.
    assert_eq!(hits(&all)[0].1, "10.0");
}

#[test]
fn filters_narrow_to_a_connector_and_a_version() {
    let s = crawled(&[search_fixture()]);
    let slack = search_json(&s, &["channel", "--connector", "slack", "--limit", "50"]);
    assert!(!hits(&slack).is_empty());
    assert!(hits(&slack).iter().all(|h| h.0 == "slack" && h.1 == "10.0"));

    let old = search_json(
        &s,
        &[
            "channel",
            "--connector",
            "slack",
            "--version",
            "9.1",
            "--limit",
            "50",
        ],
    );
    assert!(!hits(&old).is_empty());
    assert!(hits(&old).iter().all(|h| h.0 == "slack" && h.1 == "9.1"));
    assert!(
        !hits(&old).iter().any(|h| h.2 == "set_channel_topic"),
        "9.1 has no set_channel_topic"
    );

    let unknown = run(&s, &["send", "--connector", "slak"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("no connector named \"slak\""),
        "{}",
        stderr(&unknown)
    );

    let no_version = run(&s, &["send", "--connector", "slack", "--version", "7.0"]);
    assert_eq!(no_version.status.code(), Some(2));
    assert!(
        stderr(&no_version).contains("9.1, 10.0"),
        "{}",
        stderr(&no_version)
    );
}

#[test]
fn json_output_has_the_documented_shape() {
    let s = crawled(&[search_fixture()]);
    let result = search_json(&s, &["send sms", "--limit", "2"]);
    let keys: Vec<&String> = result.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["hits", "query", "total", "unmatched_terms"]);
    assert_eq!(result["query"], "send sms");
    assert_eq!(result["unmatched_terms"], serde_json::json!([]));
    assert!(result["total"].as_u64().unwrap() >= 2);
    let first = &result["hits"][0];
    let mut hit_keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    hit_keys.sort();
    assert_eq!(
        hit_keys,
        [
            "connector",
            "operation",
            "score",
            "snippet",
            "title",
            "version"
        ]
    );
    assert_eq!(first["title"], "Send SMS");
    assert!(first["score"].as_f64().unwrap() > 0.0);
    assert!(
        first["snippet"].as_str().unwrap().contains("**SMS**"),
        "{first}"
    );
    assert!(result["hits"].as_array().unwrap().len() <= 2);
}

#[test]
fn human_output_shows_connector_version_operation_title_and_snippet() {
    let s = crawled(&[search_fixture()]);
    let out = run(&s, &["send", "sms"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("twilio-output 2.1  send_sms  Send SMS"));
    let snippet = lines.next().unwrap();
    assert!(snippet.starts_with("    "), "{snippet:?}");
    assert!(snippet.contains("**SMS**"), "{snippet:?}");
    assert!(text.contains("matches in snapshot 1"), "{text}");
}

#[test]
fn no_match_is_success_and_says_so() {
    let s = crawled(&[search_fixture()]);
    let out = run(&s, &["zebra"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("no matches for \"zebra\""),
        "{}",
        stderr(&out)
    );
    let result = search_json(&s, &["zebra"]);
    assert_eq!(result["total"], 0);
    assert_eq!(result["hits"], Value::Array(Vec::new()));
}

#[test]
fn a_query_the_parser_rejects_exits_2_with_a_message() {
    let s = crawled(&[search_fixture()]);
    for bad in [
        "\"send message",
        "(send",
        "colour:red",
        "version:[1 TO 2]",
        "?!",
    ] {
        let out = run(&s, &[bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.starts_with("error: "), "{bad}: {err}");
        assert!(!err.contains("panicked"), "{bad}: {err}");
    }
    // A bad query is reported even before there is anything to search.
    let empty = Scratch::new();
    let out = run(&empty, &["\"unbalanced"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot parse the query"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn searching_before_any_crawl_says_how_to_start() {
    let s = Scratch::new();
    let out = run(&s, &["send"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("trayscope crawl"), "{}", stderr(&out));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let s = crawled(&[search_fixture()]);
    let mut child = s
        .background()
        .args(["search", "channel", "--all-versions", "--limit", "100"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end before trayscope writes anything, as `| head -0` would.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("error"), "{}", stderr(&out));
}

#[test]
fn crawl_brings_the_index_up_to_date() {
    let s = crawled(&[example_night("2026-11-25")]);
    assert!(s.home().join("index/meta.json").is_file());
    let status = index_json(&s, &[]);
    assert_eq!(status["added_documents"], 0, "{status}");
    assert_eq!(status["snapshot"], 1);
    // set_channel_topic only exists from the second night on.
    assert_eq!(search_json(&s, &["set_channel_topic"])["total"], 0);
    s.crawl_dir(&example_night("2026-11-26"));
    assert_eq!(
        first_hit(&s, "set_channel_topic"),
        hit("slack", "10.0", "set_channel_topic")
    );
    // ... and the first night is still searchable as it was.
    assert_eq!(
        search_json(&s, &["set_channel_topic", "--snapshot", "1"])["total"],
        0
    );
}

#[test]
fn an_unchanged_recrawl_adds_no_documents() {
    let s = crawled(&[search_fixture()]);
    let before = index_json(&s, &[]);
    let found_before = search_json(&s, &["send_message", "--all-versions"]);
    s.crawl_dir(&search_fixture());
    let after = index_json(&s, &[]);
    assert_eq!(after["snapshot"], 2);
    assert_eq!(after["documents"], before["documents"]);
    let found_after = search_json(&s, &["send_message", "--all-versions"]);
    assert_eq!(found_after, found_before, "no duplicates");
}

fn index_json(s: &Scratch, extra: &[&str]) -> Value {
    let out = s
        .cmd()
        .args(["index", "--json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every hit of a set of searches over both nights, as JSON, to compare two indexes.
fn answers(s: &Scratch) -> Vec<Value> {
    let mut out = Vec::new();
    for query in ["send message", "records", "email", "channel", "ticket", "*"] {
        for snapshot in ["1", "2"] {
            out.push(search_json(
                s,
                &[
                    query,
                    "--all-versions",
                    "--snapshot",
                    snapshot,
                    "--limit",
                    "500",
                ],
            ));
        }
        out.push(search_json(s, &[query, "--limit", "500"]));
    }
    out
}

#[test]
fn a_rebuild_equals_the_incrementally_updated_index() {
    let s = crawled(&[example_night("2026-11-25"), example_night("2026-11-26")]);
    let incremental = answers(&s);
    let incremental_status = index_json(&s, &[]);
    let rebuilt = index_json(&s, &["--rebuild"]);
    assert_eq!(rebuilt["rebuilt"], true);
    assert_eq!(rebuilt["documents"], incremental_status["documents"]);
    assert_eq!(answers(&s), incremental);
    // Everything in both nights is there: 22 + 23 operations files, states shared where nothing changed.
    assert!(incremental[0]["total"].as_u64().unwrap() > 0);
}

#[test]
fn a_missing_or_broken_index_is_rebuilt_by_search() {
    let s = crawled(&[search_fixture()]);
    let expected = search_json(&s, &["send sms"]);
    std::fs::remove_dir_all(s.home().join("index")).unwrap();
    assert_eq!(search_json(&s, &["send sms"]), expected);
    std::fs::write(s.home().join("index/meta.json"), b"{ not json").unwrap();
    assert_eq!(search_json(&s, &["send sms"]), expected);
    let status = index_json(&s, &[]);
    assert_eq!(status["added_documents"], 0, "{status}");
}

#[test]
fn index_says_how_to_start_without_a_catalog() {
    let s = Scratch::new();
    let out = s.cmd().arg("index").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("trayscope crawl"), "{}", stderr(&out));
}

#[test]
fn a_word_no_operation_mentions_is_reported_with_the_hits_for_the_others() {
    let s = crawled(&[search_fixture()]);
    let result = search_json(&s, &["post", "tweet", "message"]);
    assert_eq!(result["unmatched_terms"], serde_json::json!(["tweet"]));
    assert!(!hits(&result).is_empty(), "{result}");
    let out = run(&s, &["send", "tweet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("no operation mentions \"tweet\"; results match the other words\n"),
        "{text}"
    );
    let both = search_json(&s, &["list salesforce zeppelins accounts"]);
    assert_eq!(
        both["unmatched_terms"],
        serde_json::json!(["zeppelins", "accounts"])
    );
}

#[test]
fn unmatched_terms_is_empty_when_every_word_matched_even_through_a_typo_or_a_prefix() {
    let s = crawled(&[search_fixture()]);
    for query in [
        "send sms",
        "slack send mesage",
        "salesforse records",
        "send mess",
        "which connector can send an SMS?",
        "send -tweet",
        "\"send a message\" slack",
    ] {
        let result = search_json(&s, &[query]);
        assert_eq!(
            result["unmatched_terms"],
            serde_json::json!([]),
            "{query}: {result}"
        );
    }
}

#[test]
fn unmatched_terms_counts_only_the_search_scope() {
    let s = crawled(&[search_fixture()]);
    // `topic` is only in slack 10.0 (set_channel_topic).
    let newest = search_json(&s, &["channel topic", "--connector", "slack"]);
    assert_eq!(newest["unmatched_terms"], serde_json::json!([]));
    let old = search_json(
        &s,
        &["channel topic", "--connector", "slack", "--version", "9.1"],
    );
    assert_eq!(old["unmatched_terms"], serde_json::json!(["topic"]));
    let fielded = search_json(&s, &["connector:twitter send"]);
    assert_eq!(
        fielded["unmatched_terms"],
        serde_json::json!(["connector:twitter"])
    );
    let phrase = search_json(&s, &["\"zeppelin hangar\" sms"]);
    assert_eq!(
        phrase["unmatched_terms"],
        serde_json::json!(["zeppelin hangar"])
    );
}

#[test]
fn the_library_search_result_lists_unmatched_terms() {
    use trayscope::index::{SearchRequest, VersionScope};
    let s = crawled(&[search_fixture()]);
    let index = trayscope::index::SearchIndex::open(&s.home().join("index")).unwrap();
    let mut store = trayscope::store::Store::open_read_only(&s.home().join("catalog.db")).unwrap();
    let search = |store: &mut trayscope::store::Store, query: &str| {
        index
            .search(
                store,
                &SearchRequest {
                    query,
                    snapshot: None,
                    connector: None,
                    versions: VersionScope::All,
                    limit: 5,
                },
            )
            .unwrap()
    };
    // The report's question: the hits match "list" and "salesforce", and say that nothing matches "accounts".
    let results = search(&mut store, "list Salesforce accounts");
    assert_eq!(results.unmatched_terms, ["accounts"]);
    assert!(!results.hits.is_empty());
    let results = search(&mut store, "Launch Zeppelin");
    assert_eq!(results.unmatched_terms, ["launch", "zeppelin"]);
    assert!(results.hits.is_empty());
    assert!(search(&mut store, "send sms").unmatched_terms.is_empty());
}
