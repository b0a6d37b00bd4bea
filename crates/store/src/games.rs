//! `GameAdminStore` for [`SqlStore`]: operators' changes to games, each with its audit
//! event in the same transaction, and the deletion of a game with every row of it.

use async_trait::async_trait;
use playgate_core::audit::NewAuditEvent;
use playgate_core::clock::Timestamp;
use playgate_core::game::{Game, NewGameRecord};
use playgate_core::games::{GameAdminStore, GameChange, NewCredential};
use playgate_core::ids::GameId;
use playgate_core::{Entity, Result};

use crate::SqlStore;
use crate::audit::insert_audit_in;
use crate::exec::{Conn, params};
use crate::game::{game_in, insert_game_in};
use crate::rows::{GAMEFUSE_CREDENTIAL, GameRow, KGEN_CREDENTIAL, game_cols, game_from};
use crate::sql::not_found;

/// Every table holding rows of a game, children before parents, as statements over the
/// game's id (`$1`). The audit log is not among them: its events are history.
const DELETE_GAME: &[&str] = &[
    // Social data (migration 0004).
    "DELETE FROM message_reads WHERE message_id IN (SELECT id FROM chat_messages WHERE chat_id IN \
     (SELECT id FROM chats WHERE game_id = $1)) OR player_id IN (SELECT id FROM players WHERE game_id = $1)",
    "DELETE FROM chat_messages WHERE chat_id IN (SELECT id FROM chats WHERE game_id = $1)",
    "DELETE FROM chat_participants WHERE chat_id IN (SELECT id FROM chats WHERE game_id = $1)",
    "DELETE FROM chats WHERE game_id = $1",
    "DELETE FROM group_attributes WHERE group_id IN (SELECT id FROM groups WHERE game_id = $1)",
    "DELETE FROM group_connections WHERE group_id IN (SELECT id FROM groups WHERE game_id = $1)",
    "DELETE FROM groups WHERE game_id = $1",
    "DELETE FROM game_rounds WHERE game_id = $1",
    "DELETE FROM multiplayer_rounds WHERE game_id = $1",
    "DELETE FROM friendships WHERE game_id = $1",
    // Economy and GameFuse users (migration 0003).
    "DELETE FROM leaderboard_entries WHERE game_id = $1",
    "DELETE FROM store_purchases WHERE player_id IN (SELECT id FROM players WHERE game_id = $1) \
     OR store_item_id IN (SELECT id FROM store_items WHERE game_id = $1)",
    "DELETE FROM store_items WHERE game_id = $1",
    "DELETE FROM user_attributes WHERE player_id IN (SELECT id FROM players WHERE game_id = $1)",
    "DELETE FROM password_resets WHERE player_id IN (SELECT id FROM players WHERE game_id = $1)",
    // i3D links of the game's players (migration 0002).
    "DELETE FROM link_codes WHERE player_id IN (SELECT id FROM players WHERE game_id = $1)",
    "DELETE FROM player_links WHERE player_id IN (SELECT id FROM players WHERE game_id = $1)",
    "DELETE FROM gamefuse_users WHERE game_id = $1",
    // Players and their sessions.
    "DELETE FROM sessions WHERE game_id = $1",
    "DELETE FROM players WHERE game_id = $1",
    // The game's own settings, keys, mail and credentials.
    "DELETE FROM game_variables WHERE game_id = $1",
    "DELETE FROM service_keys WHERE game_id = $1",
    "DELETE FROM route_access WHERE game_id = $1",
    "DELETE FROM test_suite_games WHERE game_id = $1",
    "DELETE FROM outbox WHERE game_id = $1",
    "DELETE FROM credentials WHERE game_id = $1",
];

/// Deletes the game `game` and every row of it on `tx` (inside a transaction); whether
/// there was such a game.
pub(crate) async fn delete_game_in(tx: &mut Conn<'_>, game: GameId) -> Result<bool> {
    // Its sessions' events outlive them: back into the subject index.
    crate::audit::unchain(tx, "game_id = $1", game.0).await?;
    for sql in DELETE_GAME {
        tx.execute(sql, params![game.0]).await?;
    }
    let n = tx.execute("DELETE FROM games WHERE id = $1", params![game.0]).await?;
    Ok(n > 0)
}

