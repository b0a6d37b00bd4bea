//! GameFuse errors: a short `text/plain` body (the SDK shows it to the game) with the
//! documented status (reference 0.5): 400 bad or missing parameters, 401 authentication,
//! 402 disabled game, 403 not allowed or not enough credits, 404 not found, 422 invalid
//! data, 429 too many attempts, 500 a real fault (logged; the body says nothing more).
//! Playgate adds 413 for a body over the size limit and 503 with `Retry-After` while the
//! database is unreachable.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use playgate_core::{Conflict, ConstraintKind, Entity, Error, Forbidden, Unauthorized};

/// A GameFuse error response.
#[derive(Debug)]
pub struct GfError {
    status: StatusCode,
    message: String,
    retry_after: Option<u64>,
}

impl GfError {
    /// An error with this status and text.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        GfError {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400 for a bad parameter.
    pub fn invalid(field: &str, reason: &str) -> Self {
        Error::invalid(field, reason).into()
    }

    /// The same error, telling the client to try again in `secs` seconds (`Retry-After`).
    fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    /// The same error with another status when it has `from` (a route's documented
    /// deviation, e.g. sign-in answers a refused password with 404).
    pub fn remap(mut self, from: StatusCode, to: StatusCode) -> Self {
        if self.status == from {
            self.status = to;
        }
        self
    }

    /// Its status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<Error> for GfError {
    fn from(e: Error) -> Self {
        let (status, message) = match &e {
            Error::Invalid { field, reason } => (StatusCode::BAD_REQUEST, format!("{field} {reason}")),
            Error::Unauthorized(r) => (StatusCode::UNAUTHORIZED, unauthorized(*r).to_owned()),
            Error::Forbidden(r) => (forbidden_status(r), r.with_operator_words(forbidden(r))),
            Error::NotFound(r) => (StatusCode::NOT_FOUND, not_found(*r).to_owned()),
            Error::Conflict(r) => (StatusCode::UNPROCESSABLE_ENTITY, conflict(*r).to_owned()),
            // A key the core did not turn into a reason of its own (its name is not for clients).
            Error::Constraint {
                kind: ConstraintKind::Unique,
                ..
            } => (StatusCode::UNPROCESSABLE_ENTITY, "Has already been taken".to_owned()),
            Error::Constraint {
                kind: ConstraintKind::ForeignKey,
                ..
            } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "Refers to a record that does not exist".to_owned(),
            ),
            Error::RateLimited { retry_after_secs } => {
                return GfError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("Too many attempts, retry after {retry_after_secs} s"),
                )
                .retry_after(*retry_after_secs);
            }
            Error::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large".to_owned()),
            Error::Unavailable { retry_after_secs } => {
                return GfError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("Service temporarily unavailable, retry after {retry_after_secs} s"),
                )
                .retry_after(*retry_after_secs);
            }
            Error::Internal(cause) => {
                tracing::error!(error = %cause, "internal error in gamefuse dialect");
                (StatusCode::INTERNAL_SERVER_ERROR, "Unknown server error".to_owned())
            }
        };
        GfError::new(status, message)
    }
}

// GameFuse's words for every reason the core gives, one arm per variant (no catch-all: a
// new reason must be worded here). Its sentences live here only; reasons only the i3D
// calls meet are worded plainly.

/// The text of a 422 for each conflict.
fn conflict(r: Conflict) -> &'static str {
    match r {
        Conflict::UnknownUser => "User not found",
        Conflict::UnknownUsername => "Unknown username",
        Conflict::FriendRequestToSelf => "Cannot send a friend request to yourself",
        Conflict::FriendshipExists => "A friend request or friendship with this user already exists",
        Conflict::NotFriendRequestRecipient => "Only the recipient may answer a pending friend request",
        Conflict::NotFriendRequestSender => "Only the sender may cancel a pending friend request",
        Conflict::FriendRequestNotPending => "The friend request is no longer pending",
        Conflict::NotFriends => "You are not friends with this user",
        Conflict::ConnectionNotPending => "This connection is not pending",
        Conflict::AlreadyInGroup => "Already connected to this group",
        Conflict::CallerNotGroupMember => "You are not a member of this group",
        Conflict::UserNotGroupMember => "This user is not a member of the group",
        Conflict::UserNotGroupAdmin => "This user is not an admin of the group",
        Conflict::LastGroupAdmin => "A group keeps at least one admin",
        Conflict::GroupAttributeExists => "The group already has this attribute",
        Conflict::GroupChatNotMember => "Only members may chat in a group",
        Conflict::PasswordChangedMeanwhile => "The password was changed meanwhile; try again",
        Conflict::UsernameTaken => "Username has already been taken",
        Conflict::EmailTaken => "Email has already been taken",
        Conflict::AccountNameTaken => "user name already taken",
        Conflict::SessionEnded => "session already ended",
        Conflict::AlreadyLoggedIn => "The API key already holds a login",
        Conflict::TwoFactorEnabled => "Two-factor authentication is already on",
        Conflict::TwoFactorNotEnrolling => "No two-factor enrollment is in progress",
        Conflict::TwoFactorNotEnabled => "Two-factor authentication is off",
        Conflict::LinkedElsewhere => "The player is linked to another account",
        Conflict::OperatorNameTaken => "An operator with this name exists",
    }
}

