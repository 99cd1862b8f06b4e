//! Strings: `minLength`/`maxLength` (their records are in `bounds.rs`), `pattern`, `format` and the content
//! keywords. Regular expressions are never compared for inclusion (only for identity), but they are run on concrete
//! strings (property names, listed values) with the validator's own ECMA 262 engine.
//!
//! The format policy (see `verdicts.md`): only the formats validators assert narrow a schema; `binary`, `byte`,
//! `password`, `int32` and every other unknown format are annotations, so adding or changing one breaks nothing.

use serde_json::Value;

use super::super::subset::{Engine, Tri};
use super::super::value::short;
use super::super::view::View;
use super::super::walk::{Differ, at};
use super::super::{CHANGED, Effect, NARROWING, NEUTRAL, WIDENING};
use super::bounds::{count, counts_included, tightest};
use crate::diff::schema::SchemaKind;

/// Formats a JSON Schema validator asserts (the `jsonschema` crate's list); any other is an annotation.
const ASSERTED_FORMATS: &[&str] = &[
    "date",
    "date-time",
    "duration",
    "email",
    "hostname",
    "idn-email",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "iri",
    "iri-reference",
    "json-pointer",
    "regex",
    "relative-json-pointer",
    "time",
    "uri",
    "uri-reference",
    "uri-template",
    "uuid",
];

/// Whether `format` narrows the strings a schema accepts.
pub(crate) fn asserted(format: &str) -> bool {
    ASSERTED_FORMATS.contains(&format)
}

const CONTENT: [&str; 2] = ["contentEncoding", "contentMediaType"];

