//! Operators of the admin API over HTTP: personal tokens next to the configured admin
//! token, roles (a viewer reads, an admin changes), disabled and rotated tokens refused at
//! once, and the admin API existing as soon as an operator does even without an
//! `admin_token`; the audit log of their changes (`GET /admin/v1/audit`) and its pruning.

use crate::common::{self, Backend, TestServer, spawn_with};
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
    let mut req = srv
        .http
        .request(verb, format!("{}{path}", srv.base))
        .header("user-agent", "ops-script/1");
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.expect("send");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.expect("body");
    common::openapi::assert_documented(method, path, status, &headers, &text);
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
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

/// Every admin change is in the audit log under the operator's name (`config` for the
/// configured token), with the request's address, user agent and what changed; the log
/// filters and pages, viewers may read it, and only admins see the operators.
async fn admin_changes_are_audited(b: Backend) {
    let Some(srv) = spawn_with(b, |c| c.admin_token = Some(ADMIN.into())).await else {
        return;
    };
    let ops = operators(&srv).await;
    let (_, ada) = ops.create("ada", Role::Admin).await.expect("admin");
    let (_, vic) = ops.create("vic", Role::Viewer).await.expect("viewer");
    let (ada, vic) = (ada.expose(), vic.expose());
    three_changes_and_a_refusal(&srv, ada, vic).await;
    the_audit_log_shows_the_changes(&srv, vic).await;
    the_audit_log_filters_and_pages(&srv, ada).await;
    let (status, e) = call(&srv, "GET", "/admin/v1/operators", Some(vic), None).await;
    assert_eq!((status, e["error"].as_str()), (403, Some("forbidden")), "{e}");
    let (status, list) = call(&srv, "GET", "/admin/v1/operators", Some(ada), None).await;
    assert_eq!(status, 200, "{list}");
    let names: Vec<&str> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert_eq!(names, ["ada", "vic"]);
    assert!(!list.to_string().contains("pgo_"), "no token is ever listed: {list}");
    srv.finish().await;
}

/// Ada sets a variable, the configured token deletes it, Ada adds a service key; Vic's
/// change is refused.
async fn three_changes_and_a_refusal(srv: &TestServer, ada: &str, vic: &str) {
    let gid = srv.game.game.id.0;
    let set = format!("{}/wind", vars(srv));
    assert_eq!(
        call(srv, "PUT", &set, Some(ada), Some(json!({"value": "calm"})))
            .await
            .0,
        200
    );
    assert_eq!(call(srv, "DELETE", &set, Some(ADMIN), None).await.0, 200);
    let keys = format!("/admin/gamefuse/games/{gid}/service_keys");
    assert_eq!(
        call(srv, "POST", &keys, Some(ada), Some(json!({"name": "bot"})))
            .await
            .0,
        201
    );
    // Refused changes are not recorded as changes.
    assert_eq!(
        call(srv, "PUT", &set, Some(vic), Some(json!({"value": "x"}))).await.0,
        403
    );
}

/// A viewer reads the three changes, newest first, each with its operator, game, subject,
/// address, user agent, what changed and when.
async fn the_audit_log_shows_the_changes(srv: &TestServer, vic: &str) {
    let (status, page) = call(srv, "GET", "/admin/v1/audit", Some(vic), None).await;
    assert_eq!(status, 200, "{page}");
    let items = page["items"].as_array().expect("items");
    let actions: Vec<&str> = items.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(
        actions,
        ["service_key.created", "game_variable.deleted", "game_variable.set"]
    );
    assert_eq!(page["next_cursor"], Value::Null);
    let set_event = &items[2];
    assert_eq!(set_event["actor"], "operator:ada");
    assert_eq!(set_event["game_id"], srv.game.game.id.0);
    assert_eq!(set_event["subject"], "game_variable:wind");
    assert_eq!(set_event["ip"], "127.0.0.1");
    assert_eq!(set_event["user_agent"], "ops-script/1");
    assert_eq!(set_event["detail"]["after"]["value"], "calm");
    assert!(
        set_event["at"].as_str().is_some_and(|t| t.starts_with("2026-01-01T")),
        "{set_event}"
    );
    assert_eq!(items[1]["actor"], "operator:config");
}

