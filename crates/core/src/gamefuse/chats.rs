//! GameFuse chats and messages (reference 12): who may read and post. Pages are 25 long (verified); a chat's participants cover every author
//! of the messages shown (1.8: the SDK looks senders up among them).

use super::Gamefuse;
use super::social::Relations;
use super::users::Caller;
use crate::client_users::ClientUser;
use crate::ids::GameId;
use crate::social::chats::{Chat, ChatRec, ChatTarget, Message, PAGE};
use crate::{Conflict, Entity, Error, Forbidden, Result};
use std::collections::{HashMap, HashSet};

fn check_text(text: &str) -> Result<String> {
    if text.trim().is_empty() || text.chars().count() > 10_000 {
        return Err(Error::invalid("text", "is required, at most 10000 characters"));
    }
    Ok(text.to_owned())
}

fn offset(page: i64) -> i64 {
    (page.max(1) - 1).saturating_mul(PAGE)
}

impl Gamefuse {
    /// Chats with participants and their first page of messages, in a constant number of
    /// queries: direct participants, group members, messages with readers, other authors.
    async fn assemble(&self, game: GameId, recs: Vec<ChatRec>, msg_offset: i64) -> Result<Vec<Chat>> {
        let store = self.store();
        let direct: Vec<i64> = recs.iter().filter(|c| c.group_id.is_none()).map(|c| c.id).collect();
        let groups: Vec<i64> = recs.iter().filter_map(|c| c.group_id).collect();
        let mut people: HashMap<i64, Vec<ClientUser>> = HashMap::new();
        for (chat, u) in store.chat_participants(&direct).await? {
            people.entry(chat).or_default().push(u);
        }
        let mut members: HashMap<i64, Vec<ClientUser>> = HashMap::new();
        for m in store.members(&groups).await? {
            members.entry(m.group_id).or_default().push(m.user);
        }
        let ids: Vec<i64> = recs.iter().map(|c| c.id).collect();
        let mut messages: HashMap<i64, Vec<Message>> = HashMap::new();
        for m in store.messages(&ids, PAGE, msg_offset).await? {
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
        // Authors no longer among the participants (left the group) are added (1.9).
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
            let found: HashMap<i64, ClientUser> = store
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

    async fn chat_for(&self, caller: &Caller, chat: i64) -> Result<(ClientUser, ChatRec)> {
        let me = caller.user()?.clone();
        let rec = self
            .store()
            .chat(caller.game.id, chat)
            .await?
            .ok_or(Error::NotFound(Entity::Chat))?;
        if !self.store().in_chat(rec.id, me.id).await? {
            return Err(Error::Forbidden(Forbidden::NotChatParticipant));
        }
        Ok((me, rec))
    }

    /// `POST /chats`: finds or creates the direct chat with exactly the caller and these
    /// users, or the group's chat (members only), then posts the message.
    pub async fn create_chat(&self, caller: &Caller, target: ChatTarget, text: &str) -> Result<Chat> {
        let me = caller.user()?.clone();
        let text = check_text(text)?;
        let now = self.now();
        let id = match target {
            ChatTarget::Users(names) => {
                let mut ids = vec![me.id.0];
                for n in &names {
                    let key = n.trim().to_lowercase();
                    let u = self
                        .store()
                        .user_by_username(caller.game.id, &key)
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
                self.store().direct_chat(caller.game.id, me.id, &key, &ids, now).await?
            }
            ChatTarget::Group(g) => {
                let member = self
                    .store()
                    .connection_of(g, me.id)
                    .await?
                    .is_some_and(|c| c.status == "accepted");
                let exists = !self.store().groups(caller.game.id, &[g]).await?.is_empty();
                if !exists {
                    return Err(Error::NotFound(Entity::Group));
                }
                if !member {
                    // Reference 12.2: 422 for a non-member.
                    return Err(Error::Conflict(Conflict::GroupChatNotMember));
                }
                self.store().group_chat(caller.game.id, g, me.id, now).await?
            }
        };
        self.store().insert_message(id, me.id, &text, now).await?;
        let rec = self
            .store()
            .chat(caller.game.id, id)
            .await?
            .ok_or(Error::NotFound(Entity::Chat))?;
        self.assemble(caller.game.id, vec![rec], 0)
            .await?
            .pop()
            .ok_or(Error::NotFound(Entity::Chat))
    }

    /// `GET /chats/page/{page}`: (direct chats, group chats), each paged on its own.
    pub async fn chats_page(&self, caller: &Caller, page: i64) -> Result<(Vec<Chat>, Vec<Chat>)> {
        let me = caller.user()?;
        self.chat_pages(me, page).await
    }

    async fn chat_pages(&self, me: &ClientUser, page: i64) -> Result<(Vec<Chat>, Vec<Chat>)> {
        let mut recs = self.store().chat_page(me.id, false, PAGE, offset(page)).await?;
        let n_direct = recs.len();
        recs.extend(self.store().chat_page(me.id, true, PAGE, offset(page)).await?);
        let mut all = self.assemble(me.game_id, recs, 0).await?;
        let group = all.split_off(n_direct);
        Ok((all, group))
    }

    /// Fills the chats of a user's full data (page 1 of each kind; reference 1.3).
    pub async fn with_chats(&self, user: &ClientUser, rel: &mut Relations) -> Result<()> {
        let (direct, group) = self.chat_pages(user, 1).await?;
        rel.direct_chats = direct;
        rel.group_chats = group;
        Ok(())
    }

    /// `POST /messages`: participants only.
    pub async fn send_message(&self, caller: &Caller, chat: i64, text: &str) -> Result<Message> {
        let text = check_text(text)?;
        let (me, rec) = self.chat_for(caller, chat).await?;
        self.store().insert_message(rec.id, me.id, &text, self.now()).await
    }

    /// `GET /messages/page/{page}?chat_id=`: participants only; newest first.
    pub async fn messages_page(&self, caller: &Caller, chat: i64, page: i64) -> Result<Vec<Message>> {
        let (_, rec) = self.chat_for(caller, chat).await?;
        self.store().messages(&[rec.id], PAGE, offset(page)).await
    }

    /// `POST /messages/{id}/mark_as_read`: participants only; idempotent.
    pub async fn mark_read(&self, caller: &Caller, message: i64) -> Result<Message> {
        let m = self
            .store()
            .message(message)
            .await?
            .ok_or(Error::NotFound(Entity::Message))?;
        let (me, _) = self.chat_for(caller, m.chat_id).await.map_err(|e| {
            if matches!(e, Error::NotFound(_)) {
                Error::NotFound(Entity::Message)
            } else {
                e
            }
        })?;
        self.store().mark_read(m.id, me.id).await?;
        self.store()
            .message(message)
            .await?
            .ok_or(Error::NotFound(Entity::Message))
    }
}
