//! GameFuse wire types, field for field as the reference's shapes (section 1) and in their
//! JSON types: integer ids, real booleans, ISO-8601 times with milliseconds, `null` for
//! "not set". Requests are tolerant: every value may arrive as a string (multipart forms).

use playgate_core::clock::Timestamp;
use playgate_core::game::Game;
use playgate_core::gamefuse::economy::{GameVariable, LeaderboardEntry, Owned, StoreItem, UserAttribute};
use playgate_core::gamefuse::users::SignedIn;
use playgate_core::gamefuse::{GfUser, iso_millis};
use serde::{Deserialize, Deserializer, Serialize};

use crate::common::lenient;

/// `true`, `"true"`, `"1"`, `1`; anything else is false; absent is `None`.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(match v {
        serde_json::Value::Null => None,
        serde_json::Value::Bool(b) => Some(b),
        serde_json::Value::Number(n) => Some(n.as_i64() == Some(1)),
        serde_json::Value::String(s) => Some(matches!(s.trim(), "true" | "1" | "yes" | "on")),
        _ => Some(false),
    })
}

/// Relations that part 2 of the dialect fills (friends, groups, chats, game rounds):
/// present and empty until then (reference 1.3).
#[derive(Debug, Serialize)]
pub enum Part2 {}

// ---------------------------------------------------------------- requests

/// `game_id` + `game_token`.
#[derive(Debug, Deserialize)]
pub struct GameCreds {
    #[serde(default, deserialize_with = "lenient::int")]
    pub game_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub game_token: Option<String>,
}

/// `POST /users` (reference 3). The docs' camelCase names are accepted too.
#[derive(Debug, Deserialize)]
pub struct SignUpRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub password: Option<String>,
    #[serde(default, alias = "passwordConfirmation", deserialize_with = "lenient::string")]
    pub password_confirmation: Option<String>,
}

/// `POST /sessions` (reference 4; `game_token` is not required: the SDK does not send it).
#[derive(Debug, Deserialize)]
pub struct SignInRequest {
    #[serde(default, alias = "gameId", deserialize_with = "lenient::int")]
    pub game_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub password: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub temp_oauth_transfer_token: Option<String>,
}

/// One attribute of a batch.
#[derive(Debug, Deserialize)]
pub struct AttributeIn {
    #[serde(default, deserialize_with = "lenient::string")]
    pub key: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_or_json")]
    pub value: Option<String>,
}

/// `POST /users/{id}/add_game_user_attribute` (reference 6.1): one pair, a batch, or both.
#[derive(Debug, Deserialize)]
pub struct AddAttributesRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub key: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_or_json")]
    pub value: Option<String>,
    #[serde(default)]
    pub attributes: Option<Vec<AttributeIn>>,
}

/// Keys to remove (reference 6.2/6.3): `game_user_attribute_key=K`,
/// `game_user_attribute_keys[]=a&…`, or `game_user_attribute_keys` as a JSON array (or
/// its text).
#[derive(Debug, Deserialize)]
pub struct RemoveAttributesRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub game_user_attribute_key: Option<String>,
    #[serde(default)]
    pub game_user_attribute_keys: Option<serde_json::Value>,
}

impl RemoveAttributesRequest {
    /// Every key named, in any of the forms.
    pub fn keys(self) -> Vec<String> {
        let mut keys: Vec<String> = self.game_user_attribute_key.into_iter().collect();
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        match self.game_user_attribute_keys {
            Some(serde_json::Value::Array(a)) => keys.extend(a.iter().filter_map(text)),
            Some(serde_json::Value::String(s)) => match serde_json::from_str::<serde_json::Value>(&s) {
                Ok(serde_json::Value::Array(a)) => keys.extend(a.iter().filter_map(text)),
                _ => keys.push(s),
            },
            _ => {}
        }
        keys
    }
}

/// `add_credits` / `set_credits` (reference 8).
#[derive(Debug, Deserialize)]
pub struct CreditsRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub credits: Option<i64>,
}

/// `add_score` / `set_score` (reference 8).
#[derive(Debug, Deserialize)]
pub struct ScoreRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub score: Option<i64>,
}

/// `purchase_game_user_store_item`, `remove_game_user_store_item` (reference 7).
#[derive(Debug, Deserialize)]
pub struct StoreItemRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub store_item_id: Option<i64>,
    #[serde(default, deserialize_with = "flag")]
    pub reimburse: Option<bool>,
}

/// `add_leaderboard_entry` (reference 9.1): `extra_attributes` kept as the raw text sent.
#[derive(Debug, Deserialize)]
pub struct LeaderboardEntryRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub leaderboard_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub score: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string_or_json")]
    pub extra_attributes: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_or_json")]
    pub metadata: Option<String>,
}

