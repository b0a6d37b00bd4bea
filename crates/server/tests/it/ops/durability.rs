//! What Playgate acknowledged survives a crash: the real `playgate` binary, under concurrent
//! KGeN session creates and refresh chains, is killed with SIGKILL mid-load and restarted on
//! the same data; every acknowledged session and the last acknowledged token pair of every
//! chain must still hold. On SQLite and on PostgreSQL (skipped when
//! `PLAYGATE_TEST_POSTGRES_URL` is unset).

use std::process::{Child, Command};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::{BIN, drain, start_serving};
use playgate_store::testing::{Backend, TestDatabase};
use serde_json::{Value, json};

/// Concurrent clients, each running one chain at a time.
const CLIENTS: usize = 16;

/// The load runs at least this long before the kill ...
const LOAD: Duration = Duration::from_secs(3);

/// ... and on until this many answers (a busy machine answers slower) ...
const ANSWERS: u64 = 400;

/// ... or this long at most.
const MAX_LOAD: Duration = Duration::from_secs(12);

/// `playgate` on the test database: its data directory (the master key, and the SQLite file)
/// and its URL.
fn playgate(db: &TestDatabase) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("PLAYGATE_DATABASE_URL", &db.url)
        .env("PLAYGATE_DATA_DIR", &db.dir)
        .env("PLAYGATE_DATABASE_MAX_CONNECTIONS", "8")
        .env_remove("PLAYGATE_MASTER_KEY")
        .env(
            "PLAYGATE_LOG",
            std::env::var("TEST_SERVER_LOG").unwrap_or_else(|_| "error".into()),
        )
        .current_dir(&db.dir);
    cmd
}

/// A game created with the CLI: (client id, client secret).
fn create_game(db: &TestDatabase) -> (String, String) {
    let out = playgate(db)
        .args(["game", "create", "--name", "Durability", "--json"])
        .output()
        .expect("run playgate game create");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let field = |k: &str| v[k].as_str().expect("credential").to_owned();
    (field("client_id"), field("client_secret"))
}

/// A running `playgate serve`; killed when dropped, so a failing test leaves no process.
struct Node {
    child: Child,
    base: String,
}

impl Node {
    /// Starts `playgate serve` on port 0 and reads the address it prints.
    fn start(db: &TestDatabase) -> Node {
        let (child, base, lines) = start_serving(playgate(db).args(["serve", "--listen", "127.0.0.1:0"]));
        drain(lines);
        Node { child, base }
    }

    /// SIGKILL (what `Child::kill` sends on Unix), and reap it.
    fn sigkill(mut self) {
        self.child.kill().expect("SIGKILL");
        let status = self.child.wait().expect("wait");
        assert!(!status.success(), "killed, not exited: {status}");
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A game backend's client of one node.
#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    base: String,
    id: String,
    secret: String,
}

/// What came back for a request.
enum Answer {
    /// A whole response: status and JSON body.
    Got(u16, Value),
    /// No whole response (the connection broke or was refused): not acknowledged.
    Lost,
}

impl Client {
    fn new(base: &str, game: &(String, String)) -> Client {
        Client {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            base: base.to_owned(),
            id: game.0.clone(),
            secret: game.1.clone(),
        }
    }

