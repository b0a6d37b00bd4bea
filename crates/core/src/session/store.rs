//! The storage contract of sessions ([`SessionStore`]) and what crosses it: the reads of
//! a server-to-server call with its game's credentials ([`ClientRead`]), the plans of
//! `POST /s2s/session` ([`OpenPlan`]), the one-write renewals ([`Renewal`]) and refresh
//! token swaps ([`RefreshSwap`]).

use async_trait::async_trait;

use crate::Result;
use crate::audit::NewAuditEvent;
use crate::clock::Timestamp;
use crate::crypto::SecretHash;
use crate::game::Game;
use crate::ids::{GameId, PlayerId, SessionId, UserId};
use crate::player::{Player, Profile, ProfilePatch};
use crate::wallet::NewWallet;

use super::Session;

/// A player as `POST /s2s/session` reads it: with its linked account and its active
/// session, if it has one (live or past its expiry: the core decides).
#[derive(Debug, Clone)]
pub struct PlayerWithSession {
    /// The player.
    pub player: Player,
    /// Its session in state `active`, if any.
    pub active: Option<Session>,
}

/// A session to start, as the core decided it.
#[derive(Debug, Clone)]
pub struct NewSessionRecord {
    /// Its id.
    pub id: SessionId,
    /// Request IP.
    pub ip: Option<String>,
}

/// A player to create, as the core decided it.
#[derive(Debug, Clone)]
pub struct NewPlayerRecord {
    /// The game's id for the player.
    pub user_id: UserId,
    /// Its profile.
    pub profile: Profile,
    /// Its custodial wallet.
    pub wallet: NewWallet,
}

/// What `POST /s2s/session` does to a player's sessions, decided by the core from what it
/// read ([`SessionStore::player_with_session`]), with the tokens already signed.
#[derive(Debug, Clone)]
pub enum SessionPlan {
    /// Keep the live session: record the new refresh hash, extend it, apply the patch.
    Reuse {
        /// The player.
        player: PlayerId,
        /// Its live session.
        session: SessionId,
        /// Profile changes (empty: the player row is not written).
        patch: ProfilePatch,
        /// Whether the plan's event is recorded ([`Settings::audit_renewals`](crate::settings::Settings)).
        record: bool,
    },
    /// End the player's active session that is no longer live (if there is one) and start
    /// a new one; apply the patch.
    Replace {
        /// The player.
        player: PlayerId,
        /// The active session to end (past its expiry), if the player has one.
        ended: Option<SessionId>,
        /// The session to start.
        session: NewSessionRecord,
        /// Profile changes (empty: the player row is not written).
        patch: ProfilePatch,
    },
    /// Create the player and its first session.
    Create {
        /// The player to create.
        player: NewPlayerRecord,
        /// Its first session.
        session: NewSessionRecord,
    },
}

/// A [`SessionPlan`] with what every plan records.
#[derive(Debug, Clone)]
pub struct OpenPlan {
    /// The game.
    pub game_id: GameId,
    /// The time of the request (`started_at`, `last_seen_at`, `updated_at`).
    pub now: Timestamp,
    /// The session's expiry (now + refresh token lifetime).
    pub expires_at: Timestamp,
    /// The hash of the refresh token signed for the session.
    pub refresh_hash: SecretHash,
    /// What to write.
    pub plan: SessionPlan,
    /// The audit event of the plan, recorded with it (at `now`).
    pub audit: NewAuditEvent,
}

/// What [`SessionStore::apply_open_plan`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Written, all of it; the player's id (new for [`SessionPlan::Create`]).
    Done(PlayerId),
    /// Nothing written: the player or its active session changed since the read (another
    /// call created the player, or ended or replaced the session). Read again and decide
    /// anew.
    Raced,
}

/// What [`SessionStore::end_session`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndOutcome {
    /// It was active and is now ended.
    Ended,
    /// It was already ended.
    AlreadyEnded,
    /// No such session in this game.
    NotFound,
}

/// What a server-to-server request reads together with its game's credentials, in the same
/// statement ([`SessionStore::client_read`]).
#[derive(Debug, Clone, Copy)]
pub enum ClientWith<'a> {
    /// Nothing more.
    Nothing,
    /// The game's player with this `user_id`, its linked account and its active session.
    Player(&'a UserId),
    /// The game's session with this id.
    Session(SessionId),
    /// The game's session with this id, and its player.
    SessionAndPlayer(SessionId),
}

