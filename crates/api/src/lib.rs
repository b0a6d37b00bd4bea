//! Playgate's HTTP surface on axum: the wire dialects (`kgen`, `i3d`, `gamefuse`),
//! Playgate's own `admin` calls and the operational endpoints. Each dialect only
//! translates: wire request → core command → [`playgate_core::service::Playgate`] → wire
//! response, and errors into its vendor's format.

pub mod admin;
pub mod common;
pub mod gamefuse;
pub mod http_failure;
pub mod i3d;
pub mod kgen;

use axum::Router;

pub use common::state::{AppState, NetConfig};

/// The whole HTTP application.
/// Every request gets a request id (outermost, so every log line of the request has it)
/// and is counted in the HTTP metrics.
pub fn app(state: AppState) -> Router {
    let mut router = Router::new()
        .merge(common::health::router())
        .merge(kgen::router())
        .merge(i3d::router())
        .merge(gamefuse::router())
        .merge(admin::router());
    if let Some(exposition) = state.exposition.clone() {
        router = router.merge(common::metrics::router(exposition));
    }
    router
        .layer(axum::middleware::from_fn(common::complete::run_to_completion))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http_failure::time_limit,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(state.net.max_body_bytes))
        .layer(axum::middleware::from_fn(http_failure::in_dialect))
        .layer(common::observe::ObserveLayer::new(state.http_metrics.clone()))
        .with_state(state)
}
