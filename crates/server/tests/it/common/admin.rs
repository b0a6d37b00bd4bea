//! The admin surface's client: `srv.admin(token)` calls `/admin/*` with that bearer token.

use serde_json::Value;

use super::{Call, Resp, TestServer};

/// An operator calling the admin API.
pub struct Admin<'a> {
    srv: &'a TestServer,
    token: String,
}

impl TestServer {
    /// The admin client with this bearer token.
    pub fn admin(&self, token: &str) -> Admin<'_> {
        Admin {
            srv: self,
            token: token.to_owned(),
        }
    }
}

impl Admin<'_> {
    /// A request with this client's bearer token.
    pub fn request(&self, method: &str, path: &str) -> Call {
        self.srv
            .request(method, path)
            .header("authorization", &format!("Bearer {}", self.token))
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Resp {
        self.request("GET", path).send().await
    }

    /// `method path` with a JSON body.
    pub async fn send(&self, method: &str, path: &str, body: &Value) -> Resp {
        self.request(method, path).json(body).send().await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        self.send("POST", path, body).await
    }
}
