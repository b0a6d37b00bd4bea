//! Playgate's store: the core's [`Store`](playgate_core::store::Store) contract (each
//! aggregate's store trait in the module of its name, as in the core) implemented once for SQLite (the embedded default, through rusqlite) and PostgreSQL
//! (several nodes, through tokio-postgres behind deadpool-postgres's pool): one driver per
//! backend.
//!
//! Each query is written once, with PostgreSQL's `$1` placeholders, as an async closure over
//! [`exec::Conn`], and run by [`SqlStore::read`], [`SqlStore::write_one`] or
//! [`SqlStore::write_tx`]. Reads on SQLite run on a reader connection on the calling thread;
//! writes go through the group-commit [`writer`] thread (one connection, many requests per
//! fsync). On PostgreSQL reads share a few connections, pipelined, and writes take one of
//! a pool each ([`Pg`]), in a transaction where a write has several statements.

mod account_rows;
mod account_store;
mod accounts;
mod audit;
mod client_users;
mod console;
mod economy;
mod error;
mod exec;
mod game;
mod game_variables;
mod gamefuse;
mod games;
mod health;
mod limits;
mod lite;
mod metrics;
mod migrate;
mod operators;
mod own_data;
mod param;
mod players;
mod renew;
pub use migrate::{Migration, migrations};
pub use param::STATEMENT_TARGET;
mod rounds;
mod row;
mod rows;
mod session;
mod signing_keys;
mod social;
mod sql;
mod stats;
mod store;
pub mod testing;
mod writer;

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use playgate_core::{Error, Result};

use crate::error::pool_err;
use crate::exec::{Conn, FromRow, P, PgClient, PgConn, Value};
pub use error::{UNAVAILABLE_RETRY_AFTER_SECS, db_err};

/// How to open the database.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// `sqlite://path` or `postgres://…`.
    pub url: String,
    /// Maximum connections of the PostgreSQL pool for writes (SQLite keeps about one
    /// reader per core and one writer).
    pub max_connections: u32,
    /// PostgreSQL connections that reads share (several statements in flight on each); 0:
    /// twice the CPUs. Reads want about as many backends as there are cores, writes many
    /// more (they wait on WAL flushes): `bench/results/pool-20261203`,
    /// `bench/results/read-lanes-20261203`.
    pub read_connections: u32,
    /// SQLite `synchronous`: `full` (every commit is on disk before it is acknowledged;
    /// the default) or `normal` (WAL default: survives a crash of Playgate, not of the OS).
    pub sqlite_synchronous: String,
    /// SQLite `wal_autocheckpoint` of the writer: WAL pages after which a commit copies
    /// the WAL into the database file. Default 1000 (SQLite's).
    pub sqlite_wal_autocheckpoint: u32,
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
            read_connections: 0,
            sqlite_synchronous: "full".into(),
            sqlite_wal_autocheckpoint: 1000,
            acquire_timeout: Duration::from_secs(1),
        }
    }
}

pub(crate) enum Db {
    Sqlite {
        readers: lite::Readers,
        writer: writer::Writer,
        path: PathBuf,
    },
    Postgres(Pg),
}

/// PostgreSQL's connections: a few shared ones for reads, a pool for writes. A read keeps
/// its backend busy on the CPU, so more read backends than cores only take turns on the
/// cores at a cost (PostgreSQL spent twice the CPU per read with 16 than with 4); a write
/// mostly waits for its commit's WAL flush, so many in flight share each flush.
pub(crate) struct Pg {
    reads: ReadLanes,
    writes: PgPool,
}

/// The connections reads share: a read takes the next one in turn and sends its statements
/// at once, beside the other reads on it. tokio-postgres pipelines them, so a backend
/// never waits for the next request's round trip and no read waits for a free connection.
/// Reads run outside transactions, so sharing changes nothing they see. A connection found
/// closed is replaced from `pool` (twice the lanes, so that a replacement never waits for
/// the closed one to be returned) by the next read that takes its lane.
pub(crate) struct ReadLanes {
    pool: PgPool,
    lanes: Vec<tokio::sync::Mutex<Option<Arc<PgClient>>>>,
    next: AtomicUsize,
}

