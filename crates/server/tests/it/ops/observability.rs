//! What an operator watches: request ids (given or generated, returned, on every log line
//! of the request), no secret in any log line, and `GET /metrics` with the series the
//! README lists, open or behind a token and on a listener of its own.
//!
//! Each test here logs to a subscriber of its own writing to memory at `debug`
//! ([`Logs`]), so it reads the lines its requests wrote.

use std::collections::BTreeMap;

use crate::common::logs::Logs;
use crate::common::{Backend, TestServer, spawn_with};
use serde_json::json;

async fn start(b: Backend) -> Option<TestServer> {
    // A replaced refresh token is reuse at once (no grace period), so one presented again
    // is the refused, logged and counted case these tests look for.
    spawn_with(b, |c| c.refresh_grace_secs = 0).await
}

async fn get(srv: &TestServer, path: &str, id: Option<&str>) -> reqwest::Response {
    let mut req = srv.http.get(format!("{}{}", srv.base, path));
    if let Some(id) = id {
        req = req.header("x-request-id", id);
    }
    req.send().await.expect("send")
}

fn id_of(r: &reqwest::Response) -> String {
    r.headers()
        .get("x-request-id")
        .expect("x-request-id")
        .to_str()
        .expect("ascii")
        .to_owned()
}

async fn request_ids(b: Backend, logs: Logs) {
    let Some(srv) = start(b).await else { return };
    // A sane id the caller sends comes back as is.
    let given = format!("trace-{}", uuid::Uuid::new_v4().simple());
    assert_eq!(id_of(&get(&srv, "/healthz", Some(&given)).await), given);
    // None sent, or one too long or with spaces: a fresh one, different each time.
    let mut seen = Vec::new();
    for sent in [None, Some("x".repeat(129).as_str()), Some("two words"), Some("")] {
        let id = id_of(&get(&srv, "/healthz", sent).await);
        assert_eq!(id.len(), 32, "{id}");
        assert!(id.bytes().all(|c| c.is_ascii_hexdigit()), "{id}");
        assert!(!seen.contains(&id));
        seen.push(id);
    }
    // Also on errors and unknown routes.
    let r = get(&srv, "/no/such/route", Some("on-a-404")).await;
    assert_eq!(r.status(), 404);
    assert_eq!(id_of(&r), "on-a-404");
    let r = srv
        .http
        .post(format!("{}/s2s/session", srv.base))
        .header("x-request-id", "bad-creds")
        .header("x-client-id", "nope")
        .header("x-client-secret", "nope")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 401);
    assert_eq!(id_of(&r), "bad-creds");

    // A line the core writes while handling a request carries that request's id (the
    // handler runs on a task of its own).
    let v = srv.open(r#"{"user_id":"rid-1"}"#).await;
    let refresh = json!({ "refresh_token": v["refresh_token"] }).to_string();
    assert_eq!(
        srv.call("POST", "/s2s/session/refresh", Some(&refresh)).await.status,
        200
    );
    let rid = format!("reuse-{}", uuid::Uuid::new_v4().simple());
    let r = srv
        .http
        .post(format!("{}/s2s/session/refresh", srv.base))
        .header("x-request-id", &rid)
        .header("x-client-id", &srv.game.game.client_id)
        .header("x-client-secret", srv.game.client_secret.expose())
        .header("content-type", "application/json")
        .body(refresh)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 401);
    let text = logs.text();
    let line = text
        .lines()
        .find(|l| l.contains("refresh token reuse") && l.contains(&rid))
        .unwrap_or_else(|| panic!("no reuse line with {rid} in:\n{text}"));
    assert!(line.contains("route=\"/s2s/session/refresh\""), "{line}");
    srv.finish().await;
}

