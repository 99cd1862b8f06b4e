//! Objects: `properties`, `required`, `additionalProperties`, `patternProperties`, `propertyNames`,
//! `minProperties`/`maxProperties` (their records are in `bounds.rs`) and the dependency keywords.
//!
//! This is where the output policy lives: when new outputs are read against old ones, an old
//! `additionalProperties: false` counts as absent (a consumer never reads a property it did not know), and an old
//! property that is no longer declared breaks (a consumer may read it). Inputs follow strict inclusion: a removed
//! property breaks a closed input, a new optional property breaks an open one whose values it restricts.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde_json::{Map, Value};

use super::super::subset::{Engine, Item, Side, Tri};
use super::super::value::{name, string_set};
use super::super::view::{TRUE_SCHEMA, View, is_schema_like, resolve};
use super::super::walk::{Differ, at};
use super::super::{Effect, NARROWING, NEUTRAL, WIDENING};
use super::bounds::{count, counts_included, tightest};
use super::values;
use crate::diff::schema::SchemaKind;

/// What every property name is.
static STRING_SCHEMA: LazyLock<Value> = LazyLock::new(|| serde_json::json!({ "type": "string" }));

/// One bag's object keywords.
struct Bag<'a> {
    item: Item<'a>,
    properties: Option<&'a Map<String, Value>>,
    patterns: Vec<(&'a str, &'a Value)>,
    additional: Option<&'a Value>,
    required: BTreeSet<String>,
    names: Option<&'a Value>,
    /// `dependentRequired` and the array form of `dependencies`.
    dependent_required: Vec<(&'a str, BTreeSet<String>)>,
    /// `dependentSchemas` and the schema form of `dependencies`.
    dependent_schemas: Vec<(&'a str, &'a Value)>,
}

impl<'a> Bag<'a> {
    fn of(view: &View<'a>, item: Item<'a>) -> Result<Bag<'a>, ()> {
        let properties = match view.get("properties") {
            None => None,
            Some(Value::Object(m)) => Some(m),
            Some(_) => return Err(()),
        };
        let patterns = match view.get("patternProperties") {
            None => Vec::new(),
            Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.as_str(), v)).collect(),
            Some(_) => return Err(()),
        };
        let schema = |keyword: &str| match view.get(keyword) {
            None => Ok(None),
            Some(v) if is_schema_like(v) => Ok(Some(v)),
            Some(_) => Err(()),
        };
        let mut bag = Bag {
            item,
            properties,
            patterns,
            additional: schema("additionalProperties")?,
            required: string_set(view.get("required"))?,
            names: schema("propertyNames")?,
            dependent_required: Vec::new(),
            dependent_schemas: Vec::new(),
        };
        for keyword in ["dependentRequired", "dependentSchemas", "dependencies"] {
            match view.get(keyword) {
                None => {}
                Some(Value::Object(m)) => {
                    for (k, v) in m {
                        match v {
                            Value::Array(_) if keyword != "dependentSchemas" => bag
                                .dependent_required
                                .push((k.as_str(), string_set(Some(v))?)),
                            v if is_schema_like(v) && keyword != "dependentRequired" => {
                                bag.dependent_schemas.push((k.as_str(), v));
                            }
                            _ => return Err(()),
                        }
                    }
                }
                Some(_) => return Err(()),
            }
        }
        Ok(bag)
    }

    fn declares(&self, name: &str) -> Option<&'a Value> {
        self.properties.and_then(|m| m.get(name))
    }

    /// Undeclared names are rejected outright.
    fn closed(&self, engine: &Engine<'a>) -> bool {
        self.patterns.is_empty()
            && self
                .additional
                .is_some_and(|ap| resolve(ap, engine.root(self.item.side)).is_never())
    }

    /// The schemas the value of property `name` must satisfy. A pattern that cannot be run counts as matching on
    /// the right (`strong`: every constraint that may apply) and as not matching on the left (only constraints
    /// that surely apply). Under the output policy an `additionalProperties: false` counts as absent.
    fn schemas_for(
        &self,
        engine: &mut Engine<'a>,
        name: &str,
        strong: bool,
        policy: bool,
    ) -> Vec<Item<'a>> {
        let mut out = Vec::new();
        let declared = self.declares(name);
        out.extend(declared.map(|s| self.item.child(s, true)));
        let (mut matched, mut unsure) = (false, false);
        for (pattern, schema) in &self.patterns {
            match engine.pattern_matches(pattern, name) {
                Tri::Yes => {
                    matched = true;
                    out.push(self.item.child(schema, true));
                }
                Tri::No => {}
                Tri::Unknown => {
                    unsure = true;
                    if strong {
                        out.push(self.item.child(schema, true));
                    }
                }
            }
        }
        if declared.is_none()
            && !matched
            && (strong || !unsure)
            && let Some(ap) = self.additional
            && !(policy && resolve(ap, engine.root(self.item.side)).is_never())
        {
            out.push(self.item.child(ap, true));
        }
        out
    }
}

