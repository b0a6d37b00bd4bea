//! GameFuse users: sign-up, sign-in (each starts a session with a fresh authentication
//! token, stored only as its hash), and the authentication of every later call by token,
//! by service key, or by game id and token.

use super::Gamefuse;
use super::store::TokenCall;
use crate::audit::{Actor, NewAuditEvent, Origin, action};
use crate::client_users::{
    ClientSessionStart, ClientUser, NewClientUser, ProfilePatch, SignInCredentials, SignUp, SignedIn, month_key,
};
use crate::crypto::{Secret, SecretHash};
use crate::game::Game;
use crate::ids::{GameId, PlayerId, SessionId, UserId};
use crate::metrics::StatSeries;
use crate::vendor::gamefuse::AUTH_TOKEN_PREFIX;
use crate::{Conflict, Entity, Error, Forbidden, Result, Unauthorized, wallet};
use std::net::IpAddr;
use std::time::Duration;

/// How far a session's sliding expiry must have moved before a call writes it (with the
/// last-seen time): reads by a user with a live session are then not writes.
const EXPIRY_STEP: Duration = Duration::from_secs(60);

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

/// A normalised e-mail address: trimmed, lower-cased, `local@domain`. A space inside is
/// read as `+`: the SDK puts e-mails into query strings unencoded (reference 0.4).
pub fn parse_email(raw: &str) -> Result<(String, String)> {
    let display = raw.trim().replace(' ', "+");
    let ok = display.chars().count() <= UserId::MAX_CHARS
        && !display.chars().any(|c| c.is_control() || c.is_whitespace())
        && display
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && !d.is_empty() && !d.contains('@') && !d.starts_with('.'));
    if !ok {
        return Err(Error::invalid("email", "is not a valid e-mail address"));
    }
    Ok((display.to_lowercase(), display))
}

fn parse_username(raw: &str) -> Result<(String, String)> {
    let u = raw.trim();
    if u.is_empty() || u.chars().count() > 64 || u.chars().any(char::is_control) {
        return Err(Error::invalid("username", "is required, at most 64 characters"));
    }
    Ok((u.to_owned(), u.to_lowercase()))
}

