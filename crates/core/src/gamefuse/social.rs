//! GameFuse's social features (reference 10, 11, 13): friendships, groups and their
//! membership, game rounds, and the relations of a user's full data (1.3). The rules of who
//! may do what live here; the dialect only translates, the store only stores.

use super::Gamefuse;
use super::users::Caller;
use crate::client_users::ClientUser;
use crate::ids::{GameId, PlayerId};
use crate::rounds::{GameRound, Multiplayer, NewRound, RoundInput, RoundPatch};
use crate::social::chats::Chat;
use crate::social::friends::{FriendLink, FriendLists, FriendRequest};
use crate::social::groups::{
    ConnectCommand, Connection, ConnectionKind, ConnectionView, Group, GroupDetail, GroupInput, GroupPatch, GroupView,
    Member, NewGroup,
};
use crate::{Conflict, Entity, Error, Forbidden, Result, Unauthorized};
use std::collections::{HashMap, HashSet};

// ------------------------------------------------------------------ types

/// The relation arrays of a user's full data (reference 1.3).
#[derive(Debug, Clone, Default)]
pub struct Relations {
    pub friends: FriendLists,
    /// Groups the user is an accepted member of, oldest membership first.
    pub groups: Vec<GroupView>,
    /// Pending invites addressed to the user, with group, user and inviter.
    pub group_invites: Vec<ConnectionView>,
    /// Pending join requests the user made, with group and user.
    pub group_join_requests: Vec<ConnectionView>,
    pub game_rounds: Vec<GameRound>,
    /// Page 1 of the user's direct chats (not for other users).
    pub direct_chats: Vec<Chat>,
    /// Page 1 of the chats of the user's groups (not for other users).
    pub group_chats: Vec<Chat>,
}

// ------------------------------------------------------------------ rules

const MAX_NAME: usize = 255;

fn me(caller: &Caller) -> Result<&ClientUser> {
    caller.user()
}

fn check_name(name: &str) -> Result<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > MAX_NAME || n.chars().any(char::is_control) {
        return Err(Error::invalid("name", "is required, at most 255 characters"));
    }
    Ok(n.to_owned())
}

fn check_size(size: Option<i64>) -> Result<Option<i64>> {
    match size {
        Some(n) if n < 1 => Err(Error::invalid("max_group_size", "must be at least 1")),
        other => Ok(other),
    }
}

fn check_score(score: Option<f64>) -> Result<Option<f64>> {
    match score {
        Some(s) if !s.is_finite() => Err(Error::invalid("score", "must be a number")),
        other => Ok(other),
    }
}

fn check_metadata(m: Option<String>) -> Result<Option<String>> {
    if let Some(m) = &m {
        super::economy::check_value("metadata", m)?;
    }
    Ok(m)
}

fn check_game_type(t: &str) -> Result<String> {
    let t = t.trim();
    if t.is_empty() || t.chars().count() > MAX_NAME {
        return Err(Error::invalid("game_type", "is required, at most 255 characters"));
    }
    Ok(t.to_owned())
}

