//! `obakit`: parses the command line, starts logging and runs the chosen subcommand.

use std::process::ExitCode;

use clap::Parser;
use obakit_server::cli::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let _log = obakit_server::telemetry::init();
    match Cli::parse().command {
        Command::Serve(args) => obakit_server::app::serve(args.into_config()?).await?,
        Command::Events(args) => obakit_server::events_cli::run(args).await?,
        Command::License(args) => obakit_server::admin::cli::run(args).await?,
        Command::Simulate(args) => return obakit_simulator::simulate::run_cli(*args).await,
        Command::MockOrange(args) => {
            let shutdown = obakit_server::shutdown::signal();
            obakit_simulator::mock_orange::run_cli(args, shutdown).await?
        }
    }
    Ok(ExitCode::SUCCESS)
}
