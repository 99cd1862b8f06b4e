//! The searchable text of an operation, pulled out of its stored JSON: title and description from the `meta` blob,
//! and the fields of its input and output schemas as dotted paths (`rows.cells`) with their titles and descriptions.
//!
//! The same extraction feeds the index and the snippets shown for top hits, so a snippet always shows text that
//! was indexed. It never fails on odd schemas: anything it does not understand is skipped. Its work is bounded
//! whatever the schema holds: a `$ref` target already expanded at the same path is not expanded again (so `allOf`
//! lists of references to shared definitions cost one walk per definition, not one per reference), cycles are cut,
//! and past a depth, a field count or a visit budget the walk stops with what it has. References are resolved by
//! the shared resolver ([`crate::refs`]), so the index follows `#/definitions/a%20b` as the differ and the audit do.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::refs;

/// Nesting deeper than this is not walked (absurdly deep schemas; a `$ref` hop and an `allOf` part count as a level
/// each). It also bounds the walk's recursion.
const MAX_DEPTH: usize = 24;
/// At most this many fields are taken from one schema.
const MAX_FIELDS: usize = 5_000;
/// At most this many schema nodes are visited in one schema. Real schemas need far fewer (the largest operation of
/// the corpus: a few thousand); a hostile one stops here, in milliseconds, with the fields found so far.
const MAX_VISITS: usize = 100_000;
/// A property's title or description is looked for at most this many `$ref` hops away.
const MAX_DESCRIBED_HOPS: usize = 8;

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
    let mut walk = Walk::new(schema);
    walk.node(schema, "", 0);
    walk.out
}

struct Walk<'a> {
    root: &'a Value,
    out: Vec<SchemaField>,
    seen: HashSet<String>,
    /// `$ref` targets being expanded on the current path (by address), to cut cycles.
    expanding: Vec<*const Value>,
    /// `$ref` targets already expanded, by (target address, path prefix), with the shallowest depth they were
    /// expanded at: the same definition at the same path gives the same fields, so it is walked again only when
    /// reached higher up (where the depth limit cuts less of it).
    expanded: HashMap<(*const Value, String), usize>,
    /// Nodes visited so far, against [`MAX_VISITS`].
    visits: usize,
}

