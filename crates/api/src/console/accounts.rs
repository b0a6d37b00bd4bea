//! i3D platform accounts: the search, an account's page, making one (through the same
//! core call as `POST /admin/accounts`), and what an admin changes (enable and disable,
//! reset 2FA, revoke an API key: through the accounts service of `/admin/v1/accounts`,
//! which records each change in its own transaction; a new API key as
//! `POST /admin/api-keys` makes it, shown once).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use playgate_core::account::{
    AccessLevel, AccountId, AccountInfo, AccountProfile, ApiKeyId, NewAccount, NewApiKey, parse_expiry,
};
use playgate_core::accounts::AccountPatch;
use playgate_core::audit::AuditFilter;
use playgate_core::crypto::Secret;
use playgate_core::{Entity, Error};
use serde::Deserialize;

use super::auth::{Empty, Posted, Signed};
use super::error::{ConsoleError, field_of, redirect_with, status_and_message};
use super::pages::{self, AccountData, AccountResults, ApiKeyForm, Section};
use super::{chrome, cursor, enabled, html, search_results};
use crate::common::path_id::path_id;
use crate::common::state::AppState;

/// The form of a new account.
pub(super) async fn new_form(by: Signed) -> Response {
    let c = chrome(&by, "Accounts", Section::Accounts);
    html(pages::new_account(&c, "", "", None, None)).into_response()
}

/// The fields of a new account.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct NewAccountForm {
    user_name: String,
    email: String,
    password: String,
}

