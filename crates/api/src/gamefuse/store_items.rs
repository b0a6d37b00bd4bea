//! A user's store items (reference 7.2-7.4).

use super::params::{PathId, User};
use super::wire::{OwnedOut, StoreItemRequest};
use super::{Authed, GfError};
use crate::common::json::required;
use crate::common::state::AppState;
use axum::Json;
use axum::extract::State;
use playgate_core::economy::store_items::Owned;

fn item_id(auth: &Authed) -> Result<(i64, bool), GfError> {
    let req: StoreItemRequest = auth.input.parse()?;
    let id = required(req.store_item_id, "store_item_id")?;
    Ok((id, req.reimburse.unwrap_or(false)))
}

/// `POST /users/{id}/purchase_game_user_store_item`: 404 unknown item, 403 owned already
/// or not enough credits (nothing changed).
#[utoipa::path(
    post,
    path = "/api/v3/users/{id}/purchase_game_user_store_item",
    tag = "store",
    params(
        PathId<User>,
    ),
    request_body = StoreItemRequest,
    responses(
        (status = 200, description = "Credits and owned items after", body = OwnedOut),
    ),
)]
pub async fn purchase(State(s): State<AppState>, id: PathId<User>, auth: Authed) -> Result<Json<OwnedOut>, GfError> {
    let user = auth.caller.self_user(id.get()?)?;
    let (item, _) = item_id(&auth)?;
    Ok(Json(s.store_items.purchase(user, item).await?.into()))
}

/// `GET /users/{id}/remove_game_user_store_item?store_item_id=&reimburse=`.
#[utoipa::path(
    method(get, delete),
    path = "/api/v3/users/{id}/remove_game_user_store_item",
    tag = "store",
    params(
        PathId<User>,
        ("store_item_id" = Option<i64>, Query, description = "The item"),
        ("reimburse" = Option<bool>, Query, description = "Give the cost back"),
    ),
    responses(
        (status = 200, description = "Credits and owned items after", body = OwnedOut),
    ),
)]
pub async fn remove(State(s): State<AppState>, id: PathId<User>, auth: Authed) -> Result<Json<OwnedOut>, GfError> {
    let user = auth.caller.self_user(id.get()?)?;
    let (item, reimburse) = item_id(&auth)?;
    Ok(Json(
        s.store_items.remove_purchase(user.id, item, reimburse).await?.into(),
    ))
}

/// `GET /users/{id}/game_user_store_items`: any user of the caller's game.
#[utoipa::path(
    get,
    path = "/api/v3/users/{id}/game_user_store_items",
    tag = "store",
    params(
        PathId<User>,
    ),
    responses(
        (status = 200, description = "Credits and owned items", body = OwnedOut),
    ),
)]
pub async fn list(State(s): State<AppState>, id: PathId<User>, auth: Authed) -> Result<Json<OwnedOut>, GfError> {
    let user = super::users::user_of(&s, &auth.caller, id.get()?).await?;
    let items = s.store_items.owned(user.id).await?;
    Ok(Json(
        Owned {
            credits: user.credits,
            items,
        }
        .into(),
    ))
}
