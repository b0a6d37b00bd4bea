//! `impl AccountStore for SqlStore`: accounts, API keys, account logins, TOTP state,
//! recovery codes and player links, every query once for both backends.

use async_trait::async_trait;
use playgate_core::account::{
    AccessLevel, Account, AccountDetails, AccountId, AccountInfo, AccountProfile, AccountType, ApiKey, ApiKeyId,
    BillingDetails, Language, Login, NewAccountRecord, NewApiKeyRecord, NewLogin, PostalAddress, parse_net,
};
use playgate_core::account_store::{AccountStore, Redeem, StartLogin};
use playgate_core::clock::Timestamp;
use playgate_core::crypto::SecretHash;
use playgate_core::ids::{GameId, SessionId, UserId};
use playgate_core::player::LinkedAccount;
use playgate_core::session::SessionState;
use playgate_core::{Error, Result};

use crate::exec::{Exec, params};
use crate::lite::lite_row;
use crate::{SqlStore, db_err, exec_one, exec_read, write_one, write_tx};

/// The columns of [`DetailsRow`], in its order; also the columns
/// [`bind_details!`] binds, from `$1` up.
macro_rules! details_cols {
    () => {
        "account_type, vat_number, coc_number, street, street_number, zip_code, city, country_code, \
         phone_mobile, abuse_email, language, newsletter, agreed_terms, agreed_aup, agreed_dpa, \
         billing_first_name, billing_last_name, billing_street, billing_street_number, billing_zip_code, \
         billing_city, billing_country_code, billing_phone, billing_phone_mobile, billing_email, \
         bundle_invoices, payment_confirmations_by_email, preferred_payment_method"
    };
}
/// The columns of [`AccountRow`], in its order (its [`DetailsRow`] last).
macro_rules! account_cols {
    () => {
        concat!(
            "id, public_id, user_name, email, first_name, last_name, gender, phone, company_name, \
             access_level, email_validated, trial_expires_at, password_hash, totp_enabled, totp_secret, \
             totp_pending, wallet_address, created_at, ",
            details_cols!()
        )
    };
}
const ACCOUNT_COLS: &str = account_cols!();

/// How many columns [`details_cols!`] names.
const DETAILS_COL_COUNT: usize = 28;

/// Binds an [`AccountInfo`]'s details and billing to a sqlx query, in the order of
/// [`details_cols!`]. A macro, as the query is a SQLite one in one expansion of
/// `write_one!` and a PostgreSQL one in the other.
macro_rules! bind_details {
    ($q:expr, $info:expr) => {{
        let (d, b) = (&$info.details, &$info.billing);
        $q.bind(d.account_type.as_i64())
            .bind(&d.vat_number)
            .bind(&d.coc_number)
            .bind(&d.address.street)
            .bind(&d.address.street_number)
            .bind(&d.address.zip_code)
            .bind(&d.address.city)
            .bind(&d.address.country_code)
            .bind(&d.phone_mobile)
            .bind(&d.abuse_email)
            .bind(d.language.as_i64())
            .bind(d.newsletter)
            .bind(d.agreed_terms)
            .bind(d.agreed_aup)
            .bind(d.agreed_dpa)
            .bind(&b.first_name)
            .bind(&b.last_name)
            .bind(&b.address.street)
            .bind(&b.address.street_number)
            .bind(&b.address.zip_code)
            .bind(&b.address.city)
            .bind(&b.address.country_code)
            .bind(&b.phone)
            .bind(&b.phone_mobile)
            .bind(&b.email)
            .bind(b.bundle_invoices)
            .bind(b.payment_confirmations_by_email)
            .bind(b.preferred_payment_method)
    }};
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: i64,
    public_id: String,
    user_name: String,
    email: String,
    first_name: String,
    last_name: String,
    gender: String,
    phone: String,
    company_name: String,
    access_level: i64,
    email_validated: bool,
    trial_expires_at: Option<i64>,
    password_hash: String,
    totp_enabled: bool,
    totp_secret: Option<Vec<u8>>,
    totp_pending: Option<Vec<u8>>,
    wallet_address: String,
    created_at: i64,
    #[sqlx(flatten)]
    details: DetailsRow,
}

