//! Leaderboards (reference 9).

use axum::Json;
use axum::extract::State;

use super::params::{BoardQuery, Game, PathId, User};
use super::wire::{EntriesOut, LeaderboardEntryRequest, LeaderboardQueryRequest, UserSelfOut};
use super::{Authed, GfError};
use crate::common::json::required;
use crate::common::state::AppState;
use playgate_core::ids::GameId;

/// `POST /users/{id}/add_leaderboard_entry`: multipart (SDK; `extra_attributes` its raw
/// pseudo-JSON text, kept verbatim) or JSON with a `metadata` object (docs, native SDKs).
/// Scores are whole numbers; a fractional one (the C# SDK sends a double) is rounded.
#[utoipa::path(
    post,
    path = "/api/v3/users/{id}/add_leaderboard_entry",
    tag = "leaderboards",
    params(
        PathId<User>,
    ),
    request_body = LeaderboardEntryRequest,
    responses(
        (status = 200, description = "The user", body = UserSelfOut),
    ),
)]
pub async fn add(State(s): State<AppState>, id: PathId<User>, auth: Authed) -> Result<Json<UserSelfOut>, GfError> {
    let user = auth.caller.self_user(id.get()?)?;
    let req: LeaderboardEntryRequest = auth.input.unwrapped("leaderboard_entry").parse()?;
    let name = required(req.leaderboard_name, "leaderboard_name")?;
    let score = whole(required(req.score, "score")?)?;
    s.leaderboards
        .add(user, &name, score, req.extra_attributes, req.metadata)
        .await?;
    Ok(super::users::self_view(&s, &auth, user))
}

/// `score` rounded to the nearest whole number, or 400 beyond the integer range.
fn whole(score: f64) -> Result<i64, GfError> {
    const LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53: every whole f64 below is exact
    let r = score.round();
    if !(-LIMIT..=LIMIT).contains(&r) {
        return Err(GfError::invalid("score", "is out of range"));
    }
    // A whole number within ±2^53: the cast is exact.
    Ok(r as i64)
}

/// `POST /users/{id}/clear_my_leaderboard_entries`: `leaderboard_name` as form field or
/// query parameter.
#[utoipa::path(
    post,
    path = "/api/v3/users/{id}/clear_my_leaderboard_entries",
    tag = "leaderboards",
    params(
        PathId<User>,
    ),
    request_body = LeaderboardQueryRequest,
    responses(
        (status = 200, description = "The user", body = UserSelfOut),
    ),
)]
pub async fn clear(State(s): State<AppState>, id: PathId<User>, auth: Authed) -> Result<Json<UserSelfOut>, GfError> {
    let user = auth.caller.self_user(id.get()?)?;
    let req: LeaderboardQueryRequest = auth.input.parse()?;
    let name = required(req.leaderboard_name, "leaderboard_name")?;
    s.leaderboards.clear(user, &name).await?;
    Ok(super::users::self_view(&s, &auth, user))
}

/// `GET /games/{game_id}/leaderboard_entries?leaderboard_name=&limit=&one_per_user=`:
/// highest score first; an empty board is `[]` (200), not the docs' 400.
#[utoipa::path(
    get,
    path = "/api/v3/games/{game_id}/leaderboard_entries",
    tag = "leaderboards",
    params(
        PathId<Game>,
        BoardQuery,
    ),
    responses(
        (status = 200, description = "Entries, highest score first", body = EntriesOut),
    ),
)]
pub async fn of_game(
    State(s): State<AppState>,
    game_id: PathId<Game>,
    auth: Authed,
) -> Result<Json<EntriesOut>, GfError> {
    let game_id = game_id.get()?;
    let q: LeaderboardQueryRequest = auth.input.parse()?;
    let list = s
        .leaderboards
        .read(auth.caller.game.id, GameId(game_id), q.filter(None))
        .await?;
    Ok(Json(EntriesOut::new(list)))
}

/// `GET /users/{id}/leaderboard_entries`: any user of the caller's game, every board
/// unless `leaderboard_name` is given.
#[utoipa::path(
    get,
    path = "/api/v3/users/{id}/leaderboard_entries",
    tag = "leaderboards",
    params(
        PathId<User>,
        BoardQuery,
    ),
    responses(
        (status = 200, description = "Entries, highest score first", body = EntriesOut),
    ),
)]
pub async fn of_user(State(s): State<AppState>, id: PathId<User>, auth: Authed) -> Result<Json<EntriesOut>, GfError> {
    let id = id.get()?;
    let q: LeaderboardQueryRequest = auth.input.parse()?;
    let user = super::users::user_of(&s, &auth.caller, id).await?;
    let filter = q.filter(Some(user.id));
    let list = s.leaderboards.read(auth.caller.game.id, user.game_id, filter).await?;
    Ok(Json(EntriesOut::new(list)))
}
