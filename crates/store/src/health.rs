//! Whether PostgreSQL answers. Once a statement finds it unreachable, every later one is
//! answered [`Error::Unavailable`] at once instead of waiting for a connection, and a probe
//! checks for its return a few times a second; the first success opens the gate again.
//! Without this, every request would wait the pool's whole acquire timeout while the
//! database is down.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use deadpool_postgres::Pool;
use playgate_core::{Error, Result};

use crate::error::unavailable;

/// How often the probe tries the database while it is down.
const PROBE_EVERY: Duration = Duration::from_millis(200);

/// The database's state as the last statements saw it.
#[derive(Default)]
pub(crate) struct Health {
    down: AtomicBool,
    probing: AtomicBool,
}

impl Health {
    /// `Err(Unavailable)` while the database is known to be down.
    pub(crate) fn gate(&self) -> Result<()> {
        if self.down.load(Ordering::Relaxed) {
            return Err(unavailable());
        }
        Ok(())
    }

    /// Notes the outcome of a statement: an unreachable database closes the gate and
    /// starts the probe (one at a time).
    pub(crate) fn observe<T>(self: &Arc<Self>, res: &Result<T>, pool: &Pool) {
        if !matches!(res, Err(Error::Unavailable { .. })) {
            return;
        }
        if !self.down.swap(true, Ordering::Relaxed) {
            tracing::error!("PostgreSQL is unreachable: answering 503 until it returns");
        }
        if self.probing.swap(true, Ordering::AcqRel) {
            return;
        }
        let health = self.clone();
        let pool = pool.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(PROBE_EVERY).await;
                if pool.is_closed() {
                    health.probing.store(false, Ordering::Release);
                    return;
                }
                // The pool's timeouts bound this when the database does not answer.
                let answers = match pool.get().await {
                    Ok(c) => c.simple_query("SELECT 1").await.is_ok(),
                    Err(_) => false,
                };
                if answers {
                    health.down.store(false, Ordering::Relaxed);
                    health.probing.store(false, Ordering::Release);
                    tracing::info!("PostgreSQL answers again");
                    // A failure noted between the two stores saw this probe still running
                    // and started none: carry on for it.
                    if !health.down.load(Ordering::Relaxed) || health.probing.swap(true, Ordering::AcqRel) {
                        return;
                    }
                }
            }
        });
    }
}
