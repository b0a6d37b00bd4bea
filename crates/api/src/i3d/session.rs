//! `/v3/session/login`, `/login/otp`, `/logout` and `/user`.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use bytes::Bytes;
use playgate_core::Error;
use playgate_core::crypto::Secret;
use playgate_core::login::LoginCmd;

use super::wire::{LoginRequest, LoginResponse, OtpRequest, SessionUser, body};
use super::{ApiKeyAuth, I3dError, LoggedIn};
use crate::common::state::AppState;

/// `POST /v3/session/login`.
pub async fn login(
    State(state): State<AppState>,
    auth: ApiKeyAuth,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<LoginResponse>, I3dError> {
    let req: LoginRequest = body(raw)?;
    let user_name = req.user_name.ok_or_else(|| Error::invalid("userName", "is required"))?;
    let password = req.password.ok_or_else(|| Error::invalid("password", "is required"))?;
    let country = auth
        .ip
        .and_then(|ip| state.geo.country(ip))
        .map(|c| c.code)
        .unwrap_or_default();
    let cmd = LoginCmd {
        user_name,
        password: Secret::new(password),
        remember_me: req.remember_me.unwrap_or(false),
        ip: auth.ip,
        country,
    };
    let started = state.core.login(&auth.key, cmd).await?;
    // Both are the OTP deadline ("0 if not applicable", seed 002 and the document), not
    // the login's lifetime.
    let otp_deadline = started.otp_expires_at.map_or(0, |t| t.unix_secs());
    Ok(Json(LoginResponse {
        requires_otp: started.requires_otp,
        expires_at: otp_deadline,
        otp_session_expires_at: otp_deadline,
    }))
}

/// `POST /v3/session/login/otp`: 204 once the login is complete.
pub async fn login_otp(
    State(state): State<AppState>,
    auth: ApiKeyAuth,
    raw: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, I3dError> {
    let req: OtpRequest = body(raw)?;
    let otp = req.otp.ok_or_else(|| Error::invalid("otp", "is required"))?;
    state.core.login_otp(&auth.key, &otp, auth.ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v3/session/logout`: 204; the key can log in again.
pub async fn logout(State(state): State<AppState>, auth: ApiKeyAuth) -> Result<StatusCode, I3dError> {
    state.core.logout(&auth.key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v3/session/user`: the logged-in account, with the request's address and country.
pub async fn user(State(state): State<AppState>, me: LoggedIn) -> Json<SessionUser> {
    let ip = me.auth.ip;
    let country = ip
        .and_then(|ip| state.geo.country(ip))
        .map(|c| (c.code, c.name))
        .unwrap_or_default();
    let ip = ip.map(|ip| ip.to_string()).unwrap_or_default();
    Json(SessionUser::new(me.account, ip, country))
}
