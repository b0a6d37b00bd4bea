//! Upgrades in place of the schema's later migrations (the earlier ones are tested beside
//! the part of the contract they changed, in `accounts`).

use playgate_store::on_both_backends;
use playgate_store::testing::{Backend, TestDatabase};
use playgate_store::{SqlStore, StoreOptions};

use super::accounts::{migration_files_before, sqlx_made_postgres, sqlx_made_sqlite};

/// The renamed tables and how many rows [`pre_rename_rows`] put in each.
const RENAMED: [(&str, i64); 10] = [
    ("friendships", 1),
    ("groups", 1),
    ("group_connections", 1),
    ("group_attributes", 1),
    ("chats", 1),
    ("chat_participants", 2),
    ("chat_messages", 1),
    ("message_reads", 1),
    ("multiplayer_rounds", 1),
    ("game_rounds", 1),
];

/// Two players of one game with a row in each social and round table, under the tables'
/// names before the rename (`blob` is a wallet key literal of the backend, or a placeholder).
fn pre_rename_rows(blob: &str) -> String {
    format!(
        "INSERT INTO games (id, name, client_name, created_at) VALUES (1, 'G', 'G', 1);
         INSERT INTO players (id, game_id, user_id, wallet_address, wallet_key, created_at, updated_at)
             VALUES (1, 1, 'a', '0x1', {blob}, 1, 1), (2, 1, 'b', '0x2', {blob}, 1, 1);
         INSERT INTO gf_friendships (id, game_id, requester_id, addressee_id, pair_lo, pair_hi, status, created_at)
             VALUES (1, 1, 1, 2, 1, 2, 'accepted', 1);
         INSERT INTO gf_groups (id, game_id, name, group_type, can_auto_join, is_invite_only, searchable,
                                admins_only_attrs, created_at)
             VALUES (1, 1, 'guild', 'clan', 1, 0, 1, 0, 1);
         INSERT INTO gf_group_connections (id, group_id, player_id, kind, status, is_admin, created_at, updated_at)
             VALUES (1, 1, 1, 'join', 'accepted', 1, 1, 1);
         INSERT INTO gf_group_attributes (id, group_id, key, value, creator_id, others_can_edit)
             VALUES (1, 1, 'motto', 'onward', 1, 0);
         INSERT INTO gf_chats (id, game_id, group_id, creator_id, participant_key, last_activity, created_at)
             VALUES (1, 1, NULL, 1, '1,2', 1, 1);
         INSERT INTO gf_chat_participants (chat_id, player_id) VALUES (1, 1), (1, 2);
         INSERT INTO gf_messages (id, chat_id, player_id, text, created_at) VALUES (1, 1, 1, 'hi', 1);
         INSERT INTO gf_message_reads (message_id, player_id) VALUES (1, 2);
         INSERT INTO gf_multiplayer_rounds (id, game_id, master_id, created_at) VALUES (1, 1, 1, 1);
         INSERT INTO gf_game_rounds (id, game_id, player_id, game_type, start_time, multiplayer_id, created_at, updated_at)
             VALUES (1, 1, 1, 'duel', 1, 1, 1, 1);"
    )
}

/// A database made by the migrations before `version` (as sqlx made them), with `rows`
/// (`BLOB` in them replaced by a wallet key literal of the backend) inserted, then
/// upgraded by opening the store.
async fn made_before_then_upgraded(b: Backend, db: &TestDatabase, version: &str, rows: &str) {
    let backend = if b == Backend::Sqlite { "sqlite" } else { "postgres" };
    let files = migration_files_before(backend, version);
    let blob = if b == Backend::Sqlite {
        "X'00'"
    } else {
        "'\\x00'::bytea"
    };
    let rows = rows.replace("BLOB", blob);
    if b == Backend::Sqlite {
        let path = db.dir.join("playgate.db");
        sqlx_made_sqlite(&path, &files);
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(&rows).expect("rows");
    } else {
        let mut c = playgate_store::testing::pg_connect(&db.url).await.expect("connect");
        sqlx_made_postgres(&mut c, &files).await;
        c.batch_execute(&rows).await.expect("rows");
    }
    SqlStore::open(&StoreOptions::new(db.url.clone()))
        .await
        .expect("upgrade")
        .close()
        .await;
}

