//! The `{"error": CODE, "message": TEXT, "field": …}` error format that the kgen dialect and
//! the admin API share: one responder and one wording of the core's reasons.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use playgate_core::{Conflict, ConstraintKind, Entity, Error, Forbidden, Unauthorized};
use serde::Serialize;
use utoipa::ToSchema;

/// The error body: a code, a text for people, and the field at fault (400 only).
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct Body<'a> {
    /// `invalid_request`, `unauthorized`, `not_found`, `conflict`, `rate_limited`,
    /// `payload_too_large`, `method_not_allowed`, `unavailable`, `internal_error` ...
    error: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    field: Option<&'a str>,
}

/// The answer to `e` in this format; `surface` names the surface in the log line of an
/// internal error.
pub fn respond(e: &Error, surface: &str) -> Response {
    let (status, code, message, field) = match e {
        Error::Invalid { field, reason } => (
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!("{field}: {reason}"),
            Some(field.as_str()),
        ),
        Error::Unauthorized(r) => (
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            unauthorized(*r).to_owned(),
            None,
        ),
        Error::Forbidden(r) => (
            StatusCode::FORBIDDEN,
            "forbidden",
            r.with_operator_words(forbidden(r)),
            None,
        ),
        Error::NotFound(r) => (StatusCode::NOT_FOUND, "not_found", not_found(*r).to_owned(), None),
        Error::Conflict(r) => (StatusCode::CONFLICT, "conflict", conflict(*r).to_owned(), None),
        Error::Constraint { kind, .. } => (StatusCode::CONFLICT, "conflict", constraint(*kind).to_owned(), None),
        Error::RateLimited { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many requests, retry after {retry_after_secs} s"),
            None,
        ),
        Error::PayloadTooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the request body is too large".to_owned(),
            None,
        ),
        Error::Unavailable { retry_after_secs } => (
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            format!("service unavailable, retry after {retry_after_secs} s"),
            None,
        ),
        Error::Internal(cause) => {
            tracing::error!(error = %cause, "internal error in {surface}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "internal server error".to_owned(),
                None,
            )
        }
    };
    let mut resp = (
        status,
        axum::Json(Body {
            error: code,
            message,
            field,
        }),
    )
        .into_response();
    if let Error::RateLimited { retry_after_secs } | Error::Unavailable { retry_after_secs } = e {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
    }
    resp
}

/// A failure of the HTTP layer (unknown route, wrong method, a rejected path or body, a
/// timeout) in this format, with the `error` code its status stands for.
pub fn http_failure(status: StatusCode, message: String) -> Response {
    let body = Body {
        error: crate::http_failure::error_code(status),
        message,
        field: None,
    };
    (status, axum::Json(body)).into_response()
}

// Playgate's own words for every reason the core gives, one arm per variant (no catch-all:
// a new reason must be worded here). The KGeN documentation prescribes the codes, not the
// messages, so the kgen dialect and the admin API speak these same words.

/// The `message` of a 409 for a key the core did not turn into a reason of its own.
fn constraint(kind: ConstraintKind) -> &'static str {
    match kind {
        ConstraintKind::Unique => "already exists",
        ConstraintKind::ForeignKey => "refers to something that does not exist",
    }
}

/// The `message` of a 409 for each conflict.
fn conflict(r: Conflict) -> &'static str {
    match r {
        Conflict::UnknownUser => "the user named in the request does not exist",
        Conflict::UnknownUsername => "a username named in the request does not exist",
        Conflict::FriendRequestToSelf => "a friend request to oneself",
        Conflict::FriendshipExists => "a friend request or friendship with this user already exists",
        Conflict::NotFriendRequestRecipient => "only the recipient may answer a pending friend request",
        Conflict::NotFriendRequestSender => "only the sender may cancel a pending friend request",
        Conflict::FriendRequestNotPending => "the friend request is no longer pending",
        Conflict::NotFriends => "the two users are not friends",
        Conflict::ConnectionNotPending => "the group invite or join request is not pending",
        Conflict::AlreadyInGroup => "already a member of, invited to or asking to join the group",
        Conflict::CallerNotGroupMember => "the caller is not a member of the group",
        Conflict::UserNotGroupMember => "the user is not a member of the group",
        Conflict::UserNotGroupAdmin => "the user is not an admin of the group",
        Conflict::LastGroupAdmin => "the group's last admin cannot step down",
        Conflict::GroupAttributeExists => "the group already has an attribute with this key",
        Conflict::GroupChatNotMember => "only members may chat in a group",
        Conflict::PasswordChangedMeanwhile => "the password changed during the request",
        Conflict::UsernameTaken => "the username is taken in this game",
        Conflict::EmailTaken => "the e-mail address is taken in this game",
        Conflict::AccountNameTaken => "user name already taken",
        Conflict::SessionEnded => "session already ended",
        Conflict::AlreadyLoggedIn => "the API key already holds a login",
        Conflict::TwoFactorEnabled => "two-factor authentication is already on",
        Conflict::TwoFactorNotEnrolling => "no two-factor enrollment is in progress",
        Conflict::TwoFactorNotEnabled => "two-factor authentication is off",
        Conflict::LinkedElsewhere => "The player is linked to another account",
        Conflict::OperatorNameTaken => "an operator with this name exists",
    }
}

