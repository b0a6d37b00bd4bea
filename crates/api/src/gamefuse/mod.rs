//! GameFuse V3 REST API (`https://gamefuse.co/api/v3`), as the official GameFuse SDKs
//! (JavaScript V3, C#/Unity, C++/Unreal) call it: a game built with one works against
//! Playgate with its base URL set to `http://HOST:PORT/api/v3`. Sources: seed 003 (sign-in)
//! and `reference/gamefuse-v3-api.md`; where the vendor's docs and its SDK disagree, the SDK
//! wins, as the reference says.
//!
//! What it serves: the conventions of reference section 0 (three credential forms,
//! form/JSON/empty bodies, text/plain errors, exact JSON types, CORS on every response),
//! games and game variables (2), sign-up (3), sign-in (4), users (5), attributes (6),
//! store (7), credits and score (8), leaderboards (9), friends (10), groups, membership and
//! group attributes (11), chats and messages (12), game rounds (13), password reset (14),
//! service keys and the test suite (15), and every relation of the full user data (1.3).
//! Operators manage a game's GameFuse data through the admin API (`crate::admin`).
//!
//! The native SDKs (section 17 of the reference, `gamefuse-native-sdks.md`): every request
//! the C# (Unity) and Unreal SDKs send. Where they and the JS SDK read different bodies
//! (17.7), the JS shape is the default and the native one is served when the request shows
//! it comes from a native SDK (`auth::Client`).
//!
//! Not supported: OAuth sign-in with `temp_oauth_transfer_token` (a V2 flow, answered
//! 400); `DELETE /users/{id}` (the SDK never sends it); the older `/api/v1` and `/api/v2`
//! routes; a per-game setting for the SDK shapes (detection by request only).

mod attributes;
mod auth;
mod chats;
mod credits;
pub mod docs;
mod error;
mod friends;
mod games;
mod groups;
mod input;
mod leaderboards;
mod params;
mod password;
mod rounds;
mod sessions;
mod store_items;
mod test_suite;
mod users;
mod wire;

use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::response::Response;
use playgate_core::Entity;
use tower_http::cors::{Any, CorsLayer};

pub use auth::{Authed, Client, GameCall, Open, SuiteCall};
pub use error::GfError;

use crate::common::routes::Routes;

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

