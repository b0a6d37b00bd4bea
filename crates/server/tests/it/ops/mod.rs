//! What an operator relies on rather than a vendor's client: limits and hostile clients,
//! durability across a kill, two nodes on one database, signing keys, brute-force limits
//! on credentials, logs and metrics, the published documents, encryption at rest, and the
//! binary's command line.

mod at_rest;
mod binary;
mod credentials;
mod durability;
mod keys;
mod limits;
mod observability;
mod openapi;
mod statements;
mod two_nodes;
