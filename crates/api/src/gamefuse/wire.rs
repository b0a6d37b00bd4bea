//! GameFuse wire types, field for field as the reference's shapes (section 1) and in their
//! JSON types: integer ids, real booleans, ISO-8601 times with milliseconds, `null` for
//! "not set". Requests are tolerant: every value may arrive as a string (multipart forms).

use crate::common::lenient;
use playgate_core::client_users::{ClientUser, SignedIn};
use playgate_core::clock::Timestamp;
use playgate_core::economy::attributes::UserAttribute;
use playgate_core::economy::leaderboards::LeaderboardEntry;
use playgate_core::economy::store_items::{Owned, StoreItem};
use playgate_core::game::Game;
use playgate_core::game_variables::GameVariable;
use playgate_core::gamefuse::social::Relations;
use playgate_core::rounds::{GameRound, Ranking};
use playgate_core::social::chats::{Chat, Message};
use playgate_core::social::friends::{FriendLists, FriendRequest};
use playgate_core::social::groups::{ConnectionView, Group, GroupAttribute, GroupDetail, GroupView};
use playgate_core::vendor::gamefuse::iso_millis;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

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

// ---------------------------------------------------------------- requests

/// `game_id` + `game_token`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GameCreds {
    #[serde(default, deserialize_with = "lenient::int")]
    pub game_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub game_token: Option<String>,
}

/// `POST /users` (reference 3). The docs' camelCase names are accepted too.
#[derive(Debug, Deserialize, ToSchema)]
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
#[derive(Debug, Deserialize, ToSchema)]
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

/// `PUT /users/{id}` (reference 17.3): what changes.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProfileRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub email: Option<String>,
}

/// `PUT /users/{id}/password` and `POST /password/reset` (reference 17.3).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub current_password: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub token: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub password: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub password_confirmation: Option<String>,
}

/// One attribute of a batch.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AttributeIn {
    #[serde(default, deserialize_with = "lenient::string")]
    pub key: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_or_json")]
    pub value: Option<String>,
}

/// `POST /users/{id}/add_game_user_attribute` (reference 6.1): one pair, a batch, or both.
#[derive(Debug, Deserialize, ToSchema)]
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
#[derive(Debug, Deserialize, ToSchema)]
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
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreditsRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub credits: Option<i64>,
}

/// `add_score` / `set_score` (reference 8).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ScoreRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub score: Option<i64>,
}

/// `purchase_game_user_store_item`, `remove_game_user_store_item` (reference 7).
#[derive(Debug, Deserialize, ToSchema)]
pub struct StoreItemRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub store_item_id: Option<i64>,
    #[serde(default, deserialize_with = "flag")]
    pub reimburse: Option<bool>,
}

/// `add_leaderboard_entry` (reference 9.1): `extra_attributes` kept as the raw text sent.
/// `score` may be fractional: the C# SDK sends a double (reference 17.3).
#[derive(Debug, Deserialize, ToSchema)]
pub struct LeaderboardEntryRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub leaderboard_name: Option<String>,
    #[serde(default, deserialize_with = "float")]
    pub score: Option<f64>,
    #[serde(default, deserialize_with = "lenient::string_or_json")]
    pub extra_attributes: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_or_json")]
    pub metadata: Option<String>,
}

/// `clear_my_leaderboard_entries` and the leaderboard queries (reference 9.2-9.4).
#[derive(Debug, Deserialize, ToSchema)]
pub struct LeaderboardQueryRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub leaderboard_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub limit: Option<i64>,
    #[serde(default, deserialize_with = "flag")]
    pub one_per_user: Option<bool>,
}

/// `forget_password` (reference 14).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ForgotRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub email: Option<String>,
}

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

/// `test_suite/create_store_item` and the admin API's store item.
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

// ---------------------------------------------------------------- responses

/// `{"message": …}`: every 2xx has a JSON body (reference 0.5).
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

