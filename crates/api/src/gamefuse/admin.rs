//! The admin HTTP API of GameFuse's operator data (game variables, store items, service
//! keys, route switches, game tokens), under `/admin/gamefuse`. Every call needs
//! `Authorization: Bearer <admin_token>` (compared in constant time); without a configured
//! `admin_token` the API does not exist (404). Errors are text/plain as in the dialect.

use super::GfError;
use super::wire::{MessageOut, StoreItemIn, SuiteItemOut, VariableOut};
use crate::common::client_ip::ClientIp;
use crate::common::json;
use crate::common::routes::Routes;
use crate::common::state::AppState;
use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use bytes::Bytes;
use playgate_core::crypto::SecretHash;
use playgate_core::economy::store_items::NewStoreItem;
use playgate_core::gamefuse::keys::RouteAccess;
use playgate_core::ids::GameId;
use playgate_core::{Entity, Error, Unauthorized};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An authenticated operator.
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = GfError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, GfError> {
        let Some(want) = &state.net.admin_token else {
            return Err(Error::NotFound(Entity::Route).into());
        };
        let ClientIp(ip) = ClientIp::from_request_parts(parts, state)
            .await
            .unwrap_or(ClientIp(None));
        let presented = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        // Behind the credential limiter: a locked-out address is refused even with the
        // right token.
        state
            .core
            .limit_credential(ip, async {
                if presented.is_empty() || !SecretHash::of(presented.trim()).matches(&want.hash()) {
                    return Err(Error::Unauthorized(Unauthorized::BadAdminToken));
                }
                Ok(Admin)
            })
            .await
            .map_err(GfError::from)
    }
}

fn body<T: serde::de::DeserializeOwned>(b: &Bytes) -> Result<T, GfError> {
    Ok(json::parse(b, true).map_err(Error::from)?)
}

fn game(raw: &str) -> Result<GameId, GfError> {
    super::path_id(raw, Entity::Game).map(GameId)
}

/// The admin routes.
pub fn router() -> Routes {
    Routes::new()
        .get("/admin/gamefuse/games/{game}/variables", list_vars)
        .put("/admin/gamefuse/games/{game}/variables/{key}", set_var)
        .delete("/admin/gamefuse/games/{game}/variables/{key}", delete_var)
        .get("/admin/gamefuse/games/{game}/store_items", list_items)
        .post("/admin/gamefuse/games/{game}/store_items", add_item)
        .delete("/admin/gamefuse/games/{game}/store_items/{item}", delete_item)
        .get("/admin/gamefuse/games/{game}/service_keys", list_keys)
        .post("/admin/gamefuse/games/{game}/service_keys", add_key)
        .delete("/admin/gamefuse/games/{game}/service_keys/{name}", delete_key)
        .get("/admin/gamefuse/games/{game}/routes", list_routes)
        .put("/admin/gamefuse/games/{game}/routes", set_route)
        .post("/admin/gamefuse/games/{game}/rotate_token", rotate_token)
}

/// List a game's variables.
#[utoipa::path(
    get,
    path = "/admin/gamefuse/games/{game}/variables",
    tag = "admin: gamefuse",
    params(
        ("game" = i64, Path, description = "The game's id"),
    ),
    responses(
        (status = 200, description = "The game's variables", body = Vec<VariableOut>),
    ),
    security(("adminToken" = [])),
)]
async fn list_vars(
    State(s): State<AppState>,
    _: Admin,
    Path(g): Path<String>,
) -> Result<Json<Vec<VariableOut>>, GfError> {
    let g = s.gamefuse.existing_game(game(&g)?).await?;
    let vars = s.gamefuse.game_variables(&g).await?;
    Ok(Json(vars.into_iter().map(VariableOut::from).collect()))
}

#[derive(Deserialize, ToSchema)]
struct ValueIn {
    #[serde(default, deserialize_with = "crate::common::lenient::string")]
    value: Option<String>,
}

