//! Games: the list, a new game (its secrets shown once), a game's page with its GameFuse
//! data, and the changes an admin makes there (variables, route switches, names and token
//! lifetimes, enabling and deleting with a typed confirmation, rotating a secret, shown
//! once). Every change goes through the services the admin API calls (`state.games`,
//! `state.game_data`), which record it in the audit log under the same action names; the
//! games service records its event in the change's own transaction.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use playgate_core::audit::AuditFilter;
use playgate_core::economy::leaderboards::BoardFilter;
use playgate_core::economy::store_items::NewStoreItem;
use playgate_core::game::NewGame;
use playgate_core::gamefuse::keys::RouteAccess;
use playgate_core::games::{ACCESS_TTL_RANGE, CredentialKind, GamePatch, REFRESH_TTL_RANGE, lifetime};
use playgate_core::ids::GameId;
use playgate_core::{Entity, Error};
use serde::Deserialize;

use super::auth::{Confirm, Empty, Posted, Signed};
use super::error::{ConsoleError, field_of, redirect_with, status_and_message};
use super::pages::{self, GameData, GameFields, Section};
use super::{chrome, cursor, enabled, html};
use crate::common::path_id::{game_id, path_id};
use crate::common::state::AppState;

/// Which page of games to show.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    after: String,
}

/// Games per page of the list.
const GAMES_PAGE: u32 = 50;

/// The games page, a page at a time.
pub(super) async fn list(
    State(s): State<AppState>,
    by: Signed,
    Query(q): Query<ListQuery>,
) -> Result<Response, ConsoleError> {
    let after = cursor(&q.after, "after")?.map(GameId);
    let page = s.games.list(after, GAMES_PAGE).await?;
    let c = chrome(&by, "Games", Section::Games);
    Ok(html(pages::games(&c, &page.items, page.next_cursor)).into_response())
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
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct NewGameForm {
    name: String,
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
    let creds = match s.games.create(cmd, p.by.event()).await {
        Ok(c) => c,
        Err(e @ Error::Invalid { .. }) => {
            let (_, message) = status_and_message(&e);
            let c = chrome(&p.by, "New game", Section::Games);
            let page = pages::new_game(&c, &p.form.name, &p.form.description, Some((field_of(&e), &message)));
            return Ok((StatusCode::BAD_REQUEST, html(page)).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let g = &creds.game;
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let c = chrome(&p.by, "Game created", Section::Games);
    let page = pages::game_created(&c, g, creds.client_secret.expose(), &base_url(&p.by, host));
    Ok((StatusCode::CREATED, html(page)).into_response())
}

/// What a game's page shows.
async fn game_data(s: &AppState, gid: GameId) -> Result<GameData, Error> {
    let game = s.games.get(gid).await?;
    let variables = s.game_variables.list(game.id).await?;
    let store_items = s.store_items.list(game.id).await?;
    let service_keys = s.gamefuse.service_keys(game.id).await?;
    let routes = s.gamefuse.route_accesses(game.id).await?;
    let leaderboard = s
        .leaderboards
        .read(
            game.id,
            game.id,
            BoardFilter {
                limit: Some(10),
                ..BoardFilter::default()
            },
        )
        .await?;
    let events = s
        .audit
        .list(AuditFilter {
            game: Some(game.id),
            limit: 10,
            ..AuditFilter::default()
        })
        .await?
        .items;
    Ok(GameData {
        game,
        variables,
        store_items,
        service_keys,
        routes,
        leaderboard,
        events,
    })
}

fn game_page(by: &Signed, d: &GameData, status: StatusCode, delete_error: Option<&str>) -> Response {
    let c = chrome(by, &d.game.name, Section::Games);
    (status, html(pages::game(&c, d, delete_error))).into_response()
}

/// A game's page.
pub(super) async fn show(
    State(s): State<AppState>,
    by: Signed,
    Path(g): Path<String>,
) -> Result<Response, ConsoleError> {
    let d = game_data(&s, game_id(&g)?).await?;
    Ok(game_page(&by, &d, StatusCode::OK, None))
}

fn back(g: GameId) -> Response {
    redirect_with(&format!("/console/games/{g}"), &[])
}

/// A variable to set or delete.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct VariableForm {
    key: String,
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
    s.game_data.set_variable(gid, key, value, p.by.event()).await?;
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
    s.game_data.delete_variable(gid, key, p.by.event()).await?;
    Ok(back(gid))
}

/// A route switch.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct RouteForm {
    route: String,
    user_allowed: Option<String>,
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
    s.game_data.set_route_access(gid, access, p.by.event()).await?;
    Ok(back(gid))
}

/// Enabling or disabling, confirmed by typing the game's name.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct EnabledForm {
    enabled: String,
    confirm: String,
}

/// `POST /console/games/{game}/enabled`: enables or disables a game.
pub(super) async fn set_enabled(
    State(s): State<AppState>,
    Path(g): Path<String>,
    p: Posted<EnabledForm>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let game = s.games.get(game_id(&g)?).await?;
    if p.form.confirm.trim() != game.name {
        return Err(Error::invalid("confirm", "must be the game's name").into());
    }
    let enabled = enabled(&p.form.enabled)?;
    let patch = GamePatch {
        enabled: Some(enabled),
        ..GamePatch::default()
    };
    s.games.update(game.id, patch, p.by.event()).await?;
    Ok(back(game.id))
}

/// The edit form of a game (admins).
pub(super) async fn edit_form(
    State(s): State<AppState>,
    by: Signed,
    Path(g): Path<String>,
) -> Result<Response, ConsoleError> {
    if !by.is_admin() {
        return Err(ConsoleError::ViewerRole);
    }
    let game = s.games.get(game_id(&g)?).await?;
    let title = format!("Edit {}", game.name);
    let c = chrome(&by, &title, Section::Games);
    Ok(html(pages::edit_game(&c, &game, &GameFields::of(&game), None)).into_response())
}

/// The edit form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct EditForm {
    name: String,
    client_name: String,
    description: String,
    access_token_ttl_secs: String,
    refresh_token_ttl_secs: String,
}

