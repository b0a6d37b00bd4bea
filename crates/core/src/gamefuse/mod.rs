//! GameFuse: players who sign up in the game client (by e-mail and password), their
//! sessions and authentication tokens, and the economy around them (user attributes,
//! credits and score, store items and purchases, leaderboards), game variables, service
//! keys, the system test-suite key, and password reset by e-mail.
//!
//! A GameFuse user is a core [`Player`](crate::player::Player) of its game whose `user_id`
//! is its (normalised) e-mail address, plus one `gamefuse_users` row with what only
//! GameFuse has (password hash, credits, score, counters). One Player concept: the same
//! person keyed by (game, email). Its GameFuse `id` is the player id.
//!
//! [`Gamefuse`] is the service the GameFuse dialect calls; it wraps the core
//! [`Playgate`] with the password hasher, the mailer and GameFuse's settings.

pub mod chats;
pub mod economy;
pub mod events;
pub mod keys;
pub mod reset;
pub mod social;
pub mod social_store;
pub mod store;
pub mod users;

use std::sync::Arc;
use std::time::Duration;

use crate::clock::Timestamp;
use crate::crypto::{Secret, random_token};
use crate::ids::{GameId, PlayerId};
use crate::service::Playgate;

/// Prefix of GameFuse game tokens.
pub const GAME_TOKEN_PREFIX: &str = "gft_";
/// Prefix of GameFuse authentication tokens (user sessions).
pub const AUTH_TOKEN_PREFIX: &str = "gfa_";
/// Prefix of service key tokens.
pub const SERVICE_KEY_PREFIX: &str = "gfk_";

/// A new random game token.
///
/// Why the GameFuse game token is stored in clear and compared in constant time, not
/// hashed: it is not a bearer secret of anyone. GameFuse games ship it inside every client
/// build (JavaScript in the page, Unity and Unreal binaries), `GET /games/verify` sends it
/// back in its response (reference 2.1: the SDK reads `token`), and operators need to see
/// it again (`playgate game list`) to configure new builds. It identifies a game the way a
/// public API key does; what protects users are their passwords and authentication tokens,
/// which are hashed.
pub fn new_game_token() -> String {
    format!("{GAME_TOKEN_PREFIX}{}", random_token())
}

/// `2026-01-01T00:00:00.000Z`: ISO-8601 UTC with milliseconds, which JavaScript's
/// `new Date()` parses and which keeps millisecond precision (reference 0.6).
pub fn iso_millis(ts: Timestamp) -> String {
    let dt =
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ts.0)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.millisecond()
    )
}

/// `2026-01`: the calendar month (UTC) the `*_current_month` counters belong to.
pub fn month_key(ts: Timestamp) -> String {
    iso_millis(ts)[..7].to_owned()
}

/// GameFuse's policy settings.
#[derive(Debug, Clone)]
pub struct GamefuseSettings {
    /// Lifetime of a password reset link. Default 1 hour.
    pub reset_ttl: Duration,
    /// Public base URL of this server for links in e-mails (`https://play.example.org`).
    pub public_url: String,
    /// The system service key (name, token) that alone may call `test_suite/*`.
    pub test_suite_key: Option<(String, Secret)>,
    /// How often the server writes the tally of users' API calls
    /// ([`events`]). Default [`events::FLUSH_EVERY`].
    pub events_flush_every: Duration,
}

impl Default for GamefuseSettings {
    fn default() -> Self {
        GamefuseSettings {
            reset_ttl: Duration::from_secs(3600),
            public_url: "http://127.0.0.1:8080".into(),
            test_suite_key: None,
            events_flush_every: events::FLUSH_EVERY,
        }
    }
}

/// Sends e-mail. The server implements it with SMTP; without SMTP the outbox is all.
#[async_trait::async_trait]
pub trait Mailer: Send + Sync + 'static {
    /// Whether mail is really sent (SMTP configured).
    fn enabled(&self) -> bool;
    /// Sends one plain-text message; the error text is recorded in the outbox.
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String>;
}

/// The mailer of a server without SMTP: sends nothing (the outbox keeps every message).
#[derive(Debug, Default)]
pub struct NoMailer;

#[async_trait::async_trait]
impl Mailer for NoMailer {
    fn enabled(&self) -> bool {
        false
    }
    async fn send(&self, _to: &str, _subject: &str, _body: &str) -> Result<(), String> {
        Err("SMTP is not configured".into())
    }
}

/// The GameFuse service: the core plus password hashing, mail and settings.
#[derive(Clone)]
pub struct Gamefuse {
    pub(crate) core: Playgate,
    pub(crate) mailer: Arc<dyn Mailer>,
    pub(crate) settings: Arc<GamefuseSettings>,
    pub(crate) events: Arc<events::EventTally>,
}

impl Gamefuse {
    /// Builds the service.
    pub fn new(core: Playgate, settings: GamefuseSettings, mailer: Arc<dyn Mailer>) -> Self {
        Gamefuse {
            core,
            mailer,
            settings: Arc::new(settings),
            events: Arc::default(),
        }
    }

    /// The core it wraps.
    pub fn core(&self) -> &Playgate {
        &self.core
    }

    /// Its settings.
    pub fn settings(&self) -> &GamefuseSettings {
        &self.settings
    }

    pub(crate) fn store(&self) -> &dyn crate::store::Store {
        &*self.core.store
    }

    pub(crate) fn now(&self) -> Timestamp {
        self.core.now()
    }
}

/// A GameFuse user: a player of one game who signed up by e-mail.
#[derive(Debug, Clone)]
pub struct GfUser {
    /// The player id: GameFuse's user `id`.
    pub id: PlayerId,
    /// Its game.
    pub game_id: GameId,
    /// The e-mail address as signed up with (GameFuse's `display_email`).
    pub display_email: String,
    /// Display name, unique in the game (case-insensitively).
    pub username: String,
    /// Credits (never negative).
    pub credits: i64,
    /// A generic score.
    pub score: i64,
    /// Sign-ins so far.
    pub number_of_logins: i64,
    /// The latest sign-in.
    pub last_login: Option<Timestamp>,
    /// API calls by this user.
    pub events_total: i64,
    /// API calls in `month`.
    pub events_month: i64,
    /// Sessions started.
    pub game_sessions_total: i64,
    /// Sessions started in `month`.
    pub game_sessions_month: i64,
    /// The month (`YYYY-MM`) the `*_month` counters count.
    pub month: String,
    /// When it signed up.
    pub created_at: Timestamp,
}

impl GfUser {
    /// GameFuse's "system e-mail": `_appid_<game>_<email>` (seed 003).
    pub fn system_email(&self) -> String {
        format!("_appid_{}_{}", self.game_id, self.display_email)
    }

    /// (`events_current_month`, `game_sessions_current_month`) as of `now`: zero when the
    /// stored counters belong to an earlier month.
    pub fn current_month(&self, now: Timestamp) -> (i64, i64) {
        if self.month == month_key(now) {
            (self.events_month, self.game_sessions_month)
        } else {
            (0, 0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_and_month() {
        let t = Timestamp(1_767_225_600_123_456_789);
        assert_eq!(iso_millis(t), "2026-01-01T00:00:00.123Z");
        assert_eq!(month_key(t), "2026-01");
    }
}
