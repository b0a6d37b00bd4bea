//! The economy's stores for [`SqlStore`](crate::SqlStore): credits, store items,
//! leaderboards, attributes.

pub(crate) mod attributes;
mod credits;
mod leaderboards;
pub(crate) mod store_items;
