//! Soundness against a real validator (the `jsonschema` crate): generated schema pairs, generated instances, and
//! the rule itself as the oracle. Whenever an instance is valid under OLD and invalid under NEW, the input verdict
//! must be breaking; whenever one is valid under NEW and invalid under OLD (read with the output policy: an old
//! `additionalProperties: false` counts as absent), the output verdict must be breaking. Equivalent respellings
//! must produce no breaking record at all.
//!
//! Seeded. `TRAYSCOPE_SOUNDNESS_CASES` sets the number of pairs per draft (default 2,500) and
//! `TRAYSCOPE_SOUNDNESS_SEED` the seed, for longer runs:
//!
//!     TRAYSCOPE_SOUNDNESS_CASES=50000 cargo test --release soundness
//!
//! The generator stays inside what both sides read the same way: numeric `exclusiveMinimum` only, `multipleOf`
//! and numbers exact in binary, no validation keyword next to a `$ref`, tuples in the spelling of the draft under
//! test, and `additionalProperties: false` only where the output policy applies (never below `not`, `oneOf`,
//! `if`, `contains` or in a definition), so that removing it from OLD is exactly that policy.

use serde_json::{Map, Value, json};

use super::testkit::{Rng, respell};
use super::{Direction, diff_schemas, is_breaking};

#[derive(Clone, Copy, PartialEq, Debug)]
enum Draft {
    /// `items: [..]` + `additionalItems`.
    Tuples2019,
    /// `prefixItems` + `items`.
    Prefix2020,
}

const NAMES: &[&str] = &["a", "b", "x-1", "c/d"];
const STRINGS: &[&str] = &[
    "",
    "a",
    "ab",
    "abc",
    "abcd",
    "b",
    "ba",
    "cab",
    "zz",
    "a@b.co",
    "2020-01-02",
    "123e4567-e89b-12d3-a456-426614174000",
    "x-1",
];
const PATTERNS: &[&str] = &["^a", "b$", "^[a-c]+$", "^x-"];
const FORMATS: &[&str] = &["email", "date", "uuid", "binary"];
const TYPES: &[&str] = &[
    "string", "number", "integer", "object", "array", "boolean", "null",
];

struct Gen {
    rng: Rng,
    draft: Draft,
}

impl Gen {
    fn number(&mut self) -> Value {
        match self.rng.below(4) {
            0 => json!(self.rng.below(8) as i64 - 2),
            1 => json!(self.rng.below(8) as f64 - 2.5),
            2 => json!(self.rng.below(3) * 2),
            _ => json!(self.rng.below(5)),
        }
    }

    fn scalar(&mut self) -> Value {
        match self.rng.below(5) {
            0 | 1 => self.number(),
            2 => json!(self.rng.pick(STRINGS)),
            3 => json!(self.rng.chance(50)),
            _ => Value::Null,
        }
    }

    fn subschemas(&mut self, n: usize, depth: usize, polite: bool) -> Value {
        Value::Array((0..n).map(|_| self.schema(depth + 1, polite)).collect())
    }

