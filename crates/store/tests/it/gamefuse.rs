//! The GameFuse part of the store contract, on SQLite and (when configured) PostgreSQL:
//! users and their sessions, counters, credits that never go negative, purchases under
//! concurrency, leaderboards, reset tokens, and deleting a game with everything in it.

use std::sync::Arc;

use playgate_core::client_users::outbox::{NewOutbox, ResetStore as _};
use playgate_core::client_users::{ClientSessionStart, ClientUserStore as _, NewClientUser, ProfilePatch};
use playgate_core::clock::Timestamp;
use playgate_core::crypto::{MasterKey, SecretHash};
use playgate_core::economy::attributes::AttributeStore as _;
use playgate_core::economy::credits::{CounterOp, CreditStore as _};
use playgate_core::economy::leaderboards::{LeaderboardQuery, LeaderboardStore as _, NewLeaderboardEntry};
use playgate_core::economy::store_items::{NewStoreItem, StoreItemStore as _};
use playgate_core::game::GameStore as _;
use playgate_core::game::NewGameRecord;
use playgate_core::game_variables::GameVariableStore as _;
use playgate_core::gamefuse::events::EventCount;
use playgate_core::gamefuse::keys::RouteAccess;
use playgate_core::gamefuse::store::GamefuseStore as _;
use playgate_core::ids::{GameId, PlayerId, SessionId};
use playgate_core::rounds::{Multiplayer, NewRound, RoundStore as _};
use playgate_core::session::SessionState;
use playgate_core::session::SessionStore as _;
use playgate_core::social::chats::ChatStore as _;
use playgate_core::social::friends::FriendStore as _;
use playgate_core::social::groups::{Connection, ConnectionKind, GroupStore as _, NewAttribute, NewGroup};
use playgate_core::wallet;
use playgate_core::{Conflict, Error};
use playgate_store::SqlStore;
use playgate_store::on_both_backends;
use playgate_store::testing::{Backend, TestDatabase, open_store};

pub(crate) const SEC: i64 = 1_000_000_000;
// 2026-01-01T00:00:00Z
pub(crate) const T0: i64 = 1_767_225_600 * SEC;

pub(crate) async fn setup(b: Backend) -> Option<(Arc<SqlStore>, TestDatabase, GameId)> {
    let (s, db) = open_store(b).await?;
    let g = s
        .insert_game(NewGameRecord {
            name: "G".into(),
            description: String::new(),
            client_id: "1000000001".into(),
            client_name: "G".into(),
            secret_hash: SecretHash::of("s"),
            created_at: Timestamp(T0),
            gamefuse_token: "gft_x".into(),
        })
        .await
        .expect("game");
    Some((s, db, g.id))
}

pub(crate) fn new_user(game: GameId, email: &str, username: &str) -> NewClientUser {
    NewClientUser {
        game_id: game,
        email: email.to_lowercase(),
        display_email: email.into(),
        username: username.into(),
        username_key: username.to_lowercase(),
        password_hash: "$argon2id$fake".into(),
        wallet: wallet::generate(&MasterKey::generate().0).expect("wallet"),
        created_at: Timestamp(T0),
    }
}

/// `n` users of `game` (`u0@x.org`, …), each with a session.
pub(crate) async fn users(s: &SqlStore, game: GameId, n: usize) -> Vec<PlayerId> {
    let mut users = Vec::new();
    for i in 0..n {
        let u = s
            .insert_user(
                &new_user(game, &format!("u{i}@x.org"), &format!("u{i}")),
                &start(game, &format!("t{i}"), T0, false, "2026-01"),
            )
            .await
            .expect("user");
        users.push(u.id);
    }
    users
}

pub(crate) fn start(game: GameId, token: &str, now: i64, is_login: bool, month: &str) -> ClientSessionStart {
    ClientSessionStart {
        game_id: game,
        session_id: SessionId::new(),
        token_hash: SecretHash::of(token),
        now: Timestamp(now),
        expires_at: Timestamp(now + 3600 * SEC),
        month: month.into(),
        ip: None,
        is_login,
        audit: Vec::new(),
    }
}

