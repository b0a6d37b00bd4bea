//! `impl SessionStore for SqlStore`: the server-to-server reads (a game's credentials with
//! the player or session a call needs), the plans of `POST /s2s/session`, refresh token
//! swaps and renewals, and ending sessions; every query once, for both backends.

use async_trait::async_trait;
use playgate_core::clock::Timestamp;
use playgate_core::game::Game;
use playgate_core::ids::{GameId, PlayerId, SessionId, UserId};
use playgate_core::player::{Player, ProfilePatch};
use playgate_core::session::Session;
use playgate_core::session::{
    Applied, ClientFound, ClientRead, ClientWith, EndOutcome, NewSessionRecord, OpenPlan, PlayerWithSession,
    RefreshSwap, RenewOutcome, Renewal, SessionPlan, SessionStore,
};
use playgate_core::{Error, Result};
use std::sync::LazyLock;

use crate::audit::{EventValues, chained_update, event_from, insert_events};
use crate::exec::{Conn, FromRow, P, Row, params};
use crate::rows::{
    GameRow, PLAYER_FIELDS, PLAYER_FROM, PROFILE_COLUMNS, PlayerRow, PlayerSessionRow, SessionRow,
    active_session_fields, aliased, game_cols, patch_params, player_fields_as, profile_params, session_cols,
};
use crate::{Db, SqlStore, pg_transaction_on};
use playgate_core::Entity;
use playgate_core::audit::NewAuditEvent;

/// A player by id (`$1`), with its linked account.
static PLAYER_BY_ID: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {} FROM {PLAYER_FROM} WHERE p.id = $1", *PLAYER_FIELDS));

/// A player by its game and `user_id` (`$1`, `$2`), with its linked account and its active
/// session: what `POST /s2s/session` decides on, in one query.
static PLAYER_AND_SESSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {}, {} FROM {PLAYER_FROM} LEFT JOIN sessions s ON s.player_id = p.id AND s.state = 'active' \
         WHERE p.game_id = $1 AND p.user_id = $2",
        *PLAYER_FIELDS,
        active_session_fields!()
    )
});

/// The tables of [`SessionStore::client_read`]: the game of the KGeN client id `$1` with its
/// credentials (as [`game_from!`]) and the failure count under key `$2` in the window that
/// starts at `$3`, beside each other on one row whether or not either exists.
macro_rules! client_from {
    () => {
        "(SELECT 1 AS one) o \
         LEFT JOIN credentials kc ON kc.kind = 'kgen' AND kc.public_id = $1 \
         LEFT JOIN games g ON g.id = kc.game_id \
         LEFT JOIN credentials gc ON gc.game_id = g.id AND gc.kind = 'gamefuse' \
         LEFT JOIN failure_counts f ON f.bucket = $2 AND f.window_start = $3"
    };
}

/// [`SessionStore::client_read`] of [`ClientWith::Nothing`].
const CLIENT: &str = concat!(
    "SELECT ",
    game_cols!(),
    ", COALESCE(f.count, 0) AS failures FROM ",
    client_from!()
);

/// [`SessionStore::client_read`] of [`ClientWith::Player`] (`$4` the user id): the player's
/// columns prefixed `p_`, its active session's `p_s_`.
static CLIENT_PLAYER: LazyLock<String> = LazyLock::new(|| format!("SELECT {}", *CLIENT_PLAYER_BODY));

/// [`CLIENT_PLAYER`] after its `SELECT`.
pub(crate) static CLIENT_PLAYER_BODY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{}, COALESCE(f.count, 0) AS failures, {}, {} FROM {} \
         LEFT JOIN players p ON p.game_id = g.id AND p.user_id = $4 \
         LEFT JOIN player_links l ON l.player_id = p.id LEFT JOIN accounts a ON a.id = l.account_id \
         LEFT JOIN sessions s ON s.player_id = p.id AND s.state = 'active'",
        game_cols!(),
        player_fields_as("p_"),
        active_session_fields!().replace(" AS s_", " AS p_s_"),
        client_from!()
    )
});

/// [`SessionStore::client_read`] of [`ClientWith::Session`] (`$4` the session id): the session's
/// columns prefixed `s_`.
static CLIENT_SESSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {}, COALESCE(f.count, 0) AS failures, {} FROM {} \
         LEFT JOIN sessions s ON s.id = $4 AND s.game_id = g.id",
        game_cols!(),
        aliased("s", session_cols!(), "s_"),
        client_from!()
    )
});

