//! `impl PlayerStore for SqlStore`: player administration, every query once for both
//! backends. Each change writes its audit event in its own transaction.

use std::sync::LazyLock;

use async_trait::async_trait;
use playgate_core::client_users::ClientUser;
use playgate_core::clock::Timestamp;
use playgate_core::ids::{GameId, PlayerId, SessionId};
use playgate_core::player::{Ban, Player};
use playgate_core::players::{
    BanChange, Erased, PlayerExport, PlayerHit, PlayerSearch, PlayerStore, Record, SessionQuery, SessionStateFilter,
    SessionSummary, SessionView,
};
use playgate_core::session::EndOutcome;
use playgate_core::session::{Session, SessionState};
use playgate_core::{Error, Result};

use crate::SqlStore;
use crate::audit::insert_audit_in;
use crate::client_users::client_user_in;
use crate::exec::{Conn, JsonRow, P, params, row};
use crate::rows::{PLAYER_FIELDS, PLAYER_FROM, PlayerRow, SessionRow, session_cols};

row! {
    /// A listed player: the player row and whether it is a GameFuse user.
    struct HitRow {
        #[flatten]
        player: PlayerRow,
        client_user: i64,
    }
}

row! {
    struct SummaryRow {
        total: i64,
        active: Option<i64>,
        last_started_at: Option<i64>,
    }
}

row! {
    struct BanRow {
        banned_at: Option<i64>,
        ban_reason: Option<String>,
    }
}

row! {
    /// A session with its player's game-side id and kind.
    struct ViewRow {
        #[flatten]
        session: SessionRow,
        user_id: String,
        gamefuse: i64,
    }
}

/// Columns never exported: secrets, or what only verifies one.
const SECRET_COLUMNS: &[&str] = &[
    "wallet_key",
    "password_hash",
    "refresh_hash",
    "prev_refresh_hash",
    "token_hash",
    "code_hash",
    "sealed_body",
];

/// Columns never exported: the links of SQLite's audit chains (migration 0018), which say
/// nothing about the player.
const CHAIN_COLUMNS: &[&str] = &["chain", "prev_event", "last_event"];

/// The export's sections but the last (`audit_events`, [`AUDIT_EXPORT`]): a name and the
/// query of its rows (`$1` the player).
const EXPORT: &[(&str, &str)] = &[
    ("player", "SELECT * FROM players WHERE id = $1"),
    (
        "link",
        "SELECT l.player_id, l.account_id, l.linked_at, a.public_id AS account_public_id, \
         a.user_name AS account_user_name FROM player_links l JOIN accounts a ON a.id = l.account_id \
         WHERE l.player_id = $1",
    ),
    ("gamefuse_user", "SELECT * FROM gamefuse_users WHERE player_id = $1"),
    (
        "sessions",
        "SELECT * FROM sessions WHERE player_id = $1 ORDER BY started_at, id",
    ),
    (
        "attributes",
        "SELECT * FROM user_attributes WHERE player_id = $1 ORDER BY id",
    ),
    (
        "purchases",
        "SELECT sp.player_id, sp.store_item_id, sp.created_at, si.name AS item_name, si.cost AS item_cost \
         FROM store_purchases sp JOIN store_items si ON si.id = sp.store_item_id WHERE sp.player_id = $1 \
         ORDER BY sp.created_at, sp.store_item_id",
    ),
    (
        "leaderboard_entries",
        "SELECT * FROM leaderboard_entries WHERE player_id = $1 ORDER BY id",
    ),
    (
        "friendships",
        "SELECT * FROM friendships WHERE requester_id = $1 OR addressee_id = $1 ORDER BY id",
    ),
    (
        "group_connections",
        "SELECT * FROM group_connections WHERE player_id = $1 ORDER BY id",
    ),
    (
        "group_attributes_created",
        "SELECT * FROM group_attributes WHERE creator_id = $1 ORDER BY id",
    ),
    ("chats_created", "SELECT * FROM chats WHERE creator_id = $1 ORDER BY id"),
    (
        "chat_participation",
        "SELECT * FROM chat_participants WHERE player_id = $1 ORDER BY chat_id",
    ),
    (
        "messages_sent",
        "SELECT * FROM chat_messages WHERE player_id = $1 ORDER BY id",
    ),
    (
        "message_reads",
        "SELECT * FROM message_reads WHERE player_id = $1 ORDER BY message_id",
    ),
    (
        "game_rounds",
        "SELECT * FROM game_rounds WHERE player_id = $1 ORDER BY id",
    ),
    (
        "multiplayer_rounds_mastered",
        "SELECT * FROM multiplayer_rounds WHERE master_id = $1 ORDER BY id",
    ),
    (
        "password_resets",
        "SELECT * FROM password_resets WHERE player_id = $1 ORDER BY created_at",
    ),
    (
        "link_codes",
        "SELECT * FROM link_codes WHERE player_id = $1 ORDER BY created_at",
    ),
    (
        "outbox",
        "SELECT o.* FROM outbox o JOIN gamefuse_users u ON u.game_id = o.game_id \
         AND lower(o.recipient) IN (lower(u.email), lower(u.display_email)) WHERE u.player_id = $1 ORDER BY o.id",
    ),
];

