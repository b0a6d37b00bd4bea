//! Counters of the core's decisions (sessions, logins, one-time codes, the password
//! pool, the GameFuse tally), kept as values in the core and exposed by whoever assembles
//! a registry (the server's `/metrics`). Every series is created up front, so counting on
//! a hot path is one atomic increment: no label lookup, no allocation.
//!
//! Beside them, the counts of the admin API's per-minute stats ([`StatSeries`]): one more
//! atomic increment on the same paths, taken and written to the database every few seconds
//! by [`crate::stats::Stats::flush`].

use std::sync::atomic::{AtomicU64, Ordering};

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

/// Labels of a login outcome: the surface it came through and what happened.
type LoginLabels = [(&'static str, &'static str); 2];

/// How a login ended, for [`Metrics::login`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginOutcome {
    /// The password (and, for two-factor logins, the code) was right.
    Succeeded,
    /// Wrong credentials.
    Failed,
    /// Refused without a check: too many failures (or the password pool is full).
    LockedOut,
}

/// How many [`StatSeries`] there are.
pub const SERIES: usize = 7;

/// A series of the admin API's per-minute stats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatSeries {
    /// New sessions (KGeN sessions created, GameFuse sign-ups and sign-ins).
    SessionsOpened,
    /// Sessions given a new token pair.
    Refreshes,
    /// Password logins that succeeded (i3D, GameFuse).
    LoginsSucceeded,
    /// Password logins refused for wrong credentials.
    LoginsFailed,
    /// Logins refused without a check: too many failures.
    Lockouts,
    /// HTTP answers with a 4xx status (every surface).
    Http4xx,
    /// HTTP answers with a 5xx status (every surface).
    Http5xx,
}

impl StatSeries {
    /// Every series, in the order of [`Metrics::take_stats`].
    pub const ALL: [StatSeries; SERIES] = [
        StatSeries::SessionsOpened,
        StatSeries::Refreshes,
        StatSeries::LoginsSucceeded,
        StatSeries::LoginsFailed,
        StatSeries::Lockouts,
        StatSeries::Http4xx,
        StatSeries::Http5xx,
    ];

    /// Its name, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            StatSeries::SessionsOpened => "sessions_opened",
            StatSeries::Refreshes => "refreshes",
            StatSeries::LoginsSucceeded => "logins_succeeded",
            StatSeries::LoginsFailed => "logins_failed",
            StatSeries::Lockouts => "lockouts",
            StatSeries::Http4xx => "http_4xx",
            StatSeries::Http5xx => "http_5xx",
        }
    }

    /// The series stored under `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    fn index(self) -> usize {
        match self {
            StatSeries::SessionsOpened => 0,
            StatSeries::Refreshes => 1,
            StatSeries::LoginsSucceeded => 2,
            StatSeries::LoginsFailed => 3,
            StatSeries::Lockouts => 4,
            StatSeries::Http4xx => 5,
            StatSeries::Http5xx => 6,
        }
    }
}

/// The core's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Counts of the [`StatSeries`] not yet written, by [`StatSeries::index`].
    stats: [AtomicU64; SERIES],
    sessions_opened: Family<[(&'static str, &'static str); 1], Counter>,
    opened_new: Counter,
    opened_existing: Counter,
    /// Sessions given a new token pair.
    pub(crate) refreshed: Counter,
    /// Sessions ended by their game.
    pub(crate) ended: Counter,
    /// Refresh tokens presented again after rotation (the session is ended).
    pub(crate) refresh_reuse: Counter,
    logins: Family<LoginLabels, Counter>,
    /// Wrong one-time codes (TOTP or recovery) at login.
    pub(crate) otp_failures: Counter,
    gamefuse_flushes: Family<[(&'static str, &'static str); 1], Counter>,
}

impl Metrics {
    /// Counters at zero, with every labelled series created.
    pub fn new() -> Self {
        let m = Metrics::default();
        let opened_new = m.sessions_opened.get_or_create_owned(&[("kind", "new")]);
        let opened_existing = m.sessions_opened.get_or_create_owned(&[("kind", "existing")]);
        for dialect in ["i3d", "gamefuse"] {
            for outcome in ["succeeded", "failed", "locked_out"] {
                let _ = m.logins.get_or_create(&[("dialect", dialect), ("outcome", outcome)]);
            }
        }
        for outcome in ["ok", "error"] {
            let _ = m.gamefuse_flushes.get_or_create(&[("outcome", outcome)]);
        }
        Metrics {
            opened_new,
            opened_existing,
            ..m
        }
    }

