//! SQLite through rusqlite: the connections behind [`crate::exec::Conn::Lite`].
//!
//! Reads run synchronously on the calling thread, on a connection taken from [`Readers`]:
//! they are indexed point reads of a few microseconds on a WAL database, which never wait
//! for the writer, so handing them to another thread would cost more than running them.
//! Writes run on the group-commit writer's thread ([`crate::writer`]), on its rusqlite
//! connection.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use playgate_core::{Error, Result};
use rusqlite::{Connection, OpenFlags};

use crate::error::lite_err;
use crate::param::{P, STATEMENT_TARGET};
use crate::row::{FromRow, Row};

/// Prepared statements kept per connection (the hot paths use a few dozen).
const STATEMENT_CACHE: usize = 128;
/// Fewest idle reader connections kept (see [`Readers`]).
const MIN_IDLE_READERS: usize = 4;
/// How long a statement waits for a lock (checkpoints, the rare `BEGIN IMMEDIATE` race).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// `$1`…`$64`, the parameter names of most statements (longer lists are named on the fly).
const DOLLARS: [&str; 64] = [
    "$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15", "$16", "$17",
    "$18", "$19", "$20", "$21", "$22", "$23", "$24", "$25", "$26", "$27", "$28", "$29", "$30", "$31", "$32", "$33",
    "$34", "$35", "$36", "$37", "$38", "$39", "$40", "$41", "$42", "$43", "$44", "$45", "$46", "$47", "$48", "$49",
    "$50", "$51", "$52", "$53", "$54", "$55", "$56", "$57", "$58", "$59", "$60", "$61", "$62", "$63", "$64",
];

/// Creates the database file if it is missing and puts it in WAL mode (persistent: set
/// once for the file, it holds for every later connection).
pub(crate) fn create_wal(path: &Path) -> Result<()> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let setup = || -> rusqlite::Result<()> {
        let conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(rusqlite::Error::InvalidQuery);
        }
        Ok(())
    };
    setup().map_err(|e| Error::internal(format!("cannot open SQLite database {}: {e}", path.display())))
}

/// A rusqlite connection running [`crate::exec::Conn`] statements.
pub(crate) struct LiteConn(Connection);