/// `e` answered 422 where it would be 400: how the reference answers invalid data on
/// sign-up (and the test suite's `create_user`), profile and password changes, friendships
/// (10), groups (11.2, 11.7), chats (12.2, 12.4) and game rounds (13.2).
fn unprocessable(e: impl Into<GfError>) -> GfError {
    e.into().remap(
        axum::http::StatusCode::BAD_REQUEST,
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// The answer to a friend request or a group invite or join request: `accepted` (true) or
/// `declined` (false); anything else is unprocessable.
fn accepted(status: Option<&str>) -> Result<bool, GfError> {
    match status.map(str::trim) {
        Some("accepted") => Ok(true),
        Some("declined") => Ok(false),
        _ => Err(unprocessable(playgate_core::Error::invalid(
            "status",
            "must be accepted or declined",
        ))),
    }
}

/// The GameFuse routes (under [`PREFIX`]).
pub fn router() -> Routes {
    let api = Routes::new()
        .get("/games/verify", games::verify)
        .get("/games/fetch_game_variables", games::verify)
        // The Unreal SDK asks for it with a Rails format suffix (reference 17.3).
        .get("/games/fetch_game_variables.json", games::verify)
        .get("/games/store_items", games::store_items)
        .get("/util/get_server_time", games::server_time)
        .post("/users", users::sign_up)
        .post("/sessions", sessions::sign_in)
        .get("/users/{id}", users::show)
        .put("/users/{id}", users::update)
        .put("/users/{id}/password", users::change_password)
        .post("/users/{id}/add_game_user_attribute", attributes::add)
        .get("/users/{id}/remove_game_user_attribute", attributes::remove)
        .delete("/users/{id}/remove_game_user_attribute", attributes::remove)
        .get("/users/{id}/remove_game_user_attributes", attributes::remove)
        .delete("/users/{id}/remove_game_user_attributes", attributes::remove)
        .get("/users/{id}/game_user_attributes", attributes::list)
        .post("/users/{id}/add_credits", credits::add_credits)
        .post("/users/{id}/set_credits", credits::set_credits)
        .post("/users/{id}/add_score", credits::add_score)
        .post("/users/{id}/set_score", credits::set_score)
        .post("/users/{id}/purchase_game_user_store_item", store_items::purchase)
        .get("/users/{id}/remove_game_user_store_item", store_items::remove)
        .delete("/users/{id}/remove_game_user_store_item", store_items::remove)
        .get("/users/{id}/game_user_store_items", store_items::list)
        .post("/users/{id}/add_leaderboard_entry", leaderboards::add)
        .post("/users/{id}/clear_my_leaderboard_entries", leaderboards::clear)
        .get("/users/{id}/leaderboard_entries", leaderboards::of_user)
        .get("/games/{game_id}/leaderboard_entries", leaderboards::of_game)
        .get("/games/{game_id}/forget_password", password::forget)
        .post("/password/reset", password::reset_json)
        .get("/password_reset", password::reset_page)
        .post("/password_reset", password::reset_submit)
        .get("/friendships", friends::lists)
        .post("/friendships", friends::create)
        .put("/friendships/{id}", friends::answer)
        .delete("/friendships/{id}", friends::cancel)
        .delete("/unfriend", friends::unfriend)
        .get("/friends", friends::friends)
        .get("/friends/{user_id}", friends::friends_of_user)
        .get("/incoming_friend_requests", friends::incoming)
        .get("/outgoing_friend_requests", friends::outgoing)
        .get("/groups", groups::list)
        .post("/groups", groups::create)
        .get("/groups/{id}", groups::show)
        .put("/groups/{id}", groups::update)
        .patch("/groups/{id}", groups::update)
        .delete("/groups/{id}", groups::delete)
        .get("/groups/{id}/attributes", groups::attributes)
        .post("/groups/{id}/admins", groups::add_admin)
        .delete("/groups/{id}/admins/{user_id}", groups::remove_admin)
        .get("/user/groups", groups::mine)
        .post("/groups/{id}/add_attribute", groups::add_attribute)
        .patch("/groups/{id}/modify_attribute", groups::modify_attribute)
        .put("/groups/{id}/modify_attribute", groups::modify_attribute)
        .post("/chats", chats::create)
        .get("/chats/page/{page}", chats::page)
        .post("/messages", chats::send)
        .get("/messages/page/{page}", chats::messages)
        .post("/messages/{id}/mark_as_read", chats::mark_read)
        .post("/group_connections", groups::connect)
        .put("/group_connections/{id}", groups::answer)
        .delete("/group_connections/cancel/{id}", groups::cancel)
        .delete("/group_connections/leave/{group_id}", groups::leave)
        .put("/group_connections/remove_member/{user_id}", groups::remove_member)
        .put("/group_connections/make_admin/{user_id}", groups::make_admin)
        .get("/game_rounds", rounds::list)
        .post("/game_rounds", rounds::create)
        .get("/game_rounds/{id}", rounds::show)
        .put("/game_rounds/{id}", rounds::update)
        .patch("/game_rounds/{id}", rounds::update)
        .delete("/game_rounds/{id}", rounds::delete)
        .post("/test_suite/create_game", test_suite::create_game)
        .post("/test_suite/create_user", test_suite::create_user)
        .post("/test_suite/create_store_item", test_suite::create_store_item)
        .post("/test_suite/create_store_items", test_suite::create_store_item)
        .delete("/test_suite/clean_up_test", test_suite::clean_up)
        .post("/test_suite/clean_up_test", test_suite::clean_up)
        .map(|r| {
            r.fallback(not_found)
                .method_not_allowed_fallback(method_not_allowed)
                .layer(cors())
                .layer(axum::middleware::map_response(cors_everywhere))
        });
    Routes::new().nest(PREFIX, api)
}
