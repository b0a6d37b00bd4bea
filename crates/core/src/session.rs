//! Sessions of players: create-or-retrieve, token refresh with rotation and reuse
//! detection, verification, and ending.

use std::net::IpAddr;
use std::sync::Arc;

use crate::clock::Timestamp;
use crate::crypto::SecretHash;
use crate::game::Game;
use crate::ids::{GameId, PlayerId, SessionId, UserId};
use crate::player::{Player, ProfilePatch};
use crate::service::Playgate;
use crate::store::{EndOutcome, Minter, OpenOutcome, OpenPlayerSession, RefreshSwap};
use crate::token::{ACCESS_TYP, AccessClaims, REFRESH_TYP, RefreshClaims, TokenError, check_exp};
use crate::{Conflict, Entity, Unauthorized};
use crate::{Error, Result, wallet};

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// Waiting for a second factor.
    PendingOtp,
    /// In use.
    Active,
    /// Ended (logout, revoke, replaced, reuse detected).
    Ended,
}

impl SessionState {
    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionState::PendingOtp => "pending_otp",
            SessionState::Active => "active",
            SessionState::Ended => "ended",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "pending_otp" => Ok(SessionState::PendingOtp),
            "active" => Ok(SessionState::Active),
            "ended" => Ok(SessionState::Ended),
            other => Err(Error::internal(format!("unknown session state {other:?}"))),
        }
    }
}

/// A session as stored.
#[derive(Debug, Clone)]
pub struct Session {
    /// Random UUID.
    pub id: SessionId,
    /// Its game.
    pub game_id: GameId,
    /// Its player.
    pub player_id: PlayerId,
    /// Where it stands.
    pub state: SessionState,
    /// When it started.
    pub started_at: Timestamp,
    /// Last token issue.
    pub last_seen_at: Timestamp,
    /// When it lapses unless tokens are issued again.
    pub expires_at: Timestamp,
    /// When it ended, if it did.
    pub ended_at: Option<Timestamp>,
    /// Request IP at start.
    pub ip: Option<String>,
}

impl Session {
    /// Active and not past its expiry.
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.state == SessionState::Active && now < self.expires_at
    }
}

/// A token pair as issued; the store records `refresh_hash`.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    /// The access JWT.
    pub access_token: String,
    /// The refresh JWT.
    pub refresh_token: String,
    /// SHA-256 of `refresh_token`.
    pub refresh_hash: SecretHash,
    /// The access token's expiry.
    pub access_expires_at: Timestamp,
}

/// The command of `POST /s2s/session`.
#[derive(Debug, Clone)]
pub struct OpenSession {
    /// The player's id in the game.
    pub user_id: UserId,
    /// Reported profile fields (empty values are ignored).
    pub profile: ProfilePatch,
    /// The request's client address.
    pub ip: Option<IpAddr>,
}

/// The result of create-or-retrieve.
#[derive(Debug, Clone)]
pub struct OpenedSession {
    pub player: Player,
    pub session: Session,
    pub is_new_user: bool,
    pub tokens: IssuedTokens,
}

/// A new token pair for a session.
#[derive(Debug, Clone)]
pub struct Refreshed {
    pub session: Session,
    pub tokens: IssuedTokens,
}

/// The context of a valid access token.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    pub claims: AccessClaims,
    pub session: Session,
}

