//! A generated-input test of the document's four operations: random sequences of
//! `GET /v3/session/user`, `POST /v3/session/login`, `POST /v3/session/login/otp` and
//! `POST /v3/session/logout` with random keys (valid, missing, junk), random bodies (well
//! formed with right and wrong credentials, arbitrary JSON, arbitrary text) and random
//! waits, against one server and its database. Every answer must be below 500 and pass
//! [`super::schema::check`] (a documented status, a body valid against the document).
//! The server's state carries over from one input to the next, so failures are not shrunk:
//! the inputs are printed, with the seed (`PLAYGATE_PROPTEST_SEED` replays a run).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use proptest::prelude::*;
use proptest::strategy::ValueTree as _;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};

use super::{Backend, PASSWORD, TestServer, account, any_key, code, enable_2fa, req, server};

/// Sequences per backend, and operations per sequence: about 1000 requests, a few
/// seconds.
const SEQUENCES: u32 = 150;
const MAX_OPS: usize = 12;

#[derive(Debug, Clone)]
enum Key {
    /// One of the two valid keys.
    Valid(usize),
    Missing,
    Junk(String),
}

#[derive(Debug, Clone)]
enum Name {
    /// No 2FA.
    Ann,
    /// 2FA on.
    Tfa,
    /// `ann` in another case.
    AnnUpper,
    Other(String),
}

#[derive(Debug, Clone)]
enum Body {
    None,
    Login {
        user: Name,
        right_password: bool,
        remember_me: Option<Value>,
    },
    /// The current TOTP of `tfa`, `steps` steps away.
    Totp(i64),
    /// One of `tfa`'s recovery codes.
    Recovery(usize),
    Json(Value),
    Text(String),
}

#[derive(Debug, Clone)]
enum Op {
    Call {
        method: &'static str,
        path: &'static str,
        key: Key,
        body: Body,
    },
    Wait(u64),
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        "\\PC{0,12}".prop_map(Value::from),
        "[0-9]{6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        let key = prop_oneof![
            Just("userName".to_owned()),
            Just("password".to_owned()),
            Just("rememberMe".to_owned()),
            Just("otp".to_owned()),
            "[a-zA-Z]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key, inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn key() -> impl Strategy<Value = Key> {
    prop_oneof![
        8 => (0..2usize).prop_map(Key::Valid),
        1 => Just(Key::Missing),
        1 => "[ -~]{0,24}".prop_map(Key::Junk),
    ]
}

fn name() -> impl Strategy<Value = Name> {
    prop_oneof![
        4 => Just(Name::Ann),
        4 => Just(Name::Tfa),
        1 => Just(Name::AnnUpper),
        1 => "\\PC{0,20}".prop_map(Name::Other),
    ]
}

/// Mostly absent or in a form clients send, sometimes anything.
fn remember_me() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        3 => Just(None),
        2 => prop_oneof![Just(json!(1)), Just(json!(0)), Just(json!("1")), Just(json!(true))].prop_map(Some),
        1 => json_value().prop_map(Some),
    ]
}

fn login_body() -> impl Strategy<Value = Body> {
    prop_oneof![
        6 => (name(), prop::bool::weighted(0.8), remember_me()).prop_map(
            |(user, right_password, remember_me)| Body::Login { user, right_password, remember_me }
        ),
        1 => json_value().prop_map(Body::Json),
        1 => "\\PC{0,40}".prop_map(Body::Text),
        1 => Just(Body::None),
    ]
}

fn otp_body() -> impl Strategy<Value = Body> {
    prop_oneof![
        5 => (-2i64..=2).prop_map(Body::Totp),
        1 => (0..10usize).prop_map(Body::Recovery),
        2 => json_value().prop_map(|v| Body::Json(json!({ "otp": v }))),
        1 => json_value().prop_map(Body::Json),
        1 => "\\PC{0,40}".prop_map(Body::Text),
        1 => Just(Body::None),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (key(), prop::option::of(json_value())).prop_map(|(key, body)| Op::Call {
            method: "GET",
            path: "/v3/session/user",
            key,
            body: body.map_or(Body::None, Body::Json),
        }),
        4 => (key(), login_body()).prop_map(|(key, body)| Op::Call {
            method: "POST",
            path: "/v3/session/login",
            key,
            body,
        }),
        3 => (key(), otp_body()).prop_map(|(key, body)| Op::Call {
            method: "POST",
            path: "/v3/session/login/otp",
            key,
            body,
        }),
        2 => (key(), prop::option::of(json_value())).prop_map(|(key, body)| Op::Call {
            method: "POST",
            path: "/v3/session/logout",
            key,
            body: body.map_or(Body::None, Body::Json),
        }),
        1 => prop_oneof![Just(30u64), Just(301), Just(900), Just(86_400)].prop_map(Op::Wait),
    ]
}

