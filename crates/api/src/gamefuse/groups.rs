//! Groups and group membership (reference 11): create, list, show, update, delete, and
//! the `group_connections` routes (join, join request, invite, answer, cancel, leave,
//! remove member, make admin), the admin and membership routes the Unreal SDK sends
//! (17.3), and group attributes (11.13). Bodies nested (`group`, `group_connection`) or
//! flat; the native SDKs get numbers for `max_group_size` and wrapped attribute lists.

use super::params::{Admin, Connection, Group, GroupLeft, Member, PathId};
use super::wire::{
    ConnectionOut, ConnectionRequest, ConnectionStatusOut, GroupAttributeIn, GroupAttributeOut, GroupAttributesOut,
    GroupAttributesRequest, GroupAttributesView, GroupIdRequest, GroupOut, GroupRequest, GroupsOut, MessageOut,
    UserIdRequest,
};
use super::{Authed, Client, GfError, accepted, unprocessable};
use crate::common::json::{required, required_text};
use crate::common::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use playgate_core::ids::PlayerId;
use playgate_core::social::groups::{ConnectCommand, ConnectionKind, GroupInput, NewAttribute};

fn group_input(auth: &Authed) -> Result<GroupInput, GfError> {
    let inner = auth.input.unwrapped("group");
    let req: GroupRequest = inner.parse().map_err(unprocessable)?;
    // An explicit `null` (or "") clears the size limit on update; absence keeps it.
    let size = match inner.0.get("max_group_size") {
        None => None,
        Some(_) => Some(req.max_group_size),
    };
    Ok(GroupInput {
        name: req.name,
        group_type: req.group_type,
        can_auto_join: req.can_auto_join,
        is_invite_only: req.is_invite_only,
        max_group_size: size,
        searchable: req.searchable,
        admins_only_can_create_attributes: req.admins_only_can_create_attributes,
    })
}

/// `POST /groups`: 201 `Group` with `members` and `admins` (the creator).
///
/// Native clients (C#/Unity, Unreal): `max_group_size` is `0` for no limit (JS: `null`).
#[utoipa::path(
    post,
    path = "/api/v3/groups",
    tag = "groups",
    request_body = GroupRequest,
    responses(
        (status = 201, description = "The group, with its members and admins", body = GroupOut),
    ),
)]
pub async fn create(State(s): State<AppState>, auth: Authed) -> Result<(StatusCode, Json<GroupOut>), GfError> {
    let input = group_input(&auth)?;
    let me = auth.caller.user().map_err(unprocessable)?;
    let v = s.groups.create(me, input).await.map_err(unprocessable)?;
    Ok((StatusCode::CREATED, auth.client.json(GroupOut::with_members(v))))
}

/// `GET /groups[?query=]`: every searchable group of the game (whose name contains the
/// query), without members.
///
/// Native clients (C#/Unity, Unreal): `max_group_size` is `0` for no limit (JS: `null`).
#[utoipa::path(
    get,
    path = "/api/v3/groups",
    tag = "groups",
    params(
        ("query" = Option<String>, Query, description = "Part of the name"),
    ),
    responses(
        (status = 200, description = "The searchable groups", body = GroupsOut),
    ),
)]
pub async fn list(State(s): State<AppState>, auth: Authed) -> Result<Json<GroupsOut>, GfError> {
    let query = auth.input.text("query");
    let me = auth.caller.user()?;
    let groups = s.groups.search(me.game_id, query.as_deref()).await?;
    let out = GroupsOut {
        groups: groups.into_iter().map(GroupOut::bare).collect(),
    };
    Ok(auth.client.json(out))
}

/// `GET /user/groups` (Unreal, 17.3): the caller's groups, with members and admins.
///
/// Native clients (C#/Unity, Unreal): `max_group_size` is `0` for no limit (JS: `null`).
#[utoipa::path(
    get,
    path = "/api/v3/user/groups",
    tag = "groups",
    responses(
        (status = 200, description = "The caller's groups", body = GroupsOut),
    ),
)]
pub async fn mine(State(s): State<AppState>, auth: Authed) -> Result<Json<GroupsOut>, GfError> {
    let groups = s.groups.mine(auth.caller.user()?).await?;
    let out = GroupsOut {
        groups: groups.into_iter().map(GroupOut::with_members).collect(),
    };
    Ok(auth.client.json(out))
}

