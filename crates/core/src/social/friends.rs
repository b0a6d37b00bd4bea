//! Friendships: requests between two users of a game, accepted or declined.

use crate::Result;
use crate::client_users::ClientUser;
use crate::clock::Timestamp;
use crate::ids::{GameId, PlayerId};
use async_trait::async_trait;

/// A friendship row: a pending request or an accepted friendship.
#[derive(Debug, Clone)]
pub struct Friendship {
    pub id: i64,
    pub game_id: GameId,
    pub requester: PlayerId,
    pub addressee: PlayerId,
    /// `pending` or `accepted`.
    pub status: String,
    pub created_at: Timestamp,
}

/// A friendship as one of its users sees it: the other party and the direction.
#[derive(Debug, Clone)]
pub struct FriendLink {
    pub friendship_id: i64,
    pub accepted: bool,
    /// Whether the other party sent it.
    pub incoming: bool,
    pub requested_at: Timestamp,
    pub other: ClientUser,
}

/// A pending request as its lists show it.
#[derive(Debug, Clone)]
pub struct FriendRequest {
    pub friendship_id: i64,
    pub requested_at: Timestamp,
    /// The other party.
    pub user: ClientUser,
}

/// A user's friends and pending requests, newest first.
#[derive(Debug, Clone, Default)]
pub struct FriendLists {
    pub friends: Vec<ClientUser>,
    pub incoming: Vec<FriendRequest>,
    pub outgoing: Vec<FriendRequest>,
}

/// Persistence of friend requests and friendships.
#[async_trait]
pub trait FriendStore: Send + Sync {
    /// A friendship row of `game`.
    async fn friendship(&self, game: GameId, id: i64) -> Result<Option<Friendship>>;
    /// A pending request; `Conflict` if the two users already have a row.
    async fn insert_friendship(
        &self,
        game: GameId,
        requester: PlayerId,
        addressee: PlayerId,
        now: Timestamp,
    ) -> Result<Friendship>;
    /// Accepts a pending row; whether it was pending.
    async fn accept_friendship(&self, id: i64) -> Result<bool>;
    /// Deletes the row if it has `status`; whether it did.
    async fn delete_friendship(&self, id: i64, status: &str) -> Result<bool>;
    /// Deletes the accepted friendship of two users; whether there was one.
    async fn unfriend(&self, a: PlayerId, b: PlayerId) -> Result<bool>;
    /// Every pending or accepted row of the user, with the other party, newest first.
    async fn friend_links(&self, player: PlayerId) -> Result<Vec<FriendLink>>;
}
