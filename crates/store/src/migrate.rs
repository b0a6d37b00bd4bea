//! SQLite migrations over rusqlite, compatible with the databases sqlx's migrator made
//! before: the same `_sqlx_migrations` table (version, description, success, SHA-384
//! checksum of the file, execution time), so an existing database upgrades in place with
//! only the migrations it lacks. As sqlx did, a migration whose file changed after it was
//! applied, an applied migration this binary does not know, or one that failed half-way
//! stops the start instead of guessing.
//!
//! The migration files themselves are embedded by `sqlx::migrate!` (which reads the files
//! and computes the checksums at compile time; no SQLite driver involved).

use std::path::Path;
use std::time::Instant;

use playgate_core::{Error, Result};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

/// The bookkeeping table, as sqlx creates it on SQLite.
const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
)";

fn failed(e: impl std::fmt::Display) -> Error {
    Error::internal(format!("migration failed: {e}"))
}

/// Applies the migrations of `migrator` that the database at `path` lacks.
pub(crate) fn run(path: &Path, migrator: &sqlx::migrate::Migrator) -> Result<()> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags).map_err(failed)?;
    conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(failed)?;
    conn.execute_batch("PRAGMA foreign_keys = ON").map_err(failed)?;
    apply(&mut conn, migrator)
}

fn apply(conn: &mut Connection, migrator: &sqlx::migrate::Migrator) -> Result<()> {
    conn.execute_batch(CREATE_TABLE).map_err(failed)?;
    let dirty: Option<i64> = conn
        .query_row(
            "SELECT version FROM _sqlx_migrations WHERE success = FALSE ORDER BY version LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(failed)?;
    if let Some(v) = dirty {
        return Err(failed(format!(
            "migration {v} is partially applied; fix the database by hand"
        )));
    }
    let applied: Vec<(i64, Vec<u8>)> = {
        let mut st = conn
            .prepare("SELECT version, checksum FROM _sqlx_migrations ORDER BY version")
            .map_err(failed)?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(failed)?;
        rows.collect::<rusqlite::Result<_>>().map_err(failed)?
    };
    let known: Vec<_> = migrator.iter().filter(|m| m.migration_type.is_up_migration()).collect();
    for (version, checksum) in &applied {
        match known.iter().find(|m| m.version == *version) {
            None => {
                return Err(failed(format!(
                    "migration {version} was applied but is unknown to this binary"
                )));
            }
            Some(m) if m.checksum.as_ref() != checksum.as_slice() => {
                return Err(failed(format!("migration {version} was changed after it was applied")));
            }
            Some(_) => {}
        }
    }
    for m in known {
        if applied.iter().any(|(v, _)| *v == m.version) {
            continue;
        }
        let started = Instant::now();
        let apply = |c: &Connection| {
            c.execute_batch(&m.sql)
                .map_err(|e| failed(format!("{} {}: {e}", m.version, m.description)))
        };
        if m.no_tx {
            // As sqlx: a migration marked `-- no-transaction` runs outside one.
            apply(conn)?;
            record(conn, m, started)?;
        } else {
            let tx = conn.transaction().map_err(failed)?;
            apply(&tx)?;
            record(&tx, m, started)?;
            tx.commit().map_err(failed)?;
        }
    }
    Ok(())
}

/// Records an applied migration as sqlx does.
fn record(c: &Connection, m: &sqlx::migrate::Migration, started: Instant) -> Result<()> {
    c.execute(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (?1, ?2, TRUE, ?3, ?4)",
        params![
            m.version,
            m.description.as_ref(),
            m.checksum.as_ref(),
            i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX)
        ],
    )
    .map(drop)
    .map_err(failed)
}
