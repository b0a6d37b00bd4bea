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
use playgate_core::economy::store_items::NewStoreItem;
use playgate_core::gamefuse::keys::RouteAccess;
use playgate_core::ids::GameId;
use playgate_core::{Entity, Error};
use serde_json::json;

use super::wire::{KeyOut, MessageOut, NameIn, RouteIn, StoreItemIn, StoreItemOut, TokenOut, ValueIn, VariableOut};
use super::{Admin, AdminError, Viewer};
use crate::common::json;
use crate::common::state::AppState;

fn body<T: serde::de::DeserializeOwned>(b: &Bytes) -> Result<T, AdminError> {
    Ok(json::parse(b, true).map_err(Error::from)?)
}

/// A path id: a number, or `NotFound(what)` as for an id that names nothing.
fn path_id(raw: &str, what: Entity) -> Result<i64, AdminError> {
    raw.trim().parse().map_err(|_| Error::NotFound(what).into())
}

fn game(raw: &str) -> Result<GameId, AdminError> {
    path_id(raw, Entity::Game).map(GameId)
}

fn required<T>(v: Option<T>, field: &str) -> Result<T, AdminError> {
    v.ok_or_else(|| Error::invalid(field, "is required").into())
}

/// List a game's variables.
#[utoipa::path(
    get,
    path = "/admin/v1/games/{game}/variables",
    tag = "admin: game data",
    params(
        ("game" = i64, Path, description = "The game's id"),
    ),
    responses(
        (status = 200, description = "The game's variables", body = Vec<VariableOut>),
    ),
    security(("adminToken" = [])),
)]
pub(super) async fn list_vars(
    State(s): State<AppState>,
    _: Viewer,
    Path(g): Path<String>,
) -> Result<Json<Vec<VariableOut>>, AdminError> {
    let g = s.games.get(game(&g)?).await?;
    let vars = s.game_variables.list(g.id).await?;
    Ok(Json(vars.into_iter().map(VariableOut::from).collect()))
}

/// Set a game variable (created if new).
#[utoipa::path(
    put,
    path = "/admin/v1/games/{game}/variables/{key}",
    tag = "admin: game data",
    params(
        ("game" = i64, Path, description = "The game's id"),
        ("key" = String, Path, description = "The variable"),
    ),
    request_body = ValueIn,
    responses(
        (status = 200, description = "The variable", body = VariableOut),
    ),
    security(("adminToken" = [])),
)]
pub(super) async fn set_var(
    State(s): State<AppState>,
    op: Admin,
    Path((g, key)): Path<(String, String)>,
    raw: Bytes,
) -> Result<Json<VariableOut>, AdminError> {
    let v: ValueIn = body(&raw)?;
    let value = required(v.value, "value")?;
    let gid = game(&g)?;
    let var = s.game_variables.set(gid, &key, &value).await?;
    op.record(&s, |e| {
        e.action("game_variable.set")
            .game(gid)
            .subject(format!("game_variable:{key}"))
            .detail(json!({"after": {"value": value}}))
    })
    .await;
    Ok(Json(var.into()))
}

/// Delete a game variable.
#[utoipa::path(
    delete,
    path = "/admin/v1/games/{game}/variables/{key}",
    tag = "admin: game data",
    params(
        ("game" = i64, Path, description = "The game's id"),
        ("key" = String, Path, description = "The variable"),
    ),
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
    security(("adminToken" = [])),
)]
pub(super) async fn delete_var(
    State(s): State<AppState>,
    op: Admin,
    Path((g, key)): Path<(String, String)>,
) -> Result<Json<MessageOut>, AdminError> {
    let gid = game(&g)?;
    s.game_variables.delete(gid, &key).await?;
    op.record(&s, |e| {
        e.action("game_variable.deleted")
            .game(gid)
            .subject(format!("game_variable:{key}"))
    })
    .await;
    Ok(Json(MessageOut::new("deleted")))
}

