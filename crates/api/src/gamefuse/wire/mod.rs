//! GameFuse wire types, field for field as the reference's shapes (section 1) and in their
//! JSON types: integer ids, real booleans, ISO-8601 times with milliseconds, `null` for
//! "not set". Requests are tolerant: every value may arrive as a string (multipart forms).

mod attributes;
mod chats;
mod credits;
mod friends;
mod games;
mod groups;
mod leaderboards;
mod native;
mod rounds;
mod store_items;
mod test_suite;
mod users;

pub use attributes::*;
pub use chats::*;
pub use credits::*;
pub use friends::*;
pub use games::*;
pub use groups::*;
pub use leaderboards::*;
pub use native::*;
pub use rounds::*;
pub use store_items::*;
pub use test_suite::*;
pub use users::*;

use crate::common::lenient;
pub use crate::common::wire::{GameStoreItemOut, MessageOut};
use playgate_core::clock::Timestamp;
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

/// `true`, `"true"`, `"1"`, `1`; anything else is false; absent is `None`.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(match v {
        serde_json::Value::Null => None,
        serde_json::Value::Bool(b) => Some(b),
        serde_json::Value::Number(n) => Some(n.as_i64() == Some(1)),
        serde_json::Value::String(s) => Some(matches!(s.trim(), "true" | "1" | "yes" | "on")),
        _ => Some(false),
    })
}

/// `game_id` + `game_token`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GameCreds {
    #[serde(default, deserialize_with = "lenient::int")]
    pub game_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub game_token: Option<String>,
}

/// A JSON number, or a string holding one (multipart forms); must be finite.
pub fn float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    use serde::de::Error as _;
    let v = serde_json::Value::deserialize(d)?;
    match v {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Number(n) => n.as_f64().map(Some).ok_or_else(|| D::Error::custom("is not a number")),
        serde_json::Value::String(s) if s.trim().is_empty() => Ok(None),
        serde_json::Value::String(s) => match s.trim().parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Some(f)),
            _ => Err(D::Error::custom("is not a number")),
        },
        _ => Err(D::Error::custom("is not a number")),
    }
}

/// An ISO-8601 time (`2024-07-21T14:23:37.457Z`, `…-04:00`), kept to the nanosecond. One
/// without an offset is UTC: C#'s `ToString("o")` of a time of unspecified kind has none
/// (reference 17.3).
pub fn time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    use serde::de::Error as _;
    use time::format_description::well_known::Rfc3339;
    let v = serde_json::Value::deserialize(d)?;
    match v {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) if s.trim().is_empty() => Ok(None),
        serde_json::Value::String(s) => {
            let s = s.trim();
            let t = time::OffsetDateTime::parse(s, &Rfc3339)
                .or_else(|e| time::OffsetDateTime::parse(&format!("{s}Z"), &Rfc3339).map_err(|_| e))
                .map_err(|_| D::Error::custom("is not an ISO-8601 time"))?;
            i64::try_from(t.unix_timestamp_nanos())
                .map(|n| Some(Timestamp(n)))
                .map_err(|_| D::Error::custom("is out of range"))
        }
        _ => Err(D::Error::custom("is not an ISO-8601 time")),
    }
}

/// A JSON object (or a string holding one), kept as its text; anything else is refused.
pub fn object<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::de::Error as _;
    let v = serde_json::Value::deserialize(d)?;
    match v {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Object(_) => Ok(Some(v.to_string())),
        serde_json::Value::String(s) => match serde_json::from_str::<serde_json::Value>(&s) {
            Ok(o @ serde_json::Value::Object(_)) => Ok(Some(o.to_string())),
            _ => Err(D::Error::custom("must be a JSON object")),
        },
        _ => Err(D::Error::custom("must be a JSON object")),
    }
}

/// `DELETE /unfriend` and the friend list queries: a user id.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UserIdRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub user_id: Option<i64>,
}
