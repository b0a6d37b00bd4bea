//! Signing-key rotation on running nodes: a rotation made elsewhere (`playgate keys
//! rotate`, another node) is picked up within the key-check period, and tokens naming an
//! unknown key id do not make a node reload its keys per request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::{Backend, TestServer, jwt_parts, spawn_with};
use base64::Engine as _;
use playgate_core::clock::Clock;
use playgate_server::startup::{self, Running};
use serde_json::{Value, json};

/// The kid of the access token a create-or-retrieve on `base` answers with.
async fn signing_kid(srv: &TestServer, base: &str) -> String {
    let r = srv
        .http
        .post(format!("{base}/s2s/session"))
        .header("x-client-id", &srv.game.game.client_id)
        .header("x-client-secret", srv.game.client_secret.expose())
        .json(&json!({"user_id": "u1"}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.expect("json");
    let (header, _) = jwt_parts(v["access_token"].as_str().expect("access"));
    header["kid"].as_str().expect("kid").to_owned()
}

async fn verify(srv: &TestServer, base: &str, token: &str) -> Value {
    let r = srv
        .http
        .post(format!("{base}/s2s/session/verify"))
        .header("x-client-id", &srv.game.game.client_id)
        .header("x-client-secret", srv.game.client_secret.expose())
        .json(&json!({ "access_token": token }))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    r.json().await.expect("json")
}

/// Polls until `base` signs with `kid`; how long that took.
async fn until_signing_with(srv: &TestServer, base: &str, kid: &str, within: Duration) -> Duration {
    let start = Instant::now();
    loop {
        if signing_kid(srv, base).await == kid {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < within,
            "still not signing with {kid} after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// An HS256 token naming key `kid`, with a signature that matches no key.
fn forged(kid: &str) -> String {
    let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.{}",
        b64(json!({"alg": "HS256", "typ": "JWT", "kid": kid})),
        b64(json!({"sub": "u1", "exp": 4_000_000_000_i64})),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([7u8; 32])
    )
}

/// `playgate keys rotate` (a second core on the same database, as the CLI opens it) while
/// the server runs: the server signs with the new key within the check period, and tokens
/// of the old key stay valid.
async fn cli_rotation_reaches_the_running_server(b: Backend) {
    let Some(srv) = spawn_with(b, |c| c.signing_key_check_ms = 200).await else {
        return;
    };
    let old_kid = signing_kid(&srv, &srv.base).await;
    let r = srv.call("POST", "/s2s/session", Some(r#"{"user_id": "u2"}"#)).await;
    let old_token = r.json["access_token"].as_str().expect("access").to_owned();
    let cli_clock: Arc<dyn Clock> = srv.clock.clone();
    let (cli, store) = startup::open_core(&srv.config, cli_clock).await.expect("cli core");
    let new_kid = cli.rotate_signing_key().await.expect("rotate");
    store.close().await;
    assert_ne!(new_kid, old_kid);
    let took = until_signing_with(&srv, &srv.base, &new_kid, Duration::from_secs(3)).await;
    eprintln!("the running server signed with the rotated key after {took:?}");
    assert_eq!(verify(&srv, &srv.base, &old_token).await["valid"], true);
    srv.finish().await;
}

/// Tokens with unknown key ids are refused, and cost at most about one key reload per
/// second however many arrive (misses are remembered).
async fn unknown_key_ids_do_not_reload_per_request(b: Backend) {
    let Some(srv) = spawn_with(b, |c| c.signing_key_check_ms = 0).await else {
        return;
    };
    let srv = Arc::new(srv);
    let before = srv.running.core.key_reloads();
    let start = Instant::now();
    // One unknown kid, many times ...
    let same = forged("feedfacefeedface");
    for _ in 0..40 {
        let v = verify(&srv, &srv.base, &same).await;
        assert_eq!(v, json!({"valid": false, "reason": "invalid"}));
    }
    // ... and many distinct ones at once.
    let mut tasks = Vec::new();
    for i in 0..40 {
        let srv = srv.clone();
        tasks.push(tokio::spawn(async move {
            verify(&srv, &srv.base, &forged(&format!("{i:016x}"))).await
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("join"), json!({"valid": false, "reason": "invalid"}));
    }
    let reloads = srv.running.core.key_reloads() - before;
    let secs = start.elapsed().as_secs();
    eprintln!("80 unknown-kid tokens: {reloads} reloads in {:?}", start.elapsed());
    assert!(reloads <= secs + 2, "{reloads} key reloads in {secs} s");
    // A real token still verifies.
    let r = srv.call("POST", "/s2s/session", Some(r#"{"user_id": "u1"}"#)).await;
    let token = r.json["access_token"].as_str().expect("access").to_owned();
    assert_eq!(verify(&srv, &srv.base, &token).await["valid"], true);
    Arc::into_inner(srv).expect("sole owner").finish().await;
}

/// Another node on the same PostgreSQL, sharing the test server's clock and master key.
async fn second_node(srv: &TestServer, signing_key_check_ms: u64) -> Running {
    let mut config = srv.config.clone();
    config.signing_key_check_ms = signing_key_check_ms;
    startup::start(config, srv.clock.clone()).await.expect("second node")
}

/// Two (three) nodes on one PostgreSQL: a rotation on one node reaches the others'
/// signing within the check period; a node that has not yet seen the new key verifies
/// its tokens at once, even right after a reload for an unknown kid.
async fn rotation_across_nodes(b: Backend) {
    if b == Backend::Sqlite {
        return; // several nodes share a database only on PostgreSQL
    }
    let Some(a) = spawn_with(b, |_| {}).await else { return };
    let node_b = second_node(&a, 300).await;
    let node_c = second_node(&a, 0).await;
    let (base_b, base_c) = (format!("http://{}", node_b.addr), format!("http://{}", node_c.addr));
    let old_kid = signing_kid(&a, &base_b).await;
    // C reloads for an unknown kid just before the rotation: its next on-demand reload
    // has to wait for the one-second interval.
    assert_eq!(verify(&a, &base_c, &forged("0123456789abcdef")).await["valid"], false);
    let new_kid = a.running.core.rotate_signing_key().await.expect("rotate");
    assert_ne!(new_kid, old_kid);
    assert_eq!(signing_kid(&a, &a.base).await, new_kid);
    // A token of the new key, verified on C (which never checks periodically).
    let r = a.call("POST", "/s2s/session", Some(r#"{"user_id": "u9"}"#)).await;
    let token = r.json["access_token"].as_str().expect("access").to_owned();
    assert_eq!(jwt_parts(&token).0["kid"], new_kid.as_str());
    assert_eq!(verify(&a, &base_c, &token).await["valid"], true);
    // B signs with the new key within its check period.
    let took = until_signing_with(&a, &base_b, &new_kid, Duration::from_secs(3)).await;
    eprintln!("node B signed with the rotated key after {took:?}");
    assert_eq!(verify(&a, &a.base, &token).await["valid"], true);
    node_b.stop().await.expect("stop B");
    node_c.stop().await.expect("stop C");
    a.finish().await;
}

playgate_store::on_both_backends!(
    cli_rotation_reaches_the_running_server,
    unknown_key_ids_do_not_reload_per_request,
    rotation_across_nodes,
);
