//! Times on the wire, shared by the surfaces that show them as text.

use playgate_core::clock::Timestamp;

/// RFC 3339 in UTC, seconds precision (`2026-01-31T00:00:00Z`).
pub fn rfc3339(t: Timestamp) -> String {
    time::OffsetDateTime::from_unix_timestamp(t.unix_secs())
        .ok()
        .and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}
