//! The one error type of the command line and of the server's start.

/// Any failure of a command or of the start, with its cause.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
