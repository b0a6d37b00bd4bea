//! The admin credential: `Authorization: Bearer <admin_token>`, compared in constant time,
//! behind the per-address credential limiter.

use std::net::IpAddr;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use playgate_core::crypto::SecretHash;
use playgate_core::{Error, Unauthorized};

use super::AdminError;
use crate::common::client_ip::ClientIp;
use crate::common::state::AppState;

/// A request carrying the admin token.
#[derive(Debug, Clone, Copy)]
pub struct Admin {
    /// The client's address.
    pub ip: Option<IpAddr>,
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AdminError> {
        let Some(token) = &state.net.admin_token else {
            return Err(AdminError::Disabled);
        };
        let ClientIp(ip) = ClientIp::from_request_parts(parts, state)
            .await
            .unwrap_or(ClientIp(None));
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default();
        // Behind the credential limiter: a locked-out address is refused even with the
        // right token.
        state
            .core
            .limit_credential(ip, async {
                // Hashes have one length, so the comparison is constant-time whatever was sent.
                if SecretHash::of(presented).matches(&token.hash()) && !presented.is_empty() {
                    Ok(Admin { ip })
                } else {
                    Err(Error::Unauthorized(Unauthorized::BadAdminToken))
                }
            })
            .await
            .map_err(AdminError::from)
    }
}
