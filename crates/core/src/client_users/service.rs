//! [`ClientUsers`]: sign-up, sign-in (each starts a session with a fresh authentication
//! token, stored only as its hash), profile and password changes, and reading a user of a
//! game. Password reset by e-mail is in [`reset`](super::reset).
//!
//! Policy lives here: e-mail addresses are normalised and unique per game, usernames unique
//! per game case-insensitively; a wrong password and an unknown e-mail cost the same and get
//! the same answer; failed sign-ins and wrong current passwords count per account and per
//! client address (`auth_failure_limit` per `auth_failure_window`); a session lasts the
//! game's refresh-token lifetime from its last use ([`slid_expiry`]).

use super::outbox::{Mailer, ResetStore};
use super::{
    ClientSessionStart, ClientUser, ClientUserStore, NewClientUser, ProfilePatch, SignInCredentials, SignUp, SignedIn,
    month_key,
};
use crate::audit::{Actor, NewAuditEvent, Origin, action, player_subject};
use crate::clock::Timestamp;
use crate::crypto::Secret;
use crate::game::{Game, GameStore};
use crate::ids::{GameId, PlayerId, SessionId, UserId};
use crate::metrics::StatSeries;
use crate::service::Playgate;
use crate::{Conflict, Entity, Error, Forbidden, Result, Unauthorized, wallet};
use async_trait::async_trait;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// How far a session's sliding expiry must have moved before a call writes it (with the
/// last-seen time): reads by a user with a live session are then not writes.
const EXPIRY_STEP: Duration = Duration::from_secs(60);

/// The new expiry of a session used at `now` that lasts `ttl` from its last use, when it
/// has moved by at least a step from `expires_at`; `None` when the stored one will do.
pub fn slid_expiry(expires_at: Timestamp, now: Timestamp, ttl: Duration) -> Option<Timestamp> {
    let expires = now.plus(ttl);
    (expires.0 - expires_at.0 >= EXPIRY_STEP.as_nanos() as i64).then_some(expires)
}

/// What a dialect names in its client users' tokens and counters. They stay as first
/// written: tokens already handed out, failure counters in their window and the series of
/// the login counters read the same across versions.
#[derive(Debug, Clone, Copy)]
pub struct Naming {
    /// Prefix of authentication tokens.
    pub token_prefix: &'static str,
    /// Prefix of password reset tokens.
    pub reset_token_prefix: &'static str,
    /// The kind of the failure counters of sign-ins and password changes: their keys are
    /// `<kind>:<game>:<email>` and `<kind>:<address>`, and lock-out events name it.
    pub failure_counter: &'static str,
    /// The `dialect` label of the login counters.
    pub metrics_label: &'static str,
}

/// The client users' settings.
#[derive(Debug, Clone)]
pub struct ClientUserSettings {
    /// Lifetime of a password reset link.
    pub reset_ttl: Duration,
    /// The page a reset link opens, under the server's public URL
    /// (`https://play.example.org/reset`); the link adds `?token=`.
    pub reset_page: String,
    /// The dialect's names.
    pub naming: Naming,
}

/// Counts of users' calls that a node keeps in memory and writes in batches (a dialect's
/// tally of API calls). A user the service has just written is shown with this node's
/// counts added, so the node that answers is exact.
#[async_trait]
pub trait PendingCounts: Send + Sync + 'static {
    /// Marks the start of a write whose user [`add_to`](Self::add_to) completes.
    fn mark(&self) -> u64;
    /// Adds this node's counts to `user` as written since `mark`; false (nothing added)
    /// when a batch was written meanwhile: `user` may or may not include it.
    fn add_to(&self, mark: u64, user: &mut ClientUser) -> bool;
    /// A user of `game` read from `store` with this node's counts added (read again while
    /// a batch is being written).
    async fn read(&self, store: &dyn ClientUserStore, game: GameId, id: PlayerId) -> Result<Option<ClientUser>>;
}

/// No counts kept apart: users are shown as stored.
#[derive(Debug, Default)]
pub struct NoPendingCounts;

#[async_trait]
impl PendingCounts for NoPendingCounts {
    fn mark(&self) -> u64 {
        0
    }
    fn add_to(&self, _mark: u64, _user: &mut ClientUser) -> bool {
        true
    }
    async fn read(&self, store: &dyn ClientUserStore, game: GameId, id: PlayerId) -> Result<Option<ClientUser>> {
        store.user(game, id).await
    }
}