/// Set a game variable (created if new).
#[utoipa::path(
    put,
    path = "/admin/gamefuse/games/{game}/variables/{key}",
    tag = "admin: gamefuse",
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
async fn set_var(
    State(s): State<AppState>,
    _: Admin,
    Path((g, key)): Path<(String, String)>,
    raw: Bytes,
) -> Result<Json<VariableOut>, GfError> {
    let v: ValueIn = body(&raw)?;
    let value = v.value.ok_or_else(|| GfError::invalid("value", "is required"))?;
    Ok(Json(
        s.gamefuse.set_game_variable(game(&g)?, &key, &value).await?.into(),
    ))
}

/// Delete a game variable.
#[utoipa::path(
    delete,
    path = "/admin/gamefuse/games/{game}/variables/{key}",
    tag = "admin: gamefuse",
    params(
        ("game" = i64, Path, description = "The game's id"),
        ("key" = String, Path, description = "The variable"),
    ),
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
    security(("adminToken" = [])),
)]
async fn delete_var(
    State(s): State<AppState>,
    _: Admin,
    Path((g, key)): Path<(String, String)>,
) -> Result<Json<MessageOut>, GfError> {
    s.gamefuse.delete_game_variable(game(&g)?, &key).await?;
    Ok(Json(MessageOut::new("deleted")))
}

/// List a game's store items.
#[utoipa::path(
    get,
    path = "/admin/gamefuse/games/{game}/store_items",
    tag = "admin: gamefuse",
    params(
        ("game" = i64, Path, description = "The game's id"),
    ),
    responses(
        (status = 200, description = "The game's store items", body = Vec<SuiteItemOut>),
    ),
    security(("adminToken" = [])),
)]
async fn list_items(
    State(s): State<AppState>,
    _: Admin,
    Path(g): Path<String>,
) -> Result<Json<Vec<SuiteItemOut>>, GfError> {
    let g = s.gamefuse.existing_game(game(&g)?).await?;
    let items = s.gamefuse.store_items(&g).await?;
    Ok(Json(items.into_iter().map(SuiteItemOut::from).collect()))
}

/// Add a store item (`cost` required).
#[utoipa::path(
    post,
    path = "/admin/gamefuse/games/{game}/store_items",
    tag = "admin: gamefuse",
    params(
        ("game" = i64, Path, description = "The game's id"),
    ),
    request_body = StoreItemIn,
    responses(
        (status = 201, description = "The item", body = SuiteItemOut),
    ),
    security(("adminToken" = [])),
)]
async fn add_item(
    State(s): State<AppState>,
    _: Admin,
    Path(g): Path<String>,
    raw: Bytes,
) -> Result<(StatusCode, Json<SuiteItemOut>), GfError> {
    let req: StoreItemIn = body(&raw)?;
    let item = NewStoreItem {
        name: req.name.unwrap_or_default(),
        description: req.description.unwrap_or_default(),
        category: req.category.unwrap_or_default(),
        cost: req.cost.ok_or_else(|| GfError::invalid("cost", "is required"))?,
        icon_url: req.icon_url,
    };
    let item = s.gamefuse.add_store_item(game(&g)?, item).await?;
    Ok((StatusCode::CREATED, Json(item.into())))
}

/// Delete a store item.
#[utoipa::path(
    delete,
    path = "/admin/gamefuse/games/{game}/store_items/{item}",
    tag = "admin: gamefuse",
    params(
        ("game" = i64, Path, description = "The game's id"),
        ("item" = i64, Path, description = "The item's id"),
    ),
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
    security(("adminToken" = [])),
)]
async fn delete_item(
    State(s): State<AppState>,
    _: Admin,
    Path((g, item)): Path<(String, String)>,
) -> Result<Json<MessageOut>, GfError> {
    let item = super::path_id(&item, Entity::StoreItem)?;
    s.gamefuse.delete_store_item(game(&g)?, item).await?;
    Ok(Json(MessageOut::new("deleted")))
}

#[derive(Serialize, ToSchema)]
struct KeyOut {
    id: i64,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
}

#[derive(Deserialize, ToSchema)]
struct NameIn {
    #[serde(default)]
    name: Option<String>,
}

