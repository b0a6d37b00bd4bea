//! `ResetStore` for [`SqlStore`]: password reset tokens and the mail outbox.

use crate::SqlStore;
use crate::exec::{params, row};
use async_trait::async_trait;
use playgate_core::Result;
use playgate_core::audit::player_subject;
use playgate_core::client_users::outbox::{NewOutbox, OutboxRecord, ResetStore};
use playgate_core::clock::Timestamp;
use playgate_core::crypto::SecretHash;
use playgate_core::ids::{GameId, PlayerId};

row! {
    struct OutboxRow {
        id: i64,
        game_id: Option<i64>,
        recipient: String,
        subject: String,
        sealed_body: Vec<u8>,
        created_at: i64,
        sent_at: Option<i64>,
        error: Option<String>,
    }
}

#[async_trait]
impl ResetStore for SqlStore {
    async fn insert_reset(
        &self,
        token: &SecretHash,
        player: PlayerId,
        now: Timestamp,
        expires_at: Timestamp,
        mail: &NewOutbox,
    ) -> Result<i64> {
        let (token, mail) = (token.clone(), mail.clone());
        self.write_tx(async move |tx| {
            tx.execute(
                "INSERT INTO password_resets (token_hash, player_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                params![&token.0, player.0, now.0, expires_at.0],
            )
            .await?;
            let id: i64 = tx
                .scalar_one(
                    "INSERT INTO outbox (game_id, recipient, subject, sealed_body, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    params![
                        mail.game_id.map(|g| g.0),
                        &mail.recipient,
                        &mail.subject,
                        &mail.sealed_body,
                        mail.created_at.0
                    ],
                )
                .await?;
            Ok(id)
        })
        .await
    }

    async fn outbox_result(&self, id: i64, sent_at: Option<Timestamp>, error: Option<&str>) -> Result<()> {
        let error = error.map(str::to_owned);
        self.write_one(async move |pool| {
            pool.execute(
                "UPDATE outbox SET sent_at = $2, error = $3 WHERE id = $1",
                params![id, sent_at.map(|t| t.0), error],
            )
            .await
            .map(drop)
        })
        .await
    }

    async fn outbox(&self, limit: i64) -> Result<Vec<OutboxRecord>> {
        let rows: Vec<OutboxRow> = self
            .read_all(
                "SELECT id, game_id, recipient, subject, sealed_body, created_at, sent_at, error \
                 FROM outbox ORDER BY id DESC LIMIT $1",
                params![limit],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| OutboxRecord {
                id: r.id,
                game_id: r.game_id.map(GameId),
                recipient: r.recipient,
                subject: r.subject,
                body: r.sealed_body,
                created_at: Timestamp(r.created_at),
                sent_at: r.sent_at.map(Timestamp),
                error: r.error,
            })
            .collect())
    }

    async fn reset_token_live(&self, token: &SecretHash, now: Timestamp) -> Result<bool> {
        let row: Option<i64> = self
            .read_scalar_optional(
                "SELECT player_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
                params![&token.0, now.0],
            )
            .await?;
        Ok(row.is_some())
    }

    async fn reset_password(
        &self,
        token: &SecretHash,
        now: Timestamp,
        password_hash: &str,
        audit: &playgate_core::audit::NewAuditEvent,
    ) -> Result<bool> {
        let (token, password_hash) = (token.clone(), password_hash.to_owned());
        let ev = crate::audit::EventValues::of(audit, now);
        self.write_tx(async move |tx| {
            let player: Option<i64> = tx
                .scalar_optional(
                    "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL \
                     AND expires_at > $2 RETURNING player_id",
                    params![&token.0, now.0],
                )
                .await?;
            let Some(player) = player else {
                return Ok(false);
            };
            let user: ResetUser = tx
                .fetch_one(
                    "UPDATE gamefuse_users SET password_hash = $2 WHERE player_id = $1 RETURNING email, game_id",
                    params![player, password_hash],
                )
                .await?;
            tx.execute(
                "UPDATE sessions SET state = 'ended', ended_at = $2 WHERE player_id = $1 AND state <> 'ended'",
                params![player, now.0],
            )
            .await?;
            // The player as every event names it: by its user id, the e-mail address.
            let ev = ev.or_subject(|| player_subject(&user.email)).or_game(user.game_id);
            crate::audit::insert_events(tx, std::slice::from_ref(&ev)).await?;
            Ok(true)
        })
        .await
    }
}

row! {
    /// The user whose password a reset token set.
    struct ResetUser {
        email: String,
        game_id: i64,
    }
}
