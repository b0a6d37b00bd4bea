//! Playgate's store: the core's [`Store`] contract implemented once with sqlx, for SQLite
//! (the embedded default) and PostgreSQL (several nodes).
//!
//! Each query is written once: sqlx's SQLite driver accepts PostgreSQL's `$1` placeholders,
//! so [`on_pool!`] expands the same code for whichever pool is configured. SQLite gets one
//! writer connection (SQLite admits one writer at a time; a queue in the pool is fairer and
//! cheaper than many connections spinning on `SQLITE_BUSY`) and a pool of readers (WAL).

mod error;
mod gamefuse_impl;
mod gamefuse_rows;
mod rows;
mod store_impl;
pub mod testing;

use std::str::FromStr;
use std::time::Duration;

use playgate_core::{Error, Result};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub use error::db_err;

/// Migrations per backend; their version lists are identical (checked by a test).
pub static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
/// See [`SQLITE_MIGRATIONS`].
pub static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How to open the database.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// `sqlite://path` or `postgres://…`.
    pub url: String,
    /// Maximum connections (PostgreSQL pool; SQLite readers).
    pub max_connections: u32,
    /// SQLite `synchronous`: `full` (every commit is on disk before it is acknowledged;
    /// the default) or `normal` (WAL default: survives a crash of Playgate, not of the OS).
    pub sqlite_synchronous: String,
}

impl StoreOptions {
    /// Options for a URL with default pool settings.
    pub fn new(url: impl Into<String>) -> Self {
        StoreOptions {
            url: url.into(),
            max_connections: 16,
            sqlite_synchronous: "full".into(),
        }
    }
}

pub(crate) enum Db {
    Sqlite { read: SqlitePool, write: SqlitePool },
    Postgres(PgPool),
}

/// The sqlx store.
pub struct SqlStore {
    pub(crate) db: Db,
}

/// Runs `$body` with `$pool` bound to the configured pool: for SQLite the `read` or `write`
/// pool as named, for PostgreSQL its one pool. The body is compiled once per backend.
macro_rules! on_pool {
    ($self:expr, $mode:ident, |$pool:ident| $body:expr) => {
        match &$self.db {
            $crate::Db::Sqlite { $mode: $pool, .. } => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

impl SqlStore {
    /// Opens (creating a SQLite file if needed) and migrates.
    pub async fn open(opts: &StoreOptions) -> Result<Self> {
        let store = Self::connect(opts).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens without migrating.
    pub async fn connect(opts: &StoreOptions) -> Result<Self> {
        let url = opts.url.as_str();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let co = PgConnectOptions::from_str(url).map_err(|e| Error::invalid("database_url", e))?;
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(co)
                .await
                .map_err(|e| Error::internal(format!("cannot connect to PostgreSQL: {e}")))?;
            Ok(SqlStore { db: Db::Postgres(pool) })
        } else if url.starts_with("sqlite:") {
            let sync = match opts.sqlite_synchronous.as_str() {
                "full" => SqliteSynchronous::Full,
                "normal" => SqliteSynchronous::Normal,
                other => {
                    return Err(Error::invalid(
                        "sqlite_synchronous",
                        format!("{other:?} is not full or normal"),
                    ));
                }
            };
            let co = SqliteConnectOptions::from_str(url)
                .map_err(|e| Error::invalid("database_url", e))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(sync)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(co.clone())
                .await
                .map_err(|e| Error::internal(format!("cannot open SQLite database: {e}")))?;
            let read = SqlitePoolOptions::new()
                .max_connections(opts.max_connections.max(1))
                .connect_with(co.read_only(true))
                .await
                .map_err(|e| Error::internal(format!("cannot open SQLite database: {e}")))?;
            Ok(SqlStore {
                db: Db::Sqlite { read, write },
            })
        } else {
            Err(Error::invalid("database_url", "must start with sqlite: or postgres://"))
        }
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<()> {
        let res = match &self.db {
            Db::Sqlite { write, .. } => SQLITE_MIGRATIONS.run(write).await,
            Db::Postgres(pg) => POSTGRES_MIGRATIONS.run(pg).await,
        };
        res.map_err(|e| Error::internal(format!("migration failed: {e}")))
    }

    /// Which backend this is: `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self.db {
            Db::Sqlite { .. } => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Closes the pools, waiting for connections to be returned.
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pg) => pg.close().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_versions_match() {
        let v = |m: &sqlx::migrate::Migrator| {
            m.iter()
                .map(|m| (m.version, m.description.to_string()))
                .collect::<Vec<_>>()
        };
        assert!(!v(&SQLITE_MIGRATIONS).is_empty());
        assert_eq!(v(&SQLITE_MIGRATIONS), v(&POSTGRES_MIGRATIONS));
    }
}
