//! Serving the app over HTTP/1.1 with the limits a server facing the internet needs.
//!
//! `axum::serve` waits for a request head for ever, keeps idle keep-alive connections for
//! ever and accepts connections until the process runs out of files; at shutdown it waits
//! for every connection, stalled ones included. Here each connection is driven with
//! hyper's HTTP/1 connection directly, and watched:
//!
//! - a request head must arrive within `header_read_timeout` of its first byte;
//! - a keep-alive connection with no request may wait `idle_timeout` for the next one;
//! - a connection busy with one request for twice `request_timeout` is closed (the app
//!   itself answers 503 at `request_timeout`; this catches a client that does not read
//!   its answer);
//! - at most `max_connections` are open: at the cap a new connection closes the one idle
//!   the longest (nothing in flight), or waits until one finishes;
//! - at shutdown the listener closes, connections with nothing in flight (idle, or
//!   stalled halfway through a head) close at once, and requests in flight finish.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt as _;

/// The connection limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most connections open at once.
    pub max_connections: usize,
    /// Longest time for a request head, from its first byte.
    pub header_read_timeout: Duration,
    /// Longest wait for the next request on a keep-alive connection.
    pub idle_timeout: Duration,
    /// The app's time limit for one request (connections busy for twice this are closed).
    pub request_timeout: Duration,
}

const DAY_MS: u64 = 24 * 3600 * 1000;

/// "No time": no head has started.
const NONE: u64 = u64::MAX;

/// What the watchdog of one connection knows, in milliseconds since the server's epoch.
struct Conn {
    epoch: Instant,
    /// Requests handed to the app whose answer is not yet fully written.
    in_flight: AtomicUsize,
    /// When the connection last had nothing in flight (opened, or an answer done).
    idle_since: AtomicU64,
    /// When the first byte of the next head arrived ([`NONE`] if none has).
    head_since: AtomicU64,
    /// When the current request was handed to the app.
    busy_since: AtomicU64,
    /// Cancelled to close the connection (at the cap, for a newcomer; or once an answer
    /// that says `Connection: close` is written).
    evict: CancellationToken,
    /// The app answered `Connection: close` (the request timed out): close once that answer
    /// is written, without draining a body the client may still be trickling.
    close_when_answered: AtomicBool,
}

impl Conn {
    fn new(epoch: Instant) -> Self {
        let now = ms_since(epoch);
        Conn {
            epoch,
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(now),
            head_since: AtomicU64::new(NONE),
            busy_since: AtomicU64::new(now),
            evict: CancellationToken::new(),
            close_when_answered: AtomicBool::new(false),
        }
    }

    fn now(&self) -> u64 {
        ms_since(self.epoch)
    }

    fn is_idle(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0
    }

    /// Bytes arrived: with nothing in flight they start the next head.
    fn bytes_read(&self) {
        if self.is_idle() {
            let _ = self
                .head_since
                .compare_exchange(NONE, self.now(), Ordering::AcqRel, Ordering::Relaxed);
        }
    }

    /// A request goes to the app; the guard ends it when its answer has been written.
    fn begin(self: &Arc<Self>) -> InFlight {
        self.busy_since.store(self.now(), Ordering::Release);
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.head_since.store(NONE, Ordering::Release);
        InFlight(self.clone())
    }

    /// When the connection is to be closed, if its state does not change before.
    fn deadline(&self, limits: &Limits) -> u64 {
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX / 4);
        if !self.is_idle() {
            let busy = self.busy_since.load(Ordering::Acquire);
            // Look again soon enough to apply the idle limits once the answer is out.
            let recheck = self
                .now()
                .saturating_add(ms(limits.header_read_timeout.min(limits.idle_timeout)).max(1));
            return busy.saturating_add(ms(limits.request_timeout) * 2).min(recheck);
        }
        match self.head_since.load(Ordering::Acquire) {
            // A head may start at any moment and must then end within the (shorter) head
            // timeout: look again by then.
            NONE => self
                .idle_since
                .load(Ordering::Acquire)
                .saturating_add(ms(limits.idle_timeout))
                .min(self.now().saturating_add(ms(limits.header_read_timeout).max(1))),
            head => head.saturating_add(ms(limits.header_read_timeout)),
        }
    }
}

/// One request in flight on a connection (dropped with its answer's body).
struct InFlight(Arc<Conn>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let c = &self.0;
        c.idle_since.store(c.now(), Ordering::Release);
        c.head_since.store(NONE, Ordering::Release);
        c.in_flight.fetch_sub(1, Ordering::AcqRel);
        if c.close_when_answered.load(Ordering::Acquire) {
            c.evict.cancel();
        }
    }
}

/// An answer's body, keeping its request counted in flight until hyper drops it (after
/// writing it whole). Size and end are forwarded, so `Content-Length` is kept.
struct Tracked {
    body: Body,
    _in_flight: InFlight,
}

