//! Tests of the whole differ: the public API, the contract with `docs/schema-diff.md`, the limits, and generated
//! schemas. Each keyword family's table of cases lives beside its rules.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};
use strum::VariantArray;

use super::rules;
use super::testkit::{
    Case, Rng, case, check_cases, check_well_formed, document, kinds_and_pointers, respell, scalar,
};
use super::*;
use Direction::{Input, Output};

fn all_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    cases.extend(rules::types::tests::cases());
    cases.extend(rules::values::tests::cases());
    cases.extend(rules::bounds::tests::cases());
    cases.extend(rules::strings::tests::cases());
    cases.extend(rules::objects::tests::cases());
    cases.extend(rules::arrays::tests::cases());
    cases.extend(rules::combinators::tests::cases());
    cases.extend(rules::opaque::tests::cases());
    cases.extend(limit_cases());
    cases
}

fn nested_items(levels: usize, leaf: Value) -> Value {
    // Not `json!`: it would deep-copy `v` through serde at every level.
    let mut v = leaf;
    for _ in 0..levels {
        let mut m = Map::new();
        m.insert("type".into(), json!("array"));
        m.insert("items".into(), v);
        v = Value::Object(m);
    }
    v
}

fn tree(defs: &str, name: &str) -> Value {
    let r = format!("#/{defs}/{name}");
    json!({
        "$ref": r,
        defs: { name: {
            "type": "object",
            "properties": {
                "value": { "type": "string" },
                "children": { "type": "array", "items": { "$ref": r } }
            }
        }}
    })
}

/// A document whose root is a chain of `hops` `$ref`s ending in `leaf`.
fn ref_chain(hops: usize, leaf: Value) -> Value {
    let mut defs = Map::new();
    for i in 0..hops.saturating_sub(1) {
        defs.insert(
            format!("d{i}"),
            json!({ "$ref": format!("#/definitions/d{}", i + 1) }),
        );
    }
    defs.insert(format!("d{}", hops.saturating_sub(1)), leaf);
    json!({ "properties": { "x": { "$ref": "#/definitions/d0" } }, "definitions": defs })
}

