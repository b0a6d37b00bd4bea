//! Friend requests and friendships.

use super::UserPublicOut;
use crate::common::lenient;
use playgate_core::social::friends::{FriendLists, FriendRequest};
use playgate_core::vendor::gamefuse::iso_millis;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
