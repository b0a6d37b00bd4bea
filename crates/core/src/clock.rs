//! Time, injectable: the server uses the system clock, tests a [`ManualClock`].

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time: nanoseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Whole seconds since the epoch.
    pub fn unix_secs(self) -> i64 {
        self.0.div_euclid(1_000_000_000)
    }

    /// Milliseconds since the epoch.
    pub fn unix_millis(self) -> i64 {
        self.0.div_euclid(1_000_000)
    }

    /// This instant plus a duration (saturating).
    pub fn plus(self, d: Duration) -> Timestamp {
        Timestamp(self.0.saturating_add(nanos(d)))
    }

    /// This instant minus a duration (saturating).
    pub fn minus(self, d: Duration) -> Timestamp {
        Timestamp(self.0.saturating_sub(nanos(d)))
    }

    /// `2026-01-01T00:00:00.000Z`: ISO-8601 UTC with milliseconds, which JavaScript's
    /// `new Date()` parses.
    pub fn iso_millis(self) -> String {
        let dt = self.utc();
        format!("{}.{:03}Z", date_time(&dt, 'T'), dt.millisecond())
    }

    /// Formats like Go's `time.Time.String()` in UTC, which KGeN's responses use:
    /// `2024-09-06 05:10:53.871198445 +0000 UTC` (trailing zeros of the fraction dropped,
    /// as Go's `.999999999` layout does).
    pub fn go_string(self) -> String {
        let dt = self.utc();
        let mut frac = format!(".{:09}", dt.nanosecond());
        while frac.ends_with('0') {
            frac.pop();
        }
        if frac == "." {
            frac.clear();
        }
        format!("{}{frac} +0000 UTC", date_time(&dt, ' '))
    }

    /// This instant as a UTC date and time (the epoch if out of range).
    fn utc(self) -> time::OffsetDateTime {
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    }
}

/// `2026-01-01{sep}00:00:00`: the date and the whole seconds of a date-time.
fn date_time(dt: &time::OffsetDateTime, sep: char) -> String {
    format!(
        "{:04}-{:02}-{:02}{sep}{:02}:{:02}:{:02}",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// A source of the current time.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> Timestamp;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        Timestamp(nanos(d))
    }
}

/// A duration in nanoseconds, the unit of [`Timestamp`] (saturating at `i64::MAX`).
pub fn nanos(d: Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

/// A clock that moves only when told to: for tests of expiry and lockout windows.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: Timestamp) -> Self {
        ManualClock(AtomicI64::new(start.0))
    }

    /// Moves the clock forward.
    pub fn advance(&self, d: Duration) {
        self.0.fetch_add(nanos(d), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_format() {
        // 2024-09-06 05:10:53.871198445 UTC, the seed's example.
        let t = Timestamp(1_725_599_453_871_198_445);
        assert_eq!(t.go_string(), "2024-09-06 05:10:53.871198445 +0000 UTC");
        assert_eq!(
            Timestamp(1_725_599_453_100_000_000).go_string(),
            "2024-09-06 05:10:53.1 +0000 UTC"
        );
        assert_eq!(
            Timestamp(1_725_599_453_000_000_000).go_string(),
            "2024-09-06 05:10:53 +0000 UTC"
        );
    }
}
