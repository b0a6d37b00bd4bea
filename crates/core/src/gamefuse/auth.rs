//! The authentication of GameFuse calls: by a game's id and token, by a user's
//! authentication token (its client-user session, on a route whose switches allow users),
//! or by a service key of the game (acting as one of its users, or as none). Each yields
//! the principal of the call, a [`Caller`], and counts a user's call in the tally
//! ([`events`](super::events)).

use super::Gamefuse;
use super::store::TokenCall;
use crate::client_users::{ClientUser, month_key, slid_expiry};
use crate::crypto::SecretHash;
use crate::game::Game;
use crate::ids::{GameId, PlayerId, SessionId};
use crate::{Entity, Error, Forbidden, Result, Unauthorized};
use std::net::IpAddr;

/// How an authenticated call was authenticated.
#[derive(Debug, Clone)]
pub enum Via {
    /// A user's authentication token (its session).
    Token(SessionId),
    /// A service key of the game, by name.
    ServiceKey(String),
}

/// The principal of an authenticated GameFuse call.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The game the credential belongs to.
    pub game: Game,
    /// The user acted as: the token's, or a service key's `current-user-id`.
    pub user: Option<ClientUser>,
    pub via: Via,
}

impl Caller {
    /// The user acted as, or 401 when a service key named none.
    pub fn user(&self) -> Result<&ClientUser> {
        self.user
            .as_ref()
            .ok_or(Error::Unauthorized(Unauthorized::CurrentUserRequired))
    }

    /// The user, if `id` is it (write routes under `/users/{id}/…`, reference 5.4).
    pub fn self_user(&self, id: i64) -> Result<&ClientUser> {
        let u = self.user()?;
        if u.id.0 != id {
            return Err(Error::Unauthorized(Unauthorized::NotCurrentUser));
        }
        Ok(u)
    }
}

impl Gamefuse {
    /// A game by its GameFuse credentials (`game_id` + `game_token`); refused alike when
    /// either is wrong, and [`Forbidden::GameDisabled`] when the game is disabled.
    pub async fn authenticate_game(&self, id: i64, token: &str) -> Result<Game> {
        const REFUSED: Error = Error::NotFound(Entity::GameByToken);
        let game = self.core.store.game_by_id(GameId(id)).await?.ok_or(REFUSED)?;
        let presented = SecretHash::of(token);
        if game.gamefuse_token.is_empty() || !presented.matches(&SecretHash::of(&game.gamefuse_token)) {
            return Err(REFUSED);
        }
        game.check_enabled()?;
        Ok(game)
    }

    /// Authenticates a call by a user's authentication token, on `route` (for the
    /// per-route switches), and counts it as one event of the user.
    pub async fn authenticate_token(&self, token: &str, route: &str) -> Result<Caller> {
        const REFUSED: Error = Error::Unauthorized(Unauthorized::BadUserToken);
        if token.is_empty() {
            return Err(REFUSED);
        }
        let now = self.now();
        let hash = SecretHash::of(token);
        let checked = || async {
            let Some(call) = self.store().token_call(&hash, route).await? else {
                return Err(REFUSED);
            };
            if !call.session.is_live(now) {
                return Err(REFUSED);
            }
            call.game.check_enabled()?;
            if call.route.as_ref().is_some_and(|a| !a.user_allowed) {
                return Err(Error::Forbidden(Forbidden::RouteDisabledForUsers));
            }
            Ok(Some(call))
        };
        let TokenCall {
            session, game, user, ..
        } = self
            .events
            .settled(Some(&month_key(now)), checked, |c: &mut TokenCall| &mut c.user)
            .await?
            .ok_or(REFUSED)?;
        // Sliding expiry, written when it has moved by a step: not a write per call.
        if let Some(expires) = slid_expiry(session.expires_at, now, self.core.settings.refresh_ttl(&game)) {
            self.store().extend_session(session.id, now, expires).await?;
        }
        Ok(Caller {
            game,
            user: Some(user),
            via: Via::Token(session.id),
        })
    }

    /// Authenticates a call by a service key of a game (reference 15.1), acting as the
    /// user `current_user_id` of that game if given.
    pub async fn authenticate_service_key(
        &self,
        name: &str,
        token: &str,
        current_user_id: Option<&str>,
        route: &str,
        ip: Option<IpAddr>,
    ) -> Result<Caller> {
        const REFUSED: Error = Error::Unauthorized(Unauthorized::BadServiceKey);
        // The key itself behind the credential limiter; what follows (game, route, user)
        // concerns a valid key.
        let (key, game) = self
            .core
            .limit_credential(ip, async {
                let key = self
                    .store()
                    .service_key_by_token(&SecretHash::of(token))
                    .await?
                    .filter(|k| k.name == name)
                    .ok_or(REFUSED)?;
                let game = self.core.store.game_by_id(key.game_id).await?.ok_or(REFUSED)?;
                Ok((key, game))
            })
            .await?;
        game.check_enabled()?;
        if !self.route_access(game.id, route).await?.key_allowed {
            return Err(Error::Forbidden(Forbidden::RouteDisabledForServiceKeys));
        }
        let user = match current_user_id.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => {
                let id: i64 = raw
                    .parse()
                    .map_err(|_| Error::invalid("current-user-id", "is not a user id"))?;
                // The user must be of the key's game: a key never reaches another game.
                let month = month_key(self.now());
                let read = || self.store().user(game.id, PlayerId(id));
                let user = self.events.settled(Some(&month), read, |u| u).await?;
                Some(user.ok_or(Error::NotFound(Entity::User))?)
            }
        };
        Ok(Caller {
            game,
            user,
            via: Via::ServiceKey(key.name),
        })
    }
}
