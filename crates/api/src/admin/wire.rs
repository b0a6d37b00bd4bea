//! The admin API's JSON bodies shared by its resources: game data, list pages, times
//! (accounts' bodies are in `accounts.rs`).
//! Request fields are lenient (a number or a numeric string) like the dialects'.

use playgate_core::Error;
use playgate_core::clock::Timestamp;
use playgate_core::gamefuse::keys::RouteAccess;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::common::lenient;
pub use crate::common::wire::{GameStoreItemOut, MessageOut, VariableOut};

/// A game variable's new value.
#[derive(Deserialize, ToSchema)]
pub struct ValueIn {
    #[serde(default, deserialize_with = "lenient::string")]
    pub value: Option<String>,
}

/// A new store item.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StoreItemIn {
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub cost: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub icon_url: Option<String>,
}

/// A service key; its token only in the answer that created it.
#[derive(Serialize, ToSchema)]
pub struct KeyOut {
    pub id: i64,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// A new service key's name.
#[derive(Deserialize, ToSchema)]
pub struct NameIn {
    #[serde(default)]
    pub name: Option<String>,
}

/// A route switch: whether game users and service keys may call the route.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct RouteIn {
    pub route: String,
    #[serde(default = "yes")]
    pub user_allowed: bool,
    #[serde(default = "yes")]
    pub key_allowed: bool,
}

fn yes() -> bool {
    true
}

impl From<RouteAccess> for RouteIn {
    fn from(a: RouteAccess) -> Self {
        RouteIn {
            route: a.route,
            user_allowed: a.user_allowed,
            key_allowed: a.key_allowed,
        }
    }
}

impl From<RouteIn> for RouteAccess {
    fn from(r: RouteIn) -> Self {
        RouteAccess {
            route: r.route,
            user_allowed: r.user_allowed,
            key_allowed: r.key_allowed,
        }
    }
}

/// A game's new GameFuse token.
#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    pub id: i64,
    pub token: String,
}

/// A page of a list: its items and the cursor of the next page (`null` on the last).
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// A page of `items` in their wire form, with the cursor of the next page.
    pub fn of<U: Into<T>>(items: impl IntoIterator<Item = U>, next_cursor: Option<String>) -> Self {
        Page {
            items: items.into_iter().map(Into::into).collect(),
            next_cursor,
        }
    }
}

/// A time given as RFC 3339 or as Unix seconds; `Invalid(field)` otherwise.
pub fn timestamp(field: &str, s: &str) -> Result<Timestamp, Error> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<i64>() {
        return secs
            .checked_mul(1_000_000_000)
            .map(Timestamp)
            .ok_or_else(|| Error::invalid(field, "is out of range"));
    }
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|_| Error::invalid(field, "must be an RFC 3339 time or Unix seconds"))?;
    i64::try_from(t.unix_timestamp_nanos())
        .map(Timestamp)
        .map_err(|_| Error::invalid(field, "is out of range"))
}

/// A request body read as a JSON object (an empty body reads as `{}`); 413 past the size
/// limit, 400 naming the field otherwise.
pub fn body<T: serde::de::DeserializeOwned>(
    b: Result<bytes::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<T, Error> {
    crate::common::json::read(b, true)
}

/// A request body axum has read (its failures answered by axum) as a JSON object (an empty
/// body reads as `{}`); 400 naming the field.
pub fn parsed<T: serde::de::DeserializeOwned>(b: &bytes::Bytes) -> Result<T, Error> {
    Ok(crate::common::json::parse(b, true)?)
}

/// An optional number in a query, named `field`.
pub fn number<T: std::str::FromStr>(field: &str, v: Option<&str>) -> Result<Option<T>, Error> {
    v.map(|s| s.trim().parse().map_err(|_| Error::invalid(field, "must be a number")))
        .transpose()
}

/// A page size from a query: absent is 0 (the default), `0` refused.
pub fn limit(v: Option<&str>) -> Result<u32, Error> {
    match number::<u32>("limit", v)? {
        None => Ok(0),
        Some(0) => Err(Error::invalid("limit", "must be 1 to 500")),
        Some(n) => Ok(n),
    }
}

/// A field that may be absent (`None`), `null` (`Some(None)`) or a value.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}
