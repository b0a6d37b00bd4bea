//! Logging with `tracing`: text or JSON lines on stderr, filtered like `RUST_LOG`. Each
//! line written while a request runs names that request: `request{id="…" method=POST
//! route="/s2s/session"}:` in text, a `"request"` object in JSON. The request is the task's
//! [`RequestContext`](playgate_api::common::request_id::RequestContext), not a span (see
//! that module for the measured reason). Colour codes only when stderr is a terminal: in
//! files and journals they would be noise.

use std::fmt;
use std::io::IsTerminal as _;

use playgate_api::common::request_id::{self, RequestContext};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::{Format, Json, Writer};
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

use crate::config::{Config, LogFormat};

/// Installs the global subscriber (once, in `main`; tests log nothing).
pub fn init(config: &Config) {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|f| EnvFilter::try_new(f).ok())
        .or_else(|| EnvFilter::try_new(&config.log).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = match config.log_format {
        LogFormat::Text => builder.event_format(TextFormat).try_init(),
        LogFormat::Json => builder
            .json()
            .event_format(JsonFormat(tracing_subscriber::fmt::format().json()))
            .try_init(),
    };
}

/// The text line: `time LEVEL request{…}: spans: target: message fields`, the layout of
/// `tracing_subscriber`'s default format with the request in front of the spans.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextFormat;

fn write_request(w: &mut Writer<'_>, ctx: &RequestContext) -> fmt::Result {
    write!(
        w,
        "request{{id={:?} method={} route={:?}}}: ",
        ctx.id(),
        ctx.method,
        ctx.route()
    )
}

impl<S, N> FormatEvent<S, N> for TextFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut w: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let ansi = w.has_ansi_escapes();
        let meta = event.metadata();
        if ansi {
            w.write_str("\x1b[2m")?;
        }
        SystemTime.format_time(&mut w)?;
        if ansi {
            w.write_str("\x1b[0m")?;
        }
        let (colour, level) = match *meta.level() {
            Level::ERROR => ("\x1b[31m", "ERROR"),
            Level::WARN => ("\x1b[33m", " WARN"),
            Level::INFO => ("\x1b[32m", " INFO"),
            Level::DEBUG => ("\x1b[34m", "DEBUG"),
            Level::TRACE => ("\x1b[35m", "TRACE"),
        };
        if ansi {
            write!(w, " {colour}{level}\x1b[0m ")?;
        } else {
            write!(w, " {level} ")?;
        }
        request_id::with_current(|c| write_request(&mut w, c)).unwrap_or(Ok(()))?;
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                w.write_str(span.name())?;
                if let Some(fields) = span.extensions().get::<FormattedFields<N>>()
                    && !fields.is_empty()
                {
                    write!(w, "{{{fields}}}")?;
                }
                w.write_str(": ")?;
            }
        }
        write!(w, "{}: ", meta.target())?;
        ctx.format_fields(w.by_ref(), event)?;
        writeln!(w)
    }
}

/// `tracing_subscriber`'s JSON line with a `"request":{"id":…,"method":…,"route":…}`
/// member first while a request runs.
#[derive(Debug)]
pub struct JsonFormat(pub Format<Json>);

impl<S, N> FormatEvent<S, N> for JsonFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut w: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let Some(request) = request_id::with_current(|c| {
            let text = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"-\"".into());
            format!(
                r#""request":{{"id":{},"method":{},"route":{}}},"#,
                text(c.id()),
                text(c.method.as_str()),
                text(c.route())
            )
        }) else {
            return self.0.format_event(ctx, w, event);
        };
        let mut line = String::new();
        self.0.format_event(ctx, Writer::new(&mut line), event)?;
        match line.strip_prefix('{') {
            Some(rest) => {
                w.write_char('{')?;
                w.write_str(&request)?;
                w.write_str(rest)
            }
            None => w.write_str(&line),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::http::{HeaderValue, Method};
    use playgate_api::common::request_id::{RequestContext, scope};
    use tracing_subscriber::fmt::MakeWriter;

    use super::*;

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lines").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Lines {
        type Writer = Lines;
        fn make_writer(&'a self) -> Lines {
            self.clone()
        }
    }

    impl Lines {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().expect("lines")).into_owned()
        }
    }

    fn request(id: &'static str) -> RequestContext {
        RequestContext {
            id: HeaderValue::from_static(id),
            method: Method::POST,
            route: None,
        }
    }

    /// Logs one line outside a request and one inside, with `subscriber`.
    async fn log_both(subscriber: impl Subscriber + Send + Sync + 'static) {
        let _guard = tracing::subscriber::set_default(subscriber);
        tracing::info!(n = 1, "outside");
        scope(request("rid-\"quoted\""), async { tracing::warn!(n = 2, "inside") }).await;
    }

    #[tokio::test]
    async fn text_lines_name_the_request() {
        let lines = Lines::default();
        log_both(
            tracing_subscriber::fmt()
                .with_ansi(false)
                .with_writer(lines.clone())
                .event_format(TextFormat)
                .finish(),
        )
        .await;
        let text = lines.text();
        let all: Vec<&str> = text.lines().collect();
        assert_eq!(all.len(), 2, "{text}");
        assert!(all[0].contains(" INFO ") && all[0].ends_with("outside n=1"), "{text}");
        assert!(!all[0].contains("request{"), "{text}");
        assert!(
            all[1].contains(r#" WARN request{id="rid-\"quoted\"" method=POST route="-"}: "#),
            "{text}"
        );
        assert!(all[1].ends_with("inside n=2"), "{text}");
        assert!(!text.contains('\x1b'), "no colour codes: {text}");
    }

    #[tokio::test]
    async fn json_lines_carry_a_request_object() {
        let lines = Lines::default();
        log_both(
            tracing_subscriber::fmt()
                .json()
                .with_writer(lines.clone())
                .event_format(JsonFormat(tracing_subscriber::fmt::format().json()))
                .finish(),
        )
        .await;
        let text = lines.text();
        let all: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        assert_eq!(all.len(), 2, "{text}");
        assert!(all[0].get("request").is_none(), "{text}");
        assert_eq!(all[0]["fields"]["message"], "outside");
        assert_eq!(all[1]["request"]["id"], "rid-\"quoted\"");
        assert_eq!(all[1]["request"]["method"], "POST");
        assert_eq!(all[1]["fields"]["message"], "inside");
    }
}
