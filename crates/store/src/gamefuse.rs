//! `GamefuseStore` for [`SqlStore`]: what only GameFuse has (game tokens, service keys,
//! route switches, test-suite games, the API-call tally).

use crate::SqlStore;
use crate::client_users::ClientUserRow;
use crate::exec::{FromRow, Row, params, row};
use crate::rows::{GameRow, SessionRow};
use async_trait::async_trait;
use playgate_core::Result;
use playgate_core::client_users::ClientUser;
use playgate_core::clock::Timestamp;
use playgate_core::crypto::SecretHash;
use playgate_core::game::Game;
use playgate_core::gamefuse::events::EventCount;
use playgate_core::gamefuse::keys::{RouteAccess, ServiceKey};
use playgate_core::gamefuse::store::{GamefuseStore, TokenCall};
use playgate_core::ids::GameId;
use playgate_core::session::Session;

/// A session joined with its game, a route's switches and its user
/// ([`GamefuseStore::token_call`]).
struct TokenCallRow {
    session: SessionRow,
    game: GameRow,
    user_allowed: Option<bool>,
    key_allowed: Option<bool>,
    user: ClientUserRow,
}

impl FromRow for TokenCallRow {
    fn from_row(r: &Row<'_>) -> Result<Self> {
        Ok(TokenCallRow {
            session: SessionRow::from_row(&r.prefixed("s_"))?,
            game: GameRow::from_row(&r.prefixed("g_"))?,
            user_allowed: r.get("user_allowed")?,
            key_allowed: r.get("key_allowed")?,
            user: ClientUserRow::from_row(&r.prefixed("u_"))?,
        })
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

#[async_trait]
impl GamefuseStore for SqlStore {
    async fn token_call(&self, hash: &SecretHash, route: &str) -> Result<Option<TokenCall>> {
        // Each table's columns aliased with a prefix, for [`TokenCallRow`].
        const SQL: &str = "SELECT s.id AS s_id, s.game_id AS s_game_id, s.player_id AS s_player_id, \
             s.state AS s_state, s.started_at AS s_started_at, s.last_seen_at AS s_last_seen_at, \
             s.expires_at AS s_expires_at, s.ended_at AS s_ended_at, s.ip AS s_ip, \
             g.id AS g_id, g.name AS g_name, g.description AS g_description, \
             COALESCE(kc.public_id, '') AS g_client_id, g.client_name AS g_client_name, \
             COALESCE(kc.secret_hash, '') AS g_secret_hash, g.enabled AS g_enabled, \
             g.created_at AS g_created_at, COALESCE(gc.public_id, '') AS g_gamefuse_token, \
             g.access_token_ttl_secs AS g_access_token_ttl_secs, g.refresh_token_ttl_secs AS g_refresh_token_ttl_secs, \
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
        let row: Option<TokenCallRow> = self.read_optional(SQL, params![&hash.0, route]).await?;
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
            user: ClientUser::from(row.user),
        }))
    }

    async fn add_events(&self, counts: &[EventCount]) -> Result<()> {
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

    async fn insert_service_key(
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

    async fn service_keys(&self, game: GameId) -> Result<Vec<ServiceKey>> {
        let rows: Vec<ServiceKeyRow> = self
            .read_all(
                "SELECT id, game_id, name, created_at FROM service_keys WHERE game_id = $1 ORDER BY name",
                params![game.0],
            )
            .await?;
        Ok(rows.into_iter().map(ServiceKey::from).collect())
    }

    async fn service_key_by_token(&self, hash: &SecretHash) -> Result<Option<ServiceKey>> {
        let row: Option<ServiceKeyRow> = self
            .read_optional(
                "SELECT id, game_id, name, created_at FROM service_keys WHERE token_hash = $1",
                params![&hash.0],
            )
            .await?;
        Ok(row.map(ServiceKey::from))
    }

    async fn delete_service_key(&self, game: GameId, name: &str) -> Result<bool> {
        self.execute_changed(
            "DELETE FROM service_keys WHERE game_id = $1 AND name = $2",
            params![game.0, name],
        )
        .await
    }

    async fn route_access(&self, game: GameId, route: &str) -> Result<Option<RouteAccess>> {
        let row: Option<RouteRow> = self
            .read_optional(
                "SELECT route, user_allowed, key_allowed FROM route_access WHERE game_id = $1 AND route = $2",
                params![game.0, route],
            )
            .await?;
        Ok(row.map(RouteAccess::from))
    }

    async fn set_route_access(&self, game: GameId, a: &RouteAccess) -> Result<()> {
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

    async fn route_accesses(&self, game: GameId) -> Result<Vec<RouteAccess>> {
        let rows: Vec<RouteRow> = self
            .read_all(
                "SELECT route, user_allowed, key_allowed FROM route_access WHERE game_id = $1 ORDER BY route",
                params![game.0],
            )
            .await?;
        Ok(rows.into_iter().map(RouteAccess::from).collect())
    }

    async fn mark_test_suite_game(&self, game: GameId) -> Result<()> {
        self.write_one(async move |pool| {
            pool.execute("INSERT INTO test_suite_games (game_id) VALUES ($1)", params![game.0])
                .await
                .map(drop)
        })
        .await
    }

    async fn is_test_suite_game(&self, game: GameId) -> Result<bool> {
        let row: Option<i64> = self
            .read_scalar_optional(
                "SELECT game_id FROM test_suite_games WHERE game_id = $1",
                params![game.0],
            )
            .await?;
        Ok(row.is_some())
    }

    async fn delete_game(&self, game: GameId) -> Result<bool> {
        self.write_tx(async move |tx| crate::games::delete_game_in(tx, game).await)
            .await
    }
}
