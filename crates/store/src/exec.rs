//! One executor for both backends: [`Conn`] runs a statement written once, with
//! PostgreSQL's `$1…` placeholders, on SQLite through rusqlite ([`crate::lite`], which binds
//! them by name) or on PostgreSQL through tokio-postgres (statements prepared once per
//! connection and cached, with the parameter types the values carry). Query bodies are ordinary async closures over
//! `&mut Conn`, passed to [`SqlStore::read`](crate::SqlStore::read),
//! [`SqlStore::write_one`](crate::SqlStore::write_one) or
//! [`SqlStore::write_tx`](crate::SqlStore::write_tx); a read of one statement is
//! [`SqlStore::read_all`](crate::SqlStore::read_all) and its siblings.
//!
//! Rows are read by column name on both drivers ([`Row`], [`FromRow`], declared with
//! [`row!`]): a column list in another order still fills the right fields.

use playgate_core::{Entity, Error, Result};
use tokio_postgres::types::{ToSql, Type};

use crate::db_err;
use crate::lite::LiteConn;
pub(crate) use crate::param::{P, STATEMENT_TARGET, ToP, params};
pub(crate) use crate::row::{FromRow, JsonRow, Row, Scalar, Value, row};

/// A pooled PostgreSQL connection.
pub(crate) type PgClient = deadpool_postgres::Object;

/// The statement's parameters as tokio-postgres takes them.
fn pg_args<'a>(params: &'a [P<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

/// A PostgreSQL connection taken from the pool, outside or inside a transaction.
pub(crate) enum PgConn<'c> {
    Client(&'c PgClient),
    Tx(&'c deadpool_postgres::Transaction<'c>),
}

impl PgConn<'_> {
    /// `sql` prepared with the types of `params`: once per connection, then from its cache.
    async fn prepare(&self, sql: &str, params: &[P<'_>]) -> Result<tokio_postgres::Statement> {
        // One event per statement, as on SQLite (tests count them).
        tracing::trace!(target: STATEMENT_TARGET, "{sql}");
        let types: Vec<Type> = params.iter().map(P::pg_type).collect();
        match self {
            PgConn::Client(c) => c.prepare_typed_cached(sql, &types).await,
            PgConn::Tx(t) => t.prepare_typed_cached(sql, &types).await,
        }
        .map_err(db_err)
    }

    async fn query(&self, sql: &str, params: &[P<'_>]) -> Result<Vec<tokio_postgres::Row>> {
        let st = self.prepare(sql, params).await?;
        match self {
            PgConn::Client(c) => c.query(&st, &pg_args(params)).await,
            PgConn::Tx(t) => t.query(&st, &pg_args(params)).await,
        }
        .map_err(db_err)
    }

    async fn execute(&self, sql: &str, params: &[P<'_>]) -> Result<u64> {
        let st = self.prepare(sql, params).await?;
        match self {
            PgConn::Client(c) => c.execute(&st, &pg_args(params)).await,
            PgConn::Tx(t) => t.execute(&st, &pg_args(params)).await,
        }
        .map_err(db_err)
    }
}

/// Where a statement runs: a rusqlite connection (a reader, or the writer thread's), or a
/// PostgreSQL connection from the pool (in a transaction for [`SqlStore::write_tx`](crate::SqlStore::write_tx)).
pub(crate) enum Conn<'c> {
    Lite(&'c mut LiteConn),
    Pg(PgConn<'c>),
}

impl Conn<'_> {
    /// Whether this is PostgreSQL (for the few statements only it needs, such as a row lock).
    pub(crate) fn is_postgres(&self) -> bool {
        !matches!(self, Conn::Lite(_))
    }

    /// The first row, if any.
    pub(crate) async fn fetch_optional<R: FromRow>(&mut self, sql: &str, params: &[P<'_>]) -> Result<Option<R>> {
        let rows = match self {
            Conn::Lite(c) => return c.query_optional(sql, params),
            Conn::Pg(c) => c.query(sql, params).await?,
        };
        match rows.first() {
            Some(r) => R::from_row(&Row::pg(r)).map(Some),
            None => Ok(None),
        }
    }

    /// The first row; `NotFound(Entity::Row)` without one.
    pub(crate) async fn fetch_one<R: FromRow>(&mut self, sql: &str, params: &[P<'_>]) -> Result<R> {
        self.fetch_optional(sql, params)
            .await?
            .ok_or(Error::NotFound(Entity::Row))
    }

    /// Every row.
    pub(crate) async fn fetch_all<R: FromRow>(&mut self, sql: &str, params: &[P<'_>]) -> Result<Vec<R>> {
        let rows = match self {
            Conn::Lite(c) => return c.query_all(sql, params),
            Conn::Pg(c) => c.query(sql, params).await?,
        };
        rows.iter().map(|r| R::from_row(&Row::pg(r))).collect()
    }

    /// Runs a statement; the number of rows it changed.
    pub(crate) async fn execute(&mut self, sql: &str, params: &[P<'_>]) -> Result<u64> {
        match self {
            Conn::Lite(c) => c.run(sql, params),
            Conn::Pg(c) => c.execute(sql, params).await,
        }
    }

    /// The single column of the first row, if any.
    pub(crate) async fn scalar_optional<T: Value>(&mut self, sql: &str, params: &[P<'_>]) -> Result<Option<T>> {
        let row: Option<Scalar<T>> = self.fetch_optional(sql, params).await?;
        Ok(row.map(|s| s.0))
    }

    /// The single column of the first row; `NotFound(Entity::Row)` without one.
    pub(crate) async fn scalar_one<T: Value>(&mut self, sql: &str, params: &[P<'_>]) -> Result<T> {
        let row: Scalar<T> = self.fetch_one(sql, params).await?;
        Ok(row.0)
    }
}
