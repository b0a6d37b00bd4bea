//! The GameFuse V3 dialect's client: `srv.gamefuse()` calls `/api/v3/*` for the test game,
//! `.signed_in(token)` with a signed-in user's `authentication-token`; sign-up and sign-in as
//! the JS SDK sends them (multipart, string values).

use serde_json::{Value, json};

use super::{Call, Resp, TestServer};

/// A game's client calling the GameFuse API.
pub struct GameFuse<'a> {
    srv: &'a TestServer,
    game_id: i64,
    game_token: String,
    user_token: Option<String>,
}

impl TestServer {
    /// The GameFuse client of the test game.
    pub fn gamefuse(&self) -> GameFuse<'_> {
        GameFuse {
            srv: self,
            game_id: self.game.game.id.0,
            game_token: self.game.game.gamefuse_token.clone(),
            user_token: None,
        }
    }
}

impl GameFuse<'_> {
    /// The same client for another game.
    pub fn for_game(self, game_id: i64, game_token: &str) -> Self {
        GameFuse {
            game_id,
            game_token: game_token.to_owned(),
            ..self
        }
    }

    /// The same client as a signed-in user.
    pub fn signed_in(self, token: &str) -> Self {
        GameFuse {
            user_token: Some(token.to_owned()),
            ..self
        }
    }

    /// The game's GameFuse token.
    pub fn game_token(&self) -> &str {
        &self.game_token
    }

    /// A request to `/api/v3{path}`, with the user's token if signed in.
    pub fn request(&self, method: &str, path: &str) -> Call {
        let call = self.srv.request(method, &format!("/api/v3{path}"));
        match &self.user_token {
            Some(t) => call.header("authentication-token", t),
            None => call,
        }
    }

    /// A request as the JS SDK sends it: a JSON Content-Type even without a body
    /// (reference 0.4), and the body if any.
    pub async fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        let call = self.request(method, path).header("content-type", "application/json");
        match body {
            Some(b) => call.raw_body(&b.to_string()).send().await,
            None => call.send().await,
        }
    }

    /// `POST /users` as the SDK sends it (multipart, string values).
    pub async fn sign_up(&self, email: &str, username: &str, password: &str) -> Resp {
        let gid = self.game_id.to_string();
        self.request("POST", "/users")
            .form(&[
                ("email", email),
                ("password", password),
                ("password_confirmation", password),
                ("username", username),
                ("game_id", &gid),
                ("game_token", &self.game_token),
            ])
            .send()
            .await
    }

    /// `POST /sessions` as the SDK sends it (multipart, no game token).
    pub async fn sign_in(&self, email: &str, password: &str) -> Resp {
        let gid = self.game_id.to_string();
        self.request("POST", "/sessions")
            .form(&[("email", email), ("password", password), ("game_id", &gid)])
            .send()
            .await
    }
}

impl GameFuse<'_> {
    /// `POST /users` with a JSON body, as the SDKs that send JSON do: `name`, with the
    /// e-mail `name@example.org` and the password `pw`.
    pub async fn sign_up_json(&self, name: &str) -> Resp {
        let body = json!({"email": format!("{name}@example.org"), "username": name, "password": "pw",
            "password_confirmation": "pw", "game_id": self.game_id, "game_token": self.game_token});
        self.call("POST", "/users", Some(&body)).await
    }

    /// `POST /sessions` with a JSON body (`game_id` a string): `email` and the password `pw`.
    pub async fn sign_in_json(&self, email: &str) -> Resp {
        let body = json!({"email": email, "password": "pw", "game_id": self.game_id.to_string()});
        self.call("POST", "/sessions", Some(&body)).await
    }
}

/// The four verbs of a test's GameFuse client, over the one way it sends a request.
pub trait Verbs {
    /// Sends `method path` with an optional JSON body.
    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Resp;

    /// `GET path`.
    async fn get(&self, path: &str) -> Resp {
        self.send("GET", path, None).await
    }

    /// `DELETE path`.
    async fn delete(&self, path: &str) -> Resp {
        self.send("DELETE", path, None).await
    }

    /// `POST path` with a JSON body.
    async fn post(&self, path: &str, body: Value) -> Resp {
        self.send("POST", path, Some(body)).await
    }

    /// `PUT path` with a JSON body.
    async fn put(&self, path: &str, body: Value) -> Resp {
        self.send("PUT", path, Some(body)).await
    }
}
