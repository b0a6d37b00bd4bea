//! `AttributeStore` for [`SqlStore`]: user attributes.

use crate::SqlStore;
use crate::exec::{params, row};
use async_trait::async_trait;
use playgate_core::Result;
use playgate_core::economy::attributes::{AttributeStore, UserAttribute};
use playgate_core::ids::PlayerId;

row! {
    /// A game variable or a user attribute.
    pub(crate) struct KeyValueRow {
        pub(crate) id: i64,
        pub(crate) key: String,
        pub(crate) value: String,
    }
}

#[async_trait]
impl AttributeStore for SqlStore {
    async fn attributes(&self, player: PlayerId) -> Result<Vec<UserAttribute>> {
        let rows: Vec<KeyValueRow> = self
            .read(async |e| {
                e.fetch_all(
                    "SELECT id, key, value FROM user_attributes WHERE player_id = $1 ORDER BY id",
                    params![player.0],
                )
                .await
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|KeyValueRow { id, key, value }| UserAttribute { id, key, value })
            .collect())
    }

    async fn upsert_attributes(&self, player: PlayerId, attrs: &[(String, String)]) -> Result<Vec<UserAttribute>> {
        let attrs = attrs.to_vec();
        self.write_tx(async move |tx| {
            for (k, v) in attrs {
                tx.execute(
                    "INSERT INTO user_attributes (player_id, key, value) VALUES ($1, $2, $3) \
                     ON CONFLICT (player_id, key) DO UPDATE SET value = excluded.value",
                    params![player.0, k, v],
                )
                .await?;
            }
            let rows: Vec<KeyValueRow> = tx
                .fetch_all(
                    "SELECT id, key, value FROM user_attributes WHERE player_id = $1 ORDER BY id",
                    params![player.0],
                )
                .await?;
            Ok(rows
                .into_iter()
                .map(|KeyValueRow { id, key, value }| UserAttribute { id, key, value })
                .collect())
        })
        .await
    }

    async fn remove_attributes(&self, player: PlayerId, keys: &[String]) -> Result<(u64, Vec<UserAttribute>)> {
        let keys = keys.to_vec();
        self.write_tx(async move |tx| {
            let mut removed = 0;
            for k in keys {
                removed += tx
                    .execute(
                        "DELETE FROM user_attributes WHERE player_id = $1 AND key = $2",
                        params![player.0, k],
                    )
                    .await?;
            }
            let rows: Vec<KeyValueRow> = tx
                .fetch_all(
                    "SELECT id, key, value FROM user_attributes WHERE player_id = $1 ORDER BY id",
                    params![player.0],
                )
                .await?;
            let list = rows
                .into_iter()
                .map(|KeyValueRow { id, key, value }| UserAttribute { id, key, value })
                .collect();
            Ok((removed, list))
        })
        .await
    }
}