/// `GET /groups/{id}`: with members and admins; pending invites and requests for admins.
///
/// Native clients (C#/Unity, Unreal): `max_group_size` is `0` for no limit (JS: `null`).
#[utoipa::path(
    get,
    path = "/api/v3/groups/{id}",
    tag = "groups",
    params(
        PathId<Group>,
    ),
    responses(
        (status = 200, description = "The group", body = GroupOut),
    ),
)]
pub async fn show(State(s): State<AppState>, id: PathId<Group>, auth: Authed) -> Result<Json<GroupOut>, GfError> {
    let id = id.get()?;
    let out = GroupOut::detail(s.groups.show(auth.caller.user()?, id).await?);
    Ok(auth.client.json(out))
}

/// `PUT /groups/{id}`: admins only; answers the real member lists.
///
/// Native clients (C#/Unity, Unreal): `max_group_size` is `0` for no limit (JS: `null`).
#[utoipa::path(
    method(put, patch),
    path = "/api/v3/groups/{id}",
    tag = "groups",
    params(
        PathId<Group>,
    ),
    request_body = GroupRequest,
    responses(
        (status = 200, description = "The group", body = GroupOut),
    ),
)]
pub async fn update(State(s): State<AppState>, id: PathId<Group>, auth: Authed) -> Result<Json<GroupOut>, GfError> {
    let id = id.get()?;
    let input = group_input(&auth)?;
    let me = auth.caller.user().map_err(unprocessable)?;
    let v = s.groups.update(me, id, input).await.map_err(unprocessable)?;
    Ok(auth.client.json(GroupOut::with_members(v)))
}

/// `DELETE /groups/{id}`: admins only.
#[utoipa::path(
    delete,
    path = "/api/v3/groups/{id}",
    tag = "groups",
    params(
        PathId<Group>,
    ),
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
)]
pub async fn delete(State(s): State<AppState>, id: PathId<Group>, auth: Authed) -> Result<Json<MessageOut>, GfError> {
    let id = id.get()?;
    s.groups.delete(auth.caller.user()?, id).await?;
    Ok(Json(MessageOut::new("Group deleted")))
}

/// `POST /group_connections`: join, join request, or invite (by `action_type`); without
/// one (the native SDKs' flat `{group_id, user_id}`), the group's settings decide.
///
/// Native clients (C#/Unity, Unreal): the group's `max_group_size` is `0` for no limit (JS: `null`).
#[utoipa::path(
    post,
    path = "/api/v3/group_connections",
    tag = "groups",
    request_body = ConnectionRequest,
    responses(
        (status = 200, description = "The connection", body = ConnectionOut),
    ),
)]
pub async fn connect(State(s): State<AppState>, auth: Authed) -> Result<Json<ConnectionOut>, GfError> {
    let req: ConnectionRequest = auth
        .input
        .unwrapped("group_connection")
        .parse()
        .map_err(unprocessable)?;
    let bad = |field: &str, reason: &str| unprocessable(playgate_core::Error::invalid(field, reason));
    let group_id = required(req.group_id, "group_id").map_err(unprocessable)?;
    let kind = match req.action_type.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(a) => {
            Some(ConnectionKind::parse(a).ok_or_else(|| bad("action_type", "must be join, join_request or invite"))?)
        }
    };
    // The invitee's username is top-level in the SDK's body; `input.text` reads it there.
    let username = auth.input.text("username").or(req.username);
    let cmd = ConnectCommand {
        group_id,
        kind,
        username,
        user_id: req.user_id,
    };
    let me = auth.caller.user().map_err(unprocessable)?;
    let v = s.groups.connect(me, cmd).await.map_err(unprocessable)?;
    Ok(auth.client.json(ConnectionOut::from(v)))
}

/// `PUT /group_connections/{id}` `{"group_connection": {"status": …}}` or flat. From the
/// Unreal SDK, a decline naming a group the caller belongs to leaves it (how it leaves, 17.3).
#[utoipa::path(
    put,
    path = "/api/v3/group_connections/{id}",
    tag = "groups",
    params(
        PathId<Connection>,
    ),
    request_body = ConnectionRequest,
    responses(
        (status = 200, description = "The connection's status", body = ConnectionStatusOut),
    ),
)]
pub async fn answer(
    State(s): State<AppState>,
    id: PathId<Connection>,
    auth: Authed,
) -> Result<Json<ConnectionStatusOut>, GfError> {
    let id = id.get()?;
    let req: ConnectionRequest = auth.input.unwrapped("group_connection").parse()?;
    let accept = accepted(req.status.as_deref())?;
    // Only the Unreal SDK leaves this way; other clients keep the plain answer.
    let me = auth.caller.user().map_err(unprocessable)?;
    let c = if auth.client == Client::Unreal {
        s.groups.answer_or_leave(me, id, accept).await
    } else {
        s.groups.answer(me, id, accept).await
    }
    .map_err(unprocessable)?;
    Ok(Json(ConnectionStatusOut {
        id: c.id,
        status: c.status,
    }))
}

