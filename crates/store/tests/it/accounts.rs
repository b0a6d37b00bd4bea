//! The `AccountStore` contract on SQLite (always) and PostgreSQL (when
//! `PLAYGATE_TEST_POSTGRES_URL` is set): accounts, TOTP replay and recovery codes, API
//! keys, one login per key, OTP failure counting, and link codes filling `Player.linked`.

use playgate_core::account::{
    AccessLevel, AccountDetails, AccountId, AccountInfo, AccountProfile, AccountType, ApiKeyId, BillingDetails,
    Language, Login, NewAccountRecord, NewApiKeyRecord, NewLogin, PostalAddress, parse_net,
};
use playgate_core::account_store::{AccountStore, Redeem, StartLogin};
use playgate_core::audit::{Actor, NewAuditEvent};
use playgate_core::clock::{SystemClock, Timestamp};
use playgate_core::crypto::{MasterKey, SecretHash};
use playgate_core::game::{ClientCredentials, Game, GameStore as _, NewGameRecord};
use playgate_core::games::CredentialKind;
use playgate_core::ids::{GameId, PlayerId, SessionId, UserId};
use playgate_core::player::Profile;
use playgate_core::session::{
    Applied, ClientWith, NewPlayerRecord, NewSessionRecord, OpenPlan, SessionPlan, SessionState, SessionStore as _,
    Sessions,
};
use playgate_core::wallet;
use playgate_core::{ConstraintKind, Error};
use playgate_store::on_both_backends;
use playgate_store::testing::{Backend, TestDatabase, open_store};
use playgate_store::{SqlStore, StoreOptions};

const SEC: i64 = 1_000_000_000;

fn account_rec(name: &str) -> NewAccountRecord {
    NewAccountRecord {
        public_id: uuid::Uuid::new_v4().to_string(),
        user_name: name.into(),
        name_key: name.to_lowercase(),
        info: AccountInfo {
            profile: AccountProfile {
                email: format!("{name}@example.com"),
                phone: "+1 555".into(),
                ..AccountProfile::default()
            },
            ..AccountInfo::default()
        },
        access_level: AccessLevel::Regular,
        trial_expires_at: Some(Timestamp(7 * SEC)),
        password_hash: "$argon2id$fake".into(),
        wallet: wallet::generate(&MasterKey::generate().0).expect("wallet"),
        created_at: Timestamp(SEC),
    }
}

fn login(key: ApiKeyId, account: AccountId, state: SessionState, expires: i64) -> Login {
    Login {
        id: SessionId::new(),
        api_key_id: key,
        account_id: account,
        state,
        started_at: Timestamp(SEC),
        expires_at: Timestamp(expires),
        remember_me: false,
        otp_failures: 0,
        ip: Some("127.0.0.1".into()),
        country: String::new(),
    }
}

/// An audit event for the writes that record one.
fn ev() -> NewAuditEvent {
    NewAuditEvent::new("test", Actor::System)
}

/// Creates player `user` of `game` with a first session; its id.
async fn create_player(s: &SqlStore, game: GameId, user: &UserId) -> PlayerId {
    let plan = OpenPlan {
        game_id: game,
        now: Timestamp(SEC),
        expires_at: Timestamp(1000 * SEC),
        refresh_hash: SecretHash::of("r"),
        audit: NewAuditEvent::new("test", Actor::System),
        plan: SessionPlan::Create {
            player: NewPlayerRecord {
                user_id: user.clone(),
                profile: Profile::default(),
                wallet: wallet::generate(&MasterKey::generate().0).expect("wallet"),
            },
            session: NewSessionRecord {
                id: SessionId::new(),
                ip: None,
            },
        },
    };
    match s.apply_open_plan(plan).await.expect("open") {
        Applied::Done(id) => id,
        Applied::Raced => panic!("raced"),
    }
}

