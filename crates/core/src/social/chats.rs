//! Chats (direct between users, or a group's) and their messages with read marks: who
//! may read and post. Chats and messages come in pages of [`PAGE`]; a chat's participants
//! cover every author of the messages shown.

use crate::client_users::{ClientUser, ClientUserStore};
use crate::clock::{Clock, Timestamp};
use crate::ids::{GameId, PlayerId};
use crate::social::groups::{GroupStore, membership};
use crate::{Conflict, Entity, Error, Forbidden, Result};
use async_trait::async_trait;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

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

fn check_text(text: &str) -> Result<String> {
    if text.trim().is_empty() || text.chars().count() > 10_000 {
        return Err(Error::invalid("text", "is required, at most 10000 characters"));
    }
    Ok(text.to_owned())
}

fn offset(page: i64) -> i64 {
    (page.max(1) - 1).saturating_mul(PAGE)
}

/// The chats service: direct chats between users of one game, group chats of a group's
/// members, their messages and read marks.
#[derive(Clone)]
pub struct Chats {
    users: Arc<dyn ClientUserStore>,
    groups: Arc<dyn GroupStore>,
    chats: Arc<dyn ChatStore>,
    clock: Arc<dyn Clock>,
}

impl Chats {
    /// The service over its stores.
    pub fn new(
        users: Arc<dyn ClientUserStore>,
        groups: Arc<dyn GroupStore>,
        chats: Arc<dyn ChatStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Chats {
            users,
            groups,
            chats,
            clock,
        }
    }

    /// Chats with participants and their first page of messages, in a constant number of
    /// queries: direct participants, group members, messages with readers, other authors.
    async fn assemble(&self, game: GameId, recs: Vec<ChatRec>, msg_offset: i64) -> Result<Vec<Chat>> {
        let direct: Vec<i64> = recs.iter().filter(|c| c.group_id.is_none()).map(|c| c.id).collect();
        let groups: Vec<i64> = recs.iter().filter_map(|c| c.group_id).collect();
        let mut people: HashMap<i64, Vec<ClientUser>> = HashMap::new();
        for (chat, u) in self.chats.chat_participants(&direct).await? {
            people.entry(chat).or_default().push(u);
        }
        let mut members: HashMap<i64, Vec<ClientUser>> = HashMap::new();
        for m in self.groups.members(&groups).await? {
            members.entry(m.group_id).or_default().push(m.user);
        }
        let ids: Vec<i64> = recs.iter().map(|c| c.id).collect();
        let mut messages: HashMap<i64, Vec<Message>> = HashMap::new();
        for m in self.chats.messages(&ids, PAGE, msg_offset).await? {
            messages.entry(m.chat_id).or_default().push(m);
        }
        let mut chats: Vec<Chat> = recs
            .into_iter()
            .map(|rec| {
                let participants = match rec.group_id {
                    Some(g) => members.get(&g).cloned().unwrap_or_default(),
                    None => people.get(&rec.id).cloned().unwrap_or_default(),
                };
                Chat {
                    messages: messages.remove(&rec.id).unwrap_or_default(),
                    participants,
                    rec,
                }
            })
            .collect();
        // Authors no longer among the participants (they left the group) are added: clients
        // look senders up among the participants.
        let missing: HashSet<i64> = chats
            .iter()
            .flat_map(|c| {
                c.messages
                    .iter()
                    .map(|m| m.player_id.0)
                    .filter(|id| !c.participants.iter().any(|p| p.id.0 == *id))
                    .collect::<Vec<_>>()
            })
            .collect();
        if !missing.is_empty() {
            let ids: Vec<i64> = missing.into_iter().collect();
            let found: HashMap<i64, ClientUser> = self
                .users
                .users(game, &ids)
                .await?
                .into_iter()
                .map(|u| (u.id.0, u))
                .collect();
            for c in &mut chats {
                let need: Vec<i64> = c
                    .messages
                    .iter()
                    .map(|m| m.player_id.0)
                    .filter(|id| !c.participants.iter().any(|p| p.id.0 == *id))
                    .collect::<HashSet<_>>()
                    .into_iter()
                    .collect();
                c.participants
                    .extend(need.iter().filter_map(|id| found.get(id).cloned()));
            }
        }
        Ok(chats)
    }

    /// A chat of `me`'s game that `me` may read and post in.
    async fn chat_for(&self, me: &ClientUser, chat: i64) -> Result<ChatRec> {
        let rec = self
            .chats
            .chat(me.game_id, chat)
            .await?
            .ok_or(Error::NotFound(Entity::Chat))?;
        if !self.chats.in_chat(rec.id, me.id).await? {
            return Err(Error::Forbidden(Forbidden::NotChatParticipant));
        }
        Ok(rec)
    }

