//! The web console (`/console`): over raw HTTP (security headers, the synchronizer token,
//! roles, lockout, idle timeout), and end to end in a real browser: Debian's Chromium,
//! headless, driven through chromedriver (WebDriver).
//!
//! Without `/usr/bin/chromium` or `/usr/bin/chromedriver` the browser tests are skipped with
//! a message, so that `cargo test` runs on a fresh machine; `.ci/run` installs both
//! (`scripts/browser-deps`) and sets `PLAYGATE_REQUIRE_BROWSER_TESTS=1`, under which a
//! missing browser fails them instead. Screenshots of the main pages go to
//! `$CARGO_TARGET_TMPDIR/console-screenshots/` (`target/tmp/console-screenshots/`).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use playgate_core::console::Console;
use playgate_core::operators::{Operators, Role};
use playgate_core::totp;
use playgate_server::startup;
use reqwest::redirect::Policy;

use crate::common::{Backend, Resp, TestServer, kgen, spawn};

const PASSWORD: &str = "correct horse battery";

/// The console service on the server's database, as `playgate operator create --console`
/// uses it.
async fn console(srv: &TestServer) -> (Operators, Console) {
    let store = startup::open_store(&srv.config).await.expect("store");
    let ops = Operators::new(store.clone(), srv.clock.clone());
    let console = Console::new(store, srv.running.core.clone());
    (ops, console)
}

async fn operator(srv: &TestServer, name: &str, role: Role) {
    let (_, console) = console(srv).await;
    console
        .create_operator(name, role, &playgate_core::crypto::Secret::new(PASSWORD))
        .await
        .expect("operator");
}

/// A client that keeps cookies and does not follow redirects.
fn browserless() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// The value of the first `name="csrf"` field of a page.
fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field");
    let rest = &html[at + 19..];
    rest[..rest.find('"').expect("end")].to_owned()
}

/// Signs `name` in over raw HTTP (no TOTP enrolled); returns the client (its cookie jar
/// holds the session) and a page's synchronizer token.
async fn sign_in_http(srv: &TestServer, name: &str) -> (reqwest::Client, String) {
    let http = browserless();
    let (_, page) = get(&http, srv, "/console/sign-in").await;
    let r = http
        .post(format!("{}/console/sign-in", srv.base))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("name", name),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/console");
    let cookie = r.headers()["set-cookie"].to_str().expect("cookie").to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    let (_, page) = get(&http, srv, "/console/me").await;
    (http, csrf_of(&page))
}

