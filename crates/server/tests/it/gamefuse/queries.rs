//! The GameFuse sign-in response (reference 1.3) costs a constant number of SQL statements
//! whatever the user's relations: a user with 100 friends, 20 groups and 50 chats signs in
//! with exactly as many statements as one with a single friend, group and chat of each
//! kind, and so does the user's own `GET /users/{id}`. Statements are counted by
//! [`crate::common::statements`].

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::Gf;
use crate::common::statements::for_counting;
use crate::common::{Backend, spawn_with};
use serde_json::{Value, json};

impl Gf {
    async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Value) -> Value {
        let client = self.srv.gamefuse().for_game(self.game_id, &self.game_token);
        let client = match token {
            Some(t) => client.signed_in(t),
            None => client,
        };
        let r = client.request(method, path).json(&body).send().await;
        assert!(
            (200..300).contains(&r.status),
            "{method} {path}: {} {}",
            r.status,
            r.text
        );
        serde_json::from_str(&r.text).expect("json")
    }

    /// Signs `name` up: its token.
    async fn new_user_token(&self, name: &str) -> String {
        let v = self.sign_up_json(name).await;
        v["authentication_token"].as_str().expect("token").to_owned()
    }

    /// A user named `name` with `friends` friends, `groups` groups (each with a group chat
    /// with a message) and `direct` direct chats; returns its e-mail.
    async fn build(&self, name: &str, friends: usize, groups: usize, direct: usize) -> String {
        let me = self.new_user_token(name).await;
        let mut friend_names = Vec::new();
        for i in 0..friends {
            let fname = format!("{name}-f{i}");
            let ft = self.new_user_token(&fname).await;
            let r = self
                .call("POST", "/friendships", Some(&me), json!({"username": fname}))
                .await;
            let fid = r["friendship_id"].as_i64().expect("id");
            self.call(
                "PUT",
                &format!("/friendships/{fid}"),
                Some(&ft),
                json!({"friendship": {"status": "accepted"}}),
            )
            .await;
            friend_names.push(fname);
        }
        for i in 0..groups {
            let g = self
                .call(
                    "POST",
                    "/groups",
                    Some(&me),
                    json!({"group": {"name": format!("g{i}"), "can_auto_join": true, "is_invite_only": false, "max_group_size": 50}}),
                )
                .await;
            let gid = g["id"].as_i64().expect("id");
            self.call(
                "POST",
                "/chats",
                Some(&me),
                json!({"text": "hi group", "group_id": gid}),
            )
            .await;
        }
        for i in 0..direct {
            let other = &friend_names[i % friend_names.len()];
            // Distinct participant sets: pairs first, then triples.
            let names = if i < friend_names.len() {
                json!([other])
            } else {
                json!([other, friend_names[(i + 1) % friend_names.len()]])
            };
            self.call(
                "POST",
                "/chats",
                Some(&me),
                json!({"text": format!("m{i}"), "usernames": names}),
            )
            .await;
        }
        format!("{name}@example.org")
    }
}

async fn count_sign_in(gf: &Gf, counter: &AtomicUsize, email: &str) -> (usize, Value) {
    let before = counter.load(Ordering::SeqCst);
    let v = gf
        .call(
            "POST",
            "/sessions",
            None,
            json!({"email": email, "password": "pw", "game_id": gf.game_id}),
        )
        .await;
    (counter.load(Ordering::SeqCst) - before, v)
}

/// Counts the statements of `GET /users/{id}` by the user itself (the full data of 1.3),
/// with the token of the sign-in that answered `signed_in`.
async fn count_own_read(gf: &Gf, counter: &AtomicUsize, signed_in: &Value) -> (usize, Value) {
    let id = signed_in["id"].as_i64().expect("id");
    let token = signed_in["authentication_token"].as_str().expect("token");
    let before = counter.load(Ordering::SeqCst);
    let v = gf.call("GET", &format!("/users/{id}"), Some(token), json!({})).await;
    (counter.load(Ordering::SeqCst) - before, v)
}

async fn run(b: Backend, counter: &AtomicUsize) {
    let Some(srv) = spawn_with(b, for_counting).await else {
        return;
    };
    let gf = Gf::new(srv);
    let small = gf.build("small", 1, 1, 1).await;
    let big = gf.build("big", 100, 20, 30).await;
    let (n_small, small_in) = count_sign_in(&gf, counter, &small).await;
    assert_eq!(small_in["friends"].as_array().map(Vec::len), Some(1));
    let (n_big, v) = count_sign_in(&gf, counter, &big).await;
    assert_eq!(v["friends"].as_array().map(Vec::len), Some(100));
    assert_eq!(v["groups"].as_array().map(Vec::len), Some(20));
    assert_eq!(v["group_chats"].as_array().map(Vec::len), Some(20));
    assert_eq!(v["direct_chats"].as_array().map(Vec::len), Some(25), "first page");
    println!("{b:?}: sign-in statements: small {n_small}, big {n_big}");
    assert!(n_small > 0, "the counter sees the statements");
    assert_eq!(n_big, n_small, "constant in the number of relations");
    assert!(n_big <= 30, "a small constant: {n_big}");

    let (r_small, _) = count_own_read(&gf, counter, &small_in).await;
    let (r_big, mine) = count_own_read(&gf, counter, &v).await;
    assert_eq!(mine["friends"].as_array().map(Vec::len), Some(100));
    assert_eq!(mine["direct_chats"].as_array().map(Vec::len), Some(25), "first page");
    println!("{b:?}: own full-data read statements: small {r_small}, big {r_big}");
    assert_eq!(r_big, r_small, "constant in the number of relations");
    assert!(r_big <= 20, "a small constant: {r_big}");
    gf.srv.finish().await;
}

async fn sign_in_statements_are_constant(b: Backend, counter: Arc<AtomicUsize>) {
    run(b, &counter).await;
}

playgate_store::on_both_backends!(crate::common::statements::counted => sign_in_statements_are_constant);
