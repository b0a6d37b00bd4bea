//! GameFuse errors: a short `text/plain` body (the SDK shows it to the game) with the
//! documented status (reference 0.5): 400 bad or missing parameters, 401 authentication,
//! 402 disabled game, 403 not allowed or not enough credits, 404 not found, 422 invalid
//! data, 429 too many attempts, 500 a real fault (logged; the body says nothing more).
//! Playgate adds 413 for a body over the size limit and 503 with `Retry-After` while the
//! database is unreachable.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use playgate_core::gamefuse::GAME_DISABLED;
use playgate_core::{ConstraintKind, Error};

/// A GameFuse error response.
#[derive(Debug)]
pub struct GfError {
    status: StatusCode,
    message: String,
    retry_after: Option<u64>,
}

impl GfError {
    /// An error with this status and text.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        GfError {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400 for a bad parameter.
    pub fn invalid(field: &str, reason: &str) -> Self {
        Error::invalid(field, reason).into()
    }

    /// The same error with another status when it has `from` (a route's documented
    /// deviation, e.g. sign-in answers a refused password with 404).
    pub fn remap(mut self, from: StatusCode, to: StatusCode) -> Self {
        if self.status == from {
            self.status = to;
        }
        self
    }

    /// Its status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl From<Error> for GfError {
    fn from(e: Error) -> Self {
        let (status, message) = match &e {
            Error::Invalid { field, reason } => (StatusCode::BAD_REQUEST, format!("{field} {reason}")),
            Error::Unauthorized(m) => (StatusCode::UNAUTHORIZED, (*m).to_owned()),
            Error::Forbidden(m) if *m == GAME_DISABLED => (StatusCode::PAYMENT_REQUIRED, (*m).to_owned()),
            Error::Forbidden(m) => (StatusCode::FORBIDDEN, capitalized(m)),
            Error::NotFound(what) => (StatusCode::NOT_FOUND, capitalized(&format!("{what} not found"))),
            // A key the core did not turn into a reason of its own (its name is not for clients).
            Error::Constraint {
                kind: ConstraintKind::Unique,
                ..
            } => (StatusCode::UNPROCESSABLE_ENTITY, "Has already been taken".to_owned()),
            Error::Constraint {
                kind: ConstraintKind::ForeignKey,
                ..
            } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "Refers to a record that does not exist".to_owned(),
            ),
            Error::Conflict(m) => (StatusCode::UNPROCESSABLE_ENTITY, m.clone()),
            Error::RateLimited { retry_after_secs } => {
                let mut err = GfError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("Too many attempts, retry after {retry_after_secs} s"),
                );
                err.retry_after = Some(*retry_after_secs);
                return err;
            }
            Error::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large".to_owned()),
            Error::Unavailable { retry_after_secs } => {
                let mut err = GfError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("Service temporarily unavailable, retry after {retry_after_secs} s"),
                );
                err.retry_after = Some(*retry_after_secs);
                return err;
            }
            Error::Internal(cause) => {
                tracing::error!(error = %cause, "internal error in gamefuse dialect");
                (StatusCode::INTERNAL_SERVER_ERROR, "Unknown server error".to_owned())
            }
        };
        GfError::new(status, message)
    }
}

impl IntoResponse for GfError {
    fn into_response(self) -> Response {
        let mut resp = (
            self.status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            )],
            self.message,
        )
            .into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_texts() {
        let cases = [
            (Error::invalid("email", "is required"), 400, "email is required"),
            (Error::Unauthorized("no"), 401, "no"),
            (Error::Forbidden(GAME_DISABLED), 402, GAME_DISABLED),
            (Error::Forbidden("not enough credits"), 403, "Not enough credits"),
            (Error::NotFound("user"), 404, "User not found"),
            (
                Error::Constraint {
                    kind: ConstraintKind::Unique,
                    name: "x_key".into(),
                },
                422,
                "Has already been taken",
            ),
            (
                Error::Constraint {
                    kind: ConstraintKind::ForeignKey,
                    name: "x_fkey".into(),
                },
                422,
                "Refers to a record that does not exist",
            ),
            (
                Error::Conflict("Already in the group".into()),
                422,
                "Already in the group",
            ),
            (Error::internal("db down: secret detail"), 500, "Unknown server error"),
        ];
        for (e, status, text) in cases {
            let g = GfError::from(e);
            assert_eq!((g.status.as_u16(), g.message.as_str()), (status, text));
        }
        let g = GfError::from(Error::Unauthorized("x")).remap(StatusCode::UNAUTHORIZED, StatusCode::NOT_FOUND);
        assert_eq!(g.status(), StatusCode::NOT_FOUND);
    }
}