/// List a game's store items.
#[utoipa::path(
    get,
    path = "/admin/v1/games/{game}/store-items",
    tag = "admin: game data",
    params(
        ("game" = i64, Path, description = "The game's id"),
    ),
    responses(
        (status = 200, description = "The game's store items", body = Vec<StoreItemOut>),
    ),
    security(("adminToken" = [])),
)]
pub(super) async fn list_items(
    State(s): State<AppState>,
    _: Viewer,
    Path(g): Path<String>,
) -> Result<Json<Vec<StoreItemOut>>, AdminError> {
    let g = s.games.get(game(&g)?).await?;
    let items = s.store_items.list(g.id).await?;
    Ok(Json(items.into_iter().map(StoreItemOut::from).collect()))
}

/// Add a store item (`cost` required).
#[utoipa::path(
    post,
    path = "/admin/v1/games/{game}/store-items",
    tag = "admin: game data",
    params(
        ("game" = i64, Path, description = "The game's id"),
    ),
    request_body = StoreItemIn,
    responses(
        (status = 201, description = "The item", body = StoreItemOut),
    ),
    security(("adminToken" = [])),
)]
pub(super) async fn add_item(
    State(s): State<AppState>,
    op: Admin,
    Path(g): Path<String>,
    raw: Bytes,
) -> Result<(StatusCode, Json<StoreItemOut>), AdminError> {
    let req: StoreItemIn = body(&raw)?;
    let item = NewStoreItem {
        name: req.name.unwrap_or_default(),
        description: req.description.unwrap_or_default(),
        category: req.category.unwrap_or_default(),
        cost: required(req.cost, "cost")?,
        icon_url: req.icon_url,
    };
    let gid = game(&g)?;
    let item = s.store_items.add(gid, item).await?;
    op.record(&s, |e| {
        e.action("store_item.added")
            .game(gid)
            .subject(format!("store_item:{}", item.id))
            .detail(json!({"after": {"name": item.name, "cost": item.cost, "category": item.category}}))
    })
    .await;
    Ok((StatusCode::CREATED, Json(item.into())))
}

/// Delete a store item.
#[utoipa::path(
    delete,
    path = "/admin/v1/games/{game}/store-items/{item}",
    tag = "admin: game data",
    params(
        ("game" = i64, Path, description = "The game's id"),
        ("item" = i64, Path, description = "The item's id"),
    ),
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
    security(("adminToken" = [])),
)]
pub(super) async fn delete_item(
    State(s): State<AppState>,
    op: Admin,
    Path((g, item)): Path<(String, String)>,
) -> Result<Json<MessageOut>, AdminError> {
    let item = path_id(&item, Entity::StoreItem)?;
    let gid = game(&g)?;
    s.store_items.delete(gid, item).await?;
    op.record(&s, |e| {
        e.action("store_item.deleted")
            .game(gid)
            .subject(format!("store_item:{item}"))
    })
    .await;
    Ok(Json(MessageOut::new("deleted")))
}

/// List a game's service keys.
#[utoipa::path(
    get,
    path = "/admin/v1/games/{game}/service-keys",
    tag = "admin: game data",
    params(
        ("game" = i64, Path, description = "The game's id"),
    ),
    responses(
        (status = 200, description = "The keys (without their tokens)", body = Vec<KeyOut>),
    ),
    security(("adminToken" = [])),
)]
pub(super) async fn list_keys(
    State(s): State<AppState>,
    _: Viewer,
    Path(g): Path<String>,
) -> Result<Json<Vec<KeyOut>>, AdminError> {
    let keys = s.gamefuse.service_keys(game(&g)?).await?;
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
    params(
        ("game" = i64, Path, description = "The game's id"),
    ),
    request_body = NameIn,
    responses(
        (status = 201, description = "The key, with its token (shown this once)", body = KeyOut),
    ),
    security(("adminToken" = [])),
)]
pub(super) async fn add_key(
    State(s): State<AppState>,
    op: Admin,
    Path(g): Path<String>,
    raw: Bytes,
) -> Result<(StatusCode, Json<KeyOut>), AdminError> {
    let req: NameIn = body(&raw)?;
    let name = required(req.name, "name")?;
    let gid = game(&g)?;
    let (key, token) = s.gamefuse.create_service_key(gid, &name).await?;
    op.record(&s, |e| {
        e.action("service_key.created")
            .game(gid)
            .subject(format!("service_key:{name}"))
    })
    .await;
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
        ("game" = i64, Path, description = "The game's id"),
        ("name" = String, Path, description = "The key's name"),
    ),
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
    security(("adminToken" = [])),
)]
pub(super) async fn delete_key(
    State(s): State<AppState>,
    op: Admin,
    Path((g, name)): Path<(String, String)>,
) -> Result<Json<MessageOut>, AdminError> {
    let gid = game(&g)?;
    s.gamefuse.delete_service_key(gid, &name).await?;
    op.record(&s, |e| {
        e.action("service_key.deleted")
            .game(gid)
            .subject(format!("service_key:{name}"))
    })
    .await;
    Ok(Json(MessageOut::new("deleted")))
}