impl<'a> Walk<'a> {
    fn new(root: &'a Value) -> Walk<'a> {
        Walk {
            root,
            out: Vec::new(),
            seen: HashSet::new(),
            expanding: Vec::new(),
            expanded: HashMap::new(),
            visits: 0,
        }
    }

    fn exhausted(&self) -> bool {
        self.out.len() >= MAX_FIELDS || self.visits >= MAX_VISITS
    }

    fn node(&mut self, node: &'a Value, prefix: &str, depth: usize) {
        if depth > MAX_DEPTH || self.exhausted() {
            return;
        }
        let Some(object) = node.as_object() else {
            return;
        };
        self.visits += 1;
        if let Some(target) = refs::reference_of(node).and_then(|r| refs::resolve(self.root, r)) {
            self.expand(target, prefix, depth);
        }
        if let Some(properties) = object.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                if self.exhausted() {
                    return;
                }
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

    /// Walks what a `$ref` points to, unless that would close a cycle or repeat an expansion already made.
    fn expand(&mut self, target: &'a Value, prefix: &str, depth: usize) {
        let address: *const Value = target;
        if self.expanding.contains(&address) {
            return;
        }
        let key = (address, prefix.to_owned());
        match self.expanded.get(&key) {
            Some(&at) if at <= depth => return,
            _ => {
                self.expanded.insert(key, depth);
            }
        }
        self.expanding.push(address);
        self.node(target, prefix, depth + 1);
        self.expanding.pop();
    }

    /// The node that carries a property's title and description: itself, or what its `$ref` chain points to.
    fn described(&self, property: &'a Value) -> &'a Value {
        let has_text = property.get("title").is_some() || property.get("description").is_some();
        if has_text {
            return property;
        }
        refs::follow_leniently(self.root, property, MAX_DESCRIBED_HOPS)
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

    /// Walks `schema` and returns its field paths and the nodes visited.
    fn walked(schema: &Value) -> (Vec<String>, usize) {
        let mut walk = Walk::new(schema);
        walk.node(schema, "", 0);
        (walk.out.into_iter().map(|f| f.path).collect(), walk.visits)
    }

    fn reference(name: &str) -> Value {
        json!({"$ref": format!("#/definitions/{name}")})
    }

    #[test]
    fn a_wide_ref_bomb_is_walked_once_per_definition() {
        // The schema of the report: 8 definitions, each an `allOf` of 50 references to the next (~50^8 expansions
        // when every reference is walked again), each adding one field.
        let mut definitions = serde_json::Map::new();
        for level in 0..8 {
            let mut definition = json!({"properties": {
                format!("field_{level}"): {"type": "string", "description": format!("Level {level}")}}});
            if level < 7 {
                definition["allOf"] = Value::Array(vec![reference(&format!("d{}", level + 1)); 50]);
            }
            definitions.insert(format!("d{level}"), definition);
        }
        let schema = json!({"type": "object", "allOf": vec![reference("d0"); 50],
                            "definitions": definitions});
        assert!(serde_json::to_vec(&schema).unwrap().len() < 24 << 10);
        let (paths, visits) = walked(&schema);
        let expected: Vec<String> = (0..8).map(|l| format!("field_{l}")).collect();
        assert_eq!(paths, expected);
        // Each definition expanded once; every other reference is one visit that stops at once.
        assert!(visits <= 8 * 60, "{visits} visits");
        let fields = schema_fields(&schema);
        assert_eq!(fields[3].description.as_deref(), Some("Level 3"));
    }

    #[test]
    fn a_bomb_of_distinct_paths_stops_at_the_budget_with_what_it_found() {
        // Each definition has 50 properties that all point to the next: 50^8 distinct paths.
        let mut definitions = serde_json::Map::new();
        for level in 0..8 {
            let properties: serde_json::Map<String, Value> = (0..50)
                .map(|i| {
                    (
                        format!("p{level}_{i}"),
                        reference(&format!("d{}", level + 1)),
                    )
                })
                .collect();
            definitions.insert(format!("d{level}"), json!({"properties": properties}));
        }
        definitions.insert("d8".into(), json!({"type": "string"}));
        let schema = json!({"$ref": "#/definitions/d0", "definitions": definitions});
        let (paths, visits) = walked(&schema);
        assert_eq!(paths.len(), MAX_FIELDS);
        assert!(visits <= MAX_VISITS, "{visits} visits");
        assert_eq!(paths[0], "p0_0");
        assert_eq!(paths[1], "p0_0.p1_0");
        let unique: HashSet<&String> = paths.iter().collect();
        assert_eq!(unique.len(), paths.len(), "each path once");
    }

    #[test]
    fn a_deep_ref_chain_stops_at_the_depth_limit() {
        let mut definitions = serde_json::Map::new();
        for level in 0..500 {
            definitions.insert(
                format!("d{level}"),
                json!({"properties": {"next": reference(&format!("d{}", level + 1))},
                       "allOf": [reference(&format!("d{}", level + 1))]}),
            );
        }
        let schema = json!({"$ref": "#/definitions/d0", "definitions": definitions});
        let (paths, visits) = walked(&schema);
        assert_eq!(paths.first().map(String::as_str), Some("next"));
        assert!(paths.len() <= MAX_DEPTH, "{paths:?}");
        assert!(visits <= 1_000, "{visits} visits");
    }

    #[test]
    fn mutually_recursive_definitions_finish_with_their_fields() {
        let schema = json!({
        "anyOf": [reference("a"), reference("b")],
        "definitions": {
            "a": {"properties": {"to_b": reference("b"), "name": {"type": "string", "title": "Name"}},
                  "allOf": [reference("b"), reference("a")], "oneOf": [reference("b"), reference("b")]},
            "b": {"properties": {"to_a": reference("a"), "size": {"type": "integer"}},
                  "anyOf": [reference("a"), reference("b")], "items": reference("a")}
        }});
        let (paths, visits) = walked(&schema);
        for expected in ["to_b", "name", "to_a", "size", "to_b.to_a", "to_a.to_b"] {
            assert!(
                paths.iter().any(|p| p == expected),
                "{expected} in {paths:?}"
            );
        }
        let unique: HashSet<&String> = paths.iter().collect();
        assert_eq!(unique.len(), paths.len(), "each path once");
        assert!(visits <= 5_000, "{visits} visits");
    }

    #[test]
    fn percent_encoded_and_escaped_refs_are_followed() {
        let schema = json!({
        "properties": {"owner": {"$ref": "#/definitions/a%20b"},
                       "tag": {"$ref": "#/definitions/x~1y"}},
        "definitions": {
            "a b": {"description": "The owner", "properties": {"email": {"type": "string"}}},
            "x/y": {"title": "Tag name", "type": "string"}
        }});
        let fields = schema_fields(&schema);
        let paths: Vec<&str> = fields.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["owner", "owner.email", "tag"]);
        assert_eq!(fields[0].description.as_deref(), Some("The owner"));
        assert_eq!(fields[2].title.as_deref(), Some("Tag name"));
    }

    #[test]
    fn a_title_behind_a_chain_of_refs_is_found() {
        let schema = json!({
            "properties": {"owner": reference("alias")},
            "definitions": {"alias": reference("person"), "person": {"title": "Person"}}});
        assert_eq!(schema_fields(&schema)[0].title.as_deref(), Some("Person"));
    }

    #[test]
    fn junk_schemas_give_no_fields_rather_than_an_error() {
        assert!(schema_fields(&json!(null)).is_empty());
        assert!(schema_fields(&json!({"properties": [1, 2]})).is_empty());
        assert!(schema_fields(&json!({"$ref": "http://elsewhere/x"})).is_empty());
    }
}
