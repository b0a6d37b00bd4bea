//! Test support: the real server on port 0 with a fresh database, a clock the test moves,
//! and a game to call with. Tests speak raw HTTP, as a game backend would: through
//! [`TestServer::request`], or one typed client per dialect ([`TestServer::kgen`],
//! [`TestServer::i3d`], [`TestServer::gamefuse`], [`TestServer::admin`]). Every answer is
//! checked against the documents of its surface.

pub mod admin;
pub mod gamefuse;
pub mod i3d;
pub mod kgen;
pub mod logs;
pub mod openapi;
pub mod statements;

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
use serde_json::{Value, json};

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

impl Resp {
    /// The Content-Type, or "".
    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// A request being built ([`TestServer::request`]). [`Call::send`] sends it and checks the
/// answer against i3D's published document (under `/v3/`) and Playgate's own documents.
pub struct Call {
    method: String,
    path: String,
    rb: reqwest::RequestBuilder,
}

impl Call {
    /// Adds a header.
    pub fn header(self, name: &str, value: &str) -> Call {
        Call {
            rb: self.rb.header(name, value),
            ..self
        }
    }

    /// Adds headers.
    pub fn headers(self, headers: &[(&str, &str)]) -> Call {
        headers.iter().fold(self, |c, (k, v)| c.header(k, v))
    }

    /// A JSON body, as text (`Content-Type: application/json`).
    pub fn body(self, json: &str) -> Call {
        self.header("content-type", "application/json").raw_body(json)
    }

    /// A JSON body as text, if any.
    pub fn body_opt(self, json: Option<&str>) -> Call {
        match json {
            Some(b) => self.body(b),
            None => self,
        }
    }

    /// A JSON body.
    pub fn json(self, v: &Value) -> Call {
        self.body(&v.to_string())
    }

    /// A body as is, with no Content-Type of its own.
    pub fn raw_body(self, body: &str) -> Call {
        Call {
            rb: self.rb.body(body.to_owned()),
            ..self
        }
    }

    /// A multipart/form-data body with string values (browser `FormData`).
    pub fn form(self, fields: &[(&str, &str)]) -> Call {
        let form = fields.iter().fold(reqwest::multipart::Form::new(), |f, (k, v)| {
            f.text(k.to_string(), v.to_string())
        });
        Call {
            rb: self.rb.multipart(form),
            ..self
        }
    }

    /// Sends the request; the answer, checked against the documents.
    pub async fn send(self) -> Resp {
        let resp = self.rb.send().await.expect("send");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body");
        // i3D's answers against i3D's published document, as its clients read them.
        if let Err(e) = crate::i3d::schema::check(&self.method, &self.path, status, &text) {
            panic!("{e}");
        }
        openapi::assert_documented(&self.method, &self.path, status, &headers, &text);
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            json,
            text,
        }
    }
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
        database_read_connections: 2,
        ..Config::default()
    };
    tweak(&mut config);
    // 2026-01-01T00:00:00Z
    let clock = Arc::new(ManualClock::new(Timestamp(1_767_225_600_000_000_000)));
    let running = startup::start(config.clone(), clock.clone())
        .await
        .expect("start server");
    let game = create_game(&running, "Esports Protocol Callbreak").await;
    Some(TestServer {
        base: format!("http://{}", running.addr),
        http: http_client(),
        clock,
        running,
        game,
        config,
        db,
    })
}

