//! `/s2s/session` handlers.

use axum::Json;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bytes::Bytes;
use playgate_core::audit::Origin;
use playgate_core::game::ClientCredentials;
use playgate_core::ids::{SessionId, UserId};
use playgate_core::session::{ClientWith, OpenSession, Verification};

use super::auth::S2sCredentials;
use super::wire::{
    AccessTokenClaims, RefreshRequest, RefreshResponse, SessionRequest, SessionResponse, VerifyContext, VerifyRequest,
    VerifyResponse, body, required,
};
use super::{KgenError, S2sClient};
use crate::common::origin::RequestOrigin;
use crate::common::state::AppState;

/// `POST /s2s/session`: create or retrieve the player's session.
///
/// Creates the player on first sight (`is_new_user`), updates the profile fields sent, and
/// answers the live session with a fresh token pair. Every field may be a string or a
/// number; unknown fields are ignored. A banned player is refused (403 `forbidden`).
#[utoipa::path(
    post,
    path = "/s2s/session",
    tag = "session",
    request_body = SessionRequest,
    responses(
        (status = 200, description = "The player's live session", body = SessionResponse),
        (status = 403, description = "The player is banned (`forbidden`; the operator's reason in `message`)"),
    ),
)]
pub async fn open(
    State(state): State<AppState>,
    S2sCredentials(client): S2sCredentials,
    RequestOrigin(origin): RequestOrigin,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<SessionResponse>, KgenError> {
    let cmd = authenticated_first(&state, &client, open_command(raw, origin)).await?;
    let (game, opened) = state.sessions.open::<AccessTokenClaims>(&client, cmd).await?;
    Ok(Json(SessionResponse::new(&game.client_id, &game.client_name, opened)))
}

fn open_command(raw: Result<Bytes, BytesRejection>, origin: Origin) -> Result<OpenSession, KgenError> {
    let mut req: SessionRequest = body(raw)?;
    let user_id = UserId::parse(required(req.user_id.take(), "user_id")?)?;
    Ok(OpenSession {
        user_id,
        profile: req.into_patch(),
        origin,
    })
}

/// A request's own reading (`parsed`), answered only after its credentials: an unknown
/// caller learns nothing from a malformed request but that it is unknown. The core checks
/// the credentials of a well-formed request in the read of its data; a malformed one costs
/// the check alone.
async fn authenticated_first<T>(
    state: &AppState,
    client: &ClientCredentials,
    parsed: Result<T, KgenError>,
) -> Result<T, KgenError> {
    if parsed.is_err() {
        state.sessions.authenticate(client, ClientWith::Nothing).await?;
    }
    parsed
}

/// `POST /s2s/session/refresh`: rotate the token pair.
///
/// The refresh token is spent; presenting a spent one again revokes the whole session.
#[utoipa::path(
    post,
    path = "/s2s/session/refresh",
    tag = "session",
    request_body = RefreshRequest,
    responses((status = 200, description = "The new token pair", body = RefreshResponse)),
)]
pub async fn refresh(
    State(state): State<AppState>,
    S2sCredentials(client): S2sCredentials,
    RequestOrigin(origin): RequestOrigin,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<RefreshResponse>, KgenError> {
    let parsed = body::<RefreshRequest>(raw).and_then(|req| required(req.refresh_token, "refresh_token"));
    let token = authenticated_first(&state, &client, parsed).await?;
    let refreshed = state
        .sessions
        .refresh::<AccessTokenClaims>(&client, &token, &origin)
        .await?;
    Ok(Json(RefreshResponse::new(refreshed, state.sessions.now().unix_secs())))
}

/// `POST /s2s/session/verify`: is this access token valid, and for which session.
///
/// A token of another game, expired, or of an ended session answers `valid: false` with
/// its `reason`.
#[utoipa::path(
    post,
    path = "/s2s/session/verify",
    tag = "session",
    request_body = VerifyRequest,
    responses((status = 200, description = "The verdict", body = VerifyResponse)),
)]
pub async fn verify(
    State(state): State<AppState>,
    S2sCredentials(client): S2sCredentials,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<VerifyResponse>, KgenError> {
    let parsed = body::<VerifyRequest>(raw).and_then(|req| required(req.access_token, "access_token"));
    let token = authenticated_first(&state, &client, parsed).await?;
    Ok(Json(
        match state.sessions.verify::<AccessTokenClaims>(&client, &token).await? {
            Verification::Valid(v) => VerifyResponse::Valid {
                valid: true,
                context: VerifyContext::from(*v),
            },
            Verification::Invalid(reason) => VerifyResponse::Invalid { valid: false, reason },
        },
    ))
}

/// `DELETE /s2s/session/{session_id}`: end the session; its tokens stop working.
#[utoipa::path(
    delete,
    path = "/s2s/session/{session_id}",
    tag = "session",
    params(("session_id" = String, Path, description = "The session's id (a UUID)")),
    responses(
        (status = 204, description = "Ended"),
        (status = 404, description = "No such session in this game"),
        (status = 409, description = "The session had already ended"),
    ),
)]
pub async fn end(
    State(state): State<AppState>,
    S2sClient(game): S2sClient,
    RequestOrigin(origin): RequestOrigin,
    Path(id): Path<String>,
) -> Result<StatusCode, KgenError> {
    let id: SessionId = id.parse()?;
    state.sessions.end(&game, id, &origin).await?;
    Ok(StatusCode::NO_CONTENT)
}
