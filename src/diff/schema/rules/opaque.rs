//! What the walk reports as a whole rather than keyword by keyword: validation keywords without a rule of their own
//! (`dependencies`, `if`/`then`/`else`, `unevaluated*`, `minContains`, content keywords, …), malformed keywords,
//! and annotations. Also what the engine may read at all: a schema with a malformed keyword, a `$ref` it cannot
//! follow or a keyword it does not model is dropped from the left of a sequent (a weaker premise) and never relied
//! on as an alternative on the right.

use std::collections::BTreeSet;

use serde_json::Value;

use super::super::subset::done;
use super::super::value::{same, value_set};
use super::super::view::{self, OPAQUE, Shape, View, is_schema_like};
use super::super::walk::{Differ, at};
use super::super::{CHANGED, NEUTRAL};
use super::bounds::{COUNTS, bound, count};
use super::strings::asserted;
use super::types::type_set;
use crate::diff::schema::SchemaKind;

/// Keywords the engine does not model: a bag that has one cannot be relied upon.
const UNMODELLED: &[&str] = &["unevaluatedProperties", "unevaluatedItems", "contentSchema"];

/// Whether every keyword the engine reads has a value of the right JSON type.
fn well_formed(view: &View<'_>) -> bool {
    let schema = |k: &str| view.get(k).is_none_or(is_schema_like);
    let array = |k: &str| view.get(k).is_none_or(Value::is_array);
    let object = |k: &str| view.get(k).is_none_or(Value::is_object);
    let string = |k: &str| view.get(k).is_none_or(Value::is_string);
    let strings = |k: &str| match view.get(k) {
        None => true,
        Some(Value::Array(a)) => a.iter().all(Value::is_string),
        Some(_) => false,
    };
    let dependencies = |k: &str| match view.get(k) {
        None => true,
        Some(Value::Object(m)) => m.values().all(|v| {
            is_schema_like(v) || matches!(v, Value::Array(a) if a.iter().all(Value::is_string))
        }),
        Some(_) => false,
    };
    type_set(view.get("type")).is_ok()
        && array("enum")
        && bound(view, true).is_ok()
        && bound(view, false).is_ok()
        && view
            .get("multipleOf")
            .is_none_or(|m| m.as_f64().is_some_and(|f| f > 0.0 && f.is_finite()))
        && COUNTS.iter().all(|(k, _)| count(view, k).is_ok())
        && count(view, "minContains").is_ok()
        && count(view, "maxContains").is_ok()
        && view.get("uniqueItems").is_none_or(Value::is_boolean)
        && string("pattern")
        && string("format")
        && object("properties")
        && object("patternProperties")
        && strings("required")
        && [
            "additionalProperties",
            "propertyNames",
            "contains",
            "not",
            "if",
            "then",
            "else",
        ]
        .into_iter()
        .all(schema)
        && view
            .get("items")
            .is_none_or(|v| is_schema_like(v) || v.is_array())
        && array("prefixItems")
        && schema("additionalItems")
        && ["allOf", "anyOf", "oneOf"].into_iter().all(array)
        && ["dependencies", "dependentRequired", "dependentSchemas"]
            .into_iter()
            .all(dependencies)
}

/// Whether the engine can read this schema at all.
pub(crate) fn usable(view: &View<'_>) -> bool {
    !matches!(view.shape, Shape::Invalid) && view.too_long.is_none() && well_formed(view)
}

/// Whether the engine may rely on this schema as an alternative on the right of a sequent (or evaluate it): every
/// keyword it has is modelled, and every `$ref` in it resolved.
pub(crate) fn right_usable(view: &View<'_>) -> bool {
    view.unresolved_ref.is_none() && UNMODELLED.iter().all(|k| view.get(k).is_none())
}

