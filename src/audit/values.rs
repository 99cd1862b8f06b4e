//! The literal input a step sends, rebuilt from its exported `properties`, and which validation errors it can
//! settle on its own.
//!
//! An export stores each input as `{"type": T, "value": V}`: `object` values hold more wrapped values, `array`
//! values a list of them. Literal types (`string`, `number`, `integer`, `boolean`, `null`, `object`, `array`) give
//! their value; anything else (`jsonpath`, a string interpolating `{$.…}`, a type trayscope does not know, a wrapper
//! without a value) is decided when the workflow runs. Such a value is counted, left as a `null` placeholder so the
//! property stays present, and no error that its real value could change is ever reported. This module must never
//! turn "unknown until run time" into a finding.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::refs::{escape_token, follow_leniently};
use crate::validate::ValueError;

/// A step's input as far as the export fixes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepValues {
    /// The input: literal values in place, each dynamic one as `null`.
    pub input: Value,
    /// JSON Pointers of the dynamic values, in the order met.
    pub dynamic: Vec<String>,
    /// How many literal values (scalars, and empty arrays and objects) the input holds.
    pub literals: u64,
}

/// Keywords whose verdict on a value depends on the values inside it: an error from one of these on a value that
/// holds a dynamic value could go away once that value is known.
const CONTENT_KEYWORDS: [&str; 7] = [
    "enum",
    "const",
    "anyOf",
    "oneOf",
    "not",
    "contains",
    "uniqueItems",
];

impl StepValues {
    /// The input to validate against `schema`: each dynamic value's placeholder becomes a value the schema likely
    /// accepts there (its `default`, first `enum` value, or an empty value of its `type`), so that most inputs pass
    /// the validator's fast check. Which placeholder is chosen never changes a verdict: [`StepValues::settles`]
    /// drops every error a placeholder can cause.
    pub fn input_for<'a>(&'a self, schema: &Value) -> Cow<'a, Value> {
        if self.dynamic.is_empty() {
            return Cow::Borrowed(&self.input);
        }
        let mut input = self.input.clone();
        for pointer in &self.dynamic {
            if let Some(slot) = input.pointer_mut(pointer) {
                *slot = placeholder(schema_at(schema, pointer));
            }
        }
        Cow::Owned(input)
    }

    /// Whether the step sets any input at all.
    pub fn is_empty(&self) -> bool {
        self.literals == 0 && self.dynamic.is_empty()
    }

    /// Whether `error` holds whatever the dynamic values turn out to be. An error at or under a dynamic value is
    /// about the placeholder; an error from a content keyword (or a conditional) on a value that holds a dynamic
    /// one could change. A property the schema does not allow is not allowed whatever its value.
    pub fn settles(&self, error: &ValueError) -> bool {
        if error.keyword == "additionalProperties" || error.keyword == "unevaluatedProperties" {
            return true;
        }
        let conditional = ["/if/", "/then/", "/else/"]
            .iter()
            .any(|part| error.schema_pointer.contains(part));
        let content = conditional || CONTENT_KEYWORDS.contains(&error.keyword.as_str());
        !self.dynamic.iter().any(|dynamic| {
            let at_or_under = error.pointer == *dynamic
                || (error.pointer.starts_with(dynamic.as_str())
                    && error.pointer.as_bytes().get(dynamic.len()) == Some(&b'/'));
            let holds = dynamic.starts_with(error.pointer.as_str())
                && dynamic.as_bytes().get(error.pointer.len()) == Some(&b'/');
            at_or_under || (content && holds)
        })
    }
}

/// Builds the literal input from a step's `properties`.
pub fn literal_input(properties: &Map<String, Value>) -> StepValues {
    let mut values = StepValues::default();
    let mut pointer = String::new();
    let mut input = Map::with_capacity(properties.len());
    for (key, wrapped) in properties {
        pointer.clear();
        pointer.push('/');
        pointer.push_str(&escape_token(key));
        input.insert(key.clone(), values.unwrap(wrapped, &mut pointer));
    }
    values.input = Value::Object(input);
    values
}

