//! JSON bodies of the same shape in more than one API (the admin API and GameFuse): the
//! bare message, a game variable, a store item with its game.

use playgate_core::economy::store_items::StoreItem;
use playgate_core::game_variables::GameVariable;
use serde::Serialize;
use utoipa::ToSchema;

/// `{"message": …}`: the answer of a change with nothing else to report (GameFuse's
/// reference 0.5: every 2xx has a JSON body).
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    pub message: String,
}

impl MessageOut {
    pub fn new(m: impl Into<String>) -> Self {
        MessageOut { message: m.into() }
    }
}

/// A game variable.
#[derive(Debug, Serialize, ToSchema)]
pub struct VariableOut {
    pub id: i64,
    pub key: String,
    pub value: String,
}

impl From<GameVariable> for VariableOut {
    fn from(v: GameVariable) -> Self {
        VariableOut {
            id: v.id,
            key: v.key,
            value: v.value,
        }
    }
}

/// A store item with its game's id (the admin API's store items, GameFuse's
/// `test_suite/create_store_item`, reference 15.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct GameStoreItemOut {
    pub id: i64,
    pub game_id: i64,
    pub name: String,
    pub description: String,
    pub category: String,
    pub cost: i64,
    pub icon_url: Option<String>,
}

impl From<StoreItem> for GameStoreItemOut {
    fn from(i: StoreItem) -> Self {
        GameStoreItemOut {
            id: i.id,
            game_id: i.game_id.0,
            name: i.name,
            description: i.description,
            category: i.category,
            cost: i.cost,
            icon_url: i.icon_url,
        }
    }
}
