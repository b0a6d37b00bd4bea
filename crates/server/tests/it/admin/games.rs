//! `/admin/v1/games`: create (secrets shown once), list, show, change (enable / disable,
//! per-game token lifetimes used by KGeN and GameFuse sessions), rotate a credential,
//! delete with confirmation leaving no row of the game in any table; roles; audit events;
//! the game data under the game and on its deprecated paths.

use serde_json::{Value, json};

use super::{ADMIN, viewer};
use crate::common::{Backend, TestServer, actions, jwt_parts, spawn_with};

/// Creates a game through the admin API: `(id, client_id, client_secret, gamefuse_token)`.
async fn create(srv: &TestServer, name: &str) -> (i64, String, String, String) {
    let r = srv
        .admin(ADMIN)
        .post("/admin/v1/games", &json!({"name": name}).to_string())
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let s = |v: &Value| v.as_str().expect("text").to_owned();
    (
        r.json["game"]["id"].as_i64().expect("id"),
        s(&r.json["game"]["client_id"]),
        s(&r.json["client_secret"]),
        s(&r.json["gamefuse_token"]),
    )
}

async fn open(srv: &TestServer, creds: (&str, &str), user: &str) -> crate::common::Resp {
    srv.send(
        "POST",
        "/s2s/session",
        Some(&json!({"user_id": user}).to_string()),
        Some(creds),
    )
    .await
}

/// A server with a viewer (`vic`), and the game "Space Race" made through the admin API
/// (`path` its resource) with its credentials as shown once.
struct SpaceRace {
    srv: TestServer,
    vic: String,
    id: i64,
    client_id: String,
    secret: String,
    gf_token: String,
    path: String,
}

impl SpaceRace {
    /// Opens a KGeN session for `user` with the game's client id and `secret`.
    async fn open_with(&self, secret: &str, user: &str) -> u16 {
        open(&self.srv, (&self.client_id, secret), user).await.status
    }
}

/// Games made, read, changed, rotated and deleted by admins, read by viewers, refused to
/// strangers; every change audited.
async fn games_are_managed_by_admins_and_read_by_viewers(b: Backend) {
    let Some(g) = space_race_created(b).await else { return };
    games_read_without_secrets(&g).await;
    games_unchanged_by_viewers_and_strangers(&g).await;
    games_disabled_and_enabled(&g).await;
    game_names_and_token_lifetimes(&g).await;
    let (new_secret, new_token) = game_credentials_rotated(&g).await;
    game_deleted_on_confirmation(&g, &new_secret).await;
    game_changes_audited(&g, &new_secret, &new_token).await;
    g.srv.finish().await;
}

/// A game created: its secrets are shown once, and its KGeN credentials open sessions.
async fn space_race_created(b: Backend) -> Option<SpaceRace> {
    let srv = spawn_with(b, |c| c.admin_token = Some(ADMIN.into())).await?;
    let vic = viewer(&srv).await;
    let (id, client_id, secret, gf_token) = create(&srv, "Space Race").await;
    assert!(
        secret.starts_with("pgs_") && gf_token.starts_with("gft_"),
        "{secret} {gf_token}"
    );
    let g = SpaceRace {
        srv,
        vic,
        id,
        client_id,
        secret,
        gf_token,
        path: format!("/admin/v1/games/{id}"),
    };
    assert_eq!(g.open_with(&g.secret, "p1").await, 200);
    Some(g)
}

