//! [`Sessions`]: the server-to-server sessions of players (KGeN's `/s2s/session` calls):
//! open, refresh, verify and end, with their audit events and metrics.

use std::sync::Arc;

use serde_json::json;

use crate::audit::{Actor, NewAuditEvent, Origin, action, player_subject, session_subject};
use crate::clock::{Clock, Timestamp};
use crate::crypto::{MasterKey, SecretHash};
use crate::game::{ClientCredentials, Game};
use crate::ids::{PlayerId, SessionId, UserId};
use crate::limits::Limiter;
use crate::metrics::Metrics;
use crate::player::{Player, Profile, ProfilePatch};
use crate::settings::Settings;
use crate::signing_keys::SigningKeys;
use crate::token::{ACCESS_TYP, AccessClaims, AccessGrant, REFRESH_TYP, RefreshClaims, TokenError, check_exp};
use crate::{Conflict, Entity, Forbidden, Unauthorized};
use crate::{Error, Result, wallet};

use super::{
    Applied, ClientFound, ClientWith, EndOutcome, IssuedTokens, NewPlayerRecord, NewSessionRecord, OPEN_ATTEMPTS,
    OpenPlan, OpenSession, OpenedSession, PlayerWithSession, RefreshSwap, Refreshed, RenewOutcome, RenewTarget,
    Renewal, RenewalEvent, Renewed, Session, SessionPlan, SessionState, SessionStore, Verification, VerifiedToken, jti,
    merge, refresh_key,
};

/// The sessions service: what it reads and writes, the keys it signs with, the
/// credential limiter its checks count failures in, the master key (new players'
/// wallets), the clock, the policy and the counters.
#[derive(Clone)]
pub struct Sessions {
    pub(super) store: Arc<dyn SessionStore>,
    keys: Arc<SigningKeys>,
    pub(super) limiter: Limiter,
    master: MasterKey,
    clock: Arc<dyn Clock>,
    settings: Arc<Settings>,
    metrics: Arc<Metrics>,
}

impl Sessions {
    /// The service over its parts.
    pub fn new(
        store: Arc<dyn SessionStore>,
        keys: Arc<SigningKeys>,
        limiter: Limiter,
        master: MasterKey,
        clock: Arc<dyn Clock>,
        settings: Arc<Settings>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Sessions {
            store,
            keys,
            limiter,
            master,
            clock,
            settings,
            metrics,
        }
    }

    /// The current time by the service's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The one-write common case of [`open`](Self::open) and [`refresh`](Self::refresh)
    /// ([`SessionStore::renew`]):
    /// the session renewed under a fresh refresh key if every check holds, then its tokens
    /// signed from what the write returned. When it renewed nothing, what the store read
    /// instead, if it did (the caller decides and writes as usual, and finds out why).
    async fn renew<C: AccessClaims>(
        &self,
        client: &ClientCredentials,
        target: RenewTarget<'_>,
        audit: Option<&RenewalEvent>,
        now: Timestamp,
    ) -> Result<Result<(Renewed, IssuedTokens), Option<ClientFound>>> {
        let counter = self.limiter.credential_counter(client.ip);
        let refresh_jti = jti();
        let renewal = Renewal {
            client_id: &client.id,
            secret: &SecretHash::of(&client.secret),
            failures: counter.bucket.as_deref().map(|b| (b, counter.start)),
            failure_limit: self.limiter.credential_limit(),
            target,
            next: &refresh_key(&refresh_jti),
            now,
            default_refresh_ttl: self.settings.refresh_token_ttl,
            audit,
        };
        let r = match self.store.renew(&renewal).await? {
            RenewOutcome::Renewed(r) => r,
            RenewOutcome::NotRenewed(found) => return Ok(Err(found)),
        };
        let grant = Self::grant(&r.game, &r.player, r.session.id, false);
        let tokens = self.mint::<C>(grant, now, refresh_jti)?;
        Ok(Ok((r, tokens)))
    }

    /// Signs the token pair that `grant` describes, issued `now` (the grant's jti and times
    /// are placeholders, which this sets), the refresh token with `refresh_jti`.
    fn mint<C: AccessClaims>(
        &self,
        grant: AccessGrant<'_>,
        now: Timestamp,
        refresh_jti: String,
    ) -> Result<IssuedTokens> {
        let access_exp = now.plus(self.settings.access_ttl(grant.game));
        let access_jti = jti();
        let access = C::issue(&AccessGrant {
            issued_at: now,
            expires_at: access_exp,
            jti: &access_jti,
            ..grant
        });
        let client_id = &grant.game.client_id;
        let refresh = RefreshClaims {
            sub: grant.user_id.as_str().to_owned(),
            client_id: client_id.clone(),
            iss: client_id.clone(),
            iat: now.unix_secs(),
            exp: now.plus(self.settings.refresh_ttl(grant.game)).unix_secs(),
            sid: grant.session_id.to_string(),
            jti: refresh_jti,
        };
        let refresh_token = self.keys.sign(REFRESH_TYP, &refresh)?;
        Ok(IssuedTokens {
            access_token: self.keys.sign(ACCESS_TYP, &access)?,
            refresh_hash: refresh_key(&refresh.jti),
            refresh_token,
            access_expires_at: access_exp,
        })
    }

