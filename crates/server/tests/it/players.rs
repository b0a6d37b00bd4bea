//! Player administration over HTTP (`/admin/v1/games/{game}/players…`, `/admin/v1/sessions…`):
//! search and show scoped to their game, bans taking effect on every dialect at once,
//! sessions listed and ended ("log out everywhere" ends KGeN and GameFuse sessions), erasure
//! leaving no row of the player, export holding everything stored; roles and audit events.

use crate::common::{Backend, Resp, TestServer, assert_error, spawn_with};
use playgate_core::operators::{Operators, Role};
use playgate_server::startup;
use serde_json::{Value, json};

const ADMIN: &str = "admin-token-0123456789";

async fn server(b: Backend) -> Option<TestServer> {
    spawn_with(b, |c| c.admin_token = Some(ADMIN.into())).await
}

/// A viewer operator's token.
async fn viewer(srv: &TestServer) -> String {
    let store = startup::open_store(&srv.config).await.expect("store");
    let ops = Operators::new(store, srv.clock.clone());
    let (_, token) = ops.create("vic", Role::Viewer).await.expect("viewer");
    token.expose().to_owned()
}

fn players(srv: &TestServer) -> String {
    format!("/admin/v1/games/{}/players", srv.game.game.id.0)
}

fn player(srv: &TestServer, user: &str) -> String {
    format!("{}/{user}", players(srv))
}

/// Opens a KGeN session for `user` with a profile; its answer.
async fn open(srv: &TestServer, user: &str, username: &str) -> Value {
    srv.open(&json!({"user_id": user, "username": username, "email": format!("{username}@mail.test")}).to_string())
        .await
}

/// Signs a GameFuse user up; `(id, token)`.
async fn gamefuse_user(srv: &TestServer, email: &str, username: &str) -> (i64, String) {
    let r = srv
        .gamefuse()
        .signed_in("")
        .sign_up(email, username, "password-1")
        .await;
    assert_eq!(r.status, 200, "sign-up: {}", r.text);
    let id = r.json["id"].as_i64().expect("id");
    (id, r.json["authentication_token"].as_str().expect("token").to_owned())
}

/// A GameFuse call with a user's token: its status.
async fn gamefuse_call(srv: &TestServer, id: i64, token: &str) -> u16 {
    srv.gamefuse()
        .signed_in(token)
        .call("GET", &format!("/users/{id}/game_user_attributes"), None)
        .await
        .status
}

fn items(r: &Resp) -> Vec<Value> {
    r.json["items"].as_array().cloned().unwrap_or_default()
}

fn user_ids(r: &Resp) -> Vec<String> {
    items(r)
        .iter()
        .filter_map(|p| p["user_id"].as_str().map(str::to_owned))
        .collect()
}