/// `games/verify` and `games/fetch_game_variables` (reference 2.1).
#[derive(Debug, Serialize, ToSchema)]
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
#[derive(Debug, Serialize, ToSchema)]
pub struct ServerTimeOut {
    pub server_time: String,
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

fn items(v: Vec<StoreItem>) -> Vec<StoreItemOut> {
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

/// `GameUserAttribute` (reference 1.12).
#[derive(Debug, Serialize, ToSchema)]
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
#[derive(Debug, Serialize, ToSchema)]
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
#[derive(Debug, Clone, Serialize, ToSchema)]
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
    pub fn new(u: &ClientUser) -> Self {
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
#[derive(Debug, Serialize, ToSchema)]
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
    pub fn new(u: &ClientUser, token: Option<String>, now: Timestamp) -> Self {
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
#[derive(Debug, Serialize, ToSchema)]
pub struct FullUserOut {
    #[serde(flatten)]
    pub user: UserSelfOut,
    pub friends: Vec<UserPublicOut>,
    pub incoming_friend_requests: Vec<FriendRequestOut>,
    pub outgoing_friend_requests: Vec<FriendRequestOut>,
    pub direct_chats: Vec<ChatOut>,
    pub group_chats: Vec<ChatOut>,
    pub groups: Vec<GroupOut>,
    pub group_invites: Vec<ConnectionOut>,
    pub group_join_requests: Vec<ConnectionOut>,
    pub game_rounds: Vec<GameRoundOut>,
    pub game_user_attributes: Vec<AttributeOut>,
    pub game_user_store_items: Vec<StoreItemOut>,
}

impl FullUserOut {
    pub fn new(user: UserSelfOut, rel: Relations, attrs: Vec<UserAttribute>, owned: Vec<StoreItem>) -> Self {
        let viewer = user.public.id;
        FullUserOut {
            user,
            friends: rel.friends.friends.iter().map(UserPublicOut::new).collect(),
            incoming_friend_requests: rel.friends.incoming.into_iter().map(FriendRequestOut::from).collect(),
            outgoing_friend_requests: rel.friends.outgoing.into_iter().map(FriendRequestOut::from).collect(),
            direct_chats: chats(rel.direct_chats, viewer),
            group_chats: chats(rel.group_chats, viewer),
            groups: rel.groups.into_iter().map(GroupOut::with_members).collect(),
            group_invites: rel.group_invites.into_iter().map(ConnectionOut::from).collect(),
            group_join_requests: rel.group_join_requests.into_iter().map(ConnectionOut::from).collect(),
            game_rounds: rel.game_rounds.into_iter().map(GameRoundOut::from).collect(),
            game_user_attributes: attributes(attrs),
            game_user_store_items: items(owned),
        }
    }

    /// The sign-in (or sign-up) response.
    pub fn signed_in(s: SignedIn, rel: Relations, now: Timestamp) -> Self {
        let user = UserSelfOut::new(&s.user, Some(s.token.expose().to_owned()), now).new_user(s.is_new_user);
        Self::new(user, rel, s.attributes, s.store_items)
    }
}

/// Another user as `GET /users/{id}` shows it (reference 5.1): public fields, last
/// login, login count, and the public relations (no token, chats, requests or invites).
#[derive(Debug, Serialize, ToSchema)]
pub struct OtherUserOut {
    #[serde(flatten)]
    pub public: UserPublicOut,
    pub last_login: Option<String>,
    pub number_of_logins: i64,
    pub friends: Vec<UserPublicOut>,
    pub groups: Vec<GroupOut>,
    pub game_rounds: Vec<GameRoundOut>,
}

impl OtherUserOut {
    pub fn new(u: &ClientUser, rel: Relations) -> Self {
        OtherUserOut {
            public: UserPublicOut::new(u),
            last_login: u.last_login.map(iso_millis),
            number_of_logins: u.number_of_logins,
            friends: rel.friends.friends.iter().map(UserPublicOut::new).collect(),
            groups: rel.groups.into_iter().map(GroupOut::with_members).collect(),
            game_rounds: rel.game_rounds.into_iter().map(GameRoundOut::from).collect(),
        }
    }
}

/// `LeaderboardEntry` (reference 1.11). `extra_attributes` is a string, the raw text the
/// client sent (the JS SDK does string operations on it); a `metadata` object's text when
/// only that was sent; `"{}"` when neither.
#[derive(Debug, Serialize, ToSchema)]
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
#[derive(Debug, Serialize, ToSchema)]
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
#[derive(Debug, Serialize, ToSchema)]
pub struct ForgotOut {
    pub mailer_response: Option<String>,
    pub message: String,
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

/// `test_suite/create_store_item` (reference 15.2).
#[derive(Debug, Serialize, ToSchema)]
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

// ---------------------------------------------------------------- social (part 2)

/// A JSON number, or a string holding one (multipart forms); must be finite.
pub fn float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    use serde::de::Error as _;
    let v = serde_json::Value::deserialize(d)?;
    match v {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Number(n) => n.as_f64().map(Some).ok_or_else(|| D::Error::custom("is not a number")),
        serde_json::Value::String(s) if s.trim().is_empty() => Ok(None),
        serde_json::Value::String(s) => match s.trim().parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Some(f)),
            _ => Err(D::Error::custom("is not a number")),
        },
        _ => Err(D::Error::custom("is not a number")),
    }
}

/// An ISO-8601 time (`2024-07-21T14:23:37.457Z`, `…-04:00`), kept to the nanosecond. One
/// without an offset is UTC: C#'s `ToString("o")` of a time of unspecified kind has none
/// (reference 17.3).
pub fn time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    use serde::de::Error as _;
    use time::format_description::well_known::Rfc3339;
    let v = serde_json::Value::deserialize(d)?;
    match v {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) if s.trim().is_empty() => Ok(None),
        serde_json::Value::String(s) => {
            let s = s.trim();
            let t = time::OffsetDateTime::parse(s, &Rfc3339)
                .or_else(|e| time::OffsetDateTime::parse(&format!("{s}Z"), &Rfc3339).map_err(|_| e))
                .map_err(|_| D::Error::custom("is not an ISO-8601 time"))?;
            i64::try_from(t.unix_timestamp_nanos())
                .map(|n| Some(Timestamp(n)))
                .map_err(|_| D::Error::custom("is out of range"))
        }
        _ => Err(D::Error::custom("is not an ISO-8601 time")),
    }
}

