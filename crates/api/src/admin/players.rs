//! A game's players, under `/admin/v1/games/{game}/players`: search, show, ban and unban,
//! erase (with a confirmation), export, and their sessions (list, end all). A player is
//! named by the game's own id for it: the KGeN `user_id`, or a GameFuse user's id (or its
//! e-mail). A player of another game is not found.

use axum::Json;
use axum::extract::{Path, Query, State};
use bytes::Bytes;
use playgate_core::Error;
use playgate_core::client_users::ClientUser;
use playgate_core::clock::Timestamp;
use playgate_core::player::{Ban, LinkedAccount, Player};
use playgate_core::players::{
    PlayerHit, PlayerOverview, PlayerSearch, SessionCursor, SessionQuery, SessionStateFilter, SessionSummary,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::paths::{GamePath, PlayerPath};
use super::sessions::SessionJson;
use super::wire::{Page, parsed};
use super::{Admin, AdminError, Viewer};
use crate::common::lenient;
use crate::common::state::AppState;
use crate::common::time::rfc3339;
use crate::common::wire::ProfileJson;

/// A page size from the query: 1 to the maximum, `None` for the default.
fn page_limit(raw: Option<&str>) -> Result<u32, AdminError> {
    let max = playgate_core::players::PAGE_MAX;
    match raw.map(str::trim) {
        None | Some("") => Ok(0),
        Some(s) => match s.parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(Error::invalid("limit", format_args!("must be 1 to {max}")).into()),
        },
    }
}

/// The filters of the player search; every one optional.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlayerQuery {
    /// Players whose user id, username, e-mail, wallet address, linked account (public id
    /// or user name) or GameFuse id starts with this (any case).
    q: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Players per page, 1 to 200 (default 50).
    limit: Option<String>,
}

/// The platform account a player is linked to.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkJson {
    /// The account's public id.
    public_id: String,
    wallet_address: String,
    phone: String,
}

impl From<&LinkedAccount> for LinkJson {
    fn from(a: &LinkedAccount) -> Self {
        LinkJson {
            public_id: a.public_id.clone(),
            wallet_address: a.wallet_address.clone(),
            phone: a.phone.clone(),
        }
    }
}

/// A ban.
#[derive(Debug, Serialize, ToSchema)]
pub struct BanJson {
    /// The operator's reason.
    reason: String,
    /// When (RFC 3339, UTC).
    at: String,
}

impl From<&Ban> for BanJson {
    fn from(b: &Ban) -> Self {
        BanJson {
            reason: b.reason.clone(),
            at: rfc3339(b.at),
        }
    }
}

/// A player as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlayerListed {
    /// The game's id for the player (a GameFuse user's normalised e-mail).
    user_id: String,
    /// Its GameFuse user id, if it is a GameFuse user.
    gamefuse_id: Option<i64>,
    username: String,
    email: String,
    /// Its custodial wallet's address (never the key).
    wallet_address: String,
    /// The linked platform account's public id.
    linked_account: Option<String>,
    banned: bool,
    /// RFC 3339, UTC.
    created_at: String,
}

impl From<PlayerHit> for PlayerListed {
    fn from(h: PlayerHit) -> Self {
        let p = h.player;
        PlayerListed {
            gamefuse_id: h.client_user.then_some(p.id.0),
            user_id: p.user_id.as_str().to_owned(),
            username: p.profile.username,
            email: p.profile.email,
            wallet_address: p.wallet_address,
            linked_account: p.linked.map(|l| l.public_id),
            banned: p.ban.is_some(),
            created_at: rfc3339(p.created_at),
        }
    }
}

/// A GameFuse user's own data and counters.
#[derive(Debug, Serialize, ToSchema)]
pub struct GamefuseUserJson {
    /// Its GameFuse id.
    id: i64,
    username: String,
    /// The e-mail as signed up with.
    display_email: String,
    credits: i64,
    score: i64,
    number_of_logins: i64,
    /// RFC 3339, UTC.
    last_login: Option<String>,
    events_total: i64,
    events_current_month: i64,
    game_sessions_total: i64,
    game_sessions_current_month: i64,
}

