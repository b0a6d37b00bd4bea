//! Typed identifiers, so a game id is never passed where a player id belongs.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// A game (tenant) id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GameId(pub i64);

/// A player id (internal; players are addressed by `user_id` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlayerId(pub i64);

impl PlayerId {
    /// Stands for a deleted player where what it left behind is kept for others (the sender
    /// of a message, the creator of a chat or group attribute): no player has id 0.
    pub const DELETED: PlayerId = PlayerId(0);
}

/// A session id: a random UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionId(pub uuid::Uuid);

impl SessionId {
    /// A fresh random session id.
    pub fn new() -> Self {
        SessionId(uuid::Uuid::new_v4())
    }
}

impl Default for SessionId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for SessionId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        uuid::Uuid::parse_str(s)
            .map(SessionId)
            .map_err(|_| Error::invalid("session_id", "is not a UUID"))
    }
}

impl fmt::Display for GameId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A player's id inside one game, as the game's backend names it (`user_id`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserId(String);

impl UserId {
    /// Longest accepted `user_id`, in characters.
    pub const MAX_CHARS: usize = 128;

    /// Parses a `user_id`: non-empty, at most [`Self::MAX_CHARS`] characters, no control
    /// characters (they would break the `client_id#user_id` namespacing and logs).
    pub fn parse(s: impl Into<String>) -> Result<Self, Error> {
        let s = s.into();
        if s.trim().is_empty() {
            return Err(Error::invalid("user_id", "is required and must not be empty"));
        }
        if s.chars().count() > Self::MAX_CHARS {
            return Err(Error::invalid("user_id", "must be at most 128 characters"));
        }
        if s.chars().any(char::is_control) {
            return Err(Error::invalid("user_id", "must not contain control characters"));
        }
        Ok(UserId(s))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_id_bounds() {
        assert!(UserId::parse("").is_err());
        assert!(UserId::parse("   ").is_err());
        assert!(UserId::parse("a".repeat(128)).is_ok());
        assert!(UserId::parse("é".repeat(128)).is_ok());
        assert!(UserId::parse("a".repeat(129)).is_err());
        assert!(UserId::parse("a\nb").is_err());
    }

    #[test]
    fn session_id_parse() {
        let id = SessionId::new();
        assert_eq!(id.to_string().parse::<SessionId>().ok(), Some(id));
        assert!("nope".parse::<SessionId>().is_err());
    }
}