async fn accounts_and_totp(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    let a = s.insert_account(&account_rec("Ann")).await.expect("insert");
    assert!(matches!(
        s.insert_account(&account_rec("ANN")).await,
        Err(Error::Constraint { kind: ConstraintKind::Unique, ref name }) if name == "accounts_name_key_key"
    ));
    let got = s.account_by_name_key("ann").await.expect("get").expect("some");
    assert_eq!((got.id, got.user_name.as_str()), (a.id, "Ann"));
    assert_eq!(got.trial_expires_at, Some(Timestamp(7 * SEC)));
    assert!(s.account_by_id(AccountId(999)).await.expect("get").is_none());

    s.set_totp_pending(a.id, Some(&[1, 2, 3])).await.expect("pending");
    let got = s.account_by_id(a.id).await.expect("get").expect("some");
    assert_eq!(got.totp_pending.as_deref(), Some(&[1u8, 2, 3][..]));
    let codes = [SecretHash::of("c1"), SecretHash::of("c2")];
    s.enable_totp(a.id, &[9, 9], &codes, &ev(), Timestamp(SEC))
        .await
        .expect("enable");
    let got = s.account_by_id(a.id).await.expect("get").expect("some");
    assert!(got.totp_enabled && got.totp_pending.is_none());
    assert_eq!(got.totp_secret.as_deref(), Some(&[9u8, 9][..]));
    // Steps only move forward: a step once claimed, or an earlier one, is refused.
    assert!(s.claim_totp_step(a.id, 100).await.expect("claim"));
    assert!(!s.claim_totp_step(a.id, 100).await.expect("claim"));
    assert!(!s.claim_totp_step(a.id, 99).await.expect("claim"));
    assert!(s.claim_totp_step(a.id, 101).await.expect("claim"));
    // Recovery codes: once each.
    assert!(s.use_recovery_code(a.id, &codes[0], Timestamp(SEC)).await.expect("use"));
    assert!(!s.use_recovery_code(a.id, &codes[0], Timestamp(SEC)).await.expect("use"));
    assert!(
        !s.use_recovery_code(AccountId(999), &codes[1], Timestamp(SEC))
            .await
            .expect("use")
    );
    s.disable_totp(a.id).await.expect("disable");
    let got = s.account_by_id(a.id).await.expect("get").expect("some");
    assert!(!got.totp_enabled && got.totp_secret.is_none());
    assert!(!s.use_recovery_code(a.id, &codes[1], Timestamp(SEC)).await.expect("use"));
    db.drop_it().await;
}

/// API keys stored once, read by hash; a waiting login ended by five OTP failures; one
/// login per key until it lapses.
async fn api_keys_and_logins(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    let a = s.insert_account(&account_rec("ann")).await.expect("account");
    let k = an_api_key_stored_once(&s).await;
    five_otp_failures_end_a_waiting_login(&s, k, a.id).await;
    one_login_per_key_until_it_lapses(&s, k, a.id).await;
    db.drop_it().await;
}

/// A key with an allowlist and an expiry; its hash is unique; read back by hash. Its id.
async fn an_api_key_stored_once(s: &SqlStore) -> ApiKeyId {
    let rec = NewApiKeyRecord {
        hash: SecretHash::of("k"),
        label: "ci".into(),
        allowed: vec![parse_net("10.0.0.0/8").expect("net"), parse_net("::1").expect("net")],
        expires_at: Some(Timestamp(99 * SEC)),
        created_at: Timestamp(SEC),
    };
    let k = s.insert_api_key(&rec).await.expect("key");
    assert!(matches!(
        s.insert_api_key(&rec).await,
        Err(Error::Constraint { kind: ConstraintKind::Unique, ref name }) if name == "api_keys_key_hash_key"
    ));
    let got = s
        .api_key_by_hash(&SecretHash::of("k"))
        .await
        .expect("get")
        .expect("some");
    assert_eq!(got.allowed, rec.allowed);
    assert_eq!(got.expires_at, Some(Timestamp(99 * SEC)));
    assert!(s.api_key_by_hash(&SecretHash::of("x")).await.expect("get").is_none());
    k.id
}

