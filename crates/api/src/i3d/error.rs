//! The i3D dialect's errors, in API v3's format: `{"errorCode": int, "errorMessage":
//! string, "errors": [{"property": string, "message": string}]}` with a 4xx status.
//!
//! i3D does not publish its list of error codes (its docs show `10001` "Entity not found"
//! only), so the codes below are Playgate's, one per kind of failure; clients read the
//! status and `errorMessage`. The statuses and messages of the documented failures
//! ("Invalid credentials" 401, "Already logged in" 409, "Too many login requests
//! performed" 429, "Invalid OTP" 401, "Unexpected OTP call" 404, not logged in 404) are
//! those of i3D's published OpenAPI document.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use playgate_core::{Conflict, ConstraintKind, Entity, Error, Forbidden, Unauthorized};
use serde::Serialize;
use utoipa::ToSchema;

/// `errorCode` of an unknown entity (the vendor's own example code), also of "not logged
/// in" and "unexpected OTP call", which i3D's document answers with 404.
pub const CODE_NOT_FOUND: i64 = 10001;
/// `errorCode` of a malformed or invalid field; `errors` names it.
pub const CODE_INVALID: i64 = 10002;
/// `errorCode` of missing or wrong credentials (API key, password, OTP).
pub const CODE_UNAUTHORIZED: i64 = 10003;
/// `errorCode` of an action not allowed.
pub const CODE_FORBIDDEN: i64 = 10004;
/// `errorCode` of a state conflict (already logged in, 2FA already on ...).
pub const CODE_CONFLICT: i64 = 10005;
/// `errorCode` of too many failed attempts.
pub const CODE_RATE_LIMITED: i64 = 10006;
/// `errorCode` of a method the route does not take.
pub const CODE_METHOD_NOT_ALLOWED: i64 = 10007;
/// `errorCode` of a request body over the size limit.
pub const CODE_TOO_LARGE: i64 = 10008;
/// `errorCode` of a server that cannot answer for now (database unreachable, timeout).
pub const CODE_UNAVAILABLE: i64 = 10009;
/// `errorCode` of a server fault.
pub const CODE_INTERNAL: i64 = 10000;

/// A core error on its way to an i3D client.
#[derive(Debug)]
pub struct I3dError(pub Error);

impl From<Error> for I3dError {
    fn from(e: Error) -> Self {
        I3dError(e)
    }
}

/// API v3's error object.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = Error)]
pub(super) struct Body {
    /// Error code
    error_code: i64,
    /// Error message
    error_message: String,
    /// Error details
    errors: Vec<FieldError>,
}

/// One field at fault.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ErrorDetails)]
pub(super) struct FieldError {
    /// Property in which there is an error
    property: String,
    /// Error message
    message: String,
}

impl IntoResponse for I3dError {
    fn into_response(self) -> Response {
        let mut errors = Vec::new();
        let (status, code, message) = match self.0 {
            Error::Invalid { field, reason } => {
                let message = format!("Invalid value for {field}: {reason}");
                errors.push(FieldError {
                    property: field,
                    message: reason,
                });
                (StatusCode::BAD_REQUEST, CODE_INVALID, message)
            }
            Error::Unauthorized(r) => (StatusCode::UNAUTHORIZED, CODE_UNAUTHORIZED, unauthorized(r).into()),
            Error::Forbidden(r) => (
                StatusCode::FORBIDDEN,
                CODE_FORBIDDEN,
                r.with_operator_words(forbidden(&r)),
            ),
            Error::NotFound(r) => (StatusCode::NOT_FOUND, CODE_NOT_FOUND, not_found(r).into()),
            Error::Conflict(r) => (StatusCode::CONFLICT, CODE_CONFLICT, conflict(r).into()),
            Error::Constraint { kind, .. } => (StatusCode::CONFLICT, CODE_CONFLICT, constraint(kind).into()),
            Error::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                CODE_TOO_LARGE,
                "Request body is too large".into(),
            ),
            Error::Unavailable { retry_after_secs } => {
                let mut resp = http_failure(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service temporarily unavailable".into(),
                );
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
                return resp;
            }
            Error::RateLimited { retry_after_secs } => {
                let mut resp = (
                    StatusCode::TOO_MANY_REQUESTS,
                    axum::Json(Body {
                        error_code: CODE_RATE_LIMITED,
                        error_message: "Too many login requests performed".into(),
                        errors,
                    }),
                )
                    .into_response();
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
                return resp;
            }
            Error::Internal(cause) => {
                tracing::error!(error = %cause, "internal error in i3d dialect");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    CODE_INTERNAL,
                    "Internal server error".into(),
                )
            }
        };
        (
            status,
            axum::Json(Body {
                error_code: code,
                error_message: message,
                errors,
            }),
        )
            .into_response()
    }
}

// The i3D wording of every reason the core gives, one arm per variant (no catch-all: a
// new reason must be worded here). Reasons only the GameFuse calls meet are worded plainly.

