//! Test helpers shared by the family tests: the case table format and its checker, a seeded random generator, and
//! generated schemas with their equivalent respellings.

use serde_json::{Map, Value, json};

use super::{Direction, SchemaChange, diff_schemas, is_breaking};

pub(crate) struct Case {
    pub(crate) name: &'static str,
    pub(crate) old: Value,
    pub(crate) new: Value,
    /// (pointer, kind); kinds and pointers never depend on direction.
    pub(crate) expect: Vec<(String, &'static str)>,
    pub(crate) breaks_input: bool,
    pub(crate) breaks_output: bool,
}

pub(crate) fn case(
    name: &'static str,
    old: Value,
    new: Value,
    expect: &[(&str, &'static str)],
    breaks_input: bool,
    breaks_output: bool,
) -> Case {
    Case {
        name,
        old,
        new,
        expect: expect.iter().map(|(p, k)| ((*p).to_owned(), *k)).collect(),
        breaks_input,
        breaks_output,
    }
}

/// An equivalent rewrite: no change at all, whichever side is old.
pub(crate) fn same_both(name: &'static str, old: Value, new: Value) -> Case {
    case(name, old, new, &[], false, false)
}

pub(crate) fn kinds_and_pointers(changes: &[SchemaChange]) -> Vec<(String, &'static str)> {
    changes
        .iter()
        .map(|c| (c.pointer.clone(), c.kind.as_str()))
        .collect()
}

/// Checks every case in both directions: exact kinds and pointers, the verdict, and (for cases without changes)
/// that swapping old and new changes nothing either.
pub(crate) fn check_cases(cases: &[Case]) {
    let mut failures = Vec::new();
    for c in cases {
        let mirrored = c.expect.is_empty();
        for (dir, verdict) in [
            (Direction::Input, c.breaks_input),
            (Direction::Output, c.breaks_output),
        ] {
            let changes = diff_schemas(&c.old, &c.new, dir);
            let mut expect = c.expect.clone();
            expect.sort();
            let got = kinds_and_pointers(&changes);
            if got != expect
                || is_breaking(&changes) != verdict
                || changes.iter().any(|x| x.direction != dir)
            {
                failures.push(format!(
                    "{} [{}]: expected {expect:?} breaking={verdict}, got {got:?} breaking={}\n  {:?}",
                    c.name,
                    dir.as_str(),
                    is_breaking(&changes),
                    changes
                        .iter()
                        .map(|x| (&x.pointer, x.kind.as_str(), x.breaking))
                        .collect::<Vec<_>>()
                ));
            }
            if mirrored && !diff_schemas(&c.new, &c.old, dir).is_empty() {
                failures.push(format!("{} [{}]: not symmetric", c.name, dir.as_str()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A seeded generator (fastrand's wyrand): the same seed gives the same schemas on every machine.
pub(crate) struct Rng(fastrand::Rng);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(fastrand::Rng::with_seed(seed))
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0.usize(..n.max(1))
    }
    pub(crate) fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub(crate) fn pick<'s>(&mut self, items: &[&'s str]) -> &'s str {
        items[self.below(items.len())]
    }
}

pub(crate) const NAMES: &[&str] = &["a", "b", "c/d", "e~f", "g"];
pub(crate) const TYPES: &[&str] = &[
    "string", "number", "integer", "object", "array", "boolean", "null",
];

pub(crate) fn scalar(rng: &mut Rng) -> Value {
    match rng.below(4) {
        0 => json!(rng.below(5)),
        1 => json!(rng.pick(NAMES)),
        2 => json!(rng.below(2) == 0),
        _ => Value::Null,
    }
}

/// A random schema mixing drafts the way real catalogs do; `objects` allows the object keywords.
pub(crate) fn schema(rng: &mut Rng, depth: usize, objects: bool) -> Value {
    if depth > 3 || rng.chance(10) {
        return match rng.below(4) {
            0 => json!(false),
            1 => json!(true),
            _ => json!({ "type": rng.pick(TYPES) }),
        };
    }
    let mut m = Map::new();
    if rng.chance(12) {
        // Real schemas put only annotations next to a `$ref`; validation siblings have no agreed meaning across
        // drafts.
        m.insert(
            "$ref".into(),
            json!(format!("#/definitions/{}", rng.pick(&["x", "y"]))),
        );
        if rng.chance(50) {
            m.insert("description".into(), json!(rng.pick(NAMES)));
        }
        return Value::Object(m);
    }
    if rng.chance(60) {
        let t: Vec<Value> = (0..1 + rng.below(3))
            .map(|_| json!(rng.pick(TYPES)))
            .collect();
        m.insert(
            "type".into(),
            if t.len() == 1 && rng.chance(50) {
                t[0].clone()
            } else {
                Value::Array(t)
            },
        );
    }
    if rng.chance(25) {
        m.insert(
            "enum".into(),
            Value::Array((0..1 + rng.below(4)).map(|_| scalar(rng)).collect()),
        );
    }
    if rng.chance(10) {
        m.insert("const".into(), scalar(rng));
    }
    for kw in [
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "multipleOf",
        "minProperties",
    ] {
        if rng.chance(12) {
            m.insert(kw.into(), json!(1 + rng.below(6)));
        }
    }
    if rng.chance(10) {
        m.insert(
            "exclusiveMinimum".into(),
            if rng.chance(50) {
                json!(true)
            } else {
                json!(rng.below(6))
            },
        );
    }
    if rng.chance(10) {
        m.insert("uniqueItems".into(), json!(rng.chance(50)));
    }
    if rng.chance(10) {
        m.insert("pattern".into(), json!(rng.pick(&["^a", "b$", "c"])));
    }
    if rng.chance(10) {
        m.insert("format".into(), json!(rng.pick(&["email", "date", "uri"])));
    }
    if objects && rng.chance(40) {
        let props: Map<String, Value> = (0..rng.below(4))
            .map(|_| (rng.pick(NAMES).to_owned(), schema(rng, depth + 1, objects)))
            .collect();
        m.insert("properties".into(), Value::Object(props));
    }
    if objects && rng.chance(30) {
        m.insert(
            "required".into(),
            Value::Array((0..rng.below(4)).map(|_| json!(rng.pick(NAMES))).collect()),
        );
    }
    if objects && rng.chance(20) {
        m.insert(
            "additionalProperties".into(),
            schema(rng, depth + 1, objects),
        );
    }
    if rng.chance(20) {
        let items = if rng.chance(30) {
            Value::Array(
                (0..1 + rng.below(3))
                    .map(|_| schema(rng, depth + 1, objects))
                    .collect(),
            )
        } else {
            schema(rng, depth + 1, objects)
        };
        m.insert("items".into(), items);
    }
    for kw in ["anyOf", "allOf"] {
        if rng.chance(12) {
            m.insert(
                kw.into(),
                Value::Array(
                    (0..1 + rng.below(3))
                        .map(|_| schema(rng, depth + 1, objects))
                        .collect(),
                ),
            );
        }
    }
    if objects && rng.chance(8) {
        m.insert(
            "oneOf".into(),
            Value::Array(
                (0..1 + rng.below(3))
                    .map(|_| schema(rng, depth + 1, objects))
                    .collect(),
            ),
        );
    }
    if rng.chance(8) {
        m.insert("not".into(), schema(rng, depth + 1, objects));
    }
    if rng.chance(15) {
        m.insert("title".into(), json!(rng.pick(NAMES)));
    }
    if rng.chance(10) {
        m.insert("advanced".into(), json!([rng.pick(NAMES)]));
    }
    Value::Object(m)
}

/// A random document: a schema with two definitions its `$ref`s point at.
pub(crate) fn document(rng: &mut Rng, objects: bool) -> Value {
    let mut root = schema(rng, 0, objects);
    if let Value::Object(m) = &mut root {
        let x = schema(rng, 2, objects);
        let y = if rng.chance(30) {
            json!({ "$ref": "#/definitions/x" })
        } else {
            schema(rng, 2, objects)
        };
        m.insert("definitions".into(), json!({ "x": x, "y": y }));
    }
    root
}

/// Same schema, different spelling: sets reordered and duplicated, `"t"` ↔ `["t"]`, `true` ↔ `{}`, branches
/// reordered, a schema wrapped in a one-branch `allOf`.
pub(crate) fn respell(v: &Value, rng: &mut Rng) -> Value {
    match v {
        Value::Bool(true) if rng.chance(50) => json!({}),
        Value::Object(m) if m.is_empty() && rng.chance(50) => json!(true),
        Value::Object(m)
            if rng.chance(15)
                && !m.contains_key("$ref")
                && !m.contains_key("definitions")
                && !["allOf", "anyOf", "oneOf"]
                    .iter()
                    .any(|k| m.contains_key(*k)) =>
        {
            let inner = respell(v, rng);
            json!({ "allOf": [inner] })
        }
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, x) in m {
                let y = match (k.as_str(), x) {
                    ("type", Value::String(s)) => json!([s]),
                    ("type", Value::Array(a)) if a.len() == 1 && rng.chance(50) => a[0].clone(),
                    ("required" | "enum" | "type" | "advanced", Value::Array(a)) => {
                        let mut a = a.clone();
                        a.reverse();
                        if k == "required" && !a.is_empty() {
                            a.push(a[0].clone());
                        }
                        Value::Array(a)
                    }
                    ("anyOf" | "allOf" | "oneOf", Value::Array(a)) => {
                        let mut a: Vec<Value> = a.iter().map(|s| respell(s, rng)).collect();
                        a.reverse();
                        Value::Array(a)
                    }
                    ("properties" | "definitions", Value::Object(p)) => Value::Object(
                        p.iter()
                            .map(|(n, s)| (n.clone(), respell(s, rng)))
                            .collect(),
                    ),
                    ("items", Value::Array(a)) => {
                        Value::Array(a.iter().map(|s| respell(s, rng)).collect())
                    }
                    ("items" | "additionalProperties" | "not", s) => respell(s, rng),
                    _ => x.clone(),
                };
                out.insert(k.clone(), y);
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Sorted, one line per message, pointers that are pointers.
pub(crate) fn check_well_formed(changes: &[SchemaChange], context: &str) {
    let keys: Vec<(&str, &str)> = changes
        .iter()
        .map(|c| (c.pointer.as_str(), c.kind.as_str()))
        .collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "unsorted: {context}");
    for c in changes {
        assert!(!c.message.contains('\n'), "{context}");
        assert!(
            c.pointer.is_empty() || c.pointer.starts_with('/'),
            "{context}"
        );
    }
}
