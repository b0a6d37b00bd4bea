//! The one error type of the core and its typed reasons; each dialect maps them to its
//! wire format once, in one table. No vendor's wording lives here: the `Display` of a reason
//! is Playgate's own plain English, for logs and for the surfaces that speak Playgate's words
//! (the console; the `{error, message}` format of the kgen dialect and the admin API, which
//! words a few reasons its own way). The vendor dialects (GameFuse, i3D) word every reason in
//! their own table.

use std::fmt;

/// Result alias used throughout the core and by the store.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a core operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The addressed thing does not exist (or belongs to another tenant).
    #[error("{0} not found")]
    NotFound(Entity),
    /// The operation conflicts with the current state (duplicate, already ended ...).
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// Missing or wrong credentials.
    #[error("unauthorized: {0}")]
    Unauthorized(Unauthorized),
    /// Authenticated, but not allowed to do this.
    #[error("forbidden: {0}")]
    Forbidden(Forbidden),
    /// A field of the request is malformed.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field's name as the client spells it.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Too many attempts; try again after this many seconds.
    #[error("too many requests, retry after {retry_after_secs} s")]
    RateLimited {
        /// Seconds until the window resets.
        retry_after_secs: u64,
    },
    /// The request body is larger than the server accepts.
    #[error("the request body is too large")]
    PayloadTooLarge,
    /// A dependency (the database) does not answer for now; retry after this many seconds.
    /// Answered at once (503 with `Retry-After`) rather than after waiting for it.
    #[error("service unavailable, retry after {retry_after_secs} s")]
    Unavailable {
        /// Seconds the client should wait before retrying.
        retry_after_secs: u64,
    },
    /// A write broke a rule of the database, which the store names: a unique key already
    /// taken (by another row or a concurrent write) or a reference to a missing row. The
    /// core turns the ones it expects into a reason; a dialect answers the rest as a
    /// conflict.
    #[error("{kind}")]
    Constraint {
        /// Which kind of rule.
        kind: ConstraintKind,
        /// The constraint as PostgreSQL names it: `<table>_<columns>_key` for a unique key
        /// of columns, `<table>_pkey`, `<table>_<column>_fkey`, or an index's own name. Empty
        /// where the database does not say (SQLite's foreign keys).
        name: String,
    },
    /// A real fault (corrupt data, a failed statement ...). Logged, never shown to clients.
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Why an operation conflicts with the current state (an [`Error::Conflict`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// The user named in the request does not exist.
    UnknownUser,
    /// A username named in the request does not exist.
    UnknownUsername,
    /// A friend request to oneself.
    FriendRequestToSelf,
    /// A friend request or friendship with this user already exists.
    FriendshipExists,
    /// Only the recipient may answer a pending friend request.
    NotFriendRequestRecipient,
    /// Only the sender may cancel a pending friend request.
    NotFriendRequestSender,
    /// The friend request is no longer pending.
    FriendRequestNotPending,
    /// The two users are not friends.
    NotFriends,
    /// The group invite or join request is not pending.
    ConnectionNotPending,
    /// Already a member of, invited to or asking to join the group.
    AlreadyInGroup,
    /// The caller is not a member of the group.
    CallerNotGroupMember,
    /// The user is not a member of the group.
    UserNotGroupMember,
    /// The user is not an admin of the group.
    UserNotGroupAdmin,
    /// The group's last admin cannot step down.
    LastGroupAdmin,
    /// The group already has an attribute with this key.
    GroupAttributeExists,
    /// Only members may chat in a group.
    GroupChatNotMember,
    /// The password changed during the request.
    PasswordChangedMeanwhile,
    /// The username is taken in this game.
    UsernameTaken,
    /// The e-mail address is taken in this game.
    EmailTaken,
    /// The account's user name is taken.
    AccountNameTaken,
    /// The session has already ended.
    SessionEnded,
    /// The API key already holds a login.
    AlreadyLoggedIn,
    /// Two-factor authentication is already on.
    TwoFactorEnabled,
    /// No two-factor enrollment is in progress.
    TwoFactorNotEnrolling,
    /// Two-factor authentication is off.
    TwoFactorNotEnabled,
    /// The player is linked to another account.
    LinkedElsewhere,
    /// An operator with this name exists.
    OperatorNameTaken,
}

impl Conflict {
    /// Every variant, for the dialects' tests.
    pub const ALL: &[Self] = &[
        Conflict::UnknownUser,
        Conflict::UnknownUsername,
        Conflict::FriendRequestToSelf,
        Conflict::FriendshipExists,
        Conflict::NotFriendRequestRecipient,
        Conflict::NotFriendRequestSender,
        Conflict::FriendRequestNotPending,
        Conflict::NotFriends,
        Conflict::ConnectionNotPending,
        Conflict::AlreadyInGroup,
        Conflict::CallerNotGroupMember,
        Conflict::UserNotGroupMember,
        Conflict::UserNotGroupAdmin,
        Conflict::LastGroupAdmin,
        Conflict::GroupAttributeExists,
        Conflict::GroupChatNotMember,
        Conflict::PasswordChangedMeanwhile,
        Conflict::UsernameTaken,
        Conflict::EmailTaken,
        Conflict::AccountNameTaken,
        Conflict::SessionEnded,
        Conflict::AlreadyLoggedIn,
        Conflict::TwoFactorEnabled,
        Conflict::TwoFactorNotEnrolling,
        Conflict::TwoFactorNotEnabled,
        Conflict::LinkedElsewhere,
        Conflict::OperatorNameTaken,
    ];
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
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
            Conflict::AccountNameTaken => "the account's user name is taken",
            Conflict::SessionEnded => "the session has already ended",
            Conflict::AlreadyLoggedIn => "the API key already holds a login",
            Conflict::TwoFactorEnabled => "two-factor authentication is already on",
            Conflict::TwoFactorNotEnrolling => "no two-factor enrollment is in progress",
            Conflict::TwoFactorNotEnabled => "two-factor authentication is off",
            Conflict::LinkedElsewhere => "the player is linked to another account",
            Conflict::OperatorNameTaken => "an operator with this name exists",
        })
    }
}

