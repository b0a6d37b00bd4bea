//! Groups, their connections (members, admins, invites, join requests) and attributes.

use crate::Result;
use crate::client_users::ClientUser;
use crate::clock::Timestamp;
use crate::ids::{GameId, PlayerId};
use async_trait::async_trait;

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
