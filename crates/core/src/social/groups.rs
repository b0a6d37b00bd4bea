//! Groups of a game's client users, their connections (members, admins, invites, join
//! requests) and attributes: creation, search, joins, invites, join requests, admins, and
//! who may read and change a group's attributes.

use crate::client_users::{ClientUser, ClientUserStore};
use crate::clock::{Clock, Timestamp};
use crate::ids::{GameId, PlayerId};
use crate::{Conflict, Entity, Error, Forbidden, Result};
use async_trait::async_trait;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// A group's stored settings and member count.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: i64,
    pub game_id: GameId,
    pub name: String,
    pub group_type: String,
    pub can_auto_join: bool,
    pub is_invite_only: bool,
    pub max_group_size: Option<i64>,
    pub searchable: bool,
    pub admins_only_can_create_attributes: bool,
    pub member_count: i64,
    pub created_at: Timestamp,
}

/// A new group.
#[derive(Debug, Clone)]
pub struct NewGroup {
    pub game_id: GameId,
    pub creator: PlayerId,
    pub name: String,
    pub group_type: String,
    pub can_auto_join: bool,
    pub is_invite_only: bool,
    pub max_group_size: Option<i64>,
    pub searchable: bool,
    pub admins_only_can_create_attributes: bool,
    pub now: Timestamp,
}

/// Changes to a group; `None` keeps the value. `max_group_size:
/// Some(None)` clears the limit.
#[derive(Debug, Clone, Default)]
pub struct GroupPatch {
    pub name: Option<String>,
    pub can_auto_join: Option<bool>,
    pub is_invite_only: Option<bool>,
    pub max_group_size: Option<Option<i64>>,
}

/// An accepted member of a group.
#[derive(Debug, Clone)]
pub struct Member {
    pub group_id: i64,
    pub user: ClientUser,
    pub is_admin: bool,
}

/// What a connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionKind {
    Invite,
    JoinRequest,
    /// A self-join or the creator's membership.
    Join,
}

impl ConnectionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionKind::Invite => "invite",
            ConnectionKind::JoinRequest => "join_request",
            ConnectionKind::Join => "join",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "invite" => Some(ConnectionKind::Invite),
            "join_request" => Some(ConnectionKind::JoinRequest),
            "join" => Some(ConnectionKind::Join),
            _ => None,
        }
    }
}

/// A user's one connection to a group. `status` is `pending`,
/// `accepted` or `removed` (an admin removed the user: later self-joins are refused).
#[derive(Debug, Clone)]
pub struct Connection {
    pub id: i64,
    pub group_id: i64,
    pub player_id: PlayerId,
    pub inviter_id: Option<PlayerId>,
    pub kind: ConnectionKind,
    pub status: String,
    pub is_admin: bool,
    pub created_at: Timestamp,
}

/// A group with its members and admins.
#[derive(Debug, Clone)]
pub struct GroupView {
    pub group: Group,
    pub members: Vec<ClientUser>,
    pub admins: Vec<ClientUser>,
}

impl GroupView {
    /// Whether `user` is one of the group's admins.
    pub fn is_admin(&self, user: PlayerId) -> bool {
        self.admins.iter().any(|a| a.id == user)
    }
}

/// A group as `GET /groups/{id}` shows it: with pending connections for admins.
#[derive(Debug, Clone)]
pub struct GroupDetail {
    pub view: GroupView,
    /// `Some` only for admins.
    pub pending: Option<Vec<ConnectionView>>,
}

/// A connection with its users and group.
#[derive(Debug, Clone)]
pub struct ConnectionView {
    pub connection: Connection,
    pub user: ClientUser,
    pub inviter: Option<ClientUser>,
    pub group: Option<GroupView>,
}

/// A user's groups and pending connections.
#[derive(Debug, Clone, Default)]
pub struct Memberships {
    /// Groups the user is an accepted member of, oldest membership first, with members.
    pub groups: Vec<GroupView>,
    /// Pending invites addressed to the user, with group, user and inviter.
    pub invites: Vec<ConnectionView>,
    /// Pending join requests the user made, with group and user.
    pub join_requests: Vec<ConnectionView>,
}

