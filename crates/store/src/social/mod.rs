//! The social stores for [`SqlStore`](crate::SqlStore): friends, groups, chats.

mod chats;
mod friends;
pub(crate) mod groups;