/// Users (one per e-mail and per username in a game), their sessions and token calls,
/// extending a session, and the event counters per month.
async fn users_sessions_and_counters(b: Backend) {
    let Some((s, db, g)) = setup(b).await else { return };
    let u = a_user_inserted_once_per_email_and_name(&s, g).await;
    let new = sessions_started_and_read_by_token(&s, g, u).await;
    // Extending a session moves its expiry and last-seen time.
    s.extend_session(new, Timestamp(T0 + 2 * SEC), Timestamp(T0 + 7200 * SEC))
        .await
        .expect("extend");
    let moved = s.session(new).await.expect("get").expect("s");
    assert_eq!(
        (moved.expires_at, moved.last_seen_at),
        (Timestamp(T0 + 7200 * SEC), Timestamp(T0 + 2 * SEC))
    );
    events_counted_per_month(&s, g, u).await;
    db.drop_it().await;
}

/// Ann inserted with her first session (counted); her e-mail or username again (any case)
/// is a conflict that writes nothing; her credentials by e-mail, in her game only. Her id.
async fn a_user_inserted_once_per_email_and_name(s: &Arc<SqlStore>, g: GameId) -> PlayerId {
    let u = s
        .insert_user(&new_user(g, "Ann@x.org", "Ann"), &start(g, "t0", T0, false, "2026-01"))
        .await
        .expect("insert");
    assert_eq!((u.number_of_logins, u.game_sessions_total, u.events_total), (0, 1, 1));
    assert!(u.last_login.is_none());
    let dup = s
        .insert_user(
            &new_user(g, "ann@x.org", "other"),
            &start(g, "t9", T0, false, "2026-01"),
        )
        .await;
    assert!(matches!(dup, Err(Error::Conflict(Conflict::EmailTaken))), "{dup:?}");
    let refused = start(g, "t9", T0, false, "2026-01");
    let dup = s.insert_user(&new_user(g, "b@x.org", "ANN"), &refused).await;
    assert!(matches!(dup, Err(Error::Conflict(Conflict::UsernameTaken))), "{dup:?}");
    assert!(
        s.session(refused.session_id).await.expect("get").is_none(),
        "nothing half-written"
    );
    let (id, hash) = s
        .credentials_by_email(g, "ann@x.org")
        .await
        .expect("get")
        .expect("creds");
    assert_eq!((id, hash.as_str()), (u.id, "$argon2id$fake"));
    assert!(
        s.credentials_by_email(GameId(g.0 + 1), "ann@x.org")
            .await
            .expect("get")
            .is_none()
    );
    u.id
}

/// A login starts a new session (counted) and ends the old one; a token call reads the
/// session, its game and the route's switches in one go. The new session's id.
async fn sessions_started_and_read_by_token(s: &Arc<SqlStore>, g: GameId, u: PlayerId) -> SessionId {
    let u2 = s
        .start_session(u, &start(g, "t1", T0 + SEC, true, "2026-01"))
        .await
        .expect("start");
    assert_eq!(
        (u2.number_of_logins, u2.game_sessions_total, u2.events_total),
        (1, 2, 2)
    );
    assert_eq!(u2.last_login, Some(Timestamp(T0 + SEC)));
    let route = "users/{id}";
    let by_token = async |token: &str| {
        let call = s.token_call(&SecretHash::of(token), route).await.expect("call");
        call.expect("known token")
    };
    let old = by_token("t0").await.session;
    assert_eq!(old.state, SessionState::Ended);
    let new = by_token("t1").await.session;
    assert_eq!(new.state, SessionState::Active);
    // A token call reads the session, its game and the route's switches in one go.
    let call = by_token("t1").await;
    assert_eq!(
        (call.session.id, call.game.id, call.game.name.as_str()),
        (new.id, g, "G")
    );
    assert_eq!(call.route, None);
    let closed = RouteAccess {
        route: route.into(),
        user_allowed: false,
        key_allowed: true,
    };
    s.set_route_access(g, &closed).await.expect("switch");
    let call = by_token("t0").await;
    assert_eq!(
        (call.session.id, call.session.state, call.route),
        (old.id, SessionState::Ended, Some(closed))
    );
    let other = s
        .token_call(&SecretHash::of("t1"), "games/verify")
        .await
        .expect("call")
        .expect("t1");
    assert_eq!(other.route, None);
    assert!(
        s.token_call(&SecretHash::of("nope"), route)
            .await
            .expect("call")
            .is_none()
    );
    new.id
}