/// The `message` of a 403 for each refusal.
fn forbidden(r: &Forbidden) -> &'static str {
    match r {
        Forbidden::GameDisabled => "the game is disabled",
        Forbidden::NotEnoughCredits => "not enough credits",
        Forbidden::StoreItemOwned => "the user already owns this store item",
        Forbidden::NotGroupMember => "only the group's members may do this",
        Forbidden::NotGroupAdmin => "only a group admin may do this",
        Forbidden::InviteNeedsAdmin => "only a group admin may invite",
        Forbidden::GroupNeedsInvite => "the group cannot be joined without an invite or a request",
        Forbidden::RemovedFromGroup => "the user was removed from the group",
        Forbidden::GroupFull => "the group is full",
        Forbidden::NotConnectionAddressee => "only the invited user or a group admin may answer",
        Forbidden::NotConnectionSender => "only the sender may cancel a pending invite or request",
        Forbidden::GroupAttributeNeedsAdmin => "only the group's admins may add attributes",
        Forbidden::NotAttributeCreator => "only the attribute's creator may change it",
        Forbidden::NotChatParticipant => "only a participant may read or post in the chat",
        Forbidden::RouteDisabledForUsers => "the route is switched off for game users",
        Forbidden::RouteDisabledForServiceKeys => "the route is switched off for service keys",
        Forbidden::TestSuiteForeignGame => "the test suite may only touch games it created",
        Forbidden::ViewerRole => "a viewer may not change anything; this needs the admin role",
        Forbidden::PlayerBanned(_) => "the player is banned",
    }
}

/// The `message` of a 401 for each refused credential.
fn unauthorized(r: Unauthorized) -> &'static str {
    match r {
        Unauthorized::BadClientCredentials => "invalid client credentials",
        Unauthorized::MissingClientCredentials => "missing x-client-id or x-client-secret header",
        Unauthorized::BadRefreshToken => "invalid refresh token",
        Unauthorized::RefreshTokenExpired => "refresh token expired",
        Unauthorized::RefreshTokenReused => "refresh token already used; session ended",
        Unauthorized::SessionNotLive => "session ended or expired",
        Unauthorized::BadCredentials => "wrong user name or password",
        Unauthorized::BadOtp => "wrong one-time password",
        Unauthorized::MissingApiKey => "no API key presented",
        Unauthorized::BadApiKey => "the API key is not valid",
        Unauthorized::ApiKeyExpired => "the API key has expired",
        Unauthorized::ApiKeyAddressRefused => "the API key is not allowed from this address",
        Unauthorized::BadAdminToken => "missing or wrong admin token",
        Unauthorized::SignInRefused => "unknown e-mail address or wrong password",
        Unauthorized::BadUserToken => "missing or wrong user authentication token",
        Unauthorized::BadServiceKey => "the service key is not valid",
        Unauthorized::BadSystemServiceKey => "the system service key is not valid",
        Unauthorized::CurrentUserRequired => "a service key acts for no user",
        Unauthorized::NotCurrentUser => "only for the caller's own user",
        Unauthorized::NotRoundOwner => "only the round's owner may change it",
        Unauthorized::NotRoundMaster => "only the round's master may add other players",
        Unauthorized::RoundForOtherUser => "rounds are created for the caller's own user",
        Unauthorized::OtherGameLeaderboards => "the leaderboards of another game",
    }
}

/// The `message` of a 404 for each kind of thing not found.
fn not_found(r: Entity) -> &'static str {
    match r {
        Entity::Game => "game not found",
        Entity::GameByToken => "game with this id and token not found",
        Entity::GameVariable => "game variable not found",
        Entity::Player => "player not found",
        Entity::User => "user not found",
        Entity::Account => "account not found",
        Entity::Session => "session not found",
        Entity::Login => "login not found",
        Entity::LoginAwaitingOtp => "login awaiting an OTP not found",
        Entity::ServiceKey => "service key not found",
        Entity::Friendship => "friendship not found",
        Entity::Group => "group not found",
        Entity::GroupConnection => "group connection not found",
        Entity::GroupAttribute => "attribute not found",
        Entity::Chat => "chat not found",
        Entity::Message => "message not found",
        Entity::GameRound => "game round not found",
        Entity::MultiplayerGameRound => "multiplayer game round not found",
        Entity::StoreItem => "store item not found",
        Entity::OwnedStoreItem => "store item owned by the user not found",
        Entity::Route => "route not found",
        Entity::Page => "page not found",
        Entity::Row => "row not found",
        Entity::Operator => "operator not found",
        Entity::ApiKey => "API key not found",
    }
}
