//! The HTTP tests of the `playgate` server, one binary: the real server on port 0 with a
//! fresh database per test (on SQLite, and on PostgreSQL when `PLAYGATE_TEST_POSTGRES_URL`
//! is set), spoken to in raw HTTP as each vendor's clients do. A module per surface; the
//! shared support (spawning, the typed clients, the vendor documents' checkers) in
//! [`common`].

mod admin;
mod common;
mod console;
mod gamefuse;
mod i3d;
mod kgen;
mod operators;
mod ops;
mod players;
