//! GameFuse V3 REST API (`https://gamefuse.co/api/v3`), as the official GameFuse SDKs
//! (JavaScript V3, C#/Unity, C++/Unreal) call it: a game built with one works against
//! Playgate with its base URL set to `http://HOST:PORT/api/v3`. Sources: seed 003 (sign-in)
//! and `reference/gamefuse-v3-api.md`; where the vendor's docs and its SDK disagree, the SDK
//! wins, as the reference says.
//!
//! Part 1 (this module): conventions of reference section 0 (three credential forms,
//! form/JSON/empty bodies, text/plain errors, exact JSON types, CORS on every response),
//! games and game variables (2), sign-up (3), sign-in (4), users (5), attributes (6),
//! store (7), credits and score (8), leaderboards (9), password reset (14), service keys
//! and the test suite (15), plus an admin HTTP API under `/admin/gamefuse`.
//!
//! Part 2: friends (10), groups, membership and group attributes (11), chats and
//! messages (12), game rounds (13), and every relation of the full user data (1.3).
//!
//! The native SDKs (section 17 of the reference, `gamefuse-native-sdks.md`): every request
//! the C# (Unity) and Unreal SDKs send. Where they and the JS SDK read different bodies
//! (17.7), the JS shape is the default and the native one is served when the request shows
//! it comes from a native SDK (`auth::Client`).
//!
//! Not supported: OAuth sign-in with `temp_oauth_transfer_token` (a V2 flow, answered
//! 400); `DELETE /users/{id}` (the SDK never sends it); the older `/api/v1` and `/api/v2`
//! routes; a per-game setting for the SDK shapes (detection by request only).

mod admin;
mod attributes;
mod auth;
mod chats;
mod credits;
mod error;
mod friends;
mod game_rounds;
mod games;
mod groups;
mod input;
mod leaderboards;
mod password;
mod sessions;
mod store;
mod test_suite;
mod users;
mod wire;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::response::Response;
use axum::routing::{delete, get, post, put};
use playgate_core::Entity;
use tower_http::cors::{Any, CorsLayer};

pub use auth::{Authed, Client, GameCall, Open, SuiteCall};
pub use error::GfError;

use crate::common::state::AppState;

/// The path prefix of the dialect.
pub const PREFIX: &str = "/api/v3";

const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const ALLOW_HEADERS: &str =
    "Content-Type, authentication-token, authentication_token, service-key-name, service-key-token, current-user-id";

/// The reference (0.7) asks for all three CORS headers on every response, not only on
/// preflights (which [`cors`] answers); browsers need only the origin there, but a client
/// checking the others finds them.
async fn cors_everywhere(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    for (name, value) in [
        (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        (header::ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS),
        (header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS),
    ] {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
    resp
}

/// CORS for browser games (reference 0.7): any origin, no cookies; answers preflights.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            header::CONTENT_TYPE,
            HeaderName::from_static("authentication-token"),
            HeaderName::from_static("authentication_token"),
            HeaderName::from_static("service-key-name"),
            HeaderName::from_static("service-key-token"),
            HeaderName::from_static("current-user-id"),
        ])
}

async fn not_found() -> GfError {
    playgate_core::Error::NotFound(Entity::Route).into()
}

async fn method_not_allowed() -> GfError {
    GfError::new(axum::http::StatusCode::METHOD_NOT_ALLOWED, "Method not allowed")
}

/// Parses a numeric path id; anything else names nothing that exists.
fn path_id(raw: &str, what: Entity) -> Result<i64, GfError> {
    raw.trim()
        .parse()
        .map_err(|_| playgate_core::Error::NotFound(what).into())
}

