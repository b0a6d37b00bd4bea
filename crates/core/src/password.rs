//! Passwords: argon2id in PHC string form, hashed and verified on tokio's blocking pool
//! behind a semaphore, so a burst of logins neither stalls the async runtime nor takes
//! every core. A verification for an unknown user runs against a dummy hash made with the
//! same parameters, so it costs what a wrong password costs.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::crypto::Secret;
use crate::{Error, Result};

/// argon2id parameters. The defaults are OWASP's minimum recommendation for argon2id
/// (19 MiB, 2 iterations, 1 lane).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Iterations.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
    /// Hashes computed at once (0: the number of CPUs).
    pub max_concurrent: usize,
}

impl Default for PasswordParams {
    fn default() -> Self {
        PasswordParams {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
            max_concurrent: 0,
        }
    }
}

/// Longest accepted password, in bytes (argon2 takes any length; this bounds the work a
/// request can ask for).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Shortest password accepted for a new account, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Hashes and verifies passwords off the async runtime.
#[derive(Clone)]
pub struct Passwords {
    argon: Argon2<'static>,
    permits: Arc<Semaphore>,
    dummy: Arc<str>,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passwords")
    }
}

fn hash_with(argon: &Argon2<'static>, password: &[u8]) -> Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon
        .hash_password(password, &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(format!("argon2: {e}")))
}

fn verify_with(argon: &Argon2<'static>, password: &[u8], phc: &str) -> bool {
    // The PHC string carries its own parameters: hashes made under older settings verify.
    PasswordHash::new(phc).is_ok_and(|h| argon.verify_password(password, &h).is_ok())
}

impl Passwords {
    /// A hasher with these parameters; computes the dummy hash (on the blocking pool).
    pub async fn new(p: PasswordParams) -> Result<Self> {
        let params =
            Params::new(p.memory_kib, p.iterations, p.parallelism, None).map_err(|e| Error::invalid("argon2", e))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let n = match p.max_concurrent {
            0 => std::thread::available_parallelism().map_or(2, usize::from),
            n => n,
        };
        let a = argon.clone();
        let dummy = tokio::task::spawn_blocking(move || hash_with(&a, b"playgate dummy password"))
            .await
            .map_err(Error::internal)??;
        Ok(Passwords {
            argon,
            permits: Arc::new(Semaphore::new(n)),
            dummy: dummy.into(),
        })
    }

    async fn blocking<T: Send + 'static>(&self, f: impl FnOnce(&Argon2<'static>) -> T + Send + 'static) -> Result<T> {
        let _permit = self.permits.acquire().await.map_err(Error::internal)?;
        let argon = self.argon.clone();
        tokio::task::spawn_blocking(move || f(&argon))
            .await
            .map_err(Error::internal)
    }

    /// The argon2id PHC string of a password.
    pub async fn hash(&self, password: &Secret) -> Result<String> {
        let pw = password.expose().as_bytes().to_vec();
        self.blocking(move |a| hash_with(a, &pw)).await?
    }

    /// Whether `password` matches `phc`; with `None` (unknown user) it verifies against
    /// the dummy hash and answers false, taking the same time.
    pub async fn verify(&self, password: &Secret, phc: Option<&str>) -> Result<bool> {
        let pw = password.expose().as_bytes().to_vec();
        let known = phc.is_some();
        let phc = phc.map_or_else(|| self.dummy.to_string(), str::to_owned);
        let ok = self.blocking(move |a| verify_with(a, &pw, &phc)).await?;
        Ok(ok && known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify() -> Result<()> {
        let p = Passwords::new(PasswordParams {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
            max_concurrent: 1,
        })
        .await?;
        let h = p.hash(&Secret::new("correct horse")).await?;
        assert!(h.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
        assert!(p.verify(&Secret::new("correct horse"), Some(&h)).await?);
        assert!(!p.verify(&Secret::new("wrong horse"), Some(&h)).await?);
        assert!(!p.verify(&Secret::new("playgate dummy password"), None).await?);
        assert!(!p.verify(&Secret::new("x"), Some("not a phc string")).await?);
        // The defaults are OWASP's minimum for argon2id.
        let d = PasswordParams::default();
        assert_eq!((d.memory_kib, d.iterations, d.parallelism), (19456, 2, 1));
        Ok(())
    }
}
