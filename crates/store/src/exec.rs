//! One query text, two drivers: the hot paths' statements run on PostgreSQL through sqlx
//! and on SQLite through rusqlite ([`crate::lite`]), written once against [`Exec`].
//!
//! Why two drivers: sqlx's SQLite driver runs every connection on a thread of its own
//! behind a channel, so each statement costs two thread hand-offs; on a 2-core machine that
//! is most of a request's time (issue 3's profile: ~60% of the server's samples in futex
//! and context switches). rusqlite runs a point read on the calling thread in a few
//! microseconds. Queries that are not on a hot path still use sqlx directly (`on_read_pool!`,
//! `write_one!`, `write_tx!`); moving one over means writing its body against [`Exec`]
//! and giving its row type a [`FromLite`].

use std::future::Future;

use playgate_core::Result;
use sqlx::Postgres;
use sqlx::postgres::{PgConnection, PgPool, PgRow};

use crate::db_err;
use crate::lite::{FromLite, LiteConn};

/// A statement parameter, bindable by both drivers.
#[derive(Debug, Clone, Copy)]
pub(crate) enum P<'a> {
    I64(i64),
    OptI64(Option<i64>),
    Bool(bool),
    Str(&'a str),
    OptStr(Option<&'a str>),
    Bytes(&'a [u8]),
}

impl From<i64> for P<'_> {
    fn from(v: i64) -> Self {
        P::I64(v)
    }
}
impl From<Option<i64>> for P<'_> {
    fn from(v: Option<i64>) -> Self {
        P::OptI64(v)
    }
}
impl From<bool> for P<'_> {
    fn from(v: bool) -> Self {
        P::Bool(v)
    }
}
impl<'a> From<&'a str> for P<'a> {
    fn from(v: &'a str) -> Self {
        P::Str(v)
    }
}
impl<'a> From<&'a String> for P<'a> {
    fn from(v: &'a String) -> Self {
        P::Str(v)
    }
}
impl<'a> From<Option<&'a str>> for P<'a> {
    fn from(v: Option<&'a str>) -> Self {
        P::OptStr(v)
    }
}
impl<'a> From<&'a Option<String>> for P<'a> {
    fn from(v: &'a Option<String>) -> Self {
        P::OptStr(v.as_deref())
    }
}
impl<'a> From<&'a [u8]> for P<'a> {
    fn from(v: &'a [u8]) -> Self {
        P::Bytes(v)
    }
}

impl rusqlite::ToSql for P<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match *self {
            P::I64(v) => ToSqlOutput::Borrowed(ValueRef::Integer(v)),
            P::OptI64(Some(v)) => ToSqlOutput::Borrowed(ValueRef::Integer(v)),
            P::OptI64(None) => ToSqlOutput::Borrowed(ValueRef::Null),
            P::Bool(v) => ToSqlOutput::Borrowed(ValueRef::Integer(v.into())),
            P::Str(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            P::OptStr(Some(s)) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            P::OptStr(None) => ToSqlOutput::Borrowed(ValueRef::Null),
            P::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

/// The parameter list of a statement: `params![a, b]` turns each into a [`P`].
macro_rules! params {
    ($($p:expr),* $(,)?) => {
        &[$($crate::exec::P::from($p)),*]
    };
}
pub(crate) use params;

/// A row type both drivers can produce.
pub(crate) trait Row: for<'r> sqlx::FromRow<'r, PgRow> + FromLite + Send + Unpin + 'static {}
impl<T: for<'r> sqlx::FromRow<'r, PgRow> + FromLite + Send + Unpin + 'static> Row for T {}

/// A row type read by column position from any offset, on both drivers: the parts of a
/// row that joins several tables ([`crate::lite::lite_row`] implements it).
pub(crate) trait Columns: Sized {
    /// How many columns it reads.
    const COUNT: usize;
    /// Reads it from rusqlite's columns `at..at + COUNT`.
    fn lite_at(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Self>;
    /// Reads it from PostgreSQL's columns `at..at + COUNT`.
    fn pg_at(r: &PgRow, at: usize) -> sqlx::Result<Self>;
}

/// Runs statements written with PostgreSQL's `$1…` placeholders (SQLite accepts them as
/// named parameters; [`crate::lite`] binds them by name).
pub(crate) trait Exec: Send {
    /// The first row, if any.
    fn fetch_optional<'a, R: Row>(
        &'a mut self,
        sql: &'a str,
        params: &'a [P<'a>],
    ) -> impl Future<Output = Result<Option<R>>> + Send + 'a;
    /// Every row.
    fn fetch_all<'a, R: Row>(
        &'a mut self,
        sql: &'a str,
        params: &'a [P<'a>],
    ) -> impl Future<Output = Result<Vec<R>>> + Send + 'a;
    /// Runs a statement; the number of rows it changed.
    fn execute<'a>(&'a mut self, sql: &'a str, params: &'a [P<'a>]) -> impl Future<Output = Result<u64>> + Send + 'a;
}