impl ReadLanes {
    fn new(pool: PgPool, lanes: usize) -> Self {
        ReadLanes {
            pool,
            lanes: (0..lanes.max(1)).map(|_| Default::default()).collect(),
            next: Default::default(),
        }
    }

    /// The next lane's connection, opened (or replaced) if needed.
    async fn client(&self) -> Result<Arc<PgClient>> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.lanes.len();
        // Held while a connection is opened, so that the lane's other reads wait for it
        // instead of opening their own.
        let mut lane = self.lanes[i].lock().await;
        match lane.as_ref() {
            Some(c) if !c.is_closed() => Ok(c.clone()),
            _ => {
                // The closed one goes back to the pool (which discards it) once the reads
                // still holding it are done; the pool has room for both meanwhile.
                lane.take();
                let c = Arc::new(self.pool.get().await?);
                *lane = Some(c.clone());
                Ok(c)
            }
        }
    }
}

/// One pool, with its waits counted.
pub(crate) struct PgPool {
    pool: deadpool_postgres::Pool,
    /// Connections asked for when none was idle (the caller waited for one to be returned
    /// or opened), for `/metrics`.
    waits: AtomicU64,
}

impl PgPool {
    /// A connection from the pool, within the acquire timeout; `Unavailable` without one.
    async fn get(&self) -> Result<PgClient> {
        if self.pool.status().available == 0 {
            self.waits.fetch_add(1, Ordering::Relaxed);
        }
        self.pool.get().await.map_err(pool_err)
    }
}

impl Pg {
    /// A connection for writing (or anything that is not one plain read).
    async fn get(&self) -> Result<PgClient> {
        self.writes.get().await
    }

