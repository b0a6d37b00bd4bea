//! A game's players: search (as you type: the results alone when the console's script
//! asks with `x-console-fragment`), a player's page, and what an admin does there (end
//! one session or all, ban and unban with a reason, export, erase with a typed
//! confirmation). Every change goes through the player administration service the admin
//! API calls (`state.players`), which records its audit event in the change's own
//! transaction, under the operator's name.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use playgate_core::audit::AuditFilter;
use playgate_core::audit::player_subject;
use playgate_core::game::Game;
use playgate_core::ids::{GameId, SessionId};
use playgate_core::players::{PlayerSearch, SessionCursor, SessionQuery};
use playgate_core::{Entity, Error};
use serde::Deserialize;

use super::auth::{Confirm, Empty, Posted, Signed};
use super::error::redirect_with;
use super::error::{ConsoleError, status_and_message};
use super::pages::{self, PlayerData, PlayerResults, Section, player_href};
use super::{chrome, cursor, html, search_results};
use crate::common::path_id::{game_id, path_id};
use crate::common::state::AppState;

/// Players per page of the search.
const PAGE: u32 = 25;
/// Sessions per page of a player's page.
const SESSIONS_PAGE: u32 = 20;
/// The header the console's script sends for the search results alone.
const FRAGMENT: &str = "x-console-fragment";

async fn game(s: &AppState, g: &str) -> Result<Game, Error> {
    s.games.get(game_id(g)?).await
}

/// The search as the form sends it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct SearchQuery {
    q: String,
    cursor: String,
}

/// `GET /console/games/{game}/players`: the search page, or its results alone.
pub(super) async fn search(
    State(s): State<AppState>,
    by: Signed,
    Path(g): Path<String>,
    headers: HeaderMap,
    Query(q): Query<SearchQuery>,
) -> Result<Response, ConsoleError> {
    let game = game(&s, &g).await?;
    let found = match cursor(&q.cursor, "cursor") {
        Ok(after) => {
            let search = PlayerSearch {
                q: Some(q.q.clone()),
                after,
                limit: PAGE,
            };
            s.players.search(game.id, search).await
        }
        Err(e) => Err(e),
    };
    let (hits, next, error, status) = search_results(found.map(|page| (page.items, page.next_cursor)))?;
    let results = PlayerResults {
        game: &game,
        q: &q.q,
        hits: &hits,
        next,
        error: error.as_deref(),
    };
    if headers.contains_key(FRAGMENT) {
        return Ok((status, html(pages::player_results(&results))).into_response());
    }
    let title = format!("Players of {}", game.name);
    let c = chrome(&by, &title, Section::Games);
    Ok((status, html(pages::players(&c, &results))).into_response())
}

/// Which page of a player's sessions to show.
#[derive(Debug, Default, Deserialize)]
pub(super) struct PlayerQuery {
    #[serde(default)]
    sessions: String,
}

async fn player_data(s: &AppState, g: &str, user: &str, sessions_after: &str) -> Result<PlayerData, Error> {
    let game = game(s, g).await?;
    let overview = s.players.show(game.id, user).await?;
    let after = match sessions_after.trim() {
        "" => None,
        c => Some(SessionCursor::parse(c)?),
    };
    let query = SessionQuery {
        after,
        limit: SESSIONS_PAGE,
        ..SessionQuery::default()
    };
    let sessions = s.players.sessions(game.id, user, query).await?;
    let events = s
        .audit
        .list(AuditFilter {
            subject: Some(player_subject(overview.player.user_id.as_str())),
            game: Some(game.id),
            limit: 10,
            ..AuditFilter::default()
        })
        .await?
        .items;
    Ok(PlayerData {
        game,
        overview,
        sessions: sessions.items,
        next_sessions: sessions.next_cursor.map(|c| c.encode()),
        events,
        now: s.players.now(),
    })
}

fn player_page(by: &Signed, d: &PlayerData, status: StatusCode, error: Option<(&str, &str)>) -> Response {
    let title = format!("Player {}", d.overview.player.user_id.as_str());
    let c = chrome(by, &title, Section::Games);
    (status, html(pages::player(&c, d, error))).into_response()
}

