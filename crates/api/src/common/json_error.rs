//! The `{"error": CODE, "message": TEXT, "field": …}` error format that the kgen dialect and
//! the admin API share: one responder, each surface bringing its own wording of the core's
//! reasons ([`Wording`]).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use playgate_core::{Conflict, ConstraintKind, Entity, Error, Forbidden, Unauthorized};
use serde::Serialize;
use utoipa::ToSchema;

/// The error body: a code, a text for people, and the field at fault (400 only).
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct Body<'a> {
    /// `invalid_request`, `unauthorized`, `not_found`, `conflict`, `rate_limited`,
    /// `payload_too_large`, `method_not_allowed`, `unavailable`, `internal_error` ...
    error: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    field: Option<&'a str>,
}

/// A surface's words for each reason the core gives.
pub trait Wording {
    /// The `message` of a 409 for a key the core did not turn into a reason of its own.
    fn constraint(kind: ConstraintKind) -> &'static str;
    /// The `message` of a 409.
    fn conflict(r: Conflict) -> &'static str;
    /// The `message` of a 403.
    fn forbidden(r: Forbidden) -> &'static str;
    /// The `message` of a 401.
    fn unauthorized(r: Unauthorized) -> &'static str;
    /// The `message` of a 404.
    fn not_found(r: Entity) -> &'static str;
}

/// The answer to `e` in this format, worded by `W`; `surface` names the surface in the log
/// line of an internal error.
pub fn respond<W: Wording>(e: &Error, surface: &str) -> Response {
    let (status, code, message, field) = match e {
        Error::Invalid { field, reason } => (
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!("{field}: {reason}"),
            Some(field.as_str()),
        ),
        Error::Unauthorized(r) => (
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            W::unauthorized(*r).to_owned(),
            None,
        ),
        Error::Forbidden(r) => (StatusCode::FORBIDDEN, "forbidden", W::forbidden(*r).to_owned(), None),
        Error::NotFound(r) => (StatusCode::NOT_FOUND, "not_found", W::not_found(*r).to_owned(), None),
        Error::Conflict(r) => (StatusCode::CONFLICT, "conflict", W::conflict(*r).to_owned(), None),
        Error::Constraint { kind, .. } => (StatusCode::CONFLICT, "conflict", W::constraint(*kind).to_owned(), None),
        Error::RateLimited { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many requests, retry after {retry_after_secs} s"),
            None,
        ),
        Error::PayloadTooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the request body is too large".to_owned(),
            None,
        ),
        Error::Unavailable { retry_after_secs } => (
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            format!("service unavailable, retry after {retry_after_secs} s"),
            None,
        ),
        Error::Internal(cause) => {
            tracing::error!(error = %cause, "internal error in {surface}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "internal server error".to_owned(),
                None,
            )
        }
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
            .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
    }
    resp
}

/// A failure of the HTTP layer (unknown route, wrong method, a rejected path or body, a
/// timeout) in this format, with the `error` code its status stands for.
pub fn http_failure(status: StatusCode, message: String) -> Response {
    let body = Body {
        error: crate::http_failure::error_code(status),
        message,
        field: None,
    };
    (status, axum::Json(body)).into_response()
}