/// Why an authenticated caller may not do this (an [`Error::Forbidden`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forbidden {
    /// The game is disabled.
    GameDisabled,
    /// Not enough credits.
    NotEnoughCredits,
    /// The user already owns this store item.
    StoreItemOwned,
    /// Only the group's members may do this.
    NotGroupMember,
    /// Only a group admin may do this.
    NotGroupAdmin,
    /// Only a group admin may invite.
    InviteNeedsAdmin,
    /// The group cannot be joined without an invite or a request.
    GroupNeedsInvite,
    /// The user was removed from the group.
    RemovedFromGroup,
    /// The group is full.
    GroupFull,
    /// Only the invited user or a group admin may answer.
    NotConnectionAddressee,
    /// Only the sender may cancel a pending invite or request.
    NotConnectionSender,
    /// Only the group's admins may add attributes.
    GroupAttributeNeedsAdmin,
    /// Only the attribute's creator may change it.
    NotAttributeCreator,
    /// Only a participant may read or post in the chat.
    NotChatParticipant,
    /// The route is switched off for game users.
    RouteDisabledForUsers,
    /// The route is switched off for service keys.
    RouteDisabledForServiceKeys,
    /// The test suite may only touch games it created.
    TestSuiteForeignGame,
    /// A viewer operator asked for a change.
    ViewerRole,
    /// The player is banned; the reason its operator gave (shown where the dialect has
    /// room for a message).
    PlayerBanned(String),
}

impl Forbidden {
    /// Every variant, for the dialects' tests.
    pub const ALL: &[Self] = &[
        Forbidden::GameDisabled,
        Forbidden::NotEnoughCredits,
        Forbidden::StoreItemOwned,
        Forbidden::NotGroupMember,
        Forbidden::NotGroupAdmin,
        Forbidden::InviteNeedsAdmin,
        Forbidden::GroupNeedsInvite,
        Forbidden::RemovedFromGroup,
        Forbidden::GroupFull,
        Forbidden::NotConnectionAddressee,
        Forbidden::NotConnectionSender,
        Forbidden::GroupAttributeNeedsAdmin,
        Forbidden::NotAttributeCreator,
        Forbidden::NotChatParticipant,
        Forbidden::RouteDisabledForUsers,
        Forbidden::RouteDisabledForServiceKeys,
        Forbidden::TestSuiteForeignGame,
        Forbidden::ViewerRole,
        Forbidden::PlayerBanned(String::new()),
    ];
}

