//! Values as the differ compares and reports them: numbers normalised (`1` equals `1.0`), copies clipped to a
//! bounded depth, equality without recursion, and the canonical form of a whole schema (refs expanded, sets sorted,
//! defaults and annotations dropped) that pairs `anyOf` branches and proves two subschemas identical.
//!
//! Nothing here may recurse without a bound or overflow the stack, whatever the nesting of the input: every walk
//! is either iterative or cut at a fixed depth, and a cut is marked so that it never makes two values look equal.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap as HashMap;

use serde_json::{Map, Number, Value};

use super::rules::{bounds, types, values};
use super::view::{self, Shape, View, flatten, resolve};
use super::{MAX_DEPTH, VALUE_CLIP};

const CLIPPED: &str = "\u{2026}(clipped)";

/// Integral floats become integers so that `1` and `1.0` compare equal, as JSON Schema says they are.
pub(super) fn norm_num(n: &Number) -> Number {
    match n.as_f64() {
        Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => Number::from(f as i64),
        _ => n.clone(),
    }
}

/// A bounded-depth copy with normalised numbers and sorted keys, so that equality and serialisation are canonical
/// and can never overflow the stack.
pub(super) fn norm_value(v: &Value) -> Value {
    norm_at(v, VALUE_CLIP)
}

pub(super) fn norm_at(v: &Value, budget: usize) -> Value {
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

pub(super) fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => deep_eq(a, b),
        _ => false,
    }
}

/// Exact equality (numbers by value) with an explicit stack, so that no nesting depth can overflow it.
pub(super) fn deep_eq(a: &Value, b: &Value) -> bool {
    let mut stack = vec![(a, b)];
    while let Some((a, b)) = stack.pop() {
        if std::ptr::eq(a, b) {
            continue;
        }
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                if !numbers_equal(x, y) {
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
            // Scalars, or containers of different kinds (compared without recursing).
            _ => {
                if a != b {
                    return false;
                }
            }
        }
    }
    true
}

/// JSON Schema number equality: by value, so `1` and `1.0` are one number.
pub(super) fn numbers_equal(x: &Number, y: &Number) -> bool {
    norm_num(x) == norm_num(y)
}

/// Whether `v` contains a `$ref` anywhere; searched iteratively, and a value too large to search counts as yes.
pub(super) fn contains_ref(v: &Value) -> bool {
    let mut stack = vec![v];
    let mut visited = 0usize;
    while let Some(x) = stack.pop() {
        visited += 1;
        if visited > 1_000_000 {
            return true;
        }
        match x {
            Value::Object(m) => {
                if m.contains_key("$ref") {
                    return true;
                }
                stack.extend(m.values());
            }
            Value::Array(a) => stack.extend(a),
            _ => {}
        }
    }
    false
}