/// List a game's service keys.
#[utoipa::path(
    get,
    path = "/admin/gamefuse/games/{game}/service_keys",
    tag = "admin: gamefuse",
    params(
        ("game" = i64, Path, description = "The game's id"),
    ),
    responses(
        (status = 200, description = "The keys (without their tokens)", body = Vec<KeyOut>),
    ),
    security(("adminToken" = [])),
)]
async fn list_keys(State(s): State<AppState>, _: Admin, Path(g): Path<String>) -> Result<Json<Vec<KeyOut>>, GfError> {
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
    path = "/admin/gamefuse/games/{game}/service_keys",
    tag = "admin: gamefuse",
    params(
        ("game" = i64, Path, description = "The game's id"),
    ),
    request_body = NameIn,
    responses(
        (status = 201, description = "The key, with its token (shown this once)", body = KeyOut),
    ),
    security(("adminToken" = [])),
)]
async fn add_key(
    State(s): State<AppState>,
    _: Admin,
    Path(g): Path<String>,
    raw: Bytes,
) -> Result<(StatusCode, Json<KeyOut>), GfError> {
    let req: NameIn = body(&raw)?;
    let name = req.name.ok_or_else(|| GfError::invalid("name", "is required"))?;
    let (key, token) = s.gamefuse.create_service_key(game(&g)?, &name).await?;
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
    path = "/admin/gamefuse/games/{game}/service_keys/{name}",
    tag = "admin: gamefuse",
    params(
        ("game" = i64, Path, description = "The game's id"),
        ("name" = String, Path, description = "The key's name"),
    ),
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
    security(("adminToken" = [])),
)]
async fn delete_key(
    State(s): State<AppState>,
    _: Admin,
    Path((g, name)): Path<(String, String)>,
) -> Result<Json<MessageOut>, GfError> {
    s.gamefuse.delete_service_key(game(&g)?, &name).await?;
    Ok(Json(MessageOut::new("deleted")))
}

#[derive(Serialize, Deserialize, ToSchema)]
struct RouteIn {
    /// The route under `/api/v3/` (`users/{id}/add_credits` ...).
    route: String,
    #[serde(default = "yes")]
    user_allowed: bool,
    #[serde(default = "yes")]
    key_allowed: bool,
}

fn yes() -> bool {
    true
}

/// List the game's route switches (which routes users and service keys may call).
#[utoipa::path(
    get,
    path = "/admin/gamefuse/games/{game}/routes",
    tag = "admin: gamefuse",
    params(
        ("game" = i64, Path, description = "The game's id"),
    ),
    responses(
        (status = 200, description = "The switches set", body = Vec<RouteIn>),
    ),
    security(("adminToken" = [])),
)]
async fn list_routes(
    State(s): State<AppState>,
    _: Admin,
    Path(g): Path<String>,
) -> Result<Json<Vec<RouteIn>>, GfError> {
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
    path = "/admin/gamefuse/games/{game}/routes",
    tag = "admin: gamefuse",
    params(
        ("game" = i64, Path, description = "The game's id"),
    ),
    request_body = RouteIn,
    responses(
        (status = 200, description = "Saved", body = MessageOut),
    ),
    security(("adminToken" = [])),
)]
async fn set_route(
    State(s): State<AppState>,
    _: Admin,
    Path(g): Path<String>,
    raw: Bytes,
) -> Result<Json<MessageOut>, GfError> {
    let r: RouteIn = body(&raw)?;
    s.gamefuse
        .set_route_access(
            game(&g)?,
            RouteAccess {
                route: r.route,
                user_allowed: r.user_allowed,
                key_allowed: r.key_allowed,
            },
        )
        .await?;
    Ok(Json(MessageOut::new("saved")))
}

#[derive(Serialize, ToSchema)]
struct TokenOut {
    id: i64,
    token: String,
}

/// Replace the game's GameFuse token.
#[utoipa::path(
    post,
    path = "/admin/gamefuse/games/{game}/rotate_token",
    tag = "admin: gamefuse",
    params(
        ("game" = i64, Path, description = "The game's id"),
    ),
    responses(
        (status = 200, description = "The new game token", body = TokenOut),
    ),
    security(("adminToken" = [])),
)]
async fn rotate_token(State(s): State<AppState>, _: Admin, Path(g): Path<String>) -> Result<Json<TokenOut>, GfError> {
    let g = s.gamefuse.rotate_game_token(game(&g)?).await?;
    Ok(Json(TokenOut {
        id: g.id.0,
        token: g.gamefuse_token,
    }))
}
