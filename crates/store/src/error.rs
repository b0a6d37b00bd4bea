//! Database failures as domain errors.

use playgate_core::Error;

/// Maps a sqlx error: a unique violation is a `Conflict`, a missing row `NotFound`, the
/// rest an internal fault carrying its cause (logged at the response boundary).
pub fn db_err(e: sqlx::Error) -> Error {
    use crate::metrics::{ErrorKind, count_error};
    match &e {
        sqlx::Error::RowNotFound => {}
        sqlx::Error::Database(d) if d.is_unique_violation() => count_error(ErrorKind::Conflict),
        sqlx::Error::Database(_) => count_error(ErrorKind::Database),
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
            count_error(ErrorKind::Connection);
        }
        _ => count_error(ErrorKind::Other),
    }
    match e {
        sqlx::Error::RowNotFound => Error::NotFound("row"),
        sqlx::Error::Database(d) if d.is_unique_violation() => Error::Conflict(format!(
            "already exists{}",
            d.constraint().map(|c| format!(" ({c})")).unwrap_or_default()
        )),
        other => Error::internal(other),
    }
}
