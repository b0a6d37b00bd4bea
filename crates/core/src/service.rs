//! [`Playgate`]: the core service the dialects call. Its operations are spread over the
//! entity modules (`game`, `session`, `limits`) as `impl Playgate` blocks.

use std::sync::Arc;

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
    pub(crate) settings: Arc<Settings>,
    pub(crate) passwords: crate::password::Passwords,
    pub(crate) metrics: Arc<crate::metrics::Metrics>,
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
        self.keys.replace(Self::load_keys(&*self.store, &self.master).await?);
        Ok(())
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
