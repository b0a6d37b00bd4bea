//! `GET /admin/v1/audit`: the audit log, newest first, a page at a time.

use axum::Json;
use axum::extract::{Query, State};
use playgate_core::Error;
use playgate_core::audit::{AuditEvent, AuditFilter};
use playgate_core::ids::GameId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::wire::{Page, limit, number, timestamp};
use super::{AdminError, Viewer};
use crate::common::state::AppState;
use crate::common::time::rfc3339;

/// The filters of `GET /admin/v1/audit`; every one optional.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only events of this game (its id).
    game: Option<String>,
    /// Only events by this actor: `operator:NAME`, `player:ID`, `account:ID`,
    /// `api_key:ID`, `game:ID`, `cli` or `system`.
    actor: Option<String>,
    /// Only events done to this subject (`player:ID`, `account:ID`, `operator:NAME` …).
    subject: Option<String>,
    /// Only this action (`login.failed`), or a family of actions ending in `.` (`session.`).
    action: Option<String>,
    /// Only events at or after this time (RFC 3339, or Unix seconds).
    since: Option<String>,
    /// Only events before this time (RFC 3339, or Unix seconds).
    until: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Events per page, 1 to 500 (default 50).
    limit: Option<String>,
}

/// One event of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventJson {
    id: i64,
    /// When (RFC 3339, UTC).
    at: String,
    action: String,
    actor: String,
    game_id: Option<i64>,
    subject: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    /// Details of the event (before/after of a change …).
    #[schema(value_type = Object)]
    detail: serde_json::Value,
}

impl From<AuditEvent> for AuditEventJson {
    fn from(e: AuditEvent) -> Self {
        AuditEventJson {
            id: e.id,
            at: rfc3339(e.at),
            action: e.action,
            actor: e.actor,
            game_id: e.game.map(|g| g.0),
            subject: e.subject,
            ip: e.origin.ip,
            user_agent: e.origin.user_agent,
            detail: e.detail,
        }
    }
}

fn filter(q: &AuditQuery) -> Result<AuditFilter, Error> {
    let when = |field: &str, v: Option<&str>| v.map(|s| timestamp(field, s)).transpose();
    let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    Ok(AuditFilter {
        game: number("game", q.game.as_deref())?.map(GameId),
        actor: text(&q.actor),
        subject: text(&q.subject),
        action: text(&q.action),
        since: when("since", q.since.as_deref())?,
        until: when("until", q.until.as_deref())?,
        before_id: number("cursor", q.cursor.as_deref())?,
        limit: limit(q.limit.as_deref())?,
    })
}

/// The audit log, newest first; `next_cursor` leads to the next page.
#[utoipa::path(
    get,
    path = "/admin/v1/audit",
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of events, newest first", body = Page<AuditEventJson>),
    ),
)]
pub(super) async fn list(
    State(s): State<AppState>,
    _: Viewer,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Page<AuditEventJson>>, AdminError> {
    let page = s.audit.list(filter(&q)?).await?;
    Ok(Json(Page::of(page.items, page.next_cursor.map(|id| id.to_string()))))
}

#[cfg(test)]
mod tests {
    use playgate_core::clock::Timestamp;

    use super::*;

    #[test]
    fn filters_name_the_bad_field() {
        // Each query sets one field, as the query string would.
        for (field, value) in [("game", "x"), ("cursor", "-"), ("limit", "0"), ("since", "yesterday")] {
            let q: AuditQuery = serde_json::from_value(serde_json::json!({ field: value })).expect("query");
            match filter(&q) {
                Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
        let f = filter(&AuditQuery {
            since: Some("2026-01-01T00:00:00Z".into()),
            until: Some("1767225600".into()),
            action: Some(" session. ".into()),
            ..Default::default()
        })
        .expect("filter");
        assert_eq!(f.since, Some(Timestamp(1_767_225_600_000_000_000)));
        assert_eq!(f.since, f.until);
        assert_eq!(f.action.as_deref(), Some("session."));
    }
}
