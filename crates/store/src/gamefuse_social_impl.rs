//! `impl GamefuseSocialStore for SqlStore`: friendships, groups, game rounds, once for
//! both backends. Batch reads bind their id lists as `IN ($1, …)`; an empty list costs no
//! query.

use std::collections::HashMap;

use async_trait::async_trait;
use playgate_core::clock::Timestamp;
use playgate_core::gamefuse::GfUser;
use playgate_core::gamefuse::chats::{ChatRec, GroupAttribute, Message, NewAttribute};
use playgate_core::gamefuse::social::{
    Connection, ConnectionKind, FriendLink, Friendship, GameRound, Group, GroupPatch, Member, Multiplayer, NewGroup,
    NewRound, Ranking, RoundPatch,
};
use playgate_core::gamefuse::social_store::GamefuseSocialStore;
use playgate_core::ids::{GameId, PlayerId};
use playgate_core::{Error, Result};

use crate::SqlStore;
use crate::exec::{Conn, FromRow, P, Row, params, row};
use crate::gamefuse_rows::{GfUserRow, gf_user_cols, gf_user_cols_u};
use playgate_core::{Conflict, Entity, Forbidden};

/// `$from, $from+1, …` for `n` values.
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

fn flag(b: bool) -> i64 {
    i64::from(b)
}

row! {
    struct FriendshipRow {
    id: i64,
    game_id: i64,
    requester_id: i64,
    addressee_id: i64,
    status: String,
    created_at: i64,}
}

impl From<FriendshipRow> for Friendship {
    fn from(r: FriendshipRow) -> Self {
        Friendship {
            id: r.id,
            game_id: GameId(r.game_id),
            requester: PlayerId(r.requester_id),
            addressee: PlayerId(r.addressee_id),
            status: r.status,
            created_at: Timestamp(r.created_at),
        }
    }
}

struct LinkRow {
    f_id: i64,
    f_status: String,
    f_requester: i64,
    f_created: i64,
    user: GfUserRow,
}

impl FromRow for LinkRow {
    fn from_row(r: &Row<'_>) -> Result<Self> {
        Ok(LinkRow {
            f_id: r.get("f_id")?,
            f_status: r.get("f_status")?,
            f_requester: r.get("f_requester")?,
            f_created: r.get("f_created")?,
            user: GfUserRow::from_row(r)?,
        })
    }
}

row! {
    struct GroupRow {
    id: i64,
    game_id: i64,
    name: String,
    group_type: String,
    can_auto_join: i64,
    is_invite_only: i64,
    max_group_size: Option<i64>,
    searchable: i64,
    admins_only_attrs: i64,
    created_at: i64,
    member_count: i64,}
}

impl From<GroupRow> for Group {
    fn from(r: GroupRow) -> Self {
        Group {
            id: r.id,
            game_id: GameId(r.game_id),
            name: r.name,
            group_type: r.group_type,
            can_auto_join: r.can_auto_join != 0,
            is_invite_only: r.is_invite_only != 0,
            max_group_size: r.max_group_size,
            searchable: r.searchable != 0,
            admins_only_can_create_attributes: r.admins_only_attrs != 0,
            member_count: r.member_count,
            created_at: Timestamp(r.created_at),
        }
    }
}

const GROUP_COLS: &str = "g.id, g.game_id, g.name, g.group_type, g.can_auto_join, g.is_invite_only, \
     g.max_group_size, g.searchable, g.admins_only_attrs, g.created_at, \
     (SELECT COUNT(*) FROM gf_group_connections m WHERE m.group_id = g.id AND m.status = 'accepted') AS member_count";

struct MemberRow {
    m_group: i64,
    m_admin: i64,
    user: GfUserRow,
}

impl FromRow for MemberRow {
    fn from_row(r: &Row<'_>) -> Result<Self> {
        Ok(MemberRow {
            m_group: r.get("m_group")?,
            m_admin: r.get("m_admin")?,
            user: GfUserRow::from_row(r)?,
        })
    }
}

row! {
    struct ConnectionRow {
    id: i64,
    group_id: i64,
    player_id: i64,
    inviter_id: Option<i64>,
    kind: String,
    status: String,
    is_admin: i64,
    created_at: i64,}
}

impl From<ConnectionRow> for Connection {
    fn from(r: ConnectionRow) -> Self {
        Connection {
            id: r.id,
            group_id: r.group_id,
            player_id: PlayerId(r.player_id),
            inviter_id: r.inviter_id.map(PlayerId),
            kind: ConnectionKind::parse(&r.kind).unwrap_or(ConnectionKind::Join),
            status: r.status,
            is_admin: r.is_admin != 0,
            created_at: Timestamp(r.created_at),
        }
    }
}

const CONN_COLS: &str = "id, group_id, player_id, inviter_id, kind, status, is_admin, created_at";

