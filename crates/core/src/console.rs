//! Operators' sign-in to the web console: a password (argon2id), then a TOTP code once the
//! operator has enrolled (secret sealed under the master key, recovery codes kept hashed),
//! and console sessions with an idle and an absolute expiry.
//!
//! A session is identified by a random token the browser holds in a cookie; only its hash
//! is stored. A session made by the password alone, for an operator with TOTP enrolled,
//! only awaits the code: completing it replaces it with a new session (a new token), so a
//! token seen before sign-in is worth nothing after. Every state-changing form carries a
//! synchronizer token derived from the session token under the master key
//! ([`Console::csrf_token`]), so nothing more is stored for it.
//!
//! Wrong passwords and codes count toward the failure limiter, per operator name and per
//! address, like other logins (`accounts.login_failure_limit` in the window).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use subtle::ConstantTimeEq;

use crate::clock::Timestamp;
use crate::crypto::{Secret, SecretHash};
use crate::error::{Conflict, Entity, Error, Unauthorized};
use crate::operators::{Operator, Principal, Role};
use crate::service::Playgate;
use crate::{Result, totp};

/// Prefix of console session tokens.
pub const SESSION_PREFIX: &str = "pgc_";
/// A session unused for this long ends.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// A session ends this long after sign-in, however busy.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::from_secs(12 * 60 * 60);
/// A sign-in awaiting its TOTP code lasts this long.
pub const OTP_WAIT: Duration = Duration::from_secs(5 * 60);
/// Shortest console password.
pub const PASSWORD_MIN: usize = 12;
/// Longest console password (argon2 takes any, but nobody types more).
pub const PASSWORD_MAX: usize = 1024;
/// `last_seen_at` is written at most this often per session.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

const CSRF_CONTEXT: &str = "playgate:console-csrf";

fn totp_context(operator_id: i64) -> String {
    format!("operator-totp:{operator_id}")
}

/// An operator's console credentials as stored.
#[derive(Debug, Clone)]
pub struct ConsoleCredentials {
    /// The operator.
    pub operator: Operator,
    /// The argon2id PHC string of its console password (`None`: no console access).
    pub password_hash: Option<String>,
    /// Its TOTP secret, sealed (`None`: not enrolled).
    pub totp_secret: Option<Vec<u8>>,
    /// A secret being enrolled, sealed.
    pub totp_pending: Option<Vec<u8>>,
}

/// A console session to store.
#[derive(Debug, Clone)]
pub struct NewConsoleSession {
    /// The hash of the session token.
    pub token: SecretHash,
    /// Whose.
    pub operator_id: i64,
    /// False while the TOTP code is awaited.
    pub verified: bool,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it ends, however busy.
    pub expires_at: Timestamp,
    /// The address it was made from.
    pub ip: Option<String>,
    /// The browser's user agent.
    pub user_agent: Option<String>,
}

/// A stored console session and its operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSession {
    /// The operator's id.
    pub operator_id: i64,
    /// The operator's name and role.
    pub operator: Principal,
    /// The operator is enabled.
    pub operator_enabled: bool,
    /// The operator has TOTP enrolled.
    pub totp_enrolled: bool,
    /// False while the TOTP code is awaited.
    pub verified: bool,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it was last used (to the minute).
    pub last_seen_at: Timestamp,
    /// When it ends, however busy.
    pub expires_at: Timestamp,
}

impl ConsoleSession {
    /// Whether the session is usable at `now` (not idle too long, not past its end, its
    /// operator enabled).
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.operator_enabled && now < self.expires_at && now < self.last_seen_at.plus(IDLE_TIMEOUT)
    }
}

