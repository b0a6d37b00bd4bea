//! The one error type of the core; each dialect maps it to its wire format once.

use std::fmt;

/// Result alias used throughout the core and by the store.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a core operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The addressed thing does not exist (or belongs to another tenant).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The operation conflicts with the current state (duplicate, already ended ...).
    #[error("{0}")]
    Conflict(String),
    /// Missing or wrong credentials.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// Authenticated, but not allowed to do this.
    #[error("{0}")]
    Forbidden(&'static str),
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
