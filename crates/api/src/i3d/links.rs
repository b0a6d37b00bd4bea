//! `POST /v3/session/links`: link a game's player to the logged-in account with a code
//! the game backend got from `POST /s2s/link-code`.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use bytes::Bytes;

use super::wire::{LinkRequest, LinkResponse, body};
use super::{I3dError, LoggedIn};
use crate::common::json::required;
use crate::common::state::AppState;

/// Link a game's player to the logged-in account (Playgate)
///
/// With a code the game backend got from `POST /s2s/link-code` (kgen dialect); the game then
/// shows the account as the player's `indigg_id`.
#[utoipa::path(
    post,
    path = "/v3/session/links",
    operation_id = "redeemLinkCode",
    tag = "Links",
    request_body = LinkRequest,
    responses(
        (status = 200, description = "Linked", body = LinkResponse),
        (status = 404, description = "Not logged in, or no such code"),
        (status = 409, description = "The player is linked already"),
    ),
)]
pub async fn redeem(
    State(state): State<AppState>,
    me: LoggedIn,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<LinkResponse>, I3dError> {
    let req: LinkRequest = body(raw)?;
    let code = required(req.code, "code")?;
    let linked = state.links.redeem(&me.account, &code, me.auth.ip).await?;
    Ok(Json(LinkResponse {
        client_id: linked.game.client_id,
        client_name: linked.game.client_name,
        user_id: linked.user_id,
        indigg_id: me.account.public_id,
    }))
}
