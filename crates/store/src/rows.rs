//! Row types and their conversion into core entities.

use playgate_core::clock::Timestamp;
use playgate_core::crypto::SecretHash;
use playgate_core::game::Game;
use playgate_core::ids::{GameId, PlayerId, SessionId, UserId};
use playgate_core::player::{LinkedAccount, Player, Profile};
use playgate_core::session::{Session, SessionState};
use playgate_core::{Error, Result};

use crate::lite::{FromLite, lite_row};

/// The columns of [`GameRow`], as a literal for `concat!`.
macro_rules! game_cols {
    () => {
        "id, name, description, client_id, client_name, secret_hash, enabled, created_at, gamefuse_token"
    };
}
pub(crate) use game_cols;

#[derive(sqlx::FromRow)]
pub(crate) struct GameRow {
    id: i64,
    name: String,
    description: String,
    client_id: String,
    client_name: String,
    secret_hash: String,
    enabled: bool,
    created_at: i64,
    gamefuse_token: String,
}

impl From<GameRow> for Game {
    fn from(r: GameRow) -> Game {
        Game {
            id: GameId(r.id),
            name: r.name,
            description: r.description,
            client_id: r.client_id,
            client_name: r.client_name,
            secret_hash: SecretHash(r.secret_hash),
            enabled: r.enabled,
            created_at: Timestamp(r.created_at),
            gamefuse_token: r.gamefuse_token,
        }
    }
}

/// The columns of a player with its linked account (`p`: players, `a`: accounts via
/// `player_links`), for reads: one query instead of two on the hot path.
macro_rules! player_fields {
    () => {
        "p.id, p.game_id, p.user_id, p.name, p.username, p.email, p.device_id, p.phonenumber, p.level, \
         p.rank, p.date_joined, p.playertag, p.location, p.location_name, p.device_model, p.screen_height, \
         p.screen_width, p.os_name, p.os_version, p.browser_name, p.fb_login, p.google_login, p.app_version, \
         p.wallet_address, p.created_at, a.public_id AS linked_id, a.wallet_address AS linked_wallet, \
         a.phone AS linked_phone"
    };
}
pub(crate) use player_fields;

/// The tables behind [`player_fields!`].
macro_rules! player_from {
    () => {
        "players p LEFT JOIN player_links l ON l.player_id = p.id LEFT JOIN accounts a ON a.id = l.account_id"
    };
}
pub(crate) use player_from;

/// `SELECT` of a player with its linked account; add a `WHERE` on `p`.
macro_rules! player_select {
    () => {
        concat!("SELECT ", player_fields!(), " FROM ", player_from!())
    };
}
pub(crate) use player_select;

/// A player with its linked account and its active session, if any (the session's
/// columns prefixed `s_`): create-or-retrieve's fast path in one query.
#[derive(sqlx::FromRow)]
pub(crate) struct PlayerSessionRow {
    #[sqlx(flatten)]
    pub player: PlayerRow,
    s_id: Option<String>,
    s_state: Option<String>,
    s_started_at: Option<i64>,
    s_last_seen_at: Option<i64>,
    s_expires_at: Option<i64>,
    s_ip: Option<String>,
}

/// The session columns of [`PlayerSessionRow`].
macro_rules! active_session_fields {
    () => {
        "s.id AS s_id, s.state AS s_state, s.started_at AS s_started_at, s.last_seen_at AS s_last_seen_at, \
         s.expires_at AS s_expires_at, s.ip AS s_ip"
    };
}
pub(crate) use active_session_fields;

impl PlayerSessionRow {
    /// The player, and its active session if it has one.
    pub(crate) fn split(self) -> Result<(Player, Option<Session>)> {
        let player = Player::try_from(self.player)?;
        let session = match (
            self.s_id,
            self.s_state,
            self.s_started_at,
            self.s_last_seen_at,
            self.s_expires_at,
        ) {
            (Some(id), Some(state), Some(started), Some(seen), Some(expires)) => Some(Session {
                id: id.parse::<SessionId>().map_err(Error::internal)?,
                game_id: player.game_id,
                player_id: player.id,
                state: SessionState::parse(&state)?,
                started_at: Timestamp(started),
                last_seen_at: Timestamp(seen),
                expires_at: Timestamp(expires),
                ended_at: None,
                ip: self.s_ip,
            }),
            _ => None,
        };
        Ok((player, session))
    }
}

/// The columns of [`PlayerRow`] (without the linked account, for `RETURNING`).
macro_rules! player_cols {
    () => {
        "id, game_id, user_id, name, username, email, device_id, phonenumber, level, rank, \
         date_joined, playertag, location, location_name, device_model, screen_height, screen_width, \
         os_name, os_version, browser_name, fb_login, google_login, app_version, wallet_address, created_at"
    };
}
pub(crate) use player_cols;

#[derive(sqlx::FromRow)]
pub(crate) struct PlayerRow {
    id: i64,
    game_id: i64,
    user_id: String,
    name: String,
    username: String,
    email: String,
    device_id: String,
    phonenumber: String,
    level: i64,
    rank: i64,
    date_joined: String,
    playertag: String,
    location: String,
    location_name: String,
    device_model: String,
    screen_height: String,
    screen_width: String,
    os_name: String,
    os_version: String,
    browser_name: String,
    fb_login: String,
    google_login: String,
    app_version: String,
    wallet_address: String,
    created_at: i64,
    // Present only with [`player_select!`].
    #[sqlx(default)]
    linked_id: Option<String>,
    #[sqlx(default)]
    linked_wallet: Option<String>,
    #[sqlx(default)]
    linked_phone: Option<String>,
}

