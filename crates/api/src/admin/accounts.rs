//! `POST /admin/accounts`, `PATCH /admin/accounts/{userId}` and `POST /admin/api-keys`.

use axum::Json;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bytes::Bytes;
use playgate_core::Error;
use playgate_core::account::{
    AccessLevel, Account, AccountInfo, AccountType, ApiKey, Language, NewAccount, NewApiKey, parse_expiry,
};
use playgate_core::crypto::Secret;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::wire::body;
use super::{Admin, AdminError};
use crate::common::json::required;
use crate::common::lenient;
use crate::common::state::AppState;
use playgate_core::Entity;

/// `POST /admin/accounts` body, and (without `userName`, `password`, `accessLevel` and
/// `trialDays`) `PATCH /admin/accounts/{id}` body: every field optional in a patch, an
/// absent one unchanged. Names follow i3D's `details` where the profile has none.
// `Serialize` (here and below) only for the defaults the OpenAPI document shows.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct AccountRequest {
    pub user_name: Option<String>,
    pub password: Option<String>,
    /// 0 guest, 10 regular (the default), 20 management.
    #[serde(deserialize_with = "lenient::int")]
    pub access_level: Option<i64>,
    /// Days until a trial account expires (1-3650); none: not a trial account.
    #[serde(deserialize_with = "lenient::int")]
    pub trial_days: Option<i64>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub gender: Option<String>,
    pub phone: Option<String>,
    pub company_name: Option<String>,
    pub email_validated: Option<Flag>,
    /// 1 consumer, 2 business.
    #[serde(deserialize_with = "lenient::int")]
    pub account_type: Option<i64>,
    pub vat_number: Option<String>,
    pub coc_number: Option<String>,
    /// Street name.
    pub address: Option<String>,
    pub street_number: Option<String>,
    pub zip_code: Option<String>,
    pub city: Option<String>,
    pub country_code: Option<String>,
    pub phone_number_mobile: Option<String>,
    pub email_address_abuse: Option<String>,
    /// 0 / 1, or a name or code (`"en"`, `"Dutch"` ...).
    pub language: Option<IntOrText>,
    pub newsletter: Option<Flag>,
    pub agree_toc: Option<Flag>,
    pub agree_aup: Option<Flag>,
    pub agree_dpa: Option<Flag>,
    pub billing: Option<BillingRequest>,
}

/// The `billing` object of [`AccountRequest`], in i3D's `billingDetails` names. Empty
/// names, address, phones and e-mail mean "the account's own".
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct BillingRequest {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address: Option<String>,
    pub street_number: Option<String>,
    pub zip_code: Option<String>,
    pub city: Option<String>,
    pub country_code: Option<String>,
    pub phone_number: Option<String>,
    pub phone_number_mobile: Option<String>,
    pub email_address_billing: Option<String>,
    pub bundle_invoices_of_same_category: Option<Flag>,
    pub receive_payment_confirmations_via_email: Option<Flag>,
    #[serde(deserialize_with = "lenient::int")]
    pub preferred_payment_method: Option<i64>,
}

/// A yes/no: `true`/`false` or `1`/`0`.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Flag {
    Bool(bool),
    Int(i64),
}

impl Flag {
    fn get(self, field: &str) -> Result<bool, Error> {
        match self {
            Flag::Bool(b) => Ok(b),
            Flag::Int(0) => Ok(false),
            Flag::Int(1) => Ok(true),
            Flag::Int(_) => Err(Error::invalid(field, "must be true/false or 1/0")),
        }
    }
}

/// A number or a text.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(untagged)]
pub enum IntOrText {
    Int(i64),
    Text(String),
}

fn set<T>(target: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *target = v;
    }
}

