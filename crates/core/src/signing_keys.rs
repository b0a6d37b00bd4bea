//! The JWT signing keys of a deployment as one shared value ([`SigningKeys`]): kept in the
//! store sealed under the master key ([`SigningKeyStore`]), held in memory as a
//! [`Keyring`], signing with the newest key, and re-read when another node rotated them
//! (periodically, and at once for a token naming an unknown key, at most once per
//! [`KEY_RELOAD_MIN_INTERVAL`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use rand::RngCore;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::clock::{Clock, Timestamp};
use crate::crypto::MasterKey;
use crate::token::{Keyring, SigningKeyRecord, TokenError};
use crate::{Error, Result};

/// Persistence of the JWT signing keys (sealed under the master key).
#[async_trait]
pub trait SigningKeyStore: Send + Sync {
    /// All JWT signing keys.
    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>>;
    /// Adds a signing key.
    async fn insert_signing_key(&self, rec: &SigningKeyRecord) -> Result<()>;
}

/// Reloads of the signing keys for tokens with unknown key ids happen at most this often.
pub const KEY_RELOAD_MIN_INTERVAL: Duration = Duration::from_secs(1);

/// How long a key id found unknown after a reload is remembered (its tokens are then
/// refused without a reload).
pub const KEY_MISS_TTL: Duration = Duration::from_secs(300);

/// At most this many unknown key ids are remembered; past it the memory starts afresh.
const KEY_MISS_CAP: usize = 4096;

/// The signing keys: the in-memory keyring, the store it is read from, and the
/// bookkeeping of its reloads. Shared (`Arc`) by every service that signs or verifies.
pub struct SigningKeys {
    store: Arc<dyn SigningKeyStore>,
    master: MasterKey,
    clock: Arc<dyn Clock>,
    keys: Keyring,
    reloads: KeyReloads,
}

/// Bookkeeping of signing-key reloads.
#[derive(Default)]
struct KeyReloads {
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

impl SigningKeys {
    /// Loads the signing keys from the store, creating the first one if there is none.
    pub async fn open(store: Arc<dyn SigningKeyStore>, master: MasterKey, clock: Arc<dyn Clock>) -> Result<Self> {
        if store.signing_keys().await?.is_empty() {
            add_key(&*store, &master, clock.now()).await?;
        }
        let keys = load(&*store, &master).await?;
        Ok(SigningKeys {
            store,
            master,
            clock,
            keys,
            reloads: KeyReloads::default(),
        })
    }

    /// Signs `claims` with the current key, under JWT header `typ`.
    pub fn sign<C: Serialize>(&self, typ: &str, claims: &C) -> Result<String> {
        self.keys.sign(typ, claims)
    }

    /// Verifies a token of header `typ` and decodes its claims. A token naming a key this
    /// node does not know makes it re-read the keys first ([`reload_for_unknown_kid`](Self::reload_for_unknown_kid)):
    /// another node may have added one.
    pub async fn verify<C: DeserializeOwned>(&self, typ: &str, token: &str) -> Result<C, TokenError> {
        match self.keys.verify::<C>(typ, token) {
            Err(TokenError::UnknownKey) => {
                let kid = jsonwebtoken::decode_header(token)
                    .ok()
                    .and_then(|h| h.kid)
                    .ok_or(TokenError::Invalid)?;
                self.reload_for_unknown_kid(&kid).await;
                self.keys.verify::<C>(typ, token).map_err(|e| match e {
                    TokenError::UnknownKey => TokenError::Invalid,
                    e => e,
                })
            }
            other => other,
        }
    }

    /// Re-reads the signing keys (another node may have rotated them).
    pub async fn reload(&self) -> Result<()> {
        let _turn = self.reloads.lock.lock().await;
        self.reload_locked().await
    }

    /// Reloads while holding `reloads.lock` (reloads are serialized, so a waiter can tell
    /// whether a whole reload happened after it arrived).
    async fn reload_locked(&self) -> Result<()> {
        let r = &self.reloads;
        let number = r.started.fetch_add(1, Ordering::AcqRel) + 1;
        let res = load(&*self.store, &self.master).await;
        *r.last.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
        self.keys.replace(res?);
        r.succeeded.store(number, Ordering::Release);
        Ok(())
    }

