//! Friendships: requests between two users of a game, accepted or declined.

use crate::client_users::{ClientUser, ClientUserStore};
use crate::clock::Clock;
use crate::clock::Timestamp;
use crate::ids::{GameId, PlayerId};
use crate::{Conflict, Entity, Error, Result};
use std::sync::Arc;

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

impl FriendLists {
    /// Splits a user's friendship rows (newest first) into the three lists.
    pub fn from_links(links: Vec<FriendLink>) -> FriendLists {
        let mut out = FriendLists::default();
        for l in links {
            let req = FriendRequest {
                friendship_id: l.friendship_id,
                requested_at: l.requested_at,
                user: l.other,
            };
            if l.accepted {
                out.friends.push(req.user);
            } else if l.incoming {
                out.incoming.push(req);
            } else {
                out.outgoing.push(req);
            }
        }
        out
    }
}

/// The friends service: requests between users of one game, their answers, unfriending,
/// and the lists.
#[derive(Clone)]
pub struct Friends {
    users: Arc<dyn ClientUserStore>,
    friends: Arc<dyn FriendStore>,
    clock: Arc<dyn Clock>,
}

impl Friends {
    /// The service over its stores.
    pub fn new(users: Arc<dyn ClientUserStore>, friends: Arc<dyn FriendStore>, clock: Arc<dyn Clock>) -> Self {
        Friends { users, friends, clock }
    }

    /// A request from `me` to the user of its game with this username: `Conflict` for an
    /// unknown user, oneself, or two users who already have a request or friendship.
    pub async fn request(&self, me: &ClientUser, username: &str) -> Result<FriendRequest> {
        let key = username.trim().to_lowercase();
        if key.is_empty() {
            return Err(Error::invalid("username", "is required"));
        }
        let other = self
            .users
            .user_by_username(me.game_id, &key)
            .await?
            .ok_or(Error::Conflict(Conflict::UnknownUser))?;
        if other.id == me.id {
            return Err(Error::Conflict(Conflict::FriendRequestToSelf));
        }
        let f = self
            .friends
            .insert_friendship(me.game_id, me.id, other.id, self.clock.now())
            .await?;
        Ok(FriendRequest {
            friendship_id: f.id,
            requested_at: f.created_at,
            user: other,
        })
    }

    /// The recipient of a pending request accepts or declines it (a declined request is
    /// deleted: listed nowhere).
    pub async fn answer(&self, me: &ClientUser, id: i64, accept: bool) -> Result<()> {
        let f = self.friendship(me, id).await?;
        if f.addressee != me.id || f.status != "pending" {
            return Err(Error::Conflict(Conflict::NotFriendRequestRecipient));
        }
        let done = if accept {
            self.friends.accept_friendship(id).await?
        } else {
            self.friends.delete_friendship(id, "pending").await?
        };
        if !done {
            return Err(Error::Conflict(Conflict::FriendRequestNotPending));
        }
        Ok(())
    }

    /// The sender cancels a pending request.
    pub async fn cancel(&self, me: &ClientUser, id: i64) -> Result<()> {
        let f = self.friendship(me, id).await?;
        if f.requester != me.id || f.status != "pending" {
            return Err(Error::Conflict(Conflict::NotFriendRequestSender));
        }
        if !self.friends.delete_friendship(id, "pending").await? {
            return Err(Error::Conflict(Conflict::FriendRequestNotPending));
        }
        Ok(())
    }

    /// A friendship row of `me`'s game; `NotFound(Friendship)` without one.
    async fn friendship(&self, me: &ClientUser, id: i64) -> Result<Friendship> {
        self.friends
            .friendship(me.game_id, id)
            .await?
            .ok_or(Error::NotFound(Entity::Friendship))
    }

    /// Ends an accepted friendship, from either side.
    pub async fn unfriend(&self, me: &ClientUser, other: PlayerId) -> Result<()> {
        if !self.friends.unfriend(me.id, other).await? {
            return Err(Error::Conflict(Conflict::NotFriends));
        }
        Ok(())
    }

    /// A user's friends, and its pending requests if `with_requests` (only a user's own
    /// lists show them).
    pub async fn lists(&self, user: PlayerId, with_requests: bool) -> Result<FriendLists> {
        Ok(Self::lists_from(self.friends.friend_links(user).await?, with_requests))
    }

    /// [`Friends::lists`] from the user's links, already read (`FriendStore::friend_links`).
    pub fn lists_from(links: Vec<FriendLink>, with_requests: bool) -> FriendLists {
        let mut lists = FriendLists::from_links(links);
        if !with_requests {
            lists.incoming.clear();
            lists.outgoing.clear();
        }
        lists
    }
}
