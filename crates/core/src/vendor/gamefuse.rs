//! What only GameFuse has in the core: the prefixes of its tokens, its game tokens, the
//! names its client users' tokens and counters go by, the path of its password reset page,
//! and its time format.

use crate::client_users::{ClientUserSettings, Naming};
use crate::clock::Timestamp;
use crate::crypto::random_token;
use std::time::Duration;

/// Prefix of GameFuse game tokens.
pub const GAME_TOKEN_PREFIX: &str = "gft_";

/// Prefix of GameFuse authentication tokens (user sessions).
pub const AUTH_TOKEN_PREFIX: &str = "gfa_";

/// Prefix of service key tokens.
pub const SERVICE_KEY_PREFIX: &str = "gfk_";

/// Prefix of password reset tokens.
pub const RESET_TOKEN_PREFIX: &str = "gfr_";

/// The path of the password reset page, under the server's public URL.
pub const RESET_PATH: &str = "/api/v3/password_reset";

/// The names of GameFuse's client users' tokens and counters.
pub const NAMING: Naming = Naming {
    token_prefix: AUTH_TOKEN_PREFIX,
    reset_token_prefix: RESET_TOKEN_PREFIX,
    failure_counter: "gf-signin",
    metrics_label: "gamefuse",
};

/// The client users' settings of GameFuse's players for a server reached at `public_url`
/// (`https://play.example.org`): reset links valid one hour (reference 14), opening
/// [`RESET_PATH`].
pub fn client_user_settings(public_url: &str) -> ClientUserSettings {
    ClientUserSettings {
        reset_ttl: Duration::from_secs(3600),
        reset_page: format!("{}{RESET_PATH}", public_url.trim_end_matches('/')),
        naming: NAMING,
    }
}

/// A new random game token.
///
/// Why the GameFuse game token is stored in clear and compared in constant time, not
/// hashed: it is not a bearer secret of anyone. GameFuse games ship it inside every client
/// build (JavaScript in the page, Unity and Unreal binaries), `GET /games/verify` sends it
/// back in its response (reference 2.1: the SDK reads `token`), and operators need to see
/// it again (`playgate game list`) to configure new builds. It identifies a game the way a
/// public API key does; what protects users are their passwords and authentication tokens,
/// which are hashed.
pub fn new_game_token() -> String {
    format!("{GAME_TOKEN_PREFIX}{}", random_token())
}

/// `2026-01-01T00:00:00.000Z`: GameFuse's time format (reference 0.6), ISO-8601 UTC with
/// milliseconds ([`Timestamp::iso_millis`]), which keeps millisecond precision.
pub fn iso_millis(ts: Timestamp) -> String {
    ts.iso_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_and_month() {
        let t = Timestamp(1_767_225_600_123_456_789);
        assert_eq!(iso_millis(t), "2026-01-01T00:00:00.123Z");
        assert_eq!(crate::client_users::month_key(t), "2026-01");
    }
}