/// A JSON object (or a string holding one), kept as its text; anything else is refused.
pub fn object<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::de::Error as _;
    let v = serde_json::Value::deserialize(d)?;
    match v {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Object(_) => Ok(Some(v.to_string())),
        serde_json::Value::String(s) => match serde_json::from_str::<serde_json::Value>(&s) {
            Ok(o @ serde_json::Value::Object(_)) => Ok(Some(o.to_string())),
            _ => Err(D::Error::custom("must be a JSON object")),
        },
        _ => Err(D::Error::custom("must be a JSON object")),
    }
}

/// `POST /friendships` (reference 10.1).
#[derive(Debug, Deserialize, ToSchema)]
pub struct FriendshipRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub username: Option<String>,
}

/// `PUT /friendships/{id}` (reference 10.2), nested under `friendship` or flat.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FriendshipAnswer {
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: Option<String>,
}

/// `DELETE /unfriend` and the friend list queries: a user id.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UserIdRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub user_id: Option<i64>,
}

/// A group's fields (reference 11.2, 11.5), nested under `group` or flat.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GroupRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub group_type: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    pub can_auto_join: Option<bool>,
    #[serde(default, deserialize_with = "flag")]
    pub is_invite_only: Option<bool>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub max_group_size: Option<i64>,
    #[serde(default, deserialize_with = "flag")]
    pub searchable: Option<bool>,
    #[serde(default, deserialize_with = "flag")]
    pub admins_only_can_create_attributes: Option<bool>,
}

/// `POST /group_connections` (reference 11.7): the `group_connection` object plus the
/// top-level `username` of an invitee.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ConnectionRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub group_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub action_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub user_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub username: Option<String>,
}

/// `remove_member` / `make_admin` (reference 11.11/11.12): `{"group_id": int}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GroupIdRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub group_id: Option<i64>,
}

/// A game round's fields (reference 13.2/13.3), nested under `game_round` or flat.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RoundRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub game_user_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub game_type: Option<String>,
    /// ISO 8601 time, or Unix seconds.
    #[serde(default, deserialize_with = "time")]
    #[schema(value_type = Option<String>)]
    pub start_time: Option<Timestamp>,
    /// ISO 8601 time, or Unix seconds.
    #[serde(default, deserialize_with = "time")]
    #[schema(value_type = Option<String>)]
    pub end_time: Option<Timestamp>,
    #[serde(default, deserialize_with = "float")]
    pub score: Option<f64>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub place: Option<i64>,
    #[serde(default, deserialize_with = "object")]
    pub metadata: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    pub multiplayer: Option<bool>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub multiplayer_game_round_id: Option<i64>,
}