impl Forbidden {
    /// Words an operator wrote for this refusal (a ban's reason), which a dialect adds to
    /// its own message where it has one.
    pub fn operator_words(&self) -> Option<&str> {
        match self {
            Forbidden::PlayerBanned(reason) if !reason.trim().is_empty() => Some(reason),
            _ => None,
        }
    }

    /// `text`, followed by the operator's words if there are any.
    pub fn with_operator_words(&self, text: &str) -> String {
        match self.operator_words() {
            Some(words) => format!("{text}: {words}"),
            None => text.to_owned(),
        }
    }
}

impl fmt::Display for Forbidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
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
            Forbidden::ViewerRole => "a viewer may not change anything",
            Forbidden::PlayerBanned(_) => "the player is banned",
        })
    }
}

/// Which credential is missing or wrong (an [`Error::Unauthorized`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unauthorized {
    /// Wrong client id or secret.
    BadClientCredentials,
    /// No client id or secret presented.
    MissingClientCredentials,
    /// The refresh token is not valid.
    BadRefreshToken,
    /// The refresh token has expired.
    RefreshTokenExpired,
    /// A used refresh token was presented again; the session ended.
    RefreshTokenReused,
    /// The session ended or expired.
    SessionNotLive,
    /// Wrong user name or password.
    BadCredentials,
    /// Wrong one-time password.
    BadOtp,
    /// No API key presented.
    MissingApiKey,
    /// The API key is not valid.
    BadApiKey,
    /// The API key has expired.
    ApiKeyExpired,
    /// The API key is not allowed from this address.
    ApiKeyAddressRefused,
    /// Missing or wrong admin token.
    BadAdminToken,
    /// Unknown e-mail address or wrong password.
    SignInRefused,
    /// Missing or wrong user authentication token.
    BadUserToken,
    /// The service key is not valid.
    BadServiceKey,
    /// The system service key is not valid.
    BadSystemServiceKey,
    /// A service key acts for no user.
    CurrentUserRequired,
    /// Only for the caller's own user.
    NotCurrentUser,
    /// Only the round's owner may change it.
    NotRoundOwner,
    /// Only the round's master may add other players.
    NotRoundMaster,
    /// Rounds are created for the caller's own user.
    RoundForOtherUser,
    /// The leaderboards of another game.
    OtherGameLeaderboards,
}

impl Unauthorized {
    /// Every variant, for the dialects' tests.
    pub const ALL: &[Self] = &[
        Unauthorized::BadClientCredentials,
        Unauthorized::MissingClientCredentials,
        Unauthorized::BadRefreshToken,
        Unauthorized::RefreshTokenExpired,
        Unauthorized::RefreshTokenReused,
        Unauthorized::SessionNotLive,
        Unauthorized::BadCredentials,
        Unauthorized::BadOtp,
        Unauthorized::MissingApiKey,
        Unauthorized::BadApiKey,
        Unauthorized::ApiKeyExpired,
        Unauthorized::ApiKeyAddressRefused,
        Unauthorized::BadAdminToken,
        Unauthorized::SignInRefused,
        Unauthorized::BadUserToken,
        Unauthorized::BadServiceKey,
        Unauthorized::BadSystemServiceKey,
        Unauthorized::CurrentUserRequired,
        Unauthorized::NotCurrentUser,
        Unauthorized::NotRoundOwner,
        Unauthorized::NotRoundMaster,
        Unauthorized::RoundForOtherUser,
        Unauthorized::OtherGameLeaderboards,
    ];
}