/// The objects all of `views` allow, when the only one is `{}`.
pub(crate) fn few_objects(views: &[View<'_>]) -> Option<Vec<Value>> {
    (tightest(views, "maxProperties", false) == Some(0.0)).then(|| vec![Value::Object(Map::new())])
}

/// Whether every object all of `left` accept is accepted by `right`'s object keywords.
pub(crate) fn objects_included<'a>(
    engine: &mut Engine<'a>,
    left: &[Item<'a>],
    views: &[View<'a>],
    r: Item<'a>,
    rv: &View<'a>,
) -> Tri {
    let Ok(right) = Bag::of(rv, r) else {
        return Tri::No;
    };
    let bags: Vec<Bag<'a>> = left
        .iter()
        .zip(views)
        .filter_map(|(item, view)| Bag::of(view, *item).ok())
        .collect();
    // New outputs read against old ones (see the module comment).
    let policy =
        r.side == Side::Old && r.polite && left.iter().all(|i| i.side == Side::New && i.polite);
    let required: BTreeSet<&str> = bags
        .iter()
        .flat_map(|b| b.required.iter().map(String::as_str))
        .collect();
    if right
        .required
        .iter()
        .any(|q| !required.contains(q.as_str()))
    {
        return Tri::No;
    }
    let lo = tightest(views, "minProperties", true)
        .unwrap_or(0.0)
        .max(required.len() as f64);
    let mut hi = tightest(views, "maxProperties", false);
    for bag in bags.iter().filter(|b| b.closed(engine)) {
        let declared = bag.properties.map_or(0, Map::len) as f64;
        hi = Some(hi.map_or(declared, |h| h.min(declared)));
    }
    if let Some(answer) = counts_included(lo, hi, rv, "minProperties", "maxProperties") {
        return answer;
    }
    let mut answer = Tri::Yes;
    // Every name someone declares or requires, one by one; and when a left `propertyNames` lists the only names
    // an object may have, those too, and no other.
    let mut names: BTreeSet<&str> = required.clone();
    names.extend(right.required.iter().map(String::as_str));
    for bag in bags.iter().chain([&right]) {
        names.extend(
            bag.properties
                .into_iter()
                .flat_map(|m| m.keys().map(String::as_str)),
        );
    }
    let listed = listed_names(engine, &bags);
    names.extend(listed.iter().flatten().map(String::as_str));
    for name in names {
        if policy
            && right
                .declares(name)
                .is_some_and(|s| !resolve(s, engine.root(r.side)).is_never())
            && !bags.iter().any(|b| b.declares(name).is_some())
        {
            // An output property that disappeared: a consumer may read it.
            return Tri::No;
        }
        let values: Vec<Item<'a>> = bags
            .iter()
            .flat_map(|b| b.schemas_for(engine, name, false, false))
            .collect();
        for target in right.schemas_for(engine, name, true, policy) {
            answer = answer.and(engine.prove_below(values.clone(), vec![target]));
            if answer == Tri::No {
                return answer;
            }
        }
    }
    if listed.is_none() {
        answer = answer.and(undeclared_included(engine, &bags, &right, r, policy));
        if answer == Tri::No {
            return answer;
        }
    }
    if let Some(names) = right.names {
        answer = answer.and(names_included(engine, &bags, r.child(names, false)));
        if answer == Tri::No {
            return answer;
        }
    }
    for (trigger, needed) in &right.dependent_required {
        let implied = needed.iter().all(|d| required.contains(d.as_str()))
            || bags.iter().any(|b| {
                b.dependent_required
                    .iter()
                    .any(|(t, d)| t == trigger && needed.is_subset(d))
            });
        if !implied && forbids(engine, &bags, trigger) != Tri::Yes {
            return Tri::No;
        }
    }
    for (trigger, schema) in &right.dependent_schemas {
        let target = r.child(schema, false);
        if forbids(engine, &bags, trigger) == Tri::Yes {
            continue;
        }
        let mut implied = engine.prove(left.to_vec(), vec![target]);
        for bag in &bags {
            for (t, s) in &bag.dependent_schemas {
                if implied != Tri::Yes && t == trigger {
                    let mut with = left.to_vec();
                    with.push(bag.item.child(s, false));
                    implied = implied.or(engine.prove(with, vec![target]));
                }
            }
        }
        answer = answer.and(implied);
        if answer == Tri::No {
            return answer;
        }
    }
    answer
}

/// The only names the left objects may have, when a `propertyNames` lists them.
fn listed_names<'a>(engine: &Engine<'a>, bags: &[Bag<'a>]) -> Option<BTreeSet<String>> {
    bags.iter().find_map(|b| {
        let names = resolve(b.names?, engine.root(b.item.side));
        match values::allowed(&names) {
            Ok(Some((set, _))) => Some(
                set.values()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            ),
            _ => None,
        }
    })
}

/// Whether the values of names nobody declares fit: for each right pattern, and for the right
/// `additionalProperties`. On the left only the constraints that surely apply to such a name count: a bag's
/// pattern written the same way, and a bag's `additionalProperties` when none of its patterns can match a name the
/// right's patterns do not.
fn undeclared_included<'a>(
    engine: &mut Engine<'a>,
    bags: &[Bag<'a>],
    right: &Bag<'a>,
    r: Item<'a>,
    policy: bool,
) -> Tri {
    let additional = |pattern: Option<&str>| -> Vec<Item<'a>> {
        bags.iter()
            .filter(|b| {
                b.patterns
                    .iter()
                    .all(|(p, _)| pattern.is_none() && right.patterns.iter().any(|(q, _)| q == p))
            })
            .filter_map(|b| b.additional.map(|ap| b.item.child(ap, true)))
            .collect()
    };
    let mut answer = Tri::Yes;
    for (pattern, schema) in &right.patterns {
        let mut values = additional(Some(pattern));
        for bag in bags {
            if let Some((_, s)) = bag.patterns.iter().find(|(p, _)| p == pattern) {
                values.push(bag.item.child(s, true));
            }
        }
        answer = answer.and(engine.prove_below(values, vec![r.child(schema, true)]));
        if answer == Tri::No {
            return answer;
        }
    }
    if let Some(ap) = right.additional
        && !(policy && resolve(ap, engine.root(r.side)).is_never())
    {
        answer = answer.and(engine.prove_below(additional(None), vec![r.child(ap, true)]));
    }
    answer
}

/// Whether the left bags reject every value of property `name` (so it is never present).
fn forbids<'a>(engine: &mut Engine<'a>, bags: &[Bag<'a>], name: &str) -> Tri {
    let values: Vec<Item<'a>> = bags
        .iter()
        .flat_map(|b| b.schemas_for(engine, name, false, false))
        .collect();
    if values.is_empty() {
        return Tri::No;
    }
    engine.prove_below(values, Vec::new())
}

/// Whether every property name the left bags allow satisfies `target` (a `propertyNames` schema).
fn names_included<'a>(engine: &mut Engine<'a>, bags: &[Bag<'a>], target: Item<'a>) -> Tri {
    if let Some(closed) = bags.iter().find(|b| b.closed(engine)) {
        // Only the declared names can occur: try each.
        let mut answer = Tri::Yes;
        for (name, schema) in closed.properties.into_iter().flatten() {
            if resolve(schema, engine.root(closed.item.side)).is_never() {
                continue;
            }
            let text = Value::String(name.clone());
            let mut possible = Tri::Yes;
            for bag in bags {
                if let Some(names) = bag.names {
                    possible = possible.and(engine.accepts(bag.item.child(names, false), &text));
                }
            }
            if possible == Tri::No {
                continue;
            }
            answer = answer.and(engine.accepts(target, &text));
            if answer == Tri::No {
                break;
            }
        }
        return answer;
    }
    let mut names: Vec<Item<'a>> = bags
        .iter()
        .filter_map(|b| b.names.map(|n| b.item.child(n, false)))
        .collect();
    if names.is_empty() {
        return Tri::No;
    }
    names.push(Item::new(&STRING_SCHEMA, target.side, false));
    engine.prove_below(names, vec![target])
}

/// Whether an object satisfies the bag's object keywords (anything else passes).
pub(crate) fn accepts<'a>(
    engine: &mut Engine<'a>,
    item: Item<'a>,
    view: &View<'a>,
    value: &Value,
) -> Tri {
    let Value::Object(map) = value else {
        return Tri::Yes;
    };
    let (Ok(bag), Ok(min), Ok(max)) = (
        Bag::of(view, item),
        count(view, "minProperties"),
        count(view, "maxProperties"),
    ) else {
        return Tri::Unknown;
    };
    let size = map.len() as f64;
    if min.is_some_and(|m| size < m) || max.is_some_and(|m| size > m) {
        return Tri::No;
    }
    if bag.required.iter().any(|q| !map.contains_key(q)) {
        return Tri::No;
    }
    let mut answer = Tri::Yes;
    for (key, v) in map {
        let mut matched = Tri::No;
        if let Some(s) = bag.declares(key) {
            answer = answer.and(engine.accepts(item.child(s, false), v));
        }
        for (pattern, schema) in &bag.patterns {
            let m = engine.pattern_matches(pattern, key);
            matched = matched.or(m);
            match m {
                Tri::Yes => answer = answer.and(engine.accepts(item.child(schema, false), v)),
                Tri::Unknown => answer = answer.and(Tri::Unknown),
                Tri::No => {}
            }
        }
        if bag.declares(key).is_none()
            && matched != Tri::Yes
            && let Some(ap) = bag.additional
        {
            let ok = engine.accepts(item.child(ap, false), v);
            answer = answer.and(if matched == Tri::Unknown && ok == Tri::No {
                Tri::Unknown
            } else {
                ok
            });
        }
        if let Some(names) = bag.names {
            answer =
                answer.and(engine.accepts(item.child(names, false), &Value::String(key.clone())));
        }
        if answer == Tri::No {
            return answer;
        }
    }
    for (trigger, needed) in &bag.dependent_required {
        if map.contains_key(*trigger) && needed.iter().any(|d| !map.contains_key(d)) {
            return Tri::No;
        }
    }
    for (trigger, schema) in &bag.dependent_schemas {
        if map.contains_key(*trigger) {
            answer = answer.and(engine.accepts(item.child(schema, false), value));
        }
    }
    answer
}

