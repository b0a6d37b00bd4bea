//! KGeN wire types, field for field as seed 000 lists them, in its JSON types.

use axum::extract::rejection::BytesRejection;
use bytes::Bytes;
use playgate_core::player::ProfilePatch;
use playgate_core::session::{OpenedSession, Refreshed, VerifiedToken};
use playgate_core::token::{AccessClaims, AccessGrant};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::KgenError;
use crate::common::json;
use crate::common::lenient;
use crate::common::wire::ProfileJson;

/// A request body read as JSON (an empty body is not an object: KGeN's clients always send
/// one); 413 past the size limit, 400 naming the field otherwise.
pub fn body<T: DeserializeOwned>(b: Result<Bytes, BytesRejection>) -> Result<T, KgenError> {
    Ok(json::read(b, false)?)
}

/// A required text field: absent or empty is `Invalid(field)` ([`json::required_text`]).
pub fn required(v: Option<String>, field: &str) -> Result<String, KgenError> {
    Ok(json::required_text(v, field)?)
}

/// `POST /s2s/session` body. Every field may come as a string or a number; `location`
/// may also be an object (kept as its JSON text). Unknown fields are ignored.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SessionRequest {
    /// The player's id in the game (required).
    #[serde(default, deserialize_with = "lenient::string")]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 128)]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub device_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub phonenumber: Option<String>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub level: Option<i64>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub rank: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub date_joined: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub playertag: Option<String>,
    /// A text, or an object (kept as its JSON text).
    #[serde(default, deserialize_with = "lenient::string_or_json")]
    #[schema(value_type = Option<serde_json::Value>)]
    pub location: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub location_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub device_model: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub screen_height: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub screen_width: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub os_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub os_version: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub browser_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub fb_login: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub google_login: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub app_version: Option<String>,
}

impl SessionRequest {
    /// The profile part as a core patch (user_id is taken out before).
    pub fn into_patch(self) -> ProfilePatch {
        ProfilePatch {
            name: self.name,
            username: self.username,
            email: self.email,
            device_id: self.device_id,
            phonenumber: self.phonenumber,
            level: self.level,
            rank: self.rank,
            date_joined: self.date_joined,
            playertag: self.playertag,
            location: self.location,
            location_name: self.location_name,
            device_model: self.device_model,
            screen_height: self.screen_height,
            screen_width: self.screen_width,
            os_name: self.os_name,
            os_version: self.os_version,
            browser_name: self.browser_name,
            fb_login: self.fb_login,
            google_login: self.google_login,
            app_version: self.app_version,
        }
    }
}

/// `POST /s2s/session` answer (seed 000's example, key for key, plus `fb_login`,
/// `google_login` and `app_version`, which the seed lists among the response fields but
/// leaves out of its example).
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    pub session_id: String,
    pub user_id: String,
    /// The player's profile, its fields inline.
    #[serde(flatten)]
    pub profile: ProfileJson,
    pub indigg_id: Option<String>,
    pub indigg_wallet_address: String,
    pub third_party_client_id: String,
    pub third_party_client_name: String,
    pub namespaced_third_party_user_id: String,
    pub wallet_address: String,
    pub is_new_user: bool,
    pub access_token: String,
    pub refresh_token: String,
    pub linked_phone: String,
    pub session_start_time: String,
}

impl SessionResponse {
    /// The wire form of an opened session.
    pub fn new(client_id: &str, client_name: &str, o: OpenedSession) -> Self {
        let user_id = o.player.user_id.as_str().to_owned();
        let linked = o.player.linked;
        SessionResponse {
            session_id: o.session.id.to_string(),
            namespaced_third_party_user_id: format!("{client_id}#{user_id}"),
            user_id,
            profile: o.player.profile.into(),
            indigg_id: linked.as_ref().map(|l| l.public_id.clone()),
            indigg_wallet_address: linked.as_ref().map(|l| l.wallet_address.clone()).unwrap_or_default(),
            third_party_client_id: client_id.to_owned(),
            third_party_client_name: client_name.to_owned(),
            wallet_address: o.player.wallet_address,
            is_new_user: o.is_new_user,
            access_token: o.tokens.access_token,
            refresh_token: o.tokens.refresh_token,
            linked_phone: linked.map(|l| l.phone).unwrap_or_default(),
            session_start_time: o.session.started_at.go_string(),
        }
    }
}

