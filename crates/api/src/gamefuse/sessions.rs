//! Sign-in, `POST /sessions` (reference 4, seed 003).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use playgate_core::crypto::Secret;
use playgate_core::ids::GameId;

use super::wire::{FullUserOut, SignInRequest};
use super::{GfError, Open};
use crate::common::json::required;
use crate::common::state::AppState;

/// `POST /sessions`: multipart form with string values (SDK) or JSON. `game_token` is not
/// required (the SDK does not send it). A wrong password and an unknown e-mail are the
/// same 404 (seed 003).
///
/// Native clients (C#/Unity, Unreal) get the native shapes in the relations: `max_group_size` `0` for none, rounds' `score` and `place` `0` for none, direct chats' `creator_type` `user`.
#[utoipa::path(
    post,
    path = "/api/v3/sessions",
    tag = "sessions",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "The user's full data and authentication token", body = FullUserOut),
        (status = 404, description = "Unknown e-mail or wrong password (the same answer)"),
    ),
    security(()),
)]
pub async fn sign_in(State(s): State<AppState>, call: Open) -> Result<Json<FullUserOut>, GfError> {
    let req: SignInRequest = call.input.unwrapped("session").parse()?;
    let game_id = required(req.game_id, "game_id")?;
    let (Some(email), Some(password)) = (req.email, req.password) else {
        if req.temp_oauth_transfer_token.is_some() {
            return Err(GfError::invalid(
                "temp_oauth_transfer_token",
                "OAuth sign-in is not supported",
            ));
        }
        return Err(GfError::invalid("email", "and password are required"));
    };
    let signed = s
        .client_users
        .sign_in(GameId(game_id), &email, &Secret::new(password), &call.origin)
        .await
        .map_err(|e| GfError::from(e).remap(StatusCode::UNAUTHORIZED, StatusCode::NOT_FOUND))?;
    let (attrs, owned, rel) = super::users::own(&s, &signed.user).await?;
    let out = FullUserOut::signed_in(signed, rel, attrs, owned, s.client_users.now());
    Ok(call.client.json(out))
}