/// Every secret this test hands the server or receives from it, then none of them in
/// the log lines written meanwhile (at `debug`, so more than an operator usually sees).
async fn no_secret_in_logs(b: Backend, logs: Logs) {
    let Some(srv) = start(b).await else { return };
    let mut secrets: Vec<String> = vec![srv.game.client_secret.expose().to_owned()];
    // kgen: session, refresh, verify, a wrong secret.
    let v = srv.open(r#"{"user_id":"secret-1"}"#).await;
    for k in ["access_token", "refresh_token"] {
        secrets.push(v[k].as_str().expect("token").to_owned());
    }
    let r = srv
        .call(
            "POST",
            "/s2s/session/refresh",
            Some(&json!({ "refresh_token": v["refresh_token"] }).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    secrets.push(r.json["refresh_token"].as_str().expect("refresh").to_owned());
    secrets.push(r.json["access_token"].as_str().expect("access").to_owned());
    let verify = json!({ "access_token": r.json["access_token"] }).to_string();
    assert_eq!(srv.call("POST", "/s2s/session/verify", Some(&verify)).await.status, 200);
    let wrong = "wrong-secret-Zq8pW3xT1vN7";
    secrets.push(wrong.to_owned());
    let cid = srv.game.game.client_id.clone();
    let r = srv
        .send("POST", "/s2s/session", Some("{\"user_id\":\"x\"}"), Some((&cid, wrong)))
        .await;
    assert_eq!(r.status, 401);
    // The first refresh token again, spent: a warning inside the request's span, so the
    // capture holds a line of a request whatever else logs.
    let r = srv.kgen().refresh(v["refresh_token"].as_str().expect("refresh")).await;
    assert_eq!(r.status, 401);

    // GameFuse: sign up and sign in with a password, a wrong one, a token call.
    let gf = srv.gamefuse();
    let password = "Pa55-word-Kx93-never-logged";
    let wrong_password = "Wr0ng-Pass-Lq77-never-logged";
    secrets.extend([
        password.to_owned(),
        wrong_password.to_owned(),
        gf.game_token().to_owned(),
    ]);
    let r = gf.sign_up("logs@example.org", "logs", password).await;
    assert_eq!(r.status, 200);
    secrets.push(r.json["authentication_token"].as_str().expect("token").to_owned());
    // GameFuse answers a wrong password 404, as its seed does.
    assert_eq!(gf.sign_in("logs@example.org", wrong_password).await.status, 404);
    let r = gf.sign_in("logs@example.org", password).await;
    assert_eq!(r.status, 200);
    let token = r.json["authentication_token"].as_str().expect("token").to_owned();
    secrets.push(token.clone());
    let path = format!("/users/{}", r.json["id"]);
    let r = srv.gamefuse().signed_in(&token).request("GET", &path).send().await;
    assert_eq!(r.status, 200);

    // i3D: an account's password, an API key, a wrong and a right login, a logged-in call.
    let i3d_password = "I3d-Pass-Mm41-never-logged";
    let i3d_wrong = "I3d-Wrong-Tt58-never-logged";
    srv.i3d_account("logs-account", i3d_password).await;
    let key = srv.i3d_key().await;
    secrets.extend([i3d_password.to_owned(), i3d_wrong.to_owned(), key.clone()]);
    let i3d = srv.i3d(&key);
    assert_eq!(i3d.login("logs-account", i3d_wrong).await.status, 401);
    assert_eq!(i3d.login("logs-account", i3d_password).await.status, 200);
    assert_eq!(i3d.user().await.status, 200);
    srv.finish().await;

    let text = logs.text();
    assert!(text.contains("request{id="), "the capture works: {text}");
    for s in &secrets {
        assert!(s.len() >= 16, "a secret too short to search for: {s}");
        assert!(!text.contains(s.as_str()), "a secret in the logs: {s}");
    }
}

/// The samples of one exposition, by series and labels.
type Samples = BTreeMap<String, f64>;

/// The samples of an exposition: `name{labels}` → value.
fn samples(text: &str) -> Samples {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (key, value) = l.rsplit_once(' ').unwrap_or_else(|| panic!("sample line: {l}"));
            (key.to_owned(), value.parse().unwrap_or_else(|_| panic!("value: {l}")))
        })
        .collect()
}

fn sample(s: &Samples, key: &str) -> f64 {
    *s.get(key)
        .unwrap_or_else(|| panic!("no {key} in {:#?}", s.keys().collect::<Vec<_>>()))
}

async fn scrape(url: &str, token: Option<&str>) -> (u16, String) {
    let mut req = reqwest::Client::new().get(format!("{url}/metrics"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.expect("scrape");
    (r.status().as_u16(), r.text().await.expect("body"))
}

/// After a few KGeN and GameFuse requests, `/metrics` (OpenMetrics) holds the HTTP,
/// domain, storage and process series with what happened counted in.
async fn metrics_after_a_few_requests(b: Backend, _logs: Logs) {
    let Some(srv) = start(b).await else { return };
    let sid = a_few_requests(&srv).await;
    let (status, text) = scrape(&srv.base, None).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.ends_with("# EOF\n"), "{text}");
    let s = samples(&text);
    http_series_count_the_requests(&s, &text, &sid);
    domain_series_count_what_happened(&s);
    storage_series_of_the_backend(&s, b, &srv);
    process_series_and_build_info(&s, &text);
    srv.finish().await;
}

/// Three sessions opened (one of them the live one again), one refresh and its reuse, one
/// session ended, a failed GameFuse sign-in. The ended session's id.
async fn a_few_requests(srv: &TestServer) -> String {
    srv.open(r#"{"user_id":"m-1"}"#).await;
    // The live session again, with fresh tokens (the first pair's refresh token is spent).
    let v = srv.open(r#"{"user_id":"m-1"}"#).await;
    let refresh = json!({ "refresh_token": v["refresh_token"] }).to_string();
    assert_eq!(
        srv.call("POST", "/s2s/session/refresh", Some(&refresh)).await.status,
        200
    );
    assert_eq!(
        srv.call("POST", "/s2s/session/refresh", Some(&refresh)).await.status,
        401
    );
    let w = srv.open(r#"{"user_id":"m-2"}"#).await;
    let sid = w["session_id"].as_str().expect("session id").to_owned();
    let r = srv.call("DELETE", &format!("/s2s/session/{sid}"), None).await;
    assert!(r.status < 300, "end: {} {}", r.status, r.text);
    // A wrong GameFuse sign-in: a failed login.
    let r = srv.gamefuse().sign_in("nobody@example.org", "not-the-password").await;
    assert_eq!(r.status, 404);
    sid
}

/// Requests and their durations by dialect, route template (never the raw path) and
/// status class.
fn http_series_count_the_requests(s: &Samples, text: &str, sid: &str) {
    let kgen = |route: &str, class: &str| format!("{{dialect=\"kgen\",route=\"{route}\",status=\"{class}\"}}");
    assert_eq!(
        sample(
            s,
            &format!("playgate_http_requests_total{}", kgen("/s2s/session", "2xx"))
        ),
        3.0
    );
    assert_eq!(
        sample(
            s,
            &format!("playgate_http_requests_total{}", kgen("/s2s/session/refresh", "4xx"))
        ),
        1.0
    );
    assert_eq!(
        sample(
            s,
            &format!(
                "playgate_http_request_duration_seconds_count{}",
                kgen("/s2s/session", "2xx")
            )
        ),
        3.0
    );
    let sum = sample(
        s,
        &format!(
            "playgate_http_request_duration_seconds_sum{}",
            kgen("/s2s/session", "2xx")
        ),
    );
    assert!(sum > 0.0 && sum < 30.0, "{sum}");
    let inf = "playgate_http_request_duration_seconds_bucket{le=\"+Inf\",dialect=\"kgen\",route=\"/s2s/session\",status=\"2xx\"}";
    assert_eq!(sample(s, inf), 3.0);
    // The route is the template, never the raw path with its id.
    assert!(!text.contains(sid), "raw path in the labels:\n{text}");
    assert_eq!(
        sample(
            s,
            &format!(
                "playgate_http_requests_total{}",
                kgen("/s2s/session/{session_id}", "2xx")
            )
        ),
        1.0
    );
    let gf = "{dialect=\"gamefuse\",route=\"/api/v3/sessions\",status=\"4xx\"}";
    assert_eq!(sample(s, &format!("playgate_http_requests_total{gf}")), 1.0);
}

/// Sessions, refreshes, reuse, logins, OTP failures, password hashing, GameFuse tallies.
fn domain_series_count_what_happened(s: &Samples) {
    assert_eq!(sample(s, "playgate_sessions_opened_total{kind=\"new\"}"), 2.0);
    assert_eq!(sample(s, "playgate_sessions_opened_total{kind=\"existing\"}"), 1.0);
    assert_eq!(sample(s, "playgate_sessions_refreshed_total"), 1.0);
    assert_eq!(sample(s, "playgate_refresh_reuse_detected_total"), 1.0);
    assert_eq!(sample(s, "playgate_sessions_ended_total"), 1.0);
    assert_eq!(
        sample(s, "playgate_logins_total{dialect=\"gamefuse\",outcome=\"failed\"}"),
        1.0
    );
    assert_eq!(
        sample(s, "playgate_logins_total{dialect=\"gamefuse\",outcome=\"succeeded\"}"),
        0.0
    );
    assert_eq!(
        sample(s, "playgate_logins_total{dialect=\"i3d\",outcome=\"locked_out\"}"),
        0.0
    );
    assert_eq!(sample(s, "playgate_otp_failures_total"), 0.0);
    assert_eq!(sample(s, "playgate_password_hashes_running"), 0.0);
    assert_eq!(sample(s, "playgate_password_hashes_queued"), 0.0);
    assert_eq!(sample(s, "playgate_password_hashes_refused_total"), 0.0);
    assert!(sample(s, "playgate_gamefuse_tally_flushes_total{outcome=\"ok\"}") >= 0.0);
    assert_eq!(
        sample(s, "playgate_gamefuse_tally_flushes_total{outcome=\"error\"}"),
        0.0
    );
}

/// The backend's own series (SQLite's writer and readers, PostgreSQL's pool) and the
/// statement errors by kind.
fn storage_series_of_the_backend(s: &Samples, b: Backend, srv: &TestServer) {
    match b {
        Backend::Sqlite => {
            assert_eq!(sample(s, "playgate_sqlite_writer_queue_depth"), 0.0);
            assert!(sample(s, "playgate_sqlite_writer_batch_size_count") >= 1.0);
            assert!(sample(s, "playgate_sqlite_writer_commit_seconds_count") >= 1.0);
            assert!(sample(s, "playgate_sqlite_writer_commit_seconds_sum") > 0.0);
            // A background job (the key check) may hold one at the moment of the scrape.
            let in_use = sample(s, "playgate_db_connections{pool=\"sqlite_readers\",state=\"in_use\"}");
            assert!((0.0..=1.0).contains(&in_use), "{in_use}");
            assert!(sample(s, "playgate_db_connections{pool=\"sqlite_readers\",state=\"idle\"}") >= 1.0);
        }
        Backend::Postgres => {
            // Background jobs (key check, failure pruning, the event flush) may hold
            // connections at the moment of the scrape.
            let cap = [
                // Room for twice the lanes: a closed one is replaced before it is returned.
                ("postgres_reads", 2 * srv.config.database_read_connections),
                ("postgres_writes", srv.config.database_max_connections),
            ];
            for (pool, size) in cap {
                let in_use = sample(
                    s,
                    &format!("playgate_db_connections{{pool=\"{pool}\",state=\"in_use\"}}"),
                );
                assert!((0.0..=f64::from(size)).contains(&in_use), "{pool}: {in_use}");
                let idle = sample(s, &format!("playgate_db_connections{{pool=\"{pool}\",state=\"idle\"}}"));
                assert!((0.0..=f64::from(size)).contains(&idle), "{pool}: {idle}");
                // Counted, not asserted: whether a statement found no idle connection
                // depends on the background jobs' timing.
                assert!(sample(s, &format!("playgate_db_pool_waits_total{{pool=\"{pool}\"}}")) >= 0.0);
            }
            // Reads and writes both ran: each pool opened a connection.
            let opened = |pool: &str| {
                ["in_use", "idle"]
                    .map(|state| {
                        sample(
                            s,
                            &format!("playgate_db_connections{{pool=\"{pool}\",state=\"{state}\"}}"),
                        )
                    })
                    .iter()
                    .sum::<f64>()
            };
            assert!(opened("postgres_reads") >= 1.0 && opened("postgres_writes") >= 1.0);
        }
    }

    for kind in ["conflict", "database", "connection", "other"] {
        assert!(sample(s, &format!("playgate_db_statement_errors_total{{kind=\"{kind}\"}}")) >= 0.0);
    }
}

/// The process's memory, CPU, descriptors and uptime; the build's version and commit.
fn process_series_and_build_info(s: &Samples, text: &str) {
    assert!(sample(s, "process_resident_memory_bytes") > 1e6);
    assert!(sample(s, "process_cpu_seconds_total") > 0.0);
    assert!(sample(s, "process_open_fds") >= 3.0);
    let up = sample(s, "playgate_uptime_seconds");
    assert!((0.0..600.0).contains(&up), "{up}");
    let build = s
        .iter()
        .find(|(k, _)| k.starts_with("playgate_build_info{"))
        .unwrap_or_else(|| panic!("no build info:\n{text}"));
    assert!(
        build.0.contains(&format!("version=\"{}\"", env!("CARGO_PKG_VERSION"))),
        "{}",
        build.0
    );
    assert!(build.0.contains("commit=\""), "{}", build.0);
    assert_eq!(*build.1, 1.0);
}

async fn metrics_behind_a_token_on_their_own_listener(b: Backend, _logs: Logs) {
    let token = "metrics-token-0123456789abcdef";
    let Some(srv) = spawn_with(b, |c| {
        c.metrics_token = Some(token.into());
        c.metrics_listen = Some("127.0.0.1:0".parse().expect("addr"));
    })
    .await
    else {
        return;
    };
    srv.open(r#"{"user_id":"t-1"}"#).await;
    // Not on the main listener when it has its own.
    assert_eq!(get(&srv, "/metrics", None).await.status(), 404);
    let url = format!("http://{}", srv.running.metrics_addr.expect("metrics address"));
    assert_eq!(scrape(&url, None).await.0, 401);
    assert_eq!(scrape(&url, Some("metrics-token-wrong")).await.0, 401);
    let (status, text) = scrape(&url, Some(token)).await;
    assert_eq!(status, 200, "{text}");
    let s = samples(&text);
    assert_eq!(
        sample(
            &s,
            "playgate_http_requests_total{dialect=\"kgen\",route=\"/s2s/session\",status=\"2xx\"}"
        ),
        1.0
    );
    srv.finish().await;

    // On the main listener, with the token too.
    let Some(srv) = spawn_with(b, |c| c.metrics_token = Some(token.into())).await else {
        return;
    };
    assert_eq!(scrape(&srv.base, None).await.0, 401);
    assert_eq!(scrape(&srv.base, Some(token)).await.0, 200);
    srv.finish().await;
}

playgate_store::on_both_backends!(
    crate::common::logs::logged =>
    request_ids,
    no_secret_in_logs,
    metrics_after_a_few_requests,
    metrics_behind_a_token_on_their_own_listener,
);