    /// The grant of a token for `player`'s `session`.
    fn grant<'a>(game: &'a Game, player: &'a Player, session: SessionId, is_new_user: bool) -> AccessGrant<'a> {
        AccessGrant {
            game,
            user_id: &player.user_id,
            wallet_address: &player.wallet_address,
            linked: player.linked.as_ref(),
            is_new_user,
            session_id: session,
            issued_at: Timestamp(0),
            expires_at: Timestamp(0),
            jti: "",
        }
    }

    /// `POST /s2s/session`: creates the player and a session on the first call; later
    /// calls while the session is live return it with merged profile and fresh tokens; an
    /// expired or ended session is replaced. Reads the player and its session, decides,
    /// signs the tokens, then writes the decision in one transaction; a concurrent call
    /// that changed the player or its session meanwhile makes it start over.
    ///
    /// Records `session.opened` by the game with the write, also when the live session is
    /// kept (then with `{"reused": true}`: the game asked to open one, and got the one it
    /// had; `session.refreshed` is the refresh token's rotation).
    ///
    /// The common case, a live session and no profile change, is one write
    /// ([`renew`](Self::renew)); otherwise the game's credentials are checked in the read
    /// of the player ([`authenticate`](Self::authenticate)). Returns the game with the
    /// answer.
    pub async fn open<C: AccessClaims>(
        &self,
        client: &ClientCredentials,
        cmd: OpenSession,
    ) -> Result<(Game, OpenedSession)> {
        let mut read = None;
        if cmd.profile.validate().is_ok() && cmd.profile.clone().non_empty().is_empty() {
            let detail = json!({"reused": true, "new_user": false});
            let audit = RenewalEvent::new(
                action::SESSION_OPENED,
                player_subject(cmd.user_id.as_str()),
                &cmd.origin,
                detail,
            );
            let target = RenewTarget::Player(&cmd.user_id);
            let audit = self.settings.audit_renewals.then_some(&audit);
            match self.renew::<C>(client, target, audit, self.now()).await? {
                Ok((r, tokens)) => {
                    self.metrics.session_opened(false);
                    let opened = OpenedSession {
                        player: r.player,
                        session: r.session,
                        is_new_user: false,
                        tokens,
                    };
                    return Ok((r.game, opened));
                }
                Err(found) => read = found,
            }
        }
        let (game, first) = self
            .authenticate_client_read(client, ClientWith::Player(&cmd.user_id), read)
            .await?;
        let game = &game;
        cmd.profile.validate()?;
        let patch = cmd.profile.non_empty();
        let ip = cmd.origin.ip.clone();
        let mut first = Some(first.player);
        for _ in 0..OPEN_ATTEMPTS {
            let found = match first.take() {
                Some(found) => found,
                None => self.store.player_with_session(game.id, &cmd.user_id).await?,
            };
            let now = self.now();
            let (mut opened, plan) = self.decide_open::<C>(game, &cmd.user_id, &patch, ip.as_deref(), found, now)?;
            let new_session = !matches!(plan, SessionPlan::Reuse { .. });
            let detail = json!({
                "session": opened.session.id.to_string(),
                "reused": !new_session,
                "new_user": opened.is_new_user,
            });
            let audit = NewAuditEvent::new(action::SESSION_OPENED, Actor::Game(game.id))
                .game(game.id)
                .subject(player_subject(cmd.user_id.as_str()))
                .origin(cmd.origin.clone())
                .detail(detail)
                .bounded();
            let plan = OpenPlan {
                game_id: game.id,
                now,
                expires_at: opened.session.expires_at,
                refresh_hash: opened.tokens.refresh_hash.clone(),
                plan,
                audit,
            };
            if let Applied::Done(player_id) = self.store.apply_open_plan(plan).await? {
                opened.player.id = player_id;
                opened.session.player_id = player_id;
                self.metrics.session_opened(new_session);
                return Ok((game.clone(), opened));
            }
        }
        Err(Error::internal(format!(
            "opening a session of {} lost the race to concurrent calls {OPEN_ATTEMPTS} times",
            cmd.user_id.as_str()
        )))
    }

