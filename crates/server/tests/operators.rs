//! Operators of the admin API over HTTP: personal tokens next to the configured admin
//! token, roles (a viewer reads, an admin changes), disabled and rotated tokens refused at
//! once, and the admin API existing as soon as an operator does even without an
//! `admin_token`.

mod common;

use common::{Backend, TestServer, spawn_with};
use playgate_core::crypto::Secret;
use playgate_core::operators::{Operators, Role};
use playgate_server::startup;
use serde_json::{Value, json};

const ADMIN: &str = "admin-token-0123456789";

/// The operators service on the server's database, as `playgate operator …` uses it.
async fn operators(srv: &TestServer) -> Operators {
    let store = startup::open_store(&srv.config).await.expect("store");
    Operators::new(store, srv.clock.clone())
}

/// `(status, body)` of a call with `token`.
async fn call(srv: &TestServer, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
    let verb = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = srv.http.request(verb, format!("{}{path}", srv.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.expect("send");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn vars(srv: &TestServer) -> String {
    format!("/admin/gamefuse/games/{}/variables", srv.game.game.id.0)
}

async fn viewers_read_and_admins_change(b: Backend) {
    let Some(srv) = spawn_with(b, |c| c.admin_token = Some(ADMIN.into())).await else {
        return;
    };
    let ops = operators(&srv).await;
    let (_, admin) = ops.create("ada", Role::Admin).await.expect("admin");
    let (_, viewer) = ops.create("vic", Role::Viewer).await.expect("viewer");
    let set = format!("{}/wind", vars(&srv));
    let change = || Some(json!({"value": "calm"}));

    // The configured token still works, as the operator `config`.
    assert_eq!(call(&srv, "PUT", &set, Some(ADMIN), change()).await.0, 200);
    assert_eq!(call(&srv, "PUT", &set, Some(admin.expose()), change()).await.0, 200);
    let (status, list) = call(&srv, "GET", &vars(&srv), Some(viewer.expose()), None).await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["value"], "calm");

    let (status, e) = call(&srv, "PUT", &set, Some(viewer.expose()), change()).await;
    assert_eq!((status, e["error"].as_str()), (403, Some("forbidden")), "{e}");
    let (status, e) = call(
        &srv,
        "POST",
        "/admin/accounts",
        Some(viewer.expose()),
        Some(json!({"userName": "x", "password": "long enough password", "email": "x@example.org"})),
    )
    .await;
    assert_eq!((status, e["error"].as_str()), (403, Some("forbidden")), "{e}");
    for wrong in ["pgo_not-a-token", "", "admin-token-012345678"] {
        let (status, e) = call(&srv, "GET", &vars(&srv), Some(wrong), None).await;
        assert_eq!(
            (status, e["error"].as_str()),
            (401, Some("unauthorized")),
            "{wrong}: {e}"
        );
    }
    assert_eq!(call(&srv, "GET", &vars(&srv), None, None).await.0, 401);
    srv.finish().await;
}

async fn disabled_and_rotated_tokens_are_refused_at_once(b: Backend) {
    let Some(srv) = spawn_with(b, |c| c.admin_token = Some(ADMIN.into())).await else {
        return;
    };
    let ops = operators(&srv).await;
    let (_, token) = ops.create("ada", Role::Admin).await.expect("admin");
    let get = |t: Secret| {
        let (srv, path) = (&srv, vars(&srv));
        async move { call(srv, "GET", &path, Some(t.expose()), None).await.0 }
    };
    assert_eq!(get(token.clone()).await, 200);
    ops.set_enabled("ada", false).await.expect("disable");
    assert_eq!(get(token.clone()).await, 401);
    ops.set_enabled("ada", true).await.expect("enable");
    assert_eq!(get(token.clone()).await, 200);
    let (_, new) = ops.rotate_token("ada").await.expect("rotate");
    assert_eq!(get(token).await, 401, "the old token ends with the rotation");
    assert_eq!(get(new).await, 200);
    let listed = ops.list().await.expect("list");
    assert!(listed[0].last_used_at.is_some(), "use is recorded");
    srv.finish().await;
}

/// Without an `admin_token` the admin API does not exist (404) until an operator is made;
/// then operator tokens work and other requests get 401.
async fn operators_alone_open_the_admin_api(b: Backend) {
    let Some(srv) = spawn_with(b, |c| c.admin_token = None).await else {
        return;
    };
    let (status, e) = call(&srv, "GET", &vars(&srv), Some(ADMIN), None).await;
    assert_eq!((status, e["error"].as_str()), (404, Some("not_found")), "{e}");
    let ops = operators(&srv).await;
    let (_, token) = ops.create("ada", Role::Admin).await.expect("admin");
    assert_eq!(call(&srv, "GET", &vars(&srv), Some(token.expose()), None).await.0, 200);
    assert_eq!(call(&srv, "GET", &vars(&srv), Some(ADMIN), None).await.0, 401);
    srv.finish().await;
}

/// An operator's own token counts toward the per-address credential limit like the
/// configured one: wrong operator tokens lock the address out.
async fn wrong_operator_tokens_count_as_failures(b: Backend) {
    let Some(srv) = spawn_with(b, |c| {
        c.admin_token = None;
        c.auth_failure_limit = 2;
    })
    .await
    else {
        return;
    };
    let ops = operators(&srv).await;
    let (_, token) = ops.create("ada", Role::Viewer).await.expect("viewer");
    for _ in 0..2 {
        assert_eq!(call(&srv, "GET", &vars(&srv), Some("pgo_wrong"), None).await.0, 401);
    }
    assert_eq!(call(&srv, "GET", &vars(&srv), Some("pgo_wrong"), None).await.0, 429);
    assert_eq!(call(&srv, "GET", &vars(&srv), Some(token.expose()), None).await.0, 429);
    srv.finish().await;
}

on_both_backends!(
    viewers_read_and_admins_change,
    disabled_and_rotated_tokens_are_refused_at_once,
    operators_alone_open_the_admin_api,
    wrong_operator_tokens_count_as_failures,
);