/// A group's creation or update command.
#[derive(Debug, Clone, Default)]
pub struct GroupInput {
    pub name: Option<String>,
    pub group_type: Option<String>,
    pub can_auto_join: Option<bool>,
    pub is_invite_only: Option<bool>,
    /// `Some(None)`: explicitly no limit.
    pub max_group_size: Option<Option<i64>>,
    pub searchable: Option<bool>,
    pub admins_only_can_create_attributes: Option<bool>,
}

/// A request for a connection to a group: a join, a join request or an invite.
#[derive(Debug, Clone)]
pub struct ConnectCommand {
    pub group_id: i64,
    /// `None`: the caller asks to be in the group, and the group's settings decide how
    /// (some clients send no action): a join where it may be joined
    /// freely, a pending join request otherwise.
    pub kind: Option<ConnectionKind>,
    /// The invitee, for invites.
    pub username: Option<String>,
    /// The user the connection is for, as some clients send it. Without an action, a
    /// user other than the caller makes it an invite of that user (a client may invite
    /// with the same body it joins with); otherwise it is not trusted and not needed.
    pub user_id: Option<i64>,
}

/// A group attribute.
#[derive(Debug, Clone)]
pub struct GroupAttribute {
    pub id: i64,
    pub key: String,
    pub value: String,
    pub creator_id: PlayerId,
    pub others_can_edit: bool,
}

/// An attribute to add.
#[derive(Debug, Clone)]
pub struct NewAttribute {
    pub key: String,
    pub value: String,
    pub others_can_edit: bool,
}

/// Persistence of groups, their connections (members, invites, join requests) and attributes.
#[async_trait]
pub trait GroupStore: Send + Sync {
    /// Creates a group and makes its creator an accepted admin member, in one transaction.
    async fn insert_group(&self, g: &NewGroup) -> Result<i64>;
    /// Groups of `game` by id, with their member counts.
    async fn groups(&self, game: GameId, ids: &[i64]) -> Result<Vec<Group>>;
    /// The searchable groups of `game`, oldest first.
    async fn list_groups(&self, game: GameId) -> Result<Vec<Group>>;
    /// Changes a group.
    async fn update_group(&self, id: i64, patch: &GroupPatch) -> Result<()>;
    /// Deletes a group with its connections and attributes, in one transaction.
    async fn delete_group(&self, id: i64) -> Result<()>;
    /// Accepted members of these groups, oldest membership first.
    async fn members(&self, groups: &[i64]) -> Result<Vec<Member>>;
    /// A connection by id.
    async fn connection(&self, id: i64) -> Result<Option<Connection>>;
    /// The connection of a user to a group.
    async fn connection_of(&self, group: i64, player: PlayerId) -> Result<Option<Connection>>;
    /// Pending connections of a group, oldest first.
    async fn pending_of_group(&self, group: i64) -> Result<Vec<Connection>>;
    /// Every pending or accepted connection of a user, oldest first.
    async fn connections_of_user(&self, player: PlayerId) -> Result<Vec<Connection>>;
    /// Inserts a connection, replacing a `removed` one only if `replace_removed`;
    /// `Conflict` if the user has another connection to the group. When `max_size` is
    /// set and the connection is accepted, `Forbidden` if the group is full.
    async fn insert_connection(&self, c: &Connection, replace_removed: bool, max_size: Option<i64>) -> Result<i64>;
    /// Sets a connection's status and admin flag (accepting checks `max_size` as above).
    async fn update_connection(
        &self,
        id: i64,
        status: &str,
        is_admin: bool,
        max_size: Option<i64>,
        now: Timestamp,
    ) -> Result<()>;
    /// Deletes a connection; whether it existed.
    async fn delete_connection(&self, id: i64) -> Result<bool>;
    /// A group's attributes, by key.
    async fn group_attributes(&self, group: i64) -> Result<Vec<GroupAttribute>>;
    /// Adds attributes in one transaction; `Conflict` on a key the group has.
    async fn insert_group_attributes(&self, group: i64, creator: PlayerId, attrs: &[NewAttribute]) -> Result<()>;
    /// Sets an attribute's value.
    async fn set_group_attribute(&self, id: i64, value: &str) -> Result<()>;
}

