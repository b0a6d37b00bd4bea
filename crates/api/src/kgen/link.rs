//! `POST /s2s/link-code`: a short one-time code with which the player's platform account
//! (logged in through the i3D dialect) links itself to the player.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use bytes::Bytes;
use playgate_core::ids::UserId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::wire::{body, required};
use super::{KgenError, S2sClient};
use crate::common::lenient;
use crate::common::state::AppState;

/// `POST /s2s/link-code` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LinkCodeRequest {
    /// The player's id in the game.
    #[serde(default, deserialize_with = "lenient::string")]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 128)]
    pub user_id: Option<String>,
}

/// `POST /s2s/link-code` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkCodeResponse {
    /// Eight characters; show it to the player, who enters it while logged in.
    pub code: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// Seconds from now.
    pub expires_in: i64,
}

/// `POST /s2s/link-code`: a one-time code for the player.
///
/// The player enters it while logged in to the platform (i3d dialect, `POST
/// /v3/session/links`); the player is then linked to that account.
#[utoipa::path(
    post,
    path = "/s2s/link-code",
    tag = "link",
    request_body = LinkCodeRequest,
    responses(
        (status = 200, description = "The code", body = LinkCodeResponse),
        (status = 404, description = "No such player in this game"),
    ),
)]
pub async fn create(
    State(state): State<AppState>,
    S2sClient(game): S2sClient,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<LinkCodeResponse>, KgenError> {
    let req: LinkCodeRequest = body(raw)?;
    let user_id = required(req.user_id, "user_id")?;
    let code = state.links.create_code(&game, &UserId::parse(user_id)?).await?;
    let now = state.sessions.now().unix_secs();
    Ok(Json(LinkCodeResponse {
        code: code.code.expose().to_owned(),
        expires_at: code.expires_at.unix_secs(),
        expires_in: code.expires_at.unix_secs() - now,
    }))
}
