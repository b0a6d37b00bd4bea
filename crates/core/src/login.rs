//! [`Logins`]: account logins through API keys (the i3D dialect's session): API keys with
//! address allowlists and expiry, password login with optional TOTP second factor, logout,
//! the logged-in account, 2FA enrollment with recovery codes, and brute-force limits.
//!
//! Policy lives here: a key holds at most one login; a completed login lasts
//! `login_ttl` (or `remember_me_ttl`); a login waiting for its OTP waits `otp_window` and
//! is cancelled by `otp_max_failures` wrong codes; failed passwords and OTPs count per
//! account (by user name, known or not) and per client IP.

use std::net::IpAddr;
use std::sync::Arc;

use serde_json::json;

use crate::account::{Account, AccountId, ApiKey, Login, NewLogin, name_key, totp_context};
use crate::account_store::{AccountStore, StartLogin};
use crate::audit::{Actor, Audit, NewAuditEvent, Origin, action};
use crate::clock::{Clock, Timestamp};
use crate::crypto::{MasterKey, Secret, SecretHash};
use crate::ids::SessionId;
use crate::limits::Limiter;
use crate::metrics::Metrics;
use crate::password::{MAX_PASSWORD_BYTES, Passwords};
use crate::service::Playgate;
use crate::session::SessionState;
use crate::settings::Settings;
use crate::{Conflict, Entity, Unauthorized};
use crate::{ConstraintKind, Error, Result, totp};

/// `POST /v3/session/login`.
#[derive(Debug, Clone)]
pub struct LoginCmd {
    /// As typed.
    pub user_name: String,
    /// As typed.
    pub password: Secret,
    /// The longer lifetime.
    pub remember_me: bool,
    /// Where the request came from.
    pub origin: Origin,
    /// Its country code (from GeoIP), or empty.
    pub country: String,
}

/// The answer to a login.
#[derive(Debug, Clone, Copy)]
pub struct LoginStarted {
    /// Whether an OTP must follow.
    pub requires_otp: bool,
    /// When the login (as it now stands) expires: the OTP deadline while one is awaited.
    pub expires_at: Timestamp,
    /// When the OTP window closes, if one is awaited.
    pub otp_expires_at: Option<Timestamp>,
}

/// A started 2FA enrollment: show the secret (or its QR code) to the person once.
#[derive(Debug, Clone)]
pub struct TotpEnrollment {
    /// Base32.
    pub secret: Secret,
    /// `otpauth://totp/…`.
    pub uri: Secret,
}

const INVALID_CREDENTIALS: Error = Error::Unauthorized(Unauthorized::BadCredentials);
const INVALID_OTP: Error = Error::Unauthorized(Unauthorized::BadOtp);
const NOT_LOGGED_IN: Error = Error::NotFound(Entity::Login);
const UNEXPECTED_OTP: Error = Error::NotFound(Entity::LoginAwaitingOtp);

fn failure_keys(user_name_key: &str, ip: Option<&str>) -> Vec<String> {
    let mut keys = vec![format!("i3d-login:account:{user_name_key}")];
    if let Some(ip) = ip {
        keys.push(format!("i3d-login:ip:{ip}"));
    }
    keys
}

/// An audit event about `account`, by it.
fn account_event(name: &str, account: AccountId, origin: &Origin) -> NewAuditEvent {
    NewAuditEvent::new(name, Actor::Account(account.0))
        .subject(format!("account:{}", account.0))
        .origin(origin.clone())
}

/// Recovery codes are hashed with the account id, so equal codes of two accounts differ
/// at rest.
fn recovery_hash(id: AccountId, code: &str) -> SecretHash {
    SecretHash::of(&format!("{}:{}", id.0, totp::normalize_recovery_code(code)))
}

/// The logins service: the accounts' store, the failure counters, the audit log (for
/// refusals, which write nothing else), the password hasher, the master key (TOTP
/// secrets), the clock, the policy and the counters.
#[derive(Clone)]
pub struct Logins {
    store: Arc<dyn AccountStore>,
    limiter: Limiter,
    audit: Audit,
    passwords: Passwords,
    master: MasterKey,
    clock: Arc<dyn Clock>,
    settings: Arc<Settings>,
    metrics: Arc<Metrics>,
}

