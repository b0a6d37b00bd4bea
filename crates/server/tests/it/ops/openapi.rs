//! The OpenAPI documents and the docs UI: served by the binary (unknown surface 404), the
//! UI's files compiled in (no address outside the server), the i3d document in agreement
//! with i3D's own for the four session operations, and the body checker the HTTP tests use.
//! (That every route is documented is a unit test of `playgate_api::openapi`, next to the
//! route recorder.)

use std::collections::BTreeSet;

use crate::common::{self, Backend, spawn};
use serde_json::{Map, Value, json};

#[test]
fn the_body_checker_refuses_what_the_documents_refuse() {
    common::openapi::self_test();
}

// ---------------------------------------------------------------- i3D's document

/// A schema with every `$ref` replaced by its target, in one form whatever the OpenAPI
/// version: 3.0's `nullable: true` and 3.1's `"null"` in `type` or a `oneOf` with
/// `{"type": "null"}` all become a `type` list with `"null"`; a lone `allOf` is its
/// member. Descriptions, examples, titles, `format` (i3D writes `"integer"` and `""`) and
/// `readOnly` are words, not shapes, and are dropped.
fn normalize(v: &Value, doc: &Value) -> Value {
    match v {
        Value::Object(o) => {
            if let Some(r) = o.get("$ref").and_then(Value::as_str) {
                let target = doc
                    .pointer(r.trim_start_matches('#'))
                    .unwrap_or_else(|| panic!("no {r}"));
                let mut out = normalize(target, doc);
                if o.get("nullable") == Some(&Value::Bool(true)) {
                    add_null(&mut out);
                }
                return out;
            }
            let mut out = Map::new();
            for (k, v) in o {
                if [
                    "description",
                    "example",
                    "examples",
                    "title",
                    "format",
                    "readOnly",
                    "nullable",
                    "default",
                ]
                .contains(&k.as_str())
                {
                    continue;
                }
                out.insert(k.clone(), normalize(v, doc));
            }
            // A lone allOf (3.0's way to describe a $ref) is its member.
            if let Some(Value::Array(all)) = out.get("allOf").cloned()
                && all.len() == 1
            {
                out.remove("allOf");
                if let Value::Object(inner) = &all[0] {
                    for (k, v) in inner {
                        out.entry(k.clone()).or_insert(v.clone());
                    }
                }
            }
            // oneOf [null, X] (3.1's nullable reference) is X or null.
            if let Some(Value::Array(one)) = out.get("oneOf").cloned()
                && one.len() == 2
                && let Some(i) = one.iter().position(|s| s == &json!({"type": "null"}))
            {
                out.remove("oneOf");
                if let Value::Object(inner) = &one[1 - i] {
                    for (k, v) in inner {
                        out.entry(k.clone()).or_insert(v.clone());
                    }
                }
                let mut value = Value::Object(out);
                add_null(&mut value);
                return sorted(value);
            }
            let mut value = Value::Object(out);
            if o.get("nullable") == Some(&Value::Bool(true)) {
                add_null(&mut value);
            }
            sorted(value)
        }
        Value::Array(a) => Value::Array(a.iter().map(|v| normalize(v, doc)).collect()),
        other => other.clone(),
    }
}

fn add_null(v: &mut Value) {
    let Value::Object(o) = v else { return };
    let mut types: Vec<Value> = match o.get("type") {
        Some(Value::Array(a)) => a.clone(),
        Some(t) => vec![t.clone()],
        None => vec![],
    };
    if !types.contains(&json!("null")) {
        types.push(json!("null"));
    }
    o.insert("type".into(), Value::Array(types));
}

/// `type` lists and `required` in one order; a one-element `type` list is its element.
fn sorted(mut v: Value) -> Value {
    if let Value::Object(o) = &mut v {
        for key in ["type", "required"] {
            if let Some(Value::Array(a)) = o.get_mut(key) {
                a.sort_by_key(|x| x.to_string());
                a.dedup();
                if key == "type" && a.len() == 1 {
                    let only = a[0].clone();
                    o.insert(key.into(), only);
                }
            }
        }
    }
    v
}

