//! The admin HTTP API of GameFuse's operator data (game variables, store items, service
//! keys, route switches, game tokens), under `/admin/gamefuse`. Every call needs
//! `Authorization: Bearer <admin_token>` (compared in constant time); without a configured
//! `admin_token` the API does not exist (404). Errors are text/plain as in the dialect.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{delete, get, put};
use axum::{Json, Router};
use bytes::Bytes;
use playgate_core::Error;
use playgate_core::crypto::SecretHash;
use playgate_core::gamefuse::economy::NewStoreItem;
use playgate_core::gamefuse::keys::RouteAccess;
use playgate_core::ids::GameId;
use serde::{Deserialize, Serialize};

use super::GfError;
use super::wire::{MessageOut, StoreItemIn, SuiteItemOut, VariableOut};
use crate::common::client_ip::ClientIp;
use crate::common::json;
use crate::common::state::AppState;
use playgate_core::{Entity, Unauthorized};

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
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/gamefuse/games/{game}/variables", get(list_vars))
        .route(
            "/admin/gamefuse/games/{game}/variables/{key}",
            put(set_var).delete(delete_var),
        )
        .route(
            "/admin/gamefuse/games/{game}/store_items",
            get(list_items).post(add_item),
        )
        .route("/admin/gamefuse/games/{game}/store_items/{item}", delete(delete_item))
        .route(
            "/admin/gamefuse/games/{game}/service_keys",
            get(list_keys).post(add_key),
        )
        .route("/admin/gamefuse/games/{game}/service_keys/{name}", delete(delete_key))
        .route("/admin/gamefuse/games/{game}/routes", get(list_routes).put(set_route))
        .route(
            "/admin/gamefuse/games/{game}/rotate_token",
            axum::routing::post(rotate_token),
        )
}

async fn list_vars(
    State(s): State<AppState>,
    _: Admin,
    Path(g): Path<String>,
) -> Result<Json<Vec<VariableOut>>, GfError> {
    let g = s.gamefuse.existing_game(game(&g)?).await?;
    let vars = s.gamefuse.game_variables(&g).await?;
    Ok(Json(vars.into_iter().map(VariableOut::from).collect()))
}

#[derive(Deserialize)]
struct ValueIn {
    #[serde(default, deserialize_with = "crate::common::lenient::string")]
    value: Option<String>,
}

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

async fn delete_var(
    State(s): State<AppState>,
    _: Admin,
    Path((g, key)): Path<(String, String)>,
) -> Result<Json<MessageOut>, GfError> {
    s.gamefuse.delete_game_variable(game(&g)?, &key).await?;
    Ok(Json(MessageOut::new("deleted")))
}

async fn list_items(
    State(s): State<AppState>,
    _: Admin,
    Path(g): Path<String>,
) -> Result<Json<Vec<SuiteItemOut>>, GfError> {
    let g = s.gamefuse.existing_game(game(&g)?).await?;
    let items = s.gamefuse.store_items(&g).await?;
    Ok(Json(items.into_iter().map(SuiteItemOut::from).collect()))
}

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

async fn delete_item(
    State(s): State<AppState>,
    _: Admin,
    Path((g, item)): Path<(String, String)>,
) -> Result<Json<MessageOut>, GfError> {
    let item = super::path_id(&item, Entity::StoreItem)?;
    s.gamefuse.delete_store_item(game(&g)?, item).await?;
    Ok(Json(MessageOut::new("deleted")))
}

#[derive(Serialize)]
struct KeyOut {
    id: i64,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
}

#[derive(Deserialize)]
struct NameIn {
    #[serde(default)]
    name: Option<String>,
}

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

async fn delete_key(
    State(s): State<AppState>,
    _: Admin,
    Path((g, name)): Path<(String, String)>,
) -> Result<Json<MessageOut>, GfError> {
    s.gamefuse.delete_service_key(game(&g)?, &name).await?;
    Ok(Json(MessageOut::new("deleted")))
}

#[derive(Serialize, Deserialize)]
struct RouteIn {
    route: String,
    #[serde(default = "yes")]
    user_allowed: bool,
    #[serde(default = "yes")]
    key_allowed: bool,
}

fn yes() -> bool {
    true
}

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

#[derive(Serialize)]
struct TokenOut {
    id: i64,
    token: String,
}

async fn rotate_token(State(s): State<AppState>, _: Admin, Path(g): Path<String>) -> Result<Json<TokenOut>, GfError> {
    let g = s.gamefuse.rotate_game_token(game(&g)?).await?;
    Ok(Json(TokenOut {
        id: g.id.0,
        token: g.gamefuse_token,
    }))
}
