//! GameFuse's operator commands: game variables, store items, service keys, route
//! switches, and the outbox of sent (or unsendable) mail. Changes go through the core's
//! game-data service, so they are recorded in the audit log under the actor `cli`, like the
//! admin API's and the console's.

use crate::error::BoxError;
use clap::{Subcommand, ValueEnum};
use playgate_core::audit::{Actor, NewAuditEvent};
use playgate_core::client_users::ClientUsers;
use playgate_core::economy::store_items::{NewStoreItem, StoreItems};
use playgate_core::game_data::GameData;
use playgate_core::game_variables::GameVariables;
use playgate_core::gamefuse::Gamefuse;
use playgate_core::gamefuse::keys::RouteAccess;
use playgate_core::games::Games;
use playgate_core::ids::GameId;
use playgate_core::vendor::gamefuse::iso_millis;
use serde_json::json;

/// `playgate game var …`
#[derive(Debug, Subcommand)]
pub enum VarCommand {
    /// Set a game variable (shown by GET /api/v3/games/verify).
    Set {
        /// Game id.
        game: i64,
        /// Key.
        key: String,
        /// Value.
        value: String,
    },
    /// List a game's variables.
    List {
        /// Game id.
        game: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Delete a game variable.
    Delete {
        /// Game id.
        game: i64,
        /// Key.
        key: String,
    },
}

/// `playgate store-item …`
#[derive(Debug, Subcommand)]
pub enum StoreItemCommand {
    /// Add an item to a game's store.
    Add {
        /// Game id.
        #[arg(long)]
        game: i64,
        /// Name.
        #[arg(long)]
        name: String,
        /// Cost in credits.
        #[arg(long)]
        cost: i64,
        /// Description.
        #[arg(long, default_value = "")]
        description: String,
        /// Category.
        #[arg(long, default_value = "")]
        category: String,
        /// Icon URL.
        #[arg(long)]
        icon_url: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List a game's store items.
    List {
        /// Game id.
        game: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Delete a store item (and every purchase of it).
    Delete {
        /// Game id.
        game: i64,
        /// Item id.
        id: i64,
    },
}

/// `playgate service-key …`
#[derive(Debug, Subcommand)]
pub enum ServiceKeyCommand {
    /// Create a GameFuse service key for a game; its token is shown once.
    Add {
        /// Game id.
        game: i64,
        /// Key name (the `service-key-name` header).
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List a game's service keys.
    List {
        /// Game id.
        game: i64,
    },
    /// Delete a service key; it stops working at once.
    Delete {
        /// Game id.
        game: i64,
        /// Key name.
        name: String,
    },
}

/// Allowed or not.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Switch {
    /// Allowed.
    Allow,
    /// Refused (403).
    Deny,
}

/// `playgate route-access …`
#[derive(Debug, Subcommand)]
pub enum RouteCommand {
    /// Allow or deny one GameFuse route (its path under /api/v3, e.g.
    /// `users/{id}/add_leaderboard_entry`) to game users and to service keys.
    Set {
        /// Game id.
        game: i64,
        /// Route.
        route: String,
        /// Callers with a user's authentication token.
        #[arg(long, value_enum, default_value = "allow")]
        user: Switch,
        /// Callers with a service key.
        #[arg(long, value_enum, default_value = "allow")]
        key: Switch,
    },
    /// List a game's route switches (unlisted routes are allowed to both).
    List {
        /// Game id.
        game: i64,
    },
}

/// `playgate outbox …`
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// The newest messages (password reset links …), sent or not.
    List {
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `playgate game var …`.
pub async fn var(games: &Games, vars: &GameVariables, data: &GameData, cmd: VarCommand) -> Result<(), BoxError> {
    match cmd {
        VarCommand::Set { game, key, value } => {
            let v = data
                .set_variable(GameId(game), &key, &value, NewAuditEvent::by(Actor::Cli))
                .await?;
            println!("game {game}: {} = {}", v.key, v.value);
        }
        VarCommand::List { game, json } => {
            let g = games.get(GameId(game)).await?;
            let vars = vars.list(g.id).await?;
            if json {
                let list: Vec<_> = vars
                    .iter()
                    .map(|v| json!({"id": v.id, "key": v.key, "value": v.value}))
                    .collect();
                println!("{}", serde_json::to_string(&list)?);
            } else {
                for v in vars {
                    println!("{} = {}", v.key, v.value);
                }
            }
        }
        VarCommand::Delete { game, key } => {
            data.delete_variable(GameId(game), &key, NewAuditEvent::by(Actor::Cli))
                .await?;
            println!("game {game}: {key} deleted");
        }
    }
    Ok(())
}

/// Runs `playgate store-item …`.
pub async fn store_item(
    games: &Games,
    items: &StoreItems,
    data: &GameData,
    cmd: StoreItemCommand,
) -> Result<(), BoxError> {
    let show = |i: &playgate_core::economy::store_items::StoreItem| {
        json!({"id": i.id, "game_id": i.game_id.0, "name": i.name, "description": i.description,
               "category": i.category, "cost": i.cost, "icon_url": i.icon_url})
    };
    match cmd {
        StoreItemCommand::Add {
            game,
            name,
            cost,
            description,
            category,
            icon_url,
            json,
        } => {
            let item = NewStoreItem {
                name,
                description,
                category,
                cost,
                icon_url,
            };
            let i = data
                .add_store_item(GameId(game), item, NewAuditEvent::by(Actor::Cli))
                .await?;
            if json {
                println!("{}", show(&i));
            } else {
                println!(
                    "store item {} \"{}\" ({} credits) added to game {game}",
                    i.id, i.name, i.cost
                );
            }
        }
        StoreItemCommand::List { game, json } => {
            let g = games.get(GameId(game)).await?;
            let items = items.list(g.id).await?;
            if json {
                let list: Vec<_> = items.iter().map(show).collect();
                println!("{}", serde_json::to_string(&list)?);
            } else {
                println!("{:>6}  {:>8}  {:<16} NAME", "ID", "COST", "CATEGORY");
                for i in items {
                    println!("{:>6}  {:>8}  {:<16} {}", i.id, i.cost, i.category, i.name);
                }
            }
        }
        StoreItemCommand::Delete { game, id } => {
            data.delete_store_item(GameId(game), id, NewAuditEvent::by(Actor::Cli))
                .await?;
            println!("store item {id} deleted");
        }
    }
    Ok(())
}

/// Runs `playgate service-key …`.
pub async fn service_key(gf: &Gamefuse, data: &GameData, cmd: ServiceKeyCommand) -> Result<(), BoxError> {
    match cmd {
        ServiceKeyCommand::Add { game, name, json } => {
            let (key, token) = data
                .create_service_key(GameId(game), &name, NewAuditEvent::by(Actor::Cli))
                .await?;
            if json {
                println!(
                    "{}",
                    json!({"id": key.id, "game_id": game, "name": key.name, "token": token.expose()})
                );
            } else {
                println!("service key \"{}\" for game {game}", key.name);
                println!("  token: {}   (shown once; only its hash is stored)", token.expose());
            }
        }
        ServiceKeyCommand::List { game } => {
            for k in gf.service_keys(GameId(game)).await? {
                println!("{}  (created {})", k.name, iso_millis(k.created_at));
            }
        }
        ServiceKeyCommand::Delete { game, name } => {
            data.delete_service_key(GameId(game), &name, NewAuditEvent::by(Actor::Cli))
                .await?;
            println!("service key \"{name}\" deleted");
        }
    }
    Ok(())
}

/// Runs `playgate route-access …`.
pub async fn route(gf: &Gamefuse, data: &GameData, cmd: RouteCommand) -> Result<(), BoxError> {
    let word = |b: bool| if b { "allow" } else { "deny" };
    match cmd {
        RouteCommand::Set { game, route, user, key } => {
            let access = RouteAccess {
                route: route.trim_start_matches('/').trim_start_matches("api/v3/").to_owned(),
                user_allowed: matches!(user, Switch::Allow),
                key_allowed: matches!(key, Switch::Allow),
            };
            data.set_route_access(GameId(game), access.clone(), NewAuditEvent::by(Actor::Cli))
                .await?;
            println!(
                "game {game}: {} users {} keys {}",
                access.route,
                word(access.user_allowed),
                word(access.key_allowed)
            );
        }
        RouteCommand::List { game } => {
            for a in gf.route_accesses(GameId(game)).await? {
                println!(
                    "{}  users {}  keys {}",
                    a.route,
                    word(a.user_allowed),
                    word(a.key_allowed)
                );
            }
        }
    }
    Ok(())
}

/// Runs `playgate outbox list`.
pub async fn outbox(users: &ClientUsers, cmd: OutboxCommand) -> Result<(), BoxError> {
    let OutboxCommand::List { limit, json } = cmd;
    let list = users.outbox(limit.clamp(1, 1000)).await?;
    if json {
        let list: Vec<_> = list
            .iter()
            .map(|m| {
                json!({"id": m.id, "game_id": m.game_id.map(|g| g.0), "to": m.recipient, "subject": m.subject,
                       "body": m.body, "created_at": iso_millis(m.created_at),
                       "sent_at": m.sent_at.map(iso_millis), "error": m.error})
            })
            .collect();
        println!("{}", serde_json::to_string(&list)?);
        return Ok(());
    }
    for m in list {
        let status = match (&m.sent_at, &m.error) {
            (Some(t), _) => format!("sent {}", iso_millis(*t)),
            (None, Some(e)) => format!("not sent: {e}"),
            (None, None) => "not sent (no SMTP configured)".to_owned(),
        };
        println!(
            "#{} {} to {} — {}\n  {}\n{}\n",
            m.id,
            iso_millis(m.created_at),
            m.recipient,
            m.subject,
            status,
            m.body
        );
    }
    Ok(())
}