impl TryFrom<PlayerRow> for Player {
    type Error = Error;
    fn try_from(r: PlayerRow) -> Result<Player> {
        Ok(Player {
            id: PlayerId(r.id),
            game_id: GameId(r.game_id),
            user_id: UserId::parse(r.user_id).map_err(Error::internal)?,
            profile: Profile {
                name: r.name,
                username: r.username,
                email: r.email,
                device_id: r.device_id,
                phonenumber: r.phonenumber,
                level: r.level,
                rank: r.rank,
                date_joined: r.date_joined,
                playertag: r.playertag,
                location: r.location,
                location_name: r.location_name,
                device_model: r.device_model,
                screen_height: r.screen_height,
                screen_width: r.screen_width,
                os_name: r.os_name,
                os_version: r.os_version,
                browser_name: r.browser_name,
                fb_login: r.fb_login,
                google_login: r.google_login,
                app_version: r.app_version,
            },
            wallet_address: r.wallet_address,
            linked: r.linked_id.map(|public_id| LinkedAccount {
                public_id,
                wallet_address: r.linked_wallet.unwrap_or_default(),
                phone: r.linked_phone.unwrap_or_default(),
            }),
            created_at: Timestamp(r.created_at),
        })
    }
}

/// The columns of [`SessionRow`].
macro_rules! session_cols {
    () => {
        "id, game_id, player_id, state, started_at, last_seen_at, expires_at, ended_at, ip"
    };
}
pub(crate) use session_cols;

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    id: String,
    game_id: i64,
    player_id: i64,
    state: String,
    started_at: i64,
    last_seen_at: i64,
    expires_at: i64,
    ended_at: Option<i64>,
    ip: Option<String>,
}

impl TryFrom<SessionRow> for Session {
    type Error = Error;
    fn try_from(r: SessionRow) -> Result<Session> {
        Ok(Session {
            id: r.id.parse::<SessionId>().map_err(Error::internal)?,
            game_id: GameId(r.game_id),
            player_id: PlayerId(r.player_id),
            state: SessionState::parse(&r.state)?,
            started_at: Timestamp(r.started_at),
            last_seen_at: Timestamp(r.last_seen_at),
            expires_at: Timestamp(r.expires_at),
            ended_at: r.ended_at.map(Timestamp),
            ip: r.ip,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct KeyRow {
    pub kid: String,
    pub sealed_secret: Vec<u8>,
    pub created_at: i64,
}

// Readers for the rusqlite driver, by position in the column macros above.

lite_row!(GameRow {
    id,
    name,
    description,
    client_id,
    client_name,
    secret_hash,
    enabled,
    created_at,
    gamefuse_token
});

/// Columns in [`player_cols!`] (and first in [`player_fields!`]).
const PLAYER_COLS: usize = 25;
/// Columns in [`player_fields!`].
const PLAYER_FIELDS: usize = PLAYER_COLS + 3;

impl FromLite for PlayerRow {
    fn from_lite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        // `player_fields!` adds the linked account after `player_cols!`'s columns.
        let linked = r.as_ref().column_count() >= PLAYER_FIELDS;
        let opt = |i: usize| -> rusqlite::Result<Option<String>> { if linked { r.get(i) } else { Ok(None) } };
        Ok(PlayerRow {
            id: r.get(0)?,
            game_id: r.get(1)?,
            user_id: r.get(2)?,
            name: r.get(3)?,
            username: r.get(4)?,
            email: r.get(5)?,
            device_id: r.get(6)?,
            phonenumber: r.get(7)?,
            level: r.get(8)?,
            rank: r.get(9)?,
            date_joined: r.get(10)?,
            playertag: r.get(11)?,
            location: r.get(12)?,
            location_name: r.get(13)?,
            device_model: r.get(14)?,
            screen_height: r.get(15)?,
            screen_width: r.get(16)?,
            os_name: r.get(17)?,
            os_version: r.get(18)?,
            browser_name: r.get(19)?,
            fb_login: r.get(20)?,
            google_login: r.get(21)?,
            app_version: r.get(22)?,
            wallet_address: r.get(23)?,
            created_at: r.get(24)?,
            linked_id: opt(PLAYER_COLS)?,
            linked_wallet: opt(PLAYER_COLS + 1)?,
            linked_phone: opt(PLAYER_COLS + 2)?,
        })
    }
}

impl FromLite for PlayerSessionRow {
    fn from_lite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        let s = PLAYER_FIELDS;
        Ok(PlayerSessionRow {
            player: PlayerRow::from_lite(r)?,
            s_id: r.get(s)?,
            s_state: r.get(s + 1)?,
            s_started_at: r.get(s + 2)?,
            s_last_seen_at: r.get(s + 3)?,
            s_expires_at: r.get(s + 4)?,
            s_ip: r.get(s + 5)?,
        })
    }
}

lite_row!(SessionRow {
    id,
    game_id,
    player_id,
    state,
    started_at,
    last_seen_at,
    expires_at,
    ended_at,
    ip
});
