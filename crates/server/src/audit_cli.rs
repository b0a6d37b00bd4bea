//! `playgate audit list`: the audit log, newest first, with the filters of
//! `GET /admin/v1/audit`, against the configured database (the server may be running).

use clap::Subcommand;
use playgate_api::common::time::rfc3339;
use playgate_core::account::parse_expiry;
use playgate_core::audit::{Audit, AuditEvent, AuditFilter};
use playgate_core::clock::Timestamp;
use playgate_core::ids::GameId;
use serde::Serialize;

use crate::error::BoxError;

/// `playgate audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// List events, newest first.
    List {
        /// Only events of this game (its id).
        #[arg(long)]
        game: Option<i64>,
        /// Only events by this actor (`operator:NAME`, `player:ID`, `account:ID`, `cli` …).
        #[arg(long)]
        actor: Option<String>,
        /// Only events done to this subject (`account:ID`, `game:ID` …).
        #[arg(long)]
        subject: Option<String>,
        /// Only this action, or a family ending in `.` (`session.`).
        #[arg(long)]
        action: Option<String>,
        /// Only events at or after this time (RFC 3339, a date, or Unix seconds).
        #[arg(long)]
        since: Option<String>,
        /// Only events before this time (RFC 3339, a date, or Unix seconds).
        #[arg(long)]
        until: Option<String>,
        /// Events to print, 1 to 500.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// The `next_cursor` of a previous listing.
        #[arg(long)]
        cursor: Option<i64>,
        /// Print `{"items": [...], "next_cursor": ...}` as the admin API answers.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct EventJson<'a> {
    id: i64,
    at: String,
    action: &'a str,
    actor: &'a str,
    game_id: Option<i64>,
    subject: Option<&'a str>,
    ip: Option<&'a str>,
    user_agent: Option<&'a str>,
    detail: &'a serde_json::Value,
}

#[derive(Serialize)]
struct PageJson<'a> {
    items: Vec<EventJson<'a>>,
    next_cursor: Option<String>,
}

fn event_json(e: &AuditEvent) -> EventJson<'_> {
    EventJson {
        id: e.id,
        at: rfc3339(e.at),
        action: &e.action,
        actor: &e.actor,
        game_id: e.game.map(|g| g.0),
        subject: e.subject.as_deref(),
        ip: e.origin.ip.as_deref(),
        user_agent: e.origin.user_agent.as_deref(),
        detail: &e.detail,
    }
}

/// A time given as Unix seconds, a date (`YYYY-MM-DD`) or RFC 3339.
fn time(field: &str, s: &str) -> Result<Timestamp, BoxError> {
    if let Ok(secs) = s.trim().parse::<i64>() {
        return secs
            .checked_mul(1_000_000_000)
            .map(Timestamp)
            .ok_or_else(|| format!("{field}: out of range").into());
    }
    Ok(parse_expiry(field, s)?)
}

/// Runs one `audit` subcommand.
pub async fn audit_command(audit: &Audit, cmd: AuditCommand) -> Result<(), BoxError> {
    let AuditCommand::List {
        game,
        actor,
        subject,
        action,
        since,
        until,
        limit,
        cursor,
        json,
    } = cmd;
    if limit == 0 {
        return Err("limit: must be 1 to 500".into());
    }
    let filter = AuditFilter {
        game: game.map(GameId),
        actor,
        subject,
        action,
        since: since.map(|s| time("since", &s)).transpose()?,
        until: until.map(|s| time("until", &s)).transpose()?,
        before_id: cursor,
        limit,
    };
    let page = audit.list(filter).await?;
    if json {
        let out = PageJson {
            items: page.items.iter().map(event_json).collect(),
            next_cursor: page.next_cursor.map(|id| id.to_string()),
        };
        println!("{}", serde_json::to_string(&out)?);
    } else {
        for e in &page.items {
            println!(
                "{:>8}  {}  {:<28} {:<24} {}{}",
                e.id,
                rfc3339(e.at),
                e.action,
                e.actor,
                e.subject.as_deref().unwrap_or("-"),
                e.game.map(|g| format!("  game {}", g.0)).unwrap_or_default()
            );
        }
        if let Some(c) = page.next_cursor {
            println!("more: --cursor {c}");
        }
    }
    Ok(())
}
