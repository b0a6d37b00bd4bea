//! `GET /admin/v1/stats`: counts and per-minute series of the last 24 hours, for a
//! dashboard.

use axum::Json;
use axum::extract::State;
use playgate_core::metrics::StatSeries;
use playgate_core::stats::Dashboard;
use serde::Serialize;
use utoipa::ToSchema;

use super::{AdminError, Viewer};
use crate::common::state::AppState;
use crate::common::time::rfc3339;

/// The counts (read at most a few seconds before, per node).
#[derive(Debug, Serialize, ToSchema)]
pub struct CountsJson {
    games: i64,
    players: i64,
    accounts: i64,
    /// Sessions active and not past their expiry.
    active_sessions: i64,
}

/// One minute of a series.
#[derive(Debug, Serialize, ToSchema)]
pub struct MinuteJson {
    /// The minute's start, RFC 3339 UTC.
    minute: String,
    /// Events in that minute, over every node.
    count: i64,
}

/// The series of the last 24 hours: the minutes with events, ascending (a minute without
/// any is left out). A node adds its counts every few seconds, to the minute it adds them
/// in.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct SeriesJson {
    /// New sessions (KGeN sessions created, GameFuse sign-ups and sign-ins).
    sessions_opened: Vec<MinuteJson>,
    /// Sessions given a new token pair.
    refreshes: Vec<MinuteJson>,
    /// Password logins that succeeded (i3D, GameFuse).
    logins_succeeded: Vec<MinuteJson>,
    /// Password logins refused for wrong credentials.
    logins_failed: Vec<MinuteJson>,
    /// Logins refused for too many failures.
    lockouts: Vec<MinuteJson>,
    /// HTTP answers with a 4xx status.
    http_4xx: Vec<MinuteJson>,
    /// HTTP answers with a 5xx status.
    http_5xx: Vec<MinuteJson>,
}

/// `GET /admin/v1/stats`.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsJson {
    counts: CountsJson,
    series: SeriesJson,
}

impl From<Dashboard> for StatsJson {
    fn from(d: Dashboard) -> Self {
        let mut series = SeriesJson::default();
        for m in d.minutes {
            let list = match m.series {
                StatSeries::SessionsOpened => &mut series.sessions_opened,
                StatSeries::Refreshes => &mut series.refreshes,
                StatSeries::LoginsSucceeded => &mut series.logins_succeeded,
                StatSeries::LoginsFailed => &mut series.logins_failed,
                StatSeries::Lockouts => &mut series.lockouts,
                StatSeries::Http4xx => &mut series.http_4xx,
                StatSeries::Http5xx => &mut series.http_5xx,
            };
            list.push(MinuteJson {
                minute: rfc3339(m.minute),
                count: m.count,
            });
        }
        StatsJson {
            counts: CountsJson {
                games: d.counts.games,
                players: d.counts.players,
                accounts: d.counts.accounts,
                active_sessions: d.counts.active_sessions,
            },
            series,
        }
    }
}

/// Counts (games, players, accounts, active sessions; cached a few seconds per node) and
/// per-minute series of the last 24 hours.
#[utoipa::path(
    operation_id = "stats_show",
    get,
    path = "/admin/v1/stats",
    tag = "stats",
    responses((status = 200, description = "The stats", body = StatsJson)),
)]
pub(super) async fn show(State(s): State<AppState>, _: Viewer) -> Result<Json<StatsJson>, AdminError> {
    Ok(Json(s.stats.dashboard().await?.into()))
}
