//! The kgen dialect's errors: `{"error": CODE, "message": TEXT}` (plus `field` for a bad
//! field) with the matching status.

use axum::response::{IntoResponse, Response};
use playgate_core::Error;

pub(super) use crate::common::json_error::Body;
use crate::common::json_error::respond;

/// A core error on its way to a kgen client.
#[derive(Debug)]
pub struct KgenError(pub Error);

impl From<Error> for KgenError {
    fn from(e: Error) -> Self {
        KgenError(e)
    }
}

impl IntoResponse for KgenError {
    fn into_response(self) -> Response {
        respond(&self.0, "kgen dialect")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::json_error;
    use crate::common::reasons::json_body;
    use playgate_core::{Conflict, Entity, Forbidden, Unauthorized};

    /// Every reason has kgen's status and a `{error, message}` body with words of its own.
    #[tokio::test]
    async fn every_reason_has_a_status_and_a_body() {
        json_error::assert_every_reason_answered(|e| KgenError(e).into_response()).await;
    }

    #[tokio::test]
    async fn words_of_the_reasons_kgen_clients_meet() {
        let cases = [
            (
                Error::Unauthorized(Unauthorized::BadClientCredentials),
                "invalid client credentials",
            ),
            (
                Error::Unauthorized(Unauthorized::RefreshTokenReused),
                "refresh token already used; session ended",
            ),
            (Error::Conflict(Conflict::SessionEnded), "session already ended"),
            (
                Error::Conflict(Conflict::LinkedElsewhere),
                "The player is linked to another account",
            ),
            (
                Error::Unauthorized(Unauthorized::SessionNotLive),
                "session ended or expired",
            ),
            (Error::NotFound(Entity::Player), "player not found"),
            (Error::NotFound(Entity::Session), "session not found"),
            (
                Error::Forbidden(Forbidden::PlayerBanned("aimbot".into())),
                "the player is banned: aimbot",
            ),
            (
                Error::Forbidden(Forbidden::PlayerBanned(String::new())),
                "the player is banned",
            ),
        ];
        for (e, text) in cases {
            assert_eq!(json_body(KgenError(e).into_response()).await["message"], text);
        }
    }
}
