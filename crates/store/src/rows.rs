//! Row types and their conversion into core entities.

use playgate_core::clock::Timestamp;
use playgate_core::crypto::SecretHash;
use playgate_core::game::Game;
use playgate_core::ids::{GameId, PlayerId, SessionId, UserId};
use playgate_core::player::{LinkedAccount, Player, Profile};
use playgate_core::session::{Session, SessionState};
use playgate_core::{Error, Result};

use crate::exec::{FromRow, Row, row};

/// The columns of [`GameRow`], as a literal for `concat!`.
macro_rules! game_cols {
    () => {
        "id, name, description, client_id, client_name, secret_hash, enabled, created_at, gamefuse_token"
    };
}
pub(crate) use game_cols;

row! {
    pub(crate) struct GameRow {
    id: i64,
    name: String,
    description: String,
    client_id: String,
    client_name: String,
    secret_hash: String,
    enabled: bool,
    created_at: i64,
    gamefuse_token: String,}
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
pub(crate) struct PlayerSessionRow {
    pub player: PlayerRow,
    s_id: Option<String>,
    s_state: Option<String>,
    s_started_at: Option<i64>,
    s_last_seen_at: Option<i64>,
    s_expires_at: Option<i64>,
    s_ip: Option<String>,
}

impl FromRow for PlayerSessionRow {
    fn from_row(r: &Row<'_>) -> Result<Self> {
        Ok(PlayerSessionRow {
            player: PlayerRow::from_row(r)?,
            s_id: r.get("s_id")?,
            s_state: r.get("s_state")?,
            s_started_at: r.get("s_started_at")?,
            s_last_seen_at: r.get("s_last_seen_at")?,
            s_expires_at: r.get("s_expires_at")?,
            s_ip: r.get("s_ip")?,
        })
    }
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

row! {
    /// A player's own columns ([`player_cols!`]).
    pub(crate) struct PlayerCols {
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
    }
}

/// A player, with its linked account when the query selects it ([`player_fields!`]: the
/// `linked_*` columns; `UPDATE … RETURNING` of [`player_cols!`] has none).
pub(crate) struct PlayerRow {
    cols: PlayerCols,
    linked_id: Option<String>,
    linked_wallet: Option<String>,
    linked_phone: Option<String>,
}

impl FromRow for PlayerRow {
    fn from_row(r: &Row<'_>) -> Result<Self> {
        let cols = PlayerCols::from_row(r)?;
        if !r.has("linked_id") {
            return Ok(PlayerRow {
                cols,
                linked_id: None,
                linked_wallet: None,
                linked_phone: None,
            });
        }
        Ok(PlayerRow {
            cols,
            linked_id: r.get("linked_id")?,
            linked_wallet: r.get("linked_wallet")?,
            linked_phone: r.get("linked_phone")?,
        })
    }
}

impl TryFrom<PlayerRow> for Player {
    type Error = Error;
    fn try_from(row: PlayerRow) -> Result<Player> {
        let r = row.cols;
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
            linked: row.linked_id.map(|public_id| LinkedAccount {
                public_id,
                wallet_address: row.linked_wallet.unwrap_or_default(),
                phone: row.linked_phone.unwrap_or_default(),
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

row! {
    pub(crate) struct SessionRow {
    id: String,
    game_id: i64,
    player_id: i64,
    state: String,
    started_at: i64,
    last_seen_at: i64,
    expires_at: i64,
    ended_at: Option<i64>,
    ip: Option<String>,}
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

row! {
    pub(crate) struct KeyRow {
    pub kid: String,
    pub sealed_secret: Vec<u8>,
    pub created_at: i64,}
}

#[cfg(test)]
mod tests {
    use playgate_core::store::Store;

    use super::*;
    use crate::exec::params;
    use crate::testing::{Backend, open_store};

    /// Rows are read by column name on both drivers: the same SELECT with two columns of
    /// one type swapped (and the whole list reversed) fills the same struct, and a list
    /// missing a column is an error, not a shifted read.
    async fn reordered_columns_read_the_same_row(b: Backend) {
        let Some((s, db)) = open_store(b).await else { return };
        let game = s
            .insert_game(playgate_core::game::NewGameRecord {
                name: "name".into(),
                description: "description".into(),
                client_id: "1234".into(),
                client_name: "CLIENT_NAME".into(),
                secret_hash: SecretHash("hash".into()),
                created_at: Timestamp(7),
                gamefuse_token: "token".into(),
            })
            .await
            .expect("game");
        let swapped = "SELECT id, name, description, client_name, client_id, secret_hash, enabled, created_at, \
                       gamefuse_token FROM games WHERE id = $1";
        let reversed = "SELECT gamefuse_token, created_at, enabled, secret_hash, client_name, client_id, description, \
                        name, id FROM games WHERE id = $1";
        for sql in [swapped, reversed] {
            let row: GameRow = s
                .read(async |c| c.fetch_one(sql, params![game.id.0]).await)
                .await
                .expect("read");
            let got = Game::from(row);
            assert_eq!(
                (got.client_id.as_str(), got.client_name.as_str()),
                ("1234", "CLIENT_NAME"),
                "{sql}"
            );
            assert_eq!((got.name.as_str(), got.description.as_str()), ("name", "description"));
            assert_eq!((got.created_at, got.id), (Timestamp(7), game.id));
        }
        let missing: Result<GameRow> = s
            .read(async |c| {
                c.fetch_one("SELECT id, name FROM games WHERE id = $1", params![game.id.0])
                    .await
            })
            .await;
        assert!(matches!(missing, Err(Error::Internal(_))));
        s.close().await;
        db.drop_it().await;
    }

    /// Both drivers report a broken unique key by the name PostgreSQL gives it, and a
    /// broken foreign key as such.
    async fn constraint_violations_are_named(b: Backend) {
        let Some((s, db)) = open_store(b).await else { return };
        let rec = |client_id: &str| playgate_core::game::NewGameRecord {
            name: "g".into(),
            description: String::new(),
            client_id: client_id.into(),
            client_name: "G".into(),
            secret_hash: SecretHash("hash".into()),
            created_at: Timestamp(1),
            gamefuse_token: format!("token-{client_id}"),
        };
        s.insert_game(rec("1")).await.expect("game");
        match s.insert_game(rec("1")).await {
            Err(Error::Constraint {
                kind: playgate_core::ConstraintKind::Unique,
                name,
            }) => assert_eq!(name, "games_client_id_key"),
            other => panic!("{:?}", other.map(|g| g.id)),
        }
        let orphan = s
            .write_one(async |c| {
                c.execute(
                    "INSERT INTO game_variables (game_id, key, value) VALUES ($1, 'k', 'v')",
                    params![999_999_i64],
                )
                .await
            })
            .await;
        match orphan {
            Err(Error::Constraint {
                kind: playgate_core::ConstraintKind::ForeignKey,
                name,
            }) => assert_eq!(
                name,
                if b == Backend::Postgres {
                    "game_variables_game_id_fkey"
                } else {
                    ""
                }
            ),
            other => panic!("{other:?}"),
        }
        s.close().await;
        db.drop_it().await;
    }

    crate::on_both_backends!(reordered_columns_read_the_same_row, constraint_violations_are_named);
}
