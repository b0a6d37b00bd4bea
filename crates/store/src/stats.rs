//! `StatsStore` for [`SqlStore`]: the per-minute counts of the admin API's stats (one row
//! per minute and series, to which every node adds) and the dashboard's counts.

use async_trait::async_trait;
use playgate_core::Result;
use playgate_core::clock::Timestamp;
use playgate_core::metrics::StatSeries;
use playgate_core::stats::{Counts, MinuteCount, StatsStore};

use crate::SqlStore;
use crate::exec::{params, row};

row! {
    struct MinuteRow {
        minute: i64,
        series: String,
        count: i64,
    }
}

row! {
    struct CountsRow {
        games: i64,
        players: i64,
        accounts: i64,
        active_sessions: i64,
    }
}

#[async_trait]
impl StatsStore for SqlStore {
    async fn add_stat_minute(
        &self,
        minute: Timestamp,
        counts: &[(StatSeries, u64)],
        prune_before: Timestamp,
    ) -> Result<()> {
        let counts: Vec<(&'static str, i64)> = counts
            .iter()
            .map(|(s, n)| (s.as_str(), i64::try_from(*n).unwrap_or(i64::MAX)))
            .collect();
        self.write_tx(async move |tx| {
            for (series, n) in &counts {
                tx.execute(
                    "INSERT INTO stats_minutes (minute, series, count) VALUES ($1, $2, $3) \
                     ON CONFLICT (minute, series) DO UPDATE SET count = stats_minutes.count + excluded.count",
                    params![minute.0, *series, *n],
                )
                .await?;
            }
            tx.execute("DELETE FROM stats_minutes WHERE minute < $1", params![prune_before.0])
                .await?;
            Ok(())
        })
        .await
    }

    async fn stat_minutes(&self, since: Timestamp) -> Result<Vec<MinuteCount>> {
        let rows: Vec<MinuteRow> = self
            .read_all(
                "SELECT minute, series, count FROM stats_minutes WHERE minute >= $1 ORDER BY minute, series",
                params![since.0],
            )
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                StatSeries::parse(&r.series).map(|series| MinuteCount {
                    series,
                    minute: Timestamp(r.minute),
                    count: r.count,
                })
            })
            .collect())
    }

    async fn stat_counts(&self, now: Timestamp) -> Result<Counts> {
        // Active sessions through the partial index of active sessions (one per player).
        let row: CountsRow = self
            .read_one(
                "SELECT (SELECT COUNT(*) FROM games) AS games, (SELECT COUNT(*) FROM players) AS players, \
                 (SELECT COUNT(*) FROM accounts) AS accounts, \
                 (SELECT COUNT(*) FROM sessions WHERE state = 'active' AND expires_at > $1) AS active_sessions",
                params![now.0],
            )
            .await?;
        Ok(Counts {
            games: row.games,
            players: row.players,
            accounts: row.accounts,
            active_sessions: row.active_sessions,
        })
    }
}