/// Lists, pages and shows; reads never show a secret; unknown games and bad pages.
async fn games_read_without_secrets(g: &SpaceRace) {
    let (srv, admin) = (&g.srv, g.srv.admin(ADMIN));
    let list = srv.admin(&g.vic).get("/admin/v1/games").await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.json["items"].as_array().map(Vec::len), Some(2));
    let one = srv.admin(&g.vic).get(&g.path).await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.json["name"], "Space Race");
    assert_eq!(one.json["client_name"], "SPACE_RACE");
    assert_eq!(one.json["access_token_ttl_secs"], Value::Null);
    for text in [&list.text, &one.text] {
        assert!(!text.contains(&g.secret) && !text.contains(&g.gf_token), "{text}");
    }
    let page = admin.get("/admin/v1/games?limit=1").await;
    let cursor = page.json["next_cursor"].as_str().expect("cursor").to_owned();
    let rest = admin.get(&format!("/admin/v1/games?limit=1&cursor={cursor}")).await;
    assert_eq!(rest.json["items"][0]["id"], g.id);
    for (path, status) in [
        ("/admin/v1/games/999999".to_owned(), 404),
        ("/admin/v1/games/abc".to_owned(), 404),
        ("/admin/v1/games?limit=0".to_owned(), 400),
        ("/admin/v1/games?cursor=x".to_owned(), 400),
    ] {
        assert_eq!(admin.get(&path).await.status, status, "{path}");
    }
}