    /// Counts a session opened: a new one, or the live one returned again.
    pub(crate) fn session_opened(&self, new: bool) {
        if new {
            self.opened_new.inc();
            self.stat(StatSeries::SessionsOpened);
        } else {
            self.opened_existing.inc();
        }
    }

    /// Counts an HTTP answer of status `status` in the stats when it is a 4xx or a 5xx
    /// (one atomic increment; nothing for the others).
    pub fn http_answered(&self, status: u16) {
        match status {
            400..=499 => self.stat(StatSeries::Http4xx),
            500..=599 => self.stat(StatSeries::Http5xx),
            _ => {}
        }
    }

    /// Counts one event of a stats series (one atomic increment).
    pub(crate) fn stat(&self, series: StatSeries) {
        self.stats[series.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a session given a new token pair.
    pub(crate) fn session_refreshed(&self) {
        self.refreshed.inc();
        self.stat(StatSeries::Refreshes);
    }

    /// The counts of each series (in the order of [`StatSeries::ALL`]) since the last
    /// take, leaving zeros.
    pub fn take_stats(&self) -> [u64; SERIES] {
        StatSeries::ALL.map(|s| self.stats[s.index()].swap(0, Ordering::Relaxed))
    }

    /// Puts counts taken by [`take_stats`](Self::take_stats) back (their write failed).
    pub fn restore_stats(&self, counts: [u64; SERIES]) {
        for (s, n) in StatSeries::ALL.into_iter().zip(counts) {
            self.stats[s.index()].fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Counts a login through `dialect` (a static name: `i3d` or `gamefuse`).
    pub(crate) fn login(&self, dialect: &'static str, outcome: LoginOutcome) {
        let (outcome, series) = match outcome {
            LoginOutcome::Succeeded => ("succeeded", StatSeries::LoginsSucceeded),
            LoginOutcome::Failed => ("failed", StatSeries::LoginsFailed),
            LoginOutcome::LockedOut => ("locked_out", StatSeries::Lockouts),
        };
        self.stat(series);
        self.logins
            .get_or_create(&[("dialect", dialect), ("outcome", outcome)])
            .inc();
    }

    /// Counts a login's outcome from the core's answer: `Unauthorized` is a failure,
    /// `RateLimited` a lock-out; other errors (bad input, conflicts, faults) are not logins.
    pub(crate) fn login_result<T>(&self, dialect: &'static str, res: &crate::Result<T>) {
        match res {
            Ok(_) => self.login(dialect, LoginOutcome::Succeeded),
            Err(crate::Error::Unauthorized(_)) => self.login(dialect, LoginOutcome::Failed),
            Err(crate::Error::RateLimited { .. }) => self.login(dialect, LoginOutcome::LockedOut),
            Err(_) => {}
        }
    }

    /// Counts one write of the GameFuse tally.
    pub(crate) fn gamefuse_flush(&self, ok: bool) {
        let outcome = if ok { "ok" } else { "error" };
        self.gamefuse_flushes.get_or_create(&[("outcome", outcome)]).inc();
    }

    /// Registers the counters (names get the registry's prefix).
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "sessions_opened",
            "Player sessions opened: kind=new, or the live one returned (existing)",
            self.sessions_opened.clone(),
        );
        registry.register(
            "sessions_refreshed",
            "Sessions given a new token pair",
            self.refreshed.clone(),
        );
        registry.register("sessions_ended", "Sessions ended by their game", self.ended.clone());
        registry.register(
            "refresh_reuse_detected",
            "Rotated refresh tokens presented again (the session was ended)",
            self.refresh_reuse.clone(),
        );
        registry.register(
            "logins",
            "Password logins by dialect and outcome (succeeded, failed, locked_out)",
            self.logins.clone(),
        );
        registry.register(
            "otp_failures",
            "Wrong one-time codes at login",
            self.otp_failures.clone(),
        );
        registry.register(
            "gamefuse_tally_flushes",
            "Writes of the GameFuse call tally, by outcome",
            self.gamefuse_flushes.clone(),
        );
    }
}
