//! The admin API's one error type: a core error worded for operators as
//! `{"error": CODE, "message": TEXT}` (plus `field` for an invalid one), or "these routes do
//! not exist" when no admin token is configured.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use playgate_core::Error;

use crate::common::json_error::{self, respond};

/// An admin error: a core error, or "these routes do not exist" (no token configured).
#[derive(Debug)]
pub enum AdminError {
    /// No admin token configured: 404, as for a route that does not exist.
    Disabled,
    /// A core error.
    Core(Error),
}

impl From<Error> for AdminError {
    fn from(e: Error) -> Self {
        AdminError::Core(e)
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let e = match self {
            // The same answer as for a route that does not exist.
            AdminError::Disabled => return json_error::http_failure(StatusCode::NOT_FOUND, "route not found".into()),
            AdminError::Core(e) => e,
        };
        respond(&e, "admin API")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::reasons::parts;
    use playgate_core::{Conflict, ConstraintKind, Entity, Forbidden, Unauthorized};

    /// Every reason has the admin status and a `{error, message}` body with words of its own.
    #[tokio::test]
    async fn every_reason_has_a_status_and_a_body() {
        json_error::assert_every_reason_answered(|e| AdminError::Core(e).into_response()).await;
    }

    #[tokio::test]
    async fn words_of_the_reasons_operators_meet() {
        let cases = [
            (
                Error::Unauthorized(Unauthorized::BadAdminToken),
                "missing or wrong admin token",
            ),
            (Error::Conflict(Conflict::AccountNameTaken), "user name already taken"),
            (
                Error::Conflict(Conflict::OperatorNameTaken),
                "an operator with this name exists",
            ),
            (Error::NotFound(Entity::Account), "account not found"),
            (
                Error::Forbidden(Forbidden::ViewerRole),
                "a viewer may not change anything; this needs the admin role",
            ),
            (
                Error::Constraint {
                    kind: ConstraintKind::Unique,
                    name: String::new(),
                },
                "already exists",
            ),
        ];
        for (e, text) in cases {
            let (_, _, body) = parts(AdminError::Core(e).into_response()).await;
            let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            assert_eq!(v["message"], text);
        }
    }
}
