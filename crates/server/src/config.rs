//! One typed configuration tree, layered: defaults → `playgate.toml` → `PLAYGATE_*`
//! environment → command-line flags. Every key `k` of [`Config`] can be set in the file as
//! `k = …`, in the environment as `PLAYGATE_K` (upper case; lists comma-separated), and the
//! most used ones by flag. Secrets also read from a file: `PLAYGATE_MASTER_KEY_FILE`.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// A setting that is a secret (a token, a key): read from the file, the environment or a
/// flag like text, never shown by `Debug`, so a `Config` that is logged or printed cannot
/// leak it. `Serialize` writes it as it is (only [`Config::keys`] serializes, the defaults).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretSetting(String);

impl std::fmt::Debug for SecretSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"***\"")
    }
}

/// A URL setting that may carry a password (`postgres://user:password@host/db`,
/// `smtps://user:password@host`): `Debug` shows it with the password as `***`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UrlSetting(String);

impl UrlSetting {
    /// The URL with the password of its user info, if any, replaced by `***`.
    pub fn redacted(&self) -> String {
        let url = self.0.as_str();
        let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
            return url.to_owned();
        };
        let authority_end = url[scheme_end..]
            .find(['/', '?', '#'])
            .map_or(url.len(), |i| scheme_end + i);
        let authority = &url[scheme_end..authority_end];
        match authority.rfind('@') {
            Some(at) => match authority[..at].find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end],
                    &authority[..colon],
                    &url[scheme_end + at..]
                ),
                None => url.to_owned(),
            },
            None => url.to_owned(),
        }
    }
}

impl std::fmt::Debug for UrlSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

/// Both settings read as `&str` (`Deref`), and have no `Display`: `%setting` in a log line
/// does not compile.
macro_rules! text_setting {
    ($t:ident) => {
        impl std::ops::Deref for $t {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }
        impl From<&str> for $t {
            fn from(s: &str) -> Self {
                $t(s.to_owned())
            }
        }
        impl From<String> for $t {
            fn from(s: String) -> Self {
                $t(s)
            }
        }
    };
}
text_setting!(SecretSetting);
text_setting!(UrlSetting);

