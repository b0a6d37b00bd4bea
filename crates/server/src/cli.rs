//! The command line: `playgate [serve]`, `migrate`, `game …`, `keys rotate`, `account …`,
//! `apikey create`, `operator …`, `audit list`.

use std::future::Future;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use playgate_api::AdminServices;
use playgate_core::audit::{Actor, NewAuditEvent};
use playgate_core::clock::SystemClock;
use playgate_core::economy::store_items::StoreItems;
use playgate_core::game::{Game, GameCredentials, NewGame};
use playgate_core::game_variables::GameVariables;
use playgate_core::gamefuse::Gamefuse;
use playgate_core::games::{CredentialKind, GamePatch};
use playgate_core::ids::GameId;
use playgate_core::service::Playgate;
use playgate_store::SqlStore;
use serde::Serialize;

use crate::config::{Config, local_url};
use crate::error::BoxError;
use crate::gamefuse_cli as gf;
use crate::startup;

/// Playgate: player accounts and sessions for games, speaking KGeN, i3D.net and GameFuse.
#[derive(Debug, Parser)]
#[command(name = "playgate", version)]
pub struct Cli {
    /// Config file (default: ./playgate.toml if present; also PLAYGATE_CONFIG).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Listen address (PLAYGATE_LISTEN; default 127.0.0.1:8080).
    #[arg(long, global = true)]
    pub listen: Option<String>,
    /// Data directory for SQLite and the master key (PLAYGATE_DATA_DIR; default ./playgate-data).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// sqlite://PATH or postgres://… (PLAYGATE_DATABASE_URL).
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (what a bare `playgate` does).
    Serve,
    /// Apply database migrations and exit (for PostgreSQL deployments).
    Migrate,
    /// Manage games.
    #[command(subcommand)]
    Game(GameCommand),
    /// Manage token signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage platform accounts (i3D dialect).
    #[command(subcommand)]
    Account(crate::accounts_cli::AccountCommand),
    /// Manage API keys (i3D dialect's PRIVATE-TOKEN).
    #[command(subcommand)]
    Apikey(crate::accounts_cli::ApikeyCommand),
    /// Manage a game's GameFuse store items.
    #[command(subcommand)]
    StoreItem(gf::StoreItemCommand),
    /// Manage a game's GameFuse service keys.
    #[command(subcommand)]
    ServiceKey(gf::ServiceKeyCommand),
    /// Allow or deny GameFuse routes per game, for users and for service keys.
    #[command(subcommand)]
    RouteAccess(gf::RouteCommand),
    /// Mail Playgate sent or would send (password reset links).
    #[command(subcommand)]
    Outbox(gf::OutboxCommand),
    /// Manage the operators of the admin API (personal tokens, roles).
    #[command(subcommand)]
    Operator(crate::operators_cli::OperatorCommand),
    /// Find, show, ban, erase and export a game's players.
    #[command(subcommand)]
    Player(crate::players_cli::PlayerCommand),
    /// List and end players' sessions.
    #[command(subcommand)]
    Session(crate::players_cli::SessionCommand),
    /// Read the audit log.
    #[command(subcommand)]
    Audit(crate::audit_cli::AuditCommand),
}

/// `playgate game …`
#[derive(Debug, Subcommand)]
pub enum GameCommand {
    /// Create a game and print its credentials once.
    Create {
        /// Display name.
        #[arg(long)]
        name: String,
        /// Client name shown as third_party_client_name (default: from the name).
        #[arg(long)]
        client_name: Option<String>,
        /// Description.
        #[arg(long, default_value = "")]
        description: String,
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
    },
    /// List games.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Issue a new client secret; the old one stops working.
    RotateSecret {
        /// Game id.
        id: i64,
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Refuse the game's credentials.
    Disable {
        /// Game id.
        id: i64,
    },
    /// Accept the game's credentials again.
    Enable {
        /// Game id.
        id: i64,
    },
    /// Issue a new GameFuse game token; the old one stops working.
    RotateToken {
        /// Game id.
        id: i64,
    },
    /// Manage a game's GameFuse game variables.
    #[command(subcommand)]
    Var(gf::VarCommand),
}

/// `playgate keys …`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Add a new JWT signing key; it signs from now on, older keys still verify.
    Rotate,
}