/// Filters by actor, action (a prefix too), subject and time; pages; bad queries name
/// their field.
async fn the_audit_log_filters_and_pages(srv: &TestServer, ada: &str) {
    let count = async |query: &str| {
        let (status, page) = call(srv, "GET", &format!("/admin/v1/audit?{query}"), Some(ada), None).await;
        assert_eq!(status, 200, "{query}: {page}");
        page["items"].as_array().map_or(0, Vec::len)
    };
    assert_eq!(count("actor=operator:ada").await, 2);
    assert_eq!(count("action=game_variable.").await, 2);
    assert_eq!(count("action=game_variable.set").await, 1);
    assert_eq!(count("subject=service_key:bot").await, 1);
    assert_eq!(count("since=2026-01-01T00:00:00Z&until=2026-01-02T00:00:00Z").await, 3);
    assert_eq!(count("until=1767225600").await, 0);
    let (_, first) = call(srv, "GET", "/admin/v1/audit?limit=2", Some(ADMIN), None).await;
    let cursor = first["next_cursor"].as_str().expect("a cursor").to_owned();
    let (_, rest) = call(
        srv,
        "GET",
        &format!("/admin/v1/audit?limit=2&cursor={cursor}"),
        Some(ADMIN),
        None,
    )
    .await;
    assert_eq!(rest["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(rest["items"][0]["action"], "game_variable.set");
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("since=yesterday", "since"),
        ("game=x", "game"),
    ] {
        let (status, e) = call(srv, "GET", &format!("/admin/v1/audit?{query}"), Some(ADMIN), None).await;
        assert_eq!((status, e["field"].as_str()), (400, Some(field)), "{query}: {e}");
    }
}

/// Events past `audit_retention_days` are deleted by the pruning job.
async fn old_audit_events_are_pruned(b: Backend) {
    let Some(srv) = spawn_with(b, |c| {
        c.admin_token = Some(ADMIN.into());
        c.audit_retention_days = 1;
        c.audit_prune_secs = 1;
    })
    .await
    else {
        return;
    };
    let set = format!("{}/wind", vars(&srv));
    assert_eq!(
        call(&srv, "PUT", &set, Some(ADMIN), Some(json!({"value": "calm"})))
            .await
            .0,
        200
    );
    let events = || async {
        let (_, page) = call(&srv, "GET", "/admin/v1/audit", Some(ADMIN), None).await;
        page["items"].as_array().map_or(0, Vec::len)
    };
    assert_eq!(events().await, 1);
    srv.advance(std::time::Duration::from_secs(2 * 24 * 3600));
    let mut left = events().await;
    for _ in 0..100 {
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        left = events().await;
    }
    assert_eq!(left, 0, "the event past the retention is deleted");
    srv.finish().await;
}

/// The operator commands of the CLI are audited too, under the actor `cli`.
async fn cli_changes_are_audited(b: Backend) {
    use playgate_server::operators_cli::{OperatorCommand, operator_command};
    let Some(srv) = spawn_with(b, |c| c.admin_token = Some(ADMIN.into())).await else {
        return;
    };
    let store = startup::open_store(&srv.config).await.expect("store");
    let ops = Operators::new(store.clone(), srv.clock.clone());
    let audit = playgate_core::audit::Audit::new(store.clone(), srv.clock.clone());
    let console = playgate_core::console::Console::new(store, srv.running.core.clone());
    let create = OperatorCommand::Create {
        name: "bot".into(),
        role: "viewer".into(),
        console: false,
        password_stdin: false,
        json: true,
    };
    operator_command(&ops, &audit, &console, create).await.expect("create");
    let disable = OperatorCommand::Disable { name: "bot".into() };
    operator_command(&ops, &audit, &console, disable)
        .await
        .expect("disable");
    let (status, page) = call(&srv, "GET", "/admin/v1/audit?actor=cli", Some(ADMIN), None).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(common::actions(&page), ["operator.disabled", "operator.created"]);
    assert_eq!(page["items"][0]["subject"], "operator:bot");
    assert_eq!(page["items"][0]["detail"]["after"]["enabled"], false);
    srv.finish().await;
}

playgate_store::on_both_backends!(
    cli_changes_are_audited,
    admin_changes_are_audited,
    old_audit_events_are_pruned,
    viewers_read_and_admins_change,
    disabled_and_rotated_tokens_are_refused_at_once,
    operators_alone_open_the_admin_api,
    wrong_operator_tokens_count_as_failures,
);
