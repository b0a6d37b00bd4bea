//! Group commit for SQLite. SQLite admits one writer at a time, and with
//! `synchronous = FULL` every commit waits for an fsync (about 2.6 ms on this project's
//! machines: under 400 commits a second). So all writes go to one thread that owns the
//! write connections: it takes every job waiting, runs them in one `BEGIN IMMEDIATE`
//! transaction (each multi-statement job inside its own savepoint, so one failing job
//! undoes only itself), commits once, and only then answers each job. (Migrations run
//! before, on a connection of their own.) Nothing is acknowledged before it is durable;
//! many requests share one fsync.
//!
//! The thread has two connections to the file: a rusqlite one for statements written
//! against [`crate::exec::Exec`] (the hot paths) and a sqlx one for the rest. A batch holding
//! both kinds commits the rusqlite jobs first, then the sqlx jobs; one thread runs both, so
//! the two never wait for each other's lock.

use std::future::Future;
use std::pin::Pin;

use playgate_core::{Error, Result};
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use sqlx::SqliteConnection;
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot};

use crate::lite::LiteConn;

/// A boxed future borrowing the connection.
pub(crate) type BoxFuture<'c, T> = Pin<Box<dyn Future<Output = T> + Send + 'c>>;

/// Called after the commit with its outcome; delivers the job's result.
type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;

/// Most jobs in one transaction.
const MAX_BATCH: usize = 512;

/// A job on the connection `C`, run to the point where only the commit's outcome is missing.
trait Job<C>: Send {
    fn run<'c>(self: Box<Self>, conn: &'c mut C) -> BoxFuture<'c, Deliver>;
    fn fail(self: Box<Self>, cause: String);
}

/// Transaction control on either connection.
trait Control: Send {
    fn control<'c>(&'c mut self, sql: &'static str) -> BoxFuture<'c, Result<(), String>>;
}

impl Control for SqliteConnection {
    fn control<'c>(&'c mut self, sql: &'static str) -> BoxFuture<'c, Result<(), String>> {
        // Through `Executor::execute`, whose boxed future is `Send` for any lifetime
        // (`raw_sql(..).execute(..)` trips higher-ranked `Send` inference).
        Box::pin(async move {
            sqlx::Executor::execute(self, sql)
                .await
                .map(drop)
                .map_err(|e| e.to_string())
        })
    }
}

impl Control for LiteConn {
    fn control<'c>(&'c mut self, sql: &'static str) -> BoxFuture<'c, Result<(), String>> {
        Box::pin(std::future::ready(self.batch(sql).map_err(|e| e.to_string())))
    }
}

struct Typed<T, F> {
    f: F,
    atomic: bool,
    reply: oneshot::Sender<Result<T>>,
}

impl<C, T, F> Job<C> for Typed<T, F>
where
    C: Control + 'static,
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut C) -> BoxFuture<'c, Result<T>> + Send + 'static,
{
    fn run<'c>(self: Box<Self>, conn: &'c mut C) -> BoxFuture<'c, Deliver> {
        Box::pin(async move {
            let Typed { f, atomic, reply } = *self;
            let result = if atomic {
                match conn.control("SAVEPOINT job").await {
                    Err(e) => Err(Error::internal(e)),
                    Ok(()) => {
                        let r = f(&mut *conn).await;
                        let end = if r.is_ok() {
                            "RELEASE job"
                        } else {
                            "ROLLBACK TO job; RELEASE job"
                        };
                        match conn.control(end).await {
                            Ok(()) => r,
                            Err(e) => Err(Error::internal(e)),
                        }
                    }
                }
            } else {
                f(&mut *conn).await
            };
            Box::new(move |commit: Result<(), String>| {
                let _ = reply.send(match commit {
                    Ok(()) => result,
                    Err(cause) => Err(Error::internal(format!("commit failed: {cause}"))),
                });
            }) as Deliver
        })
    }

    fn fail(self: Box<Self>, cause: String) {
        let _ = self.reply.send(Err(Error::internal(cause)));
    }
}

enum Msg {
    Sqlx(Box<dyn Job<SqliteConnection>>),
    Lite(Box<dyn Job<LiteConn>>),
    Close(oneshot::Sender<()>),
}

/// The handle to the writer thread.
pub(crate) struct Writer {
    tx: mpsc::Sender<Msg>,
    /// Batch sizes and commit times, observed by the writer thread.
    pub(crate) stats: WriterStats,
}

/// What the writer thread observes per group commit (for `/metrics`).
#[derive(Debug, Clone)]
pub(crate) struct WriterStats {
    /// Jobs per transaction.
    pub(crate) batch_size: Histogram,
    /// Seconds from `BEGIN IMMEDIATE` to the end of `COMMIT` (the fsync included).
    pub(crate) commit_seconds: Histogram,
}

