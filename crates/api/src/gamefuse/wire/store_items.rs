//! Store items and purchases.

use super::flag;
use crate::common::lenient;
use playgate_core::economy::store_items::{Owned, StoreItem};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `purchase_game_user_store_item`, `remove_game_user_store_item` (reference 7).
#[derive(Debug, Deserialize, ToSchema)]
pub struct StoreItemRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub store_item_id: Option<i64>,
    #[serde(default, deserialize_with = "flag")]
    pub reimburse: Option<bool>,
}

/// `StoreItem` (reference 1.5).
#[derive(Debug, Serialize, ToSchema)]
pub struct StoreItemOut {
    pub id: i64,
    pub name: String,
    pub cost: i64,
    pub description: String,
    pub category: String,
    pub icon_url: Option<String>,
}

impl From<StoreItem> for StoreItemOut {
    fn from(i: StoreItem) -> Self {
        StoreItemOut {
            id: i.id,
            name: i.name,
            cost: i.cost,
            description: i.description,
            category: i.category,
            icon_url: i.icon_url,
        }
    }
}

pub(super) fn items(v: Vec<StoreItem>) -> Vec<StoreItemOut> {
    v.into_iter().map(StoreItemOut::from).collect()
}

/// `games/store_items` (reference 7.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct StoreItemsOut {
    pub store_items: Vec<StoreItemOut>,
}

impl StoreItemsOut {
    pub fn new(v: Vec<StoreItem>) -> Self {
        StoreItemsOut { store_items: items(v) }
    }
}

/// Purchases (reference 7.2-7.4): `credits` and the owned list, also under the docs'
/// key `store_items` (sending both is safe).
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnedOut {
    pub credits: i64,
    pub game_user_store_items: Vec<StoreItemOut>,
    pub store_items: Vec<StoreItemOut>,
}

impl From<Owned> for OwnedOut {
    fn from(o: Owned) -> Self {
        OwnedOut {
            credits: o.credits,
            game_user_store_items: items(o.items.clone()),
            store_items: items(o.items),
        }
    }
}