/// Whether the schema accepts every value, its combinators marked in `done` aside.
pub(crate) fn accepts_everything(view: &View<'_>, taken: u8) -> bool {
    if !matches!(view.shape, Shape::Obj(_))
        || view.unresolved_ref.is_some()
        || view.too_long.is_some()
    {
        return false;
    }
    let condition_gone = taken & done::IF != 0 || view.get("if").is_none();
    view.keys().into_iter().all(|k| match k {
        "allOf" => taken & done::ALL_OF != 0,
        "anyOf" => taken & done::ANY_OF != 0,
        "oneOf" => taken & done::ONE_OF != 0,
        "not" => taken & done::NOT != 0,
        "if" => taken & done::IF != 0,
        "then" | "else" => condition_gone,
        "format" => view
            .get(k)
            .and_then(Value::as_str)
            .is_some_and(|f| !asserted(f)),
        _ => !view::validates(k),
    })
}

impl<'a> Differ<'a> {
    /// A keyword whose value has the wrong JSON type cannot be analysed; if it differs at all, that is reported
    /// conservatively.
    pub(crate) fn opaque_change(
        &mut self,
        keyword: &str,
        o: Option<&Value>,
        n: Option<&Value>,
        ptr: &str,
    ) {
        if !same(o, n) {
            self.push(
                at(ptr, keyword),
                SchemaKind::KeywordChanged,
                CHANGED,
                o,
                n,
                format!(
                    "`{}` changed in a way that cannot be analysed",
                    super::super::value::name(keyword)
                ),
            );
        }
    }

    pub(crate) fn cmp_opaque(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str) {
        for &keyword in OPAQUE {
            match (ov.get(keyword), nv.get(keyword)) {
                (None, None) => {}
                (None, n @ Some(_)) => self.keyword_added(keyword, n, ptr),
                (o @ Some(_), None) => self.keyword_removed(keyword, o, ptr),
                (Some(a), Some(b)) => {
                    let ca = self.canon_keyword(keyword, a, true);
                    let cb = self.canon_keyword(keyword, b, false);
                    if ca != cb {
                        self.push(
                            at(ptr, keyword),
                            SchemaKind::KeywordChanged,
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

    pub(crate) fn cmp_annotations(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str) {
        let keys: BTreeSet<&'a str> = ov.keys().into_iter().chain(nv.keys()).collect();
        for keyword in keys {
            if view::validates(keyword) || view::SKIPPED.contains(&keyword) {
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
                SchemaKind::of_annotation(keyword),
                NEUTRAL,
                a,
                b,
                format!("`{}` {verb}", super::super::value::name(keyword)),
            );
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
                "reordered_advanced",
                json!({ "advanced": ["a", "b"] }),
                json!({ "advanced": ["b", "a"] }),
            ),
            same_both(
                "reordered_dependency_lists",
                json!({ "dependentRequired": { "a": ["b", "c"] } }),
                json!({ "dependentRequired": { "a": ["c", "b"] } }),
            ),
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
                "other_annotation_changed",
                json!({ "readOnly": false }),
                json!({ "readOnly": true }),
                &[("/readOnly", "annotation-changed")],
                false,
                false,
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
                "dependent_required_already_implied_by_required",
                json!({ "required": ["a", "b"], "title": "x" }),
                json!({ "required": ["a", "b"], "dependentRequired": { "a": ["b"] }, "title": "y" }),
                &[("/title", "title-changed")],
                false,
                false,
            ),
            case(
                "unevaluated_properties_added",
                json!({ "type": "object" }),
                json!({ "type": "object", "unevaluatedProperties": false }),
                &[("/unevaluatedProperties", "keyword-added")],
                true,
                false,
            ),
            // The title differs only so that the documents are not identical and every keyword really is
            // compared.
            case(
                "malformed_keywords_unchanged",
                json!({ "type": 5, "maxLength": "x", "required": "a", "title": "t" }),
                json!({ "type": 5, "maxLength": "x", "required": "a", "title": "u" }),
                &[("/title", "title-changed")],
                false,
                false,
            ),
        ]
    }

    #[test]
    fn opaque_and_annotation_cases_give_exact_kinds_pointers_and_verdicts_in_both_directions() {
        check_cases(&cases());
    }
}
