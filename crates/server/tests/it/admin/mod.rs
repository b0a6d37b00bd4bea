//! The admin API's `/admin/v1` resources over HTTP, on both databases: games, accounts,
//! stats. Every answer is checked against the admin document by the test client.

mod accounts;
mod games;
mod stats;

use playgate_core::operators::{Operators, Role};
use playgate_server::startup;

use crate::common::TestServer;

/// The configured admin token of these tests (the operator `config`).
pub const ADMIN: &str = "admin-token-0123456789";

/// A viewer operator's token.
pub async fn viewer(srv: &TestServer) -> String {
    let store = startup::open_store(&srv.config).await.expect("store");
    let ops = Operators::new(store, srv.clock.clone());
    let (_, token) = ops.create("vic", Role::Viewer).await.expect("viewer");
    token.expose().to_owned()
}
