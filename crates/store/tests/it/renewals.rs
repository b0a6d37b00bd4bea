//! `SessionStore::renew`: the one-statement renewal of `POST /s2s/session` and its refresh. On
//! PostgreSQL it renews exactly when every check the core would make after a read holds;
//! on SQLite it renews nothing (the core reads, decides and writes).

use playgate_core::audit::{AuditFilter, AuditStore, Origin};
use playgate_core::clock::Timestamp;
use playgate_core::crypto::SecretHash;
use playgate_core::game::GameStore as _;
use playgate_core::ids::{SessionId, UserId};
use playgate_core::limits::FailureStore as _;
use playgate_core::player::{Ban, ProfilePatch};
use playgate_core::players::PlayerStore;
use playgate_core::session::SessionStore as _;
use playgate_core::session::{ClientRead, ClientWith, RenewOutcome, RenewTarget, Renewal, RenewalEvent, Renewed};
use playgate_store::SqlStore;
use playgate_store::on_both_backends;
use playgate_store::testing::{Backend, open_store};
use serde_json::json;

use crate::sessions::{Opened, SEC, ev, game_rec, open};

const TTL: std::time::Duration = std::time::Duration::from_secs(100);

/// A renewal of `target` by client `client_id` with secret `secret` at `now` seconds,
/// under the new key `next`, counting failures in bucket `b`.
fn renewal<'a>(
    client_id: &'a str,
    secret: &'a SecretHash,
    target: RenewTarget<'a>,
    next: &'a SecretHash,
    now: i64,
    audit: &'a RenewalEvent,
) -> Renewal<'a> {
    Renewal {
        client_id,
        secret,
        failures: Some(("b", Timestamp(0))),
        failure_limit: 3,
        target,
        next,
        now: Timestamp(now * SEC),
        default_refresh_ttl: TTL,
        audit: Some(audit),
    }
}

/// What `r` renewed; when nothing, checks that the statement answered what the client read
/// of a player target finds (on PostgreSQL) or nothing (a session target, or SQLite: the
/// caller reads).
async fn renew(s: &SqlStore, r: &Renewal<'_>) -> Option<Renewed> {
    let found = match s.renew(r).await.expect("renew") {
        RenewOutcome::Renewed(r) => return Some(r),
        RenewOutcome::NotRenewed(found) => found,
    };
    let sid;
    let with = match r.target {
        RenewTarget::Player(user) => ClientWith::Player(user),
        RenewTarget::Session { id, .. } => {
            sid = id;
            ClientWith::SessionAndPlayer(sid)
        }
    };
    let read = ClientRead {
        client_id: r.client_id,
        failures: r.failures,
        with,
    };
    let reads = s.backend() == "postgres" && matches!(r.target, RenewTarget::Player(_));
    match (reads, found) {
        (true, Some(found)) => {
            let expected = s.client_read(&read).await.expect("read");
            assert_eq!(format!("{found:?}"), format!("{expected:?}"));
        }
        (false, None) => {}
        (_, found) => panic!("not renewed, found {found:?}"),
    }
    None
}

/// A store with the game of client 1000000031 (secret `good`) and u1's session, opened at
/// 10 s for 100 s; the key a renewal moves to (`next`) and its audit event.
struct Renewing {
    s: std::sync::Arc<SqlStore>,
    g: playgate_core::game::Game,
    o: Opened,
    user: UserId,
    good: SecretHash,
    next: SecretHash,
    event: RenewalEvent,
}

impl Renewing {
    /// A renewal by the game's client with its secret, under `next`, at `now` seconds.
    fn of<'a>(&'a self, target: RenewTarget<'a>, now: i64) -> Renewal<'a> {
        renewal("1000000031", &self.good, target, &self.next, now, &self.event)
    }

    /// The renewal of u1's live session.
    fn by_player(&self) -> RenewTarget<'_> {
        RenewTarget::Player(&self.user)
    }
}

/// On PostgreSQL a renewal happens in one write exactly when every check holds (client,
/// secret, player, live session, refresh keys and grace, failure limit, enabled game, no
/// ban); on SQLite it renews nothing.
async fn renewal_checks_everything_in_one_write(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    let g = s.insert_game(game_rec("1000000031")).await.expect("game");
    let o = open(&s, g.id, "u1", 10, ProfilePatch::default()).await;
    let f = Renewing {
        s,
        g,
        o,
        user: UserId::parse("u1").expect("user"),
        good: SecretHash::of("s"),
        next: SecretHash::of("k1"),
        event: RenewalEvent::new(
            "session.opened",
            "player:u1".into(),
            &Origin::default(),
            json!({"reused": true}),
        ),
    };
    if b == Backend::Sqlite {
        assert!(renew(&f.s, &f.of(f.by_player(), 20)).await.is_none());
        db.drop_it().await;
        return;
    }
    nothing_renewed_when_the_caller_or_the_session_is_wrong(&f).await;
    the_live_session_renewed_and_audited(&f).await;
    a_refresh_renewed_with_its_keys_within_grace(&f).await;
    nothing_renewed_past_failures_for_disabled_games_or_banned_players(&f).await;
    db.drop_it().await;
}

