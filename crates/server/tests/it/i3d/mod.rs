//! i3D.net dialect over HTTP, on both backends: login with and without 2FA, OTP windows,
//! replay and skew, recovery codes, logout, the user object and its GeoIP fields,
//! requestIp with and without trusted proxies, brute-force lockout and its expiry, API key
//! allowlists and expiry, the error format, admin HTTP, the CLI, and linking a KGeN
//! player to an account.

// The crate root is this file, so its own modules are named by path.
mod generated;
pub mod schema;

use std::collections::BTreeMap;
use std::time::Duration;

use generated::generated_inputs;

use crate::common::{self, Backend, Resp as R, TestServer, hash_under_other_params, json_types, jwt_parts, spawn_with};
use playgate_core::account::{
    AccessLevel, AccountDetails, AccountInfo, AccountProfile, AccountType, Language, NewAccount, NewApiKey,
};
use playgate_core::account_store::AccountStore as _;
use playgate_core::crypto::Secret;
use playgate_core::totp;
use playgate_server::config::Config;
use playgate_store::{SqlStore, StoreOptions};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";

/// The admin token of the servers that have one.
const ADMIN_TOKEN: &str = "admin-token-0123456789";

/// Cheap argon2 parameters, so the many logins of these tests stay fast; `defaults`
/// keeps the OWASP defaults.
fn cheap(c: &mut Config) {
    c.password_hash_memory_kib = 1024;
    c.password_hash_iterations = 1;
}

async fn server(b: Backend) -> Option<TestServer> {
    spawn_with(b, cheap).await
}

/// One raw HTTP request: method, path, PRIVATE-TOKEN, JSON body, extra headers. Every
/// answer is checked against i3D's document ([`schema::check`]) and Playgate's own.
async fn req(
    srv: &TestServer,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
    extra: &[(&str, &str)],
) -> R {
    let call = match token {
        Some(t) => srv.i3d(t).request(method, path),
        None => srv.request(method, path),
    };
    call.body_opt(body).headers(extra).send().await
}

