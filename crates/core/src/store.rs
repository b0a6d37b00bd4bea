//! The storage contract as a whole: [`Store`], the union of the aggregates' store traits
//! ([`GameStore`], [`SessionStore`], [`AccountStore`], …) that the store crate implements
//! once for SQLite and PostgreSQL, with what belongs to no aggregate (readiness, job
//! leases). Services hold the narrow traits they need; the same contract test suite runs
//! against both backends. The store persists what the core decided and turns database
//! failures into [`Error`](crate::Error)s: a unique violation is `Conflict`, a missing row
//! `NotFound` or `Ok(None)`.

use async_trait::async_trait;

use crate::Result;
use crate::account_store::AccountStore;
use crate::audit::AuditStore;
use crate::clock::Timestamp;
use crate::game::GameStore;
use crate::limits::FailureStore;
use crate::session::SessionStore;
use crate::signing_keys::SigningKeyStore;

/// Persistence of the core's entities: every aggregate's store, on one database.
#[async_trait]
pub trait Store:
    AccountStore + AuditStore + GameStore + SessionStore + SigningKeyStore + FailureStore + Send + Sync + 'static
{
    /// Checks that the database answers.
    async fn ping(&self) -> Result<()>;

    /// Takes the lease of background job `name` until `until` if nobody holds it at `now`
    /// (its last holder's lease ended), so that one node at a time runs the job. Returns
    /// whether this caller got it.
    async fn take_lease(&self, name: &str, now: Timestamp, until: Timestamp) -> Result<bool>;
}
