//! The `playgate` binary.

use clap::Parser as _;

/// mimalloc instead of glibc's malloc: a request allocates and frees many small buffers
/// (JSON, headers, tokens); glibc's malloc/free took about 10% of the server's CPU on the
/// session benchmarks, with lock and consolidation costs mimalloc's per-thread heaps avoid.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = playgate_server::cli::Cli::parse();
    match playgate_server::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("playgate: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