impl LiteConn {
    /// Opens `path` for reading, or for writing with the given `synchronous` setting.
    pub(crate) fn open(path: &Path, write: Option<&str>) -> Result<LiteConn> {
        let flags = match write {
            Some(_) => OpenFlags::SQLITE_OPEN_READ_WRITE,
            None => OpenFlags::SQLITE_OPEN_READ_ONLY,
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let open = || -> rusqlite::Result<Connection> {
            let conn = Connection::open_with_flags(path, flags)?;
            conn.busy_timeout(BUSY_TIMEOUT)?;
            conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
            conn.execute_batch("PRAGMA foreign_keys = ON")?;
            if let Some(sync) = write {
                // The file is already in WAL mode ([`create_wal`]).
                conn.execute_batch(&format!("PRAGMA synchronous = {sync}"))?;
                // The writer wraps every job in a savepoint, and a savepoint keeps the
                // pages it changes in a sub-journal. With temporary files on disk (SQLite's
                // default), that journal spills past 64 KiB into a file under /var/tmp: on
                // `s2s-new` that was 35 MB written per 3 s, five times the WAL itself. In
                // memory it is a copy of each page a job changes, freed when the job ends.
                conn.execute_batch("PRAGMA temp_store = MEMORY")?;
            }
            Ok(conn)
        };
        open()
            .map(LiteConn)
            .map_err(|e| Error::internal(format!("cannot open SQLite database {}: {e}", path.display())))
    }

    /// Sets `wal_autocheckpoint` (pages; 0 turns automatic checkpoints off).
    pub(crate) fn set_wal_autocheckpoint(&self, pages: u32) -> Result<()> {
        self.0
            .execute_batch(&format!("PRAGMA wal_autocheckpoint = {pages}"))
            .map_err(|e| Error::internal(format!("cannot set wal_autocheckpoint: {e}")))
    }

    /// Runs one statement of transaction control (`BEGIN IMMEDIATE`, `SAVEPOINT job` …)
    /// from the statement cache: the writer opens and closes a savepoint around every atomic
    /// job, and parsing them each time cost more than running them.
    pub(crate) fn control(&self, sql: &str) -> rusqlite::Result<()> {
        self.0.prepare_cached(sql)?.raw_execute().map(drop)
    }

    fn prepare(&self, sql: &str, params: &[P<'_>]) -> rusqlite::Result<rusqlite::CachedStatement<'_>> {
        // One event per statement, as on PostgreSQL (tests count them).
        tracing::trace!(target: STATEMENT_TARGET, "{sql}");
        let mut st = self.0.prepare_cached(sql)?;
        if st.parameter_count() != params.len() {
            return Err(rusqlite::Error::InvalidParameterCount(
                params.len(),
                st.parameter_count(),
            ));
        }
        for (i, p) in params.iter().enumerate() {
            let index = match DOLLARS.get(i) {
                Some(name) => st.parameter_index(name)?,
                None => st.parameter_index(&format!("${}", i + 1))?,
            };
            let Some(index) = index else {
                return Err(rusqlite::Error::InvalidParameterName(format!("${}", i + 1)));
            };
            st.raw_bind_parameter(index, p)?;
        }
        Ok(st)
    }

    pub(crate) fn query_optional<R: FromRow>(&mut self, sql: &str, params: &[P<'_>]) -> Result<Option<R>> {
        let mut st = self.prepare(sql, params).map_err(lite_err)?;
        let mut rows = st.raw_query();
        match rows.next().map_err(lite_err)? {
            Some(row) => R::from_row(&Row::lite(row)).map(Some),
            None => Ok(None),
        }
    }

    pub(crate) fn query_all<R: FromRow>(&mut self, sql: &str, params: &[P<'_>]) -> Result<Vec<R>> {
        let mut st = self.prepare(sql, params).map_err(lite_err)?;
        let mut rows = st.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(lite_err)? {
            out.push(R::from_row(&Row::lite(row))?);
        }
        Ok(out)
    }

    pub(crate) fn run(&mut self, sql: &str, params: &[P<'_>]) -> Result<u64> {
        let mut st = self.prepare(sql, params).map_err(lite_err)?;
        st.raw_execute().map(|n| n as u64).map_err(lite_err)
    }
}

/// Read-only rusqlite connections, lent out one per reading thread. Readers run
/// synchronously, so no more are in use at once than threads that read (the runtime's
/// workers, one per core): that many are kept; more idle ones would only hold page caches.
pub(crate) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<LiteConn>>,
    max_idle: usize,
    /// Connections lent out now (for `/metrics`).
    lent: std::sync::atomic::AtomicUsize,
}

impl Readers {
    pub(crate) fn new(path: PathBuf) -> Readers {
        Readers {
            path,
            idle: Mutex::new(Vec::new()),
            max_idle: std::thread::available_parallelism()
                .map_or(0, usize::from)
                .max(MIN_IDLE_READERS),
            lent: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// A connection for reading; give it back with [`Readers::put`].
    pub(crate) fn get(&self) -> Result<LiteConn> {
        let conn = match self.idle.lock().ok().and_then(|mut v| v.pop()) {
            Some(c) => c,
            None => LiteConn::open(&self.path, None)?,
        };
        self.lent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(conn)
    }

    /// Returns a connection taken with [`Readers::get`].
    pub(crate) fn put(&self, conn: LiteConn) {
        self.lent.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < self.max_idle
        {
            idle.push(conn);
        }
    }

    /// Connections lent out and idle now.
    pub(crate) fn usage(&self) -> (usize, usize) {
        let idle = self.idle.lock().map_or(0, |v| v.len());
        (self.lent.load(std::sync::atomic::Ordering::Relaxed), idle)
    }

    /// Drops the idle connections.
    pub(crate) fn close(&self) {
        if let Ok(mut v) = self.idle.lock() {
            v.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::{params, row};
    use playgate_core::ConstraintKind;

    row! {
        #[derive(Debug, PartialEq)]
        struct AB {
            a: i64,
            b: String,
        }
    }

    fn scratch() -> (PathBuf, LiteConn) {
        let dir = std::env::temp_dir().join(format!("playgate-lite-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("t.db");
        let conn = Connection::open(&path).expect("create");
        conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (id TEXT PRIMARY KEY, a INTEGER, b TEXT)")
            .expect("schema");
        drop(conn);
        let w = LiteConn::open(&path, Some("full")).expect("open");
        (dir, w)
    }

    #[test]
    fn dollar_parameters_bind_by_name_in_any_order() {
        let (dir, mut w) = scratch();
        let n = w
            .run("INSERT INTO t (id, a, b) VALUES ($1, $2, $3)", params!["x", 1, "one"])
            .expect("insert");
        assert_eq!(n, 1);
        // `$2` before `$1`, `$1` twice: bound by name, not by position of appearance.
        let n = w
            .run(
                "UPDATE t SET a = $2, b = $1 || '!' WHERE id = $3 AND b <> $1",
                params!["two", 2, "x"],
            )
            .expect("update");
        assert_eq!(n, 1);
        let row: Option<AB> = w
            .query_optional("SELECT a, b FROM t WHERE id = $1", params!["x"])
            .expect("read");
        assert_eq!(
            row,
            Some(AB {
                a: 2,
                b: "two!".to_owned()
            })
        );
        // A reader sees the committed row; it cannot write.
        let readers = Readers::new(dir.join("t.db"));
        let mut r = readers.get().expect("reader");
        let all: Vec<AB> = r.query_all("SELECT b, a FROM t ORDER BY id", params![]).expect("all");
        assert_eq!(
            all,
            vec![AB {
                a: 2,
                b: "two!".to_owned()
            }]
        );
        assert!(r.run("DELETE FROM t", params![]).is_err());
        readers.put(r);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_writer_keeps_savepoint_journals_in_memory() {
        let (dir, w) = scratch();
        // 2 is MEMORY: a job's savepoint journal never spills into a file under /var/tmp.
        let mode: i64 = w.0.query_row("PRAGMA temp_store", [], |r| r.get(0)).expect("pragma");
        assert_eq!(mode, 2);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn wrong_parameter_count_and_unique_violation_are_errors() {
        let (dir, mut w) = scratch();
        assert!(matches!(
            w.run("INSERT INTO t (id, a, b) VALUES ($1, $2, $3)", params!["x", 1]),
            Err(Error::Internal(_))
        ));
        w.run("INSERT INTO t (id, a, b) VALUES ($1, $2, $3)", params!["x", 1, "one"])
            .expect("insert");
        assert!(matches!(
            w.run("INSERT INTO t (id, a, b) VALUES ($1, $2, $3)", params!["x", 2, "two"]),
            Err(Error::Constraint { kind: ConstraintKind::Unique, name }) if name == "t_pkey"
        ));
        let _ = std::fs::remove_dir_all(dir);
    }
}
