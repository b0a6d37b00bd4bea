//! `impl Store for SqlStore`: what belongs to no aggregate (readiness, the leases of
//! background jobs). Every aggregate's store trait is implemented in the module of its name.

use async_trait::async_trait;
use playgate_core::Result;
use playgate_core::clock::Timestamp;
use playgate_core::store::Store;

use crate::SqlStore;
use crate::exec::params;

#[async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> Result<()> {
        let _: i64 = self.read_scalar_one("SELECT CAST(1 AS BIGINT)", params![]).await?;
        Ok(())
    }

    async fn take_lease(&self, name: &str, now: Timestamp, until: Timestamp) -> Result<bool> {
        // The upsert's WHERE makes a held lease a no-op (0 rows) on both backends.
        let taken = self
            .execute_one(
                "INSERT INTO job_leases (name, held_until) VALUES ($1, $3) \
                 ON CONFLICT (name) DO UPDATE SET held_until = $3 WHERE job_leases.held_until <= $2",
                params![name, now.0, until.0],
            )
            .await?;
        Ok(taken == 1)
    }
}
