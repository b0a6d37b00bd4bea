//! Row types of GameFuse's tables.

use playgate_core::clock::Timestamp;
use playgate_core::gamefuse::GfUser;
use playgate_core::gamefuse::economy::{LeaderboardEntry, StoreItem};
use playgate_core::ids::{GameId, PlayerId};

use crate::exec::row;

/// The columns of [`GfUserRow`].
macro_rules! gf_user_cols {
    () => {
        "player_id, game_id, display_email, username, credits, score, number_of_logins, last_login, \
         events_total, events_month, game_sessions_total, game_sessions_month, month, created_at"
    };
}
pub(crate) use gf_user_cols;

row! {
    pub(crate) struct GfUserRow {
    player_id: i64,
    game_id: i64,
    display_email: String,
    username: String,
    credits: i64,
    score: i64,
    number_of_logins: i64,
    last_login: Option<i64>,
    events_total: i64,
    events_month: i64,
    game_sessions_total: i64,
    game_sessions_month: i64,
    month: String,
    created_at: i64,}
}

impl From<GfUserRow> for GfUser {
    fn from(r: GfUserRow) -> GfUser {
        GfUser {
            id: PlayerId(r.player_id),
            game_id: GameId(r.game_id),
            display_email: r.display_email,
            username: r.username,
            credits: r.credits,
            score: r.score,
            number_of_logins: r.number_of_logins,
            last_login: r.last_login.map(Timestamp),
            events_total: r.events_total,
            events_month: r.events_month,
            game_sessions_total: r.game_sessions_total,
            game_sessions_month: r.game_sessions_month,
            month: r.month,
            created_at: Timestamp(r.created_at),
        }
    }
}

/// The columns of [`StoreItemRow`] (qualified by `i.`).
macro_rules! item_cols {
    () => {
        "i.id, i.game_id, i.name, i.description, i.category, i.cost, i.icon_url"
    };
}
pub(crate) use item_cols;

row! {
    pub(crate) struct StoreItemRow {
    id: i64,
    game_id: i64,
    name: String,
    description: String,
    category: String,
    cost: i64,
    icon_url: Option<String>,}
}

impl From<StoreItemRow> for StoreItem {
    fn from(r: StoreItemRow) -> StoreItem {
        StoreItem {
            id: r.id,
            game_id: GameId(r.game_id),
            name: r.name,
            description: r.description,
            category: r.category,
            cost: r.cost,
            icon_url: r.icon_url,
        }
    }
}

row! {
    pub(crate) struct EntryRow {
    id: i64,
    player_id: i64,
    username: String,
    leaderboard_name: String,
    score: i64,
    extra_attributes: Option<String>,
    metadata: Option<String>,
    created_at: i64,}
}

impl From<EntryRow> for LeaderboardEntry {
    fn from(r: EntryRow) -> LeaderboardEntry {
        LeaderboardEntry {
            id: r.id,
            player_id: PlayerId(r.player_id),
            username: r.username,
            leaderboard_name: r.leaderboard_name,
            score: r.score,
            extra_attributes: r.extra_attributes,
            metadata: r.metadata,
            created_at: Timestamp(r.created_at),
        }
    }
}

/// The columns of [`GfUserRow`], qualified by `u.` (for joins).
macro_rules! gf_user_cols_u {
    () => {
        "u.player_id, u.game_id, u.display_email, u.username, u.credits, u.score, u.number_of_logins, \
         u.last_login, u.events_total, u.events_month, u.game_sessions_total, u.game_sessions_month, u.month, \
         u.created_at"
    };
}
pub(crate) use gf_user_cols_u;
