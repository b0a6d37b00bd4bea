//! What is stored: no client secret, token or private key in clear in the SQLite file; two
//! differently configured servers in one process do not see each other.

use std::time::Duration;

use crate::common::{self, Backend, spawn, spawn_with};
use playgate_core::crypto::MasterKey;
use serde_json::json;

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn database_file_holds_no_secret_in_clear() {
    let Some(srv) = spawn(Backend::Sqlite).await else {
        return;
    };
    let v = srv.open(r#"{"user_id": "u1", "name": "Ann"}"#).await;
    let refresh = json!({ "refresh_token": v["refresh_token"] }).to_string();
    let r = srv.call("POST", "/s2s/session/refresh", Some(&refresh)).await;
    assert_eq!(r.status, 200);
    let mut secrets: Vec<Vec<u8>> = vec![
        srv.game.client_secret.expose().as_bytes().to_vec(),
        v["access_token"].as_str().expect("t").as_bytes().to_vec(),
        v["refresh_token"].as_str().expect("t").as_bytes().to_vec(),
        r.json["access_token"].as_str().expect("t").as_bytes().to_vec(),
        r.json["refresh_token"].as_str().expect("t").as_bytes().to_vec(),
    ];
    // The wallet key and the JWT signing key, decrypted with the master key, must not
    // appear either (raw or hex).
    let master = MasterKey::from_base64(&std::fs::read_to_string(srv.db.dir.join("master.key")).expect("key"))
        .expect("master key");
    let path = srv.db.url.strip_prefix("sqlite://").expect("a SQLite database");
    let conn = rusqlite::Connection::open(path).expect("db");
    let (address, sealed): (String, Vec<u8>) = conn
        .query_row("SELECT wallet_address, wallet_key FROM players", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("row");
    let wallet_key = playgate_core::wallet::open(&master, &address, &sealed)
        .expect("wallet key")
        .to_bytes()
        .to_vec();
    assert_eq!(address, v["wallet_address"].as_str().expect("address"));
    let (kid, sealed): (String, Vec<u8>) = conn
        .query_row("SELECT kid, sealed_secret FROM signing_keys", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("row");
    let signing = master
        .open(&format!("playgate:jwt:{kid}"), &sealed)
        .expect("signing key");
    drop(conn);
    for raw in [wallet_key, signing] {
        secrets.push(hex::encode(&raw).into_bytes());
        secrets.push(raw);
    }
    let mut dump = Vec::new();
    for f in ["playgate.db", "playgate.db-wal"] {
        if let Ok(b) = std::fs::read(srv.db.dir.join(f)) {
            dump.extend(b);
        }
    }
    assert!(contains(&dump, b"Ann"), "the dump is readable: the profile is there");
    for s in &secrets {
        assert!(!contains(&dump, s), "a secret is stored in clear");
    }
    srv.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_differently_configured_servers_in_one_process() {
    let Some(a) = spawn_with(Backend::Sqlite, |c| c.access_token_ttl_secs = 60).await else {
        return;
    };
    let Some(b) = spawn(Backend::Sqlite).await else { return };
    let ta = a.open(r#"{"user_id": "u1"}"#).await;
    let tb = b.open(r#"{"user_id": "u1"}"#).await;
    let exp = |v: &serde_json::Value| {
        let (_, c) = common::jwt_parts(v["access_token"].as_str().expect("token"));
        c["exp"].as_i64().expect("exp") - c["iat"].as_i64().expect("iat")
    };
    assert_eq!((exp(&ta), exp(&tb)), (60, 24 * 3600));
    // Each has its own keys and data: A's token means nothing to B.
    let creds = (b.game.game.client_id.as_str(), b.game.client_secret.expose());
    let body = json!({ "access_token": ta["access_token"] }).to_string();
    let r = b.send("POST", "/s2s/session/verify", Some(&body), Some(creds)).await;
    assert_eq!(r.json["valid"], false);
    a.advance(Duration::from_secs(61));
    let body = json!({ "access_token": ta["access_token"] }).to_string();
    assert_eq!(
        a.call("POST", "/s2s/session/verify", Some(&body)).await.json["reason"],
        "expired"
    );
    a.finish().await;
    b.finish().await;
}
