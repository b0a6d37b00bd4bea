//! `impl GameStore for SqlStore`: games with their credentials (the KGeN client id and
//! secret hash, the GameFuse token), and the reads of a game other modules share.

use async_trait::async_trait;
use playgate_core::clock::Timestamp;
use playgate_core::crypto::SecretHash;
use playgate_core::game::{Game, GameStore, NewGameRecord};
use playgate_core::ids::GameId;
use playgate_core::{Entity, Error, Result};

use crate::SqlStore;
use crate::exec::{Conn, P, params};
use crate::rows::{GAMEFUSE_CREDENTIAL, GameRow, KGEN_CREDENTIAL, game_cols, game_from};
use crate::sql::not_found;

/// A game with its credentials, by id.
pub(crate) async fn game_in(e: &mut Conn<'_>, id: i64) -> Result<Option<Game>> {
    let row: Option<GameRow> = e
        .fetch_optional(
            concat!("SELECT ", game_cols!(), " FROM ", game_from!(), " WHERE g.id = $1"),
            params![id],
        )
        .await?;
    Ok(row.map(Game::from))
}

/// Adds a credential of `kind` to game `id`.
async fn insert_credential(
    e: &mut Conn<'_>,
    id: i64,
    kind: &str,
    public_id: &str,
    secret_hash: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    e.execute(
        "INSERT INTO credentials (game_id, kind, public_id, secret_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
        params![id, kind, public_id, secret_hash, now.0],
    )
    .await
    .map(drop)
}

/// Inserts a game with its credentials on `tx` (inside a transaction).
pub(crate) async fn insert_game_in(tx: &mut Conn<'_>, rec: &NewGameRecord) -> Result<Game> {
    let id: i64 = tx
        .scalar_one(
            "INSERT INTO games (name, description, client_name, enabled, created_at) \
             VALUES ($1, $2, $3, TRUE, $4) RETURNING id",
            params![rec.name, rec.description, rec.client_name, rec.created_at.0],
        )
        .await?;
    insert_credential(
        tx,
        id,
        KGEN_CREDENTIAL,
        &rec.client_id,
        Some(&rec.secret_hash.0),
        rec.created_at,
    )
    .await?;
    if !rec.gamefuse_token.is_empty() {
        insert_credential(tx, id, GAMEFUSE_CREDENTIAL, &rec.gamefuse_token, None, rec.created_at).await?;
    }
    game_in(tx, id).await?.ok_or_else(not_found(Entity::Game))
}

impl SqlStore {
    /// Runs `sql`, a change of game `id` (with `params`), and reads the game back, in one
    /// transaction; `NotFound(Game)` if it changed nothing.
    pub(crate) async fn update_game(&self, id: GameId, sql: &'static str, params: &[P<'_>]) -> Result<Game> {
        let params: Vec<P<'static>> = params.iter().map(P::to_static).collect();
        self.write_tx(async move |tx| {
            if tx.execute(sql, &params).await? == 0 {
                return Err(Error::NotFound(Entity::Game));
            }
            game_in(tx, id.0).await?.ok_or_else(not_found(Entity::Game))
        })
        .await
    }
}

#[async_trait]
impl GameStore for SqlStore {
    async fn insert_game(&self, rec: NewGameRecord) -> Result<Game> {
        self.write_tx(async move |tx| insert_game_in(tx, &rec).await).await
    }

    async fn count_games(&self) -> Result<i64> {
        self.read_scalar_one("SELECT COUNT(*) FROM games", params![]).await
    }

    async fn list_games(&self) -> Result<Vec<Game>> {
        let rows: Vec<GameRow> = self
            .read_all(
                concat!("SELECT ", game_cols!(), " FROM ", game_from!(), " ORDER BY g.id"),
                params![],
            )
            .await?;
        Ok(rows.into_iter().map(Game::from).collect())
    }

    async fn game_by_id(&self, id: GameId) -> Result<Option<Game>> {
        self.read(async |e| game_in(e, id.0).await).await
    }

    async fn game_by_client_id(&self, client_id: &str) -> Result<Option<Game>> {
        // The KGeN credential check of every S2S call: one read, by the primary key of
        // `credentials` (kind, public_id).
        let row: Option<GameRow> = self
            .read_optional(
                concat!(
                    "SELECT ",
                    game_cols!(),
                    " FROM ",
                    game_from!(),
                    " WHERE kc.public_id = $1"
                ),
                params![client_id],
            )
            .await?;
        Ok(row.map(Game::from))
    }

    async fn set_game_secret(&self, id: GameId, hash: &SecretHash) -> Result<Game> {
        self.update_game(
            id,
            "UPDATE credentials SET secret_hash = $2 WHERE game_id = $1 AND kind = $3",
            params![id.0, hash.0, KGEN_CREDENTIAL],
        )
        .await
    }

    async fn set_game_enabled(&self, id: GameId, enabled: bool) -> Result<Game> {
        self.update_game(
            id,
            "UPDATE games SET enabled = $2 WHERE id = $1",
            params![id.0, enabled],
        )
        .await
    }
}