/// A waiting login; five failures end it, and it can no longer be activated.
async fn five_otp_failures_end_a_waiting_login(s: &SqlStore, k: ApiKeyId, a: AccountId) {
    let l1 = login(k, a, SessionState::PendingOtp, 10 * SEC);
    let now = Timestamp(2 * SEC);
    assert!(matches!(
        s.start_login(&NewLogin {
            login: l1.clone(),
            now,
            audit: vec![ev()]
        })
        .await
        .expect("start"),
        StartLogin::Started(_)
    ));
    assert_eq!(s.current_login(k).await.expect("cur").map(|l| l.id), Some(l1.id));
    for n in 1..=4 {
        assert_eq!(s.add_otp_failure(l1.id, 5, now).await.expect("fail"), n);
    }
    assert_eq!(s.add_otp_failure(l1.id, 5, now).await.expect("fail"), 5);
    assert!(s.current_login(k).await.expect("cur").is_none());
    assert!(
        !s.activate_login(l1.id, now, Timestamp(50 * SEC), &ev())
            .await
            .expect("activate")
    );
}

/// A waiting login completes (once); then the key is logged in and refuses another login;
/// once it has lapsed, a new login replaces it, and ends once.
async fn one_login_per_key_until_it_lapses(s: &SqlStore, k: ApiKeyId, a: AccountId) {
    let now = Timestamp(2 * SEC);
    let l2 = login(k, a, SessionState::PendingOtp, 10 * SEC);
    s.start_login(&NewLogin {
        login: l2.clone(),
        now,
        audit: vec![],
    })
    .await
    .expect("start");
    assert!(
        s.activate_login(l2.id, now, Timestamp(50 * SEC), &ev())
            .await
            .expect("activate")
    );
    assert!(
        !s.activate_login(l2.id, now, Timestamp(50 * SEC), &ev())
            .await
            .expect("again")
    );
    let cur = s.current_login(k).await.expect("cur").expect("some");
    assert_eq!((cur.state, cur.expires_at), (SessionState::Active, Timestamp(50 * SEC)));
    let l3 = login(k, a, SessionState::Active, 60 * SEC);
    assert!(matches!(
        s.start_login(&NewLogin {
            login: l3.clone(),
            now,
            audit: vec![]
        })
        .await
        .expect("start"),
        StartLogin::AlreadyLoggedIn
    ));
    let later = Timestamp(51 * SEC);
    assert!(matches!(
        s.start_login(&NewLogin {
            login: l3.clone(),
            now: later,
            audit: vec![]
        })
        .await
        .expect("start"),
        StartLogin::Started(_)
    ));
    assert_eq!(s.current_login(k).await.expect("cur").map(|l| l.id), Some(l3.id));
    assert!(s.end_login(l3.id, later).await.expect("end"));
    assert!(!s.end_login(l3.id, later).await.expect("end"));
    assert!(s.current_login(k).await.expect("cur").is_none());
}

async fn link_codes_fill_player_links(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    let g = s
        .insert_game(NewGameRecord {
            name: "G".into(),
            description: String::new(),
            client_id: "1000000009".into(),
            client_name: "G".into(),
            secret_hash: SecretHash::of("s"),
            created_at: Timestamp(SEC),
            gamefuse_token: "gft_1000000009".into(),
        })
        .await
        .expect("game");
    let user = UserId::parse("p1").expect("user");
    let player = create_player(&s, g.id, &user).await;
    let read = async || s.player_with_session(g.id, &user).await.expect("read").expect("player");
    assert!(read().await.player.linked.is_none());
    let ann = s.insert_account(&account_rec("ann")).await.expect("account");
    let bob = s.insert_account(&account_rec("bob")).await.expect("account");

    let redeem = async |code: &str, account, at: i64| {
        s.redeem_link_code(&SecretHash::of(code), account, Timestamp(at * SEC))
            .await
            .expect("redeem")
    };
    let missing = UserId::parse("nobody").expect("user");
    assert!(matches!(
        s.insert_link_code(
            g.id,
            &missing,
            &SecretHash::of("c0"),
            Timestamp(SEC),
            Timestamp(10 * SEC)
        )
        .await,
        Err(Error::NotFound(_))
    ));
    s.insert_link_code(g.id, &user, &SecretHash::of("c1"), Timestamp(SEC), Timestamp(10 * SEC))
        .await
        .expect("code");
    s.insert_link_code(g.id, &user, &SecretHash::of("c2"), Timestamp(SEC), Timestamp(10 * SEC))
        .await
        .expect("code");
    assert_eq!(redeem("nope", ann.id, 2).await, Redeem::Invalid);
    assert_eq!(
        redeem("c1", ann.id, 2).await,
        Redeem::Linked {
            game_id: g.id,
            user_id: "p1".into()
        }
    );
    assert_eq!(redeem("c1", ann.id, 2).await, Redeem::Invalid);
    // Another account: refused, and the code stays unused.
    assert_eq!(redeem("c2", bob.id, 2).await, Redeem::LinkedElsewhere);
    // Expired.
    assert_eq!(redeem("c2", ann.id, 10).await, Redeem::Invalid);
    let p = s.player(player).await.expect("player").expect("some");
    let linked = p.linked.expect("linked");
    assert_eq!(linked.public_id, ann.public_id);
    assert_eq!(linked.wallet_address, ann.wallet_address);
    assert_eq!(linked.phone, "+1 555");
    // Create-or-retrieve's read sees the link too.
    assert_eq!(read().await.player.linked.map(|l| l.public_id), Some(ann.public_id));
    db.drop_it().await;
}

