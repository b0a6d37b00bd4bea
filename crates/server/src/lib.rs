//! The `playgate` server: configuration, startup and shutdown, and the CLI's commands.
//! `main.rs` only parses arguments and calls into here, so tests start the very same
//! server in-process.

pub mod accounts_cli;
pub mod audit_cli;
pub mod cli;
pub mod client_users;
pub mod config;
pub mod error;
pub mod gamefuse;
pub mod gamefuse_cli;
pub mod operators_cli;
pub mod players_cli;
pub mod process_metrics;
pub mod serve;
pub mod startup;
pub mod telemetry;
