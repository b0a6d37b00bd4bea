//! One executor for both backends: [`Conn`] runs a statement written once, with
//! PostgreSQL's `$1…` placeholders, on SQLite through rusqlite ([`crate::lite`], which binds
//! them by name) or on PostgreSQL through tokio-postgres (statements prepared once per
//! connection and cached, with the parameter types the values carry). Query bodies are ordinary async closures over
//! `&mut Conn`, passed to [`SqlStore::read`](crate::SqlStore::read),
//! [`SqlStore::write_one`](crate::SqlStore::write_one) or
//! [`SqlStore::write_tx`](crate::SqlStore::write_tx).
//!
//! Rows are read by column name on both drivers ([`Row`], [`FromRow`], declared with
//! [`row!`]): a column list in another order still fills the right fields.

use std::cell::Cell;

use playgate_core::{Error, Result};
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type};

use crate::db_err;
use crate::lite::{LiteConn, lite_err};
use playgate_core::Entity;

/// A statement parameter, bindable by both drivers. Its `Debug` shows the type, never the
/// value: tokio-postgres logs every statement's parameters at `debug`, and they include
/// secrets (tokens, keys, password hashes).
#[derive(Clone)]
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

impl std::fmt::Debug for P<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            P::I64(_) | P::OptI64(_) => "<int8>",
            P::F64(_) | P::OptF64(_) => "<float8>",
            P::Bool(_) | P::OptBool(_) => "<bool>",
            P::Str(_) | P::OptStr(_) => "<text>",
            P::Bytes(_) | P::OptBytes(_) => "<bytea>",
        })
    }
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

impl P<'_> {
    /// The PostgreSQL type the value is sent as (also when it is NULL), as sqlx sent it:
    /// the statement is prepared with these types, so the server converts where the column
    /// differs (an `int4` column takes an `int8` parameter) exactly as before.
    fn pg_type(&self) -> Type {
        match self {
            P::I64(_) | P::OptI64(_) => Type::INT8,
            P::F64(_) | P::OptF64(_) => Type::FLOAT8,
            P::Bool(_) | P::OptBool(_) => Type::BOOL,
            P::Str(_) | P::OptStr(_) => Type::TEXT,
            P::Bytes(_) | P::OptBytes(_) => Type::BYTEA,
        }
    }
}

impl ToSql for P<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            P::I64(v) => v.to_sql(ty, out),
            P::OptI64(v) => v.to_sql(ty, out),
            P::F64(v) => v.to_sql(ty, out),
            P::OptF64(v) => v.to_sql(ty, out),
            P::Bool(v) => v.to_sql(ty, out),
            P::OptBool(v) => v.to_sql(ty, out),
            P::Str(v) => v.to_sql(ty, out),
            P::OptStr(v) => v.to_sql(ty, out),
            P::Bytes(v) => v.to_sql(ty, out),
            P::OptBytes(v) => v.to_sql(ty, out),
        }
    }

    /// Every variant: the check is per value, in [`ToSql::to_sql_checked`].
    fn accepts(_: &Type) -> bool {
        true
    }

    fn to_sql_checked(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            P::I64(v) => v.to_sql_checked(ty, out),
            P::OptI64(v) => v.to_sql_checked(ty, out),
            P::F64(v) => v.to_sql_checked(ty, out),
            P::OptF64(v) => v.to_sql_checked(ty, out),
            P::Bool(v) => v.to_sql_checked(ty, out),
            P::OptBool(v) => v.to_sql_checked(ty, out),
            P::Str(v) => v.to_sql_checked(ty, out),
            P::OptStr(v) => v.to_sql_checked(ty, out),
            P::Bytes(v) => v.to_sql_checked(ty, out),
            P::OptBytes(v) => v.to_sql_checked(ty, out),
        }
    }
}

/// A pooled PostgreSQL connection.
pub(crate) type PgClient = deadpool_postgres::Object;

/// The tracing target of the per-statement events of both drivers (tests count them).
pub const STATEMENT_TARGET: &str = "playgate_store::statement";

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

/// A column type both drivers decode.
pub(crate) trait Value: rusqlite::types::FromSql + for<'r> FromSql<'r> {}
impl<T: rusqlite::types::FromSql + for<'r> FromSql<'r>> Value for T {}

#[derive(Clone, Copy)]
enum Inner<'r> {
    Lite(&'r rusqlite::Row<'r>),
    Pg(&'r tokio_postgres::Row),
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

    pub(crate) fn pg(r: &'r tokio_postgres::Row) -> Row<'r> {
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
            Inner::Pg(r) => r.len(),
        }
    }

    fn name(&self, i: usize) -> &str {
        match self.inner {
            Inner::Lite(r) => r.as_ref().column_name(i).unwrap_or_default(),
            Inner::Pg(r) => r.columns().get(i).map_or("", tokio_postgres::Column::name),
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
            Inner::Pg(r) => r.try_get(i).map_err(db_err),
        }
    }
}

/// A row type, read by column name.
pub(crate) trait FromRow: Sized {
    fn from_row(r: &Row<'_>) -> Result<Self>;
}

/// A row of any columns as a JSON object, for exports: integers, reals, texts and booleans
/// as themselves, NULL as null. Binary columns (sealed secrets) are left out.
pub(crate) struct JsonRow(pub serde_json::Map<String, serde_json::Value>);

impl FromRow for JsonRow {
    fn from_row(r: &Row<'_>) -> Result<Self> {
        use serde_json::Value as J;
        let mut m = serde_json::Map::new();
        for i in 0..r.len() {
            let v = match r.inner {
                Inner::Lite(row) => match row.get_ref(i).map_err(lite_err)? {
                    rusqlite::types::ValueRef::Null => J::Null,
                    rusqlite::types::ValueRef::Integer(n) => J::from(n),
                    rusqlite::types::ValueRef::Real(f) => J::from(f),
                    rusqlite::types::ValueRef::Text(t) => J::from(String::from_utf8_lossy(t).into_owned()),
                    rusqlite::types::ValueRef::Blob(_) => continue,
                },
                Inner::Pg(row) => {
                    let ty = row.columns().get(i).map(|c| c.type_().clone()).unwrap_or(Type::BYTEA);
                    if ty == Type::INT8 {
                        J::from(row.try_get::<_, Option<i64>>(i).map_err(db_err)?)
                    } else if ty == Type::INT4 {
                        J::from(row.try_get::<_, Option<i32>>(i).map_err(db_err)?)
                    } else if ty == Type::INT2 {
                        J::from(row.try_get::<_, Option<i16>>(i).map_err(db_err)?)
                    } else if ty == Type::FLOAT8 {
                        J::from(row.try_get::<_, Option<f64>>(i).map_err(db_err)?)
                    } else if ty == Type::FLOAT4 {
                        J::from(row.try_get::<_, Option<f32>>(i).map_err(db_err)?)
                    } else if ty == Type::BOOL {
                        J::from(row.try_get::<_, Option<bool>>(i).map_err(db_err)?)
                    } else if [Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME].contains(&ty) {
                        J::from(row.try_get::<_, Option<String>>(i).map_err(db_err)?)
                    } else {
                        continue;
                    }
                }
            };
            m.insert(r.name(i).to_owned(), v);
        }
        Ok(JsonRow(m))
    }
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
