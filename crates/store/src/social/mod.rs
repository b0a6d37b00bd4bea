//! The social stores for [`SqlStore`](crate::SqlStore): friends, groups, chats.

pub(crate) mod chats;
pub(crate) mod friends;
pub(crate) mod groups;
