//! Bounds: `minimum`/`maximum` with both spellings of exclusivity (draft-04 booleans, draft-06 numbers),
//! `multipleOf`, the length-like counts (`minLength`, `maxItems`, `minProperties`, …) and `uniqueItems`. The
//! inclusion of number sets lives here too: intervals of integers or of other numbers, cut by `multipleOf`.

use serde_json::Value;

use super::super::subset::{Atom, Engine, Item, Tri};
use super::super::value::short;
use super::super::view::View;
use super::super::walk::{Differ, at};
use super::super::{CHANGED, NARROWING, WIDENING};
use super::{types, values};
use crate::diff::schema::SchemaKind;

/// Length-like bounds: (keyword, is a lower bound).
pub(crate) const COUNTS: &[(&str, bool)] = &[
    ("minLength", true),
    ("maxLength", false),
    ("minItems", true),
    ("maxItems", false),
    ("minProperties", true),
    ("maxProperties", false),
];

/// Integer ranges this small are decided number by number.
const FEW_NUMBERS: f64 = 64.0;

#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) struct Bound {
    pub(crate) value: f64,
    pub(crate) exclusive: bool,
    pub(crate) keyword: &'static str,
}

/// The effective lower (or upper) numeric bound, merging `minimum` with both the draft-04 boolean and the
/// draft-06+ numeric `exclusiveMinimum`.
pub(crate) fn bound(view: &View<'_>, lower: bool) -> Result<Option<Bound>, ()> {
    let (inc_kw, exc_kw) = if lower {
        ("minimum", "exclusiveMinimum")
    } else {
        ("maximum", "exclusiveMaximum")
    };
    let inclusive = match view.get(inc_kw) {
        None => None,
        Some(v) => Some(v.as_f64().ok_or(())?),
    };
    let mut candidates = Vec::new();
    match view.get(exc_kw) {
        None | Some(Value::Bool(false)) => candidates.extend(inclusive.map(|value| Bound {
            value,
            exclusive: false,
            keyword: inc_kw,
        })),
        Some(Value::Bool(true)) => candidates.extend(inclusive.map(|value| Bound {
            value,
            exclusive: true,
            keyword: inc_kw,
        })),
        Some(v) => {
            let value = v.as_f64().ok_or(())?;
            candidates.push(Bound {
                value,
                exclusive: true,
                keyword: exc_kw,
            });
            candidates.extend(inclusive.map(|value| Bound {
                value,
                exclusive: false,
                keyword: inc_kw,
            }));
        }
    }
    Ok(candidates
        .into_iter()
        .reduce(|a, b| if tighter(lower, &b, &a) { b } else { a }))
}

/// Whether bound `a` admits strictly fewer numbers than `b`.
pub(crate) fn tighter(lower: bool, a: &Bound, b: &Bound) -> bool {
    if a.value == b.value {
        a.exclusive && !b.exclusive
    } else if lower {
        a.value > b.value
    } else {
        a.value < b.value
    }
}

fn show_bound(lower: bool, b: Option<&Bound>) -> String {
    match b {
        None => "none".to_owned(),
        Some(b) => {
            let op = match (lower, b.exclusive) {
                (true, false) => ">=",
                (true, true) => ">",
                (false, false) => "<=",
                (false, true) => "<",
            };
            format!("{op} {}", b.value)
        }
    }
}

/// Whether `a` is a positive integer multiple of `b` (so multiples of `a` are a subset of multiples of `b`), with
/// float tolerance.
pub(crate) fn is_multiple(a: f64, b: f64) -> bool {
    let r = a / b;
    r.is_finite() && r.round() >= 1.0 && (r - r.round()).abs() <= 1e-9 * r.abs().max(1.0)
}

/// Whether the number `x` is a multiple of `m` (zero is a multiple of everything).
fn divides(x: f64, m: f64) -> bool {
    if x == 0.0 {
        return true;
    }
    let r = x / m;
    r.is_finite() && (r - r.round()).abs() <= 1e-9 * r.abs().max(1.0)
}