/// Whole-schema cases: refs, recursion, and the depth limit.
fn limit_cases() -> Vec<Case> {
    let user = json!({ "type": "object", "properties": { "id": { "type": "string" } }, "required": ["id"] });
    let mut deep = case(
        "difference_below_depth_limit",
        nested_items(70, json!({ "type": "string" })),
        nested_items(70, json!({ "type": "number" })),
        &[],
        true,
        true,
    );
    deep.expect = vec![("/items".repeat(65), "too-deep")];
    vec![
        case(
            "identical_schemas",
            json!({ "type": "object", "properties": { "channel": { "type": "string", "maxLength": 80 } }, "required": ["channel"], "additionalProperties": false }),
            json!({ "type": "object", "properties": { "channel": { "type": "string", "maxLength": 80 } }, "required": ["channel"], "additionalProperties": false }),
            &[],
            false,
            false,
        ),
        case(
            "ref_vs_same_schema_inline",
            json!({ "type": "object", "properties": { "user": { "$ref": "#/definitions/user" } }, "definitions": { "user": user } }),
            json!({ "type": "object", "properties": { "user": user } }),
            &[],
            false,
            false,
        ),
        case(
            "defs_vs_definitions",
            json!({ "properties": { "u": { "$ref": "#/$defs/u" } }, "$defs": { "u": user } }),
            json!({ "properties": { "u": { "$ref": "#/definitions/u" } }, "definitions": { "u": user } }),
            &[],
            false,
            false,
        ),
        case(
            "cyclic_ref_identical_terminates",
            tree("definitions", "node"),
            tree("definitions", "node"),
            &[],
            false,
            false,
        ),
        case(
            "cyclic_ref_renamed_terminates",
            tree("definitions", "node"),
            tree("$defs", "tree"),
            &[],
            false,
            false,
        ),
        case(
            "true_vs_empty_object",
            json!(true),
            json!({}),
            &[],
            false,
            false,
        ),
        case(
            "ref_with_sibling_description_vs_inline",
            json!({ "properties": { "a": { "$ref": "#/definitions/s", "description": "d" } }, "definitions": { "s": { "type": "string" } } }),
            json!({ "properties": { "a": { "type": "string", "description": "d" } } }),
            &[],
            false,
            false,
        ),
        case(
            "unused_definition_changed",
            json!({ "type": "string", "definitions": { "x": { "type": "string" } } }),
            json!({ "type": "string", "definitions": { "x": { "type": "number" } } }),
            &[],
            false,
            false,
        ),
        case(
            "nested_title_added",
            json!({ "type": "object", "properties": { "a": { "type": "string" } } }),
            json!({ "type": "object", "properties": { "a": { "type": "string", "title": "A" } } }),
            &[("/properties/a/title", "title-changed")],
            false,
            false,
        ),
        case(
            "false_schema_opened",
            json!({ "type": "object", "properties": { "a": false } }),
            json!({ "type": "object", "properties": { "a": { "type": "string" } } }),
            &[("/properties/a", "schema-opened")],
            false,
            true,
        ),
        case(
            "subschema_closed_to_false",
            json!({ "type": "object", "properties": { "a": {} } }),
            json!({ "type": "object", "properties": { "a": false } }),
            &[("/properties/a", "schema-closed")],
            true,
            false,
        ),
        case(
            "property_added_as_false",
            json!({ "type": "object", "properties": {} }),
            json!({ "type": "object", "properties": { "a": false } }),
            &[("/properties/a", "schema-closed")],
            true,
            false,
        ),
        case(
            "subschema_replaced_by_garbage",
            json!({ "type": "object", "properties": { "a": { "type": "string" } } }),
            json!({ "type": "object", "properties": { "a": 42 } }),
            &[("/properties/a", "schema-replaced")],
            true,
            true,
        ),
        case(
            "root_is_not_a_schema",
            json!(1),
            json!("x"),
            &[("", "schema-replaced")],
            true,
            true,
        ),
        case(
            "external_ref_changed",
            json!({ "$ref": "https://example.com/a.json" }),
            json!({ "$ref": "https://example.com/b.json" }),
            &[("/$ref", "ref-changed")],
            true,
            true,
        ),
        case(
            "type_change_behind_a_ref_chain_past_the_hop_limit",
            ref_chain(MAX_REF_HOPS + 5, json!({ "type": "string" })),
            ref_chain(MAX_REF_HOPS + 5, json!({ "type": "integer" })),
            &[("/properties/x", "too-complex")],
            true,
            true,
        ),
        deep,
    ]
}

#[test]
fn whole_schema_cases_give_exact_kinds_pointers_and_verdicts_in_both_directions() {
    check_cases(&limit_cases());
}

#[test]
fn every_kind_is_covered_by_the_tests_and_documented() {
    let mut covered: BTreeSet<&str> = all_cases()
        .iter()
        .flat_map(|c| c.expect.iter().map(|(_, k)| *k))
        .collect();
    assert!(all_cases().len() >= 150, "{}", all_cases().len());
    covered.insert("too-complex"); // the work budget has its own test below
    let all: BTreeSet<&str> = SchemaKind::VARIANTS.iter().map(|k| k.as_str()).collect();
    assert_eq!(covered, all);
    let docs = include_str!("../../../docs/schema-diff.md");
    for kind in SchemaKind::VARIANTS {
        assert!(
            docs.contains(&format!("### `{kind}`")),
            "docs/schema-diff.md lacks a section for `{kind}`"
        );
    }
}

