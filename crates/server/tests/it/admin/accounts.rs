//! `/admin/v1/accounts`: search, show, change (disabling ends the logins), reset 2FA, set a
//! password, API keys (revoked at once), links, and "log out everywhere" ending the i3D
//! logins and the KGeN and GameFuse sessions of the linked players; roles and audit events.

use serde_json::json;

use super::{ADMIN, viewer};
use crate::common::{Backend, Resp, TestServer, actions, spawn_with};

async fn i3d_login(srv: &TestServer, key: &str, user: &str, password: &str) -> Resp {
    srv.i3d(key)
        .call(
            "POST",
            "/v3/session/login",
            Some(&json!({"userName": user, "password": password}).to_string()),
        )
        .await
}

/// The internal id of the player `user_id` of the test game.
async fn player_id(srv: &TestServer, user_id: &str) -> i64 {
    srv.db_count(&format!(
        "SELECT id FROM players WHERE game_id = {} AND user_id = '{user_id}'",
        srv.game.game.id.0
    ))
    .await
}

/// The user names of a page of accounts.
fn names(r: &Resp) -> Vec<String> {
    r.json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["user_name"].as_str().map(str::to_owned))
        .collect()
}

/// A server with a viewer (`vic`) and the accounts ann, annette and bob; `path` is Ann's
/// resource.
struct Accounts {
    srv: TestServer,
    vic: String,
    ann: i64,
    bob: i64,
    path: String,
}

/// Accounts searched, shown, changed, disabled, their 2FA reset, their password set, their
/// API keys revoked by admins (viewers read only); every change audited.
async fn accounts_are_searched_and_changed_by_admins(b: Backend) {
    let Some(srv) = spawn_with(b, |c| c.admin_token = Some(ADMIN.into())).await else {
        return;
    };
    let vic = viewer(&srv).await;
    let ann = srv.i3d_account("ann", "password-1").await.id.0;
    srv.i3d_account("annette", "password-1").await;
    let bob = srv.i3d_account("bob", "password-1").await.id.0;
    let a = Accounts {
        srv,
        vic,
        ann,
        bob,
        path: format!("/admin/v1/accounts/{ann}"),
    };
    accounts_searched_and_paged(&a).await;
    account_shown_and_changed(&a).await;
    let key = account_disabled_and_enabled(&a).await;
    account_2fa_reset(&a).await;
    account_password_set(&a, &key).await;
    let key_id = account_api_keys_revoked(&a, &key).await;
    account_changes_audited(&a, key_id).await;
    a.srv.finish().await;
}

/// Search by name (any case), e-mail or id, `%` matching nothing; pages; bad queries; no
/// hash shown.
async fn accounts_searched_and_paged(a: &Accounts) {
    let admin = a.srv.admin(ADMIN);
    let r = a.srv.admin(&a.vic).get("/admin/v1/accounts?q=ANN").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(names(&r), ["ann", "annette"]);
    assert_eq!(names(&admin.get("/admin/v1/accounts?q=bob@ex").await), ["bob"]);
    let bob = a.bob;
    assert_eq!(names(&admin.get(&format!("/admin/v1/accounts?q={bob}")).await), ["bob"]);
    assert_eq!(
        names(&admin.get("/admin/v1/accounts?q=%25").await),
        Vec::<String>::new()
    );
    let first = admin.get("/admin/v1/accounts?limit=2").await;
    assert_eq!(names(&first), ["ann", "annette"]);
    let cursor = first.json["next_cursor"].as_str().expect("cursor").to_owned();
    let rest = admin.get(&format!("/admin/v1/accounts?limit=2&cursor={cursor}")).await;
    assert_eq!(
        (names(&rest), rest.json["next_cursor"].clone()),
        (vec!["bob".to_owned()], serde_json::Value::Null)
    );
    for (q, field) in [("limit=0", "limit"), ("limit=9999", "limit"), ("cursor=x", "cursor")] {
        let r = admin.get(&format!("/admin/v1/accounts?{q}")).await;
        assert_eq!((r.status, r.json["field"].as_str()), (400, Some(field)), "{q}");
    }
    assert!(!first.text.contains("argon2"), "no hash is shown");
}

