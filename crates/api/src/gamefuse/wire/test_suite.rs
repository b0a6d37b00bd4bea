//! The system test suite (`test_suite/*`).

use super::UserPublicOut;
use crate::common::lenient;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `test_suite/create_user` (reference 15.2): `game_id` in the query or the body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SuiteUserRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub game_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub username: Option<String>,
}

/// `test_suite/create_store_item`: a store item for the game `game_id`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StoreItemIn {
    #[serde(default, deserialize_with = "lenient::int")]
    pub game_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub cost: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub icon_url: Option<String>,
}

/// `test_suite/clean_up_test`: `game_id` in the query (SDK) or JSON (docs).
#[derive(Debug, Deserialize, ToSchema)]
pub struct SuiteGameRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub game_id: Option<i64>,
}

/// `test_suite/create_game` (reference 15.2); Unreal compares `description` with what
/// `games/verify` answers (17.6).
#[derive(Debug, Serialize, ToSchema)]
pub struct SuiteGameOut {
    pub id: i64,
    pub name: String,
    pub token: String,
    pub description: String,
}

/// `test_suite/create_user` (reference 15.2): the user, and the token of the session it
/// starts (Unreal's tests call with it, 17.3).
#[derive(Debug, Serialize, ToSchema)]
pub struct SuiteUserOut {
    #[serde(flatten)]
    pub public: UserPublicOut,
    pub authentication_token: String,
}
