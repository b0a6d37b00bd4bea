//! i3D.net's published OpenAPI document for the four `/v3/session` operations
//! (`fixtures/i3d-v3-session.openapi.json`, unchanged), as a checker of the i3d dialect's
//! answers: the status must be one the document lists for the operation (or one of the
//! few Playgate adds, below), a documented body must validate against its schema (every
//! schema has `additionalProperties: false`), a 204 has no body, and every error body is
//! the document's `Error` object.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde_json::{Map, Value, json};

const DOCUMENT: &str = include_str!("../../fixtures/i3d-v3-session.openapi.json");

/// Statuses the dialect answers beyond the document, for every operation: 400 for
/// invalid input, 401 for a missing, unknown, expired or not-allowed `PRIVATE-TOKEN` (the
/// document's security scheme), 429 for guessing keys, and the HTTP layer's own 413 (a
/// body over the limit) and 503 (database unreachable, request timeout).
const EXTRA_STATUSES: [u16; 5] = [400, 401, 413, 429, 503];

struct Contract {
    /// (method, path) → status → the schema name of its body (`None`: no body).
    operations: BTreeMap<(String, String), BTreeMap<u16, Option<String>>>,
    /// Schema name → its validator.
    validators: BTreeMap<String, jsonschema::Validator>,
}

/// OpenAPI 3.0's `nullable: true` as JSON Schema (`anyOf` the schema or `null`); the
/// document's formats (`""`, `"integer"`) are not JSON Schema formats and are dropped.
fn to_json_schema(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            let mut out: Map<String, Value> = o
                .iter()
                .filter(|(k, _)| *k != "nullable" && *k != "format")
                .map(|(k, v)| (k.clone(), to_json_schema(v)))
                .collect();
            if o.get("nullable") == Some(&Value::Bool(true)) {
                out = Map::from_iter([("anyOf".to_owned(), json!([Value::Object(out), {"type": "null"}]))]);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

fn schema_name(reference: &str) -> String {
    reference.trim_start_matches("#/components/schemas/").to_owned()
}

static CONTRACT: LazyLock<Contract> = LazyLock::new(|| {
    let doc: Value = serde_json::from_str(DOCUMENT).expect("the document is JSON");
    let components = json!({"schemas": to_json_schema(&doc["components"]["schemas"])});
    let mut validators = BTreeMap::new();
    for name in doc["components"]["schemas"].as_object().expect("schemas").keys() {
        let root = json!({"$ref": format!("#/components/schemas/{name}"), "components": components});
        let v = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .build(&root)
            .unwrap_or_else(|e| panic!("schema {name}: {e}"));
        validators.insert(name.clone(), v);
    }
    let mut operations = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let mut statuses = BTreeMap::new();
            for (status, resp) in op["responses"].as_object().expect("responses") {
                let schema = resp["content"]["application/json"]["schema"]["$ref"]
                    .as_str()
                    .map(schema_name);
                statuses.insert(status.parse::<u16>().expect("status"), schema);
            }
            operations.insert((method.to_uppercase(), path.clone()), statuses);
        }
    }
    Contract { operations, validators }
});

fn validate(schema: &str, body: &str) -> Result<(), String> {
    let value: Value = serde_json::from_str(body).map_err(|e| format!("not JSON ({e}): {body:?}"))?;
    let validator = CONTRACT
        .validators
        .get(schema)
        .ok_or_else(|| format!("no schema {schema}"))?;
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("does not validate against {schema}: {errors:?}\nbody: {body}"))
    }
}

/// Checks one answer of the i3d dialect to `method path`. Answers to other `/v3/`
/// routes (2FA enrollment, links) are checked for the error object only; other paths
/// (admin, kgen) are not checked.
pub fn check(method: &str, path: &str, status: u16, body: &str) -> Result<(), String> {
    let path = path.split('?').next().unwrap_or(path);
    if !path.starts_with("/v3/") {
        return Ok(());
    }
    let op = CONTRACT.operations.get(&(method.to_uppercase(), path.to_owned()));
    if let Some(statuses) = op {
        // Logout without a login: 404 like the user call ("if you are not logged in").
        let extra = EXTRA_STATUSES.contains(&status) || (path == "/v3/session/logout" && status == 404);
        if !statuses.contains_key(&status) && !extra {
            return Err(format!(
                "{method} {path}: status {status} is not in the document ({:?}); body: {body}",
                statuses.keys().collect::<Vec<_>>()
            ));
        }
    }
    if status >= 400 {
        return validate("Error", body).map_err(|e| format!("{method} {path} {status}: {e}"));
    }
    match op.and_then(|statuses| statuses.get(&status)) {
        Some(Some(schema)) => validate(schema, body).map_err(|e| format!("{method} {path} {status}: {e}")),
        Some(None) if !body.is_empty() => Err(format!(
            "{method} {path} {status}: a body where none is documented: {body}"
        )),
        _ => Ok(()),
    }
}