impl Logins {
    /// The service over the accounts' store and the core's shared parts.
    pub fn new(store: Arc<dyn AccountStore>, core: &Playgate) -> Self {
        Logins {
            store,
            limiter: core.limiter.clone(),
            audit: core.audit.clone(),
            passwords: core.passwords.clone(),
            master: core.master.clone(),
            clock: core.clock.clone(),
            settings: core.settings.clone(),
            metrics: core.metrics.clone(),
        }
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Authenticates a `PRIVATE-TOKEN`: known, not expired, used from an allowed address.
    /// Behind the credential limiter ([`Limiter::limit_credential`]) like
    /// every client credential: unknown keys count per client IP, and past the limit every
    /// attempt from that address is answered 429, a valid key included. An expired key or
    /// one used from outside its ranges is refused without counting (it is no guess).
    /// Valid keys cost no write.
    pub async fn authenticate_api_key(&self, token: &str, ip: Option<IpAddr>) -> Result<ApiKey> {
        self.authenticate_api_key_with(token, ip, false)
            .await
            .map(|(key, _)| key)
    }

    /// [`authenticate_api_key`](Self::authenticate_api_key) and, in the same read, the
    /// key's live, completed login and its enabled account: a logged-in i3D request's whole
    /// check in one statement.
    pub async fn authenticate_logged_in(&self, token: &str, ip: Option<IpAddr>) -> Result<(ApiKey, Login, Account)> {
        let (key, login) = self.authenticate_api_key_with(token, ip, true).await?;
        let now = self.now();
        match login {
            Some((login, account)) if login.is_live(now) && account.enabled => Ok((key, login, account)),
            _ => Err(NOT_LOGGED_IN),
        }
    }

    async fn authenticate_api_key_with(
        &self,
        token: &str,
        ip: Option<IpAddr>,
        with_login: bool,
    ) -> Result<(ApiKey, Option<(Login, Account)>)> {
        let counter = self.limiter.credential_counter(ip);
        let found = self
            .store
            .api_key_read(
                &SecretHash::of(token),
                counter.bucket.as_deref().map(|b| (b, counter.start)),
                with_login,
            )
            .await?;
        if counter.key.is_some() && found.failures >= self.limiter.credential_limit() {
            return Err(Error::RateLimited {
                retry_after_secs: counter.left,
            });
        }
        let Some(key) = found.key else {
            self.limiter.count_credential_failure(&counter).await?;
            return Err(Error::Unauthorized(Unauthorized::BadApiKey));
        };
        if key.expires_at.is_some_and(|t| self.now() >= t) {
            return Err(Error::Unauthorized(Unauthorized::ApiKeyExpired));
        }
        if !key.allowed.is_empty() && !ip.is_some_and(|ip| key.allowed.iter().any(|n| n.contains(&ip))) {
            return Err(Error::Unauthorized(Unauthorized::ApiKeyAddressRefused));
        }
        Ok((key, found.login))
    }

    /// `POST /v3/session/login`: checks the password; without 2FA the login is complete,
    /// with 2FA it waits for [`login_otp`](Self::login_otp).
    pub async fn login(&self, key: &ApiKey, cmd: LoginCmd) -> Result<LoginStarted> {
        let res = self.check_login(key, cmd).await;
        self.metrics.login_result("i3d", &res);
        res
    }

    async fn check_login(&self, key: &ApiKey, cmd: LoginCmd) -> Result<LoginStarted> {
        if cmd.user_name.trim().is_empty() {
            return Err(Error::invalid("userName", "is required"));
        }
        if cmd.password.expose().is_empty() {
            return Err(Error::invalid("password", "is required"));
        }
        // No account has such a name (names refuse control characters), and PostgreSQL
        // cannot even compare a text holding NUL: refused before any lookup.
        if cmd.user_name.len() > 256
            || cmd.user_name.chars().any(char::is_control)
            || cmd.password.expose().len() > MAX_PASSWORD_BYTES
        {
            return Err(INVALID_CREDENTIALS);
        }
        let now = self.now();
        if self.store.current_login(key.id).await?.is_some_and(|l| l.is_live(now)) {
            return Err(Error::Conflict(Conflict::AlreadyLoggedIn));
        }
        let keys = failure_keys(&name_key(&cmd.user_name), cmd.origin.ip.as_deref());
        self.limiter.check_logins(&keys).await?;
        let account = self.store.account_by_name_key(&name_key(&cmd.user_name)).await?;
        let ok = self
            .passwords
            .verify(&cmd.password, account.as_ref().map(|a| a.password_hash.as_str()))
            .await?;
        let known = account.as_ref().map(|a| a.id);
        // A disabled account is refused like a wrong password: the answer tells nothing.
        let Some(account) = account.filter(|a| ok && a.enabled) else {
            let mut event = NewAuditEvent::new(action::LOGIN_FAILED, Actor::ApiKey(key.id.0))
                .origin(cmd.origin.clone())
                .detail(json!({"api_key": key.id.0}));
            if let Some(id) = known {
                event = event.subject(format!("account:{}", id.0));
            }
            self.audit.record_alone(event).await;
            self.limiter.count_login_failure(&keys).await?;
            return Err(INVALID_CREDENTIALS);
        };
        let old = account.password_hash.as_str();
        let save = async |new: String| self.store.set_account_password_hash(account.id, old, &new).await;
        self.passwords.upgrade(&cmd.password, old, save).await;
        let a = &self.settings.accounts;
        let now = self.now();
        let (state, expires_at) = if account.totp_enabled {
            (SessionState::PendingOtp, now.plus(a.otp_window))
        } else if cmd.remember_me {
            (SessionState::Active, now.plus(a.remember_me_ttl))
        } else {
            (SessionState::Active, now.plus(a.login_ttl))
        };
        let login = Login {
            id: SessionId::new(),
            api_key_id: key.id,
            account_id: account.id,
            state,
            started_at: now,
            expires_at,
            remember_me: cmd.remember_me,
            otp_failures: 0,
            ip: cmd.origin.ip.clone(),
            country: cmd.country,
        };
        // With a second factor the login succeeds when its code does.
        let audit = if account.totp_enabled {
            Vec::new()
        } else {
            let detail = json!({"login": login.id.to_string(), "api_key": key.id.0});
            vec![
                account_event(action::LOGIN_SUCCEEDED, account.id, &cmd.origin)
                    .detail(detail)
                    .bounded(),
            ]
        };
        match self.store.start_login(&NewLogin { login, now, audit }).await {
            Ok(StartLogin::Started(_)) => {}
            Ok(StartLogin::AlreadyLoggedIn)
            | Err(Error::Constraint {
                kind: ConstraintKind::Unique,
                ..
            }) => {
                return Err(Error::Conflict(Conflict::AlreadyLoggedIn));
            }
            Err(e) => return Err(e),
        }
        Ok(LoginStarted {
            requires_otp: account.totp_enabled,
            expires_at,
            otp_expires_at: account.totp_enabled.then_some(expires_at),
        })
    }

    /// Checks a 6-digit TOTP (never accepted twice) or, if `recovery` allows, an unused
    /// recovery code against the account's active secret (or `sealed`, when given).
    async fn check_otp(&self, account: &Account, sealed: Option<&[u8]>, otp: &str, recovery: bool) -> Result<bool> {
        if let Some(code) = totp::TotpCode::parse(otp) {
            let Some(sealed) = sealed.or(account.totp_secret.as_deref()) else {
                return Ok(false);
            };
            let secret = self.master.open(&totp_context(account.id), sealed)?;
            return match totp::verify(&secret, &code, self.now().unix_secs()) {
                Some(step) => self.store.claim_totp_step(account.id, step).await,
                None => Ok(false),
            };
        }
        if recovery && totp::is_recovery_code(otp) && account.totp_enabled {
            return self
                .store
                .use_recovery_code(account.id, &recovery_hash(account.id, otp), self.now())
                .await;
        }
        Ok(false)
    }

    async fn account(&self, id: AccountId) -> Result<Account> {
        self.store
            .account_by_id(id)
            .await?
            .ok_or_else(|| Error::internal(format!("login of missing account {}", id.0)))
    }

    /// `POST /v3/session/login/otp`: completes the key's waiting login with a TOTP or a
    /// recovery code. Wrong codes count as failed logins; `otp_max_failures` of them
    /// cancel the waiting login.
    pub async fn login_otp(&self, key: &ApiKey, otp: &str, origin: &Origin) -> Result<()> {
        let res = self.check_login_otp(key, otp, origin).await;
        if matches!(res, Err(Error::Unauthorized(_))) {
            self.metrics.otp_failures.inc();
        }
        res
    }

    async fn check_login_otp(&self, key: &ApiKey, otp: &str, origin: &Origin) -> Result<()> {
        if otp.trim().is_empty() {
            return Err(Error::invalid("otp", "is required"));
        }
        let now = self.now();
        let Some(login) = self.store.current_login(key.id).await?.filter(|l| l.awaits_otp(now)) else {
            return Err(UNEXPECTED_OTP);
        };
        let account = self.account(login.account_id).await?;
        let keys = failure_keys(&name_key(&account.user_name), origin.ip.as_deref());
        self.limiter.check_logins(&keys).await?;
        let detail = json!({"login": login.id.to_string(), "api_key": key.id.0});
        if !self.check_otp(&account, None, otp, true).await? {
            let a = &self.settings.accounts;
            self.store
                .add_otp_failure(login.id, i64::from(a.otp_max_failures), now)
                .await?;
            self.audit
                .record_alone(account_event(action::OTP_FAILED, account.id, origin).detail(detail))
                .await;
            self.limiter.count_login_failure(&keys).await?;
            return Err(INVALID_OTP);
        }
        let a = &self.settings.accounts;
        let ttl = if login.remember_me {
            a.remember_me_ttl
        } else {
            a.login_ttl
        };
        let audit = account_event(action::LOGIN_SUCCEEDED, account.id, origin)
            .detail(detail)
            .bounded();
        if !self.store.activate_login(login.id, now, now.plus(ttl), &audit).await? {
            return Err(UNEXPECTED_OTP);
        }
        Ok(())
    }

    /// `POST /v3/session/logout`: ends the key's login (complete or waiting);
    /// `NotFound(Entity::Login)` if there is none.
    pub async fn logout(&self, key: &ApiKey) -> Result<()> {
        let now = self.now();
        match self.store.current_login(key.id).await? {
            Some(l) if l.is_live(now) || l.awaits_otp(now) => {
                self.store.end_login(l.id, now).await?;
                Ok(())
            }
            _ => Err(NOT_LOGGED_IN),
        }
    }

    /// `POST /v3/session/2fa`: a new secret for enrollment (replacing an unfinished one).
    pub async fn begin_totp(&self, account: &Account) -> Result<TotpEnrollment> {
        if account.totp_enabled {
            return Err(Error::Conflict(Conflict::TwoFactorEnabled));
        }
        let secret = totp::generate_secret();
        let sealed = self.master.seal(&totp_context(account.id), &secret)?;
        self.store.set_totp_pending(account.id, Some(&sealed)).await?;
        let issuer = &self.settings.accounts.totp_issuer;
        Ok(TotpEnrollment {
            secret: Secret::new(totp::base32(&secret)),
            uri: Secret::new(totp::otpauth_uri(issuer, &account.user_name, &secret)),
        })
    }

    /// `POST /v3/session/2fa/enable`: a code from the new secret turns 2FA on; returns
    /// the recovery codes (shown once, stored hashed).
    pub async fn enable_totp(&self, account: &Account, otp: &str, origin: &Origin) -> Result<Vec<Secret>> {
        if otp.trim().is_empty() {
            return Err(Error::invalid("otp", "is required"));
        }
        if account.totp_enabled {
            return Err(Error::Conflict(Conflict::TwoFactorEnabled));
        }
        let Some(pending) = account.totp_pending.as_deref() else {
            return Err(Error::Conflict(Conflict::TwoFactorNotEnrolling));
        };
        let keys = failure_keys(&name_key(&account.user_name), origin.ip.as_deref());
        self.limiter.check_logins(&keys).await?;
        if !self.check_otp(account, Some(pending), otp, false).await? {
            self.limiter.count_login_failure(&keys).await?;
            return Err(INVALID_OTP);
        }
        let codes: Vec<Secret> = (0..totp::RECOVERY_CODES)
            .map(|_| Secret::new(totp::new_recovery_code()))
            .collect();
        let hashes: Vec<SecretHash> = codes.iter().map(|c| recovery_hash(account.id, c.expose())).collect();
        let audit = account_event(action::TWO_FA_ENABLED, account.id, origin).bounded();
        self.store
            .enable_totp(account.id, pending, &hashes, &audit, self.now())
            .await?;
        Ok(codes)
    }

    /// `DELETE /v3/session/2fa`: a current code (or a recovery code) turns 2FA off.
    pub async fn disable_totp(&self, account: &Account, otp: &str, ip: Option<IpAddr>) -> Result<()> {
        if otp.trim().is_empty() {
            return Err(Error::invalid("otp", "is required"));
        }
        if !account.totp_enabled {
            return Err(Error::Conflict(Conflict::TwoFactorNotEnabled));
        }
        let ip = ip.map(|ip| ip.to_string());
        let keys = failure_keys(&name_key(&account.user_name), ip.as_deref());
        self.limiter.check_logins(&keys).await?;
        if !self.check_otp(account, None, otp, true).await? {
            self.limiter.count_login_failure(&keys).await?;
            return Err(INVALID_OTP);
        }
        self.store.disable_totp(account.id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes() {
        let c = totp::new_recovery_code();
        let id = AccountId(7);
        assert_eq!(
            recovery_hash(id, &c),
            recovery_hash(id, &c.to_uppercase().replace('-', " "))
        );
        assert_ne!(recovery_hash(id, &c), recovery_hash(AccountId(8), &c));
    }
}