/// Playgate's configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on. Default `127.0.0.1:8080`.
    pub listen: SocketAddr,
    /// Directory for the SQLite database and the master key file. Default `./playgate-data`.
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://…`. Default: `sqlite://<data_dir>/playgate.db`.
    pub database_url: Option<UrlSetting>,
    /// Connection pool size (PostgreSQL: the pool for writes; SQLite readers). Default 16.
    pub database_max_connections: u32,
    /// PostgreSQL: the connections reads share, several statements in flight on each
    /// (pipelined); a few per CPU (a read backend is busy on the CPU, unlike a write
    /// waiting for its flush); 0: twice the CPUs. Default 0.
    pub database_read_connections: u32,
    /// SQLite `synchronous` mode: `full` (default; a commit is on disk before it is
    /// acknowledged) or `normal` (faster; a commit can be lost if the OS crashes).
    pub sqlite_synchronous: String,
    /// SQLite WAL pages after which a commit checkpoints the WAL into the database file
    /// (SQLite's `wal_autocheckpoint`). Default 1000 (SQLite's).
    pub sqlite_wal_autocheckpoint: u32,
    /// Master key for encryption at rest (32 bytes, base64). When unset, it is read from
    /// `master_key_file`, which is created (mode 0600) on first start. All nodes of one
    /// deployment need the same key.
    pub master_key: Option<SecretSetting>,
    /// Where the master key lives when `master_key` is unset. Default
    /// `<data_dir>/master.key`.
    pub master_key_file: Option<PathBuf>,
    /// `text` or `json`. Default `text`.
    pub log_format: LogFormat,
    /// Log filter, as `RUST_LOG` (e.g. `info,playgate=debug`). Default `info`.
    pub log: String,
    /// CIDRs of reverse proxies whose `X-Forwarded-For` is trusted. Default none.
    pub trusted_proxies: Vec<String>,
    /// Access token lifetime in seconds. Default 86400 (24 h).
    pub access_token_ttl_secs: u64,
    /// Refresh token lifetime and session idle lifetime, seconds. Default 2592000 (30 d).
    pub refresh_token_ttl_secs: u64,
    /// How long after a refresh the refresh token it replaced is still answered with a
    /// fresh pair (the session kept) instead of ending the session as reuse, seconds.
    /// Default 10.
    pub refresh_grace_secs: u64,
    /// Failed credential checks (client secret, API key, service key, test-suite key,
    /// admin token) per IP and window before every attempt from that IP is answered 429.
    /// Default 20.
    pub auth_failure_limit: u32,
    /// That window, seconds. Default 900.
    pub auth_failure_window_secs: u64,
    /// How often a running node checks the stored signing keys and starts signing with a
    /// new one (`playgate keys rotate`, or another node's rotation), milliseconds; 0: never
    /// (only at start). Default 5000.
    pub signing_key_check_ms: u64,
    /// How often a node deletes expired failure-counter windows (one node at a time),
    /// seconds; 0: never. Default 300.
    pub failure_prune_secs: u64,
    /// How long audit events are kept, days; 0: forever. Default 90.
    pub audit_retention_days: u64,
    /// Whether the audit log records every renewal of a session (a KGeN session kept with
    /// new tokens, a refresh); off, only starts, ends, reuse and logins. Default true.
    pub audit_session_renewals: bool,
    /// How often a node deletes audit events past the retention (one node at a time),
    /// seconds; 0: never. Default 3600.
    pub audit_prune_secs: u64,
    /// How often a node adds its counts of the admin API's per-minute stats to the
    /// database, milliseconds; 0: only at shutdown. Default 10000.
    pub stats_flush_ms: u64,
    /// Longest wait for in-flight requests at shutdown, seconds. Default 30.
    pub shutdown_grace_secs: u64,
    /// Print the demo game's credentials when a fresh database is created. Default true.
    pub create_demo_game: bool,
    /// Bearer token of the admin HTTP API (`Authorization: Bearer …`). Unset: no admin API
    /// (404).
    pub admin_token: Option<SecretSetting>,
    /// A file holding `admin_token` (read when `admin_token` is unset).
    pub admin_token_file: Option<PathBuf>,
    /// Public base URL of this server, for links in e-mails (password reset). Default
    /// `http://<listen>`.
    pub public_url: Option<String>,
    /// SMTP server for outgoing mail, as a URL: `smtps://user:pass@host` (TLS),
    /// `smtp://host:587?tls=required` (STARTTLS) or `smtp://host:25` (plain). Unset: mail
    /// is only recorded in the outbox (`playgate outbox list`).
    pub smtp_url: Option<UrlSetting>,
    /// Sender of outgoing mail, e.g. `Playgate <noreply@example.org>`. Needed with
    /// `smtp_url`.
    pub smtp_from: Option<String>,
    /// Name of the GameFuse system service key that may call `/api/v3/test_suite/*`.
    /// Unset: those routes answer 404.
    pub test_suite_key_name: Option<String>,
    /// Token of that key.
    pub test_suite_key_token: Option<SecretSetting>,
    /// A file holding `test_suite_key_token` (read when it is unset).
    pub test_suite_key_token_file: Option<PathBuf>,
    /// argon2id memory cost in KiB for player passwords. Default 9216 (with 4 iterations,
    /// one of OWASP's minimum configurations; see `PasswordParams`).
    pub password_hash_memory_kib: u32,
    /// argon2id iterations. Default 4.
    pub password_hash_iterations: u32,
    /// argon2id lanes. Default 1.
    pub password_hash_parallelism: u32,
    /// Password hashes computed at once (each uses `password_hash_memory_kib`); 0: the
    /// number of CPUs. Default 0.
    pub password_hash_workers: u32,
    /// Longest wait for a password check, milliseconds; when the queue would take longer
    /// the login is refused at once (429 with Retry-After). Default 2000.
    pub password_max_wait_ms: u64,
    /// How often each node writes its tally of GameFuse API calls (the users' event
    /// counters), milliseconds. Default 250.
    pub gamefuse_events_flush_ms: u64,
    /// GeoIP country database (MaxMind format). Default: the one compiled in.
    pub geoip_database: Option<PathBuf>,
    /// Failed logins (password, OTP) per account and per IP within the window before 429.
    /// Default 10.
    pub login_failure_limit: u32,
    /// That window, seconds. Default 900.
    pub login_failure_window_secs: u64,
    /// Lifetime of an i3D login, seconds. Default 86400.
    pub login_ttl_secs: u64,
    /// Lifetime of an i3D login with `rememberMe`, seconds. Default 2592000.
    pub login_remember_me_ttl_secs: u64,
    /// Issuer shown by authenticator apps. Default `Playgate`.
    pub totp_issuer: String,
    /// Most client connections open at once. At the cap, a new connection closes the
    /// connection idle the longest (or waits for one to finish its request). Default 768:
    /// with the common limit of 1,024 open files that leaves room for the database
    /// connections, the data files and the listener.
    pub max_connections: u32,
    /// Longest time for a request's head (request line and headers), counted from its first
    /// byte; a slower client is disconnected. Default 10.
    pub header_read_timeout_secs: u64,
    /// Longest time a keep-alive connection may wait for its next request, seconds. Default
    /// 75 (longer than the 60 s idle timeout of common proxies and load balancers, so they
    /// close first and never send on a connection Playgate is closing).
    pub idle_timeout_secs: u64,
    /// Longest time for one request, from its head to its answer (a slow body included),
    /// seconds; past it the client gets 503 and the connection closes. Default 30.
    pub request_timeout_secs: u64,
    /// Largest request body, bytes; a larger one is answered 413. Default 2097152 (2 MiB).
    pub max_body_bytes: u64,
    /// Longest wait for a PostgreSQL connection, milliseconds. Past it the database counts
    /// as unreachable: requests are answered 503 with `Retry-After` at once until it
    /// answers again. Default 1000.
    pub database_acquire_timeout_ms: u64,
    /// Serve `GET /metrics` on this address of its own instead of the main listener
    /// (e.g. `127.0.0.1:9090`, to keep it off the public port). Default: on `listen`.
    pub metrics_listen: Option<SocketAddr>,
    /// Bearer token `GET /metrics` requires (`Authorization: Bearer …`). Default: none.
    pub metrics_token: Option<SecretSetting>,
    /// A file holding `metrics_token` (read when it is unset).
    pub metrics_token_file: Option<PathBuf>,
    /// Write the first-start banner with the demo game's secret to this file (created
    /// with mode 0600) instead of standard output, which service managers keep in their
    /// journals. Default: standard output.
    pub demo_secret_file: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./playgate-data"),
            database_url: None,
            database_max_connections: 16,
            database_read_connections: 0,
            sqlite_synchronous: "full".into(),
            sqlite_wal_autocheckpoint: 1000,
            master_key: None,
            master_key_file: None,
            log_format: LogFormat::Text,
            log: "info".into(),
            trusted_proxies: Vec::new(),
            access_token_ttl_secs: 24 * 3600,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            refresh_grace_secs: 10,
            auth_failure_limit: 20,
            auth_failure_window_secs: 15 * 60,
            signing_key_check_ms: 5000,
            failure_prune_secs: 300,
            audit_retention_days: 90,
            audit_session_renewals: true,
            audit_prune_secs: 3600,
            stats_flush_ms: 10_000,
            shutdown_grace_secs: 30,
            create_demo_game: true,
            admin_token: None,
            admin_token_file: None,
            public_url: None,
            smtp_url: None,
            smtp_from: None,
            test_suite_key_name: None,
            test_suite_key_token: None,
            test_suite_key_token_file: None,
            password_hash_memory_kib: 9_216,
            password_hash_iterations: 4,
            password_hash_parallelism: 1,
            password_hash_workers: 0,
            password_max_wait_ms: 2000,
            gamefuse_events_flush_ms: 250,
            geoip_database: None,
            login_failure_limit: 10,
            login_failure_window_secs: 15 * 60,
            login_ttl_secs: 24 * 3600,
            login_remember_me_ttl_secs: 30 * 24 * 3600,
            totp_issuer: "Playgate".into(),
            max_connections: 768,
            header_read_timeout_secs: 10,
            idle_timeout_secs: 75,
            request_timeout_secs: 30,
            max_body_bytes: 2 * 1024 * 1024,
            database_acquire_timeout_ms: 1000,
            metrics_listen: None,
            metrics_token: None,
            metrics_token_file: None,
            demo_secret_file: None,
        }
    }
}

