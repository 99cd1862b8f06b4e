//! The inclusion engine: does every value one schema accepts also satisfy another?
//!
//! It proves sequents `L1 ∧ … ∧ Lm ⊆ R1 ∨ … ∨ Rn` (`Γ ⊢ Δ`). Combinators are taken apart by exact rules: `allOf` on
//! the left and `anyOf` on the right flatten, `anyOf` on the left and `allOf` on the right split into several
//! sequents, `not` moves its schema to the other side, `oneOf` and `if`/`then`/`else` are rewritten into those.
//! What remains are keyword bags; they are compared per JSON type (null, boolean, integer, other numbers, string,
//! array, object) by the rules of each keyword family (`rules/*.rs`), which recurse into subschemas. A left side with
//! finitely many values (`enum`, `const`, booleans, a small integer range) is decided value by value with the
//! evaluator ([`Engine::accepts`]). Recursive schemas are handled coinductively: meeting the same sequent again
//! after descending into a property or item proves it (no finite value can unfold a recursion forever).
//!
//! Answers are three-valued. `Yes` is a proof. `No` means no proof was found, which is how every incompleteness
//! surfaces, so it always counts as breaking. `Unknown` means the budget ran out, or the schema recursed without
//! descending into a value. The engine must never answer `Yes` without a proof, never loop, and never use more
//! than [`MAX_ENGINE_STEPS`] steps per diff.

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::rc::Rc;

use serde_json::Value;

use super::rules::{arrays, bounds, combinators, objects, opaque, strings, types, values};
use super::value::{Canon, Fingerprints, contains_ref, deep_eq};
use super::view::{View, resolve};

/// Total steps of proof and evaluation for one `diff_schemas` call.
pub(super) const MAX_ENGINE_STEPS: usize = 250_000;
/// Nesting of sequents and evaluations; deeper is `Unknown`.
const MAX_PROOF_DEPTH: usize = 80;
/// Steps of canonicalisation (to recognise identical subschemas) for one call.
const CANON_STEPS: usize = 200_000;

/// A three-valued answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tri {
    Yes,
    No,
    Unknown,
}

impl Tri {
    pub(super) fn from_bool(b: bool) -> Tri {
        if b { Tri::Yes } else { Tri::No }
    }

    /// Both hold.
    pub(super) fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Unknown, _) | (_, Tri::Unknown) => Tri::Unknown,
            _ => Tri::Yes,
        }
    }

    /// Either holds.
    pub(super) fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::Unknown, _) | (_, Tri::Unknown) => Tri::Unknown,
            _ => Tri::No,
        }
    }
}

/// Which document a schema comes from (its `$ref`s resolve there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Side {
    Old,
    New,
}

/// Combinators of an item already taken apart (bits), so that the item stands for the rest of its keywords.
pub(super) mod done {
    pub const ALL_OF: u8 = 1;
    pub const ANY_OF: u8 = 2;
    pub const ONE_OF: u8 = 4;
    pub const NOT: u8 = 8;
    pub const IF: u8 = 16;
}

/// One schema in a sequent.
#[derive(Debug, Clone, Copy)]
pub(super) struct Item<'a> {
    pub(super) node: &'a Value,
    pub(super) side: Side,
    /// Reached from the root through keywords that only ever widen when their subschemas widen (properties,
    /// items, `anyOf`, `allOf`, …): where the output policy may apply. Cleared under `not`, `oneOf`, `if`,
    /// `contains`, and on anything that moved to the other side of a sequent.
    pub(super) polite: bool,
    pub(super) done: u8,
}