/// An account's details and billing details: stored whole, read back the same, replaced
/// in one statement; an unknown account is `None`.
async fn account_info_round_trip(b: Backend) {
    let Some((s, db)) = open_store(b).await else { return };
    let a = s.insert_account(&account_rec("ann")).await.expect("account");
    assert_eq!(a.details, AccountDetails::default());
    assert_eq!(a.billing, BillingDetails::default());
    let mut info = a.info();
    info.email_validated = true;
    info.profile.company_name = "Ann BV".into();
    info.details = AccountDetails {
        account_type: AccountType::Business,
        vat_number: "NL1".into(),
        coc_number: "2".into(),
        address: PostalAddress {
            street: "Coolsingel".into(),
            street_number: "40".into(),
            zip_code: "3011 AD".into(),
            city: "Rotterdam".into(),
            country_code: "NL".into(),
        },
        phone_mobile: "+31 6".into(),
        abuse_email: "abuse@example.nl".into(),
        language: Language::Dutch,
        newsletter: Some(false),
        agreed_terms: Some(true),
        agreed_aup: None,
        agreed_dpa: Some(true),
    };
    info.billing = BillingDetails {
        first_name: "B".into(),
        last_name: "C".into(),
        address: PostalAddress {
            city: "Den Haag".into(),
            ..PostalAddress::default()
        },
        phone: "1".into(),
        phone_mobile: "2".into(),
        email: "bill@example.nl".into(),
        bundle_invoices: true,
        payment_confirmations_by_email: true,
        preferred_payment_method: 7,
    };
    let got = s
        .update_account_info(a.id, &info, Timestamp(2 * SEC))
        .await
        .expect("update")
        .expect("some");
    assert_eq!(got.info(), info);
    let again = s.account_by_id(a.id).await.expect("get").expect("some");
    assert_eq!(again.info(), info);
    assert_eq!(
        (again.user_name.as_str(), again.password_hash.as_str()),
        ("ann", "$argon2id$fake")
    );
    assert!(
        s.update_account_info(AccountId(999), &info, Timestamp(2 * SEC))
            .await
            .expect("update")
            .is_none()
    );
    db.drop_it().await;
}

/// Builds a SQLite database the way sqlx's migrator did before Playgate ran its own: the
/// given migration files applied, each recorded in `_sqlx_migrations` with its SHA-384.
pub(crate) fn sqlx_made_sqlite(path: &std::path::Path, files: &[std::path::PathBuf]) {
    use sha2::Digest as _;
    let conn = rusqlite::Connection::open(path).expect("create");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS _sqlx_migrations ( \
         version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
         installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, \
         checksum BLOB NOT NULL, execution_time BIGINT NOT NULL)",
    )
    .expect("table");
    for file in files {
        let sql = std::fs::read_to_string(file).expect("read");
        let name = file.file_stem().expect("name").to_string_lossy().into_owned();
        let (version, description) = name.split_once('_').expect("NNNN_description");
        if sql.starts_with("-- no-transaction") {
            conn.execute_batch(&sql).expect("apply");
        } else {
            conn.execute_batch(&format!("BEGIN; {sql}; COMMIT;")).expect("apply");
        }
        conn.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (?1, ?2, TRUE, ?3, 1000)",
            rusqlite::params![
                version.parse::<i64>().expect("version"),
                description.replace('_', " "),
                sha2::Sha384::digest(sql.as_bytes()).to_vec()
            ],
        )
        .expect("record");
    }
}

