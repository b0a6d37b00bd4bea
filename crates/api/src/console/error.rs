//! The console's one error type, answered as an HTML page (or a redirect to sign-in).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use playgate_core::Error;

use super::pages;

/// A console error.
#[derive(Debug)]
pub enum ConsoleError {
    /// No live session: off to the sign-in page.
    SignInFirst,
    /// The sign-in is complete already: off to the overview.
    AlreadySignedIn,
    /// A form without the session's synchronizer token, or with a wrong one: 403.
    BadCsrf,
    /// A viewer asked for a change: 403.
    ViewerRole,
    /// A body that is no form: 400.
    BadForm,
    /// A core error.
    Core(Error),
}

impl std::convert::From<Error> for ConsoleError {
    fn from(e: Error) -> Self {
        ConsoleError::Core(e)
    }
}

/// The status and the words of a core error, for a page or next to a field.
pub fn status_and_message(e: &Error) -> (StatusCode, String) {
    match e {
        Error::Invalid { field, reason } => (StatusCode::BAD_REQUEST, format!("{field}: {reason}")),
        Error::Unauthorized(r) => (StatusCode::UNAUTHORIZED, r.to_string()),
        Error::Forbidden(r) => (StatusCode::FORBIDDEN, r.to_string()),
        Error::NotFound(r) => (StatusCode::NOT_FOUND, format!("{r} not found")),
        Error::Conflict(r) => (StatusCode::CONFLICT, r.to_string()),
        Error::Constraint { kind, .. } => (StatusCode::CONFLICT, kind.to_string()),
        Error::RateLimited { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too many failed attempts: try again in {retry_after_secs} s."),
        ),
        Error::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.".into()),
        Error::Unavailable { retry_after_secs } => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("The database is unavailable: try again in {retry_after_secs} s."),
        ),
        Error::Internal(cause) => {
            tracing::error!(error = %cause, "internal error in the console");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "A server fault (it is logged).".into(),
            )
        }
    }
}

/// The field an [`Error::Invalid`] names, to show its words next to it; "" for any other
/// error.
pub fn field_of(e: &Error) -> &str {
    match e {
        Error::Invalid { field, .. } => field,
        _ => "",
    }
}

/// A page saying what went wrong, with `status`.
pub fn page(status: StatusCode, message: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    (
        status,
        axum::response::Html(pages::problem(title, message).into_string()),
    )
        .into_response()
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        match self {
            ConsoleError::SignInFirst => redirect_with("/console/sign-in", &[]),
            ConsoleError::AlreadySignedIn => redirect_with("/console", &[]),
            ConsoleError::BadCsrf => page(
                StatusCode::FORBIDDEN,
                "This form did not come from your console session (its security token is missing or \
                 out of date). Reload the page and try again.",
            ),
            ConsoleError::ViewerRole => page(
                StatusCode::FORBIDDEN,
                "Your role is viewer: you may look, not change. Ask an admin.",
            ),
            ConsoleError::BadForm => page(StatusCode::BAD_REQUEST, "The form could not be read."),
            ConsoleError::Core(e) => {
                let (status, message) = status_and_message(&e);
                let mut resp = page(status, &message);
                if let Error::RateLimited { retry_after_secs } | Error::Unavailable { retry_after_secs } = e
                    && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
                {
                    resp.headers_mut().insert(header::RETRY_AFTER, v);
                }
                resp
            }
        }
    }
}

/// A redirect (303: the browser follows with a GET) with cookies to set.
pub fn redirect_with(to: &str, cookies: &[HeaderValue]) -> Response {
    let mut resp = Redirect::to(to).into_response();
    *resp.status_mut() = axum::http::StatusCode::SEE_OTHER;
    for c in cookies {
        resp.headers_mut().append(header::SET_COOKIE, c.clone());
    }
    resp
}
