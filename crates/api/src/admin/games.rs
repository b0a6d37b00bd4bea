//! `/admin/v1/games`: list, show, create, change, rotate a credential, delete. A game's
//! secrets (the KGeN client secret, the GameFuse game token) are shown only in the answer
//! that made them.

use axum::Json;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use bytes::Bytes;
use playgate_core::game::{Game, NewGame};
use playgate_core::games::{ACCESS_TTL_RANGE, CredentialKind, GamePatch, REFRESH_TTL_RANGE, lifetime};
use playgate_core::ids::GameId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::paths::GamePath;
use super::wire::{MessageOut, Page, body, limit, nullable, number};
use super::{Admin, AdminError, Viewer};
use crate::common::state::AppState;
use crate::common::time::rfc3339;

/// A game, without its secrets.
#[derive(Debug, Serialize, ToSchema)]
pub struct GameJson {
    id: i64,
    name: String,
    description: String,
    /// The KGeN client id (`x-client-id`, `third_party_client_id`).
    client_id: String,
    /// `third_party_client_name`.
    client_name: String,
    /// A disabled game's credentials are refused.
    enabled: bool,
    /// RFC 3339, UTC.
    created_at: String,
    /// Its access token lifetime in seconds; `null`: the server's default.
    access_token_ttl_secs: Option<u64>,
    /// Its refresh token (and session) lifetime in seconds; `null`: the server's default.
    refresh_token_ttl_secs: Option<u64>,
}

impl From<Game> for GameJson {
    fn from(g: Game) -> Self {
        GameJson {
            id: g.id.0,
            name: g.name,
            description: g.description,
            client_id: g.client_id,
            client_name: g.client_name,
            enabled: g.enabled,
            created_at: rfc3339(g.created_at),
            access_token_ttl_secs: g.access_token_ttl.map(|d| d.as_secs()),
            refresh_token_ttl_secs: g.refresh_token_ttl.map(|d| d.as_secs()),
        }
    }
}

/// A new game and its secrets, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedGameJson {
    game: GameJson,
    /// The KGeN client secret (`x-client-secret`): only its hash is kept.
    client_secret: String,
    /// The GameFuse game token.
    gamefuse_token: String,
}

/// `POST /admin/v1/games` body.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct NewGameIn {
    /// Display name (required, at most 200 characters).
    name: Option<String>,
    description: Option<String>,
    /// 1-100 of A-Z, 0-9 and _; derived from the name when absent.
    client_name: Option<String>,
}

/// `PATCH /admin/v1/games/{game}` body: each field present is set, the others stay.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct GamePatchIn {
    name: Option<String>,
    description: Option<String>,
    client_name: Option<String>,
    /// `false` refuses the game's credentials (KGeN 401, GameFuse 402) until enabled again.
    enabled: Option<bool>,
    /// Access token lifetime, 60 to 2592000 seconds; `null`: the server's default.
    #[serde(deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    access_token_ttl_secs: Option<Option<i64>>,
    /// Refresh token (and session) lifetime, 300 to 31536000 seconds; `null`: the
    /// server's default.
    #[serde(deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    refresh_token_ttl_secs: Option<Option<i64>>,
}

/// `DELETE /admin/v1/games/{game}` body.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct ConfirmIn {
    /// The game's name, exactly: deleting cannot be undone.
    confirm: Option<String>,
}

/// `POST /admin/v1/games/{game}/rotate-secret` body.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct RotateIn {
    /// `kgen` (the client secret; the default) or `gamefuse` (the game token).
    credential: Option<String>,
}

/// A replaced credential: the new secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct RotatedJson {
    game_id: i64,
    /// `kgen` or `gamefuse`.
    credential: &'static str,
    /// The KGeN client id (unchanged), for `kgen`.
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    /// The new client secret (`kgen`) or game token (`gamefuse`).
    secret: String,
}

/// The page arguments of a list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Items per page, 1 to 500 (default 50).
    limit: Option<String>,
}