/// Builds a PostgreSQL schema the way sqlx's migrator did before Playgate ran its own: its
/// `_sqlx_migrations` table as sqlx created it, the given migration files applied, each
/// recorded with its SHA-384 (the execution time updated afterwards, as sqlx did).
pub(crate) async fn sqlx_made_postgres(client: &mut tokio_postgres::Client, files: &[std::path::PathBuf]) {
    use sha2::Digest as _;
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS _sqlx_migrations ( \
             version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
             installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, \
             checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)",
        )
        .await
        .expect("table");
    for file in files {
        let sql = std::fs::read_to_string(file).expect("read");
        let name = file.file_stem().expect("name").to_string_lossy().into_owned();
        let (version, description) = name.split_once('_').expect("NNNN_description");
        let version: i64 = version.parse().expect("version");
        let tx = client.transaction().await.expect("begin");
        tx.batch_execute(&sql).await.expect("apply");
        tx.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES ($1, $2, TRUE, $3, -1)",
            &[
                &version,
                &description.replace('_', " "),
                &sha2::Sha384::digest(sql.as_bytes()).to_vec(),
            ],
        )
        .await
        .expect("record");
        tx.commit().await.expect("commit");
        client
            .execute(
                "UPDATE _sqlx_migrations SET execution_time = 1000 WHERE version = $1",
                &[&version],
            )
            .await
            .expect("time");
    }
}

/// A database made by the migrations before the account details, with accounts in it,
/// upgrades in place: a company name makes a business account, a Dutch language 1,
/// everything else the defaults. The database is the one sqlx's migrator made (its
/// `_sqlx_migrations` table), upgraded by the store's own runner.
async fn details_migration_upgrades_in_place(b: Backend) {
    let Some(db) = TestDatabase::new(b).await else { return };
    let backend = if b == Backend::Sqlite { "sqlite" } else { "postgres" };
    let files = migration_files_before(backend, "0007");
    let insert = |blob: &str| {
        format!(
            "INSERT INTO accounts (public_id, user_name, name_key, email, company_name, language, \
             access_level, email_validated, password_hash, wallet_address, wallet_key, created_at, updated_at) \
             VALUES ('p1', 'Ann', 'ann', 'ann@example.nl', 'Ann BV', ' NL ', 10, TRUE, 'h', '0x1', {blob}, 1, 1), \
                    ('p2', 'bob', 'bob', 'bob@example.com', '', 'fr', 10, FALSE, 'h', '0x2', {blob}, 1, 1)"
        )
    };
    if b == Backend::Sqlite {
        let path = db.dir.join("playgate.db");
        sqlx_made_sqlite(&path, &files);
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(&insert("X'00'")).expect("insert");
    } else {
        let mut c = playgate_store::testing::pg_connect(&db.url).await.expect("connect");
        sqlx_made_postgres(&mut c, &files).await;
        c.batch_execute(&insert("'\\x00'::bytea")).await.expect("insert");
    }
    let s = SqlStore::open(&StoreOptions::new(db.url.clone()))
        .await
        .expect("upgrade");
    let ann = s.account_by_name_key("ann").await.expect("get").expect("ann");
    assert_eq!(ann.details.account_type, AccountType::Business);
    assert_eq!(ann.details.language, Language::Dutch);
    assert_eq!(ann.profile.company_name, "Ann BV");
    assert!(ann.email_validated);
    assert_eq!(ann.billing, BillingDetails::default());
    let bob = s.account_by_name_key("bob").await.expect("get").expect("bob");
    assert_eq!(bob.details, AccountDetails::default());
    s.close().await;
    // Opening again applies nothing: every version is recorded once.
    let s = SqlStore::open(&StoreOptions::new(db.url.clone())).await.expect("again");
    s.close().await;
    let recorded = if b == Backend::Sqlite {
        let conn = rusqlite::Connection::open(db.dir.join("playgate.db")).expect("open");
        conn.query_row(
            "SELECT COUNT(*), COUNT(DISTINCT version), SUM(success) FROM _sqlx_migrations",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("count")
    } else {
        let c = playgate_store::testing::pg_connect(&db.url).await.expect("connect");
        let r = c
            .query_one(
                "SELECT COUNT(*), COUNT(DISTINCT version), SUM(success::int)::bigint FROM _sqlx_migrations",
                &[],
            )
            .await
            .expect("count");
        (r.get(0), r.get(1), r.get(2))
    };
    let all = migration_files(backend).len() as i64;
    assert_eq!(recorded, (all, all, all));
    db.drop_it().await;
}

/// The migration files of `backend`, in order.
pub(crate) fn migration_files(backend: &str) -> Vec<std::path::PathBuf> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut files: Vec<_> = std::fs::read_dir(&src)
        .expect("migrations")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
}

