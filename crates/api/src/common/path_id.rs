//! Ids read from a request path, for the admin API and the console. An id that does not
//! parse names nothing, so it is not found: the same answer as for a well-formed id of
//! nothing, never a 400.

use std::str::FromStr;

use playgate_core::ids::GameId;
use playgate_core::{Entity, Error};

/// An id in a path (a game's, a store item's, a session's, an API key's ...): one that
/// does not parse is `NotFound(what)`.
pub fn path_id<T: FromStr>(raw: &str, what: Entity) -> Result<T, Error> {
    raw.trim().parse().map_err(|_| Error::NotFound(what))
}

/// The game a path names.
pub fn game_id(raw: &str) -> Result<GameId, Error> {
    path_id(raw, Entity::Game).map(GameId)
}