/// Error statuses Playgate documents beyond i3D's document, for every operation (the same
/// as the answers `i3d/schema.rs` allows): 400 invalid input, 401 a missing or wrong
/// `PRIVATE-TOKEN`, 413 and 503 of the HTTP layer, 429 guessing keys; and 404 for a logout
/// without a login.
const EXTRA: [&str; 5] = ["400", "401", "413", "429", "503"];

#[test]
fn the_i3d_document_agrees_with_i3ds_own() {
    let theirs: Value = serde_json::from_str(include_str!("../../fixtures/i3d-v3-session.openapi.json")).expect("json");
    let ours: Value = serde_json::from_str(playgate_api::openapi::json("i3d").expect("i3d")).expect("json");
    assert_eq!(ours["openapi"], "3.1.0");
    assert_eq!(
        ours["components"]["securitySchemes"]["ApiKey"]["name"],
        theirs["components"]["securitySchemes"]["ApiKey"]["name"]
    );
    let mut compared = 0;
    for (path, item) in theirs["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let at = format!("{method} {path}");
            let mine = &ours["paths"][path][method];
            assert!(mine.is_object(), "{at} is not in our document");
            assert_eq!(mine["operationId"], op["operationId"], "{at}");
            assert_eq!(
                mine.get("parameters").cloned().unwrap_or(json!([])),
                op.get("parameters").cloned().unwrap_or(json!([])),
                "{at}: parameters"
            );
            // Request body: required, and the same schema.
            match op.get("requestBody") {
                None => assert!(mine.get("requestBody").is_none(), "{at}: a body i3D does not take"),
                Some(body) => {
                    let mine_body = &mine["requestBody"];
                    assert_eq!(mine_body["required"], body["required"], "{at}: requestBody.required");
                    let (a, b) = (
                        normalize(&mine_body["content"]["application/json"]["schema"], &ours),
                        normalize(&body["content"]["application/json"]["schema"], &theirs),
                    );
                    assert_eq!(a, b, "{at}: request schema");
                }
            }
            // Responses: every one of theirs, with the same body; ours beyond it only the
            // documented extra errors.
            let their_statuses: BTreeSet<&String> = op["responses"].as_object().expect("responses").keys().collect();
            let our_statuses: BTreeSet<&String> = mine["responses"].as_object().expect("responses").keys().collect();
            for status in &their_statuses {
                assert!(our_statuses.contains(status), "{at}: status {status} missing");
                let theirs_content = &op["responses"][status.as_str()]["content"];
                let ours_content = &mine["responses"][status.as_str()]["content"];
                if let Some(content) = theirs_content.as_object() {
                    for (ctype, media) in content {
                        assert_eq!(
                            normalize(&ours_content[ctype]["schema"], &ours),
                            normalize(&media["schema"], &theirs),
                            "{at} {status}: {ctype} schema"
                        );
                    }
                } else if status.starts_with('2') {
                    assert!(ours_content.is_null(), "{at} {status}: a body where i3D has none");
                } else {
                    // i3D documents no body for its 4xx; it answers its Error object, as we do.
                    assert_eq!(
                        normalize(&ours_content["application/json"]["schema"], &ours),
                        normalize(&json!({"$ref": "#/components/schemas/Error"}), &theirs),
                        "{at} {status}: the error body"
                    );
                }
            }
            for status in our_statuses.difference(&their_statuses) {
                let allowed = EXTRA.contains(&status.as_str()) || (path == "/v3/session/logout" && *status == "404");
                assert!(allowed, "{at}: status {status} beyond i3D's document");
            }
            compared += 1;
        }
    }
    assert_eq!(compared, 4, "i3D documents four operations");
}