impl WriterStats {
    fn new() -> Self {
        WriterStats {
            batch_size: Histogram::new([1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0]),
            commit_seconds: Histogram::new(exponential_buckets(0.000_25, 2.0, 14)),
        }
    }
}

impl Writer {
    /// Starts the writer thread on `conn` and `lite` (two connections to one file). Must
    /// be called inside a Tokio runtime: the thread drives the sqlx connection on it.
    pub(crate) fn spawn(conn: SqliteConnection, lite: LiteConn) -> Result<Writer> {
        let (tx, rx) = mpsc::channel(4096);
        let rt = Handle::current();
        let stats = WriterStats::new();
        let observed = stats.clone();
        std::thread::Builder::new()
            .name("playgate-sqlite-writer".into())
            .spawn(move || run(conn, lite, rx, rt, &observed))
            .map_err(|e| Error::internal(format!("cannot start the SQLite writer: {e}")))?;
        Ok(Writer { tx, stats })
    }

    /// Jobs waiting for the writer thread now.
    pub(crate) fn queue_depth(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }

    async fn send(&self, msg: Msg) -> Result<()> {
        self.tx
            .send(msg)
            .await
            .map_err(|_| Error::internal("the SQLite writer has stopped"))
    }

    /// Runs `f` on the sqlx connection in the next group commit and returns its result once
    /// that is durable. `atomic`: run it in a savepoint (for jobs of several statements).
    pub(crate) async fn run<T, F>(&self, atomic: bool, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        self.send(Msg::Sqlx(Box::new(Typed { f, atomic, reply }))).await?;
        rx.await
            .map_err(|_| Error::internal("the SQLite writer dropped a job"))?
    }

    /// [`Writer::run`] on the rusqlite connection.
    pub(crate) async fn run_lite<T, F>(&self, atomic: bool, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut LiteConn) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        self.send(Msg::Lite(Box::new(Typed { f, atomic, reply }))).await?;
        rx.await
            .map_err(|_| Error::internal("the SQLite writer dropped a job"))?
    }

    /// Finishes the jobs already queued and closes the connections.
    pub(crate) async fn close(&self) {
        let (reply, rx) = oneshot::channel();
        if self.tx.send(Msg::Close(reply)).await.is_ok() {
            let _ = rx.await;
        }
    }
}

fn run(mut conn: SqliteConnection, mut lite: LiteConn, mut rx: mpsc::Receiver<Msg>, rt: Handle, stats: &WriterStats) {
    let mut sqlx_jobs: Vec<Box<dyn Job<SqliteConnection>>> = Vec::with_capacity(64);
    let mut lite_jobs: Vec<Box<dyn Job<LiteConn>>> = Vec::with_capacity(64);
    let mut closing = None;
    while closing.is_none() {
        let Some(first) = rx.blocking_recv() else { break };
        let mut next = Some(first);
        let mut taken = 0;
        while let Some(msg) = next.take() {
            match msg {
                Msg::Sqlx(j) => sqlx_jobs.push(j),
                Msg::Lite(j) => lite_jobs.push(j),
                Msg::Close(reply) => {
                    closing = Some(reply);
                    break;
                }
            }
            taken += 1;
            if taken < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !lite_jobs.is_empty() {
            // Never pending: rusqlite runs each statement before its future is returned.
            rt.block_on(commit_batch(&mut lite, &mut lite_jobs, stats));
        }
        if !sqlx_jobs.is_empty() {
            rt.block_on(commit_batch(&mut conn, &mut sqlx_jobs, stats));
        }
    }
    let _ = rt.block_on(sqlx::Connection::close(conn));
    drop(lite);
    if let Some(reply) = closing {
        let _ = reply.send(());
    }
}

async fn commit_batch<C: Control>(conn: &mut C, batch: &mut Vec<Box<dyn Job<C>>>, stats: &WriterStats) {
    let started = std::time::Instant::now();
    stats.batch_size.observe(batch.len() as f64);
    if let Err(cause) = conn.control("BEGIN IMMEDIATE").await {
        tracing::error!(error = %cause, "SQLite writer cannot begin a transaction");
        for j in batch.drain(..) {
            j.fail(cause.clone());
        }
        return;
    }
    let mut delivers = Vec::with_capacity(batch.len());
    for j in batch.drain(..) {
        delivers.push(j.run(&mut *conn).await);
    }
    let outcome = match conn.control("COMMIT").await {
        Ok(()) => Ok(()),
        Err(e) => {
            tracing::error!(error = %e, "SQLite group commit failed");
            let _ = conn.control("ROLLBACK").await;
            Err(e)
        }
    };
    stats.commit_seconds.observe(started.elapsed().as_secs_f64());
    for d in delivers {
        d(outcome.clone());
    }
}
