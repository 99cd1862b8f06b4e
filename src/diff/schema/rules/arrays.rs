//! Arrays: positional schemas (`prefixItems`, or draft-04 `items` arrays with `additionalItems`), the schema for
//! the remaining items, `minItems`/`maxItems`/`uniqueItems` (their records are in `bounds.rs`) and
//! `contains`/`minContains`/`maxContains`.

use serde_json::Value;

use super::super::subset::{Engine, Item, Tri};
use super::super::value::deep_eq;
use super::super::view::{TRUE_SCHEMA, View, is_schema_like, resolve};
use super::super::walk::{Differ, at, at_index};
use super::bounds::{count, counts_included, tightest};

pub(crate) type ItemParts<'a> = (
    Option<(&'a [Value], &'static str)>,
    Option<(&'a Value, &'static str)>,
);

/// Splits array keywords into positional schemas and the schema for the remaining items, covering draft-04 tuples
/// (`items` array + `additionalItems`) and 2020-12 (`prefixItems` + `items`).
pub(crate) fn item_parts<'a>(view: &View<'a>) -> Result<ItemParts<'a>, ()> {
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

/// One bag's array keywords.
struct Shape<'a> {
    prefix: &'a [Value],
    rest: &'a Value,
    contains: Option<(&'a Value, f64, Option<f64>)>,
}

impl<'a> Shape<'a> {
    fn of(view: &View<'a>) -> Result<Shape<'a>, ()> {
        let (prefix, rest) = item_parts(view)?;
        let contains = match view.get("contains") {
            None => None,
            Some(c) if is_schema_like(c) => {
                let min = count(view, "minContains")?.unwrap_or(1.0);
                Some((c, min, count(view, "maxContains")?))
            }
            Some(_) => return Err(()),
        };
        Ok(Shape {
            prefix: prefix.map_or(&[], |(p, _)| p),
            rest: rest.map_or(&TRUE_SCHEMA, |(r, _)| r),
            contains,
        })
    }

    /// The schema for position `i`.
    fn at(&self, i: usize) -> &'a Value {
        self.prefix.get(i).unwrap_or(self.rest)
    }
}