/// The audit events about or by a player (`$1` its audit subject, `$2` the player): those
/// of the subject and actor indexes, and on SQLite those on its sessions' chains
/// (migration 0018; PostgreSQL chains nothing). (A player's label never starts with
/// `game:`: said so that SQLite may use its partial actor index.)
pub(crate) static AUDIT_EXPORT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{}SELECT * FROM audit_events WHERE (subject = $1 AND chain IS NULL) \
         OR (actor = $1 AND actor NOT LIKE 'game:%') \
         OR (subject = $1 AND chain IS NOT NULL AND id IN (SELECT id FROM walk)) ORDER BY id",
        crate::audit::walk("SELECT last_event FROM sessions WHERE player_id = $2")
    )
});

/// The erasure of a player (`$1`), in order (references before what they refer to): the
/// table, whether its rows are kept without the player (anonymised) or deleted, and the
/// statement.
const ERASE: &[(&str, bool, &str)] = &[
    (
        "outbox",
        false,
        "DELETE FROM outbox WHERE id IN (SELECT o.id FROM outbox o JOIN gamefuse_users u ON u.game_id = o.game_id \
         AND lower(o.recipient) IN (lower(u.email), lower(u.display_email)) WHERE u.player_id = $1)",
    ),
    ("message_reads", false, "DELETE FROM message_reads WHERE player_id = $1"),
    (
        "chat_messages",
        true,
        "UPDATE chat_messages SET player_id = NULL WHERE player_id = $1",
    ),
    // A direct chat is found again by its participants' ids: without the player it is no
    // longer theirs to find.
    (
        "chats",
        true,
        "UPDATE chats SET participant_key = NULL, creator_id = CASE WHEN creator_id = $1 THEN NULL \
         ELSE creator_id END WHERE creator_id = $1 OR (participant_key IS NOT NULL AND id IN \
         (SELECT chat_id FROM chat_participants WHERE player_id = $1))",
    ),
    (
        "chat_participants",
        false,
        "DELETE FROM chat_participants WHERE player_id = $1",
    ),
    (
        "group_attributes",
        true,
        "UPDATE group_attributes SET creator_id = NULL WHERE creator_id = $1",
    ),
    // A group whose last admin the player was gets its oldest member as admin.
    (
        "group_connections",
        true,
        "UPDATE group_connections SET is_admin = 1 WHERE id IN (SELECT (SELECT o.id FROM group_connections o \
         WHERE o.group_id = c.group_id AND o.player_id <> $1 AND o.status = 'accepted' ORDER BY o.created_at, o.id \
         LIMIT 1) FROM group_connections c WHERE c.player_id = $1 AND c.is_admin = 1 AND c.status = 'accepted' \
         AND NOT EXISTS (SELECT 1 FROM group_connections a WHERE a.group_id = c.group_id \
         AND a.player_id <> $1 AND a.is_admin = 1 AND a.status = 'accepted'))",
    ),
    (
        "group_connections",
        true,
        "UPDATE group_connections SET inviter_id = NULL WHERE inviter_id = $1",
    ),
    (
        "group_connections",
        false,
        "DELETE FROM group_connections WHERE player_id = $1",
    ),
    (
        "friendships",
        false,
        "DELETE FROM friendships WHERE requester_id = $1 OR addressee_id = $1",
    ),
    ("game_rounds", false, "DELETE FROM game_rounds WHERE player_id = $1"),
    (
        "multiplayer_rounds",
        true,
        "UPDATE multiplayer_rounds SET master_id = NULL WHERE master_id = $1",
    ),
    (
        "user_attributes",
        false,
        "DELETE FROM user_attributes WHERE player_id = $1",
    ),
    (
        "store_purchases",
        false,
        "DELETE FROM store_purchases WHERE player_id = $1",
    ),
    (
        "leaderboard_entries",
        false,
        "DELETE FROM leaderboard_entries WHERE player_id = $1",
    ),
    (
        "password_resets",
        false,
        "DELETE FROM password_resets WHERE player_id = $1",
    ),
    ("link_codes", false, "DELETE FROM link_codes WHERE player_id = $1"),
    ("player_links", false, "DELETE FROM player_links WHERE player_id = $1"),
    ("sessions", false, "DELETE FROM sessions WHERE player_id = $1"),
    (
        "gamefuse_users",
        false,
        "DELETE FROM gamefuse_users WHERE player_id = $1",
    ),
    ("players", false, "DELETE FROM players WHERE id = $1"),
];

