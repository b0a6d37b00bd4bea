//! The storage contract of GameFuse's data; a supertrait of [`Store`](crate::store::Store),
//! so every store implements it and the core reaches it through the one store handle.

use async_trait::async_trait;

use super::GfUser;
use super::economy::{
    CounterOp, GameVariable, LeaderboardEntry, LeaderboardQuery, NewLeaderboardEntry, NewStoreItem, Owned, StoreItem,
    UserAttribute,
};
use super::events::EventCount;
use super::keys::{RouteAccess, ServiceKey};
use super::reset::{NewOutbox, OutboxRecord};
use super::users::{GfSessionStart, NewGfUser, ProfilePatch};
use crate::Result;
use crate::clock::Timestamp;
use crate::crypto::SecretHash;
use crate::game::Game;
use crate::ids::{GameId, PlayerId, SessionId};
use crate::session::Session;

/// What [`GamefuseStore::gf_token_call`] reads for a token and a route.
#[derive(Debug, Clone)]
pub struct TokenCall {
    /// The session the token belongs to (in any state).
    pub session: Session,
    /// Its game.
    pub game: Game,
    /// The route's switches; `None` when never set (allowed both ways).
    pub route: Option<RouteAccess>,
    /// The user it signed in.
    pub user: GfUser,
}

/// Persistence of GameFuse users, their economy, service keys and mail.
#[async_trait]
pub trait GamefuseStore: Send + Sync {
    /// Replaces a game's GameFuse token; `NotFound` if no such game.
    async fn gf_set_game_token(&self, game: GameId, token: &str) -> Result<Game>;
    /// The game's variables, by key.
    async fn gf_game_variables(&self, game: GameId) -> Result<Vec<GameVariable>>;
    /// Sets (inserts or replaces) a game variable.
    async fn gf_set_game_variable(&self, game: GameId, key: &str, value: &str) -> Result<GameVariable>;
    /// Deletes a game variable; whether it existed.
    async fn gf_delete_game_variable(&self, game: GameId, key: &str) -> Result<bool>;

    /// Creates the player and its GameFuse row and starts its first session, in one
    /// transaction; `Conflict` if the e-mail or the username is taken in the game.
    async fn gf_insert_user(&self, rec: &NewGfUser, session: &GfSessionStart) -> Result<GfUser>;
    /// A user of `game`.
    async fn gf_user(&self, game: GameId, id: PlayerId) -> Result<Option<GfUser>>;
    /// Replaces the user's password hash `old` by `new`; false (and nothing changed) if
    /// `old` is no longer the stored one.
    async fn gf_set_password_hash(&self, player: PlayerId, old: &str, new: &str) -> Result<bool>;
    /// Changes the user's username and/or e-mail (each as [`ProfilePatch`] has them, `None`
    /// keeping it) and returns the user; `Conflict` if either is taken in the game.
    async fn gf_update_profile(&self, player: PlayerId, patch: &ProfilePatch) -> Result<GfUser>;
    /// The id and password hash of the user with this (normalised) e-mail in `game`.
    async fn gf_credentials_by_email(&self, game: GameId, email: &str) -> Result<Option<(PlayerId, String)>>;
    /// Ends the user's active session, starts a new one with the token hash, and counts the
    /// sign-in (logins, last login, sessions, one event); returns the user as updated.
    async fn gf_start_session(&self, player: PlayerId, cmd: &GfSessionStart) -> Result<GfUser>;
    /// What a call with a user's authentication token is checked against, in one read:
    /// the token's session, its game, the route's switches and the user.
    async fn gf_token_call(&self, hash: &SecretHash, route: &str) -> Result<Option<TokenCall>>;
    /// Adds counted API calls to the users' event counters, in one transaction (the
    /// month rule of [`add_events`](super::events::add_events)).
    async fn gf_add_events(&self, counts: &[EventCount]) -> Result<()>;
    /// Moves an active session's expiry (and its last-seen time).
    async fn gf_extend_session(&self, session: SessionId, now: Timestamp, expires_at: Timestamp) -> Result<()>;

    /// The user's attributes, by key.
    async fn gf_attributes(&self, player: PlayerId) -> Result<Vec<UserAttribute>>;
    /// Inserts or replaces attributes by key, in one transaction; returns the full list.
    async fn gf_upsert_attributes(&self, player: PlayerId, attrs: &[(String, String)]) -> Result<Vec<UserAttribute>>;
    /// Removes the attributes with these keys; returns how many went, and the full list.
    async fn gf_remove_attributes(&self, player: PlayerId, keys: &[String]) -> Result<(u64, Vec<UserAttribute>)>;