/// [`SessionStore::client_read`] of [`ClientWith::SessionAndPlayer`]: [`CLIENT_SESSION`] and the
/// session's player, prefixed `p_`.
static CLIENT_SESSION_PLAYER: LazyLock<String> = LazyLock::new(|| format!("SELECT {}", *CLIENT_SESSION_PLAYER_BODY));

/// [`CLIENT_SESSION_PLAYER`] after its `SELECT`.
static CLIENT_SESSION_PLAYER_BODY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{}, COALESCE(f.count, 0) AS failures, {}, {} FROM {} \
         LEFT JOIN sessions s ON s.id = $4 AND s.game_id = g.id \
         LEFT JOIN players p ON p.id = s.player_id \
         LEFT JOIN player_links l ON l.player_id = p.id LEFT JOIN accounts a ON a.id = l.account_id",
        game_cols!(),
        aliased("s", session_cols!(), "s_"),
        player_fields_as("p_"),
        client_from!()
    )
});

/// The row of [`SessionStore::client_read`] (and of a renewal, which reads the same columns).
pub(crate) struct ClientRow(pub(crate) ClientFound);

impl FromRow for ClientRow {
    fn from_row(r: &Row<'_>) -> Result<Self> {
        let failures: i64 = r.get("failures")?;
        let game = match r.get::<Option<i64>>("id")? {
            Some(_) => Some(Game::from(GameRow::from_row(r)?)),
            None => None,
        };
        let session = match r.has("s_id") && r.get::<Option<String>>("s_id")?.is_some() {
            true => Some(Session::try_from(SessionRow::from_row(&r.prefixed("s_"))?)?),
            false => None,
        };
        let player = match r.has("p_id") && r.get::<Option<i64>>("p_id")?.is_some() {
            true if r.has("p_s_id") => {
                let (player, active) = PlayerSessionRow::from_row(&r.prefixed("p_"))?.split()?;
                Some(PlayerWithSession { player, active })
            }
            true => Some(PlayerWithSession {
                player: Player::try_from(PlayerRow::from_row(&r.prefixed("p_"))?)?,
                active: None,
            }),
            false => None,
        };
        Ok(ClientRow(ClientFound {
            game,
            failures,
            player,
            session,
        }))
    }
}

/// Inserts a player unless its key exists: `$1` game, `$2` user id, the profile, then the
/// wallet address, sealed key and now; returns the new id.
static INSERT_PLAYER: LazyLock<String> = LazyLock::new(|| {
    let n = PROFILE_COLUMNS.len();
    let profile: Vec<String> = (3..3 + n).map(|i| format!("${i}")).collect();
    format!(
        "INSERT INTO players (game_id, user_id, {}, wallet_address, wallet_key, created_at, updated_at) \
         VALUES ($1, $2, {}, ${}, ${}, ${}, ${}) ON CONFLICT (game_id, user_id) DO NOTHING RETURNING id",
        PROFILE_COLUMNS.join(", "),
        profile.join(", "),
        n + 3,
        n + 4,
        n + 5,
        n + 5
    )
});

/// PostgreSQL's create-player plan in one statement: [`INSERT_PLAYER`] (`$1` …), then the
/// player's first session (the last four of the first `k` parameters: its id, expiry, IP
/// and refresh hash) and the audit event (the 8 after them), each only if the one before
/// wrote its row. Returns the new player's id, or no row when the player exists.
static CREATE_WITH_SESSION: LazyLock<String> = LazyLock::new(|| created_with_session(CREATE_PARAMS));

/// The parameters of [`CREATE_WITH_SESSION`] before the event's: [`INSERT_PLAYER`]'s and
/// four of the session.
const CREATE_PARAMS: usize = PROFILE_COLUMNS.len() + 5 + 4;

