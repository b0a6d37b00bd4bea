//! `ChatStore` for [`SqlStore`]: chats, messages and read marks.

use crate::SqlStore;
use crate::client_users::client_user_cols_u;
use crate::exec::{P, params, row};
use crate::social::groups::MemberRow;
use crate::sql::placeholders;
use async_trait::async_trait;
use playgate_core::Result;
use playgate_core::client_users::ClientUser;
use playgate_core::clock::Timestamp;
use playgate_core::ids::{GameId, PlayerId};
use playgate_core::social::chats::{ChatRec, ChatStore, Message};
use std::collections::HashMap;

row! {
    pub(crate) struct ChatRow {
        id: i64,
        group_id: Option<i64>,
        creator_id: Option<i64>,
    }
}

/// A page of the player's (`$1`) direct chats, or of its groups' chats, most recently
/// active first; the limit and the offset are the parameters numbered `limit` and `offset`.
pub(crate) fn chat_page_sql(group_chats: bool, limit: usize, offset: usize) -> String {
    let join = if group_chats {
        "JOIN group_connections g ON g.group_id = c.group_id AND g.player_id = $1 AND g.status = 'accepted'"
    } else {
        "JOIN chat_participants p ON p.chat_id = c.id AND p.player_id = $1"
    };
    format!(
        "SELECT c.id, c.group_id, c.creator_id FROM chats c {join} \
         ORDER BY c.last_activity DESC, c.id DESC LIMIT ${limit} OFFSET ${offset}"
    )
}

pub(crate) fn chat_rec(r: ChatRow) -> ChatRec {
    ChatRec {
        id: r.id,
        group_id: r.group_id,
        creator_id: r.creator_id.map_or(PlayerId::DELETED, PlayerId),
    }
}

row! {
    struct ReadRow {
        message_id: i64,
        player_id: i64,
    }
}

row! {
    struct MessageRow {
    id: i64,
    chat_id: i64,
    player_id: Option<i64>,
    text: String,
    created_at: i64,}
}

impl SqlStore {
    /// The readers of these messages, in one query.
    async fn with_readers(&self, rows: Vec<MessageRow>) -> Result<Vec<Message>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT message_id, player_id FROM message_reads WHERE message_id IN ({})",
            placeholders(1, rows.len())
        );
        let ps: Vec<P> = rows.iter().map(|r| P::I64(r.id)).collect();
        let reads: Vec<ReadRow> = self.read_all(&sql, &ps).await?;
        let mut by: HashMap<i64, Vec<i64>> = HashMap::new();
        for r in reads {
            by.entry(r.message_id).or_default().push(r.player_id);
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let mut read_by = by.remove(&r.id).unwrap_or_default();
                // The sender first, then the others by id.
                let sender = r.player_id.map_or(PlayerId::DELETED, PlayerId);
                read_by.sort_unstable_by_key(|p| (*p != sender.0, *p));
                Message {
                    id: r.id,
                    chat_id: r.chat_id,
                    player_id: sender,
                    text: r.text,
                    created_at: Timestamp(r.created_at),
                    read_by,
                }
            })
            .collect())
    }
}

#[async_trait]
impl ChatStore for SqlStore {
    async fn direct_chat(
        &self,
        game: GameId,
        creator: PlayerId,
        key: &str,
        participants: &[i64],
        now: Timestamp,
    ) -> Result<i64> {
        let (key, participants) = (key.to_owned(), participants.to_vec());
        self.write_tx(async move |tx| {
            let created: Option<i64> = tx
                .scalar_optional(
                    "INSERT INTO chats (game_id, group_id, creator_id, participant_key, last_activity, created_at) \
                     VALUES ($1, NULL, $2, $3, $4, $4) ON CONFLICT (game_id, participant_key) DO NOTHING RETURNING id",
                    params![game.0, creator.0, &key, now.0],
                )
                .await?;
            let Some(id) = created else {
                return tx
                    .scalar_one(
                        "SELECT id FROM chats WHERE game_id = $1 AND participant_key = $2",
                        params![game.0, &key],
                    )
                    .await;
            };
            for p in &participants {
                tx.execute(
                    "INSERT INTO chat_participants (chat_id, player_id) VALUES ($1, $2)",
                    params![id, *p],
                )
                .await?;
            }
            Ok(id)
        })
        .await
    }

    async fn group_chat(&self, game: GameId, group: i64, creator: PlayerId, now: Timestamp) -> Result<i64> {
        self.write_tx(async move |tx| {
            tx.execute(
                "INSERT INTO chats (game_id, group_id, creator_id, participant_key, last_activity, created_at) \
                 VALUES ($1, $2, $3, NULL, $4, $4) ON CONFLICT (group_id) DO NOTHING",
                params![game.0, group, creator.0, now.0],
            )
            .await?;
            tx.scalar_one("SELECT id FROM chats WHERE group_id = $1", params![group])
                .await
        })
        .await
    }

