//! The store's gauges and histograms for `/metrics`: the SQLite writer's queue, batch sizes
//! and commit times; connections in use and idle (SQLite readers, the PostgreSQL pool), and
//! how often a statement had to wait for a PostgreSQL connection (SQLite readers never wait:
//! a reader with no idle connection opens one). Gauges
//! are read when scraped, so the statements themselves pay nothing for them. Failed
//! statements are counted by kind where the store maps driver errors.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric as _};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;

use crate::{Db, SqlStore};

impl SqlStore {
    /// Registers the store's metrics (the registry keeps the store alive).
    pub fn register_metrics(self: &Arc<Self>, registry: &mut Registry) {
        if let Db::Sqlite { writer, .. } = &self.db {
            registry.register(
                "sqlite_writer_batch_size",
                "Jobs committed per SQLite group commit",
                writer.stats.batch_size.clone(),
            );
            registry.register(
                "sqlite_writer_commit_seconds",
                "Time of one SQLite group commit, BEGIN to durable COMMIT",
                writer.stats.commit_seconds.clone(),
            );
        }
        registry.register_collector(Box::new(Gauges(self.clone())));
    }
}

/// What kind of failure a statement met.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ErrorKind {
    /// A unique key was taken (answered as a conflict).
    Conflict,
    /// Any other error the database reported (constraint, busy, syntax …).
    Database,
    /// No connection: the pool timed out or closed, or I/O failed.
    Connection,
    /// Anything else (decoding a row, the driver's own errors).
    Other,
}

/// Failed statements by kind, for every store of this process: the error mappers are
/// plain functions without a store at hand, and one process rarely runs two stores (tests
/// do; they read this counter only as a series that exists).
pub(crate) static STATEMENT_ERRORS: [AtomicU64; 4] = [const { AtomicU64::new(0) }; 4];

/// Counts a failed statement.
pub(crate) fn count_error(kind: ErrorKind) {
    STATEMENT_ERRORS[kind as usize].fetch_add(1, Ordering::Relaxed);
}

/// Reads the store's gauges at scrape time.
struct Gauges(Arc<SqlStore>);

impl std::fmt::Debug for Gauges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("store gauges")
    }
}

fn gauge(encoder: &mut DescriptorEncoder, name: &str, help: &str, pools: &[(&str, usize, usize)]) -> std::fmt::Result {
    let mut family = encoder.encode_descriptor(name, help, None, prometheus_client::metrics::MetricType::Gauge)?;
    for (pool, in_use, idle) in pools {
        for (state, n) in [("in_use", in_use), ("idle", idle)] {
            let labels = [("pool", *pool), ("state", state)];
            ConstGauge::new(i64::try_from(*n).unwrap_or(i64::MAX)).encode(family.encode_family(&labels)?)?;
        }
    }
    Ok(())
}

fn encode_errors(encoder: &mut DescriptorEncoder) -> std::fmt::Result {
    let mut errors = encoder.encode_descriptor(
        "db_statement_errors",
        "Failed database statements by kind (every store of the process)",
        None,
        prometheus_client::metrics::MetricType::Counter,
    )?;
    for (kind, name) in [
        (ErrorKind::Conflict, "conflict"),
        (ErrorKind::Database, "database"),
        (ErrorKind::Connection, "connection"),
        (ErrorKind::Other, "other"),
    ] {
        let n = STATEMENT_ERRORS[kind as usize].load(Ordering::Relaxed);
        ConstCounter::new(n).encode(errors.encode_family(&[("kind", name)])?)?;
    }
    Ok(())
}

impl Collector for Gauges {
    fn encode(&self, mut encoder: DescriptorEncoder) -> std::fmt::Result {
        encode_errors(&mut encoder)?;
        match &self.0.db {
            Db::Sqlite { readers, writer, .. } => {
                let q = ConstGauge::new(i64::try_from(writer.queue_depth()).unwrap_or(i64::MAX));
                q.encode(encoder.encode_descriptor(
                    "sqlite_writer_queue_depth",
                    "Write jobs waiting for the SQLite writer thread",
                    None,
                    q.metric_type(),
                )?)?;
                let (lent, idle) = readers.usage();
                gauge(
                    &mut encoder,
                    "db_connections",
                    "Database connections by pool and state",
                    &[("sqlite_readers", lent, idle)],
                )?;
            }
            Db::Postgres(pg) => {
                let pools = pg.pools().map(|(name, p)| {
                    let status = p.pool.status();
                    (name, status.size.saturating_sub(status.available), status.available)
                });
                gauge(
                    &mut encoder,
                    "db_connections",
                    "Database connections by pool and state",
                    &pools,
                )?;
                let mut waits = encoder.encode_descriptor(
                    "db_pool_waits",
                    "Connections asked for when none was idle in the pool (the caller waited for one)",
                    None,
                    prometheus_client::metrics::MetricType::Counter,
                )?;
                for (name, p) in pg.pools() {
                    let n = p.waits.load(Ordering::Relaxed);
                    ConstCounter::new(n).encode(waits.encode_family(&[("pool", name)])?)?;
                }
            }
        }
        Ok(())
    }
}