fn created_with_session(k: usize) -> String {
    let n = PROFILE_COLUMNS.len();
    let now = n + 5;
    let (sid, expires, ip, hash) = (k - 3, k - 2, k - 1, k);
    format!(
        "WITH p AS ({}), s AS (INSERT INTO sessions (id, game_id, player_id, state, started_at, last_seen_at, \
         expires_at, ended_at, ip, refresh_hash) SELECT ${sid}, $1, p.id, 'active', ${now}, ${now}, ${expires}, \
         NULL, ${ip}, ${hash} FROM p RETURNING 1), e AS ({}) SELECT id FROM p",
        *INSERT_PLAYER,
        event_from("s", k)
    )
}

/// Merges a profile patch into the player `$1` (a `NULL` value keeps the stored one), then
/// `updated_at`.
static PATCH_PLAYER: LazyLock<String> = LazyLock::new(|| {
    let n = PROFILE_COLUMNS.len();
    let sets: Vec<String> = PROFILE_COLUMNS
        .iter()
        .zip(2..)
        .map(|(c, i)| format!("{c} = COALESCE(${i}, {c})"))
        .collect();
    format!(
        "UPDATE players SET {}, updated_at = ${} WHERE id = $1",
        sets.join(", "),
        n + 2
    )
});

/// Starts a session (`$1` id, `$2` game, `$3` player, `$4` now, `$5` expiry, `$6` IP, `$7`
/// refresh hash) unless the player has an active one (the partial unique index
/// `sessions_one_active` decides, without an error on either backend) or is banned. `$lock`
/// is PostgreSQL's `FOR SHARE` on the player's row, held to commit: a ban updates that row
/// before it ends the player's sessions, so it either waits for this session and then ends
/// it, or this insert waits for the ban and finds the player banned. (SQLite's one writer
/// runs the two one after the other.)
macro_rules! insert_session {
    ($lock:literal) => {
        concat!(
            "INSERT INTO sessions (id, game_id, player_id, state, started_at, last_seen_at, \
             expires_at, ended_at, ip, refresh_hash) \
             SELECT $1, $2, $3, 'active', $4, $4, $5, NULL, $6, $7 FROM players \
             WHERE id = $3 AND banned_at IS NULL",
            $lock,
            " ON CONFLICT (player_id) WHERE state = 'active' DO NOTHING"
        )
    };
}
/// A plan's read no longer holds. An error inside the plan's job, so that the job's
/// transaction rolls back whatever it wrote before noticing; [`Applied::Raced`] after.
#[derive(Debug)]
struct Raced;

impl std::fmt::Display for Raced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the player or its session changed since it was read")
    }
}

impl std::error::Error for Raced {}

fn raced() -> Error {
    Error::Internal(Box::new(Raced))
}

/// The outcome of a plan's job.
fn applied(res: Result<PlayerId>) -> Result<Applied> {
    match res {
        Ok(id) => Ok(Applied::Done(id)),
        Err(Error::Internal(e)) if e.is::<Raced>() => Ok(Applied::Raced),
        Err(e) => Err(e),
    }
}

