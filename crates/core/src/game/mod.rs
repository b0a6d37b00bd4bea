//! Games: the tenants. Creation, credentials and their rotation, enabling, and their store
//! ([`GameStore`]). A game backend's credentials are checked where its calls are served
//! ([`Sessions::authenticate`](crate::session::Sessions::authenticate)).

use crate::clock::Timestamp;
use crate::crypto::{Secret, SecretHash};
use crate::ids::GameId;
use crate::{Error, Result};

mod service;
mod store;

pub use store::GameStore;

/// A game as stored.
#[derive(Debug, Clone)]
pub struct Game {
    /// Numeric id.
    pub id: GameId,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Numeric string the backend authenticates with (`x-client-id`,
    /// `third_party_client_id`).
    pub client_id: String,
    /// Upper-case name shown as `third_party_client_name`.
    pub client_name: String,
    /// SHA-256 of the client secret; the secret itself is shown once and never stored.
    pub secret_hash: SecretHash,
    /// A disabled game's credentials are refused.
    pub enabled: bool,
    /// When it was created.
    pub created_at: Timestamp,
    /// The GameFuse game `token` (kept in clear: see [`crate::vendor::gamefuse::new_game_token`]).
    pub gamefuse_token: String,
    /// The lifetime of its access tokens, if it overrides the server's
    /// ([`Settings::access_ttl`](crate::settings::Settings::access_ttl)).
    pub access_token_ttl: Option<std::time::Duration>,
    /// The lifetime of its refresh tokens and sessions, if it overrides the server's
    /// ([`Settings::refresh_ttl`](crate::settings::Settings::refresh_ttl)).
    pub refresh_token_ttl: Option<std::time::Duration>,
}

impl Game {
    /// [`Forbidden::GameDisabled`](crate::Forbidden::GameDisabled) unless the game is
    /// enabled.
    pub fn check_enabled(&self) -> Result<()> {
        if self.enabled {
            Ok(())
        } else {
            Err(Error::Forbidden(crate::Forbidden::GameDisabled))
        }
    }
}

/// What the store needs to insert a game.
#[derive(Debug, Clone)]
pub struct NewGameRecord {
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Numeric client id (unique).
    pub client_id: String,
    /// Upper-case client name.
    pub client_name: String,
    /// Hash of the client secret.
    pub secret_hash: SecretHash,
    /// Creation time.
    pub created_at: Timestamp,
    /// The GameFuse game token.
    pub gamefuse_token: String,
}

/// The command to create a game.
#[derive(Debug, Clone, Default)]
pub struct NewGame {
    /// Display name (required, at most 200 characters).
    pub name: String,
    /// Optional description.
    pub description: String,
    /// Optional client name; derived from `name` when absent.
    pub client_name: Option<String>,
}

/// A game together with its client secret, returned exactly once at creation or rotation.
#[derive(Debug, Clone)]
pub struct GameCredentials {
    /// The game.
    pub game: Game,
    /// The client secret in clear: show it to the operator, then forget it.
    pub client_secret: Secret,
}

/// Prefix of client secrets, so a leaked one is recognisable in a scan.
pub const CLIENT_SECRET_PREFIX: &str = "pgs_";

/// `ESPORTS_PROTOCOL_CALLBREAK` from `Esports protocol: Callbreak`.
pub fn derive_client_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() { "GAME".to_owned() } else { out }
}

/// A game's client name: 1-100 of `A-Z`, `0-9` and `_` (any case), trimmed.
pub(crate) fn validate_client_name(s: &str) -> Result<String> {
    let s = s.trim();
    if s.is_empty() || s.len() > 100 || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Error::invalid("client_name", "must be 1-100 of A-Z, 0-9 and _"));
    }
    Ok(s.to_owned())
}

/// A random 10-digit numeric client id (first digit non-zero), like KGeN's.
fn random_client_id() -> String {
    use rand::Rng;
    rand::rngs::OsRng
        .gen_range(1_000_000_000u64..10_000_000_000)
        .to_string()
}

/// Checks a new game's name and client name (derived from the name when absent); returns
/// both, trimmed.
pub(crate) fn validate_new_game(cmd: &NewGame) -> Result<(String, String)> {
    let name = validate_name(&cmd.name)?;
    let client_name = match cmd.client_name.as_deref() {
        Some(n) => validate_client_name(n)?,
        None => derive_client_name(&name),
    };
    Ok((name, client_name))
}

/// A game's display name: 1-200 characters, trimmed.
pub(crate) fn validate_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(Error::invalid("name", "is required, at most 200 characters"));
    }
    Ok(name.to_owned())
}

/// A record of a new game with fresh credentials (a random client id and secret, a new
/// GameFuse token), and its client secret in clear.
pub(crate) fn new_game_record(
    name: &str,
    description: &str,
    client_name: &str,
    now: Timestamp,
) -> (NewGameRecord, Secret) {
    let secret = Secret::random(CLIENT_SECRET_PREFIX);
    let rec = NewGameRecord {
        name: name.to_owned(),
        description: description.to_owned(),
        client_id: random_client_id(),
        client_name: client_name.to_owned(),
        secret_hash: secret.hash(),
        created_at: now,
        gamefuse_token: crate::vendor::gamefuse::new_game_token(),
    };
    (rec, secret)
}

/// How often creating a game draws a new client id after a collision.
const CLIENT_ID_ATTEMPTS: usize = 5;

/// Runs `attempt`, which draws a new random client id and stores the game with it, until
/// no other game has that id: a collision of random 10-digit ids is rare, so a few tries
/// ([`CLIENT_ID_ATTEMPTS`]) are enough.
pub(crate) async fn with_fresh_client_id<F>(mut attempt: impl FnMut() -> F) -> Result<GameCredentials>
where
    F: Future<Output = Result<GameCredentials>>,
{
    let mut last = None;
    for _ in 0..CLIENT_ID_ATTEMPTS {
        match attempt().await {
            Err(e) if e.is_unique_violation() => last = Some(e),
            other => return other,
        }
    }
    Err(last.unwrap_or_else(|| Error::internal("could not allocate a client id")))
}

/// The credentials a game backend presents on a server-to-server call, and where from.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    /// `x-client-id`.
    pub id: String,
    /// `x-client-secret`.
    pub secret: String,
    /// The caller's address (none: nothing is counted).
    pub ip: Option<std::net::IpAddr>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_names() {
        assert_eq!(
            derive_client_name("Esports protocol: Callbreak"),
            "ESPORTS_PROTOCOL_CALLBREAK"
        );
        assert_eq!(derive_client_name("  ++ "), "GAME");
        assert!(validate_client_name("ok_NAME_1").is_ok());
        assert!(validate_client_name("no spaces").is_err());
    }

    #[test]
    fn client_ids_are_ten_digits() {
        for _ in 0..100 {
            let id = random_client_id();
            assert_eq!(id.len(), 10);
            assert!(!id.starts_with('0'));
        }
    }
}