    /// Finds or creates the direct chat with exactly `me` and these users, or the group's
    /// chat (members only), then posts the message.
    pub async fn create(&self, me: &ClientUser, target: ChatTarget, text: &str) -> Result<Chat> {
        let text = check_text(text)?;
        let now = self.clock.now();
        let id = match target {
            ChatTarget::Users(names) => {
                let mut ids = vec![me.id.0];
                for n in &names {
                    let key = n.trim().to_lowercase();
                    let u = self
                        .users
                        .user_by_username(me.game_id, &key)
                        .await?
                        .ok_or_else(|| Error::Conflict(Conflict::UnknownUsername))?;
                    ids.push(u.id.0);
                }
                ids.sort_unstable();
                ids.dedup();
                if ids.len() < 2 {
                    return Err(Error::invalid("usernames", "must name at least one other user"));
                }
                let key = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
                self.chats.direct_chat(me.game_id, me.id, &key, &ids, now).await?
            }
            ChatTarget::Group(g) => {
                let member = membership(&*self.groups, g, me.id).await?.is_some();
                let exists = !self.groups.groups(me.game_id, &[g]).await?.is_empty();
                if !exists {
                    return Err(Error::NotFound(Entity::Group));
                }
                if !member {
                    return Err(Error::Conflict(Conflict::GroupChatNotMember));
                }
                self.chats.group_chat(me.game_id, g, me.id, now).await?
            }
        };
        self.chats.insert_message(id, me.id, &text, now).await?;
        let rec = self
            .chats
            .chat(me.game_id, id)
            .await?
            .ok_or(Error::NotFound(Entity::Chat))?;
        self.assemble(me.game_id, vec![rec], 0)
            .await?
            .pop()
            .ok_or(Error::NotFound(Entity::Chat))
    }

    /// A page of `user`'s chats: (direct chats, group chats), each paged on its own, each
    /// chat with its first page of messages.
    pub async fn page(&self, user: &ClientUser, page: i64) -> Result<(Vec<Chat>, Vec<Chat>)> {
        let direct = self.chats.chat_page(user.id, false, PAGE, offset(page)).await?;
        let group = self.chats.chat_page(user.id, true, PAGE, offset(page)).await?;
        self.page_from(user, direct, group).await
    }

    /// [`Chats::page`] from the page's chats, already read (`ChatStore::chat_page` of each
    /// kind).
    pub async fn page_from(
        &self,
        user: &ClientUser,
        direct: Vec<ChatRec>,
        group: Vec<ChatRec>,
    ) -> Result<(Vec<Chat>, Vec<Chat>)> {
        let n_direct = direct.len();
        let mut recs = direct;
        recs.extend(group);
        let mut all = self.assemble(user.game_id, recs, 0).await?;
        let group = all.split_off(n_direct);
        Ok((all, group))
    }

    /// Posts a message: participants only.
    pub async fn send(&self, me: &ClientUser, chat: i64, text: &str) -> Result<Message> {
        let text = check_text(text)?;
        let rec = self.chat_for(me, chat).await?;
        self.chats.insert_message(rec.id, me.id, &text, self.clock.now()).await
    }

    /// A page of a chat's messages, newest first: participants only.
    pub async fn messages(&self, me: &ClientUser, chat: i64, page: i64) -> Result<Vec<Message>> {
        let rec = self.chat_for(me, chat).await?;
        self.chats.messages(&[rec.id], PAGE, offset(page)).await
    }

    /// Marks a message read by `me`: participants only; idempotent.
    pub async fn mark_read(&self, me: &ClientUser, message: i64) -> Result<Message> {
        let m = self
            .chats
            .message(message)
            .await?
            .ok_or(Error::NotFound(Entity::Message))?;
        self.chat_for(me, m.chat_id).await.map_err(|e| {
            if matches!(e, Error::NotFound(_)) {
                Error::NotFound(Entity::Message)
            } else {
                e
            }
        })?;
        self.chats.mark_read(m.id, me.id).await?;
        self.chats
            .message(message)
            .await?
            .ok_or(Error::NotFound(Entity::Message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_and_pages() {
        assert_eq!(check_text(" hi ").ok(), Some(" hi ".into()));
        assert!(check_text("  ").is_err());
        assert!(check_text(&"é".repeat(10_001)).is_err());
        assert_eq!((offset(0), offset(1), offset(3)), (0, 0, 2 * PAGE));
        assert_eq!(offset(i64::MAX), i64::MAX);
    }
}