impl AccountRequest {
    /// Writes the fields present into `info`.
    fn apply(self, info: &mut AccountInfo) -> Result<(), Error> {
        let flag = |f: Option<Flag>, name: &str| f.map(|f| f.get(name)).transpose();
        let (p, d) = (&mut info.profile, &mut info.details);
        set(&mut p.email, self.email);
        set(&mut p.first_name, self.first_name);
        set(&mut p.last_name, self.last_name);
        set(&mut p.gender, self.gender);
        set(&mut p.phone, self.phone);
        set(&mut p.company_name, self.company_name);
        set(&mut info.email_validated, flag(self.email_validated, "emailValidated")?);
        set(
            &mut d.account_type,
            self.account_type.map(AccountType::parse).transpose()?,
        );
        set(&mut d.vat_number, self.vat_number);
        set(&mut d.coc_number, self.coc_number);
        set(&mut d.address.street, self.address);
        set(&mut d.address.street_number, self.street_number);
        set(&mut d.address.zip_code, self.zip_code);
        set(&mut d.address.city, self.city);
        set(&mut d.address.country_code, self.country_code);
        set(&mut d.phone_mobile, self.phone_number_mobile);
        set(&mut d.abuse_email, self.email_address_abuse);
        let language = match self.language {
            None => None,
            Some(IntOrText::Int(n)) => Some(Language::parse(n)?),
            Some(IntOrText::Text(t)) if t.trim().is_empty() => Some(Language::default()),
            Some(IntOrText::Text(t)) => Some(Language::parse_str(&t)?),
        };
        set(&mut d.language, language);
        for (target, value, name) in [
            (&mut d.newsletter, self.newsletter, "newsletter"),
            (&mut d.agreed_terms, self.agree_toc, "agreeToc"),
            (&mut d.agreed_aup, self.agree_aup, "agreeAup"),
            (&mut d.agreed_dpa, self.agree_dpa, "agreeDpa"),
        ] {
            if let Some(v) = flag(value, name)? {
                *target = Some(v);
            }
        }
        if let Some(r) = self.billing {
            let b = &mut info.billing;
            set(&mut b.first_name, r.first_name);
            set(&mut b.last_name, r.last_name);
            set(&mut b.address.street, r.address);
            set(&mut b.address.street_number, r.street_number);
            set(&mut b.address.zip_code, r.zip_code);
            set(&mut b.address.city, r.city);
            set(&mut b.address.country_code, r.country_code);
            set(&mut b.phone, r.phone_number);
            set(&mut b.phone_mobile, r.phone_number_mobile);
            set(&mut b.email, r.email_address_billing);
            set(
                &mut b.bundle_invoices,
                flag(
                    r.bundle_invoices_of_same_category,
                    "billing.bundleInvoicesOfSameCategory",
                )?,
            );
            set(
                &mut b.payment_confirmations_by_email,
                flag(
                    r.receive_payment_confirmations_via_email,
                    "billing.receivePaymentConfirmationsViaEmail",
                )?,
            );
            set(&mut b.preferred_payment_method, r.preferred_payment_method);
        }
        Ok(())
    }
}

/// An account as the admin API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountJson {
    pub user_id: i64,
    pub public_id: String,
    pub user_name: String,
    pub email: String,
    pub access_level: i64,
    pub wallet_address: String,
    /// Unix seconds, if a trial account.
    pub trial_expires_at: Option<i64>,
}

impl From<Account> for AccountJson {
    fn from(a: Account) -> Self {
        AccountJson {
            user_id: a.id.0,
            public_id: a.public_id,
            user_name: a.user_name,
            email: a.profile.email,
            access_level: a.access_level.as_i64(),
            wallet_address: a.wallet_address,
            trial_expires_at: a.trial_expires_at.map(|t| t.unix_secs()),
        }
    }
}

/// `POST /admin/accounts`: 201 with the account.
///
/// `userName`, `password` and `email` are required.
#[utoipa::path(
    post,
    path = "/admin/accounts",
    tag = "accounts",
    request_body = AccountRequest,
    responses(
        (status = 201, description = "The account", body = AccountJson),
        (status = 409, description = "The user name is taken"),
    ),
)]
pub async fn create_account(
    State(state): State<AppState>,
    op: Admin,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<AccountJson>), AdminError> {
    let mut r: AccountRequest = body(raw)?;
    let trial_days = r
        .trial_days
        .take()
        .map(|d| u32::try_from(d).map_err(|_| Error::invalid("trialDays", "must be 1-3650")))
        .transpose()?;
    let user_name = required(r.user_name.take(), "userName")?;
    let password = Secret::new(required(r.password.take(), "password")?);
    let access_level = AccessLevel::parse(r.access_level.take().unwrap_or(10))?;
    if r.email.is_none() {
        return Err(Error::invalid("email", "is required").into());
    }
    let mut info = AccountInfo::default();
    r.apply(&mut info)?;
    let cmd = NewAccount {
        user_name,
        password,
        access_level,
        trial_days,
        info,
    };
    let account = state.accounts.create(cmd, op.event()).await?;
    Ok((StatusCode::CREATED, Json(AccountJson::from(account))))
}