/// Viewers (403) and strangers (401) change nothing.
async fn games_unchanged_by_viewers_and_strangers(g: &SpaceRace) {
    let patch = json!({"enabled": false}).to_string();
    let path = &g.path;
    for (token, status) in [(g.vic.as_str(), 403), ("pgo_wrong", 401)] {
        let c = g.srv.admin(token);
        assert_eq!(c.call("PATCH", path, Some(&patch)).await.status, status);
        assert_eq!(c.post("/admin/v1/games", r#"{"name": "x"}"#).await.status, status);
        assert_eq!(c.post(&format!("{path}/rotate-secret"), "{}").await.status, status);
        assert_eq!(
            c.call("DELETE", path, Some(r#"{"confirm": "Space Race"}"#))
                .await
                .status,
            status
        );
    }
}

/// A disabled game opens no session; enabled again, it does.
async fn games_disabled_and_enabled(g: &SpaceRace) {
    let admin = g.srv.admin(ADMIN);
    let r = admin.call("PATCH", &g.path, Some(r#"{"enabled": false}"#)).await;
    assert_eq!((r.status, &r.json["enabled"]), (200, &json!(false)), "{}", r.text);
    assert_eq!(g.open_with(&g.secret, "p1").await, 401);
    let r = admin.call("PATCH", &g.path, Some(r#"{"enabled": true}"#)).await;
    assert_eq!(r.json["enabled"], true);
    assert_eq!(g.open_with(&g.secret, "p1").await, 200);
}

/// Names and token lifetimes (KGeN's and GameFuse's sessions follow them); bad values name
/// their field; a lifetime cleared.
async fn game_names_and_token_lifetimes(g: &SpaceRace) {
    let (srv, admin, path) = (&g.srv, g.srv.admin(ADMIN), &g.path);
    let r = admin
        .call(
            "PATCH",
            path,
            Some(r#"{"name": "Space Race 2", "client_name": "SR2", "access_token_ttl_secs": 120, "refresh_token_ttl_secs": 900}"#),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.json["name"].as_str(), r.json["access_token_ttl_secs"].as_i64()),
        (Some("Space Race 2"), Some(120))
    );
    let s = open(srv, (&g.client_id, &g.secret), "p2").await;
    assert_eq!(s.status, 200, "{}", s.text);
    let (_, access) = jwt_parts(s.json["access_token"].as_str().expect("access"));
    let (_, refresh) = jwt_parts(s.json["refresh_token"].as_str().expect("refresh"));
    let life = |c: &Value| c["exp"].as_i64().unwrap_or(0) - c["iat"].as_i64().unwrap_or(0);
    assert_eq!((life(&access), life(&refresh)), (120, 900));
    // GameFuse sessions of the game last the game's refresh lifetime too.
    let gf = srv.gamefuse().for_game(g.id, &g.gf_token);
    let up = gf.sign_up("ann@example.org", "ann", "password-1").await;
    assert_eq!(up.status, 200, "{}", up.text);
    let t = up.json["authentication_token"].as_str().expect("token").to_owned();
    let me = format!("/users/{}", up.json["id"]);
    let user = srv.gamefuse().for_game(g.id, &g.gf_token).signed_in(&t);
    assert_eq!(user.call("GET", &me, None).await.status, 200);
    srv.advance(std::time::Duration::from_secs(901));
    assert_eq!(
        user.call("GET", &me, None).await.status,
        401,
        "past the game's lifetime"
    );
    let refused = [
        (r#"{"access_token_ttl_secs": 10}"#, "access_token_ttl_secs"),
        (r#"{"refresh_token_ttl_secs": -1}"#, "refresh_token_ttl_secs"),
        (r#"{"client_name": "no spaces"}"#, "client_name"),
        (r#"{"name": ""}"#, "name"),
        (r#"{"enabled": "yes"}"#, "enabled"),
        ("[]", "body"),
    ];
    admin.assert_refused_fields("PATCH", path, &refused).await;
    let r = admin
        .call("PATCH", path, Some(r#"{"access_token_ttl_secs": null}"#))
        .await;
    assert_eq!(
        (
            r.json["access_token_ttl_secs"].clone(),
            r.json["refresh_token_ttl_secs"].clone()
        ),
        (Value::Null, json!(900))
    );
}

/// Rotation: the old secret stops at once, the new one is shown once; the KGeN secret and
/// the GameFuse token each. The new secret and token.
async fn game_credentials_rotated(g: &SpaceRace) -> (String, String) {
    let (admin, path, id) = (g.srv.admin(ADMIN), &g.path, g.id);
    let r = admin.post(&format!("{path}/rotate-secret"), "").await;
    assert_eq!(
        (r.status, r.json["credential"].as_str()),
        (200, Some("kgen")),
        "{}",
        r.text
    );
    let new_secret = r.json["secret"].as_str().expect("secret").to_owned();
    assert_eq!(r.json["client_id"], g.client_id.as_str());
    assert_eq!(g.open_with(&g.secret, "p1").await, 401);
    assert_eq!(g.open_with(&new_secret, "p1").await, 200);
    let r = admin
        .post(&format!("{path}/rotate-secret"), r#"{"credential": "gamefuse"}"#)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let new_token = r.json["secret"].as_str().expect("token").to_owned();
    assert_ne!(new_token, g.gf_token);
    assert!(r.json.get("client_id").is_none());
    let gf = g.srv.gamefuse().for_game(id, &g.gf_token);
    let verify = |t: &str| format!("/games/verify?game_id={id}&game_token={t}");
    assert_eq!(gf.call("GET", &verify(&g.gf_token), None).await.status, 404);
    assert_eq!(gf.call("GET", &verify(&new_token), None).await.status, 200);
    let r = admin
        .post(&format!("{path}/rotate-secret"), r#"{"credential": "aws"}"#)
        .await;
    assert_eq!((r.status, r.json["field"].as_str()), (400, Some("credential")));
    assert_eq!(
        admin.post("/admin/v1/games/999999/rotate-secret", "{}").await.status,
        404
    );
    (new_secret, new_token)
}

/// Deleting asks for the game's (current) name; then the game is gone.
async fn game_deleted_on_confirmation(g: &SpaceRace, new_secret: &str) {
    let (admin, path) = (g.srv.admin(ADMIN), &g.path);
    for (body, field) in [("", "confirm"), (r#"{"confirm": "Space Race"}"#, "confirm")] {
        let r = admin.call("DELETE", path, Some(body)).await;
        assert_eq!((r.status, r.json["field"].as_str()), (400, Some(field)), "{}", r.text);
    }
    let r = admin.call("DELETE", path, Some(r#"{"confirm": "Space Race 2"}"#)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(admin.get(path).await.status, 404);
    assert_eq!(g.open_with(new_secret, "p1").await, 401);
    assert_eq!(
        admin.call("DELETE", path, Some(r#"{"confirm": "x"}"#)).await.status,
        404
    );
}

/// Every change is in the audit log, by the operator, about the game (beside the sessions
/// the game opened); no secret in it.
async fn game_changes_audited(g: &SpaceRace, new_secret: &str, new_token: &str) {
    let id = g.id;
    let events = g
        .srv
        .admin(ADMIN)
        .get(&format!("/admin/v1/audit?game={id}&actor=operator:config&limit=50"))
        .await;
    assert!(!events.text.contains(new_secret) && !events.text.contains(new_token));
    assert_eq!(
        actions(&events.json),
        [
            "game.deleted",
            "game.secret_rotated",
            "game.secret_rotated",
            "game.updated",
            "game.updated",
            "game.enabled",
            "game.disabled",
            "game.created",
        ]
    );
    let updated = &events.json["items"][4];
    assert_eq!(updated["actor"], "operator:config");
    assert_eq!(updated["subject"], format!("game:{id}"));
    assert_eq!(updated["detail"]["before"]["name"], "Space Race");
    assert_eq!(updated["detail"]["after"]["access_token_ttl_secs"], 120);
    assert_eq!(events.json["items"][1]["detail"]["credential"], "gamefuse");
    assert_eq!(events.json["items"][2]["detail"]["credential"], "kgen");
}

/// The game data calls answer under the game and on their earlier paths alike.
async fn game_data_moves_under_the_game(b: Backend) {
    let Some(srv) = spawn_with(b, |c| c.admin_token = Some(ADMIN.into())).await else {
        return;
    };
    let admin = srv.admin(ADMIN);
    let g = srv.game.game.id.0;
    let (new, old) = (format!("/admin/v1/games/{g}"), format!("/admin/gamefuse/games/{g}"));
    let r = admin
        .call("PUT", &format!("{new}/variables/wind"), Some(r#"{"value": "calm"}"#))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(admin.get(&format!("{old}/variables")).await.json[0]["value"], "calm");
    let r = admin
        .post(&format!("{new}/store-items"), r#"{"name": "Hat", "cost": 5}"#)
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(admin.get(&format!("{old}/store_items")).await.json[0]["name"], "Hat");
    let r = admin.post(&format!("{old}/service_keys"), r#"{"name": "bot"}"#).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(admin.get(&format!("{new}/service-keys")).await.json[0]["name"], "bot");
    let r = admin
        .call(
            "PUT",
            &format!("{new}/routes"),
            Some(r#"{"route": "users/{id}", "user_allowed": false}"#),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(admin.get(&format!("{old}/routes")).await.json[0]["user_allowed"], false);
    assert_eq!(admin.delete(&format!("{new}/service-keys/bot")).await.status, 200);
    assert_eq!(admin.get("/admin/v1/games/999999/variables").await.status, 404);
    srv.finish().await;
}

/// Every table that holds rows of a game, with the condition selecting the deleted game's
/// rows (`{g}` its id), for the deletion test.
const GAME_ROWS: &[(&str, &str)] = &[
    ("games", "id = {g}"),
    ("credentials", "game_id = {g}"),
    ("players", "game_id = {g}"),
    ("sessions", "game_id = {g}"),
    ("game_variables", "game_id = {g}"),
    ("gamefuse_users", "game_id = {g}"),
    (
        "user_attributes",
        "player_id IN (SELECT id FROM players WHERE game_id = {g}) OR key = 'planted-{g}'",
    ),
    ("store_items", "game_id = {g}"),
    ("store_purchases", "created_at = {g}"),
    ("leaderboard_entries", "game_id = {g}"),
    ("service_keys", "game_id = {g}"),
    ("route_access", "game_id = {g}"),
    ("test_suite_games", "game_id = {g}"),
    ("password_resets", "created_at = {g}"),
    ("outbox", "game_id = {g}"),
    ("link_codes", "created_at = {g}"),
    ("player_links", "linked_at = {g}"),
    ("friendships", "game_id = {g}"),
    ("groups", "game_id = {g}"),
    ("group_connections", "created_at = {g}"),
    ("group_attributes", "key = 'planted-{g}'"),
    ("chats", "game_id = {g}"),
    (
        "chat_participants",
        "chat_id IN (SELECT id FROM chats WHERE created_at = {g}) OR player_id IN (SELECT player_id FROM gamefuse_users WHERE email LIKE 'planted-{g}-%')",
    ),
    ("chat_messages", "created_at = {g}"),
    (
        "message_reads",
        "player_id IN (SELECT player_id FROM gamefuse_users WHERE email LIKE 'planted-{g}-%') OR message_id IN (SELECT id FROM chat_messages WHERE created_at = {g})",
    ),
    ("multiplayer_rounds", "game_id = {g}"),
    ("game_rounds", "game_id = {g}"),
];

/// Plants a row of game `g` in every table of [`GAME_ROWS`] (players `p1`, `p2` of the
/// game, `account` an account id), marking rows without a game column by `created_at = g`.
fn plant(b: Backend, g: i64, p1: i64, p2: i64, account: i64) -> String {
    let blob = if b == Backend::Postgres {
        "'\\x00'::bytea"
    } else {
        "X'00'"
    };
    let group = format!("(SELECT MAX(id) FROM groups WHERE game_id = {g})");
    let chat = format!("(SELECT MAX(id) FROM chats WHERE game_id = {g})");
    let msg = format!("(SELECT MAX(id) FROM chat_messages WHERE created_at = {g})");
    let item = format!("(SELECT MAX(id) FROM store_items WHERE game_id = {g})");
    [
        format!("INSERT INTO user_attributes (player_id, key, value) VALUES ({p1}, 'planted-{g}', 'v')"),
        format!("INSERT INTO store_purchases (player_id, store_item_id, created_at) VALUES ({p1}, {item}, {g})"),
        format!(
            "INSERT INTO leaderboard_entries (game_id, player_id, leaderboard_name, score, created_at) \
             VALUES ({g}, {p1}, 'L', 5, 1)"
        ),
        format!("INSERT INTO test_suite_games (game_id) VALUES ({g})"),
        format!(
            "INSERT INTO password_resets (token_hash, player_id, created_at, expires_at) VALUES ('planted-{g}', {p1}, {g}, 9)"
        ),
        format!(
            "INSERT INTO outbox (game_id, recipient, subject, sealed_body, created_at) VALUES ({g}, 'a@b.c', 's', {blob}, 1)"
        ),
        format!(
            "INSERT INTO link_codes (code_hash, player_id, created_at, expires_at) VALUES ('planted-{g}', {p1}, {g}, 9)"
        ),
        format!("INSERT INTO player_links (player_id, account_id, linked_at) VALUES ({p2}, {account}, {g})"),
        format!(
            "INSERT INTO friendships (game_id, requester_id, addressee_id, pair_lo, pair_hi, status, created_at) \
             VALUES ({g}, {p1}, {p2}, {p1}, {p2}, 'accepted', 1)"
        ),
        format!(
            "INSERT INTO groups (game_id, name, group_type, can_auto_join, is_invite_only, searchable, \
             admins_only_attrs, created_at) VALUES ({g}, 'G', 't', 1, 0, 1, 0, 1)"
        ),
        format!(
            "INSERT INTO group_connections (group_id, player_id, kind, status, created_at, updated_at) \
             VALUES ({group}, {p1}, 'member', 'accepted', {g}, 1)"
        ),
        format!(
            "INSERT INTO group_attributes (group_id, key, value, creator_id, others_can_edit) \
             VALUES ({group}, 'planted-{g}', 'v', {p1}, 0)"
        ),
        format!(
            "INSERT INTO chats (game_id, group_id, creator_id, last_activity, created_at) VALUES ({g}, {group}, {p1}, 1, {g})"
        ),
        format!("INSERT INTO chat_participants (chat_id, player_id) VALUES ({chat}, {p2})"),
        format!("INSERT INTO chat_messages (chat_id, player_id, text, created_at) VALUES ({chat}, {p1}, 'hi', {g})"),
        format!("INSERT INTO message_reads (message_id, player_id) VALUES ({msg}, {p2})"),
        format!("INSERT INTO multiplayer_rounds (game_id, master_id, created_at) VALUES ({g}, {p1}, 1)"),
        format!(
            "INSERT INTO game_rounds (game_id, player_id, game_type, start_time, multiplayer_id, created_at, updated_at) \
             VALUES ({g}, {p1}, 't', 1, (SELECT MAX(id) FROM multiplayer_rounds WHERE game_id = {g}), 1, 1)"
        ),
    ]
    .join(";\n")
}

/// A game made through the admin API with rows in every table of [`GAME_ROWS`]: two KGeN
/// players with sessions, two GameFuse users, a variable, a store item, a service key, a
/// route, and the rows [`plant`] adds (`account` linked to a player). Its id.
async fn game_with_rows(srv: &TestServer, b: Backend, name: &str, account: i64) -> i64 {
    let admin = srv.admin(ADMIN);
    let (g, client_id, secret, gf_token) = create(srv, name).await;
    let mut players = Vec::new();
    for user in ["u1", "u2"] {
        // KGeN players and their sessions.
        let r = open(srv, (&client_id, &secret), user).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let gf = srv.gamefuse().for_game(g, &gf_token);
    for n in 0..2 {
        let r = gf
            .sign_up(&format!("planted-{g}-{n}@x.org"), &format!("user{n}"), "password-1")
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        players.push(r.json["id"].as_i64().expect("id"));
    }
    let base = format!("/admin/v1/games/{g}");
    admin
        .assert_status("PUT", &format!("{base}/variables/k"), r#"{"value": "v"}"#, 200)
        .await;
    admin
        .assert_status(
            "POST",
            &format!("{base}/store-items"),
            r#"{"name": "Hat", "cost": 1}"#,
            201,
        )
        .await;
    admin
        .assert_status("POST", &format!("{base}/service-keys"), r#"{"name": "bot"}"#, 201)
        .await;
    admin
        .assert_status("PUT", &format!("{base}/routes"), r#"{"route": "r"}"#, 200)
        .await;
    srv.db_exec(&plant(b, g, players[0], players[1], account)).await;
    g
}

/// Deleting a game leaves no row of it in any table (and every other game's rows as they
/// were); its audit events stay.
async fn deleting_a_game_leaves_no_row_of_it(b: Backend) {
    let Some(srv) = spawn_with(b, |c| c.admin_token = Some(ADMIN.into())).await else {
        return;
    };
    let admin = srv.admin(ADMIN);
    let account = srv.i3d_account("linker", "password-1").await.id.0;
    let doomed = game_with_rows(&srv, b, "Doomed", account).await;
    let kept = game_with_rows(&srv, b, "Kept", account).await;
    let count = |g: i64, table: &str, cond: &str| {
        let sql = format!(
            "SELECT COUNT(*) FROM {table} WHERE {}",
            cond.replace("{g}", &g.to_string())
        );
        let srv = &srv;
        async move { srv.db_count(&sql).await }
    };
    for g in [doomed, kept] {
        for (table, cond) in GAME_ROWS {
            assert!(count(g, table, cond).await > 0, "game {g} has rows in {table}");
        }
    }
    let r = admin
        .call(
            "DELETE",
            &format!("/admin/v1/games/{doomed}"),
            Some(r#"{"confirm": "Doomed"}"#),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for (table, cond) in GAME_ROWS {
        assert_eq!(
            count(doomed, table, cond).await,
            0,
            "{table} keeps rows of the deleted game"
        );
        assert!(count(kept, table, cond).await > 0, "{table} lost rows of another game");
    }
    let audit = srv
        .db_count(&format!("SELECT COUNT(*) FROM audit_events WHERE game_id = {doomed}"))
        .await;
    assert!(audit >= 6, "the audit log keeps the game's events: {audit}");
    srv.finish().await;
}

playgate_store::on_both_backends!(
    games_are_managed_by_admins_and_read_by_viewers,
    game_data_moves_under_the_game,
    deleting_a_game_leaves_no_row_of_it,
);
