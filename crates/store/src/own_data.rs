//! `OwnDataStore` for [`SqlStore`]: a client user's own data at once.
//!
//! Each list is the statement its own store call runs (attributes, purchases, friendships,
//! group connections, rounds, chat pages), read with the same row type. On PostgreSQL one
//! statement answers them all, each list a `json_agg` of its statement's rows, so the read
//! costs one round trip and one execution instead of seven. SQLite has no round trips to
//! save: it runs the statements one after the other on one reader connection.

use std::sync::LazyLock;

use crate::SqlStore;
use crate::economy::attributes::{ATTRIBUTES_SQL, KeyValueRow, attribute};
use crate::economy::store_items::{OWNED_ITEMS_SQL, StoreItemRow};
use crate::exec::{Conn, P, row};
use crate::rounds::{RoundRow, rounds_of_sql};
use crate::row::json_rows;
use crate::social::chats::{ChatRow, chat_page_sql, chat_rec};
use crate::social::friends::{FRIEND_LINKS_SQL, LinkRow, friend_link};
use crate::social::groups::{ConnectionRow, connections_of_user_sql};
use async_trait::async_trait;
use playgate_core::Result;
use playgate_core::ids::PlayerId;
use playgate_core::own_data::{OwnData, OwnDataPages, OwnDataStore};
use playgate_core::rounds::GameRound;
use playgate_core::social::groups::Connection;

/// The statements of the lists. In PostgreSQL's one statement `$1` is the player, `$2`/`$3`
/// the rounds' limit and offset, `$4`/`$5` the chats'; SQLite binds parameters by name, so
/// its chat lists, run alone, number their limit and offset `$2`/`$3`.
struct Lists {
    attributes: &'static str,
    purchases: &'static str,
    friend_links: &'static str,
    connections: String,
    rounds: String,
    /// Direct chats and group chats, numbered for the one statement.
    chats: [String; 2],
    /// The same, numbered to run alone.
    chats_alone: [String; 2],
}

static LISTS: LazyLock<Lists> = LazyLock::new(|| Lists {
    attributes: ATTRIBUTES_SQL,
    purchases: OWNED_ITEMS_SQL,
    friend_links: FRIEND_LINKS_SQL,
    connections: connections_of_user_sql(),
    rounds: rounds_of_sql(2, 3),
    chats: [chat_page_sql(false, 4, 5), chat_page_sql(true, 4, 5)],
    chats_alone: [chat_page_sql(false, 2, 3), chat_page_sql(true, 2, 3)],
});

/// PostgreSQL's one statement: a column per list, the JSON array of its rows as text
/// (`json_agg` keeps the order of the subquery's rows).
static ONE_STATEMENT: LazyLock<String> = LazyLock::new(|| {
    let l = &*LISTS;
    let list = |sql: &str, name: &str| format!("(SELECT coalesce(json_agg(t), '[]')::text FROM ({sql}) t) AS {name}");
    format!(
        "SELECT {}, {}, {}, {}, {}, {}, {}",
        list(l.attributes, "attributes"),
        list(l.purchases, "purchases"),
        list(l.friend_links, "friend_links"),
        list(&l.connections, "connections"),
        list(&l.rounds, "rounds"),
        list(&l.chats[0], "direct_chats"),
        list(&l.chats[1], "group_chats"),
    )
});

row! {
    /// [`ONE_STATEMENT`]'s row.
    struct ListsRow {
        attributes: String,
        purchases: String,
        friend_links: String,
        connections: String,
        rounds: String,
        direct_chats: String,
        group_chats: String,
    }
}

/// Each list's rows, before they become the domain's values.
struct Rows {
    attributes: Vec<KeyValueRow>,
    purchases: Vec<StoreItemRow>,
    friend_links: Vec<LinkRow>,
    connections: Vec<ConnectionRow>,
    rounds: Vec<RoundRow>,
    direct_chats: Vec<ChatRow>,
    group_chats: Vec<ChatRow>,
}

impl Rows {
    async fn read(c: &mut Conn<'_>, ps: &[P<'_>; 5]) -> Result<Rows> {
        if c.is_postgres() {
            let r: ListsRow = c.fetch_one(&ONE_STATEMENT, ps).await?;
            return Ok(Rows {
                attributes: json_rows(&r.attributes)?,
                purchases: json_rows(&r.purchases)?,
                friend_links: json_rows(&r.friend_links)?,
                connections: json_rows(&r.connections)?,
                rounds: json_rows(&r.rounds)?,
                direct_chats: json_rows(&r.direct_chats)?,
                group_chats: json_rows(&r.group_chats)?,
            });
        }
        let l = &*LISTS;
        let chat_ps = [ps[0].clone(), ps[3].clone(), ps[4].clone()];
        Ok(Rows {
            attributes: c.fetch_all(l.attributes, &ps[..1]).await?,
            purchases: c.fetch_all(l.purchases, &ps[..1]).await?,
            friend_links: c.fetch_all(l.friend_links, &ps[..1]).await?,
            connections: c.fetch_all(&l.connections, &ps[..1]).await?,
            rounds: c.fetch_all(&l.rounds, &ps[..3]).await?,
            direct_chats: c.fetch_all(&l.chats_alone[0], &chat_ps).await?,
            group_chats: c.fetch_all(&l.chats_alone[1], &chat_ps).await?,
        })
    }
}

#[async_trait]
impl OwnDataStore for SqlStore {
    async fn own_data(&self, player: PlayerId, pages: OwnDataPages) -> Result<OwnData> {
        let ps = [
            P::I64(player.0),
            P::I64(pages.rounds.limit),
            P::I64(pages.rounds.offset),
            P::I64(pages.chats.limit),
            P::I64(pages.chats.offset),
        ];
        let rows = self.read(async |c| Rows::read(c, &ps).await).await?;
        let rounds = rows.rounds.into_iter().map(GameRound::from).collect();
        Ok(OwnData {
            attributes: rows.attributes.into_iter().map(attribute).collect(),
            purchases: rows.purchases.into_iter().map(Into::into).collect(),
            friend_links: rows.friend_links.into_iter().map(|r| friend_link(r, player)).collect(),
            connections: rows.connections.into_iter().map(Connection::from).collect(),
            rounds: self.with_rankings(rounds).await?,
            direct_chats: rows.direct_chats.into_iter().map(chat_rec).collect(),
            group_chats: rows.group_chats.into_iter().map(chat_rec).collect(),
        })
    }
}