fn runner() -> (TestRunner, u64) {
    let seed = std::env::var("PLAYGATE_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    (TestRunner::new_with_rng(Config::default(), rng), seed)
}

/// The world the inputs act on.
struct World {
    srv: TestServer,
    keys: [String; 2],
    secret: Vec<u8>,
    recovery: Vec<String>,
    /// (path, status) → answers seen, printed at the end.
    seen: Mutex<BTreeMap<(&'static str, u16), u32>>,
}

impl World {
    fn body(&self, body: &Body) -> Option<String> {
        match body {
            Body::None => None,
            Body::Login {
                user,
                right_password,
                remember_me,
            } => {
                let user = match user {
                    Name::Ann => "ann".to_owned(),
                    Name::Tfa => "tfa".to_owned(),
                    Name::AnnUpper => "ANN".to_owned(),
                    Name::Other(s) => s.clone(),
                };
                let password = if *right_password { PASSWORD } else { "wrong password" };
                let mut v = json!({"userName": user, "password": password});
                if let Some(r) = remember_me {
                    v["rememberMe"] = r.clone();
                }
                Some(v.to_string())
            }
            Body::Totp(steps) => Some(json!({"otp": code(&self.srv, &self.secret, *steps)}).to_string()),
            Body::Recovery(i) => Some(json!({"otp": self.recovery[i % self.recovery.len()]}).to_string()),
            Body::Json(v) => Some(v.to_string()),
            Body::Text(t) => Some(t.clone()),
        }
    }

    /// Runs one input; the checks against the document are in `req`.
    async fn run(&self, op: &Op) {
        let Op::Call {
            method,
            path,
            key,
            body,
        } = op
        else {
            if let Op::Wait(secs) = op {
                self.srv.advance(Duration::from_secs(*secs));
            }
            return;
        };
        let token = match key {
            Key::Valid(i) => Some(self.keys[*i].as_str()),
            Key::Missing => None,
            Key::Junk(s) => Some(s.as_str()),
        };
        let text = self.body(body);
        let r = req(&self.srv, method, path, token, text.as_deref(), &[]).await;
        assert!(r.status < 500, "{method} {path}: {} {}", r.status, r.text);
        if let Ok(mut seen) = self.seen.lock() {
            *seen.entry((*path, r.status)).or_default() += 1;
        }
        // The deadlines of a login: the OTP window's with 2FA, 0 without.
        if *path == "/v3/session/login" && r.status == 200 {
            let (otp, at, otp_at) = (
                &r.json["requiresOtp"],
                &r.json["expiresAt"],
                &r.json["otpSessionExpiresAt"],
            );
            if otp == true {
                let now = self.srv.running.core.now().unix_secs();
                assert!(at == otp_at && at.as_i64().is_some_and(|t| t > now), "{}", r.text);
            } else {
                assert_eq!((at, otp_at), (&json!(0), &json!(0)), "{}", r.text);
            }
        }
    }
}

/// See the module's header.
pub async fn generated_inputs(b: Backend) {
    let Some(srv) = server(b).await else { return };
    account(&srv, "ann", "").await;
    account(&srv, "tfa", "").await;
    let setup = any_key(&srv).await;
    let (secret, recovery) = enable_2fa(&srv, &setup, "tfa").await;
    let world = World {
        keys: [any_key(&srv).await, any_key(&srv).await],
        srv,
        secret,
        recovery,
        seen: Mutex::default(),
    };
    let (mut runner, seed) = runner();
    println!("PLAYGATE_PROPTEST_SEED={seed}");
    let strategy = prop::collection::vec(op(), 1..=MAX_OPS);
    for case in 0..SEQUENCES {
        let ops = strategy.new_tree(&mut runner).expect("generate").current();
        for (i, op) in ops.iter().enumerate() {
            println!("case {case} op {i}: {op:?}");
            world.run(op).await;
        }
    }
    if let Ok(seen) = world.seen.lock() {
        println!("answers seen: {seen:?}");
    }
    world.srv.finish().await;
}
