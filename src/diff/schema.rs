//! Direction-aware JSON Schema diff.
//!
//! Tray.io operations carry two schemas: the input schema (what a workflow
//! sends) and the output schema (what a workflow reads back). Whether a schema
//! change breaks existing workflows depends on which of the two changed:
//! tightening an input rejects payloads that used to be accepted, while
//! widening an output hands workflows values they never had to handle. This
//! module compares two versions of one schema and classifies every elementary
//! change by set inclusion — input is safe when every old-valid value is still
//! valid (old ⊆ new), output is safe when every new-valid value was already
//! valid (new ⊆ old). `docs/schema-diff.md` is the public contract for the
//! `kind` codes it emits.
//!
//! What it must never do, whatever `Value`s it is handed (non-objects, `true`
//! and `false` schemas, garbage keywords, cyclic `$ref`s, absurd nesting):
//! panic, loop forever, or recurse without a bound; report an equivalent
//! spelling (`$ref` versus the same schema inline, reordered `required` or
//! `enum`, `"x"` versus `["x"]`, …) as a change; or call a validation change
//! it could not analyse non-breaking. Anything it cannot reason about is
//! reported as breaking in both directions, because a missed break costs users
//! a broken workflow, and the only exceptions are the documented practical ones
//! (new properties, opened `additionalProperties`, `oneOf` treated as `anyOf`).

use serde_json::{Map, Number, Value};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Which side of an operation a schema describes; it decides which direction
/// of change breaks workflows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// What a workflow sends: breaking when a value that was valid is rejected.
    Input,
    /// What a workflow reads: breaking when a value that was impossible appears.
    Output,
}

impl Direction {
    /// Parses `input` or `output`, ignoring ASCII case.
    pub fn parse(s: &str) -> Option<Direction> {
        if s.eq_ignore_ascii_case("input") {
            Some(Direction::Input)
        } else if s.eq_ignore_ascii_case("output") {
            Some(Direction::Output)
        } else {
            None
        }
    }

    /// The lowercase name, as accepted by [`Direction::parse`] and serialized.
    pub fn as_str(&self) -> &'static str {
        match self {
            Direction::Input => "input",
            Direction::Output => "output",
        }
    }
}

/// One elementary difference between two schemas.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SchemaChange {
    /// The direction the diff was computed for.
    pub direction: Direction,
    /// RFC 6901 pointer to the keyword or subschema concerned, with `$ref`s
    /// expanded in place (the path a validator walks); `""` is the root.
    /// Things that exist only in the old schema point into the old schema.
    pub pointer: String,
    /// Stable kebab-case code; see `docs/schema-diff.md`.
    pub kind: &'static str,
    /// Whether existing workflows may break, for `direction`.
    pub breaking: bool,
    /// The old value of the keyword or subschema concerned, `None` when absent.
    pub old: Option<Value>,
    /// The new value of the keyword or subschema concerned, `None` when absent.
    pub new: Option<Value>,
    /// One human-readable line.
    pub message: String,
}

/// Compares two versions of one schema. `$ref`s in `old` resolve against
/// `old`, those in `new` against `new`. The result is sorted by pointer, then
/// kind, then message, so it is deterministic for given inputs.
pub fn diff_schemas(old: &Value, new: &Value, direction: Direction) -> Vec<SchemaChange> {
    // The common case for snapshots, and it spares identical documents the
    // work budget.
    if deep_eq(old, new) {
        return Vec::new();
    }
    let mut d = Differ {
        old_root: old,
        new_root: new,
        direction,
        verdict: direction,
        negated: false,
        active: HashSet::new(),
        clean: HashSet::new(),
        pushed: 0,
        steps: 0,
        exhausted: false,
        changes: Vec::new(),
    };
    d.cmp(old, new, "", 0);
    if d.exhausted {
        // Pushed here rather than where the budget ran out, because that may
        // have been inside a probe whose changes are discarded.
        d.negated = false;
        d.verdict = direction;
        d.push(
            String::new(),
            "too-complex",
            CHANGED,
            None,
            None,
            format!("comparison stopped after {MAX_STEPS} steps; the rest was not compared"),
        );
    }
    let mut out = d.changes;
    out.sort_by(|a, b| {
        (a.pointer.as_str(), a.kind, a.message.as_str()).cmp(&(
            b.pointer.as_str(),
            b.kind,
            b.message.as_str(),
        ))
    });
    out.dedup();
    out
}

/// Whether any change breaks workflows.
pub fn is_breaking(changes: &[SchemaChange]) -> bool {
    changes.iter().any(|c| c.breaking)
}

/// Subschema nesting beyond which differences are reported as `too-deep`
/// instead of analysed; real schemas stay far below it.
const MAX_DEPTH: usize = 64;
/// `$ref` chains (a ref to a ref to …) longer than this are left unresolved.
const MAX_REF_HOPS: usize = 32;
/// Total work budget: `$ref`s shared by many places can make the expanded
/// tree exponentially larger than the documents.
const MAX_STEPS: usize = 100_000;
/// Nesting kept when copying values into reports or comparing them; deeper
/// parts are replaced by a marker so no copy or comparison can overflow.
const VALUE_CLIP: usize = 64;
const CLIPPED: &str = "\u{2026}(clipped)";

/// What an absent `items`/`additionalProperties`/… means.
static TRUE_SCHEMA: Value = Value::Bool(true);

/// Whether a change breaks each direction, before `not` inverts it.
#[derive(Clone, Copy, Debug)]
struct Effect {
    input: bool,
    output: bool,
}

/// New ⊆ old: only inputs can break.
const NARROWING: Effect = Effect {
    input: true,
    output: false,
};
/// Old ⊆ new: only outputs can break.
const WIDENING: Effect = Effect {
    input: false,
    output: true,
};
/// Neither includes the other, or we could not tell.
const CHANGED: Effect = Effect {
    input: true,
    output: true,
};
/// Validates the same values (annotations) or exempt in practice.
const NEUTRAL: Effect = Effect {
    input: false,
    output: false,
};

/// Keywords with a dedicated comparison below.
const HANDLED: &[&str] = &[
    "type",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "uniqueItems",
    "pattern",
    "format",
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "propertyNames",
    "items",
    "prefixItems",
    "additionalItems",
    "contains",
    "anyOf",
    "oneOf",
    "allOf",
    "not",
];

/// Validation keywords whose semantics are not modelled: added is narrowing
/// (every keyword is one more conjunct), removed is widening, and any other
/// change is conservatively breaking both ways.
const OPAQUE: &[&str] = &[
    "dependencies",
    "dependentRequired",
    "dependentSchemas",
    "if",
    "then",
    "else",
    "unevaluatedProperties",
    "unevaluatedItems",
    "minContains",
    "maxContains",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
];

/// Not compared as keywords: `$ref` is resolved, and definitions only matter
/// through the refs that reach them (an unused definition changes nothing).
const SKIPPED: &[&str] = &["$ref", "definitions", "$defs"];

/// Length-like bounds: (keyword, is a lower bound).
const COUNTS: &[(&str, bool)] = &[
    ("minLength", true),
    ("maxLength", false),
    ("minItems", true),
    ("maxItems", false),
    ("minProperties", true),
    ("maxProperties", false),
];

/// Every JSON type; a `type` listing all of them constrains nothing.
const ALL_TYPES: &[&str] = &["array", "boolean", "null", "number", "object", "string"];

fn annotation_kind(keyword: &str) -> &'static str {
    match keyword {
        "title" => "title-changed",
        "description" => "description-changed",
        "default" => "default-changed",
        "advanced" => "advanced-changed",
        "lookup" => "lookup-changed",
        "enumLabels" => "enum-labels-changed",
        "default_jsonpath" => "default-jsonpath-changed",
        _ => "annotation-changed",
    }
}

enum Shape<'a> {
    /// An object schema, as the ref chain from the site to its final target;
    /// earlier layers win, so `$ref` siblings override the target.
    Obj(Vec<&'a Map<String, Value>>),
    /// `false`: accepts nothing.
    Never,
    /// Not a schema at all (a number, a string, …).
    Invalid,
}

/// A schema with its `$ref` chain resolved, borrowing from its document so
/// that the identity of the site can key cycle detection.
struct View<'a> {
    shape: Shape<'a>,
    /// A `$ref` that does not resolve inside the document (or loops); such
    /// refs can only be compared by their text.
    unresolved_ref: Option<&'a Value>,
    /// Combinators whose branches were merged into `layers` (see `flatten`);
    /// hidden in every layer.
    hidden: Vec<&'static str>,
}

impl<'a> View<'a> {
    /// What cycle detection and memoisation key on: the first layer that
    /// says anything beyond `$ref`, so that every pure `{"$ref": …}` site
    /// pointing at a definition counts as that definition, and a recursive
    /// definition is compared once rather than once more per unrolling.
    fn identity(&self, site: &Value) -> usize {
        if let Shape::Obj(layers) = &self.shape {
            for &m in layers {
                if m.keys().any(|k| !SKIPPED.contains(&k.as_str())) {
                    // The map inside the document, not the slot in `layers`.
                    return std::ptr::from_ref::<Map<String, Value>>(m) as usize;
                }
            }
        }
        addr(site)
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        if self.hidden.contains(&key) {
            return None;
        }
        match &self.shape {
            Shape::Obj(layers) => layers.iter().copied().find_map(|m| m.get(key)),
            _ => None,
        }
    }

    fn keys(&self) -> BTreeSet<&'a str> {
        let mut keys = BTreeSet::new();
        if let Shape::Obj(layers) = &self.shape {
            for m in layers {
                keys.extend(
                    m.keys()
                        .map(String::as_str)
                        .filter(|k| *k != "$ref" && !self.hidden.contains(k)),
                );
            }
        }
        keys
    }
}

fn resolve<'a>(raw: &'a Value, root: &'a Value) -> View<'a> {
    let first = match raw {
        Value::Object(m) => m,
        Value::Bool(true) => {
            return View {
                shape: Shape::Obj(Vec::new()),
                unresolved_ref: None,
                hidden: Vec::new(),
            };
        }
        Value::Bool(false) => {
            return View {
                shape: Shape::Never,
                unresolved_ref: None,
                hidden: Vec::new(),
            };
        }
        _ => {
            return View {
                shape: Shape::Invalid,
                unresolved_ref: None,
                hidden: Vec::new(),
            };
        }
    };
    let mut layers = vec![first];
    let mut cur = first;
    let mut unresolved_ref = None;
    let mut hops = 0;
    while let Some(r) = cur.get("$ref") {
        let target = if hops < MAX_REF_HOPS {
            r.as_str().and_then(|s| resolve_ref(root, s))
        } else {
            None
        };
        hops += 1;
        match target {
            Some(Value::Object(t)) if !layers.iter().any(|l| std::ptr::eq(*l, t)) => {
                layers.push(t);
                cur = t;
            }
            Some(Value::Bool(true)) => break,
            Some(Value::Bool(false)) => {
                return View {
                    shape: Shape::Never,
                    unresolved_ref: None,
                    hidden: Vec::new(),
                };
            }
            _ => {
                unresolved_ref = Some(r);
                break;
            }
        }
    }
    View {
        shape: Shape::Obj(layers),
        unresolved_ref,
        hidden: Vec::new(),
    }
}

/// Keywords that read their siblings (`additionalProperties` looks at
/// `properties`, draft-04 `exclusiveMinimum` modifies `minimum`, …): merging
/// layers must not split one of these groups, or the meaning would change.
const COUPLED: &[&[&str]] = &[
    &[
        "properties",
        "patternProperties",
        "additionalProperties",
        "unevaluatedProperties",
    ],
    &[
        "items",
        "prefixItems",
        "additionalItems",
        "unevaluatedItems",
    ],
    &["contains", "minContains", "maxContains"],
    &["if", "then", "else"],
    &["minimum", "exclusiveMinimum"],
    &["maximum", "exclusiveMaximum"],
];

const COMBINATORS: [&str; 3] = ["allOf", "anyOf", "oneOf"];

/// The combinators `flatten` would merge: any `allOf`, and an `anyOf` or
/// `oneOf` with a single branch (which is just that branch).
fn mergeable<'a>(view: &View<'a>) -> Vec<(&'static str, &'a [Value])> {
    let mut out = Vec::new();
    for kw in COMBINATORS {
        if let Some(Value::Array(a)) = view.get(kw)
            && (kw == "allOf" || a.len() == 1)
        {
            out.push((kw, a.as_slice()));
        }
    }
    out
}

/// Merges the branches `mergeable` finds into the schema's own layers, so
/// that `{"allOf": [X]}` and `X` (the usual OpenAPI rewrite) compare equal.
/// Branches go right after the layer that holds the combinator, so `$ref`
/// siblings keep overriding as they do elsewhere. Only done when the merge
/// is exact: no validation keyword is in both that layer and a branch (or in
/// two branches), no `COUPLED` group is split between them, and no merged
/// combinator would hide one that stays. Otherwise the view is left as it is
/// and compared branch by branch.
fn flatten<'a>(view: &mut View<'a>, root: &'a Value) {
    // Nested merges are bounded in depth and count, since branches can
    // reach each other through refs.
    let mut budget = 256;
    flatten_at(view, root, 0, &mut budget);
}