/// List the game's route switches (which routes users and service keys may call).
#[utoipa::path(
    get,
    path = "/admin/v1/games/{game}/routes",
    tag = "admin: game data",
    params(
        ("game" = i64, Path, description = "The game's id"),
    ),
    responses(
        (status = 200, description = "The switches set", body = Vec<RouteIn>),
    ),
    security(("adminToken" = [])),
)]
pub(super) async fn list_routes(
    State(s): State<AppState>,
    _: Viewer,
    Path(g): Path<String>,
) -> Result<Json<Vec<RouteIn>>, AdminError> {
    let list = s.gamefuse.route_accesses(game(&g)?).await?;
    Ok(Json(
        list.into_iter()
            .map(|a| RouteIn {
                route: a.route,
                user_allowed: a.user_allowed,
                key_allowed: a.key_allowed,
            })
            .collect(),
    ))
}

/// Set one route switch.
#[utoipa::path(
    put,
    path = "/admin/v1/games/{game}/routes",
    tag = "admin: game data",
    params(
        ("game" = i64, Path, description = "The game's id"),
    ),
    request_body = RouteIn,
    responses(
        (status = 200, description = "Saved", body = MessageOut),
    ),
    security(("adminToken" = [])),
)]
pub(super) async fn set_route(
    State(s): State<AppState>,
    op: Admin,
    Path(g): Path<String>,
    raw: Bytes,
) -> Result<Json<MessageOut>, AdminError> {
    let r: RouteIn = body(&raw)?;
    let gid = game(&g)?;
    let after = json!({"user_allowed": r.user_allowed, "key_allowed": r.key_allowed});
    let subject = format!("route:{}", r.route);
    s.gamefuse
        .set_route_access(
            gid,
            RouteAccess {
                route: r.route,
                user_allowed: r.user_allowed,
                key_allowed: r.key_allowed,
            },
        )
        .await?;
    op.record(&s, |e| {
        e.action("route_access.set")
            .game(gid)
            .subject(subject)
            .detail(json!({"after": after}))
    })
    .await;
    Ok(Json(MessageOut::new("saved")))
}

/// Replace the game's GameFuse token.
#[utoipa::path(
    post,
    path = "/admin/gamefuse/games/{game}/rotate_token",
    tag = "admin: game data",
    description = "Deprecated: `POST /admin/v1/games/{game}/rotate-secret` with `{\"credential\": \"gamefuse\"}`.",
    params(
        ("game" = i64, Path, description = "The game's id"),
    ),
    responses(
        (status = 200, description = "The new game token", body = TokenOut),
    ),
    security(("adminToken" = [])),
)]
pub(super) async fn rotate_token(
    State(s): State<AppState>,
    op: Admin,
    Path(g): Path<String>,
) -> Result<Json<TokenOut>, AdminError> {
    let g = s.gamefuse.rotate_game_token(game(&g)?).await?;
    op.record(&s, |e| e.action("game.token_rotated").game(g.id)).await;
    Ok(Json(TokenOut {
        id: g.id.0,
        token: g.gamefuse_token,
    }))
}
