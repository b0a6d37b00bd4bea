//! Player administration, for operators (the admin API and the CLI): finding a game's
//! players, showing one with its counters and sessions, banning and unbanning, ending
//! sessions ("log out everywhere", one session, all of a game), erasing a player and
//! exporting everything stored about it. Every change is written together with its audit
//! event, in one transaction.
//!
//! A player is named by the game's own id for it: the KGeN `user_id`, or for a GameFuse
//! user its numeric id (the `id` the GameFuse API shows) or its e-mail (its `user_id`).

use std::sync::Arc;

use async_trait::async_trait;

use crate::audit::{NewAuditEvent, player_subject, session_subject};
use crate::client_users::ClientUser;
use crate::clock::{Clock, Timestamp};
use crate::error::{Conflict, Entity, Error};
use crate::ids::{GameId, PlayerId, SessionId};
use crate::player::{Ban, Player};
use crate::session::EndOutcome;
use crate::session::{Session, SessionState};
use crate::{Result, audit, page};

/// Most items one page holds.
pub const PAGE_MAX: u32 = 200;
/// Items on a page when the caller names no limit.
pub const PAGE_DEFAULT: u32 = 50;
/// Longest search text, in characters.
pub const QUERY_MAX: usize = 200;
/// Longest ban reason, in characters.
pub const REASON_MAX: usize = 500;

/// Builds the audit event of a change from what the change found: called by the store
/// inside the change's transaction, so that the event is written with it.
pub type Record<T> = Box<dyn FnOnce(&T) -> NewAuditEvent + Send>;

/// Which players to list: those whose user id, username, e-mail, wallet address, linked
/// account (public id or user name) or GameFuse id starts with `q` (any case), by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlayerSearch {
    /// The prefix; `None` lists every player of the game.
    pub q: Option<String>,
    /// Only players with a larger id (the cursor of the previous page).
    pub after: Option<i64>,
    /// At most this many (1 to [`PAGE_MAX`]).
    pub limit: u32,
}

/// A player as listed: the player and whether it is a GameFuse user.
#[derive(Debug, Clone)]
pub struct PlayerHit {
    /// The player (with its link and ban).
    pub player: Player,
    /// Whether it signed up through GameFuse (its GameFuse id is its player id).
    pub client_user: bool,
}

/// A page of players and the cursor of the next.
#[derive(Debug, Clone)]
pub struct PlayerPage {
    /// The players, by id.
    pub items: Vec<PlayerHit>,
    /// The cursor of the next page, if there may be more.
    pub next_cursor: Option<i64>,
}

/// A player's sessions in figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionSummary {
    /// Sessions ever started.
    pub total: i64,
    /// Sessions in state `active` (some may be past their expiry).
    pub active: i64,
    /// When the latest one started.
    pub last_started_at: Option<Timestamp>,
}

/// One player with what an operator looks at.
#[derive(Debug, Clone)]
pub struct PlayerOverview {
    /// The player (profile, wallet address, link, ban).
    pub player: Player,
    /// Its GameFuse data (credits, score, logins …), if it is a GameFuse user.
    pub client_user: Option<ClientUser>,
    /// Its sessions in figures.
    pub sessions: SessionSummary,
}

/// Which of a player's sessions to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionStateFilter {
    /// Every session.
    #[default]
    All,
    /// Those in state `active`.
    Active,
    /// Those that ended.
    Ended,
}

impl SessionStateFilter {
    /// Parses `all`, `active` or `ended`.
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim() {
            "" | "all" => Ok(SessionStateFilter::All),
            "active" => Ok(SessionStateFilter::Active),
            "ended" => Ok(SessionStateFilter::Ended),
            _ => Err(Error::invalid("state", "must be active, ended or all")),
        }
    }
}

/// A position in a newest-first list of sessions: the last session of the previous page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCursor {
    /// Its start.
    pub started_at: Timestamp,
    /// Its id.
    pub id: SessionId,
}