fn flatten_at<'a>(view: &mut View<'a>, root: &'a Value, depth: usize, budget: &mut usize) {
    let Shape::Obj(layers) = &view.shape else {
        return;
    };
    if view.unresolved_ref.is_some() || depth > 8 || *budget == 0 {
        return;
    }
    *budget -= 1;
    // Only combinators held by the first layer holding any of them; a later
    // layer's are overridden or stay as they are.
    let holder = |kw: &str| layers.iter().position(|m| m.contains_key(kw));
    let merge = mergeable(view);
    let Some(owner) = merge.iter().filter_map(|(kw, _)| holder(kw)).min() else {
        return;
    };
    let merge: Vec<_> = merge
        .into_iter()
        .filter(|(kw, _)| holder(kw) == Some(owner))
        .collect();
    let visible = |ls: &[&'a Map<String, Value>], hidden: &[&str]| -> BTreeSet<&'a str> {
        ls.iter()
            .flat_map(|m| m.keys())
            .map(String::as_str)
            .filter(|k| (HANDLED.contains(k) || OPAQUE.contains(k)) && !hidden.contains(k))
            .collect()
    };
    let mut hidden: Vec<&'static str> = merge.iter().map(|(kw, _)| *kw).collect();
    let around = visible(layers, &hidden);
    let mut groups = vec![visible(&layers[owner..=owner], &hidden)];
    let mut extra = Vec::new();
    for (_, branches) in &merge {
        for branch in *branches {
            let mut bv = resolve(branch, root);
            if bv.unresolved_ref.is_some() {
                return;
            }
            flatten_at(&mut bv, root, depth + 1, budget);
            let Shape::Obj(branch_layers) = bv.shape else {
                return;
            };
            groups.push(visible(&branch_layers, &bv.hidden));
            hidden.extend(bv.hidden);
            extra.extend(branch_layers);
        }
    }
    let mut seen = BTreeSet::new();
    if !groups.iter().flatten().all(|k| seen.insert(*k)) {
        return;
    }
    if hidden
        .iter()
        .any(|k| seen.contains(k) || around.contains(k))
    {
        return;
    }
    for group in COUPLED {
        if groups
            .iter()
            .filter(|g| group.iter().any(|k| g.contains(k)))
            .count()
            > 1
        {
            return;
        }
    }
    hidden.sort_unstable();
    hidden.dedup();
    if let Shape::Obj(layers) = &mut view.shape {
        layers.splice(owner + 1..owner + 1, extra);
    }
    view.hidden = hidden;
}

/// Resolves a same-document ref (`#`, `#/definitions/x`, `#/$defs/x`, any
/// local JSON Pointer, percent-encoded or not). Anything else is `None`.
fn resolve_ref<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let fragment = percent_decode(reference.strip_prefix('#')?)?;
    if fragment.is_empty() {
        return Some(root);
    }
    let mut cur = root;
    for token in fragment.strip_prefix('/')?.split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        cur = match cur {
            Value::Object(m) => m.get(&token)?,
            Value::Array(a) => {
                if token.len() > 1 && token.starts_with('0') {
                    return None;
                }
                a.get(token.parse::<usize>().ok()?)?
            }
            _ => return None,
        };
    }
    Some(cur)
}

fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_owned());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// RFC 6901 escaping of one reference token.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn at(ptr: &str, token: &str) -> String {
    format!("{ptr}/{}", escape(token))
}

fn at_index(ptr: &str, keyword: &str, index: usize) -> String {
    format!("{ptr}/{}/{index}", escape(keyword))
}

fn addr(v: &Value) -> usize {
    std::ptr::from_ref(v) as usize
}

/// Integral floats become integers so that `1` and `1.0` compare equal, as
/// JSON Schema says they are.
fn norm_num(n: &Number) -> Number {
    match n.as_f64() {
        Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => Number::from(f as i64),
        _ => n.clone(),
    }
}

/// A bounded-depth copy with normalised numbers and sorted keys, so that
/// equality and serialisation are canonical and can never overflow the stack.
fn norm_value(v: &Value) -> Value {
    norm_at(v, VALUE_CLIP)
}

fn norm_at(v: &Value, budget: usize) -> Value {
    match v {
        Value::Number(n) => Value::Number(norm_num(n)),
        Value::Array(_) | Value::Object(_) if budget == 0 => Value::String(CLIPPED.to_owned()),
        Value::Array(a) => Value::Array(a.iter().map(|x| norm_at(x, budget - 1)).collect()),
        Value::Object(m) => {
            let sorted: BTreeMap<&String, &Value> = m.iter().collect();
            Value::Object(
                sorted
                    .into_iter()
                    .map(|(k, x)| (k.clone(), norm_at(x, budget - 1)))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => deep_eq(a, b),
        _ => false,
    }
}

/// Exact equality (numbers by value) with an explicit stack, so that no
/// nesting depth can overflow it.
fn deep_eq(a: &Value, b: &Value) -> bool {
    let mut stack = vec![(a, b)];
    while let Some((a, b)) = stack.pop() {
        if std::ptr::eq(a, b) {
            continue;
        }
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                if norm_num(x) != norm_num(y) {
                    return false;
                }
            }
            (Value::Array(x), Value::Array(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                stack.extend(x.iter().zip(y));
            }
            (Value::Object(x), Value::Object(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                for (k, v) in x {
                    match y.get(k) {
                        Some(w) => stack.push((v, w)),
                        None => return false,
                    }
                }
            }
            // Scalars, or containers of different kinds (compared without
            // recursing).
            _ => {
                if a != b {
                    return false;
                }
            }
        }
    }
    true
}

fn canonical_string(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// A value for a one-line message: compact, clipped, escaped by JSON.
fn short(v: Option<&Value>) -> String {
    let Some(v) = v else {
        return "none".to_owned();
    };
    let s = canonical_string(&norm_at(v, 4));
    if s.chars().count() > 60 {
        let mut cut: String = s.chars().take(57).collect();
        cut.push_str("...");
        cut
    } else {
        s
    }
}

/// A property name for a one-line message: control characters escaped.
fn name(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == 80 {
            out.push('\u{2026}');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

type TypeSet = BTreeSet<String>;

/// `None` means any type. `integer` is dropped next to `number`, which
/// already contains it, so equivalent spellings give equal sets.
fn type_set(v: Option<&Value>) -> Result<Option<TypeSet>, ()> {
    let mut set = TypeSet::new();
    match v {
        None => return Ok(None),
        Some(Value::String(s)) => {
            set.insert(s.clone());
        }
        Some(Value::Array(a)) => {
            for t in a {
                set.insert(t.as_str().ok_or(())?.to_owned());
            }
        }
        Some(_) => return Err(()),
    }
    if set.contains("number") {
        set.remove("integer");
    }
    if set.contains("any") || ALL_TYPES.iter().all(|t| set.contains(*t)) {
        return Ok(None);
    }
    Ok(Some(set))
}

fn type_subset(a: &TypeSet, b: &TypeSet) -> bool {
    a.iter()
        .all(|t| b.contains(t) || (t.as_str() == "integer" && b.contains("number")))
}

fn show_types(t: &Option<TypeSet>) -> String {
    match t {
        None => "any".to_owned(),
        Some(s) if s.is_empty() => "nothing".to_owned(),
        Some(s) => s.iter().map(|x| name(x)).collect::<Vec<_>>().join("|"),
    }
}

type ValueSet = BTreeMap<String, Value>;

fn value_set<'v>(items: impl IntoIterator<Item = &'v Value>) -> ValueSet {
    items
        .into_iter()
        .map(|v| {
            let n = norm_value(v);
            (canonical_string(&n), n)
        })
        .collect()
}

/// The values allowed by `enum` and `const` together, and the keyword that
/// spells them (`const` wins when both are present).
fn allowed(view: &View<'_>) -> Result<Option<(ValueSet, &'static str)>, ()> {
    let items = match view.get("enum") {
        None => None,
        Some(Value::Array(a)) => Some(a),
        Some(_) => return Err(()),
    };
    match (items, view.get("const")) {
        (None, None) => Ok(None),
        (Some(a), None) => Ok(Some((value_set(a), "enum"))),
        (None, Some(c)) => Ok(Some((value_set([c]), "const"))),
        (Some(a), Some(c)) => {
            let in_enum = value_set(a);
            let mut only = value_set([c]);
            only.retain(|k, _| in_enum.contains_key(k));
            Ok(Some((only, "const")))
        }
    }
}

fn string_set(v: Option<&Value>) -> Result<BTreeSet<String>, ()> {
    match v {
        None => Ok(BTreeSet::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().map(str::to_owned).ok_or(()))
            .collect(),
        Some(_) => Err(()),
    }
}

#[derive(Clone, Copy, PartialEq)]
struct Bound {
    value: f64,
    exclusive: bool,
    keyword: &'static str,
}

/// The effective lower (or upper) numeric bound, merging `minimum` with both
/// the draft-04 boolean and the draft-06+ numeric `exclusiveMinimum`.
fn bound(view: &View<'_>, lower: bool) -> Result<Option<Bound>, ()> {
    let (inc_kw, exc_kw) = if lower {
        ("minimum", "exclusiveMinimum")
    } else {
        ("maximum", "exclusiveMaximum")
    };
    let inclusive = match view.get(inc_kw) {
        None => None,
        Some(v) => Some(v.as_f64().ok_or(())?),
    };
    let mut candidates = Vec::new();
    match view.get(exc_kw) {
        None | Some(Value::Bool(false)) => candidates.extend(inclusive.map(|value| Bound {
            value,
            exclusive: false,
            keyword: inc_kw,
        })),
        Some(Value::Bool(true)) => candidates.extend(inclusive.map(|value| Bound {
            value,
            exclusive: true,
            keyword: inc_kw,
        })),
        Some(v) => {
            let value = v.as_f64().ok_or(())?;
            candidates.push(Bound {
                value,
                exclusive: true,
                keyword: exc_kw,
            });
            candidates.extend(inclusive.map(|value| Bound {
                value,
                exclusive: false,
                keyword: inc_kw,
            }));
        }
    }
    Ok(candidates
        .into_iter()
        .reduce(|a, b| if tighter(lower, &b, &a) { b } else { a }))
}

/// Whether bound `a` admits strictly fewer numbers than `b`.
fn tighter(lower: bool, a: &Bound, b: &Bound) -> bool {
    if a.value == b.value {
        a.exclusive && !b.exclusive
    } else if lower {
        a.value > b.value
    } else {
        a.value < b.value
    }
}

fn show_bound(lower: bool, b: Option<&Bound>) -> String {
    match b {
        None => "none".to_owned(),
        Some(b) => {
            let op = match (lower, b.exclusive) {
                (true, false) => ">=",
                (true, true) => ">",
                (false, false) => "<=",
                (false, true) => "<",
            };
            format!("{op} {}", b.value)
        }
    }
}

/// Whether `a` is a positive integer multiple of `b` (so multiples of `a`
/// are a subset of multiples of `b`), with float tolerance.
fn is_multiple(a: f64, b: f64) -> bool {
    let r = a / b;
    r.is_finite() && r.round() >= 1.0 && (r - r.round()).abs() <= 1e-9 * r.abs().max(1.0)
}

fn is_schema_like(v: &Value) -> bool {
    matches!(v, Value::Object(_) | Value::Bool(_))
}

type ItemParts<'a> = (
    Option<(&'a [Value], &'static str)>,
    Option<(&'a Value, &'static str)>,
);

/// Splits array keywords into positional schemas and the schema for the
/// remaining items, covering draft-04 tuples (`items` array +
/// `additionalItems`) and 2020-12 (`prefixItems` + `items`).
fn item_parts<'a>(view: &View<'a>) -> Result<ItemParts<'a>, ()> {
    let items = view.get("items");
    if let Some(prefix) = view.get("prefixItems") {
        let Value::Array(prefix) = prefix else {
            return Err(());
        };
        let rest = match items {
            None => None,
            Some(v) if is_schema_like(v) => Some((v, "items")),
            Some(_) => return Err(()),
        };
        return Ok((Some((prefix.as_slice(), "prefixItems")), rest));
    }
    match items {
        None => Ok((None, None)),
        Some(Value::Array(a)) => {
            let rest = match view.get("additionalItems") {
                None => None,
                Some(v) if is_schema_like(v) => Some((v, "additionalItems")),
                Some(_) => return Err(()),
            };
            Ok((Some((a.as_slice(), "items")), rest))
        }
        Some(v) if is_schema_like(v) => Ok((None, Some((v, "items")))),
        Some(_) => Err(()),
    }
}

/// (old schema identity, new schema identity, negated, judging input).
type PairKey = (usize, usize, bool, bool);

/// State of one canonicalisation: the document refs resolve against, the
/// schemas on the current path, and whether annotations count.
struct Canon<'a> {
    root: &'a Value,
    stack: Vec<usize>,
    annotations: bool,
}

impl<'a> Canon<'a> {
    fn new(root: &'a Value) -> Self {
        Canon {
            root,
            stack: Vec::new(),
            annotations: false,
        }
    }
}

struct Differ<'a> {
    old_root: &'a Value,
    new_root: &'a Value,
    direction: Direction,
    /// The direction `breaking` is judged for; a probe judges input.
    verdict: Direction,
    /// Inside an odd number of `not`s, narrowing the inner schema widens the
    /// outer one.
    negated: bool,
    /// Pairs being compared on the current path: meeting one again means a
    /// `$ref` cycle, and everything below it is already being compared
    /// further up.
    active: HashSet<PairKey>,
    /// Pairs already compared without finding anything: a definition reached
    /// through many refs is compared once, not once per path.
    clean: HashSet<PairKey>,
    /// Changes pushed so far, probes included; tells whether a pair was clean.
    pushed: usize,
    steps: usize,
    exhausted: bool,
    changes: Vec<SchemaChange>,
}

impl<'a> Differ<'a> {
    fn tick(&mut self) -> bool {
        if self.steps >= MAX_STEPS {
            self.exhausted = true;
            false
        } else {
            self.steps += 1;
            true
        }
    }

    fn push(
        &mut self,
        pointer: String,
        kind: &'static str,
        effect: Effect,
        old: Option<&Value>,
        new: Option<&Value>,
        message: String,
    ) {
        let effect = if self.negated {
            Effect {
                input: effect.output,
                output: effect.input,
            }
        } else {
            effect
        };
        self.pushed += 1;
        let breaking = match self.verdict {
            Direction::Input => effect.input,
            Direction::Output => effect.output,
        };
        self.changes.push(SchemaChange {
            direction: self.direction,
            pointer,
            kind,
            breaking,
            old: old.map(norm_value),
            new: new.map(norm_value),
            message,
        });
    }

    /// A keyword whose value has the wrong JSON type cannot be analysed; if
    /// it differs at all, that is reported conservatively.
    fn opaque_change(&mut self, keyword: &str, o: Option<&Value>, n: Option<&Value>, ptr: &str) {
        if !same(o, n) {
            self.push(
                at(ptr, keyword),
                "keyword-changed",
                CHANGED,
                o,
                n,
                format!(
                    "`{}` changed in a way that cannot be analysed",
                    name(keyword)
                ),
            );
        }
    }