/// `DELETE /group_connections/cancel/{id}`.
#[utoipa::path(
    delete,
    path = "/api/v3/group_connections/cancel/{id}",
    tag = "groups",
    params(
        PathId<Connection>,
    ),
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
)]
pub async fn cancel(
    State(s): State<AppState>,
    id: PathId<Connection>,
    auth: Authed,
) -> Result<Json<MessageOut>, GfError> {
    let id = id.get()?;
    s.groups.cancel(auth.caller.user()?, id).await?;
    Ok(Json(MessageOut::new("Cancelled")))
}

/// `DELETE /group_connections/leave/{group_id}`.
#[utoipa::path(
    delete,
    path = "/api/v3/group_connections/leave/{group_id}",
    tag = "groups",
    params(
        PathId<GroupLeft>,
    ),
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
)]
pub async fn leave(
    State(s): State<AppState>,
    id: PathId<GroupLeft>,
    auth: Authed,
) -> Result<Json<MessageOut>, GfError> {
    let id = id.get()?;
    let me = auth.caller.user().map_err(unprocessable)?;
    s.groups.leave(me, id).await.map_err(unprocessable)?;
    Ok(Json(MessageOut::new("Left the group")))
}

fn group_of(auth: &Authed) -> Result<i64, GfError> {
    let req: GroupIdRequest = auth.input.unwrapped("group_connection").parse()?;
    Ok(required(req.group_id, "group_id")?)
}

/// What an admin does to a member of a group (reference 11.11, 11.12; Unreal's admin
/// routes, 17.3).
enum Change {
    Remove,
    Promote,
    Demote,
}

/// The caller, an admin of `group`, changes `user`'s membership; refusals are 422.
async fn change_member(
    s: &AppState,
    auth: &Authed,
    group: i64,
    user: i64,
    change: Change,
) -> Result<Json<MessageOut>, GfError> {
    let me = auth.caller.user().map_err(unprocessable)?;
    let user = PlayerId(user);
    let (done, text) = match change {
        Change::Remove => (s.groups.remove_member(me, group, user).await, "Member removed"),
        Change::Promote => (s.groups.make_admin(me, group, user).await, "Member made admin"),
        Change::Demote => (s.groups.remove_admin(me, group, user).await, "Admin removed"),
    };
    done.map_err(unprocessable)?;
    Ok(Json(MessageOut::new(text)))
}

/// `PUT /group_connections/remove_member/{user_id}` `{"group_id": …}`: admins only.
#[utoipa::path(
    put,
    path = "/api/v3/group_connections/remove_member/{user_id}",
    tag = "groups",
    params(
        PathId<Member>,
    ),
    request_body = GroupIdRequest,
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
)]
pub async fn remove_member(
    State(s): State<AppState>,
    user: PathId<Member>,
    auth: Authed,
) -> Result<Json<MessageOut>, GfError> {
    let user = user.get()?;
    change_member(&s, &auth, group_of(&auth)?, user, Change::Remove).await
}

/// `PUT /group_connections/make_admin/{user_id}` `{"group_id": …}`: admins only.
#[utoipa::path(
    put,
    path = "/api/v3/group_connections/make_admin/{user_id}",
    tag = "groups",
    params(
        PathId<Member>,
    ),
    request_body = GroupIdRequest,
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
)]
pub async fn make_admin(
    State(s): State<AppState>,
    user: PathId<Member>,
    auth: Authed,
) -> Result<Json<MessageOut>, GfError> {
    let user = user.get()?;
    change_member(&s, &auth, group_of(&auth)?, user, Change::Promote).await
}

/// `GET /groups/{id}/attributes`: members only; a bare array (JS) or `{"attributes": …}`
/// (the native SDKs, reference 17.7).
///
/// JS: a bare array of `GroupAttribute`; native clients (C#/Unity, Unreal): `{"attributes": [...]}`.
#[utoipa::path(
    get,
    path = "/api/v3/groups/{id}/attributes",
    tag = "groups",
    params(
        PathId<Group>,
    ),
    responses(
        (status = 200, description = "The group's attributes: a bare array (JS) or `{\"attributes\": [...]}` (native clients)", body = GroupAttributesView),
    ),
)]
pub async fn attributes(
    State(s): State<AppState>,
    id: PathId<Group>,
    auth: Authed,
) -> Result<axum::response::Response, GfError> {
    let id = id.get()?;
    let me = auth.caller.user()?;
    let list: Vec<GroupAttributeOut> = s
        .groups
        .attributes(me, id)
        .await?
        .into_iter()
        .map(|a| GroupAttributeOut::new(a, me.id.0))
        .collect();
    Ok(auth.client.list(list, |attributes| GroupAttributesOut { attributes }))
}