/// The examples issue 11 gives, each with its exact verdict in both directions.
#[test]
fn set_semantics_decide_the_issue_examples() {
    let examples = [
        (
            json!({ "type": "string" }),
            json!({ "anyOf": [{ "type": "string" }, { "type": "number" }] }),
            false,
            true,
        ),
        (
            json!({ "type": "string" }),
            json!({ "not": { "type": "number" } }),
            false,
            true,
        ),
        (
            json!({ "type": "number" }),
            json!({ "const": 5 }),
            true,
            false,
        ),
        (
            json!({ "enum": [1] }),
            json!({ "enum": [0, 1], "minimum": 1 }),
            false,
            false,
        ),
        (
            json!({ "type": "array", "contains": { "type": "string" }, "maxContains": 1 }),
            json!({ "type": "array", "contains": { "type": "string" }, "maxContains": 2 }),
            false,
            true,
        ),
        (
            json!({ "type": "integer", "minimum": 4, "maximum": 4 }),
            json!({ "type": "number", "minimum": 4, "maximum": 4 }),
            false,
            false,
        ),
        (
            json!({ "oneOf": [{ "type": "string" }, { "type": "integer" }] }),
            json!({ "anyOf": [{ "type": "string" }, { "type": "integer" }] }),
            false,
            false,
        ),
    ];
    for (old, new, breaks_input, breaks_output) in examples {
        let input = diff_schemas(&old, &new, Input);
        let output = diff_schemas(&old, &new, Output);
        assert_eq!(
            (is_breaking(&input), is_breaking(&output)),
            (breaks_input, breaks_output),
            "{old} → {new}\n{input:#?}\n{output:#?}"
        );
        if !breaks_input && !breaks_output {
            assert!(
                input.is_empty() && output.is_empty(),
                "{old} → {new}: {input:#?}"
            );
        }
    }
}

#[test]
fn a_type_change_behind_any_number_of_ref_hops_is_found_or_too_complex() {
    for hops in [
        1,
        2,
        MAX_REF_HOPS - 1,
        MAX_REF_HOPS,
        MAX_REF_HOPS + 1,
        100,
        1000,
    ] {
        let old = ref_chain(hops, json!({ "type": "string" }));
        let new = ref_chain(hops, json!({ "type": "integer" }));
        for dir in [Input, Output] {
            let changes = diff_schemas(&old, &new, dir);
            assert!(is_breaking(&changes), "{hops} hops, {dir:?}: {changes:#?}");
            let kinds: Vec<SchemaKind> = changes.iter().map(|c| c.kind).collect();
            let expected = if hops <= MAX_REF_HOPS {
                SchemaKind::TypeChanged
            } else {
                SchemaKind::TooComplex
            };
            assert_eq!(kinds, vec![expected], "{hops} hops, {dir:?}");
        }
    }
}

#[test]
fn a_change_behind_refs_below_the_depth_limit_is_not_silent() {
    // Each level is its own definition, so no cycle stops the walk before the depth limit does.
    let chain = |leaf: &str| {
        let mut defs = Map::new();
        for i in 0..80 {
            defs.insert(
                format!("d{i}"),
                json!({ "type": "object", "properties": { "next": { "$ref": format!("#/definitions/d{}", i + 1) } } }),
            );
        }
        defs.insert("d80".into(), json!({ "type": leaf }));
        json!({ "$ref": "#/definitions/d0", "definitions": defs })
    };
    let (old, new) = (chain("string"), chain("integer"));
    for dir in [Input, Output] {
        let changes = diff_schemas(&old, &new, dir);
        assert!(is_breaking(&changes), "{dir:?}: {changes:#?}");
        assert!(changes.iter().any(|c| c.kind == SchemaKind::TooDeep));
    }
}

#[test]
fn new_required_input_property_is_one_breaking_change() {
    let old = json!({ "type": "object", "properties": { "channel": { "type": "string" } }, "required": ["channel"] });
    let new = json!({ "type": "object", "properties": { "channel": { "type": "string" }, "text": { "type": "string" } }, "required": ["channel", "text"] });
    let changes = diff_schemas(&old, &new, Input);
    assert_eq!(
        changes,
        vec![SchemaChange {
            direction: Input,
            pointer: "/properties/text".into(),
            kind: SchemaKind::RequiredPropertyAdded,
            breaking: true,
            old: None,
            new: Some(json!({ "type": "string" })),
            message: "new required property `text`".into(),
        }]
    );
}

#[test]
fn existing_property_becoming_required_names_it_in_the_message() {
    let old = json!({ "properties": { "text": {} } });
    let new = json!({ "properties": { "text": {} }, "required": ["text"] });
    let changes = diff_schemas(&old, &new, Input);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].message, "property `text` became required");
    assert_eq!(changes[0].new, Some(json!("text")));
    assert!(changes[0].breaking);
    assert!(!is_breaking(&diff_schemas(&old, &new, Output)));
}

