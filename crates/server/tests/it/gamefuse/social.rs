//! GameFuse V3 dialect, part 2 (reference 10, 11, 13, 1.3) over HTTP on both backends:
//! several users signing in and out in turn, each checking what the sign-in response (the
//! SDK's source of truth) and the routes show after every step, in the JSON types the SDK
//! reads; plus authorization and validation failures (text/plain 4xx, nothing changed).

use std::time::Duration;

use crate::common::gamefuse::Verbs;
use crate::common::{Backend, Resp, TestServer, cheap_hashes, json_type, spawn_with};
use serde_json::{Value, json};

struct Gf {
    srv: TestServer,
    game_id: i64,
    game_token: String,
}

/// A signed-up user: id and e-mail.
#[derive(Clone)]
struct U {
    id: i64,
    email: String,
}

async fn setup(b: Backend) -> Option<Gf> {
    let srv = spawn_with(b, cheap_hashes).await?;
    let game_id = srv.game.game.id.0;
    let game_token = srv.game.game.gamefuse_token.clone();
    Some(Gf {
        srv,
        game_id,
        game_token,
    })
}

impl Gf {
    async fn req(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Resp {
        let client = self.srv.gamefuse().for_game(self.game_id, &self.game_token);
        match token {
            Some(t) => client.signed_in(t).call(method, path, body.as_ref()).await,
            None => client.call(method, path, body.as_ref()).await,
        }
    }

    async fn sign_up(&self, name: &str) -> U {
        let email = format!("{name}@example.org");
        let r = self
            .req(
                "POST",
                "/users",
                None,
                Some(
                    json!({"email": email, "username": name, "password": "pw", "password_confirmation": "pw",
                    "game_id": self.game_id, "game_token": self.game_token}),
                ),
            )
            .await;
        assert_eq!(r.status, 200, "sign-up: {}", r.text);
        U {
            id: r.json["id"].as_i64().expect("id"),
            email,
        }
    }

    /// Ann, Bob and Cat signed up, in that order: the three users of every scenario here.
    async fn ann_bob_and_cat(&self) -> (U, U, U) {
        (
            self.sign_up("ann").await,
            self.sign_up("bob").await,
            self.sign_up("cat").await,
        )
    }

    /// Signs in (a new token each time) and returns the full user data.
    async fn sign_in(&self, u: &U) -> (String, Value) {
        let r = self
            .req(
                "POST",
                "/sessions",
                None,
                Some(json!({"email": u.email, "password": "pw", "game_id": self.game_id.to_string()})),
            )
            .await;
        assert_eq!(r.status, 200, "sign-in: {}", r.text);
        let token = r.json["authentication_token"].as_str().expect("token").to_owned();
        (token, r.json)
    }

    fn tick(&self) {
        self.srv.advance(Duration::from_millis(7));
    }

    /// Requests without a user token.
    fn anon(&self) -> Client<'_> {
        Client { gf: self, token: None }
    }

    /// Requests with a user's `authentication-token`.
    fn by<'a>(&'a self, token: &'a str) -> Client<'a> {
        Client {
            gf: self,
            token: Some(token),
        }
    }
}

/// Requests with one user's token (or none).
struct Client<'a> {
    gf: &'a Gf,
    token: Option<&'a str>,
}

impl Verbs for Client<'_> {
    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        self.gf.req(method, path, self.token, body).await
    }
}

/// Asserts a GameFuse error: status, text/plain, a non-empty text.
fn assert_refused(r: &Resp, status: u16) {
    assert_eq!(r.status, status, "body: {}", r.text);
    let ct = r
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(ct.starts_with("text/plain"), "content-type {ct}");
    assert!(!r.text.is_empty());
}

fn ids(v: &Value) -> Vec<i64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x["id"].as_i64().expect("integer id"))
        .collect()
}

/// Three users of one game and the two friend requests to Bob: Ann's (`ann_bob`) and
/// Cat's (`cat_bob`).
struct Friends {
    gf: Gf,
    a: U,
    bo: U,
    c: U,
    ann_bob: i64,
    cat_bob: i64,
}

/// Friendships (reference 10) as three users see them in turn: requests and refusals,
/// answers, cancelling and unfriending.
async fn friendships(b: Backend) {
    let Some(gf) = setup(b).await else { return };
    let g = friend_requests(gf).await;
    friend_requests_answered(&g).await;
    friends_cancelled_and_unfriended(&g).await;
    g.gf.srv.finish().await;
}