/// The social and round tables lose their `gf_` prefix with their rows, references,
/// indexes and (on PostgreSQL) constraint names: a database made before the rename keeps
/// every row, a broken reference is refused under the new constraint name, and no table,
/// index, constraint or sequence keeps the old prefix.
async fn domain_table_names_upgrade_in_place(b: Backend) {
    let Some(db) = TestDatabase::new(b).await else { return };
    made_before_then_upgraded(b, &db, "0015", &pre_rename_rows("BLOB")).await;
    let bad_message = "INSERT INTO chat_messages (id, chat_id, player_id, text, created_at) VALUES (9, 99, 1, 'x', 2)";
    if b == Backend::Sqlite {
        let conn = rusqlite::Connection::open(db.dir.join("playgate.db")).expect("open");
        conn.execute_batch("PRAGMA foreign_keys = ON").expect("pragma");
        for (table, n) in RENAMED {
            let got: i64 = conn
                .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
                .expect(table);
            assert_eq!(got, n, "{table}");
        }
        let left: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'gf\\_%' ESCAPE '\\'",
                [],
                |r| r.get(0),
            )
            .expect("names");
        assert_eq!(left, 0);
        let broken: i64 = conn
            .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
            .expect("check");
        assert_eq!(broken, 0);
        let err = conn.execute(bad_message, []).expect_err("no chat 99");
        assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
    } else {
        let c = playgate_store::testing::pg_connect(&db.url).await.expect("connect");
        for (table, n) in RENAMED {
            let r = c
                .query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])
                .await
                .expect(table);
            assert_eq!(r.get::<_, i64>(0), n, "{table}");
        }
        let left = c
            .query_one(
                "SELECT (SELECT COUNT(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace \
                         AND relname LIKE 'gf\\_%') \
                      + (SELECT COUNT(*) FROM pg_constraint WHERE connamespace = current_schema()::regnamespace \
                         AND conname LIKE 'gf\\_%')",
                &[],
            )
            .await
            .expect("names");
        assert_eq!(left.get::<_, i64>(0), 0);
        let err = c.batch_execute(bad_message).await.expect_err("no chat 99");
        let constraint = err.as_db_error().and_then(|d| d.constraint()).map(str::to_owned);
        assert_eq!(constraint.as_deref(), Some("chat_messages_chat_id_fkey"));
    }
    db.drop_it().await;
}

/// Events before the renaming of client users' event subjects: a client user's (player 2,
/// `ann@x.org`) sign-in events in its game, the same numbers in another game, a KGeN
/// player whose user id is digits, and a player with no client user row.
const EVENTS_BEFORE_0016: &str = "
    INSERT INTO games (id, name, client_name, created_at) VALUES (1, 'G', 'G', 1), (2, 'H', 'H', 1);
    INSERT INTO players (id, game_id, user_id, wallet_address, wallet_key, created_at, updated_at)
        VALUES (1, 1, '2', '0x1', BLOB, 1, 1), (2, 1, 'ann@x.org', '0x2', BLOB, 1, 1);
    INSERT INTO gamefuse_users (player_id, game_id, email, display_email, username, username_key, password_hash, created_at)
        VALUES (2, 1, 'ann@x.org', 'Ann@x.org', 'ann', 'ann', 'h', 1);
    INSERT INTO audit_events (id, at, action, actor, game_id, subject, ip, user_agent, detail) VALUES
        (1, 1, 'login.failed', 'player:2', 1, 'player:2', NULL, NULL, '{}'),
        (2, 2, 'login.succeeded', 'player:2', 1, 'player:2', NULL, NULL, '{}'),
        (3, 2, 'session.opened', 'player:2', 1, 'player:2', NULL, NULL, '{}'),
        (4, 3, 'session.opened', 'game:1', 1, 'player:2', NULL, NULL, '{}'),
        (5, 4, 'login.succeeded', 'player:2', 2, 'player:2', NULL, NULL, '{}'),
        (6, 5, 'login.failed', 'player:1', 1, 'player:1', NULL, NULL, '{}'),
        (7, 6, 'player.banned', 'operator:config', 1, 'player:ann@x.org', NULL, NULL, '{}'),
        (8, 7, 'password.reset', 'unknown', NULL, 'player:2', NULL, NULL, '{}');
";

/// After the upgrade (id, actor, subject, game): the client user's own events in its game
/// and its password reset name it by user id (the reset gains its game); the KGeN player
/// `2`'s event (acted by its game), the other game's and the player without a client user
/// row are as they were.
const EVENTS_AFTER_0016: [(i64, &str, &str, Option<i64>); 8] = [
    (1, "player:ann@x.org", "player:ann@x.org", Some(1)),
    (2, "player:ann@x.org", "player:ann@x.org", Some(1)),
    (3, "player:ann@x.org", "player:ann@x.org", Some(1)),
    (4, "game:1", "player:2", Some(1)),
    (5, "player:2", "player:2", Some(2)),
    (6, "player:1", "player:1", Some(1)),
    (7, "operator:config", "player:ann@x.org", Some(1)),
    (8, "unknown", "player:ann@x.org", Some(1)),
];

/// A GameFuse user's sign-in events, recorded about `player:<row id>` before, name it by
/// its user id after the upgrade, like every other event of the player; nothing else
/// changes.
async fn client_user_event_subjects_upgrade_in_place(b: Backend) {
    let Some(db) = TestDatabase::new(b).await else { return };
    made_before_then_upgraded(b, &db, "0016", EVENTS_BEFORE_0016).await;
    let query = "SELECT id, actor, subject, game_id FROM audit_events ORDER BY id";
    let got: Vec<(i64, String, String, Option<i64>)> = if b == Backend::Sqlite {
        let conn = rusqlite::Connection::open(db.dir.join("playgate.db")).expect("open");
        let mut st = conn.prepare(query).expect("prepare");
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    } else {
        let c = playgate_store::testing::pg_connect(&db.url).await.expect("connect");
        c.query(query, &[])
            .await
            .expect("query")
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect()
    };
    let want: Vec<(i64, String, String, Option<i64>)> = EVENTS_AFTER_0016
        .iter()
        .map(|&(id, a, s, g)| (id, a.to_owned(), s.to_owned(), g))
        .collect();
    assert_eq!(got, want);
    db.drop_it().await;
}

on_both_backends!(
    domain_table_names_upgrade_in_place,
    client_user_event_subjects_upgrade_in_place
);
