//! `playgate player find|show|ban|unban|delete|export` and `playgate session
//! list|show|end|end-all`: player administration against the configured database (the
//! server may be running), as the admin API does it. Changes are recorded in the audit log
//! under the actor `cli`. Destructive commands (ban, delete, ending sessions) ask for
//! confirmation on a terminal; scripts pass `--yes` (without a terminal and without it they
//! refuse).

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use clap::Subcommand;
use playgate_core::clock::Timestamp;
use playgate_core::ids::{GameId, SessionId};
use playgate_core::player::Player;
use playgate_core::players::{PlayerSearch, Players, SessionQuery, SessionStateFilter, SessionView};
use playgate_core::session::Session;
use serde_json::{Value, json};

use crate::error::BoxError;
use playgate_core::audit::{Actor, NewAuditEvent};

/// `playgate player …`
#[derive(Debug, Subcommand)]
pub enum PlayerCommand {
    /// Find a game's players whose user id, username, e-mail, wallet address or linked
    /// account starts with a text.
    Find {
        /// Game id.
        game: i64,
        /// The prefix (none: every player).
        query: Option<String>,
        /// At most this many (1 to 200).
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show a player: profile, wallet address, link, ban, sessions in figures.
    Show {
        /// Game id.
        game: i64,
        /// The game's id for the player (a GameFuse user's id or e-mail).
        user_id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Ban a player: its sessions end at once and it cannot open new ones.
    Ban {
        /// Game id.
        game: i64,
        /// The game's id for the player.
        user_id: String,
        /// Why (shown to the player's client where its API has room).
        #[arg(long)]
        reason: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Lift a player's ban.
    Unban {
        /// Game id.
        game: i64,
        /// The game's id for the player.
        user_id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Erase a player: its data, wallet key and sessions (what others need is anonymised).
    Delete {
        /// Game id.
        game: i64,
        /// The game's id for the player.
        user_id: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print everything stored about a player as one JSON document.
    Export {
        /// Game id.
        game: i64,
        /// The game's id for the player.
        user_id: String,
    },
}

/// `playgate session …`
#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// List a player's sessions, newest first.
    List {
        /// Game id.
        game: i64,
        /// The game's id for the player.
        user_id: String,
        /// `active`, `ended` or `all`.
        #[arg(long, default_value = "all")]
        state: String,
        /// At most this many (1 to 200).
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one session.
    Show {
        /// The session's id.
        session: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// End one session.
    End {
        /// The session's id.
        session: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// End every active session of a player ("log out everywhere"), or of a whole game.
    EndAll {
        /// Game id.
        game: i64,
        /// The game's id for the player (none: every session of the game).
        user_id: Option<String>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

fn secs(t: Timestamp) -> i64 {
    t.0 / 1_000_000_000
}

/// Asks `question` on the terminal unless `yes`; refuses without a terminal.
fn confirm(yes: bool, question: &str) -> Result<(), BoxError> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(format!("{question}: refusing without a terminal to confirm on; pass --yes").into());
    }
    eprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    match line.trim() {
        "y" | "Y" | "yes" => Ok(()),
        _ => Err("not confirmed; nothing changed".into()),
    }
}

fn player_json(p: &Player) -> Value {
    json!({
        "user_id": p.user_id.as_str(),
        "game_id": p.game_id.0,
        "username": p.profile.username,
        "email": p.profile.email,
        "wallet_address": p.wallet_address,
        "linked_account": p.linked.as_ref().map(|l| &l.public_id),
        "banned": p.ban.is_some(),
        "ban_reason": p.ban.as_ref().map(|b| &b.reason),
        "created_at": secs(p.created_at),
    })
}

fn session_json(s: &Session, now: Timestamp) -> Value {
    json!({
        "id": s.id.to_string(),
        "game_id": s.game_id.0,
        "state": s.state.as_str(),
        "live": s.is_live(now),
        "started_at": secs(s.started_at),
        "last_seen_at": secs(s.last_seen_at),
        "expires_at": secs(s.expires_at),
        "ended_at": s.ended_at.map(secs),
        "ip": s.ip,
    })
}

fn view_json(v: &SessionView, now: Timestamp) -> Value {
    let mut j = session_json(&v.session, now);
    j["user_id"] = json!(v.user_id);
    j["kind"] = json!(if v.gamefuse { "gamefuse" } else { "kgen" });
    j
}

fn print(as_json: bool, v: &Value, text: impl FnOnce() -> String) -> Result<(), BoxError> {
    if as_json {
        println!("{}", serde_json::to_string(v)?);
    } else {
        println!("{}", text());
    }
    Ok(())
}

/// Runs one `player` subcommand.
pub async fn player_command(players: &Players, cmd: PlayerCommand) -> Result<(), BoxError> {
    match cmd {
        PlayerCommand::Find {
            game,
            query,
            limit,
            json: as_json,
        } => {
            let page = players
                .search(
                    GameId(game),
                    PlayerSearch {
                        q: query,
                        after: None,
                        limit,
                    },
                )
                .await?;
            let list: Vec<Value> = page.items.iter().map(|h| player_json(&h.player)).collect();
            print(as_json, &Value::Array(list), || {
                let lines: Vec<String> = page
                    .items
                    .iter()
                    .map(|h| {
                        let p = &h.player;
                        let banned = if p.ban.is_some() { "banned" } else { "" };
                        format!(
                            "{:<32} {:<20} {} {banned}",
                            p.user_id, p.profile.username, p.wallet_address
                        )
                    })
                    .collect();
                lines.join("\n")
            })
        }
        PlayerCommand::Show {
            game,
            user_id,
            json: as_json,
        } => {
            let o = players.show(GameId(game), &user_id).await?;
            let mut j = player_json(&o.player);
            j["sessions"] = json!({
                "total": o.sessions.total,
                "active": o.sessions.active,
                "last_started_at": o.sessions.last_started_at.map(secs),
            });
            j["gamefuse_id"] = json!(o.client_user.as_ref().map(|u| u.id.0));
            j["credits"] = json!(o.client_user.as_ref().map(|u| u.credits));
            print(as_json, &j, || serde_json::to_string_pretty(&j).unwrap_or_default())
        }
        PlayerCommand::Ban {
            game,
            user_id,
            reason,
            yes,
            json: as_json,
        } => {
            let player = players.find(GameId(game), &user_id).await?;
            confirm(yes, &format!("ban player {} and end its sessions", player.user_id))?;
            let (p, change) = players
                .ban(GameId(game), &user_id, &reason, NewAuditEvent::by(Actor::Cli))
                .await?;
            let j = json!({"user_id": p.user_id.as_str(), "banned": true, "reason": reason,
                "sessions_ended": change.sessions_ended});
            print(as_json, &j, || {
                format!(
                    "player {} banned; {} session(s) ended",
                    p.user_id, change.sessions_ended
                )
            })
        }
        PlayerCommand::Unban {
            game,
            user_id,
            json: as_json,
        } => {
            let (p, _) = players
                .unban(GameId(game), &user_id, NewAuditEvent::by(Actor::Cli))
                .await?;
            let j = json!({"user_id": p.user_id.as_str(), "banned": false});
            print(as_json, &j, || format!("player {} not banned", p.user_id))
        }
        PlayerCommand::Delete {
            game,
            user_id,
            yes,
            json: as_json,
        } => {
            let player = players.find(GameId(game), &user_id).await?;
            confirm(
                yes,
                &format!(
                    "erase player {} and all its data (this cannot be undone)",
                    player.user_id
                ),
            )?;
            let erased = players
                .erase(
                    GameId(game),
                    &user_id,
                    Some(player.user_id.as_str()),
                    NewAuditEvent::by(Actor::Cli),
                )
                .await?;
            let map = |v: &[(String, u64)]| {
                v.iter()
                    .map(|(t, n)| (t.clone(), json!(n)))
                    .collect::<serde_json::Map<_, _>>()
            };
            let j = json!({"user_id": player.user_id.as_str(), "deleted": map(&erased.deleted),
                "anonymised": map(&erased.anonymised)});
            print(as_json, &j, || format!("player {} erased", player.user_id))
        }
        PlayerCommand::Export { game, user_id } => {
            let (player, export) = players.export(GameId(game), &user_id).await?;
            let data: serde_json::Map<String, Value> = export
                .sections
                .into_iter()
                .map(|(name, rows)| (name, Value::Array(rows.into_iter().map(Value::Object).collect())))
                .collect();
            let doc = json!({
                "format": "playgate.player-export/1",
                "exported_at": playgate_api::common::time::rfc3339(players.now()),
                "game_id": player.game_id.0,
                "user_id": player.user_id.as_str(),
                "data": data,
            });
            println!("{}", serde_json::to_string_pretty(&doc)?);
            Ok(())
        }
    }
}

fn session_id(raw: &str) -> Result<SessionId, BoxError> {
    raw.trim()
        .parse()
        .map_err(|_| format!("{raw:?} is not a session id").into())
}

/// Runs one `session` subcommand.
pub async fn session_command(players: &Players, cmd: SessionCommand) -> Result<(), BoxError> {
    let now = players.now();
    match cmd {
        SessionCommand::List {
            game,
            user_id,
            state,
            limit,
            json: as_json,
        } => {
            let query = SessionQuery {
                state: SessionStateFilter::parse(&state)?,
                after: None,
                limit,
            };
            let page = players.sessions(GameId(game), &user_id, query).await?;
            let list: Vec<Value> = page.items.iter().map(|s| session_json(s, now)).collect();
            print(as_json, &Value::Array(list), || {
                let lines: Vec<String> = page
                    .items
                    .iter()
                    .map(|s| format!("{} {:<6} started {}", s.id, s.state.as_str(), secs(s.started_at)))
                    .collect();
                lines.join("\n")
            })
        }
        SessionCommand::Show { session, json: as_json } => {
            let v = players.session(session_id(&session)?).await?;
            let j = view_json(&v, now);
            print(as_json, &j, || serde_json::to_string_pretty(&j).unwrap_or_default())
        }
        SessionCommand::End {
            session,
            yes,
            json: as_json,
        } => {
            let id = session_id(&session)?;
            let v = players.session(id).await?;
            confirm(yes, &format!("end session {id} of player {}", v.user_id))?;
            let v = players.end_session(id, NewAuditEvent::by(Actor::Cli)).await?;
            let j = view_json(&v, now);
            print(as_json, &j, || format!("session {id} ended"))
        }
        SessionCommand::EndAll {
            game,
            user_id,
            yes,
            json: as_json,
        } => {
            let n = match user_id {
                Some(user) => {
                    let p = players.find(GameId(game), &user).await?;
                    confirm(yes, &format!("end every session of player {}", p.user_id))?;
                    players
                        .end_sessions(GameId(game), &user, NewAuditEvent::by(Actor::Cli))
                        .await?
                }
                None => {
                    players.existing_game(GameId(game)).await?;
                    confirm(yes, &format!("end every session of game {game}"))?;
                    players
                        .end_game_sessions(GameId(game), NewAuditEvent::by(Actor::Cli))
                        .await?
                }
            };
            print(as_json, &json!({"sessions_ended": n}), || {
                format!("{n} session(s) ended")
            })
        }
    }
}
