//! A game's store items and the users' purchases of them with credits.

use crate::client_users::ClientUser;
use crate::clock::{Clock, Timestamp};
use crate::economy::check_value;
use crate::economy::credits::MAX_AMOUNT;
use crate::games::GameAdminStore;
use crate::ids::{GameId, PlayerId};
use crate::{Entity, Error, Result};
use async_trait::async_trait;
use std::sync::Arc;

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

/// The store items service: a game's store, and users' purchases with credits.
#[derive(Clone)]
pub struct StoreItems {
    games: Arc<dyn GameAdminStore>,
    items: Arc<dyn StoreItemStore>,
    clock: Arc<dyn Clock>,
}

impl StoreItems {
    /// The service over its stores.
    pub fn new(games: Arc<dyn GameAdminStore>, items: Arc<dyn StoreItemStore>, clock: Arc<dyn Clock>) -> Self {
        StoreItems { games, items, clock }
    }

    /// The game's store items, by id.
    pub async fn list(&self, game: GameId) -> Result<Vec<StoreItem>> {
        self.items.store_items(game).await
    }

    /// Adds an item to a game's store; `NotFound` if there is no such game.
    pub async fn add(&self, game: GameId, item: NewStoreItem) -> Result<StoreItem> {
        if item.name.trim().is_empty() || item.name.chars().count() > 255 {
            return Err(Error::invalid("name", "is required, at most 255 characters"));
        }
        if !(0..=MAX_AMOUNT).contains(&item.cost) {
            return Err(Error::invalid("cost", "must be between 0 and 10^15"));
        }
        check_value("description", &item.description)?;
        self.games.game(game).await?.ok_or(Error::NotFound(Entity::Game))?;
        self.items.insert_store_item(game, &item, self.clock.now()).await
    }

    /// Deletes an item of a game's store (and its purchases).
    pub async fn delete(&self, game: GameId, id: i64) -> Result<()> {
        if self.items.delete_store_item(game, id).await? {
            Ok(())
        } else {
            Err(Error::NotFound(Entity::StoreItem))
        }
    }

    /// The items a user owns, by item id.
    pub async fn owned(&self, user: PlayerId) -> Result<Vec<StoreItem>> {
        self.items.purchases(user).await
    }

    /// Buys an item of the user's game with credits: `NotFound` for no such item,
    /// `Forbidden` if owned already or credits are short (nothing changed).
    pub async fn purchase(&self, user: &ClientUser, item: i64) -> Result<Owned> {
        self.items.purchase(user.game_id, user.id, item, self.clock.now()).await
    }

    /// Revokes an owned item, refunding its cost when `reimburse`.
    pub async fn remove_purchase(&self, user: PlayerId, item: i64, reimburse: bool) -> Result<Owned> {
        self.items.remove_purchase(user, item, reimburse).await
    }
}
