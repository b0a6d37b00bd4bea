//! KGeN's server-to-server session API (`POST /s2s/session`, seeds 000 and 001), as a game
//! backend calls it with its `x-client-id` / `x-client-secret`.
//!
//! Beyond the seed (the vendor documents only create-or-retrieve): token refresh with
//! rotation, token verification and ending a session, with the same credentials, and
//! errors as `{"error": CODE, "message": TEXT}` with proper 4xx statuses (the seed lists
//! only 500). Also `POST /s2s/link-code`: a one-time code with which the player's platform
//! account, logged in through the i3D dialect, links itself to the player (then
//! `indigg_id`, `indigg_wallet_address` and `linked_phone` show it). Not supported: KGeN's other APIs (wallet transfers, quests ...).

mod auth;
mod error;
mod link;
mod session;
mod wire;

use axum::Router;
use axum::routing::{delete, post};

pub use auth::S2sClient;
pub use error::{KgenError, http_failure};

use crate::common::state::AppState;

/// The kgen routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/s2s/session", post(session::open))
        // The vendor's own curl example posts to `/s2s/session/` (seed 001).
        .route("/s2s/session/", post(session::open))
        .route("/s2s/session/refresh", post(session::refresh))
        .route("/s2s/session/verify", post(session::verify))
        .route("/s2s/session/{session_id}", delete(session::end))
        // Issue 4: a code that links the player to a platform account (i3D dialect).
        .route("/s2s/link-code", post(link::create))
}
