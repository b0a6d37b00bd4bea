//! Friends (reference 10): requests by username, answers, cancel, unfriend, and the docs'
//! read routes. Errors of state (unknown user, not pending, not friends) are 422 text.

use axum::Json;
use axum::extract::State;

use super::params::{FriendsOf, Friendship, PathId};
use super::wire::{
    FriendListsOut, FriendRequestCreatedOut, FriendRequestOut, FriendsOut, FriendshipAnswer, FriendshipRequest,
    MessageOut, RequestsOut, UserIdRequest, UserPublicOut,
};
use super::{Authed, GfError, accepted, unprocessable};
use crate::common::json::required;
use crate::common::state::AppState;
use playgate_core::ids::PlayerId;
use playgate_core::social::friends::FriendRequest;

/// `POST /friendships` `{"username": …}`: 200 `FriendRequest` of the recipient.
#[utoipa::path(
    post,
    path = "/api/v3/friendships",
    tag = "friends",
    request_body = FriendshipRequest,
    responses(
        (status = 200, description = "The request, to the recipient", body = FriendRequestCreatedOut),
    ),
)]
pub async fn create(State(s): State<AppState>, auth: Authed) -> Result<Json<FriendRequestCreatedOut>, GfError> {
    let req: FriendshipRequest = auth.input.unwrapped("friendship").parse()?;
    let name = req.username.unwrap_or_default();
    let me = auth.caller.user().map_err(unprocessable)?;
    let r = s.friends.request(me, &name).await.map_err(unprocessable)?;
    Ok(Json(FriendRequestCreatedOut {
        request: FriendRequestOut::from(r),
        message: "Friend request sent".into(),
    }))
}

/// `PUT /friendships/{id}` `{"friendship": {"status": "accepted"|"declined"}}`.
#[utoipa::path(
    put,
    path = "/api/v3/friendships/{id}",
    tag = "friends",
    params(
        PathId<Friendship>,
    ),
    request_body = FriendshipAnswer,
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
)]
pub async fn answer(
    State(s): State<AppState>,
    id: PathId<Friendship>,
    auth: Authed,
) -> Result<Json<MessageOut>, GfError> {
    let id = id.get()?;
    let req: FriendshipAnswer = auth.input.unwrapped("friendship").parse()?;
    let accept = accepted(req.status.as_deref())?;
    let me = auth.caller.user().map_err(unprocessable)?;
    s.friends.answer(me, id, accept).await.map_err(unprocessable)?;
    // The texts gamefuse.co answers: the C# SDK's tests compare them (reference 17.5).
    let what = if accept { "accepted" } else { "declined" };
    Ok(Json(MessageOut::new(format!(
        "you have successfully {what} this friend request"
    ))))
}

/// `DELETE /friendships/{id}`: the sender cancels a pending request.
#[utoipa::path(
    delete,
    path = "/api/v3/friendships/{id}",
    tag = "friends",
    params(
        PathId<Friendship>,
    ),
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
)]
pub async fn cancel(
    State(s): State<AppState>,
    id: PathId<Friendship>,
    auth: Authed,
) -> Result<Json<MessageOut>, GfError> {
    let id = id.get()?;
    let me = auth.caller.user().map_err(unprocessable)?;
    s.friends.cancel(me, id).await.map_err(unprocessable)?;
    Ok(Json(MessageOut::new("friend request destroyed successfully")))
}

/// `DELETE /unfriend`: `user_id` in the JSON body (SDK) or the query (docs).
#[utoipa::path(
    delete,
    path = "/api/v3/unfriend",
    tag = "friends",
    params(
        ("user_id" = Option<i64>, Query, description = "The friend (or in the body)"),
    ),
    request_body = UserIdRequest,
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
)]
pub async fn unfriend(State(s): State<AppState>, auth: Authed) -> Result<Json<MessageOut>, GfError> {
    let req: UserIdRequest = auth.input.unwrapped("friendship").parse()?;
    let other = required(req.user_id, "user_id").map_err(unprocessable)?;
    let me = auth.caller.user().map_err(unprocessable)?;
    s.friends.unfriend(me, PlayerId(other)).await.map_err(unprocessable)?;
    Ok(Json(MessageOut::new("user has been unfriended successfully")))
}

