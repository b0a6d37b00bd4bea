//! The overview's charts: the stats service's per-minute series of the last 24 hours,
//! summed by hour and drawn as inline SVG on the server (bars sized by SVG attributes, the
//! colours from the stylesheet's classes: the CSP allows no inline style).

use maud::{Markup, html};
use playgate_core::clock::Timestamp;
use playgate_core::metrics::StatSeries;
use playgate_core::stats::MinuteCount;

/// Bars of a chart: one an hour.
pub const BARS: usize = 24;
const HOUR_NANOS: i64 = 3_600_000_000_000;
const WIDTH: i64 = 240;
const HEIGHT: i64 = 60;

/// The series the overview draws, with their titles.
pub const SERIES_SHOWN: [(StatSeries, &str); 7] = [
    (StatSeries::SessionsOpened, "Sessions opened"),
    (StatSeries::Refreshes, "Token refreshes"),
    (StatSeries::LoginsSucceeded, "Logins succeeded"),
    (StatSeries::LoginsFailed, "Logins failed"),
    (StatSeries::Lockouts, "Lockouts"),
    (StatSeries::Http4xx, "HTTP 4xx answers"),
    (StatSeries::Http5xx, "HTTP 5xx answers"),
];

/// One chart: a series summed by hour, oldest first (the last bar is the current hour).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// The series' name (`sessions_opened`).
    pub name: &'static str,
    /// Its title.
    pub title: &'static str,
    /// Events per hour, oldest first.
    pub hours: [i64; BARS],
}

impl Chart {
    /// Events in the 24 hours.
    pub fn total(&self) -> i64 {
        self.hours.iter().sum()
    }
}

/// The charts of `minutes` (the stats service's series) as of `now`.
pub fn charts_of(minutes: &[MinuteCount], now: Timestamp) -> Vec<Chart> {
    let current_hour = now.0.div_euclid(HOUR_NANOS);
    SERIES_SHOWN
        .iter()
        .map(|(series, title)| {
            let mut hours = [0; BARS];
            for m in minutes.iter().filter(|m| m.series == *series) {
                let ago = current_hour - m.minute.0.div_euclid(HOUR_NANOS);
                if let Ok(ago) = usize::try_from(ago)
                    && ago < BARS
                {
                    hours[BARS - 1 - ago] += m.count;
                }
            }
            Chart {
                name: series.as_str(),
                title,
                hours,
            }
        })
        .collect()
}

/// A chart as a figure: its title and total, and an SVG bar per hour (each with a
/// `<title>` for a tooltip and screen readers).
pub fn chart(c: &Chart) -> Markup {
    let max = c.hours.iter().copied().max().unwrap_or(0).max(1);
    let bar = WIDTH / BARS as i64;
    html! {
        figure.chart #{ "chart-" (c.name) } {
            figcaption { (c.title) ": " strong { (c.total()) } span.muted { " in 24 h" } }
            svg viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } width="100%" height="60" role="img"
                aria-label={ (c.title) ", per hour, last 24 hours: " (c.total()) " in all" }
                preserveAspectRatio="none" {
                line.axis x1="0" y1=(HEIGHT - 1) x2=(WIDTH) y2=(HEIGHT - 1) {}
                @for (i, n) in c.hours.iter().enumerate() {
                    @let h = if *n == 0 { 0 } else { (n * (HEIGHT - 4) / max).max(2) };
                    rect.bar x=(i as i64 * bar + 1) y=(HEIGHT - 1 - h) width=(bar - 2) height=(h) {
                        title { (n) " in the hour " (BARS - i - 1) " h ago" }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_are_summed_by_hour_and_drawn_without_inline_style() {
        let now = Timestamp(100 * HOUR_NANOS + 30 * 60_000_000_000);
        let at = |hours_ago: i64| Timestamp((100 - hours_ago) * HOUR_NANOS + 60_000_000_000);
        let minutes = [
            MinuteCount {
                series: StatSeries::SessionsOpened,
                minute: at(0),
                count: 3,
            },
            MinuteCount {
                series: StatSeries::SessionsOpened,
                minute: at(0),
                count: 2,
            },
            MinuteCount {
                series: StatSeries::SessionsOpened,
                minute: at(23),
                count: 7,
            },
            MinuteCount {
                series: StatSeries::SessionsOpened,
                minute: at(30),
                count: 100,
            },
            MinuteCount {
                series: StatSeries::Lockouts,
                minute: at(1),
                count: 1,
            },
        ];
        let charts = charts_of(&minutes, now);
        assert_eq!(charts.len(), SERIES_SHOWN.len());
        assert_eq!(charts[0].hours[23], 5);
        assert_eq!(charts[0].hours[0], 7);
        assert_eq!(charts[0].total(), 12, "older than 24 h is left out");
        assert_eq!(charts[4].hours[22], 1);
        let svg = chart(&charts[0]).into_string();
        assert!(svg.contains("<svg"), "{svg}");
        assert_eq!(svg.matches("<rect").count(), BARS);
        assert!(!svg.contains("style"), "{svg}");
        assert!(svg.contains("Sessions opened, per hour, last 24 hours: 12 in all"));
    }
}
