//! The SQL statements of each hot request, pinned: a change that adds a round trip to a
//! hot path fails here before it shows in a benchmark. Counted by
//! [`crate::common::statements`] over `N` requests of each kind (on PostgreSQL a
//! transaction's `BEGIN` and `COMMIT` count; on SQLite the writer thread's group commit is
//! shared by many requests and its statements are not seen by the test's counter, so the
//! SQLite figures are the reads and what runs outside the writer).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

use crate::common::kgen::{Kgen, token};
use crate::common::statements::for_counting;
use crate::common::{Backend, TestServer, spawn_with};

/// Requests of each kind counted.
const N: usize = 20;

/// Statements per request, by kind, on (SQLite, PostgreSQL).
const PINNED: [(&str, usize, usize); 6] = [
    ("s2s-new", 1, 2),
    ("s2s-existing", 1, 1),
    ("s2s-verify", 1, 1),
    ("s2s-refresh", 1, 1),
    ("i3d-user", 1, 1),
    ("gf-read", 8, 2),
];

/// The statements `N` runs of `request` sent, per run; the count must be the same for
/// each.
async fn per_request<F: Future<Output = ()>>(counter: &AtomicUsize, mut request: impl FnMut(usize) -> F) -> usize {
    let before = counter.load(Ordering::SeqCst);
    for i in 0..N {
        request(i).await;
    }
    let total = counter.load(Ordering::SeqCst) - before;
    assert_eq!(
        total % N,
        0,
        "{total} statements for {N} requests: not the same for each"
    );
    total / N
}

fn ok(r: &crate::common::Resp) -> &Value {
    assert_eq!(r.status, 200, "{}", r.text);
    &r.json
}

async fn open(k: &Kgen<'_>, user: String) -> Value {
    let body = json!({ "user_id": user }).to_string();
    ok(&k.open(&body).await).clone()
}

async fn s2s(srv: &TestServer, counter: &AtomicUsize) -> Vec<(&'static str, usize)> {
    let k = &srv.kgen();
    let new = per_request(counter, |i| async move {
        open(k, format!("new-{i}")).await;
    })
    .await;
    let existing = per_request(counter, |i| async move {
        open(k, format!("new-{i}")).await;
    })
    .await;
    let mut sessions = Vec::new();
    for i in 0..N {
        sessions.push(open(k, format!("new-{i}")).await);
    }
    let verify = per_request(counter, |i| {
        let access = token(&sessions[i], "access_token").to_owned();
        async move {
            assert_eq!(ok(&k.verify(&access).await)["valid"], true);
        }
    })
    .await;
    let refresh = per_request(counter, |i| {
        let refresh = token(&sessions[i], "refresh_token").to_owned();
        async move {
            ok(&k.refresh(&refresh).await);
        }
    })
    .await;
    vec![
        ("s2s-new", new),
        ("s2s-existing", existing),
        ("s2s-verify", verify),
        ("s2s-refresh", refresh),
    ]
}

async fn i3d_user(srv: &TestServer, counter: &AtomicUsize) -> usize {
    srv.i3d_account("reader", "a long password").await;
    let key = srv.i3d_key().await;
    let i3d = srv.i3d(&key);
    assert_eq!(i3d.login("reader", "a long password").await.status, 200);
    per_request(counter, |_| {
        let i3d = &i3d;
        async move {
            ok(&i3d.user().await);
        }
    })
    .await
}

async fn gf_read(srv: &TestServer, counter: &AtomicUsize) -> usize {
    let gf = srv.gamefuse();
    let up = gf.sign_up("reader@example.org", "reader", "pw").await;
    let (id, t) = (
        up.json["id"].as_i64().expect("id"),
        up.json["authentication_token"].as_str().expect("token").to_owned(),
    );
    let gf = gf.signed_in(&t);
    per_request(counter, |_| {
        let gf = &gf;
        async move {
            ok(&gf.call("GET", &format!("/users/{id}"), None).await);
        }
    })
    .await
}

async fn hot_requests_have_pinned_statement_counts(b: Backend, counter: Arc<AtomicUsize>) {
    let Some(srv) = spawn_with(b, for_counting).await else {
        return;
    };
    let mut seen = s2s(&srv, &counter).await;
    seen.push(("i3d-user", i3d_user(&srv, &counter).await));
    seen.push(("gf-read", gf_read(&srv, &counter).await));
    println!("{b:?}: statements per request: {seen:?}");
    let pinned: Vec<(&str, usize)> = PINNED
        .iter()
        .map(|&(name, lite, pg)| (name, if b == Backend::Postgres { pg } else { lite }))
        .collect();
    assert_eq!(seen, pinned);
    srv.finish().await;
}

playgate_store::on_both_backends!(crate::common::statements::counted => hot_requests_have_pinned_statement_counts);
