//! Opening the store and the core, binding the listener, serving, and stopping.
//! Startup binds before it spawns and returns the bound address, so callers (tests,
//! readiness probes) never need to sleep.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use playgate_api::common::geoip::GeoIp;
use playgate_api::common::metrics::Exposition;
use playgate_api::{AdminServices, AppState, Features, NetConfig, PlatformServices};
use playgate_core::accounts::Accounts;
use playgate_core::audit::Audit;
use playgate_core::client_users::ClientUsers;
use playgate_core::clock::Clock;
use playgate_core::crypto::{MasterKey, Secret};
use playgate_core::economy::attributes::Attributes;
use playgate_core::economy::credits::Credits;
use playgate_core::economy::leaderboards::Leaderboards;
use playgate_core::economy::store_items::StoreItems;
use playgate_core::game::GameCredentials;
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
use playgate_store::{SqlStore, StoreOptions};
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::error::BoxError;

/// Opens (and migrates) the configured database.
pub async fn open_store(config: &Config) -> Result<Arc<SqlStore>, BoxError> {
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| format!("cannot create data directory {}: {e}", config.data_dir.display()))?;
    }
    let opts = StoreOptions {
        url: config.database_url(),
        max_connections: config.database_max_connections,
        read_connections: config.database_read_connections,
        sqlite_synchronous: config.sqlite_synchronous.clone(),
        sqlite_wal_autocheckpoint: config.sqlite_wal_autocheckpoint,
        acquire_timeout: Duration::from_millis(config.database_acquire_timeout_ms),
    };
    Ok(Arc::new(SqlStore::open(&opts).await?))
}

/// The master key: from config, or from the key file, created with mode 0600 on first use.
pub fn master_key(config: &Config) -> Result<MasterKey, BoxError> {
    if let Some(text) = &config.master_key {
        return Ok(MasterKey::from_base64(text)?);
    }
    let path = config.master_key_file();
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(MasterKey::from_base64(&text).map_err(|e| format!("{}: {e}", path.display()))?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_key_file(&path),
        Err(e) => Err(format!("cannot read master key file {}: {e}", path.display()).into()),
    }
}

fn create_key_file(path: &Path) -> Result<MasterKey, BoxError> {
    use std::os::unix::fs::OpenOptionsExt as _;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let (key, text) = MasterKey::generate();
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(mut f) => {
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            tracing::info!(path = %path.display(), "created a new master key file");
            Ok(key)
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Ok(MasterKey::from_base64(&std::fs::read_to_string(path)?)?)
        }
        Err(e) => Err(format!("cannot create master key file {}: {e}", path.display()).into()),
    }
}

/// Opens the store and builds the core.
pub async fn open_core(config: &Config, clock: Arc<dyn Clock>) -> Result<(Playgate, Arc<SqlStore>), BoxError> {
    let store = open_store(config).await?;
    let master = master_key(config)?;
    let core = Playgate::new(store.clone(), clock, master, config.settings()).await?;
    Ok((core, store))
}

fn net_config(config: &Config) -> Result<NetConfig, BoxError> {
    let trusted_proxies = config
        .trusted_proxies
        .iter()
        .map(|c| {
            c.parse::<ipnet::IpNet>()
                .or_else(|_| c.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("trusted_proxies: {c:?} is not a CIDR"))
        })
        .collect::<Result<_, _>>()?;
    Ok(NetConfig {
        trusted_proxies,
        admin_token: admin_token(config)?,
        max_body_bytes: usize::try_from(config.max_body_bytes).unwrap_or(usize::MAX),
        request_timeout: Duration::from_secs(config.request_timeout_secs),
    })
}

/// The admin token: from config, or from `admin_token_file`; `None` disables the admin API.
pub fn admin_token(config: &Config) -> Result<Option<Secret>, BoxError> {
    let text = match (&config.admin_token, &config.admin_token_file) {
        (Some(t), _) => t.to_string(),
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read admin token file {}: {e}", path.display()))?,
        (None, None) => return Ok(None),
    };
    let text = text.trim();
    if text.len() < 16 {
        return Err("admin_token must be at least 16 characters".into());
    }
    Ok(Some(Secret::new(text)))
}

