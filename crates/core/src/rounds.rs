//! Game rounds of a game's client users: single-player ones and rounds of a multiplayer
//! container, with rankings, and who may change them.

use crate::client_users::{ClientUser, ClientUserStore};
use crate::clock::{Clock, Timestamp};
use crate::ids::{GameId, PlayerId};
use crate::{Entity, Error, Result, Unauthorized};
use async_trait::async_trait;
use std::sync::Arc;

/// A game round. `metadata` is the JSON text as stored.
#[derive(Debug, Clone)]
pub struct GameRound {
    pub id: i64,
    pub game_id: GameId,
    pub player_id: PlayerId,
    pub game_type: String,
    pub start_time: Timestamp,
    pub end_time: Option<Timestamp>,
    pub score: Option<f64>,
    pub place: Option<i64>,
    pub metadata: Option<String>,
    pub multiplayer_id: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Every round of its multiplayer container, by place then score; empty otherwise.
    pub rankings: Vec<Ranking>,
}

/// One entry of a multiplayer round's rankings.
#[derive(Debug, Clone)]
pub struct Ranking {
    pub id: i64,
    pub place: Option<i64>,
    pub score: Option<f64>,
    pub start_time: Timestamp,
    pub end_time: Option<Timestamp>,
    pub user: ClientUser,
}

/// Which multiplayer container a new round joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Multiplayer {
    /// A single-player round.
    No,
    /// A new container, mastered by the caller.
    New(PlayerId),
    /// An existing container.
    Join(i64),
}

/// What the store needs to record a round.
#[derive(Debug, Clone)]
pub struct NewRound {
    pub game_id: GameId,
    pub player_id: PlayerId,
    pub game_type: String,
    pub start_time: Timestamp,
    pub end_time: Option<Timestamp>,
    pub score: Option<f64>,
    pub place: Option<i64>,
    pub metadata: Option<String>,
    pub multiplayer: Multiplayer,
    pub now: Timestamp,
}

/// A round's fields as the client sends them; `None` keeps (or
/// defaults) the value.
#[derive(Debug, Clone, Default)]
pub struct RoundInput {
    pub game_user_id: Option<i64>,
    pub game_type: Option<String>,
    pub start_time: Option<Timestamp>,
    pub end_time: Option<Timestamp>,
    pub score: Option<f64>,
    pub place: Option<i64>,
    /// JSON text of an object.
    pub metadata: Option<String>,
    pub multiplayer: bool,
    pub multiplayer_game_round_id: Option<i64>,
}

/// Changes to a round; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct RoundPatch {
    pub game_type: Option<String>,
    pub start_time: Option<Timestamp>,
    pub end_time: Option<Timestamp>,
    pub score: Option<f64>,
    pub place: Option<i64>,
    pub metadata: Option<String>,
}

/// Persistence of game rounds and their multiplayer containers.
#[async_trait]
pub trait RoundStore: Send + Sync {
    /// Records a round (creating its multiplayer container first if asked); its id.
    async fn insert_round(&self, r: &NewRound) -> Result<i64>;
    /// The master of a multiplayer container of `game`.
    async fn multiplayer_master(&self, game: GameId, id: i64) -> Result<Option<PlayerId>>;
    /// Rounds of `game` by id, with rankings for multiplayer ones.
    async fn rounds(&self, game: GameId, ids: &[i64]) -> Result<Vec<GameRound>>;
    /// A user's rounds, oldest first, with rankings for multiplayer ones.
    async fn rounds_of(&self, player: PlayerId, limit: i64, offset: i64) -> Result<Vec<GameRound>>;
    /// Changes a round.
    async fn update_round(&self, id: i64, patch: &RoundPatch, now: Timestamp) -> Result<()>;
    /// Deletes a round; whether it existed.
    async fn delete_round(&self, id: i64) -> Result<bool>;
}

/// The longest game type, in characters.
const MAX_GAME_TYPE: usize = 255;

/// The most rounds one page lists.
pub const MAX_PER_PAGE: i64 = 100;

/// The most rounds of a user its relations list.
pub const MAX_LISTED: i64 = 1000;

fn check_score(score: Option<f64>) -> Result<Option<f64>> {
    match score {
        Some(s) if !s.is_finite() => Err(Error::invalid("score", "must be a number")),
        other => Ok(other),
    }
}

fn check_metadata(m: Option<String>) -> Result<Option<String>> {
    if let Some(m) = &m {
        crate::economy::check_value("metadata", m)?;
    }
    Ok(m)
}

fn check_game_type(t: &str) -> Result<String> {
    let t = t.trim();
    if t.is_empty() || t.chars().count() > MAX_GAME_TYPE {
        return Err(Error::invalid("game_type", "is required, at most 255 characters"));
    }
    Ok(t.to_owned())
}

/// The rounds service: single-player rounds and rounds of multiplayer containers of one
/// game, and who may change them.
#[derive(Clone)]
pub struct Rounds {
    users: Arc<dyn ClientUserStore>,
    rounds: Arc<dyn RoundStore>,
    clock: Arc<dyn Clock>,
}

impl Rounds {
    /// The service over its stores.
    pub fn new(users: Arc<dyn ClientUserStore>, rounds: Arc<dyn RoundStore>, clock: Arc<dyn Clock>) -> Self {
        Rounds { users, rounds, clock }
    }