/// `clear_my_leaderboard_entries` and the leaderboard queries (reference 9.2-9.4).
#[derive(Debug, Deserialize)]
pub struct LeaderboardQueryRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub leaderboard_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub limit: Option<i64>,
    #[serde(default, deserialize_with = "flag")]
    pub one_per_user: Option<bool>,
}

/// `forget_password` (reference 14).
#[derive(Debug, Deserialize)]
pub struct ForgotRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub email: Option<String>,
}

/// `test_suite/create_user` (reference 15.2): `game_id` in the query or the body.
#[derive(Debug, Deserialize)]
pub struct SuiteUserRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub game_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub username: Option<String>,
}

/// `test_suite/create_store_item` and the admin API's store item.
#[derive(Debug, Deserialize)]
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
#[derive(Debug, Deserialize)]
pub struct SuiteGameRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub game_id: Option<i64>,
}

// ---------------------------------------------------------------- responses

/// `{"message": …}`: every 2xx has a JSON body (reference 0.5).
#[derive(Debug, Serialize)]
pub struct MessageOut {
    pub message: String,
}

impl MessageOut {
    pub fn new(m: impl Into<String>) -> Self {
        MessageOut { message: m.into() }
    }
}

/// A game variable.
#[derive(Debug, Serialize)]
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

/// `games/verify` and `games/fetch_game_variables` (reference 2.1).
#[derive(Debug, Serialize)]
pub struct GameOut {
    pub id: i64,
    pub name: String,
    pub token: String,
    pub description: String,
    pub game_variables: Vec<VariableOut>,
}

impl GameOut {
    pub fn new(g: Game, vars: Vec<GameVariable>) -> Self {
        GameOut {
            id: g.id.0,
            name: g.name,
            token: g.gamefuse_token,
            description: g.description,
            game_variables: vars.into_iter().map(VariableOut::from).collect(),
        }
    }
}

/// `util/get_server_time` (reference 2.4).
#[derive(Debug, Serialize)]
pub struct ServerTimeOut {
    pub server_time: String,
}

/// `StoreItem` (reference 1.5).
#[derive(Debug, Serialize)]
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

fn items(v: Vec<StoreItem>) -> Vec<StoreItemOut> {
    v.into_iter().map(StoreItemOut::from).collect()
}

/// `games/store_items` (reference 7.1).
#[derive(Debug, Serialize)]
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
#[derive(Debug, Serialize)]
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

/// `GameUserAttribute` (reference 1.12).
#[derive(Debug, Serialize)]
pub struct AttributeOut {
    pub id: i64,
    pub key: String,
    pub value: String,
}

impl From<UserAttribute> for AttributeOut {
    fn from(a: UserAttribute) -> Self {
        AttributeOut {
            id: a.id,
            key: a.key,
            value: a.value,
        }
    }
}

fn attributes(v: Vec<UserAttribute>) -> Vec<AttributeOut> {
    v.into_iter().map(AttributeOut::from).collect()
}

/// `{"game_user_attributes": [...]}` (reference 6).
#[derive(Debug, Serialize)]
pub struct AttributesOut {
    pub game_user_attributes: Vec<AttributeOut>,
}

impl AttributesOut {
    pub fn new(v: Vec<UserAttribute>) -> Self {
        AttributesOut {
            game_user_attributes: attributes(v),
        }
    }
}

/// `UserPublic` (reference 1.1).
#[derive(Debug, Serialize)]
pub struct UserPublicOut {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub display_email: String,
    pub credits: i64,
    pub score: i64,
    pub is_new_user: bool,
}

impl UserPublicOut {
    pub fn new(u: &GfUser) -> Self {
        UserPublicOut {
            id: u.id.0,
            username: u.username.clone(),
            email: u.system_email(),
            display_email: u.display_email.clone(),
            credits: u.credits,
            score: u.score,
            is_new_user: u.number_of_logins == 0,
        }
    }
}

/// `UserSelf` (reference 1.2); without `authentication_token` for service-key callers.
#[derive(Debug, Serialize)]
pub struct UserSelfOut {
    #[serde(flatten)]
    pub public: UserPublicOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication_token: Option<String>,
    pub last_login: Option<String>,
    pub number_of_logins: i64,
    pub events_total: i64,
    pub events_current_month: i64,
    pub game_sessions_total: i64,
    pub game_sessions_current_month: i64,
}

impl UserSelfOut {
    pub fn new(u: &GfUser, token: Option<String>, now: Timestamp) -> Self {
        let (events_month, sessions_month) = u.current_month(now);
        UserSelfOut {
            public: UserPublicOut::new(u),
            authentication_token: token,
            last_login: u.last_login.map(iso_millis),
            number_of_logins: u.number_of_logins,
            events_total: u.events_total,
            events_current_month: events_month,
            game_sessions_total: u.game_sessions_total,
            game_sessions_current_month: sessions_month,
        }
    }

    /// With `is_new_user` as the sign-in decided it.
    pub fn new_user(mut self, is_new_user: bool) -> Self {
        self.public.is_new_user = is_new_user;
        self
    }
}

