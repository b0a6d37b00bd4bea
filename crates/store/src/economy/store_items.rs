//! `StoreItemStore` for [`SqlStore`]: store items and purchases.

use crate::SqlStore;
use crate::exec::{params, row};
use async_trait::async_trait;
use playgate_core::clock::Timestamp;
use playgate_core::economy::store_items::{NewStoreItem, Owned, StoreItem, StoreItemStore};
use playgate_core::ids::{GameId, PlayerId};
use playgate_core::{Entity, Error, Forbidden, Result};

/// The columns of [`StoreItemRow`] (qualified by `i.`).
macro_rules! item_cols {
    () => {
        "i.id, i.game_id, i.name, i.description, i.category, i.cost, i.icon_url"
    };
}

row! {
    pub(crate) struct StoreItemRow {
    id: i64,
    game_id: i64,
    name: String,
    description: String,
    category: String,
    cost: i64,
    icon_url: Option<String>,}
}

impl From<StoreItemRow> for StoreItem {
    fn from(r: StoreItemRow) -> StoreItem {
        StoreItem {
            id: r.id,
            game_id: GameId(r.game_id),
            name: r.name,
            description: r.description,
            category: r.category,
            cost: r.cost,
            icon_url: r.icon_url,
        }
    }
}

/// The store items a player owns, by id; `$1` is the player.
pub(crate) const OWNED_ITEMS_SQL: &str = concat!(
    "SELECT ",
    item_cols!(),
    " FROM store_purchases p JOIN store_items i ON i.id = p.store_item_id WHERE p.player_id = $1 ORDER BY i.id"
);

#[async_trait]
impl StoreItemStore for SqlStore {
    async fn store_items(&self, game: GameId) -> Result<Vec<StoreItem>> {
        let rows: Vec<StoreItemRow> = self
            .read_all(
                concat!(
                    "SELECT ",
                    item_cols!(),
                    " FROM store_items i WHERE i.game_id = $1 ORDER BY i.id"
                ),
                params![game.0],
            )
            .await?;
        Ok(rows.into_iter().map(StoreItem::from).collect())
    }

    async fn insert_store_item(&self, game: GameId, item: &NewStoreItem, now: Timestamp) -> Result<StoreItem> {
        let item = item.clone();
        let row: StoreItemRow = self
            .write_one(async move |pool| {
                pool.fetch_one(
                    "INSERT INTO store_items (game_id, name, description, category, cost, icon_url, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     RETURNING id, game_id, name, description, category, cost, icon_url",
                    params![
                        game.0,
                        &item.name,
                        &item.description,
                        &item.category,
                        item.cost,
                        &item.icon_url,
                        now.0
                    ],
                )
                .await
            })
            .await?;
        Ok(row.into())
    }

    async fn delete_store_item(&self, game: GameId, id: i64) -> Result<bool> {
        self.write_tx(async move |tx| {
            tx.execute(
                "DELETE FROM store_purchases WHERE store_item_id IN \
                 (SELECT id FROM store_items WHERE id = $1 AND game_id = $2)",
                params![id, game.0],
            )
            .await?;
            let n = tx
                .execute(
                    "DELETE FROM store_items WHERE id = $1 AND game_id = $2",
                    params![id, game.0],
                )
                .await?;
            Ok(n > 0)
        })
        .await
    }

    async fn purchases(&self, player: PlayerId) -> Result<Vec<StoreItem>> {
        let rows: Vec<StoreItemRow> = self.read_all(OWNED_ITEMS_SQL, params![player.0]).await?;
        Ok(rows.into_iter().map(StoreItem::from).collect())
    }

    async fn purchase(&self, game: GameId, player: PlayerId, item: i64, now: Timestamp) -> Result<Owned> {
        let res: Result<Owned> = self
            .write_tx(async move |tx| {
                let cost: i64 = tx
                    .scalar_optional(
                        "SELECT cost FROM store_items WHERE id = $1 AND game_id = $2",
                        params![item, game.0],
                    )
                    .await?
                    .ok_or(Error::NotFound(Entity::StoreItem))?;
                let owned: Option<i64> = tx
                    .scalar_optional(
                        "SELECT store_item_id FROM store_purchases WHERE player_id = $1 AND store_item_id = $2",
                        params![player.0, item],
                    )
                    .await?;
                if owned.is_some() {
                    return Err(Error::Forbidden(Forbidden::StoreItemOwned));
                }
                let credits: i64 = tx
                    .scalar_optional(
                        "UPDATE gamefuse_users SET credits = credits - $2 WHERE player_id = $1 AND credits >= $2 \
                         RETURNING credits",
                        params![player.0, cost],
                    )
                    .await?
                    .ok_or(Error::Forbidden(Forbidden::NotEnoughCredits))?;
                tx.execute(
                    "INSERT INTO store_purchases (player_id, store_item_id, created_at) VALUES ($1, $2, $3)",
                    params![player.0, item, now.0],
                )
                .await?;
                let items: Vec<StoreItemRow> = tx.fetch_all(OWNED_ITEMS_SQL, params![player.0]).await?;
                Ok(Owned {
                    credits,
                    items: items.into_iter().map(StoreItem::from).collect(),
                })
            })
            .await;
        // Two concurrent purchases of one item (PostgreSQL): the loser hits the key.
        res.map_err(|e| match e {
            e if e.is_unique_violation() => Error::Forbidden(Forbidden::StoreItemOwned),
            e => e,
        })
    }

    async fn remove_purchase(&self, player: PlayerId, item: i64, reimburse: bool) -> Result<Owned> {
        self.write_tx(async move |tx| {
            let cost: i64 = tx
                .scalar_optional(
                    "SELECT i.cost FROM store_purchases p JOIN store_items i ON i.id = p.store_item_id \
                     WHERE p.player_id = $1 AND p.store_item_id = $2",
                    params![player.0, item],
                )
                .await?
                .ok_or(Error::NotFound(Entity::OwnedStoreItem))?;
            tx.execute(
                "DELETE FROM store_purchases WHERE player_id = $1 AND store_item_id = $2",
                params![player.0, item],
            )
            .await?;
            let refund = if reimburse { cost } else { 0 };
            let credits: i64 = tx
                .scalar_one(
                    "UPDATE gamefuse_users SET credits = credits + $2 WHERE player_id = $1 RETURNING credits",
                    params![player.0, refund],
                )
                .await?;
            let items: Vec<StoreItemRow> = tx.fetch_all(OWNED_ITEMS_SQL, params![player.0]).await?;
            Ok(Owned {
                credits,
                items: items.into_iter().map(StoreItem::from).collect(),
            })
        })
        .await
    }
}
