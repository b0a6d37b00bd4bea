//! Checks an answer against Playgate's own OpenAPI documents (`/openapi/{surface}.json`,
//! built in-process by `playgate_api::openapi`): the status must be one the operation
//! documents, the Content-Type one documented for that status, and the body must validate
//! against its schema (JSON Schema 2020-12, `$ref`s resolved into the document's
//! components). A path no operation matches, or a method the path does not take, must be
//! answered 404 or 405 with the surface's error body. Paths outside the four surfaces
//! (health, metrics, the documents themselves) are not checked.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::{Value, json};

/// The surface a path belongs to (as `playgate_api::http_failure` decides it).
fn surface(path: &str) -> Option<&'static str> {
    let under = |prefix: &str| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    if under("/s2s") {
        Some("kgen")
    } else if under("/v3") {
        Some("i3d")
    } else if under("/api/v3") {
        Some("gamefuse")
    } else if under("/admin") {
        Some("admin")
    } else {
        None
    }
}

static DOCS: LazyLock<HashMap<&'static str, Value>> = LazyLock::new(|| {
    ["kgen", "i3d", "gamefuse", "admin"]
        .into_iter()
        .map(|s| {
            let text = playgate_api::openapi::json(s).unwrap_or_else(|| panic!("no {s} document"));
            (s, serde_json::from_str(text).expect("the document is JSON"))
        })
        .collect()
});

/// Validators by (surface, JSON pointer of the schema in the document).
type Validators = HashMap<(String, String), Arc<jsonschema::Validator>>;
static VALIDATORS: LazyLock<Mutex<Validators>> = LazyLock::new(Default::default);

fn validator(surface: &str, pointer: &str) -> Arc<jsonschema::Validator> {
    let key = (surface.to_owned(), pointer.to_owned());
    let mut cache = VALIDATORS.lock().expect("validators");
    cache
        .entry(key)
        .or_insert_with(|| {
            let doc = &DOCS[surface];
            let schema = doc
                .pointer(pointer)
                .unwrap_or_else(|| panic!("{surface}: no {pointer}"));
            let root = json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "allOf": [schema],
                "components": doc["components"],
            });
            let v = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .build(&root)
                .unwrap_or_else(|e| panic!("{surface} {pointer}: not a valid schema: {e}"));
            Arc::new(v)
        })
        .clone()
}

/// `/users/{id}` matches `/users/7`; the template with the most literal segments wins
/// (`/s2s/session/refresh` over `/s2s/session/{session_id}`).
fn template<'a>(paths: &'a serde_json::Map<String, Value>, path: &str) -> Option<&'a str> {
    let segs: Vec<&str> = path.split('/').collect();
    paths
        .keys()
        .filter_map(|t| {
            let tsegs: Vec<&str> = t.split('/').collect();
            if tsegs.len() != segs.len() {
                return None;
            }
            let mut literal = 0;
            for (t, s) in tsegs.iter().zip(&segs) {
                if t.starts_with('{') && t.ends_with('}') {
                    if s.is_empty() {
                        return None;
                    }
                } else if t == s {
                    literal += 1;
                } else {
                    return None;
                }
            }
            Some((literal, t.as_str()))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, t)| t)
}

/// The pointer of the error body schema of the operation nearest to `path` (the longest
/// shared prefix).
fn error_schema(surface: &str, path: &str) -> Option<(String, String)> {
    let doc = &DOCS[surface];
    let paths = doc["paths"].as_object()?;
    let shared = |t: &str| t.bytes().zip(path.bytes()).take_while(|(a, b)| a == b).count();
    let nearest = paths.keys().max_by_key(|t| shared(t))?;
    let item = paths[nearest].as_object()?;
    for (method, op) in item {
        if let Some(content) = op["responses"]["400"]["content"].as_object()
            && let Some((ctype, _)) = content.iter().next()
        {
            let pointer = format!(
                "/paths/{}/{method}/responses/400/content/{}/schema",
                escape(nearest),
                escape(ctype)
            );
            return Some((ctype.clone(), pointer));
        }
    }
    None
}

/// JSON pointer escaping of one token.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn media_type(content_type: Option<&str>) -> String {
    content_type
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn validate(surface: &str, pointer: &str, ctype: &str, body: &str) -> Result<(), String> {
    let instance = if ctype == "application/json" {
        serde_json::from_str::<Value>(body).map_err(|e| format!("not JSON ({e}): {body:?}"))?
    } else {
        Value::String(body.to_owned())
    };
    let v = validator(surface, pointer);
    let errors: Vec<String> = v
        .iter_errors(&instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("does not match {pointer}: {errors:?}\nbody: {body}"))
    }
}

