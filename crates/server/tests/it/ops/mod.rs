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

use std::io::{BufRead as _, BufReader, Lines};
use std::process::{Child, ChildStdout, Command, Stdio};

/// The `playgate` binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_playgate");

/// Spawns `cmd`, a `playgate serve` on port 0, and reads the address its first line says:
/// the process, its base URL, and the rest of its standard output.
fn start_serving(cmd: &mut Command) -> (Child, String, Lines<BufReader<ChildStdout>>) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn playgate serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("utf8");
    let base = first
        .strip_prefix("Playgate is listening on ")
        .unwrap_or_else(|| panic!("not the listening line: {first}"))
        .to_owned();
    (child, base, lines)
}

/// Keeps reading a server's standard output so that it stays open.
fn drain(lines: Lines<BufReader<ChildStdout>>) {
    std::thread::spawn(move || lines.for_each(drop));
}
