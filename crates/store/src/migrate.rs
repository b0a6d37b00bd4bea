//! Migrations for both backends, compatible with the databases sqlx's migrator made before:
//! the same `_sqlx_migrations` table (version, description, success, SHA-384 checksum of the
//! file, execution time), so an existing database upgrades in place with only the
//! migrations it lacks. As sqlx did, a migration whose file changed after it was applied,
//! an applied migration this binary does not know, or one that failed half-way stops the
//! start instead of guessing; each migration runs in a transaction with its record (unless
//! its file starts with `-- no-transaction`); and on PostgreSQL an advisory lock (sqlx's own
//! key, so a node of an older release waits too) keeps two nodes starting together from
//! both migrating.
//!
//! The migration files are embedded at build time (`build.rs`).

use std::path::Path;
use std::time::Instant;

use playgate_core::{Error, Result};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use sha2::Digest as _;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
}

/// One migration file.
#[derive(Debug, Clone)]
pub struct Migration {
    /// Its version, the file name's number.
    pub version: i64,
    /// The rest of the file name, underscores as spaces (as sqlx recorded it).
    pub description: String,
    /// The SQL.
    pub sql: &'static str,
    /// SHA-384 of the SQL.
    pub checksum: Vec<u8>,
    /// Whether it runs outside a transaction (its file starts with `-- no-transaction`).
    pub no_tx: bool,
}

/// The migrations of a backend (`sqlite` or `postgres`), in version order.
pub fn migrations(backend: &str) -> Vec<Migration> {
    let files = if backend == "sqlite" {
        embedded::SQLITE
    } else {
        embedded::POSTGRES
    };
    files
        .iter()
        .filter_map(|&(file, sql)| {
            // `NNNN_description.sql`, as sqlx read them; build.rs lists only `.sql` files.
            let (version, rest) = file.split_once('_')?;
            Some(Migration {
                version: version.parse().ok()?,
                description: rest.trim_end_matches(".sql").replace('_', " "),
                sql,
                checksum: sha2::Sha384::digest(sql.as_bytes()).to_vec(),
                no_tx: sql.starts_with("-- no-transaction"),
            })
        })
        .collect()
}

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
pub(crate) fn run_sqlite(path: &Path) -> Result<()> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags).map_err(failed)?;
    conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(failed)?;
    conn.execute_batch("PRAGMA foreign_keys = ON").map_err(failed)?;
    apply(&mut conn, &migrations("sqlite"))
}

fn apply(conn: &mut Connection, known: &[Migration]) -> Result<()> {
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
    check(known, &applied)?;
    for m in known {
        if applied.iter().any(|(v, _)| *v == m.version) {
            continue;
        }
        let started = Instant::now();
        let apply = |c: &Connection| {
            c.execute_batch(m.sql)
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
fn record(c: &Connection, m: &Migration, started: Instant) -> Result<()> {
    c.execute(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (?1, ?2, TRUE, ?3, ?4)",
        params![
            m.version,
            m.description,
            m.checksum,
            i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX)
        ],
    )
    .map(drop)
    .map_err(failed)
}

/// Refuses applied migrations this binary does not know or whose file changed since.
fn check(known: &[Migration], applied: &[(i64, Vec<u8>)]) -> Result<()> {
    for (version, checksum) in applied {
        match known.iter().find(|m| m.version == *version) {
            None => {
                return Err(failed(format!(
                    "migration {version} was applied but is unknown to this binary"
                )));
            }
            Some(m) if m.checksum != *checksum => {
                return Err(failed(format!("migration {version} was changed after it was applied")));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The bookkeeping table, as sqlx creates it on PostgreSQL.
const PG_CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL
)";

/// sqlx's advisory-lock key for a database: `0x3d32ad9e` times the CRC-32 (IEEE) of its
/// name. The same key as sqlx's, so that during an upgrade a node still on sqlx and one on
/// this runner exclude each other too.
fn pg_lock_id(database: &str) -> i64 {
    let mut crc = !0u32;
    for &b in database.as_bytes() {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    0x3d32_ad9e * i64::from(!crc)
}

/// Applies the PostgreSQL migrations the database lacks, on `client` (a connection of its
/// own: the advisory lock belongs to the session), holding the advisory lock throughout.
pub(crate) async fn run_postgres(client: &mut tokio_postgres::Client) -> Result<()> {
    let database: String = client
        .query_one("SELECT current_database()", &[])
        .await
        .and_then(|r| r.try_get(0))
        .map_err(failed)?;
    let lock = pg_lock_id(&database);
    client
        .execute("SELECT pg_advisory_lock($1)", &[&lock])
        .await
        .map_err(failed)?;
    let res = pg_apply(client, &migrations("postgres")).await;
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&lock]).await;
    res?;
    unlocked.map(drop).map_err(failed)
}

async fn pg_apply(client: &mut tokio_postgres::Client, known: &[Migration]) -> Result<()> {
    client.batch_execute(PG_CREATE_TABLE).await.map_err(failed)?;
    let dirty = client
        .query_opt(
            "SELECT version FROM _sqlx_migrations WHERE success = FALSE ORDER BY version LIMIT 1",
            &[],
        )
        .await
        .map_err(failed)?;
    if let Some(row) = dirty {
        let v: i64 = row.try_get(0).map_err(failed)?;
        return Err(failed(format!(
            "migration {v} is partially applied; fix the database by hand"
        )));
    }
    let applied = client
        .query("SELECT version, checksum FROM _sqlx_migrations ORDER BY version", &[])
        .await
        .map_err(failed)?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<std::result::Result<Vec<(i64, Vec<u8>)>, tokio_postgres::Error>>()
        .map_err(failed)?;
    check(known, &applied)?;
    const RECORD: &str = "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                          VALUES ($1, $2, TRUE, $3, $4)";
    for m in known {
        if applied.iter().any(|(v, _)| *v == m.version) {
            continue;
        }
        let started = Instant::now();
        let what = |e: tokio_postgres::Error| failed(format!("{} {}: {e}", m.version, m.description));
        let elapsed = || i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX);
        if m.no_tx {
            // As sqlx: a migration marked `-- no-transaction` runs outside one.
            client.batch_execute(m.sql).await.map_err(what)?;
            client
                .execute(RECORD, &[&m.version, &m.description, &m.checksum, &elapsed()])
                .await
                .map_err(failed)?;
        } else {
            let tx = client.transaction().await.map_err(failed)?;
            tx.batch_execute(m.sql).await.map_err(what)?;
            tx.execute(RECORD, &[&m.version, &m.description, &m.checksum, &elapsed()])
                .await
                .map_err(failed)?;
            tx.commit().await.map_err(failed)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_id_is_sqlx_s() {
        // CRC-32 (IEEE) of "123456789" is 0xCBF43926, the standard check value.
        assert_eq!(pg_lock_id("123456789"), 0x3d32_ad9e * 0xCBF4_3926);
    }

    #[test]
    fn migrations_are_embedded_in_order() {
        let m = migrations("postgres");
        assert!(m.len() >= 7);
        assert!(m.windows(2).all(|w| w[0].version < w[1].version));
        assert_eq!(m[0].description, "init");
    }
}
