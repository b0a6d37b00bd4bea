//! `GameVariableStore` for [`SqlStore`]: game variables.

use crate::SqlStore;
use crate::economy::attributes::KeyValueRow;
use crate::exec::params;
use async_trait::async_trait;
use playgate_core::Result;
use playgate_core::game_variables::{GameVariable, GameVariableStore};
use playgate_core::ids::GameId;

#[async_trait]
impl GameVariableStore for SqlStore {
    async fn game_variables(&self, game: GameId) -> Result<Vec<GameVariable>> {
        let rows: Vec<KeyValueRow> = self
            .read_all(
                "SELECT id, key, value FROM game_variables WHERE game_id = $1 ORDER BY key",
                params![game.0],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|KeyValueRow { id, key, value }| GameVariable { id, key, value })
            .collect())
    }

    async fn set_game_variable(&self, game: GameId, key: &str, value: &str) -> Result<GameVariable> {
        let (key, value) = (key.to_owned(), value.to_owned());
        let KeyValueRow { id, key, value } = self
            .write_one(async move |pool| {
                pool.fetch_one(
                    "INSERT INTO game_variables (game_id, key, value) VALUES ($1, $2, $3) \
                     ON CONFLICT (game_id, key) DO UPDATE SET value = excluded.value RETURNING id, key, value",
                    params![game.0, key, value],
                )
                .await
            })
            .await?;
        Ok(GameVariable { id, key, value })
    }

    async fn delete_game_variable(&self, game: GameId, key: &str) -> Result<bool> {
        self.execute_changed(
            "DELETE FROM game_variables WHERE game_id = $1 AND key = $2",
            params![game.0, key],
        )
        .await
    }
}
