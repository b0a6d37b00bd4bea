//! Policy knobs of the core (token lifetimes, limits). Filled from the server's config.

use std::time::Duration;

/// The core's policy settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Lifetime of an access token (KGeN `access_token`). Default 24 h.
    pub access_token_ttl: Duration,
    /// Lifetime of a refresh token, and the idle lifetime of a session: each token issue
    /// extends the session to now + this. Default 30 days.
    pub refresh_token_ttl: Duration,
    /// How long after a refresh the refresh token it replaced is still answered (with a
    /// fresh pair, the session kept) instead of counting as reuse. Default 10 s.
    pub refresh_grace: Duration,
    /// Failed client authentications allowed per IP address within `auth_failure_window`
    /// before further failures are answered 429. Default 20.
    pub auth_failure_limit: u32,
    /// The window for `auth_failure_limit`. Default 15 minutes.
    pub auth_failure_window: Duration,
    /// Whether the audit log records every renewal of a session: each `POST /s2s/session`
    /// that keeps the player's live session (new tokens for it) and each refresh. Off, a
    /// session's start, its end, refresh-token reuse and every login are still recorded;
    /// the renewals, most of the log's volume and of its cost on the hot paths, are not.
    /// Default on.
    pub audit_renewals: bool,
    /// Accounts, logins, 2FA and links (the i3D dialect).
    pub accounts: crate::account::AccountSettings,
}

impl Settings {
    /// The lifetime of `game`'s access tokens: its own, or the server's.
    pub fn access_ttl(&self, game: &crate::game::Game) -> Duration {
        game.access_token_ttl.unwrap_or(self.access_token_ttl)
    }

    /// The lifetime of `game`'s refresh tokens and the idle lifetime of its sessions: its
    /// own, or the server's.
    pub fn refresh_ttl(&self, game: &crate::game::Game) -> Duration {
        game.refresh_token_ttl.unwrap_or(self.refresh_token_ttl)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            access_token_ttl: Duration::from_secs(24 * 3600),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            refresh_grace: Duration::from_secs(10),
            auth_failure_limit: 20,
            auth_failure_window: Duration::from_secs(15 * 60),
            audit_renewals: true,
            accounts: crate::account::AccountSettings::default(),
        }
    }
}
