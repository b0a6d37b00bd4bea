//! User attributes: string values under keys, per user.

use crate::economy::{check_key, check_value};
use crate::ids::PlayerId;
use crate::{Error, Result};
use std::sync::Arc;

use async_trait::async_trait;

/// A user attribute: a string value under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAttribute {
    pub id: i64,
    pub key: String,
    pub value: String,
}

/// Persistence of users' attributes.
#[async_trait]
pub trait AttributeStore: Send + Sync {
    /// The user's attributes, by key.
    async fn attributes(&self, player: PlayerId) -> Result<Vec<UserAttribute>>;
    /// Inserts or replaces attributes by key, in one transaction; returns the full list.
    async fn upsert_attributes(&self, player: PlayerId, attrs: &[(String, String)]) -> Result<Vec<UserAttribute>>;
    /// Removes the attributes with these keys; returns how many went, and the full list.
    async fn remove_attributes(&self, player: PlayerId, keys: &[String]) -> Result<(u64, Vec<UserAttribute>)>;
}

/// The attributes service: a user's string values under keys.
#[derive(Clone)]
pub struct Attributes {
    store: Arc<dyn AttributeStore>,
}

impl Attributes {
    /// The service over its store.
    pub fn new(store: Arc<dyn AttributeStore>) -> Self {
        Attributes { store }
    }

    /// The user's attributes, by key.
    pub async fn list(&self, user: PlayerId) -> Result<Vec<UserAttribute>> {
        self.store.attributes(user).await
    }

    /// Inserts or replaces attributes by key; the full list after.
    pub async fn set(&self, user: PlayerId, attrs: Vec<(String, String)>) -> Result<Vec<UserAttribute>> {
        if attrs.is_empty() {
            return Err(Error::invalid("key", "is required (or attributes)"));
        }
        for (k, v) in &attrs {
            check_key("key", k)?;
            check_value("value", v)?;
        }
        self.store.upsert_attributes(user, &attrs).await
    }

    /// Removes attributes by key; `Invalid` when the user has none of them.
    pub async fn remove(&self, user: PlayerId, keys: Vec<String>) -> Result<Vec<UserAttribute>> {
        if keys.is_empty() {
            return Err(Error::invalid("game_user_attribute_key", "is required"));
        }
        let (removed, list) = self.store.remove_attributes(user, &keys).await?;
        if removed == 0 {
            return Err(Error::invalid(
                "game_user_attribute_key",
                "the user has no such attribute",
            ));
        }
        Ok(list)
    }
}