    /// A random schema; `polite` says whether the output policy applies here (see the module comment).
    fn schema(&mut self, depth: usize, polite: bool) -> Value {
        let rng = &mut self.rng;
        if depth > 3 || rng.chance(12) {
            return match rng.below(5) {
                0 => json!(false),
                1 => json!(true),
                2 => json!({ "$ref": format!("#/definitions/{}", rng.pick(&["x", "y"])) }),
                _ => json!({ "type": rng.pick(TYPES) }),
            };
        }
        let mut m = Map::new();
        let family = rng.below(9);
        if rng.chance(55) {
            let (a, b) = (rng.pick(TYPES), rng.pick(TYPES));
            m.insert("type".into(), if a == b { json!(a) } else { json!([a, b]) });
        }
        match family {
            0 => {
                let n = 1 + self.rng.below(4);
                let values = (0..n).map(|_| self.scalar()).collect();
                m.insert("enum".into(), Value::Array(values));
            }
            1 => {
                let c = self.scalar();
                m.insert("const".into(), c);
            }
            2 => {
                for kw in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] {
                    if self.rng.chance(35) {
                        let n = self.number();
                        m.insert(kw.into(), n);
                    }
                }
                if self.rng.chance(30) {
                    let mult =
                        [json!(1), json!(2), json!(3), json!(0.5)][self.rng.below(4)].clone();
                    m.insert("multipleOf".into(), mult);
                }
            }
            3 => {
                for kw in ["minLength", "maxLength"] {
                    if self.rng.chance(50) {
                        m.insert(kw.into(), json!(self.rng.below(4)));
                    }
                }
                if self.rng.chance(40) {
                    m.insert("pattern".into(), json!(self.rng.pick(PATTERNS)));
                }
                if self.rng.chance(30) {
                    m.insert("format".into(), json!(self.rng.pick(FORMATS)));
                }
            }
            4 => self.object_keywords(&mut m, depth, polite),
            5 => self.array_keywords(&mut m, depth, polite),
            6 => {
                let kw = self.rng.pick(&["anyOf", "allOf", "oneOf"]);
                let n = 1 + self.rng.below(3);
                let keeps = polite && kw != "oneOf";
                let branches = self.subschemas(n, depth, keeps);
                m.insert(kw.into(), branches);
            }
            7 => {
                if self.rng.chance(50) {
                    let inner = self.schema(depth + 1, false);
                    m.insert("not".into(), inner);
                } else {
                    let cond = self.schema(depth + 1, false);
                    m.insert("if".into(), cond);
                    if self.rng.chance(70) {
                        let then = self.schema(depth + 1, false);
                        m.insert("then".into(), then);
                    }
                    if self.rng.chance(50) {
                        let otherwise = self.schema(depth + 1, false);
                        m.insert("else".into(), otherwise);
                    }
                }
            }
            _ => {
                m.insert(
                    "$ref".into(),
                    json!(format!("#/definitions/{}", self.rng.pick(&["x", "y"]))),
                );
                m.remove("type");
                if self.rng.chance(50) {
                    m.insert("description".into(), json!("d"));
                }
            }
        }
        if self.rng.chance(10) {
            m.insert("title".into(), json!(self.rng.pick(NAMES)));
        }
        Value::Object(m)
    }

    fn object_keywords(&mut self, m: &mut Map<String, Value>, depth: usize, polite: bool) {
        let mut props = Map::new();
        for _ in 0..self.rng.below(3) {
            let name = self.rng.pick(NAMES).to_owned();
            let s = self.schema(depth + 1, polite);
            props.insert(name, s);
        }
        m.insert("properties".into(), Value::Object(props));
        if self.rng.chance(40) {
            let required: Vec<&str> = NAMES
                .iter()
                .copied()
                .filter(|_| self.rng.chance(30))
                .collect();
            m.insert("required".into(), json!(required));
        }
        if self.rng.chance(35) {
            let ap = if polite && self.rng.chance(50) {
                json!(false)
            } else {
                self.schema(depth + 1, polite)
            };
            m.insert("additionalProperties".into(), ap);
        }
        if self.rng.chance(20) {
            let s = self.schema(depth + 1, polite);
            m.insert(
                "patternProperties".into(),
                json!({ self.rng.pick(&["^x-", "^a"]): s }),
            );
        }
        if self.rng.chance(15) {
            let names = if self.rng.chance(50) {
                json!({ "maxLength": 1 + self.rng.below(2) })
            } else {
                json!({ "enum": ["a", "b", "x-1"] })
            };
            m.insert("propertyNames".into(), names);
        }
        for kw in ["minProperties", "maxProperties"] {
            if self.rng.chance(15) {
                m.insert(kw.into(), json!(self.rng.below(3)));
            }
        }
        if self.rng.chance(10) {
            m.insert("dependentRequired".into(), json!({ "a": ["b"] }));
        }
        if self.rng.chance(10) {
            let s = self.schema(depth + 1, false);
            m.insert("dependentSchemas".into(), json!({ "b": s }));
        }
    }

    fn array_keywords(&mut self, m: &mut Map<String, Value>, depth: usize, polite: bool) {
        if self.rng.chance(40) {
            let n = 1 + self.rng.below(2);
            let positions = self.subschemas(n, depth, polite);
            let rest = if self.rng.chance(50) {
                Some(self.schema(depth + 1, polite))
            } else {
                None
            };
            match self.draft {
                Draft::Tuples2019 => {
                    m.insert("items".into(), positions);
                    if let Some(rest) = rest {
                        m.insert("additionalItems".into(), rest);
                    }
                }
                Draft::Prefix2020 => {
                    m.insert("prefixItems".into(), positions);
                    if let Some(rest) = rest {
                        m.insert("items".into(), rest);
                    }
                }
            }
        } else if self.rng.chance(60) {
            let items = self.schema(depth + 1, polite);
            m.insert("items".into(), items);
        }
        for kw in ["minItems", "maxItems"] {
            if self.rng.chance(25) {
                m.insert(kw.into(), json!(self.rng.below(4)));
            }
        }
        if self.rng.chance(15) {
            m.insert("uniqueItems".into(), json!(self.rng.chance(60)));
        }
        if self.rng.chance(35) {
            let c = self.schema(depth + 1, false);
            m.insert("contains".into(), c);
            for kw in ["minContains", "maxContains"] {
                if self.rng.chance(40) {
                    m.insert(kw.into(), json!(self.rng.below(3)));
                }
            }
        }
    }

    fn document(&mut self) -> Value {
        let mut root = self.schema(0, true);
        if let Value::Object(m) = &mut root {
            let x = self.schema(2, false);
            let y = if self.rng.chance(30) {
                json!({ "$ref": "#/definitions/x" })
            } else {
                self.schema(2, false)
            };
            m.insert("definitions".into(), json!({ "x": x, "y": y }));
        }
        root
    }

    /// A change in one family at one place of `doc`.
    fn mutate(&mut self, doc: &Value) -> Value {
        let mut out = doc.clone();
        let mut places = Vec::new();
        collect_places(doc, String::new(), true, &mut places);
        let (pointer, polite) = places[self.rng.below(places.len())].clone();
        let replacement = {
            let Some(target) = out.pointer(&pointer) else {
                return out;
            };
            let target = target.clone();
            self.change(target, polite)
        };
        if pointer.is_empty() {
            // Keep the definitions the refs point at.
            let defs = out.get("definitions").cloned();
            out = replacement;
            if let (Value::Object(m), Some(defs)) = (&mut out, defs) {
                m.insert("definitions".into(), defs);
            }
        } else if let Some(slot) = out.pointer_mut(&pointer) {
            *slot = replacement;
        }
        out
    }

    fn change(&mut self, target: Value, polite: bool) -> Value {
        let mut m = match target {
            Value::Object(m) => m,
            other => {
                return if self.rng.chance(50) {
                    self.schema(2, polite)
                } else {
                    json!({ "anyOf": [other, self.schema(3, polite)] })
                };
            }
        };
        if m.contains_key("$ref") {
            // Validation keywords next to a `$ref` mean different things in different drafts.
            return self.schema(2, polite);
        }
        match self.rng.below(11) {
            0 => {
                m.insert("type".into(), json!(self.rng.pick(TYPES)));
            }
            1 => {
                m.remove("type");
            }
            2 => {
                let extra = self.scalar();
                match m.get_mut("enum") {
                    Some(Value::Array(a)) if self.rng.chance(50) && !a.is_empty() => {
                        a.remove(0);
                    }
                    Some(Value::Array(a)) => a.push(extra),
                    _ => {
                        m.insert("enum".into(), json!([extra, self.scalar()]));
                    }
                }
            }
            3 => {
                let kw = self.rng.pick(&[
                    "minimum",
                    "maximum",
                    "exclusiveMinimum",
                    "exclusiveMaximum",
                    "minLength",
                    "maxLength",
                    "minItems",
                    "maxItems",
                    "minContains",
                    "maxContains",
                    "minProperties",
                    "maxProperties",
                ]);
                if m.contains_key(kw) && self.rng.chance(40) {
                    m.remove(kw);
                } else {
                    m.insert(kw.into(), json!(self.rng.below(4)));
                }
            }
            4 => {
                let kw = self
                    .rng
                    .pick(&["pattern", "format", "multipleOf", "uniqueItems"]);
                let v = match kw {
                    "pattern" => json!(self.rng.pick(PATTERNS)),
                    "format" => json!(self.rng.pick(FORMATS)),
                    "multipleOf" => [json!(1), json!(2), json!(0.5)][self.rng.below(3)].clone(),
                    _ => json!(self.rng.chance(50)),
                };
                if m.contains_key(kw) && self.rng.chance(40) {
                    m.remove(kw);
                } else {
                    m.insert(kw.into(), v);
                }
            }
            5 => {
                let name = self.rng.pick(NAMES).to_owned();
                let s = self.schema(2, polite);
                let props = m.entry("properties").or_insert_with(|| json!({}));
                if let Value::Object(p) = props {
                    if p.contains_key(&name) && self.rng.chance(50) {
                        p.remove(&name);
                    } else {
                        p.insert(name, s);
                    }
                }
            }
            6 => {
                let name = self.rng.pick(NAMES);
                match m.get_mut("required") {
                    Some(Value::Array(a)) if a.iter().any(|x| x == name) => {
                        a.retain(|x| x != name);
                    }
                    Some(Value::Array(a)) => a.push(json!(name)),
                    _ => {
                        m.insert("required".into(), json!([name]));
                    }
                }
            }
            7 => {
                let ap = match self.rng.below(3) {
                    0 if polite => json!(false),
                    1 => json!(true),
                    _ => self.schema(3, polite),
                };
                if m.contains_key("additionalProperties") && self.rng.chance(30) {
                    m.remove("additionalProperties");
                } else {
                    m.insert("additionalProperties".into(), ap);
                }
            }
            8 => {
                // Wrap in a combinator with one more branch, or swap oneOf and anyOf.
                let inner = Value::Object(m.clone());
                if let Some(b) = m.remove("oneOf") {
                    m.insert("anyOf".into(), b);
                    return Value::Object(m);
                }
                if let Some(b) = m.remove("anyOf") {
                    m.insert("oneOf".into(), b);
                    return Value::Object(m);
                }
                let kw = self.rng.pick(&["anyOf", "oneOf", "allOf"]);
                let other = self.schema(3, polite && kw != "oneOf");
                return json!({ kw: [inner, other] });
            }
            9 => {
                if let Some(inner) = m.remove("not") {
                    return if self.rng.chance(50) {
                        Value::Object(m)
                    } else {
                        json!({ "not": { "not": inner } })
                    };
                }
                let inner = self.schema(3, false);
                m.insert("not".into(), inner);
            }
            _ => {
                let c = self.schema(3, false);
                if self.rng.chance(50) {
                    m.insert("contains".into(), c);
                } else {
                    m.insert("if".into(), c);
                    let then = self.schema(3, false);
                    m.insert("then".into(), then);
                }
            }
        }
        Value::Object(m)
    }

    /// Values near what either schema talks about, plus random ones.
    fn instances(&mut self, old: &Value, new: &Value) -> Vec<Value> {
        let mut pool: Vec<Value> = Vec::new();
        collect_constants(old, &mut pool, 0);
        collect_constants(new, &mut pool, 0);
        let mut out = Vec::new();
        for _ in 0..40 {
            let shape = [old, new][self.rng.below(2)];
            let v = self.instance(&pool, 0, shape);
            out.push(v);
        }
        out
    }

    fn instance(&mut self, pool: &[Value], depth: usize, shape: &Value) -> Value {
        let hint = |k: &str| shape.get(k);
        let wants_object = hint("properties").is_some() || hint("required").is_some();
        let wants_array =
            hint("items").is_some() || hint("prefixItems").is_some() || hint("contains").is_some();
        let choice = if wants_object && self.rng.chance(70) {
            0
        } else if wants_array && self.rng.chance(70) {
            1
        } else {
            2 + self.rng.below(3)
        };
        match choice {
            0 if depth < 3 => {
                let mut m = Map::new();
                let declared: Vec<String> = shape
                    .get("properties")
                    .and_then(Value::as_object)
                    .map(|p| p.keys().cloned().collect())
                    .unwrap_or_default();
                for name in declared
                    .iter()
                    .map(String::as_str)
                    .chain(NAMES.iter().copied())
                {
                    if self.rng.chance(45) {
                        let sub = shape
                            .get("properties")
                            .and_then(|p| p.get(name))
                            .cloned()
                            .unwrap_or(Value::Null);
                        let v = self.instance(pool, depth + 1, &sub);
                        m.insert(name.to_owned(), v);
                    }
                }
                Value::Object(m)
            }
            1 if depth < 3 => {
                let n = self.rng.below(4);
                let sub = shape.get("items").cloned().unwrap_or(Value::Null);
                let first = shape
                    .get("prefixItems")
                    .or_else(|| shape.get("items").filter(|i| i.is_array()))
                    .and_then(|p| p.get(0))
                    .cloned()
                    .unwrap_or(Value::Null);
                let mut items: Vec<Value> = (0..n)
                    .map(|i| {
                        let s = if i == 0 { first.clone() } else { sub.clone() };
                        self.instance(pool, depth + 1, &s)
                    })
                    .collect();
                if n > 1 && self.rng.chance(30) {
                    items[1] = items[0].clone();
                }
                Value::Array(items)
            }
            2 if !pool.is_empty() => pool[self.rng.below(pool.len())].clone(),
            _ => self.scalar(),
        }
    }
}