fn app_state(
    config: &Config,
    core: Playgate,
    platform: PlatformServices,
    features: Features,
    admin: AdminServices,
    net: NetConfig,
) -> Result<AppState, BoxError> {
    let mut state = AppState::new(core, platform, features, admin, net);
    if let Some(path) = &config.geoip_database {
        state = state.with_geoip(GeoIp::open(path)?);
    }
    Ok(state)
}

/// A running server.
pub struct Running {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The address of the metrics listener, when `metrics_listen` is set.
    pub metrics_addr: Option<SocketAddr>,
    metrics_task: Option<JoinHandle<std::io::Result<()>>>,
    /// The core it serves.
    pub core: Playgate,
    /// The demo game created at this start, if the database was empty.
    pub demo: Option<GameCredentials>,
    shutdown: CancellationToken,
    task: JoinHandle<std::io::Result<()>>,
    store: Arc<SqlStore>,
    /// The GameFuse service it serves.
    pub gamefuse: Gamefuse,
    /// The client users' service it serves.
    pub client_users: ClientUsers,
    /// The store items service it serves.
    pub store_items: StoreItems,
    /// The game variables service it serves.
    pub game_variables: GameVariables,
    /// Its stats (tests flush this node's counts with [`Stats::flush`]).
    pub stats: Stats,
    flusher: JoinHandle<()>,
    grace: Duration,
}

impl Running {
    /// A token that stops the server when cancelled.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Waits until the server stops (after its shutdown token is cancelled), letting
    /// in-flight requests finish within the grace period.
    pub async fn wait(self) -> Result<(), BoxError> {
        let Running {
            shutdown,
            task,
            store,
            gamefuse,
            flusher,
            grace,
            metrics_task,
            stats,
            ..
        } = self;
        shutdown.cancelled().await;
        let res = match tokio::time::timeout(grace, task).await {
            Ok(joined) => joined
                .map_err(|e| format!("server task failed: {e}"))?
                .map_err(BoxError::from),
            Err(_) => Err("in-flight requests did not finish within the grace period".into()),
        };
        if let Some(t) = metrics_task {
            // Scrapes are short; one that hangs must not hold the shutdown.
            let _ = tokio::time::timeout(grace, t).await;
        }
        // The calls counted since the flusher's last run (it ends with the server).
        let _ = flusher.await;
        if let Err(e) = gamefuse.flush_events().await {
            tracing::warn!(error = %e, "could not write the last GameFuse event counts");
        }
        if let Err(e) = stats.flush().await {
            tracing::warn!(error = %e, "could not write the last stats counts");
        }
        store.close().await;
        res
    }

    /// Stops the server and waits for it.
    pub async fn stop(self) -> Result<(), BoxError> {
        self.shutdown.cancel();
        self.wait().await
    }
}

/// Every series (HTTP, core, store, process) in one registry, and the token guarding it.
fn exposition(
    config: &Config,
    state: &AppState,
    core: &Playgate,
    store: &Arc<SqlStore>,
) -> Result<Arc<Exposition>, BoxError> {
    let mut registry = Registry::default();
    registry.register_collector(Box::new(crate::process_metrics::Process::new()));
    let ours = registry.sub_registry_with_prefix("playgate");
    state.http_metrics.register(ours);
    core.register_metrics(ours);
    store.register_metrics(ours);
    let token = Config::secret(&config.metrics_token, &config.metrics_token_file)?.map(Secret::new);
    Ok(Arc::new(Exposition::new(registry, token.as_ref())))
}