/// Creates a game named `name` through the core, as an operator would.
async fn create_game(running: &Running, name: &str) -> GameCredentials {
    let game = NewGame {
        name: name.into(),
        ..NewGame::default()
    };
    running.core.create_game(game).await.expect("game")
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// Cheap password hashing, for tests that sign in many times.
pub fn cheap_hashes(c: &mut Config) {
    c.password_hash_memory_kib = 64;
    c.password_hash_iterations = 1;
}

/// Starts a server with the default test config.
pub async fn spawn(backend: Backend) -> Option<TestServer> {
    spawn_with(backend, |_| {}).await
}

impl TestServer {
    /// A request to `method path` (the path may carry a query), to build and send.
    pub fn request(&self, method: &str, path: &str) -> Call {
        let verb = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        Call {
            method: method.to_owned(),
            path: path.to_owned(),
            rb: self.http.request(verb, format!("{}{}", self.base, path)),
        }
    }

    /// Sends a request with the game's KGeN credentials and a JSON body.
    pub async fn call(&self, method: &str, path: &str, body: Option<&str>) -> Resp {
        self.kgen().call(method, path, body).await
    }

    /// Sends a request with the given KGeN credentials (or none) and a JSON body.
    pub async fn send(&self, method: &str, path: &str, body: Option<&str>, creds: Option<(&str, &str)>) -> Resp {
        let kgen = match creds {
            Some((id, secret)) => self.kgen().with_credentials(id, secret),
            None => self.kgen().anonymous(),
        };
        kgen.call(method, path, body).await
    }

    /// `POST /s2s/session` with a JSON body; asserts 200.
    pub async fn open(&self, body: &str) -> Value {
        let r = self.kgen().open(body).await;
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
            http: http_client(),
            clock: self.clock.clone(),
            running,
            game: self.game.clone(),
            config: self.config.clone(),
            db: self.db.shared(),
        }
    }

    /// Creates one more game on this server.
    pub async fn new_game(&self, name: &str) -> GameCredentials {
        create_game(&self.running, name).await
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

/// The actions of a page of audit events (the admin API's or `playgate audit list --json`'s), newest
/// first.
pub fn actions(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["action"].as_str())
        .collect()
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

/// The JSON type of each field of an object, for golden comparisons.
pub fn json_types(v: &Value) -> std::collections::BTreeMap<String, &'static str> {
    v.as_object()
        .expect("object")
        .iter()
        .map(|(k, v)| (k.clone(), json_type(v)))
        .collect()
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

    /// Runs `sql` (a write) on the server's database directly: for tests that plant rows
    /// no API makes in one call.
    pub async fn db_exec(&self, sql: &str) {
        if let Some(path) = self.db.url.strip_prefix("sqlite://") {
            let conn = rusqlite::Connection::open(path).expect("sqlite");
            conn.execute_batch(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        } else {
            let conn = playgate_store::testing::pg_connect(&self.db.url)
                .await
                .expect("postgres");
            conn.batch_execute(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    }

    /// `SELECT COUNT(*) …` on the server's database, as a number.
    pub async fn db_count(&self, sql: &str) -> i64 {
        let text = self
            .db_strings(&format!("SELECT CAST(({sql}) AS TEXT)"))
            .await
            .pop()
            .unwrap_or_default();
        text.parse().unwrap_or_else(|_| panic!("{sql}: {text:?}"))
    }
}

impl TestServer {
    /// The audit events matching `query` (the query string of `GET /admin/v1/audit`, e.g.
    /// `action=session.opened`), newest first, read through the admin API with the token of
    /// a viewer made for it.
    pub async fn audit(&self, query: &str) -> Vec<Value> {
        let store = startup::open_store(&self.config).await.expect("store");
        let ops = playgate_core::operators::Operators::new(store.clone(), self.clock.clone());
        let name = format!("auditor-{}", uuid::Uuid::new_v4().simple());
        let (_, token) = ops
            .create(&name, playgate_core::operators::Role::Viewer)
            .await
            .expect("viewer");
        store.close().await;
        let r = self
            .request("GET", &format!("/admin/v1/audit?{query}"))
            .header("authorization", &format!("Bearer {}", token.expose()))
            .send()
            .await;
        assert_eq!(r.status, 200, "audit: {}", r.text);
        r.json["items"].as_array().expect("items").clone()
    }

    /// Checks that `actor` (`operator:ada`, `cli` …) made one account and one API key, and
    /// that both are recorded alike whichever surface made them: `account.created` about
    /// `account:<account>` with `{"after": account_after}` (the account's name, e-mail,
    /// access level and trial end), `api_key.created` about `api_key:<key>` with the key's
    /// label.
    pub async fn assert_creations_recorded(&self, actor: &str, account: (i64, Value), key: (i64, &str)) {
        let ((id, after), (key_id, label)) = (account, key);
        let expected = [
            ("account.created", format!("account:{id}"), json!({ "after": after })),
            (
                "api_key.created",
                format!("api_key:{key_id}"),
                json!({"after": {"label": label}}),
            ),
        ];
        for (action, subject, detail) in expected {
            let events = self.audit(&format!("action={action}&actor={actor}")).await;
            let seen: Vec<_> = events.iter().map(|e| (&e["subject"], &e["detail"])).collect();
            assert_eq!(seen, [(&json!(subject), &detail)], "{action} by {actor}");
        }
    }
}
