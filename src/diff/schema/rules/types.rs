//! `type`: which JSON types a schema admits. `integer` is part of `number`; a `type` listing every type, or `any`,
//! constrains nothing; a malformed `type` is compared as text and, for inclusion, read as weakly as possible.

use std::collections::BTreeSet;

use serde_json::Value;

use super::super::subset::{Atom, Tri};
use super::super::value::name;
use super::super::view::View;
use super::super::walk::{Differ, at};
use super::super::{CHANGED, NARROWING, WIDENING};
use super::values;
use crate::diff::schema::SchemaKind;

/// Every JSON type; a `type` listing all of them constrains nothing.
const ALL_TYPES: &[&str] = &["array", "boolean", "null", "number", "object", "string"];

pub(crate) type TypeSet = BTreeSet<String>;

/// `None` means any type. `integer` is dropped next to `number`, which already contains it, so equivalent
/// spellings give equal sets.
pub(crate) fn type_set(v: Option<&Value>) -> Result<Option<TypeSet>, ()> {
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

/// What a `type` admits, as bits per [`Atom`], read without allocating (the inclusion engine asks this for every
/// atom of every sequent): `Ok(None)` any type, `Err(())` malformed, `Ok(Some(None))` a type name JSON Schema does
/// not have (unknown), `Ok(Some(Some(bits)))` otherwise. Agrees with [`type_set`] (`integer` inside `number`).
fn type_bits(v: Option<&Value>) -> Result<Option<Option<u8>>, ()> {
    fn bits(name: &str) -> Option<u8> {
        Some(match name {
            "null" => 1 << Atom::Null as u8,
            "boolean" => 1 << Atom::Boolean as u8,
            "integer" => 1 << Atom::Integer as u8,
            "number" => (1 << Atom::Integer as u8) | (1 << Atom::Fraction as u8),
            "string" => 1 << Atom::String as u8,
            "array" => 1 << Atom::Array as u8,
            "object" => 1 << Atom::Object as u8,
            "any" => u8::MAX,
            _ => return None,
        })
    }
    const EVERY: u8 = (1 << 7) - 1;
    let mut mask = 0u8;
    let mut unknown = false;
    match v {
        None => return Ok(None),
        Some(Value::String(s)) => match bits(s) {
            Some(b) => mask |= b,
            None => unknown = true,
        },
        Some(Value::Array(a)) => {
            for t in a {
                match bits(t.as_str().ok_or(())?) {
                    Some(b) => mask |= b,
                    None => unknown = true,
                }
            }
        }
        Some(_) => return Err(()),
    }
    if mask & EVERY == EVERY {
        return Ok(None);
    }
    Ok(Some((!unknown).then_some(mask)))
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

/// Whether a keyword bag may accept values of type `atom`. On the left of an inclusion (`weakly`) anything that
/// cannot be read admits everything; on the right it admits nothing, and an `enum`/`const` admits only the types of
/// its values.
pub(crate) fn admits(view: &View<'_>, atom: Atom, weakly: bool) -> bool {
    let by_type = match type_bits(view.get("type")) {
        Ok(None) => true,
        Ok(Some(None)) => weakly,
        Ok(Some(Some(bits))) => bits & (1 << atom as u8) != 0,
        Err(()) => weakly,
    };
    if !by_type || weakly {
        return by_type;
    }
    match values::allowed(view) {
        Ok(None) => true,
        Ok(Some((set, _))) => set.values().any(|v| Atom::of(v) == atom),
        Err(()) => false,
    }
}

/// Whether `value` has a type the bag admits.
pub(crate) fn accepts(view: &View<'_>, value: &Value) -> Tri {
    match type_bits(view.get("type")) {
        Ok(None) => Tri::Yes,
        Ok(Some(None)) | Err(()) => Tri::Unknown,
        Ok(Some(Some(bits))) => Tri::from_bool(bits & (1 << Atom::of(value) as u8) != 0),
    }
}

impl<'a> Differ<'a> {
    /// Returns false when the types are unrelated: the rest of the place is then moot and is not compared.
    pub(crate) fn cmp_type(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str) -> bool {
        let (ro, rn) = (ov.get("type"), nv.get("type"));
        let (Ok(a), Ok(b)) = (type_set(ro), type_set(rn)) else {
            self.opaque_change("type", ro, rn, ptr);
            return true;
        };
        // A type name JSON Schema does not have (Tray's `file`, a typo): what it accepts is unknown, so a change to or
        // from it is breaking both ways.
        let unknown = [ro, rn]
            .into_iter()
            .any(|t| matches!(type_bits(t), Ok(Some(None))));
        let (kind, effect, verb) = match (&a, &b) {
            (None, None) => return true,
            (x, y) if unknown && x != y => (SchemaKind::TypeChanged, CHANGED, "changed"),
            (None, Some(_)) => (SchemaKind::TypeNarrowed, NARROWING, "narrowed"),
            (Some(_), None) => (SchemaKind::TypeWidened, WIDENING, "widened"),
            (Some(x), Some(y)) => match (type_subset(x, y), type_subset(y, x)) {
                (true, true) => return true,
                (true, false) => (SchemaKind::TypeWidened, WIDENING, "widened"),
                (false, true) => (SchemaKind::TypeNarrowed, NARROWING, "narrowed"),
                (false, false) => (SchemaKind::TypeChanged, CHANGED, "changed"),
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
        kind != SchemaKind::TypeChanged
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::super::testkit::{Case, case, check_cases, same_both};
    use serde_json::json;

    pub(crate) fn cases() -> Vec<Case> {
        vec![
            same_both(
                "type_string_vs_one_element_array",
                json!({ "type": "string" }),
                json!({ "type": ["string"] }),
            ),
            same_both(
                "integer_and_number_vs_number",
                json!({ "type": ["integer", "number"] }),
                json!({ "type": "number" }),
            ),
            same_both(
                "every_type_listed_vs_no_type",
                json!({ "type": ["array", "boolean", "null", "number", "object", "string"] }),
                json!({}),
            ),
            // Issue 11: the same single value, spelled as an integer or as a number.
            same_both(
                "integer_point_vs_number_point",
                json!({ "type": "integer", "minimum": 4, "maximum": 4 }),
                json!({ "type": "number", "minimum": 4, "maximum": 4 }),
            ),
            same_both(
                "number_with_integral_multiple_vs_integer",
                json!({ "type": "number", "multipleOf": 2 }),
                json!({ "type": "integer", "multipleOf": 2 }),
            ),
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
            // Issue 11: a `type` rewritten as a combinator that accepts more.
            case(
                "type_to_any_of_a_wider_union",
                json!({ "type": "string" }),
                json!({ "anyOf": [{ "type": "string" }, { "type": "number" }] }),
                &[("/anyOf", "keyword-added"), ("/type", "type-widened")],
                false,
                true,
            ),
            case(
                "any_of_union_to_one_of_its_types",
                json!({ "anyOf": [{ "type": "string" }, { "type": "number" }] }),
                json!({ "type": "string" }),
                &[("/anyOf", "keyword-removed"), ("/type", "type-narrowed")],
                true,
                false,
            ),
            case(
                "type_to_not_of_another_type",
                json!({ "type": "string" }),
                json!({ "not": { "type": "number" } }),
                &[("/not", "keyword-added"), ("/type", "type-widened")],
                false,
                true,
            ),
            // Issue 11: a `const` replaces a `type`; the new values are among the old ones.
            case(
                "type_number_to_const_five",
                json!({ "type": "number" }),
                json!({ "const": 5 }),
                &[("/const", "const-added"), ("/type", "type-widened")],
                true,
                false,
            ),
            case(
                "type_to_enum_of_other_types",
                json!({ "type": "string" }),
                json!({ "enum": [1, 2] }),
                &[("/enum", "enum-added"), ("/type", "type-widened")],
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
        ]
    }

    #[test]
    fn type_cases_give_exact_kinds_pointers_and_verdicts_in_both_directions() {
        check_cases(&cases());
    }
}