macro_rules! pg_bind {
    ($q:expr, $params:expr) => {{
        let mut q = $q;
        for p in $params {
            q = match *p {
                P::I64(v) => q.bind(v),
                P::OptI64(v) => q.bind(v),
                P::Bool(v) => q.bind(v),
                P::Str(s) => q.bind(s),
                P::OptStr(s) => q.bind(s),
                P::Bytes(b) => q.bind(b),
            };
        }
        q
    }};
}

/// Where a PostgreSQL statement runs: the pool, or a connection (inside a transaction).
pub(crate) trait PgTarget: Send {
    fn executor(&mut self) -> impl sqlx::Executor<'_, Database = Postgres>;
}

impl PgTarget for &PgPool {
    fn executor(&mut self) -> impl sqlx::Executor<'_, Database = Postgres> {
        *self
    }
}

impl PgTarget for &mut PgConnection {
    fn executor(&mut self) -> impl sqlx::Executor<'_, Database = Postgres> {
        &mut **self
    }
}

/// PostgreSQL as an [`Exec`].
pub(crate) struct Pg<T>(pub T);

impl<T: PgTarget> Exec for Pg<T> {
    fn fetch_optional<'a, R: Row>(
        &'a mut self,
        sql: &'a str,
        params: &'a [P<'a>],
    ) -> impl Future<Output = Result<Option<R>>> + Send + 'a {
        let q = pg_bind!(sqlx::query_as::<_, R>(sql), params);
        let ex = self.0.executor();
        async move { q.fetch_optional(ex).await.map_err(db_err) }
    }

    fn fetch_all<'a, R: Row>(
        &'a mut self,
        sql: &'a str,
        params: &'a [P<'a>],
    ) -> impl Future<Output = Result<Vec<R>>> + Send + 'a {
        let q = pg_bind!(sqlx::query_as::<_, R>(sql), params);
        let ex = self.0.executor();
        async move { q.fetch_all(ex).await.map_err(db_err) }
    }

    fn execute<'a>(&'a mut self, sql: &'a str, params: &'a [P<'a>]) -> impl Future<Output = Result<u64>> + Send + 'a {
        let q = pg_bind!(sqlx::query(sql), params);
        let ex = self.0.executor();
        async move { q.execute(ex).await.map(|r| r.rows_affected()).map_err(db_err) }
    }
}

impl Exec for LiteConn {
    fn fetch_optional<'a, R: Row>(
        &'a mut self,
        sql: &'a str,
        params: &'a [P<'a>],
    ) -> impl Future<Output = Result<Option<R>>> + Send + 'a {
        std::future::ready(self.query_optional(sql, params))
    }

    fn fetch_all<'a, R: Row>(
        &'a mut self,
        sql: &'a str,
        params: &'a [P<'a>],
    ) -> impl Future<Output = Result<Vec<R>>> + Send + 'a {
        std::future::ready(self.query_all(sql, params))
    }

    fn execute<'a>(&'a mut self, sql: &'a str, params: &'a [P<'a>]) -> impl Future<Output = Result<u64>> + Send + 'a {
        std::future::ready(self.run(sql, params))
    }
}
