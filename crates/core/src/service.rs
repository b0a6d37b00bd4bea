//! [`Playgate`]: the core service the dialects call. Its operations are spread over the
//! entity modules (`game`, `session`, `limits`) as `impl Playgate` blocks.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rand::RngCore;

use crate::clock::{Clock, Timestamp};
use crate::crypto::MasterKey;
use crate::settings::Settings;
use crate::store::Store;
use crate::token::{Keyring, SigningKeyRecord};
use crate::{Error, Result};

/// The core: store, clock, master key, signing keys and policy, shared by every request.
#[derive(Clone)]
pub struct Playgate {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) master: MasterKey,
    pub(crate) keys: Keyring,
    pub(crate) key_reloads: Arc<KeyReloads>,
    pub(crate) settings: Arc<Settings>,
    pub(crate) passwords: crate::password::Passwords,
    pub(crate) metrics: Arc<crate::metrics::Metrics>,
}

/// Reloads of the signing keys for tokens with unknown key ids happen at most this often.
pub const KEY_RELOAD_MIN_INTERVAL: Duration = Duration::from_secs(1);

/// How long a key id found unknown after a reload is remembered (its tokens are then
/// refused without a reload).
pub const KEY_MISS_TTL: Duration = Duration::from_secs(300);

/// At most this many unknown key ids are remembered; past it the memory starts afresh.
const KEY_MISS_CAP: usize = 4096;

/// Bookkeeping of signing-key reloads, shared by the clones of one core.
#[derive(Default)]
pub(crate) struct KeyReloads {
    /// Held while reloading: reloads are serialized.
    lock: tokio::sync::Mutex<()>,
    /// Reloads started so far.
    started: AtomicU64,
    /// The number (by `started`) of the last reload that succeeded.
    succeeded: AtomicU64,
    /// When the last reload ended.
    last: Mutex<Option<Instant>>,
    /// Key ids found unknown after a reload, and when.
    misses: Mutex<HashMap<String, Instant>>,
}

impl KeyReloads {
    fn is_known_miss(&self, kid: &str) -> bool {
        let misses = self.misses.lock().unwrap_or_else(PoisonError::into_inner);
        misses.get(kid).is_some_and(|t| t.elapsed() < KEY_MISS_TTL)
    }

    fn remember_miss(&self, kid: &str) {
        let mut misses = self.misses.lock().unwrap_or_else(PoisonError::into_inner);
        if misses.len() >= KEY_MISS_CAP {
            misses.clear();
        }
        misses.insert(kid.to_owned(), Instant::now());
    }
}

