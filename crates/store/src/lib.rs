//! Playgate's store: the core's [`Store`] contract implemented once with sqlx, for SQLite
//! (the embedded default) and PostgreSQL (several nodes).
//!
//! Each query is written once: sqlx's SQLite driver accepts PostgreSQL's `$1` placeholders,
//! so the macros below expand the same code for whichever database is configured. Reads
//! use a pool (SQLite: read-only connections, WAL). Writes on SQLite go through the
//! group-commit [`writer`] (one connection, many requests per fsync); on PostgreSQL through
//! the pool, in a transaction where a write has several statements.

mod account_store_impl;
mod error;
mod exec;
mod gamefuse_impl;
mod gamefuse_rows;
mod gamefuse_social_impl;
mod health;
mod lite;
mod metrics;
pub use lite::STATEMENT_TARGET;
mod rows;
mod store_impl;
pub mod testing;
mod writer;

use std::str::FromStr;
use std::time::Duration;

use playgate_core::{Error, Result};
use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub use error::{UNAVAILABLE_RETRY_AFTER_SECS, db_err};

/// Migrations per backend; their version lists are identical (checked by a test).
pub static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
/// See [`SQLITE_MIGRATIONS`].
pub static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Most SQLite reader connections, whatever `max_connections` says.
pub const SQLITE_MAX_READERS: u32 = 4;

/// How to open the database.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// `sqlite://path` or `postgres://…`.
    pub url: String,
    /// Maximum connections (PostgreSQL pool; SQLite readers, at most [`SQLITE_MAX_READERS`]).
    pub max_connections: u32,
    /// SQLite `synchronous`: `full` (every commit is on disk before it is acknowledged;
    /// the default) or `normal` (WAL default: survives a crash of Playgate, not of the OS).
    pub sqlite_synchronous: String,
    /// Longest wait for a PostgreSQL connection; past it (the database is unreachable or
    /// the pool exhausted) the statement fails with `Unavailable`. Default 1 s.
    pub acquire_timeout: Duration,
}

impl StoreOptions {
    /// Options for a URL with default pool settings.
    pub fn new(url: impl Into<String>) -> Self {
        StoreOptions {
            url: url.into(),
            max_connections: 16,
            sqlite_synchronous: "full".into(),
            acquire_timeout: Duration::from_secs(1),
        }
    }
}

pub(crate) enum Db {
    Sqlite {
        read: SqlitePool,
        readers: lite::Readers,
        writer: writer::Writer,
        options: Box<SqliteConnectOptions>,
    },
    Postgres(PgPool),
}

/// The sqlx store.
pub struct SqlStore {
    pub(crate) db: Db,
    /// Whether PostgreSQL answers (unused on SQLite, which cannot become unreachable).
    pub(crate) health: std::sync::Arc<health::Health>,
}

/// Runs `$body` with `$pool` bound to the read pool. The body is compiled once per backend.
macro_rules! on_read_pool {
    ($self:expr, |$pool:ident| $body:expr) => {
        match &$self.db {
            $crate::Db::Sqlite { read: $pool, .. } => $body,
            $crate::Db::Postgres($pool) => match $self.health.gate() {
                Err(e) => Err(e),
                Ok(()) => {
                    let res = $body;
                    $self.health.observe(&res, $pool);
                    res
                }
            },
        }
    };
}
pub(crate) use on_read_pool;

/// Runs `$body` (of type `Result<T>`) with `$e: &mut impl Exec` for reading: on SQLite a
/// rusqlite reader used on this thread, on PostgreSQL the pool.
macro_rules! exec_read {
    ($self:expr, |$e:ident| $body:expr) => {
        match &$self.db {
            $crate::Db::Sqlite { readers, .. } => match readers.get() {
                Err(err) => Err(err),
                Ok(mut conn) => {
                    let res = async {
                        let $e = &mut conn;
                        $body
                    }
                    .await;
                    readers.put(conn);
                    res
                }
            },
            $crate::Db::Postgres(pool) => match $self.health.gate() {
                Err(e) => Err(e),
                Ok(()) => {
                    let mut pg = $crate::exec::Pg(pool);
                    let $e = &mut pg;
                    let res = async { $body }.await;
                    $self.health.observe(&res, pool);
                    res
                }
            },
        }
    };
}
pub(crate) use exec_read;

/// Runs `$body` (of type `Result<T>`, one statement on `$e: &mut impl Exec`) as one write:
/// on SQLite in the next group commit, on PostgreSQL on the pool. Captures are moved in.
macro_rules! exec_one {
    ($self:expr, |$e:ident| $body:expr) => {
        match &$self.db {
            $crate::Db::Sqlite { writer, .. } => {
                writer
                    .run_lite(false, move |$e: &mut $crate::lite::LiteConn| {
                        Box::pin(async move { $body })
                    })
                    .await
            }
            $crate::Db::Postgres(pool) => match $self.health.gate() {
                Err(e) => Err(e),
                Ok(()) => {
                    let mut pg = $crate::exec::Pg(pool);
                    let $e = &mut pg;
                    let res = async { $body }.await;
                    $self.health.observe(&res, pool);
                    res
                }
            },
        }
    };
}
pub(crate) use exec_one;

