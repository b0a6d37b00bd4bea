//! GameFuse's own service: the authentication of its calls (by game token, by a user's
//! authentication token under the per-route switches, by service key) into a [`Caller`],
//! its service keys and route switches, the system test-suite key and its `test_suite/*`
//! operations, its game tokens, and the tally of users' API calls ([`events`]).
//!
//! GameFuse's players are client users ([`crate::client_users`]), whose service
//! ([`ClientUsers`](crate::client_users::ClientUsers)) signs them up and in, changes their
//! profiles and passwords and resets passwords by e-mail; the game features its clients use
//! are services of their own too ([`crate::social`], [`crate::rounds`], [`crate::economy`],
//! [`crate::game_variables`]). What GameFuse calls its tokens and counters is in
//! [`crate::vendor::gamefuse`].
//!
//! [`Gamefuse`] is the service the GameFuse dialect authenticates with; it wraps the core
//! [`Playgate`] with GameFuse's stores and settings.

pub mod auth;
pub mod events;
pub mod keys;
pub mod store;

pub use auth::{Caller, Via};

use crate::client_users::{ClientUserStore, PendingCounts};
use crate::clock::Timestamp;
use crate::crypto::Secret;
use crate::service::Playgate;
use std::sync::Arc;
use std::time::Duration;
use store::GamefuseStore;

/// GameFuse's policy settings.
#[derive(Debug, Clone)]
pub struct GamefuseSettings {
    /// The system service key (name, token) that alone may call `test_suite/*`.
    pub test_suite_key: Option<(String, Secret)>,
    /// How often the server writes the tally of users' API calls
    /// ([`events`]). Default [`events::FLUSH_EVERY`].
    pub events_flush_every: Duration,
}

impl Default for GamefuseSettings {
    fn default() -> Self {
        GamefuseSettings {
            test_suite_key: None,
            events_flush_every: events::FLUSH_EVERY,
        }
    }
}

/// Every store the GameFuse service reaches: its client users' (the users its calls act
/// as, their sessions' sliding expiry) and its own (service keys, route switches, test
/// suite, API-call tally). The server's store implements them all.
pub trait FeatureStores: ClientUserStore + GamefuseStore + 'static {}

impl<T> FeatureStores for T where T: ClientUserStore + GamefuseStore + 'static {}

/// The GameFuse service: the core plus its stores, its settings and the tally.
#[derive(Clone)]
pub struct Gamefuse {
    pub(crate) core: Playgate,
    pub(crate) stores: Arc<dyn FeatureStores>,
    pub(crate) settings: Arc<GamefuseSettings>,
    pub(crate) events: Arc<events::EventTally>,
}

impl Gamefuse {
    /// Builds the service.
    pub fn new(core: Playgate, stores: Arc<dyn FeatureStores>, settings: GamefuseSettings) -> Self {
        Gamefuse {
            core,
            stores,
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

    /// The tally of users' API calls, as the client users' service adds it to the users it
    /// has just written.
    pub fn pending_counts(&self) -> Arc<dyn PendingCounts> {
        self.events.clone()
    }

    pub(crate) fn store(&self) -> &dyn FeatureStores {
        &*self.stores
    }

    /// The current time (of the core's clock).
    pub fn now(&self) -> Timestamp {
        self.core.now()
    }
}
