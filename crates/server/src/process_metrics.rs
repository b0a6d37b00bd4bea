//! The process's own series, read from `/proc/self` at scrape time: resident memory, CPU
//! seconds, open file descriptors, uptime; and the build (version and commit).

use std::time::Instant;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric as _};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

/// The commit this binary was built from (`PLAYGATE_COMMIT` or `git` at build time).
pub const COMMIT: &str = env!("PLAYGATE_COMMIT");

/// Clock ticks per second of `/proc/self/stat`'s CPU times. Linux fixes USER_HZ at 100
/// for user space on every architecture it runs on.
const TICKS_PER_SEC: f64 = 100.0;

/// Reads the process series on each scrape.
#[derive(Debug)]
pub struct Process {
    started: Instant,
}

impl Process {
    /// Uptime counts from now.
    pub fn new() -> Self {
        Process {
            started: Instant::now(),
        }
    }
}

impl Default for Process {
    fn default() -> Self {
        Self::new()
    }
}

/// Resident set size in bytes (`VmRSS` of `/proc/self/status`).
fn resident_bytes() -> Option<i64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: i64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// User plus system CPU time in seconds (fields 14 and 15 of `/proc/self/stat`, counted
/// after the parenthesised command name, which may itself hold spaces).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    #[expect(clippy::cast_precision_loss, reason = "ticks stay far below 2^52")]
    Some((utime + stime) as f64 / TICKS_PER_SEC)
}

/// Open file descriptors (entries of `/proc/self/fd`, less the one reading it).
fn open_fds() -> Option<i64> {
    let n = std::fs::read_dir("/proc/self/fd").ok()?.count();
    i64::try_from(n.saturating_sub(1)).ok()
}

impl Collector for Process {
    fn encode(&self, mut encoder: DescriptorEncoder) -> std::fmt::Result {
        if let Some(rss) = resident_bytes() {
            let g = ConstGauge::new(rss);
            g.encode(encoder.encode_descriptor(
                "process_resident_memory_bytes",
                "Resident memory size in bytes",
                None,
                g.metric_type(),
            )?)?;
        }
        if let Some(cpu) = cpu_seconds() {
            let c = ConstCounter::new(cpu);
            c.encode(encoder.encode_descriptor(
                "process_cpu_seconds",
                "User and system CPU time spent, seconds",
                None,
                c.metric_type(),
            )?)?;
        }
        if let Some(fds) = open_fds() {
            let g = ConstGauge::new(fds);
            g.encode(encoder.encode_descriptor("process_open_fds", "Open file descriptors", None, g.metric_type())?)?;
        }
        let up = ConstGauge::new(self.started.elapsed().as_secs_f64());
        up.encode(encoder.encode_descriptor(
            "playgate_uptime_seconds",
            "Seconds since this server started",
            None,
            up.metric_type(),
        )?)?;
        let info =
            prometheus_client::metrics::info::Info::new([("version", env!("CARGO_PKG_VERSION")), ("commit", COMMIT)]);
        info.encode(encoder.encode_descriptor("playgate_build", "The running build", None, info.metric_type())?)?;
        Ok(())
    }
}
