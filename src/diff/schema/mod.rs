//! Direction-aware JSON Schema diff, decided on set semantics.
//!
//! Tray.io operations carry two schemas: the input schema (what a workflow sends) and the output schema (what a
//! workflow reads back). A schema is the set of JSON values it accepts, and the verdict follows one rule:
//!
//! - a change is **breaking for input** iff some value valid under OLD is invalid under NEW (old ⊄ new);
//! - a change is **breaking for output** iff some value valid under NEW is invalid under OLD (new ⊄ old).
//!
//! It is decided by set inclusion of the values each side accepts — through `type`, `const`/`enum`, bounds,
//! `multipleOf`, string, array and object keywords, `allOf`/`anyOf`/`oneOf`/`not`, `if`/`then`/`else`, `$ref`
//! (recursive too), `prefixItems`/`items`/`contains`/`minContains`/`maxContains` and
//! `patternProperties`/`additionalProperties`/`propertyNames` — not by which keywords were written (`subset.rs`).
//! Two Tray policies sit next to the rule:
//!
//! - **Output objects may gain properties.** Steps read outputs by jsonpath, so a property a consumer never knew
//!   breaks nothing: when new outputs are read against old ones, an old `additionalProperties: false` counts as
//!   absent. A property that disappears from an output still breaks (a step may read it).
//! - **`format` asserts only where validators assert it**: `date-time`, `date`, `time`, `duration`, `email`,
//!   `idn-email`, `hostname`, `idn-hostname`, `ipv4`, `ipv6`, `uri`, `uri-reference`, `iri`, `iri-reference`,
//!   `uri-template`, `uuid`, `json-pointer`, `relative-json-pointer` and `regex` narrow strings; `binary`, `byte`,
//!   `password`, `int32` and every other format are annotations.
//!
//! Where inclusion cannot be decided within the budget, the verdict is breaking and a `too-complex` change says so:
//! never a silent pass. The explanation stays elementary: one record per change (kind, pointer, old, new,
//! message), found by the rules of each keyword family (`rules/`), while the verdict on each record comes from the
//! engine (`walk.rs`). An equivalent rewrite produces no record about validation at all. `docs/schema-diff.md` is
//! the public contract for the kinds.
//!
//! What it must never do, whatever `Value`s it is handed (non-objects, `true` and `false` schemas, garbage
//! keywords, cyclic or endless `$ref` chains, absurd nesting): panic, loop forever, or recurse or work without a
//! bound.

mod kind;
mod rules;
mod subset;
mod value;
mod view;
mod walk;

#[cfg(test)]
mod soundness;
#[cfg(test)]
mod testkit;

use serde_json::Value;

pub use kind::SchemaKind;

/// Which side of an operation a schema describes; it decides which direction of change breaks workflows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// What a workflow sends: breaking when a value that was valid is rejected.
    Input,
    /// What a workflow reads: breaking when a value that was impossible appears.
    Output,
}

impl Direction {
    /// Parses `input` or `output`, ignoring ASCII case.
    pub fn parse(s: &str) -> Option<Direction> {
        if s.eq_ignore_ascii_case("input") {
            Some(Direction::Input)
        } else if s.eq_ignore_ascii_case("output") {
            Some(Direction::Output)
        } else {
            None
        }
    }

    /// The lowercase name, as accepted by [`Direction::parse`] and serialized.
    pub fn as_str(&self) -> &'static str {
        match self {
            Direction::Input => "input",
            Direction::Output => "output",
        }
    }
}

/// One elementary difference between two schemas.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SchemaChange {
    /// The direction the diff was computed for.
    pub direction: Direction,
    /// RFC 6901 pointer to the keyword or subschema concerned, with `$ref`s expanded in place (the path a
    /// validator walks); `""` is the root. Things that exist only in the old schema point into the old schema.
    pub pointer: String,
    /// Stable kebab-case code; see `docs/schema-diff.md`.
    pub kind: SchemaKind,
    /// Whether existing workflows may break, for `direction`.
    pub breaking: bool,
    /// The old value of the keyword or subschema concerned, `None` when absent.
    pub old: Option<Value>,
    /// The new value of the keyword or subschema concerned, `None` when absent.
    pub new: Option<Value>,
    /// One human-readable line.
    pub message: String,
}

