//! The game tools of [`Playgate`] that the CLI and the first start use: create (the demo
//! game too), list, rotate the client secret, enable and disable.

use crate::Result;
use crate::crypto::Secret;
use crate::ids::GameId;
use crate::service::Playgate;

use super::{
    CLIENT_SECRET_PREFIX, Game, GameCredentials, NewGame, new_game_record, validate_new_game, with_fresh_client_id,
};

impl Playgate {
    /// Creates a game with fresh credentials (not recorded: the demo game, GameFuse's test
    /// suite and the tests' fixtures; operators create through
    /// [`Games::create`](crate::games::Games::create)).
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

    /// Replaces a game's client secret; the old one stops working at once (not recorded:
    /// the tests' fixtures; operators rotate through
    /// [`Games::rotate`](crate::games::Games::rotate)).
    pub async fn rotate_client_secret(&self, id: GameId) -> Result<GameCredentials> {
        let secret = Secret::random(CLIENT_SECRET_PREFIX);
        let game = self.store.set_game_secret(id, &secret.hash()).await?;
        Ok(GameCredentials {
            game,
            client_secret: secret,
        })
    }

    /// Enables or disables a game (not recorded: the tests' fixtures; operators change it
    /// through [`Games::update`](crate::games::Games::update)).
    pub async fn set_game_enabled(&self, id: GameId, enabled: bool) -> Result<Game> {
        self.store.set_game_enabled(id, enabled).await
    }
}
