//! `impl ConsoleStore for SqlStore`: operators' console passwords, TOTP secrets, recovery
//! codes and console sessions, every query once for both backends.

use async_trait::async_trait;
use playgate_core::Result;
use playgate_core::clock::Timestamp;
use playgate_core::console::{ConsoleCredentials, ConsoleSession, ConsoleStore, NewConsoleSession};
use playgate_core::crypto::SecretHash;
use playgate_core::operators::{Operator, Principal, Role};

use crate::SqlStore;
use crate::exec::{params, row};
use crate::operators::OperatorRow;

const CREDENTIAL_COLS: &str = "id, name, role, enabled, created_at, last_used_at, \
     console_password, console_totp_secret, console_totp_pending";

row! {
    /// An operator's row with its console credentials ([`CREDENTIAL_COLS`]).
    struct CredentialsRow {
        #[flatten]
        operator: OperatorRow,
        console_password: Option<String>,
        console_totp_secret: Option<Vec<u8>>,
        console_totp_pending: Option<Vec<u8>>,
    }
}

impl TryFrom<CredentialsRow> for ConsoleCredentials {
    type Error = playgate_core::Error;

    fn try_from(r: CredentialsRow) -> Result<Self> {
        Ok(ConsoleCredentials {
            operator: r.operator.try_into()?,
            password_hash: r.console_password,
            totp_secret: r.console_totp_secret,
            totp_pending: r.console_totp_pending,
        })
    }
}

row! {
    struct SessionRow {
    operator_id: i64,
    name: String,
    role: String,
    enabled: bool,
    totp_enrolled: bool,
    verified: bool,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,}
}

impl TryFrom<SessionRow> for ConsoleSession {
    type Error = playgate_core::Error;

    fn try_from(r: SessionRow) -> Result<Self> {
        Ok(ConsoleSession {
            operator_id: r.operator_id,
            operator: Principal {
                name: r.name,
                role: Role::parse(&r.role)?,
            },
            operator_enabled: r.enabled,
            totp_enrolled: r.totp_enrolled,
            verified: r.verified,
            created_at: Timestamp(r.created_at),
            last_seen_at: Timestamp(r.last_seen_at),
            expires_at: Timestamp(r.expires_at),
        })
    }
}

fn credentials(row: Option<CredentialsRow>) -> Result<Option<ConsoleCredentials>> {
    row.map(ConsoleCredentials::try_from).transpose()
}

#[async_trait]
impl ConsoleStore for SqlStore {
    async fn insert_console_operator(
        &self,
        name: &str,
        role: Role,
        token: &SecretHash,
        password_hash: &str,
        now: Timestamp,
    ) -> Result<Operator> {
        let (name, token, phc) = (name.to_owned(), token.0.clone(), password_hash.to_owned());
        let sql = format!(
            "INSERT INTO operators (name, role, enabled, token_hash, created_at, console_password) \
             VALUES ($1, $2, TRUE, $3, $4, $5) RETURNING {CREDENTIAL_COLS}"
        );
        let row: CredentialsRow = self
            .write_one(async move |c| c.fetch_one(&sql, params![name, role.as_str(), token, now.0, phc]).await)
            .await?;
        Ok(ConsoleCredentials::try_from(row)?.operator)
    }

    async fn set_console_password(&self, name: &str, password_hash: &str) -> Result<Option<Operator>> {
        let (name, phc) = (name.to_owned(), password_hash.to_owned());
        let sql = format!("UPDATE operators SET console_password = $2 WHERE name = $1 RETURNING {CREDENTIAL_COLS}");
        let row = self
            .write_one(async move |c| c.fetch_optional(&sql, params![name, phc]).await)
            .await?;
        Ok(credentials(row)?.map(|c| c.operator))
    }

    async fn console_credentials(&self, name: &str) -> Result<Option<ConsoleCredentials>> {
        let sql = format!("SELECT {CREDENTIAL_COLS} FROM operators WHERE name = $1");
        let row = self.read_optional(&sql, params![name]).await?;
        credentials(row)
    }

    async fn console_credentials_by_id(&self, id: i64) -> Result<Option<ConsoleCredentials>> {
        let sql = format!("SELECT {CREDENTIAL_COLS} FROM operators WHERE id = $1");
        let row = self.read_optional(&sql, params![id]).await?;
        credentials(row)
    }

