//! The game data operators manage, under `/admin/v1/games/{game}/…`: game variables,
//! store items, service keys (their tokens shown once) and route switches. The same
//! handlers answer the earlier paths `/admin/gamefuse/games/{game}/…` (`store_items`,
//! `service_keys`), documented as deprecated ([`super::docs`]), and
//! `/admin/gamefuse/games/{game}/rotate_token` (now `POST /admin/v1/games/{game}/rotate-secret`
//! with `{"credential": "gamefuse"}`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bytes::Bytes;
use playgate_core::Entity;
use playgate_core::economy::store_items::NewStoreItem;
use playgate_core::games::CredentialKind;

use super::paths::{GamePath, VariablePath};
use super::wire::{
    GameStoreItemOut, KeyOut, MessageOut, NameIn, RouteIn, StoreItemIn, TokenOut, ValueIn, VariableOut, parsed,
};
use super::{Admin, AdminError, Viewer};
use crate::common::json::required;
use crate::common::path_id::{game_id, path_id};
use crate::common::state::AppState;

/// List a game's variables.
#[utoipa::path(
    get,
    path = "/admin/v1/games/{game}/variables",
    tag = "admin: game data",
    params(GamePath),
    responses(
        (status = 200, description = "The game's variables", body = Vec<VariableOut>),
    ),
)]
pub(super) async fn list_vars(
    State(s): State<AppState>,
    _: Viewer,
    Path(p): Path<GamePath>,
) -> Result<Json<Vec<VariableOut>>, AdminError> {
    let g = s.games.get(p.game()?).await?;
    let vars = s.game_variables.list(g.id).await?;
    Ok(Json(vars.into_iter().map(VariableOut::from).collect()))
}

/// Set a game variable (created if new).
#[utoipa::path(
    put,
    path = "/admin/v1/games/{game}/variables/{key}",
    tag = "admin: game data",
    params(VariablePath),
    request_body = ValueIn,
    responses(
        (status = 200, description = "The variable", body = VariableOut),
    ),
)]
pub(super) async fn set_var(
    State(s): State<AppState>,
    op: Admin,
    Path(p): Path<VariablePath>,
    raw: Bytes,
) -> Result<Json<VariableOut>, AdminError> {
    let v: ValueIn = parsed(&raw)?;
    let value = required(v.value, "value")?;
    let var = s.game_data.set_variable(p.game()?, &p.key, &value, op.event()).await?;
    Ok(Json(var.into()))
}

/// Delete a game variable.
#[utoipa::path(
    delete,
    path = "/admin/v1/games/{game}/variables/{key}",
    tag = "admin: game data",
    params(VariablePath),
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
)]
pub(super) async fn delete_var(
    State(s): State<AppState>,
    op: Admin,
    Path(p): Path<VariablePath>,
) -> Result<Json<MessageOut>, AdminError> {
    s.game_data.delete_variable(p.game()?, &p.key, op.event()).await?;
    Ok(Json(MessageOut::new("deleted")))
}

/// List a game's store items.
#[utoipa::path(
    get,
    path = "/admin/v1/games/{game}/store-items",
    tag = "admin: game data",
    params(GamePath),
    responses(
        (status = 200, description = "The game's store items", body = Vec<GameStoreItemOut>),
    ),
)]
pub(super) async fn list_items(
    State(s): State<AppState>,
    _: Viewer,
    Path(p): Path<GamePath>,
) -> Result<Json<Vec<GameStoreItemOut>>, AdminError> {
    let g = s.games.get(p.game()?).await?;
    let items = s.store_items.list(g.id).await?;
    Ok(Json(items.into_iter().map(GameStoreItemOut::from).collect()))
}

/// Add a store item (`cost` required).
#[utoipa::path(
    post,
    path = "/admin/v1/games/{game}/store-items",
    tag = "admin: game data",
    params(GamePath),
    request_body = StoreItemIn,
    responses(
        (status = 201, description = "The item", body = GameStoreItemOut),
    ),
)]
pub(super) async fn add_item(
    State(s): State<AppState>,
    op: Admin,
    Path(p): Path<GamePath>,
    raw: Bytes,
) -> Result<(StatusCode, Json<GameStoreItemOut>), AdminError> {
    let req: StoreItemIn = parsed(&raw)?;
    let item = NewStoreItem {
        name: req.name.unwrap_or_default(),
        description: req.description.unwrap_or_default(),
        category: req.category.unwrap_or_default(),
        cost: required(req.cost, "cost")?,
        icon_url: req.icon_url,
    };
    let item = s.game_data.add_store_item(p.game()?, item, op.event()).await?;
    Ok((StatusCode::CREATED, Json(item.into())))
}

