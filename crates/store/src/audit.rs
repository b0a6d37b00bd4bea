//! `impl AuditStore for SqlStore`: the audit log, every query once for both backends.

use async_trait::async_trait;
use playgate_core::audit::{
    AuditEvent, AuditFilter, AuditStore, GAME_ACTOR_PREFIX, NewAuditEvent, Origin, PLAYER_SUBJECT_PREFIX,
    SESSION_SUBJECT_PREFIX,
};
use playgate_core::clock::Timestamp;
use playgate_core::ids::GameId;
use playgate_core::{Error, Result};

use crate::SqlStore;
use crate::exec::{Conn, P, params, row};

const AUDIT_COLS: &str = "id, at, action, actor, game_id, subject, ip, user_agent, detail";

/// The columns an event is inserted with, in the order of [`EventValues::params`].
const INSERT_COLS: &str = "at, action, actor, game_id, subject, ip, user_agent, detail";

/// Inserts one event (`$1` … `$8` as [`EventValues::params`]).
const INSERT_ONE: &str = "INSERT INTO audit_events (at, action, actor, game_id, subject, ip, user_agent, detail) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

row! {
    /// An event as its row stores it, owned (so that a write job can take it along).
    #[derive(Debug, Clone)]
    pub(crate) struct EventValues {
    at: i64,
    action: String,
    actor: String,
    game_id: Option<i64>,
    subject: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    detail: String,}
}

impl EventValues {
    /// The row of `e` recorded at `at`.
    pub(crate) fn of(e: &NewAuditEvent, at: Timestamp) -> Self {
        EventValues {
            at: at.0,
            action: e.action.clone(),
            actor: e.actor.label(),
            game_id: e.game.map(|g| g.0),
            subject: e.subject.clone(),
            ip: e.origin.ip.clone(),
            user_agent: e.origin.user_agent.clone(),
            detail: e.detail.to_string(),
        }
    }

    /// The same row with `subject`, if it has none.
    pub(crate) fn or_subject(mut self, subject: impl FnOnce() -> String) -> Self {
        if self.subject.is_none() {
            self.subject = Some(subject());
        }
        self
    }

    /// The event with this game when it names none.
    pub(crate) fn or_game(mut self, game: i64) -> Self {
        self.game_id = self.game_id.or(Some(game));
        self
    }

    /// Its values in the order of [`INSERT_COLS`].
    pub(crate) fn params(&self) -> [P<'_>; 8] {
        [
            P::I64(self.at),
            P::str(&self.action),
            P::str(&self.actor),
            P::OptI64(self.game_id),
            P::opt_str(self.subject.as_deref()),
            P::opt_str(self.ip.as_deref()),
            P::opt_str(self.user_agent.as_deref()),
            P::str(&self.detail),
        ]
    }
}

/// Appends events, in one statement, on `c` (inside the write they record).
pub(crate) async fn insert_events(c: &mut Conn<'_>, events: &[EventValues]) -> Result<()> {
    match events {
        [] => Ok(()),
        [one] => c.execute(INSERT_ONE, &one.params()).await.map(drop),
        many => {
            let rows: Vec<String> = (0..many.len())
                .map(|r| {
                    let cols: Vec<String> = (1..=8).map(|i| format!("${}", r * 8 + i)).collect();
                    format!("({})", cols.join(", "))
                })
                .collect();
            let sql = format!("INSERT INTO audit_events ({INSERT_COLS}) VALUES {}", rows.join(", "));
            let ps: Vec<P<'_>> = many.iter().flat_map(EventValues::params).collect();
            c.execute(&sql, &ps).await.map(drop)
        }
    }
}

/// An `INSERT` of one event (its values the parameters after the first `k`, in the order
/// of [`EventValues::params`]) for each row of `cte`: the event of a PostgreSQL statement
/// whose data-modifying CTE `cte` returns a row when it wrote.
pub(crate) fn event_from(cte: &str, k: usize) -> String {
    let values: Vec<String> = (k + 1..=k + 8).map(|i| format!("${i}")).collect();
    format!(
        "INSERT INTO audit_events ({INSERT_COLS}) SELECT {} FROM {cte}",
        values.join(", ")
    )
}

