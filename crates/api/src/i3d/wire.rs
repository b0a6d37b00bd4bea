//! i3D API v3 wire types, field for field as i3D's published OpenAPI document (and seed
//! 002) names them, in its JSON types (`validateEmail`, `isTrialAccount` and the other
//! flags are 0/1 integers); the document's schemas allow no other fields.

use std::fmt;

use axum::extract::rejection::BytesRejection;
use bytes::Bytes;
use playgate_core::account::Account;
use serde::de::{self, DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::I3dError;
use crate::common::json;
use crate::common::lenient;
use crate::common::time::rfc3339;

/// Parses a JSON body; an empty body reads as `{}` so the missing field is named.
pub fn body<T: DeserializeOwned>(b: Result<Bytes, BytesRejection>) -> Result<T, I3dError> {
    Ok(json::read(b, true)?)
}

/// The one-time password of an [`OtpRequest`] body (required).
pub fn otp(b: Result<Bytes, BytesRejection>) -> Result<String, I3dError> {
    let req: OtpRequest = body(b)?;
    Ok(json::required(req.otp, "otp")?)
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
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = SessionLogin)]
pub struct LoginRequest {
    /// User name
    #[serde(default, deserialize_with = "lenient::string")]
    #[schema(value_type = String, required = true)]
    pub user_name: Option<String>,
    /// Password
    #[serde(default, deserialize_with = "lenient::string")]
    #[schema(value_type = String, required = true)]
    pub password: Option<String>,
    /// Remember me (0 or 1; `true`, `"1"` are taken too)
    #[serde(default, deserialize_with = "flag")]
    #[schema(value_type = i64)]
    pub remember_me: Option<bool>,
}

/// `POST /v3/session/login` answer (`SessionAuthReq`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = SessionAuthReq)]
pub struct LoginResponse {
    /// Whether a one-time password is needed to complete the login.
    pub requires_otp: bool,
    /// When the window for the OTP closes; 0 without 2FA.
    pub expires_at: i64,
    /// The same deadline; 0 without 2FA.
    pub otp_session_expires_at: i64,
}

/// `{"otp": "123456"}` (login/otp, 2fa/enable, DELETE 2fa).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = SessionLoginOtp)]
pub struct OtpRequest {
    /// 6 digit One-Time Password (or a recovery code)
    #[serde(default, deserialize_with = "lenient::string")]
    #[schema(value_type = String, required = true)]
    pub otp: Option<String>,
}

/// `GET /v3/session/user` answer (`SessionUser`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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

/// `SessionUser.details` (`AccountDetails`): every field of the document, required ones
/// with their defaults where nothing is known, nullable ones `null` then.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = AccountDetails)]
pub struct UserDetails {
    /// 1 consumer, 2 business.
    pub account_type: i64,
    pub company_name: Option<String>,
    pub vat_number: Option<String>,
    pub coc_number: Option<String>,
    pub first_name: String,
    pub last_name: String,
    /// Street name.
    pub address: String,
    pub street_number: String,
    pub zip_code: String,
    pub city: String,
    pub country_code: String,
    pub email_address: String,
    /// A new address waiting for confirmation: always `null`, as Playgate has no e-mail
    /// change flow (an operator changes the address).
    #[schema(value_type = Option<UnconfirmedEmail>, required = true)]
    pub unconfirmed_email: Option<()>,
    #[schema(required = true)]
    pub email_address_validated: Option<i64>,
    pub phone_number: Option<String>,
    pub phone_number_mobile: Option<String>,
    /// 0 English, 1 Dutch.
    pub language: i64,
    pub email_address_abuse: Option<String>,
    pub newsletter: Option<i64>,
    pub agree_toc: Option<i64>,
    pub agree_aup: Option<i64>,
    #[schema(required = true)]
    pub agree_dpa: Option<i64>,
    /// Always 0: there are no servers to order here.
    pub is_allowed_flex_metal: i64,
}