/// Shown by name; changed by admins only; bad values name their field; a trial cleared.
async fn account_shown_and_changed(a: &Accounts) {
    let (srv, admin, path) = (&a.srv, a.srv.admin(ADMIN), &a.path);
    let by_name = srv.admin(&a.vic).get("/admin/v1/accounts/ANN").await;
    assert_eq!((by_name.status, by_name.json["id"].as_i64()), (200, Some(a.ann)));
    assert_eq!(admin.get("/admin/v1/accounts/nobody").await.status, 404);

    let change = r#"{"first_name": "Ann", "last_name": "Lee", "phone": "+31 6 1234", "access_level": 20, "trial_expires_at": "2026-02-01T00:00:00Z"}"#;
    assert_eq!(srv.admin(&a.vic).call("PATCH", path, Some(change)).await.status, 403);
    assert_eq!(
        srv.admin("pgo_wrong").call("PATCH", path, Some(change)).await.status,
        401
    );
    let r = admin.call("PATCH", path, Some(change)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.json["first_name"].as_str(), r.json["access_level"].as_i64()),
        (Some("Ann"), Some(20))
    );
    assert_eq!(r.json["trial_expires_at"], "2026-02-01T00:00:00Z");
    assert_eq!(names(&admin.get("/admin/v1/accounts?q=lee").await), ["ann"]);
    let refused = [
        (r#"{"access_level": 5}"#, "access_level"),
        (r#"{"email": "nope"}"#, "email"),
        (r#"{"trial_expires_at": "soon"}"#, "trial_expires_at"),
        (r#"{"first_name": 7}"#, "first_name"),
    ];
    admin.assert_refused_fields("PATCH", path, &refused).await;
    let r = admin.call("PATCH", path, Some(r#"{"trial_expires_at": null}"#)).await;
    assert_eq!(r.json["trial_expires_at"], serde_json::Value::Null);
}

/// Disabling ends the account's login at once and refuses new ones; enabled, it logs in.
/// The API key Ann is logged in on.
async fn account_disabled_and_enabled(a: &Accounts) -> String {
    let (srv, admin, path) = (&a.srv, a.srv.admin(ADMIN), &a.path);
    let key = srv.i3d_key().await;
    assert_eq!(i3d_login(srv, &key, "ann", "password-1").await.status, 200);
    assert_eq!(srv.i3d(&key).user().await.status, 200);
    let r = admin.call("PATCH", path, Some(r#"{"enabled": false}"#)).await;
    assert_eq!(
        (r.status, r.json["enabled"].as_bool()),
        (200, Some(false)),
        "{}",
        r.text
    );
    assert_eq!(srv.i3d(&key).user().await.status, 404);
    assert_eq!(i3d_login(srv, &key, "ann", "password-1").await.status, 401);
    assert_eq!(
        admin.call("PATCH", path, Some(r#"{"enabled": true}"#)).await.status,
        200
    );
    assert_eq!(i3d_login(srv, &key, "ann", "password-1").await.status, 200);
    key
}

/// 2FA reset: the secret and recovery codes go, the password alone logs in.
async fn account_2fa_reset(a: &Accounts) {
    let (srv, admin, path, ann) = (&a.srv, a.srv.admin(ADMIN), &a.path, a.ann);
    srv.db_exec(&format!(
        "UPDATE accounts SET totp_enabled = TRUE WHERE id = {ann}; \
         INSERT INTO recovery_codes (account_id, code_hash) VALUES ({ann}, 'h')"
    ))
    .await;
    assert_eq!(
        srv.admin(&a.vic).post(&format!("{path}/reset-2fa"), "").await.status,
        403
    );
    let r = admin.post(&format!("{path}/reset-2fa"), "").await;
    assert_eq!(
        (r.status, r.json["totp_enabled"].as_bool()),
        (200, Some(false)),
        "{}",
        r.text
    );
    assert_eq!(
        srv.db_count(&format!("SELECT COUNT(*) FROM recovery_codes WHERE account_id = {ann}"))
            .await,
        0
    );
}

/// A new password: the policy of account creation; the old one and the logins end.
async fn account_password_set(a: &Accounts, key: &str) {
    let (srv, admin) = (&a.srv, a.srv.admin(ADMIN));
    let pw = format!("{}/password", a.path);
    for body in ["{}", r#"{"password": "short"}"#] {
        let r = admin.post(&pw, body).await;
        assert_eq!((r.status, r.json["field"].as_str()), (400, Some("password")), "{body}");
    }
    assert_eq!(
        srv.admin(&a.vic)
            .post(&pw, r#"{"password": "new-password-1"}"#)
            .await
            .status,
        403
    );
    assert_eq!(admin.post(&pw, r#"{"password": "new-password-1"}"#).await.status, 200);
    assert_eq!(srv.i3d(key).user().await.status, 404);
    assert_eq!(i3d_login(srv, key, "ann", "password-1").await.status, 401);
    assert_eq!(i3d_login(srv, key, "ann", "new-password-1").await.status, 200);
}

/// Its API keys (never the key itself); a revoked key stops at once. The key's id.
async fn account_api_keys_revoked(a: &Accounts, key: &str) -> i64 {
    let (srv, admin, path) = (&a.srv, a.srv.admin(ADMIN), &a.path);
    let keys = srv.admin(&a.vic).get(&format!("{path}/api-keys")).await;
    assert_eq!(keys.status, 200, "{}", keys.text);
    let key_id = keys.json["items"][0]["id"].as_i64().expect("key id");
    assert!(keys.json["items"][0]["last_login_at"].is_string());
    assert!(!keys.text.contains(key), "the key itself is never shown");
    let revoke = format!("{path}/api-keys/{key_id}");
    assert_eq!(srv.admin(&a.vic).delete(&revoke).await.status, 403);
    let bob = a.bob;
    assert_eq!(
        admin
            .delete(&format!("/admin/v1/accounts/{bob}/api-keys/{key_id}"))
            .await
            .status,
        404
    );
    assert_eq!(admin.delete(&revoke).await.status, 200);
    assert_eq!(i3d_login(srv, key, "ann", "new-password-1").await.status, 401);
    assert_eq!(admin.delete(&revoke).await.status, 404);
    assert_eq!(admin.delete(&format!("{path}/api-keys/x")).await.status, 404);
    assert_eq!(admin.get(&format!("{path}/api-keys")).await.json["items"], json!([]));
    key_id
}

/// Every change is audited, by the operator, about the account (the revocation about the
/// key).
async fn account_changes_audited(a: &Accounts, key_id: i64) {
    let admin = a.srv.admin(ADMIN);
    let ann = a.ann;
    let events = admin
        .get(&format!("/admin/v1/audit?subject=account:{ann}&actor=operator:config"))
        .await;
    assert_eq!(
        actions(&events.json),
        [
            "account.password_set",
            "account.2fa_reset",
            "account.enabled",
            "account.disabled",
            "account.updated",
            "account.updated",
        ]
    );
    assert_eq!(events.json["items"][3]["detail"]["after"]["enabled"], false);
    let first = &events.json["items"][5]["detail"];
    assert_eq!(
        (
            first["before"]["access_level"].as_i64(),
            first["after"]["access_level"].as_i64()
        ),
        (Some(10), Some(20))
    );
    let revoked = admin.get(&format!("/admin/v1/audit?subject=api_key:{key_id}")).await;
    assert_eq!(actions(&revoked.json), ["api_key.revoked"]);
    assert_eq!(revoked.json["items"][0]["actor"], "operator:config");
}

/// "Log out everywhere" ends the account's i3D logins and the KGeN and GameFuse sessions of
/// the players linked to it; other players' sessions stay.
async fn log_out_everywhere(b: Backend) {
    let Some(srv) = spawn_with(b, |c| c.admin_token = Some(ADMIN.into())).await else {
        return;
    };
    let vic = viewer(&srv).await;
    let admin = srv.admin(ADMIN);
    let ann = srv.i3d_account("ann", "password-1").await.id.0;
    let key = srv.i3d_key().await;
    assert_eq!(i3d_login(&srv, &key, "ann", "password-1").await.status, 200);
    let linked = srv.open(r#"{"user_id": "p-linked"}"#).await;
    let other = srv.open(r#"{"user_id": "p-other"}"#).await;
    let up = srv.gamefuse().sign_up("gf@example.org", "gf", "password-1").await;
    assert_eq!(up.status, 200, "{}", up.text);
    let gf_player = up.json["id"].as_i64().expect("id");
    let gf_token = up.json["authentication_token"].as_str().expect("token").to_owned();
    let p = player_id(&srv, "p-linked").await;
    srv.db_exec(&format!(
        "INSERT INTO player_links (player_id, account_id, linked_at) VALUES ({p}, {ann}, 1); \
         INSERT INTO player_links (player_id, account_id, linked_at) VALUES ({gf_player}, {ann}, 2)"
    ))
    .await;

    let links = srv.admin(&vic).get(&format!("/admin/v1/accounts/{ann}/links")).await;
    assert_eq!(links.status, 200, "{}", links.text);
    assert_eq!(links.json["items"][0]["user_id"], "p-linked");
    assert_eq!(links.json["items"][0]["game_id"], srv.game.game.id.0);
    assert_eq!(links.json["items"].as_array().map(Vec::len), Some(2));

    let end = format!("/admin/v1/accounts/{ann}/sessions/end-all");
    assert_eq!(srv.admin(&vic).post(&end, "").await.status, 403);
    let r = admin.post(&end, "").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.json["logins_ended"].as_i64(), r.json["sessions_ended"].as_i64()),
        (Some(1), Some(2))
    );

    assert_eq!(srv.i3d(&key).user().await.status, 404);
    let access = |v: &serde_json::Value| v["access_token"].as_str().expect("access").to_owned();
    let r = srv.kgen().verify(&access(&linked)).await;
    assert_eq!(r.json, json!({"valid": false, "reason": "session_ended"}), "{}", r.text);
    assert_eq!(srv.kgen().verify(&access(&other)).await.json["valid"], true);
    let refresh = srv
        .kgen()
        .refresh(linked["refresh_token"].as_str().expect("refresh"))
        .await;
    assert_eq!(refresh.status, 401, "{}", refresh.text);
    let me = format!("/users/{gf_player}");
    assert_eq!(
        srv.gamefuse().signed_in(&gf_token).call("GET", &me, None).await.status,
        401
    );

    let events = admin
        .get(&format!("/admin/v1/audit?subject=account:{ann}&actor=operator:config"))
        .await;
    assert_eq!(actions(&events.json), ["account.sessions_ended"]);
    assert_eq!(events.json["items"][0]["detail"]["sessions_ended"], 2);
    assert_eq!(
        admin
            .post("/admin/v1/accounts/nobody/sessions/end-all", "")
            .await
            .status,
        404
    );
    assert_eq!(admin.get("/admin/v1/accounts/nobody/links").await.status, 404);
    srv.finish().await;
}

playgate_store::on_both_backends!(accounts_are_searched_and_changed_by_admins, log_out_everywhere);