impl Cli {
    /// The configuration these arguments and the environment select.
    pub fn config(&self) -> Result<Config, BoxError> {
        let mut flags = Vec::new();
        if let Some(v) = &self.listen {
            flags.push(("listen", v.clone()));
        }
        if let Some(v) = &self.data_dir {
            flags.push(("data_dir", v.display().to_string()));
        }
        if let Some(v) = &self.database_url {
            flags.push(("database_url", v.clone()));
        }
        let file = self
            .config
            .clone()
            .or_else(|| std::env::var_os("PLAYGATE_CONFIG").map(PathBuf::from));
        // The master key's `*_FILE` form is the `master_key_file` key itself.
        let env = std::env::vars().filter(|(k, _)| k != "PLAYGATE_CONFIG");
        Ok(Config::load(file.as_deref(), env, &flags)?)
    }
}

#[derive(Serialize)]
struct GameJson<'a> {
    id: i64,
    name: &'a str,
    client_id: &'a str,
    client_name: &'a str,
    enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<&'a str>,
    gamefuse_token: &'a str,
}

fn game_json<'a>(g: &'a Game, secret: Option<&'a str>) -> GameJson<'a> {
    GameJson {
        id: g.id.0,
        name: &g.name,
        client_id: &g.client_id,
        client_name: &g.client_name,
        enabled: g.enabled,
        client_secret: secret,
        gamefuse_token: &g.gamefuse_token,
    }
}

fn print_credentials(c: &GameCredentials, json: bool) -> Result<(), BoxError> {
    if json {
        println!(
            "{}",
            serde_json::to_string(&game_json(&c.game, Some(c.client_secret.expose())))?
        );
    } else {
        println!("game {} \"{}\" ({})", c.game.id, c.game.name, c.game.client_name);
        println!("  client id:     {}", c.game.client_id);
        println!(
            "  client secret: {}   (shown once; only its hash is stored)",
            c.client_secret.expose()
        );
        println!("  gamefuse token: {}   (GameFuse game_token)", c.game.gamefuse_token);
    }
    Ok(())
}

/// The first-start banner: the demo game's credentials and a curl that works as printed.
pub fn demo_banner(c: &GameCredentials, addr: SocketAddr) -> String {
    format!(
        "A new database: created the demo game \"{name}\" (id {id}). Its secret is shown only now.\n  \
         client id:     {cid}\n  client secret: {secret}\n\
         Create (or retrieve) a player session:\n  \
         curl -s -X POST {url}/s2s/session -H 'Content-Type: application/json' \
         -H 'x-client-id: {cid}' -H 'x-client-secret: {secret}' -d '{{\"user_id\":\"player-1\"}}'\n\
         GameFuse SDKs: base URL {url}/api/v3, game id {id}, game token {gft}\n",
        name = c.game.name,
        id = c.game.id,
        cid = c.game.client_id,
        secret = c.client_secret.expose(),
        url = local_url(addr),
        gft = c.game.gamefuse_token,
    )
}

/// Writes `text` to `path`, readable by its owner only (an existing file is replaced and
/// narrowed to mode 0600 too).
pub fn write_private(path: &std::path::Path, text: &str) -> Result<(), BoxError> {
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(fail)?;
    f.set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(fail)?;
    f.write_all(text.as_bytes()).map_err(fail)?;
    f.sync_all().map_err(fail)?;
    Ok(())
}

