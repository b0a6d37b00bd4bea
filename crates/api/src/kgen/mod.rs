//! KGeN's server-to-server session API (`POST /s2s/session`, seeds 000 and 001), as a game
//! backend calls it with its `x-client-id` / `x-client-secret`.
//!
//! Beyond the seed (the vendor documents only create-or-retrieve): token refresh with
//! rotation, token verification and ending a session, with the same credentials, and
//! errors as `{"error": CODE, "message": TEXT}` with proper 4xx statuses (the seed lists
//! only 500). Also `POST /s2s/link-code`: a one-time code with which the player's platform
//! account, logged in through the i3D dialect, links itself to the player (then
//! `indigg_id`, `indigg_wallet_address` and `linked_phone` show it). Not supported: KGeN's other APIs (wallet transfers, quests ...).

mod auth;
pub mod docs;
mod error;
mod link;
mod session;
mod wire;

pub use auth::S2sClient;
pub use error::KgenError;

use crate::common::routes::Routes;

/// The kgen routes.
pub fn router() -> Routes {
    Routes::new()
        .post("/s2s/session", session::open)
        // The vendor's own curl example posts to `/s2s/session/` (seed 001).
        .post("/s2s/session/", session::open)
        .post("/s2s/session/refresh", session::refresh)
        .post("/s2s/session/verify", session::verify)
        .delete("/s2s/session/{session_id}", session::end)
        // A code that links the player to a platform account (i3D dialect).
        .post("/s2s/link-code", link::create)
}