/// A configuration problem, reported before anything starts.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

impl Config {
    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) => u.to_string(),
            None => format!("sqlite://{}", self.data_dir.join("playgate.db").display()),
        }
    }

    /// Whether the database is the embedded SQLite one.
    pub fn is_sqlite(&self) -> bool {
        self.database_url().starts_with("sqlite:")
    }

    /// The master key file in effect.
    pub fn master_key_file(&self) -> PathBuf {
        self.master_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("master.key"))
    }

    /// A secret given directly or in a file (`*_file`; trailing whitespace trimmed); an
    /// empty value counts as unset.
    pub fn secret(value: &Option<SecretSetting>, file: &Option<PathBuf>) -> Result<Option<String>, ConfigError> {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            return Ok(Some(v.to_owned()));
        }
        let Some(path) = file else { return Ok(None) };
        let text =
            std::fs::read_to_string(path).map_err(|e| ConfigError(format!("cannot read {}: {e}", path.display())))?;
        let text = text.trim();
        Ok((!text.is_empty()).then(|| text.to_owned()))
    }

    /// The core's policy settings.
    pub fn settings(&self) -> playgate_core::settings::Settings {
        playgate_core::settings::Settings {
            access_token_ttl: Duration::from_secs(self.access_token_ttl_secs),
            refresh_token_ttl: Duration::from_secs(self.refresh_token_ttl_secs),
            refresh_grace: Duration::from_secs(self.refresh_grace_secs),
            audit_renewals: self.audit_session_renewals,
            auth_failure_limit: self.auth_failure_limit,
            auth_failure_window: Duration::from_secs(self.auth_failure_window_secs),
            accounts: playgate_core::account::AccountSettings {
                password: playgate_core::password::PasswordParams {
                    memory_kib: self.password_hash_memory_kib,
                    iterations: self.password_hash_iterations,
                    parallelism: self.password_hash_parallelism,
                    max_concurrent: usize::try_from(self.password_hash_workers).unwrap_or(0),
                    max_wait: Duration::from_millis(self.password_max_wait_ms),
                },
                login_failure_limit: self.login_failure_limit,
                login_failure_window: Duration::from_secs(self.login_failure_window_secs),
                login_ttl: Duration::from_secs(self.login_ttl_secs),
                remember_me_ttl: Duration::from_secs(self.login_remember_me_ttl_secs),
                totp_issuer: self.totp_issuer.clone(),
                ..Default::default()
            },
        }
    }

    /// Loads the layers. `file`: an explicit config file (must exist); otherwise
    /// `./playgate.toml` if present. `env`: the process environment (passed in, so tests
    /// need not touch it). `flags`: key → value pairs from the command line.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        flags: &[(&str, String)],
    ) -> Result<Config, ConfigError> {
        let defaults = toml::Value::try_from(Config::default()).map_err(|e| ConfigError(e.to_string()))?;
        let toml::Value::Table(mut table) = defaults.clone() else {
            return Err(ConfigError("defaults are not a table".into()));
        };
        let file = file.map(Path::to_path_buf).or_else(|| {
            let p = PathBuf::from("playgate.toml");
            p.exists().then_some(p)
        });
        if let Some(path) = file {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| ConfigError(format!("cannot read {}: {e}", path.display())))?;
            let from_file: toml::Table =
                toml::from_str(&text).map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
            table.extend(from_file);
        }
        let keys: BTreeMap<String, ()> = Config::keys().into_iter().map(|k| (k, ())).collect();
        for (name, value) in env {
            let Some(key) = name.strip_prefix("PLAYGATE_") else {
                continue;
            };
            let key = key.to_ascii_lowercase();
            if keys.contains_key(&key) {
                table.insert(key.clone(), typed_value(&table, &key, &value));
            }
        }
        for (key, value) in flags {
            table.insert((*key).to_owned(), typed_value(&table, key, value));
        }
        let cfg: Config = toml::Value::Table(table)
            .try_into()
            .map_err(|e| ConfigError(e.to_string()))?;
        Ok(cfg)
    }

    /// Every configuration key.
    pub fn keys() -> Vec<String> {
        // Option fields that default to None do not serialize; list them explicitly.
        let mut keys: Vec<String> = match toml::Value::try_from(Config::default()) {
            Ok(toml::Value::Table(t)) => t.keys().cloned().collect(),
            _ => Vec::new(),
        };
        keys.extend(["database_url", "master_key", "master_key_file"].map(String::from));
        keys.extend(
            [
                "admin_token",
                "admin_token_file",
                "test_suite_key_token_file",
                "public_url",
                "smtp_url",
                "smtp_from",
                "test_suite_key_name",
                "test_suite_key_token",
                "geoip_database",
                "metrics_listen",
                "metrics_token",
                "metrics_token_file",
                "demo_secret_file",
            ]
            .map(String::from),
        );
        keys
    }
}

