//! `FriendStore` for [`SqlStore`]: friend requests and friendships.

use crate::SqlStore;
use crate::client_users::{ClientUserRow, client_user_cols_u};
use crate::exec::{params, row};
use async_trait::async_trait;
use playgate_core::client_users::ClientUser;
use playgate_core::clock::Timestamp;
use playgate_core::ids::{GameId, PlayerId};
use playgate_core::social::friends::{FriendLink, FriendStore, Friendship};
use playgate_core::{Conflict, Error, Result};

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

/// The player's (`$1`) friendships and requests, either way, each with the other user,
/// newest first.
pub(crate) const FRIEND_LINKS_SQL: &str = concat!(
    "SELECT f.id AS f_id, f.status AS f_status, f.requester_id AS f_requester, f.created_at AS f_created, ",
    client_user_cols_u!(),
    " FROM friendships f JOIN gamefuse_users u ON u.player_id = \
     CASE WHEN f.requester_id = $1 THEN f.addressee_id ELSE f.requester_id END \
     WHERE f.requester_id = $1 OR f.addressee_id = $1 ORDER BY f.created_at DESC, f.id DESC"
);

/// A friendship row as `player` sees it.
pub(crate) fn friend_link(r: LinkRow, player: PlayerId) -> FriendLink {
    FriendLink {
        friendship_id: r.f_id,
        accepted: r.f_status == "accepted",
        incoming: r.f_requester != player.0,
        requested_at: Timestamp(r.f_created),
        other: ClientUser::from(r.user),
    }
}

row! {
    pub(crate) struct LinkRow {
        f_id: i64,
        f_status: String,
        f_requester: i64,
        f_created: i64,
        #[flatten]
        user: ClientUserRow,
    }
}

#[async_trait]
impl FriendStore for SqlStore {
    async fn friendship(&self, game: GameId, id: i64) -> Result<Option<Friendship>> {
        let row: Option<FriendshipRow> = self
            .read_optional(
                "SELECT id, game_id, requester_id, addressee_id, status, created_at FROM friendships \
                 WHERE id = $1 AND game_id = $2",
                params![id, game.0],
            )
            .await?;
        Ok(row.map(Friendship::from))
    }

    async fn insert_friendship(
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
                    "INSERT INTO friendships (game_id, requester_id, addressee_id, pair_lo, pair_hi, status, \
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

    async fn accept_friendship(&self, id: i64) -> Result<bool> {
        self.execute_changed(
            "UPDATE friendships SET status = 'accepted' WHERE id = $1 AND status = 'pending'",
            params![id],
        )
        .await
    }

    async fn delete_friendship(&self, id: i64, status: &str) -> Result<bool> {
        self.execute_changed(
            "DELETE FROM friendships WHERE id = $1 AND status = $2",
            params![id, status],
        )
        .await
    }

    async fn unfriend(&self, a: PlayerId, b: PlayerId) -> Result<bool> {
        let (lo, hi) = (a.0.min(b.0), a.0.max(b.0));
        self.execute_changed(
            "DELETE FROM friendships WHERE pair_lo = $1 AND pair_hi = $2 AND status = 'accepted'",
            params![lo, hi],
        )
        .await
    }

    async fn friend_links(&self, player: PlayerId) -> Result<Vec<FriendLink>> {
        let rows: Vec<LinkRow> = self.read_all(FRIEND_LINKS_SQL, params![player.0]).await?;
        Ok(rows.into_iter().map(|r| friend_link(r, player)).collect())
    }
}
