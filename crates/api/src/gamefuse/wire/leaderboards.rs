//! Leaderboard entries.

use super::{flag, float};
use crate::common::lenient;
use playgate_core::economy::leaderboards::{BoardFilter, LeaderboardEntry};
use playgate_core::ids::PlayerId;
use playgate_core::vendor::gamefuse::iso_millis;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `add_leaderboard_entry` (reference 9.1): `extra_attributes` kept as the raw text sent.
/// `score` may be fractional: the C# SDK sends a double (reference 17.3).
#[derive(Debug, Deserialize, ToSchema)]
pub struct LeaderboardEntryRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub leaderboard_name: Option<String>,
    #[serde(default, deserialize_with = "float")]
    pub score: Option<f64>,
    #[serde(default, deserialize_with = "lenient::string_or_json")]
    pub extra_attributes: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_or_json")]
    pub metadata: Option<String>,
}

/// `clear_my_leaderboard_entries` and the leaderboard queries (reference 9.2-9.4).
#[derive(Debug, Deserialize, ToSchema)]
pub struct LeaderboardQueryRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub leaderboard_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub limit: Option<i64>,
    #[serde(default, deserialize_with = "flag")]
    pub one_per_user: Option<bool>,
}

impl LeaderboardQueryRequest {
    /// The entries it asks for, of every player or of `player` only.
    pub fn filter(self, player: Option<PlayerId>) -> BoardFilter {
        BoardFilter {
            leaderboard_name: self.leaderboard_name,
            player,
            limit: self.limit,
            one_per_user: self.one_per_user.unwrap_or(false),
        }
    }
}

/// `LeaderboardEntry` (reference 1.11). `extra_attributes` is a string, the raw text the
/// client sent (the JS SDK does string operations on it); a `metadata` object's text when
/// only that was sent; `"{}"` when neither.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryOut {
    pub id: i64,
    pub username: String,
    pub score: i64,
    pub leaderboard_name: String,
    pub game_user_id: i64,
    pub extra_attributes: String,
    pub metadata: Option<String>,
    pub created_at: String,
}

impl From<LeaderboardEntry> for EntryOut {
    fn from(e: LeaderboardEntry) -> Self {
        EntryOut {
            id: e.id,
            username: e.username,
            score: e.score,
            leaderboard_name: e.leaderboard_name,
            game_user_id: e.player_id.0,
            extra_attributes: e
                .extra_attributes
                .or_else(|| e.metadata.clone())
                .unwrap_or_else(|| "{}".to_owned()),
            metadata: e.metadata,
            created_at: iso_millis(e.created_at),
        }
    }
}

/// `{"leaderboard_entries": [...]}` (reference 9.3).
#[derive(Debug, Serialize, ToSchema)]
pub struct EntriesOut {
    pub leaderboard_entries: Vec<EntryOut>,
}

impl EntriesOut {
    pub fn new(v: Vec<LeaderboardEntry>) -> Self {
        EntriesOut {
            leaderboard_entries: v.into_iter().map(EntryOut::from).collect(),
        }
    }
}