/// Persistence of console credentials and sessions (part of the operators' store).
#[async_trait]
pub trait ConsoleStore: Send + Sync + 'static {
    /// Inserts an operator with a console password; a taken name is a unique violation of
    /// [`crate::operators::NAME_KEY`].
    async fn insert_console_operator(
        &self,
        name: &str,
        role: Role,
        token: &SecretHash,
        password_hash: &str,
        now: Timestamp,
    ) -> Result<Operator>;
    /// Sets an operator's console password; `None` if there is no such operator.
    async fn set_console_password(&self, name: &str, password_hash: &str) -> Result<Option<Operator>>;
    /// An operator's console credentials by name.
    async fn console_credentials(&self, name: &str) -> Result<Option<ConsoleCredentials>>;
    /// An operator's console credentials by id.
    async fn console_credentials_by_id(&self, id: i64) -> Result<Option<ConsoleCredentials>>;
    /// Sets (or clears) the TOTP secret being enrolled.
    async fn set_console_totp_pending(&self, operator_id: i64, sealed: Option<&[u8]>) -> Result<()>;
    /// Makes `sealed` the operator's TOTP secret, with these recovery codes (replacing
    /// any), in one transaction.
    async fn enable_console_totp(&self, operator_id: i64, sealed: &[u8], recovery: &[SecretHash]) -> Result<()>;
    /// Records that TOTP step `step` was used, if it is later than the last one; whether
    /// it was.
    async fn claim_console_totp_step(&self, operator_id: i64, step: i64) -> Result<bool>;
    /// Marks an unused recovery code as used; whether it was.
    async fn use_console_recovery_code(&self, operator_id: i64, hash: &SecretHash, now: Timestamp) -> Result<bool>;
    /// Stores a session, deleting the operator's sessions that ended before `now` and, if
    /// given, the session `replaces` (in one transaction).
    async fn insert_console_session(
        &self,
        session: &NewConsoleSession,
        replaces: Option<&SecretHash>,
        now: Timestamp,
    ) -> Result<()>;
    /// The session whose token hashes to `token`, with its operator.
    async fn console_session(&self, token: &SecretHash) -> Result<Option<ConsoleSession>>;
    /// Records that the session was used at `now`.
    async fn touch_console_session(&self, token: &SecretHash, now: Timestamp) -> Result<()>;
    /// Deletes one session; whether it existed.
    async fn delete_console_session(&self, token: &SecretHash) -> Result<bool>;
    /// Deletes every session of an operator; how many.
    async fn delete_console_sessions_of(&self, operator_id: i64) -> Result<u64>;
}

/// What a correct password leads to.
#[derive(Debug)]
pub enum SignedIn {
    /// A complete session: its token.
    Complete(Secret),
    /// A session awaiting the TOTP code: its token.
    AwaitsOtp(Secret),
}

/// A TOTP secret being enrolled, to show once.
#[derive(Debug)]
pub struct Enrollment {
    /// The secret in base32 (typed into an app by hand).
    pub secret: Secret,
    /// The `otpauth://` URI (the QR code's content).
    pub uri: Secret,
}

/// The console's sign-in and sessions.
#[derive(Clone)]
pub struct Console {
    store: Arc<dyn ConsoleStore>,
    core: Playgate,
}

fn failure_keys(name: &str, ip: Option<IpAddr>) -> Vec<String> {
    let mut keys = vec![format!("console-login:operator:{}", name.trim().to_lowercase())];
    if let Some(ip) = ip {
        keys.push(format!("console-login:ip:{ip}"));
    }
    keys
}

/// Recovery codes are hashed with the operator's id, so equal codes of two operators
/// differ at rest.
fn recovery_hash(operator_id: i64, code: &str) -> SecretHash {
    SecretHash::of(&format!(
        "operator:{operator_id}:{}",
        totp::normalize_recovery_code(code)
    ))
}

/// Checks a new console password's length.
pub fn valid_password(password: &Secret) -> Result<()> {
    let n = password.expose().chars().count();
    if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&n) {
        return Err(Error::invalid(
            "password",
            format_args!("must be {PASSWORD_MIN} to {PASSWORD_MAX} characters"),
        ));
    }
    Ok(())
}

const BAD_CREDENTIALS: Error = Error::Unauthorized(Unauthorized::BadCredentials);
const BAD_OTP: Error = Error::Unauthorized(Unauthorized::BadOtp);

