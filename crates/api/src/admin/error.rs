//! The admin API's one error type: a core error worded for operators as
//! `{"error": CODE, "message": TEXT}` (plus `field` for an invalid one), or "these routes do
//! not exist" when no admin token is configured.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use playgate_core::{Conflict, ConstraintKind, Entity, Error, Forbidden, Unauthorized};

use crate::common::json_error::{self, Wording, respond};

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
            AdminError::Disabled => return http_failure(StatusCode::NOT_FOUND, "route not found".into()),
            AdminError::Core(e) => e,
        };
        respond::<Words>(&e, "admin API")
    }
}

// The admin wording of every reason the core gives, one arm per variant (no catch-all: a
// new reason must be worded here). Reasons only the GameFuse calls meet are worded plainly.

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
        Conflict::AlreadyLoggedIn => "Already logged in",
        Conflict::TwoFactorEnabled => "2FA is already enabled",
        Conflict::TwoFactorNotEnrolling => "No 2FA enrollment in progress: POST /v3/session/2fa first",
        Conflict::TwoFactorNotEnabled => "2FA is not enabled",
        Conflict::LinkedElsewhere => "The player is linked to another account",
    }
}

/// The `message` of a 403 for each refusal.
fn forbidden(r: Forbidden) -> &'static str {
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
    }
}

/// The `message` of a 401 for each refused credential.
fn unauthorized(r: Unauthorized) -> &'static str {
    match r {
        Unauthorized::BadClientCredentials => "invalid client credentials",
        Unauthorized::MissingClientCredentials => "no client id or secret presented",
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
    }
}

/// A failure of the HTTP layer (unknown route, wrong method, a rejected path or body, a
/// timeout) in the admin format, with the `error` code its status stands for.
pub fn http_failure(status: StatusCode, message: String) -> Response {
    json_error::http_failure(status, message)
}

/// The admin API's words for the core's reasons.
struct Words;

impl Wording for Words {
    fn constraint(kind: ConstraintKind) -> &'static str {
        constraint(kind)
    }
    fn conflict(r: Conflict) -> &'static str {
        conflict(r)
    }
    fn forbidden(r: Forbidden) -> &'static str {
        forbidden(r)
    }
    fn unauthorized(r: Unauthorized) -> &'static str {
        unauthorized(r)
    }
    fn not_found(r: Entity) -> &'static str {
        not_found(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::reasons::{every_reason, parts, usual_status};

    /// Every reason has the admin status and a `{error, message}` body with words of its own.
    #[tokio::test]
    async fn every_reason_has_a_status_and_a_body() {
        for e in every_reason() {
            let what = format!("{e:?}");
            let want = usual_status(&e);
            let (status, ctype, body) = parts(AdminError::Core(e).into_response()).await;
            assert_eq!(status, want, "{what}");
            assert!(ctype.starts_with("application/json"), "{what}: {ctype}");
            let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            assert_eq!(v["error"], crate::http_failure::error_code(status), "{what}: {body}");
            assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: {body}");
            assert_eq!(v.as_object().map(|o| o.len()), Some(2), "{what}: {body}");
        }
    }

    #[tokio::test]
    async fn words_of_the_reasons_operators_meet() {
        let cases = [
            (
                Error::Unauthorized(Unauthorized::BadAdminToken),
                "missing or wrong admin token",
            ),
            (Error::Conflict(Conflict::AccountNameTaken), "user name already taken"),
            (Error::NotFound(Entity::Account), "account not found"),
        ];
        for (e, text) in cases {
            let (_, _, body) = parts(AdminError::Core(e).into_response()).await;
            let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            assert_eq!(v["message"], text);
        }
    }
}