    async fn set_console_totp_pending(&self, operator_id: i64, sealed: Option<&[u8]>) -> Result<()> {
        self.execute_one(
            "UPDATE operators SET console_totp_pending = $2 WHERE id = $1",
            params![operator_id, sealed],
        )
        .await?;
        Ok(())
    }

    async fn enable_console_totp(&self, operator_id: i64, sealed: &[u8], recovery: &[SecretHash]) -> Result<()> {
        let (sealed, recovery) = (sealed.to_vec(), recovery.to_vec());
        self.write_tx(async move |tx| {
            tx.execute(
                "UPDATE operators SET console_totp_secret = $2, console_totp_pending = NULL WHERE id = $1",
                params![operator_id, sealed],
            )
            .await?;
            tx.execute(
                "DELETE FROM operator_recovery_codes WHERE operator_id = $1",
                params![operator_id],
            )
            .await?;
            for h in &recovery {
                tx.execute(
                    "INSERT INTO operator_recovery_codes (operator_id, code_hash) VALUES ($1, $2)",
                    params![operator_id, &h.0],
                )
                .await?;
            }
            Ok(())
        })
        .await
    }

    async fn claim_console_totp_step(&self, operator_id: i64, step: i64) -> Result<bool> {
        let n = self
            .execute_one(
                "UPDATE operators SET console_totp_last_step = $2 \
                 WHERE id = $1 AND (console_totp_last_step IS NULL OR console_totp_last_step < $2)",
                params![operator_id, step],
            )
            .await?;
        Ok(n == 1)
    }

    async fn use_console_recovery_code(&self, operator_id: i64, hash: &SecretHash, now: Timestamp) -> Result<bool> {
        let n = self
            .execute_one(
                "UPDATE operator_recovery_codes SET used_at = $3 \
                 WHERE operator_id = $1 AND code_hash = $2 AND used_at IS NULL",
                params![operator_id, hash.0, now.0],
            )
            .await?;
        Ok(n == 1)
    }

    async fn insert_console_session(
        &self,
        session: &NewConsoleSession,
        replaces: Option<&SecretHash>,
        now: Timestamp,
    ) -> Result<()> {
        let s = session.clone();
        let replaces = replaces.map(|h| h.0.clone());
        self.write_tx(async move |tx| {
            // Ended sessions go when their operator signs in again: the table holds about
            // one row per browser in use.
            tx.execute(
                "DELETE FROM console_sessions WHERE operator_id = $1 AND expires_at <= $2",
                params![s.operator_id, now.0],
            )
            .await?;
            if let Some(old) = &replaces {
                tx.execute("DELETE FROM console_sessions WHERE token_hash = $1", params![old])
                    .await?;
            }
            tx.execute(
                "INSERT INTO console_sessions \
                 (token_hash, operator_id, verified, created_at, last_seen_at, expires_at, ip, user_agent) \
                 VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
                params![
                    &s.token.0,
                    s.operator_id,
                    s.verified,
                    s.created_at.0,
                    s.expires_at.0,
                    s.ip.clone(),
                    s.user_agent.clone()
                ],
            )
            .await?;
            Ok(())
        })
        .await
    }

    async fn console_session(&self, token: &SecretHash) -> Result<Option<ConsoleSession>> {
        let row: Option<SessionRow> = self
            .read_optional(
                "SELECT s.operator_id, o.name, o.role, o.enabled, \
                 (o.console_totp_secret IS NOT NULL) AS totp_enrolled, s.verified, \
                 s.created_at, s.last_seen_at, s.expires_at \
                 FROM console_sessions s JOIN operators o ON o.id = s.operator_id \
                 WHERE s.token_hash = $1",
                params![&token.0],
            )
            .await?;
        row.map(ConsoleSession::try_from).transpose()
    }

    async fn touch_console_session(&self, token: &SecretHash, now: Timestamp) -> Result<()> {
        self.execute_one(
            "UPDATE console_sessions SET last_seen_at = $2 WHERE token_hash = $1",
            params![token.0, now.0],
        )
        .await?;
        Ok(())
    }

    async fn delete_console_session(&self, token: &SecretHash) -> Result<bool> {
        let n = self
            .execute_one("DELETE FROM console_sessions WHERE token_hash = $1", params![token.0])
            .await?;
        Ok(n == 1)
    }

    async fn delete_console_sessions_of(&self, operator_id: i64) -> Result<u64> {
        self.execute_one(
            "DELETE FROM console_sessions WHERE operator_id = $1",
            params![operator_id],
        )
        .await
    }
}