/// Every subschema place of a generated document, with whether the output policy applies there.
fn collect_places(v: &Value, pointer: String, polite: bool, out: &mut Vec<(String, bool)>) {
    out.push((pointer.clone(), polite));
    let Value::Object(m) = v else { return };
    for (k, x) in m {
        let here = format!("{pointer}/{}", crate::refs::escape_token(k));
        match k.as_str() {
            "properties" | "patternProperties" | "definitions" | "dependentSchemas" => {
                if let Value::Object(p) = x {
                    let keeps = polite && k != "definitions" && k != "dependentSchemas";
                    for (name, s) in p {
                        let at = format!("{here}/{}", crate::refs::escape_token(name));
                        collect_places(s, at, keeps, out);
                    }
                }
            }
            "anyOf" | "allOf" | "oneOf" | "prefixItems" | "items" if x.is_array() => {
                let keeps = polite && k != "oneOf";
                for (i, s) in x.as_array().into_iter().flatten().enumerate() {
                    collect_places(s, format!("{here}/{i}"), keeps, out);
                }
            }
            "additionalProperties" | "items" | "additionalItems" => {
                collect_places(x, here, polite, out);
            }
            "not" | "if" | "then" | "else" | "contains" | "propertyNames" => {
                collect_places(x, here, false, out);
            }
            _ => {}
        }
    }
}

