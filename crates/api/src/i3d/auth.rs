//! The i3D credential: the `PRIVATE-TOKEN` header (an API key), checked for expiry and its
//! address allowlist; and, on top of it, the key's completed login.

use std::net::IpAddr;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use playgate_core::Error;
use playgate_core::account::{Account, ApiKey, Login};

use super::I3dError;
use crate::common::client_ip::client_ip;
use crate::common::origin::origin_of;
use crate::common::state::AppState;
use playgate_core::Unauthorized;
use playgate_core::audit::Origin;

/// A request made with a valid API key.
#[derive(Debug, Clone)]
pub struct ApiKeyAuth {
    /// The key.
    pub key: ApiKey,
    /// The client's address.
    pub ip: Option<IpAddr>,
    /// Where the request came from (address and user agent), for the audit log.
    pub origin: Origin,
}

/// The `PRIVATE-TOKEN` and the client's address of a request, not yet checked.
async fn presented(parts: &mut Parts, state: &AppState) -> Result<(String, Option<IpAddr>), I3dError> {
    let Some(token) = parts
        .headers
        .get("private-token")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
    else {
        return Err(Error::Unauthorized(Unauthorized::MissingApiKey).into());
    };
    Ok((token, client_ip(parts, state)))
}

impl FromRequestParts<AppState> for ApiKeyAuth {
    type Rejection = I3dError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, I3dError> {
        let (token, ip) = presented(parts, state).await?;
        let key = state.logins.authenticate_api_key(&token, ip).await?;
        let origin = origin_of(ip, &parts.headers);
        Ok(ApiKeyAuth { key, ip, origin })
    }
}

/// A request made with an API key that holds a completed, live login: the key, the login
/// and its account checked in one read.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    /// The key and address.
    pub auth: ApiKeyAuth,
    /// The login.
    pub login: Login,
    /// Its account.
    pub account: Account,
}

impl FromRequestParts<AppState> for LoggedIn {
    type Rejection = I3dError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, I3dError> {
        let (token, ip) = presented(parts, state).await?;
        let (key, login, account) = state.logins.authenticate_logged_in(&token, ip).await?;
        let origin = origin_of(ip, &parts.headers);
        Ok(LoggedIn {
            auth: ApiKeyAuth { key, ip, origin },
            login,
            account,
        })
    }
}
