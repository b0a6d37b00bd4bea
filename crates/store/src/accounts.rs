//! `AccountAdminStore` for [`SqlStore`]: operators' searches and changes of platform
//! accounts, each change with its audit event in the same transaction.

use async_trait::async_trait;
use playgate_core::account::{Account, AccountId, ApiKey, ApiKeyId};
use playgate_core::accounts::{AccountAdminStore, AccountApiKey, AccountChange, AccountLink, Ended};
use playgate_core::audit::NewAuditEvent;
use playgate_core::clock::Timestamp;
use playgate_core::ids::{GameId, PlayerId};
use playgate_core::{Error, Result};
use serde_json::json;

use crate::SqlStore;
use crate::account_rows::{ACCOUNT_COLS, AccountRow, ApiKeyRow};
use crate::audit::insert_audit_in;
use crate::exec::{Conn, params, row};

row! {
    struct LinkRow {
        game_id: i64,
        player_id: i64,
        user_id: String,
        linked_at: i64,
    }
}

row! {
    /// An API key with the time of the account's last login through it.
    struct KeyLoginRow {
        #[flatten]
        key: ApiKeyRow,
        last_login_at: i64,
    }
}

/// Ends the account's logins that have not ended; how many.
async fn end_logins(tx: &mut Conn<'_>, id: AccountId, now: Timestamp) -> Result<u64> {
    tx.execute(
        "UPDATE account_logins SET state = 'ended', ended_at = $2 WHERE account_id = $1 AND state <> 'ended'",
        params![id.0, now.0],
    )
    .await
}

async fn account_in(tx: &mut Conn<'_>, id: AccountId) -> Result<Option<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLS} FROM accounts WHERE id = $1");
    let row: Option<AccountRow> = tx.fetch_optional(&sql, params![id.0]).await?;
    row.map(Account::try_from).transpose()
}

