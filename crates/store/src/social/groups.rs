//! `GroupStore` for [`SqlStore`]: groups, their connections and attributes.

use crate::SqlStore;
use crate::client_users::{ClientUserRow, client_user_cols_u};
use crate::exec::{Conn, params, row};
use crate::sql::flag;
use async_trait::async_trait;
use playgate_core::client_users::ClientUser;
use playgate_core::clock::Timestamp;
use playgate_core::ids::{GameId, PlayerId};
use playgate_core::social::groups::{
    Connection, ConnectionKind, Group, GroupAttribute, GroupPatch, GroupStore, Member, NewAttribute, NewGroup,
};
use playgate_core::{Conflict, Entity, Error, Forbidden, Result};

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
     (SELECT COUNT(*) FROM group_connections m WHERE m.group_id = g.id AND m.status = 'accepted') AS member_count";

row! {
    /// A user with the group (or chat) it belongs to and its admin flag.
    pub(crate) struct MemberRow {
        pub(crate) m_group: i64,
        pub(crate) m_admin: i64,
        #[flatten]
        pub(crate) user: ClientUserRow,
    }
}

row! {
    pub(crate) struct ConnectionRow {
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

/// The player's (`$1`) pending and accepted group connections, oldest first.
pub(crate) fn connections_of_user_sql() -> String {
    format!(
        "SELECT {CONN_COLS} FROM group_connections WHERE player_id = $1 \
         AND status IN ('pending', 'accepted') ORDER BY created_at, id"
    )
}

/// Whether the group has room for one more accepted member (always, without `max`).
/// Runs inside the writing transaction (SQLite's writer is serial; on PostgreSQL the group
/// row is locked first).
async fn has_room(tx: &mut Conn<'_>, group: i64, max: Option<i64>) -> Result<bool> {
    let Some(max) = max else {
        return Ok(true);
    };
    if tx.is_postgres() {
        tx.execute("SELECT id FROM groups WHERE id = $1 FOR UPDATE", params![group])
            .await?;
    }
    let n: i64 = tx
        .scalar_one(
            "SELECT COUNT(*) FROM group_connections WHERE group_id = $1 AND status = 'accepted'",
            params![group],
        )
        .await?;
    Ok(n < max)
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
        creator_id: Option<i64>,
        others_can_edit: i64,
    }
}

#[async_trait]
impl GroupStore for SqlStore {
    async fn insert_group(&self, g: &NewGroup) -> Result<i64> {
        let g = g.clone();
        self.write_tx(async move |tx| {
            let id: i64 = tx
                .scalar_one(
                    "INSERT INTO groups (game_id, name, group_type, can_auto_join, is_invite_only, max_group_size, \
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
                "INSERT INTO group_connections (group_id, player_id, inviter_id, kind, status, is_admin, \
                 created_at, updated_at) VALUES ($1, $2, NULL, 'join', 'accepted', 1, $3, $3)",
                params![id, g.creator.0, g.now.0],
            )
            .await?;
            Ok(id)
        })
        .await
    }

    async fn groups(&self, game: GameId, ids: &[i64]) -> Result<Vec<Group>> {
        let rows: Vec<GroupRow> = self
            .read_in(params![game.0], ids, |ids| {
                format!("SELECT {GROUP_COLS} FROM groups g WHERE g.game_id = $1 AND g.id IN ({ids}) ORDER BY g.id")
            })
            .await?;
        Ok(rows.into_iter().map(Group::from).collect())
    }

    async fn list_groups(&self, game: GameId) -> Result<Vec<Group>> {
        let sql = format!("SELECT {GROUP_COLS} FROM groups g WHERE g.game_id = $1 AND g.searchable = 1 ORDER BY g.id");
        let rows: Vec<GroupRow> = self.read_all(&sql, params![game.0]).await?;
        Ok(rows.into_iter().map(Group::from).collect())
    }

    async fn update_group(&self, id: i64, patch: &GroupPatch) -> Result<()> {
        self.execute_one(
            "UPDATE groups SET name = COALESCE($2, name), can_auto_join = COALESCE($3, can_auto_join), \
             is_invite_only = COALESCE($4, is_invite_only), \
             max_group_size = CASE WHEN $5 = 1 THEN $6 ELSE max_group_size END WHERE id = $1",
            params![
                id,
                patch.name,
                patch.can_auto_join.map(flag),
                patch.is_invite_only.map(flag),
                flag(patch.max_group_size.is_some()),
                patch.max_group_size.flatten()
            ],
        )
        .await?;
        Ok(())
    }

    async fn delete_group(&self, id: i64) -> Result<()> {
        self.write_tx(async move |tx| {
            for sql in [
                "DELETE FROM group_connections WHERE group_id = $1",
                "DELETE FROM group_attributes WHERE group_id = $1",
                "DELETE FROM message_reads WHERE message_id IN \
                 (SELECT m.id FROM chat_messages m JOIN chats c ON c.id = m.chat_id WHERE c.group_id = $1)",
                "DELETE FROM chat_messages WHERE chat_id IN (SELECT id FROM chats WHERE group_id = $1)",
                "DELETE FROM chat_participants WHERE chat_id IN (SELECT id FROM chats WHERE group_id = $1)",
                "DELETE FROM chats WHERE group_id = $1",
                "DELETE FROM groups WHERE id = $1",
            ] {
                tx.execute(sql, params![id]).await?;
            }
            Ok(())
        })
        .await
    }

    async fn members(&self, groups: &[i64]) -> Result<Vec<Member>> {
        let rows: Vec<MemberRow> = self
            .read_in(&[], groups, |ids| {
                format!(
                    "SELECT c.group_id AS m_group, c.is_admin AS m_admin, {} FROM group_connections c \
                     JOIN gamefuse_users u ON u.player_id = c.player_id \
                     WHERE c.status = 'accepted' AND c.group_id IN ({ids}) ORDER BY c.created_at, c.id",
                    client_user_cols_u!()
                )
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| Member {
                group_id: r.m_group,
                is_admin: r.m_admin != 0,
                user: ClientUser::from(r.user),
            })
            .collect())
    }

    async fn connection(&self, id: i64) -> Result<Option<Connection>> {
        let sql = format!("SELECT {CONN_COLS} FROM group_connections WHERE id = $1");
        let row: Option<ConnectionRow> = self.read_optional(&sql, params![id]).await?;
        Ok(row.map(Connection::from))
    }

    async fn connection_of(&self, group: i64, player: PlayerId) -> Result<Option<Connection>> {
        let sql = format!("SELECT {CONN_COLS} FROM group_connections WHERE group_id = $1 AND player_id = $2");
        let row: Option<ConnectionRow> = self.read_optional(&sql, params![group, player.0]).await?;
        Ok(row.map(Connection::from))
    }

    async fn pending_of_group(&self, group: i64) -> Result<Vec<Connection>> {
        let sql = format!(
            "SELECT {CONN_COLS} FROM group_connections WHERE group_id = $1 AND status = 'pending' \
             ORDER BY created_at, id"
        );
        let rows: Vec<ConnectionRow> = self.read_all(&sql, params![group]).await?;
        Ok(rows.into_iter().map(Connection::from).collect())
    }

    async fn connections_of_user(&self, player: PlayerId) -> Result<Vec<Connection>> {
        let sql = connections_of_user_sql();
        let rows: Vec<ConnectionRow> = self.read_all(&sql, params![player.0]).await?;
        Ok(rows.into_iter().map(Connection::from).collect())
    }

    async fn insert_connection(&self, c: &Connection, replace_removed: bool, max_size: Option<i64>) -> Result<i64> {
        let c = c.clone();
        self.write_tx(async move |tx| {
            let existing: Option<String> = tx
                .scalar_optional(
                    "SELECT status FROM group_connections WHERE group_id = $1 AND player_id = $2",
                    params![c.group_id, c.player_id.0],
                )
                .await?;
            match existing.as_deref() {
                None => {}
                Some("removed") if replace_removed => {
                    tx.execute(
                        "DELETE FROM group_connections WHERE group_id = $1 AND player_id = $2",
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
                "INSERT INTO group_connections (group_id, player_id, inviter_id, kind, status, is_admin, \
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

    async fn update_connection(
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
                    "SELECT group_id, status FROM group_connections WHERE id = $1",
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
                "UPDATE group_connections SET status = $2, is_admin = $3, updated_at = $4 WHERE id = $1",
                params![id, &status, flag(is_admin), now.0],
            )
            .await?;
            Ok(())
        })
        .await
    }

    async fn delete_connection(&self, id: i64) -> Result<bool> {
        self.execute_changed("DELETE FROM group_connections WHERE id = $1", params![id])
            .await
    }

    async fn group_attributes(&self, group: i64) -> Result<Vec<GroupAttribute>> {
        let rows: Vec<GroupAttributeRow> = self
            .read_all(
                "SELECT id, key, value, creator_id, others_can_edit FROM group_attributes WHERE group_id = $1 \
                 ORDER BY key",
                params![group],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| GroupAttribute {
                id: r.id,
                key: r.key,
                value: r.value,
                creator_id: r.creator_id.map_or(PlayerId::DELETED, PlayerId),
                others_can_edit: r.others_can_edit != 0,
            })
            .collect())
    }

    async fn insert_group_attributes(&self, group: i64, creator: PlayerId, attrs: &[NewAttribute]) -> Result<()> {
        let attrs = attrs.to_vec();
        self.write_tx(async move |tx| {
            for a in &attrs {
                tx.execute(
                    "INSERT INTO group_attributes (group_id, key, value, creator_id, others_can_edit) \
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

    async fn set_group_attribute(&self, id: i64, value: &str) -> Result<()> {
        self.execute_one(
            "UPDATE group_attributes SET value = $2 WHERE id = $1",
            params![id, value],
        )
        .await?;
        Ok(())
    }
}
