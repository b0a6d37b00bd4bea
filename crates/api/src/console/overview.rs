//! `GET /console`: the overview (counts the services give cheaply, the latest events).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use playgate_core::audit::AuditFilter;

use super::auth::Signed;
use super::error::ConsoleError;
use super::pages::{self, Counts, Section};
use super::{chrome, html};
use crate::common::state::AppState;

/// The overview.
pub(super) async fn show(State(s): State<AppState>, by: Signed) -> Result<Response, ConsoleError> {
    let games = s.core.list_games().await?;
    let operators = s.operators.list().await?;
    let latest = s
        .audit
        .list(AuditFilter {
            limit: 10,
            ..AuditFilter::default()
        })
        .await?;
    let counts = Counts {
        games: games.len(),
        enabled_games: games.iter().filter(|g| g.enabled).count(),
        operators: operators.len(),
    };
    let c = chrome(&by, "Overview", Section::Overview);
    Ok(html(pages::overview(&c, &counts, &latest.items)).into_response())
}
