//! Two Playgate nodes on one PostgreSQL database, as a scaled-out deployment runs them:
//! what one node does holds on the other at once. KGeN sessions (create, verify, end,
//! refresh reuse), disabling a game, i3D logout, GameFuse sign-in and its one-session rule.
//! Key rotation across nodes is `keys.rs` (`rotation_across_nodes`), beside the other
//! signing-key tests.
//! PostgreSQL only (the deployment that has several nodes); skipped when
//! `PLAYGATE_TEST_POSTGRES_URL` is unset.

use std::time::Duration;

use crate::common::kgen::token;
use crate::common::{Backend, Resp, TestServer, assert_error, spawn_with};
use playgate_server::config::Config;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";

/// Cheap argon2 parameters: the sign-ins here test sharing, not hashing.
fn cheap(c: &mut Config) {
    c.password_hash_memory_kib = 1024;
    c.password_hash_iterations = 1;
}

/// Node A (owning a fresh PostgreSQL schema and a game) and node B on the same schema;
/// `None` when PostgreSQL is not configured.
async fn two_nodes() -> Option<(TestServer, TestServer)> {
    let a = spawn_with(Backend::Postgres, cheap).await?;
    let b = a.peer().await;
    Some((a, b))
}

async fn finish(a: TestServer, b: TestServer) {
    b.finish().await;
    a.finish().await;
}