    fn cmp(&mut self, o: &'a Value, n: &'a Value, ptr: &str, depth: usize) {
        if self.exhausted || !self.tick() {
            return;
        }
        if depth > MAX_DEPTH {
            if !same(Some(o), Some(n)) {
                self.push(
                    ptr.to_owned(),
                    "too-deep",
                    CHANGED,
                    Some(o),
                    Some(n),
                    format!("schemas differ below the nesting limit of {MAX_DEPTH}"),
                );
            }
            return;
        }
        let mut ov = resolve(o, self.old_root);
        let mut nv = resolve(n, self.new_root);
        // Merge combinators only when one side uses a combinator the other
        // lacks, so that pointers stay literal whenever they can.
        let present = |v: &View<'a>| COMBINATORS.map(|kw| v.get(kw).is_some());
        if present(&ov) != present(&nv) {
            flatten(&mut ov, self.old_root);
            flatten(&mut nv, self.new_root);
        }
        let key = (
            ov.identity(o),
            nv.identity(n),
            self.negated,
            self.verdict == Direction::Input,
        );
        if self.clean.contains(&key) || !self.active.insert(key) {
            return;
        }
        let pushed_before = self.pushed;
        match (&ov.shape, &nv.shape) {
            (Shape::Invalid, Shape::Invalid) if same(Some(o), Some(n)) => {}
            (Shape::Invalid, _) | (_, Shape::Invalid) => self.push(
                ptr.to_owned(),
                "schema-replaced",
                CHANGED,
                Some(o),
                Some(n),
                "subschema replaced by or with a value that is not a schema".to_owned(),
            ),
            (Shape::Never, Shape::Never) => {}
            (_, Shape::Never) => self.push(
                ptr.to_owned(),
                "schema-closed",
                NARROWING,
                Some(o),
                Some(n),
                "subschema now rejects every value".to_owned(),
            ),
            (Shape::Never, _) => self.push(
                ptr.to_owned(),
                "schema-opened",
                WIDENING,
                Some(o),
                Some(n),
                "subschema used to reject every value".to_owned(),
            ),
            (Shape::Obj(_), Shape::Obj(_)) => self.cmp_obj(&ov, &nv, ptr, depth),
        }
        self.active.remove(&key);
        if self.pushed == pushed_before && !self.exhausted {
            self.clean.insert(key);
        }
    }

    fn cmp_obj(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str, depth: usize) {
        if !same(ov.unresolved_ref, nv.unresolved_ref) {
            self.push(
                at(ptr, "$ref"),
                "ref-changed",
                CHANGED,
                ov.unresolved_ref,
                nv.unresolved_ref,
                format!(
                    "unresolvable `$ref` changed from {} to {}",
                    short(ov.unresolved_ref),
                    short(nv.unresolved_ref)
                ),
            );
        }
        if !self.cmp_type(ov, nv, ptr) {
            return;
        }
        self.cmp_allowed(ov, nv, ptr);
        self.cmp_bounds(ov, nv, ptr);
        self.cmp_counts(ov, nv, ptr);
        self.cmp_string_keyword("pattern", ov, nv, ptr);
        self.cmp_string_keyword("format", ov, nv, ptr);
        self.cmp_object(ov, nv, ptr, depth);
        self.cmp_array(ov, nv, ptr, depth);
        for (keyword, added) in [
            ("anyOf", WIDENING),
            ("oneOf", WIDENING),
            ("allOf", NARROWING),
        ] {
            self.cmp_branches(keyword, added, ov, nv, ptr, depth);
        }
        for (keyword, negate) in [("not", true), ("contains", false), ("propertyNames", false)] {
            self.cmp_subschema(keyword, negate, ov, nv, ptr, depth);
        }
        self.cmp_opaque(ov, nv, ptr);
        self.cmp_annotations(ov, nv, ptr);
    }

    /// Returns false when the types are unrelated: the rest of the location
    /// is then moot and is not compared.
    fn cmp_type(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str) -> bool {
        let (ro, rn) = (ov.get("type"), nv.get("type"));
        let (Ok(a), Ok(b)) = (type_set(ro), type_set(rn)) else {
            self.opaque_change("type", ro, rn, ptr);
            return true;
        };
        let (kind, effect, verb) = match (&a, &b) {
            (None, None) => return true,
            (None, Some(_)) => ("type-narrowed", NARROWING, "narrowed"),
            (Some(_), None) => ("type-widened", WIDENING, "widened"),
            (Some(x), Some(y)) => match (type_subset(x, y), type_subset(y, x)) {
                (true, true) => return true,
                (true, false) => ("type-widened", WIDENING, "widened"),
                (false, true) => ("type-narrowed", NARROWING, "narrowed"),
                (false, false) => ("type-changed", CHANGED, "changed"),
            },
        };
        self.push(
            at(ptr, "type"),
            kind,
            effect,
            ro,
            rn,
            format!("type {verb} from {} to {}", show_types(&a), show_types(&b)),
        );
        kind != "type-changed"
    }

    fn cmp_allowed(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str) {
        let (a, b) = match (allowed(ov), allowed(nv)) {
            (Ok(a), Ok(b)) => (a, b),
            _ => {
                self.opaque_change("enum", ov.get("enum"), nv.get("enum"), ptr);
                self.opaque_change("const", ov.get("const"), nv.get("const"), ptr);
                return;
            }
        };
        match (a, b) {
            (None, None) => {}
            (None, Some((_, spelled))) => {
                let kind = if spelled == "const" {
                    "const-added"
                } else {
                    "enum-added"
                };
                self.push(
                    at(ptr, spelled),
                    kind,
                    NARROWING,
                    None,
                    nv.get(spelled),
                    format!(
                        "values restricted to `{spelled}` {}",
                        short(nv.get(spelled))
                    ),
                );
            }
            (Some((_, spelled)), None) => {
                let kind = if spelled == "const" {
                    "const-removed"
                } else {
                    "enum-removed"
                };
                self.push(
                    at(ptr, spelled),
                    kind,
                    WIDENING,
                    ov.get(spelled),
                    None,
                    format!(
                        "`{spelled}` {} no longer restricts values",
                        short(ov.get(spelled))
                    ),
                );
            }
            (Some((x, sx)), Some((y, sy))) => {
                if x.keys().eq(y.keys()) {
                    return;
                }
                if x.len() == 1 && y.len() == 1 && (sx == "const" || sy == "const") {
                    let (xo, yo) = (x.values().next(), y.values().next());
                    self.push(
                        at(ptr, sy),
                        "const-changed",
                        CHANGED,
                        xo,
                        yo,
                        format!("constant value changed from {} to {}", short(xo), short(yo)),
                    );
                    return;
                }
                for (k, v) in &y {
                    if !x.contains_key(k) {
                        self.push(
                            at(ptr, sy),
                            "enum-value-added",
                            WIDENING,
                            None,
                            Some(v),
                            format!("allowed value {} added", short(Some(v))),
                        );
                    }
                }
                for (k, v) in &x {
                    if !y.contains_key(k) {
                        self.push(
                            at(ptr, sx),
                            "enum-value-removed",
                            NARROWING,
                            Some(v),
                            None,
                            format!("allowed value {} removed", short(Some(v))),
                        );
                    }
                }
            }
        }
    }

