//! `OwnDataStore::own_data`: every list equal to what its own store call answers, in the
//! same order, with several rows in each (on PostgreSQL it is one statement whose lists
//! come back as JSON, so this is what checks that decoding and order).

use playgate_core::clock::Timestamp;
use playgate_core::economy::attributes::AttributeStore as _;
use playgate_core::economy::credits::{CounterOp, CreditStore as _};
use playgate_core::economy::store_items::{NewStoreItem, StoreItemStore as _};
use playgate_core::ids::{GameId, PlayerId};
use playgate_core::own_data::{OwnDataPages, OwnDataStore as _, Page};
use playgate_core::rounds::{Multiplayer, NewRound, RoundStore as _};
use playgate_core::social::chats::ChatStore as _;
use playgate_core::social::friends::FriendStore as _;
use playgate_core::social::groups::{Connection, ConnectionKind, GroupStore as _, NewGroup};
use playgate_store::SqlStore;
use playgate_store::on_both_backends;
use playgate_store::testing::Backend;

use crate::gamefuse::{SEC, T0, setup, users};

/// Every list of a client user's own data, read at once, equals what its own store call
/// answers, in the same order; a user with nothing gets empty lists.
async fn own_data_equals_the_separate_reads(b: Backend) {
    let Some((s, db, g)) = setup(b).await else { return };
    let users = users(&s, g, 4).await;
    let me = users[0];
    friends_attributes_and_purchases(&s, g, &users).await;
    groups_chats_and_rounds(&s, g, &users).await;

    let pages = OwnDataPages {
        rounds: Page { limit: 2, offset: 1 },
        chats: Page { limit: 5, offset: 0 },
    };
    let own = s.own_data(me, pages).await.expect("own data");
    let dbg = |v: &dyn std::fmt::Debug| format!("{v:?}");
    let separate = [
        dbg(&s.attributes(me).await.expect("attributes")),
        dbg(&s.purchases(me).await.expect("purchases")),
        dbg(&s.friend_links(me).await.expect("links")),
        dbg(&s.connections_of_user(me).await.expect("connections")),
        dbg(&s.rounds_of(me, 2, 1).await.expect("rounds")),
        dbg(&s.chat_page(me, false, 5, 0).await.expect("direct")),
        dbg(&s.chat_page(me, true, 5, 0).await.expect("group chats")),
    ];
    let together = [
        dbg(&own.attributes),
        dbg(&own.purchases),
        dbg(&own.friend_links),
        dbg(&own.connections),
        dbg(&own.rounds),
        dbg(&own.direct_chats),
        dbg(&own.group_chats),
    ];
    assert_eq!(together, separate);
    let sizes = [
        own.attributes.len(),
        own.purchases.len(),
        own.friend_links.len(),
        own.connections.len(),
        own.rounds.len(),
        own.direct_chats.len(),
        own.group_chats.len(),
    ];
    assert_eq!(sizes, [2, 2, 3, 2, 2, 2, 1], "each list has rows, so order is checked");
    assert!(own.rounds.iter().any(|r| !r.rankings.is_empty()), "rankings read");

    // A user with nothing: empty lists.
    let empty = s.own_data(users[3], pages).await.expect("own data");
    assert_eq!(
        (empty.attributes.len(), empty.rounds.len(), empty.group_chats.len()),
        (0, 0, 0)
    );
    db.drop_it().await;
}

/// The instant `k` seconds after T0.
fn at(k: i64) -> Timestamp {
    Timestamp(T0 + k * SEC)
}

/// The first user's friendships both ways (one accepted), attributes (one with quotes and
/// an accent), and two purchases (with credits to pay).
async fn friends_attributes_and_purchases(s: &SqlStore, g: GameId, users: &[PlayerId]) {
    let me = users[0];
    let f = s.insert_friendship(g, me, users[1], at(1)).await.expect("request");
    s.accept_friendship(f.id).await.expect("accept");
    s.insert_friendship(g, users[2], me, at(2)).await.expect("request");
    s.insert_friendship(g, me, users[3], at(3)).await.expect("request");
    s.upsert_attributes(me, &[("b".into(), "2".into()), ("a".into(), "1 \"quoted\" é".into())])
        .await
        .expect("attributes");
    s.apply_counter(me, CounterOp::AddCredits(100)).await.expect("credits");
    for name in ["sword", "shield"] {
        let item = NewStoreItem {
            name: name.into(),
            cost: 10,
            ..NewStoreItem::default()
        };
        let item = s.insert_store_item(g, &item, at(4)).await.expect("item");
        s.purchase(g, me, item.id, at(5)).await.expect("buy");
    }
}

/// Two groups of others, the first user joined to one and pending in the other; the first
/// group's chat, two direct chats; three rounds, one of them multiplayer (its rankings are
/// read after).
async fn groups_chats_and_rounds(s: &SqlStore, g: GameId, users: &[PlayerId]) {
    let me = users[0];
    let mut groups = Vec::new();
    for (i, creator) in [users[1], users[2]].into_iter().enumerate() {
        let group = NewGroup {
            game_id: g,
            creator,
            name: format!("g{i}"),
            group_type: "default".into(),
            can_auto_join: true,
            is_invite_only: false,
            max_group_size: None,
            searchable: true,
            admins_only_can_create_attributes: false,
            now: at(6),
        };
        groups.push(s.insert_group(&group).await.expect("group"));
    }
    for (group, status, minute) in [(groups[1], "pending", 8), (groups[0], "accepted", 7)] {
        let c = Connection {
            id: 0,
            group_id: group,
            player_id: me,
            inviter_id: Some(users[1]),
            kind: ConnectionKind::Invite,
            status: status.into(),
            is_admin: false,
            created_at: at(minute),
        };
        s.insert_connection(&c, false, None).await.expect("connection");
    }
    s.group_chat(g, groups[0], users[1], at(9)).await.expect("group chat");
    for (other, when) in [(users[1], 10), (users[2], 11)] {
        let key = format!("{}-{}", me.0.min(other.0), me.0.max(other.0));
        s.direct_chat(g, me, &key, &[me.0, other.0], at(when))
            .await
            .expect("chat");
    }
    for (i, multiplayer) in [Multiplayer::No, Multiplayer::New(me), Multiplayer::No]
        .into_iter()
        .enumerate()
    {
        let r = NewRound {
            game_id: g,
            player_id: me,
            game_type: format!("t{i}"),
            start_time: at(12),
            end_time: None,
            score: Some(1.5 * i as f64),
            place: Some(i as i64),
            metadata: Some("{\"k\": [1, 2]}".into()),
            multiplayer,
            now: at(12),
        };
        s.insert_round(&r).await.expect("round");
    }
}

on_both_backends!(own_data_equals_the_separate_reads);
