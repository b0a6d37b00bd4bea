//! The `{"error": CODE, "message": TEXT, "field": …}` error format that the kgen dialect and
//! the admin API share: one responder and one wording of the core's reasons.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use playgate_core::{Conflict, Error, Forbidden, Unauthorized};
use serde::Serialize;
use utoipa::ToSchema;

/// The `error` code of the `{"error", "message"}` format (KGeN's, which the admin API
/// shares) that an HTTP-layer failure's status stands for.
pub fn error_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "request_timeout",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        429 => "rate_limited",
        503 => "unavailable",
        500..=599 => "internal_error",
        _ => "invalid_request",
    }
}

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

/// The answer to `e` in this format; `surface` names the surface in the log line of an
/// internal error.
pub fn respond(e: &Error, surface: &str) -> Response {
    let (status, code, message, field) = match e {
        Error::Invalid { field, reason } => (
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!("{field}: {reason}"),
            Some(field.as_str()),
        ),
        Error::Unauthorized(r) => (StatusCode::UNAUTHORIZED, "unauthorized", unauthorized(*r), None),
        Error::Forbidden(r) => (
            StatusCode::FORBIDDEN,
            "forbidden",
            r.with_operator_words(&forbidden(r)),
            None,
        ),
        Error::NotFound(r) => (StatusCode::NOT_FOUND, "not_found", format!("{r} not found"), None),
        Error::Conflict(r) => (StatusCode::CONFLICT, "conflict", conflict(*r), None),
        Error::Constraint { kind, .. } => (StatusCode::CONFLICT, "conflict", kind.to_string(), None),
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
        error: error_code(status),
        message,
        field: None,
    };
    (status, axum::Json(body)).into_response()
}

/// Asserts that `answer` gives every reason of the core its usual status and a
/// `{error, message}` body with words of its own: the test each surface of this format runs
/// over its error type.
#[cfg(test)]
pub(crate) async fn assert_every_reason_answered(answer: impl Fn(Error) -> Response) {
    use crate::common::reasons::{every_answer, usual_status};
    for (e, (status, ctype, body)) in every_answer(answer).await {
        assert_eq!(status, usual_status(&e), "{e:?}");
        assert!(ctype.starts_with("application/json"), "{e:?}: {ctype}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        assert_eq!(v["error"], error_code(status), "{e:?}: {body}");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{e:?}: {body}");
        assert_eq!(v.as_object().map(|o| o.len()), Some(2), "{e:?}: {body}");
    }
}

// Playgate's own words for the core's reasons: the `Display` of each (the words the console
// shows too), except where this format worded a reason its own way first (KGeN's client
// credentials and refresh tokens, a few others), which its clients may match and tests pin.
// The KGeN documentation prescribes the codes, not the messages, so the kgen dialect and the
// admin API speak these same words.

/// The `message` of a 409 for each conflict.
fn conflict(r: Conflict) -> String {
    let own = match r {
        Conflict::AccountNameTaken => "user name already taken",
        Conflict::SessionEnded => "session already ended",
        Conflict::LinkedElsewhere => "The player is linked to another account",
        _ => return r.to_string(),
    };
    own.to_owned()
}

/// The `message` of a 403 for each refusal (without the operator's words).
fn forbidden(r: &Forbidden) -> String {
    let own = match r {
        Forbidden::ViewerRole => "a viewer may not change anything; this needs the admin role",
        _ => return r.to_string(),
    };
    own.to_owned()
}

/// The `message` of a 401 for each refused credential.
fn unauthorized(r: Unauthorized) -> String {
    let own = match r {
        Unauthorized::BadClientCredentials => "invalid client credentials",
        Unauthorized::MissingClientCredentials => "missing x-client-id or x-client-secret header",
        Unauthorized::BadRefreshToken => "invalid refresh token",
        Unauthorized::RefreshTokenExpired => "refresh token expired",
        Unauthorized::RefreshTokenReused => "refresh token already used; session ended",
        Unauthorized::SessionNotLive => "session ended or expired",
        _ => return r.to_string(),
    };
    own.to_owned()
}
