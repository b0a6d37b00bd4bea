//! i3D.net API v3, the session calls (`/v3/session/*`, seed 002, docs.i3d.net "Session"),
//! as a person's tools call them with a `PRIVATE-TOKEN` API key.
//!
//! Beyond the seed: 2FA enrollment (`POST`/`DELETE /v3/session/2fa`, `POST
//! /v3/session/2fa/enable`) with recovery codes, and `POST /v3/session/links`, which links
//! a game's player to the logged-in account with a code from the game backend (`POST
//! /s2s/link-code` in the kgen dialect). Errors are API v3's error object with 4xx
//! statuses. Not supported: every other i3D API (hosting, billing ...); `details` and
//! `billingDetails` of the user carry what Playgate knows (no billing address).

mod auth;
mod error;
mod links;
mod session;
mod twofa;
mod wire;

use axum::Router;
use axum::routing::{get, post};

pub use auth::{ApiKeyAuth, LoggedIn};
pub use error::{I3dError, http_failure};

use crate::common::state::AppState;

/// The i3d routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v3/session/login", post(session::login))
        .route("/v3/session/login/otp", post(session::login_otp))
        .route("/v3/session/logout", post(session::logout))
        .route("/v3/session/user", get(session::user))
        .route("/v3/session/2fa", post(twofa::begin).delete(twofa::disable))
        .route("/v3/session/2fa/enable", post(twofa::enable))
        .route("/v3/session/links", post(links::redeem))
}