#[test]
fn a_type_json_schema_does_not_have_is_unknown_not_empty() {
    // Tray's outputs use `"type": "file"`. Read as "accepts nothing", object → file looked like a narrowing that
    // cannot break an output (it did, on the corpus pair). What it accepts is unknown: breaking both ways.
    let object = json!({ "type": "object" });
    let file = json!({ "type": "file" });
    for dir in [Input, Output] {
        let changes = diff_schemas(&object, &file, dir);
        assert_eq!(changes.len(), 1, "{dir:?}");
        assert_eq!(changes[0].kind, SchemaKind::TypeChanged);
        assert!(changes[0].breaking, "{dir:?}");
        assert!(is_breaking(&diff_schemas(&file, &object, dir)), "{dir:?}");
        assert!(
            diff_schemas(&file, &file.clone(), dir).is_empty(),
            "{dir:?}"
        );
        // Inclusion through an unknown type is never proved either.
        let either = json!({ "anyOf": [{ "type": "string" }, { "type": "file" }] });
        assert!(is_breaking(&diff_schemas(
            &json!({ "type": "string" }),
            &json!({ "type": "file" }),
            dir
        )));
        // Dropping the string branch narrows inputs; the file branch itself is the same on both sides.
        assert_eq!(
            is_breaking(&diff_schemas(&either, &file, dir)),
            dir == Input,
            "{dir:?}"
        );
    }
}

#[test]
fn a_new_optional_property_breaks_an_open_input_only_where_it_restricts_the_value() {
    let open_old = json!({ "type": "object", "properties": { "a": { "type": "string" } } });
    let closed_old = json!({ "type": "object", "properties": { "a": { "type": "string" } },
                             "additionalProperties": false });
    let with = |old: &Value, b: Value| {
        let mut new = old.clone();
        new["properties"]["b"] = b;
        new
    };
    // Open: `{"b": 5}` was valid and a string-typed `b` now rejects it; that is the verdict, and the message says why.
    let typed = diff_schemas(
        &open_old,
        &with(&open_old, json!({ "type": "string" })),
        Input,
    );
    assert_eq!(typed.len(), 1);
    assert!(typed[0].breaking);
    assert!(
        typed[0].message.contains("the object is open"),
        "{}",
        typed[0].message
    );
    // Open, but the new property accepts anything: every old value still fits.
    let anything = diff_schemas(
        &open_old,
        &with(&open_old, json!({ "description": "any" })),
        Input,
    );
    assert_eq!(anything.len(), 1);
    assert!(!anything[0].breaking);
    assert_eq!(anything[0].message, "new optional property `b`");
    // Closed: nothing could be sent under the name before.
    let closed = diff_schemas(
        &closed_old,
        &with(&closed_old, json!({ "type": "string" })),
        Input,
    );
    assert!(!is_breaking(&closed));
    // Outputs may gain properties.
    assert!(!is_breaking(&diff_schemas(
        &open_old,
        &with(&open_old, json!({ "type": "string" })),
        Output
    )));
}

#[test]
fn removing_a_property_from_a_closed_input_is_breaking_but_from_an_open_one_is_not() {
    let props = json!({ "a": { "type": "string" } });
    let open_old = json!({ "properties": props });
    let closed_old = json!({ "properties": props, "additionalProperties": false });
    let open_new = json!({ "properties": {} });
    let closed_new = json!({ "properties": {}, "additionalProperties": false });
    assert!(!is_breaking(&diff_schemas(&open_old, &open_new, Input)));
    let closed = diff_schemas(&closed_old, &closed_new, Input);
    assert!(is_breaking(&closed));
    assert!(
        closed[0].message.contains("closed"),
        "{}",
        closed[0].message
    );
    assert!(is_breaking(&diff_schemas(&open_old, &open_new, Output)));
}