/// The arrays all of `views` allow, when the only one is `[]`.
pub(crate) fn few_arrays(views: &[View<'_>]) -> Option<Vec<Value>> {
    (tightest(views, "maxItems", false) == Some(0.0)).then(|| vec![Value::Array(Vec::new())])
}

/// Whether every array all of `left` accept is accepted by `right`'s array keywords.
pub(crate) fn arrays_included<'a>(
    engine: &mut Engine<'a>,
    left: &[Item<'a>],
    views: &[View<'a>],
    r: Item<'a>,
    rv: &View<'a>,
) -> Tri {
    let Ok(right) = Shape::of(rv) else {
        return Tri::No;
    };
    let shapes: Vec<(Item<'a>, Shape<'a>)> = left
        .iter()
        .zip(views)
        .filter_map(|(item, view)| Shape::of(view).ok().map(|s| (*item, s)))
        .collect();
    // The lengths the left allows.
    let mut lo = tightest(views, "minItems", true).unwrap_or(0.0).max(0.0);
    let mut hi = tightest(views, "maxItems", false);
    for (item, shape) in &shapes {
        let root = engine.root(item.side);
        if resolve(shape.rest, root).is_never() {
            hi = Some(hi.map_or(shape.prefix.len() as f64, |h| {
                h.min(shape.prefix.len() as f64)
            }));
        }
        if let Some(i) = shape
            .prefix
            .iter()
            .position(|p| resolve(p, root).is_never())
        {
            hi = Some(hi.map_or(i as f64, |h| h.min(i as f64)));
        }
        if let Some((_, min, _)) = shape.contains {
            lo = lo.max(min);
        }
    }
    if let Some(answer) = counts_included(lo, hi, rv, "minItems", "maxItems") {
        return answer;
    }
    let unique = |v: &View<'_>| v.get("uniqueItems") == Some(&Value::Bool(true));
    if unique(rv) && !views.iter().any(unique) && hi.is_none_or(|h| h > 1.0) {
        return Tri::No;
    }
    // Position by position up to where every side has only its schema for the rest, then the rest.
    let positions = shapes
        .iter()
        .map(|(_, s)| s.prefix.len())
        .chain([right.prefix.len()])
        .max()
        .unwrap_or(0);
    let reachable = |i: usize| hi.is_none_or(|h| (i as f64) < h);
    let mut answer = Tri::Yes;
    let every_item_in = |engine: &mut Engine<'a>, schema: Item<'a>| -> Tri {
        let mut all = Tri::Yes;
        for i in (0..=positions).take_while(|i| reachable(*i)) {
            let at_i = shapes
                .iter()
                .map(|(item, s)| item.child(if i < positions { s.at(i) } else { s.rest }, true))
                .collect();
            all = all.and(engine.prove_below(at_i, vec![schema]));
            if all == Tri::No {
                break;
            }
        }
        all
    };
    // `positions` itself stands for every position from there on (the schemas for the rest).
    for i in (0..=positions).take_while(|i| reachable(*i)) {
        let last = i == positions;
        let target = r.child(if last { right.rest } else { right.at(i) }, true);
        let at_i = shapes
            .iter()
            .map(|(item, s)| item.child(if last { s.rest } else { s.at(i) }, true))
            .collect();
        answer = answer.and(engine.prove_below(at_i, vec![target]));
        if answer == Tri::No {
            return answer;
        }
    }
    if let Some((c, min, max)) = right.contains {
        let c = r.child(c, false);
        if min > 0.0 {
            // Some left `contains` guarantees enough items of a narrower kind, or every item is of that kind and
            // there are enough of them.
            let mut enough = Tri::No;
            for (item, shape) in &shapes {
                if let Some((lc, lmin, _)) = shape.contains
                    && lmin >= min
                {
                    enough = enough.or(engine.prove_below(vec![item.child(lc, false)], vec![c]));
                }
            }
            if enough != Tri::Yes && lo >= min {
                enough = enough.or(every_item_in(engine, c));
            }
            answer = answer.and(enough);
        }
        if let Some(max) = max {
            // Few enough items in all, or a left `maxContains` that counts a wider kind.
            let mut few = Tri::from_bool(hi.is_some_and(|h| h <= max));
            for (item, shape) in &shapes {
                if few == Tri::Yes {
                    break;
                }
                if let Some((lc, _, Some(lmax))) = shape.contains
                    && lmax <= max
                {
                    few = few.or(engine.prove_below(vec![c], vec![item.child(lc, false)]));
                }
            }
            answer = answer.and(few);
        }
    }
    answer
}

/// Whether an array satisfies the bag's array keywords (anything else passes).
pub(crate) fn accepts<'a>(
    engine: &mut Engine<'a>,
    item: Item<'a>,
    view: &View<'a>,
    value: &Value,
) -> Tri {
    let Value::Array(values) = value else {
        return Tri::Yes;
    };
    let (Ok(shape), Ok(min), Ok(max)) = (
        Shape::of(view),
        count(view, "minItems"),
        count(view, "maxItems"),
    ) else {
        return Tri::Unknown;
    };
    let length = values.len() as f64;
    if min.is_some_and(|m| length < m) || max.is_some_and(|m| length > m) {
        return Tri::No;
    }
    match view.get("uniqueItems") {
        None | Some(Value::Bool(false)) => {}
        Some(Value::Bool(true)) => {
            for (i, a) in values.iter().enumerate() {
                if values[..i].iter().any(|b| deep_eq(a, b)) {
                    return Tri::No;
                }
            }
        }
        Some(_) => return Tri::Unknown,
    }
    let mut answer = Tri::Yes;
    for (i, v) in values.iter().enumerate() {
        answer = answer.and(engine.accepts(item.child(shape.at(i), false), v));
        if answer == Tri::No {
            return answer;
        }
    }
    if let Some((c, min, max)) = shape.contains {
        let (mut yes, mut unknown) = (0.0, 0.0);
        for v in values {
            match engine.accepts(item.child(c, false), v) {
                Tri::Yes => yes += 1.0,
                Tri::Unknown => unknown += 1.0,
                Tri::No => {}
            }
        }
        let low_ok = if yes >= min {
            Tri::Yes
        } else if yes + unknown >= min {
            Tri::Unknown
        } else {
            Tri::No
        };
        let high_ok = match max {
            None => Tri::Yes,
            Some(m) if yes + unknown <= m => Tri::Yes,
            Some(m) if yes <= m => Tri::Unknown,
            Some(_) => Tri::No,
        };
        answer = answer.and(low_ok).and(high_ok);
    }
    answer
}

impl<'a> Differ<'a> {
    pub(crate) fn cmp_array(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str, depth: usize) {
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
        // Position by position: where one side has no positional schema, its schema for the remaining items
        // applies there.
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
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::super::testkit::{Case, case, check_cases, same_both};
    use serde_json::json;

    pub(crate) fn cases() -> Vec<Case> {
        vec![
            same_both(
                "tuple_items_vs_equivalent_single_schema",
                json!({ "items": { "type": "string" } }),
                json!({ "items": [{ "type": "string" }], "additionalItems": { "type": "string" } }),
            ),
            same_both(
                "prefix_items_vs_draft04_tuple",
                json!({ "prefixItems": [{ "type": "string" }], "items": false }),
                json!({ "items": [{ "type": "string" }], "additionalItems": false }),
            ),
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
            case(
                "item_schema_narrowed_beyond_max_items_is_moot",
                json!({ "prefixItems": [{ "type": "string" }, { "type": "number" }], "maxItems": 1, "title": "a" }),
                json!({ "prefixItems": [{ "type": "string" }, { "type": "integer" }], "maxItems": 1, "title": "b" }),
                &[("/title", "title-changed")],
                false,
                false,
            ),
            // Issue 11: allowing one more matching item relaxes inputs.
            case(
                "max_contains_raised",
                json!({ "type": "array", "contains": { "type": "string" }, "maxContains": 1 }),
                json!({ "type": "array", "contains": { "type": "string" }, "maxContains": 2 }),
                &[("/maxContains", "keyword-changed")],
                false,
                true,
            ),
            case(
                "min_contains_raised",
                json!({ "contains": { "type": "string" }, "minContains": 1 }),
                json!({ "contains": { "type": "string" }, "minContains": 2 }),
                &[("/minContains", "keyword-changed")],
                true,
                false,
            ),
            case(
                "contains_narrowed",
                json!({ "contains": { "type": ["string", "null"] } }),
                json!({ "contains": { "type": "string" } }),
                &[("/contains/type", "type-narrowed")],
                true,
                false,
            ),
            case(
                "contains_widened_under_max_contains",
                json!({ "contains": { "type": "string" }, "maxContains": 1 }),
                json!({ "contains": { "type": ["string", "null"] }, "maxContains": 1 }),
                &[("/contains/type", "type-widened")],
                true,
                true,
            ),
            case(
                "contains_added",
                json!({ "type": "array" }),
                json!({ "type": "array", "contains": { "const": 1 } }),
                &[("/contains", "keyword-added")],
                true,
                false,
            ),
            case(
                "contains_implied_by_every_item",
                json!({ "type": "array", "items": { "type": "string" }, "minItems": 1, "title": "a" }),
                json!({ "type": "array", "items": { "type": "string" }, "minItems": 1, "contains": { "type": "string" }, "title": "b" }),
                &[("/title", "title-changed")],
                false,
                false,
            ),
        ]
    }

    #[test]
    fn array_cases_give_exact_kinds_pointers_and_verdicts_in_both_directions() {
        check_cases(&cases());
    }
}
