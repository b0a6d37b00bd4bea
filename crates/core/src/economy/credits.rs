//! Credits and score of a client user.

use crate::Result;
use crate::client_users::ClientUser;
use crate::ids::PlayerId;
use async_trait::async_trait;

/// A change of credits or score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterOp {
    AddCredits(i64),
    SetCredits(i64),
    AddScore(i64),
    SetScore(i64),
}

/// The largest credits, score or cost one call may name.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

/// Persistence of users' credits and score.
#[async_trait]
pub trait CreditStore: Send + Sync {
    /// Changes credits or score; `Forbidden` (and nothing changed) if credits would become
    /// negative.
    async fn apply_counter(&self, player: PlayerId, op: CounterOp) -> Result<ClientUser>;
}
