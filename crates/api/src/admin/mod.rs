//! Playgate's admin API, for operators and their tooling: platform accounts and API keys
//! (`/admin/accounts`, `/admin/api-keys`) and the game data operators manage
//! (`/admin/gamefuse/games/{game}/…`: game variables, store items, service keys, route
//! switches, the game token). Shaped like the dialects: `auth.rs` (the credential
//! extractor), `error.rs` (one error type and format), `wire.rs`, then one file per
//! resource. Every call needs `Authorization: Bearer <token>`: an operator's personal token
//! or the configured `admin_token` (`auth.rs`); with neither configured nor made, every
//! route answers 404 as if it did not exist. Errors are `{"error": CODE, "message": TEXT}`
//! (plus `field`).

mod accounts;
mod audit;
mod auth;
pub mod docs;
mod error;
mod game_data;
mod operators;
mod players;
mod sessions;
mod wire;

pub use auth::{Admin, Viewer};
pub use error::{AdminError, http_failure};

pub(crate) use crate::common::json_error::Body;
use crate::common::routes::Routes;

/// The admin routes.
pub fn router() -> Routes {
    Routes::new()
        .post("/admin/accounts", accounts::create_account)
        .patch("/admin/accounts/{id}", accounts::update_account)
        .post("/admin/api-keys", accounts::create_api_key)
        .get("/admin/gamefuse/games/{game}/variables", game_data::list_vars)
        .put("/admin/gamefuse/games/{game}/variables/{key}", game_data::set_var)
        .delete("/admin/gamefuse/games/{game}/variables/{key}", game_data::delete_var)
        .get("/admin/gamefuse/games/{game}/store_items", game_data::list_items)
        .post("/admin/gamefuse/games/{game}/store_items", game_data::add_item)
        .delete(
            "/admin/gamefuse/games/{game}/store_items/{item}",
            game_data::delete_item,
        )
        .get("/admin/gamefuse/games/{game}/service_keys", game_data::list_keys)
        .post("/admin/gamefuse/games/{game}/service_keys", game_data::add_key)
        .delete(
            "/admin/gamefuse/games/{game}/service_keys/{name}",
            game_data::delete_key,
        )
        .get("/admin/gamefuse/games/{game}/routes", game_data::list_routes)
        .put("/admin/gamefuse/games/{game}/routes", game_data::set_route)
        .post("/admin/gamefuse/games/{game}/rotate_token", game_data::rotate_token)
        .get("/admin/v1/audit", audit::list)
        .get("/admin/v1/operators", operators::list)
        .get("/admin/v1/games/{game}/players", players::search)
        .get("/admin/v1/games/{game}/players/{user_id}", players::show)
        .delete("/admin/v1/games/{game}/players/{user_id}", players::delete)
        .post("/admin/v1/games/{game}/players/{user_id}/ban", players::ban)
        .post("/admin/v1/games/{game}/players/{user_id}/unban", players::unban)
        .get("/admin/v1/games/{game}/players/{user_id}/export", players::export)
        .get("/admin/v1/games/{game}/players/{user_id}/sessions", players::sessions)
        .post(
            "/admin/v1/games/{game}/players/{user_id}/sessions/end-all",
            players::end_sessions,
        )
        .post("/admin/v1/games/{game}/sessions/end-all", players::end_game_sessions)
        .get("/admin/v1/sessions/{session}", sessions::show)
        .delete("/admin/v1/sessions/{session}", sessions::end)
}
