//! Stats for a dashboard: counts (games, players, accounts, active sessions) and
//! per-minute series of the last 24 hours (sessions opened, refreshes, logins succeeded and
//! failed, lock-outs, HTTP 4xx and 5xx answers), from data Playgate keeps itself and cheaply.
//!
//! The series are counted on the hot paths by one atomic increment each
//! ([`Metrics`](crate::metrics::Metrics)); every node adds its counts into one row per
//! minute and series every few seconds ([`Stats::flush`]), so the rows hold the sum over
//! nodes and a read is a range of at most a day of minutes, never a scan of the sessions.
//! Counts are attributed to the minute of the flush that writes them. The counts are read
//! with a few small statements and kept for [`COUNTS_TTL`] per node.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use crate::Result;
use crate::clock::{Clock, Timestamp};
use crate::metrics::{Metrics, StatSeries};

/// How long a node answers the counts it read last.
pub const COUNTS_TTL: Duration = Duration::from_secs(5);
/// How far back the series reach.
pub const WINDOW: Duration = Duration::from_secs(24 * 3600);
/// Minutes older than this are deleted when a node writes its counts.
pub const KEEP: Duration = Duration::from_secs(25 * 3600);

const MINUTE_NANOS: i64 = 60_000_000_000;

/// The counts of the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Games.
    pub games: i64,
    /// Players of every game.
    pub players: i64,
    /// Platform accounts.
    pub accounts: i64,
    /// Sessions active and not past their expiry.
    pub active_sessions: i64,
}

/// One minute of one series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinuteCount {
    /// The series.
    pub series: StatSeries,
    /// The minute's start.
    pub minute: Timestamp,
    /// Events in that minute, over every node.
    pub count: i64,
}

/// The stats: counts, and the minutes of the last [`WINDOW`] that had events, ascending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    /// The counts (at most [`COUNTS_TTL`] old).
    pub counts: Counts,
    /// The minutes with events, by minute.
    pub minutes: Vec<MinuteCount>,
}

/// Persistence of the stats.
#[async_trait]
pub trait StatsStore: Send + Sync + 'static {
    /// Adds `counts` (by series) to the minute starting at `minute`, then deletes the
    /// minutes before `prune_before`; one transaction.
    async fn add_stat_minute(
        &self,
        minute: Timestamp,
        counts: &[(StatSeries, u64)],
        prune_before: Timestamp,
    ) -> Result<()>;
    /// The minutes at or after `since`, by minute (series the store does not know are
    /// left out).
    async fn stat_minutes(&self, since: Timestamp) -> Result<Vec<MinuteCount>>;
    /// The counts; sessions active and expiring after `now`.
    async fn stat_counts(&self, now: Timestamp) -> Result<Counts>;
}

/// The stats service.
#[derive(Clone)]
pub struct Stats {
    store: Arc<dyn StatsStore>,
    clock: Arc<dyn Clock>,
    metrics: Arc<Metrics>,
    counts: Arc<Mutex<Option<(Instant, Counts)>>>,
}

/// The start of the minute of `t`.
pub fn minute_of(t: Timestamp) -> Timestamp {
    Timestamp(t.0.div_euclid(MINUTE_NANOS) * MINUTE_NANOS)
}

impl Stats {
    /// The service over its store and the core's counters.
    pub fn new(store: Arc<dyn StatsStore>, clock: Arc<dyn Clock>, metrics: Arc<Metrics>) -> Self {
        Stats {
            store,
            clock,
            metrics,
            counts: Arc::default(),
        }
    }

    /// Adds this node's counts since the last flush to the current minute (and deletes
    /// minutes past [`KEEP`]). On failure the counts are kept for the next flush.
    pub async fn flush(&self) -> Result<()> {
        let taken = self.metrics.take_stats();
        let counts: Vec<(StatSeries, u64)> = StatSeries::ALL.into_iter().zip(taken).filter(|(_, n)| *n > 0).collect();
        if counts.is_empty() {
            return Ok(());
        }
        let now = self.clock.now();
        let res = self
            .store
            .add_stat_minute(minute_of(now), &counts, now.minus(KEEP))
            .await;
        if res.is_err() {
            self.metrics.restore_stats(taken);
        }
        res
    }

    /// The counts and the series of the last 24 hours.
    pub async fn dashboard(&self) -> Result<Dashboard> {
        let now = self.clock.now();
        let minutes = self.store.stat_minutes(minute_of(now.minus(WINDOW))).await?;
        let cached = *self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let counts = match cached {
            Some((at, c)) if at.elapsed() < COUNTS_TTL => c,
            _ => {
                let c = self.store.stat_counts(now).await?;
                *self.counts.lock().unwrap_or_else(PoisonError::into_inner) = Some((Instant::now(), c));
                c
            }
        };
        Ok(Dashboard { counts, minutes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_start_on_the_minute() {
        assert_eq!(minute_of(Timestamp(61_000_000_000)), Timestamp(60_000_000_000));
        assert_eq!(minute_of(Timestamp(-1)), Timestamp(-60_000_000_000));
    }
}
