//! JWTs: HS256 with a `kid` header so signing keys can rotate. Keys are kept in the store
//! (sealed under the master key) so every node signs and verifies with the same set; this
//! module holds the in-memory copy and does the signing.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::clock::Timestamp;
use crate::{Error, Result};

/// `typ` header of access tokens (as in KGeN's example token).
pub const ACCESS_TYP: &str = "JWT";
/// `typ` header of refresh tokens: a type of their own, so one is never taken for the other.
pub const REFRESH_TYP: &str = "refresh+jwt";

/// A signing key as stored: its id, its sealed secret and when it was made.
#[derive(Debug, Clone)]
pub struct SigningKeyRecord {
    /// Key id, sent as the JWT `kid` header.
    pub kid: String,
    /// The 32-byte HMAC secret sealed under the master key (context `playgate:jwt:<kid>`).
    pub sealed_secret: Vec<u8>,
    /// Creation time; the newest key signs.
    pub created_at: Timestamp,
}

struct Key {
    enc: EncodingKey,
    dec: DecodingKey,
}

struct KeySet {
    current: String,
    keys: HashMap<String, Key>,
}

/// The set of signing keys known to this node.
#[derive(Clone)]
pub struct Keyring(Arc<RwLock<Arc<KeySet>>>);

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring(***)")
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Not a JWT, bad signature, wrong type, unknown key.
    Invalid,
    /// Past its `exp`.
    Expired,
    /// Signed with a key this node does not know (yet): reload keys and retry.
    UnknownKey,
}

impl Keyring {
    /// A keyring from decrypted keys `(kid, secret, created_at)`; the newest signs.
    pub fn new(mut keys: Vec<(String, Vec<u8>, Timestamp)>) -> Result<Self> {
        keys.sort_by_key(|k| k.2);
        let current = keys
            .last()
            .map(|k| k.0.clone())
            .ok_or_else(|| Error::internal("no signing key"))?;
        let keys = keys
            .into_iter()
            .map(|(kid, secret, _)| {
                (
                    kid,
                    Key {
                        enc: EncodingKey::from_secret(&secret),
                        dec: DecodingKey::from_secret(&secret),
                    },
                )
            })
            .collect();
        Ok(Keyring(Arc::new(RwLock::new(Arc::new(KeySet { current, keys })))))
    }

    /// Replaces the key set (after a reload from the store).
    pub fn replace(&self, other: Keyring) {
        let set = other.snapshot();
        if let Ok(mut w) = self.0.write() {
            *w = set;
        }
    }

    /// Whether this keyring knows key `kid`.
    pub fn knows(&self, kid: &str) -> bool {
        self.snapshot().keys.contains_key(kid)
    }

    /// The id of the key that signs.
    pub fn current_kid(&self) -> String {
        self.snapshot().current.clone()
    }

    /// Whether this keyring holds exactly the keys `kids` (given without repeats).
    pub fn has_exactly<'a>(&self, kids: impl Iterator<Item = &'a str>) -> bool {
        let set = self.snapshot();
        let mut n = 0;
        for kid in kids {
            if !set.keys.contains_key(kid) {
                return false;
            }
            n += 1;
        }
        n == set.keys.len()
    }

    fn snapshot(&self) -> Arc<KeySet> {
        match self.0.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Signs claims with the current key.
    pub fn sign<C: Serialize>(&self, typ: &str, claims: &C) -> Result<String> {
        let set = self.snapshot();
        let key = set
            .keys
            .get(&set.current)
            .ok_or_else(|| Error::internal("current key missing"))?;
        let mut header = Header::new(Algorithm::HS256);
        header.typ = Some(typ.to_owned());
        header.kid = Some(set.current.clone());
        jsonwebtoken::encode(&header, claims, &key.enc).map_err(Error::internal)
    }

    /// Verifies signature and type and decodes the claims. Expiry is checked by the caller
    /// against the core's clock (see [`check_exp`]), so tests can move time.
    pub fn verify<C: DeserializeOwned>(&self, typ: &str, token: &str) -> Result<C, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.alg != Algorithm::HS256 || header.typ.as_deref() != Some(typ) {
            return Err(TokenError::Invalid);
        }
        let kid = header.kid.ok_or(TokenError::Invalid)?;
        let set = self.snapshot();
        let key = set.keys.get(&kid).ok_or(TokenError::UnknownKey)?;
        let mut v = Validation::new(Algorithm::HS256);
        v.validate_exp = false;
        v.required_spec_claims.clear();
        v.validate_aud = false;
        jsonwebtoken::decode::<C>(token, &key.dec, &v)
            .map(|d| d.claims)
            .map_err(|_| TokenError::Invalid)
    }
}

