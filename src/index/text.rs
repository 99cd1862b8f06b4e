//! The searchable text of an operation, pulled out of its stored JSON: title and description from the `meta` blob,
//! and the fields of its input and output schemas as dotted paths (`rows.cells`) with their titles and descriptions.
//!
//! The same extraction feeds the index and the snippets shown for top hits, so a snippet always shows text that
//! was indexed. It never fails on odd schemas: anything it does not understand is skipped, and it stops at a depth
//! and size limit rather than following a cycle.

use std::collections::HashSet;

use serde_json::Value;

/// Nesting deeper than this is not walked (schemas with `$ref` cycles, or absurdly deep ones).
const MAX_DEPTH: usize = 12;
/// At most this many fields are taken from one schema.
const MAX_FIELDS: usize = 5_000;

/// Title and description of an operation (from its `meta` blob).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OperationMeta {
    pub title: String,
    pub description: String,
}

impl OperationMeta {
    pub fn from_json(meta: &Value) -> OperationMeta {
        let text = |key: &str| {
            meta.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        OperationMeta {
            title: text("title"),
            description: text("description"),
        }
    }
}

/// One schema field.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaField {
    /// Property names from the root, joined with `.`; array items add no segment (`rows.cells`).
    pub path: String,
    pub title: Option<String>,
    pub description: Option<String>,
}

/// Every field of a JSON schema, in document order, each path once.
pub fn schema_fields(schema: &Value) -> Vec<SchemaField> {
    let mut walk = Walk {
        root: schema,
        out: Vec::new(),
        seen: HashSet::new(),
        refs: Vec::new(),
    };
    walk.node(schema, "", 0);
    walk.out
}

struct Walk<'a> {
    root: &'a Value,
    out: Vec<SchemaField>,
    seen: HashSet<String>,
    /// `$ref`s being expanded on the current path, to cut cycles.
    refs: Vec<&'a str>,
}

impl<'a> Walk<'a> {
    fn node(&mut self, node: &'a Value, prefix: &str, depth: usize) {
        if depth > MAX_DEPTH || self.out.len() >= MAX_FIELDS {
            return;
        }
        let Some(object) = node.as_object() else {
            return;
        };
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            if self.refs.contains(&reference) {
                return;
            }
            if let Some(target) = self.resolve(reference) {
                self.refs.push(reference);
                self.node(target, prefix, depth + 1);
                self.refs.pop();
            }
        }
        if let Some(properties) = object.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                let path = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}.{name}")
                };
                if self.seen.insert(path.clone()) {
                    let described = self.described(property);
                    self.out.push(SchemaField {
                        path: path.clone(),
                        title: text_of(described, "title"),
                        description: text_of(described, "description"),
                    });
                    if self.out.len() >= MAX_FIELDS {
                        return;
                    }
                }
                self.node(property, &path, depth + 1);
            }
        }
        match object.get("items") {
            Some(items @ Value::Object(_)) => self.node(items, prefix, depth + 1),
            Some(Value::Array(items)) => {
                for item in items {
                    self.node(item, prefix, depth + 1);
                }
            }
            _ => {}
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(parts)) = object.get(key) {
                for part in parts {
                    self.node(part, prefix, depth + 1);
                }
            }
        }
    }

    /// The node that carries a property's title and description: itself, or what its `$ref` points to.
    fn described(&self, property: &'a Value) -> &'a Value {
        let has_text = property.get("title").is_some() || property.get("description").is_some();
        if has_text {
            return property;
        }
        property
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| self.resolve(r))
            .unwrap_or(property)
    }

    /// A local JSON pointer (`#/definitions/x`, `#/$defs/x`) into the schema's root.
    fn resolve(&self, reference: &str) -> Option<&'a Value> {
        let pointer = reference.strip_prefix('#')?;
        if pointer.is_empty() {
            return Some(self.root);
        }
        self.root.pointer(pointer)
    }
}

fn text_of(node: &Value, key: &str) -> Option<String> {
    node.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(schema: &Value) -> Vec<String> {
        schema_fields(schema).into_iter().map(|f| f.path).collect()
    }

    #[test]
    fn nested_objects_and_array_items_become_dotted_paths() {
        let schema = json!({"type": "object", "properties": {
            "rows": {"type": "array", "title": "Rows", "items": {"type": "object", "properties": {
                "cells": {"type": "array", "description": "Cell values", "items": {"type": "string"}}}}},
            "total": {"type": "integer"}}});
        let fields = schema_fields(&schema);
        assert_eq!(paths(&schema), ["rows", "rows.cells", "total"]);
        assert_eq!(fields[0].title.as_deref(), Some("Rows"));
        assert_eq!(fields[1].description.as_deref(), Some("Cell values"));
    }

    #[test]
    fn refs_into_definitions_are_followed_and_cycles_cut() {
        let schema = json!({
        "type": "object",
        "properties": {"conditions": {"type": "array", "items": {"$ref": "#/definitions/condition"}},
                       "owner": {"$ref": "#/definitions/node"}},
        "definitions": {
            "condition": {"type": "object", "properties": {"field": {"type": "string", "title": "Field"}}},
            "node": {"type": "object", "description": "A node", "properties": {"child": {"$ref": "#/definitions/node"}}}
        }});
        let fields = schema_fields(&schema);
        assert_eq!(
            paths(&schema),
            ["conditions", "conditions.field", "owner", "owner.child"]
        );
        assert_eq!(fields[2].description.as_deref(), Some("A node"));
    }

    #[test]
    fn junk_schemas_give_no_fields_rather_than_an_error() {
        assert!(schema_fields(&json!(null)).is_empty());
        assert!(schema_fields(&json!({"properties": [1, 2]})).is_empty());
        assert!(schema_fields(&json!({"$ref": "http://elsewhere/x"})).is_empty());
    }
}
