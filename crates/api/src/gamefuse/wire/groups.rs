//! Groups, connections and group attributes.

use super::{UserPublicOut, flag};
use crate::common::lenient;
use playgate_core::social::groups::{ConnectionView, Group, GroupAttribute, GroupDetail, GroupView};
use playgate_core::vendor::gamefuse::iso_millis;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

/// `GET /groups/{id}/attributes`: a bare array (JS) or `{"attributes": [...]}` (native).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[expect(dead_code, reason = "describes an answer in the OpenAPI document only")]
pub enum GroupAttributesView {
    Js(Vec<GroupAttributeOut>),
    Native(GroupAttributesOut),
}
