//! Group commit for SQLite. SQLite admits one writer at a time, and with
//! `synchronous = FULL` every commit waits for an fsync (about 2.6 ms on this project's
//! machines: under 400 commits a second). So all writes go to one task that owns the write
//! connection: it takes every job waiting, runs them in one `BEGIN IMMEDIATE` transaction
//! (each multi-statement job inside its own savepoint, so one failing job undoes only
//! itself), commits once, and only then answers each job. (Migrations run before, on a
//! connection of their own.) Nothing is acknowledged before
//! it is durable; many requests share one fsync.

use std::future::Future;
use std::pin::Pin;

use playgate_core::{Error, Result};
use sqlx::SqliteConnection;
use tokio::sync::{mpsc, oneshot};

use crate::db_err;

/// A boxed future borrowing the connection.
pub(crate) type BoxFuture<'c, T> = Pin<Box<dyn Future<Output = T> + Send + 'c>>;

/// Called after the commit with its outcome; delivers the job's result.
type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;

/// Most jobs in one transaction.
const MAX_BATCH: usize = 512;

trait Job: Send {
    fn run<'c>(self: Box<Self>, conn: &'c mut SqliteConnection) -> BoxFuture<'c, Deliver>;
    fn fail(self: Box<Self>, cause: String);
}

struct Typed<T, F> {
    f: F,
    atomic: bool,
    reply: oneshot::Sender<Result<T>>,
}

impl<T, F> Job for Typed<T, F>
where
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
{
    fn run<'c>(self: Box<Self>, conn: &'c mut SqliteConnection) -> BoxFuture<'c, Deliver> {
        Box::pin(async move {
            let Typed { f, atomic, reply } = *self;
            let result = if atomic {
                match exec(&mut *conn, "SAVEPOINT job").await {
                    Err(e) => Err(db_err(e)),
                    Ok(_) => {
                        let r = f(&mut *conn).await;
                        let end = if r.is_ok() {
                            "RELEASE job"
                        } else {
                            "ROLLBACK TO job; RELEASE job"
                        };
                        match exec(&mut *conn, end).await {
                            Ok(_) => r,
                            Err(e) => Err(db_err(e)),
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
    Job(Box<dyn Job>),
    Close(oneshot::Sender<()>),
}

/// The handle to the writer task.
pub(crate) struct Writer {
    tx: mpsc::Sender<Msg>,
}

impl Writer {
    /// Spawns the writer task on `conn`.
    pub(crate) fn spawn(conn: SqliteConnection) -> Writer {
        let (tx, rx) = mpsc::channel(4096);
        tokio::spawn(run(conn, rx));
        Writer { tx }
    }

    /// Runs `f` in the next group commit and returns its result once that is durable.
    /// `atomic`: run it in a savepoint (for jobs of several statements).
    pub(crate) async fn run<T, F>(&self, atomic: bool, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
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

async fn run(mut conn: SqliteConnection, mut rx: mpsc::Receiver<Msg>) {
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(64);
    let mut after: Option<Msg> = None;
    loop {
        let first = match after.take() {
            Some(m) => m,
            None => match rx.recv().await {
                Some(m) => m,
                None => break,
            },
        };
        match first {
            Msg::Job(j) => batch.push(j),
            Msg::Close(reply) => {
                let _ = sqlx::Connection::close(conn).await;
                let _ = reply.send(());
                return;
            }
        }
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(Msg::Job(j)) => batch.push(j),
                Ok(other) => {
                    after = Some(other);
                    break;
                }
                Err(_) => break,
            }
        }
        commit_batch(&mut conn, &mut batch).await;
    }
}

async fn commit_batch(conn: &mut SqliteConnection, batch: &mut Vec<Box<dyn Job>>) {
    if let Err(e) = exec(&mut *conn, "BEGIN IMMEDIATE").await {
        let cause = e.to_string();
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
    let outcome = match exec(&mut *conn, "COMMIT").await {
        Ok(_) => Ok(()),
        Err(e) => {
            tracing::error!(error = %e, "SQLite group commit failed");
            let _ = exec(&mut *conn, "ROLLBACK").await;
            Err(e.to_string())
        }
    };
    for d in delivers {
        d(outcome.clone());
    }
}

/// Runs a statement without parameters. (Through `Executor::execute`, whose boxed future
/// is `Send` for any lifetime; `raw_sql(..).execute(..)` trips the compiler's higher-ranked
/// `Send` inference inside a spawned task.)
async fn exec(conn: &mut SqliteConnection, sql: &'static str) -> Result<(), sqlx::Error> {
    sqlx::Executor::execute(conn, sql).await.map(drop)
}