fn secs(d: Option<std::time::Duration>) -> Option<i64> {
    d.map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[async_trait]
impl GameAdminStore for SqlStore {
    async fn games_after(&self, after: Option<GameId>, limit: u32) -> Result<Vec<Game>> {
        let after = after.map_or(0, |g| g.0);
        let rows: Vec<GameRow> = self
            .read_all(
                concat!(
                    "SELECT ",
                    game_cols!(),
                    " FROM ",
                    game_from!(),
                    " WHERE g.id > $1 ORDER BY g.id LIMIT $2"
                ),
                params![after, i64::from(limit)],
            )
            .await?;
        Ok(rows.into_iter().map(Game::from).collect())
    }

    async fn game(&self, id: GameId) -> Result<Option<Game>> {
        self.read(async |e| game_in(e, id.0).await).await
    }

    async fn insert_game_recorded(&self, rec: &NewGameRecord, event: &NewAuditEvent, at: Timestamp) -> Result<Game> {
        let (rec, event) = (rec.clone(), event.clone());
        self.write_tx(async move |tx| {
            let game = insert_game_in(tx, &rec).await?;
            insert_audit_in(tx, &event.clone().game(game.id), at).await?;
            Ok(game)
        })
        .await
    }

    async fn update_game(
        &self,
        id: GameId,
        change: &GameChange,
        event: &NewAuditEvent,
        at: Timestamp,
    ) -> Result<Option<Game>> {
        let (c, event) = (change.clone(), event.clone());
        self.write_tx(async move |tx| {
            let n = tx
                .execute(
                    "UPDATE games SET name = $2, description = $3, client_name = $4, enabled = $5, \
                     access_token_ttl_secs = $6, refresh_token_ttl_secs = $7 WHERE id = $1",
                    params![
                        id.0,
                        c.name,
                        c.description,
                        c.client_name,
                        c.enabled,
                        secs(c.access_token_ttl),
                        secs(c.refresh_token_ttl)
                    ],
                )
                .await?;
            if n == 0 {
                return Ok(None);
            }
            insert_audit_in(tx, &event, at).await?;
            game_in(tx, id.0).await
        })
        .await
    }

    async fn replace_credential(
        &self,
        id: GameId,
        new: &NewCredential,
        event: &NewAuditEvent,
        at: Timestamp,
    ) -> Result<Option<Game>> {
        let (new, event) = (new.clone(), event.clone());
        self.write_tx(async move |tx| {
            if game_in(tx, id.0).await?.is_none() {
                return Ok(None);
            }
            match &new {
                NewCredential::KgenSecret(hash) => {
                    tx.execute(
                        "UPDATE credentials SET secret_hash = $2 WHERE game_id = $1 AND kind = $3",
                        params![id.0, &hash.0, KGEN_CREDENTIAL],
                    )
                    .await?;
                }
                NewCredential::GamefuseToken(token) => {
                    tx.execute(
                        "INSERT INTO credentials (game_id, kind, public_id, secret_hash, created_at) \
                         VALUES ($1, $2, $3, NULL, $4) \
                         ON CONFLICT (game_id, kind) DO UPDATE SET public_id = excluded.public_id",
                        params![id.0, GAMEFUSE_CREDENTIAL, token, at.0],
                    )
                    .await?;
                }
            }
            insert_audit_in(tx, &event, at).await?;
            game_in(tx, id.0).await?.ok_or_else(not_found(Entity::Game)).map(Some)
        })
        .await
    }

    async fn delete_game_recorded(&self, id: GameId, event: &NewAuditEvent, at: Timestamp) -> Result<bool> {
        let event = event.clone();
        self.write_tx(async move |tx| {
            if !delete_game_in(tx, id).await? {
                return Ok(false);
            }
            insert_audit_in(tx, &event, at).await?;
            Ok(true)
        })
        .await
    }
}
