//! Failure counting for brute-force protection: fixed windows kept in the store, so every
//! node sees the same counts.

use std::time::Duration;

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

impl Playgate {
    /// Records one failure under `key`; past `limit` in the current window the failure is
    /// answered [`Error::RateLimited`] with the seconds left in the window.
    pub async fn count_failure(&self, key: &str, limit: u32, len: Duration) -> Result<()> {
        let (start, left) = window(self.now(), len);
        let n = self.store.add_failure(key, start).await?;
        if n > i64::from(limit) {
            return Err(Error::RateLimited { retry_after_secs: left });
        }
        Ok(())
    }

    /// Whether `key` is over `limit` in the current window (without counting).
    pub async fn check_failures(&self, key: &str, limit: u32, len: Duration) -> Result<()> {
        let (start, left) = window(self.now(), len);
        if self.store.failures(key, start).await? >= i64::from(limit) {
            return Err(Error::RateLimited { retry_after_secs: left });
        }
        Ok(())
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
