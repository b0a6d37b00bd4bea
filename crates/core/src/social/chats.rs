//! Chats (direct between users, or a group's) and their messages with read marks.

use crate::Result;
use crate::client_users::ClientUser;
use crate::clock::Timestamp;
use crate::ids::{GameId, PlayerId};
use async_trait::async_trait;

/// Chats and messages per page.
pub const PAGE: i64 = 25;

/// A chat as stored: direct (`group_id` None) or a group's.
#[derive(Debug, Clone)]
pub struct ChatRec {
    pub id: i64,
    pub group_id: Option<i64>,
    pub creator_id: PlayerId,
}

/// A message with the ids of the users who read it (the sender first).
#[derive(Debug, Clone)]
pub struct Message {
    pub id: i64,
    pub chat_id: i64,
    pub player_id: PlayerId,
    pub text: String,
    pub created_at: Timestamp,
    pub read_by: Vec<i64>,
}

/// A chat with its participants and a page of messages, newest first.
#[derive(Debug, Clone)]
pub struct Chat {
    pub rec: ChatRec,
    pub participants: Vec<ClientUser>,
    pub messages: Vec<Message>,
}

/// `POST /chats`: a direct chat by usernames, or a group's chat.
#[derive(Debug, Clone)]
pub enum ChatTarget {
    Users(Vec<String>),
    Group(i64),
}

/// Persistence of chats (direct and group) and their messages.
#[async_trait]
pub trait ChatStore: Send + Sync {
    /// The direct chat of `game` with exactly these participants (sorted-id key), created
    /// (with its participants) if missing; its id.
    async fn direct_chat(
        &self,
        game: GameId,
        creator: PlayerId,
        key: &str,
        participants: &[i64],
        now: Timestamp,
    ) -> Result<i64>;
    /// The chat of a group, created if missing; its id.
    async fn group_chat(&self, game: GameId, group: i64, creator: PlayerId, now: Timestamp) -> Result<i64>;
    /// A chat of `game`.
    async fn chat(&self, game: GameId, id: i64) -> Result<Option<ChatRec>>;
    /// Whether the user may read and post in the chat: a participant of a direct chat, an
    /// accepted member of a group chat's group.
    async fn in_chat(&self, chat: i64, player: PlayerId) -> Result<bool>;
    /// A page of the user's direct chats (or group chats), most recent activity first.
    async fn chat_page(&self, player: PlayerId, group_chats: bool, limit: i64, offset: i64) -> Result<Vec<ChatRec>>;
    /// Participants of these direct chats: (chat id, user).
    async fn chat_participants(&self, chats: &[i64]) -> Result<Vec<(i64, ClientUser)>>;
    /// Posts a message (read by its sender) and marks the chat's activity, in one
    /// transaction.
    async fn insert_message(&self, chat: i64, player: PlayerId, text: &str, now: Timestamp) -> Result<Message>;
    /// A message with its readers.
    async fn message(&self, id: i64) -> Result<Option<Message>>;
    /// Per chat, messages newest first from `offset`, at most `limit`, with their readers.
    async fn messages(&self, chats: &[i64], limit: i64, offset: i64) -> Result<Vec<Message>>;
    /// Adds a reader (idempotent).
    async fn mark_read(&self, message: i64, player: PlayerId) -> Result<()>;
}
