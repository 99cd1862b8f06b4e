//! Combinators: `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`, and the single-subschema keywords
//! `contains` and `propertyNames` as the walk compares them.
//!
//! For the records, branches are paired by equality (exact, then after normalisation) and compared one to one. For
//! the verdict, the engine takes the combinators apart exactly: `oneOf(A1..An)` is "some Ai, and no two", and
//! `if I then T else E` is "(I and T) or (not I and E)". Nothing about `oneOf` is approximated.

use serde_json::Value;

use super::super::subset::{Engine, Item, Tri, done};
use super::super::view::{View, is_schema_like};
use super::super::walk::{Differ, at, at_index};
use super::super::{CHANGED, Effect, NARROWING, WIDENING};
use crate::diff::schema::SchemaKind;

/// (bit, keyword) in the order the engine takes them apart.
const PARTS: [(u8, &str); 5] = [
    (done::ALL_OF, "allOf"),
    (done::ANY_OF, "anyOf"),
    (done::ONE_OF, "oneOf"),
    (done::NOT, "not"),
    (done::IF, "if"),
];

fn branches<'a>(view: &View<'a>, keyword: &str) -> Option<&'a [Value]> {
    match view.get(keyword) {
        Some(Value::Array(a)) => Some(a.as_slice()),
        _ => None,
    }
}

fn schema<'a>(view: &View<'a>, keyword: &str) -> Option<&'a Value> {
    view.get(keyword).filter(|v| is_schema_like(v))
}

