//! Failures of the HTTP layer in the format of the dialect a path belongs to.
//!
//! axum answers some failures itself before (or instead of) a handler: an unknown route
//! (404, empty body), a method the route does not take (405, empty), a path segment that
//! does not decode, a body over the limit or a broken multipart body (plain text), and
//! the request timeout below. A client of one vendor's API reads every error in that
//! vendor's format, so these are rewritten here, keeping their status and headers
//! (`Allow`, `Retry-After`, `Connection`). Dialect errors are already in their format and
//! pass unchanged: only error responses with no body or a `text/plain` one are rewritten
//! (GameFuse's own errors are `text/plain` too; rewriting them yields the same bytes).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::common::json_error;
use crate::common::state::AppState;
use crate::{gamefuse, i3d};

/// The longest failure text read back from axum's answer (its texts are one line).
const MAX_TEXT: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Kgen,
    I3d,
    Gamefuse,
    Admin,
}

/// The dialect whose routes `path` is under, if any.
fn dialect(path: &str) -> Option<Dialect> {
    let under = |prefix: &str| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    if under("/s2s") {
        Some(Dialect::Kgen)
    } else if under("/v3") {
        Some(Dialect::I3d)
    } else if under(gamefuse::PREFIX) {
        Some(Dialect::Gamefuse)
    } else if under("/admin") {
        Some(Dialect::Admin)
    } else {
        None
    }
}

fn is_plain(resp: &Response) -> bool {
    match resp.headers().get(header::CONTENT_TYPE) {
        None => true,
        Some(v) => v.to_str().is_ok_and(|t| t.starts_with("text/plain")),
    }
}

/// Middleware: rewrites axum's own failures into the path's dialect.
pub async fn in_dialect(req: Request, next: Next) -> Response {
    let dialect = dialect(req.uri().path());
    let resp = next.run(req).await;
    let Some(dialect) = dialect else { return resp };
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) || !is_plain(&resp) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, MAX_TEXT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = if !text.is_empty() {
        text
    } else {
        match status {
            StatusCode::NOT_FOUND => "route not found".to_owned(),
            StatusCode::METHOD_NOT_ALLOWED => "method not allowed".to_owned(),
            other => other.canonical_reason().unwrap_or("error").to_lowercase(),
        }
    };
    let rendered = match dialect {
        // KGeN's `{"error", "message"}` format, which the admin API shares.
        Dialect::Kgen | Dialect::Admin => json_error::http_failure(status, message),
        Dialect::I3d => i3d::http_failure(status, message),
        Dialect::Gamefuse => gamefuse::GfError::new(status, message).into_response(),
    };
    let (new_parts, new_body) = rendered.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in &new_parts.headers {
        parts.headers.insert(name, value.clone());
    }
    Response::from_parts(parts, Body::new(new_body))
}

/// Middleware: a request that takes longer than `request_timeout` is answered 503 with
/// `Connection: close` (its handler keeps running on its own task, see
/// [`crate::common::complete`]); [`in_dialect`] puts the answer in the dialect's format.
pub async fn time_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(state.net.request_timeout, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => {
            tracing::warn!(timeout = ?state.net.request_timeout, "request timed out");
            let mut resp = (StatusCode::SERVICE_UNAVAILABLE, "the request took too long").into_response();
            let h = resp.headers_mut();
            h.insert(header::CONNECTION, HeaderValue::from_static("close"));
            h.insert(header::RETRY_AFTER, HeaderValue::from(1));
            resp
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialect_by_path() {
        assert_eq!(dialect("/s2s/session"), Some(Dialect::Kgen));
        assert_eq!(dialect("/s2sx"), None);
        assert_eq!(dialect("/v3/session/login"), Some(Dialect::I3d));
        assert_eq!(dialect("/api/v3/users/1"), Some(Dialect::Gamefuse));
        assert_eq!(dialect("/admin/gamefuse/games/1/routes"), Some(Dialect::Admin));
        assert_eq!(dialect("/admin/accounts"), Some(Dialect::Admin));
        assert_eq!(dialect("/admin"), Some(Dialect::Admin));
        assert_eq!(dialect("/healthz"), None);
    }
}
