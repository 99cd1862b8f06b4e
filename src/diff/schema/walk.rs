//! The walk over both schemas that finds and explains elementary changes, and the place where each explanation
//! gets its semantic verdict.
//!
//! The walk compares the two schemas place by place (a property, an item, a branch) and the rules of each keyword
//! family push one record per change, with the effect that change has on its own (`Effect`). Every place that
//! holds a record is then put to the inclusion engine (`subset.rs`), which decides what the two subschemas accept
//! as sets: where the engine proves a direction safe, no record under that place breaks it; where the two accept
//! exactly the same values, the records about validation there are dropped as an equivalent rewrite; where it
//! cannot prove safety and no record explains the break, every record there becomes breaking; and where it ran
//! out of budget, a `too-complex` record says so. Records and their pointers never depend on the direction asked
//! for: both directions are decided at every place, and only `breaking` differs.
//!
//! The walk must never recurse past [`MAX_DEPTH`], never take more than [`MAX_STEPS`] steps, and never drop a
//! record that the engine has not proved redundant.

use rustc_hash::FxHashSet as HashSet;

use serde_json::Value;

use super::kind::SchemaKind;
use super::subset::{Engine, Item, Side, Tri};
use super::value::{Canon, Fingerprints, contains_ref, deep_eq, norm_value, same, short};
use super::view::{COMBINATORS, Shape, View, flatten, resolve};
use super::{CHANGED, Direction, Effect, MAX_DEPTH, MAX_STEPS, NARROWING, SchemaChange, WIDENING};

/// What a record is about, which decides what the semantic verdict may do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Does not affect validation: never breaking, never dropped.
    Annotation,
    /// About which values validate: dropped where the two sides accept the same values.
    Validation,
    /// About which properties an object declares: kept (non-breaking) even where nothing validates differently,
    /// because a newly documented or undocumented field is news to the reader.
    Kept,
}

pub(crate) struct Record {
    pub(crate) change: SchemaChange,
    pub(crate) effect: Effect,
    pub(crate) class: Class,
}

/// (old schema identity, new schema identity, negated, polite).
type PairKey = (usize, usize, bool, bool);

pub(crate) struct Differ<'a> {
    pub(crate) old_root: &'a Value,
    pub(crate) new_root: &'a Value,
    pub(crate) direction: Direction,
    /// Inside an odd number of `not`s, narrowing the inner schema widens the outer one.
    pub(crate) negated: bool,
    /// On a path from the root through keywords that only widen when their subschemas widen: where the output
    /// policy (an output object may gain properties) applies.
    pub(crate) polite: bool,
    /// Pairs being compared on the current path: meeting one again means a `$ref` cycle, and everything below it
    /// is already being compared further up.
    active: HashSet<PairKey>,
    /// Pairs already compared without finding anything: a definition reached through many refs is compared once,
    /// not once per path.
    clean: HashSet<PairKey>,
    /// Records pushed so far; tells whether a pair was clean.
    pushed: usize,
    steps: usize,
    pub(crate) exhausted: bool,
    pub(crate) records: Vec<Record>,
    pub(crate) engine: Engine<'a>,
    fingerprints: Fingerprints,
}

impl<'a> Differ<'a> {
    pub(crate) fn new(old_root: &'a Value, new_root: &'a Value, direction: Direction) -> Self {
        Differ {
            old_root,
            new_root,
            direction,
            negated: false,
            polite: true,
            active: HashSet::default(),
            clean: HashSet::default(),
            pushed: 0,
            steps: 0,
            exhausted: false,
            records: Vec::new(),
            engine: Engine::new(old_root, new_root),
            fingerprints: Fingerprints::new(MAX_STEPS),
        }
    }

    fn tick(&mut self) -> bool {
        if self.steps >= MAX_STEPS {
            self.exhausted = true;
            false
        } else {
            self.steps += 1;
            true
        }
    }

    /// Records one change at `pointer` with the effect it has on its own (before `not` inverts it).
    pub(crate) fn push(
        &mut self,
        pointer: String,
        kind: SchemaKind,
        effect: Effect,
        old: Option<&Value>,
        new: Option<&Value>,
        message: String,
    ) {
        let class = match kind {
            SchemaKind::TitleChanged
            | SchemaKind::DescriptionChanged
            | SchemaKind::DefaultChanged
            | SchemaKind::AdvancedChanged
            | SchemaKind::LookupChanged
            | SchemaKind::EnumLabelsChanged
            | SchemaKind::DefaultJsonpathChanged
            | SchemaKind::AnnotationChanged => Class::Annotation,
            // A format that no validator asserts is an annotation (see the format policy).
            SchemaKind::FormatAdded | SchemaKind::FormatRemoved | SchemaKind::FormatChanged
                if !effect.input && !effect.output =>
            {
                Class::Annotation
            }
            SchemaKind::PropertyAdded
            | SchemaKind::PropertyRemoved
            | SchemaKind::RequiredPropertyAdded
            | SchemaKind::RequiredPropertyRemoved => Class::Kept,
            _ => Class::Validation,
        };
        let effect = if self.negated {
            Effect {
                input: effect.output,
                output: effect.input,
            }
        } else {
            effect
        };
        self.pushed += 1;
        self.records.push(Record {
            change: SchemaChange {
                direction: self.direction,
                pointer,
                kind,
                breaking: effect.breaks(self.direction),
                old: old.map(norm_value),
                new: new.map(norm_value),
                message,
            },
            effect,
            class,
        });
    }