/// Constants a schema mentions (enum values, bounds and their neighbours, names), as instance material.
fn collect_constants(v: &Value, out: &mut Vec<Value>, depth: usize) {
    if depth > 8 {
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("enum", Value::Array(a)) => out.extend(a.iter().cloned()),
                    ("const", c) => out.push(c.clone()),
                    (
                        "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum"
                        | "multipleOf",
                        Value::Number(n),
                    ) => {
                        let f = n.as_f64().unwrap_or(0.0);
                        out.extend([
                            json!(f),
                            json!(f + 0.5),
                            json!(f - 0.5),
                            json!(f + 1.0),
                            json!(f - 1.0),
                        ]);
                    }
                    ("properties" | "patternProperties", Value::Object(p)) => {
                        for (name, s) in p {
                            out.push(json!(name));
                            collect_constants(s, out, depth + 1);
                        }
                    }
                    (_, x) => collect_constants(x, out, depth + 1),
                }
            }
        }
        Value::Array(a) => {
            for x in a {
                collect_constants(x, out, depth + 1);
            }
        }
        _ => {}
    }
    if depth == 0 {
        out.extend(STRINGS.iter().map(|s| json!(s)));
    }
}

/// Drafts from 2019-09 on refuse a `required` list with duplicates, which `respell` writes.
fn unique_required(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, x)| match (k.as_str(), x) {
                    ("required", Value::Array(mut a)) => {
                        let mut seen = Vec::new();
                        a.retain(|n| {
                            let new = !seen.contains(n);
                            seen.push(n.clone());
                            new
                        });
                        (k, Value::Array(a))
                    }
                    (_, x) => (k, unique_required(x)),
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(unique_required).collect()),
        other => other,
    }
}

