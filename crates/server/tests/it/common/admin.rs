//! The admin surface's client: `srv.admin(token)` calls `/admin/*` with that bearer token.

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

    /// A request with an optional JSON body.
    pub async fn call(&self, method: &str, path: &str, body: Option<&str>) -> Resp {
        self.request(method, path).body_opt(body).send().await
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Resp {
        self.call("GET", path, None).await
    }

    /// `DELETE path`, with no body.
    pub async fn delete(&self, path: &str) -> Resp {
        self.call("DELETE", path, None).await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: &str) -> Resp {
        self.call("POST", path, Some(body)).await
    }

    /// Asserts that `method path` with each body is refused 400, naming its field.
    pub async fn assert_refused_fields(&self, method: &str, path: &str, cases: &[(&str, &str)]) {
        for (body, field) in cases {
            let r = self.call(method, path, Some(body)).await;
            assert_eq!(
                (r.status, r.json["field"].as_str()),
                (400, Some(*field)),
                "{body}: {}",
                r.text
            );
        }
    }

    /// Asserts that `method path` with `body` answers `status`.
    pub async fn assert_status(&self, method: &str, path: &str, body: &str, status: u16) {
        let r = self.call(method, path, Some(body)).await;
        assert_eq!(r.status, status, "{method} {path}: {}", r.text);
    }
}
