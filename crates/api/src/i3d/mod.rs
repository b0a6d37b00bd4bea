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
pub mod docs;
mod error;
mod links;
mod session;
mod twofa;
mod wire;

pub use auth::{ApiKeyAuth, LoggedIn};
pub use error::{I3dError, http_failure};

use crate::common::routes::Routes;

/// The i3d routes.
pub fn router() -> Routes {
    Routes::new()
        .post("/v3/session/login", session::login)
        .post("/v3/session/login/otp", session::login_otp)
        .post("/v3/session/logout", session::logout)
        .get("/v3/session/user", session::user)
        .post("/v3/session/2fa", twofa::begin)
        .delete("/v3/session/2fa", twofa::disable)
        .post("/v3/session/2fa/enable", twofa::enable)
        .post("/v3/session/links", links::redeem)
}