/// Counted calls add up per month: the same month adds, a later one restarts the monthly
/// counters, an earlier one only adds to the total; unknown users are skipped; the token
/// call reads the user.
async fn events_counted_per_month(s: &Arc<SqlStore>, g: GameId, u: PlayerId) {
    let count = |player: PlayerId, month: &str, n: i64| EventCount {
        player,
        month: month.into(),
        n,
    };
    let counted = async || {
        let u = s.user(g, u).await.expect("read").expect("user");
        (u.events_total, u.events_month, u.game_sessions_month, u.month)
    };
    s.add_events(&[count(u, "2026-01", 2), count(PlayerId(999_999), "2026-01", 5)])
        .await
        .expect("add");
    assert_eq!(counted().await, (4, 4, 2, "2026-01".to_owned()));
    s.add_events(&[count(u, "2026-01", 1), count(u, "2026-02", 3)])
        .await
        .expect("add");
    assert_eq!(counted().await, (8, 3, 0, "2026-02".to_owned()));
    s.add_events(&[count(u, "2026-01", 1)]).await.expect("late");
    assert_eq!(counted().await, (9, 3, 0, "2026-02".to_owned()));
    assert_eq!(
        s.token_call(&SecretHash::of("t1"), "x")
            .await
            .expect("call")
            .map(|c| c.user.events_total),
        Some(9),
        "the token call reads the user"
    );
}

/// Credits never go negative; ten concurrent purchases with credits for three; a
/// purchase removed with a refund; leaderboards best first.
async fn credits_purchases_and_leaderboards(b: Backend) {
    let Some((s, db, g)) = setup(b).await else { return };
    let u = s
        .insert_user(&new_user(g, "c@x.org", "cat"), &start(g, "t", T0, false, "2026-01"))
        .await
        .expect("user")
        .id;
    assert_eq!(
        s.apply_counter(u, CounterOp::AddCredits(35))
            .await
            .expect("add")
            .credits,
        35
    );
    let short = s.apply_counter(u, CounterOp::AddCredits(-36)).await;
    assert!(matches!(short, Err(Error::Forbidden(_))), "{short:?}");
    assert_eq!(s.user(g, u).await.expect("get").expect("u").credits, 35);
    concurrent_purchases_within_the_credits(&s, g, u).await;
    leaderboards_best_first(&s, g, u).await;
    db.drop_it().await;
}

/// Ten items of 10, bought at once with 35 credits: three succeed; an owned item, or one
/// of another game, is refused; a removal refunds.
async fn concurrent_purchases_within_the_credits(s: &Arc<SqlStore>, g: GameId, u: PlayerId) {
    let mut items = Vec::new();
    for i in 0..10 {
        let item = NewStoreItem {
            name: format!("item {i}"),
            cost: 10,
            ..NewStoreItem::default()
        };
        items.push(s.insert_store_item(g, &item, Timestamp(T0)).await.expect("item").id);
    }
    let mut tasks = Vec::new();
    for &item in &items {
        let s = s.clone();
        tasks.push(tokio::spawn(async move { s.purchase(g, u, item, Timestamp(T0)).await }));
    }
    assert_eq!(successes(tasks).await, 3);
    assert_eq!(s.user(g, u).await.expect("get").expect("u").credits, 5);
    assert_eq!(s.purchases(u).await.expect("list").len(), 3);
    let owned = s.purchases(u).await.expect("list")[0].id;
    let again = s.purchase(g, u, owned, Timestamp(T0)).await;
    assert!(matches!(again, Err(Error::Forbidden(_))));
    let other_game = s.purchase(GameId(g.0 + 1), u, items[0], Timestamp(T0)).await;
    assert!(matches!(other_game, Err(Error::NotFound(_))));
    let back = s.remove_purchase(u, owned, true).await.expect("remove");
    assert_eq!((back.credits, back.items.len()), (15, 2));
    assert!(matches!(
        s.remove_purchase(u, owned, true).await,
        Err(Error::NotFound(_))
    ));
}