impl GamefuseUserJson {
    fn new(u: ClientUser, now: Timestamp) -> Self {
        let (events_month, sessions_month) = u.current_month(now);
        GamefuseUserJson {
            id: u.id.0,
            username: u.username,
            display_email: u.display_email,
            credits: u.credits,
            score: u.score,
            number_of_logins: u.number_of_logins,
            last_login: u.last_login.map(rfc3339),
            events_total: u.events_total,
            events_current_month: events_month,
            game_sessions_total: u.game_sessions_total,
            game_sessions_current_month: sessions_month,
        }
    }
}

/// A player's sessions in figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionSummaryJson {
    /// Sessions ever started.
    total: i64,
    /// Sessions in state `active`.
    active: i64,
    /// When the latest started (RFC 3339, UTC).
    last_started_at: Option<String>,
}

impl From<SessionSummary> for SessionSummaryJson {
    fn from(s: SessionSummary) -> Self {
        SessionSummaryJson {
            total: s.total,
            active: s.active,
            last_started_at: s.last_started_at.map(rfc3339),
        }
    }
}

/// One player: profile, wallet address (never the key), link, ban, GameFuse data and
/// counters, sessions in figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlayerJson {
    user_id: String,
    /// Its GameFuse user id, if it is a GameFuse user.
    gamefuse_id: Option<i64>,
    game_id: i64,
    profile: ProfileJson,
    wallet_address: String,
    link: Option<LinkJson>,
    /// Its ban, or null.
    ban: Option<BanJson>,
    /// Its GameFuse data, if it is a GameFuse user.
    gamefuse: Option<GamefuseUserJson>,
    sessions: SessionSummaryJson,
    /// RFC 3339, UTC.
    created_at: String,
}

impl PlayerJson {
    fn new(o: PlayerOverview, now: Timestamp) -> Self {
        let p = o.player;
        PlayerJson {
            gamefuse_id: o.client_user.as_ref().map(|u| u.id.0),
            gamefuse: o.client_user.map(|u| GamefuseUserJson::new(u, now)),
            user_id: p.user_id.as_str().to_owned(),
            game_id: p.game_id.0,
            link: p.linked.as_ref().map(LinkJson::from),
            ban: p.ban.as_ref().map(BanJson::from),
            profile: p.profile.into(),
            wallet_address: p.wallet_address,
            sessions: o.sessions.into(),
            created_at: rfc3339(p.created_at),
        }
    }
}

/// A ban's reason.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BanIn {
    /// Why (required, at most 500 characters); the player's client is shown it where its
    /// API has room for a message.
    #[serde(default, deserialize_with = "lenient::string")]
    reason: Option<String>,
}

/// The answer to a ban or unban.
#[derive(Debug, Serialize, ToSchema)]
pub struct BanOut {
    user_id: String,
    banned: bool,
    /// The ban in force, or null.
    ban: Option<BanJson>,
    /// Sessions the ban ended.
    sessions_ended: u64,
}

fn ban_out(p: &Player, sessions_ended: u64) -> BanOut {
    BanOut {
        user_id: p.user_id.as_str().to_owned(),
        banned: p.ban.is_some(),
        ban: p.ban.as_ref().map(BanJson::from),
        sessions_ended,
    }
}

/// The confirmation of an erasure.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeleteIn {
    /// The player's id (as in the path), repeated.
    #[serde(default, deserialize_with = "lenient::string")]
    confirm: Option<String>,
}

/// What an erasure removed and anonymised.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeleteOut {
    user_id: String,
    /// Rows deleted, by table.
    #[schema(value_type = Object)]
    deleted: serde_json::Map<String, serde_json::Value>,
    /// Rows kept for other players without the player, by table.
    #[schema(value_type = Object)]
    anonymised: serde_json::Map<String, serde_json::Value>,
}

/// Everything stored about a player.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportOut {
    /// `playgate.player-export/1`.
    format: &'static str,
    /// When it was made (RFC 3339, UTC).
    exported_at: String,
    game_id: i64,
    user_id: String,
    /// The rows stored about the player, by table (secrets left out): `player`, `link`,
    /// `gamefuse_user`, `sessions`, `attributes`, `purchases`, `leaderboard_entries`,
    /// `friendships`, `group_connections`, `group_attributes_created`, `chats_created`,
    /// `chat_participation`, `messages_sent`, `message_reads`, `game_rounds`,
    /// `multiplayer_rounds_mastered`, `password_resets`, `link_codes`, `outbox`,
    /// `audit_events`.
    #[schema(value_type = Object)]
    data: serde_json::Map<String, serde_json::Value>,
}

