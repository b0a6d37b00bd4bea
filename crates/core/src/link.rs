//! [`Links`]: linking a game's player to a platform account: the game backend asks for a
//! short one-time code for its player; the logged-in account redeems it. Afterwards the KGeN
//! dialect shows the account as the player's `indigg_id`, `indigg_wallet_address` and
//! `linked_phone`.

use std::net::IpAddr;
use std::sync::Arc;

use rand::Rng;

use crate::account::Account;
use crate::account_store::{AccountStore, Redeem};
use crate::clock::{Clock, Timestamp};
use crate::crypto::{Secret, SecretHash};
use crate::game::{Game, GameStore};
use crate::ids::UserId;
use crate::limits::Limiter;
use crate::settings::Settings;
use crate::{Conflict, Entity};
use crate::{Error, Result};

/// Characters of link codes: upper case and digits without look-alikes (0/O, 1/I/L).
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Length of a link code (31^8, about 2^39.6; codes live minutes, redemption is rate
/// limited and needs a logged-in account).
pub const LINK_CODE_LEN: usize = 8;

/// A link code as issued: show it to the player once.
#[derive(Debug, Clone)]
pub struct LinkCode {
    /// The code.
    pub code: Secret,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// A player just linked.
#[derive(Debug, Clone)]
pub struct LinkedPlayer {
    /// Its game.
    pub game: Game,
    /// Its id in the game.
    pub user_id: String,
}

fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

fn code_hash(code: &str) -> SecretHash {
    SecretHash::of(&format!("link:{}", normalize(code)))
}

/// The links service: link codes in the accounts' store, the games they name, the failure
/// counters of redemptions, the clock and the policy.
#[derive(Clone)]
pub struct Links {
    store: Arc<dyn AccountStore>,
    games: Arc<dyn GameStore>,
    limiter: Limiter,
    clock: Arc<dyn Clock>,
    settings: Arc<Settings>,
}

impl Links {
    /// The service over its parts.
    pub fn new(
        store: Arc<dyn AccountStore>,
        games: Arc<dyn GameStore>,
        limiter: Limiter,
        clock: Arc<dyn Clock>,
        settings: Arc<Settings>,
    ) -> Self {
        Links {
            store,
            games,
            limiter,
            clock,
            settings,
        }
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// `POST /s2s/link-code`: a one-time code for the game's player `user_id`.
    pub async fn create_code(&self, game: &Game, user_id: &UserId) -> Result<LinkCode> {
        let mut rng = rand::rngs::OsRng;
        let code: String = (0..LINK_CODE_LEN)
            .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
            .collect();
        let now = self.now();
        let expires_at = now.plus(self.settings.accounts.link_code_ttl);
        match self
            .store
            .insert_link_code(game.id, user_id, &code_hash(&code), now, expires_at)
            .await
        {
            Err(Error::NotFound(_)) => Err(Error::NotFound(Entity::Player)),
            other => other,
        }?;
        Ok(LinkCode {
            code: Secret::new(code),
            expires_at,
        })
    }

    /// `POST /v3/session/links`: links the code's player to the account. Wrong codes count
    /// as failed logins of the account and the client IP.
    pub async fn redeem(&self, account: &Account, code: &str, ip: Option<IpAddr>) -> Result<LinkedPlayer> {
        if code.trim().is_empty() {
            return Err(Error::invalid("code", "is required"));
        }
        let a = &self.settings.accounts;
        let mut keys = vec![format!("i3d-link:account:{}", account.id.0)];
        if let Some(ip) = ip {
            keys.push(format!("i3d-link:ip:{ip}"));
        }
        self.limiter
            .check_each(&keys, a.login_failure_limit, a.login_failure_window)
            .await?;
        let outcome = if normalize(code).len() == LINK_CODE_LEN {
            self.store
                .redeem_link_code(&code_hash(code), account.id, self.now())
                .await?
        } else {
            Redeem::Invalid
        };
        match outcome {
            Redeem::Linked { game_id, user_id } => {
                let game = self
                    .games
                    .game_by_id(game_id)
                    .await?
                    .ok_or_else(|| Error::internal("linked player's game is missing"))?;
                Ok(LinkedPlayer { game, user_id })
            }
            Redeem::Invalid => {
                for k in &keys {
                    self.limiter
                        .count_failure(k, a.login_failure_limit, a.login_failure_window)
                        .await?;
                }
                Err(Error::invalid("code", "is unknown, used or expired"))
            }
            Redeem::LinkedElsewhere => Err(Error::Conflict(Conflict::LinkedElsewhere)),
        }
    }
}