lite_row!(AccountRow {
    id,
    public_id,
    user_name,
    email,
    first_name,
    last_name,
    gender,
    phone,
    company_name,
    access_level,
    email_validated,
    trial_expires_at,
    password_hash,
    totp_enabled,
    totp_secret,
    totp_pending,
    wallet_address,
    created_at
} + details: DetailsRow);

/// An account's details and billing columns.
#[derive(sqlx::FromRow)]
struct DetailsRow {
    account_type: i64,
    vat_number: String,
    coc_number: String,
    street: String,
    street_number: String,
    zip_code: String,
    city: String,
    country_code: String,
    phone_mobile: String,
    abuse_email: String,
    language: i64,
    newsletter: Option<bool>,
    agreed_terms: Option<bool>,
    agreed_aup: Option<bool>,
    agreed_dpa: Option<bool>,
    billing_first_name: String,
    billing_last_name: String,
    billing_street: String,
    billing_street_number: String,
    billing_zip_code: String,
    billing_city: String,
    billing_country_code: String,
    billing_phone: String,
    billing_phone_mobile: String,
    billing_email: String,
    bundle_invoices: bool,
    payment_confirmations_by_email: bool,
    preferred_payment_method: i64,
}

lite_row!(DetailsRow {
    account_type,
    vat_number,
    coc_number,
    street,
    street_number,
    zip_code,
    city,
    country_code,
    phone_mobile,
    abuse_email,
    language,
    newsletter,
    agreed_terms,
    agreed_aup,
    agreed_dpa,
    billing_first_name,
    billing_last_name,
    billing_street,
    billing_street_number,
    billing_zip_code,
    billing_city,
    billing_country_code,
    billing_phone,
    billing_phone_mobile,
    billing_email,
    bundle_invoices,
    payment_confirmations_by_email,
    preferred_payment_method
});

impl DetailsRow {
    fn into_parts(self) -> Result<(AccountDetails, BillingDetails)> {
        let details = AccountDetails {
            account_type: AccountType::parse(self.account_type).map_err(Error::internal)?,
            vat_number: self.vat_number,
            coc_number: self.coc_number,
            address: PostalAddress {
                street: self.street,
                street_number: self.street_number,
                zip_code: self.zip_code,
                city: self.city,
                country_code: self.country_code,
            },
            phone_mobile: self.phone_mobile,
            abuse_email: self.abuse_email,
            language: Language::parse(self.language).map_err(Error::internal)?,
            newsletter: self.newsletter,
            agreed_terms: self.agreed_terms,
            agreed_aup: self.agreed_aup,
            agreed_dpa: self.agreed_dpa,
        };
        let billing = BillingDetails {
            first_name: self.billing_first_name,
            last_name: self.billing_last_name,
            address: PostalAddress {
                street: self.billing_street,
                street_number: self.billing_street_number,
                zip_code: self.billing_zip_code,
                city: self.billing_city,
                country_code: self.billing_country_code,
            },
            phone: self.billing_phone,
            phone_mobile: self.billing_phone_mobile,
            email: self.billing_email,
            bundle_invoices: self.bundle_invoices,
            payment_confirmations_by_email: self.payment_confirmations_by_email,
            preferred_payment_method: self.preferred_payment_method,
        };
        Ok((details, billing))
    }
}

impl TryFrom<AccountRow> for Account {
    type Error = Error;
    fn try_from(r: AccountRow) -> Result<Account> {
        let (details, billing) = r.details.into_parts()?;
        Ok(Account {
            id: AccountId(r.id),
            public_id: r.public_id,
            user_name: r.user_name,
            profile: AccountProfile {
                email: r.email,
                first_name: r.first_name,
                last_name: r.last_name,
                gender: r.gender,
                phone: r.phone,
                company_name: r.company_name,
            },
            access_level: AccessLevel::parse(r.access_level).map_err(Error::internal)?,
            email_validated: r.email_validated,
            details,
            billing,
            trial_expires_at: r.trial_expires_at.map(Timestamp),
            password_hash: r.password_hash,
            totp_enabled: r.totp_enabled,
            totp_secret: r.totp_secret,
            totp_pending: r.totp_pending,
            wallet_address: r.wallet_address,
            created_at: Timestamp(r.created_at),
        })
    }
}

