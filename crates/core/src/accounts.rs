//! Platform accounts as operators manage them: search, show, change (names, phone, e-mail,
//! access level, trial, enabled), reset 2FA, set a password, the API keys an account logs
//! in through (and revoking one), its links to players, and "log out everywhere". Every
//! change is recorded in the audit log in the same transaction as the change itself; a new
//! account or API key just after it is made (a failure to record is logged: it is made by
//! then), with one action, subject and detail whichever surface made it.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Value, json};

use crate::account::{
    AccessLevel, Account, AccountId, AccountInfo, AccountTools, ApiKey, ApiKeyId, NewAccount, NewApiKey, name_key,
    validate_info, validate_new_password,
};
use crate::account_store::AccountStore;
use crate::audit::{NewAuditEvent, bounded};
use crate::clock::Timestamp;
use crate::crypto::Secret;
use crate::games::page_limit;
use crate::ids::{GameId, PlayerId};
use crate::service::Playgate;
use crate::{Entity, Error, Result, page};

/// A change of an account: each field present is set, the others stay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountPatch {
    /// E-mail address.
    pub email: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Access level.
    pub access_level: Option<AccessLevel>,
    /// End of the trial (`Some(None)`: not a trial account).
    pub trial_expires_at: Option<Option<Timestamp>>,
    /// Whether the account may log in; disabling ends its logins.
    pub enabled: Option<bool>,
}

/// What the store writes of an account changed by an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChange {
    /// E-mail address.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Phone number.
    pub phone: String,
    /// Access level.
    pub access_level: AccessLevel,
    /// End of the trial, for a trial account.
    pub trial_expires_at: Option<Timestamp>,
    /// Enabled flag.
    pub enabled: bool,
}

impl AccountChange {
    fn of(a: &Account) -> Self {
        AccountChange {
            email: a.profile.email.clone(),
            first_name: a.profile.first_name.clone(),
            last_name: a.profile.last_name.clone(),
            phone: a.profile.phone.clone(),
            access_level: a.access_level,
            trial_expires_at: a.trial_expires_at,
            enabled: a.enabled,
        }
    }

    fn fields(&self) -> serde_json::Map<String, Value> {
        let Value::Object(m) = json!({
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "phone": self.phone,
            "access_level": self.access_level.as_i64(),
            "trial_expires_at": self.trial_expires_at.map(Timestamp::unix_secs),
            "enabled": self.enabled,
        }) else {
            return serde_json::Map::new();
        };
        m
    }
}

/// A player linked to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLink {
    /// The player's game.
    pub game_id: GameId,
    /// The player.
    pub player_id: PlayerId,
    /// The game's id for the player.
    pub user_id: String,
    /// When it was linked.
    pub linked_at: Timestamp,
}

/// An API key an account has logged in through.
#[derive(Debug, Clone)]
pub struct AccountApiKey {
    /// The key (never the key itself: only its hash is stored).
    pub key: ApiKey,
    /// When the account last logged in through it.
    pub last_login_at: Timestamp,
}

/// What "log out everywhere" ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ended {
    /// The account's logins (i3D sessions) that were open.
    pub logins: u64,
    /// The active sessions (KGeN, GameFuse) of the players linked to the account.
    pub sessions: u64,
}

/// A page of accounts by id, and the cursor of the next, if there may be more.
#[derive(Debug, Clone)]
pub struct AccountPage {
    /// The accounts, by id.
    pub items: Vec<Account>,
    /// The id to pass as `after` for the next page.
    pub next_cursor: Option<AccountId>,
}

