//! `impl GamefuseStore for SqlStore`: GameFuse's queries, once for both backends.

use async_trait::async_trait;
use playgate_core::clock::Timestamp;
use playgate_core::crypto::SecretHash;
use playgate_core::game::Game;
use playgate_core::gamefuse::GfUser;
use playgate_core::gamefuse::economy::{
    CounterOp, GameVariable, LeaderboardEntry, LeaderboardQuery, NewLeaderboardEntry, NewStoreItem, Owned, StoreItem,
    UserAttribute,
};
use playgate_core::gamefuse::events::EventCount;
use playgate_core::gamefuse::keys::{RouteAccess, ServiceKey};
use playgate_core::gamefuse::reset::{NewOutbox, OutboxRecord};
use playgate_core::gamefuse::store::{GamefuseStore, TokenCall};
use playgate_core::gamefuse::users::{GfSessionStart, NewGfUser, ProfilePatch};
use playgate_core::ids::{GameId, PlayerId, SessionId};
use playgate_core::session::Session;
use playgate_core::{ConstraintKind, Error, Result};

use crate::SqlStore;
use crate::exec::{Conn, FromRow, Row, params, row};
use crate::gamefuse_rows::{EntryRow, GfUserRow, StoreItemRow, gf_user_cols, item_cols};
use crate::rows::{GAMEFUSE_CREDENTIAL, GameRow, SessionRow};
use crate::store_impl::game_in;
use playgate_core::{Conflict, Entity, Forbidden};

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
    gf_user_cols!()
);
/// Ends the player's active session: `$1` the player, `$2` now.
const END_ACTIVE_SQL: &str =
    "UPDATE sessions SET state = 'ended', ended_at = $2 WHERE player_id = $1 AND state = 'active'";
/// Starts a session. `refresh_hash` is '' (no SHA-256 is empty): a GameFuse session has no
/// refresh token.
const INSERT_SESSION_SQL: &str = "INSERT INTO sessions (id, game_id, player_id, state, started_at, last_seen_at, \
     expires_at, ended_at, ip, refresh_hash, token_hash) VALUES ($1, $2, $3, 'active', $4, $4, $5, NULL, $6, '', $7)";