/// The `errorMessage` of a 409 for a key the core did not turn into a reason of its own.
fn constraint(kind: ConstraintKind) -> &'static str {
    match kind {
        ConstraintKind::Unique => "already exists",
        ConstraintKind::ForeignKey => "refers to something that does not exist",
    }
}

/// The `errorMessage` of a 409 for each conflict.
fn conflict(r: Conflict) -> &'static str {
    match r {
        Conflict::UnknownUser => "The user named in the request does not exist",
        Conflict::UnknownUsername => "A username named in the request does not exist",
        Conflict::FriendRequestToSelf => "A friend request to oneself",
        Conflict::FriendshipExists => "A friend request or friendship with this user already exists",
        Conflict::NotFriendRequestRecipient => "Only the recipient may answer a pending friend request",
        Conflict::NotFriendRequestSender => "Only the sender may cancel a pending friend request",
        Conflict::FriendRequestNotPending => "The friend request is no longer pending",
        Conflict::NotFriends => "The two users are not friends",
        Conflict::ConnectionNotPending => "The group invite or join request is not pending",
        Conflict::AlreadyInGroup => "Already a member of, invited to or asking to join the group",
        Conflict::CallerNotGroupMember => "The caller is not a member of the group",
        Conflict::UserNotGroupMember => "The user is not a member of the group",
        Conflict::UserNotGroupAdmin => "The user is not an admin of the group",
        Conflict::LastGroupAdmin => "The group's last admin cannot step down",
        Conflict::GroupAttributeExists => "The group already has an attribute with this key",
        Conflict::GroupChatNotMember => "Only members may chat in a group",
        Conflict::PasswordChangedMeanwhile => "The password changed during the request",
        Conflict::UsernameTaken => "The username is taken in this game",
        Conflict::EmailTaken => "The e-mail address is taken in this game",
        Conflict::AccountNameTaken => "user name already taken",
        Conflict::SessionEnded => "session already ended",
        Conflict::AlreadyLoggedIn => "Already logged in",
        Conflict::TwoFactorEnabled => "2FA is already enabled",
        Conflict::TwoFactorNotEnrolling => "No 2FA enrollment in progress: POST /v3/session/2fa first",
        Conflict::TwoFactorNotEnabled => "2FA is not enabled",
        Conflict::LinkedElsewhere => "The player is linked to another account",
        Conflict::OperatorNameTaken => "An operator with this name exists",
    }
}

/// The `errorMessage` of a 403 for each refusal.
fn forbidden(r: &Forbidden) -> &'static str {
    match r {
        Forbidden::GameDisabled => "The game is disabled",
        Forbidden::NotEnoughCredits => "Not enough credits",
        Forbidden::StoreItemOwned => "The user already owns this store item",
        Forbidden::NotGroupMember => "Only the group's members may do this",
        Forbidden::NotGroupAdmin => "Only a group admin may do this",
        Forbidden::InviteNeedsAdmin => "Only a group admin may invite",
        Forbidden::GroupNeedsInvite => "The group cannot be joined without an invite or a request",
        Forbidden::RemovedFromGroup => "The user was removed from the group",
        Forbidden::GroupFull => "The group is full",
        Forbidden::NotConnectionAddressee => "Only the invited user or a group admin may answer",
        Forbidden::NotConnectionSender => "Only the sender may cancel a pending invite or request",
        Forbidden::GroupAttributeNeedsAdmin => "Only the group's admins may add attributes",
        Forbidden::NotAttributeCreator => "Only the attribute's creator may change it",
        Forbidden::NotChatParticipant => "Only a participant may read or post in the chat",
        Forbidden::RouteDisabledForUsers => "The route is switched off for game users",
        Forbidden::RouteDisabledForServiceKeys => "The route is switched off for service keys",
        Forbidden::TestSuiteForeignGame => "The test suite may only touch games it created",
        Forbidden::ViewerRole => "A viewer may not change anything",
        Forbidden::PlayerBanned(_) => "The player is banned",
    }
}

/// The `errorMessage` of a 401 for each refused credential.
fn unauthorized(r: Unauthorized) -> &'static str {
    match r {
        Unauthorized::BadClientCredentials => "invalid client credentials",
        Unauthorized::MissingClientCredentials => "No client id or secret presented",
        Unauthorized::BadRefreshToken => "invalid refresh token",
        Unauthorized::RefreshTokenExpired => "refresh token expired",
        Unauthorized::RefreshTokenReused => "refresh token already used; session ended",
        Unauthorized::SessionNotLive => "session ended or expired",
        Unauthorized::BadCredentials => "Invalid credentials",
        Unauthorized::BadOtp => "Invalid OTP",
        Unauthorized::MissingApiKey => "Missing PRIVATE-TOKEN header",
        Unauthorized::BadApiKey => "Invalid API key",
        Unauthorized::ApiKeyExpired => "API key expired",
        Unauthorized::ApiKeyAddressRefused => "API key not allowed from this address",
        Unauthorized::BadAdminToken => "missing or wrong admin token",
        Unauthorized::SignInRefused => "Unknown e-mail address or wrong password",
        Unauthorized::BadUserToken => "Missing or wrong user authentication token",
        Unauthorized::BadServiceKey => "The service key is not valid",
        Unauthorized::BadSystemServiceKey => "The system service key is not valid",
        Unauthorized::CurrentUserRequired => "A service key acts for no user",
        Unauthorized::NotCurrentUser => "Only for the caller's own user",
        Unauthorized::NotRoundOwner => "Only the round's owner may change it",
        Unauthorized::NotRoundMaster => "Only the round's master may add other players",
        Unauthorized::RoundForOtherUser => "Rounds are created for the caller's own user",
        Unauthorized::OtherGameLeaderboards => "The leaderboards of another game",
    }
}