/// The operators' services over the core and its store: wired here once, for the server's
/// admin API and console and for the command line alike.
pub fn admin_services(
    core: &Playgate,
    store: &Arc<SqlStore>,
    gamefuse: Gamefuse,
    clock: Arc<dyn Clock>,
) -> AdminServices {
    let audit = Audit::new(store.clone(), clock.clone());
    AdminServices {
        operators: Operators::new(store.clone(), clock.clone()),
        audit: audit.clone(),
        games: Games::new(store.clone(), clock.clone()),
        accounts: Accounts::new(store.clone(), core),
        stats: Stats::new(store.clone(), clock.clone(), core.metrics()),
        console: playgate_core::console::Console::new(store.clone(), core.clone()),
        game_data: GameData::new(
            GameVariables::new(store.clone(), store.clone()),
            StoreItems::new(store.clone(), store.clone(), clock),
            gamefuse,
            audit,
        ),
    }
}

/// Starts a server: opens the database, creates the demo game on a fresh one, binds, and
/// serves in the background.
pub async fn start(config: Config, clock: Arc<dyn Clock>) -> Result<Running, BoxError> {
    let net = net_config(&config)?;
    let (core, store) = open_core(&config, clock.clone()).await?;
    let demo = if config.create_demo_game {
        core.create_demo_game_if_empty().await?
    } else {
        None
    };
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr()?;
    let gamefuse = crate::gamefuse::service(&config, core.clone(), store.clone())?;
    let client_users = crate::client_users::service(&config, &core, store.clone(), addr, gamefuse.pending_counts())?;
    let store_items = StoreItems::new(store.clone(), store.clone(), clock.clone());
    let game_variables = GameVariables::new(store.clone(), store.clone());
    let platform = PlatformServices {
        sessions: Sessions::new(
            store.clone(),
            core.keys(),
            core.limiter(),
            core.master().clone(),
            clock.clone(),
            core.shared_settings(),
            core.metrics(),
        ),
        logins: Logins::new(store.clone(), &core),
        links: Links::new(
            store.clone(),
            store.clone(),
            core.limiter(),
            clock.clone(),
            core.shared_settings(),
        ),
    };
    let features = Features {
        gamefuse: gamefuse.clone(),
        client_users: client_users.clone(),
        friends: Friends::new(store.clone(), store.clone(), clock.clone()),
        groups: Groups::new(store.clone(), store.clone(), clock.clone()),
        chats: Chats::new(store.clone(), store.clone(), store.clone(), clock.clone()),
        rounds: Rounds::new(store.clone(), store.clone(), clock.clone()),
        credits: Credits::new(store.clone()),
        store_items: store_items.clone(),
        game_variables: game_variables.clone(),
        leaderboards: Leaderboards::new(store.clone(), clock.clone()),
        attributes: Attributes::new(store.clone()),
        own_reads: OwnReads::new(store.clone()),
        players: Players::new(store.clone(), clock.clone()),
    };
    let admin = admin_services(&core, &store, gamefuse.clone(), clock.clone());
    let (audit, stats) = (admin.audit.clone(), admin.stats.clone());
    let mut state = app_state(&config, core.clone(), platform, features, admin, net)?;
    let exposition = exposition(&config, &state, &core, &store)?;
    let shutdown = CancellationToken::new();
    let (metrics_addr, metrics_task) = match config.metrics_listen {
        None => {
            state = state.with_exposition(exposition);
            (None, None)
        }
        Some(at) => {
            let listener = TcpListener::bind(at)
                .await
                .map_err(|e| format!("cannot listen on {at} (metrics_listen): {e}"))?;
            let addr = listener.local_addr()?;
            let router: axum::Router = playgate_api::common::metrics::router(exposition);
            let task = tokio::spawn(crate::serve::serve(listener, router, limits(&config), shutdown.clone()));
            (Some(addr), Some(task))
        }
    };
    let app = playgate_api::app(state);
    let task = tokio::spawn(crate::serve::serve(listener, app, limits(&config), shutdown.clone()));
    let flusher = tokio::spawn(flush_events(gamefuse.clone(), shutdown.clone()));
    spawn_maintenance(&config, &core, &audit, &shutdown);
    if let Some(period) = Some(Duration::from_millis(config.stats_flush_ms)).filter(|d| !d.is_zero()) {
        let stats = stats.clone();
        tokio::spawn(periodically(period, shutdown.clone(), move || {
            let stats = stats.clone();
            async move {
                if let Err(e) = stats.flush().await {
                    tracing::warn!(error = %e, "could not write the stats counts; kept for the next try");
                }
            }
        }));
    }
    tracing::info!(%addr, backend = store.backend(), "playgate listening");
    Ok(Running {
        addr,
        metrics_addr,
        metrics_task,
        core,
        demo,
        shutdown,
        task,
        store,
        gamefuse,
        client_users,
        store_items,
        game_variables,
        stats,
        flusher,
        grace: Duration::from_secs(config.shutdown_grace_secs),
    })
}

