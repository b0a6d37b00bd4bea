//! Failure counting for brute-force protection: fixed windows kept in the store, so every
//! node sees the same counts.

use std::future::Future;
use std::net::IpAddr;
use std::time::Duration;

use crate::audit::{Actor, NewAuditEvent, action};
use crate::clock::Timestamp;
use crate::service::Playgate;
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
const PRUNE_JOB: &str = "prune-failures";

impl Playgate {
    /// The stored form of a counter key: its HMAC under the master key. Keys hold what
    /// people typed (user names, e-mails, sometimes a password typed into the wrong field)
    /// and addresses; the table keeps none of it in clear, while every node sharing the
    /// master key still counts under the same bucket.
    pub(crate) fn failure_bucket(&self, key: &str) -> String {
        self.master.mac(BUCKET_CONTEXT, key.as_bytes())
    }

    /// Records one failure under `key`; past `limit` in the current window the failure is
    /// answered [`Error::RateLimited`] with the seconds left in the window.
    pub async fn count_failure(&self, key: &str, limit: u32, len: Duration) -> Result<()> {
        let (start, left) = window(self.now(), len);
        let n = self
            .store
            .add_failure(&self.failure_bucket(key), start, start.plus(len))
            .await?;
        if n == i64::from(limit) {
            // This failure locks the counter until its window ends. The counter's kind
            // only: its key holds what was typed.
            let kind = key.split(':').next().unwrap_or_default();
            let detail = serde_json::json!({"counter": kind, "limit": limit, "retry_after_secs": left});
            self.record_alone(NewAuditEvent::new(action::LOCKOUT, Actor::System).detail(detail))
                .await;
        }
        if n > i64::from(limit) {
            return Err(Error::RateLimited { retry_after_secs: left });
        }
        Ok(())
    }

    /// Records an event that goes with no other write (a refused login changes nothing
    /// but its counters). A failure to record is logged: the answer stands.
    pub(crate) async fn record_alone(&self, event: NewAuditEvent) {
        let event = event.bounded();
        if let Err(e) = self.store.insert_audit(&event, self.now()).await {
            tracing::error!(error = %e, action = %event.action, "could not record an audit event");
        }
    }

    /// Whether `key` is over `limit` in the current window (without counting).
    pub async fn check_failures(&self, key: &str, limit: u32, len: Duration) -> Result<()> {
        let (start, left) = window(self.now(), len);
        if self.store.failures(&self.failure_bucket(key), start).await? >= i64::from(limit) {
            return Err(Error::RateLimited { retry_after_secs: left });
        }
        Ok(())
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
        let s = &self.settings;
        let key = format!("{CREDENTIAL_COUNTER}:{ip}");
        let (limited, checked) = tokio::join!(
            self.check_failures(&key, s.auth_failure_limit, s.auth_failure_window),
            check
        );
        limited?;
        match checked {
            Err(e @ Error::Unauthorized(_)) => {
                self.count_failure(&key, s.auth_failure_limit, s.auth_failure_window)
                    .await?;
                Err(e)
            }
            other => other,
        }
    }

    /// Whether this node takes the lease of background job `name` for its run, so that
    /// among nodes sharing a database one at a time runs it. The lease lasts half of
    /// `every` (the job's period on each node): long enough to cover one run, short enough
    /// that a node ticking slightly early still finds it free.
    pub async fn take_job(&self, name: &str, every: Duration) -> Result<bool> {
        let now = self.now();
        self.store.take_lease(name, now, now.plus(every / 2)).await
    }

    /// Deletes the failure windows that have ended, if this node gets the job's lease
    /// ([`take_job`](Self::take_job)). Returns how many rows went, or `None` when another
    /// node holds the lease.
    pub async fn prune_failures(&self, every: Duration) -> Result<Option<u64>> {
        if !self.take_job(PRUNE_JOB, every).await? {
            return Ok(None);
        }
        Ok(Some(self.store.prune_failures(self.now()).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
