//! Password hashing: argon2id with configurable parameters (OWASP minimum by default),
//! computed off the async runtime on a bounded number of blocking threads. Verifying for
//! an unknown user runs against a dummy hash, so it costs what a wrong password costs.

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::{OnceCell, Semaphore};

use super::GamefuseSettings;
use crate::crypto::Secret;
use crate::{Error, Result};

/// The argon2id hasher and its bounded pool.
#[derive(Clone)]
pub struct Passwords {
    params: Params,
    permits: Arc<Semaphore>,
    dummy: Arc<OnceCell<String>>,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords").field("params", &self.params).finish()
    }
}

fn argon(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

impl Passwords {
    /// A hasher with the settings' parameters (invalid ones fall back to the OWASP minimum).
    pub fn new(s: &GamefuseSettings) -> Self {
        let params = Params::new(s.argon2_memory_kib, s.argon2_iterations, s.argon2_parallelism, None)
            .or_else(|e| {
                tracing::warn!(error = %e, "invalid argon2 parameters; using the OWASP minimum");
                Params::new(19_456, 2, 1, None)
            })
            .unwrap_or_default();
        Passwords {
            params,
            permits: Arc::new(Semaphore::new(s.password_workers.max(1))),
            dummy: Arc::new(OnceCell::new()),
        }
    }

    async fn blocking<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Error::internal("password pool closed"))?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| Error::internal(format!("password task failed: {e}")))
    }

    /// The PHC string of a new argon2id hash of `password`.
    pub async fn hash(&self, password: &Secret) -> Result<String> {
        let params = self.params.clone();
        let pw = password.clone();
        self.blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon(&params)
                .hash_password(pw.expose().as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| Error::internal(format!("argon2: {e}")))
        })
        .await?
    }

    /// Whether `password` matches `phc`; with `None` (unknown user) it checks against a
    /// dummy hash and answers false, in the same time.
    pub async fn verify(&self, phc: Option<&str>, password: &Secret) -> Result<bool> {
        let known = phc.is_some();
        let phc = match phc {
            Some(h) => h.to_owned(),
            None => self.dummy().await?,
        };
        let pw = password.clone();
        let ok = self
            .blocking(move || {
                let Ok(parsed) = PasswordHash::new(&phc) else {
                    return false;
                };
                // The parameters come from the stored hash, so raising the configured
                // ones does not lock out existing users.
                Argon2::default()
                    .verify_password(pw.expose().as_bytes(), &parsed)
                    .is_ok()
            })
            .await?;
        Ok(ok && known)
    }

    async fn dummy(&self) -> Result<String> {
        self.dummy
            .get_or_try_init(|| async { self.hash(&Secret::new("playgate dummy password")).await })
            .await
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify() -> Result<()> {
        let p = Passwords::new(&GamefuseSettings {
            argon2_memory_kib: 1024,
            argon2_iterations: 1,
            ..GamefuseSettings::default()
        });
        let h = p.hash(&Secret::new("hunter2")).await?;
        assert!(h.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
        assert!(p.verify(Some(&h), &Secret::new("hunter2")).await?);
        assert!(!p.verify(Some(&h), &Secret::new("hunter3")).await?);
        assert!(!p.verify(None, &Secret::new("hunter2")).await?);
        assert!(!p.verify(Some("garbage"), &Secret::new("x")).await?);
        Ok(())
    }

    #[test]
    fn default_params_are_owasp_minimum() {
        let p = Passwords::new(&GamefuseSettings::default());
        assert_eq!(
            (p.params.m_cost(), p.params.t_cost(), p.params.p_cost()),
            (19_456, 2, 1)
        );
    }
}