impl fmt::Display for Unauthorized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unauthorized::BadClientCredentials => "wrong client id or secret",
            Unauthorized::MissingClientCredentials => "no client id or secret presented",
            Unauthorized::BadRefreshToken => "the refresh token is not valid",
            Unauthorized::RefreshTokenExpired => "the refresh token has expired",
            Unauthorized::RefreshTokenReused => "a used refresh token was presented again; the session ended",
            Unauthorized::SessionNotLive => "the session ended or expired",
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
        })
    }
}

/// What was not found (an [`Error::NotFound`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// Game.
    Game,
    /// Game with this id and token.
    GameByToken,
    /// Game variable.
    GameVariable,
    /// Player.
    Player,
    /// User.
    User,
    /// Account.
    Account,
    /// Session.
    Session,
    /// Login.
    Login,
    /// Login awaiting an OTP.
    LoginAwaitingOtp,
    /// Service key.
    ServiceKey,
    /// Friendship.
    Friendship,
    /// Group.
    Group,
    /// Group connection.
    GroupConnection,
    /// Attribute.
    GroupAttribute,
    /// Chat.
    Chat,
    /// Message.
    Message,
    /// Game round.
    GameRound,
    /// Multiplayer game round.
    MultiplayerGameRound,
    /// Store item.
    StoreItem,
    /// Store item owned by the user.
    OwnedStoreItem,
    /// Route.
    Route,
    /// Page.
    Page,
    /// Row.
    Row,
    /// Operator.
    Operator,
    /// API key.
    ApiKey,
}

impl Entity {
    /// Every variant, for the dialects' tests.
    pub const ALL: &[Self] = &[
        Entity::Game,
        Entity::GameByToken,
        Entity::GameVariable,
        Entity::Player,
        Entity::User,
        Entity::Account,
        Entity::Session,
        Entity::Login,
        Entity::LoginAwaitingOtp,
        Entity::ServiceKey,
        Entity::Friendship,
        Entity::Group,
        Entity::GroupConnection,
        Entity::GroupAttribute,
        Entity::Chat,
        Entity::Message,
        Entity::GameRound,
        Entity::MultiplayerGameRound,
        Entity::StoreItem,
        Entity::OwnedStoreItem,
        Entity::Route,
        Entity::Page,
        Entity::Row,
        Entity::Operator,
        Entity::ApiKey,
    ];
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Entity::Game => "game",
            Entity::GameByToken => "game with this id and token",
            Entity::GameVariable => "game variable",
            Entity::Player => "player",
            Entity::User => "user",
            Entity::Account => "account",
            Entity::Session => "session",
            Entity::Login => "login",
            Entity::LoginAwaitingOtp => "login awaiting an OTP",
            Entity::ServiceKey => "service key",
            Entity::Friendship => "friendship",
            Entity::Group => "group",
            Entity::GroupConnection => "group connection",
            Entity::GroupAttribute => "attribute",
            Entity::Chat => "chat",
            Entity::Message => "message",
            Entity::GameRound => "game round",
            Entity::MultiplayerGameRound => "multiplayer game round",
            Entity::StoreItem => "store item",
            Entity::OwnedStoreItem => "store item owned by the user",
            Entity::Route => "route",
            Entity::Page => "page",
            Entity::Row => "row",
            Entity::Operator => "operator",
            Entity::ApiKey => "API key",
        })
    }
}

/// The kind of database rule an [`Error::Constraint`] broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintKind {
    /// A unique (or primary) key is taken.
    Unique,
    /// A reference to a row that does not exist.
    ForeignKey,
}

impl fmt::Display for ConstraintKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConstraintKind::Unique => "already exists",
            ConstraintKind::ForeignKey => "refers to something that does not exist",
        })
    }
}

impl Error {
    /// Whether this is a unique key taken (any constraint).
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            Error::Constraint {
                kind: ConstraintKind::Unique,
                ..
            }
        )
    }

    /// Builds an [`Error::Invalid`].
    pub fn invalid(field: impl Into<String>, reason: impl fmt::Display) -> Self {
        Error::Invalid {
            field: field.into(),
            reason: reason.to_string(),
        }
    }

    /// Wraps any error as an internal fault.
    pub fn internal(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::Internal(e.into())
    }
}