/// Persistence of operators' changes to accounts. Each change records its audit event in
/// the same transaction.
#[async_trait]
pub trait AccountAdminStore: AccountStore + 'static {
    /// At most `limit` accounts by id after `after` whose id is `id`, or whose user name,
    /// e-mail address, first or last name starts with `prefix` (lower case); every account
    /// when `prefix` is empty.
    async fn search_accounts(
        &self,
        prefix: &str,
        id: Option<AccountId>,
        after: Option<AccountId>,
        limit: u32,
    ) -> Result<Vec<Account>>;
    /// The players linked to the account, oldest link first.
    async fn account_links(&self, id: AccountId) -> Result<Vec<AccountLink>>;
    /// The API keys the account has logged in through, by id.
    async fn account_api_keys(&self, id: AccountId) -> Result<Vec<AccountApiKey>>;
    /// Writes the operator-editable fields; when `change.enabled` is false, ends the
    /// account's open logins too. Records `event`. `None` if no such account.
    async fn change_account(
        &self,
        id: AccountId,
        change: &AccountChange,
        event: &NewAuditEvent,
        now: Timestamp,
    ) -> Result<Option<Account>>;
    /// Turns 2FA off (secrets and recovery codes gone) and records `event`; false if no
    /// such account.
    async fn reset_totp(&self, id: AccountId, event: &NewAuditEvent, now: Timestamp) -> Result<bool>;
    /// Replaces the password hash, ends the account's open logins, records `event`; false
    /// if no such account.
    async fn replace_password(&self, id: AccountId, hash: &str, event: &NewAuditEvent, now: Timestamp) -> Result<bool>;
    /// Deletes an API key the account has logged in through, with every login through it,
    /// and records `event`; false if the account has no login through such a key.
    async fn revoke_api_key(&self, id: AccountId, key: ApiKeyId, event: &NewAuditEvent, now: Timestamp)
    -> Result<bool>;
    /// Ends the account's open logins and the active sessions of the players linked to it,
    /// and records `event` (its detail gets the counts); what it ended.
    async fn end_account_sessions(&self, id: AccountId, event: &NewAuditEvent, now: Timestamp) -> Result<Ended>;
}

/// The accounts service of the admin API, the console and the CLI.
#[derive(Clone)]
pub struct Accounts {
    store: Arc<dyn AccountAdminStore>,
    /// The core's shared parts: the clock, the password hasher, the master key, the audit
    /// log new accounts and API keys are recorded in.
    core: Playgate,
}

/// Longest search text.
const QUERY_MAX: usize = 200;

impl Accounts {
    /// The service over its store and the core's shared parts (hashing passwords with the
    /// core's hasher, sealing new wallets under its master key, recording in its audit log).
    pub fn new(store: Arc<dyn AccountAdminStore>, core: &Playgate) -> Self {
        Accounts {
            store,
            core: core.clone(),
        }
    }