/// Delete a store item.
#[utoipa::path(
    delete,
    path = "/admin/v1/games/{game}/store-items/{item}",
    tag = "admin: game data",
    params(
        GamePath,
        ("item" = i64, Path, description = "The item's id"),
    ),
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
)]
pub(super) async fn delete_item(
    State(s): State<AppState>,
    op: Admin,
    Path((g, item)): Path<(String, String)>,
) -> Result<Json<MessageOut>, AdminError> {
    let item = path_id(&item, Entity::StoreItem)?;
    s.game_data.delete_store_item(game_id(&g)?, item, op.event()).await?;
    Ok(Json(MessageOut::new("deleted")))
}

/// List a game's service keys.
#[utoipa::path(
    get,
    path = "/admin/v1/games/{game}/service-keys",
    tag = "admin: game data",
    params(GamePath),
    responses(
        (status = 200, description = "The keys (without their tokens)", body = Vec<KeyOut>),
    ),
)]
pub(super) async fn list_keys(
    State(s): State<AppState>,
    _: Viewer,
    Path(p): Path<GamePath>,
) -> Result<Json<Vec<KeyOut>>, AdminError> {
    let keys = s.gamefuse.service_keys(p.game()?).await?;
    Ok(Json(
        keys.into_iter()
            .map(|k| KeyOut {
                id: k.id,
                name: k.name,
                token: None,
            })
            .collect(),
    ))
}

/// Create a service key.
#[utoipa::path(
    post,
    path = "/admin/v1/games/{game}/service-keys",
    tag = "admin: game data",
    params(GamePath),
    request_body = NameIn,
    responses(
        (status = 201, description = "The key, with its token (shown this once)", body = KeyOut),
    ),
)]
pub(super) async fn add_key(
    State(s): State<AppState>,
    op: Admin,
    Path(p): Path<GamePath>,
    raw: Bytes,
) -> Result<(StatusCode, Json<KeyOut>), AdminError> {
    let req: NameIn = parsed(&raw)?;
    let name = required(req.name, "name")?;
    let (key, token) = s.game_data.create_service_key(p.game()?, &name, op.event()).await?;
    Ok((
        StatusCode::CREATED,
        Json(KeyOut {
            id: key.id,
            name: key.name,
            token: Some(token.expose().to_owned()),
        }),
    ))
}

/// Delete a service key.
#[utoipa::path(
    delete,
    path = "/admin/v1/games/{game}/service-keys/{name}",
    tag = "admin: game data",
    params(
        GamePath,
        ("name" = String, Path, description = "The key's name"),
    ),
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
)]
pub(super) async fn delete_key(
    State(s): State<AppState>,
    op: Admin,
    Path((g, name)): Path<(String, String)>,
) -> Result<Json<MessageOut>, AdminError> {
    s.game_data.delete_service_key(game_id(&g)?, &name, op.event()).await?;
    Ok(Json(MessageOut::new("deleted")))
}

/// List the game's route switches (which routes users and service keys may call).
#[utoipa::path(
    get,
    path = "/admin/v1/games/{game}/routes",
    tag = "admin: game data",
    params(GamePath),
    responses(
        (status = 200, description = "The switches set", body = Vec<RouteIn>),
    ),
)]
pub(super) async fn list_routes(
    State(s): State<AppState>,
    _: Viewer,
    Path(p): Path<GamePath>,
) -> Result<Json<Vec<RouteIn>>, AdminError> {
    let list = s.gamefuse.route_accesses(p.game()?).await?;
    Ok(Json(list.into_iter().map(RouteIn::from).collect()))
}

/// Set one route switch.
#[utoipa::path(
    put,
    path = "/admin/v1/games/{game}/routes",
    tag = "admin: game data",
    params(GamePath),
    request_body = RouteIn,
    responses(
        (status = 200, description = "Saved", body = MessageOut),
    ),
)]
pub(super) async fn set_route(
    State(s): State<AppState>,
    op: Admin,
    Path(p): Path<GamePath>,
    raw: Bytes,
) -> Result<Json<MessageOut>, AdminError> {
    let r: RouteIn = parsed(&raw)?;
    s.game_data.set_route_access(p.game()?, r.into(), op.event()).await?;
    Ok(Json(MessageOut::new("saved")))
}

/// Replace the game's GameFuse token.
#[utoipa::path(
    post,
    path = "/admin/gamefuse/games/{game}/rotate_token",
    tag = "admin: game data",
    description = "Deprecated: `POST /admin/v1/games/{game}/rotate-secret` with `{\"credential\": \"gamefuse\"}`.",
    params(GamePath),
    responses(
        (status = 200, description = "The new game token", body = TokenOut),
    ),
)]
pub(super) async fn rotate_token(
    State(s): State<AppState>,
    op: Admin,
    Path(p): Path<GamePath>,
) -> Result<Json<TokenOut>, AdminError> {
    let (g, token) = s.games.rotate(p.game()?, CredentialKind::Gamefuse, op.event()).await?;
    Ok(Json(TokenOut {
        id: g.id.0,
        token: token.expose().to_owned(),
    }))
}
