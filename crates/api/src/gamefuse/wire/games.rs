//! Games: verify, variables, server time.

use playgate_core::game::Game;
use playgate_core::game_variables::GameVariable;

use crate::common::wire::VariableOut;
use serde::Serialize;
use utoipa::ToSchema;

/// `games/verify` and `games/fetch_game_variables` (reference 2.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct GameOut {
    pub id: i64,
    pub name: String,
    pub token: String,
    pub description: String,
    pub game_variables: Vec<VariableOut>,
}

impl GameOut {
    pub fn new(g: Game, vars: Vec<GameVariable>) -> Self {
        GameOut {
            id: g.id.0,
            name: g.name,
            token: g.gamefuse_token,
            description: g.description,
            game_variables: vars.into_iter().map(VariableOut::from).collect(),
        }
    }
}

/// `util/get_server_time` (reference 2.4).
#[derive(Debug, Serialize, ToSchema)]
pub struct ServerTimeOut {
    pub server_time: String,
}
