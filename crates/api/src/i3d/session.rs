//! `/v3/session/login`, `/login/otp`, `/logout` and `/user`.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use bytes::Bytes;
use playgate_core::crypto::Secret;
use playgate_core::login::LoginCmd;

use super::wire::{LoginRequest, LoginResponse, OtpRequest, SessionUser, body, otp};
use super::{ApiKeyAuth, I3dError, LoggedIn};
use crate::common::json::required;
use crate::common::state::AppState;

/// Log in
///
/// Starts a login of the API key's account; with 2FA on, `requiresOtp` is true and
/// `POST /v3/session/login/otp` completes it before `otpSessionExpiresAt`.
#[utoipa::path(
    post,
    path = "/v3/session/login",
    operation_id = "login",
    tag = "Session",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "OK", body = LoginResponse),
        (status = 401, description = "Invalid credentials"),
        (status = 409, description = "Already logged in"),
        (status = 429, description = "Too many login requests performed"),
    ),
)]
pub async fn login(
    State(state): State<AppState>,
    auth: ApiKeyAuth,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<LoginResponse>, I3dError> {
    let req: LoginRequest = body(raw)?;
    let user_name = required(req.user_name, "userName")?;
    let password = required(req.password, "password")?;
    let country = auth
        .ip
        .and_then(|ip| state.geo.country(ip))
        .map(|c| c.code)
        .unwrap_or_default();
    let cmd = LoginCmd {
        user_name,
        password: Secret::new(password),
        remember_me: req.remember_me.unwrap_or(false),
        origin: auth.origin.clone(),
        country,
    };
    let started = state.logins.login(&auth.key, cmd).await?;
    // Both are the OTP deadline ("0 if not applicable", seed 002 and the document), not
    // the login's lifetime.
    let otp_deadline = started.otp_expires_at.map_or(0, |t| t.unix_secs());
    Ok(Json(LoginResponse {
        requires_otp: started.requires_otp,
        expires_at: otp_deadline,
        otp_session_expires_at: otp_deadline,
    }))
}

/// Provide 2FA One-Time Password after a successful login
///
/// (if `requiresOtp` is true in `SessionAuthReq`, as returned by `/session/login`); 204 once
/// the login is complete.
#[utoipa::path(
    post,
    path = "/v3/session/login/otp",
    operation_id = "provideOTP",
    tag = "Session",
    request_body = OtpRequest,
    responses(
        (status = 204, description = "No Content"),
        (status = 401, description = "Invalid OTP"),
        (status = 404, description = "Unexpected OTP call"),
    ),
)]
pub async fn login_otp(
    State(state): State<AppState>,
    auth: ApiKeyAuth,
    raw: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, I3dError> {
    let otp = otp(raw)?;
    state.logins.login_otp(&auth.key, &otp, &auth.origin).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Log out
///
/// 204; the key can log in again.
#[utoipa::path(
    post,
    path = "/v3/session/logout",
    operation_id = "logout",
    tag = "Session",
    responses(
        (status = 204, description = "No Content"),
        (status = 404, description = "Not logged in (Playgate)"),
    ),
)]
pub async fn logout(State(state): State<AppState>, auth: ApiKeyAuth) -> Result<StatusCode, I3dError> {
    state.logins.logout(&auth.key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Get basic details of the logged in user
///
/// The logged-in account, with the request's address and country.
#[utoipa::path(
    get,
    path = "/v3/session/user",
    operation_id = "getUser",
    tag = "Session",
    responses(
        (status = 200, description = "OK", body = SessionUser),
        (status = 404, description = "If you are not logged in"),
    ),
)]
pub async fn user(State(state): State<AppState>, me: LoggedIn) -> Json<SessionUser> {
    let ip = me.auth.ip;
    let country = ip
        .and_then(|ip| state.geo.country(ip))
        .map(|c| (c.code, c.name))
        .unwrap_or_default();
    let ip = ip.map(|ip| ip.to_string()).unwrap_or_default();
    Json(SessionUser::new(me.account, ip, country))
}