/// The filters of a player's sessions; every one optional.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionsQuery {
    /// `active`, `ended` or `all` (default).
    state: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Sessions per page, 1 to 200 (default 50).
    limit: Option<String>,
}

/// How many sessions ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndedOut {
    sessions_ended: u64,
}

/// Search a game's players (prefix match), by id, a page at a time.
#[utoipa::path(
    get,
    path = "/admin/v1/games/{game}/players",
    tag = "players",
    params(GamePath, PlayerQuery),
    responses((status = 200, description = "A page of players", body = Page<PlayerListed>)),
)]
pub(super) async fn search(
    State(s): State<AppState>,
    _: Viewer,
    Path(p): Path<GamePath>,
    Query(q): Query<PlayerQuery>,
) -> Result<Json<Page<PlayerListed>>, AdminError> {
    let after = match q.cursor.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => Some(
            c.parse::<i64>()
                .map_err(|_| Error::invalid("cursor", "is not a cursor of this list"))?,
        ),
    };
    let search = PlayerSearch {
        q: q.q,
        after,
        limit: page_limit(q.limit.as_deref())?,
    };
    let page = s.players.search(p.game()?, search).await?;
    Ok(Json(Page::of(page.items, page.next_cursor.map(|c| c.to_string()))))
}

/// Show a player.
#[utoipa::path(
    get,
    path = "/admin/v1/games/{game}/players/{user_id}",
    tag = "players",
    params(
        // Read as `PlayerPath`; described here at more length than the other calls do.
        GamePath,
        ("user_id" = String, Path, description = "The game's id for the player (a GameFuse user's id or e-mail)"),
    ),
    responses((status = 200, description = "The player", body = PlayerJson)),
)]
pub(super) async fn show(
    State(s): State<AppState>,
    _: Viewer,
    Path(p): Path<PlayerPath>,
) -> Result<Json<PlayerJson>, AdminError> {
    let overview = s.players.show(p.game()?, &p.user_id).await?;
    Ok(Json(PlayerJson::new(overview, s.players.now())))
}

/// Ban a player: its sessions end at once and it cannot open new ones.
#[utoipa::path(
    post,
    path = "/admin/v1/games/{game}/players/{user_id}/ban",
    tag = "players",
    params(PlayerPath),
    request_body = BanIn,
    responses((status = 200, description = "Banned", body = BanOut)),
)]
pub(super) async fn ban(
    State(s): State<AppState>,
    op: Admin,
    Path(p): Path<PlayerPath>,
    raw: Bytes,
) -> Result<Json<BanOut>, AdminError> {
    let b: BanIn = parsed(&raw)?;
    let reason = b.reason.unwrap_or_default();
    let (player, change) = s.players.ban(p.game()?, &p.user_id, &reason, op.event()).await?;
    Ok(Json(ban_out(&player, change.sessions_ended)))
}

/// Lift a player's ban.
#[utoipa::path(
    post,
    path = "/admin/v1/games/{game}/players/{user_id}/unban",
    tag = "players",
    params(PlayerPath),
    responses((status = 200, description = "Not banned (any more)", body = BanOut)),
)]
pub(super) async fn unban(
    State(s): State<AppState>,
    op: Admin,
    Path(p): Path<PlayerPath>,
) -> Result<Json<BanOut>, AdminError> {
    let (player, change) = s.players.unban(p.game()?, &p.user_id, op.event()).await?;
    Ok(Json(ban_out(&player, change.sessions_ended)))
}

