//! Throw-away databases for tests of this crate and the crates above it: a fresh SQLite
//! file in a temporary directory, or a fresh schema in the PostgreSQL database named by
//! `PLAYGATE_TEST_POSTGRES_URL`, so tests run in parallel without seeing each other; and a
//! core with its sessions service over such a store.

use std::path::PathBuf;
use std::sync::Arc;

use playgate_core::clock::SystemClock;
use playgate_core::crypto::MasterKey;
use playgate_core::service::Playgate;
use playgate_core::session::Sessions;
use playgate_core::settings::Settings;

use crate::{SqlStore, StoreOptions};

/// A plain connection to the PostgreSQL server at `url` (its task runs on the runtime), for
/// creating and dropping test schemas and for tests that look into the database.
pub async fn pg_connect(url: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

/// The two backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL at `PLAYGATE_TEST_POSTGRES_URL`.
    Postgres,
}

/// Environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_URL_ENV: &str = "PLAYGATE_TEST_POSTGRES_URL";

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDatabase {
    /// Its URL, for `StoreOptions` or the server's `database_url`.
    pub url: String,
    /// A scratch directory (the SQLite file lives here; usable as a data dir).
    pub dir: PathBuf,
    schema: Option<(String, String)>,
    /// Whether [`TestDatabase::drop_it`] removes it (false for a [`TestDatabase::shared`]
    /// handle).
    owned: bool,
}

impl TestDatabase {
    /// A fresh database, or `None` for PostgreSQL when `PLAYGATE_TEST_POSTGRES_URL` is unset
    /// (the test is then skipped).
    pub async fn new(backend: Backend) -> Option<TestDatabase> {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let dir = std::env::temp_dir().join(format!("playgate-test-{tag}"));
        if let Err(e) = std::fs::create_dir_all(&dir) {
            panic!("cannot create {}: {e}", dir.display());
        }
        match backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}", dir.join("playgate.db").display());
                Some(TestDatabase {
                    url,
                    dir,
                    schema: None,
                    owned: true,
                })
            }
            Backend::Postgres => {
                let Ok(base) = std::env::var(POSTGRES_URL_ENV) else {
                    eprintln!("skipped: {POSTGRES_URL_ENV} is not set");
                    return None;
                };
                let schema = format!("t_{tag}");
                let conn = match pg_connect(&base).await {
                    Ok(c) => c,
                    Err(e) => panic!("{POSTGRES_URL_ENV}={base}: cannot connect: {e}"),
                };
                if let Err(e) = conn.batch_execute(&format!("CREATE SCHEMA {schema}")).await {
                    panic!("cannot create schema {schema}: {e}");
                }
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
                Some(TestDatabase {
                    url,
                    dir,
                    schema: Some((base, schema)),
                    owned: true,
                })
            }
        }
    }

    /// Another handle on the same database and directory, for a second server of one
    /// deployment; its [`TestDatabase::drop_it`] removes nothing, so only the handle from
    /// [`TestDatabase::new`] cleans up.
    pub fn shared(&self) -> TestDatabase {
        TestDatabase {
            url: self.url.clone(),
            dir: self.dir.clone(),
            schema: None,
            owned: false,
        }
    }

    /// Removes the database (call at the end of a test; a failed test leaves it behind for
    /// inspection).
    pub async fn drop_it(self) {
        if !self.owned {
            return;
        }
        if let Some((base, schema)) = &self.schema
            && let Ok(conn) = pg_connect(base).await
        {
            let _ = conn.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A core over `store` (a fresh master key, the system clock, the default settings) and
/// the sessions service over them, wired as the server wires them.
pub async fn core(store: Arc<SqlStore>) -> playgate_core::Result<(Playgate, Sessions)> {
    let core = Playgate::new(
        store.clone(),
        Arc::new(SystemClock),
        MasterKey::generate().0,
        Settings::default(),
    )
    .await?;
    let sessions = Sessions::new(
        store,
        core.keys(),
        core.limiter(),
        core.master().clone(),
        core.clock(),
        core.shared_settings(),
        core.metrics(),
    );
    Ok((core, sessions))
}

/// A fresh, migrated store on `backend` and its database (`None`: PostgreSQL not
/// configured, skip the test).
pub async fn open_store(backend: Backend) -> Option<(Arc<SqlStore>, TestDatabase)> {
    let db = TestDatabase::new(backend).await?;
    match SqlStore::open(&StoreOptions::new(db.url.clone())).await {
        Ok(s) => Some((Arc::new(s), db)),
        Err(e) => panic!("cannot open the test store: {e}"),
    }
}

/// Generates, for each `async fn name(backend: Backend)` named, a test `sqlite::name` and
/// a test `postgres::name` (which skips itself when `PLAYGATE_TEST_POSTGRES_URL` is unset),
/// each on a multi-thread runtime of its own. The one definition for every test binary.
///
/// `on_both_backends!(runner => a, b)` hands each `name` and backend to `runner(name,
/// backend)`, a plain function that runs it (on a runtime it builds, with what it passes
/// as further arguments): for tests that need a runtime set up otherwise.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() { super::$name($crate::testing::Backend::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() { super::$name($crate::testing::Backend::Postgres).await })*
        }
    };
    ($runner:path => $($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() { $runner(super::$name, $crate::testing::Backend::Sqlite) })*
        }
        mod postgres {
            $(#[test]
            fn $name() { $runner(super::$name, $crate::testing::Backend::Postgres) })*
        }
    };
}
