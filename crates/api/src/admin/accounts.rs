//! `POST /admin/accounts` and `POST /admin/api-keys`.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use bytes::Bytes;
use playgate_core::Error;
use playgate_core::account::{AccessLevel, Account, AccountProfile, ApiKey, NewAccount, NewApiKey, parse_expiry};
use playgate_core::crypto::Secret;
use serde::{Deserialize, Serialize};

use super::{Admin, AdminError};
use crate::common::json;
use crate::common::lenient;
use crate::common::state::AppState;

fn body<T: serde::de::DeserializeOwned>(b: Result<Bytes, BytesRejection>) -> Result<T, AdminError> {
    let b = b.map_err(|e| json::unreadable("body", e.status(), e.body_text()))?;
    Ok(json::parse(&b, true).map_err(Error::from)?)
}

/// `POST /admin/accounts` body.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NewAccountRequest {
    pub user_name: Option<String>,
    pub password: Option<String>,
    pub email: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub gender: String,
    pub phone: String,
    pub company_name: String,
    pub language: String,
    #[serde(deserialize_with = "lenient::int")]
    pub access_level: Option<i64>,
    #[serde(deserialize_with = "lenient::int")]
    pub trial_days: Option<i64>,
    pub email_validated: bool,
}

/// An account as the admin API shows it.
#[derive(Debug, Serialize)]
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
pub async fn create_account(
    State(state): State<AppState>,
    _admin: Admin,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<AccountJson>), AdminError> {
    let r: NewAccountRequest = body(raw)?;
    let trial_days = r
        .trial_days
        .map(|d| u32::try_from(d).map_err(|_| Error::invalid("trialDays", "must be 1-3650")))
        .transpose()?;
    let cmd = NewAccount {
        user_name: r.user_name.ok_or_else(|| Error::invalid("userName", "is required"))?,
        password: Secret::new(r.password.ok_or_else(|| Error::invalid("password", "is required"))?),
        profile: AccountProfile {
            email: r.email.ok_or_else(|| Error::invalid("email", "is required"))?,
            first_name: r.first_name,
            last_name: r.last_name,
            gender: r.gender,
            phone: r.phone,
            company_name: r.company_name,
            language: r.language,
        },
        access_level: AccessLevel::parse(r.access_level.unwrap_or(10))?,
        trial_days,
        email_validated: r.email_validated,
    };
    let account = state.core.create_account(cmd).await?;
    Ok((StatusCode::CREATED, Json(account.into())))
}

/// `POST /admin/api-keys` body.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NewApiKeyRequest {
    pub label: String,
    pub allow_ips: Vec<String>,
    pub expires_at: Option<String>,
}

/// A new API key: the key itself is shown this once.
#[derive(Debug, Serialize)]
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
pub async fn create_api_key(
    State(state): State<AppState>,
    _admin: Admin,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ApiKeyJson>), AdminError> {
    let r: NewApiKeyRequest = body(raw)?;
    let cmd = NewApiKey {
        label: r.label,
        allow_ips: r.allow_ips,
        expires_at: r.expires_at.map(|s| parse_expiry("expiresAt", &s)).transpose()?,
    };
    let (key, secret) = state.core.create_api_key(cmd).await?;
    Ok((StatusCode::CREATED, Json(ApiKeyJson::new(key, &secret))))
}
