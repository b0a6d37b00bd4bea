//! GameFuse V3 dialect over HTTP, on both backends, speaking what the SDKs send: multipart
//! sign-up/sign-in with string values, JSON with nested and flat variants, empty JSON
//! bodies on GET/DELETE, query forms, the three credential forms. Checks every field the
//! reference says the SDK reads, in its JSON type; seed 003's sign-in keys (golden);
//! tenant isolation; errors as text/plain with CORS. The native SDKs'
//! flows, the multi-user social scenarios and the statement count are modules of their own.

mod native;
mod queries;
mod social;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::common::gamefuse::GameFuse;
use crate::common::{Backend, Resp, TestServer, assert_error, hash_under_other_params, json_type, spawn_with};
use playgate_core::client_users::ClientUserStore as _;
use playgate_core::client_users::ClientUsers;
use playgate_core::economy::store_items::NewStoreItem;
use playgate_core::economy::store_items::StoreItems;
use playgate_core::game_variables::GameVariables;
use playgate_core::gamefuse::Gamefuse;
use playgate_core::ids::{GameId, PlayerId};
use playgate_store::{SqlStore, StoreOptions};
use serde_json::{Value, json};

const SUITE_NAME: &str = "system-suite";
const SUITE_TOKEN: &str = "suite-secret-token";
const ADMIN: &str = "admin-secret-token";

/// What a request carries.
enum Body<'a> {
    /// No body, no Content-Type.
    None,
    /// `Content-Type: application/json` and an empty body (the SDK on GET/DELETE).
    EmptyJson,
    /// A JSON body.
    Json(Value),
    /// multipart/form-data with string values (browser `FormData`).
    Form(&'a [(&'a str, &'a str)]),
}

/// A test server and the game whose GameFuse API a test calls (the test game unless a test
/// points it at another).
struct Gf {
    srv: TestServer,
    game_id: i64,
    game_token: String,
}

async fn setup(b: Backend) -> Option<Gf> {
    setup_with(b, true).await
}

async fn setup_with(b: Backend, suite: bool) -> Option<Gf> {
    setup_cfg(b, |c| {
        if suite {
            c.test_suite_key_name = Some(SUITE_NAME.into());
            c.test_suite_key_token = Some(SUITE_TOKEN.into());
            c.admin_token = Some(ADMIN.into());
        }
    })
    .await
}

async fn setup_cfg(b: Backend, tweak: impl FnOnce(&mut playgate_server::config::Config)) -> Option<Gf> {
    Some(Gf::new(spawn_with(b, tweak).await?))
}

impl Gf {
    /// The test game of `srv`.
    fn new(srv: TestServer) -> Gf {
        Gf {
            game_id: srv.game.game.id.0,
            game_token: srv.game.game.gamefuse_token.clone(),
            srv,
        }
    }

    /// The typed GameFuse client of this game.
    fn client(&self) -> GameFuse<'_> {
        self.srv.gamefuse().for_game(self.game_id, &self.game_token)
    }

    async fn req(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Body<'_>) -> Resp {
        let call = self.client().request(method, path).headers(headers);
        match body {
            Body::None => call,
            Body::EmptyJson => call.header("content-type", "application/json"),
            Body::Json(v) => call.json(&v),
            Body::Form(fields) => call.form(fields),
        }
        .send()
        .await
    }

    /// `POST path` with `body` and no header.
    async fn post(&self, path: &str, body: Body<'_>) -> Resp {
        self.req("POST", path, &[], body).await
    }

    /// `GET path` with no body and no header, as a browser or a script sends it.
    async fn get(&self, path: &str) -> Resp {
        self.req("GET", path, &[], Body::None).await
    }

    /// `GET path` as the JS SDK sends it before sign-in: an empty user token, and a JSON
    /// Content-Type with an empty body.
    async fn sdk_get(&self, path: &str) -> Resp {
        let no_user = [("authentication-token", "")];
        self.req("GET", path, &no_user, Body::EmptyJson).await
    }

    /// `GET path` as the signed-in user with `token`.
    async fn user_get(&self, path: &str, token: &str) -> Resp {
        self.user("GET", path, token, Body::None).await
    }

    /// A call as a signed-in user (the modular SDK's header).
    async fn user(&self, method: &str, path: &str, token: &str, body: Body<'_>) -> Resp {
        self.req(method, path, &[("authentication-token", token)], body).await
    }

    fn gid(&self) -> String {
        self.game_id.to_string()
    }

    /// Sign-up as the SDK sends it (multipart, string values, an empty user token); asserts
    /// 200.
    async fn sign_up(&self, email: &str, username: &str, password: &str) -> Value {
        let r = self
            .srv
            .gamefuse()
            .signed_in("")
            .sign_up(email, username, password)
            .await;
        assert_eq!(r.status, 200, "sign-up: {}", r.text);
        r.json
    }

    /// Sign-up of `name` (e-mail `name@example.org`, password `pw`) with a JSON body, as
    /// the SDKs that send JSON do; asserts 200.
    async fn sign_up_json(&self, name: &str) -> Value {
        let r = self.client().sign_up_json(name).await;
        assert_eq!(r.status, 200, "sign-up: {}", r.text);
        r.json
    }

    /// Sign-in as the SDK sends it (multipart, no game_token).
    async fn sign_in_raw(&self, email: &str, password: &str) -> Resp {
        self.srv.gamefuse().sign_in(email, password).await
    }

    async fn sign_in(&self, email: &str, password: &str) -> Value {
        let r = self.sign_in_raw(email, password).await;
        assert_eq!(r.status, 200, "sign-in: {}", r.text);
        r.json
    }

    fn gamefuse(&self) -> Gamefuse {
        self.srv.running.gamefuse.clone()
    }

    fn client_users(&self) -> ClientUsers {
        self.srv.running.client_users.clone()
    }

    fn store_items(&self) -> &StoreItems {
        &self.srv.running.store_items
    }

    fn game_variables(&self) -> &GameVariables {
        &self.srv.running.game_variables
    }

    async fn finish(self) {
        self.srv.finish().await;
    }
}

fn token(v: &Value) -> String {
    v["authentication_token"].as_str().expect("token").to_owned()
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().expect("integer id")
}

/// A text/plain error with this status, and CORS.
fn assert_text_error(r: &Resp, status: u16) {
    assert_eq!(r.status, status, "body: {}", r.text);
    let ct = r
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(ct.starts_with("text/plain"), "content-type {ct:?}");
    assert!(!r.text.is_empty() && r.text.len() < 200, "short text: {:?}", r.text);
    assert_eq!(
        r.headers
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("*"),
        "CORS on errors"
    );
}

fn is_iso_millis(s: &str) -> bool {
    // 2026-01-01T00:00:00.000Z
    s.len() == 24 && s.as_bytes()[10] == b'T' && s.ends_with('Z') && s.as_bytes()[19] == b'.'
}

/// Every field of `UserSelf` the SDK reads, in its JSON type (reference 1.2).
fn assert_user_self(v: &Value) {
    assert!(v["id"].is_i64(), "{v}");
    assert!(v["username"].is_string());
    assert!(v["score"].is_i64());
    assert!(v["credits"].is_i64());
    assert!(v["number_of_logins"].is_i64());
    assert!(v["is_new_user"].is_boolean());
    assert!(v["last_login"].is_null() || v["last_login"].as_str().is_some_and(is_iso_millis));
    for k in [
        "events_total",
        "events_current_month",
        "game_sessions_total",
        "game_sessions_current_month",
    ] {
        assert!(v[k].is_i64(), "{k}: {v}");
    }
    assert!(v["email"].as_str().is_some_and(|e| e.starts_with("_appid_")));
    assert!(v["display_email"].is_string());
}

