//! [`SessionStore::renew`](playgate_core::session::SessionStore::renew) on PostgreSQL: the
//! common case of `POST /s2s/session` and of its refresh as one statement. The credentials, the failure
//! count, the player's ban and the session's life are conditions of one `UPDATE` of the
//! session, its audit event a CTE of it, and the row it returns is everything the tokens
//! are signed from: no `BEGIN`/`COMMIT`, no read before the write. On SQLite a read costs
//! no round trip and the writer thread is the bottleneck, so it renews nothing and the
//! caller reads, decides and writes as before.

use std::sync::LazyLock;

use playgate_core::audit::GAME_ACTOR_PREFIX;
use playgate_core::clock::nanos;
use playgate_core::session::{RenewOutcome, RenewTarget, Renewal, Renewed};
use playgate_core::{Error, Result};

use crate::exec::{FromRow, P, Row};
use crate::rows::{PLAYER_FROM, active_session_fields, aliased, game_cols, player_fields_as, session_cols};
use crate::session::{CLIENT_PLAYER_BODY, ClientRow};
use crate::{Db, SqlStore, pg_one};

/// The statement of a target. Parameters `$1` … `$4` are those of the client read it falls
/// back to (client id, failure bucket, its window start, the target's id: user id or
/// session id), then `$5` the secret hash, `$6` the failure limit, `$7` the new refresh
/// key, `$8` now (nanoseconds), `$9` the default idle lifetime (nanoseconds), the target's
/// own from `$10`, and the event's six after the first `k`.
///
/// `sets` and `conds` are the target's part of the `UPDATE`; `detail` the event's
/// detail (`$d` its parameter); `select` the statement's answer, whose first column
/// `renewed` says whether it renewed, then the columns of `client_read`'s row.
struct Target<'a> {
    sets: &'a str,
    conds: &'a str,
    detail: &'a str,
    select: String,
    k: usize,
}

fn statement(t: Target<'_>) -> String {
    let e = |i: usize| format!("${}", t.k + i);
    format!(
        "WITH g AS (SELECT g.id, g.refresh_token_ttl_secs FROM credentials kc JOIN games g ON g.id = kc.game_id \
         WHERE kc.kind = 'kgen' AND kc.public_id = $1 AND kc.secret_hash = $5 AND g.enabled \
         AND COALESCE((SELECT f.count FROM failure_counts f WHERE f.bucket = $2 AND f.window_start = $3), 0) < $6), \
         r AS (UPDATE sessions s SET refresh_hash = $7, last_seen_at = $8, \
         expires_at = $8 + COALESCE(g.refresh_token_ttl_secs * 1000000000, $9){sets} \
         FROM g WHERE s.game_id = g.id AND s.state = 'active' AND s.expires_at > $8 AND {conds} \
         RETURNING s.*), \
         e AS (INSERT INTO audit_events (at, action, actor, game_id, subject, ip, user_agent, detail) \
         SELECT $8, {}, '{GAME_ACTOR_PREFIX}' || r.game_id, r.game_id, {}, {}, {}, {} FROM r WHERE {}) \
         {select}",
        e(1),
        e(2),
        e(3),
        e(4),
        t.detail.replace("$d", &e(5)),
        e(6),
        sets = t.sets,
        conds = t.conds,
        select = t.select,
    )
}

/// The answer of [`BY_PLAYER`]: `client_read` of `ClientWith::Player` as it was before the
/// statement (the same joins, one row whether or not anything exists), its session columns
/// taken from the renewed row when there is one. One read, renewed or not, so that a new
/// player costs no third statement.
fn player_answer() -> String {
    let read_session = active_session_fields!().replace(" AS s_", " AS p_s_");
    let either: Vec<String> = active_session_fields!()
        .split(',')
        .map(str::trim)
        .filter_map(|f| f.split_once(" AS s_"))
        .map(|(col, name)| {
            let renewed = col.replacen("s.", "r.", 1);
            format!("CASE WHEN r.id IS NULL THEN {col} ELSE {renewed} END AS p_s_{name}")
        })
        .collect();
    let answer = CLIENT_PLAYER_BODY.replacen(&read_session, &either.join(", "), 1);
    format!("SELECT r.id IS NOT NULL AS renewed, {answer} LEFT JOIN r ON r.id = s.id")
}

/// The answer of [`BY_SESSION`]: the renewed row only, as `client_read` of
/// `ClientWith::SessionAndPlayer` would read it.
fn session_answer() -> String {
    format!(
        "SELECT TRUE AS renewed, {}, CAST(0 AS BIGINT) AS failures, {}, {} FROM r JOIN games g ON g.id = r.game_id \
         LEFT JOIN credentials kc ON kc.game_id = g.id AND kc.kind = 'kgen' \
         LEFT JOIN credentials gc ON gc.game_id = g.id AND gc.kind = 'gamefuse' \
         JOIN ({PLAYER_FROM}) ON p.id = r.player_id",
        game_cols!(),
        aliased("r", session_cols!(), "s_"),
        player_fields_as("p_")
    )
}

