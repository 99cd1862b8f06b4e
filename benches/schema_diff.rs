//! Schema-diff micro-benchmark: `diff_schemas` alone, on real schema pairs from two corpus nights.
//!
//!     cargo bench --bench schema_diff                             # 2024-03-31 → 2024-10-23
//!     TRAYSCOPE_BENCH_RUNS=500 cargo bench --bench schema_diff
//!
//! It pairs every operation schema of the later night with the same operation in the same connector version of the
//! earlier night, or in the connector's newest earlier version when the version is new (what `diff` compares for an
//! upgrade), keeps the pairs that differ, and times:
//! - the largest pair (by bytes of both schemas), in both directions, `TRAYSCOPE_BENCH_RUNS` times each;
//! - every differing pair once in both directions, as one pass, five times.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{corpus_night, env_number, ms, percentile};
use serde_json::Value;
use trayscope::diff::{Direction, diff_schemas};

/// (connector, version file, operation, schema field, old schema, new schema).
type Pair = (String, String, String, String, Value, Value);

fn main() {
    let from_night = std::env::var("TRAYSCOPE_BENCH_FROM").unwrap_or_else(|_| "2024-03-31".into());
    let to_night = std::env::var("TRAYSCOPE_BENCH_TO").unwrap_or_else(|_| "2024-10-23".into());
    let runs: usize = env_number("TRAYSCOPE_BENCH_RUNS", 200);
    let (a, b) = (corpus_night(&from_night), corpus_night(&to_night));
    let mut pairs = changed_pairs(&a.join("operations"), &b.join("operations"));
    pairs.sort_by_key(|p| std::cmp::Reverse(size(&p.4) + size(&p.5)));
    let Some((connector, version, operation, field, old, new)) = pairs.first() else {
        println!("no differing schema pairs between {from_night} and {to_night}");
        return;
    };
    println!(
        "{from_night} → {to_night}: {} differing schema pairs; largest: {connector} {version} {operation} {field} \
         ({} + {} bytes)",
        pairs.len(),
        size(old),
        size(new)
    );
    for direction in [Direction::Input, Direction::Output] {
        let mut times = Vec::with_capacity(runs);
        let mut changes = 0;
        for _ in 0..runs {
            let started = Instant::now();
            changes = std::hint::black_box(diff_schemas(old, new, direction)).len();
            times.push(started.elapsed());
        }
        println!(
            "diff_schemas largest pair as {:<6}: p50 {:.3} ms  max {:.3} ms  ({runs} runs, {changes} changes)",
            direction.as_str(),
            ms(percentile(&mut times, 0.5)),
            ms(percentile(&mut times, 1.0))
        );
    }
    let mut passes: Vec<Duration> = Vec::new();
    let mut changes = 0;
    for _ in 0..5 {
        let started = Instant::now();
        changes = 0;
        for (.., old, new) in &pairs {
            for direction in [Direction::Input, Direction::Output] {
                changes += std::hint::black_box(diff_schemas(old, new, direction)).len();
            }
        }
        passes.push(started.elapsed());
    }
    println!(
        "diff_schemas every pair, both directions: p50 {:.1} ms  max {:.1} ms  (5 passes, {changes} changes)",
        ms(percentile(&mut passes, 0.5)),
        ms(percentile(&mut passes, 1.0))
    );
}

fn size(v: &Value) -> usize {
    serde_json::to_vec(v).map_or(0, |b| b.len())
}

fn read(path: &Path) -> Value {
    let text = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Operation name → operation object, from one operations file.
fn operations(body: &Value) -> BTreeMap<String, Value> {
    body["elements"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|op| Some((op["name"].as_str()?.to_owned(), op.clone())))
        .collect()
}

fn version_key(file: &str) -> Vec<u64> {
    file.trim_end_matches(".json")
        .split('.')
        .map(|p| p.parse().unwrap_or(0))
        .collect()
}

fn list(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn changed_pairs(old_ops: &Path, new_ops: &Path) -> Vec<Pair> {
    let mut pairs = Vec::new();
    for connector in list(new_ops) {
        let mut old_versions = list(&old_ops.join(&connector));
        if old_versions.is_empty() {
            continue;
        }
        old_versions.sort_by_key(|v| version_key(v));
        for version in list(&new_ops.join(&connector)) {
            let old_file = if old_versions.contains(&version) {
                version.clone()
            } else {
                old_versions.last().cloned().unwrap_or_default()
            };
            let old = operations(&read(&old_ops.join(&connector).join(&old_file)));
            let new = operations(&read(&new_ops.join(&connector).join(&version)));
            for (name, new_op) in &new {
                let Some(old_op) = old.get(name) else {
                    continue;
                };
                for field in ["inputSchema", "outputSchema"] {
                    let (o, n) = (&old_op[field], &new_op[field]);
                    if o != n {
                        pairs.push((
                            connector.clone(),
                            version.clone(),
                            name.clone(),
                            field.to_owned(),
                            o.clone(),
                            n.clone(),
                        ));
                    }
                }
            }
        }
    }
    pairs
}
