//! The store contract: the same suite against SQLite (always) and PostgreSQL (when
//! `PLAYGATE_TEST_POSTGRES_URL` is set), each test on its own fresh database.

use playgate_core::audit::{Actor, AuditFilter, AuditStore as _, NewAuditEvent};
use playgate_core::clock::Timestamp;
use playgate_core::crypto::{MasterKey, SecretHash};
use playgate_core::game::GameStore as _;
use playgate_core::game::NewGameRecord;
use playgate_core::gamefuse::store::GamefuseStore as _;
use playgate_core::ids::{GameId, PlayerId, SessionId, UserId};
use playgate_core::limits::FailureStore as _;
use playgate_core::player::{Ban, Profile, ProfilePatch};
use playgate_core::players::PlayerStore;
use playgate_core::session::SessionStore as _;
use playgate_core::session::{
    Applied, EndOutcome, NewPlayerRecord, NewSessionRecord, OpenPlan, PlayerWithSession, RefreshSwap, SessionPlan,
};
use playgate_core::signing_keys::SigningKeyStore as _;
use playgate_core::store::Store as _;
use playgate_core::token::SigningKeyRecord;
use playgate_core::wallet;
use playgate_core::{ConstraintKind, Error};
use playgate_store::SqlStore;
use playgate_store::on_both_backends;
use playgate_store::testing::{Backend, open_store};

pub(crate) const SEC: i64 = 1_000_000_000;

pub(crate) fn game_rec(client_id: &str) -> NewGameRecord {
    NewGameRecord {
        name: "G".into(),
        description: String::new(),
        client_id: client_id.into(),
        client_name: "G".into(),
        secret_hash: SecretHash::of("s"),
        created_at: Timestamp(SEC),
        gamefuse_token: format!("gft_{client_id}"),
    }
}

/// A plan of `game` at `now` (in seconds), recording a fresh refresh hash.
fn plan(game: GameId, now: i64, plan: SessionPlan) -> OpenPlan {
    OpenPlan {
        game_id: game,
        now: Timestamp(now * SEC),
        expires_at: Timestamp((now + 100) * SEC),
        refresh_hash: SecretHash::of(&uuid::Uuid::new_v4().to_string()),
        plan,
        audit: ev(),
    }
}

/// An audit event for the writes that record one.
pub(crate) fn ev() -> NewAuditEvent {
    NewAuditEvent::new("test", Actor::System)
}

fn new_session() -> NewSessionRecord {
    NewSessionRecord {
        id: SessionId::new(),
        ip: Some("127.0.0.1".into()),
    }
}

fn create(user: &str, profile: Profile, master: &MasterKey) -> SessionPlan {
    SessionPlan::Create {
        player: NewPlayerRecord {
            user_id: UserId::parse(user).expect("user id"),
            profile,
            wallet: wallet::generate(master).expect("wallet"),
        },
        session: new_session(),
    }
}

/// What one create-or-retrieve opened.
pub(crate) struct Opened {
    pub(crate) player: PlayerId,
    pub(crate) session: SessionId,
    is_new: bool,
    pub(crate) refresh_hash: SecretHash,
}

/// Create-or-retrieve as the core runs it: read, decide (a live session is kept, another
/// replaced, a missing player created), apply; read again after a lost race.
pub(crate) async fn open(s: &SqlStore, game: GameId, user: &str, now: i64, patch: ProfilePatch) -> Opened {
    let master = MasterKey::generate().0;
    let user_id = UserId::parse(user).expect("user id");
    loop {
        let found = s.player_with_session(game, &user_id).await.expect("read");
        let (step, session, is_new) = match found {
            Some(PlayerWithSession {
                player,
                active: Some(a),
            }) if a.is_live(Timestamp(now * SEC)) => (
                SessionPlan::Reuse {
                    player: player.id,
                    session: a.id,
                    patch: patch.clone(),
                    record: true,
                },
                a.id,
                false,
            ),
            Some(PlayerWithSession { player, active }) => {
                let session = new_session();
                let id = session.id;
                let step = SessionPlan::Replace {
                    player: player.id,
                    ended: active.map(|a| a.id),
                    session,
                    patch: patch.clone(),
                };
                (step, id, false)
            }
            None => {
                let mut profile = Profile::default();
                patch.clone().apply(&mut profile);
                let step = create(user, profile, &master);
                let SessionPlan::Create { session, .. } = &step else {
                    unreachable!()
                };
                let id = session.id;
                (step, id, true)
            }
        };
        let mut p = plan(game, now, step);
        // As the core records it: about the player (on SQLite a kept session's is chained).
        p.audit = NewAuditEvent::new("session.opened", Actor::Game(game))
            .game(game)
            .subject(format!("player:{user}"));
        let refresh_hash = p.refresh_hash.clone();
        match s.apply_open_plan(p).await.expect("apply") {
            Applied::Done(player) => {
                return Opened {
                    player,
                    session,
                    is_new,
                    refresh_hash,
                };
            }
            Applied::Raced => continue,
        }
    }
}

