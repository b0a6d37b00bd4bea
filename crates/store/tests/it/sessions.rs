//! The store contract: the same suite against SQLite (always) and PostgreSQL (when
//! `PLAYGATE_TEST_POSTGRES_URL` is set), each test on its own fresh database.

use playgate_core::clock::Timestamp;
use playgate_core::crypto::{MasterKey, SecretHash};
use playgate_core::game::NewGameRecord;
use playgate_core::ids::{GameId, SessionId, UserId};
use playgate_core::player::{Player, ProfilePatch};
use playgate_core::session::{IssuedTokens, Session};
use playgate_core::store::{EndOutcome, OpenOutcome, OpenPlayerSession, RefreshSwap, Store};
use playgate_core::token::SigningKeyRecord;
use playgate_core::wallet;
use playgate_core::{ConstraintKind, Error};
use playgate_store::SqlStore;
use playgate_store::on_both_backends;
use playgate_store::testing::{Backend, open_store};

const SEC: i64 = 1_000_000_000;

fn game_rec(client_id: &str) -> NewGameRecord {
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

fn mint(_: &Player, s: &Session, new: bool) -> playgate_core::Result<IssuedTokens> {
    let refresh = format!("refresh-{}-{new}-{}", s.id, uuid::Uuid::new_v4());
    Ok(IssuedTokens {
        access_token: "access".into(),
        refresh_hash: SecretHash::of(&refresh),
        refresh_token: refresh,
        access_expires_at: Timestamp(0),
    })
}

fn open_cmd(game: GameId, user: &str, now: i64) -> OpenPlayerSession {
    OpenPlayerSession {
        game_id: game,
        user_id: UserId::parse(user).expect("user id"),
        patch: ProfilePatch::default(),
        wallet: None,
        now: Timestamp(now),
        new_session_id: SessionId::new(),
        expires_at: Timestamp(now + 100 * SEC),
        ip: Some("127.0.0.1".into()),
    }
}

async fn open(s: &SqlStore, cmd: &mut OpenPlayerSession) -> (Player, Session, bool, IssuedTokens) {
    let master = MasterKey::generate().0;
    loop {
        match s
            .open_player_session(cmd, std::sync::Arc::new(mint))
            .await
            .expect("open")
        {
            OpenOutcome::NeedsWallet => cmd.wallet = Some(wallet::generate(&master).expect("wallet")),
            OpenOutcome::Opened(o) => return (o.player, o.session, o.is_new_user, o.tokens),
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
        Err(Error::Constraint { kind: ConstraintKind::Unique, ref name }) if name == "games_client_id_key"
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

async fn player_session_lifecycle(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    let g = s.insert_game(game_rec("1000000002")).await.expect("game");
    // Unknown player without a wallet: nothing written, asks for a wallet.
    let mut cmd = open_cmd(g.id, "u1", 10 * SEC);
    assert!(matches!(
        s.open_player_session(&cmd, std::sync::Arc::new(mint))
            .await
            .expect("open"),
        OpenOutcome::NeedsWallet
    ));
    cmd.patch.name = Some("Ann".into());
    cmd.patch.level = Some(3);
    let (p, s1, new, t1) = open(&s, &mut cmd).await;
    assert!(new);
    assert_eq!((p.profile.name.as_str(), p.profile.level), ("Ann", 3));
    assert_eq!(
        s.session(s1.id).await.expect("get").map(|x| x.started_at),
        Some(Timestamp(10 * SEC))
    );
    // Retrieve while live: same session, patch merged, refresh hash replaced.
    let mut cmd2 = open_cmd(g.id, "u1", 20 * SEC);
    cmd2.patch.email = Some("a@b.c".into());
    let (p2, s2, new2, t2) = open(&s, &mut cmd2).await;
    assert!(!new2);
    assert_eq!(s2.id, s1.id);
    assert_eq!(s2.started_at, Timestamp(10 * SEC));
    assert_eq!((p2.profile.name.as_str(), p2.profile.email.as_str()), ("Ann", "a@b.c"));
    assert_eq!(
        s.player(p.id).await.expect("player").map(|p| p.profile.email),
        Some("a@b.c".into())
    );
    let next = SecretHash::of("next");
    // The superseded hash no longer swaps; the current one does, once.
    assert!(
        !swap(
            &s,
            s1.id,
            &t1.refresh_hash,
            &next,
            Timestamp(21 * SEC),
            Timestamp(200 * SEC)
        )
        .await
    );
    assert!(
        swap(
            &s,
            s1.id,
            &t2.refresh_hash,
            &next,
            Timestamp(21 * SEC),
            Timestamp(200 * SEC)
        )
        .await
    );
    assert!(
        !swap(
            &s,
            s1.id,
            &t2.refresh_hash,
            &next,
            Timestamp(22 * SEC),
            Timestamp(200 * SEC)
        )
        .await
    );
    assert_eq!(
        s.session(s1.id).await.expect("get").map(|x| x.expires_at),
        Some(Timestamp(200 * SEC))
    );
    // Ending: once, then already ended; other games and unknown ids are not found.
    assert_eq!(
        s.end_session(s1.id, GameId(999), Timestamp(23 * SEC))
            .await
            .expect("end"),
        EndOutcome::NotFound
    );
    assert_eq!(
        s.end_session(s1.id, g.id, Timestamp(23 * SEC)).await.expect("end"),
        EndOutcome::Ended
    );
    assert_eq!(
        s.end_session(s1.id, g.id, Timestamp(24 * SEC)).await.expect("end"),
        EndOutcome::AlreadyEnded
    );
    assert_eq!(
        s.end_session(SessionId::new(), g.id, Timestamp(24 * SEC))
            .await
            .expect("end"),
        EndOutcome::NotFound
    );
    assert!(
        !swap(
            &s,
            s1.id,
            &next,
            &t1.refresh_hash,
            Timestamp(25 * SEC),
            Timestamp(200 * SEC)
        )
        .await
    );
    // After the end a new session starts.
    let (_, s3, new3, _) = open(&s, &mut open_cmd(g.id, "u1", 30 * SEC)).await;
    assert!(!new3);
    assert_ne!(s3.id, s1.id);
    // An expired session is replaced too.
    let (_, s4, _, _) = open(&s, &mut open_cmd(g.id, "u1", 1000 * SEC)).await;
    assert_ne!(s4.id, s3.id);
    assert_eq!(
        s.session(s3.id).await.expect("get").map(|x| x.ended_at),
        Some(Some(Timestamp(1000 * SEC)))
    );
    db.drop_it().await;
}

async fn concurrent_first_opens(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    let g = s.insert_game(game_rec("1000000003")).await.expect("game");
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let (p, sess, new, _) = open(&s, &mut open_cmd(g.id, "racer", 10 * SEC)).await;
            (p.id, sess.id, new)
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
/// same rounds of group commits): a create-or-retrieve whose token minting fails after
/// the player row was inserted leaves no player behind, and every other write lands.
async fn mixed_writes_fail_alone(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    let game = s.insert_game(game_rec("4000000000")).await.expect("game").id;
    let master = MasterKey::generate().0;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let store = s.clone();
        let mut cmd = open_cmd(game, &format!("u{i}"), 2 * SEC);
        cmd.wallet = Some(wallet::generate(&master).expect("wallet"));
        tasks.push(tokio::spawn(async move {
            let s = store;
            if i % 2 == 0 {
                return s.open_player_session(&cmd, std::sync::Arc::new(mint)).await.map(drop);
            }
            let failing = |_: &Player, _: &Session, _: bool| -> playgate_core::Result<IssuedTokens> {
                Err(Error::internal("minting failed"))
            };
            s.open_player_session(&cmd, std::sync::Arc::new(failing))
                .await
                .map(drop)
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
        let out = s
            .open_player_session(&open_cmd(game, &format!("u{i}"), 3 * SEC), std::sync::Arc::new(mint))
            .await
            .expect("retrieve");
        match out {
            OpenOutcome::Opened(o) => assert!(i % 2 == 0 && !o.is_new_user, "u{i} exists"),
            OpenOutcome::NeedsWallet => assert!(i % 2 == 1, "u{i} was rolled back"),
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
    let swap = RefreshSwap {
        id,
        presented,
        next,
        now,
        expires_at,
        grace_since: now,
    };
    s.swap_refresh(&swap).await.expect("swap")
}

async fn refresh_grace(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    let g = s.insert_game(game_rec("1000000009")).await.expect("game");
    let (_, s1, _, t0) = open(&s, &mut open_cmd(g.id, "u1", 10 * SEC)).await;
    let (h1, h2, h3, h4) = (
        SecretHash::of("r1"),
        SecretHash::of("r2"),
        SecretHash::of("r3"),
        SecretHash::of("r4"),
    );
    let at = |id, presented, next, now: i64, grace_since: i64| RefreshSwap {
        id,
        presented,
        next,
        now: Timestamp(now * SEC),
        expires_at: Timestamp(500 * SEC),
        grace_since: Timestamp(grace_since * SEC),
    };
    // Rotation at 20 s: t0 becomes the previous hash, replaced at 20 s.
    assert!(
        s.swap_refresh(&at(s1.id, &t0.refresh_hash, &h1, 20, 10))
            .await
            .expect("swap")
    );
    // The previous hash swaps again while its replacement time is after grace_since ...
    assert!(
        s.swap_refresh(&at(s1.id, &t0.refresh_hash, &h2, 25, 19))
            .await
            .expect("swap")
    );
    // ... and again (a retry does not move the replacement time) ...
    assert!(
        s.swap_refresh(&at(s1.id, &t0.refresh_hash, &h3, 29, 19))
            .await
            .expect("swap")
    );
    // ... but not once the grace period is over (replaced at 20 s, not after 20 s).
    assert!(
        !s.swap_refresh(&at(s1.id, &t0.refresh_hash, &h4, 30, 20))
            .await
            .expect("swap")
    );
    // A superseded grace answer is neither current nor previous.
    assert!(!s.swap_refresh(&at(s1.id, &h2, &h4, 30, 0)).await.expect("swap"));
    assert!(!s.swap_refresh(&at(s1.id, &h1, &h4, 30, 0)).await.expect("swap"));
    // The current one rotates: h3 becomes the previous, and t0 is no longer.
    assert!(s.swap_refresh(&at(s1.id, &h3, &h4, 40, 30)).await.expect("swap"));
    assert!(
        !s.swap_refresh(&at(s1.id, &t0.refresh_hash, &h1, 41, 0))
            .await
            .expect("swap")
    );
    assert!(s.swap_refresh(&at(s1.id, &h3, &h1, 41, 39)).await.expect("swap"));
    // An ended session swaps nothing, even within the grace period.
    s.end_session(s1.id, g.id, Timestamp(42 * SEC)).await.expect("end");
    assert!(!s.swap_refresh(&at(s1.id, &h3, &h2, 43, 0)).await.expect("swap"));
    assert!(!s.swap_refresh(&at(s1.id, &h1, &h2, 43, 0)).await.expect("swap"));
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
    concurrent_first_opens,
    concurrent_writes_fail_alone,
    mixed_writes_fail_alone,
    failure_counts,
    refresh_grace,
    job_leases
);
