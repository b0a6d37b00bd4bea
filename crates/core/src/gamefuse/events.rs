//! Counting GameFuse API calls (`events_total`, `events_current_month`) off the request
//! path.
//!
//! Every call authenticated as a user counts one event of that user. Writing the count
//! with each call would put a write transaction (and a wait for its commit) on every read.
//! Instead each node tallies calls in memory and adds the tallies to the users' rows in
//! one transaction every [`FLUSH_EVERY`] (a setting), and once more when it shuts down
//! ([`Gamefuse::flush_events`]). The additions commute, so nodes never overwrite each
//! other's counts.
//!
//! What a user sees stays exact on the node that answers: a user read from the store is
//! shown with this node's unflushed tally added ([`EventTally::settle`]). The read and the
//! tally must agree on which flushes they include, so a flush bumps a sequence number
//! before and after it writes (odd while it runs, as in a seqlock), and a read that
//! overlapped a flush waits for it to end and is done again. Other nodes' calls show
//! within [`FLUSH_EVERY`]. A crash loses at most the last [`FLUSH_EVERY`] of counts: they
//! are statistics, not balances.

use super::Gamefuse;
use crate::Result;
use crate::client_users::{ClientUser, ClientUserStore, PendingCounts};
use crate::ids::{GameId, PlayerId};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;

/// How often the tallies are written by default
/// ([`GamefuseSettings::events_flush_every`](super::GamefuseSettings::events_flush_every)).
pub const FLUSH_EVERY: Duration = Duration::from_millis(250);

/// One user's counted calls of one month (`YYYY-MM`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCount {
    /// The user.
    pub player: PlayerId,
    /// The month the calls fell in.
    pub month: String,
    /// How many.
    pub n: i64,
}

/// Adds `n` calls made in `month` to a user's counters, the way the store adds a flushed
/// tally: a later month restarts the monthly counters, an earlier one only adds to the
/// total.
pub fn add_events(user: &mut ClientUser, month: &str, n: i64) {
    user.events_total += n;
    match month.cmp(user.month.as_str()) {
        std::cmp::Ordering::Equal => user.events_month += n,
        std::cmp::Ordering::Greater => {
            user.month = month.to_owned();
            user.events_month = n;
            user.game_sessions_month = 0;
        }
        std::cmp::Ordering::Less => {}
    }
}

/// Where a read began, for [`EventTally::settle`].
#[derive(Debug, Clone, Copy)]
pub struct ReadMark(u64);

/// A read that overlapped a flush: do it again.
#[derive(Debug)]
pub struct Stale;

/// Attempts of [`EventTally::settled`] before it settles anyway (only flushes that run
/// back to back for that long get there).
const ATTEMPTS: u32 = 8;

/// This node's unflushed event counts.
#[derive(Debug)]
pub struct EventTally {
    /// Per user, (month, calls) oldest month first.
    pending: Mutex<HashMap<PlayerId, Vec<(String, i64)>>>,
    /// Bumped when a flush starts and when it ends: odd while one runs. Changed only
    /// with `pending` locked.
    flushes: watch::Sender<u64>,
    /// Held through a flush: one at a time (the sequence number counts one).
    flushing: tokio::sync::Mutex<()>,
}

impl Default for EventTally {
    fn default() -> Self {
        EventTally {
            pending: Mutex::default(),
            flushes: watch::Sender::new(0),
            flushing: tokio::sync::Mutex::new(()),
        }
    }
}

impl EventTally {
    /// Marks the start of a read whose user [`EventTally::settle`] will complete.
    pub fn mark(&self) -> ReadMark {
        ReadMark(*self.flushes.borrow())
    }

