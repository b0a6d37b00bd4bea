//! Prometheus metrics of the HTTP layer and the `/metrics` exposition.
//!
//! Every request is counted and timed by dialect, route template and status class. The
//! route label is axum's [`MatchedPath`] (the template, such as `/s2s/session/{id}`),
//! never the raw path, so ids cannot multiply the series; a request that matched no route
//! is labelled `unmatched`. The labels borrow static strings and share the template's
//! `Arc`, so recording a request allocates nothing once its series exists.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use axum::Router;
use axum::extract::{MatchedPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use playgate_core::crypto::{Secret, SecretHash};
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The route label: the matched template, or `unmatched`.
#[derive(Clone, Debug)]
pub struct RouteLabel(Option<MatchedPath>);

impl RouteLabel {
    fn as_str(&self) -> &str {
        self.0.as_ref().map_or("unmatched", MatchedPath::as_str)
    }
}

impl PartialEq for RouteLabel {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for RouteLabel {}

impl Hash for RouteLabel {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl EncodeLabelValue for RouteLabel {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> std::fmt::Result {
        std::fmt::Write::write_str(encoder, self.as_str())
    }
}

/// The labels of one request's series.
#[derive(Clone, Debug, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct RequestLabels {
    /// `kgen`, `i3d`, `gamefuse`, `admin`, or `other` (health, metrics, unmatched).
    pub dialect: &'static str,
    /// The route template.
    pub route: RouteLabel,
    /// `1xx` … `5xx`.
    pub status: &'static str,
}

type HistogramFamily = Family<RequestLabels, Histogram, fn() -> Histogram>;

/// The HTTP layer's series.
#[derive(Debug)]
pub struct HttpMetrics {
    requests: Family<RequestLabels, Counter>,
    duration: HistogramFamily,
    /// The core's counters, where 4xx and 5xx answers count toward the dashboard's stats.
    stats: Option<Arc<playgate_core::metrics::Metrics>>,
}

fn duration_histogram() -> Histogram {
    // 0.25 ms to about 4 s: a cached session call and an argon2 login both land inside.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 15))
}

impl Default for HttpMetrics {
    fn default() -> Self {
        HttpMetrics {
            requests: Family::default(),
            duration: Family::new_with_constructor(duration_histogram),
            stats: None,
        }
    }
}

impl HttpMetrics {
    /// Series that also count 4xx and 5xx answers in the core's per-minute stats.
    pub fn with_stats(stats: Arc<playgate_core::metrics::Metrics>) -> Self {
        HttpMetrics {
            stats: Some(stats),
            ..HttpMetrics::default()
        }
    }

    /// Registers the series.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "http_requests",
            "HTTP requests answered, by dialect, route template and status class",
            self.requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by dialect, route template and status class",
            self.duration.clone(),
        );
    }
}

/// The dialect a route template belongs to.
fn dialect(route: &str) -> &'static str {
    if route.starts_with("/s2s/") {
        "kgen"
    } else if route.starts_with("/v3/") {
        "i3d"
    } else if route.starts_with("/api/v3/") {
        "gamefuse"
    } else if route.starts_with("/admin/") {
        "admin"
    } else {
        "other"
    }
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

impl HttpMetrics {
    /// Counts and times one answered request.
    pub fn record(&self, route: Option<MatchedPath>, status: StatusCode, elapsed: std::time::Duration) {
        let route = RouteLabel(route);
        let labels = RequestLabels {
            dialect: dialect(route.as_str()),
            route,
            status: status_class(status),
        };
        self.requests.get_or_create(&labels).inc();
        self.duration.get_or_create(&labels).observe(elapsed.as_secs_f64());
        if let Some(stats) = &self.stats {
            stats.http_answered(status.as_u16());
        }
    }
}

/// What `GET /metrics` serves: a registry of every series, and the bearer token that
/// guards it (none: open, as Prometheus endpoints usually are behind a firewall).
pub struct Exposition {
    registry: Registry,
    token: Option<SecretHash>,
}

impl Exposition {
    /// An exposition of `registry`, guarded by `token` when given.
    pub fn new(registry: Registry, token: Option<&Secret>) -> Self {
        Exposition {
            registry,
            token: token.map(Secret::hash),
        }
    }
}

/// The OpenMetrics text format, which Prometheus reads (and asks for first).
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

async fn serve(State(exp): State<Arc<Exposition>>, headers: axum::http::HeaderMap) -> Response {
    if let Some(token) = &exp.token {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default();
        // Hashes have one length, so the comparison is constant-time whatever was sent.
        if presented.is_empty() || !SecretHash::of(presented).matches(token) {
            let mut resp = (StatusCode::UNAUTHORIZED, "a bearer token is required\n").into_response();
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return resp;
        }
    }
    let mut body = String::with_capacity(16 * 1024);
    if let Err(e) = prometheus_client::encoding::text::encode(&mut body, &exp.registry) {
        tracing::error!(error = %e, "cannot encode the metrics");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response()
}

/// The `/metrics` route, for the main router or a listener of its own.
pub fn router<S: Clone + Send + Sync + 'static>(exp: Arc<Exposition>) -> Router<S> {
    Router::new().route("/metrics", get(serve)).with_state(exp)
}
