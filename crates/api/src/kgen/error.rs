//! The kgen dialect's errors: `{"error": CODE, "message": TEXT}` (plus `field` for a bad
//! field) with the matching status.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use playgate_core::Error;
use serde::Serialize;
use utoipa::ToSchema;

/// A core error on its way to a kgen client.
#[derive(Debug)]
pub struct KgenError(pub Error);

impl From<Error> for KgenError {
    fn from(e: Error) -> Self {
        KgenError(e)
    }
}

/// The error body: a code, a text for people, and the field at fault (400 only).
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub(super) struct Body<'a> {
    /// `invalid_request`, `unauthorized`, `not_found`, `conflict`, `rate_limited`,
    /// `payload_too_large`, `method_not_allowed`, `unavailable`, `internal_error` ...
    error: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    field: Option<&'a str>,
}

impl IntoResponse for KgenError {
    fn into_response(self) -> Response {
        let (status, code, field) = match &self.0 {
            Error::Invalid { field, .. } => (StatusCode::BAD_REQUEST, "invalid_request", Some(field.as_str())),
            Error::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized", None),
            Error::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", None),
            Error::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", None),
            Error::Conflict(_) => (StatusCode::CONFLICT, "conflict", None),
            Error::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited", None),
            Error::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", None),
            Error::Unavailable { .. } => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", None),
            Error::Internal(cause) => {
                tracing::error!(error = %cause, "internal error in kgen dialect");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal_error", None)
            }
        };
        let message = match &self.0 {
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
        if let Error::RateLimited { retry_after_secs } | Error::Unavailable { retry_after_secs } = self.0 {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        resp
    }
}

/// A failure of the HTTP layer (unknown route, wrong method, a rejected path or body, a
/// timeout) in the kgen format, with the `error` code its status stands for.
pub fn http_failure(status: StatusCode, message: String) -> Response {
    let code = crate::http_failure::error_code(status);
    let body = Body {
        error: code,
        message,
        field: None,
    };
    (status, axum::Json(body)).into_response()
}
