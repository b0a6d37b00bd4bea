//! The storage contract for platform accounts and what hangs off them: API keys, account
//! logins (the i3D dialect's sessions), TOTP state and recovery codes, and player links.
//! Part of [`Store`](crate::store::Store); the logins, links and the admin accounts
//! services hold it alone.

use async_trait::async_trait;

use crate::Result;
use crate::account::{
    Account, AccountId, AccountInfo, ApiKey, ApiKeyId, Login, NewAccountRecord, NewApiKeyRecord, NewLogin,
};
use crate::clock::Timestamp;
use crate::crypto::SecretHash;
use crate::ids::{GameId, SessionId, UserId};

/// What [`AccountStore::api_key_read`] found.
#[derive(Debug, Clone, Default)]
pub struct ApiKeyFound {
    /// The key.
    pub key: Option<ApiKey>,
    /// The caller's failures in the current window.
    pub failures: i64,
    /// The key's login that has not ended, and its account.
    pub login: Option<(Login, Account)>,
}

/// What [`AccountStore::start_login`] did.
#[derive(Debug)]
pub enum StartLogin {
    /// The login is recorded (any stale login of the key was ended first).
    Started(Login),
    /// The key already holds a live, completed login.
    AlreadyLoggedIn,
}

/// What [`AccountStore::redeem_link_code`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redeem {
    /// The player is linked to the account now (or already was to this one).
    Linked {
        /// The player's game.
        game_id: GameId,
        /// The player's id in the game.
        user_id: String,
    },
    /// No such code, or used, or expired.
    Invalid,
    /// The player is linked to another account.
    LinkedElsewhere,
}

/// Persistence of accounts and their credentials.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Inserts an account; `Conflict` if the user name is taken.
    async fn insert_account(&self, rec: &NewAccountRecord) -> Result<Account>;
    /// One account by id.
    async fn account_by_id(&self, id: AccountId) -> Result<Option<Account>>;
    /// One account by its user name's key (lower case).
    async fn account_by_name_key(&self, key: &str) -> Result<Option<Account>>;
    /// Replaces an account's editable part (profile, e-mail state, details, billing) in
    /// one statement; `None` if there is no such account.
    async fn update_account_info(&self, id: AccountId, info: &AccountInfo, now: Timestamp) -> Result<Option<Account>>;

    /// Records (or with `None` clears) a TOTP secret waiting for enrollment to finish.
    async fn set_totp_pending(&self, id: AccountId, sealed: Option<&[u8]>) -> Result<()>;
    /// Turns 2FA on with this secret and these recovery code hashes (replacing any), in
    /// one transaction with `audit` (recorded at `now`); clears the pending secret.
    async fn enable_totp(
        &self,
        id: AccountId,
        sealed: &[u8],
        recovery: &[SecretHash],
        audit: &crate::audit::NewAuditEvent,
        now: Timestamp,
    ) -> Result<()>;
    /// Turns 2FA off: clears the secrets and deletes the recovery codes.
    async fn disable_totp(&self, id: AccountId) -> Result<()>;
    /// Replaces the account's password hash `old` by `new`; false (and nothing changed)
    /// if `old` is no longer the stored one.
    async fn set_account_password_hash(&self, id: AccountId, old: &str, new: &str) -> Result<bool>;
    /// Marks TOTP step `step` as used for the account, if no step at or after it was used
    /// before. Returns whether it did (false: a replay).
    async fn claim_totp_step(&self, id: AccountId, step: i64) -> Result<bool>;
    /// Marks an unused recovery code as used. Returns whether it did.
    async fn use_recovery_code(&self, id: AccountId, hash: &SecretHash, now: Timestamp) -> Result<bool>;

    /// Inserts an API key.
    async fn insert_api_key(&self, rec: &NewApiKeyRecord) -> Result<ApiKey>;
    /// One API key by its hash.
    async fn api_key_by_hash(&self, hash: &SecretHash) -> Result<Option<ApiKey>>;
    /// The API key of `hash` with the caller's failure count (its counter key and the
    /// window's start; none without an address) and, with `with_login`, the key's login
    /// that has not ended and its account: one statement.
    async fn api_key_read(
        &self,
        hash: &SecretHash,
        failures: Option<(&str, Timestamp)>,
        with_login: bool,
    ) -> Result<ApiKeyFound>;

    /// The key's login that has not ended (it may have lapsed), if any.
    async fn current_login(&self, key: ApiKeyId) -> Result<Option<Login>>;
    /// Records a new login for the key in one transaction, with its audit events: refused
    /// if the key holds a live active login; otherwise any other login of the key is ended
    /// first.
    async fn start_login(&self, rec: &NewLogin) -> Result<StartLogin>;
    /// Completes a login waiting for its OTP, recording `audit` with it. Returns whether it
    /// did.
    async fn activate_login(
        &self,
        id: SessionId,
        now: Timestamp,
        expires_at: Timestamp,
        audit: &crate::audit::NewAuditEvent,
    ) -> Result<bool>;
    /// Counts a wrong OTP on a waiting login; at `max` the login ends. Returns the count.
    async fn add_otp_failure(&self, id: SessionId, max: i64, now: Timestamp) -> Result<i64>;
    /// Ends a login. Returns whether it was still open.
    async fn end_login(&self, id: SessionId, now: Timestamp) -> Result<bool>;

    /// Records a link code for the player `(game, user_id)`; `NotFound` if no such player.
    async fn insert_link_code(
        &self,
        game: GameId,
        user_id: &UserId,
        hash: &SecretHash,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()>;
    /// Redeems a link code for an account, in one transaction: the code is used once, and
    /// its player is linked to the account.
    async fn redeem_link_code(&self, hash: &SecretHash, account: AccountId, now: Timestamp) -> Result<Redeem>;
}
