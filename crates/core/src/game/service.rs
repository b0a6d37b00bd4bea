//! The game operations of [`Playgate`]: create, list, look up, and authenticate a game
//! backend's credentials (with the per-IP failure counter).

use crate::Unauthorized;
use crate::clock::Timestamp;
use crate::crypto::{Secret, SecretHash};
use crate::ids::GameId;
use crate::limits::{CREDENTIAL_COUNTER, window};
use crate::service::Playgate;
use crate::store::{ClientFound, ClientRead, ClientWith};
use crate::{Error, Result};

use super::{
    CLIENT_SECRET_PREFIX, ClientCredentials, Game, GameCredentials, NewGame, new_game_record, validate_new_game,
    with_fresh_client_id,
};

impl Playgate {
    /// Creates a game with fresh credentials.
    pub async fn create_game(&self, cmd: NewGame) -> Result<GameCredentials> {
        let (name, client_name) = validate_new_game(&cmd)?;
        with_fresh_client_id(move || {
            let (rec, secret) = new_game_record(&name, &cmd.description, &client_name, self.now());
            let insert = self.store.insert_game(rec);
            async move {
                Ok(GameCredentials {
                    game: insert.await?,
                    client_secret: secret,
                })
            }
        })
        .await
    }

    /// Creates the demo game if the database has no game yet (first start).
    pub async fn create_demo_game_if_empty(&self) -> Result<Option<GameCredentials>> {
        if self.store.count_games().await? > 0 {
            return Ok(None);
        }
        let creds = self
            .create_game(NewGame {
                name: "Demo Game".into(),
                description: "Created on first start; delete or disable it in production.".into(),
                client_name: Some("PLAYGATE_DEMO".into()),
            })
            .await?;
        Ok(Some(creds))
    }

    /// All games, oldest first.
    pub async fn list_games(&self) -> Result<Vec<Game>> {
        self.store.list_games().await
    }

    /// Replaces a game's client secret; the old one stops working at once.
    pub async fn rotate_client_secret(&self, id: GameId) -> Result<GameCredentials> {
        let secret = Secret::random(CLIENT_SECRET_PREFIX);
        let game = self.store.set_game_secret(id, &secret.hash()).await?;
        Ok(GameCredentials {
            game,
            client_secret: secret,
        })
    }

    /// Enables or disables a game.
    pub async fn set_game_enabled(&self, id: GameId, enabled: bool) -> Result<Game> {
        self.store.set_game_enabled(id, enabled).await
    }

    /// Authenticates a game backend by `x-client-id` / `x-client-secret`. Unknown id, wrong
    /// secret and disabled game are one answer. Behind the credential limiter
    /// ([`limit_credential`](Self::limit_credential)): failures count per client address,
    /// and past the limit every attempt from it is answered [`Error::RateLimited`].
    /// Successes cost no write, and one read: the game with the address's failure count.
    pub async fn authenticate_client(
        &self,
        client_id: &str,
        client_secret: &str,
        client_ip: Option<std::net::IpAddr>,
    ) -> Result<Game> {
        let client = ClientCredentials {
            id: client_id.to_owned(),
            secret: client_secret.to_owned(),
            ip: client_ip,
        };
        self.authenticate_client_with(&client, ClientWith::Nothing)
            .await
            .map(|(game, _)| game)
    }

    /// The failure counter of `client`'s address (none without one): its key, its bucket,
    /// the start of its current window and the seconds left in it.
    pub(crate) fn client_failures(
        &self,
        client: &ClientCredentials,
    ) -> (Option<String>, Option<String>, Timestamp, u64) {
        let key = client.ip.map(|ip| format!("{CREDENTIAL_COUNTER}:{ip}"));
        let (start, left) = window(self.now(), self.settings.auth_failure_window);
        let bucket = key.as_deref().map(|k| self.failure_bucket(k));
        (key, bucket, start, left)
    }

    /// [`authenticate_client`](Self::authenticate_client), reading in the same statement
    /// what the request needs next (`with`): a server-to-server call's credential check
    /// costs no round trip of its own. What was read belongs to the authenticated game.
    pub async fn authenticate_client_with(
        &self,
        client: &ClientCredentials,
        with: ClientWith<'_>,
    ) -> Result<(Game, ClientFound)> {
        self.authenticate_client_read(client, with, None).await
    }

    /// [`authenticate_client_with`](Self::authenticate_client_with) on what a statement
    /// that read as [`client_read`](crate::store::Store::client_read) of `with` found
    /// (`read`), if one did; otherwise reads.
    pub(crate) async fn authenticate_client_read(
        &self,
        client: &ClientCredentials,
        with: ClientWith<'_>,
        read: Option<ClientFound>,
    ) -> Result<(Game, ClientFound)> {
        let s = &self.settings;
        let (key, bucket, start, left) = self.client_failures(client);
        let mut found = match read {
            Some(found) => found,
            None => {
                self.store
                    .client_read(&ClientRead {
                        client_id: &client.id,
                        failures: bucket.as_deref().map(|b| (b, start)),
                        with,
                    })
                    .await?
            }
        };
        if key.is_some() && found.failures >= i64::from(s.auth_failure_limit) {
            return Err(Error::RateLimited { retry_after_secs: left });
        }
        let presented = SecretHash::of(&client.secret);
        match found.game.take() {
            Some(g) if presented.matches(&g.secret_hash) && g.enabled => Ok((g, found)),
            _ => {
                if let Some(key) = key {
                    self.count_failure(&key, s.auth_failure_limit, s.auth_failure_window)
                        .await?;
                }
                Err(Error::Unauthorized(Unauthorized::BadClientCredentials))
            }
        }
    }
}