/// The text of each refusal (its status: [`forbidden_status`]).
fn forbidden(r: &Forbidden) -> &'static str {
    match r {
        Forbidden::GameDisabled => "Game is disabled. Check the GameFuse dashboard",
        Forbidden::NotEnoughCredits => "Not enough credits",
        Forbidden::StoreItemOwned => "The user already owns this store item",
        Forbidden::NotGroupMember => "Only members may do this",
        Forbidden::NotGroupAdmin => "Only a group admin may do this",
        Forbidden::InviteNeedsAdmin => "Only a group admin may invite",
        Forbidden::GroupNeedsInvite => "This group cannot be joined without an invite or a request",
        Forbidden::RemovedFromGroup => "You were removed from this group",
        Forbidden::GroupFull => "The group is full",
        Forbidden::NotConnectionAddressee => "Not allowed to answer this connection",
        Forbidden::NotConnectionSender => "Only the sender may cancel a pending invite or request",
        Forbidden::GroupAttributeNeedsAdmin => "Only admins may add attributes to this group",
        Forbidden::NotAttributeCreator => "Only the attribute's creator may change it",
        Forbidden::NotChatParticipant => "Only a participant may read or post in this chat",
        Forbidden::RouteDisabledForUsers => "This route is disabled for game users",
        Forbidden::RouteDisabledForServiceKeys => "This route is disabled for service keys",
        Forbidden::TestSuiteForeignGame => "The test suite may only touch games it created",
        Forbidden::ViewerRole => "A viewer may not change anything",
        Forbidden::PlayerBanned(_) => "This user is banned",
    }
}

/// The status of a refusal: 402 for a disabled game (seed 003), else 403.
fn forbidden_status(r: &Forbidden) -> StatusCode {
    match r {
        Forbidden::GameDisabled => StatusCode::PAYMENT_REQUIRED,
        _ => StatusCode::FORBIDDEN,
    }
}

/// The text of a 401 for each refused credential.
fn unauthorized(r: Unauthorized) -> &'static str {
    match r {
        Unauthorized::BadClientCredentials => "invalid client credentials",
        Unauthorized::MissingClientCredentials => "No client id or secret presented",
        Unauthorized::BadRefreshToken => "invalid refresh token",
        Unauthorized::RefreshTokenExpired => "refresh token expired",
        Unauthorized::RefreshTokenReused => "refresh token already used; session ended",
        Unauthorized::SessionNotLive => "session ended or expired",
        Unauthorized::BadCredentials => "Wrong user name or password",
        Unauthorized::BadOtp => "Wrong one-time password",
        Unauthorized::MissingApiKey => "No API key presented",
        Unauthorized::BadApiKey => "The API key is not valid",
        Unauthorized::ApiKeyExpired => "The API key has expired",
        Unauthorized::ApiKeyAddressRefused => "The API key is not allowed from this address",
        Unauthorized::BadAdminToken => "invalid admin token",
        Unauthorized::SignInRefused => "User not found or incorrect password",
        Unauthorized::BadUserToken => "Request missing user authentication token",
        Unauthorized::BadServiceKey => "invalid service key",
        Unauthorized::BadSystemServiceKey => "invalid system service key",
        Unauthorized::CurrentUserRequired => "current-user-id is required with a service key",
        Unauthorized::NotCurrentUser => "can only do this for the current user",
        Unauthorized::NotRoundOwner => "only the round's owner may change it",
        Unauthorized::NotRoundMaster => "only the round's master may add other players",
        Unauthorized::RoundForOtherUser => "can only create rounds for the current user",
        Unauthorized::OtherGameLeaderboards => "cannot view the leaderboards of another game",
    }
}