    /// The periodic check of a running node: re-reads the signing keys when the stored set
    /// differs from this node's (a `playgate keys rotate`, or another node's rotation), so
    /// that it signs with the newest key within one check period. Costs one small read
    /// when nothing changed. Returns whether the keys changed.
    pub async fn refresh(&self) -> Result<bool> {
        let stored = self.store.signing_keys().await?;
        if self.keys.has_exactly(stored.iter().map(|r| r.kid.as_str())) {
            return Ok(false);
        }
        self.reload().await?;
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
    async fn reload_for_unknown_kid(&self, kid: &str) {
        let r = &self.reloads;
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
                if let Err(e) = self.reload_locked().await {
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
    pub fn reloads(&self) -> u64 {
        self.reloads.started.load(Ordering::Acquire)
    }

    /// Adds a new signing key, which signs from now on; tokens signed with older keys stay
    /// valid until they expire. Returns the new key id.
    pub async fn rotate(&self) -> Result<String> {
        let kid = add_key(&*self.store, &self.master, self.clock.now()).await?;
        self.reload().await?;
        Ok(kid)
    }
}

async fn add_key(store: &dyn SigningKeyStore, master: &MasterKey, now: Timestamp) -> Result<String> {
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

async fn load(store: &dyn SigningKeyStore, master: &MasterKey) -> Result<Keyring> {
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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::clock::SystemClock;
    use crate::token::ACCESS_TYP;

    /// Signing keys kept in memory, shared by the "nodes" of a test.
    #[derive(Default)]
    struct Memory(Mutex<Vec<SigningKeyRecord>>);

    #[async_trait]
    impl SigningKeyStore for Memory {
        async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>> {
            Ok(self.0.lock().unwrap_or_else(PoisonError::into_inner).clone())
        }
        async fn insert_signing_key(&self, rec: &SigningKeyRecord) -> Result<()> {
            self.0.lock().unwrap_or_else(PoisonError::into_inner).push(rec.clone());
            Ok(())
        }
    }

    async fn node(store: &Arc<Memory>, master: &MasterKey) -> SigningKeys {
        SigningKeys::open(store.clone(), master.clone(), Arc::new(SystemClock))
            .await
            .expect("keys")
    }

    /// The first node creates the first key, the next uses it; a key rotated on one node
    /// verifies on the other after one reload, and its periodic check then finds nothing new.
    #[tokio::test]
    async fn nodes_share_the_stored_keys_and_pick_up_a_rotation() {
        let store = Arc::new(Memory::default());
        let master = MasterKey::generate().0;
        let (a, b) = (node(&store, &master).await, node(&store, &master).await);
        assert_eq!(store.signing_keys().await.expect("keys").len(), 1);
        let claims = json!({"sub": "u1"});
        let token = a.sign(ACCESS_TYP, &claims).expect("sign");
        let read: Value = b.verify(ACCESS_TYP, &token).await.expect("verify");
        assert_eq!((read, b.reloads()), (claims.clone(), 0));
        a.rotate().await.expect("rotate");
        let token = a.sign(ACCESS_TYP, &claims).expect("sign");
        let read: Value = b.verify(ACCESS_TYP, &token).await.expect("verify the new key");
        assert_eq!((read, b.reloads()), (claims, 1));
        assert!(!b.refresh().await.expect("refresh"));
    }

    /// A token naming a key the deployment never had is refused, and remembered: a second
    /// such token costs no reload.
    #[tokio::test]
    async fn an_unknown_key_is_refused_after_one_reload() {
        let store = Arc::new(Memory::default());
        let (a, b) = (
            node(&store, &MasterKey::generate().0).await,
            node(&Arc::new(Memory::default()), &MasterKey::generate().0).await,
        );
        let foreign = b.sign(ACCESS_TYP, &json!({"sub": "u1"})).expect("sign");
        for _ in 0..2 {
            assert!(matches!(
                a.verify::<Value>(ACCESS_TYP, &foreign).await,
                Err(TokenError::Invalid)
            ));
        }
        assert_eq!(a.reloads(), 1);
    }
}
