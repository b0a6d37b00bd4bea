//! Rows of either driver, read by column name ([`Row`], [`FromRow`], declared with
//! [`row!`]): a column list in another order still fills the right fields. A row can also
//! be a JSON object (an element of PostgreSQL's `json_agg`, [`json_rows`]), read by the
//! same declarations, so a statement that returns several lists at once decodes each list
//! with its own row type.

use std::cell::Cell;

use playgate_core::{Error, Result};
use serde::de::DeserializeOwned;
use tokio_postgres::types::{FromSql, Type};

use crate::db_err;
use crate::error::lite_err;

/// A column type both drivers decode, and JSON too.
pub(crate) trait Value: rusqlite::types::FromSql + for<'r> FromSql<'r> + DeserializeOwned {}
impl<T: rusqlite::types::FromSql + for<'r> FromSql<'r> + DeserializeOwned> Value for T {}

type JsonObject = serde_json::Map<String, serde_json::Value>;

#[derive(Clone, Copy)]
enum Inner<'r> {
    Lite(&'r rusqlite::Row<'r>),
    Pg(&'r tokio_postgres::Row),
    Json(&'r JsonObject),
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

    fn json(o: &'r JsonObject) -> Row<'r> {
        Row {
            inner: Inner::Json(o),
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
            Inner::Json(o) => o.len(),
        }
    }

    fn name(&self, i: usize) -> &str {
        match self.inner {
            Inner::Lite(r) => r.as_ref().column_name(i).unwrap_or_default(),
            Inner::Pg(r) => r.columns().get(i).map_or("", tokio_postgres::Column::name),
            Inner::Json(o) => o.keys().nth(i).map_or("", String::as_str),
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
        match self.inner {
            Inner::Json(o) => o.contains_key(&format!("{}{name}", self.prefix)),
            _ => self.index(name).is_some(),
        }
    }

    /// The column `name` (after the prefix); an error if the row has no such column or its
    /// value is not a `T`.
    pub(crate) fn get<T: Value>(&self, name: &str) -> Result<T> {
        if let Inner::Json(o) = self.inner {
            let key = format!("{}{name}", self.prefix);
            let Some(v) = o.get(&key) else {
                return Err(Error::internal(format!("the row has no column {key}")));
            };
            return json_value(v);
        }
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
            Inner::Json(o) => match o.values().nth(i) {
                Some(v) => json_value(v),
                None => Err(Error::internal(format!("the row has no column {i}"))),
            },
        }
    }
}

/// A JSON value as a column type: numbers, strings, booleans and null as they come.
fn json_value<T: Value>(v: &serde_json::Value) -> Result<T> {
    T::deserialize(v).map_err(|e| Error::internal(format!("a JSON column: {e}")))
}

/// The rows of a JSON array of objects (PostgreSQL's `json_agg` of a subquery's rows,
/// sent as text), each read by `R`'s column names.
pub(crate) fn json_rows<R: FromRow>(text: &str) -> Result<Vec<R>> {
    let rows: Vec<JsonObject> =
        serde_json::from_str(text).map_err(|e| Error::internal(format!("a JSON list of rows: {e}")))?;
    rows.iter().map(|o| R::from_row(&Row::json(o))).collect()
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
        if let Inner::Json(o) = r.inner {
            return Ok(JsonRow(o.clone()));
        }
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
                Inner::Json(_) => continue,
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
pub(crate) struct Scalar<T>(pub(crate) T);

impl<T: Value> FromRow for Scalar<T> {
    fn from_row(r: &Row<'_>) -> Result<Self> {
        if r.len() != 1 {
            return Err(Error::internal("a scalar query must select one column"));
        }
        r.at(0).map(Scalar)
    }
}

/// Declares a row struct and its [`FromRow`], which reads each field from the column of
/// the same name: `row! { pub(crate) struct GameRow { id: i64, name: String } }`. A field
/// marked `#[flatten]` is a row of its own, read from the same columns.
macro_rules! row {
    (@field $r:ident, $field:ident, $ty:ty) => {
        $r.get(stringify!($field))?
    };
    (@field $r:ident, $field:ident, $ty:ty, flatten) => {
        <$ty as $crate::row::FromRow>::from_row($r)?
    };
    ($(#[$m:meta])* $vis:vis struct $name:ident { $($(#[$how:ident])? $fvis:vis $field:ident: $ty:ty),* $(,)? }) => {
        $(#[$m])*
        $vis struct $name {
            $($fvis $field: $ty,)*
        }

        impl $crate::row::FromRow for $name {
            fn from_row(r: &$crate::row::Row<'_>) -> playgate_core::Result<Self> {
                Ok($name {
                    $($field: $crate::row::row!(@field r, $field, $ty $(, $how)?),)*
                })
            }
        }
    };
}
pub(crate) use row;

#[cfg(test)]
mod tests {
    use super::*;

    row! {
        struct Pair {
            id: i64,
            name: Option<String>,
            score: f64,
        }
    }

    #[test]
    fn json_rows_are_read_by_column_name() {
        let rows: Vec<Pair> =
            json_rows(r#"[{"score": 2, "name": null, "id": 7}, {"name": "b", "id": 8, "score": 1.5, "extra": true}]"#)
                .expect("rows");
        let got: Vec<_> = rows.into_iter().map(|p| (p.id, p.name, p.score)).collect();
        assert_eq!(got, [(7, None, 2.0), (8, Some("b".to_owned()), 1.5)]);
    }

    #[test]
    fn a_missing_or_mistyped_json_column_is_an_error() {
        let missing = json_rows::<Pair>(r#"[{"id": 1, "score": 0}]"#).map(|_| ());
        assert!(missing.is_err_and(|e| e.to_string().contains("name")));
        let mistyped = json_rows::<Pair>(r#"[{"id": "1", "name": null, "score": 0}]"#).map(|_| ());
        assert!(mistyped.is_err());
        assert!(json_rows::<Pair>("not json").is_err());
    }
}