/// The statements of a plan, each guarded by what the core read: a session to keep must
/// still be live, one to end still active, a player to create still missing, and a player
/// may have no other active session. The first guard that fails is a [`raced`] error.
async fn apply_plan(e: &mut Conn<'_>, p: &OpenPlan, ev: &EventValues) -> Result<PlayerId> {
    let (now, expires_at, hash) = (p.now.0, p.expires_at.0, p.refresh_hash.0.as_str());
    let start = async |e: &mut Conn<'_>, player: PlayerId, s: &NewSessionRecord| -> Result<()> {
        let id = s.id.to_string();
        let sql = if e.is_postgres() {
            insert_session!(" FOR SHARE")
        } else {
            insert_session!("")
        };
        let started = e
            .execute(sql, params![&id, p.game_id.0, player.0, now, expires_at, &s.ip, hash])
            .await?;
        match started {
            1 => Ok(()),
            _ => Err(raced()),
        }
    };
    let patch = async |e: &mut Conn<'_>, player: PlayerId, patch: &ProfilePatch| -> Result<()> {
        if patch.is_empty() {
            return Ok(());
        }
        let mut ps = vec![P::I64(player.0)];
        ps.extend(patch_params(patch));
        ps.push(P::I64(now));
        e.execute(&PATCH_PLAYER, &ps).await.map(drop)
    };
    match &p.plan {
        SessionPlan::Reuse {
            player,
            session,
            patch: changes,
            record,
        } => {
            let sid = session.to_string();
            let kept = chained_update(
                e,
                "UPDATE sessions SET refresh_hash = $2, prev_refresh_hash = NULL, last_seen_at = $3, \
                 expires_at = $4 WHERE id = $1 AND state = 'active' AND expires_at > $3",
                params![&sid, hash, now, expires_at],
                record.then_some(ev),
                &sid,
            )
            .await?;
            if kept != 1 {
                return Err(raced());
            }
            patch(e, *player, changes).await?;
            Ok(*player)
        }
        SessionPlan::Replace {
            player,
            ended,
            session,
            patch: changes,
        } => {
            if let Some(old) = ended {
                let n = e
                    .execute(
                        "UPDATE sessions SET state = 'ended', ended_at = $2 WHERE id = $1 AND state = 'active'",
                        params![old.to_string(), now],
                    )
                    .await?;
                if n != 1 {
                    return Err(raced());
                }
            }
            start(e, *player, session).await?;
            patch(e, *player, changes).await?;
            insert_events(e, std::slice::from_ref(ev)).await?;
            Ok(*player)
        }
        SessionPlan::Create { player, session } => {
            let mut ps = vec![P::I64(p.game_id.0), P::str(player.user_id.as_str())];
            ps.extend(profile_params(&player.profile));
            ps.extend_from_slice(params![player.wallet.address, player.wallet.sealed_key, now]);
            if e.is_postgres() {
                // One statement: the player, its session and the event.
                let id = session.id.to_string();
                ps.extend_from_slice(params![id, expires_at, session.ip, hash]);
                debug_assert_eq!(ps.len(), CREATE_PARAMS);
                ps.extend(ev.params());
                return match e.scalar_optional::<i64>(&CREATE_WITH_SESSION, &ps).await? {
                    Some(id) => Ok(PlayerId(id)),
                    None => Err(raced()),
                };
            }
            let Some(id) = e.scalar_optional::<i64>(&INSERT_PLAYER, &ps).await? else {
                return Err(raced());
            };
            start(e, PlayerId(id), session).await?;
            insert_events(e, std::slice::from_ref(ev)).await?;
            Ok(PlayerId(id))
        }
    }
}

#[async_trait]
impl SessionStore for SqlStore {
    async fn client_read(&self, read: &ClientRead<'_>) -> Result<ClientFound> {
        let (key, start) = match read.failures {
            Some((key, start)) => (Some(key), start.0),
            None => (None, 0),
        };
        let sid;
        let (sql, extra): (&str, Option<P<'_>>) = match read.with {
            ClientWith::Nothing => (CLIENT, None),
            ClientWith::Player(user) => (&CLIENT_PLAYER, Some(P::str(user.as_str()))),
            ClientWith::Session(id) => {
                sid = id.to_string();
                (&CLIENT_SESSION, Some(P::str(&sid)))
            }
            ClientWith::SessionAndPlayer(id) => {
                sid = id.to_string();
                (&CLIENT_SESSION_PLAYER, Some(P::str(&sid)))
            }
        };
        let mut ps = vec![P::str(read.client_id), P::opt_str(key), P::I64(start)];
        ps.extend(extra);
        let row: ClientRow = self
            .read_optional(sql, &ps)
            .await?
            .ok_or(Error::NotFound(Entity::Row))?;
        Ok(row.0)
    }

    async fn player_with_session(&self, game: GameId, user_id: &UserId) -> Result<Option<PlayerWithSession>> {
        let row: Option<PlayerSessionRow> = self
            .read_optional(&PLAYER_AND_SESSION, params![game.0, user_id.as_str()])
            .await?;
        let Some(row) = row else { return Ok(None) };
        let (player, active) = row.split()?;
        Ok(Some(PlayerWithSession { player, active }))
    }

