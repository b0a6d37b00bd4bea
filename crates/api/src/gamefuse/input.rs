//! Request input as the GameFuse SDKs send it (reference 0.4): query parameters, and a
//! body that is multipart form data (all values strings), URL-encoded form data, JSON, or
//! empty (read as `{}`, whatever the Content-Type says). Everything is merged into one JSON
//! object (body over query) and then read into typed wire structs with tolerant
//! deserializers. `key[]=a&key[]=b` becomes an array.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use bytes::Bytes;
use playgate_core::Error;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::GfError;
use crate::common::json;
use crate::common::state::AppState;

/// The merged parameters of one request.
#[derive(Debug, Clone, Default)]
pub struct Input(pub Map<String, Value>);

fn insert(map: &mut Map<String, Value>, key: &str, value: Value) {
    if let Some(base) = key.strip_suffix("[]") {
        match map.get_mut(base) {
            Some(Value::Array(a)) => a.push(value),
            _ => {
                map.insert(base.to_owned(), Value::Array(vec![value]));
            }
        }
    } else {
        map.insert(key.to_owned(), value);
    }
}

fn urlencoded(map: &mut Map<String, Value>, raw: &[u8]) {
    for (k, v) in form_urlencoded::parse(raw) {
        insert(map, &k, Value::String(v.into_owned()));
    }
}

impl Input {
    /// Reads the query and the body of `req`.
    pub async fn read(req: Request, state: &AppState) -> Result<Input, GfError> {
        let mut map = Map::new();
        if let Some(q) = req.uri().query() {
            urlencoded(&mut map, q.as_bytes());
        }
        let ctype = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if ctype.starts_with("multipart/form-data") {
            let mut mp = Multipart::from_request(req, state)
                .await
                .map_err(|e| GfError::from(json::unreadable("body", e.status(), e.body_text())))?;
            while let Some(field) = mp
                .next_field()
                .await
                .map_err(|e| GfError::from(json::unreadable("body", e.status(), e.body_text())))?
            {
                let Some(name) = field.name().map(str::to_owned) else {
                    continue;
                };
                let text = field
                    .text()
                    .await
                    .map_err(|e| GfError::from(json::unreadable(&name, e.status(), e.body_text())))?;
                insert(&mut map, &name, Value::String(text));
            }
            return Ok(Input(map));
        }
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| GfError::from(json::unreadable("body", e.status(), e.body_text())))?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Input(map));
        }
        if ctype.starts_with("application/x-www-form-urlencoded") {
            urlencoded(&mut map, &body);
            return Ok(Input(map));
        }
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(obj)) => map.extend(obj),
            Ok(_) => return Err(GfError::invalid("body", "must be a JSON object")),
            Err(e) => return Err(GfError::invalid("body", &format!("is not valid JSON ({e})"))),
        }
        Ok(Input(map))
    }

    /// One parameter as text (numbers and booleans as their text).
    pub fn text(&self, key: &str) -> Option<String> {
        match self.0.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The parameters with the object under `wrapper` (the SDK's nested form, e.g.
    /// `{"user": {...}}`) merged over the flat ones: nested first (reference 0.4).
    pub fn unwrapped(&self, wrapper: &str) -> Input {
        let mut map = self.0.clone();
        if let Some(Value::Object(inner)) = self.0.get(wrapper) {
            map.extend(inner.clone());
        }
        Input(map)
    }

    /// Reads the parameters into a wire struct, naming the failing field.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, GfError> {
        serde_path_to_error::deserialize(Value::Object(self.0.clone())).map_err(|e| {
            let path = e.path().to_string();
            let field = if path.is_empty() || path == "." {
                "body".to_owned()
            } else {
                path
            };
            let reason = e.into_inner().to_string();
            Error::invalid(field, reason).into()
        })
    }
}