    /// Compares the subschemas `o` (old) and `n` (new) found at `ptr`.
    pub(crate) fn cmp(&mut self, o: &'a Value, n: &'a Value, ptr: &str, depth: usize) {
        if self.exhausted || !self.tick() {
            return;
        }
        if depth > MAX_DEPTH {
            // Literal equality proves nothing when a `$ref` inside may point at a definition that changed.
            if !same(Some(o), Some(n)) || contains_ref(o) || contains_ref(n) {
                self.push(
                    ptr.to_owned(),
                    SchemaKind::TooDeep,
                    CHANGED,
                    Some(o),
                    Some(n),
                    format!("schemas differ below the nesting limit of {MAX_DEPTH}"),
                );
            }
            return;
        }
        // The same text with no `$ref` in it is the same schema: nothing below can have changed.
        if deep_eq(o, n) && !contains_ref(o) {
            return;
        }
        let mut ov = resolve(o, self.old_root);
        let mut nv = resolve(n, self.new_root);
        if ov.too_long.is_some() || nv.too_long.is_some() {
            let reference = ov.too_long.or(nv.too_long).unwrap_or_default();
            self.push(
                ptr.to_owned(),
                SchemaKind::TooComplex,
                CHANGED,
                Some(o),
                Some(n),
                format!(
                    "`$ref` chain longer than {} hops at {}; what it points to was not compared",
                    super::MAX_REF_HOPS,
                    short(Some(&Value::String(reference.to_owned())))
                ),
            );
            return;
        }
        // Merge combinators only when one side uses a combinator the other lacks, so that pointers stay literal
        // whenever they can.
        let present = |v: &View<'a>| COMBINATORS.map(|kw| v.get(kw).is_some());
        if present(&ov) != present(&nv) {
            flatten(&mut ov, self.old_root);
            flatten(&mut nv, self.new_root);
        }
        let key = (ov.identity(o), nv.identity(n), self.negated, self.polite);
        if self.clean.contains(&key) || !self.active.insert(key) {
            return;
        }
        let pushed_before = self.pushed;
        let mark = self.records.len();
        match (&ov.shape, &nv.shape) {
            (Shape::Invalid, Shape::Invalid) if same(Some(o), Some(n)) => {}
            (Shape::Invalid, _) | (_, Shape::Invalid) => self.push(
                ptr.to_owned(),
                SchemaKind::SchemaReplaced,
                CHANGED,
                Some(o),
                Some(n),
                "subschema replaced by or with a value that is not a schema".to_owned(),
            ),
            (Shape::Never, Shape::Never) => {}
            (_, Shape::Never) => self.push(
                ptr.to_owned(),
                SchemaKind::SchemaClosed,
                NARROWING,
                Some(o),
                Some(n),
                "subschema now rejects every value".to_owned(),
            ),
            (Shape::Never, _) => self.push(
                ptr.to_owned(),
                SchemaKind::SchemaOpened,
                WIDENING,
                Some(o),
                Some(n),
                "subschema used to reject every value".to_owned(),
            ),
            (Shape::Obj(_), Shape::Obj(_)) => self.cmp_obj(&ov, &nv, ptr, depth),
        }
        self.active.remove(&key);
        if !self.exhausted {
            self.settle(mark, o, n, ptr);
        }
        if self.pushed == pushed_before && !self.exhausted {
            self.clean.insert(key);
        }
    }

    fn cmp_obj(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str, depth: usize) {
        if !same(ov.unresolved_ref, nv.unresolved_ref) {
            self.push(
                at(ptr, "$ref"),
                SchemaKind::RefChanged,
                CHANGED,
                ov.unresolved_ref,
                nv.unresolved_ref,
                format!(
                    "unresolvable `$ref` changed from {} to {}",
                    short(ov.unresolved_ref),
                    short(nv.unresolved_ref)
                ),
            );
        }
        if !self.cmp_type(ov, nv, ptr) {
            return;
        }
        self.cmp_allowed(ov, nv, ptr);
        self.cmp_bounds(ov, nv, ptr);
        self.cmp_counts(ov, nv, ptr);
        self.cmp_string_keywords(ov, nv, ptr);
        self.cmp_object(ov, nv, ptr, depth);
        self.cmp_array(ov, nv, ptr, depth);
        self.cmp_combinators(ov, nv, ptr, depth);
        self.cmp_opaque(ov, nv, ptr);
        self.cmp_annotations(ov, nv, ptr);
    }