async fn games(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    assert_eq!(s.count_games().await.expect("count"), 0);
    let g = s.insert_game(game_rec("1000000001")).await.expect("insert");
    assert!(g.enabled);
    assert!(matches!(
        s.insert_game(game_rec("1000000001")).await,
        Err(Error::Constraint { kind: ConstraintKind::Unique, ref name }) if name == "credentials_pkey"
    ));
    assert_eq!(s.count_games().await.expect("count"), 1);
    assert_eq!(
        s.game_by_client_id("1000000001").await.expect("get").map(|g| g.id),
        Some(g.id)
    );
    assert!(s.game_by_client_id("nope").await.expect("get").is_none());
    assert_eq!(
        s.game_by_id(g.id).await.expect("get").map(|g| g.client_id),
        Some("1000000001".into())
    );
    let g2 = s.set_game_secret(g.id, &SecretHash::of("t")).await.expect("secret");
    assert!(g2.secret_hash.matches(&SecretHash::of("t")));
    assert!(!s.set_game_enabled(g.id, false).await.expect("disable").enabled);
    assert!(matches!(
        s.set_game_enabled(GameId(999), true).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        s.set_game_secret(GameId(999), &SecretHash::of("x")).await,
        Err(Error::NotFound(_))
    ));
    assert_eq!(s.list_games().await.expect("list").len(), 1);
    s.ping().await.expect("ping");
    db.drop_it().await;
}

async fn signing_keys(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    assert!(s.signing_keys().await.expect("keys").is_empty());
    let rec = SigningKeyRecord {
        kid: "k1".into(),
        sealed_secret: vec![1, 2, 3],
        created_at: Timestamp(5),
    };
    s.insert_signing_key(&rec).await.expect("insert");
    assert!(matches!(
        s.insert_signing_key(&rec).await,
        Err(Error::Constraint { kind: ConstraintKind::Unique, ref name }) if name == "signing_keys_pkey"
    ));
    let keys = s.signing_keys().await.expect("keys");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].sealed_secret, vec![1, 2, 3]);
    db.drop_it().await;
}