async fn verify(node: &TestServer, tokens: &Value) -> Value {
    let r = node.kgen().verify(token(tokens, "access_token")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

/// A request with headers and an optional JSON body.
async fn req(node: &TestServer, method: &str, path: &str, headers: &[(&str, &str)], body: Option<Value>) -> Resp {
    let call = node.request(method, path).headers(headers);
    match body {
        Some(b) => call.json(&b),
        None => call,
    }
    .send()
    .await
}

/// Asserts that `node` refuses a refresh with the refresh token of `pair`.
async fn assert_refresh_refused(node: &TestServer, pair: &Value) {
    let r = node.kgen().refresh(token(pair, "refresh_token")).await;
    assert_error(&r, 401, "unauthorized", None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_session_created_on_one_node_is_valid_on_the_other() {
    let Some((a, b)) = two_nodes().await else { return };
    let opened = a.open(r#"{"user_id": "u1", "name": "Ann"}"#).await;
    let v = verify(&b, &opened).await;
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["session_id"], opened["session_id"]);
    // B's create-or-retrieve finds the same player and session.
    let again = b.open(r#"{"user_id": "u1"}"#).await;
    assert_eq!(again["is_new_user"], false);
    assert_eq!(again["session_id"], opened["session_id"]);
    assert_eq!(again["wallet_address"], opened["wallet_address"]);
    assert_eq!(again["name"], "Ann");
    // The pair B issued replaced A's refresh token, on A too.
    assert_eq!(a.kgen().refresh(token(&again, "refresh_token")).await.status, 200);
    finish(a, b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_session_ended_on_one_node_is_invalid_on_the_other() {
    let Some((a, b)) = two_nodes().await else { return };
    let opened = a.open(r#"{"user_id": "u1"}"#).await;
    let path = format!("/s2s/session/{}", opened["session_id"].as_str().expect("sid"));
    assert_eq!(b.call("DELETE", &path, None).await.status, 204);
    assert_eq!(
        verify(&a, &opened).await,
        json!({"valid": false, "reason": "session_ended"})
    );
    assert_refresh_refused(&a, &opened).await;
    assert_error(&a.call("DELETE", &path, None).await, 409, "conflict", None);
    // A's next create-or-retrieve starts a new session.
    let again = a.open(r#"{"user_id": "u1"}"#).await;
    assert_ne!(again["session_id"], opened["session_id"]);
    finish(a, b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refresh_reuse_on_the_other_node_ends_the_session() {
    let Some((a, b)) = two_nodes().await else { return };
    let opened = a.open(r#"{"user_id": "u1"}"#).await;
    let r = a.kgen().refresh(token(&opened, "refresh_token")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let rotated = r.json;
    assert_eq!(verify(&b, &rotated).await["valid"], true);
    // The replaced refresh token, presented to B after its grace period: reuse.
    a.advance(Duration::from_secs(a.config.refresh_grace_secs + 1));
    assert_refresh_refused(&b, &opened).await;
    // A sees the session ended: the newest pair is dead too.
    assert_eq!(
        verify(&a, &rotated).await,
        json!({"valid": false, "reason": "session_ended"})
    );
    assert_refresh_refused(&a, &rotated).await;
    finish(a, b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_game_disabled_on_one_node_is_refused_on_the_other() {
    let Some((a, b)) = two_nodes().await else { return };
    let body = Some(r#"{"user_id": "u1"}"#);
    assert_eq!(b.call("POST", "/s2s/session", body).await.status, 200);
    let game = &a.game.game;
    let verify_game = format!(
        "/api/v3/games/verify?game_id={}&game_token={}",
        game.id.0, game.gamefuse_token
    );
    assert_eq!(req(&b, "GET", &verify_game, &[], None).await.status, 200);

    a.running.core.set_game_enabled(game.id, false).await.expect("disable");
    assert_error(&b.call("POST", "/s2s/session", body).await, 401, "unauthorized", None);
    assert_eq!(req(&b, "GET", &verify_game, &[], None).await.status, 402);

    b.running.core.set_game_enabled(game.id, true).await.expect("enable");
    assert_eq!(a.call("POST", "/s2s/session", body).await.status, 200);
    assert_eq!(req(&a, "GET", &verify_game, &[], None).await.status, 200);
    finish(a, b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_i3d_logout_on_one_node_ends_the_login_on_the_other() {
    let Some((a, b)) = two_nodes().await else { return };
    a.i3d_account("ann", PASSWORD).await;
    let key = a.i3d_key().await;
    let r = a.i3d(&key).login("ann", PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = b.i3d(&key).user().await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["userName"], "ann");

    let r = b.i3d(&key).logout().await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = a.i3d(&key).user().await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(r.json["errorMessage"], "Not logged in", "{}", r.text);
    finish(a, b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_gamefuse_sign_in_holds_on_the_other_node_until_the_next_one() {
    let Some((a, b)) = two_nodes().await else { return };
    let game = a.game.game.clone();
    let sign_up = json!({
        "email": "ann@example.org", "username": "ann", "password": PASSWORD,
        "password_confirmation": PASSWORD, "game_id": game.id.0, "game_token": game.gamefuse_token,
    });
    let r = req(&a, "POST", "/api/v3/users", &[], Some(sign_up)).await;
    assert_eq!(r.status, 200, "sign-up: {}", r.text);
    let user = format!("/api/v3/users/{}", r.json["id"].as_i64().expect("id"));
    let sign_in = json!({"email": "ann@example.org", "password": PASSWORD, "game_id": game.id.0});
    let token = |r: &Resp| r.json["authentication_token"].as_str().expect("token").to_owned();

    let r = req(&a, "POST", "/api/v3/sessions", &[], Some(sign_in.clone())).await;
    assert_eq!(r.status, 200, "sign-in on A: {}", r.text);
    let on_a = token(&r);
    let r = req(&b, "GET", &user, &[("authentication-token", &on_a)], None).await;
    assert_eq!(r.status, 200, "A's token on B: {}", r.text);
    assert_eq!(r.json["username"], "ann");

    // One session per player: signing in on B ends the session from A, on A too.
    let r = req(&b, "POST", "/api/v3/sessions", &[], Some(sign_in)).await;
    assert_eq!(r.status, 200, "sign-in on B: {}", r.text);
    let on_b = token(&r);
    assert_ne!(on_a, on_b);
    let r = req(&a, "GET", &user, &[("authentication-token", &on_a)], None).await;
    assert_eq!(r.status, 401, "A's old token on A: {}", r.text);
    let r = req(&a, "GET", &user, &[("authentication-token", &on_b)], None).await;
    assert_eq!(r.status, 200, "B's token on A: {}", r.text);
    finish(a, b).await;
}

/// A ban and an end-all made through node A's admin API hold on node B at once: B refuses
/// the banned player's new session and its old token, and after an end-all B's verify
/// answers invalid.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_ban_and_an_end_all_on_one_node_hold_on_the_other() {
    const ADMIN: &str = "admin-token-0123456789";
    let Some(a) = spawn_with(Backend::Postgres, |c| {
        cheap(c);
        c.admin_token = Some(ADMIN.into());
    })
    .await
    else {
        return;
    };
    let b = a.peer().await;
    let players = format!("/admin/v1/games/{}/players", a.game.game.id.0);
    let banned = b.open(r#"{"user_id": "cheater"}"#).await;
    let r = a
        .admin(ADMIN)
        .post(&format!("{players}/cheater/ban"), r#"{"reason": "wallhack"}"#)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(verify(&b, &banned).await["valid"], false);
    let refused = b.kgen().open(r#"{"user_id": "cheater"}"#).await;
    assert_error(&refused, 403, "forbidden", None);
    assert!(refused.text.contains("wallhack"), "{}", refused.text);

    let fine = b.open(r#"{"user_id": "fine"}"#).await;
    assert_eq!(verify(&b, &fine).await["valid"], true);
    let r = a
        .admin(ADMIN)
        .post(&format!("{players}/fine/sessions/end-all"), "")
        .await;
    assert_eq!(r.json["sessions_ended"], 1, "{}", r.text);
    assert_eq!(
        verify(&b, &fine).await,
        json!({"valid": false, "reason": "session_ended"})
    );
    finish(a, b).await;
}
