//! The social features of a game's client users: friends, groups, chats.

pub mod chats;
pub mod friends;
pub mod groups;