/// The arguments of [`SessionStore::client_read`].
#[derive(Debug, Clone, Copy)]
pub struct ClientRead<'a> {
    /// The KGeN client id presented.
    pub client_id: &'a str,
    /// The caller's failure counter: its key and the current window's start (none
    /// without a client address).
    pub failures: Option<(&'a str, Timestamp)>,
    /// What else to read.
    pub with: ClientWith<'a>,
}

/// What [`SessionStore::client_read`] found.
#[derive(Debug, Clone, Default)]
pub struct ClientFound {
    /// The game whose KGeN client id was presented.
    pub game: Option<Game>,
    /// The caller's failures in the current window.
    pub failures: i64,
    /// The player ([`ClientWith::Player`], [`ClientWith::SessionAndPlayer`]), with its
    /// active session for the former.
    pub player: Option<PlayerWithSession>,
    /// The session ([`ClientWith::Session`], [`ClientWith::SessionAndPlayer`]).
    pub session: Option<Session>,
}

/// Persistence of sessions, with the reads and writes of the server-to-server calls.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// The game of a KGeN client id, the caller's failure count and what the request
    /// reads next ([`ClientWith`]), all in one statement: the credential check of a
    /// server-to-server call costs no round trip of its own. What belongs to another game
    /// than the client's is not found.
    async fn client_read(&self, read: &ClientRead<'_>) -> Result<ClientFound>;
    /// A player by its game and `user_id`, with its linked account and its active
    /// session: one read.
    async fn player_with_session(&self, game: GameId, user_id: &UserId) -> Result<Option<PlayerWithSession>>;
    /// Applies a plan in one write (one transaction), all of it or, when the read it was
    /// decided from is no longer true, nothing ([`Applied::Raced`]). Runs to its end even
    /// if the caller stops waiting. Of concurrent plans for one player, one creates it and
    /// one starts a session.
    async fn apply_open_plan(&self, plan: OpenPlan) -> Result<Applied>;
    /// One session.
    async fn session(&self, id: SessionId) -> Result<Option<Session>>;
    /// One player.
    async fn player(&self, id: PlayerId) -> Result<Option<Player>>;
    /// Swaps the session's refresh token hash to `next` and extends it, if the session is
    /// active and `presented` is either its current hash (a rotation: `presented` becomes
    /// the previous hash, replaced `now`) or its previous hash replaced after
    /// `grace_since` (a retry within the grace period: the previous hash and its time stay
    /// as they are). One statement, so racing calls with one token serialize on the row.
    /// Returns whether it swapped; `swap.audit` is recorded (at `now`) if it did, in the
    /// same write.
    async fn swap_refresh(&self, swap: &RefreshSwap<'_>) -> Result<bool>;
    /// The common case of `POST /s2s/session` (a player with a live session, no profile
    /// change) or of its refresh (the session's current key, or its previous one within the
    /// grace period, as [`swap_refresh`](Self::swap_refresh)) as one conditional write:
    /// renews the session (the new key `next`, `last_seen_at` now, expiry now plus the
    /// game's refresh lifetime or `default_refresh_ttl`) if, at the same instant, the
    /// client's credentials match an enabled game, the caller's failures are under the
    /// limit, the player is not banned and the session is live: every condition the core
    /// would check after reading them. Records `renewal.audit` with it.
    ///
    /// When it wrote nothing for a [`RenewTarget::Player`], the same statement may answer
    /// what [`client_read`](Self::client_read) of `ClientWith::Player` reads, as it was (a
    /// new player then costs no third statement): the caller decides and writes from that
    /// as usual, and finds out why (or renews, after a race). Otherwise `NotRenewed(None)`,
    /// and the caller reads; a backend whose reads cost no round trip (SQLite, in process)
    /// always answers that.
    async fn renew(&self, renewal: &Renewal<'_>) -> Result<RenewOutcome>;
    /// Ends a session of `game`, recording `audit` (at `now`) in the same write if it did.
    async fn end_session(
        &self,
        id: SessionId,
        game: GameId,
        now: Timestamp,
        audit: &NewAuditEvent,
    ) -> Result<EndOutcome>;
}

/// The session that [`SessionStore::renew`] renews.
#[derive(Debug, Clone, Copy)]
pub enum RenewTarget<'a> {
    /// The player's active session (`POST /s2s/session`). The store adds the session's id
    /// to the audit event's detail as `session`.
    Player(&'a UserId),
    /// The session of a refresh token, as [`RefreshSwap`] matches it.
    Session {
        /// The session.
        id: SessionId,
        /// The presented token's refresh key.
        presented: &'a SecretHash,
        /// Its legacy key ([`RefreshSwap::legacy`]).
        legacy: &'a SecretHash,
        /// The previous key is accepted only if it was replaced strictly after this time.
        grace_since: Timestamp,
    },
}

/// The arguments of [`SessionStore::renew`].
#[derive(Debug, Clone, Copy)]
pub struct Renewal<'a> {
    /// The presented KGeN client id.
    pub client_id: &'a str,
    /// The hash of the presented client secret.
    pub secret: &'a SecretHash,
    /// The caller's failure bucket and the start of its window, if it is counted.
    pub failures: Option<(&'a str, Timestamp)>,
    /// The failure count at which the caller is refused.
    pub failure_limit: i64,
    /// Which session.
    pub target: RenewTarget<'a>,
    /// The refresh key of the token pair to issue.
    pub next: &'a SecretHash,
    /// The time of the request.
    pub now: Timestamp,
    /// The sessions' idle lifetime of a game without one of its own.
    pub default_refresh_ttl: std::time::Duration,
    /// The event to record with it, if renewals are recorded.
    pub audit: Option<&'a RenewalEvent>,
}

/// The audit event of a [`Renewal`], which the store completes from what it renewed: the
/// game is its actor ([`Actor::Game`](crate::audit::Actor::Game)) and its game, and a
/// [`RenewTarget::Player`]'s session id is added to the detail as `session`.
#[derive(Debug, Clone)]
pub struct RenewalEvent {
    /// What happened.
    pub action: &'static str,
    /// What it was done to.
    pub subject: String,
    /// Where the request came from.
    pub origin: crate::audit::Origin,
    /// Details as a JSON object.
    pub detail: serde_json::Value,
}

impl RenewalEvent {
    /// `action` on `subject` from `origin`, with `detail`, bounded as every event is
    /// ([`NewAuditEvent::bounded`]).
    pub fn new(
        action: &'static str,
        subject: String,
        origin: &crate::audit::Origin,
        detail: serde_json::Value,
    ) -> Self {
        let e = NewAuditEvent::new(action, crate::audit::Actor::Unknown)
            .subject(subject)
            .origin(origin.clone())
            .bounded();
        RenewalEvent {
            action,
            subject: e.subject.unwrap_or_default(),
            origin: e.origin,
            detail,
        }
    }
}

/// What [`SessionStore::renew`] did.
#[derive(Debug, Clone)]
pub enum RenewOutcome {
    /// Renewed, as written.
    Renewed(Renewed),
    /// Nothing written; what the client read of the target found, if the store read it.
    NotRenewed(Option<ClientFound>),
}

/// What [`SessionStore::renew`] renewed, as written.
#[derive(Debug, Clone)]
pub struct Renewed {
    /// The client's game.
    pub game: Game,
    /// The session's player, with its linked account.
    pub player: Player,
    /// The session, renewed.
    pub session: Session,
}

/// The arguments of [`SessionStore::swap_refresh`].
#[derive(Debug, Clone, Copy)]
pub struct RefreshSwap<'a> {
    /// The session.
    pub id: SessionId,
    /// The refresh key of the presented token ([`refresh_key`](crate::session::refresh_key)).
    pub presented: &'a SecretHash,
    /// The presented token's key as sessions rotated before refresh keys were kept: the
    /// hash of the whole token. Either matches.
    pub legacy: &'a SecretHash,
    /// The refresh key of the newly minted refresh token.
    pub next: &'a SecretHash,
    /// The time of the request.
    pub now: Timestamp,
    /// The session's new expiry.
    pub expires_at: Timestamp,
    /// The previous hash is accepted only if it was replaced strictly after this time.
    pub grace_since: Timestamp,
    /// The audit event of the rotation, if renewals are recorded.
    pub audit: Option<&'a NewAuditEvent>,
}