pub(super) fn canonical_string(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// A value for a one-line message: compact, clipped, escaped by JSON.
pub(super) fn short(v: Option<&Value>) -> String {
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
pub(super) fn name(s: &str) -> String {
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

/// Values keyed by their canonical text: equal JSON values share a key.
pub(super) type ValueSet = BTreeMap<String, Value>;

pub(super) fn value_set<'v>(items: impl IntoIterator<Item = &'v Value>) -> ValueSet {
    items
        .into_iter()
        .map(|v| {
            let n = norm_value(v);
            (canonical_string(&n), n)
        })
        .collect()
}

/// A list of strings (`required`, …) as a set; `Err` when it is not one.
pub(super) fn string_set(v: Option<&Value>) -> Result<BTreeSet<String>, ()> {
    match v {
        None => Ok(BTreeSet::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().map(str::to_owned).ok_or(()))
            .collect(),
        Some(_) => Err(()),
    }
}

/// The fingerprint of one level of a normal form: 128 bits of BLAKE3 over its JSON text, in hex.
fn fingerprint_of(fields: BTreeMap<String, Value>) -> Value {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hasher = blake3::Hasher::new();
    // Writing into a hasher cannot fail; a failure would only make this fingerprint unique.
    let _ = serde_json::to_writer(&mut hasher, &fields);
    let hash = hasher.finalize();
    let mut text = String::with_capacity(32);
    for byte in &hash.as_bytes()[..16] {
        text.push(HEX[usize::from(byte >> 4)] as char);
        text.push(HEX[usize::from(byte & 15)] as char);
    }
    Value::String(text)
}

/// Canonical forms already computed, and the steps canonicalisation may still take: shared by every
/// canonicalisation of one diff, so that a definition reached through many `$ref`s is canonicalised once.
pub(super) struct Fingerprints {
    budget: usize,
    memo: HashMap<(usize, bool), Value>,
}

impl Fingerprints {
    pub(super) fn new(budget: usize) -> Fingerprints {
        Fingerprints {
            budget,
            memo: HashMap::default(),
        }
    }
}

/// One canonicalisation: the document refs resolve against, the schemas on the current path, and whether
/// annotations count.
pub(super) struct Canon<'a, 'b> {
    root: &'a Value,
    stack: Vec<usize>,
    annotations: bool,
    cache: &'b mut Fingerprints,
    /// The lowest position on `stack` a cycle marker below the current schema points at (`usize::MAX`: none).
    low: usize,
}

impl<'a, 'b> Canon<'a, 'b> {
    pub(super) fn new(root: &'a Value, annotations: bool, cache: &'b mut Fingerprints) -> Self {
        Canon {
            root,
            stack: Vec::new(),
            annotations,
            cache,
            low: usize::MAX,
        }
    }

    /// The canonical text of `v`: equal texts mean the two schemas accept the same values (and, with
    /// annotations, say the same about them).
    pub(super) fn string(&mut self, v: &'a Value) -> String {
        canonical_string(&self.schema(v, 0))
    }

    /// A fingerprint of the normal form: refs expanded, set-like arrays sorted, defaults dropped, annotations
    /// dropped unless asked for, and each subschema replaced by its own fingerprint (a 128-bit hash), so that
    /// shared definitions cost once and equal fingerprints mean equal normal forms. A cycle back to a schema on
    /// the current path becomes a marker counting how far up it points, so equal cyclic structures get equal
    /// forms whatever their definitions are called. Anything not expanded (the depth or step budget ran out, a
    /// `$ref` chain too long to follow) becomes a marker unique to that schema, so it never makes two schemas
    /// look equal.
    pub(super) fn schema(&mut self, v: &'a Value, depth: usize) -> Value {
        let mut view = resolve(v, self.root);
        flatten(&mut view, self.root);
        let id = view.identity(v);
        if let Some(pos) = self.stack.iter().rposition(|&a| a == id) {
            self.low = self.low.min(pos);
            return serde_json::json!({ "$cycle": self.stack.len() - pos });
        }
        if let Some(known) = self.cache.memo.get(&(id, self.annotations)) {
            return known.clone();
        }
        if depth > MAX_DEPTH || self.cache.budget == 0 || view.too_long.is_some() {
            return serde_json::json!({ "$unexpanded": id });
        }
        self.cache.budget -= 1;
        match view.shape {
            Shape::Invalid => return serde_json::json!({ "$invalid": norm_value(v) }),
            Shape::Never => return Value::Bool(false),
            Shape::Obj(_) => {}
        }
        self.stack.push(id);
        let outer_low = std::mem::replace(&mut self.low, usize::MAX);
        let out = self.fields(&view, depth);
        self.stack.pop();
        let inner_low = self.low;
        self.low = outer_low.min(inner_low);
        let fingerprint = fingerprint_of(out);
        // Only a schema that met no cycle below it has one form wherever it is reached: inside a cycle, where
        // the markers point depends on where the walk entered it.
        if inner_low == usize::MAX {
            self.cache
                .memo
                .insert((id, self.annotations), fingerprint.clone());
        }
        fingerprint
    }

    /// One level of the normal form, subschemas as fingerprints.
    fn fields(&mut self, view: &View<'a>, depth: usize) -> BTreeMap<String, Value> {
        let mut out: BTreeMap<String, Value> = BTreeMap::new();
        let empty = fingerprint_of(BTreeMap::new());
        match types::type_set(view.get("type")) {
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
        match values::allowed(view) {
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
            match bounds::bound(view, lower) {
                Ok(Some(b)) => {
                    let kw = if b.exclusive { exc_kw } else { inc_kw };
                    let n = Number::from_f64(b.value)
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
        for &(kw, lower) in bounds::COUNTS {
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
                        inner.insert(k.clone(), self.schema(x, depth + 1));
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
                    Value::Array(a.iter().map(|s| self.schema(s, depth + 1)).collect())
                }
                _ => self.schema(x, depth + 1),
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
                        a.iter().map(|s| self.schema(s, depth + 1)).collect();
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
                let c = self.keyword(kw, x, depth);
                out.insert(kw.into(), c);
            }
        }
        if let Some(r) = view.unresolved_ref {
            out.insert("$ref".into(), norm_value(r));
        }
        if self.annotations {
            for kw in view.keys() {
                if view::validates(kw) || view::SKIPPED.contains(&kw) {
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
        out
    }

    /// The canonical form of one keyword the differ reports as a whole.
    pub(super) fn keyword(&mut self, keyword: &str, v: &'a Value, depth: usize) -> Value {
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
                                _ => self.schema(x, depth + 1),
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
            ) => self.schema(v, depth + 1),
            _ => norm_value(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integral_floats_equal_integers_and_nothing_else_does() {
        assert!(deep_eq(
            &json!([1, { "a": 2.0 }]),
            &json!([1.0, { "a": 2 }])
        ));
        assert!(!deep_eq(&json!(1), &json!(1.5)));
        assert!(!deep_eq(&json!({ "a": 1 }), &json!({ "a": 1, "b": 2 })));
        assert!(!deep_eq(&json!("1"), &json!(1)));
    }

    #[test]
    fn deep_values_are_clipped_when_copied() {
        let mut v = json!("leaf");
        for _ in 0..200 {
            v = json!([v]);
        }
        let copy = norm_value(&v);
        assert!(canonical_string(&copy).contains("(clipped)"));
        assert!(deep_eq(&v, &v.clone()));
    }

    #[test]
    fn equal_schemas_spelled_differently_have_one_canonical_form() {
        let mut budget = Fingerprints::new(1000);
        let root = json!({ "definitions": { "s": { "type": "string", "title": "S" } } });
        let a = json!({ "$ref": "#/definitions/s", "minLength": 0 });
        let b = json!({ "type": ["string"], "description": "other words" });
        let mut cx = Canon::new(&root, false, &mut budget);
        let ca = cx.string(&a);
        let cb = cx.string(&b);
        assert_eq!(ca, cb);
        let mut with_annotations = Canon::new(&root, true, &mut budget);
        assert_ne!(with_annotations.string(&a), with_annotations.string(&b));
    }

    #[test]
    fn an_exhausted_budget_never_makes_schemas_equal() {
        let mut budget = Fingerprints::new(0);
        let root = json!({});
        let a = json!({ "type": "string" });
        let b = json!({ "type": "string" });
        let mut cx = Canon::new(&root, false, &mut budget);
        assert_ne!(cx.string(&a), cx.string(&b));
    }
}