impl SessionCursor {
    /// `<started_at nanos>:<id>`, as handed to clients.
    pub fn encode(&self) -> String {
        format!("{}:{}", self.started_at.0, self.id)
    }

    /// Parses [`SessionCursor::encode`]'s form; `Invalid("cursor")` otherwise.
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || Error::invalid("cursor", "is not a cursor of this list");
        let (at, id) = s.trim().split_once(':').ok_or_else(bad)?;
        Ok(SessionCursor {
            started_at: Timestamp(at.parse().map_err(|_| bad())?),
            id: id.parse().map_err(|_| bad())?,
        })
    }
}

/// Which sessions of a player to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionQuery {
    /// By state.
    pub state: SessionStateFilter,
    /// Only those after this one in the list.
    pub after: Option<SessionCursor>,
    /// At most this many (1 to [`PAGE_MAX`]).
    pub limit: u32,
}

/// A page of sessions and the cursor of the next.
#[derive(Debug, Clone)]
pub struct SessionPage {
    /// The sessions, newest first.
    pub items: Vec<Session>,
    /// The cursor of the next page, if there may be more.
    pub next_cursor: Option<SessionCursor>,
}

/// What a ban or unban found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanChange {
    /// The ban before the change.
    pub before: Option<Ban>,
    /// Sessions it ended.
    pub sessions_ended: u64,
}

/// A session with its player's game-side id, as an operator sees it.
#[derive(Debug, Clone)]
pub struct SessionView {
    /// The session.
    pub session: Session,
    /// The game's id for its player.
    pub user_id: String,
    /// Whether it is a GameFuse session (a token session rather than KGeN's JWTs).
    pub gamefuse: bool,
}

/// What erasing a player removed and anonymised, by table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erased {
    /// Rows deleted, by table.
    pub deleted: Vec<(String, u64)>,
    /// Rows kept without the player (its reference set to NULL), by table.
    pub anonymised: Vec<(String, u64)>,
}

/// Everything stored about a player, table by table: the rows that refer to it (secrets
/// such as its wallet key, password hash and token hashes left out) and the audit events
/// about it.
#[derive(Debug, Clone)]
pub struct PlayerExport {
    /// `(section, rows)`, each row a JSON object of its columns.
    pub sections: Vec<(String, Vec<serde_json::Map<String, serde_json::Value>>)>,
}

/// Persistence of player administration. Each change takes a [`Record`] and writes its
/// audit event (recorded at `now`) in the change's own transaction.
#[async_trait]
pub trait PlayerStore: Send + Sync + 'static {
    /// Whether the game exists.
    async fn has_game(&self, game: GameId) -> Result<bool>;
    /// The players of `game` matching `search`, by id, at most `search.limit + 1`.
    async fn search_players(&self, game: GameId, search: &PlayerSearch) -> Result<Vec<PlayerHit>>;
    /// The player of `game` the game names `key`: its `user_id`, or else the GameFuse
    /// user whose id `key` is.
    async fn find_player(&self, game: GameId, key: &str) -> Result<Option<Player>>;
    /// The player's sessions in figures.
    async fn session_summary(&self, player: PlayerId) -> Result<SessionSummary>;
    /// Bans (`Some`) or unbans (`None`) the player; a ban ends its active sessions in the
    /// same transaction.
    async fn set_ban(
        &self,
        player: PlayerId,
        ban: Option<Ban>,
        now: Timestamp,
        record: Record<BanChange>,
    ) -> Result<BanChange>;
    /// The player's sessions matching `query`, newest first, at most `query.limit + 1`.
    async fn player_sessions(&self, player: PlayerId, query: &SessionQuery) -> Result<Vec<Session>>;
    /// Ends the player's active sessions (KGeN and GameFuse alike); how many.
    async fn end_player_sessions(&self, player: PlayerId, now: Timestamp, record: Record<u64>) -> Result<u64>;
    /// Ends every active session of `game`; how many.
    async fn end_game_sessions(&self, game: GameId, now: Timestamp, record: Record<u64>) -> Result<u64>;
    /// One session with its player's game-side id.
    async fn session_view(&self, id: SessionId) -> Result<Option<SessionView>>;
    /// Ends one session (any game).
    async fn end_one_session(&self, id: SessionId, now: Timestamp, record: Record<Session>) -> Result<EndOutcome>;
    /// Erases the player: deletes its rows (player, wallet key, sessions, link, GameFuse
    /// data, attributes, purchases, leaderboard entries, friendships, group connections,
    /// chat participation, message reads, rounds, reset and link codes, its e-mails in the
    /// outbox) and keeps what others need without it (messages it sent, chats and group
    /// attributes it created, multiplayer containers it mastered; a group it was the last
    /// admin of gets its oldest member as admin), in one transaction.
    async fn erase_player(&self, player: PlayerId, now: Timestamp, record: Record<Erased>) -> Result<Erased>;
    /// Everything stored about the player, and the audit events about `subject`.
    async fn export_player(&self, player: PlayerId, subject: &str) -> Result<PlayerExport>;
    /// The GameFuse data of the player, if it is a GameFuse user.
    async fn client_user(&self, player: PlayerId) -> Result<Option<ClientUser>>;
}

