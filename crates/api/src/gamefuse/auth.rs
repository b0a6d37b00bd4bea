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

use super::GfError;
use super::input::Input;
use super::wire::{GameCreds, Native};
use crate::common::client_ip::client_ip;
use crate::common::json::required;
use crate::common::state::AppState;
use axum::Json;
use axum::extract::{FromRequest, MatchedPath, Request};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use playgate_core::Entity;
use playgate_core::game::Game;
use playgate_core::gamefuse::Caller;
use serde::Serialize;
use std::net::IpAddr;

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
    let (parts, body) = req.into_parts();
    let ip = client_ip(&parts, state);
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

/// Which GameFuse SDK sent a request, for the bodies the SDKs read differently
/// (reference 16 and 17.7). The JS shapes are the default; the two native SDKs share theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// The JS SDK, and any client that does not show itself as a native one.
    Js,
    /// The C# SDK under Unity: an `X-Unity-Version` header, or a User-Agent naming
    /// `UnityPlayer` or `UnityWebRequest`.
    CSharp,
    /// The Unreal (C++) SDK: the engine's default User-Agent carries its build version,
    /// `++UE5+Release-5.4-CL-…` (reference 17.2); the SDK sends no header of its own.
    Unreal,
}

impl Client {
    /// Recognises the client from its headers. `X-GameFuse-Client` (`js`, `csharp`,
    /// `unreal`) overrides the detection, for clients behind a proxy that rewrites them.
    pub fn of(h: &HeaderMap) -> Client {
        if let Some(c) = header(h, "x-gamefuse-client") {
            return match c.to_ascii_lowercase().as_str() {
                "csharp" | "cs" | "c#" | "unity" => Client::CSharp,
                "unreal" | "ue" | "cpp" | "c++" => Client::Unreal,
                _ => Client::Js,
            };
        }
        if h.contains_key("x-unity-version") {
            return Client::CSharp;
        }
        let ua = header(h, "user-agent").unwrap_or_default();
        if ua.contains("UnityPlayer") || ua.contains("UnityWebRequest") {
            Client::CSharp
        } else if unreal_build(&ua) {
            Client::Unreal
        } else {
            Client::Js
        }
    }

    /// Whether it is one of the native SDKs (C# or Unreal), which want the wrapped lists
    /// and numbers where the JS shapes have `null` (reference 17.4, 17.7).
    pub fn native(self) -> bool {
        self != Client::Js
    }

    /// `v` as this client reads it: in the native shapes for the native SDKs.
    pub fn json<T: Native>(self, mut v: T) -> Json<T> {
        if self.native() {
            v.native();
        }
        Json(v)
    }

    /// A list as this client reads it (reference 17.7): a bare array for the JS SDK; for the
    /// native SDKs, the object `wrap` makes of it (the list under its name).
    pub fn list<T: Serialize, W: Serialize>(self, list: Vec<T>, wrap: impl FnOnce(Vec<T>) -> W) -> Response {
        if self.native() {
            return Json(wrap(list)).into_response();
        }
        Json(list).into_response()
    }
}

/// Whether a User-Agent carries an Unreal engine build version: `++UE` then digits then
/// `+` (`++UE4+Release-4.27`, `++UE5+Release-5.4-CL-0`).
fn unreal_build(ua: &str) -> bool {
    ua.match_indices("++UE").any(|(i, m)| {
        let rest = &ua[i + m.len()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        digits > 0 && rest[digits..].starts_with('+')
    })
}

/// A call by a user (token) or a service key.
pub struct Authed {
    pub caller: Caller,
    /// The presented authentication token (None with a service key).
    pub token: Option<String>,
    pub input: Input,
    /// The SDK that sent the call, for the bodies they read differently.
    pub client: Client,
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
                client: Client::of(&r.headers),
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
            client: Client::of(&r.headers),
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
        let id = required(creds.game_id, "game_id")?;
        let token = required(creds.game_token, "game_token")?;
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
            return Err(playgate_core::Error::NotFound(Entity::Route).into());
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
    /// Where it came from (address and user agent), for the audit log.
    pub origin: playgate_core::audit::Origin,
    pub client: Client,
}

impl FromRequest<AppState> for Open {
    type Rejection = GfError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, GfError> {
        let r = raw(req, state).await?;
        Ok(Open {
            client: Client::of(&r.headers),
            origin: crate::common::origin::origin_of(r.ip, &r.headers),
            input: r.input,
            ip: r.ip,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, axum::http::HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn recognises_each_sdk() {
        let cases: [(&[(&str, &str)], Client); 8] = [
            (&[], Client::Js),
            (
                &[("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0")],
                Client::Js,
            ),
            (&[("x-unity-version", "2022.3.1f1")], Client::CSharp),
            (
                &[(
                    "user-agent",
                    "UnityPlayer/2022.3.1f1 (UnityWebRequest/1.0, libcurl/8.1.1-DEV)",
                )],
                Client::CSharp,
            ),
            (
                &[
                    (
                        "user-agent",
                        "MyGame/++UE5+Release-5.4-CL-33043543 Windows/10.0.19045.1.256.64bit",
                    ),
                    ("accept", "application/json"),
                ],
                Client::Unreal,
            ),
            (
                &[("user-agent", "Shooter/++UE4+Release-4.27-CL-0 Mac/14.1")],
                Client::Unreal,
            ),
            // `++UE` without a version number is not an engine build.
            (&[("user-agent", "tool/++UE+x")], Client::Js),
            (
                &[("x-gamefuse-client", "js"), ("x-unity-version", "2022.3.1f1")],
                Client::Js,
            ),
        ];
        for (h, want) in cases {
            assert_eq!(Client::of(&headers(h)), want, "{h:?}");
        }
        assert_eq!(Client::of(&headers(&[("x-gamefuse-client", "unreal")])), Client::Unreal);
        assert!(Client::Unreal.native() && Client::CSharp.native() && !Client::Js.native());
    }
}
