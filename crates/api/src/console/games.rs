//! Games: the list, a new game (its secrets shown once), a game's page with its GameFuse
//! data, and the changes an admin makes there (variables, route switches, enabling with a
//! typed confirmation). Every change goes through the services the admin API calls and is
//! recorded in the audit log under the same action names.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use playgate_core::Error;
use playgate_core::audit::AuditFilter;
use playgate_core::game::NewGame;
use playgate_core::gamefuse::keys::RouteAccess;
use playgate_core::ids::GameId;
use serde::Deserialize;

use super::auth::{Posted, Signed, redirect_with};
use super::error::{ConsoleError, status_and_message};
use super::pages::{self, GameData, Section};
use super::{chrome, html};
use crate::common::state::AppState;

fn game_id(g: &str) -> Result<GameId, Error> {
    g.trim()
        .parse()
        .map(GameId)
        .map_err(|_| Error::NotFound(playgate_core::Entity::Game))
}

/// The games page.
pub(super) async fn list(State(s): State<AppState>, by: Signed) -> Result<Response, ConsoleError> {
    let games = s.core.list_games().await?;
    let c = chrome(&by, "Games", Section::Games);
    Ok(html(pages::games(&c, &games)).into_response())
}

/// The form of a new game (admins).
pub(super) async fn new_form(by: Signed) -> Result<Response, ConsoleError> {
    if !by.is_admin() {
        return Err(ConsoleError::ViewerRole);
    }
    let c = chrome(&by, "New game", Section::Games);
    Ok(html(pages::new_game(&c, "", "", None)).into_response())
}

/// The fields of a new game.
#[derive(Debug, Deserialize)]
pub(super) struct NewGameForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

/// The address the browser reached the console at, for the curl example.
fn base_url(by: &Signed, host: Option<&str>) -> String {
    let scheme = if by.from.https { "https" } else { "http" };
    format!("{scheme}://{}", host.unwrap_or("127.0.0.1"))
}

