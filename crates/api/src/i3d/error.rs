//! The i3D dialect's errors, in API v3's format: `{"errorCode": int, "errorMessage":
//! string, "errors": [{"property": string, "message": string}]}` with a 4xx status.
//!
//! i3D does not publish its list of error codes (its docs show `10001` "Entity not found"
//! only), so the codes below are Playgate's, one per kind of failure; clients read the
//! status and `errorMessage`. The statuses and messages of the documented failures
//! ("Invalid credentials" 401, "Already logged in" 409, "Too many login requests
//! performed" 429, "Invalid OTP" 401, "Unexpected OTP call" 404, not logged in 404) are
//! those of i3D's published OpenAPI document.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use playgate_core::Error;
use playgate_core::login::{NO_LOGIN, NO_LOGIN_AWAITING_OTP};
use serde::Serialize;
use utoipa::ToSchema;

/// `errorCode` of an unknown entity (the vendor's own example code), also of "not logged
/// in" and "unexpected OTP call", which i3D's document answers with 404.
pub const CODE_NOT_FOUND: i64 = 10001;
/// `errorCode` of a malformed or invalid field; `errors` names it.
pub const CODE_INVALID: i64 = 10002;
/// `errorCode` of missing or wrong credentials (API key, password, OTP).
pub const CODE_UNAUTHORIZED: i64 = 10003;
/// `errorCode` of an action not allowed.
pub const CODE_FORBIDDEN: i64 = 10004;
/// `errorCode` of a state conflict (already logged in, 2FA already on ...).
pub const CODE_CONFLICT: i64 = 10005;
/// `errorCode` of too many failed attempts.
pub const CODE_RATE_LIMITED: i64 = 10006;
/// `errorCode` of a method the route does not take.
pub const CODE_METHOD_NOT_ALLOWED: i64 = 10007;
/// `errorCode` of a request body over the size limit.
pub const CODE_TOO_LARGE: i64 = 10008;
/// `errorCode` of a server that cannot answer for now (database unreachable, timeout).
pub const CODE_UNAVAILABLE: i64 = 10009;
/// `errorCode` of a server fault.
pub const CODE_INTERNAL: i64 = 10000;

/// A core error on its way to an i3D client.
#[derive(Debug)]
pub struct I3dError(pub Error);

impl From<Error> for I3dError {
    fn from(e: Error) -> Self {
        I3dError(e)
    }
}

/// API v3's error object.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = Error)]
pub(super) struct Body {
    /// Error code
    error_code: i64,
    /// Error message
    error_message: String,
    /// Error details
    errors: Vec<FieldError>,
}

/// One field at fault.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ErrorDetails)]
pub(super) struct FieldError {
    /// Property in which there is an error
    property: String,
    /// Error message
    message: String,
}

impl IntoResponse for I3dError {
    fn into_response(self) -> Response {
        let mut errors = Vec::new();
        let (status, code, message) = match self.0 {
            Error::Invalid { field, reason } => {
                let message = format!("Invalid value for {field}: {reason}");
                errors.push(FieldError {
                    property: field,
                    message: reason,
                });
                (StatusCode::BAD_REQUEST, CODE_INVALID, message)
            }
            Error::Unauthorized(m) => (StatusCode::UNAUTHORIZED, CODE_UNAUTHORIZED, m.to_owned()),
            Error::Forbidden(m) => (StatusCode::FORBIDDEN, CODE_FORBIDDEN, m.to_owned()),
            // The document's two 404s, in its words.
            Error::NotFound(NO_LOGIN) => (StatusCode::NOT_FOUND, CODE_NOT_FOUND, "Not logged in".into()),
            Error::NotFound(NO_LOGIN_AWAITING_OTP) => {
                (StatusCode::NOT_FOUND, CODE_NOT_FOUND, "Unexpected OTP call".into())
            }
            Error::NotFound(what) => (
                StatusCode::NOT_FOUND,
                CODE_NOT_FOUND,
                format!("Entity not found: {what}"),
            ),
            Error::Conflict(m) => (StatusCode::CONFLICT, CODE_CONFLICT, m),
            Error::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                CODE_TOO_LARGE,
                "Request body is too large".into(),
            ),
            Error::Unavailable { retry_after_secs } => {
                let mut resp = http_failure(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service temporarily unavailable".into(),
                );
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
                return resp;
            }
            Error::RateLimited { retry_after_secs } => {
                let mut resp = (
                    StatusCode::TOO_MANY_REQUESTS,
                    axum::Json(Body {
                        error_code: CODE_RATE_LIMITED,
                        error_message: "Too many login requests performed".into(),
                        errors,
                    }),
                )
                    .into_response();
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
                return resp;
            }
            Error::Internal(cause) => {
                tracing::error!(error = %cause, "internal error in i3d dialect");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    CODE_INTERNAL,
                    "Internal server error".into(),
                )
            }
        };
        (
            status,
            axum::Json(Body {
                error_code: code,
                error_message: message,
                errors,
            }),
        )
            .into_response()
    }
}

/// A failure of the HTTP layer (unknown route, wrong method, a rejected path or body, a
/// timeout) as an API v3 error object, with the `errorCode` its status stands for.
pub fn http_failure(status: StatusCode, message: String) -> Response {
    let code = match status.as_u16() {
        401 => CODE_UNAUTHORIZED,
        403 => CODE_FORBIDDEN,
        404 => CODE_NOT_FOUND,
        405 => CODE_METHOD_NOT_ALLOWED,
        409 => CODE_CONFLICT,
        413 => CODE_TOO_LARGE,
        429 => CODE_RATE_LIMITED,
        408 | 503 => CODE_UNAVAILABLE,
        500..=599 => CODE_INTERNAL,
        _ => CODE_INVALID,
    };
    let body = Body {
        error_code: code,
        error_message: message,
        errors: Vec::new(),
    };
    (status, axum::Json(body)).into_response()
}
