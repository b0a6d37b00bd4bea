//! Application state handed to every handler.

use std::sync::Arc;

use ipnet::IpNet;
use playgate_core::service::Playgate;

/// Network settings the HTTP layer needs.
#[derive(Debug, Clone, Default)]
pub struct NetConfig {
    /// Peers whose `X-Forwarded-For` is believed. Empty by default: the request IP is the
    /// TCP peer.
    pub trusted_proxies: Vec<IpNet>,
}

/// Shared state: the core and the HTTP layer's own settings.
#[derive(Clone)]
pub struct AppState {
    /// The core service.
    pub core: Playgate,
    /// Network settings.
    pub net: Arc<NetConfig>,
}

impl AppState {
    /// State for a core and network settings.
    pub fn new(core: Playgate, net: NetConfig) -> Self {
        AppState {
            core,
            net: Arc::new(net),
        }
    }
}
