//! 2FA enrollment: `POST /v3/session/2fa` (a new secret, its URI and QR code), `POST
//! /v3/session/2fa/enable` (turn on, get recovery codes), `DELETE /v3/session/2fa`.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use bytes::Bytes;
use playgate_core::Error;
use qrcode::QrCode;
use qrcode::render::svg;

use super::wire::{OtpRequest, RecoveryCodes, TwoFactorSetup, otp};
use super::{I3dError, LoggedIn};
use crate::common::state::AppState;

fn qr_svg(data: &str) -> Result<String, Error> {
    let code = QrCode::new(data.as_bytes()).map_err(Error::internal)?;
    Ok(code.render::<svg::Color<'_>>().min_dimensions(200, 200).build())
}

/// Begin 2FA enrollment (Playgate)
///
/// A new TOTP secret, its `otpauth://` URI and that URI as a QR code; 2FA is on only once
/// `POST /v3/session/2fa/enable` confirms a code.
#[utoipa::path(
    post,
    path = "/v3/session/2fa",
    operation_id = "begin2fa",
    tag = "Two-factor authentication",
    responses(
        (status = 200, description = "The secret to enroll", body = TwoFactorSetup),
        (status = 404, description = "Not logged in"),
        (status = 409, description = "2FA is already on"),
    ),
)]
pub async fn begin(State(state): State<AppState>, me: LoggedIn) -> Result<Json<TwoFactorSetup>, I3dError> {
    let e = state.logins.begin_totp(&me.account).await?;
    Ok(Json(TwoFactorSetup {
        qr_code_svg: qr_svg(e.uri.expose())?,
        secret: e.secret.expose().to_owned(),
        otpauth_uri: e.uri.expose().to_owned(),
    }))
}

/// Turn 2FA on (Playgate)
///
/// With a code from the enrolled secret; answers ten recovery codes.
#[utoipa::path(
    post,
    path = "/v3/session/2fa/enable",
    operation_id = "enable2fa",
    tag = "Two-factor authentication",
    request_body = OtpRequest,
    responses(
        (status = 200, description = "2FA is on", body = RecoveryCodes),
        (status = 401, description = "Invalid OTP"),
        (status = 404, description = "Not logged in, or no enrollment begun"),
        (status = 409, description = "2FA is already on"),
    ),
)]
pub async fn enable(
    State(state): State<AppState>,
    me: LoggedIn,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<RecoveryCodes>, I3dError> {
    let otp = otp(raw)?;
    let codes = state.logins.enable_totp(&me.account, &otp, &me.auth.origin).await?;
    Ok(Json(RecoveryCodes {
        recovery_codes: codes.iter().map(|c| c.expose().to_owned()).collect(),
    }))
}

/// Turn 2FA off (Playgate)
///
/// With a current code (or a recovery code); 204.
#[utoipa::path(
    delete,
    path = "/v3/session/2fa",
    operation_id = "disable2fa",
    tag = "Two-factor authentication",
    request_body = OtpRequest,
    responses(
        (status = 204, description = "2FA is off"),
        (status = 401, description = "Invalid OTP"),
        (status = 404, description = "Not logged in"),
        (status = 409, description = "2FA is not on"),
    ),
)]
pub async fn disable(
    State(state): State<AppState>,
    me: LoggedIn,
    raw: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, I3dError> {
    let otp = otp(raw)?;
    state.logins.disable_totp(&me.account, &otp, me.auth.ip).await?;
    Ok(StatusCode::NO_CONTENT)
}