/// Every console answer carries the security headers; a page needs a session.
async fn pages_need_a_session_and_carry_the_security_headers(b: Backend) {
    let Some(srv) = spawn(b).await else { return };
    let http = browserless();
    for path in ["/console", "/console/games", "/console/audit", "/console/operators"] {
        let r = http.get(format!("{}{path}", srv.base)).send().await.expect("get");
        assert_eq!(r.status(), 303, "{path}");
        assert_eq!(r.headers()["location"], "/console/sign-in");
        let csp = r.headers()["content-security-policy"].to_str().expect("csp");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert_eq!(r.headers()["x-frame-options"], "DENY");
    }
    let r = http
        .get(format!("{}/console/assets/console.css", srv.base))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/css"))
    );
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    // The wire APIs' answers carry none of it: the layer is on the console's routes only.
    let r = srv
        .kgen()
        .call("POST", "/s2s/session", Some(r#"{"user_id":"p"}"#))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(!r.headers.contains_key("content-security-policy"));
    srv.finish().await;
}

/// A form without the session's token, or with another session's, is refused 403 and
/// changes nothing; a viewer's change is refused 403 too.
async fn forged_forms_and_viewers_are_refused(b: Backend) {
    let Some(AdaAndVic {
        srv,
        ada,
        ada_csrf,
        vic,
        vic_csrf,
    }) = AdaAndVic::new(b).await
    else {
        return;
    };
    let url = format!("{}/console/games/{}/variables", srv.base, srv.game.game.id);
    let set = |http: &reqwest::Client, csrf: Option<&str>| {
        let mut form = vec![("key", "wind"), ("value", "storm")];
        if let Some(c) = csrf {
            form.push(("csrf", c));
        }
        http.post(&url).form(&form).send()
    };
    let r = set(&ada, None).await.expect("post");
    assert_eq!(r.status(), 403);
    assert!(r.text().await.expect("body").contains("security token"));
    let r = set(&ada, Some(&vic_csrf)).await.expect("post");
    assert_eq!(r.status(), 403);
    let r = set(&vic, Some(&vic_csrf)).await.expect("post");
    assert_eq!(r.status(), 403);
    assert!(r.text().await.expect("body").contains("viewer"));
    let (_, page) = get(&ada, &srv, &format!("/console/games/{}", srv.game.game.id)).await;
    assert!(!page.contains("storm"), "nothing changed");
    let r = set(&ada, Some(&ada_csrf)).await.expect("post");
    assert_eq!(r.status(), 303);
    let (_, page) = get(&ada, &srv, &format!("/console/games/{}", srv.game.game.id)).await;
    assert!(page.contains("storm"));
    let (_, r) = get(&ada, &srv, "/console/audit?action=game_variable.set").await;
    assert!(r.contains("operator:ada"), "{r}");
    srv.finish().await;
}

/// Wrong passwords lock the name out (a right one is then refused too), and are audited;
/// an idle session ends; "sign out everywhere" ends every session.
async fn lockout_idle_timeout_and_sign_out_everywhere(b: Backend) {
    let Some(srv) = spawn(b).await else { return };
    operator(&srv, "ada", Role::Admin).await;
    let (http, csrf) = sign_in_http(&srv, "ada").await;
    let (other, _) = sign_in_http(&srv, "ada").await;

    // Idle: 31 minutes without a request end the session.
    srv.advance(Duration::from_secs(31 * 60));
    let r = http.get(format!("{}/console", srv.base)).send().await.expect("get");
    assert_eq!(r.status(), 303, "idle session refused");
    let (http, csrf2) = sign_in_http(&srv, "ada").await;
    let _ = csrf;
    let r = http
        .post(format!("{}/console/sign-out-everywhere", srv.base))
        .form(&[("csrf", csrf2.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    for c in [&http, &other] {
        let r = c.get(format!("{}/console", srv.base)).send().await.expect("get");
        assert_eq!(r.status(), 303, "signed out everywhere");
    }

    let fresh = browserless();
    let (_, page) = get(&fresh, &srv, "/console/sign-in").await;
    let token = csrf_of(&page);
    let attempt = |password: &'static str| {
        fresh
            .post(format!("{}/console/sign-in", srv.base))
            .form(&[("csrf", token.as_str()), ("name", "ada"), ("password", password)])
            .send()
    };
    let mut statuses = Vec::new();
    for _ in 0..11 {
        statuses.push(attempt("wrong password!").await.expect("post").status().as_u16());
    }
    assert_eq!(statuses[0], 401);
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    let r = attempt(PASSWORD).await.expect("post");
    assert_eq!(r.status(), 429, "locked out, the right password too");
    let store = startup::open_store(&srv.config).await.expect("store");
    let audit = playgate_core::audit::Audit::new(store, srv.clock.clone());
    let failed = audit
        .list(playgate_core::audit::AuditFilter {
            action: Some("console.sign_in_failed".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(failed.items.len(), 12, "{:?}", failed.items);
    assert_eq!(failed.items[0].detail["reason"], "locked_out");
    assert_eq!(failed.items[0].actor, "operator:ada");
    srv.finish().await;
}

/// GET `path`: the status and the body.
async fn get(http: &reqwest::Client, srv: &TestServer, path: &str) -> (u16, String) {
    let r = http.get(format!("{}{path}", srv.base)).send().await.expect("get");
    (r.status().as_u16(), r.text().await.expect("body"))
}

/// POST a form to `path` (with `csrf` when given): the status and the body.
async fn post(
    http: &reqwest::Client,
    srv: &TestServer,
    path: &str,
    csrf: Option<&str>,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    if let Some(c) = csrf {
        form.push(("csrf", c));
    }
    let r = http
        .post(format!("{}{path}", srv.base))
        .form(&form)
        .send()
        .await
        .expect("post");
    (r.status().as_u16(), r.text().await.expect("body"))
}

/// A server with the admin `ada` and the viewer `vic`, each signed in over raw HTTP with a
/// page's synchronizer token.
struct AdaAndVic {
    srv: TestServer,
    ada: reqwest::Client,
    ada_csrf: String,
    vic: reqwest::Client,
    vic_csrf: String,
}

impl AdaAndVic {
    async fn new(b: Backend) -> Option<AdaAndVic> {
        let srv = spawn(b).await?;
        operator(&srv, "ada", Role::Admin).await;
        operator(&srv, "vic", Role::Viewer).await;
        let (ada, ada_csrf) = sign_in_http(&srv, "ada").await;
        let (vic, vic_csrf) = sign_in_http(&srv, "vic").await;
        Some(AdaAndVic {
            srv,
            ada,
            ada_csrf,
            vic,
            vic_csrf,
        })
    }

    /// The form at `path` refused to the viewer (403) and to the admin without the token
    /// (403).
    async fn refused(&self, path: &str, fields: &[(&str, &str)]) {
        let (status, body) = post(&self.vic, &self.srv, path, Some(&self.vic_csrf), fields).await;
        assert_eq!(status, 403, "viewer: {path}");
        assert!(body.contains("viewer"), "{body}");
        let (status, body) = post(&self.ada, &self.srv, path, None, fields).await;
        assert_eq!(status, 403, "no token: {path}");
        assert!(body.contains("security token"), "{body}");
    }

    /// The admin posts the form at `path` with her token: the status and the body.
    async fn ada_posts(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        post(&self.ada, &self.srv, path, Some(&self.ada_csrf), fields).await
    }

    /// The admin posts the form at `path` with her token, and the change is made (303 to
    /// the next page).
    async fn ada_changes(&self, path: &str, fields: &[(&str, &str)]) {
        let (status, body) = self.ada_posts(path, fields).await;
        assert_eq!(status, 303, "{path}: {body}");
    }

    /// The form at `path` refused to the viewer and to the admin without the token; the
    /// admin with it makes the change.
    async fn only_ada_changes(&self, path: &str, fields: &[(&str, &str)]) {
        self.refused(path, fields).await;
        self.ada_changes(path, fields).await;
    }

    /// The admin posts the form at `path` with her token, and it is refused as invalid
    /// (400): the page with the errors.
    async fn ada_invalid(&self, path: &str, fields: &[(&str, &str)]) -> String {
        let (status, page) = self.ada_posts(path, fields).await;
        assert_eq!(status, 400, "{path}: {page}");
        page
    }

    /// The admin's GET of `path`.
    async fn ada_gets(&self, path: &str) -> (u16, String) {
        get(&self.ada, &self.srv, path).await
    }

    /// The viewer's GET of `path`.
    async fn vic_gets(&self, path: &str) -> (u16, String) {
        get(&self.vic, &self.srv, path).await
    }

    /// The page at `path` as the admin sees it (asserts 200).
    async fn ada_page(&self, path: &str) -> String {
        let (status, page) = self.ada_gets(path).await;
        assert_eq!(status, 200, "{path}: {page}");
        page
    }

    /// The page at `path` as the viewer sees it (asserts 200).
    async fn vic_page(&self, path: &str) -> String {
        let (status, page) = self.vic_gets(path).await;
        assert_eq!(status, 200, "{path}: {page}");
        page
    }

    /// Asserts that the admin's GET of `path` is 404.
    async fn not_found(&self, path: &str) {
        let (status, page) = self.ada_gets(path).await;
        assert_eq!(status, 404, "{path}: {page}");
    }

    /// `{page}/delete` takes the `confirm` field typed exactly (`right`, not `wrong`):
    /// refused to others, the wrong one with the error at `error_id`, then the page is gone.
    async fn deleted_when_typed(&self, page: &str, (right, wrong): (&str, &str), error_id: &str) {
        let delete = format!("{page}/delete");
        self.refused(&delete, &[("confirm", right)]).await;
        let errors = self.ada_invalid(&delete, &[("confirm", wrong)]).await;
        assert!(errors.contains(&format!("id=\"{error_id}\"")), "{errors}");
        self.ada_changes(&delete, &[("confirm", right)]).await;
        self.not_found(page).await;
    }

    /// The audit log's page, as the admin sees it, lists each of `actions` done by her;
    /// then the server stops.
    async fn finish_audited(self, actions: &[&str]) {
        let audit = self.ada_page("/console/audit?actor=operator:ada").await;
        for action in actions {
            assert!(audit.contains(action), "{action} in {audit}");
        }
        self.srv.finish().await;
    }
}

/// Players: search (the page, and the results alone for the script), a player's page,
/// export as a download, end one session and all, ban (a reason required, next to its
/// field) and unban, erase with the typed user id; viewers and forged forms refused;
/// every change in the audit log under the operator's name.
async fn players_in_the_console(b: Backend) {
    let Some(s) = AdaAndVic::new(b).await else { return };
    let one = s.srv.kgen().open(r#"{"user_id":"p-1"}"#).await;
    assert_eq!(one.status, 200, "{}", one.text);
    let other = s.srv.kgen().open(r#"{"user_id":"q-2"}"#).await;
    assert_eq!(other.status, 200, "{}", other.text);
    let wallet = one.json["wallet_address"].as_str().expect("wallet");
    let player = format!("/console/games/{}/players/p-1", s.srv.game.game.id);
    players_searched(&s, wallet).await;
    player_shown_and_exported(&s, &player, wallet).await;
    player_sessions_ended(&s, &player, &one, &other).await;
    player_banned_and_unbanned(&s, &player).await;
    player_erased(&s, &player).await;
    s.finish_audited(&[
        "session.ended",
        "sessions.ended_all",
        "player.banned",
        "player.unbanned",
        "player.deleted",
    ])
    .await;
}

/// Search by user id or wallet address; the results alone for the script; an unknown game.
async fn players_searched(s: &AdaAndVic, wallet: &str) {
    let gid = s.srv.game.game.id;
    let page = s.vic_page(&format!("/console/games/{gid}/players?q=p-")).await;
    assert!(page.contains("p-1") && !page.contains("q-2"), "{page}");
    assert!(page.contains("data-search=\"/console/games/"), "{page}");
    let (status, page) = s
        .vic_gets(&format!("/console/games/{gid}/players?q={}", &wallet[..10]))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("p-1"), "by wallet address: {page}");
    let r = s
        .ada
        .get(format!("{}/console/games/{gid}/players?q=q", s.srv.base))
        .header("x-console-fragment", "1")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    let fragment = r.text().await.expect("body");
    assert!(fragment.contains("q-2") && !fragment.contains("<html"), "{fragment}");
    s.not_found("/console/games/999999/players").await;
}

/// A player's page (no change form for a viewer), an unknown player, and the export: a
/// download of the admin API's document.
async fn player_shown_and_exported(s: &AdaAndVic, player: &str, wallet: &str) {
    let page = s.vic_page(player).await;
    assert!(page.contains(wallet), "{page}");
    assert!(!page.contains("Danger zone"), "a viewer sees no change form");
    let gid = s.srv.game.game.id;
    s.not_found(&format!("/console/games/{gid}/players/nobody")).await;
    let r = s
        .vic
        .get(format!("{}{player}/export", s.srv.base))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    let disposition = r.headers()["content-disposition"].to_str().expect("header").to_owned();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains(".json"),
        "{disposition}"
    );
    let doc: serde_json::Value = r.json().await.expect("json");
    assert_eq!(doc["format"], "playgate.player-export/1");
    assert_eq!(doc["user_id"], "p-1");
}

/// What `POST /s2s/session/verify` says of the access token of a KGeN session answer.
async fn validity(k: &kgen::Kgen<'_>, session: &Resp) -> serde_json::Value {
    let r = k.verify(kgen::token(&session.json, "access_token")).await;
    r.json["valid"].clone()
}

/// End one session (of this player only), then all.
async fn player_sessions_ended(s: &AdaAndVic, player: &str, one: &Resp, other: &Resp) {
    let k = s.srv.kgen();
    let sid = kgen::token(&one.json, "session_id");
    let other_sid = kgen::token(&other.json, "session_id");
    let end_one = format!("{player}/sessions/{sid}/end");
    s.refused(&end_one, &[]).await;
    let (status, _) = s.ada_posts(&format!("{player}/sessions/{other_sid}/end"), &[]).await;
    assert_eq!(status, 404, "another player's session");
    assert_eq!(validity(&k, other).await, true);
    s.ada_changes(&end_one, &[]).await;
    assert_eq!(validity(&k, one).await, false);
    let again = k.open(r#"{"user_id":"p-1"}"#).await;
    let end_all = format!("{player}/sessions/end-all");
    s.refused(&end_all, &[]).await;
    assert_eq!(validity(&k, &again).await, true);
    s.ada_changes(&end_all, &[]).await;
    assert_eq!(validity(&k, &again).await, false);
}

/// Ban: a reason is required (the error next to its field); then banned, and unbanned.
async fn player_banned_and_unbanned(s: &AdaAndVic, player: &str) {
    let ban = format!("{player}/ban");
    s.refused(&ban, &[("reason", "x")]).await;
    let page = s.ada_invalid(&ban, &[("reason", " ")]).await;
    assert!(
        page.contains("id=\"reason-error\""),
        "the error next to its field: {page}"
    );
    s.ada_changes(&ban, &[("reason", "Botting")]).await;
    let page = s.ada_page(player).await;
    assert!(page.contains("Banned") && page.contains("Botting"), "{page}");
    assert!(
        page.contains("player.banned") && page.contains("operator:ada"),
        "{page}"
    );
    assert_ne!(s.srv.kgen().open(r#"{"user_id":"p-1"}"#).await.status, 200, "banned");
    let unban = format!("{player}/unban");
    s.only_ada_changes(&unban, &[]).await;
    assert_eq!(s.srv.kgen().open(r#"{"user_id":"p-1"}"#).await.status, 200, "unbanned");
}

/// Erase: the user id typed exactly.
async fn player_erased(s: &AdaAndVic, player: &str) {
    s.deleted_when_typed(player, ("p-1", "p-2"), "confirm-error").await;
}

/// Games: edit (names and lifetimes, errors next to their field), rotate a secret (shown
/// once; the old one stops working), store items and service keys (a key's token shown
/// once), delete with the typed name; viewers and forged forms
/// refused; the games service records each change under the operator's name.
async fn games_edit_rotate_delete_in_the_console(b: Backend) {
    let Some(s) = AdaAndVic::new(b).await else { return };
    let base = format!("/console/games/{}", s.srv.game.game.id);
    game_edited(&s, &base).await;
    game_secrets_rotated(&s, &base).await;
    game_store_items_and_service_keys(&s, &base).await;
    game_deleted(&s, &base).await;
    s.finish_audited(&[
        "game.updated",
        "game.secret_rotated",
        "game.deleted",
        "store_item.added",
        "store_item.deleted",
        "service_key.created",
        "service_key.deleted",
    ])
    .await;
}

/// The edit page (admins only): bad lifetimes next to their field (what was typed kept);
/// saved, the game's page and its KGeN sessions show the change.
async fn game_edited(s: &AdaAndVic, base: &str) {
    let (status, _) = s.vic_gets(&format!("{base}/edit")).await;
    assert_eq!(status, 403);
    let page = s.ada_page(&format!("{base}/edit")).await;
    assert!(page.contains("<label for=\"access_token_ttl_secs\">"), "{page}");
    let edit = format!("{base}/edit");
    let fields = |access: &'static str| {
        [
            ("name", "Callbreak Deluxe"),
            ("client_name", "CALLBREAK_DELUXE"),
            ("description", "cards"),
            ("access_token_ttl_secs", access),
            ("refresh_token_ttl_secs", ""),
        ]
    };
    s.refused(&edit, &fields("3600")).await;
    let page = s.ada_invalid(&edit, &fields("5")).await;
    assert!(page.contains("id=\"access_token_ttl_secs-error\""), "{page}");
    assert!(
        page.contains("value=\"Callbreak Deluxe\""),
        "what was typed is kept: {page}"
    );
    s.ada_invalid(&edit, &fields("soon")).await;
    s.ada_changes(&edit, &fields("3600")).await;
    let page = s.ada_page(base).await;
    assert!(page.contains("Callbreak Deluxe") && page.contains("3600 s"), "{page}");
    assert!(page.contains("game.updated"), "the game's latest events: {page}");
    let r = s.srv.kgen().open(r#"{"user_id":"u"}"#).await;
    assert_eq!(r.json["third_party_client_name"], "CALLBREAK_DELUXE", "{}", r.text);
}

/// Rotate the KGeN secret: shown once; the old one is refused. Then the GameFuse token.
async fn game_secrets_rotated(s: &AdaAndVic, base: &str) {
    let rotate = format!("{base}/rotate");
    s.refused(&rotate, &[("credential", "kgen")]).await;
    s.ada_invalid(&rotate, &[("credential", "other")]).await;
    let (status, page) = s.ada_posts(&rotate, &[("credential", "kgen")]).await;
    assert_eq!(status, 200);
    let at = page.find("id=\"client-secret\">").expect("the secret") + 19;
    let secret = page[at..at + page[at..].find('<').expect("end")].to_owned();
    assert!(secret.starts_with("pgs_"), "{secret}");
    assert_eq!(
        s.srv.kgen().open(r#"{"user_id":"u"}"#).await.status,
        401,
        "the old secret"
    );
    let r = s
        .srv
        .kgen()
        .with_credentials(&s.srv.game.game.client_id, &secret)
        .open(r#"{"user_id":"u"}"#)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let page = s.ada_page(base).await;
    assert!(!page.contains(&secret), "shown once");
    let (status, page) = s.ada_posts(&rotate, &[("credential", "gamefuse")]).await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"gamefuse-token\""), "{page}");
}

/// GameFuse data: a store item and a service key (its token shown once), added and
/// deleted.
async fn game_store_items_and_service_keys(s: &AdaAndVic, base: &str) {
    let items = format!("{base}/store-items");
    let item = [("name", "Gold pack"), ("category", "coins"), ("cost", "250")];
    s.refused(&items, &item).await;
    s.ada_invalid(&items, &[("name", "x"), ("cost", "lots")]).await;
    s.ada_changes(&items, &item).await;
    let page = s.vic_page(base).await;
    assert!(page.contains("Gold pack") && page.contains("250"), "{page}");
    assert!(!page.contains("/store-items/"), "a viewer gets no delete form");
    let page = s.ada_page(base).await;
    let at = page.find("/store-items/").expect("a delete form") + 13;
    let item_id = page[at..at + page[at..].find('/').expect("end")].to_owned();
    let keys = format!("{base}/service-keys");
    s.refused(&keys, &[("name", "backend")]).await;
    let (status, page) = s.ada_posts(&keys, &[("name", "backend")]).await;
    assert_eq!(status, 201, "{page}");
    let at = page.find("id=\"service-key-token\">").expect("the token") + 24;
    let token = page[at..at + page[at..].find('<').expect("end")].to_owned();
    assert!(token.len() > 20, "{token}");
    let page = s.ada_page(base).await;
    assert!(page.contains("backend") && !page.contains(&token), "shown once: {page}");
    for path in [format!("{items}/{item_id}/delete"), format!("{keys}/backend/delete")] {
        s.only_ada_changes(&path, &[]).await;
    }
    let page = s.ada_page(base).await;
    assert!(
        !page.contains("Gold pack") && !page.contains("id=\"service-keys\""),
        "{page}"
    );
}

/// Delete: the name typed exactly.
async fn game_deleted(s: &AdaAndVic, base: &str) {
    s.deleted_when_typed(base, ("Callbreak Deluxe", "Callbreak"), "delete-confirm-error")
        .await;
}

/// The overview: the counts and a chart per series of the stats service (sessions
/// opened, logins, lockouts, 4xx and 5xx answers), with what happened counted in.
async fn the_overview_shows_counts_and_charts(b: Backend) {
    let Some(srv) = spawn(b).await else { return };
    operator(&srv, "vic", Role::Viewer).await;
    assert_eq!(srv.kgen().open(r#"{"user_id":"p-1"}"#).await.status, 200);
    let (vic, _) = sign_in_http(&srv, "vic").await;
    let (status, _) = get(&vic, &srv, "/console/games/999999").await;
    assert_eq!(status, 404);
    srv.running.stats.flush().await.expect("flush");
    let (status, page) = get(&vic, &srv, "/console").await;
    assert_eq!(status, 200);
    assert!(page.contains("Sessions opened: <strong>1</strong>"), "{page}");
    assert!(page.contains("HTTP 4xx answers: <strong>1</strong>"), "{page}");
    assert!(page.contains("HTTP 5xx answers: <strong>0</strong>"), "{page}");
    for id in [
        "chart-sessions_opened",
        "chart-logins_succeeded",
        "chart-logins_failed",
        "chart-lockouts",
        "chart-http_4xx",
        "chart-http_5xx",
        "count-players",
        "count-sessions",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id} in {page}");
    }
    assert!(page.contains("<svg") && !page.contains(" style="), "{page}");
    srv.finish().await;
}

/// Accounts: search, an account's page, disable and enable, reset 2FA, a new API key
/// (with an address allowlist and an expiry, shown once; a bad address next to its
/// field); viewers and forged forms refused; changes audited under the operator's name.
async fn accounts_in_the_console(b: Backend) {
    let Some(s) = AdaAndVic::new(b).await else { return };
    let base = account_made_and_found(&s).await;
    account_disabled_enabled_and_reset(&s, &base).await;
    api_key_made_in_the_console(&s).await;
    // Made as the admin API and the CLI make them, recorded alike.
    let marie = serde_json::json!({"user_name": "marie", "email": "marie@example.com", "access_level": 10, "trial_expires_at": null});
    let account = base.trim_start_matches("/console/accounts/").parse().expect("id");
    let key = s.srv.db_count("SELECT id FROM api_keys WHERE label = 'ops box'").await;
    s.srv
        .assert_creations_recorded("operator:ada", (account, marie), (key, "ops box"))
        .await;
    s.finish_audited(&[
        "account.created",
        "account.disabled",
        "account.enabled",
        "account.2fa_reset",
        "api_key.created",
    ])
    .await;
}

/// An account made by the admin, found by search (any case) and by user name; an unknown
/// one. The account's page.
async fn account_made_and_found(s: &AdaAndVic) -> String {
    let made = [
        ("user_name", "marie"),
        ("email", "marie@example.com"),
        ("password", "a long password 1"),
    ];
    s.refused("/console/accounts", &made).await;
    let (status, page) = s.ada_posts("/console/accounts", &made).await;
    assert_eq!(status, 201, "{page}");

    let page = s.vic_page("/console/accounts?q=MAR").await;
    assert!(page.contains("marie@example.com"), "{page}");
    assert!(!page.contains("/console/api-keys"), "a viewer sees no key form");
    let page = s.vic_page("/console/accounts?q=zzz").await;
    assert!(page.contains("No account matches"), "{page}");
    let page = s.ada_page("/console/accounts/marie").await;
    assert!(
        page.contains("marie@example.com") && page.contains("account.created"),
        "{page}"
    );
    let id = {
        let list = s.ada_page("/console/accounts?q=marie").await;
        let needle = "<td><a href=\"/console/accounts/";
        let at = list.find(needle).expect("a link") + needle.len();
        list[at..at + list[at..].find('"').expect("end")].to_owned()
    };
    s.not_found("/console/accounts/nobody").await;
    format!("/console/accounts/{id}")
}

/// Disabled and enabled again, its 2FA reset; a key it never used is not revoked.
async fn account_disabled_enabled_and_reset(s: &AdaAndVic, base: &str) {
    let enabled = format!("{base}/enabled");
    s.only_ada_changes(&enabled, &[("enabled", "false")]).await;
    let page = s.ada_page(base).await;
    assert!(
        page.contains("Enable the account") && page.contains("account.disabled"),
        "{page}"
    );
    s.ada_changes(&enabled, &[("enabled", "true")]).await;
    let reset = format!("{base}/reset-2fa");
    s.only_ada_changes(&reset, &[]).await;
    let revoke = format!("{base}/api-keys/12345/revoke");
    s.refused(&revoke, &[]).await;
    let (status, _) = s.ada_posts(&revoke, &[]).await;
    assert_eq!(status, 404, "a key the account never used");
}

/// A new API key with an allowlist and an expiry, shown once; bad values next to their
/// field.
async fn api_key_made_in_the_console(s: &AdaAndVic) {
    let key = [
        ("label", "ops box"),
        ("allow_ips", "10.0.0.0/8, 192.0.2.7"),
        ("expires_at", "2030-01-31"),
    ];
    s.refused("/console/api-keys", &key).await;
    let bad_address = [("label", "x"), ("allow_ips", "not-an-ip"), ("expires_at", "")];
    let page = s.ada_invalid("/console/api-keys", &bad_address).await;
    assert!(
        page.contains("id=\"allow_ips-error\"") && page.contains("value=\"not-an-ip\""),
        "{page}"
    );
    let page = s
        .ada_invalid("/console/api-keys", &[("label", "x"), ("expires_at", "soon")])
        .await;
    assert!(page.contains("id=\"expires_at-error\""), "{page}");
    let (status, page) = s.ada_posts("/console/api-keys", &key).await;
    assert_eq!(status, 201);
    assert!(
        page.contains("pgk_") && page.contains("10.0.0.0/8") && page.contains("2030-01-31"),
        "{page}"
    );
}

playgate_store::on_both_backends!(
    pages_need_a_session_and_carry_the_security_headers,
    players_in_the_console,
    games_edit_rotate_delete_in_the_console,
    the_overview_shows_counts_and_charts,
    accounts_in_the_console,
    forged_forms_and_viewers_are_refused,
    lockout_idle_timeout_and_sign_out_everywhere,
    console_in_a_browser,
    a_viewer_in_a_browser_is_refused_a_change,
);

// ---- The browser ----

/// Set by `.ci/run`: without Chromium the browser tests then fail instead of being skipped
/// (with a message) as they are on a machine that lacks it.
const REQUIRE_VAR: &str = "PLAYGATE_REQUIRE_BROWSER_TESTS";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Headless Chromium through its own chromedriver, with a fresh profile.
struct Browser {
    client: Client,
    driver: tokio::process::Child,
    _profile: TempDir,
    shots: PathBuf,
    backend: Backend,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Browser {
    /// Starts one, or `None` when Chromium is missing and the tests are not required.
    async fn start(backend: Backend) -> Option<Browser> {
        let present = std::path::Path::new(CHROMIUM).exists() && std::path::Path::new(CHROMEDRIVER).exists();
        if !present {
            assert!(
                std::env::var_os(REQUIRE_VAR).is_none(),
                "{CHROMIUM} or {CHROMEDRIVER} is missing and {REQUIRE_VAR} is set: run \
                 scripts/browser-deps (apt-get install chromium chromium-driver)"
            );
            eprintln!(
                "browser test SKIPPED: {CHROMIUM} or {CHROMEDRIVER} is missing (scripts/browser-deps \
                 installs them; .ci/run requires them)"
            );
            return None;
        }
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
            l.local_addr().expect("addr").port()
        };
        let driver = tokio::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        let url = format!("http://127.0.0.1:{port}");
        let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let profile = TempDir(tmp.join(format!("chromium-profile-{}", uuid::Uuid::new_v4())));
        std::fs::create_dir_all(&profile.0).expect("profile dir");
        let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--no-first-run", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.0.display()),
                ],
            },
        }))
        .expect("caps");
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let mut last = None;
        // chromedriver takes a moment to listen.
        for _ in 0..100 {
            match ClientBuilder::new(connector.clone())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    let shots = tmp.join("console-screenshots");
                    std::fs::create_dir_all(&shots).expect("screenshot dir");
                    return Some(Browser {
                        client,
                        driver,
                        _profile: profile,
                        shots,
                        backend,
                    });
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not start a session: {last:?}");
    }

    /// A browser and a server on `backend`, or `None` when either is missing.
    async fn with_server(backend: Backend) -> Option<(Browser, TestServer)> {
        let browser = Browser::start(backend).await?;
        match spawn(backend).await {
            Some(srv) => Some((browser, srv)),
            None => {
                browser.close().await;
                None
            }
        }
    }

    async fn go(&self, srv: &TestServer, path: &str) {
        self.client.goto(&format!("{}{path}", srv.base)).await.expect("goto");
    }

    async fn path(&self) -> String {
        self.client.current_url().await.expect("url").path().to_owned()
    }

    /// The element at `css` (the test fails, naming it, when there is none).
    async fn element(&self, css: &str) -> fantoccini::elements::Element {
        self.client.find(Locator::Css(css)).await.expect(css)
    }

    async fn fill(&self, css: &str, text: &str) {
        let el = self.element(css).await;
        el.clear().await.expect("clear");
        el.send_keys(text).await.expect("type");
    }

    /// Clicks what navigates (a link, a submit button) and waits for the next page.
    async fn click(&self, css: &str) {
        self.client
            .execute("window.__pgOld = true;", vec![])
            .await
            .expect("mark the page");
        self.element(css).await.click().await.expect("click");
        self.wait_for_new_page().await;
    }

    async fn wait_for_new_page(&self) {
        for _ in 0..100 {
            let state = self
                .client
                .execute("return window.__pgOld ? 'old' : document.readyState", vec![])
                .await;
            if state.is_ok_and(|r| r == "complete") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the page did not change");
    }

    async fn text(&self, css: &str) -> String {
        self.element(css).await.text().await.expect("text")
    }

    /// Waits until the element's text holds `want` (a script changed it in place).
    async fn wait_for_text(&self, css: &str, want: &str) {
        let mut last = String::new();
        for _ in 0..100 {
            last = self.text(css).await;
            if last.contains(want) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{css} never showed {want:?}: {last}");
    }

    async fn body(&self) -> String {
        self.text("body").await
    }

    async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let backend = match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        std::fs::write(self.shots.join(format!("{name}-{backend}.png")), png).expect("write screenshot");
    }

    /// Posts a form built in the page (as a forger's page would), with these fields.
    async fn post_forged(&self, action: &str, fields: &[(&str, &str)]) {
        self.client
            .execute("window.__pgOld = true;", vec![])
            .await
            .expect("mark the page");
        let fields: serde_json::Map<String, serde_json::Value> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String((*v).to_owned())))
            .collect();
        self.client
            .execute(
                "const [action, fields] = arguments; const f = document.createElement('form');
                 f.method = 'post'; f.action = action;
                 for (const [k, v] of Object.entries(fields)) {
                   const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v;
                   f.appendChild(i);
                 }
                 document.body.appendChild(f); f.submit();",
                vec![action.into(), serde_json::Value::Object(fields)],
            )
            .await
            .expect("post a form");
        self.wait_for_new_page().await;
    }

    async fn sign_in(&self, srv: &TestServer, name: &str) {
        self.go(srv, "/console").await;
        assert_eq!(self.path().await, "/console/sign-in");
        self.fill("#name", name).await;
        self.fill("#password", PASSWORD).await;
        self.click("button[type=submit]").await;
    }

    async fn close(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill().await;
    }
}

/// The current TOTP code of a base32 secret at the server's time.
fn code(srv: &TestServer, secret_b32: &str) -> String {
    let secret = totp::base32_decode(secret_b32).expect("base32");
    totp::code_at(&secret, srv.running.core.now().unix_secs(), totp::DIGITS)
}

/// An admin signs in, enrols TOTP, signs out and in again with a code, creates a game
/// and sees its secret once (and it works on the KGeN API), sets a GameFuse variable, is
/// refused a forged form, finds the player the KGeN API made (search as you type), ends
/// its sessions (KGeN's verify then answers invalid), bans it, reads the audit entries,
/// and signs out.
async fn console_in_a_browser(b: Backend) {
    let Some((browser, srv)) = Browser::with_server(b).await else {
        return;
    };
    operator(&srv, "ada", Role::Admin).await;
    let secret = browser_signs_in_and_enrols_totp(&browser, &srv).await;
    browser_signs_in_with_a_code(&browser, &srv, &secret).await;
    let game = browser_creates_a_game(&browser, &srv).await;
    browser_sets_a_variable_and_refuses_a_forged_form(&browser, &srv, &game).await;
    browser_finds_ends_and_bans_the_player(&browser, &srv, &game).await;
    browser_reads_the_audit_and_signs_out(&browser, &srv, &game).await;
    browser.close().await;
    srv.finish().await;
}

/// A wrong password, then the right one; the overview asks for two-factor sign-in, which
/// is enrolled (the QR code, the secret, a wrong code and a right one, the recovery
/// codes). The TOTP secret.
async fn browser_signs_in_and_enrols_totp(browser: &Browser, srv: &TestServer) -> String {
    browser.go(srv, "/console").await;
    assert_eq!(browser.path().await, "/console/sign-in");
    browser.screenshot("sign-in").await;
    browser.fill("#name", "ada").await;
    browser.fill("#password", "not the password").await;
    browser.click("button[type=submit]").await;
    assert!(browser.body().await.contains("Wrong name or password"));
    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    assert_eq!(browser.path().await, "/console");
    assert!(browser.body().await.contains("Two-factor sign-in is not set up"));

    browser.go(srv, "/console/two-factor").await;
    browser.click("main button[type=submit]").await;
    assert_eq!(browser.path().await, "/console/two-factor");
    browser.element("figure.qr svg").await;
    browser.screenshot("two-factor").await;
    let secret = browser.text("#totp-secret").await;
    browser.fill("#code", "000000").await;
    browser.click("main form.stack button[type=submit]").await;
    assert!(browser.body().await.contains("Wrong code"));
    browser.fill("#code", &code(srv, &secret)).await;
    browser.click("main form.stack button[type=submit]").await;
    let recovery = browser.text("#recovery-codes").await;
    assert_eq!(recovery.lines().count(), 10, "{recovery}");
    secret
}

/// Sign out, then in again: password, then the code (the next step: a code is never
/// taken twice).
async fn browser_signs_in_with_a_code(browser: &Browser, srv: &TestServer, secret: &str) {
    browser.click("header form button").await;
    assert_eq!(browser.path().await, "/console/sign-in");
    browser.go(srv, "/console").await;
    assert_eq!(browser.path().await, "/console/sign-in", "signed out");
    srv.advance(Duration::from_secs(30));
    browser.sign_in(srv, "ada").await;
    assert_eq!(browser.path().await, "/console/sign-in/code");
    browser.fill("#code", &code(srv, secret)).await;
    browser.click("button[type=submit]").await;
    assert_eq!(browser.path().await, "/console");
    assert!(!browser.body().await.contains("Two-factor sign-in is not set up"));
    browser.screenshot("overview").await;
}

/// The game made in the browser: its KGeN credentials, the session they opened, and its
/// page.
struct MoonRally {
    client_id: String,
    client_secret: String,
    opened: Resp,
    path: String,
}

/// A new game: its secret shown once, and it works on the KGeN API.
async fn browser_creates_a_game(browser: &Browser, srv: &TestServer) -> MoonRally {
    browser.go(srv, "/console/games").await;
    browser.screenshot("games").await;
    browser.click("a.button").await;
    browser.fill("#name", "Moon Rally").await;
    browser.click("main button[type=submit]").await;
    let client_id = browser.text("#client-id").await;
    let client_secret = browser.text("#client-secret").await;
    assert!(client_secret.starts_with("pgs_"), "{client_secret}");
    assert!(browser.text("#curl").await.contains(&client_secret));
    browser.screenshot("game-created").await;
    let opened = srv
        .kgen()
        .with_credentials(&client_id, &client_secret)
        .open(r#"{"user_id":"console-player"}"#)
        .await;
    assert_eq!(opened.status, 200, "{}", opened.text);
    browser.click("main p a[href^='/console/games/']").await;
    let source = browser.client.source().await.expect("source");
    assert!(source.contains("Moon Rally"));
    assert!(!source.contains(&client_secret), "the secret is shown once");
    MoonRally {
        client_id,
        client_secret,
        opened,
        path: browser.path().await,
    }
}

/// A GameFuse variable through the game's page; the typed confirmation keeps the delete
/// button disabled until the name is typed; a forged form (no token) is refused.
async fn browser_sets_a_variable_and_refuses_a_forged_form(browser: &Browser, srv: &TestServer, game: &MoonRally) {
    browser.fill("#var-key", "season").await;
    browser.fill("#var-value", "winter").await;
    browser.click("form.inline button[type=submit]").await;
    assert!(browser.body().await.contains("winter"));
    browser.screenshot("game").await;

    let danger = browser.element("section.danger button").await;
    assert!(!danger.is_enabled().await.expect("enabled?"));
    browser.fill("#confirm", "Moon Rally").await;
    assert!(danger.is_enabled().await.expect("enabled?"));

    let game_path = &game.path;
    assert_eq!(&browser.path().await, game_path);
    browser
        .post_forged(
            &format!("{game_path}/variables"),
            &[("key", "season"), ("value", "forged")],
        )
        .await;
    assert!(browser.body().await.contains("security token"));
    browser.go(srv, game_path).await;
    assert!(!browser.body().await.contains("forged"));
}

/// The player the KGeN API made, found by searching as you type; its sessions ended (KGeN's
/// verify then answers invalid); banned with a reason (the page shows the ban and the
/// audit entry; no new session).
async fn browser_finds_ends_and_bans_the_player(browser: &Browser, srv: &TestServer, game: &MoonRally) {
    browser.click("#players-link").await;
    browser.screenshot("players").await;
    browser.fill("#player-q", "nobody-like-that").await;
    browser.wait_for_text("#player-results", "No player matches").await;
    browser.fill("#player-q", "console-pl").await;
    browser.wait_for_text("#player-results", "console-player").await;
    browser.click("#player-results a[href*='console-player']").await;
    let wallet = game.opened.json["wallet_address"].as_str().expect("wallet").to_owned();
    assert_eq!(browser.text("#player-wallet").await, wallet);
    browser.screenshot("player").await;
    browser.click("#end-all").await;
    let k = srv.kgen().with_credentials(&game.client_id, &game.client_secret);
    let verify = k.verify(kgen::token(&game.opened.json, "access_token")).await;
    assert_eq!(verify.json["valid"], false, "{}", verify.text);
    browser.fill("#reason", "Cheating in ranked games").await;
    browser.click("#ban").await;
    assert!(browser.text("#ban-state").await.contains("Cheating in ranked games"));
    let body = browser.body().await;
    for want in ["player.banned", "sessions.ended_all", "operator:ada"] {
        assert!(body.contains(want), "{want} in {body}");
    }
    browser.screenshot("player-banned").await;
    let r = k.open(r#"{"user_id":"console-player"}"#).await;
    assert_ne!(r.status, 200, "a banned player opens no session: {}", r.text);
}

/// The audit log shows what was done, by whom; the other pages; the overview counts what
/// happened; signed out, the console asks to sign in.
async fn browser_reads_the_audit_and_signs_out(browser: &Browser, srv: &TestServer, game: &MoonRally) {
    browser.go(srv, "/console/audit").await;
    browser.fill("#f-actor", "operator:ada").await;
    browser.click("form.filters button").await;
    let body = browser.body().await;
    for action in [
        "game.created",
        "game_variable.set",
        "player.banned",
        "sessions.ended_all",
        "console.signed_in",
        "console.two_factor_enabled",
    ] {
        assert!(body.contains(action), "{action} in {body}");
    }
    browser.screenshot("audit").await;
    browser.go(srv, "/console/operators").await;
    browser.screenshot("operators").await;
    browser.go(srv, &format!("{}/edit", game.path)).await;
    assert!(browser.body().await.contains("Access token lifetime"));
    browser.screenshot("game-edit").await;
    browser.go(srv, "/console/accounts").await;
    browser.screenshot("accounts").await;
    // The overview counts what happened (the stats as a node writes them).
    srv.running.stats.flush().await.expect("flush");
    browser.go(srv, "/console").await;
    assert!(browser.text("#chart-sessions_opened figcaption").await.contains(": 1"));
    browser.screenshot("overview-after").await;

    browser.click("header form button").await;
    browser.go(srv, "/console/games").await;
    assert_eq!(browser.path().await, "/console/sign-in");
}

/// A viewer sees the game but no change form, and a change posted with the viewer's own
/// valid token is refused.
async fn a_viewer_in_a_browser_is_refused_a_change(b: Backend) {
    let Some((browser, srv)) = Browser::with_server(b).await else {
        return;
    };
    operator(&srv, "vic", Role::Viewer).await;
    browser.sign_in(&srv, "vic").await;
    assert_eq!(browser.path().await, "/console");
    let game_path = format!("/console/games/{}", srv.game.game.id);
    browser.go(&srv, &game_path).await;
    let body = browser.body().await;
    assert!(body.contains("Esports Protocol Callbreak"));
    assert!(!body.contains("Danger zone"));
    let csrf = browser
        .element("header input[name=csrf]")
        .await
        .attr("value")
        .await
        .expect("value")
        .expect("a token");
    browser
        .post_forged(
            &format!("{game_path}/variables"),
            &[("csrf", &csrf), ("key", "wind"), ("value", "storm")],
        )
        .await;
    assert!(browser.body().await.contains("Your role is viewer"));
    browser.close().await;
    srv.finish().await;
}
