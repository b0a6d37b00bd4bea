//! GameFuse credentials as extractors (reference 0.3). Each reads the request's input too
//! (a token may come in the body), so each is a `FromRequest`:
//!
//! - [`Authed`]: a user's authentication token (`authentication-token` header, the
//!   `authentication_token` header, or an `authentication_token` query/form/JSON
//!   parameter), or a game's service key (`service-key-name` + `service-key-token`, acting
//!   as `current-user-id`). Counts one event of the user.
//! - [`GameCall`]: `game_id` + `game_token` parameters.
//! - [`SuiteCall`]: the system test-suite key.
//! - [`Open`]: no credential (sign-in, server time); an empty or stale token is ignored.

use std::net::IpAddr;

use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Request};
use axum::http::HeaderMap;
use playgate_core::game::Game;
use playgate_core::gamefuse::users::Caller;

use super::GfError;
use super::input::Input;
use super::wire::GameCreds;
use crate::common::client_ip::ClientIp;
use crate::common::state::AppState;

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// What every extractor reads first: client address, route, headers, input.
struct Raw {
    ip: Option<IpAddr>,
    route: String,
    headers: HeaderMap,
    input: Input,
}

async fn raw(req: Request, state: &AppState) -> Result<Raw, GfError> {
    let (mut parts, body) = req.into_parts();
    let ClientIp(ip) = ClientIp::from_request_parts(&mut parts, state)
        .await
        .unwrap_or(ClientIp(None));
    // The route's name for the per-route switches: its path under /api/v3.
    let route = parts
        .extensions
        .get::<MatchedPath>()
        .map(|m| m.as_str().trim_start_matches("/api/v3/").to_owned())
        .unwrap_or_default();
    let headers = parts.headers.clone();
    let input = Input::read(Request::from_parts(parts, body), state).await?;
    Ok(Raw {
        ip,
        route,
        headers,
        input,
    })
}

/// Which SDK's response shapes a call gets where the JS and C# SDKs disagree
/// (reference 16): the C# shape when the request shows it comes from the Unity/C# SDK
/// (an `X-Unity-Version` header, or a User-Agent naming `UnityPlayer` or
/// `UnityWebRequest`), or when it says so with `X-GameFuse-Client: csharp`; the JS shape
/// otherwise (`X-GameFuse-Client: js` forces it).
pub fn is_csharp(h: &HeaderMap) -> bool {
    if let Some(c) = header(h, "x-gamefuse-client") {
        return matches!(c.to_ascii_lowercase().as_str(), "csharp" | "cs" | "c#" | "unity");
    }
    if h.contains_key("x-unity-version") {
        return true;
    }
    header(h, "user-agent").is_some_and(|ua| ua.contains("UnityPlayer") || ua.contains("UnityWebRequest"))
}

/// A call by a user (token) or a service key.
pub struct Authed {
    pub caller: Caller,
    /// The presented authentication token (None with a service key).
    pub token: Option<String>,
    pub input: Input,
    /// The C# SDK's shapes (reference 16), see [`is_csharp`].
    pub csharp: bool,
}

impl FromRequest<AppState> for Authed {
    type Rejection = GfError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, GfError> {
        let r = raw(req, state).await?;
        let gf = &state.gamefuse;
        if let (Some(name), Some(token)) = (
            header(&r.headers, "service-key-name"),
            header(&r.headers, "service-key-token"),
        ) {
            let user = header(&r.headers, "current-user-id");
            let caller = gf
                .authenticate_service_key(&name, &token, user.as_deref(), &r.route, r.ip)
                .await?;
            return Ok(Authed {
                caller,
                token: None,
                csharp: is_csharp(&r.headers),
                input: r.input,
            });
        }
        let token = header(&r.headers, "authentication-token")
            .or_else(|| header(&r.headers, "authentication_token"))
            .or_else(|| r.input.text("authentication_token"))
            .unwrap_or_default();
        let caller = gf.authenticate_token(&token, &r.route).await?;
        Ok(Authed {
            caller,
            token: Some(token),
            csharp: is_csharp(&r.headers),
            input: r.input,
        })
    }
}

/// A call with game credentials (`game_id`, `game_token`).
pub struct GameCall {
    pub game: Game,
    pub input: Input,
    pub ip: Option<IpAddr>,
}

impl FromRequest<AppState> for GameCall {
    type Rejection = GfError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, GfError> {
        let r = raw(req, state).await?;
        // Sign-up may nest its fields under `user` (Rails-style clients).
        let creds: GameCreds = r.input.unwrapped("user").parse()?;
        let id = creds
            .game_id
            .ok_or_else(|| GfError::invalid("game_id", "is required"))?;
        let token = creds
            .game_token
            .ok_or_else(|| GfError::invalid("game_token", "is required"))?;
        let game = state.gamefuse.authenticate_game(id, &token).await?;
        Ok(GameCall {
            game,
            input: r.input,
            ip: r.ip,
        })
    }
}

/// A call with the system test-suite key (`test_suite/*`).
pub struct SuiteCall {
    pub input: Input,
}

impl FromRequest<AppState> for SuiteCall {
    type Rejection = GfError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, GfError> {
        // Without a configured key the routes do not exist: 404 before anything else.
        if !state.gamefuse.test_suite_enabled() {
            return Err(playgate_core::Error::NotFound("route").into());
        }
        let r = raw(req, state).await?;
        let name = header(&r.headers, "service-key-name").unwrap_or_default();
        let token = header(&r.headers, "service-key-token").unwrap_or_default();
        state.gamefuse.authenticate_test_suite(&name, &token, r.ip).await?;
        Ok(SuiteCall { input: r.input })
    }
}

/// A call without credentials.
pub struct Open {
    pub input: Input,
    pub ip: Option<IpAddr>,
}

impl FromRequest<AppState> for Open {
    type Rejection = GfError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, GfError> {
        let r = raw(req, state).await?;
        Ok(Open {
            input: r.input,
            ip: r.ip,
        })
    }
}