/// Every store the client users' service reaches: its users and their sessions, reset
/// tokens and the outbox, and the games they belong to.
pub trait ClientUserStores: ClientUserStore + ResetStore + GameStore + 'static {}

impl<T> ClientUserStores for T where T: ClientUserStore + ResetStore + GameStore + 'static {}

/// The client users' service: its stores, the failure counters, the audit log (for
/// sign-in refusals), the password hasher, the master key (wallets, sealed mail), the
/// mailer, the clock, the policy and the counters, and the dialect's counts kept apart.
#[derive(Clone)]
pub struct ClientUsers {
    pub(super) stores: Arc<dyn ClientUserStores>,
    pending: Arc<dyn PendingCounts>,
    pub(super) mailer: Arc<dyn Mailer>,
    /// The core's shared parts: failure counters, audit log, password hasher, master key,
    /// clock, policy, counters.
    pub(super) core: Playgate,
    pub(super) own: Arc<ClientUserSettings>,
}

/// A normalised e-mail address: trimmed, lower-cased, `local@domain`. A space inside is
/// read as `+`: game clients put e-mails into query strings unencoded, where a `+` arrives
/// as a space.
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

impl ClientUsers {
    /// The service over its stores, with the core's shared parts (failure counters, audit
    /// log, password hasher, master key, clock, policy, counters), its settings, the
    /// mailer, and the counts a dialect keeps apart.
    pub fn new(
        stores: Arc<dyn ClientUserStores>,
        core: &Playgate,
        settings: ClientUserSettings,
        mailer: Arc<dyn Mailer>,
        pending: Arc<dyn PendingCounts>,
    ) -> Self {
        ClientUsers {
            stores,
            pending,
            mailer,
            core: core.clone(),
            own: Arc::new(settings),
        }
    }

    /// The current time by the service's clock.
    pub fn now(&self) -> Timestamp {
        self.core.clock.now()
    }

    /// An enabled game by id.
    async fn game(&self, id: GameId) -> Result<Game> {
        let game = self.stores.game_by_id(id).await?.ok_or(Error::NotFound(Entity::Game))?;
        game.check_enabled()?;
        Ok(game)
    }

    fn session_start(&self, game: &Game, ip: Option<String>, is_login: bool) -> (Secret, ClientSessionStart) {
        let now = self.now();
        let token = Secret::random(self.own.naming.token_prefix);
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

    /// The failure counter of sign-ins to one account (a game's e-mail address, known or
    /// not), and of a client address.
    fn failure_keys(&self, game: GameId, email: &str, ip: Option<&str>) -> (String, Option<String>) {
        let kind = self.own.naming.failure_counter;
        (format!("{kind}:{game}:{email}"), ip.map(|ip| format!("{kind}:{ip}")))
    }

    /// Creates a user of `game` and starts its first session.
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
        let (token, mut start) = self.session_start(game, ip.map(|i| i.to_string()), false);
        let detail = serde_json::json!({"session": start.session_id.to_string(), "new_user": true});
        start.audit = vec![
            NewAuditEvent::new(action::SESSION_OPENED, Actor::Player(rec.email.clone()))
                .game(game.id)
                .subject(player_subject(&rec.email))
                .origin(Origin {
                    ip: start.ip.clone(),
                    user_agent: None,
                })
                .detail(detail)
                .bounded(),
        ];
        let user = self.stores.insert_user(&rec, &start).await?;
        self.core.metrics.stat(StatSeries::SessionsOpened);
        Ok(SignedIn {
            user,
            token,
            is_new_user: true,
        })
    }

    /// Signs a user of an enabled game in by e-mail and password: checks the password (an
    /// unknown e-mail costs the same and gets the same answer), then starts a new session
    /// with a fresh token; the user's previous session ends. Failures count per client
    /// address and per account. Records `login.succeeded` and `session.opened` with the
    /// session, or `login.failed`.
    pub async fn sign_in(&self, game: GameId, email: &str, password: &Secret, origin: &Origin) -> Result<SignedIn> {
        let res = self.check_sign_in(game, email, password, origin).await;
        self.core.metrics.login_result(self.own.naming.metrics_label, &res);
        res
    }

