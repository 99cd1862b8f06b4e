//! Validation benchmark: how many inputs per second `validate` checks against the largest real input schemas of a
//! corpus night (`../shared/corpus`), and what compiling every input schema of the night costs.
//!
//! For each of the largest schemas it generates one full input (every property, nested objects and arrays filled,
//! enums and bounds respected as far as a generator can) and one broken copy (every string replaced by a number),
//! then times `SchemaValidator::is_valid` and `SchemaValidator::errors` (which writes every message) on each for a
//! fixed while. Prints figures; asserts nothing.
//!
//!     cargo bench --bench validate                                    # night 2024-10-23, the 10 largest
//!     TRAYSCOPE_BENCH_NIGHT=2022-06-30 TRAYSCOPE_BENCH_SCHEMAS=20 TRAYSCOPE_BENCH_MS=1000 cargo bench --bench validate

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use trayscope::refs::follow_leniently;
use trayscope::validate::SchemaValidator;

struct Operation {
    place: String,
    bytes: usize,
    schema: Value,
}

fn main() {
    let night: String = common::env_number("TRAYSCOPE_BENCH_NIGHT", "2024-10-23".to_owned());
    let largest: usize = common::env_number("TRAYSCOPE_BENCH_SCHEMAS", 10);
    let window = Duration::from_millis(common::env_number("TRAYSCOPE_BENCH_MS", 500));
    let root = common::corpus_night(&night);

    let mut operations = Vec::new();
    for connector in std::fs::read_dir(root.join("operations")).expect("operations/") {
        let connector = connector.expect("entry").path();
        for file in std::fs::read_dir(&connector).expect("connector dir") {
            let file = file.expect("entry").path();
            let body: Value =
                serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("JSON");
            let version = file.file_stem().and_then(|s| s.to_str()).unwrap_or("?");
            let name = connector
                .file_name()
                .and_then(|s| s.to_str())
                .unwrap_or("?");
            for element in body["elements"].as_array().into_iter().flatten() {
                let schema = element["inputSchema"].clone();
                operations.push(Operation {
                    place: format!(
                        "{name} {version} {}",
                        element["name"].as_str().unwrap_or("?")
                    ),
                    bytes: serde_json::to_vec(&schema).map_or(0, |b| b.len()),
                    schema,
                });
            }
        }
    }

    // Every input schema of the night, compiled once.
    let started = Instant::now();
    let (mut usable, mut relaxed, mut unusable) = (0, 0, 0);
    for op in &operations {
        match SchemaValidator::new(&op.schema) {
            Ok(v) if v.relaxed().is_empty() => usable += 1,
            Ok(_) => relaxed += 1,
            Err(_) => unusable += 1,
        }
    }
    let all = started.elapsed();
    println!(
        "night {night}: compiled all {} input schemas in {:.2} s ({:.3} ms each on average): {usable} as they are, \
         {relaxed} relaxed (a `type` JSON Schema does not have), {unusable} unusable",
        operations.len(),
        all.as_secs_f64(),
        all.as_secs_f64() * 1000.0 / operations.len() as f64
    );

    operations.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.place.cmp(&b.place)));
    println!(
        "\n{:<60} {:>7} {:>7} {:>8} {:>11} {:>11} {:>13}",
        "largest input schemas",
        "schema",
        "input",
        "compile",
        "is_valid/s",
        "errors()/s",
        "broken/s (errs)"
    );
    let (mut inputs, mut spent) = (0u64, Duration::ZERO);
    for op in operations.iter().take(largest) {
        let mut compile = Vec::new();
        let mut validator = None;
        for _ in 0..5 {
            let started = Instant::now();
            validator =
                Some(SchemaValidator::new(&op.schema).expect("the largest schemas compile"));
            compile.push(started.elapsed());
        }
        let validator = validator.expect("compiled");
        let input = generate(&op.schema, &op.schema, 0);
        let broken = break_strings(&input);
        let errors_in_input = validator.errors(&input).len();
        let errors_in_broken = validator.errors(&broken).len();
        let (n, t) = rate(window, || black_box(validator.is_valid(black_box(&input))));
        let valid_rate = n as f64 / t.as_secs_f64();
        let (n, t) = rate(window, || {
            black_box(validator.errors(black_box(&input))).len()
        });
        let errors_rate = n as f64 / t.as_secs_f64();
        inputs += n;
        spent += t;
        let (n, t) = rate(window, || {
            black_box(validator.errors(black_box(&broken))).len()
        });
        let broken_rate = n as f64 / t.as_secs_f64();
        inputs += n;
        spent += t;
        println!(
            "{:<60} {:>6}K {:>6}K {:>6.2}ms {:>11.0} {:>11.0} {:>8.0} ({})",
            op.place.chars().take(60).collect::<String>(),
            op.bytes / 1024,
            serde_json::to_vec(&input).map_or(0, |b| b.len()) / 1024,
            common::ms(common::percentile(&mut compile, 0.5)),
            valid_rate,
            errors_rate,
            broken_rate,
            errors_in_broken,
        );
        if errors_in_input > 0 {
            println!(
                "    (the generated input has {errors_in_input} errors: patterns or formats it could not meet)"
            );
        }
    }
    println!(
        "\nall together: {:.0} inputs per second through errors() ({} inputs in {:.2} s), on one core",
        inputs as f64 / spent.as_secs_f64(),
        inputs,
        spent.as_secs_f64()
    );
}