/// The checker itself: it refuses what the document refuses.
#[test]
fn the_checker_refuses_what_the_document_refuses() {
    let ok_login = r#"{"requiresOtp": false, "expiresAt": 0, "otpSessionExpiresAt": 0}"#;
    assert_eq!(check("POST", "/v3/session/login", 200, ok_login), Ok(()));
    for bad in [
        r#"{"requiresOtp": false, "expiresAt": 0}"#,
        r#"{"requiresOtp": false, "expiresAt": 0, "otpSessionExpiresAt": 0, "extra": 1}"#,
        r#"{"requiresOtp": 0, "expiresAt": 0, "otpSessionExpiresAt": 0}"#,
        "",
    ] {
        assert!(check("POST", "/v3/session/login", 200, bad).is_err(), "{bad}");
    }
    let error = r#"{"errorCode": 10001, "errorMessage": "Not logged in", "errors": []}"#;
    assert_eq!(check("GET", "/v3/session/user", 404, error), Ok(()));
    assert!(check("GET", "/v3/session/user", 404, r#"{"error": "x"}"#).is_err());
    // A status the document does not list for the operation.
    assert!(check("POST", "/v3/session/login/otp", 409, error).is_err());
    assert!(check("POST", "/v3/session/logout", 204, "{}").is_err());
    assert_eq!(check("POST", "/v3/session/logout", 204, ""), Ok(()));
    // Nullable fields take null; a wrong type or a missing required field fails.
    let mut user = json!({
        "userId": 1, "userName": "ann", "email": "a@b.c", "firstName": "", "lastName": "",
        "gender": "", "phone": "", "accessLevel": 10, "validateEmail": 1, "isTrialAccount": 0,
        "trialAccountExpirationDate": "", "requestIp": "", "requestIpCountry": "",
        "requestIpCountryCode": "",
        "details": {
            "accountType": 1, "companyName": null, "firstName": "", "lastName": "", "address": "",
            "streetNumber": "", "zipCode": "", "city": "", "countryCode": "", "emailAddress": "a@b.c",
            "unconfirmedEmail": null, "emailAddressValidated": null, "language": 0, "agreeDpa": null,
            "isAllowedFlexMetal": 0
        },
        "billingDetails": {
            "firstName": "", "lastName": "", "address": "", "streetNumber": "", "zipCode": "",
            "city": "", "countryCode": "", "phoneNumber": null, "bundleInvoicesOfSameCategory": 0,
            "receivePaymentConfirmationsViaEmail": 0, "preferredPaymentMethod": 0
        }
    });
    assert_eq!(check("GET", "/v3/session/user", 200, &user.to_string()), Ok(()));
    user["details"]["language"] = json!("nl");
    assert!(check("GET", "/v3/session/user", 200, &user.to_string()).is_err());
    user["details"]["language"] = json!(1);
    user["details"]["unconfirmedEmail"] = json!({"email": "x@y.z", "expiresAt": 5});
    assert_eq!(check("GET", "/v3/session/user", 200, &user.to_string()), Ok(()));
    user["details"]["unconfirmedEmail"] = json!("");
    assert!(check("GET", "/v3/session/user", 200, &user.to_string()).is_err());
    user["details"]["unconfirmedEmail"] = Value::Null;
    user["billingDetails"]["state"] = json!("");
    assert!(check("GET", "/v3/session/user", 200, &user.to_string()).is_err());
    user["billingDetails"].as_object_mut().expect("object").remove("state");
    user["billingDetails"].as_object_mut().expect("object").remove("city");
    assert!(check("GET", "/v3/session/user", 200, &user.to_string()).is_err());
}
