//! The console's credential: the session cookie, read into [`Signed`] (a complete
//! session) or [`Pending`] (a sign-in awaiting its TOTP code), and [`Posted`], a form
//! posted by a signed-in operator whose synchronizer token (`csrf` field) matches the
//! session's: a form without it, or with another session's, is refused 403.
//!
//! Cookies are HttpOnly and SameSite=Strict, and Secure when the request came over HTTPS
//! (as a trusted proxy says in `X-Forwarded-Proto`). Before sign-in, a random pre-session
//! cookie gives the sign-in form its synchronizer token.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use playgate_core::audit::{Actor, NewAuditEvent, Origin};
use playgate_core::console::ConsoleSession;
use playgate_core::crypto::random_token;
use playgate_core::operators::Role;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::ConsoleError;
use crate::common::client_ip::client_ip;
use crate::common::origin::user_agent;
use crate::common::state::AppState;

/// The session cookie.
pub const SESSION_COOKIE: &str = "pg_console";
/// The pre-session cookie of the sign-in form.
pub const PRE_COOKIE: &str = "pg_console_pre";
/// The form field of the synchronizer token.
pub const CSRF_FIELD: &str = "csrf";
/// Largest form body read.
const FORM_MAX: usize = 64 * 1024;

/// The value of cookie `name` in the request.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Where a console request came from.
#[derive(Debug, Clone)]
pub struct Client {
    /// The client's address.
    pub ip: Option<IpAddr>,
    /// Its user agent.
    pub user_agent: Option<String>,
    /// Whether it came over HTTPS (through a trusted proxy).
    pub https: bool,
}

impl Client {
    /// The audit log's view of it.
    pub fn origin(&self) -> Origin {
        Origin {
            ip: self.ip.map(|ip| ip.to_string()),
            user_agent: self.user_agent.clone(),
        }
    }

    async fn of(parts: &mut Parts, state: &AppState) -> Self {
        let ip = client_ip(parts, state);
        let user_agent = user_agent(&parts.headers);
        // Only a trusted proxy's word on the scheme is taken.
        let peer_trusted = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .is_some_and(|ConnectInfo(p)| state.net.trusted_proxies.iter().any(|n| n.contains(&p.ip())));
        let https = peer_trusted
            && parts
                .headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
        Client { ip, user_agent, https }
    }
}

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Client::of(parts, state).await)
    }
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, path `/console`, Secure over HTTPS;
/// an empty value clears the cookie.
pub fn set_cookie(name: &str, value: &str, https: bool) -> HeaderValue {
    let secure = if https { "; Secure" } else { "" };
    let expiry = if value.is_empty() { "; Max-Age=0" } else { "" };
    let text = format!("{name}={value}; Path=/console; HttpOnly; SameSite=Strict{secure}{expiry}");
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("pg_console=; Max-Age=0"))
}

/// A signed-in operator: a complete, live console session.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The session.
    pub session: ConsoleSession,
    /// The session's synchronizer token, for the page's forms.
    pub csrf: String,
    /// The session token (the cookie's value).
    pub token: String,
    /// Where the request came from.
    pub from: Client,
}

impl Signed {
    /// Whether the operator may change things.
    pub fn is_admin(&self) -> bool {
        self.session.operator.role == Role::Admin
    }

    /// The operator's name.
    pub fn name(&self) -> &str {
        &self.session.operator.name
    }

    /// An audit event by this operator from this request, for a service to complete and
    /// write with its change (as the admin API's `Admin::event`).
    pub fn event(&self) -> NewAuditEvent {
        NewAuditEvent::by(Actor::Operator(self.name().to_owned())).origin(self.from.origin())
    }

    /// Records `event` by this operator, with the request's origin, in the audit log. The
    /// change is made by then: a failure to record is logged, not answered.
    pub async fn record(&self, state: &AppState, event: impl FnOnce(NewAuditEvent) -> NewAuditEvent) {
        state.audit.record_alone(event(self.event())).await;
    }
}