/// `POST /console/accounts`: makes an i3D account.
pub(super) async fn create(State(s): State<AppState>, p: Posted<NewAccountForm>) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let f = &p.form;
    let cmd = NewAccount {
        user_name: f.user_name.clone(),
        password: Secret::new(f.password.clone()),
        access_level: AccessLevel::parse(10)?,
        trial_days: None,
        info: AccountInfo {
            profile: AccountProfile {
                email: f.email.clone(),
                ..AccountProfile::default()
            },
            ..AccountInfo::default()
        },
    };
    let c = chrome(&p.by, "Accounts", Section::Accounts);
    match s.accounts.create(cmd, p.by.event()).await {
        Ok(account) => {
            let page = pages::new_account(&c, "", "", None, Some((account.id.0, &account.user_name)));
            Ok((StatusCode::CREATED, html(page)).into_response())
        }
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_) | Error::Constraint { .. })) => {
            let (status, message) = status_and_message(&e);
            let field = match &e {
                Error::Invalid { field, .. } => field.clone(),
                _ => "userName".to_owned(),
            };
            let page = pages::new_account(&c, &f.user_name, &f.email, Some((&field, &message)), None);
            Ok((status, html(page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Accounts per page.
const PAGE: u32 = 25;

/// The search as the form sends it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct SearchQuery {
    q: String,
    after: String,
}

/// `GET /console/accounts`: the search (or, for the script, its results alone) and the
/// form of a new API key.
pub(super) async fn search(
    State(s): State<AppState>,
    by: Signed,
    headers: HeaderMap,
    Query(q): Query<SearchQuery>,
) -> Result<Response, ConsoleError> {
    let found = match cursor(&q.after, "after") {
        Ok(after) => s.accounts.search(&q.q, after.map(AccountId), PAGE).await,
        Err(e) => Err(e),
    };
    let (items, next, error, status) = search_results(found.map(|page| (page.items, page.next_cursor.map(|a| a.0))))?;
    let r = AccountResults {
        q: &q.q,
        items: &items,
        next,
        error: error.as_deref(),
    };
    if headers.contains_key("x-console-fragment") {
        return Ok((status, html(pages::account_results(&r))).into_response());
    }
    let c = chrome(&by, "Accounts", Section::Accounts);
    Ok((status, html(pages::accounts(&c, &r, &ApiKeyForm::default()))).into_response())
}

async fn account_data(s: &AppState, a: &str) -> Result<AccountData, Error> {
    let account = s.accounts.get(a).await?;
    let id = account.id.0.to_string();
    let links = s.accounts.links(&id).await?;
    let keys = s.accounts.api_keys(&id).await?;
    let events = s
        .audit
        .list(AuditFilter {
            subject: Some(format!("account:{id}")),
            limit: 10,
            ..AuditFilter::default()
        })
        .await?
        .items;
    Ok(AccountData {
        account,
        links,
        keys,
        events,
    })
}

/// `GET /console/accounts/{account}`: an account's page.
pub(super) async fn show(
    State(s): State<AppState>,
    by: Signed,
    Path(a): Path<String>,
) -> Result<Response, ConsoleError> {
    let d = account_data(&s, &a).await?;
    let title = format!("Account {}", d.account.user_name);
    let c = chrome(&by, &title, Section::Accounts);
    Ok(html(pages::account(&c, &d)).into_response())
}

fn back(id: AccountId) -> Response {
    redirect_with(&format!("/console/accounts/{}", id.0), &[])
}

/// Enabling or disabling.
#[derive(Debug, Default, Deserialize)]
pub(super) struct EnabledForm {
    #[serde(default)]
    enabled: String,
}

/// `POST /console/accounts/{account}/enabled`: enables or disables an account (disabling
/// ends its logins).
pub(super) async fn set_enabled(
    State(s): State<AppState>,
    Path(a): Path<String>,
    p: Posted<EnabledForm>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let enabled = enabled(&p.form.enabled)?;
    let patch = AccountPatch {
        enabled: Some(enabled),
        ..AccountPatch::default()
    };
    let account = s.accounts.update(&a, patch, p.by.event()).await?;
    Ok(back(account.id))
}

/// `POST /console/accounts/{account}/reset-2fa`: turns the account's 2FA off.
pub(super) async fn reset_2fa(
    State(s): State<AppState>,
    Path(a): Path<String>,
    p: Posted<Empty>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let account = s.accounts.reset_totp(&a, p.by.event()).await?;
    Ok(back(account.id))
}

/// `POST /console/accounts/{account}/api-keys/{key}/revoke`: revokes an API key the
/// account logged in through.
pub(super) async fn revoke_api_key(
    State(s): State<AppState>,
    Path((a, key)): Path<(String, String)>,
    p: Posted<Empty>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let account = s.accounts.get(&a).await?;
    let key = path_id(&key, Entity::ApiKey).map(ApiKeyId)?;
    s.accounts
        .revoke_api_key(&account.id.0.to_string(), key, p.by.event())
        .await?;
    Ok(back(account.id))
}

/// The fields of a new API key.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ApiKeyFields {
    label: String,
    allow_ips: String,
    expires_at: String,
}

/// `POST /console/api-keys`: makes an i3D API key (as `POST /admin/api-keys`) and shows
/// it once.
pub(super) async fn create_api_key(
    State(s): State<AppState>,
    p: Posted<ApiKeyFields>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let f = &p.form;
    let expires_at = match f.expires_at.trim() {
        "" => Ok(None),
        e => parse_expiry("expires_at", e).map(Some),
    };
    let made = match expires_at {
        Ok(expires_at) => {
            let cmd = NewApiKey {
                label: f.label.trim().to_owned(),
                allow_ips: f
                    .allow_ips
                    .split([',', ' ', '\n'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
                expires_at,
            };
            s.accounts.create_api_key(cmd, p.by.event()).await
        }
        Err(e) => Err(e),
    };
    match made {
        Ok((key, secret)) => {
            let c = chrome(&p.by, "New API key", Section::Accounts);
            Ok((
                StatusCode::CREATED,
                html(pages::api_key_created(&c, &key, secret.expose())),
            )
                .into_response())
        }
        Err(e @ Error::Invalid { .. }) => {
            let (status, message) = status_and_message(&e);
            // The core names a bad address `allow_ip`; the form's field is `allow_ips`.
            let field = match field_of(&e) {
                f if f.starts_with("allow_ip") => "allow_ips",
                f => f,
            };
            let r = AccountResults {
                q: "",
                items: &[],
                next: None,
                error: None,
            };
            let form = ApiKeyForm {
                label: &f.label,
                allow_ips: &f.allow_ips,
                expires_at: &f.expires_at,
                error: Some((field, &message)),
            };
            let c = chrome(&p.by, "Accounts", Section::Accounts);
            Ok((status, html(pages::accounts(&c, &r, &form))).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