/// Runs `$body` (of type `Result<T>`, statements on `$e: &mut impl Exec`) atomically: on
/// SQLite in a savepoint of the next group commit, on PostgreSQL in a transaction that
/// commits only if the body returns `Ok`. Captures are moved in.
macro_rules! exec_tx {
    ($self:expr, |$e:ident| $body:expr) => {
        match &$self.db {
            $crate::Db::Sqlite { writer, .. } => {
                writer
                    .run_lite(true, move |$e: &mut $crate::lite::LiteConn| {
                        Box::pin(async move { $body })
                    })
                    .await
            }
            $crate::Db::Postgres(pool) => match $self.health.gate() {
                Err(e) => Err(e),
                Ok(()) => {
                    let res = async {
                        let mut tx = pool.begin().await.map_err($crate::db_err)?;
                        let res = {
                            let mut pg = $crate::exec::Pg(&mut *tx);
                            let $e = &mut pg;
                            async { $body }.await
                        };
                        if res.is_ok() {
                            tx.commit().await.map_err($crate::db_err)?;
                        }
                        res
                    }
                    .await;
                    $self.health.observe(&res, pool);
                    res
                }
            },
        }
    };
}
pub(crate) use exec_tx;

/// Runs `$body` (an expression of type `Result<T>` that uses `$conn` as its executor exactly
/// once) as one write: on SQLite in the next group commit, on PostgreSQL on the pool.
/// Captured values are moved in.
macro_rules! write_one {
    ($self:expr, |$conn:ident| $body:expr) => {
        match &$self.db {
            $crate::Db::Sqlite { writer, .. } => {
                writer
                    .run(false, move |$conn: &mut sqlx::SqliteConnection| {
                        Box::pin(async move { $body })
                    })
                    .await
            }
            $crate::Db::Postgres(pool) => match $self.health.gate() {
                Err(e) => Err(e),
                Ok(()) => {
                    let res = {
                        let $conn = pool;
                        $body
                    };
                    $self.health.observe(&res, pool);
                    res
                }
            },
        }
    };
}
pub(crate) use write_one;

/// Runs `$body` (of type `Result<T>`, using `&mut *$conn` for each statement) atomically:
/// on SQLite in a savepoint of the next group commit, on PostgreSQL in a transaction that
/// commits only if the body returns `Ok`. Captured values are moved in.
macro_rules! write_tx {
    ($self:expr, |$conn:ident| $body:expr) => {
        match &$self.db {
            $crate::Db::Sqlite { writer, .. } => {
                writer
                    .run(true, move |$conn: &mut sqlx::SqliteConnection| {
                        Box::pin(async move { $body })
                    })
                    .await
            }
            $crate::Db::Postgres(pool) => match $self.health.gate() {
                Err(e) => Err(e),
                Ok(()) => {
                    let res = async {
                        let mut tx = pool.begin().await.map_err($crate::db_err)?;
                        let res = {
                            let $conn: &mut sqlx::PgConnection = &mut tx;
                            async { $body }.await
                        };
                        if res.is_ok() {
                            tx.commit().await.map_err($crate::db_err)?;
                        }
                        res
                    }
                    .await;
                    $self.health.observe(&res, pool);
                    res
                }
            },
        }
    };
}
pub(crate) use write_tx;

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
                .acquire_timeout(opts.acquire_timeout)
                .connect_with(co)
                .await
                .map_err(|e| Error::internal(format!("cannot connect to PostgreSQL: {e}")))?;
            Ok(SqlStore {
                db: Db::Postgres(pool),
                health: Default::default(),
            })
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
            let conn = ConnectOptions::connect(&co)
                .await
                .map_err(|e| Error::internal(format!("cannot open SQLite database: {e}")))?;
            let path = co.get_filename().to_owned();
            let writer = writer::Writer::spawn(conn, lite::LiteConn::open(&path, Some(&opts.sqlite_synchronous))?)?;
            let read = SqlitePoolOptions::new()
                // Readers beyond a few only add page caches (about 2 MB each): SQLite reads
                // are short, and the machine has few cores.
                .max_connections(opts.max_connections.clamp(1, SQLITE_MAX_READERS))
                .connect_with(co.clone().read_only(true))
                .await
                .map_err(|e| Error::internal(format!("cannot open SQLite database: {e}")))?;
            Ok(SqlStore {
                db: Db::Sqlite {
                    read,
                    readers: lite::Readers::new(path),
                    writer,
                    options: Box::new(co),
                },
                health: Default::default(),
            })
        } else {
            Err(Error::invalid("database_url", "must start with sqlite: or postgres://"))
        }
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<()> {
        match &self.db {
            Db::Sqlite { options, .. } => {
                let mut conn = ConnectOptions::connect(&**options).await.map_err(db_err)?;
                let res = SQLITE_MIGRATIONS.run(&mut conn).await;
                let _ = sqlx::Connection::close(conn).await;
                res.map_err(|e| Error::internal(format!("migration failed: {e}")))
            }
            Db::Postgres(pg) => POSTGRES_MIGRATIONS
                .run(pg)
                .await
                .map_err(|e| Error::internal(format!("migration failed: {e}"))),
        }
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
            Db::Sqlite {
                read, readers, writer, ..
            } => {
                readers.close();
                read.close().await;
                writer.close().await;
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
