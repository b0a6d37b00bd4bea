//! Test support: the real server on port 0 with a fresh database, a clock the test moves,
//! and a game to call with. Tests speak raw HTTP, as a game backend would.

#![allow(dead_code, reason = "each test binary uses part of this module")]

pub mod openapi;

use std::sync::Arc;
use std::time::Duration;

use playgate_core::clock::{ManualClock, Timestamp};
use playgate_core::crypto::Secret;
use playgate_core::game::{GameCredentials, NewGame};
use playgate_core::password::{PasswordParams, Passwords};
use playgate_server::config::Config;
use playgate_server::startup::{self, Running};
pub use playgate_store::testing::Backend;
use playgate_store::testing::TestDatabase;
use serde_json::Value;

/// A running test server.
pub struct TestServer {
    pub base: String,
    pub http: reqwest::Client,
    pub clock: Arc<ManualClock>,
    pub running: Running,
    pub game: GameCredentials,
    pub config: Config,
    pub db: TestDatabase,
}

/// A response: status, headers and body as JSON (or Null).
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub json: Value,
    pub text: String,
}

/// Starts a server on `backend` (None: PostgreSQL not configured, test skipped), with
/// `tweak` applied to its config.
pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<TestServer> {
    let db = TestDatabase::new(backend).await?;
    let mut config = Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: db.dir.clone(),
        database_url: Some(db.url.clone().into()),
        create_demo_game: false,
        database_max_connections: 4,
        ..Config::default()
    };
    tweak(&mut config);
    // 2026-01-01T00:00:00Z
    let clock = Arc::new(ManualClock::new(Timestamp(1_767_225_600_000_000_000)));
    let running = startup::start(config.clone(), clock.clone())
        .await
        .expect("start server");
    let game = running
        .core
        .create_game(NewGame {
            name: "Esports Protocol Callbreak".into(),
            ..NewGame::default()
        })
        .await
        .expect("game");
    Some(TestServer {
        base: format!("http://{}", running.addr),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client"),
        clock,
        running,
        game,
        config,
        db,
    })
}

/// Starts a server with the default test config.
pub async fn spawn(backend: Backend) -> Option<TestServer> {
    spawn_with(backend, |_| {}).await
}

impl TestServer {
    /// Sends a request with the game's credentials (`creds`: Some((id, secret)) to override,
    /// or use [`TestServer::send`] for none).
    pub async fn call(&self, method: &str, path: &str, body: Option<&str>) -> Resp {
        let creds = (
            self.game.game.client_id.clone(),
            self.game.client_secret.expose().to_owned(),
        );
        self.send(method, path, body, Some((&creds.0, &creds.1))).await
    }

    /// Sends a request with the given credentials (or none).
    pub async fn send(&self, method: &str, path: &str, body: Option<&str>, creds: Option<(&str, &str)>) -> Resp {
        let verb = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http.request(verb, format!("{}{}", self.base, path));
        if let Some((id, secret)) = creds {
            req = req.header("x-client-id", id).header("x-client-secret", secret);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_owned());
        }
        let resp = req.send().await.expect("send");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body");
        openapi::assert_documented(method, path, status, &headers, &text);
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            json,
            text,
        }
    }

    /// `POST /s2s/session` with a JSON body; asserts 200.
    pub async fn open(&self, body: &str) -> Value {
        let r = self.call("POST", "/s2s/session", Some(body)).await;
        assert_eq!(r.status, 200, "open session: {}", r.text);
        r.json
    }

    /// A second node of this server's deployment: another server on the same database and
    /// data directory (so the same master key), with the same config, clock and game, as a
    /// second process behind a load balancer would be. Finish it before this one (only
    /// this one drops the database).
    pub async fn peer(&self) -> TestServer {
        let running = startup::start(self.config.clone(), self.clock.clone())
            .await
            .expect("start the second node");
        TestServer {
            base: format!("http://{}", running.addr),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            clock: self.clock.clone(),
            running,
            game: self.game.clone(),
            config: self.config.clone(),
            db: self.db.shared(),
        }
    }

    /// Moves the server's clock.
    pub fn advance(&self, d: Duration) {
        self.clock.advance(d);
    }

    /// Stops the server and drops the database.
    pub async fn finish(self) {
        self.running.stop().await.expect("clean stop");
        self.db.drop_it().await;
    }
}

/// Asserts a kgen error: status, `error` code, and (if given) the `field`.
pub fn assert_error(r: &Resp, status: u16, code: &str, field: Option<&str>) {
    assert_eq!(r.status, status, "body: {}", r.text);
    assert_eq!(r.json["error"], code, "body: {}", r.text);
    assert!(
        r.json["message"].as_str().is_some_and(|m| !m.is_empty()),
        "body: {}",
        r.text
    );
    if let Some(f) = field {
        assert_eq!(r.json["field"], f, "body: {}", r.text);
    }
}

/// The JSON type of a value, for golden comparisons.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Decodes a JWT's header and payload without verifying it.
pub fn jwt_parts(token: &str) -> (Value, Value) {
    use base64::Engine as _;
    let mut it = token.split('.');
    let mut part = || {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(it.next().expect("part"))
            .expect("b64");
        serde_json::from_slice::<Value>(&raw).expect("json")
    };
    (part(), part())
}

/// Generates a test per backend from `async fn name(backend: Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() { super::$name($crate::common::Backend::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() { super::$name($crate::common::Backend::Postgres).await })*
        }
    };
}

/// `password` hashed under argon2id parameters no test server is configured with (as an
/// earlier default would have), for the tests of upgrading old hashes at sign-in.
pub async fn hash_under_other_params(password: &str) -> String {
    let params = PasswordParams {
        memory_kib: 256,
        iterations: 3,
        parallelism: 1,
        max_concurrent: 1,
        ..PasswordParams::default()
    };
    let hasher = Passwords::new(params).await.expect("hasher");
    hasher.hash(&Secret::new(password)).await.expect("hash")
}

impl TestServer {
    /// Runs `sql` on the server's database directly (SQLite file or PostgreSQL schema) and
    /// returns the first column of every row as text: for tests of what is stored.
    pub async fn db_strings(&self, sql: &str) -> Vec<String> {
        if let Some(path) = self.db.url.strip_prefix("sqlite://") {
            let conn = rusqlite::Connection::open(path).expect("sqlite");
            let mut st = conn.prepare(sql).expect("query");
            let rows = st.query_map([], |r| r.get::<_, String>(0)).expect("query");
            rows.collect::<Result<_, _>>().expect("rows")
        } else {
            let conn = playgate_store::testing::pg_connect(&self.db.url)
                .await
                .expect("postgres");
            let rows = conn.query(sql, &[]).await.expect("query");
            rows.iter().map(|r| r.try_get::<_, String>(0).expect("text")).collect()
        }
    }
}
