//! Hostile clients and failing neighbours, on both backends: a head trickled byte by byte
//! and an idle keep-alive connection are closed after their timeouts; idle connections
//! beyond the cap do not keep a client out; bodies over the limit are 413 and unknown
//! routes, wrong methods and bad paths answer in each dialect's error format; GameFuse
//! free-form values are capped; and with PostgreSQL unreachable every dialect answers 503
//! with `Retry-After` within about a second, and recovers as soon as it returns.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::common::{Backend, Resp, TestServer, assert_error, cheap_hashes, spawn_with};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

const ADMIN: &str = "admin-token-0123456789";

async fn req(srv: &TestServer, method: &str, path: &str, headers: &[(&str, &str)], body: Option<String>) -> Resp {
    srv.request(method, path)
        .headers(headers)
        .body_opt(body.as_deref())
        .send()
        .await
}

fn assert_kgen(r: &Resp, status: u16, code: &str) {
    assert_error(r, status, code, None);
}

fn assert_i3d(r: &Resp, status: u16, code: i64) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.json["errorCode"], code, "{}", r.text);
    assert!(
        r.json["errorMessage"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        r.text
    );
    assert!(r.json["errors"].is_array(), "{}", r.text);
}

/// A GameFuse validation failure: 400, or 422 where the route answers invalid data so.
fn assert_gamefuse_invalid(r: &Resp) {
    assert!(r.status == 400 || r.status == 422, "{} {}", r.status, r.text);
    assert_gamefuse(r, r.status);
}

fn assert_gamefuse(r: &Resp, status: u16) {
    assert_eq!(r.status, status, "{}", r.text);
    assert!(r.content_type().starts_with("text/plain"), "{}", r.content_type());
    assert!(!r.text.trim().is_empty());
}

