//! Game rounds: single-player ones and rounds of a multiplayer container, with rankings.

use crate::Result;
use crate::client_users::ClientUser;
use crate::clock::Timestamp;
use crate::ids::{GameId, PlayerId};
use async_trait::async_trait;

/// A game round. `metadata` is the JSON text as stored.
#[derive(Debug, Clone)]
pub struct GameRound {
    pub id: i64,
    pub game_id: GameId,
    pub player_id: PlayerId,
    pub game_type: String,
    pub start_time: Timestamp,
    pub end_time: Option<Timestamp>,
    pub score: Option<f64>,
    pub place: Option<i64>,
    pub metadata: Option<String>,
    pub multiplayer_id: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Every round of its multiplayer container, by place then score; empty otherwise.
    pub rankings: Vec<Ranking>,
}

/// One entry of a multiplayer round's rankings.
#[derive(Debug, Clone)]
pub struct Ranking {
    pub id: i64,
    pub place: Option<i64>,
    pub score: Option<f64>,
    pub start_time: Timestamp,
    pub end_time: Option<Timestamp>,
    pub user: ClientUser,
}

/// Which multiplayer container a new round joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Multiplayer {
    /// A single-player round.
    No,
    /// A new container, mastered by the caller.
    New(PlayerId),
    /// An existing container.
    Join(i64),
}

/// What the store needs to record a round.
#[derive(Debug, Clone)]
pub struct NewRound {
    pub game_id: GameId,
    pub player_id: PlayerId,
    pub game_type: String,
    pub start_time: Timestamp,
    pub end_time: Option<Timestamp>,
    pub score: Option<f64>,
    pub place: Option<i64>,
    pub metadata: Option<String>,
    pub multiplayer: Multiplayer,
    pub now: Timestamp,
}

/// A round's fields as the client sends them; `None` keeps (or
/// defaults) the value.
#[derive(Debug, Clone, Default)]
pub struct RoundInput {
    pub game_user_id: Option<i64>,
    pub game_type: Option<String>,
    pub start_time: Option<Timestamp>,
    pub end_time: Option<Timestamp>,
    pub score: Option<f64>,
    pub place: Option<i64>,
    /// JSON text of an object.
    pub metadata: Option<String>,
    pub multiplayer: bool,
    pub multiplayer_game_round_id: Option<i64>,
}

/// Changes to a round; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct RoundPatch {
    pub game_type: Option<String>,
    pub start_time: Option<Timestamp>,
    pub end_time: Option<Timestamp>,
    pub score: Option<f64>,
    pub place: Option<i64>,
    pub metadata: Option<String>,
}

/// Persistence of game rounds and their multiplayer containers.
#[async_trait]
pub trait RoundStore: Send + Sync {
    /// Records a round (creating its multiplayer container first if asked); its id.
    async fn insert_round(&self, r: &NewRound) -> Result<i64>;
    /// The master of a multiplayer container of `game`.
    async fn multiplayer_master(&self, game: GameId, id: i64) -> Result<Option<PlayerId>>;
    /// Rounds of `game` by id, with rankings for multiplayer ones.
    async fn rounds(&self, game: GameId, ids: &[i64]) -> Result<Vec<GameRound>>;
    /// A user's rounds, oldest first, with rankings for multiplayer ones.
    async fn rounds_of(&self, player: PlayerId, limit: i64, offset: i64) -> Result<Vec<GameRound>>;
    /// Changes a round.
    async fn update_round(&self, id: i64, patch: &RoundPatch, now: Timestamp) -> Result<()>;
    /// Deletes a round; whether it existed.
    async fn delete_round(&self, id: i64) -> Result<bool>;
}
