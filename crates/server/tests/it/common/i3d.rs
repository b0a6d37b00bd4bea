//! The i3D.net dialect's client: `srv.i3d(api_key)` calls with that `PRIVATE-TOKEN`
//! (sent as given, an empty or wrong one included).

use playgate_core::account::{AccessLevel, Account, AccountInfo, AccountProfile, NewAccount, NewApiKey};
use playgate_core::crypto::Secret;
use serde_json::json;

use super::{Call, Resp, TestServer};

/// A game calling the i3D session API with an API key.
pub struct I3d<'a> {
    srv: &'a TestServer,
    key: String,
}

impl TestServer {
    /// The i3D client with this API key.
    pub fn i3d(&self, api_key: &str) -> I3d<'_> {
        I3d {
            srv: self,
            key: api_key.to_owned(),
        }
    }
}

impl I3d<'_> {
    /// A request with this client's `PRIVATE-TOKEN`.
    pub fn request(&self, method: &str, path: &str) -> Call {
        self.srv.request(method, path).header("PRIVATE-TOKEN", &self.key)
    }

    /// A request with an optional JSON body.
    pub async fn call(&self, method: &str, path: &str, body: Option<&str>) -> Resp {
        self.request(method, path).body_opt(body).send().await
    }

    /// `POST /v3/session/login` with this user name and password.
    pub async fn login(&self, user_name: &str, password: &str) -> Resp {
        let body = json!({ "userName": user_name, "password": password }).to_string();
        self.call("POST", "/v3/session/login", Some(&body)).await
    }

    /// `method path` with `{"otp": otp}`, the body of every call that takes a code.
    pub async fn with_otp(&self, method: &str, path: &str, otp: &str) -> Resp {
        let body = json!({ "otp": otp }).to_string();
        self.call(method, path, Some(&body)).await
    }

    /// `POST /v3/session/login/otp` with this code.
    pub async fn login_otp(&self, otp: &str) -> Resp {
        self.with_otp("POST", "/v3/session/login/otp", otp).await
    }

    /// `GET /v3/session/user`.
    pub async fn user(&self) -> Resp {
        self.call("GET", "/v3/session/user", None).await
    }

    /// `POST /v3/session/2fa`: enrolment (a new secret, its URI and QR code).
    pub async fn enrol_2fa(&self) -> Resp {
        self.call("POST", "/v3/session/2fa", None).await
    }

    /// `POST /v3/session/2fa/enable` with this code.
    pub async fn enable_2fa(&self, otp: &str) -> Resp {
        self.with_otp("POST", "/v3/session/2fa/enable", otp).await
    }

    /// `DELETE /v3/session/2fa` with this code.
    pub async fn disable_2fa(&self, otp: &str) -> Resp {
        self.with_otp("DELETE", "/v3/session/2fa", otp).await
    }

    /// `POST /v3/session/logout`.
    pub async fn logout(&self) -> Resp {
        self.call("POST", "/v3/session/logout", None).await
    }
}

impl TestServer {
    /// A regular i3D account `name` (e-mail `name@example.com`, validated) with this password.
    pub async fn i3d_account(&self, name: &str, password: &str) -> Account {
        self.running
            .core
            .create_account(new_account(name, password))
            .await
            .expect("account")
    }

    /// A fresh i3D API key with the default settings.
    pub async fn i3d_key(&self) -> String {
        let (_, key) = self
            .running
            .core
            .create_api_key(NewApiKey::default())
            .await
            .expect("key");
        key.expose().to_owned()
    }
}

/// A regular account `name` (e-mail `name@example.com`, validated) with this password, to
/// create as is or with more profile.
pub fn new_account(name: &str, password: &str) -> NewAccount {
    NewAccount {
        user_name: name.into(),
        password: Secret::new(password),
        access_level: AccessLevel::Regular,
        trial_days: None,
        info: AccountInfo {
            profile: AccountProfile {
                email: format!("{name}@example.com"),
                ..AccountProfile::default()
            },
            email_validated: true,
            ..AccountInfo::default()
        },
    }
}