/// Entries of `u` and a second user: score descending, ties older first; the raw extra
/// attributes kept; one per user; a limit; clearing one user's.
async fn leaderboards_best_first(s: &Arc<SqlStore>, g: GameId, u: PlayerId) {
    let v = s
        .insert_user(&new_user(g, "d@x.org", "dog"), &start(g, "t2", T0, false, "2026-01"))
        .await
        .expect("user")
        .id;
    for (p, score, at) in [(u, 5, 1), (u, 9, 2), (v, 9, 3), (v, 1, 4)] {
        s.add_leaderboard_entry(&NewLeaderboardEntry {
            game_id: g,
            player_id: p,
            leaderboard_name: "L".into(),
            score,
            extra_attributes: Some("{\"a\": b}".into()),
            metadata: None,
            created_at: Timestamp(T0 + at * SEC),
        })
        .await
        .expect("entry");
    }
    let q = |one, limit| LeaderboardQuery {
        game_id: g,
        leaderboard_name: Some("L".into()),
        player_id: None,
        limit,
        one_per_user: one,
    };
    let all = s.leaderboard(&q(false, 10)).await.expect("board");
    let got: Vec<(i64, i64)> = all.iter().map(|e| (e.player_id.0, e.score)).collect();
    assert_eq!(
        got,
        vec![(u.0, 9), (v.0, 9), (u.0, 5), (v.0, 1)],
        "score desc, ties older first"
    );
    assert_eq!(all[0].extra_attributes.as_deref(), Some("{\"a\": b}"));
    assert_eq!(s.leaderboard(&q(true, 10)).await.expect("board").len(), 2);
    assert_eq!(s.leaderboard(&q(false, 1)).await.expect("board").len(), 1);
    assert_eq!(s.clear_leaderboard(u, "L").await.expect("clear"), 2);
    assert_eq!(s.leaderboard(&q(false, 10)).await.expect("board").len(), 2);
}

/// A reset token (its mail in the outbox) lives an hour and is used once, ending the
/// sessions; deleting a game takes its users, data and keys with it.
async fn resets_and_game_deletion(b: Backend) {
    let Some((s, db, g)) = setup(b).await else { return };
    let u = s
        .insert_user(&new_user(g, "e@x.org", "eel"), &start(g, "t", T0, false, "2026-01"))
        .await
        .expect("user")
        .id;
    a_reset_used_once_within_the_hour(&s, g, u).await;
    a_game_deleted_with_its_data(&s, g, u).await;
    db.drop_it().await;
}

/// A reset token: its mail in the outbox (with the sending error), live for an hour, used
/// once; the password changed and the sessions ended.
async fn a_reset_used_once_within_the_hour(s: &Arc<SqlStore>, g: GameId, u: PlayerId) {
    let mail = NewOutbox {
        game_id: Some(g),
        recipient: "e@x.org".into(),
        subject: "s".into(),
        sealed_body: vec![1, 2, 3],
        created_at: Timestamp(T0),
    };
    let r = SecretHash::of("reset");
    let id = s
        .insert_reset(&r, u, Timestamp(T0), Timestamp(T0 + 3600 * SEC), &mail)
        .await
        .expect("reset");
    s.outbox_result(id, None, Some("no smtp")).await.expect("result");
    let out = s.outbox(10).await.expect("outbox");
    assert_eq!(
        (out[0].id, out[0].error.as_deref(), out[0].body.clone()),
        (id, Some("no smtp"), vec![1, 2, 3])
    );
    assert!(
        !s.reset_token_live(&r, Timestamp(T0 + 3600 * SEC)).await.expect("live"),
        "expired at 1 h"
    );
    assert!(s.reset_token_live(&r, Timestamp(T0 + SEC)).await.expect("live"));
    let ev = playgate_core::audit::NewAuditEvent::new("test", playgate_core::audit::Actor::System);
    assert!(
        s.reset_password(&r, Timestamp(T0 + SEC), "$new", &ev)
            .await
            .expect("reset")
    );
    assert!(
        !s.reset_password(&r, Timestamp(T0 + 2 * SEC), "$newer", &ev)
            .await
            .expect("reset"),
        "single use"
    );
    assert_eq!(
        s.credentials_by_email(g, "e@x.org").await.expect("get").expect("c").1,
        "$new"
    );
    let sess = s
        .token_call(&SecretHash::of("t"), "users/{id}")
        .await
        .expect("get")
        .expect("s")
        .session;
    assert_eq!(sess.state, SessionState::Ended, "a reset ends the sessions");
}

