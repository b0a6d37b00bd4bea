//! Database failures as domain errors.

use playgate_core::{ConstraintKind, Entity, Error};

/// Seconds a client is told to wait while the database is unreachable: the store checks
/// for its return several times a second, so one second is enough.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 1;

/// The error of a database that cannot be reached.
pub fn unavailable() -> Error {
    Error::Unavailable {
        retry_after_secs: UNAVAILABLE_RETRY_AFTER_SECS,
    }
}

/// Whether a PostgreSQL error means the database cannot be reached: a closed connection,
/// an I/O failure, SQLSTATE class 08 (connection exception) or 57P01..57P03 (the server is
/// shutting down or not accepting connections yet).
fn pg_unreachable(e: &tokio_postgres::Error) -> bool {
    use std::error::Error as _;
    e.is_closed()
        || e.code()
            .is_some_and(|c| c.code().starts_with("08") || c.code().starts_with("57P"))
        || e.source().is_some_and(|s| s.is::<std::io::Error>())
}

/// Maps a tokio-postgres error: a unique or foreign-key violation is a `Constraint` named
/// by [`pg_constraint`], a database that cannot be reached (see [`pg_unreachable`])
/// `Unavailable`, the rest an internal fault carrying its cause (logged at the response
/// boundary).
pub fn db_err(e: tokio_postgres::Error) -> Error {
    use crate::metrics::{ErrorKind, count_error};
    if let Some(c) = e.as_db_error().and_then(pg_constraint) {
        count_error(ErrorKind::Conflict);
        return c;
    }
    if pg_unreachable(&e) {
        count_error(ErrorKind::Connection);
        tracing::warn!(error = %e, "database unavailable");
        return unavailable();
    }
    count_error(if e.as_db_error().is_some() {
        ErrorKind::Database
    } else {
        ErrorKind::Other
    });
    Error::internal(e)
}

/// Maps a failure to take a connection from the PostgreSQL pool: none within the acquire
/// timeout, none could be opened, or the pool is closed; all mean `Unavailable`.
pub(crate) fn pool_err(e: deadpool_postgres::PoolError) -> Error {
    use crate::metrics::{ErrorKind, count_error};
    count_error(ErrorKind::Connection);
    tracing::warn!(error = %e, "database unavailable");
    unavailable()
}

/// A unique or foreign-key violation on PostgreSQL as the constraint it broke, which
/// PostgreSQL names; `None` for any other error. The one place that reads it for PostgreSQL.
fn pg_constraint(d: &tokio_postgres::error::DbError) -> Option<Error> {
    use tokio_postgres::error::SqlState;
    let kind = match d.code() {
        c if *c == SqlState::UNIQUE_VIOLATION => ConstraintKind::Unique,
        c if *c == SqlState::FOREIGN_KEY_VIOLATION => ConstraintKind::ForeignKey,
        _ => return None,
    };
    Some(Error::Constraint {
        kind,
        name: d.constraint().unwrap_or_default().to_owned(),
    })
}

/// Maps a rusqlite error like [`crate::db_err`] maps tokio-postgres's: a unique violation is a
/// `Conflict`, the rest an internal fault.
pub(crate) fn lite_err(e: rusqlite::Error) -> Error {
    use crate::metrics::{ErrorKind, count_error};
    if let rusqlite::Error::QueryReturnedNoRows = e {
        return Error::NotFound(Entity::Row);
    }
    if let Some(c) = lite_constraint(&e) {
        count_error(ErrorKind::Conflict);
        return c;
    }
    count_error(match &e {
        rusqlite::Error::SqliteFailure(..) => ErrorKind::Database,
        _ => ErrorKind::Other,
    });
    Error::internal(e)
}

/// A unique or foreign-key violation on SQLite as the constraint it broke, named as
/// PostgreSQL names it: SQLite reports only the columns of a unique key (`UNIQUE
/// constraint failed: t.a, t.b`), from which PostgreSQL's default name of that key follows
/// (`t_a_b_key`; a primary key is `t_pkey`), and nothing about a foreign key (the name is
/// then empty). The one place that reads SQLite's message.
fn lite_constraint(e: &rusqlite::Error) -> Option<Error> {
    use rusqlite::ffi;
    let rusqlite::Error::SqliteFailure(f, msg) = e else {
        return None;
    };
    let primary = match f.extended_code {
        ffi::SQLITE_CONSTRAINT_PRIMARYKEY => true,
        ffi::SQLITE_CONSTRAINT_UNIQUE => false,
        ffi::SQLITE_CONSTRAINT_FOREIGNKEY => {
            return Some(Error::Constraint {
                kind: ConstraintKind::ForeignKey,
                name: String::new(),
            });
        }
        _ => return None,
    };
    let cols = msg.as_deref()?.strip_prefix("UNIQUE constraint failed: ")?;
    let mut table = "";
    let mut name = String::new();
    for col in cols.split(", ") {
        let (t, c) = col.split_once('.')?;
        if table.is_empty() {
            table = t;
            name.push_str(t);
        }
        if !primary {
            name.push('_');
            name.push_str(c);
        }
    }
    name.push_str(if primary { "_pkey" } else { "_key" });
    Some(Error::Constraint {
        kind: ConstraintKind::Unique,
        name,
    })
}