row! {
    struct RoundRow {
    id: i64,
    game_id: i64,
    player_id: i64,
    game_type: String,
    start_time: i64,
    end_time: Option<i64>,
    score: Option<f64>,
    place: Option<i64>,
    metadata: Option<String>,
    multiplayer_id: Option<i64>,
    created_at: i64,
    updated_at: i64,}
}

impl From<RoundRow> for GameRound {
    fn from(r: RoundRow) -> Self {
        GameRound {
            id: r.id,
            game_id: GameId(r.game_id),
            player_id: PlayerId(r.player_id),
            game_type: r.game_type,
            start_time: Timestamp(r.start_time),
            end_time: r.end_time.map(Timestamp),
            score: r.score,
            place: r.place,
            metadata: r.metadata,
            multiplayer_id: r.multiplayer_id,
            created_at: Timestamp(r.created_at),
            updated_at: Timestamp(r.updated_at),
            rankings: Vec::new(),
        }
    }
}

const ROUND_COLS: &str = "id, game_id, player_id, game_type, start_time, end_time, score, place, metadata, \
     multiplayer_id, created_at, updated_at";

struct RankingRow {
    r_id: i64,
    r_mp: i64,
    r_place: Option<i64>,
    r_score: Option<f64>,
    r_start: i64,
    r_end: Option<i64>,
    user: GfUserRow,
}

impl FromRow for RankingRow {
    fn from_row(r: &Row<'_>) -> Result<Self> {
        Ok(RankingRow {
            r_id: r.get("r_id")?,
            r_mp: r.get("r_mp")?,
            r_place: r.get("r_place")?,
            r_score: r.get("r_score")?,
            r_start: r.get("r_start")?,
            r_end: r.get("r_end")?,
            user: GfUserRow::from_row(r)?,
        })
    }
}

impl SqlStore {
    /// Fills the rankings of the multiplayer rounds among `rounds`, in one query.
    async fn with_rankings(&self, mut rounds: Vec<GameRound>) -> Result<Vec<GameRound>> {
        let mut mps: Vec<i64> = rounds.iter().filter_map(|r| r.multiplayer_id).collect();
        mps.sort_unstable();
        mps.dedup();
        if mps.is_empty() {
            return Ok(rounds);
        }
        let sql = format!(
            "SELECT r.id AS r_id, r.multiplayer_id AS r_mp, r.place AS r_place, r.score AS r_score, \
             r.start_time AS r_start, r.end_time AS r_end, {} FROM gf_game_rounds r \
             JOIN gamefuse_users u ON u.player_id = r.player_id WHERE r.multiplayer_id IN ({}) \
             ORDER BY CASE WHEN r.place IS NULL THEN 1 ELSE 0 END, r.place, \
             CASE WHEN r.score IS NULL THEN 1 ELSE 0 END, r.score DESC, r.id",
            gf_user_cols_u!(),
            placeholders(1, mps.len())
        );
        let ps: Vec<P> = mps.iter().map(|&i| P::I64(i)).collect();
        let rows: Vec<RankingRow> = self.read(async |e| e.fetch_all(&sql, &ps).await).await?;
        let mut by_mp: HashMap<i64, Vec<Ranking>> = HashMap::new();
        for r in rows {
            by_mp.entry(r.r_mp).or_default().push(Ranking {
                id: r.r_id,
                place: r.r_place,
                score: r.r_score,
                start_time: Timestamp(r.r_start),
                end_time: r.r_end.map(Timestamp),
                user: GfUser::from(r.user),
            });
        }
        for r in &mut rounds {
            if let Some(mp) = r.multiplayer_id {
                r.rankings = by_mp.get(&mp).cloned().unwrap_or_default();
            }
        }
        Ok(rounds)
    }
}

/// Whether the group has room for one more accepted member (always, without `max`).
/// Runs inside the writing transaction (SQLite's writer is serial; on PostgreSQL the group
/// row is locked first).
async fn has_room(tx: &mut Conn<'_>, group: i64, max: Option<i64>) -> Result<bool> {
    let Some(max) = max else {
        return Ok(true);
    };
    if tx.is_postgres() {
        tx.execute("SELECT id FROM gf_groups WHERE id = $1 FOR UPDATE", params![group])
            .await?;
    }
    let n: i64 = tx
        .scalar_one(
            "SELECT COUNT(*) FROM gf_group_connections WHERE group_id = $1 AND status = 'accepted'",
            params![group],
        )
        .await?;
    Ok(n < max)
}

#[async_trait]
impl GamefuseSocialStore for SqlStore {
    async fn gf_user_by_username(&self, game: GameId, username_key: &str) -> Result<Option<GfUser>> {
        let row: Option<GfUserRow> = self
            .read(async |e| {
                e.fetch_optional(
                    concat!(
                        "SELECT ",
                        gf_user_cols!(),
                        " FROM gamefuse_users WHERE game_id = $1 AND username_key = $2"
                    ),
                    params![game.0, username_key],
                )
                .await
            })
            .await?;
        Ok(row.map(GfUser::from))
    }

