//! The `test_suite/*` routes (reference 15.2), for the SDKs' own test scripts; only the
//! system key from config may call them, and without one they answer 404.

use super::params::GameQuery;
use super::wire::{
    GameStoreItemOut, MessageOut, StoreItemIn, SuiteGameOut, SuiteGameRequest, SuiteUserOut, SuiteUserRequest,
    UserPublicOut,
};
use super::{GfError, SuiteCall, unprocessable};
use crate::common::json::required;
use crate::common::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use playgate_core::economy::store_items::NewStoreItem;
use playgate_core::gamefuse::keys::suite_user;

/// `POST /test_suite/create_game`: 201 `{id, name, token, description}`.
#[utoipa::path(
    post,
    path = "/api/v3/test_suite/create_game",
    tag = "test suite",
    responses(
        (status = 201, description = "The game", body = SuiteGameOut),
    ),
    security(("serviceKeyName" = [], "serviceKeyToken" = [])),
)]
pub async fn create_game(
    State(s): State<AppState>,
    _call: SuiteCall,
) -> Result<(StatusCode, Json<SuiteGameOut>), GfError> {
    let g = s.gamefuse.suite_create_game().await?;
    Ok((
        StatusCode::CREATED,
        Json(SuiteGameOut {
            id: g.id.0,
            name: g.name,
            token: g.gamefuse_token,
            description: g.description,
        }),
    ))
}

/// `POST /test_suite/create_user?game_id=G` with `{email, username}` (or all three in the
/// query, or in the body): password `password`; the answer carries the user's token.
#[utoipa::path(
    post,
    path = "/api/v3/test_suite/create_user",
    tag = "test suite",
    params(
        GameQuery,
    ),
    request_body = SuiteUserRequest,
    responses(
        (status = 201, description = "The user and its token", body = SuiteUserOut),
    ),
    security(("serviceKeyName" = [], "serviceKeyToken" = [])),
)]
pub async fn create_user(
    State(s): State<AppState>,
    call: SuiteCall,
) -> Result<(StatusCode, Json<SuiteUserOut>), GfError> {
    let req: SuiteUserRequest = call.input.parse()?;
    let game = required(req.game_id, "game_id")?;
    let email = required(req.email, "email")?;
    let username = required(req.username, "username")?;
    let game = s.gamefuse.suite_game(game).await.map_err(unprocessable)?;
    let signed = s
        .client_users
        .sign_up(&game, suite_user(&email, &username), None)
        .await
        .map_err(unprocessable)?;
    let out = SuiteUserOut {
        public: UserPublicOut::new(&signed.user),
        authentication_token: signed.token.expose().to_owned(),
    };
    Ok((StatusCode::CREATED, Json(out)))
}

/// `POST /test_suite/create_store_item`, and the plural `create_store_items` the Unreal
/// SDK calls (reference 17.3); `game_id` in the query or the body.
#[utoipa::path(
    post,
    path = "/api/v3/test_suite/create_store_item",
    tag = "test suite",
    params(
        GameQuery,
    ),
    request_body = StoreItemIn,
    responses(
        (status = 201, description = "The item", body = GameStoreItemOut),
    ),
    security(("serviceKeyName" = [], "serviceKeyToken" = [])),
)]
pub async fn create_store_item(
    State(s): State<AppState>,
    call: SuiteCall,
) -> Result<(StatusCode, Json<GameStoreItemOut>), GfError> {
    let req: StoreItemIn = call.input.parse()?;
    let game = required(req.game_id, "game_id")?;
    let item = NewStoreItem {
        name: req.name.unwrap_or_default(),
        description: req.description.unwrap_or_default(),
        category: req.category.unwrap_or_default(),
        cost: required(req.cost, "cost")?,
        icon_url: req.icon_url,
    };
    let game = s.gamefuse.suite_game(game).await?;
    let item = s.store_items.add(game.id, item).await?;
    Ok((StatusCode::CREATED, Json(item.into())))
}

/// `DELETE /test_suite/clean_up_test?game_id=G` (or JSON `{"game_id"}`).
#[utoipa::path(
    method(delete, post),
    path = "/api/v3/test_suite/clean_up_test",
    tag = "test suite",
    params(
        GameQuery,
    ),
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
    security(("serviceKeyName" = [], "serviceKeyToken" = [])),
)]
pub async fn clean_up(State(s): State<AppState>, call: SuiteCall) -> Result<Json<MessageOut>, GfError> {
    let req: SuiteGameRequest = call.input.parse()?;
    s.gamefuse.suite_clean_up(required(req.game_id, "game_id")?).await?;
    // The C# SDK's tests look for this sentence (reference 17.5).
    Ok(Json(MessageOut::new(
        "Test game deleted: everything should have been destroyed!",
    )))
}
