//! Users' attributes.

use crate::common::lenient;
use playgate_core::economy::attributes::UserAttribute;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One attribute of a batch.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AttributeIn {
    #[serde(default, deserialize_with = "lenient::string")]
    pub key: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_or_json")]
    pub value: Option<String>,
}

/// `POST /users/{id}/add_game_user_attribute` (reference 6.1): one pair, a batch, or both.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AddAttributesRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub key: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_or_json")]
    pub value: Option<String>,
    #[serde(default)]
    pub attributes: Option<Vec<AttributeIn>>,
}

/// Keys to remove (reference 6.2/6.3): `game_user_attribute_key=K`,
/// `game_user_attribute_keys[]=a&…`, or `game_user_attribute_keys` as a JSON array (or
/// its text).
#[derive(Debug, Deserialize, ToSchema)]
pub struct RemoveAttributesRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub game_user_attribute_key: Option<String>,
    #[serde(default)]
    pub game_user_attribute_keys: Option<serde_json::Value>,
}

impl RemoveAttributesRequest {
    /// Every key named, in any of the forms.
    pub fn keys(self) -> Vec<String> {
        let mut keys: Vec<String> = self.game_user_attribute_key.into_iter().collect();
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        match self.game_user_attribute_keys {
            Some(serde_json::Value::Array(a)) => keys.extend(a.iter().filter_map(text)),
            Some(serde_json::Value::String(s)) => match serde_json::from_str::<serde_json::Value>(&s) {
                Ok(serde_json::Value::Array(a)) => keys.extend(a.iter().filter_map(text)),
                _ => keys.push(s),
            },
            _ => {}
        }
        keys
    }
}

/// `GameUserAttribute` (reference 1.12).
#[derive(Debug, Serialize, ToSchema)]
pub struct AttributeOut {
    pub id: i64,
    pub key: String,
    pub value: String,
}

impl From<UserAttribute> for AttributeOut {
    fn from(a: UserAttribute) -> Self {
        AttributeOut {
            id: a.id,
            key: a.key,
            value: a.value,
        }
    }
}

pub(super) fn attributes(v: Vec<UserAttribute>) -> Vec<AttributeOut> {
    v.into_iter().map(AttributeOut::from).collect()
}

/// `{"game_user_attributes": [...]}` (reference 6).
#[derive(Debug, Serialize, ToSchema)]
pub struct AttributesOut {
    pub game_user_attributes: Vec<AttributeOut>,
}

impl AttributesOut {
    pub fn new(v: Vec<UserAttribute>) -> Self {
        AttributesOut {
            game_user_attributes: attributes(v),
        }
    }
}
