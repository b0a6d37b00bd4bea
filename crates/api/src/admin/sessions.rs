//! One session, any game, under `/admin/v1/sessions/{session}`: show it, end it. Ending it
//! takes effect on every node at once (its tokens are checked against the database).

use axum::Json;
use axum::extract::{Path, State};
use playgate_core::clock::Timestamp;
use playgate_core::players::SessionView;
use playgate_core::session::Session;
use serde::Serialize;
use utoipa::ToSchema;

use super::paths::SessionPath;
use super::{Admin, AdminError, Viewer};
use crate::common::state::AppState;
use crate::common::time::rfc3339;

/// A session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionJson {
    id: String,
    game_id: i64,
    /// The game's id for its player (in the answer about one session).
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<String>,
    /// `kgen` (JWTs) or `gamefuse` (a token), in the answer about one session.
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    /// `active` or `ended`.
    state: &'static str,
    /// Active and not past its expiry.
    live: bool,
    /// RFC 3339, UTC.
    started_at: String,
    last_seen_at: String,
    expires_at: String,
    ended_at: Option<String>,
    /// The client address it started from.
    ip: Option<String>,
}

impl SessionJson {
    /// The session as shown; `view` adds its player and kind.
    pub fn new(s: &Session, view: Option<(&str, bool)>, now: Timestamp) -> Self {
        SessionJson {
            id: s.id.to_string(),
            game_id: s.game_id.0,
            user_id: view.map(|(u, _)| u.to_owned()),
            kind: view.map(|(_, gf)| if gf { "gamefuse" } else { "kgen" }),
            state: s.state.as_str(),
            live: s.is_live(now),
            started_at: rfc3339(s.started_at),
            last_seen_at: rfc3339(s.last_seen_at),
            expires_at: rfc3339(s.expires_at),
            ended_at: s.ended_at.map(rfc3339),
            ip: s.ip.clone(),
        }
    }

    fn of(v: &SessionView, now: Timestamp) -> Self {
        SessionJson::new(&v.session, Some((&v.user_id, v.gamefuse)), now)
    }
}

/// Show a session.
#[utoipa::path(
    get,
    path = "/admin/v1/sessions/{session}",
    tag = "sessions",
    params(SessionPath),
    responses((status = 200, description = "The session", body = SessionJson)),
)]
pub(super) async fn show(
    State(s): State<AppState>,
    _: Viewer,
    Path(p): Path<SessionPath>,
) -> Result<Json<SessionJson>, AdminError> {
    let view = s.players.session(p.session()?).await?;
    Ok(Json(SessionJson::of(&view, s.players.now())))
}

/// End a session: its tokens stop working on every node at once.
#[utoipa::path(
    delete,
    path = "/admin/v1/sessions/{session}",
    tag = "sessions",
    params(SessionPath),
    responses((status = 200, description = "Ended", body = SessionJson)),
)]
pub(super) async fn end(
    State(s): State<AppState>,
    op: Admin,
    Path(p): Path<SessionPath>,
) -> Result<Json<SessionJson>, AdminError> {
    let view = s.players.end_session(p.session()?, op.event()).await?;
    Ok(Json(SessionJson::of(&view, s.players.now())))
}