/// The games, by id, a page at a time.
#[utoipa::path(
    operation_id = "game_list",
    get,
    path = "/admin/v1/games",
    tag = "games",
    params(PageQuery),
    responses((status = 200, description = "A page of games", body = Page<GameJson>)),
)]
pub(super) async fn list(
    State(s): State<AppState>,
    _: Viewer,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page<GameJson>>, AdminError> {
    let after = number::<i64>("cursor", q.cursor.as_deref())?.map(GameId);
    let page = s.games.list(after, limit(q.limit.as_deref())?).await?;
    Ok(Json(Page::of(page.items, page.next_cursor.map(|g| g.0.to_string()))))
}

/// Create a game: its KGeN client secret and GameFuse game token are in this answer only.
#[utoipa::path(
    operation_id = "game_create",
    post,
    path = "/admin/v1/games",
    tag = "games",
    request_body = NewGameIn,
    responses((status = 201, description = "The game and its secrets (shown once)", body = CreatedGameJson)),
)]
pub(super) async fn create(
    State(s): State<AppState>,
    op: Admin,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<CreatedGameJson>), AdminError> {
    let r: NewGameIn = body(raw)?;
    let cmd = NewGame {
        name: r.name.unwrap_or_default(),
        description: r.description.unwrap_or_default(),
        client_name: r.client_name,
    };
    let c = s.games.create(cmd, op.event()).await?;
    let gamefuse_token = c.game.gamefuse_token.clone();
    Ok((
        StatusCode::CREATED,
        Json(CreatedGameJson {
            game: c.game.into(),
            client_secret: c.client_secret.expose().to_owned(),
            gamefuse_token,
        }),
    ))
}

/// One game.
#[utoipa::path(
    operation_id = "game_show",
    get,
    path = "/admin/v1/games/{game}",
    tag = "games",
    params(GamePath),
    responses((status = 200, description = "The game", body = GameJson)),
)]
pub(super) async fn show(
    State(s): State<AppState>,
    _: Viewer,
    Path(p): Path<GamePath>,
) -> Result<Json<GameJson>, AdminError> {
    Ok(Json(s.games.get(p.game()?).await?.into()))
}

/// Change a game: names, enabled, token lifetimes.
#[utoipa::path(
    operation_id = "game_update",
    patch,
    path = "/admin/v1/games/{game}",
    tag = "games",
    params(GamePath),
    request_body = GamePatchIn,
    responses((status = 200, description = "The game as changed", body = GameJson)),
)]
pub(super) async fn update(
    State(s): State<AppState>,
    op: Admin,
    Path(p): Path<GamePath>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<GameJson>, AdminError> {
    let id = p.game()?;
    let r: GamePatchIn = body(raw)?;
    let ttl = |field: &str, v: Option<Option<i64>>, range| {
        v.map(|v| v.map(|secs| lifetime(field, secs, range)).transpose())
            .transpose()
    };
    let patch = GamePatch {
        name: r.name,
        description: r.description,
        client_name: r.client_name,
        enabled: r.enabled,
        access_token_ttl: ttl("access_token_ttl_secs", r.access_token_ttl_secs, ACCESS_TTL_RANGE)?,
        refresh_token_ttl: ttl("refresh_token_ttl_secs", r.refresh_token_ttl_secs, REFRESH_TTL_RANGE)?,
    };
    Ok(Json(s.games.update(id, patch, op.event()).await?.into()))
}

/// Delete a game and everything of it (players, sessions, credentials, GameFuse and
/// social data); `confirm` must repeat its name. Its audit events stay.
#[utoipa::path(
    operation_id = "game_delete",
    delete,
    path = "/admin/v1/games/{game}",
    tag = "games",
    params(GamePath),
    request_body = ConfirmIn,
    responses((status = 200, description = "Deleted", body = MessageOut)),
)]
pub(super) async fn delete(
    State(s): State<AppState>,
    op: Admin,
    Path(p): Path<GamePath>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<MessageOut>, AdminError> {
    let id = p.game()?;
    let r: ConfirmIn = body(raw)?;
    s.games.delete(id, r.confirm.as_deref(), op.event()).await?;
    Ok(Json(MessageOut::new("deleted")))
}

/// Replace the game's KGeN client secret (the default) or its GameFuse game token; the old
/// one stops working at once, the new one is in this answer only.
#[utoipa::path(
    operation_id = "game_rotate_secret",
    post,
    path = "/admin/v1/games/{game}/rotate-secret",
    tag = "games",
    params(GamePath),
    request_body = RotateIn,
    responses((status = 200, description = "The new secret (shown once)", body = RotatedJson)),
)]
pub(super) async fn rotate_secret(
    State(s): State<AppState>,
    op: Admin,
    Path(p): Path<GamePath>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<RotatedJson>, AdminError> {
    let id = p.game()?;
    let r: RotateIn = body(raw)?;
    let kind = r
        .credential
        .as_deref()
        .map(CredentialKind::parse)
        .transpose()?
        .unwrap_or_default();
    let (game, secret) = s.games.rotate(id, kind, op.event()).await?;
    Ok(Json(RotatedJson {
        game_id: game.id.0,
        credential: kind.as_str(),
        client_id: (kind == CredentialKind::Kgen).then_some(game.client_id),
        secret: secret.expose().to_owned(),
    }))
}
