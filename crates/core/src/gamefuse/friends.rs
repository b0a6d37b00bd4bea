//! Friend requests and friendships of GameFuse users (reference 10): who may ask, answer,
//! cancel and unfriend.

use super::Gamefuse;
use super::social::me;
use super::users::Caller;
use crate::ids::PlayerId;
use crate::social::friends::{FriendLink, FriendLists, FriendRequest};
use crate::{Conflict, Entity, Error, Result};

/// Splits a user's friendship rows into the three lists (rows come newest first).
pub(super) fn friend_lists(links: Vec<FriendLink>) -> FriendLists {
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

impl Gamefuse {
    // -------------------------------------------------------------- friends
    /// `POST /friendships`: a request to the user with this username (same game); 422
    /// for an unknown user, oneself, or two users who already have a request or friendship.
    pub async fn send_friend_request(&self, caller: &Caller, username: &str) -> Result<FriendRequest> {
        let me = me(caller)?;
        let key = username.trim().to_lowercase();
        if key.is_empty() {
            return Err(Error::invalid("username", "is required"));
        }
        let other = self
            .store()
            .user_by_username(caller.game.id, &key)
            .await?
            .ok_or_else(|| Error::Conflict(Conflict::UnknownUser))?;
        if other.id == me.id {
            return Err(Error::Conflict(Conflict::FriendRequestToSelf));
        }
        let f = self
            .store()
            .insert_friendship(caller.game.id, me.id, other.id, self.now())
            .await?;
        Ok(FriendRequest {
            friendship_id: f.id,
            requested_at: f.created_at,
            user: other,
        })
    }

    /// `PUT /friendships/{id}`: the recipient of a pending request accepts or declines it
    /// (a declined request is deleted: listed nowhere, reference 10).
    pub async fn answer_friend_request(&self, caller: &Caller, id: i64, accept: bool) -> Result<()> {
        let me = me(caller)?;
        let f = self
            .store()
            .friendship(caller.game.id, id)
            .await?
            .ok_or(Error::NotFound(Entity::Friendship))?;
        if f.addressee != me.id || f.status != "pending" {
            return Err(Error::Conflict(Conflict::NotFriendRequestRecipient));
        }
        let done = if accept {
            self.store().accept_friendship(id).await?
        } else {
            self.store().delete_friendship(id, "pending").await?
        };
        if !done {
            return Err(Error::Conflict(Conflict::FriendRequestNotPending));
        }
        Ok(())
    }

    /// `DELETE /friendships/{id}`: the sender cancels a pending request.
    pub async fn cancel_friend_request(&self, caller: &Caller, id: i64) -> Result<()> {
        let me = me(caller)?;
        let f = self
            .store()
            .friendship(caller.game.id, id)
            .await?
            .ok_or(Error::NotFound(Entity::Friendship))?;
        if f.requester != me.id || f.status != "pending" {
            return Err(Error::Conflict(Conflict::NotFriendRequestSender));
        }
        if !self.store().delete_friendship(id, "pending").await? {
            return Err(Error::Conflict(Conflict::FriendRequestNotPending));
        }
        Ok(())
    }

    /// `DELETE /unfriend`: ends an accepted friendship, either side.
    pub async fn unfriend(&self, caller: &Caller, other: i64) -> Result<()> {
        let me = me(caller)?;
        if !self.store().unfriend(me.id, PlayerId(other)).await? {
            return Err(Error::Conflict(Conflict::NotFriends));
        }
        Ok(())
    }

    /// A user's friends and pending requests; another user's (same game) friends only.
    pub async fn friend_lists(&self, caller: &Caller, of: Option<i64>) -> Result<FriendLists> {
        let me = me(caller)?;
        let id = match of {
            Some(id) if id != me.id.0 => self.user(caller, id).await?.id,
            _ => me.id,
        };
        let mut lists = friend_lists(self.store().friend_links(id).await?);
        if id != me.id {
            lists.incoming.clear();
            lists.outgoing.clear();
        }
        Ok(lists)
    }
}
