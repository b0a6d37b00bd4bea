//! Parsing a JSON request body into a typed wire struct, reporting the failing field by
//! its path (`level`, `location.lat`), so each dialect can answer in its own error format.

use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use bytes::Bytes;
use serde::de::DeserializeOwned;

/// Why a body did not parse: the field path (`body` for the whole) and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyError {
    /// Field path as the client spells it, or `body`.
    pub field: String,
    /// What was wrong.
    pub reason: String,
}

impl From<BodyError> for playgate_core::Error {
    fn from(e: BodyError) -> Self {
        playgate_core::Error::Invalid {
            field: e.field,
            reason: e.reason,
        }
    }
}

/// Why a body could not be read: over the size limit (413), or anything else (400 naming
/// `field`). `status` and `text` are the rejection's (axum's body rejections carry both).
pub fn unreadable(field: &str, status: StatusCode, text: String) -> playgate_core::Error {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        playgate_core::Error::PayloadTooLarge
    } else {
        playgate_core::Error::invalid(field, text)
    }
}

/// Reads a request body as axum handed it (or why it could not: [`unreadable`]) and
/// parses it as `T` ([`parse`]).
pub fn read<T: DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
    empty_is_object: bool,
) -> Result<T, playgate_core::Error> {
    let body = body.map_err(|e| unreadable("body", e.status(), e.body_text()))?;
    Ok(parse(&body, empty_is_object)?)
}

/// A required field of a body: absent is `Invalid(field)`.
pub fn required<T>(v: Option<T>, field: &str) -> Result<T, playgate_core::Error> {
    v.ok_or_else(|| playgate_core::Error::invalid(field, "is required"))
}

/// A required text field of a body: absent or empty is `Invalid(field)`.
pub fn required_text(v: Option<String>, field: &str) -> Result<String, playgate_core::Error> {
    required(v.filter(|s| !s.is_empty()), field)
}

/// Parses `body` as `T`. An empty body reads as `{}` when `empty_is_object`.
pub fn parse<T: DeserializeOwned>(body: &Bytes, empty_is_object: bool) -> Result<T, BodyError> {
    let bytes: &[u8] = if empty_is_object && body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    // serde's derived structs also accept a JSON array; every body here is an object.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        let reason = if bytes.is_empty() {
            "is required (a JSON object)"
        } else {
            "must be a JSON object"
        };
        return Err(BodyError {
            field: "body".into(),
            reason: reason.into(),
        });
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            // Broken JSON is the body's fault, wherever the parser noticed it.
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => BodyError {
                field: "body".into(),
                reason: format!("is not valid JSON ({inner})"),
            },
            _ => {
                let field = if path == "." || path == "?" || path.is_empty() {
                    "body".to_owned()
                } else {
                    path
                };
                BodyError {
                    field,
                    reason: strip_position(&inner.to_string()),
                }
            }
        }
    })
}

/// serde_json appends " at line L column C"; the field path already says where.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct T {
        a: i64,
    }

    #[test]
    fn names_the_field() {
        let e = parse::<T>(&Bytes::from_static(br#"{"a": "x"}"#), false).err();
        assert_eq!(e.map(|e| e.field), Some("a".to_owned()));
        let e = parse::<T>(&Bytes::from_static(b"{"), false).err();
        assert_eq!(e.map(|e| e.field), Some("body".to_owned()));
        let e = parse::<T>(&Bytes::from_static(b"[]"), false).err();
        assert_eq!(e.map(|e| e.field), Some("body".to_owned()));
    }
}