/// Takes apart the first combinator of the sequent, left side first, and proves what it turns into. `None` when
/// no item has a combinator left.
pub(crate) fn expand<'a>(
    engine: &mut Engine<'a>,
    left: &[Item<'a>],
    right: &[Item<'a>],
) -> Option<Tri> {
    for (i, item) in left.iter().enumerate() {
        let view = engine.view(*item);
        for (bit, keyword) in PARTS {
            if item.done & bit != 0 || view.get(keyword).is_none() {
                continue;
            }
            let mut rest = left.to_vec();
            rest[i].done |= bit;
            return Some(expand_left(engine, *item, &view, keyword, rest, right));
        }
    }
    for (i, item) in right.iter().enumerate() {
        let view = engine.view(*item);
        for (bit, keyword) in PARTS {
            if item.done & bit != 0 || view.get(keyword).is_none() {
                continue;
            }
            let mut rest = right.to_vec();
            rest[i].done |= bit;
            return Some(expand_right(engine, *item, &view, keyword, left, rest));
        }
    }
    None
}

/// `rest ∧ C ⊢ right`, with `C` the combinator `keyword` of `item`.
fn expand_left<'a>(
    engine: &mut Engine<'a>,
    item: Item<'a>,
    view: &View<'a>,
    keyword: &str,
    rest: Vec<Item<'a>>,
    right: &[Item<'a>],
) -> Tri {
    let with = |extra: &[Item<'a>]| -> Vec<Item<'a>> {
        let mut v = rest.clone();
        v.extend_from_slice(extra);
        v
    };
    let plus = |extra: &[Item<'a>]| -> Vec<Item<'a>> {
        let mut v = right.to_vec();
        v.extend_from_slice(extra);
        v
    };
    match keyword {
        "allOf" => {
            let parts: Vec<Item<'a>> = branches(view, keyword)
                .unwrap_or_default()
                .iter()
                .map(|b| item.child(b, true))
                .collect();
            engine.prove(with(&parts), right.to_vec())
        }
        "anyOf" => {
            // Malformed: left out (a weaker left side). Empty: accepts nothing.
            let Some(bs) = branches(view, keyword) else {
                return engine.prove(rest, right.to_vec());
            };
            let mut answer = Tri::Yes;
            for b in bs {
                answer = answer.and(engine.prove(with(&[item.child(b, true)]), right.to_vec()));
                if answer == Tri::No {
                    break;
                }
            }
            answer
        }
        "oneOf" => {
            let Some(bs) = branches(view, keyword) else {
                return engine.prove(rest, right.to_vec());
            };
            // Exactly one: for each i, `Ai` and none of the others.
            let mut answer = Tri::Yes;
            for (i, b) in bs.iter().enumerate() {
                let others: Vec<Item<'a>> = bs
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, o)| item.child(o, false).impolite())
                    .collect();
                answer = answer.and(engine.prove(with(&[item.child(b, false)]), plus(&others)));
                if answer == Tri::No {
                    break;
                }
            }
            answer
        }
        "not" => match schema(view, keyword) {
            Some(inner) => engine.prove(rest, plus(&[item.child(inner, false).impolite()])),
            None => engine.prove(rest, right.to_vec()),
        },
        _ => {
            let Some(cond) = schema(view, "if") else {
                return engine.prove(rest, right.to_vec());
            };
            let cond = item.child(cond, false);
            let then = schema(view, "then").map(|t| item.child(t, false));
            let otherwise = schema(view, "else").map(|e| item.child(e, false));
            let mut first = vec![cond];
            first.extend(then);
            let yes = engine.prove(with(&first), right.to_vec());
            if yes == Tri::No {
                return yes;
            }
            let second: Vec<Item<'a>> = otherwise.into_iter().collect();
            yes.and(engine.prove(with(&second), plus(&[cond.impolite()])))
        }
    }
}

/// `left ⊢ rest ∨ (Y' ∧ C)`, with `C` the combinator `keyword` of the right item `item` and `Y'` the item with
/// that combinator marked done (already in `rest`): `left ⊢ rest ∨ Y'` and `left ⊢ rest ∨ C`.
fn expand_right<'a>(
    engine: &mut Engine<'a>,
    item: Item<'a>,
    view: &View<'a>,
    keyword: &str,
    left: &[Item<'a>],
    rest: Vec<Item<'a>>,
) -> Tri {
    let mut answer = engine.prove(left.to_vec(), rest.clone());
    if answer == Tri::No {
        return answer;
    }
    // The alternatives other than this item, and the left side, to combine with the combinator's parts.
    let others: Vec<Item<'a>> = rest
        .iter()
        .copied()
        .filter(|r| !std::ptr::eq(r.node, item.node) || r.side != item.side)
        .collect();
    let plus = |extra: &[Item<'a>]| -> Vec<Item<'a>> {
        let mut v = others.clone();
        v.extend_from_slice(extra);
        v
    };
    let with = |extra: &[Item<'a>]| -> Vec<Item<'a>> {
        let mut v = left.to_vec();
        v.extend_from_slice(extra);
        v
    };
    let more = match keyword {
        "allOf" => {
            // Malformed: this alternative cannot be relied upon.
            let Some(bs) = branches(view, keyword) else {
                return engine.prove(left.to_vec(), others);
            };
            let mut all = Tri::Yes;
            for b in bs {
                all = all.and(engine.prove(left.to_vec(), plus(&[item.child(b, true)])));
                if all == Tri::No {
                    break;
                }
            }
            all
        }
        "anyOf" => {
            let Some(bs) = branches(view, keyword) else {
                return engine.prove(left.to_vec(), others);
            };
            let parts: Vec<Item<'a>> = bs.iter().map(|b| item.child(b, true)).collect();
            engine.prove(left.to_vec(), plus(&parts))
        }
        "oneOf" => {
            let Some(bs) = branches(view, keyword) else {
                return engine.prove(left.to_vec(), others);
            };
            // At least one, and never two at once (outside the other alternatives).
            let parts: Vec<Item<'a>> = bs.iter().map(|b| item.child(b, false)).collect();
            let mut all = engine.prove(left.to_vec(), plus(&parts));
            'pairs: for i in 0..parts.len() {
                for j in i + 1..parts.len() {
                    if all == Tri::No {
                        break 'pairs;
                    }
                    let both = [parts[i].impolite(), parts[j].impolite()];
                    all = all.and(engine.prove(with(&both), others.clone()));
                }
            }
            all
        }
        "not" => match schema(view, keyword) {
            Some(inner) => engine.prove(with(&[item.child(inner, false).impolite()]), others),
            None => engine.prove(left.to_vec(), others),
        },
        _ => {
            let Some(cond) = schema(view, "if") else {
                return answer;
            };
            // (not I or T) and (I or E).
            let cond = item.child(cond, false);
            let mut all = Tri::Yes;
            if let Some(t) = schema(view, "then") {
                all = engine.prove(with(&[cond.impolite()]), plus(&[item.child(t, false)]));
            }
            if all != Tri::No
                && let Some(e) = schema(view, "else")
            {
                all = all.and(engine.prove(left.to_vec(), plus(&[cond, item.child(e, false)])));
            }
            all
        }
    };
    answer = answer.and(more);
    answer
}

/// Whether a value satisfies the combinators the item has not had taken apart.
pub(crate) fn accepts<'a>(
    engine: &mut Engine<'a>,
    item: Item<'a>,
    view: &View<'a>,
    value: &Value,
) -> Tri {
    let mut answer = Tri::Yes;
    for (bit, keyword) in PARTS {
        if item.done & bit != 0 || view.get(keyword).is_none() {
            continue;
        }
        let part = match keyword {
            "allOf" | "anyOf" | "oneOf" => {
                let Some(bs) = branches(view, keyword) else {
                    return Tri::Unknown;
                };
                let results: Vec<Tri> = bs
                    .iter()
                    .map(|b| engine.accepts(item.child(b, false), value))
                    .collect();
                let yes = results.iter().filter(|t| **t == Tri::Yes).count();
                let unknown = results.iter().filter(|t| **t == Tri::Unknown).count();
                match keyword {
                    "allOf" => results.into_iter().fold(Tri::Yes, Tri::and),
                    "anyOf" => results.into_iter().fold(Tri::No, Tri::or),
                    _ => match (yes, unknown) {
                        (1, 0) => Tri::Yes,
                        (0, 0) => Tri::No,
                        (y, _) if y > 1 => Tri::No,
                        _ => Tri::Unknown,
                    },
                }
            }
            "not" => match schema(view, keyword) {
                Some(inner) => match engine.accepts(item.child(inner, false), value) {
                    Tri::Yes => Tri::No,
                    Tri::No => Tri::Yes,
                    Tri::Unknown => Tri::Unknown,
                },
                None => Tri::Unknown,
            },
            _ => match schema(view, "if") {
                None => Tri::Yes,
                Some(cond) => match engine.accepts(item.child(cond, false), value) {
                    Tri::Yes => schema(view, "then")
                        .map_or(Tri::Yes, |t| engine.accepts(item.child(t, false), value)),
                    Tri::No => schema(view, "else")
                        .map_or(Tri::Yes, |e| engine.accepts(item.child(e, false), value)),
                    Tri::Unknown => Tri::Unknown,
                },
            },
        };
        answer = answer.and(part);
        if answer == Tri::No {
            break;
        }
    }
    answer
}

impl<'a> Differ<'a> {
    pub(crate) fn cmp_combinators(
        &mut self,
        ov: &View<'a>,
        nv: &View<'a>,
        ptr: &str,
        depth: usize,
    ) {
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
                SchemaKind::AnyOfBranchAdded,
                SchemaKind::AnyOfBranchRemoved,
                SchemaKind::AnyOfChanged,
            ),
            "oneOf" => (
                SchemaKind::OneOfBranchAdded,
                SchemaKind::OneOfBranchRemoved,
                SchemaKind::OneOfChanged,
            ),
            _ => (
                SchemaKind::AllOfBranchAdded,
                SchemaKind::AllOfBranchRemoved,
                SchemaKind::AllOfChanged,
            ),
        };
        let removed_effect = added_effect.swapped();
        let (ro, rn) = (ov.get(keyword), nv.get(keyword));
        let (bo, bn) = match (ro, rn) {
            (None, None) => return,
            (Some(Value::Array(a)), Some(Value::Array(b))) => (a, b),
            (None, Some(Value::Array(_))) => return self.keyword_added(keyword, rn, ptr),
            (Some(Value::Array(_)), None) => return self.keyword_removed(keyword, ro, ptr),
            _ => return self.opaque_change(keyword, ro, rn, ptr),
        };
        // Identical branches pair up first, so that an annotation-only difference cannot steal a partner from an
        // exact twin; then branches that validate the same (annotations aside) pair up.
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
        // A `oneOf` branch that widens can make a value match two branches: not a place where widening a part
        // only widens the whole.
        let polite = self.polite;
        self.polite &= keyword != "oneOf";
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
        self.polite = polite;
    }

    pub(crate) fn keyword_added(&mut self, keyword: &str, n: Option<&Value>, ptr: &str) {
        self.push(
            at(ptr, keyword),
            SchemaKind::KeywordAdded,
            NARROWING,
            None,
            n,
            format!("`{}` added", super::super::value::name(keyword)),
        );
    }

    pub(crate) fn keyword_removed(&mut self, keyword: &str, o: Option<&Value>, ptr: &str) {
        self.push(
            at(ptr, keyword),
            SchemaKind::KeywordRemoved,
            WIDENING,
            o,
            None,
            format!("`{}` removed", super::super::value::name(keyword)),
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
                let polite = self.polite;
                self.negated ^= negate;
                self.polite = false;
                self.cmp(a, b, &at(ptr, keyword), depth + 1);
                self.negated ^= negate;
                self.polite = polite;
            }
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
                "reordered_any_of_branches",
                json!({ "anyOf": [{ "type": "string" }, { "type": "number" }] }),
                json!({ "anyOf": [{ "type": "number" }, { "type": "string" }] }),
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
            // Issue 11: `oneOf` of disjoint branches is their `anyOf`.
            same_both(
                "one_of_disjoint_branches_vs_any_of",
                json!({ "oneOf": [{ "type": "string" }, { "type": "number" }] }),
                json!({ "anyOf": [{ "type": "string" }, { "type": "number" }] }),
            ),
            same_both(
                "all_of_merging_two_bounds_vs_both_written",
                json!({ "allOf": [{ "minimum": 1 }, { "minimum": 3 }] }),
                json!({ "minimum": 3 }),
            ),
            same_both(
                "if_then_else_vs_any_of_of_the_cases",
                json!({ "if": { "type": "string" }, "then": { "maxLength": 3 }, "else": { "type": "number" } }),
                json!({ "anyOf": [{ "type": "string", "maxLength": 3 }, { "type": "number" }] }),
            ),
            same_both(
                "double_negation",
                json!({ "not": { "not": { "type": "string" } } }),
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
                false,
            ),
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
            same_both(
                "any_of_branch_added_inside_another",
                json!({ "anyOf": [{ "type": "string" }, { "type": "number" }] }),
                json!({ "anyOf": [{ "type": "string" }, { "type": "number" }, { "type": "string", "maxLength": 3 }] }),
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
            // A new branch that overlaps an old one makes the values in both invalid.
            case(
                "one_of_overlapping_branch_added",
                json!({ "oneOf": [{ "type": "string" }] }),
                json!({ "oneOf": [{ "type": "string" }, { "maxLength": 3 }] }),
                &[("/oneOf/1", "one-of-branch-added")],
                true,
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
                "one_of_overlapping_branches_to_any_of",
                json!({ "oneOf": [{ "type": "string" }, { "maxLength": 3 }] }),
                json!({ "anyOf": [{ "type": "string" }, { "maxLength": 3 }] }),
                &[("/anyOf", "keyword-added"), ("/oneOf", "keyword-removed")],
                false,
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
            case(
                "if_then_changed",
                json!({ "if": { "properties": { "a": { "const": 1 } } }, "then": { "required": ["b"] } }),
                json!({ "if": { "properties": { "a": { "const": 1 } } }, "then": { "required": ["c"] } }),
                &[("/then", "keyword-changed")],
                true,
                true,
            ),
            case(
                "then_relaxed",
                json!({ "if": { "type": "string" }, "then": { "maxLength": 3 } }),
                json!({ "if": { "type": "string" }, "then": { "maxLength": 5 } }),
                &[("/then", "keyword-changed")],
                false,
                true,
            ),
            case(
                "else_added",
                json!({ "if": { "type": "string" }, "then": { "maxLength": 3 } }),
                json!({ "if": { "type": "string" }, "then": { "maxLength": 3 }, "else": { "type": "number" } }),
                &[("/else", "keyword-added")],
                true,
                false,
            ),
        ]
    }

    #[test]
    fn combinator_cases_give_exact_kinds_pointers_and_verdicts_in_both_directions() {
        check_cases(&cases());
    }
}