/// Checks a decoded `exp` (unix seconds) against now.
pub fn check_exp(exp: i64, now: Timestamp) -> Result<(), TokenError> {
    if now.unix_secs() >= exp {
        Err(TokenError::Expired)
    } else {
        Ok(())
    }
}

/// What an access token is issued about: the facts a dialect's claim set is built from.
#[derive(Debug, Clone, Copy)]
pub struct AccessGrant<'a> {
    /// The game.
    pub game: &'a crate::game::Game,
    /// The game's id for the player.
    pub user_id: &'a crate::ids::UserId,
    /// The player's custodial wallet address.
    pub wallet_address: &'a str,
    /// The platform account the player is linked to, if any.
    pub linked: Option<&'a crate::player::LinkedAccount>,
    /// Whether this call created the player.
    pub is_new_user: bool,
    /// The session the token belongs to.
    pub session_id: crate::ids::SessionId,
    /// Issue time.
    pub issued_at: Timestamp,
    /// Expiry.
    pub expires_at: Timestamp,
    /// A unique token id.
    pub jti: &'a str,
}

/// An access token's claim set, as the dialect that hands the token out defines it: the
/// core builds it from an [`AccessGrant`] and signs it, and on verification reads back
/// what it checks.
pub trait AccessClaims: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The claims of a token for `grant`.
    fn issue(grant: &AccessGrant<'_>) -> Self;
    /// The session the token belongs to (as written at issue).
    fn session_id(&self) -> &str;
    /// The client id of the game it was issued for.
    fn client_id(&self) -> &str;
    /// Expiry, Unix seconds.
    fn expires_at(&self) -> i64;
}

/// Claims of a refresh token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RefreshClaims {
    pub sub: String,
    pub client_id: String,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
    /// The session it refreshes.
    pub sid: String,
    /// Unique token id; the session keeps its SHA-256
    /// ([`refresh_key`](crate::session::refresh_key)). Sessions last rotated by an earlier
    /// version keep the SHA-256 of the whole token, which is still accepted
    /// ([`RefreshSwap::legacy`](crate::session::RefreshSwap::legacy)).
    pub jti: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(kid: &str, secret: u8) -> Keyring {
        Keyring::new(vec![(kid.into(), vec![secret; 32], Timestamp(1))]).expect("ring")
    }

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct C {
        a: i64,
    }

    #[test]
    fn sign_verify_and_types() {
        let r = ring("k1", 7);
        let t = r.sign(ACCESS_TYP, &C { a: 1 }).expect("sign");
        assert_eq!(r.verify::<C>(ACCESS_TYP, &t), Ok(C { a: 1 }));
        assert_eq!(r.verify::<C>(REFRESH_TYP, &t), Err(TokenError::Invalid));
        assert_eq!(ring("k1", 8).verify::<C>(ACCESS_TYP, &t), Err(TokenError::Invalid));
        assert_eq!(ring("k2", 7).verify::<C>(ACCESS_TYP, &t), Err(TokenError::UnknownKey));
        let mut tampered = t.clone();
        tampered.push('x');
        assert_eq!(r.verify::<C>(ACCESS_TYP, &tampered), Err(TokenError::Invalid));
    }

    #[test]
    fn rotation_keeps_old_tokens_valid() {
        let r = ring("k1", 7);
        let old = r.sign(ACCESS_TYP, &C { a: 1 }).expect("sign");
        r.replace(
            Keyring::new(vec![
                ("k1".into(), vec![7; 32], Timestamp(1)),
                ("k2".into(), vec![9; 32], Timestamp(2)),
            ])
            .expect("ring"),
        );
        let new = r.sign(ACCESS_TYP, &C { a: 2 }).expect("sign");
        assert_eq!(jsonwebtoken::decode_header(&new).expect("h").kid.as_deref(), Some("k2"));
        assert!(r.verify::<C>(ACCESS_TYP, &old).is_ok());
    }
}