impl StepValues {
    /// The value a `{"type", "value"}` wrapper stands for, or the placeholder for a dynamic one.
    fn unwrap(&mut self, wrapped: &Value, pointer: &mut String) -> Value {
        let (kind, value) = match wrapped {
            Value::Object(map) => match (map.get("type"), map.get("value")) {
                (Some(Value::String(kind)), Some(value)) => (kind.as_str(), value),
                _ => return self.dynamic_at(pointer),
            },
            _ => return self.dynamic_at(pointer),
        };
        match (kind, value) {
            ("object", Value::Object(entries)) => {
                let mut out = Map::with_capacity(entries.len());
                for (key, child) in entries {
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&escape_token(key));
                    out.insert(key.clone(), self.element(child, pointer));
                    pointer.truncate(len);
                }
                if entries.is_empty() {
                    self.literals += 1;
                }
                Value::Object(out)
            }
            ("array", Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, child) in items.iter().enumerate() {
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&i.to_string());
                    out.push(self.element(child, pointer));
                    pointer.truncate(len);
                }
                if items.is_empty() {
                    self.literals += 1;
                }
                Value::Array(out)
            }
            ("string", Value::String(text)) if interpolates(text) => self.dynamic_at(pointer),
            ("string" | "number" | "integer" | "boolean" | "null" | "object" | "array", value) => {
                self.raw(value, pointer)
            }
            _ => self.dynamic_at(pointer),
        }
    }

    /// An element of an object or array value: wrapped like a property, or (leniently) a plain JSON value.
    fn element(&mut self, child: &Value, pointer: &mut String) -> Value {
        let wrapped = child.as_object().is_some_and(|map| {
            map.get("type").is_some_and(Value::is_string) && map.contains_key("value")
        });
        if wrapped {
            self.unwrap(child, pointer)
        } else {
            self.raw(child, pointer)
        }
    }

    /// A plain JSON value, taken as it is; a string that interpolates is still dynamic.
    fn raw(&mut self, value: &Value, pointer: &str) -> Value {
        match value {
            Value::String(text) if interpolates(text) => self.dynamic_at(pointer),
            Value::Array(items) if !items.is_empty() => {
                self.literals += count_leaves(value);
                Value::Array(items.clone())
            }
            Value::Object(map) if !map.is_empty() => {
                self.literals += count_leaves(value);
                Value::Object(map.clone())
            }
            scalar => {
                self.literals += 1;
                scalar.clone()
            }
        }
    }

    fn dynamic_at(&mut self, pointer: &str) -> Value {
        self.dynamic.push(pointer.to_owned());
        Value::Null
    }
}

/// The schema that applies at `pointer` of an instance, following `properties`, `items` and `additionalProperties`
/// (and local `$ref`s); `None` where that is not plain (combinators, pattern properties).
fn schema_at<'a>(root: &'a Value, pointer: &str) -> Option<&'a Value> {
    let mut node = follow_leniently(root, root, 16);
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        let next = match (
            node.get("properties").and_then(|p| p.get(&token)),
            node.get("items"),
        ) {
            (Some(property), _) => property,
            (None, Some(Value::Object(_))) if token.parse::<usize>().is_ok() => &node["items"],
            (None, Some(Value::Array(items))) => items.get(token.parse::<usize>().ok()?)?,
            _ => node.get("additionalProperties").filter(|a| a.is_object())?,
        };
        node = follow_leniently(root, next, 16);
    }
    Some(node)
}

/// A value `schema` likely accepts: its `default`, its first `enum` value or `const`, or a minimal value of its
/// first `type`.
fn placeholder(schema: Option<&Value>) -> Value {
    let Some(schema) = schema else {
        return Value::Null;
    };
    if let Some(value) = schema
        .get("default")
        .or_else(|| schema.get("enum").and_then(|e| e.as_array()?.first()))
        .or_else(|| schema.get("const"))
    {
        return value.clone();
    }
    let kind = match schema.get("type") {
        Some(Value::String(kind)) => kind.as_str(),
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).next().unwrap_or(""),
        _ => "",
    };
    match kind {
        "string" => {
            let length = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0);
            Value::String("x".repeat(usize::try_from(length.min(64)).unwrap_or(0)))
        }
        "integer" | "number" => schema
            .get("minimum")
            .filter(|m| m.is_number())
            .cloned()
            .unwrap_or(Value::from(0)),
        "boolean" => Value::Bool(false),
        "object" => Value::Object(Map::new()),
        "array" => Value::Array(Vec::new()),
        _ => Value::Null,
    }
}

/// Tray interpolates `{$.steps.…}` inside a string: its final text is only known when the workflow runs.
fn interpolates(text: &str) -> bool {
    text.contains("{$")
}

