//! User attributes (reference 6).

use axum::Json;
use axum::extract::State;

use super::params::{PathId, User};
use super::wire::{AddAttributesRequest, AttributesOut, RemoveAttributesRequest};
use super::{Authed, GfError};
use crate::common::state::AppState;

/// `POST /users/{id}/add_game_user_attribute`: `{key, value}`, `{attributes: [...]}`, or
/// both; upsert by key; the full list after.
#[utoipa::path(
    post,
    path = "/api/v3/users/{id}/add_game_user_attribute",
    tag = "attributes",
    params(
        PathId<User>,
    ),
    request_body = AddAttributesRequest,
    responses(
        (status = 200, description = "The user's attributes after", body = AttributesOut),
    ),
)]
pub async fn add(State(s): State<AppState>, id: PathId<User>, auth: Authed) -> Result<Json<AttributesOut>, GfError> {
    let user = auth.caller.self_user(id.get()?)?;
    let req: AddAttributesRequest = auth.input.parse()?;
    let mut pairs = Vec::new();
    for (i, a) in req.attributes.into_iter().flatten().enumerate() {
        match (a.key, a.value) {
            (Some(k), Some(v)) => pairs.push((k, v)),
            _ => return Err(GfError::invalid(&format!("attributes[{i}]"), "needs a key and a value")),
        }
    }
    match (req.key, req.value) {
        (Some(k), Some(v)) => pairs.push((k, v)),
        (Some(_), None) => return Err(GfError::invalid("value", "is required")),
        (None, Some(_)) => return Err(GfError::invalid("key", "is required")),
        (None, None) => {}
    }
    Ok(Json(AttributesOut::new(s.attributes.set(user.id, pairs).await?)))
}

/// `GET|DELETE /users/{id}/remove_game_user_attribute(s)`: every key form on both paths.
#[utoipa::path(
    method(get, delete),
    path = "/api/v3/users/{id}/remove_game_user_attribute",
    tag = "attributes",
    params(
        PathId<User>,
        ("game_user_attribute_key" = Option<String>, Query, description = "One key to remove"),
        ("game_user_attribute_keys" = Option<String>, Query, description = "Keys to remove: a JSON array (or `game_user_attribute_keys[]=` repeated)"),
    ),
    responses(
        (status = 200, description = "The user's attributes after", body = AttributesOut),
    ),
)]
pub async fn remove(State(s): State<AppState>, id: PathId<User>, auth: Authed) -> Result<Json<AttributesOut>, GfError> {
    let user = auth.caller.self_user(id.get()?)?;
    let req: RemoveAttributesRequest = auth.input.parse()?;
    Ok(Json(AttributesOut::new(
        s.attributes.remove(user.id, req.keys()).await?,
    )))
}

/// `GET /users/{id}/game_user_attributes`: any user of the caller's game.
#[utoipa::path(
    get,
    path = "/api/v3/users/{id}/game_user_attributes",
    tag = "attributes",
    params(
        PathId<User>,
    ),
    responses(
        (status = 200, description = "The user's attributes", body = AttributesOut),
    ),
)]
pub async fn list(State(s): State<AppState>, id: PathId<User>, auth: Authed) -> Result<Json<AttributesOut>, GfError> {
    let user = super::users::user_of(&s, &auth.caller, id.get()?).await?;
    Ok(Json(AttributesOut::new(s.attributes.list(user.id).await?)))
}