/// Runs `f` for about `window`; (runs, time taken).
fn rate<T>(window: Duration, mut f: impl FnMut() -> T) -> (u64, Duration) {
    let started = Instant::now();
    let mut n = 0;
    while started.elapsed() < window {
        for _ in 0..16 {
            black_box(f());
        }
        n += 16;
    }
    (n, started.elapsed())
}

/// A value the schema at `node` accepts, as far as a generator can tell: every property, the first enum value or
/// `anyOf`/`oneOf` form, lengths and bounds respected.
fn generate(root: &Value, node: &Value, depth: usize) -> Value {
    let node = follow_leniently(root, node, 16);
    if depth > 12 {
        return Value::Null;
    }
    if let Some(first) = node
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    if let Some(value) = node.get("const") {
        return value.clone();
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(first) = node
            .get(key)
            .and_then(Value::as_array)
            .and_then(|f| f.first())
        {
            return generate(root, first, depth + 1);
        }
    }
    let kind = match node.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if node.get("properties").is_some() => "object",
        _ => "string",
    };
    match kind {
        "object" => {
            let mut out = Map::new();
            if let Some(properties) = node.get("properties").and_then(Value::as_object) {
                for (name, child) in properties {
                    out.insert(name.clone(), generate(root, child, depth + 1));
                }
            }
            Value::Object(out)
        }
        "array" => {
            let item = node
                .get("items")
                .map_or(Value::Null, |i| generate(root, i, depth + 1));
            Value::Array(vec![item])
        }
        "integer" => json!(
            node.get("minimum")
                .and_then(Value::as_i64)
                .unwrap_or(1)
                .max(1)
        ),
        "number" => json!(node.get("minimum").and_then(Value::as_f64).unwrap_or(1.5)),
        "boolean" => json!(true),
        "null" => Value::Null,
        _ => {
            let min = node.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
            let max = node
                .get("maxLength")
                .and_then(Value::as_u64)
                .map_or(usize::MAX, |m| m as usize);
            Value::String("x".repeat(min.max(8.min(max))))
        }
    }
}

/// The same input with every string replaced by the number 42: type errors throughout.
fn break_strings(value: &Value) -> Value {
    match value {
        Value::String(_) => json!(42),
        Value::Array(items) => Value::Array(items.iter().map(break_strings).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), break_strings(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}
