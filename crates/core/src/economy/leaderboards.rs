//! Leaderboards: scored entries by leaderboard name.

use crate::client_users::ClientUser;
use crate::clock::Clock;
use crate::clock::Timestamp;
use crate::economy::{check_key, check_value};
use crate::ids::{GameId, PlayerId};
use crate::{Error, Result, Unauthorized};
use std::sync::Arc;

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

/// The leaderboards service: entries recorded by users, boards read by the users of the
/// same game.
#[derive(Clone)]
pub struct Leaderboards {
    store: Arc<dyn LeaderboardStore>,
    clock: Arc<dyn Clock>,
}

impl Leaderboards {
    /// The service over its store.
    pub fn new(store: Arc<dyn LeaderboardStore>, clock: Arc<dyn Clock>) -> Self {
        Leaderboards { store, clock }
    }

    /// Records an entry of `user`; a leaderboard exists by being named.
    pub async fn add(
        &self,
        user: &ClientUser,
        leaderboard_name: &str,
        score: i64,
        extra_attributes: Option<String>,
        metadata: Option<String>,
    ) -> Result<()> {
        check_key("leaderboard_name", leaderboard_name)?;
        for (f, v) in [("extra_attributes", &extra_attributes), ("metadata", &metadata)] {
            if let Some(v) = v {
                check_value(f, v)?;
            }
        }
        self.store
            .add_leaderboard_entry(&NewLeaderboardEntry {
                game_id: user.game_id,
                player_id: user.id,
                leaderboard_name: leaderboard_name.to_owned(),
                score,
                extra_attributes,
                metadata,
                created_at: self.clock.now(),
            })
            .await
    }

    /// Deletes the user's entries on a leaderboard.
    pub async fn clear(&self, user: &ClientUser, leaderboard_name: &str) -> Result<()> {
        check_key("leaderboard_name", leaderboard_name)?;
        self.store.clear_leaderboard(user.id, leaderboard_name).await?;
        Ok(())
    }

    /// The entries of game `game` (or of one of its users), best first, as a user of
    /// `reader` reads them: another game's board is not readable.
    pub async fn read(&self, reader: GameId, game: GameId, filter: BoardFilter) -> Result<Vec<LeaderboardEntry>> {
        if game != reader {
            return Err(Error::Unauthorized(Unauthorized::OtherGameLeaderboards));
        }
        self.store
            .leaderboard(&LeaderboardQuery {
                game_id: game,
                leaderboard_name: filter.leaderboard_name,
                player_id: filter.player,
                limit: clamp_limit(filter.limit)?,
                one_per_user: filter.one_per_user,
            })
            .await
    }
}

/// Which entries of a game [`Leaderboards::read`] lists.
#[derive(Debug, Clone, Default)]
pub struct BoardFilter {
    /// One board, or all.
    pub leaderboard_name: Option<String>,
    /// One user's entries, or everyone's.
    pub player: Option<PlayerId>,
    /// At most this many ([`DEFAULT_LEADERBOARD_LIMIT`] when `None`).
    pub limit: Option<i64>,
    /// Only each user's best entry.
    pub one_per_user: bool,
}

fn clamp_limit(limit: Option<i64>) -> Result<i64> {
    match limit {
        None => Ok(DEFAULT_LEADERBOARD_LIMIT),
        Some(n) if n < 1 => Err(Error::invalid("limit", "must be at least 1")),
        Some(n) => Ok(n.min(MAX_LEADERBOARD_LIMIT)),
    }
}