    async fn check_sign_in(&self, game: GameId, email: &str, password: &Secret, origin: &Origin) -> Result<SignedIn> {
        let game = self.game(game).await?;
        let (email, _) = parse_email(email).map_err(|_| Error::Unauthorized(Unauthorized::SignInRefused))?;
        let (limit, window) = (
            self.core.settings.auth_failure_limit,
            self.core.settings.auth_failure_window,
        );
        let (account_key, ip_key) = self.failure_keys(game.id, &email, origin.ip.as_deref());
        if let Some(k) = &ip_key {
            self.core.limiter.check_failures(k, limit, window).await?;
        }
        self.core.limiter.check_failures(&account_key, limit, window).await?;
        let creds = self.stores.sign_in_credentials(game.id, &email).await?;
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
                Some(_) => NewAuditEvent::new(action::LOGIN_FAILED, Actor::Player(email.clone()))
                    .subject(player_subject(&email)),
                None => NewAuditEvent::new(action::LOGIN_FAILED, Actor::Unknown),
            };
            self.core
                .audit
                .record_alone(event.game(game.id).origin(origin.clone()))
                .await;
            if let Some(k) = &ip_key {
                self.core.limiter.count_failure(k, limit, window).await?;
            }
            self.core.limiter.count_failure(&account_key, limit, window).await?;
            return Err(Error::Unauthorized(Unauthorized::SignInRefused));
        };
        // A banned user who knows its password learns that it is banned, and why.
        if let Some(ban) = ban {
            return Err(Error::Forbidden(Forbidden::PlayerBanned(ban.reason)));
        }
        let save = async |new: String| self.stores.set_password_hash(player, &old, &new).await;
        self.core.passwords.upgrade(password, &old, save).await;
        let (token, mut start) = self.session_start(&game, origin.ip.clone(), true);
        let session = start.session_id.to_string();
        let event = |name: &str| {
            NewAuditEvent::new(name, Actor::Player(email.clone()))
                .game(game.id)
                .subject(player_subject(&email))
                .origin(origin.clone())
                .detail(serde_json::json!({"session": session}))
                .bounded()
        };
        start.audit = vec![event(action::LOGIN_SUCCEEDED), event(action::SESSION_OPENED)];
        // The sign-in's own call is counted by the store; this node's pending counts are
        // added.
        let mark = self.pending.mark();
        let mut user = self.stores.start_session(player, &start).await?;
        self.core.metrics.stat(StatSeries::SessionsOpened);
        if !self.pending.add_to(mark, &mut user) {
            user = self
                .pending
                .read(&*self.stores, game.id, player)
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

    /// The user changes its username and/or e-mail, under the sign-up rules (each unique
    /// in the game).
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
        self.stores.update_profile(user.id, &patch).await
    }

    /// The user changes its password: the current one, then the new one twice. Wrong
    /// current passwords count like failed sign-ins (same limits, same account counter).
    pub async fn change_password(
        &self,
        user: &ClientUser,
        current: &Secret,
        password: &Secret,
        confirmation: &Secret,
    ) -> Result<()> {
        check_password(password, confirmation)?;
        let email = user.display_email.to_lowercase();
        let (limit, window) = (
            self.core.settings.auth_failure_limit,
            self.core.settings.auth_failure_window,
        );
        let (account_key, _) = self.failure_keys(user.game_id, &email, None);
        self.core.limiter.check_failures(&account_key, limit, window).await?;
        let (player, old) = self
            .stores
            .credentials_by_email(user.game_id, &email)
            .await?
            .ok_or(Error::NotFound(Entity::User))?;
        if !self.core.passwords.verify(current, Some(&old)).await? {
            self.core.limiter.count_failure(&account_key, limit, window).await?;
            return Err(Error::invalid("current_password", "is incorrect"));
        }
        let new = self.core.passwords.hash(password).await?;
        if !self.stores.set_password_hash(player, &old, &new).await? {
            return Err(Error::Conflict(Conflict::PasswordChangedMeanwhile));
        }
        Ok(())
    }

    /// A user of `game`; users of other games do not exist. `me`, the user acting, is
    /// returned as it is when it is the one asked for (it was read when its call was
    /// authenticated).
    pub async fn user(&self, game: GameId, id: PlayerId, me: Option<&ClientUser>) -> Result<ClientUser> {
        if let Some(me) = me.filter(|u| u.id == id) {
            return Ok(me.clone());
        }
        self.stores.user(game, id).await?.ok_or(Error::NotFound(Entity::User))
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

    #[test]
    fn expiry_slides_by_steps() {
        let ttl = Duration::from_secs(3600);
        let t0 = Timestamp(1_000_000_000_000);
        let stored = t0.plus(ttl);
        assert_eq!(slid_expiry(stored, t0.plus(Duration::from_secs(59)), ttl), None);
        let now = t0.plus(Duration::from_secs(60));
        assert_eq!(slid_expiry(stored, now, ttl), Some(now.plus(ttl)));
    }
}
