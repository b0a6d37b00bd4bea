//! Games as operators manage them: list, show, create, change (names, enabled, token
//! lifetimes), rotate a credential, delete with everything of the game. Every change is
//! recorded in the audit log in the same transaction as the change itself.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Map, Value, json};

use crate::audit::{NewAuditEvent, bounded};
use crate::clock::{Clock, Timestamp};
use crate::crypto::{Secret, SecretHash};
use crate::game::{
    CLIENT_SECRET_PREFIX, Game, GameCredentials, NewGame, NewGameRecord, new_game_record, validate_client_name,
    validate_name, validate_new_game, with_fresh_client_id,
};
use crate::ids::GameId;
use crate::{Entity, Error, Result, page};

/// Most games one page holds.
pub const PAGE_MAX: u32 = 500;
/// Games on a page when the caller names no limit.
pub const PAGE_DEFAULT: u32 = 50;
/// Shortest and longest access token lifetime a game may set.
pub const ACCESS_TTL_RANGE: (u64, u64) = (60, 30 * 24 * 3600);
/// Shortest and longest refresh token (and session) lifetime a game may set.
pub const REFRESH_TTL_RANGE: (u64, u64) = (300, 365 * 24 * 3600);

/// A change of a game: each field present is set, the others stay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GamePatch {
    /// Display name.
    pub name: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// Client name (`third_party_client_name`).
    pub client_name: Option<String>,
    /// Whether the game's credentials are accepted.
    pub enabled: Option<bool>,
    /// Its access token lifetime (`Some(None)`: back to the server's default).
    pub access_token_ttl: Option<Option<Duration>>,
    /// Its refresh token lifetime (`Some(None)`: back to the server's default).
    pub refresh_token_ttl: Option<Option<Duration>>,
}

/// A game's editable fields, whole, as the store writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GameChange {
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Client name.
    pub client_name: String,
    /// Enabled flag.
    pub enabled: bool,
    /// Access token lifetime, if the game sets its own.
    pub access_token_ttl: Option<Duration>,
    /// Refresh token lifetime, if the game sets its own.
    pub refresh_token_ttl: Option<Duration>,
}

impl GameChange {
    fn of(g: &Game) -> Self {
        GameChange {
            name: g.name.clone(),
            description: g.description.clone(),
            client_name: g.client_name.clone(),
            enabled: g.enabled,
            access_token_ttl: g.access_token_ttl,
            refresh_token_ttl: g.refresh_token_ttl,
        }
    }

    /// The fields as the audit log shows them (lifetimes in seconds, `null`: default).
    fn fields(&self) -> Map<String, Value> {
        let secs = |d: Option<Duration>| d.map(|d| d.as_secs());
        let Value::Object(m) = json!({
            "name": self.name,
            "description": self.description,
            "client_name": self.client_name,
            "enabled": self.enabled,
            "access_token_ttl_secs": secs(self.access_token_ttl),
            "refresh_token_ttl_secs": secs(self.refresh_token_ttl),
        }) else {
            return Map::new();
        };
        m
    }
}

/// Which credential of a game to replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CredentialKind {
    /// The KGeN client secret (`x-client-secret`).
    #[default]
    Kgen,
    /// The GameFuse game token.
    Gamefuse,
}

impl CredentialKind {
    /// `kgen` or `gamefuse`.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::Kgen => "kgen",
            CredentialKind::Gamefuse => "gamefuse",
        }
    }

    /// Parses `kgen` or `gamefuse`.
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim() {
            "kgen" => Ok(CredentialKind::Kgen),
            "gamefuse" => Ok(CredentialKind::Gamefuse),
            _ => Err(Error::invalid("credential", "must be kgen or gamefuse")),
        }
    }
}

/// A credential's new value, as the store writes it.
#[derive(Debug, Clone)]
pub enum NewCredential {
    /// The hash of a new KGeN client secret.
    KgenSecret(SecretHash),
    /// A new GameFuse game token (kept in clear, as it is compiled into client builds).
    GamefuseToken(String),
}

/// A page of games by id, and the cursor of the next (the last id), if there may be more.
#[derive(Debug, Clone)]
pub struct GamePage {
    /// The games, by id.
    pub items: Vec<Game>,
    /// The id to pass as `after` for the next page.
    pub next_cursor: Option<GameId>,
}

