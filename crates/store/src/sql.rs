//! Small helpers for statements: placeholder lists, flags, not-found errors.

use playgate_core::{Entity, Error};

/// `$from, $from+1, …` for `n` values.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

pub(crate) fn not_found(what: Entity) -> impl FnOnce() -> Error {
    move || Error::NotFound(what)
}