/// `GET /game_rounds?user_id=&page=&per_page=` (reference 13.6).
#[derive(Debug, Deserialize, ToSchema)]
pub struct RoundsQuery {
    #[serde(default, deserialize_with = "lenient::int")]
    pub user_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub page: Option<i64>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub per_page: Option<i64>,
}

/// `FriendRequest` (reference 1.4): the other party plus the friendship's id and time.
#[derive(Debug, Serialize, ToSchema)]
pub struct FriendRequestOut {
    #[serde(flatten)]
    pub user: UserPublicOut,
    pub friendship_id: i64,
    pub requested_at: String,
}

impl From<FriendRequest> for FriendRequestOut {
    fn from(r: FriendRequest) -> Self {
        FriendRequestOut {
            user: UserPublicOut::new(&r.user),
            friendship_id: r.friendship_id,
            requested_at: iso_millis(r.requested_at),
        }
    }
}

/// `POST /friendships` (reference 10.1): the request, plus the docs' `message`.
#[derive(Debug, Serialize, ToSchema)]
pub struct FriendRequestCreatedOut {
    #[serde(flatten)]
    pub request: FriendRequestOut,
    pub message: String,
}

/// `GET /friendships` (reference 10.5).
#[derive(Debug, Serialize, ToSchema)]
pub struct FriendListsOut {
    pub friends: Vec<UserPublicOut>,
    pub outgoing_friend_requests: Vec<FriendRequestOut>,
    pub incoming_friend_requests: Vec<FriendRequestOut>,
}

impl From<FriendLists> for FriendListsOut {
    fn from(l: FriendLists) -> Self {
        FriendListsOut {
            friends: l.friends.iter().map(UserPublicOut::new).collect(),
            outgoing_friend_requests: l.outgoing.into_iter().map(FriendRequestOut::from).collect(),
            incoming_friend_requests: l.incoming.into_iter().map(FriendRequestOut::from).collect(),
        }
    }
}

/// `{"friends": [...]}` (reference 10.5).
#[derive(Debug, Serialize, ToSchema)]
pub struct FriendsOut {
    pub friends: Vec<UserPublicOut>,
}

/// `{"incoming_friend_requests": [...]}` or `{"outgoing_friend_requests": [...]}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestsOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incoming_friend_requests: Option<Vec<FriendRequestOut>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outgoing_friend_requests: Option<Vec<FriendRequestOut>>,
}

/// `Group` (reference 1.6). `members`/`admins` only where the reference wants them (never
/// `[]` in place of real lists: that wipes the SDK's); `join_requests`/`invites` for admins.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupOut {
    pub id: i64,
    pub name: String,
    pub group_type: String,
    pub can_auto_join: bool,
    pub is_invite_only: bool,
    pub max_group_size: Option<i64>,
    pub member_count: i64,
    pub searchable: bool,
    pub admins_only_can_create_attributes: bool,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<UserPublicOut>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admins: Option<Vec<UserPublicOut>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub join_requests: Option<Vec<ConnectionOut>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invites: Option<Vec<ConnectionOut>>,
}

impl GroupOut {
    /// Without members (the `GET /groups` list, reference 11.3).
    pub fn bare(g: Group) -> Self {
        GroupOut {
            id: g.id,
            name: g.name,
            group_type: g.group_type,
            can_auto_join: g.can_auto_join,
            is_invite_only: g.is_invite_only,
            max_group_size: g.max_group_size,
            member_count: g.member_count,
            searchable: g.searchable,
            admins_only_can_create_attributes: g.admins_only_can_create_attributes,
            created_at: iso_millis(g.created_at),
            members: None,
            admins: None,
            join_requests: None,
            invites: None,
        }
    }

    /// With the real member and admin lists.
    pub fn with_members(v: GroupView) -> Self {
        let mut g = GroupOut::bare(v.group);
        g.members = Some(v.members.iter().map(UserPublicOut::new).collect());
        g.admins = Some(v.admins.iter().map(UserPublicOut::new).collect());
        g
    }

