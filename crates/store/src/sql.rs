//! Small helpers for statements: placeholder lists, reads over a list of ids, flags,
//! not-found errors.

use playgate_core::{Entity, Error, Result};

use crate::SqlStore;
use crate::exec::{FromRow, P};

/// `$from, $from+1, …` for `n` values.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

impl SqlStore {
    /// Every row of a read over a list of ids: `sql` is given the placeholders of `ids`
    /// (`$n, $n+1, …`, after those of `leading`) and runs with `leading` then `ids`. Without
    /// ids, no rows and no statement.
    pub(crate) async fn read_in<R: FromRow>(
        &self,
        leading: &[P<'_>],
        ids: &[i64],
        sql: impl FnOnce(&str) -> String,
    ) -> Result<Vec<R>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = sql(&placeholders(leading.len() + 1, ids.len()));
        let ps: Vec<P> = leading.iter().cloned().chain(ids.iter().map(|&i| P::I64(i))).collect();
        self.read_all(&sql, &ps).await
    }
}

pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

pub(crate) fn not_found(what: Entity) -> impl FnOnce() -> Error {
    move || Error::NotFound(what)
}