    async fn gf_users(&self, game: GameId, ids: &[i64]) -> Result<Vec<GfUser>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {} FROM gamefuse_users WHERE game_id = $1 AND player_id IN ({})",
            gf_user_cols!(),
            placeholders(2, ids.len())
        );
        let mut ps: Vec<P> = vec![P::I64(game.0)];
        ps.extend(ids.iter().map(|&i| P::I64(i)));
        let rows: Vec<GfUserRow> = self.read(async |e| e.fetch_all(&sql, &ps).await).await?;
        Ok(rows.into_iter().map(GfUser::from).collect())
    }

    async fn gf_friendship(&self, game: GameId, id: i64) -> Result<Option<Friendship>> {
        let row: Option<FriendshipRow> = self
            .read(async |e| {
                e.fetch_optional(
                    "SELECT id, game_id, requester_id, addressee_id, status, created_at FROM gf_friendships \
                 WHERE id = $1 AND game_id = $2",
                    params![id, game.0],
                )
                .await
            })
            .await?;
        Ok(row.map(Friendship::from))
    }

    async fn gf_insert_friendship(
        &self,
        game: GameId,
        requester: PlayerId,
        addressee: PlayerId,
        now: Timestamp,
    ) -> Result<Friendship> {
        let (lo, hi) = (requester.0.min(addressee.0), requester.0.max(addressee.0));
        let row: FriendshipRow = self
            .write_one(async move |conn| {
                conn.fetch_one(
                    "INSERT INTO gf_friendships (game_id, requester_id, addressee_id, pair_lo, pair_hi, status, \
                 created_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6) \
                 RETURNING id, game_id, requester_id, addressee_id, status, created_at",
                    params![game.0, requester.0, addressee.0, lo, hi, now.0],
                )
                .await
                .map_err(|e| match e {
                    e if e.is_unique_violation() => Error::Conflict(Conflict::FriendshipExists),
                    other => other,
                })
            })
            .await?;
        Ok(row.into())
    }

    async fn gf_accept_friendship(&self, id: i64) -> Result<bool> {
        let n = self
            .write_one(async move |conn| {
                conn.execute(
                    "UPDATE gf_friendships SET status = 'accepted' WHERE id = $1 AND status = 'pending'",
                    params![id],
                )
                .await
            })
            .await?;
        Ok(n > 0)
    }

    async fn gf_delete_friendship(&self, id: i64, status: &str) -> Result<bool> {
        let status = status.to_owned();
        let n = self
            .write_one(async move |conn| {
                conn.execute(
                    "DELETE FROM gf_friendships WHERE id = $1 AND status = $2",
                    params![id, status],
                )
                .await
            })
            .await?;
        Ok(n > 0)
    }

    async fn gf_unfriend(&self, a: PlayerId, b: PlayerId) -> Result<bool> {
        let (lo, hi) = (a.0.min(b.0), a.0.max(b.0));
        let n = self
            .write_one(async move |conn| {
                conn.execute(
                    "DELETE FROM gf_friendships WHERE pair_lo = $1 AND pair_hi = $2 AND status = 'accepted'",
                    params![lo, hi],
                )
                .await
            })
            .await?;
        Ok(n > 0)
    }

    async fn gf_friend_links(&self, player: PlayerId) -> Result<Vec<FriendLink>> {
        let rows: Vec<LinkRow> = self
            .read(async |e| {
                e.fetch_all(
                    concat!(
                        "SELECT f.id AS f_id, f.status AS f_status, f.requester_id AS f_requester, \
                     f.created_at AS f_created, ",
                        gf_user_cols_u!(),
                        " FROM gf_friendships f JOIN gamefuse_users u ON u.player_id = \
                     CASE WHEN f.requester_id = $1 THEN f.addressee_id ELSE f.requester_id END \
                     WHERE f.requester_id = $1 OR f.addressee_id = $1 ORDER BY f.created_at DESC, f.id DESC"
                    ),
                    params![player.0],
                )
                .await
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| FriendLink {
                friendship_id: r.f_id,
                accepted: r.f_status == "accepted",
                incoming: r.f_requester != player.0,
                requested_at: Timestamp(r.f_created),
                other: GfUser::from(r.user),
            })
            .collect())
    }

    async fn gf_insert_group(&self, g: &NewGroup) -> Result<i64> {
        let g = g.clone();
        self.write_tx(async move |tx| {
            let id: i64 = tx
                .scalar_one(
                    "INSERT INTO gf_groups (game_id, name, group_type, can_auto_join, is_invite_only, max_group_size, \
                 searchable, admins_only_attrs, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                    params![
                        g.game_id.0,
                        &g.name,
                        &g.group_type,
                        flag(g.can_auto_join),
                        flag(g.is_invite_only),
                        g.max_group_size,
                        flag(g.searchable),
                        flag(g.admins_only_can_create_attributes),
                        g.now.0
                    ],
                )
                .await?;
            tx.execute(
                "INSERT INTO gf_group_connections (group_id, player_id, inviter_id, kind, status, is_admin, \
                 created_at, updated_at) VALUES ($1, $2, NULL, 'join', 'accepted', 1, $3, $3)",
                params![id, g.creator.0, g.now.0],
            )
            .await?;
            Ok(id)
        })
        .await
    }

    async fn gf_groups(&self, game: GameId, ids: &[i64]) -> Result<Vec<Group>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {GROUP_COLS} FROM gf_groups g WHERE g.game_id = $1 AND g.id IN ({}) ORDER BY g.id",
            placeholders(2, ids.len())
        );
        let mut ps: Vec<P> = vec![P::I64(game.0)];
        ps.extend(ids.iter().map(|&i| P::I64(i)));
        let rows: Vec<GroupRow> = self.read(async |e| e.fetch_all(&sql, &ps).await).await?;
        Ok(rows.into_iter().map(Group::from).collect())
    }

    async fn gf_list_groups(&self, game: GameId) -> Result<Vec<Group>> {
        let sql =
            format!("SELECT {GROUP_COLS} FROM gf_groups g WHERE g.game_id = $1 AND g.searchable = 1 ORDER BY g.id");
        let rows: Vec<GroupRow> = self.read(async |e| e.fetch_all(&sql, params![game.0]).await).await?;
        Ok(rows.into_iter().map(Group::from).collect())
    }

    async fn gf_update_group(&self, id: i64, patch: &GroupPatch) -> Result<()> {
        let p = patch.clone();
        self.write_one(async move |conn| {
            conn.execute(
                "UPDATE gf_groups SET name = COALESCE($2, name), can_auto_join = COALESCE($3, can_auto_join), \
                 is_invite_only = COALESCE($4, is_invite_only), \
                 max_group_size = CASE WHEN $5 = 1 THEN $6 ELSE max_group_size END WHERE id = $1",
                params![
                    id,
                    p.name,
                    p.can_auto_join.map(flag),
                    p.is_invite_only.map(flag),
                    flag(p.max_group_size.is_some()),
                    p.max_group_size.flatten()
                ],
            )
            .await
            .map(|_| ())
        })
        .await
    }

    async fn gf_delete_group(&self, id: i64) -> Result<()> {
        self.write_tx(async move |tx| {
            for sql in [
                "DELETE FROM gf_group_connections WHERE group_id = $1",
                "DELETE FROM gf_group_attributes WHERE group_id = $1",
                "DELETE FROM gf_message_reads WHERE message_id IN \
                 (SELECT m.id FROM gf_messages m JOIN gf_chats c ON c.id = m.chat_id WHERE c.group_id = $1)",
                "DELETE FROM gf_messages WHERE chat_id IN (SELECT id FROM gf_chats WHERE group_id = $1)",
                "DELETE FROM gf_chat_participants WHERE chat_id IN (SELECT id FROM gf_chats WHERE group_id = $1)",
                "DELETE FROM gf_chats WHERE group_id = $1",
                "DELETE FROM gf_groups WHERE id = $1",
            ] {
                tx.execute(sql, params![id]).await?;
            }
            Ok(())
        })
        .await
    }

    async fn gf_members(&self, groups: &[i64]) -> Result<Vec<Member>> {
        if groups.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT c.group_id AS m_group, c.is_admin AS m_admin, {} FROM gf_group_connections c \
             JOIN gamefuse_users u ON u.player_id = c.player_id \
             WHERE c.status = 'accepted' AND c.group_id IN ({}) ORDER BY c.created_at, c.id",
            gf_user_cols_u!(),
            placeholders(1, groups.len())
        );
        let ps: Vec<P> = groups.iter().map(|&i| P::I64(i)).collect();
        let rows: Vec<MemberRow> = self.read(async |e| e.fetch_all(&sql, &ps).await).await?;
        Ok(rows
            .into_iter()
            .map(|r| Member {
                group_id: r.m_group,
                is_admin: r.m_admin != 0,
                user: GfUser::from(r.user),
            })
            .collect())
    }

    async fn gf_connection(&self, id: i64) -> Result<Option<Connection>> {
        let sql = format!("SELECT {CONN_COLS} FROM gf_group_connections WHERE id = $1");
        let row: Option<ConnectionRow> = self.read(async |e| e.fetch_optional(&sql, params![id]).await).await?;
        Ok(row.map(Connection::from))
    }

    async fn gf_connection_of(&self, group: i64, player: PlayerId) -> Result<Option<Connection>> {
        let sql = format!("SELECT {CONN_COLS} FROM gf_group_connections WHERE group_id = $1 AND player_id = $2");
        let row: Option<ConnectionRow> = self
            .read(async |e| e.fetch_optional(&sql, params![group, player.0]).await)
            .await?;
        Ok(row.map(Connection::from))
    }

    async fn gf_pending_of_group(&self, group: i64) -> Result<Vec<Connection>> {
        let sql = format!(
            "SELECT {CONN_COLS} FROM gf_group_connections WHERE group_id = $1 AND status = 'pending' \
             ORDER BY created_at, id"
        );
        let rows: Vec<ConnectionRow> = self.read(async |e| e.fetch_all(&sql, params![group]).await).await?;
        Ok(rows.into_iter().map(Connection::from).collect())
    }

    async fn gf_connections_of_user(&self, player: PlayerId) -> Result<Vec<Connection>> {
        let sql = format!(
            "SELECT {CONN_COLS} FROM gf_group_connections WHERE player_id = $1 \
             AND status IN ('pending', 'accepted') ORDER BY created_at, id"
        );
        let rows: Vec<ConnectionRow> = self.read(async |e| e.fetch_all(&sql, params![player.0]).await).await?;
        Ok(rows.into_iter().map(Connection::from).collect())
    }

    async fn gf_insert_connection(&self, c: &Connection, replace_removed: bool, max_size: Option<i64>) -> Result<i64> {
        let c = c.clone();
        self.write_tx(async move |tx| {
            let existing: Option<String> = tx
                .scalar_optional(
                    "SELECT status FROM gf_group_connections WHERE group_id = $1 AND player_id = $2",
                    params![c.group_id, c.player_id.0],
                )
                .await?;
            match existing.as_deref() {
                None => {}
                Some("removed") if replace_removed => {
                    tx.execute(
                        "DELETE FROM gf_group_connections WHERE group_id = $1 AND player_id = $2",
                        params![c.group_id, c.player_id.0],
                    )
                    .await?;
                }
                Some("removed") => return Err(Error::Forbidden(Forbidden::RemovedFromGroup)),
                Some(_) => return Err(Error::Conflict(Conflict::AlreadyInGroup)),
            }
            if c.status == "accepted" && !has_room(tx, c.group_id, max_size).await? {
                return Err(Error::Forbidden(Forbidden::GroupFull));
            }
            tx.scalar_one(
                "INSERT INTO gf_group_connections (group_id, player_id, inviter_id, kind, status, is_admin, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
                params![
                    c.group_id,
                    c.player_id.0,
                    c.inviter_id.map(|i| i.0),
                    c.kind.as_str(),
                    &c.status,
                    flag(c.is_admin),
                    c.created_at.0
                ],
            )
            .await
            .map_err(|e| match e {
                e if e.is_unique_violation() => Error::Conflict(Conflict::AlreadyInGroup),
                other => other,
            })
        })
        .await
    }

    async fn gf_update_connection(
        &self,
        id: i64,
        status: &str,
        is_admin: bool,
        max_size: Option<i64>,
        now: Timestamp,
    ) -> Result<()> {
        let status = status.to_owned();
        self.write_tx(async move |tx| {
            let current: Option<GroupStatusRow> = tx
                .fetch_optional(
                    "SELECT group_id, status FROM gf_group_connections WHERE id = $1",
                    params![id],
                )
                .await?;
            let GroupStatusRow {
                group_id: group,
                status: was,
            } = current.ok_or(Error::NotFound(Entity::GroupConnection))?;
            if status == "accepted" && was != "accepted" && !has_room(tx, group, max_size).await? {
                return Err(Error::Forbidden(Forbidden::GroupFull));
            }
            tx.execute(
                "UPDATE gf_group_connections SET status = $2, is_admin = $3, updated_at = $4 WHERE id = $1",
                params![id, &status, flag(is_admin), now.0],
            )
            .await?;
            Ok(())
        })
        .await
    }

    async fn gf_delete_connection(&self, id: i64) -> Result<bool> {
        let n = self
            .write_one(async move |conn| {
                conn.execute("DELETE FROM gf_group_connections WHERE id = $1", params![id])
                    .await
            })
            .await?;
        Ok(n > 0)
    }

    async fn gf_insert_round(&self, r: &NewRound) -> Result<i64> {
        let r = r.clone();
        self.write_tx(async move |tx| {
            let mp = match r.multiplayer {
                Multiplayer::No => None,
                Multiplayer::Join(id) => Some(id),
                Multiplayer::New(master) => Some(
                    tx.scalar_one::<i64>(
                        "INSERT INTO gf_multiplayer_rounds (game_id, master_id, created_at) VALUES ($1, $2, $3) \
                         RETURNING id",
                        params![r.game_id.0, master.0, r.now.0],
                    )
                    .await?,
                ),
            };
            tx.scalar_one(
                "INSERT INTO gf_game_rounds (game_id, player_id, game_type, start_time, end_time, score, place, \
                 metadata, multiplayer_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
                params![
                    r.game_id.0,
                    r.player_id.0,
                    &r.game_type,
                    r.start_time.0,
                    r.end_time.map(|t| t.0),
                    r.score,
                    r.place,
                    &r.metadata,
                    mp,
                    r.now.0
                ],
            )
            .await
        })
        .await
    }

    async fn gf_multiplayer_master(&self, game: GameId, id: i64) -> Result<Option<PlayerId>> {
        let m: Option<i64> = self
            .read(async |e| {
                e.scalar_optional(
                    "SELECT master_id FROM gf_multiplayer_rounds WHERE id = $1 AND game_id = $2",
                    params![id, game.0],
                )
                .await
            })
            .await?;
        Ok(m.map(PlayerId))
    }

    async fn gf_rounds(&self, game: GameId, ids: &[i64]) -> Result<Vec<GameRound>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {ROUND_COLS} FROM gf_game_rounds WHERE game_id = $1 AND id IN ({}) ORDER BY id",
            placeholders(2, ids.len())
        );
        let mut ps: Vec<P> = vec![P::I64(game.0)];
        ps.extend(ids.iter().map(|&i| P::I64(i)));
        let rows: Vec<RoundRow> = self.read(async |e| e.fetch_all(&sql, &ps).await).await?;
        self.with_rankings(rows.into_iter().map(GameRound::from).collect())
            .await
    }

    async fn gf_rounds_of(&self, player: PlayerId, limit: i64, offset: i64) -> Result<Vec<GameRound>> {
        let sql =
            format!("SELECT {ROUND_COLS} FROM gf_game_rounds WHERE player_id = $1 ORDER BY id LIMIT $2 OFFSET $3");
        let rows: Vec<RoundRow> = self
            .read(async |e| e.fetch_all(&sql, params![player.0, limit, offset]).await)
            .await?;
        self.with_rankings(rows.into_iter().map(GameRound::from).collect())
            .await
    }

    async fn gf_update_round(&self, id: i64, patch: &RoundPatch, now: Timestamp) -> Result<()> {
        let p = patch.clone();
        self.write_one(async move |conn| {
            conn.execute(
                "UPDATE gf_game_rounds SET game_type = COALESCE($2, game_type), \
                 start_time = COALESCE($3, start_time), end_time = COALESCE($4, end_time), \
                 score = COALESCE($5, score), place = COALESCE($6, place), metadata = COALESCE($7, metadata), \
                 updated_at = $8 WHERE id = $1",
                params![
                    id,
                    p.game_type,
                    p.start_time.map(|t| t.0),
                    p.end_time.map(|t| t.0),
                    p.score,
                    p.place,
                    p.metadata,
                    now.0
                ],
            )
            .await
            .map(|_| ())
        })
        .await
    }

    async fn gf_delete_round(&self, id: i64) -> Result<bool> {
        let n = self
            .write_one(async move |conn| {
                conn.execute("DELETE FROM gf_game_rounds WHERE id = $1", params![id])
                    .await
            })
            .await?;
        Ok(n > 0)
    }

    async fn gf_direct_chat(
        &self,
        game: GameId,
        creator: PlayerId,
        key: &str,
        participants: &[i64],
        now: Timestamp,
    ) -> Result<i64> {
        let (key, participants) = (key.to_owned(), participants.to_vec());
        self.write_tx(async move |tx| {
            let created: Option<i64> = tx
                .scalar_optional(
                    "INSERT INTO gf_chats (game_id, group_id, creator_id, participant_key, last_activity, created_at) \
                 VALUES ($1, NULL, $2, $3, $4, $4) ON CONFLICT (game_id, participant_key) DO NOTHING RETURNING id",
                    params![game.0, creator.0, &key, now.0],
                )
                .await?;
            let Some(id) = created else {
                return tx
                    .scalar_one(
                        "SELECT id FROM gf_chats WHERE game_id = $1 AND participant_key = $2",
                        params![game.0, &key],
                    )
                    .await;
            };
            for p in &participants {
                tx.execute(
                    "INSERT INTO gf_chat_participants (chat_id, player_id) VALUES ($1, $2)",
                    params![id, *p],
                )
                .await?;
            }
            Ok(id)
        })
        .await
    }

    async fn gf_group_chat(&self, game: GameId, group: i64, creator: PlayerId, now: Timestamp) -> Result<i64> {
        self.write_tx(async move |tx| {
            tx.execute(
                "INSERT INTO gf_chats (game_id, group_id, creator_id, participant_key, last_activity, created_at) \
                 VALUES ($1, $2, $3, NULL, $4, $4) ON CONFLICT (group_id) DO NOTHING",
                params![game.0, group, creator.0, now.0],
            )
            .await?;
            tx.scalar_one("SELECT id FROM gf_chats WHERE group_id = $1", params![group])
                .await
        })
        .await
    }

    async fn gf_chat(&self, game: GameId, id: i64) -> Result<Option<ChatRec>> {
        let row: Option<ChatRow> = self
            .read(async |e| {
                e.fetch_optional(
                    "SELECT id, group_id, creator_id FROM gf_chats WHERE id = $1 AND game_id = $2",
                    params![id, game.0],
                )
                .await
            })
            .await?;
        Ok(row.map(chat_rec))
    }

    async fn gf_in_chat(&self, chat: i64, player: PlayerId) -> Result<bool> {
        let n: Option<i64> = self
            .read(async |e| {
                e.scalar_optional(
                    "SELECT COUNT(*) FROM gf_chats c WHERE c.id = $1 AND (\
                 EXISTS (SELECT 1 FROM gf_chat_participants p WHERE p.chat_id = c.id AND p.player_id = $2) OR \
                 EXISTS (SELECT 1 FROM gf_group_connections g WHERE g.group_id = c.group_id AND g.player_id = $2 \
                 AND g.status = 'accepted'))",
                    params![chat, player.0],
                )
                .await
            })
            .await?;
        Ok(n.is_some_and(|n| n > 0))
    }

    async fn gf_chat_page(&self, player: PlayerId, group_chats: bool, limit: i64, offset: i64) -> Result<Vec<ChatRec>> {
        let sql = if group_chats {
            "SELECT c.id, c.group_id, c.creator_id FROM gf_chats c JOIN gf_group_connections g \
             ON g.group_id = c.group_id AND g.player_id = $1 AND g.status = 'accepted' \
             ORDER BY c.last_activity DESC, c.id DESC LIMIT $2 OFFSET $3"
        } else {
            "SELECT c.id, c.group_id, c.creator_id FROM gf_chats c JOIN gf_chat_participants p \
             ON p.chat_id = c.id AND p.player_id = $1 \
             ORDER BY c.last_activity DESC, c.id DESC LIMIT $2 OFFSET $3"
        };
        let rows: Vec<ChatRow> = self
            .read(async |e| e.fetch_all(sql, params![player.0, limit, offset]).await)
            .await?;
        Ok(rows.into_iter().map(chat_rec).collect())
    }

    async fn gf_chat_participants(&self, chats: &[i64]) -> Result<Vec<(i64, GfUser)>> {
        if chats.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT p.chat_id AS m_group, CAST(0 AS BIGINT) AS m_admin, {} FROM gf_chat_participants p \
             JOIN gamefuse_users u ON u.player_id = p.player_id WHERE p.chat_id IN ({}) ORDER BY p.player_id",
            gf_user_cols_u!(),
            placeholders(1, chats.len())
        );
        let ps: Vec<P> = chats.iter().map(|&i| P::I64(i)).collect();
        let rows: Vec<MemberRow> = self.read(async |e| e.fetch_all(&sql, &ps).await).await?;
        Ok(rows.into_iter().map(|r| (r.m_group, GfUser::from(r.user))).collect())
    }

    async fn gf_insert_message(&self, chat: i64, player: PlayerId, text: &str, now: Timestamp) -> Result<Message> {
        let text = text.to_owned();
        self.write_tx(async move |tx| {
            let id: i64 = tx.scalar_one("INSERT INTO gf_messages (chat_id, player_id, text, created_at) VALUES ($1, $2, $3, $4) RETURNING id", params![chat, player.0, &text, now.0]).await?;
            tx.execute("INSERT INTO gf_message_reads (message_id, player_id) VALUES ($1, $2)", params![id, player.0]).await?;
            tx.execute("UPDATE gf_chats SET last_activity = $2 WHERE id = $1", params![chat, now.0]).await?;
            Ok(Message {
                id,
                chat_id: chat,
                player_id: player,
                text,
                created_at: now,
                read_by: vec![player.0],
            })
        }).await
    }

    async fn gf_message(&self, id: i64) -> Result<Option<Message>> {
        let row: Option<MessageRow> = self
            .read(async |e| {
                e.fetch_optional(
                    "SELECT id, chat_id, player_id, text, created_at FROM gf_messages WHERE id = $1",
                    params![id],
                )
                .await
            })
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(self.with_readers(vec![row]).await?.pop())
    }

    async fn gf_messages(&self, chats: &[i64], limit: i64, offset: i64) -> Result<Vec<Message>> {
        if chats.is_empty() {
            return Ok(Vec::new());
        }
        // The newest `offset + limit` of each chat, in one query (window functions: SQLite
        // 3.25+ and PostgreSQL).
        let n = chats.len();
        let sql = format!(
            "SELECT id, chat_id, player_id, text, created_at FROM (SELECT m.id, m.chat_id, m.player_id, m.text, \
             m.created_at, ROW_NUMBER() OVER (PARTITION BY m.chat_id ORDER BY m.id DESC) AS rn \
             FROM gf_messages m WHERE m.chat_id IN ({})) x WHERE rn > ${} AND rn <= ${} ORDER BY chat_id, id DESC",
            placeholders(1, n),
            n + 1,
            n + 2
        );
        let mut ps: Vec<P> = chats.iter().map(|&i| P::I64(i)).collect();
        ps.extend([P::I64(offset), P::I64(offset.saturating_add(limit))]);
        let rows: Vec<MessageRow> = self.read(async |e| e.fetch_all(&sql, &ps).await).await?;
        self.with_readers(rows).await
    }

    async fn gf_mark_read(&self, message: i64, player: PlayerId) -> Result<()> {
        self.write_one(async move |conn| {
            conn.execute(
                "INSERT INTO gf_message_reads (message_id, player_id) VALUES ($1, $2) \
                 ON CONFLICT (message_id, player_id) DO NOTHING",
                params![message, player.0],
            )
            .await
            .map(|_| ())
        })
        .await
    }

    async fn gf_group_attributes(&self, group: i64) -> Result<Vec<GroupAttribute>> {
        let rows: Vec<GroupAttributeRow> = self
            .read(async |e| {
                e.fetch_all(
                    "SELECT id, key, value, creator_id, others_can_edit FROM gf_group_attributes WHERE group_id = $1 \
                 ORDER BY key",
                    params![group],
                )
                .await
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| GroupAttribute {
                id: r.id,
                key: r.key,
                value: r.value,
                creator_id: PlayerId(r.creator_id),
                others_can_edit: r.others_can_edit != 0,
            })
            .collect())
    }

    async fn gf_insert_group_attributes(&self, group: i64, creator: PlayerId, attrs: &[NewAttribute]) -> Result<()> {
        let attrs = attrs.to_vec();
        self.write_tx(async move |tx| {
            for a in &attrs {
                tx.execute(
                    "INSERT INTO gf_group_attributes (group_id, key, value, creator_id, others_can_edit) \
                     VALUES ($1, $2, $3, $4, $5)",
                    params![group, &a.key, &a.value, creator.0, flag(a.others_can_edit)],
                )
                .await
                .map_err(|e| match e {
                    e if e.is_unique_violation() => Error::Conflict(Conflict::GroupAttributeExists),
                    other => other,
                })?;
            }
            Ok(())
        })
        .await
    }

    async fn gf_set_group_attribute(&self, id: i64, value: &str) -> Result<()> {
        let value = value.to_owned();
        self.write_one(async move |conn| {
            conn.execute(
                "UPDATE gf_group_attributes SET value = $2 WHERE id = $1",
                params![id, value],
            )
            .await
            .map(|_| ())
        })
        .await
    }
}