    /// `GET /groups/{id}` (reference 11.4).
    pub fn detail(d: GroupDetail) -> Self {
        let mut g = GroupOut::with_members(d.view);
        if let Some(pending) = d.pending {
            let (invites, requests): (Vec<_>, Vec<_>) = pending
                .into_iter()
                .partition(|c| c.connection.kind == playgate_core::social::groups::ConnectionKind::Invite);
            g.invites = Some(invites.into_iter().map(ConnectionOut::from).collect());
            g.join_requests = Some(requests.into_iter().map(ConnectionOut::from).collect());
        }
        g
    }
}

/// `{"groups": [...]}` (reference 11.3).
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupsOut {
    pub groups: Vec<GroupOut>,
}

/// `GroupConnection` (reference 1.7).
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionOut {
    pub id: i64,
    pub group_id: i64,
    pub status: String,
    pub connection_type: String,
    pub user_id: i64,
    pub user: UserPublicOut,
    pub inviter_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inviter: Option<UserPublicOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub group: Option<GroupOut>,
    pub created_at: String,
}

impl From<ConnectionView> for ConnectionOut {
    fn from(v: ConnectionView) -> Self {
        let c = v.connection;
        ConnectionOut {
            id: c.id,
            group_id: c.group_id,
            status: c.status,
            connection_type: c.kind.as_str().to_owned(),
            user_id: c.player_id.0,
            user: UserPublicOut::new(&v.user),
            inviter_id: c.inviter_id.map(|i| i.0),
            inviter: v.inviter.as_ref().map(UserPublicOut::new),
            group: v.group.map(GroupOut::with_members),
            created_at: iso_millis(c.created_at),
        }
    }
}

/// `PUT /group_connections/{id}` (reference 11.8).
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionStatusOut {
    pub id: i64,
    pub status: String,
}

/// `Ranking` (reference 1.10).
#[derive(Debug, Serialize, ToSchema)]
pub struct RankingOut {
    pub id: i64,
    pub place: Option<i64>,
    pub score: Option<f64>,
    pub start_time: String,
    pub end_time: Option<String>,
    pub user: UserPublicOut,
}

impl From<Ranking> for RankingOut {
    fn from(r: Ranking) -> Self {
        RankingOut {
            id: r.id,
            place: r.place,
            score: r.score,
            start_time: iso_millis(r.start_time),
            end_time: r.end_time.map(iso_millis),
            user: UserPublicOut::new(&r.user),
        }
    }
}

/// `GameRound` (reference 1.10): `score` a JSON number, `metadata` an object, `rankings`
/// whenever the round is multiplayer.
#[derive(Debug, Serialize, ToSchema)]
pub struct GameRoundOut {
    pub id: i64,
    pub game_id: i64,
    pub game_user_id: i64,
    pub game_type: String,
    pub start_time: String,
    pub end_time: Option<String>,
    pub score: Option<f64>,
    pub place: Option<i64>,
    pub metadata: Option<serde_json::Value>,
    pub multiplayer_game_round_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rankings: Option<Vec<RankingOut>>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<GameRound> for GameRoundOut {
    fn from(r: GameRound) -> Self {
        GameRoundOut {
            id: r.id,
            game_id: r.game_id.0,
            game_user_id: r.player_id.0,
            game_type: r.game_type,
            start_time: iso_millis(r.start_time),
            end_time: r.end_time.map(iso_millis),
            score: r.score,
            place: r.place,
            // Stored only after being checked as an object; unreadable text reads as null.
            metadata: r.metadata.and_then(|m| serde_json::from_str(&m).ok()),
            multiplayer_game_round_id: r.multiplayer_id,
            rankings: r
                .multiplayer_id
                .map(|_| r.rankings.into_iter().map(RankingOut::from).collect()),
            created_at: iso_millis(r.created_at),
            updated_at: iso_millis(r.updated_at),
        }
    }
}

/// `{"game_rounds": [...]}` (reference 13.6).
#[derive(Debug, Serialize, ToSchema)]
pub struct GameRoundsOut {
    pub game_rounds: Vec<GameRoundOut>,
}

/// `POST /chats` (reference 12.2): `text` and either `usernames` or `group_id`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ChatRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub text: Option<String>,
    #[serde(default)]
    pub usernames: Option<Vec<serde_json::Value>>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub group_id: Option<i64>,
}

/// `POST /messages` (reference 12.4), nested under `message` or flat.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MessageRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub chat_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub text: Option<String>,
}

