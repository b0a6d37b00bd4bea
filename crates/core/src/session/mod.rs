//! Sessions of players: create-or-retrieve, token refresh with rotation and reuse
//! detection, verification, and ending. The service is [`Sessions`] (with the check of a
//! game backend's credentials that its calls make), its store [`SessionStore`].

use crate::audit::Origin;
use crate::clock::Timestamp;
use crate::crypto::SecretHash;
use crate::ids::{GameId, PlayerId, SessionId, UserId};
use crate::player::{Player, Profile, ProfilePatch};
use crate::{Error, Result};

mod client;
mod service;
mod store;

pub use service::Sessions;

pub use store::{
    Applied, ClientFound, ClientRead, ClientWith, EndOutcome, NewPlayerRecord, NewSessionRecord, OpenPlan,
    PlayerWithSession, RefreshSwap, RenewOutcome, RenewTarget, Renewal, RenewalEvent, Renewed, SessionPlan,
    SessionStore,
};

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// Waiting for a second factor.
    PendingOtp,
    /// In use.
    Active,
    /// Ended (logout, revoke, replaced, reuse detected).
    Ended,
}

impl SessionState {
    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionState::PendingOtp => "pending_otp",
            SessionState::Active => "active",
            SessionState::Ended => "ended",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "pending_otp" => Ok(SessionState::PendingOtp),
            "active" => Ok(SessionState::Active),
            "ended" => Ok(SessionState::Ended),
            other => Err(Error::internal(format!("unknown session state {other:?}"))),
        }
    }
}

/// A session as stored.
#[derive(Debug, Clone)]
pub struct Session {
    /// Random UUID.
    pub id: SessionId,
    /// Its game.
    pub game_id: GameId,
    /// Its player.
    pub player_id: PlayerId,
    /// Where it stands.
    pub state: SessionState,
    /// When it started.
    pub started_at: Timestamp,
    /// Last token issue.
    pub last_seen_at: Timestamp,
    /// When it lapses unless tokens are issued again.
    pub expires_at: Timestamp,
    /// When it ended, if it did.
    pub ended_at: Option<Timestamp>,
    /// Request IP at start.
    pub ip: Option<String>,
}

impl Session {
    /// Active and not past its expiry.
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.state == SessionState::Active && now < self.expires_at
    }
}

/// A token pair as issued; the store records `refresh_hash`.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    /// The access JWT.
    pub access_token: String,
    /// The refresh JWT.
    pub refresh_token: String,
    /// The refresh token's key ([`refresh_key`]).
    pub refresh_hash: SecretHash,
    /// The access token's expiry.
    pub access_expires_at: Timestamp,
}

/// The command of `POST /s2s/session`.
#[derive(Debug, Clone)]
pub struct OpenSession {
    /// The player's id in the game.
    pub user_id: UserId,
    /// Reported profile fields (empty values are ignored).
    pub profile: ProfilePatch,
    /// Where the request came from (its address is the session's).
    pub origin: Origin,
}

/// The result of create-or-retrieve.
#[derive(Debug, Clone)]
pub struct OpenedSession {
    pub player: Player,
    pub session: Session,
    pub is_new_user: bool,
    pub tokens: IssuedTokens,
}

/// A new token pair for a session.
#[derive(Debug, Clone)]
pub struct Refreshed {
    pub session: Session,
    pub tokens: IssuedTokens,
}

/// The context of a valid access token.
#[derive(Debug, Clone)]
pub struct VerifiedToken<C> {
    pub claims: C,
    pub session: Session,
}

/// The answer to "is this access token valid?".
#[derive(Debug, Clone)]
pub enum Verification<C> {
    Valid(Box<VerifiedToken<C>>),
    /// Not valid, and why (`invalid`, `expired`, `session_ended`).
    Invalid(&'static str),
}

/// The key under which a session keeps its current refresh token: the SHA-256 of the
/// token's `jti`. The token is signed, so its `jti` identifies it as well as its whole
/// text does, and a key known before the token is signed lets a renewal write first and
/// sign with what the write returned ([`SessionStore::renew`]).
pub fn refresh_key(jti: &str) -> SecretHash {
    SecretHash::of(jti)
}

fn jti() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// How often `POST /s2s/session` reads, decides and writes again after losing a race to a
/// concurrent call for the same player (each lost race means that call changed the player
/// or its session, so the next read finds it settled).
const OPEN_ATTEMPTS: usize = 4;

/// Applies the patch to the stored profile, and returns what to write: the patch, or an
/// empty one when it changes nothing (a client resending the same profile costs no write).
fn merge(patch: &ProfilePatch, profile: &mut Profile) -> ProfilePatch {
    if patch.is_empty() {
        return ProfilePatch::default();
    }
    let stored = profile.clone();
    patch.clone().apply(profile);
    if *profile == stored {
        ProfilePatch::default()
    } else {
        patch.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_that_changes_nothing_is_not_written() {
        let stored = Profile {
            name: "Ann".into(),
            level: 3,
            ..Profile::default()
        };
        let same = ProfilePatch {
            name: Some("Ann".into()),
            level: Some(3),
            ..ProfilePatch::default()
        };
        let mut profile = stored.clone();
        assert!(merge(&same, &mut profile).is_empty());
        assert_eq!(profile, stored);
        let changed = ProfilePatch { level: Some(4), ..same };
        assert_eq!(merge(&changed, &mut profile), changed);
        assert_eq!((profile.name.as_str(), profile.level), ("Ann", 4));
        assert!(merge(&ProfilePatch::default(), &mut profile).is_empty());
    }
}
