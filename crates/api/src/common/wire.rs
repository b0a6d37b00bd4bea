//! JSON bodies of the same shape in more than one API (the admin API and GameFuse): the
//! bare message, a game variable, a store item with its game; and a player's profile
//! (the admin API and KGeN).

use playgate_core::economy::store_items::StoreItem;
use playgate_core::game_variables::GameVariable;
use playgate_core::player::Profile;
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

/// The profile a game backend reported: in the admin API's player, and inline in KGeN's
/// session answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileJson {
    pub name: String,
    pub username: String,
    pub email: String,
    pub device_id: String,
    pub phonenumber: String,
    pub level: i64,
    pub rank: i64,
    pub date_joined: String,
    pub playertag: String,
    pub location: String,
    pub location_name: String,
    pub device_model: String,
    pub screen_height: String,
    pub screen_width: String,
    pub os_name: String,
    pub os_version: String,
    pub browser_name: String,
    pub fb_login: String,
    pub google_login: String,
    pub app_version: String,
}

impl From<Profile> for ProfileJson {
    fn from(p: Profile) -> Self {
        ProfileJson {
            name: p.name,
            username: p.username,
            email: p.email,
            device_id: p.device_id,
            phonenumber: p.phonenumber,
            level: p.level,
            rank: p.rank,
            date_joined: p.date_joined,
            playertag: p.playertag,
            location: p.location,
            location_name: p.location_name,
            device_model: p.device_model,
            screen_height: p.screen_height,
            screen_width: p.screen_width,
            os_name: p.os_name,
            os_version: p.os_version,
            browser_name: p.browser_name,
            fb_login: p.fb_login,
            google_login: p.google_login,
            app_version: p.app_version,
        }
    }
}