fn key_context(kid: &str) -> String {
    format!("playgate:jwt:{kid}")
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
        if store.signing_keys().await?.is_empty() {
            Self::add_signing_key(&*store, &master, clock.now()).await?;
        }
        let keys = Self::load_keys(&*store, &master).await?;
        let passwords = crate::password::Passwords::new(settings.accounts.password).await?;
        Ok(Playgate {
            passwords,
            store,
            clock,
            master,
            keys,
            key_reloads: Arc::new(KeyReloads::default()),
            settings: Arc::new(settings),
            metrics: Arc::new(crate::metrics::Metrics::new()),
        })
    }

    async fn add_signing_key(store: &dyn Store, master: &MasterKey, now: Timestamp) -> Result<String> {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let kid = uuid::Uuid::new_v4().simple().to_string()[..16].to_owned();
        let rec = SigningKeyRecord {
            sealed_secret: master.seal(&key_context(&kid), &secret)?,
            kid: kid.clone(),
            created_at: now,
        };
        store.insert_signing_key(&rec).await?;
        Ok(kid)
    }

    async fn load_keys(store: &dyn Store, master: &MasterKey) -> Result<Keyring> {
        let recs = store.signing_keys().await?;
        let mut keys = Vec::with_capacity(recs.len());
        for r in recs {
            let secret = master
                .open(&key_context(&r.kid), &r.sealed_secret)
                .map_err(|_| Error::internal(format!("signing key {} does not decrypt: wrong master key?", r.kid)))?;
            keys.push((r.kid, secret, r.created_at));
        }
        Keyring::new(keys)
    }

    /// Re-reads the signing keys (another node may have rotated them).
    pub async fn reload_keys(&self) -> Result<()> {
        let _turn = self.key_reloads.lock.lock().await;
        self.reload_keys_locked().await
    }

    /// Reloads while holding `key_reloads.lock` (reloads are serialized, so a waiter can
    /// tell whether a whole reload happened after it arrived).
    async fn reload_keys_locked(&self) -> Result<()> {
        let r = &self.key_reloads;
        let number = r.started.fetch_add(1, Ordering::AcqRel) + 1;
        let res = Self::load_keys(&*self.store, &self.master).await;
        *r.last.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
        self.keys.replace(res?);
        r.succeeded.store(number, Ordering::Release);
        Ok(())
    }

    /// The periodic check of a running node: re-reads the signing keys when the stored set
    /// differs from this node's (a `playgate keys rotate`, or another node's rotation), so
    /// that it signs with the newest key within one check period. Costs one small read
    /// when nothing changed. Returns whether the keys changed.
    pub async fn refresh_keys(&self) -> Result<bool> {
        let stored = self.store.signing_keys().await?;
        if self.keys.has_exactly(stored.iter().map(|r| r.kid.as_str())) {
            return Ok(false);
        }
        self.reload_keys().await?;
        tracing::info!(current = %self.keys.current_kid(), "signing keys changed; reloaded");
        Ok(true)
    }

    /// Called when a token names key `kid` that this node does not know: re-reads the keys
    /// at most once per [`KEY_RELOAD_MIN_INTERVAL`], however many such tokens arrive.
    /// Every caller is answered by a reload that started after it arrived (waiting for the
    /// next one if needed), so a token signed with a key just added on another node is
    /// never refused for want of a reload. A key id still unknown after such a reload was
    /// never a key of this deployment: it is remembered for [`KEY_MISS_TTL`] and its
    /// tokens are refused at once.
    pub(crate) async fn reload_for_unknown_kid(&self, kid: &str) {
        let r = &self.key_reloads;
        if r.is_known_miss(kid) {
            return;
        }
        let arrived = r.started.load(Ordering::Acquire);
        {
            let _turn = r.lock.lock().await;
            // Reloads run under the lock: one that started after our arrival has ended.
            if r.succeeded.load(Ordering::Acquire) <= arrived && !self.keys.knows(kid) {
                let last = *r.last.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(wait) = last.and_then(|t| KEY_RELOAD_MIN_INTERVAL.checked_sub(t.elapsed())) {
                    tokio::time::sleep(wait).await;
                }
                if let Err(e) = self.reload_keys_locked().await {
                    // Not remembered as a miss: the store did not answer.
                    tracing::warn!(error = %e, "could not reload signing keys");
                    return;
                }
            }
        }
        if !self.keys.knows(kid) {
            r.remember_miss(kid);
        }
    }

    /// How many times this node has re-read its signing keys from the store since it
    /// started (on rotation, on a periodic check that found a change, and for tokens with
    /// an unknown key id).
    pub fn key_reloads(&self) -> u64 {
        self.key_reloads.started.load(Ordering::Acquire)
    }

    /// Adds a new signing key, which signs from now on; tokens signed with older keys stay
    /// valid until they expire. Returns the new key id.
    pub async fn rotate_signing_key(&self) -> Result<String> {
        let kid = Self::add_signing_key(&*self.store, &self.master, self.now()).await?;
        self.reload_keys().await?;
        Ok(kid)
    }

    /// The current time by the core's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The password hasher (its pool is shared by whoever hashes: logins, the admin API).
    pub fn passwords(&self) -> &crate::password::Passwords {
        &self.passwords
    }

    /// The core's counters (the stats service takes its per-minute counts from them).
    pub fn metrics(&self) -> Arc<crate::metrics::Metrics> {
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
}
