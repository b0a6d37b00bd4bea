//! Counting SQL statements: the store's per-statement events
//! ([`playgate_store::STATEMENT_TARGET`], on both drivers, `BEGIN`/`COMMIT` of a
//! PostgreSQL transaction included) seen by a subscriber of the test's own runtime, so
//! tests running beside it are not counted.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt;

use super::Backend;
use super::logs::run_with;

/// Counts per-statement events of either driver, but for `PRAGMA`s (connection set-up,
/// which happens when a pool decides, not per request).
pub struct Count(Arc<AtomicUsize>);

/// Whether an event's statement (its message) is a `PRAGMA`.
#[derive(Default)]
struct Pragma(bool);

impl tracing::field::Visit for Pragma {
    fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
        if f.name() == "message" {
            self.0 |= format!("{v:?}").trim_start_matches('"').starts_with("PRAGMA");
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for Count {
    fn on_event(&self, e: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let target = e.metadata().target();
        if target == playgate_store::STATEMENT_TARGET {
            let mut pragma = Pragma::default();
            e.record(&mut pragma);
            if !pragma.0 {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}

/// Runs `test(backend, counter)` on a runtime of its own whose threads count statements
/// into `counter`.
pub fn counted<F: Future<Output = ()>>(test: impl FnOnce(Backend, Arc<AtomicUsize>) -> F, b: Backend) {
    let counter = Arc::new(AtomicUsize::new(0));
    let subscriber = tracing_subscriber::registry().with(Count(counter.clone()));
    run_with(subscriber.into(), test(b, counter));
}

/// A server configuration for counting: fast password hashing, and no background write
/// (GameFuse event or stats flush) inside a counted request; the flush at shutdown still
/// runs.
pub fn for_counting(c: &mut playgate_server::config::Config) {
    super::cheap_hashes(c);
    c.gamefuse_events_flush_ms = 3_600_000;
    c.stats_flush_ms = 0;
}