/// OLD as the output policy reads it: `additionalProperties: false` counts as absent.
fn relaxed(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, x)| !(k.as_str() == "additionalProperties" && **x == json!(false)))
                .map(|(k, x)| (k.clone(), relaxed(x)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(relaxed).collect()),
        other => other.clone(),
    }
}

fn validator(schema: &Value, draft: Draft) -> Option<jsonschema::Validator> {
    let d = match draft {
        Draft::Tuples2019 => jsonschema::Draft::Draft201909,
        Draft::Prefix2020 => jsonschema::Draft::Draft202012,
    };
    jsonschema::options()
        .with_draft(d)
        .should_validate_formats(true)
        .build(schema)
        .ok()
}

fn cases_from_env() -> (usize, u64) {
    let cases = std::env::var("TRAYSCOPE_SOUNDNESS_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2500);
    let seed = std::env::var("TRAYSCOPE_SOUNDNESS_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED);
    (cases, seed)
}

/// Runs `cases` generated pairs for one draft and returns the failures, described.
fn run(draft: Draft, cases: usize, seed: u64) -> (Vec<String>, [usize; 4]) {
    let mut g = Gen {
        rng: Rng::new(seed ^ draft as u64),
        draft,
    };
    let mut failures = Vec::new();
    // pairs checked, pairs skipped (a side the validator refuses), instances run, breaks witnessed.
    let mut stats = [0usize; 4];
    for i in 0..cases {
        let old = g.document();
        let (new, must_be_silent) = match g.rng.below(10) {
            0 => (unique_required(respell(&old, &mut g.rng)), true),
            1 | 2 => (g.document(), false),
            _ => (g.mutate(&old), false),
        };
        let (Some(vo), Some(vn), Some(vr)) = (
            validator(&old, draft),
            validator(&new, draft),
            validator(&relaxed(&old), draft),
        ) else {
            stats[1] += 1;
            continue;
        };
        stats[0] += 1;
        let input = diff_schemas(&old, &new, Direction::Input);
        let output = diff_schemas(&old, &new, Direction::Output);
        let context = |what: &str, instance: Option<&Value>| {
            format!(
                "#{i} {draft:?}: {what}\nold {old}\nnew {new}\ninstance {}\ninput {:?}\noutput {:?}",
                instance.map_or(String::new(), Value::to_string),
                input
                    .iter()
                    .map(|c| (&c.pointer, c.kind.as_str(), c.breaking))
                    .collect::<Vec<_>>(),
                output
                    .iter()
                    .map(|c| (&c.pointer, c.kind.as_str(), c.breaking))
                    .collect::<Vec<_>>()
            )
        };
        if must_be_silent && (is_breaking(&input) || is_breaking(&output)) {
            failures.push(context(
                "an equivalent respelling was called breaking",
                None,
            ));
        }
        let (mut input_witness, mut output_witness) = (None, None);
        for instance in g.instances(&old, &new) {
            stats[2] += 1;
            let (in_old, in_new) = (vo.is_valid(&instance), vn.is_valid(&instance));
            if in_old && !in_new && input_witness.is_none() {
                input_witness = Some(instance.clone());
            }
            if in_new && !vr.is_valid(&instance) && output_witness.is_none() {
                output_witness = Some(instance);
            }
        }
        if let Some(w) = input_witness {
            stats[3] += 1;
            if !is_breaking(&input) {
                failures.push(context(
                    "valid under OLD, invalid under NEW, input not breaking",
                    Some(&w),
                ));
            }
        }
        if let Some(w) = output_witness {
            stats[3] += 1;
            if !is_breaking(&output) {
                failures.push(context(
                    "valid under NEW, invalid under OLD, output not breaking",
                    Some(&w),
                ));
            }
        }
    }
    (failures, stats)
}

fn check(draft: Draft) {
    let (cases, seed) = cases_from_env();
    let (failures, stats) = run(draft, cases, seed);
    eprintln!(
        "{draft:?}: {} pairs checked, {} skipped, {} instances, {} breaks witnessed",
        stats[0], stats[1], stats[2], stats[3]
    );
    // The generator must keep producing pairs the validator reads, and breaks it can witness.
    assert!(
        stats[0] * 10 >= cases * 9,
        "{draft:?}: only {} of {cases} pairs were valid schemas",
        stats[0]
    );
    assert!(
        stats[3] * 5 >= stats[0],
        "{draft:?}: only {} breaks witnessed in {} pairs",
        stats[3],
        stats[0]
    );
    assert!(
        failures.is_empty(),
        "{} unsound verdicts in {} pairs ({} instances); first ones:\n\n{}",
        failures.len(),
        stats[0],
        stats[2],
        failures
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}

#[test]
fn verdicts_are_sound_against_a_validator_with_2019_tuples() {
    check(Draft::Tuples2019);
}

#[test]
fn verdicts_are_sound_against_a_validator_with_2020_prefix_items() {
    check(Draft::Prefix2020);
}
