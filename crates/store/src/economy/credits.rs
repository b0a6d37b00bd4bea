//! `CreditStore` for [`SqlStore`]: credits and score.

use crate::SqlStore;
use crate::client_users::{ClientUserRow, client_user_cols};
use crate::exec::params;
use async_trait::async_trait;
use playgate_core::client_users::ClientUser;
use playgate_core::economy::credits::{CounterOp, CreditStore};
use playgate_core::ids::PlayerId;
use playgate_core::{Entity, Error, Forbidden, Result};

#[async_trait]
impl CreditStore for SqlStore {
    async fn apply_counter(&self, player: PlayerId, op: CounterOp) -> Result<ClientUser> {
        let (set, n) = match op {
            CounterOp::AddCredits(n) => ("credits = credits + $2 WHERE player_id = $1 AND credits + $2 >= 0", n),
            CounterOp::SetCredits(n) => ("credits = $2 WHERE player_id = $1", n),
            CounterOp::AddScore(n) => ("score = score + $2 WHERE player_id = $1", n),
            CounterOp::SetScore(n) => ("score = $2 WHERE player_id = $1", n),
        };
        let sql = format!("UPDATE gamefuse_users SET {set} RETURNING {}", client_user_cols!());
        let row: Option<ClientUserRow> = self
            .write_one(async move |pool| pool.fetch_optional(&sql, params![player.0, n]).await)
            .await?;
        match row {
            Some(r) => Ok(r.into()),
            None if matches!(op, CounterOp::AddCredits(_)) => Err(Error::Forbidden(Forbidden::NotEnoughCredits)),
            None => Err(Error::NotFound(Entity::User)),
        }
    }
}
