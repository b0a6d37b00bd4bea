//! The audit log: one append-only record of who did what, when, from where, to which game
//! and subject. Operators read it through the admin API (`GET /admin/v1/audit`), newest
//! first, filtered by game, actor, subject, action and time; a background job deletes
//! events older than the retention (one node at a time).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::Result;
use crate::clock::{Clock, Timestamp};
use crate::error::Error;
use crate::ids::{GameId, SessionId};
use crate::page;

/// Most events one page holds.
pub const PAGE_MAX: u32 = 500;
/// Events on a page when the caller names no limit.
pub const PAGE_DEFAULT: u32 = 50;
/// Longest action name, actor or subject kept (longer ones are cut).
const TEXT_MAX: usize = 200;
/// Longest user agent kept.
const USER_AGENT_MAX: usize = 300;

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// An operator of the admin API or CLI, by name (`config` for the configured token).
    Operator(String),
    /// A player, by the game's own id for it.
    Player(String),
    /// A platform account, by id.
    Account(i64),
    /// An API key, by id.
    ApiKey(i64),
    /// A game's own credential (its backend), by game id.
    Game(GameId),
    /// Someone with the database at hand, through the `playgate` command line.
    Cli,
    /// Playgate itself (background jobs).
    System,
    /// Someone not identified (a sign-in with an unknown e-mail).
    Unknown,
}

/// `player:<user id>`: how every event names a player, as its subject and (as
/// [`Actor::Player`]) its actor. A client user's user id is its e-mail address.
pub fn player_subject(user_id: &str) -> String {
    format!("{PLAYER_SUBJECT_PREFIX}{user_id}")
}

/// `session:<id>`: how an event names a session as its subject.
pub fn session_subject(id: SessionId) -> String {
    format!("{SESSION_SUBJECT_PREFIX}{id}")
}

/// The start of [`player_subject`], for a store that finds a player's events by it.
pub const PLAYER_SUBJECT_PREFIX: &str = "player:";

/// The start of [`session_subject`], for a store that finds a session's events by it.
pub const SESSION_SUBJECT_PREFIX: &str = "session:";

impl Actor {
    /// `operator:ada`, `player:u-1`, `account:5`, `api_key:9`, `game:3`, `system`: the
    /// stored form, which the audit filter matches.
    pub fn label(&self) -> String {
        match self {
            Actor::Operator(name) => format!("operator:{name}"),
            Actor::Player(id) => player_subject(id),
            Actor::Account(id) => format!("account:{id}"),
            Actor::ApiKey(id) => format!("api_key:{id}"),
            Actor::Game(id) => format!("{GAME_ACTOR_PREFIX}{}", id.0),
            Actor::Cli => "cli".to_owned(),
            Actor::System => "system".to_owned(),
            Actor::Unknown => "unknown".to_owned(),
        }
    }
}

/// The start of a game's actor label (`game:3`), for a store that writes the label of a
/// game it found in the same statement ([`RenewalEvent`](crate::session::RenewalEvent)).
pub const GAME_ACTOR_PREFIX: &str = "game:";

/// The actions recorded by the hot paths (the admin API names its own after what changed).
pub mod action {
    /// A session was started (`{"reused": true}` in the detail when `POST /s2s/session`
    /// kept the player's live session and issued it new tokens).
    pub const SESSION_OPENED: &str = "session.opened";
    /// A session's refresh token was rotated.
    pub const SESSION_REFRESHED: &str = "session.refreshed";
    /// A replaced refresh token was presented again: the session was ended.
    pub const REFRESH_REUSED: &str = "refresh.reused";
    /// A session was ended by its game.
    pub const SESSION_ENDED: &str = "session.ended";
    /// A password login or sign-in succeeded (with its second factor, if any).
    pub const LOGIN_SUCCEEDED: &str = "login.succeeded";
    /// A password login or sign-in was refused.
    pub const LOGIN_FAILED: &str = "login.failed";
    /// A wrong second-factor code.
    pub const OTP_FAILED: &str = "otp.failed";
    /// A failure counter reached its limit: further attempts are refused until its window
    /// ends.
    pub const LOCKOUT: &str = "lockout";
    /// Two-factor authentication was turned on.
    pub const TWO_FA_ENABLED: &str = "2fa.enabled";
    /// A password was reset (with a reset token).
    pub const PASSWORD_RESET: &str = "password.reset";
}

/// Where a request came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The client's address.
    pub ip: Option<String>,
    /// Its `User-Agent`.
    pub user_agent: Option<String>,
}

/// An event to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEvent {
    /// What happened: `session.opened`, `login.failed`, `operator.created`,
    /// `game_variable.set` …
    pub action: String,
    /// Who did it.
    pub actor: Actor,
    /// The game it concerns, if any.
    pub game: Option<GameId>,
    /// What it was done to (`player:u-1`, `session:…`, `operator:vic` …), if anything.
    pub subject: Option<String>,
    /// Where the request came from.
    pub origin: Origin,
    /// Details as a JSON object (before/after of a change, a reason …); `{}` if none.
    pub detail: serde_json::Value,
}

impl NewAuditEvent {
    /// An event with no game, subject, origin or detail yet.
    pub fn new(action: &str, actor: Actor) -> Self {
        NewAuditEvent {
            action: action.to_owned(),
            actor,
            game: None,
            subject: None,
            origin: Origin::default(),
            detail: serde_json::Value::Object(serde_json::Map::new()),
        }
    }

