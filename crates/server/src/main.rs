//! The `playgate` binary.

use clap::Parser as _;

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