#[derive(sqlx::FromRow)]
struct ApiKeyRow {
    id: i64,
    label: String,
    allowed_ips: String,
    expires_at: Option<i64>,
    created_at: i64,
}

lite_row!(ApiKeyRow {
    id,
    label,
    allowed_ips,
    expires_at,
    created_at
});

impl TryFrom<ApiKeyRow> for ApiKey {
    type Error = Error;
    fn try_from(r: ApiKeyRow) -> Result<ApiKey> {
        let allowed = r
            .allowed_ips
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| parse_net(s).map_err(Error::internal))
            .collect::<Result<_>>()?;
        Ok(ApiKey {
            id: ApiKeyId(r.id),
            label: r.label,
            allowed,
            expires_at: r.expires_at.map(Timestamp),
            created_at: Timestamp(r.created_at),
        })
    }
}

/// The columns of [`LoginRow`], in its order.
macro_rules! login_cols {
    () => {
        "id, api_key_id, account_id, state, started_at, expires_at, remember_me, otp_failures, ip, country"
    };
}
const LOGIN_COLS: &str = login_cols!();

#[derive(sqlx::FromRow)]
struct LoginRow {
    id: String,
    api_key_id: i64,
    account_id: i64,
    state: String,
    started_at: i64,
    expires_at: i64,
    remember_me: bool,
    otp_failures: i64,
    ip: Option<String>,
    country: String,
}

lite_row!(LoginRow {
    id,
    api_key_id,
    account_id,
    state,
    started_at,
    expires_at,
    remember_me,
    otp_failures,
    ip,
    country
});

impl TryFrom<LoginRow> for Login {
    type Error = Error;
    fn try_from(r: LoginRow) -> Result<Login> {
        Ok(Login {
            id: r.id.parse::<SessionId>().map_err(Error::internal)?,
            api_key_id: ApiKeyId(r.api_key_id),
            account_id: AccountId(r.account_id),
            state: SessionState::parse(&r.state)?,
            started_at: Timestamp(r.started_at),
            expires_at: Timestamp(r.expires_at),
            remember_me: r.remember_me,
            otp_failures: r.otp_failures,
            ip: r.ip,
            country: r.country,
        })
    }
}

/// The account a player is linked to, as the kgen dialect shows it; `$1` is the player id.
pub(crate) const LINKED_SQL: &str = "SELECT a.public_id, a.wallet_address, a.phone FROM player_links l \
     JOIN accounts a ON a.id = l.account_id WHERE l.player_id = $1";

#[derive(sqlx::FromRow)]
pub(crate) struct LinkedRow {
    public_id: String,
    wallet_address: String,
    phone: String,
}

lite_row!(LinkedRow {
    public_id,
    wallet_address,
    phone
});

