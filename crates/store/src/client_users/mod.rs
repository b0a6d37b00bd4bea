//! `ClientUserStore` for [`SqlStore`]: client users and their token sessions.

mod reset;

use crate::SqlStore;
use crate::audit::{EventValues, insert_events};
use crate::exec::{Conn, params, row};
use async_trait::async_trait;
use playgate_core::client_users::{
    ClientSessionStart, ClientUser, ClientUserStore, NewClientUser, ProfilePatch, SignInCredentials,
};
use playgate_core::clock::Timestamp;
use playgate_core::ids::{GameId, PlayerId, SessionId};
use playgate_core::player::Ban;
use playgate_core::{Conflict, ConstraintKind, Entity, Error, Forbidden, Result};

/// The columns of [`ClientUserRow`].
macro_rules! client_user_cols {
    () => {
        "player_id, game_id, display_email, username, credits, score, number_of_logins, last_login, \
         events_total, events_month, game_sessions_total, game_sessions_month, month, created_at"
    };
}

pub(crate) use client_user_cols;

/// The columns of [`ClientUserRow`], qualified by `u.` (for joins).
macro_rules! client_user_cols_u {
    () => {
        "u.player_id, u.game_id, u.display_email, u.username, u.credits, u.score, u.number_of_logins, \
         u.last_login, u.events_total, u.events_month, u.game_sessions_total, u.game_sessions_month, u.month, \
         u.created_at"
    };
}

pub(crate) use client_user_cols_u;

row! {
    pub(crate) struct ClientUserRow {
    player_id: i64,
    game_id: i64,
    display_email: String,
    username: String,
    credits: i64,
    score: i64,
    number_of_logins: i64,
    last_login: Option<i64>,
    events_total: i64,
    events_month: i64,
    game_sessions_total: i64,
    game_sessions_month: i64,
    month: String,
    created_at: i64,}
}

impl From<ClientUserRow> for ClientUser {
    fn from(r: ClientUserRow) -> ClientUser {
        ClientUser {
            id: PlayerId(r.player_id),
            game_id: GameId(r.game_id),
            display_email: r.display_email,
            username: r.username,
            credits: r.credits,
            score: r.score,
            number_of_logins: r.number_of_logins,
            last_login: r.last_login.map(Timestamp),
            events_total: r.events_total,
            events_month: r.events_month,
            game_sessions_total: r.game_sessions_total,
            game_sessions_month: r.game_sessions_month,
            month: r.month,
            created_at: Timestamp(r.created_at),
        }
    }
}

/// The unique key of a GameFuse user's name (`UNIQUE (game_id, username_key)`).
const USERNAME_KEY: &str = "gamefuse_users_game_id_username_key_key";

/// A unique violation on sign-up or a profile change, told apart by its constraint: the
/// user name's key, or else one of the e-mail's (the GameFuse user's or the player's).
fn user_conflict(e: Error) -> Error {
    match e {
        Error::Constraint {
            kind: ConstraintKind::Unique,
            name,
        } if name == USERNAME_KEY => Error::Conflict(Conflict::UsernameTaken),
        e if e.is_unique_violation() => Error::Conflict(Conflict::EmailTaken),
        e => e,
    }
}

/// Counts a new session of the user and returns it: `$1` the player, `$2` the month, `$3`
/// 1 for a sign-in (counts a login), `$4` now.
const COUNT_SESSION_SQL: &str = concat!(
    "UPDATE gamefuse_users SET number_of_logins = number_of_logins + $3, \
     last_login = CASE WHEN $3 = 1 THEN $4 ELSE last_login END, \
     events_total = events_total + 1, \
     events_month = CASE WHEN month = $2 THEN events_month + 1 ELSE 1 END, \
     game_sessions_total = game_sessions_total + 1, \
     game_sessions_month = CASE WHEN month = $2 THEN game_sessions_month + 1 ELSE 1 END, \
     month = $2 WHERE player_id = $1 RETURNING ",
    client_user_cols!()
);

/// Ends the player's active session: `$1` the player, `$2` now.
const END_ACTIVE_SQL: &str =
    "UPDATE sessions SET state = 'ended', ended_at = $2 WHERE player_id = $1 AND state = 'active'";

/// Starts a session (`$1` id, `$2` game, `$3` player, `$4` now, `$5` expiry, `$6` IP, `$7`
/// token hash) unless the player is banned. `refresh_hash` is '' (no SHA-256 is empty): a
/// GameFuse session has no refresh token. `$lock` is PostgreSQL's `FOR SHARE` on the
/// player's row, held to commit, so that a concurrent ban (which updates that row, then
/// ends the player's sessions) ends this session too or is seen by it.
macro_rules! insert_session {
    ($lock:literal) => {
        concat!(
            "INSERT INTO sessions (id, game_id, player_id, state, started_at, last_seen_at, \
             expires_at, ended_at, ip, refresh_hash, token_hash) \
             SELECT $1, $2, $3, 'active', $4, $4, $5, NULL, $6, '', $7 FROM players \
             WHERE id = $3 AND banned_at IS NULL",
            $lock
        )
    };
}