/// Converts a text value from the environment or a flag to the TOML type the key has by
/// default: integers, booleans, comma-separated lists; text otherwise.
fn typed_value(table: &toml::Table, key: &str, value: &str) -> toml::Value {
    match table.get(key) {
        Some(toml::Value::Integer(_)) => value
            .trim()
            .parse()
            .map(toml::Value::Integer)
            .unwrap_or_else(|_| value.into()),
        Some(toml::Value::Boolean(_)) => match value.trim() {
            "1" | "true" | "yes" | "on" => toml::Value::Boolean(true),
            "0" | "false" | "no" | "off" => toml::Value::Boolean(false),
            _ => value.into(),
        },
        Some(toml::Value::Array(_)) => toml::Value::Array(
            value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(toml::Value::from)
                .collect(),
        ),
        _ => value.into(),
    }
}

/// The address to put in a curl example for a listen address (0.0.0.0 → 127.0.0.1).
pub fn local_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        ip if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_show_in_debug() {
        let config = Config {
            master_key: Some("bWFzdGVyLWtleS1zZWNyZXQtbWFzdGVyLWtleS0xMjM=".into()),
            admin_token: Some("admin-secret-Zq81-never-shown".into()),
            test_suite_key_token: Some("suite-secret-Hw27-never-shown".into()),
            metrics_token: Some("metrics-secret-Pp63-never-shown".into()),
            database_url: Some("postgres://playgate:db-secret-Kk45@db.internal:5432/playgate".into()),
            smtp_url: Some("smtps://mailer:smtp-secret-Rr19@mail.example.org?tls=required".into()),
            ..Config::default()
        };
        let shown = format!("{config:?} {config:#?}");
        for secret in [
            "bWFzdGVyLWtleS1zZWNyZXQtbWFzdGVyLWtleS0xMjM=",
            "admin-secret-Zq81-never-shown",
            "suite-secret-Hw27-never-shown",
            "metrics-secret-Pp63-never-shown",
            "db-secret-Kk45",
            "smtp-secret-Rr19",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        // The URLs still say where they point.
        assert!(
            shown.contains("postgres://playgate:***@db.internal:5432/playgate"),
            "{shown}"
        );
        assert!(
            shown.contains("smtps://mailer:***@mail.example.org?tls=required"),
            "{shown}"
        );
        // And the values are there for their use.
        assert_eq!(
            config.database_url(),
            "postgres://playgate:db-secret-Kk45@db.internal:5432/playgate"
        );
        assert_eq!(config.admin_token.as_deref(), Some("admin-secret-Zq81-never-shown"));
    }

    #[test]
    fn urls_without_a_password_are_shown_whole() {
        for url in [
            "sqlite:///var/lib/playgate/playgate.db",
            "postgres://db/playgate",
            "smtp://relay@host:25",
            "not a url",
        ] {
            assert_eq!(UrlSetting::from(url).redacted(), url);
        }
        assert_eq!(
            UrlSetting::from("postgres://u:p@h/d?x=a@b").redacted(),
            "postgres://u:***@h/d?x=a@b"
        );
    }

    #[test]
    fn layers_in_order() -> Result<(), Box<dyn std::error::Error>> {
        let dir = std::env::temp_dir().join(format!("pg-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let file = dir.join("playgate.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\nauth_failure_limit = 5\nlog = \"debug\"\n",
        )?;
        let env = vec![
            ("PLAYGATE_AUTH_FAILURE_LIMIT".to_owned(), "7".to_owned()),
            (
                "PLAYGATE_TRUSTED_PROXIES".to_owned(),
                "10.0.0.0/8, 192.168.0.0/16".to_owned(),
            ),
            ("PLAYGATE_LISTEN".to_owned(), "127.0.0.1:9001".to_owned()),
            ("PLAYGATE_DATABASE_URL".to_owned(), "postgres://x@y/z".to_owned()),
            ("OTHER".to_owned(), "1".to_owned()),
        ];
        let cfg = Config::load(Some(&file), env, &[("listen", "127.0.0.1:9002".to_owned())])?;
        assert_eq!(cfg.listen.port(), 9002);
        assert_eq!(cfg.auth_failure_limit, 7);
        assert_eq!(cfg.log, "debug");
        assert_eq!(cfg.trusted_proxies, vec!["10.0.0.0/8", "192.168.0.0/16"]);
        assert_eq!(cfg.database_url(), "postgres://x@y/z");
        assert!(!cfg.is_sqlite());
        let env = vec![
            ("PLAYGATE_TEST_SUITE_KEY_NAME".to_owned(), "suite".to_owned()),
            ("PLAYGATE_TEST_SUITE_KEY_TOKEN".to_owned(), "t0k".to_owned()),
            ("PLAYGATE_ADMIN_TOKEN".to_owned(), "adm".to_owned()),
            ("PLAYGATE_PASSWORD_HASH_WORKERS".to_owned(), "2".to_owned()),
            ("PLAYGATE_MAX_CONNECTIONS".to_owned(), "100".to_owned()),
            ("PLAYGATE_HEADER_READ_TIMEOUT_SECS".to_owned(), "3".to_owned()),
            ("PLAYGATE_DATABASE_ACQUIRE_TIMEOUT_MS".to_owned(), "500".to_owned()),
        ];
        let cfg = Config::load(Some(&file), env, &[])?;
        assert_eq!(cfg.test_suite_key_name.as_deref(), Some("suite"));
        assert_eq!(cfg.test_suite_key_token.as_deref(), Some("t0k"));
        assert_eq!(cfg.admin_token.as_deref(), Some("adm"));
        assert_eq!(cfg.password_hash_workers, 2);
        assert_eq!(cfg.max_connections, 100);
        assert_eq!(cfg.header_read_timeout_secs, 3);
        assert_eq!(cfg.database_acquire_timeout_ms, 500);
        std::fs::write(&file, "no_such_key = 1\n")?;
        assert!(Config::load(Some(&file), vec![], &[]).is_err());
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn defaults() {
        let cfg = Config::default();
        assert_eq!(cfg.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(cfg.database_url(), "sqlite://./playgate-data/playgate.db");
    }
}
