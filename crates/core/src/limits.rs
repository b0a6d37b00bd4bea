//! Failure counting for brute-force protection ([`Limiter`]): fixed windows kept in the
//! store ([`FailureStore`]), so every node sees the same counts.

use std::future::Future;
use std::net::IpAddr;
use std::time::Duration;

use std::sync::Arc;

use async_trait::async_trait;

use crate::audit::{Actor, Audit, NewAuditEvent, action};
use crate::clock::{Clock, Timestamp};
use crate::crypto::MasterKey;
use crate::settings::Settings;
use crate::{Error, Result};

/// The start of the fixed window containing `now`, and the seconds until it ends.
pub fn window(now: Timestamp, len: Duration) -> (Timestamp, u64) {
    let len_ns = i64::try_from(len.as_nanos()).unwrap_or(i64::MAX).max(1);
    let start = now.0 - now.0.rem_euclid(len_ns);
    let left_ns = start + len_ns - now.0;
    (
        Timestamp(start),
        u64::try_from((left_ns + 999_999_999) / 1_000_000_000)
            .unwrap_or(1)
            .max(1),
    )
}

/// The context of failure-counter keys under the master key's HMAC.
const BUCKET_CONTEXT: &str = "playgate:failure-bucket";

/// The kind of the one per-address counter of credential failures (client secrets, API
/// keys, admin tokens …): its keys are `credential:<address>`.
pub(crate) const CREDENTIAL_COUNTER: &str = "credential";

/// The lease name of the job that deletes expired failure windows.
pub const PRUNE_JOB: &str = "prune-failures";

/// Persistence of the failure counters: fixed windows, one row per bucket and window.
#[async_trait]
pub trait FailureStore: Send + Sync {
    /// Adds one failure under `key` in the window starting at `window_start` (which ends
    /// at `expires_at`), returning the window's count so far.
    async fn add_failure(&self, key: &str, window_start: Timestamp, expires_at: Timestamp) -> Result<i64>;
    /// The failure count under `key` in the window starting at `window_start`.
    async fn failures(&self, key: &str, window_start: Timestamp) -> Result<i64>;
    /// Deletes the failure windows that ended at or before `now`; how many.
    async fn prune_failures(&self, now: Timestamp) -> Result<u64>;
}

/// The failure counters, shared by every service that checks a credential or a password:
/// counters of any kind, the one per-address limiter of credentials
/// ([`limit_credential`](Self::limit_credential)) under `auth_failure_limit` failures per
/// `auth_failure_window`, and the counters of password logins
/// ([`check_logins`](Self::check_logins)) under `accounts.login_failure_limit` failures per
/// `accounts.login_failure_window`.
#[derive(Clone)]
pub struct Limiter {
    store: Arc<dyn FailureStore>,
    audit: Audit,
    master: MasterKey,
    clock: Arc<dyn Clock>,
    /// Failures of credentials an address may make in a window.
    limit: u32,
    /// The window of the credential limiter.
    window: Duration,
    /// Failed logins a login's counter (its account, its address …) may have in a window.
    login_limit: u32,
    /// The window of the login counters.
    login_window: Duration,
}

/// An address's counter of credential failures ([`Limiter::credential_counter`]).
#[derive(Debug, Clone)]
pub struct CredentialCounter {
    /// Its key (none without a client address: nothing is counted).
    pub key: Option<String>,
    /// Its stored form ([`Limiter::bucket`]).
    pub bucket: Option<String>,
    /// The start of the current window.
    pub start: Timestamp,
    /// The seconds left in it.
    pub left: u64,
}

impl Limiter {
    /// Counters in `store`, keyed under `master`, recording lockouts in `audit`; the
    /// credential limiter allows `settings.auth_failure_limit` failures per
    /// `settings.auth_failure_window`, a login's counters
    /// `settings.accounts.login_failure_limit` per `settings.accounts.login_failure_window`.
    pub fn new(
        store: Arc<dyn FailureStore>,
        audit: Audit,
        master: MasterKey,
        clock: Arc<dyn Clock>,
        settings: &Settings,
    ) -> Self {
        Limiter {
            store,
            audit,
            master,
            clock,
            limit: settings.auth_failure_limit,
            window: settings.auth_failure_window,
            login_limit: settings.accounts.login_failure_limit,
            login_window: settings.accounts.login_failure_window,
        }
    }

    /// The stored form of a counter key: its HMAC under the master key. Keys hold what
    /// people typed (user names, e-mails, sometimes a password typed into the wrong field)
    /// and addresses; the table keeps none of it in clear, while every node sharing the
    /// master key still counts under the same bucket.
    pub fn bucket(&self, key: &str) -> String {
        self.master.mac(BUCKET_CONTEXT, key.as_bytes())
    }