    async fn apply_open_plan(&self, plan: OpenPlan) -> Result<Applied> {
        // A kept session without profile changes, and a new player with its first session,
        // are one statement each on PostgreSQL (the audit event a CTE of it).
        let one_statement = match &plan.plan {
            SessionPlan::Reuse { patch, .. } => patch.is_empty(),
            SessionPlan::Create { .. } => true,
            SessionPlan::Replace { .. } => false,
        };
        let ev = EventValues::of(&plan.audit, plan.now);
        match &self.db {
            // The writer thread runs every job it takes to its end.
            Db::Sqlite { writer, .. } => {
                applied(writer.run(true, async move |e| apply_plan(e, &plan, &ev).await).await)
            }
            // One statement is applied whole or not at all, whenever the caller stops.
            Db::Postgres(_) if one_statement => {
                applied(self.write_one(async move |e| apply_plan(e, &plan, &ev).await).await)
            }
            // A transaction runs in a task of its own, so that it commits or rolls back even
            // if the caller stops waiting.
            Db::Postgres(pg) => {
                self.health.gate()?;
                let res = match pg.get().await {
                    Ok(client) => tokio::spawn(pg_transaction_on(client, async move |e| {
                        apply_plan(e, &plan, &ev).await
                    }))
                    .await
                    .unwrap_or_else(|e| Err(Error::internal(format!("the session write failed: {e}")))),
                    Err(e) => Err(e),
                };
                self.health.observe(&res, &pg.writes.pool);
                applied(res)
            }
        }
    }

    async fn session(&self, id: SessionId) -> Result<Option<Session>> {
        let id = id.to_string();
        let row: Option<SessionRow> = self
            .read_optional(
                concat!("SELECT ", session_cols!(), " FROM sessions WHERE id = $1"),
                params![&id],
            )
            .await?;
        row.map(Session::try_from).transpose()
    }

    async fn player(&self, id: PlayerId) -> Result<Option<Player>> {
        let row: Option<PlayerRow> = self.read_optional(&PLAYER_BY_ID, params![id.0]).await?;
        row.map(Player::try_from).transpose()
    }

    async fn renew(&self, renewal: &Renewal<'_>) -> Result<RenewOutcome> {
        self.renew_session(renewal).await
    }

    async fn swap_refresh(&self, swap: &RefreshSwap<'_>) -> Result<bool> {
        let (presented, next) = (swap.presented.0.clone(), swap.next.0.clone());
        let legacy = swap.legacy.0.clone();
        let id = swap.id.to_string();
        let (now, expires_at, grace_since) = (swap.now, swap.expires_at, swap.grace_since);
        let ev = swap.audit.map(|a| EventValues::of(a, now));
        // SET expressions read the row as it was, on both backends: a rotation records the
        // replaced hash and its time; a grace retry leaves them as they were.
        let done = self
            .write_audited(async move |e| {
                chained_update(
                    e,
                    "UPDATE sessions SET refresh_hash = $3, last_seen_at = $4, expires_at = $5, \
                     prev_refresh_hash = CASE WHEN refresh_hash IN ($2, $7) THEN refresh_hash ELSE prev_refresh_hash END, \
                     rotated_at = CASE WHEN refresh_hash IN ($2, $7) THEN $4 ELSE rotated_at END \
                     WHERE id = $1 AND state = 'active' \
                     AND (refresh_hash IN ($2, $7) OR (prev_refresh_hash IN ($2, $7) AND rotated_at > $6))",
                    params![&id, &presented, &next, now.0, expires_at.0, grace_since.0, &legacy],
                    ev.as_ref(),
                    &id,
                )
                .await
            })
            .await?;
        Ok(done == 1)
    }

    async fn end_session(
        &self,
        id: SessionId,
        game: GameId,
        now: Timestamp,
        audit: &NewAuditEvent,
    ) -> Result<EndOutcome> {
        let ev = EventValues::of(audit, now);
        let ended = self
            .write_audited(async move |conn| {
                let sid = id.to_string();
                chained_update(
                    conn,
                    "UPDATE sessions SET state = 'ended', ended_at = $3 \
                     WHERE id = $1 AND game_id = $2 AND state <> 'ended'",
                    params![&sid, game.0, now.0],
                    Some(&ev),
                    &sid,
                )
                .await
            })
            .await?;
        if ended == 1 {
            return Ok(EndOutcome::Ended);
        }
        let exists: Option<String> = self
            .read_scalar_optional(
                "SELECT state FROM sessions WHERE id = $1 AND game_id = $2",
                params![id.to_string(), game.0],
            )
            .await?;
        Ok(if exists.is_some() {
            EndOutcome::AlreadyEnded
        } else {
            EndOutcome::NotFound
        })
    }
}
