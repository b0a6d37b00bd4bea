//! Leaderboards: scored entries by leaderboard name.

use crate::Result;
use crate::clock::Timestamp;
use crate::ids::{GameId, PlayerId};
use async_trait::async_trait;

/// A leaderboard entry as stored.
#[derive(Debug, Clone)]
pub struct LeaderboardEntry {
    pub id: i64,
    pub player_id: PlayerId,
    pub username: String,
    pub leaderboard_name: String,
    pub score: i64,
    /// The raw text the client sent (not necessarily JSON).
    pub extra_attributes: Option<String>,
    /// A `metadata` object's JSON text.
    pub metadata: Option<String>,
    pub created_at: Timestamp,
}

/// A leaderboard entry to record.
#[derive(Debug, Clone)]
pub struct NewLeaderboardEntry {
    pub game_id: GameId,
    pub player_id: PlayerId,
    pub leaderboard_name: String,
    pub score: i64,
    pub extra_attributes: Option<String>,
    pub metadata: Option<String>,
    pub created_at: Timestamp,
}

/// Which entries to list.
#[derive(Debug, Clone)]
pub struct LeaderboardQuery {
    pub game_id: GameId,
    pub leaderboard_name: Option<String>,
    pub player_id: Option<PlayerId>,
    pub limit: i64,
    /// Only each user's best entry.
    pub one_per_user: bool,
}

/// Entries listed when the client gives no `limit`.
pub const DEFAULT_LEADERBOARD_LIMIT: i64 = 100;

/// The most entries one call lists.
pub const MAX_LEADERBOARD_LIMIT: i64 = 1000;

/// Persistence of leaderboard entries.
#[async_trait]
pub trait LeaderboardStore: Send + Sync {
    /// Records a leaderboard entry.
    async fn add_leaderboard_entry(&self, e: &NewLeaderboardEntry) -> Result<()>;
    /// Deletes the user's entries on a leaderboard; how many.
    async fn clear_leaderboard(&self, player: PlayerId, name: &str) -> Result<u64>;
    /// Entries by score descending (ties: older first), as the query selects.
    async fn leaderboard(&self, q: &LeaderboardQuery) -> Result<Vec<LeaderboardEntry>>;
}