/// Ends the player's active session, starts the new one, and counts it; the updated user.
/// A GameFuse user, by its player id.
pub(crate) async fn client_user_in(e: &mut Conn<'_>, player: PlayerId) -> Result<Option<ClientUser>> {
    let row: Option<ClientUserRow> = e
        .fetch_optional(
            concat!(
                "SELECT ",
                client_user_cols!(),
                " FROM gamefuse_users WHERE player_id = $1"
            ),
            params![player.0],
        )
        .await?;
    Ok(row.map(ClientUser::from))
}

async fn start_session(e: &mut Conn<'_>, player: PlayerId, cmd: &ClientSessionStart) -> Result<ClientUser> {
    // Counting first takes the user's row lock (PostgreSQL), so concurrent sign-ins of one
    // player run one after the other: the later one then sees and ends the earlier one's
    // session instead of racing it to `sessions_one_active`.
    let login = i64::from(cmd.is_login);
    let row: ClientUserRow = e
        .fetch_optional(COUNT_SESSION_SQL, params![player.0, &cmd.month, login, cmd.now.0])
        .await?
        .ok_or(Error::NotFound(Entity::Row))?;
    e.execute(END_ACTIVE_SQL, params![player.0, cmd.now.0]).await?;
    let sid = cmd.session_id.to_string();
    let sql = if e.is_postgres() {
        insert_session!(" FOR SHARE")
    } else {
        insert_session!("")
    };
    let started = e
        .execute(
            sql,
            params![
                &sid,
                cmd.game_id.0,
                player.0,
                cmd.now.0,
                cmd.expires_at.0,
                &cmd.ip,
                &cmd.token_hash.0
            ],
        )
        .await?;
    if started == 0 {
        // Banned since the sign-in read the player: the transaction rolls back.
        let reason: Option<String> = e
            .scalar_optional(
                "SELECT COALESCE(ban_reason, '') FROM players WHERE id = $1",
                params![player.0],
            )
            .await?;
        return Err(Error::Forbidden(Forbidden::PlayerBanned(reason.unwrap_or_default())));
    }
    let events: Vec<EventValues> = cmd.audit.iter().map(|a| EventValues::of(a, cmd.now)).collect();
    insert_events(e, &events).await?;
    Ok(ClientUser::from(row))
}

row! {
    struct SignInRow {
        player_id: i64,
        password_hash: String,
        banned_at: Option<i64>,
        ban_reason: Option<String>,
    }
}

row! {
    struct CredentialRow {
        player_id: i64,
        password_hash: String,
    }
}

