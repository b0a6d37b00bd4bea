//! User attributes: string values under keys, per user.

use crate::Result;
use crate::ids::PlayerId;
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