    /// The credential counter of a client address (none without one), in the window of
    /// now: what a statement that checks a credential reads the failure count of.
    pub fn credential_counter(&self, ip: Option<IpAddr>) -> CredentialCounter {
        let key = ip.map(|ip| format!("{CREDENTIAL_COUNTER}:{ip}"));
        let (start, left) = window(self.clock.now(), self.window);
        let bucket = key.as_deref().map(|k| self.bucket(k));
        CredentialCounter {
            key,
            bucket,
            start,
            left,
        }
    }

    /// The failure count at which the credential limiter refuses an address.
    pub fn credential_limit(&self) -> i64 {
        i64::from(self.limit)
    }

    /// Counts one credential failure of `counter` (nothing without an address).
    pub async fn count_credential_failure(&self, counter: &CredentialCounter) -> Result<()> {
        match &counter.key {
            Some(key) => self.count_failure(key, self.limit, self.window).await,
            None => Ok(()),
        }
    }

    /// Records one failure under `key`; past `limit` in the current window the failure is
    /// answered [`Error::RateLimited`] with the seconds left in the window.
    pub async fn count_failure(&self, key: &str, limit: u32, len: Duration) -> Result<()> {
        let (start, left) = window(self.clock.now(), len);
        let n = self
            .store
            .add_failure(&self.bucket(key), start, start.plus(len))
            .await?;
        if n == i64::from(limit) {
            // This failure locks the counter until its window ends. The counter's kind
            // only: its key holds what was typed.
            let kind = key.split(':').next().unwrap_or_default();
            let detail = serde_json::json!({"counter": kind, "limit": limit, "retry_after_secs": left});
            self.audit
                .record_alone(NewAuditEvent::new(action::LOCKOUT, Actor::System).detail(detail))
                .await;
        }
        if n > i64::from(limit) {
            return Err(Error::RateLimited { retry_after_secs: left });
        }
        Ok(())
    }

    /// Whether `key` is over `limit` in the current window (without counting).
    pub async fn check_failures(&self, key: &str, limit: u32, len: Duration) -> Result<()> {
        let (start, left) = window(self.clock.now(), len);
        if self.store.failures(&self.bucket(key), start).await? >= i64::from(limit) {
            return Err(Error::RateLimited { retry_after_secs: left });
        }
        Ok(())
    }

    /// [`Limiter::check_failures`] of each key in turn: the first refusal.
    pub async fn check_each(&self, keys: &[String], limit: u32, len: Duration) -> Result<()> {
        for k in keys {
            self.check_failures(k, limit, len).await?;
        }
        Ok(())
    }

    /// [`Limiter::count_failure`] under every key (each one counted whatever the others
    /// answer); the last refusal.
    pub async fn count_each(&self, keys: &[String], limit: u32, len: Duration) -> Result<()> {
        let mut res = Ok(());
        for k in keys {
            if let Err(e) = self.count_failure(k, limit, len).await {
                res = Err(e);
            }
        }
        res
    }

    /// [`Limiter::check_each`] of a login's counters (its account, its address …) under the
    /// login limit: the first refusal.
    pub async fn check_logins(&self, keys: &[String]) -> Result<()> {
        self.check_each(keys, self.login_limit, self.login_window).await
    }

    /// [`Limiter::count_each`] of a failed login's counters under the login limit: one
    /// failure under each key; the last refusal past the limit.
    pub async fn count_login_failure(&self, keys: &[String]) -> Result<()> {
        self.count_each(keys, self.login_limit, self.login_window).await
    }

    /// Runs a credential check (`check`: an admin token, API key, client secret, service
    /// key or test-suite key) behind the one per-address limiter of credentials: an address
    /// past `auth_failure_limit` failures in the window is refused
    /// [`Error::RateLimited`] whatever it presents, a right credential included (so a
    /// locked-out address learns nothing from its guesses); a refusal
    /// ([`Error::Unauthorized`]) counts one failure. Every kind shares one counter, so
    /// guesses spread over several kinds are limited together. Without a client address
    /// (no TCP peer) nothing is counted.
    ///
    /// The limit is read concurrently with the check so that a valid credential costs no
    /// extra round trip to the database; the check's outcome is not used when over the
    /// limit, and checks have no side effects.
    pub async fn limit_credential<T>(&self, ip: Option<IpAddr>, check: impl Future<Output = Result<T>>) -> Result<T> {
        let Some(ip) = ip else { return check.await };
        let key = format!("{CREDENTIAL_COUNTER}:{ip}");
        let (limited, checked) = tokio::join!(self.check_failures(&key, self.limit, self.window), check);
        limited?;
        match checked {
            Err(e @ Error::Unauthorized(_)) => {
                self.count_failure(&key, self.limit, self.window).await?;
                Err(e)
            }
            other => other,
        }
    }

