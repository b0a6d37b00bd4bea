//! Request ids: every request gets one, taken from the caller's `X-Request-Id` when it is
//! sane (1 to 128 visible ASCII characters) and generated otherwise. It is returned in the
//! response's `X-Request-Id` and recorded on a `request` span, so every log line written
//! while the request runs (the cause of an opaque 500 included) carries it.

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::http::header::HeaderName;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument as _;

/// The header carrying the id both ways.
pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest caller-given id kept; a longer one is replaced (it would bloat every log line).
pub const MAX_LEN: usize = 128;

/// Whether a caller's id can be used as is: bounded and visible ASCII only, so it cannot
/// forge log lines or carry control characters into a terminal.
pub fn is_sane(id: &[u8]) -> bool {
    (1..=MAX_LEN).contains(&id.len()) && id.iter().all(|b| (0x21..=0x7e).contains(b))
}

/// A fresh id: a random UUID in its 32-hex-digit form.
fn generate() -> HeaderValue {
    let mut buf = [0u8; uuid::fmt::Simple::LENGTH];
    let text = uuid::Uuid::new_v4().simple().encode_lower(&mut buf);
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static("-"))
}

/// Middleware: assigns the id, runs the request inside its span, returns the id.
pub async fn assign(req: Request, next: Next) -> Response {
    let id = match req.headers().get(&X_REQUEST_ID) {
        Some(given) if is_sane(given.as_bytes()) => given.clone(),
        _ => generate(),
    };
    let span = {
        // Visible ASCII, so `to_str` cannot fail; the route is the template, never the raw
        // path (which may hold ids and tokens).
        let rid = id.to_str().unwrap_or("-");
        let route = req.extensions().get::<MatchedPath>().map_or("-", MatchedPath::as_str);
        tracing::info_span!("request", id = rid, method = %req.method(), route)
    };
    let mut resp = next.run(req).instrument(span).await;
    resp.headers_mut().insert(X_REQUEST_ID.clone(), id);
    resp
}