    /// The session policy of `POST /s2s/session`, applied to what was read: a banned
    /// player is refused, a live session is kept, a player without one gets a new one, a
    /// missing player is created (with a new wallet). Returns the answer, with its tokens
    /// signed, and what to write for it. A new player's id is not known until the plan is
    /// written.
    fn decide_open<C: AccessClaims>(
        &self,
        game: &Game,
        user_id: &UserId,
        patch: &ProfilePatch,
        ip: Option<&str>,
        found: Option<PlayerWithSession>,
        now: Timestamp,
    ) -> Result<(OpenedSession, SessionPlan)> {
        if let Some(ban) = found.as_ref().and_then(|f| f.player.ban.as_ref()) {
            return Err(Error::Forbidden(Forbidden::PlayerBanned(ban.reason.clone())));
        }
        let expires_at = now.plus(self.settings.refresh_ttl(game));
        let new_session = |player_id| Session {
            id: SessionId::new(),
            game_id: game.id,
            player_id,
            state: SessionState::Active,
            started_at: now,
            last_seen_at: now,
            expires_at,
            ended_at: None,
            ip: ip.map(str::to_owned),
        };
        let record = |s: &Session| NewSessionRecord {
            id: s.id,
            ip: s.ip.clone(),
        };
        let (player, session, is_new_user, plan) = match found {
            Some(PlayerWithSession {
                mut player,
                active: Some(s),
            }) if s.is_live(now) => {
                let patch = merge(patch, &mut player.profile);
                let plan = SessionPlan::Reuse {
                    player: player.id,
                    session: s.id,
                    patch,
                    record: self.settings.audit_renewals,
                };
                let kept = Session {
                    last_seen_at: now,
                    expires_at,
                    ..s
                };
                (player, kept, false, plan)
            }
            Some(PlayerWithSession { mut player, active }) => {
                let patch = merge(patch, &mut player.profile);
                let session = new_session(player.id);
                let plan = SessionPlan::Replace {
                    player: player.id,
                    ended: active.map(|s| s.id),
                    session: record(&session),
                    patch,
                };
                (player, session, false, plan)
            }
            None => {
                let mut profile = Profile::default();
                patch.clone().apply(&mut profile);
                let wallet = wallet::generate(&self.master)?;
                let player = Player {
                    // Assigned by the store.
                    id: PlayerId(0),
                    game_id: game.id,
                    user_id: user_id.clone(),
                    profile: profile.clone(),
                    wallet_address: wallet.address.clone(),
                    linked: None,
                    created_at: now,
                    ban: None,
                };
                let session = new_session(player.id);
                let plan = SessionPlan::Create {
                    player: NewPlayerRecord {
                        user_id: user_id.clone(),
                        profile,
                        wallet,
                    },
                    session: record(&session),
                };
                (player, session, true, plan)
            }
        };
        let tokens = self.mint::<C>(Self::grant(game, &player, session.id, is_new_user), now, jti())?;
        let opened = OpenedSession {
            player,
            session,
            is_new_user,
            tokens,
        };
        Ok((opened, plan))
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
    /// session's current one. Records `session.refreshed` with the rotation, or
    /// `refresh.reused` with the ending.
    ///
    /// The game's credentials are checked in the read of the session and its player.
    pub async fn refresh<C: AccessClaims>(
        &self,
        client: &ClientCredentials,
        refresh_token: &str,
        origin: &Origin,
    ) -> Result<Refreshed> {
        const REFUSED: Error = Error::Unauthorized(Unauthorized::BadRefreshToken);
        let claims = self.keys.verify::<RefreshClaims>(REFRESH_TYP, refresh_token).await;
        let sid = claims.as_ref().ok().and_then(|c| c.sid.parse::<SessionId>().ok());
        let legacy = SecretHash::of(refresh_token);
        let now = self.now();
        if let (Ok(c), Some(id)) = (&claims, sid)
            && check_exp(c.exp, now).is_ok()
            && c.client_id == client.id
        {
            let presented = refresh_key(&c.jti);
            let target = RenewTarget::Session {
                id,
                presented: &presented,
                legacy: &legacy,
                grace_since: now.minus(self.settings.refresh_grace),
            };
            let audit = RenewalEvent::new(
                action::SESSION_REFRESHED,
                session_subject(id),
                origin,
                json!({"player": c.sub}),
            );
            let audit = self.settings.audit_renewals.then_some(&audit);
            // A session target renews or answers nothing: the read below finds out why.
            if let Ok((r, tokens)) = self.renew::<C>(client, target, audit, now).await? {
                self.metrics.session_refreshed();
                return Ok(Refreshed {
                    session: r.session,
                    tokens,
                });
            }
        }
        let with = sid.map_or(ClientWith::Nothing, ClientWith::SessionAndPlayer);
        let (game, found) = self.authenticate(client, with).await?;
        let game = &game;
        let claims = claims.map_err(|_| REFUSED)?;
        check_exp(claims.exp, now).map_err(|_| Error::Unauthorized(Unauthorized::RefreshTokenExpired))?;
        if claims.client_id != game.client_id {
            return Err(REFUSED);
        }
        let (Some(sid), Some(session)) = (sid, found.session) else {
            return Err(REFUSED);
        };
        if !session.is_live(now) {
            return Err(Error::Unauthorized(Unauthorized::SessionNotLive));
        }
        let player = found.player.map(|p| p.player).ok_or(REFUSED)?;
        let tokens = self.mint::<C>(Self::grant(game, &player, session.id, false), now, jti())?;
        let presented = refresh_key(&claims.jti);
        let expires_at = now.plus(self.settings.refresh_ttl(game));
        let event = |name: &str| {
            NewAuditEvent::new(name, Actor::Game(game.id))
                .game(game.id)
                .subject(session_subject(sid))
                .origin(origin.clone())
                .detail(json!({"player": player.user_id.as_str()}))
                .bounded()
        };
        let audit = event(action::SESSION_REFRESHED);
        let swap = RefreshSwap {
            id: sid,
            presented: &presented,
            legacy: &legacy,
            next: &tokens.refresh_hash,
            now,
            expires_at,
            grace_since: now.minus(self.settings.refresh_grace),
            audit: self.settings.audit_renewals.then_some(&audit),
        };
        if self.store.swap_refresh(&swap).await? {
            let session = Session {
                last_seen_at: now,
                expires_at,
                ..session
            };
            self.metrics.session_refreshed();
            return Ok(Refreshed { session, tokens });
        }
        // Validly signed for this session, but neither its current refresh token nor the
        // one it replaced within the grace period: reuse.
        match self.store.session(sid).await? {
            Some(s) if s.is_live(now) => {
                self.store
                    .end_session(sid, game.id, now, &event(action::REFRESH_REUSED))
                    .await?;
                tracing::warn!(session = %sid, game = %game.id, "refresh token reuse: session ended");
                self.metrics.refresh_reuse.inc();
                Err(Error::Unauthorized(Unauthorized::RefreshTokenReused))
            }
            _ => Err(Error::Unauthorized(Unauthorized::SessionNotLive)),
        }
    }

    /// `POST /s2s/session/verify`: whether an access token is valid for this game now, and
    /// its session context.
    ///
    /// The game's credentials are checked in the read of the session: one statement.
    pub async fn verify<C: AccessClaims>(&self, client: &ClientCredentials, token: &str) -> Result<Verification<C>> {
        let claims = self.keys.verify::<C>(ACCESS_TYP, token).await;
        let sid = claims
            .as_ref()
            .ok()
            .and_then(|c| c.session_id().parse::<SessionId>().ok());
        let with = sid.map_or(ClientWith::Nothing, ClientWith::Session);
        let (game, found) = self.authenticate(client, with).await?;
        let claims: C = match claims {
            Ok(c) => c,
            Err(TokenError::Expired) => return Ok(Verification::Invalid("expired")),
            Err(_) => return Ok(Verification::Invalid("invalid")),
        };
        let now = self.now();
        if check_exp(claims.expires_at(), now).is_err() {
            return Ok(Verification::Invalid("expired"));
        }
        if claims.client_id() != game.client_id {
            return Ok(Verification::Invalid("invalid"));
        }
        // The read found the session only if it is the game's.
        match found.session {
            Some(s) if s.game_id == game.id && s.is_live(now) => {
                Ok(Verification::Valid(Box::new(VerifiedToken { claims, session: s })))
            }
            Some(s) if s.game_id == game.id => Ok(Verification::Invalid("session_ended")),
            _ => Ok(Verification::Invalid("invalid")),
        }
    }

    /// `DELETE /s2s/session/{id}`: ends a session of this game; its tokens stop working.
    /// Records `session.ended` with the ending.
    pub async fn end(&self, game: &Game, id: SessionId, origin: &Origin) -> Result<()> {
        let audit = NewAuditEvent::new(action::SESSION_ENDED, Actor::Game(game.id))
            .game(game.id)
            .subject(session_subject(id))
            .origin(origin.clone())
            .bounded();
        match self.store.end_session(id, game.id, self.now(), &audit).await? {
            EndOutcome::Ended => {
                self.metrics.ended.inc();
                Ok(())
            }
            EndOutcome::AlreadyEnded => Err(Error::Conflict(Conflict::SessionEnded)),
            EndOutcome::NotFound => Err(Error::NotFound(Entity::Session)),
        }
    }
}