/// `POST /s2s/session/refresh` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    pub refresh_token: Option<String>,
}

/// `POST /s2s/session/refresh` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefreshResponse {
    pub session_id: String,
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub session_start_time: String,
}

impl RefreshResponse {
    /// The wire form of a refreshed pair.
    pub fn new(r: Refreshed, now_secs: i64) -> Self {
        RefreshResponse {
            session_id: r.session.id.to_string(),
            expires_in: r.tokens.access_expires_at.unix_secs() - now_secs,
            access_token: r.tokens.access_token,
            refresh_token: r.tokens.refresh_token,
            token_type: "Bearer",
            session_start_time: r.session.started_at.go_string(),
        }
    }
}

/// `POST /s2s/session/verify` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VerifyRequest {
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    pub access_token: Option<String>,
}

/// `POST /s2s/session/verify` answer: `valid`, and either the token's context or `reason`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum VerifyResponse {
    /// `valid: true` and the token's context.
    Valid {
        /// `true`.
        valid: bool,
        #[serde(flatten)]
        context: VerifyContext,
    },
    /// `valid: false` and why.
    Invalid {
        /// `false`.
        valid: bool,
        /// `expired`, `session_ended` or `invalid`.
        reason: &'static str,
    },
}

/// The context of a valid token.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyContext {
    pub session_id: String,
    pub user_id: String,
    pub third_party_client_id: String,
    pub namespaced_third_party_user_id: String,
    pub wallet_address: String,
    pub indigg_id: Option<String>,
    /// Unix seconds.
    pub issued_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    pub session_start_time: String,
}

impl From<VerifiedToken<AccessTokenClaims>> for VerifyContext {
    fn from(v: VerifiedToken<AccessTokenClaims>) -> Self {
        let c = v.claims;
        VerifyContext {
            session_id: c.sid,
            user_id: c.user_id,
            third_party_client_id: c.third_party_client_id,
            namespaced_third_party_user_id: c.namespaced_third_party_user_id,
            wallet_address: c.wallet_address,
            indigg_id: c.indigg_id,
            issued_at: c.iat,
            expires_at: c.exp,
            session_start_time: v.session.started_at.go_string(),
        }
    }
}

/// The claims of a KGeN access token: those of seed 000's example token, plus `sid` (the
/// session) and `jti` (a unique token id). Game backends decode them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessTokenClaims {
    pub sub: String,
    pub client_id: String,
    pub iat: i64,
    pub iss: String,
    pub exp: i64,
    pub user_id: String,
    pub gamer_id: String,
    pub third_party_client_id: String,
    pub third_party_client_name: String,
    pub namespaced_third_party_user_id: String,
    pub wallet_address: String,
    pub is_new_user: bool,
    pub indigg_id: Option<String>,
    pub indigg_wallet_address: String,
    pub linked_phone: String,
    /// The session this token belongs to.
    pub sid: String,
    /// Unique token id.
    pub jti: String,
}

impl AccessClaims for AccessTokenClaims {
    fn issue(g: &AccessGrant<'_>) -> Self {
        let (client_id, user_id) = (&g.game.client_id, g.user_id.as_str());
        AccessTokenClaims {
            sub: user_id.to_owned(),
            client_id: client_id.clone(),
            iat: g.issued_at.unix_secs(),
            iss: client_id.clone(),
            exp: g.expires_at.unix_secs(),
            user_id: user_id.to_owned(),
            gamer_id: String::new(),
            third_party_client_id: client_id.clone(),
            third_party_client_name: g.game.client_name.clone(),
            namespaced_third_party_user_id: format!("{client_id}#{user_id}"),
            wallet_address: g.wallet_address.to_owned(),
            is_new_user: g.is_new_user,
            indigg_id: g.linked.map(|l| l.public_id.clone()),
            indigg_wallet_address: g.linked.map(|l| l.wallet_address.clone()).unwrap_or_default(),
            linked_phone: g.linked.map(|l| l.phone.clone()).unwrap_or_default(),
            sid: g.session_id.to_string(),
            jti: g.jti.to_owned(),
        }
    }

    fn session_id(&self) -> &str {
        &self.sid
    }

    fn client_id(&self) -> &str {
        &self.client_id
    }

    fn expires_at(&self) -> i64 {
        self.exp
    }
}
