//! The admin credential: `Authorization: Bearer <token>`, either an operator's personal
//! token or the configured `admin_token` (the bootstrap credential, acting as the operator
//! `config` with the admin role), behind the per-address credential limiter. [`Viewer`]
//! lets any enabled operator through (reads); [`Admin`] only those with the admin role
//! (changes): a viewer asking for a change gets 403.

use std::net::IpAddr;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use playgate_core::audit::{Actor, NewAuditEvent, Origin};
use playgate_core::crypto::SecretHash;
use playgate_core::operators::{CONFIG_OPERATOR, Principal, Role};
use playgate_core::{Error, Unauthorized};

use super::AdminError;
use crate::common::client_ip::client_ip;
use crate::common::origin::origin_of;
use crate::common::state::AppState;

/// Any enabled operator: may read.
#[derive(Debug, Clone)]
pub struct Viewer(pub Principal);

/// An operator with the admin role, and where the request came from: may change things,
/// each change recorded in the audit log under the operator's name.
#[derive(Debug, Clone)]
pub struct Admin {
    /// The operator.
    pub who: Principal,
    /// The request's address and user agent.
    pub origin: Origin,
}

impl Admin {
    /// An audit event by this operator from this request, for a service to complete and
    /// write with its change.
    pub fn event(&self) -> NewAuditEvent {
        NewAuditEvent::by(Actor::Operator(self.who.name.clone())).origin(self.origin.clone())
    }

    /// Records `action` by this operator, with the request's origin, in the audit log.
    /// The change is made by then: a failure to record is logged, not answered.
    pub async fn record(&self, state: &AppState, event: impl FnOnce(NewAuditEvent) -> NewAuditEvent) {
        state.audit.record_alone(event(self.event())).await;
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AdminError> {
        principal(parts, state).await.map(|(who, _)| Viewer(who))
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AdminError> {
        let (who, ip) = principal(parts, state).await?;
        who.require_admin()?;
        let origin = origin_of(ip, &parts.headers);
        Ok(Admin { who, origin })
    }
}

/// Who presents the request's bearer token, and the client's address. With no
/// `admin_token` configured and no operator made yet, the admin API does not exist (404).
async fn principal(parts: &mut Parts, state: &AppState) -> Result<(Principal, Option<IpAddr>), AdminError> {
    let configured = state.net.admin_token.as_ref();
    if configured.is_none() && !state.operators.any().await? {
        return Err(AdminError::Disabled);
    }
    let ip = client_ip(parts, state);
    let presented = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    // Behind the credential limiter: a locked-out address is refused even with the right
    // token.
    let who = state
        .core
        .limit_credential(ip, async {
            if presented.is_empty() {
                return Err(Error::Unauthorized(Unauthorized::BadAdminToken));
            }
            // Hashes have one length, so the comparison is constant-time whatever was sent.
            if configured.is_some_and(|t| SecretHash::of(presented).matches(&t.hash())) {
                return Ok(Principal {
                    name: CONFIG_OPERATOR.into(),
                    role: Role::Admin,
                });
            }
            state
                .operators
                .authenticate(presented)
                .await?
                .ok_or(Error::Unauthorized(Unauthorized::BadAdminToken))
        })
        .await?;
    Ok((who, ip))
}
