//! Users: sign-up, sign-in, profile and password changes, password reset, and the user views.

use super::{
    AttributeOut, ChatOut, ConnectionOut, FriendListsOut, FriendRequestOut, GameRoundOut, GroupOut, StoreItemOut,
    attributes, chats, items,
};
use crate::common::lenient;
use playgate_core::client_users::{ClientUser, SignedIn};
use playgate_core::clock::Timestamp;
use playgate_core::economy::attributes::UserAttribute;
use playgate_core::economy::store_items::StoreItem;
use playgate_core::rounds::GameRound;
use playgate_core::social::chats::Chat;
use playgate_core::social::friends::FriendLists;
use playgate_core::social::groups::Memberships;
use playgate_core::vendor::gamefuse::iso_millis;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The relations of a user's full data (reference 1.3), as its services read them.
#[derive(Debug, Clone, Default)]
pub struct Relations {
    pub friends: FriendLists,
    /// Groups, pending invites and join requests.
    pub memberships: Memberships,
    pub game_rounds: Vec<GameRound>,
    /// Page 1 of the user's direct chats (not for other users).
    pub direct_chats: Vec<Chat>,
    /// Page 1 of the chats of the user's groups (not for other users).
    pub group_chats: Vec<Chat>,
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

/// `forget_password` (reference 14).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ForgotRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub email: Option<String>,
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

/// GameFuse's "system e-mail" of a user: `_appid_<game>_<email>` (seed 003).
pub(super) fn system_email(u: &ClientUser) -> String {
    format!("_appid_{}_{}", u.game_id, u.display_email)
}

impl UserPublicOut {
    pub fn new(u: &ClientUser) -> Self {
        UserPublicOut {
            id: u.id.0,
            username: u.username.clone(),
            email: system_email(u),
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
        // The friend lists as `GET /friendships` shows them (reference 10.5).
        let friends = FriendListsOut::from(rel.friends);
        FullUserOut {
            user,
            friends: friends.friends,
            incoming_friend_requests: friends.incoming_friend_requests,
            outgoing_friend_requests: friends.outgoing_friend_requests,
            direct_chats: chats(rel.direct_chats, viewer),
            group_chats: chats(rel.group_chats, viewer),
            groups: rel.memberships.groups.into_iter().map(GroupOut::with_members).collect(),
            group_invites: rel.memberships.invites.into_iter().map(ConnectionOut::from).collect(),
            group_join_requests: rel
                .memberships
                .join_requests
                .into_iter()
                .map(ConnectionOut::from)
                .collect(),
            game_rounds: rel.game_rounds.into_iter().map(GameRoundOut::from).collect(),
            game_user_attributes: attributes(attrs),
            game_user_store_items: items(owned),
        }
    }

    /// The sign-in (or sign-up) response.
    pub fn signed_in(
        s: SignedIn,
        rel: Relations,
        attrs: Vec<UserAttribute>,
        owned: Vec<StoreItem>,
        now: Timestamp,
    ) -> Self {
        let user = UserSelfOut::new(&s.user, Some(s.token.expose().to_owned()), now).new_user(s.is_new_user);
        Self::new(user, rel, attrs, owned)
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
            groups: rel.memberships.groups.into_iter().map(GroupOut::with_members).collect(),
            game_rounds: rel.game_rounds.into_iter().map(GameRoundOut::from).collect(),
        }
    }
}

/// `forget_password` (reference 14).
#[derive(Debug, Serialize, ToSchema)]
pub struct ForgotOut {
    pub mailer_response: Option<String>,
    pub message: String,
}

/// `GET /users/{id}`: the caller's full data, or another user's public view (for the
/// OpenAPI document; the handler answers one of the two).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[expect(dead_code, reason = "describes an answer in the OpenAPI document only")]
pub enum UserView {
    Full(Box<FullUserOut>),
    Other(Box<OtherUserOut>),
}
