//! Group commit for SQLite. SQLite admits one writer at a time, and with
//! `synchronous = FULL` every commit waits for an fsync (about 2.6 ms on this project's
//! machines: under 400 commits a second). So all writes go to one thread that owns the
//! write connections: it takes every job waiting, runs them in one `BEGIN IMMEDIATE`
//! transaction (each multi-statement job inside its own savepoint, so one failing job
//! undoes only itself), commits once, and only then answers each job. (Migrations run
//! before, on a connection of their own.) Nothing is acknowledged before it is durable;
//! many requests share one fsync.
//!
//! The thread owns one rusqlite connection; a job is an async closure over
//! [`Conn::Lite`] on it, which never waits (rusqlite is synchronous), so the thread runs
//! each job to its end with a single poll and needs no async runtime.

use std::future::Future;
use std::task::{Context, Poll, Waker};

use playgate_core::{Error, Result};
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use tokio::sync::{mpsc, oneshot};

use crate::exec::Conn;
use crate::lite::LiteConn;

/// Called after the commit with its outcome; delivers the job's result.
type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;

/// Most jobs in one transaction.
const MAX_BATCH: usize = 512;

/// A job, run to the point where only the commit's outcome is missing.
trait Job: Send {
    fn run(self: Box<Self>, conn: &mut LiteConn) -> Deliver;
    fn fail(self: Box<Self>, cause: String);
}

/// Runs a job's future to its end. rusqlite runs each statement before its future is
/// returned, so a job's future never waits: one poll finishes it.
fn finish<T>(fut: impl Future<Output = Result<T>>) -> Result<T> {
    let mut fut = std::pin::pin!(fut);
    match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(r) => r,
        Poll::Pending => Err(Error::internal(
            "a SQLite write job waited for something other than SQLite",
        )),
    }
}

struct Typed<T, F> {
    f: F,
    atomic: bool,
    reply: oneshot::Sender<Result<T>>,
}

impl<T, F> Job for Typed<T, F>
where
    T: Send + 'static,
    F: AsyncFnOnce(&mut Conn<'_>) -> Result<T> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &mut LiteConn) -> Deliver {
        let Typed { f, atomic, reply } = *self;
        let result = if atomic {
            match conn.control("SAVEPOINT job") {
                Err(e) => Err(Error::internal(e)),
                Ok(()) => {
                    let r = finish(f(&mut Conn::Lite(&mut *conn)));
                    let undo = if r.is_ok() {
                        Ok(())
                    } else {
                        conn.control("ROLLBACK TO job")
                    };
                    match undo.and_then(|()| conn.control("RELEASE job")) {
                        Ok(()) => r,
                        Err(e) => Err(Error::internal(e)),
                    }
                }
            }
        } else {
            finish(f(&mut Conn::Lite(&mut *conn)))
        };
        Box::new(move |commit: Result<(), String>| {
            let _ = reply.send(match commit {
                Ok(()) => result,
                Err(cause) => Err(Error::internal(format!("commit failed: {cause}"))),
            });
        })
    }

    fn fail(self: Box<Self>, cause: String) {
        let _ = self.reply.send(Err(Error::internal(cause)));
    }
}

enum Msg {
    Job(Box<dyn Job>),
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
    /// Starts the writer thread on `conn`.
    pub(crate) fn spawn(conn: LiteConn) -> Result<Writer> {
        let (tx, rx) = mpsc::channel(4096);
        let stats = WriterStats::new();
        let observed = stats.clone();
        // Without a global subscriber (a test's own, made the default on its runtime's
        // threads), the thread logs to its opener's; with one, it logs there anyway.
        let opener = (!tracing::dispatcher::has_been_set()).then(|| tracing::dispatcher::get_default(Clone::clone));
        std::thread::Builder::new()
            .name("playgate-sqlite-writer".into())
            .spawn(move || match opener {
                Some(d) => tracing::dispatcher::with_default(&d, || run(conn, rx, &observed)),
                None => run(conn, rx, &observed),
            })
            .map_err(|e| Error::internal(format!("cannot start the SQLite writer: {e}")))?;
        Ok(Writer { tx, stats })
    }

    /// Jobs waiting for the writer thread now.
    pub(crate) fn queue_depth(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }

    /// Runs `f` in the next group commit and returns its result once that is durable.
    /// `atomic`: run it in a savepoint (for jobs of several statements).
    pub(crate) async fn run<T, F>(&self, atomic: bool, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: AsyncFnOnce(&mut Conn<'_>) -> Result<T> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Msg::Job(Box::new(Typed { f, atomic, reply })))
            .await
            .map_err(|_| Error::internal("the SQLite writer has stopped"))?;
        rx.await
            .map_err(|_| Error::internal("the SQLite writer dropped a job"))?
    }

    /// Finishes the jobs already queued and closes the connection.
    pub(crate) async fn close(&self) {
        let (reply, rx) = oneshot::channel();
        if self.tx.send(Msg::Close(reply)).await.is_ok() {
            let _ = rx.await;
        }
    }
}

fn run(mut conn: LiteConn, mut rx: mpsc::Receiver<Msg>, stats: &WriterStats) {
    let mut jobs: Vec<Box<dyn Job>> = Vec::with_capacity(64);
    let mut closing = None;
    while closing.is_none() {
        let Some(first) = rx.blocking_recv() else { break };
        let mut next = Some(first);
        let mut taken = 0;
        while let Some(msg) = next.take() {
            match msg {
                Msg::Job(j) => jobs.push(j),
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
        if !jobs.is_empty() {
            commit_batch(&mut conn, &mut jobs, stats);
        }
    }
    drop(conn);
    if let Some(reply) = closing {
        let _ = reply.send(());
    }
}

fn commit_batch(conn: &mut LiteConn, batch: &mut Vec<Box<dyn Job>>, stats: &WriterStats) {
    let started = std::time::Instant::now();
    stats.batch_size.observe(batch.len() as f64);
    if let Err(e) = conn.control("BEGIN IMMEDIATE") {
        let cause = e.to_string();
        tracing::error!(error = %cause, "SQLite writer cannot begin a transaction");
        for j in batch.drain(..) {
            j.fail(cause.clone());
        }
        return;
    }
    let mut delivers = Vec::with_capacity(batch.len());
    for j in batch.drain(..) {
        delivers.push(j.run(&mut *conn));
    }
    let outcome = match conn.control("COMMIT") {
        Ok(()) => Ok(()),
        Err(e) => {
            tracing::error!(error = %e, "SQLite group commit failed");
            let _ = conn.control("ROLLBACK");
            Err(e.to_string())
        }
    };
    stats.commit_seconds.observe(started.elapsed().as_secs_f64());
    for d in delivers {
        d(outcome.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::Writer;
    use crate::exec::params;
    use crate::lite::{LiteConn, create_wal};
    use playgate_core::Error;

    /// An atomic job that fails after writing leaves nothing behind, and the jobs of the same
    /// group commit around it keep their writes: its savepoint, not the group, is rolled back.
    #[tokio::test]
    async fn a_failed_atomic_job_undoes_only_itself() {
        let dir = std::env::temp_dir().join(format!("playgate-writer-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("w.db");
        create_wal(&path).expect("wal");
        let w = Writer::spawn(LiteConn::open(&path, Some("full")).expect("open")).expect("writer");
        w.run(false, async |c| {
            c.execute("CREATE TABLE t (v INTEGER)", params![]).await
        })
        .await
        .expect("create");
        let insert = |v: i64, fail: bool| {
            w.run(true, async move |c| {
                c.execute("INSERT INTO t (v) VALUES ($1)", params![v]).await?;
                c.execute("INSERT INTO t (v) VALUES ($1)", params![v + 100]).await?;
                if fail {
                    return Err(Error::internal("the job gives up"));
                }
                Ok(())
            })
        };
        let (a, b, c) = tokio::join!(insert(1, false), insert(2, true), insert(3, false));
        assert!(a.is_ok() && b.is_err() && c.is_ok(), "{a:?} {b:?} {c:?}");
        let stored: Vec<i64> = w
            .run(false, async |c| {
                let n1 = c
                    .scalar_one::<i64>("SELECT count(*) FROM t WHERE v IN (1, 101, 3, 103)", params![])
                    .await?;
                let n2 = c
                    .scalar_one::<i64>("SELECT count(*) FROM t WHERE v IN (2, 102)", params![])
                    .await?;
                Ok(vec![n1, n2])
            })
            .await
            .expect("count");
        assert_eq!(stored, vec![4, 0]);
        w.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