async fn serve(config: Config) -> Result<(), BoxError> {
    use tokio::signal::unix::{SignalKind, signal};
    // Install the handlers before announcing readiness: a SIGTERM that arrives right after
    // the banner must shut down gracefully, not kill the process.
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    match crate::serve::raise_file_limit() {
        // Room for the database connections, data files and the listener beside clients.
        Ok(files) if files < u64::from(config.max_connections) + 128 => tracing::warn!(
            files,
            max_connections = config.max_connections,
            "the open-file limit is low for max_connections: lower it or raise the hard limit"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "cannot read or raise the open-file limit"),
    }
    let secret_file = config.demo_secret_file.clone();
    let running = startup::start(config, Arc::new(SystemClock)).await?;
    // Best effort: a closed stdout (piped into `head`, say) must not stop the server.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "Playgate is listening on {}", local_url(running.addr));
    if let Some(demo) = &running.demo {
        match &secret_file {
            Some(path) => {
                write_private(path, &demo_banner(demo, running.addr))?;
                let _ = writeln!(
                    out,
                    "A new database: created the demo game \"{}\" (id {}); its credentials are in {} (mode 0600).",
                    demo.game.name,
                    demo.game.id,
                    path.display()
                );
            }
            None => {
                let _ = writeln!(out, "{}", demo_banner(demo, running.addr));
            }
        }
    }
    let _ = out.flush();
    drop(out);
    let token = running.shutdown_token();
    tokio::spawn(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        tracing::info!("shutting down: finishing in-flight requests");
        token.cancel();
    });
    running.wait().await
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<(), BoxError> {
    let config = cli.config()?;
    crate::telemetry::init(&config);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let store = startup::open_store(&config).await?;
            store.close().await;
            println!("migrations applied ({})", store.backend());
            Ok(())
        }
        Command::Game(cmd) => {
            let config = &config;
            on_admin(config, |core, store, _, admin| async move {
                game_command(&core, &store, &admin, cmd).await
            })
            .await
        }
        cmd @ (Command::StoreItem(_) | Command::ServiceKey(_) | Command::RouteAccess(_) | Command::Outbox(_)) => {
            let config = &config;
            on_admin(config, |core, store, g, admin| async move {
                match cmd {
                    Command::StoreItem(c) => {
                        let items = StoreItems::new(store.clone(), store.clone(), Arc::new(SystemClock));
                        gf::store_item(&admin.games, &items, &admin.game_data, c).await
                    }
                    Command::ServiceKey(c) => gf::service_key(&g, &admin.game_data, c).await,
                    Command::RouteAccess(c) => gf::route(&g, &admin.game_data, c).await,
                    Command::Outbox(c) => {
                        let pending = Arc::new(playgate_core::client_users::NoPendingCounts);
                        let users = crate::client_users::service(config, &core, store.clone(), config.listen, pending)?;
                        gf::outbox(&users, c).await
                    }
                    _ => Ok(()),
                }
            })
            .await
        }
        Command::Operator(cmd) => {
            on_admin(&config, |_, _, _, a| async move {
                crate::operators_cli::operator_command(&a.operators, &a.audit, &a.console, cmd).await
            })
            .await
        }
        cmd @ (Command::Player(_) | Command::Session(_)) => {
            on_store(&config, |store| async move {
                let players = playgate_core::players::Players::new(store, Arc::new(SystemClock));
                match cmd {
                    Command::Player(c) => crate::players_cli::player_command(&players, c).await,
                    Command::Session(c) => crate::players_cli::session_command(&players, c).await,
                    _ => Ok(()),
                }
            })
            .await
        }
        Command::Audit(cmd) => {
            on_store(&config, |store| async move {
                let audit = playgate_core::audit::Audit::new(store, Arc::new(SystemClock));
                crate::audit_cli::audit_command(&audit, cmd).await
            })
            .await
        }
        Command::Account(cmd) => {
            on_admin(&config, |_, _, _, admin| async move {
                crate::accounts_cli::account_command(&admin.accounts, cmd).await
            })
            .await
        }
        Command::Apikey(cmd) => {
            on_admin(&config, |_, _, _, admin| async move {
                crate::accounts_cli::apikey_command(&admin.accounts, cmd).await
            })
            .await
        }
        Command::Keys(KeysCommand::Rotate) => {
            let check_ms = config.signing_key_check_ms;
            on_core(&config, |core, _| async move {
                let kid = core.rotate_signing_key().await?;
                println!(
                    "new signing key {kid}; running nodes sign with it within signing_key_check_ms ({check_ms} ms)"
                );
                Ok(())
            })
            .await
        }
    }
}