#[test]
fn new_output_property_is_not_breaking() {
    let old = json!({ "properties": { "ok": { "type": "boolean" } } });
    let new = json!({ "properties": { "ok": { "type": "boolean" }, "ts": { "type": "string" } } });
    let changes = diff_schemas(&old, &new, Output);
    assert_eq!(
        kinds_and_pointers(&changes),
        vec![("/properties/ts".to_owned(), "property-added")]
    );
    assert!(!is_breaking(&changes));
}

#[test]
fn unrelated_type_change_is_reported_once_without_looking_inside() {
    let old = json!({ "properties": { "x": { "type": "string", "maxLength": 3, "pattern": "a", "enum": ["a"] } } });
    let new = json!({ "properties": { "x": { "type": "object", "properties": { "a": {} }, "required": ["a"] } } });
    let changes = diff_schemas(&old, &new, Output);
    assert_eq!(
        kinds_and_pointers(&changes),
        vec![("/properties/x/type".to_owned(), "type-changed")]
    );
    assert_eq!(changes[0].old, Some(json!("string")));
    assert_eq!(changes[0].new, Some(json!("object")));
    assert_eq!(changes[0].message, "type changed from string to object");
}

#[test]
fn constraint_change_reports_keyword_values_and_direction() {
    let changes = diff_schemas(
        &json!({ "properties": { "channel": { "maxLength": 80 } } }),
        &json!({ "properties": { "channel": { "maxLength": 21 } } }),
        Input,
    );
    assert_eq!(changes.len(), 1);
    let c = &changes[0];
    assert_eq!(c.pointer, "/properties/channel/maxLength");
    assert_eq!(
        (c.kind, c.breaking),
        (SchemaKind::ConstraintTightened, true)
    );
    assert_eq!(
        (c.old.clone(), c.new.clone()),
        (Some(json!(80)), Some(json!(21)))
    );
    assert_eq!(c.message, "`maxLength` tightened from 80 to 21");
}

#[test]
fn refs_resolve_against_their_own_document() {
    let old = json!({ "$ref": "#/definitions/a", "definitions": { "a": { "type": "string" } } });
    let new = json!({ "$ref": "#/definitions/a", "definitions": { "a": { "type": "integer" } } });
    let changes = diff_schemas(&old, &new, Input);
    assert_eq!(
        kinds_and_pointers(&changes),
        vec![("/type".to_owned(), "type-changed")]
    );
}

#[test]
fn percent_encoded_and_escaped_refs_resolve() {
    let old = json!({ "$ref": "#/definitions/a%20b~1c", "definitions": { "a b/c": { "type": "string" } } });
    let new = json!({ "type": "string" });
    assert!(diff_schemas(&old, &new, Input).is_empty());
}

#[test]
fn change_inside_a_recursive_definition_is_found_and_terminates() {
    let old = tree("definitions", "node");
    let mut new = tree("definitions", "node");
    new["definitions"]["node"]["properties"]["value"]["maxLength"] = json!(10);
    for (dir, breaking) in [(Input, true), (Output, false)] {
        let changes = diff_schemas(&old, &new, dir);
        assert_eq!(
            kinds_and_pointers(&changes),
            vec![(
                "/properties/value/maxLength".to_owned(),
                "constraint-tightened"
            )]
        );
        assert_eq!(is_breaking(&changes), breaking, "{dir:?}");
    }
}

#[test]
fn self_referencing_and_mutually_referencing_refs_terminate() {
    for schema in [
        json!({ "$ref": "#" }),
        json!({ "$ref": "#/definitions/a", "definitions": { "a": { "$ref": "#/definitions/b" }, "b": { "$ref": "#/definitions/a" } } }),
        json!({ "properties": { "x": { "$ref": "#" } }, "items": { "$ref": "#" }, "anyOf": [{ "$ref": "#" }] }),
        json!({ "anyOf": [{ "$ref": "#" }, { "type": "string" }] }),
        json!({ "not": { "$ref": "#" } }),
    ] {
        for other in [
            json!({}),
            json!({ "type": "string" }),
            json!({ "properties": { "x": { "properties": { "x": false } } } }),
        ] {
            for dir in [Input, Output] {
                check_well_formed(&diff_schemas(&schema, &other, dir), &schema.to_string());
                check_well_formed(&diff_schemas(&other, &schema, dir), &schema.to_string());
            }
        }
    }
}