    /// Deletes the failure windows that have ended; how many rows went.
    pub async fn prune(&self) -> Result<u64> {
        self.store.prune_failures(self.clock.now()).await
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use super::*;
    use crate::Unauthorized;
    use crate::audit::{AuditEvent, AuditFilter, AuditStore};
    use crate::clock::ManualClock;

    /// Failure windows and audit events kept in memory.
    #[derive(Default)]
    struct Memory {
        windows: Mutex<HashMap<(String, i64), i64>>,
        events: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl FailureStore for Memory {
        async fn add_failure(&self, key: &str, window_start: Timestamp, _: Timestamp) -> Result<i64> {
            let mut w = self.windows.lock().expect("lock");
            let n = w.entry((key.to_owned(), window_start.0)).or_default();
            *n += 1;
            Ok(*n)
        }
        async fn failures(&self, key: &str, window_start: Timestamp) -> Result<i64> {
            let w = self.windows.lock().expect("lock");
            Ok(w.get(&(key.to_owned(), window_start.0)).copied().unwrap_or(0))
        }
        async fn prune_failures(&self, _: Timestamp) -> Result<u64> {
            Ok(0)
        }
    }

    #[async_trait]
    impl AuditStore for Memory {
        async fn insert_audit(&self, event: &NewAuditEvent, _: Timestamp) -> Result<()> {
            self.events.lock().expect("lock").push(event.action.clone());
            Ok(())
        }
        async fn audit_events(&self, _: &AuditFilter) -> Result<Vec<AuditEvent>> {
            Ok(Vec::new())
        }
        async fn prune_audit(&self, _: Timestamp) -> Result<u64> {
            Ok(0)
        }
    }

    /// Refusals count per address; at the limit the lockout is recorded, and past it the
    /// right credential is refused too until the window ends. Without an address nothing
    /// counts.
    #[tokio::test]
    async fn the_credential_limiter_locks_an_address_out_for_its_window() {
        let store = Arc::new(Memory::default());
        let clock = Arc::new(ManualClock::new(Timestamp(1_020 * 1_000_000_000)));
        let settings = Settings {
            auth_failure_limit: 2,
            auth_failure_window: Duration::from_secs(60),
            ..Settings::default()
        };
        let audit = Audit::new(store.clone(), clock.clone());
        let limiter = Limiter::new(store.clone(), audit, MasterKey::generate().0, clock.clone(), &settings);
        let ip = Some(IpAddr::from([192, 0, 2, 1]));
        let wrong = async || Err::<(), _>(Error::Unauthorized(Unauthorized::BadApiKey));
        for _ in 0..2 {
            assert!(matches!(
                limiter.limit_credential(ip, wrong()).await,
                Err(Error::Unauthorized(_))
            ));
        }
        assert_eq!(*store.events.lock().expect("lock"), [action::LOCKOUT]);
        assert!(matches!(
            limiter.limit_credential(ip, async { Ok(()) }).await,
            Err(Error::RateLimited { retry_after_secs: 60 })
        ));
        let counter = limiter.credential_counter(ip);
        assert_eq!(counter.key.as_deref(), Some("credential:192.0.2.1"));
        assert_eq!(counter.bucket, Some(limiter.bucket("credential:192.0.2.1")));
        limiter.limit_credential(None, wrong()).await.expect_err("refused");
        limiter
            .limit_credential(None, async { Ok(()) })
            .await
            .expect("no address, no limit");
        clock.advance(Duration::from_secs(60));
        limiter
            .limit_credential(ip, async { Ok(()) })
            .await
            .expect("a new window");
    }

    /// A login's counters allow `accounts.login_failure_limit` failures per
    /// `accounts.login_failure_window`, each key counted alone.
    #[tokio::test]
    async fn login_counters_follow_the_accounts_login_limit() {
        let store = Arc::new(Memory::default());
        let clock = Arc::new(ManualClock::new(Timestamp(1_020 * 1_000_000_000)));
        let mut settings = Settings::default();
        settings.accounts.login_failure_limit = 2;
        settings.accounts.login_failure_window = Duration::from_secs(60);
        let audit = Audit::new(store.clone(), clock.clone());
        let limiter = Limiter::new(store.clone(), audit, MasterKey::generate().0, clock.clone(), &settings);
        let keys = ["login:account:1".to_owned(), "login:ip:192.0.2.1".to_owned()];
        limiter.count_login_failure(&keys).await.expect("first");
        limiter.check_logins(&keys).await.expect("under the limit");
        limiter.count_login_failure(&keys[..1]).await.expect("at the limit");
        assert!(matches!(
            limiter.check_logins(&keys).await,
            Err(Error::RateLimited { retry_after_secs: 60 })
        ));
        limiter.check_logins(&keys[1..]).await.expect("the address alone");
        assert!(matches!(
            limiter.count_login_failure(&keys).await,
            Err(Error::RateLimited { .. })
        ));
        clock.advance(Duration::from_secs(60));
        limiter.check_logins(&keys).await.expect("a new window");
    }

    #[test]
    fn windows() {
        let s = 1_000_000_000;
        let (start, left) = window(Timestamp(125 * s), Duration::from_secs(60));
        assert_eq!(start, Timestamp(120 * s));
        assert_eq!(left, 55);
        let (_, left) = window(Timestamp(120 * s), Duration::from_secs(60));
        assert_eq!(left, 60);
    }
}
