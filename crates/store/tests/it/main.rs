//! The store contract, one binary: the same suite against SQLite (always) and PostgreSQL
//! (when `PLAYGATE_TEST_POSTGRES_URL` is set), each test on its own fresh database. A
//! module per part of the contract.

mod accounts;
mod connections;
mod gamefuse;
mod migrations;
mod own_data;
mod renewals;
mod sessions;