    /// Changes credits or score; `Forbidden` (and nothing changed) if credits would become
    /// negative.
    async fn gf_apply_counter(&self, player: PlayerId, op: CounterOp) -> Result<GfUser>;

    /// The game's store items, by id.
    async fn gf_store_items(&self, game: GameId) -> Result<Vec<StoreItem>>;
    /// Adds a store item.
    async fn gf_insert_store_item(&self, game: GameId, item: &NewStoreItem, now: Timestamp) -> Result<StoreItem>;
    /// Deletes a store item of `game` and its purchases; whether it existed.
    async fn gf_delete_store_item(&self, game: GameId, id: i64) -> Result<bool>;
    /// The items the user owns, by item id.
    async fn gf_purchases(&self, player: PlayerId) -> Result<Vec<StoreItem>>;
    /// Buys an item of `game` in one transaction: `NotFound` if no such item, `Forbidden`
    /// if already owned or credits are short (nothing changed).
    async fn gf_purchase(&self, game: GameId, player: PlayerId, item: i64, now: Timestamp) -> Result<Owned>;
    /// Revokes ownership (`NotFound` if not owned), refunding the cost if `reimburse`.
    async fn gf_remove_purchase(&self, player: PlayerId, item: i64, reimburse: bool) -> Result<Owned>;

    /// Records a leaderboard entry.
    async fn gf_add_leaderboard_entry(&self, e: &NewLeaderboardEntry) -> Result<()>;
    /// Deletes the user's entries on a leaderboard; how many.
    async fn gf_clear_leaderboard(&self, player: PlayerId, name: &str) -> Result<u64>;
    /// Entries by score descending (ties: older first), as the query selects.
    async fn gf_leaderboard(&self, q: &LeaderboardQuery) -> Result<Vec<LeaderboardEntry>>;

    /// Adds a service key; `Conflict` if the game has one of that name.
    async fn gf_insert_service_key(
        &self,
        game: GameId,
        name: &str,
        hash: &SecretHash,
        now: Timestamp,
    ) -> Result<ServiceKey>;
    /// The game's service keys, by name.
    async fn gf_service_keys(&self, game: GameId) -> Result<Vec<ServiceKey>>;
    /// The service key with this token hash.
    async fn gf_service_key_by_token(&self, hash: &SecretHash) -> Result<Option<ServiceKey>>;
    /// Deletes a service key; whether it existed.
    async fn gf_delete_service_key(&self, game: GameId, name: &str) -> Result<bool>;
    /// The switches of one route, if set.
    async fn gf_route_access(&self, game: GameId, route: &str) -> Result<Option<RouteAccess>>;
    /// Sets the switches of one route.
    async fn gf_set_route_access(&self, game: GameId, access: &RouteAccess) -> Result<()>;
    /// Every route switch of the game.
    async fn gf_route_accesses(&self, game: GameId) -> Result<Vec<RouteAccess>>;

    /// Marks a game as created by the test suite.
    async fn gf_mark_test_suite_game(&self, game: GameId) -> Result<()>;
    /// Whether the test suite created this game.
    async fn gf_is_test_suite_game(&self, game: GameId) -> Result<bool>;
    /// Deletes a game and everything in it, in one transaction; whether it existed.
    async fn gf_delete_game(&self, game: GameId) -> Result<bool>;

    /// Records a reset token and its message in the outbox, in one transaction; returns
    /// the outbox id.
    async fn gf_insert_reset(
        &self,
        token: &SecretHash,
        player: PlayerId,
        now: Timestamp,
        expires_at: Timestamp,
        mail: &NewOutbox,
    ) -> Result<i64>;
    /// Records whether an outbox message was sent.
    async fn gf_outbox_result(&self, id: i64, sent_at: Option<Timestamp>, error: Option<&str>) -> Result<()>;
    /// The newest outbox messages first.
    async fn gf_outbox(&self, limit: i64) -> Result<Vec<OutboxRecord>>;
    /// Whether a reset token is unused and unexpired.
    async fn gf_reset_token_live(&self, token: &SecretHash, now: Timestamp) -> Result<bool>;
    /// Uses a live reset token: sets the password hash and ends the user's sessions, in
    /// one transaction. Whether the token was live.
    async fn gf_reset_password(&self, token: &SecretHash, now: Timestamp, password_hash: &str) -> Result<bool>;
}
