//! Local `$ref` resolution inside one JSON Schema document: the one resolver the schema differ, the audit and the
//! index text extraction share, so that they agree on what `#/definitions/a%20b` points at.
//!
//! A reference is local when it is a URI fragment (`#`, `#/definitions/x`, `#/$defs/x`, any JSON Pointer after `#`).
//! The fragment is percent-decoded first (RFC 3986), then read as an RFC 6901 JSON Pointer (`~1` is `/`, `~0` is
//! `~`). Anything else (a remote URL, a relative file, a plain-name anchor) is not resolved: callers decide what an
//! unresolvable reference means for them. This module never follows references itself beyond what a caller asks
//! (one hop, or a bounded chain), so no schema can make it loop.

use serde_json::Value;

/// What following a chain of `$ref`s from a node ended in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Followed<'a> {
    /// A node without a `$ref` (or whose `$ref` is not a string), reached after `hops` references.
    Schema { node: &'a Value, hops: usize },
    /// A reference that points nowhere in the document, or is not local.
    Unresolvable { reference: &'a str },
    /// The chain came back to a reference it had already followed.
    Cycle { reference: &'a str },
    /// The chain was longer than the caller's budget.
    TooLong { reference: &'a str },
}

/// Resolves one local reference against the document `root`. `None` for a reference that is not local, not valid
/// percent-encoding or UTF-8, or names nothing in `root`.
pub fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let fragment = reference.strip_prefix('#')?;
    let fragment = percent_decode(fragment)?;
    if fragment.is_empty() {
        return Some(root);
    }
    let mut current = root;
    for token in fragment.strip_prefix('/')?.split('/') {
        let token = unescape_token(token);
        current = match current {
            Value::Object(map) => map.get(token.as_ref())?,
            Value::Array(items) => items.get(array_index(&token)?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// The `$ref` string of a schema node, if it has one.
pub fn reference_of(node: &Value) -> Option<&str> {
    node.as_object()?.get("$ref")?.as_str()
}

/// Follows `$ref`s from `node` until a node without one, at most `max_hops` of them.
pub fn follow<'a>(root: &'a Value, node: &'a Value, max_hops: usize) -> Followed<'a> {
    let mut current = node;
    let mut seen: Vec<&'a str> = Vec::new();
    loop {
        let Some(reference) = reference_of(current) else {
            return Followed::Schema {
                node: current,
                hops: seen.len(),
            };
        };
        if seen.contains(&reference) {
            return Followed::Cycle { reference };
        }
        if seen.len() >= max_hops {
            return Followed::TooLong { reference };
        }
        let Some(target) = resolve(root, reference) else {
            return Followed::Unresolvable { reference };
        };
        seen.push(reference);
        current = target;
    }
}

/// Like [`follow`], but also returns every node met on the way, `node` first and the node the chain ended on last,
/// for callers that merge what is written next to each `$ref` with its target.
pub fn follow_chain<'a>(
    root: &'a Value,
    node: &'a Value,
    max_hops: usize,
) -> (Vec<&'a Value>, Followed<'a>) {
    let mut nodes = vec![node];
    let mut seen: Vec<&'a str> = Vec::new();
    let mut current = node;
    loop {
        let Some(reference) = reference_of(current) else {
            let end = Followed::Schema {
                node: current,
                hops: seen.len(),
            };
            return (nodes, end);
        };
        if seen.contains(&reference) {
            return (nodes, Followed::Cycle { reference });
        }
        if seen.len() >= max_hops {
            return (nodes, Followed::TooLong { reference });
        }
        let Some(target) = resolve(root, reference) else {
            return (nodes, Followed::Unresolvable { reference });
        };
        seen.push(reference);
        nodes.push(target);
        current = target;
    }
}

/// Follows `$ref`s from `node` leniently: the last node reached, whatever stopped the chain (a cycle, a dangling
/// or remote reference, the budget). For readers that only want the best available view of a node.
pub fn follow_leniently<'a>(root: &'a Value, node: &'a Value, max_hops: usize) -> &'a Value {
    let mut current = node;
    for _ in 0..max_hops {
        match reference_of(current).and_then(|r| resolve(root, r)) {
            Some(target) if !std::ptr::eq(target, current) => current = target,
            _ => break,
        }
    }
    current
}

/// RFC 6901 escaping of one reference token (`/` → `~1`, `~` → `~0`), for building pointers.
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn unescape_token(token: &str) -> std::borrow::Cow<'_, str> {
    if token.contains('~') {
        std::borrow::Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        std::borrow::Cow::Borrowed(token)
    }
}

/// An array index token: digits without a leading zero (RFC 6901).
fn array_index(token: &str) -> Option<usize> {
    if token.is_empty() || (token.len() > 1 && token.starts_with('0')) {
        return None;
    }
    if !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    token.parse().ok()
}

/// Percent-decodes a URI fragment. `None` for a broken escape or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<std::borrow::Cow<'_, str>> {
    if !text.contains('%') {
        return Some(std::borrow::Cow::Borrowed(text));
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok().map(std::borrow::Cow::Owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn percent_encoded_and_escaped_tokens_resolve() {
        let root =
            json!({"definitions": {"a b/c": {"type": "string"}, "x~y": {"type": "integer"}}});
        assert_eq!(
            resolve(&root, "#/definitions/a%20b~1c"),
            Some(&json!({"type": "string"}))
        );
        assert_eq!(
            resolve(&root, "#/definitions/x~0y"),
            Some(&json!({"type": "integer"}))
        );
        assert_eq!(resolve(&root, "#"), Some(&root));
    }

    #[test]
    fn non_local_broken_or_missing_references_do_not_resolve() {
        let root = json!({"definitions": {"a": {}}, "list": [{"n": 1}]});
        for reference in [
            "other.json#/definitions/a",
            "https://example.com/s#/definitions/a",
            "#/definitions/missing",
            "#/definitions/a%2",
            "#/definitions/a%zz",
            "#/definitions/%ff",
            "#definitions/a",
            "#/list/01",
            "#/list/+0",
            "",
        ] {
            assert_eq!(resolve(&root, reference), None, "{reference:?}");
        }
        assert_eq!(resolve(&root, "#/list/0/n"), Some(&json!(1)));
    }

    #[test]
    fn chains_end_in_a_schema_a_cycle_or_the_budget() {
        let root = json!({"definitions": {
            "a": {"$ref": "#/definitions/b"}, "b": {"type": "string"},
            "loop": {"$ref": "#/definitions/loop2"}, "loop2": {"$ref": "#/definitions/loop"},
            "dangling": {"$ref": "#/definitions/nowhere"}}});
        let start = json!({"$ref": "#/definitions/a"});
        assert_eq!(
            follow(&root, &start, 8),
            Followed::Schema {
                node: &json!({"type": "string"}),
                hops: 2
            }
        );
        assert!(matches!(follow(&root, &start, 1), Followed::TooLong { .. }));
        let looping = json!({"$ref": "#/definitions/loop"});
        assert!(matches!(
            follow(&root, &looping, 100),
            Followed::Cycle { .. }
        ));
        let dangling = json!({"$ref": "#/definitions/dangling"});
        assert_eq!(
            follow(&root, &dangling, 100),
            Followed::Unresolvable {
                reference: "#/definitions/nowhere"
            }
        );
        let (nodes, end) = follow_chain(&root, &start, 8);
        assert_eq!(nodes.len(), 3);
        assert_eq!(end, follow(&root, &start, 8));
        let (nodes, end) = follow_chain(&root, &start, 1);
        assert_eq!(nodes.len(), 2);
        assert!(matches!(end, Followed::TooLong { .. }));
        let reached = follow_leniently(&root, &looping, 101);
        assert!(
            std::ptr::eq(reached, &root["definitions"]["loop"])
                || std::ptr::eq(reached, &root["definitions"]["loop2"])
        );
        assert_eq!(
            follow_leniently(&root, &start, 8),
            &json!({"type": "string"})
        );
    }
}
