//! `/admin/v1/accounts`: platform accounts (the i3D dialect's users) as operators manage
//! them: search, show, change (enable / disable), reset 2FA, set a password, their API
//! keys, their links to players, and "log out everywhere". `{account}` is the account's id
//! or its user name. No answer holds a secret or a hash.

use axum::Json;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use bytes::Bytes;
use playgate_core::account::{AccessLevel, Account, AccountId, ApiKeyId};
use playgate_core::accounts::{AccountApiKey, AccountLink, AccountPatch};
use playgate_core::crypto::Secret;
use playgate_core::{Entity, Error};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::paths::AccountPath;
use super::wire::{MessageOut, Page, body, limit, nullable, number, timestamp};
use super::{Admin, AdminError, Viewer};
use crate::common::json::required;
use crate::common::path_id::path_id;
use crate::common::state::AppState;
use crate::common::time::rfc3339;

/// A platform account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountV1Json {
    /// `userId`.
    id: i64,
    /// Shown to games as `indigg_id`.
    public_id: String,
    user_name: String,
    email: String,
    first_name: String,
    last_name: String,
    phone: String,
    company_name: String,
    /// 0 guest, 10 regular, 20 management.
    access_level: i64,
    email_validated: bool,
    /// End of the trial (RFC 3339), for a trial account.
    trial_expires_at: Option<String>,
    /// Whether TOTP 2FA is on.
    totp_enabled: bool,
    /// A disabled account cannot log in.
    enabled: bool,
    wallet_address: String,
    /// RFC 3339, UTC.
    created_at: String,
}

impl From<Account> for AccountV1Json {
    fn from(a: Account) -> Self {
        AccountV1Json {
            id: a.id.0,
            public_id: a.public_id,
            user_name: a.user_name,
            email: a.profile.email,
            first_name: a.profile.first_name,
            last_name: a.profile.last_name,
            phone: a.profile.phone,
            company_name: a.profile.company_name,
            access_level: a.access_level.as_i64(),
            email_validated: a.email_validated,
            trial_expires_at: a.trial_expires_at.map(rfc3339),
            totp_enabled: a.totp_enabled,
            enabled: a.enabled,
            wallet_address: a.wallet_address,
            created_at: rfc3339(a.created_at),
        }
    }
}

/// `PATCH /admin/v1/accounts/{account}` body: each field present is set, the others stay.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct AccountPatchIn {
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    /// 0 guest, 10 regular, 20 management.
    access_level: Option<i64>,
    /// End of the trial: RFC 3339 or Unix seconds; `null`: not a trial account.
    #[serde(deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    trial_expires_at: Option<Option<String>>,
    /// `false` disables the account: it cannot log in, and its logins end at once.
    enabled: Option<bool>,
}

/// `POST /admin/v1/accounts/{account}/password` body.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct PasswordIn {
    /// The new password, 8 to 1024 characters.
    password: Option<String>,
}

/// An API key the account has logged in through (never the key itself).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountApiKeyJson {
    id: i64,
    label: String,
    /// Addresses or networks it may be used from; empty: any.
    allow_ips: Vec<String>,
    /// RFC 3339, if it expires.
    expires_at: Option<String>,
    created_at: String,
    /// When the account last logged in through it.
    last_login_at: String,
}

impl From<AccountApiKey> for AccountApiKeyJson {
    fn from(k: AccountApiKey) -> Self {
        AccountApiKeyJson {
            id: k.key.id.0,
            label: k.key.label,
            allow_ips: k.key.allowed.iter().map(ToString::to_string).collect(),
            expires_at: k.key.expires_at.map(rfc3339),
            created_at: rfc3339(k.key.created_at),
            last_login_at: rfc3339(k.last_login_at),
        }
    }
}

/// A player linked to the account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountLinkJson {
    game_id: i64,
    /// The game's own id of the player.
    user_id: String,
    /// RFC 3339.
    linked_at: String,
}

