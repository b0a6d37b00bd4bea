//! Handlers run to completion even when the client goes away.
//!
//! hyper drops a request's future when its connection closes. A handler dropped between
//! two statements of a database transaction can leave that transaction open on a pooled
//! connection (sqlx 0.8 returns such a connection to the pool still inside `BEGIN`, seen
//! as PostgreSQL's "there is already a transaction in progress" under load), and a write
//! that was decided would be half done. Running each request on its own task makes the
//! client's disconnect cancel only the wait for the answer, never the work.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::request_id;

/// Middleware: runs the rest of the stack on a spawned task and awaits it. The task keeps
/// the caller's request context (the request id of its log lines), which a spawned task
/// would otherwise lose.
pub async fn run_to_completion(req: Request, next: Next) -> Response {
    let task = match request_id::with_current(Clone::clone) {
        Some(ctx) => tokio::spawn(request_id::scope(ctx, next.run(req))),
        None => tokio::spawn(next.run(req)),
    };
    match task.await {
        Ok(resp) => resp,
        Err(e) => {
            // A panic in a handler (a bug): answer 500 and keep serving.
            tracing::error!(error = %e, "request task failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
