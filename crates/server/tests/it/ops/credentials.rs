//! Brute-force limits across the dialects: every credential check (admin token, i3D API
//! key, KGeN client secret, GameFuse service key and test-suite key) sits behind one
//! per-address failure limiter that is consulted before the credential, and the failure
//! counters keep no typed name in clear and lose their expired windows.

use std::time::Duration;

use crate::common::{self, Backend, TestServer, spawn_with};
use crate::i3d::schema;
use playgate_server::config::Config;
use serde_json::json;

const ADMIN: &str = "admin-token-0123456789";
const SUITE_NAME: &str = "suite";
const SUITE_TOKEN: &str = "suite-token-0123456789";
/// Failed credential checks allowed per address and window in these tests.
const LIMIT: u32 = 3;

fn config(c: &mut Config) {
    c.auth_failure_limit = LIMIT;
    c.auth_failure_window_secs = 60;
    c.admin_token = Some(ADMIN.into());
    c.test_suite_key_name = Some(SUITE_NAME.into());
    c.test_suite_key_token = Some(SUITE_TOKEN.into());
    c.password_hash_memory_kib = 1024;
    c.password_hash_iterations = 1;
}

async fn server(b: Backend) -> Option<TestServer> {
    spawn_with(b, config).await
}

/// Status, `Retry-After` and body of a response.
struct Answer {
    status: u16,
    retry_after: Option<u64>,
    text: String,
}

async fn send(rb: reqwest::RequestBuilder) -> Answer {
    let (client, req) = rb.build_split();
    let req = req.expect("request");
    let (method, path) = (req.method().as_str().to_owned(), req.url().path().to_owned());
    let r = client.execute(req).await.expect("send");
    let status = r.status().as_u16();
    let retry_after = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let headers = r.headers().clone();
    let text = r.text().await.expect("body");
    // Every i3D answer against i3D's published document, as in the i3d tests.
    if let Err(e) = schema::check(&method, &path, status, &text) {
        panic!("{e}");
    }
    // And every answer against Playgate's own documents.
    common::openapi::assert_documented(&method, &path, status, &headers, &text);
    Answer {
        status,
        retry_after,
        text,
    }
}

/// The rule for one credential kind. `attempt(true)` presents the right credential and is
/// answered `ok`; `attempt(false)` a wrong one (401). After `LIMIT` failures the address
/// is refused 429 with `Retry-After` whatever it presents, the right credential included;
/// once the window is over the right credential works again.
async fn locks_out<F>(srv: &TestServer, ok: u16, attempt: F)
where
    F: Fn(bool) -> reqwest::RequestBuilder,
{
    let a = send(attempt(true)).await;
    assert_eq!(a.status, ok, "right credential: {}", a.text);
    for n in 1..=LIMIT {
        let a = send(attempt(false)).await;
        assert_eq!(a.status, 401, "wrong credential #{n}: {}", a.text);
    }
    let a = send(attempt(false)).await;
    assert_eq!(a.status, 429, "wrong credential past the limit: {}", a.text);
    let a = send(attempt(true)).await;
    assert_eq!(a.status, 429, "right credential from a locked-out address: {}", a.text);
    let retry = a.retry_after.expect("Retry-After");
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    srv.advance(Duration::from_secs(retry));
    let a = send(attempt(true)).await;
    assert_eq!(a.status, ok, "right credential after the window: {}", a.text);
}

/// A KGeN call with a client id that names no game.
fn unknown_client(srv: &TestServer) -> reqwest::RequestBuilder {
    srv.http
        .post(url(srv, "/s2s/session"))
        .header("x-client-id", "0000000000")
        .header("x-client-secret", "x")
        .json(&json!({"user_id": "u1"}))
}

fn url(srv: &TestServer, path: &str) -> String {
    format!("{}{path}", srv.base)
}

fn bearer(right: bool) -> &'static str {
    if right { ADMIN } else { "admin-token-0123456788" }
}

async fn admin_token(b: Backend) {
    let Some(srv) = server(b).await else { return };
    locks_out(&srv, 201, |right| {
        srv.http
            .post(url(&srv, "/admin/api-keys"))
            .bearer_auth(bearer(right))
            .json(&json!({"label": "ci"}))
    })
    .await;
    srv.finish().await;
}

async fn admin_token_of_gamefuse_admin_api(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let path = format!("/admin/gamefuse/games/{}/variables", srv.game.game.id.0);
    locks_out(&srv, 200, |right| {
        srv.http.get(url(&srv, &path)).bearer_auth(bearer(right))
    })
    .await;
    srv.finish().await;
}

