//! `GET /console/audit`: the audit log, filtered by game, actor, action and time.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use playgate_core::audit::AuditFilter;
use playgate_core::clock::Timestamp;
use playgate_core::ids::GameId;
use playgate_core::{Error, Result};
use serde::Deserialize;

use super::auth::Signed;
use super::error::{ConsoleError, status_and_message};
use super::pages::{self, AuditQuery, Section};
use super::{chrome, html};
use crate::common::state::AppState;

/// Events per page.
const PAGE: u32 = 50;

/// The filters as the form sends them.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Filters {
    game: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    since: Option<String>,
    subject: Option<String>,
    before: Option<String>,
}

/// `YYYY-MM-DD` (midnight UTC) or RFC 3339.
fn parse_since(s: &str) -> Result<Timestamp> {
    use time::format_description::well_known::Rfc3339;
    let bad = || Error::invalid("since", "must be a date (2026-01-31) or an RFC 3339 time");
    let t = if s.len() == 10 {
        let d = time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).map_err(|_| bad())?;
        d.midnight().assume_utc()
    } else {
        time::OffsetDateTime::parse(s, &Rfc3339).map_err(|_| bad())?
    };
    i64::try_from(t.unix_timestamp_nanos())
        .map(Timestamp)
        .map_err(|_| bad())
}

fn filter(f: &Filters) -> Result<AuditFilter> {
    let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let game = text(&f.game)
        .map(|g| {
            g.parse()
                .map(GameId)
                .map_err(|_| Error::invalid("game", "must be a number"))
        })
        .transpose()?;
    let before_id = text(&f.before)
        .map(|b| b.parse().map_err(|_| Error::invalid("before", "must be a number")))
        .transpose()?;
    Ok(AuditFilter {
        game,
        actor: text(&f.actor),
        action: text(&f.action),
        subject: text(&f.subject),
        since: text(&f.since).map(|s| parse_since(&s)).transpose()?,
        before_id,
        limit: PAGE,
        ..AuditFilter::default()
    })
}

fn next_link(q: &AuditQuery, cursor: i64) -> String {
    let mut url = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("game", &q.game),
        ("actor", &q.actor),
        ("action", &q.action),
        ("since", &q.since),
        ("subject", &q.subject),
    ] {
        if !v.is_empty() {
            url.append_pair(k, v);
        }
    }
    url.append_pair("before", &cursor.to_string());
    format!("/console/audit?{}", url.finish())
}

/// The audit log page.
pub(super) async fn list(
    State(s): State<AppState>,
    by: Signed,
    Query(f): Query<Filters>,
) -> Result<Response, ConsoleError> {
    let q = AuditQuery {
        game: f.game.clone().unwrap_or_default(),
        actor: f.actor.clone().unwrap_or_default(),
        action: f.action.clone().unwrap_or_default(),
        since: f.since.clone().unwrap_or_default(),
        subject: f.subject.clone().unwrap_or_default(),
    };
    let c = chrome(&by, "Audit log", Section::Audit);
    let filter = match filter(&f) {
        Ok(filter) => filter,
        Err(e @ Error::Invalid { .. }) => {
            let (_, message) = status_and_message(&e);
            let page = pages::audit(&c, &q, Some(&message), &[], None);
            return Ok((StatusCode::BAD_REQUEST, html(page)).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let page = s.audit.list(filter).await?;
    let next = page.next_cursor.map(|id| next_link(&q, id));
    Ok(html(pages::audit(&c, &q, None, &page.items, next)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_dates_and_times() {
        assert_eq!(
            parse_since("2026-01-01").ok(),
            Some(Timestamp(1_767_225_600_000_000_000))
        );
        assert_eq!(
            parse_since("2026-01-01T00:00:01Z").ok(),
            Some(Timestamp(1_767_225_601_000_000_000))
        );
        assert!(parse_since("yesterday").is_err());
    }
}