/// Checks a new password's length (argon2 cost is bounded by it).
pub fn check_password(p: &Secret, confirmation: &Secret) -> Result<()> {
    let n = p.expose().chars().count();
    if n == 0 || n > 1024 {
        return Err(Error::invalid("password", "is required, at most 1024 characters"));
    }
    if p != confirmation {
        return Err(Error::invalid("password_confirmation", "doesn't match password"));
    }
    Ok(())
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
        enabled(game)
    }

    /// A game by id only (sign-in, where the SDK sends no token: reference 4).
    pub async fn game(&self, id: i64) -> Result<Game> {
        enabled(
            self.core
                .store
                .game_by_id(GameId(id))
                .await?
                .ok_or(Error::NotFound(Entity::Game))?,
        )
    }

    fn session_start(&self, game: &Game, ip: Option<String>, is_login: bool) -> (Secret, ClientSessionStart) {
        let now = self.now();
        let token = Secret::random(AUTH_TOKEN_PREFIX);
        let start = ClientSessionStart {
            game_id: game.id,
            session_id: SessionId::new(),
            token_hash: token.hash(),
            now,
            expires_at: now.plus(self.core.settings.refresh_ttl(game)),
            month: month_key(now),
            ip,
            is_login,
            audit: Vec::new(),
        };
        (token, start)
    }

    /// `POST /users`: creates the user and starts its first session.
    pub async fn sign_up(&self, game: &Game, cmd: SignUp, ip: Option<IpAddr>) -> Result<SignedIn> {
        let (email, display_email) = parse_email(&cmd.email)?;
        let (username, username_key) = parse_username(&cmd.username)?;
        check_password(&cmd.password, &cmd.password_confirmation)?;
        let rec = NewClientUser {
            game_id: game.id,
            email,
            display_email,
            username,
            username_key,
            password_hash: self.core.passwords.hash(&cmd.password).await?,
            wallet: wallet::generate(&self.core.master)?,
            created_at: self.now(),
        };
        let (token, start) = self.session_start(game, ip.map(|i| i.to_string()), false);
        let user = self.store().insert_user(&rec, &start).await?;
        self.core.metrics.stat(StatSeries::SessionsOpened);
        Ok(SignedIn {
            user,
            token,
            is_new_user: true,
        })
    }

    /// `POST /sessions`: checks the password (an unknown e-mail costs the same and gets the
    /// same answer), then starts a new session with a fresh token; the user's previous
    /// session ends. Failures count per client address and per account. Records
    /// `login.succeeded` and `session.opened` with the session, or `login.failed`.
    pub async fn sign_in(&self, game_id: i64, email: &str, password: &Secret, origin: &Origin) -> Result<SignedIn> {
        let res = self.check_sign_in(game_id, email, password, origin).await;
        self.core.metrics.login_result("gamefuse", &res);
        res
    }

    async fn check_sign_in(&self, game_id: i64, email: &str, password: &Secret, origin: &Origin) -> Result<SignedIn> {
        let game = self.game(game_id).await?;
        let ip = origin.ip.as_deref();
        let (email, _) = parse_email(email).map_err(|_| Error::Unauthorized(Unauthorized::SignInRefused))?;
        let s = &self.core.settings;
        let (limit, window) = (s.auth_failure_limit, s.auth_failure_window);
        let account_key = format!("gf-signin:{}:{email}", game.id);
        let ip_key = ip.map(|ip| format!("gf-signin:{ip}"));
        if let Some(k) = &ip_key {
            self.core.check_failures(k, limit, window).await?;
        }
        self.core.check_failures(&account_key, limit, window).await?;
        let creds = self.store().sign_in_credentials(game.id, &email).await?;
        // One password check whether or not the e-mail is known (a dummy hash otherwise).
        let ok = self
            .core
            .passwords
            .verify(password, creds.as_ref().map(|c| c.password_hash.as_str()))
            .await?;
        let known = creds.as_ref().map(|c| c.player);
        let Some(SignInCredentials {
            player,
            password_hash: old,
            ban,
        }) = creds.filter(|_| ok)
        else {
            let event = match known {
                Some(player) => NewAuditEvent::new(action::LOGIN_FAILED, Actor::Player(player.0.to_string()))
                    .subject(format!("player:{}", player.0)),
                None => NewAuditEvent::new(action::LOGIN_FAILED, Actor::Unknown),
            };
            self.core.record_alone(event.game(game.id).origin(origin.clone())).await;
            if let Some(k) = &ip_key {
                self.core.count_failure(k, limit, window).await?;
            }
            self.core.count_failure(&account_key, limit, window).await?;
            return Err(Error::Unauthorized(Unauthorized::SignInRefused));
        };
        // A banned user who knows its password learns that it is banned, and why.
        if let Some(ban) = ban {
            return Err(Error::Forbidden(Forbidden::PlayerBanned(ban.reason)));
        }
        let save = async |new: String| self.store().set_password_hash(player, &old, &new).await;
        self.core.passwords.upgrade(password, &old, save).await;
        let (token, mut start) = self.session_start(&game, origin.ip.clone(), true);
        let session = start.session_id.to_string();
        let event = |name: &str| {
            NewAuditEvent::new(name, Actor::Player(player.0.to_string()))
                .game(game.id)
                .subject(format!("player:{}", player.0))
                .origin(origin.clone())
                .detail(serde_json::json!({"session": session}))
                .bounded()
        };
        start.audit = vec![event(action::LOGIN_SUCCEEDED), event(action::SESSION_OPENED)];
        // The sign-in's own event is counted by the store; this node's tally is added.
        let mark = self.events.mark();
        let mut user = self.store().start_session(player, &start).await?;
        self.core.metrics.stat(StatSeries::SessionsOpened);
        if self.events.settle(mark, &mut user, None, false).is_err() {
            let read = || self.store().user(game.id, player);
            user = self
                .events
                .settled(None, read, |u| u)
                .await?
                .ok_or(Error::NotFound(Entity::User))?;
        }
        Ok(SignedIn {
            // Never signed in before this one.
            is_new_user: user.number_of_logins == 1,
            user,
            token,
        })
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
            check_enabled(&call.game)?;
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
        let expires = now.plus(self.core.settings.refresh_ttl(&game));
        if expires.0 - session.expires_at.0 >= EXPIRY_STEP.as_nanos() as i64 {
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
        let game = enabled(game)?;
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

    /// `PUT /users/{id}`: the user changes its username and/or e-mail, under the sign-up
    /// rules (each unique in the game).
    pub async fn update_profile(
        &self,
        user: &ClientUser,
        username: Option<&str>,
        email: Option<&str>,
    ) -> Result<ClientUser> {
        let patch = ProfilePatch {
            username: username.map(parse_username).transpose()?,
            email: email.map(parse_email).transpose()?,
            now: self.now(),
        };
        if patch.username.is_none() && patch.email.is_none() {
            return Err(Error::invalid("username", "or email is required"));
        }
        self.store().update_profile(user.id, &patch).await
    }

    /// `PUT /users/{id}/password`: the current password, then the new one twice. Wrong
    /// current passwords count like failed sign-ins (same limits, same account key).
    pub async fn change_password(
        &self,
        user: &ClientUser,
        current: &Secret,
        password: &Secret,
        confirmation: &Secret,
    ) -> Result<()> {
        check_password(password, confirmation)?;
        let email = user.display_email.to_lowercase();
        let s = &self.core.settings;
        let (limit, window) = (s.auth_failure_limit, s.auth_failure_window);
        let account_key = format!("gf-signin:{}:{email}", user.game_id);
        self.core.check_failures(&account_key, limit, window).await?;
        let (player, old) = self
            .store()
            .credentials_by_email(user.game_id, &email)
            .await?
            .ok_or(Error::NotFound(Entity::User))?;
        if !self.core.passwords.verify(current, Some(&old)).await? {
            self.core.count_failure(&account_key, limit, window).await?;
            return Err(Error::invalid("current_password", "is incorrect"));
        }
        let new = self.core.passwords.hash(password).await?;
        if !self.store().set_password_hash(player, &old, &new).await? {
            return Err(Error::Conflict(Conflict::PasswordChangedMeanwhile));
        }
        Ok(())
    }

    /// A user of the caller's game (`GET /users/{id}`); users of other games do not exist.
    pub async fn user(&self, caller: &Caller, id: i64) -> Result<ClientUser> {
        // The caller itself was read, as counted, when its call was authenticated.
        if let Some(me) = caller.user.as_ref().filter(|u| u.id.0 == id) {
            return Ok(me.clone());
        }
        self.store()
            .user(caller.game.id, PlayerId(id))
            .await?
            .ok_or(Error::NotFound(Entity::User))
    }
}

fn enabled(game: Game) -> Result<Game> {
    check_enabled(&game).map(|()| game)
}

fn check_enabled(game: &Game) -> Result<()> {
    if game.enabled {
        Ok(())
    } else {
        Err(Error::Forbidden(Forbidden::GameDisabled))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            parse_email(" Pip+x@Example.org ").ok(),
            Some(("pip+x@example.org".into(), "Pip+x@Example.org".into()))
        );
        assert_eq!(
            parse_email("pip x@example.org").ok().map(|e| e.0),
            Some("pip+x@example.org".into())
        );
        for bad in ["", "nope", "@x", "a@", "a@b@c", "a\n@b"] {
            assert!(parse_email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn passwords_must_match() {
        let p = Secret::new("a");
        assert!(check_password(&p, &Secret::new("a")).is_ok());
        assert!(check_password(&p, &Secret::new("b")).is_err());
        assert!(check_password(&Secret::new(""), &Secret::new("")).is_err());
    }
}