/// The migration files of `backend` before `version`, in order.
pub(crate) fn migration_files_before(backend: &str, version: &str) -> Vec<std::path::PathBuf> {
    migration_files(backend)
        .into_iter()
        .filter(|p| p.file_name().expect("name").to_string_lossy().as_ref() < version)
        .collect()
}

/// A database made by the migrations before the credentials table, with games in it
/// (one deleted, one disabled, one with a player), upgrades in place: the KGeN client id
/// and secret and the GameFuse game id and token still authenticate through the core, the
/// rotations write the credentials rows, and ids of deleted games are not handed out again.
async fn credentials_migration_upgrades_in_place(b: Backend) {
    use playgate_core::gamefuse::{Gamefuse, GamefuseSettings};
    let Some(db) = TestDatabase::new(b).await else { return };
    games_made_before_the_credentials_table(b, &db).await;
    let s = std::sync::Arc::new(
        SqlStore::open(&StoreOptions::new(db.url.clone()))
            .await
            .expect("upgrade"),
    );
    let (core, sessions) = playgate_store::testing::core(s.clone()).await.expect("core");
    let gamefuse = Gamefuse::new(core.clone(), s.clone(), GamefuseSettings::default());
    kgen_credentials_authenticate_after_the_upgrade(&sessions).await;
    gamefuse_credentials_authenticate_after_the_upgrade(&gamefuse, &s).await;
    rotations_write_the_credentials_rows(&s, &core, &sessions, &gamefuse).await;
    // A new game gets the next id, not the deleted one's.
    let new = s
        .insert_game(NewGameRecord {
            name: "Four".into(),
            description: String::new(),
            client_id: "1000000004".into(),
            client_name: "FOUR".into(),
            secret_hash: SecretHash::of("s4"),
            created_at: Timestamp(8),
            gamefuse_token: "gft_four".into(),
        })
        .await
        .expect("insert");
    assert_eq!(new.id, GameId(4));
    if b == Backend::Sqlite {
        let conn = rusqlite::Connection::open(db.dir.join("playgate.db")).expect("open");
        let broken: i64 = conn
            .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
            .expect("check");
        assert_eq!(broken, 0);
    }
    s.close().await;
    db.drop_it().await;
}