/// The longest group name, in characters.
const MAX_NAME: usize = 255;

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

/// The accepted connection of `player` to `group`: its membership, if it is a member.
pub(crate) async fn membership(groups: &dyn GroupStore, group: i64, player: PlayerId) -> Result<Option<Connection>> {
    let c = groups.connection_of(group, player).await?;
    Ok(c.filter(|c| c.status == "accepted"))
}

/// Groups with their members, from one members query.
pub fn views(groups: Vec<Group>, members: &[Member]) -> Vec<GroupView> {
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

/// The groups service: groups of one game, their members, admins, invites and join
/// requests, and their attributes. Who is connected, by whom, and with what status is
/// derived here, never taken from the client.
#[derive(Clone)]
pub struct Groups {
    users: Arc<dyn ClientUserStore>,
    groups: Arc<dyn GroupStore>,
    clock: Arc<dyn Clock>,
}

impl Groups {
    /// The service over its stores.
    pub fn new(users: Arc<dyn ClientUserStore>, groups: Arc<dyn GroupStore>, clock: Arc<dyn Clock>) -> Self {
        Groups { users, groups, clock }
    }

    async fn view(&self, game: GameId, id: i64) -> Result<GroupView> {
        let groups = self.groups.groups(game, &[id]).await?;
        if groups.is_empty() {
            return Err(Error::NotFound(Entity::Group));
        }
        let members = self.groups.members(&[id]).await?;
        views(groups, &members).pop().ok_or(Error::NotFound(Entity::Group))
    }

    /// Groups of `game` with their members and admins, by id (ids of no group of `game`
    /// are left out).
    async fn views_by_id(&self, game: GameId, ids: &[i64]) -> Result<HashMap<i64, GroupView>> {
        let groups = self.groups.groups(game, ids).await?;
        let members = self.groups.members(ids).await?;
        Ok(views(groups, &members).into_iter().map(|v| (v.group.id, v)).collect())
    }

    /// The group, if `me` is one of its admins.
    async fn admin_of(&self, me: &ClientUser, group: i64) -> Result<GroupView> {
        let view = self.view(me.game_id, group).await?;
        if !view.is_admin(me.id) {
            return Err(Error::Forbidden(Forbidden::NotGroupAdmin));
        }
        Ok(view)
    }

    /// Creates a group of `me`'s game; its creator becomes an accepted member and admin.
    pub async fn create(&self, me: &ClientUser, input: GroupInput) -> Result<GroupView> {
        let g = NewGroup {
            game_id: me.game_id,
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
            // GameFuse's SDK's local default; its docs give none (reference 11.2).
            admins_only_can_create_attributes: input.admins_only_can_create_attributes.unwrap_or(true),
            now: self.clock.now(),
        };
        let id = self.groups.insert_group(&g).await?;
        self.view(me.game_id, id).await
    }

    /// The game's searchable groups (without members); with a query, those whose name
    /// contains it, ignoring case.
    pub async fn search(&self, game: GameId, query: Option<&str>) -> Result<Vec<Group>> {
        let mut groups = self.groups.list_groups(game).await?;
        if let Some(q) = query.map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty()) {
            groups.retain(|g| g.name.to_lowercase().contains(&q));
        }
        Ok(groups)
    }

    /// The groups `me` is an accepted member of, oldest membership first, with members
    /// and admins.
    pub async fn mine(&self, me: &ClientUser) -> Result<Vec<GroupView>> {
        let ids: Vec<i64> = self
            .groups
            .connections_of_user(me.id)
            .await?
            .into_iter()
            .filter(|c| c.status == "accepted")
            .map(|c| c.group_id)
            .collect();
        let mut by_id = self.views_by_id(me.game_id, &ids).await?;
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    /// A user's groups, oldest membership first, and, if `with_pending`, its pending invites
    /// and join requests, in a constant number of queries whatever their numbers.
    pub async fn memberships(&self, user: &ClientUser, with_pending: bool) -> Result<Memberships> {
        let conns = self.groups.connections_of_user(user.id).await?;
        self.memberships_from(user, conns, with_pending).await
    }

    /// [`Groups::memberships`] from the user's connections, already read
    /// (`GroupStore::connections_of_user`).
    pub async fn memberships_from(
        &self,
        user: &ClientUser,
        conns: Vec<Connection>,
        with_pending: bool,
    ) -> Result<Memberships> {
        let (member_of, pending): (Vec<Connection>, Vec<Connection>) =
            conns.into_iter().partition(|c| c.status == "accepted");
        let member_ids: Vec<i64> = member_of.iter().map(|c| c.group_id).collect();
        let pending = if with_pending { pending } else { Vec::new() };
        let mut all_ids = member_ids.clone();
        all_ids.extend(pending.iter().map(|c| c.group_id));
        let mut by_id = self.views_by_id(user.game_id, &all_ids).await?;
        // Oldest membership first (the connections come oldest first).
        let groups = member_ids.iter().filter_map(|id| by_id.get(id).cloned()).collect();
        let people: Vec<i64> = pending
            .iter()
            .filter_map(|c| c.inviter_id.map(|i| i.0))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let inviters: HashMap<i64, ClientUser> = self
            .users
            .users(user.game_id, &people)
            .await?
            .into_iter()
            .map(|u| (u.id.0, u))
            .collect();
        let mut out = Memberships {
            groups,
            ..Memberships::default()
        };
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
                out.invites.push(v);
            } else {
                out.join_requests.push(v);
            }
        }
        Ok(out)
    }

    /// A group of `me`'s game, with its pending invites and requests if `me` is an admin.
    pub async fn show(&self, me: &ClientUser, id: i64) -> Result<GroupDetail> {
        let view = self.view(me.game_id, id).await?;
        let pending = if view.is_admin(me.id) {
            let conns = self.groups.pending_of_group(id).await?;
            Some(self.connection_views(me.game_id, conns, false).await?)
        } else {
            None
        };
        Ok(GroupDetail { view, pending })
    }

    /// Changes a group: admins only.
    pub async fn update(&self, me: &ClientUser, id: i64, input: GroupInput) -> Result<GroupView> {
        self.admin_of(me, id).await?;
        let patch = GroupPatch {
            name: input.name.as_deref().map(check_name).transpose()?,
            can_auto_join: input.can_auto_join,
            is_invite_only: input.is_invite_only,
            max_group_size: input.max_group_size.map(check_size).transpose()?,
        };
        self.groups.update_group(id, &patch).await?;
        self.view(me.game_id, id).await
    }

    /// Deletes a group with its connections: admins only.
    pub async fn delete(&self, me: &ClientUser, id: i64) -> Result<()> {
        self.admin_of(me, id).await?;
        self.groups.delete_group(id).await
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
            .users
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
            self.views_by_id(game, &gids).await?
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

    /// A join, join request or invite by `me`.
    pub async fn connect(&self, me: &ClientUser, cmd: ConnectCommand) -> Result<ConnectionView> {
        let view = self.view(me.game_id, cmd.group_id).await?;
        let g = &view.group;
        let now = self.clock.now();
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
                if !view.is_admin(me.id) {
                    return Err(Error::Forbidden(Forbidden::InviteNeedsAdmin));
                }
                let name = cmd.username.as_deref().map(str::trim).unwrap_or("").to_lowercase();
                let invitee = match (name.is_empty(), other) {
                    (false, _) => self.users.user_by_username(me.game_id, &name).await?,
                    (true, Some(id)) => self.users.user(me.game_id, PlayerId(id)).await?,
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
        c.id = self.groups.insert_connection(&c, replace_removed, max).await?;
        Ok(ConnectionView {
            connection: c,
            user,
            inviter,
            group: None,
        })
    }

    /// A connection by id; `NotFound(GroupConnection)` without one.
    async fn connection(&self, id: i64) -> Result<Connection> {
        self.groups
            .connection(id)
            .await?
            .ok_or(Error::NotFound(Entity::GroupConnection))
    }

    /// The invited user answers an invite, an admin a join request. Accepting makes a
    /// plain member; declining deletes the row.
    pub async fn answer(&self, me: &ClientUser, id: i64, accept: bool) -> Result<Connection> {
        let mut c = self.connection(id).await?;
        let view = self.view(me.game_id, c.group_id).await?;
        if c.status != "pending" {
            return Err(Error::Conflict(Conflict::ConnectionNotPending));
        }
        let allowed = match c.kind {
            ConnectionKind::Invite => c.player_id == me.id,
            _ => view.is_admin(me.id),
        };
        if !allowed {
            return Err(Error::Forbidden(Forbidden::NotConnectionAddressee));
        }
        if accept {
            self.groups
                .update_connection(id, "accepted", false, view.group.max_group_size, self.clock.now())
                .await?;
            c.status = "accepted".into();
        } else {
            self.groups.delete_connection(id).await?;
            c.status = "declined".into();
        }
        Ok(c)
    }

    /// An answer whose `id` may also name a *group* `me` belongs to (how the Unreal SDK
    /// leaves a group, reference 17.3): a connection `me` may answer wins; otherwise a
    /// decline of a group `me` is a member of leaves it, and anything else is refused as
    /// [`Groups::answer`] refuses it.
    pub async fn answer_or_leave(&self, me: &ClientUser, id: i64, accept: bool) -> Result<Connection> {
        let answered = self.answer(me, id, accept).await;
        if accept || answered.is_ok() {
            return answered;
        }
        match self.membership(id, me.id).await? {
            Some(mut c) if !self.groups.groups(me.game_id, &[id]).await?.is_empty() => {
                self.groups.delete_connection(c.id).await?;
                c.status = "declined".into();
                Ok(c)
            }
            _ => answered,
        }
    }

    /// The inviter withdraws an invite, the requester a join request.
    pub async fn cancel(&self, me: &ClientUser, id: i64) -> Result<()> {
        let c = self.connection(id).await?;
        // Same game: the group must be visible to the caller.
        self.view(me.game_id, c.group_id).await?;
        let mine = match c.kind {
            ConnectionKind::Invite => c.inviter_id == Some(me.id),
            _ => c.player_id == me.id,
        };
        if c.status != "pending" || !mine {
            return Err(Error::Forbidden(Forbidden::NotConnectionSender));
        }
        self.groups.delete_connection(id).await?;
        Ok(())
    }

    /// `user`'s membership of `group`, which `me` administers.
    async fn administered_member(&self, me: &ClientUser, group: i64, user: PlayerId) -> Result<Connection> {
        self.admin_of(me, group).await?;
        self.membership(group, user)
            .await?
            .ok_or(Error::Conflict(Conflict::UserNotGroupMember))
    }

    /// The accepted connection of `player` to `group` ([`membership`]).
    async fn membership(&self, group: i64, player: PlayerId) -> Result<Option<Connection>> {
        membership(&*self.groups, group, player).await
    }

    /// `me` leaves a group.
    pub async fn leave(&self, me: &ClientUser, group: i64) -> Result<()> {
        self.view(me.game_id, group).await?;
        let c = self
            .membership(group, me.id)
            .await?
            .ok_or(Error::Conflict(Conflict::CallerNotGroupMember))?;
        self.groups.delete_connection(c.id).await?;
        Ok(())
    }

    /// An admin removes a member, who then cannot join again by themselves.
    pub async fn remove_member(&self, me: &ClientUser, group: i64, user: PlayerId) -> Result<()> {
        let c = self.administered_member(me, group, user).await?;
        self.groups
            .update_connection(c.id, "removed", false, None, self.clock.now())
            .await?;
        Ok(())
    }

    /// An admin promotes a member.
    pub async fn make_admin(&self, me: &ClientUser, group: i64, user: PlayerId) -> Result<()> {
        let c = self.administered_member(me, group, user).await?;
        self.groups
            .update_connection(c.id, "accepted", true, None, self.clock.now())
            .await
    }

    /// An admin makes another admin a plain member. The last admin stays (a group without
    /// one could not be managed).
    pub async fn remove_admin(&self, me: &ClientUser, group: i64, user: PlayerId) -> Result<()> {
        let view = self.admin_of(me, group).await?;
        let c = self
            .membership(group, user)
            .await?
            .filter(|c| c.is_admin)
            .ok_or(Error::Conflict(Conflict::UserNotGroupAdmin))?;
        if view.admins.len() < 2 {
            return Err(Error::Conflict(Conflict::LastGroupAdmin));
        }
        self.groups
            .update_connection(c.id, "accepted", false, None, self.clock.now())
            .await
    }

    // -------------------------------------------------------------- attributes

    /// Whether `me` is an admin of the group (of its game), and whether the group lets only
    /// admins add attributes; [`Forbidden::NotGroupMember`] unless `me` is a member.
    async fn member_of(&self, me: &ClientUser, group: i64) -> Result<(bool, bool)> {
        let g = self
            .groups
            .groups(me.game_id, &[group])
            .await?
            .pop()
            .ok_or(Error::NotFound(Entity::Group))?;
        let c = self
            .membership(group, me.id)
            .await?
            .ok_or(Error::Forbidden(Forbidden::NotGroupMember))?;
        Ok((c.is_admin, g.admins_only_can_create_attributes))
    }

    /// A group's attributes: members only.
    pub async fn attributes(&self, me: &ClientUser, group: i64) -> Result<Vec<GroupAttribute>> {
        self.member_of(me, group).await?;
        self.groups.group_attributes(group).await
    }

    /// Adds attributes: members, only admins when the group says so. The group's
    /// attributes after, the ones just added first in the order given (Unreal reads the
    /// first item as the attribute it added, reference 17.6).
    pub async fn add_attributes(
        &self,
        me: &ClientUser,
        group: i64,
        attrs: Vec<NewAttribute>,
    ) -> Result<Vec<GroupAttribute>> {
        let (admin, admins_only) = self.member_of(me, group).await?;
        if admins_only && !admin {
            return Err(Error::Forbidden(Forbidden::GroupAttributeNeedsAdmin));
        }
        if attrs.is_empty() {
            return Err(Error::invalid("attributes", "are required"));
        }
        for a in &attrs {
            if a.key.trim().is_empty() || a.key.chars().count() > 255 {
                return Err(Error::invalid("key", "is required, at most 255 characters"));
            }
            crate::economy::check_value("value", &a.value)?;
        }
        self.groups.insert_group_attributes(group, me.id, &attrs).await?;
        let mut all = self.groups.group_attributes(group).await?;
        let rank = |a: &GroupAttribute| attrs.iter().position(|n| n.key == a.key).unwrap_or(attrs.len());
        // A stable sort: the others keep the store's order.
        all.sort_by_key(rank);
        Ok(all)
    }

    /// Changes an attribute's value: its creator, or any member when `others_can_edit`.
    pub async fn modify_attribute(
        &self,
        me: &ClientUser,
        group: i64,
        key: &str,
        value: &str,
    ) -> Result<GroupAttribute> {
        crate::economy::check_value("value", value)?;
        self.member_of(me, group).await?;
        let mut a = self
            .groups
            .group_attributes(group)
            .await?
            .into_iter()
            .find(|a| a.key == key)
            .ok_or(Error::NotFound(Entity::GroupAttribute))?;
        if a.creator_id != me.id && !a.others_can_edit {
            return Err(Error::Forbidden(Forbidden::NotAttributeCreator));
        }
        self.groups.set_group_attribute(a.id, value).await?;
        a.value = value.to_owned();
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_sizes() {
        assert_eq!(check_name(" Crew ").ok(), Some("Crew".into()));
        assert!(check_name("").is_err() && check_name("a\nb").is_err());
        assert!(check_name(&"x".repeat(MAX_NAME + 1)).is_err());
        assert!(check_size(Some(0)).is_err());
        assert_eq!(check_size(Some(5)).ok(), Some(Some(5)));
        assert_eq!(check_size(None).ok(), Some(None));
    }
}