/// Persistence of the operators' changes to games. Each change records its audit event
/// in the same transaction.
#[async_trait]
pub trait GameAdminStore: Send + Sync + 'static {
    /// At most `limit` games by id, those after `after` (exclusive) when given.
    async fn games_after(&self, after: Option<GameId>, limit: u32) -> Result<Vec<Game>>;
    /// One game.
    async fn game(&self, id: GameId) -> Result<Option<Game>>;
    /// Inserts a game and records `event` about it (its game set to the new id); a taken
    /// client id is a unique violation.
    async fn insert_game_recorded(&self, rec: &NewGameRecord, event: &NewAuditEvent, at: Timestamp) -> Result<Game>;
    /// Writes a game's editable fields and records `event`; `None` if no such game.
    async fn update_game(
        &self,
        id: GameId,
        change: &GameChange,
        event: &NewAuditEvent,
        at: Timestamp,
    ) -> Result<Option<Game>>;
    /// Replaces one credential of a game (adding it if the game has none of that kind) and
    /// records `event`; `None` if no such game.
    async fn replace_credential(
        &self,
        id: GameId,
        new: &NewCredential,
        event: &NewAuditEvent,
        at: Timestamp,
    ) -> Result<Option<Game>>;
    /// Deletes a game and every row that belongs to it (its players and their sessions,
    /// credentials, GameFuse and social data, mail; audit events stay: they are history)
    /// and records `event`, in one transaction; false if no such game.
    async fn delete_game_recorded(&self, id: GameId, event: &NewAuditEvent, at: Timestamp) -> Result<bool>;
}

/// The games service of the admin API and CLI.
#[derive(Clone)]
pub struct Games {
    store: Arc<dyn GameAdminStore>,
    clock: Arc<dyn Clock>,
}

/// A lifetime in whole seconds within `range`, named `field`.
pub fn lifetime(field: &str, secs: i64, range: (u64, u64)) -> Result<Duration> {
    match u64::try_from(secs) {
        Ok(s) if (range.0..=range.1).contains(&s) => Ok(Duration::from_secs(s)),
        _ => Err(Error::invalid(
            field,
            format_args!("must be {} to {} seconds, or null for the default", range.0, range.1),
        )),
    }
}

impl Games {
    /// The service over its store.
    pub fn new(store: Arc<dyn GameAdminStore>, clock: Arc<dyn Clock>) -> Self {
        Games { store, clock }
    }

    /// One page of games by id; `limit` 0 means [`PAGE_DEFAULT`].
    pub async fn list(&self, after: Option<GameId>, limit: u32) -> Result<GamePage> {
        let limit = page_limit(limit)?;
        let items = self.store.games_after(after, limit).await?;
        let next_cursor = page::next_cursor(&items, limit, |g| g.id);
        Ok(GamePage { items, next_cursor })
    }

    /// One game; `NotFound(Game)` if there is none.
    pub async fn get(&self, id: GameId) -> Result<Game> {
        self.store.game(id).await?.ok_or(Error::NotFound(Entity::Game))
    }

    /// Creates a game with fresh credentials (shown this once), recorded as `game.created`
    /// by `by` (an event naming the actor and origin).
    pub async fn create(&self, cmd: NewGame, by: NewAuditEvent) -> Result<GameCredentials> {
        let (name, client_name) = validate_new_game(&cmd)?;
        let description = description(&cmd.description)?;
        with_fresh_client_id(move || {
            let now = self.clock.now();
            let (rec, secret) = new_game_record(&name, &description, &client_name, now);
            let event = bounded(by.clone().action("game.created").detail(json!({
                "after": {"name": rec.name, "client_name": rec.client_name, "client_id": rec.client_id}
            })));
            let store = &self.store;
            async move {
                Ok(GameCredentials {
                    game: store.insert_game_recorded(&rec, &event, now).await?,
                    client_secret: secret,
                })
            }
        })
        .await
    }

