//! The operators' web console at `/console`: pages rendered on the server (maud, checked
//! at compile time), one stylesheet and a few lines of JavaScript compiled into the binary
//! (`assets/`), no CDN and no build step.
//!
//! It is built on the same core services as the admin API (`state.games`, `state.players`,
//! `state.accounts`, `state.stats`, `state.game_data`, `state.gamefuse`,
//! `state.leaderboards`, `state.audit`, `state.operators`), never on a second path to the
//! data, and records an operator's changes in the audit log under the operator's name
//! (the services that record their event get it from `Signed::event`). Sign-in is a
//! password, then a TOTP code once enrolled ([`playgate_core::console`]); the session is
//! an HttpOnly, SameSite=Strict cookie (Secure when the request came over HTTPS through a
//! trusted proxy); every state-changing form carries the session's synchronizer token
//! (`auth.rs`). Viewers see, admins change.
//!
//! Every console response carries a Content-Security-Policy without `unsafe-inline`,
//! `X-Frame-Options: DENY` and `Cache-Control: no-store` ([`security_headers`]): a layer on
//! the console's routes alone, so the wire APIs' routes pay nothing for it.
//!
//! The console's routes are pages for a browser, not an API: they are listed in
//! [`ROUTES`] beside the operational routes rather than in an OpenAPI document.

mod accounts;
mod audit;
mod auth;
mod error;
mod games;
mod operators;
mod overview;
pub mod pages;
mod players;
mod sign_in;

use axum::extract::{Path, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use playgate_core::Error;

use crate::common::routes::Routes;

/// The console's routes (method, path): pages and forms for a browser, documented here
/// rather than in an OpenAPI document.
pub const ROUTES: [(&str, &str); 47] = [
    ("GET", "/console"),
    ("GET", "/console/assets/{file}"),
    ("GET", "/console/sign-in"),
    ("POST", "/console/sign-in"),
    ("GET", "/console/sign-in/code"),
    ("POST", "/console/sign-in/code"),
    ("POST", "/console/sign-out"),
    ("POST", "/console/sign-out-everywhere"),
    ("GET", "/console/two-factor"),
    ("POST", "/console/two-factor"),
    ("POST", "/console/two-factor/enable"),
    ("GET", "/console/games"),
    ("POST", "/console/games"),
    ("GET", "/console/games/new"),
    ("GET", "/console/games/{game}"),
    ("POST", "/console/games/{game}/variables"),
    ("POST", "/console/games/{game}/variables/delete"),
    ("POST", "/console/games/{game}/routes"),
    ("POST", "/console/games/{game}/enabled"),
    ("GET", "/console/games/{game}/edit"),
    ("POST", "/console/games/{game}/edit"),
    ("POST", "/console/games/{game}/rotate"),
    ("POST", "/console/games/{game}/delete"),
    ("POST", "/console/games/{game}/store-items"),
    ("POST", "/console/games/{game}/store-items/{item}/delete"),
    ("POST", "/console/games/{game}/service-keys"),
    ("POST", "/console/games/{game}/service-keys/{name}/delete"),
    ("GET", "/console/games/{game}/players"),
    ("GET", "/console/games/{game}/players/{user}"),
    ("GET", "/console/games/{game}/players/{user}/export"),
    ("POST", "/console/games/{game}/players/{user}/ban"),
    ("POST", "/console/games/{game}/players/{user}/unban"),
    ("POST", "/console/games/{game}/players/{user}/delete"),
    ("POST", "/console/games/{game}/players/{user}/sessions/end-all"),
    ("POST", "/console/games/{game}/players/{user}/sessions/{session}/end"),
    ("GET", "/console/accounts/new"),
    ("POST", "/console/accounts"),
    ("GET", "/console/accounts"),
    ("GET", "/console/accounts/{account}"),
    ("POST", "/console/accounts/{account}/enabled"),
    ("POST", "/console/accounts/{account}/reset-2fa"),
    ("POST", "/console/accounts/{account}/api-keys/{key}/revoke"),
    ("POST", "/console/api-keys"),
    ("GET", "/console/audit"),
    ("GET", "/console/operators"),
    ("POST", "/console/operators/{name}/sign-out-everywhere"),
    ("GET", "/console/me"),
];

/// The console's routes.
pub fn router() -> Routes {
    Routes::new()
        .get("/console", overview::show)
        .get("/console/assets/{file}", asset)
        .get("/console/sign-in", sign_in::form)
        .post("/console/sign-in", sign_in::submit)
        .get("/console/sign-in/code", sign_in::code_form)
        .post("/console/sign-in/code", sign_in::code_submit)
        .post("/console/sign-out", sign_in::sign_out)
        .post("/console/sign-out-everywhere", sign_in::sign_out_everywhere)
        .get("/console/two-factor", sign_in::two_factor)
        .post("/console/two-factor", sign_in::two_factor_begin)
        .post("/console/two-factor/enable", sign_in::two_factor_enable)
        .get("/console/games", games::list)
        .post("/console/games", games::create)
        .get("/console/games/new", games::new_form)
        .get("/console/games/{game}", games::show)
        .post("/console/games/{game}/variables", games::set_variable)
        .post("/console/games/{game}/variables/delete", games::delete_variable)
        .post("/console/games/{game}/routes", games::set_route)
        .post("/console/games/{game}/enabled", games::set_enabled)
        .get("/console/games/{game}/edit", games::edit_form)
        .post("/console/games/{game}/edit", games::edit)
        .post("/console/games/{game}/rotate", games::rotate)
        .post("/console/games/{game}/delete", games::delete)
        .post("/console/games/{game}/store-items", games::add_store_item)
        .post(
            "/console/games/{game}/store-items/{item}/delete",
            games::delete_store_item,
        )
        .post("/console/games/{game}/service-keys", games::add_service_key)
        .post(
            "/console/games/{game}/service-keys/{name}/delete",
            games::delete_service_key,
        )
        .get("/console/games/{game}/players", players::search)
        .get("/console/games/{game}/players/{user}", players::show)
        .get("/console/games/{game}/players/{user}/export", players::export)
        .post("/console/games/{game}/players/{user}/ban", players::ban)
        .post("/console/games/{game}/players/{user}/unban", players::unban)
        .post("/console/games/{game}/players/{user}/delete", players::delete)
        .post(
            "/console/games/{game}/players/{user}/sessions/end-all",
            players::end_all,
        )
        .post(
            "/console/games/{game}/players/{user}/sessions/{session}/end",
            players::end_one,
        )
        .get("/console/accounts/new", accounts::new_form)
        .post("/console/accounts", accounts::create)
        .get("/console/accounts", accounts::search)
        .get("/console/accounts/{account}", accounts::show)
        .post("/console/accounts/{account}/enabled", accounts::set_enabled)
        .post("/console/accounts/{account}/reset-2fa", accounts::reset_2fa)
        .post(
            "/console/accounts/{account}/api-keys/{key}/revoke",
            accounts::revoke_api_key,
        )
        .post("/console/api-keys", accounts::create_api_key)
        .get("/console/audit", audit::list)
        .get("/console/operators", operators::list)
        .post(
            "/console/operators/{name}/sign-out-everywhere",
            operators::sign_out_everywhere,
        )
        .get("/console/me", operators::me)
        .map(|r| r.layer(axum::middleware::from_fn(security_headers)))
}

/// The console's Content-Security-Policy: everything from the console's own origin, no
/// inline script or style, no framing, forms posted only back to it.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Middleware on the console's routes: the security headers of every console response.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// The console's stylesheet.
pub const CSS: &str = include_str!("assets/console.css");
/// The console's script: copy buttons, typed confirmations, search as you type.
pub const JS: &str = include_str!("assets/console.js");

async fn asset(Path(file): Path<String>) -> Response {
    let (ctype, body) = match file.as_str() {
        "console.css" => ("text/css; charset=utf-8", CSS),
        "console.js" => ("text/javascript; charset=utf-8", JS),
        _ => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(ctype)),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        body,
    )
        .into_response()
}

