//! `RoundStore` for [`SqlStore`]: game rounds and their multiplayer containers.

use crate::SqlStore;
use crate::client_users::{ClientUserRow, client_user_cols_u};
use crate::exec::{P, params, row};
use crate::sql::placeholders;
use async_trait::async_trait;
use playgate_core::Result;
use playgate_core::client_users::ClientUser;
use playgate_core::clock::Timestamp;
use playgate_core::ids::{GameId, PlayerId};
use playgate_core::rounds::{GameRound, Multiplayer, NewRound, Ranking, RoundPatch, RoundStore};
use std::collections::HashMap;

row! {
    pub(crate) struct RoundRow {
    id: i64,
    game_id: i64,
    player_id: i64,
    game_type: String,
    start_time: i64,
    end_time: Option<i64>,
    score: Option<f64>,
    place: Option<i64>,
    metadata: Option<String>,
    multiplayer_id: Option<i64>,
    created_at: i64,
    updated_at: i64,}
}

impl From<RoundRow> for GameRound {
    fn from(r: RoundRow) -> Self {
        GameRound {
            id: r.id,
            game_id: GameId(r.game_id),
            player_id: PlayerId(r.player_id),
            game_type: r.game_type,
            start_time: Timestamp(r.start_time),
            end_time: r.end_time.map(Timestamp),
            score: r.score,
            place: r.place,
            metadata: r.metadata,
            multiplayer_id: r.multiplayer_id,
            created_at: Timestamp(r.created_at),
            updated_at: Timestamp(r.updated_at),
            rankings: Vec::new(),
        }
    }
}

const ROUND_COLS: &str = "id, game_id, player_id, game_type, start_time, end_time, score, place, metadata, \
     multiplayer_id, created_at, updated_at";

/// A page of the player's (`$1`) rounds, oldest first; the limit and the offset are the
/// parameters numbered `limit` and `offset`.
pub(crate) fn rounds_of_sql(limit: usize, offset: usize) -> String {
    format!("SELECT {ROUND_COLS} FROM game_rounds WHERE player_id = $1 ORDER BY id LIMIT ${limit} OFFSET ${offset}")
}

row! {
    struct RankingRow {
        r_id: i64,
        r_mp: i64,
        r_place: Option<i64>,
        r_score: Option<f64>,
        r_start: i64,
        r_end: Option<i64>,
        #[flatten]
        user: ClientUserRow,
    }
}

impl SqlStore {
    /// Fills the rankings of the multiplayer rounds among `rounds`, in one query.
    pub(crate) async fn with_rankings(&self, mut rounds: Vec<GameRound>) -> Result<Vec<GameRound>> {
        let mut mps: Vec<i64> = rounds.iter().filter_map(|r| r.multiplayer_id).collect();
        mps.sort_unstable();
        mps.dedup();
        if mps.is_empty() {
            return Ok(rounds);
        }
        let sql = format!(
            "SELECT r.id AS r_id, r.multiplayer_id AS r_mp, r.place AS r_place, r.score AS r_score, \
             r.start_time AS r_start, r.end_time AS r_end, {} FROM game_rounds r \
             JOIN gamefuse_users u ON u.player_id = r.player_id WHERE r.multiplayer_id IN ({}) \
             ORDER BY CASE WHEN r.place IS NULL THEN 1 ELSE 0 END, r.place, \
             CASE WHEN r.score IS NULL THEN 1 ELSE 0 END, r.score DESC, r.id",
            client_user_cols_u!(),
            placeholders(1, mps.len())
        );
        let ps: Vec<P> = mps.iter().map(|&i| P::I64(i)).collect();
        let rows: Vec<RankingRow> = self.read_all(&sql, &ps).await?;
        let mut by_mp: HashMap<i64, Vec<Ranking>> = HashMap::new();
        for r in rows {
            by_mp.entry(r.r_mp).or_default().push(Ranking {
                id: r.r_id,
                place: r.r_place,
                score: r.r_score,
                start_time: Timestamp(r.r_start),
                end_time: r.r_end.map(Timestamp),
                user: ClientUser::from(r.user),
            });
        }
        for r in &mut rounds {
            if let Some(mp) = r.multiplayer_id {
                r.rankings = by_mp.get(&mp).cloned().unwrap_or_default();
            }
        }
        Ok(rounds)
    }
}

#[async_trait]
impl RoundStore for SqlStore {
    async fn insert_round(&self, r: &NewRound) -> Result<i64> {
        let r = r.clone();
        self.write_tx(async move |tx| {
            let mp = match r.multiplayer {
                Multiplayer::No => None,
                Multiplayer::Join(id) => Some(id),
                Multiplayer::New(master) => Some(
                    tx.scalar_one::<i64>(
                        "INSERT INTO multiplayer_rounds (game_id, master_id, created_at) VALUES ($1, $2, $3) \
                         RETURNING id",
                        params![r.game_id.0, master.0, r.now.0],
                    )
                    .await?,
                ),
            };
            tx.scalar_one(
                "INSERT INTO game_rounds (game_id, player_id, game_type, start_time, end_time, score, place, \
                 metadata, multiplayer_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
                params![
                    r.game_id.0,
                    r.player_id.0,
                    &r.game_type,
                    r.start_time.0,
                    r.end_time.map(|t| t.0),
                    r.score,
                    r.place,
                    &r.metadata,
                    mp,
                    r.now.0
                ],
            )
            .await
        })
        .await
    }

    async fn multiplayer_master(&self, game: GameId, id: i64) -> Result<Option<PlayerId>> {
        // A container whose master was deleted has none.
        let m: Option<Option<i64>> = self
            .read_scalar_optional(
                "SELECT master_id FROM multiplayer_rounds WHERE id = $1 AND game_id = $2",
                params![id, game.0],
            )
            .await?;
        Ok(m.flatten().map(PlayerId))
    }

    async fn rounds(&self, game: GameId, ids: &[i64]) -> Result<Vec<GameRound>> {
        let rows: Vec<RoundRow> = self
            .read_in(params![game.0], ids, |ids| {
                format!("SELECT {ROUND_COLS} FROM game_rounds WHERE game_id = $1 AND id IN ({ids}) ORDER BY id")
            })
            .await?;
        self.with_rankings(rows.into_iter().map(GameRound::from).collect())
            .await
    }

    async fn rounds_of(&self, player: PlayerId, limit: i64, offset: i64) -> Result<Vec<GameRound>> {
        let sql = rounds_of_sql(2, 3);
        let rows: Vec<RoundRow> = self.read_all(&sql, params![player.0, limit, offset]).await?;
        self.with_rankings(rows.into_iter().map(GameRound::from).collect())
            .await
    }

    async fn update_round(&self, id: i64, patch: &RoundPatch, now: Timestamp) -> Result<()> {
        self.execute_one(
            "UPDATE game_rounds SET game_type = COALESCE($2, game_type), \
             start_time = COALESCE($3, start_time), end_time = COALESCE($4, end_time), \
             score = COALESCE($5, score), place = COALESCE($6, place), metadata = COALESCE($7, metadata), \
             updated_at = $8 WHERE id = $1",
            params![
                id,
                patch.game_type,
                patch.start_time.map(|t| t.0),
                patch.end_time.map(|t| t.0),
                patch.score,
                patch.place,
                patch.metadata,
                now.0
            ],
        )
        .await?;
        Ok(())
    }

    async fn delete_round(&self, id: i64) -> Result<bool> {
        self.execute_changed("DELETE FROM game_rounds WHERE id = $1", params![id])
            .await
    }
}
