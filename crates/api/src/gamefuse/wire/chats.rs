//! Chats and messages.

use super::UserPublicOut;
use crate::common::lenient;
use playgate_core::social::chats::{Chat, Message};
use playgate_core::vendor::gamefuse::iso_millis;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /chats` (reference 12.2): `text` and either `usernames` or `group_id`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ChatRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub text: Option<String>,
    #[serde(default)]
    pub usernames: Option<Vec<serde_json::Value>>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub group_id: Option<i64>,
}

/// `POST /messages` (reference 12.4), nested under `message` or flat.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MessageRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub chat_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub text: Option<String>,
}

/// `Message` (reference 1.8): `read_by` never null; `read` for the viewer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChatMessageOut {
    pub id: i64,
    pub chat_id: i64,
    pub user_id: i64,
    pub text: String,
    pub created_at: String,
    pub read_by: Vec<i64>,
    pub read: bool,
}

impl ChatMessageOut {
    pub fn new(m: Message, viewer: i64) -> Self {
        ChatMessageOut {
            read: m.read_by.contains(&viewer),
            id: m.id,
            chat_id: m.chat_id,
            user_id: m.player_id.0,
            text: m.text,
            created_at: iso_millis(m.created_at),
            read_by: m.read_by,
        }
    }
}

/// `POST /messages` (reference 12.4): the message at top level (JS) plus under
/// `message` (docs, C#): a compatible superset.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageCreatedOut {
    #[serde(flatten)]
    pub top: ChatMessageOut,
    pub message: ChatMessageOut,
}

/// `{"messages": [...]}`: the C# SDK's message page (reference 16).
#[derive(Debug, Serialize, ToSchema)]
pub struct MessagesOut {
    pub messages: Vec<ChatMessageOut>,
}

/// `Chat` (reference 1.9).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChatOut {
    pub id: i64,
    pub creator_type: &'static str,
    pub creator_id: i64,
    pub group_id: Option<i64>,
    pub participants: Vec<UserPublicOut>,
    pub messages: Vec<ChatMessageOut>,
}

impl ChatOut {
    pub fn new(c: Chat, viewer: i64) -> Self {
        let (creator_type, creator_id) = match c.rec.group_id {
            Some(g) => ("Group", g),
            None => ("User", c.rec.creator_id.0),
        };
        ChatOut {
            id: c.rec.id,
            creator_type,
            creator_id,
            group_id: c.rec.group_id,
            participants: c.participants.iter().map(UserPublicOut::new).collect(),
            messages: c.messages.into_iter().map(|m| ChatMessageOut::new(m, viewer)).collect(),
        }
    }
}

/// Chats for a viewer.
pub fn chats(v: Vec<Chat>, viewer: i64) -> Vec<ChatOut> {
    v.into_iter().map(|c| ChatOut::new(c, viewer)).collect()
}

/// `POST /chats` (reference 12.2): the chat at top level (JS) plus `chat` and
/// `chat_users` (docs, C#).
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatCreatedOut {
    #[serde(flatten)]
    pub top: ChatOut,
    pub chat: ChatOut,
    pub chat_users: Vec<UserPublicOut>,
}

/// `GET /chats/page/{page}` (reference 12.3).
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatPageOut {
    pub direct_chats: Vec<ChatOut>,
    pub group_chats: Vec<ChatOut>,
}

/// `GET /messages/page/{page}`: a bare array (JS) or `{"messages": [...]}` (native).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[expect(dead_code, reason = "describes an answer in the OpenAPI document only")]
pub enum MessagesView {
    Js(Vec<ChatMessageOut>),
    Native(MessagesOut),
}