/// `GET /console/games/{game}/players/{user}`: a player's page.
pub(super) async fn show(
    State(s): State<AppState>,
    by: Signed,
    Path((g, user)): Path<(String, String)>,
    Query(q): Query<PlayerQuery>,
) -> Result<Response, ConsoleError> {
    let d = player_data(&s, &g, &user, &q.sessions).await?;
    Ok(player_page(&by, &d, StatusCode::OK, None))
}

/// A form of a refused change shown again on the player's page with its error next to
/// the field; other errors answered as a page of their own.
async fn refused(s: &AppState, by: &Signed, g: &str, user: &str, e: Error) -> Result<Response, ConsoleError> {
    let Error::Invalid { field, .. } = &e else {
        return Err(e.into());
    };
    let (status, message) = status_and_message(&e);
    let d = player_data(s, g, user, "").await?;
    Ok(player_page(by, &d, status, Some((field.as_str(), &message))))
}

fn back(g: GameId, user: &str) -> Response {
    redirect_with(&player_href(g, user), &[])
}

/// `POST /console/games/{game}/players/{user}/sessions/end-all`: ends every active
/// session of the player.
pub(super) async fn end_all(
    State(s): State<AppState>,
    Path((g, user)): Path<(String, String)>,
    p: Posted<Empty>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let gid = game_id(&g)?;
    s.players.end_sessions(gid, &user, p.by.event()).await?;
    Ok(back(gid, &user))
}

/// `POST /console/games/{game}/players/{user}/sessions/{session}/end`: ends one session
/// of the player (a session of another player is not found).
pub(super) async fn end_one(
    State(s): State<AppState>,
    Path((g, user, session)): Path<(String, String, String)>,
    p: Posted<Empty>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let gid = game_id(&g)?;
    let player = s.players.find(gid, &user).await?;
    let id: SessionId = path_id(&session, Entity::Session)?;
    let view = s.players.session(id).await?;
    if view.session.game_id != gid || view.session.player_id != player.id {
        return Err(Error::NotFound(Entity::Session).into());
    }
    s.players.end_session(id, p.by.event()).await?;
    Ok(back(gid, &user))
}

/// A ban's reason.
#[derive(Debug, Default, Deserialize)]
pub(super) struct BanForm {
    #[serde(default)]
    reason: String,
}

/// `POST /console/games/{game}/players/{user}/ban`: bans the player (its sessions end).
pub(super) async fn ban(
    State(s): State<AppState>,
    Path((g, user)): Path<(String, String)>,
    p: Posted<BanForm>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let gid = game_id(&g)?;
    match s.players.ban(gid, &user, &p.form.reason, p.by.event()).await {
        Ok(_) => Ok(back(gid, &user)),
        Err(e) => refused(&s, &p.by, &g, &user, e).await,
    }
}

/// `POST /console/games/{game}/players/{user}/unban`: lifts the player's ban.
pub(super) async fn unban(
    State(s): State<AppState>,
    Path((g, user)): Path<(String, String)>,
    p: Posted<Empty>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let gid = game_id(&g)?;
    s.players.unban(gid, &user, p.by.event()).await?;
    Ok(back(gid, &user))
}

/// `POST /console/games/{game}/players/{user}/delete`: erases the player once its user
/// id is typed.
pub(super) async fn delete(
    State(s): State<AppState>,
    Path((g, user)): Path<(String, String)>,
    p: Posted<Confirm>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let gid = game_id(&g)?;
    match s.players.erase(gid, &user, Some(&p.form.confirm), p.by.event()).await {
        Ok(_) => Ok(redirect_with(&format!("/console/games/{gid}/players"), &[])),
        Err(e) => refused(&s, &p.by, &g, &user, e).await,
    }
}

/// `GET /console/games/{game}/players/{user}/export`: everything stored about the
/// player, as the admin API's export document, downloaded as a file.
pub(super) async fn export(
    State(s): State<AppState>,
    _: Signed,
    Path((g, user)): Path<(String, String)>,
) -> Result<Response, ConsoleError> {
    let gid = game_id(&g)?;
    let (player, export) = s.players.export(gid, &user).await?;
    let doc = crate::admin::export_out(&player, export, s.players.now());
    let body = serde_json::to_vec_pretty(&doc).map_err(|e| Error::internal(format!("export: {e}")))?;
    let safe: String = player
        .user_id
        .as_str()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"player-{gid}-{safe}.json\""))
        .unwrap_or(HeaderValue::from_static("attachment; filename=\"player.json\""));
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}
