//! Operators: the people and scripts who run Playgate through the admin API and the CLI.
//! Each has a name, a role (`admin` changes things, `viewer` only reads), an enabled flag
//! and a personal API token, shown once when it is made; only its hash is stored.
//!
//! The configured `admin_token` stays a bootstrap credential: it acts as the operator
//! [`CONFIG_OPERATOR`] with the admin role, without a row of its own.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;

use crate::clock::{Clock, Timestamp};
use crate::crypto::{Secret, SecretHash};
use crate::error::{Conflict, Entity, Error, Forbidden};
use crate::{ConstraintKind, Result};

/// Prefix of operator tokens.
pub const OPERATOR_TOKEN_PREFIX: &str = "pgo_";

/// The name the configured `admin_token` acts under.
pub const CONFIG_OPERATOR: &str = "config";

/// The unique key of operators' names (the store reports it when a name is taken).
pub const NAME_KEY: &str = "operators_name_key";

/// `last_used_at` is written at most this often per operator (a busy script would
/// otherwise write on every call).
const TOUCH_EVERY_NANOS: i64 = 60 * 1_000_000_000;

/// Longest operator name.
const NAME_MAX: usize = 64;

/// What an operator may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Reads and changes.
    Admin,
    /// Reads only.
    Viewer,
}

impl Role {
    /// `admin` or `viewer`, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Viewer => "viewer",
        }
    }

    /// Parses `admin` or `viewer`.
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim() {
            "admin" => Ok(Role::Admin),
            "viewer" => Ok(Role::Viewer),
            _ => Err(Error::invalid("role", "must be admin or viewer")),
        }
    }
}

/// A stored operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    /// Its id.
    pub id: i64,
    /// Its unique name.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// A disabled operator's token is refused.
    pub enabled: bool,
    /// When it was made.
    pub created_at: Timestamp,
    /// When its token was last accepted (to the minute).
    pub last_used_at: Option<Timestamp>,
}

/// Who is calling the admin API: a stored operator or the configured token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The operator's name ([`CONFIG_OPERATOR`] for the configured token).
    pub name: String,
    /// What it may do.
    pub role: Role,
}

impl Principal {
    /// `Forbidden` unless the principal may change things.
    pub fn require_admin(&self) -> Result<()> {
        match self.role {
            Role::Admin => Ok(()),
            Role::Viewer => Err(Error::Forbidden(Forbidden::ViewerRole)),
        }
    }
}

/// Persistence of operators (their console credentials and sessions are the
/// [`ConsoleStore`](crate::console::ConsoleStore)'s).
#[async_trait]
pub trait OperatorStore: Send + Sync + 'static {
    /// Inserts an operator; a taken name is a unique violation of [`NAME_KEY`].
    async fn insert_operator(&self, name: &str, role: Role, token: &SecretHash, now: Timestamp) -> Result<Operator>;
    /// Every operator, by name.
    async fn operators(&self) -> Result<Vec<Operator>>;
    /// The operator whose token hashes to `token`.
    async fn operator_by_token(&self, token: &SecretHash) -> Result<Option<Operator>>;
    /// Enables or disables; `None` if there is no such operator.
    async fn set_operator_enabled(&self, name: &str, enabled: bool) -> Result<Option<Operator>>;
    /// Replaces the token's hash; `None` if there is no such operator.
    async fn set_operator_token(&self, name: &str, token: &SecretHash) -> Result<Option<Operator>>;
    /// Records that the operator's token was accepted at `now`.
    async fn touch_operator(&self, id: i64, now: Timestamp) -> Result<()>;
    /// Whether any operator exists.
    async fn has_operators(&self) -> Result<bool>;
}

/// The operators service.
#[derive(Clone)]
pub struct Operators {
    store: Arc<dyn OperatorStore>,
    clock: Arc<dyn Clock>,
    /// Set once an operator is known to exist (operators are never deleted).
    known_some: Arc<AtomicBool>,
}