/// The audit events of an action, newest first.
async fn audited(srv: &TestServer, action: &str) -> Vec<Value> {
    let r = srv.admin(ADMIN).get(&format!("/admin/v1/audit?action={action}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    items(&r)
}

/// A server with a viewer (`vic`), the KGeN players u-1 (ann) and u-2 (bob, his session's
/// answer) and the GameFuse user zed (his id).
struct ThreePlayers {
    srv: TestServer,
    vic: String,
    bob: Value,
    zed: i64,
}

async fn three_players(b: Backend) -> Option<ThreePlayers> {
    let srv = server(b).await?;
    let vic = viewer(&srv).await;
    open(&srv, "u-1", "ann").await;
    let bob = open(&srv, "u-2", "bob").await;
    let (zed, _) = gamefuse_user(&srv, "Zed@Example.org", "zed").await;
    Some(ThreePlayers { srv, vic, bob, zed })
}

/// Players listed, searched (user id, name, e-mail, wallet address, GameFuse id) and paged;
/// bad queries name their field.
async fn players_are_found_and_paged(b: Backend) {
    let Some(ThreePlayers { srv, vic, bob, zed }) = three_players(b).await else {
        return;
    };
    let admin = srv.admin(ADMIN);
    let all = srv.admin(&vic).get(&players(&srv)).await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(user_ids(&all), ["u-1", "u-2", "zed@example.org"]);
    assert_eq!(all.json["next_cursor"], Value::Null);
    for (q, want) in [
        ("u-", vec!["u-1", "u-2"]),
        ("ANN", vec!["u-1"]),
        ("bob@mail", vec!["u-2"]),
        ("zed", vec!["zed@example.org"]),
    ] {
        let r = admin.get(&format!("{}?q={q}", players(&srv))).await;
        assert_eq!(r.status, 200, "{q}: {}", r.text);
        assert_eq!(user_ids(&r), want, "{q}");
    }
    let wallet = bob["wallet_address"].as_str().unwrap_or_default().to_owned();
    let r = admin.get(&format!("{}?q={}", players(&srv), &wallet[..10])).await;
    assert!(user_ids(&r).contains(&"u-2".to_owned()), "{}", r.text);
    let r = admin.get(&format!("{}?q={zed}", players(&srv))).await;
    assert_eq!(items(&r)[0]["gamefuse_id"], zed, "{}", r.text);

    let first = admin.get(&format!("{}?limit=2", players(&srv))).await;
    assert_eq!(user_ids(&first), ["u-1", "u-2"]);
    let cursor = first.json["next_cursor"].as_str().expect("cursor").to_owned();
    let rest = admin.get(&format!("{}?limit=2&cursor={cursor}", players(&srv))).await;
    assert_eq!(user_ids(&rest), ["zed@example.org"]);
    assert_eq!(rest.json["next_cursor"], Value::Null);
    for (query, field) in [("limit=0", "limit"), ("limit=201", "limit"), ("cursor=x", "cursor")] {
        let r = admin.get(&format!("{}?{query}", players(&srv))).await;
        assert_error(&r, 400, "invalid_request", Some(field));
    }
    let long = "q".repeat(201);
    assert_error(
        &admin.get(&format!("{}?q={long}", players(&srv))).await,
        400,
        "invalid_request",
        Some("q"),
    );
    srv.finish().await;
}

/// A player's page: profile, sessions, ban, wallet address and no secret; a GameFuse user
/// by its GameFuse id and by its e-mail (any case).
async fn a_player_is_shown(b: Backend) {
    let Some(ThreePlayers { srv, vic, zed, .. }) = three_players(b).await else {
        return;
    };
    let r = srv.admin(&vic).get(&player(&srv, "u-1")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["profile"]["username"], "ann");
    assert_eq!(r.json["sessions"]["total"], 1);
    assert_eq!(r.json["sessions"]["active"], 1);
    assert_eq!(r.json["ban"], Value::Null);
    assert!(r.json["wallet_address"].as_str().is_some_and(|w| w.starts_with("0x")));
    assert!(
        !r.text.contains("wallet_key") && !r.text.contains("sealed"),
        "{}",
        r.text
    );
    for key in [
        zed.to_string(),
        "zed@example.org".to_owned(),
        "ZED@example.org".to_owned(),
    ] {
        let r = srv.admin(ADMIN).get(&player(&srv, &key)).await;
        assert_eq!(r.status, 200, "{key}: {}", r.text);
        assert_eq!(r.json["gamefuse_id"], zed);
        assert_eq!(r.json["gamefuse"]["username"], "zed");
    }
    srv.finish().await;
}

/// Tenant data only through its game: another game lists none of them; unknown games and
/// players 404; a wrong token 401.
async fn players_are_scoped_to_their_game(b: Backend) {
    let Some(ThreePlayers { srv, zed, .. }) = three_players(b).await else {
        return;
    };
    let admin = srv.admin(ADMIN);
    let other = srv.new_game("Other").await;
    let there = format!("/admin/v1/games/{}/players", other.game.id.0);
    assert_eq!(user_ids(&admin.get(&there).await), Vec::<String>::new());
    assert_error(&admin.get(&format!("{there}/u-1")).await, 404, "not_found", None);
    assert_error(&admin.get(&format!("{there}/{zed}")).await, 404, "not_found", None);
    assert_error(&admin.get("/admin/v1/games/999/players").await, 404, "not_found", None);
    assert_error(
        &admin.get("/admin/v1/games/x/players/u-1").await,
        404,
        "not_found",
        None,
    );
    assert_error(&admin.get(&player(&srv, "nobody")).await, 404, "not_found", None);
    assert_error(&srv.admin("wrong").get(&players(&srv)).await, 401, "unauthorized", None);
    srv.finish().await;
}

/// A server with a viewer (`vic`), the KGeN player u-1 (its session's answer) and the
/// GameFuse user zed (id and token).
struct Banned {
    srv: TestServer,
    vic: String,
    s: Value,
    zed: i64,
    zed_token: String,
}

/// A ban ends the player's sessions and refuses new ones at once, on KGeN and GameFuse
/// alike; unbans; both audited.
async fn a_ban_ends_sessions_and_refuses_new_ones_on_every_dialect(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let vic = viewer(&srv).await;
    let s = open(&srv, "u-1", "ann").await;
    let (zed, zed_token) = gamefuse_user(&srv, "zed@example.org", "zed").await;
    let f = Banned {
        srv,
        vic,
        s,
        zed,
        zed_token,
    };
    kgen_player_banned(&f).await;
    gamefuse_user_banned(&f).await;
    players_unbanned(&f).await;
    bans_audited(&f).await;
    f.srv.finish().await;
}

/// Bans need an admin and a reason; banned, the KGeN player's tokens fail at once and a
/// new session is refused with the reason.
async fn kgen_player_banned(f: &Banned) {
    let (srv, admin) = (&f.srv, f.srv.admin(ADMIN));
    let ban = format!("{}/ban", player(srv, "u-1"));
    assert_error(
        &srv.admin(&f.vic).post(&ban, r#"{"reason": "x"}"#).await,
        403,
        "forbidden",
        None,
    );
    assert_error(&admin.post(&ban, "{}").await, 400, "invalid_request", Some("reason"));
    assert_error(
        &admin.post(&ban, r#"{"reason": "  "}"#).await,
        400,
        "invalid_request",
        Some("reason"),
    );
    let long = json!({"reason": "r".repeat(501)}).to_string();
    assert_error(&admin.post(&ban, &long).await, 400, "invalid_request", Some("reason"));
    assert_error(&admin.post(&ban, "[1]").await, 400, "invalid_request", None);
    let access = f.s["access_token"].as_str().unwrap_or_default();
    assert_eq!(srv.kgen().verify(access).await.json["valid"], true);

    let r = admin.post(&ban, r#"{"reason": "aimbot"}"#).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.json["banned"].as_bool(), r.json["sessions_ended"].as_u64()),
        (Some(true), Some(1))
    );
    assert_eq!(r.json["ban"]["reason"], "aimbot");
    let v = srv.kgen().verify(access).await;
    assert_eq!(v.json["valid"], false, "{}", v.text);
    let refreshed = srv
        .kgen()
        .refresh(f.s["refresh_token"].as_str().unwrap_or_default())
        .await;
    assert_error(&refreshed, 401, "unauthorized", None);
    let r = srv.kgen().open(r#"{"user_id": "u-1"}"#).await;
    assert_error(&r, 403, "forbidden", None);
    assert!(
        r.json["message"].as_str().is_some_and(|m| m.contains("aimbot")),
        "{}",
        r.text
    );
    let shown = admin.get(&player(srv, "u-1")).await;
    assert_eq!(shown.json["ban"]["reason"], "aimbot");
    assert_eq!(shown.json["sessions"]["active"], 0);
}

/// GameFuse: the token stops working, sign-in is refused with the reason; a wrong password
/// learns nothing of the ban.
async fn gamefuse_user_banned(f: &Banned) {
    let (srv, zed) = (&f.srv, f.zed);
    assert_eq!(gamefuse_call(srv, zed, &f.zed_token).await, 200);
    let r = srv
        .admin(ADMIN)
        .post(&format!("{}/{zed}/ban", players(srv)), r#"{"reason": "spam"}"#)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(gamefuse_call(srv, zed, &f.zed_token).await, 401);
    let r = srv.gamefuse().sign_in("zed@example.org", "password-1").await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert!(r.text.contains("spam"), "{}", r.text);
    assert_eq!(srv.gamefuse().sign_in("zed@example.org", "wrong").await.status, 404);
}

/// Unbans (admins only): both open sessions again.
async fn players_unbanned(f: &Banned) {
    let (srv, admin, zed) = (&f.srv, f.srv.admin(ADMIN), f.zed);
    let unban = format!("{}/unban", player(srv, "u-1"));
    assert_error(&srv.admin(&f.vic).post(&unban, "").await, 403, "forbidden", None);
    let r = admin.post(&unban, "").await;
    assert_eq!((r.status, r.json["banned"].as_bool()), (200, Some(false)), "{}", r.text);
    srv.open(r#"{"user_id": "u-1"}"#).await;
    let r = admin.post(&format!("{}/{zed}/unban", players(srv)), "").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        srv.gamefuse().sign_in("zed@example.org", "password-1").await.status,
        200
    );
}

/// Each ban and unban audited, by the operator, about the player, with the reason.
async fn bans_audited(f: &Banned) {
    let srv = &f.srv;
    let banned = audited(srv, "player.banned").await;
    assert_eq!(banned.len(), 2);
    let e = &banned[1];
    assert_eq!(e["actor"], "operator:config");
    assert_eq!(e["subject"], "player:u-1");
    assert_eq!(e["game_id"], srv.game.game.id.0);
    assert_eq!(e["detail"]["reason"], "aimbot");
    assert_eq!(e["detail"]["sessions_ended"], 1);
    assert_eq!(e["detail"]["before"]["banned"], false);
    let unbanned = audited(srv, "player.unbanned").await;
    assert_eq!(unbanned.len(), 2);
    assert_eq!(unbanned[1]["detail"]["before"]["reason"], "aimbot");
}

/// A server with a viewer (`vic`).
struct WithViewer {
    srv: TestServer,
    vic: String,
}

/// Sessions shown, listed and ended: one, a player's, a game's; audited.
async fn sessions_are_listed_and_ended(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let vic = viewer(&srv).await;
    let f = WithViewer { srv, vic };
    let sid = one_session_shown_and_ended(&f).await;
    let second = sessions_listed_and_paged(&f, &sid).await;
    sessions_of_a_player_ended(&f, &second).await;
    sessions_of_a_game_ended(&f).await;
    session_ends_audited(&f, &sid).await;
    f.srv.finish().await;
}

/// One session shown (to a viewer) and ended (by an admin, once); unknown ids 404. Its id.
async fn one_session_shown_and_ended(f: &WithViewer) -> String {
    let (srv, admin) = (&f.srv, f.srv.admin(ADMIN));
    let first = open(srv, "u-1", "ann").await;
    let sid = first["session_id"].as_str().expect("sid").to_owned();
    let one = format!("/admin/v1/sessions/{sid}");
    let r = srv.admin(&f.vic).get(&one).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.json["user_id"].as_str(), r.json["kind"].as_str()),
        (Some("u-1"), Some("kgen"))
    );
    assert_eq!(
        (r.json["state"].as_str(), r.json["live"].as_bool()),
        (Some("active"), Some(true))
    );
    assert_error(&srv.admin(&f.vic).delete(&one).await, 403, "forbidden", None);
    let r = admin.delete(&one).await;
    assert_eq!((r.status, r.json["state"].as_str()), (200, Some("ended")), "{}", r.text);
    assert_error(&admin.delete(&one).await, 409, "conflict", None);
    assert_eq!(
        srv.kgen()
            .verify(first["access_token"].as_str().unwrap_or_default())
            .await
            .json["valid"],
        false
    );
    let unknown = format!("/admin/v1/sessions/{}", uuid::Uuid::new_v4());
    assert_error(&admin.get(&unknown).await, 404, "not_found", None);
    assert_error(&admin.delete(&unknown).await, 404, "not_found", None);
    assert_error(
        &admin.get("/admin/v1/sessions/not-a-uuid").await,
        404,
        "not_found",
        None,
    );
    sid
}

/// A second session of u-1: the player's sessions newest first, by state, paged; bad
/// queries name their field. The second session's answer.
async fn sessions_listed_and_paged(f: &WithViewer, sid: &str) -> Value {
    let (srv, admin) = (&f.srv, f.srv.admin(ADMIN));
    srv.advance(std::time::Duration::from_secs(1));
    let second = open(srv, "u-1", "ann").await;
    let list = format!("{}/sessions", player(srv, "u-1"));
    let r = srv.admin(&f.vic).get(&list).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(items(&r).len(), 2);
    assert_eq!(items(&r)[0]["id"], second["session_id"], "newest first");
    let active = admin.get(&format!("{list}?state=active")).await;
    assert_eq!(items(&active).len(), 1);
    assert_eq!(items(&active)[0]["id"], second["session_id"]);
    let ended = admin.get(&format!("{list}?state=ended")).await;
    assert_eq!(items(&ended)[0]["id"], sid);
    let page = admin.get(&format!("{list}?limit=1")).await;
    let cursor = page.json["next_cursor"].as_str().expect("cursor").to_owned();
    let next = admin.get(&format!("{list}?limit=1&cursor={cursor}")).await;
    assert_eq!(items(&next)[0]["id"], sid, "{}", next.text);
    assert_eq!(next.json["next_cursor"], Value::Null);
    for (query, field) in [("state=gone", "state"), ("cursor=zz", "cursor"), ("limit=-1", "limit")] {
        assert_error(
            &admin.get(&format!("{list}?{query}")).await,
            400,
            "invalid_request",
            Some(field),
        );
    }
    second
}

/// "Log out everywhere": the KGeN session and the GameFuse token of the player end.
async fn sessions_of_a_player_ended(f: &WithViewer, second: &Value) {
    let (srv, admin) = (&f.srv, f.srv.admin(ADMIN));
    let (zed, zed_token) = gamefuse_user(srv, "zed@example.org", "zed").await;
    let end_all = format!("{}/sessions/end-all", player(srv, "u-1"));
    assert_error(&srv.admin(&f.vic).post(&end_all, "").await, 403, "forbidden", None);
    let r = admin.post(&end_all, "").await;
    assert_eq!(
        (r.status, r.json["sessions_ended"].as_u64()),
        (200, Some(1)),
        "{}",
        r.text
    );
    let v = srv
        .kgen()
        .verify(second["access_token"].as_str().unwrap_or_default())
        .await;
    assert_eq!(v.json["valid"], false, "{}", v.text);
    let r = admin
        .post(&format!("{}/{zed}/sessions/end-all", players(srv)), "")
        .await;
    assert_eq!(r.json["sessions_ended"], 1, "{}", r.text);
    assert_eq!(gamefuse_call(srv, zed, &zed_token).await, 401);
    let gf = admin.get(&format!("{}/{zed}/sessions", players(srv))).await;
    assert_eq!(items(&gf)[0]["state"], "ended");
}

/// A whole game's sessions ended (admins only); an unknown game 404.
async fn sessions_of_a_game_ended(f: &WithViewer) {
    let (srv, admin) = (&f.srv, f.srv.admin(ADMIN));
    let again = open(srv, "u-2", "bob").await;
    let game_end = format!("/admin/v1/games/{}/sessions/end-all", srv.game.game.id.0);
    assert_error(&srv.admin(&f.vic).post(&game_end, "").await, 403, "forbidden", None);
    let r = admin.post(&game_end, "").await;
    assert_eq!(
        (r.status, r.json["sessions_ended"].as_u64()),
        (200, Some(1)),
        "{}",
        r.text
    );
    assert_eq!(
        srv.kgen()
            .verify(again["access_token"].as_str().unwrap_or_default())
            .await
            .json["valid"],
        false
    );
    assert_error(
        &admin.post("/admin/v1/games/999/sessions/end-all", "").await,
        404,
        "not_found",
        None,
    );
}

/// The session ended alone and the three "end all"s (game, GameFuse user, KGeN player),
/// newest first, in the audit log.
async fn session_ends_audited(f: &WithViewer, sid: &str) {
    let srv = &f.srv;
    let ended_one = audited(srv, "session.ended").await;
    assert_eq!(ended_one.len(), 1);
    assert_eq!(ended_one[0]["subject"], format!("session:{sid}"));
    assert_eq!(ended_one[0]["detail"]["player"], "u-1");
    let all = audited(srv, "sessions.ended_all").await;
    let subjects: Vec<&str> = all.iter().filter_map(|e| e["subject"].as_str()).collect();
    assert_eq!(
        subjects,
        [
            format!("game:{}", srv.game.game.id.0).as_str(),
            "player:zed@example.org",
            "player:u-1"
        ]
    );
    assert_eq!(all[2]["detail"]["sessions_ended"], 1);
}

/// A GameFuse call with a user's token and a JSON body: the answer, asserted 2xx.
async fn gf(srv: &TestServer, method: &str, path: &str, token: &str, body: Value) -> Value {
    let r = srv.gamefuse().signed_in(token).call(method, path, Some(&body)).await;
    assert!(r.status < 300, "{method} {path}: {} {}", r.status, r.text);
    r.json
}

/// Every `table.column` of the schema that refers to `players`, read from the database's
/// own catalogue (so a table added later is checked too).
async fn player_references(srv: &TestServer) -> Vec<(String, String)> {
    let sql = if srv.db.url.starts_with("sqlite://") {
        "SELECT m.name || '.' || f.\"from\" FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f \
         WHERE m.type = 'table' AND f.\"table\" = 'players'"
    } else {
        "SELECT CAST(tc.table_name AS TEXT) || '.' || CAST(kcu.column_name AS TEXT) \
         FROM information_schema.table_constraints tc \
         JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name \
         AND kcu.table_schema = tc.table_schema \
         JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name \
         AND ccu.table_schema = tc.table_schema \
         WHERE tc.constraint_type = 'FOREIGN KEY' AND ccu.table_name = 'players' \
         AND tc.table_schema = current_schema()"
    };
    let mut refs: Vec<(String, String)> = srv
        .db_strings(sql)
        .await
        .into_iter()
        .filter_map(|s| s.split_once('.').map(|(t, c)| (t.to_owned(), c.to_owned())))
        .collect();
    refs.sort();
    refs.dedup();
    refs
}

/// Ann and Bob of GameFuse (ids and tokens), and what Ann has and did: an attribute,
/// credits, a purchase, a leaderboard entry, a friend request to Bob, a group with an
/// attribute, a chat with Bob (Bob answered), a game round, a ban lifted.
struct Seeded {
    ann: i64,
    ta: String,
    bob: i64,
    tb: String,
    group_id: i64,
    chat_id: i64,
}

/// The export holds everything stored of a player; erasure (confirmed, by an admin) then
/// leaves no row of it.
async fn erasure_leaves_no_row_and_export_holds_everything(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let vic = viewer(&srv).await;
    let seeded = ann_seeded(&srv).await;
    export_holds_everything(&srv, &vic, &seeded).await;
    erasure_refused_without_confirmation(&srv, &vic, seeded.ann).await;
    erasure_leaves_no_row(&srv, &seeded).await;
    srv.finish().await;
}

async fn ann_seeded(srv: &TestServer) -> Seeded {
    let admin = srv.admin(ADMIN);
    let gid = srv.game.game.id.0;
    let (ann, ta) = gamefuse_user(srv, "ann@example.org", "ann").await;
    let (bob, tb) = gamefuse_user(srv, "bob@example.org", "bob").await;
    let item = admin
        .post(
            &format!("/admin/gamefuse/games/{gid}/store_items"),
            r#"{"name": "Sword of Seeding", "cost": 5}"#,
        )
        .await;
    assert!(item.status < 300, "{}", item.text);
    let item_id = item.json["id"].as_i64().expect("item id");
    let me = |p: &str| format!("/users/{ann}/{p}");
    for (path, body) in [
        (
            me("add_game_user_attribute"),
            json!({"key": "color", "value": "teal-seed"}),
        ),
        (me("add_credits"), json!({"credits": 12})),
        (me("purchase_game_user_store_item"), json!({"store_item_id": item_id})),
        (
            me("add_leaderboard_entry"),
            json!({"leaderboard_name": "Seeds", "score": 4242}),
        ),
        ("/friendships".to_owned(), json!({"username": "bob"})),
    ] {
        gf(srv, "POST", &path, &ta, body).await;
    }
    let (group_id, chat_id) = ann_in_a_group_a_chat_and_a_round(srv, ann, &ta, &tb).await;
    let ban = format!("{}/{ann}/ban", players(srv));
    assert_eq!(admin.post(&ban, r#"{"reason": "seeded reason"}"#).await.status, 200);
    assert_eq!(
        admin.post(&format!("{}/{ann}/unban", players(srv)), "").await.status,
        200
    );
    Seeded {
        ann,
        ta,
        bob,
        tb,
        group_id,
        chat_id,
    }
}

/// Ann makes a group with an attribute, a chat with Bob (who answers) and a solo game
/// round: the group's and the chat's ids.
async fn ann_in_a_group_a_chat_and_a_round(srv: &TestServer, ann: i64, ta: &str, tb: &str) -> (i64, i64) {
    let group = gf(
        srv,
        "POST",
        "/groups",
        ta,
        json!({"group": {"name": "Seeders", "can_auto_join": true}}),
    )
    .await;
    let group_id = group["id"].as_i64().expect("group id");
    gf(
        srv,
        "POST",
        &format!("/groups/{group_id}/add_attribute"),
        ta,
        json!({"attributes": [{"key": "motto", "value": "grow-seed", "others_can_edit": false}]}),
    )
    .await;
    let chat = gf(
        srv,
        "POST",
        "/chats",
        ta,
        json!({"text": "hi bob seed", "usernames": ["bob"]}),
    )
    .await;
    let chat_id = chat["id"].as_i64().expect("chat id");
    gf(
        srv,
        "POST",
        "/messages",
        tb,
        json!({"message": {"chat_id": chat_id, "text": "hi ann"}}),
    )
    .await;
    gf(
        srv,
        "POST",
        "/game_rounds",
        ta,
        json!({"game_round": {"game_type": "seed-solo", "game_user_id": ann, "score": 7.5}, "multiplayer": false}),
    )
    .await;
    (group_id, chat_id)
}

/// The export holds every seeded item, and no secret; an unknown player 404.
async fn export_holds_everything(srv: &TestServer, vic: &str, s: &Seeded) {
    let export = format!("{}/{}/export", players(srv), s.ann);
    let r = srv.admin(vic).get(&export).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let data = &r.json["data"];
    assert_eq!(r.json["format"], "playgate.player-export/1");
    let has = |section: &str, needle: &str| {
        let rows = data[section].to_string();
        assert!(rows.contains(needle), "{section} lacks {needle}: {rows}");
    };
    has("player", "ann@example.org");
    has("player", r#""wallet_address":"0x"#);
    has("gamefuse_user", r#""credits":7"#);
    has("sessions", r#""state":"ended""#);
    has("attributes", "teal-seed");
    has("purchases", "Sword of Seeding");
    has("leaderboard_entries", "4242");
    has("friendships", &format!(r#""addressee_id":{}"#, s.bob));
    has("group_connections", &format!(r#""group_id":{}"#, s.group_id));
    has("group_attributes_created", "grow-seed");
    has("chats_created", &format!(r#""id":{}"#, s.chat_id));
    has("chat_participation", &format!(r#""chat_id":{}"#, s.chat_id));
    has("messages_sent", "hi bob seed");
    has("message_reads", r#""message_id""#);
    has("game_rounds", "seed-solo");
    has("audit_events", "seeded reason");
    // The GameFuse sign-up's event is about the player too.
    has("audit_events", "session.opened");
    for secret in ["password_hash", "wallet_key", "token_hash", "refresh_hash"] {
        assert!(!r.text.contains(secret), "{secret} exported");
    }
    assert_error(
        &srv.admin(ADMIN).get(&format!("{}/nobody/export", players(srv))).await,
        404,
        "not_found",
        None,
    );
}

/// Erasure needs the confirmation, and an admin.
async fn erasure_refused_without_confirmation(srv: &TestServer, vic: &str, ann: i64) {
    let admin = srv.admin(ADMIN);
    let del = format!("{}/{ann}", players(srv));
    assert_error(
        &srv.admin(vic)
            .call("DELETE", &del, Some(&json!({"confirm": ann.to_string()}).to_string()))
            .await,
        403,
        "forbidden",
        None,
    );
    assert_error(&admin.delete(&del).await, 400, "invalid_request", Some("confirm"));
    assert_error(
        &admin.call("DELETE", &del, Some(r#"{"confirm": "someone else"}"#)).await,
        400,
        "invalid_request",
        Some("confirm"),
    );
}

/// The `table.column`s of `refs` that still hold a row referring to player `id`.
async fn rows_of(srv: &TestServer, refs: &[(String, String)], id: i64) -> Vec<String> {
    let mut left = Vec::new();
    for (table, col) in refs {
        let n = srv
            .db_strings(&format!(
                "SELECT CAST(COUNT(*) AS TEXT) FROM {table} WHERE {col} = {id}"
            ))
            .await;
        if n != ["0"] {
            left.push(format!("{table}.{col}"));
        }
    }
    left
}

/// Erased: no row of Ann is left, table by table; what Bob needs is kept without her;
/// audited.
async fn erasure_leaves_no_row(srv: &TestServer, s: &Seeded) {
    let (admin, ann) = (srv.admin(ADMIN), s.ann);
    let del = format!("{}/{ann}", players(srv));
    let refs = player_references(srv).await;
    assert!(refs.len() >= 15, "{refs:?}");
    assert!(!rows_of(srv, &refs, ann).await.is_empty(), "the seed refers to Ann");
    let r = admin
        .call("DELETE", &del, Some(&json!({"confirm": ann.to_string()}).to_string()))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["deleted"]["players"], 1);
    assert_eq!(r.json["anonymised"]["chat_messages"], 1);

    assert_eq!(rows_of(srv, &refs, ann).await, Vec::<String>::new());
    assert_eq!(
        srv.db_strings(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM players WHERE id = {ann}"))
            .await,
        ["0"]
    );
    assert_eq!(
        srv.db_strings(&format!(
            "SELECT text FROM chat_messages WHERE chat_id = {} ORDER BY id",
            s.chat_id
        ))
        .await,
        ["hi bob seed", "hi ann"]
    );
    assert_eq!(
        srv.db_strings("SELECT value FROM group_attributes WHERE creator_id IS NULL")
            .await,
        ["grow-seed"]
    );
    assert_eq!(gamefuse_call(srv, ann, &s.ta).await, 401);
    assert_eq!(gamefuse_call(srv, s.bob, &s.tb).await, 200);
    let r = srv.gamefuse().sign_in("bob@example.org", "password-1").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_error(&admin.get(&del).await, 404, "not_found", None);
    let deleted = audited(srv, "player.deleted").await;
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["subject"], "player:ann@example.org");
    assert_eq!(deleted[0]["detail"]["deleted"]["players"], 1);
}

playgate_store::on_both_backends!(
    players_are_found_and_paged,
    a_player_is_shown,
    players_are_scoped_to_their_game,
    a_ban_ends_sessions_and_refuses_new_ones_on_every_dialect,
    sessions_are_listed_and_ended,
    erasure_leaves_no_row_and_export_holds_everything,
);
