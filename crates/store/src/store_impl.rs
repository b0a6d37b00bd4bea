//! `impl Store for SqlStore`: every query once, for both backends.

use async_trait::async_trait;
use playgate_core::clock::Timestamp;
use playgate_core::crypto::SecretHash;
use playgate_core::game::{Game, NewGameRecord};
use playgate_core::ids::{GameId, PlayerId, SessionId};
use playgate_core::player::{Player, Profile};
use playgate_core::session::{OpenedSession, Session, SessionState};
use playgate_core::store::{EndOutcome, Minter, OpenOutcome, OpenPlayerSession, RefreshSwap, Store};
use playgate_core::token::SigningKeyRecord;
use playgate_core::{Error, Result};
use std::sync::{Arc, LazyLock};

use crate::SqlStore;
use crate::account_store_impl::{LINKED_SQL, LinkedRow};
use crate::exec::{P, params};
use crate::rows::{
    GameRow, KeyRow, PLAYER_COLS, PLAYER_FIELDS, PLAYER_FROM, PROFILE_COLUMNS, PlayerRow, PlayerSessionRow, SessionRow,
    active_session_fields, game_cols, patch_params, profile_params, session_cols,
};
use playgate_core::Entity;

/// A player by its game and `user_id` (`$1`, `$2`), with its linked account.
static PLAYER_BY_KEY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {} FROM {PLAYER_FROM} WHERE p.game_id = $1 AND p.user_id = $2",
        *PLAYER_FIELDS
    )
});

/// A player by id (`$1`), with its linked account.
static PLAYER_BY_ID: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {} FROM {PLAYER_FROM} WHERE p.id = $1", *PLAYER_FIELDS));

/// A player by its game and `user_id` (`$1`, `$2`), with its linked account and its active
/// session: create-or-retrieve's fast path in one query.
static PLAYER_AND_SESSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {}, {} FROM {PLAYER_FROM} LEFT JOIN sessions s ON s.player_id = p.id AND s.state = 'active' \
         WHERE p.game_id = $1 AND p.user_id = $2",
        *PLAYER_FIELDS,
        active_session_fields!()
    )
});

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

/// Merges a profile patch into the player `$1`, `$2` (a `NULL` value keeps the stored one),
/// then `updated_at`; returns the player (without its linked account).
static PATCH_PLAYER: LazyLock<String> = LazyLock::new(|| {
    let n = PROFILE_COLUMNS.len();
    let sets: Vec<String> = PROFILE_COLUMNS
        .iter()
        .zip(3..)
        .map(|(c, i)| format!("{c} = COALESCE(${i}, {c})"))
        .collect();
    format!(
        "UPDATE players SET {}, updated_at = ${} WHERE game_id = $1 AND user_id = $2 RETURNING {}",
        sets.join(", "),
        n + 3,
        *PLAYER_COLS
    )
});

/// What the read-mostly fast path of `open_player_session` found.
enum Retrieved {
    NoPlayer,
    Done(Box<OpenedSession>),
    Fallback,
}

impl SqlStore {
    async fn retrieve_live_session(&self, cmd: &OpenPlayerSession, mint: &Arc<Minter>) -> Result<Retrieved> {
        let row: Option<PlayerSessionRow> = self
            .read(async |e| {
                e.fetch_optional(&PLAYER_AND_SESSION, params![cmd.game_id.0, cmd.user_id.as_str()])
                    .await
            })
            .await?;
        let Some(row) = row else { return Ok(Retrieved::NoPlayer) };
        let (player, session) = row.split()?;
        let Some(session) = session.filter(|s| s.is_live(cmd.now)) else {
            return Ok(Retrieved::Fallback);
        };
        let tokens = mint(&player, &session, false)?;
        let (id, hash, now, expires_at) = (
            session.id.to_string(),
            tokens.refresh_hash.0.clone(),
            cmd.now,
            cmd.expires_at,
        );
        // Still active and unexpired at write time (it may have been ended meanwhile).
        let updated = self
            .write_one(async move |e| {
                e.execute(
                    "UPDATE sessions SET refresh_hash = $2, prev_refresh_hash = NULL, last_seen_at = $3, \
                 expires_at = $4 WHERE id = $1 AND state = 'active' AND expires_at > $3",
                    params![&id, &hash, now.0, expires_at.0],
                )
                .await
            })
            .await?;
        if updated != 1 {
            return Ok(Retrieved::Fallback);
        }
        let session = Session {
            last_seen_at: now,
            expires_at,
            ..session
        };
        Ok(Retrieved::Done(Box::new(OpenedSession {
            player,
            session,
            is_new_user: false,
            tokens,
        })))
    }
}

