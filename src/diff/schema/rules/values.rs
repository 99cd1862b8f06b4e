//! `enum` and `const`: schemas that list their values. A listed value set is finite, so inclusion is decided value
//! by value with the evaluator; `"const": v` and `"enum": [v]` are one thing.

use serde_json::Value;

use super::super::subset::Tri;
use super::super::value::{ValueSet, deep_eq, short, value_set};
use super::super::view::View;
use super::super::walk::{Differ, at};
use super::super::{CHANGED, NARROWING, WIDENING};
use crate::diff::schema::SchemaKind;

/// The values allowed by `enum` and `const` together, and the keyword that spells them (`const` wins when both
/// are present).
pub(crate) fn allowed(view: &View<'_>) -> Result<Option<(ValueSet, &'static str)>, ()> {
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

/// Whether the bag lists its values.
pub(crate) fn finite(view: &View<'_>) -> bool {
    view.get("enum").is_some() || view.get("const").is_some()
}

/// The values a conjunction of bags may take when one of them lists its values: the shortest list. `None` when
/// none does (or a list cannot be read).
pub(crate) fn finite_left(views: &[View<'_>]) -> Option<Vec<Value>> {
    views
        .iter()
        .filter_map(|v| match allowed(v) {
            Ok(Some((set, _))) => Some(set),
            _ => None,
        })
        .min_by_key(|set| set.len())
        .map(|set| set.into_values().collect())
}

/// Whether `value` is one the bag lists (or the bag lists none).
pub(crate) fn accepts(view: &View<'_>, value: &Value) -> Tri {
    let in_enum = match view.get("enum") {
        None => true,
        Some(Value::Array(a)) => a.iter().any(|x| deep_eq(x, value)),
        Some(_) => return Tri::Unknown,
    };
    let is_const = view.get("const").is_none_or(|c| deep_eq(c, value));
    Tri::from_bool(in_enum && is_const)
}

impl<'a> Differ<'a> {
    pub(crate) fn cmp_allowed(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str) {
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
                    SchemaKind::ConstAdded
                } else {
                    SchemaKind::EnumAdded
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
                    SchemaKind::ConstRemoved
                } else {
                    SchemaKind::EnumRemoved
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
                        SchemaKind::ConstChanged,
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
                            SchemaKind::EnumValueAdded,
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
                            SchemaKind::EnumValueRemoved,
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
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::super::testkit::{Case, case, check_cases, same_both};
    use serde_json::json;

    pub(crate) fn cases() -> Vec<Case> {
        vec![
            same_both(
                "reordered_enum",
                json!({ "enum": ["x", "y", 1] }),
                json!({ "enum": [1, "y", "x"] }),
            ),
            same_both(
                "const_vs_one_value_enum",
                json!({ "const": "a" }),
                json!({ "enum": ["a"] }),
            ),
            same_both(
                "integral_float_vs_integer",
                json!({ "maximum": 10, "enum": [1] }),
                json!({ "maximum": 10.0, "enum": [1.0] }),
            ),
            // Issue 11: exactly the same values, whatever keywords say it.
            same_both(
                "enum_widened_and_bounded_back",
                json!({ "enum": [1] }),
                json!({ "enum": [0, 1], "minimum": 1 }),
            ),
            same_both(
                "enum_values_of_the_wrong_type_dropped",
                json!({ "type": "string", "enum": ["a", 1] }),
                json!({ "type": "string", "enum": ["a"] }),
            ),
            same_both(
                "enum_moved_into_an_all_of_branch",
                json!({ "type": "string", "enum": ["a", "b"] }),
                json!({ "allOf": [{ "type": "string" }, { "enum": ["a", "b", 3] }] }),
            ),
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
                "boolean_type_to_both_values_listed",
                json!({ "type": "boolean", "title": "t" }),
                json!({ "enum": [true, false], "title": "u" }),
                &[("/title", "title-changed")],
                false,
                false,
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
            case(
                "enum_value_added_but_excluded_by_a_bound",
                json!({ "enum": [1, 2] }),
                json!({ "enum": [1, 2, 30], "maximum": 10, "title": "t" }),
                &[("/title", "title-changed")],
                false,
                false,
            ),
            case(
                "small_integer_range_to_its_enum",
                json!({ "type": "integer", "minimum": 1, "maximum": 3 }),
                json!({ "enum": [1, 2, 3, 4] }),
                &[
                    ("/enum", "enum-added"),
                    ("/maximum", "constraint-loosened"),
                    ("/minimum", "constraint-loosened"),
                    ("/type", "type-widened"),
                ],
                false,
                true,
            ),
        ]
    }

    #[test]
    fn value_cases_give_exact_kinds_pointers_and_verdicts_in_both_directions() {
        check_cases(&cases());
    }
}
