//! The KGeN S2S dialect's client: `srv.kgen()` calls with the game's client credentials,
//! `.with_credentials(..)` or `.anonymous()` with others or none.

use serde_json::{Value, json};

use super::{Call, Resp, TestServer};

/// A KGeN game backend calling the server.
pub struct Kgen<'a> {
    srv: &'a TestServer,
    creds: Option<(String, String)>,
}

impl TestServer {
    /// The KGeN client, with the test game's credentials.
    pub fn kgen(&self) -> Kgen<'_> {
        Kgen {
            srv: self,
            creds: Some((
                self.game.game.client_id.clone(),
                self.game.client_secret.expose().to_owned(),
            )),
        }
    }
}

impl Kgen<'_> {
    /// The same client with other credentials.
    pub fn with_credentials(self, client_id: &str, secret: &str) -> Self {
        Kgen {
            creds: Some((client_id.to_owned(), secret.to_owned())),
            ..self
        }
    }

    /// The same client without credentials.
    pub fn anonymous(self) -> Self {
        Kgen { creds: None, ..self }
    }

    /// A request with this client's credentials.
    pub fn request(&self, method: &str, path: &str) -> Call {
        let call = self.srv.request(method, path);
        match &self.creds {
            Some((id, secret)) => call.header("x-client-id", id).header("x-client-secret", secret),
            None => call,
        }
    }

    /// A request with this client's credentials and an optional JSON body.
    pub async fn call(&self, method: &str, path: &str, body: Option<&str>) -> Resp {
        self.request(method, path).body_opt(body).send().await
    }

    /// `POST /s2s/session` with this JSON body.
    pub async fn open(&self, body: &str) -> Resp {
        self.call("POST", "/s2s/session", Some(body)).await
    }

    /// `POST /s2s/session/verify` of an access token.
    pub async fn verify(&self, access_token: &str) -> Resp {
        let body = json!({ "access_token": access_token }).to_string();
        self.call("POST", "/s2s/session/verify", Some(&body)).await
    }

    /// `POST /s2s/session/refresh` of a refresh token.
    pub async fn refresh(&self, refresh_token: &str) -> Resp {
        let body = json!({ "refresh_token": refresh_token }).to_string();
        self.call("POST", "/s2s/session/refresh", Some(&body)).await
    }

    /// `DELETE /s2s/session/{session_id}`.
    pub async fn end(&self, session_id: &str) -> Resp {
        self.call("DELETE", &format!("/s2s/session/{session_id}"), None).await
    }
}

/// A token of a session answer (`access_token`, `refresh_token`, `session_id`).
pub fn token<'v>(v: &'v Value, name: &str) -> &'v str {
    v[name].as_str().unwrap_or_else(|| panic!("no {name} in {v}"))
}
