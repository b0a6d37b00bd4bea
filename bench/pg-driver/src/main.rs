//! Point reads and small write transactions against PostgreSQL through sqlx's pool and
//! through tokio-postgres behind deadpool, the two candidates for Playgate's PostgreSQL
//! driver. For each driver and workload: requests per second with 64 concurrent tasks on a
//! 2-worker runtime, and this process's CPU time per request (the driver's own cost, which
//! the database's time does not blur).
//!
//! usage: playgate-pg-driver-bench URL SECONDS

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const TASKS: usize = 64;
const POOL: usize = 10;
const ROWS: i64 = 10_000;

fn cpu_seconds() -> f64 {
    // utime + stime of this process, from /proc/self/stat (clock ticks of 1/100 s).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

async fn drive<F, Fut>(name: &str, secs: u64, op: F)
where
    F: Fn(i64) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    // Warm-up, then the measured pass.
    for (pass, dur) in [("warm", Duration::from_secs(1)), ("measure", Duration::from_secs(secs))] {
        let done = Arc::new(AtomicU64::new(0));
        let cpu0 = cpu_seconds();
        let t0 = Instant::now();
        let mut tasks = Vec::new();
        for t in 0..TASKS {
            let op = op.clone();
            let done = done.clone();
            tasks.push(tokio::spawn(async move {
                let mut i = t as i64;
                while t0.elapsed() < dur {
                    op(i % ROWS).await;
                    i += 7919;
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
        if pass == "measure" {
            let n = done.load(Ordering::Relaxed) as f64;
            let wall = t0.elapsed().as_secs_f64();
            let cpu = cpu_seconds() - cpu0;
            println!("| {name} | {:.0} | {:.1} |", n / wall, cpu / n * 1e6);
        }
    }
}

#[tokio::main(worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).cloned().unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
    let secs: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);

    let sqlx_pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(POOL as u32)
        .connect(&url)
        .await
        .expect("sqlx connect");
    let schema = format!("pgdriver_{}", std::process::id());
    for sql in [
        format!("CREATE SCHEMA {schema}"),
        format!("CREATE TABLE {schema}.players (id BIGINT PRIMARY KEY, name TEXT NOT NULL, sessions BIGINT NOT NULL, seen BIGINT NOT NULL)"),
        format!("INSERT INTO {schema}.players SELECT g, 'player-' || g, 0, 0 FROM generate_series(0, {}) g", ROWS - 1),
    ] {
        sqlx::query(&sql).execute(&sqlx_pool).await.expect("setup");
    }
    let read = format!("SELECT id, name, sessions, seen FROM {schema}.players WHERE id = $1");
    let bump = format!("UPDATE {schema}.players SET sessions = sessions + 1, seen = $2 WHERE id = $1");

    let cfg: tokio_postgres::Config = url.parse().expect("url");
    let mgr = deadpool_postgres::Manager::from_config(
        cfg,
        tokio_postgres::NoTls,
        deadpool_postgres::ManagerConfig {
            recycling_method: deadpool_postgres::RecyclingMethod::Fast,
        },
    );
    let dp = deadpool_postgres::Pool::builder(mgr).max_size(POOL).build().expect("pool");

    println!("| driver, workload | requests/s | client CPU µs per request |");
    println!("|---|---:|---:|");
    {
        let (pool, q) = (sqlx_pool.clone(), Arc::new(read.clone()));
        drive("sqlx, point read", secs, move |id| {
            let (pool, q) = (pool.clone(), q.clone());
            async move {
                let row: (i64, String, i64, i64) = sqlx::query_as(&q).bind(id).fetch_one(&pool).await.expect("read");
                assert_eq!(row.0, id);
            }
        })
        .await;
    }
    {
        let (pool, q) = (dp.clone(), Arc::new(read.clone()));
        drive("tokio-postgres + deadpool, point read", secs, move |id| {
            let (pool, q) = (pool.clone(), q.clone());
            async move {
                let c = pool.get().await.expect("conn");
                let st = c.prepare_cached(&q).await.expect("prepare");
                let row = c.query_one(&st, &[&id]).await.expect("read");
                assert_eq!(row.get::<_, i64>("id"), id);
            }
        })
        .await;
    }
    {
        let (pool, r, w) = (sqlx_pool.clone(), Arc::new(read.clone()), Arc::new(bump.clone()));
        drive("sqlx, read + update in a transaction", secs, move |id| {
            let (pool, r, w) = (pool.clone(), r.clone(), w.clone());
            async move {
                let mut tx = pool.begin().await.expect("begin");
                let row: (i64, String, i64, i64) = sqlx::query_as(&r).bind(id).fetch_one(&mut *tx).await.expect("read");
                sqlx::query(&w).bind(id).bind(row.3 + 1).execute(&mut *tx).await.expect("update");
                tx.commit().await.expect("commit");
            }
        })
        .await;
    }
    {
        let (pool, r, w) = (dp.clone(), Arc::new(read.clone()), Arc::new(bump.clone()));
        drive("tokio-postgres + deadpool, read + update in a transaction", secs, move |id| {
            let (pool, r, w) = (pool.clone(), r.clone(), w.clone());
            async move {
                let mut c = pool.get().await.expect("conn");
                let rs = c.prepare_cached(&r).await.expect("prepare");
                let ws = c.prepare_cached(&w).await.expect("prepare");
                let tx = c.transaction().await.expect("begin");
                let row = tx.query_one(&rs, &[&id]).await.expect("read");
                let seen: i64 = row.get("seen");
                tx.execute(&ws, &[&id, &(seen + 1)]).await.expect("update");
                tx.commit().await.expect("commit");
            }
        })
        .await;
    }
    {
        // Pipelining: two independent reads of one request sent together on one connection.
        let (pool, q) = (dp.clone(), Arc::new(read.clone()));
        drive("tokio-postgres + deadpool, two reads pipelined", secs, move |id| {
            let (pool, q) = (pool.clone(), q.clone());
            async move {
                let c = pool.get().await.expect("conn");
                let st = c.prepare_cached(&q).await.expect("prepare");
                let other = (id + 1) % ROWS;
                let (pa, pb): ([&(dyn tokio_postgres::types::ToSql + Sync); 1], [&(dyn tokio_postgres::types::ToSql + Sync); 1]) = ([&id], [&other]);
                let (a, b) = futures::join!(c.query_one(&st, &pa), c.query_one(&st, &pb));
                assert!(a.is_ok() && b.is_ok());
            }
        })
        .await;
    }
    {
        let (pool, q) = (sqlx_pool.clone(), Arc::new(read.clone()));
        drive("sqlx, two reads one after the other", secs, move |id| {
            let (pool, q) = (pool.clone(), q.clone());
            async move {
                let mut c = pool.acquire().await.expect("conn");
                let other = (id + 1) % ROWS;
                let _: (i64, String, i64, i64) = sqlx::query_as(&q).bind(id).fetch_one(&mut *c).await.expect("a");
                let _: (i64, String, i64, i64) = sqlx::query_as(&q).bind(other).fetch_one(&mut *c).await.expect("b");
            }
        })
        .await;
    }
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(&sqlx_pool).await.expect("drop");
}
