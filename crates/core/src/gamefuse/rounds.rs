//! Game rounds of GameFuse users (reference 13): single-player and multiplayer rounds,
//! who may change them.

use super::Gamefuse;
use super::users::Caller;
use crate::ids::PlayerId;
use crate::rounds::{GameRound, Multiplayer, NewRound, RoundInput, RoundPatch};
use crate::{Entity, Error, Result, Unauthorized};

/// The longest game type, in characters.
const MAX_GAME_TYPE: usize = 255;

pub(super) fn check_score(score: Option<f64>) -> Result<Option<f64>> {
    match score {
        Some(s) if !s.is_finite() => Err(Error::invalid("score", "must be a number")),
        other => Ok(other),
    }
}

pub(super) fn check_metadata(m: Option<String>) -> Result<Option<String>> {
    if let Some(m) = &m {
        crate::economy::check_value("metadata", m)?;
    }
    Ok(m)
}

pub(super) fn check_game_type(t: &str) -> Result<String> {
    let t = t.trim();
    if t.is_empty() || t.chars().count() > MAX_GAME_TYPE {
        return Err(Error::invalid("game_type", "is required, at most 255 characters"));
    }
    Ok(t.to_owned())
}

impl Gamefuse {
    // -------------------------------------------------------------- game rounds
    pub(super) async fn round_of_game(&self, caller: &Caller, id: i64) -> Result<GameRound> {
        self.store()
            .rounds(caller.game.id, &[id])
            .await?
            .pop()
            .ok_or(Error::NotFound(Entity::GameRound))
    }

    /// Whether the caller may change a round: its owner, or the master of its container.
    pub(super) async fn may_change(&self, caller: &Caller, r: &GameRound) -> Result<()> {
        let me = caller.user()?;
        if r.player_id == me.id {
            return Ok(());
        }
        if let Some(mp) = r.multiplayer_id
            && self.store().multiplayer_master(caller.game.id, mp).await? == Some(me.id)
        {
            return Ok(());
        }
        Err(Error::Unauthorized(Unauthorized::NotRoundOwner))
    }

    /// `POST /game_rounds` (reference 13.2). A round for another user is allowed only in an
    /// existing multiplayer container the caller mastered or plays in (the SDK's "add
    /// player"); otherwise the round is the caller's.
    pub async fn create_round(&self, caller: &Caller, input: RoundInput) -> Result<GameRound> {
        let me = caller.user()?;
        let game_type = check_game_type(input.game_type.as_deref().unwrap_or(""))?;
        let owner = input
            .game_user_id
            .ok_or_else(|| Error::invalid("game_user_id", "is required"))?;
        let multiplayer = match input.multiplayer_game_round_id {
            Some(mp) => {
                let master = self
                    .store()
                    .multiplayer_master(caller.game.id, mp)
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
            self.user(caller, owner).await?;
        }
        let now = self.now();
        let r = NewRound {
            game_id: caller.game.id,
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
        let id = self.store().insert_round(&r).await?;
        self.round_of_game(caller, id).await
    }

    /// `PUT /game_rounds/{id}`: the owner (or the container's master); partial.
    pub async fn update_round(&self, caller: &Caller, id: i64, input: RoundInput) -> Result<GameRound> {
        let r = self.round_of_game(caller, id).await?;
        self.may_change(caller, &r).await?;
        let patch = RoundPatch {
            game_type: input.game_type.as_deref().map(check_game_type).transpose()?,
            start_time: input.start_time,
            end_time: input.end_time,
            score: check_score(input.score)?,
            place: input.place,
            metadata: check_metadata(input.metadata)?,
        };
        self.store().update_round(id, &patch, self.now()).await?;
        self.round_of_game(caller, id).await
    }

    /// `DELETE /game_rounds/{id}`: the owner (or the container's master).
    pub async fn delete_round(&self, caller: &Caller, id: i64) -> Result<()> {
        let r = self.round_of_game(caller, id).await?;
        self.may_change(caller, &r).await?;
        self.store().delete_round(id).await?;
        Ok(())
    }

    /// `GET /game_rounds/{id}`: any round of the caller's game.
    pub async fn round(&self, caller: &Caller, id: i64) -> Result<GameRound> {
        caller.user()?;
        self.round_of_game(caller, id).await
    }

    /// `GET /game_rounds?user_id=`: a user's rounds (same game), `per_page` at most 100.
    pub async fn rounds_of(&self, caller: &Caller, user: i64, page: i64, per_page: i64) -> Result<Vec<GameRound>> {
        caller.user()?;
        let u = self.user(caller, user).await?;
        let per_page = per_page.clamp(1, 100);
        let page = page.max(1);
        self.store()
            .rounds_of(u.id, per_page, (page - 1).saturating_mul(per_page))
            .await
    }
}
