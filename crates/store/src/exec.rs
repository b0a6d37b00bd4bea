//! One executor for both backends: [`Conn`] runs a statement written once, with
//! PostgreSQL's `$1…` placeholders, on SQLite through rusqlite ([`crate::lite`], which binds
//! them by name) or on PostgreSQL through sqlx. Query bodies are ordinary async closures over
//! `&mut Conn`, passed to [`SqlStore::read`](crate::SqlStore::read),
//! [`SqlStore::write_one`](crate::SqlStore::write_one) or
//! [`SqlStore::write_tx`](crate::SqlStore::write_tx).
//!
//! Rows are read by column name on both drivers ([`Row`], [`FromRow`], declared with
//! [`row!`]): a column list in another order still fills the right fields.

use std::cell::Cell;

use playgate_core::{Error, Result};
use sqlx::Postgres;
use sqlx::postgres::{PgArguments, PgConnection, PgPool, PgRow};

use crate::db_err;
use crate::lite::{LiteConn, lite_err};
use playgate_core::Entity;

/// A statement parameter, bindable by both drivers.
#[derive(Debug, Clone)]
pub(crate) enum P<'a> {
    I64(i64),
    OptI64(Option<i64>),
    F64(f64),
    OptF64(Option<f64>),
    Bool(bool),
    OptBool(Option<bool>),
    Str(&'a str),
    OptStr(Option<&'a str>),
    Bytes(&'a [u8]),
    OptBytes(Option<&'a [u8]>),
}

/// A value that binds as a statement parameter: every column type of the schema.
pub(crate) trait ToP {
    fn to_p(&self) -> P<'_>;
}

macro_rules! to_p {
    ($($t:ty => |$v:ident| $e:expr),* $(,)?) => {
        $(impl ToP for $t {
            fn to_p(&self) -> P<'_> {
                let $v = self;
                $e
            }
        })*
    };
}
to_p!(
    i64 => |v| P::I64(*v),
    Option<i64> => |v| P::OptI64(*v),
    f64 => |v| P::F64(*v),
    Option<f64> => |v| P::OptF64(*v),
    bool => |v| P::Bool(*v),
    Option<bool> => |v| P::OptBool(*v),
    str => |v| P::Str(v),
    String => |v| P::Str(v),
    Option<&str> => |v| P::OptStr(*v),
    Option<String> => |v| P::OptStr(v.as_deref()),
    [u8] => |v| P::Bytes(v),
    Vec<u8> => |v| P::Bytes(v),
    Option<Vec<u8>> => |v| P::OptBytes(v.as_deref()),
);

impl<T: ToP + ?Sized> ToP for &T {
    fn to_p(&self) -> P<'_> {
        (**self).to_p()
    }
}

impl rusqlite::ToSql for P<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        let null = ValueRef::Null;
        Ok(ToSqlOutput::Borrowed(match *self {
            P::I64(v) | P::OptI64(Some(v)) => ValueRef::Integer(v),
            P::F64(v) | P::OptF64(Some(v)) => ValueRef::Real(v),
            P::Bool(v) | P::OptBool(Some(v)) => ValueRef::Integer(v.into()),
            P::Str(s) | P::OptStr(Some(s)) => ValueRef::Text(s.as_bytes()),
            P::Bytes(b) | P::OptBytes(Some(b)) => ValueRef::Blob(b),
            P::OptI64(None) | P::OptF64(None) | P::OptBool(None) | P::OptStr(None) | P::OptBytes(None) => null,
        }))
    }
}

/// The parameter list of a statement: `params![a, b]` binds each value (owned or
/// borrowed; temporaries live to the end of the statement) as a [`P`].
macro_rules! params {
    ($($p:expr),* $(,)?) => {
        &[$($crate::exec::ToP::to_p(&$p)),*]
    };
}
pub(crate) use params;

fn pg_query<'q>(sql: &'q str, params: &'q [P<'q>]) -> sqlx::query::Query<'q, Postgres, PgArguments> {
    let mut q = sqlx::query(sql);
    for p in params {
        q = match *p {
            P::I64(v) => q.bind(v),
            P::OptI64(v) => q.bind(v),
            P::F64(v) => q.bind(v),
            P::OptF64(v) => q.bind(v),
            P::Bool(v) => q.bind(v),
            P::OptBool(v) => q.bind(v),
            P::Str(s) => q.bind(s),
            P::OptStr(s) => q.bind(s),
            P::Bytes(b) => q.bind(b),
            P::OptBytes(b) => q.bind(b),
        };
    }
    q
}

