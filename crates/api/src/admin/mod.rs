//! Playgate's own admin calls over HTTP, for operators' tooling: create and change
//! accounts, create API keys. Authenticated by `Authorization: Bearer <admin_token>` (from the config,
//! compared in constant time); with no `admin_token` configured the routes answer 404 as
//! if they did not exist. Errors are `{"error": CODE, "message": TEXT}` (plus `field`).

mod accounts;
pub mod docs;

use std::net::IpAddr;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use playgate_core::Error;
use playgate_core::crypto::SecretHash;
use serde::Serialize;
use utoipa::ToSchema;

use crate::common::client_ip::ClientIp;
use crate::common::routes::Routes;
use crate::common::state::AppState;

/// The admin routes.
pub fn router() -> Routes {
    Routes::new()
        .post("/admin/accounts", accounts::create_account)
        .patch("/admin/accounts/{id}", accounts::update_account)
        .post("/admin/api-keys", accounts::create_api_key)
}

/// An admin error: a core error, or "these routes do not exist" (no token configured).
#[derive(Debug)]
pub enum AdminError {
    /// No admin token configured: 404, as for a route that does not exist.
    Disabled,
    /// A core error.
    Core(Error),
}

impl From<Error> for AdminError {
    fn from(e: Error) -> Self {
        AdminError::Core(e)
    }
}

/// The error body: a code, a text for people, and the field at fault (400 only).
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
struct Body<'a> {
    /// `invalid_request`, `unauthorized`, `not_found`, `conflict`, `rate_limited`,
    /// `payload_too_large`, `method_not_allowed`, `unavailable`, `internal_error` ...
    error: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    field: Option<&'a str>,
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let e = match self {
            // The same answer as for a route that does not exist.
            AdminError::Disabled => return http_failure(StatusCode::NOT_FOUND, "route not found".into()),
            AdminError::Core(e) => e,
        };
        let (status, code, field) = match &e {
            Error::Invalid { field, .. } => (StatusCode::BAD_REQUEST, "invalid_request", Some(field.as_str())),
            Error::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized", None),
            Error::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", None),
            Error::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", None),
            Error::Conflict(_) => (StatusCode::CONFLICT, "conflict", None),
            Error::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited", None),
            Error::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", None),
            Error::Unavailable { .. } => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", None),
            Error::Internal(cause) => {
                tracing::error!(error = %cause, "internal error in admin API");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal_error", None)
            }
        };
        let message = match &e {
            Error::Internal(_) => "internal server error".to_owned(),
            other => other.to_string(),
        };
        let mut resp = (
            status,
            axum::Json(Body {
                error: code,
                message,
                field,
            }),
        )
            .into_response();
        if let Error::RateLimited { retry_after_secs } | Error::Unavailable { retry_after_secs } = e {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        resp
    }
}

/// A failure of the HTTP layer (unknown route, wrong method, a rejected path or body, a
/// timeout) in the admin format, with the `error` code its status stands for.
pub fn http_failure(status: StatusCode, message: String) -> Response {
    let code = crate::http_failure::error_code(status);
    let body = Body {
        error: code,
        message,
        field: None,
    };
    (status, axum::Json(body)).into_response()
}

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
                    Err(Error::Unauthorized("missing or wrong admin token"))
                }
            })
            .await
            .map_err(AdminError::from)
    }
}
