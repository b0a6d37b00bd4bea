//! Credits and score of a client user: what may change them, and how far.

use crate::client_users::ClientUser;
use crate::ids::PlayerId;
use crate::{Error, Result};
use async_trait::async_trait;
use std::sync::Arc;

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

/// The credits service: a user's credits and score.
#[derive(Clone)]
pub struct Credits {
    store: Arc<dyn CreditStore>,
}

impl Credits {
    /// The service over its store.
    pub fn new(store: Arc<dyn CreditStore>) -> Self {
        Credits { store }
    }

    /// Changes credits or score. Credits never become negative (a debit past zero is
    /// refused: `Forbidden`, nothing changed); `SetCredits` takes no negative value. The
    /// user as given, with the new credits and score.
    pub async fn apply(&self, user: &ClientUser, op: CounterOp) -> Result<ClientUser> {
        let (field, n) = match op {
            CounterOp::AddCredits(n) | CounterOp::SetCredits(n) => ("credits", n),
            CounterOp::AddScore(n) | CounterOp::SetScore(n) => ("score", n),
        };
        // Far below i64's range, so sums stay exact integers on both databases. (Not
        // `n.abs()`: it overflows on i64::MIN, found by the generated-input run.)
        if !(-MAX_AMOUNT..=MAX_AMOUNT).contains(&n) {
            return Err(Error::invalid(field, "must be between -10^15 and 10^15"));
        }
        if let CounterOp::SetCredits(n) = op
            && n < 0
        {
            return Err(Error::invalid("credits", "must not be negative"));
        }
        let stored = self.store.apply_counter(user.id, op).await?;
        // The user as the call's authentication read and counted it (the stored event
        // counters lack this node's unwritten tally), with the new credits and score.
        Ok(ClientUser {
            credits: stored.credits,
            score: stored.score,
            ..user.clone()
        })
    }
}