/// Compares two versions of one schema. `$ref`s in `old` resolve against `old`, those in `new` against `new`. The
/// result is sorted by pointer, then kind, then message, so it is deterministic for given inputs.
pub fn diff_schemas(old: &Value, new: &Value, direction: Direction) -> Vec<SchemaChange> {
    // The common case for snapshots, and it spares identical documents the work budget.
    if value::deep_eq(old, new) {
        return Vec::new();
    }
    let mut d = walk::Differ::new(old, new, direction);
    d.cmp(old, new, "", 0);
    if d.exhausted || d.engine.exhausted {
        // Pushed here rather than where the budget ran out, so that it is reported once and in both directions.
        d.negated = false;
        let what = if d.exhausted {
            format!("comparison stopped after {MAX_STEPS} steps; the rest was not compared")
        } else {
            format!(
                "deciding inclusion stopped after {} steps; some verdicts were not proved",
                subset::MAX_ENGINE_STEPS
            )
        };
        d.push(
            String::new(),
            SchemaKind::TooComplex,
            CHANGED,
            None,
            None,
            what,
        );
    }
    let mut out: Vec<SchemaChange> = d.records.into_iter().map(|r| r.change).collect();
    out.sort_by(|a, b| {
        (a.pointer.as_str(), a.kind.as_str(), a.message.as_str()).cmp(&(
            b.pointer.as_str(),
            b.kind.as_str(),
            b.message.as_str(),
        ))
    });
    out.dedup();
    out
}

/// Whether any change breaks workflows.
pub fn is_breaking(changes: &[SchemaChange]) -> bool {
    changes.iter().any(|c| c.breaking)
}

/// Subschema nesting beyond which differences are reported as `too-deep` instead of analysed; real schemas stay
/// far below it.
pub(crate) const MAX_DEPTH: usize = 64;
/// `$ref` chains (a ref to a ref to …) longer than this are not followed; a place behind one is `too-complex`.
pub(crate) const MAX_REF_HOPS: usize = 32;
/// Total walk budget: `$ref`s shared by many places can make the expanded tree exponentially larger than the
/// documents.
pub(crate) const MAX_STEPS: usize = 100_000;
/// Nesting kept when copying values into reports or comparing them; deeper parts are replaced by a marker so no
/// copy or comparison can overflow.
pub(crate) const VALUE_CLIP: usize = 64;

/// Whether a change breaks each direction on its own, before `not` inverts it and before the inclusion engine
/// gives the place its verdict. Direction is data: one rule, one effect, both directions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Effect {
    pub(crate) input: bool,
    pub(crate) output: bool,
}

impl Effect {
    pub(crate) fn breaks(self, direction: Direction) -> bool {
        match direction {
            Direction::Input => self.input,
            Direction::Output => self.output,
        }
    }

    /// The effect seen from the other side of a `not`.
    pub(crate) fn swapped(self) -> Effect {
        Effect {
            input: self.output,
            output: self.input,
        }
    }
}

/// New ⊆ old: only inputs can break.
pub(crate) const NARROWING: Effect = Effect {
    input: true,
    output: false,
};
/// Old ⊆ new: only outputs can break.
pub(crate) const WIDENING: Effect = Effect {
    input: false,
    output: true,
};
/// Neither includes the other, or we could not tell.
pub(crate) const CHANGED: Effect = Effect {
    input: true,
    output: true,
};
/// Validates the same values (annotations) or exempt by policy.
pub(crate) const NEUTRAL: Effect = Effect {
    input: false,
    output: false,
};

#[cfg(test)]
mod tests;