impl Operators {
    /// The service over its store.
    pub fn new(store: Arc<dyn OperatorStore>, clock: Arc<dyn Clock>) -> Self {
        Operators {
            store,
            clock,
            known_some: Arc::default(),
        }
    }

    /// Makes an operator and its token, returned this once.
    pub async fn create(&self, name: &str, role: Role) -> Result<(Operator, Secret)> {
        let name = valid_name(name)?;
        let token = Secret::random(OPERATOR_TOKEN_PREFIX);
        let op = self
            .store
            .insert_operator(name, role, &token.hash(), self.clock.now())
            .await
            .map_err(name_taken)?;
        self.known_some.store(true, Ordering::Relaxed);
        Ok((op, token))
    }

    /// Every operator, by name.
    pub async fn list(&self) -> Result<Vec<Operator>> {
        self.store.operators().await
    }

    /// Enables or disables an operator; a disabled operator's token is refused at once.
    pub async fn set_enabled(&self, name: &str, enabled: bool) -> Result<Operator> {
        self.store
            .set_operator_enabled(name.trim(), enabled)
            .await?
            .ok_or(Error::NotFound(Entity::Operator))
    }

    /// Gives an operator a new token (returned this once); the old one stops working.
    pub async fn rotate_token(&self, name: &str) -> Result<(Operator, Secret)> {
        let token = Secret::random(OPERATOR_TOKEN_PREFIX);
        let op = self
            .store
            .set_operator_token(name.trim(), &token.hash())
            .await?
            .ok_or(Error::NotFound(Entity::Operator))?;
        Ok((op, token))
    }

    /// The enabled operator holding `token`, if any.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Principal>> {
        if !token.starts_with(OPERATOR_TOKEN_PREFIX) {
            return Ok(None);
        }
        let Some(op) = self.store.operator_by_token(&SecretHash::of(token)).await? else {
            return Ok(None);
        };
        if !op.enabled {
            return Ok(None);
        }
        let now = self.clock.now();
        if op.last_used_at.is_none_or(|t| now.0 - t.0 >= TOUCH_EVERY_NANOS) {
            self.store.touch_operator(op.id, now).await?;
        }
        Ok(Some(Principal {
            name: op.name,
            role: op.role,
        }))
    }

    /// Whether any operator exists (remembered once true).
    pub async fn any(&self) -> Result<bool> {
        if self.known_some.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let some = self.store.has_operators().await?;
        if some {
            self.known_some.store(true, Ordering::Relaxed);
        }
        Ok(some)
    }
}

pub(crate) fn valid_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.len() > NAME_MAX {
        return Err(Error::invalid(
            "name",
            format_args!("must be 1 to {NAME_MAX} characters"),
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        return Err(Error::invalid("name", "may hold only letters, digits and . _ - @"));
    }
    if name == CONFIG_OPERATOR {
        return Err(Error::invalid("name", "is the configured token's name"));
    }
    Ok(name)
}

pub(crate) fn name_taken(e: Error) -> Error {
    match e {
        Error::Constraint {
            kind: ConstraintKind::Unique,
            ref name,
        } if name == NAME_KEY => Error::Conflict(Conflict::OperatorNameTaken),
        e => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for r in [Role::Admin, Role::Viewer] {
            assert_eq!(Role::parse(r.as_str()).ok(), Some(r));
        }
        assert!(Role::parse("root").is_err());
    }

    #[test]
    fn names() {
        assert_eq!(valid_name(" ops-bot@studio ").ok(), Some("ops-bot@studio"));
        for bad in ["", "a b", "config", &"x".repeat(65), "é"] {
            assert!(valid_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn viewers_may_not_change_things() {
        let viewer = Principal {
            name: "v".into(),
            role: Role::Viewer,
        };
        assert!(matches!(
            viewer.require_admin(),
            Err(Error::Forbidden(Forbidden::ViewerRole))
        ));
        let admin = Principal {
            name: "a".into(),
            role: Role::Admin,
        };
        assert!(admin.require_admin().is_ok());
    }
}