/// [`RenewTarget::Player`]: the player's active session, unless the player is banned; the
/// grace of a previous key ends (as when the core keeps a session). Answers
/// [`player_answer`].
static BY_PLAYER: LazyLock<String> = LazyLock::new(|| {
    statement(Target {
        sets: ", prev_refresh_hash = NULL",
        // A scalar subquery, so that the session is found by its player's id through the
        // index `sessions_one_active`, whatever the planner's statistics say: joined, a
        // planner that believes `sessions` small scans every active session.
        conds: "s.player_id = (SELECT p.id FROM players p WHERE p.game_id = (SELECT g.id FROM g) \
                AND p.user_id = $4 AND p.banned_at IS NULL)",
        detail: "($d::text::jsonb || jsonb_build_object('session', r.id))::text",
        select: player_answer(),
        k: 9,
    })
});

/// [`RenewTarget::Session`] (`$10` and `$11` the presented keys, `$12` the grace's start):
/// as `swap_refresh`, a rotation records the replaced key and its time, a retry within
/// the grace leaves them as they were. No fallback read: a refresh is renewed unless
/// something is wrong with it, and the read in the same statement cost PostgreSQL more CPU
/// on every refresh (`bench/results/renew-20261203/`) than a second statement costs the
/// refused ones.
static BY_SESSION: LazyLock<String> = LazyLock::new(|| {
    statement(Target {
        sets: ", prev_refresh_hash = CASE WHEN s.refresh_hash IN ($10, $11) THEN s.refresh_hash \
               ELSE s.prev_refresh_hash END, \
               rotated_at = CASE WHEN s.refresh_hash IN ($10, $11) THEN $8 ELSE s.rotated_at END",
        conds: "s.id = $4 AND (s.refresh_hash IN ($10, $11) OR (s.prev_refresh_hash IN ($10, $11) AND s.rotated_at > $12))",
        detail: "$d",
        select: session_answer(),
        k: 12,
    })
});

/// A row of [`BY_PLAYER`] or [`BY_SESSION`].
struct RenewRow(bool, ClientRow);

impl FromRow for RenewRow {
    fn from_row(r: &Row<'_>) -> Result<Self> {
        Ok(RenewRow(r.get("renewed")?, ClientRow::from_row(r)?))
    }
}

impl SqlStore {
    pub(crate) async fn renew_session(&self, r: &Renewal<'_>) -> Result<RenewOutcome> {
        let Db::Postgres(pg) = &self.db else {
            return Ok(RenewOutcome::NotRenewed(None));
        };
        let (bucket, start) = match r.failures {
            Some((b, start)) => (Some(b), start.0),
            None => (None, 0),
        };
        let sid;
        let (sql, target, rest): (&str, P<'_>, Vec<P<'_>>) = match r.target {
            RenewTarget::Player(user) => (&BY_PLAYER, P::str(user.as_str()), vec![]),
            RenewTarget::Session {
                id,
                presented,
                legacy,
                grace_since,
            } => {
                sid = id.to_string();
                let rest = vec![P::str(&presented.0), P::str(&legacy.0), P::I64(grace_since.0)];
                (&BY_SESSION, P::str(&sid), rest)
            }
        };
        let mut ps = vec![
            P::str(r.client_id),
            P::opt_str(bucket),
            P::I64(start),
            target,
            P::str(&r.secret.0),
            P::I64(r.failure_limit),
            P::str(&r.next.0),
            P::I64(r.now.0),
            P::I64(nanos(r.default_refresh_ttl)),
        ];
        ps.extend(rest);
        let detail = r.audit.map(|a| a.detail.to_string());
        let audit = r.audit;
        ps.extend([
            P::str(audit.map_or("", |a| a.action)),
            P::opt_str(audit.map(|a| a.subject.as_str())),
            P::opt_str(audit.and_then(|a| a.origin.ip.as_deref())),
            P::opt_str(audit.and_then(|a| a.origin.user_agent.as_deref())),
            P::str(detail.as_deref().unwrap_or("{}")),
            P::Bool(audit.is_some()),
        ]);
        let row: Option<RenewRow> = self
            .pg_gated(pg, pg_one(&pg.writes, async |e| e.fetch_optional(sql, &ps).await))
            .await?;
        let Some(RenewRow(renewed, ClientRow(found))) = row else {
            // A refresh that renewed nothing: its caller reads.
            return Ok(RenewOutcome::NotRenewed(None));
        };
        if !renewed {
            return Ok(RenewOutcome::NotRenewed(Some(found)));
        }
        let session = match r.target {
            RenewTarget::Player(_) => found.player.as_ref().and_then(|p| p.active.clone()),
            RenewTarget::Session { .. } => found.session,
        };
        match (found.game, found.player, session) {
            (Some(game), Some(p), Some(session)) => Ok(RenewOutcome::Renewed(Renewed {
                game,
                player: p.player,
                session,
            })),
            _ => Err(Error::internal(
                "a renewal returned a row without its game, player or session",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_player_answer_takes_the_renewed_session_columns() {
        let a = player_answer();
        assert!(
            a.contains("CASE WHEN r.id IS NULL THEN s.id ELSE r.id END AS p_s_id"),
            "{a}"
        );
        assert!(!a.contains(" s.expires_at AS"), "{a}");
    }

    #[test]
    fn each_statement_numbers_its_parameters_without_gaps() {
        for (sql, n) in [(&*BY_PLAYER, 9 + 6), (&*BY_SESSION, 12 + 6)] {
            assert!(!sql.contains("$d"), "{sql}");
            assert!(sql.contains("AS renewed"), "{sql}");
            for i in 1..=n {
                assert!(sql.contains(&format!("${i}")), "${i} unused in {sql}");
            }
            assert!(!sql.contains(&format!("${}", n + 1)), "{sql}");
        }
    }
}
