//! Playgate's HTTP surface on axum: the wire dialects (`kgen`, `gamefuse`, and later
//! `i3d`) and the operational endpoints. Each dialect only translates: wire request →
//! core command → [`playgate_core::service::Playgate`] → wire response, and errors into its
//! vendor's format.

pub mod common;
pub mod gamefuse;
pub mod kgen;

use axum::Router;

pub use common::state::{AppState, NetConfig};

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(common::health::router())
        .merge(kgen::router())
        .merge(gamefuse::router())
        .with_state(state)
}
