//! The storage contract of GameFuse's social data (friends, groups, game rounds); a
//! supertrait of [`Store`](crate::store::Store). Reads that feed the sign-in response take
//! lists of ids, so a user's whole data costs a constant number of queries.

use async_trait::async_trait;

use super::GfUser;
use super::chats::{ChatRec, GroupAttribute, Message, NewAttribute};
use super::social::{
    Connection, FriendLink, Friendship, GameRound, Group, GroupPatch, Member, NewGroup, NewRound, RoundPatch,
};
use crate::Result;
use crate::clock::Timestamp;
use crate::ids::{GameId, PlayerId};

/// Persistence of friendships, groups and game rounds.
#[async_trait]
pub trait GamefuseSocialStore: Send + Sync {
    /// The user of `game` with this lower-cased username.
    async fn gf_user_by_username(&self, game: GameId, username_key: &str) -> Result<Option<GfUser>>;
    /// Users of `game` by id (any order; unknown ids are skipped).
    async fn gf_users(&self, game: GameId, ids: &[i64]) -> Result<Vec<GfUser>>;

    /// A friendship row of `game`.
    async fn gf_friendship(&self, game: GameId, id: i64) -> Result<Option<Friendship>>;
    /// A pending request; `Conflict` if the two users already have a row.
    async fn gf_insert_friendship(
        &self,
        game: GameId,
        requester: PlayerId,
        addressee: PlayerId,
        now: Timestamp,
    ) -> Result<Friendship>;
    /// Accepts a pending row; whether it was pending.
    async fn gf_accept_friendship(&self, id: i64) -> Result<bool>;
    /// Deletes the row if it has `status`; whether it did.
    async fn gf_delete_friendship(&self, id: i64, status: &str) -> Result<bool>;
    /// Deletes the accepted friendship of two users; whether there was one.
    async fn gf_unfriend(&self, a: PlayerId, b: PlayerId) -> Result<bool>;
    /// Every pending or accepted row of the user, with the other party, newest first.
    async fn gf_friend_links(&self, player: PlayerId) -> Result<Vec<FriendLink>>;

    /// Creates a group and makes its creator an accepted admin member, in one transaction.
    async fn gf_insert_group(&self, g: &NewGroup) -> Result<i64>;
    /// Groups of `game` by id, with their member counts.
    async fn gf_groups(&self, game: GameId, ids: &[i64]) -> Result<Vec<Group>>;
    /// The searchable groups of `game`, oldest first.
    async fn gf_list_groups(&self, game: GameId) -> Result<Vec<Group>>;
    /// Changes a group.
    async fn gf_update_group(&self, id: i64, patch: &GroupPatch) -> Result<()>;
    /// Deletes a group with its connections and attributes, in one transaction.
    async fn gf_delete_group(&self, id: i64) -> Result<()>;
    /// Accepted members of these groups, oldest membership first.
    async fn gf_members(&self, groups: &[i64]) -> Result<Vec<Member>>;
    /// A connection by id.
    async fn gf_connection(&self, id: i64) -> Result<Option<Connection>>;
    /// The connection of a user to a group.
    async fn gf_connection_of(&self, group: i64, player: PlayerId) -> Result<Option<Connection>>;
    /// Pending connections of a group, oldest first.
    async fn gf_pending_of_group(&self, group: i64) -> Result<Vec<Connection>>;
    /// Every pending or accepted connection of a user, oldest first.
    async fn gf_connections_of_user(&self, player: PlayerId) -> Result<Vec<Connection>>;
    /// Inserts a connection, replacing a `removed` one only if `replace_removed`;
    /// `Conflict` if the user has another connection to the group. When `max_size` is
    /// set and the connection is accepted, `Forbidden` if the group is full.
    async fn gf_insert_connection(&self, c: &Connection, replace_removed: bool, max_size: Option<i64>) -> Result<i64>;
    /// Sets a connection's status and admin flag (accepting checks `max_size` as above).
    async fn gf_update_connection(
        &self,
        id: i64,
        status: &str,
        is_admin: bool,
        max_size: Option<i64>,
        now: Timestamp,
    ) -> Result<()>;
    /// Deletes a connection; whether it existed.
    async fn gf_delete_connection(&self, id: i64) -> Result<bool>;

    /// Records a round (creating its multiplayer container first if asked); its id.
    async fn gf_insert_round(&self, r: &NewRound) -> Result<i64>;
    /// The master of a multiplayer container of `game`.
    async fn gf_multiplayer_master(&self, game: GameId, id: i64) -> Result<Option<PlayerId>>;
    /// Rounds of `game` by id, with rankings for multiplayer ones.
    async fn gf_rounds(&self, game: GameId, ids: &[i64]) -> Result<Vec<GameRound>>;
    /// A user's rounds, oldest first, with rankings for multiplayer ones.
    async fn gf_rounds_of(&self, player: PlayerId, limit: i64, offset: i64) -> Result<Vec<GameRound>>;
    /// Changes a round.
    async fn gf_update_round(&self, id: i64, patch: &RoundPatch, now: Timestamp) -> Result<()>;
    /// Deletes a round; whether it existed.
    async fn gf_delete_round(&self, id: i64) -> Result<bool>;

    /// The direct chat of `game` with exactly these participants (sorted-id key), created
    /// (with its participants) if missing; its id.
    async fn gf_direct_chat(
        &self,
        game: GameId,
        creator: PlayerId,
        key: &str,
        participants: &[i64],
        now: Timestamp,
    ) -> Result<i64>;
    /// The chat of a group, created if missing; its id.
    async fn gf_group_chat(&self, game: GameId, group: i64, creator: PlayerId, now: Timestamp) -> Result<i64>;
    /// A chat of `game`.
    async fn gf_chat(&self, game: GameId, id: i64) -> Result<Option<ChatRec>>;
    /// Whether the user may read and post in the chat: a participant of a direct chat, an
    /// accepted member of a group chat's group.
    async fn gf_in_chat(&self, chat: i64, player: PlayerId) -> Result<bool>;
    /// A page of the user's direct chats (or group chats), most recent activity first.
    async fn gf_chat_page(&self, player: PlayerId, group_chats: bool, limit: i64, offset: i64) -> Result<Vec<ChatRec>>;
    /// Participants of these direct chats: (chat id, user).
    async fn gf_chat_participants(&self, chats: &[i64]) -> Result<Vec<(i64, GfUser)>>;
    /// Posts a message (read by its sender) and marks the chat's activity, in one
    /// transaction.
    async fn gf_insert_message(&self, chat: i64, player: PlayerId, text: &str, now: Timestamp) -> Result<Message>;
    /// A message with its readers.
    async fn gf_message(&self, id: i64) -> Result<Option<Message>>;
    /// Per chat, messages newest first from `offset`, at most `limit`, with their readers.
    async fn gf_messages(&self, chats: &[i64], limit: i64, offset: i64) -> Result<Vec<Message>>;
    /// Adds a reader (idempotent).
    async fn gf_mark_read(&self, message: i64, player: PlayerId) -> Result<()>;

    /// A group's attributes, by key.
    async fn gf_group_attributes(&self, group: i64) -> Result<Vec<GroupAttribute>>;
    /// Adds attributes in one transaction; `Conflict` on a key the group has.
    async fn gf_insert_group_attributes(&self, group: i64, creator: PlayerId, attrs: &[NewAttribute]) -> Result<()>;
    /// Sets an attribute's value.
    async fn gf_set_group_attribute(&self, id: i64, value: &str) -> Result<()>;
}