/// Inserts one event on its session's chain (`$1` … `$8` as [`EventValues::params`], `$9`
/// the session's id): its previous event is the one the session names (migration 0018).
const INSERT_CHAINED: &str = "INSERT INTO audit_events \
     (at, action, actor, game_id, subject, ip, user_agent, detail, chain, prev_event) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, (SELECT last_event FROM sessions WHERE id = $9))";

/// `walk(id)`: the events on the chains of the sessions that `heads` (a `SELECT
/// last_event FROM sessions WHERE …`) selects, newest to oldest; an event pruned from the
/// log ends its chain there.
pub(crate) fn walk(heads: &str) -> String {
    format!(
        "WITH RECURSIVE walk(id) AS ({heads} AND last_event IS NOT NULL \
         UNION ALL SELECT e.prev_event FROM audit_events e JOIN walk ON e.id = walk.id \
         WHERE e.prev_event IS NOT NULL) "
    )
}

/// [`audited_update`] of one session (`session` its id), whose event is about that session
/// (its subject `session:<id>`) or its player (`player:<user id>`, the caller's word for
/// it). On SQLite the event goes on the session's chain instead of
/// into the subject index (migration 0018): the session's row, which the change rewrites
/// anyway, keeps the newest event, each event the one before. An entry in the subject index
/// went to a random page, and that page was most of what the event cost
/// (`bench/results/audit-sqlite-mechanism-20261204/`). On PostgreSQL, [`audited_update`].
pub(crate) async fn chained_update(
    c: &mut Conn<'_>,
    update: &str,
    ps: &[P<'_>],
    event: Option<&EventValues>,
    session: &str,
) -> Result<u64> {
    let about_it = event.is_some_and(|e| match e.subject.as_deref() {
        Some(s) => s.starts_with(PLAYER_SUBJECT_PREFIX) || s.strip_prefix(SESSION_SUBJECT_PREFIX) == Some(session),
        None => false,
    });
    let Some(event) = event.filter(|_| about_it && !c.is_postgres()) else {
        return audited_update(c, update, ps, event).await;
    };
    let n = c.execute(update, ps).await?;
    if n > 0 {
        let mut all = event.params().to_vec();
        all.push(P::str(session));
        c.execute(INSERT_CHAINED, &all).await?;
        c.execute(
            "UPDATE sessions SET last_event = last_insert_rowid() WHERE id = $1",
            params![session],
        )
        .await?;
    }
    Ok(n)
}

/// Takes the events off the chains of the sessions `sessions` (a condition on `sessions`,
/// its parameter `$1`) selects, before they are deleted: the subject index finds them
/// again. Nothing to do on PostgreSQL, which chains nothing.
pub(crate) async fn unchain(c: &mut Conn<'_>, sessions: &str, owner: i64) -> Result<()> {
    if c.is_postgres() {
        return Ok(());
    }
    let sql = format!(
        "{}UPDATE audit_events SET chain = NULL WHERE id IN (SELECT id FROM walk)",
        walk(&format!("SELECT last_event FROM sessions WHERE {sessions}"))
    );
    c.execute(&sql, params![owner]).await.map(drop)
}

/// Runs `update` (one `UPDATE` with its parameters `ps`) and records `event`, if there is
/// one, if it changed a row; returns how many it changed. On PostgreSQL one statement (the
/// insert reads the update's `RETURNING` in a CTE), on SQLite two (the caller's job runs
/// atomically).
pub(crate) async fn audited_update(
    c: &mut Conn<'_>,
    update: &str,
    ps: &[P<'_>],
    event: Option<&EventValues>,
) -> Result<u64> {
    let Some(event) = event else {
        return c.execute(update, ps).await;
    };
    if !c.is_postgres() {
        let n = c.execute(update, ps).await?;
        if n > 0 {
            insert_events(c, std::slice::from_ref(event)).await?;
        }
        return Ok(n);
    }
    let sql = format!(
        "WITH changed AS ({update} RETURNING 1) {}",
        event_from("changed", ps.len())
    );
    let mut all = ps.to_vec();
    all.extend(event.params());
    c.execute(&sql, &all).await
}

row! {
    /// A stored event: its id and its values ([`AUDIT_COLS`]).
    struct AuditRow {
        id: i64,
        #[flatten]
        event: EventValues,
    }
}

impl TryFrom<AuditRow> for AuditEvent {
    type Error = Error;

    fn try_from(AuditRow { id, event: e }: AuditRow) -> Result<Self> {
        Ok(AuditEvent {
            id,
            at: Timestamp(e.at),
            action: e.action,
            actor: e.actor,
            game: e.game_id.map(GameId),
            subject: e.subject,
            origin: Origin {
                ip: e.ip,
                user_agent: e.user_agent,
            },
            detail: serde_json::from_str(&e.detail).map_err(Error::internal)?,
        })
    }
}

/// How far an event's `at` may run behind that of an event with a smaller id on SQLite:
/// the time a request may wait for the writer, with room to spare. An event recorded
/// after the system clock stepped back by more could be left out of a list bounded by
/// time (and be pruned late).
const AT_ORDER_SLACK_NANOS: i64 = 60 * 1_000_000_000;

/// An id range standing in for a time range (SQLite has no index on `at`): every event of
/// the time range has an id in it.
#[derive(Debug, Default, Clone, Copy)]
struct IdRange {
    from: Option<i64>,
    below: Option<i64>,
}

/// The id range of `since` … `until` on SQLite; nothing on PostgreSQL, which keeps an
/// index on `at`.
async fn id_range(c: &mut Conn<'_>, since: Option<Timestamp>, until: Option<Timestamp>) -> Result<IdRange> {
    if c.is_postgres() {
        return Ok(IdRange::default());
    }
    let mut ids = IdRange::default();
    if let Some(t) = since {
        ids.from = Some(first_id_from(c, t.0.saturating_sub(AT_ORDER_SLACK_NANOS)).await?);
    }
    if let Some(t) = until {
        ids.below = Some(first_id_from(c, t.0.saturating_add(AT_ORDER_SLACK_NANOS)).await?);
    }
    Ok(ids)
}

row! {
    struct IdAt {
    id: i64,
    at: i64,}
}

/// The first id whose event may have been recorded at `t` or later, by a binary search
/// over the rowid (each step one lookup by id). What it proves: every event below it is
/// no later in the log than one recorded before `t`, so it was recorded before `t` plus
/// the slack; every event from it on is no earlier than one recorded at `t` or later (or
/// there is none), so it was recorded at `t` minus the slack or later. Callers widen `t`
/// by the slack.
async fn first_id_from(c: &mut Conn<'_>, t: i64) -> Result<i64> {
    let Some(last) = c
        .scalar_optional::<i64>("SELECT id FROM audit_events ORDER BY id DESC LIMIT 1", &[])
        .await?
    else {
        return Ok(0);
    };
    let (mut lo, mut hi) = (0_i64, last.saturating_add(1));
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let next: Option<IdAt> = c
            .fetch_optional(
                "SELECT id, at FROM audit_events WHERE id >= $1 ORDER BY id LIMIT 1",
                params![mid],
            )
            .await?;
        match next {
            Some(e) if e.at < t => lo = e.id.saturating_add(1),
            _ => hi = mid,
        }
    }
    Ok(lo)
}

/// The `WHERE` clause and parameters of a filter (its texts borrowed from it), with the
/// id range that stands in for its times on SQLite.
/// Its parameters are numbered after the first `after`.
fn conditions(f: &AuditFilter, ids: IdRange, subject: SubjectPart, after: usize) -> (String, Vec<P<'_>>) {
    // Each condition with its parameters, one `?` each, numbered below.
    let mut conds: Vec<(&str, Vec<P<'_>>)> = Vec::new();
    if let Some(g) = f.game {
        conds.push(("game_id = ?", vec![P::I64(g.0)]));
    }
    if let Some(id) = ids.from {
        conds.push(("id >= ?", vec![P::I64(id)]));
    }
    if let Some(id) = ids.below {
        conds.push(("id < ?", vec![P::I64(id)]));
    }
    if let Some(t) = f.since {
        conds.push(("at >= ?", vec![P::I64(t.0)]));
    }
    if let Some(t) = f.until {
        conds.push(("at < ?", vec![P::I64(t.0)]));
    }
    if let Some(id) = f.before_id {
        conds.push(("id < ?", vec![P::I64(id)]));
    }
    if let Some(a) = f.actor.as_deref() {
        match a.strip_prefix(GAME_ACTOR_PREFIX).and_then(|id| id.parse::<i64>().ok()) {
            // A game acts only on itself, and its events are left out of the actor index
            // on SQLite (migration 0017): they are found through the game's.
            Some(game) => conds.push(("game_id = ? AND actor = ?", vec![P::I64(game), P::str(a)])),
            // Said out loud, so that SQLite may use its partial actor index.
            None => conds.push(("actor = ? AND actor NOT LIKE 'game:%'", vec![P::str(a)])),
        }
    }
    if let Some(s) = f.subject.as_deref() {
        match subject {
            // Said out loud, so that SQLite may use its partial subject index.
            SubjectPart::Indexed => conds.push(("subject = ? AND chain IS NULL", vec![P::str(s)])),
            SubjectPart::Chained => conds.push((
                "subject = ? AND chain IS NOT NULL AND id IN (SELECT id FROM walk)",
                vec![P::str(s)],
            )),
        }
    }
    match f.action.as_deref() {
        // A family of actions (`session.`): compared by its first characters, so that no
        // LIKE wildcard in the text matters.
        Some(a) if a.ends_with('.') => {
            let n = i64::try_from(a.chars().count()).unwrap_or(i64::MAX);
            conds.push(("substr(action, 1, CAST(? AS INTEGER)) = ?", vec![P::I64(n), P::str(a)]));
        }
        Some(a) => conds.push(("action = ?", vec![P::str(a)])),
        None => {}
    }
    let mut sql = Vec::new();
    let mut ps = Vec::new();
    for (cond, params) in conds {
        let mut c = cond.to_owned();
        for p in params {
            ps.push(p);
            c = c.replacen('?', &format!("${}", after + ps.len()), 1);
        }
        sql.push(c);
    }
    let clause = if sql.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", sql.join(" AND "))
    };
    (clause, ps)
}

/// Where a subject's events are looked for: in the subject index, or (a session's own
/// events on SQLite, migration 0018) on the session's chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SubjectPart {
    Indexed,
    Chained,
}