/// A variable, an attribute, a purchase, a service key, the test suite's mark: all gone
/// with the game; deleting it again deletes nothing.
async fn a_game_deleted_with_its_data(s: &Arc<SqlStore>, g: GameId, u: PlayerId) {
    s.set_game_variable(g, "k", "v").await.expect("var");
    s.upsert_attributes(u, &[("a".into(), "1".into())]).await.expect("attr");
    let item = s
        .insert_store_item(
            g,
            &NewStoreItem {
                name: "i".into(),
                ..NewStoreItem::default()
            },
            Timestamp(T0),
        )
        .await
        .expect("item");
    s.purchase(g, u, item.id, Timestamp(T0)).await.expect("buy");
    s.insert_service_key(g, "k", &SecretHash::of("key"), Timestamp(T0))
        .await
        .expect("key");
    s.mark_test_suite_game(g).await.expect("mark");
    assert!(s.is_test_suite_game(g).await.expect("is"));
    assert!(s.delete_game(g).await.expect("delete"));
    assert!(s.game_by_id(g).await.expect("get").is_none());
    assert!(s.user(g, u).await.expect("get").is_none());
    assert!(
        s.service_key_by_token(&SecretHash::of("key"))
            .await
            .expect("get")
            .is_none()
    );
    assert!(!s.delete_game(g).await.expect("delete"));
}

/// Friendships (one row per pair, either direction), group sizes under concurrent joins,
/// message pages per chat, and deleting a game with all its social data.
async fn social_data_and_game_deletion(b: Backend) {
    let Some((s, db, g)) = setup(b).await else { return };
    let users = users(&s, g, 6).await;
    a_friendship_one_row_per_pair(&s, g, &users).await;
    let group = a_group_filled_by_concurrent_joins(&s, g, &users).await;
    let direct = messages_paged_per_chat(&s, g, group, &users).await;
    let now = Timestamp(T0);
    let r = NewRound {
        game_id: g,
        player_id: users[0],
        game_type: "duel".into(),
        start_time: now,
        end_time: None,
        score: Some(3.96),
        place: None,
        metadata: Some("{}".into()),
        multiplayer: Multiplayer::New(users[0]),
        now,
    };
    let round = s.insert_round(&r).await.expect("round");
    let rounds = s.rounds(g, &[round]).await.expect("rounds");
    assert_eq!((rounds[0].score, rounds[0].rankings.len()), (Some(3.96), 1));

    assert!(s.delete_game(g).await.expect("delete with social data"));
    assert!(s.groups(g, &[group]).await.expect("groups").is_empty());
    assert!(s.chat(g, direct).await.expect("chat").is_none());
    db.drop_it().await;
}

/// A request either way is one row; accepted once; both sides see the link.
async fn a_friendship_one_row_per_pair(s: &Arc<SqlStore>, g: GameId, users: &[PlayerId]) {
    let now = Timestamp(T0);
    let f = s.insert_friendship(g, users[0], users[1], now).await.expect("request");
    let again = s.insert_friendship(g, users[1], users[0], now).await;
    assert!(matches!(again, Err(Error::Conflict(_))), "one row per pair: {again:?}");
    assert!(s.accept_friendship(f.id).await.expect("accept"));
    assert!(!s.accept_friendship(f.id).await.expect("accept"), "no longer pending");
    let links = s.friend_links(users[1]).await.expect("links");
    assert_eq!((links.len(), links[0].accepted, links[0].other.id), (1, true, users[0]));
}

/// A group of at most 3: five concurrent joins, exactly two get in; an attribute. Its id.
async fn a_group_filled_by_concurrent_joins(s: &Arc<SqlStore>, g: GameId, users: &[PlayerId]) -> i64 {
    let now = Timestamp(T0);
    let group = s
        .insert_group(&NewGroup {
            game_id: g,
            creator: users[0],
            name: "g".into(),
            group_type: "default".into(),
            can_auto_join: true,
            is_invite_only: false,
            max_group_size: Some(3),
            searchable: true,
            admins_only_can_create_attributes: false,
            now,
        })
        .await
        .expect("group");
    let joins = users[1..].iter().map(|u| {
        let s = s.clone();
        let c = Connection {
            id: 0,
            group_id: group,
            player_id: *u,
            inviter_id: None,
            kind: ConnectionKind::Join,
            status: "accepted".into(),
            is_admin: false,
            created_at: now,
        };
        tokio::spawn(async move { s.insert_connection(&c, false, Some(3)).await })
    });
    assert_eq!(successes(joins).await, 2);
    assert_eq!(s.groups(g, &[group]).await.expect("groups")[0].member_count, 3);
    s.insert_group_attributes(
        group,
        users[0],
        &[NewAttribute {
            key: "k".into(),
            value: "v".into(),
            others_can_edit: false,
        }],
    )
    .await
    .expect("attr");
    group
}