/// `POST /console/games`: makes a game and shows its credentials once.
pub(super) async fn create(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    p: Posted<NewGameForm>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let cmd = NewGame {
        name: p.form.name.clone(),
        description: p.form.description.clone(),
        client_name: None,
    };
    let creds = match s.core.create_game(cmd).await {
        Ok(c) => c,
        Err(e @ Error::Invalid { .. }) => {
            let (_, message) = status_and_message(&e);
            let field = match &e {
                Error::Invalid { field, .. } => field.as_str(),
                _ => "",
            };
            let c = chrome(&p.by, "New game", Section::Games);
            let page = pages::new_game(&c, &p.form.name, &p.form.description, Some((field, &message)));
            return Ok((StatusCode::BAD_REQUEST, html(page)).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let g = &creds.game;
    p.by.record(&s, |ev| {
        ev.action("game.created")
            .game(g.id)
            .subject(format!("game:{}", g.id))
            .detail(serde_json::json!({"after": {"name": g.name, "client_id": g.client_id}}))
    })
    .await;
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let c = chrome(&p.by, "Game created", Section::Games);
    let page = pages::game_created(&c, g, creds.client_secret.expose(), &base_url(&p.by, host));
    Ok((StatusCode::CREATED, html(page)).into_response())
}

/// A game's page.
pub(super) async fn show(
    State(s): State<AppState>,
    by: Signed,
    Path(g): Path<String>,
) -> Result<Response, ConsoleError> {
    let game = s.gamefuse.existing_game(game_id(&g)?).await?;
    let variables = s.gamefuse.game_variables(&game).await?;
    let store_items = s.gamefuse.store_items(&game).await?;
    let service_keys = s.gamefuse.service_keys(game.id).await?;
    let routes = s.gamefuse.route_accesses(game.id).await?;
    let events = s
        .audit
        .list(AuditFilter {
            game: Some(game.id),
            limit: 10,
            ..AuditFilter::default()
        })
        .await?
        .items;
    let title = game.name.clone();
    let data = GameData {
        game,
        variables,
        store_items,
        service_keys,
        routes,
        events,
    };
    let c = chrome(&by, &title, Section::Games);
    Ok(html(pages::game(&c, &data)).into_response())
}

fn back(g: GameId) -> Response {
    redirect_with(&format!("/console/games/{g}"), &[])
}

/// A variable to set or delete.
#[derive(Debug, Deserialize)]
pub(super) struct VariableForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    value: String,
}

/// `POST /console/games/{game}/variables`: sets a GameFuse variable.
pub(super) async fn set_variable(
    State(s): State<AppState>,
    Path(g): Path<String>,
    p: Posted<VariableForm>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let gid = game_id(&g)?;
    let (key, value) = (p.form.key.trim(), p.form.value.as_str());
    if key.is_empty() {
        return Err(Error::invalid("key", "is required").into());
    }
    s.gamefuse.set_game_variable(gid, key, value).await?;
    p.by.record(&s, |e| {
        e.action("game_variable.set")
            .game(gid)
            .subject(format!("game_variable:{key}"))
            .detail(serde_json::json!({"after": {"value": value}}))
    })
    .await;
    Ok(back(gid))
}

/// `POST /console/games/{game}/variables/delete`: deletes a GameFuse variable.
pub(super) async fn delete_variable(
    State(s): State<AppState>,
    Path(g): Path<String>,
    p: Posted<VariableForm>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let gid = game_id(&g)?;
    let key = p.form.key.trim();
    s.gamefuse.delete_game_variable(gid, key).await?;
    p.by.record(&s, |e| {
        e.action("game_variable.deleted")
            .game(gid)
            .subject(format!("game_variable:{key}"))
    })
    .await;
    Ok(back(gid))
}

/// A route switch.
#[derive(Debug, Deserialize)]
pub(super) struct RouteForm {
    #[serde(default)]
    route: String,
    #[serde(default)]
    user_allowed: Option<String>,
    #[serde(default)]
    key_allowed: Option<String>,
}

/// `POST /console/games/{game}/routes`: sets who may call a GameFuse route.
pub(super) async fn set_route(
    State(s): State<AppState>,
    Path(g): Path<String>,
    p: Posted<RouteForm>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let gid = game_id(&g)?;
    let access = RouteAccess {
        route: p.form.route.trim().to_owned(),
        user_allowed: p.form.user_allowed.as_deref() == Some("true"),
        key_allowed: p.form.key_allowed.as_deref() == Some("true"),
    };
    s.gamefuse.set_route_access(gid, access.clone()).await?;
    p.by.record(&s, |e| {
        e.action("route_access.set")
            .game(gid)
            .subject(format!("route:{}", access.route))
            .detail(
                serde_json::json!({"after": {"user_allowed": access.user_allowed, "key_allowed": access.key_allowed}}),
            )
    })
    .await;
    Ok(back(gid))
}

/// Enabling or disabling, confirmed by typing the game's name.
#[derive(Debug, Deserialize)]
pub(super) struct EnabledForm {
    #[serde(default)]
    enabled: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /console/games/{game}/enabled`: enables or disables a game.
pub(super) async fn set_enabled(
    State(s): State<AppState>,
    Path(g): Path<String>,
    p: Posted<EnabledForm>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let game = s.gamefuse.existing_game(game_id(&g)?).await?;
    if p.form.confirm.trim() != game.name {
        return Err(Error::invalid("confirm", "must be the game's name").into());
    }
    let enabled = match p.form.enabled.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(Error::invalid("enabled", "must be true or false").into()),
    };
    s.core.set_game_enabled(game.id, enabled).await?;
    p.by.record(&s, |e| {
        e.action(if enabled { "game.enabled" } else { "game.disabled" })
            .game(game.id)
            .subject(format!("game:{}", game.id))
            .detail(serde_json::json!({"after": {"enabled": enabled}}))
    })
    .await;
    Ok(back(game.id))
}