    /// Both pools with their metrics labels.
    pub(crate) fn pools(&self) -> [(&'static str, &PgPool); 2] {
        [("postgres_reads", &self.reads.pool), ("postgres_writes", &self.writes)]
    }
}

/// The store, on SQLite or PostgreSQL.
pub struct SqlStore {
    pub(crate) db: Db,
    /// Whether PostgreSQL answers (unused on SQLite, which cannot become unreachable).
    pub(crate) health: Arc<health::Health>,
}

impl SqlStore {
    /// Runs `f` for reading: on SQLite on a rusqlite reader, on this thread (point reads of
    /// a few microseconds, which never wait for the writer on a WAL database); on
    /// PostgreSQL on the pool, behind the health gate.
    pub(crate) async fn read<T>(&self, f: impl AsyncFnOnce(&mut Conn<'_>) -> Result<T>) -> Result<T> {
        match &self.db {
            Db::Sqlite { readers, .. } => {
                let mut conn = readers.get()?;
                let res = f(&mut Conn::Lite(&mut conn)).await;
                readers.put(conn);
                res
            }
            Db::Postgres(pg) => {
                let read = async {
                    let c = pg.reads.client().await?;
                    f(&mut Conn::Pg(PgConn::Client(&c))).await
                };
                self.pg_gated(pg, read).await
            }
        }
    }

    /// Every row of one read statement (see [`SqlStore::read`]).
    pub(crate) async fn read_all<R: FromRow>(&self, sql: &str, params: &[P<'_>]) -> Result<Vec<R>> {
        self.read(async |e| e.fetch_all(sql, params).await).await
    }

    /// The first row of one read statement, if any.
    pub(crate) async fn read_optional<R: FromRow>(&self, sql: &str, params: &[P<'_>]) -> Result<Option<R>> {
        self.read(async |e| e.fetch_optional(sql, params).await).await
    }

    /// The first row of one read statement; `NotFound(Entity::Row)` without one.
    pub(crate) async fn read_one<R: FromRow>(&self, sql: &str, params: &[P<'_>]) -> Result<R> {
        self.read(async |e| e.fetch_one(sql, params).await).await
    }

    /// The single column of the first row of one read statement, if any.
    pub(crate) async fn read_scalar_optional<T: Value>(&self, sql: &str, params: &[P<'_>]) -> Result<Option<T>> {
        self.read(async |e| e.scalar_optional(sql, params).await).await
    }

    /// The single column of the first row of one read statement; `NotFound(Entity::Row)`
    /// without one.
    pub(crate) async fn read_scalar_one<T: Value>(&self, sql: &str, params: &[P<'_>]) -> Result<T> {
        self.read(async |e| e.scalar_one(sql, params).await).await
    }

    /// Runs `f` (one statement) as one write: on SQLite in the next group commit of the
    /// writer thread, on PostgreSQL on the pool.
    pub(crate) async fn write_one<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: AsyncFnOnce(&mut Conn<'_>) -> Result<T> + Send + 'static,
    {
        match &self.db {
            Db::Sqlite { writer, .. } => writer.run(false, f).await,
            Db::Postgres(pg) => self.pg_gated(pg, pg_one(&pg.writes, f)).await,
        }
    }

    /// Runs one statement as one write ([`SqlStore::write_one`]); the number of rows it
    /// changed. The parameters are copied, for the writer.
    pub(crate) async fn execute_one(&self, sql: &'static str, params: &[P<'_>]) -> Result<u64> {
        let params: Vec<P<'static>> = params.iter().map(P::to_static).collect();
        self.write_one(async move |c| c.execute(sql, &params).await).await
    }

    /// [`SqlStore::execute_one`]: whether the statement changed any row (a delete that
    /// found its row, an update whose condition held).
    pub(crate) async fn execute_changed(&self, sql: &'static str, params: &[P<'_>]) -> Result<bool> {
        Ok(self.execute_one(sql, params).await? > 0)
    }

    /// Runs `f`, one statement on PostgreSQL (an audited change: the event's insert is a CTE
    /// of it) but two on SQLite, atomically: on SQLite in a savepoint of the next group
    /// commit, on PostgreSQL on the pool without a transaction.
    pub(crate) async fn write_audited<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: AsyncFnOnce(&mut Conn<'_>) -> Result<T> + Send + 'static,
    {
        match &self.db {
            Db::Sqlite { writer, .. } => writer.run(true, f).await,
            Db::Postgres(_) => self.write_one(f).await,
        }
    }

    /// Runs `f` (several statements) atomically: on SQLite in a savepoint of the next group
    /// commit, on PostgreSQL in a transaction that commits only if `f` returns `Ok`.
    pub(crate) async fn write_tx<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: AsyncFnOnce(&mut Conn<'_>) -> Result<T> + Send + 'static,
    {
        match &self.db {
            Db::Sqlite { writer, .. } => writer.run(true, f).await,
            Db::Postgres(pg) => self.pg_gated(pg, pg_transaction(pg, f)).await,
        }
    }

    /// Runs `work` on PostgreSQL behind the health gate: `Unavailable` at once while the
    /// database is known not to answer; its outcome noted (an unreachable database closes
    /// the gate).
    async fn pg_gated<T>(&self, pg: &Pg, work: impl Future<Output = Result<T>>) -> Result<T> {
        self.health.gate()?;
        let res = work.await;
        self.health.observe(&res, &pg.writes.pool);
        res
    }
}

/// Runs `f` on a connection of `pool`, outside a transaction.
async fn pg_one<T>(pool: &PgPool, f: impl AsyncFnOnce(&mut Conn<'_>) -> Result<T>) -> Result<T> {
    let c = pool.get().await?;
    f(&mut Conn::Pg(PgConn::Client(&c))).await
}

/// Runs `f` in a transaction on a connection of the pool.
async fn pg_transaction<T>(pg: &Pg, f: impl AsyncFnOnce(&mut Conn<'_>) -> Result<T>) -> Result<T> {
    pg_transaction_on(pg.get().await?, f).await
}

/// Runs `f` in a transaction on `client`, which it owns (so that the whole can run in a
/// task of its own); commits only if `f` returns `Ok`.
pub(crate) async fn pg_transaction_on<T>(
    mut client: PgClient,
    f: impl AsyncFnOnce(&mut Conn<'_>) -> Result<T>,
) -> Result<T> {
    // `BEGIN` and `COMMIT` are round trips too: counted with the statements.
    tracing::trace!(target: STATEMENT_TARGET, "BEGIN");
    let tx = client.transaction().await.map_err(db_err)?;
    let res = f(&mut Conn::Pg(PgConn::Tx(&tx))).await;
    tracing::trace!(target: STATEMENT_TARGET, "{}", if res.is_ok() { "COMMIT" } else { "ROLLBACK" });
    if res.is_ok() {
        tx.commit().await.map_err(db_err)?;
    } else {
        // The body's error is the answer; a rollback that fails (a broken connection) leaves
        // nothing behind either. (Dropped without either, the transaction rolls back too.)
        let _ = tx.rollback().await;
    }
    res
}

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
            let config = tokio_postgres::Config::from_str(url).map_err(|e| Error::invalid("database_url", e))?;
            let reads = match opts.read_connections {
                0 => std::thread::available_parallelism().map_or(4, |n| 2 * n.get()),
                n => usize::try_from(n).unwrap_or(usize::MAX),
            };
            let writes = usize::try_from(opts.max_connections).unwrap_or(usize::MAX);
            let pg = Pg {
                reads: ReadLanes::new(pg_pool(&config, 2 * reads, opts.acquire_timeout)?, reads),
                writes: pg_pool(&config, writes, opts.acquire_timeout)?,
            };
            // Fail the start, as before, when the database cannot be reached at all.
            if let Err(e) = pg.writes.pool.get().await {
                return Err(Error::internal(format!("cannot connect to PostgreSQL: {e}")));
            }
            Ok(SqlStore {
                db: Db::Postgres(pg),
                health: Default::default(),
            })
        } else if let Some(rest) = url.strip_prefix("sqlite:") {
            let sync = match opts.sqlite_synchronous.as_str() {
                s @ ("full" | "normal") => s,
                other => {
                    return Err(Error::invalid(
                        "sqlite_synchronous",
                        format!("{other:?} is not full or normal"),
                    ));
                }
            };
            // `sqlite://path` or `sqlite:path`; options after `?` are not used.
            let file = rest.strip_prefix("//").unwrap_or(rest);
            let file = file.split_once('?').map_or(file, |(f, _)| f);
            if file.is_empty() {
                return Err(Error::invalid("database_url", "names no SQLite file"));
            }
            let path = PathBuf::from(file);
            lite::create_wal(&path)?;
            let conn = lite::LiteConn::open(&path, Some(sync))?;
            conn.set_wal_autocheckpoint(opts.sqlite_wal_autocheckpoint)?;
            let writer = writer::Writer::spawn(conn)?;
            Ok(SqlStore {
                db: Db::Sqlite {
                    readers: lite::Readers::new(path.clone()),
                    writer,
                    path,
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
            Db::Sqlite { path, .. } => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || migrate::run_sqlite(&path))
                    .await
                    .map_err(|e| Error::internal(format!("migration failed: {e}")))?
            }
            Db::Postgres(pg) => {
                let mut c = pg.get().await?;
                migrate::run_postgres(&mut c).await
            }
        }
    }

    /// Which backend this is: `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self.db {
            Db::Sqlite { .. } => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Closes the pools (a PostgreSQL connection still in use closes when it is returned).
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite { readers, writer, .. } => {
                readers.close();
                writer.close().await;
            }
            Db::Postgres(pg) => {
                pg.reads.pool.pool.close();
                pg.writes.pool.close();
            }
        }
    }
}

/// A pool of at most `size` connections to `config`'s database.
fn pg_pool(config: &tokio_postgres::Config, size: usize, acquire_timeout: Duration) -> Result<PgPool> {
    // No TLS, as before (sqlx was built without a TLS feature): PostgreSQL is reached over
    // plain TCP or a Unix socket, normally on a private network.
    let manager = deadpool_postgres::Manager::new(config.clone(), tokio_postgres::NoTls);
    let timeout = Some(acquire_timeout);
    let pool = deadpool_postgres::Pool::builder(manager)
        .max_size(size.max(1))
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .wait_timeout(timeout)
        .create_timeout(timeout)
        .recycle_timeout(timeout)
        .build()
        .map_err(|e| Error::internal(format!("cannot create the PostgreSQL pool: {e}")))?;
    Ok(PgPool {
        pool,
        waits: AtomicU64::new(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_versions_match() {
        let v = |backend| {
            migrations(backend)
                .into_iter()
                .map(|m| (m.version, m.description))
                .collect::<Vec<_>>()
        };
        assert!(!v("sqlite").is_empty());
        assert_eq!(v("sqlite"), v("postgres"));
    }
}