impl Console {
    /// The service over the operators' store and the core (master key, password hashing,
    /// failure limiter, clock).
    pub fn new(store: Arc<dyn ConsoleStore>, core: Playgate) -> Self {
        Console { store, core }
    }

    /// Makes an operator who may sign in to the console; its API token is returned once.
    pub async fn create_operator(&self, name: &str, role: Role, password: &Secret) -> Result<(Operator, Secret)> {
        let name = crate::operators::valid_name(name)?;
        valid_password(password)?;
        let hash = self.core.passwords.hash(password).await?;
        let token = Secret::random(crate::operators::OPERATOR_TOKEN_PREFIX);
        let op = self
            .store
            .insert_console_operator(name, role, &token.hash(), &hash, self.core.now())
            .await
            .map_err(crate::operators::name_taken)?;
        Ok((op, token))
    }

    /// Sets an operator's console password.
    pub async fn set_password(&self, name: &str, password: &Secret) -> Result<Operator> {
        valid_password(password)?;
        let hash = self.core.passwords.hash(password).await?;
        self.store
            .set_console_password(name.trim(), &hash)
            .await?
            .ok_or(Error::NotFound(Entity::Operator))
    }

    async fn new_session(
        &self,
        operator_id: i64,
        verified: bool,
        ip: Option<IpAddr>,
        user_agent: Option<&str>,
        replaces: Option<&SecretHash>,
    ) -> Result<Secret> {
        let now = self.core.now();
        let token = Secret::random(SESSION_PREFIX);
        let session = NewConsoleSession {
            token: token.hash(),
            operator_id,
            verified,
            created_at: now,
            expires_at: now.plus(if verified { ABSOLUTE_TIMEOUT } else { OTP_WAIT }),
            ip: ip.map(|ip| ip.to_string()),
            user_agent: user_agent.map(|u| u.chars().take(512).collect()),
        };
        self.store.insert_console_session(&session, replaces, now).await?;
        Ok(token)
    }

    /// Checks an operator's name and password. A wrong one (or an unknown or disabled
    /// operator, or one without console access: all answered alike, in the same time)
    /// counts as a failure; past the limit every attempt is refused
    /// [`Error::RateLimited`], a right password included.
    pub async fn sign_in(
        &self,
        name: &str,
        password: &Secret,
        ip: Option<IpAddr>,
        user_agent: Option<&str>,
    ) -> Result<(Principal, SignedIn)> {
        if name.trim().is_empty() {
            return Err(Error::invalid("name", "is required"));
        }
        if password.expose().is_empty() {
            return Err(Error::invalid("password", "is required"));
        }
        let keys = failure_keys(name, ip);
        self.core.limiter.check_logins(&keys).await?;
        let creds = self.store.console_credentials(name.trim()).await?;
        let phc = creds.as_ref().and_then(|c| c.password_hash.as_deref());
        let ok = self.core.passwords.verify(password, phc).await?;
        let Some(creds) = creds.filter(|c| ok && c.operator.enabled) else {
            self.core.limiter.count_login_failure(&keys).await?;
            return Err(BAD_CREDENTIALS);
        };
        let who = Principal {
            name: creds.operator.name.clone(),
            role: creds.operator.role,
        };
        let enrolled = creds.totp_secret.is_some();
        let token = self
            .new_session(creds.operator.id, !enrolled, ip, user_agent, None)
            .await?;
        Ok((
            who,
            if enrolled {
                SignedIn::AwaitsOtp(token)
            } else {
                SignedIn::Complete(token)
            },
        ))
    }