/// A player's session: opened (new), retrieved while live (the profile merged, the refresh
/// hash replaced), its refresh hash swapped once, ended once; then a new one, and an expired
/// one replaced.
async fn player_session_lifecycle(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    let g = s.insert_game(game_rec("1000000002")).await.expect("game");
    let u1 = UserId::parse("u1").expect("user");
    // Unknown player: nothing to read.
    assert!(s.player_with_session(g.id, &u1).await.expect("read").is_none());
    let patch = ProfilePatch {
        name: Some("Ann".into()),
        level: Some(3),
        ..ProfilePatch::default()
    };
    let o1 = open(&s, g.id, "u1", 10, patch).await;
    assert!(o1.is_new);
    let found = s.player_with_session(g.id, &u1).await.expect("read").expect("player");
    assert_eq!(found.player.id, o1.player);
    assert_eq!(
        (found.player.profile.name.as_str(), found.player.profile.level),
        ("Ann", 3)
    );
    let active = found.active.expect("active session");
    assert_eq!((active.id, active.started_at), (o1.session, Timestamp(10 * SEC)));
    // Retrieve while live: same session, patch merged, refresh hash replaced.
    let patch = ProfilePatch {
        email: Some("a@b.c".into()),
        ..ProfilePatch::default()
    };
    let o2 = open(&s, g.id, "u1", 20, patch).await;
    assert!(!o2.is_new);
    assert_eq!(o2.session, o1.session);
    let s2 = s.session(o1.session).await.expect("get").expect("session");
    assert_eq!(
        (s2.started_at, s2.last_seen_at, s2.expires_at),
        (Timestamp(10 * SEC), Timestamp(20 * SEC), Timestamp(120 * SEC))
    );
    let p2 = s.player(o1.player).await.expect("player").expect("some");
    assert_eq!((p2.profile.name.as_str(), p2.profile.email.as_str()), ("Ann", "a@b.c"));
    let next = SecretHash::of("next");
    // The superseded hash no longer swaps; the current one does, once.
    let (t21, t200) = (Timestamp(21 * SEC), Timestamp(200 * SEC));
    assert!(!swap(&s, o1.session, &o1.refresh_hash, &next, t21, t200).await);
    assert!(swap(&s, o1.session, &o2.refresh_hash, &next, t21, t200).await);
    assert!(!swap(&s, o1.session, &o2.refresh_hash, &next, Timestamp(22 * SEC), t200).await);
    assert_eq!(
        s.session(o1.session).await.expect("get").map(|x| x.expires_at),
        Some(t200)
    );
    // Ending: once, then already ended; other games and unknown ids are not found.
    let end = async |id, game, at: i64| s.end_session(id, game, Timestamp(at * SEC), &ev()).await.expect("end");
    assert_eq!(end(o1.session, GameId(999), 23).await, EndOutcome::NotFound);
    assert_eq!(end(o1.session, g.id, 23).await, EndOutcome::Ended);
    assert_eq!(end(o1.session, g.id, 24).await, EndOutcome::AlreadyEnded);
    assert_eq!(end(SessionId::new(), g.id, 24).await, EndOutcome::NotFound);
    assert!(!swap(&s, o1.session, &next, &o1.refresh_hash, Timestamp(25 * SEC), t200).await);
    // After the end the player has no active session, and a new one starts.
    let found = s.player_with_session(g.id, &u1).await.expect("read").expect("player");
    assert!(found.active.is_none());
    let o3 = open(&s, g.id, "u1", 30, ProfilePatch::default()).await;
    assert!(!o3.is_new);
    assert_ne!(o3.session, o1.session);
    // An expired session is replaced too.
    let o4 = open(&s, g.id, "u1", 1000, ProfilePatch::default()).await;
    assert_ne!(o4.session, o3.session);
    assert_eq!(
        s.session(o3.session).await.expect("get").map(|x| x.ended_at),
        Some(Some(Timestamp(1000 * SEC)))
    );
    db.drop_it().await;
}

/// The stored player `user` of `game`, with its active session.
async fn stored(s: &SqlStore, game: GameId, user: &str) -> PlayerWithSession {
    s.player_with_session(game, &UserId::parse(user).expect("user"))
        .await
        .expect("read")
        .expect("player")
}

