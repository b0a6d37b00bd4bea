//! What only GameFuse has in the core: the prefixes of its tokens, its game tokens, and its
//! time format.

use crate::clock::Timestamp;
use crate::crypto::random_token;

/// Prefix of GameFuse game tokens.
pub const GAME_TOKEN_PREFIX: &str = "gft_";

/// Prefix of GameFuse authentication tokens (user sessions).
pub const AUTH_TOKEN_PREFIX: &str = "gfa_";

/// Prefix of service key tokens.
pub const SERVICE_KEY_PREFIX: &str = "gfk_";

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

/// `2026-01-01T00:00:00.000Z`: ISO-8601 UTC with milliseconds, which JavaScript's
/// `new Date()` parses and which keeps millisecond precision (reference 0.6).
pub fn iso_millis(ts: Timestamp) -> String {
    let dt =
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ts.0)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.millisecond()
    )
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