impl<'a> Item<'a> {
    pub(super) fn new(node: &'a Value, side: Side, polite: bool) -> Item<'a> {
        Item {
            node,
            side,
            polite,
            done: 0,
        }
    }

    /// A subschema of this one, reached through a keyword that keeps the output policy (`polite`) or not.
    pub(super) fn child(&self, node: &'a Value, keeps_policy: bool) -> Item<'a> {
        Item::new(node, self.side, self.polite && keeps_policy)
    }

    pub(super) fn impolite(self) -> Item<'a> {
        Item {
            polite: false,
            ..self
        }
    }

    fn key(&self) -> (usize, u8) {
        let flags = (self.side == Side::New) as u8 | (self.polite as u8) << 1 | self.done << 2;
        (super::view::addr(self.node), flags)
    }
}

type Key = Box<[(usize, u8)]>;

fn key_of(left: &[Item<'_>], right: &[Item<'_>]) -> Key {
    let mut l: Vec<(usize, u8)> = left.iter().map(Item::key).collect();
    let mut r: Vec<(usize, u8)> = right.iter().map(Item::key).collect();
    l.sort_unstable();
    l.dedup();
    r.sort_unstable();
    r.dedup();
    l.push((usize::MAX, u8::MAX));
    l.extend(r);
    l.into_boxed_slice()
}

/// The JSON types, with numbers split into integral and other values (`integer` is the first set only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Atom {
    Null,
    Boolean,
    Integer,
    Fraction,
    String,
    Array,
    Object,
}

pub(super) const ATOMS: [Atom; 7] = [
    Atom::Null,
    Atom::Boolean,
    Atom::Integer,
    Atom::Fraction,
    Atom::String,
    Atom::Array,
    Atom::Object,
];

impl Atom {
    pub(super) fn of(v: &Value) -> Atom {
        match v {
            Value::Null => Atom::Null,
            Value::Bool(_) => Atom::Boolean,
            Value::Number(n) => {
                if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) {
                    Atom::Integer
                } else {
                    Atom::Fraction
                }
            }
            Value::String(_) => Atom::String,
            Value::Array(_) => Atom::Array,
            Value::Object(_) => Atom::Object,
        }
    }
}

/// The inclusion engine for one pair of documents.
pub(super) struct Engine<'a> {
    old_root: &'a Value,
    new_root: &'a Value,
    memo: HashMap<Key, Tri>,
    /// Sequents being proved, with the descent depth at which each was started.
    active: Vec<(Key, usize)>,
    /// How many properties/items the current sequent is below the root one: a cycle proves a sequent only if it
    /// descended into a value on the way.
    pub(super) descent: usize,
    /// The lowest `active` index whose assumption a proof in progress relied on.
    assumption: Option<usize>,
    depth: usize,
    steps: usize,
    pub(super) exhausted: bool,
    fingerprints: Fingerprints,
    canon: HashMap<(usize, Side), Rc<str>>,
    /// Whether a node has a `$ref` anywhere below it, by address.
    has_ref: HashMap<usize, bool>,
    regexes: HashMap<String, Option<jsonschema::Validator>>,
    formats: HashMap<String, Option<jsonschema::Validator>>,
    views: RefCell<HashMap<(usize, Side), Rc<View<'a>>>>,
    readable: RefCell<HashMap<(usize, Side), (bool, bool)>>,
}

