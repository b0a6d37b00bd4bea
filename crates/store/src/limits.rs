//! `impl FailureStore for SqlStore`: the failure counters of the brute-force limits, one
//! row per bucket and window.

use async_trait::async_trait;
use playgate_core::clock::Timestamp;
use playgate_core::limits::FailureStore;
use playgate_core::{Entity, Error, Result};

use crate::SqlStore;
use crate::exec::params;

#[async_trait]
impl FailureStore for SqlStore {
    async fn add_failure(&self, key: &str, window_start: Timestamp, expires_at: Timestamp) -> Result<i64> {
        let key = key.to_owned();
        let row: Option<i64> = self
            .write_one(async move |e| {
                e.scalar_optional(
                    "INSERT INTO failure_counts (bucket, window_start, expires_at, count) VALUES ($1, $2, $3, 1) \
                     ON CONFLICT (bucket, window_start) DO UPDATE SET count = failure_counts.count + 1 \
                     RETURNING count",
                    params![&key, window_start.0, expires_at.0],
                )
                .await
            })
            .await?;
        row.ok_or(Error::NotFound(Entity::Row))
    }

    async fn failures(&self, key: &str, window_start: Timestamp) -> Result<i64> {
        let n: Option<i64> = self
            .read_scalar_optional(
                "SELECT count FROM failure_counts WHERE bucket = $1 AND window_start = $2",
                params![key, window_start.0],
            )
            .await?;
        Ok(n.unwrap_or(0))
    }

    async fn prune_failures(&self, now: Timestamp) -> Result<u64> {
        self.execute_one("DELETE FROM failure_counts WHERE expires_at <= $1", params![now.0])
            .await
    }
}
