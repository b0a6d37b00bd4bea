//! i3D platform accounts: making one (through the same core call as
//! `POST /admin/accounts`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use playgate_core::Error;
use playgate_core::account::{AccessLevel, AccountProfile, NewAccount};
use playgate_core::crypto::Secret;
use serde::Deserialize;

use super::auth::{Posted, Signed};
use super::error::{ConsoleError, status_and_message};
use super::pages::{self, Section};
use super::{chrome, html};
use crate::common::state::AppState;

/// The form of a new account.
pub(super) async fn new_form(by: Signed) -> Response {
    let c = chrome(&by, "Accounts", Section::Accounts);
    html(pages::new_account(&c, "", "", None, None)).into_response()
}

/// The fields of a new account.
#[derive(Debug, Deserialize)]
pub(super) struct NewAccountForm {
    #[serde(default)]
    user_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// `POST /console/accounts`: makes an i3D account.
pub(super) async fn create(State(s): State<AppState>, p: Posted<NewAccountForm>) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let f = &p.form;
    let cmd = NewAccount {
        user_name: f.user_name.clone(),
        password: Secret::new(f.password.clone()),
        profile: AccountProfile {
            email: f.email.clone(),
            ..AccountProfile::default()
        },
        access_level: AccessLevel::parse(10)?,
        trial_days: None,
        email_validated: false,
        details: Default::default(),
        billing: Default::default(),
    };
    let c = chrome(&p.by, "Accounts", Section::Accounts);
    match s.core.create_account(cmd).await {
        Ok(account) => {
            let id = account.id.0;
            p.by.record(&s, |e| {
                e.action("account.created")
                    .subject(format!("account:{id}"))
                    .detail(serde_json::json!({"after": {"user_name": account.user_name}}))
            })
            .await;
            let page = pages::new_account(&c, "", "", None, Some((id, &account.user_name)));
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
