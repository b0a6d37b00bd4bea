//! `GET /console`: the overview: the counts and the per-hour charts of the last 24 hours
//! from the stats service (what `GET /admin/v1/stats` answers), and the latest events.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use playgate_core::audit::AuditFilter;

use super::auth::Signed;
use super::error::ConsoleError;
use super::pages::{self, Counts, Section, charts_of};
use super::{chrome, html};
use crate::common::state::AppState;

/// The overview.
pub(super) async fn show(State(s): State<AppState>, by: Signed) -> Result<Response, ConsoleError> {
    let dashboard = s.stats.dashboard().await?;
    let operators = s.operators.list().await?;
    let latest = s
        .audit
        .list(AuditFilter {
            limit: 10,
            ..AuditFilter::default()
        })
        .await?;
    let counts = Counts {
        games: dashboard.counts.games,
        players: dashboard.counts.players,
        active_sessions: dashboard.counts.active_sessions,
        accounts: dashboard.counts.accounts,
        operators: operators.len(),
    };
    let charts = charts_of(&dashboard.minutes, s.players.now());
    let c = chrome(&by, "Overview", Section::Overview);
    Ok(html(pages::overview(&c, &counts, &charts, &latest.items)).into_response())
}
