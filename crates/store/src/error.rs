//! Database failures as domain errors.

use playgate_core::Entity;
use playgate_core::{ConstraintKind, Error};

/// Seconds a client is told to wait while the database is unreachable: the store checks
/// for its return several times a second, so one second is enough.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 1;

/// The error of a database that cannot be reached.
pub fn unavailable() -> Error {
    Error::Unavailable {
        retry_after_secs: UNAVAILABLE_RETRY_AFTER_SECS,
    }
}

/// Maps a sqlx error: a unique or foreign-key violation is a `Constraint` named by
/// [`pg_constraint`], a missing row `NotFound`, a
/// database that cannot be reached (no connection within the acquire timeout, a broken
/// connection, the server shutting down) `Unavailable`, the rest an internal fault carrying
/// its cause (logged at the response boundary).
pub fn db_err(e: sqlx::Error) -> Error {
    use crate::metrics::{ErrorKind, count_error};
    match &e {
        sqlx::Error::RowNotFound => {}
        sqlx::Error::Database(d) if d.is_unique_violation() || d.is_foreign_key_violation() => {
            count_error(ErrorKind::Conflict);
        }
        sqlx::Error::Database(_) => count_error(ErrorKind::Database),
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
            count_error(ErrorKind::Connection);
        }
        _ => count_error(ErrorKind::Other),
    }
    match e {
        sqlx::Error::RowNotFound => Error::NotFound(Entity::Row),
        sqlx::Error::Database(d) if d.is_unique_violation() || d.is_foreign_key_violation() => pg_constraint(&*d),
        // SQLSTATE class 08: connection exception; 57P01..57P03: the server is shutting down
        // or not accepting connections yet.
        sqlx::Error::Database(d) if d.code().is_some_and(|c| c.starts_with("08") || c.starts_with("57P")) => {
            tracing::warn!(error = %d, "database unavailable");
            unavailable()
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => {
            tracing::warn!(error = %e, "database unavailable");
            unavailable()
        }
        other => Error::internal(other),
    }
}

/// A unique or foreign-key violation on PostgreSQL as the constraint it broke, which
/// PostgreSQL names. The one place that reads it for PostgreSQL.
fn pg_constraint(d: &dyn sqlx::error::DatabaseError) -> Error {
    Error::Constraint {
        kind: if d.is_unique_violation() {
            ConstraintKind::Unique
        } else {
            ConstraintKind::ForeignKey
        },
        name: d.constraint().unwrap_or_default().to_owned(),
    }
}
