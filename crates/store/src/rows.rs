//! Row types and their conversion into core entities.

use std::sync::LazyLock;

use playgate_core::clock::Timestamp;
use playgate_core::crypto::SecretHash;
use playgate_core::game::Game;
use playgate_core::ids::{GameId, PlayerId, SessionId, UserId};
use playgate_core::player::{Ban, LinkedAccount, Player, Profile, ProfilePatch};
use playgate_core::session::{Session, SessionState};
use playgate_core::{Error, Result};

use crate::exec::{FromRow, P, Row, ToP, row};

/// The columns of [`GameRow`], as a literal for `concat!`: the game `g` with its
/// credentials from [`game_from!`] (`''` where the game has none of a kind).
macro_rules! game_cols {
    () => {
        "g.id, g.name, g.description, COALESCE(kc.public_id, '') AS client_id, g.client_name, \
         COALESCE(kc.secret_hash, '') AS secret_hash, g.enabled, g.created_at, \
         COALESCE(gc.public_id, '') AS gamefuse_token, g.access_token_ttl_secs, g.refresh_token_ttl_secs"
    };
}
pub(crate) use game_cols;

/// The tables [`game_cols!`] reads, as a literal for `concat!`: `games g` with its KGeN
/// credential `kc` and its GameFuse credential `gc` (rows of `credentials`, one per kind).
/// Filtering on `kc.public_id` makes it the client-id lookup, one read by the unique key.
macro_rules! game_from {
    () => {
        "games g \
         LEFT JOIN credentials kc ON kc.game_id = g.id AND kc.kind = 'kgen' \
         LEFT JOIN credentials gc ON gc.game_id = g.id AND gc.kind = 'gamefuse'"
    };
}
pub(crate) use game_from;

/// The `credentials.kind` of a game's KGeN client id and client secret hash.
pub(crate) const KGEN_CREDENTIAL: &str = "kgen";
/// The `credentials.kind` of a game's GameFuse token (kept in `public_id`, no secret).
pub(crate) const GAMEFUSE_CREDENTIAL: &str = "gamefuse";

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
    gamefuse_token: String,
    access_token_ttl_secs: Option<i64>,
    refresh_token_ttl_secs: Option<i64>,}
}

/// A stored lifetime in seconds (a negative one, never written, reads as none).
fn ttl(secs: Option<i64>) -> Option<std::time::Duration> {
    secs.and_then(|s| u64::try_from(s).ok())
        .map(std::time::Duration::from_secs)
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
            access_token_ttl: ttl(r.access_token_ttl_secs),
            refresh_token_ttl: ttl(r.refresh_token_ttl_secs),
        }
    }
}

row! {
    /// A player with its linked account and its active session, if any (the session's
    /// columns prefixed `s_`): create-or-retrieve's fast path in one query.
    pub(crate) struct PlayerSessionRow {
        #[flatten]
        pub player: PlayerRow,
        s_id: Option<String>,
        s_state: Option<String>,
        s_started_at: Option<i64>,
        s_last_seen_at: Option<i64>,
        s_expires_at: Option<i64>,
        s_ip: Option<String>,
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

/// Declares the profile columns of `players`, each named like its field of [`Profile`] and
/// [`ProfilePatch`], from the core's list of them ([`playgate_core::profile_fields`]): the
/// player queries and the player's reader are built from it.
macro_rules! profile_columns {
    ($($f:ident),* $(,)?) => {
        /// The profile columns, in the order of [`profile_params`] and [`patch_params`].
        pub(crate) const PROFILE_COLUMNS: &[&str] = &[$(stringify!($f)),*];

        /// A profile's values, in the order of [`PROFILE_COLUMNS`].
        pub(crate) fn profile_params(p: &Profile) -> Vec<P<'_>> {
            vec![$(p.$f.to_p()),*]
        }

        /// A patch's values (`NULL` keeps the stored one), in the order of
        /// [`PROFILE_COLUMNS`].
        pub(crate) fn patch_params(p: &ProfilePatch) -> Vec<P<'_>> {
            vec![$(p.$f.to_p()),*]
        }

        /// Reads a profile by column name.
        fn read_profile(r: &Row<'_>) -> Result<Profile> {
            Ok(Profile {
                $($f: r.get(stringify!($f))?,)*
            })
        }
    };
}

playgate_core::profile_fields!(profile_columns);

/// The names of a player's own columns.
fn player_column_names() -> impl Iterator<Item = &'static str> {
    ["id", "game_id", "user_id"]
        .into_iter()
        .chain(PROFILE_COLUMNS.iter().copied())
        .chain(["wallet_address", "created_at", "banned_at", "ban_reason"])
}

