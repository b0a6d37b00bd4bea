//! A client user's own full data (`GET /users/{id}` of oneself, the sign-in answer): the
//! rows that depend only on the user, read together so a backend with round trips answers
//! them in one statement ([`OwnReads`]). What depends on them (the groups of the
//! connections, the chats' participants and messages, inviters) the services of those
//! features read after, by id (`Groups::memberships_from`, `Chats::page_from`).

use crate::Result;
use crate::economy::attributes::UserAttribute;
use crate::economy::store_items::StoreItem;
use crate::ids::PlayerId;
use crate::rounds::GameRound;
use crate::social::chats::ChatRec;
use crate::social::friends::FriendLink;
use crate::social::groups::Connection;
use async_trait::async_trait;
use std::sync::Arc;

/// A page: at most `limit` rows after skipping `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

/// The pages of the lists a user's own data shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnDataPages {
    /// Of the user's game rounds (oldest first).
    pub rounds: Page,
    /// Of each kind of chat (direct, of the user's groups; most recently active first).
    pub chats: Page,
}

/// The rows of a user's own data that depend only on the user, each list in the order its
/// own store call answers it.
#[derive(Debug, Clone, Default)]
pub struct OwnData {
    /// As `AttributeStore::attributes`.
    pub attributes: Vec<UserAttribute>,
    /// As `StoreItemStore::purchases`.
    pub purchases: Vec<StoreItem>,
    /// As `FriendStore::friend_links`.
    pub friend_links: Vec<FriendLink>,
    /// As `GroupStore::connections_of_user`.
    pub connections: Vec<Connection>,
    /// As `RoundStore::rounds_of` with the rounds page.
    pub rounds: Vec<GameRound>,
    /// As `ChatStore::chat_page` of direct chats with the chats page.
    pub direct_chats: Vec<ChatRec>,
    /// As `ChatStore::chat_page` of group chats with the chats page.
    pub group_chats: Vec<ChatRec>,
}

/// Reads a user's own data at once.
#[async_trait]
pub trait OwnDataStore: Send + Sync {
    /// Every list of [`OwnData`] for `player`: equal to what the separate store calls
    /// answer, in one statement where the backend has round trips.
    async fn own_data(&self, player: PlayerId, pages: OwnDataPages) -> Result<OwnData>;
}

/// The pages a user's own data shows: every round up to [`crate::rounds::MAX_LISTED`], and
/// the first page of each kind of chat.
pub const OWN_PAGES: OwnDataPages = OwnDataPages {
    rounds: Page {
        limit: crate::rounds::MAX_LISTED,
        offset: 0,
    },
    chats: Page {
        limit: crate::social::chats::PAGE,
        offset: 0,
    },
};

/// Reads a user's own data ([`OWN_PAGES`]) in one call of its store.
#[derive(Clone)]
pub struct OwnReads {
    store: Arc<dyn OwnDataStore>,
}

impl OwnReads {
    pub fn new(store: Arc<dyn OwnDataStore>) -> Self {
        OwnReads { store }
    }

    /// The rows of `user`'s own data.
    pub async fn read(&self, user: PlayerId) -> Result<OwnData> {
        self.store.own_data(user, OWN_PAGES).await
    }
}
