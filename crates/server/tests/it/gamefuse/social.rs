//! GameFuse V3 dialect, part 2 (reference 10, 11, 13, 1.3) over HTTP on both backends:
//! several users signing in and out in turn, each checking what the sign-in response (the
//! SDK's source of truth) and the routes show after every step, in the JSON types the SDK
//! reads; plus authorization and validation failures (text/plain 4xx, nothing changed).

use std::time::Duration;

use super::{Body, Gf, assert_text_error, setup_cfg};
use crate::common::gamefuse::Verbs;
use crate::common::{Backend, Resp, cheap_hashes, json_type};
use serde_json::{Value, json};

/// A signed-up user: id and e-mail.
struct U {
    id: i64,
    email: String,
}

impl Gf {
    /// Signs `name` up (JSON body, password `pw`).
    async fn sign_up_user(&self, name: &str) -> U {
        let v = self.sign_up_json(name).await;
        U {
            id: v["id"].as_i64().expect("id"),
            email: format!("{name}@example.org"),
        }
    }

    /// Signs `u` in (a new token each time): requests with that token, and the full user
    /// data.
    async fn sign_in_user(&self, u: &U) -> (Client<'_>, Value) {
        let r = self.client().sign_in_json(&u.email).await;
        assert_eq!(r.status, 200, "sign-in: {}", r.text);
        let token = r.json["authentication_token"].as_str().expect("token").to_owned();
        let client = Client {
            gf: self,
            token: Some(token),
        };
        (client, r.json)
    }

    fn tick(&self) {
        self.srv.advance(Duration::from_millis(7));
    }

    /// Requests without a user token.
    fn anon(&self) -> Client<'_> {
        Client { gf: self, token: None }
    }
}

/// Requests as the JS SDK sends them (a JSON Content-Type even without a body), with one
/// user's token (or none).
struct Client<'a> {
    gf: &'a Gf,
    token: Option<String>,
}

impl Client<'_> {
    /// `GET /api/v3{path}` with this token and an extra header, as the C# SDK sends it
    /// (`header` is Unity's): the JSON body, for the wrapped forms that SDK gets.
    async fn get_as_unity(&self, path: &str, (name, value): (&str, &str)) -> Value {
        let srv = &self.gf.srv;
        let r = srv
            .http
            .get(format!("{}/api/v3{path}", srv.base))
            .header("authentication-token", self.token.as_deref().expect("signed in"))
            .header(name, value)
            .send()
            .await
            .expect("send");
        r.json().await.expect("json")
    }
}

impl Verbs for Client<'_> {
    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let body = body.map_or(Body::EmptyJson, Body::Json);
        match &self.token {
            Some(t) => self.gf.user(method, path, t, body).await,
            None => self.gf.req(method, path, &[], body).await,
        }
    }
}

/// Ann, Bob and Cat, signed up to one game in that order: the three users of every
/// scenario here.
struct Cast {
    gf: Gf,
    a: U,
    bo: U,
    c: U,
}

impl Cast {
    async fn new(b: Backend) -> Option<Cast> {
        let gf = setup_cfg(b, cheap_hashes).await?;
        let a = gf.sign_up_user("ann").await;
        let bo = gf.sign_up_user("bob").await;
        let c = gf.sign_up_user("cat").await;
        Some(Cast { gf, a, bo, c })
    }

    /// Ann signs in (a new token): her requests and her user data.
    async fn ann(&self) -> (Client<'_>, Value) {
        self.gf.sign_in_user(&self.a).await
    }

    /// Bob signs in (a new token): his requests and his user data.
    async fn bob(&self) -> (Client<'_>, Value) {
        self.gf.sign_in_user(&self.bo).await
    }

    /// Cat signs in (a new token): her requests and her user data.
    async fn cat(&self) -> (Client<'_>, Value) {
        self.gf.sign_in_user(&self.c).await
    }

    async fn finish(self) {
        self.gf.finish().await;
    }
}

fn ids(v: &Value) -> Vec<i64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x["id"].as_i64().expect("integer id"))
        .collect()
}

/// Friendships (reference 10) as three users see them in turn: requests and refusals,
/// answers, cancelling and unfriending.
async fn friendships(b: Backend) {
    let Some(g) = Cast::new(b).await else { return };
    let (ann_bob, cat_bob) = friend_requests(&g).await;
    friend_requests_answered(&g, ann_bob, cat_bob).await;
    friends_cancelled_and_unfriended(&g).await;
    g.finish().await;
}

