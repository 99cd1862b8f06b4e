//! A schema as the differ and the inclusion engine see it: `$ref` chains resolved through [`crate::refs`] (what is
//! written next to a `$ref` layered over its target), and `allOf` branches merged into their parent when the merge is
//! exact.
//!
//! It must never follow more than [`MAX_REF_HOPS`] references from one place, and it must say so when it stopped
//! early ([`View::too_long`]), so that a change hidden behind a long chain is reported instead of being compared as
//! the literal text `{"$ref": …}` on both sides.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::MAX_REF_HOPS;
use crate::refs::{self, Followed};

/// What an absent `items`/`additionalProperties`/… means.
pub(super) static TRUE_SCHEMA: Value = Value::Bool(true);

/// Keywords with a dedicated comparison in the rules.
pub(super) const HANDLED: &[&str] = &[
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

/// Validation keywords the differ reports as a whole (added, removed, changed) instead of keyword by keyword; the
/// inclusion engine still reasons about most of them.
pub(super) const OPAQUE: &[&str] = &[
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

/// Not compared as keywords: `$ref` is resolved, and definitions only matter through the refs that reach them (an
/// unused definition changes nothing).
pub(super) const SKIPPED: &[&str] = &["$ref", "definitions", "$defs"];

/// Whether `keyword` constrains values (as opposed to annotating them).
pub(super) fn validates(keyword: &str) -> bool {
    HANDLED.contains(&keyword) || OPAQUE.contains(&keyword)
}

/// Keywords that read their siblings (`additionalProperties` looks at `properties`, draft-04 `exclusiveMinimum`
/// modifies `minimum`, …): merging layers must not split one of these groups, or the meaning would change.
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

pub(super) const COMBINATORS: [&str; 3] = ["allOf", "anyOf", "oneOf"];

#[derive(Clone)]
pub(super) enum Shape<'a> {
    /// An object schema, as the ref chain from the site to its final target; earlier layers win, so `$ref`
    /// siblings override the target.
    Obj(Vec<&'a Map<String, Value>>),
    /// `false`: accepts nothing.
    Never,
    /// Not a schema at all (a number, a string, …).
    Invalid,
}

#[derive(Clone)]
/// A schema with its `$ref` chain resolved, borrowing from its document so that the identity of the site can key
/// cycle detection and memoisation.
pub(super) struct View<'a> {
    pub(super) shape: Shape<'a>,
    /// A `$ref` that does not resolve inside the document, loops, or is not a string; such refs can only be
    /// compared by their text.
    pub(super) unresolved_ref: Option<&'a Value>,
    /// The reference at which the chain exceeded [`MAX_REF_HOPS`]: what lies behind it is unknown.
    pub(super) too_long: Option<&'a str>,
    /// Combinators whose branches were merged into `layers` (see [`flatten`]); hidden in every layer.
    pub(super) hidden: Vec<&'static str>,
}

impl<'a> View<'a> {
    fn of(shape: Shape<'a>) -> View<'a> {
        View {
            shape,
            unresolved_ref: None,
            too_long: None,
            hidden: Vec::new(),
        }
    }

    /// What cycle detection and memoisation key on: the first layer that says anything beyond `$ref`, so that
    /// every pure `{"$ref": …}` site pointing at a definition counts as that definition, and a recursive
    /// definition is compared once rather than once more per unrolling.
    pub(super) fn identity(&self, site: &Value) -> usize {
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

    pub(super) fn get(&self, key: &str) -> Option<&'a Value> {
        if self.hidden.contains(&key) {
            return None;
        }
        match &self.shape {
            Shape::Obj(layers) => layers.iter().copied().find_map(|m| m.get(key)),
            _ => None,
        }
    }

    pub(super) fn keys(&self) -> BTreeSet<&'a str> {
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

    pub(super) fn is_never(&self) -> bool {
        matches!(self.shape, Shape::Never)
    }
}

pub(super) fn addr(v: &Value) -> usize {
    std::ptr::from_ref(v) as usize
}

pub(super) fn is_schema_like(v: &Value) -> bool {
    matches!(v, Value::Object(_) | Value::Bool(_))
}

/// Resolves `raw`'s `$ref` chain against `root` (its own document).
pub(super) fn resolve<'a>(raw: &'a Value, root: &'a Value) -> View<'a> {
    let first = match raw {
        Value::Object(m) => m,
        Value::Bool(true) => return View::of(Shape::Obj(Vec::new())),
        Value::Bool(false) => return View::of(Shape::Never),
        _ => return View::of(Shape::Invalid),
    };
    let (nodes, end) = refs::follow_chain(root, raw, MAX_REF_HOPS);
    let mut layers = vec![first];
    let mut view = View::of(Shape::Never);
    for node in nodes.iter().skip(1) {
        match node {
            Value::Object(m) => layers.push(m),
            // A `$ref` to `true` adds nothing; to `false` rejects everything.
            Value::Bool(true) => {}
            Value::Bool(false) => return view,
            // A `$ref` to something that is not a schema: only its text can be compared.
            _ => {
                view.unresolved_ref = layers.last().and_then(|m| m.get("$ref"));
                break;
            }
        }
    }
    match end {
        Followed::Schema { .. } => {
            // A `$ref` that is not a string ends the chain where it is written.
            let last = layers.last().and_then(|m| m.get("$ref"));
            if last.is_some_and(|r| !r.is_string()) {
                view.unresolved_ref = last;
            }
        }
        Followed::Unresolvable { .. } | Followed::Cycle { .. } => {
            view.unresolved_ref = layers.last().and_then(|m| m.get("$ref"));
        }
        Followed::TooLong { reference } => view.too_long = Some(reference),
    }
    view.shape = Shape::Obj(layers);
    view
}

/// The combinators [`flatten`] would merge: any `allOf`, and an `anyOf` or `oneOf` with a single branch (which is
/// just that branch).
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

/// Merges the branches [`mergeable`] finds into the schema's own layers, so that `{"allOf": [X]}` and `X` (the
/// usual OpenAPI rewrite) compare equal. Branches go right after the layer that holds the combinator, so `$ref`
/// siblings keep overriding as they do elsewhere. Only done when the merge is exact: no validation keyword is in
/// both that layer and a branch (or in two branches), no `COUPLED` group is split between them, and no merged
/// combinator would hide one that stays. Otherwise the view is left as it is and compared branch by branch.
pub(super) fn flatten<'a>(view: &mut View<'a>, root: &'a Value) {
    // Nested merges are bounded in depth and count, since branches can reach each other through refs.
    let mut budget = 256;
    flatten_at(view, root, 0, &mut budget);
}

fn flatten_at<'a>(view: &mut View<'a>, root: &'a Value, depth: usize, budget: &mut usize) {
    let Shape::Obj(layers) = &view.shape else {
        return;
    };
    if view.unresolved_ref.is_some() || view.too_long.is_some() || depth > 8 || *budget == 0 {
        return;
    }
    *budget -= 1;
    // Only combinators held by the first layer holding any of them; a later layer's are overridden or stay as
    // they are.
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
            .filter(|k| validates(k) && !hidden.contains(k))
            .collect()
    };
    let mut hidden: Vec<&'static str> = merge.iter().map(|(kw, _)| *kw).collect();
    let around = visible(layers, &hidden);
    let mut groups = vec![visible(&layers[owner..=owner], &hidden)];
    let mut extra = Vec::new();
    for (_, branches) in &merge {
        for branch in *branches {
            let mut bv = resolve(branch, root);
            if bv.unresolved_ref.is_some() || bv.too_long.is_some() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain(hops: usize, leaf: Value) -> Value {
        let mut defs = Map::new();
        for i in 0..hops {
            defs.insert(
                format!("d{i}"),
                json!({ "$ref": format!("#/definitions/d{}", i + 1) }),
            );
        }
        defs.insert(format!("d{hops}"), leaf);
        json!({ "$ref": "#/definitions/d0", "definitions": defs })
    }

    #[test]
    fn a_chain_within_the_hop_limit_resolves_to_its_target() {
        let doc = chain(MAX_REF_HOPS - 1, json!({ "type": "string" }));
        let view = resolve(&doc, &doc);
        assert_eq!(view.get("type"), Some(&json!("string")));
        assert!(view.too_long.is_none() && view.unresolved_ref.is_none());
    }

    #[test]
    fn a_chain_past_the_hop_limit_says_where_it_stopped() {
        let doc = chain(MAX_REF_HOPS + 1, json!({ "type": "string" }));
        let view = resolve(&doc, &doc);
        assert_eq!(view.get("type"), None);
        assert!(view.too_long.is_some());
    }

    #[test]
    fn dangling_looping_and_malformed_refs_are_kept_as_text() {
        let doc = json!({ "definitions": { "a": { "$ref": "#/definitions/a" } } });
        for site in [
            json!({ "$ref": "#/definitions/missing" }),
            json!({ "$ref": "#/definitions/a" }),
            json!({ "$ref": 5 }),
            json!({ "$ref": "https://example.com/x.json" }),
        ] {
            let view = resolve(&site, &doc);
            assert!(view.unresolved_ref.is_some(), "{site}");
            assert!(matches!(view.shape, Shape::Obj(_)));
        }
    }

    #[test]
    fn refs_to_boolean_schemas_mean_what_the_booleans_mean() {
        let doc = json!({ "definitions": { "t": true, "f": false } });
        let t = json!({ "$ref": "#/definitions/t", "type": "string" });
        assert_eq!(resolve(&t, &doc).get("type"), Some(&json!("string")));
        assert!(resolve(&json!({ "$ref": "#/definitions/f" }), &doc).is_never());
    }

    #[test]
    fn ref_siblings_override_the_target() {
        let doc = json!({ "definitions": { "s": { "type": "string", "description": "target" } } });
        let site = json!({ "$ref": "#/definitions/s", "description": "site" });
        let view = resolve(&site, &doc);
        assert_eq!(view.get("description"), Some(&json!("site")));
        assert_eq!(view.get("type"), Some(&json!("string")));
    }

    #[test]
    fn all_of_merges_only_when_exact() {
        let doc = json!({});
        let merged = json!({ "allOf": [{ "type": "string" }, { "maxLength": 3 }] });
        let mut view = resolve(&merged, &doc);
        flatten(&mut view, &doc);
        assert_eq!(view.get("maxLength"), Some(&json!(3)));
        assert_eq!(view.get("allOf"), None);
        let clash = json!({ "maxLength": 5, "allOf": [{ "maxLength": 3 }] });
        let mut view = resolve(&clash, &doc);
        flatten(&mut view, &doc);
        assert_eq!(view.get("maxLength"), Some(&json!(5)));
        assert!(view.get("allOf").is_some());
    }
}