/// Ends the player's active session, starts the new one, and counts it; the updated user.
async fn start_session(e: &mut Conn<'_>, player: PlayerId, cmd: &GfSessionStart) -> Result<GfUser> {
    // Counting first takes the user's row lock (PostgreSQL), so concurrent sign-ins of one
    // player run one after the other: the later one then sees and ends the earlier one's
    // session instead of racing it to `sessions_one_active`.
    let login = i64::from(cmd.is_login);
    let row: GfUserRow = e
        .fetch_optional(COUNT_SESSION_SQL, params![player.0, &cmd.month, login, cmd.now.0])
        .await?
        .ok_or(Error::NotFound(Entity::Row))?;
    e.execute(END_ACTIVE_SQL, params![player.0, cmd.now.0]).await?;
    let sid = cmd.session_id.to_string();
    e.execute(
        INSERT_SESSION_SQL,
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
    Ok(GfUser::from(row))
}

fn not_found(what: Entity) -> impl FnOnce() -> Error {
    move || Error::NotFound(what)
}

/// The store items a player owns, by id; `$1` is the player.
const OWNED_ITEMS_SQL: &str = concat!(
    "SELECT ",
    item_cols!(),
    " FROM store_purchases p JOIN store_items i ON i.id = p.store_item_id WHERE p.player_id = $1 ORDER BY i.id"
);

/// A session joined with its game, a route's switches and its user
/// ([`GamefuseStore::gf_token_call`]).
struct TokenCallRow {
    session: SessionRow,
    game: GameRow,
    user_allowed: Option<bool>,
    key_allowed: Option<bool>,
    user: GfUserRow,
}

impl FromRow for TokenCallRow {
    fn from_row(r: &Row<'_>) -> Result<Self> {
        Ok(TokenCallRow {
            session: SessionRow::from_row(&r.prefixed("s_"))?,
            game: GameRow::from_row(&r.prefixed("g_"))?,
            user_allowed: r.get("user_allowed")?,
            key_allowed: r.get("key_allowed")?,
            user: GfUserRow::from_row(&r.prefixed("u_"))?,
        })
    }
}

row! {
    /// A game variable or a user attribute.
    struct KeyValueRow {
        id: i64,
        key: String,
        value: String,
    }
}

row! {
    struct CredentialRow {
        player_id: i64,
        password_hash: String,
    }
}

row! {
    struct ServiceKeyRow {
        id: i64,
        game_id: i64,
        name: String,
        created_at: i64,
    }
}

impl From<ServiceKeyRow> for ServiceKey {
    fn from(r: ServiceKeyRow) -> Self {
        ServiceKey {
            id: r.id,
            game_id: GameId(r.game_id),
            name: r.name,
            created_at: Timestamp(r.created_at),
        }
    }
}

row! {
    struct RouteRow {
        route: String,
        user_allowed: bool,
        key_allowed: bool,
    }
}

impl From<RouteRow> for RouteAccess {
    fn from(r: RouteRow) -> Self {
        RouteAccess {
            route: r.route,
            user_allowed: r.user_allowed,
            key_allowed: r.key_allowed,
        }
    }
}

row! {
    struct OutboxRow {
        id: i64,
        game_id: Option<i64>,
        recipient: String,
        subject: String,
        sealed_body: Vec<u8>,
        created_at: i64,
        sent_at: Option<i64>,
        error: Option<String>,
    }
}

#[async_trait]
impl GamefuseStore for SqlStore {
    async fn gf_set_game_token(&self, game: GameId, token: &str) -> Result<Game> {
        let token = token.to_owned();
        self.write_tx(async move |tx| {
            let n = tx
                .execute(
                    "UPDATE credentials SET public_id = $2 WHERE game_id = $1 AND kind = $3",
                    params![game.0, token, GAMEFUSE_CREDENTIAL],
                )
                .await?;
            if n == 0 {
                return Err(Error::NotFound(Entity::Game));
            }
            game_in(tx, game.0).await?.ok_or_else(not_found(Entity::Game))
        })
        .await
    }

    async fn gf_game_variables(&self, game: GameId) -> Result<Vec<GameVariable>> {
        let rows: Vec<KeyValueRow> = self
            .read(async |e| {
                e.fetch_all(
                    "SELECT id, key, value FROM game_variables WHERE game_id = $1 ORDER BY key",
                    params![game.0],
                )
                .await
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|KeyValueRow { id, key, value }| GameVariable { id, key, value })
            .collect())
    }

    async fn gf_set_game_variable(&self, game: GameId, key: &str, value: &str) -> Result<GameVariable> {
        let (key, value) = (key.to_owned(), value.to_owned());
        let KeyValueRow { id, key, value } = self
            .write_one(async move |pool| {
                pool.fetch_one(
                    "INSERT INTO game_variables (game_id, key, value) VALUES ($1, $2, $3) \
                 ON CONFLICT (game_id, key) DO UPDATE SET value = excluded.value RETURNING id, key, value",
                    params![game.0, key, value],
                )
                .await
            })
            .await?;
        Ok(GameVariable { id, key, value })
    }

    async fn gf_delete_game_variable(&self, game: GameId, key: &str) -> Result<bool> {
        let key = key.to_owned();
        let n = self
            .write_one(async move |pool| {
                pool.execute(
                    "DELETE FROM game_variables WHERE game_id = $1 AND key = $2",
                    params![game.0, key],
                )
                .await
            })
            .await?;
        Ok(n > 0)
    }

    async fn gf_insert_user(&self, rec: &NewGfUser, session: &GfSessionStart) -> Result<GfUser> {
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

    async fn gf_user(&self, game: GameId, id: PlayerId) -> Result<Option<GfUser>> {
        let row: Option<GfUserRow> = self
            .read(async |e| {
                e.fetch_optional(
                    concat!(
                        "SELECT ",
                        gf_user_cols!(),
                        " FROM gamefuse_users WHERE player_id = $1 AND game_id = $2"
                    ),
                    params![id.0, game.0],
                )
                .await
            })
            .await?;
        Ok(row.map(GfUser::from))
    }

    async fn gf_update_profile(&self, player: PlayerId, patch: &ProfilePatch) -> Result<GfUser> {
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
            let row: Option<GfUserRow> = tx
                .fetch_optional(
                    concat!("SELECT ", gf_user_cols!(), " FROM gamefuse_users WHERE player_id = $1"),
                    params![player.0],
                )
                .await?;
            row.map(GfUser::from).ok_or(Error::NotFound(Entity::User))
        })
        .await
    }

    async fn gf_credentials_by_email(&self, game: GameId, email: &str) -> Result<Option<(PlayerId, String)>> {
        let row: Option<CredentialRow> = self
            .read(async |e| {
                e.fetch_optional(
                    "SELECT player_id, password_hash FROM gamefuse_users WHERE game_id = $1 AND email = $2",
                    params![game.0, email],
                )
                .await
            })
            .await?;
        Ok(row.map(|r| (PlayerId(r.player_id), r.password_hash)))
    }

    async fn gf_start_session(&self, player: PlayerId, cmd: &GfSessionStart) -> Result<GfUser> {
        // On PostgreSQL two concurrent sign-ins of one player can race to the partial
        // unique index `sessions_one_active`; the loser retries and then ends the winner's.
        let mut attempt = 0;
        loop {
            attempt += 1;
            let cmd = cmd.clone();
            let res: Result<GfUser> = self.write_tx(async move |e| start_session(e, player, &cmd).await).await;
            match res {
                Err(e) if e.is_unique_violation() && attempt < 5 => continue,
                other => return other,
            }
        }
    }

    async fn gf_token_call(&self, hash: &SecretHash, route: &str) -> Result<Option<TokenCall>> {
        // Each table's columns aliased with a prefix, for [`TokenCallRow`].
        const SQL: &str = "SELECT s.id AS s_id, s.game_id AS s_game_id, s.player_id AS s_player_id, \
             s.state AS s_state, s.started_at AS s_started_at, s.last_seen_at AS s_last_seen_at, \
             s.expires_at AS s_expires_at, s.ended_at AS s_ended_at, s.ip AS s_ip, \
             g.id AS g_id, g.name AS g_name, g.description AS g_description, \
             COALESCE(kc.public_id, '') AS g_client_id, g.client_name AS g_client_name, \
             COALESCE(kc.secret_hash, '') AS g_secret_hash, g.enabled AS g_enabled, \
             g.created_at AS g_created_at, COALESCE(gc.public_id, '') AS g_gamefuse_token, \
             ra.user_allowed, ra.key_allowed, \
             u.player_id AS u_player_id, u.game_id AS u_game_id, u.display_email AS u_display_email, \
             u.username AS u_username, u.credits AS u_credits, u.score AS u_score, \
             u.number_of_logins AS u_number_of_logins, u.last_login AS u_last_login, \
             u.events_total AS u_events_total, u.events_month AS u_events_month, \
             u.game_sessions_total AS u_game_sessions_total, u.game_sessions_month AS u_game_sessions_month, \
             u.month AS u_month, u.created_at AS u_created_at \
             FROM sessions s JOIN games g ON g.id = s.game_id \
             LEFT JOIN credentials kc ON kc.game_id = g.id AND kc.kind = 'kgen' \
             LEFT JOIN credentials gc ON gc.game_id = g.id AND gc.kind = 'gamefuse' \
             JOIN gamefuse_users u ON u.player_id = s.player_id \
             LEFT JOIN route_access ra ON ra.game_id = s.game_id AND ra.route = $2 \
             WHERE s.token_hash = $1";
        let row: Option<TokenCallRow> = self
            .read(async |e| e.fetch_optional(SQL, params![&hash.0, route]).await)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(TokenCall {
            session: Session::try_from(row.session)?,
            game: Game::from(row.game),
            route: match (row.user_allowed, row.key_allowed) {
                (Some(user_allowed), Some(key_allowed)) => Some(RouteAccess {
                    route: route.to_owned(),
                    user_allowed,
                    key_allowed,
                }),
                _ => None,
            },
            user: GfUser::from(row.user),
        }))
    }

    async fn gf_set_password_hash(&self, player: PlayerId, old: &str, new: &str) -> Result<bool> {
        let (old, new) = (old.to_owned(), new.to_owned());
        let n = self
            .write_one(async move |e| {
                e.execute(
                    "UPDATE gamefuse_users SET password_hash = $3 WHERE player_id = $1 AND password_hash = $2",
                    params![player.0, &old, &new],
                )
                .await
            })
            .await?;
        Ok(n == 1)
    }

    async fn gf_add_events(&self, counts: &[EventCount]) -> Result<()> {
        let counts = counts.to_vec();
        self.write_tx(async move |e| {
            for c in &counts {
                // Month keys (`YYYY-MM`) order as text: a later month restarts the monthly
                // counters, an earlier one (a tally from before the turn) adds to the total.
                e.execute(
                    "UPDATE gamefuse_users SET events_total = events_total + $3, \
                     events_month = CASE WHEN month = $2 THEN events_month + $3 \
                     WHEN month < $2 THEN $3 ELSE events_month END, \
                     game_sessions_month = CASE WHEN month < $2 THEN 0 ELSE game_sessions_month END, \
                     month = CASE WHEN month < $2 THEN $2 ELSE month END WHERE player_id = $1",
                    params![c.player.0, c.month.as_str(), c.n],
                )
                .await?;
            }
            Ok(())
        })
        .await
    }

    async fn gf_extend_session(&self, session: SessionId, now: Timestamp, expires_at: Timestamp) -> Result<()> {
        let id = session.to_string();
        self.write_one(async move |e| {
            e.execute(
                "UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1 AND state = 'active'",
                params![&id, now.0, expires_at.0],
            )
            .await
        })
        .await?;
        Ok(())
    }

    async fn gf_attributes(&self, player: PlayerId) -> Result<Vec<UserAttribute>> {
        let rows: Vec<KeyValueRow> = self
            .read(async |e| {
                e.fetch_all(
                    "SELECT id, key, value FROM user_attributes WHERE player_id = $1 ORDER BY id",
                    params![player.0],
                )
                .await
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|KeyValueRow { id, key, value }| UserAttribute { id, key, value })
            .collect())
    }

    async fn gf_upsert_attributes(&self, player: PlayerId, attrs: &[(String, String)]) -> Result<Vec<UserAttribute>> {
        let attrs = attrs.to_vec();
        self.write_tx(async move |tx| {
            for (k, v) in attrs {
                tx.execute(
                    "INSERT INTO user_attributes (player_id, key, value) VALUES ($1, $2, $3) \
                     ON CONFLICT (player_id, key) DO UPDATE SET value = excluded.value",
                    params![player.0, k, v],
                )
                .await?;
            }
            let rows: Vec<KeyValueRow> = tx
                .fetch_all(
                    "SELECT id, key, value FROM user_attributes WHERE player_id = $1 ORDER BY id",
                    params![player.0],
                )
                .await?;
            Ok(rows
                .into_iter()
                .map(|KeyValueRow { id, key, value }| UserAttribute { id, key, value })
                .collect())
        })
        .await
    }

    async fn gf_remove_attributes(&self, player: PlayerId, keys: &[String]) -> Result<(u64, Vec<UserAttribute>)> {
        let keys = keys.to_vec();
        self.write_tx(async move |tx| {
            let mut removed = 0;
            for k in keys {
                removed += tx
                    .execute(
                        "DELETE FROM user_attributes WHERE player_id = $1 AND key = $2",
                        params![player.0, k],
                    )
                    .await?;
            }
            let rows: Vec<KeyValueRow> = tx
                .fetch_all(
                    "SELECT id, key, value FROM user_attributes WHERE player_id = $1 ORDER BY id",
                    params![player.0],
                )
                .await?;
            let list = rows
                .into_iter()
                .map(|KeyValueRow { id, key, value }| UserAttribute { id, key, value })
                .collect();
            Ok((removed, list))
        })
        .await
    }

    async fn gf_apply_counter(&self, player: PlayerId, op: CounterOp) -> Result<GfUser> {
        let (set, n) = match op {
            CounterOp::AddCredits(n) => ("credits = credits + $2 WHERE player_id = $1 AND credits + $2 >= 0", n),
            CounterOp::SetCredits(n) => ("credits = $2 WHERE player_id = $1", n),
            CounterOp::AddScore(n) => ("score = score + $2 WHERE player_id = $1", n),
            CounterOp::SetScore(n) => ("score = $2 WHERE player_id = $1", n),
        };
        let sql = format!("UPDATE gamefuse_users SET {set} RETURNING {}", gf_user_cols!());
        let row: Option<GfUserRow> = self
            .write_one(async move |pool| pool.fetch_optional(&sql, params![player.0, n]).await)
            .await?;
        match row {
            Some(r) => Ok(r.into()),
            None if matches!(op, CounterOp::AddCredits(_)) => Err(Error::Forbidden(Forbidden::NotEnoughCredits)),
            None => Err(Error::NotFound(Entity::User)),
        }
    }

    async fn gf_store_items(&self, game: GameId) -> Result<Vec<StoreItem>> {
        let rows: Vec<StoreItemRow> = self
            .read(async |e| {
                e.fetch_all(
                    concat!(
                        "SELECT ",
                        item_cols!(),
                        " FROM store_items i WHERE i.game_id = $1 ORDER BY i.id"
                    ),
                    params![game.0],
                )
                .await
            })
            .await?;
        Ok(rows.into_iter().map(StoreItem::from).collect())
    }

    async fn gf_insert_store_item(&self, game: GameId, item: &NewStoreItem, now: Timestamp) -> Result<StoreItem> {
        let item = item.clone();
        let row: StoreItemRow = self
            .write_one(async move |pool| {
                pool.fetch_one(
                    "INSERT INTO store_items (game_id, name, description, category, cost, icon_url, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 RETURNING id, game_id, name, description, category, cost, icon_url",
                    params![
                        game.0,
                        &item.name,
                        &item.description,
                        &item.category,
                        item.cost,
                        &item.icon_url,
                        now.0
                    ],
                )
                .await
            })
            .await?;
        Ok(row.into())
    }

    async fn gf_delete_store_item(&self, game: GameId, id: i64) -> Result<bool> {
        self.write_tx(async move |tx| {
            tx.execute(
                "DELETE FROM store_purchases WHERE store_item_id IN \
                 (SELECT id FROM store_items WHERE id = $1 AND game_id = $2)",
                params![id, game.0],
            )
            .await?;
            let n = tx
                .execute(
                    "DELETE FROM store_items WHERE id = $1 AND game_id = $2",
                    params![id, game.0],
                )
                .await?;
            Ok(n > 0)
        })
        .await
    }

    async fn gf_purchases(&self, player: PlayerId) -> Result<Vec<StoreItem>> {
        let rows: Vec<StoreItemRow> = self
            .read(async |e| e.fetch_all(OWNED_ITEMS_SQL, params![player.0]).await)
            .await?;
        Ok(rows.into_iter().map(StoreItem::from).collect())
    }

    async fn gf_purchase(&self, game: GameId, player: PlayerId, item: i64, now: Timestamp) -> Result<Owned> {
        let res: Result<Owned> = self
            .write_tx(async move |tx| {
                let cost: i64 = tx
                    .scalar_optional(
                        "SELECT cost FROM store_items WHERE id = $1 AND game_id = $2",
                        params![item, game.0],
                    )
                    .await?
                    .ok_or(Error::NotFound(Entity::StoreItem))?;
                let owned: Option<i64> = tx
                    .scalar_optional(
                        "SELECT store_item_id FROM store_purchases WHERE player_id = $1 AND store_item_id = $2",
                        params![player.0, item],
                    )
                    .await?;
                if owned.is_some() {
                    return Err(Error::Forbidden(Forbidden::StoreItemOwned));
                }
                let credits: i64 = tx
                    .scalar_optional(
                        "UPDATE gamefuse_users SET credits = credits - $2 WHERE player_id = $1 AND credits >= $2 \
                 RETURNING credits",
                        params![player.0, cost],
                    )
                    .await?
                    .ok_or(Error::Forbidden(Forbidden::NotEnoughCredits))?;
                tx.execute(
                    "INSERT INTO store_purchases (player_id, store_item_id, created_at) VALUES ($1, $2, $3)",
                    params![player.0, item, now.0],
                )
                .await?;
                let items: Vec<StoreItemRow> = tx.fetch_all(OWNED_ITEMS_SQL, params![player.0]).await?;
                Ok(Owned {
                    credits,
                    items: items.into_iter().map(StoreItem::from).collect(),
                })
            })
            .await;
        // Two concurrent purchases of one item (PostgreSQL): the loser hits the key.
        res.map_err(|e| match e {
            e if e.is_unique_violation() => Error::Forbidden(Forbidden::StoreItemOwned),
            e => e,
        })
    }

    async fn gf_remove_purchase(&self, player: PlayerId, item: i64, reimburse: bool) -> Result<Owned> {
        self.write_tx(async move |tx| {
            let cost: i64 = tx
                .scalar_optional(
                    "SELECT i.cost FROM store_purchases p JOIN store_items i ON i.id = p.store_item_id \
                 WHERE p.player_id = $1 AND p.store_item_id = $2",
                    params![player.0, item],
                )
                .await?
                .ok_or(Error::NotFound(Entity::OwnedStoreItem))?;
            tx.execute(
                "DELETE FROM store_purchases WHERE player_id = $1 AND store_item_id = $2",
                params![player.0, item],
            )
            .await?;
            let refund = if reimburse { cost } else { 0 };
            let credits: i64 = tx
                .scalar_one(
                    "UPDATE gamefuse_users SET credits = credits + $2 WHERE player_id = $1 RETURNING credits",
                    params![player.0, refund],
                )
                .await?;
            let items: Vec<StoreItemRow> = tx.fetch_all(OWNED_ITEMS_SQL, params![player.0]).await?;
            Ok(Owned {
                credits,
                items: items.into_iter().map(StoreItem::from).collect(),
            })
        })
        .await
    }

    async fn gf_add_leaderboard_entry(&self, e: &NewLeaderboardEntry) -> Result<()> {
        let e = e.clone();
        self.write_one(async move |pool| {
            pool.execute(
                "INSERT INTO leaderboard_entries (game_id, player_id, leaderboard_name, score, extra_attributes, \
                 metadata, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                params![
                    e.game_id.0,
                    e.player_id.0,
                    &e.leaderboard_name,
                    e.score,
                    &e.extra_attributes,
                    &e.metadata,
                    e.created_at.0
                ],
            )
            .await
            .map(drop)
        })
        .await
    }

    async fn gf_clear_leaderboard(&self, player: PlayerId, name: &str) -> Result<u64> {
        let name = name.to_owned();
        self.write_one(async move |pool| {
            pool.execute(
                "DELETE FROM leaderboard_entries WHERE player_id = $1 AND leaderboard_name = $2",
                params![player.0, name],
            )
            .await
        })
        .await
    }

    async fn gf_leaderboard(&self, q: &LeaderboardQuery) -> Result<Vec<LeaderboardEntry>> {
        // Best first; ties: the earlier entry first. `one_per_user` keeps each user's best
        // entry per leaderboard.
        let sql = format!(
            "SELECT e.id, e.player_id, u.username, e.leaderboard_name, e.score, e.extra_attributes, \
             e.metadata, e.created_at FROM (SELECT x.*, ROW_NUMBER() OVER (PARTITION BY x.player_id, \
             x.leaderboard_name ORDER BY x.score DESC, x.created_at, x.id) AS rn FROM leaderboard_entries x \
             WHERE x.game_id = $1 AND ($2 IS NULL OR x.leaderboard_name = $2) \
             AND ($3 IS NULL OR x.player_id = $3)) e \
             JOIN gamefuse_users u ON u.player_id = e.player_id \
             WHERE {} ORDER BY e.score DESC, e.created_at, e.id LIMIT $4",
            if q.one_per_user { "e.rn = 1" } else { "TRUE" }
        );
        let rows: Vec<EntryRow> = self
            .read(async |e| {
                e.fetch_all(
                    &sql,
                    params![q.game_id.0, &q.leaderboard_name, q.player_id.map(|p| p.0), q.limit],
                )
                .await
            })
            .await?;
        Ok(rows.into_iter().map(LeaderboardEntry::from).collect())
    }

    async fn gf_insert_service_key(
        &self,
        game: GameId,
        name: &str,
        hash: &SecretHash,
        now: Timestamp,
    ) -> Result<ServiceKey> {
        let (name, hash) = (name.to_owned(), hash.clone());
        let row: ServiceKeyRow = self
            .write_one(async move |pool| {
                pool.fetch_one(
                    "INSERT INTO service_keys (game_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) \
                 RETURNING id, game_id, name, created_at",
                    params![game.0, name, &hash.0, now.0],
                )
                .await
            })
            .await?;
        Ok(row.into())
    }

    async fn gf_service_keys(&self, game: GameId) -> Result<Vec<ServiceKey>> {
        let rows: Vec<ServiceKeyRow> = self
            .read(async |e| {
                e.fetch_all(
                    "SELECT id, game_id, name, created_at FROM service_keys WHERE game_id = $1 ORDER BY name",
                    params![game.0],
                )
                .await
            })
            .await?;
        Ok(rows.into_iter().map(ServiceKey::from).collect())
    }

    async fn gf_service_key_by_token(&self, hash: &SecretHash) -> Result<Option<ServiceKey>> {
        let row: Option<ServiceKeyRow> = self
            .read(async |e| {
                e.fetch_optional(
                    "SELECT id, game_id, name, created_at FROM service_keys WHERE token_hash = $1",
                    params![&hash.0],
                )
                .await
            })
            .await?;
        Ok(row.map(ServiceKey::from))
    }

    async fn gf_delete_service_key(&self, game: GameId, name: &str) -> Result<bool> {
        let name = name.to_owned();
        let n = self
            .write_one(async move |pool| {
                pool.execute(
                    "DELETE FROM service_keys WHERE game_id = $1 AND name = $2",
                    params![game.0, name],
                )
                .await
            })
            .await?;
        Ok(n > 0)
    }

    async fn gf_route_access(&self, game: GameId, route: &str) -> Result<Option<RouteAccess>> {
        let row: Option<RouteRow> = self
            .read(async |e| {
                e.fetch_optional(
                    "SELECT route, user_allowed, key_allowed FROM route_access WHERE game_id = $1 AND route = $2",
                    params![game.0, route],
                )
                .await
            })
            .await?;
        Ok(row.map(RouteAccess::from))
    }

    async fn gf_set_route_access(&self, game: GameId, a: &RouteAccess) -> Result<()> {
        let a = a.clone();
        self.write_one(async move |pool| {
            pool.execute(
                "INSERT INTO route_access (game_id, route, user_allowed, key_allowed) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (game_id, route) DO UPDATE SET user_allowed = excluded.user_allowed, \
                 key_allowed = excluded.key_allowed",
                params![game.0, &a.route, a.user_allowed, a.key_allowed],
            )
            .await
            .map(drop)
        })
        .await
    }

    async fn gf_route_accesses(&self, game: GameId) -> Result<Vec<RouteAccess>> {
        let rows: Vec<RouteRow> = self
            .read(async |e| {
                e.fetch_all(
                    "SELECT route, user_allowed, key_allowed FROM route_access WHERE game_id = $1 ORDER BY route",
                    params![game.0],
                )
                .await
            })
            .await?;
        Ok(rows.into_iter().map(RouteAccess::from).collect())
    }

    async fn gf_mark_test_suite_game(&self, game: GameId) -> Result<()> {
        self.write_one(async move |pool| {
            pool.execute("INSERT INTO test_suite_games (game_id) VALUES ($1)", params![game.0])
                .await
                .map(drop)
        })
        .await
    }

    async fn gf_is_test_suite_game(&self, game: GameId) -> Result<bool> {
        let row: Option<i64> = self
            .read(async |e| {
                e.scalar_optional(
                    "SELECT game_id FROM test_suite_games WHERE game_id = $1",
                    params![game.0],
                )
                .await
            })
            .await?;
        Ok(row.is_some())
    }

    async fn gf_delete_game(&self, game: GameId) -> Result<bool> {
        const PLAYERS: &str = "(SELECT id FROM players WHERE game_id = $1)";
        const GROUPS: &str = "(SELECT id FROM gf_groups WHERE game_id = $1)";
        const CHATS: &str = "(SELECT id FROM gf_chats WHERE game_id = $1)";
        let statements = [
            // Social data (migration 0004), children first.
            format!(
                "DELETE FROM gf_message_reads WHERE message_id IN (SELECT id FROM gf_messages WHERE chat_id IN {CHATS})"
            ),
            format!("DELETE FROM gf_messages WHERE chat_id IN {CHATS}"),
            format!("DELETE FROM gf_chat_participants WHERE chat_id IN {CHATS}"),
            "DELETE FROM gf_chats WHERE game_id = $1".to_owned(),
            format!("DELETE FROM gf_group_attributes WHERE group_id IN {GROUPS}"),
            format!("DELETE FROM gf_group_connections WHERE group_id IN {GROUPS}"),
            "DELETE FROM gf_groups WHERE game_id = $1".to_owned(),
            "DELETE FROM gf_game_rounds WHERE game_id = $1".to_owned(),
            "DELETE FROM gf_multiplayer_rounds WHERE game_id = $1".to_owned(),
            "DELETE FROM gf_friendships WHERE game_id = $1".to_owned(),
            "DELETE FROM leaderboard_entries WHERE game_id = $1".to_owned(),
            format!("DELETE FROM store_purchases WHERE player_id IN {PLAYERS}"),
            "DELETE FROM store_items WHERE game_id = $1".to_owned(),
            format!("DELETE FROM user_attributes WHERE player_id IN {PLAYERS}"),
            format!("DELETE FROM password_resets WHERE player_id IN {PLAYERS}"),
            // i3D links of this game's players (migration 0002).
            format!("DELETE FROM link_codes WHERE player_id IN {PLAYERS}"),
            format!("DELETE FROM player_links WHERE player_id IN {PLAYERS}"),
            "DELETE FROM gamefuse_users WHERE game_id = $1".to_owned(),
            "DELETE FROM sessions WHERE game_id = $1".to_owned(),
            "DELETE FROM players WHERE game_id = $1".to_owned(),
            "DELETE FROM game_variables WHERE game_id = $1".to_owned(),
            "DELETE FROM service_keys WHERE game_id = $1".to_owned(),
            "DELETE FROM route_access WHERE game_id = $1".to_owned(),
            "DELETE FROM test_suite_games WHERE game_id = $1".to_owned(),
        ];
        self.write_tx(async move |tx| {
            for sql in &statements {
                tx.execute(sql, params![game.0]).await?;
            }
            let n = tx.execute("DELETE FROM games WHERE id = $1", params![game.0]).await?;
            Ok(n > 0)
        })
        .await
    }

    async fn gf_insert_reset(
        &self,
        token: &SecretHash,
        player: PlayerId,
        now: Timestamp,
        expires_at: Timestamp,
        mail: &NewOutbox,
    ) -> Result<i64> {
        let (token, mail) = (token.clone(), mail.clone());
        self.write_tx(async move |tx| {
            tx.execute(
                "INSERT INTO password_resets (token_hash, player_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                params![&token.0, player.0, now.0, expires_at.0],
            )
            .await?;
            let id: i64 = tx
                .scalar_one(
                    "INSERT INTO outbox (game_id, recipient, subject, sealed_body, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    params![
                        mail.game_id.map(|g| g.0),
                        &mail.recipient,
                        &mail.subject,
                        &mail.sealed_body,
                        mail.created_at.0
                    ],
                )
                .await?;
            Ok(id)
        })
        .await
    }

    async fn gf_outbox_result(&self, id: i64, sent_at: Option<Timestamp>, error: Option<&str>) -> Result<()> {
        let error = error.map(str::to_owned);
        self.write_one(async move |pool| {
            pool.execute(
                "UPDATE outbox SET sent_at = $2, error = $3 WHERE id = $1",
                params![id, sent_at.map(|t| t.0), error],
            )
            .await
            .map(drop)
        })
        .await
    }

    async fn gf_outbox(&self, limit: i64) -> Result<Vec<OutboxRecord>> {
        let rows: Vec<OutboxRow> = self
            .read(async |e| {
                e.fetch_all(
                    "SELECT id, game_id, recipient, subject, sealed_body, created_at, sent_at, error \
                 FROM outbox ORDER BY id DESC LIMIT $1",
                    params![limit],
                )
                .await
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| OutboxRecord {
                id: r.id,
                game_id: r.game_id.map(GameId),
                recipient: r.recipient,
                subject: r.subject,
                sealed_body: r.sealed_body,
                created_at: Timestamp(r.created_at),
                sent_at: r.sent_at.map(Timestamp),
                error: r.error,
            })
            .collect())
    }

    async fn gf_reset_token_live(&self, token: &SecretHash, now: Timestamp) -> Result<bool> {
        let row: Option<i64> = self
            .read(async |e| {
                e.scalar_optional(
                "SELECT player_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
                params![&token.0, now.0],
            )
            .await
            })
            .await?;
        Ok(row.is_some())
    }

    async fn gf_reset_password(&self, token: &SecretHash, now: Timestamp, password_hash: &str) -> Result<bool> {
        let (token, password_hash) = (token.clone(), password_hash.to_owned());
        self.write_tx(async move |tx| {
            let player: Option<i64> = tx
                .scalar_optional(
                    "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL \
                 AND expires_at > $2 RETURNING player_id",
                    params![&token.0, now.0],
                )
                .await?;
            let Some(player) = player else {
                return Ok(false);
            };
            tx.execute(
                "UPDATE gamefuse_users SET password_hash = $2 WHERE player_id = $1",
                params![player, password_hash],
            )
            .await?;
            tx.execute(
                "UPDATE sessions SET state = 'ended', ended_at = $2 WHERE player_id = $1 AND state <> 'ended'",
                params![player, now.0],
            )
            .await?;
            Ok(true)
        })
        .await
    }
}
