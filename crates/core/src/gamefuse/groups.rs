//! Groups of GameFuse users and their connections (reference 11): creation, search,
//! joins, invites, join requests, admins.

use super::Gamefuse;
use super::users::Caller;
use crate::client_users::ClientUser;
use crate::ids::{GameId, PlayerId};
use crate::social::groups::{
    ConnectCommand, Connection, ConnectionKind, ConnectionView, Group, GroupDetail, GroupInput, GroupPatch, GroupView,
    Member, NewGroup,
};
use crate::{Conflict, Entity, Error, Forbidden, Result};
use std::collections::{HashMap, HashSet};

pub(super) const MAX_NAME: usize = 255;

pub(super) fn check_name(name: &str) -> Result<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > MAX_NAME || n.chars().any(char::is_control) {
        return Err(Error::invalid("name", "is required, at most 255 characters"));
    }
    Ok(n.to_owned())
}

pub(super) fn check_size(size: Option<i64>) -> Result<Option<i64>> {
    match size {
        Some(n) if n < 1 => Err(Error::invalid("max_group_size", "must be at least 1")),
        other => Ok(other),
    }
}

/// Groups with their members, from one members query.
pub(super) fn views(groups: Vec<Group>, members: &[Member]) -> Vec<GroupView> {
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
    // -------------------------------------------------------------- groups
    pub(super) async fn view(&self, game: GameId, id: i64) -> Result<GroupView> {
        let groups = self.store().groups(game, &[id]).await?;
        if groups.is_empty() {
            return Err(Error::NotFound(Entity::Group));
        }
        let members = self.store().members(&[id]).await?;
        views(groups, &members).pop().ok_or(Error::NotFound(Entity::Group))
    }

    pub(super) async fn admin_of(&self, caller: &Caller, group: i64) -> Result<(ClientUser, GroupView)> {
        let me = caller.user()?.clone();
        let view = self.view(caller.game.id, group).await?;
        if !view.admins.iter().any(|a| a.id == me.id) {
            return Err(Error::Forbidden(Forbidden::NotGroupAdmin));
        }
        Ok((me, view))
    }

    /// `POST /groups`: the creator becomes an accepted member and admin (reference 11.1).
    pub async fn create_group(&self, caller: &Caller, input: GroupInput) -> Result<GroupView> {
        let me = caller.user()?;
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
        caller.user()?;
        let mut groups = self.store().list_groups(caller.game.id).await?;
        if let Some(q) = query.map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty()) {
            groups.retain(|g| g.name.to_lowercase().contains(&q));
        }
        Ok(groups)
    }

    /// `GET /user/groups`: the groups the caller is an accepted member of, oldest
    /// membership first, with members and admins.
    pub async fn my_groups(&self, caller: &Caller) -> Result<Vec<GroupView>> {
        let me = caller.user()?;
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
        let me = caller.user()?;
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
    pub(super) async fn connection_views(
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
        let me = caller.user()?.clone();
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
        let me = caller.user()?.clone();
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
        let me = caller.user()?;
        match self.membership(id, me.id).await? {
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
        let me = caller.user()?;
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

    /// The accepted connection of `player` to `group`: its membership, if it is a member.
    async fn membership(&self, group: i64, player: PlayerId) -> Result<Option<Connection>> {
        let c = self.store().connection_of(group, player).await?;
        Ok(c.filter(|c| c.status == "accepted"))
    }

    /// `DELETE /group_connections/leave/{group}`: the caller leaves.
    pub async fn leave_group(&self, caller: &Caller, group: i64) -> Result<()> {
        let me = caller.user()?;
        self.view(caller.game.id, group).await?;
        let c = self
            .membership(group, me.id)
            .await?
            .ok_or(Error::Conflict(Conflict::CallerNotGroupMember))?;
        self.store().delete_connection(c.id).await?;
        Ok(())
    }

    /// `PUT /group_connections/remove_member/{user}`: an admin removes a member, who then
    /// cannot join again by themselves (reference 11.11).
    pub async fn remove_member(&self, caller: &Caller, group: i64, user: i64) -> Result<()> {
        self.admin_of(caller, group).await?;
        let c = self
            .membership(group, PlayerId(user))
            .await?
            .ok_or(Error::Conflict(Conflict::UserNotGroupMember))?;
        self.store()
            .update_connection(c.id, "removed", false, None, self.now())
            .await?;
        Ok(())
    }

    /// `PUT /group_connections/make_admin/{user}`: an admin promotes a member.
    pub async fn make_admin(&self, caller: &Caller, group: i64, user: i64) -> Result<()> {
        self.admin_of(caller, group).await?;
        let c = self
            .membership(group, PlayerId(user))
            .await?
            .ok_or(Error::Conflict(Conflict::UserNotGroupMember))?;
        self.store()
            .update_connection(c.id, "accepted", true, None, self.now())
            .await
    }

    /// `DELETE /groups/{id}/admins/{user}`: an admin makes another admin a plain member.
    /// The last admin stays (a group without one could not be managed).
    pub async fn remove_admin(&self, caller: &Caller, group: i64, user: i64) -> Result<()> {
        let (_, view) = self.admin_of(caller, group).await?;
        let c = self
            .membership(group, PlayerId(user))
            .await?
            .filter(|c| c.is_admin)
            .ok_or(Error::Conflict(Conflict::UserNotGroupAdmin))?;
        if view.admins.len() < 2 {
            return Err(Error::Conflict(Conflict::LastGroupAdmin));
        }
        self.store()
            .update_connection(c.id, "accepted", false, None, self.now())
            .await
    }
}