/// A lifetime as typed: empty for the server's default, else seconds within `range`.
fn ttl(field: &str, raw: &str, range: (u64, u64)) -> Result<Option<std::time::Duration>, Error> {
    match raw.trim() {
        "" => Ok(None),
        t => {
            let secs = t
                .parse::<i64>()
                .map_err(|_| Error::invalid(field, "must be a whole number of seconds, or empty"))?;
            lifetime(field, secs, range).map(Some)
        }
    }
}

/// `POST /console/games/{game}/edit`: changes a game's names and token lifetimes
/// (through the service of `PATCH /admin/v1/games/{game}`).
pub(super) async fn edit(
    State(s): State<AppState>,
    Path(g): Path<String>,
    p: Posted<EditForm>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let game = s.games.get(game_id(&g)?).await?;
    let f = &p.form;
    let patch = ttl("access_token_ttl_secs", &f.access_token_ttl_secs, ACCESS_TTL_RANGE).and_then(|access| {
        Ok(GamePatch {
            name: Some(f.name.clone()),
            client_name: Some(f.client_name.clone()),
            description: Some(f.description.clone()),
            access_token_ttl: Some(access),
            refresh_token_ttl: Some(ttl(
                "refresh_token_ttl_secs",
                &f.refresh_token_ttl_secs,
                REFRESH_TTL_RANGE,
            )?),
            enabled: None,
        })
    });
    let result = match patch {
        Ok(patch) => s.games.update(game.id, patch, p.by.event()).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(back(game.id)),
        Err(e @ Error::Invalid { .. }) => {
            let (status, message) = status_and_message(&e);
            let fields = GameFields {
                name: f.name.clone(),
                client_name: f.client_name.clone(),
                description: f.description.clone(),
                access_token_ttl_secs: f.access_token_ttl_secs.clone(),
                refresh_token_ttl_secs: f.refresh_token_ttl_secs.clone(),
            };
            let title = format!("Edit {}", game.name);
            let c = chrome(&p.by, &title, Section::Games);
            Ok((
                status,
                html(pages::edit_game(&c, &game, &fields, Some((field_of(&e), &message)))),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Which credential to replace.
#[derive(Debug, Default, Deserialize)]
pub(super) struct RotateForm {
    #[serde(default)]
    credential: String,
}

/// `POST /console/games/{game}/rotate`: replaces the KGeN client secret or the GameFuse
/// token and shows the new one once.
pub(super) async fn rotate(
    State(s): State<AppState>,
    Path(g): Path<String>,
    p: Posted<RotateForm>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let kind = CredentialKind::parse(&p.form.credential)?;
    let (game, secret) = s.games.rotate(game_id(&g)?, kind, p.by.event()).await?;
    let c = chrome(&p.by, "New secret", Section::Games);
    let page = pages::secret_rotated(&c, &game, kind == CredentialKind::Kgen, secret.expose());
    Ok(html(page).into_response())
}

/// `POST /console/games/{game}/delete`: deletes a game and everything of it once its
/// name is typed.
pub(super) async fn delete(
    State(s): State<AppState>,
    Path(g): Path<String>,
    p: Posted<Confirm>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let gid = game_id(&g)?;
    match s.games.delete(gid, Some(&p.form.confirm), p.by.event()).await {
        Ok(()) => Ok(redirect_with("/console/games", &[])),
        Err(e @ Error::Invalid { .. }) => {
            let (status, message) = status_and_message(&e);
            let d = game_data(&s, gid).await?;
            Ok(game_page(&p.by, &d, status, Some(&message)))
        }
        Err(e) => Err(e.into()),
    }
}

/// A new store item.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct StoreItemForm {
    name: String,
    category: String,
    cost: String,
    description: String,
}

/// `POST /console/games/{game}/store-items`: adds a GameFuse store item.
pub(super) async fn add_store_item(
    State(s): State<AppState>,
    Path(g): Path<String>,
    p: Posted<StoreItemForm>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let gid = game_id(&g)?;
    let f = &p.form;
    let cost = f
        .cost
        .trim()
        .parse::<i64>()
        .map_err(|_| Error::invalid("cost", "must be a whole number"))?;
    let new = NewStoreItem {
        name: f.name.trim().to_owned(),
        description: f.description.trim().to_owned(),
        category: f.category.trim().to_owned(),
        cost,
        icon_url: None,
    };
    s.game_data.add_store_item(gid, new, p.by.event()).await?;
    Ok(back(gid))
}

/// `POST /console/games/{game}/store-items/{item}/delete`: deletes a store item.
pub(super) async fn delete_store_item(
    State(s): State<AppState>,
    Path((g, item)): Path<(String, String)>,
    p: Posted<Empty>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let gid = game_id(&g)?;
    let item: i64 = path_id(&item, Entity::StoreItem)?;
    s.game_data.delete_store_item(gid, item, p.by.event()).await?;
    Ok(back(gid))
}

/// A new service key's name.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ServiceKeyForm {
    #[serde(default)]
    name: String,
}

/// `POST /console/games/{game}/service-keys`: makes a GameFuse service key and shows its
/// token once.
pub(super) async fn add_service_key(
    State(s): State<AppState>,
    Path(g): Path<String>,
    p: Posted<ServiceKeyForm>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let game = s.games.get(game_id(&g)?).await?;
    let (key, token) = s
        .game_data
        .create_service_key(game.id, &p.form.name, p.by.event())
        .await?;
    let c = chrome(&p.by, "New service key", Section::Games);
    let page = pages::service_key_created(&c, &game, &key.name, token.expose());
    Ok((StatusCode::CREATED, html(page)).into_response())
}

/// `POST /console/games/{game}/service-keys/{name}/delete`: deletes a service key.
pub(super) async fn delete_service_key(
    State(s): State<AppState>,
    Path((g, name)): Path<(String, String)>,
    p: Posted<Empty>,
) -> Result<Response, ConsoleError> {
    let p = p.admin()?;
    let gid = game_id(&g)?;
    s.game_data.delete_service_key(gid, &name, p.by.event()).await?;
    Ok(back(gid))
}
