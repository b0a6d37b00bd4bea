//! The storage contract of GameFuse's data; a supertrait of [`Store`](crate::store::Store),
//! so every store implements it and the core reaches it through the one store handle.

use super::events::EventCount;
use super::keys::{RouteAccess, ServiceKey};
use crate::Result;
use crate::client_users::ClientUser;
use crate::clock::Timestamp;
use crate::crypto::SecretHash;
use crate::game::Game;
use crate::ids::GameId;
use crate::session::Session;
use async_trait::async_trait;

/// What [`GamefuseStore::token_call`] reads for a token and a route.
#[derive(Debug, Clone)]
pub struct TokenCall {
    /// The session the token belongs to (in any state).
    pub session: Session,
    /// Its game.
    pub game: Game,
    /// The route's switches; `None` when never set (allowed both ways).
    pub route: Option<RouteAccess>,
    /// The user it signed in.
    pub user: ClientUser,
}

/// Persistence of what only GameFuse has: its game tokens, service keys, route switches, test-suite games and the API-call tally.
#[async_trait]
pub trait GamefuseStore: Send + Sync {
    /// What a call with a user's authentication token is checked against, in one read:
    /// the token's session, its game, the route's switches and the user.
    async fn token_call(&self, hash: &SecretHash, route: &str) -> Result<Option<TokenCall>>;
    /// Adds counted API calls to the users' event counters, in one transaction (the
    /// month rule of [`add_events`](super::events::add_events)).
    async fn add_events(&self, counts: &[EventCount]) -> Result<()>;
    /// Adds a service key; `Conflict` if the game has one of that name.
    async fn insert_service_key(
        &self,
        game: GameId,
        name: &str,
        hash: &SecretHash,
        now: Timestamp,
    ) -> Result<ServiceKey>;
    /// The game's service keys, by name.
    async fn service_keys(&self, game: GameId) -> Result<Vec<ServiceKey>>;
    /// The service key with this token hash.
    async fn service_key_by_token(&self, hash: &SecretHash) -> Result<Option<ServiceKey>>;
    /// Deletes a service key; whether it existed.
    async fn delete_service_key(&self, game: GameId, name: &str) -> Result<bool>;
    /// The switches of one route, if set.
    async fn route_access(&self, game: GameId, route: &str) -> Result<Option<RouteAccess>>;
    /// Sets the switches of one route.
    async fn set_route_access(&self, game: GameId, access: &RouteAccess) -> Result<()>;
    /// Every route switch of the game.
    async fn route_accesses(&self, game: GameId) -> Result<Vec<RouteAccess>>;
    /// Marks a game as created by the test suite.
    async fn mark_test_suite_game(&self, game: GameId) -> Result<()>;
    /// Whether the test suite created this game.
    async fn is_test_suite_game(&self, game: GameId) -> Result<bool>;
    /// Deletes a game and everything in it, in one transaction; whether it existed.
    async fn delete_game(&self, game: GameId) -> Result<bool>;
}
