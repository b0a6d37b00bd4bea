//! The path parameters the admin API's calls share, each declared once: read from the path
//! by axum and documented in the OpenAPI document by the same type. Ids are taken as text
//! and parsed by the handler, so that one that does not parse is not found (404), as for
//! an id of nothing, rather than a 400 from the extractor.

use playgate_core::Entity;
use playgate_core::Error;
use playgate_core::ids::{GameId, SessionId};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::common::path_id::{game_id, path_id};

/// `{game}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct GamePath {
    /// The game's id
    #[param(value_type = i64)]
    game: String,
}

impl GamePath {
    /// The game.
    pub fn game(&self) -> Result<GameId, Error> {
        game_id(&self.game)
    }
}

/// `{game}` and `{user_id}`: a player.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PlayerPath {
    /// The game's id
    #[param(value_type = i64)]
    game: String,
    /// The game's id for the player
    pub user_id: String,
}

impl PlayerPath {
    /// The player's game.
    pub fn game(&self) -> Result<GameId, Error> {
        game_id(&self.game)
    }
}

/// `{game}` and `{key}`: a game variable.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct VariablePath {
    /// The game's id
    #[param(value_type = i64)]
    game: String,
    /// The variable
    pub key: String,
}

impl VariablePath {
    /// The variable's game.
    pub fn game(&self) -> Result<GameId, Error> {
        game_id(&self.game)
    }
}

/// `{account}`: a platform account.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AccountPath {
    /// The account's id, or its user name
    pub account: String,
}

/// `{session}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SessionPath {
    /// The session's id (a UUID)
    session: String,
}

impl SessionPath {
    /// The session.
    pub fn session(&self) -> Result<SessionId, Error> {
        path_id(&self.session, Entity::Session)
    }
}
