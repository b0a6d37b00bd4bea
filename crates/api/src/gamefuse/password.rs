//! Password reset (reference 14): the request by the game, the small HTML page the
//! e-mailed link opens, where the user sets a new password, and the JSON form of that last
//! step the C# SDK sends (`POST /password/reset`, reference 17.3).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use playgate_core::crypto::Secret;

use super::params::{Game, PathId};
use super::wire::{ForgotOut, ForgotRequest, MessageOut, PasswordRequest};
use super::{GameCall, GfError, Open, unprocessable};
use crate::common::json::required;
use crate::common::state::AppState;
use playgate_core::Entity;

/// `GET /games/{game_id}/forget_password?email=&game_id=&game_token=`: the same 200
/// whether or not the address belongs to a user (no account enumeration, a deliberate
/// deviation the reference suggests); 403 for a malformed address.
#[utoipa::path(
    get,
    path = "/api/v3/games/{game_id}/forget_password",
    tag = "password",
    params(
        PathId<Game>,
        ("email" = String, Query, description = "The user's e-mail"),
    ),
    responses(
        (status = 200, description = "The same answer whether or not the address is a user's", body = ForgotOut),
    ),
    security(("gameToken" = [])),
)]
pub async fn forget(
    State(s): State<AppState>,
    game_id: PathId<Game>,
    call: GameCall,
) -> Result<Json<ForgotOut>, GfError> {
    if game_id.get()? != call.game.id.0 {
        return Err(playgate_core::Error::NotFound(Entity::Game).into());
    }
    let req: ForgotRequest = call.input.parse()?;
    let email = required(req.email, "email")?;
    let done = s
        .client_users
        .forgot_password(&call.game, &email)
        .await
        .map_err(|e| GfError::from(e).remap(StatusCode::BAD_REQUEST, StatusCode::FORBIDDEN))?;
    Ok(Json(ForgotOut {
        mailer_response: done.mailer_response,
        message: "If this address belongs to a user of the game, a password reset link was sent to it".into(),
    }))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t}</title><style>body{{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;\
         padding:0 1rem}}input{{display:block;width:100%;margin:.3rem 0 1rem;padding:.4rem}}\
         button{{padding:.5rem 1rem}}</style></head><body><h1>{t}</h1>{body}</body></html>\n",
        t = escape(title),
    );
    let mut resp = (status, Html(html)).into_response();
    // The page holds a live token: keep it out of caches and referrers.
    resp.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    resp.headers_mut().insert(
        axum::http::header::REFERRER_POLICY,
        axum::http::HeaderValue::from_static("no-referrer"),
    );
    resp
}

fn form(token: &str, error: Option<&str>) -> String {
    let err = error
        .map(|e| format!("<p role=\"alert\" style=\"color:#b00\">{}</p>", escape(e)))
        .unwrap_or_default();
    format!(
        "{err}<form method=\"post\"><input type=\"hidden\" name=\"token\" value=\"{}\">\
         <label>New password<input type=\"password\" name=\"password\" required autocomplete=\"new-password\"></label>\
         <label>Repeat it<input type=\"password\" name=\"password_confirmation\" required autocomplete=\"new-password\"></label>\
         <button type=\"submit\">Set password</button></form>",
        escape(token)
    )
}

const DEAD: &str = "This link has expired or was already used. Ask the game for a new one.";

/// `GET /password_reset?token=`: the form, or why the link no longer works.
#[utoipa::path(
    get,
    path = "/api/v3/password_reset",
    tag = "password",
    params(
        ("token" = Option<String>, Query, description = "The token of the e-mailed link"),
    ),
    responses(
        (status = 200, description = "The form (HTML)", body = String, content_type = "text/html"),
        (status = 400, description = "Why the link no longer works (HTML)", body = String, content_type = "text/html"),
    ),
    security(()),
)]
pub async fn reset_page(State(s): State<AppState>, call: Open) -> Result<Response, GfError> {
    let token = call.input.text("token").unwrap_or_default();
    if token.is_empty() || !s.client_users.reset_token_live(&token).await? {
        return Ok(page(
            StatusCode::BAD_REQUEST,
            "Reset password",
            &format!("<p>{DEAD}</p>"),
        ));
    }
    Ok(page(StatusCode::OK, "Reset password", &form(&token, None)))
}

/// `POST /password_reset` (form): sets the password; the token is spent and every
/// session of the user ends.
#[utoipa::path(
    post,
    path = "/api/v3/password_reset",
    tag = "password",
    request_body(content = PasswordRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Done (HTML)", body = String, content_type = "text/html"),
        (status = 400, description = "Why the password was refused (HTML)", body = String, content_type = "text/html"),
    ),
    security(()),
)]
pub async fn reset_submit(State(s): State<AppState>, call: Open) -> Result<Response, GfError> {
    let field = |k: &str| call.input.text(k).unwrap_or_default();
    let token = field("token");
    let res = s
        .client_users
        .reset_password(
            &token,
            &Secret::new(field("password")),
            &Secret::new(field("password_confirmation")),
            &call.origin,
        )
        .await;
    match res {
        Ok(()) => Ok(page(
            StatusCode::OK,
            "Password changed",
            "<p>Your password is changed. Return to the game and sign in with it.</p>",
        )),
        Err(playgate_core::Error::Invalid { field, reason }) if field == "token" => Ok(page(
            StatusCode::BAD_REQUEST,
            "Reset password",
            &format!("<p>{}</p>", escape(&format!("{reason}. {DEAD}"))),
        )),
        Err(playgate_core::Error::Invalid { field, reason }) => Ok(page(
            StatusCode::BAD_REQUEST,
            "Reset password",
            &form(&token, Some(&format!("{field} {reason}"))),
        )),
        Err(e) => Err(e.into()),
    }
}

/// `POST /password/reset` `{token, password, password_confirmation, game_id?, game_token?}`
/// (JSON, C# SDK): sets the password like the page's form; 422 for a dead token or a bad
/// password, nothing changed.
#[utoipa::path(
    post,
    path = "/api/v3/password/reset",
    tag = "password",
    request_body = PasswordRequest,
    responses(
        (status = 200, description = "Done", body = MessageOut),
    ),
    security(()),
)]
pub async fn reset_json(State(s): State<AppState>, call: Open) -> Result<Json<MessageOut>, GfError> {
    let req: PasswordRequest = call.input.parse()?;
    let field = |v: Option<String>| Secret::new(v.unwrap_or_default());
    s.client_users
        .reset_password(
            &req.token.unwrap_or_default(),
            &field(req.password),
            &field(req.password_confirmation),
            &call.origin,
        )
        .await
        .map_err(unprocessable)?;
    Ok(Json(MessageOut::new("Your password has been changed")))
}