    /// A round of `game`.
    pub async fn get(&self, game: GameId, id: i64) -> Result<GameRound> {
        self.rounds
            .rounds(game, &[id])
            .await?
            .pop()
            .ok_or(Error::NotFound(Entity::GameRound))
    }

    /// Whether `me` may change a round: its owner, or the master of its container.
    async fn may_change(&self, me: &ClientUser, r: &GameRound) -> Result<()> {
        if r.player_id == me.id {
            return Ok(());
        }
        if let Some(mp) = r.multiplayer_id
            && self.rounds.multiplayer_master(me.game_id, mp).await? == Some(me.id)
        {
            return Ok(());
        }
        Err(Error::Unauthorized(Unauthorized::NotRoundOwner))
    }

    /// Records a round. A round for another user is allowed only in an existing
    /// multiplayer container `me` mastered or plays in (adding a player); otherwise the
    /// round is `me`'s.
    pub async fn create(&self, me: &ClientUser, input: RoundInput) -> Result<GameRound> {
        let game_type = check_game_type(input.game_type.as_deref().unwrap_or(""))?;
        let owner = input
            .game_user_id
            .ok_or_else(|| Error::invalid("game_user_id", "is required"))?;
        let multiplayer = match input.multiplayer_game_round_id {
            Some(mp) => {
                let master = self
                    .rounds
                    .multiplayer_master(me.game_id, mp)
                    .await?
                    .ok_or(Error::NotFound(Entity::MultiplayerGameRound))?;
                if owner != me.id.0 && master != me.id {
                    return Err(Error::Unauthorized(Unauthorized::NotRoundMaster));
                }
                Multiplayer::Join(mp)
            }
            None if input.multiplayer => Multiplayer::New(me.id),
            None => Multiplayer::No,
        };
        if owner != me.id.0 {
            if multiplayer == Multiplayer::No || matches!(multiplayer, Multiplayer::New(_)) {
                return Err(Error::Unauthorized(Unauthorized::RoundForOtherUser));
            }
            // The other player must be of this game.
            self.user_of_game(me, PlayerId(owner)).await?;
        }
        let now = self.clock.now();
        let r = NewRound {
            game_id: me.game_id,
            player_id: PlayerId(owner),
            game_type,
            start_time: input.start_time.unwrap_or(now),
            end_time: input.end_time,
            score: check_score(input.score)?,
            place: input.place,
            metadata: check_metadata(input.metadata)?,
            multiplayer,
            now,
        };
        let id = self.rounds.insert_round(&r).await?;
        self.get(me.game_id, id).await
    }

    /// Changes a round (partially): its owner, or the container's master.
    pub async fn update(&self, me: &ClientUser, id: i64, input: RoundInput) -> Result<GameRound> {
        let r = self.get(me.game_id, id).await?;
        self.may_change(me, &r).await?;
        let patch = RoundPatch {
            game_type: input.game_type.as_deref().map(check_game_type).transpose()?,
            start_time: input.start_time,
            end_time: input.end_time,
            score: check_score(input.score)?,
            place: input.place,
            metadata: check_metadata(input.metadata)?,
        };
        self.rounds.update_round(id, &patch, self.clock.now()).await?;
        self.get(me.game_id, id).await
    }

    /// Deletes a round: its owner, or the container's master.
    pub async fn delete(&self, me: &ClientUser, id: i64) -> Result<()> {
        let r = self.get(me.game_id, id).await?;
        self.may_change(me, &r).await?;
        self.rounds.delete_round(id).await?;
        Ok(())
    }

    /// A page (from 1) of the rounds of a user of `me`'s game, oldest first, `per_page` at
    /// most [`MAX_PER_PAGE`].
    pub async fn of_user(&self, me: &ClientUser, user: PlayerId, page: i64, per_page: i64) -> Result<Vec<GameRound>> {
        let user = self.user_of_game(me, user).await?;
        let per_page = per_page.clamp(1, MAX_PER_PAGE);
        let page = page.max(1);
        self.rounds
            .rounds_of(user, per_page, (page - 1).saturating_mul(per_page))
            .await
    }

    /// A user's rounds, oldest first (the first thousand).
    pub async fn all_of(&self, user: PlayerId) -> Result<Vec<GameRound>> {
        self.rounds.rounds_of(user, MAX_LISTED, 0).await
    }

    /// `user`, if it is `me` or another user of `me`'s game (users of other games do not
    /// exist).
    async fn user_of_game(&self, me: &ClientUser, user: PlayerId) -> Result<PlayerId> {
        if user == me.id {
            return Ok(user);
        }
        self.users
            .user(me.game_id, user)
            .await?
            .map(|u| u.id)
            .ok_or(Error::NotFound(Entity::User))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_fields_are_checked() {
        assert_eq!(check_game_type("  duel ").ok(), Some("duel".into()));
        assert!(check_game_type(" ").is_err());
        assert!(check_game_type(&"x".repeat(MAX_GAME_TYPE + 1)).is_err());
        assert_eq!(check_score(Some(1.5)).ok(), Some(Some(1.5)));
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(check_score(Some(bad)).is_err(), "{bad}");
        }
        assert!(check_metadata(Some("{}".into())).is_ok());
        assert!(check_metadata(Some("x".repeat(65_537))).is_err());
    }
}