fn not_found(what: Entity) -> impl FnOnce() -> Error {
    move || Error::NotFound(what)
}

#[async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> Result<()> {
        let _: i64 = self
            .read(async |c| c.scalar_one("SELECT CAST(1 AS BIGINT)", params![]).await)
            .await?;
        Ok(())
    }

    async fn insert_game(&self, rec: NewGameRecord) -> Result<Game> {
        let sql = concat!(
            "INSERT INTO games (name, description, client_id, client_name, secret_hash, enabled, created_at, \
             gamefuse_token) VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7) RETURNING ",
            game_cols!()
        );
        let row: GameRow = self
            .write_one(async move |conn| {
                conn.fetch_one(
                    sql,
                    params![
                        rec.name,
                        rec.description,
                        rec.client_id,
                        rec.client_name,
                        rec.secret_hash.0,
                        rec.created_at.0,
                        rec.gamefuse_token
                    ],
                )
                .await
            })
            .await?;
        Ok(row.into())
    }

    async fn count_games(&self) -> Result<i64> {
        self.read(async |pool| pool.scalar_one("SELECT COUNT(*) FROM games", params![]).await)
            .await
    }

    async fn list_games(&self) -> Result<Vec<Game>> {
        let rows: Vec<GameRow> = self
            .read(async |pool| {
                pool.fetch_all(concat!("SELECT ", game_cols!(), " FROM games ORDER BY id"), params![])
                    .await
            })
            .await?;
        Ok(rows.into_iter().map(Game::from).collect())
    }

    async fn game_by_id(&self, id: GameId) -> Result<Option<Game>> {
        let row: Option<GameRow> = self
            .read(async |e| {
                e.fetch_optional(
                    concat!("SELECT ", game_cols!(), " FROM games WHERE id = $1"),
                    params![id.0],
                )
                .await
            })
            .await?;
        Ok(row.map(Game::from))
    }

    async fn game_by_client_id(&self, client_id: &str) -> Result<Option<Game>> {
        let row: Option<GameRow> = self
            .read(async |e| {
                e.fetch_optional(
                    concat!("SELECT ", game_cols!(), " FROM games WHERE client_id = $1"),
                    params![client_id],
                )
                .await
            })
            .await?;
        Ok(row.map(Game::from))
    }

    async fn set_game_secret(&self, id: GameId, hash: &SecretHash) -> Result<Game> {
        let hash = hash.0.clone();
        let row: Option<GameRow> = self
            .write_one(async move |conn| {
                conn.fetch_optional(
                    concat!(
                        "UPDATE games SET secret_hash = $2 WHERE id = $1 RETURNING ",
                        game_cols!()
                    ),
                    params![id.0, hash],
                )
                .await
            })
            .await?;
        row.map(Game::from).ok_or_else(not_found(Entity::Game))
    }

    async fn set_game_enabled(&self, id: GameId, enabled: bool) -> Result<Game> {
        let row: Option<GameRow> = self
            .write_one(async move |conn| {
                conn.fetch_optional(
                    concat!("UPDATE games SET enabled = $2 WHERE id = $1 RETURNING ", game_cols!()),
                    params![id.0, enabled],
                )
                .await
            })
            .await?;
        row.map(Game::from).ok_or_else(not_found(Entity::Game))
    }

    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>> {
        let rows: Vec<KeyRow> = self
            .read(async |pool| {
                pool.fetch_all(
                    "SELECT kid, sealed_secret, created_at FROM signing_keys ORDER BY created_at",
                    params![],
                )
                .await
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| SigningKeyRecord {
                kid: r.kid,
                sealed_secret: r.sealed_secret,
                created_at: Timestamp(r.created_at),
            })
            .collect())
    }

    async fn insert_signing_key(&self, rec: &SigningKeyRecord) -> Result<()> {
        let rec = rec.clone();
        self.write_one(async move |conn| {
            conn.execute(
                "INSERT INTO signing_keys (kid, sealed_secret, created_at) VALUES ($1, $2, $3)",
                params![rec.kid, rec.sealed_secret, rec.created_at.0],
            )
            .await
            .map(drop)
        })
        .await
    }

    async fn open_player_session(&self, cmd: &OpenPlayerSession, mint: Arc<Minter>) -> Result<OpenOutcome> {
        // The common cases first, on the read pool: an unknown player (no wallet yet) needs
        // no write at all, and a known player with a live session and nothing to merge needs
        // one conditional UPDATE instead of a transaction.
        if cmd.wallet.is_none() && cmd.patch.is_empty() {
            match self.retrieve_live_session(cmd, &mint).await? {
                Retrieved::NoPlayer => return Ok(OpenOutcome::NeedsWallet),
                Retrieved::Done(opened) => return Ok(OpenOutcome::Opened(opened)),
                Retrieved::Fallback => {}
            }
        }
        // On PostgreSQL two first sessions of one player can race to the partial unique
        // index `sessions_one_active`; the loser retries and then finds the winner's.
        let mut attempt = 0;
        loop {
            attempt += 1;
            let cmd = cmd.clone();
            let mint = mint.clone();
            let res = self
                .write_tx(async move |e| {
                    let mut is_new_user = false;
                    if let Some(w) = &cmd.wallet {
                        let mut p = Profile::default();
                        cmd.patch.clone().apply(&mut p);
                        let mut ps = vec![P::I64(cmd.game_id.0), P::Str(cmd.user_id.as_str())];
                        ps.extend(profile_params(&p));
                        ps.extend_from_slice(params![w.address, w.sealed_key, cmd.now.0]);
                        let inserted: Option<i64> = e.scalar_optional(&INSERT_PLAYER, &ps).await?;
                        is_new_user = inserted.is_some();
                    }
                    let row: Option<PlayerRow> = if !is_new_user && !cmd.patch.is_empty() {
                        let mut ps = vec![P::I64(cmd.game_id.0), P::Str(cmd.user_id.as_str())];
                        ps.extend(patch_params(&cmd.patch));
                        ps.push(P::I64(cmd.now.0));
                        e.fetch_optional(&PATCH_PLAYER, &ps).await?
                    } else {
                        e.fetch_optional(&PLAYER_BY_KEY, params![cmd.game_id.0, cmd.user_id.as_str()])
                            .await?
                    };
                    let Some(row) = row else {
                        // Nothing was written.
                        return Ok(OpenOutcome::NeedsWallet);
                    };
                    let mut player = Player::try_from(row)?;
                    if player.linked.is_none() && !is_new_user {
                        // `UPDATE … RETURNING` carries no linked account: read it.
                        let linked: Option<LinkedRow> = e.fetch_optional(LINKED_SQL, params![player.id.0]).await?;
                        player.linked = linked.map(Into::into);
                    }
                    let current: Option<SessionRow> = e
                        .fetch_optional(
                            concat!(
                                "SELECT ",
                                session_cols!(),
                                " FROM sessions WHERE player_id = $1 AND state = 'active'"
                            ),
                            params![player.id.0],
                        )
                        .await?;
                    let (session, tokens) = match current.map(Session::try_from).transpose()? {
                        Some(s) if s.is_live(cmd.now) => {
                            let tokens = mint(&player, &s, is_new_user)?;
                            e.execute(
                                "UPDATE sessions SET refresh_hash = $2, prev_refresh_hash = NULL, last_seen_at = $3, \
                             expires_at = $4 WHERE id = $1",
                                params![&s.id.to_string(), &tokens.refresh_hash.0, cmd.now.0, cmd.expires_at.0],
                            )
                            .await?;
                            (
                                Session {
                                    last_seen_at: cmd.now,
                                    expires_at: cmd.expires_at,
                                    ..s
                                },
                                tokens,
                            )
                        }
                        stale => {
                            if let Some(old) = stale {
                                e.execute(
                                    "UPDATE sessions SET state = 'ended', ended_at = $2 WHERE id = $1",
                                    params![&old.id.to_string(), cmd.now.0],
                                )
                                .await?;
                            }
                            let s = Session {
                                id: cmd.new_session_id,
                                game_id: cmd.game_id,
                                player_id: player.id,
                                state: SessionState::Active,
                                started_at: cmd.now,
                                last_seen_at: cmd.now,
                                expires_at: cmd.expires_at,
                                ended_at: None,
                                ip: cmd.ip.clone(),
                            };
                            let tokens = mint(&player, &s, is_new_user)?;
                            e.execute(
                                "INSERT INTO sessions (id, game_id, player_id, state, started_at, last_seen_at, \
                             expires_at, ended_at, ip, refresh_hash) \
                             VALUES ($1, $2, $3, 'active', $4, $4, $5, NULL, $6, $7)",
                                params![
                                    &s.id.to_string(),
                                    s.game_id.0,
                                    s.player_id.0,
                                    s.started_at.0,
                                    s.expires_at.0,
                                    &s.ip,
                                    &tokens.refresh_hash.0,
                                ],
                            )
                            .await?;
                            (s, tokens)
                        }
                    };
                    Ok(OpenOutcome::Opened(Box::new(OpenedSession {
                        player,
                        session,
                        is_new_user,
                        tokens,
                    })))
                })
                .await;
            match res {
                Err(e) if e.is_unique_violation() && attempt < 3 => continue,
                other => return other,
            }
        }
    }

    async fn session(&self, id: SessionId) -> Result<Option<Session>> {
        let id = id.to_string();
        let row: Option<SessionRow> = self
            .read(async |e| {
                e.fetch_optional(
                    concat!("SELECT ", session_cols!(), " FROM sessions WHERE id = $1"),
                    params![&id],
                )
                .await
            })
            .await?;
        row.map(Session::try_from).transpose()
    }

    async fn player(&self, id: PlayerId) -> Result<Option<Player>> {
        let row: Option<PlayerRow> = self
            .read(async |e| e.fetch_optional(&PLAYER_BY_ID, params![id.0]).await)
            .await?;
        row.map(Player::try_from).transpose()
    }

    async fn swap_refresh(&self, swap: &RefreshSwap<'_>) -> Result<bool> {
        let (presented, next) = (swap.presented.0.clone(), swap.next.0.clone());
        let id = swap.id.to_string();
        let (now, expires_at, grace_since) = (swap.now, swap.expires_at, swap.grace_since);
        // SET expressions read the row as it was, on both backends: a rotation records the
        // replaced hash and its time; a grace retry leaves them as they were.
        let done = self
            .write_one(async move |e| {
                e.execute(
                    "UPDATE sessions SET refresh_hash = $3, last_seen_at = $4, expires_at = $5, \
                 prev_refresh_hash = CASE WHEN refresh_hash = $2 THEN $2 ELSE prev_refresh_hash END, \
                 rotated_at = CASE WHEN refresh_hash = $2 THEN $4 ELSE rotated_at END \
                 WHERE id = $1 AND state = 'active' \
                 AND (refresh_hash = $2 OR (prev_refresh_hash = $2 AND rotated_at > $6))",
                    params![&id, &presented, &next, now.0, expires_at.0, grace_since.0],
                )
                .await
            })
            .await?;
        Ok(done == 1)
    }

    async fn end_session(&self, id: SessionId, game: GameId, now: Timestamp) -> Result<EndOutcome> {
        let ended = self
            .write_one(async move |conn| {
                conn.execute(
                    "UPDATE sessions SET state = 'ended', ended_at = $3 \
                 WHERE id = $1 AND game_id = $2 AND state <> 'ended'",
                    params![id.to_string(), game.0, now.0],
                )
                .await
            })
            .await?;
        if ended == 1 {
            return Ok(EndOutcome::Ended);
        }
        let exists: Option<String> = self
            .read(async |pool| {
                pool.scalar_optional(
                    "SELECT state FROM sessions WHERE id = $1 AND game_id = $2",
                    params![id.to_string(), game.0],
                )
                .await
            })
            .await?;
        Ok(if exists.is_some() {
            EndOutcome::AlreadyEnded
        } else {
            EndOutcome::NotFound
        })
    }

    async fn add_failure(&self, key: &str, window_start: Timestamp, expires_at: Timestamp) -> Result<i64> {
        let key = key.to_owned();
        let row: Option<i64> = self
            .write_one(async move |e| {
                e.scalar_optional(
                    "INSERT INTO failure_counts (bucket, window_start, expires_at, count) VALUES ($1, $2, $3, 1) \
                 ON CONFLICT (bucket, window_start) DO UPDATE SET count = failure_counts.count + 1 \
                 RETURNING count",
                    params![&key, window_start.0, expires_at.0],
                )
                .await
            })
            .await?;
        row.ok_or(Error::NotFound(Entity::Row))
    }

    async fn failures(&self, key: &str, window_start: Timestamp) -> Result<i64> {
        let n: Option<i64> = self
            .read(async |e| {
                e.scalar_optional(
                    "SELECT count FROM failure_counts WHERE bucket = $1 AND window_start = $2",
                    params![key, window_start.0],
                )
                .await
            })
            .await?;
        Ok(n.unwrap_or(0))
    }

    async fn prune_failures(&self, now: Timestamp) -> Result<u64> {
        self.write_one(async move |e| {
            e.execute("DELETE FROM failure_counts WHERE expires_at <= $1", params![now.0])
                .await
        })
        .await
    }

    async fn take_lease(&self, name: &str, now: Timestamp, until: Timestamp) -> Result<bool> {
        let name = name.to_owned();
        // The upsert's WHERE makes a held lease a no-op (0 rows) on both backends.
        let taken = self
            .write_one(async move |e| {
                e.execute(
                    "INSERT INTO job_leases (name, held_until) VALUES ($1, $3) \
                 ON CONFLICT (name) DO UPDATE SET held_until = $3 WHERE job_leases.held_until <= $2",
                    params![&name, now.0, until.0],
                )
                .await
            })
            .await?;
        Ok(taken == 1)
    }
}