/// Records an event in the audit log (a failure to record is logged).
pub async fn record(state: &AppState, actor: Actor, from: &Client, event: impl FnOnce(NewAuditEvent) -> NewAuditEvent) {
    let event = event(NewAuditEvent::by(actor).origin(from.origin()));
    state.audit.record_alone(event).await;
}

/// The session of the request's cookie, live, with where the request came from.
async fn session(parts: &mut Parts, state: &AppState) -> Result<(ConsoleSession, String, Client), ConsoleError> {
    let from = Client::of(parts, state).await;
    let Some(token) = cookie(parts, SESSION_COOKIE) else {
        return Err(ConsoleError::SignInFirst);
    };
    let Some(session) = state.console.session(&token).await? else {
        return Err(ConsoleError::SignInFirst);
    };
    Ok((session, token, from))
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ConsoleError> {
        let (session, token, from) = session(parts, state).await?;
        if !session.verified {
            return Err(ConsoleError::SignInFirst);
        }
        let csrf = state.console.csrf_token(&token);
        Ok(Signed {
            session,
            csrf,
            token,
            from,
        })
    }
}

/// A sign-in awaiting its TOTP code.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The waiting session's token.
    pub token: String,
    /// Its synchronizer token.
    pub csrf: String,
    /// Where the request came from.
    pub from: Client,
}

impl FromRequestParts<AppState> for Pending {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ConsoleError> {
        let (session, token, from) = session(parts, state).await?;
        if session.verified {
            return Err(ConsoleError::AlreadySignedIn);
        }
        let csrf = state.console.csrf_token(&token);
        Ok(Pending { token, csrf, from })
    }
}

/// The form fields of a request body (`application/x-www-form-urlencoded`), as a JSON
/// object of strings, and its synchronizer token.
pub async fn form_fields(
    req: Request,
) -> Result<(serde_json::Map<String, serde_json::Value>, Option<String>), ConsoleError> {
    let bytes = axum::body::to_bytes(req.into_body(), FORM_MAX)
        .await
        .map_err(|_| ConsoleError::BadForm)?;
    let mut fields = serde_json::Map::new();
    let mut csrf = None;
    for (k, v) in form_urlencoded::parse(&bytes) {
        if k == CSRF_FIELD {
            csrf = Some(v.into_owned());
        } else {
            fields.insert(k.into_owned(), serde_json::Value::String(v.into_owned()));
        }
    }
    Ok((fields, csrf))
}

/// Reads form fields into `T` (string fields; missing ones take their defaults).
pub fn parse_form<T: DeserializeOwned>(fields: serde_json::Map<String, serde_json::Value>) -> Result<T, ConsoleError> {
    serde_json::from_value(serde_json::Value::Object(fields)).map_err(|_| ConsoleError::BadForm)
}

/// A form with no fields but the synchronizer token (sign out, end a session, revoke ...).
#[derive(Debug, Default, Deserialize)]
pub struct Empty {}

/// A typed confirmation of a change that cannot be undone (a game's name to delete it, a
/// player's id to erase it).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Confirm {
    /// What was typed.
    pub confirm: String,
}

/// A form posted by a signed-in operator, its synchronizer token checked.
#[derive(Debug)]
pub struct Posted<T> {
    /// Who posted it.
    pub by: Signed,
    /// The form.
    pub form: T,
}

impl<T> Posted<T> {
    /// `Forbidden` unless the operator may change things.
    pub fn admin(self) -> Result<Self, ConsoleError> {
        if self.by.is_admin() {
            Ok(self)
        } else {
            Err(ConsoleError::ViewerRole)
        }
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = ConsoleError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ConsoleError> {
        let (mut parts, body) = req.into_parts();
        let by = Signed::from_request_parts(&mut parts, state).await?;
        let (fields, csrf) = form_fields(Request::from_parts(parts, body)).await?;
        if !csrf.is_some_and(|c| state.console.csrf_matches(&by.token, &c)) {
            return Err(ConsoleError::BadCsrf);
        }
        Ok(Posted {
            by,
            form: parse_form(fields)?,
        })
    }
}

/// A new random pre-session token.
pub fn new_pre_token() -> String {
    format!("pre_{}", random_token())
}
