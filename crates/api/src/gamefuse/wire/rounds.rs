//! Game rounds and rankings.

use super::{UserPublicOut, flag, float, object, time};
use crate::common::lenient;
use playgate_core::clock::Timestamp;
use playgate_core::rounds::{GameRound, Ranking};
use playgate_core::vendor::gamefuse::iso_millis;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A game round's fields (reference 13.2/13.3), nested under `game_round` or flat.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RoundRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub game_user_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub game_type: Option<String>,
    /// ISO 8601 time, or Unix seconds.
    #[serde(default, deserialize_with = "time")]
    #[schema(value_type = Option<String>)]
    pub start_time: Option<Timestamp>,
    /// ISO 8601 time, or Unix seconds.
    #[serde(default, deserialize_with = "time")]
    #[schema(value_type = Option<String>)]
    pub end_time: Option<Timestamp>,
    #[serde(default, deserialize_with = "float")]
    pub score: Option<f64>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub place: Option<i64>,
    #[serde(default, deserialize_with = "object")]
    pub metadata: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    pub multiplayer: Option<bool>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub multiplayer_game_round_id: Option<i64>,
}

/// `GET /game_rounds?user_id=&page=&per_page=` (reference 13.6).
#[derive(Debug, Deserialize, ToSchema)]
pub struct RoundsQuery {
    #[serde(default, deserialize_with = "lenient::int")]
    pub user_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub page: Option<i64>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub per_page: Option<i64>,
}

/// `Ranking` (reference 1.10).
#[derive(Debug, Serialize, ToSchema)]
pub struct RankingOut {
    pub id: i64,
    pub place: Option<i64>,
    pub score: Option<f64>,
    pub start_time: String,
    pub end_time: Option<String>,
    pub user: UserPublicOut,
}

impl From<Ranking> for RankingOut {
    fn from(r: Ranking) -> Self {
        RankingOut {
            id: r.id,
            place: r.place,
            score: r.score,
            start_time: iso_millis(r.start_time),
            end_time: r.end_time.map(iso_millis),
            user: UserPublicOut::new(&r.user),
        }
    }
}

/// `GameRound` (reference 1.10): `score` a JSON number, `metadata` an object, `rankings`
/// whenever the round is multiplayer.
#[derive(Debug, Serialize, ToSchema)]
pub struct GameRoundOut {
    pub id: i64,
    pub game_id: i64,
    pub game_user_id: i64,
    pub game_type: String,
    pub start_time: String,
    pub end_time: Option<String>,
    pub score: Option<f64>,
    pub place: Option<i64>,
    pub metadata: Option<serde_json::Value>,
    pub multiplayer_game_round_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rankings: Option<Vec<RankingOut>>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<GameRound> for GameRoundOut {
    fn from(r: GameRound) -> Self {
        GameRoundOut {
            id: r.id,
            game_id: r.game_id.0,
            game_user_id: r.player_id.0,
            game_type: r.game_type,
            start_time: iso_millis(r.start_time),
            end_time: r.end_time.map(iso_millis),
            score: r.score,
            place: r.place,
            // Stored only after being checked as an object; unreadable text reads as null.
            metadata: r.metadata.and_then(|m| serde_json::from_str(&m).ok()),
            multiplayer_game_round_id: r.multiplayer_id,
            rankings: r
                .multiplayer_id
                .map(|_| r.rankings.into_iter().map(RankingOut::from).collect()),
            created_at: iso_millis(r.created_at),
            updated_at: iso_millis(r.updated_at),
        }
    }
}

/// `{"game_rounds": [...]}` (reference 13.6).
#[derive(Debug, Serialize, ToSchema)]
pub struct GameRoundsOut {
    pub game_rounds: Vec<GameRoundOut>,
}
