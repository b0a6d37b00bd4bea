//! The kgen credential: `x-client-id` and `x-client-secret` of an enabled game.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use playgate_core::Error;
use playgate_core::game::{ClientCredentials, Game};
use playgate_core::session::ClientWith;

use super::KgenError;
use crate::common::client_ip::client_ip;
use crate::common::state::AppState;
use playgate_core::Unauthorized;

/// An authenticated game backend.
#[derive(Debug, Clone)]
pub struct S2sClient(pub Game);

impl FromRequestParts<AppState> for S2sClient {
    type Rejection = KgenError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, KgenError> {
        let S2sCredentials(c) = S2sCredentials::from_request_parts(parts, state).await?;
        let (game, _) = state.sessions.authenticate(&c, ClientWith::Nothing).await?;
        Ok(S2sClient(game))
    }
}

/// The credentials a game backend presented, not yet checked: for the calls whose core
/// checks them in the same read as the call's own data
/// ([`Sessions::authenticate`](playgate_core::session::Sessions::authenticate)).
/// Missing headers are refused here.
#[derive(Debug, Clone)]
pub struct S2sCredentials(pub ClientCredentials);

impl FromRequestParts<AppState> for S2sCredentials {
    type Rejection = KgenError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, KgenError> {
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
        let (Some(id), Some(secret)) = (header("x-client-id"), header("x-client-secret")) else {
            return Err(Error::Unauthorized(Unauthorized::MissingClientCredentials).into());
        };
        let (id, secret) = (id.to_owned(), secret.to_owned());
        let ip = client_ip(parts, state);
        Ok(S2sCredentials(ClientCredentials { id, secret, ip }))
    }
}
