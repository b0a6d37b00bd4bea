//! The GameFuse dialect as the native SDKs call it (reference section 17,
//! `gamefuse-native-sdks.md`): the C# (Unity) SDK's and the Unreal SDK's integration-test
//! flows of 17.6 replayed step by step over HTTP, on both backends, with each SDK's headers
//! (Unity's `X-Unity-Version` and User-Agent; Unreal's engine User-Agent and
//! `Accept: application/json` on every request) and bodies (flat JSON, Unreal's query
//! parameters, camelCase round structs, a JSON body on a GET). Each step asserts what that
//! SDK's tests assert, in the types its parser needs; where the JS SDK reads another shape,
//! the same call without the native headers shows the JS shape is unchanged.

use crate::common::gamefuse::Verbs;
use crate::common::{Backend, Resp, TestServer, cheap_hashes, spawn_with};
use playgate_core::client_users::ClientUsers;
use serde_json::{Value, json};

const SUITE_NAME: &str = "system-suite";
const SUITE_TOKEN: &str = "suite-secret-token";

/// Which client a request imitates.
#[derive(Clone, Copy, PartialEq)]
enum Sdk {
    /// `UnityWebRequestTransport`: Unity's headers; a JSON Content-Type only with a body.
    CSharp,
    /// `UAPIRequestHandler`: the engine's User-Agent; JSON Content-Type and Accept always.
    Unreal,
    /// The JS SDK's `fetch` (no native header), to pin the JS shapes.
    Js,
}

struct Env {
    srv: TestServer,
}

async fn setup(b: Backend) -> Option<Env> {
    let srv = spawn_with(b, |c| {
        c.test_suite_key_name = Some(SUITE_NAME.into());
        c.test_suite_key_token = Some(SUITE_TOKEN.into());
        cheap_hashes(c);
    })
    .await?;
    Some(Env { srv })
}

impl Env {
    async fn suite(&self, sdk: Sdk, method: &str, path: &str, body: Option<Value>) -> Resp {
        self.send(sdk, method, path, None, body, true).await
    }

    async fn send(
        &self,
        sdk: Sdk,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        suite: bool,
    ) -> Resp {
        let mut r = self.srv.gamefuse().request(method, &format!("/{path}"));
        match sdk {
            Sdk::CSharp => {
                r = r
                    .header(
                        "user-agent",
                        "UnityPlayer/2022.3.20f1 (UnityWebRequest/1.0, libcurl/8.4.0-DEV)",
                    )
                    .header("x-unity-version", "2022.3.20f1");
                if body.is_some() {
                    r = r.header("content-type", "application/json");
                }
            }
            Sdk::Unreal => {
                r = r
                    .header(
                        "user-agent",
                        "GameFuseTests/++UE5+Release-5.4-CL-33043543 Windows/10.0.22631.1.256.64bit",
                    )
                    .header("content-type", "application/json")
                    .header("accept", "application/json");
            }
            Sdk::Js => r = r.header("content-type", "application/json"),
        }
        if let Some(t) = token {
            r = r.header("authentication-token", t);
        }
        if suite {
            r = r
                .header("service-key-name", SUITE_NAME)
                .header("service-key-token", SUITE_TOKEN);
        }
        if let Some(b) = body {
            r = r.raw_body(&b.to_string());
        }
        r.send().await
    }

    fn client_users(&self) -> ClientUsers {
        self.srv.running.client_users.clone()
    }

    /// Requests as `sdk` sends them, without a user token.
    fn anon(&self, sdk: Sdk) -> Client<'_> {
        Client {
            env: self,
            sdk,
            token: None,
        }
    }

    /// Requests as `sdk` sends them with a user's `authentication-token`.
    fn by<'a>(&'a self, sdk: Sdk, token: &'a str) -> Client<'a> {
        Client {
            env: self,
            sdk,
            token: Some(token),
        }
    }
}

/// One SDK's requests with one user's token (or none).
struct Client<'a> {
    env: &'a Env,
    sdk: Sdk,
    token: Option<&'a str>,
}

impl Verbs for Client<'_> {
    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        self.env.send(self.sdk, method, path, self.token, body, false).await
    }
}

impl Client<'_> {
    /// `GET path`: the body of its 2xx answer.
    async fn get_ok(&self, path: &str) -> Value {
        ok(self.get(path).await)
    }

    /// `POST path` with `body`: the body of its 2xx answer.
    async fn post_ok(&self, path: &str, body: Value) -> Value {
        ok(self.post(path, body).await)
    }

    /// `PUT path` with `body`: the body of its 2xx answer.
    async fn put_ok(&self, path: &str, body: Value) -> Value {
        ok(self.put(path, body).await)
    }

    /// `DELETE path`: the body of its 2xx answer.
    async fn delete_ok(&self, path: &str) -> Value {
        ok(self.delete(path).await)
    }

    /// `method path` with an optional body: the body of its 2xx answer.
    async fn send_ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        ok(self.send(method, path, body).await)
    }
}

/// Asserts a 2xx with a JSON body and returns the body.
fn ok(r: Resp) -> Value {
    assert!((200..300).contains(&r.status), "status {}: {}", r.status, r.text);
    assert!(!r.json.is_null(), "a 2xx needs a JSON body: {}", r.text);
    r.json
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("integer id in {v}"))
}

fn list_len(v: &Value) -> usize {
    v.as_array().unwrap_or_else(|| panic!("array: {v}")).len()
}

fn message(v: &Value) -> String {
    v["message"]
        .as_str()
        .unwrap_or_else(|| panic!("message in {v}"))
        .to_owned()
}

// ------------------------------------------------------------------------------- C#

/// A C# user: `GameFuseUser.SignUpAsync` (flat body, `game_id` a string).
struct CsUser {
    id: i64,
    name: String,
    email: String,
    token: String,
}

async fn cs_sign_up(env: &Env, game: i64, game_token: &str, tag: &str) -> CsUser {
    let email = format!("{tag}_1a2b3c4d@gamefuse.com");
    let name = format!("{tag}_1a2b3c4d");
    let body = json!({"email": email, "password": "password1234", "password_confirmation": "password1234",
        "username": name, "game_id": game.to_string(), "game_token": game_token});
    let v = env.anon(Sdk::CSharp).post_ok("users", body).await;
    assert!(id(&v) > 0);
    assert_eq!(v["username"], name.as_str());
    assert!(v["email"].as_str().is_some_and(|e| e.contains(&email)), "{v}");
    CsUser {
        id: id(&v),
        token: v["authentication_token"].as_str().expect("token").to_owned(),
        name,
        email,
    }
}

/// The game the C# fixtures share and its three users, each with its latest token.
struct CsGame<'a> {
    env: &'a Env,
    id: i64,
    token: String,
    u1: CsUser,
    u2: CsUser,
    u3: CsUser,
}

impl CsGame<'_> {
    /// `POST sessions` as the C# SDK sends it: flat, `game_id` a string.
    fn sign_in_body(&self, email: &str, password: &str) -> Value {
        json!({"email": email, "password": password, "game_id": self.id.to_string(), "game_token": self.token})
    }
}

/// The C# SDK's integration tests (17.6), fixture by fixture, in one game created and
/// cleaned up by the test suite as `TestBase` does.
async fn csharp_flow(b: Backend) {
    let Some(env) = setup(b).await else { return };
    let mut g = cs_auth(&env).await;
    cs_profile(&mut g).await;
    cs_user_data(&g).await;
    cs_friends(&g).await;
    let open = cs_groups(&g).await;
    cs_group_attributes(&mut g, open).await;
    cs_messages(&g, open).await;
    let solo = cs_rounds(&g).await;
    cs_round_updates(&g, solo).await;
    cs_leaderboard(&g).await;
    // TestBase.TearDown: clean-up with a JSON body; the message the test looks for.
    let c = Sdk::CSharp;
    let v = ok(env
        .suite(c, "DELETE", "test_suite/clean_up_test", Some(json!({"game_id": g.id})))
        .await);
    assert!(message(&v).contains("everything should have been destroyed!"), "{v}");
    let q = format!("games/store_items?game_id={}&game_token={}", g.id, g.token);
    assert_eq!(env.anon(c).get(&q).await.status, 404, "game gone");
    env.srv.finish().await;
}

