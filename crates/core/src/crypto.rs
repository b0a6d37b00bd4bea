//! Secrets: random bearer secrets, their hashes at rest, constant-time comparison, and
//! authenticated encryption under the master key for what must be decrypted again
//! (wallet keys, signing keys, TOTP secrets).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{Error, Result};

/// A secret value that never shows in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret string.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// A new random secret of 256 bits with a recognisable prefix (`pgs_…`).
    pub fn random(prefix: &str) -> Self {
        Secret(format!("{prefix}{}", random_token()))
    }

    /// The secret itself; call only where it is sent to its owner or hashed.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Its hash, the only form kept at rest.
    pub fn hash(&self) -> SecretHash {
        SecretHash::of(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// 32 random bytes, base64url without padding (43 characters).
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

fn hmac_sha256(key: &[u8; 32], msg: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    // HMAC pads a key shorter than SHA-256's 64-byte block with zeros: padding it here gives
    // the same MAC through the infallible fixed-size constructor.
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    let mut m = <Hmac<Sha256> as KeyInit>::new(&block.into());
    m.update(msg);
    m.finalize().into_bytes().into()
}

/// The SHA-256 of a high-entropy bearer secret, hex encoded. SHA-256 is enough for random
/// 256-bit tokens (DESIGN.md); passwords use argon2id instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretHash(pub String);

impl SecretHash {
    /// Hashes a presented secret.
    pub fn of(secret: &str) -> Self {
        SecretHash(hex::encode(Sha256::digest(secret.as_bytes())))
    }

    /// Compares two hashes in constant time.
    pub fn matches(&self, other: &SecretHash) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

/// The key that encrypts secrets at rest. 32 bytes; XChaCha20-Poly1305 with a random
/// 192-bit nonce per message, so nonces never need coordinating between nodes. It also
/// keys the HMACs of values kept only as keyed hashes ([`mac`](Self::mac)), through a
/// subkey derived from it so that one key never serves two algorithms.
#[derive(Clone)]
pub struct MasterKey {
    aead: XChaCha20Poly1305,
    mac_key: [u8; 32],
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

const NONCE_LEN: usize = 24;

impl MasterKey {
    /// A key from 32 raw bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        MasterKey {
            aead: XChaCha20Poly1305::new(bytes.into()),
            mac_key: hmac_sha256(bytes, b"playgate:mac-subkey"),
        }
    }

    /// HMAC-SHA256 of `data` under the master key, bound to `context` (what is hashed), hex
    /// encoded: equal inputs give equal outputs on every node sharing the key, and the
    /// input cannot be recovered or guessed offline without the key.
    pub fn mac(&self, context: &str, data: &[u8]) -> String {
        let mut msg = Vec::with_capacity(context.len() + 1 + data.len());
        msg.extend_from_slice(context.as_bytes());
        // The context never contains a NUL, so (context, data) pairs cannot collide.
        msg.push(0);
        msg.extend_from_slice(data);
        hex::encode(hmac_sha256(&self.mac_key, &msg))
    }

    /// Parses the base64 text form (as in config or the key file).
    pub fn from_base64(text: &str) -> Result<Self> {
        let raw = STANDARD
            .decode(text.trim())
            .or_else(|_| URL_SAFE_NO_PAD.decode(text.trim()))
            .map_err(|_| Error::invalid("master_key", "is not base64"))?;
        let arr: [u8; 32] = raw
            .try_into()
            .map_err(|_| Error::invalid("master_key", "must be 32 bytes"))?;
        Ok(Self::from_bytes(&arr))
    }

    /// A new random key and its base64 text form.
    pub fn generate() -> (Self, String) {
        let mut b = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut b);
        (Self::from_bytes(&b), STANDARD.encode(b))
    }

    /// Encrypts `plain`, bound to `context` (associated data: what the blob is and whose),
    /// so a blob copied into another row does not decrypt.
    pub fn seal(&self, context: &str, plain: &[u8]) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = self
            .aead
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| Error::internal("encryption failed"))?;
        let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Decrypts a blob made by [`seal`](Self::seal) with the same context.
    pub fn open(&self, context: &str, blob: &[u8]) -> Result<Vec<u8>> {
        if blob.len() < NONCE_LEN {
            return Err(Error::internal("sealed blob too short"));
        }
        let (nonce, ct) = blob.split_at(NONCE_LEN);
        self.aead
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| Error::internal("sealed blob does not decrypt under this master key"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_roundtrip_and_context_binding() {
        let (k, text) = MasterKey::generate();
        let blob = k.seal("wallet:1", b"secret").expect("seal");
        assert_eq!(k.open("wallet:1", &blob).expect("open"), b"secret");
        assert!(k.open("wallet:2", &blob).is_err());
        let k2 = MasterKey::from_base64(&text).expect("parse");
        assert_eq!(k2.open("wallet:1", &blob).expect("open"), b"secret");
        assert!(MasterKey::generate().0.open("wallet:1", &blob).is_err());
    }

    #[test]
    fn macs_are_keyed_and_context_bound() {
        let (k, text) = MasterKey::generate();
        let m = k.mac("failures", b"ann");
        assert_eq!(m.len(), 64);
        assert_eq!(MasterKey::from_base64(&text).expect("parse").mac("failures", b"ann"), m);
        assert_ne!(k.mac("failures", b"bob"), m);
        assert_ne!(k.mac("other", b"ann"), m);
        assert_ne!(MasterKey::generate().0.mac("failures", b"ann"), m);
        // RFC 4231 test case 2 ("Jefe"): the zero-padded fixed-size key is plain HMAC.
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        assert_eq!(
            hex::encode(hmac_sha256(&key, b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn hashes_compare() {
        let s = Secret::random("pgs_");
        assert!(s.hash().matches(&SecretHash::of(s.expose())));
        assert!(!s.hash().matches(&SecretHash::of("other")));
        assert_eq!(format!("{s:?}"), "Secret(***)");
    }
}