/// A new i3D API key, made through the admin API.
async fn api_key(srv: &TestServer) -> String {
    let r = srv.admin(ADMIN).post("/admin/api-keys", r#"{"label": "test"}"#).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json["key"].as_str().expect("key").to_owned()
}

async fn i3d_api_key(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let key = api_key(&srv).await;
    // With a valid key an empty login body is a 400 (the key passed).
    locks_out(&srv, 400, |right| {
        srv.http
            .post(url(&srv, "/v3/session/login"))
            .header("PRIVATE-TOKEN", if right { key.as_str() } else { "pgk_wrong" })
            .json(&json!({}))
    })
    .await;
    srv.finish().await;
}

async fn kgen_client_secret(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let id = srv.game.game.client_id.clone();
    let secret = srv.game.client_secret.expose().to_owned();
    locks_out(&srv, 200, |right| {
        srv.http
            .post(url(&srv, "/s2s/session"))
            .header("x-client-id", &id)
            .header("x-client-secret", if right { secret.as_str() } else { "wrong" })
            .json(&json!({"user_id": "u1"}))
    })
    .await;
    srv.finish().await;
}

async fn gamefuse_service_key(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let gid = srv.game.game.id.0;
    let path = format!("/admin/gamefuse/games/{gid}/service_keys");
    let r = srv.admin(ADMIN).post(&path, r#"{"name": "server"}"#).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let key = r.json["token"].as_str().expect("token").to_owned();
    let up = srv.gamefuse().sign_up("k@x.org", "kay", "pw").await;
    assert_eq!(up.status, 200, "{}", up.text);
    let user = up.json["id"].as_i64().expect("id").to_string();
    locks_out(&srv, 200, |right| {
        srv.http
            .get(url(&srv, &format!("/api/v3/users/{user}")))
            .header("service-key-name", "server")
            .header("service-key-token", if right { key.as_str() } else { "gfk_wrong" })
            .header("current-user-id", &user)
    })
    .await;
    srv.finish().await;
}

async fn gamefuse_test_suite_key(b: Backend) {
    let Some(srv) = server(b).await else { return };
    locks_out(&srv, 201, |right| {
        srv.http
            .post(url(&srv, "/api/v3/test_suite/create_game"))
            .header("service-key-name", SUITE_NAME)
            .header("service-key-token", if right { SUITE_TOKEN } else { "nope" })
    })
    .await;
    srv.finish().await;
}

/// Guesses spread over several kinds count together: one limiter per address.
async fn kinds_share_one_counter(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let key = api_key(&srv).await;
    let wrong_admin = srv.http.post(url(&srv, "/admin/api-keys")).bearer_auth(bearer(false));
    assert_eq!(send(wrong_admin).await.status, 401);
    assert_eq!(send(unknown_client(&srv)).await.status, 401);
    let wrong_suite = srv
        .http
        .post(url(&srv, "/api/v3/test_suite/create_game"))
        .header("service-key-name", SUITE_NAME)
        .header("service-key-token", "nope");
    assert_eq!(send(wrong_suite).await.status, 401);
    // Three failures of three kinds: the address is locked out for a fourth kind.
    let right_key = srv
        .http
        .post(url(&srv, "/v3/session/login"))
        .header("PRIVATE-TOKEN", &key)
        .json(&json!({}));
    assert_eq!(send(right_key).await.status, 429);
    srv.finish().await;
}

/// The names and e-mails people type into login forms (sometimes a password) and client
/// addresses are kept only as keyed hashes.
async fn failure_counts_keep_no_clear_names(b: Backend) {
    let Some(srv) = spawn_with(b, |c| {
        config(c);
        c.auth_failure_limit = 100;
    })
    .await
    else {
        return;
    };
    let key = api_key(&srv).await;
    // i3D logins for an unknown name, a GameFuse sign-in with an unknown e-mail, and a
    // failed client authentication.
    let login = srv
        .http
        .post(url(&srv, "/v3/session/login"))
        .header("PRIVATE-TOKEN", &key)
        .json(&json!({"userName": "Typed-Secret-Name", "password": "x"}));
    assert_eq!(send(login).await.status, 401);
    let gid = srv.game.game.id.0.to_string();
    let sign_in = srv.http.post(url(&srv, "/api/v3/sessions")).form(&[
        ("email", "typed.secret@example.org"),
        ("password", "x"),
        ("game_id", gid.as_str()),
    ]);
    assert_eq!(send(sign_in).await.status, 404);
    assert_eq!(send(unknown_client(&srv)).await.status, 401);
    let buckets = srv.db_strings("SELECT bucket FROM failure_counts").await;
    assert!(buckets.len() >= 3, "{buckets:?}");
    for b in &buckets {
        assert!(
            b.len() == 64 && b.chars().all(|c| c.is_ascii_hexdigit()),
            "bucket kept in clear: {b:?}"
        );
        for clear in ["typed", "secret", "example", "127.0.0.1"] {
            assert!(!b.to_lowercase().contains(clear), "{b:?}");
        }
    }
    srv.finish().await;
}

/// Windows that have ended are deleted by the background job; the running one stays.
async fn expired_failure_windows_are_pruned(b: Backend) {
    let Some(srv) = spawn_with(b, |c| {
        config(c);
        c.failure_prune_secs = 1;
    })
    .await
    else {
        return;
    };
    let fail = || {
        srv.http
            .post(url(&srv, "/s2s/session"))
            .header("x-client-id", "0000000000")
            .header("x-client-secret", "x")
            .json(&json!({"user_id": "u1"}))
    };
    assert_eq!(send(fail()).await.status, 401);
    let rows = || srv.db_strings("SELECT CAST(window_start AS TEXT) FROM failure_counts");
    let first = rows().await;
    assert_eq!(first.len(), 1);
    // Still running: a prune (at least one runs within two seconds) leaves it.
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(rows().await, first);
    // Past its end, with a failure in the next window.
    srv.advance(Duration::from_secs(61));
    assert_eq!(send(fail()).await.status, 401);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let now = rows().await;
        if now.len() == 1 {
            assert_ne!(now, first, "the running window was deleted");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "expired window not deleted: {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    srv.finish().await;
}

playgate_store::on_both_backends!(
    admin_token,
    admin_token_of_gamefuse_admin_api,
    i3d_api_key,
    kgen_client_secret,
    gamefuse_service_key,
    gamefuse_test_suite_key,
    kinds_share_one_counter,
    failure_counts_keep_no_clear_names,
    expired_failure_windows_are_pruned,
);