/// Ends sessions not yet ended: `$1` the owner (player or game), `$2` now.
const END_PLAYER_SESSIONS: &str =
    "UPDATE sessions SET state = 'ended', ended_at = $2 WHERE player_id = $1 AND state <> 'ended'";
const END_GAME_SESSIONS: &str =
    "UPDATE sessions SET state = 'ended', ended_at = $2 WHERE game_id = $1 AND state <> 'ended'";

impl SqlStore {
    /// Ends sessions with `sql` (`$1` the player or game, `$2` the time) and records how
    /// many, in one transaction.
    async fn end_sessions(&self, sql: &'static str, id: i64, now: Timestamp, record: Record<u64>) -> Result<u64> {
        self.write_tx(async move |tx| {
            let n = tx.execute(sql, params![id, now.0]).await?;
            insert_audit_in(tx, &record(&n), now).await?;
            Ok(n)
        })
        .await
    }
}

fn session_view(r: ViewRow) -> Result<SessionView> {
    Ok(SessionView {
        session: Session::try_from(r.session)?,
        user_id: r.user_id,
        gamefuse: r.gamefuse != 0,
    })
}

async fn view_in(e: &mut Conn<'_>, id: &str) -> Result<Option<ViewRow>> {
    e.fetch_optional(
        concat!(
            "SELECT ",
            session_cols!(),
            ", (SELECT p.user_id FROM players p WHERE p.id = sessions.player_id) AS user_id, \
             CAST(CASE WHEN token_hash IS NULL THEN 0 ELSE 1 END AS BIGINT) AS gamefuse FROM sessions WHERE id = $1"
        ),
        params![id],
    )
    .await
}

#[async_trait]
impl PlayerStore for SqlStore {
    async fn has_game(&self, game: GameId) -> Result<bool> {
        let n: i64 = self
            .read_scalar_one("SELECT COUNT(*) FROM games WHERE id = $1", params![game.0])
            .await?;
        Ok(n > 0)
    }

    async fn search_players(&self, game: GameId, s: &PlayerSearch) -> Result<Vec<PlayerHit>> {
        let q = s.q.as_deref().map(str::to_lowercase);
        let mut ps: Vec<P<'_>> = vec![P::I64(game.0), P::I64(s.after.unwrap_or(0))];
        let mut cond = String::new();
        if let Some(q) = q.as_deref() {
            let n = i64::try_from(q.chars().count()).unwrap_or(i64::MAX);
            ps.push(P::I64(n));
            ps.push(P::str(q));
            let prefix = |col: &str| format!("lower(substr({col}, 1, CAST($3 AS INTEGER))) = $4");
            let cols = [
                "p.user_id",
                "p.username",
                "p.email",
                "p.wallet_address",
                "a.public_id",
                "a.user_name",
            ];
            let mut any: Vec<String> = cols.iter().map(|c| prefix(c)).collect();
            any.push("CAST(u.player_id AS TEXT) = $4".to_owned());
            cond = format!(" AND ({})", any.join(" OR "));
        }
        ps.push(P::I64(i64::from(s.limit) + 1));
        let sql = format!(
            "SELECT {}, CAST(CASE WHEN u.player_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS client_user FROM {PLAYER_FROM} \
             LEFT JOIN gamefuse_users u ON u.player_id = p.id WHERE p.game_id = $1 AND p.id > $2{cond} \
             ORDER BY p.id LIMIT ${}",
            *PLAYER_FIELDS,
            ps.len()
        );
        let rows: Vec<HitRow> = self.read_all(&sql, &ps).await?;
        rows.into_iter()
            .map(|r| {
                Ok(PlayerHit {
                    player: Player::try_from(r.player)?,
                    client_user: r.client_user != 0,
                })
            })
            .collect()
    }