/// `FullUserData` (reference 1.3, seed 003): the sign-in response and `GET /users/{me}`.
#[derive(Debug, Serialize)]
pub struct FullUserOut {
    #[serde(flatten)]
    pub user: UserSelfOut,
    pub friends: Vec<Part2>,
    pub incoming_friend_requests: Vec<Part2>,
    pub outgoing_friend_requests: Vec<Part2>,
    pub direct_chats: Vec<Part2>,
    pub group_chats: Vec<Part2>,
    pub groups: Vec<Part2>,
    pub group_invites: Vec<Part2>,
    pub group_join_requests: Vec<Part2>,
    pub game_rounds: Vec<Part2>,
    pub game_user_attributes: Vec<AttributeOut>,
    pub game_user_store_items: Vec<StoreItemOut>,
}

impl FullUserOut {
    pub fn new(user: UserSelfOut, attrs: Vec<UserAttribute>, owned: Vec<StoreItem>) -> Self {
        FullUserOut {
            user,
            friends: Vec::new(),
            incoming_friend_requests: Vec::new(),
            outgoing_friend_requests: Vec::new(),
            direct_chats: Vec::new(),
            group_chats: Vec::new(),
            groups: Vec::new(),
            group_invites: Vec::new(),
            group_join_requests: Vec::new(),
            game_rounds: Vec::new(),
            game_user_attributes: attributes(attrs),
            game_user_store_items: items(owned),
        }
    }

    /// The sign-in (or sign-up) response.
    pub fn signed_in(s: SignedIn, now: Timestamp) -> Self {
        let user = UserSelfOut::new(&s.user, Some(s.token.expose().to_owned()), now).new_user(s.is_new_user);
        Self::new(user, s.attributes, s.store_items)
    }
}

/// Another user as `GET /users/{id}` shows it (reference 5.1): public fields, last
/// login, login count, and the public relations (no token, chats, requests or invites).
#[derive(Debug, Serialize)]
pub struct OtherUserOut {
    #[serde(flatten)]
    pub public: UserPublicOut,
    pub last_login: Option<String>,
    pub number_of_logins: i64,
    pub friends: Vec<Part2>,
    pub groups: Vec<Part2>,
    pub game_rounds: Vec<Part2>,
}

impl OtherUserOut {
    pub fn new(u: &GfUser) -> Self {
        OtherUserOut {
            public: UserPublicOut::new(u),
            last_login: u.last_login.map(iso_millis),
            number_of_logins: u.number_of_logins,
            friends: Vec::new(),
            groups: Vec::new(),
            game_rounds: Vec::new(),
        }
    }
}

/// `LeaderboardEntry` (reference 1.11). `extra_attributes` is a string, the raw text the
/// client sent (the JS SDK does string operations on it); a `metadata` object's text when
/// only that was sent; `"{}"` when neither.
#[derive(Debug, Serialize)]
pub struct EntryOut {
    pub id: i64,
    pub username: String,
    pub score: i64,
    pub leaderboard_name: String,
    pub game_user_id: i64,
    pub extra_attributes: String,
    pub metadata: Option<String>,
    pub created_at: String,
}

impl From<LeaderboardEntry> for EntryOut {
    fn from(e: LeaderboardEntry) -> Self {
        EntryOut {
            id: e.id,
            username: e.username,
            score: e.score,
            leaderboard_name: e.leaderboard_name,
            game_user_id: e.player_id.0,
            extra_attributes: e
                .extra_attributes
                .or_else(|| e.metadata.clone())
                .unwrap_or_else(|| "{}".to_owned()),
            metadata: e.metadata,
            created_at: iso_millis(e.created_at),
        }
    }
}

/// `{"leaderboard_entries": [...]}` (reference 9.3).
#[derive(Debug, Serialize)]
pub struct EntriesOut {
    pub leaderboard_entries: Vec<EntryOut>,
}

impl EntriesOut {
    pub fn new(v: Vec<LeaderboardEntry>) -> Self {
        EntriesOut {
            leaderboard_entries: v.into_iter().map(EntryOut::from).collect(),
        }
    }
}

/// `forget_password` (reference 14).
#[derive(Debug, Serialize)]
pub struct ForgotOut {
    pub mailer_response: Option<String>,
    pub message: String,
}

/// `test_suite/create_game` (reference 15.2).
#[derive(Debug, Serialize)]
pub struct SuiteGameOut {
    pub id: i64,
    pub name: String,
    pub token: String,
}

/// `test_suite/create_store_item` (reference 15.2).
#[derive(Debug, Serialize)]
pub struct SuiteItemOut {
    pub id: i64,
    pub game_id: i64,
    pub name: String,
    pub description: String,
    pub category: String,
    pub cost: i64,
    pub icon_url: Option<String>,
}

impl From<StoreItem> for SuiteItemOut {
    fn from(i: StoreItem) -> Self {
        SuiteItemOut {
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