/// Wrong secret, unknown client, unknown player, a session past its expiry: nothing.
async fn nothing_renewed_when_the_caller_or_the_session_is_wrong(f: &Renewing) {
    let (s, by_player) = (&f.s, f.by_player());
    let bad = SecretHash::of("not s");
    assert!(
        renew(s, &renewal("1000000031", &bad, by_player, &f.next, 20, &f.event))
            .await
            .is_none()
    );
    assert!(
        renew(s, &renewal("1000000032", &f.good, by_player, &f.next, 20, &f.event))
            .await
            .is_none()
    );
    let other = UserId::parse("u2").expect("user");
    assert!(renew(s, &f.of(RenewTarget::Player(&other), 20)).await.is_none());
    assert!(renew(s, &f.of(by_player, 110)).await.is_none());
}

/// The player's live session, extended by the default lifetime; its event has the game as
/// actor and the session added to the detail.
async fn the_live_session_renewed_and_audited(f: &Renewing) {
    let (s, g, o) = (&f.s, &f.g, &f.o);
    let r = renew(s, &f.of(f.by_player(), 20)).await.expect("renewed");
    assert_eq!((r.game.id, r.player.id, r.session.id), (g.id, o.player, o.session));
    assert_eq!(r.player.user_id, f.user);
    assert_eq!(r.session.last_seen_at, Timestamp(20 * SEC));
    assert_eq!(r.session.expires_at, Timestamp(120 * SEC));
    let events = s
        .audit_events(&AuditFilter {
            subject: Some("player:u1".into()),
            action: Some("session.opened".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .expect("events");
    let e = &events[0];
    assert_eq!(
        (e.actor.as_str(), e.game),
        (format!("game:{}", g.id.0).as_str(), Some(g.id))
    );
    assert_eq!(e.detail, json!({"reused": true, "session": o.session.to_string()}));
}

/// The refresh of that session: with its current key, then (a retry) with the key it
/// replaced, within the grace period only; a token of another session renews nothing.
async fn a_refresh_renewed_with_its_keys_within_grace(f: &Renewing) {
    let (s, o, good, event) = (&f.s, &f.o, &f.good, &f.event);
    let refresh = |presented, legacy, grace_since: i64| RenewTarget::Session {
        id: o.session,
        presented,
        legacy,
        grace_since: Timestamp(grace_since * SEC),
    };
    let none = SecretHash::of("none");
    let (next, k2, k3) = (&f.next, SecretHash::of("k2"), SecretHash::of("k3"));
    assert!(
        renew(
            s,
            &renewal("1000000031", good, refresh(&o.refresh_hash, &none, 0), &k2, 21, event)
        )
        .await
        .is_none()
    );
    let r = renew(s, &renewal("1000000031", good, refresh(&none, next, 0), &k2, 21, event))
        .await
        .expect("legacy key");
    assert_eq!(r.session.expires_at, Timestamp(121 * SEC));
    assert!(
        renew(
            s,
            &renewal("1000000031", good, refresh(next, &none, 21), &k3, 22, event)
        )
        .await
        .is_none()
    );
    assert!(
        renew(
            s,
            &renewal("1000000031", good, refresh(next, &none, 20), &k3, 22, event)
        )
        .await
        .is_some()
    );
    let elsewhere = RenewTarget::Session {
        id: SessionId::new(),
        presented: &k3,
        legacy: &none,
        grace_since: Timestamp(0),
    };
    assert!(
        renew(s, &renewal("1000000031", good, elsewhere, &k2, 23, event))
            .await
            .is_none()
    );
}

/// A caller at the failure limit renews nothing (one not counted does); a disabled game, a
/// banned player: nothing.
async fn nothing_renewed_past_failures_for_disabled_games_or_banned_players(f: &Renewing) {
    let s = &f.s;
    for _ in 0..3 {
        s.add_failure("b", Timestamp(0), Timestamp(1000 * SEC))
            .await
            .expect("fail");
    }
    assert!(renew(s, &f.of(f.by_player(), 24)).await.is_none());
    let mut unlimited = f.of(f.by_player(), 24);
    unlimited.failures = None;
    assert!(renew(s, &unlimited).await.is_some());
    s.set_game_enabled(f.g.id, false).await.expect("disable");
    assert!(renew(s, &unlimited).await.is_none());
    s.set_game_enabled(f.g.id, true).await.expect("enable");
    assert!(renew(s, &unlimited).await.is_some());
    let ban = Ban {
        reason: "cheating".into(),
        at: Timestamp(25 * SEC),
    };
    PlayerStore::set_ban(&**s, f.o.player, Some(ban), Timestamp(25 * SEC), Box::new(|_| ev()))
        .await
        .expect("ban");
    assert!(renew(s, &unlimited).await.is_none());
}

on_both_backends!(renewal_checks_everything_in_one_write);
