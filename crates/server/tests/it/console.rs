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

use crate::common::{Backend, TestServer, spawn};

const PASSWORD: &str = "correct horse battery";

/// The console service on the server's database, as `playgate operator create --console`
/// uses it.
async fn console(srv: &TestServer) -> (Operators, Console) {
    let store = startup::open_store(&srv.config).await.expect("store");
    let ops = Operators::new(store, srv.clock.clone());
    let console = Console::new(ops.console_store(), srv.running.core.clone());
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
    let page = http
        .get(format!("{}/console/sign-in", srv.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
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
    let page = http
        .get(format!("{}/console/me", srv.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
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
    let Some(srv) = spawn(b).await else { return };
    operator(&srv, "ada", Role::Admin).await;
    operator(&srv, "vic", Role::Viewer).await;
    let (ada, ada_csrf) = sign_in_http(&srv, "ada").await;
    let (vic, vic_csrf) = sign_in_http(&srv, "vic").await;
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
    let page = ada
        .get(format!("{}/console/games/{}", srv.base, srv.game.game.id))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(!page.contains("storm"), "nothing changed");
    let r = set(&ada, Some(&ada_csrf)).await.expect("post");
    assert_eq!(r.status(), 303);
    let page = ada
        .get(format!("{}/console/games/{}", srv.base, srv.game.game.id))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(page.contains("storm"));
    let r = ada
        .get(format!("{}/console/audit?action=game_variable.set", srv.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
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
    let page = fresh
        .get(format!("{}/console/sign-in", srv.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
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

playgate_store::on_both_backends!(
    pages_need_a_session_and_carry_the_security_headers,
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

    async fn go(&self, srv: &TestServer, path: &str) {
        self.client.goto(&format!("{}{path}", srv.base)).await.expect("goto");
    }

    async fn path(&self) -> String {
        self.client.current_url().await.expect("url").path().to_owned()
    }

    async fn fill(&self, css: &str, text: &str) {
        let el = self.client.find(Locator::Css(css)).await.expect(css);
        el.clear().await.expect("clear");
        el.send_keys(text).await.expect("type");
    }

    /// Clicks what navigates (a link, a submit button) and waits for the next page.
    async fn click(&self, css: &str) {
        self.client
            .execute("window.__pgOld = true;", vec![])
            .await
            .expect("mark the page");
        self.client
            .find(Locator::Css(css))
            .await
            .expect(css)
            .click()
            .await
            .expect("click");
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
        self.client
            .find(Locator::Css(css))
            .await
            .expect(css)
            .text()
            .await
            .expect("text")
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
/// and sees its secret once (and it works on the KGeN API), sets a GameFuse variable,
/// reads the audit entries, is refused a forged form, and signs out.
async fn console_in_a_browser(b: Backend) {
    let Some(browser) = Browser::start(b).await else { return };
    let Some(srv) = spawn(b).await else {
        browser.close().await;
        return;
    };
    operator(&srv, "ada", Role::Admin).await;

    browser.go(&srv, "/console").await;
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

    // Enrol TOTP: the QR code, the secret, a code, the recovery codes.
    browser.go(&srv, "/console/two-factor").await;
    browser.click("main button[type=submit]").await;
    assert_eq!(browser.path().await, "/console/two-factor");
    browser
        .client
        .find(Locator::Css("figure.qr svg"))
        .await
        .expect("the QR code");
    browser.screenshot("two-factor").await;
    let secret = browser.text("#totp-secret").await;
    browser.fill("#code", "000000").await;
    browser.click("main form.stack button[type=submit]").await;
    assert!(browser.body().await.contains("Wrong code"));
    browser.fill("#code", &code(&srv, &secret)).await;
    browser.click("main form.stack button[type=submit]").await;
    let recovery = browser.text("#recovery-codes").await;
    assert_eq!(recovery.lines().count(), 10, "{recovery}");

    // Sign out, then in again: password, then the code (the next step: a code is never
    // taken twice).
    browser.click("header form button").await;
    assert_eq!(browser.path().await, "/console/sign-in");
    browser.go(&srv, "/console").await;
    assert_eq!(browser.path().await, "/console/sign-in", "signed out");
    srv.advance(Duration::from_secs(30));
    browser.sign_in(&srv, "ada").await;
    assert_eq!(browser.path().await, "/console/sign-in/code");
    browser.fill("#code", &code(&srv, &secret)).await;
    browser.click("button[type=submit]").await;
    assert_eq!(browser.path().await, "/console");
    assert!(!browser.body().await.contains("Two-factor sign-in is not set up"));
    browser.screenshot("overview").await;

    // A new game: its secret shown once, and it works.
    browser.go(&srv, "/console/games").await;
    browser.screenshot("games").await;
    browser.click("a.button").await;
    browser.fill("#name", "Moon Rally").await;
    browser.click("main button[type=submit]").await;
    let client_id = browser.text("#client-id").await;
    let client_secret = browser.text("#client-secret").await;
    assert!(client_secret.starts_with("pgs_"), "{client_secret}");
    assert!(browser.text("#curl").await.contains(&client_secret));
    browser.screenshot("game-created").await;
    let r = srv
        .kgen()
        .with_credentials(&client_id, &client_secret)
        .open(r#"{"user_id":"console-player"}"#)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    browser.click("main p a[href^='/console/games/']").await;
    let source = browser.client.source().await.expect("source");
    assert!(source.contains("Moon Rally"));
    assert!(!source.contains(&client_secret), "the secret is shown once");

    // A GameFuse variable through the game's page.
    browser.fill("#var-key", "season").await;
    browser.fill("#var-value", "winter").await;
    browser.click("form.inline button[type=submit]").await;
    assert!(browser.body().await.contains("winter"));
    browser.screenshot("game").await;

    // The typed confirmation: the button stays disabled until the name is typed.
    let danger = browser
        .client
        .find(Locator::Css("section.danger button"))
        .await
        .expect("danger button");
    assert!(!danger.is_enabled().await.expect("enabled?"));
    browser.fill("#confirm", "Moon Rally").await;
    assert!(danger.is_enabled().await.expect("enabled?"));

    // A forged form (no token) is refused.
    let game_path = browser.path().await;
    browser
        .post_forged(
            &format!("{game_path}/variables"),
            &[("key", "season"), ("value", "forged")],
        )
        .await;
    assert!(browser.body().await.contains("security token"));
    browser.go(&srv, &game_path).await;
    assert!(!browser.body().await.contains("forged"));

    // The audit log shows what was done, by whom.
    browser.go(&srv, "/console/audit").await;
    browser.fill("#f-actor", "operator:ada").await;
    browser.click("form.filters button").await;
    let body = browser.body().await;
    for action in [
        "game.created",
        "game_variable.set",
        "console.signed_in",
        "console.two_factor_enabled",
    ] {
        assert!(body.contains(action), "{action} in {body}");
    }
    browser.screenshot("audit").await;
    browser.go(&srv, "/console/operators").await;
    browser.screenshot("operators").await;

    browser.click("header form button").await;
    browser.go(&srv, "/console/games").await;
    assert_eq!(browser.path().await, "/console/sign-in");
    browser.close().await;
    srv.finish().await;
}

/// A viewer sees the game but no change form, and a change posted with the viewer's own
/// valid token is refused.
async fn a_viewer_in_a_browser_is_refused_a_change(b: Backend) {
    let Some(browser) = Browser::start(b).await else { return };
    let Some(srv) = spawn(b).await else {
        browser.close().await;
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
        .client
        .find(Locator::Css("header input[name=csrf]"))
        .await
        .expect("csrf")
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