#[async_trait]
impl AccountAdminStore for SqlStore {
    async fn search_accounts(
        &self,
        prefix: &str,
        id: Option<AccountId>,
        after: Option<AccountId>,
        limit: u32,
    ) -> Result<Vec<Account>> {
        // Prefixes compared by their first characters, so that no LIKE wildcard in the text
        // matters.
        let sql = format!(
            "SELECT {ACCOUNT_COLS} FROM accounts WHERE id > $1 AND ($2 = '' OR id = $3 \
             OR substr(name_key, 1, CAST($4 AS INTEGER)) = $2 \
             OR substr(lower(email), 1, CAST($4 AS INTEGER)) = $2 \
             OR substr(lower(first_name), 1, CAST($4 AS INTEGER)) = $2 \
             OR substr(lower(last_name), 1, CAST($4 AS INTEGER)) = $2) \
             ORDER BY id LIMIT $5"
        );
        let n = i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX);
        let (after, id) = (after.map_or(0, |a| a.0), id.map_or(-1, |a| a.0));
        let rows: Vec<AccountRow> = self
            .read_all(&sql, params![after, prefix, id, n, i64::from(limit)])
            .await?;
        rows.into_iter().map(Account::try_from).collect()
    }

    async fn account_links(&self, id: AccountId) -> Result<Vec<AccountLink>> {
        let rows: Vec<LinkRow> = self
            .read_all(
                "SELECT p.game_id, p.id AS player_id, p.user_id, l.linked_at FROM player_links l \
                 JOIN players p ON p.id = l.player_id WHERE l.account_id = $1 ORDER BY l.linked_at, p.id",
                params![id.0],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| AccountLink {
                game_id: GameId(r.game_id),
                player_id: PlayerId(r.player_id),
                user_id: r.user_id,
                linked_at: Timestamp(r.linked_at),
            })
            .collect())
    }

    async fn account_api_keys(&self, id: AccountId) -> Result<Vec<AccountApiKey>> {
        let rows: Vec<KeyLoginRow> = self
            .read_all(
                "SELECT k.id, k.label, k.allowed_ips, k.expires_at, k.created_at, \
                 MAX(l.started_at) AS last_login_at FROM api_keys k \
                 JOIN account_logins l ON l.api_key_id = k.id WHERE l.account_id = $1 \
                 GROUP BY k.id, k.label, k.allowed_ips, k.expires_at, k.created_at ORDER BY k.id",
                params![id.0],
            )
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(AccountApiKey {
                    key: ApiKey::try_from(r.key)?,
                    last_login_at: Timestamp(r.last_login_at),
                })
            })
            .collect()
    }

    async fn change_account(
        &self,
        id: AccountId,
        change: &AccountChange,
        event: &NewAuditEvent,
        now: Timestamp,
    ) -> Result<Option<Account>> {
        let (c, event) = (change.clone(), event.clone());
        self.write_tx(async move |tx| {
            let n = tx
                .execute(
                    "UPDATE accounts SET email = $2, first_name = $3, last_name = $4, phone = $5, \
                     access_level = $6, trial_expires_at = $7, enabled = $8, updated_at = $9 WHERE id = $1",
                    params![
                        id.0,
                        c.email,
                        c.first_name,
                        c.last_name,
                        c.phone,
                        c.access_level.as_i64(),
                        c.trial_expires_at.map(|t| t.0),
                        c.enabled,
                        now.0
                    ],
                )
                .await?;
            if n == 0 {
                return Ok(None);
            }
            if !c.enabled {
                end_logins(tx, id, now).await?;
            }
            insert_audit_in(tx, &event, now).await?;
            account_in(tx, id).await
        })
        .await
    }

    async fn reset_totp(&self, id: AccountId, event: &NewAuditEvent, now: Timestamp) -> Result<bool> {
        let event = event.clone();
        self.write_tx(async move |tx| {
            let n = tx
                .execute(
                    "UPDATE accounts SET totp_enabled = FALSE, totp_secret = NULL, totp_pending = NULL, \
                     updated_at = $2 WHERE id = $1",
                    params![id.0, now.0],
                )
                .await?;
            if n == 0 {
                return Ok(false);
            }
            tx.execute("DELETE FROM recovery_codes WHERE account_id = $1", params![id.0])
                .await?;
            insert_audit_in(tx, &event, now).await?;
            Ok(true)
        })
        .await
    }

    async fn replace_password(&self, id: AccountId, hash: &str, event: &NewAuditEvent, now: Timestamp) -> Result<bool> {
        let (hash, event) = (hash.to_owned(), event.clone());
        self.write_tx(async move |tx| {
            let n = tx
                .execute(
                    "UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE id = $1",
                    params![id.0, hash, now.0],
                )
                .await?;
            if n == 0 {
                return Ok(false);
            }
            let ended = end_logins(tx, id, now).await?;
            let event = event.detail(json!({"logins_ended": ended}));
            insert_audit_in(tx, &event, now).await?;
            Ok(true)
        })
        .await
    }

    async fn revoke_api_key(
        &self,
        id: AccountId,
        key: ApiKeyId,
        event: &NewAuditEvent,
        now: Timestamp,
    ) -> Result<bool> {
        let event = event.clone();
        self.write_tx(async move |tx| {
            let used: Option<i64> = tx
                .scalar_optional(
                    "SELECT api_key_id FROM account_logins WHERE api_key_id = $1 AND account_id = $2 LIMIT 1",
                    params![key.0, id.0],
                )
                .await?;
            if used.is_none() {
                return Ok(false);
            }
            tx.execute("DELETE FROM account_logins WHERE api_key_id = $1", params![key.0])
                .await?;
            let n = tx.execute("DELETE FROM api_keys WHERE id = $1", params![key.0]).await?;
            if n == 0 {
                return Err(Error::internal(format!("API key {} vanished while revoked", key.0)));
            }
            insert_audit_in(tx, &event, now).await?;
            Ok(true)
        })
        .await
    }

    async fn end_account_sessions(&self, id: AccountId, event: &NewAuditEvent, now: Timestamp) -> Result<Ended> {
        let event = event.clone();
        self.write_tx(async move |tx| {
            let logins = end_logins(tx, id, now).await?;
            let sessions = tx
                .execute(
                    "UPDATE sessions SET state = 'ended', ended_at = $2 WHERE state = 'active' \
                     AND player_id IN (SELECT player_id FROM player_links WHERE account_id = $1)",
                    params![id.0, now.0],
                )
                .await?;
            let event = event.detail(json!({"logins_ended": logins, "sessions_ended": sessions}));
            insert_audit_in(tx, &event, now).await?;
            Ok(Ended { logins, sessions })
        })
        .await
    }
}