    async fn find_player(&self, game: GameId, key: &str) -> Result<Option<Player>> {
        let by_user_id = format!(
            "SELECT {} FROM {PLAYER_FROM} WHERE p.game_id = $1 AND p.user_id = $2",
            *PLAYER_FIELDS
        );
        // A GameFuse user by its id (what the GameFuse API shows), or by its e-mail in any case.
        let by_gamefuse = format!(
            "SELECT {} FROM {PLAYER_FROM} JOIN gamefuse_users u ON u.player_id = p.id \
             WHERE p.game_id = $1 AND (CAST(u.player_id AS TEXT) = $2 OR u.email = $3)",
            *PLAYER_FIELDS
        );
        let lower = key.to_lowercase();
        let row: Option<PlayerRow> = self
            .read(
                async |e| match e.fetch_optional::<PlayerRow>(&by_user_id, params![game.0, key]).await? {
                    Some(r) => Ok(Some(r)),
                    None => e.fetch_optional(&by_gamefuse, params![game.0, key, &lower]).await,
                },
            )
            .await?;
        row.map(Player::try_from).transpose()
    }

    async fn session_summary(&self, player: PlayerId) -> Result<SessionSummary> {
        let r: SummaryRow = self
            .read_one(
                "SELECT COUNT(*) AS total, SUM(CASE WHEN state = 'active' THEN 1 ELSE 0 END) AS active, \
                 MAX(started_at) AS last_started_at FROM sessions WHERE player_id = $1",
                params![player.0],
            )
            .await?;
        Ok(SessionSummary {
            total: r.total,
            active: r.active.unwrap_or(0),
            last_started_at: r.last_started_at.map(Timestamp),
        })
    }

    async fn set_ban(
        &self,
        player: PlayerId,
        ban: Option<Ban>,
        now: Timestamp,
        record: Record<BanChange>,
    ) -> Result<BanChange> {
        self.write_tx(async move |tx| {
            let before: BanRow = tx
                .fetch_optional(
                    "SELECT banned_at, ban_reason FROM players WHERE id = $1",
                    params![player.0],
                )
                .await?
                .ok_or(Error::NotFound(playgate_core::Entity::Player))?;
            let before = before.banned_at.map(|at| Ban {
                reason: before.ban_reason.unwrap_or_default(),
                at: Timestamp(at),
            });
            tx.execute(
                "UPDATE players SET banned_at = $2, ban_reason = $3, updated_at = $4 WHERE id = $1",
                params![
                    player.0,
                    ban.as_ref().map(|b| b.at.0),
                    ban.as_ref().map(|b| b.reason.as_str()),
                    now.0
                ],
            )
            .await?;
            let sessions_ended = if ban.is_some() {
                tx.execute(END_PLAYER_SESSIONS, params![player.0, now.0]).await?
            } else {
                0
            };
            let change = BanChange { before, sessions_ended };
            insert_audit_in(tx, &record(&change), now).await?;
            Ok(change)
        })
        .await
    }

    async fn player_sessions(&self, player: PlayerId, q: &SessionQuery) -> Result<Vec<Session>> {
        let after_id = q.after.map(|c| c.id.to_string());
        let mut ps: Vec<P<'_>> = vec![P::I64(player.0)];
        let mut sql = format!("SELECT {} FROM sessions WHERE player_id = $1", session_cols!());
        match q.state {
            SessionStateFilter::All => {}
            SessionStateFilter::Active => sql.push_str(" AND state = 'active'"),
            SessionStateFilter::Ended => sql.push_str(" AND state = 'ended'"),
        }
        if let (Some(c), Some(id)) = (q.after, after_id.as_deref()) {
            ps.push(P::I64(c.started_at.0));
            ps.push(P::str(id));
            sql.push_str(" AND (started_at < $2 OR (started_at = $2 AND id < $3))");
        }
        ps.push(P::I64(i64::from(q.limit) + 1));
        sql.push_str(&format!(" ORDER BY started_at DESC, id DESC LIMIT ${}", ps.len()));
        let rows: Vec<SessionRow> = self.read_all(&sql, &ps).await?;
        rows.into_iter().map(Session::try_from).collect()
    }

