//! `AttributeStore` for [`SqlStore`]: user attributes.

use crate::SqlStore;
use crate::exec::{Conn, params, row};
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

/// The player's (`$1`) attributes, oldest first.
pub(crate) const ATTRIBUTES_SQL: &str = "SELECT id, key, value FROM user_attributes WHERE player_id = $1 ORDER BY id";

pub(crate) fn attribute(KeyValueRow { id, key, value }: KeyValueRow) -> UserAttribute {
    UserAttribute { id, key, value }
}

/// A player's attributes, oldest first: what every call of the store answers.
async fn attributes_of(c: &mut Conn<'_>, player: PlayerId) -> Result<Vec<UserAttribute>> {
    let rows: Vec<KeyValueRow> = c.fetch_all(ATTRIBUTES_SQL, params![player.0]).await?;
    Ok(rows.into_iter().map(attribute).collect())
}

#[async_trait]
impl AttributeStore for SqlStore {
    async fn attributes(&self, player: PlayerId) -> Result<Vec<UserAttribute>> {
        self.read(async |c| attributes_of(c, player).await).await
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
            attributes_of(tx, player).await
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
            Ok((removed, attributes_of(tx, player).await?))
        })
        .await
    }
}