/// The database as sqlx's migrator made it before migration 0008, with games One
/// (secret-one), Two (disabled) and Three (deleted), and a player of One.
async fn games_made_before_the_credentials_table(b: Backend, db: &TestDatabase) {
    let backend = if b == Backend::Sqlite { "sqlite" } else { "postgres" };
    let files = migration_files_before(backend, "0008");
    let games = format!(
        "INSERT INTO games (id, name, description, client_id, client_name, secret_hash, enabled, created_at, gamefuse_token) \
         VALUES (1, 'One', 'd', '1000000001', 'ONE', '{one}', TRUE, 5, 'gft_one'), \
                (2, 'Two', '', '1000000002', 'TWO', '{two}', FALSE, 6, 'gft_two'), \
                (3, 'Three', '', '1000000003', 'THREE', '{two}', TRUE, 7, 'gft_three'); \
         DELETE FROM games WHERE id = 3;",
        one = SecretHash::of("secret-one").0,
        two = SecretHash::of("secret-two").0,
    );
    let player = |blob: &str| {
        format!(
            "INSERT INTO players (game_id, user_id, wallet_address, wallet_key, created_at, updated_at) \
             VALUES (1, 'u1', '0x1', {blob}, 1, 1)"
        )
    };
    if b == Backend::Sqlite {
        let path = db.dir.join("playgate.db");
        sqlx_made_sqlite(&path, &files);
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(&games).expect("games");
        conn.execute_batch(&player("X'00'")).expect("player");
    } else {
        let mut c = playgate_store::testing::pg_connect(&db.url).await.expect("connect");
        sqlx_made_postgres(&mut c, &files).await;
        // Rows inserted with explicit ids, as a restore would: move the identity past them.
        c.batch_execute(&games).await.expect("games");
        c.batch_execute("SELECT setval(pg_get_serial_sequence('games', 'id'), 3)")
            .await
            .expect("identity");
        c.batch_execute(&player("'\\x00'::bytea")).await.expect("player");
    }
}

/// One's client id and secret authenticate (its columns as they were); a wrong secret, the
/// disabled Two and the deleted Three do not.
async fn kgen_credentials_authenticate_after_the_upgrade(sessions: &Sessions) {
    let one = authenticate_client(sessions, "1000000001", "secret-one")
        .await
        .expect("KGeN credentials");
    assert_eq!(
        (
            one.id,
            one.name.as_str(),
            one.description.as_str(),
            one.client_name.as_str()
        ),
        (GameId(1), "One", "d", "ONE")
    );
    assert_eq!((one.created_at, one.gamefuse_token.as_str()), (Timestamp(5), "gft_one"));
    assert!(matches!(
        authenticate_client(sessions, "1000000001", "secret-two").await,
        Err(Error::Unauthorized(_))
    ));
    // Disabled, as before the upgrade.
    assert!(authenticate_client(sessions, "1000000002", "secret-two").await.is_err());
    assert!(authenticate_client(sessions, "1000000003", "secret-two").await.is_err());
}

/// One's GameFuse id and token authenticate, Two's and Three's do not; Two is read back
/// disabled with its credentials, Three is gone, One's player is still there.
async fn gamefuse_credentials_authenticate_after_the_upgrade(
    gamefuse: &playgate_core::gamefuse::Gamefuse,
    s: &SqlStore,
) {
    assert_eq!(
        gamefuse
            .authenticate_game(1, "gft_one")
            .await
            .expect("GameFuse credentials")
            .id,
        GameId(1)
    );
    assert!(gamefuse.authenticate_game(1, "gft_two").await.is_err());
    assert!(gamefuse.authenticate_game(3, "gft_three").await.is_err());
    let two = s.game_by_id(GameId(2)).await.expect("get").expect("two");
    assert_eq!(
        (two.client_id.as_str(), two.gamefuse_token.as_str()),
        ("1000000002", "gft_two")
    );
    assert!(!two.enabled);
    assert!(s.game_by_id(GameId(3)).await.expect("get").is_none());
    // The player's game is still there (on SQLite the games table was rebuilt).
    assert!(
        s.player_with_session(GameId(1), &UserId::parse("u1").expect("user id"))
            .await
            .expect("player")
            .is_some()
    );
}

