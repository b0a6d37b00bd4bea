//! `GET /healthz` (the process answers) and `GET /readyz` (the database answers too).

use axum::extract::State;
use axum::http::StatusCode;

use super::routes::Routes;
use super::state::AppState;

/// The health routes.
pub fn router() -> Routes {
    Routes::new().get("/healthz", healthz).get("/readyz", readyz)
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.core.ready().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