    fn cmp_bounds(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str) {
        for lower in [true, false] {
            let (inc_kw, exc_kw, what) = if lower {
                ("minimum", "exclusiveMinimum", "lower bound")
            } else {
                ("maximum", "exclusiveMaximum", "upper bound")
            };
            let (Ok(a), Ok(b)) = (bound(ov, lower), bound(nv, lower)) else {
                for kw in [inc_kw, exc_kw] {
                    self.opaque_change(kw, ov.get(kw), nv.get(kw), ptr);
                }
                continue;
            };
            let (a_val, b_val) = (
                a.map(|x| (x.value, x.exclusive)),
                b.map(|x| (x.value, x.exclusive)),
            );
            if a_val == b_val {
                continue;
            }
            let tightened = match (&a, &b) {
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(x), Some(y)) => tighter(lower, y, x),
                (None, None) => continue,
            };
            // Point at the keyword that carries the new bound; when only
            // exclusivity flipped, that is the exclusive keyword.
            let keyword = match (&a, &b) {
                (Some(x), Some(y)) if x.value == y.value => exc_kw,
                (_, Some(y)) => y.keyword,
                (Some(x), None) => x.keyword,
                (None, None) => continue,
            };
            let (kind, effect, verb) = if tightened {
                ("constraint-tightened", NARROWING, "tightened")
            } else {
                ("constraint-loosened", WIDENING, "loosened")
            };
            self.push(
                at(ptr, keyword),
                kind,
                effect,
                ov.get(keyword),
                nv.get(keyword),
                format!(
                    "{what} {verb} from {} to {}",
                    show_bound(lower, a.as_ref()),
                    show_bound(lower, b.as_ref())
                ),
            );
        }
        self.cmp_multiple_of(ov, nv, ptr);
        self.cmp_unique_items(ov, nv, ptr);
    }

    fn cmp_multiple_of(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str) {
        let (ro, rn) = (ov.get("multipleOf"), nv.get("multipleOf"));
        let parse = |v: Option<&Value>| match v {
            None => Ok(None),
            Some(v) => match v.as_f64() {
                Some(f) if f > 0.0 => Ok(Some(f)),
                _ => Err(()),
            },
        };
        match (parse(ro), parse(rn)) {
            (Ok(a), Ok(b)) => {
                let (kind, effect) = match (a, b) {
                    (None, None) => return,
                    (Some(x), Some(y)) if x == y => return,
                    (None, Some(_)) => ("constraint-tightened", NARROWING),
                    (Some(_), None) => ("constraint-loosened", WIDENING),
                    (Some(x), Some(y)) if is_multiple(y, x) => ("constraint-tightened", NARROWING),
                    (Some(x), Some(y)) if is_multiple(x, y) => ("constraint-loosened", WIDENING),
                    (Some(_), Some(_)) => ("constraint-changed", CHANGED),
                };
                let verb = &kind["constraint-".len()..];
                self.push(
                    at(ptr, "multipleOf"),
                    kind,
                    effect,
                    ro,
                    rn,
                    format!("`multipleOf` {verb} from {} to {}", short(ro), short(rn)),
                );
            }
            _ => self.opaque_change("multipleOf", ro, rn, ptr),
        }
    }

    fn cmp_unique_items(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str) {
        let (ro, rn) = (ov.get("uniqueItems"), nv.get("uniqueItems"));
        let parse = |v: Option<&Value>| match v {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(()),
        };
        match (parse(ro), parse(rn)) {
            (Ok(false), Ok(true)) => self.push(
                at(ptr, "uniqueItems"),
                "constraint-tightened",
                NARROWING,
                ro,
                rn,
                "array items must now be unique".to_owned(),
            ),
            (Ok(true), Ok(false)) => self.push(
                at(ptr, "uniqueItems"),
                "constraint-loosened",
                WIDENING,
                ro,
                rn,
                "array items no longer need to be unique".to_owned(),
            ),
            (Ok(_), Ok(_)) => {}
            _ => self.opaque_change("uniqueItems", ro, rn, ptr),
        }
    }

    fn cmp_counts(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str) {
        for &(keyword, lower) in COUNTS {
            let (ro, rn) = (ov.get(keyword), nv.get(keyword));
            // A missing minimum is 0 and a missing maximum is unbounded, so
            // `minLength: 0` and no `minLength` are the same constraint.
            let parse = |v: Option<&Value>| match v {
                None if lower => Some(0.0),
                None => Some(f64::INFINITY),
                Some(v) => v.as_f64().map(|f| if lower { f.max(0.0) } else { f }),
            };
            let (Some(a), Some(b)) = (parse(ro), parse(rn)) else {
                self.opaque_change(keyword, ro, rn, ptr);
                continue;
            };
            if a == b {
                continue;
            }
            let (kind, effect, verb) = if (lower && b > a) || (!lower && b < a) {
                ("constraint-tightened", NARROWING, "tightened")
            } else {
                ("constraint-loosened", WIDENING, "loosened")
            };
            self.push(
                at(ptr, keyword),
                kind,
                effect,
                ro,
                rn,
                format!("`{keyword}` {verb} from {} to {}", short(ro), short(rn)),
            );
        }
    }

    fn cmp_string_keyword(
        &mut self,
        keyword: &'static str,
        ov: &View<'a>,
        nv: &View<'a>,
        ptr: &str,
    ) {
        let (added, removed, changed) = match keyword {
            "pattern" => ("pattern-added", "pattern-removed", "pattern-changed"),
            _ => ("format-added", "format-removed", "format-changed"),
        };
        let (ro, rn) = (ov.get(keyword), nv.get(keyword));
        if ro.is_some_and(|v| !v.is_string()) || rn.is_some_and(|v| !v.is_string()) {
            return self.opaque_change(keyword, ro, rn, ptr);
        }
        let (kind, effect) = match (ro, rn) {
            (None, None) => return,
            (None, Some(_)) => (added, NARROWING),
            (Some(_), None) => (removed, WIDENING),
            (Some(a), Some(b)) if a == b => return,
            // Regular languages and formats cannot be compared for
            // inclusion here, so any rewrite may go either way.
            (Some(_), Some(_)) => (changed, CHANGED),
        };
        self.push(
            at(ptr, keyword),
            kind,
            effect,
            ro,
            rn,
            format!("`{keyword}` changed from {} to {}", short(ro), short(rn)),
        );
    }

    fn cmp_object(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str, depth: usize) {
        let props = |v: &View<'a>| -> Result<Option<&'a Map<String, Value>>, ()> {
            match v.get("properties") {
                None => Ok(None),
                Some(Value::Object(m)) => Ok(Some(m)),
                Some(_) => Err(()),
            }
        };
        let (po, pn) = match (props(ov), props(nv)) {
            (Ok(a), Ok(b)) => (a, b),
            _ => {
                self.opaque_change(
                    "properties",
                    ov.get("properties"),
                    nv.get("properties"),
                    ptr,
                );
                (None, None)
            }
        };
        let (req_o, req_n, required_ok) = match (
            string_set(ov.get("required")),
            string_set(nv.get("required")),
        ) {
            (Ok(a), Ok(b)) => (a, b, true),
            _ => {
                self.opaque_change("required", ov.get("required"), nv.get("required"), ptr);
                (BTreeSet::new(), BTreeSet::new(), false)
            }
        };
        let ap = |v: &View<'a>| -> Result<Option<&'a Value>, ()> {
            match v.get("additionalProperties") {
                None => Ok(None),
                Some(x) if is_schema_like(x) => Ok(Some(x)),
                Some(_) => Err(()),
            }
        };
        let (ap_o, ap_n, ap_ok) = match (ap(ov), ap(nv)) {
            (Ok(a), Ok(b)) => (a, b, true),
            _ => {
                self.opaque_change(
                    "additionalProperties",
                    ov.get("additionalProperties"),
                    nv.get("additionalProperties"),
                    ptr,
                );
                (None, None, false)
            }
        };
        let closed_o =
            ap_o.is_some_and(|v| matches!(resolve(v, self.old_root).shape, Shape::Never));
        let closed_n =
            ap_n.is_some_and(|v| matches!(resolve(v, self.new_root).shape, Shape::Never));

        // Requiredness changes already folded into a property change.
        let mut accounted: BTreeSet<&str> = BTreeSet::new();
        let names: BTreeSet<&'a String> = po.into_iter().chain(pn).flat_map(|m| m.keys()).collect();
        for prop in names {
            let p = format!("{ptr}/properties/{}", escape(prop));
            match (po.and_then(|m| m.get(prop)), pn.and_then(|m| m.get(prop))) {
                (Some(a), Some(b)) => self.cmp(a, b, &p, depth + 1),
                (None, Some(b)) => {
                    // A name the old schema already required, or a property
                    // that forbids the name, changes what the old schema said
                    // about it; compare against that instead of waving it
                    // through as a new optional field.
                    let forbids = matches!(resolve(b, self.new_root).shape, Shape::Never);
                    if req_o.contains(prop) || forbids {
                        self.cmp(ap_o.unwrap_or(&TRUE_SCHEMA), b, &p, depth + 1);
                    } else if req_n.contains(prop) {
                        accounted.insert(prop);
                        self.push(
                            p,
                            "required-property-added",
                            NARROWING,
                            None,
                            Some(b),
                            format!("new required property `{}`", name(prop)),
                        );
                    } else {
                        self.push(
                            p,
                            "property-added",
                            NEUTRAL,
                            None,
                            Some(b),
                            format!("new optional property `{}`", name(prop)),
                        );
                    }
                }
                (Some(a), None) => {
                    if req_n.contains(prop) {
                        // Still required: its values are now governed by
                        // additionalProperties, so compare against that.
                        self.cmp(a, ap_n.unwrap_or(&TRUE_SCHEMA), &p, depth + 1);
                        continue;
                    }
                    let breaks_input = match ap_n {
                        None => false,
                        Some(apv) => match resolve(apv, self.new_root).shape {
                            Shape::Never => true,
                            Shape::Invalid => true,
                            Shape::Obj(_) => self.probe(a, apv, &p, depth + 1),
                        },
                    };
                    // Output: a workflow may read the property, so dropping it
                    // breaks whatever set inclusion says.
                    let effect = Effect {
                        input: breaks_input,
                        output: true,
                    };
                    if req_o.contains(prop) {
                        accounted.insert(prop);
                        self.push(
                            p,
                            "required-property-removed",
                            effect,
                            Some(a),
                            None,
                            format!("required property `{}` removed", name(prop)),
                        );
                    } else {
                        self.push(
                            p,
                            "property-removed",
                            effect,
                            Some(a),
                            None,
                            format!("property `{}` removed", name(prop)),
                        );
                    }
                }
                (None, None) => {}
            }
        }

        if required_ok {
            let rp = at(ptr, "required");
            for prop in req_n.difference(&req_o) {
                if !accounted.contains(prop.as_str()) {
                    let v = Value::String(prop.clone());
                    self.push(
                        rp.clone(),
                        "required-added",
                        NARROWING,
                        None,
                        Some(&v),
                        format!("property `{}` became required", name(prop)),
                    );
                }
            }
            for prop in req_o.difference(&req_n) {
                if !accounted.contains(prop.as_str()) {
                    let v = Value::String(prop.clone());
                    self.push(
                        rp.clone(),
                        "required-removed",
                        WIDENING,
                        Some(&v),
                        None,
                        format!("property `{}` is no longer required", name(prop)),
                    );
                }
            }
        }

        if ap_ok {
            let p = at(ptr, "additionalProperties");
            match (closed_o, closed_n) {
                (false, false) if ap_o.is_some() || ap_n.is_some() => self.cmp(
                    ap_o.unwrap_or(&TRUE_SCHEMA),
                    ap_n.unwrap_or(&TRUE_SCHEMA),
                    &p,
                    depth + 1,
                ),
                (false, true) => self.push(
                    p,
                    "additional-properties-closed",
                    NARROWING,
                    ap_o,
                    ap_n,
                    "undeclared properties are no longer allowed".to_owned(),
                ),
                // Set inclusion calls this widening, but undeclared fields
                // are ones no workflow can rely on: exempt like new properties.
                (true, false) => self.push(
                    p,
                    "additional-properties-opened",
                    NEUTRAL,
                    ap_o,
                    ap_n,
                    "undeclared properties are now allowed".to_owned(),
                ),
                _ => {}
            }
        }

        let pattern_props = |v: &View<'a>| -> Result<Option<&'a Map<String, Value>>, ()> {
            match v.get("patternProperties") {
                None => Ok(None),
                Some(Value::Object(m)) => Ok(Some(m)),
                Some(_) => Err(()),
            }
        };
        let (Ok(qo), Ok(qn)) = (pattern_props(ov), pattern_props(nv)) else {
            return self.opaque_change(
                "patternProperties",
                ov.get("patternProperties"),
                nv.get("patternProperties"),
                ptr,
            );
        };
        let patterns: BTreeSet<&'a String> =
            qo.into_iter().chain(qn).flat_map(|m| m.keys()).collect();
        for pattern in patterns {
            let p = format!("{ptr}/patternProperties/{}", escape(pattern));
            match (
                qo.and_then(|m| m.get(pattern)),
                qn.and_then(|m| m.get(pattern)),
            ) {
                (Some(a), Some(b)) => self.cmp(a, b, &p, depth + 1),
                // Matching names were governed by additionalProperties: on a
                // closed object a new pattern admits them, otherwise it
                // constrains them.
                (None, Some(b)) => self.push(
                    p,
                    "pattern-property-added",
                    if closed_o { WIDENING } else { NARROWING },
                    None,
                    Some(b),
                    format!(
                        "properties matching `{}` are now constrained",
                        name(pattern)
                    ),
                ),
                (Some(a), None) => self.push(
                    p,
                    "pattern-property-removed",
                    if closed_n { NARROWING } else { WIDENING },
                    Some(a),
                    None,
                    format!(
                        "properties matching `{}` are no longer constrained",
                        name(pattern)
                    ),
                ),
                (None, None) => {}
            }
        }
    }

    /// Whether replacing `o` by `n` would break an input, without reporting.
    fn probe(&mut self, o: &'a Value, n: &'a Value, ptr: &str, depth: usize) -> bool {
        let saved = (
            std::mem::take(&mut self.changes),
            self.negated,
            self.verdict,
        );
        self.negated = false;
        self.verdict = Direction::Input;
        self.cmp(o, n, ptr, depth);
        let breaks = self.changes.iter().any(|c| c.breaking);
        (self.changes, self.negated, self.verdict) = saved;
        breaks
    }

    fn cmp_array(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str, depth: usize) {
        let (Ok((prefix_o, rest_o)), Ok((prefix_n, rest_n))) = (item_parts(ov), item_parts(nv))
        else {
            for kw in ["items", "prefixItems", "additionalItems"] {
                self.opaque_change(kw, ov.get(kw), nv.get(kw), ptr);
            }
            return;
        };
        let len_o = prefix_o.map_or(0, |(p, _)| p.len());
        let len_n = prefix_n.map_or(0, |(p, _)| p.len());
        let tail_o = rest_o.map_or(&TRUE_SCHEMA, |(v, _)| v);
        let tail_n = rest_n.map_or(&TRUE_SCHEMA, |(v, _)| v);
        // Position by position: where one side has no positional schema,
        // its schema for the remaining items applies there.
        for i in 0..len_o.max(len_n) {
            let a = prefix_o.and_then(|(p, _)| p.get(i)).unwrap_or(tail_o);
            let b = prefix_n.and_then(|(p, _)| p.get(i)).unwrap_or(tail_n);
            let keyword = match (prefix_n, prefix_o) {
                (Some((_, kw)), _) if i < len_n => kw,
                (_, Some((_, kw))) => kw,
                _ => "items",
            };
            self.cmp(a, b, &at_index(ptr, keyword, i), depth + 1);
        }
        if rest_o.is_some() || rest_n.is_some() {
            let keyword = rest_n.or(rest_o).map_or("items", |(_, kw)| kw);
            self.cmp(tail_o, tail_n, &at(ptr, keyword), depth + 1);
        }
    }

    fn cmp_branches(
        &mut self,
        keyword: &'static str,
        added_effect: Effect,
        ov: &View<'a>,
        nv: &View<'a>,
        ptr: &str,
        depth: usize,
    ) {
        let (added, removed, changed) = match keyword {
            "anyOf" => (
                "any-of-branch-added",
                "any-of-branch-removed",
                "any-of-changed",
            ),
            "oneOf" => (
                "one-of-branch-added",
                "one-of-branch-removed",
                "one-of-changed",
            ),
            _ => (
                "all-of-branch-added",
                "all-of-branch-removed",
                "all-of-changed",
            ),
        };
        let removed_effect = Effect {
            input: added_effect.output,
            output: added_effect.input,
        };
        let (ro, rn) = (ov.get(keyword), nv.get(keyword));
        let (bo, bn) = match (ro, rn) {
            (None, None) => return,
            (Some(Value::Array(a)), Some(Value::Array(b))) => (a, b),
            (None, Some(Value::Array(_))) => return self.keyword_added(keyword, rn, ptr),
            (Some(Value::Array(_)), None) => return self.keyword_removed(keyword, ro, ptr),
            _ => return self.opaque_change(keyword, ro, rn, ptr),
        };
        // Identical branches pair up first, so that an annotation-only
        // difference cannot steal a partner from an exact twin; then branches
        // that validate the same (annotations aside) pair up.
        let mut used = vec![false; bo.len()];
        let mut paired = vec![false; bn.len()];
        let mut pairs = Vec::new();
        for annotations in [true, false] {
            let co: Vec<String> = bo
                .iter()
                .map(|b| self.canon_string(b, true, annotations))
                .collect();
            let cn: Vec<String> = bn
                .iter()
                .map(|b| self.canon_string(b, false, annotations))
                .collect();
            for (j, c) in cn.iter().enumerate() {
                if paired[j] {
                    continue;
                }
                if let Some(i) = (0..bo.len()).find(|&i| !used[i] && co[i] == *c) {
                    used[i] = true;
                    paired[j] = true;
                    pairs.push((i, j));
                }
            }
        }
        let unmatched_old: Vec<usize> = (0..bo.len()).filter(|&i| !used[i]).collect();
        let unmatched_new: Vec<usize> = (0..bn.len()).filter(|&j| !paired[j]).collect();
        // Equal branches can still differ in annotations.
        for (i, j) in pairs {
            self.cmp(&bo[i], &bn[j], &at_index(ptr, keyword, j), depth + 1);
        }
        if unmatched_old.is_empty() {
            for j in unmatched_new {
                self.push(
                    at_index(ptr, keyword, j),
                    added,
                    added_effect,
                    None,
                    Some(&bn[j]),
                    format!("`{keyword}` branch {j} added"),
                );
            }
        } else if unmatched_new.is_empty() {
            for i in unmatched_old {
                self.push(
                    at_index(ptr, keyword, i),
                    removed,
                    removed_effect,
                    Some(&bo[i]),
                    None,
                    format!("`{keyword}` branch {i} removed"),
                );
            }
        } else if unmatched_old.len() == unmatched_new.len() {
            for (i, j) in unmatched_old.into_iter().zip(unmatched_new) {
                self.cmp(&bo[i], &bn[j], &at_index(ptr, keyword, j), depth + 1);
            }
        } else {
            self.push(
                at(ptr, keyword),
                changed,
                CHANGED,
                ro,
                rn,
                format!("`{keyword}` branches changed and cannot be paired up"),
            );
        }
    }

    fn keyword_added(&mut self, keyword: &str, n: Option<&Value>, ptr: &str) {
        self.push(
            at(ptr, keyword),
            "keyword-added",
            NARROWING,
            None,
            n,
            format!("`{}` added", name(keyword)),
        );
    }

    fn keyword_removed(&mut self, keyword: &str, o: Option<&Value>, ptr: &str) {
        self.push(
            at(ptr, keyword),
            "keyword-removed",
            WIDENING,
            o,
            None,
            format!("`{}` removed", name(keyword)),
        );
    }

    fn cmp_subschema(
        &mut self,
        keyword: &str,
        negate: bool,
        ov: &View<'a>,
        nv: &View<'a>,
        ptr: &str,
        depth: usize,
    ) {
        match (ov.get(keyword), nv.get(keyword)) {
            (None, None) => {}
            (None, n @ Some(_)) => self.keyword_added(keyword, n, ptr),
            (o @ Some(_), None) => self.keyword_removed(keyword, o, ptr),
            (Some(a), Some(b)) => {
                self.negated ^= negate;
                self.cmp(a, b, &at(ptr, keyword), depth + 1);
                self.negated ^= negate;
            }
        }
    }

    fn cmp_opaque(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str) {
        for &keyword in OPAQUE {
            match (ov.get(keyword), nv.get(keyword)) {
                (None, None) => {}
                (None, n @ Some(_)) => self.keyword_added(keyword, n, ptr),
                (o @ Some(_), None) => self.keyword_removed(keyword, o, ptr),
                (Some(a), Some(b)) => {
                    let ca = self.canon_keyword(keyword, a, &mut Canon::new(self.old_root), 0);
                    let cb = self.canon_keyword(keyword, b, &mut Canon::new(self.new_root), 0);
                    if ca != cb {
                        self.push(
                            at(ptr, keyword),
                            "keyword-changed",
                            CHANGED,
                            Some(a),
                            Some(b),
                            format!("`{keyword}` changed"),
                        );
                    }
                }
            }
        }
    }

    fn cmp_annotations(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str) {
        let keys: BTreeSet<&'a str> = ov.keys().into_iter().chain(nv.keys()).collect();
        for keyword in keys {
            if HANDLED.contains(&keyword) || OPAQUE.contains(&keyword) || SKIPPED.contains(&keyword)
            {
                continue;
            }
            let (a, b) = (ov.get(keyword), nv.get(keyword));
            let equal = match (keyword, a, b) {
                // A set of field names shown under "advanced": order is noise.
                ("advanced", Some(Value::Array(x)), Some(Value::Array(y))) => {
                    value_set(x).keys().eq(value_set(y).keys())
                }
                _ => same(a, b),
            };
            if equal {
                continue;
            }
            let verb = match (a, b) {
                (None, _) => "added",
                (_, None) => "removed",
                _ => "changed",
            };
            self.push(
                at(ptr, keyword),
                annotation_kind(keyword),
                NEUTRAL,
                a,
                b,
                format!("`{}` {verb}", name(keyword)),
            );
        }
    }

    fn canon_string(&mut self, v: &'a Value, old: bool, annotations: bool) -> String {
        let root = if old { self.old_root } else { self.new_root };
        let mut cx = Canon::new(root);
        cx.annotations = annotations;
        canonical_string(&self.canon(v, &mut cx, 0))
    }

    fn canon_keyword(
        &mut self,
        keyword: &str,
        v: &'a Value,
        cx: &mut Canon<'a>,
        depth: usize,
    ) -> Value {
        match (keyword, v) {
            ("dependentSchemas" | "dependencies" | "dependentRequired", Value::Object(m)) => {
                let sorted: BTreeMap<&String, &'a Value> = m.iter().collect();
                Value::Object(
                    sorted
                        .into_iter()
                        .map(|(k, x)| {
                            let c = match x {
                                Value::Array(a) => {
                                    Value::Array(value_set(a).into_values().collect())
                                }
                                _ => self.canon(x, cx, depth + 1),
                            };
                            (k.clone(), c)
                        })
                        .collect(),
                )
            }
            (
                "if"
                | "then"
                | "else"
                | "unevaluatedProperties"
                | "unevaluatedItems"
                | "contentSchema",
                _,
            ) => self.canon(v, cx, depth + 1),
            _ => norm_value(v),
        }
    }

    /// A normal form for matching `anyOf`/`oneOf`/`allOf` branches: refs
    /// expanded, set-like arrays sorted, defaults dropped, annotations
    /// dropped. A cycle back to a schema on the current path becomes a
    /// marker counting how far up it points, so equal cyclic structures get
    /// equal forms whatever their definitions are called.
    fn canon(&mut self, v: &'a Value, cx: &mut Canon<'a>, depth: usize) -> Value {
        let mut view = resolve(v, cx.root);
        flatten(&mut view, cx.root);
        let id = view.identity(v);
        if let Some(pos) = cx.stack.iter().rposition(|&a| a == id) {
            return serde_json::json!({ "$cycle": cx.stack.len() - pos });
        }
        if depth > MAX_DEPTH || !self.tick() {
            // Unique per schema, so it never makes two schemas look equal.
            return serde_json::json!({ "$unexpanded": id });
        }
        match view.shape {
            Shape::Invalid => return serde_json::json!({ "$invalid": norm_value(v) }),
            Shape::Never => return Value::Bool(false),
            Shape::Obj(_) => {}
        }
        cx.stack.push(id);
        let mut out: BTreeMap<String, Value> = BTreeMap::new();
        let empty = Value::Object(Map::new());

        match type_set(view.get("type")) {
            Ok(Some(set)) => {
                out.insert(
                    "type".into(),
                    Value::Array(set.into_iter().map(Value::String).collect()),
                );
            }
            Ok(None) => {}
            Err(()) => {
                out.extend(view.get("type").map(|t| ("type".into(), norm_value(t))));
            }
        }
        match allowed(&view) {
            Ok(Some((set, _))) => {
                out.insert("enum".into(), Value::Array(set.into_values().collect()));
            }
            Ok(None) => {}
            Err(()) => {
                for kw in ["enum", "const"] {
                    out.extend(view.get(kw).map(|x| (kw.into(), norm_value(x))));
                }
            }
        }
        for (lower, inc_kw, exc_kw) in [
            (true, "minimum", "exclusiveMinimum"),
            (false, "maximum", "exclusiveMaximum"),
        ] {
            match bound(&view, lower) {
                Ok(Some(b)) => {
                    let kw = if b.exclusive { exc_kw } else { inc_kw };
                    let n = serde_json::Number::from_f64(b.value)
                        .map_or(Value::Null, |n| Value::Number(norm_num(&n)));
                    out.insert(kw.into(), n);
                }
                Ok(None) => {}
                Err(()) => {
                    for kw in [inc_kw, exc_kw] {
                        out.extend(view.get(kw).map(|x| (kw.into(), norm_value(x))));
                    }
                }
            }
        }
        for &(kw, lower) in COUNTS {
            if let Some(x) = view.get(kw)
                && !(lower && x.as_f64().is_some_and(|f| f <= 0.0))
            {
                out.insert(kw.into(), norm_value(x));
            }
        }
        if let Some(x) = view.get("uniqueItems")
            && *x != Value::Bool(false)
        {
            out.insert("uniqueItems".into(), norm_value(x));
        }
        for kw in [
            "multipleOf",
            "pattern",
            "format",
            "minContains",
            "maxContains",
            "contentEncoding",
            "contentMediaType",
        ] {
            out.extend(view.get(kw).map(|x| (kw.into(), norm_value(x))));
        }
        match string_set(view.get("required")) {
            Ok(set) if set.is_empty() => {}
            Ok(set) => {
                out.insert(
                    "required".into(),
                    Value::Array(set.into_iter().map(Value::String).collect()),
                );
            }
            Err(()) => {
                out.extend(
                    view.get("required")
                        .map(|x| ("required".into(), norm_value(x))),
                );
            }
        }
        for kw in ["properties", "patternProperties", "dependentSchemas"] {
            match view.get(kw) {
                Some(Value::Object(m)) if !m.is_empty() => {
                    let sorted: BTreeMap<&String, &'a Value> = m.iter().collect();
                    let mut inner = Map::new();
                    for (k, x) in sorted {
                        inner.insert(k.clone(), self.canon(x, cx, depth + 1));
                    }
                    out.insert(kw.into(), Value::Object(inner));
                }
                Some(Value::Object(_)) | None => {}
                Some(x) => {
                    out.insert(kw.into(), norm_value(x));
                }
            }
        }
        for kw in [
            "additionalProperties",
            "additionalItems",
            "items",
            "not",
            "contains",
            "propertyNames",
            "if",
            "then",
            "else",
            "unevaluatedProperties",
            "unevaluatedItems",
            "contentSchema",
        ] {
            let Some(x) = view.get(kw) else { continue };
            let c = match x {
                Value::Array(a) if kw == "items" => {
                    Value::Array(a.iter().map(|s| self.canon(s, cx, depth + 1)).collect())
                }
                _ => self.canon(x, cx, depth + 1),
            };
            let trivially_true =
                c == empty && matches!(kw, "additionalProperties" | "additionalItems" | "items");
            if !trivially_true {
                out.insert(kw.into(), c);
            }
        }
        for kw in ["prefixItems", "anyOf", "oneOf", "allOf"] {
            match view.get(kw) {
                Some(Value::Array(a)) => {
                    let mut items: Vec<Value> =
                        a.iter().map(|s| self.canon(s, cx, depth + 1)).collect();
                    if kw != "prefixItems" {
                        // Branch order does not change what validates.
                        items.sort_by_cached_key(canonical_string);
                    }
                    out.insert(kw.into(), Value::Array(items));
                }
                Some(x) => {
                    out.insert(kw.into(), norm_value(x));
                }
                None => {}
            }
        }
        for kw in ["dependencies", "dependentRequired"] {
            if let Some(x) = view.get(kw) {
                let c = self.canon_keyword(kw, x, cx, depth);
                out.insert(kw.into(), c);
            }
        }
        if let Some(r) = view.unresolved_ref {
            out.insert("$ref".into(), norm_value(r));
        }
        if cx.annotations {
            for kw in view.keys() {
                if HANDLED.contains(&kw) || OPAQUE.contains(&kw) || SKIPPED.contains(&kw) {
                    continue;
                }
                let value = match view.get(kw) {
                    Some(Value::Array(a)) if kw == "advanced" => {
                        Value::Array(value_set(a).into_values().collect())
                    }
                    Some(x) => norm_value(x),
                    None => continue,
                };
                out.insert(format!("@{kw}"), value);
            }
        }
        cx.stack.pop();
        Value::Object(out.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Direction::{Input, Output};
    use serde_json::json;

    /// Every kind the module can emit; the docs must describe each one.
    const ALL_KINDS: &[&str] = &[
        "type-changed",
        "type-narrowed",
        "type-widened",
        "property-added",
        "property-removed",
        "required-added",
        "required-removed",
        "required-property-added",
        "required-property-removed",
        "enum-value-added",
        "enum-value-removed",
        "enum-added",
        "enum-removed",
        "const-added",
        "const-removed",
        "const-changed",
        "constraint-tightened",
        "constraint-loosened",
        "constraint-changed",
        "pattern-added",
        "pattern-removed",
        "pattern-changed",
        "format-added",
        "format-removed",
        "format-changed",
        "additional-properties-closed",
        "additional-properties-opened",
        "pattern-property-added",
        "pattern-property-removed",
        "any-of-branch-added",
        "any-of-branch-removed",
        "any-of-changed",
        "one-of-branch-added",
        "one-of-branch-removed",
        "one-of-changed",
        "all-of-branch-added",
        "all-of-branch-removed",
        "all-of-changed",
        "schema-opened",
        "schema-closed",
        "schema-replaced",
        "ref-changed",
        "keyword-added",
        "keyword-removed",
        "keyword-changed",
        "title-changed",
        "description-changed",
        "default-changed",
        "advanced-changed",
        "lookup-changed",
        "enum-labels-changed",
        "default-jsonpath-changed",
        "annotation-changed",
        "too-deep",
        "too-complex",
    ];

    struct Case {
        name: &'static str,
        old: Value,
        new: Value,
        /// (pointer, kind); kinds and pointers never depend on direction.
        expect: Vec<(String, &'static str)>,
        breaks_input: bool,
        breaks_output: bool,
    }

    fn case(
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

    fn same_both(name: &'static str, old: Value, new: Value) -> Case {
        case(name, old, new, &[], false, false)
    }

    fn nested_items(levels: usize, leaf: Value) -> Value {
        // Not `json!`: it would deep-copy `v` through serde at every level.
        let mut v = leaf;
        for _ in 0..levels {
            let mut m = Map::new();
            m.insert("type".into(), json!("array"));
            m.insert("items".into(), v);
            v = Value::Object(m);
        }
        v
    }

    fn tree(defs: &str, name: &str) -> Value {
        let r = format!("#/{defs}/{name}");
        json!({
            "$ref": r,
            defs: { name: {
                "type": "object",
                "properties": {
                    "value": { "type": "string" },
                    "children": { "type": "array", "items": { "$ref": r } }
                }
            }}
        })
    }

    fn cases() -> Vec<Case> {
        let obj = |props: Value| json!({ "type": "object", "properties": props });
        let closed = |props: Value| json!({ "type": "object", "properties": props, "additionalProperties": false });
        let deep_old = nested_items(70, json!({ "type": "string" }));
        let deep_new = nested_items(70, json!({ "type": "number" }));
        let deep_ptr = "/items".repeat(65);
        let mut deep = case(
            "difference_below_depth_limit",
            deep_old,
            deep_new,
            &[],
            true,
            true,
        );
        deep.expect = vec![(deep_ptr, "too-deep")];
        let user = json!({ "type": "object", "properties": { "id": { "type": "string" } }, "required": ["id"] });

        vec![
            // Equivalent spellings: no change at all.
            same_both(
                "identical_schemas",
                json!({ "type": "object", "properties": { "channel": { "type": "string", "maxLength": 80 } }, "required": ["channel"], "additionalProperties": false }),
                json!({ "type": "object", "properties": { "channel": { "type": "string", "maxLength": 80 } }, "required": ["channel"], "additionalProperties": false }),
            ),
            same_both(
                "type_string_vs_one_element_array",
                json!({ "type": "string" }),
                json!({ "type": ["string"] }),
            ),
            same_both(
                "reordered_required",
                json!({ "properties": { "a": {}, "b": {} }, "required": ["a", "b"] }),
                json!({ "properties": { "a": {}, "b": {} }, "required": ["b", "a"] }),
            ),
            same_both(
                "duplicate_required_entries",
                json!({ "properties": { "a": {} }, "required": ["a"] }),
                json!({ "properties": { "a": {} }, "required": ["a", "a"] }),
            ),
            same_both(
                "reordered_enum",
                json!({ "enum": ["x", "y", 1] }),
                json!({ "enum": [1, "y", "x"] }),
            ),
            same_both(
                "ref_vs_same_schema_inline",
                json!({ "type": "object", "properties": { "user": { "$ref": "#/definitions/user" } }, "definitions": { "user": user } }),
                json!({ "type": "object", "properties": { "user": user } }),
            ),
            same_both(
                "defs_vs_definitions",
                json!({ "properties": { "u": { "$ref": "#/$defs/u" } }, "$defs": { "u": user } }),
                json!({ "properties": { "u": { "$ref": "#/definitions/u" } }, "definitions": { "u": user } }),
            ),
            same_both(
                "cyclic_ref_identical_terminates",
                tree("definitions", "node"),
                tree("definitions", "node"),
            ),
            same_both(
                "cyclic_ref_renamed_terminates",
                tree("definitions", "node"),
                tree("$defs", "tree"),
            ),
            same_both("true_vs_empty_object", json!(true), json!({})),
            same_both(
                "additional_properties_true_vs_absent",
                json!({ "type": "object", "additionalProperties": true }),
                json!({ "type": "object" }),
            ),
            same_both(
                "zero_min_length_vs_absent",
                json!({ "minLength": 0 }),
                json!({}),
            ),
            same_both(
                "draft04_vs_draft06_exclusive_minimum",
                json!({ "minimum": 5, "exclusiveMinimum": true }),
                json!({ "exclusiveMinimum": 5 }),
            ),
            same_both(
                "const_vs_one_value_enum",
                json!({ "const": "a" }),
                json!({ "enum": ["a"] }),
            ),
            same_both(
                "integer_and_number_vs_number",
                json!({ "type": ["integer", "number"] }),
                json!({ "type": "number" }),
            ),
            same_both(
                "reordered_any_of_branches",
                json!({ "anyOf": [{ "type": "string" }, { "type": "number" }] }),
                json!({ "anyOf": [{ "type": "number" }, { "type": "string" }] }),
            ),
            same_both(
                "integral_float_vs_integer",
                json!({ "maximum": 10, "enum": [1] }),
                json!({ "maximum": 10.0, "enum": [1.0] }),
            ),
            same_both(
                "reordered_advanced",
                json!({ "advanced": ["a", "b"] }),
                json!({ "advanced": ["b", "a"] }),
            ),
            same_both(
                "ref_with_sibling_description_vs_inline",
                json!({ "properties": { "a": { "$ref": "#/definitions/s", "description": "d" } }, "definitions": { "s": { "type": "string" } } }),
                json!({ "properties": { "a": { "type": "string", "description": "d" } } }),
            ),
            same_both(
                "unused_definition_changed",
                json!({ "type": "string", "definitions": { "x": { "type": "string" } } }),
                json!({ "type": "string", "definitions": { "x": { "type": "number" } } }),
            ),
            same_both(
                "single_all_of_ref_vs_inline_openapi_style",
                json!({ "description": "d", "allOf": [{ "$ref": "#/definitions/x" }], "definitions": { "x": { "type": "object", "description": "d", "properties": { "a": { "type": "string" } } } } }),
                json!({ "type": "object", "description": "d", "properties": { "a": { "type": "string" } } }),
            ),
            same_both(
                "all_of_with_disjoint_keywords_vs_merged",
                json!({ "allOf": [{ "type": "string" }, { "maxLength": 5 }] }),
                json!({ "type": "string", "maxLength": 5 }),
            ),
            same_both(
                "single_branch_any_of_vs_inline",
                json!({ "anyOf": [{ "type": "string" }] }),
                json!({ "type": "string" }),
            ),
            case(
                "change_across_all_of_respelling",
                json!({ "allOf": [{ "type": "string", "maxLength": 5 }] }),
                json!({ "type": "string", "maxLength": 3 }),
                &[("/maxLength", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "all_of_not_merged_when_additional_properties_would_change_meaning",
                json!({ "properties": { "a": {} }, "additionalProperties": false, "allOf": [{ "properties": { "b": {} } }] }),
                json!({ "properties": { "a": {}, "b": {} }, "additionalProperties": false }),
                &[
                    ("/allOf", "keyword-removed"),
                    ("/properties/b", "property-added"),
                ],
                false,
                true,
            ),
            same_both(
                "tuple_items_vs_equivalent_single_schema",
                json!({ "items": { "type": "string" } }),
                json!({ "items": [{ "type": "string" }], "additionalItems": { "type": "string" } }),
            ),
            // Tray UI keywords and other annotations: reported, never breaking.
            case(
                "ui_keywords_only",
                json!({ "type": "object", "title": "A", "description": "x", "advanced": ["a"], "lookup": { "operation": "list_channels", "input": {} }, "enumLabels": ["One"], "default_jsonpath": "$.a", "default": 1 }),
                json!({ "type": "object", "title": "B", "description": "y", "advanced": ["a", "b"], "lookup": { "message": "channels", "input": { "x": "{{y}}" } }, "enumLabels": ["Uno"], "default_jsonpath": "$.b", "default": 2 }),
                &[
                    ("/advanced", "advanced-changed"),
                    ("/default", "default-changed"),
                    ("/default_jsonpath", "default-jsonpath-changed"),
                    ("/description", "description-changed"),
                    ("/enumLabels", "enum-labels-changed"),
                    ("/lookup", "lookup-changed"),
                    ("/title", "title-changed"),
                ],
                false,
                false,
            ),
            case(
                "nested_title_added",
                obj(json!({ "a": { "type": "string" } })),
                obj(json!({ "a": { "type": "string", "title": "A" } })),
                &[("/properties/a/title", "title-changed")],
                false,
                false,
            ),
            case(
                "other_annotation_changed",
                json!({ "readOnly": false }),
                json!({ "readOnly": true }),
                &[("/readOnly", "annotation-changed")],
                false,
                false,
            ),
            // type
            case(
                "type_changed_to_unrelated_type",
                json!({ "type": "string", "maxLength": 5, "title": "a" }),
                json!({ "type": "object", "title": "b" }),
                &[("/type", "type-changed")],
                true,
                true,
            ),
            case(
                "type_narrowed",
                json!({ "type": ["string", "null"] }),
                json!({ "type": "string" }),
                &[("/type", "type-narrowed")],
                true,
                false,
            ),
            case(
                "type_number_to_integer_narrowed",
                json!({ "type": "number" }),
                json!({ "type": "integer" }),
                &[("/type", "type-narrowed")],
                true,
                false,
            ),
            case(
                "type_integer_to_number_widened",
                json!({ "type": "integer" }),
                json!({ "type": "number" }),
                &[("/type", "type-widened")],
                false,
                true,
            ),
            case(
                "type_added_narrows",
                json!({}),
                json!({ "type": "string" }),
                &[("/type", "type-narrowed")],
                true,
                false,
            ),
            case(
                "type_removed_widens",
                json!({ "type": "string" }),
                json!({}),
                &[("/type", "type-widened")],
                false,
                true,
            ),
            // properties and required
            case(
                "optional_property_added",
                obj(json!({ "a": { "type": "string" } })),
                obj(json!({ "a": { "type": "string" }, "b": { "type": "string" } })),
                &[("/properties/b", "property-added")],
                false,
                false,
            ),
            case(
                "property_removed_from_open_object",
                obj(json!({ "a": {}, "b": { "type": "string" } })),
                obj(json!({ "a": {} })),
                &[("/properties/b", "property-removed")],
                false,
                true,
            ),
            case(
                "property_removed_from_closed_object",
                closed(json!({ "a": {}, "b": { "type": "string" } })),
                closed(json!({ "a": {} })),
                &[("/properties/b", "property-removed")],
                true,
                true,
            ),
            case(
                "property_removed_into_compatible_additional_schema",
                json!({ "properties": { "a": { "type": "string" } }, "additionalProperties": { "type": "string" } }),
                json!({ "additionalProperties": { "type": "string" } }),
                &[("/properties/a", "property-removed")],
                false,
                true,
            ),
            case(
                "property_removed_into_incompatible_additional_schema",
                json!({ "properties": { "a": { "type": "string" } }, "additionalProperties": { "type": "number" } }),
                json!({ "additionalProperties": { "type": "number" } }),
                &[("/properties/a", "property-removed")],
                true,
                true,
            ),
            case(
                "existing_property_became_required",
                json!({ "properties": { "a": {} }, "required": [] }),
                json!({ "properties": { "a": {} }, "required": ["a"] }),
                &[("/required", "required-added")],
                true,
                false,
            ),
            case(
                "property_no_longer_required",
                json!({ "properties": { "a": {} }, "required": ["a"] }),
                json!({ "properties": { "a": {} } }),
                &[("/required", "required-removed")],
                false,
                true,
            ),
            case(
                "new_required_property",
                obj(json!({ "a": {} })),
                json!({ "type": "object", "properties": { "a": {}, "b": { "type": "string" } }, "required": ["b"] }),
                &[("/properties/b", "required-property-added")],
                true,
                false,
            ),
            case(
                "required_property_removed_from_open_object",
                json!({ "type": "object", "properties": { "a": {}, "b": { "type": "string" } }, "required": ["b"] }),
                obj(json!({ "a": {} })),
                &[("/properties/b", "required-property-removed")],
                false,
                true,
            ),
            case(
                "required_property_removed_from_closed_object",
                json!({ "properties": { "b": {} }, "required": ["b"], "additionalProperties": false }),
                json!({ "properties": {}, "additionalProperties": false }),
                &[("/properties/b", "required-property-removed")],
                true,
                true,
            ),
            case(
                "property_schema_dropped_but_still_required",
                json!({ "properties": { "a": { "type": "string" } }, "required": ["a"] }),
                json!({ "required": ["a"] }),
                &[("/properties/a/type", "type-widened")],
                false,
                true,
            ),
            case(
                "schema_given_to_already_required_name",
                json!({ "required": ["a"] }),
                json!({ "properties": { "a": { "type": "string" } }, "required": ["a"] }),
                &[("/properties/a/type", "type-narrowed")],
                true,
                false,
            ),
            case(
                "property_names_are_escaped",
                obj(json!({ "a/b~c": { "maxLength": 5 } })),
                obj(json!({ "a/b~c": { "maxLength": 3 } })),
                &[("/properties/a~1b~0c/maxLength", "constraint-tightened")],
                true,
                false,
            ),
            // additionalProperties and patternProperties
            case(
                "additional_properties_closed",
                json!({ "type": "object" }),
                json!({ "type": "object", "additionalProperties": false }),
                &[("/additionalProperties", "additional-properties-closed")],
                true,
                false,
            ),
            case(
                "additional_properties_opened",
                json!({ "type": "object", "additionalProperties": false }),
                json!({ "type": "object", "additionalProperties": true }),
                &[("/additionalProperties", "additional-properties-opened")],
                false,
                false,
            ),
            case(
                "additional_properties_restricted_to_a_schema",
                json!({ "type": "object" }),
                json!({ "type": "object", "additionalProperties": { "type": "string" } }),
                &[("/additionalProperties/type", "type-narrowed")],
                true,
                false,
            ),
            case(
                "additional_properties_schema_relaxed",
                json!({ "type": "object", "additionalProperties": { "type": "string" } }),
                json!({ "type": "object" }),
                &[("/additionalProperties/type", "type-widened")],
                false,
                true,
            ),
            case(
                "pattern_property_added_to_open_object",
                json!({ "type": "object" }),
                json!({ "type": "object", "patternProperties": { "^x-": { "type": "string" } } }),
                &[("/patternProperties/^x-", "pattern-property-added")],
                true,
                false,
            ),
            case(
                "pattern_property_added_to_closed_object",
                json!({ "additionalProperties": false }),
                json!({ "additionalProperties": false, "patternProperties": { "^x-": {} } }),
                &[("/patternProperties/^x-", "pattern-property-added")],
                false,
                true,
            ),
            case(
                "pattern_property_removed_from_open_object",
                json!({ "patternProperties": { "^x-": { "type": "string" } } }),
                json!({}),
                &[("/patternProperties/^x-", "pattern-property-removed")],
                false,
                true,
            ),
            case(
                "pattern_property_removed_from_closed_object",
                json!({ "additionalProperties": false, "patternProperties": { "^x-": {} } }),
                json!({ "additionalProperties": false }),
                &[("/patternProperties/^x-", "pattern-property-removed")],
                true,
                false,
            ),
            // enum and const
            case(
                "enum_value_added",
                json!({ "enum": ["a"] }),
                json!({ "enum": ["a", "b"] }),
                &[("/enum", "enum-value-added")],
                false,
                true,
            ),
            case(
                "enum_value_removed",
                json!({ "enum": ["a", "b"] }),
                json!({ "enum": ["a"] }),
                &[("/enum", "enum-value-removed")],
                true,
                false,
            ),
            case(
                "enum_value_replaced",
                json!({ "enum": ["a", "b"] }),
                json!({ "enum": ["a", "c"] }),
                &[
                    ("/enum", "enum-value-added"),
                    ("/enum", "enum-value-removed"),
                ],
                true,
                true,
            ),
            case(
                "enum_added",
                json!({ "type": "string" }),
                json!({ "type": "string", "enum": ["a"] }),
                &[("/enum", "enum-added")],
                true,
                false,
            ),
            case(
                "enum_removed",
                json!({ "type": "string", "enum": ["a"] }),
                json!({ "type": "string" }),
                &[("/enum", "enum-removed")],
                false,
                true,
            ),
            case(
                "const_added",
                json!({}),
                json!({ "const": "a" }),
                &[("/const", "const-added")],
                true,
                false,
            ),
            case(
                "const_removed",
                json!({ "const": "a" }),
                json!({}),
                &[("/const", "const-removed")],
                false,
                true,
            ),
            case(
                "const_changed",
                json!({ "const": "a" }),
                json!({ "const": "b" }),
                &[("/const", "const-changed")],
                true,
                true,
            ),
            case(
                "const_widened_to_enum",
                json!({ "const": "a" }),
                json!({ "enum": ["a", "b"] }),
                &[("/enum", "enum-value-added")],
                false,
                true,
            ),
            // numeric, string, array and object bounds
            case(
                "max_length_decreased",
                json!({ "maxLength": 100 }),
                json!({ "maxLength": 50 }),
                &[("/maxLength", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "max_length_increased",
                json!({ "maxLength": 50 }),
                json!({ "maxLength": 100 }),
                &[("/maxLength", "constraint-loosened")],
                false,
                true,
            ),
            case(
                "min_length_increased",
                json!({ "minLength": 1 }),
                json!({ "minLength": 2 }),
                &[("/minLength", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "minimum_raised",
                json!({ "minimum": 1 }),
                json!({ "minimum": 2 }),
                &[("/minimum", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "maximum_lowered",
                json!({ "maximum": 10 }),
                json!({ "maximum": 9.5 }),
                &[("/maximum", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "maximum_removed",
                json!({ "maximum": 10 }),
                json!({}),
                &[("/maximum", "constraint-loosened")],
                false,
                true,
            ),
            case(
                "draft04_exclusive_minimum_switched_on",
                json!({ "minimum": 5 }),
                json!({ "minimum": 5, "exclusiveMinimum": true }),
                &[("/exclusiveMinimum", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "draft06_exclusive_maximum_made_inclusive",
                json!({ "exclusiveMaximum": 10 }),
                json!({ "maximum": 10 }),
                &[("/exclusiveMaximum", "constraint-loosened")],
                false,
                true,
            ),
            case(
                "draft06_exclusive_minimum_raised",
                json!({ "exclusiveMinimum": 1 }),
                json!({ "exclusiveMinimum": 2 }),
                &[("/exclusiveMinimum", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "max_items_decreased",
                json!({ "maxItems": 3 }),
                json!({ "maxItems": 2 }),
                &[("/maxItems", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "min_items_increased",
                json!({ "minItems": 0 }),
                json!({ "minItems": 1 }),
                &[("/minItems", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "unique_items_added",
                json!({}),
                json!({ "uniqueItems": true }),
                &[("/uniqueItems", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "unique_items_dropped",
                json!({ "uniqueItems": true }),
                json!({ "uniqueItems": false }),
                &[("/uniqueItems", "constraint-loosened")],
                false,
                true,
            ),
            case(
                "multiple_of_to_a_multiple",
                json!({ "multipleOf": 2 }),
                json!({ "multipleOf": 4 }),
                &[("/multipleOf", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "multiple_of_to_a_divisor",
                json!({ "multipleOf": 0.5 }),
                json!({ "multipleOf": 0.25 }),
                &[("/multipleOf", "constraint-loosened")],
                false,
                true,
            ),
            case(
                "multiple_of_unrelated",
                json!({ "multipleOf": 2 }),
                json!({ "multipleOf": 3 }),
                &[("/multipleOf", "constraint-changed")],
                true,
                true,
            ),
            case(
                "min_properties_raised",
                json!({ "minProperties": 1 }),
                json!({ "minProperties": 2 }),
                &[("/minProperties", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "max_properties_raised",
                json!({ "maxProperties": 1 }),
                json!({ "maxProperties": 2 }),
                &[("/maxProperties", "constraint-loosened")],
                false,
                true,
            ),
            // pattern and format
            case(
                "pattern_added",
                json!({ "type": "string" }),
                json!({ "type": "string", "pattern": "^C" }),
                &[("/pattern", "pattern-added")],
                true,
                false,
            ),
            case(
                "pattern_removed",
                json!({ "pattern": "^C" }),
                json!({}),
                &[("/pattern", "pattern-removed")],
                false,
                true,
            ),
            case(
                "pattern_changed",
                json!({ "pattern": "^C" }),
                json!({ "pattern": "^[CG]" }),
                &[("/pattern", "pattern-changed")],
                true,
                true,
            ),
            case(
                "format_added",
                json!({ "type": "string" }),
                json!({ "type": "string", "format": "email" }),
                &[("/format", "format-added")],
                true,
                false,
            ),
            case(
                "format_removed",
                json!({ "format": "email" }),
                json!({}),
                &[("/format", "format-removed")],
                false,
                true,
            ),
            case(
                "format_changed",
                json!({ "format": "date" }),
                json!({ "format": "date-time" }),
                &[("/format", "format-changed")],
                true,
                true,
            ),
            // items
            case(
                "items_schema_narrowed",
                json!({ "type": "array", "items": { "type": ["string", "null"] } }),
                json!({ "type": "array", "items": { "type": "string" } }),
                &[("/items/type", "type-narrowed")],
                true,
                false,
            ),
            case(
                "tuple_item_tightened",
                json!({ "items": [{ "type": "string", "maxLength": 5 }, { "type": "number" }] }),
                json!({ "items": [{ "type": "string", "maxLength": 3 }, { "type": "number" }] }),
                &[("/items/0/maxLength", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "tuple_closed_with_additional_items_false",
                json!({ "items": [{ "type": "string" }] }),
                json!({ "items": [{ "type": "string" }], "additionalItems": false }),
                &[("/additionalItems", "schema-closed")],
                true,
                false,
            ),
            case(
                "prefix_items_position_opened",
                json!({ "prefixItems": [{ "type": "string" }], "items": false }),
                json!({ "prefixItems": [{ "type": "string" }, { "type": "number" }], "items": false }),
                &[("/prefixItems/1", "schema-opened")],
                false,
                true,
            ),
            // anyOf, oneOf, allOf, not
            case(
                "any_of_branch_added",
                json!({ "anyOf": [{ "type": "string" }] }),
                json!({ "anyOf": [{ "type": "string" }, { "type": "number" }] }),
                &[("/anyOf/1", "any-of-branch-added")],
                false,
                true,
            ),
            case(
                "any_of_branch_removed",
                json!({ "anyOf": [{ "type": "string" }, { "type": "number" }] }),
                json!({ "anyOf": [{ "type": "number" }] }),
                &[("/anyOf/0", "any-of-branch-removed")],
                true,
                false,
            ),
            case(
                "any_of_branches_compared_pairwise",
                json!({ "anyOf": [{ "type": "string" }, { "type": "integer", "minimum": 0 }] }),
                json!({ "anyOf": [{ "type": "string" }, { "type": "integer", "minimum": 1 }] }),
                &[("/anyOf/1/minimum", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "any_of_branches_cannot_be_paired",
                json!({ "anyOf": [{ "type": "string" }, { "type": "number" }] }),
                json!({ "anyOf": [{ "type": "boolean" }, { "type": "null" }, { "type": "array" }] }),
                &[("/anyOf", "any-of-changed")],
                true,
                true,
            ),
            case(
                "any_of_branch_title_changed",
                json!({ "anyOf": [{ "type": "string", "title": "a" }] }),
                json!({ "anyOf": [{ "type": "string", "title": "b" }] }),
                &[("/anyOf/0/title", "title-changed")],
                false,
                false,
            ),
            case(
                "one_of_branch_added",
                json!({ "oneOf": [{ "type": "string" }] }),
                json!({ "oneOf": [{ "type": "string" }, { "type": "number" }] }),
                &[("/oneOf/1", "one-of-branch-added")],
                false,
                true,
            ),
            case(
                "one_of_branch_removed",
                json!({ "oneOf": [{ "type": "string" }, { "type": "number" }] }),
                json!({ "oneOf": [{ "type": "string" }] }),
                &[("/oneOf/1", "one-of-branch-removed")],
                true,
                false,
            ),
            case(
                "one_of_branches_cannot_be_paired",
                json!({ "oneOf": [{ "type": "string" }] }),
                json!({ "oneOf": [{ "type": "number" }, { "type": "boolean" }] }),
                &[("/oneOf", "one-of-changed")],
                true,
                true,
            ),
            case(
                "all_of_constraint_added",
                json!({ "allOf": [{ "type": "object" }] }),
                json!({ "allOf": [{ "type": "object" }, { "required": ["a"] }] }),
                &[("/allOf/1", "all-of-branch-added")],
                true,
                false,
            ),
            case(
                "all_of_constraint_removed",
                json!({ "allOf": [{ "type": "object" }, { "required": ["a"] }] }),
                json!({ "allOf": [{ "type": "object" }] }),
                &[("/allOf/1", "all-of-branch-removed")],
                false,
                true,
            ),
            case(
                "all_of_branches_cannot_be_paired",
                json!({ "allOf": [{ "minimum": 1 }] }),
                json!({ "allOf": [{ "maximum": 5 }, { "multipleOf": 2 }] }),
                &[("/allOf", "all-of-changed")],
                true,
                true,
            ),
            case(
                "any_of_introduced",
                json!({}),
                json!({ "anyOf": [{ "type": "string" }, { "type": "null" }] }),
                &[("/anyOf", "keyword-added")],
                true,
                false,
            ),
            case(
                "narrowing_inside_not_widens",
                json!({ "not": { "type": ["string", "number"] } }),
                json!({ "not": { "type": "string" } }),
                &[("/not/type", "type-narrowed")],
                false,
                true,
            ),
            case(
                "not_removed",
                json!({ "not": { "type": "null" } }),
                json!({}),
                &[("/not", "keyword-removed")],
                false,
                true,
            ),
            // whole subschemas, refs and keywords we do not model
            case(
                "false_schema_opened",
                obj(json!({ "a": false })),
                obj(json!({ "a": { "type": "string" } })),
                &[("/properties/a", "schema-opened")],
                false,
                true,
            ),
            case(
                "subschema_closed_to_false",
                obj(json!({ "a": {} })),
                obj(json!({ "a": false })),
                &[("/properties/a", "schema-closed")],
                true,
                false,
            ),
            case(
                "property_added_as_false",
                obj(json!({})),
                obj(json!({ "a": false })),
                &[("/properties/a", "schema-closed")],
                true,
                false,
            ),
            case(
                "subschema_replaced_by_garbage",
                obj(json!({ "a": { "type": "string" } })),
                obj(json!({ "a": 42 })),
                &[("/properties/a", "schema-replaced")],
                true,
                true,
            ),
            case(
                "root_is_not_a_schema",
                json!(1),
                json!("x"),
                &[("", "schema-replaced")],
                true,
                true,
            ),
            case(
                "external_ref_changed",
                json!({ "$ref": "https://example.com/a.json" }),
                json!({ "$ref": "https://example.com/b.json" }),
                &[("/$ref", "ref-changed")],
                true,
                true,
            ),
            case(
                "dependencies_added",
                json!({}),
                json!({ "dependencies": { "a": ["b"] } }),
                &[("/dependencies", "keyword-added")],
                true,
                false,
            ),
            case(
                "dependencies_removed",
                json!({ "dependencies": { "a": ["b"] } }),
                json!({}),
                &[("/dependencies", "keyword-removed")],
                false,
                true,
            ),
            case(
                "if_then_changed",
                json!({ "if": { "properties": { "a": { "const": 1 } } }, "then": { "required": ["b"] } }),
                json!({ "if": { "properties": { "a": { "const": 1 } } }, "then": { "required": ["c"] } }),
                &[("/then", "keyword-changed")],
                true,
                true,
            ),
            case(
                "malformed_type_changed",
                json!({ "type": 5 }),
                json!({ "type": 6 }),
                &[("/type", "keyword-changed")],
                true,
                true,
            ),
            // The title differs only so that the documents are not
            // identical and every keyword really is compared.
            case(
                "malformed_keywords_unchanged",
                json!({ "type": 5, "maxLength": "x", "required": "a", "title": "t" }),
                json!({ "type": 5, "maxLength": "x", "required": "a", "title": "u" }),
                &[("/title", "title-changed")],
                false,
                false,
            ),
            deep,
        ]
    }

    fn kinds_and_pointers(changes: &[SchemaChange]) -> Vec<(String, &'static str)> {
        changes
            .iter()
            .map(|c| (c.pointer.clone(), c.kind))
            .collect()
    }

    #[test]
    fn table_cases_give_exact_kinds_pointers_and_verdicts_in_both_directions() {
        let cases = cases();
        assert!(cases.len() >= 40);
        let mut failures = Vec::new();
        for c in &cases {
            // The equivalences must hold whichever version is called old.
            let mirrored = c.expect.is_empty();
            for (dir, verdict) in [(Input, c.breaks_input), (Output, c.breaks_output)] {
                let changes = diff_schemas(&c.old, &c.new, dir);
                let mut expect = c.expect.clone();
                expect.sort();
                let got = kinds_and_pointers(&changes);
                if got != expect
                    || is_breaking(&changes) != verdict
                    || changes.iter().any(|x| x.direction != dir)
                {
                    failures.push(format!(
                        "{} [{}]: expected {expect:?} breaking={verdict}, got {got:?} breaking={}",
                        c.name,
                        dir.as_str(),
                        is_breaking(&changes)
                    ));
                }
                if mirrored && !diff_schemas(&c.new, &c.old, dir).is_empty() {
                    failures.push(format!("{} [{}]: not symmetric", c.name, dir.as_str()));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn every_kind_is_covered_by_the_tests_and_documented() {
        let mut covered: BTreeSet<&str> = cases()
            .iter()
            .flat_map(|c| c.expect.iter().map(|(_, k)| *k))
            .collect();
        covered.insert("too-complex"); // exercised by its own test below
        let all: BTreeSet<&str> = ALL_KINDS.iter().copied().collect();
        assert_eq!(covered, all);
        let docs = include_str!("../../docs/schema-diff.md");
        for kind in ALL_KINDS {
            assert!(
                docs.contains(&format!("### `{kind}`")),
                "docs/schema-diff.md lacks a section for `{kind}`"
            );
        }
    }

    #[test]
    fn new_required_input_property_is_one_breaking_change() {
        let old = json!({ "type": "object", "properties": { "channel": { "type": "string" } }, "required": ["channel"] });
        let new = json!({ "type": "object", "properties": { "channel": { "type": "string" }, "text": { "type": "string" } }, "required": ["channel", "text"] });
        let changes = diff_schemas(&old, &new, Input);
        assert_eq!(
            changes,
            vec![SchemaChange {
                direction: Input,
                pointer: "/properties/text".into(),
                kind: "required-property-added",
                breaking: true,
                old: None,
                new: Some(json!({ "type": "string" })),
                message: "new required property `text`".into(),
            }]
        );
    }

    #[test]
    fn existing_property_becoming_required_names_it_in_the_message() {
        let old = json!({ "properties": { "text": {} } });
        let new = json!({ "properties": { "text": {} }, "required": ["text"] });
        let changes = diff_schemas(&old, &new, Input);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].message, "property `text` became required");
        assert_eq!(changes[0].new, Some(json!("text")));
        assert!(changes[0].breaking);
        assert!(!is_breaking(&diff_schemas(&old, &new, Output)));
    }

    #[test]
    fn required_removed_from_output_is_breaking_and_from_input_is_not() {
        let old = json!({ "properties": { "ts": { "type": "string" } }, "required": ["ts"] });
        let new = json!({ "properties": { "ts": { "type": "string" } } });
        assert!(is_breaking(&diff_schemas(&old, &new, Output)));
        assert!(!is_breaking(&diff_schemas(&old, &new, Input)));
    }

    #[test]
    fn removing_a_property_from_a_closed_input_is_breaking_but_from_an_open_one_is_not() {
        let props = json!({ "a": { "type": "string" } });
        let open_old = json!({ "properties": props });
        let closed_old = json!({ "properties": props, "additionalProperties": false });
        let open_new = json!({ "properties": {} });
        let closed_new = json!({ "properties": {}, "additionalProperties": false });
        assert!(!is_breaking(&diff_schemas(&open_old, &open_new, Input)));
        assert!(is_breaking(&diff_schemas(&closed_old, &closed_new, Input)));
        assert!(is_breaking(&diff_schemas(&open_old, &open_new, Output)));
    }

    #[test]
    fn new_output_property_is_not_breaking() {
        let old = json!({ "properties": { "ok": { "type": "boolean" } } });
        let new =
            json!({ "properties": { "ok": { "type": "boolean" }, "ts": { "type": "string" } } });
        let changes = diff_schemas(&old, &new, Output);
        assert_eq!(
            kinds_and_pointers(&changes),
            vec![("/properties/ts".to_owned(), "property-added")]
        );
        assert!(!is_breaking(&changes));
    }

    #[test]
    fn unrelated_type_change_is_reported_once_without_looking_inside() {
        let old = json!({ "properties": { "x": { "type": "string", "maxLength": 3, "pattern": "a", "enum": ["a"] } } });
        let new = json!({ "properties": { "x": { "type": "object", "properties": { "a": {} }, "required": ["a"] } } });
        let changes = diff_schemas(&old, &new, Output);
        assert_eq!(
            kinds_and_pointers(&changes),
            vec![("/properties/x/type".to_owned(), "type-changed")]
        );
        assert_eq!(changes[0].old, Some(json!("string")));
        assert_eq!(changes[0].new, Some(json!("object")));
        assert_eq!(changes[0].message, "type changed from string to object");
    }

    #[test]
    fn constraint_change_reports_keyword_values_and_direction() {
        let changes = diff_schemas(
            &json!({ "properties": { "channel": { "maxLength": 80 } } }),
            &json!({ "properties": { "channel": { "maxLength": 21 } } }),
            Input,
        );
        assert_eq!(changes.len(), 1);
        let c = &changes[0];
        assert_eq!(c.pointer, "/properties/channel/maxLength");
        assert_eq!((c.kind, c.breaking), ("constraint-tightened", true));
        assert_eq!(
            (c.old.clone(), c.new.clone()),
            (Some(json!(80)), Some(json!(21)))
        );
        assert_eq!(c.message, "`maxLength` tightened from 80 to 21");
    }

    #[test]
    fn refs_resolve_against_their_own_document() {
        let old =
            json!({ "$ref": "#/definitions/a", "definitions": { "a": { "type": "string" } } });
        let new =
            json!({ "$ref": "#/definitions/a", "definitions": { "a": { "type": "integer" } } });
        let changes = diff_schemas(&old, &new, Input);
        assert_eq!(
            kinds_and_pointers(&changes),
            vec![("/type".to_owned(), "type-changed")]
        );
    }

    #[test]
    fn percent_encoded_and_escaped_refs_resolve() {
        let old = json!({ "$ref": "#/definitions/a%20b~1c", "definitions": { "a b/c": { "type": "string" } } });
        let new = json!({ "type": "string" });
        assert!(diff_schemas(&old, &new, Input).is_empty());
    }

    #[test]
    fn change_inside_a_recursive_definition_is_found_and_terminates() {
        let old = tree("definitions", "node");
        let mut new = tree("definitions", "node");
        new["definitions"]["node"]["properties"]["value"]["maxLength"] = json!(10);
        let changes = diff_schemas(&old, &new, Input);
        assert_eq!(
            kinds_and_pointers(&changes),
            vec![(
                "/properties/value/maxLength".to_owned(),
                "constraint-tightened"
            )]
        );
    }

    #[test]
    fn self_referencing_and_mutually_referencing_refs_terminate() {
        for schema in [
            json!({ "$ref": "#" }),
            json!({ "$ref": "#/definitions/a", "definitions": { "a": { "$ref": "#/definitions/b" }, "b": { "$ref": "#/definitions/a" } } }),
            json!({ "properties": { "x": { "$ref": "#" } }, "items": { "$ref": "#" }, "anyOf": [{ "$ref": "#" }] }),
        ] {
            for other in [
                json!({}),
                json!({ "type": "string" }),
                json!({ "properties": { "x": { "properties": { "x": false } } } }),
            ] {
                for dir in [Input, Output] {
                    let _ = diff_schemas(&schema, &other, dir);
                    let _ = diff_schemas(&other, &schema, dir);
                }
            }
        }
    }

    #[test]
    fn exponential_ref_fan_out_stops_at_the_work_budget() {
        let mut defs = Map::new();
        for i in 0..30 {
            let next = json!({ "$ref": format!("#/definitions/d{}", i + 1) });
            defs.insert(
                format!("d{i}"),
                json!({ "properties": { "a": next, "b": next } }),
            );
        }
        defs.insert("d30".into(), json!({ "type": "string" }));
        let old = json!({ "$ref": "#/definitions/d0", "definitions": defs });
        let mut new = old.clone();
        new["definitions"]["d30"] = json!({ "type": "number" });
        let changes = diff_schemas(&old, &new, Output);
        assert!(
            changes
                .iter()
                .any(|c| c.kind == "too-complex" && c.pointer.is_empty() && c.breaking)
        );
        // Identical shared definitions are compared once, so a root-only
        // change in the same document needs no budget at all.
        let mut titled = old.clone();
        titled["title"] = json!("t");
        assert_eq!(
            kinds_and_pointers(&diff_schemas(&old, &titled, Input)),
            vec![("/title".to_owned(), "title-changed")]
        );
    }

    #[test]
    fn extremely_deep_values_neither_overflow_nor_hang() {
        let old = nested_items(20_000, json!({ "type": "string" }));
        let new = nested_items(20_000, json!({ "type": "number" }));
        let changes = diff_schemas(&old, &new, Input);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].kind, "too-deep");
        assert!(diff_schemas(&old, &old, Input).is_empty());
        // Dropping a Value this deep is serde_json's recursion, not ours.
        std::mem::forget(old);
        std::mem::forget(new);
        std::mem::forget(changes);
    }

    #[test]
    fn messages_stay_on_one_line() {
        let old = json!({ "properties": { "a\nb": { "enum": ["x\ny"] } } });
        let new = json!({ "properties": { "a\nb": { "enum": ["z"] } }, "required": ["a\nb"], "title": "t\n" });
        for c in diff_schemas(&old, &new, Input) {
            assert!(!c.message.contains('\n'), "{:?}", c.message);
        }
    }

    #[test]
    fn direction_parses_prints_and_serializes_lowercase() {
        assert_eq!(Direction::parse("input"), Some(Input));
        assert_eq!(Direction::parse("OUTPUT"), Some(Output));
        assert_eq!(Direction::parse("in"), None);
        for d in [Input, Output] {
            assert_eq!(Direction::parse(d.as_str()), Some(d));
            assert_eq!(serde_json::to_value(d).unwrap(), json!(d.as_str()));
        }
        let c = &diff_schemas(
            &json!({ "maxLength": 2 }),
            &json!({ "maxLength": 1 }),
            Output,
        )[0];
        let v = serde_json::to_value(c).unwrap();
        assert_eq!(v["direction"], "output");
        assert_eq!(v["kind"], "constraint-tightened");
        assert_eq!(v["breaking"], false);
    }

    #[test]
    fn output_is_sorted_by_pointer_then_kind() {
        let old = json!({ "properties": { "b": { "maxLength": 3 }, "a": { "type": "string" } }, "required": ["a"], "title": "x" });
        let new = json!({ "properties": { "b": { "maxLength": 2, "minLength": 1 }, "a": { "type": "number" } }, "title": "y" });
        let changes = diff_schemas(&old, &new, Input);
        let keys: Vec<(String, &str)> = kinds_and_pointers(&changes);
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert_eq!(keys.len(), 5);
    }

    /// xorshift64*: deterministic, dependency-free randomness for the
    /// generated-schema checks below.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn chance(&mut self, percent: usize) -> bool {
            self.below(100) < percent
        }
        fn pick<'s>(&mut self, items: &[&'s str]) -> &'s str {
            items[self.below(items.len())]
        }
    }

    const NAMES: &[&str] = &["a", "b", "c/d", "e~f", "g"];
    const TYPES: &[&str] = &[
        "string", "number", "integer", "object", "array", "boolean", "null",
    ];

    fn scalar(rng: &mut Rng) -> Value {
        match rng.below(4) {
            0 => json!(rng.below(5)),
            1 => json!(rng.pick(NAMES)),
            2 => json!(rng.below(2) == 0),
            _ => Value::Null,
        }
    }

    /// A random schema; `objects` allows the object keywords whose
    /// practical exemptions make verdicts asymmetric.
    fn schema(rng: &mut Rng, depth: usize, objects: bool) -> Value {
        if depth > 3 || rng.chance(10) {
            return match rng.below(4) {
                0 => json!(false),
                1 => json!(true),
                _ => json!({ "type": rng.pick(TYPES) }),
            };
        }
        let mut m = Map::new();
        if rng.chance(12) {
            // Real schemas put only annotations next to a `$ref`; validation
            // siblings have no agreed meaning across drafts.
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

    fn document(rng: &mut Rng, objects: bool) -> Value {
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

    /// Same schema, different spelling: sets reordered and duplicated,
    /// `"t"` ↔ `["t"]`, `true` ↔ `{}`, branches reordered.
    fn respell(v: &Value, rng: &mut Rng) -> Value {
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

    fn check_well_formed(changes: &[SchemaChange], context: &str) {
        let keys: Vec<(&str, &str)> = changes
            .iter()
            .map(|c| (c.pointer.as_str(), c.kind))
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

    #[test]
    fn generated_schemas_equal_their_respelled_selves() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for i in 0..1000 {
            let a = document(&mut rng, true);
            let b = respell(&a, &mut rng);
            for dir in [Input, Output] {
                let changes = diff_schemas(&a, &b, dir);
                assert!(
                    changes.is_empty(),
                    "#{i} {dir:?}\nold {a}\nnew {b}\n{changes:#?}"
                );
            }
        }
    }

    #[test]
    fn generated_schemas_with_a_root_title_change_differ_only_there() {
        let mut rng = Rng(7);
        for i in 0..1000 {
            let a = document(&mut rng, true);
            if !a.is_object() || matches!(resolve(&a, &a).shape, Shape::Never) {
                continue; // a `false` root has nothing to compare inside
            }
            let mut b = a.clone();
            b["title"] = json!("a different title");
            let changes = diff_schemas(&a, &b, Input);
            assert_eq!(
                kinds_and_pointers(&changes),
                vec![("/title".to_owned(), "title-changed")],
                "#{i}\n{a}"
            );
        }
    }

    #[test]
    fn swapping_old_and_new_swaps_the_verdicts() {
        // Without the object keywords, every kind is pure set inclusion, so
        // narrowing one way is widening the other way.
        let mut rng = Rng(42);
        for i in 0..5000 {
            let a = document(&mut rng, false);
            let b = document(&mut rng, false);
            let forward_in = diff_schemas(&a, &b, Input);
            let forward_out = diff_schemas(&a, &b, Output);
            let backward_in = diff_schemas(&b, &a, Input);
            let backward_out = diff_schemas(&b, &a, Output);
            let ctx = format!("#{i}\nold {a}\nnew {b}");
            assert_eq!(
                is_breaking(&forward_in),
                is_breaking(&backward_out),
                "{ctx}"
            );
            assert_eq!(
                is_breaking(&forward_out),
                is_breaking(&backward_in),
                "{ctx}"
            );
            // Kinds and pointers do not depend on the direction.
            assert_eq!(
                kinds_and_pointers(&forward_in),
                kinds_and_pointers(&forward_out),
                "{ctx}"
            );
            check_well_formed(&forward_in, &ctx);
        }
    }

    #[test]
    fn generated_garbage_never_panics() {
        fn garbage(rng: &mut Rng, depth: usize) -> Value {
            if depth > 4 {
                return scalar(rng);
            }
            match rng.below(6) {
                0 => scalar(rng),
                1 => Value::Array((0..rng.below(4)).map(|_| garbage(rng, depth + 1)).collect()),
                _ => {
                    let keys = [
                        "type",
                        "enum",
                        "const",
                        "properties",
                        "required",
                        "items",
                        "additionalItems",
                        "prefixItems",
                        "additionalProperties",
                        "anyOf",
                        "oneOf",
                        "allOf",
                        "not",
                        "$ref",
                        "minimum",
                        "exclusiveMinimum",
                        "maxLength",
                        "multipleOf",
                        "pattern",
                        "format",
                        "patternProperties",
                        "definitions",
                        "title",
                        "dependencies",
                        "if",
                        "uniqueItems",
                    ];
                    let mut m = Map::new();
                    for _ in 0..rng.below(5) {
                        let k = keys[rng.below(keys.len())];
                        let v = if k == "$ref" && rng.chance(70) {
                            json!(rng.pick(&[
                                "#",
                                "#/definitions/a",
                                "#/properties/a",
                                "#/items/0",
                                "#/%zz",
                                "x"
                            ]))
                        } else {
                            garbage(rng, depth + 1)
                        };
                        m.insert(k.to_owned(), v);
                    }
                    Value::Object(m)
                }
            }
        }
        let mut rng = Rng(0xDEAD_BEEF);
        for i in 0..8000 {
            let a = garbage(&mut rng, 0);
            let b = if rng.chance(20) {
                respell(&a, &mut rng)
            } else {
                garbage(&mut rng, 0)
            };
            for dir in [Input, Output] {
                let changes = diff_schemas(&a, &b, dir);
                check_well_formed(&changes, &format!("#{i}\nold {a}\nnew {b}"));
            }
        }
    }
}