/// Rotations write the credentials rows: the new secret and token authenticate, the old
/// ones no longer.
async fn rotations_write_the_credentials_rows(
    store: &std::sync::Arc<SqlStore>,
    core: &playgate_core::service::Playgate,
    sessions: &Sessions,
    gamefuse: &playgate_core::gamefuse::Gamefuse,
) {
    let rotated = core.rotate_client_secret(GameId(1)).await.expect("rotate");
    authenticate_client(sessions, "1000000001", rotated.client_secret.expose())
        .await
        .expect("new secret");
    assert!(authenticate_client(sessions, "1000000001", "secret-one").await.is_err());
    let games = playgate_core::games::Games::new(store.clone(), std::sync::Arc::new(SystemClock));
    let (_, token) = games
        .rotate(GameId(1), CredentialKind::Gamefuse, NewAuditEvent::by(Actor::Cli))
        .await
        .expect("token");
    assert!(gamefuse.authenticate_game(1, "gft_one").await.is_err());
    gamefuse.authenticate_game(1, token.expose()).await.expect("new token");
}

/// Opening `db` is refused: a migration it recorded changed after it was applied. Then the
/// database goes.
async fn assert_changed_migration_refused(db: TestDatabase) {
    let err = SqlStore::open(&StoreOptions::new(db.url.clone()))
        .await
        .err()
        .expect("refused");
    assert!(err.to_string().contains("changed after it was applied"), "{err}");
    db.drop_it().await;
}

/// An existing SQLite database whose recorded migration no longer matches its file (edited
/// after it was applied) is not touched: opening it fails instead of guessing.
#[tokio::test]
async fn sqlite_migration_with_another_checksum_is_refused() {
    let Some(db) = TestDatabase::new(Backend::Sqlite).await else {
        return;
    };
    let first = migration_files("sqlite").into_iter().next().expect("a migration");
    let path = db.dir.join("playgate.db");
    sqlx_made_sqlite(&path, &[first]);
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.execute("UPDATE _sqlx_migrations SET checksum = X'00'", [])
        .expect("tamper");
    drop(conn);
    assert_changed_migration_refused(db).await;
}

on_both_backends!(
    accounts_and_totp,
    api_keys_and_logins,
    link_codes_fill_player_links,
    account_info_round_trip,
    details_migration_upgrades_in_place,
    credentials_migration_upgrades_in_place,
);

/// The same on PostgreSQL: a schema sqlx's migrator made, whose recorded migration no
/// longer matches its file, is refused.
#[tokio::test]
async fn postgres_migration_with_another_checksum_is_refused() {
    let Some(db) = TestDatabase::new(Backend::Postgres).await else {
        return;
    };
    let first = migration_files("postgres").into_iter().next().expect("a migration");
    let mut c = playgate_store::testing::pg_connect(&db.url).await.expect("connect");
    sqlx_made_postgres(&mut c, &[first]).await;
    c.batch_execute("UPDATE _sqlx_migrations SET checksum = '\\x00'::bytea")
        .await
        .expect("tamper");
    assert_changed_migration_refused(db).await;
}

/// Two nodes starting together on a fresh PostgreSQL database both come up: the advisory
/// lock lets one migrate while the other waits, then finds nothing left to apply.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_nodes_starting_together_migrate_once() {
    let Some(db) = TestDatabase::new(Backend::Postgres).await else {
        return;
    };
    let opts = StoreOptions::new(db.url.clone());
    let (a, b) = tokio::join!(SqlStore::open(&opts), SqlStore::open(&opts));
    let (a, b) = (a.expect("first node"), b.expect("second node"));
    a.close().await;
    b.close().await;
    let c = playgate_store::testing::pg_connect(&db.url).await.expect("connect");
    let r = c
        .query_one("SELECT COUNT(*), COUNT(DISTINCT version) FROM _sqlx_migrations", &[])
        .await
        .expect("count");
    let all = playgate_store::migrations("postgres").len() as i64;
    assert_eq!((r.get::<_, i64>(0), r.get::<_, i64>(1)), (all, all));
    db.drop_it().await;
}

/// A game backend's credential check, as the KGeN dialect makes it.
async fn authenticate_client(sessions: &Sessions, id: &str, secret: &str) -> playgate_core::Result<Game> {
    let client = ClientCredentials {
        id: id.into(),
        secret: secret.into(),
        ip: None,
    };
    sessions
        .authenticate(&client, ClientWith::Nothing)
        .await
        .map(|(game, _)| game)
}