    /// Completes a sign-in awaiting its code with a TOTP code (never accepted twice) or an
    /// unused recovery code; returns the new session's token (the waiting one ends).
    pub async fn complete_otp(
        &self,
        token: &str,
        code: &str,
        ip: Option<IpAddr>,
        user_agent: Option<&str>,
    ) -> Result<(Principal, Secret)> {
        if code.trim().is_empty() {
            return Err(Error::invalid("code", "is required"));
        }
        let hash = SecretHash::of(token);
        let now = self.core.now();
        let Some(session) = self
            .store
            .console_session(&hash)
            .await?
            .filter(|s| !s.verified && s.is_live(now))
        else {
            return Err(Error::NotFound(Entity::Login));
        };
        let keys = failure_keys(&session.operator.name, ip);
        self.core.limiter.check_logins(&keys).await?;
        let creds = self.credentials(session.operator_id).await?;
        let Some(sealed) = creds.totp_secret.as_deref() else {
            return Err(Error::NotFound(Entity::Login));
        };
        if !self.check_code(session.operator_id, sealed, code, true).await? {
            self.core.limiter.count_login_failure(&keys).await?;
            return Err(BAD_OTP);
        }
        let token = self
            .new_session(session.operator_id, true, ip, user_agent, Some(&hash))
            .await?;
        Ok((session.operator, token))
    }

    async fn credentials(&self, operator_id: i64) -> Result<ConsoleCredentials> {
        self.store
            .console_credentials_by_id(operator_id)
            .await?
            .ok_or(Error::NotFound(Entity::Operator))
    }

    async fn check_code(&self, operator_id: i64, sealed: &[u8], code: &str, recovery: bool) -> Result<bool> {
        if let Some(code) = totp::TotpCode::parse(code) {
            let secret = self.core.master.open(&totp_context(operator_id), sealed)?;
            return match totp::verify(&secret, &code, self.core.now().unix_secs()) {
                Some(step) => self.store.claim_console_totp_step(operator_id, step).await,
                None => Ok(false),
            };
        }
        if recovery && totp::is_recovery_code(code) {
            return self
                .store
                .use_console_recovery_code(operator_id, &recovery_hash(operator_id, code), self.core.now())
                .await;
        }
        Ok(false)
    }

    /// The live session of `token` (complete or awaiting its code), if any; its use is
    /// recorded (to the minute) for the idle timeout.
    pub async fn session(&self, token: &str) -> Result<Option<ConsoleSession>> {
        if !token.starts_with(SESSION_PREFIX) {
            return Ok(None);
        }
        let hash = SecretHash::of(token);
        let now = self.core.now();
        let Some(s) = self.store.console_session(&hash).await? else {
            return Ok(None);
        };
        if !s.is_live(now) {
            return Ok(None);
        }
        if now >= s.last_seen_at.plus(TOUCH_EVERY) {
            self.store.touch_console_session(&hash, now).await?;
        }
        Ok(Some(s))
    }

    /// The synchronizer token of the forms of the session (or pre-session) `token`.
    pub fn csrf_token(&self, token: &str) -> String {
        self.core.master.mac(CSRF_CONTEXT, token.as_bytes())
    }

    /// Whether `presented` is the synchronizer token of `token` (constant time).
    pub fn csrf_matches(&self, token: &str, presented: &str) -> bool {
        let want = self.csrf_token(token);
        bool::from(want.as_bytes().ct_eq(presented.as_bytes()))
    }

    /// Ends the session of `token`.
    pub async fn sign_out(&self, token: &str) -> Result<bool> {
        self.store.delete_console_session(&SecretHash::of(token)).await
    }

    /// Ends every console session of an operator; how many there were.
    pub async fn sign_out_everywhere(&self, operator_id: i64) -> Result<u64> {
        self.store.delete_console_sessions_of(operator_id).await
    }

    /// Starts TOTP enrolment: a new secret (replacing an unfinished one), to show once.
    pub async fn begin_totp(&self, session: &ConsoleSession) -> Result<Enrollment> {
        let creds = self.credentials(session.operator_id).await?;
        if creds.totp_secret.is_some() {
            return Err(Error::Conflict(Conflict::TwoFactorEnabled));
        }
        let secret = totp::generate_secret();
        let sealed = self.core.master.seal(&totp_context(session.operator_id), &secret)?;
        self.store
            .set_console_totp_pending(session.operator_id, Some(&sealed))
            .await?;
        let issuer = &self.core.settings.accounts.totp_issuer;
        Ok(Enrollment {
            secret: Secret::new(totp::base32(&secret)),
            uri: Secret::new(totp::otpauth_uri(
                &format!("{issuer} console"),
                &session.operator.name,
                &secret,
            )),
        })
    }

