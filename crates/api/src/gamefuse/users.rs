//! Sign-up (reference 3) and `GET /users/{id}` (5.1).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use playgate_core::crypto::Secret;
use playgate_core::gamefuse::users::SignUp;

use super::wire::{FullUserOut, OtherUserOut, SignUpRequest, UserSelfOut};
use super::{Authed, GameCall, GfError, path_id};
use crate::common::state::AppState;

fn required(v: Option<String>, field: &str) -> Result<String, GfError> {
    v.filter(|s| !s.is_empty())
        .ok_or_else(|| GfError::invalid(field, "is required"))
}

/// `POST /users`: multipart form (SDK) or JSON, flat or nested under `user`. Invalid data
/// (taken e-mail or username, mismatched confirmation, bad e-mail) is 422.
pub async fn sign_up(State(s): State<AppState>, call: GameCall) -> Result<Json<UserSelfOut>, GfError> {
    let req: SignUpRequest = call.input.unwrapped("user").parse()?;
    let cmd = SignUp {
        email: required(req.email, "email")?,
        username: required(req.username, "username")?,
        password: Secret::new(required(req.password, "password")?),
        password_confirmation: Secret::new(required(req.password_confirmation, "password_confirmation")?),
    };
    let signed = s
        .gamefuse
        .sign_up(&call.game, cmd, call.ip)
        .await
        .map_err(|e| GfError::from(e).remap(StatusCode::BAD_REQUEST, StatusCode::UNPROCESSABLE_ENTITY))?;
    let token = Some(signed.token.expose().to_owned());
    Ok(Json(UserSelfOut::new(&signed.user, token, s.core.now()).new_user(true)))
}

/// `GET /users/{id}`: the caller sees its full data; another user of the same game its
/// public view; users of other games do not exist (404).
pub async fn show(State(s): State<AppState>, Path(id): Path<String>, auth: Authed) -> Result<Response, GfError> {
    let id = path_id(&id, "user")?;
    let user = s.gamefuse.user(&auth.caller, id).await?;
    if auth.caller.user.as_ref().is_some_and(|me| me.id == user.id) {
        let attrs = s.gamefuse.attributes(&user).await?;
        let owned = s.gamefuse.purchases(&user).await?;
        let rel = s.gamefuse.relations(&user, false).await?;
        let me = UserSelfOut::new(&user, auth.token, s.core.now());
        return Ok(Json(FullUserOut::new(me, rel, attrs, owned)).into_response());
    }
    let rel = s.gamefuse.relations(&user, true).await?;
    Ok(Json(OtherUserOut::new(&user, rel)).into_response())
}