/// One group attribute to add (reference 11.13). Unreal says who may edit it the other
/// way round, `only_can_edit_by_creator` (reference 17.3).
#[derive(Debug, Deserialize, ToSchema)]
pub struct GroupAttributeIn {
    #[serde(default, deserialize_with = "lenient::string")]
    pub key: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_or_json")]
    pub value: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    pub others_can_edit: Option<bool>,
    #[serde(default, deserialize_with = "flag")]
    pub only_can_edit_by_creator: Option<bool>,
}

impl GroupAttributeIn {
    /// Whether members other than its creator may edit it (default: no).
    pub fn others_can_edit(&self) -> bool {
        self.others_can_edit
            .or(self.only_can_edit_by_creator.map(|only| !only))
            .unwrap_or(false)
    }
}

/// `POST /groups/{id}/add_attribute`: `{"attributes": [...]}` (or one flat pair).
#[derive(Debug, Deserialize, ToSchema)]
pub struct GroupAttributesRequest {
    #[serde(default)]
    pub attributes: Option<Vec<GroupAttributeIn>>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub key: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_or_json")]
    pub value: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    pub others_can_edit: Option<bool>,
    #[serde(default, deserialize_with = "flag")]
    pub only_can_edit_by_creator: Option<bool>,
}

/// `Message` (reference 1.8): `read_by` never null; `read` for the viewer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChatMessageOut {
    pub id: i64,
    pub chat_id: i64,
    pub user_id: i64,
    pub text: String,
    pub created_at: String,
    pub read_by: Vec<i64>,
    pub read: bool,
}

impl ChatMessageOut {
    pub fn new(m: Message, viewer: i64) -> Self {
        ChatMessageOut {
            read: m.read_by.contains(&viewer),
            id: m.id,
            chat_id: m.chat_id,
            user_id: m.player_id.0,
            text: m.text,
            created_at: iso_millis(m.created_at),
            read_by: m.read_by,
        }
    }
}

/// `POST /messages` (reference 12.4): the message at top level (JS) plus under
/// `message` (docs, C#): a compatible superset.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageCreatedOut {
    #[serde(flatten)]
    pub top: ChatMessageOut,
    pub message: ChatMessageOut,
}

/// `{"messages": [...]}`: the C# SDK's message page (reference 16).
#[derive(Debug, Serialize, ToSchema)]
pub struct MessagesOut {
    pub messages: Vec<ChatMessageOut>,
}

/// `Chat` (reference 1.9).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChatOut {
    pub id: i64,
    pub creator_type: &'static str,
    pub creator_id: i64,
    pub group_id: Option<i64>,
    pub participants: Vec<UserPublicOut>,
    pub messages: Vec<ChatMessageOut>,
}

impl ChatOut {
    pub fn new(c: Chat, viewer: i64) -> Self {
        let (creator_type, creator_id) = match c.rec.group_id {
            Some(g) => ("Group", g),
            None => ("User", c.rec.creator_id.0),
        };
        ChatOut {
            id: c.rec.id,
            creator_type,
            creator_id,
            group_id: c.rec.group_id,
            participants: c.participants.iter().map(UserPublicOut::new).collect(),
            messages: c.messages.into_iter().map(|m| ChatMessageOut::new(m, viewer)).collect(),
        }
    }
}

/// Chats for a viewer.
pub fn chats(v: Vec<Chat>, viewer: i64) -> Vec<ChatOut> {
    v.into_iter().map(|c| ChatOut::new(c, viewer)).collect()
}

/// `POST /chats` (reference 12.2): the chat at top level (JS) plus `chat` and
/// `chat_users` (docs, C#).
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatCreatedOut {
    #[serde(flatten)]
    pub top: ChatOut,
    pub chat: ChatOut,
    pub chat_users: Vec<UserPublicOut>,
}

/// `GET /chats/page/{page}` (reference 12.3).
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatPageOut {
    pub direct_chats: Vec<ChatOut>,
    pub group_chats: Vec<ChatOut>,
}

/// `GroupAttribute` (reference 1.13): `others_can_edit` required; `can_edit` for the viewer.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupAttributeOut {
    pub id: i64,
    pub key: String,
    pub value: String,
    pub creator_id: i64,
    pub others_can_edit: bool,
    pub can_edit: bool,
}

