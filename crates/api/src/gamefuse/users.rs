//! Sign-up (reference 3), `GET /users/{id}` (5.1), and the C# SDK's profile and password
//! changes (17.3).

use super::params::{GameQuery, PathId, User};
use super::wire::{
    FullUserOut, OtherUserOut, PasswordRequest, ProfileRequest, Relations, SignUpRequest, UserSelfOut, UserView,
};
use super::{Authed, GameCall, GfError, unprocessable};
use crate::common::json::required_text;
use crate::common::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use playgate_core::client_users::{ClientUser, SignUp};
use playgate_core::crypto::Secret;
use playgate_core::economy::attributes::UserAttribute;
use playgate_core::economy::store_items::StoreItem;
use playgate_core::gamefuse::Caller;
use playgate_core::ids::PlayerId;
use playgate_core::social::friends::Friends;

/// The public relations of another user (reference 5.1): friends, groups and game rounds,
/// in a constant number of queries whatever their sizes.
async fn public_relations(s: &AppState, user: &ClientUser) -> Result<Relations, GfError> {
    Ok(Relations {
        friends: s.friends.lists(user.id, false).await?,
        memberships: s.groups.memberships(user, false).await?,
        game_rounds: s.rounds.all_of(user.id).await?,
        direct_chats: Vec::new(),
        group_chats: Vec::new(),
    })
}

/// A user's own full data (reference 1.3): its attributes, owned items and every relation.
/// The lists that depend only on the user come from one read ([`OwnReads`](playgate_core::own_data::OwnReads)); the groups
/// and chats they name are read after, by id: a constant number of queries whatever their
/// sizes.
pub(super) async fn own(
    s: &AppState,
    user: &ClientUser,
) -> Result<(Vec<UserAttribute>, Vec<StoreItem>, Relations), GfError> {
    let own = s.own_reads.read(user.id).await?;
    let memberships = s.groups.memberships_from(user, own.connections, true).await?;
    let (direct_chats, group_chats) = s.chats.page_from(user, own.direct_chats, own.group_chats).await?;
    let rel = Relations {
        friends: Friends::lists_from(own.friend_links, true),
        memberships,
        game_rounds: own.rounds,
        direct_chats,
        group_chats,
    };
    Ok((own.attributes, own.purchases, rel))
}

/// A user of the caller's game; users of other games do not exist.
pub(super) async fn user_of(s: &AppState, caller: &Caller, id: i64) -> Result<ClientUser, GfError> {
    let me = caller.user.as_ref();
    Ok(s.client_users.user(caller.game.id, PlayerId(id), me).await?)
}

/// `user`, the caller, as it sees itself (`UserSelf`), with the token it presented.
pub(super) fn self_view(s: &AppState, auth: &Authed, user: &ClientUser) -> Json<UserSelfOut> {
    Json(UserSelfOut::new(user, auth.token.clone(), s.client_users.now()))
}

/// `POST /users`: multipart form (SDK) or JSON, flat or nested under `user`. Invalid data
/// (taken e-mail or username, mismatched confirmation, bad e-mail) is 422.
#[utoipa::path(
    post,
    path = "/api/v3/users",
    tag = "users",
    params(
        GameQuery,
    ),
    request_body = SignUpRequest,
    responses(
        (status = 200, description = "The new user, signed in", body = UserSelfOut),
        (status = 422, description = "A taken e-mail or username, a mismatched confirmation, a bad e-mail"),
    ),
    security(("gameToken" = [])),
)]
pub async fn sign_up(State(s): State<AppState>, call: GameCall) -> Result<Json<UserSelfOut>, GfError> {
    let req: SignUpRequest = call.input.unwrapped("user").parse()?;
    let cmd = SignUp {
        email: required_text(req.email, "email")?,
        username: required_text(req.username, "username")?,
        password: Secret::new(required_text(req.password, "password")?),
        password_confirmation: Secret::new(required_text(req.password_confirmation, "password_confirmation")?),
    };
    let signed = s
        .client_users
        .sign_up(&call.game, cmd, call.ip)
        .await
        .map_err(unprocessable)?;
    let token = Some(signed.token.expose().to_owned());
    Ok(Json(
        UserSelfOut::new(&signed.user, token, s.client_users.now()).new_user(true),
    ))
}

/// `GET /users/{id}`: the caller sees its full data; another user of the same game its
/// public view; users of other games do not exist (404).
///
/// Native clients (C#/Unity, Unreal) get the native shapes in the relations: `max_group_size` `0` for none, rounds' `score` and `place` `0` for none, direct chats' `creator_type` `user`.
#[utoipa::path(
    get,
    path = "/api/v3/users/{id}",
    tag = "users",
    params(
        PathId<User>,
    ),
    responses(
        (status = 200, description = "The caller's full data (`FullUserOut`), or another user's public view (`OtherUserOut`)", body = UserView),
    ),
)]
pub async fn show(State(s): State<AppState>, id: PathId<User>, auth: Authed) -> Result<Response, GfError> {
    let id = id.get()?;
    let user = user_of(&s, &auth.caller, id).await?;
    if auth.caller.user.as_ref().is_some_and(|me| me.id == user.id) {
        let (attrs, owned, rel) = own(&s, &user).await?;
        let me = UserSelfOut::new(&user, auth.token, s.client_users.now());
        let out = FullUserOut::new(me, rel, attrs, owned);
        return Ok(auth.client.json(out).into_response());
    }
    let rel = public_relations(&s, &user).await?;
    Ok(auth.client.json(OtherUserOut::new(&user, rel)).into_response())
}

/// `PUT /users/{id}` `{username?, email?}`: the caller's own; the user as changed.
#[utoipa::path(
    put,
    path = "/api/v3/users/{id}",
    tag = "users",
    params(
        PathId<User>,
    ),
    request_body = ProfileRequest,
    responses(
        (status = 200, description = "The user as changed", body = UserSelfOut),
    ),
)]
pub async fn update(State(s): State<AppState>, id: PathId<User>, auth: Authed) -> Result<Json<UserSelfOut>, GfError> {
    let user = auth.caller.self_user(id.get()?)?;
    let req: ProfileRequest = auth.input.unwrapped("user").parse()?;
    let user = s
        .client_users
        .update_profile(user, req.username.as_deref(), req.email.as_deref())
        .await
        .map_err(unprocessable)?;
    Ok(self_view(&s, &auth, &user))
}

/// `PUT /users/{id}/password` `{current_password, password, password_confirmation}`: the
/// caller's own; the user back. The session in use stays valid.
#[utoipa::path(
    put,
    path = "/api/v3/users/{id}/password",
    tag = "users",
    params(
        PathId<User>,
    ),
    request_body = PasswordRequest,
    responses(
        (status = 200, description = "The user", body = UserSelfOut),
    ),
)]
pub async fn change_password(
    State(s): State<AppState>,
    id: PathId<User>,
    auth: Authed,
) -> Result<Json<UserSelfOut>, GfError> {
    let user = auth.caller.self_user(id.get()?)?;
    let req: PasswordRequest = auth.input.unwrapped("user").parse()?;
    let current = required_text(req.current_password, "current_password")?;
    let password = required_text(req.password, "password")?;
    let confirmation = required_text(req.password_confirmation, "password_confirmation")?;
    s.client_users
        .change_password(
            user,
            &Secret::new(current),
            &Secret::new(password),
            &Secret::new(confirmation),
        )
        .await
        .map_err(unprocessable)?;
    Ok(self_view(&s, &auth, user))
}
