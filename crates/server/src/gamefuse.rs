//! Wiring of the GameFuse service: its settings from the config, and the SMTP mailer
//! (lettre) that the core's [`Mailer`] trait abstracts.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use playgate_core::crypto::Secret;
use playgate_core::gamefuse::{FeatureStores, Gamefuse, GamefuseSettings, Mailer, NoMailer};
use playgate_core::service::Playgate;

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

/// The GameFuse settings in a config; `addr` is the bound address (for the default
/// public URL).
pub fn settings(config: &Config, addr: SocketAddr) -> Result<GamefuseSettings, BoxError> {
    let token = Config::secret(&config.test_suite_key_token, &config.test_suite_key_token_file)?;
    let name = config.test_suite_key_name.clone().filter(|n| !n.is_empty());
    let test_suite_key = match (name, token) {
        (Some(n), Some(t)) => Some((n, Secret::new(t))),
        (None, None) => None,
        _ => return Err("test_suite_key_name and test_suite_key_token go together".into()),
    };
    Ok(GamefuseSettings {
        public_url: config.public_url.clone().unwrap_or_else(|| local_url(addr)),
        test_suite_key,
        events_flush_every: Duration::from_millis(config.gamefuse_events_flush_ms.max(1)),
        ..GamefuseSettings::default()
    })
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

/// The GameFuse service for a config, over the game features' stores.
pub fn service(
    config: &Config,
    core: Playgate,
    stores: Arc<dyn FeatureStores>,
    addr: SocketAddr,
) -> Result<Gamefuse, BoxError> {
    Ok(Gamefuse::new(core, stores, settings(config, addr)?, mailer(config)?))
}
