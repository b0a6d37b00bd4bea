//! The rest of the economy around a GameFuse user, not yet a service of its own: game
//! variables, store items and purchases.

use super::Gamefuse;
use crate::client_users::ClientUser;
use crate::economy::credits::MAX_AMOUNT;
use crate::economy::store_items::{NewStoreItem, Owned, StoreItem};
use crate::economy::{check_key, check_value};
use crate::game::Game;
use crate::game_variables::GameVariable;
use crate::ids::GameId;
use crate::{Entity, Error, Result};

impl Gamefuse {
    /// The game's variables.
    pub async fn game_variables(&self, game: &Game) -> Result<Vec<GameVariable>> {
        self.store().game_variables(game.id).await
    }

    /// Sets a game variable (operator).
    pub async fn set_game_variable(&self, game: GameId, key: &str, value: &str) -> Result<GameVariable> {
        check_key("key", key)?;
        check_value("value", value)?;
        self.existing_game(game).await?;
        self.store().set_game_variable(game, key, value).await
    }

    /// Deletes a game variable (operator); `NotFound` if there is none.
    pub async fn delete_game_variable(&self, game: GameId, key: &str) -> Result<()> {
        if self.store().delete_game_variable(game, key).await? {
            Ok(())
        } else {
            Err(Error::NotFound(Entity::GameVariable))
        }
    }

    /// A game by id, enabled or not (operator tools).
    pub async fn existing_game(&self, game: GameId) -> Result<Game> {
        self.core
            .store
            .game_by_id(game)
            .await?
            .ok_or(Error::NotFound(Entity::Game))
    }

    /// The game's store items.
    pub async fn store_items(&self, game: &Game) -> Result<Vec<StoreItem>> {
        self.store().store_items(game.id).await
    }

    /// Adds a store item (operator, test suite).
    pub async fn add_store_item(&self, game: GameId, item: NewStoreItem) -> Result<StoreItem> {
        if item.name.trim().is_empty() || item.name.chars().count() > 255 {
            return Err(Error::invalid("name", "is required, at most 255 characters"));
        }
        if !(0..=MAX_AMOUNT).contains(&item.cost) {
            return Err(Error::invalid("cost", "must be between 0 and 10^15"));
        }
        check_value("description", &item.description)?;
        self.existing_game(game).await?;
        self.store().insert_store_item(game, &item, self.now()).await
    }

    /// Deletes a store item (operator).
    pub async fn delete_store_item(&self, game: GameId, id: i64) -> Result<()> {
        if self.store().delete_store_item(game, id).await? {
            Ok(())
        } else {
            Err(Error::NotFound(Entity::StoreItem))
        }
    }

    /// The items a user owns.
    pub async fn purchases(&self, user: &ClientUser) -> Result<Vec<StoreItem>> {
        self.store().purchases(user.id).await
    }

    /// Buys a store item of the user's game with credits (reference 7.2).
    pub async fn purchase(&self, user: &ClientUser, item: i64) -> Result<Owned> {
        self.store().purchase(user.game_id, user.id, item, self.now()).await
    }

    /// Revokes an owned item, refunding its cost when `reimburse` (reference 7.3).
    pub async fn remove_purchase(&self, user: &ClientUser, item: i64, reimburse: bool) -> Result<Owned> {
        self.store().remove_purchase(user.id, item, reimburse).await
    }
}