/// Where a statement runs: a rusqlite connection (a reader, or the writer thread's), the
/// PostgreSQL pool, or a PostgreSQL connection inside a transaction.
pub(crate) enum Conn<'c> {
    Lite(&'c mut LiteConn),
    PgPool(&'c PgPool),
    PgTx(&'c mut PgConnection),
}

impl Conn<'_> {
    /// Whether this is PostgreSQL (for the few statements only it needs, such as a row lock).
    pub(crate) fn is_postgres(&self) -> bool {
        !matches!(self, Conn::Lite(_))
    }

    /// The first row, if any.
    pub(crate) async fn fetch_optional<R: FromRow>(&mut self, sql: &str, params: &[P<'_>]) -> Result<Option<R>> {
        let row = match self {
            Conn::Lite(c) => return c.query_optional(sql, params),
            Conn::PgPool(p) => pg_query(sql, params).fetch_optional(*p).await,
            Conn::PgTx(c) => pg_query(sql, params).fetch_optional(&mut **c).await,
        };
        match row.map_err(db_err)? {
            Some(r) => R::from_row(&Row::pg(&r)).map(Some),
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
            Conn::PgPool(p) => pg_query(sql, params).fetch_all(*p).await,
            Conn::PgTx(c) => pg_query(sql, params).fetch_all(&mut **c).await,
        };
        rows.map_err(db_err)?.iter().map(|r| R::from_row(&Row::pg(r))).collect()
    }

    /// Runs a statement; the number of rows it changed.
    pub(crate) async fn execute(&mut self, sql: &str, params: &[P<'_>]) -> Result<u64> {
        let done = match self {
            Conn::Lite(c) => return c.run(sql, params),
            Conn::PgPool(p) => pg_query(sql, params).execute(*p).await,
            Conn::PgTx(c) => pg_query(sql, params).execute(&mut **c).await,
        };
        done.map(|r| r.rows_affected()).map_err(db_err)
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

/// A column type both drivers decode.
pub(crate) trait Value:
    rusqlite::types::FromSql + for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>
{
}
impl<T: rusqlite::types::FromSql + for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>> Value for T {}

#[derive(Clone, Copy)]
enum Inner<'r> {
    Lite(&'r rusqlite::Row<'r>),
    Pg(&'r PgRow),
}

/// A row of either driver, read by column name.
pub(crate) struct Row<'r> {
    inner: Inner<'r>,
    /// Prepended to every name asked for: the part of a joined row whose columns are
    /// aliased `<prefix><name>`.
    prefix: &'static str,
    /// Where the next name is looked for first: fields are mostly read in column order,
    /// so a lookup usually costs one comparison.
    next: Cell<usize>,
}

impl<'r> Row<'r> {
    pub(crate) fn lite(r: &'r rusqlite::Row<'r>) -> Row<'r> {
        Row {
            inner: Inner::Lite(r),
            prefix: "",
            next: Cell::new(0),
        }
    }

    pub(crate) fn pg(r: &'r PgRow) -> Row<'r> {
        Row {
            inner: Inner::Pg(r),
            prefix: "",
            next: Cell::new(0),
        }
    }

    /// The same row, reading the columns named `<prefix><name>`.
    pub(crate) fn prefixed(&self, prefix: &'static str) -> Row<'r> {
        Row {
            inner: self.inner,
            prefix,
            next: Cell::new(self.next.get()),
        }
    }

    fn len(&self) -> usize {
        match self.inner {
            Inner::Lite(r) => r.as_ref().column_count(),
            Inner::Pg(r) => sqlx::Row::len(r),
        }
    }

    fn name(&self, i: usize) -> &str {
        match self.inner {
            Inner::Lite(r) => r.as_ref().column_name(i).unwrap_or_default(),
            Inner::Pg(r) => sqlx::Row::columns(r).get(i).map_or("", sqlx::Column::name),
        }
    }

    fn index(&self, name: &str) -> Option<usize> {
        let (n, start, prefix) = (self.len(), self.next.get(), self.prefix);
        (0..n).map(|k| (start + k) % n).find(|&i| {
            let col = self.name(i);
            col.len() == prefix.len() + name.len() && col.starts_with(prefix) && col.ends_with(name)
        })
    }

    /// Whether the row has the column.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.index(name).is_some()
    }

    /// The column `name` (after the prefix); an error if the row has no such column or its
    /// value is not a `T`.
    pub(crate) fn get<T: Value>(&self, name: &str) -> Result<T> {
        let Some(i) = self.index(name) else {
            return Err(Error::internal(format!("the row has no column {}{name}", self.prefix)));
        };
        self.next.set(i + 1);
        self.at(i)
    }

    /// The column at position `i`: only for a row of one column (a scalar).
    fn at<T: Value>(&self, i: usize) -> Result<T> {
        match self.inner {
            Inner::Lite(r) => r.get(i).map_err(lite_err),
            Inner::Pg(r) => sqlx::Row::try_get(r, i).map_err(db_err),
        }
    }
}

/// A row type, read by column name.
pub(crate) trait FromRow: Sized {
    fn from_row(r: &Row<'_>) -> Result<Self>;
}

/// A statement's single column.
struct Scalar<T>(T);

impl<T: Value> FromRow for Scalar<T> {
    fn from_row(r: &Row<'_>) -> Result<Self> {
        if r.len() != 1 {
            return Err(Error::internal("a scalar query must select one column"));
        }
        r.at(0).map(Scalar)
    }
}

/// Declares a row struct and its [`FromRow`], which reads each field from the column of
/// the same name: `row! { pub(crate) struct GameRow { id: i64, name: String } }`.
macro_rules! row {
    ($(#[$m:meta])* $vis:vis struct $name:ident { $($fvis:vis $field:ident: $ty:ty),* $(,)? }) => {
        $(#[$m])*
        $vis struct $name {
            $($fvis $field: $ty,)*
        }

        impl $crate::exec::FromRow for $name {
            fn from_row(r: &$crate::exec::Row<'_>) -> playgate_core::Result<Self> {
                Ok($name {
                    $($field: r.get(stringify!($field))?,)*
                })
            }
        }
    };
}
pub(crate) use row;
