//! The rules, one file per keyword family: each says how its keywords change (the records the walk pushes), how
//! one bag of them includes another (what the inclusion engine asks), and whether a value satisfies them (what the
//! evaluator asks). Direction is never a file: every rule carries its `Effect` for both.

pub(crate) mod arrays;
pub(crate) mod bounds;
pub(crate) mod combinators;
pub(crate) mod objects;
pub(crate) mod opaque;
pub(crate) mod strings;
pub(crate) mod types;
pub(crate) mod values;