fn multiple_of(view: &View<'_>) -> Result<Option<f64>, ()> {
    match view.get("multipleOf") {
        None => Ok(None),
        Some(v) => match v.as_f64() {
            Some(f) if f > 0.0 && f.is_finite() => Ok(Some(f)),
            _ => Err(()),
        },
    }
}

/// The numbers all of `views` allow, as far as bounds and `multipleOf` say (unreadable keywords are left out).
struct Numbers {
    lower: Option<(f64, bool)>,
    upper: Option<(f64, bool)>,
    multiples: Vec<f64>,
}

impl Numbers {
    fn of(views: &[View<'_>]) -> Numbers {
        let mut n = Numbers {
            lower: None,
            upper: None,
            multiples: Vec::new(),
        };
        for view in views {
            if let Ok(Some(b)) = bound(view, true) {
                let stricter = n
                    .lower
                    .is_none_or(|(v, e)| b.value > v || (b.value == v && b.exclusive && !e));
                if stricter {
                    n.lower = Some((b.value, b.exclusive));
                }
            }
            if let Ok(Some(b)) = bound(view, false) {
                let stricter = n
                    .upper
                    .is_none_or(|(v, e)| b.value < v || (b.value == v && b.exclusive && !e));
                if stricter {
                    n.upper = Some((b.value, b.exclusive));
                }
            }
            if let Ok(Some(m)) = multiple_of(view) {
                n.multiples.push(m);
            }
        }
        n
    }

    /// The smallest and largest integer in the bounds (`None` for unbounded).
    fn integer_range(&self) -> (Option<f64>, Option<f64>) {
        let lo = self
            .lower
            .map(|(v, e)| if e { v.floor() + 1.0 } else { v.ceil() });
        let hi = self
            .upper
            .map(|(v, e)| if e { v.ceil() - 1.0 } else { v.floor() });
        (lo, hi)
    }
}

/// Whether no value of type `atom` satisfies every bag's bounds.
pub(crate) fn empty_numbers(views: &[View<'_>], atom: Atom) -> bool {
    let n = Numbers::of(views);
    match atom {
        Atom::Integer => {
            let (lo, hi) = n.integer_range();
            matches!((lo, hi), (Some(a), Some(b)) if a > b)
        }
        Atom::Fraction => {
            // Multiples of a whole number are whole.
            if n.multiples.iter().any(|m| m.fract() == 0.0) {
                return true;
            }
            match (n.lower, n.upper) {
                (Some((a, ea)), Some((b, eb))) => {
                    a > b || (a == b && (ea || eb || a.fract() == 0.0))
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// The numbers of type `atom` the bags allow, when there are few enough to try each.
pub(crate) fn few_numbers(views: &[View<'_>], atom: Atom) -> Option<Vec<Value>> {
    let n = Numbers::of(views);
    match atom {
        Atom::Integer => {
            let (Some(lo), Some(hi)) = n.integer_range() else {
                return None;
            };
            if hi - lo >= FEW_NUMBERS || lo.abs() > 9.0e15 || hi.abs() > 9.0e15 {
                return None;
            }
            let (lo, hi) = (lo as i64, hi as i64);
            Some((lo..=hi).map(Value::from).collect())
        }
        Atom::Fraction => match (n.lower, n.upper) {
            (Some((a, false)), Some((b, false))) if a == b && a.fract() != 0.0 => {
                Some(vec![Value::from(a)])
            }
            _ => None,
        },
        _ => None,
    }
}

/// Whether every number of type `atom` that `left` allows is allowed by `right`'s bounds and `multipleOf`.
pub(crate) fn numbers_included(atom: Atom, left: &[View<'_>], right: &View<'_>) -> Tri {
    let (Ok(r_lower), Ok(r_upper), Ok(r_multiple)) =
        (bound(right, true), bound(right, false), multiple_of(right))
    else {
        return Tri::No;
    };
    let n = Numbers::of(left);
    if let Some(m) = r_multiple {
        let whole = atom == Atom::Integer && divides(1.0, m);
        if !whole && !n.multiples.iter().any(|l| is_multiple(*l, m)) {
            return Tri::No;
        }
    }
    Tri::from_bool(within(atom, &n, r_lower, true) && within(atom, &n, r_upper, false))
}

/// Whether the left numbers' bound on one side is within the right's `bound`.
fn within(atom: Atom, n: &Numbers, bound: Option<Bound>, lower: bool) -> bool {
    let Some(r) = bound else { return true };
    if atom == Atom::Integer {
        let (lo, hi) = n.integer_range();
        let edge = if lower { lo } else { hi };
        return edge.is_some_and(|x| admits(&r, lower, x));
    }
    let edge = if lower { n.lower } else { n.upper };
    let Some((v, exclusive)) = edge else {
        return false;
    };
    if (lower && v > r.value) || (!lower && v < r.value) {
        return true;
    }
    // At the same value: fine when the left excludes it, or it is whole (not one of these numbers anyway).
    v == r.value && (exclusive || !r.exclusive || v.fract() == 0.0)
}

/// Whether the number `x` satisfies the bound `b`.
fn admits(b: &Bound, lower: bool, x: f64) -> bool {
    match (lower, b.exclusive) {
        (true, false) => x >= b.value,
        (true, true) => x > b.value,
        (false, false) => x <= b.value,
        (false, true) => x < b.value,
    }
}

/// Whether the union of the right bags' intervals covers the left numbers (when no single bag does).
pub(crate) fn numbers_covered<'a>(
    atom: Atom,
    left: &[View<'a>],
    right: &[Item<'a>],
    engine: &Engine<'a>,
) -> Tri {
    let n = Numbers::of(left);
    // Intervals as (lower, upper) with inclusive flags; `None` is unbounded.
    let mut intervals = Vec::new();
    for item in right {
        let view = engine.view(*item);
        if values::finite(&view) || !types::admits(&view, atom, false) {
            continue;
        }
        let (Ok(lo), Ok(hi), Ok(None)) =
            (bound(&view, true), bound(&view, false), multiple_of(&view))
        else {
            continue;
        };
        intervals.push((lo, hi));
    }
    if intervals.len() < 2 {
        return Tri::No;
    }
    // Sweep from the left's lower edge: each step takes the interval reaching furthest from the current point.
    let mut at: Option<(f64, bool)> = if atom == Atom::Integer {
        n.integer_range().0.map(|x| (x, false))
    } else {
        n.lower
    };
    let goal = if atom == Atom::Integer {
        n.integer_range().1.map(|x| (x, false))
    } else {
        n.upper
    };
    for _ in 0..intervals.len() {
        let reaches = |lo: &Option<Bound>| match (lo, at) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(b), Some((x, excl))) => {
                x > b.value
                    || (x == b.value
                        && (!b.exclusive || excl || (atom == Atom::Fraction && x.fract() == 0.0)))
            }
        };
        let best = intervals
            .iter()
            .filter(|(lo, _)| reaches(lo))
            .map(|(_, hi)| *hi)
            .max_by(|a, b| match (a, b) {
                (None, None) => std::cmp::Ordering::Equal,
                (None, _) => std::cmp::Ordering::Greater,
                (_, None) => std::cmp::Ordering::Less,
                (Some(a), Some(b)) => a
                    .value
                    .total_cmp(&b.value)
                    .then((!a.exclusive).cmp(&!b.exclusive)),
            });
        let Some(hi) = best else { return Tri::No };
        let Some(hi) = hi else { return Tri::Yes };
        if let Some((g, g_excl)) = goal
            && (hi.value > g
                || (hi.value == g
                    && (!hi.exclusive || g_excl || (atom == Atom::Fraction && g.fract() == 0.0))))
        {
            return Tri::Yes;
        }
        at = Some(if atom == Atom::Integer {
            (
                if hi.exclusive {
                    hi.value.ceil()
                } else {
                    hi.value.floor() + 1.0
                },
                false,
            )
        } else {
            (hi.value, !hi.exclusive)
        });
    }
    Tri::No
}

/// Whether a number satisfies the bag's bounds and `multipleOf` (anything else passes).
pub(crate) fn accepts(view: &View<'_>, value: &Value) -> Tri {
    let Some(x) = value.as_f64() else {
        return Tri::Yes;
    };
    let (Ok(lower), Ok(upper), Ok(multiple)) =
        (bound(view, true), bound(view, false), multiple_of(view))
    else {
        return Tri::Unknown;
    };
    let ok = lower.is_none_or(|b| admits(&b, true, x))
        && upper.is_none_or(|b| admits(&b, false, x))
        && multiple.is_none_or(|m| divides(x, m));
    Tri::from_bool(ok)
}

/// Reads a count keyword (`minLength`, …): `Err` when malformed.
pub(crate) fn count(view: &View<'_>, keyword: &str) -> Result<Option<f64>, ()> {
    match view.get(keyword) {
        None => Ok(None),
        Some(v) => v.as_f64().filter(|f| f.is_finite()).map(Some).ok_or(()),
    }
}

/// The tightest of one count keyword over several bags (max of minimums, min of maximums), unreadable ones left out.
pub(crate) fn tightest(views: &[View<'_>], keyword: &str, lower: bool) -> Option<f64> {
    views
        .iter()
        .filter_map(|v| count(v, keyword).ok().flatten())
        .reduce(|a, b| if lower { a.max(b) } else { a.min(b) })
}

/// Checks a count the left side allows (a length, a number of items or properties, from `lo` up to `hi`, `None`
/// for no upper bound) against the right side's `min_kw`/`max_kw`: `Some(Yes)` when the left allows no count at all,
/// `Some(No)` when the right's bounds cut into the range (or cannot be read), `None` when they allow all of it and
/// the caller goes on with the other keywords.
pub(crate) fn counts_included(
    lo: f64,
    hi: Option<f64>,
    right: &View<'_>,
    min_kw: &str,
    max_kw: &str,
) -> Option<Tri> {
    if hi.is_some_and(|h| h < lo || h < 0.0) {
        return Some(Tri::Yes);
    }
    let (Ok(r_min), Ok(r_max)) = (count(right, min_kw), count(right, max_kw)) else {
        return Some(Tri::No);
    };
    if r_min.is_some_and(|m| m > lo) || r_max.is_some_and(|m| hi.is_none_or(|h| h > m)) {
        return Some(Tri::No);
    }
    None
}

impl<'a> Differ<'a> {
    pub(crate) fn cmp_bounds(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str) {
        for lower in [true, false] {
            let (inc_kw, exc_kw, what) = if lower {
                ("minimum", "exclusiveMinimum", "lower bound")
            } else {
                ("maximum", "exclusiveMaximum", "upper bound")
            };
            let (Ok(a), Ok(b)) = (bound(ov, lower), bound(nv, lower)) else {
                for kw in [inc_kw, exc_kw] {
                    self.opaque_change(kw, ov.get(kw), nv.get(kw), ptr);
                }
                continue;
            };
            let (a_val, b_val) = (
                a.map(|x| (x.value, x.exclusive)),
                b.map(|x| (x.value, x.exclusive)),
            );
            if a_val == b_val {
                continue;
            }
            let tightened = match (&a, &b) {
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(x), Some(y)) => tighter(lower, y, x),
                (None, None) => continue,
            };
            // Point at the keyword that carries the new bound; when only exclusivity flipped, that is the
            // exclusive keyword.
            let keyword = match (&a, &b) {
                (Some(x), Some(y)) if x.value == y.value => exc_kw,
                (_, Some(y)) => y.keyword,
                (Some(x), None) => x.keyword,
                (None, None) => continue,
            };
            let (kind, effect, verb) = if tightened {
                (SchemaKind::ConstraintTightened, NARROWING, "tightened")
            } else {
                (SchemaKind::ConstraintLoosened, WIDENING, "loosened")
            };
            self.push(
                at(ptr, keyword),
                kind,
                effect,
                ov.get(keyword),
                nv.get(keyword),
                format!(
                    "{what} {verb} from {} to {}",
                    show_bound(lower, a.as_ref()),
                    show_bound(lower, b.as_ref())
                ),
            );
        }
        self.cmp_multiple_of(ov, nv, ptr);
        self.cmp_unique_items(ov, nv, ptr);
    }

    fn cmp_multiple_of(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str) {
        let (ro, rn) = (ov.get("multipleOf"), nv.get("multipleOf"));
        match (multiple_of(ov), multiple_of(nv)) {
            (Ok(a), Ok(b)) => {
                let (kind, effect, verb) = match (a, b) {
                    (None, None) => return,
                    (Some(x), Some(y)) if x == y => return,
                    (None, Some(_)) => (SchemaKind::ConstraintTightened, NARROWING, "tightened"),
                    (Some(_), None) => (SchemaKind::ConstraintLoosened, WIDENING, "loosened"),
                    (Some(x), Some(y)) if is_multiple(y, x) => {
                        (SchemaKind::ConstraintTightened, NARROWING, "tightened")
                    }
                    (Some(x), Some(y)) if is_multiple(x, y) => {
                        (SchemaKind::ConstraintLoosened, WIDENING, "loosened")
                    }
                    (Some(_), Some(_)) => (SchemaKind::ConstraintChanged, CHANGED, "changed"),
                };
                self.push(
                    at(ptr, "multipleOf"),
                    kind,
                    effect,
                    ro,
                    rn,
                    format!("`multipleOf` {verb} from {} to {}", short(ro), short(rn)),
                );
            }
            _ => self.opaque_change("multipleOf", ro, rn, ptr),
        }
    }

    fn cmp_unique_items(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str) {
        let (ro, rn) = (ov.get("uniqueItems"), nv.get("uniqueItems"));
        let parse = |v: Option<&Value>| match v {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(()),
        };
        match (parse(ro), parse(rn)) {
            (Ok(false), Ok(true)) => self.push(
                at(ptr, "uniqueItems"),
                SchemaKind::ConstraintTightened,
                NARROWING,
                ro,
                rn,
                "array items must now be unique".to_owned(),
            ),
            (Ok(true), Ok(false)) => self.push(
                at(ptr, "uniqueItems"),
                SchemaKind::ConstraintLoosened,
                WIDENING,
                ro,
                rn,
                "array items no longer need to be unique".to_owned(),
            ),
            (Ok(_), Ok(_)) => {}
            _ => self.opaque_change("uniqueItems", ro, rn, ptr),
        }
    }

    pub(crate) fn cmp_counts(&mut self, ov: &View<'a>, nv: &View<'a>, ptr: &str) {
        for &(keyword, lower) in COUNTS {
            let (ro, rn) = (ov.get(keyword), nv.get(keyword));
            // A missing minimum is 0 and a missing maximum is unbounded, so `minLength: 0` and no `minLength` are
            // the same constraint.
            let parse = |v: Option<&Value>| match v {
                None if lower => Some(0.0),
                None => Some(f64::INFINITY),
                Some(v) => v.as_f64().map(|f| if lower { f.max(0.0) } else { f }),
            };
            let (Some(a), Some(b)) = (parse(ro), parse(rn)) else {
                self.opaque_change(keyword, ro, rn, ptr);
                continue;
            };
            if a == b {
                continue;
            }
            let (kind, effect, verb) = if (lower && b > a) || (!lower && b < a) {
                (SchemaKind::ConstraintTightened, NARROWING, "tightened")
            } else {
                (SchemaKind::ConstraintLoosened, WIDENING, "loosened")
            };
            self.push(
                at(ptr, keyword),
                kind,
                effect,
                ro,
                rn,
                format!("`{keyword}` {verb} from {} to {}", short(ro), short(rn)),
            );
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::super::testkit::{Case, case, check_cases, same_both};
    use serde_json::json;

    pub(crate) fn cases() -> Vec<Case> {
        vec![
            same_both(
                "zero_min_length_vs_absent",
                json!({ "minLength": 0 }),
                json!({}),
            ),
            same_both(
                "draft04_vs_draft06_exclusive_minimum",
                json!({ "minimum": 5, "exclusiveMinimum": true }),
                json!({ "exclusiveMinimum": 5 }),
            ),
            same_both(
                "integer_bounds_rounded_to_whole_numbers",
                json!({ "type": "integer", "minimum": 0.5, "maximum": 100 }),
                json!({ "type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 100.5 }),
            ),
            same_both(
                "two_halves_cover_the_line",
                json!({ "type": "number" }),
                json!({ "anyOf": [{ "type": "number", "maximum": 0 }, { "type": "number", "minimum": 0 }] }),
            ),
            case(
                "max_length_decreased",
                json!({ "maxLength": 100 }),
                json!({ "maxLength": 50 }),
                &[("/maxLength", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "max_length_increased",
                json!({ "maxLength": 50 }),
                json!({ "maxLength": 100 }),
                &[("/maxLength", "constraint-loosened")],
                false,
                true,
            ),
            case(
                "min_length_increased",
                json!({ "minLength": 1 }),
                json!({ "minLength": 2 }),
                &[("/minLength", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "minimum_raised",
                json!({ "minimum": 1 }),
                json!({ "minimum": 2 }),
                &[("/minimum", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "maximum_lowered",
                json!({ "maximum": 10 }),
                json!({ "maximum": 9.5 }),
                &[("/maximum", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "maximum_removed",
                json!({ "maximum": 10 }),
                json!({}),
                &[("/maximum", "constraint-loosened")],
                false,
                true,
            ),
            case(
                "integer_maximum_moved_between_whole_numbers",
                json!({ "type": "integer", "maximum": 10, "title": "a" }),
                json!({ "type": "integer", "maximum": 10.5, "title": "b" }),
                &[("/title", "title-changed")],
                false,
                false,
            ),
            case(
                "draft04_exclusive_minimum_switched_on",
                json!({ "minimum": 5 }),
                json!({ "minimum": 5, "exclusiveMinimum": true }),
                &[("/exclusiveMinimum", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "draft06_exclusive_maximum_made_inclusive",
                json!({ "exclusiveMaximum": 10 }),
                json!({ "maximum": 10 }),
                &[("/exclusiveMaximum", "constraint-loosened")],
                false,
                true,
            ),
            case(
                "draft06_exclusive_minimum_raised",
                json!({ "exclusiveMinimum": 1 }),
                json!({ "exclusiveMinimum": 2 }),
                &[("/exclusiveMinimum", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "max_items_decreased",
                json!({ "maxItems": 3 }),
                json!({ "maxItems": 2 }),
                &[("/maxItems", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "min_items_increased",
                json!({ "minItems": 0 }),
                json!({ "minItems": 1 }),
                &[("/minItems", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "unique_items_added",
                json!({}),
                json!({ "uniqueItems": true }),
                &[("/uniqueItems", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "unique_items_dropped",
                json!({ "uniqueItems": true }),
                json!({ "uniqueItems": false }),
                &[("/uniqueItems", "constraint-loosened")],
                false,
                true,
            ),
            case(
                "multiple_of_to_a_multiple",
                json!({ "multipleOf": 2 }),
                json!({ "multipleOf": 4 }),
                &[("/multipleOf", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "multiple_of_to_a_divisor",
                json!({ "multipleOf": 0.5 }),
                json!({ "multipleOf": 0.25 }),
                &[("/multipleOf", "constraint-loosened")],
                false,
                true,
            ),
            case(
                "multiple_of_unrelated",
                json!({ "multipleOf": 2 }),
                json!({ "multipleOf": 3 }),
                &[("/multipleOf", "constraint-changed")],
                true,
                true,
            ),
            case(
                "multiple_of_one_added_to_an_integer",
                json!({ "type": "integer", "title": "a" }),
                json!({ "type": "integer", "multipleOf": 1, "title": "b" }),
                &[("/title", "title-changed")],
                false,
                false,
            ),
            case(
                "min_properties_raised",
                json!({ "minProperties": 1 }),
                json!({ "minProperties": 2 }),
                &[("/minProperties", "constraint-tightened")],
                true,
                false,
            ),
            case(
                "max_properties_raised",
                json!({ "maxProperties": 1 }),
                json!({ "maxProperties": 2 }),
                &[("/maxProperties", "constraint-loosened")],
                false,
                true,
            ),
            case(
                "bounds_on_a_string_are_moot",
                json!({ "type": "string", "maximum": 3, "title": "a" }),
                json!({ "type": "string", "maximum": 1, "title": "b" }),
                &[("/title", "title-changed")],
                false,
                false,
            ),
        ]
    }

    #[test]
    fn bound_cases_give_exact_kinds_pointers_and_verdicts_in_both_directions() {
        check_cases(&cases());
    }
}
