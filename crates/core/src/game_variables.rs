//! Game variables: key/value settings an operator gives a game.

use crate::Result;
use crate::ids::GameId;
use async_trait::async_trait;

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