    /// The secret being enrolled, to show again (the enrolment page reloaded).
    pub async fn pending_totp(&self, session: &ConsoleSession) -> Result<Option<Enrollment>> {
        let creds = self.credentials(session.operator_id).await?;
        let Some(sealed) = creds.totp_pending.filter(|_| creds.totp_secret.is_none()) else {
            return Ok(None);
        };
        let secret = self.core.master.open(&totp_context(session.operator_id), &sealed)?;
        let issuer = &self.core.settings.accounts.totp_issuer;
        Ok(Some(Enrollment {
            secret: Secret::new(totp::base32(&secret)),
            uri: Secret::new(totp::otpauth_uri(
                &format!("{issuer} console"),
                &session.operator.name,
                &secret,
            )),
        }))
    }

    /// Completes enrolment with a code of the new secret; returns the recovery codes
    /// (shown once, stored hashed). A wrong code counts as a failure.
    pub async fn enable_totp(&self, session: &ConsoleSession, code: &str, ip: Option<IpAddr>) -> Result<Vec<Secret>> {
        if code.trim().is_empty() {
            return Err(Error::invalid("code", "is required"));
        }
        let creds = self.credentials(session.operator_id).await?;
        if creds.totp_secret.is_some() {
            return Err(Error::Conflict(Conflict::TwoFactorEnabled));
        }
        let Some(pending) = creds.totp_pending.as_deref() else {
            return Err(Error::Conflict(Conflict::TwoFactorNotEnrolling));
        };
        let keys = failure_keys(&session.operator.name, ip);
        self.core.limiter.check_logins(&keys).await?;
        if !self.check_code(session.operator_id, pending, code, false).await? {
            self.core.limiter.count_login_failure(&keys).await?;
            return Err(BAD_OTP);
        }
        let codes: Vec<Secret> = (0..totp::RECOVERY_CODES)
            .map(|_| Secret::new(totp::new_recovery_code()))
            .collect();
        let hashes: Vec<SecretHash> = codes
            .iter()
            .map(|c| recovery_hash(session.operator_id, c.expose()))
            .collect();
        self.store
            .enable_console_totp(session.operator_id, pending, &hashes)
            .await?;
        Ok(codes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_normalize() {
        let c = totp::new_recovery_code();
        assert_eq!(
            recovery_hash(7, &c),
            recovery_hash(7, &c.to_uppercase().replace('-', " "))
        );
        assert_ne!(recovery_hash(7, &c), recovery_hash(8, &c));
    }

    #[test]
    fn passwords_have_a_length() {
        assert!(valid_password(&Secret::new("short")).is_err());
        assert!(valid_password(&Secret::new("long enough password")).is_ok());
    }

    #[test]
    fn sessions_expire_when_idle_or_old() {
        let t = Timestamp(1_000_000_000_000);
        let s = ConsoleSession {
            operator_id: 1,
            operator: Principal {
                name: "ada".into(),
                role: Role::Admin,
            },
            operator_enabled: true,
            totp_enrolled: false,
            verified: true,
            created_at: t,
            last_seen_at: t,
            expires_at: t.plus(ABSOLUTE_TIMEOUT),
        };
        assert!(s.is_live(t.plus(IDLE_TIMEOUT / 2)));
        assert!(!s.is_live(t.plus(IDLE_TIMEOUT)));
        let busy = ConsoleSession {
            last_seen_at: t.plus(ABSOLUTE_TIMEOUT / 2 + ABSOLUTE_TIMEOUT / 2),
            ..s.clone()
        };
        assert!(!busy.is_live(t.plus(ABSOLUTE_TIMEOUT)));
        let disabled = ConsoleSession {
            operator_enabled: false,
            ..s
        };
        assert!(!disabled.is_live(t));
    }
}