/// The chrome of a signed-in page.
fn chrome<'a>(by: &'a auth::Signed, title: &'a str, section: pages::Section) -> pages::Chrome<'a> {
    pages::Chrome {
        title,
        section,
        operator: by.name(),
        role: by.session.operator.role,
        csrf: &by.csrf,
        totp_enrolled: by.session.totp_enrolled,
    }
}

/// A rendered page as an HTML response.
fn html(markup: maud::Markup) -> axum::response::Html<String> {
    axum::response::Html(markup.into_string())
}

/// A search's items, its next cursor, the message of an invalid input and the status.
type SearchResults<T, C> = (Vec<T>, Option<C>, Option<String>, StatusCode);

/// A search's items and next cursor as its page shows them, with the status to answer: an
/// invalid input (a cursor, a query) is shown above an empty list with its message; any
/// other failure is answered as an error page.
fn search_results<T, C>(found: Result<(Vec<T>, Option<C>), Error>) -> Result<SearchResults<T, C>, error::ConsoleError> {
    match found {
        Ok((items, next)) => Ok((items, next, None, StatusCode::OK)),
        Err(e @ Error::Invalid { .. }) => {
            let (status, message) = error::status_and_message(&e);
            Ok((Vec::new(), None, Some(message), status))
        }
        Err(e) => Err(e.into()),
    }
}

/// An `enabled` field of a form: `true` or `false`.
fn enabled(raw: &str) -> Result<bool, Error> {
    match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Error::invalid("enabled", "must be true or false")),
    }
}

/// The cursor of a list's next page as its link carries it in `field`: empty for the first
/// page.
fn cursor(raw: &str, field: &str) -> Result<Option<i64>, Error> {
    match raw.trim() {
        "" => Ok(None),
        c => c
            .parse()
            .map(Some)
            .map_err(|_| Error::invalid(field, "is not a cursor of this list")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`ROUTES`] lists exactly what [`router`] serves.
    #[test]
    fn routes_are_listed() {
        let mut served: Vec<(String, String)> = router()
            .list()
            .iter()
            .map(|r| (r.method.to_string(), r.path.clone()))
            .collect();
        let mut listed: Vec<(String, String)> =
            ROUTES.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())).collect();
        served.sort();
        listed.sort();
        assert_eq!(served, listed);
    }

    #[test]
    fn the_policy_allows_nothing_inline() {
        assert!(!CSP.contains("unsafe-inline"));
        assert!(!CSP.contains("unsafe-eval"));
        assert!(CSP.contains("frame-ancestors 'none'"));
    }
}