/// `GET /friendships`: the caller's three lists.
#[utoipa::path(
    get,
    path = "/api/v3/friendships",
    tag = "friends",
    responses(
        (status = 200, description = "Friends and requests", body = FriendListsOut),
    ),
)]
pub async fn lists(State(s): State<AppState>, auth: Authed) -> Result<Json<FriendListsOut>, GfError> {
    Ok(Json(s.friends.lists(auth.caller.user()?.id, true).await?.into()))
}

async fn friends_of(s: &AppState, auth: &Authed, of: Option<i64>) -> Result<Json<FriendsOut>, GfError> {
    let me = auth.caller.user()?;
    let l = match of {
        Some(id) if id != me.id.0 => {
            let other = super::users::user_of(s, &auth.caller, id).await?;
            s.friends.lists(other.id, false).await?
        }
        _ => s.friends.lists(me.id, true).await?,
    };
    Ok(Json(FriendsOut {
        friends: l.friends.iter().map(UserPublicOut::new).collect(),
    }))
}

/// `GET /friends[?user_id=]`: a user's friends (same game).
#[utoipa::path(
    get,
    path = "/api/v3/friends",
    tag = "friends",
    params(
        ("user_id" = Option<i64>, Query, description = "Whose friends (default: the caller's)"),
    ),
    responses(
        (status = 200, description = "The friends", body = FriendsOut),
    ),
)]
pub async fn friends(State(s): State<AppState>, auth: Authed) -> Result<Json<FriendsOut>, GfError> {
    let req: UserIdRequest = auth.input.parse()?;
    friends_of(&s, &auth, req.user_id).await
}

/// `GET /friends/{user_id}`.
#[utoipa::path(
    get,
    path = "/api/v3/friends/{user_id}",
    tag = "friends",
    params(
        PathId<FriendsOf>,
    ),
    responses(
        (status = 200, description = "The friends", body = FriendsOut),
    ),
)]
pub async fn friends_of_user(
    State(s): State<AppState>,
    id: PathId<FriendsOf>,
    auth: Authed,
) -> Result<Json<FriendsOut>, GfError> {
    let id = id.get()?;
    friends_of(&s, &auth, Some(id)).await
}

/// The caller's pending requests: those to it (`incoming`) or those it sent.
async fn requests(s: &AppState, auth: &Authed, incoming: bool) -> Result<Json<RequestsOut>, GfError> {
    let l = s.friends.lists(auth.caller.user()?.id, true).await?;
    let list =
        |v: Vec<FriendRequest>, wanted: bool| wanted.then(|| v.into_iter().map(FriendRequestOut::from).collect());
    Ok(Json(RequestsOut {
        incoming_friend_requests: list(l.incoming, incoming),
        outgoing_friend_requests: list(l.outgoing, !incoming),
    }))
}

/// `GET /incoming_friend_requests`.
#[utoipa::path(
    get,
    path = "/api/v3/incoming_friend_requests",
    tag = "friends",
    responses(
        (status = 200, description = "Requests to the caller", body = RequestsOut),
    ),
)]
pub async fn incoming(State(s): State<AppState>, auth: Authed) -> Result<Json<RequestsOut>, GfError> {
    requests(&s, &auth, true).await
}

/// `GET /outgoing_friend_requests`.
#[utoipa::path(
    get,
    path = "/api/v3/outgoing_friend_requests",
    tag = "friends",
    responses(
        (status = 200, description = "The caller's requests", body = RequestsOut),
    ),
)]
pub async fn outgoing(State(s): State<AppState>, auth: Authed) -> Result<Json<RequestsOut>, GfError> {
    requests(&s, &auth, false).await
}