/// The key (not empty) and the value of a group attribute to add or change: both required.
fn key_value(key: Option<String>, value: Option<String>) -> Result<(String, String), GfError> {
    Ok((required_text(key, "key")?, required(value, "value")?))
}

/// `POST /groups/{id}/add_attribute` `{"attributes": [{key, value, others_can_edit?}]}`
/// (or Unreal's `only_can_edit_by_creator`): the attributes, the new ones first.
#[utoipa::path(
    post,
    path = "/api/v3/groups/{id}/add_attribute",
    tag = "groups",
    params(
        PathId<Group>,
    ),
    request_body = GroupAttributesRequest,
    responses(
        (status = 200, description = "The attributes, the new ones first", body = GroupAttributesOut),
    ),
)]
pub async fn add_attribute(
    State(s): State<AppState>,
    id: PathId<Group>,
    auth: Authed,
) -> Result<Json<GroupAttributesOut>, GfError> {
    let id = id.get()?;
    let me = auth.caller.user()?;
    let req: GroupAttributesRequest = auth.input.unwrapped("group").parse()?;
    let mut list = req.attributes.unwrap_or_default();
    if req.key.is_some() {
        list.push(GroupAttributeIn {
            key: req.key,
            value: req.value,
            others_can_edit: req.others_can_edit,
            only_can_edit_by_creator: req.only_can_edit_by_creator,
        });
    }
    let attrs = list
        .into_iter()
        .map(|a| {
            let others_can_edit = a.others_can_edit();
            let (key, value) = key_value(a.key, a.value)?;
            Ok(NewAttribute {
                others_can_edit,
                key,
                value,
            })
        })
        .collect::<Result<Vec<_>, GfError>>()?;
    let all = s.groups.add_attributes(me, id, attrs).await?;
    Ok(Json(GroupAttributesOut {
        attributes: all.into_iter().map(|a| GroupAttributeOut::new(a, me.id.0)).collect(),
    }))
}

/// `PATCH /groups/{id}/modify_attribute` `{"key", "value"}`: the updated attribute.
#[utoipa::path(
    method(patch, put),
    path = "/api/v3/groups/{id}/modify_attribute",
    tag = "groups",
    params(
        PathId<Group>,
    ),
    request_body = GroupAttributeIn,
    responses(
        (status = 200, description = "The attribute", body = GroupAttributeOut),
    ),
)]
pub async fn modify_attribute(
    State(s): State<AppState>,
    id: PathId<Group>,
    auth: Authed,
) -> Result<Json<GroupAttributeOut>, GfError> {
    let id = id.get()?;
    let me = auth.caller.user()?;
    let req: GroupAttributeIn = auth.input.unwrapped("group").parse()?;
    let (key, value) = key_value(req.key, req.value)?;
    let a = s.groups.modify_attribute(me, id, &key, &value).await?;
    Ok(Json(GroupAttributeOut::new(a, me.id.0)))
}

/// `POST /groups/{id}/admins` `{"user_id"}` (Unreal, 17.3): an admin promotes a member.
#[utoipa::path(
    post,
    path = "/api/v3/groups/{id}/admins",
    tag = "groups",
    params(
        PathId<Group>,
    ),
    request_body = UserIdRequest,
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
)]
pub async fn add_admin(
    State(s): State<AppState>,
    group: PathId<Group>,
    auth: Authed,
) -> Result<Json<MessageOut>, GfError> {
    let group = group.get()?;
    let req: UserIdRequest = auth.input.unwrapped("group_connection").parse()?;
    let user = required(req.user_id, "user_id")?;
    change_member(&s, &auth, group, user, Change::Promote).await
}

/// `DELETE /groups/{id}/admins/{user_id}` (Unreal, 17.3): an admin demotes another admin.
#[utoipa::path(
    delete,
    path = "/api/v3/groups/{id}/admins/{user_id}",
    tag = "groups",
    params(
        PathId<Group>,
        PathId<Admin>,
    ),
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
)]
pub async fn remove_admin(
    State(s): State<AppState>,
    group: PathId<Group>,
    user: PathId<Admin>,
    auth: Authed,
) -> Result<Json<MessageOut>, GfError> {
    let group = group.get()?;
    change_member(&s, &auth, group, user.get()?, Change::Demote).await
}