row! {
    struct ChatRow {
        id: i64,
        group_id: Option<i64>,
        creator_id: i64,
    }
}

fn chat_rec(r: ChatRow) -> ChatRec {
    ChatRec {
        id: r.id,
        group_id: r.group_id,
        creator_id: PlayerId(r.creator_id),
    }
}

row! {
    struct GroupStatusRow {
        group_id: i64,
        status: String,
    }
}

row! {
    struct GroupAttributeRow {
        id: i64,
        key: String,
        value: String,
        creator_id: i64,
        others_can_edit: i64,
    }
}

row! {
    struct ReadRow {
        message_id: i64,
        player_id: i64,
    }
}

row! {
    struct MessageRow {
    id: i64,
    chat_id: i64,
    player_id: i64,
    text: String,
    created_at: i64,}
}

impl SqlStore {
    /// The readers of these messages, in one query.
    async fn with_readers(&self, rows: Vec<MessageRow>) -> Result<Vec<Message>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT message_id, player_id FROM gf_message_reads WHERE message_id IN ({})",
            placeholders(1, rows.len())
        );
        let ps: Vec<P> = rows.iter().map(|r| P::I64(r.id)).collect();
        let reads: Vec<ReadRow> = self.read(async |e| e.fetch_all(&sql, &ps).await).await?;
        let mut by: HashMap<i64, Vec<i64>> = HashMap::new();
        for r in reads {
            by.entry(r.message_id).or_default().push(r.player_id);
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let mut read_by = by.remove(&r.id).unwrap_or_default();
                // The sender first, then the others by id.
                read_by.sort_unstable_by_key(|p| (*p != r.player_id, *p));
                Message {
                    id: r.id,
                    chat_id: r.chat_id,
                    player_id: PlayerId(r.player_id),
                    text: r.text,
                    created_at: Timestamp(r.created_at),
                    read_by,
                }
            })
            .collect())
    }
}