/// Checks one answer to `method path` (the path may carry a query).
pub fn check(method: &str, path: &str, status: u16, content_type: Option<&str>, body: &str) -> Result<(), String> {
    let path = path.split('?').next().unwrap_or(path);
    let Some(surface) = surface(path) else {
        return Ok(());
    };
    let method = method.to_ascii_lowercase();
    if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
        return Ok(());
    }
    let ctx = |e: String| format!("{surface} document: {method} {path} answered {status}: {e}");
    let doc = &DOCS[surface];
    let paths = doc["paths"].as_object().expect("paths");
    let op = template(paths, path).and_then(|t| Some((t, paths[t].get(&method)?)));
    let Some((template, op)) = op else {
        // No such operation: the HTTP layer's 404 or 405, in the surface's error format.
        if status != 404 && status != 405 {
            return Err(ctx("no documented operation, yet not 404 or 405".into()));
        }
        let (ctype, pointer) = error_schema(surface, path).ok_or_else(|| ctx("no error schema".into()))?;
        if media_type(content_type) != ctype {
            return Err(ctx(format!(
                "Content-Type {content_type:?}, not the error format's {ctype}"
            )));
        }
        return validate(surface, &pointer, &ctype, body).map_err(ctx);
    };
    let key = status.to_string();
    let Some(resp) = op["responses"].get(&key).or_else(|| op["responses"].get("default")) else {
        let documented: Vec<&String> = op["responses"]
            .as_object()
            .map(|r| r.keys().collect())
            .unwrap_or_default();
        return Err(ctx(format!(
            "status not documented (only {documented:?}); body: {body}"
        )));
    };
    let Some(content) = resp["content"].as_object().filter(|c| !c.is_empty()) else {
        if body.is_empty() {
            return Ok(());
        }
        return Err(ctx(format!("a body where none is documented: {body}")));
    };
    let ctype = media_type(content_type);
    if !content.contains_key(&ctype) {
        return Err(ctx(format!(
            "Content-Type {content_type:?} is not documented ({:?})",
            content.keys().collect::<Vec<_>>()
        )));
    }
    let pointer = format!(
        "/paths/{}/{method}/responses/{key}/content/{}/schema",
        escape(template),
        escape(&ctype)
    );
    validate(surface, &pointer, &ctype, body).map_err(ctx)
}

/// [`check`], panicking with what is wrong.
pub fn assert_documented(method: &str, path: &str, status: u16, headers: &reqwest::header::HeaderMap, body: &str) {
    let ctype = headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    if let Err(e) = check(method, path, status, ctype, body) {
        panic!("{e}");
    }
}

/// The checker itself refuses what the documents refuse (run by `ops::openapi`).
pub fn self_test() {
    let json = Some("application/json");
    let ok = r#"{"valid": false, "reason": "expired"}"#;
    assert_eq!(check("POST", "/s2s/session/verify", 200, json, ok), Ok(()));
    // A field of the wrong type, an undocumented status, a wrong content type.
    assert!(check("POST", "/s2s/session/verify", 200, json, r#"{"valid": "no"}"#).is_err());
    assert!(check("POST", "/s2s/session/verify", 418, json, ok).is_err());
    assert!(check("POST", "/s2s/session/verify", 200, Some("text/plain"), ok).is_err());
    // Errors in the dialect's format only.
    let kgen_error = r#"{"error": "unauthorized", "message": "missing x-client-id"}"#;
    assert_eq!(check("POST", "/s2s/session", 401, json, kgen_error), Ok(()));
    assert!(check("POST", "/s2s/session", 401, json, r#"{"errorCode": 1}"#).is_err());
    // Unknown routes: 404 in the surface's format.
    assert_eq!(check("GET", "/s2s/nothing", 404, json, kgen_error), Ok(()));
    assert!(check("GET", "/s2s/nothing", 200, json, "{}").is_err());
    assert_eq!(
        check("GET", "/api/v3/nothing", 404, Some("text/plain"), "Route not found"),
        Ok(())
    );
    assert!(check("GET", "/api/v3/nothing", 404, json, kgen_error).is_err());
    // A 204 has no body.
    assert_eq!(check("DELETE", "/s2s/session/x", 204, None, ""), Ok(()));
    assert!(check("DELETE", "/s2s/session/x", 204, json, "{}").is_err());
    // Templates: the literal path wins over the parameter.
    let paths = DOCS["kgen"]["paths"].as_object().expect("paths");
    assert_eq!(template(paths, "/s2s/session/refresh"), Some("/s2s/session/refresh"));
    assert_eq!(template(paths, "/s2s/session/abc"), Some("/s2s/session/{session_id}"));
}
