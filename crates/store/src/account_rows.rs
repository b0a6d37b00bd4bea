//! The rows of accounts, API keys and account logins, as the
//! [`AccountStore`](playgate_core::account_store::AccountStore) queries read them: their
//! columns, readers, and the parameters of an account's details.

use std::sync::LazyLock;

use playgate_core::account::{
    AccessLevel, Account, AccountDetails, AccountId, AccountInfo, AccountProfile, AccountType, ApiKey, ApiKeyId,
    BillingDetails, Language, Login, PostalAddress, parse_net,
};
use playgate_core::account_store::ApiKeyFound;
use playgate_core::clock::Timestamp;
use playgate_core::ids::SessionId;
use playgate_core::session::SessionState;
use playgate_core::{Error, Result};

use crate::exec::{FromRow, P, Row, ToP, params, row};
use crate::rows::aliased;

/// The columns of [`DetailsRow`], in its order; also the columns
/// [`details_params`] binds, from `$1` up.
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
             totp_pending, wallet_address, created_at, enabled, ",
            $crate::account_rows::details_cols!()
        )
    };
}
pub(crate) const ACCOUNT_COLS: &str = account_cols!();

/// How many columns [`details_cols!`] names.
const DETAILS_COL_COUNT: usize = 28;

/// The columns an [`AccountInfo`] sets: its details and billing, then its profile; the
/// columns [`info_params`] binds, from `$1` up.
pub(crate) const INFO_COLS: &str = concat!(
    details_cols!(),
    ", email, first_name, last_name, gender, phone, company_name, email_validated"
);

/// How many columns [`INFO_COLS`] names.
pub(crate) const INFO_COL_COUNT: usize = DETAILS_COL_COUNT + 7;

/// An [`AccountInfo`] as parameters, in the order of [`INFO_COLS`].
pub(crate) fn info_params(info: &AccountInfo) -> Vec<P<'_>> {
    let p = &info.profile;
    let mut ps = details_params(info);
    ps.extend_from_slice(params![
        p.email,
        p.first_name,
        p.last_name,
        p.gender,
        p.phone,
        p.company_name,
        info.email_validated
    ]);
    ps
}

/// An [`AccountInfo`]'s details and billing as parameters, in the order of
/// [`details_cols!`].
fn details_params(info: &AccountInfo) -> Vec<P<'_>> {
    let (d, b) = (&info.details, &info.billing);
    vec![
        P::I64(d.account_type.as_i64()),
        d.vat_number.to_p(),
        d.coc_number.to_p(),
        d.address.street.to_p(),
        d.address.street_number.to_p(),
        d.address.zip_code.to_p(),
        d.address.city.to_p(),
        d.address.country_code.to_p(),
        d.phone_mobile.to_p(),
        d.abuse_email.to_p(),
        P::I64(d.language.as_i64()),
        d.newsletter.to_p(),
        d.agreed_terms.to_p(),
        d.agreed_aup.to_p(),
        d.agreed_dpa.to_p(),
        b.first_name.to_p(),
        b.last_name.to_p(),
        b.address.street.to_p(),
        b.address.street_number.to_p(),
        b.address.zip_code.to_p(),
        b.address.city.to_p(),
        b.address.country_code.to_p(),
        b.phone.to_p(),
        b.phone_mobile.to_p(),
        b.email.to_p(),
        b.bundle_invoices.to_p(),
        b.payment_confirmations_by_email.to_p(),
        b.preferred_payment_method.to_p(),
    ]
}

row! {
    pub(crate) struct AccountRow {
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
        enabled: bool,
        #[flatten]
        details: DetailsRow,
    }
}

row! {
    /// An account's details and billing columns.
    pub(crate) struct DetailsRow {
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
    preferred_payment_method: i64,}
}

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
            enabled: r.enabled,
        })
    }
}

row! {
    pub(crate) struct ApiKeyRow {
    id: i64,
    label: String,
    allowed_ips: String,
    expires_at: Option<i64>,
    created_at: i64,}
}

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
pub(crate) const LOGIN_COLS: &str = login_cols!();

/// The columns of [`ApiKeyRow`] (as [`AccountStore::api_key_by_hash`] reads them).
pub(crate) const API_KEY_COLS: &str = "id, label, allowed_ips, expires_at, created_at";

/// [`AccountStore::api_key_read`] without the login: the key of hash `$1` (columns
/// prefixed `k_`) beside the failure count under `$2` in the window from `$3`, on one row
/// whether or not either exists.
pub(crate) static API_KEY_READ: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {}, COALESCE(f.count, 0) AS failures FROM (SELECT 1 AS one) o \
         LEFT JOIN api_keys k ON k.key_hash = $1 \
         LEFT JOIN failure_counts f ON f.bucket = $2 AND f.window_start = $3",
        aliased("k", API_KEY_COLS, "k_")
    )
});

/// [`API_KEY_READ`] with the key's login that has not ended (`l_`) and its account (`a_`).
pub(crate) static API_KEY_LOGIN_READ: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {}, COALESCE(f.count, 0) AS failures, {}, {} FROM (SELECT 1 AS one) o \
         LEFT JOIN api_keys k ON k.key_hash = $1 \
         LEFT JOIN failure_counts f ON f.bucket = $2 AND f.window_start = $3 \
         LEFT JOIN account_logins l ON l.api_key_id = k.id AND l.state <> 'ended' \
         LEFT JOIN accounts a ON a.id = l.account_id",
        aliased("k", API_KEY_COLS, "k_"),
        aliased("l", LOGIN_COLS, "l_"),
        aliased("a", ACCOUNT_COLS, "a_")
    )
});

/// The row of [`AccountStore::api_key_read`].
pub(crate) struct ApiKeyReadRow(pub(crate) ApiKeyFound);

impl FromRow for ApiKeyReadRow {
    fn from_row(r: &Row<'_>) -> Result<Self> {
        let failures: i64 = r.get("failures")?;
        let key = match r.get::<Option<i64>>("k_id")? {
            Some(_) => Some(ApiKey::try_from(ApiKeyRow::from_row(&r.prefixed("k_"))?)?),
            None => None,
        };
        let login = match r.has("l_id") && r.get::<Option<String>>("l_id")?.is_some() {
            true => {
                let login = Login::try_from(LoginRow::from_row(&r.prefixed("l_"))?)?;
                let account = Account::try_from(AccountRow::from_row(&r.prefixed("a_"))?)?;
                Some((login, account))
            }
            false => None,
        };
        Ok(ApiKeyReadRow(ApiKeyFound { key, failures, login }))
    }
}

row! {
    pub(crate) struct LoginRow {
    id: String,
    api_key_id: i64,
    account_id: i64,
    state: String,
    started_at: i64,
    expires_at: i64,
    remember_me: bool,
    otp_failures: i64,
    ip: Option<String>,
    country: String,}
}

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

row! {
    /// The key a game knows a player by.
    pub(crate) struct PlayerKeyRow {
        pub(crate) game_id: i64,
        pub(crate) user_id: String,
    }
}

pub(crate) use {account_cols, details_cols, login_cols};