impl GroupAttributeOut {
    pub fn new(a: GroupAttribute, viewer: i64) -> Self {
        GroupAttributeOut {
            can_edit: a.others_can_edit || a.creator_id.0 == viewer,
            id: a.id,
            key: a.key,
            value: a.value,
            creator_id: a.creator_id.0,
            others_can_edit: a.others_can_edit,
        }
    }
}

/// `{"attributes": [...]}`: the add response, and the C# SDK's list (reference 16).
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupAttributesOut {
    pub attributes: Vec<GroupAttributeOut>,
}

// ---------------------------------------------------------------- document-only views

/// `GET /users/{id}`: the caller's full data, or another user's public view (for the
/// OpenAPI document; the handler answers one of the two).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[expect(dead_code, reason = "describes an answer in the OpenAPI document only")]
pub enum UserView {
    Full(Box<FullUserOut>),
    Other(Box<OtherUserOut>),
}

/// `GET /groups/{id}/attributes`: a bare array (JS) or `{"attributes": [...]}` (native).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[expect(dead_code, reason = "describes an answer in the OpenAPI document only")]
pub enum GroupAttributesView {
    Js(Vec<GroupAttributeOut>),
    Native(GroupAttributesOut),
}

/// `GET /messages/page/{page}`: a bare array (JS) or `{"messages": [...]}` (native).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[expect(dead_code, reason = "describes an answer in the OpenAPI document only")]
pub enum MessagesView {
    Js(Vec<ChatMessageOut>),
    Native(MessagesOut),
}

// ---------------------------------------------------------------- native SDKs (17)

/// The shapes the native SDKs (C#, Unreal) need where the JS ones differ (reference 17.4,
/// 17.7): the C# client throws on `null` in a field it types as a number (and then sends
/// the request again), so those get numbers, `0` meaning "none" (no size limit, no place
/// or score yet); a direct chat's `creator_type` is `user` (Unreal compares it).
pub trait Native {
    /// Applies the native shapes in place, recursively.
    fn native(&mut self);
}

/// `v` in the native shapes when `native`, unchanged otherwise.
pub fn shaped<T: Native>(mut v: T, native: bool) -> T {
    if native {
        v.native();
    }
    v
}

impl<T: Native> Native for Vec<T> {
    fn native(&mut self) {
        self.iter_mut().for_each(Native::native);
    }
}

impl<T: Native> Native for Option<T> {
    fn native(&mut self) {
        if let Some(v) = self {
            v.native();
        }
    }
}

impl Native for GroupOut {
    fn native(&mut self) {
        self.max_group_size.get_or_insert(0);
        self.join_requests.native();
        self.invites.native();
    }
}

impl Native for GroupsOut {
    fn native(&mut self) {
        self.groups.native();
    }
}

impl Native for ConnectionOut {
    fn native(&mut self) {
        self.group.native();
    }
}

impl Native for RankingOut {
    fn native(&mut self) {
        self.place.get_or_insert(0);
        self.score.get_or_insert(0.0);
    }
}

impl Native for GameRoundOut {
    fn native(&mut self) {
        self.place.get_or_insert(0);
        self.score.get_or_insert(0.0);
        self.rankings.native();
    }
}

impl Native for GameRoundsOut {
    fn native(&mut self) {
        self.game_rounds.native();
    }
}

impl Native for ChatOut {
    fn native(&mut self) {
        if self.group_id.is_none() {
            self.creator_type = "user";
        }
    }
}

impl Native for ChatPageOut {
    fn native(&mut self) {
        self.direct_chats.native();
        self.group_chats.native();
    }
}

impl Native for ChatCreatedOut {
    fn native(&mut self) {
        // Unreal's chat spec expects the message just posted unread in this answer
        // (reference 17.5); `read_by` still lists its sender.
        for c in [&mut self.top, &mut self.chat] {
            c.native();
            if let Some(m) = c.messages.first_mut() {
                m.read = false;
            }
        }
    }
}

impl Native for FullUserOut {
    fn native(&mut self) {
        self.direct_chats.native();
        self.group_chats.native();
        self.groups.native();
        self.group_invites.native();
        self.group_join_requests.native();
        self.game_rounds.native();
    }
}

impl Native for OtherUserOut {
    fn native(&mut self) {
        self.groups.native();
        self.game_rounds.native();
    }
}