    async fn post(&self, path: &str, body: &Value) -> Answer {
        let sent = self
            .http
            .post(format!("{}{path}", self.base))
            .header("x-client-id", &self.id)
            .header("x-client-secret", &self.secret)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await;
        let Ok(resp) = sent else { return Answer::Lost };
        let status = resp.status().as_u16();
        match resp.text().await {
            Ok(text) => Answer::Got(status, serde_json::from_str(&text).unwrap_or(Value::Null)),
            Err(_) => Answer::Lost,
        }
    }
}

/// One player's session as the client last saw it acknowledged.
#[derive(Debug, Clone)]
struct Chain {
    user_id: String,
    session_id: String,
    access_token: String,
    refresh_token: String,
    /// Acknowledged refreshes.
    refreshes: u32,
    /// The chain's last request got no answer: the server may or may not have committed it.
    unanswered: bool,
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

/// What one client acknowledged (its chains) and anything that went wrong before the kill.
type Run = (Vec<Chain>, Vec<String>);

/// Opens sessions for new players one after another, refreshing each a few times, until the
/// server stops answering.
async fn client_load(api: Client, client: usize, acks: Arc<AtomicU64>) -> Run {
    let (mut chains, mut errors) = (Vec::new(), Vec::new());
    for n in 0usize.. {
        let user_id = format!("c{client}-p{n}");
        let v = match api.post("/s2s/session", &json!({ "user_id": user_id })).await {
            Answer::Lost => break,
            Answer::Got(200, v) => v,
            Answer::Got(status, v) => {
                errors.push(format!("create {user_id}: {status} {v}"));
                break;
            }
        };
        acks.fetch_add(1, Ordering::Relaxed);
        let mut chain = Chain {
            user_id,
            session_id: text(&v, "session_id"),
            access_token: text(&v, "access_token"),
            refresh_token: text(&v, "refresh_token"),
            refreshes: 0,
            unanswered: false,
        };
        // Chains of 0 to 7 refreshes.
        for _ in 0..(n + client) % 8 {
            let body = json!({ "refresh_token": chain.refresh_token });
            match api.post("/s2s/session/refresh", &body).await {
                Answer::Lost => {
                    chain.unanswered = true;
                    break;
                }
                Answer::Got(200, v) if text(&v, "session_id") == chain.session_id => {
                    acks.fetch_add(1, Ordering::Relaxed);
                    chain.access_token = text(&v, "access_token");
                    chain.refresh_token = text(&v, "refresh_token");
                    chain.refreshes += 1;
                }
                Answer::Got(status, v) => {
                    errors.push(format!("refresh {}: {status} {v}", chain.user_id));
                    break;
                }
            }
        }
        let stop = chain.unanswered;
        chains.push(chain);
        if stop || !errors.is_empty() {
            break;
        }
    }
    (chains, errors)
}

/// Runs the load against a fresh node, kills it with SIGKILL mid-load and starts it again on
/// the same data. Returns the restarted node, a client of it for the game, and every
/// acknowledged chain.
async fn load_kill_restart(db: &TestDatabase) -> (Node, Client, Vec<Chain>) {
    let game = create_game(db);
    let node = Node::start(db);
    let acks = Arc::new(AtomicU64::new(0));
    let api = Client::new(&node.base, &game);
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| tokio::spawn(client_load(api.clone(), c, acks.clone())))
        .collect();
    let started = Instant::now();
    tokio::time::sleep(LOAD).await;
    while acks.load(Ordering::Relaxed) < ANSWERS && started.elapsed() < MAX_LOAD {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (before, load) = (acks.load(Ordering::Relaxed), started.elapsed());
    node.sigkill();
    let mut chains = Vec::new();
    for t in tasks {
        let (mut done, errors) = t.await.expect("client task");
        assert!(errors.is_empty(), "failures under load: {errors:?}");
        chains.append(&mut done);
    }
    let refreshes: u32 = chains.iter().map(|c| c.refreshes).sum();
    let unanswered = chains.iter().filter(|c| c.unanswered).count();
    eprintln!(
        "{} sessions and {refreshes} refreshes acknowledged in {load:?} ({before} answers before the kill); \
         {unanswered} chains had a refresh unanswered at the kill",
        chains.len()
    );
    // The load was real: the kill came while clients were creating and refreshing.
    assert!(
        chains.len() >= CLIENTS && refreshes >= CLIENTS as u32,
        "too little load to test"
    );
    let restart = Instant::now();
    let node = Node::start(db);
    eprintln!("restarted in {:?}", restart.elapsed());
    let api = Client::new(&node.base, &game);
    (node, api, chains)
}

/// Runs `check` on every chain, `CLIENTS` at a time; returns the failures.
async fn check_all<F, Fut>(chains: Vec<Chain>, api: &Client, check: F) -> Vec<String>
where
    F: Fn(Client, Chain) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Option<String>> + Send + 'static,
{
    let per = chains.len().div_ceil(CLIENTS).max(1);
    let tasks: Vec<_> = chains
        .chunks(per)
        .map(|part| {
            let (part, api, check) = (part.to_vec(), api.clone(), check.clone());
            tokio::spawn(async move {
                let mut failures = Vec::new();
                for chain in part {
                    failures.extend(check(api.clone(), chain).await);
                }
                failures
            })
        })
        .collect();
    let mut failures = Vec::new();
    for t in tasks {
        failures.extend(t.await.expect("check task"));
    }
    failures
}

/// The last acknowledged access token still verifies, for its session; a chain whose last
/// request was answered still refreshes with its last refresh token; the session is still
/// the player's (create-or-retrieve returns it).
async fn check_session(api: Client, c: Chain) -> Option<String> {
    let who = format!("{} (session {}, {} refreshes)", c.user_id, c.session_id, c.refreshes);
    match api
        .post("/s2s/session/verify", &json!({ "access_token": c.access_token }))
        .await
    {
        Answer::Got(200, v) if v["valid"] == true && text(&v, "session_id") == c.session_id => {}
        Answer::Got(s, v) => return Some(format!("{who}: verify answered {s} {v}")),
        Answer::Lost => return Some(format!("{who}: verify unanswered")),
    }
    // A chain with an unanswered refresh may hold the previous token now; the refresh test
    // covers it.
    if !c.unanswered {
        let failure = refresh_failure(&api, &c, &who).await;
        if failure.is_some() {
            return failure;
        }
    }
    match api.post("/s2s/session", &json!({ "user_id": c.user_id })).await {
        Answer::Got(200, v) if v["is_new_user"] == false && text(&v, "session_id") == c.session_id => None,
        Answer::Got(s, v) => Some(format!("{who}: create-or-retrieve answered {s} {v}")),
        Answer::Lost => Some(format!("{who}: create-or-retrieve unanswered")),
    }
}

async fn acknowledged_sessions_survive_sigkill(backend: Backend) {
    let Some(db) = TestDatabase::new(backend).await else {
        return;
    };
    let (node, api, chains) = load_kill_restart(&db).await;
    let total = chains.len();
    let failures = check_all(chains, &api, check_session).await;
    assert!(
        failures.is_empty(),
        "{} of {total} acknowledged sessions did not survive the kill; first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
    drop(node);
    db.drop_it().await;
}

/// The last acknowledged refresh token of each chain still refreshes its session.
async fn check_refresh(api: Client, c: Chain) -> Option<String> {
    let who = format!(
        "{} (session {}, {} refreshes{})",
        c.user_id,
        c.session_id,
        c.refreshes,
        if c.unanswered {
            ", a refresh unanswered at the kill"
        } else {
            ""
        }
    );
    refresh_failure(&api, &c, &who).await
}

/// What is wrong, if anything, when the chain's last refresh token refreshes its session
/// (`who` names the chain).
async fn refresh_failure(api: &Client, c: &Chain, who: &str) -> Option<String> {
    match api
        .post("/s2s/session/refresh", &json!({ "refresh_token": c.refresh_token }))
        .await
    {
        Answer::Got(200, v) if text(&v, "session_id") == c.session_id => None,
        Answer::Got(s, v) => Some(format!("{who}: refresh answered {s} {v}")),
        Answer::Lost => Some(format!("{who}: refresh unanswered")),
    }
}

async fn last_acknowledged_refresh_token_works_after_sigkill(backend: Backend) {
    let Some(db) = TestDatabase::new(backend).await else {
        return;
    };
    let (node, api, chains) = load_kill_restart(&db).await;
    // The chains with an unanswered refresh first: a lost answer is forgiven only briefly.
    let (unanswered, answered): (Vec<_>, Vec<_>) = chains.into_iter().partition(|c| c.unanswered);
    let (u, a) = (unanswered.len(), answered.len());
    let lost_answer = check_all(unanswered, &api, check_refresh).await;
    let others = check_all(answered, &api, check_refresh).await;
    assert!(
        lost_answer.is_empty() && others.is_empty(),
        "chains that lost their last acknowledged refresh token: {} of {u} with a refresh \
         unanswered at the kill, {} of {a} others; first: {:#?}",
        lost_answer.len(),
        others.len(),
        lost_answer.iter().chain(&others).take(10).collect::<Vec<_>>()
    );
    drop(node);
    db.drop_it().await;
}

playgate_store::on_both_backends!(
    acknowledged_sessions_survive_sigkill,
    last_acknowledged_refresh_token_works_after_sigkill,
);
