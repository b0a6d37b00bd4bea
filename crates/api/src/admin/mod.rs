//! Playgate's admin API, for operators and their tooling: games and the data operators
//! manage under them (`/admin/v1/games/{game}/…`: game variables, store items, service
//! keys, route switches; also on the earlier `/admin/gamefuse/games/{game}/…` paths),
//! platform accounts (`/admin/v1/accounts`; creation at `/admin/accounts`) and API keys
//! (`/admin/api-keys`), stats for a dashboard, the audit log and the operators. Shaped like the dialects: `auth.rs` (the credential
//! extractor), `error.rs` (one error type and format), `wire.rs`, `paths.rs` (the path
//! parameters the calls share), then one file per resource. Every call needs `Authorization: Bearer <token>`: an operator's personal token
//! or the configured `admin_token` (`auth.rs`); with neither configured nor made, every
//! route answers 404 as if it did not exist. Errors are `{"error": CODE, "message": TEXT}`
//! (plus `field`).

mod accounts;
mod accounts_v1;
mod audit;
mod auth;
pub mod docs;
mod error;
mod game_data;
mod games;
mod operators;
mod paths;
mod players;
mod sessions;
mod stats;
mod wire;

pub use auth::{Admin, Viewer};
pub use error::AdminError;
pub use players::export_out;

pub(crate) use crate::common::json_error::Body;
use crate::common::routes::Routes;

/// The game data routes under a game: `/admin/v1/games/{game}/…`, and the same handlers
/// on the earlier paths `/admin/gamefuse/games/{game}/…` (deprecated; scripts use them).
fn game_data(routes: Routes) -> Routes {
    let mut routes = routes;
    for (base, store_items, service_keys) in [
        ("/admin/v1/games/{game}", "store-items", "service-keys"),
        ("/admin/gamefuse/games/{game}", "store_items", "service_keys"),
    ] {
        routes = routes
            .get(&format!("{base}/variables"), game_data::list_vars)
            .put(&format!("{base}/variables/{{key}}"), game_data::set_var)
            .delete(&format!("{base}/variables/{{key}}"), game_data::delete_var)
            .get(&format!("{base}/{store_items}"), game_data::list_items)
            .post(&format!("{base}/{store_items}"), game_data::add_item)
            .delete(&format!("{base}/{store_items}/{{item}}"), game_data::delete_item)
            .get(&format!("{base}/{service_keys}"), game_data::list_keys)
            .post(&format!("{base}/{service_keys}"), game_data::add_key)
            .delete(&format!("{base}/{service_keys}/{{name}}"), game_data::delete_key)
            .get(&format!("{base}/routes"), game_data::list_routes)
            .put(&format!("{base}/routes"), game_data::set_route);
    }
    routes
}

/// The admin routes.
pub fn router() -> Routes {
    let routes = Routes::new()
        .post("/admin/accounts", accounts::create_account)
        .patch("/admin/accounts/{id}", accounts::update_account)
        .post("/admin/api-keys", accounts::create_api_key)
        .post("/admin/gamefuse/games/{game}/rotate_token", game_data::rotate_token)
        .get("/admin/v1/games", games::list)
        .post("/admin/v1/games", games::create)
        .get("/admin/v1/games/{game}", games::show)
        .patch("/admin/v1/games/{game}", games::update)
        .delete("/admin/v1/games/{game}", games::delete)
        .post("/admin/v1/games/{game}/rotate-secret", games::rotate_secret)
        .get("/admin/v1/accounts", accounts_v1::search)
        .get("/admin/v1/accounts/{account}", accounts_v1::show)
        .patch("/admin/v1/accounts/{account}", accounts_v1::update)
        .post("/admin/v1/accounts/{account}/reset-2fa", accounts_v1::reset_2fa)
        .post("/admin/v1/accounts/{account}/password", accounts_v1::set_password)
        .get("/admin/v1/accounts/{account}/api-keys", accounts_v1::api_keys)
        .delete(
            "/admin/v1/accounts/{account}/api-keys/{key}",
            accounts_v1::revoke_api_key,
        )
        .get("/admin/v1/accounts/{account}/links", accounts_v1::links)
        .post("/admin/v1/accounts/{account}/sessions/end-all", accounts_v1::end_all)
        .get("/admin/v1/stats", stats::show)
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
        .delete("/admin/v1/sessions/{session}", sessions::end);
    game_data(routes)
}