    async fn chat(&self, game: GameId, id: i64) -> Result<Option<ChatRec>> {
        let row: Option<ChatRow> = self
            .read_optional(
                "SELECT id, group_id, creator_id FROM chats WHERE id = $1 AND game_id = $2",
                params![id, game.0],
            )
            .await?;
        Ok(row.map(chat_rec))
    }

    async fn in_chat(&self, chat: i64, player: PlayerId) -> Result<bool> {
        let n: Option<i64> = self
            .read_scalar_optional(
                "SELECT COUNT(*) FROM chats c WHERE c.id = $1 AND (\
                 EXISTS (SELECT 1 FROM chat_participants p WHERE p.chat_id = c.id AND p.player_id = $2) OR \
                 EXISTS (SELECT 1 FROM group_connections g WHERE g.group_id = c.group_id AND g.player_id = $2 \
                 AND g.status = 'accepted'))",
                params![chat, player.0],
            )
            .await?;
        Ok(n.is_some_and(|n| n > 0))
    }

    async fn chat_page(&self, player: PlayerId, group_chats: bool, limit: i64, offset: i64) -> Result<Vec<ChatRec>> {
        let sql = chat_page_sql(group_chats, 2, 3);
        let rows: Vec<ChatRow> = self.read_all(&sql, params![player.0, limit, offset]).await?;
        Ok(rows.into_iter().map(chat_rec).collect())
    }

    async fn chat_participants(&self, chats: &[i64]) -> Result<Vec<(i64, ClientUser)>> {
        let rows: Vec<MemberRow> = self
            .read_in(&[], chats, |ids| {
                format!(
                    "SELECT p.chat_id AS m_group, CAST(0 AS BIGINT) AS m_admin, {} FROM chat_participants p \
                     JOIN gamefuse_users u ON u.player_id = p.player_id WHERE p.chat_id IN ({ids}) ORDER BY p.player_id",
                    client_user_cols_u!()
                )
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.m_group, ClientUser::from(r.user)))
            .collect())
    }

    async fn insert_message(&self, chat: i64, player: PlayerId, text: &str, now: Timestamp) -> Result<Message> {
        let text = text.to_owned();
        self.write_tx(async move |tx| {
            let id: i64 = tx.scalar_one("INSERT INTO chat_messages (chat_id, player_id, text, created_at) VALUES ($1, $2, $3, $4) RETURNING id", params![chat, player.0, &text, now.0]).await?;
            tx.execute("INSERT INTO message_reads (message_id, player_id) VALUES ($1, $2)", params![id, player.0]).await?;
            tx.execute("UPDATE chats SET last_activity = $2 WHERE id = $1", params![chat, now.0]).await?;
            Ok(Message {
                id,
                chat_id: chat,
                player_id: player,
                text,
                created_at: now,
                read_by: vec![player.0],
            })
        }).await
    }

    async fn message(&self, id: i64) -> Result<Option<Message>> {
        let row: Option<MessageRow> = self
            .read_optional(
                "SELECT id, chat_id, player_id, text, created_at FROM chat_messages WHERE id = $1",
                params![id],
            )
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(self.with_readers(vec![row]).await?.pop())
    }

    async fn messages(&self, chats: &[i64], limit: i64, offset: i64) -> Result<Vec<Message>> {
        if chats.is_empty() {
            return Ok(Vec::new());
        }
        // The newest `offset + limit` of each chat, in one query (window functions: SQLite
        // 3.25+ and PostgreSQL).
        let n = chats.len();
        let sql = format!(
            "SELECT id, chat_id, player_id, text, created_at FROM (SELECT m.id, m.chat_id, m.player_id, m.text, \
             m.created_at, ROW_NUMBER() OVER (PARTITION BY m.chat_id ORDER BY m.id DESC) AS rn \
             FROM chat_messages m WHERE m.chat_id IN ({})) x WHERE rn > ${} AND rn <= ${} ORDER BY chat_id, id DESC",
            placeholders(1, n),
            n + 1,
            n + 2
        );
        let mut ps: Vec<P> = chats.iter().map(|&i| P::I64(i)).collect();
        ps.extend([P::I64(offset), P::I64(offset.saturating_add(limit))]);
        let rows: Vec<MessageRow> = self.read_all(&sql, &ps).await?;
        self.with_readers(rows).await
    }

    async fn mark_read(&self, message: i64, player: PlayerId) -> Result<()> {
        self.execute_one(
            "INSERT INTO message_reads (message_id, player_id) VALUES ($1, $2) \
             ON CONFLICT (message_id, player_id) DO NOTHING",
            params![message, player.0],
        )
        .await?;
        Ok(())
    }
}
