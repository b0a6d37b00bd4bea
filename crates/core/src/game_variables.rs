//! Game variables: key/value settings an operator gives a game, which its clients read.

use crate::economy::{check_key, check_value};
use crate::games::GameAdminStore;
use crate::ids::GameId;
use crate::{Entity, Error, Result};
use async_trait::async_trait;
use std::sync::Arc;

/// A game variable (`game_variables`), set by the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GameVariable {
    pub id: i64,
    pub key: String,
    pub value: String,
}

/// Persistence of games' variables.
#[async_trait]
pub trait GameVariableStore: Send + Sync {
    /// The game's variables, by key.
    async fn game_variables(&self, game: GameId) -> Result<Vec<GameVariable>>;
    /// Sets (inserts or replaces) a game variable.
    async fn set_game_variable(&self, game: GameId, key: &str, value: &str) -> Result<GameVariable>;
    /// Deletes a game variable; whether it existed.
    async fn delete_game_variable(&self, game: GameId, key: &str) -> Result<bool>;
}

/// The game variables service: an operator's key/value settings of a game.
#[derive(Clone)]
pub struct GameVariables {
    games: Arc<dyn GameAdminStore>,
    variables: Arc<dyn GameVariableStore>,
}

impl GameVariables {
    /// The service over its stores.
    pub fn new(games: Arc<dyn GameAdminStore>, variables: Arc<dyn GameVariableStore>) -> Self {
        GameVariables { games, variables }
    }

    /// The game's variables, by key.
    pub async fn list(&self, game: GameId) -> Result<Vec<GameVariable>> {
        self.variables.game_variables(game).await
    }

    /// Sets a game variable; `NotFound` if there is no such game.
    pub async fn set(&self, game: GameId, key: &str, value: &str) -> Result<GameVariable> {
        check_key("key", key)?;
        check_value("value", value)?;
        self.games.game(game).await?.ok_or(Error::NotFound(Entity::Game))?;
        self.variables.set_game_variable(game, key, value).await
    }

    /// Deletes a game variable; `NotFound` if there is none.
    pub async fn delete(&self, game: GameId, key: &str) -> Result<()> {
        if self.variables.delete_game_variable(game, key).await? {
            Ok(())
        } else {
            Err(Error::NotFound(Entity::GameVariable))
        }
    }
}
