//! Wiring of the GameFuse service: its settings from the config.

use std::sync::Arc;
use std::time::Duration;

use playgate_core::crypto::Secret;
use playgate_core::gamefuse::{FeatureStores, Gamefuse, GamefuseSettings};
use playgate_core::service::Playgate;

use crate::config::Config;
use crate::error::BoxError;

/// The GameFuse settings in a config.
pub fn settings(config: &Config) -> Result<GamefuseSettings, BoxError> {
    let token = Config::secret(&config.test_suite_key_token, &config.test_suite_key_token_file)?;
    let name = config.test_suite_key_name.clone().filter(|n| !n.is_empty());
    let test_suite_key = match (name, token) {
        (Some(n), Some(t)) => Some((n, Secret::new(t))),
        (None, None) => None,
        _ => return Err("test_suite_key_name and test_suite_key_token go together".into()),
    };
    Ok(GamefuseSettings {
        test_suite_key,
        events_flush_every: Duration::from_millis(config.gamefuse_events_flush_ms.max(1)),
    })
}

/// The GameFuse service for a config, over the game features' stores.
pub fn service(config: &Config, core: Playgate, stores: Arc<dyn FeatureStores>) -> Result<Gamefuse, BoxError> {
    Ok(Gamefuse::new(core, stores, settings(config)?))
}
