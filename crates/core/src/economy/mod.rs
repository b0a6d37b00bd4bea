//! The economy of a game's client users: credits and score, store items and purchases,
//! leaderboards, user attributes.

pub mod attributes;
pub mod credits;
pub mod leaderboards;
pub mod store_items;

use crate::{Error, Result};

const MAX_KEY: usize = 255;
const MAX_VALUE: usize = 65_536;

pub(crate) fn check_key(field: &str, key: &str) -> Result<()> {
    if key.is_empty() || key.chars().count() > MAX_KEY {
        return Err(Error::invalid(field, "is required, at most 255 characters"));
    }
    Ok(())
}

/// The cap on a stored free-form value (user and group attributes, round metadata).
pub(crate) fn check_value(field: &str, v: &str) -> Result<()> {
    if v.len() > MAX_VALUE {
        return Err(Error::invalid(field, "is longer than 64 KiB"));
    }
    Ok(())
}
