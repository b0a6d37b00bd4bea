//! Statement parameters both drivers bind: [`P`], built with [`params!`], and the tracing
//! target of the per-statement events (tests count them).

use tokio_postgres::types::{IsNull, ToSql, Type};

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
        &[$($crate::param::ToP::to_p(&$p)),*]
    };
}
pub(crate) use params;

impl P<'_> {
    /// The PostgreSQL type the value is sent as (also when it is NULL), as sqlx sent it:
    /// the statement is prepared with these types, so the server converts where the column
    /// differs (an `int4` column takes an `int8` parameter) exactly as before.
    pub(crate) fn pg_type(&self) -> Type {
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

/// The tracing target of the per-statement events of both drivers (tests count them).
pub const STATEMENT_TARGET: &str = "playgate_store::statement";