/// The sessions whose chains may hold events about `subject` (a condition on `sessions`
/// with its parameter `$k`, and that parameter): a session's own, a player's all of its
/// sessions (in any game: the subject does not name one).
fn chained_sessions(subject: &str, k: usize) -> Option<(String, &str)> {
    if let Some(id) = subject.strip_prefix(SESSION_SUBJECT_PREFIX) {
        return Some((format!("id = ${k}"), id));
    }
    let user = subject.strip_prefix(PLAYER_SUBJECT_PREFIX)?;
    // Every game named, so that `players (game_id, user_id)` finds the user id.
    let players = format!("SELECT id FROM players WHERE game_id IN (SELECT id FROM games) AND user_id = ${k}");
    Some((format!("player_id IN ({players})"), user))
}

/// The statement listing the events of `f`, newest first, and its parameters. The events
/// about a session or a player on SQLite are those of the subject index and those on the
/// chains of its sessions (`lite`).
fn list_statement(f: &AuditFilter, ids: IdRange, lite: bool) -> (String, Vec<P<'_>>) {
    let (clause, mut ps) = conditions(f, ids, SubjectPart::Indexed, 0);
    let chained = f.subject.as_deref().filter(|_| lite).and_then(|s| {
        let (more_sql, more) = conditions(f, ids, SubjectPart::Chained, ps.len());
        let k = ps.len() + more.len() + 1;
        chained_sessions(s, k).map(|(sessions, key)| (more_sql, more, sessions, key))
    });
    let sql = match chained {
        None => format!("SELECT {AUDIT_COLS} FROM audit_events {clause}"),
        Some((chained, more, sessions, key)) => {
            ps.extend(more);
            ps.push(P::str(key));
            let heads = format!("SELECT last_event FROM sessions WHERE {sessions}");
            format!(
                "{}SELECT {AUDIT_COLS} FROM audit_events {clause} \
                 UNION ALL SELECT {AUDIT_COLS} FROM audit_events {chained}",
                walk(&heads)
            )
        }
    };
    ps.push(P::I64(i64::from(f.limit)));
    (format!("{sql} ORDER BY id DESC LIMIT ${}", ps.len()), ps)
}

