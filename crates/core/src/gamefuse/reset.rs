//! Password reset (reference 14): a single-use link, valid one hour, whose token is kept
//! only as a hash; the message is sent by SMTP when configured and always recorded in the
//! outbox (sealed under the master key, since it carries the live link).

use super::Gamefuse;
use super::users::{check_password, parse_email};
use crate::client_users::reset::{NewOutbox, OutboxMessage, ResetRequested};
use crate::crypto::{Secret, SecretHash};
use crate::game::Game;
use crate::vendor::gamefuse::iso_millis;
use crate::{Error, Result};

/// Prefix of reset tokens.
pub const RESET_TOKEN_PREFIX: &str = "gfr_";
/// The path of the reset page, under the server's public URL.
pub const RESET_PATH: &str = "/api/v3/password_reset";

fn outbox_context(recipient: &str) -> String {
    format!("playgate:outbox:{recipient}")
}

impl Gamefuse {
    /// `GET /games/{id}/forget_password`: mails a reset link to the user with this e-mail.
    /// Answers the same whether or not such a user exists (no account enumeration).
    pub async fn forgot_password(&self, game: &Game, email: &str) -> Result<ResetRequested> {
        let (email, _) = parse_email(email)?;
        let Some((player, _)) = self.store().credentials_by_email(game.id, &email).await? else {
            return Ok(ResetRequested { mailer_response: None });
        };
        let Some(user) = self.store().user(game.id, player).await? else {
            return Ok(ResetRequested { mailer_response: None });
        };
        let now = self.now();
        let expires = now.plus(self.settings.reset_ttl);
        let token = Secret::random(RESET_TOKEN_PREFIX);
        let link = format!(
            "{}{RESET_PATH}?token={}",
            self.settings.public_url.trim_end_matches('/'),
            token.expose()
        );
        let subject = format!("Reset your {} password", game.name);
        let body = format!(
            "Hello {},\n\nsomeone (hopefully you) asked to reset your password for {}.\n\
             Open this link to choose a new one (valid until {} UTC, once):\n\n{link}\n\n\
             Then return to the game and sign in. If you did not ask for this, ignore this message.\n",
            user.username,
            game.name,
            iso_millis(expires),
        );
        let recipient = user.display_email.clone();
        let mail = NewOutbox {
            game_id: Some(game.id),
            sealed_body: self.core.master.seal(&outbox_context(&recipient), body.as_bytes())?,
            recipient: recipient.clone(),
            subject: subject.clone(),
            created_at: now,
        };
        let id = self
            .store()
            .insert_reset(&token.hash(), player, now, expires, &mail)
            .await?;
        if !self.mailer.enabled() {
            return Ok(ResetRequested { mailer_response: None });
        }
        match self.mailer.send(&recipient, &subject, &body).await {
            Ok(()) => {
                self.store().outbox_result(id, Some(self.now()), None).await?;
                Ok(ResetRequested {
                    mailer_response: Some("sent".into()),
                })
            }
            Err(e) => {
                tracing::warn!(outbox_id = id, error = %e, "password reset mail not sent");
                self.store().outbox_result(id, None, Some(&e)).await?;
                Ok(ResetRequested { mailer_response: None })
            }
        }
    }

    /// Whether a reset token can still be used (to show the form or say it expired).
    pub async fn reset_token_live(&self, token: &str) -> Result<bool> {
        self.store().reset_token_live(&SecretHash::of(token), self.now()).await
    }

    /// Uses a reset token: sets the new password and ends every session of the user, so
    /// old authentication tokens stop working.
    /// Records `password.reset` with the change.
    pub async fn reset_password(
        &self,
        token: &str,
        password: &Secret,
        confirmation: &Secret,
        origin: &crate::audit::Origin,
    ) -> Result<()> {
        check_password(password, confirmation)?;
        let hash = SecretHash::of(token);
        const DEAD: &str = "this link has expired or was already used";
        if !self.store().reset_token_live(&hash, self.now()).await? {
            return Err(Error::invalid("token", DEAD));
        }
        let phc = self.core.passwords.hash(password).await?;
        // The holder of the token: its user, whom the store names as the subject.
        let audit =
            crate::audit::NewAuditEvent::new(crate::audit::action::PASSWORD_RESET, crate::audit::Actor::Unknown)
                .origin(origin.clone())
                .bounded();
        if self.store().reset_password(&hash, self.now(), &phc, &audit).await? {
            Ok(())
        } else {
            Err(Error::invalid("token", DEAD))
        }
    }

    /// The newest outbox messages, bodies opened.
    pub async fn outbox(&self, limit: i64) -> Result<Vec<OutboxMessage>> {
        let recs = self.store().outbox(limit).await?;
        recs.into_iter()
            .map(|r| {
                let body = self.core.master.open(&outbox_context(&r.recipient), &r.sealed_body)?;
                Ok(OutboxMessage {
                    id: r.id,
                    game_id: r.game_id,
                    recipient: r.recipient,
                    subject: r.subject,
                    body: String::from_utf8_lossy(&body).into_owned(),
                    created_at: r.created_at,
                    sent_at: r.sent_at,
                    error: r.error,
                })
            })
            .collect()
    }
}
