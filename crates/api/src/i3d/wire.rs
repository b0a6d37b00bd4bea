//! i3D API v3 wire types, field for field as seed 002 names them, in its JSON types
//! (`validateEmail` and `isTrialAccount` are 0/1 integers).

use std::fmt;

use axum::extract::rejection::BytesRejection;
use bytes::Bytes;
use playgate_core::Error;
use playgate_core::account::Account;
use playgate_core::clock::Timestamp;
use serde::de::{self, DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::I3dError;
use crate::common::json;
use crate::common::lenient;

/// Parses a JSON body; an empty body reads as `{}` so the missing field is named.
pub fn body<T: DeserializeOwned>(b: Result<Bytes, BytesRejection>) -> Result<T, I3dError> {
    let b = b.map_err(|e| json::unreadable("body", e.status(), e.body_text()))?;
    Ok(json::parse(&b, true).map_err(Error::from)?)
}

struct Flag;

impl<'de> Visitor<'de> for Flag {
    type Value = Option<bool>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0 or 1")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v != 0))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v != 0))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        match v.trim() {
            "" => Ok(None),
            "0" | "false" => Ok(Some(false)),
            "1" | "true" => Ok(Some(true)),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// `rememberMe`: documented as an integer; `1`, `true`, `"1"` all mean yes.
fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    d.deserialize_any(Flag)
}

/// `POST /v3/session/login` body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub user_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub password: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    pub remember_me: Option<bool>,
}

/// `POST /v3/session/login` answer (`SessionAuthReq`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginResponse {
    pub requires_otp: bool,
    pub expires_at: i64,
    pub otp_session_expires_at: i64,
}

/// `{"otp": "123456"}` (login/otp, 2fa/enable, DELETE 2fa).
#[derive(Debug, Deserialize)]
pub struct OtpRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub otp: Option<String>,
}

/// `GET /v3/session/user` answer (`SessionUser`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionUser {
    pub user_id: i64,
    pub user_name: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub gender: String,
    pub phone: String,
    pub access_level: i64,
    pub validate_email: i64,
    pub is_trial_account: i64,
    pub trial_account_expiration_date: String,
    pub request_ip: String,
    pub request_ip_country: String,
    pub request_ip_country_code: String,
    pub details: UserDetails,
    pub billing_details: BillingDetails,
}

/// `SessionUser.details`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDetails {
    /// 0 personal, 1 business (has a company name).
    pub account_type: i64,
    pub company_name: String,
    pub language: String,
    pub unconfirmed_email: String,
}

/// `SessionUser.billingDetails`: names from the account; Playgate keeps no address.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingDetails {
    pub company_name: String,
    pub first_name: String,
    pub last_name: String,
    pub address: String,
    pub zip_code: String,
    pub city: String,
    pub state: String,
    pub country_code: String,
    pub vat_number: String,
}

/// RFC 3339 in UTC, seconds precision (`2026-01-31T00:00:00Z`).
pub fn rfc3339(t: Timestamp) -> String {
    time::OffsetDateTime::from_unix_timestamp(t.unix_secs())
        .ok()
        .and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

impl SessionUser {
    /// The wire form of an account seen from `ip` (`country`: code and name, or empty).
    pub fn new(a: Account, ip: String, country: (String, String)) -> Self {
        let p = a.profile;
        SessionUser {
            user_id: a.id.0,
            user_name: a.user_name,
            email: p.email,
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            gender: p.gender,
            phone: p.phone,
            access_level: a.access_level.as_i64(),
            validate_email: i64::from(a.email_validated),
            is_trial_account: i64::from(a.trial_expires_at.is_some()),
            trial_account_expiration_date: a.trial_expires_at.map(rfc3339).unwrap_or_default(),
            request_ip: ip,
            request_ip_country: country.1,
            request_ip_country_code: country.0,
            details: UserDetails {
                account_type: i64::from(!p.company_name.is_empty()),
                company_name: p.company_name.clone(),
                language: p.language,
                unconfirmed_email: String::new(),
            },
            billing_details: BillingDetails {
                company_name: p.company_name,
                first_name: p.first_name,
                last_name: p.last_name,
                address: String::new(),
                zip_code: String::new(),
                city: String::new(),
                state: String::new(),
                country_code: String::new(),
                vat_number: String::new(),
            },
        }
    }
}

/// `POST /v3/session/2fa` answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TwoFactorSetup {
    /// Base32 secret, for typing into an authenticator app.
    pub secret: String,
    /// `otpauth://totp/…`.
    pub otpauth_uri: String,
    /// The URI as a QR code, an SVG document.
    pub qr_code_svg: String,
}

/// `POST /v3/session/2fa/enable` answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryCodes {
    /// Ten one-time codes, each accepted once in place of an OTP.
    pub recovery_codes: Vec<String>,
}

/// `POST /v3/session/links` body.
#[derive(Debug, Deserialize)]
pub struct LinkRequest {
    #[serde(default, deserialize_with = "lenient::string")]
    pub code: Option<String>,
}

/// `POST /v3/session/links` answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkResponse {
    /// The game's client id.
    pub client_id: String,
    /// The game's client name.
    pub client_name: String,
    /// The player's id in the game.
    pub user_id: String,
    /// The account's public id, as the game now sees it (`indigg_id`).
    pub indigg_id: String,
}
