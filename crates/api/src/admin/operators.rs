//! `GET /admin/v1/operators`: the operators of the admin API (admins only; never a token).

use axum::Json;
use axum::extract::State;
use playgate_core::operators::Operator;
use serde::Serialize;
use utoipa::ToSchema;

use super::wire::Page;
use super::{Admin, AdminError};
use crate::common::state::AppState;
use crate::common::time::rfc3339;

/// An operator.
#[derive(Debug, Serialize, ToSchema)]
pub struct OperatorJson {
    name: String,
    /// `admin` or `viewer`.
    role: &'static str,
    enabled: bool,
    /// RFC 3339, UTC.
    created_at: String,
    /// When its token was last accepted (to the minute).
    last_used_at: Option<String>,
}

impl From<Operator> for OperatorJson {
    fn from(o: Operator) -> Self {
        OperatorJson {
            name: o.name,
            role: o.role.as_str(),
            enabled: o.enabled,
            created_at: rfc3339(o.created_at),
            last_used_at: o.last_used_at.map(rfc3339),
        }
    }
}

/// Every operator, by name (one page).
#[utoipa::path(
    get,
    path = "/admin/v1/operators",
    tag = "operators",
    responses(
        (status = 200, description = "The operators", body = Page<OperatorJson>),
    ),
)]
pub(super) async fn list(State(s): State<AppState>, _: Admin) -> Result<Json<Page<OperatorJson>>, AdminError> {
    Ok(Json(Page::of(s.operators.list().await?, None)))
}