impl hyper::body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

fn ms_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX - 1)
}

/// The TCP stream, noting when bytes arrive.
struct Watched {
    io: TcpStream,
    conn: Arc<Conn>,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let res = Pin::new(&mut self.io).poll_read(cx, buf);
        if matches!(res, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.conn.bytes_read();
        }
        res
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

type Registry = Mutex<HashMap<u64, Arc<Conn>>>;

/// Serves `app` on `listener` until `shutdown`, then waits for the requests in flight.
pub async fn serve(listener: TcpListener, app: Router, limits: Limits, shutdown: CancellationToken) -> io::Result<()> {
    let epoch = Instant::now();
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let registry: Arc<Registry> = Arc::default();
    let tracker = TaskTracker::new();
    let mut next_id: u64 = 0;
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of files (EMFILE) or a connection reset before it was accepted:
                    // pause briefly rather than spin, and keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        let permit = match permits.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                evict_idlest(&registry);
                tokio::select! {
                    p = permits.clone().acquire_owned() => p.map_err(io::Error::other)?,
                    () = shutdown.cancelled() => break,
                }
            }
        };
        let _ = stream.set_nodelay(true);
        next_id += 1;
        let id = next_id;
        let conn = Arc::new(Conn::new(epoch));
        lock(&registry).insert(id, conn.clone());
        let (app, shutdown, registry) = (app.clone(), shutdown.clone(), registry.clone());
        tracker.spawn(async move {
            drive(stream, peer, app, conn, limits, shutdown).await;
            lock(&registry).remove(&id);
            drop(permit);
        });
    }
    // New connections are refused from here on.
    drop(listener);
    tracker.close();
    tracker.wait().await;
    Ok(())
}

fn lock(r: &Registry) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Conn>>> {
    // A panic while holding this lock cannot leave the map inconsistent.
    r.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Closes the connection that has had nothing in flight the longest, if any.
fn evict_idlest(registry: &Registry) {
    let map = lock(registry);
    let idlest = map
        .values()
        .filter(|c| c.is_idle() && !c.evict.is_cancelled())
        .min_by_key(|c| c.idle_since.load(Ordering::Acquire));
    if let Some(c) = idlest {
        tracing::debug!("connection cap reached: closing the connection idle the longest");
        c.evict.cancel();
    }
}

async fn drive(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    conn: Arc<Conn>,
    limits: Limits,
    shutdown: CancellationToken,
) {
    let io = TokioIo::new(Watched {
        io: stream,
        conn: conn.clone(),
    });
    let watched = conn.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        let guard = watched.begin();
        let app = app.clone();
        async move {
            let Ok(resp) = app.oneshot(req).await;
            if resp
                .headers()
                .get(axum::http::header::CONNECTION)
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close"))
            {
                guard.0.close_when_answered.store(true, Ordering::Release);
            }
            // The request counts as in flight until its answer's body has been written
            // (hyper drops the body then), so closing an idle connection never cuts one.
            Ok::<_, Infallible>(resp.map(|body| Tracked {
                body,
                _in_flight: guard,
            }))
        }
    });
    let http = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, service);
    let mut http = std::pin::pin!(http);
    let mut draining = false;
    loop {
        // Deadlines are at most a day ahead: a very large configured timeout cannot
        // overflow the clock, and the watchdog looks again then.
        let wake =
            Instant::now() + Duration::from_millis(conn.deadline(&limits).saturating_sub(conn.now()).min(DAY_MS));
        tokio::select! {
            res = http.as_mut() => {
                if let Err(e) = res {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            () = shutdown.cancelled(), if !draining => {
                if conn.is_idle() {
                    return;
                }
                // Finish the request in flight, then close.
                http.as_mut().graceful_shutdown();
                draining = true;
            }
            () = conn.evict.cancelled(), if !draining => {
                if conn.is_idle() {
                    return;
                }
                http.as_mut().graceful_shutdown();
                draining = true;
            }
            () = tokio::time::sleep_until(wake) => {
                if conn.deadline(&limits) <= conn.now() {
                    tracing::debug!(%peer, busy = !conn.is_idle(), "closing a connection past its time limit");
                    return;
                }
            }
        }
    }
}

/// Raises this process's soft limit on open files to its hard limit, so the connection cap
/// rather than the file limit decides how many clients are served. Returns the soft limit
/// in effect.
pub fn raise_file_limit() -> io::Result<u64> {
    let (soft, hard) = rlimit::Resource::NOFILE.get()?;
    if soft < hard {
        rlimit::Resource::NOFILE.set(hard, hard)?;
        tracing::debug!(from = soft, to = hard, "raised the open-file limit");
        return Ok(hard);
    }
    Ok(soft)
}