impl From<AccountLink> for AccountLinkJson {
    fn from(l: AccountLink) -> Self {
        AccountLinkJson {
            game_id: l.game_id.0,
            user_id: l.user_id,
            linked_at: rfc3339(l.linked_at),
        }
    }
}

/// What "log out everywhere" ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndedJson {
    /// The account's logins (i3D sessions).
    logins_ended: u64,
    /// The sessions (KGeN, GameFuse) of the players linked to it.
    sessions_ended: u64,
}

/// The search of `GET /admin/v1/accounts`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountQuery {
    /// An account id, or the start of a user name, e-mail address, first or last name (any
    /// case); every account when absent.
    q: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Accounts per page, 1 to 500 (default 50).
    limit: Option<String>,
}

/// Search the accounts, by id, a page at a time.
#[utoipa::path(
    operation_id = "account_search",
    get,
    path = "/admin/v1/accounts",
    tag = "accounts",
    params(AccountQuery),
    responses((status = 200, description = "A page of accounts", body = Page<AccountV1Json>)),
)]
pub(super) async fn search(
    State(s): State<AppState>,
    _: Viewer,
    Query(q): Query<AccountQuery>,
) -> Result<Json<Page<AccountV1Json>>, AdminError> {
    let after = number::<i64>("cursor", q.cursor.as_deref())?.map(AccountId);
    let page = s
        .accounts
        .search(q.q.as_deref().unwrap_or_default(), after, limit(q.limit.as_deref())?)
        .await?;
    Ok(Json(Page::of(page.items, page.next_cursor.map(|a| a.0.to_string()))))
}

/// One account.
#[utoipa::path(
    operation_id = "account_show",
    get,
    path = "/admin/v1/accounts/{account}",
    tag = "accounts",
    params(AccountPath),
    responses((status = 200, description = "The account", body = AccountV1Json)),
)]
pub(super) async fn show(
    State(s): State<AppState>,
    _: Viewer,
    Path(AccountPath { account: a }): Path<AccountPath>,
) -> Result<Json<AccountV1Json>, AdminError> {
    Ok(Json(s.accounts.get(&a).await?.into()))
}

/// Change an account: e-mail, names, phone, access level, trial, enabled. Disabling ends its
/// logins at once.
#[utoipa::path(
    operation_id = "account_update",
    patch,
    path = "/admin/v1/accounts/{account}",
    tag = "accounts",
    params(AccountPath),
    request_body = AccountPatchIn,
    responses((status = 200, description = "The account as changed", body = AccountV1Json)),
)]
pub(super) async fn update(
    State(s): State<AppState>,
    op: Admin,
    Path(AccountPath { account: a }): Path<AccountPath>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<AccountV1Json>, AdminError> {
    let r: AccountPatchIn = body(raw)?;
    let trial = r
        .trial_expires_at
        .map(|t| t.map(|t| timestamp("trial_expires_at", &t)).transpose())
        .transpose()?;
    let level = r
        .access_level
        .map(|n| AccessLevel::parse(n).map_err(|_| Error::invalid("access_level", "must be 0, 10 or 20")))
        .transpose()?;
    let patch = AccountPatch {
        email: r.email,
        first_name: r.first_name,
        last_name: r.last_name,
        phone: r.phone,
        access_level: level,
        trial_expires_at: trial,
        enabled: r.enabled,
    };
    Ok(Json(s.accounts.update(&a, patch, op.event()).await?.into()))
}

/// Turn the account's 2FA off (secret and recovery codes deleted): its holder logs in with
/// the password and may enroll again.
#[utoipa::path(
    operation_id = "account_reset_2fa",
    post,
    path = "/admin/v1/accounts/{account}/reset-2fa",
    tag = "accounts",
    params(AccountPath),
    responses((status = 200, description = "The account", body = AccountV1Json)),
)]
pub(super) async fn reset_2fa(
    State(s): State<AppState>,
    op: Admin,
    Path(AccountPath { account: a }): Path<AccountPath>,
) -> Result<Json<AccountV1Json>, AdminError> {
    Ok(Json(s.accounts.reset_totp(&a, op.event()).await?.into()))
}