/// Erase a player: its data, wallet key and sessions; what other players need (messages it
/// sent, chats and group attributes it created) is kept without it. The body repeats the
/// player's id as `confirm`.
#[utoipa::path(
    delete,
    path = "/admin/v1/games/{game}/players/{user_id}",
    tag = "players",
    params(PlayerPath),
    request_body = DeleteIn,
    responses((status = 200, description = "Erased", body = DeleteOut)),
)]
pub(super) async fn delete(
    State(s): State<AppState>,
    op: Admin,
    Path(p): Path<PlayerPath>,
    raw: Bytes,
) -> Result<Json<DeleteOut>, AdminError> {
    let d: DeleteIn = parsed(&raw)?;
    let erased = s
        .players
        .erase(p.game()?, &p.user_id, d.confirm.as_deref(), op.event())
        .await?;
    let counts = |v: Vec<(String, u64)>| -> serde_json::Map<String, serde_json::Value> {
        v.into_iter().map(|(t, n)| (t, n.into())).collect()
    };
    Ok(Json(DeleteOut {
        user_id: p.user_id,
        deleted: counts(erased.deleted),
        anonymised: counts(erased.anonymised),
    }))
}

/// Everything stored about a player, as one JSON document.
#[utoipa::path(
    get,
    path = "/admin/v1/games/{game}/players/{user_id}/export",
    tag = "players",
    params(PlayerPath),
    responses((status = 200, description = "The player's data", body = ExportOut)),
)]
pub(super) async fn export(
    State(s): State<AppState>,
    _: Viewer,
    Path(p): Path<PlayerPath>,
) -> Result<Json<ExportOut>, AdminError> {
    let (player, export) = s.players.export(p.game()?, &p.user_id).await?;
    Ok(Json(export_out(&player, export, s.players.now())))
}

/// The export document of `player`.
pub fn export_out(player: &Player, export: playgate_core::players::PlayerExport, now: Timestamp) -> ExportOut {
    ExportOut {
        format: "playgate.player-export/1",
        exported_at: rfc3339(now),
        game_id: player.game_id.0,
        user_id: player.user_id.as_str().to_owned(),
        data: export
            .sections
            .into_iter()
            .map(|(name, rows)| {
                let rows = rows.into_iter().map(serde_json::Value::Object).collect();
                (name, serde_json::Value::Array(rows))
            })
            .collect(),
    }
}

/// A player's sessions (KGeN and GameFuse), newest first, a page at a time.
#[utoipa::path(
    get,
    path = "/admin/v1/games/{game}/players/{user_id}/sessions",
    tag = "sessions",
    params(PlayerPath, SessionsQuery),
    responses((status = 200, description = "A page of sessions", body = Page<SessionJson>)),
)]
pub(super) async fn sessions(
    State(s): State<AppState>,
    _: Viewer,
    Path(p): Path<PlayerPath>,
    Query(q): Query<SessionsQuery>,
) -> Result<Json<Page<SessionJson>>, AdminError> {
    let query = SessionQuery {
        state: SessionStateFilter::parse(q.state.as_deref().unwrap_or_default())?,
        after: match q.cursor.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) => Some(SessionCursor::parse(c)?),
        },
        limit: page_limit(q.limit.as_deref())?,
    };
    let now = s.players.now();
    let page = s.players.sessions(p.game()?, &p.user_id, query).await?;
    Ok(Json(Page {
        items: page.items.iter().map(|x| SessionJson::new(x, None, now)).collect(),
        next_cursor: page.next_cursor.map(|c| c.encode()),
    }))
}

/// "Log out everywhere": end every active session of a player (KGeN and GameFuse).
#[utoipa::path(
    post,
    path = "/admin/v1/games/{game}/players/{user_id}/sessions/end-all",
    tag = "sessions",
    params(PlayerPath),
    responses((status = 200, description = "Ended", body = EndedOut)),
)]
pub(super) async fn end_sessions(
    State(s): State<AppState>,
    op: Admin,
    Path(p): Path<PlayerPath>,
) -> Result<Json<EndedOut>, AdminError> {
    let n = s.players.end_sessions(p.game()?, &p.user_id, op.event()).await?;
    Ok(Json(EndedOut { sessions_ended: n }))
}

/// End every active session of a game.
#[utoipa::path(
    post,
    path = "/admin/v1/games/{game}/sessions/end-all",
    tag = "sessions",
    params(GamePath),
    responses((status = 200, description = "Ended", body = EndedOut)),
)]
pub(super) async fn end_game_sessions(
    State(s): State<AppState>,
    op: Admin,
    Path(p): Path<GamePath>,
) -> Result<Json<EndedOut>, AdminError> {
    let n = s.players.end_game_sessions(p.game()?, op.event()).await?;
    Ok(Json(EndedOut { sessions_ended: n }))
}