/// The strings all of `views` allow, when the only one is `""`.
pub(crate) fn few_strings(views: &[View<'_>]) -> Option<Vec<Value>> {
    (tightest(views, "maxLength", false) == Some(0.0)).then(|| vec![Value::String(String::new())])
}

/// Whether every string all of `left` accept is accepted by `right`'s string keywords.
pub(crate) fn strings_included(left: &[View<'_>], right: &View<'_>) -> Tri {
    let lo = tightest(left, "minLength", true).unwrap_or(0.0);
    let hi = tightest(left, "maxLength", false);
    if let Some(answer) = counts_included(lo, hi, right, "minLength", "maxLength") {
        return answer;
    }
    let left_has =
        |keyword: &str, value: &Value| left.iter().any(|v| v.get(keyword) == Some(value));
    match right.get("pattern") {
        None => {}
        Some(Value::String(p)) if p.is_empty() => {}
        Some(p @ Value::String(_)) if left_has("pattern", p) => {}
        Some(_) => return Tri::No,
    }
    match right.get("format") {
        Some(f @ Value::String(name)) if asserted(name) && !left_has("format", f) => {
            return Tri::No;
        }
        Some(Value::String(_)) | None => {}
        Some(_) => return Tri::No,
    }
    for keyword in CONTENT {
        if let Some(x) = right.get(keyword)
            && !left_has(keyword, x)
        {
            return Tri::No;
        }
    }
    Tri::Yes
}

/// Whether a string satisfies the bag's string keywords (anything else passes).
pub(crate) fn accepts<'a>(engine: &mut Engine<'a>, view: &View<'a>, value: &Value) -> Tri {
    let Value::String(text) = value else {
        return Tri::Yes;
    };
    let (Ok(min), Ok(max)) = (count(view, "minLength"), count(view, "maxLength")) else {
        return Tri::Unknown;
    };
    let length = text.chars().count() as f64;
    if min.is_some_and(|m| length < m) || max.is_some_and(|m| length > m) {
        return Tri::No;
    }
    if CONTENT.iter().any(|k| view.get(k).is_some()) {
        return Tri::Unknown;
    }
    let mut answer = Tri::Yes;
    match view.get("pattern") {
        None => {}
        Some(Value::String(p)) => answer = answer.and(engine.pattern_matches(p, text)),
        Some(_) => return Tri::Unknown,
    }
    match view.get("format") {
        Some(Value::String(f)) if asserted(f) => {
            answer = answer.and(engine.format_accepts(f, text))
        }
        Some(Value::String(_)) | None => {}
        Some(_) => return Tri::Unknown,
    }
    answer
}

/// The effect of a format change under the format policy.
fn format_effect(old: Option<&str>, new: Option<&str>) -> Effect {
    let narrows = |f: Option<&str>| f.is_some_and(asserted);
    match (narrows(old), narrows(new)) {
        (false, false) => NEUTRAL,
        (false, true) => NARROWING,
        (true, false) => WIDENING,
        (true, true) => CHANGED,
    }
}

impl<'a> Differ<'a> {
    pub(crate) fn cmp_string_keywords(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str) {
        for keyword in ["pattern", "format"] {
            let (ro, rn) = (ov.get(keyword), nv.get(keyword));
            if ro.is_some_and(|v| !v.is_string()) || rn.is_some_and(|v| !v.is_string()) {
                self.opaque_change(keyword, ro, rn, ptr);
                continue;
            }
            let (added, removed, changed) = if keyword == "pattern" {
                (
                    SchemaKind::PatternAdded,
                    SchemaKind::PatternRemoved,
                    SchemaKind::PatternChanged,
                )
            } else {
                (
                    SchemaKind::FormatAdded,
                    SchemaKind::FormatRemoved,
                    SchemaKind::FormatChanged,
                )
            };
            let (kind, effect) = match (ro, rn) {
                (None, None) => continue,
                (Some(a), Some(b)) if a == b => continue,
                (None, Some(_)) => (added, NARROWING),
                (Some(_), None) => (removed, WIDENING),
                // Regular languages are not compared for inclusion, so any rewrite may go either way.
                (Some(_), Some(_)) => (changed, CHANGED),
            };
            let effect = if keyword == "format" {
                format_effect(ro.and_then(Value::as_str), rn.and_then(Value::as_str))
            } else {
                effect
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
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::super::testkit::{Case, case, check_cases, same_both};
    use serde_json::json;

    pub(crate) fn cases() -> Vec<Case> {
        vec![
            same_both(
                "pattern_on_a_number_is_moot",
                json!({ "type": "integer", "pattern": "^a" }),
                json!({ "type": "integer" }),
            ),
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
                "pattern_added_to_listed_values_that_match_it",
                json!({ "enum": ["Cat", "Cow"] }),
                json!({ "enum": ["Cat", "Cow"], "pattern": "^C" }),
                &[],
                false,
                false,
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
            // verdicts.md: a format no validator asserts is an annotation.
            case(
                "annotation_format_added",
                json!({ "type": "string" }),
                json!({ "type": "string", "format": "binary" }),
                &[("/format", "format-added")],
                false,
                false,
            ),
            case(
                "annotation_format_changed",
                json!({ "type": "integer", "format": "int32" }),
                json!({ "type": "integer", "format": "int64" }),
                &[("/format", "format-changed")],
                false,
                false,
            ),
            case(
                "asserted_format_replaced_by_an_annotation",
                json!({ "type": "string", "format": "uuid" }),
                json!({ "type": "string", "format": "password" }),
                &[("/format", "format-changed")],
                false,
                true,
            ),
            case(
                "asserted_format_added_to_a_number_is_moot",
                json!({ "type": "number", "title": "a" }),
                json!({ "type": "number", "format": "email", "title": "b" }),
                &[("/title", "title-changed")],
                false,
                false,
            ),
            case(
                "listed_dates_keep_a_date_format",
                json!({ "enum": ["2024-01-01"] }),
                json!({ "enum": ["2024-01-01"], "format": "date" }),
                &[],
                false,
                false,
            ),
        ]
    }

    #[test]
    fn string_cases_give_exact_kinds_pointers_and_verdicts_in_both_directions() {
        check_cases(&cases());
    }
}