/// A plan decided on a read that no longer holds writes nothing and says so.
async fn stale_plans_report_a_race(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    let g = s.insert_game(game_rec("1000000004")).await.expect("game");
    let master = MasterKey::generate().0;
    let o = open(&s, g.id, "u1", 10, ProfilePatch::default()).await;
    // The player exists: creating it again.
    let again = plan(g.id, 11, create("u1", Profile::default(), &master));
    assert_eq!(s.apply_open_plan(again).await.expect("apply"), Applied::Raced);
    // It has a live session: starting another one beside it, even with a patch.
    let patch = ProfilePatch {
        name: Some("Bob".into()),
        ..ProfilePatch::default()
    };
    let beside = SessionPlan::Replace {
        player: o.player,
        ended: None,
        session: new_session(),
        patch: patch.clone(),
    };
    assert_eq!(
        s.apply_open_plan(plan(g.id, 11, beside)).await.expect("apply"),
        Applied::Raced
    );
    // The session ended meanwhile: keeping it, or ending it again and starting another.
    s.end_session(o.session, g.id, Timestamp(12 * SEC), &ev())
        .await
        .expect("end");
    let keep = SessionPlan::Reuse {
        player: o.player,
        session: o.session,
        patch: patch.clone(),
        record: true,
    };
    assert_eq!(
        s.apply_open_plan(plan(g.id, 13, keep)).await.expect("apply"),
        Applied::Raced
    );
    let replace = SessionPlan::Replace {
        player: o.player,
        ended: Some(o.session),
        session: new_session(),
        patch,
    };
    assert_eq!(
        s.apply_open_plan(plan(g.id, 13, replace)).await.expect("apply"),
        Applied::Raced
    );
    // None of them wrote anything.
    let found = stored(&s, g.id, "u1").await;
    assert!(found.active.is_none());
    assert_eq!(found.player.profile, Profile::default());
    let ended = s.session(o.session).await.expect("get").expect("session");
    assert_eq!(ended.ended_at, Some(Timestamp(12 * SEC)));
    db.drop_it().await;
}

/// A plan decided before the player was banned starts no session: the ban may land between
/// the core's read and its write.
async fn a_ban_between_read_and_write_is_a_race(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    let g = s.insert_game(game_rec("1000000005")).await.expect("game");
    let o = open(&s, g.id, "u1", 10, ProfilePatch::default()).await;
    s.end_session(o.session, g.id, Timestamp(11 * SEC), &ev())
        .await
        .expect("end");
    // Read: a player without a live session, not banned; the core would start one.
    let start = SessionPlan::Replace {
        player: o.player,
        ended: None,
        session: new_session(),
        patch: ProfilePatch::default(),
    };
    let ban = Ban {
        reason: "cheating".into(),
        at: Timestamp(12 * SEC),
    };
    PlayerStore::set_ban(&*s, o.player, Some(ban), Timestamp(12 * SEC), Box::new(|_| ev()))
        .await
        .expect("ban");
    assert_eq!(
        s.apply_open_plan(plan(g.id, 13, start)).await.expect("apply"),
        Applied::Raced
    );
    let found = stored(&s, g.id, "u1").await;
    assert!(found.active.is_none());
    assert!(found.player.ban.is_some());
    db.drop_it().await;
}

async fn concurrent_first_opens(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    let g = s.insert_game(game_rec("1000000003")).await.expect("game");
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let o = open(&s, g.id, "racer", 10, ProfilePatch::default()).await;
            (o.player, o.session, o.is_new)
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.expect("join"));
    }
    assert_eq!(
        results.iter().filter(|r| r.2).count(),
        1,
        "exactly one call creates the player"
    );
    assert!(
        results.windows(2).all(|w| w[0].0 == w[1].0 && w[0].1 == w[1].1),
        "one player, one session"
    );
    // Once the session has expired, racing calls replace it once.
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            open(&s, g.id, "racer", 1000, ProfilePatch::default()).await.session
        }));
    }
    let mut sessions = Vec::new();
    for t in tasks {
        sessions.push(t.await.expect("join"));
    }
    assert!(sessions.windows(2).all(|w| w[0] == w[1]), "one new session");
    assert_ne!(sessions[0], results[0].1);
    db.drop_it().await;
}

