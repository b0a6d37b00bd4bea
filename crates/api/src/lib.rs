//! Playgate's HTTP surface on axum: the wire dialects (`kgen`, `i3d`, `gamefuse`),
//! Playgate's own `admin` calls, the operators' web `console` and the operational
//! endpoints. Each dialect only
//! translates: wire request → core command → a core service (`state.sessions`,
//! `state.logins`, `state.friends`, …) → wire response, and errors into its vendor's format.

pub mod admin;
pub mod common;
pub mod console;
pub mod gamefuse;
pub mod http_failure;
pub mod i3d;
pub mod kgen;
pub mod openapi;

use std::sync::Arc;

use axum::Router;
use axum::http::Method;
use common::metrics::Exposition;
use common::routes::Routes;

pub use common::state::{AdminServices, AppState, Features, NetConfig, PlatformServices};

/// The whole HTTP application.
/// Every request gets a request id (outermost, so every log line of the request has it)
/// and is counted in the HTTP metrics.
pub fn app(state: AppState) -> Router {
    let (router, _) = routes(state.exposition.clone()).into_parts();
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

/// Every route of [`app`], recorded as it is registered (`exposition`: `GET /metrics` on
/// this router). The OpenAPI documents must describe each one, but the operational routes
/// ([`openapi::OPERATIONAL`]).
pub fn routes(exposition: Option<Arc<Exposition>>) -> Routes {
    let mut routes = Routes::new()
        .merge(common::health::router())
        .merge(openapi::router())
        .merge(kgen::router())
        .merge(i3d::router())
        .merge(gamefuse::router())
        .merge(admin::router())
        .merge(console::router());
    if let Some(exposition) = exposition {
        routes = routes.merge_declared(&[(Method::GET, "/metrics")], common::metrics::router(exposition));
    }
    routes
}