    /// The start of an event by `actor`: the service that makes the change names its action,
    /// game, subject and detail.
    pub fn by(actor: Actor) -> Self {
        NewAuditEvent::new("", actor)
    }

    /// The same event with another action.
    pub fn action(mut self, action: &str) -> Self {
        action.clone_into(&mut self.action);
        self
    }

    /// The same event about `game`.
    pub fn game(mut self, game: GameId) -> Self {
        self.game = Some(game);
        self
    }

    /// The same event done to `subject`.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// The same event from `origin`.
    pub fn origin(mut self, origin: Origin) -> Self {
        self.origin = origin;
        self
    }

    /// The same event with `detail`.
    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }

    /// The same event with its free texts cut to their maximum lengths: what the stores
    /// are given.
    pub fn bounded(self) -> Self {
        bounded(self)
    }
}

/// A recorded event.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    /// Its id: later events have larger ids.
    pub id: i64,
    /// When it was recorded.
    pub at: Timestamp,
    /// What happened.
    pub action: String,
    /// Who did it ([`Actor::label`]).
    pub actor: String,
    /// The game it concerns.
    pub game: Option<GameId>,
    /// What it was done to.
    pub subject: Option<String>,
    /// Where the request came from.
    pub origin: Origin,
    /// Details (a JSON object).
    pub detail: serde_json::Value,
}

/// Which events to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this game's.
    pub game: Option<GameId>,
    /// Only this actor's (an [`Actor::label`]).
    pub actor: Option<String>,
    /// Only those done to this subject.
    pub subject: Option<String>,
    /// Only this action (`login.failed`), or those starting with it when it ends in `.`
    /// (`session.`).
    pub action: Option<String>,
    /// Only those at or after this time.
    pub since: Option<Timestamp>,
    /// Only those before this time.
    pub until: Option<Timestamp>,
    /// Only those older than this event id (the cursor of the previous page).
    pub before_id: Option<i64>,
    /// At most this many (1 to [`PAGE_MAX`]).
    pub limit: u32,
}

/// One page of events and the cursor of the next, if there may be more.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    /// The events, newest first.
    pub items: Vec<AuditEvent>,
    /// The id to pass as `before_id` for the next page.
    pub next_cursor: Option<i64>,
}

/// Persistence of the audit log.
#[async_trait]
pub trait AuditStore: Send + Sync + 'static {
    /// Appends an event recorded at `at`.
    async fn insert_audit(&self, event: &NewAuditEvent, at: Timestamp) -> Result<()>;
    /// The events matching `filter`, newest first, at most `filter.limit`.
    async fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>>;
    /// Deletes the events recorded before `before`; how many.
    async fn prune_audit(&self, before: Timestamp) -> Result<u64>;
}

/// The audit log service.
#[derive(Clone)]
pub struct Audit {
    store: Arc<dyn AuditStore>,
    clock: Arc<dyn Clock>,
}

impl Audit {
    /// The service over its store.
    pub fn new(store: Arc<dyn AuditStore>, clock: Arc<dyn Clock>) -> Self {
        Audit { store, clock }
    }

    /// Records an event now.
    pub async fn record(&self, event: NewAuditEvent) -> Result<()> {
        self.store.insert_audit(&bounded(event), self.clock.now()).await
    }

    /// Records an event that goes with no other write (a refused login changes nothing
    /// but its counters). A failure to record is logged: the answer stands.
    pub async fn record_alone(&self, event: NewAuditEvent) {
        let event = bounded(event);
        if let Err(e) = self.store.insert_audit(&event, self.clock.now()).await {
            tracing::error!(error = %e, action = %event.action, "could not record an audit event");
        }
    }

    /// One page of events, newest first; `filter.limit` 0 means [`PAGE_DEFAULT`].
    pub async fn list(&self, mut filter: AuditFilter) -> Result<AuditPage> {
        filter.limit = page::limit(filter.limit, PAGE_DEFAULT, PAGE_MAX)?;
        if let (Some(since), Some(until)) = (filter.since, filter.until)
            && since.0 > until.0
        {
            return Err(Error::invalid("since", "is after until"));
        }
        let items = self.store.audit_events(&filter).await?;
        let next_cursor = page::next_cursor(&items, filter.limit, |e| e.id);
        Ok(AuditPage { items, next_cursor })
    }

    /// Deletes the events older than `retention`; how many.
    pub async fn prune(&self, retention: Duration) -> Result<u64> {
        self.store.prune_audit(self.clock.now().minus(retention)).await
    }
}

/// The event with its free texts cut to their maximum lengths (on a character boundary),
/// as every event is stored.
pub fn bounded(mut e: NewAuditEvent) -> NewAuditEvent {
    cut(&mut e.action, TEXT_MAX);
    if let Some(s) = e.subject.as_mut() {
        cut(s, TEXT_MAX);
    }
    if let Some(ua) = e.origin.user_agent.as_mut() {
        cut(ua, USER_AGENT_MAX);
    }
    e
}

fn cut(s: &mut String, max: usize) {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_have_stable_labels() {
        assert_eq!(Actor::Operator("ada".into()).label(), "operator:ada");
        assert_eq!(Actor::Game(GameId(3)).label(), "game:3");
        assert_eq!(Actor::System.label(), "system");
    }

    #[test]
    fn long_texts_are_cut_on_a_character_boundary() {
        let mut ua = "é".repeat(400);
        cut(&mut ua, USER_AGENT_MAX);
        assert!(ua.len() <= USER_AGENT_MAX && ua.chars().all(|c| c == 'é'));
    }
}
