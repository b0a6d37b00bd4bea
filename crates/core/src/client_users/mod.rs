//! Client users: players who sign up in the game client with an e-mail address and a
//! password, their token sessions, and (in [`reset`]) password reset by e-mail. Their
//! service is [`ClientUsers`]; their store traits are [`ClientUserStore`] and
//! [`ResetStore`](outbox::ResetStore) (with the mailer, in [`outbox`]).
//!
//! A client user is a core [`Player`](crate::player::Player) of its game whose `user_id` is
//! its normalised e-mail address, plus one row with what only client users have (password
//! hash, credits, score, counters). Its id is the player id.

pub mod outbox;
pub mod reset;
mod service;

pub use service::{
    ClientUserSettings, ClientUserStores, ClientUsers, Naming, NoPendingCounts, PendingCounts, check_password,
    parse_email, slid_expiry,
};

use crate::Result;
use crate::clock::Timestamp;
use crate::crypto::{Secret, SecretHash};
use crate::ids::{GameId, PlayerId, SessionId};
use crate::wallet::NewWallet;
use async_trait::async_trait;

/// A client user: a player of one game who signed up by e-mail and password.
#[derive(Debug, Clone)]
pub struct ClientUser {
    /// The player id: the client user's id.
    pub id: PlayerId,
    /// Its game.
    pub game_id: GameId,
    /// The e-mail address as signed up with (not normalised).
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

impl ClientUser {
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

/// What the store needs to create a user.
#[derive(Debug, Clone)]
pub struct NewClientUser {
    pub game_id: GameId,
    /// Normalised (lower-case) e-mail: the sign-in key and the player's `user_id`.
    pub email: String,
    pub display_email: String,
    pub username: String,
    /// Lower-cased username: unique per game.
    pub username_key: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// The player's custodial wallet (every core player has one).
    pub wallet: NewWallet,
    pub created_at: Timestamp,
}

/// What sign-in checks: the user's id, password hash and ban.
#[derive(Debug, Clone)]
pub struct SignInCredentials {
    /// The player id.
    pub player: PlayerId,
    /// argon2id PHC string.
    pub password_hash: String,
    /// The player's ban, if it is banned.
    pub ban: Option<crate::player::Ban>,
}

/// A session to start for a user.
#[derive(Debug, Clone)]
pub struct ClientSessionStart {
    pub game_id: GameId,
    pub session_id: SessionId,
    /// SHA-256 of the new authentication token.
    pub token_hash: SecretHash,
    pub now: Timestamp,
    pub expires_at: Timestamp,
    /// `YYYY-MM` of `now`.
    pub month: String,
    pub ip: Option<String>,
    /// A sign-in (counts a login); sign-up starts a session without one.
    pub is_login: bool,
    /// Audit events recorded with the session (at `now`).
    pub audit: Vec<crate::audit::NewAuditEvent>,
}

/// A change of a user's username and/or e-mail, checked and normalised as at sign-up.
#[derive(Debug, Clone)]
pub struct ProfilePatch {
    /// (username, its lower-cased key).
    pub username: Option<(String, String)>,
    /// (normalised e-mail, e-mail as given).
    pub email: Option<(String, String)>,
    pub now: Timestamp,
}

/// The sign-up command.
#[derive(Debug, Clone)]
pub struct SignUp {
    pub email: String,
    pub username: String,
    pub password: Secret,
    pub password_confirmation: Secret,
}

/// A signed-in (or freshly signed-up) user with its new token and its data.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: ClientUser,
    /// The authentication token in clear: sent to the client once, stored as a hash.
    pub token: Secret,
    pub is_new_user: bool,
}

/// `2026-01`: the calendar month (UTC) the `*_current_month` counters belong to.
pub fn month_key(ts: Timestamp) -> String {
    let dt =
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ts.0)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}", dt.year(), u8::from(dt.month()))
}

/// Persistence of client users (e-mail/password players) and their token sessions.
#[async_trait]
pub trait ClientUserStore: Send + Sync {
    /// Creates the player and its client-user row and starts its first session, in one
    /// transaction; `Conflict` if the e-mail or the username is taken in the game.
    async fn insert_user(&self, rec: &NewClientUser, session: &ClientSessionStart) -> Result<ClientUser>;
    /// A user of `game`.
    async fn user(&self, game: GameId, id: PlayerId) -> Result<Option<ClientUser>>;
    /// Users of `game` by id (any order; unknown ids are skipped).
    async fn users(&self, game: GameId, ids: &[i64]) -> Result<Vec<ClientUser>>;
    /// The user of `game` with this lower-cased username.
    async fn user_by_username(&self, game: GameId, username_key: &str) -> Result<Option<ClientUser>>;
    /// Replaces the user's password hash `old` by `new`; false (and nothing changed) if
    /// `old` is no longer the stored one.
    async fn set_password_hash(&self, player: PlayerId, old: &str, new: &str) -> Result<bool>;
    /// Changes the user's username and/or e-mail (each as [`ProfilePatch`] has them, `None`
    /// keeping it) and returns the user; `Conflict` if either is taken in the game.
    async fn update_profile(&self, player: PlayerId, patch: &ProfilePatch) -> Result<ClientUser>;
    /// What sign-in checks of the user with this (normalised) e-mail in `game`: its id,
    /// password hash and ban, in one read.
    async fn sign_in_credentials(&self, game: GameId, email: &str) -> Result<Option<SignInCredentials>>;
    /// The id and password hash of the user with this (normalised) e-mail in `game`.
    async fn credentials_by_email(&self, game: GameId, email: &str) -> Result<Option<(PlayerId, String)>>;
    /// Ends the user's active session, starts a new one with the token hash, and counts the
    /// sign-in (logins, last login, sessions, one event); returns the user as updated.
    async fn start_session(&self, player: PlayerId, cmd: &ClientSessionStart) -> Result<ClientUser>;
    /// Moves an active session's expiry (and its last-seen time).
    async fn extend_session(&self, session: SessionId, now: Timestamp, expires_at: Timestamp) -> Result<()>;
}