/// The answer to "is this access token valid?".
#[derive(Debug, Clone)]
pub enum Verification {
    Valid(Box<VerifiedToken>),
    /// Not valid, and why (`invalid`, `expired`, `session_ended`).
    Invalid(&'static str),
}

fn jti() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl Playgate {
    fn mint(&self, game: &Game, player: &Player, session: &Session, is_new_user: bool) -> Result<IssuedTokens> {
        let now = self.now();
        let access_exp = now.plus(self.settings.access_token_ttl);
        let user_id = player.user_id.as_str().to_owned();
        let linked = player.linked.as_ref();
        let access = AccessClaims {
            sub: user_id.clone(),
            client_id: game.client_id.clone(),
            iat: now.unix_secs(),
            iss: game.client_id.clone(),
            exp: access_exp.unix_secs(),
            user_id: user_id.clone(),
            gamer_id: String::new(),
            third_party_client_id: game.client_id.clone(),
            third_party_client_name: game.client_name.clone(),
            namespaced_third_party_user_id: format!("{}#{}", game.client_id, user_id),
            wallet_address: player.wallet_address.clone(),
            is_new_user,
            indigg_id: linked.map(|l| l.public_id.clone()),
            indigg_wallet_address: linked.map(|l| l.wallet_address.clone()).unwrap_or_default(),
            linked_phone: linked.map(|l| l.phone.clone()).unwrap_or_default(),
            sid: session.id.to_string(),
            jti: jti(),
        };
        let refresh = RefreshClaims {
            sub: user_id,
            client_id: game.client_id.clone(),
            iss: game.client_id.clone(),
            iat: now.unix_secs(),
            exp: now.plus(self.settings.refresh_token_ttl).unix_secs(),
            sid: session.id.to_string(),
            jti: jti(),
        };
        let refresh_token = self.keys.sign(REFRESH_TYP, &refresh)?;
        Ok(IssuedTokens {
            access_token: self.keys.sign(ACCESS_TYP, &access)?,
            refresh_hash: SecretHash::of(&refresh_token),
            refresh_token,
            access_expires_at: access_exp,
        })
    }

    /// `POST /s2s/session`: creates the player and a session on the first call; later
    /// calls while the session is live return it with merged profile and fresh tokens; an
    /// expired or ended session is replaced.
    pub async fn open_session(&self, game: &Game, cmd: OpenSession) -> Result<OpenedSession> {
        cmd.profile.validate()?;
        let now = self.now();
        let mut store_cmd = OpenPlayerSession {
            game_id: game.id,
            user_id: cmd.user_id,
            patch: cmd.profile.non_empty(),
            wallet: None,
            now,
            new_session_id: SessionId::new(),
            expires_at: now.plus(self.settings.refresh_token_ttl),
            ip: cmd.ip.map(|ip| ip.to_string()),
        };
        let mint: Arc<Minter> = {
            let (core, game) = (self.clone(), game.clone());
            Arc::new(move |p: &Player, s: &Session, new: bool| core.mint(&game, p, s, new))
        };
        loop {
            match self.store.open_player_session(&store_cmd, mint.clone()).await? {
                OpenOutcome::Opened(opened) => {
                    // The store creates a session under the id it is offered.
                    self.metrics
                        .session_opened(opened.session.id == store_cmd.new_session_id);
                    return Ok(*opened);
                }
                OpenOutcome::NeedsWallet if store_cmd.wallet.is_none() => {
                    store_cmd.wallet = Some(wallet::generate(&self.master)?);
                }
                OpenOutcome::NeedsWallet => return Err(Error::internal("player creation did not take")),
            }
        }
    }

    async fn decode<C: serde::de::DeserializeOwned>(&self, typ: &str, token: &str) -> Result<C, TokenError> {
        match self.keys.verify::<C>(typ, token) {
            Err(TokenError::UnknownKey) => {
                // Another node may have added a key since we loaded ours: reload (at most
                // once a second, misses remembered) and try again.
                let kid = jsonwebtoken::decode_header(token)
                    .ok()
                    .and_then(|h| h.kid)
                    .ok_or(TokenError::Invalid)?;
                self.reload_for_unknown_kid(&kid).await;
                self.keys.verify::<C>(typ, token).map_err(|e| match e {
                    TokenError::UnknownKey => TokenError::Invalid,
                    e => e,
                })
            }
            other => other,
        }
    }

    /// `POST /s2s/session/refresh`: a new token pair for the refresh token's session; the
    /// presented token stops working. Presenting a token that was already replaced ends
    /// the session (reuse detection: whoever holds an old token is not the rightful
    /// client, or the rightful client was copied), with one exception: the token that the
    /// last refresh replaced is answered with a fresh pair (the session stays) for
    /// [`Settings::refresh_grace`](crate::settings::Settings::refresh_grace) after that
    /// refresh, so a client whose refresh response was lost (a crash, a proxy timeout, a
    /// phone losing signal), or that raced two refreshes with one token, is not logged out.
    /// Those retries do not extend the grace period, and the pair issued last is the
    /// session's current one.
    pub async fn refresh_session(&self, game: &Game, refresh_token: &str) -> Result<Refreshed> {
        const REFUSED: Error = Error::Unauthorized(Unauthorized::BadRefreshToken);
        let claims: RefreshClaims = self.decode(REFRESH_TYP, refresh_token).await.map_err(|_| REFUSED)?;
        let now = self.now();
        check_exp(claims.exp, now).map_err(|_| Error::Unauthorized(Unauthorized::RefreshTokenExpired))?;
        if claims.client_id != game.client_id {
            return Err(REFUSED);
        }
        let sid: SessionId = claims.sid.parse().map_err(|_| REFUSED)?;
        let session = self
            .store
            .session(sid)
            .await?
            .filter(|s| s.game_id == game.id)
            .ok_or(REFUSED)?;
        if !session.is_live(now) {
            return Err(Error::Unauthorized(Unauthorized::SessionNotLive));
        }
        let player = self.store.player(session.player_id).await?.ok_or(REFUSED)?;
        let tokens = self.mint(game, &player, &session, false)?;
        let presented = SecretHash::of(refresh_token);
        let expires_at = now.plus(self.settings.refresh_token_ttl);
        let swap = RefreshSwap {
            id: sid,
            presented: &presented,
            next: &tokens.refresh_hash,
            now,
            expires_at,
            grace_since: now.minus(self.settings.refresh_grace),
        };
        if self.store.swap_refresh(&swap).await? {
            let session = Session {
                last_seen_at: now,
                expires_at,
                ..session
            };
            self.metrics.refreshed.inc();
            return Ok(Refreshed { session, tokens });
        }
        // Validly signed for this session, but neither its current refresh token nor the
        // one it replaced within the grace period: reuse.
        match self.store.session(sid).await? {
            Some(s) if s.is_live(now) => {
                self.store.end_session(sid, game.id, now).await?;
                tracing::warn!(session = %sid, game = %game.id, "refresh token reuse: session ended");
                self.metrics.refresh_reuse.inc();
                Err(Error::Unauthorized(Unauthorized::RefreshTokenReused))
            }
            _ => Err(Error::Unauthorized(Unauthorized::SessionNotLive)),
        }
    }

    /// `POST /s2s/session/verify`: whether an access token is valid for this game now, and
    /// its session context.
    pub async fn verify_access_token(&self, game: &Game, token: &str) -> Result<Verification> {
        let claims: AccessClaims = match self.decode(ACCESS_TYP, token).await {
            Ok(c) => c,
            Err(TokenError::Expired) => return Ok(Verification::Invalid("expired")),
            Err(_) => return Ok(Verification::Invalid("invalid")),
        };
        let now = self.now();
        if check_exp(claims.exp, now).is_err() {
            return Ok(Verification::Invalid("expired"));
        }
        if claims.client_id != game.client_id {
            return Ok(Verification::Invalid("invalid"));
        }
        let Ok(sid) = claims.sid.parse::<SessionId>() else {
            return Ok(Verification::Invalid("invalid"));
        };
        match self.store.session(sid).await? {
            Some(s) if s.game_id == game.id && s.is_live(now) => {
                Ok(Verification::Valid(Box::new(VerifiedToken { claims, session: s })))
            }
            Some(s) if s.game_id == game.id => Ok(Verification::Invalid("session_ended")),
            _ => Ok(Verification::Invalid("invalid")),
        }
    }

    /// `DELETE /s2s/session/{id}`: ends a session of this game; its tokens stop working.
    pub async fn end_session(&self, game: &Game, id: SessionId) -> Result<()> {
        match self.store.end_session(id, game.id, self.now()).await? {
            EndOutcome::Ended => {
                self.metrics.ended.inc();
                Ok(())
            }
            EndOutcome::AlreadyEnded => Err(Error::Conflict(Conflict::SessionEnded)),
            EndOutcome::NotFound => Err(Error::NotFound(Entity::Session)),
        }
    }
}
