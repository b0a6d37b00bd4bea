//! Game variables, not yet a service of its own.

use super::Gamefuse;
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
}
