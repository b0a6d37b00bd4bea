//! `GET /admin/v1/stats`: counts, and per-minute series counted on the hot paths and added
//! up over the nodes sharing the database; minutes past a day are pruned.

use std::time::Duration;

use serde_json::{Value, json};

use super::{ADMIN, viewer};
use crate::common::{Backend, TestServer, spawn_with};

/// `(minute, count)` of a series.
fn series(stats: &Value, name: &str) -> Vec<(String, i64)> {
    stats["series"][name]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            (
                m["minute"].as_str().unwrap_or_default().to_owned(),
                m["count"].as_i64().unwrap_or_default(),
            )
        })
        .collect()
}

async fn i3d_login(srv: &TestServer, key: &str, password: &str) -> u16 {
    srv.i3d(key)
        .call(
            "POST",
            "/v3/session/login",
            Some(&json!({"userName": "ann", "password": password}).to_string()),
        )
        .await
        .status
}

async fn stats_count_the_hot_paths(b: Backend) {
    let Some(srv) = spawn_with(b, |c| {
        c.admin_token = Some(ADMIN.into());
        c.stats_flush_ms = 0;
        c.login_failure_limit = 2;
    })
    .await
    else {
        return;
    };
    let vic = viewer(&srv).await;
    assert_eq!(srv.admin("pgo_wrong").get("/admin/v1/stats").await.status, 401);

    // Two new KGeN sessions, one returned again (not new), one refresh.
    srv.open(r#"{"user_id": "p1"}"#).await;
    srv.open(r#"{"user_id": "p2"}"#).await;
    let s = srv.open(r#"{"user_id": "p1"}"#).await;
    let r = srv.kgen().refresh(s["refresh_token"].as_str().expect("refresh")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // A GameFuse sign-up (a new session) and a refused sign-in.
    let gf = srv.gamefuse();
    assert_eq!(gf.sign_up("gf@example.org", "gf", "password-1").await.status, 200);
    assert_eq!(gf.sign_in("gf@example.org", "wrong-password").await.status, 404);
    // i3D: one login, two wrong passwords, then a lock-out.
    srv.i3d_account("ann", "password-1").await;
    let key = srv.i3d_key().await;
    assert_eq!(i3d_login(&srv, &key, "password-1").await, 200);
    let other = srv.i3d_key().await;
    for want in [401, 401, 429] {
        assert_eq!(i3d_login(&srv, &other, "wrong").await, want);
    }
    srv.running.stats.flush().await.expect("flush");

    let r = srv.admin(&vic).get("/admin/v1/stats").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json["counts"],
        json!({"games": 1, "players": 3, "accounts": 1, "active_sessions": 3})
    );
    let at = "2026-01-01T00:00:00Z".to_owned();
    for (name, count) in [
        ("sessions_opened", 3),
        ("refreshes", 1),
        ("logins_succeeded", 1),
        ("logins_failed", 3),
        ("lockouts", 1),
    ] {
        assert_eq!(series(&r.json, name), [(at.clone(), count)], "{name}");
    }

    // Another node adds to the same minute; a later minute is a point of its own.
    let peer = srv.peer().await;
    peer.open(r#"{"user_id": "p3"}"#).await;
    srv.open(r#"{"user_id": "p4"}"#).await;
    peer.running.stats.flush().await.expect("flush");
    srv.running.stats.flush().await.expect("flush");
    srv.advance(Duration::from_secs(125));
    srv.open(r#"{"user_id": "p5"}"#).await;
    srv.running.stats.flush().await.expect("flush");
    let r = srv.admin(ADMIN).get("/admin/v1/stats").await;
    assert_eq!(
        series(&r.json, "sessions_opened"),
        [(at.clone(), 5), ("2026-01-01T00:02:00Z".to_owned(), 1)]
    );

    // A day later the old minutes are gone.
    srv.advance(Duration::from_secs(25 * 3600));
    srv.open(r#"{"user_id": "p6"}"#).await;
    srv.running.stats.flush().await.expect("flush");
    let r = srv.admin(ADMIN).get("/admin/v1/stats").await;
    assert_eq!(
        series(&r.json, "sessions_opened"),
        [("2026-01-02T01:02:00Z".to_owned(), 1)]
    );
    assert_eq!(series(&r.json, "refreshes"), []);
    assert_eq!(srv.db_count("SELECT COUNT(*) FROM stats_minutes").await, 1);
    peer.running.stop().await.expect("stop peer");
    srv.finish().await;
}

playgate_store::on_both_backends!(stats_count_the_hot_paths);
