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
    /// A real fault (corrupt data, a failed statement ...). Logged, never shown to clients.
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
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
