//! [`Playgate`]: the parts every service shares (the store, the clock, the master key, the
//! signing keys, the failure counters, the policy, the password hasher and the counters),
//! from which the server builds the services it serves, with what belongs to no aggregate:
//! the operators' tools of the CLI (games, accounts, API keys, key rotation), the
//! background jobs and readiness.

use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::Result;
use crate::audit::Audit;
use crate::clock::{Clock, Timestamp};
use crate::crypto::MasterKey;
use crate::limits::{Limiter, PRUNE_JOB};
use crate::metrics::Metrics;
use crate::password::Passwords;
use crate::settings::Settings;
use crate::signing_keys::SigningKeys;
use crate::store::Store;

/// The core's shared parts.
#[derive(Clone)]
pub struct Playgate {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) master: MasterKey,
    pub(crate) keys: Arc<SigningKeys>,
    pub(crate) limiter: Limiter,
    pub(crate) audit: Audit,
    pub(crate) settings: Arc<Settings>,
    pub(crate) passwords: Passwords,
    pub(crate) metrics: Arc<Metrics>,
}

impl Playgate {
    /// Builds the core: loads the signing keys from the store, creating the first one if
    /// there is none.
    pub async fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        master: MasterKey,
        settings: Settings,
    ) -> Result<Self> {
        let keys = SigningKeys::open(store.clone(), master.clone(), clock.clone()).await?;
        let passwords = Passwords::new(settings.accounts.password).await?;
        let audit = Audit::new(store.clone(), clock.clone());
        let limiter = Limiter::new(store.clone(), audit.clone(), master.clone(), clock.clone(), &settings);
        Ok(Playgate {
            passwords,
            store,
            clock,
            master,
            keys: Arc::new(keys),
            limiter,
            audit,
            settings: Arc::new(settings),
            metrics: Arc::new(Metrics::new()),
        })
    }

    /// The signing keys, shared with the services that sign or verify tokens.
    pub fn keys(&self) -> Arc<SigningKeys> {
        self.keys.clone()
    }

    /// The failure counters, shared with the services that check credentials.
    pub fn limiter(&self) -> Limiter {
        self.limiter.clone()
    }

    /// The master key (sealing secrets, new wallets).
    pub fn master(&self) -> &MasterKey {
        &self.master
    }

    /// The clock.
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// The policy settings, shared.
    pub fn shared_settings(&self) -> Arc<Settings> {
        self.settings.clone()
    }

    /// The periodic check of the signing keys ([`SigningKeys::refresh`]).
    pub async fn refresh_keys(&self) -> Result<bool> {
        self.keys.refresh().await
    }

    /// How many times this node has re-read its signing keys ([`SigningKeys::reloads`]).
    pub fn key_reloads(&self) -> u64 {
        self.keys.reloads()
    }

    /// Adds a new signing key, which signs from now on ([`SigningKeys::rotate`]).
    pub async fn rotate_signing_key(&self) -> Result<String> {
        self.keys.rotate().await
    }

    /// The current time by the core's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The password hasher (its pool is shared by whoever hashes: logins, the admin API).
    pub fn passwords(&self) -> &Passwords {
        &self.passwords
    }

    /// The core's counters (the stats service takes its per-minute counts from them).
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// The policy settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether the database answers.
    pub async fn ready(&self) -> Result<()> {
        self.store.ping().await
    }

    /// Registers the core's counters and the password pool's gauges.
    pub fn register_metrics(&self, registry: &mut prometheus_client::registry::Registry) {
        self.metrics.register(registry);
        registry.register_collector(Box::new(self.passwords.clone()));
    }

    /// Runs a credential check behind the per-address limiter
    /// ([`Limiter::limit_credential`]).
    pub async fn limit_credential<T>(&self, ip: Option<IpAddr>, check: impl Future<Output = Result<T>>) -> Result<T> {
        self.limiter.limit_credential(ip, check).await
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
        Ok(Some(self.limiter.prune().await?))
    }
}