/// The player administration service.
#[derive(Clone)]
pub struct Players {
    store: Arc<dyn PlayerStore>,
    clock: Arc<dyn Clock>,
}

fn limit(n: u32) -> Result<u32> {
    page::limit(n, PAGE_DEFAULT, PAGE_MAX)
}

/// Wraps a recorder so that the event's texts are cut to their bounds.
fn bounded<T: 'static>(f: impl FnOnce(&T) -> NewAuditEvent + Send + 'static) -> Record<T> {
    Box::new(move |t: &T| audit::bounded(f(t)))
}

/// The recorder of one change to `subject` of `game`: `event` as `action`, with the detail
/// the change gives (texts cut to their bounds).
fn record<T: 'static>(
    event: NewAuditEvent,
    action: &'static str,
    game: GameId,
    subject: String,
    detail: impl FnOnce(&T) -> serde_json::Value + Send + 'static,
) -> Record<T> {
    bounded(move |t: &T| event.action(action).game(game).subject(subject).detail(detail(t)))
}

impl Players {
    /// The service over its store.
    pub fn new(store: Arc<dyn PlayerStore>, clock: Arc<dyn Clock>) -> Self {
        Players { store, clock }
    }

    /// One page of the game's players matching `search`; `search.limit` 0 means
    /// [`PAGE_DEFAULT`].
    pub async fn search(&self, game: GameId, mut search: PlayerSearch) -> Result<PlayerPage> {
        search.limit = limit(search.limit)?;
        self.existing_game(game).await?;
        search.q = search.q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty());
        if search.q.as_ref().is_some_and(|q| q.chars().count() > QUERY_MAX) {
            return Err(Error::invalid(
                "q",
                format_args!("must be at most {QUERY_MAX} characters"),
            ));
        }
        let mut items = self.store.search_players(game, &search).await?;
        let next_cursor = page::take_page(&mut items, search.limit, |h| h.player.id.0);
        Ok(PlayerPage { items, next_cursor })
    }

    /// The player of `game` named `key`; `NotFound(Player)` if the game has none (a
    /// player of another game is not found either).
    pub async fn find(&self, game: GameId, key: &str) -> Result<Player> {
        let key = key.trim();
        if key.is_empty() {
            return Err(Error::NotFound(Entity::Player));
        }
        self.store
            .find_player(game, key)
            .await?
            .filter(|p| p.game_id == game)
            .ok_or(Error::NotFound(Entity::Player))
    }

    /// The player with its GameFuse data and session figures.
    pub async fn show(&self, game: GameId, key: &str) -> Result<PlayerOverview> {
        let player = self.find(game, key).await?;
        let client_user = self.store.client_user(player.id).await?;
        let sessions = self.store.session_summary(player.id).await?;
        Ok(PlayerOverview {
            player,
            client_user,
            sessions,
        })
    }

    /// Bans the player with the operator's `reason` (required, at most [`REASON_MAX`]
    /// characters): its sessions end at once and it cannot open new ones. Banning a banned
    /// player replaces the reason. `event` is the audit event to record (actor, origin),
    /// completed here (`player.banned`, game, subject, reason, before, sessions ended).
    pub async fn ban(
        &self,
        game: GameId,
        key: &str,
        reason: &str,
        event: NewAuditEvent,
    ) -> Result<(Player, BanChange)> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::invalid("reason", "is required"));
        }
        if reason.chars().count() > REASON_MAX || reason.chars().any(char::is_control) {
            return Err(Error::invalid(
                "reason",
                format_args!("must be at most {REASON_MAX} characters, without control characters"),
            ));
        }
        let mut player = self.find(game, key).await?;
        let now = self.clock.now();
        let ban = Ban {
            reason: reason.to_owned(),
            at: now,
        };
        let subject = player_subject(player.user_id.as_str());
        let reason_text = ban.reason.clone();
        let change = self
            .store
            .set_ban(
                player.id,
                Some(ban.clone()),
                now,
                record(event, "player.banned", game, subject, move |c: &BanChange| {
                    serde_json::json!({
                        "reason": reason_text,
                        "sessions_ended": c.sessions_ended,
                        "before": ban_json(c.before.as_ref()),
                        "after": {"banned": true, "reason": reason_text},
                    })
                }),
            )
            .await?;
        player.ban = Some(ban);
        Ok((player, change))
    }

    /// Lifts the player's ban (nothing changes, and nothing is recorded, if it was not
    /// banned).
    pub async fn unban(&self, game: GameId, key: &str, event: NewAuditEvent) -> Result<(Player, BanChange)> {
        let mut player = self.find(game, key).await?;
        if player.ban.is_none() {
            return Ok((
                player,
                BanChange {
                    before: None,
                    sessions_ended: 0,
                },
            ));
        }
        let subject = player_subject(player.user_id.as_str());
        let change = self
            .store
            .set_ban(
                player.id,
                None,
                self.clock.now(),
                record(event, "player.unbanned", game, subject, move |c: &BanChange| {
                    serde_json::json!({
                        "before": ban_json(c.before.as_ref()),
                        "after": {"banned": false},
                    })
                }),
            )
            .await?;
        player.ban = None;
        Ok((player, change))
    }

    /// One page of the player's sessions, newest first.
    pub async fn sessions(&self, game: GameId, key: &str, mut query: SessionQuery) -> Result<SessionPage> {
        query.limit = limit(query.limit)?;
        let player = self.find(game, key).await?;
        let mut items = self.store.player_sessions(player.id, &query).await?;
        let next_cursor = page::take_page(&mut items, query.limit, |s| SessionCursor {
            started_at: s.started_at,
            id: s.id,
        });
        Ok(SessionPage { items, next_cursor })
    }

    /// "Log out everywhere": ends every active session of the player (its KGeN sessions
    /// and its GameFuse token sessions); how many.
    pub async fn end_sessions(&self, game: GameId, key: &str, event: NewAuditEvent) -> Result<u64> {
        let player = self.find(game, key).await?;
        let subject = player_subject(player.user_id.as_str());
        self.store
            .end_player_sessions(
                player.id,
                self.clock.now(),
                record(event, "sessions.ended_all", game, subject, sessions_ended),
            )
            .await
    }

    /// Ends every active session of `game`; how many.
    pub async fn end_game_sessions(&self, game: GameId, event: NewAuditEvent) -> Result<u64> {
        self.existing_game(game).await?;
        self.store
            .end_game_sessions(
                game,
                self.clock.now(),
                record(
                    event,
                    "sessions.ended_all",
                    game,
                    format!("game:{}", game.0),
                    sessions_ended,
                ),
            )
            .await
    }

    /// One session, any game.
    pub async fn session(&self, id: SessionId) -> Result<SessionView> {
        self.store
            .session_view(id)
            .await?
            .ok_or(Error::NotFound(Entity::Session))
    }

    /// Ends one session; `Conflict(SessionEnded)` if it had ended.
    pub async fn end_session(&self, id: SessionId, event: NewAuditEvent) -> Result<SessionView> {
        let view = self.session(id).await?;
        let user_id = view.user_id.clone();
        let outcome = self
            .store
            .end_one_session(
                id,
                self.clock.now(),
                bounded(move |s: &Session| {
                    event
                        .action("session.ended")
                        .game(s.game_id)
                        .subject(session_subject(s.id))
                        .detail(serde_json::json!({"player": user_id, "before": {"state": s.state.as_str()}}))
                }),
            )
            .await?;
        match outcome {
            EndOutcome::Ended => self.session(id).await,
            EndOutcome::AlreadyEnded => Err(Error::Conflict(Conflict::SessionEnded)),
            EndOutcome::NotFound => Err(Error::NotFound(Entity::Session)),
        }
    }

    /// Erases the player (see [`PlayerStore::erase_player`]) once `confirm` repeats the
    /// name it was asked by; `Invalid("confirm")` otherwise.
    pub async fn erase(&self, game: GameId, key: &str, confirm: Option<&str>, event: NewAuditEvent) -> Result<Erased> {
        let player = self.find(game, key).await?;
        match confirm.map(str::trim) {
            None | Some("") => return Err(Error::invalid("confirm", "is required: repeat the player's id")),
            Some(c) if c != key.trim() && c != player.user_id.as_str() => {
                return Err(Error::invalid("confirm", "does not match the player's id"));
            }
            Some(_) => {}
        }
        let subject = player_subject(player.user_id.as_str());
        let counts = |v: &[(String, u64)]| {
            v.iter()
                .map(|(t, n)| (t.clone(), serde_json::json!(n)))
                .collect::<serde_json::Map<_, _>>()
        };
        self.store
            .erase_player(
                player.id,
                self.clock.now(),
                record(event, "player.deleted", game, subject, move |e: &Erased| {
                    serde_json::json!({
                        "deleted": counts(&e.deleted),
                        "anonymised": counts(&e.anonymised),
                    })
                }),
            )
            .await
    }

    /// Everything stored about the player.
    pub async fn export(&self, game: GameId, key: &str) -> Result<(Player, PlayerExport)> {
        let player = self.find(game, key).await?;
        let export = self
            .store
            .export_player(player.id, &player_subject(player.user_id.as_str()))
            .await?;
        Ok((player, export))
    }

    /// `NotFound(Game)` unless the game exists.
    pub async fn existing_game(&self, game: GameId) -> Result<()> {
        if self.store.has_game(game).await? {
            Ok(())
        } else {
            Err(Error::NotFound(Entity::Game))
        }
    }

    /// The current time by the service's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}