/// Splits a user's friendship rows into the three lists (rows come newest first).
fn friend_lists(links: Vec<FriendLink>) -> FriendLists {
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

/// Groups with their members, from one members query.
fn views(groups: Vec<Group>, members: &[Member]) -> Vec<GroupView> {
    groups
        .into_iter()
        .map(|group| {
            let of: Vec<&Member> = members.iter().filter(|m| m.group_id == group.id).collect();
            GroupView {
                members: of.iter().map(|m| m.user.clone()).collect(),
                admins: of.iter().filter(|m| m.is_admin).map(|m| m.user.clone()).collect(),
                group,
            }
        })
        .collect()
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

    // -------------------------------------------------------------- groups

    async fn view(&self, game: GameId, id: i64) -> Result<GroupView> {
        let groups = self.store().groups(game, &[id]).await?;
        if groups.is_empty() {
            return Err(Error::NotFound(Entity::Group));
        }
        let members = self.store().members(&[id]).await?;
        views(groups, &members).pop().ok_or(Error::NotFound(Entity::Group))
    }

    async fn admin_of(&self, caller: &Caller, group: i64) -> Result<(ClientUser, GroupView)> {
        let me = me(caller)?.clone();
        let view = self.view(caller.game.id, group).await?;
        if !view.admins.iter().any(|a| a.id == me.id) {
            return Err(Error::Forbidden(Forbidden::NotGroupAdmin));
        }
        Ok((me, view))
    }

    /// `POST /groups`: the creator becomes an accepted member and admin (reference 11.1).
    pub async fn create_group(&self, caller: &Caller, input: GroupInput) -> Result<GroupView> {
        let me = me(caller)?;
        let g = NewGroup {
            game_id: caller.game.id,
            creator: me.id,
            name: check_name(input.name.as_deref().unwrap_or(""))?,
            group_type: input
                .group_type
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| "default".into()),
            can_auto_join: input.can_auto_join.unwrap_or(false),
            is_invite_only: input.is_invite_only.unwrap_or(false),
            max_group_size: check_size(input.max_group_size.flatten())?,
            searchable: input.searchable.unwrap_or(true),
            // The SDK's local default; the docs give none (reference 11.2).
            admins_only_can_create_attributes: input.admins_only_can_create_attributes.unwrap_or(true),
            now: self.now(),
        };
        let id = self.store().insert_group(&g).await?;
        self.view(caller.game.id, id).await
    }

    /// `GET /groups[?query=]`: the game's searchable groups (without members); with a
    /// query, those whose name contains it, ignoring case (Unreal's search, 17.3).
    pub async fn list_groups(&self, caller: &Caller, query: Option<&str>) -> Result<Vec<Group>> {
        me(caller)?;
        let mut groups = self.store().list_groups(caller.game.id).await?;
        if let Some(q) = query.map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty()) {
            groups.retain(|g| g.name.to_lowercase().contains(&q));
        }
        Ok(groups)
    }

    /// `GET /user/groups`: the groups the caller is an accepted member of, oldest
    /// membership first, with members and admins.
    pub async fn my_groups(&self, caller: &Caller) -> Result<Vec<GroupView>> {
        let me = me(caller)?;
        let ids: Vec<i64> = self
            .store()
            .connections_of_user(me.id)
            .await?
            .into_iter()
            .filter(|c| c.status == "accepted")
            .map(|c| c.group_id)
            .collect();
        let groups = self.store().groups(caller.game.id, &ids).await?;
        let members = self.store().members(&ids).await?;
        let mut by_id: HashMap<i64, GroupView> = views(groups, &members).into_iter().map(|v| (v.group.id, v)).collect();
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    /// `GET /groups/{id}`: any user of the game; pending invites and requests for admins.
    pub async fn group(&self, caller: &Caller, id: i64) -> Result<GroupDetail> {
        let me = me(caller)?;
        let view = self.view(caller.game.id, id).await?;
        let pending = if view.admins.iter().any(|a| a.id == me.id) {
            let conns = self.store().pending_of_group(id).await?;
            Some(self.connection_views(caller.game.id, conns, false).await?)
        } else {
            None
        };
        Ok(GroupDetail { view, pending })
    }

    /// `PUT /groups/{id}`: admins only.
    pub async fn update_group(&self, caller: &Caller, id: i64, input: GroupInput) -> Result<GroupView> {
        self.admin_of(caller, id).await?;
        let patch = GroupPatch {
            name: input.name.as_deref().map(check_name).transpose()?,
            can_auto_join: input.can_auto_join,
            is_invite_only: input.is_invite_only,
            max_group_size: input.max_group_size.map(check_size).transpose()?,
        };
        self.store().update_group(id, &patch).await?;
        self.view(caller.game.id, id).await
    }

    /// `DELETE /groups/{id}`: admins only; its connections go with it.
    pub async fn delete_group(&self, caller: &Caller, id: i64) -> Result<()> {
        self.admin_of(caller, id).await?;
        self.store().delete_group(id).await
    }

    /// Connections with their users (and, if `with_group`, their groups), in a constant
    /// number of queries.
    async fn connection_views(
        &self,
        game: GameId,
        conns: Vec<Connection>,
        with_group: bool,
    ) -> Result<Vec<ConnectionView>> {
        let ids: Vec<i64> = conns
            .iter()
            .flat_map(|c| std::iter::once(c.player_id.0).chain(c.inviter_id.map(|i| i.0)))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let users: HashMap<i64, ClientUser> = self
            .store()
            .users(game, &ids)
            .await?
            .into_iter()
            .map(|u| (u.id.0, u))
            .collect();
        let groups: HashMap<i64, GroupView> = if with_group {
            let gids: Vec<i64> = conns
                .iter()
                .map(|c| c.group_id)
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            let groups = self.store().groups(game, &gids).await?;
            let members = self.store().members(&gids).await?;
            views(groups, &members).into_iter().map(|v| (v.group.id, v)).collect()
        } else {
            HashMap::new()
        };
        Ok(conns
            .into_iter()
            .filter_map(|c| {
                let user = users.get(&c.player_id.0)?.clone();
                let inviter = c.inviter_id.and_then(|i| users.get(&i.0).cloned());
                let group = groups.get(&c.group_id).cloned();
                if with_group && group.is_none() {
                    return None;
                }
                Some(ConnectionView {
                    connection: c,
                    user,
                    inviter,
                    group,
                })
            })
            .collect())
    }

    /// `POST /group_connections` (reference 11.7): join, join request or invite. Who is
    /// connected, by whom, and the status are derived, never taken from the client.
    pub async fn connect(&self, caller: &Caller, cmd: ConnectCommand) -> Result<ConnectionView> {
        let me = me(caller)?.clone();
        let view = self.view(caller.game.id, cmd.group_id).await?;
        let g = &view.group;
        let now = self.now();
        let other = cmd.user_id.filter(|id| *id != me.id.0);
        let kind = cmd.kind.unwrap_or(if other.is_some() {
            ConnectionKind::Invite
        } else if g.can_auto_join && !g.is_invite_only {
            ConnectionKind::Join
        } else {
            ConnectionKind::JoinRequest
        });
        let mut c = Connection {
            id: 0,
            group_id: g.id,
            player_id: me.id,
            inviter_id: None,
            kind,
            status: "pending".into(),
            is_admin: false,
            created_at: now,
        };
        let (user, inviter, replace_removed) = match kind {
            ConnectionKind::Join => {
                if !g.can_auto_join || g.is_invite_only {
                    return Err(Error::Forbidden(Forbidden::GroupNeedsInvite));
                }
                c.status = "accepted".into();
                (me.clone(), None, false)
            }
            ConnectionKind::JoinRequest => {
                // An invite-only group takes requests too; they wait for an admin
                // (Unreal's group tests, reference 17.6). Only a self-join is refused.
                if g.can_auto_join && !g.is_invite_only {
                    c.status = "accepted".into();
                }
                (me.clone(), None, false)
            }
            ConnectionKind::Invite => {
                if !view.admins.iter().any(|a| a.id == me.id) {
                    return Err(Error::Forbidden(Forbidden::InviteNeedsAdmin));
                }
                let name = cmd.username.as_deref().map(str::trim).unwrap_or("").to_lowercase();
                let invitee = match (name.is_empty(), other) {
                    (false, _) => self.store().user_by_username(caller.game.id, &name).await?,
                    (true, Some(id)) => self.store().user(caller.game.id, PlayerId(id)).await?,
                    (true, None) => return Err(Error::invalid("username", "is required")),
                }
                .ok_or_else(|| Error::Conflict(Conflict::UnknownUser))?;
                c.player_id = invitee.id;
                c.inviter_id = Some(me.id);
                // An admin may invite back a user an admin removed.
                (invitee, Some(me.clone()), true)
            }
        };
        let max = if c.status == "accepted" { g.max_group_size } else { None };
        c.id = self.store().insert_connection(&c, replace_removed, max).await?;
        Ok(ConnectionView {
            connection: c,
            user,
            inviter,
            group: None,
        })
    }

    /// `PUT /group_connections/{id}`: the invited user answers an invite, an admin a join
    /// request. Accepting makes a plain member; declining deletes the row.
    pub async fn answer_connection(&self, caller: &Caller, id: i64, accept: bool) -> Result<Connection> {
        let me = me(caller)?.clone();
        let mut c = self
            .store()
            .connection(id)
            .await?
            .ok_or(Error::NotFound(Entity::GroupConnection))?;
        let view = self.view(caller.game.id, c.group_id).await?;
        if c.status != "pending" {
            return Err(Error::Conflict(Conflict::ConnectionNotPending));
        }
        let allowed = match c.kind {
            ConnectionKind::Invite => c.player_id == me.id,
            _ => view.admins.iter().any(|a| a.id == me.id),
        };
        if !allowed {
            return Err(Error::Forbidden(Forbidden::NotConnectionAddressee));
        }
        if accept {
            self.store()
                .update_connection(id, "accepted", false, view.group.max_group_size, self.now())
                .await?;
            c.status = "accepted".into();
        } else {
            self.store().delete_connection(id).await?;
            c.status = "declined".into();
        }
        Ok(c)
    }

    /// `PUT /group_connections/{id}` as the Unreal SDK also sends it to leave a group: a
    /// decline naming a *group* the caller belongs to (reference 17.3). A connection the
    /// caller may answer wins; otherwise a decline of a group one is a member of leaves it,
    /// and anything else is refused as [`Gamefuse::answer_connection`] refuses it.
    pub async fn answer_or_leave(&self, caller: &Caller, id: i64, accept: bool) -> Result<Connection> {
        let answered = self.answer_connection(caller, id, accept).await;
        if accept || answered.is_ok() {
            return answered;
        }
        let me = me(caller)?;
        let member = self
            .store()
            .connection_of(id, me.id)
            .await?
            .filter(|c| c.status == "accepted");
        match member {
            Some(mut c) if !self.store().groups(caller.game.id, &[id]).await?.is_empty() => {
                self.store().delete_connection(c.id).await?;
                c.status = "declined".into();
                Ok(c)
            }
            _ => answered,
        }
    }

    /// `DELETE /group_connections/cancel/{id}`: the inviter withdraws an invite, the
    /// requester a join request.
    pub async fn cancel_connection(&self, caller: &Caller, id: i64) -> Result<()> {
        let me = me(caller)?;
        let c = self
            .store()
            .connection(id)
            .await?
            .ok_or(Error::NotFound(Entity::GroupConnection))?;
        // Same game: the group must be visible to the caller.
        self.view(caller.game.id, c.group_id).await?;
        let mine = match c.kind {
            ConnectionKind::Invite => c.inviter_id == Some(me.id),
            _ => c.player_id == me.id,
        };
        if c.status != "pending" || !mine {
            return Err(Error::Forbidden(Forbidden::NotConnectionSender));
        }
        self.store().delete_connection(id).await?;
        Ok(())
    }

    /// `DELETE /group_connections/leave/{group}`: the caller leaves.
    pub async fn leave_group(&self, caller: &Caller, group: i64) -> Result<()> {
        let me = me(caller)?;
        self.view(caller.game.id, group).await?;
        let c = self
            .store()
            .connection_of(group, me.id)
            .await?
            .filter(|c| c.status == "accepted")
            .ok_or_else(|| Error::Conflict(Conflict::CallerNotGroupMember))?;
        self.store().delete_connection(c.id).await?;
        Ok(())
    }

    /// `PUT /group_connections/remove_member/{user}`: an admin removes a member, who then
    /// cannot join again by themselves (reference 11.11).
    pub async fn remove_member(&self, caller: &Caller, group: i64, user: i64) -> Result<()> {
        self.admin_of(caller, group).await?;
        let c = self
            .store()
            .connection_of(group, PlayerId(user))
            .await?
            .filter(|c| c.status == "accepted")
            .ok_or_else(|| Error::Conflict(Conflict::UserNotGroupMember))?;
        self.store()
            .update_connection(c.id, "removed", false, None, self.now())
            .await?;
        Ok(())
    }

    /// `PUT /group_connections/make_admin/{user}`: an admin promotes a member.
    pub async fn make_admin(&self, caller: &Caller, group: i64, user: i64) -> Result<()> {
        self.admin_of(caller, group).await?;
        let c = self
            .store()
            .connection_of(group, PlayerId(user))
            .await?
            .filter(|c| c.status == "accepted")
            .ok_or_else(|| Error::Conflict(Conflict::UserNotGroupMember))?;
        self.store()
            .update_connection(c.id, "accepted", true, None, self.now())
            .await
    }

    /// `DELETE /groups/{id}/admins/{user}`: an admin makes another admin a plain member.
    /// The last admin stays (a group without one could not be managed).
    pub async fn remove_admin(&self, caller: &Caller, group: i64, user: i64) -> Result<()> {
        let (_, view) = self.admin_of(caller, group).await?;
        let c = self
            .store()
            .connection_of(group, PlayerId(user))
            .await?
            .filter(|c| c.status == "accepted" && c.is_admin)
            .ok_or_else(|| Error::Conflict(Conflict::UserNotGroupAdmin))?;
        if view.admins.len() < 2 {
            return Err(Error::Conflict(Conflict::LastGroupAdmin));
        }
        self.store()
            .update_connection(c.id, "accepted", false, None, self.now())
            .await
    }

    // -------------------------------------------------------------- game rounds

    async fn round_of_game(&self, caller: &Caller, id: i64) -> Result<GameRound> {
        self.store()
            .rounds(caller.game.id, &[id])
            .await?
            .pop()
            .ok_or(Error::NotFound(Entity::GameRound))
    }

    /// Whether the caller may change a round: its owner, or the master of its container.
    async fn may_change(&self, caller: &Caller, r: &GameRound) -> Result<()> {
        let me = me(caller)?;
        if r.player_id == me.id {
            return Ok(());
        }
        if let Some(mp) = r.multiplayer_id
            && self.store().multiplayer_master(caller.game.id, mp).await? == Some(me.id)
        {
            return Ok(());
        }
        Err(Error::Unauthorized(Unauthorized::NotRoundOwner))
    }

    /// `POST /game_rounds` (reference 13.2). A round for another user is allowed only in an
    /// existing multiplayer container the caller mastered or plays in (the SDK's "add
    /// player"); otherwise the round is the caller's.
    pub async fn create_round(&self, caller: &Caller, input: RoundInput) -> Result<GameRound> {
        let me = me(caller)?;
        let game_type = check_game_type(input.game_type.as_deref().unwrap_or(""))?;
        let owner = input
            .game_user_id
            .ok_or_else(|| Error::invalid("game_user_id", "is required"))?;
        let multiplayer = match input.multiplayer_game_round_id {
            Some(mp) => {
                let master = self
                    .store()
                    .multiplayer_master(caller.game.id, mp)
                    .await?
                    .ok_or(Error::NotFound(Entity::MultiplayerGameRound))?;
                if owner != me.id.0 && master != me.id {
                    return Err(Error::Unauthorized(Unauthorized::NotRoundMaster));
                }
                Multiplayer::Join(mp)
            }
            None if input.multiplayer => Multiplayer::New(me.id),
            None => Multiplayer::No,
        };
        if owner != me.id.0 {
            if multiplayer == Multiplayer::No || matches!(multiplayer, Multiplayer::New(_)) {
                return Err(Error::Unauthorized(Unauthorized::RoundForOtherUser));
            }
            // The other player must be of this game.
            self.user(caller, owner).await?;
        }
        let now = self.now();
        let r = NewRound {
            game_id: caller.game.id,
            player_id: PlayerId(owner),
            game_type,
            start_time: input.start_time.unwrap_or(now),
            end_time: input.end_time,
            score: check_score(input.score)?,
            place: input.place,
            metadata: check_metadata(input.metadata)?,
            multiplayer,
            now,
        };
        let id = self.store().insert_round(&r).await?;
        self.round_of_game(caller, id).await
    }

    /// `PUT /game_rounds/{id}`: the owner (or the container's master); partial.
    pub async fn update_round(&self, caller: &Caller, id: i64, input: RoundInput) -> Result<GameRound> {
        let r = self.round_of_game(caller, id).await?;
        self.may_change(caller, &r).await?;
        let patch = RoundPatch {
            game_type: input.game_type.as_deref().map(check_game_type).transpose()?,
            start_time: input.start_time,
            end_time: input.end_time,
            score: check_score(input.score)?,
            place: input.place,
            metadata: check_metadata(input.metadata)?,
        };
        self.store().update_round(id, &patch, self.now()).await?;
        self.round_of_game(caller, id).await
    }

    /// `DELETE /game_rounds/{id}`: the owner (or the container's master).
    pub async fn delete_round(&self, caller: &Caller, id: i64) -> Result<()> {
        let r = self.round_of_game(caller, id).await?;
        self.may_change(caller, &r).await?;
        self.store().delete_round(id).await?;
        Ok(())
    }

    /// `GET /game_rounds/{id}`: any round of the caller's game.
    pub async fn round(&self, caller: &Caller, id: i64) -> Result<GameRound> {
        me(caller)?;
        self.round_of_game(caller, id).await
    }

    /// `GET /game_rounds?user_id=`: a user's rounds (same game), `per_page` at most 100.
    pub async fn rounds_of(&self, caller: &Caller, user: i64, page: i64, per_page: i64) -> Result<Vec<GameRound>> {
        me(caller)?;
        let u = self.user(caller, user).await?;
        let per_page = per_page.clamp(1, 100);
        let page = page.max(1);
        self.store()
            .rounds_of(u.id, per_page, (page - 1).saturating_mul(per_page))
            .await
    }

    // -------------------------------------------------------------- full user data

    /// The relations of a user's full data (reference 1.3), in a constant number of
    /// queries whatever their sizes. For another user (`public`), only the public ones:
    /// friends, groups and game rounds.
    pub async fn relations(&self, user: &ClientUser, public: bool) -> Result<Relations> {
        let store = self.store();
        let mut friends = friend_lists(store.friend_links(user.id).await?);
        let conns = store.connections_of_user(user.id).await?;
        let (member_of, pending): (Vec<Connection>, Vec<Connection>) =
            conns.into_iter().partition(|c| c.status == "accepted");
        let member_ids: Vec<i64> = member_of.iter().map(|c| c.group_id).collect();
        let pending = if public { Vec::new() } else { pending };
        let mut all_ids = member_ids.clone();
        all_ids.extend(pending.iter().map(|c| c.group_id));
        let groups = store.groups(user.game_id, &all_ids).await?;
        let members = store.members(&all_ids).await?;
        let mut by_id: HashMap<i64, GroupView> = views(groups, &members).into_iter().map(|v| (v.group.id, v)).collect();
        // Oldest membership first (the connections come oldest first).
        let groups = member_ids.iter().filter_map(|id| by_id.get(id).cloned()).collect();
        let people: Vec<i64> = pending
            .iter()
            .filter_map(|c| c.inviter_id.map(|i| i.0))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let inviters: HashMap<i64, ClientUser> = store
            .users(user.game_id, &people)
            .await?
            .into_iter()
            .map(|u| (u.id.0, u))
            .collect();
        let (mut group_invites, mut group_join_requests) = (Vec::new(), Vec::new());
        for c in pending {
            let Some(group) = by_id.remove(&c.group_id) else {
                continue;
            };
            let v = ConnectionView {
                inviter: c.inviter_id.and_then(|i| inviters.get(&i.0).cloned()),
                user: user.clone(),
                group: Some(group),
                connection: c,
            };
            if v.connection.kind == ConnectionKind::Invite {
                group_invites.push(v);
            } else {
                group_join_requests.push(v);
            }
        }
        if public {
            friends.incoming.clear();
            friends.outgoing.clear();
        }
        let mut rel = Relations {
            friends,
            groups,
            group_invites,
            group_join_requests,
            game_rounds: store.rounds_of(user.id, 1000, 0).await?,
            ..Relations::default()
        };
        if !public {
            self.with_chats(user, &mut rel).await?;
        }
        Ok(rel)
    }
}