/// Seed 003: the sign-in response has the seed's keys in the seed's types, plus
/// `is_new_user` and the relation arrays the reference adds (1.3); every relation is an
/// array (empty until part 2); the counters count.
async fn sign_in_golden_seed_003(b: Backend) {
    let Some(gf) = setup(b).await else { return };
    let up = gf.sign_up("John.Doe@example.com", "jdoe", "1234").await;
    assert_user_self(&up);
    assert_eq!(up["is_new_user"], true);
    assert_eq!(up["number_of_logins"], 0);
    assert_eq!(up["display_email"], "John.Doe@example.com");

    gf.srv.advance(Duration::from_millis(1_457));
    let v = gf.sign_in("john.doe@example.com", "1234").await;
    let path = format!(
        "{}/tests/fixtures/gamefuse_seed_003_signin_keys.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
    let mut want: BTreeMap<String, String> = fixture["keys"]
        .as_object()
        .expect("keys")
        .iter()
        .map(|(k, t)| (k.clone(), t.as_str().expect("type").to_owned()))
        .collect();
    for (k, t) in [
        ("is_new_user", "bool"),
        ("direct_chats", "array"),
        ("group_chats", "array"),
        ("game_rounds", "array"),
    ] {
        want.insert(k.into(), t.into());
    }
    let got: BTreeMap<String, String> = v
        .as_object()
        .expect("object")
        .iter()
        .map(|(k, x)| (k.clone(), json_type(x).to_owned()))
        .collect();
    assert_eq!(got, want, "sign-in keys and JSON types (seed 003 + reference 1.3)");
    assert_user_self(&v);
    assert_eq!(id(&v), id(&up));
    assert_eq!(v["username"], "jdoe");
    assert_eq!(v["email"], format!("_appid_{}_John.Doe@example.com", gf.game_id));
    assert_eq!(v["display_email"], "John.Doe@example.com");
    assert_eq!(v["credits"], 0);
    assert_eq!(v["score"], 0);
    assert_eq!(v["number_of_logins"], 1);
    assert_eq!(v["is_new_user"], true, "first sign-in");
    // 2026-01-01T00:00:01.457Z by the test clock: milliseconds kept.
    assert_eq!(v["last_login"], "2026-01-01T00:00:01.457Z");
    // Sign-up and sign-in each started a session and counted an event.
    assert_eq!(v["game_sessions_total"], 2);
    assert_eq!(v["game_sessions_current_month"], 2);
    assert_eq!(v["events_total"], 2);
    assert_eq!(v["events_current_month"], 2);
    assert_ne!(token(&v), token(&up), "a fresh token per sign-in");
    assert_eq!(
        v["game_user_attributes"],
        json!([]),
        "present before any attribute exists"
    );

    let again = gf.sign_in("john.doe@example.com", "1234").await;
    assert_eq!(again["number_of_logins"], 2);
    assert_eq!(again["is_new_user"], false);
    // A new month resets the monthly counters.
    gf.srv.advance(Duration::from_secs(40 * 24 * 3600));
    let later = gf.sign_in("john.doe@example.com", "1234").await;
    assert_eq!(later["game_sessions_current_month"], 1);
    assert_eq!(later["events_current_month"], 1);
    assert_eq!(later["game_sessions_total"], 4);
    gf.finish().await;
}

/// Sign-up: JSON flat and nested forms; 422 for taken e-mail/username (case-insensitive)
/// and a mismatched confirmation; 400 for a missing field; 404 for bad game credentials.
/// A refused sign-up creates nothing.
async fn sign_up_variants_and_errors(b: Backend) {
    let Some(gf) = setup(b).await else { return };
    let flat = json!({"email": "a@x.org", "password": "pw", "password_confirmation": "pw",
                      "username": "ann", "game_id": gf.game_id, "game_token": gf.game_token});
    let r = gf.post("/users", Body::Json(flat)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_user_self(&r.json);
    let nested = json!({"user": {"email": "b@x.org", "password": "pw", "password_confirmation": "pw",
                        "username": "bob"}, "game_id": gf.game_id.to_string(), "game_token": gf.game_token});
    let r = gf.post("/users", Body::Json(nested)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["username"], "bob");

    let gid = gf.gid();
    let form = |email: &'static str, user: &'static str, pw2: &'static str| {
        vec![
            ("email", email),
            ("password", "pw"),
            ("password_confirmation", pw2),
            ("username", user),
        ]
    };
    for (fields, status, needle) in [
        (form("A@X.org", "other", "pw"), 422, "has already been taken"),
        (form("c@x.org", "ANN", "pw"), 422, "has already been taken"),
        (form("c@x.org", "carl", "nope"), 422, "password_confirmation"),
        (form("not-an-email", "carl", "pw"), 422, "email"),
        (form("c@x.org", "", "pw"), 400, "username"),
    ] {
        let mut f: Vec<(&str, &str)> = fields;
        f.push(("game_id", &gid));
        f.push(("game_token", &gf.game_token));
        let r = gf.post("/users", Body::Form(&f)).await;
        assert_text_error(&r, status);
        assert!(r.text.contains(needle), "{:?} should mention {needle}", r.text);
    }
    let bad = [
        ("email", "c@x.org"),
        ("password", "pw"),
        ("password_confirmation", "pw"),
        ("username", "carl"),
        ("game_id", gid.as_str()),
        ("game_token", "wrong"),
    ];
    assert_text_error(&gf.post("/users", Body::Form(&bad)).await, 404);
    // Nothing was created by the refused attempts.
    assert_eq!(gf.sign_in_raw("c@x.org", "pw").await.status, 404);
    gf.finish().await;
}

/// Sign-in: wrong password and unknown e-mail get the same 404 text; missing fields 400;
/// the old token stops working after a new sign-in; every token form works.
async fn sign_in_errors_and_token_forms(b: Backend) {
    let Some(gf) = setup(b).await else { return };
    let me = id(&gf.sign_up("pip@example.org", "pip", "secret").await);
    sign_in_refused_without_the_right_fields(&gf).await;
    let t2 = one_token_per_user_in_every_form(&gf, me).await;
    self_and_public_views_of_a_user(&gf, me, &t2).await;
    gf.finish().await;
}

/// A wrong password and an unknown e-mail: one 404 text; no password or no game id: 400;
/// JSON with the docs' camelCase game id signs in.
async fn sign_in_refused_without_the_right_fields(gf: &Gf) {
    let wrong = gf.sign_in_raw("pip@example.org", "nope").await;
    let unknown = gf.sign_in_raw("nobody@example.org", "secret").await;
    assert_text_error(&wrong, 404);
    assert_text_error(&unknown, 404);
    assert_eq!(wrong.text, unknown.text);
    let gid = gf.gid();
    let r = gf
        .post(
            "/sessions",
            Body::Form(&[("game_id", &gid), ("email", "pip@example.org")]),
        )
        .await;
    assert_text_error(&r, 400);
    let r = gf
        .post(
            "/sessions",
            Body::Form(&[("email", "pip@example.org"), ("password", "secret")]),
        )
        .await;
    assert_text_error(&r, 400);
    // JSON with the docs' camelCase game id also works.
    let r = gf
        .post(
            "/sessions",
            Body::Json(json!({"email": "pip@example.org", "password": "secret", "gameId": gf.game_id})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// A new sign-in ends the old token; the four token forms (reference 0.3) carry the new
/// one; an empty or unknown token is 401. The new token.
async fn one_token_per_user_in_every_form(gf: &Gf, me: i64) -> String {
    let t1 = token(&gf.sign_in("pip@example.org", "secret").await);
    let path = format!("/users/{me}");
    assert_eq!(gf.user("GET", &path, &t1, Body::EmptyJson).await.status, 200);
    let t2 = token(&gf.sign_in("pip@example.org", "secret").await);
    assert_text_error(&gf.user("GET", &path, &t1, Body::EmptyJson).await, 401);
    let r = gf
        .req("GET", &path, &[("authentication_token", t2.as_str())], Body::None)
        .await;
    assert_eq!(r.status, 200, "underscore header: {}", r.text);
    let r = gf.get(&format!("{path}?authentication_token={t2}")).await;
    assert_eq!(r.status, 200, "query: {}", r.text);
    let r = gf
        .post(
            &format!("/users/{me}/add_credits"),
            Body::Json(json!({"credits": 1, "authentication_token": t2})),
        )
        .await;
    assert_eq!(r.status, 200, "JSON field: {}", r.text);
    for bad in ["", "gfa_nonsense"] {
        let r = gf.user_get(&path, bad).await;
        assert_text_error(&r, 401);
        assert_eq!(r.text, "Request missing user authentication token");
    }
    t2
}

/// The self view: FullUserData with the presented token, the SDK's fields in type; another
/// user sees the public view (no token, no private relations) with game_rounds; unknown
/// users 404.
async fn self_and_public_views_of_a_user(gf: &Gf, me: i64, t2: &str) {
    let path = format!("/users/{me}");
    let r = gf.user("GET", &path, t2, Body::EmptyJson).await;
    assert_user_self(&r.json);
    assert_eq!(r.json["authentication_token"], t2);
    assert!(r.json["game_rounds"].is_array() && r.json["friends"].is_array());
    let other = gf.sign_up("zed@example.org", "zed", "pw").await;
    let r = gf.user("GET", &path, &token(&other), Body::EmptyJson).await;
    assert_eq!(r.status, 200);
    assert!(r.json.get("authentication_token").is_none());
    assert!(r.json.get("direct_chats").is_none());
    assert!(r.json["game_rounds"].is_array());
    assert!(r.json["last_login"].is_string() && r.json["number_of_logins"].is_i64());
    assert_eq!(r.json["id"], me);
    assert_text_error(&gf.user_get("/users/999999", t2).await, 404);
    assert_text_error(&gf.user_get("/users/abc", t2).await, 404);
}

/// Games: verify / fetch variables (SDK sends an empty JSON body with its GET), store
/// items, server time; bad credentials 404; a disabled game 402 everywhere.
async fn games_and_disabled_game(b: Backend) {
    let Some(gf) = setup(b).await else { return };
    let q = format!(
        "game_id={}&game_token={}&client_from_library=js&seed_store=false",
        gf.game_id, gf.game_token
    );
    game_variables_and_store_items_read(&gf, &q).await;
    let r = gf.get("/util/get_server_time").await;
    assert_eq!(r.json["server_time"], "2026-01-01T00:00:00.000Z");
    let bad = format!("game_id={}&game_token=nope", gf.game_id);
    assert_text_error(&gf.get(&format!("/games/verify?{bad}")).await, 404);
    assert_text_error(&gf.get("/games/verify?game_id=999&game_token=x").await, 404);
    assert_text_error(&gf.get("/games/verify").await, 400);
    a_disabled_game_is_402_everywhere(&gf, &q).await;
    gf.finish().await;
}

/// A variable and a store item, as verify and fetch_game_variables (with CORS) and
/// store_items show them; `q` the SDK's query.
async fn game_variables_and_store_items_read(gf: &Gf, q: &str) {
    gf.game_variables()
        .set(GameId(gf.game_id), "wind", "strong")
        .await
        .expect("var");
    let item = gf
        .store_items()
        .add(
            GameId(gf.game_id),
            NewStoreItem {
                name: "Sword".into(),
                description: "sharp".into(),
                category: "weapons".into(),
                cost: 10,
                icon_url: None,
            },
        )
        .await
        .expect("item");
    for path in ["/games/verify", "/games/fetch_game_variables"] {
        let r = gf.sdk_get(&format!("{path}?{q}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            r.headers
                .get("access-control-allow-origin")
                .and_then(|v| v.to_str().ok()),
            Some("*")
        );
        assert_eq!(r.json["id"], gf.game_id);
        assert_eq!(r.json["token"], gf.game_token.as_str());
        assert!(r.json["name"].is_string() && r.json["description"].is_string());
        assert_eq!(
            r.json["game_variables"],
            json!([{"id": r.json["game_variables"][0]["id"], "key": "wind", "value": "strong"}])
        );
        assert!(r.json["game_variables"][0]["id"].is_i64());
    }
    let r = gf
        .req("GET", &format!("/games/store_items?{q}"), &[], Body::EmptyJson)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json["store_items"],
        json!([{"id": item.id, "name": "Sword", "cost": 10, "description": "sharp", "category": "weapons", "icon_url": null}])
    );
}

/// Disabled: verify, sign-in and a user's call are 402; enabled again, the call works.
async fn a_disabled_game_is_402_everywhere(gf: &Gf, q: &str) {
    let up = gf.sign_up("d@x.org", "dee", "pw").await;
    let t = token(&up);
    let core = &gf.srv.running.core;
    core.set_game_enabled(GameId(gf.game_id), false).await.expect("disable");
    assert_text_error(&gf.get(&format!("/games/verify?{q}")).await, 402);
    assert_text_error(&gf.sign_in_raw("d@x.org", "pw").await, 402);
    assert_text_error(&gf.user_get(&format!("/users/{}", id(&up)), &t).await, 402);
    core.set_game_enabled(GameId(gf.game_id), true).await.expect("enable");
    assert_eq!(gf.user_get(&format!("/users/{}", id(&up)), &t).await.status, 200);
}

/// Attributes (reference 6): single and batch-only adds (upsert), the SDK's singular key
/// on the plural path, `keys[]` and JSON-array forms, 400 for a missing key or value or
/// an unknown key, 401 on another user's path.
async fn attributes(b: Backend) {
    let Some(gf) = setup(b).await else { return };
    let up = gf.sign_up("e@x.org", "eve", "pw").await;
    let (me, t) = (id(&up), token(&up));
    attributes_added_one_or_many(&gf, me, &t).await;
    attributes_removed_in_every_form(&gf, me, &t).await;
    // Another user may read them, not write them.
    let other = token(&gf.sign_up("f@x.org", "fay", "pw").await);
    let list = format!("/users/{me}/game_user_attributes");
    assert_eq!(gf.user_get(&list, &other).await.status, 200);
    let add = format!("/users/{me}/add_game_user_attribute");
    assert_text_error(
        &gf.user("POST", &add, &other, Body::Json(json!({"key": "k", "value": "v"})))
            .await,
        401,
    );
    gf.finish().await;
}

/// One attribute, then four in a batch (color upserted, a number as text); a missing key
/// or value 400.
async fn attributes_added_one_or_many(gf: &Gf, me: i64, t: &str) {
    let add = format!("/users/{me}/add_game_user_attribute");
    let r = gf
        .user("POST", &add, t, Body::Json(json!({"key": "color", "value": "blue"})))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = gf
        .user(
            "POST",
            &add,
            t,
            Body::Json(
                json!({"attributes": [{"key": "color", "value": "red"}, {"key": "lvl", "value": 3},
                                             {"key": "a", "value": "1"}, {"key": "b", "value": "2"}]}),
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let list = r.json["game_user_attributes"].as_array().expect("list").clone();
    assert_eq!(list.len(), 4);
    assert!(
        list.iter()
            .all(|a| a["id"].is_i64() && a["key"].is_string() && a["value"].is_string())
    );
    assert!(list.iter().any(|a| a["key"] == "color" && a["value"] == "red"));
    assert!(list.iter().any(|a| a["key"] == "lvl" && a["value"] == "3"));
    for body in [json!({"key": "x"}), json!({"attributes": [{"key": "x"}]}), json!({})] {
        assert_text_error(&gf.user("POST", &add, t, Body::Json(body)).await, 400);
    }
}

/// Removed by the singular key on the plural path, by `keys[]`, by a JSON array on the
/// singular path; an unknown key 400; none left.
async fn attributes_removed_in_every_form(gf: &Gf, me: i64, t: &str) {
    let plural = format!("/users/{me}/remove_game_user_attributes");
    let r = gf
        .user(
            "GET",
            &format!("{plural}?game_user_attribute_key=color"),
            t,
            Body::EmptyJson,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["game_user_attributes"].as_array().map(Vec::len), Some(3));
    let r = gf
        .user(
            "DELETE",
            &format!("{plural}?game_user_attribute_keys[]=a&game_user_attribute_keys[]=b"),
            t,
            Body::EmptyJson,
        )
        .await;
    assert_eq!(
        r.json["game_user_attributes"],
        json!([{"id": r.json["game_user_attributes"][0]["id"], "key": "lvl", "value": "3"}])
    );
    let singular = format!("/users/{me}/remove_game_user_attribute");
    let r = gf
        .user(
            "DELETE",
            &format!("{singular}?game_user_attribute_keys=[\"lvl\"]"),
            t,
            Body::None,
        )
        .await;
    assert_eq!(r.json["game_user_attributes"], json!([]), "{}", r.text);
    assert_text_error(
        &gf.user_get(&format!("{singular}?game_user_attribute_key=gone"), t)
            .await,
        400,
    );
    let list = format!("/users/{me}/game_user_attributes");
    assert_eq!(gf.user_get(&list, t).await.json["game_user_attributes"], json!([]));
}

/// Gus, signed up (`me`, token `t`) in a game that sells a sword (30) and a shield (50).
struct Shop {
    gf: Gf,
    me: i64,
    t: String,
    sword: i64,
    shield: i64,
}

impl Shop {
    /// The path of Gus's `route`.
    fn p(&self, route: &str) -> String {
        format!("/users/{}/{route}", self.me)
    }

    /// `method` on Gus's `route`, as Gus.
    async fn call(&self, method: &str, route: &str, body: Body<'_>) -> Resp {
        self.gf.user(method, &self.p(route), &self.t, body).await
    }
}

async fn shop(b: Backend) -> Option<Shop> {
    let gf = setup(b).await?;
    let g = gf.store_items();
    let item = |name: &str, cost| NewStoreItem {
        name: name.into(),
        cost,
        category: "c".into(),
        ..NewStoreItem::default()
    };
    let sword = g.add(GameId(gf.game_id), item("Sword", 30)).await.expect("item").id;
    let shield = g.add(GameId(gf.game_id), item("Shield", 50)).await.expect("item").id;
    let up = gf.sign_up("g@x.org", "gus", "pw").await;
    Some(Shop {
        me: id(&up),
        t: token(&up),
        gf,
        sword,
        shield,
    })
}

/// Credits, score, purchases (reference 7, 8): JSON bodies; never negative credits;
/// purchases with a credit check (403, nothing changed); ownership; removal with refund.
async fn credits_score_and_store(b: Backend) {
    let Some(s) = shop(b).await else { return };
    credits_added_and_refused(&s).await;
    score_set_and_added(&s).await;
    store_items_purchased(&s).await;
    store_item_removed_with_a_refund(&s).await;
    s.gf.finish().await;
}

/// Credits added (never below zero); bad amounts, and the ends of i64's range as a form
/// sends them, refused; 35 credits left.
async fn credits_added_and_refused(s: &Shop) {
    let r = s.call("POST", "add_credits", Body::Json(json!({"credits": 40}))).await;
    assert_eq!(r.json["credits"], 40);
    assert_user_self(&r.json);
    assert_text_error(
        &s.call("POST", "add_credits", Body::Json(json!({"credits": -41}))).await,
        403,
    );
    assert_text_error(
        &s.call("POST", "set_credits", Body::Json(json!({"credits": -1}))).await,
        400,
    );
    assert_text_error(&s.call("POST", "add_credits", Body::Json(json!({}))).await, 400);
    assert_text_error(
        &s.call("POST", "add_credits", Body::Json(json!({"credits": "x"}))).await,
        400,
    );
    // The ends of i64's range, as a form sends them: out of range, not a fault.
    for (route, field) in [
        ("add_credits", "credits"),
        ("set_credits", "credits"),
        ("add_score", "score"),
        ("set_score", "score"),
    ] {
        for n in [i64::MIN.to_string(), i64::MAX.to_string()] {
            assert_text_error(&s.call("POST", route, Body::Form(&[(field, n.as_str())])).await, 400);
        }
    }
    let r = s.call("POST", "add_credits", Body::Json(json!({"credits": -5}))).await;
    assert_eq!(r.json["credits"], 35);
}

/// The score set, then added to (a number as a string too).
async fn score_set_and_added(s: &Shop) {
    let r = s.call("POST", "set_score", Body::Json(json!({"score": 7}))).await;
    assert_eq!(r.json["score"], 7);
    let r = s.call("POST", "add_score", Body::Json(json!({"score": "3"}))).await;
    assert_eq!(r.json["score"], 10);
}

/// The SDK posts the item id as a multipart string: the shield costs more than Gus has
/// (403), the sword is bought (the owned items in their JSON types), once; an unknown item.
async fn store_items_purchased(s: &Shop) {
    let sid = s.sword.to_string();
    let hid = s.shield.to_string();
    let buy = "purchase_game_user_store_item";
    let r = s.call("POST", buy, Body::Form(&[("store_item_id", &hid)])).await;
    assert_text_error(&r, 403);
    assert!(r.text.contains("credits"));
    let r = s.call("POST", buy, Body::Form(&[("store_item_id", &sid)])).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["credits"], 5);
    let owned = &r.json["game_user_store_items"];
    assert_eq!(owned.as_array().map(Vec::len), Some(1));
    for k in ["id", "cost"] {
        assert!(owned[0][k].is_i64());
    }
    for k in ["name", "description", "category"] {
        assert!(owned[0][k].is_string());
    }
    assert!(owned[0]["icon_url"].is_null());
    assert_eq!(r.json["store_items"], *owned);
    let r = s.call("POST", buy, Body::Json(json!({"store_item_id": s.sword}))).await;
    assert_text_error(&r, 403);
    assert_text_error(
        &s.call("POST", buy, Body::Json(json!({"store_item_id": 99999}))).await,
        404,
    );
    let r = s.call("GET", "game_user_store_items", Body::EmptyJson).await;
    assert_eq!(r.json["credits"], 5);
    assert_eq!(r.json["game_user_store_items"][0]["id"], s.sword);
}

/// Removed with a refund (a second time 404); bought again, the sign-in carries the owned
/// items (docs keys).
async fn store_item_removed_with_a_refund(s: &Shop) {
    let (sword, remove) = (s.sword, s.p("remove_game_user_store_item"));
    let r =
        s.gf.user(
            "GET",
            &format!("{remove}?store_item_id={sword}&reimburse=true"),
            &s.t,
            Body::EmptyJson,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["credits"], 35);
    assert_eq!(r.json["game_user_store_items"], json!([]));
    assert_text_error(
        &s.gf.user_get(&format!("{remove}?store_item_id={sword}"), &s.t).await,
        404,
    );
    s.call(
        "POST",
        "purchase_game_user_store_item",
        Body::Json(json!({"store_item_id": sword})),
    )
    .await;
    let v = s.gf.sign_in("g@x.org", "pw").await;
    assert_eq!(v["game_user_store_items"][0]["id"], sword);
    assert_eq!(v["credits"], 5);
}

/// The SDK's pseudo-JSON `extra_attributes` (not JSON: `happy` is bare), kept verbatim.
const PSEUDO: &str = "{\"deaths\": 15, \"Jewels\": 12, \"mood\": happy}";

/// Hal (`ida`, `ta`) and Ivy (`idc`, `tc`) with entries on the boards Jewels (Hal 10 and
/// 30, Ivy 20) and Time (Ivy 5); `board` the game's entries.
struct Boards {
    gf: Gf,
    ida: i64,
    ta: String,
    idc: i64,
    tc: String,
    board: String,
}

/// Leaderboards (reference 9): the SDK's multipart entry with pseudo-JSON
/// `extra_attributes` kept verbatim; JSON `metadata`; best first; `limit`; one per user;
/// per user; clear; an empty board is `[]`.
async fn leaderboards(b: Backend) {
    let Some(l) = leaderboard_entries_added(b).await else {
        return;
    };
    leaderboards_read(&l).await;
    leaderboard_entries_cleared(&l).await;
    l.gf.finish().await;
}

/// Entries as the SDK's form and as JSON; no board name, or another user's, refused.
async fn leaderboard_entries_added(b: Backend) -> Option<Boards> {
    let gf = setup(b).await?;
    let a = gf.sign_up("h@x.org", "hal", "pw").await;
    let c = gf.sign_up("i@x.org", "ivy", "pw").await;
    let (ida, ta) = (id(&a), token(&a));
    let (idc, tc) = (id(&c), token(&c));
    let add = |u: i64| format!("/users/{u}/add_leaderboard_entry");
    for (u, t, score) in [(ida, &ta, "10"), (ida, &ta, "30"), (idc, &tc, "20")] {
        let r = gf
            .user(
                "POST",
                &add(u),
                t,
                Body::Form(&[
                    ("leaderboard_name", "Jewels"),
                    ("score", score),
                    ("extra_attributes", PSEUDO),
                ]),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        gf.srv.advance(Duration::from_millis(5));
    }
    let r = gf
        .user(
            "POST",
            &add(idc),
            &tc,
            Body::Json(json!({"leaderboard_name": "Time", "score": 5, "metadata": {"lap": 2}})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_text_error(
        &gf.user("POST", &add(idc), &tc, Body::Json(json!({"score": 1}))).await,
        400,
    );
    assert_text_error(
        &gf.user(
            "POST",
            &add(ida),
            &tc,
            Body::Form(&[("leaderboard_name", "Jewels"), ("score", "1")]),
        )
        .await,
        401,
    );
    let board = format!("/games/{}/leaderboard_entries", gf.game_id);
    Some(Boards {
        gf,
        ida,
        ta,
        idc,
        tc,
        board,
    })
}

/// Best first, in the SDK's types; `limit` and one per user; metadata as text; an empty
/// board; a bad limit; one user's entries.
async fn leaderboards_read(l: &Boards) {
    let (gf, board, ta) = (&l.gf, &l.board, &l.ta);
    let r = gf
        .user("GET", &format!("{board}?leaderboard_name=Jewels"), ta, Body::EmptyJson)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let list = r.json["leaderboard_entries"].as_array().expect("list").clone();
    let scores: Vec<i64> = list.iter().map(|e| e["score"].as_i64().expect("int")).collect();
    assert_eq!(scores, vec![30, 20, 10]);
    let e = &list[0];
    assert_eq!(e["username"], "hal");
    assert_eq!(e["leaderboard_name"], "Jewels");
    assert_eq!(e["game_user_id"], l.ida);
    assert_eq!(e["extra_attributes"], PSEUDO, "raw text kept");
    assert!(e["id"].is_i64());
    assert!(e["created_at"].as_str().is_some_and(is_iso_millis));
    let r = gf
        .user_get(
            &format!("{board}?leaderboard_name=Jewels&limit=2&one_per_user=true"),
            ta,
        )
        .await;
    let users: Vec<i64> = r.json["leaderboard_entries"]
        .as_array()
        .expect("list")
        .iter()
        .map(|e| e["game_user_id"].as_i64().expect("id"))
        .collect();
    assert_eq!(users, vec![l.ida, l.idc]);
    let r = gf.user_get(&format!("{board}?leaderboard_name=Time"), ta).await;
    let e = &r.json["leaderboard_entries"][0];
    assert_eq!(e["metadata"], "{\"lap\":2}");
    assert!(e["extra_attributes"].is_string());
    let r = gf.user_get(&format!("{board}?leaderboard_name=Nothing"), ta).await;
    assert_eq!((r.status, r.json["leaderboard_entries"].clone()), (200, json!([])));
    assert_text_error(&gf.user_get(&format!("{board}?limit=0"), ta).await, 400);
    let r = gf.user_get(&format!("/users/{}/leaderboard_entries", l.idc), ta).await;
    assert_eq!(r.json["leaderboard_entries"].as_array().map(Vec::len), Some(2));
}

/// Hal clears his Jewels entries (Ivy's stay); Ivy cannot clear through Hal's path.
async fn leaderboard_entries_cleared(l: &Boards) {
    let (gf, board, ta) = (&l.gf, &l.board, &l.ta);
    let clear = format!("/users/{}/clear_my_leaderboard_entries", l.ida);
    let r = gf
        .user("POST", &clear, ta, Body::Form(&[("leaderboard_name", "Jewels")]))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = gf.user_get(&format!("{board}?leaderboard_name=Jewels"), ta).await;
    assert_eq!(r.json["leaderboard_entries"].as_array().map(Vec::len), Some(1));
    let r = gf
        .user(
            "POST",
            &format!("{clear}?leaderboard_name=Time"),
            &l.tc,
            Body::EmptyJson,
        )
        .await;
    assert_text_error(&r, 401);
}

/// Jo of game A (`a`, token `ta`), and game B with a user of the same e-mail and username
/// (`b_user`, token `tb`; unique per game only) and a store item.
struct TwoGames {
    gf: Gf,
    a: i64,
    ta: String,
    game_b: playgate_core::game::Game,
    gid_b: String,
    b_user: i64,
    tb: String,
}

/// A token, a service key or an id of game A reaches nothing of game B.
async fn tenant_isolation(b: Backend) {
    let Some(t) = two_games(b).await else { return };
    a_token_reaches_nothing_of_game_b(&t).await;
    a_credentials_open_nothing_of_game_b(&t).await;
    a_service_key_acts_as_no_user_of_game_b(&t).await;
    t.gf.finish().await;
}

async fn two_games(b: Backend) -> Option<TwoGames> {
    let gf = setup(b).await?;
    let a = gf.sign_up("j@x.org", "jo", "pw").await;
    let game_b = gf.srv.new_game("B").await.game;
    let gid_b = game_b.id.0.to_string();
    let r = gf
        .post(
            "/users",
            Body::Form(&[
                ("email", "j@x.org"),
                ("password", "pw-b"),
                ("password_confirmation", "pw-b"),
                ("username", "jo"),
                ("game_id", &gid_b),
                ("game_token", &game_b.gamefuse_token),
            ]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    gf.store_items()
        .add(
            game_b.id,
            NewStoreItem {
                name: "B item".into(),
                cost: 0,
                ..Default::default()
            },
        )
        .await
        .expect("item");
    Some(TwoGames {
        a: id(&a),
        ta: token(&a),
        b_user: id(&r.json),
        tb: token(&r.json),
        gf,
        game_b,
        gid_b,
    })
}

/// A's token: B's user does not exist; B's leaderboard is refused; B's item unknown.
async fn a_token_reaches_nothing_of_game_b(t: &TwoGames) {
    let (gf, ta, b_user) = (&t.gf, &t.ta, t.b_user);
    assert_text_error(&gf.user_get(&format!("/users/{b_user}"), ta).await, 404);
    assert_text_error(
        &gf.user_get(&format!("/users/{b_user}/game_user_attributes"), ta).await,
        404,
    );
    assert_text_error(
        &gf.user_get(&format!("/users/{b_user}/leaderboard_entries"), ta).await,
        404,
    );
    assert_text_error(
        &gf.user_get(&format!("/games/{}/leaderboard_entries", t.game_b.id.0), ta)
            .await,
        401,
    );
    let b_items = gf.store_items().list(t.game_b.id).await.expect("items");
    let r = gf
        .user(
            "POST",
            &format!("/users/{}/purchase_game_user_store_item", t.a),
            ta,
            Body::Json(json!({"store_item_id": b_items[0].id})),
        )
        .await;
    assert_text_error(&r, 404);
}

/// Game A's token does not open game B; A's password does not sign in to B.
async fn a_credentials_open_nothing_of_game_b(t: &TwoGames) {
    let gf = &t.gf;
    let q = format!("game_id={}&game_token={}", t.game_b.id.0, gf.game_token);
    assert_text_error(&gf.get(&format!("/games/verify?{q}")).await, 404);
    let r = gf
        .post(
            "/sessions",
            Body::Form(&[("email", "j@x.org"), ("password", "pw"), ("game_id", &t.gid_b)]),
        )
        .await;
    assert_text_error(&r, 404);
}

/// A service key of game A cannot act as game B's user; B's own token reaches it.
async fn a_service_key_acts_as_no_user_of_game_b(t: &TwoGames) {
    let (gf, b_user) = (&t.gf, t.b_user);
    let (_, key) = gf
        .gamefuse()
        .create_service_key(GameId(gf.game_id), "server")
        .await
        .expect("key");
    let bu = b_user.to_string();
    let r = gf
        .req(
            "GET",
            &format!("/users/{b_user}"),
            &acting_as(key.expose(), &bu),
            Body::None,
        )
        .await;
    assert_text_error(&r, 404);
    assert_eq!(gf.user_get(&format!("/users/{b_user}"), &t.tb).await.status, 200);
}

impl Gf {
    /// The game's `path` in the admin API's GameFuse routes.
    fn admin_path(&self, path: &str) -> String {
        format!("/admin/gamefuse/games/{}/{path}", self.game_id)
    }

    /// The operator calls `path` of the game's admin API routes.
    async fn admin(&self, method: &str, path: &str, body: Value) -> Resp {
        let body = body.to_string();
        self.srv
            .admin(ADMIN)
            .call(method, &self.admin_path(path), Some(&body))
            .await
    }
}

/// Service keys act as `current-user-id`; route switches deny per caller kind; bad keys
/// are 401. Managed through the admin HTTP API.
async fn service_keys_and_admin_api(b: Backend) {
    let Some(gf) = setup(b).await else { return };
    let up = gf.sign_up("k@x.org", "kay", "pw").await;
    let (me, t) = (id(&up), token(&up));
    let key_token = service_key_made_by_the_admin_api(&gf).await;
    game_data_set_by_the_admin_api(&gf).await;
    service_key_acts_as_a_user(&gf, me, &key_token).await;
    routes_switched_and_service_key_deleted(&gf, me, &t, &key_token).await;
    gf.finish().await;
}

/// A key made through the admin API (its token shown); without the admin token 401, a
/// name taken 409, no name 400, in the admin API's one error format. The key's token.
async fn service_key_made_by_the_admin_api(gf: &Gf) -> String {
    let server = json!({"name": "server"});
    let r = gf
        .srv
        .call("POST", &gf.admin_path("service_keys"), Some(&server.to_string()))
        .await;
    // The admin API's one error format, game data included.
    assert_error(&r, 401, "unauthorized", None);
    let r = gf.admin("POST", "service_keys", server.clone()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let key_token = r.json["token"].as_str().expect("token").to_owned();
    let r = gf.admin("POST", "service_keys", server).await;
    // A name taken is a conflict.
    assert_error(&r, 409, "conflict", None);
    let r = gf.admin("POST", "service_keys", json!({})).await;
    assert_error(&r, 400, "invalid_request", Some("name"));
    key_token
}

/// A variable and a store item set through the admin API; the game's verify shows them.
async fn game_data_set_by_the_admin_api(gf: &Gf) {
    let r = gf.admin("PUT", "variables/speed", json!({"value": 3})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let gem = json!({"name": "Gem", "cost": "2", "category": "gems"});
    let r = gf.admin("POST", "store_items", gem).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let q = format!("game_id={}&game_token={}", gf.game_id, gf.game_token);
    let r = gf.get(&format!("/games/verify?{q}")).await;
    assert_eq!(r.json["game_variables"][0]["value"], "3");
}

/// The headers of the service key `server` (its token `key_token`) acting as the user
/// `user_id`.
fn acting_as<'a>(key_token: &'a str, user_id: &'a str) -> [(&'static str, &'a str); 3] {
    [
        ("service-key-name", "server"),
        ("service-key-token", key_token),
        ("current-user-id", user_id),
    ]
}

/// The service key writes a leaderboard entry as `current-user-id` (no token in the
/// answer); a wrong token, a wrong name or no user: 401.
async fn service_key_acts_as_a_user(gf: &Gf, me: i64, key_token: &str) {
    let me_s = me.to_string();
    let hdrs = acting_as(key_token, &me_s);
    let entry = format!("/users/{me}/add_leaderboard_entry");
    let form = [("leaderboard_name", "L"), ("score", "9")];
    let r = gf.req("POST", &entry, &hdrs, Body::Form(&form)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json.get("authentication_token").is_none());
    let bad = acting_as("gfk_wrong", &me_s);
    assert_text_error(&gf.req("POST", &entry, &bad, Body::Form(&form)).await, 401);
    let wrong_name = [("service-key-name", "other"), ("service-key-token", key_token)];
    assert_text_error(
        &gf.req("GET", &format!("/users/{me}"), &wrong_name, Body::None).await,
        401,
    );
    let no_user = [("service-key-name", "server"), ("service-key-token", key_token)];
    assert_text_error(&gf.req("POST", &entry, &no_user, Body::Form(&form)).await, 401);
}

/// Game users locked out of leaderboard writes, the key still allowed; the key deleted
/// through the admin API, then refused.
async fn routes_switched_and_service_key_deleted(gf: &Gf, me: i64, t: &str, key_token: &str) {
    let me_s = me.to_string();
    let hdrs = acting_as(key_token, &me_s);
    let entry = format!("/users/{me}/add_leaderboard_entry");
    let switch = json!({"route": "users/{id}/add_leaderboard_entry", "user_allowed": false, "key_allowed": true});
    let r = gf.admin("PUT", "routes", switch).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let form = [("leaderboard_name", "L"), ("score", "1")];
    assert_text_error(&gf.user("POST", &entry, t, Body::Form(&form)).await, 403);
    assert_eq!(gf.req("POST", &entry, &hdrs, Body::Form(&form)).await.status, 200);
    let path = gf.admin_path("service_keys/server");
    let r = gf.srv.admin(ADMIN).call("DELETE", &path, None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_text_error(&gf.req("POST", &entry, &hdrs, Body::Form(&form)).await, 401);
}

/// The system key of the test suite.
const SUITE_KEY: [(&str, &str); 2] = [("service-key-name", SUITE_NAME), ("service-key-token", SUITE_TOKEN)];

/// `test_suite/*` (reference 15.2) as the SDK's test scripts call it.
async fn test_suite(b: Backend) {
    let Some(gf) = setup(b).await else { return };
    let (game, game_token) = test_suite_makes_a_game_a_user_and_an_item(&gf).await;
    test_suite_cleans_up_its_own_games_only(&gf, game, &game_token).await;
    gf.finish().await;
}

/// A game, a user who signs in with the default password, a store item the game lists.
/// The game's id and token.
async fn test_suite_makes_a_game_a_user_and_an_item(gf: &Gf) -> (i64, String) {
    let r = gf.req("POST", "/test_suite/create_game", &SUITE_KEY, Body::None).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let game = r.json["id"].as_i64().expect("id");
    let game_token = r.json["token"].as_str().expect("token").to_owned();
    assert!(r.json["name"].is_string());
    let r = gf
        .req(
            "POST",
            &format!("/test_suite/create_user?game_id={game}"),
            &SUITE_KEY,
            Body::Json(json!({"email": "t1@x.org", "username": "t1"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    for k in ["id", "score", "credits"] {
        assert!(r.json[k].is_i64(), "{k}");
    }
    assert_eq!(r.json["username"], "t1");
    let gid = game.to_string();
    let r = gf
        .post(
            "/sessions",
            Body::Form(&[("email", "t1@x.org"), ("password", "password"), ("game_id", &gid)]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = gf
        .req(
            "POST",
            "/test_suite/create_store_item",
            &SUITE_KEY,
            Body::Json(json!({"game_id": game, "name": "Hat", "description": "d", "category": "c", "cost": 5})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["game_id"], game);
    let q = format!("game_id={game}&game_token={game_token}");
    let r = gf.get(&format!("/games/store_items?{q}")).await;
    assert_eq!(r.json["store_items"][0]["name"], "Hat");
    (game, game_token)
}

/// Only the system key; only games the suite created are cleaned up (then gone).
async fn test_suite_cleans_up_its_own_games_only(gf: &Gf, game: i64, game_token: &str) {
    let bad = [("service-key-name", SUITE_NAME), ("service-key-token", "nope")];
    assert_text_error(&gf.req("POST", "/test_suite/create_game", &bad, Body::None).await, 401);
    let r = gf
        .req(
            "DELETE",
            &format!("/test_suite/clean_up_test?game_id={}", gf.game_id),
            &SUITE_KEY,
            Body::EmptyJson,
        )
        .await;
    assert_text_error(&r, 403);
    let r = gf
        .req(
            "DELETE",
            &format!("/test_suite/clean_up_test?game_id={game}"),
            &SUITE_KEY,
            Body::EmptyJson,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json["message"].is_string());
    let q = format!("game_id={game}&game_token={game_token}");
    assert_text_error(&gf.get(&format!("/games/verify?{q}")).await, 404);
}

/// Without the key configured the `test_suite/*` routes do not exist; neither does the
/// admin API.
async fn test_suite_and_admin_api_absent_without_their_keys(b: Backend) {
    let Some(gf) = setup_with(b, false).await else { return };
    assert_text_error(
        &gf.req("POST", "/test_suite/create_game", &SUITE_KEY, Body::None).await,
        404,
    );
    let r = gf
        .srv
        .http
        .get(format!("{}/admin/gamefuse/games/{}/variables", gf.srv.base, gf.game_id))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 404);
    gf.finish().await;
}

/// Sign-up and sign-ins are in the audit log after their calls, about the player as the
/// admin API names it (`player:<user id>`, a client user's user id being its e-mail): the
/// sign-up (`session.opened`, a new user), a wrong password and an unknown e-mail
/// (`login.failed`, the first about the player), a right one (`login.succeeded` and
/// `session.opened` by the player, with the session's id).
async fn sign_in_actions_are_audited(b: Backend) {
    let Some(gf) = setup(b).await else { return };
    gf.sign_up("Ann@x.org", "ann", "pw-ann").await;
    let player = "player:ann@x.org";
    let signed_up = gf.srv.audit(&format!("subject={player}")).await;
    assert_eq!(signed_up.len(), 1, "{signed_up:?}");
    assert_eq!(
        (&signed_up[0]["action"], &signed_up[0]["actor"]),
        (&json!("session.opened"), &json!(player))
    );
    assert_eq!(signed_up[0]["detail"]["new_user"], true);
    assert_eq!(gf.sign_in_raw("ann@x.org", "wrong").await.status, 404);
    assert_eq!(gf.sign_in_raw("nobody@x.org", "wrong").await.status, 404);
    let failed = gf.srv.audit("action=login.failed").await;
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert_eq!(
        (&failed[0]["actor"], &failed[0]["subject"]),
        (&json!("unknown"), &Value::Null)
    );
    assert_eq!(
        (&failed[1]["actor"], &failed[1]["subject"]),
        (&json!(player), &json!(player))
    );
    assert_eq!(failed[1]["game_id"], gf.game_id);
    let signed = gf.sign_in("ann@x.org", "pw-ann").await;
    let mine = gf.srv.audit(&format!("actor={player}")).await;
    let actions: Vec<&str> = mine.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(
        actions,
        ["session.opened", "login.succeeded", "login.failed", "session.opened"]
    );
    assert_eq!(mine[0]["subject"], player);
    assert_eq!(mine[0]["detail"]["new_user"], Value::Null);
    assert_eq!(mine[0]["ip"], "127.0.0.1");
    assert!(mine[0]["detail"]["session"].is_string());
    assert_eq!(mine[0]["detail"], mine[1]["detail"]);
    assert!(signed["authentication_token"].is_string());
    gf.finish().await;
}

/// Password reset (reference 14): 200 for any address, a sealed outbox record with a
/// single-use one-hour link, the HTML page, the new password; old tokens stop working.
async fn forgot_password(b: Backend) {
    let Some(gf) = setup(b).await else { return };
    let up = gf.sign_up("Reset+Me@x.org", "rita", "old-pw").await;
    let (me, old) = (id(&up), token(&up));
    let path = format!("/games/{}/forget_password", gf.game_id);
    // The SDK interpolates the e-mail raw: '+' arrives as a space.
    let q = format!(
        "email=Reset+Me@x.org&game_id={}&game_token={}",
        gf.game_id, gf.game_token
    );
    a_reset_asked_for_any_address(&gf, &path, &q).await;
    let reset_token = the_reset_link_mailed_once(&gf).await;
    the_password_reset_once_by_the_page(&gf, &reset_token).await;
    assert_text_error(&gf.user_get(&format!("/users/{me}"), &old).await, 401);
    assert_eq!(gf.sign_in_raw("reset+me@x.org", "old-pw").await.status, 404);
    gf.sign_in("reset+me@x.org", "new-pw").await;
    a_reset_link_dies_after_an_hour(&gf, &path, &q).await;
    gf.finish().await;
}

/// 200 (no mailer response) for a known address and an unknown one; a bad address 403; a
/// wrong game token 404.
async fn a_reset_asked_for_any_address(gf: &Gf, path: &str, q: &str) {
    let r = gf.sdk_get(&format!("{path}?{q}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json["mailer_response"].is_null());
    assert!(r.json["message"].is_string());
    let unknown = format!("email=nobody@x.org&game_id={}&game_token={}", gf.game_id, gf.game_token);
    assert_eq!(gf.get(&format!("{path}?{unknown}")).await.status, 200);
    let badfmt = format!("email=nope&game_id={}&game_token={}", gf.game_id, gf.game_token);
    assert_text_error(&gf.get(&format!("{path}?{badfmt}")).await, 403);
    let badgame = format!("email=x@x.org&game_id={}&game_token=wrong", gf.game_id);
    assert_text_error(&gf.get(&format!("{path}?{badgame}")).await, 404);
}

/// Only the known address got mail, not yet sent, with the link. The link's token.
async fn the_reset_link_mailed_once(gf: &Gf) -> String {
    let outbox = gf.client_users().outbox(10).await.expect("outbox");
    assert_eq!(outbox.len(), 1, "only the known address got mail");
    assert_eq!(outbox[0].recipient, "Reset+Me@x.org");
    assert!(outbox[0].sent_at.is_none());
    let link = outbox[0]
        .body
        .split_whitespace()
        .find(|w| w.contains("/api/v3/password_reset?token="))
        .expect("link")
        .to_owned();
    link.split("token=").nth(1).expect("token").to_owned()
}

/// The link's page is a form; two different passwords 400; the new one 200, once.
async fn the_password_reset_once_by_the_page(gf: &Gf, reset_token: &str) {
    let page_url = format!("{}/api/v3/password_reset?token={reset_token}", gf.srv.base);
    let r = gf.srv.http.get(&page_url).send().await.expect("send");
    assert_eq!(r.status(), 200);
    assert!(r.text().await.expect("html").contains("<form method=\"post\""));
    let post = |pw: &'static str, pw2: &'static str| {
        gf.srv
            .http
            .post(format!("{}/api/v3/password_reset", gf.srv.base))
            .form(&[("token", reset_token), ("password", pw), ("password_confirmation", pw2)])
            .send()
    };
    assert_eq!(post("new-pw", "other").await.expect("send").status(), 400);
    assert_eq!(post("new-pw", "new-pw").await.expect("send").status(), 200);
    assert_eq!(post("again", "again").await.expect("send").status(), 400, "single use");
    // Recorded about the player as its other events are, in its game.
    let reset = gf.srv.audit("action=password.reset").await;
    assert_eq!(reset.len(), 1, "{reset:?}");
    assert_eq!(
        (&reset[0]["subject"], &reset[0]["game_id"]),
        (&json!("player:reset+me@x.org"), &json!(gf.game_id))
    );
}

/// A link older than an hour is dead.
async fn a_reset_link_dies_after_an_hour(gf: &Gf, path: &str, q: &str) {
    gf.get(&format!("{path}?{q}")).await;
    let outbox = gf.client_users().outbox(1).await.expect("outbox");
    let body = &outbox[0].body;
    let t2 = body
        .split("token=")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("token");
    gf.srv.advance(Duration::from_secs(3601));
    let r = gf
        .srv
        .http
        .get(format!("{}/api/v3/password_reset?token={t2}", gf.srv.base))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 400);
}

/// CORS (reference 0.7): preflights answer 2xx with the headers the SDK sends; errors
/// and unknown routes carry CORS too; bodies that are neither JSON objects nor forms 400.
async fn cors_and_bad_bodies(b: Backend) {
    let Some(gf) = setup(b).await else { return };
    let r = gf
        .srv
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/api/v3/sessions", gf.srv.base))
        .header("origin", "https://game.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authentication-token, content-type")
        .send()
        .await
        .expect("send");
    assert!(r.status().is_success());
    let h = |k: &str| {
        r.headers()
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    assert_eq!(h("access-control-allow-origin"), "*");
    assert!(h("access-control-allow-methods").contains("delete"));
    for name in [
        "authentication-token",
        "authentication_token",
        "service-key-name",
        "current-user-id",
    ] {
        assert!(h("access-control-allow-headers").contains(name), "{name}");
    }
    assert_text_error(&gf.get("/no/such/route").await, 404);
    assert_text_error(&gf.req("PUT", "/sessions", &[], Body::EmptyJson).await, 405);
    let up = gf.sign_up("l@x.org", "lou", "pw").await;
    let path = format!("/users/{}/add_credits", id(&up));
    let t = token(&up);
    for raw in ["[1]", "{broken", "\"str\""] {
        let r = gf
            .srv
            .http
            .post(format!("{}/api/v3{path}", gf.srv.base))
            .header("authentication-token", t.as_str())
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), 400, "{raw}");
    }
    // Nothing changed by the refused calls.
    let r = gf.user_get(&format!("/users/{}", id(&up)), &t).await;
    assert_eq!(r.json["credits"], 0);
    gf.finish().await;
}

/// Concurrent sign-ins of one user all succeed, and exactly one of their tokens works
/// afterwards (one live session per player, DESIGN.md).
async fn concurrent_sign_ins(b: Backend) {
    let Some(gf) = setup(b).await else { return };
    let up = gf.sign_up("m@x.org", "max", "pw").await;
    let gf = Arc::new(gf);
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let gf = gf.clone();
        tasks.push(tokio::spawn(async move { gf.sign_in_raw("m@x.org", "pw").await }));
    }
    let mut tokens = Vec::new();
    for t in tasks {
        let r = t.await.expect("join");
        assert_eq!(r.status, 200, "{}", r.text);
        tokens.push(token(&r.json));
    }
    let mut working = 0;
    for t in &tokens {
        if gf.user_get(&format!("/users/{}", id(&up)), t).await.status == 200 {
            working += 1;
        }
    }
    assert_eq!(working, 1);
    let Ok(gf) = Arc::try_unwrap(gf) else {
        panic!("still shared")
    };
    gf.finish().await;
}

/// A password hashed under other argon2id parameters (an earlier default) still signs in,
/// and that sign-in stores a hash under the server's current parameters.
async fn sign_in_upgrades_old_password_hashes(b: Backend) {
    let Some(gf) = setup_cfg(b, |c| {
        c.password_hash_memory_kib = 1024;
        c.password_hash_iterations = 1;
    })
    .await
    else {
        return;
    };
    let up = gf.sign_up("old@x.org", "olduser", "pw").await;
    let (player, game) = (PlayerId(id(&up)), GameId(gf.game_id));
    let store = SqlStore::connect(&StoreOptions::new(gf.srv.config.database_url()))
        .await
        .expect("store");
    let stored = async || {
        let creds = store.credentials_by_email(game, "old@x.org").await.expect("read");
        creds.expect("user").1
    };
    let current = stored().await;
    let old = hash_under_other_params("pw").await;
    assert!(
        !store
            .set_password_hash(player, "not the stored hash", &old)
            .await
            .expect("cas"),
        "replaces only the stored hash"
    );
    assert!(store.set_password_hash(player, &current, &old).await.expect("plant"));
    gf.sign_in("old@x.org", "pw").await;
    let upgraded = stored().await;
    assert!(upgraded.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{upgraded}");
    // The new hash is of the same password, and is not upgraded again.
    gf.sign_in("old@x.org", "pw").await;
    assert_eq!(stored().await, upgraded);
    assert_eq!(
        gf.sign_in_raw("old@x.org", "wrong").await.status,
        404,
        "GameFuse's refusal"
    );
    store.close().await;
    gf.finish().await;
}

/// Every call authenticated as a user counts one event, exactly, while the node flushes
/// its tally in the background (every 5 ms here, so flushes overlap the reads); the
/// count survives a shutdown.
async fn events_counted_per_call_and_kept_at_shutdown(b: Backend) {
    let Some(gf) = setup_cfg(b, |c| c.gamefuse_events_flush_ms = 5).await else {
        return;
    };
    let up = gf.sign_up("e@x.org", "ev", "pw").await;
    assert_eq!(up["events_total"], 1, "the sign-up");
    let (uid, tok) = (id(&up), token(&up));
    let path = format!("/users/{uid}");
    // One caller: each response counts the calls so far, itself included.
    for n in 2..=21 {
        let r = gf.user_get(&path, &tok).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            (r.json["events_total"].as_i64(), r.json["events_current_month"].as_i64()),
            (Some(n), Some(n))
        );
        if n % 4 == 0 {
            tokio::time::sleep(Duration::from_millis(7)).await;
        }
    }
    // Four callers at once, 15 calls each; then one more call sees all of them.
    let gf = Arc::new(gf);
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let (gf, path, tok) = (gf.clone(), path.clone(), tok.clone());
            tokio::spawn(async move {
                for _ in 0..15 {
                    assert_eq!(gf.user_get(&path, &tok).await.status, 200);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("caller");
    }
    let r = gf
        .user(
            "POST",
            &format!("{path}/add_credits"),
            &tok,
            Body::Json(json!({"credits": 5})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.json["credits"].as_i64(), r.json["events_total"].as_i64()),
        (Some(5), Some(82))
    );
    let Ok(gf) = Arc::try_unwrap(gf) else {
        panic!("still shared")
    };
    // Stopping writes what the last flush did not; the stored row has every call.
    let TestServer {
        running,
        config,
        db,
        game,
        ..
    } = gf.srv;
    running.stop().await.expect("stop");
    let store = SqlStore::connect(&StoreOptions::new(config.database_url()))
        .await
        .expect("store");
    let stored = store
        .user(game.game.id, PlayerId(uid))
        .await
        .expect("read")
        .expect("user");
    assert_eq!((stored.events_total, stored.events_month, stored.credits), (82, 82, 5));
    store.close().await;
    db.drop_it().await;
}

/// Failed sign-ins are limited per address and account: past the limit a clear 429 with
/// Retry-After, even with the right password, until the window ends.
async fn sign_in_rate_limit(b: Backend) {
    let Some(gf) = setup_cfg(b, |c| c.auth_failure_limit = 3).await else {
        return;
    };
    gf.sign_up("n@x.org", "ned", "pw").await;
    for _ in 0..3 {
        assert_text_error(&gf.sign_in_raw("n@x.org", "bad").await, 404);
    }
    let r = gf.sign_in_raw("n@x.org", "pw").await;
    assert_text_error(&r, 429);
    assert!(r.headers.get("retry-after").is_some());
    gf.srv.advance(Duration::from_secs(15 * 60));
    gf.sign_in("n@x.org", "pw").await;
    gf.finish().await;
}

/// A minimal SMTP server that accepts every message and keeps its DATA.
async fn fake_smtp() -> (u16, Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let got = Arc::new(std::sync::Mutex::new(Vec::new()));
    let store = got.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 fake ESMTP\r\n").await;
                let (mut in_data, mut data) = (false, String::new());
                while let Ok(Some(line)) = lines.next_line().await {
                    let reply: &[u8] = if in_data {
                        if line == "." {
                            in_data = false;
                            store.lock().expect("lock").push(std::mem::take(&mut data));
                            b"250 queued\r\n"
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                            continue;
                        }
                    } else {
                        let cmd = line.to_ascii_uppercase();
                        if cmd.starts_with("DATA") {
                            in_data = true;
                            b"354 go ahead\r\n"
                        } else if cmd.starts_with("QUIT") {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"250 ok\r\n"
                        }
                    };
                    if w.write_all(reply).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (port, got)
}

/// With `smtp_url` the reset mail goes out by SMTP (lettre) and the outbox records it as
/// sent; `mailer_response` says so.
async fn forgot_password_by_smtp(b: Backend) {
    let (port, got) = fake_smtp().await;
    let Some(gf) = setup_cfg(b, |c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into());
        c.smtp_from = Some("Playgate <noreply@example.org>".into());
        c.public_url = Some("https://play.example.org".into());
    })
    .await
    else {
        return;
    };
    gf.sign_up("o@x.org", "oz", "pw").await;
    let q = format!("email=o@x.org&game_id={}&game_token={}", gf.game_id, gf.game_token);
    let r = gf.get(&format!("/games/{}/forget_password?{q}", gf.game_id)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["mailer_response"], "sent");
    let mails = got.lock().expect("lock").clone();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("To: o@x.org"), "{}", mails[0]);
    assert!(mails[0].contains("Subject: Reset your"), "{}", mails[0]);
    let outbox = gf.client_users().outbox(1).await.expect("outbox");
    assert!(outbox[0].sent_at.is_some() && outbox[0].error.is_none());
    assert!(
        outbox[0]
            .body
            .contains("https://play.example.org/api/v3/password_reset?token=gfr_")
    );
    gf.finish().await;
}

/// The operator CLI (`playgate game var`, `store-item`, `service-key`, `route-access`,
/// `game rotate-token`, `outbox list`) acts on the database the server uses, and records its
/// changes in the audit log.
async fn operator_cli(b: Backend) {
    use clap::Parser as _;
    let Some(gf) = setup(b).await else { return };
    let db = gf.srv.config.database_url();
    let dir = gf.srv.config.data_dir.display().to_string();
    let gid = gf.gid();
    // `cli::run` installs the process's log subscriber: keep it silent (tests log nothing).
    let cfg = gf.srv.config.data_dir.join("cli.toml");
    std::fs::write(&cfg, "log = \"off\"\n").expect("config");
    let cfg = cfg.display().to_string();
    let run = |args: &[&str]| {
        let mut argv = vec![
            "playgate",
            "--config",
            cfg.as_str(),
            "--database-url",
            db.as_str(),
            "--data-dir",
            dir.as_str(),
        ];
        argv.extend_from_slice(args);
        playgate_server::cli::run(playgate_server::cli::Cli::parse_from(argv))
    };
    run(&["game", "var", "set", &gid, "wind", "calm"])
        .await
        .expect("var set");
    run(&[
        "store-item",
        "add",
        "--game",
        &gid,
        "--name",
        "Hat",
        "--cost",
        "3",
        "--category",
        "wear",
    ])
    .await
    .expect("store-item add");
    run(&["service-key", "add", &gid, "backend", "--json"])
        .await
        .expect("key");
    run(&["route-access", "set", &gid, "users/{id}/add_score", "--user", "deny"])
        .await
        .expect("route");
    run(&["outbox", "list", "--json"]).await.expect("outbox");
    run(&["game", "list", "--json"]).await.expect("list");
    let q = format!("game_id={}&game_token={}", gf.game_id, gf.game_token);
    let r = gf.get(&format!("/games/verify?{q}")).await;
    assert_eq!(r.json["game_variables"][0]["value"], "calm");
    let r = gf.get(&format!("/games/store_items?{q}")).await;
    assert_eq!(r.json["store_items"][0]["name"], "Hat");
    let g = gf.gamefuse();
    assert_eq!(
        g.service_keys(GameId(gf.game_id)).await.expect("keys")[0].name,
        "backend"
    );
    let up = gf.sign_up("p@x.org", "pat", "pw").await;
    let r = gf
        .user(
            "POST",
            &format!("/users/{}/add_score", id(&up)),
            &token(&up),
            Body::Json(json!({"score": 1})),
        )
        .await;
    assert_text_error(&r, 403);
    run(&["game", "rotate-token", &gid]).await.expect("rotate");
    assert_text_error(&gf.get(&format!("/games/verify?{q}")).await, 404);
    assert!(run(&["store-item", "delete", &gid, "999999"]).await.is_err());
    run(&["game", "var", "delete", &gid, "wind"]).await.expect("var delete");
    run(&["service-key", "delete", &gid, "backend"])
        .await
        .expect("key delete");
    run(&["game", "disable", &gid]).await.expect("disable");
    run(&["game", "enable", &gid]).await.expect("enable");
    run(&["game", "rotate-secret", &gid]).await.expect("rotate secret");
    // Every change is in the audit log under the actor `cli` (newest first), as the admin
    // API and the console record theirs; the refused delete changed nothing and is not.
    let page = gf.srv.admin(ADMIN).get("/admin/v1/audit?actor=cli").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(
        crate::common::actions(&page.json),
        [
            "game.secret_rotated",
            "game.enabled",
            "game.disabled",
            "service_key.deleted",
            "game_variable.deleted",
            "game.secret_rotated",
            "route_access.set",
            "service_key.created",
            "store_item.added",
            "game_variable.set",
        ]
    );
    // `game rotate-token` and `game rotate-secret` rotate the two credentials.
    assert_eq!(page.json["items"][5]["detail"]["credential"], "gamefuse");
    assert_eq!(page.json["items"][0]["detail"]["credential"], "kgen");
    assert!(
        page.json["items"]
            .as_array()
            .is_some_and(|items| items.iter().all(|e| e["actor"] == "cli" && e["game_id"] == gf.game_id))
    );
    gf.finish().await;
}

playgate_store::on_both_backends!(
    sign_in_upgrades_old_password_hashes,
    events_counted_per_call_and_kept_at_shutdown,
    operator_cli,
    forgot_password_by_smtp,
    concurrent_sign_ins,
    sign_in_rate_limit,
    sign_in_golden_seed_003,
    sign_up_variants_and_errors,
    sign_in_errors_and_token_forms,
    games_and_disabled_game,
    attributes,
    credits_score_and_store,
    leaderboards,
    tenant_isolation,
    service_keys_and_admin_api,
    test_suite,
    test_suite_and_admin_api_absent_without_their_keys,
    forgot_password,
    sign_in_actions_are_audited,
    cors_and_bad_bodies,
);
