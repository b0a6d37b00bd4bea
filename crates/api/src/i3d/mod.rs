//! i3D.net API v3, the session calls (`/v3/session/*`, seed 002), as a person's tools
//! call them with a `PRIVATE-TOKEN` API key. The wire contract is i3D's published OpenAPI
//! document for these four operations (statuses, and every schema with no field missing
//! or extra); the HTTP tests validate every answer against it.
//!
//! Beyond the document: 2FA enrollment (`POST`/`DELETE /v3/session/2fa`, `POST
//! /v3/session/2fa/enable`) with recovery codes; `POST /v3/session/links`, which links
//! a game's player to the logged-in account with a code from the game backend (`POST
//! /s2s/link-code` in the kgen dialect); 400 for invalid input and 401 for a missing or
//! wrong `PRIVATE-TOKEN`, in API v3's error object. Not supported: every other i3D API
//! (hosting, billing ...); `unconfirmedEmail` is always null (no e-mail change flow) and
//! `isAllowedFlexMetal` 0.

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