    /// Counts one call of `user` in `month` (if given) and adds this node's tally to the
    /// user as read since `mark`. `Stale` (nothing counted) if a flush ran meanwhile: the
    /// read may or may not include what it wrote. `force` settles anyway, for a caller
    /// that gave up retrying: the user is then shown without the flush in flight.
    pub fn settle(&self, mark: ReadMark, user: &mut ClientUser, month: Option<&str>, force: bool) -> Result<(), Stale> {
        let mut pending = self.lock();
        let now = *self.flushes.borrow();
        if !force && (mark.0 != now || now % 2 == 1) {
            return Err(Stale);
        }
        if let Some(month) = month {
            let counts = pending.entry(user.id).or_default();
            match counts.last_mut() {
                Some((m, n)) if m == month => *n += 1,
                _ => counts.push((month.to_owned(), 1)),
            }
        }
        for (m, n) in pending.get(&user.id).into_iter().flatten() {
            add_events(user, m, *n);
        }
        Ok(())
    }

    /// Reads with `read` and settles the user in what it read (`user_of`); a read that
    /// overlapped a flush waits for the flush to end and reads again. Whatever `read`
    /// refuses (`None`, an error) is not counted.
    pub async fn settled<T, Fut>(
        &self,
        month: Option<&str>,
        mut read: impl FnMut() -> Fut,
        user_of: impl Fn(&mut T) -> &mut ClientUser,
    ) -> Result<Option<T>>
    where
        Fut: Future<Output = Result<Option<T>>>,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mark = self.mark();
            let Some(mut v) = read().await? else { return Ok(None) };
            if self.settle(mark, user_of(&mut v), month, attempt >= ATTEMPTS).is_ok() {
                return Ok(Some(v));
            }
            // A flush that fails still ends, so this never waits for longer than one.
            let _ = self.flushes.subscribe().wait_for(|n| n % 2 == 0).await;
        }
    }

    /// Takes the tally for writing and marks a flush as running; `None` (and no flush)
    /// when there is nothing to write.
    fn begin_flush(&self) -> Option<Vec<EventCount>> {
        let mut pending = self.lock();
        if pending.is_empty() {
            return None;
        }
        self.flushes.send_modify(|n| *n += 1);
        let mut out: Vec<EventCount> = pending
            .drain()
            .flat_map(|(player, counts)| {
                counts
                    .into_iter()
                    .map(move |(month, n)| EventCount { player, month, n })
            })
            .collect();
        out.sort_by(|a, b| (a.month.as_str(), a.player.0).cmp(&(b.month.as_str(), b.player.0)));
        Some(out)
    }

    /// Ends a flush; a failed one puts its counts back, in front of newer ones.
    fn end_flush(&self, failed: Option<Vec<EventCount>>) {
        let mut pending = self.lock();
        for c in failed.into_iter().flatten().rev() {
            let counts = pending.entry(c.player).or_default();
            match counts.first_mut() {
                Some((m, n)) if *m == c.month => *n += c.n,
                _ => counts.insert(0, (c.month, c.n)),
            }
        }
        self.flushes.send_modify(|n| *n += 1);
    }

    /// The tally; its updates are whole even if a holder panicked, so a poisoned lock
    /// is taken as it is (a flush must always end).
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PlayerId, Vec<(String, i64)>>> {
        self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// What the client users' service adds to a user it has just written (a sign-in): this
/// node's tally, without counting a call.
#[async_trait::async_trait]
impl PendingCounts for EventTally {
    fn mark(&self) -> u64 {
        EventTally::mark(self).0
    }

    fn add_to(&self, mark: u64, user: &mut ClientUser) -> bool {
        self.settle(ReadMark(mark), user, None, false).is_ok()
    }

    async fn read(&self, store: &dyn ClientUserStore, game: GameId, id: PlayerId) -> Result<Option<ClientUser>> {
        self.settled(None, || store.user(game, id), |u| u).await
    }
}

impl Gamefuse {
    /// Writes this node's tally of calls to the store, in one transaction. The server
    /// calls it every `events_flush_every` and once at shutdown.
    pub async fn flush_events(&self) -> Result<()> {
        let _one_at_a_time = self.events.flushing.lock().await;
        let Some(batch) = self.events.begin_flush() else {
            return Ok(());
        };
        match self.store().add_events(&batch).await {
            Ok(()) => {
                self.core.metrics.gamefuse_flush(true);
                self.events.end_flush(None);
                Ok(())
            }
            Err(e) => {
                self.core.metrics.gamefuse_flush(false);
                self.events.end_flush(Some(batch));
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;

    fn user(month: &str, total: i64, in_month: i64) -> ClientUser {
        ClientUser {
            id: PlayerId(7),
            game_id: GameId(1),
            display_email: "a@b.org".into(),
            username: "a".into(),
            credits: 0,
            score: 0,
            number_of_logins: 0,
            last_login: None,
            events_total: total,
            events_month: in_month,
            game_sessions_total: 1,
            game_sessions_month: 1,
            month: month.into(),
            created_at: Timestamp(0),
        }
    }

    fn counters(u: &ClientUser) -> (i64, i64, i64, &str) {
        (u.events_total, u.events_month, u.game_sessions_month, u.month.as_str())
    }

    #[test]
    fn months_add_restart_or_only_total() {
        let mut u = user("2026-02", 10, 4);
        add_events(&mut u, "2026-02", 2);
        assert_eq!(counters(&u), (12, 6, 1, "2026-02"));
        add_events(&mut u, "2026-01", 3);
        assert_eq!(counters(&u), (15, 6, 1, "2026-02"), "an earlier month: total only");
        add_events(&mut u, "2026-03", 1);
        assert_eq!(counters(&u), (16, 1, 0, "2026-03"), "a later month restarts");
    }

    #[test]
    fn settled_reads_show_the_tally_and_overlapping_reads_are_stale() {
        let t = EventTally::default();
        let stored = user("2026-02", 10, 4);
        let mut u = stored.clone();
        t.settle(t.mark(), &mut u, Some("2026-02"), false).expect("clean");
        assert_eq!(counters(&u), (11, 5, 1, "2026-02"));
        let mut u = stored.clone();
        t.settle(t.mark(), &mut u, Some("2026-02"), false).expect("clean");
        assert_eq!(counters(&u), (12, 6, 1, "2026-02"), "both calls");

        // A read that began before a flush started is stale, and so is one during it;
        // neither counts its call.
        let before = t.mark();
        let batch = t.begin_flush().expect("something to write");
        assert_eq!(
            batch,
            vec![EventCount {
                player: PlayerId(7),
                month: "2026-02".into(),
                n: 2
            }]
        );
        let during = t.mark();
        assert!(t.settle(before, &mut stored.clone(), Some("2026-02"), false).is_err());
        assert!(t.settle(during, &mut stored.clone(), Some("2026-02"), false).is_err());
        t.end_flush(None);
        // After it, the store holds the two calls; a new read shows them plus its own.
        let mut flushed = stored.clone();
        add_events(&mut flushed, "2026-02", 2);
        t.settle(t.mark(), &mut flushed, Some("2026-02"), false).expect("clean");
        assert_eq!(counters(&flushed), (13, 7, 1, "2026-02"));
        assert!(
            t.settle(before, &mut stored.clone(), None, false).is_err(),
            "still stale"
        );
    }

    #[test]
    fn a_failed_flush_puts_its_counts_back_before_newer_ones() {
        let t = EventTally::default();
        let mut u = user("2026-01", 0, 0);
        t.settle(t.mark(), &mut u, Some("2026-01"), false).expect("clean");
        let batch = t.begin_flush().expect("batch");
        let mut v = user("2026-01", 0, 0);
        t.settle(t.mark(), &mut v, Some("2026-02"), true).expect("forced");
        t.end_flush(Some(batch));
        assert!(t.begin_flush().is_some_and(|b| b
            == vec![
                EventCount {
                    player: PlayerId(7),
                    month: "2026-01".into(),
                    n: 1
                },
                EventCount {
                    player: PlayerId(7),
                    month: "2026-02".into(),
                    n: 1
                },
            ]));
        t.end_flush(None);
        assert!(t.begin_flush().is_none(), "nothing left");
    }
}
