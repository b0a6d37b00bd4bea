//! `impl AccountStore for SqlStore`: accounts, API keys, account logins, TOTP state,
//! recovery codes and player links, every query once for both backends.

use crate::audit::{EventValues, audited_update, insert_events};
use async_trait::async_trait;
use playgate_core::account::{
    Account, AccountId, AccountInfo, ApiKey, ApiKeyId, Login, NewAccountRecord, NewApiKeyRecord, NewLogin,
};
use playgate_core::account_store::{AccountStore, ApiKeyFound, Redeem, StartLogin};
use playgate_core::audit::NewAuditEvent;
use playgate_core::clock::Timestamp;
use playgate_core::crypto::SecretHash;
use playgate_core::ids::{GameId, SessionId, UserId};
use playgate_core::{Error, Result};

use crate::SqlStore;
use crate::exec::params;
use playgate_core::Entity;

use crate::account_rows::{
    ACCOUNT_COLS, API_KEY_LOGIN_READ, API_KEY_READ, AccountRow, ApiKeyReadRow, ApiKeyRow, INFO_COL_COUNT, INFO_COLS,
    LOGIN_COLS, LoginRow, PlayerKeyRow, account_cols, info_params, login_cols,
};

#[async_trait]
impl AccountStore for SqlStore {
    async fn insert_account(&self, rec: &NewAccountRecord) -> Result<Account> {
        let rec = rec.clone();
        // The info first ($1 ...), then the rest.
        let n = INFO_COL_COUNT;
        let info: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
        let rest: Vec<String> = (n + 1..=n + 9).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO accounts ({INFO_COLS}, public_id, user_name, name_key, access_level, trial_expires_at, \
             password_hash, wallet_address, wallet_key, created_at, updated_at) \
             VALUES ({}, {}, ${}) RETURNING {ACCOUNT_COLS}",
            info.join(", "),
            rest.join(", "),
            n + 9,
        );
        let row: AccountRow = self
            .write_one(async move |pool| {
                let (level, trial) = (rec.access_level.as_i64(), rec.trial_expires_at.map(|t| t.0));
                let mut ps = info_params(&rec.info);
                ps.extend_from_slice(params![
                    rec.public_id,
                    rec.user_name,
                    rec.name_key,
                    level,
                    trial,
                    rec.password_hash,
                    rec.wallet.address,
                    rec.wallet.sealed_key,
                    rec.created_at.0
                ]);
                pool.fetch_one(&sql, &ps).await
            })
            .await?;
        row.try_into()
    }

    async fn update_account_info(&self, id: AccountId, info: &AccountInfo, now: Timestamp) -> Result<Option<Account>> {
        let info = info.clone();
        let n = INFO_COL_COUNT;
        let sets: Vec<String> = INFO_COLS
            .split(',')
            .map(str::trim)
            .chain(["updated_at"])
            .enumerate()
            .map(|(i, col)| format!("{col} = ${}", i + 1))
            .collect();
        let sql = format!(
            "UPDATE accounts SET {} WHERE id = ${} RETURNING {ACCOUNT_COLS}",
            sets.join(", "),
            n + 2
        );
        let row: Option<AccountRow> = self
            .write_one(async move |pool| {
                let mut ps = info_params(&info);
                ps.extend_from_slice(params![now.0, id.0]);
                pool.fetch_optional(&sql, &ps).await
            })
            .await?;
        row.map(Account::try_from).transpose()
    }

    async fn account_by_id(&self, id: AccountId) -> Result<Option<Account>> {
        let row: Option<AccountRow> = self
            .read_optional(
                concat!("SELECT ", account_cols!(), " FROM accounts WHERE id = $1"),
                params![id.0],
            )
            .await?;
        row.map(Account::try_from).transpose()
    }

    async fn account_by_name_key(&self, key: &str) -> Result<Option<Account>> {
        let row: Option<AccountRow> = self
            .read_optional(
                concat!("SELECT ", account_cols!(), " FROM accounts WHERE name_key = $1"),
                params![key],
            )
            .await?;
        row.map(Account::try_from).transpose()
    }

    async fn set_totp_pending(&self, id: AccountId, sealed: Option<&[u8]>) -> Result<()> {
        let sealed = sealed.map(<[u8]>::to_vec);
        self.write_one(async move |pool| {
            pool.execute(
                "UPDATE accounts SET totp_pending = $2 WHERE id = $1",
                params![id.0, sealed],
            )
            .await
            .map(drop)
        })
        .await
    }

    async fn enable_totp(
        &self,
        id: AccountId,
        sealed: &[u8],
        recovery: &[SecretHash],
        audit: &NewAuditEvent,
        now: Timestamp,
    ) -> Result<()> {
        let (sealed, recovery) = (sealed.to_vec(), recovery.to_vec());
        let ev = EventValues::of(audit, now);
        self.write_tx(async move |tx| {
            tx.execute(
                "UPDATE accounts SET totp_enabled = TRUE, totp_secret = $2, totp_pending = NULL WHERE id = $1",
                params![id.0, sealed],
            )
            .await?;
            tx.execute("DELETE FROM recovery_codes WHERE account_id = $1", params![id.0])
                .await?;
            for h in &recovery {
                tx.execute(
                    "INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)",
                    params![id.0, &h.0],
                )
                .await?;
            }
            insert_events(tx, std::slice::from_ref(&ev)).await
        })
        .await
    }

    async fn set_account_password_hash(&self, id: AccountId, old: &str, new: &str) -> Result<bool> {
        let n = self
            .execute_one(
                "UPDATE accounts SET password_hash = $3 WHERE id = $1 AND password_hash = $2",
                params![id.0, old, new],
            )
            .await?;
        Ok(n == 1)
    }

    async fn disable_totp(&self, id: AccountId) -> Result<()> {
        self.write_tx(async move |tx| {
            tx.execute(
                "UPDATE accounts SET totp_enabled = FALSE, totp_secret = NULL, totp_pending = NULL WHERE id = $1",
                params![id.0],
            )
            .await?;
            tx.execute("DELETE FROM recovery_codes WHERE account_id = $1", params![id.0])
                .await?;
            Ok(())
        })
        .await
    }

    async fn claim_totp_step(&self, id: AccountId, step: i64) -> Result<bool> {
        let n = self
            .execute_one(
                "UPDATE accounts SET totp_last_step = $2 \
                 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
                params![id.0, step],
            )
            .await?;
        Ok(n == 1)
    }

    async fn use_recovery_code(&self, id: AccountId, hash: &SecretHash, now: Timestamp) -> Result<bool> {
        let n = self
            .execute_one(
                "UPDATE recovery_codes SET used_at = $3 \
                 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL",
                params![id.0, &hash.0, now.0],
            )
            .await?;
        Ok(n == 1)
    }

    async fn insert_api_key(&self, rec: &NewApiKeyRecord) -> Result<ApiKey> {
        let rec = rec.clone();
        let allowed = rec
            .allowed
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let row: ApiKeyRow = self
            .write_one(async move |pool| {
                pool.fetch_one(
                    "INSERT INTO api_keys (key_hash, label, allowed_ips, expires_at, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id, label, allowed_ips, expires_at, created_at",
                    params![
                        &rec.hash.0,
                        &rec.label,
                        &allowed,
                        rec.expires_at.map(|t| t.0),
                        rec.created_at.0
                    ],
                )
                .await
            })
            .await?;
        row.try_into()
    }

    async fn api_key_by_hash(&self, hash: &SecretHash) -> Result<Option<ApiKey>> {
        let row: Option<ApiKeyRow> = self
            .read_optional(
                "SELECT id, label, allowed_ips, expires_at, created_at FROM api_keys WHERE key_hash = $1",
                params![&hash.0],
            )
            .await?;
        row.map(ApiKey::try_from).transpose()
    }

    async fn api_key_read(
        &self,
        hash: &SecretHash,
        failures: Option<(&str, Timestamp)>,
        with_login: bool,
    ) -> Result<ApiKeyFound> {
        let (key, start) = failures.map_or((None, 0), |(k, at)| (Some(k), at.0));
        let sql: &str = if with_login { &API_KEY_LOGIN_READ } else { &API_KEY_READ };
        let row: ApiKeyReadRow = self
            .read_optional(sql, params![&hash.0, key, start])
            .await?
            .ok_or(Error::NotFound(playgate_core::Entity::Row))?;
        Ok(row.0)
    }

    async fn current_login(&self, key: ApiKeyId) -> Result<Option<Login>> {
        let row: Option<LoginRow> = self
            .read_optional(
                concat!(
                    "SELECT ",
                    login_cols!(),
                    " FROM account_logins WHERE api_key_id = $1 AND state <> 'ended'"
                ),
                params![key.0],
            )
            .await?;
        row.map(Login::try_from).transpose()
    }

    async fn start_login(&self, rec: &NewLogin) -> Result<StartLogin> {
        let rec = rec.clone();
        let events: Vec<EventValues> = rec.audit.iter().map(|a| EventValues::of(a, rec.now)).collect();
        let sql = format!("SELECT {LOGIN_COLS} FROM account_logins WHERE api_key_id = $1 AND state <> 'ended'");
        self.write_tx(async move |tx| {
            let l = &rec.login;
            let current: Option<LoginRow> = tx.fetch_optional(&sql, params![l.api_key_id.0]).await?;
            if let Some(cur) = current.map(Login::try_from).transpose()? {
                if cur.is_live(rec.now) {
                    return Ok(StartLogin::AlreadyLoggedIn);
                }
                tx.execute(
                    "UPDATE account_logins SET state = 'ended', ended_at = $2 WHERE id = $1",
                    params![cur.id.to_string(), rec.now.0],
                )
                .await?;
            }
            tx.execute(
                "INSERT INTO account_logins (id, api_key_id, account_id, state, started_at, expires_at, \
                 remember_me, otp_failures, ip, country) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9)",
                params![
                    l.id.to_string(),
                    l.api_key_id.0,
                    l.account_id.0,
                    l.state.as_str(),
                    l.started_at.0,
                    l.expires_at.0,
                    l.remember_me,
                    &l.ip,
                    &l.country
                ],
            )
            .await?;
            insert_events(tx, &events).await?;
            Ok(StartLogin::Started(l.clone()))
        })
        .await
    }

    async fn activate_login(
        &self,
        id: SessionId,
        now: Timestamp,
        expires_at: Timestamp,
        audit: &NewAuditEvent,
    ) -> Result<bool> {
        let ev = EventValues::of(audit, now);
        let n = self
            .write_audited(async move |c| {
                audited_update(
                    c,
                    "UPDATE account_logins SET state = 'active', expires_at = $3 \
                     WHERE id = $1 AND state = 'pending_otp' AND expires_at > $2",
                    params![id.to_string(), now.0, expires_at.0],
                    Some(&ev),
                )
                .await
            })
            .await?;
        Ok(n == 1)
    }

    async fn add_otp_failure(&self, id: SessionId, max: i64, now: Timestamp) -> Result<i64> {
        let n: Option<i64> = self
            .write_one(async move |pool| {
                pool.scalar_optional(
                    "UPDATE account_logins SET otp_failures = otp_failures + 1, \
                     state = CASE WHEN otp_failures + 1 >= $2 THEN 'ended' ELSE state END, \
                     ended_at = CASE WHEN otp_failures + 1 >= $2 THEN $3 ELSE ended_at END \
                     WHERE id = $1 AND state = 'pending_otp' RETURNING otp_failures",
                    params![id.to_string(), max, now.0],
                )
                .await
            })
            .await?;
        Ok(n.unwrap_or(max))
    }

    async fn end_login(&self, id: SessionId, now: Timestamp) -> Result<bool> {
        let n = self
            .execute_one(
                "UPDATE account_logins SET state = 'ended', ended_at = $2 WHERE id = $1 AND state <> 'ended'",
                params![id.to_string(), now.0],
            )
            .await?;
        Ok(n == 1)
    }

    async fn insert_link_code(
        &self,
        game: GameId,
        user_id: &UserId,
        hash: &SecretHash,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()> {
        let n = self
            .execute_one(
                "INSERT INTO link_codes (code_hash, player_id, created_at, expires_at) \
                 SELECT $3, id, $4, $5 FROM players WHERE game_id = $1 AND user_id = $2",
                params![game.0, user_id.as_str(), &hash.0, now.0, expires_at.0],
            )
            .await?;
        if n == 1 {
            Ok(())
        } else {
            Err(Error::NotFound(Entity::Player))
        }
    }

    async fn redeem_link_code(&self, hash: &SecretHash, account: AccountId, now: Timestamp) -> Result<Redeem> {
        let hash = hash.clone();
        self.write_tx(async move |tx| {
            let player: Option<i64> = tx
                .scalar_optional(
                    "UPDATE link_codes SET used_at = $2 \
                     WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING player_id",
                    params![&hash.0, now.0],
                )
                .await?;
            let Some(player) = player else {
                return Ok(Redeem::Invalid);
            };
            let linked: Option<i64> = tx
                .scalar_optional(
                    "SELECT account_id FROM player_links WHERE player_id = $1",
                    params![player],
                )
                .await?;
            match linked {
                // Linked to another account: give the code back, so nothing changes.
                Some(other) if other != account.0 => {
                    tx.execute(
                        "UPDATE link_codes SET used_at = NULL WHERE code_hash = $1",
                        params![&hash.0],
                    )
                    .await?;
                    return Ok(Redeem::LinkedElsewhere);
                }
                Some(_) => {}
                None => {
                    tx.execute(
                        "INSERT INTO player_links (player_id, account_id, linked_at) VALUES ($1, $2, $3)",
                        params![player, account.0, now.0],
                    )
                    .await?;
                }
            }
            let row: PlayerKeyRow = tx
                .fetch_one("SELECT game_id, user_id FROM players WHERE id = $1", params![player])
                .await?;
            Ok(Redeem::Linked {
                game_id: GameId(row.game_id),
                user_id: row.user_id,
            })
        })
        .await
    }
}
