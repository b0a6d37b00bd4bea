//! The storage contract of games ([`GameStore`]).

use async_trait::async_trait;

use crate::Result;
use crate::crypto::SecretHash;
use crate::ids::GameId;

use super::{Game, NewGameRecord};

/// Persistence of games and their credentials.
#[async_trait]
pub trait GameStore: Send + Sync {
    /// Inserts a game; `Conflict` if the client id is taken.
    async fn insert_game(&self, rec: NewGameRecord) -> Result<Game>;
    /// Number of games.
    async fn count_games(&self) -> Result<i64>;
    /// All games, by id.
    async fn list_games(&self) -> Result<Vec<Game>>;
    /// One game by id.
    async fn game_by_id(&self, id: GameId) -> Result<Option<Game>>;
    /// One game by its client id.
    async fn game_by_client_id(&self, client_id: &str) -> Result<Option<Game>>;
    /// Replaces the client secret's hash; `NotFound` if no such game.
    async fn set_game_secret(&self, id: GameId, hash: &SecretHash) -> Result<Game>;
    /// Enables or disables; `NotFound` if no such game.
    async fn set_game_enabled(&self, id: GameId, enabled: bool) -> Result<Game>;
}
