//! Chats and messages (reference 12): direct chats by usernames, group chats, pages of 25,
//! mark as read. Message pages are a bare array for the JS SDK and `{"messages": […]}` for
//! the native SDKs (reference 17.7, see `auth::Client`); creations answer supersets that
//! all of them read.

use super::params::{Message, Page, PathId};
use super::wire::{
    ChatCreatedOut, ChatMessageOut, ChatOut, ChatPageOut, ChatRequest, MessageCreatedOut, MessageOut, MessageRequest,
    MessagesOut, MessagesView, chats,
};
use super::{Authed, GfError, unprocessable};
use crate::common::json::required;
use crate::common::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use playgate_core::client_users::ClientUser;
use playgate_core::social::chats::ChatTarget;

fn viewer(auth: &Authed) -> Result<&ClientUser, GfError> {
    Ok(auth.caller.user()?)
}

/// `POST /chats` `{"text", "usernames": [...]}` or `{"text", "group_id"}`.
///
/// Native clients (C#/Unity, Unreal): a direct chat's `creator_type` is `user` (JS: `User`), and the message just posted shows unread.
#[utoipa::path(
    post,
    path = "/api/v3/chats",
    tag = "chats",
    request_body = ChatRequest,
    responses(
        (status = 200, description = "The chat (at the top level and under `chat`)", body = ChatCreatedOut),
    ),
)]
pub async fn create(State(s): State<AppState>, auth: Authed) -> Result<Json<ChatCreatedOut>, GfError> {
    let me = viewer(&auth)?;
    let req: ChatRequest = auth.input.unwrapped("chat").parse().map_err(unprocessable)?;
    let target = match (req.usernames, req.group_id) {
        (Some(names), None) => ChatTarget::Users(
            names
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| GfError::invalid("usernames", "must be strings"))
                })
                .collect::<Result<_, _>>()
                .map_err(unprocessable)?,
        ),
        (None, Some(g)) => ChatTarget::Group(g),
        _ => {
            return Err(unprocessable(GfError::invalid(
                "usernames",
                "or group_id (exactly one) is required",
            )));
        }
    };
    let text = req.text.unwrap_or_default();
    let chat = s.chats.create(me, target, &text).await.map_err(unprocessable)?;
    let out = ChatOut::new(chat, me.id.0);
    let created = ChatCreatedOut {
        chat_users: out.participants.clone(),
        chat: out.clone(),
        top: out,
    };
    Ok(auth.client.json(created))
}

/// `GET /chats/page/{page}`: both lists, each 25 per page.
///
/// Native clients (C#/Unity, Unreal): a direct chat's `creator_type` is `user` (JS: `User`).
#[utoipa::path(
    get,
    path = "/api/v3/chats/page/{page}",
    tag = "chats",
    params(
        PathId<Page>,
    ),
    responses(
        (status = 200, description = "Direct and group chats", body = ChatPageOut),
    ),
)]
pub async fn page(State(s): State<AppState>, page: PathId<Page>, auth: Authed) -> Result<Json<ChatPageOut>, GfError> {
    let me = viewer(&auth)?;
    let page = page.get()?;
    let (direct, group) = s.chats.page(me, page).await?;
    let out = ChatPageOut {
        direct_chats: chats(direct, me.id.0),
        group_chats: chats(group, me.id.0),
    };
    Ok(auth.client.json(out))
}

/// `POST /messages` `{"message": {"chat_id", "text"}}`.
#[utoipa::path(
    post,
    path = "/api/v3/messages",
    tag = "chats",
    request_body = MessageRequest,
    responses(
        (status = 200, description = "The message (at the top level and under `message`)", body = MessageCreatedOut),
    ),
)]
pub async fn send(State(s): State<AppState>, auth: Authed) -> Result<Json<MessageCreatedOut>, GfError> {
    let me = viewer(&auth)?;
    let req: MessageRequest = auth.input.unwrapped("message").parse().map_err(unprocessable)?;
    let chat = required(req.chat_id, "chat_id").map_err(unprocessable)?;
    let m = s
        .chats
        .send(me, chat, req.text.as_deref().unwrap_or(""))
        .await
        .map_err(unprocessable)?;
    let out = ChatMessageOut::new(m, me.id.0);
    Ok(Json(MessageCreatedOut {
        message: out.clone(),
        top: out,
    }))
}

/// `GET /messages/page/{page}?chat_id=`: a bare array (JS) or `{"messages": …}` (native).
///
/// JS: a bare array of `Message`; native clients (C#/Unity, Unreal): `{"messages": [...]}`.
#[utoipa::path(
    get,
    path = "/api/v3/messages/page/{page}",
    tag = "chats",
    params(
        PathId<Page>,
        ("chat_id" = i64, Query, description = "The chat"),
    ),
    responses(
        (status = 200, description = "The messages: a bare array (JS) or `{\"messages\": [...]}` (native clients)", body = MessagesView),
    ),
)]
pub async fn messages(State(s): State<AppState>, page: PathId<Page>, auth: Authed) -> Result<Response, GfError> {
    let me = viewer(&auth)?;
    let page = page.get()?;
    let req: MessageRequest = auth.input.parse()?;
    let chat = required(req.chat_id, "chat_id")?;
    let list: Vec<ChatMessageOut> = s
        .chats
        .messages(me, chat, page)
        .await?
        .into_iter()
        .map(|m| ChatMessageOut::new(m, me.id.0))
        .collect();
    Ok(auth.client.list(list, |messages| MessagesOut { messages }))
}

/// `POST /messages/{id}/mark_as_read`: idempotent 200.
#[utoipa::path(
    post,
    path = "/api/v3/messages/{id}/mark_as_read",
    tag = "chats",
    params(
        PathId<Message>,
    ),
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
)]
pub async fn mark_read(
    State(s): State<AppState>,
    id: PathId<Message>,
    auth: Authed,
) -> Result<Json<MessageOut>, GfError> {
    let id = id.get()?;
    s.chats.mark_read(auth.caller.user()?, id).await?;
    Ok(Json(MessageOut::new("Message marked as read")))
}