#[async_trait]
impl ClientUserStore for SqlStore {
    async fn insert_user(&self, rec: &NewClientUser, session: &ClientSessionStart) -> Result<ClientUser> {
        let (rec, session) = (rec.clone(), session.clone());
        self.write_tx(async move |tx| {
            let player: i64 = tx
                .scalar_one(
                    "INSERT INTO players (game_id, user_id, username, email, wallet_address, wallet_key, \
                     created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
                    params![
                        rec.game_id.0,
                        &rec.email,
                        &rec.username,
                        &rec.display_email,
                        &rec.wallet.address,
                        &rec.wallet.sealed_key,
                        rec.created_at.0
                    ],
                )
                .await
                .map_err(user_conflict)?;
            tx.execute(
                "INSERT INTO gamefuse_users (player_id, game_id, email, display_email, username, username_key, \
                 password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                params![
                    player,
                    rec.game_id.0,
                    &rec.email,
                    &rec.display_email,
                    &rec.username,
                    &rec.username_key,
                    &rec.password_hash,
                    rec.created_at.0
                ],
            )
            .await
            .map_err(user_conflict)?;
            let user = start_session(tx, PlayerId(player), &session).await?;
            Ok(user)
        })
        .await
    }

    async fn user(&self, game: GameId, id: PlayerId) -> Result<Option<ClientUser>> {
        let row: Option<ClientUserRow> = self
            .read_optional(
                concat!(
                    "SELECT ",
                    client_user_cols!(),
                    " FROM gamefuse_users WHERE player_id = $1 AND game_id = $2"
                ),
                params![id.0, game.0],
            )
            .await?;
        Ok(row.map(ClientUser::from))
    }

    async fn users(&self, game: GameId, ids: &[i64]) -> Result<Vec<ClientUser>> {
        let rows: Vec<ClientUserRow> = self
            .read_in(params![game.0], ids, |ids| {
                format!(
                    "SELECT {} FROM gamefuse_users WHERE game_id = $1 AND player_id IN ({ids})",
                    client_user_cols!()
                )
            })
            .await?;
        Ok(rows.into_iter().map(ClientUser::from).collect())
    }

    async fn user_by_username(&self, game: GameId, username_key: &str) -> Result<Option<ClientUser>> {
        let row: Option<ClientUserRow> = self
            .read_optional(
                concat!(
                    "SELECT ",
                    client_user_cols!(),
                    " FROM gamefuse_users WHERE game_id = $1 AND username_key = $2"
                ),
                params![game.0, username_key],
            )
            .await?;
        Ok(row.map(ClientUser::from))
    }

    async fn set_password_hash(&self, player: PlayerId, old: &str, new: &str) -> Result<bool> {
        let n = self
            .execute_one(
                "UPDATE gamefuse_users SET password_hash = $3 WHERE player_id = $1 AND password_hash = $2",
                params![player.0, old, new],
            )
            .await?;
        Ok(n == 1)
    }

    async fn update_profile(&self, player: PlayerId, patch: &ProfilePatch) -> Result<ClientUser> {
        let patch = patch.clone();
        self.write_tx(async move |tx| {
            // The player row mirrors the GameFuse one: `user_id` is the normalised e-mail.
            if let Some((name, key)) = &patch.username {
                tx.execute(
                    "UPDATE gamefuse_users SET username = $2, username_key = $3 WHERE player_id = $1",
                    params![player.0, name, key],
                )
                .await
                .map_err(user_conflict)?;
                tx.execute(
                    "UPDATE players SET username = $2, updated_at = $3 WHERE id = $1",
                    params![player.0, name, patch.now.0],
                )
                .await
                .map_err(user_conflict)?;
            }
            if let Some((email, display)) = &patch.email {
                tx.execute(
                    "UPDATE gamefuse_users SET email = $2, display_email = $3 WHERE player_id = $1",
                    params![player.0, email, display],
                )
                .await
                .map_err(user_conflict)?;
                tx.execute(
                    "UPDATE players SET user_id = $2, email = $3, updated_at = $4 WHERE id = $1",
                    params![player.0, email, display, patch.now.0],
                )
                .await
                .map_err(user_conflict)?;
            }
            client_user_in(tx, player).await?.ok_or(Error::NotFound(Entity::User))
        })
        .await
    }

    async fn sign_in_credentials(&self, game: GameId, email: &str) -> Result<Option<SignInCredentials>> {
        let row: Option<SignInRow> = self
            .read_optional(
                "SELECT u.player_id, u.password_hash, p.banned_at, p.ban_reason FROM gamefuse_users u \
                 JOIN players p ON p.id = u.player_id WHERE u.game_id = $1 AND u.email = $2",
                params![game.0, email],
            )
            .await?;
        Ok(row.map(|r| SignInCredentials {
            player: PlayerId(r.player_id),
            password_hash: r.password_hash,
            ban: r.banned_at.map(|at| Ban {
                reason: r.ban_reason.unwrap_or_default(),
                at: Timestamp(at),
            }),
        }))
    }

    async fn credentials_by_email(&self, game: GameId, email: &str) -> Result<Option<(PlayerId, String)>> {
        let row: Option<CredentialRow> = self
            .read_optional(
                "SELECT player_id, password_hash FROM gamefuse_users WHERE game_id = $1 AND email = $2",
                params![game.0, email],
            )
            .await?;
        Ok(row.map(|r| (PlayerId(r.player_id), r.password_hash)))
    }

    async fn start_session(&self, player: PlayerId, cmd: &ClientSessionStart) -> Result<ClientUser> {
        // On PostgreSQL two concurrent sign-ins of one player can race to the partial
        // unique index `sessions_one_active`; the loser retries and then ends the winner's.
        let mut attempt = 0;
        loop {
            attempt += 1;
            let cmd = cmd.clone();
            let res: Result<ClientUser> = self.write_tx(async move |e| start_session(e, player, &cmd).await).await;
            match res {
                Err(e) if e.is_unique_violation() && attempt < 5 => continue,
                other => return other,
            }
        }
    }

    async fn extend_session(&self, session: SessionId, now: Timestamp, expires_at: Timestamp) -> Result<()> {
        let id = session.to_string();
        self.execute_one(
            "UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1 AND state = 'active'",
            params![&id, now.0, expires_at.0],
        )
        .await?;
        Ok(())
    }
}
