//! A game's store items and the users' purchases of them.

use crate::Result;
use crate::clock::Timestamp;
use crate::ids::{GameId, PlayerId};
use async_trait::async_trait;

/// An item of a game's store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreItem {
    pub id: i64,
    pub game_id: GameId,
    pub name: String,
    pub description: String,
    pub category: String,
    pub cost: i64,
    pub icon_url: Option<String>,
}

/// A store item to add.
#[derive(Debug, Clone, Default)]
pub struct NewStoreItem {
    pub name: String,
    pub description: String,
    pub category: String,
    pub cost: i64,
    pub icon_url: Option<String>,
}

/// A user's credits and owned items after a purchase or its removal.
#[derive(Debug, Clone)]
pub struct Owned {
    pub credits: i64,
    pub items: Vec<StoreItem>,
}

/// Persistence of a game's store items and users' purchases.
#[async_trait]
pub trait StoreItemStore: Send + Sync {
    /// The game's store items, by id.
    async fn store_items(&self, game: GameId) -> Result<Vec<StoreItem>>;
    /// Adds a store item.
    async fn insert_store_item(&self, game: GameId, item: &NewStoreItem, now: Timestamp) -> Result<StoreItem>;
    /// Deletes a store item of `game` and its purchases; whether it existed.
    async fn delete_store_item(&self, game: GameId, id: i64) -> Result<bool>;
    /// The items the user owns, by item id.
    async fn purchases(&self, player: PlayerId) -> Result<Vec<StoreItem>>;
    /// Buys an item of `game` in one transaction: `NotFound` if no such item, `Forbidden`
    /// if already owned or credits are short (nothing changed).
    async fn purchase(&self, game: GameId, player: PlayerId, item: i64, now: Timestamp) -> Result<Owned>;
    /// Revokes ownership (`NotFound` if not owned), refunding the cost if `reimburse`.
    async fn remove_purchase(&self, player: PlayerId, item: i64, reimburse: bool) -> Result<Owned>;
}