/// Set the account's password (8 to 1024 characters); its logins end.
#[utoipa::path(
    operation_id = "account_set_password",
    post,
    path = "/admin/v1/accounts/{account}/password",
    tag = "accounts",
    params(AccountPath),
    request_body = PasswordIn,
    responses((status = 200, description = "Set", body = MessageOut)),
)]
pub(super) async fn set_password(
    State(s): State<AppState>,
    op: Admin,
    Path(AccountPath { account: a }): Path<AccountPath>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<MessageOut>, AdminError> {
    let r: PasswordIn = body(raw)?;
    let password = Secret::new(required(r.password, "password")?);
    s.accounts.set_password(&a, &password, op.event()).await?;
    Ok(Json(MessageOut::new("password set; the account's logins ended")))
}

/// The API keys the account has logged in through.
#[utoipa::path(
    operation_id = "account_api_keys",
    get,
    path = "/admin/v1/accounts/{account}/api-keys",
    tag = "accounts",
    params(AccountPath),
    responses((status = 200, description = "The keys (one page)", body = Page<AccountApiKeyJson>)),
)]
pub(super) async fn api_keys(
    State(s): State<AppState>,
    _: Viewer,
    Path(AccountPath { account: a }): Path<AccountPath>,
) -> Result<Json<Page<AccountApiKeyJson>>, AdminError> {
    let keys = s.accounts.api_keys(&a).await?;
    Ok(Json(Page::of(keys, None)))
}

/// Revoke an API key the account has logged in through: the key stops working at once and
/// its logins end.
#[utoipa::path(
    operation_id = "account_revoke_api_key",
    delete,
    path = "/admin/v1/accounts/{account}/api-keys/{key}",
    tag = "accounts",
    params(
        AccountPath,
        ("key" = i64, Path, description = "The key's id"),
    ),
    responses((status = 200, description = "Revoked", body = MessageOut)),
)]
pub(super) async fn revoke_api_key(
    State(s): State<AppState>,
    op: Admin,
    Path((a, key)): Path<(String, String)>,
) -> Result<Json<MessageOut>, AdminError> {
    let key = ApiKeyId(path_id(&key, Entity::ApiKey)?);
    s.accounts.revoke_api_key(&a, key, op.event()).await?;
    Ok(Json(MessageOut::new("revoked")))
}

/// The players linked to the account.
#[utoipa::path(
    operation_id = "account_links",
    get,
    path = "/admin/v1/accounts/{account}/links",
    tag = "accounts",
    params(AccountPath),
    responses((status = 200, description = "The links (one page)", body = Page<AccountLinkJson>)),
)]
pub(super) async fn links(
    State(s): State<AppState>,
    _: Viewer,
    Path(AccountPath { account: a }): Path<AccountPath>,
) -> Result<Json<Page<AccountLinkJson>>, AdminError> {
    let links = s.accounts.links(&a).await?;
    Ok(Json(Page::of(links, None)))
}

/// "Log out everywhere": end the account's logins and the KGeN and GameFuse sessions of
/// the players linked to it, on every node at once.
#[utoipa::path(
    operation_id = "account_end_all",
    post,
    path = "/admin/v1/accounts/{account}/sessions/end-all",
    tag = "accounts",
    params(AccountPath),
    responses((status = 200, description = "What ended", body = EndedJson)),
)]
pub(super) async fn end_all(
    State(s): State<AppState>,
    op: Admin,
    Path(AccountPath { account: a }): Path<AccountPath>,
) -> Result<Json<EndedJson>, AdminError> {
    let ended = s.accounts.end_sessions(&a, op.event()).await?;
    Ok(Json(EndedJson {
        logins_ended: ended.logins,
        sessions_ended: ended.sessions,
    }))
}
