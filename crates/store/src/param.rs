//! Statement parameters both drivers bind: [`P`], built with [`params!`], and the tracing
//! target of the per-statement events (tests count them).

use std::borrow::Cow;

use tokio_postgres::types::{IsNull, ToSql, Type};

/// A statement parameter, bindable by both drivers. Its `Debug` shows the type, never the
/// value: tokio-postgres logs every statement's parameters at `debug`, and they include
/// secrets (tokens, keys, password hashes). Text and bytes are borrowed as a rule, owned
/// where a statement goes to another task ([`P::to_static`]).
#[derive(Clone)]
pub(crate) enum P<'a> {
    I64(i64),
    OptI64(Option<i64>),
    F64(f64),
    OptF64(Option<f64>),
    Bool(bool),
    OptBool(Option<bool>),
    Str(Cow<'a, str>),
    OptStr(Option<Cow<'a, str>>),
    Bytes(Cow<'a, [u8]>),
    OptBytes(Option<Cow<'a, [u8]>>),
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
    str => |v| P::str(v),
    String => |v| P::str(v),
    Option<&str> => |v| P::opt_str(*v),
    Option<String> => |v| P::opt_str(v.as_deref()),
    [u8] => |v| P::Bytes(Cow::Borrowed(v)),
    Vec<u8> => |v| P::Bytes(Cow::Borrowed(v)),
    Option<&[u8]> => |v| P::OptBytes(v.map(Cow::Borrowed)),
    Option<Vec<u8>> => |v| P::OptBytes(v.as_deref().map(Cow::Borrowed)),
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
        Ok(ToSqlOutput::Borrowed(match self {
            P::I64(v) | P::OptI64(Some(v)) => ValueRef::Integer(*v),
            P::F64(v) | P::OptF64(Some(v)) => ValueRef::Real(*v),
            P::Bool(v) | P::OptBool(Some(v)) => ValueRef::Integer((*v).into()),
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

impl<'a> P<'a> {
    /// Borrowed text.
    pub(crate) fn str(s: &'a str) -> Self {
        P::Str(Cow::Borrowed(s))
    }

    /// Borrowed text or NULL.
    pub(crate) fn opt_str(s: Option<&'a str>) -> Self {
        P::OptStr(s.map(Cow::Borrowed))
    }

    /// The same value, owned: for a statement run by another task (the SQLite writer).
    pub(crate) fn to_static(&self) -> P<'static> {
        fn owned<T: ToOwned + ?Sized>(v: &T) -> Cow<'static, T> {
            Cow::Owned(v.to_owned())
        }
        match self {
            P::I64(v) => P::I64(*v),
            P::OptI64(v) => P::OptI64(*v),
            P::F64(v) => P::F64(*v),
            P::OptF64(v) => P::OptF64(*v),
            P::Bool(v) => P::Bool(*v),
            P::OptBool(v) => P::OptBool(*v),
            P::Str(v) => P::Str(owned(v)),
            P::OptStr(v) => P::OptStr(v.as_deref().map(owned)),
            P::Bytes(v) => P::Bytes(owned(v)),
            P::OptBytes(v) => P::OptBytes(v.as_deref().map(owned)),
        }
    }

    /// The value as tokio-postgres binds it.
    fn value(&self) -> &(dyn ToSql + Sync) {
        match self {
            P::I64(v) => v,
            P::OptI64(v) => v,
            P::F64(v) => v,
            P::OptF64(v) => v,
            P::Bool(v) => v,
            P::OptBool(v) => v,
            P::Str(v) => v,
            P::OptStr(v) => v,
            P::Bytes(v) => v,
            P::OptBytes(v) => v,
        }
    }

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
    /// The inner value, checked against `ty` as well: `to_sql` needs a sized value, and the
    /// driver calls [`ToSql::to_sql_checked`] anyway.
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        self.value().to_sql_checked(ty, out)
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
        self.value().to_sql_checked(ty, out)
    }
}

/// The tracing target of the per-statement events of both drivers (tests count them).
pub const STATEMENT_TARGET: &str = "playgate_store::statement";