#[test]
fn the_comparison_sees_a_difference() {
    let theirs: Value = serde_json::from_str(include_str!("../../fixtures/i3d-v3-session.openapi.json")).expect("json");
    let user = normalize(&json!({"$ref": "#/components/schemas/SessionUser"}), &theirs);
    let mut changed = theirs.clone();
    changed["components"]["schemas"]["AccountDetails"]["properties"]["language"]["type"] = json!("string");
    assert_ne!(
        user,
        normalize(&json!({"$ref": "#/components/schemas/SessionUser"}), &changed)
    );
    let mut changed = theirs.clone();
    changed["components"]["schemas"]["AccountBillingDetails"]["properties"]["phoneNumber"]
        .as_object_mut()
        .expect("object")
        .remove("nullable");
    assert_ne!(
        user,
        normalize(&json!({"$ref": "#/components/schemas/SessionUser"}), &changed)
    );
    // 3.0's nullable and 3.1's null type are the same.
    assert_eq!(
        normalize(&json!({"type": "string", "nullable": true, "format": ""}), &theirs),
        normalize(&json!({"type": ["null", "string"]}), &theirs)
    );
}

// ---------------------------------------------------------------- serving

/// The database plays no part here: SQLite only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_and_docs_ui() {
    let Some(srv) = spawn(Backend::Sqlite).await else {
        return;
    };
    let get = |path: &str| {
        let url = format!("{}{path}", srv.base);
        let http = srv.http.clone();
        async move { http.get(url).send().await.expect("send") }
    };
    for surface in playgate_api::openapi::SURFACES {
        let r = get(&format!("/openapi/{surface}.json")).await;
        assert_eq!(r.status(), 200, "{surface}");
        assert_eq!(r.headers()["content-type"], "application/json");
        let doc: Value = r.json().await.expect("json");
        assert_eq!(doc["openapi"], "3.1.0", "{surface}");
        assert!(!doc["paths"].as_object().expect("paths").is_empty(), "{surface}");
    }
    for missing in [
        "/openapi/nope.json",
        "/openapi/kgen",
        "/openapi/kgen.yaml",
        "/docs/nope.js",
    ] {
        assert_eq!(get(missing).await.status(), 404, "{missing}");
    }
    // /docs leads to the UI; its page and every file it loads come from the binary.
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = no_redirect
        .get(format!("{}/docs", srv.base))
        .send()
        .await
        .expect("send");
    assert!(r.status().is_redirection(), "{}", r.status());
    assert_eq!(r.headers()["location"], "/docs/");
    let r = get("/docs/").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .expect("ctype")
            .starts_with("text/html")
    );
    let page = r.text().await.expect("page");
    let mut assets = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for part in page.split(attr).skip(1) {
            let url = part.split('"').next().unwrap_or_default().to_owned();
            assert!(
                !url.contains("://") && !url.starts_with("//"),
                "the docs page loads {url} from elsewhere"
            );
            assets.push(url);
        }
    }
    assert!(assets.iter().any(|a| a.ends_with("swagger-ui-bundle.js")), "{assets:?}");
    assert!(
        assets.iter().any(|a| a.ends_with("swagger-initializer.js")),
        "{assets:?}"
    );
    for asset in &assets {
        let path = format!("/docs/{}", asset.trim_start_matches("./"));
        let r = get(&path).await;
        assert_eq!(r.status(), 200, "{path}");
        let body = r.bytes().await.expect("asset");
        assert!(!body.is_empty(), "{path}");
        if path.ends_with("swagger-initializer.js") {
            let js = String::from_utf8_lossy(&body);
            for surface in playgate_api::openapi::SURFACES {
                assert!(js.contains(&format!("/openapi/{surface}.json")), "{js}");
            }
            // No call to the online validator.
            assert!(js.contains("\"validatorUrl\": \"none\""), "{js}");
        }
    }
    srv.finish().await;
}