impl<'a> Differ<'a> {
    pub(crate) fn cmp_object(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str, depth: usize) {
        let props = |v: &View<'a>| -> Result<Option<&'a Map<String, Value>>, ()> {
            match v.get("properties") {
                None => Ok(None),
                Some(Value::Object(m)) => Ok(Some(m)),
                Some(_) => Err(()),
            }
        };
        let (po, pn) = match (props(ov), props(nv)) {
            (Ok(a), Ok(b)) => (a, b),
            _ => {
                self.opaque_change(
                    "properties",
                    ov.get("properties"),
                    nv.get("properties"),
                    ptr,
                );
                (None, None)
            }
        };
        let (req_o, req_n, required_ok) = match (
            string_set(ov.get("required")),
            string_set(nv.get("required")),
        ) {
            (Ok(a), Ok(b)) => (a, b, true),
            _ => {
                self.opaque_change("required", ov.get("required"), nv.get("required"), ptr);
                (BTreeSet::new(), BTreeSet::new(), false)
            }
        };
        let ap = |v: &View<'a>| -> Result<Option<&'a Value>, ()> {
            match v.get("additionalProperties") {
                None => Ok(None),
                Some(x) if is_schema_like(x) => Ok(Some(x)),
                Some(_) => Err(()),
            }
        };
        let (ap_o, ap_n, ap_ok) = match (ap(ov), ap(nv)) {
            (Ok(a), Ok(b)) => (a, b, true),
            _ => {
                self.opaque_change(
                    "additionalProperties",
                    ov.get("additionalProperties"),
                    nv.get("additionalProperties"),
                    ptr,
                );
                (None, None, false)
            }
        };
        let closed_o = ap_o.is_some_and(|v| self.view(v, true).is_never());
        let closed_n = ap_n.is_some_and(|v| self.view(v, false).is_never());

        // Requiredness changes already folded into a property change.
        let mut accounted: BTreeSet<&str> = BTreeSet::new();
        let names: BTreeSet<&'a String> = po.into_iter().chain(pn).flat_map(|m| m.keys()).collect();
        for prop in names {
            let p = format!("{ptr}/properties/{}", crate::refs::escape_token(prop));
            match (po.and_then(|m| m.get(prop)), pn.and_then(|m| m.get(prop))) {
                (Some(a), Some(b)) => self.cmp(a, b, &p, depth + 1),
                (None, Some(b)) => {
                    // A name the old schema already required, or a property that forbids the name, changes what
                    // the old schema said about it; compare against that instead of calling it a new field.
                    let forbids = self.view(b, false).is_never();
                    if req_o.contains(prop) || forbids {
                        self.cmp(ap_o.unwrap_or(&TRUE_SCHEMA), b, &p, depth + 1);
                    } else if req_n.contains(prop) {
                        accounted.insert(prop);
                        self.push(
                            p,
                            SchemaKind::RequiredPropertyAdded,
                            NARROWING,
                            None,
                            Some(b),
                            format!("new required property `{}`", name(prop)),
                        );
                    } else {
                        // On an open input the name could carry any value `additionalProperties` allowed
                        // before; now it must fit `b`: breaking iff `b` rejects one of those. On a closed input
                        // nothing could be sent under the name. Outputs may gain properties (the output policy).
                        let input = !closed_o && self.narrows(ap_o.unwrap_or(&TRUE_SCHEMA), b);
                        let effect = Effect {
                            input,
                            output: false,
                        };
                        let message = if input {
                            format!(
                                "new optional property `{}` (the object is open: a value under that name, accepted \
                                 before whatever it was, must now fit its schema)",
                                name(prop)
                            )
                        } else {
                            format!("new optional property `{}`", name(prop))
                        };
                        self.push(p, SchemaKind::PropertyAdded, effect, None, Some(b), message);
                    }
                }
                (Some(a), None) => {
                    if req_n.contains(prop) {
                        // Still required: its values are now governed by additionalProperties.
                        self.cmp(a, ap_n.unwrap_or(&TRUE_SCHEMA), &p, depth + 1);
                        continue;
                    }
                    let breaks_input = match ap_n {
                        None => false,
                        Some(apv) => self.narrows(a, apv),
                    };
                    // Output: a workflow may read the property, so dropping it breaks whatever set inclusion says.
                    let effect = Effect {
                        input: breaks_input,
                        output: true,
                    };
                    let (kind, what) = if req_o.contains(prop) {
                        accounted.insert(prop);
                        (SchemaKind::RequiredPropertyRemoved, "required property")
                    } else {
                        (SchemaKind::PropertyRemoved, "property")
                    };
                    let message = if closed_n && breaks_input {
                        format!(
                            "{what} `{}` removed; the object is closed, so sending it now fails",
                            name(prop)
                        )
                    } else {
                        format!("{what} `{}` removed", name(prop))
                    };
                    self.push(p, kind, effect, Some(a), None, message);
                }
                (None, None) => {}
            }
        }

        if required_ok {
            let rp = at(ptr, "required");
            for prop in req_n.difference(&req_o) {
                if !accounted.contains(prop.as_str()) {
                    let v = Value::String(prop.clone());
                    self.push(
                        rp.clone(),
                        SchemaKind::RequiredAdded,
                        NARROWING,
                        None,
                        Some(&v),
                        format!("property `{}` became required", name(prop)),
                    );
                }
            }
            for prop in req_o.difference(&req_n) {
                if !accounted.contains(prop.as_str()) {
                    let v = Value::String(prop.clone());
                    self.push(
                        rp.clone(),
                        SchemaKind::RequiredRemoved,
                        WIDENING,
                        Some(&v),
                        None,
                        format!("property `{}` is no longer required", name(prop)),
                    );
                }
            }
        }

        if ap_ok {
            let p = at(ptr, "additionalProperties");
            match (closed_o, closed_n) {
                (false, false) if ap_o.is_some() || ap_n.is_some() => self.cmp(
                    ap_o.unwrap_or(&TRUE_SCHEMA),
                    ap_n.unwrap_or(&TRUE_SCHEMA),
                    &p,
                    depth + 1,
                ),
                (false, true) => self.push(
                    p,
                    SchemaKind::AdditionalPropertiesClosed,
                    NARROWING,
                    ap_o,
                    ap_n,
                    "undeclared properties are no longer allowed".to_owned(),
                ),
                // Widening by set inclusion, but an output may gain properties (the output policy).
                (true, false) => self.push(
                    p,
                    SchemaKind::AdditionalPropertiesOpened,
                    NEUTRAL,
                    ap_o,
                    ap_n,
                    "undeclared properties are now allowed".to_owned(),
                ),
                _ => {}
            }
        }

        let pattern_props = |v: &View<'a>| -> Result<Option<&'a Map<String, Value>>, ()> {
            match v.get("patternProperties") {
                None => Ok(None),
                Some(Value::Object(m)) => Ok(Some(m)),
                Some(_) => Err(()),
            }
        };
        let (Ok(qo), Ok(qn)) = (pattern_props(ov), pattern_props(nv)) else {
            return self.opaque_change(
                "patternProperties",
                ov.get("patternProperties"),
                nv.get("patternProperties"),
                ptr,
            );
        };
        let patterns: BTreeSet<&'a String> =
            qo.into_iter().chain(qn).flat_map(|m| m.keys()).collect();
        for pattern in patterns {
            let p = format!(
                "{ptr}/patternProperties/{}",
                crate::refs::escape_token(pattern)
            );
            match (
                qo.and_then(|m| m.get(pattern)),
                qn.and_then(|m| m.get(pattern)),
            ) {
                (Some(a), Some(b)) => self.cmp(a, b, &p, depth + 1),
                // Matching names were governed by additionalProperties: on a closed object a new pattern admits
                // them, otherwise it constrains them.
                (None, Some(b)) => self.push(
                    p,
                    SchemaKind::PatternPropertyAdded,
                    if closed_o { WIDENING } else { NARROWING },
                    None,
                    Some(b),
                    format!(
                        "properties matching `{}` are now constrained",
                        name(pattern)
                    ),
                ),
                (Some(a), None) => self.push(
                    p,
                    SchemaKind::PatternPropertyRemoved,
                    if closed_n { NARROWING } else { WIDENING },
                    Some(a),
                    None,
                    format!(
                        "properties matching `{}` are no longer constrained",
                        name(pattern)
                    ),
                ),
                (None, None) => {}
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::super::testkit::{Case, case, check_cases, same_both};
    use serde_json::{Value, json};

    fn obj(props: Value) -> Value {
        json!({ "type": "object", "properties": props })
    }

    fn closed(props: Value) -> Value {
        json!({ "type": "object", "properties": props, "additionalProperties": false })
    }

    pub(crate) fn cases() -> Vec<Case> {
        vec![
            same_both(
                "reordered_required",
                json!({ "properties": { "a": {}, "b": {} }, "required": ["a", "b"] }),
                json!({ "properties": { "a": {}, "b": {} }, "required": ["b", "a"] }),
            ),
            same_both(
                "duplicate_required_entries",
                json!({ "properties": { "a": {} }, "required": ["a"] }),
                json!({ "properties": { "a": {} }, "required": ["a", "a"] }),
            ),
            same_both(
                "additional_properties_true_vs_absent",
                json!({ "type": "object", "additionalProperties": true }),
                json!({ "type": "object" }),
            ),
            same_both(
                "closed_object_vs_property_names_listing_its_names",
                json!({ "type": "object", "properties": { "a": { "type": "string" } }, "additionalProperties": false }),
                json!({ "type": "object", "properties": { "a": { "type": "string" } }, "propertyNames": { "enum": ["a"] } }),
            ),
            case(
                "optional_property_added_to_a_closed_input",
                closed(json!({ "a": { "type": "string" } })),
                closed(json!({ "a": { "type": "string" }, "b": { "type": "string" } })),
                &[("/properties/b", "property-added")],
                false,
                false,
            ),
            // Strict inclusion: `{"b": 1}` was a valid input. Outputs may gain properties.
            case(
                "optional_property_added_to_an_open_object",
                obj(json!({ "a": { "type": "string" } })),
                obj(json!({ "a": { "type": "string" }, "b": { "type": "string" } })),
                &[("/properties/b", "property-added")],
                true,
                false,
            ),
            case(
                "unconstrained_property_documented",
                obj(json!({ "a": { "type": "string" } })),
                obj(json!({ "a": { "type": "string" }, "b": { "description": "now documented" } })),
                &[("/properties/b", "property-added")],
                false,
                false,
            ),
            case(
                "property_added_to_a_map_against_its_value_schema",
                json!({ "type": "object", "additionalProperties": { "type": "string" } }),
                json!({ "type": "object", "properties": { "n": { "type": "number" } }, "additionalProperties": { "type": "string" } }),
                &[("/properties/n", "property-added")],
                true,
                true,
            ),
            case(
                "property_removed_from_open_object",
                obj(json!({ "a": {}, "b": { "type": "string" } })),
                obj(json!({ "a": {} })),
                &[("/properties/b", "property-removed")],
                false,
                true,
            ),
            case(
                "property_removed_from_closed_object",
                closed(json!({ "a": {}, "b": { "type": "string" } })),
                closed(json!({ "a": {} })),
                &[("/properties/b", "property-removed")],
                true,
                true,
            ),
            case(
                "property_removed_into_compatible_additional_schema",
                json!({ "properties": { "a": { "type": "string" } }, "additionalProperties": { "type": "string" } }),
                json!({ "additionalProperties": { "type": "string" } }),
                &[("/properties/a", "property-removed")],
                false,
                true,
            ),
            case(
                "property_removed_into_incompatible_additional_schema",
                json!({ "properties": { "a": { "type": "string" } }, "additionalProperties": { "type": "number" } }),
                json!({ "additionalProperties": { "type": "number" } }),
                &[("/properties/a", "property-removed")],
                true,
                true,
            ),
            case(
                "property_removed_into_a_matching_pattern",
                json!({ "properties": { "x-a": { "type": "string" } }, "patternProperties": { "^x-": { "type": "string" } }, "additionalProperties": false }),
                json!({ "patternProperties": { "^x-": { "type": "string" } }, "additionalProperties": false }),
                &[("/properties/x-a", "property-removed")],
                false,
                true,
            ),
            case(
                "existing_property_became_required",
                json!({ "properties": { "a": {} }, "required": [] }),
                json!({ "properties": { "a": {} }, "required": ["a"] }),
                &[("/required", "required-added")],
                true,
                false,
            ),
            case(
                "property_no_longer_required",
                json!({ "properties": { "a": {} }, "required": ["a"] }),
                json!({ "properties": { "a": {} } }),
                &[("/required", "required-removed")],
                false,
                true,
            ),
            case(
                "new_required_property",
                obj(json!({ "a": {} })),
                json!({ "type": "object", "properties": { "a": {}, "b": { "type": "string" } }, "required": ["b"] }),
                &[("/properties/b", "required-property-added")],
                true,
                false,
            ),
            case(
                "new_required_property_on_a_closed_output",
                closed(json!({ "a": {} })),
                json!({ "type": "object", "properties": { "a": {}, "b": { "type": "string" } }, "required": ["b"], "additionalProperties": false }),
                &[("/properties/b", "required-property-added")],
                true,
                false,
            ),
            case(
                "required_property_removed_from_open_object",
                json!({ "type": "object", "properties": { "a": {}, "b": { "type": "string" } }, "required": ["b"] }),
                obj(json!({ "a": {} })),
                &[("/properties/b", "required-property-removed")],
                false,
                true,
            ),
            case(
                "required_property_removed_from_closed_object",
                json!({ "properties": { "b": {} }, "required": ["b"], "additionalProperties": false }),
                json!({ "properties": {}, "additionalProperties": false }),
                &[("/properties/b", "required-property-removed")],
                true,
                true,
            ),
            case(
                "property_schema_dropped_but_still_required",
                json!({ "properties": { "a": { "type": "string" } }, "required": ["a"] }),
                json!({ "required": ["a"] }),
                &[("/properties/a/type", "type-widened")],
                false,
                true,
            ),
            case(
                "schema_given_to_already_required_name",
                json!({ "required": ["a"] }),
                json!({ "properties": { "a": { "type": "string" } }, "required": ["a"] }),
                &[("/properties/a/type", "type-narrowed")],
                true,
                false,
            ),
            case(
                "property_names_are_escaped",
                obj(json!({ "a/b~c": { "maxLength": 5 } })),
                obj(json!({ "a/b~c": { "maxLength": 3 } })),
                &[("/properties/a~1b~0c/maxLength", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "property_narrowing_on_a_non_object_is_moot",
                json!({ "type": "string", "properties": { "a": { "type": "string" } }, "title": "x" }),
                json!({ "type": "string", "properties": { "a": { "type": "integer" } }, "title": "y" }),
                &[("/title", "title-changed")],
                false,
                false,
            ),
            case(
                "additional_properties_closed",
                json!({ "type": "object" }),
                json!({ "type": "object", "additionalProperties": false }),
                &[("/additionalProperties", "additional-properties-closed")],
                true,
                false,
            ),
            case(
                "additional_properties_opened",
                json!({ "type": "object", "additionalProperties": false }),
                json!({ "type": "object", "additionalProperties": true }),
                &[("/additionalProperties", "additional-properties-opened")],
                false,
                false,
            ),
            case(
                "additional_properties_restricted_to_a_schema",
                json!({ "type": "object" }),
                json!({ "type": "object", "additionalProperties": { "type": "string" } }),
                &[("/additionalProperties/type", "type-narrowed")],
                true,
                false,
            ),
            case(
                "additional_properties_schema_relaxed",
                json!({ "type": "object", "additionalProperties": { "type": "string" } }),
                json!({ "type": "object" }),
                &[("/additionalProperties/type", "type-widened")],
                false,
                true,
            ),
            case(
                "pattern_property_added_to_open_object",
                json!({ "type": "object" }),
                json!({ "type": "object", "patternProperties": { "^x-": { "type": "string" } } }),
                &[("/patternProperties/^x-", "pattern-property-added")],
                true,
                false,
            ),
            case(
                "pattern_property_added_to_closed_object",
                json!({ "additionalProperties": false }),
                json!({ "additionalProperties": false, "patternProperties": { "^x-": {} } }),
                &[("/patternProperties/^x-", "pattern-property-added")],
                false,
                false,
            ),
            case(
                "pattern_property_removed_from_open_object",
                json!({ "patternProperties": { "^x-": { "type": "string" } } }),
                json!({}),
                &[("/patternProperties/^x-", "pattern-property-removed")],
                false,
                true,
            ),
            case(
                "pattern_property_removed_from_closed_object",
                json!({ "additionalProperties": false, "patternProperties": { "^x-": {} } }),
                json!({ "additionalProperties": false }),
                &[("/patternProperties/^x-", "pattern-property-removed")],
                true,
                false,
            ),
            case(
                "property_names_restricted",
                json!({ "type": "object" }),
                json!({ "type": "object", "propertyNames": { "maxLength": 3 } }),
                &[("/propertyNames", "keyword-added")],
                true,
                false,
            ),
            case(
                "property_names_relaxed",
                json!({ "type": "object", "propertyNames": { "maxLength": 3 } }),
                json!({ "type": "object", "propertyNames": { "maxLength": 5 } }),
                &[("/propertyNames/maxLength", "constraint-loosened")],
                false,
                true,
            ),
            case(
                "dependent_schema_tightened",
                json!({ "dependentSchemas": { "a": { "required": ["b"] } } }),
                json!({ "dependentSchemas": { "a": { "required": ["b", "c"] } } }),
                &[("/dependentSchemas", "keyword-changed")],
                true,
                false,
            ),
        ]
    }

    #[test]
    fn object_cases_give_exact_kinds_pointers_and_verdicts_in_both_directions() {
        check_cases(&cases());
    }
}