/// The GameFuse routes (under [`PREFIX`]) and its admin API.
pub fn router() -> Router<AppState> {
    let api = Router::new()
        .route("/games/verify", get(games::verify))
        .route("/games/fetch_game_variables", get(games::verify))
        // The Unreal SDK asks for it with a Rails format suffix (reference 17.3).
        .route("/games/fetch_game_variables.json", get(games::verify))
        .route("/games/store_items", get(games::store_items))
        .route("/util/get_server_time", get(games::server_time))
        .route("/users", post(users::sign_up))
        .route("/sessions", post(sessions::sign_in))
        .route("/users/{id}", get(users::show).put(users::update))
        .route("/users/{id}/password", put(users::change_password))
        .route("/users/{id}/add_game_user_attribute", post(attributes::add))
        .route(
            "/users/{id}/remove_game_user_attribute",
            get(attributes::remove).delete(attributes::remove),
        )
        .route(
            "/users/{id}/remove_game_user_attributes",
            get(attributes::remove).delete(attributes::remove),
        )
        .route("/users/{id}/game_user_attributes", get(attributes::list))
        .route("/users/{id}/add_credits", post(credits::add_credits))
        .route("/users/{id}/set_credits", post(credits::set_credits))
        .route("/users/{id}/add_score", post(credits::add_score))
        .route("/users/{id}/set_score", post(credits::set_score))
        .route("/users/{id}/purchase_game_user_store_item", post(store::purchase))
        .route(
            "/users/{id}/remove_game_user_store_item",
            get(store::remove).delete(store::remove),
        )
        .route("/users/{id}/game_user_store_items", get(store::list))
        .route("/users/{id}/add_leaderboard_entry", post(leaderboards::add))
        .route("/users/{id}/clear_my_leaderboard_entries", post(leaderboards::clear))
        .route("/users/{id}/leaderboard_entries", get(leaderboards::of_user))
        .route("/games/{game_id}/leaderboard_entries", get(leaderboards::of_game))
        .route("/games/{game_id}/forget_password", get(password::forget))
        .route("/password/reset", post(password::reset_json))
        .route(
            "/password_reset",
            get(password::reset_page).post(password::reset_submit),
        )
        .route("/friendships", get(friends::lists).post(friends::create))
        .route("/friendships/{id}", put(friends::answer).delete(friends::cancel))
        .route("/unfriend", delete(friends::unfriend))
        .route("/friends", get(friends::friends))
        .route("/friends/{user_id}", get(friends::friends_of_user))
        .route("/incoming_friend_requests", get(friends::incoming))
        .route("/outgoing_friend_requests", get(friends::outgoing))
        .route("/groups", get(groups::list).post(groups::create))
        .route(
            "/groups/{id}",
            get(groups::show)
                .put(groups::update)
                .patch(groups::update)
                .delete(groups::delete),
        )
        .route("/groups/{id}/attributes", get(groups::attributes))
        .route("/groups/{id}/admins", post(groups::add_admin))
        .route("/groups/{id}/admins/{user_id}", delete(groups::remove_admin))
        .route("/user/groups", get(groups::mine))
        .route("/groups/{id}/add_attribute", post(groups::add_attribute))
        .route(
            "/groups/{id}/modify_attribute",
            axum::routing::patch(groups::modify_attribute).put(groups::modify_attribute),
        )
        .route("/chats", post(chats::create))
        .route("/chats/page/{page}", get(chats::page))
        .route("/messages", post(chats::send))
        .route("/messages/page/{page}", get(chats::messages))
        .route("/messages/{id}/mark_as_read", post(chats::mark_read))
        .route("/group_connections", post(groups::connect))
        .route("/group_connections/{id}", put(groups::answer))
        .route("/group_connections/cancel/{id}", delete(groups::cancel))
        .route("/group_connections/leave/{group_id}", delete(groups::leave))
        .route("/group_connections/remove_member/{user_id}", put(groups::remove_member))
        .route("/group_connections/make_admin/{user_id}", put(groups::make_admin))
        .route("/game_rounds", get(game_rounds::list).post(game_rounds::create))
        .route(
            "/game_rounds/{id}",
            get(game_rounds::show)
                .put(game_rounds::update)
                .patch(game_rounds::update)
                .delete(game_rounds::delete),
        )
        .route("/test_suite/create_game", post(test_suite::create_game))
        .route("/test_suite/create_user", post(test_suite::create_user))
        .route("/test_suite/create_store_item", post(test_suite::create_store_item))
        .route("/test_suite/create_store_items", post(test_suite::create_store_item))
        .route(
            "/test_suite/clean_up_test",
            axum::routing::delete(test_suite::clean_up).post(test_suite::clean_up),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(cors())
        .layer(axum::middleware::map_response(cors_everywhere));
    Router::new().nest(PREFIX, api).merge(admin::router())
}