/// Runs `f` on the database's store, then closes the store whatever `f` answered.
async fn on_store<F, Fut>(config: &Config, f: F) -> Result<(), BoxError>
where
    F: FnOnce(Arc<SqlStore>) -> Fut,
    Fut: Future<Output = Result<(), BoxError>>,
{
    let store = startup::open_store(config).await?;
    let res = f(store.clone()).await;
    store.close().await;
    res
}

/// Runs `f` on the core and its store, then closes the store whatever `f` answered.
async fn on_core<F, Fut>(config: &Config, f: F) -> Result<(), BoxError>
where
    F: FnOnce(Playgate, Arc<SqlStore>) -> Fut,
    Fut: Future<Output = Result<(), BoxError>>,
{
    let (core, store) = startup::open_core(config, Arc::new(SystemClock)).await?;
    let res = f(core, store.clone()).await;
    store.close().await;
    res
}

/// Runs `f` on the core, its store, the GameFuse service and the operators' services (wired
/// as the server wires them, [`startup::admin_services`]), then closes the store whatever
/// `f` answered.
async fn on_admin<F, Fut>(config: &Config, f: F) -> Result<(), BoxError>
where
    F: FnOnce(Playgate, Arc<SqlStore>, Gamefuse, AdminServices) -> Fut,
    Fut: Future<Output = Result<(), BoxError>>,
{
    on_core(config, |core, store| async move {
        let gamefuse = crate::gamefuse::service(config, core.clone(), store.clone())?;
        let admin = startup::admin_services(&core, &store, gamefuse.clone(), Arc::new(SystemClock));
        f(core, store, gamefuse, admin).await
    })
    .await
}

async fn game_command(
    core: &Playgate,
    store: &Arc<SqlStore>,
    admin: &AdminServices,
    cmd: GameCommand,
) -> Result<(), BoxError> {
    let games = &admin.games;
    match cmd {
        GameCommand::Var(v) => {
            let vars = GameVariables::new(store.clone(), store.clone());
            gf::var(games, &vars, &admin.game_data, v).await
        }
        GameCommand::RotateToken { id } => {
            let (g, token) = games
                .rotate(GameId(id), CredentialKind::Gamefuse, NewAuditEvent::by(Actor::Cli))
                .await?;
            println!("game {}: new gamefuse token {}", g.id, token.expose());
            Ok(())
        }
        GameCommand::Create {
            name,
            client_name,
            description,
            json,
        } => {
            let new = NewGame {
                name,
                description,
                client_name,
            };
            let creds = games.create(new, NewAuditEvent::by(Actor::Cli)).await?;
            print_credentials(&creds, json)
        }
        GameCommand::List { json } => {
            let games = core.list_games().await?;
            if json {
                let list: Vec<_> = games.iter().map(|g| game_json(g, None)).collect();
                println!("{}", serde_json::to_string(&list)?);
            } else {
                println!(
                    "{:>6}  {:<12} {:<8} {:<32} {:<48} NAME",
                    "ID", "CLIENT_ID", "ENABLED", "CLIENT_NAME", "GAMEFUSE_TOKEN"
                );
                for g in games {
                    println!(
                        "{:>6}  {:<12} {:<8} {:<32} {:<48} {}",
                        g.id, g.client_id, g.enabled, g.client_name, g.gamefuse_token, g.name
                    );
                }
            }
            Ok(())
        }
        GameCommand::RotateSecret { id, json } => {
            let (game, client_secret) = games
                .rotate(GameId(id), CredentialKind::Kgen, NewAuditEvent::by(Actor::Cli))
                .await?;
            print_credentials(&GameCredentials { game, client_secret }, json)
        }
        GameCommand::Disable { id } => {
            let g = games
                .update(GameId(id), enabled(false), NewAuditEvent::by(Actor::Cli))
                .await?;
            println!("game {} disabled", g.id);
            Ok(())
        }
        GameCommand::Enable { id } => {
            let g = games
                .update(GameId(id), enabled(true), NewAuditEvent::by(Actor::Cli))
                .await?;
            println!("game {} enabled", g.id);
            Ok(())
        }
    }
}

/// A change of only the game's `enabled` flag.
fn enabled(on: bool) -> GamePatch {
    GamePatch {
        enabled: Some(on),
        ..GamePatch::default()
    }
}