/// The text of a 404 for each kind of thing not found.
fn not_found(r: Entity) -> &'static str {
    match r {
        Entity::Game => "Game not found",
        Entity::GameByToken => "Game with this id and token not found",
        Entity::GameVariable => "Game variable not found",
        Entity::Player => "Player not found",
        Entity::User => "User not found",
        Entity::Account => "Account not found",
        Entity::Session => "Session not found",
        Entity::Login => "Login not found",
        Entity::LoginAwaitingOtp => "Login awaiting an OTP not found",
        Entity::ServiceKey => "Service key not found",
        Entity::Friendship => "Friendship not found",
        Entity::Group => "Group not found",
        Entity::GroupConnection => "Group connection not found",
        Entity::GroupAttribute => "Attribute not found",
        Entity::Chat => "Chat not found",
        Entity::Message => "Message not found",
        Entity::GameRound => "Game round not found",
        Entity::MultiplayerGameRound => "Multiplayer game round not found",
        Entity::StoreItem => "Store item not found",
        Entity::OwnedStoreItem => "Store item owned by the user not found",
        Entity::Route => "Route not found",
        Entity::Page => "Page not found",
        Entity::Row => "Row not found",
        Entity::Operator => "Operator not found",
        Entity::ApiKey => "API key not found",
    }
}

impl IntoResponse for GfError {
    fn into_response(self) -> Response {
        let mut resp = (
            self.status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            )],
            self.message,
        )
            .into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::reasons::every_answer;

    /// Every reason has GameFuse's status (reference 0.5) and a non-empty `text/plain` body.
    #[tokio::test]
    async fn every_reason_has_a_status_and_a_text() {
        for (e, (status, ctype, body)) in every_answer(|e| GfError::from(e).into_response()).await {
            let want = match &e {
                Error::Forbidden(Forbidden::GameDisabled) => StatusCode::PAYMENT_REQUIRED,
                Error::Forbidden(_) => StatusCode::FORBIDDEN,
                Error::Conflict(_) => StatusCode::UNPROCESSABLE_ENTITY,
                Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
                _ => StatusCode::NOT_FOUND,
            };
            assert_eq!(status, want, "{e:?}");
            assert_eq!(ctype, "text/plain; charset=utf-8", "{e:?}");
            // One line of text for the SDK to show.
            assert!(!body.is_empty() && !body.contains('\n'), "{e:?}: {body}");
        }
    }

    #[test]
    fn statuses_and_texts() {
        let cases = [
            (Error::invalid("email", "is required"), 400, "email is required"),
            (
                Error::Unauthorized(Unauthorized::BadUserToken),
                401,
                "Request missing user authentication token",
            ),
            (
                Error::Forbidden(Forbidden::GameDisabled),
                402,
                "Game is disabled. Check the GameFuse dashboard",
            ),
            (Error::Forbidden(Forbidden::NotEnoughCredits), 403, "Not enough credits"),
            (
                Error::Forbidden(Forbidden::PlayerBanned("spam".into())),
                403,
                "This user is banned: spam",
            ),
            (Error::NotFound(Entity::User), 404, "User not found"),
            (
                Error::Constraint {
                    kind: ConstraintKind::Unique,
                    name: "x_key".into(),
                },
                422,
                "Has already been taken",
            ),
            (
                Error::Constraint {
                    kind: ConstraintKind::ForeignKey,
                    name: "x_fkey".into(),
                },
                422,
                "Refers to a record that does not exist",
            ),
            (
                Error::Conflict(Conflict::UsernameTaken),
                422,
                "Username has already been taken",
            ),
            (Error::internal("db down: secret detail"), 500, "Unknown server error"),
        ];
        for (e, status, text) in cases {
            let g = GfError::from(e);
            assert_eq!((g.status.as_u16(), g.message.as_str()), (status, text));
        }
        let g = GfError::from(Error::Unauthorized(Unauthorized::SignInRefused))
            .remap(StatusCode::UNAUTHORIZED, StatusCode::NOT_FOUND);
        assert_eq!(g.status(), StatusCode::NOT_FOUND);
    }
}
