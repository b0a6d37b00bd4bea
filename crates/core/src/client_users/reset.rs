//! Password reset by e-mail: a single-use link, valid `reset_ttl`, whose token is kept only
//! as a hash; the message is sent by the [`Mailer`] when it is enabled (SMTP configured) and
//! always recorded in the outbox, sealed under the master key since it carries the live
//! link. The reset tokens and the outbox are kept by [`ResetStore`].

use super::ClientUsers;
use super::outbox::{NewOutbox, OutboxMessage, ResetRequested};
use super::service::{check_password, parse_email};
use crate::audit::{Actor, NewAuditEvent, Origin, action};
use crate::crypto::{Secret, SecretHash};
use crate::game::Game;
use crate::{Error, Result};

/// The context an outbox body is sealed under: its recipient.
fn outbox_context(recipient: &str) -> String {
    format!("playgate:outbox:{recipient}")
}

impl ClientUsers {
    /// Mails a reset link to the user of `game` with this e-mail address. Answers the same
    /// whether or not such a user exists (no account enumeration).
    pub async fn forgot_password(&self, game: &Game, email: &str) -> Result<ResetRequested> {
        let (email, _) = parse_email(email)?;
        let Some((player, _)) = self.stores.credentials_by_email(game.id, &email).await? else {
            return Ok(ResetRequested { mailer_response: None });
        };
        let Some(user) = self.stores.user(game.id, player).await? else {
            return Ok(ResetRequested { mailer_response: None });
        };
        let now = self.now();
        let expires = now.plus(self.own.reset_ttl);
        let token = Secret::random(self.own.naming.reset_token_prefix);
        let link = format!("{}?token={}", self.own.reset_page, token.expose());
        let subject = format!("Reset your {} password", game.name);
        let body = format!(
            "Hello {},\n\nsomeone (hopefully you) asked to reset your password for {}.\n\
             Open this link to choose a new one (valid until {} UTC, once):\n\n{link}\n\n\
             Then return to the game and sign in. If you did not ask for this, ignore this message.\n",
            user.username,
            game.name,
            expires.iso_millis(),
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
            .stores
            .insert_reset(&token.hash(), player, now, expires, &mail)
            .await?;
        if !self.mailer.enabled() {
            return Ok(ResetRequested { mailer_response: None });
        }
        match self.mailer.send(&recipient, &subject, &body).await {
            Ok(()) => {
                self.stores.outbox_result(id, Some(self.now()), None).await?;
                Ok(ResetRequested {
                    mailer_response: Some("sent".into()),
                })
            }
            Err(e) => {
                tracing::warn!(outbox_id = id, error = %e, "password reset mail not sent");
                self.stores.outbox_result(id, None, Some(&e)).await?;
                Ok(ResetRequested { mailer_response: None })
            }
        }
    }

    /// Whether a reset token can still be used (to show the form or say it expired).
    pub async fn reset_token_live(&self, token: &str) -> Result<bool> {
        self.stores.reset_token_live(&SecretHash::of(token), self.now()).await
    }

    /// Uses a reset token: sets the new password and ends every session of the user, so
    /// old authentication tokens stop working. Records `password.reset` with the change.
    pub async fn reset_password(
        &self,
        token: &str,
        password: &Secret,
        confirmation: &Secret,
        origin: &Origin,
    ) -> Result<()> {
        check_password(password, confirmation)?;
        let hash = SecretHash::of(token);
        const DEAD: &str = "this link has expired or was already used";
        if !self.stores.reset_token_live(&hash, self.now()).await? {
            return Err(Error::invalid("token", DEAD));
        }
        let phc = self.core.passwords.hash(password).await?;
        // The holder of the token: its user, whom the store names as the subject.
        let audit = NewAuditEvent::new(action::PASSWORD_RESET, Actor::Unknown)
            .origin(origin.clone())
            .bounded();
        if self.stores.reset_password(&hash, self.now(), &phc, &audit).await? {
            Ok(())
        } else {
            Err(Error::invalid("token", DEAD))
        }
    }

    /// The newest outbox messages, bodies opened.
    pub async fn outbox(&self, limit: i64) -> Result<Vec<OutboxMessage>> {
        let recs = self.stores.outbox(limit).await?;
        recs.into_iter()
            .map(|r| {
                r.try_map_body(|recipient, sealed| {
                    let body = self.core.master.open(&outbox_context(recipient), &sealed)?;
                    Ok(String::from_utf8_lossy(&body).into_owned())
                })
            })
            .collect()
    }
}