/// Two chats (a direct one found again by its key, the group's); pages are per chat, newest
/// first, with readers. The direct chat's id.
async fn messages_paged_per_chat(s: &Arc<SqlStore>, g: GameId, group: i64, users: &[PlayerId]) -> i64 {
    let now = Timestamp(T0);
    let direct = s
        .direct_chat(g, users[0], "a,b", &[users[0].0, users[1].0], now)
        .await
        .expect("chat");
    assert_eq!(
        s.direct_chat(g, users[1], "a,b", &[], now).await.expect("chat"),
        direct,
        "same key, same chat"
    );
    let gc = s.group_chat(g, group, users[0], now).await.expect("group chat");
    for i in 0..4 {
        s.insert_message(direct, users[0], &format!("d{i}"), now)
            .await
            .expect("msg");
        s.insert_message(gc, users[1], &format!("g{i}"), now)
            .await
            .expect("msg");
    }
    let page = s.messages(&[direct, gc], 2, 1).await.expect("page");
    let texts: Vec<&str> = page.iter().map(|m| m.text.as_str()).collect();
    let (first, second) = if direct < gc {
        (["d2", "d1"], ["g2", "g1"])
    } else {
        (["g2", "g1"], ["d2", "d1"])
    };
    assert_eq!(texts, [first, second].concat());
    s.mark_read(page[0].id, users[1]).await.expect("read");
    s.mark_read(page[0].id, users[1]).await.expect("read twice");
    let m = s.message(page[0].id).await.expect("get").expect("m");
    assert_eq!(m.read_by.len(), 2);
    assert!(s.in_chat(gc, users[2]).await.expect("in") || s.in_chat(gc, users[3]).await.expect("in"));
    assert!(!s.in_chat(direct, users[2]).await.expect("in"));
    direct
}

/// A profile change renames and re-addresses the user (the sign-in key included); a
/// username or e-mail taken in the game is `Conflict` and changes nothing.
async fn profile_changes(b: Backend) {
    let Some((s, db, g)) = setup(b).await else { return };
    let ann = s
        .insert_user(&new_user(g, "Ann@x.org", "Ann"), &start(g, "t0", T0, false, "2026-01"))
        .await
        .expect("ann");
    s.insert_user(&new_user(g, "bob@x.org", "Bob"), &start(g, "t1", T0, false, "2026-01"))
        .await
        .expect("bob");
    let patch = |username: Option<&str>, email: Option<&str>| ProfilePatch {
        username: username.map(|u| (u.to_owned(), u.to_lowercase())),
        email: email.map(|e| (e.to_lowercase(), e.to_owned())),
        now: Timestamp(T0 + SEC),
    };
    let u = s
        .update_profile(ann.id, &patch(Some("Annie"), Some("Annie@y.org")))
        .await
        .expect("update");
    assert_eq!(
        (u.username.as_str(), u.display_email.as_str()),
        ("Annie", "Annie@y.org")
    );
    let creds = s.credentials_by_email(g, "annie@y.org").await.expect("read");
    assert_eq!(creds.map(|c| c.0), Some(ann.id), "signs in by the new address");
    assert!(s.credentials_by_email(g, "ann@x.org").await.expect("read").is_none());
    let taken = s.update_profile(ann.id, &patch(Some("BOB"), None)).await;
    assert!(
        matches!(taken, Err(Error::Conflict(Conflict::UsernameTaken))),
        "{taken:?}"
    );
    let taken = s.update_profile(ann.id, &patch(Some("Ann2"), Some("Bob@x.org"))).await;
    assert!(matches!(taken, Err(Error::Conflict(Conflict::EmailTaken))), "{taken:?}");
    let u = s.user(g, ann.id).await.expect("read").expect("ann");
    assert_eq!(u.username, "Annie", "nothing changed by the refused update");
    db.drop_it().await;
}

/// How many of the racing tasks succeeded; every other one must have been refused
/// `Forbidden`.
async fn successes<T>(tasks: impl IntoIterator<Item = tokio::task::JoinHandle<playgate_core::Result<T>>>) -> usize {
    let mut ok = 0;
    for t in tasks {
        match t.await.expect("join") {
            Ok(_) => ok += 1,
            Err(Error::Forbidden(_)) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    ok
}

on_both_backends!(
    profile_changes,
    users_sessions_and_counters,
    credits_purchases_and_leaderboards,
    resets_and_game_deletion,
    social_data_and_game_deletion
);
