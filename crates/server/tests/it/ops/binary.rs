//! The `playgate` binary as an operator uses it: first start prints a demo game and a curl
//! that works as printed; the game, operator, account and audit commands; SIGTERM finishes
//! in-flight requests and exits 0.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::{BIN, drain, start_serving};
use serde_json::Value;

fn temp_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("playgate-bin-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn playgate(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("PLAYGATE_DATABASE_URL")
        .current_dir(dir)
        .output()
        .expect("run playgate")
}

/// Asserts that each of `commands` fails and says why on stderr.
fn assert_refused(dir: &Path, commands: &[&[&str]]) {
    for bad in commands {
        let out = playgate(dir, bad);
        assert!(!out.status.success(), "{bad:?}");
        assert!(!out.stderr.is_empty(), "{bad:?}: an error is said");
    }
}

fn json_out(o: &Output) -> Value {
    assert!(o.status.success(), "stderr: {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("json output")
}

/// `playgate serve` on port 0 with `dir` as its data directory, logging at `log` unless
/// `TEST_SERVER_LOG` says otherwise.
fn serve_command(dir: &Path, log: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .env_remove("PLAYGATE_DATABASE_URL")
        .env(
            "PLAYGATE_LOG",
            std::env::var("TEST_SERVER_LOG").unwrap_or_else(|_| log.into()),
        )
        .current_dir(dir);
    cmd
}

/// Starts `playgate serve` on port 0 and reads its banner up to the listening line (and the
/// demo block when `demo`).
fn serve(dir: &Path, demo: bool) -> (Child, String, Vec<String>) {
    let (child, url, mut lines) = start_serving(&mut serve_command(dir, "warn"));
    let mut banner = Vec::new();
    if demo {
        for line in lines.by_ref() {
            let line = line.expect("utf8");
            let done = line.contains("curl ");
            banner.push(line);
            if done {
                break;
            }
        }
    }
    drain(lines);
    (child, url, banner)
}

/// The demo game's client id and secret from the first-start banner.
fn banner_credentials(text: &str) -> (String, String) {
    let field = |name: &str| {
        let found = text
            .lines()
            .find_map(|l| l.trim().strip_prefix(name).map(|v| v.trim().to_owned()));
        found.unwrap_or_else(|| panic!("no {name} in the banner: {text}"))
    };
    (field("client id:"), field("client secret:"))
}

fn sigterm(child: &Child) {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(ok.success());
}

/// SIGTERM to a server started on `dir`: it exits 0; then `dir` goes.
fn stop_cleanly(child: Child, dir: &Path) {
    sigterm(&child);
    assert!(wait_exit(child).success());
    let _ = std::fs::remove_dir_all(dir);
}

fn wait_exit(mut child: Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(Instant::now() < deadline, "playgate did not exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn http(url: &str, method: &str, path: &str, creds: (&str, &str), body: &str) -> (u16, Value) {
    let addr = url.strip_prefix("http://").expect("http url");
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nx-client-id: {}\r\nx-client-secret: {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        creds.0,
        creds.1,
        body.len()
    )
    .expect("write");
    read_response(&mut s)
}

fn read_response(s: &mut TcpStream) -> (u16, Value) {
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read");
    let status = raw.split(' ').nth(1).and_then(|c| c.parse().ok()).expect("status");
    let body = raw.split("\r\n\r\n").nth(1).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[test]
fn first_start_prints_a_working_curl_and_sigterm_exits_cleanly() {
    let dir = temp_dir();
    let (child, url, banner) = serve(&dir, true);
    let text = banner.join("\n");
    assert!(text.contains("created the demo game"), "{text}");
    let curl = banner.last().expect("curl line").trim().to_owned();
    assert!(
        curl.starts_with("curl ") && curl.contains(&format!("{url}/s2s/session")),
        "{curl}"
    );
    // The printed command, run as printed.
    let out = Command::new("sh").arg("-c").arg(&curl).output().expect("curl");
    let v: Value = serde_json::from_slice(&out.stdout).expect("curl answered JSON");
    assert_eq!(v["user_id"], "player-1");
    assert_eq!(v["is_new_user"], true);
    // The master key file is private.
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(dir.join("master.key"))
        .expect("key file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    sigterm(&child);
    assert!(wait_exit(child).success(), "exit 0 after SIGTERM");

    // A second start on the same data creates no demo game and keeps the data.
    let (child, url, _) = serve(&dir, false);
    let (id, secret) = banner_credentials(&text);
    let (status, v) = http(
        &url,
        "POST",
        "/s2s/session",
        (&id, &secret),
        r#"{"user_id":"player-1"}"#,
    );
    assert_eq!(status, 200);
    assert_eq!(v["is_new_user"], false);
    stop_cleanly(child, &dir);
}

/// With `demo_secret_file`, the demo game's secret goes to that file (mode 0600) and
/// standard output (a service manager's journal) only says where it is.
#[test]
fn demo_secret_file_keeps_the_secret_off_stdout() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = temp_dir();
    let file = dir.join("demo-credentials.txt");
    let (child, first, mut lines) = start_serving(serve_command(&dir, "warn").env("PLAYGATE_DEMO_SECRET_FILE", &file));
    let second = lines.next().expect("a line").expect("utf8");
    assert!(
        second.contains("created the demo game") && second.contains(&file.display().to_string()),
        "{second}"
    );
    let written = std::fs::read_to_string(&file).expect("credentials file");
    let (_, secret) = banner_credentials(&written);
    assert!(secret.len() >= 16, "{written}");
    assert!(!first.contains(&secret) && !second.contains(&secret));
    let mode = std::fs::metadata(&file).expect("file").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    stop_cleanly(child, &dir);
}

#[test]
fn sigterm_finishes_a_request_in_flight() {
    let dir = temp_dir();
    let (child, url, banner) = serve(&dir, true);
    let text = banner.join("\n");
    let (id, secret) = banner_credentials(&text);
    let addr = url.strip_prefix("http://").expect("url").to_owned();
    let body = r#"{"user_id":"in-flight"}"#;
    let mut s = TcpStream::connect(&addr).expect("connect");
    // The headers with `Expect: 100-continue`; the server answers "100 Continue" once the
    // handler reads the body, so the request is then provably in flight. Then the signal,
    // then the body.
    write!(
        s,
        "POST /s2s/session HTTP/1.1\r\nHost: {addr}\r\nx-client-id: {id}\r\nx-client-secret: {secret}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        body.len(),
    )
    .expect("write");
    s.flush().expect("flush");
    let mut interim = Vec::new();
    let mut byte = [0u8; 1];
    while !interim.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut byte).expect("read 100 Continue");
        interim.push(byte[0]);
    }
    assert!(
        interim.starts_with(b"HTTP/1.1 100"),
        "{}",
        String::from_utf8_lossy(&interim)
    );
    sigterm(&child);
    // Once new connections are refused, the server is draining.
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(&addr).is_ok() {
        assert!(Instant::now() < deadline, "still accepting after SIGTERM");
        std::thread::sleep(Duration::from_millis(10));
    }
    s.write_all(body.as_bytes()).expect("body");
    let (status, v) = read_response(&mut s);
    assert_eq!(status, 200);
    assert_eq!(v["user_id"], "in-flight");
    assert!(wait_exit(child).success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn game_commands() {
    let dir = temp_dir();
    let created = json_out(&playgate(
        &dir,
        &["game", "create", "--name", "Callbreak Royale", "--json"],
    ));
    assert_eq!(created["client_name"], "CALLBREAK_ROYALE");
    assert_eq!(created["enabled"], true);
    let id = created["id"].as_i64().expect("id").to_string();
    let client_id = created["client_id"].as_str().expect("client id").to_owned();
    let secret = created["client_secret"].as_str().expect("secret").to_owned();
    assert_eq!(client_id.len(), 10);
    let named = json_out(&playgate(
        &dir,
        &["game", "create", "--name", "X", "--client-name", "ESPORTS_X", "--json"],
    ));
    assert_eq!(named["client_name"], "ESPORTS_X");
    let bad = playgate(&dir, &["game", "create", "--name", "X", "--client-name", "no spaces"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("client_name"));

    let list = json_out(&playgate(&dir, &["game", "list", "--json"]));
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert!(list[0].get("client_secret").is_none(), "list never shows secrets");
    let table = playgate(&dir, &["game", "list"]);
    assert!(String::from_utf8_lossy(&table.stdout).contains("CALLBREAK_ROYALE"));

    // With the server running on the same database, CLI changes take effect at once.
    let (child, url, _) = serve(&dir, false);
    let body = r#"{"user_id":"u1"}"#;
    assert_eq!(http(&url, "POST", "/s2s/session", (&client_id, &secret), body).0, 200);
    let rotated = json_out(&playgate(&dir, &["game", "rotate-secret", &id, "--json"]));
    let new_secret = rotated["client_secret"].as_str().expect("secret").to_owned();
    assert_ne!(new_secret, secret);
    assert_eq!(http(&url, "POST", "/s2s/session", (&client_id, &secret), body).0, 401);
    assert_eq!(
        http(&url, "POST", "/s2s/session", (&client_id, &new_secret), body).0,
        200
    );
    assert!(playgate(&dir, &["game", "disable", &id]).status.success());
    assert_eq!(
        http(&url, "POST", "/s2s/session", (&client_id, &new_secret), body).0,
        401
    );
    assert!(playgate(&dir, &["game", "enable", &id]).status.success());
    assert_eq!(
        http(&url, "POST", "/s2s/session", (&client_id, &new_secret), body).0,
        200
    );
    let missing = playgate(&dir, &["game", "disable", "9999"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("not found"));
    assert!(playgate(&dir, &["keys", "rotate"]).status.success());
    stop_cleanly(child, &dir);
}

/// `playgate operator …`: a token printed once and never listed, roles checked, a rotated
/// token different from the old one, disable and enable, clear errors for bad input.
#[test]
fn operator_commands() {
    let dir = temp_dir();
    let d = dir.as_path();
    let made = json_out(&playgate(
        d,
        &["operator", "create", "--name", "ada", "--role", "admin", "--json"],
    ));
    assert_eq!(
        (made["name"].as_str(), made["role"].as_str()),
        (Some("ada"), Some("admin"))
    );
    let token = made["token"].as_str().expect("token").to_owned();
    assert!(token.starts_with("pgo_"), "{token}");
    json_out(&playgate(d, &["operator", "create", "--name", "vic", "--json"]));
    let list = json_out(&playgate(d, &["operator", "list", "--json"]));
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert_eq!(list[1]["role"], "viewer", "viewer is the default role");
    assert!(
        list.as_array().into_iter().flatten().all(|o| o.get("token").is_none()),
        "{list}"
    );
    let rotated = json_out(&playgate(d, &["operator", "rotate-token", "ada", "--json"]));
    assert_ne!(rotated["token"].as_str(), Some(token.as_str()));
    assert!(playgate(d, &["operator", "disable", "vic"]).status.success());
    let list = json_out(&playgate(d, &["operator", "list", "--json"]));
    assert_eq!(list[1]["enabled"], false);
    assert_refused(
        d,
        &[
            &["operator", "create", "--name", "ada"][..],
            &["operator", "create", "--name", "x", "--role", "root"],
            &["operator", "create", "--name", "two words"],
            &["operator", "disable", "nobody"],
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `playgate player …` and `playgate session …` against the database of a running server:
/// find, show, a ban refusing new sessions at once, sessions listed and ended, export and
/// erasure; destructive commands refuse without a terminal unless given `--yes`.
#[test]
fn player_and_session_commands() {
    let dir = temp_dir();
    let d = dir.as_path();
    let created = json_out(&playgate(d, &["game", "create", "--name", "Players", "--json"]));
    let id = created["id"].as_i64().expect("id").to_string();
    let creds = (
        created["client_id"].as_str().expect("client id").to_owned(),
        created["client_secret"].as_str().expect("secret").to_owned(),
    );
    let (child, url, _) = serve(d, false);
    let open = || {
        http(
            &url,
            "POST",
            "/s2s/session",
            (&creds.0, &creds.1),
            r#"{"user_id":"u1","username":"ann"}"#,
        )
    };
    assert_eq!(open().0, 200);

    let found = json_out(&playgate(d, &["player", "find", &id, "u", "--json"]));
    assert_eq!(found[0]["user_id"], "u1");
    let shown = json_out(&playgate(d, &["player", "show", &id, "u1", "--json"]));
    assert_eq!(
        (shown["username"].as_str(), shown["sessions"]["active"].as_i64()),
        (Some("ann"), Some(1))
    );

    let refused = playgate(d, &["player", "ban", &id, "u1", "--reason", "cheat"]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--yes"),
        "a clear refusal"
    );
    assert_eq!(open().0, 200, "nothing changed");
    let banned = json_out(&playgate(
        d,
        &["player", "ban", &id, "u1", "--reason", "cheat", "--yes", "--json"],
    ));
    assert_eq!(
        (banned["banned"].as_bool(), banned["sessions_ended"].as_u64()),
        (Some(true), Some(1))
    );
    let (status, body) = open();
    assert_eq!((status, body["error"].as_str()), (403, Some("forbidden")), "{body}");
    let sessions = json_out(&playgate(
        d,
        &["session", "list", &id, "u1", "--state", "ended", "--json"],
    ));
    assert_eq!(sessions.as_array().map(Vec::len), Some(1));
    let sid = sessions[0]["id"].as_str().expect("sid").to_owned();
    let one = json_out(&playgate(d, &["session", "show", &sid, "--json"]));
    assert_eq!(
        (one["user_id"].as_str(), one["state"].as_str()),
        (Some("u1"), Some("ended"))
    );
    assert!(playgate(d, &["player", "unban", &id, "u1"]).status.success());
    assert_eq!(open().0, 200);
    assert!(!playgate(d, &["session", "end-all", &id, "u1"]).status.success());
    let ended = json_out(&playgate(d, &["session", "end-all", &id, "u1", "--yes", "--json"]));
    assert_eq!(ended["sessions_ended"], 1);

    let export = json_out(&playgate(d, &["player", "export", &id, "u1"]));
    assert_eq!(export["data"]["player"][0]["user_id"], "u1");
    assert!(!export.to_string().contains("wallet_key"));
    assert!(!playgate(d, &["player", "delete", &id, "u1"]).status.success());
    let erased = json_out(&playgate(d, &["player", "delete", &id, "u1", "--yes", "--json"]));
    assert_eq!(erased["deleted"]["players"], 1);
    let gone = playgate(d, &["player", "show", &id, "u1"]);
    assert!(!gone.status.success());
    assert!(String::from_utf8_lossy(&gone.stderr).contains("not found"));
    stop_cleanly(child, &dir);
}

/// `playgate account create|show|disable|reset-2fa` and `playgate audit list`: destructive
/// commands ask for confirmation (refused without a terminal unless `--yes`), every change
/// is in the audit log under the actor `cli`, which lists and pages with filters.
#[test]
fn account_and_audit_commands() {
    let dir = temp_dir();
    let d = dir.as_path();
    let mut child = Command::new(BIN)
        .args(["account", "create", "--user-name", "ann", "--email", "ann@example.com"])
        .args(["--password-stdin", "--json", "--data-dir"])
        .arg(d)
        .env_remove("PLAYGATE_DATABASE_URL")
        .current_dir(d)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run playgate");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"password-1\n")
        .expect("write");
    let made = json_out(&child.wait_with_output().expect("wait"));
    let id = made["user_id"].as_i64().expect("id");
    let shown = json_out(&playgate(d, &["account", "show", "ANN", "--json"]));
    assert_eq!(
        (shown["user_id"].as_i64(), shown["enabled"].as_bool()),
        (Some(id), Some(true))
    );
    let refused = playgate(d, &["account", "disable", "ann"]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--yes"),
        "{refused:?}"
    );
    let off = json_out(&playgate(d, &["account", "disable", "ann", "--yes", "--json"]));
    assert_eq!(off["enabled"], false);
    let reset = json_out(&playgate(
        d,
        &["account", "reset-2fa", &id.to_string(), "--yes", "--json"],
    ));
    assert_eq!(reset["totp_enabled"], false);
    assert!(!playgate(d, &["account", "show", "nobody"]).status.success());

    let subject = format!("account:{id}");
    let page = json_out(&playgate(d, &["audit", "list", "--subject", &subject, "--json"]));
    assert_eq!(
        crate::common::actions(&page),
        ["account.2fa_reset", "account.disabled", "account.created"]
    );
    assert_eq!(page["items"][0]["actor"], "cli");
    assert_eq!(page["next_cursor"], Value::Null);
    let first = json_out(&playgate(
        d,
        &["audit", "list", "--action", "account.", "--limit", "1", "--json"],
    ));
    let cursor = first["next_cursor"].as_str().expect("a cursor").to_owned();
    let rest = json_out(&playgate(
        d,
        &["audit", "list", "--action", "account.", "--cursor", &cursor, "--json"],
    ));
    assert_eq!(rest["items"][0]["action"], "account.disabled");
    let text = playgate(d, &["audit", "list", "--actor", "cli"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("account.disabled"));
    assert_refused(
        d,
        &[
            &["audit", "list", "--since", "yesterday"][..],
            &["audit", "list", "--limit", "0"],
            &["audit", "list", "--limit", "501"],
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn migrate_command_and_bad_config_fail_clearly() {
    let dir = temp_dir();
    let out = playgate(&dir, &["migrate"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("migrations applied (sqlite)"));
    let out = Command::new(BIN)
        .args(["migrate", "--database-url", "mysql://nope"])
        .current_dir(&dir)
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("database_url"));
    let out = Command::new(BIN)
        .args(["game", "list", "--data-dir"])
        .arg(&dir)
        .env("PLAYGATE_MASTER_KEY", "not base64!")
        .current_dir(&dir)
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("master_key"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Reads one response on a keep-alive connection (headers, then `Content-Length` bytes).
fn read_one_response(s: &mut TcpStream) -> String {
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut byte).expect("read head");
        raw.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&raw).to_string();
    let len: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().to_owned())
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).expect("read body");
    format!("{head}{}", String::from_utf8_lossy(&body))
}

#[test]
fn sigterm_with_stalled_and_idle_connections_exits_zero_promptly() {
    let dir = temp_dir();
    let (child, url, _) = serve(&dir, false);
    let addr = url.strip_prefix("http://").expect("url").to_owned();
    // Halfway through a head, then silence.
    let mut stalled = TcpStream::connect(&addr).expect("connect");
    stalled
        .write_all(b"POST /s2s/session HTTP/1.1\r\nHost: x\r\nContent-Ty")
        .expect("write");
    // A keep-alive connection after one answer.
    let mut idle = TcpStream::connect(&addr).expect("connect");
    write!(idle, "GET /readyz HTTP/1.1\r\nHost: {addr}\r\n\r\n").expect("write");
    let resp = read_one_response(&mut idle);
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    // A connection that never sent a byte.
    let _silent = TcpStream::connect(&addr).expect("connect");
    std::thread::sleep(Duration::from_millis(100));
    let start = Instant::now();
    sigterm(&child);
    let status = wait_exit(child);
    assert!(status.success(), "exit status {status}");
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "exit took {:?}",
        start.elapsed()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// With a hard limit of 96 open files and `max_connections` 40, 150 idle connections do not
/// keep a client out (without a cap they used up the files and no client got in).
#[test]
fn idle_connections_cannot_use_up_the_file_limit() {
    let dir = temp_dir();
    // `ulimit -n` sets the soft and the hard limit, so Playgate cannot raise it.
    let mut limited = Command::new("sh");
    limited
        .args([
            "-c",
            "ulimit -n 96 && exec \"$0\" \"$@\"",
            BIN,
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(&dir)
        .env_remove("PLAYGATE_DATABASE_URL")
        .env("PLAYGATE_MAX_CONNECTIONS", "40")
        .env(
            "PLAYGATE_LOG",
            std::env::var("TEST_SERVER_LOG").unwrap_or_else(|_| "error".into()),
        )
        .current_dir(&dir);
    let (child, url, lines) = start_serving(&mut limited);
    drain(lines);
    let addr = url.strip_prefix("http://").expect("url").to_owned();
    let idle: Vec<TcpStream> = (0..150).map(|_| TcpStream::connect(&addr).expect("connect")).collect();
    let mut s = TcpStream::connect(&addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    write!(s, "GET /readyz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("write");
    let mut raw = String::new();
    let read = s.read_to_string(&mut raw);
    assert!(read.is_ok() && raw.starts_with("HTTP/1.1 200"), "{read:?} {raw}");
    drop(idle);
    stop_cleanly(child, &dir);
}
