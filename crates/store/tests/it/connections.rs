//! The store's connections: many reads at once on PostgreSQL's few shared read connections,
//! and a read connection that breaks is replaced.

use std::sync::Arc;
use std::time::Duration;

use playgate_core::game::GameStore as _;
use playgate_store::on_both_backends;
use playgate_store::testing::{Backend, TestDatabase, pg_connect};
use playgate_store::{SqlStore, StoreOptions};

use crate::sessions::game_rec;

/// A store whose reads share two connections, with this test's own application name (so
/// that its connections can be found, and only its).
async fn store(b: Backend) -> Option<(Arc<SqlStore>, TestDatabase, String)> {
    let db = TestDatabase::new(b).await?;
    let app = format!("lanes_{}", uuid::Uuid::new_v4().simple());
    let url = match b {
        Backend::Sqlite => db.url.clone(),
        Backend::Postgres => format!("{}&application_name={app}", db.url),
    };
    let opts = StoreOptions {
        read_connections: 2,
        ..StoreOptions::new(url)
    };
    let s = SqlStore::open(&opts).await.expect("open");
    Some((Arc::new(s), db, app))
}

/// 200 reads at once, all answered right, each with the game it asked for.
async fn reads_at_once(s: &Arc<SqlStore>, ids: &[playgate_core::ids::GameId]) {
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let (s, id) = (s.clone(), ids[i % ids.len()]);
            tokio::spawn(async move { (id, s.game_by_id(id).await) })
        })
        .collect();
    for t in tasks {
        let (id, got) = t.await.expect("join");
        assert_eq!(got.expect("read").map(|g| g.id), Some(id));
    }
}

async fn many_reads_share_few_connections(b: Backend) {
    let Some((s, db, app)) = store(b).await else { return };
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            s.insert_game(game_rec(&format!("100000000{i}")))
                .await
                .expect("game")
                .id,
        );
    }
    reads_at_once(&s, &ids).await;
    if b == Backend::Postgres {
        // Reads took no more connections than their lanes (writes have a pool of their own:
        // at most one connection was used for the inserts above, one at a time).
        let admin = pg_connect(&std::env::var("PLAYGATE_TEST_POSTGRES_URL").expect("url"))
            .await
            .expect("connect");
        let count = |admin: tokio_postgres::Client, app: String| async move {
            let row = admin
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                    &[&app],
                )
                .await
                .expect("count");
            (admin, row.get::<_, i64>(0))
        };
        let (admin, n) = count(admin, app.clone()).await;
        assert!((1..=3).contains(&n), "{n} connections");
        // Break every connection of this store: the next reads find theirs closed and open
        // new ones.
        admin
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                &[&app],
            )
            .await
            .expect("terminate");
        tokio::time::sleep(Duration::from_millis(200)).await;
        reads_at_once(&s, &ids).await;
        let (_, n) = count(admin, app).await;
        assert!((1..=2).contains(&n), "{n} connections after the break");
    }
    s.close().await;
    db.drop_it().await;
}

on_both_backends!(many_reads_share_few_connections);
