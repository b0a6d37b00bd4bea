//! `LeaderboardStore` for [`SqlStore`]: leaderboard entries.

use crate::SqlStore;
use crate::exec::{params, row};
use async_trait::async_trait;
use playgate_core::Result;
use playgate_core::clock::Timestamp;
use playgate_core::economy::leaderboards::{LeaderboardEntry, LeaderboardQuery, LeaderboardStore, NewLeaderboardEntry};
use playgate_core::ids::PlayerId;

row! {
    pub(crate) struct EntryRow {
    id: i64,
    player_id: i64,
    username: String,
    leaderboard_name: String,
    score: i64,
    extra_attributes: Option<String>,
    metadata: Option<String>,
    created_at: i64,}
}

impl From<EntryRow> for LeaderboardEntry {
    fn from(r: EntryRow) -> LeaderboardEntry {
        LeaderboardEntry {
            id: r.id,
            player_id: PlayerId(r.player_id),
            username: r.username,
            leaderboard_name: r.leaderboard_name,
            score: r.score,
            extra_attributes: r.extra_attributes,
            metadata: r.metadata,
            created_at: Timestamp(r.created_at),
        }
    }
}

#[async_trait]
impl LeaderboardStore for SqlStore {
    async fn add_leaderboard_entry(&self, e: &NewLeaderboardEntry) -> Result<()> {
        let e = e.clone();
        self.write_one(async move |pool| {
            pool.execute(
                "INSERT INTO leaderboard_entries (game_id, player_id, leaderboard_name, score, extra_attributes, \
                 metadata, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                params![
                    e.game_id.0,
                    e.player_id.0,
                    &e.leaderboard_name,
                    e.score,
                    &e.extra_attributes,
                    &e.metadata,
                    e.created_at.0
                ],
            )
            .await
            .map(drop)
        })
        .await
    }

    async fn clear_leaderboard(&self, player: PlayerId, name: &str) -> Result<u64> {
        self.execute_one(
            "DELETE FROM leaderboard_entries WHERE player_id = $1 AND leaderboard_name = $2",
            params![player.0, name],
        )
        .await
    }

    async fn leaderboard(&self, q: &LeaderboardQuery) -> Result<Vec<LeaderboardEntry>> {
        // Best first; ties: the earlier entry first. `one_per_user` keeps each user's best
        // entry per leaderboard.
        let sql = format!(
            "SELECT e.id, e.player_id, u.username, e.leaderboard_name, e.score, e.extra_attributes, \
             e.metadata, e.created_at FROM (SELECT x.*, ROW_NUMBER() OVER (PARTITION BY x.player_id, \
             x.leaderboard_name ORDER BY x.score DESC, x.created_at, x.id) AS rn FROM leaderboard_entries x \
             WHERE x.game_id = $1 AND ($2 IS NULL OR x.leaderboard_name = $2) \
             AND ($3 IS NULL OR x.player_id = $3)) e \
             JOIN gamefuse_users u ON u.player_id = e.player_id \
             WHERE {} ORDER BY e.score DESC, e.created_at, e.id LIMIT $4",
            if q.one_per_user { "e.rn = 1" } else { "TRUE" }
        );
        let rows: Vec<EntryRow> = self
            .read_all(
                &sql,
                params![q.game_id.0, &q.leaderboard_name, q.player_id.map(|p| p.0), q.limit],
            )
            .await?;
        Ok(rows.into_iter().map(LeaderboardEntry::from).collect())
    }
}
