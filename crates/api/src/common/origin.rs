//! Where a request came from, as the audit log records it: the client address (see
//! [`client_ip`](super::client_ip::client_ip)) and the `User-Agent`.

use std::convert::Infallible;
use std::net::IpAddr;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use playgate_core::audit::Origin;

use super::client_ip::client_ip;
use super::state::AppState;

/// The request's origin.
#[derive(Debug, Clone)]
pub struct RequestOrigin(pub Origin);

/// The origin of a request from `ip` with these headers.
pub fn origin_of(ip: Option<IpAddr>, headers: &HeaderMap) -> Origin {
    Origin {
        ip: ip.map(|ip| ip.to_string()),
        user_agent: user_agent(headers),
    }
}

/// The request's `User-Agent`, if it is text.
pub fn user_agent(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

impl FromRequestParts<AppState> for RequestOrigin {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(RequestOrigin(origin_of(client_ip(parts, state), &parts.headers)))
    }
}