/// Asserts an i3D error: status, `errorMessage` (if given), the `errors` property (if given).
fn assert_i3d_error(r: &R, status: u16, message: Option<&str>, property: Option<&str>) {
    assert_eq!(r.status, status, "body: {}", r.text);
    let obj = r.json.as_object().expect("error object");
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["errorCode", "errorMessage", "errors"], "{}", r.text);
    assert!(r.json["errorCode"].is_i64(), "{}", r.text);
    assert!(r.json["errors"].is_array(), "{}", r.text);
    if let Some(m) = message {
        assert_eq!(r.json["errorMessage"], m, "{}", r.text);
    }
    if let Some(p) = property {
        assert_eq!(r.json["errors"][0]["property"], p, "{}", r.text);
        assert!(r.json["errors"][0]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

async fn account(srv: &TestServer, name: &str, phone: &str) -> playgate_core::account::Account {
    let mut new = common::i3d::new_account(name, PASSWORD);
    new.info.profile = AccountProfile {
        first_name: "Ann".into(),
        last_name: "Smith".into(),
        gender: "female".into(),
        phone: phone.into(),
        ..new.info.profile
    };
    srv.running.core.create_account(new).await.expect("account")
}

async fn api_key(srv: &TestServer, cmd: NewApiKey) -> String {
    let (_, key) = srv.running.core.create_api_key(cmd).await.expect("key");
    key.expose().to_owned()
}

async fn any_key(srv: &TestServer) -> String {
    api_key(srv, NewApiKey::default()).await
}

/// The account `ann` (no phone) and an API key to log in with: where most tests start.
async fn ann_and_a_key(srv: &TestServer) -> String {
    account(srv, "ann", "").await;
    any_key(srv).await
}

fn login_body(user: &str, password: &str) -> String {
    json!({"userName": user, "password": password}).to_string()
}

/// `POST /v3/session/login` from `ip`, as a trusted proxy forwards it.
async fn login_from(srv: &TestServer, key: &str, user: &str, password: &str, ip: &str) -> R {
    let body = login_body(user, password);
    req(
        srv,
        "POST",
        "/v3/session/login",
        Some(key),
        Some(&body),
        &[("x-forwarded-for", ip)],
    )
    .await
}

/// `GET /v3/session/user` from `ip`, as a trusted proxy forwards it.
async fn user_from(srv: &TestServer, key: &str, ip: &str) -> R {
    srv.i3d(key)
        .request("GET", "/v3/session/user")
        .header("x-forwarded-for", ip)
        .send()
        .await
}

async fn login(srv: &TestServer, key: &str, user: &str) -> R {
    srv.i3d(key).login(user, PASSWORD).await
}

fn now(srv: &TestServer) -> i64 {
    srv.running.core.now().unix_secs()
}

/// The current TOTP of a base32 secret by the server's clock, `steps` steps away.
fn code(srv: &TestServer, secret: &[u8], steps: i64) -> String {
    totp::code_at(secret, now(srv) + steps * totp::STEP_SECS, 6)
}

/// Logs `user` in on `key` and turns 2FA on; returns the secret and recovery codes. The
/// login stays; the enabling code's step is used up.
async fn enable_2fa(srv: &TestServer, key: &str, user: &str) -> (Vec<u8>, Vec<String>) {
    assert_eq!(login(srv, key, user).await.status, 200);
    let r = srv.i3d(key).enrol_2fa().await;
    assert_eq!(r.status, 200, "{}", r.text);
    let secret = totp::base32_decode(r.json["secret"].as_str().expect("secret")).expect("base32");
    let r = srv.i3d(key).enable_2fa(&code(srv, &secret, 0)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let codes = r.json["recoveryCodes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| c.as_str().expect("code").to_owned())
        .collect();
    (secret, codes)
}

/// The user object's fields and their JSON types, as the seed shows them.
fn user_object_types() -> BTreeMap<String, &'static str> {
    [
        ("userId", "number"),
        ("userName", "string"),
        ("email", "string"),
        ("firstName", "string"),
        ("lastName", "string"),
        ("gender", "string"),
        ("phone", "string"),
        ("accessLevel", "number"),
        ("validateEmail", "number"),
        ("isTrialAccount", "number"),
        ("trialAccountExpirationDate", "string"),
        ("requestIp", "string"),
        ("requestIpCountry", "string"),
        ("requestIpCountryCode", "string"),
        ("details", "object"),
        ("billingDetails", "object"),
    ]
    .into_iter()
    .map(|(k, t)| (k.to_owned(), t))
    .collect()
}

/// Login without 2FA, the user object in the seed's JSON types, "Already logged in" and
/// logout. Uses the default (OWASP) argon2 parameters.
async fn login_user_logout(b: Backend) {
    let Some(srv) = spawn_with(b, |_| {}).await else { return };
    let a = account(&srv, "ann", "+31 20 555 0100").await;
    let key = any_key(&srv).await;
    let r = srv.i3d(&key).user().await;
    assert_i3d_error(&r, 404, Some("Not logged in"), None);

    // Without 2FA there is no OTP window: both deadlines are 0.
    let r = login(&srv, &key, "ann").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json,
        json!({"requiresOtp": false, "expiresAt": 0, "otpSessionExpiresAt": 0})
    );

    let r = srv.i3d(&key).user().await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(json_types(&r.json), user_object_types());
    let u = &r.json;
    assert_eq!(u["userId"], a.id.0);
    assert_eq!(u["userName"], "ann");
    assert_eq!(u["email"], "ann@example.com");
    assert_eq!(
        (u["firstName"].as_str(), u["lastName"].as_str()),
        (Some("Ann"), Some("Smith"))
    );
    assert_eq!(u["phone"], "+31 20 555 0100");
    assert_eq!(u["accessLevel"], 10);
    assert_eq!(u["validateEmail"], 1);
    assert_eq!(u["isTrialAccount"], 0);
    assert_eq!(u["trialAccountExpirationDate"], "");
    // Loopback: the address, and no country.
    assert_eq!(u["requestIp"], "127.0.0.1");
    assert_eq!(
        (u["requestIpCountry"].as_str(), u["requestIpCountryCode"].as_str()),
        (Some(""), Some(""))
    );
    assert_eq!(u["details"]["accountType"], 1);
    assert_eq!(u["details"]["emailAddressValidated"], 1);
    assert_eq!(u["details"]["phoneNumber"], "+31 20 555 0100");
    // Billing falls back to the account's own names and address.
    assert_eq!(u["billingDetails"]["lastName"], "Smith");
    assert_eq!(u["billingDetails"]["emailAddressBilling"], "ann@example.com");

    // One login per key.
    let r = login(&srv, &key, "ann").await;
    assert_i3d_error(&r, 409, Some("Already logged in"), None);
    // Another key logs in on its own.
    let key2 = any_key(&srv).await;
    assert_eq!(login(&srv, &key2, "ann").await.status, 200);

    let r = srv.i3d(&key).logout().await;
    assert_eq!((r.status, r.text.as_str()), (204, ""));
    assert_i3d_error(&srv.i3d(&key).user().await, 404, Some("Not logged in"), None);
    assert_i3d_error(&srv.i3d(&key).logout().await, 404, Some("Not logged in"), None);
    // The other key's login is untouched.
    assert_eq!(srv.i3d(&key2).user().await.status, 200);
    srv.finish().await;
}

/// rememberMe keeps a login 30 days, in any of the forms clients send.
async fn remember_me_keeps_a_login_30_days(b: Backend) {
    let Some(srv) = server(b).await else { return };
    account(&srv, "ann", "+31 20 555 0100").await;
    let key = any_key(&srv).await;
    for remember in [json!(1), json!("1"), json!(true)] {
        let body = json!({"userName": "ann", "password": PASSWORD, "rememberMe": remember}).to_string();
        let r = req(&srv, "POST", "/v3/session/login", Some(&key), Some(&body), &[]).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json["expiresAt"], 0);
        srv.advance(Duration::from_secs(30 * 86_400 - 1));
        assert_eq!(srv.i3d(&key).user().await.status, 200);
        assert_eq!(srv.i3d(&key).logout().await.status, 204);
    }
    srv.finish().await;
}

/// A login lapses after 24 h; then the key can log in again.
async fn a_login_lapses_after_24_hours(b: Backend) {
    let Some(srv) = server(b).await else { return };
    account(&srv, "ann", "+31 20 555 0100").await;
    let key = any_key(&srv).await;
    assert_eq!(login(&srv, &key, "ann").await.status, 200);
    srv.advance(Duration::from_secs(86_400 - 1));
    assert_eq!(srv.i3d(&key).user().await.status, 200);
    srv.advance(Duration::from_secs(1));
    assert_i3d_error(&srv.i3d(&key).user().await, 404, Some("Not logged in"), None);
    assert_eq!(login(&srv, &key, "ann").await.status, 200);
    srv.finish().await;
}

/// An unknown userName costs a password verification like a wrong password (argon2id
/// against a dummy hash, default parameters), and gets the same answer. Coarse: medians
/// of a few tries must be of one order, which an early return for unknown names is not.
async fn unknown_user_costs_a_password_check(b: Backend) {
    let Some(srv) = spawn_with(b, |_| {}).await else { return };
    let key = ann_and_a_key(&srv).await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for i in 0..4 {
        let start = std::time::Instant::now();
        let r = srv.i3d(&key).login("ann", "wrong password").await;
        known.push(start.elapsed());
        assert_i3d_error(&r, 401, Some("Invalid credentials"), None);
        let start = std::time::Instant::now();
        let r = srv.i3d(&key).login(&format!("nobody{i}"), "wrong password").await;
        unknown.push(start.elapsed());
        assert_i3d_error(&r, 401, Some("Invalid credentials"), None);
    }
    known.sort();
    unknown.sort();
    let (k, u) = (known[2].as_secs_f64(), unknown[2].as_secs_f64());
    assert!(u > k * 0.3 && k > u * 0.3, "median known {k:.4}s, unknown {u:.4}s");
    srv.finish().await;
}

/// A trial account, management access level, user names case-insensitive.
async fn trial_account_fields(b: Backend) {
    let Some(srv) = server(b).await else { return };
    srv.running
        .core
        .create_account(NewAccount {
            user_name: "Boss".into(),
            password: Secret::new(PASSWORD),
            access_level: AccessLevel::Management,
            trial_days: Some(30),
            info: AccountInfo {
                profile: AccountProfile {
                    email: "boss@example.com".into(),
                    company_name: "Hosting B.V.".into(),
                    ..AccountProfile::default()
                },
                details: AccountDetails {
                    account_type: AccountType::Business,
                    language: Language::Dutch,
                    ..AccountDetails::default()
                },
                ..AccountInfo::default()
            },
        })
        .await
        .expect("account");
    let key = any_key(&srv).await;
    assert_eq!(login(&srv, &key, "bOSS").await.status, 200);
    let u = srv.i3d(&key).user().await.json;
    assert_eq!(u["userName"], "Boss");
    assert_eq!(u["accessLevel"], 20);
    assert_eq!(u["validateEmail"], 0);
    assert_eq!(u["isTrialAccount"], 1);
    // The test clock starts at 2026-01-01T00:00:00Z.
    assert_eq!(u["trialAccountExpirationDate"], "2026-01-31T00:00:00Z");
    // Nothing else known: the document's defaults, nulls where it allows them.
    assert_eq!(
        u["details"],
        json!({
            "accountType": 2, "companyName": "Hosting B.V.", "vatNumber": null, "cocNumber": null,
            "firstName": "", "lastName": "", "address": "", "streetNumber": "", "zipCode": "",
            "city": "", "countryCode": "", "emailAddress": "boss@example.com",
            "unconfirmedEmail": null, "emailAddressValidated": 0, "phoneNumber": null,
            "phoneNumberMobile": null, "language": 1, "emailAddressAbuse": null, "newsletter": null,
            "agreeToc": null, "agreeAup": null, "agreeDpa": null, "isAllowedFlexMetal": 0
        })
    );
    assert_eq!(
        u["billingDetails"],
        json!({
            "firstName": "", "lastName": "", "address": "", "streetNumber": "", "zipCode": "",
            "city": "", "countryCode": "", "phoneNumber": null, "phoneNumberMobile": null,
            "emailAddressBilling": "boss@example.com", "bundleInvoicesOfSameCategory": 0,
            "receivePaymentConfirmationsViaEmail": 0, "preferredPaymentMethod": 0
        })
    );
    srv.finish().await;
}

/// Bad login bodies are 400 naming the property; a wrong password, an unknown user and a
/// name no account can have get one answer; nothing changed.
async fn bad_login_input(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let key = ann_and_a_key(&srv).await;
    let login_path = "/v3/session/login";
    for (body, property) in [
        (None, "userName"),
        (Some("{"), "body"),
        (Some("[1]"), "body"),
        (Some(r#"{"password": "x"}"#), "userName"),
        (Some(r#"{"userName": "ann"}"#), "password"),
        (Some(r#"{"userName": "", "password": "x"}"#), "userName"),
        (
            Some(r#"{"userName": "ann", "password": "x", "rememberMe": "maybe"}"#),
            "rememberMe",
        ),
        (Some(r#"{"userName": {"a": 1}, "password": "x"}"#), "userName"),
    ] {
        let r = req(&srv, "POST", login_path, Some(&key), body, &[]).await;
        assert_i3d_error(&r, 400, None, Some(property));
    }
    // Wrong password and unknown user: one answer.
    let wrong = req(
        &srv,
        "POST",
        login_path,
        Some(&key),
        Some(&login_body("ann", "wrong password")),
        &[],
    )
    .await;
    assert_i3d_error(&wrong, 401, Some("Invalid credentials"), None);
    // A name no account can have: NUL (which PostgreSQL cannot even compare) and other
    // control characters are an unknown user, not a fault.
    for name in [r"ann\u0000", r"\u0000", r"an\u0007n"] {
        let body = format!(r#"{{"userName": "{name}", "password": "x"}}"#);
        let r = req(&srv, "POST", login_path, Some(&key), Some(&body), &[]).await;
        assert_i3d_error(&r, 401, Some("Invalid credentials"), None);
    }
    let unknown = req(
        &srv,
        "POST",
        login_path,
        Some(&key),
        Some(&login_body("nobody", PASSWORD)),
        &[],
    )
    .await;
    assert_eq!((unknown.status, &unknown.json), (wrong.status, &wrong.json));
    // Nothing changed: the key logs in, once.
    assert_eq!(login(&srv, &key, "ann").await.status, 200);
    srv.finish().await;
}

/// A missing or unknown key, OTP calls without a body or a waiting login, and 2FA and
/// link calls without a login: 4xx in the i3D format; nothing changed.
async fn bad_credentials_and_calls_out_of_turn(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let key = ann_and_a_key(&srv).await;
    let login_path = "/v3/session/login";
    let r = req(&srv, "POST", login_path, None, Some(&login_body("ann", PASSWORD)), &[]).await;
    assert_i3d_error(&r, 401, Some("Missing PRIVATE-TOKEN header"), None);
    let r = req(
        &srv,
        "POST",
        login_path,
        Some("pgk_nope"),
        Some(&login_body("ann", PASSWORD)),
        &[],
    )
    .await;
    assert_i3d_error(&r, 401, Some("Invalid API key"), None);
    assert_i3d_error(&srv.i3d("pgk_nope").user().await, 401, None, None);
    // OTP calls: no body, no waiting login.
    assert_i3d_error(
        &req(&srv, "POST", "/v3/session/login/otp", Some(&key), None, &[]).await,
        400,
        None,
        Some("otp"),
    );
    let r = srv.i3d(&key).login_otp("123456").await;
    assert_i3d_error(&r, 404, Some("Unexpected OTP call"), None);
    // 2FA and links need a login.
    for (m, p) in [
        ("POST", "/v3/session/2fa"),
        ("DELETE", "/v3/session/2fa"),
        ("POST", "/v3/session/2fa/enable"),
        ("POST", "/v3/session/links"),
    ] {
        assert_i3d_error(
            &srv.i3d(&key).with_otp(m, p, "123456").await,
            404,
            Some("Not logged in"),
            None,
        );
    }
    // Nothing changed: the key logs in, once.
    assert_eq!(login(&srv, &key, "ann").await.status, 200);
    srv.finish().await;
}

/// Logged in: bad 2FA and link bodies are 400; enabling before enrollment and disabling
/// when off are 409.
async fn bad_2fa_and_link_bodies(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let key = ann_and_a_key(&srv).await;
    assert_eq!(login(&srv, &key, "ann").await.status, 200);
    assert_i3d_error(
        &req(&srv, "POST", "/v3/session/2fa/enable", Some(&key), Some("{}"), &[]).await,
        400,
        None,
        Some("otp"),
    );
    assert_i3d_error(
        &req(
            &srv,
            "POST",
            "/v3/session/links",
            Some(&key),
            Some(r#"{"code": 5"#),
            &[],
        )
        .await,
        400,
        None,
        Some("body"),
    );
    assert_i3d_error(
        &req(&srv, "POST", "/v3/session/links", Some(&key), Some("{}"), &[]).await,
        400,
        None,
        Some("code"),
    );
    // Enable before enrollment, disable when off.
    let r = srv.i3d(&key).enable_2fa("123456").await;
    assert_i3d_error(&r, 409, None, None);
    let r = srv.i3d(&key).disable_2fa("123456").await;
    assert_i3d_error(&r, 409, Some("2FA is not enabled"), None);
    srv.finish().await;
}

/// Enrollment (secret, otpauth URI, SVG QR), enabling, login with OTP, the OTP window,
/// skew, replay, five wrong OTPs, and "Unexpected OTP call".
async fn two_factor_login(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let key = ann_and_a_key(&srv).await;
    let secret = two_factor_enrolled_and_enabled(&srv, &key).await;
    two_factor_otp_skew_and_replay(&srv, &key, &secret).await;
    two_factor_window_and_wrong_codes(&srv, &key, &secret).await;
    srv.finish().await;
}

/// Enrollment shows the secret, its URI and QR code; a wrong code does not enable, the
/// right one does (with ten recovery codes). The secret.
async fn two_factor_enrolled_and_enabled(srv: &TestServer, key: &str) -> Vec<u8> {
    assert_eq!(login(srv, key, "ann").await.status, 200);
    let r = srv.i3d(key).enrol_2fa().await;
    assert_eq!(r.status, 200, "{}", r.text);
    let b32 = r.json["secret"].as_str().expect("secret").to_owned();
    let secret = totp::base32_decode(&b32).expect("base32");
    assert_eq!(secret.len(), 20);
    assert_eq!(
        r.json["otpauthUri"],
        format!("otpauth://totp/Playgate:ann?secret={b32}&issuer=Playgate&algorithm=SHA1&digits=6&period=30")
    );
    let svg = r.json["qrCodeSvg"].as_str().expect("svg");
    assert!(svg.contains("<svg") && svg.contains("</svg>"), "{svg}");
    // Until enabled, logins need no OTP; a wrong code does not enable.
    let r = srv.i3d(key).enable_2fa("000000").await;
    assert_i3d_error(&r, 401, Some("Invalid OTP"), None);
    let r = srv.i3d(key).enable_2fa(&code(srv, &secret, 0)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["recoveryCodes"].as_array().map(Vec::len), Some(10));
    let r = srv.i3d(key).enrol_2fa().await;
    assert_i3d_error(&r, 409, Some("2FA is already enabled"), None);
    // A completed login expects no OTP.
    let r = srv.i3d(key).login_otp(&code(srv, &secret, 0)).await;
    assert_i3d_error(&r, 404, Some("Unexpected OTP call"), None);
    assert_eq!(srv.i3d(key).logout().await.status, 204);
    secret
}

/// Login with 2FA waits five minutes for the OTP: the enabling code and a used one are
/// replays, two steps ahead is outside the skew, one step inside it.
async fn two_factor_otp_skew_and_replay(srv: &TestServer, key: &str, secret: &[u8]) {
    let r = login(srv, key, "ann").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let t = now(srv);
    assert_eq!(
        r.json,
        json!({"requiresOtp": true, "expiresAt": t + 300, "otpSessionExpiresAt": t + 300})
    );
    assert_i3d_error(&srv.i3d(key).user().await, 404, Some("Not logged in"), None);
    // The code that enabled 2FA is used up (replay), although still inside its step.
    let r = srv.i3d(key).login_otp(&code(srv, secret, 0)).await;
    assert_i3d_error(&r, 401, Some("Invalid OTP"), None);
    // Two steps ahead is outside the skew.
    let r = srv.i3d(key).login_otp(&code(srv, secret, 2)).await;
    assert_i3d_error(&r, 401, Some("Invalid OTP"), None);
    // One step ahead is inside it.
    let next = code(srv, secret, 1);
    let r = srv.i3d(key).login_otp(&next).await;
    assert_eq!((r.status, r.text.as_str()), (204, ""));
    let r = srv.i3d(key).user().await;
    assert_eq!(r.status, 200);
    assert_eq!(srv.i3d(key).logout().await.status, 204);
    // The same code again, on a new login: a replay.
    assert_eq!(login(srv, key, "ann").await.json["requiresOtp"], true);
    let r = srv.i3d(key).login_otp(&next).await;
    assert_i3d_error(&r, 401, Some("Invalid OTP"), None);
}

/// The OTP window closes after five minutes; five wrong OTPs cancel a waiting login; a
/// completed login lasts 24 h from the OTP.
async fn two_factor_window_and_wrong_codes(srv: &TestServer, key: &str, secret: &[u8]) {
    srv.advance(Duration::from_secs(301));
    let r = srv.i3d(key).login_otp(&code(srv, secret, 0)).await;
    assert_i3d_error(&r, 404, Some("Unexpected OTP call"), None);

    // A waiting login does not block a new one; five wrong OTPs cancel it.
    let t = now(srv);
    let r = login(srv, key, "ann").await;
    assert_eq!(r.json["otpSessionExpiresAt"], t + 300);
    for _ in 0..5 {
        let r = srv.i3d(key).login_otp("000000").await;
        assert_i3d_error(&r, 401, Some("Invalid OTP"), None);
    }
    let r = srv.i3d(key).login_otp(&code(srv, secret, 0)).await;
    assert_i3d_error(&r, 404, Some("Unexpected OTP call"), None);
    // A fresh login with a fresh code completes.
    srv.advance(Duration::from_secs(30));
    assert_eq!(login(srv, key, "ann").await.json["requiresOtp"], true);
    let r = srv.i3d(key).login_otp(&code(srv, secret, 0)).await;
    assert_eq!(r.status, 204, "{}", r.text);
    // The completed login lasts 24 h from the OTP.
    srv.advance(Duration::from_secs(86_399));
    assert_eq!(srv.i3d(key).user().await.status, 200);
}

/// Recovery codes: accepted once in place of an OTP, in any case and grouping; turning
/// 2FA off with a code.
async fn recovery_codes(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let key = ann_and_a_key(&srv).await;
    let (secret, codes) = enable_2fa(&srv, &key, "ann").await;
    assert_eq!(codes.len(), 10);
    assert!(
        codes.iter().all(|c| c.len() == 19 && c.matches('-').count() == 3),
        "{codes:?}"
    );
    assert_eq!(codes.iter().collect::<std::collections::BTreeSet<_>>().len(), 10);
    assert_eq!(srv.i3d(&key).logout().await.status, 204);

    assert_eq!(login(&srv, &key, "ann").await.json["requiresOtp"], true);
    let r = srv.i3d(&key).login_otp(&codes[0]).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(srv.i3d(&key).logout().await.status, 204);
    // Used once: refused.
    assert_eq!(login(&srv, &key, "ann").await.json["requiresOtp"], true);
    let r = srv.i3d(&key).login_otp(&codes[0]).await;
    assert_i3d_error(&r, 401, Some("Invalid OTP"), None);
    // Another, typed in upper case without dashes.
    let typed = codes[1].replace('-', "").to_uppercase();
    let r = srv.i3d(&key).login_otp(&typed).await;
    assert_eq!(r.status, 204, "{}", r.text);
    // Turning 2FA off takes a valid code: wrong ones and used recovery codes are refused.
    let r = srv.i3d(&key).disable_2fa(&codes[1]).await;
    assert_i3d_error(&r, 401, Some("Invalid OTP"), None);
    srv.advance(Duration::from_secs(30));
    let r = srv.i3d(&key).disable_2fa(&code(&srv, &secret, 0)).await;
    assert_eq!((r.status, r.text.as_str()), (204, ""));
    assert_eq!(srv.i3d(&key).logout().await.status, 204);
    let r = login(&srv, &key, "ann").await;
    assert_eq!(r.json["requiresOtp"], false, "{}", r.text);
    // Old recovery codes are gone with 2FA; re-enrolling issues new ones.
    let r = srv.i3d(&key).enrol_2fa().await;
    assert_eq!(r.status, 200);
    srv.finish().await;
}

/// Too many failures per account (from any address) and per address (for any user
/// name) give 429 with Retry-After; the lock ends with the window.
async fn lockout_and_expiry(b: Backend) {
    let Some(srv) = spawn_with(b, |c| {
        cheap(c);
        c.trusted_proxies = vec!["127.0.0.1/32".into()];
    })
    .await
    else {
        return;
    };
    account(&srv, "ann", "").await;
    account(&srv, "bob", "").await;
    let key = any_key(&srv).await;
    let from = |i: u32| format!("203.0.{}.{}", i / 200, i % 200 + 1);
    // Ten wrong passwords for ann, each from another address.
    for i in 0..10 {
        let ip = from(i);
        let r = login_from(&srv, &key, "ann", "wrong password", &ip).await;
        assert_i3d_error(&r, 401, Some("Invalid credentials"), None);
    }
    // Now even the right password is refused, from a fresh address.
    let r = login_from(&srv, &key, "ann", PASSWORD, "198.51.100.7").await;
    assert_i3d_error(&r, 429, Some("Too many login requests performed"), None);
    let retry: u64 = r.headers["retry-after"].to_str().expect("ascii").parse().expect("secs");
    assert!((1..=900).contains(&retry), "{retry}");
    // Bob is not affected.
    let r = login_from(&srv, &key, "bob", PASSWORD, "198.51.100.7").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(srv.i3d(&key).logout().await.status, 204);

    // Ten failures from one address, for unknown names: that address is locked for bob too.
    for i in 0..10 {
        let r = login_from(&srv, &key, &format!("ghost{i}"), "x", "192.0.2.1").await;
        assert_i3d_error(&r, 401, Some("Invalid credentials"), None);
    }
    let r = login_from(&srv, &key, "bob", PASSWORD, "192.0.2.1").await;
    assert_i3d_error(&r, 429, Some("Too many login requests performed"), None);
    // An unknown name is locked like a known one: eleven tries for "ghost".
    for i in 0..10 {
        let r = login_from(&srv, &key, "ghost", "x", &from(100 + i)).await;
        assert_eq!(r.status, 401);
    }
    let r = login_from(&srv, &key, "ghost", "x", "198.51.100.9").await;
    assert_eq!(r.status, 429);

    // After Retry-After the locks are gone.
    srv.advance(Duration::from_secs(retry));
    let r = login_from(&srv, &key, "ann", PASSWORD, "192.0.2.1").await;
    assert_eq!(r.status, 200, "{}", r.text);
    srv.finish().await;
}

/// The login actions are in the audit log after their calls: a wrong password
/// (`login.failed`, by the API key, about the account), a login without and with a second
/// factor (`login.succeeded`, by the account), turning 2FA on (`2fa.enabled`), a wrong
/// code (`otp.failed`) and the lockout that failures end in (`lockout`).
async fn login_actions_are_audited(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let ann = account(&srv, "ann", "").await;
    let who = format!("account:{}", ann.id.0);
    let key = any_key(&srv).await;
    let r = srv.i3d(&key).login("ann", "wrong password").await;
    assert_eq!(r.status, 401);
    let failed = srv.audit("action=login.failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["subject"], who.as_str());
    assert!(
        failed[0]["actor"].as_str().is_some_and(|a| a.starts_with("api_key:")),
        "{failed:?}"
    );
    assert_eq!(failed[0]["ip"], "127.0.0.1");

    let (secret, _) = enable_2fa(&srv, &key, "ann").await;
    let ok = srv.audit("action=login.succeeded").await;
    assert_eq!(ok.len(), 1);
    assert_eq!((&ok[0]["actor"], &ok[0]["subject"]), (&json!(who), &json!(who)));
    let enabled = srv.audit("action=2fa.enabled").await;
    assert_eq!(enabled.len(), 1);
    assert_eq!(enabled[0]["subject"], who.as_str());
    assert_eq!(srv.i3d(&key).logout().await.status, 204);

    assert_eq!(login(&srv, &key, "ann").await.json["requiresOtp"], true);
    assert_eq!(
        srv.audit("action=login.succeeded").await.len(),
        1,
        "not before the code"
    );
    assert_eq!(srv.i3d(&key).login_otp("999999").await.status, 401);
    let otp = srv.audit("action=otp.failed").await;
    assert_eq!(otp.len(), 1);
    assert_eq!(otp[0]["subject"], who.as_str());
    let r = srv.i3d(&key).login_otp(&code(&srv, &secret, 1)).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let ok = srv.audit(&format!("action=login.succeeded&actor={who}")).await;
    assert_eq!(ok.len(), 2);
    assert_eq!(srv.i3d(&key).logout().await.status, 204);

    // Two failures so far; the account's limit locks it.
    assert!(srv.audit("action=lockout").await.is_empty());
    let mut last = 0;
    for _ in 0..20 {
        last = srv.i3d(&key).login("ann", "wrong password").await.status;
        if last == 429 {
            break;
        }
    }
    assert_eq!(last, 429);
    let lockouts = srv.audit("action=lockout").await;
    assert!(!lockouts.is_empty());
    assert_eq!(lockouts[0]["detail"]["counter"], "i3d-login");
    srv.finish().await;
}

/// Wrong OTPs count towards the account's lockout as well.
async fn otp_failures_lock_the_account(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let key = ann_and_a_key(&srv).await;
    let (secret, _) = enable_2fa(&srv, &key, "ann").await;
    assert_eq!(srv.i3d(&key).logout().await.status, 204);
    // Two waiting logins of five wrong OTPs each: ten failures.
    for _ in 0..2 {
        assert_eq!(login(&srv, &key, "ann").await.json["requiresOtp"], true);
        for _ in 0..5 {
            let r = srv.i3d(&key).login_otp("999999").await;
            assert_eq!(r.status, 401, "{}", r.text);
        }
    }
    assert_eq!(login(&srv, &key, "ann").await.status, 429);
    srv.advance(Duration::from_secs(900));
    assert_eq!(login(&srv, &key, "ann").await.json["requiresOtp"], true);
    let r = srv.i3d(&key).login_otp(&code(&srv, &secret, 0)).await;
    assert_eq!(r.status, 204, "{}", r.text);
    srv.finish().await;
}

/// A server behind a trusted proxy (127.0.0.1) that locks an address out after three
/// failures, with the account `ann` and an API key allowed only from 127.0.0.1.
async fn ann_behind_a_proxy(b: Backend) -> Option<(TestServer, String)> {
    let srv = spawn_with(b, |c| {
        cheap(c);
        c.trusted_proxies = vec!["127.0.0.1/32".into()];
        c.auth_failure_limit = 3;
    })
    .await?;
    account(&srv, "ann", "").await;
    let local = api_key(
        &srv,
        NewApiKey {
            allow_ips: vec!["127.0.0.1".into()],
            ..NewApiKey::default()
        },
    )
    .await;
    Some((srv, local))
}

/// API keys: address allowlists (with and without a trusted proxy) and expiry.
async fn api_key_allowlist_and_expiry(b: Backend) {
    let Some((srv, local)) = ann_behind_a_proxy(b).await else {
        return;
    };
    let office = api_key(
        &srv,
        NewApiKey {
            allow_ips: vec!["10.0.0.0/8".into(), "2001:db8::/32".into()],
            ..NewApiKey::default()
        },
    )
    .await;
    let r = login(&srv, &office, "ann").await;
    assert_i3d_error(&r, 401, Some("API key not allowed from this address"), None);
    let r = login_from(&srv, &office, "ann", PASSWORD, "10.2.3.4").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = user_from(&srv, &office, "11.0.0.1").await;
    assert_i3d_error(&r, 401, Some("API key not allowed from this address"), None);
    assert_eq!(login(&srv, &local, "ann").await.status, 200);

    let t = srv.running.core.now();
    let expiring = api_key(
        &srv,
        NewApiKey {
            expires_at: Some(t.plus(Duration::from_secs(86_400))),
            ..NewApiKey::default()
        },
    )
    .await;
    assert_eq!(login(&srv, &expiring, "ann").await.status, 200);
    srv.advance(Duration::from_secs(86_399));
    assert_eq!(srv.i3d(&expiring).user().await.status, 200);
    srv.advance(Duration::from_secs(1));
    let r = srv.i3d(&expiring).user().await;
    assert_i3d_error(&r, 401, Some("API key expired"), None);
    srv.finish().await;
}

/// Guessing API keys: unknown keys per IP past `auth_failure_limit` are 429, and so is a
/// valid key from that address until the window ends.
async fn api_key_guessing_locks_the_address_out(b: Backend) {
    let Some((srv, local)) = ann_behind_a_proxy(b).await else {
        return;
    };
    assert_eq!(login(&srv, &local, "ann").await.status, 200);
    for i in 0..4 {
        let r = srv.i3d(&format!("pgk_guess{i}")).user().await;
        if i < 3 {
            assert_i3d_error(&r, 401, Some("Invalid API key"), None);
        } else {
            assert_i3d_error(&r, 429, None, None);
            assert!(r.headers.contains_key("retry-after"));
        }
    }
    let r = srv.i3d(&local).user().await;
    assert_i3d_error(&r, 429, None, None);
    let retry: u64 = r.headers["retry-after"]
        .to_str()
        .expect("header")
        .parse()
        .expect("secs");
    srv.advance(Duration::from_secs(retry));
    assert_eq!(srv.i3d(&local).user().await.status, 200);
    srv.finish().await;
}

/// requestIp is the peer unless the peer is a trusted proxy; countries from the shipped
/// GeoIP database; private addresses have none.
async fn request_ip_and_geoip(b: Backend) {
    // No trusted proxy: X-Forwarded-For is ignored.
    let Some(srv) = server(b).await else { return };
    let key = ann_and_a_key(&srv).await;
    assert_eq!(login(&srv, &key, "ann").await.status, 200);
    let r = user_from(&srv, &key, "8.8.8.8").await;
    assert_eq!(r.json["requestIp"], "127.0.0.1", "{}", r.text);
    assert_eq!(r.json["requestIpCountryCode"], "");
    assert_eq!(r.json["requestIpCountry"], "");
    srv.finish().await;

    let Some(srv) = spawn_with(b, |c| {
        cheap(c);
        c.trusted_proxies = vec!["127.0.0.0/8".into(), "10.0.0.0/8".into()];
    })
    .await
    else {
        return;
    };
    let key = ann_and_a_key(&srv).await;
    assert_eq!(login(&srv, &key, "ann").await.status, 200);
    for (xff, ip, code, name) in [
        ("8.8.8.8", "8.8.8.8", "US", "United States of America"),
        (
            "6.6.6.6, 193.0.6.139",
            "193.0.6.139",
            "NL",
            "Netherlands (Kingdom of the)",
        ),
        ("133.242.0.3, 10.0.0.9", "133.242.0.3", "JP", "Japan"),
        ("200.160.2.3", "200.160.2.3", "BR", "Brazil"),
        (
            "2001:67c:2e8::1",
            "2001:67c:2e8::1",
            "NL",
            "Netherlands (Kingdom of the)",
        ),
        (
            "2001:4860:4860::8888",
            "2001:4860:4860::8888",
            "US",
            "United States of America",
        ),
        ("192.168.1.20", "192.168.1.20", "", ""),
        ("not an address", "127.0.0.1", "", ""),
    ] {
        let r = user_from(&srv, &key, xff).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            (
                &r.json["requestIp"],
                &r.json["requestIpCountryCode"],
                &r.json["requestIpCountry"]
            ),
            (&json!(ip), &json!(code), &json!(name)),
            "X-Forwarded-For: {xff}"
        );
    }
    srv.finish().await;
}

/// `POST /v3/session/links` with `code`, on `key`'s login.
async fn link(srv: &TestServer, key: &str, code: &str) -> R {
    let body = json!({ "code": code }).to_string();
    req(srv, "POST", "/v3/session/links", Some(key), Some(&body), &[]).await
}

/// Linking: the game backend gets a code for its player, the logged-in account redeems it,
/// and the KGeN session response shows the account.
async fn linking_shows_in_kgen(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let ann = account(&srv, "ann", "+91 98765 43210").await;
    account(&srv, "bob", "").await;
    let player = srv.open(r#"{"user_id": "38331972"}"#).await;
    assert_eq!(player["indigg_id"], Value::Null);
    let code = link_code_issued(&srv).await;
    let key = link_code_redeemed(&srv, &ann, &code).await;
    linked_account_in_kgen(&srv, &ann, &player).await;
    link_not_taken_over(&srv, &ann, &key).await;
    srv.finish().await;
}

/// The link code: KGeN credentials, an existing player; eight characters for ten minutes.
async fn link_code_issued(srv: &TestServer) -> String {
    let r = srv
        .call("POST", "/s2s/link-code", Some(r#"{"user_id": "nobody"}"#))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = srv.call("POST", "/s2s/link-code", Some("{}")).await;
    assert_eq!((r.status, r.json["field"].as_str()), (400, Some("user_id")));
    let r = srv
        .send("POST", "/s2s/link-code", Some(r#"{"user_id": "38331972"}"#), None)
        .await;
    assert_eq!(r.status, 401);
    let r = srv
        .call("POST", "/s2s/link-code", Some(r#"{"user_id": 38331972}"#))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let code = r.json["code"].as_str().expect("code").to_owned();
    assert_eq!(code.len(), 8);
    assert_eq!(r.json["expires_in"], 600);
    assert_eq!(r.json["expires_at"], now(srv) + 600);
    code
}

/// Ann, logged in, redeems the code (in any case) once; an unknown code is refused. Her
/// key.
async fn link_code_redeemed(srv: &TestServer, ann: &playgate_core::account::Account, code: &str) -> String {
    let key = any_key(srv).await;
    assert_eq!(login(srv, &key, "ann").await.status, 200);
    assert_i3d_error(&link(srv, &key, "ZZZZZZZZ").await, 400, None, Some("code"));
    let r = link(srv, &key, &code.to_lowercase()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json,
        json!({
            "clientId": srv.game.game.client_id,
            "clientName": "ESPORTS_PROTOCOL_CALLBREAK",
            "userId": "38331972",
            "indiggId": ann.public_id,
        })
    );
    // One use.
    assert_i3d_error(&link(srv, &key, code).await, 400, None, Some("code"));
    key
}

/// The KGeN response and token now carry the account.
async fn linked_account_in_kgen(srv: &TestServer, ann: &playgate_core::account::Account, player: &Value) {
    let v = srv.open(r#"{"user_id": "38331972"}"#).await;
    assert_eq!(v["indigg_id"], ann.public_id.as_str());
    assert!(uuid::Uuid::parse_str(&ann.public_id).is_ok());
    assert_eq!(v["indigg_wallet_address"], ann.wallet_address.as_str());
    assert_ne!(v["indigg_wallet_address"], v["wallet_address"]);
    let w = ann.wallet_address.as_str();
    assert_eq!(playgate_core::wallet::checksum(&w[2..]), w);
    assert_eq!(v["linked_phone"], "+91 98765 43210");
    assert_eq!(v["session_id"], player["session_id"]);
    let (_, claims) = jwt_parts(v["access_token"].as_str().expect("token"));
    assert_eq!(claims["indigg_id"], ann.public_id.as_str());
    assert_eq!(claims["indigg_wallet_address"], w);
    assert_eq!(claims["linked_phone"], "+91 98765 43210");
}

/// Another account cannot take the player over; nothing changes. The code is not used up
/// by the refusal; it still expires after ten minutes.
async fn link_not_taken_over(srv: &TestServer, ann: &playgate_core::account::Account, key: &str) {
    let code2 = srv
        .call("POST", "/s2s/link-code", Some(r#"{"user_id": "38331972"}"#))
        .await
        .json["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let bob_key = any_key(srv).await;
    assert_eq!(login(srv, &bob_key, "bob").await.status, 200);
    assert_i3d_error(&link(srv, &bob_key, &code2).await, 409, None, None);
    assert_eq!(
        srv.open(r#"{"user_id": "38331972"}"#).await["indigg_id"],
        ann.public_id.as_str()
    );
    srv.advance(Duration::from_secs(601));
    assert_i3d_error(&link(srv, key, &code2).await, 400, None, Some("code"));
}

/// The admin HTTP calls without a configured token: 404 in the admin format, as for any
/// route that does not exist.
async fn admin_http_without_a_token(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let r = srv.admin("x").post("/admin/accounts", &carol()).await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (404, Some("not_found")),
        "{}",
        r.text
    );
    srv.finish().await;
}

fn carol() -> String {
    json!({"userName": "carol", "password": PASSWORD, "email": "carol@example.com", "phone": "+1 555"}).to_string()
}

/// The admin HTTP calls with a configured token: 401 without or with a wrong one; accounts
/// and API keys created (and recorded as the console and the CLI record theirs), refused
/// when invalid, and usable.
async fn admin_http(b: Backend) {
    let body = carol();
    let token = ADMIN_TOKEN;
    let Some(srv) = spawn_with(b, |c| {
        cheap(c);
        c.admin_token = Some(token.into());
    })
    .await
    else {
        return;
    };
    let admin = srv.admin(token);
    assert_eq!(
        srv.request("POST", "/admin/accounts").body(&body).send().await.status,
        401
    );
    let wrong = srv.admin("admin-token-0123456788");
    assert_eq!(wrong.post("/admin/accounts", &body).await.status, 401);
    let r = admin.post("/admin/accounts", &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["userName"], "carol");
    assert_eq!(r.json["accessLevel"], 10);
    assert!(r.json["walletAddress"].as_str().is_some_and(|w| w.len() == 42));
    let carol_id = r.json["userId"].as_i64().expect("id");
    let r = admin.post("/admin/accounts", &body).await;
    assert_eq!((r.status, r.json["error"].as_str()), (409, Some("conflict")));
    for (bad, field) in [
        (
            json!({"userName": "dave", "password": PASSWORD, "email": "nope"}),
            "email",
        ),
        (
            json!({"userName": "dave", "password": "short", "email": "d@e.com"}),
            "password",
        ),
        (
            json!({"userName": "d", "password": PASSWORD, "email": "d@e.com"}),
            "userName",
        ),
        (
            json!({"userName": "dave", "password": PASSWORD, "email": "d@e.com", "accessLevel": 15}),
            "accessLevel",
        ),
        (json!({"password": PASSWORD, "email": "d@e.com"}), "userName"),
    ] {
        let r = admin.post("/admin/accounts", &bad.to_string()).await;
        assert_eq!((r.status, r.json["field"].as_str()), (400, Some(field)), "{}", r.text);
    }
    let r = admin.post("/admin/api-keys", r#"{"allowIps": ["nope"]}"#).await;
    assert_eq!(r.status, 400, "{}", r.text);
    let r = admin
        .post("/admin/api-keys", r#"{"label": "ci", "expiresAt": "2027-01-01"}"#)
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["expiresAt"], 1_798_761_600);
    let key = r.json["key"].as_str().expect("key").to_owned();
    let key_id = r.json["id"].as_i64().expect("key id");
    assert!(key.starts_with("pgk_"));
    assert_eq!(login(&srv, &key, "carol").await.status, 200);
    let r = srv.i3d(&key).user().await;
    assert_eq!(r.json["phone"], "+1 555");
    // The refused ones are not recorded.
    let carol =
        json!({"user_name": "carol", "email": "carol@example.com", "access_level": 10, "trial_expires_at": null});
    srv.assert_creations_recorded("operator:config", (carol_id, carol), (key_id, "ci"))
        .await;
    srv.finish().await;
}

/// Runs the `playgate` binary against the test server's database: (success, stdout,
/// stderr).
fn run_cli(srv: &TestServer, args: &[&str], stdin: &str) -> (bool, String, String) {
    use std::io::Write as _;
    let bin = env!("CARGO_BIN_EXE_playgate");
    let mut child = std::process::Command::new(bin)
        .args([
            "--data-dir",
            &srv.db.dir.display().to_string(),
            "--database-url",
            &srv.db.url,
        ])
        .args(args)
        .env("PLAYGATE_ARGON2_MEMORY_KIB", "1024")
        .env("PLAYGATE_ARGON2_ITERATIONS", "1")
        .env("PLAYGATE_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn playgate");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("run playgate");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `playgate account create --password-stdin --json` and `playgate apikey create
/// --allow-ip … --expires … --json`, against the running test server's database; both
/// recorded under the actor `cli` as the admin API and the console record theirs.
async fn cli_account_and_apikey(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let run = |args: &[&str], stdin: &str| run_cli(&srv, args, stdin);
    let args = [
        "account",
        "create",
        "--user-name",
        "erin",
        "--email",
        "erin@example.com",
        "--access-level",
        "20",
        "--trial-days",
        "7",
        "--password-stdin",
        "--json",
    ];
    let (ok, out, err) = run(&args, &format!("{PASSWORD}\n"));
    assert!(ok, "{out} {err}");
    let acct: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(acct["user_name"], "erin");
    assert_eq!(acct["access_level"], 20);
    let trial_end = acct["trial_expires_at"].as_i64().expect("a trial account");
    // The same name again: refused.
    let (ok, _, err) = run(&args, &format!("{PASSWORD}\n"));
    assert!(!ok && err.contains("taken"), "{err}");
    let (ok, _, err) = run(
        &[
            "account",
            "create",
            "--user-name",
            "fred",
            "--email",
            "f@e.com",
            "--access-level",
            "15",
            "--password-stdin",
        ],
        "password1\n",
    );
    assert!(!ok && err.contains("accessLevel"), "{err}");

    let (ok, out, err) = run(
        &[
            "apikey",
            "create",
            "--allow-ip",
            "127.0.0.1/32",
            "--allow-ip",
            "10.0.0.0/8",
            "--expires",
            "2026-02-01",
            "--json",
        ],
        "",
    );
    assert!(ok, "{out} {err}");
    let k: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(k["allow_ips"], json!(["127.0.0.1/32", "10.0.0.0/8"]));
    assert_eq!(k["expires_at"], 1_769_904_000);
    let key = k["key"].as_str().expect("key").to_owned();
    assert_eq!(login(&srv, &key, "erin").await.status, 200);
    let r = srv.i3d(&key).user().await;
    assert_eq!(
        (r.json["accessLevel"].as_i64(), r.json["isTrialAccount"].as_i64()),
        (Some(20), Some(1))
    );
    let (ok, _, err) = run(&["apikey", "create", "--expires", "soon"], "");
    assert!(!ok && err.contains("expires"), "{err}");
    let (ok, _, err) = run(&["apikey", "create", "--allow-ip", "300.1.1.1"], "");
    assert!(!ok && err.contains("allow_ip"), "{err}");
    // The refused ones are not recorded.
    let erin =
        json!({"user_name": "erin", "email": "erin@example.com", "access_level": 20, "trial_expires_at": trial_end});
    let (erin_id, key_id) = (acct["user_id"].as_i64().expect("id"), k["id"].as_i64().expect("key id"));
    srv.assert_creations_recorded("cli", (erin_id, erin), (key_id, ""))
        .await;
    srv.finish().await;
}

/// A server with an admin token, and Dirk's account created through the admin API with
/// every detail and some billing ones: the server, his id, and an API key he is logged in
/// on.
async fn dirk_by_admin(b: Backend) -> Option<(TestServer, i64, String)> {
    let srv = spawn_with(b, |c| {
        cheap(c);
        c.admin_token = Some(ADMIN_TOKEN.into());
    })
    .await?;
    let body = json!({
        "userName": "dirk", "password": PASSWORD, "email": "dirk@example.nl", "firstName": "Dirk",
        "lastName": "Jansen", "phone": "+31 10 555 0000", "companyName": "Jansen Hosting",
        "accountType": 2, "vatNumber": "NL123456789B01", "cocNumber": "12345678",
        "address": "Coolsingel", "streetNumber": "40", "zipCode": "3011 AD", "city": "Rotterdam",
        "countryCode": "nl", "phoneNumberMobile": "+31 6 5555 0000",
        "emailAddressAbuse": "abuse@example.nl", "language": "nl", "newsletter": true,
        "agreeToc": 1, "agreeAup": 1, "agreeDpa": false, "emailValidated": true,
        "billing": {"lastName": "Boekhouding", "emailAddressBilling": "invoices@example.nl",
                    "bundleInvoicesOfSameCategory": 1, "preferredPaymentMethod": 3}
    })
    .to_string();
    let r = srv
        .admin(ADMIN_TOKEN)
        .call("POST", "/admin/accounts", Some(&body))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["userId"].as_i64().expect("id");
    let key = any_key(&srv).await;
    assert_eq!(login(&srv, &key, "dirk").await.status, 200);
    Some((srv, id, key))
}

/// What `details` and `billingDetails` show is kept with the account as the admin API
/// created it, in the document's types.
async fn account_details_created_by_admin(b: Backend) {
    let Some((srv, _, key)) = dirk_by_admin(b).await else {
        return;
    };
    let u = srv.i3d(&key).user().await.json;
    assert_eq!(
        u["details"],
        json!({
            "accountType": 2, "companyName": "Jansen Hosting", "vatNumber": "NL123456789B01",
            "cocNumber": "12345678", "firstName": "Dirk", "lastName": "Jansen",
            "address": "Coolsingel", "streetNumber": "40", "zipCode": "3011 AD", "city": "Rotterdam",
            "countryCode": "NL", "emailAddress": "dirk@example.nl", "unconfirmedEmail": null,
            "emailAddressValidated": 1, "phoneNumber": "+31 10 555 0000",
            "phoneNumberMobile": "+31 6 5555 0000", "language": 1,
            "emailAddressAbuse": "abuse@example.nl", "newsletter": 1, "agreeToc": 1, "agreeAup": 1,
            "agreeDpa": 0, "isAllowedFlexMetal": 0
        })
    );
    // Billing: what was set, the account's own for the rest.
    assert_eq!(
        u["billingDetails"],
        json!({
            "firstName": "Dirk", "lastName": "Boekhouding", "address": "Coolsingel",
            "streetNumber": "40", "zipCode": "3011 AD", "city": "Rotterdam", "countryCode": "NL",
            "phoneNumber": "+31 10 555 0000", "phoneNumberMobile": "+31 6 5555 0000",
            "emailAddressBilling": "invoices@example.nl", "bundleInvoicesOfSameCategory": 1,
            "receivePaymentConfirmationsViaEmail": 0, "preferredPaymentMethod": 3
        })
    );
    srv.finish().await;
}

/// The admin API's PATCH changes the details sent, by id or by user name; the rest stays.
async fn account_details_patched_by_admin(b: Backend) {
    let Some((srv, id, key)) = dirk_by_admin(b).await else {
        return;
    };
    let admin = srv.admin(ADMIN_TOKEN);
    let patch = json!({"city": "Den Haag", "language": 0, "billing": {"address": "Postbus",
        "streetNumber": "1", "zipCode": "2500 AA", "city": "Den Haag", "countryCode": "NL"}});
    let r = admin
        .call("PATCH", &format!("/admin/accounts/{id}"), Some(&patch.to_string()))
        .await;
    assert_eq!(
        (r.status, r.json["userName"].as_str()),
        (200, Some("dirk")),
        "{}",
        r.text
    );
    let r = admin
        .call(
            "PATCH",
            "/admin/accounts/DIRK",
            Some(r#"{"billing": {"receivePaymentConfirmationsViaEmail": true}}"#),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let u = srv.i3d(&key).user().await.json;
    assert_eq!(
        (
            &u["details"]["city"],
            &u["details"]["language"],
            &u["details"]["zipCode"]
        ),
        (&json!("Den Haag"), &json!(0), &json!("3011 AD"))
    );
    let bd = &u["billingDetails"];
    assert_eq!(
        (
            &bd["address"],
            &bd["zipCode"],
            &bd["receivePaymentConfirmationsViaEmail"]
        ),
        (&json!("Postbus"), &json!("2500 AA"), &json!(1))
    );
    srv.finish().await;
}

/// Bad details in a PATCH: 400 naming the field; an unknown account 404; no token 401;
/// nothing changed.
async fn account_details_refused_by_admin(b: Backend) {
    let Some((srv, id, key)) = dirk_by_admin(b).await else {
        return;
    };
    let admin = srv.admin(ADMIN_TOKEN);
    let u = srv.i3d(&key).user().await.json;
    for (bad, field) in [
        (json!({"countryCode": "XX"}), "countryCode"),
        (json!({"language": "fr"}), "language"),
        (json!({"language": 2}), "language"),
        (json!({"accountType": 0}), "accountType"),
        (json!({"newsletter": 2}), "newsletter"),
        (json!({"email": "nope"}), "email"),
        (json!({"emailAddressAbuse": "nope"}), "emailAddressAbuse"),
        (json!({"billing": {"countryCode": "nederland"}}), "billing.countryCode"),
        (
            json!({"billing": {"emailAddressBilling": "x"}}),
            "billing.emailAddressBilling",
        ),
        (
            json!({"billing": {"preferredPaymentMethod": -1}}),
            "billing.preferredPaymentMethod",
        ),
        (json!({"billing": {"city": 5}}), "billing.city"),
        (json!({"userName": "other"}), "userName"),
        (json!({"password": PASSWORD}), "password"),
    ] {
        let r = admin
            .call("PATCH", &format!("/admin/accounts/{id}"), Some(&bad.to_string()))
            .await;
        assert_eq!(
            (r.status, r.json["field"].as_str()),
            (400, Some(field)),
            "{bad}: {}",
            r.text
        );
    }
    let r = admin.call("PATCH", "/admin/accounts/nobody", Some("{}")).await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (404, Some("not_found")),
        "{}",
        r.text
    );
    let r = srv.request("PATCH", "/admin/accounts/1").body("{}").send().await;
    assert_eq!(r.status, 401);
    let again = srv.i3d(&key).user().await.json;
    assert_eq!(again["details"], u["details"]);
    assert_eq!(again["billingDetails"], u["billingDetails"]);
    srv.finish().await;
}

/// The CLI sets details too: `account create` with some, `account update` with others
/// (bad values and unknown accounts refused); the user object shows them.
async fn account_details_by_cli(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let (ok, out, err) = run_cli(
        &srv,
        &[
            "account",
            "create",
            "--user-name",
            "els",
            "--email",
            "els@example.be",
            "--city",
            "Gent",
            "--country-code",
            "be",
            "--language",
            "dutch",
            "--agree-dpa",
            "true",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(ok, "{out} {err}");
    let (ok, out, err) = run_cli(
        &srv,
        &[
            "account",
            "update",
            "--user",
            "els",
            "--account-type",
            "2",
            "--company-name",
            "Els BV",
            "--billing-city",
            "Brussel",
            "--billing-country-code",
            "BE",
            "--preferred-payment-method",
            "2",
            "--json",
        ],
        "",
    );
    assert!(ok, "{out} {err}");
    assert_eq!(serde_json::from_str::<Value>(&out).expect("json")["user_name"], "els");
    let (ok, _, err) = run_cli(
        &srv,
        &["account", "update", "--user", "els", "--country-code", "XX"],
        "",
    );
    assert!(!ok && err.contains("countryCode"), "{err}");
    let (ok, _, err) = run_cli(&srv, &["account", "update", "--user", "nobody", "--city", "X"], "");
    assert!(!ok && err.contains("nobody"), "{err}");
    els_details_shown(&srv).await;
    srv.finish().await;
}

/// What the CLI set for Els shows in her user object.
async fn els_details_shown(srv: &TestServer) {
    let key = any_key(srv).await;
    assert_eq!(login(srv, &key, "els").await.status, 200);
    let u = srv.i3d(&key).user().await.json;
    let d = &u["details"];
    assert_eq!(
        (
            &d["accountType"],
            &d["companyName"],
            &d["city"],
            &d["countryCode"],
            &d["language"],
            &d["agreeDpa"]
        ),
        (
            &json!(2),
            &json!("Els BV"),
            &json!("Gent"),
            &json!("BE"),
            &json!(1),
            &json!(1)
        )
    );
    let bd = &u["billingDetails"];
    assert_eq!(
        (&bd["city"], &bd["countryCode"], &bd["preferredPaymentMethod"]),
        (&json!("Brussel"), &json!("BE"), &json!(2))
    );
}

/// A password hashed under other argon2id parameters (an earlier default) still logs in,
/// and that login stores a hash under the server's current parameters.
async fn login_upgrades_old_password_hashes(b: Backend) {
    let Some(srv) = server(b).await else { return };
    let acc = account(&srv, "olduser", "").await;
    let store = SqlStore::connect(&StoreOptions::new(srv.config.database_url()))
        .await
        .expect("store");
    let old = hash_under_other_params(PASSWORD).await;
    assert!(
        !store
            .set_account_password_hash(acc.id, "not the stored hash", &old)
            .await
            .expect("cas"),
        "replaces only the stored hash"
    );
    assert!(
        store
            .set_account_password_hash(acc.id, &acc.password_hash, &old)
            .await
            .expect("plant")
    );
    let key = any_key(&srv).await;
    let r = login(&srv, &key, "olduser").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let stored = store
        .account_by_id(acc.id)
        .await
        .expect("read")
        .expect("account")
        .password_hash;
    assert!(stored.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{stored}");
    // The new hash is of the same password.
    let r = srv.i3d(&key).logout().await;
    assert!(r.status < 300, "logout: {}", r.text);
    assert_eq!(login(&srv, &key, "olduser").await.status, 200);
    store.close().await;
    srv.finish().await;
}

playgate_store::on_both_backends!(
    login_actions_are_audited,
    login_upgrades_old_password_hashes,
    login_user_logout,
    remember_me_keeps_a_login_30_days,
    a_login_lapses_after_24_hours,
    unknown_user_costs_a_password_check,
    trial_account_fields,
    bad_login_input,
    bad_credentials_and_calls_out_of_turn,
    bad_2fa_and_link_bodies,
    two_factor_login,
    recovery_codes,
    lockout_and_expiry,
    otp_failures_lock_the_account,
    api_key_allowlist_and_expiry,
    api_key_guessing_locks_the_address_out,
    request_ip_and_geoip,
    linking_shows_in_kgen,
    admin_http_without_a_token,
    admin_http,
    cli_account_and_apikey,
    account_details_created_by_admin,
    account_details_patched_by_admin,
    account_details_refused_by_admin,
    account_details_by_cli,
    generated_inputs,
);