#[test]
fn exponential_ref_fan_out_stops_at_the_work_budget() {
    let mut defs = Map::new();
    for i in 0..30 {
        let next = json!({ "$ref": format!("#/definitions/d{}", i + 1) });
        defs.insert(
            format!("d{i}"),
            json!({ "properties": { "a": next, "b": next } }),
        );
    }
    defs.insert("d30".into(), json!({ "type": "string" }));
    let old = json!({ "$ref": "#/definitions/d0", "definitions": defs });
    let mut new = old.clone();
    new["definitions"]["d30"] = json!({ "type": "number" });
    for dir in [Input, Output] {
        let changes = diff_schemas(&old, &new, dir);
        assert!(
            changes
                .iter()
                .any(|c| c.kind == SchemaKind::TooComplex && c.pointer.is_empty() && c.breaking),
            "{dir:?}"
        );
    }
    // Identical shared definitions are compared once, so a root-only change in the same document needs no budget
    // at all.
    let mut titled = old.clone();
    titled["title"] = json!("t");
    assert_eq!(
        kinds_and_pointers(&diff_schemas(&old, &titled, Input)),
        vec![("/title".to_owned(), "title-changed")]
    );
}

#[test]
fn extremely_deep_values_neither_overflow_nor_hang() {
    let old = nested_items(20_000, json!({ "type": "string" }));
    let new = nested_items(20_000, json!({ "type": "number" }));
    let changes = diff_schemas(&old, &new, Input);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].kind, SchemaKind::TooDeep);
    assert!(diff_schemas(&old, &old, Input).is_empty());
    // Dropping a Value this deep is serde_json's recursion, not ours.
    std::mem::forget(old);
    std::mem::forget(new);
    std::mem::forget(changes);
}

#[test]
fn messages_stay_on_one_line() {
    let old = json!({ "properties": { "a\nb": { "enum": ["x\ny"] } } });
    let new = json!({ "properties": { "a\nb": { "enum": ["z"] } }, "required": ["a\nb"], "title": "t\n" });
    for c in diff_schemas(&old, &new, Input) {
        assert!(!c.message.contains('\n'), "{:?}", c.message);
    }
}

#[test]
fn direction_parses_prints_and_serializes_lowercase() {
    assert_eq!(Direction::parse("input"), Some(Input));
    assert_eq!(Direction::parse("OUTPUT"), Some(Output));
    assert_eq!(Direction::parse("in"), None);
    for d in [Input, Output] {
        assert_eq!(Direction::parse(d.as_str()), Some(d));
        assert_eq!(serde_json::to_value(d).unwrap(), json!(d.as_str()));
    }
}

#[test]
fn a_change_serializes_with_the_published_field_names() {
    let c = &diff_schemas(
        &json!({ "maxLength": 2 }),
        &json!({ "maxLength": 1 }),
        Output,
    )[0];
    let v = serde_json::to_value(c).unwrap();
    assert_eq!(
        v,
        json!({
            "direction": "output",
            "pointer": "/maxLength",
            "kind": "constraint-tightened",
            "breaking": false,
            "old": 2,
            "new": 1,
            "message": "`maxLength` tightened from 2 to 1",
        })
    );
    assert_eq!(format!("{:<22}|", c.kind), "constraint-tightened  |");
}

#[test]
fn output_is_sorted_by_pointer_then_kind() {
    let old = json!({ "properties": { "b": { "maxLength": 3 }, "a": { "type": "string" } }, "required": ["a"], "title": "x" });
    let new = json!({ "properties": { "b": { "maxLength": 2, "minLength": 1 }, "a": { "type": "number" } }, "title": "y" });
    let changes = diff_schemas(&old, &new, Input);
    let keys = kinds_and_pointers(&changes);
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(keys.len(), 5);
}

#[test]
fn generated_schemas_equal_their_respelled_selves() {
    let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
    for i in 0..1000 {
        let a = document(&mut rng, true);
        let b = respell(&a, &mut rng);
        for dir in [Input, Output] {
            let changes = diff_schemas(&a, &b, dir);
            assert!(
                changes.is_empty(),
                "#{i} {dir:?}\nold {a}\nnew {b}\n{changes:#?}"
            );
        }
    }
}

