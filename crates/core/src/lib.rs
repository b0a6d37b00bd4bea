//! Playgate's core: the domain every dialect speaks about.
//!
//! Games (tenants), players, sessions and credentials live here, together with the
//! policy that governs them (token lifetimes, what "live" means, rate limits). Each
//! aggregate is a module with its service (a value: [`session::Sessions`],
//! [`login::Logins`], [`social::friends::Friends`], …) and its store trait; [`store::Store`]
//! is their union, which a storage backend implements. Nothing here knows HTTP or SQL:
//! dialects translate wire formats into the commands of the services, and the store crate
//! persists what they decide. [`service::Playgate`] holds the parts the services share.

pub mod account;
pub mod account_store;
pub mod accounts;
pub mod audit;
pub mod client_users;
pub mod clock;
pub mod console;
pub mod crypto;
pub mod economy;
pub mod error;
pub mod game;
pub mod game_data;
pub mod game_variables;
pub mod gamefuse;
pub mod games;
pub mod ids;
pub mod limits;
pub mod link;
pub mod login;
pub mod metrics;
pub mod operators;
pub mod own_data;
pub mod page;
pub mod password;
pub mod player;
pub mod players;
pub mod rounds;
pub mod service;
pub mod session;
pub mod settings;
pub mod signing_keys;
pub mod social;
pub mod stats;
pub mod store;
pub mod token;
pub mod totp;
pub mod vendor;
pub mod wallet;

pub use error::{Conflict, ConstraintKind, Entity, Error, Forbidden, Result, Unauthorized};