/// Ann and Cat ask Bob; who may answer or cancel what; bad answers. The ids of the two
/// requests to Bob: Ann's and Cat's.
async fn friend_requests(g: &Cast) -> (i64, i64) {
    // Ann asks Bob: the response is the FriendRequest of the recipient (10.1).
    let (ann, _) = g.ann().await;
    let r = ann.post("/friendships", json!({"username": "bob"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["id"], g.bo.id);
    assert_eq!(r.json["username"], "bob");
    assert_eq!(json_type(&r.json["friendship_id"]), "number");
    assert_eq!(json_type(&r.json["score"]), "number");
    assert_eq!(json_type(&r.json["credits"]), "number");
    assert!(r.json["requested_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    let ann_bob = r.json["friendship_id"].as_i64().expect("id");
    // Refusals: unknown user, oneself, a second request either way (422 text).
    for name in ["nobody", "ANN", "bob"] {
        let r = ann.post("/friendships", json!({"username": name})).await;
        assert_text_error(&r, 422);
    }
    assert_text_error(&ann.post("/friendships", json!({})).await, 422);
    g.gf.tick();

    // Cat asks Bob later.
    let (cat, _) = g.cat().await;
    let r = cat.post("/friendships", json!({"username": "Bob"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let cat_bob = r.json["friendship_id"].as_i64().expect("id");

    // Bob sees both, newest first (verified rule); nobody else's requests.
    let (bob, me) = g.bob().await;
    assert_eq!(ids(&me["incoming_friend_requests"]), vec![g.c.id, g.a.id]);
    assert_eq!(me["incoming_friend_requests"][0]["friendship_id"], cat_bob);
    assert_eq!(ids(&me["outgoing_friend_requests"]), Vec::<i64>::new());
    assert_eq!(ids(&me["friends"]), Vec::<i64>::new());
    // Bob cannot answer as the sender would, nor cancel what he did not send.
    assert_text_error(&bob.delete(&format!("/friendships/{ann_bob}")).await, 422);
    // Ann cannot accept her own request.
    let (ann, me) = g.ann().await;
    assert_eq!(ids(&me["outgoing_friend_requests"]), vec![g.bo.id]);
    let accept = json!({"friendship": {"status": "accepted"}});
    let r = ann.put(&format!("/friendships/{ann_bob}"), accept.clone()).await;
    assert_text_error(&r, 422);
    // A bad status and an unknown id.
    let (bob, _) = g.bob().await;
    let bad = json!({"friendship": {"status": "maybe"}});
    assert_text_error(&bob.put(&format!("/friendships/{ann_bob}"), bad).await, 422);
    assert_text_error(&bob.put("/friendships/999999", accept).await, 404);
    (ann_bob, cat_bob)
}

/// Bob accepts Ann and declines Cat; lists on every side.
async fn friend_requests_answered(g: &Cast, ann_bob: i64, cat_bob: i64) {
    let (bob, _) = g.bob().await;
    // Bob accepts Ann (nested form) and declines Cat (flat form).
    let accept = json!({"friendship": {"status": "accepted"}});
    let r = bob.put(&format!("/friendships/{ann_bob}"), accept).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json["message"].is_string());
    let r = bob
        .put(&format!("/friendships/{cat_bob}"), json!({"status": "declined"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, me) = g.bob().await;
    assert_eq!(ids(&me["friends"]), vec![g.a.id]);
    assert_eq!(ids(&me["incoming_friend_requests"]), Vec::<i64>::new());

    // Both are friends of each other; the declined request is listed nowhere.
    let (_, me) = g.ann().await;
    assert_eq!(ids(&me["friends"]), vec![g.bo.id]);
    assert_eq!(me["friends"][0]["username"], "bob");
    assert_eq!(ids(&me["outgoing_friend_requests"]), Vec::<i64>::new());
    let (cat, me) = g.cat().await;
    assert_eq!(ids(&me["outgoing_friend_requests"]), Vec::<i64>::new());
    assert_eq!(ids(&me["friends"]), Vec::<i64>::new());
    // Others see Ann's friends (public), not her requests.
    let r = cat.get(&format!("/users/{}", g.a.id)).await;
    assert_eq!(ids(&r.json["friends"]), vec![g.bo.id]);
    assert!(r.json.get("incoming_friend_requests").is_none());
    assert!(r.json.get("authentication_token").is_none());
}

/// Cat asks Ann and cancels; Bob unfriends Ann; no token, no answer.
async fn friends_cancelled_and_unfriended(g: &Cast) {
    let (ann, _) = g.ann().await;
    let (cat, _) = g.cat().await;
    // Cat asks Ann, then cancels: gone from both sides.
    let r = cat.post("/friendships", json!({"username": "ann"})).await;
    let cat_ann = r.json["friendship_id"].as_i64().expect("id");
    let r = ann.get("/friendships").await;
    assert_eq!(ids(&r.json["incoming_friend_requests"]), vec![g.c.id]);
    assert_text_error(&ann.delete(&format!("/friendships/{cat_ann}")).await, 422);
    let r = cat.delete(&format!("/friendships/{cat_ann}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = ann.get("/incoming_friend_requests").await;
    assert_eq!(ids(&r.json["incoming_friend_requests"]), Vec::<i64>::new());

    // Unfriend: JSON body (SDK) from Bob's side; a second time is 422; the query form too.
    let (bob, _) = g.bob().await;
    let unfriend = |id: i64| bob.send("DELETE", "/unfriend", Some(json!({"user_id": id})));
    assert_text_error(&unfriend(g.c.id).await, 422);
    let r = unfriend(g.a.id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_text_error(&bob.delete(&format!("/unfriend?user_id={}", g.a.id)).await, 422);
    let (_, me) = g.ann().await;
    assert_eq!(ids(&me["friends"]), Vec::<i64>::new());
    let (_, me) = g.bob().await;
    assert_eq!(ids(&me["friends"]), Vec::<i64>::new());

    // Without a token: 401 text.
    assert_text_error(&g.gf.anon().post("/friendships", json!({"username": "bob"})).await, 401);
}

/// Game rounds (reference 13) as three users see them in turn: creation, who may change
/// what, updates, listing, deletion.
async fn game_rounds(b: Backend) {
    let Some(g) = Cast::new(b).await else { return };
    let (solo, bobs) = rounds_created(&g).await;
    rounds_refused(&g, solo).await;
    rounds_updated_and_deleted(&g, solo, bobs).await;
    g.finish().await;
}

/// A solo round and a multiplayer container; Bob and Cat read them. The ids of Ann's solo
/// round and of Bob's round in the multiplayer container she started.
async fn rounds_created(g: &Cast) -> (i64, i64) {
    let (a, bo) = (&g.a, &g.bo);
    let (ann, _) = g.ann().await;

    // A single-player round: fractional score, metadata object, start time now (13.1).
    let body = json!({"game_round": {"game_type": "solo", "game_user_id": a.id, "score": 3.96,
        "metadata": {"level": 2, "tags": ["x"]}, "end_time": "2026-01-01T00:05:00.457Z"}, "multiplayer": false});
    let r = ann.post("/game_rounds", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let solo = r.json["id"].as_i64().expect("id");
    assert_eq!(r.json["game_id"], g.gf.game_id);
    assert_eq!(r.json["game_user_id"], a.id);
    assert_eq!(r.json["score"], 3.96);
    assert_eq!(r.json["metadata"], json!({"level": 2, "tags": ["x"]}));
    assert_eq!(r.json["start_time"], "2026-01-01T00:00:00.000Z");
    assert_eq!(r.json["end_time"], "2026-01-01T00:05:00.457Z");
    assert_eq!(r.json["place"], Value::Null);
    assert_eq!(r.json["multiplayer_game_round_id"], Value::Null);

    // Multiplayer: a new container with one ranking; Ann adds Bob to it.
    let body = json!({"game_round": {"game_type": "duel", "game_user_id": a.id}, "multiplayer": true});
    let r = ann.post("/game_rounds", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let mp = r.json["multiplayer_game_round_id"].as_i64().expect("container id");
    assert_eq!(r.json["rankings"].as_array().map(Vec::len), Some(1));
    assert_eq!(r.json["rankings"][0]["place"], Value::Null);
    assert_eq!(r.json["rankings"][0]["user"]["id"], a.id);
    let body = json!({"game_round": {"game_type": "duel", "game_user_id": bo.id, "score": 7,
        "multiplayer_game_round_id": mp}});
    let r = ann.post("/game_rounds", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let bobs = r.json["id"].as_i64().expect("id");
    assert_eq!(r.json["game_user_id"], bo.id);
    assert_eq!(r.json["rankings"].as_array().map(Vec::len), Some(2));

    // Bob sees his round with both rankings; Cat downloads Ann's rounds (5.1).
    let (_, me) = g.bob().await;
    assert_eq!(ids(&me["game_rounds"]), vec![bobs]);
    assert_eq!(me["game_rounds"][0]["rankings"].as_array().map(Vec::len), Some(2));
    assert_eq!(json_type(&me["game_rounds"][0]["score"]), "number");
    let (cat, _) = g.cat().await;
    let r = cat.get(&format!("/users/{}", a.id)).await;
    assert_eq!(r.json["game_rounds"].as_array().map(Vec::len), Some(2));
    assert_eq!(r.json["game_rounds"][0]["metadata"]["level"], 2);
    (solo, bobs)
}

/// Only the owner (or the container's master) changes a round; bad rounds are refused.
async fn rounds_refused(g: &Cast, solo: i64) {
    let (ann, _) = g.ann().await;
    let (bob, _) = g.bob().await;
    let (cat, _) = g.cat().await;
    // Only the owner (or the container's master) changes a round.
    let upd = json!({"game_round": {"score": 1.5}});
    assert_text_error(&bob.put(&format!("/game_rounds/{solo}"), upd).await, 401);
    assert_text_error(&cat.delete(&format!("/game_rounds/{solo}")).await, 401);
    // Bob cannot create rounds for Cat, nor join a container for someone else.
    let body = json!({"game_round": {"game_type": "x", "game_user_id": g.c.id}});
    assert_text_error(&bob.post("/game_rounds", body).await, 401);
    // Validation: 422 text, nothing stored.
    for bad in [
        json!({"game_round": {"game_user_id": g.a.id}}),
        json!({"game_round": {"game_type": "x"}}),
        json!({"game_round": {"game_type": "x", "game_user_id": g.a.id, "score": "lots"}}),
        json!({"game_round": {"game_type": "x", "game_user_id": g.a.id, "metadata": "plain"}}),
        json!({"game_round": {"game_type": "x", "game_user_id": g.a.id, "start_time": "yesterday"}}),
    ] {
        assert_text_error(&ann.post("/game_rounds", bad).await, 422);
    }
    let body = json!({"game_round": {"game_type": "x", "game_user_id": g.a.id,
        "multiplayer_game_round_id": 999_999}});
    assert_text_error(&ann.post("/game_rounds", body).await, 404);
}

/// Partial updates, the master's update, show and list, delete.
async fn rounds_updated_and_deleted(g: &Cast, solo: i64, bobs: i64) {
    let (ann, _) = g.ann().await;
    let (cat, _) = g.cat().await;
    // Ann updates: partial, milliseconds preserved, a new place.
    let upd = json!({"game_round": {"end_time": "2026-01-01T00:09:59.123Z", "place": 1, "score": 4}});
    let r = ann.put(&format!("/game_rounds/{solo}"), upd).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["end_time"], "2026-01-01T00:09:59.123Z");
    assert_eq!(r.json["score"], 4.0);
    assert_eq!(r.json["place"], 1);
    assert_eq!(r.json["game_type"], "solo");
    assert_eq!(r.json["metadata"]["level"], 2);
    // The master updates Bob's round in her container.
    let r = ann
        .put(&format!("/game_rounds/{bobs}"), json!({"game_round": {"place": 2}}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["rankings"].as_array().map(Vec::len), Some(2));

    // Show and list (docs routes).
    let r = cat.get(&format!("/game_rounds/{solo}")).await;
    assert_eq!(r.json["id"], solo);
    let r = cat.get(&format!("/game_rounds?user_id={}", g.a.id)).await;
    assert_eq!(r.json["game_rounds"].as_array().map(Vec::len), Some(2));
    assert_text_error(&cat.get("/game_rounds").await, 422);

    // Delete: Ann's solo round; gone from her data.
    let r = ann.delete(&format!("/game_rounds/{solo}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_text_error(&ann.get(&format!("/game_rounds/{solo}")).await, 404);
    let (_, me) = g.ann().await;
    assert_eq!(me["game_rounds"].as_array().map(Vec::len), Some(1));
}

/// Bob's `{group_connection}` to group `group` with `action_type`.
fn bob_joins(bob: i64, group: i64, action: &str) -> Value {
    json!({"group_connection": {"group_id": group, "user_id": bob, "status": "accepted", "action_type": action}})
}

/// A user's `{group_connection}` joining group `group` (auto-join groups take it at once).
fn join(group: i64) -> Value {
    json!({"group_connection": {"group_id": group, "action_type": "join"}})
}

/// An admin's invite of Cat to group `group`.
fn invite_cat(group: i64) -> Value {
    json!({"group_connection": {"group_id": group, "status": "pending", "action_type": "invite"}, "username": "cat"})
}

/// An admin's answer accepting a join request.
fn accept_request() -> Value {
    json!({"group_connection": {"status": "accepted", "action_type": "update"}, "connection_type": "join_request"})
}

/// An answer to a group connection: `accepted` or `declined`.
fn answer(status: &str) -> Value {
    json!({"group_connection": {"status": status}})
}

/// Creates a group as `by` asks it (`{"group": …}`): its id.
async fn group_made(by: &Client<'_>, group: Value) -> i64 {
    let r = by.post("/groups", json!({ "group": group })).await;
    r.json["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("a group id: {}", r.text))
}

/// Groups (reference 11) as four users see them in turn: creation, requests and invites,
/// a full group, admin rights, removal, leaving and deletion.
async fn groups(b: Backend) {
    let Some(g) = Cast::new(b).await else { return };
    let (closed, open) = groups_created(&g).await;
    let request = groups_join_requests(&g, closed, open).await;
    groups_requests_and_invites(&g, closed, open, request).await;
    groups_full_and_admin_rights(&g, closed, open).await;
    groups_removal_and_deletion(&g, closed, open).await;
    g.finish().await;
}

/// Ann creates a closed group (at most 3 members) and an auto-join group; bad ones are
/// refused. Their ids.
async fn groups_created(g: &Cast) -> (i64, i64) {
    let (ann, _) = g.ann().await;
    // Ann creates a closed group and an auto-join group: 201 with members and admins.
    let body = json!({"group": {"name": "My Group 5", "max_group_size": 3, "can_auto_join": false,
        "is_invite_only": false, "group_type": "default"}});
    let r = ann.post("/groups", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let closed = r.json["id"].as_i64().expect("id");
    assert_eq!(r.json["member_count"], 1);
    assert_eq!(ids(&r.json["members"]), vec![g.a.id]);
    assert_eq!(ids(&r.json["admins"]), vec![g.a.id]);
    assert_eq!(r.json["can_auto_join"], false);
    assert_eq!(r.json["admins_only_can_create_attributes"], true);
    g.gf.tick();
    // Same name again is fine (11.1).
    let body = json!({"group": {"name": "My Group 5", "max_group_size": 10, "can_auto_join": true,
        "is_invite_only": false}});
    let r = ann.post("/groups", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let open = r.json["id"].as_i64().expect("id");
    let r = ann
        .post("/groups", json!({"group": {"name": " ", "can_auto_join": true}}))
        .await;
    assert_text_error(&r, 422);
    let r = ann
        .post("/groups", json!({"group": {"name": "x", "max_group_size": 0}}))
        .await;
    assert_text_error(&r, 422);
    (closed, open)
}

/// Bob lists and shows the groups, asks to join the closed one and joins the open one; he
/// may not answer his own request nor invite. The request's id.
async fn groups_join_requests(g: &Cast, closed: i64, open: i64) -> i64 {
    // Bob lists both, without members (verified), and shows one with members.
    let (bob, _) = g.bob().await;
    let r = bob.get("/groups").await;
    assert_eq!(ids(&r.json["groups"]), vec![closed, open]);
    assert!(r.json["groups"][0].get("members").is_none());
    assert_eq!(json_type(&r.json["groups"][0]["member_count"]), "number");
    let r = bob.get(&format!("/groups/{closed}")).await;
    assert_eq!(ids(&r.json["members"]), vec![g.a.id]);
    assert!(r.json.get("join_requests").is_none(), "only admins see requests");

    // Bob: joining the closed group is refused; a join request stays pending; the open
    // group he joins at once.
    let bob_asks = |group, action| bob.post("/group_connections", bob_joins(g.bo.id, group, action));
    assert_text_error(&bob_asks(closed, "join").await, 403);
    let r = bob_asks(closed, "join_request").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "pending");
    let request = r.json["id"].as_i64().expect("id");
    assert_text_error(&bob_asks(closed, "join_request").await, 422);
    g.gf.tick();
    let r = bob_asks(open, "join").await;
    assert_eq!(r.json["status"], "accepted", "{}", r.text);
    let (bob, me) = g.bob().await;
    assert_eq!(ids(&me["groups"]), vec![open]);
    assert_eq!(me["group_join_requests"][0]["id"], request);
    assert_eq!(me["group_join_requests"][0]["group"]["id"], closed);
    assert_eq!(me["group_join_requests"][0]["user"]["id"], g.bo.id);
    // Bob may not answer his own request, nor invite to a group he does not administer.
    let r = bob
        .put(&format!("/group_connections/{request}"), accept_request())
        .await;
    assert_text_error(&r, 403);
    assert_text_error(&bob.post("/group_connections", invite_cat(open)).await, 403);
    request
}

/// Ann accepts Bob's request; she invites Cat, cancels, invites again; Cat accepts.
async fn groups_requests_and_invites(g: &Cast, closed: i64, open: i64, request: i64) {
    // Ann sees the request on the group and accepts it; Bob becomes a plain member.
    let (ann, _) = g.ann().await;
    let r = ann.get(&format!("/groups/{closed}")).await;
    assert_eq!(ids(&r.json["join_requests"]), vec![request]);
    assert_eq!(r.json["join_requests"][0]["user"]["id"], g.bo.id);
    let r = ann
        .put(&format!("/group_connections/{request}"), accept_request())
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json, json!({"id": request, "status": "accepted"}));
    let (_, me) = g.bob().await;
    // Oldest membership first: the closed group's request came first.
    assert_eq!(ids(&me["groups"]), vec![closed, open]);
    assert_eq!(me["groups"][0]["member_count"], 2);
    assert_eq!(ids(&me["groups"][0]["admins"]), vec![g.a.id]);
    assert_eq!(ids(&me["group_join_requests"]), Vec::<i64>::new());

    // Ann invites Cat, cancels, invites again; Cat sees group, user and inviter.
    let (ann, _) = g.ann().await;
    let r = ann.post("/group_connections", invite_cat(closed)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["user"]["id"], g.c.id);
    let first = r.json["id"].as_i64().expect("id");
    let r = ann.delete(&format!("/group_connections/cancel/{first}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = ann.post("/group_connections", invite_cat(closed)).await;
    let invite = r.json["id"].as_i64().expect("id");
    let (cat, me) = g.cat().await;
    assert_eq!(ids(&me["group_invites"]), vec![invite]);
    let i = &me["group_invites"][0];
    assert_eq!(
        (
            i["group"]["id"].clone(),
            i["user"]["id"].clone(),
            i["inviter"]["id"].clone()
        ),
        (json!(closed), json!(g.c.id), json!(g.a.id))
    );
    // Cat accepts: the group is now full (max 3).
    let r = cat
        .put(&format!("/group_connections/{invite}"), answer("accepted"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, me) = g.cat().await;
    assert_eq!(ids(&me["groups"]), vec![closed]);
    assert_eq!(ids(&me["group_invites"]), Vec::<i64>::new());
    assert_eq!(me["groups"][0]["member_count"], 3);
}

/// A full group keeps a request pending; only admins update, remove, promote, delete.
async fn groups_full_and_admin_rights(g: &Cast, closed: i64, open: i64) {
    let ((bob, _), (cat, _)) = (g.bob().await, g.cat().await);
    // Full: Dan's request stays pending, and accepting it is refused (nothing changes).
    let d = g.gf.sign_up_user("dan").await;
    let (dan, _) = g.gf.sign_in_user(&d).await;
    let req = json!({"group_connection": {"group_id": closed, "action_type": "join_request"}});
    let r = dan.post("/group_connections", req).await;
    assert_eq!(r.json["status"], "pending", "{}", r.text);
    let dans = r.json["id"].as_i64().expect("id");
    let (ann, _) = g.ann().await;
    let r = ann.put(&format!("/group_connections/{dans}"), answer("accepted")).await;
    assert_text_error(&r, 403);
    let r = ann.get(&format!("/groups/{closed}")).await;
    assert_eq!(
        (r.json["member_count"].clone(), ids(&r.json["join_requests"])),
        (json!(3), vec![dans])
    );

    // Only admins update, remove, promote, delete.
    let upd = json!({"group": {"name": "Renamed"}});
    assert_text_error(&cat.put(&format!("/groups/{closed}"), upd.clone()).await, 403);
    let remove_bob = format!("/group_connections/remove_member/{}", g.bo.id);
    assert_text_error(&cat.put(&remove_bob, json!({"group_id": open})).await, 403);
    assert_text_error(&bob.delete(&format!("/groups/{open}")).await, 403);
    let (ann, _) = g.ann().await;
    let r = ann.put(&format!("/groups/{closed}"), upd).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["name"], "Renamed");
    assert_eq!(
        ids(&r.json["members"]),
        vec![g.a.id, g.bo.id, g.c.id],
        "real lists, never []"
    );
}

/// Ann removes Bob from the open group and promotes him in the closed one; Cat leaves;
/// Ann deletes the open group.
async fn groups_removal_and_deletion(g: &Cast, closed: i64, open: i64) {
    let ((ann, _), (cat, _)) = (g.ann().await, g.cat().await);
    // Ann removes Bob from the open group: he cannot rejoin by himself (verified).
    let remove_bob = format!("/group_connections/remove_member/{}", g.bo.id);
    let r = ann.put(&remove_bob, json!({"group_id": open})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (bob, me) = g.bob().await;
    assert_eq!(ids(&me["groups"]), vec![closed]);
    let r = bob.post("/group_connections", bob_joins(g.bo.id, open, "join")).await;
    assert_text_error(&r, 403);

    // Ann promotes Bob in the closed group; Bob then sees its pending lists.
    let promote_bob = format!("/group_connections/make_admin/{}", g.bo.id);
    let r = ann.put(&promote_bob, json!({"group_id": closed})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = bob.get(&format!("/groups/{closed}")).await;
    assert_eq!(ids(&r.json["admins"]), vec![g.a.id, g.bo.id]);
    assert!(r.json["join_requests"].is_array());

    // Cat leaves; a declined invite leaves no pending row.
    let leave = format!("/group_connections/leave/{closed}");
    let r = cat.delete(&leave).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_text_error(&cat.delete(&leave).await, 422);
    let r = bob.post("/group_connections", invite_cat(closed)).await;
    let again = r.json["id"].as_i64().expect("id");
    let (cat, _) = g.cat().await;
    let r = cat
        .put(&format!("/group_connections/{again}"), answer("declined"))
        .await;
    assert_eq!(r.json["status"], "declined", "{}", r.text);
    let (_, me) = g.cat().await;
    assert_eq!(ids(&me["group_invites"]), Vec::<i64>::new());
    assert_eq!(ids(&me["groups"]), Vec::<i64>::new());

    // Ann deletes the open group: gone from every list.
    let r = ann.delete(&format!("/groups/{open}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = ann.get("/groups").await;
    assert_eq!(ids(&r.json["groups"]), vec![closed]);
    assert_text_error(&ann.get(&format!("/groups/{open}")).await, 404);
    // A bad action type, a missing group.
    let bad = json!({"group_connection": {"group_id": closed, "action_type": "steal"}});
    assert_text_error(&ann.post("/group_connections", bad).await, 422);
    let r = ann
        .post("/group_connections", bob_joins(g.bo.id, 999_999, "join"))
        .await;
    assert_text_error(&r, 404);
}

/// Objects of one game are invisible from another (reference 0.2).
async fn tenant_isolation(b: Backend) {
    let Some(gf) = setup_cfg(b, cheap_hashes).await else {
        return;
    };
    let a = gf.sign_up_user("ann").await;
    let (ann, _) = gf.sign_in_user(&a).await;
    let g = group_made(&ann, json!({"name": "g", "can_auto_join": true})).await;
    let body = json!({"game_round": {"game_type": "solo", "game_user_id": a.id}});
    let round = ann.post("/game_rounds", body).await.json["id"].as_i64().expect("id");
    // A second game with a user of the same name.
    let other = gf.srv.new_game("Other").await;
    let gf2 = Gf {
        game_id: other.game.id.0,
        game_token: other.game.gamefuse_token.clone(),
        ..gf
    };
    let x = gf2.sign_up_user("ann").await;
    let (ann2, _) = gf2.sign_in_user(&x).await;
    assert_text_error(&ann2.get(&format!("/groups/{g}")).await, 404);
    assert_text_error(&ann2.get(&format!("/game_rounds/{round}")).await, 404);
    assert_text_error(&ann2.post("/group_connections", join(g)).await, 404);
    let r = ann2.post("/friendships", json!({"username": "ann"})).await;
    assert_text_error(&r, 422);
    assert_eq!(ids(&ann2.get("/groups").await.json["groups"]), Vec::<i64>::new());
    gf2.finish().await;
}

/// Chats and messages (reference 16) as three users see them in turn: direct chats,
/// refusals, pages, a group chat.
async fn chats_and_messages(b: Backend) {
    let Some(g) = Cast::new(b).await else { return };
    let (ab, abc, msg) = chats_direct(&g).await;
    chats_replied_and_read(&g, ab, msg).await;
    chats_refused(&g, ab, abc, msg).await;
    chats_paged(&g, abc).await;
    chats_of_groups(&g).await;
    g.finish().await;
}

/// Ann writes to Bob, then to Bob and Cat; Bob sees both chats, Ann's message unread. The
/// ids of the chats {A, B} and {A, B, C}, and of Ann's first message.
async fn chats_direct(g: &Cast) -> (i64, i64, i64) {
    let (a, bo) = (&g.a, &g.bo);
    let (ann, _) = g.ann().await;

    // Ann writes to Bob: a direct chat (User), both participants, the message read by Ann.
    let r = ann
        .post("/chats", json!({"text": "hi bob", "usernames": ["bob"]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ab = r.json["id"].as_i64().expect("id");
    assert_eq!(r.json["creator_type"], "User");
    assert_eq!(r.json["chat"]["id"], ab, "docs/C# superset");
    assert_eq!(r.json["chat_users"].as_array().map(Vec::len), Some(2));
    let mut people = ids(&r.json["participants"]);
    people.sort_unstable();
    assert_eq!(people, {
        let mut v = vec![a.id, bo.id];
        v.sort_unstable();
        v
    });
    let m = &r.json["messages"][0];
    assert_eq!(
        (m["user_id"].clone(), m["read_by"].clone(), m["read"].clone()),
        (json!(a.id), json!([a.id]), json!(true))
    );
    // The same set again reuses the chat; {A, B, C} is another one (verified).
    let r = ann.post("/chats", json!({"text": "again", "usernames": ["Bob"]})).await;
    assert_eq!(r.json["id"], ab);
    assert_eq!(r.json["messages"].as_array().map(Vec::len), Some(2));
    g.gf.tick();
    let r = ann
        .post("/chats", json!({"text": "all", "usernames": ["bob", "cat"]}))
        .await;
    let abc = r.json["id"].as_i64().expect("id");
    assert_ne!(abc, ab);

    // Bob: both chats, most recent activity first; Ann's message unread for him.
    let (_, me) = g.bob().await;
    assert_eq!(ids(&me["direct_chats"]), vec![abc, ab]);
    assert_eq!(ids(&me["group_chats"]), Vec::<i64>::new());
    let newest = &me["direct_chats"][1]["messages"][0];
    assert_eq!(newest["text"], "again");
    assert_eq!(newest["read"], false);
    let msg = newest["id"].as_i64().expect("id");
    (ab, abc, msg)
}

/// Bob replies and marks Ann's message read (twice: idempotent); the page of {A, B} shows
/// it.
async fn chats_replied_and_read(g: &Cast, ab: i64, msg: i64) {
    let (bob, _) = g.bob().await;
    let r = bob
        .post("/messages", json!({"message": {"chat_id": ab, "text": "hey"}}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["user_id"], g.bo.id);
    assert_eq!(r.json["read_by"], json!([g.bo.id]));
    assert_eq!(r.json["message"]["id"], r.json["id"], "docs/C# superset");
    for _ in 0..2 {
        let r = bob.send("POST", &format!("/messages/{msg}/mark_as_read"), None).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    // Message pages: a bare array for the JS SDK, newest first.
    let r = bob.get(&format!("/messages/page/1?chat_id={ab}")).await;
    let texts: Vec<&str> = r
        .json
        .as_array()
        .expect("bare array")
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert_eq!(texts, vec!["hey", "again", "hi bob"]);
    assert_eq!(r.json[1]["read_by"], json!([g.a.id, g.bo.id]));
    assert_eq!(r.json[1]["read"], true);
}

/// Cat cannot read, post or mark in {A, B}; bad chats and messages are refused.
async fn chats_refused(g: &Cast, ab: i64, abc: i64, msg: i64) {
    // Cat is not in {A, B}: cannot read, post or mark there.
    let (cat, me) = g.cat().await;
    assert_eq!(ids(&me["direct_chats"]), vec![abc]);
    assert_text_error(&cat.get(&format!("/messages/page/1?chat_id={ab}")).await, 403);
    let r = cat.post("/messages", json!({"chat_id": ab, "text": "x"})).await;
    assert_text_error(&r, 403);
    let r = cat.send("POST", &format!("/messages/{msg}/mark_as_read"), None).await;
    assert_text_error(&r, 403);
    // Validation: empty text, unknown user, both or neither target, no chat.
    for bad in [
        json!({"text": "", "usernames": ["ann"]}),
        json!({"text": "x", "usernames": ["nobody"]}),
        json!({"text": "x"}),
        json!({"text": "x", "usernames": ["ann"], "group_id": 1}),
        json!({"text": "x", "usernames": []}),
    ] {
        assert_text_error(&cat.post("/chats", bad).await, 422);
    }
    let r = cat
        .post("/messages", json!({"message": {"chat_id": abc, "text": " "}}))
        .await;
    assert_text_error(&r, 422);
    assert_text_error(&cat.get("/messages/page/1?chat_id=999999").await, 404);
}

/// Pages of 25 messages, bare for JS and wrapped for C#; pages of chats.
async fn chats_paged(g: &Cast, abc: i64) {
    let (cat, _) = g.cat().await;
    // Pages of 25: 30 messages in {A, B, C}.
    for i in 0..30 {
        let body = json!({"message": {"chat_id": abc, "text": format!("m{i}")}});
        let r = cat.post("/messages", body).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let p1 = cat.get(&format!("/messages/page/1?chat_id={abc}")).await;
    assert_eq!(p1.json.as_array().map(Vec::len), Some(25));
    assert_eq!(p1.json[0]["text"], "m29");
    let p2 = cat.get(&format!("/messages/page/2?chat_id={abc}")).await;
    assert_eq!(p2.json.as_array().map(Vec::len), Some(6));
    assert_eq!(p2.json[5]["text"], "all");
    // The C# SDK gets the wrapped form (reference 16).
    let v = cat
        .get_as_unity(
            &format!("/messages/page/2?chat_id={abc}"),
            ("x-unity-version", "2022.3.1f1"),
        )
        .await;
    assert_eq!(v["messages"].as_array().map(Vec::len), Some(6));
    let (_, me) = g.ann().await;
    assert_eq!(me["direct_chats"][0]["messages"].as_array().map(Vec::len), Some(25));
    let r = cat.get("/chats/page/1").await;
    assert_eq!(ids(&r.json["direct_chats"]), vec![abc]);
    assert!(r.json["group_chats"].is_array());
    let r = cat.get("/chats/page/2").await;
    assert_eq!(r.json, json!({"direct_chats": [], "group_chats": []}));
}

/// A group chat: members only; participants cover every author, even one who left.
async fn chats_of_groups(g: &Cast) {
    let (bob, _) = g.bob().await;
    let (ann, _) = g.ann().await;
    let body = json!({"name": "g", "can_auto_join": true, "is_invite_only": false, "max_group_size": 5});
    let group = group_made(&ann, body).await;
    let r = bob.post("/chats", json!({"text": "x", "group_id": group})).await;
    assert_text_error(&r, 422);
    let (bob, _) = g.bob().await;
    assert_eq!(bob.post("/group_connections", join(group)).await.status, 200);
    let r = bob
        .post("/chats", json!({"text": "hello group", "group_id": group}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["creator_type"], "Group");
    let gc = r.json["id"].as_i64().expect("id");
    let r = bob.delete(&format!("/group_connections/leave/{group}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (ann, me) = g.ann().await;
    assert_eq!(ids(&me["group_chats"]), vec![gc]);
    let chat = &me["group_chats"][0];
    assert_eq!(chat["creator_type"], "Group");
    let parts = ids(&chat["participants"]);
    assert!(
        parts.contains(&g.a.id) && parts.contains(&g.bo.id),
        "author kept: {parts:?}"
    );
    // Bob left: he can no longer read it.
    assert_text_error(&bob.get(&format!("/messages/page/1?chat_id={gc}")).await, 403);
    let r = ann
        .post("/chats", json!({"text": "still here", "group_id": group}))
        .await;
    assert_eq!(r.json["id"], gc, "one chat per group");
}

/// A `modify_attribute` body.
fn set(key: &str, value: &str) -> Value {
    json!({"key": key, "value": value})
}

/// `PATCH /groups/{group}/modify_attribute` with `body`, as `by`.
async fn modify_attribute(by: &Client<'_>, group: i64, body: Value) -> Resp {
    by.send("PATCH", &format!("/groups/{group}/modify_attribute"), Some(body))
        .await
}

/// Group attributes (reference 11) as three users see them in turn: who may add, the list,
/// who may modify, non-members. Ann makes two groups, which Bob joins: one where only
/// admins create attributes (`strict`), one where any member does (`loose`).
async fn group_attributes(b: Backend) {
    let Some(g) = Cast::new(b).await else { return };
    let (strict, loose) = group_attributes_setup(&g).await;
    group_attributes_added(&g, strict, loose).await;
    group_attributes_listed(&g, loose).await;
    group_attributes_modified(&g, loose).await;
    group_attributes_of_non_members(&g, loose).await;
    g.finish().await;
}

/// Ann makes the two groups and Bob joins both: their ids, strict then loose.
async fn group_attributes_setup(g: &Cast) -> (i64, i64) {
    let (ann, _) = g.ann().await;
    let mk = |admins_only: bool| {
        json!({"name": "g", "can_auto_join": true, "is_invite_only": false,
        "max_group_size": 9, "admins_only_can_create_attributes": admins_only})
    };
    let strict = group_made(&ann, mk(true)).await;
    let loose = group_made(&ann, mk(false)).await;
    let (bob, _) = g.bob().await;
    for group in [strict, loose] {
        assert_eq!(bob.post("/group_connections", join(group)).await.status, 200);
    }
    (strict, loose)
}

/// Admins only in the strict group; any member in the loose one; bad attributes refused.
async fn group_attributes_added(g: &Cast, strict: i64, loose: i64) {
    let (ann, _) = g.ann().await;
    let (bob, _) = g.bob().await;
    let add = |k: &str, others: bool| json!({"attributes": [{"key": k, "value": "dark", "others_can_edit": others}]});
    let add_to = |group: i64| format!("/groups/{group}/add_attribute");
    // Admins only in the strict group (verified 403); any member in the loose one.
    assert_text_error(&bob.post(&add_to(strict), add("theme", false)).await, 403);
    let r = ann.post(&add_to(strict), add("theme", false)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["attributes"][0]["key"], "theme");
    let r = bob.post(&add_to(loose), add("mine", false)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = bob.post(&add_to(loose), add("shared", true)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_text_error(&bob.post(&add_to(loose), add("mine", true)).await, 422);
    let r = bob.post(&add_to(loose), json!({"attributes": [{"value": "v"}]})).await;
    assert_text_error(&r, 400);
}

/// The list: a bare array with others_can_edit (verified); C# gets it wrapped.
async fn group_attributes_listed(g: &Cast, loose: i64) {
    let (ann, _) = g.ann().await;
    let r = ann.get(&format!("/groups/{loose}/attributes")).await;
    let list = r.json.as_array().expect("bare array");
    assert_eq!(list.len(), 2);
    assert_eq!(
        (
            list[0]["key"].clone(),
            list[0]["others_can_edit"].clone(),
            list[0]["can_edit"].clone()
        ),
        (json!("mine"), json!(false), json!(false))
    );
    assert_eq!(
        (
            list[1]["key"].clone(),
            list[1]["others_can_edit"].clone(),
            list[1]["creator_id"].clone()
        ),
        (json!("shared"), json!(true), json!(g.bo.id))
    );
    let unity = "UnityPlayer/2022.3.1f1 (UnityWebRequest/1.0, libcurl/8.1.1-DEV)";
    let v = ann
        .get_as_unity(&format!("/groups/{loose}/attributes"), ("user-agent", unity))
        .await;
    assert_eq!(v["attributes"].as_array().map(Vec::len), Some(2));
}

/// Modify: creator only, unless others_can_edit (verified both ways).
async fn group_attributes_modified(g: &Cast, loose: i64) {
    let (ann, _) = g.ann().await;
    let modify = |by, body| modify_attribute(by, loose, body);
    assert_text_error(&modify(&ann, set("mine", "x")).await, 403);
    let r = modify(&ann, set("shared", "light")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.json["value"].clone(), r.json["others_can_edit"].clone()),
        (json!("light"), json!(true))
    );
    assert_text_error(&modify(&ann, set("nope", "x")).await, 404);
    assert_text_error(&modify(&ann, json!({"key": "mine"})).await, 400);
    let (bob, _) = g.bob().await;
    let r = modify(&bob, set("mine", "y")).await;
    assert_eq!(r.json["value"], "y", "{}", r.text);
}

/// Non-members neither read nor write.
async fn group_attributes_of_non_members(g: &Cast, loose: i64) {
    let (bob, _) = g.bob().await;
    let (cat, _) = g.cat().await;
    assert_text_error(&cat.get(&format!("/groups/{loose}/attributes")).await, 403);
    assert_text_error(&modify_attribute(&cat, loose, set("shared", "z")).await, 403);
    let r = bob.get(&format!("/groups/{loose}/attributes")).await;
    assert_eq!(r.json[1]["value"], "light", "nothing changed by refused calls");
}

playgate_store::on_both_backends!(
    friendships,
    game_rounds,
    groups,
    tenant_isolation,
    chats_and_messages,
    group_attributes
);
