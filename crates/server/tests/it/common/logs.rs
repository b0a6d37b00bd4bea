//! A tracing subscriber of a test's own: the default on every thread of the test's own
//! runtime (and on the SQLite writer thread, which takes its opener's), so a test reads
//! what its server logged, or counts its statements, while other tests run beside it in
//! the same process.

use std::cell::RefCell;
use std::future::Future;
use std::io::Write;
use std::sync::{Arc, Mutex};

use tracing::Dispatch;
use tracing::dispatcher::DefaultGuard;

use super::Backend;

thread_local! {
    /// The runtime thread's subscriber, for as long as the thread runs.
    static SCOPE: RefCell<Option<DefaultGuard>> = const { RefCell::new(None) };
}

/// Runs `test` on a runtime of its own (multi-thread, 4 workers, as the other tests) whose
/// every thread logs to `dispatch`.
pub fn run_with(dispatch: Dispatch, test: impl Future<Output = ()>) {
    let for_threads = dispatch.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .on_thread_start(move || {
            SCOPE.with(|s| *s.borrow_mut() = Some(tracing::dispatcher::set_default(&for_threads)));
        })
        .on_thread_stop(|| {
            SCOPE.with(|s| s.borrow_mut().take());
        })
        .build()
        .expect("runtime");
    let _on_this_thread = tracing::dispatcher::set_default(&dispatch);
    runtime.block_on(test);
}

/// What one test's servers logged, at `debug`, in the server's text format.
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }

    fn dispatch(&self) -> Dispatch {
        let writer = self.clone();
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .event_format(playgate_server::telemetry::TextFormat)
            .finish()
            .into()
    }
}

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `test(backend, logs)` with its logs captured (the runner of
/// `on_both_backends!(logged => ..)`).
pub fn logged<F: Future<Output = ()>>(test: impl FnOnce(Backend, Logs) -> F, backend: Backend) {
    let logs = Logs::default();
    run_with(logs.dispatch(), test(backend, logs.clone()));
}
