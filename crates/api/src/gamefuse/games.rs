//! Games (reference 2): verify / fetch variables, the store list, server time.

use super::params::GameQuery;
use super::wire::{GameOut, ServerTimeOut, StoreItemsOut};
use super::{GameCall, GfError};
use crate::common::state::AppState;
use axum::Json;
use axum::extract::State;
use playgate_core::vendor::gamefuse::iso_millis;

/// `GET /games/verify` and `GET /games/fetch_game_variables` (same data, 2.1/2.2).
#[utoipa::path(
    get,
    path = "/api/v3/games/verify",
    tag = "games",
    params(
        GameQuery,
    ),
    responses(
        (status = 200, description = "The game and its variables", body = GameOut),
    ),
    security(("gameToken" = [])),
)]
pub async fn verify(State(s): State<AppState>, call: GameCall) -> Result<Json<GameOut>, GfError> {
    let vars = s.game_variables.list(call.game.id).await?;
    Ok(Json(GameOut::new(call.game, vars)))
}

/// `GET /games/store_items` (7.1).
#[utoipa::path(
    get,
    path = "/api/v3/games/store_items",
    tag = "games",
    params(
        GameQuery,
    ),
    responses(
        (status = 200, description = "The game's store items", body = StoreItemsOut),
    ),
    security(("gameToken" = [])),
)]
pub async fn store_items(State(s): State<AppState>, call: GameCall) -> Result<Json<StoreItemsOut>, GfError> {
    Ok(Json(StoreItemsOut::new(s.store_items.list(call.game.id).await?)))
}

/// `GET /util/get_server_time` (2.4): no credentials.
#[utoipa::path(
    get,
    path = "/api/v3/util/get_server_time",
    tag = "games",
    responses(
        (status = 200, description = "The server's time", body = ServerTimeOut),
    ),
    security(()),
)]
pub async fn server_time(State(s): State<AppState>) -> Json<ServerTimeOut> {
    Json(ServerTimeOut {
        server_time: iso_millis(s.gamefuse.now()),
    })
}