impl<'a> Engine<'a> {
    pub(super) fn new(old_root: &'a Value, new_root: &'a Value) -> Engine<'a> {
        Engine {
            old_root,
            new_root,
            memo: HashMap::default(),
            active: Vec::new(),
            descent: 0,
            assumption: None,
            depth: 0,
            steps: 0,
            exhausted: false,
            fingerprints: Fingerprints::new(CANON_STEPS),
            canon: HashMap::default(),
            has_ref: HashMap::default(),
            regexes: HashMap::default(),
            formats: HashMap::default(),
            views: RefCell::new(HashMap::default()),
            readable: RefCell::new(HashMap::default()),
        }
    }

    pub(super) fn root(&self, side: Side) -> &'a Value {
        match side {
            Side::Old => self.old_root,
            Side::New => self.new_root,
        }
    }

    /// The schema of `item` with its `$ref` chain resolved (remembered: sequents meet the same schemas often).
    /// The item's view, resolved once and shared.
    pub(super) fn view(&self, item: Item<'a>) -> Rc<View<'a>> {
        let key = (super::view::addr(item.node), item.side);
        if let Some(view) = self.views.borrow().get(&key) {
            return Rc::clone(view);
        }
        let view = Rc::new(resolve(item.node, self.root(item.side)));
        self.views.borrow_mut().insert(key, Rc::clone(&view));
        view
    }

    /// Whether the engine can read `item` at all, and whether it may rely on it as an alternative (see
    /// [`opaque::usable`] and [`opaque::right_usable`]).
    fn readable(&self, item: Item<'a>, view: &View<'a>) -> (bool, bool) {
        let key = (super::view::addr(item.node), item.side);
        if let Some(known) = self.readable.borrow().get(&key) {
            return *known;
        }
        let known = (opaque::usable(view), opaque::right_usable(view));
        self.readable.borrow_mut().insert(key, known);
        known
    }

    pub(super) fn tick(&mut self) -> bool {
        if self.steps >= MAX_ENGINE_STEPS {
            self.exhausted = true;
            false
        } else {
            self.steps += 1;
            true
        }
    }

    /// Whether every value `sub` accepts is accepted by `sup`.
    pub(super) fn includes(&mut self, sub: Item<'a>, sup: Item<'a>) -> Tri {
        self.prove(vec![sub], vec![sup])
    }

    /// Whether the conjunction of `left` is included in the disjunction of `right` (an empty `right` asks whether
    /// `left` accepts nothing).
    pub(super) fn prove(&mut self, left: Vec<Item<'a>>, right: Vec<Item<'a>>) -> Tri {
        if self.exhausted || !self.tick() || self.depth >= MAX_PROOF_DEPTH {
            return Tri::Unknown;
        }
        let key = key_of(&left, &right);
        if let Some(&known) = self.memo.get(&key) {
            return known;
        }
        if let Some(pos) = self.active.iter().position(|(k, _)| *k == key) {
            if self.active[pos].1 < self.descent {
                self.assumption = Some(self.assumption.map_or(pos, |a| a.min(pos)));
                return Tri::Yes;
            }
            return Tri::Unknown;
        }
        let here = self.active.len();
        self.active.push((key.clone(), self.descent));
        self.depth += 1;
        let outer = self.assumption.take();
        let result = self.step(left, right);
        self.depth -= 1;
        self.active.truncate(here);
        let relied = self.assumption.filter(|&a| a < here);
        // A proof that rests on an assumption made further up holds only if that one does.
        if !(self.exhausted || result == Tri::Yes && relied.is_some()) {
            self.memo.insert(key, result);
        }
        self.assumption = match (outer, relied) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        result
    }

    /// Proves a subschema sequent one value level down (inside a property, an item, a name).
    pub(super) fn prove_below(&mut self, left: Vec<Item<'a>>, right: Vec<Item<'a>>) -> Tri {
        self.descent += 1;
        let result = self.prove(left, right);
        self.descent -= 1;
        result
    }

    fn step(&mut self, mut left: Vec<Item<'a>>, mut right: Vec<Item<'a>>) -> Tri {
        // Quick answers: an empty left side, an unconstrained right side, the same schema on both sides.
        let mut kept = Vec::with_capacity(left.len());
        for item in left {
            let view = self.view(item);
            if view.is_never() {
                return Tri::Yes;
            }
            // What cannot be read on the left is dropped: a weaker left side only makes the proof harder.
            if self.readable(item, &view).0 {
                kept.push(item);
            }
        }
        left = kept;
        let mut kept = Vec::with_capacity(right.len());
        for item in right {
            let view = self.view(item);
            if opaque::accepts_everything(&view, item.done) {
                return Tri::Yes;
            }
            // What cannot be read on the right can never be relied upon: drop that alternative.
            if !view.is_never() && self.readable(item, &view) == (true, true) {
                kept.push(item);
            }
        }
        right = kept;
        for l in left.iter().filter(|i| i.done == 0) {
            for r in right.iter().filter(|i| i.done == 0) {
                if self.identical(*l, *r) {
                    return Tri::Yes;
                }
            }
        }
        if let Some(answer) = combinators::expand(self, &left, &right) {
            return answer;
        }
        // Only keyword bags are left.
        let views: Vec<View<'a>> = left.iter().map(|i| View::clone(&self.view(*i))).collect();
        if let Some(candidates) = values::finite_left(&views) {
            return self.decide_values(&left, &right, &candidates);
        }
        let mut answer = Tri::Yes;
        for atom in ATOMS {
            if !views.iter().all(|v| types::admits(v, atom, true)) {
                continue;
            }
            let alternatives: Vec<Item<'a>> = right
                .iter()
                .copied()
                .filter(|r| types::admits(&self.view(*r), atom, false))
                .collect();
            answer = answer.and(self.atom_included(atom, &left, &views, &alternatives));
            if answer == Tri::No {
                break;
            }
        }
        answer
    }

    /// The values of type `atom` that all of `left` accepts are accepted by one of `right`.
    fn atom_included(
        &mut self,
        atom: Atom,
        left: &[Item<'a>],
        views: &[View<'a>],
        right: &[Item<'a>],
    ) -> Tri {
        let few = match atom {
            Atom::Null => Some(vec![Value::Null]),
            Atom::Boolean => Some(vec![Value::Bool(false), Value::Bool(true)]),
            Atom::Integer | Atom::Fraction => bounds::few_numbers(views, atom),
            Atom::String => strings::few_strings(views),
            Atom::Array => arrays::few_arrays(views),
            Atom::Object => objects::few_objects(views),
        };
        if let Some(candidates) = few {
            return self.decide_values(left, right, &candidates);
        }
        if bounds::empty_numbers(views, atom) {
            return Tri::Yes;
        }
        let mut best = Tri::No;
        for r in right {
            let rv = self.view(*r);
            if values::finite(&rv) {
                // Finitely many values cannot cover infinitely many.
                continue;
            }
            let answer = match atom {
                Atom::Null | Atom::Boolean => Tri::Unknown,
                Atom::Integer | Atom::Fraction => bounds::numbers_included(atom, views, &rv),
                Atom::String => strings::strings_included(views, &rv),
                Atom::Array => arrays::arrays_included(self, left, views, *r, &rv),
                Atom::Object => objects::objects_included(self, left, views, *r, &rv),
            };
            best = best.or(answer);
            if best == Tri::Yes {
                return best;
            }
        }
        if best != Tri::Yes && matches!(atom, Atom::Integer | Atom::Fraction) {
            best = best.or(bounds::numbers_covered(atom, views, right, self));
        }
        best
    }

    /// Decides a finite left side value by value: each value all of `left` may accept must be accepted by one of
    /// `right`.
    fn decide_values(
        &mut self,
        left: &[Item<'a>],
        right: &[Item<'a>],
        candidates: &[Value],
    ) -> Tri {
        let mut answer = Tri::Yes;
        for value in candidates {
            let mut in_left = Tri::Yes;
            for item in left {
                in_left = in_left.and(self.accepts(*item, value));
                if in_left == Tri::No {
                    break;
                }
            }
            if in_left == Tri::No {
                continue;
            }
            let mut in_right = Tri::No;
            for item in right {
                in_right = in_right.or(self.accepts(*item, value));
                if in_right == Tri::Yes {
                    break;
                }
            }
            answer = answer.and(match (in_left, in_right) {
                (_, Tri::Yes) => Tri::Yes,
                (Tri::Yes, Tri::No) => Tri::No,
                _ => Tri::Unknown,
            });
            if answer == Tri::No {
                break;
            }
        }
        answer
    }

    /// Whether the schema `item` accepts `value` (its combinators too, unless the item already had them taken
    /// apart).
    pub(super) fn accepts(&mut self, item: Item<'a>, value: &Value) -> Tri {
        if self.exhausted || !self.tick() || self.depth >= MAX_PROOF_DEPTH {
            return Tri::Unknown;
        }
        let view = self.view(item);
        if view.is_never() {
            return Tri::No;
        }
        if self.readable(item, &view) != (true, true) {
            return Tri::Unknown;
        }
        self.depth += 1;
        let mut answer = types::accepts(&view, value);
        for family in 0..6 {
            if answer == Tri::No {
                break;
            }
            let more = match family {
                0 => values::accepts(&view, value),
                1 => bounds::accepts(&view, value),
                2 => strings::accepts(self, &view, value),
                3 => arrays::accepts(self, item, &view, value),
                4 => objects::accepts(self, item, &view, value),
                _ => combinators::accepts(self, item, &view, value),
            };
            answer = answer.and(more);
        }
        self.depth -= 1;
        answer
    }

    /// Whether two schemas are the same schema (same canonical form): then each includes the other.
    fn identical(&mut self, a: Item<'a>, b: Item<'a>) -> bool {
        // The same text is the same schema when it means the same in both documents: always on one side, and
        // across sides when no `$ref` can point at a definition that differs. Cheaper than the canonical form, which
        // is still needed for the rest (annotations, spellings).
        let refers = self.refers(a.node) || self.refers(b.node);
        if deep_eq(a.node, b.node) && (a.side == b.side || !refers) {
            return true;
        }
        if !refers {
            // Without `$ref`s the proof itself reaches the same answer keyword by keyword, descending into the
            // parts that differ; the canonical form would cost a pass over both whole schemas first.
            return false;
        }
        let x = self.canonical(a);
        let y = self.canonical(b);
        x == y
    }

    fn refers(&mut self, node: &'a Value) -> bool {
        *self
            .has_ref
            .entry(super::view::addr(node))
            .or_insert_with(|| contains_ref(node))
    }

    fn canonical(&mut self, item: Item<'a>) -> Rc<str> {
        let key = (super::view::addr(item.node), item.side);
        if let Some(s) = self.canon.get(&key) {
            return s.clone();
        }
        let root = self.root(item.side);
        let s: Rc<str> = Canon::new(root, false, &mut self.fingerprints)
            .string(item.node)
            .into();
        self.canon.insert(key, s.clone());
        s
    }

    /// Whether `pattern` (ECMA 262, unanchored) matches `text`; `Unknown` for a pattern that does not compile.
    pub(super) fn pattern_matches(&mut self, pattern: &str, text: &str) -> Tri {
        if pattern.is_empty() {
            return Tri::Yes;
        }
        if !self.tick() {
            return Tri::Unknown;
        }
        let validator = self.regexes.entry(pattern.to_owned()).or_insert_with(|| {
            jsonschema::options()
                .build(&serde_json::json!({ "pattern": pattern }))
                .ok()
        });
        match validator {
            Some(v) => Tri::from_bool(v.is_valid(&Value::String(text.to_owned()))),
            None => Tri::Unknown,
        }
    }

    /// Whether `text` is valid for an asserted `format`.
    pub(super) fn format_accepts(&mut self, format: &str, text: &str) -> Tri {
        if !self.tick() {
            return Tri::Unknown;
        }
        let validator = self.formats.entry(format.to_owned()).or_insert_with(|| {
            jsonschema::options()
                .should_validate_formats(true)
                .build(&serde_json::json!({ "format": format }))
                .ok()
        });
        match validator {
            Some(v) => Tri::from_bool(v.is_valid(&Value::String(text.to_owned()))),
            None => Tri::Unknown,
        }
    }
}