    /// Changes the fields `patch` names, recorded with what changed before and after: as
    /// `game.enabled` or `game.disabled` when only the flag changed, `game.updated`
    /// otherwise (nothing is recorded when nothing changed).
    pub async fn update(&self, id: GameId, patch: GamePatch, by: NewAuditEvent) -> Result<Game> {
        let game = self.get(id).await?;
        let old = GameChange::of(&game);
        let mut new = old.clone();
        if let Some(n) = patch.name {
            new.name = validate_name(&n)?;
        }
        if let Some(d) = patch.description {
            new.description = description(&d)?;
        }
        if let Some(c) = patch.client_name {
            new.client_name = validate_client_name(&c)?;
        }
        if let Some(e) = patch.enabled {
            new.enabled = e;
        }
        if let Some(t) = patch.access_token_ttl {
            new.access_token_ttl = t;
        }
        if let Some(t) = patch.refresh_token_ttl {
            new.refresh_token_ttl = t;
        }
        if new == old {
            return Ok(game);
        }
        let (before, after) = (old.fields(), new.fields());
        let changed: Vec<&String> = after.keys().filter(|k| before.get(*k) != after.get(*k)).collect();
        let pick = |m: &Map<String, Value>| -> Map<String, Value> {
            changed
                .iter()
                .filter_map(|k| m.get(*k).map(|v| ((*k).clone(), v.clone())))
                .collect()
        };
        let action = match (changed.as_slice(), new.enabled) {
            ([only], true) if only.as_str() == "enabled" => "game.enabled",
            ([only], false) if only.as_str() == "enabled" => "game.disabled",
            _ => "game.updated",
        };
        let event = bounded(
            by.action(action)
                .game(id)
                .subject(format!("game:{}", id.0))
                .detail(json!({"before": pick(&before), "after": pick(&after)})),
        );
        self.store
            .update_game(id, &new, &event, self.clock.now())
            .await?
            .ok_or(Error::NotFound(Entity::Game))
    }

    /// Replaces a credential of the game: the KGeN client secret or the GameFuse token.
    /// The old one stops working at once; the new one is returned this once. Recorded as
    /// `game.secret_rotated` (naming the credential, never its value).
    pub async fn rotate(&self, id: GameId, kind: CredentialKind, by: NewAuditEvent) -> Result<(Game, Secret)> {
        let (new, secret) = match kind {
            CredentialKind::Kgen => {
                let s = Secret::random(CLIENT_SECRET_PREFIX);
                (NewCredential::KgenSecret(s.hash()), s)
            }
            CredentialKind::Gamefuse => {
                let t = crate::vendor::gamefuse::new_game_token();
                (NewCredential::GamefuseToken(t.clone()), Secret::new(t))
            }
        };
        let event = bounded(
            by.action("game.secret_rotated")
                .game(id)
                .subject(format!("game:{}", id.0))
                .detail(json!({"credential": kind.as_str()})),
        );
        let game = self
            .store
            .replace_credential(id, &new, &event, self.clock.now())
            .await?
            .ok_or(Error::NotFound(Entity::Game))?;
        Ok((game, secret))
    }

    /// Deletes the game and everything of it, once `confirm` repeats its name exactly.
    /// Recorded as `game.deleted` (the audit log keeps the game's events).
    pub async fn delete(&self, id: GameId, confirm: Option<&str>, by: NewAuditEvent) -> Result<()> {
        let game = self.get(id).await?;
        match confirm {
            None => return Err(Error::invalid("confirm", "is required: the game's name, to confirm")),
            Some(c) if c.trim() != game.name => {
                return Err(Error::invalid("confirm", "must be the game's name, exactly"));
            }
            Some(_) => {}
        }
        let event = bounded(
            by.action("game.deleted")
                .game(id)
                .subject(format!("game:{}", id.0))
                .detail(json!({"before": {"name": game.name, "client_id": game.client_id}})),
        );
        if self.store.delete_game_recorded(id, &event, self.clock.now()).await? {
            Ok(())
        } else {
            Err(Error::NotFound(Entity::Game))
        }
    }
}

fn description(s: &str) -> Result<String> {
    let s = s.trim();
    if s.chars().count() > 2000 {
        return Err(Error::invalid("description", "must be at most 2000 characters"));
    }
    Ok(s.to_owned())
}

/// A page size: 0 is the default, above [`PAGE_MAX`] refused.
pub fn page_limit(limit: u32) -> Result<u32> {
    page::limit(limit, PAGE_DEFAULT, PAGE_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_and_kinds() {
        assert_eq!(lifetime("a", 60, ACCESS_TTL_RANGE).ok(), Some(Duration::from_secs(60)));
        assert!(lifetime("a", 59, ACCESS_TTL_RANGE).is_err());
        assert!(lifetime("a", -1, ACCESS_TTL_RANGE).is_err());
        assert_eq!(CredentialKind::parse(" gamefuse ").ok(), Some(CredentialKind::Gamefuse));
        assert!(CredentialKind::parse("x").is_err());
        assert_eq!(page_limit(0).ok(), Some(PAGE_DEFAULT));
        assert!(page_limit(501).is_err());
    }
}
