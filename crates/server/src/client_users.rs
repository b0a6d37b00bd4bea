//! Wiring of the client users' service: its settings from the config (GameFuse's names,
//! the public URL of reset links), and the SMTP mailer (lettre) that the core's [`Mailer`]
//! trait abstracts.

use std::net::SocketAddr;
use std::sync::Arc;

use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use playgate_core::client_users::outbox::{Mailer, NoMailer};
use playgate_core::client_users::{ClientUserStores, ClientUsers, PendingCounts};
use playgate_core::service::Playgate;
use playgate_core::vendor::gamefuse;

use crate::config::{Config, local_url};
use crate::error::BoxError;

/// Sends mail through the configured SMTP server.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: lettre::message::Mailbox,
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    fn enabled(&self) -> bool {
        true
    }

    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        let to = to.parse().map_err(|e| format!("recipient: {e}"))?;
        let msg = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| format!("message: {e}"))?;
        self.transport
            .send(msg)
            .await
            .map(drop)
            // lettre's error names the server and the SMTP reply, never the credentials.
            .map_err(|e| format!("smtp: {e}"))
    }
}

/// The mailer the config selects.
pub fn mailer(config: &Config) -> Result<Arc<dyn Mailer>, BoxError> {
    let Some(url) = config.smtp_url.as_deref().filter(|u| !u.is_empty()) else {
        return Ok(Arc::new(NoMailer));
    };
    let from = config
        .smtp_from
        .as_deref()
        .ok_or("smtp_from is required with smtp_url")?
        .parse()
        .map_err(|e| format!("smtp_from: {e}"))?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|e| format!("smtp_url: {e}"))?
        .build();
    Ok(Arc::new(SmtpMailer { transport, from }))
}

/// The client users' service for a config, over their stores; `addr` is the bound address
/// (for the default public URL of reset links), `pending` the counts GameFuse keeps apart
/// ([`Gamefuse::pending_counts`](playgate_core::gamefuse::Gamefuse::pending_counts)).
pub fn service(
    config: &Config,
    core: &Playgate,
    stores: Arc<dyn ClientUserStores>,
    addr: SocketAddr,
    pending: Arc<dyn PendingCounts>,
) -> Result<ClientUsers, BoxError> {
    let public_url = config.public_url.clone().unwrap_or_else(|| local_url(addr));
    let settings = gamefuse::client_user_settings(&public_url);
    Ok(ClientUsers::new(stores, core, settings, mailer(config)?, pending))
}
