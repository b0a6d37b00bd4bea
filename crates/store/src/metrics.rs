//! The store's gauges and histograms for `/metrics`: the SQLite writer's queue, batch sizes
//! and commit times; connections in use and idle (SQLite readers, the sqlx pools). Gauges
//! are read when scraped, so the statements themselves pay nothing for them.

use std::sync::Arc;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric as _};
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

impl Collector for Gauges {
    fn encode(&self, mut encoder: DescriptorEncoder) -> std::fmt::Result {
        let sqlx_usage = |size: u32, idle: usize| {
            let size = usize::try_from(size).unwrap_or(usize::MAX);
            (size.saturating_sub(idle), idle)
        };
        match &self.0.db {
            Db::Sqlite {
                read, readers, writer, ..
            } => {
                let q = ConstGauge::new(i64::try_from(writer.queue_depth()).unwrap_or(i64::MAX));
                q.encode(encoder.encode_descriptor(
                    "sqlite_writer_queue_depth",
                    "Write jobs waiting for the SQLite writer thread",
                    None,
                    q.metric_type(),
                )?)?;
                let (lent, idle) = readers.usage();
                let (sq_used, sq_idle) = sqlx_usage(read.size(), read.num_idle());
                gauge(
                    &mut encoder,
                    "db_connections",
                    "Database connections by pool and state",
                    &[
                        ("sqlite_readers", lent, idle),
                        ("sqlite_sqlx_readers", sq_used, sq_idle),
                    ],
                )?;
            }
            Db::Postgres(pool) => {
                let (used, idle) = sqlx_usage(pool.size(), pool.num_idle());
                gauge(
                    &mut encoder,
                    "db_connections",
                    "Database connections by pool and state",
                    &[("postgres", used, idle)],
                )?;
            }
        }
        Ok(())
    }
}
