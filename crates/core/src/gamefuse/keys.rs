//! Service keys (per game, reference 15.1), the per-route switches, and the system
//! test-suite key with its `test_suite/*` operations (15.2).

use super::Gamefuse;
use crate::client_users::SignUp;
use crate::clock::Timestamp;
use crate::crypto::{Secret, SecretHash};
use crate::game::{Game, NewGame};
use crate::ids::GameId;
use crate::vendor::gamefuse::SERVICE_KEY_PREFIX;
use crate::{Entity, Error, Forbidden, Result, Unauthorized};
use std::net::IpAddr;

/// A game's service key (its token is stored only as a hash).
#[derive(Debug, Clone)]
pub struct ServiceKey {
    pub id: i64,
    pub game_id: GameId,
    pub name: String,
    pub created_at: Timestamp,
}

/// Who may call one route of a game (reference 15.1); both by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteAccess {
    /// The route as the dialect names it: its path under `/api/v3`, e.g.
    /// `users/{id}/add_leaderboard_entry`.
    pub route: String,
    /// Callers with a user's authentication token.
    pub user_allowed: bool,
    /// Callers with a service key.
    pub key_allowed: bool,
}

/// The password of users made by `test_suite/create_user` (the SDK's test scripts sign
/// in with it, reference 15.2).
pub const TEST_SUITE_PASSWORD: &str = "password";

/// `test_suite/create_user`'s sign-up: a user whose password is [`TEST_SUITE_PASSWORD`]
/// (its sign-up starts the session whose token is part of the answer: reference 17.3).
pub fn suite_user(email: &str, username: &str) -> SignUp {
    let password = Secret::new(TEST_SUITE_PASSWORD);
    SignUp {
        email: email.to_owned(),
        username: username.to_owned(),
        password: password.clone(),
        password_confirmation: password,
    }
}

impl Gamefuse {
    /// Creates a service key for a game; its token is returned once.
    pub async fn create_service_key(&self, game: GameId, name: &str) -> Result<(ServiceKey, Secret)> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(Error::invalid("name", "is required, at most 100 characters"));
        }
        self.existing_game(game).await?;
        let token = Secret::random(SERVICE_KEY_PREFIX);
        let key = self
            .store()
            .insert_service_key(game, name, &token.hash(), self.now())
            .await?;
        Ok((key, token))
    }

    /// A game's service keys.
    pub async fn service_keys(&self, game: GameId) -> Result<Vec<ServiceKey>> {
        self.store().service_keys(game).await
    }

    /// Deletes a service key; it stops working at once.
    pub async fn delete_service_key(&self, game: GameId, name: &str) -> Result<()> {
        if self.store().delete_service_key(game, name).await? {
            Ok(())
        } else {
            Err(Error::NotFound(Entity::ServiceKey))
        }
    }

    /// The switches of a route (allowed both ways when unset).
    pub async fn route_access(&self, game: GameId, route: &str) -> Result<RouteAccess> {
        Ok(self
            .store()
            .route_access(game, route)
            .await?
            .unwrap_or_else(|| RouteAccess {
                route: route.to_owned(),
                user_allowed: true,
                key_allowed: true,
            }))
    }

    /// Sets a route's switches.
    pub async fn set_route_access(&self, game: GameId, access: RouteAccess) -> Result<()> {
        if access.route.is_empty() || access.route.len() > 200 {
            return Err(Error::invalid("route", "is required"));
        }
        self.existing_game(game).await?;
        self.store().set_route_access(game, &access).await
    }

    /// Every route switch of a game.
    pub async fn route_accesses(&self, game: GameId) -> Result<Vec<RouteAccess>> {
        self.store().route_accesses(game).await
    }

    /// Checks the system test-suite key, behind the credential limiter
    /// ([`Playgate::limit_credential`](crate::service::Playgate::limit_credential)).
    /// `NotFound` when none is configured (the `test_suite` routes then do not exist),
    /// `Unauthorized` when it does not match, `RateLimited` when `ip` is locked out.
    pub async fn authenticate_test_suite(&self, name: &str, token: &str, ip: Option<IpAddr>) -> Result<()> {
        let Some((want_name, want_token)) = &self.settings.test_suite_key else {
            return Err(Error::NotFound(Entity::Route));
        };
        self.core
            .limit_credential(ip, async {
                let name_ok = SecretHash::of(name).matches(&SecretHash::of(want_name));
                let token_ok = SecretHash::of(token).matches(&want_token.hash());
                if name_ok && token_ok {
                    Ok(())
                } else {
                    Err(Error::Unauthorized(Unauthorized::BadSystemServiceKey))
                }
            })
            .await
    }

    /// Whether a test-suite key is configured.
    pub fn test_suite_enabled(&self) -> bool {
        self.settings.test_suite_key.is_some()
    }

    /// `test_suite/create_game`: a new game, marked so that clean-up may delete it.
    pub async fn suite_create_game(&self) -> Result<Game> {
        let n = self.now().unix_millis();
        let creds = self
            .core
            .create_game(NewGame {
                name: format!("Test suite game {n}"),
                description: "Created by test_suite/create_game".into(),
                client_name: None,
            })
            .await?;
        self.store().mark_test_suite_game(creds.game.id).await?;
        Ok(creds.game)
    }

    /// `test_suite/clean_up_test`: deletes a game the test suite created and everything
    /// in it. Other games are refused (403): the system key cleans up only after itself.
    pub async fn suite_clean_up(&self, game: i64) -> Result<()> {
        let game = self.suite_game(game).await?;
        self.store().delete_game(game.id).await?;
        Ok(())
    }

    /// A game by id, enabled or not (operator tools).
    async fn existing_game(&self, game: GameId) -> Result<Game> {
        self.core
            .store
            .game_by_id(game)
            .await?
            .ok_or(Error::NotFound(Entity::Game))
    }

    /// A game the test suite created; [`Forbidden::TestSuiteForeignGame`] for any other.
    pub async fn suite_game(&self, game: i64) -> Result<Game> {
        let game = self.existing_game(GameId(game)).await?;
        if !self.store().is_test_suite_game(game.id).await? {
            return Err(Error::Forbidden(Forbidden::TestSuiteForeignGame));
        }
        Ok(game)
    }
}