    async fn end_player_sessions(&self, player: PlayerId, now: Timestamp, record: Record<u64>) -> Result<u64> {
        self.end_sessions(END_PLAYER_SESSIONS, player.0, now, record).await
    }

    async fn end_game_sessions(&self, game: GameId, now: Timestamp, record: Record<u64>) -> Result<u64> {
        self.end_sessions(END_GAME_SESSIONS, game.0, now, record).await
    }

    async fn session_view(&self, id: SessionId) -> Result<Option<SessionView>> {
        let id = id.to_string();
        let row = self.read(async |e| view_in(e, &id).await).await?;
        row.map(session_view).transpose()
    }

    async fn end_one_session(&self, id: SessionId, now: Timestamp, record: Record<Session>) -> Result<EndOutcome> {
        let sid = id.to_string();
        self.write_tx(async move |tx| {
            let Some(row) = view_in(tx, &sid).await? else {
                return Ok(EndOutcome::NotFound);
            };
            let session = Session::try_from(row.session)?;
            if session.state == SessionState::Ended {
                return Ok(EndOutcome::AlreadyEnded);
            }
            let n = tx
                .execute(
                    "UPDATE sessions SET state = 'ended', ended_at = $2 WHERE id = $1 AND state <> 'ended'",
                    params![&sid, now.0],
                )
                .await?;
            if n == 0 {
                return Ok(EndOutcome::AlreadyEnded);
            }
            insert_audit_in(tx, &record(&session), now).await?;
            Ok(EndOutcome::Ended)
        })
        .await
    }

    async fn erase_player(&self, player: PlayerId, now: Timestamp, record: Record<Erased>) -> Result<Erased> {
        self.write_tx(async move |tx| {
            let mut erased = Erased::default();
            // Its sessions' events outlive them: back into the subject index.
            crate::audit::unchain(tx, "player_id = $1", player.0).await?;
            for (table, kept, sql) in ERASE {
                let n = tx.execute(sql, params![player.0]).await?;
                let list = if *kept {
                    &mut erased.anonymised
                } else {
                    &mut erased.deleted
                };
                match list.iter_mut().find(|e| e.0 == *table) {
                    Some(e) => e.1 += n,
                    None => list.push(((*table).to_owned(), n)),
                }
            }
            if erased.deleted.iter().any(|(t, n)| t == "players" && *n == 0) {
                return Err(Error::NotFound(playgate_core::Entity::Player));
            }
            insert_audit_in(tx, &record(&erased), now).await?;
            Ok(erased)
        })
        .await
    }

    async fn export_player(&self, player: PlayerId, subject: &str) -> Result<PlayerExport> {
        let (of_player, of_subject): (&[P<'_>], &[P<'_>]) = (params![player.0], params![subject, player.0]);
        let audit = ("audit_events", AUDIT_EXPORT.as_str(), of_subject);
        let queries = EXPORT.iter().map(|&(name, sql)| (name, sql, of_player)).chain([audit]);
        let mut sections = Vec::with_capacity(EXPORT.len() + 1);
        for (name, sql, ps) in queries {
            let rows: Vec<JsonRow> = self.read_all(sql, ps).await?;
            let rows = rows
                .into_iter()
                .map(|JsonRow(mut m)| {
                    for c in SECRET_COLUMNS.iter().chain(CHAIN_COLUMNS) {
                        m.remove(*c);
                    }
                    // An audit event's detail is a JSON object kept as text.
                    let detail = match m.get("detail") {
                        Some(serde_json::Value::String(d)) => serde_json::from_str::<serde_json::Value>(d).ok(),
                        _ => None,
                    };
                    if let Some(v) = detail {
                        m.insert("detail".to_owned(), v);
                    }
                    m
                })
                .collect();
            sections.push((name.to_owned(), rows));
        }
        Ok(PlayerExport { sections })
    }

    async fn client_user(&self, player: PlayerId) -> Result<Option<ClientUser>> {
        self.read(async |e| client_user_in(e, player).await).await
    }
}