fn count_leaves(value: &Value) -> u64 {
    match value {
        Value::Array(items) if !items.is_empty() => items.iter().map(count_leaves).sum(),
        Value::Object(map) if !map.is_empty() => map.values().map(count_leaves).sum(),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn build(properties: Value) -> StepValues {
        literal_input(properties.as_object().unwrap())
    }

    #[test]
    fn wrapped_values_nest_and_dynamic_ones_become_placeholders() {
        let values = build(json!({
            "channel": {"type": "string", "value": "C123"},
            "text": {"type": "jsonpath", "value": "$.steps.trigger.body"},
            "greeting": {"type": "string", "value": "Hello {$.steps.trigger.name}"},
            "tags": {"type": "array", "value": [{"type": "string", "value": "a"}, "b",
                                                 {"type": "jsonpath", "value": "$.x"}]},
            "options": {"type": "object", "value": {"mode": {"type": "string", "value": "fast"},
                                                     "retries": {"type": "number", "value": 3}}},
            "odd": {"type": "config", "value": "$.config.x"},
            "bare": "not wrapped"
        }));
        assert_eq!(
            values.input,
            json!({"channel": "C123", "text": null, "greeting": null, "tags": ["a", "b", null],
                   "options": {"mode": "fast", "retries": 3}, "odd": null, "bare": null})
        );
        let mut dynamic = values.dynamic.clone();
        dynamic.sort();
        assert_eq!(dynamic, ["/bare", "/greeting", "/odd", "/tags/2", "/text"]);
        assert_eq!(values.literals, 5);
    }

    fn error(pointer: &str, schema_pointer: &str, keyword: &str) -> ValueError {
        ValueError {
            pointer: pointer.into(),
            schema_pointer: schema_pointer.into(),
            message: String::new(),
            keyword: keyword.into(),
        }
    }

    #[test]
    fn placeholders_take_a_value_the_schema_likely_accepts() {
        let values = build(json!({
            "text": {"type": "jsonpath", "value": "$.a"},
            "mode": {"type": "jsonpath", "value": "$.b"},
            "options": {"type": "object", "value": {"retries": {"type": "jsonpath", "value": "$.c"}}},
            "tags": {"type": "array", "value": [{"type": "jsonpath", "value": "$.d"}]},
            "free": {"type": "jsonpath", "value": "$.e"}
        }));
        let schema = json!({"type": "object", "properties": {
            "text": {"type": "string", "minLength": 2},
            "mode": {"enum": ["fast", "slow"]},
            "options": {"$ref": "#/definitions/options"},
            "tags": {"type": "array", "items": {"type": "boolean"}}},
            "definitions": {"options": {"properties": {"retries": {"type": "integer", "minimum": 1}}}}});
        assert_eq!(
            values.input_for(&schema).into_owned(),
            json!({"text": "xx", "mode": "fast", "options": {"retries": 1}, "tags": [false], "free": null})
        );
        let literal = build(json!({"text": {"type": "string", "value": "hi"}}));
        assert!(matches!(literal.input_for(&schema), Cow::Borrowed(_)));
    }

    #[test]
    fn only_errors_that_no_dynamic_value_can_change_are_settled() {
        let values = build(json!({
            "text": {"type": "jsonpath", "value": "$.x"},
            "rows": {"type": "array", "value": [{"type": "jsonpath", "value": "$.y"}, {"type": "number", "value": 1}]},
            "textual": {"type": "number", "value": 4}
        }));
        // About the placeholder itself.
        assert!(!values.settles(&error("/text", "/properties/text/type", "type")));
        // A sibling whose name starts the same is not under `/text`.
        assert!(values.settles(&error("/textual", "/properties/textual/type", "type")));
        // The array holds a dynamic element: its items may turn out unique, or not.
        assert!(!values.settles(&error(
            "/rows",
            "/properties/rows/uniqueItems",
            "uniqueItems"
        )));
        // Its length is fixed, whatever the element turns out to be.
        assert!(values.settles(&error("/rows", "/properties/rows/maxItems", "maxItems")));
        assert!(values.settles(&error("/rows/1", "/properties/rows/items/type", "type")));
        // A property that is not allowed is not allowed whatever its value.
        assert!(values.settles(&error(
            "/text",
            "/additionalProperties",
            "additionalProperties"
        )));
        assert!(!values.settles(&error("", "/then/required", "required")));
    }
}