    /// The two sides of the inclusion that decides each direction at this place: (input safe when `.0 ⊆ .1`,
    /// output safe when `.2 ⊆ .3`). Under `not` the roles swap.
    fn sides(&self, o: &'a Value, n: &'a Value) -> [(Item<'a>, Item<'a>); 2] {
        let old = Item::new(o, Side::Old, false);
        let new = Item::new(n, Side::New, false);
        if self.negated {
            [(new, old), (old, new)]
        } else {
            [(old, new), (new, old)]
        }
    }

    /// Gives the records pushed since `mark` (all at or below `ptr`) their semantic verdict.
    fn settle(&mut self, mark: usize, o: &'a Value, n: &'a Value, ptr: &str) {
        let below = &self.records[mark..];
        if below.iter().all(|r| r.class == Class::Annotation) {
            return;
        }
        let [(in_sub, in_sup), (out_sub, out_sup)] = self.sides(o, n);
        let input = self.engine.includes(in_sub, in_sup);
        let strict_output = self.engine.includes(out_sub, out_sup);
        // The output policy reads new outputs against old ones outside `not` and other places where widening a
        // part can narrow the whole. It relaxes strict inclusion (properties may be gained) and tightens it
        // (properties may not be lost), so it is asked whenever either can matter.
        let removes = below.iter().any(|r| {
            matches!(
                r.change.kind,
                SchemaKind::PropertyRemoved | SchemaKind::RequiredPropertyRemoved
            )
        });
        let output = if self.polite && !self.negated && (strict_output != Tri::Yes || removes) {
            self.engine.includes(
                Item {
                    polite: true,
                    ..out_sub
                },
                Item {
                    polite: true,
                    ..out_sup
                },
            )
        } else {
            strict_output
        };
        if input == Tri::Yes && strict_output == Tri::Yes && output == Tri::Yes {
            // The same values either way: an equivalent rewrite, whatever keywords moved.
            let below = self.records.split_off(mark);
            self.records.extend(
                below
                    .into_iter()
                    .filter(|r| r.class != Class::Validation)
                    .map(|mut r| {
                        r.change.breaking = false;
                        r.effect = super::NEUTRAL;
                        r
                    }),
            );
            return;
        }
        let below = &self.records[mark..];
        let explained_in = below.iter().any(|r| r.effect.input);
        let explained_out = below.iter().any(|r| r.effect.output);
        if (input == Tri::Unknown && !explained_in) || (output == Tri::Unknown && !explained_out) {
            let effect = Effect {
                input: input != Tri::Yes,
                output: output != Tri::Yes,
            };
            self.push(
                ptr.to_owned(),
                SchemaKind::TooComplex,
                // Stored as is: `push` would invert it under `not`, but it already is the outer effect.
                if self.negated { effect.swapped() } else { effect },
                Some(o),
                Some(n),
                "could not decide within the budget whether one side accepts every value of the other".to_owned(),
            );
        }
        let safe = match self.direction {
            Direction::Input => input == Tri::Yes,
            Direction::Output => output == Tri::Yes,
        };
        let records = &mut self.records[mark..];
        if safe {
            for r in records.iter_mut() {
                r.change.breaking = false;
            }
        } else if !records.iter().any(|r| r.change.breaking) {
            // Nothing here breaks on its own, but together they do (or the engine could not prove otherwise).
            for r in records.iter_mut().filter(|r| r.class != Class::Annotation) {
                r.change.breaking = true;
            }
        }
    }

    /// A normal form for matching `anyOf`/`oneOf`/`allOf` branches (see [`Canon::schema`]).
    pub(crate) fn canon_string(&mut self, v: &'a Value, old: bool, annotations: bool) -> String {
        let root = if old { self.old_root } else { self.new_root };
        Canon::new(root, annotations, &mut self.fingerprints).string(v)
    }

    /// The canonical form of one whole keyword's value, resolved against the old or new document.
    pub(crate) fn canon_keyword(&mut self, keyword: &str, v: &'a Value, old: bool) -> Value {
        let root = if old { self.old_root } else { self.new_root };
        Canon::new(root, false, &mut self.fingerprints).keyword(keyword, v, 0)
    }

    /// Whether replacing `o` by `n` rejects a value `o` accepted (for the input verdict of a removed property).
    pub(crate) fn narrows(&mut self, o: &'a Value, n: &'a Value) -> bool {
        let old = Item::new(o, Side::Old, false);
        let new = Item::new(n, Side::New, false);
        self.engine.includes(old, new) != Tri::Yes
    }

    pub(crate) fn view(&self, v: &'a Value, old: bool) -> View<'a> {
        resolve(v, if old { self.old_root } else { self.new_root })
    }
}

/// `ptr/token`, with the token escaped.
pub(crate) fn at(ptr: &str, token: &str) -> String {
    format!("{ptr}/{}", crate::refs::escape_token(token))
}

/// `ptr/keyword/index`.
pub(crate) fn at_index(ptr: &str, keyword: &str, index: usize) -> String {
    format!("{ptr}/{}/{index}", crate::refs::escape_token(keyword))
}