/// TestBase.SetUp (create_game with `{}`) and the auth fixture: sign-up, sign-in,
/// forgotten and reset password, the test suite's users.
async fn cs_auth(env: &Env) -> CsGame<'_> {
    let c = Sdk::CSharp;
    // TestBase.SetUp: create_game with `{}`.
    let g = env.suite(c, "POST", "test_suite/create_game", Some(json!({}))).await;
    assert_eq!(g.status, 201, "{}", g.text);
    let (game, game_token) = (id(&g.json), g.json["token"].as_str().expect("token").to_owned());

    let u1 = cs_sign_up(env, game, &game_token, "MainUser").await;
    let bad = json!({"email": "x@gamefuse.com", "password": "p", "password_confirmation": "p",
        "username": "x", "game_id": "99999", "game_token": "invalid_token"});
    assert_eq!(env.anon(c).post("users", bad).await.status, 404);
    let sign_in = |email: &str, pw: &str| json!({"email": email, "password": pw, "game_id": game.to_string(), "game_token": game_token});
    let v = env
        .anon(c)
        .post_ok("sessions", sign_in(&u1.email, "password1234"))
        .await;
    assert_eq!(id(&v), u1.id);
    let u1_token = v["authentication_token"].as_str().expect("token").to_owned();
    // Deliberate: a wrong password is 404 like an unknown e-mail (seed 003), not the 401
    // the C# test expects.
    let r = env.anon(c).post("sessions", sign_in(&u1.email, "wrong")).await;
    assert_eq!(r.status, 404, "{}", r.text);
    // Forgot password: the e-mail raw in the query; an unknown address answers 200 too
    // (deliberate: no account enumeration).
    for email in [u1.email.as_str(), "nobody@gamefuse.com"] {
        let q = format!("games/{game}/forget_password?email={email}&game_id={game}&game_token={game_token}");
        env.anon(c).get_ok(&q).await;
    }
    // `POST password/reset` with the link's token (JSON, flat, with the game's credentials).
    let outbox = env.client_users().outbox(10).await.expect("outbox");
    assert_eq!(outbox.len(), 1);
    let reset = outbox[0]
        .body
        .split_whitespace()
        .find(|w| w.contains("/api/v3/password_reset?token="))
        .and_then(|link| link.split("token=").nth(1))
        .expect("reset link")
        .to_owned();
    let body = json!({"token": reset, "password": "password5678", "password_confirmation": "password5678",
        "game_id": game, "game_token": game_token});
    env.anon(c).post_ok("password/reset", body.clone()).await;
    assert_eq!(
        env.anon(c).post("password/reset", body).await.status,
        422,
        "a spent token"
    );
    let v = env
        .anon(c)
        .post_ok("sessions", sign_in(&u1.email, "password5678"))
        .await;
    let t1 = v["authentication_token"].as_str().expect("token").to_owned();
    assert_ne!(t1, u1_token);
    // TestSuiteService.CreateUser: a JSON body with an integer game id.
    let r = env
        .suite(
            c,
            "POST",
            "test_suite/create_user",
            Some(json!({"game_id": game, "username": "suite_user", "email": "suite_user@gamefuse.com"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        (r.json["username"].clone(), r.json["display_email"].clone()),
        (json!("suite_user"), json!("suite_user@gamefuse.com"))
    );
    CsGame {
        env,
        u1: CsUser { token: t1, ..u1 },
        u2: cs_sign_up(env, game, &game_token, "SecondUser").await,
        u3: cs_sign_up(env, game, &game_token, "ThirdUser").await,
        id: game,
        token: game_token,
    }
}

/// Profile and password changes (`PUT users/{id}`, `PUT users/{id}/password`).
async fn cs_profile(g: &mut CsGame<'_>) {
    let (env, c) = (g.env, Sdk::CSharp);
    let (u2, u3) = (&g.u2, &g.u3);
    let t3 = g.u3.token.as_str();
    let sign_in = |email: &str, pw: &str| g.sign_in_body(email, pw);
    let path = format!("users/{}", u3.id);
    let v = env.by(c, t3).put_ok(&path, json!({"username": "ThirdRenamed"})).await;
    assert_eq!(v["username"], "ThirdRenamed");
    let r = env.by(c, t3).put(&path, json!({"username": u2.name})).await;
    assert_eq!(r.status, 422, "taken: {}", r.text);
    let v = env
        .by(c, t3)
        .put_ok(&path, json!({"email": "third_new@gamefuse.com"}))
        .await;
    assert_eq!(v["display_email"], "third_new@gamefuse.com");
    let pw = |current: &str| json!({"current_password": current, "password": "n3w-pass", "password_confirmation": "n3w-pass"});
    let r = env.by(c, t3).put(&format!("{path}/password"), pw("wrong")).await;
    assert_eq!(r.status, 422, "{}", r.text);
    env.by(c, t3)
        .put_ok(&format!("{path}/password"), pw("password1234"))
        .await;
    let v = env
        .anon(c)
        .post_ok("sessions", sign_in("third_new@gamefuse.com", "n3w-pass"))
        .await;
    assert_eq!(id(&v), u3.id);
    let t3 = v["authentication_token"].as_str().expect("token").to_owned();
    assert!(
        env.by(c, &t3)
            .put(&format!("users/{}", u2.id), json!({"username": "z"}))
            .await
            .status
            >= 400,
        "only one's own profile"
    );
    g.u3.token = t3;
}

/// Attributes, score, credits, another user, stores, empty boards; the game's store.
async fn cs_user_data(g: &CsGame<'_>) {
    let (env, c) = (g.env, Sdk::CSharp);
    let (u1, u2) = (&g.u1, &g.u2);
    let (t1, t2) = (g.u1.token.as_str(), g.u2.token.as_str());
    let game = g.id;
    let game_token = g.token.as_str();
    let me = format!("users/{}", u1.id);
    let v = env
        .by(c, t1)
        .post_ok(
            &format!("{me}/add_game_user_attribute"),
            json!({"key": "color", "value": "blue"}),
        )
        .await;
    assert_eq!(v["game_user_attributes"][0]["key"], "color");
    let batch = json!({"attributes": [{"key": "hat", "value": "red"}, {"key": "shoes", "value": "big"}]});
    let v = env
        .by(c, t1)
        .post_ok(&format!("{me}/add_game_user_attribute"), batch)
        .await;
    assert_eq!(list_len(&v["game_user_attributes"]), 3);
    let v = env
        .by(c, t1)
        .get_ok(&format!("{me}/remove_game_user_attribute?game_user_attribute_key=hat"))
        .await;
    assert_eq!(list_len(&v["game_user_attributes"]), 2);
    let v = env.by(c, t2).get_ok(&format!("{me}/game_user_attributes")).await;
    assert_eq!(list_len(&v["game_user_attributes"]), 2, "another user's");
    env.by(c, t1)
        .post_ok(&format!("{me}/add_score"), json!({"score": 50}))
        .await;
    let v = env
        .by(c, t1)
        .post_ok(&format!("{me}/set_score"), json!({"score": 123}))
        .await;
    assert_eq!(v["score"], 123);
    env.by(c, t1)
        .post_ok(&format!("{me}/add_credits"), json!({"credits": 100}))
        .await;
    let v = env
        .by(c, t1)
        .post_ok(&format!("{me}/set_credits"), json!({"credits": 500}))
        .await;
    assert_eq!(v["credits"], 500);
    let v = env.by(c, t1).get_ok(&format!("users/{}", u2.id)).await;
    assert_eq!(v["username"], u2.name.as_str());
    for (user, token) in [(u1.id, &t1), (u2.id, &t1)] {
        let v = env
            .by(c, token)
            .get_ok(&format!("users/{user}/game_user_store_items"))
            .await;
        assert!(v["credits"].is_i64() && list_len(&v["store_items"]) == 0, "{v}");
        let v = env
            .by(c, token)
            .get_ok(&format!(
                "users/{user}/leaderboard_entries?limit=10&leaderboard_name=unused"
            ))
            .await;
        assert_eq!(list_len(&v["leaderboard_entries"]), 0);
    }

    let q = format!("games/store_items?game_id={game}&game_token={game_token}");
    assert_eq!(list_len(&env.anon(c).get_ok(&q).await["store_items"]), 0);
}

/// Friends: send, accept, decline, cancel, unfriend (the texts the tests compare).
async fn cs_friends(g: &CsGame<'_>) {
    let (env, c) = (g.env, Sdk::CSharp);
    let (u1, u2) = (&g.u1, &g.u2);
    let (t1, t2, t3) = (g.u1.token.as_str(), g.u2.token.as_str(), g.u3.token.as_str());
    let send = |to: &str| Some(json!({"username": to}));
    let v = env.by(c, t1).send_ok("POST", "friendships", send(&u2.name)).await;
    let f12 = v["friendship_id"].as_i64().expect("friendship_id");
    assert!(f12 > 0 && v["message"].is_string());
    let v = env.by(c, t1).get_ok("outgoing_friend_requests").await;
    assert_eq!(v["outgoing_friend_requests"][0]["username"], u2.name.as_str());
    let v = env.by(c, t2).get_ok("incoming_friend_requests").await;
    assert_eq!(v["incoming_friend_requests"][0]["username"], u1.name.as_str());
    let v = env
        .by(c, t2)
        .put_ok(&format!("friendships/{f12}"), json!({"status": "accepted"}))
        .await;
    assert!(message(&v).to_lowercase().contains("accepted"), "{v}");
    for (token, other) in [(&t1, u2.id), (&t2, u1.id)] {
        let v = env.by(c, token).get_ok("friends").await;
        assert_eq!(list_len(&v["friends"]), 1);
        assert_eq!(id(&v["friends"][0]), other);
    }
    let v = env.by(c, t3).get_ok(&format!("friends?user_id={}", u2.id)).await;
    assert_eq!(list_len(&v["friends"]), 1, "another user's friends");
    let f13 = env.by(c, t1).send_ok("POST", "friendships", send("ThirdRenamed")).await["friendship_id"]
        .as_i64()
        .expect("id");
    let v = env
        .by(c, t3)
        .put_ok(&format!("friendships/{f13}"), json!({"status": "declined"}))
        .await;
    assert!(message(&v).to_lowercase().contains("declined"), "{v}");
    let f13 = env.by(c, t1).send_ok("POST", "friendships", send("ThirdRenamed")).await["friendship_id"]
        .as_i64()
        .expect("id");
    let v = env.by(c, t1).delete_ok(&format!("friendships/{f13}")).await;
    assert!(message(&v).to_lowercase().contains("destroyed successfully"), "{v}");
    let v = env.by(c, t1).delete_ok(&format!("unfriend?user_id={}", u2.id)).await;
    assert!(message(&v).to_lowercase().contains("unfriended successfully"), "{v}");
    let v = env.by(c, t1).get_ok("friendships").await;
    for k in ["friends", "outgoing_friend_requests", "incoming_friend_requests"] {
        assert_eq!(list_len(&v[k]), 0, "{k}: {v}");
    }
}

/// Groups: create, list, join an auto-join group, requests to a closed one; the open
/// group's id.
async fn cs_groups(g: &CsGame<'_>) -> i64 {
    let (env, c) = (g.env, Sdk::CSharp);
    let (u1, u2) = (&g.u1, &g.u2);
    let (t1, t2) = (g.u1.token.as_str(), g.u2.token.as_str());
    let v = env
        .by(c, t1)
        .post("groups", json!({"name": "Plain", "max_group_size": 10}))
        .await;
    assert_eq!(v.status, 201, "{}", v.text);
    let v = v.json;
    assert_eq!(
        (v["member_count"].clone(), v["max_group_size"].clone()),
        (json!(1), json!(10))
    );
    assert_eq!(id(&v["admins"][0]), u1.id);
    assert_eq!(id(&v["members"][0]), u1.id);
    let all = json!({"name": "Open", "max_group_size": 5, "group_type": "clan", "can_auto_join": true,
        "is_invite_only": false, "searchable": true, "admins_only_can_create_attributes": false});
    let open = env.by(c, t1).post_ok("groups", all.clone()).await;
    for (k, want) in all.as_object().expect("object") {
        assert_eq!(&open[k], want, "{k} echoed");
    }
    let open = id(&open);
    let closed = json!({"name": "Closed", "max_group_size": 5, "can_auto_join": false, "is_invite_only": false});
    let closed = id(&env.by(c, t1).post_ok("groups", closed).await);
    let v = env.by(c, t2).get_ok("groups").await;
    assert!(list_len(&v["groups"]) >= 2);
    assert!(
        v["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .all(|g| g["member_count"].is_i64())
    );
    let v = env.by(c, t1).get_ok(&format!("groups/{open}")).await;
    assert_eq!(
        (list_len(&v["join_requests"]), list_len(&v["invites"])),
        (0, 0),
        "the admin's empty lists"
    );
    // Flat `{group_id, user_id}` without `action_type`: a join on an auto-join group, a
    // pending request otherwise.
    let conn = |g: i64, u: i64| Some(json!({"group_id": g, "user_id": u}));
    let v = env
        .by(c, t2)
        .send_ok("POST", "group_connections", conn(open, u2.id))
        .await;
    assert_eq!((v["status"].clone(), id(&v["user"])), (json!("accepted"), u2.id));
    assert!(v["group_id"].is_i64() && v.get("inviter_id").is_some(), "{v}");
    assert_eq!(env.by(c, t2).get_ok(&format!("groups/{open}")).await["member_count"], 2);
    cs_group_requests_answered(g, closed).await;
    open
}

/// Requests to the closed group: one accepted, one declined by the admin.
async fn cs_group_requests_answered(g: &CsGame<'_>, closed: i64) {
    let (env, c) = (g.env, Sdk::CSharp);
    let (u2, u3) = (&g.u2, &g.u3);
    let (t1, t2, t3) = (g.u1.token.as_str(), g.u2.token.as_str(), g.u3.token.as_str());
    let conn = |g: i64, u: i64| Some(json!({"group_id": g, "user_id": u}));
    let req2 = env
        .by(c, t2)
        .send_ok("POST", "group_connections", conn(closed, u2.id))
        .await;
    assert_eq!(req2["status"], "pending");
    let req3 = env
        .by(c, t3)
        .send_ok("POST", "group_connections", conn(closed, u3.id))
        .await;
    let v = env.by(c, t1).get_ok(&format!("groups/{closed}")).await;
    assert_eq!(
        (v["member_count"].clone(), list_len(&v["join_requests"])),
        (json!(1), 2)
    );
    let v = env
        .by(c, t1)
        .put_ok(
            &format!("group_connections/{}", id(&req2)),
            json!({"status": "accepted"}),
        )
        .await;
    assert_eq!(v, json!({"id": id(&req2), "status": "accepted"}));
    let v = env
        .by(c, t1)
        .put_ok(
            &format!("group_connections/{}", id(&req3)),
            json!({"status": "declined"}),
        )
        .await;
    assert_eq!(v["status"], "declined");
    assert_eq!(
        env.by(c, t1).get_ok(&format!("groups/{closed}")).await["member_count"],
        2
    );
}

/// Group attributes, and a group without a size as each SDK reads it.
async fn cs_group_attributes(g: &mut CsGame<'_>, open: i64) {
    let (env, c) = (g.env, Sdk::CSharp);
    let (u1,) = (&g.u1,);
    let t1 = g.u1.token.as_str();
    let sign_in = |email: &str, pw: &str| g.sign_in_body(email, pw);
    // Attributes: `{attributes}` wrapped for C#; a bare array for JS.
    let attrs = format!("groups/{open}/attributes");
    assert_eq!(env.by(c, t1).get_ok(&attrs).await, json!({"attributes": []}));
    let add = format!("groups/{open}/add_attribute");
    let v = env
        .by(c, t1)
        .post_ok(&add, json!({"attributes": [{"key": "motto", "value": "go"}]}))
        .await;
    assert_eq!(
        (
            v["attributes"][0]["creator_id"].clone(),
            v["attributes"][0]["can_edit"].clone()
        ),
        (json!(u1.id), json!(true))
    );
    let two = json!({"attributes": [{"key": "a", "value": "1", "others_can_edit": true}, {"key": "b", "value": "2"}]});
    env.by(c, t1).post_ok(&add, two).await;
    let v = env.by(c, t1).get_ok(&attrs).await;
    assert_eq!(list_len(&v["attributes"]), 3);
    assert_eq!(list_len(&env.by(Sdk::Js, t1).get_ok(&attrs).await), 3);
    let v = env
        .by(c, t1)
        .send_ok(
            "PATCH",
            &format!("groups/{open}/modify_attribute"),
            Some(json!({"key": "motto", "value": "stop"})),
        )
        .await;
    assert_eq!((v["key"].clone(), v["value"].clone()), (json!("motto"), json!("stop")));
    // A group without a size: a number for C# (it throws on null), null for JS.
    let js_group = json!({"group": {"name": "Unlimited", "can_auto_join": true, "is_invite_only": false}});
    let unlimited = id(&env.by(Sdk::Js, t1).post_ok("groups", js_group).await);
    let path = format!("groups/{unlimited}");
    assert_eq!(env.by(Sdk::Js, t1).get_ok(&path).await["max_group_size"], Value::Null);
    assert_eq!(env.by(c, t1).get_ok(&path).await["max_group_size"], 0);
    let v = env
        .anon(c)
        .post_ok("sessions", sign_in(&u1.email, "password5678"))
        .await;
    let t1 = v["authentication_token"].as_str().expect("token").to_owned();
    assert!(
        v["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .all(|g| g["max_group_size"].is_i64()),
        "sign-in's groups: {}",
        v["groups"]
    );
    g.u1.token = t1;
}

/// Messages: a direct chat and the open group's chat.
async fn cs_messages(g: &CsGame<'_>, open: i64) {
    let (env, c) = (g.env, Sdk::CSharp);
    let (u1, u2) = (&g.u1, &g.u2);
    let (t1, t2) = (g.u1.token.as_str(), g.u2.token.as_str());
    let v = env
        .by(c, t1)
        .post_ok("chats", json!({"usernames": [u2.name], "text": "hello"}))
        .await;
    assert_eq!((list_len(&v["messages"]), list_len(&v["participants"])), (1, 2));
    assert_eq!(v["messages"][0]["user_id"], u1.id);
    let chat = id(&v);
    let v = env
        .by(c, t2)
        .post_ok("messages", json!({"text": "hi back", "chat_id": chat}))
        .await;
    assert_eq!((v["text"].clone(), v["read"].clone()), (json!("hi back"), json!(true)));
    let v = env.by(c, t1).get_ok(&format!("messages/page/1?chat_id={chat}")).await;
    assert_eq!(list_len(&v["messages"]), 2);
    let newest = id(&v["messages"][0]);
    let v = env
        .by(c, t1)
        .send_ok("POST", &format!("messages/{newest}/mark_as_read"), None)
        .await;
    assert!(v["message"].is_string());
    let v = env
        .by(c, t2)
        .post_ok("chats", json!({"group_id": open, "text": "team!"}))
        .await;
    assert_eq!(
        (v["creator_type"].clone(), v["group_id"].clone()),
        (json!("Group"), json!(open))
    );
    let v = env.by(c, t1).get_ok("chats/page/1").await;
    assert_eq!((list_len(&v["direct_chats"]), list_len(&v["group_chats"])), (1, 1));
}

/// Game rounds, solo and multiplayer: times as `ToString("o")` (7 fraction digits).
async fn cs_rounds(g: &CsGame<'_>) -> i64 {
    let (env, c) = (g.env, Sdk::CSharp);
    let (u1, u2, u3) = (&g.u1, &g.u2, &g.u3);
    let (t1, t2, t3) = (g.u1.token.as_str(), g.u2.token.as_str(), g.u3.token.as_str());
    let (start, end) = ("2026-01-01T09:30:00.1234567Z", "2026-01-01T10:00:00.7654321Z");
    let body = json!({"game_user_id": u1.id, "game_type": "solo_adventure", "start_time": start,
        "end_time": end, "score": 1000, "place": 1, "metadata": {"difficulty": "Medium"}, "multiplayer": false});
    let r = env.by(c, t1).post("game_rounds", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let solo = r.json;
    assert_eq!(
        (
            solo["game_user_id"].clone(),
            solo["score"].clone(),
            solo["place"].clone()
        ),
        (json!(u1.id), json!(1000.0), json!(1))
    );
    assert_eq!(solo["multiplayer_game_round_id"], Value::Null);
    assert_eq!(solo["metadata"]["difficulty"], "Medium");
    assert_eq!(solo["start_time"], "2026-01-01T09:30:00.123Z");
    let mp = |user: i64, score: i64, place: i64, container: Option<i64>| {
        let mut b = json!({"game_user_id": user, "game_type": "multiplayer_battle", "start_time": start,
            "end_time": end, "score": score, "place": place, "metadata": {"difficulty": "Hard"}, "multiplayer": true});
        if let Some(m) = container {
            b["multiplayer_game_round_id"] = json!(m);
        }
        Some(b)
    };
    let first = env
        .by(c, t1)
        .send_ok("POST", "game_rounds", mp(u1.id, 1200, 1, None))
        .await;
    let container = first["multiplayer_game_round_id"].as_i64().expect("container");
    let second = env
        .by(c, t2)
        .send_ok("POST", "game_rounds", mp(u2.id, 1100, 2, Some(container)))
        .await;
    assert_eq!(
        (
            second["game_user_id"].clone(),
            second["multiplayer_game_round_id"].clone()
        ),
        (json!(u2.id), json!(container))
    );
    env.by(c, t3)
        .send_ok("POST", "game_rounds", mp(u3.id, 900, 3, Some(container)))
        .await;
    let v = env.by(c, t1).get_ok(&format!("game_rounds/{}", id(&first))).await;
    let rankings = v["rankings"].as_array().expect("rankings");
    assert_eq!(rankings.len(), 3);
    assert_eq!(
        (rankings[0]["place"].clone(), rankings[0]["score"].clone()),
        (json!(1), json!(1200.0))
    );
    assert_eq!(
        (rankings[2]["place"].clone(), rankings[2]["score"].clone()),
        (json!(3), json!(900.0))
    );
    id(&solo)
}

/// Rounds without place or score, partial updates, listing, deletion.
async fn cs_round_updates(g: &CsGame<'_>, solo: i64) {
    let (env, c) = (g.env, Sdk::CSharp);
    let (u1,) = (&g.u1,);
    let t1 = g.u1.token.as_str();
    // A round without place or score: numbers for C# (0), null for JS.
    let bare = json!({"game_user_id": u1.id, "game_type": "practice", "multiplayer": false});
    let bare = env.by(c, t1).post_ok("game_rounds", bare).await;
    assert_eq!((bare["place"].clone(), bare["score"].clone()), (json!(0), json!(0.0)));
    let path = format!("game_rounds/{}", id(&bare));
    let js = env.by(Sdk::Js, t1).get_ok(&path).await;
    assert_eq!((js["place"].clone(), js["score"].clone()), (Value::Null, Value::Null));
    // Only the changed fields; a time of unspecified kind has no offset (read as UTC).
    let upd = json!({"score": 2000, "place": 2, "metadata": {"difficulty": "Easy"},
        "end_time": "2026-01-01T10:05:00.0000000"});
    let v = env.by(c, t1).put_ok(&format!("game_rounds/{}", solo), upd).await;
    assert_eq!(
        (
            v["score"].clone(),
            v["place"].clone(),
            v["metadata"]["difficulty"].clone()
        ),
        (json!(2000.0), json!(2), json!("Easy"))
    );
    assert_eq!(v["end_time"], "2026-01-01T10:05:00.000Z");
    let v = env
        .by(c, t1)
        .get_ok(&format!("game_rounds?user_id={}&page=1&per_page=10", u1.id))
        .await;
    assert!(list_len(&v["game_rounds"]) >= 2);
    assert!(
        v["game_rounds"]
            .as_array()
            .expect("rounds")
            .iter()
            .all(|r| r["place"].is_i64())
    );
    let v = env.by(c, t1).delete_ok(&path).await;
    assert!(message(&v).contains("destroyed"), "{v}");
}

/// Leaderboard: C# sends a double score, with and without metadata.
async fn cs_leaderboard(g: &CsGame<'_>) {
    let (env, c) = (g.env, Sdk::CSharp);
    let (u1, u2) = (&g.u1, &g.u2);
    let (t1, t2) = (g.u1.token.as_str(), g.u2.token.as_str());
    let game = g.id;
    let me = format!("users/{}", g.u1.id);
    let entry = format!("{me}/add_leaderboard_entry");
    let v = env
        .by(c, t1)
        .post_ok(
            &entry,
            json!({"leaderboard_name": "Main", "score": 1500.0, "metadata": {"level": 3, "hero": "x"}}),
        )
        .await;
    assert_eq!((id(&v), v["username"].clone()), (u1.id, json!(u1.name)));
    env.by(c, t1)
        .post_ok(&entry, json!({"leaderboard_name": "Side", "score": 12.7}))
        .await;
    env.by(c, t2)
        .post_ok(
            &format!("users/{}/add_leaderboard_entry", u2.id),
            json!({"leaderboard_name": "Main", "score": 900.0}),
        )
        .await;
    let r = env
        .by(c, t1)
        .post(&entry, json!({"leaderboard_name": "Main", "score": "lots"}))
        .await;
    assert_eq!(r.status, 400, "not a number: {}", r.text);
    let v = env
        .by(c, t1)
        .get_ok(&format!("{me}/leaderboard_entries?limit=10"))
        .await;
    assert_eq!(list_len(&v["leaderboard_entries"]), 2, "across boards");
    let v = env
        .by(c, t1)
        .get_ok(&format!("{me}/leaderboard_entries?limit=10&leaderboard_name=Side"))
        .await;
    assert_eq!(v["leaderboard_entries"][0]["score"], 13, "rounded");
    let v = env
        .by(c, t1)
        .get_ok(&format!(
            "games/{game}/leaderboard_entries?leaderboard_name=Main&limit=10"
        ))
        .await;
    let users: Vec<i64> = v["leaderboard_entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["game_user_id"].as_i64().expect("id"))
        .collect();
    assert_eq!(users, vec![u1.id, u2.id]);
    env.by(c, t1)
        .post_ok(
            &format!("{me}/clear_my_leaderboard_entries"),
            json!({"leaderboard_name": "Side"}),
        )
        .await;
    let v = env
        .by(c, t1)
        .get_ok(&format!("{me}/leaderboard_entries?limit=10"))
        .await;
    assert_eq!(
        list_len(&v["leaderboard_entries"]),
        1,
        "the other board keeps its entry"
    );
    let v = env
        .by(c, t1)
        .get_ok(&format!("users/{}/leaderboard_entries?limit=10", u2.id))
        .await;
    assert_eq!(list_len(&v["leaderboard_entries"]), 1, "another user's");
}

// ------------------------------------------------------------------------------- Unreal

/// An Unreal test user: `test_suite/create_user` (query only), then sign-in as
/// `<username>@gamefuse.com` / `password`.
struct UeUser {
    id: i64,
    name: String,
    /// The token `create_user` returned.
    suite_token: String,
}

async fn ue_create_user(env: &Env, game: i64, name: &str) -> UeUser {
    let path = format!("test_suite/create_user?game_id={game}&username={name}&email={name}@gamefuse.com");
    let r = env.suite(Sdk::Unreal, "POST", &path, None).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let t = r.json["authentication_token"].as_str().unwrap_or_default().to_owned();
    assert!(!t.is_empty(), "create_user's token: {}", r.text);
    UeUser {
        id: id(&r.json),
        name: name.to_owned(),
        suite_token: t,
    }
}

async fn ue_sign_in(env: &Env, game: i64, game_token: &str, u: &UeUser) -> String {
    let q = format!("sessions?game_id={game}&game_token={game_token}");
    let body = json!({"email": format!("{}@gamefuse.com", u.name), "password": "password"});
    let v = env.anon(Sdk::Unreal).post_ok(&q, body).await;
    assert_eq!(id(&v), u.id);
    for k in ["number_of_logins", "score", "credits"] {
        assert!(v[k].is_i64(), "{k}");
    }
    v["authentication_token"].as_str().expect("token").to_owned()
}

/// A round as the engine's struct serialises it, plus `game_user_id` (and `multiplayer`).
fn ue_round(user: i64, score: i64, place: i64, container: i64, multiplayer: bool) -> Option<Value> {
    let mut b = json!({"id": 0, "gameUserId": 0, "startTime": "2026-01-01T10:00:00.000Z",
        "endTime": "2026-01-01T10:01:00.000Z", "score": score, "place": place, "gameType": "Multiplayer",
        "multiplayerGameRoundId": container, "metadata": {"key1": "value1"}, "bMultiplayer": multiplayer,
        "rankings": [], "game_user_id": user});
    if multiplayer {
        b["multiplayer"] = json!(true);
    }
    Some(b)
}

/// The game the Unreal specs share: its three users (signed in) and the store item.
struct UeGame<'a> {
    env: &'a Env,
    id: i64,
    token: String,
    a: UeUser,
    bo: UeUser,
    cy: UeUser,
    ta: String,
    tb: String,
    tc: String,
    sword: i64,
}

/// The Unreal SDK's automation specs (17.6), spec by spec, in one test-suite game.
async fn unreal_flow(b: Backend) {
    let Some(env) = setup(b).await else { return };
    let g = ue_game(&env).await;
    ue_user_data(&g).await;
    ue_friends(&g).await;
    let open = ue_groups(&g).await;
    ue_group_attributes(&g, open).await;
    ue_chat(&g).await;
    let solo = ue_rounds(&g).await;
    ue_round_updates(&g, solo).await;
    ue_leaderboard(&g).await;
    ue_forgot_password(&g).await;
    // Cleanup with the query.
    let path = format!("test_suite/clean_up_test?game_id={}", g.id);
    ok(env.suite(Sdk::Unreal, "DELETE", &path, None).await);
    env.srv.finish().await;
}

/// TestSuiteCommands: create_game without a body (verify returns the same data), sign-up
/// with the credentials in the query, the suite's users and store item.
async fn ue_game(env: &Env) -> UeGame<'_> {
    let u = Sdk::Unreal;
    // TestSuiteCommands: create_game without a body; Manager: verify returns the same data.
    let r = env.suite(u, "POST", "test_suite/create_game", None).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let created = r.json;
    let (game, game_token) = (id(&created), created["token"].as_str().expect("token").to_owned());
    assert!(created["description"].is_string(), "{created}");
    let q = format!("client_from_library=cpp&game_id={game}&game_token={game_token}");
    let v = env.anon(u).get_ok(&format!("games/verify?{q}")).await;
    for k in ["id", "token", "name", "description"] {
        assert_eq!(v[k], created[k], "{k}");
    }
    let v = env
        .anon(u)
        .get_ok(&format!(
            "games/fetch_game_variables.json?game_id={game}&game_token={game_token}"
        ))
        .await;
    assert!(v["game_variables"].is_array());

    // Sign-up as the SDK sends it: the game's credentials in the query, the rest flat.
    let body =
        json!({"email": "ue_zed@gamefuse.com", "username": "ue_zed", "password": "pw", "password_confirmation": "pw"});
    let v = env
        .anon(u)
        .post_ok(&format!("users?game_id={game}&game_token={game_token}"), body)
        .await;
    assert!(id(&v) > 0 && v["authentication_token"].is_string());

    let a = ue_create_user(env, game, "ue_ann").await;
    let bo = ue_create_user(env, game, "ue_bob").await;
    let cy = ue_create_user(env, game, "ue_cy").await;

    // create_store_items (plural): query game_id, item at top level.
    let item = json!({"name": "Sword", "description": "sharp", "category": "weapons", "cost": 100});
    let r = env
        .suite(
            u,
            "POST",
            &format!("test_suite/create_store_items?game_id={game}"),
            Some(item),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        (r.json["name"].clone(), r.json["cost"].clone()),
        (json!("Sword"), json!(100))
    );
    let sword = id(&r.json);
    UeGame {
        env,
        ta: ue_sign_in(env, game, &game_token, &a).await,
        tb: ue_sign_in(env, game, &game_token, &bo).await,
        tc: ue_sign_in(env, game, &game_token, &cy).await,
        a,
        bo,
        cy,
        id: game,
        token: game_token,
        sword,
    }
}

/// User: credits, purchase, attributes (the full list each time).
async fn ue_user_data(g: &UeGame<'_>) {
    let (env, u) = (g.env, Sdk::Unreal);
    let a = &g.a;
    let ta = g.ta.as_str();
    let sword = g.sword;
    let me = format!("users/{}", a.id);
    let v = env
        .by(u, ta)
        .post_ok(&format!("{me}/add_credits"), json!({"credits": 100}))
        .await;
    assert_eq!(v["credits"], 100);
    env.by(u, ta)
        .post_ok(&format!("{me}/set_credits"), json!({"credits": 200}))
        .await;
    let v = env
        .by(u, ta)
        .post_ok(
            &format!("{me}/purchase_game_user_store_item"),
            json!({"store_item_id": sword}),
        )
        .await;
    assert_eq!(
        (v["credits"].clone(), v["game_user_store_items"][0]["name"].clone()),
        (json!(100), json!("Sword"))
    );
    let v = env.by(u, ta).get_ok(&format!("{me}/game_user_store_items")).await;
    assert_eq!(list_len(&v["game_user_store_items"]), 1);
    let add = format!("{me}/add_game_user_attribute");
    env.by(u, ta).post_ok(&add, json!({"key": "k1", "value": "v1"})).await;
    let batch = json!({"attributes": [{"key": "k2", "value": "v2"}, {"key": "k3", "value": "v3"}]});
    let v = env.by(u, ta).post_ok(&add, batch).await;
    assert_eq!(list_len(&v["game_user_attributes"]), 3);
    let v = env
        .by(u, ta)
        .get_ok(&format!("{me}/remove_game_user_attributes?game_user_attribute_key=k2"))
        .await;
    assert!(
        v["game_user_attributes"]
            .as_array()
            .expect("list")
            .iter()
            .all(|x| x["key"].is_string() && x["value"].is_string() && x["key"] != "k2")
    );
}

/// Friends: send, incoming for the recipient, accept, decline, cancel, unfriend.
async fn ue_friends(g: &UeGame<'_>) {
    let (env, u) = (g.env, Sdk::Unreal);
    let (a, bo) = (&g.a, &g.bo);
    let (ta, tb, tc) = (g.ta.as_str(), g.tb.as_str(), g.tc.as_str());
    let v = env.by(u, ta).post_ok("friendships", json!({"username": bo.name})).await;
    let fab = v["friendship_id"].as_i64().expect("friendship_id");
    assert_eq!((id(&v), v["username"].clone()), (bo.id, json!(bo.name)));
    let v = env.by(u, tb).get_ok("incoming_friend_requests").await;
    assert_eq!(list_len(&v["incoming_friend_requests"]), 1);
    env.by(u, tb)
        .put_ok(&format!("friendships/{fab}"), json!({"status": "accepted"}))
        .await;
    assert_eq!(list_len(&env.by(u, tb).get_ok("friends").await["friends"]), 1);
    let fca = env.by(u, tc).post_ok("friendships", json!({"username": a.name})).await["friendship_id"]
        .as_i64()
        .expect("id");
    env.by(u, ta)
        .put_ok(&format!("friendships/{fca}"), json!({"status": "declined"}))
        .await;
    assert_eq!(
        list_len(&env.by(u, ta).get_ok("incoming_friend_requests").await["incoming_friend_requests"]),
        0
    );
    let fca = env.by(u, tc).post_ok("friendships", json!({"username": a.name})).await["friendship_id"]
        .as_i64()
        .expect("id");
    env.by(u, tc).delete_ok(&format!("friendships/{fca}")).await;
    assert_eq!(
        list_len(&env.by(u, tc).get_ok("outgoing_friend_requests").await["outgoing_friend_requests"]),
        0
    );
    env.by(u, ta).delete_ok(&format!("unfriend?user_id={}", bo.id)).await;
    assert_eq!(list_len(&env.by(u, ta).get_ok("friends").await["friends"]), 0);
}

/// Groups (all seven fields always sent, flat): join, requests, invites, admins; the
/// open group's id.
async fn ue_groups(g: &UeGame<'_>) -> i64 {
    let (env, u) = (g.env, Sdk::Unreal);
    let (bo, cy) = (&g.bo, &g.cy);
    let (ta, tb, tc) = (g.ta.as_str(), g.tb.as_str(), g.tc.as_str());
    let group = |name: &str, auto: bool, invite_only: bool| {
        json!({"name": name, "group_type": "default", "max_group_size": 4, "can_auto_join": auto,
            "is_invite_only": invite_only, "searchable": true, "admins_only_can_create_attributes": false})
    };
    let r = env.by(u, ta).post("groups", group("Raiders", true, false)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let open = id(&r.json);
    for (k, want) in group("Raiders", true, false).as_object().expect("object") {
        assert_eq!(&r.json[k], want, "{k} echoed");
    }
    let secret = id(&env.by(u, ta).post_ok("groups", group("Secret", false, true)).await);
    let v = env.by(u, tb).get_ok("groups").await;
    let flags: Vec<(Value, Value)> = v["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| (g["is_invite_only"].clone(), g["max_group_size"].clone()))
        .collect();
    assert_eq!(flags, vec![(json!(false), json!(4)), (json!(true), json!(4))]);
    let v = env.by(u, tb).get_ok("groups?query=secr").await;
    assert_eq!(list_len(&v["groups"]), 1, "search by name");
    // Join an auto-join group with `{group_id}`; request the invite-only one with
    // `{group_id, user_id}`: it waits for an admin.
    let v = env
        .by(u, tb)
        .post_ok("group_connections", json!({"group_id": open}))
        .await;
    assert_eq!((v["status"].clone(), id(&v["user"])), (json!("accepted"), bo.id));
    let v = env
        .by(u, tb)
        .post_ok("group_connections", json!({"group_id": secret, "user_id": bo.id}))
        .await;
    assert_eq!(v["status"], "pending", "{v}");
    let bob_req = id(&v);
    let v = env
        .by(u, tc)
        .post_ok("group_connections", json!({"group_id": secret, "user_id": cy.id}))
        .await;
    let cy_req = id(&v);
    // An explicit self-join of the invite-only group is still refused.
    let r = env
        .by(u, tc)
        .post(
            "group_connections",
            json!({"group_connection": {"group_id": secret, "action_type": "join"}}),
        )
        .await;
    assert!(r.status >= 400, "{}", r.text);
    let answer = |status: &str| {
        Some(json!({"group_connection": {"status": status, "action_type": "update"}, "connection_type": "invite"}))
    };
    env.by(u, ta)
        .send_ok("PUT", &format!("group_connections/{bob_req}"), answer("accepted"))
        .await;
    env.by(u, ta)
        .send_ok("PUT", &format!("group_connections/{cy_req}"), answer("declined"))
        .await;
    let v = env.by(u, ta).get_ok(&format!("groups/{secret}")).await;
    assert_eq!(
        (v["member_count"].clone(), list_len(&v["join_requests"])),
        (json!(2), 0)
    );
    ue_group_invites_and_admins(g, secret).await;
    open
}

/// An admin invites to the invite-only group; the caller's groups; admins added and
/// removed.
async fn ue_group_invites_and_admins(g: &UeGame<'_>, secret: i64) {
    let (env, u) = (g.env, Sdk::Unreal);
    let (a, bo, cy) = (&g.a, &g.bo, &g.cy);
    let (ta, tb) = (g.ta.as_str(), g.tb.as_str());
    // An admin invites by user id with the same flat body.
    let v = env
        .by(u, ta)
        .post_ok("group_connections", json!({"group_id": secret, "user_id": cy.id}))
        .await;
    assert_eq!(
        (v["status"].clone(), id(&v["user"]), v["inviter_id"].clone()),
        (json!("pending"), cy.id, json!(a.id))
    );
    // The caller's groups; admins added and removed.
    let v = env.by(u, tb).get_ok("user/groups").await;
    assert_eq!(list_len(&v["groups"]), 2);
    let admins = format!("groups/{secret}/admins");
    env.by(u, ta).post_ok(&admins, json!({"user_id": bo.id})).await;
    let v = env.by(u, tb).get_ok(&format!("groups/{secret}")).await;
    assert_eq!(list_len(&v["admins"]), 2);
    env.by(u, ta).delete_ok(&format!("{admins}/{}", bo.id)).await;
    let v = env.by(u, ta).get_ok(&format!("groups/{secret}")).await;
    assert_eq!(list_len(&v["admins"]), 1);
}

/// Group attributes one by one, and leaving a group.
async fn ue_group_attributes(g: &UeGame<'_>, open: i64) {
    let (env, u) = (g.env, Sdk::Unreal);
    let (ta, tb) = (g.ta.as_str(), g.tb.as_str());
    // Attributes one by one: each answer's first item is the one just added.
    let add = format!("groups/{open}/add_attribute");
    for (k, only) in [("banner", true), ("motto", false)] {
        let body = json!({"attributes": [{"key": k, "value": "x", "only_can_edit_by_creator": only}]});
        let v = env.by(u, ta).post_ok(&add, body).await;
        assert_eq!(v["attributes"][0]["key"], k, "{v}");
        assert_eq!(v["attributes"][0]["others_can_edit"], !only);
    }
    let v = env.by(u, tb).get_ok(&format!("groups/{open}/attributes")).await;
    assert_eq!(list_len(&v["attributes"]), 2);
    let can_edit: Vec<Value> = v["attributes"]
        .as_array()
        .expect("list")
        .iter()
        .map(|x| x["can_edit"].clone())
        .collect();
    assert_eq!(
        can_edit,
        vec![json!(false), json!(true)],
        "only_can_edit_by_creator honoured"
    );
    let modify = format!("groups/{open}/modify_attribute");
    let r = env
        .by(u, tb)
        .send("PATCH", &modify, Some(json!({"value": "y", "key": "banner"})))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    env.by(u, tb)
        .send_ok("PATCH", &modify, Some(json!({"value": "y", "key": "motto"})))
        .await;
    let v = env.by(u, ta).get_ok(&format!("groups/{open}/attributes")).await;
    assert_eq!(v["attributes"][1]["value"], "y");
    // Leaving: `PUT group_connections/{group_id}` with `declined` (how the SDK leaves);
    // from another client that id names only a connection.
    let r = env
        .by(Sdk::Js, tb)
        .put(&format!("group_connections/{open}"), json!({"status": "declined"}))
        .await;
    assert!(r.status >= 400, "{}", r.text);
    env.by(u, tb)
        .put_ok(&format!("group_connections/{open}"), json!({"status": "declined"}))
        .await;
    let v = env.by(u, ta).get_ok(&format!("groups/{open}")).await;
    assert_eq!(v["member_count"], 1);
}

/// Chat: a direct chat (`user`, unread opening message), replies, pages, mark read.
async fn ue_chat(g: &UeGame<'_>) {
    let (env, u) = (g.env, Sdk::Unreal);
    let (a, bo) = (&g.a, &g.bo);
    let (ta, tb) = (g.ta.as_str(), g.tb.as_str());
    let v = env
        .by(u, ta)
        .post_ok("chats", json!({"usernames": [bo.name], "text": "yo"}))
        .await;
    assert_eq!(
        (
            v["creator_id"].clone(),
            v["creator_type"].clone(),
            list_len(&v["participants"])
        ),
        (json!(a.id), json!("user"), 2)
    );
    assert_eq!(v["messages"][0]["read"], false, "the opening message: {v}");
    let ab = id(&v);
    let js = env
        .by(Sdk::Js, ta)
        .post_ok("chats", json!({"usernames": [bo.name], "text": "js"}))
        .await;
    assert_eq!(
        (js["creator_type"].clone(), js["messages"][0]["read"].clone()),
        (json!("User"), json!(true))
    );
    let v = env
        .by(u, tb)
        .post_ok("messages", json!({"text": "sup", "chat_id": ab}))
        .await;
    assert_eq!(v["read"], true);
    let v = env.by(u, ta).get_ok(&format!("messages/page/1?chat_id={ab}")).await;
    let texts: Vec<Value> = v["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["text"].clone())
        .collect();
    assert_eq!(texts, vec![json!("sup"), json!("js"), json!("yo")], "newest first");
    assert!(v["messages"][0]["read"] == false && v["messages"][1]["read"] == true);
    assert_eq!(
        list_len(&env.by(u, ta).get_ok(&format!("messages/page/2?chat_id={ab}")).await["messages"]),
        0
    );
    assert_eq!(
        list_len(
            &env.by(Sdk::Js, ta)
                .get_ok(&format!("messages/page/1?chat_id={ab}"))
                .await
        ),
        3
    );
    let newest = id(&v["messages"][0]);
    env.by(u, ta)
        .send_ok("POST", &format!("messages/{newest}/mark_as_read"), None)
        .await;
    let v = env.by(u, ta).get_ok(&format!("messages/page/1?chat_id={ab}")).await;
    assert_eq!(v["messages"][0]["read"], true);
    ue_chat_of_three(g).await;
}

/// A chat of all three: Bob and Cy list it among their direct chats, all made by a `user`.
async fn ue_chat_of_three(g: &UeGame<'_>) {
    let (env, u) = (g.env, Sdk::Unreal);
    let (bo, cy) = (&g.bo, &g.cy);
    let (ta, tb, tc) = (g.ta.as_str(), g.tb.as_str(), g.tc.as_str());
    let v = env
        .by(u, ta)
        .post_ok("chats", json!({"usernames": [bo.name, cy.name], "text": "all"}))
        .await;
    let abc = id(&v);
    for t in [&tb, &tc] {
        let v = env.by(u, t).get_ok("chats/page/1").await;
        assert!(
            v["direct_chats"]
                .as_array()
                .expect("chats")
                .iter()
                .any(|c| c["id"] == abc)
        );
        assert!(
            v["direct_chats"]
                .as_array()
                .expect("chats")
                .iter()
                .all(|c| c["creator_type"] == "user")
        );
    }
}

/// Rounds: the engine's camelCase struct plus `game_user_id` / `multiplayer`; the solo
/// round's id.
async fn ue_rounds(g: &UeGame<'_>) -> i64 {
    let (env, u) = (g.env, Sdk::Unreal);
    let a = &g.a;
    let ta = g.ta.as_str();
    let game = g.id;
    let me = format!("users/{}", g.a.id);
    let round = ue_round;
    let solo = env
        .by(u, ta)
        .send("POST", "game_rounds", round(a.id, 100, 0, 0, false))
        .await;
    assert_eq!(solo.status, 201, "{}", solo.text);
    let solo = solo.json;
    assert_eq!(
        (
            solo["score"].clone(),
            solo["game_type"].clone(),
            solo["metadata"].clone()
        ),
        (json!(100.0), json!("Multiplayer"), json!({"key1": "value1"}))
    );
    assert_eq!(
        (solo["start_time"].clone(), solo["end_time"].clone()),
        (json!("2026-01-01T10:00:00.000Z"), json!("2026-01-01T10:01:00.000Z"))
    );
    assert_eq!(solo["multiplayer_game_round_id"], Value::Null);
    env.by(u, ta)
        .post_ok(&format!("{me}/set_credits"), json!({"credits": 888}))
        .await;
    let first = env
        .by(u, ta)
        .send_ok("POST", "game_rounds", round(a.id, 100, 10, 0, true))
        .await;
    let container = first["multiplayer_game_round_id"].as_i64().expect("container");
    assert!(container > 0);
    assert_eq!(
        (
            first["rankings"][0]["place"].clone(),
            first["rankings"][0]["user"]["credits"].clone()
        ),
        (json!(10), json!(888))
    );
    // The second player with the token `create_user` returned.
    let d = ue_create_user(env, game, "ue_dee").await;
    let second = env
        .by(u, &d.suite_token)
        .send_ok("POST", "game_rounds", round(d.id, 50, 10, container, false))
        .await;
    assert_eq!(
        (
            second["multiplayer_game_round_id"].clone(),
            second["place"].clone(),
            list_len(&second["rankings"])
        ),
        (json!(container), json!(10), 2)
    );
    id(&solo)
}

/// Round updates with every field, listing, deletion.
async fn ue_round_updates(g: &UeGame<'_>, solo: i64) {
    let (env, u) = (g.env, Sdk::Unreal);
    let a = &g.a;
    let ta = g.ta.as_str();
    let round = ue_round;
    // Update with every field; the end time moves by a minute.
    let mut upd = round(a.id, 200, 1, 0, false).expect("body");
    upd["gameType"] = json!("SinglePlayerUpdated");
    upd["endTime"] = json!("2026-01-01T10:02:00.000Z");
    let v = env.by(u, ta).put_ok(&format!("game_rounds/{}", solo), upd).await;
    assert_eq!(
        (
            v["score"].clone(),
            v["place"].clone(),
            v["game_type"].clone(),
            v["end_time"].clone()
        ),
        (
            json!(200.0),
            json!(1),
            json!("SinglePlayerUpdated"),
            json!("2026-01-01T10:02:00.000Z")
        )
    );
    let v = env.by(u, ta).get_ok(&format!("game_rounds?user_id={}", a.id)).await;
    let rounds = v["game_rounds"].as_array().expect("rounds");
    assert_eq!(rounds.len(), 2);
    assert!(
        rounds
            .iter()
            .all(|r| r["multiplayer_game_round_id"].is_null() || r["rankings"].is_array()),
        "rankings wherever a container id is: {v}"
    );
    env.by(u, ta).delete_ok(&format!("game_rounds/{}", solo)).await;
    let v = env.by(u, ta).get_ok(&format!("game_rounds?user_id={}", a.id)).await;
    assert_eq!(list_len(&v["game_rounds"]), 1);
}

/// Leaderboard: metadata read back from a string; the token in the query.
async fn ue_leaderboard(g: &UeGame<'_>) {
    let (env, u) = (g.env, Sdk::Unreal);
    let bo = &g.bo;
    let (ta, tb) = (g.ta.as_str(), g.tb.as_str());
    let game = g.id;
    let me = format!("users/{}", g.a.id);
    let entry = format!("{me}/add_leaderboard_entry");
    env.by(u, ta)
        .post_ok(
            &entry,
            json!({"leaderboard_name": "Main", "score": 10, "metadata": {"k": "v"}}),
        )
        .await;
    let v = env
        .by(u, ta)
        .get_ok(&format!("{me}/leaderboard_entries?limit=10&one_per_user=false"))
        .await;
    let e = &v["leaderboard_entries"][0];
    for k in ["leaderboard_name", "username", "created_at"] {
        assert!(e[k].is_string(), "{k}");
    }
    assert!(e["score"].is_i64() && e["game_user_id"].is_i64());
    let meta: Value = serde_json::from_str(e["metadata"].as_str().expect("a string")).expect("JSON text");
    assert_eq!(meta, json!({"k": "v"}));
    env.by(u, ta)
        .post_ok(&entry, json!({"leaderboard_name": "Other", "score": 5}))
        .await;
    env.by(u, tb)
        .post_ok(
            &format!("users/{}/add_leaderboard_entry", bo.id),
            json!({"leaderboard_name": "Other", "score": 7}),
        )
        .await;
    let board = format!(
        "games/{game}/leaderboard_entries?authentication_token={ta}&leaderboard_name=Other&limit=10&one_per_user=true"
    );
    assert_eq!(list_len(&env.anon(u).get_ok(&board).await["leaderboard_entries"]), 2);
    env.by(u, ta)
        .send_ok(
            "POST",
            &format!("{me}/clear_my_leaderboard_entries?leaderboard_name=Other"),
            None,
        )
        .await;
    assert_eq!(list_len(&env.anon(u).get_ok(&board).await["leaderboard_entries"]), 1);
}

/// Forgot password: Unreal puts the e-mail in a JSON body on the GET.
async fn ue_forgot_password(g: &UeGame<'_>) {
    let (env, u) = (g.env, Sdk::Unreal);
    let a = &g.a;
    let game = g.id;
    let game_token = g.token.as_str();
    let q = format!("games/{game}/forget_password?game_token={game_token}&game_id={game}");
    env.anon(u)
        .send_ok("GET", &q, Some(json!({"email": format!("{}@gamefuse.com", a.name)})))
        .await;
    assert_eq!(env.client_users().outbox(10).await.expect("outbox").len(), 1);
}

playgate_store::on_both_backends!(csharp_flow, unreal_flow);
