//! The credential check of a server-to-server call: a game backend's `x-client-id` and
//! `x-client-secret`, read in the same statement as what the call reads next, behind the
//! per-address credential limiter.

use crate::crypto::SecretHash;
use crate::game::{ClientCredentials, Game};
use crate::{Error, Result, Unauthorized};

use super::{ClientFound, ClientRead, ClientWith, Sessions};

impl Sessions {
    /// Authenticates a game backend by `x-client-id` / `x-client-secret`, reading in the
    /// same statement what the request needs next (`with`): a server-to-server call's
    /// credential check costs no round trip of its own. What was read belongs to the
    /// authenticated game. Unknown id, wrong secret and disabled game are one answer.
    /// Failures count per client address ([`Limiter`](crate::limits::Limiter)), and past
    /// the limit every attempt from it is answered [`Error::RateLimited`]. Successes cost
    /// no write.
    pub async fn authenticate(&self, client: &ClientCredentials, with: ClientWith<'_>) -> Result<(Game, ClientFound)> {
        self.authenticate_client_read(client, with, None).await
    }

    /// [`authenticate`](Self::authenticate) on what a statement that read as
    /// [`client_read`](super::SessionStore::client_read) of `with` found (`read`), if one
    /// did; otherwise reads.
    pub(super) async fn authenticate_client_read(
        &self,
        client: &ClientCredentials,
        with: ClientWith<'_>,
        read: Option<ClientFound>,
    ) -> Result<(Game, ClientFound)> {
        let counter = self.limiter.credential_counter(client.ip);
        let mut found = match read {
            Some(found) => found,
            None => {
                self.store
                    .client_read(&ClientRead {
                        client_id: &client.id,
                        failures: counter.bucket.as_deref().map(|b| (b, counter.start)),
                        with,
                    })
                    .await?
            }
        };
        if counter.key.is_some() && found.failures >= self.limiter.credential_limit() {
            return Err(Error::RateLimited {
                retry_after_secs: counter.left,
            });
        }
        let presented = SecretHash::of(&client.secret);
        match found.game.take() {
            Some(g) if presented.matches(&g.secret_hash) && g.enabled => Ok((g, found)),
            _ => {
                self.limiter.count_credential_failure(&counter).await?;
                Err(Error::Unauthorized(Unauthorized::BadClientCredentials))
            }
        }
    }
}
