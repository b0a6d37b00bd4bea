//! Tolerant JSON input, for what real clients send: numbers where strings are documented
//! and numeric strings where numbers are. Used with `#[serde(default, deserialize_with)]`;
//! `null` reads as absent.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, Visitor};

struct Text {
    /// Accept an object or array, kept as its compact JSON text.
    json: bool,
}

impl<'de> Visitor<'de> for Text {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        if !self.json {
            return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
        }
        let v: serde_json::Value = serde::Deserialize::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Some(v.to_string()))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        if !self.json {
            return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
        }
        let v: serde_json::Value = serde::Deserialize::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Some(v.to_string()))
    }
}

/// A string, or a number or boolean taken as its text.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_any(Text { json: false })
}

/// Like [`string`], and an object or array is kept as its JSON text (for free-form
/// fields such as `location`).
pub fn string_or_json<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_any(Text { json: true })
}

struct Int;

impl<'de> Visitor<'de> for Int {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or a string holding one")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(Some)
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            #[expect(clippy::cast_possible_truncation, reason = "integral and in range, checked above")]
            return Ok(Some(v as i64));
        }
        Err(E::invalid_value(de::Unexpected::Float(v), &self))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        if let Ok(n) = t.parse::<i64>() {
            return Ok(Some(n));
        }
        match t.parse::<f64>() {
            Ok(f) if f.is_finite() => self.visit_f64(f),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// An integer, or a string holding one (`"5"`, `" 5 "`, `"5.0"`); `""` reads as absent.
pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(Int)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct T {
        #[serde(default, deserialize_with = "super::string")]
        s: Option<String>,
        #[serde(default, deserialize_with = "super::int")]
        n: Option<i64>,
        #[serde(default, deserialize_with = "super::string_or_json")]
        j: Option<String>,
    }

    fn parse(s: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(s)
    }

    #[test]
    fn tolerant_values() -> Result<(), serde_json::Error> {
        let t = parse(r#"{"s": 38331972, "n": "7", "j": {"lat": 1}}"#)?;
        assert_eq!(t.s.as_deref(), Some("38331972"));
        assert_eq!(t.n, Some(7));
        assert_eq!(t.j.as_deref(), Some(r#"{"lat":1}"#));
        let t = parse(r#"{"s": null, "n": "", "j": "x"}"#)?;
        assert_eq!((t.s, t.n, t.j.as_deref()), (None, None, Some("x")));
        assert_eq!(parse(r#"{"n": 3.0}"#)?.n, Some(3));
        assert_eq!(parse(r#"{"s": 1080.5}"#)?.s.as_deref(), Some("1080.5"));
        assert!(parse(r#"{"n": "abc"}"#).is_err());
        assert!(parse(r#"{"n": 3.5}"#).is_err());
        assert!(parse(r#"{"n": true}"#).is_err());
        assert!(parse(r#"{"s": {"a": 1}}"#).is_err());
        assert!(parse(r#"{"s": [1]}"#).is_err());
        Ok(())
    }
}