/// The `errorMessage` of a 404 for each kind of thing not found; the document's two
/// 404s (not logged in, unexpected OTP call) in its words.
fn not_found(r: Entity) -> &'static str {
    match r {
        Entity::Game => "Entity not found: game",
        Entity::GameByToken => "Entity not found: game with this id and token",
        Entity::GameVariable => "Entity not found: game variable",
        Entity::Player => "Entity not found: player",
        Entity::User => "Entity not found: user",
        Entity::Account => "Entity not found: account",
        Entity::Session => "Entity not found: session",
        Entity::Login => "Not logged in",
        Entity::LoginAwaitingOtp => "Unexpected OTP call",
        Entity::ServiceKey => "Entity not found: service key",
        Entity::Friendship => "Entity not found: friendship",
        Entity::Group => "Entity not found: group",
        Entity::GroupConnection => "Entity not found: group connection",
        Entity::GroupAttribute => "Entity not found: attribute",
        Entity::Chat => "Entity not found: chat",
        Entity::Message => "Entity not found: message",
        Entity::GameRound => "Entity not found: game round",
        Entity::MultiplayerGameRound => "Entity not found: multiplayer game round",
        Entity::StoreItem => "Entity not found: store item",
        Entity::OwnedStoreItem => "Entity not found: store item owned by the user",
        Entity::Route => "Entity not found: route",
        Entity::Page => "Entity not found: page",
        Entity::Row => "Entity not found: row",
        Entity::Operator => "Entity not found: operator",
        Entity::ApiKey => "Entity not found: API key",
    }
}

/// A failure of the HTTP layer (unknown route, wrong method, a rejected path or body, a
/// timeout) as an API v3 error object, with the `errorCode` its status stands for.
pub fn http_failure(status: StatusCode, message: String) -> Response {
    let code = match status.as_u16() {
        401 => CODE_UNAUTHORIZED,
        403 => CODE_FORBIDDEN,
        404 => CODE_NOT_FOUND,
        405 => CODE_METHOD_NOT_ALLOWED,
        409 => CODE_CONFLICT,
        413 => CODE_TOO_LARGE,
        429 => CODE_RATE_LIMITED,
        408 | 503 => CODE_UNAVAILABLE,
        500..=599 => CODE_INTERNAL,
        _ => CODE_INVALID,
    };
    let body = Body {
        error_code: code,
        error_message: message,
        errors: Vec::new(),
    };
    (status, axum::Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::reasons::{every_answer, json_body, usual_status};

    /// Every reason has its status and an API v3 error object: `errorCode` of its kind, an
    /// `errorMessage` of i3D's own, and an empty `errors`.
    #[tokio::test]
    async fn every_reason_has_a_status_and_an_error_object() {
        for (e, (status, ctype, body)) in every_answer(|e| I3dError(e).into_response()).await {
            let code = match &e {
                Error::Conflict(_) => CODE_CONFLICT,
                Error::Forbidden(_) => CODE_FORBIDDEN,
                Error::Unauthorized(_) => CODE_UNAUTHORIZED,
                _ => CODE_NOT_FOUND,
            };
            assert_eq!(status, usual_status(&e), "{e:?}");
            assert!(ctype.starts_with("application/json"), "{e:?}: {ctype}");
            let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            assert_eq!(v["errorCode"], code, "{e:?}: {body}");
            assert!(
                v["errorMessage"].as_str().is_some_and(|m| !m.is_empty()),
                "{e:?}: {body}"
            );
            assert_eq!(v["errors"], serde_json::json!([]), "{e:?}: {body}");
            assert_eq!(v.as_object().map(|o| o.len()), Some(3), "{e:?}: {body}");
        }
    }

    /// The document's failures, in its words.
    #[tokio::test]
    async fn the_documented_failures_in_i3d_words() {
        let cases = [
            (Error::Unauthorized(Unauthorized::BadCredentials), "Invalid credentials"),
            (Error::Unauthorized(Unauthorized::BadOtp), "Invalid OTP"),
            (Error::Conflict(Conflict::AlreadyLoggedIn), "Already logged in"),
            (Error::NotFound(Entity::Login), "Not logged in"),
            (Error::NotFound(Entity::LoginAwaitingOtp), "Unexpected OTP call"),
            (Error::NotFound(Entity::Account), "Entity not found: account"),
        ];
        for (e, text) in cases {
            assert_eq!(json_body(I3dError(e).into_response()).await["errorMessage"], text);
        }
    }
}