/// `PATCH /admin/accounts/{userId}` (the id, or the user name): changes the fields sent;
/// 200 with the account.
///
/// `userName`, `password`, `accessLevel` and `trialDays` cannot be changed here (400).
#[utoipa::path(
    patch,
    path = "/admin/accounts/{id}",
    tag = "accounts",
    params(("id" = String, Path, description = "The account's id, or its user name")),
    request_body = AccountRequest,
    responses(
        (status = 200, description = "The account", body = AccountJson),
        (status = 409, description = "A field conflicts with another account"),
    ),
)]
pub async fn update_account(
    State(state): State<AppState>,
    op: Admin,
    Path(id): Path<String>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<AccountJson>, AdminError> {
    let r: AccountRequest = body(raw)?;
    for (present, field) in [
        (r.user_name.is_some(), "userName"),
        (r.password.is_some(), "password"),
        (r.access_level.is_some(), "accessLevel"),
        (r.trial_days.is_some(), "trialDays"),
    ] {
        if present {
            return Err(Error::invalid(field, "cannot be changed here").into());
        }
    }
    let account = state
        .accounts
        .find(&id)
        .await?
        .ok_or(Error::NotFound(Entity::Account))?;
    let before = serde_json::to_value(AccountJson::from(account.clone())).unwrap_or_default();
    let account = state.accounts.update_info(account.id, |info| r.apply(info)).await?;
    let json = AccountJson::from(account);
    let after = serde_json::to_value(&json).unwrap_or_default();
    op.record(&state, |e| {
        e.action("account.updated")
            .subject(format!("account:{}", json.user_id))
            .detail(serde_json::json!({"before": before, "after": after}))
    })
    .await;
    Ok(Json(json))
}

/// `POST /admin/api-keys` body.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct NewApiKeyRequest {
    pub label: String,
    /// Addresses or networks (CIDR) the key may be used from; empty: any.
    pub allow_ips: Vec<String>,
    /// RFC 3339 time or date, or Unix seconds.
    pub expires_at: Option<String>,
}

/// A new API key: the key itself is shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyJson {
    pub id: i64,
    pub key: String,
    pub label: String,
    pub allow_ips: Vec<String>,
    /// Unix seconds.
    pub expires_at: Option<i64>,
}

impl ApiKeyJson {
    fn new(k: ApiKey, key: &Secret) -> Self {
        ApiKeyJson {
            id: k.id.0,
            key: key.expose().to_owned(),
            label: k.label,
            allow_ips: k.allowed.iter().map(ToString::to_string).collect(),
            expires_at: k.expires_at.map(|t| t.unix_secs()),
        }
    }
}

/// `POST /admin/api-keys`: 201 with the key.
///
/// The key itself (`PRIVATE-TOKEN` of the i3d dialect) is shown this once.
#[utoipa::path(
    post,
    path = "/admin/api-keys",
    tag = "api keys",
    request_body = NewApiKeyRequest,
    responses((status = 201, description = "The key", body = ApiKeyJson)),
)]
pub async fn create_api_key(
    State(state): State<AppState>,
    op: Admin,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ApiKeyJson>), AdminError> {
    let r: NewApiKeyRequest = body(raw)?;
    let cmd = NewApiKey {
        label: r.label,
        allow_ips: r.allow_ips,
        expires_at: r.expires_at.map(|s| parse_expiry("expiresAt", &s)).transpose()?,
    };
    let (key, secret) = state.accounts.create_api_key(cmd, op.event()).await?;
    Ok((StatusCode::CREATED, Json(ApiKeyJson::new(key, &secret))))
}