/// Many writes at once (on SQLite: in shared group commits): the failing ones change
/// nothing, the others all land.
async fn concurrent_writes_fail_alone(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    let mut tasks = Vec::new();
    for i in 0..40 {
        let s = s.clone();
        let id = if i % 2 == 0 {
            "2000000000".to_owned()
        } else {
            format!("30000000{i:02}")
        };
        tasks.push(tokio::spawn(async move { s.insert_game(game_rec(&id)).await }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.expect("join") {
            Ok(_) => ok += 1,
            Err(e) if e.is_unique_violation() => {}
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(ok, 21);
    assert_eq!(s.count_games().await.expect("count"), 21);
    db.drop_it().await;
}

/// Writes of both kinds at once (on SQLite single statements and transactions, in the
/// same rounds of group commits): a plan whose session cannot be written (its id is taken)
/// after its player row was inserted leaves no player behind, and every other write lands.
async fn mixed_writes_fail_alone(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    let game = s.insert_game(game_rec("4000000000")).await.expect("game").id;
    let taken = open(&s, game, "anchor", 1, ProfilePatch::default()).await.session;
    let master = MasterKey::generate().0;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let store = s.clone();
        let mut step = create(&format!("u{i}"), Profile::default(), &master);
        if i % 2 == 1
            && let SessionPlan::Create { session, .. } = &mut step
        {
            session.id = taken;
        }
        tasks.push(tokio::spawn(async move {
            match store.apply_open_plan(plan(game, 2, step)).await? {
                Applied::Done(_) => Ok(()),
                Applied::Raced => Err(playgate_core::Error::internal("raced")),
            }
        }));
        let s = s.clone();
        let id = format!("50000000{i:02}");
        tasks.push(tokio::spawn(
            async move { s.insert_game(game_rec(&id)).await.map(drop) },
        ));
    }
    let results: Vec<bool> = futures_join(tasks).await;
    assert_eq!(results.iter().filter(|ok| **ok).count(), 60, "20 opens and 40 games");
    assert_eq!(s.count_games().await.expect("count"), 41);
    for i in 0..40 {
        let user = UserId::parse(format!("u{i}")).expect("user");
        let found = s.player_with_session(game, &user).await.expect("read");
        if i % 2 == 0 {
            assert!(found.is_some_and(|f| f.active.is_some()), "u{i} exists");
        } else {
            assert!(found.is_none(), "u{i} was rolled back");
        }
    }
    db.drop_it().await;
}

/// Awaits each task: whether it returned `Ok`.
async fn futures_join(tasks: Vec<tokio::task::JoinHandle<playgate_core::Result<()>>>) -> Vec<bool> {
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("join").is_ok());
    }
    out
}

/// A swap without grace (`grace_since` = now): only the current hash swaps.
async fn swap(
    s: &SqlStore,
    id: SessionId,
    presented: &SecretHash,
    next: &SecretHash,
    now: Timestamp,
    expires_at: Timestamp,
) -> bool {
    let event = ev();
    let swap = RefreshSwap {
        id,
        presented,
        legacy: &SecretHash::of("no token has this text"),
        next,
        now,
        expires_at,
        grace_since: now,
        audit: Some(&event),
    };
    s.swap_refresh(&swap).await.expect("swap")
}

async fn refresh_grace(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    let g = s.insert_game(game_rec("1000000009")).await.expect("game");
    let o = open(&s, g.id, "u1", 10, ProfilePatch::default()).await;
    let (s1, t0) = (o.session, o.refresh_hash);
    let (h1, h2, h3, h4) = (
        SecretHash::of("r1"),
        SecretHash::of("r2"),
        SecretHash::of("r3"),
        SecretHash::of("r4"),
    );
    let event = ev();
    let unused = SecretHash::of("no token has this text");
    let at = |id, presented, next, now: i64, grace_since: i64| RefreshSwap {
        id,
        presented,
        legacy: &unused,
        next,
        now: Timestamp(now * SEC),
        expires_at: Timestamp(500 * SEC),
        grace_since: Timestamp(grace_since * SEC),
        audit: Some(&event),
    };
    // Rotation at 20 s: t0 becomes the previous hash, replaced at 20 s.
    assert!(s.swap_refresh(&at(s1, &t0, &h1, 20, 10)).await.expect("swap"));
    // The previous hash swaps again while its replacement time is after grace_since ...
    assert!(s.swap_refresh(&at(s1, &t0, &h2, 25, 19)).await.expect("swap"));
    // ... and again (a retry does not move the replacement time) ...
    assert!(s.swap_refresh(&at(s1, &t0, &h3, 29, 19)).await.expect("swap"));
    // ... but not once the grace period is over (replaced at 20 s, not after 20 s).
    assert!(!s.swap_refresh(&at(s1, &t0, &h4, 30, 20)).await.expect("swap"));
    // A superseded grace answer is neither current nor previous.
    assert!(!s.swap_refresh(&at(s1, &h2, &h4, 30, 0)).await.expect("swap"));
    assert!(!s.swap_refresh(&at(s1, &h1, &h4, 30, 0)).await.expect("swap"));
    // The current one rotates: h3 becomes the previous, and t0 is no longer.
    assert!(s.swap_refresh(&at(s1, &h3, &h4, 40, 30)).await.expect("swap"));
    assert!(!s.swap_refresh(&at(s1, &t0, &h1, 41, 0)).await.expect("swap"));
    assert!(s.swap_refresh(&at(s1, &h3, &h1, 41, 39)).await.expect("swap"));
    // An ended session swaps nothing, even within the grace period.
    s.end_session(s1, g.id, Timestamp(42 * SEC), &ev()).await.expect("end");
    assert!(!s.swap_refresh(&at(s1, &h3, &h2, 43, 0)).await.expect("swap"));
    assert!(!s.swap_refresh(&at(s1, &h1, &h2, 43, 0)).await.expect("swap"));
    db.drop_it().await;
}

/// A session's own events (its refreshes and its end, about `session:<id>`) are found by
/// that subject with every other event about it, newest first and a page at a time, also
/// once the player is erased or the game deleted (on SQLite they are chained through the
/// session, migration 0018, and taken off the chain when the session goes).
async fn a_sessions_events_are_found_by_its_subject(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    let g = s.insert_game(game_rec("1000000010")).await.expect("game");
    let (a, other) = (
        open(&s, g.id, "u1", 10, ProfilePatch::default()).await,
        open(&s, g.id, "u2", 10, ProfilePatch::default()).await,
    );
    let about = |o: &Opened| format!("session:{}", o.session);
    let event = |name: &str, o: &Opened| NewAuditEvent::new(name, Actor::Game(g.id)).game(g.id).subject(about(o));
    let (mut ka, mut kb) = (a.refresh_hash.clone(), other.refresh_hash.clone());
    for i in 0..3 {
        for (o, key) in [(&a, &mut ka), (&other, &mut kb)] {
            let next = SecretHash::of(&format!("{}-{i}", o.session));
            let e = event("session.refreshed", o);
            let swap = RefreshSwap {
                id: o.session,
                presented: key,
                legacy: &SecretHash::of("no token has this text"),
                next: &next,
                now: Timestamp((20 + i) * SEC),
                expires_at: Timestamp(500 * SEC),
                grace_since: Timestamp((20 + i) * SEC),
                audit: Some(&e),
            };
            assert!(s.swap_refresh(&swap).await.expect("swap"));
            *key = next;
        }
    }
    // About the session, but recorded on its own (not chained).
    let noted = NewAuditEvent::new("note", Actor::Operator("ada".into())).subject(about(&a));
    s.insert_audit(&noted, Timestamp(30 * SEC)).await.expect("note");
    s.end_session(a.session, g.id, Timestamp(31 * SEC), &event("session.ended", &a))
        .await
        .expect("end");
    let list = async |subject: String, action: Option<&str>, limit: u32| {
        let mut all: Vec<(i64, String)> = Vec::new();
        let mut before_id = None;
        loop {
            let page = s
                .audit_events(&AuditFilter {
                    subject: Some(subject.clone()),
                    action: action.map(str::to_owned),
                    before_id,
                    limit,
                    ..AuditFilter::default()
                })
                .await
                .expect("events");
            for e in &page {
                assert_eq!(e.subject.as_deref(), Some(subject.as_str()));
            }
            all.extend(page.iter().map(|e| (e.id, e.action.clone())));
            match page.last() {
                Some(e) if page.len() == limit as usize => before_id = Some(e.id),
                _ => return all,
            }
        }
    };
    let expected = [
        "session.ended",
        "note",
        "session.refreshed",
        "session.refreshed",
        "session.refreshed",
    ];
    let check = async |when: &str| {
        for limit in [50, 2, 1] {
            let got = list(about(&a), None, limit).await;
            let actions: Vec<&str> = got.iter().map(|(_, a)| a.as_str()).collect();
            assert_eq!(actions, expected, "{when}, pages of {limit}");
            assert!(got.windows(2).all(|w| w[0].0 > w[1].0), "{when}: newest first");
        }
        assert_eq!(list(about(&a), Some("session.refreshed"), 2).await.len(), 3, "{when}");
        assert_eq!(list(about(&other), None, 2).await.len(), 3, "{when}");
    };
    // Opened (created), then kept twice: about the player, the kept ones chained.
    open(&s, g.id, "u1", 32, ProfilePatch::default()).await;
    let b = open(&s, g.id, "u1", 33, ProfilePatch::default()).await;
    open(&s, g.id, "u1", 34, ProfilePatch::default()).await;
    let opened = async |when: &str| {
        for limit in [50, 1] {
            let got = list("player:u1".into(), None, limit).await;
            assert_eq!(got.len(), 4, "{when}: the player's opened sessions, pages of {limit}");
            assert!(got.windows(2).all(|w| w[0].0 > w[1].0), "{when}: newest first");
        }
    };
    opened("while the sessions last").await;
    let export = s.export_player(b.player, "player:u1").await.expect("export");
    let (_, events) = export
        .sections
        .iter()
        .find(|(name, _)| name == "audit_events")
        .expect("audit section");
    assert_eq!(events.len(), 4, "the export has every opened session");
    assert!(
        events.iter().all(|e| !e.contains_key("chain")),
        "no chain columns exported"
    );
    check("while the sessions last").await;
    let erased: playgate_core::players::Record<playgate_core::players::Erased> =
        Box::new(|_| NewAuditEvent::new("player.deleted", Actor::System));
    s.erase_player(a.player, Timestamp(40 * SEC), erased)
        .await
        .expect("erase");
    check("after the player's erasure").await;
    opened("after the player's erasure").await;
    assert!(s.delete_game(g.id).await.expect("delete"));
    check("after the game's deletion").await;
    db.drop_it().await;
}

async fn failure_counts(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    assert_eq!(s.failures("k", Timestamp(0)).await.expect("get"), 0);
    for n in 1..=3 {
        assert_eq!(s.add_failure("k", Timestamp(0), Timestamp(60)).await.expect("add"), n);
    }
    assert_eq!(s.add_failure("k", Timestamp(60), Timestamp(120)).await.expect("add"), 1);
    assert_eq!(
        s.add_failure("other", Timestamp(0), Timestamp(60)).await.expect("add"),
        1
    );
    assert_eq!(s.failures("k", Timestamp(0)).await.expect("get"), 3);
    // Windows that ended are deleted; the running one stays.
    assert_eq!(s.prune_failures(Timestamp(59)).await.expect("prune"), 0);
    assert_eq!(s.prune_failures(Timestamp(60)).await.expect("prune"), 2);
    assert_eq!(s.failures("k", Timestamp(0)).await.expect("get"), 0);
    assert_eq!(s.failures("k", Timestamp(60)).await.expect("get"), 1);
    db.drop_it().await;
}

async fn job_leases(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    assert!(s.take_lease("prune", Timestamp(0), Timestamp(10)).await.expect("take"));
    // Held until 10: nobody else gets it before then.
    assert!(!s.take_lease("prune", Timestamp(5), Timestamp(15)).await.expect("take"));
    assert!(s.take_lease("other", Timestamp(5), Timestamp(15)).await.expect("take"));
    assert!(s.take_lease("prune", Timestamp(10), Timestamp(20)).await.expect("take"));
    assert!(!s.take_lease("prune", Timestamp(19), Timestamp(29)).await.expect("take"));
    // Racing takers: exactly one wins.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.take_lease("prune", Timestamp(20), Timestamp(30)).await.expect("take")
        }));
    }
    let mut won = 0;
    for t in tasks {
        won += usize::from(t.await.expect("join"));
    }
    assert_eq!(won, 1);
    db.drop_it().await;
}

on_both_backends!(
    games,
    signing_keys,
    player_session_lifecycle,
    stale_plans_report_a_race,
    a_ban_between_read_and_write_is_a_race,
    concurrent_first_opens,
    concurrent_writes_fail_alone,
    mixed_writes_fail_alone,
    failure_counts,
    refresh_grace,
    a_sessions_events_are_found_by_its_subject,
    job_leases
);