    fn tools(&self) -> AccountTools<'_> {
        self.core.account_tools()
    }

    /// Creates an account with its own custodial wallet: `account.created`.
    pub async fn create(&self, cmd: NewAccount, by: NewAuditEvent) -> Result<Account> {
        let account = self.tools().create_account(cmd).await?;
        self.core.audit.record_alone(Self::created(by, &account)).await;
        Ok(account)
    }

    /// One account by id, or by user name (any case; a name of digits only when no
    /// account has that id).
    pub async fn find(&self, id_or_name: &str) -> Result<Option<Account>> {
        self.tools().find_account(id_or_name).await
    }

    /// Changes an account's editable part: `edit` gets the stored one, the result is
    /// checked and saved. `NotFound(Entity::Account)` if there is no such account.
    pub async fn update_info(
        &self,
        id: AccountId,
        edit: impl FnOnce(&mut AccountInfo) -> Result<()>,
    ) -> Result<Account> {
        self.tools().update_account(id, edit).await
    }

    /// Creates an API key; the key is returned once, only its hash is kept:
    /// `api_key.created`.
    pub async fn create_api_key(&self, cmd: NewApiKey, by: NewAuditEvent) -> Result<(ApiKey, Secret)> {
        let (key, secret) = self.tools().create_api_key(cmd).await?;
        self.core.audit.record_alone(Self::api_key_created(by, &key)).await;
        Ok((key, secret))
    }

    /// Accounts whose id is `q`, or whose user name, e-mail address, first or last name
    /// starts with `q` (any case); all when `q` is empty. By id, a page at a time.
    pub async fn search(&self, q: &str, after: Option<AccountId>, limit: u32) -> Result<AccountPage> {
        let limit = page_limit(limit)?;
        let q = q.trim();
        if q.chars().count() > QUERY_MAX || q.chars().any(char::is_control) {
            return Err(Error::invalid(
                "q",
                "must be at most 200 characters, no control characters",
            ));
        }
        let id = q.parse::<i64>().ok().map(AccountId);
        let items = self.store.search_accounts(&q.to_lowercase(), id, after, limit).await?;
        let next_cursor = page::next_cursor(&items, limit, |a| a.id);
        Ok(AccountPage { items, next_cursor })
    }

    /// An account by id, or by user name (any case); `NotFound(Account)` otherwise.
    pub async fn get(&self, id_or_name: &str) -> Result<Account> {
        if let Ok(id) = id_or_name.trim().parse::<i64>()
            && let Some(a) = self.store.account_by_id(AccountId(id)).await?
        {
            return Ok(a);
        }
        if id_or_name.len() > 256 || id_or_name.chars().any(char::is_control) {
            return Err(Error::NotFound(Entity::Account));
        }
        self.store
            .account_by_name_key(&name_key(id_or_name))
            .await?
            .ok_or(Error::NotFound(Entity::Account))
    }

    fn event(by: NewAuditEvent, action: &str, a: &Account, detail: Value) -> NewAuditEvent {
        bounded(by.action(action).subject(format!("account:{}", a.id.0)).detail(detail))
    }

    fn key_event(by: NewAuditEvent, action: &str, key: ApiKeyId, detail: Value) -> NewAuditEvent {
        bounded(by.action(action).subject(format!("api_key:{}", key.0)).detail(detail))
    }

    /// `account.created`: what names the account and what it may do, in the names and
    /// forms of `account.updated` (never its password or secrets).
    fn created(by: NewAuditEvent, a: &Account) -> NewAuditEvent {
        let after = json!({
            "user_name": a.user_name,
            "email": a.profile.email,
            "access_level": a.access_level.as_i64(),
            "trial_expires_at": a.trial_expires_at.map(Timestamp::unix_secs),
        });
        Self::event(by, "account.created", a, json!({ "after": after }))
    }

    /// `api_key.created`: the key's label (never the key itself).
    fn api_key_created(by: NewAuditEvent, key: &ApiKey) -> NewAuditEvent {
        Self::key_event(by, "api_key.created", key.id, json!({"after": {"label": key.label}}))
    }

    /// Changes the fields `patch` names, recorded with what changed before and after: as
    /// `account.disabled` or `account.enabled` when only the flag changed,
    /// `account.updated` otherwise. Disabling ends the account's logins at once.
    pub async fn update(&self, id_or_name: &str, patch: AccountPatch, by: NewAuditEvent) -> Result<Account> {
        let account = self.get(id_or_name).await?;
        let old = AccountChange::of(&account);
        let mut info = account.info();
        if let Some(v) = patch.email {
            info.profile.email = v;
        }
        if let Some(v) = patch.first_name {
            info.profile.first_name = v;
        }
        if let Some(v) = patch.last_name {
            info.profile.last_name = v;
        }
        if let Some(v) = patch.phone {
            info.profile.phone = v;
        }
        let info = validate_info(&info).map_err(|e| match e {
            // The admin API's names for the fields `validate_info` names in camelCase.
            Error::Invalid { field, reason } => Error::Invalid {
                field: match field.as_str() {
                    "firstName" => "first_name".to_owned(),
                    "lastName" => "last_name".to_owned(),
                    _ => field,
                },
                reason,
            },
            e => e,
        })?;
        let new = AccountChange {
            email: info.profile.email,
            first_name: info.profile.first_name,
            last_name: info.profile.last_name,
            phone: info.profile.phone,
            access_level: patch.access_level.unwrap_or(old.access_level),
            trial_expires_at: patch.trial_expires_at.unwrap_or(old.trial_expires_at),
            enabled: patch.enabled.unwrap_or(old.enabled),
        };
        if new == old {
            return Ok(account);
        }
        let (before, after) = (old.fields(), new.fields());
        let changed: Vec<&String> = after.keys().filter(|k| before.get(*k) != after.get(*k)).collect();
        let pick = |m: &serde_json::Map<String, Value>| -> serde_json::Map<String, Value> {
            changed
                .iter()
                .filter_map(|k| m.get(*k).map(|v| ((*k).clone(), v.clone())))
                .collect()
        };
        let action = match (changed.as_slice(), new.enabled) {
            ([only], false) if only.as_str() == "enabled" => "account.disabled",
            ([only], true) if only.as_str() == "enabled" => "account.enabled",
            _ => "account.updated",
        };
        let event = Self::event(
            by,
            action,
            &account,
            json!({"before": pick(&before), "after": pick(&after)}),
        );
        self.store
            .change_account(account.id, &new, &event, self.core.clock.now())
            .await?
            .ok_or(Error::NotFound(Entity::Account))
    }

    /// Turns the account's 2FA off (its secret and recovery codes are deleted), so that
    /// its holder can log in with the password alone and enroll again.
    pub async fn reset_totp(&self, id_or_name: &str, by: NewAuditEvent) -> Result<Account> {
        let account = self.get(id_or_name).await?;
        let event = Self::event(
            by,
            "account.2fa_reset",
            &account,
            json!({"before": {"totp_enabled": account.totp_enabled}}),
        );
        if !self.store.reset_totp(account.id, &event, self.core.clock.now()).await? {
            return Err(Error::NotFound(Entity::Account));
        }
        self.get(&account.id.0.to_string()).await
    }

    /// Sets the account's password (8-1024 characters, as at creation); its open logins
    /// end.
    pub async fn set_password(&self, id_or_name: &str, password: &Secret, by: NewAuditEvent) -> Result<Account> {
        validate_new_password(password)?;
        let account = self.get(id_or_name).await?;
        let hash = self.core.passwords.hash(password).await?;
        let event = Self::event(by, "account.password_set", &account, json!({}));
        if !self
            .store
            .replace_password(account.id, &hash, &event, self.core.clock.now())
            .await?
        {
            return Err(Error::NotFound(Entity::Account));
        }
        Ok(account)
    }

    /// The API keys the account has logged in through.
    pub async fn api_keys(&self, id_or_name: &str) -> Result<Vec<AccountApiKey>> {
        let account = self.get(id_or_name).await?;
        self.store.account_api_keys(account.id).await
    }

    /// Revokes an API key the account has logged in through: the key and its logins are
    /// deleted, and it stops working at once.
    pub async fn revoke_api_key(&self, id_or_name: &str, key: ApiKeyId, by: NewAuditEvent) -> Result<()> {
        let account = self.get(id_or_name).await?;
        let event = Self::key_event(by, "api_key.revoked", key, json!({"account": account.id.0}));
        if self
            .store
            .revoke_api_key(account.id, key, &event, self.core.clock.now())
            .await?
        {
            Ok(())
        } else {
            Err(Error::NotFound(Entity::ApiKey))
        }
    }

    /// The players linked to the account.
    pub async fn links(&self, id_or_name: &str) -> Result<Vec<AccountLink>> {
        let account = self.get(id_or_name).await?;
        self.store.account_links(account.id).await
    }

    /// "Log out everywhere": ends the account's logins and the sessions (KGeN, GameFuse) of
    /// every player linked to it, on every node at once (they are refused by their stored
    /// state).
    pub async fn end_sessions(&self, id_or_name: &str, by: NewAuditEvent) -> Result<Ended> {
        let account = self.get(id_or_name).await?;
        let event = Self::event(by, "account.sessions_ended", &account, json!({}));
        self.store
            .end_account_sessions(account.id, &event, self.core.clock.now())
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Actor, Origin};

    fn by() -> NewAuditEvent {
        let origin = Origin {
            ip: Some("192.0.2.7".into()),
            user_agent: Some("curl".into()),
        };
        NewAuditEvent::new("", Actor::Operator("ada".into())).origin(origin)
    }

    fn account() -> Account {
        let info = AccountInfo::default();
        Account {
            id: AccountId(7),
            public_id: "3f1c".into(),
            user_name: "marie".into(),
            profile: crate::account::AccountProfile {
                email: "marie@example.com".into(),
                first_name: "Marie".into(),
                ..info.profile
            },
            access_level: AccessLevel::Management,
            email_validated: false,
            details: info.details,
            billing: info.billing,
            trial_expires_at: Some(Timestamp(1_800_000_000_000_000_000)),
            password_hash: "$argon2id$secret-hash".into(),
            totp_enabled: false,
            totp_secret: None,
            totp_pending: None,
            wallet_address: "0xabc".into(),
            created_at: Timestamp(0),
            enabled: true,
        }
    }

    /// A new account is recorded under the operator and origin, about `account:<id>`, with
    /// its name, e-mail, access level and trial end: never its password hash or wallet.
    #[test]
    fn a_new_account_is_recorded_with_what_names_it() {
        let e = Accounts::created(by(), &account());
        assert_eq!(e.action, "account.created");
        assert_eq!((e.actor, e.origin), (Actor::Operator("ada".into()), by().origin));
        assert_eq!((e.game, e.subject.as_deref()), (None, Some("account:7")));
        assert_eq!(
            e.detail,
            json!({"after": {
                "user_name": "marie",
                "email": "marie@example.com",
                "access_level": 20,
                "trial_expires_at": 1_800_000_000,
            }})
        );
    }

    /// A new API key is recorded about `api_key:<id>` with its label.
    #[test]
    fn a_new_api_key_is_recorded_with_its_label() {
        let key = ApiKey {
            id: ApiKeyId(9),
            label: "ci".into(),
            allowed: Vec::new(),
            expires_at: None,
            created_at: Timestamp(0),
        };
        let e = Accounts::api_key_created(by(), &key);
        assert_eq!(e.action, "api_key.created");
        assert_eq!((e.actor, e.origin), (Actor::Operator("ada".into()), by().origin));
        assert_eq!((e.game, e.subject.as_deref()), (None, Some("api_key:9")));
        assert_eq!(e.detail, json!({"after": {"label": "ci"}}));
    }
}
