//! Game rounds (reference 13): create (single or multiplayer), update, delete, show, and
//! a user's rounds. Bodies nested under `game_round` (JS SDK) or flat (docs, native SDKs);
//! the native SDKs get numbers for `score` and `place` (reference 17.4).

use super::input::Input;
use super::params::{PathId, Round};
use super::wire::{GameRoundOut, GameRoundsOut, MessageOut, RoundRequest, RoundsQuery};
use super::{Authed, GfError, unprocessable};
use crate::common::json::required;
use crate::common::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use playgate_core::ids::PlayerId;
use playgate_core::rounds::RoundInput;

/// The Unreal SDK serialises its round struct as is, in the engine's camelCase
/// (`gameUserId`, `multiplayerGameRoundId`, `bMultiplayer`), next to the snake_case fields
/// it sets itself; its unset ids are 0 and its unset times the engine's zero date,
/// `0001-01-01T00:00:00.000Z` (reference 17.3). The snake_case name wins; a container id
/// below 1 and the zero date name none.
fn snake_cased(input: &Input) -> Input {
    let mut map = input.0.clone();
    for (camel, snake) in [
        ("gameUserId", "game_user_id"),
        ("gameType", "game_type"),
        ("startTime", "start_time"),
        ("endTime", "end_time"),
        ("multiplayerGameRoundId", "multiplayer_game_round_id"),
        ("bMultiplayer", "multiplayer"),
    ] {
        if let Some(v) = map.remove(camel) {
            map.entry(snake).or_insert(v);
        }
    }
    let none = |v: &serde_json::Value| v.as_i64().is_some_and(|n| n < 1);
    if map.get("multiplayer_game_round_id").is_some_and(none) {
        map.remove("multiplayer_game_round_id");
    }
    for t in ["start_time", "end_time"] {
        if map
            .get(t)
            .and_then(|v| v.as_str())
            .is_some_and(|s| s.starts_with("0001-01-01T"))
        {
            map.remove(t);
        }
    }
    Input(map)
}

fn round_input(auth: &Authed) -> Result<RoundInput, GfError> {
    let req: RoundRequest = snake_cased(&auth.input.unwrapped("game_round"))
        .parse()
        .map_err(unprocessable)?;
    // `multiplayer` is top-level in the SDK's body, inside in the docs' flat form.
    let top: RoundRequest = snake_cased(&auth.input).parse().map_err(unprocessable)?;
    Ok(RoundInput {
        game_user_id: req.game_user_id,
        game_type: req.game_type,
        start_time: req.start_time,
        end_time: req.end_time,
        score: req.score,
        place: req.place,
        metadata: req.metadata,
        multiplayer: top.multiplayer.or(req.multiplayer).unwrap_or(false),
        multiplayer_game_round_id: req.multiplayer_game_round_id,
    })
}

/// `POST /game_rounds`: 201 `GameRound`.
///
/// Native clients (C#/Unity, Unreal): `score` and `place` are `0` for none (JS: `null`), in the round and its rankings.
#[utoipa::path(
    post,
    path = "/api/v3/game_rounds",
    tag = "game rounds",
    request_body = RoundRequest,
    responses(
        (status = 201, description = "The round", body = GameRoundOut),
    ),
)]
pub async fn create(State(s): State<AppState>, auth: Authed) -> Result<(StatusCode, Json<GameRoundOut>), GfError> {
    let input = round_input(&auth)?;
    let me = auth.caller.user().map_err(unprocessable)?;
    let r = s.rounds.create(me, input).await.map_err(unprocessable)?;
    Ok((StatusCode::CREATED, auth.client.json(r.into())))
}

/// `PUT /game_rounds/{id}`: partial; the full round back.
///
/// Native clients (C#/Unity, Unreal): `score` and `place` are `0` for none (JS: `null`), in the round and its rankings.
#[utoipa::path(
    method(put, patch),
    path = "/api/v3/game_rounds/{id}",
    tag = "game rounds",
    params(
        PathId<Round>,
    ),
    request_body = RoundRequest,
    responses(
        (status = 200, description = "The round", body = GameRoundOut),
    ),
)]
pub async fn update(State(s): State<AppState>, id: PathId<Round>, auth: Authed) -> Result<Json<GameRoundOut>, GfError> {
    let id = id.get()?;
    let input = round_input(&auth)?;
    let me = auth.caller.user().map_err(unprocessable)?;
    let r = s.rounds.update(me, id, input).await.map_err(unprocessable)?;
    Ok(auth.client.json(r.into()))
}

/// `DELETE /game_rounds/{id}`.
#[utoipa::path(
    delete,
    path = "/api/v3/game_rounds/{id}",
    tag = "game rounds",
    params(
        PathId<Round>,
    ),
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
)]
pub async fn delete(State(s): State<AppState>, id: PathId<Round>, auth: Authed) -> Result<Json<MessageOut>, GfError> {
    let id = id.get()?;
    s.rounds.delete(auth.caller.user()?, id).await?;
    // The C# SDK's tests look for `destroyed` (reference 17.5).
    Ok(Json(MessageOut::new("Game round destroyed")))
}

/// `GET /game_rounds/{id}`.
///
/// Native clients (C#/Unity, Unreal): `score` and `place` are `0` for none (JS: `null`), in the round and its rankings.
#[utoipa::path(
    get,
    path = "/api/v3/game_rounds/{id}",
    tag = "game rounds",
    params(
        PathId<Round>,
    ),
    responses(
        (status = 200, description = "The round", body = GameRoundOut),
    ),
)]
pub async fn show(State(s): State<AppState>, id: PathId<Round>, auth: Authed) -> Result<Json<GameRoundOut>, GfError> {
    let id = id.get()?;
    let r = s.rounds.get(auth.caller.user()?.game_id, id).await?;
    Ok(auth.client.json(r.into()))
}

/// `GET /game_rounds?user_id=&page=&per_page=`: 422 without `user_id`.
///
/// Native clients (C#/Unity, Unreal): `score` and `place` are `0` for none (JS: `null`), in the round and its rankings.
#[utoipa::path(
    get,
    path = "/api/v3/game_rounds",
    tag = "game rounds",
    params(
        ("user_id" = Option<i64>, Query, description = "Whose rounds (required)"),
        ("page" = Option<i64>, Query, description = "From 1"),
        ("per_page" = Option<i64>, Query, description = "Rounds per page"),
    ),
    responses(
        (status = 200, description = "The rounds", body = GameRoundsOut),
    ),
)]
pub async fn list(State(s): State<AppState>, auth: Authed) -> Result<Json<GameRoundsOut>, GfError> {
    let q: RoundsQuery = auth.input.parse()?;
    let user = required(q.user_id, "user_id").map_err(unprocessable)?;
    let me = auth.caller.user()?;
    let rounds = s
        .rounds
        .of_user(me, PlayerId(user), q.page.unwrap_or(1), q.per_page.unwrap_or(100))
        .await?;
    let out = GameRoundsOut {
        game_rounds: rounds.into_iter().map(GameRoundOut::from).collect(),
    };
    Ok(auth.client.json(out))
}