#[test]
fn generated_schemas_with_a_root_title_change_differ_only_there() {
    let mut rng = Rng::new(7);
    for i in 0..1000 {
        let a = document(&mut rng, true);
        if !a.is_object() {
            continue;
        }
        let mut b = a.clone();
        b["title"] = json!("a different title");
        let changes = diff_schemas(&a, &b, Input);
        if view::resolve(&a, &a).is_never() {
            continue; // a `false` root has nothing to compare inside
        }
        assert_eq!(
            kinds_and_pointers(&changes),
            vec![("/title".to_owned(), "title-changed")],
            "#{i}\n{a}"
        );
    }
}

#[test]
fn swapping_old_and_new_swaps_the_verdicts() {
    // Without the object keywords no policy applies: narrowing one way is widening the other way.
    let mut rng = Rng::new(42);
    for i in 0..2000 {
        let a = document(&mut rng, false);
        let b = document(&mut rng, false);
        let forward_in = diff_schemas(&a, &b, Input);
        let forward_out = diff_schemas(&a, &b, Output);
        let backward_in = diff_schemas(&b, &a, Input);
        let backward_out = diff_schemas(&b, &a, Output);
        let ctx = format!("#{i}\nold {a}\nnew {b}");
        assert_eq!(
            is_breaking(&forward_in),
            is_breaking(&backward_out),
            "{ctx}"
        );
        assert_eq!(
            is_breaking(&forward_out),
            is_breaking(&backward_in),
            "{ctx}"
        );
        // Kinds and pointers do not depend on the direction.
        assert_eq!(
            kinds_and_pointers(&forward_in),
            kinds_and_pointers(&forward_out),
            "{ctx}"
        );
        check_well_formed(&forward_in, &ctx);
    }
}

#[test]
fn generated_garbage_never_panics() {
    fn garbage(rng: &mut Rng, depth: usize) -> Value {
        if depth > 4 {
            return scalar(rng);
        }
        match rng.below(6) {
            0 => scalar(rng),
            1 => Value::Array((0..rng.below(4)).map(|_| garbage(rng, depth + 1)).collect()),
            _ => {
                let keys = [
                    "type",
                    "enum",
                    "const",
                    "properties",
                    "required",
                    "items",
                    "additionalItems",
                    "prefixItems",
                    "additionalProperties",
                    "anyOf",
                    "oneOf",
                    "allOf",
                    "not",
                    "$ref",
                    "minimum",
                    "exclusiveMinimum",
                    "maxLength",
                    "multipleOf",
                    "pattern",
                    "format",
                    "patternProperties",
                    "definitions",
                    "title",
                    "dependencies",
                    "if",
                    "then",
                    "contains",
                    "maxContains",
                    "propertyNames",
                    "uniqueItems",
                ];
                let mut m = Map::new();
                for _ in 0..rng.below(5) {
                    let k = keys[rng.below(keys.len())];
                    let v = if k == "$ref" && rng.chance(70) {
                        json!(rng.pick(&[
                            "#",
                            "#/definitions/a",
                            "#/properties/a",
                            "#/items/0",
                            "#/%zz",
                            "x"
                        ]))
                    } else if k == "pattern" && rng.chance(50) {
                        json!(rng.pick(&["(", "[a-", "^a", "\\"]))
                    } else {
                        garbage(rng, depth + 1)
                    };
                    m.insert(k.to_owned(), v);
                }
                Value::Object(m)
            }
        }
    }
    let mut rng = Rng::new(0xDEAD_BEEF);
    for i in 0..6000 {
        let a = garbage(&mut rng, 0);
        let b = if rng.chance(20) {
            respell(&a, &mut rng)
        } else {
            garbage(&mut rng, 0)
        };
        for dir in [Input, Output] {
            let changes = diff_schemas(&a, &b, dir);
            check_well_formed(&changes, &format!("#{i}\nold {a}\nnew {b}"));
        }
    }
}
