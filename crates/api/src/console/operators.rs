//! `GET /console/operators` (the operators), `GET /console/me` (one's own page), and an
//! admin's "sign out everywhere" for another operator.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use playgate_core::Error;
use playgate_core::error::Entity;
use serde::Deserialize;

use super::auth::{Empty, Posted, Signed};
use super::error::ConsoleError;
use super::error::redirect_with;
use super::pages::{self, Section};
use super::{chrome, html};
use crate::common::state::AppState;

/// The operators page.
pub(super) async fn list(State(s): State<AppState>, by: Signed) -> Result<Response, ConsoleError> {
    let ops = s.operators.list().await?;
    let c = chrome(&by, "Operators", Section::Operators);
    Ok(html(pages::operators(&c, &ops)).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct MeQuery {
    ended: Option<u64>,
}

/// The operator's own page.
pub(super) async fn me(by: Signed, Query(q): Query<MeQuery>) -> Response {
    let c = chrome(&by, "Your account", Section::Me);
    html(pages::me(&c, q.ended)).into_response()
}

/// `POST /console/operators/{name}/sign-out-everywhere`: ends every console session of an
/// operator (admins).
pub(super) async fn sign_out_everywhere(
    State(s): State<AppState>,
    Path(name): Path<String>,
    p: Posted<Empty>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let ops = s.operators.list().await?;
    let Some(op) = ops.iter().find(|o| o.name == name) else {
        return Err(Error::NotFound(Entity::Operator).into());
    };
    let n = s.console.sign_out_everywhere(op.id).await?;
    p.by.record(&s, |ev| {
        ev.action("console.signed_out_everywhere")
            .subject(format!("operator:{}", op.name))
            .detail(serde_json::json!({"sessions": n}))
    })
    .await;
    if op.name == p.by.name() {
        return Ok(redirect_with("/console/sign-in", &[]));
    }
    Ok(redirect_with("/console/operators", &[]))
}