/// The connection limits of the config.
pub fn limits(config: &Config) -> crate::serve::Limits {
    crate::serve::Limits {
        max_connections: usize::try_from(config.max_connections).unwrap_or(usize::MAX),
        header_read_timeout: Duration::from_secs(config.header_read_timeout_secs),
        idle_timeout: Duration::from_secs(config.idle_timeout_secs),
        request_timeout: Duration::from_secs(config.request_timeout_secs),
    }
}

/// Writes the GameFuse event tally every `events_flush_every` until `stop`
/// ([`Running::wait`] writes the rest).
async fn flush_events(gamefuse: Gamefuse, stop: CancellationToken) {
    let mut every = tokio::time::interval(gamefuse.settings().events_flush_every);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {
                if let Err(e) = gamefuse.flush_events().await {
                    tracing::warn!(error = %e, "could not write GameFuse event counts; kept for the next try");
                }
            }
            () = stop.cancelled() => return,
        }
    }
}

/// The lease name of the audit log's pruning job.
const AUDIT_PRUNE_JOB: &str = "prune-audit";

/// Starts the node's periodic jobs, which end with `stop`: the signing-key check (a
/// rotation reaches this node within `signing_key_check_ms`) and the deletion of expired
/// failure windows (every `failure_prune_secs`) and of audit events past
/// `audit_retention_days` (every `audit_prune_secs`), each one node at a time. A period of
/// 0 turns a job off.
fn spawn_maintenance(config: &Config, core: &Playgate, audit: &Audit, stop: &CancellationToken) {
    let every = |d: Duration| (!d.is_zero()).then_some(d);
    if let Some(period) = every(Duration::from_millis(config.signing_key_check_ms)) {
        let core = core.clone();
        tokio::spawn(periodically(period, stop.clone(), move || {
            let core = core.clone();
            async move {
                if let Err(e) = core.refresh_keys().await {
                    tracing::warn!(error = %e, "could not check the signing keys");
                }
            }
        }));
    }
    if let Some(period) = every(Duration::from_secs(config.failure_prune_secs)) {
        let core = core.clone();
        tokio::spawn(periodically(period, stop.clone(), move || {
            let core = core.clone();
            async move {
                match core.prune_failures(period).await {
                    Ok(Some(n)) if n > 0 => tracing::debug!(rows = n, "expired failure windows deleted"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "could not delete expired failure windows"),
                }
            }
        }));
    }
    let retention = Duration::from_secs(config.audit_retention_days.saturating_mul(24 * 3600));
    if let (Some(period), false) = (every(Duration::from_secs(config.audit_prune_secs)), retention.is_zero()) {
        let (core, audit) = (core.clone(), audit.clone());
        tokio::spawn(periodically(period, stop.clone(), move || {
            let (core, audit) = (core.clone(), audit.clone());
            async move {
                let pruned = match core.take_job(AUDIT_PRUNE_JOB, period).await {
                    Ok(true) => audit.prune(retention).await,
                    Ok(false) => return,
                    Err(e) => Err(e),
                };
                match pruned {
                    Ok(n) if n > 0 => tracing::debug!(rows = n, "audit events past the retention deleted"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "could not delete old audit events"),
                }
            }
        }));
    }
}

/// Runs `job` every `period` (the first run after one period) until `stop`.
async fn periodically<F, Fut>(period: Duration, stop: CancellationToken, job: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let start = tokio::time::Instant::now() + period;
    let mut every = tokio::time::interval_at(start, period);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => job().await,
            () = stop.cancelled() => return,
        }
    }
}