impl From<LinkedRow> for LinkedAccount {
    fn from(r: LinkedRow) -> Self {
        LinkedAccount {
            public_id: r.public_id,
            wallet_address: r.wallet_address,
            phone: r.phone,
        }
    }
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn insert_account(&self, rec: &NewAccountRecord) -> Result<Account> {
        let rec = rec.clone();
        // The details first ($1 ...), then the rest.
        let n = DETAILS_COL_COUNT;
        let rest: Vec<String> = (n + 1..=n + 16).map(|i| format!("${i}")).collect();
        let details: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO accounts ({}, public_id, user_name, name_key, email, first_name, last_name, gender, phone, \
             company_name, access_level, email_validated, trial_expires_at, password_hash, \
             wallet_address, wallet_key, created_at, updated_at) \
             VALUES ({}, {}, ${}) RETURNING {ACCOUNT_COLS}",
            details_cols!(),
            details.join(", "),
            rest.join(", "),
            n + 16,
        );
        let row: AccountRow = write_one!(self, |pool| {
            let p = &rec.info.profile;
            bind_details!(sqlx::query_as(&sql), rec.info)
                .bind(&rec.public_id)
                .bind(&rec.user_name)
                .bind(&rec.name_key)
                .bind(&p.email)
                .bind(&p.first_name)
                .bind(&p.last_name)
                .bind(&p.gender)
                .bind(&p.phone)
                .bind(&p.company_name)
                .bind(rec.access_level.as_i64())
                .bind(rec.info.email_validated)
                .bind(rec.trial_expires_at.map(|t| t.0))
                .bind(&rec.password_hash)
                .bind(&rec.wallet.address)
                .bind(&rec.wallet.sealed_key)
                .bind(rec.created_at.0)
                .fetch_one(pool)
                .await
                .map_err(db_err)
        })?;
        row.try_into()
    }

    async fn update_account_info(&self, id: AccountId, info: &AccountInfo, now: Timestamp) -> Result<Option<Account>> {
        let info = info.clone();
        let n = DETAILS_COL_COUNT;
        let sets: Vec<String> = details_cols!()
            .split(',')
            .map(str::trim)
            .chain([
                "email",
                "first_name",
                "last_name",
                "gender",
                "phone",
                "company_name",
                "email_validated",
                "updated_at",
            ])
            .enumerate()
            .map(|(i, col)| format!("{col} = ${}", i + 1))
            .collect();
        let sql = format!(
            "UPDATE accounts SET {} WHERE id = ${} RETURNING {ACCOUNT_COLS}",
            sets.join(", "),
            n + 9
        );
        let row: Option<AccountRow> = write_one!(self, |pool| {
            let p = &info.profile;
            bind_details!(sqlx::query_as(&sql), info)
                .bind(&p.email)
                .bind(&p.first_name)
                .bind(&p.last_name)
                .bind(&p.gender)
                .bind(&p.phone)
                .bind(&p.company_name)
                .bind(info.email_validated)
                .bind(now.0)
                .bind(id.0)
                .fetch_optional(pool)
                .await
                .map_err(db_err)
        })?;
        row.map(Account::try_from).transpose()
    }

    async fn account_by_id(&self, id: AccountId) -> Result<Option<Account>> {
        let row: Option<AccountRow> = exec_read!(self, |e| {
            e.fetch_optional(
                concat!("SELECT ", account_cols!(), " FROM accounts WHERE id = $1"),
                params![id.0],
            )
            .await
        })?;
        row.map(Account::try_from).transpose()
    }

    async fn account_by_name_key(&self, key: &str) -> Result<Option<Account>> {
        let row: Option<AccountRow> = exec_read!(self, |e| {
            e.fetch_optional(
                concat!("SELECT ", account_cols!(), " FROM accounts WHERE name_key = $1"),
                params![key],
            )
            .await
        })?;
        row.map(Account::try_from).transpose()
    }

    async fn set_totp_pending(&self, id: AccountId, sealed: Option<&[u8]>) -> Result<()> {
        let sealed = sealed.map(<[u8]>::to_vec);
        write_one!(self, |pool| {
            sqlx::query("UPDATE accounts SET totp_pending = $2 WHERE id = $1")
                .bind(id.0)
                .bind(sealed)
                .execute(pool)
                .await
                .map(drop)
                .map_err(db_err)
        })
    }

    async fn enable_totp(&self, id: AccountId, sealed: &[u8], recovery: &[SecretHash]) -> Result<()> {
        let (sealed, recovery) = (sealed.to_vec(), recovery.to_vec());
        write_tx!(self, |tx| {
            sqlx::query("UPDATE accounts SET totp_enabled = TRUE, totp_secret = $2, totp_pending = NULL WHERE id = $1")
                .bind(id.0)
                .bind(sealed)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            for h in &recovery {
                sqlx::query("INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)")
                    .bind(id.0)
                    .bind(&h.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
            }
            Ok(())
        })
    }

    async fn set_account_password_hash(&self, id: AccountId, old: &str, new: &str) -> Result<bool> {
        let (old, new) = (old.to_owned(), new.to_owned());
        let n = exec_one!(self, |e| {
            e.execute(
                "UPDATE accounts SET password_hash = $3 WHERE id = $1 AND password_hash = $2",
                params![id.0, &old, &new],
            )
            .await
        })?;
        Ok(n == 1)
    }

    async fn disable_totp(&self, id: AccountId) -> Result<()> {
        write_tx!(self, |tx| {
            sqlx::query(
                "UPDATE accounts SET totp_enabled = FALSE, totp_secret = NULL, totp_pending = NULL WHERE id = $1",
            )
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            Ok(())
        })
    }

    async fn claim_totp_step(&self, id: AccountId, step: i64) -> Result<bool> {
        let n = write_one!(self, |pool| {
            sqlx::query(
                "UPDATE accounts SET totp_last_step = $2 \
                 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
            )
            .bind(id.0)
            .bind(step)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
            .map_err(db_err)
        })?;
        Ok(n == 1)
    }

    async fn use_recovery_code(&self, id: AccountId, hash: &SecretHash, now: Timestamp) -> Result<bool> {
        let hash = hash.clone();
        let n = write_one!(self, |pool| {
            sqlx::query(
                "UPDATE recovery_codes SET used_at = $3 \
                 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL",
            )
            .bind(id.0)
            .bind(&hash.0)
            .bind(now.0)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
            .map_err(db_err)
        })?;
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
        let row: ApiKeyRow = write_one!(self, |pool| {
            sqlx::query_as(
                "INSERT INTO api_keys (key_hash, label, allowed_ips, expires_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id, label, allowed_ips, expires_at, created_at",
            )
            .bind(&rec.hash.0)
            .bind(&rec.label)
            .bind(&allowed)
            .bind(rec.expires_at.map(|t| t.0))
            .bind(rec.created_at.0)
            .fetch_one(pool)
            .await
            .map_err(db_err)
        })?;
        row.try_into()
    }

    async fn api_key_by_hash(&self, hash: &SecretHash) -> Result<Option<ApiKey>> {
        let row: Option<ApiKeyRow> = exec_read!(self, |e| {
            e.fetch_optional(
                "SELECT id, label, allowed_ips, expires_at, created_at FROM api_keys WHERE key_hash = $1",
                params![&hash.0],
            )
            .await
        })?;
        row.map(ApiKey::try_from).transpose()
    }

    async fn current_login(&self, key: ApiKeyId) -> Result<Option<Login>> {
        let row: Option<LoginRow> = exec_read!(self, |e| {
            e.fetch_optional(
                concat!(
                    "SELECT ",
                    login_cols!(),
                    " FROM account_logins WHERE api_key_id = $1 AND state <> 'ended'"
                ),
                params![key.0],
            )
            .await
        })?;
        row.map(Login::try_from).transpose()
    }

    async fn start_login(&self, rec: &NewLogin) -> Result<StartLogin> {
        let rec = rec.clone();
        let sql = format!("SELECT {LOGIN_COLS} FROM account_logins WHERE api_key_id = $1 AND state <> 'ended'");
        write_tx!(self, |tx| {
            let l = &rec.login;
            let current: Option<LoginRow> = sqlx::query_as(&sql)
                .bind(l.api_key_id.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
            if let Some(cur) = current.map(Login::try_from).transpose()? {
                if cur.is_live(rec.now) {
                    return Ok(StartLogin::AlreadyLoggedIn);
                }
                sqlx::query("UPDATE account_logins SET state = 'ended', ended_at = $2 WHERE id = $1")
                    .bind(cur.id.to_string())
                    .bind(rec.now.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
            }
            sqlx::query(
                "INSERT INTO account_logins (id, api_key_id, account_id, state, started_at, expires_at, \
                 remember_me, otp_failures, ip, country) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9)",
            )
            .bind(l.id.to_string())
            .bind(l.api_key_id.0)
            .bind(l.account_id.0)
            .bind(l.state.as_str())
            .bind(l.started_at.0)
            .bind(l.expires_at.0)
            .bind(l.remember_me)
            .bind(&l.ip)
            .bind(&l.country)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            Ok(StartLogin::Started(l.clone()))
        })
    }

    async fn activate_login(&self, id: SessionId, now: Timestamp, expires_at: Timestamp) -> Result<bool> {
        let n = write_one!(self, |pool| {
            sqlx::query(
                "UPDATE account_logins SET state = 'active', expires_at = $3 \
                 WHERE id = $1 AND state = 'pending_otp' AND expires_at > $2",
            )
            .bind(id.to_string())
            .bind(now.0)
            .bind(expires_at.0)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
            .map_err(db_err)
        })?;
        Ok(n == 1)
    }

    async fn add_otp_failure(&self, id: SessionId, max: i64, now: Timestamp) -> Result<i64> {
        let n: Option<i64> = write_one!(self, |pool| {
            sqlx::query_scalar(
                "UPDATE account_logins SET otp_failures = otp_failures + 1, \
                 state = CASE WHEN otp_failures + 1 >= $2 THEN 'ended' ELSE state END, \
                 ended_at = CASE WHEN otp_failures + 1 >= $2 THEN $3 ELSE ended_at END \
                 WHERE id = $1 AND state = 'pending_otp' RETURNING otp_failures",
            )
            .bind(id.to_string())
            .bind(max)
            .bind(now.0)
            .fetch_optional(pool)
            .await
            .map_err(db_err)
        })?;
        Ok(n.unwrap_or(max))
    }

    async fn end_login(&self, id: SessionId, now: Timestamp) -> Result<bool> {
        let n = write_one!(self, |pool| {
            sqlx::query("UPDATE account_logins SET state = 'ended', ended_at = $2 WHERE id = $1 AND state <> 'ended'")
                .bind(id.to_string())
                .bind(now.0)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
                .map_err(db_err)
        })?;
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
        let (hash, user_id) = (hash.clone(), user_id.clone());
        let n = write_one!(self, |pool| {
            sqlx::query(
                "INSERT INTO link_codes (code_hash, player_id, created_at, expires_at) \
                 SELECT $3, id, $4, $5 FROM players WHERE game_id = $1 AND user_id = $2",
            )
            .bind(game.0)
            .bind(user_id.as_str())
            .bind(&hash.0)
            .bind(now.0)
            .bind(expires_at.0)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
            .map_err(db_err)
        })?;
        if n == 1 { Ok(()) } else { Err(Error::NotFound("player")) }
    }

    async fn redeem_link_code(&self, hash: &SecretHash, account: AccountId, now: Timestamp) -> Result<Redeem> {
        let hash = hash.clone();
        write_tx!(self, |tx| {
            let player: Option<i64> = sqlx::query_scalar(
                "UPDATE link_codes SET used_at = $2 \
                 WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING player_id",
            )
            .bind(&hash.0)
            .bind(now.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
            let Some(player) = player else {
                return Ok(Redeem::Invalid);
            };
            let linked: Option<i64> = sqlx::query_scalar("SELECT account_id FROM player_links WHERE player_id = $1")
                .bind(player)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
            match linked {
                // Linked to another account: give the code back, so nothing changes.
                Some(other) if other != account.0 => {
                    sqlx::query("UPDATE link_codes SET used_at = NULL WHERE code_hash = $1")
                        .bind(&hash.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    return Ok(Redeem::LinkedElsewhere);
                }
                Some(_) => {}
                None => {
                    sqlx::query("INSERT INTO player_links (player_id, account_id, linked_at) VALUES ($1, $2, $3)")
                        .bind(player)
                        .bind(account.0)
                        .bind(now.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                }
            }
            let (game_id, user_id): (i64, String) =
                sqlx::query_as("SELECT game_id, user_id FROM players WHERE id = $1")
                    .bind(player)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_err)?;
            Ok(Redeem::Linked {
                game_id: GameId(game_id),
                user_id,
            })
        })
    }
}