/// The detail of ending a player's or a game's sessions.
fn sessions_ended(n: &u64) -> serde_json::Value {
    serde_json::json!({"sessions_ended": n})
}

fn ban_json(b: Option<&Ban>) -> serde_json::Value {
    match b {
        Some(b) => serde_json::json!({"banned": true, "reason": b.reason}),
        None => serde_json::json!({"banned": false}),
    }
}

impl SessionView {
    /// Whether the session is usable now.
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.session.is_live(now)
    }

    /// Its state's name.
    pub fn state(&self) -> SessionState {
        self.session.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_bad_ones_name_the_field() {
        let c = SessionCursor {
            started_at: Timestamp(42),
            id: SessionId::new(),
        };
        assert_eq!(SessionCursor::parse(&c.encode()).expect("parse"), c);
        for bad in ["", "x", "1:y", "a:b:c"] {
            match SessionCursor::parse(bad) {
                Err(Error::Invalid { field, .. }) => assert_eq!(field, "cursor"),
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert!(matches!(limit(0), Ok(PAGE_DEFAULT)));
        assert!(matches!(limit(PAGE_MAX + 1), Err(Error::Invalid { .. })));
        assert_eq!(SessionStateFilter::parse("ended").ok(), Some(SessionStateFilter::Ended));
        assert!(SessionStateFilter::parse("gone").is_err());
    }
}