/// Ann and Cat ask Bob; who may answer or cancel what; bad answers.
async fn friend_requests(gf: Gf) -> Friends {
    let (a, bo, c) = gf.ann_bob_and_cat().await;

    // Ann asks Bob: the response is the FriendRequest of the recipient (10.1).
    let (ta, _) = gf.sign_in(&a).await;
    let r = gf.by(&ta).post("/friendships", json!({"username": "bob"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["id"], bo.id);
    assert_eq!(r.json["username"], "bob");
    assert_eq!(json_type(&r.json["friendship_id"]), "number");
    assert_eq!(json_type(&r.json["score"]), "number");
    assert_eq!(json_type(&r.json["credits"]), "number");
    assert!(r.json["requested_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    let ann_bob = r.json["friendship_id"].as_i64().expect("id");
    // Refusals: unknown user, oneself, a second request either way (422 text).
    for (token, name) in [(&ta, "nobody"), (&ta, "ANN"), (&ta, "bob")] {
        let r = gf.by(token).post("/friendships", json!({"username": name})).await;
        assert_refused(&r, 422);
    }
    assert_refused(&gf.by(&ta).post("/friendships", json!({})).await, 422);
    gf.tick();

    // Cat asks Bob later.
    let (tc, _) = gf.sign_in(&c).await;
    let r = gf.by(&tc).post("/friendships", json!({"username": "Bob"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let cat_bob = r.json["friendship_id"].as_i64().expect("id");

    // Bob sees both, newest first (verified rule); nobody else's requests.
    let (tb, me) = gf.sign_in(&bo).await;
    assert_eq!(ids(&me["incoming_friend_requests"]), vec![c.id, a.id]);
    assert_eq!(me["incoming_friend_requests"][0]["friendship_id"], cat_bob);
    assert_eq!(ids(&me["outgoing_friend_requests"]), Vec::<i64>::new());
    assert_eq!(ids(&me["friends"]), Vec::<i64>::new());
    // Bob cannot answer as the sender would, nor cancel what he did not send.
    assert_refused(&gf.by(&tb).delete(&format!("/friendships/{ann_bob}")).await, 422);
    // Ann cannot accept her own request.
    let (ta, me) = gf.sign_in(&a).await;
    assert_eq!(ids(&me["outgoing_friend_requests"]), vec![bo.id]);
    let accept = json!({"friendship": {"status": "accepted"}});
    assert_refused(
        &gf.by(&ta).put(&format!("/friendships/{ann_bob}"), accept.clone()).await,
        422,
    );
    // A bad status and an unknown id.
    let (tb, _) = gf.sign_in(&bo).await;
    let bad = json!({"friendship": {"status": "maybe"}});
    assert_refused(&gf.by(&tb).put(&format!("/friendships/{ann_bob}"), bad).await, 422);
    assert_refused(&gf.by(&tb).put("/friendships/999999", accept.clone()).await, 404);
    Friends {
        gf,
        a,
        bo,
        c,
        ann_bob,
        cat_bob,
    }
}

/// Bob accepts Ann and declines Cat; lists on every side.
async fn friend_requests_answered(g: &Friends) {
    let (tb, _) = g.gf.sign_in(&g.bo).await;
    let (ann_bob, cat_bob) = (g.ann_bob, g.cat_bob);
    // Bob accepts Ann (nested form) and declines Cat (flat form).
    let accept = json!({"friendship": {"status": "accepted"}});
    let r = g.gf.by(&tb).put(&format!("/friendships/{ann_bob}"), accept).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json["message"].is_string());
    let r =
        g.gf.by(&tb)
            .put(&format!("/friendships/{cat_bob}"), json!({"status": "declined"}))
            .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, me) = g.gf.sign_in(&g.bo).await;
    assert_eq!(ids(&me["friends"]), vec![g.a.id]);
    assert_eq!(ids(&me["incoming_friend_requests"]), Vec::<i64>::new());

    // Both are friends of each other; the declined request is listed nowhere.
    let (_, me) = g.gf.sign_in(&g.a).await;
    assert_eq!(ids(&me["friends"]), vec![g.bo.id]);
    assert_eq!(me["friends"][0]["username"], "bob");
    assert_eq!(ids(&me["outgoing_friend_requests"]), Vec::<i64>::new());
    let (tc, me) = g.gf.sign_in(&g.c).await;
    assert_eq!(ids(&me["outgoing_friend_requests"]), Vec::<i64>::new());
    assert_eq!(ids(&me["friends"]), Vec::<i64>::new());
    // Others see Ann's friends (public), not her requests.
    let r = g.gf.by(&tc).get(&format!("/users/{}", g.a.id)).await;
    assert_eq!(ids(&r.json["friends"]), vec![g.bo.id]);
    assert!(r.json.get("incoming_friend_requests").is_none());
    assert!(r.json.get("authentication_token").is_none());
}

/// Cat asks Ann and cancels; Bob unfriends Ann; no token, no answer.
async fn friends_cancelled_and_unfriended(g: &Friends) {
    let (ta, _) = g.gf.sign_in(&g.a).await;
    let (tc, _) = g.gf.sign_in(&g.c).await;
    // Cat asks Ann, then cancels: gone from both sides.
    let r = g.gf.by(&tc).post("/friendships", json!({"username": "ann"})).await;
    let cat_ann = r.json["friendship_id"].as_i64().expect("id");
    let r = g.gf.by(&ta).get("/friendships").await;
    assert_eq!(ids(&r.json["incoming_friend_requests"]), vec![g.c.id]);
    assert_refused(&g.gf.by(&ta).delete(&format!("/friendships/{cat_ann}")).await, 422);
    let r = g.gf.by(&tc).delete(&format!("/friendships/{cat_ann}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = g.gf.by(&ta).get("/incoming_friend_requests").await;
    assert_eq!(ids(&r.json["incoming_friend_requests"]), Vec::<i64>::new());

    // Unfriend: JSON body (SDK) from Bob's side; a second time is 422; the query form too.
    let (tb, _) = g.gf.sign_in(&g.bo).await;
    assert_refused(
        &g.gf
            .by(&tb)
            .send("DELETE", "/unfriend", Some(json!({"user_id": g.c.id})))
            .await,
        422,
    );
    let r =
        g.gf.by(&tb)
            .send("DELETE", "/unfriend", Some(json!({"user_id": g.a.id})))
            .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_refused(
        &g.gf.by(&tb).delete(&format!("/unfriend?user_id={}", g.a.id)).await,
        422,
    );
    let (_, me) = g.gf.sign_in(&g.a).await;
    assert_eq!(ids(&me["friends"]), Vec::<i64>::new());
    let (_, me) = g.gf.sign_in(&g.bo).await;
    assert_eq!(ids(&me["friends"]), Vec::<i64>::new());

    // Without a token: 401 text.
    assert_refused(&g.gf.anon().post("/friendships", json!({"username": "bob"})).await, 401);
}

/// Three users of one game, Ann's solo round and Bob's round in the multiplayer container
/// she started.
struct Rounds {
    gf: Gf,
    a: U,
    bo: U,
    c: U,
    solo: i64,
    bobs: i64,
}

/// Game rounds (reference 13) as three users see them in turn: creation, who may change
/// what, updates, listing, deletion.
async fn game_rounds(b: Backend) {
    let Some(gf) = setup(b).await else { return };
    let g = rounds_created(gf).await;
    rounds_refused(&g).await;
    rounds_updated_and_deleted(&g).await;
    g.gf.srv.finish().await;
}

/// A solo round and a multiplayer container; Bob and Cat read them.
async fn rounds_created(gf: Gf) -> Rounds {
    let (a, bo, c) = gf.ann_bob_and_cat().await;
    let (ta, _) = gf.sign_in(&a).await;

    // A single-player round: fractional score, metadata object, start time now (13.1).
    let body = json!({"game_round": {"game_type": "solo", "game_user_id": a.id, "score": 3.96,
        "metadata": {"level": 2, "tags": ["x"]}, "end_time": "2026-01-01T00:05:00.457Z"}, "multiplayer": false});
    let r = gf.by(&ta).post("/game_rounds", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let solo = r.json["id"].as_i64().expect("id");
    assert_eq!(r.json["game_id"], gf.game_id);
    assert_eq!(r.json["game_user_id"], a.id);
    assert_eq!(r.json["score"], 3.96);
    assert_eq!(r.json["metadata"], json!({"level": 2, "tags": ["x"]}));
    assert_eq!(r.json["start_time"], "2026-01-01T00:00:00.000Z");
    assert_eq!(r.json["end_time"], "2026-01-01T00:05:00.457Z");
    assert_eq!(r.json["place"], Value::Null);
    assert_eq!(r.json["multiplayer_game_round_id"], Value::Null);

    // Multiplayer: a new container with one ranking; Ann adds Bob to it.
    let body = json!({"game_round": {"game_type": "duel", "game_user_id": a.id}, "multiplayer": true});
    let r = gf.by(&ta).post("/game_rounds", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let mp = r.json["multiplayer_game_round_id"].as_i64().expect("container id");
    assert_eq!(r.json["rankings"].as_array().map(Vec::len), Some(1));
    assert_eq!(r.json["rankings"][0]["place"], Value::Null);
    assert_eq!(r.json["rankings"][0]["user"]["id"], a.id);
    let body = json!({"game_round": {"game_type": "duel", "game_user_id": bo.id, "score": 7,
        "multiplayer_game_round_id": mp}});
    let r = gf.by(&ta).post("/game_rounds", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let bobs = r.json["id"].as_i64().expect("id");
    assert_eq!(r.json["game_user_id"], bo.id);
    assert_eq!(r.json["rankings"].as_array().map(Vec::len), Some(2));

    // Bob sees his round with both rankings; Cat downloads Ann's rounds (5.1).
    let (_, me) = gf.sign_in(&bo).await;
    assert_eq!(ids(&me["game_rounds"]), vec![bobs]);
    assert_eq!(me["game_rounds"][0]["rankings"].as_array().map(Vec::len), Some(2));
    assert_eq!(json_type(&me["game_rounds"][0]["score"]), "number");
    let (tc, _) = gf.sign_in(&c).await;
    let r = gf.by(&tc).get(&format!("/users/{}", a.id)).await;
    assert_eq!(r.json["game_rounds"].as_array().map(Vec::len), Some(2));
    assert_eq!(r.json["game_rounds"][0]["metadata"]["level"], 2);
    Rounds {
        gf,
        a,
        bo,
        c,
        solo,
        bobs,
    }
}

/// Only the owner (or the container's master) changes a round; bad rounds are refused.
async fn rounds_refused(g: &Rounds) {
    let (ta, _) = g.gf.sign_in(&g.a).await;
    let (tb, _) = g.gf.sign_in(&g.bo).await;
    let (tc, _) = g.gf.sign_in(&g.c).await;
    let solo = g.solo;
    // Only the owner (or the container's master) changes a round.
    let upd = json!({"game_round": {"score": 1.5}});
    assert_refused(
        &g.gf.by(&tb).put(&format!("/game_rounds/{solo}"), upd.clone()).await,
        401,
    );
    assert_refused(&g.gf.by(&tc).delete(&format!("/game_rounds/{solo}")).await, 401);
    // Bob cannot create rounds for Cat, nor join a container for someone else.
    let body = json!({"game_round": {"game_type": "x", "game_user_id": g.c.id}});
    assert_refused(&g.gf.by(&tb).post("/game_rounds", body).await, 401);
    // Validation: 422 text, nothing stored.
    for bad in [
        json!({"game_round": {"game_user_id": g.a.id}}),
        json!({"game_round": {"game_type": "x"}}),
        json!({"game_round": {"game_type": "x", "game_user_id": g.a.id, "score": "lots"}}),
        json!({"game_round": {"game_type": "x", "game_user_id": g.a.id, "metadata": "plain"}}),
        json!({"game_round": {"game_type": "x", "game_user_id": g.a.id, "start_time": "yesterday"}}),
    ] {
        assert_refused(&g.gf.by(&ta).post("/game_rounds", bad).await, 422);
    }
    assert_refused(
        &g.gf
            .by(&ta)
            .post(
                "/game_rounds",
                json!({"game_round": {"game_type": "x",
            "game_user_id": g.a.id, "multiplayer_game_round_id": 999_999}}),
            )
            .await,
        404,
    );
}

/// Partial updates, the master's update, show and list, delete.
async fn rounds_updated_and_deleted(g: &Rounds) {
    let (ta, _) = g.gf.sign_in(&g.a).await;
    let (tc, _) = g.gf.sign_in(&g.c).await;
    let (solo, bobs) = (g.solo, g.bobs);
    // Ann updates: partial, milliseconds preserved, a new place.
    let upd = json!({"game_round": {"end_time": "2026-01-01T00:09:59.123Z", "place": 1, "score": 4}});
    let r = g.gf.by(&ta).put(&format!("/game_rounds/{solo}"), upd).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["end_time"], "2026-01-01T00:09:59.123Z");
    assert_eq!(r.json["score"], 4.0);
    assert_eq!(r.json["place"], 1);
    assert_eq!(r.json["game_type"], "solo");
    assert_eq!(r.json["metadata"]["level"], 2);
    // The master updates Bob's round in her container.
    let r =
        g.gf.by(&ta)
            .put(&format!("/game_rounds/{bobs}"), json!({"game_round": {"place": 2}}))
            .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["rankings"].as_array().map(Vec::len), Some(2));

    // Show and list (docs routes).
    let r = g.gf.by(&tc).get(&format!("/game_rounds/{solo}")).await;
    assert_eq!(r.json["id"], solo);
    let r = g.gf.by(&tc).get(&format!("/game_rounds?user_id={}", g.a.id)).await;
    assert_eq!(r.json["game_rounds"].as_array().map(Vec::len), Some(2));
    assert_refused(&g.gf.by(&tc).get("/game_rounds").await, 422);

    // Delete: Ann's solo round; gone from her data.
    let r = g.gf.by(&ta).delete(&format!("/game_rounds/{solo}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_refused(&g.gf.by(&ta).get(&format!("/game_rounds/{solo}")).await, 404);
    let (_, me) = g.gf.sign_in(&g.a).await;
    assert_eq!(me["game_rounds"].as_array().map(Vec::len), Some(1));
}

/// Three users of one game and the two groups Ann made: a closed one (at most 3
/// members) and an auto-join one.
struct Groups {
    gf: Gf,
    a: U,
    bo: U,
    c: U,
    closed: i64,
    open: i64,
}

/// Bob's `{group_connection}` to group `group` with `action_type`.
fn bob_joins(bob: i64, group: i64, action: &str) -> Value {
    json!({"group_connection": {"group_id": group, "user_id": bob, "status": "accepted", "action_type": action}})
}

/// An admin's invite of Cat to group `group`.
fn invite_cat(group: i64) -> Value {
    json!({"group_connection": {"group_id": group, "status": "pending", "action_type": "invite"}, "username": "cat"})
}

/// An admin's answer accepting a join request.
fn accept_request() -> Value {
    json!({"group_connection": {"status": "accepted", "action_type": "update"}, "connection_type": "join_request"})
}

/// Groups (reference 11) as four users see them in turn: creation, requests and invites,
/// a full group, admin rights, removal, leaving and deletion.
async fn groups(b: Backend) {
    let Some(gf) = setup(b).await else { return };
    let g = groups_created(gf).await;
    let request = groups_join_requests(&g).await;
    groups_requests_and_invites(&g, request).await;
    groups_full_and_admin_rights(&g).await;
    groups_removal_and_deletion(&g).await;
    g.gf.srv.finish().await;
}

/// Ann creates a closed group and an auto-join group; bad ones are refused.
async fn groups_created(gf: Gf) -> Groups {
    let (a, bo, c) = gf.ann_bob_and_cat().await;
    let (ta, _) = gf.sign_in(&a).await;
    // Ann creates a closed group and an auto-join group: 201 with members and admins.
    let body = json!({"group": {"name": "My Group 5", "max_group_size": 3, "can_auto_join": false,
        "is_invite_only": false, "group_type": "default"}});
    let r = gf.by(&ta).post("/groups", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let closed = r.json["id"].as_i64().expect("id");
    assert_eq!(r.json["member_count"], 1);
    assert_eq!(ids(&r.json["members"]), vec![a.id]);
    assert_eq!(ids(&r.json["admins"]), vec![a.id]);
    assert_eq!(r.json["can_auto_join"], false);
    assert_eq!(r.json["admins_only_can_create_attributes"], true);
    gf.tick();
    // Same name again is fine (11.1).
    let body = json!({"group": {"name": "My Group 5", "max_group_size": 10, "can_auto_join": true,
        "is_invite_only": false}});
    let r = gf.by(&ta).post("/groups", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let open = r.json["id"].as_i64().expect("id");
    let r = gf
        .by(&ta)
        .post("/groups", json!({"group": {"name": " ", "can_auto_join": true}}))
        .await;
    assert_refused(&r, 422);
    let r = gf
        .by(&ta)
        .post("/groups", json!({"group": {"name": "x", "max_group_size": 0}}))
        .await;
    assert_refused(&r, 422);
    Groups {
        gf,
        a,
        bo,
        c,
        closed,
        open,
    }
}

/// Bob lists and shows the groups, asks to join the closed one and joins the open one; he
/// may not answer his own request nor invite. The request's id.
async fn groups_join_requests(g: &Groups) -> i64 {
    let (closed, open) = (g.closed, g.open);
    // Bob lists both, without members (verified), and shows one with members.
    let (tb, _) = g.gf.sign_in(&g.bo).await;
    let r = g.gf.by(&tb).get("/groups").await;
    assert_eq!(ids(&r.json["groups"]), vec![closed, open]);
    assert!(r.json["groups"][0].get("members").is_none());
    assert_eq!(json_type(&r.json["groups"][0]["member_count"]), "number");
    let r = g.gf.by(&tb).get(&format!("/groups/{closed}")).await;
    assert_eq!(ids(&r.json["members"]), vec![g.a.id]);
    assert!(r.json.get("join_requests").is_none(), "only admins see requests");

    // Bob: joining the closed group is refused; a join request stays pending; the open
    // group he joins at once.
    assert_refused(
        &g.gf
            .by(&tb)
            .post("/group_connections", bob_joins(g.bo.id, closed, "join"))
            .await,
        403,
    );
    let r =
        g.gf.by(&tb)
            .post("/group_connections", bob_joins(g.bo.id, closed, "join_request"))
            .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "pending");
    let request = r.json["id"].as_i64().expect("id");
    assert_refused(
        &g.gf
            .by(&tb)
            .post("/group_connections", bob_joins(g.bo.id, closed, "join_request"))
            .await,
        422,
    );
    g.gf.tick();
    let r =
        g.gf.by(&tb)
            .post("/group_connections", bob_joins(g.bo.id, open, "join"))
            .await;
    assert_eq!(r.json["status"], "accepted", "{}", r.text);
    let (tb, me) = g.gf.sign_in(&g.bo).await;
    assert_eq!(ids(&me["groups"]), vec![open]);
    assert_eq!(me["group_join_requests"][0]["id"], request);
    assert_eq!(me["group_join_requests"][0]["group"]["id"], closed);
    assert_eq!(me["group_join_requests"][0]["user"]["id"], g.bo.id);
    // Bob may not answer his own request, nor invite to a group he does not administer.
    let yes = accept_request();
    assert_refused(
        &g.gf
            .by(&tb)
            .put(&format!("/group_connections/{request}"), yes.clone())
            .await,
        403,
    );
    assert_refused(&g.gf.by(&tb).post("/group_connections", invite_cat(open)).await, 403);
    request
}

/// Ann accepts Bob's request; she invites Cat, cancels, invites again; Cat accepts.
async fn groups_requests_and_invites(g: &Groups, request: i64) {
    let yes = accept_request();
    let (closed, open) = (g.closed, g.open);
    // Ann sees the request on the group and accepts it; Bob becomes a plain member.
    let (ta, _) = g.gf.sign_in(&g.a).await;
    let r = g.gf.by(&ta).get(&format!("/groups/{closed}")).await;
    assert_eq!(ids(&r.json["join_requests"]), vec![request]);
    assert_eq!(r.json["join_requests"][0]["user"]["id"], g.bo.id);
    let r = g.gf.by(&ta).put(&format!("/group_connections/{request}"), yes).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json, json!({"id": request, "status": "accepted"}));
    let (_, me) = g.gf.sign_in(&g.bo).await;
    // Oldest membership first: the closed group's request came first.
    assert_eq!(ids(&me["groups"]), vec![closed, open]);
    assert_eq!(me["groups"][0]["member_count"], 2);
    assert_eq!(ids(&me["groups"][0]["admins"]), vec![g.a.id]);
    assert_eq!(ids(&me["group_join_requests"]), Vec::<i64>::new());

    // Ann invites Cat, cancels, invites again; Cat sees group, user and inviter.
    let (ta, _) = g.gf.sign_in(&g.a).await;
    let r = g.gf.by(&ta).post("/group_connections", invite_cat(closed)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["user"]["id"], g.c.id);
    let first = r.json["id"].as_i64().expect("id");
    let r = g.gf.by(&ta).delete(&format!("/group_connections/cancel/{first}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = g.gf.by(&ta).post("/group_connections", invite_cat(closed)).await;
    let invite = r.json["id"].as_i64().expect("id");
    let (tc, me) = g.gf.sign_in(&g.c).await;
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
    let r =
        g.gf.by(&tc)
            .put(
                &format!("/group_connections/{invite}"),
                json!({"group_connection": {"status": "accepted"}}),
            )
            .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, me) = g.gf.sign_in(&g.c).await;
    assert_eq!(ids(&me["groups"]), vec![closed]);
    assert_eq!(ids(&me["group_invites"]), Vec::<i64>::new());
    assert_eq!(me["groups"][0]["member_count"], 3);
}

/// A full group keeps a request pending; only admins update, remove, promote, delete.
async fn groups_full_and_admin_rights(g: &Groups) {
    let ((tb, _), (tc, _)) = (g.gf.sign_in(&g.bo).await, g.gf.sign_in(&g.c).await);
    let (closed, open) = (g.closed, g.open);
    // Full: Dan's request stays pending, and accepting it is refused (nothing changes).
    let d = g.gf.sign_up("dan").await;
    let (td, _) = g.gf.sign_in(&d).await;
    let req = json!({"group_connection": {"group_id": closed, "action_type": "join_request"}});
    let r = g.gf.by(&td).post("/group_connections", req).await;
    assert_eq!(r.json["status"], "pending", "{}", r.text);
    let dans = r.json["id"].as_i64().expect("id");
    let (ta, _) = g.gf.sign_in(&g.a).await;
    let yes = json!({"group_connection": {"status": "accepted"}});
    assert_refused(&g.gf.by(&ta).put(&format!("/group_connections/{dans}"), yes).await, 403);
    let r = g.gf.by(&ta).get(&format!("/groups/{closed}")).await;
    assert_eq!(
        (r.json["member_count"].clone(), ids(&r.json["join_requests"])),
        (json!(3), vec![dans])
    );

    // Only admins update, remove, promote, delete.
    let upd = json!({"group": {"name": "Renamed"}});
    assert_refused(&g.gf.by(&tc).put(&format!("/groups/{closed}"), upd.clone()).await, 403);
    let rm = json!({"group_id": open});
    assert_refused(
        &g.gf
            .by(&tc)
            .put(&format!("/group_connections/remove_member/{}", g.bo.id), rm.clone())
            .await,
        403,
    );
    assert_refused(&g.gf.by(&tb).delete(&format!("/groups/{open}")).await, 403);
    let (ta, _) = g.gf.sign_in(&g.a).await;
    let r = g.gf.by(&ta).put(&format!("/groups/{closed}"), upd).await;
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
async fn groups_removal_and_deletion(g: &Groups) {
    let ((ta, _), (tc, _)) = (g.gf.sign_in(&g.a).await, g.gf.sign_in(&g.c).await);
    let rm = json!({"group_id": g.open});
    let (closed, open) = (g.closed, g.open);
    // Ann removes Bob from the open group: he cannot rejoin by himself (verified).
    let r =
        g.gf.by(&ta)
            .put(&format!("/group_connections/remove_member/{}", g.bo.id), rm)
            .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (tb, me) = g.gf.sign_in(&g.bo).await;
    assert_eq!(ids(&me["groups"]), vec![closed]);
    assert_refused(
        &g.gf
            .by(&tb)
            .post("/group_connections", bob_joins(g.bo.id, open, "join"))
            .await,
        403,
    );

    // Ann promotes Bob in the closed group; Bob then sees its pending lists.
    let r =
        g.gf.by(&ta)
            .put(
                &format!("/group_connections/make_admin/{}", g.bo.id),
                json!({"group_id": closed}),
            )
            .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = g.gf.by(&tb).get(&format!("/groups/{closed}")).await;
    assert_eq!(ids(&r.json["admins"]), vec![g.a.id, g.bo.id]);
    assert!(r.json["join_requests"].is_array());

    // Cat leaves; a declined invite leaves no pending row.
    let r = g.gf.by(&tc).delete(&format!("/group_connections/leave/{closed}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_refused(
        &g.gf.by(&tc).delete(&format!("/group_connections/leave/{closed}")).await,
        422,
    );
    let r = g.gf.by(&tb).post("/group_connections", invite_cat(closed)).await;
    let again = r.json["id"].as_i64().expect("id");
    let (tc, _) = g.gf.sign_in(&g.c).await;
    let r =
        g.gf.by(&tc)
            .put(
                &format!("/group_connections/{again}"),
                json!({"group_connection": {"status": "declined"}}),
            )
            .await;
    assert_eq!(r.json["status"], "declined", "{}", r.text);
    let (_, me) = g.gf.sign_in(&g.c).await;
    assert_eq!(ids(&me["group_invites"]), Vec::<i64>::new());
    assert_eq!(ids(&me["groups"]), Vec::<i64>::new());

    // Ann deletes the open group: gone from every list.
    let r = g.gf.by(&ta).delete(&format!("/groups/{open}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = g.gf.by(&ta).get("/groups").await;
    assert_eq!(ids(&r.json["groups"]), vec![closed]);
    assert_refused(&g.gf.by(&ta).get(&format!("/groups/{open}")).await, 404);
    // A bad action type, a missing group.
    let bad = json!({"group_connection": {"group_id": closed, "action_type": "steal"}});
    assert_refused(&g.gf.by(&ta).post("/group_connections", bad).await, 422);
    assert_refused(
        &g.gf
            .by(&ta)
            .post("/group_connections", bob_joins(g.bo.id, 999_999, "join"))
            .await,
        404,
    );
}

/// Objects of one game are invisible from another (reference 0.2).
async fn tenant_isolation(b: Backend) {
    let Some(gf) = setup(b).await else { return };
    let a = gf.sign_up("ann").await;
    let (ta, _) = gf.sign_in(&a).await;
    let r = gf
        .by(&ta)
        .post("/groups", json!({"group": {"name": "g", "can_auto_join": true}}))
        .await;
    let g = r.json["id"].as_i64().expect("id");
    let body = json!({"game_round": {"game_type": "solo", "game_user_id": a.id}});
    let round = gf.by(&ta).post("/game_rounds", body).await.json["id"]
        .as_i64()
        .expect("id");
    // A second game with a user of the same name.
    let other = gf.srv.new_game("Other").await;
    let gf2 = Gf {
        srv: gf.srv,
        game_id: other.game.id.0,
        game_token: other.game.gamefuse_token.clone(),
    };
    let x = gf2.sign_up("ann").await;
    let (tx, _) = gf2.sign_in(&x).await;
    assert_refused(&gf2.by(&tx).get(&format!("/groups/{g}")).await, 404);
    assert_refused(&gf2.by(&tx).get(&format!("/game_rounds/{round}")).await, 404);
    let join = json!({"group_connection": {"group_id": g, "action_type": "join"}});
    assert_refused(&gf2.by(&tx).post("/group_connections", join).await, 404);
    let r = gf2.by(&tx).post("/friendships", json!({"username": "ann"})).await;
    assert_refused(&r, 422);
    assert_eq!(ids(&gf2.by(&tx).get("/groups").await.json["groups"]), Vec::<i64>::new());
    gf2.srv.finish().await;
}

/// Three users of one game, Ann's chats with Bob ({A, B}) and with both ({A, B, C}), and
/// Ann's first message.
struct Chats {
    gf: Gf,
    a: U,
    bo: U,
    c: U,
    ab: i64,
    abc: i64,
    msg: i64,
}

/// Chats and messages (reference 16) as three users see them in turn: direct chats,
/// refusals, pages, a group chat.
async fn chats_and_messages(b: Backend) {
    let Some(gf) = setup(b).await else { return };
    let g = chats_direct(gf).await;
    chats_replied_and_read(&g).await;
    chats_refused(&g).await;
    chats_paged(&g).await;
    chats_of_groups(&g).await;
    g.gf.srv.finish().await;
}

/// Ann writes to Bob, then to Bob and Cat; Bob sees both chats, Ann's message unread.
async fn chats_direct(gf: Gf) -> Chats {
    let (a, bo, c) = gf.ann_bob_and_cat().await;
    let (ta, _) = gf.sign_in(&a).await;

    // Ann writes to Bob: a direct chat (User), both participants, the message read by Ann.
    let r = gf
        .by(&ta)
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
    let r = gf
        .by(&ta)
        .post("/chats", json!({"text": "again", "usernames": ["Bob"]}))
        .await;
    assert_eq!(r.json["id"], ab);
    assert_eq!(r.json["messages"].as_array().map(Vec::len), Some(2));
    gf.tick();
    let r = gf
        .by(&ta)
        .post("/chats", json!({"text": "all", "usernames": ["bob", "cat"]}))
        .await;
    let abc = r.json["id"].as_i64().expect("id");
    assert_ne!(abc, ab);

    // Bob: both chats, most recent activity first; Ann's message unread for him.
    let (_, me) = gf.sign_in(&bo).await;
    assert_eq!(ids(&me["direct_chats"]), vec![abc, ab]);
    assert_eq!(ids(&me["group_chats"]), Vec::<i64>::new());
    let newest = &me["direct_chats"][1]["messages"][0];
    assert_eq!(newest["text"], "again");
    assert_eq!(newest["read"], false);
    let msg = newest["id"].as_i64().expect("id");
    Chats {
        gf,
        a,
        bo,
        c,
        ab,
        abc,
        msg,
    }
}

/// Bob replies and marks Ann's message read (twice: idempotent); the page of {A, B} shows
/// it.
async fn chats_replied_and_read(g: &Chats) {
    let (tb, _) = g.gf.sign_in(&g.bo).await;
    let (ab, msg) = (g.ab, g.msg);
    let r =
        g.gf.by(&tb)
            .post("/messages", json!({"message": {"chat_id": ab, "text": "hey"}}))
            .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["user_id"], g.bo.id);
    assert_eq!(r.json["read_by"], json!([g.bo.id]));
    assert_eq!(r.json["message"]["id"], r.json["id"], "docs/C# superset");
    for _ in 0..2 {
        let r =
            g.gf.by(&tb)
                .send("POST", &format!("/messages/{msg}/mark_as_read"), None)
                .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    // Message pages: a bare array for the JS SDK, newest first.
    let r = g.gf.by(&tb).get(&format!("/messages/page/1?chat_id={ab}")).await;
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
async fn chats_refused(g: &Chats) {
    let (ab, abc, msg) = (g.ab, g.abc, g.msg);
    // Cat is not in {A, B}: cannot read, post or mark there.
    let (tc, me) = g.gf.sign_in(&g.c).await;
    assert_eq!(ids(&me["direct_chats"]), vec![abc]);
    assert_refused(&g.gf.by(&tc).get(&format!("/messages/page/1?chat_id={ab}")).await, 403);
    assert_refused(
        &g.gf
            .by(&tc)
            .post("/messages", json!({"chat_id": ab, "text": "x"}))
            .await,
        403,
    );
    assert_refused(
        &g.gf
            .by(&tc)
            .send("POST", &format!("/messages/{msg}/mark_as_read"), None)
            .await,
        403,
    );
    // Validation: empty text, unknown user, both or neither target, no chat.
    for bad in [
        json!({"text": "", "usernames": ["ann"]}),
        json!({"text": "x", "usernames": ["nobody"]}),
        json!({"text": "x"}),
        json!({"text": "x", "usernames": ["ann"], "group_id": 1}),
        json!({"text": "x", "usernames": []}),
    ] {
        assert_refused(&g.gf.by(&tc).post("/chats", bad).await, 422);
    }
    assert_refused(
        &g.gf
            .by(&tc)
            .post("/messages", json!({"message": {"chat_id": abc, "text": " "}}))
            .await,
        422,
    );
    assert_refused(&g.gf.by(&tc).get("/messages/page/1?chat_id=999999").await, 404);
}

/// Pages of 25 messages, bare for JS and wrapped for C#; pages of chats.
async fn chats_paged(g: &Chats) {
    let (tc, _) = g.gf.sign_in(&g.c).await;
    let abc = g.abc;
    // Pages of 25: 30 messages in {A, B, C}.
    for i in 0..30 {
        let r =
            g.gf.by(&tc)
                .post(
                    "/messages",
                    json!({"message": {"chat_id": abc, "text": format!("m{i}")}}),
                )
                .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let p1 = g.gf.by(&tc).get(&format!("/messages/page/1?chat_id={abc}")).await;
    assert_eq!(p1.json.as_array().map(Vec::len), Some(25));
    assert_eq!(p1.json[0]["text"], "m29");
    let p2 = g.gf.by(&tc).get(&format!("/messages/page/2?chat_id={abc}")).await;
    assert_eq!(p2.json.as_array().map(Vec::len), Some(6));
    assert_eq!(p2.json[5]["text"], "all");
    // The C# SDK gets the wrapped form (reference 16).
    let r =
        g.gf.srv
            .http
            .get(format!("{}/api/v3/messages/page/2?chat_id={abc}", g.gf.srv.base))
            .header("authentication-token", &tc)
            .header("x-unity-version", "2022.3.1f1")
            .send()
            .await
            .expect("send");
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["messages"].as_array().map(Vec::len), Some(6));
    let (_, me) = g.gf.sign_in(&g.a).await;
    assert_eq!(me["direct_chats"][0]["messages"].as_array().map(Vec::len), Some(25));
    let r = g.gf.by(&tc).get("/chats/page/1").await;
    assert_eq!(ids(&r.json["direct_chats"]), vec![abc]);
    assert!(r.json["group_chats"].is_array());
    let r = g.gf.by(&tc).get("/chats/page/2").await;
    assert_eq!(r.json, json!({"direct_chats": [], "group_chats": []}));
}

/// A group chat: members only; participants cover every author, even one who left.
async fn chats_of_groups(g: &Chats) {
    let (tb, _) = g.gf.sign_in(&g.bo).await;
    // A group chat: members only; participants cover every author, even one who left.
    let (ta, _) = g.gf.sign_in(&g.a).await;
    let body = json!({"group": {"name": "g", "can_auto_join": true, "is_invite_only": false, "max_group_size": 5}});
    let group = g.gf.by(&ta).post("/groups", body).await.json["id"]
        .as_i64()
        .expect("id");
    assert_refused(
        &g.gf
            .by(&tb)
            .post("/chats", json!({"text": "x", "group_id": group}))
            .await,
        422,
    );
    let join = json!({"group_connection": {"group_id": group, "action_type": "join"}});
    let (tb, _) = g.gf.sign_in(&g.bo).await;
    assert_eq!(g.gf.by(&tb).post("/group_connections", join).await.status, 200);
    let r =
        g.gf.by(&tb)
            .post("/chats", json!({"text": "hello group", "group_id": group}))
            .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["creator_type"], "Group");
    let gc = r.json["id"].as_i64().expect("id");
    let r = g.gf.by(&tb).delete(&format!("/group_connections/leave/{group}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (ta, me) = g.gf.sign_in(&g.a).await;
    assert_eq!(ids(&me["group_chats"]), vec![gc]);
    let chat = &me["group_chats"][0];
    assert_eq!(chat["creator_type"], "Group");
    let parts = ids(&chat["participants"]);
    assert!(
        parts.contains(&g.a.id) && parts.contains(&g.bo.id),
        "author kept: {parts:?}"
    );
    // Bob left: he can no longer read it.
    assert_refused(&g.gf.by(&tb).get(&format!("/messages/page/1?chat_id={gc}")).await, 403);
    let r =
        g.gf.by(&ta)
            .post("/chats", json!({"text": "still here", "group_id": group}))
            .await;
    assert_eq!(r.json["id"], gc, "one chat per group");
}

/// Three users of one game and Ann's two groups, which Bob joined: one where only admins
/// create attributes (`strict`), one where any member does (`loose`).
struct GroupAttrs {
    gf: Gf,
    a: U,
    bo: U,
    c: U,
    strict: i64,
    loose: i64,
}

/// A `modify_attribute` body.
fn set(key: &str, value: &str) -> Value {
    json!({"key": key, "value": value})
}

/// Group attributes (reference 11) as three users see them in turn: who may add, the list,
/// who may modify, non-members.
async fn group_attributes(b: Backend) {
    let Some(gf) = setup(b).await else { return };
    let g = group_attributes_setup(gf).await;
    group_attributes_added(&g).await;
    group_attributes_listed(&g).await;
    group_attributes_modified(&g).await;
    group_attributes_of_non_members(&g).await;
    g.gf.srv.finish().await;
}

/// Ann makes the two groups and Bob joins both.
async fn group_attributes_setup(gf: Gf) -> GroupAttrs {
    let (a, bo, c) = gf.ann_bob_and_cat().await;
    let (ta, _) = gf.sign_in(&a).await;
    let mk = |admins_only: bool| {
        json!({"group": {"name": "g", "can_auto_join": true, "is_invite_only": false,
        "max_group_size": 9, "admins_only_can_create_attributes": admins_only}})
    };
    let strict = gf.by(&ta).post("/groups", mk(true)).await.json["id"]
        .as_i64()
        .expect("id");
    let loose = gf.by(&ta).post("/groups", mk(false)).await.json["id"]
        .as_i64()
        .expect("id");
    let (tb, _) = gf.sign_in(&bo).await;
    for g in [strict, loose] {
        let join = json!({"group_connection": {"group_id": g, "action_type": "join"}});
        assert_eq!(gf.by(&tb).post("/group_connections", join).await.status, 200);
    }
    GroupAttrs {
        gf,
        a,
        bo,
        c,
        strict,
        loose,
    }
}

/// Admins only in the strict group; any member in the loose one; bad attributes refused.
async fn group_attributes_added(g: &GroupAttrs) {
    let (ta, _) = g.gf.sign_in(&g.a).await;
    let (tb, _) = g.gf.sign_in(&g.bo).await;
    let (strict, loose) = (g.strict, g.loose);
    let add = |k: &str, others: bool| json!({"attributes": [{"key": k, "value": "dark", "others_can_edit": others}]});
    // Admins only in the strict group (verified 403); any member in the loose one.
    assert_refused(
        &g.gf
            .by(&tb)
            .post(&format!("/groups/{strict}/add_attribute"), add("theme", false))
            .await,
        403,
    );
    let r =
        g.gf.by(&ta)
            .post(&format!("/groups/{strict}/add_attribute"), add("theme", false))
            .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["attributes"][0]["key"], "theme");
    let r =
        g.gf.by(&tb)
            .post(&format!("/groups/{loose}/add_attribute"), add("mine", false))
            .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r =
        g.gf.by(&tb)
            .post(&format!("/groups/{loose}/add_attribute"), add("shared", true))
            .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_refused(
        &g.gf
            .by(&tb)
            .post(&format!("/groups/{loose}/add_attribute"), add("mine", true))
            .await,
        422,
    );
    assert_refused(
        &g.gf
            .by(&tb)
            .post(
                &format!("/groups/{loose}/add_attribute"),
                json!({"attributes": [{"value": "v"}]}),
            )
            .await,
        400,
    );
}

/// The list: a bare array with others_can_edit; C# gets it wrapped.
async fn group_attributes_listed(g: &GroupAttrs) {
    let loose = g.loose;
    // The list: a bare array with others_can_edit (verified); C# gets it wrapped.
    let (ta, _) = g.gf.sign_in(&g.a).await;
    let r = g.gf.by(&ta).get(&format!("/groups/{loose}/attributes")).await;
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
    let r =
        g.gf.srv
            .http
            .get(format!("{}/api/v3/groups/{loose}/attributes", g.gf.srv.base))
            .header("authentication-token", &ta)
            .header(
                "user-agent",
                "UnityPlayer/2022.3.1f1 (UnityWebRequest/1.0, libcurl/8.1.1-DEV)",
            )
            .send()
            .await
            .expect("send");
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["attributes"].as_array().map(Vec::len), Some(2));
}

/// Modify: creator only, unless others_can_edit.
async fn group_attributes_modified(g: &GroupAttrs) {
    let (ta, _) = g.gf.sign_in(&g.a).await;
    let loose = g.loose;
    // Modify: creator only, unless others_can_edit (verified both ways).
    assert_refused(
        &g.gf
            .by(&ta)
            .send(
                "PATCH",
                &format!("/groups/{loose}/modify_attribute"),
                Some(set("mine", "x")),
            )
            .await,
        403,
    );
    let r =
        g.gf.by(&ta)
            .send(
                "PATCH",
                &format!("/groups/{loose}/modify_attribute"),
                Some(set("shared", "light")),
            )
            .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.json["value"].clone(), r.json["others_can_edit"].clone()),
        (json!("light"), json!(true))
    );
    assert_refused(
        &g.gf
            .by(&ta)
            .send(
                "PATCH",
                &format!("/groups/{loose}/modify_attribute"),
                Some(set("nope", "x")),
            )
            .await,
        404,
    );
    assert_refused(
        &g.gf
            .by(&ta)
            .send(
                "PATCH",
                &format!("/groups/{loose}/modify_attribute"),
                Some(json!({"key": "mine"})),
            )
            .await,
        400,
    );
    let (tb, _) = g.gf.sign_in(&g.bo).await;
    let r =
        g.gf.by(&tb)
            .send(
                "PATCH",
                &format!("/groups/{loose}/modify_attribute"),
                Some(set("mine", "y")),
            )
            .await;
    assert_eq!(r.json["value"], "y", "{}", r.text);
}

/// Non-members neither read nor write.
async fn group_attributes_of_non_members(g: &GroupAttrs) {
    let (tb, _) = g.gf.sign_in(&g.bo).await;
    let loose = g.loose;
    // Non-members neither read nor write.
    let (tc, _) = g.gf.sign_in(&g.c).await;
    assert_refused(&g.gf.by(&tc).get(&format!("/groups/{loose}/attributes")).await, 403);
    assert_refused(
        &g.gf
            .by(&tc)
            .send(
                "PATCH",
                &format!("/groups/{loose}/modify_attribute"),
                Some(set("shared", "z")),
            )
            .await,
        403,
    );
    let r = g.gf.by(&tb).get(&format!("/groups/{loose}/attributes")).await;
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
