//! The few things of a vendor's API that the core itself must know.

pub mod gamefuse;