/// `SessionUser.billingDetails` (`AccountBillingDetails`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = AccountBillingDetails)]
pub struct BillingDetails {
    pub first_name: String,
    pub last_name: String,
    /// Street name.
    pub address: String,
    pub street_number: String,
    pub zip_code: String,
    pub city: String,
    pub country_code: String,
    pub phone_number: Option<String>,
    pub phone_number_mobile: Option<String>,
    pub email_address_billing: Option<String>,
    pub bundle_invoices_of_same_category: i64,
    pub receive_payment_confirmations_via_email: i64,
    pub preferred_payment_method: i64,
}

/// `AccountDetails.unconfirmedEmail` as i3D documents it: a new address waiting for
/// confirmation. Playgate never has one (the field is always `null`); the type is here for
/// the document only.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnconfirmedEmail {
    /// The new address.
    pub email: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// An optional string of the document: `null` when empty.
fn opt(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn opt_flag(b: Option<bool>) -> Option<i64> {
    b.map(i64::from)
}

impl SessionUser {
    /// The wire form of an account seen from `ip` (`country`: code and name, or empty).
    pub fn new(a: Account, ip: String, country: (String, String)) -> Self {
        let billing = a.effective_billing();
        let (p, d) = (a.profile, a.details);
        SessionUser {
            user_id: a.id.0,
            user_name: a.user_name,
            email: p.email.clone(),
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            gender: p.gender,
            phone: p.phone.clone(),
            access_level: a.access_level.as_i64(),
            validate_email: i64::from(a.email_validated),
            is_trial_account: i64::from(a.trial_expires_at.is_some()),
            trial_account_expiration_date: a.trial_expires_at.map(rfc3339).unwrap_or_default(),
            request_ip: ip,
            request_ip_country: country.1,
            request_ip_country_code: country.0,
            details: UserDetails {
                account_type: d.account_type.as_i64(),
                company_name: opt(p.company_name),
                vat_number: opt(d.vat_number),
                coc_number: opt(d.coc_number),
                first_name: p.first_name,
                last_name: p.last_name,
                address: d.address.street,
                street_number: d.address.street_number,
                zip_code: d.address.zip_code,
                city: d.address.city,
                country_code: d.address.country_code,
                email_address: p.email,
                unconfirmed_email: None,
                email_address_validated: Some(i64::from(a.email_validated)),
                phone_number: opt(p.phone),
                phone_number_mobile: opt(d.phone_mobile),
                language: d.language.as_i64(),
                email_address_abuse: opt(d.abuse_email),
                newsletter: opt_flag(d.newsletter),
                agree_toc: opt_flag(d.agreed_terms),
                agree_aup: opt_flag(d.agreed_aup),
                agree_dpa: opt_flag(d.agreed_dpa),
                is_allowed_flex_metal: 0,
            },
            billing_details: BillingDetails {
                first_name: billing.first_name,
                last_name: billing.last_name,
                address: billing.address.street,
                street_number: billing.address.street_number,
                zip_code: billing.address.zip_code,
                city: billing.address.city,
                country_code: billing.address.country_code,
                phone_number: opt(billing.phone),
                phone_number_mobile: opt(billing.phone_mobile),
                email_address_billing: opt(billing.email),
                bundle_invoices_of_same_category: i64::from(billing.bundle_invoices),
                receive_payment_confirmations_via_email: i64::from(billing.payment_confirmations_by_email),
                preferred_payment_method: billing.preferred_payment_method,
            },
        }
    }
}

/// `POST /v3/session/2fa` answer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TwoFactorSetup {
    /// Base32 secret, for typing into an authenticator app.
    pub secret: String,
    /// `otpauth://totp/…`.
    pub otpauth_uri: String,
    /// The URI as a QR code, an SVG document.
    pub qr_code_svg: String,
}

/// `POST /v3/session/2fa/enable` answer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecoveryCodes {
    /// Ten one-time codes, each accepted once in place of an OTP.
    pub recovery_codes: Vec<String>,
}

/// `POST /v3/session/links` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LinkRequest {
    /// The code the game backend got from `POST /s2s/link-code`.
    #[serde(default, deserialize_with = "lenient::string")]
    #[schema(value_type = String, required = true)]
    pub code: Option<String>,
}

/// `POST /v3/session/links` answer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
