//! The economy of a game's client users: credits and score, store items and purchases,
//! leaderboards, user attributes.

pub mod attributes;
pub mod credits;
pub mod leaderboards;
pub mod store_items;
