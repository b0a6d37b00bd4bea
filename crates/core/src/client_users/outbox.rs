//! What password reset by e-mail ([`reset`](super::reset)) rests on: the [`Mailer`] that
//! sends, the outbox records, and [`ResetStore`], which keeps the reset tokens and the
//! outbox.

use crate::Result;
use crate::audit::NewAuditEvent;
use crate::clock::Timestamp;
use crate::crypto::SecretHash;
use crate::ids::{GameId, PlayerId};
use async_trait::async_trait;

/// Sends e-mail. The server implements it with SMTP; without SMTP the outbox is all.
#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    /// Whether mail is really sent (SMTP configured).
    fn enabled(&self) -> bool;
    /// Sends one plain-text message; the error text is recorded in the outbox.
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String>;
}

/// The mailer of a server without SMTP: sends nothing (the outbox keeps every message).
#[derive(Debug, Default)]
pub struct NoMailer;

#[async_trait]
impl Mailer for NoMailer {
    fn enabled(&self) -> bool {
        false
    }
    async fn send(&self, _to: &str, _subject: &str, _body: &str) -> Result<(), String> {
        Err("SMTP is not configured".into())
    }
}

/// An outbox message to record.
#[derive(Debug, Clone)]
pub struct NewOutbox {
    pub game_id: Option<GameId>,
    pub recipient: String,
    pub subject: String,
    /// The body sealed under the master key with [`outbox_context`].
    pub sealed_body: Vec<u8>,
    pub created_at: Timestamp,
}

/// An outbox message, its body of type `B`: sealed as stored ([`OutboxRecord`]), or opened
/// for the operator ([`OutboxMessage`]).
#[derive(Debug, Clone)]
pub struct Outbox<B> {
    pub id: i64,
    pub game_id: Option<GameId>,
    pub recipient: String,
    pub subject: String,
    pub body: B,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    pub error: Option<String>,
}

/// An outbox message as stored: its body sealed under the master key with [`outbox_context`].
pub type OutboxRecord = Outbox<Vec<u8>>;

/// An outbox message with its body opened.
pub type OutboxMessage = Outbox<String>;

impl<B> Outbox<B> {
    /// The same message with its body turned by `f` (sealed to opened).
    pub fn try_map_body<C, E>(self, f: impl FnOnce(&str, B) -> Result<C, E>) -> Result<Outbox<C>, E> {
        let body = f(&self.recipient, self.body)?;
        Ok(Outbox {
            id: self.id,
            game_id: self.game_id,
            recipient: self.recipient,
            subject: self.subject,
            body,
            created_at: self.created_at,
            sent_at: self.sent_at,
            error: self.error,
        })
    }
}

/// What a reset request did, for the wire (`mailer_response`).
#[derive(Debug, Clone)]
pub struct ResetRequested {
    /// The mailer's answer when a message went out by SMTP, else `None`.
    pub mailer_response: Option<String>,
}

/// Persistence of password reset tokens and the mail outbox.
#[async_trait]
pub trait ResetStore: Send + Sync {
    /// Records a reset token and its message in the outbox, in one transaction; returns
    /// the outbox id.
    async fn insert_reset(
        &self,
        token: &SecretHash,
        player: PlayerId,
        now: Timestamp,
        expires_at: Timestamp,
        mail: &NewOutbox,
    ) -> Result<i64>;
    /// Records whether an outbox message was sent.
    async fn outbox_result(&self, id: i64, sent_at: Option<Timestamp>, error: Option<&str>) -> Result<()>;
    /// The newest outbox messages first.
    async fn outbox(&self, limit: i64) -> Result<Vec<OutboxRecord>>;
    /// Whether a reset token is unused and unexpired.
    async fn reset_token_live(&self, token: &SecretHash, now: Timestamp) -> Result<bool>;
    /// Uses a live reset token: sets the password hash and ends the user's sessions, in
    /// one transaction with `audit` (recorded at `now`, about the token's user,
    /// `player:<user id>`, and its game when it names none). Whether the token was live.
    async fn reset_password(
        &self,
        token: &SecretHash,
        now: Timestamp,
        password_hash: &str,
        audit: &NewAuditEvent,
    ) -> Result<bool>;
}
