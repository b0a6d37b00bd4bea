//! The storage contract. The store crate implements it once for SQLite and PostgreSQL; the
//! same contract test suite runs against both. The store persists what the core decided
//! and turns database failures into [`Error`](crate::Error)s: a unique violation is
//! `Conflict`, a missing row `NotFound` or `Ok(None)`.

use std::sync::Arc;

use async_trait::async_trait;

use crate::Result;
use crate::clock::Timestamp;
use crate::crypto::SecretHash;
use crate::game::{Game, NewGameRecord};
use crate::ids::{GameId, PlayerId, SessionId, UserId};
use crate::player::{Player, ProfilePatch};
use crate::session::{IssuedTokens, OpenedSession, Session};
use crate::token::SigningKeyRecord;
use crate::wallet::NewWallet;

/// Create-or-retrieve of a player's session, as one transaction.
#[derive(Debug, Clone)]
pub struct OpenPlayerSession {
    /// The game.
    pub game_id: GameId,
    /// The game's id for the player.
    pub user_id: UserId,
    /// Profile changes (already filtered to non-empty values).
    pub patch: ProfilePatch,
    /// A wallet for the player if it has to be created; `None` on the first try, so that
    /// existing players cost no key generation.
    pub wallet: Option<NewWallet>,
    /// The time of the request.
    pub now: Timestamp,
    /// Id for a new session, used only if no live one exists.
    pub new_session_id: SessionId,
    /// The session's new expiry (now + refresh token lifetime).
    pub expires_at: Timestamp,
    /// Request IP, recorded on a new session.
    pub ip: Option<String>,
}

/// Mints the token pair for the session being opened, given the player, the session and
/// whether the player is new; called inside the transaction, once the session is known.
/// Shared (`Arc`) because a store may run it on another task (SQLite's group commit).
pub type Minter = dyn Fn(&Player, &Session, bool) -> Result<IssuedTokens> + Send + Sync;

/// What [`Store::open_player_session`] did.
#[derive(Debug)]
pub enum OpenOutcome {
    /// The player does not exist and no wallet was given: generate one and call again.
    NeedsWallet,
    /// The session is open (new or retrieved) and the tokens minted for it are recorded.
    Opened(Box<OpenedSession>),
}

/// What [`Store::end_session`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndOutcome {
    /// It was active and is now ended.
    Ended,
    /// It was already ended.
    AlreadyEnded,
    /// No such session in this game.
    NotFound,
}

/// Persistence of the core's entities.
#[async_trait]
pub trait Store: crate::account_store::AccountStore + Send + Sync + 'static {
    /// Checks that the database answers.
    async fn ping(&self) -> Result<()>;

    /// Inserts a game; `Conflict` if the client id is taken.
    async fn insert_game(&self, rec: NewGameRecord) -> Result<Game>;
    /// Number of games.
    async fn count_games(&self) -> Result<i64>;
    /// All games, by id.
    async fn list_games(&self) -> Result<Vec<Game>>;
    /// One game by id.
    async fn game_by_id(&self, id: GameId) -> Result<Option<Game>>;
    /// One game by its client id.
    async fn game_by_client_id(&self, client_id: &str) -> Result<Option<Game>>;
    /// Replaces the client secret's hash; `NotFound` if no such game.
    async fn set_game_secret(&self, id: GameId, hash: &SecretHash) -> Result<Game>;
    /// Enables or disables; `NotFound` if no such game.
    async fn set_game_enabled(&self, id: GameId, enabled: bool) -> Result<Game>;

    /// All JWT signing keys.
    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>>;
    /// Adds a signing key.
    async fn insert_signing_key(&self, rec: &SigningKeyRecord) -> Result<()>;

    /// Creates or retrieves a player's live session in one transaction: creates the player
    /// (if `cmd.wallet` is given and it does not exist), applies the profile patch, reuses
    /// the player's live session or replaces it, and records the minted refresh token's
    /// hash. Concurrent calls for one player yield one player and one session.
    async fn open_player_session(&self, cmd: &OpenPlayerSession, mint: Arc<Minter>) -> Result<OpenOutcome>;
    /// One session.
    async fn session(&self, id: SessionId) -> Result<Option<Session>>;
    /// One player.
    async fn player(&self, id: PlayerId) -> Result<Option<Player>>;
    /// Swaps the session's refresh token hash to `next` and extends it, if the session is
    /// active and `presented` is either its current hash (a rotation: `presented` becomes
    /// the previous hash, replaced `now`) or its previous hash replaced after
    /// `grace_since` (a retry within the grace period: the previous hash and its time stay
    /// as they are). One statement, so racing calls with one token serialize on the row.
    /// Returns whether it swapped.
    async fn swap_refresh(&self, swap: &RefreshSwap<'_>) -> Result<bool>;
    /// Ends a session of `game`.
    async fn end_session(&self, id: SessionId, game: GameId, now: Timestamp) -> Result<EndOutcome>;

    /// Adds one failure under `key` in the window starting at `window_start` (which ends
    /// at `expires_at`), returning the window's count so far.
    async fn add_failure(&self, key: &str, window_start: Timestamp, expires_at: Timestamp) -> Result<i64>;
    /// The failure count under `key` in the window starting at `window_start`.
    async fn failures(&self, key: &str, window_start: Timestamp) -> Result<i64>;
    /// Deletes the failure windows that ended at or before `now`; how many.
    async fn prune_failures(&self, now: Timestamp) -> Result<u64>;

    /// Takes the lease of background job `name` until `until` if nobody holds it at `now`
    /// (its last holder's lease ended), so that one node at a time runs the job. Returns
    /// whether this caller got it.
    async fn take_lease(&self, name: &str, now: Timestamp, until: Timestamp) -> Result<bool>;
}

/// The arguments of [`Store::swap_refresh`].
#[derive(Debug, Clone, Copy)]
pub struct RefreshSwap<'a> {
    /// The session.
    pub id: SessionId,
    /// The hash of the presented refresh token.
    pub presented: &'a SecretHash,
    /// The hash of the newly minted refresh token.
    pub next: &'a SecretHash,
    /// The time of the request.
    pub now: Timestamp,
    /// The session's new expiry.
    pub expires_at: Timestamp,
    /// The previous hash is accepted only if it was replaced strictly after this time.
    pub grace_since: Timestamp,
}
