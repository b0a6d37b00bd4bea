//! The operators' account tools ([`AccountTools`]): create, find and change platform
//! accounts, and create their API keys. The admin API, the console and the CLI reach them
//! through [`Accounts`](crate::accounts::Accounts), which records what they make in the
//! audit log; [`Playgate`] offers creation too, unrecorded, for the tests' fixtures.

use std::time::Duration;

use crate::account_store::AccountStore;
use crate::clock::{Clock, Timestamp};
use crate::crypto::{MasterKey, Secret};
use crate::password::Passwords;
use crate::service::Playgate;
use crate::{Conflict, Entity};
use crate::{Error, Result, wallet};

use super::{
    API_KEY_PREFIX, Account, AccountId, AccountInfo, AccountSettings, ApiKey, NewAccount, NewAccountRecord, NewApiKey,
    NewApiKeyRecord, name_key, parse_net, validate_info, validate_new_password, validate_user_name,
};

/// The account tools over the parts they use, borrowed from the service that offers them.
pub(crate) struct AccountTools<'a> {
    pub(crate) store: &'a dyn AccountStore,
    pub(crate) passwords: &'a Passwords,
    pub(crate) master: &'a MasterKey,
    pub(crate) clock: &'a dyn Clock,
}

impl AccountTools<'_> {
    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Creates an account with its own custodial wallet.
    pub(crate) async fn create_account(&self, cmd: NewAccount) -> Result<Account> {
        let user_name = validate_user_name(&cmd.user_name)?;
        let info = validate_info(&cmd.info)?;
        validate_new_password(&cmd.password)?;
        if cmd.trial_days.is_some_and(|d| d == 0 || d > 3650) {
            return Err(Error::invalid("trialDays", "must be 1-3650"));
        }
        let now = self.now();
        let rec = NewAccountRecord {
            public_id: uuid::Uuid::new_v4().to_string(),
            name_key: name_key(&user_name),
            user_name,
            info,
            access_level: cmd.access_level,
            trial_expires_at: cmd
                .trial_days
                .map(|d| now.plus(Duration::from_secs(u64::from(d) * 86_400))),
            password_hash: self.passwords.hash(&cmd.password).await?,
            wallet: wallet::generate(self.master)?,
            created_at: now,
        };
        match self.store.insert_account(&rec).await {
            Err(e) if e.is_unique_violation() => Err(Error::Conflict(Conflict::AccountNameTaken)),
            other => other,
        }
    }

    /// Changes an account's editable part: `edit` gets the stored one, the result is
    /// checked and saved. `NotFound(Entity::Account)` if there is no such account.
    pub(crate) async fn update_account(
        &self,
        id: AccountId,
        edit: impl FnOnce(&mut AccountInfo) -> Result<()>,
    ) -> Result<Account> {
        let account = self
            .store
            .account_by_id(id)
            .await?
            .ok_or(Error::NotFound(Entity::Account))?;
        let mut info = account.info();
        edit(&mut info)?;
        let info = validate_info(&info)?;
        self.store
            .update_account_info(id, &info, self.now())
            .await?
            .ok_or(Error::NotFound(Entity::Account))
    }

    /// One account by id, or by user name (any case; a name of digits only when no
    /// account has that id).
    pub(crate) async fn find_account(&self, id_or_name: &str) -> Result<Option<Account>> {
        if let Ok(id) = id_or_name.trim().parse::<i64>()
            && let Some(a) = self.store.account_by_id(AccountId(id)).await?
        {
            return Ok(Some(a));
        }
        self.store.account_by_name_key(&name_key(id_or_name)).await
    }

    /// Creates an API key; the key is returned once, only its hash is kept.
    pub(crate) async fn create_api_key(&self, cmd: NewApiKey) -> Result<(ApiKey, Secret)> {
        let allowed = cmd.allow_ips.iter().map(|s| parse_net(s)).collect::<Result<Vec<_>>>()?;
        if cmd.label.chars().count() > 200 {
            return Err(Error::invalid("label", "must be at most 200 characters"));
        }
        let key = Secret::random(API_KEY_PREFIX);
        let rec = NewApiKeyRecord {
            hash: key.hash(),
            label: cmd.label,
            allowed,
            expires_at: cmd.expires_at,
            created_at: self.now(),
        };
        Ok((self.store.insert_api_key(&rec).await?, key))
    }
}

impl Playgate {
    /// The account tools over the core's store, hasher, master key and clock.
    pub(crate) fn account_tools(&self) -> AccountTools<'_> {
        AccountTools {
            store: &*self.store,
            passwords: &self.passwords,
            master: &self.master,
            clock: &*self.clock,
        }
    }

    /// Creates an account with its own custodial wallet (not recorded: operators create
    /// through [`Accounts::create`](crate::accounts::Accounts::create)).
    pub async fn create_account(&self, cmd: NewAccount) -> Result<Account> {
        self.account_tools().create_account(cmd).await
    }

    /// Creates an API key; the key is returned once, only its hash is kept (not recorded:
    /// operators create through
    /// [`Accounts::create_api_key`](crate::accounts::Accounts::create_api_key)).
    pub async fn create_api_key(&self, cmd: NewApiKey) -> Result<(ApiKey, Secret)> {
        self.account_tools().create_api_key(cmd).await
    }

    /// The account settings.
    pub fn account_settings(&self) -> &AccountSettings {
        &self.settings.accounts
    }
}
