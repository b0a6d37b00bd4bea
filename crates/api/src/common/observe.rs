//! The outermost layer: gives each request its id and [`RequestContext`] (every log line of
//! the request carries it), returns the id in `X-Request-Id`, and counts and times the
//! request in the HTTP metrics.
//!
//! One hand-written tower layer rather than two `from_fn` middlewares: each `from_fn` boxes
//! the rest of the stack and its future on every request, and this layer sits on the hot
//! paths (see `request_id` for what was measured).

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::response::Response;
use tokio::task::futures::TaskLocalFuture;
use tower::{Layer, Service};

use super::metrics::HttpMetrics;
use super::request_id::{self, RequestContext, X_REQUEST_ID};

/// See the module docs.
#[derive(Clone)]
pub struct ObserveLayer {
    metrics: Arc<HttpMetrics>,
}

impl ObserveLayer {
    /// A layer recording into `metrics`.
    pub fn new(metrics: Arc<HttpMetrics>) -> Self {
        ObserveLayer { metrics }
    }
}

impl<S> Layer<S> for ObserveLayer {
    type Service = Observe<S>;

    fn layer(&self, inner: S) -> Observe<S> {
        Observe {
            inner,
            metrics: self.metrics.clone(),
        }
    }
}

/// The service of [`ObserveLayer`].
#[derive(Clone)]
pub struct Observe<S> {
    inner: S,
    metrics: Arc<HttpMetrics>,
}

impl<S> Service<Request> for Observe<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone,
{
    type Response = Response;
    type Error = Infallible;
    type Future = ObserveFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let started = Instant::now();
        let ctx = RequestContext::of(&req);
        let id = ctx.id.clone();
        let route = ctx.route.clone();
        ObserveFuture {
            inner: request_id::scope(ctx, self.inner.call(req)),
            done: Some(Done {
                id,
                route,
                started,
                metrics: self.metrics.clone(),
            }),
        }
    }
}

/// What is left to do when the answer is ready.
struct Done {
    id: HeaderValue,
    route: Option<MatchedPath>,
    started: Instant,
    metrics: Arc<HttpMetrics>,
}

pin_project_lite::pin_project! {
    /// The future of [`Observe`].
    pub struct ObserveFuture<F> {
        #[pin]
        inner: TaskLocalFuture<RequestContext, F>,
        done: Option<Done>,
    }
}

impl<F> Future for ObserveFuture<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Ok(mut resp) = ready!(this.inner.poll(cx));
        if let Some(done) = this.done.take() {
            done.metrics.record(done.route, resp.status(), done.started.elapsed());
            resp.headers_mut().insert(X_REQUEST_ID.clone(), done.id);
        }
        Poll::Ready(Ok(resp))
    }
}