/// Appends an event recorded at `at` on `c`: inside the transaction of the change it
/// records, so that the change and its record are written together or not at all.
pub(crate) async fn insert_audit_in(c: &mut Conn<'_>, e: &NewAuditEvent, at: Timestamp) -> Result<()> {
    insert_events(c, &[EventValues::of(e, at)]).await
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn insert_audit(&self, e: &NewAuditEvent, at: Timestamp) -> Result<()> {
        let ev = EventValues::of(e, at);
        self.write_one(async move |c| insert_events(c, std::slice::from_ref(&ev)).await)
            .await
    }

    async fn audit_events(&self, f: &AuditFilter) -> Result<Vec<AuditEvent>> {
        let rows: Vec<AuditRow> = self
            .read(async |c| {
                let ids = id_range(c, f.since, f.until).await?;
                let (sql, ps) = list_statement(f, ids, !c.is_postgres());
                c.fetch_all(&sql, &ps).await
            })
            .await?;
        rows.into_iter().map(AuditEvent::try_from).collect()
    }

    async fn prune_audit(&self, before: Timestamp) -> Result<u64> {
        self.write_one(async move |c| {
            // On SQLite the events before `before` are all below an id (`id_range`).
            let below = id_range(c, None, Some(before)).await?.below.unwrap_or(i64::MAX);
            c.execute(
                "DELETE FROM audit_events WHERE id < $1 AND at < $2",
                params![below, before.0],
            )
            .await
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use playgate_core::audit::{Actor, Audit, AuditFilter, AuditStore, NewAuditEvent};
    use playgate_core::clock::{ManualClock, Timestamp};
    use playgate_core::ids::GameId;
    use serde_json::json;

    use playgate_core::Result;

    use crate::exec::{Conn, P, params, row};

    use crate::testing::{Backend, open_store};

    /// Events come back newest first, filtered by every field, a page at a time (the
    /// cursor of one page leads to the next, and the last page has none), and pruning
    /// deletes only the events older than the retention.
    async fn audit_log_filters_pages_and_prunes(b: Backend) {
        let Some((s, db)) = open_store(b).await else { return };
        let clock = Arc::new(ManualClock::new(Timestamp(1_000_000_000_000)));
        let audit = Audit::new(s.clone(), clock.clone());
        let ada = || Actor::Operator("ada".into());
        audit
            .record(
                NewAuditEvent::new("game_variable.set", ada())
                    .game(GameId(1))
                    .detail(json!({"key": "wind"})),
            )
            .await
            .expect("record");
        clock.advance(Duration::from_secs(3600));
        for n in 0..5 {
            audit
                .record(
                    NewAuditEvent::new("session.opened", Actor::Game(GameId(2)))
                        .game(GameId(2))
                        .subject(format!("player:p{n}")),
                )
                .await
                .expect("record");
        }
        audit
            .record(NewAuditEvent::new("session_x", ada()).subject("player:p1"))
            .await
            .expect("record");
        let list = |f: AuditFilter| {
            let audit = audit.clone();
            async move { audit.list(f).await.expect("list") }
        };
        let all = list(AuditFilter::default()).await;
        assert_eq!(all.items.len(), 7);
        assert!(all.items.windows(2).all(|w| w[0].id > w[1].id), "newest first");
        assert_eq!(all.next_cursor, None);
        assert_eq!(all.items[6].detail["key"], "wind");
        assert_eq!(all.items[6].actor, "operator:ada");

        // Each filter alone, and how many of the events it keeps.
        const LATER: Timestamp = Timestamp(1_000_000_000_000 + 3_600_000_000_000);
        type Case = (fn(&mut AuditFilter), usize);
        let cases: [Case; 10] = [
            (|f| f.game = Some(GameId(2)), 5),
            (|f| f.actor = Some("operator:ada".into()), 2),
            (|f| f.actor = Some("game:2".into()), 5),
            (|f| f.actor = Some("game:1".into()), 0),
            (|f| f.subject = Some("player:p1".into()), 2),
            // An action is matched whole, or as a prefix ending in a dot.
            (|f| f.action = Some("session.".into()), 5),
            (|f| f.action = Some("session".into()), 0),
            (|f| f.action = Some("session.opened".into()), 5),
            (|f| f.since = Some(LATER), 6),
            (|f| f.until = Some(LATER), 1),
        ];
        for (set, n) in cases {
            let mut filter = AuditFilter::default();
            set(&mut filter);
            let what = format!("{filter:?}");
            assert_eq!(list(filter).await.items.len(), n, "{what}");
        }

        let first = list(AuditFilter {
            limit: 3,
            ..Default::default()
        })
        .await;
        assert_eq!(first.items.len(), 3);
        let second = list(AuditFilter {
            limit: 3,
            before_id: first.next_cursor,
            ..Default::default()
        })
        .await;
        let third = list(AuditFilter {
            limit: 3,
            before_id: second.next_cursor,
            ..Default::default()
        })
        .await;
        assert_eq!((second.items.len(), third.items.len(), third.next_cursor), (3, 1, None));
        let ids: Vec<i64> = [first.items, second.items, third.items]
            .concat()
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(ids, all.items.iter().map(|e| e.id).collect::<Vec<_>>());
        assert!(
            audit
                .list(AuditFilter {
                    limit: 501,
                    ..Default::default()
                })
                .await
                .is_err()
        );

        assert_eq!(audit.prune(Duration::from_secs(1800)).await.expect("prune"), 1);
        assert_eq!(list(AuditFilter::default()).await.items.len(), 6);
        s.close().await;
        db.drop_it().await;
    }

    /// Time bounds and pruning are exact although events reach the store a little out of
    /// time order (as requests wait for SQLite's writer, which has no index on `at` and
    /// turns times into ids): every event of a time range is listed, and only those.
    async fn time_bounds_are_exact_with_events_out_of_order(b: Backend) {
        let Some((s, db)) = open_store(b).await else { return };
        const SEC: i64 = 1_000_000_000;
        // Events a second apart, each recorded up to 9 s before the one stored before it.
        let times: Vec<i64> = (0..300_i64)
            .map(|i| 1_000 * SEC + i * SEC - (i * 7 % 10) * SEC)
            .collect();
        for (i, t) in times.iter().enumerate() {
            let e = NewAuditEvent::new("session.refreshed", Actor::Game(GameId(1)))
                .game(GameId(1))
                .subject(format!("session:{i}"));
            s.insert_audit(&e, Timestamp(*t)).await.expect("insert");
        }
        let listed = |since: Option<i64>, until: Option<i64>| {
            let s = s.clone();
            async move {
                let f = AuditFilter {
                    since: since.map(Timestamp),
                    until: until.map(Timestamp),
                    limit: 500,
                    ..Default::default()
                };
                let mut at: Vec<i64> = s.audit_events(&f).await.expect("list").iter().map(|e| e.at.0).collect();
                at.sort_unstable();
                at
            }
        };
        let expected = |since: Option<i64>, until: Option<i64>| {
            let mut at: Vec<i64> = times
                .iter()
                .copied()
                .filter(|t| since.is_none_or(|x| *t >= x) && until.is_none_or(|x| *t < x))
                .collect();
            at.sort_unstable();
            at
        };
        for (since, until) in [
            (Some(1_100 * SEC), None),
            (None, Some(1_100 * SEC)),
            (Some(1_050 * SEC), Some(1_061 * SEC)),
            (Some(1_000 * SEC), Some(1_000 * SEC + 1)),
            (Some(2_000 * SEC), None),
            (None, Some(900 * SEC)),
        ] {
            assert_eq!(
                listed(since, until).await,
                expected(since, until),
                "{since:?} … {until:?}"
            );
        }
        let cutoff = 1_150 * SEC;
        let pruned = s.prune_audit(Timestamp(cutoff)).await.expect("prune");
        assert_eq!(pruned, times.iter().filter(|t| **t < cutoff).count() as u64);
        assert_eq!(listed(None, None).await, expected(Some(cutoff), None));
        s.close().await;
        db.drop_it().await;
    }

    row! {
        struct PlanStep {
        detail: String,}
    }

    /// The steps of SQLite's plan for `sql` that read a whole table (`SCAN`).
    async fn full_scans(c: &mut Conn<'_>, sql: &str, ps: &[P<'_>]) -> Result<Vec<String>> {
        let plan: Vec<PlanStep> = c.fetch_all(&format!("EXPLAIN QUERY PLAN {sql}"), ps).await?;
        Ok(plan
            .into_iter()
            .map(|p| p.detail)
            // A chain's walk reads its own queue, one row per event on the chain.
            .filter(|d| d.starts_with("SCAN") && d != "SCAN walk")
            .collect())
    }

    /// On SQLite, which keeps fewer audit indexes than PostgreSQL (migration 0017), every
    /// filter of the admin API and the player export is still served by an index or a
    /// range of ids, never by reading the whole log.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_audit_filter_reads_the_whole_log_on_sqlite() {
        let Some((s, db)) = open_store(Backend::Sqlite).await else {
            return;
        };
        type Case = (&'static str, fn(&mut AuditFilter));
        let cases: [Case; 8] = [
            ("game", |f| f.game = Some(GameId(1))),
            ("actor", |f| f.actor = Some("operator:ada".into())),
            ("game actor", |f| f.actor = Some("game:7".into())),
            ("subject", |f| f.subject = Some("player:u-1".into())),
            ("player", |f| f.subject = Some("player:u-2".into())),
            ("session", |f| {
                f.subject = Some("session:0190c9a8-6a3e-7d4c-9c6f-2f1a7c0e4b11".into())
            }),
            ("since", |f| {
                (f.since, f.until) = (Some(Timestamp(1)), Some(Timestamp(2)))
            }),
            ("page", |f| f.before_id = Some(10)),
        ];
        for (what, set) in cases {
            let mut f = AuditFilter {
                limit: 50,
                ..Default::default()
            };
            set(&mut f);
            let scans = s
                .read(async |c| {
                    let ids = super::id_range(c, f.since, f.until).await?;
                    let (sql, ps) = super::list_statement(&f, ids, true);
                    full_scans(c, &sql, &ps).await
                })
                .await
                .expect("plan");
            assert_eq!(scans, Vec::<String>::new(), "{what}");
        }
        let export = crate::players::AUDIT_EXPORT.as_str();
        let scans = s
            .read(async |c| full_scans(c, export, params!["player:u-1", 1_i64]).await)
            .await
            .expect("plan");
        assert_eq!(scans, Vec::<String>::new(), "export");
        s.close().await;
        db.drop_it().await;
    }

    crate::on_both_backends!(
        audit_log_filters_pages_and_prunes,
        time_bounds_are_exact_with_events_out_of_order
    );
}