/// A player's own columns, each after `prefix`.
fn player_columns(prefix: &str) -> String {
    player_column_names()
        .map(|c| format!("{prefix}{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The columns of a player with its linked account (`p`: players, `a`: accounts via
/// `player_links`), for reads: one query instead of two on the hot path.
pub(crate) static PLAYER_FIELDS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{}, a.public_id AS linked_id, a.wallet_address AS linked_wallet, a.phone AS linked_phone",
        player_columns("p.")
    )
});

/// [`PLAYER_FIELDS`] with every column aliased `<prefix><name>`, for a row that joins a
/// player to other tables (read with [`Row::prefixed`]).
pub(crate) fn player_fields_as(prefix: &str) -> String {
    let cols = player_column_names();
    let linked = [
        ("public_id", "linked_id"),
        ("wallet_address", "linked_wallet"),
        ("phone", "linked_phone"),
    ];
    cols.map(|c| format!("p.{c} AS {prefix}{c}"))
        .chain(linked.iter().map(|(c, alias)| format!("a.{c} AS {prefix}{alias}")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The columns `cols` (a comma-separated list) of table alias `table`, each aliased
/// `<prefix><name>`.
pub(crate) fn aliased(table: &str, cols: &str, prefix: &str) -> String {
    cols.split(',')
        .map(str::trim)
        .map(|c| format!("{table}.{c} AS {prefix}{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The tables behind [`PLAYER_FIELDS`].
pub(crate) const PLAYER_FROM: &str =
    "players p LEFT JOIN player_links l ON l.player_id = p.id LEFT JOIN accounts a ON a.id = l.account_id";

/// A player, with its linked account when the query selects it ([`PLAYER_FIELDS`]: the
/// `linked_*` columns).
pub(crate) struct PlayerRow {
    id: i64,
    game_id: i64,
    user_id: String,
    profile: Profile,
    wallet_address: String,
    created_at: i64,
    linked: Option<LinkedAccount>,
    ban: Option<Ban>,
}

impl FromRow for PlayerRow {
    fn from_row(r: &Row<'_>) -> Result<Self> {
        let (id, game_id, user_id) = (r.get("id")?, r.get("game_id")?, r.get("user_id")?);
        let (profile, wallet_address, created_at) = (read_profile(r)?, r.get("wallet_address")?, r.get("created_at")?);
        let linked_id: Option<String> = if r.has("linked_id") { r.get("linked_id")? } else { None };
        let linked = match linked_id {
            Some(public_id) => Some(LinkedAccount {
                public_id,
                wallet_address: r.get::<Option<String>>("linked_wallet")?.unwrap_or_default(),
                phone: r.get::<Option<String>>("linked_phone")?.unwrap_or_default(),
            }),
            None => None,
        };
        let banned_at: Option<i64> = if r.has("banned_at") { r.get("banned_at")? } else { None };
        let ban = match banned_at {
            Some(at) => Some(Ban {
                reason: r.get::<Option<String>>("ban_reason")?.unwrap_or_default(),
                at: Timestamp(at),
            }),
            None => None,
        };
        Ok(PlayerRow {
            id,
            game_id,
            user_id,
            profile,
            wallet_address,
            created_at,
            linked,
            ban,
        })
    }
}

impl TryFrom<PlayerRow> for Player {
    type Error = Error;
    fn try_from(r: PlayerRow) -> Result<Player> {
        Ok(Player {
            id: PlayerId(r.id),
            game_id: GameId(r.game_id),
            user_id: UserId::parse(r.user_id).map_err(Error::internal)?,
            profile: r.profile,
            wallet_address: r.wallet_address,
            linked: r.linked,
            created_at: Timestamp(r.created_at),
            ban: r.ban,
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
    use playgate_core::game::GameStore as _;

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
        let swapped = concat!(
            "SELECT g.id, g.name, g.description, g.client_name, kc.public_id AS client_id, kc.secret_hash, \
             g.enabled, g.created_at, gc.public_id AS gamefuse_token, g.refresh_token_ttl_secs, \
             g.access_token_ttl_secs FROM ",
            game_from!(),
            " WHERE g.id = $1"
        );
        let reversed = concat!(
            "SELECT g.refresh_token_ttl_secs, g.access_token_ttl_secs, gc.public_id AS gamefuse_token, g.created_at, g.enabled, kc.secret_hash, g.client_name, \
             kc.public_id AS client_id, g.description, g.name, g.id FROM ",
            game_from!(),
            " WHERE g.id = $1"
        );
        for sql in [swapped, reversed] {
            let row: GameRow = s.read_one(sql, params![game.id.0]).await.expect("read");
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
            .read_one("SELECT id, name FROM games WHERE id = $1", params![game.id.0])
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
            }) => assert_eq!(name, "credentials_pkey"),
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
