//! Application state handed to every handler.

use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;
use playgate_core::accounts::Accounts;
use playgate_core::audit::Audit;
use playgate_core::client_users::ClientUsers;
use playgate_core::console::Console;
use playgate_core::crypto::Secret;
use playgate_core::economy::attributes::Attributes;
use playgate_core::economy::credits::Credits;
use playgate_core::economy::leaderboards::Leaderboards;
use playgate_core::economy::store_items::StoreItems;
use playgate_core::game_data::GameData;
use playgate_core::game_variables::GameVariables;
use playgate_core::gamefuse::Gamefuse;
use playgate_core::games::Games;
use playgate_core::link::Links;
use playgate_core::login::Logins;
use playgate_core::operators::Operators;
use playgate_core::own_data::OwnReads;
use playgate_core::players::Players;
use playgate_core::rounds::Rounds;
use playgate_core::service::Playgate;
use playgate_core::session::Sessions;
use playgate_core::social::chats::Chats;
use playgate_core::social::friends::Friends;
use playgate_core::social::groups::Groups;
use playgate_core::stats::Stats;

use super::geoip::GeoIp;
use super::metrics::{Exposition, HttpMetrics};

/// Network settings the HTTP layer needs.
#[derive(Debug, Clone)]
pub struct NetConfig {
    /// Peers whose `X-Forwarded-For` is believed. Empty by default: the request IP is the
    /// TCP peer.
    pub trusted_proxies: Vec<IpNet>,
    /// The bearer token of the admin HTTP API (`admin_token`); without it the admin API
    /// answers 404.
    pub admin_token: Option<Secret>,
    /// Largest request body read, in bytes; a larger one is answered 413.
    pub max_body_bytes: usize,
    /// Longest time one request may take, from its head to its answer; past it the client
    /// gets a 503 and the connection is closed (the handler still runs to completion).
    pub request_timeout: Duration,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            trusted_proxies: Vec::new(),
            admin_token: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// The default body limit: 2 MiB (axum's own default, kept).
pub const DEFAULT_MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The services of the game features, as the server wires them.
pub struct Features {
    /// The GameFuse service: its calls' authentication, service keys, route switches and
    /// test suite.
    pub gamefuse: Gamefuse,
    /// E-mail/password players: sign-up, sign-in, profile, password, password reset.
    pub client_users: ClientUsers,
    /// Friend requests and friendships.
    pub friends: Friends,
    /// Groups, their members, invites, join requests and attributes.
    pub groups: Groups,
    /// Direct and group chats and their messages.
    pub chats: Chats,
    /// Game rounds, single-player and multiplayer.
    pub rounds: Rounds,
    /// Users' credits and score.
    pub credits: Credits,
    /// A game's store items and users' purchases of them.
    pub store_items: StoreItems,
    /// Games' variables.
    pub game_variables: GameVariables,
    /// Leaderboards.
    pub leaderboards: Leaderboards,
    /// Users' attributes.
    pub attributes: Attributes,
    /// A user's own full data, read at once.
    pub own_reads: OwnReads,
    /// Player administration (search, bans, sessions, erasure, export).
    pub players: Players,
}

/// The services of the KGeN and i3D dialects, as the server wires them.
pub struct PlatformServices {
    /// Players' server-to-server sessions, with the game backends' credential check.
    pub sessions: Sessions,
    /// Platform accounts' logins through API keys, and their 2FA.
    pub logins: Logins,
    /// Link codes between players and platform accounts.
    pub links: Links,
}

/// The services of the admin API, as the server wires them.
pub struct AdminServices {
    /// The operators of the admin API.
    pub operators: Operators,
    /// The audit log.
    pub audit: Audit,
    /// Games as operators manage them.
    pub games: Games,
    /// Platform accounts as operators manage them.
    pub accounts: Accounts,
    /// Counts and per-minute series for a dashboard.
    pub stats: Stats,
    /// The web console's sign-in and sessions.
    pub console: Console,
    /// Operators' changes to a game's data, each recorded in the audit log.
    pub game_data: GameData,
}

/// Shared state: the core and the HTTP layer's own settings. axum clones the state for
/// every request, so it is one `Arc` (one atomic increment) rather than its parts.
#[derive(Clone)]
pub struct AppState(Arc<AppParts>);

/// The parts of [`AppState`] (reached through `Deref`: `state.core`, `state.gamefuse`, …).
#[derive(Clone)]
pub struct AppParts {
    /// The core's shared parts (the clock, readiness, the credential limiter, the
    /// operators' account tools).
    pub core: Playgate,
    /// Players' server-to-server sessions, with the game backends' credential check.
    pub sessions: Sessions,
    /// Platform accounts' logins through API keys, and their 2FA.
    pub logins: Logins,
    /// Link codes between players and platform accounts.
    pub links: Links,
    /// Network settings.
    pub net: Arc<NetConfig>,
    /// Country lookups (i3D `requestIpCountry`).
    pub geo: Arc<GeoIp>,
    /// The GameFuse service: its calls' authentication, service keys, route switches and
    /// test suite.
    pub gamefuse: Gamefuse,
    /// E-mail/password players: sign-up, sign-in, profile, password, password reset.
    pub client_users: ClientUsers,
    /// The operators of the admin API.
    pub operators: Operators,
    /// The audit log.
    pub audit: Audit,
    /// The web console's sign-in and sessions (over the operators' store).
    pub console: Console,
    /// Games as operators manage them.
    pub games: Games,
    /// Operators' changes to a game's data, each recorded in the audit log.
    pub game_data: GameData,
    /// Platform accounts as operators manage them.
    pub accounts: Accounts,
    /// Counts and per-minute series for a dashboard.
    pub stats: Stats,
    /// Friend requests and friendships.
    pub friends: Friends,
    /// Groups, their members, invites, join requests and attributes.
    pub groups: Groups,
    /// Direct and group chats and their messages.
    pub chats: Chats,
    /// Game rounds, single-player and multiplayer.
    pub rounds: Rounds,
    /// Users' credits and score.
    pub credits: Credits,
    /// A game's store items and users' purchases of them.
    pub store_items: StoreItems,
    /// Games' variables.
    pub game_variables: GameVariables,
    /// Leaderboard entries and boards.
    pub leaderboards: Leaderboards,
    /// Users' attributes.
    pub attributes: Attributes,
    /// A user's own full data, read at once.
    pub own_reads: OwnReads,
    /// Player administration (search, bans, sessions, erasure, export).
    pub players: Players,
    /// The HTTP layer's request counters and timings.
    pub http_metrics: Arc<HttpMetrics>,
    /// `GET /metrics` on this router (None: not served here).
    pub exposition: Option<Arc<Exposition>>,
}

impl AppState {
    /// State for a core, the dialects' services, the game features' services, the admin
    /// API's services, and network settings.
    pub fn new(
        core: Playgate,
        platform: PlatformServices,
        features: Features,
        admin: AdminServices,
        net: NetConfig,
    ) -> Self {
        let PlatformServices {
            sessions,
            logins,
            links,
        } = platform;
        let AdminServices {
            operators,
            audit,
            games,
            accounts,
            stats,
            console,
            game_data,
        } = admin;
        let Features {
            gamefuse,
            client_users,
            friends,
            groups,
            chats,
            rounds,
            credits,
            store_items,
            game_variables,
            leaderboards,
            attributes,
            own_reads,
            players,
        } = features;
        let geo = GeoIp::embedded().unwrap_or_else(|e| {
            tracing::error!(error = %e, "GeoIP disabled");
            GeoIp::none()
        });
        let http_metrics = Arc::new(HttpMetrics::with_stats(core.metrics()));
        AppState(Arc::new(AppParts {
            console,
            gamefuse,
            client_users,
            friends,
            groups,
            chats,
            rounds,
            credits,
            store_items,
            game_variables,
            leaderboards,
            attributes,
            own_reads,
            players,
            core,
            sessions,
            logins,
            links,
            operators,
            audit,
            games,
            game_data,
            accounts,
            stats,
            net: Arc::new(net),
            geo: Arc::new(geo),
            http_metrics,
            exposition: None,
        }))
    }

    /// Uses this GeoIP database instead of the embedded one.
    pub fn with_geoip(mut self, geo: GeoIp) -> Self {
        Arc::make_mut(&mut self.0).geo = Arc::new(geo);
        self
    }
}

impl AppState {
    /// The same state serving `GET /metrics` on its router.
    pub fn with_exposition(mut self, exposition: Arc<Exposition>) -> Self {
        Arc::make_mut(&mut self.0).exposition = Some(exposition);
        self
    }
}

impl std::ops::Deref for AppState {
    type Target = AppParts;
    fn deref(&self) -> &AppParts {
        &self.0
    }
}