/// Reads until the server closes the connection; `None` if it is still open after `max`.
async fn closed_within(s: &mut TcpStream, max: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        let left = max.checked_sub(start.elapsed())?;
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some(start.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

/// A head sent one byte every 100 ms is cut off after the header-read timeout (1 s here),
/// though bytes keep coming; a keep-alive connection with no request is closed after the
/// idle timeout (3 s here), and one that answered a request too.
async fn slow_heads_and_idle_connections(b: Backend) {
    let Some(srv) = spawn_with(b, |c| {
        c.header_read_timeout_secs = 1;
        c.idle_timeout_secs = 3;
    })
    .await
    else {
        return;
    };
    let addr = srv.running.addr;
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let head =
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    let start = Instant::now();
    let mut cut = None;
    for byte in head.iter().take(head.len() - 2) {
        if s.write_all(&[*byte]).await.is_err() {
            cut = Some(start.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let cut = match cut {
        Some(t) => t,
        None => {
            let closed = closed_within(&mut s, Duration::from_secs(5)).await;
            assert!(closed.is_some(), "a trickled head must be cut off");
            start.elapsed()
        }
    };
    assert!(
        cut >= Duration::from_millis(900) && cut < Duration::from_millis(2000),
        "trickled head cut after {cut:?}"
    );

    // Idle from the start: closed after the idle timeout (not the shorter head timeout).
    let mut idle = TcpStream::connect(addr).await.expect("connect");
    let t = closed_within(&mut idle, Duration::from_secs(6)).await;
    let t = t.expect("an idle connection must be closed");
    assert!(
        t >= Duration::from_millis(1800) && t < Duration::from_millis(4000),
        "{t:?}"
    );

    // Idle after an answer.
    let mut ka = TcpStream::connect(addr).await.expect("connect");
    ka.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut buf = vec![0u8; 512];
    let n = ka.read(&mut buf).await.expect("read");
    assert!(
        buf[..n].starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
    let t = closed_within(&mut ka, Duration::from_secs(7)).await;
    assert!(t.is_some_and(|t| t >= Duration::from_millis(2800)), "{t:?}");
    srv.finish().await;
}

/// A body trickled slower than the request timeout (1 s here) is answered 503 in the
/// dialect's format with `Retry-After`, and the connection is closed.
async fn slow_body_hits_the_request_timeout(b: Backend) {
    let Some(srv) = spawn_with(b, |c| c.request_timeout_secs = 1).await else {
        return;
    };
    let mut s = TcpStream::connect(srv.running.addr).await.expect("connect");
    let head = format!(
        "POST /s2s/session HTTP/1.1\r\nHost: x\r\nx-client-id: {}\r\nx-client-secret: {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{",
        srv.game.game.client_id,
        srv.game.client_secret.expose()
    );
    s.write_all(head.as_bytes()).await.expect("write");
    let start = Instant::now();
    let mut raw = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        let _ = s.write_all(b" ").await;
        match tokio::time::timeout(Duration::from_millis(200), s.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => break,
            Ok(Ok(n)) => raw.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "no answer: {}",
            String::from_utf8_lossy(&raw)
        );
    }
    let text = String::from_utf8_lossy(&raw).to_string();
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    let lower = text.to_ascii_lowercase();
    assert!(
        lower.contains("retry-after: 1") && lower.contains("connection: close"),
        "{text}"
    );
    assert!(text.contains(r#""error":"unavailable""#), "{text}");
    assert!(start.elapsed() < Duration::from_secs(3), "{:?}", start.elapsed());
    srv.finish().await;
}

/// With the cap at 8, 30 idle connections (and 5 stalled halfway through a head) do not
/// keep a client out: the idlest are closed to make room.
async fn idle_connections_beyond_the_cap(b: Backend) {
    let Some(srv) = spawn_with(b, |c| c.max_connections = 8).await else {
        return;
    };
    let addr = srv.running.addr;
    let mut idle = Vec::new();
    for i in 0..35 {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        if i % 7 == 0 {
            s.write_all(b"POST /s2s/session HTTP/1.1\r\nHost: x\r\n")
                .await
                .expect("write");
        }
        idle.push(s);
    }
    let start = Instant::now();
    let r = req(&srv, "GET", "/readyz", &[], None).await;
    assert_eq!((r.status, r.text.as_str()), (200, "ready"));
    let body = json!({"user_id": "p1"}).to_string();
    let creds = [
        ("x-client-id", srv.game.game.client_id.clone()),
        ("x-client-secret", srv.game.client_secret.expose().to_owned()),
    ];
    let creds: Vec<(&str, &str)> = creds.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = req(&srv, "POST", "/s2s/session", &creds, Some(body)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(start.elapsed() < Duration::from_secs(3), "{:?}", start.elapsed());
    // Most of the idle connections were closed to stay within the cap.
    let mut closed = 0;
    for s in &mut idle {
        if closed_within(s, Duration::from_millis(20)).await.is_some() {
            closed += 1;
        }
    }
    assert!(closed >= 35 - 8, "{closed} closed");
    srv.finish().await;
}

/// Bodies over the limit are 413 in every dialect's format (they were 400).
async fn bodies_over_the_limit(b: Backend) {
    let Some(srv) = spawn_with(b, |c| {
        c.max_body_bytes = 1024;
        c.admin_token = Some(ADMIN.into());
    })
    .await
    else {
        return;
    };
    let big = json!({"user_id": "p1", "pad": "x".repeat(2000)}).to_string();
    let creds = [
        ("x-client-id", srv.game.game.client_id.clone()),
        ("x-client-secret", srv.game.client_secret.expose().to_owned()),
    ];
    let creds: Vec<(&str, &str)> = creds.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = req(&srv, "POST", "/s2s/session", &creds, Some(big.clone())).await;
    assert_kgen(&r, 413, "payload_too_large");
    let r = req(&srv, "POST", "/s2s/session/refresh", &creds, Some(big.clone())).await;
    assert_kgen(&r, 413, "payload_too_large");
    let key = srv.i3d_key().await;
    let r = req(
        &srv,
        "POST",
        "/v3/session/login",
        &[("private-token", key.as_str())],
        Some(big.clone()),
    )
    .await;
    assert_i3d(&r, 413, 10008);
    let r = req(&srv, "POST", "/api/v3/sessions", &[], Some(big.clone())).await;
    assert_gamefuse(&r, 413);
    // Multipart, as the SDKs send it.
    let form = reqwest::multipart::Form::new().text("email", "x".repeat(2000));
    let resp = srv
        .http
        .post(format!("{}/api/v3/sessions", srv.base))
        .multipart(form)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 413);
    let admin = srv.admin(ADMIN);
    let r = admin.post("/admin/accounts", &big).await;
    assert_kgen(&r, 413, "payload_too_large");
    let game = srv.game.game.id.0;
    let r = admin
        .call("PUT", &format!("/admin/gamefuse/games/{game}/variables/k"), Some(&big))
        .await;
    assert_kgen(&r, 413, "payload_too_large");
    srv.finish().await;
}

/// Unknown routes, wrong methods and undecodable paths answer in the dialect's format (they
/// were empty or plain text), `/admin` included, with and without an admin token.
async fn routing_failures_in_each_format(b: Backend) {
    let Some(srv) = spawn_with(b, |c| c.admin_token = Some(ADMIN.into())).await else {
        return;
    };
    let admin = srv.admin(ADMIN);
    let r = req(&srv, "GET", "/s2s/nothing", &[], None).await;
    assert_kgen(&r, 404, "not_found");
    assert_eq!(
        r.headers.get("content-length").and_then(|v| v.to_str().ok()),
        Some(r.text.len().to_string().as_str()),
        "sized, not chunked"
    );
    let r = req(&srv, "GET", "/s2s/session", &[], None).await;
    assert_kgen(&r, 405, "method_not_allowed");
    assert!(r.headers.get("allow").is_some(), "Allow kept");
    let r = srv.kgen().end("%FF%FE").await;
    assert_kgen(&r, 400, "invalid_request");
    assert_i3d(&req(&srv, "GET", "/v3/nothing", &[], None).await, 404, 10001);
    assert_i3d(&req(&srv, "GET", "/v3/session/login", &[], None).await, 405, 10007);
    assert_gamefuse(&req(&srv, "GET", "/api/v3/nothing", &[], None).await, 404);
    // The whole admin API, game data included, answers in one format.
    assert_kgen(&admin.get("/admin/gamefuse/nothing").await, 404, "not_found");
    let variables = format!("/admin/gamefuse/games/{}/variables", srv.game.game.id.0);
    assert_kgen(&admin.call("POST", &variables, None).await, 405, "method_not_allowed");
    assert_kgen(&admin.get("/admin/nothing").await, 404, "not_found");
    assert_kgen(&admin.get("/admin/accounts").await, 405, "method_not_allowed");
    srv.finish().await;
    // No admin token: the admin API does not exist, in its own format.
    let Some(srv) = spawn_with(b, |_| {}).await else { return };
    assert_kgen(
        &req(&srv, "POST", "/admin/accounts", &[], Some("{}".into())).await,
        404,
        "not_found",
    );
    assert_kgen(&req(&srv, "GET", "/admin/nothing", &[], None).await, 404, "not_found");
    srv.finish().await;
}

/// A server with cheap hashes and Ann signed up and in on GameFuse: her id and token.
struct Ann {
    srv: TestServer,
    id: i64,
    token: String,
}

impl Ann {
    /// Starts the server and signs Ann up and in (JSON bodies).
    async fn on_gamefuse(b: Backend) -> Option<Ann> {
        let srv = spawn_with(b, cheap_hashes).await?;
        let r = srv.gamefuse().sign_up_json("ann").await;
        assert_eq!(r.status, 200, "{}", r.text);
        let id = r.json["id"].as_i64().expect("id");
        let r = srv.gamefuse().sign_in_json("ann@example.org").await;
        let token = r.json["authentication_token"].as_str().expect("token").to_owned();
        Some(Ann { srv, id, token })
    }

    /// `method /api/v3{path}` with Ann's token and a JSON body if any.
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let auth = [("authentication-token", self.token.as_str())];
        let body = body.map(|b| b.to_string());
        req(&self.srv, method, &format!("/api/v3{path}"), &auth, body).await
    }
}

/// Round metadata is capped at 64 KiB like user attributes (it took anything up to the body
/// limit): refused on create and on update, which changes nothing.
async fn gamefuse_round_metadata_is_capped(b: Backend) {
    let Some(ann) = Ann::on_gamefuse(b).await else {
        return;
    };
    let huge = "x".repeat(70_000);
    let round =
        |metadata: Value| json!({"game_round": {"game_type": "solo", "game_user_id": ann.id, "metadata": metadata}});
    let r = ann
        .call("POST", "/game_rounds", Some(round(json!({"blob": huge}))))
        .await;
    assert_gamefuse_invalid(&r);
    assert!(r.text.contains("metadata"), "{}", r.text);
    let r = ann.call("POST", "/game_rounds", Some(round(json!({"level": 2})))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["id"].as_i64().expect("id");
    let huge_update = json!({"game_round": {"metadata": {"blob": huge}}});
    let r = ann.call("PUT", &format!("/game_rounds/{id}"), Some(huge_update)).await;
    assert_gamefuse_invalid(&r);
    let r = ann.call("GET", &format!("/game_rounds/{id}"), None).await;
    assert_eq!(r.json["metadata"], json!({"level": 2}), "unchanged");
    ann.srv.finish().await;
}

/// Group attribute values are capped at 64 KiB like user attributes (they took anything up
/// to the body limit): refused when added and when modified, which changes nothing.
async fn gamefuse_group_attribute_values_are_capped(b: Backend) {
    let Some(ann) = Ann::on_gamefuse(b).await else {
        return;
    };
    let huge = "x".repeat(70_000);
    let group = json!({"group": {"name": "g", "can_auto_join": true, "is_invite_only": false,
        "max_group_size": 9, "admins_only_can_create_attributes": false}});
    let r = ann.call("POST", "/groups", Some(group)).await;
    let g = r.json["id"].as_i64().expect("group id");
    let add = |v: &str| Some(json!({"attributes": [{"key": "k", "value": v, "others_can_edit": true}]}));
    let r = ann
        .call("POST", &format!("/groups/{g}/add_attribute"), add(&huge))
        .await;
    assert_gamefuse_invalid(&r);
    let r = ann.call("POST", &format!("/groups/{g}/add_attribute"), add("ok")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let modify = json!({"key": "k", "value": huge});
    let r = ann
        .call("PATCH", &format!("/groups/{g}/modify_attribute"), Some(modify))
        .await;
    assert_gamefuse_invalid(&r);
    let r = ann.call("GET", &format!("/groups/{g}/attributes"), None).await;
    assert_eq!(r.json[0]["value"], "ok", "unchanged: {}", r.text);
    ann.srv.finish().await;
}

/// A TCP relay between the server and PostgreSQL that the test can cut (every connection
/// broken, new ones closed at once) and restore, while PostgreSQL itself stays up.
struct Relay {
    addr: std::net::SocketAddr,
    cut: Arc<AtomicBool>,
    pipes: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Relay {
    async fn start(upstream: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let cut = Arc::new(AtomicBool::new(false));
        let pipes: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (c, p) = (cut.clone(), pipes.clone());
        let accept = tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    continue;
                };
                if c.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let upstream = upstream.clone();
                p.lock().await.push(tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                }));
            }
        });
        Relay {
            addr,
            cut,
            pipes,
            accept,
        }
    }

    async fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for p in self.pipes.lock().await.drain(..) {
            p.abort();
        }
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

/// With PostgreSQL unreachable, each dialect answers 503 with `Retry-After` in its format
/// within about a second (they waited 10 s), `/readyz` is 503 at once, and everything works
/// again as soon as the database is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_outage() {
    let Some((srv, relay)) = a_server_behind_a_relay().await else {
        return;
    };
    let creds = [
        ("x-client-id", srv.game.game.client_id.clone()),
        ("x-client-secret", srv.game.client_secret.expose().to_owned()),
    ];
    let creds: Vec<(&str, &str)> = creds.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let open = json!({"user_id": "p1"}).to_string();
    assert_eq!(
        req(&srv, "POST", "/s2s/session", &creds, Some(open.clone()))
            .await
            .status,
        200
    );
    let key = srv.i3d_key().await;
    let game = srv.game.game.id.0;
    let verify = format!(
        "/api/v3/games/verify?game_id={game}&game_token={}",
        srv.game.game.gamefuse_token
    );

    relay.cut().await;
    every_dialect_answers_503_at_once(&srv, &creds, key.as_str(), &verify).await;

    relay.restore();
    let start = Instant::now();
    loop {
        let r = req(&srv, "GET", "/readyz", &[], None).await;
        if r.status == 200 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "not ready again after {:?}",
            start.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let r = req(&srv, "POST", "/s2s/session", &creds, Some(open)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(req(&srv, "GET", &verify, &[], None).await.status, 200);
    srv.finish().await;
    relay.accept.abort();
}

/// A server on PostgreSQL (None when it is not configured) reaching it through a relay
/// the test can cut; the admin token set.
async fn a_server_behind_a_relay() -> Option<(TestServer, Relay)> {
    let Ok(base) = std::env::var("PLAYGATE_TEST_POSTGRES_URL") else {
        eprintln!("skipped: PLAYGATE_TEST_POSTGRES_URL is not set");
        return None;
    };
    let url = reqwest::Url::parse(&base).expect("postgres url");
    let upstream = format!(
        "{}:{}",
        url.host_str().unwrap_or("127.0.0.1"),
        url.port().unwrap_or(5432)
    );
    let relay = Relay::start(upstream.clone()).await;
    let relayed = relay.addr.to_string();
    let srv = spawn_with(Backend::Postgres, |c| {
        c.admin_token = Some(ADMIN.into());
        c.database_url = c
            .database_url
            .as_ref()
            .map(|u| u.replacen(&upstream, &relayed, 1).into());
        assert!(
            c.database_url.as_deref().is_some_and(|u| u.contains(&relayed)),
            "{:?}",
            c.database_url
        );
    })
    .await?;
    Some((srv, relay))
}

/// The database cut: KGeN, i3D (with `key`, a valid API key), GameFuse and the admin API answer 503 with `Retry-After: 1`
/// in their formats within about a second; `/readyz` is 503 at once.
async fn every_dialect_answers_503_at_once(srv: &TestServer, creds: &[(&str, &str)], key: &str, verify: &str) {
    let open = json!({"user_id": "p1"}).to_string();
    let timed = async |method: &str, path: &str, headers: &[(&str, &str)], body: Option<String>| {
        let start = Instant::now();
        let r = req(srv, method, path, headers, body).await;
        let took = start.elapsed();
        assert!(took < Duration::from_millis(1800), "{path} took {took:?}");
        assert_eq!(
            r.headers.get("retry-after").and_then(|v| v.to_str().ok()),
            Some("1"),
            "{path}: {}",
            r.text
        );
        r
    };
    let r = timed("POST", "/s2s/session", creds, Some(open.clone())).await;
    assert_kgen(&r, 503, "unavailable");
    let start = Instant::now();
    let r = req(srv, "GET", "/readyz", &[], None).await;
    assert_eq!(r.status, 503);
    assert!(
        start.elapsed() < Duration::from_millis(300),
        "readyz took {:?}",
        start.elapsed()
    );
    let login = json!({"userName": "ann", "password": "password-1234"}).to_string();
    let r = timed("POST", "/v3/session/login", &[("private-token", key)], Some(login)).await;
    assert_i3d(&r, 503, 10009);
    let r = timed("GET", verify, &[], None).await;
    assert_gamefuse(&r, 503);
    let bearer = format!("Bearer {ADMIN}");
    let account = json!({"userName": "carol", "password": "password-1234", "email": "carol@example.com"}).to_string();
    let r = timed(
        "POST",
        "/admin/accounts",
        &[("authorization", bearer.as_str())],
        Some(account),
    )
    .await;
    assert_kgen(&r, 503, "unavailable");
    let r = timed("POST", "/s2s/session", creds, Some(open)).await;
    assert_kgen(&r, 503, "unavailable");
}

playgate_store::on_both_backends!(
    slow_heads_and_idle_connections,
    slow_body_hits_the_request_timeout,
    idle_connections_beyond_the_cap,
    bodies_over_the_limit,
    routing_failures_in_each_format,
    gamefuse_round_metadata_is_capped,
    gamefuse_group_attribute_values_are_capped,
);
