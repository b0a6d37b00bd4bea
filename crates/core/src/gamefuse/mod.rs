//! GameFuse's own service: players who sign up in the game client by e-mail and password
//! (sign-up, sign-in, their token sessions and the authentication of every call), service
//! keys and per-route switches, the system test-suite key, the tally of users' API calls,
//! and password reset by e-mail. The game features its clients use are services of their
//! own ([`crate::social`], [`crate::rounds`], [`crate::economy`], [`crate::game_variables`]).
//!
//! A GameFuse user is a core [`Player`](crate::player::Player) of its game whose `user_id`
//! is its (normalised) e-mail address, plus one `gamefuse_users` row with what only
//! GameFuse has (password hash, credits, score, counters). One Player concept: the same
//! person keyed by (game, email). Its GameFuse `id` is the player id.
//!
//! [`Gamefuse`] is the service the GameFuse dialect calls; it wraps the core
//! [`Playgate`] with the password hasher, the mailer and GameFuse's settings.

pub mod events;
pub mod keys;
pub mod reset;
pub mod store;
pub mod users;

use crate::Result;
use crate::client_users::ClientUserStore;
use crate::client_users::reset::ResetStore;
use crate::clock::Timestamp;
use crate::crypto::Secret;
use crate::service::Playgate;
use std::sync::Arc;
use std::time::Duration;
use store::GamefuseStore;

/// GameFuse's policy settings.
#[derive(Debug, Clone)]
pub struct GamefuseSettings {
    /// Lifetime of a password reset link. Default 1 hour.
    pub reset_ttl: Duration,
    /// Public base URL of this server for links in e-mails (`https://play.example.org`).
    pub public_url: String,
    /// The system service key (name, token) that alone may call `test_suite/*`.
    pub test_suite_key: Option<(String, Secret)>,
    /// How often the server writes the tally of users' API calls
    /// ([`events`]). Default [`events::FLUSH_EVERY`].
    pub events_flush_every: Duration,
}

impl Default for GamefuseSettings {
    fn default() -> Self {
        GamefuseSettings {
            reset_ttl: Duration::from_secs(3600),
            public_url: "http://127.0.0.1:8080".into(),
            test_suite_key: None,
            events_flush_every: events::FLUSH_EVERY,
        }
    }
}

/// Sends e-mail. The server implements it with SMTP; without SMTP the outbox is all.
#[async_trait::async_trait]
pub trait Mailer: Send + Sync + 'static {
    /// Whether mail is really sent (SMTP configured).
    fn enabled(&self) -> bool;
    /// Sends one plain-text message; the error text is recorded in the outbox.
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String>;
}

/// The mailer of a server without SMTP: sends nothing (the outbox keeps every message).
#[derive(Debug, Default)]
pub struct NoMailer;

#[async_trait::async_trait]
impl Mailer for NoMailer {
    fn enabled(&self) -> bool {
        false
    }
    async fn send(&self, _to: &str, _subject: &str, _body: &str) -> Result<(), String> {
        Err("SMTP is not configured".into())
    }
}

/// Every store the GameFuse service reaches: its client users' (sign-up, sign-in, token
/// sessions, password reset) and its own (service keys, route switches, test suite, API-call
/// tally). The server's store implements them all.
pub trait FeatureStores: ClientUserStore + ResetStore + GamefuseStore + 'static {}

impl<T> FeatureStores for T where T: ClientUserStore + ResetStore + GamefuseStore + 'static {}

/// The GameFuse service: the core plus its stores, password hashing, mail and settings.
#[derive(Clone)]
pub struct Gamefuse {
    pub(crate) core: Playgate,
    pub(crate) stores: Arc<dyn FeatureStores>,
    pub(crate) mailer: Arc<dyn Mailer>,
    pub(crate) settings: Arc<GamefuseSettings>,
    pub(crate) events: Arc<events::EventTally>,
}

impl Gamefuse {
    /// Builds the service.
    pub fn new(
        core: Playgate,
        stores: Arc<dyn FeatureStores>,
        settings: GamefuseSettings,
        mailer: Arc<dyn Mailer>,
    ) -> Self {
        Gamefuse {
            core,
            stores,
            mailer,
            settings: Arc::new(settings),
            events: Arc::default(),
        }
    }

    /// The core it wraps.
    pub fn core(&self) -> &Playgate {
        &self.core
    }

    /// Its settings.
    pub fn settings(&self) -> &GamefuseSettings {
        &self.settings
    }

    pub(crate) fn store(&self) -> &dyn FeatureStores {
        &*self.stores
    }

    /// The current time (of the core's clock).
    pub fn now(&self) -> Timestamp {
        self.core.now()
    }
}
