//! What every dialect shares: application state, the client-address extractor, health,
//! body reading; and what the admin API and the console share (path ids); and the JSON
//! bodies the admin API and GameFuse share.

pub mod client_ip;
pub mod complete;
pub mod doc_edits;
pub mod geoip;
pub mod health;
pub mod json;
pub mod json_error;
pub mod lenient;
pub mod metrics;
pub mod observe;
pub mod origin;
pub mod path_id;
#[cfg(test)]
pub(crate) mod reasons;
pub mod request_id;
pub mod routes;
pub mod state;
pub mod time;
pub mod wire;
